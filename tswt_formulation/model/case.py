"""The case record of one child: who they are (pseudonymously), the referral, the
six-week screening, measure administrations, the formulation and the conclusion of screening.

No names are ever stored: a child is known by a pseudonymous case id (``TSW-000123``)
and the authority's case-management reference. Dates are checked for order and for
plausibility (:func:`consistency_problems`); every check names the field.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from ..practice import SCREENING_WEEKS
from ._base import DateChecks, LongText, Record, ShortText, Term
from .formulation import AcknowledgedStep, Formulation
from .work import Ending, Intervention, Review, work_problems

Day = date  # a field may be called "date"; annotate with Day so the name does not shadow the type

CASE_ID_PATTERN = (
    r"^TSW-[0-9]{6}$"  # ASCII digits only: \d would take full-width and Arabic-Indic digits
)
MAX_AGE_YEARS = 25  # eligibility: up to 25 for a care leaver (rules.eligibility)
MAX_PLAUSIBLE_AGE_YEARS = 120  # past this a date of birth is a typing error, not a referral
TIMEPOINT_PATTERN = r"^(baseline|review [1-9][0-9]*|closure)$"

CaseId = Annotated[
    str, Field(pattern=CASE_ID_PATTERN, description="Pseudonymous case id, e.g. TSW-000123")
]


def years_between(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (age on a date; 29 Feb birthdays turn on 1 Mar)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 Feb -> 1 Mar in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


# --- the child ---------------------------------------------------------------------------


class LegalStatusPeriod(Record):
    status: Annotated[str, Term("legal_status")]
    start: Day
    end: Day | None = None


class PlacementBreakdown(Record):
    date: Day
    note: ShortText = ""


class Placement(Record):
    type: Annotated[str, Term("placement_type")]
    start: Day
    moves_last_12_months: Annotated[int, Field(ge=0, le=100)] = 0
    breakdowns: list[PlacementBreakdown] = []


class Caregiver(Record):
    relationship: Annotated[str, Term("caregiver")]
    can_take_part: bool
    young_person_wants_involved: bool | None = Field(
        default=None,
        description=(
            "For a young person of 18 or over: whether they want this carer involved in the work, "
            "in their own words (true / false; null: not asked or not recorded). From 18 a carer "
            "takes part only where the young person wants them to and the record says so."
        ),
    )


class Child(Record):
    case_management_ref: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,39}$")]
    date_of_birth: Day
    sex: Annotated[str, Term("sex")]
    legal_status: LegalStatusPeriod
    legal_status_history: list[LegalStatusPeriod] = []
    placement: Placement | None = None
    caregiver: Caregiver | None = None
    living_independently: bool = False
    would_otherwise_be_in_care: bool = Field(
        default=False,
        description="For a child in need placed with kinship carers: would otherwise be in care (docs/domain.md, Eligibility).",
    )

    def age_on(self, on: date) -> int:
        return years_between(self.date_of_birth, on)


# --- the referral ------------------------------------------------------------------------


class Referrer(Record):
    name: ShortText
    role: Annotated[str, Term("referrer_role")]


class Consent(Record):
    given_by: Annotated[str, Term("consent_giver")]
    date: Day
    informed: bool
    gillick_competent: bool = Field(
        default=False,
        description="A child under 16 who gave consent for themself was judged competent to do so (Gillick).",
    )


class ManagerApproval(Record):
    by: ShortText
    date: Day


class Decision(Record):
    outcome: Literal["accepted", "not_accepted", "pending"] = "pending"
    date: Day | None = None
    reasons: LongText = ""
    alternatives: list[Annotated[str, Term("signposting")]] = []


class Allocation(Record):
    date: Day
    worker: Annotated[str, Field(min_length=1, max_length=80)]


class Referral(Record):
    received: Day
    referrer: Referrer
    consent: Consent | None = None
    approval: ManagerApproval | None = None
    reasons: LongText = ""
    nd_assessment_requested: bool = Field(
        default=False, description="An autism or ADHD assessment is wanted."
    )
    decision: Decision = Decision()
    allocation: Allocation | None = None


# --- the screening -----------------------------------------------------------------------


class HistoryFactor(Record):
    factor: Annotated[str, Term("history_factor")]
    evidence: LongText = ""
    sources: Annotated[list[Annotated[str, Term("source")]], Field(min_length=1)]


class PresentingBehaviour(Record):
    behaviour: Annotated[str, Term("presenting_behaviour")]
    evidence: LongText = ""
    sources: Annotated[list[Annotated[str, Term("source")]], Field(min_length=1)]
    frequency: Annotated[str, Term("frequency")]
    severity: Annotated[str, Term("severity")]


class Risk(Record):
    """One risk, as a children's social care safety plan records it: what, on whose
    account, when, how serious, whether a safety plan holds it and when it is reviewed.
    A risk whose review date has passed is out of date (:mod:`tswt_formulation.rules.risk`:
    ``RiskOnDate``). Not a behaviour the rules flag as a risk (``rules.results.RiskBehaviour``)."""

    kind: Annotated[str, Term("risk_kind")]
    evidence: LongText = ""
    reported_by: Annotated[list[Annotated[str, Term("source")]], Field(min_length=1)]
    recorded: Day
    level: Annotated[str, Term("risk_level")]
    safety_plan: bool = False
    safety_plan_holder: ShortText = ""
    review_due: Day


class Screening(Record):
    started: Day | None = None
    completed: Day | None = None
    history_factors: list[HistoryFactor] = []
    presenting_behaviours: list[PresentingBehaviour] = []
    life_story_work: Annotated[str, Term("life_story_work")] = "not_started"
    child_voice: LongText = ""
    carer_views: LongText = ""
    strengths: list[LongText] = []
    risks: list[Risk] = []


# --- measures ----------------------------------------------------------------------------


class MeasureAdministration(Record):
    measure: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    informant: Annotated[str, Term("informant")]
    date: Day
    timepoint: Annotated[str, Field(pattern=TIMEPOINT_PATTERN)]
    responses: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,40}$")],
        Annotated[int, Field(ge=0, le=100)] | None,
    ]


class Goal(Record):
    number: Annotated[int, Field(ge=1, le=3)]
    description: ShortText
    agreed: Day


# --- SSDA903: why no SDQ score was returned for a collection year ----------------------------

#: The reasons a team records (DfE SSDA903 OC2 SDQ_REASON codes, as the Data to Insight validator enforces them). SDQ1 (aged under 4 or
#: over 16 at the latest assessment) is not among them: the export derives it from the age.
SdqReason = Literal["SDQ2", "SDQ3", "SDQ4", "SDQ5"]
SDQ_RECORDED_REASONS: dict[str, str] = {
    "SDQ2": "carer refused",
    "SDQ3": "not possible because of the severity of the child's disability",
    "SDQ4": "other",
    "SDQ5": "child or young person refused",
}


def _recorded_reason(value: object) -> object:
    if not isinstance(value, str) or value in SDQ_RECORDED_REASONS:
        return value  # a non-string is left to the type check
    if value == "SDQ1":
        raise ValueError(
            "'SDQ1' is not recorded: the SSDA903 export derives it from the child's age "
            "(under 4 or over 16 at the latest assessment); record SDQ2, SDQ3, SDQ4 or SDQ5"
        )
    if value.strip().upper() in SDQ_RECORDED_REASONS:
        raise ValueError(
            f"{value!r}: SSDA903 reason codes are case-sensitive; write {value.strip().upper()!r}"
        )
    expected = ", ".join(f"{code} ({label})" for code, label in SDQ_RECORDED_REASONS.items())
    raise ValueError(f"{value!r} is not a reason code; expected one of {expected}")


class SdqNotCompleted(Record):
    """Why no carer SDQ score could be returned for one SSDA903 collection year (OC2
    SDQ_REASON): SDQ2 carer refused; SDQ3 not possible because of the severity of the
    child's disability; SDQ4 other; SDQ5 the child or young person refused."""

    collection_year: Annotated[
        int,
        Field(
            ge=2000,
            le=2100,
            description=(
                "The collection year by the 31 March it ends, as `tswt export ssda903 --year`: "
                "2026 is 1 April 2025 to 31 March 2026."
            ),
        ),
    ]
    reason: Annotated[
        SdqReason,
        BeforeValidator(_recorded_reason),
        Field(
            description=(
                "SDQ2 carer refused; SDQ3 not possible because of the severity of the child's disability; SDQ4 other; "
                "SDQ5 child or young person refused. Case-sensitive. SDQ1 is derived from the age, never recorded."
            )
        ),
    ]
    recorded: Day = Field(
        description="When the team recorded it: on or after the collection year began, not in the future."
    )
    note: LongText = ""


