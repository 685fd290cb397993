"""Episodes generated with a known expected course (tests, bench)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .model import DAYS_PER_MONTH

if TYPE_CHECKING:
    import pandas as pd

    from ..constants import MeasureConstants


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
