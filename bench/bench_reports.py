"""The monthly batch: formulation reports (HTML) for 500 demo cases.

Baseline in the same run: the naive loop, for each case the papermill CLI and then the
nbconvert CLI, one case at a time, timed on a sample and scaled. Target (issue 7) on a
2-core machine: 500 reports in under 5 minutes and at least 3 times the naive loop.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tswt_formulation import open_store
from tswt_formulation.demo import generate_caseload
from tswt_formulation.reports.batch import run_reports

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 20)
N = int(os.environ.get("BENCH_REPORTS", "500"))
SAMPLE = int(os.environ.get("BENCH_NAIVE_SAMPLE", "6"))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-reports-"))
    store = str(tmp / "demo.sqlite")
    with open_store(store, create=True, user="bench") as s:
        s.import_cases(generate_caseload(N, seed=21, as_of=AS_OF))
        ids = s.case_ids()
    bindir = Path(sys.executable).parent
    notebook = ROOT / "notebooks" / "formulation_report.ipynb"

    # Naive loop on a sample: papermill CLI then nbconvert CLI per case.
    naive_dir = tmp / "naive"
    naive_dir.mkdir()
    start = time.perf_counter()
    for cid in ids[:SAMPLE]:
        out_nb = naive_dir / f"{cid}.ipynb"
        subprocess.run(
            [
                str(bindir / "papermill"),
                str(notebook),
                str(out_nb),
                "-p",
                "case_id",
                cid,
                "-p",
                "store",
                store,
                "-p",
                "as_of",
                AS_OF.isoformat(),
                "--no-progress-bar",
                "--log-level",
                "ERROR",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                str(bindir / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--template",
                "tswt_report",
                f"--TemplateExporter.extra_template_basedirs={ROOT / 'templates'}",
                "--no-input",
                str(out_nb),
            ],
            check=True,
            capture_output=True,
        )
    naive_each = (time.perf_counter() - start) / SAMPLE
    print(
        f"naive loop (papermill CLI + nbconvert CLI), {SAMPLE} cases: {naive_each:.2f} s per report "
        f"-> {N} would take {naive_each * N / 60:.1f} min ({60 / naive_each:.1f} reports/min)"
    )

    start = time.perf_counter()
    summary = run_reports(ids, "formulation", store, tmp / "batch", as_of=AS_OF, progress=False)
    secs = time.perf_counter() - start
    assert summary.all_ok, summary.text()
    per_min = len(ids) / secs * 60
    print(
        f"run_reports, {len(ids)} reports, {os.cpu_count()} workers: {secs:.1f} s ({per_min:.0f} reports/min, "
        f"{secs / len(ids):.2f} s per report)"
    )
    print(f"ratio: {naive_each * len(ids) / secs:.1f}x the naive loop")
    print(
        f"target: {N} reports in under 5 minutes: {'met' if secs < 300 else 'NOT met'}; at least 3x: "
        f"{'met' if naive_each * len(ids) / secs >= 3 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
