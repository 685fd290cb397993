"""The store's integrity check (``tswt check``): the database's own check, then every
case's record, indexed columns, scores rows and audit trail; and the verdict kept, so that
writes are refused while the last check found the store unsound."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import StoreError
from ..rules.timeline import ROW_COLUMNS, caseload_row
from . import engine as dialect
from . import schema
from .diff import apply_changes
from .records import CHUNK as _CHUNK
from .records import _load, _record_column, _row_columns

_DENORMALISED = [c for c in ROW_COLUMNS if c != "case_id"]
CHECK_FAILED = "check_failed"  # tswt_meta key: set while the last `tswt check` found problems


class IntegrityMixin:
    """The integrity check and its kept verdict (part of CaseStore)."""

    if TYPE_CHECKING:  # provided by CaseStore (store.py)
        engine: sa.Engine
        location: str
        user: str
        outdated: int | None

    def record_check(self, problems: list[str]) -> None:
        """Remember the verdict of :meth:`integrity_check`: while the last check found
        problems, every write is refused (the standard-library import path too); a
        check that passes lifts it. Where the store cannot be written, nothing is kept."""
        if any(p.startswith("sqlite ") for p in problems):
            return  # a damaged file is never written to; the quick check before every write refuses it anyway
        value = f"{len(problems)} problem(s), first: {problems[0][:200]}" if problems else None
        try:
            with self.engine.connect() as conn, conn.begin():
                had = conn.execute(
                    sa.select(schema.meta.c.value).where(schema.meta.c.key == CHECK_FAILED)
                ).scalar()
                if had == value:
                    return  # the same verdict: nothing to write
                conn.execute(schema.meta.delete().where(schema.meta.c.key == CHECK_FAILED))
                if value is not None:
                    conn.execute(schema.meta.insert().values(key=CHECK_FAILED, value=value))
        except sa.exc.DBAPIError:
            return

    def integrity_check(self) -> list[str]:
        """Problems found in the store ([] when sound).

        The database's own check (SQLite), then for every case: its record validates,
        its indexed columns agree with the record, and its audit trail accounts for it
        (replaying the case's audit entries rebuilds the stored record at the stored
        version). Audit entries for a case that is not in the store are a problem too.
        All of it is read in one consistent snapshot.
        """
        with self.engine.connect() as conn:
            problems = dialect.database_problems(conn)
        if problems:  # the file itself is damaged: reading on would stop at the first bad page
            return problems
        with (
            self.engine.connect().execution_options(
                **dialect.snapshot_options(self.engine)
            ) as conn,
            conn.begin(),
        ):
            c, a = schema.cases.c, schema.audit.c
            stray = conn.execute(
                sa.select(a.case_id)
                .distinct()
                .where(a.case_id.is_not(None), ~sa.exists().where(c.case_id == a.case_id))
                .order_by(a.case_id)
            ).scalars()
            problems += [
                f"{case_id}: audit entries for a case that is not in the store" for case_id in stray
            ]
            last = ""
            while True:
                rows = conn.execute(
                    sa.select(
                        c.case_id,
                        c.version,
                        _record_column(self.engine),
                        *_row_columns(self.engine, self.outdated, _DENORMALISED),
                    )
                    .where(c.case_id > last)
                    .order_by(c.case_id)
                    .limit(_CHUNK)
                ).all()
                if not rows:
                    break
                last = rows[-1].case_id
                problems += _scores_problems(conn, rows)
                trails: dict[str, list[Any]] = {}
                for entry in conn.execute(
                    sa.select(a.case_id, a.version, a.changes)
                    .where(a.case_id.in_([r.case_id for r in rows]))
                    .order_by(a.case_id, a.id)
                ):
                    trails.setdefault(entry.case_id, []).append(entry)
                for row in rows:
                    problems += _case_problems(row, trails.get(row.case_id, []))
        return problems


def _case_problems(row: Any, trail: list[Any]) -> list[str]:
    """What is wrong with one stored case: its record, its indexed columns, its audit trail."""
    case_id = row.case_id
    try:
        case = _load(row.record, row.version, case_id)
    except StoreError as exc:
        return [str(exc).splitlines()[0]]
    out = []
    expected = caseload_row(case)
    differ = [k for k in _DENORMALISED if getattr(row, k) != expected[k]]
    if differ:
        out.append(f"{case_id}: indexed column(s) {', '.join(differ)} disagree with the record")
    if not trail:
        return out + [f"{case_id}: no audit entry"]
    rebuilt: dict[str, Any] | None = None
    for entry in trail:
        rebuilt = apply_changes(rebuilt, json.loads(entry.changes))
    if trail[-1].version != row.version:
        out.append(
            f"{case_id}: the audit log ends at version {trail[-1].version} but the store holds version {row.version}"
        )
    elif rebuilt != json.loads(row.record):  # row.record read as text by _load just now
        out.append(
            f"{case_id}: the record differs from the one its audit log rebuilds (version {row.version})"
        )
    return out


def _scores_problems(conn: sa.Connection, rows: Sequence[Any]) -> list[str]:
    """Cases whose rows in the scores table are not their records' scores (migration 7)."""
    from .scores import SCORE_COLUMNS, record_score_rows

    s = schema.scores.c
    stored: dict[str, list[tuple[Any, ...]]] = {}
    for r in conn.execute(
        sa.select(*[s[c] for c in SCORE_COLUMNS])
        .where(s.case_id.in_([r.case_id for r in rows]))
        .order_by(s.case_id, s.position)
    ):
        stored.setdefault(r.case_id, []).append(tuple(r))
    out = []
    for row in rows:
        try:
            expected = [
                tuple(e[c] for c in SCORE_COLUMNS)
                for e in record_score_rows(row.case_id, json.loads(row.record))
            ]
        except (ValueError, KeyError, TypeError):
            continue  # a record that does not load is reported on its own
        if stored.get(row.case_id, []) != expected:
            out.append(
                f"{row.case_id}: its rows in the scores table differ from its record's scores "
                "(rebuild them: tswt_formulation.store.scores.rebuild_scores)"
            )
    return out
