"""A caseload at scale, on SQLite and on PostgreSQL.

For each back end: import 10,000 synthetic cases (one transaction, through the store's
API), then grow the store to 100,000 cases by copying those rows under new synthetic ids
(generating 100,000 cases would take ~35 s of the run and adds nothing to what is
measured), then time

- the caseload overview over 100,000 cases: ``store.caseload(as_of)``
- one worker's overdue list: ``store.caseload(as_of, worker=W, overdue=True)``

against the obvious baseline in the same run: load every case's record, parse and
validate it, and compute its timeline one case at a time (``case_timeline``), timed on
5,000 cases and scaled to 100,000. Target on a 2-core machine: the 100,000-case overview
in under 3 s on each back end.

PostgreSQL: ``TSWT_BENCH_PG_URL`` (a role that may create a database), else a throwaway
server started with the ``pgserver`` package (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Generator
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tswt_formulation import open_store
from tswt_formulation.demo import generate_caseload
from tswt_formulation.rules.timeline import case_timeline, caseload_frame, caseload_row, timeline
from tswt_formulation.store import schema

AS_OF = date(2026, 11, 20)
IMPORTED = 10_000
TOTAL = 100_000
BASELINE_SAMPLE = 5_000
TARGET_S = 3.0


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def best_of(n: int, fn: Callable[[], Any]) -> tuple[Any, float]:
    runs = [timed(fn) for _ in range(n)]
    return runs[-1][0], min(s for _, s in runs)


def new_ids() -> list[str]:
    """90,000 ids in the synthetic range that the demo's first 10,000 do not use."""
    return [f"TSW-{n:06d}" for n in range(900_001 + IMPORTED, 1_000_000)] + ["TSW-900000"]


def grow(engine: sa.Engine) -> float:
    """Copy the imported cases (and their audit rows) under new ids up to TOTAL cases."""
    t = time.perf_counter()
    with engine.begin() as conn:
        cases = [
            dict(r)
            for r in conn.execute(
                sa.select(schema.cases).order_by(schema.cases.c.case_id)
            ).mappings()
        ]
        audit = {
            r["case_id"]: dict(r)
            for r in conn.execute(
                sa.select(schema.audit).where(schema.audit.c.action == "import")
            ).mappings()
        }
        ids = new_ids()[: TOTAL - len(cases)]
        for start in range(0, len(ids), 5_000):
            case_rows, audit_rows = [], []
            for j, new in enumerate(ids[start : start + 5_000], start):
                row = cases[j % len(cases)]
                old = f'"case_id": "{row["case_id"]}"'
                case_rows.append(
                    dict(row, case_id=new, record=row["record"].replace(old, f'"case_id": "{new}"'))
                )
                entry = audit[row["case_id"]]
                audit_rows.append(
                    {k: v for k, v in entry.items() if k != "id"}
                    | {
                        "case_id": new,
                        "changes": entry["changes"].replace(old, f'"case_id": "{new}"'),
                    }
                )
            conn.execute(schema.cases.insert(), case_rows)
            conn.execute(schema.audit.insert(), audit_rows)
    return time.perf_counter() - t


def postgres_database() -> Generator[str]:
    given = os.environ.get("TSWT_BENCH_PG_URL")
    server = parent = None
    if given:
        admin_url = sa.make_url(given)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import pgserver
        parent = Path(tempfile.mkdtemp(prefix="tswt-bench-pg-"))
        server = pgserver.get_server(parent / "data", cleanup_mode="delete")
        admin_url = sa.make_url(server.get_uri())
    admin_url = admin_url.set(drivername="postgresql+psycopg")
    if not admin_url.password:  # pgserver's URL has an empty one
        admin_url = sa.URL.create(
            admin_url.drivername,
            username=admin_url.username,
            host=admin_url.host,
            port=admin_url.port,
            database=admin_url.database,
            query=admin_url.query,
        )
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"tswt_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        if server is not None and parent is not None:
            server.cleanup()
            shutil.rmtree(parent, ignore_errors=True)


def bench(label: str, url: str, cases: list) -> bool:
    print(f"\n== {label}")
    with open_store(url, create=True, user="bench") as s:
        _, secs = timed(lambda: s.import_cases(cases))
        print(
            f"import {len(cases):,} cases (one transaction, store API): {secs:6.2f} s  ({len(cases) / secs:,.0f} cases/s)"
        )
        built = grow(s.engine)
    with open_store(url, user="bench") as s:
        if s.engine.dialect.name == "postgresql":
            with s.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        n = len(s)
        print(
            f"grown to {n:,} cases by copying rows under new ids: {built:.1f} s (setup, not measured)"
        )
        frame, overview = best_of(3, lambda: s.caseload(AS_OF))
        worker = Counter(frame["worker"].dropna()).most_common(1)[0][0]
        mine, overdue = best_of(3, lambda: s.caseload(AS_OF, worker=worker, overdue=True))
        sample = s.case_ids()[:: n // BASELINE_SAMPLE][:BASELINE_SAMPLE]
        loaded, load = timed(lambda: list(s.cases(sample)))
        _, per_case = timed(lambda: [case_timeline(c, AS_OF) for c in loaded])
        _, one_frame = timed(
            lambda: timeline(caseload_frame([caseload_row(c) for c in loaded]), AS_OF)
        )
    scale = n / len(sample)
    strong = (load + one_frame) * scale
    naive = (load + per_case) * scale
    print(
        f"caseload overview, {n:,} cases:       {overview:6.2f} s  ({len(frame):,} rows, {int(frame['overdue'].sum()):,} overdue; best of 3)"
    )
    print(f"overdue list of {worker} ({len(mine):,} cases): {overdue:6.2f} s  (best of 3)")
    print(
        f"baseline (timed on {len(sample):,} cases, scaled to {n:,}): load, parse and validate every record "
        f"{load * scale:.1f} s; then the timeline case by case {per_case * scale:.1f} s, or in one frame {one_frame * scale:.1f} s"
    )
    print(
        f"overview vs baseline: {naive / overview:.0f}x faster than loading every record and computing each case's timeline "
        f"({naive:.0f} s), {strong / overview:.0f}x faster than loading every record into one frame ({strong:.0f} s)"
    )
    print(f"overdue list vs the same baselines: {naive / overdue:.0f}x and {strong / overdue:.0f}x")
    met = overview < TARGET_S
    print(
        f"target: {n:,}-case overview in < {TARGET_S:.0f} s on {label}: {'met' if met else 'NOT met'} ({overview:.2f} s)"
    )
    return met


def main() -> int:
    cases, gen = timed(lambda: generate_caseload(IMPORTED, seed=11, as_of=AS_OF))
    print(f"generate {IMPORTED:,} synthetic cases: {gen:.1f} s (once, for both back ends)")
    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-"))
    ok = []
    try:
        ok.append(bench("SQLite", str(tmp / "scale.sqlite"), cases))
        pg = postgres_database()
        url = next(pg)
        try:
            ok.append(bench("PostgreSQL", url, cases))
        finally:
            pg.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
