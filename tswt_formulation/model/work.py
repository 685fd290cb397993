"""After screening, the work itself (DOMAIN.md "After screening: the work itself"):
the interventions delivered with their sessions, the reviews at the team's interval and
the end of involvement. First steps are :class:`~tswt_formulation.model.case.FirstStep`.

An intervention is a service, a direct-work model or one of the care provider's wave
interventions, for the child, the carer, the network or professionals, with a lead
worker (a staff login), a start, a planned end, an end and an ending reason. It is
linked to the part of the recommendation it fulfils, or marked as not recommended with
the reason. Its sessions are dated and say who took part and whether they happened.

The dates are checked against each other (:func:`work_problems`), each problem naming
its field: no session before its intervention started or after it ended, no review
before work began, no ending before the last session.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from ..practice import (  # noqa: F401 - re-exported: the work's vocabularies live in practice
    ATTENDANCE_LABELS,
    ENDING_LABELS,
    ENDING_REASONS,
    KIND_VOCABULARY,
    PARTICIPANTS,
)
from ._base import DateChecks, LongText, Record, ShortText
from .recommendation import Stage, Wave

if TYPE_CHECKING:
    from .case import Case

Day = date


Participant = Literal["child", "carer", "network", "professionals"]
EndingReason = Literal[
    "planned", "disengaged", "moved_out_of_area", "aged_out", "transferred", "other"
]
Attendance = Literal["attended", "did_not_attend", "cancelled_by_family", "cancelled_by_team"]
#: The parts of a recommendation an intervention can fulfil (RecommendationSnapshot).
RecommendationPart = Literal["wave", "services", "models", "preconditions"]
MeasureId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Session(Record):
    """One session of an intervention: when, whether it happened, who took part."""

    date: Day
    attendance: Attendance
    took_part: list[Participant] = Field(
        default=[], description="Who took part (empty when it did not happen)."
    )
    minutes: Annotated[int, Field(ge=0, le=600)] | None = Field(
        default=None, description="Duration in minutes."
    )
    note: ShortText = Field(
        default="", description="A short note; private text, shown only where the record is."
    )


class Intervention(Record):
    """A service, direct-work model or wave intervention actually delivered."""

    number: Annotated[int, Field(ge=1, le=999)] = Field(
        description="1, 2, ... in the order recorded; how the CLI names it."
    )
    kind: Literal["service", "model", "wave"] = Field(
        description="service (the team's services), model (a direct-work model) or wave (a wave intervention)."
    )
    what: ShortText = Field(
        description="A term of the kind's vocabulary: service, direct_work_model or wave_intervention."
    )
    for_whom: Annotated[list[Participant], Field(min_length=1)]
    lead_worker: ShortText = Field(description="A staff login.")
    start: Day
    planned_end: Day | None = None
    end: Day | None = None
    ending_reason: EndingReason | None = None
    ending_other: ShortText = Field(
        default="", description="What the ending was, when its reason is other."
    )
    fulfils: RecommendationPart | None = Field(
        default=None, description="The part of the recommendation this intervention fulfils."
    )
    not_recommended: LongText = Field(
        default="", description="Why it is delivered though the recommendation did not include it."
    )
    sessions: list[Session] = []

    @property
    def unplanned_ending(self) -> bool:
        return self.ending_reason is not None and self.ending_reason != "planned"


class GoalRating(Record):
    number: Annotated[int, Field(ge=1, le=3)]
    rating: Annotated[int, Field(ge=0, le=10)] = Field(
        description="How near the goal is, 0 (not at all) to 10 (met)."
    )


class Review(Record):
    """A review of the work at the team's interval (default three months)."""

    date: Day
    by: ShortText = Field(description="A staff login.")
    stage: Stage = Field(description="The stage of the practice model reached (1-4).")
    stage_evidence: LongText = ""
    wave: Wave = Field(description="The wave re-assessed (1-3).")
    risks_reviewed: bool = False
    goals: list[GoalRating] = []
    measures_due: list[MeasureId] = []
    measures_done: list[MeasureId] = []
    formulation: Literal["holds", "revised"] = Field(
        default="holds",
        description="Whether the formulation still holds; a revision goes back to sign-off.",
    )