def _sdq_not_completed_problems(case: Case, today: date) -> list[tuple[str, str]]:
    """One reason per collection year, recorded within or after that year and not in the future."""
    out: list[tuple[str, str]] = []
    dob = case.child.date_of_birth
    seen: set[int] = set()
    for i, r in enumerate(case.sdq_not_completed):
        field = f"sdq_not_completed[{i}]"
        year, begins = r.collection_year, date(r.collection_year - 1, 4, 1)
        if year in seen:
            out.append(
                (
                    f"{field}.collection_year",
                    f"{year} is recorded twice; record one reason per collection year",
                )
            )
        seen.add(year)
        if date(year, 3, 31) < dob:
            out.append(
                (
                    f"{field}.collection_year",
                    f"{year} ended before child.date_of_birth {dob.isoformat()}",
                )
            )
        if r.recorded < begins:
            began = f"{year - 1}-{year % 100:02d} began ({begins.isoformat()})"
            out.append(
                (
                    f"{field}.recorded",
                    f"{r.recorded.isoformat()} is before the collection year {began}",
                )
            )
        elif r.recorded < dob:
            out.append(
                (
                    f"{field}.recorded",
                    f"{r.recorded.isoformat()} is before child.date_of_birth {dob.isoformat()}",
                )
            )
        if r.recorded > today:
            out.append(
                (
                    f"{field}.recorded",
                    f"{r.recorded.isoformat()} is in the future (today is {today.isoformat()})",
                )
            )
    return out


