"""Caseload-wide scores and change at 100,000 cases: tswt.analysis against the loop.

The store: 10,000 synthetic cases imported through the store's API (which writes the
scores table, migration 7), grown to 100,000 by copying their rows (cases and scores)
under the other synthetic ids; or, with ``TSWT_BENCH_STORE``, an existing store (e.g.
``tswt demo --cases 100000``).

Measured, each in a fresh process (wall time and peak memory, ``ru_maxrss``):

- new: ``tswt.analysis.scores(store)`` and ``tswt.analysis.change(store)`` (baseline to
  latest, reliable change and category on the demo's illustrative constants), then a
  grouped summary (category counts by informant and scale);
- baseline, in the same run: the loop the issue describes, every case read with
  ``store.cases()`` and scored (``case_scores``), its trajectories, baseline against
  latest and clinical categories (``outcome_trajectories``, ``baseline_vs_latest``,
  ``with_clinical_categories``) and the same grouped summary. ``--sample N`` times the
  baseline on every (100,000 / N)-th case and scales it (say so when used).

``--cases N`` builds a smaller store (a smoke run). Goals (issue 24), on a 2-core machine: scores and change <= 5 s and <= 1 GB. Printed,
not asserted; the ratios are printed beside them.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 20)
IMPORTED = 10_000
TOTAL = 100_000
CONSTANTS = str(
    Path(__file__).resolve().parents[1]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "demo_constants.yaml"
)
GOAL_S, GOAL_MB = 5.0, 1024.0


def build(path: str, total: int) -> None:
    import sqlalchemy as sa

    from tswt_formulation import open_store
    from tswt_formulation.demo import generate_caseload, synthetic_id
    from tswt_formulation.store import schema

    t = time.perf_counter()
    imported = min(IMPORTED, total)
    cases = generate_caseload(imported, seed=11, as_of=AS_OF)
    with open_store(path, create=True, user="bench") as s:
        s.import_cases(cases)
        with s.engine.begin() as conn:
            rows = [
                dict(r)
                for r in conn.execute(
                    sa.select(schema.cases).order_by(schema.cases.c.case_id)
                ).mappings()
            ]
            scores: dict[str, list[dict]] = {}
            for r in conn.execute(sa.select(schema.scores)).mappings():
                scores.setdefault(r["case_id"], []).append(dict(r))
            for start in range(imported + 1, total + 1, 5_000):
                case_rows, score_rows = [], []
                for number in range(start, min(start + 5_000, total + 1)):
                    row = rows[(number - 1) % imported]
                    new = synthetic_id(number)
                    old = f'"case_id":"{row["case_id"]}"'
                    case_rows.append(
                        dict(
                            row,
                            case_id=new,
                            record=row["record"].replace(old, f'"case_id":"{new}"'),
                        )
                    )
                    score_rows += [dict(sr, case_id=new) for sr in scores.get(row["case_id"], [])]
                conn.execute(schema.cases.insert(), case_rows)
                if score_rows:
                    conn.execute(schema.scores.insert(), score_rows)
    print(
        f"store: {imported:,} cases generated and imported, grown to {total:,} by copying rows "
        f"({time.perf_counter() - t:.0f} s, setup, not measured)"
    )


def measure(kind: str, path: str, sample: int) -> dict:
    """In this (fresh) process: run one side, return seconds, peak MB and the figures."""
    import pandas as pd

    from tswt_formulation import analysis, open_store
    from tswt_formulation.measures.constants import load_constants

    constants = load_constants(CONSTANTS)
    t = time.perf_counter()
    with open_store(path, user="t.harper") as store:
        if kind == "new":
            s = analysis.scores(store)
            c = analysis.change(
                s, constants=constants
            )  # from the scores just read, as an analyst would
            n_scores = len(s)
        else:
            from tswt_formulation.measures.outcomes import (
                case_scores,
                outcome_trajectories,
                with_clinical_categories,
            )
            from tswt_formulation.measures.service import baseline_vs_latest

            ids = None
            if sample:
                all_ids = store.case_ids()
                ids = all_ids[:: max(1, len(all_ids) // sample)][:sample]
            s = case_scores(store.cases(ids))
            n_scores = len(s)
            c = with_clinical_categories(
                baseline_vs_latest(outcome_trajectories(s, constants)),
                "baseline_value",
                "latest_value",
            )
            c = c.rename(columns={"score": "scale"})
        summary = (
            c[c["paired"]]
            .groupby(["informant", "scale"], observed=True)["category"]
            .value_counts()
            .unstack(fill_value=0)
        )
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from tswt_formulation.measures.outcomes import TRACKED

    tracked = c["scale"].astype(object).isin({x for scales in TRACKED.values() for x in scales})
    cats = c.loc[c["paired"] & tracked, "category"].astype(object).value_counts().to_dict()
    del pd
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "scores": n_scores,
        "series": len(c),
        "summary_rows": len(summary),
        "categories": {str(k): int(v) for k, v in cats.items()},
    }


def run(kind: str, path: str, sample: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, path, str(sample)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"the {kind} side failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure(argv[1], argv[2], int(argv[3]))))
        return 0
    sample = int(argv[argv.index("--sample") + 1]) if "--sample" in argv else 0
    total = (
        int(argv[argv.index("--cases") + 1]) if "--cases" in argv else TOTAL
    )  # fewer: a quick smoke run
    tmp = None
    path = os.environ.get("TSWT_BENCH_STORE")
    if not path:
        tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-analysis-"))
        path = str(tmp / "analysis.sqlite")
        build(path, total)
    try:
        new = run("new", path)
        old = run("old", path, sample)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    scale = total / sample if sample else 1.0
    old_s = old["seconds"] * scale
    print(
        f"tswt.analysis scores + change + grouped summary: {new['seconds']:6.2f} s, peak {new['peak_mb']:6.0f} MB "
        f"({new['scores']:,} scores, {new['series']:,} series)"
    )
    what = f"timed on {sample:,} cases, scaled x{scale:.0f}" if sample else "every case"
    print(
        f"baseline, the loop over store.cases() ({what}): {old_s:6.2f} s, peak {old['peak_mb']:6.0f} MB"
        f"{' (peak of the sample only)' if sample else ''} ({old['scores']:,} administrations scored, {old['series']:,} series)"
    )
    print(
        f"ratio: {old_s / new['seconds']:.1f}x faster, {old['peak_mb'] / new['peak_mb']:.1f}x less memory"
    )
    if not sample and new["categories"] != old["categories"]:
        print(
            f"NOTE: the categories differ: new {new['categories']} vs loop {old['categories']} "
            "(the loop keeps series with no value at all, unpaired)"
        )
    else:
        print(f"same categories of paired change: {new['categories']}" if not sample else "")
    met = new["seconds"] <= GOAL_S and new["peak_mb"] <= GOAL_MB
    print(
        f"goal: scores and change at {total:,} cases <= {GOAL_S:.0f} s and <= {GOAL_MB:.0f} MB: "
        f"{'met' if met else 'NOT met'} ({new['seconds']:.2f} s, {new['peak_mb']:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
