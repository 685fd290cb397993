"""The case record of one child: who they are (pseudonymously), the referral, the
six-week screening, measure administrations, the formulation and the conclusion of screening.

No names are ever stored: a child is known by a pseudonymous case id (``TSW-000123``)
and the authority's case-management reference. Dates are checked for order and for
plausibility (:func:`~tswt_formulation.model.checks.consistency_problems`, in model/checks.py);
every check names the field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from ..practice import SCREENING_WEEKS
from ._base import LongText, Record, ShortText, Term
from .formulation import AcknowledgedStep, Formulation
from .work import Ending, Intervention, Review

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
        from .checks import ConsistencyError, consistency_problems  # checks imports this module

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


# The cross-field checks live in model/checks.py (issue 25: one job a module); their
# names stay importable from here, loaded on first use (checks imports this module).
_IN_CHECKS = ("CLOCK_SKEW", "ConsistencyError", "consistency_problems", "future_timestamps")


def __getattr__(name: str) -> Any:
    if name in _IN_CHECKS:
        from . import checks

        return getattr(checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
