"""Pure rules over case records: eligibility, the screening timeline, recommendations."""

from .eligibility import EligibilityDecision, Reason, check_eligibility
from .timeline import STATES, CaseTimeline, case_timeline, caseload_frame, caseload_row, timeline

__all__ = [
    "STATES", "CaseTimeline", "EligibilityDecision", "Reason", "case_timeline", "caseload_frame",
    "caseload_row", "check_eligibility", "timeline",
]
