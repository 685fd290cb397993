"""One synthetic child's record before any formulation: the child, the referral and its
decision, the allocation and the screening (history, behaviours, views, strengths), the
screenings still open, and the one referral the team cannot take (over age)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..model.case import add_years, years_between
from .people import MANAGERS, REFERRERS, WORKERS, synthetic_id
from .questionnaires import _measures

_EVIDENCE = {
    "physical_abuse": "Bruising recorded at a medical before the child came into care.",
    "emotional_abuse": "Records describe persistent belittling by a parent.",
    "sexual_abuse": "Disclosure recorded in the strategy discussion notes.",
    "neglect": "Chronic neglect documented over several years before care.",
    "abandonment_loss": "Separated from siblings; a grandparent died last year.",
    "parental_substance_misuse": "Parental alcohol misuse recorded in the assessment.",
    "domestic_abuse": "Several police call-outs to the family home for domestic abuse.",
    "multiple_placement_breakdowns": "Three placements ended unplanned before the current one.",
}
_BEHAVIOUR_EVIDENCE = {
    "extreme_dysregulation": "Long outbursts that carers cannot soothe.",
    "acting_out_aggression": "Hits out at carers and peers when frustrated.",
    "internalising_withdrawal": "Withdraws to bedroom; rarely speaks at school.",
    "regulatory_eating": "Hoards food and eats in secret.",
    "regulatory_toileting": "Daytime wetting when anxious.",
    "regulatory_sleep": "Wakes most nights; fearful at bedtime.",
    "self_harm": "Cuts to forearms seen by carer; school has noticed too.",
    "harmful_sexual_behaviour": "Sexualised behaviour towards a younger child reported.",
    "attention_concentration_impulsivity": "Cannot stay seated in class; acts on impulse.",
}

_VOICES = (
    "I like my room here. I miss my brother.",
    "I don't want to talk about before.",
    "School is OK when Miss is there.",
    "I want to stay here.",
    "Sometimes I get really angry and I don't know why.",
)
_CARER_VIEWS = (
    "We are committed to them but nights are exhausting.",
    "We need help understanding the outbursts.",
    "They are settling; school is the worry.",
    "We don't know how to respond when they go quiet.",
)
_STRENGTHS = (
    "Loves football and is part of a local team",
    "Warm relationship with foster carer",
    "Enjoys art and drawing",
    "Good sense of humour",
    "Stable school place with a trusted teacher",
    "Keeps in touch with a grandparent",
)


#: Legal statuses of a child who is, or has been, in care away from home.
IN_CARE = frozenset({"looked_after", "kinship_care", "care_leaver"})


def ever_in_care(child: Any) -> bool:
    """Whether the child is or has been in care (a dict record or a model's child)."""

    def get(obj: Any, key: str) -> Any:
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    status = get(get(child, "legal_status"), "status")
    history = get(child, "legal_status_history") or []
    placement = get(child, "placement")
    kind = get(placement, "type") if placement is not None else None
    return (
        status in IN_CARE
        or any(get(p, "status") in IN_CARE for p in history)
        or kind not in (None, "home_with_parents")
    )


# History a child who has never been in care cannot have, and evidence worded for one who has.
_NOT_AT_HOME = {"multiple_placement_breakdowns"}
_AT_HOME_INSTEAD = ("domestic_abuse", "parental_substance_misuse", "emotional_abuse")
_EVIDENCE_AT_HOME = {
    "physical_abuse": "Bruising recorded at a child protection medical.",
    "neglect": "Chronic neglect documented by the social worker over several years.",
}


def _fits_the_setting(record: dict[str, Any]) -> None:
    """History that fits where the child has lived (issue 21, third read: a child at home
    on a child protection plan, never in care, had "multiple placement breakdowns"). For a
    child never in care: no placement breakdowns, in the history or on the placement (a
    child living with their parents has had no placement to break down); the history
    factor becomes one that fits a child at home (the first of domestic abuse, parental
    substance misuse, emotional abuse not already recorded), with its evidence; evidence
    that says "before care" is worded for a child at home. No random draws, so the rest
    of the caseload stays as it was."""
    child = record["child"]
    if ever_in_care(child):
        return
    placement = child.get("placement") or {}
    if placement.get("breakdowns"):
        placement["moves_last_12_months"] = max(
            0, placement.get("moves_last_12_months", 0) - len(placement["breakdowns"])
        )
        placement["breakdowns"] = []
    scr = record.get("screening")
    if not scr:
        return
    factors = scr.get("history_factors", [])
    have = {h["factor"] for h in factors}
    kept = []
    for h in factors:
        if h["factor"] in _NOT_AT_HOME:
            instead = next((f for f in _AT_HOME_INSTEAD if f not in have), None)
            if instead is None:
                continue
            have.add(instead)
            h = dict(h, factor=instead, evidence=_EVIDENCE[instead])
        if h["factor"] in _EVIDENCE_AT_HOME:
            h = dict(h, evidence=_EVIDENCE_AT_HOME[h["factor"]])
        kept.append(h)
    scr["history_factors"] = kept


def _over_age_referral(record: dict[str, Any], as_of: date) -> None:
    """A care leaver of 26 referred by their personal adviser: past the team's range (up to
    25), recorded and not accepted, with the reasons and where to go instead."""
    received = record["referral"]["received"]
    child = record["child"]
    child["date_of_birth"] = add_years(received, -26) - timedelta(days=40)
    child["legal_status"] = {
        "status": "care_leaver",
        "start": add_years(child["date_of_birth"], 18),
    }
    child["legal_status_history"] = []
    child["placement"] = {
        "type": "independent_living",
        "start": received - timedelta(days=400),
        "moves_last_12_months": 0,
        "breakdowns": [],
    }
    child["caregiver"] = {"relationship": "none", "can_take_part": False}
    child["living_independently"] = True
    child["would_otherwise_be_in_care"] = False
    ref = record["referral"]
    ref["referrer"]["role"] = "personal_advisor"
    ref["consent"] = {
        "given_by": "child",
        "date": received,
        "informed": True,
    }  # an adult consents for themself
    ref["approval"] = {"by": MANAGERS[0], "date": received}
    ref.pop("allocation", None)
    ref["decision"] = {
        "outcome": "not_accepted",
        "date": min(received + timedelta(days=6), as_of),
        "reasons": "Aged 26 at referral: the team works with care leavers up to 25. Alternatives explained to the personal adviser.",
        "alternatives": ["cluster_services"],
    }
    for key in ("screening", "conclusion", "formulation"):
        record.pop(key, None)
    record["measures"], record["goals"] = [], []


def _open_screening(rng: random.Random, record: dict[str, Any], as_of: date, overdue: bool) -> None:
    """Turn an allocated case into one whose screening is still open: past its due date
    (overdue) or due within two weeks."""
    ref, scr = record["referral"], record.get("screening")
    if not ref.get("allocation") or not scr:
        return
    allocation = as_of - timedelta(days=rng.randint(48, 70) if overdue else rng.randint(29, 40))
    decision = allocation - timedelta(days=rng.randint(2, 10))
    received = decision - timedelta(days=rng.randint(3, 14))
    if (
        received <= record["child"]["date_of_birth"]
        or received < record["child"]["legal_status"]["start"]
    ):
        return
    for part in ("consent", "approval"):
        if ref.get(part):
            ref[part]["date"] = received
    ref["received"], ref["decision"]["date"], ref["allocation"]["date"] = (
        received,
        decision,
        allocation,
    )
    scr["started"] = allocation + timedelta(days=rng.randint(0, 4))
    scr.pop("completed", None)
    record.pop("conclusion", None)
    record["goals"] = []
    baseline = scr["started"] + timedelta(days=rng.randint(2, 10))
    dob = record["child"]["date_of_birth"]
    record["measures"] = [
        dict(m, date=baseline, timepoint="baseline")
        for m in record.get("measures", [])
        if m["timepoint"] == "baseline"
        and m["measure"] == "sdq"
        and years_between(dob, baseline)
        == years_between(dob, m["date"])  # the form must still fit the age
    ]
    if baseline > as_of:
        record["measures"] = []
    for b in record["child"]["placement"].get("breakdowns", []):
        if b["date"] > received:
            b["date"] = received - timedelta(days=5)


def _d(as_of: date, days_ago: int) -> date:
    return as_of - timedelta(days=max(days_ago, 0))


def _case(rng: random.Random, i: int, as_of: date) -> dict[str, Any]:
    case_id = synthetic_id(i + 1)
    status = rng.choices(
        [
            "looked_after",
            "kinship_care",
            "child_protection_plan",
            "supervision_order",
            "child_in_need",
            "care_leaver",
        ],
        weights=[44, 12, 12, 5, 14, 13],
    )[0]
    age = (
        rng.randint(18, 23)
        if status == "care_leaver"
        else rng.choices(
            [rng.randint(0, 3), rng.randint(4, 10), rng.randint(11, 17)], weights=[8, 46, 46]
        )[0]
    )
    if status != "care_leaver" and rng.random() < 0.03:
        age = 18  # a few referrals just too old: ineligible by age
    received = _d(as_of, rng.randint(0, 100) if rng.random() < 0.35 else rng.randint(0, 540))
    dob = add_years(received, -age) - timedelta(days=rng.randint(1, 360))
    if dob >= received:
        dob = received - timedelta(days=30)
    status_start = max(dob + timedelta(days=1), received - timedelta(days=rng.randint(60, 2500)))
    history = []
    if rng.random() < 0.5 and status in ("looked_after", "kinship_care", "care_leaver"):
        prev_start = max(
            dob + timedelta(days=1), status_start - timedelta(days=rng.randint(100, 900))
        )
        if prev_start < status_start:
            history.append(
                {"status": "child_protection_plan", "start": prev_start, "end": status_start}
            )
    kinship_cin = status == "child_in_need" and rng.random() < 0.35
    placement_type = {
        "looked_after": rng.choices(
            ["foster_care", "childrens_home", "residential_school"], weights=[70, 25, 5]
        )[0],
        "kinship_care": "kinship_placement",
        "child_protection_plan": "home_with_parents",
        "supervision_order": rng.choice(["home_with_parents", "kinship_placement"]),
        "child_in_need": "kinship_placement" if kinship_cin else "home_with_parents",
        "care_leaver": rng.choice(["semi_independent", "independent_living", "foster_care"]),
    }[status]
    living_independently = placement_type == "independent_living"
    unstable = rng.random() < 0.25
    placement_start = max(
        dob + timedelta(days=1),
        received - timedelta(days=rng.randint(20, 120) if unstable else rng.randint(200, 2000)),
    )
    breakdowns: list[dict[str, Any]] = []
    if unstable:
        for _ in range(rng.randint(1, 3)):
            # A breakdown ended an earlier placement: on or before this one began.
            # (the same draw as before, so the random stream and the rest of the demo are unchanged)
            bd = placement_start - timedelta(days=rng.randint(10, 300) - 10)
            if bd > dob:
                breakdowns.append({"date": bd, "note": "Placement ended at short notice"})
        breakdowns.sort(key=lambda b: b["date"])
    caregiver_rel = {
        "foster_care": "foster_carer",
        "kinship_placement": "kinship_carer",
        "childrens_home": "residential_staff",
        "residential_school": "residential_staff",
        "home_with_parents": "birth_parent",
        "semi_independent": "none",
        "independent_living": "none",
    }[placement_type]
    caregiver = {
        "relationship": caregiver_rel,
        "can_take_part": caregiver_rel != "none" and rng.random() < 0.8,
    }
    child = {
        "case_management_ref": f"SYNTH-{rng.randint(10000, 99999)}-{i + 1}",
        "date_of_birth": dob,
        "sex": rng.choices(["female", "male", "other", "not_known"], weights=[48, 48, 2, 2])[0],
        "legal_status": {"status": status, "start": status_start},
        "legal_status_history": history,
        "placement": {
            "type": placement_type,
            "start": placement_start,
            "moves_last_12_months": len(breakdowns) + (1 if unstable else 0),
            "breakdowns": breakdowns,
        },
        "caregiver": caregiver,
        "living_independently": living_independently,
        "would_otherwise_be_in_care": kinship_cin and rng.random() < 0.7,
    }
    eligible = (
        (
            status in ("looked_after", "kinship_care", "child_protection_plan", "supervision_order")
            and age < 18
        )
        or (status == "care_leaver" and age < 25)
        or (
            status == "child_in_need"
            and kinship_cin
            and child["would_otherwise_be_in_care"]
            and age < 18
        )
    )
    days_since = (as_of - received).days
    referral: dict[str, Any] = {
        "received": received,
        "referrer": {
            "name": rng.choice(REFERRERS),
            "role": "personal_advisor" if status == "care_leaver" else "social_worker",
        },
        "reasons": "Carers and school report escalating distress since the last move; advice sought on therapeutic support.",
        "nd_assessment_requested": rng.random() < 0.12,
    }
    incomplete = rng.random() < 0.07 and days_since < 60
    if not incomplete:
        referral["consent"] = {
            "given_by": "child"
            if age >= 12
            else rng.choice(["carer", "parent", "local_authority"]),
            "date": received,
            "informed": True,
        }
        referral["approval"] = {"by": rng.choice(MANAGERS), "date": received}
    else:
        referral["consent"] = (
            {"given_by": "carer", "date": received, "informed": True}
            if rng.random() < 0.5
            else None
        )
    record: dict[str, Any] = {
        "case_id": case_id,
        "synthetic": True,
        "child": child,
        "referral": referral,
    }
    if incomplete or days_since < 7:
        return record
    decision_date = _d(as_of, days_since - rng.randint(3, 14))
    if not eligible:
        alts = ["cluster_services", "camhs_single_point_of_access"]
        if referral["nd_assessment_requested"]:
            alts.append("gp_right_to_choose")
        referral["decision"] = {
            "outcome": "not_accepted",
            "date": decision_date,
            "reasons": "Outside the team's criteria (legal status or age); alternatives explained to the referrer.",
            "alternatives": alts,
        }
        return record
    referral["decision"] = {"outcome": "accepted", "date": decision_date}
    if (as_of - decision_date).days < 10 and rng.random() < 0.6:
        return record  # awaiting allocation
    allocation = decision_date + timedelta(days=rng.randint(2, 21))
    if allocation > as_of:
        return record
    referral["allocation"] = {"date": allocation, "worker": rng.choice(WORKERS)}
    started = allocation + timedelta(days=rng.randint(0, 7))
    if started > as_of:
        return record
    factors = rng.sample(list(_EVIDENCE), k=rng.randint(1, 4))
    behaviours = _pick_behaviours(rng, age)
    screening: dict[str, Any] = {
        "started": started,
        "history_factors": [
            {
                "factor": f,
                "evidence": _EVIDENCE[f],
                "sources": rng.sample(["social_worker", "health", "carer"], k=rng.randint(1, 2)),
            }
            for f in factors
        ],
        "presenting_behaviours": [
            {
                "behaviour": b,
                "evidence": _BEHAVIOUR_EVIDENCE[b],
                "sources": rng.sample(
                    ["carer", "school", "child", "social_worker"], k=rng.randint(1, 2)
                ),
                **_severity_and_frequency(rng),
            }
            for b in behaviours
        ],
        "life_story_work": rng.choice(["not_started", "planned", "in_progress", "completed"]),
        "child_voice": rng.choice(_VOICES),
        "carer_views": rng.choice(_CARER_VIEWS) if caregiver["relationship"] != "none" else "",
        "strengths": rng.sample(_STRENGTHS, k=rng.randint(1, 3)),
    }
    record["screening"] = screening
    # Most screenings finish on time; some run late and a few are still open past due.
    finish = started + timedelta(days=rng.randint(20, 50))
    recent = (as_of - started).days <= 70  # only a recent screening can still be open or late
    if finish <= as_of and (not recent or rng.random() < 0.7):
        screening["completed"] = finish
        conclusion_date = finish + timedelta(days=rng.randint(0, 5))
        if conclusion_date <= as_of:
            if rng.random() < 0.15:
                record["conclusion"] = {
                    "decision": "close",
                    "date": conclusion_date,
                    "by": referral["allocation"]["worker"],
                    "reasons": "Needs met through carer consultation; no further therapeutic work needed now.",
                    "alternatives": ["cluster_services"],
                }
            else:
                record["conclusion"] = {
                    "decision": "begin_work",
                    "date": conclusion_date,
                    "by": referral["allocation"]["worker"],
                }
    record["measures"], record["goals"] = _measures(rng, record, dob, started, as_of)
    return record


# How often each behaviour is among a referred child's presenting behaviours (relative).
_BEHAVIOUR_WEIGHTS = {
    "extreme_dysregulation": 4,
    "acting_out_aggression": 4,
    "internalising_withdrawal": 4,
    "regulatory_eating": 1.5,
    "regulatory_toileting": 1,
    "regulatory_sleep": 2.5,
    "self_harm": 1.2,
    "harmful_sexual_behaviour": 0.5,
    "attention_concentration_impulsivity": 3.5,
}


def _pick_behaviours(rng: random.Random, age: int) -> list[str]:
    pool = {
        b: w
        for b, w in _BEHAVIOUR_WEIGHTS.items()
        if not (b == "self_harm" and age < 9) and not (b == "harmful_sexual_behaviour" and age < 6)
    }
    chosen: list[str] = []
    for _ in range(rng.choices([1, 2, 3], weights=[3, 4, 2])[0]):
        names = [b for b in pool if b not in chosen]
        chosen.append(rng.choices(names, weights=[pool[b] for b in names])[0])
    return chosen


def _severity_and_frequency(rng: random.Random) -> dict[str, str]:
    severity = rng.choices(["mild", "moderate", "severe"], weights=[4, 5, 1.5])[0]
    by_severity: dict[str, list[float]] = {
        "mild": [3, 4, 2, 1],
        "moderate": [1, 3, 4, 2],
        "severe": [0.3, 1, 3, 3],
    }
    weights = by_severity[severity]
    return {
        "severity": severity,
        "frequency": rng.choices(["rarely", "monthly", "weekly", "daily"], weights=weights)[0],
    }
