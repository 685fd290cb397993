"""What the rules can see of one case on one date (:class:`Facts`), computed once by
:func:`case_facts` and read by every condition; and the date a recommendation is made
as of when none is given (:func:`default_as_of`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..model.case import Case, HistoryFactor, PresentingBehaviour, years_between
from ..model.vocabulary import vocabulary
from .dates import whole_months
from .eligibility import EligibilityDecision


@dataclass(frozen=True)
class Facts:
    """What the rules can see of one case on one date (computed once, then read-only).

    ``behaviour_levels`` maps each presenting behaviour to its (severity rank, frequency
    rank, number of distinct sources), so comparisons are integer comparisons.
    Breakdowns and the placement length count only what had happened by ``as_of``.
    """

    case: Case
    as_of: date
    eligibility: EligibilityDecision
    age: int
    legal_status: str
    behaviours: Mapping[str, PresentingBehaviour]
    behaviour_levels: Mapping[str, tuple[int, int, int]]
    behaviour_sources: Mapping[str, frozenset[str]]
    history: Mapping[str, HistoryFactor]
    moves: int
    breakdowns: tuple[date, ...]
    placement_type: str | None
    placement_months: int | None
    caregiver: str | None  # relationship id; None when there is no caregiver
    caregiver_can_take_part: bool
    living_independently: bool
    life_story: str
    eligibility_facts: Mapping[str, bool]
    bands: Mapping[str, str] = field(default_factory=dict)
    # Recorded risks: kind -> level rank; kinds with no safety plan; kinds past review.
    risk_levels: Mapping[str, int] = field(default_factory=dict)
    risks_without_plan: frozenset[str] = frozenset()
    risks_out_of_date: frozenset[str] = frozenset()
    care_leaver: bool = False
    risk_assessed: bool = True  # the screening is complete (rules.risk: never reassured by absence)


@dataclass(frozen=True)
class LightBehaviour:
    """A presenting behaviour as a case's light data keeps it (the store's work digest,
    :func:`~tswt_formulation.model.work.work_digest`): no evidence text."""

    behaviour: str
    severity: str
    frequency: str
    sources: tuple[str, ...]
    evidence: str = ""


@dataclass(frozen=True)
class BehaviourFacts:
    """The part of :class:`Facts` that a child's presenting behaviours alone give, for the
    conditions that read nothing else (``_Condition.behaviours_alone``): a summarised
    review evaluates its risk rules over these, never a whole case. A condition that
    reads anything more finds no such attribute here and fails loudly."""

    behaviours: Mapping[str, LightBehaviour]
    behaviour_levels: Mapping[str, tuple[int, int, int]]
    behaviour_sources: Mapping[str, frozenset[str]]


def behaviour_levels(
    behaviours: Iterable[Any], vocab: Any = None
) -> dict[str, tuple[int, int, int]]:
    """Each behaviour's (severity rank, frequency rank, number of distinct sources): the
    one computation :class:`Facts` and :class:`BehaviourFacts` share."""
    vocab = vocab or vocabulary()
    sev, freq = vocab["severity"], vocab["frequency"]
    return {
        b.behaviour: (sev.rank(b.severity), freq.rank(b.frequency), len(set(b.sources)))
        for b in behaviours
    }


def behaviour_facts(items: Iterable[Mapping[str, Any]], vocab: Any = None) -> BehaviourFacts:
    """The :class:`BehaviourFacts` of a case from its digest's ``presenting_behaviours``
    (``behaviour``, ``severity``, ``frequency``, ``sources`` of each)."""
    behaviours = {
        i["behaviour"]: LightBehaviour(
            i["behaviour"], i["severity"], i["frequency"], tuple(i["sources"])
        )
        for i in items
    }
    return BehaviourFacts(
        behaviours,
        behaviour_levels(behaviours.values(), vocab),
        {b: frozenset(v.sources) for b, v in behaviours.items()},
    )


def case_facts(
    case: Case,
    as_of: date,
    eligibility: EligibilityDecision,
    bands: Mapping[str, str] | None = None,
) -> Facts:
    """Compute the :class:`Facts` of a case as of a date."""
    vocab = vocabulary()
    screening = case.screening
    behaviours = {b.behaviour: b for b in screening.presenting_behaviours} if screening else {}
    levels = behaviour_levels(behaviours.values(), vocab)
    history = {h.factor: h for h in screening.history_factors} if screening else {}
    child = case.child
    placement = child.placement
    caregiver = child.caregiver
    relationship = (
        caregiver.relationship
        if caregiver is not None and caregiver.relationship != "none"
        else None
    )
    referral = case.referral
    risks = screening.risks if screening else []
    level = vocab["risk_level"].rank
    age = years_between(child.date_of_birth, as_of)
    # From 18 a carer takes part only where the young person wants them involved and the
    # record says so (Caregiver.young_person_wants_involved); not asked counts as no.
    takes_part = bool(
        relationship is not None
        and caregiver is not None
        and caregiver.can_take_part
        and (age < 18 or caregiver.young_person_wants_involved is True)
    )
    return Facts(
        case=case,
        as_of=as_of,
        eligibility=eligibility,
        age=age,
        legal_status=child.legal_status.status,
        behaviours=behaviours,
        behaviour_levels=levels,
        behaviour_sources={b: frozenset(v.sources) for b, v in behaviours.items()},
        history=history,
        moves=placement.moves_last_12_months if placement else 0,
        breakdowns=tuple(
            sorted((b.date for b in placement.breakdowns if b.date <= as_of), reverse=True)
        )
        if placement
        else (),
        placement_type=placement.type if placement else None,
        placement_months=whole_months(placement.start, as_of) if placement else None,
        caregiver=relationship,
        caregiver_can_take_part=takes_part,
        living_independently=child.living_independently
        or (placement is not None and placement.type == "independent_living"),
        life_story=screening.life_story_work if screening else "not_started",
        eligibility_facts={
            "eligible": eligibility.eligible,
            "can_proceed": eligibility.can_proceed,
            "consent_informed": referral.consent is not None and referral.consent.informed,
            "consent_valid": not any(
                r.rule == "proceed.consent_not_valid" for r in eligibility.reasons
            ),
            "approval_recorded": referral.approval is not None,
            "nd_assessment_offerable": eligibility.nd_assessment_offerable,
            "nd_assessment_requested": referral.nd_assessment_requested,
        },
        bands=dict(bands or {}),
        risk_levels={r.kind: level(r.level) for r in risks},
        risks_without_plan=frozenset(r.kind for r in risks if not r.safety_plan),
        risks_out_of_date=frozenset(r.kind for r in risks if r.review_due < as_of),
        # A looked-after child who has turned 18 is a care leaver in law (eligibility flags
        # the record): their worker is their personal adviser.
        care_leaver=child.legal_status.status == "care_leaver"
        or eligibility.legal_status == "care_leaver",
        risk_assessed=screening is not None and screening.completed is not None,
    )


def default_as_of(case: Case) -> date:
    """Screening completed, else started, else the referral's received date."""
    scr = case.screening
    if scr is not None and scr.completed is not None:
        return scr.completed
    if scr is not None and scr.started is not None:
        return scr.started
    return case.referral.received
