"""Benchmark: expected progress (issue 23) against the rule-based alert, in the same run.

Run: ``.venv/bin/python bench/bench_expected.py [n_history] [n_caseload]``
(default 100,000 completed synthetic episodes and a caseload of 10,000 open ones).

1. Fitting: :func:`points_from_scores` and :func:`fit` on the history (goal <= 10 s),
   beside the rule-based alert judged at every administration of the same history
   (the vectorised rule the check uses: reliably worse, or not reliably better 6
   months after work began).
2. Judging a caseload: :func:`judge` on 10,000 children's SDQ series (goal <= 1 s),
   beside the rule-based alert as the reports run it (``service.trajectory`` and
   ``service.not_on_track`` on the same children), and beside the vectorised rule.

Synthetic episodes only (:func:`synthetic_history`: SDQ total, parent and teacher).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

import pandas as pd

from tswt_formulation.measures import expected as E
from tswt_formulation.measures.service import not_on_track, trajectory

GOAL_FIT, GOAL_JUDGE = 10.0, 1.0


def timed(label: str, fn: Any, repeat: int = 1) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"  {label}: {best:.3f} s")
    return best, out


def main(n_history: int = 100_000, n_caseload: int = 10_000) -> None:
    constants = E.synthetic_constants()
    informants = ("parent", "teacher")
    print(
        f"Synthetic history: {n_history:,} completed episodes, SDQ total, {', '.join(informants)}"
    )
    scores, work = E.synthetic_history(n_history, seed=23, informants=informants)
    print(f"  {len(scores):,} administrations")

    print("1. Fitting")
    t_points, points = timed("points_from_scores", lambda: E.points_from_scores(scores, work))
    t_fit, model = timed("fit", lambda: E.fit(points))
    t_rule_all, _flags = timed(
        "rule-based alert at every administration (vectorised)",
        lambda: E._rule_flags(points, 6, constants),
    )
    total = t_points + t_fit
    print(
        f"  fit with its points: {total:.2f} s (goal <= {GOAL_FIT:g} s: "
        f"{'met' if total <= GOAL_FIT else 'NOT met'}); "
        f"{total / t_rule_all:.1f} x the rule-based alert's time on the same history"
    )
    print(f"  {len(model.curves)} curves, {len(model.too_few)} strata with too few")

    print(f"2. Judging a caseload of {n_caseload:,} children (open episodes)")
    c_scores, c_work = E.synthetic_history(
        n_caseload, seed=99, informants=informants, ended_share=0.0
    )
    c_points = E.points_from_scores(c_scores, c_work)
    as_of = date(2026, 11, 20)
    t_judge, judged = timed("judge against the model", lambda: E.judge(model, c_points, as_of), 3)
    t_vec, _ = timed(
        "rule-based alert (vectorised, every administration)",
        lambda: E._rule_flags(c_points, 6, constants),
        3,
    )
    scored = c_scores.pivot_table(
        index=["case_id", "measure", "informant", "timepoint", "date"],
        columns="scale",
        values="value",
        observed=True,
    ).reset_index()
    started = dict(zip(c_work["case_id"], pd.to_datetime(c_work["work_began"]).dt.date))

    def rule() -> pd.DataFrame:
        traj = trajectory(scored, ["total"], reliability=0.80, sd=5.8)
        return not_on_track(traj, as_of, 6, work_started=started)

    t_rule, flagged = timed("rule-based alert (service.trajectory + not_on_track)", rule)
    below = E.below_band(judged)
    print(
        f"  judge: {t_judge:.3f} s (goal <= {GOAL_JUDGE:g} s: "
        f"{'met' if t_judge <= GOAL_JUDGE else 'NOT met'}); "
        f"{t_rule / t_judge:.1f} x faster than the rule-based alert as the reports run it, "
        f"{t_judge / t_vec:.1f} x the vectorised rule's time"
    )
    print(
        f"  {len(judged):,} series judged: {len(below):,} below their expected band "
        f"({(judged['status'] == 'below_10').sum():,} below the 10th-centile line); "
        f"the rule-based alert flags {len(flagged):,}"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
