"""The case record (pydantic v2, strict). No I/O beyond reading the package vocabulary."""

from .case import (
    CASE_ID_PATTERN,
    Allocation,
    Caregiver,
    Case,
    Child,
    Consent,
    ConsistencyError,
    Decision,
    FirstStep,
    Goal,
    HistoryFactor,
    LegalStatusPeriod,
    ManagerApproval,
    MeasureAdministration,
    Placement,
    PlacementBreakdown,
    PresentingBehaviour,
    Referral,
    Referrer,
    RiskItem,
    Screening,
    ScreeningOutcome,
    SdqNotCompleted,
    add_years,
    consistency_problems,
    years_between,
)
from .formulation import (
    FIVE_PS,
    FiredRule,
    FiveP,
    Formulation,
    FormulationEntry,
    Override,
    RecommendationSnapshot,
    SignOff,
    WorkerDecision,
)
from .parse import case_from_data, case_to_data, parse_cases, validation_problems
from .vocabulary import Vocabularies, Vocabulary, load_vocabulary, vocabulary
from .work import Ending, GoalRating, Intervention, Review, Session

__all__ = [
    "CASE_ID_PATTERN", "FIVE_PS", "Allocation", "Caregiver", "Case", "Child", "Consent",
    "ConsistencyError", "Decision", "Ending", "FirstStep", "FiredRule", "FiveP", "Formulation", "FormulationEntry",
    "Goal", "GoalRating", "HistoryFactor", "Intervention", "LegalStatusPeriod", "ManagerApproval", "MeasureAdministration",
    "Override", "Placement", "PlacementBreakdown", "PresentingBehaviour",
    "RecommendationSnapshot", "Referral", "Referrer", "Review", "RiskItem", "Screening", "ScreeningOutcome",
    "SdqNotCompleted", "Session", "SignOff", "Vocabularies", "Vocabulary", "WorkerDecision", "add_years", "case_from_data",
    "case_to_data", "consistency_problems", "load_vocabulary", "parse_cases",
    "validation_problems", "vocabulary", "years_between",
]
