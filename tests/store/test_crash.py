"""An import killed with SIGKILL part-way leaves a sound store holding all of it or none.

A helper process imports the package and makes the synthetic cases once, then for each
run forks a fresh process that opens the store and imports 1,100 cases in one
transaction (three batches), writing a mark to a pipe as it opens the store and after
each batch. The test kills that process with SIGKILL after a randomly chosen mark plus a
random delay: before or while opening, between batches, during or after the commit.
Afterwards the store must open, pass :meth:`CaseStore.integrity_check`, and hold the 20
cases it had plus either all 1,100 (with their audit rows) or none of them. On both back
ends, 20 runs each at random points, and one run left to finish to show that the whole
import does land.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from tswt_formulation import open_store
from tswt_formulation.model import case_from_data
from tswt_formulation.store import schema

from ..conftest import AS_OF

RUNS = 20
IMPORTED = 1_100  # three batches of at most 500
SEEDED = 20

# The helper: reads a line per run from stdin, forks the importer, reaps it, answers "R".
# The importer writes "P<pid>;" then "o" when the store is open, "p" after each batch,
# "c" after the commit, then leaves with os._exit (never running the helper's code).
HELPER = r"""
import os, sys
from datetime import date
from tswt_formulation import open_store
from tswt_formulation.demo import generate_caseload

url, n = sys.argv[1], int(sys.argv[2])
cases = generate_caseload(n, seed=5, as_of=date.fromisoformat(sys.argv[3]))
out = sys.stdout.buffer
out.write(b"ready\n"); out.flush()
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            out.write(b"P%d;" % os.getpid()); out.flush()
            with open_store(url, user="crash.import") as store:
                out.write(b"o"); out.flush()
                store.import_cases(cases, note="crash test", progress=lambda k: (out.write(b"p"), out.flush()))
            out.write(b"c"); out.flush()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    out.write(b"R\n"); out.flush()
"""


def _read_until(stream, stop: bytes) -> bytes:
    got = b""
    while not got.endswith(stop):
        byte = stream.read(1)
        if not byte:
            raise AssertionError(f"the helper process ended early; read {got!r}")
        got += byte
    return got


def _settle(url: str, backend: str) -> None:
    """On PostgreSQL, wait until the killed client's server process has gone (it rolls
    back, or finishes a commit it had received), so what we read is final."""
    if backend != "postgresql":
        return
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                others = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).scalar()
            if not others:
                return
            time.sleep(0.02)
        raise AssertionError("the killed client's server process is still there after 20 s")
    finally:
        engine.dispose()


def _reset(url: str, seed_cases) -> None:
    with open_store(url, create=True, user="seeder") as s:
        with s.engine.begin() as conn:
            conn.execute(schema.audit.delete().where(schema.audit.c.case_id.is_not(None)))
            conn.execute(schema.cases.delete())
            conn.execute(schema.scores.delete())  # written with the cases (migration 7)
        s.import_cases(seed_cases, note="seed")


def _state(url: str) -> tuple[int, int, list[str]]:
    """(cases, audit rows of the crash import, integrity problems) of the reopened store."""
    with open_store(url) as s:
        problems = s.integrity_check()
        n_cases = len(s)
        with s.engine.connect() as conn:
            n_audit = conn.execute(
                sa.select(sa.func.count())
                .select_from(schema.audit)
                .where(schema.audit.c.note == "crash test")
            ).scalar_one()
    return n_cases, n_audit, problems


@pytest.mark.slow
def test_import_killed_part_way_leaves_all_or_nothing(
    any_store_url, backend, make_case_data, tmp_path
):
    url = any_store_url
    seed_cases = [case_from_data(make_case_data(f"TSW-0000{i:02d}")) for i in range(SEEDED)]
    _reset(url, seed_cases)
    script = tmp_path / "crash_helper.py"
    script.write_text(HELPER)
    helper = subprocess.Popen(
        [sys.executable, str(script), url, str(IMPORTED), AS_OF.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,
    )
    rng = random.Random(f"crash-{backend}")
    outcomes: list[tuple[str, float, str]] = []
    try:
        assert _read_until(helper.stdout, b"ready\n").endswith(b"ready\n")
        for run in range(RUNS + 1):
            killed = run < RUNS
            helper.stdin.write(b"go\n")
            helper.stdin.flush()
            head = _read_until(helper.stdout, b";")
            pid = int(head[head.index(b"P") + 1 : -1])
            # After which mark to kill: 0 = as it starts, 1 = store open, 2..4 = batch 1..3
            # written (after the third, the commit is under way); then a random delay.
            mark = rng.randint(0, 4)
            delay = rng.uniform(0, 0.03)
            seen = _read_until(helper.stdout, b"o") if mark >= 1 else b""
            for _ in range(max(0, mark - 1)):
                seen += _read_until(helper.stdout, b"p")
            if killed:
                time.sleep(delay)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            rest = _read_until(helper.stdout, b"R\n")
            committed_seen = b"c" in seen + rest
            _settle(url, backend)
            n_cases, n_audit, problems = _state(url)
            assert problems == [], (run, mark, delay, problems)
            where = (
                f"run {run}: killed after mark {mark} + {delay * 1000:.0f} ms"
                if killed
                else f"run {run}: not killed"
            )
            if n_cases == SEEDED:
                assert n_audit == 0, where
                assert not committed_seen, (
                    f"{where}: the importer reported its commit, but the cases are not there"
                )
                outcomes.append(("none", delay, where))
            else:
                assert (n_cases, n_audit) == (SEEDED + IMPORTED, IMPORTED), where
                outcomes.append(("all", delay, where))
            if run < RUNS:
                _reset(url, seed_cases)
    finally:
        helper.stdin.close()
        helper.wait(30)
        helper.stdout.close()
    assert outcomes[-1][0] == "all"  # left alone, the import lands whole
    kinds = [o for o, _d, _w in outcomes[:RUNS]]
    assert "none" in kinds, outcomes  # the kills did land part-way
    print(
        f"\n{backend}: {kinds.count('none')} killed runs left none of the import, {kinds.count('all')} all of it"
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_is_in_wal_mode_with_a_busy_timeout(any_store_url):
    with open_store(any_store_url, create=True) as s, s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
