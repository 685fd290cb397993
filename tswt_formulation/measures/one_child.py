"""One child's scores and bands in plain Python: no pandas, no numpy.

The everyday commands that need a single child's baseline bands (``tswt recommend
CASE``) would otherwise spend most of their time importing pandas. The vectorised
:func:`~tswt_formulation.measures.scoring.score` stays the reference implementation;
``tests/measures/test_one_child.py`` checks that the two agree on whole caseloads and on the
published reference vectors.

Each kind of score applies its own rules (:mod:`.score_kinds`, ``one``).
"""

from __future__ import annotations

from ..model.case import Case, MeasureAdministration
from .definition import MeasureDefinition, load_measure
from .score_kinds import Answers


def score_one(defn: MeasureDefinition, admin: MeasureAdministration) -> dict[str, int | None]:
    """Every score of one administration (None where the rules leave it missing).

    ``admin.responses`` are keyed by item id or by one of the definition's column aliases,
    as :func:`~tswt_formulation.measures.scoring.score_administrations` accepts them; a
    stored administration has been checked against the definition, so its codes are valid.
    """
    lookup = defn.column_lookup
    answers: dict[str, int] = {}
    for key, value in admin.responses.items():
        if value is not None:
            answers[lookup.get(key.lower(), key)] = value
    out: dict[str, int | None] = {}
    given = Answers(defn, answers, admin.informant)
    for s in defn.score_definitions:
        out[s.id] = s.one(given, out)
    return out


def band_of(
    defn: MeasureDefinition,
    version: str,
    score_id: str,
    value: int | None,
    system: str = "three_band",
) -> str | None:
    """The band of a score on the form it was given on; None where the form has none."""
    if value is None:
        return None
    table = defn.version_by_id(version).bands.get(system, {}).get(score_id)  # type: ignore[call-overload]
    if not table:
        return None
    lo, hi = defn.score_range(score_id)
    value = min(max(value, lo), hi)
    return next((cat for cat, (a, b) in table.items() if a <= value <= b), None)


def case_baseline_bands(case: Case) -> dict[str, str]:
    """One case's baseline bands keyed ``measure.score.informant``, as
    :func:`~tswt_formulation.measures.outcomes.baseline_bands` gives them: the latest
    baseline administration per measure and informant, three-band categories where the
    form has them."""
    latest: dict[tuple[str, str], MeasureAdministration] = {}
    for m in sorted((m for m in case.measures if m.timepoint == "baseline"), key=lambda m: m.date):
        latest[(m.measure, m.informant)] = m
    out: dict[str, str] = {}
    for (measure, informant), admin in latest.items():
        defn = load_measure(measure)
        for score_id, value in score_one(defn, admin).items():
            band = band_of(defn, admin.version, score_id, value)
            if band is not None:
                out[f"{measure}.{score_id}.{informant}"] = band
    return out
