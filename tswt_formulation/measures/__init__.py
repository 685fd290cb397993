"""Outcome measures: definitions (YAML data) and vectorised scoring.

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
from .scoring import score, score_administrations

__all__ = [
    "Band",
    "ClinicalCutoff",
    "MeasureDefinition",
    "Reliability",
    "list_measures",
    "load_definition_file",
    "load_measure",
    "score",
    "score_administrations",
]
