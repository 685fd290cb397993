"""Fitting an :class:`~.model.ExpectedModel`: centiles of change per stratum and month."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...errors import Problem, ScoringError
from .model import (
    _KEYS,
    AGE_BANDS,
    CENTILES,
    DEFAULT_MINIMUM,
    MAX_MONTH,
    METHOD,
    MODEL_FORMAT,
    REFERENCES,
    WINDOW_MONTHS,
    ExpectedModel,
    _band_order,
    _merge_strata,
    too_few_reason,
)
from .points import _age_label, _facts_per_row, _scale_facts, age_band_codes

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


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
