"""Opening a store by path or URL: SQLite files created owner-only, WAL, busy timeout;
PostgreSQL through psycopg 3.

This is the only module that knows which database it is talking to; everything above it
is portable SQLAlchemy. The few things that differ between the two are small helpers here:
serialising schema migrations between processes (:func:`lock_for_migration`), a
consistent read snapshot (:func:`snapshot_options`), recognising permission and
uniqueness errors (:func:`is_permission_denied`, :func:`is_unique_violation`), naming the
database role (:func:`database_role`) and the database's own check
(:func:`database_problems`).
"""

from __future__ import annotations

import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event

from ..errors import StoreError
from .read_only import busy_error, is_busy, quick_problems, read_only_file  # noqa: F401 - standard-library pieces, used here too

SQLITE_BUSY_TIMEOUT_MS = 30_000
# One application-wide key for PostgreSQL's advisory lock taken around migrations (advisory
# locks are per database, so stores in different databases do not wait for each other).
MIGRATION_LOCK_KEY = zlib.crc32(b"tswt-formulation schema migration")


def store_url(location: str) -> str:
    """A SQLAlchemy URL for a path (SQLite) or an URL given as is."""
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def display_location(location: str) -> str:
    """The store's path or URL as shown in messages: a password in a URL is masked."""
    if "://" not in location:
        return location
    try:
        return sa.make_url(location).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return location


def _postgres_driver(url: sa.URL) -> sa.URL:
    # A plain postgresql:// URL means psycopg2 to SQLAlchemy; this package ships and tests
    # psycopg 3 (the `postgres` extra), so use that unless a driver was named.
    if url.drivername == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    return url


def sqlite_path(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def create_owner_only(path: Path) -> None:
    """Create an empty SQLite file readable and writable by its owner only (0600).

    SQLite creates its -wal and -shm files with the permissions of the database file, so
    they are owner-only too.
    """
    if not path.parent.is_dir():
        raise StoreError(f"{path}: the folder {path.parent} does not exist")
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _read_only_url(path: Path) -> sa.URL:
    """A URL opening the file read-only; on a read-only folder or mount with no -shm file
    to share, as immutable (nothing can be writing it), which SQLite reads without one."""
    immutable = not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists()
    return sa.make_url(
        f"sqlite:///file:{path}?mode=ro&uri=true" + ("&immutable=1" if immutable else "")
    )


def make_engine(location: str, create: bool, wait: float | None = None) -> tuple[sa.Engine, bool]:
    """An engine for the store; returns (engine, created_new_file). ``wait``: seconds a
    write waits for another writer (SQLite's busy timeout; default 30)."""
    url_text = store_url(location)
    try:
        url = sa.make_url(url_text)
    except sa.exc.ArgumentError:
        raise StoreError(f"{location}: not a store path or database URL") from None
    created = False
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if not create:
            raise StoreError(
                f"{path}: no store here; create one with `tswt init --store {path}` (or `tswt demo` for a synthetic caseload)"
            )
        try:
            create_owner_only(path)
            created = True
        except FileExistsError:  # another process created it just now: open theirs
            pass
    # Never put a statement's parameters (records, dates of birth) into an error message.
    kwargs: dict[str, Any] = {"hide_parameters": True}
    busy_ms = SQLITE_BUSY_TIMEOUT_MS if wait is None else max(0, int(wait * 1000))
    read_only = path is not None and not created and read_only_file(path)
    if read_only:  # read it as it is (a write is refused as read-only); never try to change it
        url = _read_only_url(path)  # type: ignore[arg-type]
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": busy_ms / 1000}
    elif url.get_backend_name() == "postgresql":
        url = _postgres_driver(url)
        if url.get_driver_name() in ("psycopg", "psycopg2"):
            # Times read back in UTC whatever the server's or the role's TimeZone setting.
            kwargs["connect_args"] = {"options": "-c TimeZone=UTC"}
        kwargs["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"{url.render_as_string(hide_password=True)}: the database driver is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'tswt-formulation[postgres]'"
        ) from None
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine, busy_ms, read_only)
    return engine, created


