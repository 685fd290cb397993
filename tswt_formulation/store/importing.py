"""Importing new cases: the checks and the rows both write paths share, and the write
itself with the standard library on a SQLite store (``tswt import``).

Importing SQLAlchemy, and binding thousands of rows through it, costs more than the rest
of an import's write. On the happy path (a SQLite file in WAL mode at the schema this
code writes) the cases are written here with :mod:`sqlite3`, as
:meth:`CaseStore.import_cases <tswt_formulation.store.CaseStore.import_cases>` writes
them: the same checks first, then ONE transaction taken with ``BEGIN IMMEDIATE`` holding
every case row and its audit entry, with the values SQLAlchemy would have stored (dates
as ISO text, times as UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, booleans as 0/1). Anything
else (a database URL, no file, an older or newer schema, a database that refuses the
write) is left to :class:`~tswt_formulation.store.CaseStore`, which gives its answer or
its error; a refused write was rolled back first, so it changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..errors import Problem, StoreError, ValidationFailed
from ..large_batches import gc_paused
from ..model.case import Case
from ..model.parse import case_to_data, nul_problems
from ..model.work import work_digest
from ..rules.timeline import ROW_COLUMNS, caseload_row

# The schema check and the rest without SQLAlchemy:
from .read_only import (
    BUSY_TIMEOUT_S,
    at_this_schema,
    busy_error,
    is_busy,
    local_file,
    quick_problems,
    read_only_file,
)
from .scores import SCORE_COLUMNS, case_score_rows

DENORMALISED = [c for c in ROW_COLUMNS if c != "case_id"]
CHUNK = 500


def check_new_cases(
    cases: list[Case], workflow_state: bool, sources: dict[str, str] | None
) -> None:
    """What an import checks before writing: measures that could not be scored, workflow
    state a plain import may not carry (``workflow_state=False``, naming the file from
    ``sources``: case id -> file), a case id given twice. Raises :class:`ValidationFailed`."""
    from ..measures.checks import check_measures

    with gc_paused():
        check_measures(
            cases
        )  # responses that could not be scored are refused now, not found by a report later
    if not workflow_state:
        from ..rules.protected import workflow_problems

        where = {
            c.case_id: f"{sources[c.case_id]}: {c.case_id}"
            if sources and c.case_id in sources
            else c.case_id
            for c in cases
        }
        problems = [p for c in cases for p in workflow_problems(None, c, where[c.case_id])]
        if problems:
            raise ValidationFailed(
                problems, summary=f"{len(problems)} problem(s); nothing was written:"
            )
    ids = [c.case_id for c in cases]
    dup_in_batch = {i for i in ids if ids.count(i) > 1} if len(set(ids)) != len(ids) else set()
    if dup_in_batch:
        raise ValidationFailed(
            [
                Problem(i, "case_id", "appears more than once in this import")
                for i in sorted(dup_in_batch)
            ]
        )


def authorise_new_cases(
    cases: list[Case], who: str, staff: Any, sources: dict[str, str] | None = None
) -> None:
    """The permission table's check of an import, as ``who``: recording referrals; a
    decided or allocated referral needs who may decide or allocate; workflow state (a
    restore) an administrator, and a workflow the workflow could have produced. Every
    person named must be a login in the staff directory allowed in that field."""
    from ..access.logins import people_problems, restore_problems
    from ..access.permissions import check

    if not staff:
        return
    if any(c.formulation is not None or c.conclusion is not None for c in cases):
        needed = [
            "restore"
        ]  # records with their workflow, as they were: checked for consistency below
    else:
        needed = ["record_referral"]
        if any(
            c.referral.decision.outcome != "pending" or c.referral.approval is not None
            for c in cases
        ):
            needed.append("decide_referral")
        if any(c.referral.allocation is not None for c in cases):
            needed.append("allocate")
    for operation in needed:
        check(operation, who, staff)
    problems: list[Problem] = []
    for c in cases:
        where = (
            f"{sources[c.case_id]}: {c.case_id}" if sources and c.case_id in sources else c.case_id
        )
        record = case_to_data(c)
        problems += (
            restore_problems(record, staff, where)
            if (c.formulation or c.conclusion)
            else people_problems(record, staff, where)
        )
    if problems:
        raise ValidationFailed(
            problems, summary=f"{len(problems)} problem(s); nothing was written:"
        )


def already_stored(existing: set[str]) -> ValidationFailed:
    return ValidationFailed(
        [
            Problem(i, "case_id", "already in the store; nothing was imported")
            for i in sorted(existing)
        ],
        summary=f"{len(existing)} case(s) already exist; nothing was written:",
    )


def case_row(case: Case, version: int, now: datetime, who: str, created: bool) -> dict[str, Any]:
    """A case's row in the ``cases`` table: its record as JSON text (``case_to_data``'s
    record, serialised once by pydantic) and its indexed columns."""
    text = case.model_dump_json(exclude_defaults=True)
    nul = (
        nul_problems(case_to_data(case), case.case_id) if "\\u0000" in text else []
    )  # JSON writes NUL as \u0000
    if nul:  # a case built in Python, not read from a file
        raise ValidationFailed(nul, summary=f"{len(nul)} problem(s); nothing was written:")
    row = caseload_row(case)
    out = {k: row[k] for k in DENORMALISED}
    out.update(
        version=version,
        record=text,
        updated_at=now,
        updated_by=who,
        # Every case's, from its referral on: the summarised review reads each child's
        # presenting behaviours from it (NULL: stored before they were kept).
        work=json.dumps(work_digest(case), separators=(",", ":")),
    )
    if created:
        out["case_id"] = case.case_id
        out["created_at"] = now
    return out


def new_rows(
    batch: list[Case], who: str, note: str, now: datetime, action: str, how: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The case rows and audit rows of new cases, at version 1."""
    case_rows, audit_rows = [], []
    for case in batch:
        row = case_row(case, 1, now, who, created=True)
        case_rows.append(row)
        # The audit entry of a new case is record_diff(None, record): the record's JSON
        # text as just written, not serialised a second time.
        audit_rows.append(
            {
                "at": now,
                "user": who,
                "case_id": case.case_id,
                "action": action,
                "version": 1,
                "changes": '[{"op": "add", "path": "", "after": ' + row["record"] + "}]",
                "note": note,
                "identified_by": how,
            }
        )
    return case_rows, audit_rows


