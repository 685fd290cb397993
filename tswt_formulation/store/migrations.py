"""Bringing a store's schema up to date on open: the version check, and the missing
migrations (``schema.MIGRATIONS``) applied in one audited transaction. Only the owner
migrates; a reader of an older store leaves it as it is (``outdated``)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .._version import __version__
from ..errors import SchemaVersionError, StoreError
from . import engine as dialect
from . import schema
from .audit import append_entry
from .records import _db_message, _now


class MigrationsMixin:
    """The schema version of the open store, and its migration (part of CaseStore)."""

    if TYPE_CHECKING:  # provided by CaseStore (store.py)
        engine: sa.Engine
        location: str
        user: str
        created: bool
        outdated: int | None
        upgraded_from: int | None
        identity: Any

        def authorise(self, operation: str, *args: Any, **kwargs: Any) -> None: ...
        def _who_may_not(self) -> str: ...
        def _write(
            self, refused: str = ..., denied: str | None = ...
        ) -> AbstractContextManager[sa.Connection]: ...

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
            # Who is migrating, for a migration that audits the records it rewrites (9).
            conn.info["tswt_acting"] = (self.user, self.identity.how)
            for m in pending:
                m.apply(conn)
                conn.execute(
                    schema.migrations_table.insert().values(
                        number=m.number, name=m.name, applied_at=now, applied_by=self.user
                    )
                )
            conn.info.pop("tswt_acting", None)
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
            change = {
                "op": "set",
                "path": "schema_version",
                "before": have,
                "after": schema.SCHEMA_VERSION,
            }
            append_entry(
                conn,
                at=now,
                user=self.user,
                how=self.identity.how,
                action="migrate",
                changes=[change],
                note="; ".join(f"{m.number}: {m.name}" for m in pending),
            )
