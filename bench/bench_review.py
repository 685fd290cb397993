"""The caseload review at 100,000 cases (issue 24): summarised from the store's light
tables, against the previous implementation (the loop over ``store.cases()``), in the
same run.

Each side runs ``tswt reports --kind review --format html`` (the in-process engine, as
the CLI runs one report) on the same store in a fresh process, timed (wall) with its peak
memory (``ru_maxrss`` of the process, which runs the notebook in itself). The old side is
the package as it is at ``--old REF`` (default: where this branch left ``main``, ``git merge-base HEAD main``), taken with ``git archive`` into
a temporary folder and put first on ``PYTHONPATH``. The size of each HTML file is printed.

The store: ``--store PATH`` (e.g. one made by ``tswt demo --cases 100000``, or
``TSWT_BENCH_STORE``), else ``tswt demo --cases N`` (default 100,000) into a temporary
folder first (its time is printed apart). ``--skip-old`` times only the new side (say so).
Goals: the review <= 30 s and <= 1.5 GB at 100,000 cases. Printed, not asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-12-01"
GOAL_S, GOAL_MB = 30.0, 1536.0
CONSTANTS = str(ROOT / "tswt_formulation" / "measures" / "examples" / "demo_constants.yaml")

# Runs the CLI in this process and prints its wall time and peak memory last.
_RUN = """
import json, resource, sys, time
t = time.perf_counter()
from tswt_formulation.cli import cli
code = 0
try:
    cli.main(sys.argv[1:], standalone_mode=False)
except SystemExit as exc:
    code = exc.code or 0
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "code": code,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "package": __import__("tswt_formulation").__file__}))
"""


def run(args: list[str], pythonpath: str | None, cwd: str) -> dict:
    env = dict(os.environ, TSWT_USER="t.harper")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=cwd,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
    if out.returncode or result.get("code"):
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"tswt {args[0]} failed ({pythonpath or 'this tree'})")
    return result


def review(store: str, out: Path, pythonpath: str | None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    args = ["reports", "--kind", "review", "--format", "html", "--store", store]
    args += ["--user", "t.harper", "--as-of", AS_OF, "--constants", CONSTANTS, "--out", str(out)]
    result = run(args, pythonpath, str(out))
    pages = list(out.rglob("*.html"))
    result["html_mb"] = sum(p.stat().st_size for p in pages) / 1e6
    return result


def _page(out: Path) -> list[str]:
    """The review's page(s) without the minute each was made (the only line that may differ)."""
    import re

    return [
        re.sub(r"Made \d+ \w+ \d{4} \d\d:\d\d UTC", "Made", p.read_text(encoding="utf-8"))
        for p in sorted(out.rglob("*.html"))
    ]


def main(argv: list[str]) -> int:
    cases = int(argv[argv.index("--cases") + 1]) if "--cases" in argv else 100_000
    # By default the old side is where this branch left main: main's later changes to the
    # page (its CSS, say) would otherwise make the pages differ and hide whether ours did.
    ref = (
        argv[argv.index("--old") + 1]
        if "--old" in argv
        else subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()[:12]
    )
    store = (
        argv[argv.index("--store") + 1] if "--store" in argv else os.environ.get("TSWT_BENCH_STORE")
    )
    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-review-"))
    try:
        if not store:
            store = str(tmp / "review.sqlite")
            t = time.perf_counter()
            made = run(
                [
                    "demo",
                    "--store",
                    store,
                    "--cases",
                    str(cases),
                    "--as-of",
                    AS_OF,
                    "--user",
                    "it.admin",
                ],
                None,
                str(tmp),
            )
            print(
                f"store: tswt demo --cases {cases:,} in {time.perf_counter() - t:.0f} s "
                f"(peak {made['peak_mb']:.0f} MB)"
            )
        else:
            print(f"store: {store}")
        new = review(store, tmp / "new", None)
        print(
            f"new: {new['seconds']:7.1f} s ({new['cpu']:.1f} s CPU), peak {new['peak_mb']:6.0f} MB, "
            f"HTML {new['html_mb']:.1f} MB"
        )
        if "--skip-old" in argv:
            print("old side skipped (--skip-old): no ratio")
        else:
            old_tree = tmp / "old"
            old_tree.mkdir()
            archive = subprocess.run(
                [
                    "git",
                    "-C",
                    str(ROOT),
                    "archive",
                    ref,
                    "tswt_formulation",
                    "notebooks",
                    "templates",
                ],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
            old = review(store, tmp / "old-out", str(old_tree))
            assert old["package"].startswith(str(old_tree)), old["package"]
            print(
                f"old ({ref}): {old['seconds']:7.1f} s ({old['cpu']:.1f} s CPU), peak {old['peak_mb']:6.0f} MB, "
                f"HTML {old['html_mb']:.1f} MB"
            )
            same = _page(tmp / "new") == _page(tmp / "old-out")
            print(f"pages identical apart from the time each was made: {'yes' if same else 'NO'}")
            print(
                f"ratio: {old['seconds'] / new['seconds']:.2f}x faster "
                f"({old['cpu'] / new['cpu']:.2f}x in CPU time, steadier on a shared machine), "
                f"{old['peak_mb'] / new['peak_mb']:.1f}x less memory, "
                f"{old['html_mb'] / max(new['html_mb'], 1e-6):.1f}x smaller HTML"
            )
        met = new["seconds"] <= GOAL_S and new["peak_mb"] <= GOAL_MB
        print(
            f"goal: the review <= {GOAL_S:.0f} s and <= {GOAL_MB:.0f} MB: {'met' if met else 'NOT met'} "
            f"({new['seconds']:.1f} s, {new['peak_mb']:.0f} MB)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