class SqliteImport:
    """A SQLite store opened for one import with the standard library (see the module
    docstring). :func:`open_sqlite_import` gives one, or None for the full store."""

    def __init__(
        self, location: str, conn: sqlite3.Connection, wait: float = BUSY_TIMEOUT_S
    ) -> None:
        self.location = location
        self.conn = conn
        self.wait = wait

    def __enter__(self) -> SqliteImport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def check_owner(self, what: str) -> None:
        """As :meth:`CaseStore.check_owner` on SQLite: only the file's owner may."""
        path = Path(self.location).expanduser().resolve()
        if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
            raise StoreError(f"{self.location}: only the owner of the store file may {what}")

    def import_cases(
        self,
        cases: list[Case],
        who: str,
        note: str,
        progress: Callable[[int], None] | None,
        workflow_state: bool,
        action: str,
        sources: dict[str, str] | None,
        how: str | None = None,
        staff: Any = None,
    ) -> int | None:
        """Check and write the cases in one transaction, as :meth:`CaseStore.import_cases`;
        the number written, or None when the database refused the write (rolled back:
        nothing changed), for the full store to redo it and give its answer. ``who`` and
        ``how``: the person acting as :mod:`~tswt_formulation.access.identity` resolved
        them against ``staff``, the store's directory."""
        check_new_cases(cases, workflow_state, sources)
        authorise_new_cases(cases, who, staff, sources)
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a DateTime on SQLite
        ids = [c.case_id for c in cases]
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock now: writers queue on the busy timeout
        except sqlite3.Error as exc:
            if is_busy(
                exc
            ):  # waited once, the whole --wait: say so, do not wait again through the full store
                raise busy_error(self.location, self.wait, "nothing imported") from None
            return None
        if (
            quick_problems(conn)
            or conn.execute("SELECT 1 FROM tswt_meta WHERE key = 'check_failed'").fetchone()
        ):
            conn.rollback()  # a damaged store, or one `tswt check` found unsound: the full store refuses it, with the message
            return None
        try:
            with gc_paused():
                existing: set[str] = set()
                for i in range(0, len(ids), CHUNK):
                    chunk = ids[i : i + CHUNK]
                    existing.update(
                        r[0]
                        for r in conn.execute(
                            f"SELECT case_id FROM cases WHERE case_id IN ({', '.join('?' * len(chunk))})",
                            chunk,
                        )
                    )
                if existing:
                    raise already_stored(existing)
                case_sql = audit_sql = ""
                for start in range(0, len(cases), CHUNK):
                    batch = cases[start : start + CHUNK]
                    case_rows, audit_rows = new_rows(batch, who, note, now, action, how)
                    if not case_sql:
                        case_sql = _insert("cases", list(case_rows[0]))
                        audit_sql = _insert("audit", list(audit_rows[0]))
                    conn.executemany(
                        case_sql,
                        [tuple(_sql_value(v, stamp, now) for v in r.values()) for r in case_rows],
                    )
                    conn.executemany(
                        audit_sql,
                        [tuple(_sql_value(v, stamp, now) for v in r.values()) for r in audit_rows],
                    )
                    scored = [
                        r for case in batch for r in case_score_rows(case)
                    ]  # as CaseStore writes them (migration 7)
                    if scored:
                        conn.executemany(
                            _insert("scores", list(SCORE_COLUMNS)),
                            [
                                tuple(_sql_value(r[c], stamp, now) for c in SCORE_COLUMNS)
                                for r in scored
                            ],
                        )
                    if progress:
                        progress(len(batch))
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.rollback()
            return None
        except BaseException:
            conn.rollback()
            raise
        for case in cases:
            case._version = 1
        return len(cases)


def _insert(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def _sql_value(value: Any, stamp: str, now: datetime) -> Any:
    """A value as SQLAlchemy binds it on SQLite: the import's time as ``stamp``, a
    date as ISO text, a boolean as 0/1."""
    if value is now:
        return stamp
    if isinstance(value, bool):
        return int(value)
    if isinstance(
        value, date
    ):  # the indexed columns are DATE: the date part, as SQLAlchemy's bind writes it
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return value


def open_sqlite_import(location: str, wait: float | None = None) -> SqliteImport | None:
    """The SQLite store at ``location`` opened for an import, or None: use the full store
    (a URL, no such file, not in WAL mode, another schema version, unreadable).
    ``wait``: seconds to wait for another writer (default 30)."""
    path = local_file(location)
    if path is None or read_only_file(path):  # the full store opens it read-only and says so
        return None
    wait = BUSY_TIMEOUT_S if wait is None else wait
    try:
        conn = sqlite3.connect(str(path), timeout=wait, isolation_level=None)
    except (sqlite3.Error, ValueError):
        return None
    try:
        # The settings the store's engine gives every connection (engine._configure_sqlite).
        conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            if at_this_schema(conn):
                return SqliteImport(location, conn, wait)
    except (sqlite3.Error, ValueError):
        pass
    conn.close()
    return None
