"""Opening a store by path or URL: SQLite files created owner-only, WAL, busy timeout.

This is the only module that knows which database it is talking to; everything above it
is portable SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from ..errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def store_url(location: str) -> str:
    """A SQLAlchemy URL for a path (SQLite) or an URL given as is."""
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


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


def make_engine(location: str, create: bool) -> tuple[sa.Engine, bool]:
    """An engine for the store; returns (engine, created_new_file)."""
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
        create_owner_only(path)
        created = True
    kwargs: dict[str, object] = {}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    try:
        engine = sa.create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"{url.render_as_string(hide_password=True)}: the database driver is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'tswt-formulation[postgres]'"
        ) from None
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine, created


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite's own
        # implicit transactions defer locking and break BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Writers take the write lock at BEGIN, so two writers queue on the busy timeout
        # instead of failing when a read lock cannot be upgraded.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("tswt_write", False) else "BEGIN")