def _ensure_wal(cur: Any, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    """Put the file in WAL mode (it stays so: later connections only check).

    Switching a new file to WAL needs a moment alone with it, and SQLite answers
    "database is locked" at once, without its busy handler, while another connection is
    doing the same (several people opening a new store together): so retry, within the
    busy timeout.
    """
    deadline = time.monotonic() + busy_ms / 1000
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _configure_sqlite(
    engine: sa.Engine, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS, read_only: bool = False
) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite's own
        # implicit transactions defer locking and break BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if not read_only:
            _ensure_wal(cur, busy_ms)
            cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock at BEGIN, so two writers queue on the busy timeout
        # instead of failing when a read lock cannot be upgraded.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("tswt_write", False) else "BEGIN")


def fetch_tuples(conn: sa.Connection, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """A read query's rows as plain tuples, for a DataFrame.

    On SQLite straight from the driver's cursor, skipping SQLAlchemy's result processing
    (which parses every DATE with a regular expression): dates come back as ISO text,
    booleans as 0/1. Elsewhere the driver already returns native values.
    """
    if conn.dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(query)]
    compiled = query.compile(dialect=conn.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        return cast("list[tuple[Any, ...]]", cursor.fetchall())  # pysqlite: a list of tuples
    finally:
        cursor.close()


def lock_for_migration(conn: sa.Connection) -> None:
    """Serialise schema migrations between processes, inside the current transaction.

    SQLite: the write transaction began with BEGIN IMMEDIATE and already holds the
    database's write lock. PostgreSQL: a transaction-level advisory lock, released at
    commit or rollback, so a second opener waits and then finds the schema up to date.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


def snapshot_options(engine: sa.Engine) -> dict[str, Any]:
    """Execution options for a read transaction that sees one consistent snapshot.

    SQLite in WAL mode gives a read transaction its snapshot at its first read;
    PostgreSQL's default (READ COMMITTED) takes a new one per statement, so ask for
    REPEATABLE READ there.
    """
    if engine.dialect.name == "postgresql":
        return {"isolation_level": "REPEATABLE READ"}
    return {}


def database_problems(conn: sa.Connection) -> list[str]:
    """The database's own consistency check, where an ordinary client can run one:
    SQLite's ``PRAGMA integrity_check``. (PostgreSQL's needs the amcheck extension and a
    superuser; the store's record-level checks run on both.)"""
    if conn.dialect.name != "sqlite":
        return []
    try:
        results = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check(100)")]
    except sa.exc.DatabaseError as exc:
        return [f"sqlite integrity_check: {getattr(exc, 'orig', exc)}"]
    lines = [
        line
        for r in results
        for line in str(r).splitlines()
        if line and not line.startswith("*** ")
    ]
    return [] if results == ["ok"] else [f"sqlite integrity_check: {line}" for line in lines]


def refuse_damaged(location: str, problems: list[str]) -> StoreError:
    """The error a write to a store that fails its check gives."""
    found = "; ".join(
        line for p in problems for line in p.splitlines() if line and not line.startswith("*** ")
    )
    return StoreError(
        f"{location}: the store fails its integrity check ({found[:160]}); nothing was written. "
        f"See `tswt check --store {location}`, and restore the store from a backup"
    )


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_permission_denied(exc: BaseException) -> bool:
    """True when the database refused a change for lack of privilege (a read-only
    PostgreSQL role, or a read-only SQLite file)."""
    if _sqlstate(exc) == "42501":  # insufficient_privilege
        return True
    orig = getattr(exc, "orig", None)
    name = getattr(orig, "sqlite_errorname", "")
    return isinstance(name, str) and name.startswith("SQLITE_READONLY")


def is_unique_violation(exc: BaseException) -> bool:
    """True when an insert collided with a row another transaction committed."""
    if _sqlstate(exc) == "23505":  # unique_violation
        return True
    orig = getattr(exc, "orig", None)
    name = getattr(orig, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE")


def database_role(engine: sa.Engine) -> str | None:
    """The login role on a database server (for messages); None for SQLite."""
    if engine.dialect.name == "sqlite":
        return None
    if engine.url.username:
        return engine.url.username
    try:  # no user in the URL: the server chose one (peer authentication, PGUSER)
        with engine.connect() as conn:
            return str(conn.execute(sa.select(sa.func.current_user())).scalar())
    except sa.exc.DBAPIError:
        return "(yours)"
