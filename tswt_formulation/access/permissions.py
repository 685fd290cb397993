"""Who may do what: the roles and the one permission table (``permissions.yaml``).

:func:`check` answers one question, "may this person do this operation on this case?",
and raises :class:`NotPermitted` naming the rule that refused it::

    c.mensah is a therapeutic social worker; signing off or returning a formulation
    needs a clinical psychologist who did not write, decide on or submit this formulation

The store calls it inside each write transaction, against the record as stored (so a
check and the write see the same case), with the operations the change needs
(:func:`operations_for`). Relations to a case are read from the stored record's JSON
(``referral.allocation.worker``, ``formulation.author``, ``formulation.contributors``).

A store whose staff directory is empty has no roles to check: every operation is
allowed there, and the CLI says so (``tswt staff add`` makes the first administrator).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from ..errors import TswtError


class NotPermitted(TswtError):
    """The person acting may not do this (their role, or their relation to the case)."""


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    roles: frozenset[str]
    any_of: tuple[str, ...]  # relations that also allow it
    none_of: tuple[str, ...]  # relations that forbid it whatever the role
    needs: str


@dataclass(frozen=True)
class Table:
    version: str
    roles: dict[str, str]  # role id -> label
    holds_cases: frozenset[str]
    operations: dict[str, Operation]
    people: dict[str, frozenset[str]]  # person field -> roles that may hold it


def _record(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _contributors(record: Any) -> set[str]:
    f = _record(record, "formulation")
    if not isinstance(f, dict):
        return set()
    people = {f.get("author") or "", *(f.get("contributors") or [])}
    decision = f.get("decision") or {}
    people.add(decision.get("by") or "")
    people.add(f.get("submitted_by") or "")
    return {p.casefold() for p in people if p}


# A relation: (actor login, stored record as JSON data, subject login for staff changes) -> bool
RELATIONS: dict[str, Callable[[str, Any, str | None], bool]] = {
    "allocated_worker": lambda who, rec, _s: (
        (_record(rec, "referral", "allocation", "worker") or "").casefold() == who
    ),
    "formulation_author": lambda who, rec, _s: (
        (_record(rec, "formulation", "author") or "").casefold() == who
    ),
    "formulation_contributor": lambda who, rec, _s: who in _contributors(rec),
    "self": lambda who, _rec, subject: subject is not None and subject.casefold() == who,
    "lead_worker": lambda who, rec, _s: any(
        isinstance(i, dict) and (i.get("lead_worker") or "").casefold() == who
        for i in (_record(rec, "interventions") or [])
    ),
}


def _load_yaml(text: str, where: str) -> dict[str, Any]:
    from .._yaml import safe_load

    data = safe_load(text)
    if not isinstance(data, dict):
        raise TswtError(f"{where}: expected a mapping")
    return data


@lru_cache(maxsize=4)
def _table(extension: str | None) -> Table:
    data = _load_yaml(
        files(__package__).joinpath("permissions.yaml").read_text(encoding="utf-8"),
        "permissions.yaml",
    )
    roles = {k: v["label"] for k, v in data["roles"].items()}
    holds = {k for k, v in data["roles"].items() if v.get("holds_cases")}
    like: dict[str, str] = {}
    if extension:
        with open(extension, encoding="utf-8") as handle:
            extra = _load_yaml(handle.read(), extension)
        for role, spec in (extra.get("roles") or {}).items():
            where = f"{extension}: roles.{role}"
            if role in roles:
                raise TswtError(
                    f"{where}: already a role; a team file adds roles, it does not change them"
                )
            if not isinstance(spec, dict) or spec.get("like") not in roles or not spec.get("label"):
                raise TswtError(
                    f"{where}: give a label and `like: ROLE` (one of: {', '.join(roles)})"
                )
            roles[role] = str(spec["label"])
            like[role] = spec["like"]
            if spec["like"] in holds:
                holds.add(role)

    def widen(names: Iterable[str]) -> frozenset[str]:
        base = set(names)
        return frozenset(base | {r for r, base_role in like.items() if base_role in base})

    ops = {}
    for name, spec in data["operations"].items():
        for rel in [*spec.get("or", []), *spec.get("not", [])]:
            if rel not in RELATIONS:
                raise TswtError(f"permissions.yaml: operations.{name}: unknown relation {rel!r}")
        ops[name] = Operation(
            name,
            spec["label"],
            widen(spec.get("roles", [])),
            tuple(spec.get("or", [])),
            tuple(spec.get("not", [])),
            spec["needs"],
        )
    people = {field: widen(rs) for field, rs in data["people"].items()}
    return Table(str(data["version"]), roles, frozenset(holds), ops, people)


def table() -> Table:
    """The permission table, with the team's extra roles (``TSWT_ROLES``) if set."""
    return _table(os.environ.get("TSWT_ROLES") or None)


