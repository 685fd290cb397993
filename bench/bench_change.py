"""Benchmark: change() on 100,000 synthetic pre/post pairs against a per-row Python loop.

Run: ``.venv/bin/python bench/bench_change.py [n_rows]``

The loop implements the same formulas (Jacobson & Truax, 1991; docs/change.md) one row at
a time, as a straightforward implementation would. It runs on a sample and its time is
scaled to the full size when the full run would be slow; the two results are compared
on the sample so the speed-up is between implementations that agree.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pandas as pd

from tswt_formulation.measures.change import change

RELIABILITY, SD, CUTOFF, Z = 0.80, 5.0, 15.0, 1.959964


def synthetic_pairs(n: int, seed: int = 20250331) -> pd.DataFrame:
    """SDQ-total-like synthetic pairs (0-40), about 3% with a missing post score."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(5, 36, size=n).astype(float)
    post = np.clip(pre + rng.normal(-3, 6, size=n).round(), 0, 40)
    post[rng.random(n) < 0.03] = np.nan
    return pd.DataFrame({"case_id": [f"TSW-{i:06d}" for i in range(n)], "pre": pre, "post": post})


def loop_change(pairs: pd.DataFrame) -> list[tuple[float, str | None, str | None]]:
    """The same formulas, one row at a time (lower is better, cut-off given)."""
    s_diff = math.sqrt(2.0) * SD * math.sqrt(1.0 - RELIABILITY)
    out: list[tuple[float, str | None, str | None]] = []
    for _, row in pairs.iterrows():
        pre, post = row["pre"], row["post"]
        if pd.isna(pre) or pd.isna(post):
            out.append((math.nan, None, None))
            continue
        rci = (post - pre) / s_diff
        reliable = "improved" if -rci > Z else "deteriorated" if -rci < -Z else "none"
        clinical, functional = pre > CUTOFF, post < CUTOFF
        if reliable == "improved":
            category = "Recovered" if clinical and functional else "Improved"
        elif reliable == "deteriorated":
            category = "Harmed" if not clinical and not functional else "Deteriorated"
        else:
            category = "Unchanged"
        out.append((rci, reliable, category))
    return out


def main(n: int = 100_000, sample: int = 10_000) -> None:
    pairs = synthetic_pairs(n)
    change(pairs.head(100), reliability=RELIABILITY, sd=SD, cutoff_value=CUTOFF)  # warm up
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        result = change(pairs, reliability=RELIABILITY, sd=SD, cutoff_value=CUTOFF)
        best = min(best, time.perf_counter() - t0)
    n_loop = min(n, sample)
    part = pairs.head(n_loop)
    t0 = time.perf_counter()
    looped = loop_change(part)
    loop_time = time.perf_counter() - t0
    loop_scaled = loop_time * n / n_loop

    head = result.head(n_loop)
    rci = np.array([r[0] for r in looped])
    same = (
        np.allclose(head["rci"].to_numpy(), rci, equal_nan=True)
        and head["reliable_change"].tolist() == [r[1] for r in looped]
        and head["category"].tolist() == [r[2] for r in looped]
    )
    print(f"rows: {n:,} (paired {int(result['paired'].sum()):,})")
    print(f"change() vectorised: {best:.4f} s  -> {n / best:,.0f} rows/s (best of 3)")
    scaled = " (timed on {} rows, scaled)".format(f"{n_loop:,}") if n_loop < n else ""
    print(f"per-row Python loop: {loop_scaled:.4f} s  -> {n / loop_scaled:,.0f} rows/s{scaled}")
    print(f"speed-up: {loop_scaled / best:,.1f}x; results identical on the loop's rows: {same}")
    if not same:
        raise SystemExit("vectorised and loop results differ")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
