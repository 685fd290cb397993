"""Pure rules over case records: eligibility, the screening timeline, recommendations,
the draft formulation and its workflow.

Names are loaded on first use, so a command that needs only the timeline does not import
the recommendation rules (and nothing here imports pandas until it is used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# public name -> module that defines it
_EXPORTS = {
    "STATES": "timeline",
    "CaseTimeline": "timeline",
    "case_timeline": "timeline",
    "caseload_frame": "timeline",
    "caseload_row": "timeline",
    "timeline": "timeline",
    "draft_formulation": "draft",
    "EligibilityDecision": "eligibility",
    "Reason": "eligibility",
    "check_eligibility": "eligibility",
    "NoRecommendation": "recommend",
    "Recommendation": "recommend",
    "default_as_of": "recommend",
    "recommend": "recommend",
    "RuleSet": "rulefile",
    "check_rules_file": "rulefile",
    "default_rules": "rulefile",
    "describe_rules": "rulefile",
    "load_rules": "rulefile",
    "rules_in_use": "rulefile",
    "RecommendationSummary": "summary",
    "summarise": "summary",
    "summary_text": "summary",
    "edit_formulation": "workflow",
    "effective_recommendation": "workflow",
    "record_decision": "workflow",
    "record_conclusion": "workflow",
    "sign_off": "workflow",
    "submit": "workflow",
}

__all__ = [
    "CaseTimeline",
    "EligibilityDecision",
    "NoRecommendation",
    "Reason",
    "Recommendation",
    "RecommendationSummary",
    "RuleSet",
    "STATES",
    "case_timeline",
    "caseload_frame",
    "caseload_row",
    "check_eligibility",
    "check_rules_file",
    "default_as_of",
    "default_rules",
    "describe_rules",
    "draft_formulation",
    "edit_formulation",
    "effective_recommendation",
    "load_rules",
    "recommend",
    "record_conclusion",
    "record_decision",
    "rules_in_use",
    "sign_off",
    "submit",
    "summarise",
    "summary_text",
    "timeline",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from .draft import draft_formulation
    from .eligibility import EligibilityDecision, Reason, check_eligibility
    from .recommend import NoRecommendation, Recommendation, default_as_of, recommend
    from .rulefile import (
        RuleSet,
        check_rules_file,
        default_rules,
        describe_rules,
        load_rules,
        rules_in_use,
    )
    from .summary import RecommendationSummary, summarise, summary_text
    from .timeline import (
        STATES,
        CaseTimeline,
        case_timeline,
        caseload_frame,
        caseload_row,
        timeline,
    )
    from .workflow import (
        edit_formulation,
        effective_recommendation,
        record_conclusion,
        record_decision,
        sign_off,
        submit,
    )