def role_label(role: str) -> str:
    return table().roles.get(role, role.replace("_", " "))


def _article(text: str) -> str:
    return f"an {text}" if text[:1] in "aeiou" else f"a {text}"


def allowed(
    operation: str, login: str, role: str | None, record: Any = None, subject: str | None = None
) -> bool:
    """Whether ``login`` (with ``role``; ``None`` if not in the directory) may do it."""
    op = table().operations[operation]
    who = login.casefold()
    if role is None:
        return False
    if any(RELATIONS[r](who, record, subject) for r in op.none_of):
        return False
    return role in op.roles or any(RELATIONS[r](who, record, subject) for r in op.any_of)


def check(
    operation: str,
    login: str,
    staff: Mapping[str, Any],
    record: Any = None,
    subject: str | None = None,
    case_id: str | None = None,
) -> None:
    """Raise :class:`NotPermitted` unless ``login`` may do ``operation``.

    ``staff`` is the store's directory (login -> member with ``.role``); an empty one
    allows everything (a store not yet set up). ``record`` is the case as stored (JSON
    data), for relations; ``subject`` the staff login being changed, for ``self``."""
    if not staff:
        return
    op = table().operations[operation]
    member = staff.get(login)
    role = getattr(member, "role", None)
    if allowed(operation, login, role, record, subject):
        return
    where = f"{case_id}: " if case_id else ""
    if role is None:
        hint = (
            " (this is a training store: name a staff login with --user, e.g. --user c.mensah)"
            if getattr(staff, "training", False)
            else ""
        )
        raise NotPermitted(
            f"{where}{login} is not in the staff directory; {op.label} needs {op.needs}{hint}"
        )
    who = login.casefold()
    if role in op.roles or any(RELATIONS[r](who, record, subject) for r in op.any_of):
        broken = [r for r in op.none_of if RELATIONS[r](who, record, subject)]
        because = {
            "formulation_contributor": "wrote, decided on or submitted this formulation",
            "self": "cannot change their own entry",
        }
        raise NotPermitted(
            f"{where}{login} {because.get(broken[0], broken[0].replace('_', ' '))}; {op.label} needs {op.needs}"
        )
    raise NotPermitted(
        f"{where}{login} is {_article(role_label(role))}; {op.label} needs {op.needs}"
    )


# Which operation a change to each part of a record needs (the first path segment, or
# the first two for the referral). Workflow steps (submit, sign-off, conclusion) are named
# by casework itself; the store checks what else the change touches.
_PART_OPERATION = {
    "referral.decision": "decide_referral",
    "referral.approval": "decide_referral",
    "referral.allocation": "allocate",
    "conclusion": "record_conclusion",
    "interventions": "record_work",
    "reviews": "record_work",
    "first_steps": "record_work",
    "ending": "record_work",
}


def operations_for(paths: Iterable[str]) -> list[str]:
    """The operations a change to these record paths (``referral.decision.outcome``,
    ``screening.risks.0``, ...) needs, in a stable order."""
    needed: list[str] = []
    for path in paths:
        head = path.split(".")
        op = _PART_OPERATION.get(".".join(head[:2])) or _PART_OPERATION.get(head[0]) or "edit_case"
        if path == "":
            op = "record_referral"
        if op not in needed:
            needed.append(op)
    return needed
