"""The staff directory: who a login id is (display name and role), so reports name
people ("Dr R. Ahmed, clinical psychologist"), never login ids.

Kept in the store's ``staff`` table (migration 3). Every change is audited like a case
change (action ``staff``, no case id). A login that is not in the directory is shown as
the login with "(not in the staff directory)", so the gap is visible and can be filled
with ``tswt staff add``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import TswtError

NOT_LISTED = "not in the staff directory"


class StaffError(TswtError):
    """A staff directory entry that cannot be recorded (bad login, name or role)."""


def roles() -> dict[str, str]:
    """Role id -> label, from the permission table (with a team's extra roles)."""
    from ..access.permissions import table

    return dict(table().roles)


@dataclass(frozen=True)
class StaffMember:
    login: str
    name: str
    role: str
    os_account: str | None = None  # the machine account that is this person, where not the login
    db_role: str | None = None  # the PostgreSQL role that is this person, where not the login

    @property
    def role_label(self) -> str:
        from ..access.permissions import role_label

        return role_label(self.role)

    @property
    def role_label_with_article(self) -> str:
        label = self.role_label
        return f"an {label}" if label[:1] in "aeiou" else f"a {label}"

    @property
    def described(self) -> str:
        """``Dr R. Ahmed, clinical psychologist``."""
        return f"{self.name}, {self.role_label}"


class StaffDirectory(Mapping[str, StaffMember]):
    """Login id -> :class:`StaffMember`; an empty directory names nobody."""

    def __init__(self, members: Iterable[StaffMember] = (), training: bool = False) -> None:
        self._by_login = {m.login: m for m in members}
        self.training = training  # the store is a training store (tswt demo): --user is believed

    def __getitem__(self, login: str) -> StaffMember:
        return self._by_login[login]

    def __iter__(self) -> Any:
        return iter(sorted(self._by_login))

    def __len__(self) -> int:
        return len(self._by_login)

    def name(self, login: str | None) -> str:
        """The display name alone (``Dr R. Ahmed``), for tables with a role column or
        where the role is obvious; an unlisted login is marked as such."""
        if not login:
            return ""
        member = self._by_login.get(login)
        return member.name if member else f"{login} ({NOT_LISTED})"

    def describe(self, login: str | None) -> str:
        """``Dr R. Ahmed, clinical psychologist``; an unlisted login is marked as such."""
        if not login:
            return ""
        member = self._by_login.get(login)
        return member.described if member else f"{login} ({NOT_LISTED})"


def check_member(
    login: str, name: str, role: str, os_account: str | None = None, db_role: str | None = None
) -> StaffMember:
    """A directory entry, checked: a login (ASCII, case-folded), a name and a role from the
    permission table; optionally the OS account and database role that identify them."""
    from ..config import check_user
    from ..errors import ValidationFailed, quote

    login, name = login.strip(), " ".join(name.split())
    where = f"staff {quote(login, bare=True) or '(no login)'}"
    if not login or len(login) > 120 or any(c.isspace() for c in login):
        raise StaffError(
            f"{where}: login must be one word of at most 120 characters, got {quote(login)}"
        )
    try:  # a login is a user name: printable ASCII, as --user and TSWT_USER
        check_user(login)
    except ValidationFailed:
        raise StaffError(
            f"{where}: login must be printable ASCII (letters, digits, . _ - @), got {quote(login)}"
        ) from None
    login = login.casefold()  # one login, however it is typed: C.Mensah is c.mensah
    if not name or len(name) > 120 or not name.isprintable():
        raise StaffError(f"{where}: name must be 1 to 120 printable characters, got {quote(name)}")
    known = roles()
    if role not in known:
        raise StaffError(f"{where}: role {role!r} is not one of: {', '.join(known)}")
    for label, value in (("os account", os_account), ("database role", db_role)):
        if value is not None:
            try:
                check_user(value)
            except ValidationFailed:
                raise StaffError(
                    f"{where}: {label} must be printable ASCII, got {quote(value)}"
                ) from None
    return StaffMember(login, name, role, os_account or None, db_role or None)


def add_staff(store: Any, members: Iterable[StaffMember], note: str = "") -> int:
    """Add or update directory entries (one transaction, audited); returns how many
    entries changed. Only an administrator may, and never their own entry
    (the permission table's ``change_staff``); the first entry of an empty directory
    is how a store is set up, and must be an administrator."""
    import sqlalchemy as sa  # here, not at the top: the directory's classes stay light

    from ..access.permissions import NotPermitted, check
    from . import schema
    from .audit import append_entry

    wanted = list(members)
    changed = 0
    now = datetime.now(UTC)
    with store._write(refused="staff directory not changed") as conn:
        have = {r.login: r for r in conn.execute(sa.select(schema.staff))}
        directory = StaffDirectory(
            StaffMember(r.login, r.name, r.role, r.os_account, r.db_role) for r in have.values()
        )
        if not directory and wanted and not any(m.role == "administrator" for m in wanted):
            raise NotPermitted(
                "the staff directory is empty: its first entry must be an administrator "
                "(tswt staff add LOGIN --name NAME --role administrator), who then adds the team"
            )
        changes = []
        for m in wanted:
            old = have.get(m.login)
            if old is not None and (old.name, old.role, old.os_account, old.db_role) == (
                m.name,
                m.role,
                m.os_account,
                m.db_role,
            ):
                continue
            if directory:
                check("change_staff", store.user, directory, subject=m.login)
            values = {
                "name": m.name,
                "role": m.role,
                "os_account": m.os_account,
                "db_role": m.db_role,
                "updated_at": now,
                "updated_by": store.user,
            }
            if old is None:
                conn.execute(schema.staff.insert().values(login=m.login, **values))
            else:
                conn.execute(
                    schema.staff.update().where(schema.staff.c.login == m.login).values(**values)
                )
            changes.append(
                {
                    "op": "set",
                    "path": f"staff.{m.login}",
                    "before": None if old is None else {"name": old.name, "role": old.role},
                    "after": {"name": m.name, "role": m.role},
                }
            )
            changed += 1
        if changes:
            append_entry(
                conn,
                at=now,
                user=store.user,
                how=store.identity.how,
                action="staff",
                changes=changes,
                note=note,
            )
    store.forget_staff()
    return changed


def staff_directory(store: Any) -> StaffDirectory:
    """The store's staff directory (empty for a store without one)."""
    store.forget_staff()
    return store.staff


def read_directory(conn: Any) -> StaffDirectory:
    """The directory and the training mark, from a store at any schema (an older store
    has no accounts, or no directory at all)."""
    import sqlalchemy as sa

    from . import schema

    inspector = sa.inspect(conn)
    if not inspector.has_table(schema.staff.name):
        return StaffDirectory()
    columns = {c["name"] for c in inspector.get_columns(schema.staff.name)}
    wanted = [
        schema.staff.c[n]
        for n in ("login", "name", "role", "os_account", "db_role")
        if n in columns
    ]
    rows = conn.execute(sa.select(*wanted).order_by(schema.staff.c.login)).fetchall()
    training = conn.execute(
        sa.select(schema.meta.c.value).where(schema.meta.c.key == "training")
    ).scalar()
    return StaffDirectory((StaffMember(*r) for r in rows), training=training == "true")
