"""Risk as the screening records it, read on a date.

Risk is never reassured by absence: a case whose screening is not complete has its risk
*not yet assessed*, whatever else is recorded, and says what would assess it. Each
recorded risk keeps its kind, evidence, who reported it, when it was recorded, its
level, the safety plan and who holds it, and its review date; a risk whose review date
has passed on the as-of date is *out of date*, and every output says so.

Pure: no clock (the caller gives the as-of date), no I/O beyond the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..model.case import Case, Risk
from ..model.vocabulary import vocabulary
from ..words import join_words, plural, uk_date
from ..words import lower_first as _lower

NOT_ASSESSED = "Risk not yet assessed"
HOW_TO_ASSESS = (
    "The six-week therapeutic needs screening assesses it: record each risk (self-harm, suicidal "
    "ideation or attempt, harmful sexual behaviour, severe aggression, exploitation, going missing, "
    "substance misuse, risk from others) with its evidence, who reported it, its level, the safety "
    "plan and who holds it, and a review date."
)


@dataclass(frozen=True)
class RiskOnDate:
    """One recorded risk (:class:`~tswt_formulation.model.case.Risk`) as it stands on the
    as-of date: its record, and whether its review is out of date then."""

    kind: str
    label: str
    level: str
    evidence: str
    reported_by: tuple[str, ...]
    recorded: date
    at_screening: bool
    safety_plan: bool
    safety_plan_holder: str
    review_due: date
    out_of_date: bool
    rules: tuple[str, ...] = ()
    #: A first step recorded done that made a safety plan for this risk: when, and what
    #: it said, so a risk recorded with no plan never sits beside "done" unexplained.
    plan_step_done: date | None = None

    @property
    def dated(self) -> str:
        """``recorded 2026-03-05 at screening; review due 2026-06-05`` (or OUT OF DATE)."""
        where = " at screening" if self.at_screening else ""
        review = (
            f"OUT OF DATE: review was due {uk_date(self.review_due)}"
            if self.out_of_date
            else f"review due {uk_date(self.review_due)}"
        )
        return f"recorded {uk_date(self.recorded)}{where}; {review}"

    @property
    def plan(self) -> str:
        """``safety plan held by ...`` or ``no safety plan in place``; when a first step
        recorded a safety plan done for a risk recorded with none, which came later
        (issue 21, third read: "done 12 Nov 2026" beside "No safety plan in place")."""
        if self.safety_plan:
            return f"safety plan held by {self.safety_plan_holder.strip()}"
        done = self.plan_step_done
        if done is None:
            return "no safety plan in place"
        if done > self.recorded:
            return (
                f"no safety plan in place as recorded {uk_date(self.recorded)}; a safety plan was "
                f"recorded done as a first step on {uk_date(done)}, after that: update the risk record "
                "(who holds the plan, and its review)"
            )
        return (
            f"no safety plan in place as recorded {uk_date(self.recorded)}, after the safety-plan "
            f"first step recorded done on {uk_date(done)}: the risk record is the newer"
        )

    @property
    def text(self) -> str:
        voc = vocabulary()
        by = join_words([_lower(voc.label("source", s)) for s in self.reported_by])
        out = f"{self.label} ({self.level}), reported by {by}; {self.plan}; {self.dated}"
        return out + (f". Evidence: {self.evidence.strip()}" if self.evidence.strip() else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "level": self.level,
            "evidence": self.evidence,
            "reported_by": list(self.reported_by),
            "recorded": self.recorded.isoformat(),
            "at_screening": self.at_screening,
            "safety_plan": self.safety_plan,
            "safety_plan_holder": self.safety_plan_holder,
            "review_due": self.review_due.isoformat(),
            "out_of_date": self.out_of_date,
            "rules": list(self.rules),
            "text": self.text,
        }


@dataclass(frozen=True)
class RiskStatus:
    """A case's risk on the as-of date: whether risk has been assessed, and every recorded
    risk as it then stands (:class:`RiskOnDate`), most serious first."""

    case_id: str
    as_of: date
    assessed: bool
    screening_started: bool
    risks: tuple[RiskOnDate, ...]
    not_accepted: bool = False  # the referral was not accepted, so the team will not screen
    care_leaver: bool = False

    @property
    def out_of_date(self) -> tuple[RiskOnDate, ...]:
        return tuple(r for r in self.risks if r.out_of_date)

    @property
    def highest_level(self) -> str | None:
        return self.risks[0].level if self.risks else None

    @property
    def summary(self) -> str:
        """One line for any output: never "no risk" for an unscreened case."""
        if not self.assessed:
            found = f"; {plural(len(self.risks), 'risk')} recorded so far" if self.risks else ""
            if self.not_accepted:
                worker = "personal adviser" if self.care_leaver else "social worker"
                return (
                    f"{NOT_ASSESSED}: the referral was not accepted, so the team has not screened{found}. "
                    f"Risk stays with the {worker}, who holds the case."
                )
            where = (
                "the screening has started but is not complete"
                if self.screening_started
                else "no screening has been completed"
            )
            return f"{NOT_ASSESSED}: {where}{found}. {HOW_TO_ASSESS}"
        if not self.risks:
            return "No risk was recorded at the completed screening."
        stale = f"; {len(self.out_of_date)} out of date" if self.out_of_date else ""
        return f"{plural(len(self.risks), 'risk')} recorded, highest {self.highest_level}{stale}."

    def as_dict(self) -> dict[str, Any]:
        return {
            "assessed": self.assessed,
            "summary": self.summary,
            "as_of": self.as_of.isoformat(),
            "risks": [r.as_dict() for r in self.risks],
        }


def recorded_risk(
    item: Risk,
    as_of: date,
    screening_started: date | None,
    rules: tuple[str, ...] = (),
    plan_step_done: date | None = None,
) -> RiskOnDate:
    return RiskOnDate(
        kind=item.kind,
        label=vocabulary().label("risk_kind", item.kind),
        level=item.level,
        evidence=item.evidence,
        reported_by=tuple(dict.fromkeys(item.reported_by)),
        recorded=item.recorded,
        at_screening=screening_started is not None and item.recorded >= screening_started,
        safety_plan=item.safety_plan,
        safety_plan_holder=item.safety_plan_holder,
        review_due=item.review_due,
        out_of_date=item.review_due < as_of,
        rules=rules,
        plan_step_done=None if item.safety_plan else plan_step_done,
    )


def safety_plan_step_done(case: Case, item: Risk, as_of: date) -> date | None:
    """The latest date by ``as_of`` a first step that makes a safety plan for this risk
    ("A safety plan for severe aggression / risk to others ...", "Safety planning with the
    network for the harmful sexual behaviour ...") was recorded done, or None."""
    label = vocabulary().label("risk_kind", item.kind).casefold()
    short = label.split(" / ")[0]
    days = [
        s.done
        for s in case.first_steps
        if s.done is not None
        and s.done <= as_of
        and "safety plan" in (words := " ".join(s.step.casefold().split()))
        and (label in words or short in words)
    ]
    return max(days, default=None)


def risk_status(
    case: Case, as_of: date, rules_by_kind: dict[str, list[str]] | None = None
) -> RiskStatus:
    """The risk of a case on a date.

    Parameters
    ----------
    case : Case
    as_of : date
        The date review dates are judged on (a report's date; today for a live view).
    rules_by_kind : dict, optional
        The recommendation rules that flagged each risk kind, shown beside it.

    Notes
    -----
    Assessed means the screening is complete. Risks are ordered by level (high first),
    out-of-date before current at the same level, then as recorded.
    """
    scr = case.screening
    started = scr.started if scr is not None else None
    items = list(scr.risks) if scr is not None else []
    rank = vocabulary()["risk_level"].rank
    ordered = sorted(
        enumerate(items), key=lambda t: (-rank(t[1].level), not t[1].review_due < as_of, t[0])
    )
    risks = tuple(
        recorded_risk(
            r,
            as_of,
            started,
            tuple((rules_by_kind or {}).get(r.kind, ())),
            safety_plan_step_done(case, r, as_of) if case.first_steps else None,
        )
        for _, r in ordered
    )
    return RiskStatus(
        case_id=case.case_id,
        as_of=as_of,
        assessed=scr is not None and scr.completed is not None,
        screening_started=started is not None,
        risks=risks,
        not_accepted=case.referral.decision.outcome == "not_accepted",
        care_leaver=case.child.legal_status.status == "care_leaver",
    )
