"""A synthetic caseload for demos, notebooks, tests and benchmarks.

Every person here is invented: case ids run from ``TSW-900001`` (the 9xxxxx range is
reserved for synthetic data), case-management references start ``SYNTH-``, each record
carries ``synthetic: true`` and reports print a SYNTHETIC banner. Deterministic for a
seed and an as-of date (all dates are placed relative to the as-of date, so a demo made
today has screenings due this week and some overdue).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .model.case import Case, SdqNotCompleted, SdqReason, add_years, years_between
from .words import uk_date

SYNTHETIC_ID_BASE = 900_000
#: How many synthetic ids there are: TSW-900001 .. TSW-999999, then TSW-900000 for the
#: 100,000th (numbering starts at 900001, so every demo id already published stays).
SYNTHETIC_IDS = 100_000


def synthetic_id(number: int) -> str:
    """The case id of the ``number``-th synthetic case (1 .. 100,000)."""
    if not 1 <= number <= SYNTHETIC_IDS:
        raise ValueError(f"synthetic case number {number} is outside 1..{SYNTHETIC_IDS}")
    return f"TSW-{SYNTHETIC_ID_BASE + number % SYNTHETIC_IDS:06d}"


def synthetic_number(case_id: str) -> int | None:
    """The inverse of :func:`synthetic_id` (None for an id outside the synthetic range)."""
    if len(case_id) != 10 or not case_id.startswith("TSW-9") or not case_id[4:].isdigit():
        return None
    return int(case_id[4:]) - SYNTHETIC_ID_BASE or SYNTHETIC_IDS


WORKERS = ("a.okafor", "b.kowalski", "c.mensah", "d.hughes", "e.patel", "f.oconnor", "g.lindqvist")
REFERRERS = (
    "J. Adeyemi",
    "K. Brennan",
    "L. Chowdhury",
    "M. Dubois",
    "N. Evans",
    "P. Fraser",
    "R. Gill",
)
MANAGERS = (
    "t.harper",
    "u.iqbal",
    "v.jensen",
)  # staff logins (demo_staff), as every person field holds

# SDQ form versions by informant and age (names as in the SDQ measure definition).
SDQ_VERSION = {
    "parent": ("P2-4", "P4-17"),
    "teacher": ("T2-4", "T4-17"),
    "self": ("S11-17", "S18+"),
}

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
_GOALS = (
    "Feel calmer at bedtime",
    "Tell a carer when I am worried",
    "Stay in class for the whole lesson",
    "Spend time with friends after school",
    "Manage anger without hurting anyone",
    "Understand my story",
)
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


def generate_caseload(
    n: int = 60,
    seed: int = 1,
    as_of: date | None = None,
    progress: Callable[[int], None] | None = None,
    first: int = 1,
) -> list[Case]:
    """``n`` synthetic cases, deterministic for ``seed`` and ``as_of`` (default today).

    Ids run from ``TSW-9xxxxx`` number ``first`` (to add to a store that has demo cases):
    TSW-900001 to TSW-999999, and TSW-900000 for the 100,000th (:func:`synthetic_id`)."""
    as_of = as_of or date.today()
    rng = random.Random(seed)
    cases = []
    over_age = False
    for i in range(n):
        record = _case(rng, i, as_of)
        record["case_id"] = synthetic_id(first + i)
        if i % 15 in (4, 11):  # a steady share of screenings overdue or due within two weeks
            _open_screening(rng, record, as_of, overdue=i % 15 == 4)
        if not over_age and i >= 20 and not record["referral"].get("allocation"):
            # A referral the team cannot take, recorded, and eligibility says why. Taken
            # from one never allocated, so the rest of the caseload stays as it was.
            _over_age_referral(record, as_of)
            over_age = True
        _personalise(
            record, as_of, seed
        )  # before the risks, which take their reporters from the behaviours
        # Risks come from their own generator, so adding them changes nothing else.
        _add_risks(random.Random(f"risks-{seed}-{record['case_id']}"), record, as_of)
        _young_adult_self_reports(record, seed)
        _lawful_and_coherent(record)
        cases.append(Case.model_validate(record))
    from .measures.outcomes import baseline_bands

    bands = baseline_bands(cases)  # the recommendation uses baseline SDQ bands; one scoring pass
    for i, case in enumerate(cases):
        _formulate(rng, case, as_of, bands[case.case_id])
        if progress and (i + 1) % 500 == 0:
            progress(500)
    if progress and n % 500:
        progress(n % 500)
    _record_sdq_reasons(cases, as_of)
    # The work after screening comes from each case's own stream: adding it changes
    # nothing a seed gave before (the same children, dates, scores and formulations).
    return [_with_work(random.Random(f"work-{seed}-{c.case_id}"), c, as_of) for c in cases]


def _young_adult_self_reports(record: dict[str, Any], seed: int) -> None:
    """A young person of 18 or over in work completes the SDQ self-report (S18+) at every
    timepoint: no parent or teacher form exists at that age, so it is their only SDQ, and
    the demo must show 18+ forms at baseline and review (scores without bands, reliable
    change without Recovered). A separate random stream leaves every other case as it was."""
    if record.get("outcome", {}).get("decision") != "begin_work":
        return
    dob, measures = record["child"]["date_of_birth"], record.get("measures", [])
    done = {m["timepoint"] for m in measures if m["measure"] == "sdq" and m["informant"] == "self"}
    points = sorted(
        {
            (m["date"], m["timepoint"])
            for m in measures
            if years_between(dob, m["date"]) >= 18 and m["timepoint"] not in done
        }
    )
    rng = random.Random(f"{seed}-{record['case_id']}-self-18+")
    base, step = (
        rng.uniform(4, 8),
        rng.choice((-0.9, -0.9, 0.0, 0.7)),
    )  # mostly improving, as in _measures
    for k, (when, timepoint) in enumerate(points):
        level = {
            name: base + step * k + rng.uniform(-0.7, 0.7)
            for name in ("emotional", "conduct", "hyperactivity", "peer")
        }
        level["prosocial"] = 6 - step * k * 0.6
        responses = _sdq_items(rng, level)
        responses.update(_impact(rng, sum(level.values()) / 50, "self"))
        measures.append(
            {
                "measure": "sdq",
                "version": "S18+",
                "informant": "self",
                "date": when,
                "timepoint": timepoint,
                "responses": responses,
            }
        )


# Presenting behaviours that are also risks, and the risk kind they are recorded as.
_RISK_OF_BEHAVIOUR = {
    "self_harm": "self_harm",
    "harmful_sexual_behaviour": "harmful_sexual_behaviour",
    "acting_out_aggression": "severe_aggression",
}
_RISK_EVIDENCE = {
    "self_harm": "Cuts to forearms seen by carer; the young person says it helps when things feel too much.",
    "harmful_sexual_behaviour": "Sexualised behaviour towards a younger child; the network has met.",
    "severe_aggression": "Assaulted a carer during an outburst; police were called once.",
    "suicidal_ideation_or_attempt": "Told a teacher they wished they were not here; no plan described.",
    "going_missing": "Missing overnight twice since the last move; returned by police.",
    "child_criminal_exploitation": "Found with large sums of cash and a second phone; older associates.",
    "child_sexual_exploitation": "Contact with unknown adults online; gifts unexplained.",
    "substance_misuse": "Cannabis use most weekends, by their own account.",
}


def _add_risks(rng: random.Random, record: dict[str, Any], as_of: date) -> None:
    """Risk items for a screening that has started: for most risk behaviours, and for
    some adolescents a risk from outside the home; each dated, with a level, a safety
    plan (or not) and a review date, some of them now out of date."""
    scr = record.get("screening")
    if not scr or not scr.get("started"):
        return
    child = record["child"]
    age = years_between(child["date_of_birth"], scr["started"])
    holder = (
        "the personal adviser"
        if child["legal_status"]["status"] == "care_leaver"
        else "the child's social worker"
    )
    wanted: dict[str, tuple[str, list[str]]] = {}
    for b in scr.get("presenting_behaviours", []):
        kind = _RISK_OF_BEHAVIOUR.get(b["behaviour"])
        if (
            kind is None
            or (kind == "severe_aggression" and b["severity"] != "severe")
            or rng.random() < 0.2
        ):
            continue
        level = (
            "high"
            if b["severity"] == "severe" or b["frequency"] in ("weekly", "daily")
            else (
                "medium"
                if b["severity"] == "moderate" or kind == "harmful_sexual_behaviour"
                else "low"
            )
        )
        wanted[kind] = (level, list(b["sources"]))
    if age >= 12 and rng.random() < 0.25:
        kinds = [
            "going_missing",
            "child_criminal_exploitation",
            "child_sexual_exploitation",
            "suicidal_ideation_or_attempt",
        ]
        kinds += ["substance_misuse"] if age >= 13 else []
        kind = rng.choice(kinds)
        wanted.setdefault(
            kind,
            (
                rng.choice(["low", "medium", "medium", "high"]),
                rng.sample(["carer", "social_worker", "school", "child"], k=2),
            ),
        )
    risks = []
    for kind, (level, sources) in wanted.items():
        recorded = min(scr["started"] + timedelta(days=rng.randint(0, 10)), as_of)
        if record.get("outcome", {}).get("decision") == "begin_work" and rng.random() < 0.6:
            recorded = max(
                recorded, as_of - timedelta(days=rng.randint(5, 80))
            )  # reviewed since the screening
        plan = level != "low" and rng.random() < 0.75
        risks.append(
            {
                "kind": kind,
                "level": level,
                "reported_by": sources,
                "recorded": recorded,
                "evidence": _RISK_EVIDENCE[kind],
                "safety_plan": plan,
                "safety_plan_holder": holder if plan else "",
                "review_due": recorded + timedelta(days=rng.choice([30, 60, 90])),
            }
        )
    scr["risks"] = risks


def _lawful_and_coherent(record: dict[str, Any]) -> None:
    """What a psychologist reading the demo would correct (issue 21), without a draw from
    any random stream, so the rest of the caseload stays as it was:

    * consent from someone who can give it for this child (DOMAIN.md, Consent): the young
      person from 16 (and a care leaver always); a child of 13 to 15 for themself only as
      judged competent (Gillick), recorded; otherwise the local authority for a
      looked-after child or one in kinship care, a parent with parental responsibility
      for a child living at home;
    * from 18, whether the young person wants their carer involved, in their own words:
      "I want help to manage on my own" is a no;
    * risk evidence in the setting of the young person's age (no teacher at 23), and
      fitting the level it was given (a high suicide risk is more than a passing wish);
    * a care leaver became one at 18, having been looked after before (not at 13).
    """
    child, ref, scr = record["child"], record["referral"], record.get("screening")
    age = years_between(child["date_of_birth"], ref["received"])
    status = child["legal_status"]["status"]
    eighteen = add_years(child["date_of_birth"], 18)
    if status == "care_leaver" and child["legal_status"]["start"] < eighteen <= ref["received"]:
        was = child["legal_status"]["start"]
        child["legal_status"]["start"] = eighteen
        child["legal_status_history"] = [
            p for p in child.get("legal_status_history", []) if p.get("end") and p["end"] <= was
        ]
        child["legal_status_history"].append(
            {"status": "looked_after", "start": was, "end": eighteen}
        )
    consent = ref.get("consent")
    if consent:
        if age >= 16 or status == "care_leaver":
            consent["given_by"] = "child"
        elif age >= 13 and consent["given_by"] == "child":
            consent["gillick_competent"] = True
        else:
            consent["given_by"] = (
                "local_authority" if status in ("looked_after", "kinship_care") else "parent"
            )
    if (
        status == "looked_after"
        and age >= 18
        and ref.get("decision", {}).get("outcome") == "not_accepted"
    ):
        # Turned 18 while looked after: a care leaver in law, so not refused as "outside
        # the criteria". The decision waits while the record's legal status is corrected
        # (eligibility flags it).
        ref["decision"] = {"outcome": "pending"}
        ref.pop("allocation", None)
        for key in ("screening", "outcome", "formulation"):
            record.pop(key, None)
        record["measures"], record["goals"] = [], []
    carer = child.get("caregiver") or {}
    if carer.get("relationship", "none") != "none" and age >= 18:
        voice = (scr or {}).get("child_voice", "")
        carer["young_person_wants_involved"] = "on my own" not in voice
    at_home = (child.get("placement") or {}).get("type") == "home_with_parents"
    if scr and at_home:
        # A child at home hits out at a parent, not a carer.
        for item in [*scr.get("presenting_behaviours", []), *scr.get("risks", [])]:
            item["evidence"] = (
                item.get("evidence", "").replace("a carer", "a parent").replace("carers", "parents")
            )
    if scr:
        told = "the personal adviser" if age >= 18 else "a teacher" if age >= 5 else "a carer"
        for risk in scr.get("risks", []):
            words = _RISK_EVIDENCE_BY_LEVEL.get((risk["kind"], risk["level"]))
            if words:
                risk["evidence"] = words.format(told=told)
            if age >= 18 and risk["kind"] == "harmful_sexual_behaviour":
                risk["evidence"] = (
                    "Sexual behaviour towards a younger relative during a family visit; the network has met."
                )
            if age >= 18:
                risk["reported_by"] = list(
                    dict.fromkeys(
                        "social_worker" if x == "school" else x for x in risk["reported_by"]
                    )
                )
        if age >= 18:
            for item in scr.get("presenting_behaviours", []):
                # No school at 23: what the personal adviser, or the young person, sees.
                item["sources"] = list(
                    dict.fromkeys("social_worker" if x == "school" else x for x in item["sources"])
                )
                item["evidence"] = _ADULT_EVIDENCE.get(item["behaviour"], item.get("evidence", ""))
            for h in scr.get("history_factors", []):
                h["sources"] = list(
                    dict.fromkeys("social_worker" if x == "school" else x for x in h["sources"])
                )


# Evidence that fits the level the risk was given.
_RISK_EVIDENCE_BY_LEVEL = {
    (
        "suicidal_ideation_or_attempt",
        "high",
    ): "Told {told} they had thought about how they would end their life; no attempt; "
    "seen by the GP the same week.",
    (
        "suicidal_ideation_or_attempt",
        "medium",
    ): "Told {told} they wished they were not here; no plan described.",
    (
        "suicidal_ideation_or_attempt",
        "low",
    ): "Said once that things would be better without them; no plan, not repeated.",
    (
        "self_harm",
        "high",
    ): "Cuts to forearms most weeks, some needing first aid; says it helps when things feel too much.",
    (
        "self_harm",
        "medium",
    ): "Scratches to forearms seen by a carer twice this term; says it helps when things feel too much.",
    ("self_harm", "low"): "One superficial scratch seen a month ago; not repeated since.",
}
_ADULT_EVIDENCE = {
    "extreme_dysregulation": "Long outbursts at the flat that end with the police or a neighbour called.",
    "acting_out_aggression": "Loses temper with housing staff and peers when frustrated.",
    "internalising_withdrawal": "Stays in the flat for days; misses appointments.",
    "regulatory_eating": "Skips meals for days, then binges.",
    "regulatory_sleep": "Awake most nights; sleeps through the day.",
    "self_harm": "Cuts to forearms, shown to the personal adviser.",
    "harmful_sexual_behaviour": "Sexual behaviour towards a younger relative during a family visit.",
    "attention_concentration_impulsivity": "Cannot keep to a college timetable; acts on impulse with money.",
}


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
    for key in ("screening", "outcome", "formulation"):
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
    record.pop("outcome", None)
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
        outcome_date = finish + timedelta(days=rng.randint(0, 5))
        if outcome_date <= as_of:
            if rng.random() < 0.15:
                record["outcome"] = {
                    "decision": "close",
                    "date": outcome_date,
                    "by": referral["allocation"]["worker"],
                    "reasons": "Needs met through carer consultation; no further therapeutic work needed now.",
                    "alternatives": ["cluster_services"],
                }
            else:
                record["outcome"] = {
                    "decision": "begin_work",
                    "date": outcome_date,
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


def _sdq_items(rng: random.Random, level: dict[str, float]) -> dict[str, int | None]:
    """Raw SDQ item responses for target subscale levels (0-10), ~3% missing."""
    subscales = {
        "emotional": (3, 8, 13, 16, 24),
        "conduct": (5, 7, 12, 18, 22),
        "hyperactivity": (2, 10, 15, 21, 25),
        "peer": (6, 11, 14, 19, 23),
        "prosocial": (1, 4, 9, 17, 20),
    }
    reverse = {7, 11, 14, 21, 25}
    items: dict[str, int | None] = {}
    for name, numbers in subscales.items():
        # Spread a whole-number subscale score over the five items (each 0-2, keyed).
        target = int(min(10, max(0, round(level[name] + rng.uniform(-0.6, 0.6)))))
        keyed = [0] * 5
        for _ in range(target):
            open_items = [k for k in range(5) if keyed[k] < 2]
            keyed[rng.choice(open_items)] += 1
        for n, value in zip(numbers, keyed):
            items[str(n)] = (2 - value if n in reverse else value) if rng.random() > 0.03 else None
    return items


def _impact(rng: random.Random, severity: float, informant: str) -> dict[str, int | None]:
    overall = 0 if severity < 0.25 else (1 if severity < 0.45 else (2 if severity < 0.7 else 3))
    out: dict[str, int | None] = {"overall_difficulties": overall}
    names = (
        ("distress", "friendships", "classroom")
        if informant == "teacher"
        else ("distress", "home", "friendships", "classroom", "leisure")
    )
    for name in names:
        out[f"impact_{name}"] = (
            None if overall == 0 else min(3, max(0, round(severity * 3 + rng.uniform(-1, 1))))
        )
    return out


def _timepoints(started: date, as_of: date, rng: random.Random) -> list[tuple[str, date]]:
    points = [("baseline", started + timedelta(days=rng.randint(3, 20)))]
    n = 1
    while True:
        when = points[0][1] + timedelta(days=91 * n + rng.randint(-10, 10))
        if when > as_of or n > 6:
            break
        points.append((f"review {n}", when))
        n += 1
    return [(t, d) for t, d in points if d <= as_of]


def _measures(
    rng: random.Random, record: dict[str, Any], dob: date, started: date, as_of: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    working = record.get("outcome", {}).get("decision") == "begin_work"
    points = _timepoints(started, as_of, rng)
    if not working:
        points = points[:1]
    trajectory = rng.choices(["improving", "unchanged", "deteriorating"], weights=[60, 28, 12])[0]
    base = {k: rng.uniform(3, 8) for k in ("emotional", "conduct", "hyperactivity", "peer")}
    base["prosocial"] = rng.uniform(3, 8)
    step = {"improving": -0.9, "unchanged": 0.0, "deteriorating": 0.7}[trajectory]
    measures = []
    for k, (timepoint, when) in enumerate(points):
        age = years_between(dob, when)
        level = {
            name: v + step * k * (1 if name != "prosocial" else -0.6) + rng.uniform(-0.7, 0.7)
            for name, v in base.items()
        }
        severity = sum(level[s] for s in ("emotional", "conduct", "hyperactivity", "peer")) / 40
        informants = []
        if 2 <= age <= 17:
            informants.append("parent")
        if 4 <= age <= 17 and rng.random() < 0.7:
            informants.append("teacher")
        if age >= 11 and rng.random() < 0.7:
            informants.append("self")
        for informant in informants:
            young, old = SDQ_VERSION[informant]
            version = (
                (young if age < 4 else old) if informant != "self" else (young if age < 18 else old)
            )
            responses = _sdq_items(rng, level)
            responses.update(_impact(rng, severity, informant))
            measures.append(
                {
                    "measure": "sdq",
                    "version": version,
                    "informant": informant,
                    "date": when,
                    "timepoint": timepoint,
                    "responses": responses,
                }
            )
    goals = []
    if working and points:
        chosen = rng.sample(_GOALS, k=rng.randint(1, 3))
        goals = [
            {"number": n + 1, "description": g, "agreed": points[0][1]}
            for n, g in enumerate(chosen)
        ]
        start_scores = [rng.randint(1, 4) for _ in chosen]
        for k, (timepoint, when) in enumerate(points):
            gain = {"improving": 1.6, "unchanged": 0.3, "deteriorating": -0.4}[trajectory]
            responses = {
                str(n + 1): int(min(10, max(0, round(s + gain * k + rng.uniform(-1, 1)))))
                for n, s in enumerate(start_scores)
            }
            measures.append(
                {
                    "measure": "gbo",
                    "version": "GBO",
                    "informant": "self" if years_between(dob, when) >= 8 else "parent",
                    "date": when,
                    "timepoint": timepoint,
                    "responses": responses,
                }
            )
    return measures, goals


REVIEWERS = ("dr.r.ahmed", "dr.k.osei")
_NARRATIVES = (
    "Early neglect and the loss of a parent left this child expecting adults to be unreliable. The recent move "
    "has revived that fear, and the behaviour at bedtime and in school reads as an attempt to stay safe. The "
    "carers' warmth and the stable school place are the strongest protective factors.",
    "This young person has learned that distress is only noticed when it is loud. Repeated placement endings "
    "keep the pattern going; a carer who can stay curious rather than reactive is the route to change.",
    "Relational trauma before care shapes how this child reads adults' intentions. Life story work is needed so "
    "the child can make sense of the moves; until then, the focus is on predictability and co-regulation.",
)


def _at(day: date, hour: int) -> datetime:
    """A working hour on a day, but never later than now: a demo made at 7 in the morning
    must not date today's work at 9 (the record refuses timestamps in the future)."""
    at = datetime.combine(day, time(hour, 0), tzinfo=UTC)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return min(at, now - timedelta(minutes=24 - hour))  # still distinct and in order today


