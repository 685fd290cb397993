"""People are logins from the staff directory, never free text.

A person field (who a referral is allocated to, who approved it, who wrote, decided,
submitted or signed off a formulation, who recorded the conclusion of screening) holds a login exactly
as the directory has it. What a person types is normalised on entry (surrounding spaces
dropped, case folded) and must then be a known login; anything else is refused with the
nearest known login suggested, so "c.mensha", "C.Mensah ", a Cyrillic "с.mensah" or a
zero-width space never make a child vanish from every worker's caseload.
"""  # noqa: RUF002 - the Cyrillic letter is the example

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import Problem, quote


def nearest(text: str, known: Iterable[str]) -> str | None:
    """The closest known login to ``text`` (or None): for "did you mean ...?"."""
    folded = "".join(
        c for c in text.casefold() if c.isascii() and c.isprintable() and not c.isspace()
    )
    options = list(known)
    match = difflib.get_close_matches(folded or text, options, n=1, cutoff=0.6)
    if not match and folded:
        match = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
    return match[0] if match else None


def login_problem(
    value: Any,
    staff: Mapping[str, Any],
    field: str,
    roles: Iterable[str] | None = None,
    where: str = "",
) -> Problem | None:
    """What is wrong with ``value`` as the login in ``field`` (None if nothing).

    ``roles``: the roles that may hold the field (a reviewer must be a clinical
    psychologist); ``staff``: login -> member with ``.role`` and ``.described``."""
    from .permissions import role_label

    text = "" if value is None else str(value)
    if text in staff:
        member = staff[text]
        allowed = set(roles) if roles is not None else None
        if allowed is not None and member.role not in allowed:
            wanted = " or ".join(sorted({role_label(r) for r in allowed}))
            return Problem(
                where, field, f"{text} is {member.role_label_with_article}; this must be a {wanted}"
            )
        return None
    guess = nearest(text, staff)
    hint = f"; did you mean {guess}?" if guess else " (tswt staff list shows who is)"
    if text.strip().casefold() in staff and text.strip().casefold() != text:
        return Problem(
            where,
            field,
            f"{quote(text)} must be written exactly as the login {text.strip().casefold()}",
        )
    return Problem(where, field, f"{quote(text)} is not a login in the staff directory{hint}")


def normalise(text: str) -> str:
    """A login as typed, made canonical: surrounding spaces dropped, case folded."""
    return text.strip().casefold()


def person_fields(record: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(permission-table field, path in the record, value) for each person named in a
    case record (JSON data)."""
    out: list[tuple[str, str, Any]] = []
    ref = record.get("referral") or {}
    if ref.get("allocation"):
        out.append(
            (
                "referral.allocation.worker",
                "referral.allocation.worker",
                ref["allocation"].get("worker"),
            )
        )
    if ref.get("approval"):
        out.append(("referral.approval.by", "referral.approval.by", ref["approval"].get("by")))
    f = record.get("formulation")
    if f:
        out.append(("formulation.author", "formulation.author", f.get("author")))
        if f.get("decision"):
            out.append(
                ("formulation.decision.by", "formulation.decision.by", f["decision"].get("by"))
            )
        for i, s in enumerate(f.get("signoffs") or []):
            out.append(
                (
                    "formulation.signoffs.reviewer",
                    f"formulation.signoffs.{i}.reviewer",
                    s.get("reviewer"),
                )
            )
    if record.get("conclusion"):
        out.append(("conclusion.by", "conclusion.by", record["conclusion"].get("by")))
    for i, iv in enumerate(record.get("interventions") or []):
        out.append(
            ("interventions.lead_worker", f"interventions.{i}.lead_worker", iv.get("lead_worker"))
        )
    for i, step in enumerate(record.get("first_steps") or []):
        if step.get("owner"):  # a step recorded without an owner (issue 21's shape) is not a person
            out.append(("first_steps.owner", f"first_steps.{i}.owner", step.get("owner")))
    for i, r in enumerate(record.get("reviews") or []):
        out.append(("reviews.by", f"reviews.{i}.by", r.get("by")))
    if record.get("ending"):
        out.append(("ending.by", "ending.by", record["ending"].get("by")))
    return out


def people_problems(
    record: Mapping[str, Any],
    staff: Mapping[str, Any],
    where: str,
    changed: Iterable[str] | None = None,
) -> list[Problem]:
    """Each person field of ``record`` that is not a login allowed there. With
    ``changed`` (paths a save changes), only the fields it touches are checked, so a
    record written before the directory existed can still be edited elsewhere."""
    from .permissions import table

    if not staff:
        return []
    rules = table().people
    touched = list(changed) if changed is not None else None
    out = []
    for field, path, value in person_fields(record):
        if touched is not None and not any(
            path.startswith(p) or p.startswith(path) for p in touched if p
        ):
            continue
        problem = login_problem(value, staff, path, rules.get(field), where)
        if problem is not None:
            out.append(problem)
    return out


def restore_problems(
    record: Mapping[str, Any], staff: Mapping[str, Any], where: str
) -> list[Problem]:
    """A restored record's workflow must be one the workflow could have produced: every
    sign-off by someone who may sign off (a clinical psychologist who is not the author
    nor a contributor), at a revision that exists; "signed off" only with an approval of
    the current revision."""
    f = record.get("formulation")
    if not f:
        return []
    out: list[Problem] = []
    author = (f.get("author") or "").casefold()
    contributors = {author, *(c.casefold() for c in f.get("contributors") or [])}
    contributors.add(((f.get("decision") or {}).get("by") or "").casefold())
    contributors.add((f.get("submitted_by") or "").casefold())
    revision = f.get("revision") or 0
    signoffs = f.get("signoffs") or []
    for i, s in enumerate(signoffs):
        field = f"formulation.signoffs.{i}"
        who = (s.get("reviewer") or "").casefold()
        if who and who in contributors:
            out.append(
                Problem(
                    where,
                    f"{field}.reviewer",
                    f"{who} wrote, decided on or submitted this formulation and "
                    "cannot have signed it off",
                )
            )
        if (s.get("formulation_revision") or 0) > revision:
            out.append(
                Problem(
                    where,
                    f"{field}.formulation_revision",
                    f"revision {s.get('formulation_revision')} does not exist (the formulation is at revision {revision})",
                )
            )
    if f.get("status") == "signed_off":
        last = signoffs[-1] if signoffs else None
        if (
            last is None
            or last.get("outcome") != "approved"
            or (last.get("formulation_revision") or 0) != revision
        ):
            out.append(
                Problem(
                    where,
                    "formulation.status",
                    f"signed_off needs an approval of revision {revision} "
                    "by a clinical psychologist; the record has none",
                )
            )
    if f.get("status") == "awaiting_signoff" and not f.get("decision"):
        out.append(
            Problem(
                where,
                "formulation.status",
                "awaiting_signoff needs the worker's decision on the recommendation",
            )
        )
    return out + people_problems(record, staff, where) if staff else out