class Ending(Record):
    """The end of the team's involvement."""

    date: Day
    by: ShortText = Field(description="A staff login.")
    reason: EndingReason
    reason_other: ShortText = ""
    summary: LongText = Field(default="", description="The closing summary.")
    closing_measures_due: list[MeasureId] = []


def work_began(case: Case) -> date | None:
    """When work began: the conclusion of screening ``begin_work``, else None."""
    out = case.conclusion
    return out.date if out is not None and out.decision == "begin_work" else None


def work_problems(case: Case, today: date) -> list[tuple[str, str]]:
    """Every cross-field problem of the work record as (field, message)."""
    from .vocabulary import vocabulary

    out: list[tuple[str, str]] = []
    began = work_began(case)
    has_work = bool(case.interventions or case.reviews or case.ending)
    if has_work and began is None:
        out.append(
            (
                "conclusion",
                (
                    "work is recorded, but the conclusion of screening is not begin_work; record it first "
                    "(tswt conclude CASE --begin-work)"
                ),
            )
        )

    checks = DateChecks(out, today)
    not_future, not_before, not_after = checks.not_future, checks.not_before, checks.not_after

    vocab = vocabulary()
    numbers: set[int] = set()
    for i, iv in enumerate(case.interventions):
        f = f"interventions[{i}]"
        if iv.number in numbers:
            out.append(
                (f"{f}.number", f"{iv.number} is used twice; number interventions 1, 2, ...")
            )
        numbers.add(iv.number)
        unknown = vocab[KIND_VOCABULARY[iv.kind]].unknown([iv.what])
        if unknown:
            out.append((f"{f}.what", unknown))
        not_before(f"{f}.start", iv.start, "conclusion.date (work began)", began)
        not_future(f"{f}.start", iv.start)
        not_before(f"{f}.planned_end", iv.planned_end, f"{f}.start", iv.start)
        not_before(f"{f}.end", iv.end, f"{f}.start", iv.start)
        not_future(f"{f}.end", iv.end)
        if iv.end is not None and iv.ending_reason is None:
            out.append(
                (f"{f}.ending_reason", "missing: an ended intervention needs its ending reason")
            )
        if iv.end is None and iv.ending_reason is not None:
            out.append(
                (
                    f"{f}.end",
                    f"missing: an ending reason ({iv.ending_reason}) needs the date it ended",
                )
            )
        if iv.ending_reason == "other" and not iv.ending_other.strip():
            out.append((f"{f}.ending_other", "missing: an ending for another reason needs it said"))
        if iv.fulfils is None and not iv.not_recommended.strip():
            out.append(
                (
                    f"{f}.fulfils",
                    (
                        "missing: name the part of the recommendation it fulfils "
                        "(wave, services, models, preconditions), or say why it was not recommended"
                    ),
                )
            )
        if iv.fulfils is not None and iv.not_recommended.strip():
            out.append(
                (
                    f"{f}.not_recommended",
                    (
                        f"given, but the intervention fulfils the recommendation's {iv.fulfils}; "
                        "give one or the other"
                    ),
                )
            )
        last: date | None = None
        for j, s in enumerate(iv.sessions):
            sf = f"{f}.sessions[{j}].date"
            not_before(sf, s.date, f"{f}.start", iv.start)
            not_after(sf, s.date, f"{f}.end", iv.end)
            not_future(sf, s.date)
            if s.attendance == "attended" and not s.took_part:
                out.append(
                    (
                        f"{f}.sessions[{j}].took_part",
                        "missing: an attended session says who took part",
                    )
                )
            if last is not None and s.date < last:
                out.append(
                    (
                        sf,
                        (
                            f"{s.date.isoformat()} is before the session listed above it ({last.isoformat()}); "
                            "keep sessions in date order"
                        ),
                    )
                )
            last = s.date
    for i, r in enumerate(case.reviews):
        f = f"reviews[{i}]"
        not_before(f"{f}.date", r.date, "conclusion.date (work began)", began)
        not_future(f"{f}.date", r.date)
        goal_numbers = {g.number for g in case.goals}
        for k, g in enumerate(r.goals):
            if g.number not in goal_numbers:
                out.append(
                    (
                        f"{f}.goals[{k}].number",
                        (
                            f"{g.number} is not one of the case's goals "
                            f"({', '.join(map(str, sorted(goal_numbers))) or 'none agreed'})"
                        ),
                    )
                )
        if i and r.date < case.reviews[i - 1].date:
            out.append(
                (
                    f"{f}.date",
                    (
                        f"{r.date.isoformat()} is before reviews[{i - 1}].date "
                        f"{case.reviews[i - 1].date.isoformat()}; keep reviews in date order"
                    ),
                )
            )
    for i, step in enumerate(case.first_steps):
        not_future(f"first_steps[{i}].done", step.done)
    end = case.ending
    if end is not None:
        not_before("ending.date", end.date, "conclusion.date (work began)", began)
        not_future("ending.date", end.date)
        if end.reason == "other" and not end.reason_other.strip():
            out.append(
                ("ending.reason_other", "missing: an ending for another reason needs it said")
            )
        for i, iv in enumerate(case.interventions):
            if iv.end is None:
                out.append(
                    (
                        f"interventions[{i}].end",
                        (
                            f"missing: intervention {iv.number} is still open at "
                            f"ending.date {end.date.isoformat()}; end it first"
                        ),
                    )
                )
            else:
                not_after(f"interventions[{i}].end", iv.end, "ending.date", end.date)
        for i, r in enumerate(case.reviews):
            not_after(f"reviews[{i}].date", r.date, "ending.date", end.date)
    return out


