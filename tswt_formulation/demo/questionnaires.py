"""The measures a synthetic child has: SDQ and GBO at baseline and each review, the
young adult's own SDQ (S18+), and the recorded reasons for an SDQ not returned (SSDA903)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..model.case import Case, SdqNotCompleted, SdqReason, add_years, years_between

# SDQ form versions by informant and age (names as in the SDQ measure definition).
SDQ_VERSION = {
    "parent": ("P2-4", "P4-17"),
    "teacher": ("T2-4", "T4-17"),
    "self": ("S11-17", "S18+"),
}

_GOALS = (
    "Feel calmer at bedtime",
    "Tell a carer when I am worried",
    "Stay in class for the whole lesson",
    "Spend time with friends after school",
    "Manage anger without hurting anyone",
    "Understand my story",
)


def _young_adult_self_reports(record: dict[str, Any], seed: int) -> None:
    """A young person of 18 or over in work completes the SDQ self-report (S18+) at every
    timepoint: no parent or teacher form exists at that age, so it is their only SDQ, and
    the demo must show 18+ forms at baseline and review (scores without bands, reliable
    change without Recovered). A separate random stream leaves every other case as it was."""
    if record.get("conclusion", {}).get("decision") != "begin_work":
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
    working = record.get("conclusion", {}).get("decision") == "begin_work"
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


def _record_sdq_reasons(
    cases: list[Case], as_of: date, todo: list[tuple[SdqReason, str]] | None = None
) -> None:
    """Record a reason for no SDQ (SDQ2, SDQ3, SDQ5, SDQ4 in turn) for the first children
    looked after all of the last SSDA903 collection year to have ended, aged 4-16 all that
    year, with no carer SDQ in it, so the statutory export shows each reason.

    ``todo``: the reasons still to record, carried from one chunk of the caseload to the
    next (:func:`~tswt_formulation.demo.iter_caseload`); taken from it as recorded."""

    year = as_of.year if as_of >= date(as_of.year, 3, 31) else as_of.year - 1
    start, end = date(year - 1, 4, 1), date(year, 3, 31)
    todo = list(_SDQ_REASON_NOTES) if todo is None else todo
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
