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

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from .. import config
from ..errors import CaseNotFound, StoreError
from ..model.case import Case
from ..model.parse import case_to_data
from . import engine as dialect
from . import schema
from .audit import AuditEntry, AuditMixin
from .caseload import CaseloadMixin
from .engine import display_location, make_engine
from .integrity import CHECK_FAILED, IntegrityMixin
from .migrations import MigrationsMixin
from .records import CHUNK as _CHUNK
from .records import _as_utc, _db_message, _load, _now, _record_column
from .saving import SavingMixin

__all__ = ["AuditEntry", "CaseStore", "open_store"]


class CaseStore(SavingMixin, AuditMixin, CaseloadMixin, IntegrityMixin, MigrationsMixin):
    """A case store at a path (SQLite) or database URL. Use :func:`open_store`.

    Its parts, one job each: who is acting, the write transaction and reading cases
    (here); adding and saving cases (:mod:`.saving`); the audit log (:mod:`.audit`); the
    caseload (:mod:`.caseload`); the integrity check (:mod:`.integrity`); the schema's
    migrations (:mod:`.migrations`)."""

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
