"""One child's scores and bands in plain Python: no pandas, no numpy.

The everyday commands that need a single child's baseline bands (``tswt recommend
CASE``) would otherwise spend most of their time importing pandas. The vectorised
:func:`~tswt_formulation.measures.scoring.score` stays the reference implementation;
``tests/measures/test_quick.py`` checks that the two agree on whole caseloads and on the
published reference vectors.

The rules are those of the measure's definition (for the SDQ, youthinmind's scoring
guide and syntax): a prorated subscale is round_half_up(mean of answered items after
reversal x scale) when enough items are answered, computed in exact integers; a total is
missing when a component is; the impact score is 0 when the overall question is "no",
missing when every impact item is missing, otherwise missing items count 0.
"""

from __future__ import annotations

from ..model.case import Case, MeasureAdministration
from .definition import (
    ImpactScore,
    ItemScore,
    MeanProratedScore,
    MeasureDefinition,
    SumOfSubscalesScore,
    load_measure,
)


def _points(defn: MeasureDefinition, code: int, item: str, reverse: bool) -> int:
    coding = defn.coding(item)
    if coding.scored_as:
        return coding.scored_as[code]
    if reverse:
        return min(coding.values) + max(coding.values) - code
    return code


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
    for s in defn.score_definitions:
        if isinstance(s, MeanProratedScore):
            given = [
                (_points(defn, answers[i], i, defn.item_by_id[i].reverse))
                for i in s.items
                if i in answers
            ]
            k = s.scale_to or len(s.items)
            n = len(given)
            # round_half_up(sum / n * k) in exact integers: floor((2 k sum + n) / 2n)
            out[s.id] = (2 * k * sum(given) + n) // (2 * n) if n >= s.min_answered else None
        elif isinstance(s, SumOfSubscalesScore):
            parts = [out.get(c) for c in s.components]
            out[s.id] = (
                None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
            )
        elif isinstance(s, ImpactScore):
            overall = answers.get(s.overall_item)
            items = s.items.get(admin.informant)  # type: ignore[call-overload]
            if overall is not None and overall in s.overall_no_values:
                out[s.id] = 0
            elif items is None:
                out[s.id] = None
            else:
                given = [_points(defn, answers[i], i, False) for i in items if i in answers]
                out[s.id] = sum(given) if given else None
        elif isinstance(s, ItemScore):
            code = answers.get(s.item)
            out[s.id] = (
                None
                if code is None
                else _points(defn, code, s.item, defn.item_by_id[s.item].reverse)
            )
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