def _formulate(rng: random.Random, case: Case, as_of: date, bands: dict[str, str]) -> None:
    """Give a screened case a formulation that went through the real workflow."""
    from .model import Override
    from .rules import (
        draft_formulation,
        edit_formulation,
        recommend,
        record_decision,
        sign_off,
        submit,
    )

    scr = case.screening
    if scr is None or scr.started is None:
        return
    done = scr.completed
    if done is None and rng.random() < 0.6:
        return  # many open screenings have no draft yet
    day = done or min(as_of, scr.started + timedelta(days=20))
    rec = recommend(case, as_of=day, bands=bands)
    if not rec.recommendable:
        return
    worker = case.worker or "a.okafor"
    form = draft_formulation(case, author=worker, now=_at(day, 9), recommendation=rec)
    variant = rng.randrange(len(_NARRATIVES))  # same draws as before: a seed keeps its caseload
    form = edit_formulation(form, worker, _at(day, 10), narrative=_narrative(case, variant))
    if done is None:
        case.formulation = form
        return
    if rng.random() < 0.8:
        form = record_decision(form, case.case_id, worker, _at(day, 11), accept=True)
    else:
        new_stage = min(4, (rec.stage or 1) + 1)
        form = record_decision(
            form,
            case.case_id,
            worker,
            _at(day, 11),
            accept=False,
            overrides=[Override(part="stage", value=new_stage, reason=_override_reason(case, day))],
        )
    form = submit(
        form,
        case.case_id,
        by=worker,  # the demo's people are the staff directory's
        screening_completed=case.screening.completed if case.screening else None,
    )
    roll = rng.random()
    review_day = min(as_of, day + timedelta(days=rng.randint(1, 10)))
    if roll < 0.75:
        form = sign_off(
            form,
            case.case_id,
            rng.choice(REVIEWERS),
            _at(review_day, 15),
            approve=True,
            comment=_signoff_comment(case, True, variant),
        )
    elif roll < 0.85:
        form = sign_off(
            form,
            case.case_id,
            rng.choice(REVIEWERS),
            _at(review_day, 15),
            approve=False,
            comment=_signoff_comment(case, False, variant),
        )
    case.formulation = form