# --- conclusion of screening ----------------------------------------------------------------


class FirstStep(Record):
    """A first step of the recommendation (a safety plan, life story work under way) with
    the date it was done: a report says of each whether it was done (DOMAIN.md)."""

    step: LongText = Field(description="The first step, as the recommendation words it.")
    owner: ShortText = Field(default="", description="Who sees it done: a staff login.")
    due: Day | None = Field(default=None, description="When it should be done by.")
    done: Day | None = None


class ScreeningConclusion(Record):
    decision: Literal["close", "begin_work"]
    date: Day
    by: ShortText
    reasons: LongText = ""
    alternatives: list[Annotated[str, Term("signposting")]] = []
    outstanding_steps: list[AcknowledgedStep] = Field(
        default=[],
        description="Risk first steps not recorded as done when work began, each with the "
        "reason given for beginning all the same (rules.workflow.record_conclusion).",
    )


# --- the case ----------------------------------------------------------------------------


class Case(Record):
    """One child's case: the unit that is imported, stored, audited and reported."""

    case_id: CaseId
    synthetic: bool = Field(default=False, description="Synthetic demo data (never a real child).")
    child: Child
    referral: Referral
    screening: Screening | None = None
    measures: list[MeasureAdministration] = []
    goals: list[Goal] = []
    sdq_not_completed: list[SdqNotCompleted] = Field(
        default=[],
        description="Why no carer SDQ score could be returned, per SSDA903 collection year.",
    )
    formulation: Formulation | None = None
    conclusion: ScreeningConclusion | None = Field(
        default=None,
        # "outcome": its key in records and case files written up to 0.1.0 (the word now
        # means the outcome measures alone). Read, never written; both at once are refused
        # (parse._case_words words it).
        validation_alias=AliasChoices("conclusion", "outcome"),
        description="The end of the six-week screening: the referral closed or work begun.",
    )
    first_steps: list[FirstStep] = Field(
        default=[], description="First steps of the recommendation and when each was done."
    )
    interventions: list[Intervention] = Field(
        default=[],
        description="The work delivered after screening: services, models and wave interventions.",
    )
    reviews: list[Review] = Field(default=[], description="Reviews of the work, in date order.")
    ending: Ending | None = Field(default=None, description="The end of the team's involvement.")

    # Store bookkeeping, never part of the exported record.
    _version: int = PrivateAttr(default=0)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Case:
        # A record read back from the store was valid when it was written: the checks
        # added since (``stored`` in consistency_problems) do not lock it away; they apply
        # when it is next written from a file (import, update).
        stored = bool(info.context and info.context.get("stored"))
        problems = consistency_problems(self, stored=stored)
        if problems:
            raise ConsistencyError(problems)
        return self

    @property
    def screening_due(self) -> date | None:
        """Allocation date + 6 weeks (docs/domain.md, "The referral flow": screening within six weeks)."""
        alloc = self.referral.allocation
        return alloc.date + timedelta(weeks=SCREENING_WEEKS) if alloc else None

    @property
    def worker(self) -> str | None:
        return self.referral.allocation.worker if self.referral.allocation else None

    def __repr__(self) -> str:  # one line, not the whole record (``case_to_data`` gives that)
        from .._display import case_repr

        return case_repr(self)

    def _repr_html_(self) -> str:
        """A short table in Jupyter; recorded text escaped."""
        from .._display import case_html

        return case_html(self)


