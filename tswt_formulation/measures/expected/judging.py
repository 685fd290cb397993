"""Judging each series of a caseload against a fitted model: below band, how far, since when."""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from .fitting import _lines
from .model import _KEYS, DAYS_PER_MONTH, MAX_MONTH, RULE_BASED, ExpectedModel, too_few_reason
from .points import _age_label, age_band_codes

if TYPE_CHECKING:
    import pandas as pd


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
