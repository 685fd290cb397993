"""The staff directory: who a login id is (display name and role), so reports name
people ("Dr R. Ahmed, clinical psychologist"), never login ids.

Kept in the store's ``staff`` table (migration 3). Every change is audited like a case
change (action ``staff``, no case id). A login that is not in the directory is shown as
the login with "(not in the staff directory)", so the gap is visible and can be filled
with ``tswt staff add``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import TswtError

ROLES: dict[str, str] = {
    "therapeutic_social_worker": "therapeutic social worker",
    "clinical_psychologist": "clinical psychologist",
    "team_manager": "team manager",
    "personal_adviser": "personal adviser",
}
NOT_LISTED = "not in the staff directory"


class StaffError(TswtError):
    """A staff directory entry that cannot be recorded (bad login, name or role)."""


@dataclass(frozen=True)
class StaffMember:
    login: str
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role.replace("_", " "))

    @property
    def described(self) -> str:
        """``Dr R. Ahmed, clinical psychologist``."""
        return f"{self.name}, {self.role_label}"


class StaffDirectory(Mapping[str, StaffMember]):
    """Login id -> :class:`StaffMember`; an empty directory names nobody."""

    def __init__(self, members: Iterable[StaffMember] = ()) -> None:
        self._by_login = {m.login: m for m in members}

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


def check_member(login: str, name: str, role: str) -> StaffMember:
    """A directory entry, checked: a login id, a name and one of :data:`ROLES`."""
    from ..config import check_user
    from ..errors import ValidationFailed, quote

    login, name = login.strip(), " ".join(name.split())
    where = f"staff {quote(login, bare=True) or '(no login)'}"
    if not login or len(login) > 120 or any(c.isspace() for c in login):
        raise StaffError(f"{where}: login must be one word of at most 120 characters, got {quote(login)}")
    try:  # a login is a user name: printable ASCII, as --user and TSWT_USER
        check_user(login)
    except ValidationFailed:
        raise StaffError(f"{where}: login must be printable ASCII (letters, digits, . _ - @), got {quote(login)}") from None
    if not name or len(name) > 120 or not name.isprintable():
        raise StaffError(f"{where}: name must be 1 to 120 printable characters, got {quote(name)}")
    if role not in ROLES:
        raise StaffError(f"{where}: role {role!r} is not one of: {', '.join(ROLES)}")
    return StaffMember(login, name, role)


def add_staff(store: Any, members: Iterable[StaffMember], note: str = "") -> int:
    """Add or update directory entries (one transaction, audited); returns how many
    entries changed."""
    import sqlalchemy as sa  # here, not at the top: the directory's classes stay light

    from . import schema

    wanted = list(members)
    changed = 0
    now = datetime.now(UTC)
    with store._write(refused="staff directory not changed") as conn:
        have = {r.login: r for r in conn.execute(sa.select(schema.staff))}
        changes = []
        for m in wanted:
            old = have.get(m.login)
            if old is not None and (old.name, old.role) == (m.name, m.role):
                continue
            values = {"name": m.name, "role": m.role, "updated_at": now, "updated_by": store.user}
            if old is None:
                conn.execute(schema.staff.insert().values(login=m.login, **values))
            else:
                conn.execute(schema.staff.update().where(schema.staff.c.login == m.login).values(**values))
            changes.append({"op": "set", "path": f"staff.{m.login}",
                            "before": None if old is None else {"name": old.name, "role": old.role},
                            "after": {"name": m.name, "role": m.role}})
            changed += 1
        if changes:
            conn.execute(schema.audit.insert().values(at=now, user=store.user, case_id=None, action="staff", version=None,
                                                      changes=json.dumps(changes), note=note))
    return changed


def staff_directory(store: Any) -> StaffDirectory:
    """The store's staff directory (empty for a store without one)."""
    import sqlalchemy as sa

    from . import schema

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.staff).order_by(schema.staff.c.login)).fetchall()
    return StaffDirectory(StaffMember(r.login, r.name, r.role) for r in rows)
