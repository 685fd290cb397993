"""Reading a SQLite store with the standard library alone, for the everyday read-only
commands (``tswt show``, ``eligibility``, ``recommend``, ``caseload``).

Importing SQLAlchemy costs more than everything else such a command does. On the happy
path (a SQLite file at the schema this code writes) one case, or the caseload's indexed
columns, are read here with :mod:`sqlite3`; anything else (a database URL, no file, an
older or newer schema, a locked or damaged file, a record that does not load) returns
``None``, and the caller goes through :class:`~tswt_formulation.store.CaseStore`, which
gives the proper answer or error. Nothing here writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, TswtError

if TYPE_CHECKING:
    from ..model.case import Case
    from .staff import StaffDirectory

# The schema version this code reads (schema.SCHEMA_VERSION; a test keeps them equal: the
# schema module imports SQLAlchemy, which is what this module exists to avoid).
SCHEMA_VERSION = 10
BUSY_TIMEOUT_S = 30.0


def local_file(location: str) -> Path | None:
    """The SQLite file a store location names, or None (a database URL, or no such file)."""
    if "://" in location:
        return None
    path = Path(location).expanduser()
    return path.resolve() if path.is_file() else None


def at_this_schema(conn: sqlite3.Connection) -> bool:
    """Whether the store on ``conn`` is at the schema this code reads and writes."""
    row = conn.execute("SELECT value FROM tswt_meta WHERE key = 'schema_version'").fetchone()
    return row is not None and int(row[0]) == SCHEMA_VERSION


def read_only_file(path: Path) -> bool:
    """May this process not write the SQLite file (a read-only file, or a read-only
    folder or mount where SQLite could not make its -wal and -shm files)?"""
    if not os.access(path, os.W_OK):
        return True
    return not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists()


def is_busy(exc: BaseException) -> bool:
    """True when SQLite gave up waiting for another writer ("database is locked")."""
    orig = getattr(exc, "orig", exc)
    name = getattr(orig, "sqlite_errorname", "")
    return (
        isinstance(name, str) and name.startswith("SQLITE_BUSY")
    ) or "database is locked" in str(orig)


def busy_error(location: str, wait: float, refused: str = "nothing was written") -> StoreError:
    """The one message for a store another program kept locked for the whole wait."""
    return StoreError(
        f"{location}: {refused} - another program has been writing to the store for {wait:g} s (a long import? "
        "a crashed program still holding it?). Try again when it has finished, or wait longer with --wait SECONDS"
    )


def quick_problems(dbapi_cursor: Any) -> list[str]:
    """SQLite's ``PRAGMA quick_check`` on a DB-API cursor (sqlite3): [] when sound, else
    its first few findings. The check every write runs first (it reads every page, as
    the write itself may not: a damaged page elsewhere would not stop it). Not run on
    PostgreSQL (its checks need a superuser)."""
    try:
        rows = [r[0] for r in dbapi_cursor.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:  # damage so bad the check itself cannot run
        return [str(exc).splitlines()[0] if str(exc) else type(exc).__name__]
    return [] if rows == ["ok"] else rows


def _connect(location: str) -> sqlite3.Connection | None:
    """A read-only connection to a SQLite store at this code's schema, or None."""
    path = local_file(location)
    if path is None:
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except (sqlite3.Error, ValueError):
        return None
    try:
        if at_this_schema(conn):
            return conn
    except (sqlite3.Error, ValueError):
        pass
    conn.close()
    return None


def get_case(location: str, case_id: str) -> Case | None:
    """The stored case (with its version), or None: ask the full store instead."""
    from ..model.parse import case_from_data

    conn = _connect(location)
    if conn is None:
        return None
    try:
        with closing(conn):
            row = conn.execute(
                "SELECT record, version FROM cases WHERE case_id = ?", (case_id,)
            ).fetchone()
        if row is None:
            return None
        case = case_from_data(json.loads(row[0]), case_id, stored=True)
    except (sqlite3.Error, ValueError, TswtError):
        return None
    case._version = row[1]
    return case


def caseload_tuples(location: str, worker: str | None = None) -> list[tuple[Any, ...]] | None:
    """What :meth:`CaseStore.caseload_tuples` returns, or None: ask the full store instead."""
    from ..rules.timeline import ROW_COLUMNS

    conn = _connect(location)
    if conn is None:
        return None
    query = f"SELECT {', '.join(ROW_COLUMNS)} FROM cases"
    params: tuple[Any, ...] = ()
    if worker is not None:
        query += " WHERE worker = ?"
        params = (worker,)
    try:
        with closing(conn):
            return conn.execute(query + " ORDER BY case_id", params).fetchall()
    except sqlite3.Error:
        return None


def workers(location: str) -> list[str] | None:
    """What :meth:`CaseStore.workers` returns, or None: ask the full store instead."""
    conn = _connect(location)
    if conn is None:
        return None
    try:
        with closing(conn):
            return sorted(
                r[0]
                for r in conn.execute("SELECT DISTINCT worker FROM cases WHERE worker IS NOT NULL")
            )
    except sqlite3.Error:
        return None


def staff(location: str) -> StaffDirectory | None:
    """What :func:`~tswt_formulation.store.staff.staff_directory` returns, or None: ask
    the full store instead."""
    from .staff import StaffDirectory, StaffMember

    conn = _connect(location)
    if conn is None:
        return None
    try:
        with closing(conn):
            rows = conn.execute(
                "SELECT login, name, role, os_account, db_role FROM staff ORDER BY login"
            ).fetchall()
            training = conn.execute("SELECT value FROM tswt_meta WHERE key = 'training'").fetchone()
    except sqlite3.Error:
        return None
    return StaffDirectory(
        (StaffMember(*row) for row in rows), training=bool(training and training[0] == "true")
    )


def log_access(location: str, user: str, how: str, case_id: str, what: str) -> bool:
    """Record that ``user`` opened a case (store.CaseStore.log_access, with the standard
    library); False, writing nothing, where the store cannot be written."""
    from datetime import datetime

    path = local_file(location)
    if path is None or read_only_file(
        path
    ):  # reading is not writing where the store cannot be written
        return False
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a DateTime
    try:
        with closing(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)) as conn, conn:
            conn.execute(
                'INSERT INTO access_log (at, "user", identified_by, case_id, what) VALUES (?, ?, ?, ?, ?)',
                (stamp, user, how, case_id, what),
            )
        return True
    except sqlite3.Error:
        return False
