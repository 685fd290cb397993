"""The expected-progress model: its constants, :class:`ExpectedModel` (JSON on disk) and the merging of baseline strata."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import Problem, ScoringError, TswtError

if TYPE_CHECKING:
    import numpy as np


#: The model file's format; a file of another format is refused, naming both.
MODEL_FORMAT = 1


#: Fewest completed episodes a stratum needs at a month for a curve there.
DEFAULT_MINIMUM = 30


#: Months since work began that curves cover (0 .. MAX_MONTH).
MAX_MONTH = 24


#: An episode's administration counts towards a month within this many months of it.
WINDOW_MONTHS = 1


#: Centiles of change kept at each month.
CENTILES = (10, 25, 50, 75, 90)


#: Days in an average month (365.25 / 12): months since work began are rounded days / this.
DAYS_PER_MONTH = 30.4375


#: What the fixed rule is called wherever it stands in for a curve.
RULE_BASED = "rule-based alert"


NO_BAND = "no band"


#: Age bands at baseline (whole years, inclusive): a stratum is split by them only where
#: every band it holds has the minimum of episodes (and no episode's age is unknown).
AGE_BANDS = ((0, 10, "under 11"), (11, 15, "11 to 15"), (16, 200, "16 and over"))


METHOD = (
    "empirical conditional centiles of change from baseline, by measure, scale, informant and "
    "baseline band, at each month since work began (administrations within 1 month pooled; each "
    "episode counted once per month, by its administration nearest it); numpy linear "
    "interpolation (Hyndman & Fan type 7)"
)


REFERENCES = (
    "Finch, Lambert & Schaalje (2001), Clin Psychol Psychother 8(4):231-242 (expected recovery "
    "curves by intake severity)",
    "Lutz, Lambert, Harmon et al. (2006), Clin Psychol Psychother 13(4):223-232 (nearest-neighbour "
    "expected courses)",
    "Hyndman & Fan (1996), Am Stat 50(4):361-365 (sample quantiles, type 7)",
)


_KEYS = ("measure", "scale", "informant")


def model_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The model file given, else ``TSWT_EXPECTED_MODEL``, else None (no curves: the
    rule-based alert alone), as the constants file is found (``TSWT_MEASURE_CONSTANTS``)."""
    chosen = str(explicit) if explicit else os.environ.get("TSWT_EXPECTED_MODEL")
    return Path(chosen) if chosen else None


