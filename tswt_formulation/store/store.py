"""The case store: every case as a validated record, every change audited.

Each write is one transaction that also appends its audit row (who, when, which case,
what changed before and after). Two people saving the same case: the later, stale save
is refused (:class:`~tswt_formulation.errors.StaleEdit`), never silently overwriting.

The same code runs on SQLite and PostgreSQL; what differs between them lives in
:mod:`.engine`. Writers queue rather than fail: on SQLite each write transaction takes
the write lock at BEGIN (waiting up to the busy timeout); on PostgreSQL a save locks its
case's row (``SELECT ... FOR UPDATE``), and its update also checks the version it read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import config
from .._bulk import gc_paused
from .._version import __version__
from ..errors import (
    CaseNotFound,
    Problem,
    SchemaVersionError,
    StaleEdit,
    StoreError,
    ValidationFailed,
    quote,
)
from ..model.case import Case
from ..model.formulation import Formulation
from ..model.parse import case_from_data, case_to_data
from ..rules.timeline import ROW_COLUMNS, caseload_row, rows_frame, timeline
from . import engine as dialect
from . import schema
from .diff import apply_changes, record_diff
from .engine import display_location, make_engine
from .importing import already_stored, authorise_new_cases, case_row, check_new_cases, new_rows
from .scores import case_score_rows, replace_case_scores

if TYPE_CHECKING:  # pandas is imported by the caseload methods that build frames
    import pandas as pd

_DENORMALISED = [c for c in ROW_COLUMNS if c != "case_id"]
CHECK_FAILED = "check_failed"  # tswt_meta key: set while the last `tswt check` found problems
_CHUNK = 500


def _now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    user: str
    case_id: str | None
    action: str
    version: int | None
    changes: list[dict[str, Any]]
    note: str
    identified_by: str | None = (
        None  # how the person was identified (migration 5; older entries: None)
    )

    def summary(self, width: int = 60) -> str:
        """'set referral.decision.outcome: pending -> accepted; ...' for a table."""
        parts = []
        for c in self.changes:
            if c["path"] == "" and c["op"] == "add":
                parts.append("whole case added")
            elif c["op"] == "set":
                parts.append(f"{c['path']}: {_short(c['before'])} -> {_short(c['after'])}")
            else:
                parts.append(f"{c['op']} {c['path']}")
        text = "; ".join(parts)
        return text if len(text) <= width else text[: width - 1] + "…"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 24 else text[:23] + "…"


class CaseStore:
    """A case store at a path (SQLite) or database URL. Use :func:`open_store`."""

    def __init__(
        self,
        location: str,
        user: str | None = None,
        create: bool = False,
        migrate: bool = True,
        wait: float | None = None,
    ) -> None:
        from ..access.identity import resolve

        self.location = display_location(location)  # a password in a URL is masked
        config.current_user(
            user
        )  # a name that is not a usable login is refused before anything opens
        self.wait = dialect.SQLITE_BUSY_TIMEOUT_MS / 1000 if wait is None else wait
        self.engine, self.created = make_engine(location, create, wait=self.wait)
        self.upgraded_from: int | None = (
            None  # the schema version this open migrated from, if it did
        )
        self.outdated: int | None = (
            None  # an older schema left as it is (migrate=False): read, not written
        )
        self._checked = False  # the database's quick check passed (before the first write)
        self._has_meta = False  # the meta table exists (the last check's verdict is kept there)
        self._staff: Any = None
        self._named_user = user
        try:
            # Who is acting comes from what authenticated them (access.identity), read
            # before anything is written: a migration is audited with it too.
            directory = self.staff
            self.identity = resolve(
                user, directory, training=directory.training, session_user=self._session_user()
            )
            self.user = self.identity.login
            self._check_or_migrate(create, migrate)
        except Exception:
            self.engine.dispose()
            raise

    # -- who is acting -----------------------------------------------------------------

    @property
    def staff(self) -> Any:  # -> StaffDirectory
        """The staff directory (read once per open store; changed through add_staff)."""
        if self._staff is None:
            from .staff import StaffDirectory, read_directory

            try:
                with self.engine.connect() as conn:
                    self._staff = read_directory(conn)
            except (
                sa.exc.DatabaseError
            ):  # not a store yet, or unreadable: checked by _check_or_migrate
                self._staff = StaffDirectory()
        return self._staff

    def forget_staff(self) -> None:
        self._staff = None

    @property
    def training(self) -> bool:
        """A training store (``tswt demo``): synthetic people, ``--user`` believed."""
        return bool(self.staff.training)

    def _session_user(self) -> str | None:
        if self.engine.dialect.name != "postgresql":
            return None
        try:
            with self.engine.connect() as conn:
                return str(conn.execute(sa.text("SELECT session_user")).scalar())
        except sa.exc.DBAPIError:
            return None

    def authorise(
        self,
        operation: str,
        record: Any = None,
        case_id: str | None = None,
        subject: str | None = None,
        user: str | None = None,
    ) -> None:
        """Refuse (:class:`~tswt_formulation.access.permissions.NotPermitted`) unless the
        person acting (``user``, as :meth:`_acting` allows it) may do ``operation`` (on
        the stored ``record``)."""
        from ..access.permissions import check

        check(
            operation, self._acting(user)[0], self.staff, record, subject=subject, case_id=case_id
        )

    def mark_training(self) -> None:
        """Mark a new store as a training store (``tswt demo``): refused once it holds a case."""
        if self.training:
            return
        if len(self):
            raise StoreError(
                f"{self.location}: only a new, empty store can be made a training store"
            )
        with self._write("not marked") as conn:
            conn.execute(schema.meta.insert().values(key="training", value="true"))
        self.forget_staff()
        from ..access.identity import resolve

        self.identity = resolve(self._named_user, self.staff, training=True)
        self.user = self.identity.login

    def _acting(self, user: str | None) -> tuple[str, str]:
        """Who a write is by, and how they were identified: the store's identity. A
        ``user`` naming someone else is believed only where ``--user`` is (a training
        store, or a store with no staff directory yet)."""
        from ..access.identity import resolve

        if not user or config.current_user(user).casefold() == self.user:
            return self.user, self.identity.how
        other = (
            resolve(user, self.staff, training=self.training)
            if (self.training or not self.staff)
            else None
        )
        if other is None:
            from ..access.permissions import NotPermitted

            raise NotPermitted(
                f"{user}: this store was opened by {self.user} ({self.identity.how}); "
                "a change cannot be made in someone else's name"
            )
        return other.login, other.how

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
        names covers the formulation and the outcome), and the people it names."""
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
                if p == "outcome"
                or p.startswith("outcome.")
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
                    "(draft, decide, submit, sign off, outcome), which checks who may take it"
                )
            needed = operations_for(paths)
        else:
            rest = [
                p for p in paths if not (p.startswith("formulation") or p.startswith("outcome"))
            ]
            needed = [workflow_step] + [o for o in operations_for(rest) if o != workflow_step]
        for operation in needed:
            check(operation, who, staff, stored, case_id=case_id)
        problems = people_problems(record, staff, case_id, changed=paths)
        if problems:  # one problem is one line; several get a heading
            raise ValidationFailed(
                problems, summary=f"{case_id}: not saved:" if len(problems) > 1 else None
            )

    def log_access(self, case_id: str, what: str, user: str | None = None) -> bool:
        """Record that the person acting opened a child's record (``what``: show,
        workbench, report). Returns False, writing nothing, where the store cannot be
        written (a read-only file or role): reading goes on."""
        who, how = self._acting(user)
        if self.outdated is not None or "mode=ro" in str(self.engine.url):
            return False  # an older store read as it is, or a read-only one: reading is not writing
        try:
            with self.engine.connect() as conn, conn.begin():
                conn.execute(
                    schema.access_log.insert().values(
                        at=_now(), user=who, identified_by=how, case_id=case_id, what=what
                    )
                )
            return True
        except sa.exc.DBAPIError:
            return False

    def access_log(self, case_id: str, user: str | None = None) -> list[dict[str, Any]]:
        """Who opened this child's record, oldest first (managers and administrators)."""
        self.authorise("read_access_log", case_id=case_id, user=user)
        t = schema.access_log
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.case_id == case_id).order_by(t.c.id)
            ).fetchall()
        return [
            {"at": _as_utc(r.at), "user": r.user, "identified_by": r.identified_by, "what": r.what}
            for r in rows
        ]

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CaseStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def _write(
        self, refused: str = "not saved", denied: str | None = None
    ) -> Iterator[sa.Connection]:
        """One write transaction. A change the database refuses for lack of privilege
        becomes a :class:`StoreError` saying so: ``refused`` starts the message (what
        was not done); ``denied``, if given, is the whole message, with ``{why}`` for
        the database's reason."""
        if self.outdated is not None:
            raise StoreError(
                f"{self.location}: {refused} - the store is at schema {self.outdated} and this version writes "
                f"schema {schema.SCHEMA_VERSION}; bring it up to date first with `tswt init --store {self.location}`"
            )
        try:
            with self.engine.connect() as conn:
                conn.info["tswt_write"] = True
                with conn.begin():
                    if (
                        not self._checked and conn.dialect.name == "sqlite"
                    ):  # once per open, under the write lock
                        problems = dialect.quick_problems(conn.connection.dbapi_connection.cursor())  # type: ignore[union-attr]
                        if problems:
                            raise dialect.refuse_damaged(self.location, problems)
                        self._checked = True
                    if not self._has_meta:  # a new store's first write makes the tables
                        self._has_meta = sa.inspect(conn).has_table(schema.meta.name)
                    failed = (
                        self._has_meta
                        and conn.execute(
                            sa.select(schema.meta.c.value).where(schema.meta.c.key == CHECK_FAILED)
                        ).scalar()
                    )
                    if failed:
                        raise StoreError(
                            f"{self.location}: {refused} - `tswt check` found this store unsound ({failed}); "
                            "restore it from a backup or correct the cases named, then run `tswt check` again"
                        )
                    yield conn
        except sa.exc.DBAPIError as exc:
            if dialect.is_permission_denied(exc):
                raise StoreError(
                    denied.replace("{why}", _db_message(exc))
                    if denied
                    else self._read_only(refused, exc)
                ) from None
            if dialect.is_busy(exc):
                raise dialect.busy_error(self.location, self.wait, refused) from None
            raise

    def _who_may_not(self) -> str:
        role = dialect.database_role(self.engine)
        return f"the database role {role}" if role else "you"

    def _read_only(self, refused: str, exc: sa.exc.DBAPIError) -> str:
        if dialect.database_role(self.engine) is None:
            return f"{self.location}: {refused} - the store file is read-only for you ({_db_message(exc)})"
        return (
            f"{self.location}: {refused} - {self._who_may_not()} may read this store but not change it "
            f"({_db_message(exc)}). Changes need the team's read-write role (see docs/team-server.md)."
        )

    def check_owner(self, what: str) -> None:
        """Refuse unless the current login owns the store: the SQLite file's owner, or
        on PostgreSQL a member of the role that owns the tables (``tswt_owner``)."""
        path = dialect.sqlite_path(self.engine.url)
        if self.engine.dialect.name == "sqlite":
            import os

            if (
                path is not None
                and path.exists()
                and hasattr(os, "getuid")
                and path.stat().st_uid != os.getuid()
            ):
                raise StoreError(f"{self.location}: only the owner of the store file may {what}")
            return
        with self.engine.connect() as conn:
            owner = conn.execute(
                sa.text(
                    "SELECT pg_has_role(current_user, tableowner, 'MEMBER') FROM pg_tables "
                    "WHERE schemaname = current_schema() AND tablename = 'cases'"
                )
            ).scalar()
        if not owner:
            raise StoreError(
                f"{self.location}: only the store's owner role may {what} "
                f"({self._who_may_not()} may not; see docs/team-server.md)"
            )

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return self._stored_version(conn)

    def _stored_version(self, conn: sa.Connection) -> int:
        if not sa.inspect(conn).has_table(schema.meta.name):
            return 0
        value = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar()
        return int(value) if value is not None else 0

    def _check_or_migrate(self, create: bool, migrate: bool = True) -> None:
        try:
            with self.engine.connect() as conn:
                have = self._stored_version(conn)
        except sa.exc.DatabaseError as exc:
            raise StoreError(
                f"{self.location}: cannot open the store ({_db_message(exc)})"
            ) from None
        want = schema.SCHEMA_VERSION
        if have > want:
            raise SchemaVersionError(
                f"{self.location}: this store was written by a newer version of tswt-formulation "
                f"(schema {have}; this version understands up to {want}). Upgrade the package: pip install -U tswt-formulation"
            )
        if have == want:
            return
        if have == 0 and not create and not self.created:
            raise StoreError(
                f"{self.location}: not a tswt store yet; create it with `tswt init --store {self.location}`"
            )
        if (
            have > 0 and not create and not migrate
        ):  # reading is not writing: only `tswt init` migrates
            if have < schema.READABLE_FROM:
                raise StoreError(
                    f"{self.location}: the store is at schema {have}; this version reads schema "
                    f"{schema.READABLE_FROM} and up. The store's owner brings it up to date with "
                    f"`tswt init --store {self.location}`"
                )
            self.outdated = have
            return
        if have:
            self.authorise("migrate")
        self._migrate(have)
        self.upgraded_from = have

    def _migrate(self, have: int) -> None:
        """Apply the missing migrations in one transaction, audited."""
        denied = (
            f"{self.location}: cannot bring the store up to schema {schema.SCHEMA_VERSION} (it has {have}): "
            f"{self._who_may_not()} may not change its schema ({{why}}). The store's owner must run "
            f"`tswt init --store {self.location}`."
        )
        with self._write(denied=denied) as conn:
            # Re-read under the migration lock: another process may have migrated meanwhile.
            dialect.lock_for_migration(conn)
            have = self._stored_version(conn)
            pending = [m for m in schema.MIGRATIONS if m.number > have]
            if not pending:
                return
            schema.migrations_table.create(conn, checkfirst=True)
            now = _now()
            for m in pending:
                m.apply(conn)
                conn.execute(
                    schema.migrations_table.insert().values(
                        number=m.number, name=m.name, applied_at=now, applied_by=self.user
                    )
                )
            version_row = {"key": "schema_version", "value": str(schema.SCHEMA_VERSION)}
            if have == 0:
                conn.execute(
                    schema.meta.insert(),
                    [version_row, {"key": "created_by_package", "value": __version__}],
                )
            else:
                conn.execute(
                    schema.meta.update()
                    .where(schema.meta.c.key == "schema_version")
                    .values(value=version_row["value"])
                )
            conn.execute(
                schema.audit.insert().values(
                    at=now,
                    user=self.user,
                    case_id=None,
                    action="migrate",
                    version=None,
                    changes=json.dumps(
                        [
                            {
                                "op": "set",
                                "path": "schema_version",
                                "before": have,
                                "after": schema.SCHEMA_VERSION,
                            }
                        ]
                    ),
                    note="; ".join(f"{m.number}: {m.name}" for m in pending),
                    identified_by=self.identity.how,
                )
            )

    # -- reading -----------------------------------------------------------------------

    def case_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(schema.cases.c.case_id).order_by(schema.cases.c.case_id)
                ).scalars()
            )

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(schema.cases)).scalar_one()
            )

    def __contains__(self, case_id: object) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(schema.cases.c.case_id).where(schema.cases.c.case_id == case_id)
                ).first()
                is not None
            )

    def get(self, case_id: str) -> Case:
        """The case as stored, remembering its version for a later :meth:`save`."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(_record_column(self.engine), schema.cases.c.version).where(
                    schema.cases.c.case_id == case_id
                )
            ).first()
        if row is None:
            raise CaseNotFound(case_id)
        return _load(row.record, row.version, case_id)

    def cases(
        self, case_ids: Iterable[str] | None = None, unreadable: list[StoreError] | None = None
    ) -> Iterator[Case]:
        """Every case (or the named ones), in case-id order, streamed: records are read
        from the database a chunk at a time (a server-side cursor on PostgreSQL), so
        memory does not grow with the caseload. For caseload-wide scores and change,
        :mod:`tswt_formulation.analysis` reads the scores table instead.

        A stored record that cannot be read raises :class:`StoreError` naming its case;
        with ``unreadable`` (a list) it is appended there instead and the others follow."""
        query = sa.select(
            schema.cases.c.case_id, _record_column(self.engine), schema.cases.c.version
        ).order_by(schema.cases.c.case_id)
        wanted = None if case_ids is None else list(case_ids)
        if wanted is not None:
            missing = set(wanted)
        with self.engine.connect().execution_options(yield_per=_CHUNK) as conn:
            chunks = (
                [None]
                if wanted is None
                else [wanted[i : i + _CHUNK] for i in range(0, len(wanted), _CHUNK)]
            )
            for chunk in chunks:
                q = query if chunk is None else query.where(schema.cases.c.case_id.in_(chunk))
                result = conn.execute(q)
                try:
                    for row in result:
                        if wanted is not None:
                            missing.discard(row.case_id)
                        try:
                            case = _load(row.record, row.version, row.case_id)
                        except StoreError as exc:
                            if unreadable is None:
                                raise
                            unreadable.append(exc)
                            continue
                        yield case
                finally:  # a reader that stops early: the server-side cursor is closed, not left to the collector
                    result.close()
        if wanted is not None and missing:
            raise CaseNotFound(sorted(missing)[0])

    def export(
        self, case_ids: Iterable[str] | None = None, unreadable: list[StoreError] | None = None
    ) -> list[dict[str, Any]]:
        """Cases as JSON-compatible records (what ``tswt export`` writes); ``unreadable``
        as for :meth:`cases`."""
        return [case_to_data(c) for c in self.cases(case_ids, unreadable)]

    # -- writing -----------------------------------------------------------------------

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
        state (a formulation, an outcome of screening) is refused, naming the field
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
    ) -> Case:
        """Save an edited case loaded with :meth:`get`; refused if someone saved since.

        Returns the case as now stored (with its new version). Saving with no change
        writes nothing. The change is checked against the permission table as the
        person acting (the allocated worker or a manager edits a case); workflow state
        (formulation status, decision, sign-offs, outcome) changes only through
        :mod:`tswt_formulation.casework`, which names its ``workflow_step``.
        """
        return self.save_many([case], user=user, note=note, workflow_step=workflow_step)[0]

    def save_many(
        self,
        cases: list[Case],
        user: str | None = None,
        note: str = "",
        *,
        workflow_step: str | None = None,
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
                self._plan_save(conn, case, record, who, workflow_step) for case, record in prepared
            ]
            check_measures(
                [new for new, changes in zip(fresh, planned) if _touches_measures(changes)]
            )
            for (case, record), new, changes in zip(prepared, fresh, planned):
                versions.append(self._apply_save(conn, case, record, new, changes, who, note, how))
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
            raise self._stale(conn, case.case_id, expected, row.version)
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
            raise self._stale(conn, case.case_id, expected, None)
        if _touches_measures(changes):
            replace_case_scores(conn, fresh)
        conn.execute(
            schema.audit.insert().values(
                at=now,
                user=who,
                case_id=case.case_id,
                action="update",
                version=expected + 1,
                changes=json.dumps(changes),
                note=note,
                identified_by=how or self.identity.how,
            )
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
        self, conn: sa.Connection, case_id: str, expected: int, now_version: int | None
    ) -> StaleEdit:
        last = conn.execute(
            sa.select(schema.audit.c.user, schema.audit.c.at, schema.audit.c.version)
            .where(schema.audit.c.case_id == case_id)
            .order_by(schema.audit.c.id.desc())
            .limit(1)
        ).first()
        by = f" by {last.user} at {_as_utc(last.at):%Y-%m-%d %H:%M} UTC" if last else ""
        now_v = now_version if now_version is not None else (last.version if last else "?")
        return StaleEdit(
            f"{case_id}: not saved - the case was changed{by} since you loaded it "
            f"(you had version {expected}, the store has version {now_v}). Reload it, redo your change and save again."
        )

    # -- audit -------------------------------------------------------------------------

    def audit_log(self, case_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, oldest first (the newest ``limit`` if given)."""
        q = sa.select(schema.audit)
        if case_id is not None:
            q = q.where(schema.audit.c.case_id == case_id)
        q = q.order_by(schema.audit.c.id.desc())
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = list(conn.execute(q))
        return [
            AuditEntry(
                r.id,
                _as_utc(r.at),
                r.user,
                r.case_id,
                r.action,
                r.version,
                json.loads(r.changes),
                r.note,
                r.identified_by,
            )
            for r in reversed(rows)
        ]

    def versions(self, case_id: str) -> list[tuple[AuditEntry, dict[str, Any]]]:
        """Every version of a case rebuilt from the audit log: (entry, record)."""
        record: dict[str, Any] | None = None
        out = []
        for entry in self.audit_log(case_id):
            record = apply_changes(record, entry.changes)
            out.append((entry, record))
        if not out:
            raise CaseNotFound(case_id)
        return out

    def formulation_versions(self, case_id: str) -> list[tuple[AuditEntry, Formulation | None]]:
        """Each version of the case's formulation since one was first drafted: the audit
        entry (who, when, what changed) and the formulation as it then stood (None if it
        was removed), oldest first."""
        out: list[tuple[AuditEntry, Formulation | None]] = []
        previous: Any = None
        for entry, record in self.versions(case_id):
            form = record.get("formulation")
            if form != previous:
                out.append(
                    (
                        entry,
                        None if form is None else Formulation.model_validate_json(json.dumps(form)),
                    )
                )
                previous = form
        return out

    def signed_off_formulation(self, case_id: str) -> Formulation | None:
        """The latest signed-off version of the formulation (what reports use by
        default), even if a newer draft exists; None if it was never signed off."""
        for _entry, form in reversed(self.formulation_versions(case_id)):
            if form is not None and form.status == "signed_off":
                return form
        return None

    # -- caseload ----------------------------------------------------------------------

    def workers(self) -> list[str]:
        """The workers with at least one case allocated, sorted."""
        q = sa.select(schema.cases.c.worker).where(schema.cases.c.worker.is_not(None)).distinct()
        with self.engine.connect() as conn:
            return sorted(conn.execute(q).scalars())

    def caseload_tuples(self, worker: str | None = None) -> list[tuple[Any, ...]]:
        """The indexed columns of every case (no record parsing), as tuples in the order
        of ``ROW_COLUMNS``, by case id. On SQLite, dates are ISO text and booleans 0/1."""
        cols = [schema.cases.c[c] for c in ROW_COLUMNS]
        q = sa.select(*cols).order_by(schema.cases.c.case_id)
        if worker is not None:
            q = q.where(schema.cases.c.worker == worker)
        with self.engine.connect() as conn:
            # Plain tuples: SQLAlchemy's Row objects send pandas down a slow path (1.2 s
            # at 100,000 cases); on SQLite, dates stay ISO text for one vectorised parse.
            return dialect.fetch_tuples(conn, q)

    def work_digests(self) -> list[dict[str, Any]]:
        """Every begun or closed case's work digest (model.work.work_digest), for a service
        summary: a few hundred bytes each, not the whole record. A case stored before
        migration 6 has none until it is next saved (it had no work recorded)."""
        c = schema.cases.c
        q = sa.select(c.work).where(c.work.is_not(None)).order_by(c.case_id)
        with self.engine.connect() as conn:
            # Straight from the driver's cursor on SQLite: SQLAlchemy's result, a row at
            # a time, cost as much as the reading (some 3 s of 4 at 100,000 cases).
            return [json.loads(text) for (text,) in dialect.fetch_tuples(conn, q)]

    def caseload_rows(self, worker: str | None = None) -> pd.DataFrame:
        """The indexed columns of every case (no record parsing)."""
        return rows_frame(self.caseload_tuples(worker))

    def caseload(
        self, as_of: date | str | None = None, worker: str | None = None, overdue: bool = False
    ) -> pd.DataFrame:
        """The caseload as of a date (a ``date`` or ISO text, default today): state,
        screening due, days to due, worker."""
        day = config.parse_day(as_of, f"{self.location}: caseload()")
        frame = timeline(self.caseload_rows(worker), day or date.today())
        if overdue:
            frame = frame[frame["overdue"]].reset_index(drop=True)
        return frame

    def record_check(self, problems: list[str]) -> None:
        """Remember the outcome of :meth:`integrity_check`: while the last check found
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
                        *[c[k] for k in _DENORMALISED],
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


def _touches_measures(changes: list[dict[str, Any]]) -> bool:
    """Did a save change the measures, or the date of birth that sets each form's age?"""
    return any(c["path"] in ("", "measures", "child", "child.date_of_birth") for c in changes)


