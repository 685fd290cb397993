"""Outcome measures: definitions (YAML data), vectorised scoring, the statistics of
change, service-level figures and the SSDA903 OC2 SDQ return.

Importing this package reads no file and imports neither pandas nor numpy: names are
loaded on first use, and definitions are loaded on first use and cached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# public name -> module that defines it
_EXPORTS = {
    "Band": "definition",
    "CATEGORIES": "change",
    "CRITICAL_VALUE": "change",
    "ClinicalCutoff": "definition",
    "MeasureDefinition": "definition",
    "Reliability": "definition",
    "baseline_vs_latest": "service",
    "category_counts": "service",
    "change": "change",
    "classify_change": "change",
    "cutoff_score": "change",
    "each_review_vs_baseline": "service",
    "list_measures": "definition",
    "load_definition_file": "definition",
    "load_measure": "definition",
    "not_on_track": "service",
    "reliable_change_threshold": "change",
    "score": "scoring",
    "score_administrations": "scoring",
    "service_summary": "service",
    "ssda903_from_cases": "ssda903",
    "ssda903_sdq": "ssda903",
    "standard_error_difference": "change",
    "standard_error_measurement": "change",
    "timepoint_rank": "service",
    "trajectory": "service",
    "validate_oc2_sdq": "ssda903",
}

__all__ = [
    "Band",
    "CATEGORIES",
    "CRITICAL_VALUE",
    "ClinicalCutoff",
    "MeasureDefinition",
    "Reliability",
    "baseline_vs_latest",
    "category_counts",
    "change",
    "classify_change",
    "cutoff_score",
    "each_review_vs_baseline",
    "list_measures",
    "load_definition_file",
    "load_measure",
    "not_on_track",
    "reliable_change_threshold",
    "score",
    "score_administrations",
    "service_summary",
    "ssda903_from_cases",
    "ssda903_sdq",
    "standard_error_difference",
    "standard_error_measurement",
    "timepoint_rank",
    "trajectory",
    "validate_oc2_sdq",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from .change import (
        CATEGORIES,
        CRITICAL_VALUE,
        change,
        classify_change,
        cutoff_score,
        reliable_change_threshold,
        standard_error_difference,
        standard_error_measurement,
    )
    from .definition import (
        Band,
        ClinicalCutoff,
        MeasureDefinition,
        Reliability,
        list_measures,
        load_definition_file,
        load_measure,
    )
    from .scoring import score, score_administrations
    from .service import (
        baseline_vs_latest,
        category_counts,
        each_review_vs_baseline,
        not_on_track,
        service_summary,
        timepoint_rank,
        trajectory,
    )
    from .ssda903 import ssda903_from_cases, ssda903_sdq, validate_oc2_sdq
