"""Split-half validation of the model against the rule-based alert."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .fitting import _lines, fit
from .model import _KEYS, DEFAULT_MINIMUM, ExpectedModel
from .points import _facts_per_row

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..constants import MeasureConstants


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