def work_digest(case: Case) -> dict[str, Any]:
    """What a service summary reads of a case, in the record's own shape (a pruned
    record: ``measures.work_summary.work_tables`` reads it as it reads a whole one).
    The store keeps it beside the record, so a summary of a large caseload parses a
    few hundred bytes per child, not the whole record. No private text (notes, evidence).

    ``presenting_behaviours`` (each one's id, severity, frequency and sources; an empty
    list when none is recorded) are what the summarised caseload review evaluates the
    rules' risk flags on (``rules.light_risks``); a digest written before they were kept
    lacks the key, and that case is then read whole, never taken to have none."""
    ref, out, scr = case.referral, case.conclusion, case.screening
    rec = case.formulation.recommendation if case.formulation is not None else None
    return {
        "case_id": case.case_id,
        "presenting_behaviours": [
            {
                "behaviour": b.behaviour,
                "severity": b.severity,
                "frequency": b.frequency,
                "sources": list(b.sources),
            }
            for b in (scr.presenting_behaviours if scr is not None else ())
        ],
        "referral": {
            "received": ref.received.isoformat(),
            **({"allocation": {"worker": ref.allocation.worker}} if ref.allocation else {}),
        },
        **({"conclusion": {"decision": out.decision, "date": out.date.isoformat()}} if out else {}),
        **({"formulation": {"recommendation": {"wave": rec.wave}}} if rec is not None else {}),
        "interventions": [
            {
                "number": iv.number,
                "kind": iv.kind,
                "what": iv.what,
                "lead_worker": iv.lead_worker,
                "start": iv.start.isoformat(),
                **(
                    {"end": iv.end.isoformat(), "ending_reason": iv.ending_reason} if iv.end else {}
                ),
                "sessions": [
                    {"date": s.date.isoformat(), "attendance": s.attendance} for s in iv.sessions
                ],
            }
            for iv in case.interventions
        ],
        "reviews": [
            {"date": r.date.isoformat(), "stage": r.stage, "wave": r.wave} for r in case.reviews
        ],
    }
