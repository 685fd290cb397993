"""Pure rules over case records: eligibility, the screening timeline, recommendations,
the draft formulation and its workflow."""

from .draft import draft_formulation
from .eligibility import EligibilityDecision, Reason, check_eligibility
from .recommend import NoRecommendation, Recommendation, default_as_of, recommend
from .rulefile import RuleSet, check_rules_file, default_rules, describe_rules, load_rules, rules_in_use
from .summary import RecommendationSummary, summarise, summary_text
from .timeline import STATES, CaseTimeline, case_timeline, caseload_frame, caseload_row, timeline
from .workflow import edit_formulation, effective_recommendation, record_decision, record_outcome, sign_off, submit

__all__ = [
    "STATES", "CaseTimeline", "EligibilityDecision", "NoRecommendation", "Reason", "Recommendation", "RecommendationSummary", "RuleSet",
    "case_timeline", "caseload_frame", "caseload_row", "check_eligibility", "check_rules_file", "default_as_of",
    "default_rules", "describe_rules", "draft_formulation", "edit_formulation", "effective_recommendation",
    "load_rules", "recommend", "rules_in_use", "record_decision", "record_outcome", "sign_off", "submit", "summarise",
    "summary_text", "timeline",
]
