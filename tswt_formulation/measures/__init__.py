"""Outcome measures: definitions (YAML data), vectorised scoring, the statistics of
change, service-level figures and the SSDA903 OC2 SDQ return.

Importing this package reads no file: definitions are loaded on first use and cached.
"""

from .definition import (
    Band,
    ClinicalCutoff,
    MeasureDefinition,
    Reliability,
    list_measures,
    load_definition_file,
    load_measure,
)
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
