"""Writing cases: new cases added in one transaction, edited cases saved with the
version they were loaded at (a stale save refused, saying who changed the case meanwhile),
each write checked against the permission table and audited with its action."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import CaseNotFound, Problem, StaleEdit, ValidationFailed
from ..large_batches import gc_paused
from ..model.case import Case
from ..model.parse import case_from_data, case_to_data
from . import engine as dialect
from . import schema
from .audit import append_entry
from .diff import record_diff
from .importing import already_stored, authorise_new_cases, case_row, check_new_cases, new_rows
from .records import CHUNK as _CHUNK
from .records import _as_utc, _db_message, _now
from .scores import case_score_rows, replace_case_scores


class SavingMixin:
    """Adding and saving cases (part of CaseStore)."""

    if TYPE_CHECKING:  # provided by CaseStore (store.py)
        engine: sa.Engine
        location: str
        user: str
        identity: Any

        @property
        def staff(self) -> Any: ...
        def _acting(self, user: str | None) -> tuple[str, str]: ...
        def _write(
            self, refused: str = ..., denied: str | None = ...
        ) -> AbstractContextManager[sa.Connection]: ...
        def get(self, case_id: str) -> Case: ...

    def _authorise_save(
        self,
        case_id: str,
        stored: Any,
        record: Any,
        changes: list[dict[str, Any]],
        who: str,
        workflow_step: str | None,
    ) -> None:
        """The permission table's check of one save, inside its transaction, against the
        record as stored: the operations the change needs (the workflow step casework
        names covers the formulation and the conclusion of screening), and the people it names."""
        from ..access.logins import people_problems
        from ..access.permissions import NotPermitted, check, operations_for

        staff = self.staff
        if not staff or not changes:
            return
        paths = [c["path"] for c in changes]
        if workflow_step is None:
            protected = [
                p
                for p in paths
                if p == "conclusion"
                or p.startswith("conclusion.")
                or p == "formulation"
                or p.startswith(
                    (
                        "formulation.status",
                        "formulation.signoffs",
                        "formulation.decision",
                        "formulation.author",
                        "formulation.submitted_by",
                        "formulation.contributors",
                    )
                )
            ]
            if protected:
                raise NotPermitted(
                    f"{case_id}: {protected[0]} is workflow state, changed only by its workflow step "
                    "(draft, decide, submit, sign off, conclude), which checks who may take it"
                )
            needed = operations_for(paths)
        else:
            rest = [
                p for p in paths if not (p.startswith("formulation") or p.startswith("conclusion"))
            ]
            needed = [workflow_step] + [o for o in operations_for(rest) if o != workflow_step]
        for operation in needed:
            check(operation, who, staff, stored, case_id=case_id)
        problems = people_problems(record, staff, case_id, changed=paths)
        if problems:  # one problem is one line; several get a heading
            raise ValidationFailed(
                problems, summary=f"{case_id}: not saved:" if len(problems) > 1 else None
            )

    def add(self, case: Case, user: str | None = None, note: str = "") -> Case:
        """Add one new case (refused if its id exists)."""
        self.import_cases([case], user=user, note=note or "added")
        return self.get(case.case_id)

    def import_cases(
        self,
        cases: list[Case],
        user: str | None = None,
        note: str = "import",
        progress: Callable[[int], None] | None = None,
        workflow_state: bool = True,
        action: str = "import",
        sources: dict[str, str] | None = None,
    ) -> int:
        """Add many new cases in ONE transaction: all of them, or none.

        Raises :class:`ValidationFailed` listing every case id that already exists.
        With ``workflow_state=False`` (``tswt import``) a case that carries workflow
        state (a formulation, a conclusion of screening) is refused, naming the field
        (and the file, from ``sources``: case id -> file).
        """
        who, how = self._acting(user)
        check_new_cases(cases, workflow_state, sources)
        authorise_new_cases(cases, who, self.staff, sources)
        ids = [c.case_id for c in cases]
        now = _now()
        try:
            with gc_paused():
                self._insert_new(cases, ids, who, note, now, progress, action, how)
        except sa.exc.IntegrityError as exc:
            if not dialect.is_unique_violation(exc):
                raise
            # Another import committed some of these ids after our check (PostgreSQL lets
            # both check at once; the unique key refuses the later one): the same answer
            # as if it had committed first.
            existing = self._existing(ids)
            raise ValidationFailed(
                [
                    Problem(
                        i,
                        "case_id",
                        "already in the store (imported by someone else meanwhile); nothing was imported",
                    )
                    for i in sorted(existing)
                ]
                or [
                    Problem(
                        "",
                        "case_id",
                        f"collided with another import; nothing was imported ({_db_message(exc)})",
                    )
                ],
                summary=f"{len(existing) or 'some'} case(s) already exist; nothing was written:",
            ) from None
        for case in cases:
            case._version = 1
        return len(cases)

    def _existing(self, ids: list[str], conn: sa.Connection | None = None) -> set[str]:
        """Which of these case ids are in the store."""
        if conn is None:
            with self.engine.connect() as own:
                return self._existing(ids, own)
        existing: set[str] = set()
        for i in range(0, len(ids), _CHUNK):
            existing.update(
                conn.execute(
                    sa.select(schema.cases.c.case_id).where(
                        schema.cases.c.case_id.in_(ids[i : i + _CHUNK])
                    )
                ).scalars()
            )
        return existing

    def _insert_new(
        self,
        cases: list[Case],
        ids: list[str],
        who: str,
        note: str,
        now: datetime,
        progress: Callable[[int], None] | None,
        action: str = "import",
        how: str | None = None,
    ) -> None:
        with self._write("nothing imported") as conn:
            existing = self._existing(ids, conn)
            if existing:
                raise already_stored(existing)
            for start in range(0, len(cases), _CHUNK):
                batch = cases[start : start + _CHUNK]
                case_rows, audit_rows = new_rows(
                    batch, who, note, now, action, how or self.identity.how
                )
                conn.execute(schema.cases.insert(), case_rows)
                conn.execute(schema.audit.insert(), audit_rows)
                scored = [r for case in batch for r in case_score_rows(case)]
                if scored:
                    conn.execute(schema.scores.insert(), scored)
                if progress:
                    progress(len(batch))

    def save(
        self,
        case: Case,
        user: str | None = None,
        note: str = "",
        *,
        workflow_step: str | None = None,
        action: str = "update",
    ) -> Case:
        """Save an edited case loaded with :meth:`get`; refused if someone saved since.

        Returns the case as now stored (with its new version). Saving with no change
        writes nothing. The change is checked against the permission table as the
        person acting (the allocated worker or a manager edits a case); workflow state
        (formulation status, decision, sign-offs, conclusion) changes only through
        :mod:`tswt_formulation.casework`, which names its ``workflow_step`` and the
        ``action`` the audit log records (``store.audit.ACTIONS``; a plain save: ``update``).
        """
        return self.save_many(
            [case], user=user, note=note, workflow_step=workflow_step, action=action
        )[0]

    def save_many(
        self,
        cases: list[Case],
        user: str | None = None,
        note: str = "",
        *,
        workflow_step: str | None = None,
        action: str = "update",
    ) -> list[Case]:
        """Save several edited cases in ONE transaction: all of them, or none.

        Each case must carry the version it was loaded at (``case._version``, set by
        :meth:`get`, or from an export's ``versions``); any stale one refuses the lot.
        Measure administrations are checked against their definitions when they (or the
        date of birth that sets each form's age) changed.
        """
        from ..measures.checks import check_measures

        who, how = self._acting(user)
        # Re-validate each whole record: assignment validation checks fields one by one,
        # the cross-field rules need the whole case.
        prepared = [(case, case_to_data(case)) for case in cases]
        fresh = [case_from_data(record, case.case_id) for case, record in prepared]
        label = prepared[0][0].case_id if len(prepared) == 1 else f"{len(prepared)} cases"
        versions: list[int] = []
        with self._write(f"{label} not saved") as conn:
            planned = [
                self._plan_save(conn, case, record, who, workflow_step, action)
                for case, record in prepared
            ]
            check_measures(
                [new for new, changes in zip(fresh, planned) if _touches_measures(changes)]
            )
            for (case, record), new, changes in zip(prepared, fresh, planned):
                versions.append(
                    self._apply_save(conn, case, record, new, changes, who, note, how, action)
                )
        out: list[Case] = []
        for (case, _record), new, version in zip(prepared, fresh, versions):
            changed = version != case._version
            case._version = new._version = version
            out.append(new if changed else case)  # unchanged: nothing was written
        return out

    def _plan_save(
        self,
        conn: sa.Connection,
        case: Case,
        record: dict[str, Any],
        who: str = "",
        workflow_step: str | None = None,
        action: str = "update",
    ) -> list[dict[str, Any]]:
        """Inside the write transaction: lock the row, refuse a stale edit, return the changes."""
        expected = case._version
        # FOR UPDATE: on PostgreSQL a concurrent save of this case waits here, then reads
        # the version the other one committed (SQLite ignores it: BEGIN IMMEDIATE already
        # made this the only writer).
        row = conn.execute(
            sa.select(schema.cases.c.record, schema.cases.c.version)
            .where(schema.cases.c.case_id == case.case_id)
            .with_for_update()
        ).first()
        if row is None:
            raise CaseNotFound(case.case_id)
        if row.version != expected:
            raise self._stale(conn, case.case_id, expected, row.version, action)
        stored = json.loads(row.record)
        changes = record_diff(stored, record)
        self._authorise_save(case.case_id, stored, record, changes, who or self.user, workflow_step)
        return changes

    def _apply_save(
        self,
        conn: sa.Connection,
        case: Case,
        record: dict[str, Any],
        fresh: Case,
        changes: list[dict[str, Any]],
        who: str,
        note: str,
        how: str = "",
        action: str = "update",
    ) -> int:
        """Write one planned save; return the case's version afterwards."""
        expected = case._version
        if not changes:
            return expected
        now = _now()
        values = case_row(fresh, expected + 1, now, who, created=False)
        result = conn.execute(
            schema.cases.update()
            .where(schema.cases.c.case_id == case.case_id, schema.cases.c.version == expected)
            .values(**values)
        )
        if result.rowcount != 1:  # lost a race on a database without BEGIN IMMEDIATE
            raise self._stale(conn, case.case_id, expected, None, action)
        if _touches_measures(changes):
            replace_case_scores(conn, fresh)
        append_entry(
            conn,
            at=now,
            user=who,
            how=how or self.identity.how,
            action=action,
            changes=changes,
            note=note,
            case_id=case.case_id,
            version=expected + 1,
        )
        return expected + 1

    def versions_of(self, case_ids: Iterable[str]) -> dict[str, int]:
        """The current version of each named case (for an export that can be updated)."""
        ids = list(case_ids)
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                q = sa.select(schema.cases.c.case_id, schema.cases.c.version).where(
                    schema.cases.c.case_id.in_(ids[i : i + _CHUNK])
                )
                out.update({r.case_id: r.version for r in conn.execute(q)})
        return out

    def update(
        self, case_id: str, edit: Callable[[Case], None], user: str | None = None, note: str = ""
    ) -> Case:
        """Load, edit in place with ``edit(case)``, save: one call for a small change."""
        case = self.get(case_id)
        edit(case)
        return self.save(case, user=user, note=note)

    def _stale(
        self,
        conn: sa.Connection,
        case_id: str,
        expected: int,
        now_version: int | None,
        action: str = "update",
    ) -> StaleEdit:
        a = schema.audit.c
        last = conn.execute(
            sa.select(a.user, a.at, a.version, a.action)
            .where(a.case_id == case_id)
            .order_by(a.id.desc())
            .limit(1)
        ).first()
        at = _as_utc(last.at) if last else None
        by = f" by {last.user} at {at:%Y-%m-%d %H:%M} UTC" if last and at else ""
        found = now_version if now_version is not None else (last.version if last else None)
        return StaleEdit(
            f"{case_id}: not saved - the case was changed{by} since you loaded it "
            f"(you had version {expected}, the store has version {found if found is not None else '?'}). "
            "Reload it, redo your change and save again.",
            case_id=case_id,
            expected=expected,
            found=found,
            action=action,
            by=last.user if last else None,
            at=at,
            their_action=last.action if last else None,
        )


def _touches_measures(changes: list[dict[str, Any]]) -> bool:
    """Did a save change the measures, or the date of birth that sets each form's age?"""
    return any(c["path"] in ("", "measures", "child", "child.date_of_birth") for c in changes)
