"""The arithmetic of vectorised scoring (:mod:`.scoring`): each item's points from its
integer codes in the smallest integer type that holds them (:class:`_Points`), every score
of a definition over whole columns (each kind computes its own: ``columns`` in
:mod:`.score_kinds`), and a score's bands as a categorical column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .definition import MeasureDefinition
from .score_kinds import ColumnSet


def is_number(obj: np.ndarray) -> np.ndarray:
    """Which cells of an object array are numbers (numpy's and Python's, nullable integers
    included); booleans and text such as "20" are not."""
    return np.fromiter(
        (
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            for v in obj
        ),
        bool,
        len(obj),
    )


def _int_type(lo: int, hi: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding lo..hi (int8 for the SDQ's codes)."""
    for kind in (np.int8, np.int16, np.int32):
        if np.iinfo(kind).min <= lo and hi <= np.iinfo(kind).max:
            return kind
    return np.int64


class _Points:
    """Each item's points (0 where missing) from its integer codes, in the smallest
    integer type that holds them; sums use a type that holds the sum."""

    def __init__(
        self, defn: MeasureDefinition, cols: dict[str, tuple[np.ndarray, np.ndarray]], n: int
    ) -> None:
        self.defn, self.cols, self.n = defn, cols, n
        self._cache: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray, int]] = {}

    def item(self, item: str, reverse: bool) -> tuple[np.ndarray, np.ndarray, int]:
        """(answered, points, largest |points|) for an item, reversed if asked."""
        key = (item, reverse)
        if key not in self._cache:
            coding = self.defn.coding(item)
            lo, hi = min(coding.values), max(coding.values)
            if item not in self.cols:
                self._cache[key] = (
                    np.zeros(self.n, dtype=bool),
                    np.zeros(self.n, dtype=np.int8),
                    0,
                )
                return self._cache[key]
            answered, code = self.cols[item]
            if coding.scored_as:
                lut = np.zeros(hi - lo + 1, dtype=np.int64)
                for c, p in coding.scored_as.items():
                    lut[c - lo] = p
                top = int(np.abs(lut).max())
                index = code.astype(np.intp) - lo
                index[~answered] = 0  # a missing answer's code 0 may not be a code at all
                points = lut.astype(_int_type(-top, top))[index]
            elif reverse:
                top = max(abs(lo), abs(hi), abs(lo + hi))
                points = ((lo + hi) - code).astype(_int_type(-top, top), copy=False)
            else:
                top, points = max(abs(lo), abs(hi)), code
            if coding.scored_as or reverse:
                points[~answered] = 0
            self._cache[key] = (answered, points, top)
        return self._cache[key]

    def total(
        self, items: Sequence[str], reverse: Mapping[str, bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(sum of points, number answered) over items."""
        parts = [self.item(i, reverse.get(i, False)) for i in items]
        bound = sum(t for _, _, t in parts)
        total = np.zeros(self.n, dtype=_int_type(-bound, bound))
        answered = np.zeros(self.n, dtype=_int_type(0, len(items)))
        for ans, pts, _top in parts:
            total += pts
            answered += ans
        return total, answered


def _compute(
    defn: MeasureDefinition,
    cols: dict[str, tuple[np.ndarray, np.ndarray]],
    inf: np.ndarray,
    n: int,
    uniform: bool,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """score id -> (int64 values, ok mask)."""
    given = ColumnSet(defn, _Points(defn, cols, n), cols, inf, n, uniform)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for s in defn.score_definitions:
        out[s.id] = s.columns(given, out)
    return out


def _band_column(
    defn: MeasureDefinition,
    score_id: str,
    system: str,
    value: np.ndarray,
    ok: np.ndarray,
    ver: np.ndarray,
) -> pd.Categorical | None:
    tables = [(j, v.bands.get(system, {}).get(score_id)) for j, v in enumerate(defn.versions)]  # type: ignore[call-overload]
    tables = [(j, t) for j, t in tables if t]
    if not tables:
        return None
    cats: list[str] = []
    for _, t in tables:
        cats.extend(c for c in t if c not in cats)
    codes = np.full(len(value), -1, dtype=np.int8)
    lo, hi = defn.score_range(score_id)
    clipped = np.clip(value, lo, hi) - lo
    only = int(ver[0]) if len(ver) and (ver == ver[0]).all() else None
    for j, t in tables:
        lut = np.full(hi - lo + 1, -1, dtype=np.int8)
        for cat, (a, b) in t.items():
            lut[a - lo : b - lo + 1] = cats.index(cat)
        if only is not None:  # every row on one form (the usual case): one lookup, no masks
            if j == only:
                codes = np.where(ok, lut[clipped], np.int8(-1))
            continue
        here = ok & (ver == j)
        codes[here] = lut[clipped[here]]
    return pd.Categorical.from_codes(codes, categories=cats)
