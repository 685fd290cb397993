"""Expected progress from the team's own completed episodes (issue 23).

Outcome-monitoring systems compare a child with the progress expected of children who
started alike and flag those falling short early (Finch, Lambert & Schaalje, 2001;
Lutz et al., 2006). The published curves were fitted on other measures and populations;
this module fits them on the team's own completed episodes. The method, its choices and
its references are in docs/change.md ("Expected progress").

**Method: empirical conditional centiles of change from baseline.** For each measure,
scale and informant, completed episodes are grouped by their baseline severity (the
scale's own band of the baseline score; neighbouring bands merged while a band has
fewer than the minimum of episodes; split by age band at baseline only where every age
band has the minimum). For each month since work began (0 to
:data:`MAX_MONTH`), each episode contributes its follow-up administration nearest that
month within :data:`WINDOW_MONTHS` either side (pooling neighbouring months), and the
10th, 25th, 50th, 75th and 90th centiles of the change from the episode's own baseline
are taken (numpy's default linear interpolation, Hyndman & Fan type 7). A child's
expected score at a month is their own baseline plus the median change; the band's two
lines are their baseline plus the change that 1 in 4 (and 1 in 10) children who started
alike did worse than. Where a stratum has fewer than the minimum of episodes at a month,
there is no curve there: never a curve from too little data, and the rule-based alert
(:func:`~tswt_formulation.measures.service.not_on_track`) stays.

- :func:`points_from_scores`: follow-up points with their baseline and months in work,
  from :func:`tswt_formulation.analysis.scores` and each case's work dates.
- :func:`fit`: an :class:`ExpectedModel` (written and read as JSON: :meth:`ExpectedModel.save`,
  :func:`load_model`).
- :func:`judge`: each series of a caseload against the model: below band, how far, since when.
- :func:`check`: split-half validation against the rule-based alert.
- :func:`synthetic_history`: episodes generated with a known expected course (tests, bench).

numpy and pandas are imported where used, so the light command line never loads them.
"""

from __future__ import annotations

import json
import math
import os
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import Problem, ScoringError, TswtError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..constants import MeasureConstants

__all__ = [
    "CENTILES",
    "DEFAULT_MINIMUM",
    "MAX_MONTH",
    "MODEL_FORMAT",
    "RULE_BASED",
    "WINDOW_MONTHS",
    "CheckResult",
    "ExpectedModel",
    "check",
    "fit",
    "judge",
    "load_model",
    "model_path",
    "points_from_scores",
    "synthetic_history",
    "true_change_centile",
]

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


# --- the points -------------------------------------------------------------------------------


def _scale_facts(
    measure: str, scale: str, informant: str, constants: MeasureConstants | None = None
) -> tuple[str, float | None]:
    """(better, reliable-change threshold in points or None): the team's constants
    (``constants``) where they cover the scale, else the measure's definition, as
    :func:`tswt_formulation.analysis.change` takes them (remembered per command)."""
    key = (
        measure,
        scale,
        informant,
        None if constants is None else (constants.path, constants.version, id(constants)),
    )
    if key not in _FACTS:
        from ...analysis import _constants
        from ..change import CRITICAL_VALUE

        better, r, sd, points, _source = _constants(measure, scale, informant, constants)
        if points is not None:
            threshold: float | None = float(points)
        elif r is not None and sd is not None:
            threshold = CRITICAL_VALUE * math.sqrt(2.0) * float(sd) * math.sqrt(1.0 - float(r))
        else:
            threshold = None
        _FACTS[key] = (better, threshold)
    return _FACTS[key]


_FACTS: dict[tuple[Any, ...], tuple[str, float | None]] = {}


