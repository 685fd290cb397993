"""Who is acting: from what authenticated the person, never from a flag they can set.

=====================  ===================================================  ============
where                  who is acting                                        ``--user``
=====================  ===================================================  ============
team server            the login JupyterHub authenticated (the hub's        must match
(JupyterHub)           spawner sets ``JUPYTERHUB_USER`` in the person's
                       server and its kernels; they cannot run code to
                       change it: social workers get forms only)
PostgreSQL, directly   the database session user, when it is a staff login  must match
                       (or a staff member's ``db_role``)
a machine of one's     the operating-system account running the command     must match
own (SQLite)           (``pwd``, not ``$USER``), when it is a staff login
                       (or a staff member's ``os_account``)
a training store       ``--user`` / ``TSWT_USER`` (a store made by          believed
                       ``tswt demo``: synthetic people, for practice)
a store with no staff  ``--user`` / ``TSWT_USER``, else the OS account;     believed
directory yet          nothing is enforced until an administrator is added
=====================  ===================================================  ============

Every audit entry records both who acted and how they were identified
(:attr:`Identity.how`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .permissions import NotPermitted

HUB_USER_ENV = "JUPYTERHUB_USER"


@dataclass(frozen=True)
class Identity:
    login: str
    how: str  # "JupyterHub login", "operating-system account root", ...

    def __str__(self) -> str:
        return self.login


def os_account() -> str:
    """The operating-system account running this process (not ``$USER``, which anyone
    can set)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):  # no passwd entry (some containers), or not Unix
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _member_for(staff: Mapping[str, Any], account: str, attribute: str) -> str | None:
    folded = account.casefold()
    if folded in staff:
        return folded
    for login, member in staff.items():
        if (getattr(member, attribute, None) or "").casefold() == folded:
            return login
    return None


def resolve(
    explicit: str | None,
    staff: Mapping[str, Any],
    training: bool = False,
    session_user: str | None = None,
) -> Identity:
    """Who is acting on a store with this staff directory (see the module's table).

    Raises :class:`NotPermitted` when ``--user``/``TSWT_USER`` names someone other than
    the authenticated person."""
    from ..config import named_user

    named, source = named_user(explicit)
    claimed = named.casefold() if named is not None else None
    hub = os.environ.get(HUB_USER_ENV, "").strip()
    if hub:
        hub_login = hub.casefold()
        if claimed and claimed != hub_login:
            raise NotPermitted(
                f"{source} {claimed}: you are logged in to JupyterHub as {hub_login}, and act as {hub_login} only"
            )
        return Identity(hub_login, "JupyterHub login")
    account = os_account()
    if training:
        return Identity(
            claimed or account,
            f"named with {source} on a training store"
            if claimed
            else f"operating-system account {account} (training store)",
        )
    if not staff:
        return Identity(
            claimed or account,
            f"named with {source} (the store has no staff directory yet)"
            if claimed
            else f"operating-system account {account} (the store has no staff directory yet)",
        )
    if session_user:
        login = _member_for(staff, session_user, "db_role")
        if login is not None:
            if claimed and claimed != login:
                raise NotPermitted(
                    f"{source} {claimed}: you are connected to the database as {session_user} ({login}), "
                    f"and act as {login} only"
                )
            return Identity(login, f"PostgreSQL session user {session_user}")
    login = _member_for(staff, account, "os_account")
    if claimed and claimed != (login or account.casefold()):
        raise NotPermitted(
            f"{source} {claimed}: you are signed in to this machine as {account}; on this store who acts comes from "
            f"that login, not from {source} (only a training store made by tswt demo takes {source})"
        )
    return Identity(login or account, f"operating-system account {account}")