# Who the demo's login ids are (invented people), for the store's staff directory.
_DEMO_STAFF = (
    ("a.okafor", "A. Okafor", "therapeutic_social_worker"),
    ("b.kowalski", "B. Kowalski", "therapeutic_social_worker"),
    ("c.mensah", "C. Mensah", "therapeutic_social_worker"),
    ("d.hughes", "D. Hughes", "therapeutic_social_worker"),
    ("e.patel", "E. Patel", "therapeutic_social_worker"),
    ("f.oconnor", "F. O'Connor", "therapeutic_social_worker"),
    ("g.lindqvist", "G. Lindqvist", "therapeutic_social_worker"),
    ("dr.r.ahmed", "Dr R. Ahmed", "clinical_psychologist"),
    ("dr.k.osei", "Dr K. Osei", "clinical_psychologist"),
    ("t.harper", "T. Harper", "team_manager"),
    ("u.iqbal", "U. Iqbal", "team_manager"),
    ("v.jensen", "V. Jensen", "team_manager"),
    ("s.price", "S. Price", "senior_practitioner"),
    ("s.adeyemi", "S. Adeyemi", "personal_adviser"),
)
# The training store's administrator: sets up the directory and restores the demo's cases.
DEMO_ADMIN = ("it.admin", "I. Tanaka", "administrator")