def _facts_per_row(
    frame: pd.DataFrame, constants: MeasureConstants | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``frame``: (d: +1 where higher is worse, -1 where higher is better;
    reliable-change threshold, NaN where none), looked up once per measure, scale and informant."""
    import numpy as np

    if frame.empty:
        return np.empty(0), np.empty(0)
    combo = frame.groupby(list(_KEYS), sort=False, observed=True).ngroup().to_numpy()
    firsts = frame.assign(_g=combo).drop_duplicates("_g").sort_values("_g")
    facts = [
        _scale_facts(str(a), str(b), str(c), constants)
        for a, b, c in zip(firsts["measure"], firsts["scale"], firsts["informant"])
    ]
    d = np.array([1.0 if better == "lower" else -1.0 for better, _t in facts])
    thr = np.array([np.nan if t is None else t for _b, t in facts], dtype=float)
    return d[combo], thr[combo]


def points_from_scores(scores: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    """Every follow-up score with its series' baseline and the months since work began.

    Parameters
    ----------
    scores : DataFrame
        As :func:`tswt_formulation.analysis.scores` gives it (``case_id``, ``measure``,
        ``informant``, ``date``, ``timepoint``, ``scale``, ``value``, ``band``).
    work : DataFrame
        One row per case: ``case_id``, ``work_began`` and ``ended`` (dates; NaT where
        work has not begun or not ended).

    Returns
    -------
    DataFrame
        One row per follow-up administration (dated after the series' baseline) of a case
        whose work began: ``case_id``, ``measure``, ``scale``, ``informant`` (text),
        ``baseline_band`` (text, :data:`NO_BAND` where the form has none),
        ``baseline_age`` (whole years at the baseline; NaN where not known),
        ``baseline_value``, ``baseline_date``, ``work_began``, ``ended``, ``date``,
        ``value``, ``change`` (value - baseline) and ``month`` (whole months since work
        began, days / 30.4375 rounded, never below 0), and ``episode`` (an integer code
        of the case, for grouping). The baseline is the series' earliest administration
        marked ``baseline``. Rows come series by series, by date.
    """
    import numpy as np
    import pandas as pd

    s = scores[scores["value"].notna()]
    n = len(s)
    case, case_ids = pd.factorize(s["case_id"].to_numpy(dtype=object))
    parts = [pd.factorize(s[c].astype(object).to_numpy()) for c in _KEYS]
    series = case.astype(np.int64)
    for codes, uniques in parts:
        series = series * max(len(uniques), 1) + codes
    day = pd.to_datetime(s["date"]).to_numpy(dtype="datetime64[ns]")
    is_base = (s["timepoint"].astype(object) == "baseline").to_numpy(dtype=bool)
    value = s["value"].to_numpy(dtype=float, na_value=np.nan)
    band = (
        s["band"].astype(object).where(s["band"].notna(), NO_BAND).to_numpy()
        if "band" in s.columns
        else np.full(n, NO_BAND, dtype=object)
    )
    age = (
        pd.to_numeric(s["age"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "age" in s.columns
        else np.full(n, np.nan)
    )
    days_i = day.astype("datetime64[D]").view(np.int64)
    lo_day = int(days_i.min()) if n else 0
    n_days = int(days_i.max()) - lo_day + 1 if n else 1
    if n and int(series.max()) < 2**62 // n_days:  # one int64 key: series, then day
        order = np.argsort(series * n_days + (days_i - lo_day), kind="stable")
    else:
        order = np.lexsort((day.view(np.int64), series))
    # the series' baseline: its earliest administration marked baseline
    b_rows = order[is_base[order]]
    b_series, first = np.unique(series[b_rows], return_index=True)
    b_row = b_rows[first]
    rows = order[~is_base[order]]
    at = np.searchsorted(b_series, series[rows])
    at_ok = at < len(b_series)
    has_base = np.zeros(len(rows), dtype=bool)
    has_base[at_ok] = b_series[at[at_ok]] == series[rows[at_ok]]
    rows, base = rows[has_base], b_row[at[has_base]]
    # the case's work: began (and ended)
    w_index = pd.Index(work["case_id"].astype(object).to_numpy())
    pick = w_index.get_indexer(case_ids)
    began_all = pd.to_datetime(work["work_began"]).to_numpy(dtype="datetime64[ns]")
    ended_all = pd.to_datetime(work["ended"]).to_numpy(dtype="datetime64[ns]")
    nat = np.datetime64("NaT", "ns")
    began_c = np.where(pick >= 0, began_all[np.maximum(pick, 0)], nat)
    ended_c = np.where(pick >= 0, ended_all[np.maximum(pick, 0)], nat)
    began, ended = began_c[case[rows]], ended_c[case[rows]]
    keep = ~np.isnat(began) & (day[rows] > day[base])
    rows, base, began, ended = rows[keep], base[keep], began[keep], ended[keep]
    days = (day[rows] - began) / np.timedelta64(1, "D")
    out = pd.DataFrame(
        {
            "case_id": case_ids.to_numpy()[case[rows]]
            if hasattr(case_ids, "to_numpy")
            else np.asarray(case_ids, dtype=object)[case[rows]],
            **{
                c: pd.Categorical.from_codes(codes[rows], categories=pd.Index(uniques).astype(str))
                for c, (codes, uniques) in zip(_KEYS, parts)
            },
            "baseline_band": band[base],
            "baseline_age": age[base],
            "baseline_value": value[base],
            "baseline_date": day[base],
            "work_began": began,
            "ended": ended,
            "date": day[rows],
            "value": value[rows],
            "change": value[rows] - value[base],
            "month": np.maximum(np.floor(days / DAYS_PER_MONTH + 0.5), 0).astype(np.int64),
            "episode": case[rows].astype(np.int64),
        }
    )
    return out


def age_band_codes(ages: Any) -> np.ndarray:
    """Index into :data:`AGE_BANDS` of each age; len(AGE_BANDS) where the age is not known."""
    import numpy as np

    a = np.asarray(ages, dtype=float)
    out = np.full(a.shape, len(AGE_BANDS), dtype=np.int64)
    for j, (lo, hi, _label) in enumerate(AGE_BANDS):
        out[(a >= lo) & (a <= hi)] = j
    return out


def _age_label(code: int) -> str:
    return AGE_BANDS[code][2] if 0 <= code < len(AGE_BANDS) else ""


def work_dates(records: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    """``case_id``, ``work_began``, ``ended`` from (case_id, decision, outcome date, ending
    date) tuples, as the store's records hold them."""
    import pandas as pd

    rows = [
        (cid, began if decision == "begin_work" else None, ended)
        for cid, decision, began, ended in records
    ]
    frame = pd.DataFrame(rows, columns=["case_id", "work_began", "ended"])
    for c in ("work_began", "ended"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def points_from_store(store: Any, as_of: date | None = None) -> pd.DataFrame:
    """:func:`points_from_scores` for every case of an open store (scores on or before
    ``as_of``; an ending after ``as_of`` is not yet an ending)."""
    import pandas as pd

    from ... import analysis

    parts = analysis._record_parts(
        store, {"decision": "outcome.decision", "began": "outcome.date", "ended": "ending.date"}
    )
    work = work_dates(parts)
    if as_of is not None:
        work.loc[work["ended"] > pd.Timestamp(as_of), "ended"] = pd.NaT
    return points_from_scores(analysis.scores(store, as_of=as_of), work)


# --- group-wise quantiles ----------------------------------------------------------------------


def _group_quantiles(
    group: np.ndarray, values: np.ndarray, ps: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(group ids, counts, quantiles [groups x ps]) by numpy's linear method per group."""
    import numpy as np

    order = None
    if len(values) and np.isfinite(values).all():
        low = values.min()
        span = float(np.ceil(values.max() - low)) + 1.0
        if (group.max() + 1) * span < 2.0**50:
            # one sort of group x span + (value - min): the order of (group, value), faster
            order = np.argsort(group * span + (values - low), kind="stable")
    if order is None:
        order = np.lexsort((values, group))
    g, v = group[order], values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    counts = np.diff(np.r_[starts, len(g)])
    out = np.empty((len(starts), len(ps)))
    for j, p in enumerate(ps):
        h = (counts - 1) * p
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, counts - 1)
        frac = h - lo
        a, b = v[starts + lo], v[starts + hi]
        out[:, j] = a + frac * (b - a)
    return g[starts], counts, out


# --- the model ----------------------------------------------------------------------------------


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


def fit(
    points: pd.DataFrame,
    *,
    minimum: int = DEFAULT_MINIMUM,
    fitted_on: Mapping[str, Any] | None = None,
    fitted_by: str = "",
    now: datetime | None = None,
) -> ExpectedModel:
    """Fit expected-progress curves on the follow-up points of completed episodes.

    Parameters
    ----------
    points : DataFrame
        :func:`points_from_scores` of the episodes to fit on (the caller keeps only
        completed ones: ``ended`` set).
    minimum : int
        Fewest episodes a stratum needs at a month for a curve there (and in all, for a
        stratum to stand alone before neighbouring bands are merged).
    fitted_on : mapping, optional
        Where the episodes came from (store, dates), written into the model file.

    Returns
    -------
    ExpectedModel
    """
    import numpy as np
    import pandas as pd

    if int(minimum) < 2:
        raise ScoringError(
            [Problem("expected fit", "minimum", f"{minimum!r} must be 2 or more episodes")]
        )
    minimum = int(minimum)
    curves: list[dict[str, Any]] = []
    too_few: list[dict[str, Any]] = []
    p = points[points["month"] <= MAX_MONTH + WINDOW_MONTHS]
    sid = p.groupby(list(_KEYS), sort=True, observed=True).ngroup().to_numpy().astype(np.int64)
    n_series = int(sid.max()) + 1 if len(sid) else 0
    band, band_names = pd.factorize(p["baseline_band"].to_numpy(dtype=object))
    nb = max(len(band_names), 1)
    if "episode" in p.columns:
        episode = p["episode"].to_numpy().astype(np.int64)
    else:
        episode = pd.factorize(p["case_id"].to_numpy(dtype=object))[0].astype(np.int64)
    n_ep = int(episode.max()) + 1 if len(episode) else 1
    na = len(AGE_BANDS) + 1  # the last: age not known
    age = age_band_codes(
        p["baseline_age"].to_numpy(dtype=float)
        if "baseline_age" in p.columns
        else np.full(len(p), np.nan)
    )
    # episodes per series, baseline band and age band (one baseline per episode and series)
    _u, one = np.unique(sid * n_ep + episode, return_index=True)
    cell_of = (sid * nb + band) * na + age
    counts_age = np.bincount(cell_of[one], minlength=n_series * nb * na).reshape(n_series, nb, na)
    counts_all = counts_age.sum(axis=2)
    firsts = np.unique(sid, return_index=True)[1]
    names = p[list(_KEYS)].iloc[firsts].astype(str).itertuples(index=False)
    # the stratum of each (series, band, age band): bands merged while any has too few
    # episodes; a stratum split by age only where every age band in it has the minimum
    stratum_of = np.full(n_series * nb * na, -1, dtype=np.int64)
    strata: list[dict[str, Any]] = []
    for s_id, (measure, scale, informant) in enumerate(names):
        counts = {str(band_names[j]): int(c) for j, c in enumerate(counts_all[s_id]) if c}
        order = _band_order(measure, scale)
        banded = [(b, counts[b]) for b in order if b in counts]
        extra = [(b, n) for b, n in counts.items() if b not in order]
        better, _thr = _scale_facts(measure, scale, informant)
        groups = _merge_strata(banded, minimum) + [([b], n) for b, n in extra]
        for bands, n in groups:
            label = "+".join(bands)
            if n < minimum:
                too_few.append(
                    {
                        "measure": measure,
                        "scale": scale,
                        "informant": informant,
                        "stratum": label,
                        "bands": bands,
                        "episodes": n,
                        "reason": too_few_reason(n, minimum),
                    }
                )
                continue
            b_idx = [list(band_names).index(bname) for bname in bands]
            by_age = counts_age[s_id, b_idx, :].sum(axis=0)
            present = [a for a in range(na - 1) if by_age[a]]
            split = (
                len(present) >= 2
                and by_age[na - 1] == 0
                and all(by_age[a] >= minimum for a in present)
            )
            for ages in [[a] for a in present] if split else [list(range(na))]:
                k = len(strata)
                strata.append(
                    {
                        "measure": measure,
                        "scale": scale,
                        "informant": informant,
                        "better": better,
                        "stratum": f"{label}, age {_age_label(ages[0])}" if split else label,
                        "bands": bands,
                        "ages": [_age_label(a) for a in ages] if split else None,
                        "episodes": int(by_age[ages[0]]) if split else n,
                        "months": [],
                    }
                )
                for bi in b_idx:
                    for a in ages:
                        stratum_of[(s_id * nb + bi) * na + a] = k
    if strata:
        stratum = stratum_of[cell_of]
        keep = stratum >= 0
        st = stratum[keep]
        month = p["month"].to_numpy()[keep].astype(np.int64)
        change = p["change"].to_numpy(dtype=float)[keep]
        case = episode[keep]
        # each point stands for the months within WINDOW_MONTHS of its own; one
        # administration per episode per month: the nearest, the later on a tie
        width = 2 * WINDOW_MONTHS + 2
        base_key = st * (MAX_MONTH + 1)
        keys, changes = [], []
        for shift in range(-WINDOW_MONTHS, WINDOW_MONTHS + 1):
            centre = month + shift
            ok = (centre >= 0) & (centre <= MAX_MONTH)
            tie = abs(shift) * 2 + (1 if shift > 0 else 0)  # month < centre: the earlier one
            keys.append((((base_key + centre) * n_ep + case) * width + tie)[ok])
            changes.append(change[ok])
        key, change_r = np.concatenate(keys), np.concatenate(changes)
        nearest = np.argsort(key)
        key, change_r = key[nearest], change_r[nearest]
        cell = key // width
        first = np.r_[True, cell[1:] != cell[:-1]]
        group, change_r = cell[first] // n_ep, change_r[first]
        gid, counts_g, q = _group_quantiles(group, change_r, [c / 100 for c in CENTILES])
        for g, count, row in zip(gid.tolist(), counts_g.tolist(), q):
            k, m = divmod(int(g), MAX_MONTH + 1)
            entry: dict[str, Any] = {"month": m, "n": int(count)}
            if count >= minimum:
                entry.update({f"q{c}": round(float(v), 3) for c, v in zip(CENTILES, row)})
            strata[k]["months"].append(entry)
    curves = strata
    dates = points["date"]
    meta = {
        "format": MODEL_FORMAT,
        "kind": "tswt expected-progress model",
        "method": METHOD,
        "references": list(REFERENCES),
        "fitted": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "fitted_by": fitted_by,
        "fitted_on": {
            **dict(fitted_on or {}),
            "episodes": int(points["case_id"].nunique()),
            "administrations": len(points),
            "first_date": None if points.empty else pd.Timestamp(dates.min()).date().isoformat(),
            "last_date": None if points.empty else pd.Timestamp(dates.max()).date().isoformat(),
        },
        "minimum": minimum,
        "window_months": WINDOW_MONTHS,
        "max_month": MAX_MONTH,
        "centiles": list(CENTILES),
    }
    return ExpectedModel(meta, curves, too_few)


# --- judging ---------------------------------------------------------------------------------


def _lines(
    model: ExpectedModel, pts: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per point: (stratum index or -1, expected, 25th-centile line, 10th-centile line,
    direction d: +1 where higher is worse, -1 where higher is better)."""
    import numpy as np

    index, arr = model.table()
    n = len(pts)
    if n == 0:
        e = np.empty(0)
        return np.empty(0, dtype=np.int64), e, e, e, e
    ages = (
        pts["baseline_age"].to_numpy(dtype=float)
        if "baseline_age" in pts.columns
        else np.full(n, np.nan)
    )
    with_age = pts.assign(_age=age_band_codes(ages))
    combo = (
        with_age.groupby([*_KEYS, "baseline_band", "_age"], sort=False, observed=True, dropna=False)
        .ngroup()
        .to_numpy()
    )
    firsts = with_age.assign(_g=combo).drop_duplicates("_g").sort_values("_g")
    k_of = np.array(
        [
            index.get(
                (str(a), str(b), str(c), str(d), _age_label(int(e))),
                index.get((str(a), str(b), str(c), str(d), ""), -1),
            )
            for a, b, c, d, e in zip(
                firsts["measure"],
                firsts["scale"],
                firsts["informant"],
                firsts["baseline_band"],
                firsts["_age"],
            )
        ],
        dtype=np.int64,
    )
    k = k_of[combo]
    d, _thr = _facts_per_row(pts)
    month = np.clip(pts["month"].to_numpy(dtype=np.int64), 0, MAX_MONTH + 1)
    q = np.full((n, len(CENTILES)), np.nan)
    ok = (k >= 0) & (month <= MAX_MONTH)
    q[ok] = arr[k[ok], month[ok]]
    base = pts["baseline_value"].to_numpy(dtype=float)
    i10, i25, i50, i75, i90 = range(5)
    worse25 = np.where(d > 0, q[:, i75], q[:, i25])
    worse10 = np.where(d > 0, q[:, i90], q[:, i10])
    return k, base + q[:, i50], base + worse25, base + worse10, d


def band_for(model: ExpectedModel, points: pd.DataFrame) -> pd.DataFrame:
    """The expected score and the two lines at each point (``expected``, ``line_25``,
    ``line_10``; NaN where there is no curve), beside the points' own columns."""
    _k, expected, l25, l10, d = _lines(model, points)
    return points.assign(expected=expected, line_25=l25, line_10=l10, worse_is=d)


def band_course(
    model: ExpectedModel,
    measure: str,
    scale: str,
    informant: str,
    baseline_band: str,
    baseline_value: float,
    work_began: date,
) -> pd.DataFrame:
    """The expected course of one child from work began to month :data:`MAX_MONTH`:
    ``month``, ``date``, ``expected``, ``line_25``, ``line_10`` (only months with a curve),
    for the outcomes chart."""
    import numpy as np
    import pandas as pd

    months = np.arange(0, MAX_MONTH + 1)
    start = pd.Timestamp(work_began)
    pts = pd.DataFrame(
        {
            "measure": measure,
            "scale": scale,
            "informant": informant,
            "baseline_band": baseline_band,
            "baseline_value": float(baseline_value),
            "month": months,
        }
    )
    out = band_for(model, pts)
    out["date"] = start + pd.to_timedelta(np.round(months * DAYS_PER_MONTH), unit="D")
    out = out[out["expected"].notna()]
    return out[["month", "date", "expected", "line_25", "line_10"]].reset_index(drop=True)


JUDGE_COLUMNS = (
    "case_id",
    "measure",
    "scale",
    "informant",
    "baseline_band",
    "baseline_age",
    "baseline_value",
    "baseline_date",
    "work_began",
    "date",
    "value",
    "month",
    "expected",
    "line_25",
    "line_10",
    "status",
    "how_far",
    "since",
    "reason",
)


def judge(
    model: ExpectedModel | None, points: pd.DataFrame, as_of: date | None = None
) -> pd.DataFrame:
    """Each series' latest score against its expected band.

    Parameters
    ----------
    model : ExpectedModel or None
        None: nothing is judged (every series ``no_curve``, the rule-based alert stays).
    points : DataFrame
        :func:`points_from_scores` of the children to judge.
    as_of : date, optional
        Points after it are ignored.

    Returns
    -------
    DataFrame
        One row per series (case, measure, scale, informant) with a follow-up:
        :data:`JUDGE_COLUMNS`. ``status``: ``below_10`` (worse than the 10th-centile line:
        9 in 10 who started alike had done better by then), ``below_25`` (worse than the
        25th-centile line), ``within``, or ``no_curve`` (``reason`` says why; the
        rule-based alert stays). ``how_far``: points worse than the 25th-centile line
        (positive; NaN unless below). ``since``: the first date of the run of
        administrations below that line that ends with the latest.
    """
    import numpy as np
    import pandas as pd

    pts = points
    if as_of is not None:
        pts = pts[pts["date"] <= pd.Timestamp(as_of)]
    pts = pts.sort_values(["case_id", *_KEYS, "date"], kind="stable").reset_index(drop=True)
    n = len(pts)
    if model is None or n == 0:
        _k = np.full(n, -1, dtype=np.int64)
        expected = l25 = l10 = np.full(n, np.nan)
        d = np.ones(n)
    else:
        _k, expected, l25, l10, d = _lines(model, pts)
    value = pts["value"].to_numpy(dtype=float)
    below = d * (value - l25) > 0  # NaN lines compare False
    series = pts.groupby(["case_id", *_KEYS], sort=False, observed=True).ngroup().to_numpy()
    last = np.r_[series[1:] != series[:-1], True] if n else np.zeros(0, dtype=bool)
    # the start of the run of below-band points that ends at each point
    pos = np.arange(n)
    start_series = np.r_[True, series[1:] != series[:-1]] if n else np.zeros(0, dtype=bool)
    breaker = np.where(~below | start_series, pos, -1)
    run_from = np.maximum.accumulate(breaker) if n else breaker
    run_first = np.where(below[run_from] if n else below, run_from, run_from + 1)
    dates = pts["date"].to_numpy()
    rows = pts[last].copy()
    li = np.flatnonzero(last)
    rows["expected"], rows["line_25"], rows["line_10"] = expected[li], l25[li], l10[li]
    b25 = below[li]
    b10 = d[li] * (value[li] - l10[li]) > 0
    curve = ~np.isnan(l25[li])
    status = np.where(
        ~curve, "no_curve", np.where(b10, "below_10", np.where(b25, "below_25", "within"))
    )
    rows["status"] = status
    rows["how_far"] = np.where(b25, d[li] * (value[li] - l25[li]), np.nan)
    since = np.full(len(li), np.datetime64("NaT"), dtype="datetime64[ns]")
    since[b25] = dates[np.minimum(run_first[li][b25], n - 1)]
    rows["since"] = since
    rows["reason"] = [_reason(model, r, s) for r, s in zip(rows.itertuples(index=False), status)]
    return rows[list(JUDGE_COLUMNS)].reset_index(drop=True)


def _reason(model: ExpectedModel | None, r: Any, status: str) -> str:
    name = f"{r.measure} {r.informant} {r.scale}"
    if status == "no_curve":
        if model is None:
            why = "no expected-progress model has been fitted for the team (tswt expected fit)"
        elif r.month > MAX_MONTH:
            why = f"month {r.month} is beyond the curves' {MAX_MONTH} months"
        else:
            age = _age_label(int(age_band_codes([r.baseline_age])[0]))
            curve = model.curve_for(r.measure, r.scale, r.informant, r.baseline_band, age)
            if curve is None:
                why = model.why_none(r.measure, r.scale, r.informant, r.baseline_band)
            else:
                n = next((m["n"] for m in curve["months"] if m["month"] == r.month), 0)
                why = too_few_reason(n, model.minimum, r.month)
        return f"{name}: no expected band: {why}; the {RULE_BASED} stays"
    if status == "within":
        return (
            f"{name}: {_num(r.value)} at month {r.month} is within the expected band "
            f"(expected {_num(r.expected)}; 25th-centile line {_num(r.line_25)})"
        )
    tenth = (
        f", and worse than the 10th-centile line ({_num(r.line_10)})"
        if status == "below_10"
        else ""
    )
    return (
        f"{name}: {_num(r.value)} at month {r.month} ({_day(r.date)}) is {_num(r.how_far)} "
        f"point{'' if _num(r.how_far) == '1' else 's'} worse than the 25th-centile line "
        f"({_num(r.line_25)}; expected {_num(r.expected)}){tenth}; below it since {_day(r.since)}"
    )


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "missing"
    return f"{math.floor(float(x) * 10 + 0.5) / 10:g}"  # one decimal, halves up


def _day(x: Any) -> str:
    import pandas as pd

    return "" if pd.isna(x) else pd.Timestamp(x).date().isoformat()


def below_band(judged: pd.DataFrame) -> pd.DataFrame:
    """The judged series below their expected band, the furthest below first."""
    out = judged[judged["status"].isin(["below_10", "below_25"])]
    return out.sort_values(["how_far", "case_id"], ascending=[False, True]).reset_index(drop=True)


# --- the rule-based alert, vectorised (for the check and the bench) ---------------------------


def _rule_flags(
    pts: pd.DataFrame, months_in_work: int = 6, constants: MeasureConstants | None = None
) -> np.ndarray:
    """Per point, the rule-based alert as :func:`~.service.not_on_track` applies it: reliably
    worse than baseline, or ``months_in_work`` months after work began and not reliably
    better. False where the scale has no reliable-change constants."""
    import numpy as np
    import pandas as pd

    d, thr = _facts_per_row(pts, constants)
    worse = d * pts["change"].to_numpy(dtype=float)
    reliably_worse = worse > thr
    improved = -worse > thr
    due = (
        pts["date"].to_numpy()
        >= (pd.DatetimeIndex(pts["work_began"]) + pd.DateOffset(months=months_in_work)).to_numpy()
    )
    out = reliably_worse | (due & ~improved)
    return out & ~np.isnan(thr)


# --- the check --------------------------------------------------------------------------------


def half_of(case_ids: Iterable[str]) -> np.ndarray:
    """0 (fit) or 1 (test) for each case id: CRC-32 of the id, odd or even; the same
    split on every machine and every run."""
    import numpy as np

    return np.array([zlib.crc32(str(c).encode("utf-8")) & 1 for c in case_ids], dtype=np.int8)


@dataclass
class CheckResult:
    """``table``: one row per measure, scale and informant and an ``all`` row: episodes
    tested, poor outcomes (no reliable improvement at the end, or deterioration), and
    for each method (``expected``, ``rule``) TP, FP, TN, FN, sensitivity and specificity.
    ``not_judged``: test-half series with no curve at any early point (the expected
    method could not flag them; counted as not flagged). ``model``: fitted on the fit half."""

    table: pd.DataFrame
    model: ExpectedModel
    fit_episodes: int
    test_episodes: int


def check(
    points: pd.DataFrame,
    *,
    minimum: int = DEFAULT_MINIMUM,
    months_in_work: int = 6,
    constants: MeasureConstants | None = None,
) -> CheckResult:
    """How well the curves would have flagged, on held-out completed episodes.

    The completed episodes (``ended`` set) are split in two by :func:`half_of`; curves are
    fitted on one half and every series of the other is judged at each administration
    before its last. **Poor outcome** (the condition to catch): at the last administration
    the score is not reliably better than baseline (unchanged or deteriorated, by the
    scale's reliable-change threshold). **Flagged by the curves**: any earlier
    administration worse than its 25th-centile line. **Flagged by the rule-based alert**:
    any earlier administration reliably worse than baseline, or ``months_in_work`` months
    or more after work began and not reliably better. Reliable change uses ``constants``
    (the team's file) where they cover a scale, else the measure's definition; series of
    scales with neither are left out (no outcome can be defined).
    """
    import numpy as np
    import pandas as pd

    done = points[points["ended"].notna() & (points["date"] <= points["ended"])]
    half = half_of(done["case_id"].to_numpy())
    train, test = done[half == 0], done[half == 1]
    model = fit(train, minimum=minimum, fitted_on={"split": "fit half (CRC-32 of case id even)"})
    test = test.sort_values(["case_id", *_KEYS, "date"], kind="stable").reset_index(drop=True)
    _d, thr = _facts_per_row(test, constants)
    test = test[~np.isnan(thr)].reset_index(drop=True)
    series = test.groupby(["case_id", *_KEYS], sort=False, observed=True).ngroup().to_numpy()
    n = len(test)
    last = np.r_[series[1:] != series[:-1], True] if n else np.zeros(0, dtype=bool)
    _k, _e, l25, _l10, d = _lines(model, test) if n else (None, *(np.empty(0),) * 4)
    value = test["value"].to_numpy(dtype=float)
    below = d * (value - l25) > 0
    has_curve = ~np.isnan(l25)
    rule = _rule_flags(test, months_in_work, constants) if n else np.zeros(0, dtype=bool)
    early = ~last
    ids = np.unique(series)
    exp_flag = np.zeros(len(ids), dtype=bool)
    rule_flag = np.zeros(len(ids), dtype=bool)
    judged = np.zeros(len(ids), dtype=bool)
    np.logical_or.at(exp_flag, series[early], below[early])
    np.logical_or.at(rule_flag, series[early], rule[early])
    np.logical_or.at(judged, series[early], has_curve[early])
    fin = test[last]
    better_end = -(np.asarray(d)[last]) * fin["change"].to_numpy(dtype=float)
    thr_end = _facts_per_row(test, constants)[1][last]
    poor = ~(better_end > thr_end)
    frame = pd.DataFrame(
        {
            "measure": fin["measure"].to_numpy(),
            "scale": fin["scale"].to_numpy(),
            "informant": fin["informant"].to_numpy(),
            "poor": poor,
            "expected": exp_flag,
            "rule": rule_flag,
            "judged": judged,
        }
    )
    rows = []
    for key, g in [*frame.groupby(list(_KEYS), sort=True), (("all", "", ""), frame)]:
        row: dict[str, Any] = dict(zip(_KEYS, key))
        row["series"] = len(g)
        row["poor_outcomes"] = int(g["poor"].sum())
        row["not_judged"] = int((~g["judged"]).sum())
        for method in ("expected", "rule"):
            f, y = g[method].to_numpy(), g["poor"].to_numpy()
            tp, fp = int((f & y).sum()), int((f & ~y).sum())
            tn, fn = int((~f & ~y).sum()), int((~f & y).sum())
            row.update(
                {
                    f"{method}_tp": tp,
                    f"{method}_fp": fp,
                    f"{method}_tn": tn,
                    f"{method}_fn": fn,
                    f"{method}_sensitivity": tp / (tp + fn) if tp + fn else float("nan"),
                    f"{method}_specificity": tn / (tn + fp) if tn + fp else float("nan"),
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows)
    return CheckResult(
        table,
        model,
        int(train["case_id"].nunique()),
        int(test["case_id"].nunique()),
    )


# --- synthetic history with a known course ------------------------------------------------------

#: The generating course: mean change from baseline by month t in work, by baseline band,
#: -DROP[band] x (1 - exp(-t / TAU)), times each child's own rate (normal, mean 1, SD
#: RATE_SD), plus independent noise (normal, SD NOISE_SD), rounded to whole points.
SYNTHETIC_DROP = {"normal": 1.5, "borderline": 4.0, "abnormal": 8.0}
SYNTHETIC_TAU = 6.0
SYNTHETIC_RATE_SD = 0.5
SYNTHETIC_NOISE_SD = 2.5
#: SDQ parent total (P4-17) baselines drawn from each band: whole scores in these ranges.
SYNTHETIC_BASELINE = {"normal": (8, 13), "borderline": (14, 16), "abnormal": (17, 32)}
SYNTHETIC_SHARE = {"normal": 0.2, "borderline": 0.2, "abnormal": 0.6}
_FORM = {"parent": "P4-17", "teacher": "T4-17", "self": "S11-17"}


def synthetic_constants() -> MeasureConstants:
    """The demo's illustrative reliable-change constants (``measures/examples/
    demo_constants.yaml``: SDQ total r 0.80, SD 5.8, so 7.19 points), with which the
    synthetic history's outcomes are judged. Illustrative only, as that file says."""
    from ..constants import load_constants

    return load_constants(Path(__file__).parent.parent / "examples" / "demo_constants.yaml")


def synthetic_mean_change(band: str, month: float) -> float:
    """The generating course's mean change at ``month`` for a baseline in ``band``."""
    return -SYNTHETIC_DROP[band] * (1.0 - math.exp(-month / SYNTHETIC_TAU))


def true_change_centile(band: str, month: float, p: float) -> float:
    """The p-quantile of the generating (unrounded) change at ``month``: normal, mean
    :func:`synthetic_mean_change`, variance (RATE_SD x mean)^2 + NOISE_SD^2."""
    mu = synthetic_mean_change(band, month)
    sd = math.sqrt((SYNTHETIC_RATE_SD * mu) ** 2 + SYNTHETIC_NOISE_SD**2)
    return mu + sd * _normal_ppf(p)


def _normal_ppf(p: float) -> float:
    """The standard normal quantile (bisection on erf: exact to 1e-12, no scipy)."""
    lo, hi = -10.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def synthetic_history(
    n: int,
    seed: int = 23,
    *,
    start: date = date(2022, 1, 3),
    informants: Sequence[str] = ("parent",),
    ended_share: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic episodes generated with a known expected course (invented children).

    Each episode: work begins on a day within two years of ``start``; the baseline (SDQ
    total, drawn per band from :data:`SYNTHETIC_BASELINE` in :data:`SYNTHETIC_SHARE`) is
    taken 0-4 weeks before; follow-ups at months 3, 6, ... up to 12-24 months (each moved
    by -1, 0 or +1 month at random), the last being the closure, when work ends. The
    change at month t is the child's rate x :func:`synthetic_mean_change` + noise,
    rounded (not clipped to the scale, so the generating centiles stay exact).
    ``ended_share`` of episodes are completed; the rest are still open at their last
    follow-up.

    Returns
    -------
    (scores, work)
        ``scores`` shaped as :func:`tswt_formulation.analysis.scores` (measure sdq,
        scale total, version P4-17 for parent); ``work``: ``case_id``, ``work_began``,
        ``ended``. Pass both to :func:`points_from_scores`.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    bands = np.array(list(SYNTHETIC_SHARE))
    band = bands[rng.choice(len(bands), size=n, p=list(SYNTHETIC_SHARE.values()))]
    lo = np.array([SYNTHETIC_BASELINE[b][0] for b in band])
    hi = np.array([SYNTHETIC_BASELINE[b][1] for b in band])
    began = np.datetime64(start, "D") + rng.integers(0, 730, size=n).astype("timedelta64[D]")
    visits = rng.integers(4, 9, size=n)  # 4-8 follow-ups, 3 months apart: 12-24 months
    ended = rng.random(n) < ended_share
    ids = np.array([f"SYN-{i:07d}" for i in range(n)], dtype=object)
    drop = np.array([SYNTHETIC_DROP[b] for b in band])
    s_case, s_inf, s_date, s_tp, s_val, s_band = [], [], [], [], [], []
    end_day = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for inf in informants:
        base = rng.integers(lo, hi + 1)
        rate = rng.normal(1.0, SYNTHETIC_RATE_SD, size=n)
        b_day = began - rng.integers(0, 29, size=n).astype("timedelta64[D]")
        s_case.append(ids)
        s_inf.append(np.full(n, inf, dtype=object))
        s_date.append(b_day)
        s_tp.append(np.full(n, "baseline", dtype=object))
        s_val.append(base.astype(float))
        s_band.append(band)
        k = np.repeat(np.arange(n), visits)
        j = np.concatenate([np.arange(1, v + 1) for v in visits]) if n else np.zeros(0, int)
        month = 3 * j + rng.integers(-1, 2, size=len(k))
        mu = -drop[k] * (1.0 - np.exp(-month / SYNTHETIC_TAU))
        val = base[k] + np.round(rate[k] * mu + rng.normal(0, SYNTHETIC_NOISE_SD, size=len(k)))
        day = began[k] + np.round(month * DAYS_PER_MONTH).astype("timedelta64[D]")
        last = j == visits[k]
        tp = np.where(last & ended[k], "closure", np.char.add("review ", j.astype(str)))
        s_case.append(ids[k])
        s_inf.append(np.full(len(k), inf, dtype=object))
        s_date.append(day)
        s_tp.append(tp.astype(object))
        s_val.append(val)
        s_band.append(np.full(len(k), None, dtype=object))
        end_day[k[last]] = np.where(ended[k[last]], day[last], np.datetime64("NaT"))
    scores = pd.DataFrame(
        {
            "case_id": np.concatenate(s_case),
            "measure": "sdq",
            "informant": np.concatenate(s_inf),
            "version": pd.Series(np.concatenate(s_inf)).map(_FORM).to_numpy(),
            "date": np.concatenate(s_date).astype("datetime64[ns]"),
            "timepoint": np.concatenate(s_tp),
            "scale": "total",
            "value": np.concatenate(s_val),
            "band": np.concatenate(s_band),
        }
    )
    work = pd.DataFrame(
        {
            "case_id": ids,
            "work_began": began.astype("datetime64[ns]"),
            "ended": end_day.astype("datetime64[ns]"),
        }
    )
    return scores, work


# --- from case records (one child's report, the caseload review) ------------------------------


def scores_from_cases(cases: Iterable[Any], as_of: date | None = None) -> pd.DataFrame:
    """Case records' scores shaped as :func:`tswt_formulation.analysis.scores` gives them,
    scored as the store's scores table scores them (no store needed)."""
    from ...analysis import _Packed, _unpack
    from ...store.scores import case_score_rows

    packed = _Packed()
    packed.add(
        [
            (
                r["case_id"],
                r["measure"],
                r["version"],
                r["informant"],
                r["date"].isoformat(),
                r["timepoint"],
                r["age"],
                r["scales"],
                r["scale_values"],
            )
            for c in sorted(cases, key=lambda c: c.case_id)
            for r in case_score_rows(c)
            if as_of is None or r["date"] <= as_of
        ]
    )
    return _unpack(packed)


def work_from_cases(cases: Iterable[Any], as_of: date | None = None) -> pd.DataFrame:
    """``case_id``, ``work_began``, ``ended`` of case records (an ending after ``as_of`` is
    not yet an ending)."""
    return work_dates(
        (
            c.case_id,
            c.outcome.decision if c.outcome is not None else None,
            c.outcome.date if c.outcome is not None else None,
            c.ending.date
            if c.ending is not None and (as_of is None or c.ending.date <= as_of)
            else None,
        )
        for c in cases
    )


def points_from_cases(cases: Iterable[Any], as_of: date | None = None) -> pd.DataFrame:
    """:func:`points_from_scores` for case records (model objects): one child's report,
    the caseload review."""
    cases = list(cases)
    return points_from_scores(scores_from_cases(cases, as_of), work_from_cases(cases, as_of))