def _load(record_text: str | bytes, version: int, case_id: str) -> Case:
    """A stored record as a case. One that cannot be read is a :class:`StoreError`
    naming the case and what is wrong, never quoting the record (a damaged store must
    not print a child's details or voice into a terminal, a log or a manifest)."""
    damaged = (
        "the store may be damaged: `tswt check` lists every such case; restore it from a backup"
    )
    if isinstance(record_text, bytes):
        try:
            record_text = record_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StoreError(
                f"{case_id}: the stored record is not UTF-8 text (bad byte at {exc.start}); {damaged}"
            ) from None
    try:
        raw = json.loads(record_text)
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"{case_id}: the stored record is not readable JSON (at character {exc.pos}: "
            f"{exc.msg.removesuffix(' at').lower()}); {damaged}"
        ) from None
    except (ValueError, RecursionError):
        raise StoreError(f"{case_id}: the stored record is not readable JSON; {damaged}") from None
    try:
        case = case_from_data(raw, case_id, stored=True)
    except ValidationFailed as exc:
        fields = sorted({p.field or "(the record)" for p in exc.problems})
        shown = ", ".join(quote(f, bare=True, limit=60) for f in fields[:8]) + (
            f" and {len(fields) - 8} more" if len(fields) > 8 else ""
        )
        raise StoreError(
            f"{case_id}: the stored record no longer validates (field(s) {shown}); {damaged}"
        ) from None
    case._version = version
    return case


def _record_column(engine: sa.Engine) -> Any:
    """The record column to select: on SQLite as bytes, decoded in :func:`_load`, so that
    a damaged text names its case (SQLite's own decoding error quotes the text instead)."""
    if engine.dialect.name == "sqlite":
        return sa.cast(schema.cases.c.record, sa.LargeBinary).label("record")
    return schema.cases.c.record


def _db_message(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)


def open_store(
    location: str | None = None,
    user: str | None = None,
    create: bool = False,
    migrate: bool = True,
    wait: float | None = None,
) -> CaseStore:
    """Open the case store at a path or URL (default ``TSWT_STORE``, else ``./tswt.sqlite``).

    ``create=True`` creates a new SQLite file (owner-only) and its schema if needed.
    ``migrate=False`` leaves a store at an older schema as it is: it is read (from
    schema ``schema.READABLE_FROM``), and a write is refused saying to run ``tswt init``
    (the command line's readers open stores so). ``wait``: how many seconds a write
    waits for another writer to finish (default 30).
    """
    return CaseStore(
        config.store_location(location), user=user, create=create, migrate=migrate, wait=wait
    )
