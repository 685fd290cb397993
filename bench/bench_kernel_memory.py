"""Issue 19: the ``--engine kernel`` worker's memory over many reports. Before, each
report left nbclient's kernel client open (a zmq context, two threads, sockets, and an
iopub socket queueing every later report's output): the worker grew ~7 MB a report.
Now each run's clients are closed, and the kernel is recycled every ``KERNEL_RUNS``.
The "before" row runs the same code with the clients left open and no recycling.

One process plays a batch worker: it runs N formulation reports one after another
through ``reports.execute`` with the kernel engine, and after each report samples (psutil)
the resident memory of itself and of its kernel. Printed: the memory after the first
report, a quarter through and at the end, the growth per report between the quarter and
the end, and the ratio end / quarter (1.0 is flat). The in-process engine is shown too,
for comparison.

Run:  python bench/bench_kernel_memory.py            # 200 reports each way (a few minutes)
      python bench/bench_kernel_memory.py --quick    # 60 reports
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
try:
    from tswt_formulation.reports.execute import KERNEL_RUNS as recycle
except ImportError:  # pragma: no cover
    recycle = 0


def rss_mb(include_children: bool) -> float:
    import psutil

    me = psutil.Process()
    procs = [me, *me.children(recursive=True)] if include_children else [me]
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):  # a child that ended meanwhile
            total += p.memory_info().rss
    return total / 2**20


def run(n: int, engine: str, before: bool, store: str, ids: list[str]) -> dict[str, float]:
    from tswt_formulation.reports import execute as ex
    from tswt_formulation.reports.resources import notebook_path

    close = ex._close_client
    if before:  # as it was: the clients left open, the kernel never recycled
        ex._close_client, ex.KERNEL_RUNS = (lambda kc: None), 0
    nb = str(notebook_path("formulation"))
    samples: list[float] = []
    start = time.perf_counter()
    for i in range(n):
        ex.execute(
            nb, {"case_id": ids[i % len(ids)], "store": store, "as_of": "2026-11-20"}, engine=engine
        )
        samples.append(rss_mb(include_children=True))
    seconds = time.perf_counter() - start
    ex.shutdown_sessions()
    ex._close_client, ex.KERNEL_RUNS = close, recycle
    quarter, end = samples[n // 4 - 1], samples[-1]
    return {
        "first": samples[0],
        "quarter": quarter,
        "end": end,
        "max": max(samples),
        "per_report": (end - quarter) / (n - n // 4),
        "ratio": end / quarter,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="60 reports each way, not 200")
    parser.add_argument("-n", type=int, default=None)
    args = parser.parse_args()
    n = args.n or (60 if args.quick else 200)

    from tswt_formulation import open_store
    from tswt_formulation.demo import generate_caseload
    from tswt_formulation.reports.batch import without_iri_grammars

    without_iri_grammars()
    folder = tempfile.mkdtemp(prefix="tswt-bench-kernel-")
    store = os.path.join(folder, "demo.sqlite")
    cases = generate_caseload(20, seed=1)
    with open_store(store, user="bench", create=True) as s:
        s.import_cases(cases)
    ids = [c.case_id for c in cases]
    print(f"{n} formulation reports in one worker; memory is the worker plus its kernel (MB)")
    print(
        f"{'engine':34} {'first':>7} {'quarter':>8} {'end':>7} {'max':>7} {'MB/report':>10} {'end/quarter':>12} {'s/report':>9}"
    )
    for label, engine, before in (
        ("kernel (now)", "kernel", False),
        ("inprocess (default engine)", "inprocess", False),
        ("kernel, clients left open (before)", "kernel", True),
    ):
        r = run(n, engine, before, store, ids)
        print(
            f"{label:34} {r['first']:7.0f} {r['quarter']:8.0f} {r['end']:7.0f} {r['max']:7.0f} {r['per_report']:10.2f}"
            f" {r['ratio']:12.2f} {r['seconds'] / n:9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
