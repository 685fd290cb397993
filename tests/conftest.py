"""Shared fixtures: a fresh store per test, synthetic cases, the published reference data.

Both back ends: ``backend`` is parametrised over ``sqlite`` and ``postgresql`` and
``any_store_url`` gives a fresh store location for it (an SQLite path, or a new, empty
PostgreSQL database per test). The PostgreSQL server is started once per session with
the ``pgserver`` package (a bundled PostgreSQL, listening on a Unix socket only), or
taken from ``TSWT_TEST_PG_URL`` (a role that may CREATE DATABASE and CREATE ROLE). As
root, pgserver runs the server as a system user ``pgserver`` it creates (PostgreSQL
refuses to run as root). Without either, PostgreSQL tests skip, and under CI=true fail.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tswt_formulation._yaml import safe_load

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = date(2026, 11, 20)
# Published reference data (expected values from outside our code), copied into the
# repository with its sources and licences: tests/data/reference/README.md.
REFERENCE = DATA / "reference"


# Notebooks used as test data (one fails on purpose) are inputs, not tests for nbval.
collect_ignore_glob = ["data/*"]


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs something this machine lacks; under CI=true, fail instead."""
    if under_ci():
        pytest.fail(f"required in CI, but: {reason}")
    pytest.skip(reason)


def reference_file(path: Path) -> Path:
    """A file of tests/data/reference (published expected values). It ships with the
    repository, so a missing one is a failure that names it, never a skip."""
    if not path.exists():
        pytest.fail(f"reference data file missing from the repository: {path}")
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TSWT_USER", "test.worker")
    monkeypatch.delenv("TSWT_STORE", raising=False)
    monkeypatch.delenv("TSWT_VOCABULARY", raising=False)
    monkeypatch.delenv("TSWT_RULES", raising=False)
    monkeypatch.delenv("TSWT_MEASURES_DIR", raising=False)
    monkeypatch.delenv("TSWT_EXPECTED_MODEL", raising=False)


@pytest.fixture
def full_case_data() -> dict[str, Any]:
    return safe_load((DATA / "cases" / "full_case.yaml").read_text())


@pytest.fixture
def make_case_data(full_case_data: dict[str, Any]):
    """A deep copy of the full case, optionally with another id."""

    def make(case_id: str = "TSW-000123") -> dict[str, Any]:
        data = copy.deepcopy(full_case_data)
        data["case_id"] = case_id
        return data

    return make


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cases.sqlite"


@pytest.fixture
def store(store_path: Path):
    from tswt_formulation import open_store

    s = open_store(str(store_path), user="test.worker", create=True)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_cases():
    from tswt_formulation.demo import generate_caseload

    return generate_caseload(120, seed=7, as_of=AS_OF)


def file_digest(path: Path) -> str:
    """sha256 of a store's bytes (main file, WAL and shared memory if present)."""
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


# -- PostgreSQL: one server per session, one new database per test --------------------------

PG_URL_ENV = "TSWT_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def _start_pgserver() -> tuple[str, Any, Path]:
    try:
        with warnings.catch_warnings():
            # platformdirs, on import of pgserver, when XDG_RUNTIME_DIR is unset (CI, root).
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import pgserver
    except ImportError:
        skip_or_fail(
            f"PostgreSQL tests need the pgserver package (pip install -e '.[test]') or {PG_URL_ENV}"
        )
    parent = Path(tempfile.mkdtemp(prefix="tswt-pg-"))
    try:
        server = pgserver.get_server(parent / "data", cleanup_mode="delete")
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        shutil.rmtree(parent, ignore_errors=True)
        skip_or_fail(
            f"could not start a PostgreSQL server with pgserver: {type(exc).__name__}: {exc}"
        )
    return server.get_uri(), server, parent


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Any]:
    """An AUTOCOMMIT engine on the test server's maintenance database, as a role that may
    create databases and roles (pgserver's superuser, or ``TSWT_TEST_PG_URL``)."""
    import sqlalchemy as sa

    given = os.environ.get(PG_URL_ENV)
    server = parent = None
    if given:
        url = given
    else:
        url, server, parent = _start_pgserver()
    admin_url = sa.make_url(url).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            if server is not None:
                # A throwaway server: durability buys nothing here and costs time. (The
                # crash tests kill clients, not the server.)
                for setting in (
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                ):
                    conn.exec_driver_sql(f"ALTER SYSTEM SET {setting}")
                conn.exec_driver_sql("SELECT pg_reload_conf()")
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        skip_or_fail(
            f"cannot connect to the PostgreSQL server at {admin_url.render_as_string(hide_password=True)}: {exc.orig}"
        )
    yield engine
    engine.dispose()
    if server is not None and parent is not None:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def pg_database_url(
    pg_admin: Any, database: str, user: str | None = None, password: str | None = None
) -> str:
    """The URL of a database on the test server (as the admin role, or as ``user``)."""
    import sqlalchemy as sa

    url = pg_admin.url.set(database=database)
    if not url.password:  # pgserver's URL has an empty one
        url = sa.URL.create(
            url.drivername,
            username=url.username,
            host=url.host,
            port=url.port,
            database=url.database,
            query=url.query,
        )
    if user is not None:
        url = url.set(username=user, password=password)
    return url.render_as_string(hide_password=False)


#: The roles the SQL of docs/team-server.md makes (two of them staff logins: c_mensah, r_ahmed).
TEAM_ROLES = (
    "c_mensah",
    "r_ahmed",
    "tswt_app",
    "tswt_analyst",
    "tswt_worker",
    "tswt_reviewer",
    "tswt_owner",
)


def drop_team_database(pg_admin: Any, database: str, name: dict[str, str]) -> None:
    """Remove a team database made from docs/team-server.md in a test, and its roles (``name``: each
    role as the test renamed it, so runs never share one)."""
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for n in TEAM_ROLES:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name[n]}"')


@pytest.fixture
def pg_url(pg_admin: Any) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards)."""
    name = f"tswt_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield pg_database_url(pg_admin, name)
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def any_store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh store location on the ``backend``: an SQLite path that does not exist yet,
    or the URL of a new, empty PostgreSQL database."""
    if backend == "sqlite":
        return str(tmp_path / "cases.sqlite")
    return str(request.getfixturevalue("pg_url"))
