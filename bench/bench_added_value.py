"""Benchmark: the SDQ Added Value Score and the informant comparison over a synthetic
caseload, against a straightforward per-child Python loop of the same rules.

Run: ``.venv/bin/python bench/bench_added_value.py [n_children]`` (default 20,000)

The loops implement docs/change.md's rules one child at a time (baseline the earliest
parent/carer "baseline"; the follow-up nearest 6 months within 4-8; pairs of informants
within 30 days, nearest first). They run on a sample, their time scaled to the full size,
and their results are compared with the library's on that sample, so the ratio is between
implementations that agree.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from tswt_formulation.measures.added_value import added_value_scores
from tswt_formulation.measures.constants import MeasureConstants, _Entry
from tswt_formulation.measures.informants import informant_comparison

TEAM = MeasureConstants(
    "bench", "", (_Entry(measure="sdq", scores=["total"], r=0.8, sd=5, source="bench only"),)
)


def synthetic(n: int, seed: int = 23) -> pd.DataFrame:
    """Per child: a parent baseline (impact missing 5%), 1-3 parent follow-ups 2-11 months
    on, a teacher SDQ within 0-40 days of the baseline (70%); 10% self-report only."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, pd.Timestamp, str, int, int, int | None]] = []
    start = pd.Timestamp("2025-01-06")
    for i in range(n):
        cid = f"TSW-{i:06d}"
        base = start + pd.Timedelta(days=int(rng.integers(0, 300)))
        t1 = int(rng.integers(10, 36))
        if rng.random() < 0.10:
            rows.append((cid, "self", base, "baseline", t1, int(rng.integers(0, 10)), 3))
            continue
        impact = None if rng.random() < 0.05 else int(rng.integers(0, 10))
        rows.append((cid, "parent", base, "baseline", t1, int(rng.integers(0, 10)), impact))
        for k in range(int(rng.integers(1, 4))):
            day = base + pd.Timedelta(days=int(rng.integers(60, 335)))
            t2 = int(np.clip(t1 + rng.normal(-3, 6), 0, 40))
            rows.append((cid, "parent", day, f"review {k + 1}", t2, 4, 2))
        if rng.random() < 0.7:
            day = base + pd.Timedelta(days=int(rng.integers(0, 41)))
            rows.append((cid, "teacher", day, "baseline", int(rng.integers(5, 36)), 3, 2))
    frame = pd.DataFrame(
        rows, columns=["case_id", "informant", "date", "timepoint", "total", "emotional", "impact"]
    )
    frame["version"] = frame["informant"].map(
        {"parent": "P4-17", "teacher": "T4-17", "self": "S11-17"}
    )
    frame["age"] = 10
    return frame


def loop_avs(frame: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for cid, g in frame.groupby("case_id", sort=False):
        parent = [r for r in g.itertuples() if r.informant == "parent" and not pd.isna(r.total)]
        bases = sorted((r for r in parent if r.timepoint == "baseline"), key=lambda r: r.date)
        if not bases or pd.isna(bases[0].impact) or pd.isna(bases[0].emotional):
            continue
        b = bases[0]
        best = None
        for r in parent:
            if r.date <= b.date:
                continue
            months = (r.date - b.date).days / 30.4375
            if 4 <= months <= 8 and (best is None or abs(months - 6) < best[0]):
                best = (abs(months - 6), r)
        if best is None:
            continue
        out[str(cid)] = 2.3 + 0.8 * b.total + 0.2 * b.impact - 0.3 * b.emotional - best[1].total
    return out


def loop_pairs(frame: pd.DataFrame, window: int = 30) -> int:
    n = 0
    order = ["parent", "teacher", "self"]
    for _cid, g in frame.groupby("case_id", sort=False):
        rows = list(g.itertuples())
        for i, a in enumerate(order):
            for b in order[i + 1 :]:
                cands = sorted(
                    (abs((y.date - x.date).days), x.Index, y.Index)
                    for x in rows
                    if x.informant == a
                    for y in rows
                    if y.informant == b and abs((y.date - x.date).days) <= window
                )
                used_a: set[int] = set()
                used_b: set[int] = set()
                for _d, xa, yb in cands:
                    if xa not in used_a and yb not in used_b:
                        used_a.add(xa)
                        used_b.add(yb)
                        n += 1
    return n


def timed(fn: Any, *args: Any, repeat: int = 3) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(n: int = 20_000, sample: int = 2_000) -> None:
    frame = synthetic(n)
    print(f"{n:,} synthetic children, {len(frame):,} SDQ administrations")
    t_avs, avs = timed(added_value_scores, frame)
    t_inf, pairs = timed(informant_comparison, frame, 30, TEAM)
    ids = set(frame["case_id"].drop_duplicates().head(sample))
    part = frame[frame["case_id"].isin(ids)]
    t_loop_avs, looped = timed(loop_avs, part, repeat=1)
    t_loop_inf, looped_pairs = timed(loop_pairs, part, repeat=1)
    scale = n / sample
    mine = avs[avs["applies"] & avs["case_id"].isin(ids)].set_index("case_id")["avs"]
    assert set(mine.index) == set(looped), "the loop and the library chose different children"
    assert all(abs(mine[k] - v) < 1e-9 for k, v in looped.items()), "AVS differ"
    mine_pairs = pairs[pairs["case_id"].isin(ids) & (pairs["scale"] == "total")]
    assert len(mine_pairs) == looped_pairs, (len(mine_pairs), looped_pairs)
    print(
        f"added_value_scores: {t_avs:.3f} s; per-child loop {t_loop_avs * scale:.2f} s "
        f"(timed on {sample:,}, scaled): {t_loop_avs * scale / t_avs:.0f}x faster; "
        f"{int(avs['applies'].sum()):,} children with an AVS"
    )
    print(
        f"informant_comparison: {t_inf:.3f} s; per-child loop {t_loop_inf * scale:.2f} s "
        f"(timed on {sample:,}, scaled): {t_loop_inf * scale / t_inf:.1f}x faster; "
        f"{len(pairs):,} scale comparisons"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
