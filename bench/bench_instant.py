"""Issue 11, side by side: everyday commands, import, scoring, the caseload and the batch,
timed with the code as it was before the issue's work (OLD) and as it is now (NEW).

OLD is the package at a git revision (default: the commit the work started from),
unpacked with ``git archive`` into a temporary folder and put first on ``PYTHONPATH`` of
the OLD runs; NEW is this checkout. Every figure is a whole process unless it says
"in-process"; whole-process figures are the median of paired runs (OLD, NEW, OLD, ...),
so that a machine busy with other work slows both alike. Stores and case files are
made so that both versions read the same data: the 60-case stores by the OLD code (NEW
reads older records), the caseload stores by NEW (a caseload reads only indexed columns),
each version on its own copy at its own schema (see ``copies``); each import reads a file
its own demo generator made (the rules for a valid case changed). Peak memory of a batch worker
is sampled every 0.2 s (psutil) over the batch's worker processes.

Run:  python bench/bench_instant.py                # the whole table (about 15 minutes)
      python bench/bench_instant.py --quick        # no 10,000/100,000-case rows, 60 reports
Goals (issue 11): see the GOAL column.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
AS_OF = "2026-11-20"
BASELINE = "7b6adce"  # main before issue 11's work
# Every child runs in a folder with no tswt_formulation in it (``python -c`` puts the
# working folder first on sys.path, which would shadow the OLD tree from a checkout).
NEUTRAL = Path(tempfile.gettempdir())
ROWS: list[tuple[str, str, str, str, str]] = []


def env_for(tree: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TSWT_STORE", None)
    # As installed code runs: modules compiled once to __pycache__ (both trees), not on
    # every start (a shell with PYTHONDONTWRITEBYTECODE=1 would time the compiler).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(tree or ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def tswt(tree: Path | None, *args: str) -> list[str]:
    return [
        PY,
        "-c",
        "import sys; from tswt_formulation.cli import main; sys.argv[0] = 'tswt'; main()",
        *args,
    ]


def run(cmd: list[str], tree: Path | None, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        cmd,
        env=env_for(tree),
        cwd=cwd or NEUTRAL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"{'OLD' if tree else 'NEW'} {' '.join(cmd[3:])}: exit {done.returncode}\n{done.stderr[-2000:]}"
        )
    return time.perf_counter() - start


def paired(old_cmd, new_cmd, old: Path, repeat: int, before=None) -> tuple[float, float]:
    """Medians of OLD/NEW runs taken in turn (``before()`` runs untimed ahead of each),
    after one untimed run of each (which also writes their bytecode caches)."""
    for tree, cmd in ((old, old_cmd), (None, new_cmd)):
        if before:
            before(tree)
        run(cmd, tree)
    olds: list[float] = []
    news: list[float] = []
    for _ in range(repeat):
        for tree, cmd, out in ((old, old_cmd, olds), (None, new_cmd, news)):
            if before:
                before(tree)
            out.append(run(cmd, tree))
    return statistics.median(olds), statistics.median(news)


def row(work: str, old_s: float | None, new_s: float, goal: str, note: str = "") -> None:
    ratio = f"{old_s / new_s:5.1f}x" if old_s else "  -  "
    old_text = f"{old_s:8.2f} s" if old_s is not None else "       -  "
    ROWS.append((work, old_text, f"{new_s:8.2f} s", ratio, goal + (f"  ({note})" if note else "")))
    print(
        f"{work:<58} OLD {old_text}  NEW {new_s:8.2f} s  {ratio} faster   goal {goal} {note}",
        flush=True,
    )


def peak_mb(cmd: list[str], tree: Path | None) -> float:
    """Peak resident memory of one run of ``cmd`` (its own process, from the OS's accounting)."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [PY, "-c", code, *cmd],
        env=env_for(tree),
        cwd=NEUTRAL,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def in_process(tree: Path | None, code: str) -> float:
    """Run ``code`` (which prints one number of seconds) in a fresh interpreter."""
    out = subprocess.run(
        [PY, "-c", code], env=env_for(tree), cwd=NEUTRAL, check=True, capture_output=True, text=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def unpack_baseline(rev: str, into: Path) -> Path:
    tree = into / "old"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "tswt_formulation", "notebooks", "templates"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    stub = tree / "tswt_formulation" / "reports" / "inprocess.py"
    if not stub.exists():  # papermill loads the installed package's engine entry point on import
        stub.write_text(
            "from papermill.engines import NBClientEngine as InProcessEngine  # bench stub for OLD\n"
        )
    return tree


def case_file(tree: Path | None, n_cases: int, tmp: Path) -> Path:
    """n synthetic cases as a JSON file, from the demo generator of OLD or NEW (the rules
    for a valid case changed: each version imports cases its own generator made)."""
    src = tmp / f"cases-{n_cases}-{'old' if tree else 'new'}.json"
    if not src.exists():
        code = (
            f"import json; from datetime import date; from tswt_formulation.demo import generate_caseload; "
            f"from tswt_formulation.model import case_to_data; "
            f"json.dump([case_to_data(c) for c in generate_caseload({n_cases}, seed=11, as_of=date(2026, 11, 20))], "
            f"open({str(src)!r}, 'w'))"
        )
        subprocess.run([PY, "-c", code], check=True, env=env_for(tree), cwd=NEUTRAL)
    return src


def make_store(path: Path, n_cases: int, tmp: Path) -> None:
    """A store of n synthetic cases (10,000 imported, then copied under new ids); the
    caseload reads only its indexed columns, so OLD and NEW both read it."""
    base = min(n_cases, 10_000)
    src = case_file(None, base, tmp)
    subprocess.run(
        tswt(None, "init", "--store", str(path)),
        check=True,
        env=env_for(None),
        cwd=NEUTRAL,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        tswt(None, "import", str(src), "--store", str(path), "--restore", "benchmark"),
        check=True,
        env=env_for(None),
        cwd=NEUTRAL,
        stdout=subprocess.DEVNULL,
    )
    if n_cases > base:
        con = sqlite3.connect(path)
        cols = [r[1] for r in con.execute("PRAGMA table_info(cases)") if r[1] != "case_id"]
        for k in range(1, n_cases // base):
            con.execute(
                f"INSERT INTO cases (case_id, {', '.join(cols)}) SELECT 'TSW-' || printf('%06d', "
                f"CAST(substr(case_id, 5) AS INTEGER) - 900000 + {k * base} + 100000), {', '.join(cols)} FROM cases "
                "WHERE case_id LIKE 'TSW-9%'"
            )
        con.commit()
        con.close()


def copies(base: Path, old: Path) -> dict[Path | None, Path]:
    """A copy of a store for each version, each at the schema its version writes.

    NEW brings an older store up to its schema when it first opens it (done here, untimed).
    A newer store is refused by OLD: its copy is set back to the schema OLD knows, which
    is only sound because what OLD reads of it (the caseload's indexed columns, or records
    OLD wrote) did not change."""
    out: dict[Path | None, Path] = {}
    for tree, name in ((old, "old"), (None, "new")):
        path = base.with_name(f"{base.stem}-{name}{base.suffix}")
        shutil.copyfile(base, path)
        out[tree] = path
    subprocess.run(
        tswt(None, "init", "--store", str(out[None])),
        check=True,
        env=env_for(None),
        cwd=NEUTRAL,
        stdout=subprocess.DEVNULL,
    )
    probe = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute(\"select value from tswt_meta where key = 'schema_version'\").fetchone()[0])"
    )
    want = subprocess.run(
        [PY, "-c", "from tswt_formulation.store.schema import SCHEMA_VERSION as v; print(v)"],
        env=env_for(old),
        cwd=NEUTRAL,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    have = subprocess.run(
        [PY, "-c", probe, str(out[old])], check=True, capture_output=True, text=True
    ).stdout.strip()
    if int(have) > int(want):
        con = sqlite3.connect(out[old])
        con.execute("UPDATE tswt_meta SET value = ? WHERE key = 'schema_version'", (want,))
        con.commit()
        con.close()
    return out


def batch(
    tree: Path | None, store: Path, out: Path, ids: list[str]
) -> tuple[float, float, tuple[float, float]]:
    """Seconds for formulation reports of ``ids`` on 2 workers, the largest worker's peak
    MB, and the largest worker's MB a quarter of the way through and at the end (flat or
    growing)."""
    import psutil

    code = (
        "import sys; from tswt_formulation.reports.batch import run_reports; "
        f"s = run_reports({ids!r}, 'formulation', {str(store)!r}, {str(out)!r}, as_of={AS_OF!r}, jobs=2, progress=False); "
        "print(len(s.failed))"
    )
    start = time.perf_counter()
    proc = psutil.Popen(
        [PY, "-c", code],
        env=env_for(tree),
        cwd=NEUTRAL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0.0
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                # the pool's workers: spawned by the batch (OLD), or forked by its forkserver (NEW),
                # not the forkserver itself nor the resource tracker
                workers = [
                    c
                    for c in proc.children(recursive=True)
                    if "multiprocessing" in (line := " ".join(c.cmdline()))
                    and "resource_tracker" not in line
                    and not (c.ppid() == proc.pid and "forkserver" in line)
                ]
                now = [w.memory_info().rss / 2**20 for w in workers]
                if now:
                    samples.append(max(now))
                peak = max([peak, *now])
            except psutil.Error:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    failed = proc.communicate()[0].strip()
    done.set()
    watcher.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or failed != "0":
        raise SystemExit(
            f"the batch failed ({'OLD' if tree else 'NEW'}): exit {proc.returncode}, {failed} report(s) failed"
        )
    tail = samples[-max(1, len(samples) // 10) :] or [0.0]
    return seconds, peak, (samples[len(samples) // 4] if samples else 0.0, max(tail))


def make_demo(tree: Path | None, folder: Path) -> float:
    """`make demo` after set-up: the Makefile's demo commands, in a fresh folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    constants = str(ROOT / "tswt_formulation" / "measures" / "examples" / "demo_constants.yaml")
    store = str(folder / "demo.sqlite")
    out = str(folder / "reports")
    start = time.perf_counter()
    for args in (
        ["demo", "--store", store, "--cases", "60", "--seed", "1"],
        ["caseload", "--store", store],
        ["reports", "--all", "--kind", "formulation", "--store", store, "--out", out],
        [
            "reports",
            "--all",
            "--kind",
            "outcomes",
            "--constants",
            constants,
            "--store",
            store,
            "--out",
            out,
        ],
        ["reports", "--kind", "review", "--constants", constants, "--store", store, "--out", out],
    ):
        run(tswt(tree, *args), tree, cwd=folder)
    return time.perf_counter() - start


SCORE = """
import sys, time
sys.path.insert(0, {bench!r})
from bench_scoring import synthetic
from tswt_formulation.measures import load_measure, score
sdq = load_measure("sdq")
frame = synthetic(1_000_000)  # float64 with NaN, as pd.read_csv gives
score(sdq, frame.head(1000), informant="parent", age=10)
best = 1e9
for _ in range(3):
    t = time.perf_counter(); score(sdq, frame, informant="parent", age=10); best = min(best, time.perf_counter() - t)
print(best)
"""

PARSE = """
import gc, json, time
from pathlib import Path
from tswt_formulation.model.case import Case
from tswt_formulation.model.parse import parse_cases
path = Path({path!r})
parse_cases([path])  # models built, vocabulary read
def old_way():  # what parse_cases did: each case dumped back to JSON and validated alone, the collector running
    return [Case.model_validate_json(json.dumps(raw)) for raw in json.loads(path.read_text())]
t = time.perf_counter(); cases = old_way(); old = time.perf_counter() - t
del cases; gc.collect()
t = time.perf_counter(); parse_cases([path]); new = time.perf_counter() - t
print(old, new)
"""

LIBRARY_CASELOAD = """
import time
from datetime import date
from tswt_formulation import open_store
s = open_store({store!r})
s.caseload(date(2026, 11, 20))
best = 1e9
for _ in range(3):
    t = time.perf_counter(); s.caseload(date(2026, 11, 20)); best = min(best, time.perf_counter() - t)
print(best)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline", default=BASELINE, help="git revision of the OLD code (default: %(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="skip the 10,000- and 100,000-case rows; 60 reports"
    )
    parser.add_argument("--repeat", type=int, default=5, help="paired runs per whole-command row")
    parser.add_argument(
        "--reports", type=int, default=500, help="formulation reports in the batch rows"
    )
    parser.add_argument(
        "--old-reports",
        type=int,
        default=60,
        help="OLD batch on this many reports, scaled to --reports (the OLD batch runs ~90 a minute)",
    )
    parser.add_argument(
        "--only",
        choices=["commands", "batch"],
        help="only the command rows, or only the batch rows",
    )
    args = parser.parse_args()
    n_reports = 60 if args.quick else args.reports

    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-instant-"))
    try:
        try:
            old = unpack_baseline(args.baseline, tmp)
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            print(
                f"cannot unpack the OLD code at {args.baseline!r} with git ({exc}); this benchmark needs the repository"
            )
            return 0
        print(f"OLD = {args.baseline} (unpacked in {old}); NEW = {ROOT}\n", flush=True)

        if args.only != "batch":
            commands(args, old, tmp)
        if args.only != "commands":
            batches(args, old, tmp, n_reports)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| work | old | new | ratio | goal |\n|---|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(x.strip() for x in r) + " |")
    return 0


def commands(args: argparse.Namespace, old: Path, tmp: Path) -> None:
    demo60 = tmp / "demo60.sqlite"
    subprocess.run(
        tswt(old, "demo", "--store", str(demo60), "--cases", "60", "--seed", "1", "--as-of", AS_OF),
        check=True,
        env=env_for(old),
        cwd=NEUTRAL,
        stdout=subprocess.DEVNULL,
    )
    demo60s = copies(demo60, old)
    for command in (["show", "TSW-900001"], ["recommend", "TSW-900001"], ["caseload"]):
        o, n = paired(
            tswt(old, *command, "--store", str(demo60s[old]), "--as-of", AS_OF),
            tswt(None, *command, "--store", str(demo60s[None]), "--as-of", AS_OF),
            old,
            args.repeat,
        )
        row(f"tswt {command[0]} (60-case store)", o, n, "<= 0.5 s")

    if not args.quick:
        for n_cases, goal in ((10_000, "<= 1.0 s"), (100_000, "<= 3 s")):
            store = tmp / f"caseload-{n_cases}.sqlite"
            make_store(store, n_cases, tmp)
            stores = copies(store, old)
            o, n = paired(
                tswt(old, "caseload", "--store", str(stores[old]), "--as-of", AS_OF),
                tswt(None, "caseload", "--store", str(stores[None]), "--as-of", AS_OF),
                old,
                max(1, args.repeat // 2),
            )
            row(f"tswt caseload, {n_cases:,} cases", o, n, goal)
            if n_cases == 100_000:
                mem_old = peak_mb(
                    tswt(old, "caseload", "--store", str(stores[old]), "--as-of", AS_OF), old
                )
                mem_new = peak_mb(
                    tswt(None, "caseload", "--store", str(stores[None]), "--as-of", AS_OF), None
                )
                print(
                    f"{'  peak memory of that command':<58} OLD {mem_old:6.0f} MB  NEW {mem_new:6.0f} MB",
                    flush=True,
                )
                ROWS.append(
                    (
                        "  peak memory, tswt caseload 100,000",
                        f"{mem_old:.0f} MB",
                        f"{mem_new:.0f} MB",
                        "",
                        "-",
                    )
                )
        row(
            "library caseload(), 100,000 cases (in-process)",
            in_process(old, LIBRARY_CASELOAD.format(store=str(stores[old]))),
            in_process(None, LIBRARY_CASELOAD.format(store=str(stores[None]))),
            "<= 1.5 s",
        )

    for n_cases, goal in ((1_000, "<= 2.0 s"), *(() if args.quick else ((10_000, "<= 15 s"),))):
        sources = {tree: case_file(tree, n_cases, tmp) for tree in (old, None)}
        target = tmp / f"import-{n_cases}.sqlite"

        def fresh(tree: Path | None, target: Path = target) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            # an empty store first (NEW's import no longer creates one), untimed
            subprocess.run(
                tswt(tree, "init", "--store", str(target)),
                check=True,
                env=env_for(tree),
                cwd=NEUTRAL,
                stdout=subprocess.DEVNULL,
            )

        o, n = paired(
            tswt(old, "import", str(sources[old]), "--store", str(target)),
            # demo cases carry formulations: NEW imports those only as a restore
            tswt(
                None, "import", str(sources[None]), "--store", str(target), "--restore", "benchmark"
            ),
            old,
            args.repeat if n_cases == 1_000 else 1,
            before=fresh,
        )
        row(f"tswt import, {n_cases:,} cases", o, n, goal, "each its own generator's cases")
        if (
            n_cases == 10_000
        ):  # the same file both ways: the part of import that grew faster than the cases
            out = subprocess.run(
                [PY, "-c", PARSE.format(path=str(sources[None]))],
                env=env_for(None),
                cwd=NEUTRAL,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            row(
                "  parse+validate 10,000 cases (in-process, same file)",
                float(out[0]),
                float(out[1]),
                "-",
                "OLD = the old per-case path re-enacted",
            )

    code = SCORE.format(bench=str(ROOT / "bench"))
    row(
        'score("sdq", df), 1,000,000 rows float64+NaN (in-process)',
        in_process(old, code),
        in_process(None, code),
        "<= 0.5 s",
    )


def batches(args: argparse.Namespace, old: Path, tmp: Path, n_reports: int) -> None:
    ids = [f"TSW-{900001 + i}" for i in range(n_reports)]
    reports_store = tmp / f"reports-{n_reports}.sqlite"
    subprocess.run(
        tswt(
            old,
            "demo",
            "--store",
            str(reports_store),
            "--cases",
            str(n_reports),
            "--seed",
            "3",
            "--as-of",
            AS_OF,
        ),
        check=True,
        env=env_for(old),
        cwd=NEUTRAL,
        stdout=subprocess.DEVNULL,
    )
    k = min(args.old_reports, n_reports)
    reports_stores = copies(reports_store, old)
    old_s, old_peak, old_course = batch(old, reports_stores[old], tmp / "old-reports", ids[:k])
    new_s, new_peak, new_course = batch(None, reports_stores[None], tmp / "new-reports", ids)
    scaled = old_s * n_reports / k
    row(
        f"formulation reports, {n_reports} cases, 2 workers",
        scaled,
        new_s,
        "<= 60 s",
        f"OLD measured on {k}, scaled" if k != n_reports else "",
    )
    print(
        f"{'peak memory of a batch worker':<58} OLD {old_peak:6.0f} MB ({k} reports)  NEW {new_peak:6.0f} MB "
        f"({n_reports} reports)   goal < 300 MB, flat",
        flush=True,
    )
    ROWS.append(
        (
            "peak memory of a batch worker",
            f"{old_peak:.0f} MB/{k}",
            f"{new_peak:.0f} MB/{n_reports}",
            "",
            "< 300 MB",
        )
    )
    print(
        f"{'  largest worker, a quarter through -> at the end':<58} OLD {old_course[0]:4.0f} -> {old_course[1]:4.0f} MB  "
        f"NEW {new_course[0]:4.0f} -> {new_course[1]:4.0f} MB   (flat: no growth)",
        flush=True,
    )
    ROWS.append(
        (
            "  worker MB, a quarter through -> end",
            f"{old_course[0]:.0f} -> {old_course[1]:.0f}",
            f"{new_course[0]:.0f} -> {new_course[1]:.0f}",
            "",
            "flat",
        )
    )

    row(
        "make demo after set-up (60 cases, all reports)",
        make_demo(old, tmp / "demo-old"),
        make_demo(None, tmp / "demo-new"),
        "<= 30 s",
    )


if __name__ == "__main__":
    sys.exit(main())
