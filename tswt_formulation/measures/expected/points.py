"""Follow-up points (baseline, months in work, change) from scores, the store or cases."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from .model import _KEYS, AGE_BANDS, DAYS_PER_MONTH, NO_BAND

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..constants import MeasureConstants


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
        store,
        {"decision": "conclusion.decision", "began": "conclusion.date", "ended": "ending.date"},
    )
    work = work_dates(parts)
    if as_of is not None:
        work.loc[work["ended"] > pd.Timestamp(as_of), "ended"] = pd.NaT
    return points_from_scores(analysis.scores(store, as_of=as_of), work)


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
            c.conclusion.decision if c.conclusion is not None else None,
            c.conclusion.date if c.conclusion is not None else None,
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
