"""Moving a whole case store to another database: ``tswt migrate-store FROM TO``.

Typically a team's SQLite file onto its PostgreSQL server, but any store to any new,
empty store. Every case is copied as stored (record, version, who and when), the whole
audit log in its order, and the staff directory, so the history of every case survives
the move and reports still name people. (The schema version and migration history
describe each store itself; a source table this code does not know refuses the move.) The copy
is one transaction on the target: it is checked before it commits (the number of cases
and of audit entries, and a digest of both, read back from each side), and anything
that does not match leaves the target as it was. The target's log then says who moved
the store, from where, and when.

The source is read in one consistent snapshot; edits saved to it after the copy began
are not copied, so stop editing (or make the old file read-only) while moving.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import StoreError
from . import engine as dialect
from . import schema
from .audit import append_entry
from .scores import rebuild_scores
from .store import CaseStore, open_store

_CHUNK = 1_000
_CASE_COLUMNS = [c.name for c in schema.cases.columns]
_AUDIT_COLUMNS = [c.name for c in schema.audit.columns if c.name != "id"]
_STAFF_COLUMNS = [c.name for c in schema.staff.columns]
# Every table a store holds: the three copied, and the two that describe the store itself
# (its schema version and migration history, which the target has of its own). A table
# that is in neither list would be left behind, so the move is refused.
_ACCESS_COLUMNS = [c.name for c in schema.access_log.columns if c.name != "id"]
# moved: the records, their audit log, the directory and who opened what; the scores
# table is derived from the records, so it is rebuilt on the new side, not copied
_COPIED = {
    schema.cases.name,
    schema.audit.name,
    schema.staff.name,
    schema.access_log.name,
    schema.scores.name,
}
_OWN = {schema.meta.name, schema.migrations_table.name}


@dataclass(frozen=True)
class TransferReport:
    """What :func:`migrate_store` copied and checked."""

    source: str
    target: str
    cases: int
    audit_entries: int
    cases_digest: str
    audit_digest: str
    staff: int = 0
    staff_digest: str = ""


def migrate_store(
    source: str, target: str, user: str | None = None, progress: Callable[[int], None] | None = None
) -> TransferReport:
    """Copy every case, the whole audit log and the staff directory from ``source`` into the new, empty store
    ``target`` (created if it is a new SQLite path; an empty database gets the schema).

    Raises :class:`StoreError` if the target already holds cases, is the source itself,
    or if the copy read back from the target does not match the source (then nothing is
    written). ``progress`` is called with the number of cases copied in each batch.
    """
    with (
        open_store(source, user=user, migrate=False) as src,
        open_store(target, user=user, create=True) as dst,
    ):
        if src.outdated is not None:
            raise StoreError(
                f"{src.location}: the store is at schema {src.outdated}; bring it up to date first with "
                f"`tswt init --store {src.location}` (nothing was copied)"
            )
        if src.engine.url == dst.engine.url:
            raise StoreError(
                f"{dst.location}: the source and the target are the same store; nothing was copied"
            )
        held = len(dst)
        if held:
            raise StoreError(
                f"{dst.location}: already holds {held} case(s); migrate-store copies into a new, empty store only "
                "(nothing was copied)"
            )
        with dst.engine.connect() as conn:
            people = _count(conn, schema.staff)
        if people:
            raise StoreError(
                f"{dst.location}: its staff directory already lists {people} people; migrate-store copies into a new, "
                "empty store only (nothing was copied)"
            )
        with src.engine.connect() as conn:
            unknown = sorted(set(sa.inspect(conn).get_table_names()) - _COPIED - _OWN)
        if unknown:
            raise StoreError(
                f"{src.location}: holds table(s) this version does not know how to move ({', '.join(unknown)}); "
                "nothing was copied"
            )
        src.authorise("migrate")  # an administrator of the store moved (docs/permissions.md)
        _check_workflows(src)
        if src.training:
            dst.mark_training()  # a practice store stays one: its people are synthetic
        return _copy(src, dst, progress)


def _check_workflows(src: CaseStore) -> None:
    """Migrated records are checked as restored ones are: every sign-off one the workflow
    could have made (by someone who had no hand in the formulation, at a revision that
    exists; "signed off" only with an approval of the current revision)."""
    from ..access.logins import restore_problems
    from ..errors import ValidationFailed
    from ..model.parse import case_to_data

    problems = [
        p
        for case in src.cases()
        if case.formulation is not None
        for p in restore_problems(case_to_data(case), {}, case.case_id)
    ]
    if problems:
        raise ValidationFailed(
            problems,
            summary=f"{src.location}: {len(problems)} record(s) with a workflow that could "
            "not have happened; correct them first (nothing was copied):",
        )


def _copy(src: CaseStore, dst: CaseStore, progress: Callable[[int], None] | None) -> TransferReport:
    with (
        src.engine.connect().execution_options(**dialect.snapshot_options(src.engine)) as read,
        read.begin(),
    ):
        n_cases = _count(read, schema.cases)
        n_audit = _count(read, schema.audit)
        with dst._write("nothing copied") as write:
            first_copied = (
                write.execute(sa.select(sa.func.max(schema.audit.c.id))).scalar() or 0
            ) + 1
            for rows in _chunks(read, schema.cases, schema.cases.c.case_id, ""):
                _refuse_unfit(rows, schema.cases, src.location)
                write.execute(schema.cases.insert(), [_utc(r, _CASE_COLUMNS) for r in rows])
                if progress:
                    progress(len(rows))
            rebuild_scores(
                write
            )  # derived from the records just copied (the source may be at an older schema)
            for rows in _chunks(read, schema.audit, schema.audit.c.id, 0):
                _refuse_unfit(rows, schema.audit, src.location)
                write.execute(schema.audit.insert(), [_utc(r, _AUDIT_COLUMNS) for r in rows])
            n_staff = _count(read, schema.staff)
            for rows in _chunks(read, schema.staff, schema.staff.c.login, ""):
                _refuse_unfit(rows, schema.staff, src.location)
                write.execute(schema.staff.insert(), [_utc(r, _STAFF_COLUMNS) for r in rows])
            # who opened which record: information governance goes with the records
            for rows in _chunks(read, schema.access_log, schema.access_log.c.id, 0):
                write.execute(schema.access_log.insert(), [_utc(r, _ACCESS_COLUMNS) for r in rows])
            source_access = _digest(
                _chunks(read, schema.access_log, schema.access_log.c.id, 0), _ACCESS_COLUMNS
            )
            target_access = _digest(
                _chunks(write, schema.access_log, schema.access_log.c.id, 0), _ACCESS_COLUMNS
            )
            if source_access != target_access:
                raise StoreError(
                    f"{dst.location}: the copy of the access log does not match {src.location} "
                    f"({source_access[0]} -> {target_access[0]} entries); nothing was copied"
                )
            # Read both sides back and compare before committing.
            source_cases = _digest(
                _chunks(read, schema.cases, schema.cases.c.case_id, ""), _CASE_COLUMNS
            )
            target_cases = _digest(
                _chunks(write, schema.cases, schema.cases.c.case_id, ""), _CASE_COLUMNS
            )
            source_audit = _digest(
                _chunks(read, schema.audit, schema.audit.c.id, 0), _AUDIT_COLUMNS
            )
            target_audit = _digest(
                _chunks(write, schema.audit, schema.audit.c.id, first_copied - 1), _AUDIT_COLUMNS
            )
            source_staff = _digest(
                _chunks(read, schema.staff, schema.staff.c.login, ""), _STAFF_COLUMNS
            )
            target_staff = _digest(
                _chunks(write, schema.staff, schema.staff.c.login, ""), _STAFF_COLUMNS
            )
            if (
                source_cases != target_cases
                or source_audit != target_audit
                or source_staff != target_staff
            ):
                raise StoreError(
                    f"{dst.location}: the copy does not match {src.location} "
                    f"(cases {source_cases[0]} -> {target_cases[0]}, audit entries {source_audit[0]} -> {target_audit[0]}"
                    f"{f', staff {source_staff[0]} -> {target_staff[0]}' if source_staff[0] or target_staff[0] else ''}"
                    f"{'' if source_cases[1] == target_cases[1] else ', case records differ'}"
                    f"{'' if source_audit[1] == target_audit[1] else ', audit entries differ'}"
                    f"{'' if source_staff[1] == target_staff[1] else ', staff entries differ'}); nothing was copied"
                )
            if (source_cases[0], source_audit[0], source_staff[0]) != (
                n_cases,
                n_audit,
                n_staff,
            ):  # pragma: no cover
                raise StoreError(f"{src.location}: changed while being read; nothing was copied")
            append_entry(
                write,
                user=dst.user,
                how=dst.identity.how,
                action="migrate-store",
                changes=[
                    {"op": "set", "path": "store", "before": src.location, "after": dst.location}
                ],
                note=f"copied {n_cases} case(s) and {n_audit} audit entries from {src.location}; counts and digests checked"
                + (f"; the staff directory ({n_staff} people) too" if n_staff else ""),
            )
    return TransferReport(
        src.location,
        dst.location,
        n_cases,
        n_audit,
        source_cases[1],
        source_audit[1],
        n_staff,
        source_staff[1],
    )


def _refuse_unfit(rows: list[sa.RowMapping], table: sa.Table, source: str) -> None:
    """Refuse, naming the row and the column, a text that another database cannot hold:
    a NUL character, or more characters than the column declares (SQLite keeps both;
    PostgreSQL refuses them). The message never quotes the value."""
    for row in rows:
        for col in table.columns:
            value = row[col.name]
            if not isinstance(value, str):
                continue
            limit = getattr(col.type, "length", None)
            why = (
                "contains a NUL character"
                if "\x00" in value
                else f"holds {len(value)} characters; the column holds {limit}"
                if limit and len(value) > limit
                else None
            )
            if why:
                which = (
                    f"case {row['case_id']}"
                    if table is schema.cases
                    else f"audit entry {row['id']}"
                )
                raise StoreError(
                    f"{source}: {which}: {col.name} {why}; correct it in the source store first (nothing was copied)"
                )


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _chunks(
    conn: sa.Connection, table: sa.Table, key: sa.Column[Any], after: Any
) -> Iterator[list[sa.RowMapping]]:
    """The table's rows in key order, a chunk at a time (keyset pagination)."""
    while True:
        rows = (
            conn.execute(sa.select(table).where(key > after).order_by(key).limit(_CHUNK))
            .mappings()
            .all()
        )
        if not rows:
            return
        yield list(rows)
        after = rows[-1][key.name]


def _utc(row: sa.RowMapping, columns: list[str]) -> dict[str, Any]:
    # SQLite hands back naive times (stored as UTC): mark them, so that every database
    # receives the same instant.
    return {c: (_as_utc(row[c]) if isinstance(row[c], datetime) else row[c]) for c in columns}


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return _as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _digest(chunks: Iterator[list[sa.RowMapping]], columns: list[str]) -> tuple[int, str]:
    """(row count, sha256 of the rows' values in order): equal on both sides when the
    copy holds the same rows in the same order."""
    h = hashlib.sha256()
    n = 0
    for rows in chunks:
        for row in rows:
            h.update(
                json.dumps(
                    [row[c] for c in columns], default=_canonical, ensure_ascii=False
                ).encode()
            )
            h.update(b"\n")
            n += 1
    return n, h.hexdigest()