def demo_staff() -> list[Any]:
    """The staff directory of the synthetic team: every login the demo uses, named."""
    from .store.staff import StaffMember

    return [StaffMember(login, name, role) for login, name, role in (DEMO_ADMIN, *_DEMO_STAFF)]


# --- each child's own story: text written from the child's record, not canned ----------------
# A separate random stream per case (seeded by the demo seed and the case id), so the words
# vary without changing which children, dates and scores a seed produces.

_GOALS_CARER = (
    "For {obj} to settle at bedtime without us",
    "That {sub} tells us when {sub} is worried",
    "For {obj} to stay in class for the whole lesson",
    "For {obj} to have friends round after school",
    "That {sub} can be cross without hurting anyone",
    "For {obj} to know {pos} own story",
)
_PRONOUNS = {"female": ("she", "her", "her"), "male": ("he", "him", "his")}
_RELATIONAL = {"physical_abuse", "emotional_abuse", "sexual_abuse", "neglect", "domestic_abuse"}
_CARER_WORDS = {
    "foster_carer": "the foster carer",
    "kinship_carer": "the kinship carer",
    "residential_staff": "the staff at the home",
    "birth_parent": "the parent",
}


# What a carer would call each presenting behaviour, in their own words.
_CARER_SAYS = {
    "extreme_dysregulation": "the meltdowns",
    "acting_out_aggression": "the hitting out",
    "internalising_withdrawal": "how quiet and shut away it gets",
    "regulatory_eating": "the food hiding",
    "regulatory_toileting": "the wetting",
    "regulatory_sleep": "bedtime and the night waking",
    "self_harm": "the cutting",
    "harmful_sexual_behaviour": "the behaviour with the younger ones",
    "attention_concentration_impulsivity": "never being able to settle",
}