def _overlapping_periods(periods: list[tuple[str, LegalStatusPeriod]]) -> list[tuple[str, str]]:
    """Legal status periods that overlap one another (a child has one status at a time).

    A period that ends on the day the next begins does not overlap it. A past period
    without an end runs to today, so it overlaps everything after its start."""
    out: list[tuple[str, str]] = []
    far = date.max
    ordered = sorted(periods, key=lambda fp: fp[1].start)
    for (f1, p1), (f2, p2) in pairwise(ordered):
        end1 = p1.end or far
        if p2.start < end1:
            ends = f"ends {p1.end.isoformat()}" if p1.end else "has no end date"
            out.append(
                (
                    f"{f2}.start",
                    f"{p2.start.isoformat()} overlaps {f1} ({p1.status} from {p1.start.isoformat()}, which {ends})",
                )
            )
    return out


class ConsistencyError(ValueError):
    """Raised inside validation with every cross-field problem found (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def _recorded_twice(field: str, key: str, values: list[str]) -> list[tuple[str, str]]:
    """(field, message) for each value of a screening list given again after its first."""
    out, seen = [], set()
    for i, value in enumerate(values):
        if value in seen:
            out.append(
                (
                    f"{field}[{i}].{key}",
                    f"{value} is recorded twice; record it once with all its sources",
                )
            )
        seen.add(value)
    return out


def consistency_problems(
    case: Case, today: date | None = None, stored: bool = False
) -> list[tuple[str, str]]:
    """Every cross-field problem of a case as (field, message): dates in order and not in
    the future, no birth after the referral, legal statuses that do not overlap, placement
    breakdowns before the current placement, risks with a holder for each safety plan,
    decisions that fit the referral's state."""
    today = today or date.today()
    out: list[tuple[str, str]] = []
    child, ref = case.child, case.referral
    dob = child.date_of_birth

    checks = DateChecks(out, today)
    not_future, not_before = checks.not_future, checks.not_before

    # Only what is impossible is refused: a referral of someone past the team's age range
    # is a real event that eligibility decides (not eligible, with reasons and signposting).
    not_future("child.date_of_birth", dob)
    if years_between(dob, ref.received) > MAX_PLAUSIBLE_AGE_YEARS:
        out.append(
            (
                "child.date_of_birth",
                f"{dob.isoformat()} makes the person {years_between(dob, ref.received)} at referral; check the year",
            )
        )
    periods = [("child.legal_status", child.legal_status)] + [
        (f"child.legal_status_history[{i}]", p) for i, p in enumerate(child.legal_status_history)
    ]
    for field, period in periods:
        not_before(f"{field}.start", period.start, "child.date_of_birth", dob)
        not_future(f"{field}.start", period.start)
        not_before(f"{field}.end", period.end, f"{field}.start", period.start)
        not_future(f"{field}.end", period.end)
    if child.legal_status.end is not None:
        out.append(
            (
                "child.legal_status.end",
                "the current legal status cannot have ended; move it to legal_status_history",
            )
        )
    if not stored:
        out += _overlapping_periods(periods)
    if child.placement:
        not_before("child.placement.start", child.placement.start, "child.date_of_birth", dob)
        not_future("child.placement.start", child.placement.start)
        for i, b in enumerate(child.placement.breakdowns):
            field = f"child.placement.breakdowns[{i}].date"
            not_before(field, b.date, "child.date_of_birth", dob)
            not_future(field, b.date)
            # A breakdown ended an earlier placement, so it cannot come after this one began.
            if not stored and b.date > child.placement.start:
                out.append(
                    (
                        field,
                        f"{b.date.isoformat()} is after child.placement.start {child.placement.start.isoformat()}: "
                        "a breakdown ends an earlier placement",
                    )
                )

    not_before("referral.received", ref.received, "child.date_of_birth", dob)
    not_future("referral.received", ref.received)
    if ref.consent:
        not_future("referral.consent.date", ref.consent.date)
    if ref.approval:
        not_future("referral.approval.date", ref.approval.date)
    dec = ref.decision
    if dec.outcome == "pending":
        if dec.date is not None:
            out.append(
                (
                    "referral.decision.date",
                    "a pending decision has no date; set outcome to accepted or not_accepted",
                )
            )
    else:
        if dec.date is None:
            out.append(
                ("referral.decision.date", f"missing: a decision of {dec.outcome} needs its date")
            )
        not_before("referral.decision.date", dec.date, "referral.received", ref.received)
        not_future("referral.decision.date", dec.date)
        # docs/domain.md, "The referral flow": no consent or no approval, the referral cannot proceed. It may still
        # be recorded as not accepted (that can be the reason), but never as accepted.
        for name, part in (("consent", ref.consent), ("approval", ref.approval)):
            what = "informed consent" if name == "consent" else "team-manager approval"
            if part is None and dec.outcome == "accepted":
                out.append(
                    (f"referral.{name}", f"missing: a referral cannot be accepted without {what}")
                )
            elif part is not None and dec.date is not None and part.date > dec.date:
                out.append(
                    (
                        f"referral.{name}.date",
                        f"{part.date.isoformat()} is after referral.decision.date {dec.date.isoformat()}",
                    )
                )
        if dec.outcome == "accepted" and ref.consent is not None and not ref.consent.informed:
            out.append(
                (
                    "referral.consent.informed",
                    "is false: a referral cannot be accepted without informed consent",
                )
            )
    if dec.outcome == "not_accepted" and not dec.reasons.strip():
        out.append(
            (
                "referral.decision.reasons",
                "missing: a referral not accepted needs the reasons explained",
            )
        )
    if ref.allocation:
        if dec.outcome != "accepted":
            out.append(
                (
                    "referral.allocation",
                    f"a referral whose decision is {dec.outcome} cannot be allocated",
                )
            )
        not_before(
            "referral.allocation.date", ref.allocation.date, "referral.decision.date", dec.date
        )
        not_future("referral.allocation.date", ref.allocation.date)

    scr = case.screening
    if scr is not None:
        if scr.started is not None and ref.allocation is None:
            out.append(
                ("screening.started", "a screening cannot start before the referral is allocated")
            )
        not_before(
            "screening.started",
            scr.started,
            "referral.allocation.date",
            ref.allocation.date if ref.allocation else None,
        )
        not_future("screening.started", scr.started)
        if scr.completed is not None and scr.started is None:
            out.append(
                ("screening.completed", "a screening cannot be completed without a start date")
            )
        not_before("screening.completed", scr.completed, "screening.started", scr.started)
        not_future("screening.completed", scr.completed)
        out += _recorded_twice(
            "screening.presenting_behaviours",
            "behaviour",
            [pb.behaviour for pb in scr.presenting_behaviours],
        )
        out += _recorded_twice(
            "screening.history_factors", "factor", [h.factor for h in scr.history_factors]
        )
        seen: set[str] = set()
        for i, r in enumerate(scr.risks):
            field = f"screening.risks[{i}]"
            if r.kind in seen:
                out.append(
                    (
                        f"{field}.kind",
                        f"{r.kind} is recorded twice; record it once, with its latest level and review date",
                    )
                )
            seen.add(r.kind)
            not_before(f"{field}.recorded", r.recorded, "child.date_of_birth", dob)
            not_future(f"{field}.recorded", r.recorded)
            not_before(f"{field}.review_due", r.review_due, f"{field}.recorded", r.recorded)
            if r.safety_plan and not r.safety_plan_holder.strip():
                out.append(
                    (
                        f"{field}.safety_plan_holder",
                        "missing: say who holds the safety plan (a role, e.g. the child's social worker)",
                    )
                )
            if not r.safety_plan and r.safety_plan_holder.strip():
                out.append(
                    (
                        f"{field}.safety_plan",
                        "is false, but safety_plan_holder is given; set safety_plan to true or clear the holder",
                    )
                )

    for i, m in enumerate(case.measures):
        not_before(f"measures[{i}].date", m.date, "child.date_of_birth", dob)
        not_future(f"measures[{i}].date", m.date)
    numbers = [g.number for g in case.goals]
    if len(numbers) != len(set(numbers)):
        out.append(("goals", "goal numbers must be unique (1-3)"))

    if case.conclusion is not None:
        if scr is None or scr.started is None:
            out.append(
                ("conclusion", "the conclusion of screening needs a screening that has started")
            )
        else:
            not_before("conclusion.date", case.conclusion.date, "screening.started", scr.started)
        not_future("conclusion.date", case.conclusion.date)
        if case.conclusion.decision == "close" and not case.conclusion.reasons.strip():
            out.append(("conclusion.reasons", "missing: closing a referral needs its reasons"))
    out += _sdq_not_completed_problems(case, today)
    out += work_problems(case, today)
    if not stored:  # like the checks above added later: a record already stored still loads
        out += future_timestamps(case)
    return out


