"""`tswt demo --cases N` (default 100,000): made and imported in chunks, against making
every case first and then importing them (main's way), in the same run.

Each side runs ``tswt demo`` into its own new store in a fresh process, timed (wall) with
its peak memory (``ru_maxrss``). The old side is the package as it is at ``--old REF``
(default where this branch left ``main``), taken with ``git archive`` into a temporary folder and put first on
``PYTHONPATH``. Both stores are then compared record by record (the case records, the
scores table, the staff directory): chunking must not change a single case.

``--cases N`` for a smaller run; ``--skip-old`` to time only the new side (say so).
Goal (issue 24): peak well under 1.5 GB at 100,000 cases. Printed, not asserted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-12-01"
GOAL_MB = 1536.0

# Runs the CLI in this process and prints its wall time and peak memory last.
_RUN = """
import json, resource, sys, time
t = time.perf_counter()
from tswt_formulation.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps({"seconds": time.perf_counter() - t,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "package": __import__("tswt_formulation").__file__}))
"""


def run(store: str, cases: int, pythonpath: str | None) -> dict:
    env = dict(os.environ, TSWT_USER="it.admin")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    args = ["demo", "--store", store, "--cases", str(cases), "--seed", "1", "--as-of", AS_OF]
    out = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"tswt demo failed ({pythonpath or 'this tree'})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fingerprint(store: str) -> dict[str, str]:
    """A digest of each table's content, leaving out when it was written."""
    queries = {
        "cases": "select case_id, version, record, worker, formulation_status, work from cases order by 1",
        "scores": "select * from scores order by 1, 2",
        "staff": "select login, name, role from staff order by 1",
    }
    out = {}
    with sqlite3.connect(store) as db:
        for name, sql in queries.items():
            digest = hashlib.sha256()
            for row in db.execute(sql):
                digest.update(repr(row).encode())
            out[name] = digest.hexdigest()[:16]
    return out


def main(argv: list[str]) -> int:
    cases = int(argv[argv.index("--cases") + 1]) if "--cases" in argv else 100_000
    # The old side is where this branch left main (main moves on: its other changes to
    # the demo's records would hide whether chunking changed any).
    base = subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True
    ).stdout.strip()
    ref = argv[argv.index("--old") + 1] if "--old" in argv else (base or "main")
    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-demo-"))
    try:
        new = run(str(tmp / "new.sqlite"), cases, None)
        print(
            f"new (chunks of {chunk()}): {new['seconds']:7.1f} s, peak {new['peak_mb']:6.0f} MB, "
            f"{cases:,} cases"
        )
        if "--skip-old" in argv:
            print("old side skipped (--skip-old): no ratio")
        else:
            old_tree = tmp / "old"
            old_tree.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", ref, "tswt_formulation"],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
            t = time.perf_counter()
            old = run(str(tmp / "old.sqlite"), cases, str(old_tree))
            assert old["package"].startswith(str(old_tree)), old["package"]
            print(
                f"old ({ref}: every case made, then imported): {old['seconds']:7.1f} s, "
                f"peak {old['peak_mb']:6.0f} MB (process {time.perf_counter() - t:.1f} s)"
            )
            print(
                f"ratio: {old['peak_mb'] / new['peak_mb']:.1f}x less memory, "
                f"{old['seconds'] / new['seconds']:.2f}x the speed"
            )
            same = fingerprint(str(tmp / "new.sqlite")) == fingerprint(str(tmp / "old.sqlite"))
            print(f"the two stores hold the same records: {'yes' if same else 'NO'}")
        met = new["peak_mb"] <= GOAL_MB
        print(
            f"goal: peak <= {GOAL_MB:.0f} MB at {cases:,} cases: {'met' if met else 'NOT met'} "
            f"({new['peak_mb']:.0f} MB)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def chunk() -> int:
    from tswt_formulation.demo import CHUNK

    return CHUNK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
