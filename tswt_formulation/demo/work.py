"""The work after screening (issue 22): interventions from the recommendation, sessions,
first steps, reviews and, for some, the end of involvement."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..model.case import Case
from .people import WORKERS

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


def _plans_recorded(case: Case, data: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    """The risk record kept with the first steps (issue 21, third read: TSW-900059's safety
    plan was "done 12 Nov 2026" as a first step while its risk still said "No safety plan
    in place"): a safety plan done as a first step is recorded on the risk that day, held
    by the child's worker and reviewed at the risk's own interval; an out-of-date risk
    review done as a first step is the risk reviewed that day. No random draws."""
    from ..model.vocabulary import vocabulary

    scr = data.get("screening") or {}
    holder = (
        "the personal adviser"
        if case.child.legal_status.status == "care_leaver"
        else "the child's social worker"
    )
    for step in steps:
        done = step.get("done")
        words = " ".join(step["step"].casefold().split())
        if done is None:
            continue
        for risk in scr.get("risks", []):
            label = vocabulary().label("risk_kind", risk["kind"]).casefold()
            if label not in words and label.split(" / ")[0] not in words:
                continue
            interval = risk["review_due"] - risk["recorded"]
            if "safety plan" in words and not risk.get("safety_plan") and done > risk["recorded"]:
                risk.update(safety_plan=True, safety_plan_holder=holder)
            elif not words.startswith("review the out-of-date risk assessment"):
                continue
            if done > risk["recorded"]:
                risk.update(recorded=done, review_due=done + interval)


def _with_work(rng: random.Random, case: Case, as_of: date) -> Case:
    """A begun case with the work that followed: interventions from its recommendation,
    sessions, its first steps, reviews at the measures' review timepoints (stage moving
    up, now and then back) and, for some, the end of involvement."""
    out = case.conclusion
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
        _plans_recorded(case, data, steps)
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