CLOCK_SKEW = timedelta(minutes=5)


def future_timestamps(case: Case) -> list[tuple[str, str]]:
    """The formulation's times (drafted, updated, decided, signed off, recommended) that
    are later than now (beyond a few minutes of clock difference between machines)."""
    from datetime import datetime

    f = case.formulation
    if f is None:
        return []
    now = datetime.now(UTC)
    stamps = [("formulation.created", f.created), ("formulation.updated", f.updated)]
    if f.recommendation is not None:
        stamps.append(("formulation.recommendation.made", f.recommendation.made))
    if f.decision is not None:
        stamps.append(("formulation.decision.at", f.decision.at))
    stamps += [(f"formulation.signoffs[{i}].at", s.at) for i, s in enumerate(f.signoffs)]
    out = []
    for field, at in stamps:
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)
        if aware > now + CLOCK_SKEW:
            out.append(
                (field, f"{aware.isoformat()} is in the future (now is {now:%Y-%m-%dT%H:%M}Z)")
            )
    return out


def require_case(value: object, where: str) -> Case:
    """``value`` if it is a :class:`Case`; otherwise a one-line error saying what to pass
    (an id string is the usual slip: the case must be read from the store first)."""
    if isinstance(value, Case):
        return value
    from ..errors import TswtError

    if isinstance(value, str):
        raise TswtError(
            f"{where}: pass a case, not the string {value[:40]!r}; read it from the store first: "
            f"store.get({value[:40]!r}) (store = tswt_formulation.open_store(path, user=...))"
        )
    raise TswtError(
        f"{where}: pass a case (tswt_formulation.Case, from store.get(case_id)), not {type(value).__name__}"
    )
