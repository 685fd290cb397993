""":func:`change`: baseline to follow-up, with reliable change and the clinical category."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError, TswtError
from ..measures.change import CATEGORIES, CRITICAL_VALUE
from .base import CHANGE_COLUMNS, RELIABLE_CHANGE
from .score_table import _groups, _scores_given, _starts, _timepoint_rank

if TYPE_CHECKING:
    from ..measures.constants import MeasureConstants
    from ..store.store import CaseStore


def change(
    store_or_scores: CaseStore | pd.DataFrame,
    *,
    to: Literal["latest", "each"] = "latest",
    constants: MeasureConstants | str | Path | None = None,
    critical_value: float = CRITICAL_VALUE,
    as_of: date | str | None = None,
) -> pd.DataFrame:
    """Change from baseline, with reliable change and the clinical category.

    Parameters
    ----------
    store_or_scores : CaseStore or DataFrame
        A store (its :func:`scores` are read), or a frame shaped like :func:`scores`'
        (columns ``case_id``, ``measure``, ``informant``, ``version``, ``date``,
        ``timepoint``, ``scale``, ``value``).
    to : {"latest", "each"}, default "latest"
        Baseline against the latest scored follow-up (one row per case, measure,
        informant and scale; series with no follow-up kept, unpaired), or against each
        follow-up in turn.
    constants : MeasureConstants, path, or list of dict, optional
        The team's reliable-change constants (default ``TSWT_MEASURE_CONSTANTS``): a
        loaded file, its path, or its ``constants`` entries as dicts; where
        a scale has none, the measure definition's; where neither, no reliable change
        and no category (``constants_source`` says so).
    critical_value : float, default 1.959964
        Two-sided z for reliable change.
    as_of : date or ISO text, optional
        Ignore administrations after this day.

    Returns
    -------
    DataFrame
        Columns :data:`CHANGE_COLUMNS`: the baseline's date, form and value; the
        follow-up's date, timepoint, form and value; ``paired``; ``difference``
        (follow-up - baseline), ``threshold`` (raw points needed), ``rci``;
        ``reliable_change`` (improved / none / deteriorated, in the scale's better
        direction) and ``category`` (Recovered / Improved / Unchanged / Deteriorated /
        Harmed) as categoricals; ``clinical_cutoff`` where both forms share one.

    Notes
    -----
    Baseline is the earliest administration at timepoint "baseline" with a value; the
    latest follow-up the last after it in timepoint order (review 1 < review 2 < ...
    < closure; ties by date). Reliable change (Jacobson & Truax, 1991): RCI =
    difference / (sqrt(2) SD sqrt(1 - r)), reliable when \\|RCI\\| > ``critical_value``;
    with a raw-points constant (GBO's 2.45), when the change is at least that many
    points. Each scale's better direction comes from its definition (SDQ prosocial and
    goals: higher is better). Recovered: clinical at baseline (strictly beyond the
    form's cut-off), functional at follow-up (strictly inside) and reliably improved;
    Harmed: neither and reliably worse. A form without a cut-off (SDQ 18+), or a change
    of form whose cut-offs differ, gives reliable change only.

    Examples
    --------
    Two parent SDQ totals (team constants r 0.80, SD 5: 6.2 points are needed):

    >>> import pandas as pd, tswt_formulation as tswt
    >>> s = pd.DataFrame({"case_id": ["TSW-000001"] * 2, "measure": "sdq", "informant": "parent",
    ...                   "version": "P4-17", "date": pd.to_datetime(["2026-01-05", "2026-07-01"]),
    ...                   "timepoint": ["baseline", "review 1"], "scale": "total", "value": [22, 12]})
    >>> team = [{"measure": "sdq", "scores": ["total"], "r": 0.80, "sd": 5, "source": "a worked example"}]
    >>> c = tswt.analysis.change(s, constants=team)
    >>> c[["baseline_value", "value", "difference", "reliable_change", "category"]]
       baseline_value  value  difference reliable_change   category
    0              22     12       -10.0        improved  Recovered
    >>> round(c.loc[0, "threshold"], 2)  # 1.959964 x sqrt(2) x 5 x sqrt(1 - 0.8)
    np.float64(6.2)
    """
    from ..measures.constants import MeasureConstants, active_constants, load_constants

    frame = _scores_given(store_or_scores, "change()", as_of)
    if to not in ("latest", "each"):
        raise ScoringError([Problem("change()", "to", f"{to!r} must be 'latest' or 'each'")])
    if constants is None:
        team = active_constants()
    elif isinstance(constants, MeasureConstants):
        team = constants
    elif isinstance(constants, list):
        team = _inline_constants(constants)
    else:
        team = load_constants(constants)
    return _change(frame, to, team, float(critical_value))


def _inline_constants(entries: list[dict[str, Any]]) -> MeasureConstants:
    from pydantic import ValidationError

    from ..measures.constants import MeasureConstants, _File

    try:
        parsed = _File.model_validate({"version": "given", "constants": entries})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ScoringError(
            [
                Problem(
                    "change()",
                    "constants." + ".".join(str(p) for p in err["loc"][1:]),
                    err["msg"].removeprefix("Value error, "),
                )
            ]
        ) from None
    return MeasureConstants("given", "", tuple(parsed.constants))


def _change(frame: pd.DataFrame, to: str, team: MeasureConstants | None, z: float) -> pd.DataFrame:
    """Vectorised on integer codes: one sort of the scores, then baseline and follow-up
    picked per series by position; constants and cut-offs looked up once per family."""
    from ..measures.change import _numbers

    value = _numbers(frame, "value")
    keep = ~np.isnan(value)
    everything = bool(keep.all())  # the usual case: no copies of 3 million rows to drop none

    def kept(a: Any) -> Any:
        return a if everything else a[keep]

    cols = {
        c: kept(
            frame[c]
            if isinstance(frame[c].dtype, pd.CategoricalDtype)
            else frame[c].astype("category")
        )
        for c in ("measure", "informant", "scale", "version", "timepoint")
    }
    ids = kept(frame["case_id"].astype(object).to_numpy())
    if (
        len(ids) and pd.Series(ids).is_monotonic_increasing
    ):  # as scores() gives them: codes without hashing
        starts = np.r_[True, ids[1:] != ids[:-1]]
        case_codes, case_ids = np.cumsum(starts, dtype=np.int64) - 1, ids[starts]
        del starts
    else:
        case_codes, case_ids = pd.factorize(ids, sort=True)
    del ids
    value = kept(value)
    day = kept(pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[ns]")).view(np.int64)
    rank = _timepoint_rank(cols["timepoint"])
    nm, ni, ns = (len(cols[c].cat.categories) for c in ("measure", "informant", "scale"))
    series = case_codes.astype(np.int64) * (nm * ni * ns)
    del case_codes
    series += (
        cols["measure"].cat.codes.to_numpy().astype(np.int64) * ni
        + cols["informant"].cat.codes.to_numpy()
    ) * ns + cols["scale"].cat.codes.to_numpy()
    order = np.lexsort((day, rank, series))
    series = series[order]
    rank = rank[order]
    is_base = rank == 0
    # baseline: the first "baseline" row of each series (earliest by date)
    base_rows, base_series = order[is_base], series[is_base]
    first = _starts(base_series)  # sorted: the first of each run, no hashing
    base_rows, base_series = base_rows[first], base_series[first]
    # follow-ups: every later row, or the last of each series
    follow_rows, follow_series = order[~is_base], series[~is_base]
    if to == "latest":
        last = (
            np.flatnonzero(np.r_[follow_series[1:] != follow_series[:-1], True])
            if len(follow_series)
            else np.zeros(0, int)
        )
        follow_rows, follow_series = follow_rows[last], follow_series[last]
        out_series = series[_starts(series)]
        at = np.searchsorted(follow_series, out_series)
        has_follow = (
            (at < len(follow_series))
            & (follow_series[np.minimum(at, len(follow_series) - 1)] == out_series)
            if len(follow_series)
            else np.zeros(len(out_series), dtype=bool)
        )
        rows = (
            np.where(has_follow, follow_rows[np.minimum(at, max(len(follow_rows) - 1, 0))], -1)
            if len(follow_rows)
            else np.full(len(out_series), -1)
        )
    else:
        out_series, rows = follow_series, follow_rows
    at = np.searchsorted(base_series, out_series)
    has_base = (
        (at < len(base_series))
        & (base_series[np.minimum(at, max(len(base_series) - 1, 0))] == out_series)
        if len(base_series)
        else np.zeros(len(out_series), dtype=bool)
    )
    brows = (
        np.where(has_base, base_rows[np.minimum(at, max(len(base_rows) - 1, 0))], -1)
        if len(base_rows)
        else np.full(len(out_series), -1)
    )

    del series, rank, is_base, order

    def pick(a: np.ndarray, at_rows: np.ndarray, missing: Any) -> np.ndarray:
        got = a[np.maximum(at_rows, 0)] if len(a) else np.full(len(at_rows), missing)
        return np.where(at_rows >= 0, got, missing)

    def pick_cat(c: str, at_rows: np.ndarray) -> pd.Categorical:
        codes = pick(cols[c].cat.codes.to_numpy().astype(np.int32), at_rows, -1)
        return pd.Categorical.from_codes(codes, categories=cols[c].cat.categories)

    fam_out = out_series % (nm * ni * ns)
    s_out, mi = fam_out % ns, fam_out // ns
    i_out, m_out = mi % ni, mi // ni
    pre, post = pick(value, brows, np.nan), pick(value, rows, np.nan)
    paired = ~np.isnan(pre) & ~np.isnan(post)
    diff = np.where(paired, post - pre, np.nan)

    cat_m, cat_i, cat_s = (cols[c].cat.categories for c in ("measure", "informant", "scale"))
    threshold = np.full(len(out_series), np.nan)
    sdiff = np.full(len(out_series), np.nan)
    points = np.full(len(out_series), np.nan)
    sign = np.zeros(len(out_series))
    sources: list[str] = []
    source_code = np.zeros(len(out_series), dtype=np.int32)
    for idx in _groups(fam_out):  # a few families: measure, informant, scale
        f = fam_out[idx[0]]
        d, r, sd, pts, src = _constants(
            str(cat_m[m_out[idx[0]]]), str(cat_s[s_out[idx[0]]]), str(cat_i[i_out[idx[0]]]), team
        )
        del f
        sign[idx] = 1.0 if d == "higher" else -1.0
        if src not in sources:
            sources.append(src)
        source_code[idx] = sources.index(src)
        if pts is not None:
            points[idx] = threshold[idx] = pts
        elif r is not None and sd is not None:
            sdiff[idx] = np.sqrt(2.0) * sd * np.sqrt(1.0 - r)
            threshold[idx] = z * sdiff[idx]
    directed = sign * diff
    with np.errstate(invalid="ignore", divide="ignore"):
        rci = np.where(np.isnan(sdiff), np.nan, diff / sdiff)
    by_rci = ~np.isnan(sdiff) & paired
    by_points = ~np.isnan(points) & paired
    improved = (by_rci & (sign * rci > z)) | (by_points & (directed >= points))
    worse = (by_rci & (sign * rci < -z)) | (by_points & (directed <= -points))
    known = by_rci | by_points
    rc = np.where(improved, 0, np.where(worse, 2, 1)).astype(np.int8)
    rc[~known] = -1

    # Clinical cut-off: the same on both forms, else none (reliable change only).
    v_codes = cols["version"].cat.codes.to_numpy().astype(np.int64)
    nv = len(cols["version"].cat.categories)
    vb, vf = pick(v_codes, brows, -1), pick(v_codes, rows, -1)
    cutoff = np.full(len(out_series), np.nan)
    forms = (fam_out * (nv + 1) + (vb + 1)) * (nv + 1) + (vf + 1)
    versions = cols["version"].cat.categories
    for idx in _groups(forms):
        j = idx[0]
        if vb[j] < 0 or vf[j] < 0:
            continue
        mm, ss, ii = str(cat_m[m_out[j]]), str(cat_s[s_out[j]]), str(cat_i[i_out[j]])
        cb, cf = _cutoff(mm, ss, ii, versions[vb[j]]), _cutoff(mm, ss, ii, versions[vf[j]])
        if cb is not None and cb == cf:
            cutoff[idx] = cb
    has_cut = ~np.isnan(cutoff)
    clinical_pre = has_cut & (-sign * pre > -sign * cutoff)  # beyond the cut-off on the worse side
    functional_post = has_cut & (-sign * post < -sign * cutoff)
    # categories: Recovered 0, Improved 1, Unchanged 2, Deteriorated 3, Harmed 4 (CATEGORIES)
    category = np.where(rc == 0, 1, np.where(rc == 2, 3, 2)).astype(np.int8)
    category[(rc == 0) & clinical_pre & functional_post] = 0
    category[(rc == 2) & ~clinical_pre & ~functional_post & has_cut] = 4
    category[(rc < 0) | ~paired] = -1

    def ints(a: np.ndarray) -> pd.arrays.IntegerArray:
        missing = np.isnan(a)
        return pd.arrays.IntegerArray(np.where(missing, 0, a).astype(np.int64), missing)

    case_out = np.asarray(case_ids, dtype=object)[out_series // (nm * ni * ns)]
    out = pd.DataFrame(
        {
            "case_id": pd.array(case_out, dtype="string"),
            "measure": pd.Categorical.from_codes(m_out.astype(np.int32), categories=cat_m),
            "informant": pd.Categorical.from_codes(i_out.astype(np.int32), categories=cat_i),
            "scale": pd.Categorical.from_codes(s_out.astype(np.int32), categories=cat_s),
            "baseline_date": pick(day, brows, np.iinfo(np.int64).min).view("datetime64[ns]"),
            "baseline_version": pick_cat("version", brows),
            "baseline_value": ints(pre),
            "date": pick(day, rows, np.iinfo(np.int64).min).view("datetime64[ns]"),
            "timepoint": pick_cat("timepoint", rows),
            "version": pick_cat("version", rows),
            "value": ints(post),
            "paired": paired,
            "difference": pd.array(diff, dtype="Float64"),
            "threshold": threshold,
            "rci": rci,
            "reliable_change": pd.Categorical.from_codes(rc, categories=list(RELIABLE_CHANGE)),
            "clinical_cutoff": cutoff,
            "category": pd.Categorical.from_codes(
                category, categories=list(CATEGORIES), ordered=True
            ),
            "constants_source": pd.Categorical.from_codes(source_code, categories=sources).astype(
                "string"
            )
            if sources
            else pd.array([], dtype="string"),
        }
    )
    return out[list(CHANGE_COLUMNS)]


def _constants(
    measure: str, scale: str, informant: str, team: MeasureConstants | None
) -> tuple[str, float | None, float | None, float | None, str]:
    """(better, r, sd, points, source) of one scale: the team's, else the definition's."""
    from ..measures.definition import load_measure

    try:
        better = str(load_measure(measure).better(scale))
    except (TswtError, KeyError):
        return "lower", None, None, None, f"no definition of {measure} {scale}"
    c = team.lookup(measure, scale, informant) if team is not None else None
    if c is not None:
        return better, c.r, c.sd, c.points, c.source
    try:
        from ..measures.service import definition_constants

        r, sd, _b = definition_constants(measure, scale, informant)
        return better, r, sd, None, "the measure's definition"
    except (TswtError, LookupError) as exc:
        return better, None, None, None, f"no reliable-change constants: {str(exc).splitlines()[0]}"


def _cutoff(measure: str, scale: str, informant: str, version: Any) -> float | None:
    from ..measures.outcomes import clinical_cutoff_value

    if version is None or (not isinstance(version, str) and pd.isna(version)):
        return None
    return clinical_cutoff_value(measure, scale, informant, version=str(version))
