"""A synthetic child's risks (dated, levelled, with or without a safety plan, some out of
date) and the corrections a psychologist reading the demo would make (issue 21)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..model.case import add_years, years_between

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
        if record.get("conclusion", {}).get("decision") == "begin_work" and rng.random() < 0.6:
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
        for key in ("screening", "conclusion", "formulation"):
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