def _pronouns(sex: str) -> tuple[str, str, str]:
    return _PRONOUNS.get(sex, ("they", "them", "their"))


def _words(terms: list[str], table: dict[str, str] | None = None) -> str:
    from .model.vocabulary import vocabulary

    voc = vocabulary()
    names = [
        (table or {}).get(t)
        or voc.label(
            "presenting_behaviour" if t in _BEHAVIOUR_EVIDENCE else "history_factor", t
        ).lower()
        for t in terms
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _personalise(record: dict[str, Any], as_of: date, seed: int) -> None:
    """Make a generated record read as one child's: the referral's reasons, the sources
    of what was reported (plausible for the age and the placement), the child's and
    carers' words, and goals in the voice of whoever set them."""
    local = random.Random(f"{seed}:{record['case_id']}")
    child, ref, scr = record["child"], record["referral"], record.get("screening")
    age = years_between(child["date_of_birth"], ref["received"])
    sub, obj, pos = _pronouns(child.get("sex", ""))
    placement = child["placement"]
    caregiver = child["caregiver"]["relationship"]
    recent = [b["date"] for b in placement.get("breakdowns", []) if b["date"] <= ref["received"]]
    behaviours = [b["behaviour"] for b in scr["presenting_behaviours"]] if scr else []
    who = "the young person" if age >= 11 else "the child"
    since = f" since the placement ended on {uk_date(max(recent))}" if recent else ""
    worry = (
        f"report {_words(behaviours[:2])}{since}"
        if behaviours
        else f"are worried about how {sub} is coping{since}"
    )
    ref["reasons"] = local.choice(
        (
            f"Carers and the social worker {worry}; advice sought on therapeutic support for {who}.",
            f"Those around {obj} {worry}. A consultation on how best to help is requested.",
            f"Referred because adults around {obj} {worry}; the care plan asks for a therapeutic view.",
        )
    )
    if not scr:
        return
    for item in scr["presenting_behaviours"]:
        sources = []
        for s in item["sources"]:
            if s == "school" and age < 4:
                s = "carer"  # no school yet
            if s == "child" and age < 7:
                s = "carer"  # a young child's own account is heard through the adults
            if s == "carer" and caregiver == "residential_staff":
                s = "residential_staff"
            if s == "carer" and caregiver == "birth_parent":
                s = "parent"
            if s not in sources:
                sources.append(s)
        item["sources"] = sources
    if age < 4:
        scr["child_voice"] = ""
    elif age < 11:
        scr["child_voice"] = local.choice(
            (
                "I like it here. I don't like bedtime.",
                "I get really cross and then I feel bad.",
                f"I want to see my {local.choice(('brother', 'sister', 'nan'))} more.",
                "School is OK when my teacher is there.",
            )
        )
    elif age < 18:
        scr["child_voice"] = local.choice(
            (
                "I don't want to talk about before.",
                "Nobody listens until I kick off.",
                "I want to stay here till I'm 18.",
                "I'm fine. Everyone else is the problem.",
            )
        )
    else:
        scr["child_voice"] = local.choice(
            ("I want help to manage on my own.", "I don't want to be passed around again.")
        )
    if caregiver in _CARER_WORDS and caregiver != "none":
        # A carer speaks of what they see, not of the category it is filed under.
        focus = (
            _CARER_SAYS.get(behaviours[0], "the changes in mood")
            if behaviours
            else "the changes in mood"
        )
        scr["carer_views"] = local.choice(
            (
                f"We are committed to {obj}, but {focus} wears us down.",
                f"We want to understand what sits behind {focus}.",
                f"{sub.capitalize()} is settling with us; {focus} is the worry.",
            )
        )
    else:
        scr["carer_views"] = ""
    for g in record.get("goals", []):
        gbo = [m for m in record.get("measures", []) if m["measure"] == "gbo"]
        if gbo and gbo[0]["informant"] == "parent" and g["description"] in _GOALS:
            g["description"] = _GOALS_CARER[_GOALS.index(g["description"])].format(
                sub=sub, obj=obj, pos=pos
            )


def _narrative(case: Case, variant: int) -> str:
    """The worker's formulation in a few sentences, from this child's own record."""
    scr = case.screening
    child = case.child
    sub, _obj, pos = _pronouns(child.sex)
    factors = [h.factor for h in scr.history_factors] if scr else []
    behaviours = [b.behaviour for b in scr.presenting_behaviours] if scr else []
    relational = [f for f in factors if f in _RELATIONAL]
    lead = "this young person" if child.age_on(case.referral.received) >= 11 else "this child"
    parts = []
    if relational:
        parts.append(
            f"{_words(relational).capitalize()} before care left {lead} expecting adults to be unpredictable or unsafe."
        )
    elif factors:
        parts.append(
            f"{_words(factors).capitalize()} taught {lead} that the people who matter can disappear."
        )
    placement = child.placement
    recent = (
        [
            b.date
            for b in (placement.breakdowns if placement else [])
            if b.date <= (scr.completed or scr.started or case.referral.received)
        ]
        if scr
        else []
    )
    if recent:
        parts.append(f"The placement ending on {uk_date(max(recent))} revived that fear.")
    elif placement is not None and placement.moves_last_12_months:
        parts.append(
            f"{placement.moves_last_12_months} move{'s' if placement.moves_last_12_months != 1 else ''} this year kept it alive."
        )
    else:
        # Written for this child: what the record dates, not a sentence every file shares.
        status = child.legal_status
        years = max(1, case.referral.received.year - status.start.year)
        article = "a " if status.status == "care_leaver" else ""
        since = f"{article}{_label_of('legal_status', status.status).lower()} since {uk_date(status.start)}"
        where = (
            _label_of("placement_type", placement.type).lower()
            if placement is not None
            else "no settled home"
        )
        parts.append(
            (
                f"No single event is recorded before the referral; {sub} has been {since}, and in {where} for "
                f"{max(1, (case.referral.received - placement.start).days // 30) if placement is not None else 0} months, and the worries have grown over "
                f"{years} year{'s' if years != 1 else ''} rather than from one change."
            )
            if variant % 2 == 0
            else (
                f"What changed is not one event: {pos} carers date the worries to the months after {sub} became "
                f"{since}, and they have gathered since."
            )
        )
    if behaviours:
        reading = (
            "attempts to stay safe",
            "the way distress gets noticed",
            "signs of a body still on alert",
        )[variant % 3]
        parts.append(f"{_words(behaviours[:2]).capitalize()} read as {reading}.")
    carer = child.caregiver
    strengths = [s for s in (scr.strengths if scr else []) if s.strip()]
    strength = f" ({strengths[0][:1].lower() + strengths[0][1:]})" if strengths else ""
    adult = child.age_on(case.referral.received) >= 18
    wanted = carer is not None and (not adult or carer.young_person_wants_involved is True)
    if carer is not None and carer.relationship in _CARER_WORDS and carer.can_take_part and wanted:
        parts.append(
            f"The commitment of {_CARER_WORDS[carer.relationship]} is the route to change; {pos} strengths{strength} are the base."
        )
    elif strengths and adult:
        wants = "want" if sub == "they" else "wants"
        parts.append(
            f"{sub.capitalize()} {wants} to manage on {pos} own terms; the work builds on {pos} strengths{strength}."
        )
    elif strengths:
        parts.append(
            f"No caregiver can take part yet, so the work builds on {pos} strengths{strength}."
        )
    if scr is not None and scr.life_story_work == "not_started":
        parts.append(f"Life story work needs to begin so {sub} can make sense of {pos} history.")
    return " ".join(parts)


def _label_of(list_name: str, term: str) -> str:
    from .model.vocabulary import vocabulary

    return vocabulary().label(list_name, term)


def _signoff_comment(case: Case, approve: bool, variant: int) -> str:
    """A reviewer's comment that engages with this child's formulation."""
    scr = case.screening
    behaviours = [b.behaviour for b in scr.presenting_behaviours] if scr else []
    focus = _words(behaviours[:1]) if behaviours else "the presenting difficulties"
    if approve:
        return (
            f"Clear and child-centred; the link between the history and {focus} is well made.",
            f"Agreed. Review {focus} at the three-month measures.",
            "A thoughtful formulation; the protective factors are well evidenced.",
        )[variant % 3]
    school = any("school" in b.sources for b in (scr.presenting_behaviours if scr else []))
    where = "at school" if school else "at home"
    return (
        f"Please say more about what keeps {focus} going {where}.",
        f"The perpetuating factors need more: what maintains {focus} now?",
    )[variant % 2]


def _override_reason(case: Case, day: date) -> str:
    """Why the worker moves the stage on, from the record."""
    placement = case.child.placement
    months = max(0, (day - placement.start).days // 30) if placement else 0
    if placement is not None and months >= 3:
        return f"The placement has held for {months} months and the carer is engaged; safety is established enough to start on relationships."
    return "The network is settled around the child since the screening began; safety is established enough to start on relationships."


# Why no SDQ was returned (SSDA903 OC2), one synthetic child each; SDQ1 follows from the age.
_SDQ_REASON_NOTES: tuple[tuple[SdqReason, str], ...] = (
    ("SDQ2", "Carer declined to complete the questionnaire at the annual health review."),
    (
        "SDQ3",
        "Profound learning disability; the questionnaire could not meaningfully be completed.",
    ),
    ("SDQ5", "Young person asked that the questionnaire not be completed this year."),
    ("SDQ4", "Placement moved during the assessment window; the form was not returned."),
)


def _record_sdq_reasons(cases: list[Case], as_of: date) -> None:
    """Record a reason for no SDQ (SDQ2, SDQ3, SDQ5, SDQ4 in turn) for the first children
    looked after all of the last SSDA903 collection year to have ended, aged 4-16 all that
    year, with no carer SDQ in it, so the statutory export shows each reason."""

    year = as_of.year if as_of >= date(as_of.year, 3, 31) else as_of.year - 1
    start, end = date(year - 1, 4, 1), date(year, 3, 31)
    todo = list(_SDQ_REASON_NOTES)
    for case in cases:
        if not todo:
            return
        child = case.child
        spells = [*child.legal_status_history, child.legal_status]
        looked_after = any(
            p.status == "looked_after" and p.start <= start and (p.end is None or p.end >= end)
            for p in spells
        )
        scored = any(
            m.measure == "sdq" and m.informant == "parent" and start <= m.date <= end
            for m in case.measures
        )
        dob = child.date_of_birth
        # SDQ5 (the young person refused) for one aged 11 or over, who completes their own forms.
        fits = [t for t in todo if t[0] != "SDQ5" or years_between(dob, start) >= 11]
        if (
            looked_after
            and not scored
            and fits
            and add_years(dob, 4) <= start
            and add_years(dob, 17) > end
        ):
            reason, note = fits[0]
            todo.remove(fits[0])
            recorded = end - timedelta(days=14 * len(todo) + 10)
            case.sdq_not_completed = [
                SdqNotCompleted(collection_year=year, reason=reason, recorded=recorded, note=note)
            ]


# --- the work after screening (issue 22) ----------------------------------------------------

_WAVE_DEFAULT = {1: "team_around_the_child", 2: "keywork", 3: "one_to_one_direct"}
_UNPLANNED = ("disengaged", "disengaged", "moved_out_of_area", "transferred")
_STAGE_EVIDENCE = {
    1: "Still settling: the carer reports nights are unsettled and there have been incidents at school.",
    2: "Uses the session to talk about the week; seeks the carer out when upset.",
    3: "Trying new things: joined an after-school club and talks about what went wrong without shutting down.",
    4: "Managing setbacks with the carer's help; thinking about next year at school.",
}
_CLOSING = {
    "planned": "Goals reviewed with the family; the carer feels able to carry on the approach. Closed as planned.",
    "disengaged": "Sessions stopped after repeated non-attendance; the social worker knows how to re-refer.",
    "moved_out_of_area": "Moved to another authority; a transfer summary was sent to the receiving team.",
    "transferred": "Transferred to CAMHS, whose threshold is now met; a joint handover meeting was held.",
    "aged_out": "Reached the end of the service's age range; signposted to adult services.",
}


def _sessions(rng: random.Random, start: date, stop: date, who: list[str]) -> list[dict[str, Any]]:
    """Sessions at a believable rhythm (weekly or fortnightly, a few days either way)
    from ``start`` to ``stop``; most attended, some missed or cancelled."""
    rhythm = rng.choice((7, 7, 14))
    out, day = [], start
    while day <= stop:
        attendance = rng.choices(
            ["attended", "did_not_attend", "cancelled_by_family", "cancelled_by_team"],
            weights=[80, 8, 7, 5],
        )[0]
        session: dict[str, Any] = {"date": day, "attendance": attendance}
        if attendance == "attended":
            session.update(took_part=who, minutes=rng.choice((45, 50, 60, 60, 90)))
        out.append(session)
        day = day + timedelta(days=rhythm + rng.randint(-2, 2))
    return out


def _intervention(
    rng: random.Random,
    number: int,
    kind: str,
    what: str,
    who: list[str],
    lead: str,
    start: date,
    as_of: date,
    fulfils: str | None,
    not_recommended: str = "",
    stale: bool = False,
) -> dict[str, Any]:
    planned_end = start + timedelta(weeks=rng.choice((12, 20, 26)))
    iv: dict[str, Any] = {
        "number": number,
        "kind": kind,
        "what": what,
        "for_whom": who,
        "lead_worker": lead,
        "start": start,
        "planned_end": planned_end,
    }
    if fulfils:
        iv["fulfils"] = fulfils
    else:
        iv["not_recommended"] = not_recommended
    end, reason = None, None
    roll = rng.random()
    if (
        stale
    ):  # drifting: the sessions stopped weeks ago and nobody has ended it, which the caseload flags
        pass
    elif roll < 0.22:  # an unplanned ending somewhere in the work
        span = max(1, (min(planned_end, as_of) - start).days)
        end, reason = (
            start + timedelta(days=rng.randint(min(21, span), span)),
            rng.choice(_UNPLANNED),
        )
    elif planned_end <= as_of:
        end, reason = planned_end, "planned"
    last = end or as_of
    if (
        stale and end is None
    ):  # the sessions stopped and nobody has closed it: the caseload flags it
        last = as_of - timedelta(weeks=rng.randint(7, 10))
    iv["sessions"] = _sessions(rng, start, last, who) if last >= start else []
    if end is not None and end <= as_of:
        iv.update(end=end, ending_reason=reason)
    return iv


def _with_work(rng: random.Random, case: Case, as_of: date) -> Case:
    """A begun case with the work that followed: interventions from its recommendation,
    sessions, its first steps, reviews at the measures' review timepoints (stage moving
    up, now and then back) and, for some, the end of involvement."""
    out = case.outcome
    if out is None or out.decision != "begin_work" or out.date >= as_of:
        return case
    data = case.model_dump(mode="python", exclude_defaults=True)
    worker = case.worker or "a.okafor"
    rec = case.formulation.recommendation if case.formulation is not None else None
    wave = rec.wave if rec is not None else 2
    stage = rec.stage if rec is not None else 1
    carer = case.child.caregiver is not None and case.child.caregiver.can_take_part
    start = min(as_of, out.date + timedelta(days=rng.randint(3, 21)))
    # First steps: the recommendation's preconditions, each with an owner, a due date, and most done.
    steps = []
    for text in rec.preconditions if rec is not None else ():
        due = out.date + timedelta(days=14)
        step: dict[str, Any] = {"step": text, "owner": worker, "due": due}
        done = out.date + timedelta(days=rng.randint(2, 30))
        if rng.random() < 0.75 and done <= as_of:
            step["done"] = done
        steps.append(step)
    if steps:
        data["first_steps"] = steps
    # The main intervention: the recommended model, else a service, else the wave's own.
    who = ["carer"] if carer else ["child"]
    if rec is not None and rec.models:
        main: tuple[str, str, str | None] = ("model", rec.models[0], "models")
        who = ["carer", "child"] if carer and rng.random() < 0.5 else who
    elif rec is not None and rec.services:
        main = ("service", rec.services[0], "services")
    else:  # the care provider's wave intervention: keywork, meetings, one-to-one work with the child
        main = ("wave", _WAVE_DEFAULT[wave], "wave" if rec is not None else None)
        who = ["professionals"] if wave == 1 else ["child"]
    stale = rng.random() < 0.15
    ivs = [
        _intervention(
            rng,
            1,
            main[0],
            main[1],
            who,
            worker,
            start,
            as_of,
            main[2],
            "Agreed with the network before the recommendation was made.",
            stale=stale,
        )
    ]
    if rng.random() < 0.35:
        second_start = min(as_of, start + timedelta(days=rng.randint(7, 60)))
        if carer and rng.random() < 0.6:
            ivs.append(
                _intervention(
                    rng,
                    2,
                    "service",
                    "carer_support",
                    ["carer"],
                    worker,
                    second_start,
                    as_of,
                    "services" if rec is not None and "carer_support" in rec.services else None,
                    "The carer asked for support of their own alongside the direct work.",
                )
            )
        else:
            ivs.append(
                _intervention(
                    rng,
                    2,
                    "wave",
                    "reflective_practice",
                    ["professionals"],
                    rng.choice(WORKERS),
                    second_start,
                    as_of,
                    None,
                    "The school asked for reflective practice meetings.",
                )
            )
    data["interventions"] = ivs
    # Reviews at the review timepoints of the measures (the team repeats them at review).
    ended_all = all(iv.get("end") for iv in ivs)
    last_end = max((iv["end"] for iv in ivs if iv.get("end")), default=None)
    ending_day = last_end + timedelta(days=rng.randint(1, 14)) if ended_all and last_end else None
    if ending_day is not None and (ending_day > as_of or rng.random() < 0.25):
        ending_day = None  # not every finished piece of work is closed yet
    points = sorted(
        {(m.timepoint, m.date) for m in case.measures if m.timepoint.startswith("review")},
        key=lambda p: p[1],
    )
    reviews = []
    for timepoint, day in points:
        if day < out.date or (ending_day is not None and day > ending_day):
            continue
        move = rng.random()
        stage = min(4, stage + 1) if move < 0.4 else max(1, stage - 1) if move < 0.52 else stage
        measures_done = sorted({m.measure for m in case.measures if m.timepoint == timepoint})
        gbo = next(
            (m for m in case.measures if m.measure == "gbo" and m.timepoint == timepoint), None
        )
        goals = [
            {"number": g.number, "rating": gbo.responses[str(g.number)]}
            for g in case.goals
            if gbo is not None and gbo.responses.get(str(g.number)) is not None
        ]
        reviews.append(
            {
                "date": day,
                "by": worker,
                "stage": stage,
                "stage_evidence": _STAGE_EVIDENCE[stage],
                "wave": max(1, wave - 1) if stage >= 3 and rng.random() < 0.3 else wave,
                "risks_reviewed": rng.random() < 0.85,
                "goals": goals,
                "measures_due": ["gbo", "sdq"],
                "measures_done": measures_done,
            }
        )
    if reviews:
        data["reviews"] = reviews
    if ending_day is not None:
        reasons = [iv["ending_reason"] for iv in ivs]
        reason = (
            "planned"
            if all(r == "planned" for r in reasons)
            else next(r for r in reasons if r != "planned")
        )
        data["ending"] = {
            "date": ending_day,
            "by": worker,
            "reason": reason,
            "summary": _CLOSING[reason],
            "closing_measures_due": [] if reason == "moved_out_of_area" else ["sdq"],
        }
    return Case.model_validate(data)