@dataclass
class ExpectedModel:
    """Fitted expected-progress curves, as written to and read from the model file.

    ``meta``: format, method, references, fitted (UTC time), fitted_by, fitted_on (store,
    date range, episodes), minimum, window_months, max_month, centiles. ``curves``: one
    per measure, scale, informant and stratum: ``better``, ``bands`` (the baseline bands
    it covers), ``ages`` (the age bands, or None where not split by age), ``episodes``,
    and ``months`` (each ``month``, ``n`` and, where ``n`` reaches
    the minimum, the centiles of change ``q10`` .. ``q90``). ``too_few``: the series (or
    strata) with fewer episodes than the minimum, each with the reason.
    """

    meta: dict[str, Any]
    curves: list[dict[str, Any]]
    too_few: list[dict[str, Any]] = field(default_factory=list)
    _lookup: Any = field(default=None, repr=False, compare=False)

    @property
    def minimum(self) -> int:
        return int(self.meta["minimum"])

    def to_json(self) -> str:
        data = {"meta": self.meta, "curves": self.curves, "too_few": self.too_few}
        return json.dumps(data, indent=1, sort_keys=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model file atomically (a reader never sees half a file)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        os.replace(tmp, target)
        return target

    def curve_for(
        self, measure: str, scale: str, informant: str, band: str, age: str = ""
    ) -> dict[str, Any] | None:
        """The curve whose stratum holds this baseline band (and age band, where the
        stratum is split by age), or None."""
        for c in self.curves:
            if (
                (c["measure"], c["scale"], c["informant"]) == (measure, scale, informant)
                and band in c["bands"]
                and (not c.get("ages") or age in c["ages"])
            ):
                return c
        return None

    def why_none(self, measure: str, scale: str, informant: str, band: str) -> str:
        """Why there is no curve for this series: the reason the model file records."""
        for t in self.too_few:
            if (t["measure"], t["scale"], t["informant"]) == (measure, scale, informant) and (
                band in t.get("bands", [band])
            ):
                return str(t["reason"])
        return "no completed episodes of this measure, scale and informant were fitted"

    def table(self) -> tuple[dict[tuple[str, ...], int], np.ndarray]:
        """(stratum index by (measure, scale, informant, band, age band; "" where the
        stratum is not split by age), array [stratum, month, centile] of change, NaN where
        there is no curve)."""
        if self._lookup is None:
            import numpy as np

            index: dict[tuple[str, ...], int] = {}
            arr = np.full((max(len(self.curves), 1), MAX_MONTH + 1, len(CENTILES)), np.nan)
            for k, c in enumerate(self.curves):
                for band in c["bands"]:
                    for age in c.get("ages") or [""]:
                        index[(c["measure"], c["scale"], c["informant"], band, age)] = k
                for m in c["months"]:
                    if "q50" in m and 0 <= m["month"] <= MAX_MONTH:
                        arr[k, m["month"]] = [m[f"q{p}"] for p in CENTILES]
            self._lookup = (index, arr)
        return self._lookup


def load_model(path: str | os.PathLike[str]) -> ExpectedModel:
    """Read a model file written by ``tswt expected fit``; refuse one of another format."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScoringError(
            [Problem(where, "", "no such expected-progress model file (TSWT_EXPECTED_MODEL)")]
        ) from None
    except (OSError, ValueError) as exc:
        raise ScoringError(
            [Problem(where, "", f"not an expected-progress model file: {exc}")]
        ) from None
    meta = data.get("meta") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        got = meta.get("format") if isinstance(meta, dict) else None
        raise ScoringError(
            [
                Problem(
                    where,
                    "meta.format",
                    f"{got!r} is not a model format this version reads (expected {MODEL_FORMAT}); "
                    "fit it again with tswt expected fit",
                )
            ]
        )
    return ExpectedModel(meta, list(data.get("curves") or []), list(data.get("too_few") or []))


def _merge_strata(counts: list[tuple[str, int]], minimum: int) -> list[tuple[list[str], int]]:
    """Neighbouring bands (best to worst) merged, smallest first with its smaller
    neighbour, while any stratum has fewer than ``minimum`` episodes and two remain."""
    strata = [([band], n) for band, n in counts]
    while len(strata) > 1 and min(n for _, n in strata) < minimum:
        i = min(range(len(strata)), key=lambda k: (strata[k][1], k))
        if i == 0:
            j = 1
        elif i == len(strata) - 1:
            j = i - 1
        else:
            j = i - 1 if strata[i - 1][1] <= strata[i + 1][1] else i + 1
        a, b = sorted((i, j))
        strata[a : b + 1] = [(strata[a][0] + strata[b][0], strata[a][1] + strata[b][1])]
    return strata


def _band_order(measure: str, scale: str) -> list[str]:
    """The scale's three-band categories best to worst (as the definition lists them)."""
    from ..definition import load_measure

    try:
        definition = load_measure(measure)
    except (TswtError, KeyError):
        return []
    seen: list[str] = []
    for v in definition.versions:
        for band in (v.bands.get("three_band", {}) or {}).get(scale, {}) or {}:
            if band not in seen:
                seen.append(band)
    return seen


def too_few_reason(n: int, minimum: int, month: int | None = None) -> str:
    at = f" at month {month}" if month is not None else ""
    return f"too few completed episodes{at} (n={n} < {minimum})"
