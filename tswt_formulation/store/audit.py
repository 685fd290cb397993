"""The audit log's actions: what each audited write did, in one word a query can match.

Every write appends one audit row (who, when, which case, the changes, a note). Its
``action`` says what was done: the store's own writes (``import``, ``restore``,
``update``, ``migrate``, ``migrate-store``, ``staff``) and, for a case saved through
:mod:`tswt_formulation.casework`, the step of the work (``submit``, ``sign_off``, ...).
Readers (the sign-off queue, supervision, an auditor's query) match the action, never the
note, which is words for people.

Before schema 8 every case save was recorded as ``update`` and the step lay only in the
note; migration 8 fills the step in for those rows from the notes casework wrote
(``ACTION_FROM_NOTE``). A note a person typed that happens to read the same is read the
same way: the note itself is kept as it was.

Schema 9 renamed the end of screening from "outcome" to "conclusion": new rows record
``record_conclusion``; rows written before keep ``record_outcome``, as history is never
rewritten. ``ACTIONS`` describes both, so a stale-edit notice words either; a reader
that looks for this step matches both names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import CaseNotFound
from ..model.formulation import Formulation
from . import schema
from .diff import apply_changes
from .records import _as_utc, _now

if TYPE_CHECKING:
    from ..errors import StaleEdit

#: Every action, and what it records.
ACTIONS = {
    "import": "cases added (tswt import, a referral recorded, the demo)",
    "restore": "cases restored from a backup with their workflow state",
    "update": "a case saved with no named step (a form, tswt update, a script)",
    "migrate": "the store's schema brought up to date",
    "migrate-store": "the store moved onto another database",
    "staff": "the staff directory changed",
    "draft_formulation": "a formulation drafted from the screening",
    "edit_formulation": "the formulation's content edited",
    "decide": "the worker's decision on the recommendation (accept, or override with reasons)",
    "revise_formulation": "the formulation edited and the decision recorded in one save",
    "submit": "the formulation submitted for sign-off",
    "sign_off": "the formulation approved by a clinical psychologist",
    "return": "the formulation returned with comments",
    "record_conclusion": "the conclusion of screening recorded (or replaced, with reasons)",
    "record_outcome": "the conclusion of screening recorded (its action before schema 9; rows keep it)",
    "start_intervention": "an intervention started",
    "record_session": "a session of an intervention recorded",
    "end_intervention": "an intervention ended",
    "record_first_step": "a first step recorded",
    "record_review": "a review of the work recorded",
    "close_involvement": "the team's involvement ended",
}

#: Migration 8: how a row saved as ``update`` before schema 8 is read from the note
#: casework wrote. (action, the note exactly, or a SQL LIKE pattern ending in %).
ACTION_FROM_NOTE: tuple[tuple[str, str], ...] = (
    ("draft_formulation", "formulation drafted from the screening"),
    ("edit_formulation", "formulation edited"),
    ("decide", "recommendation accepted"),
    ("decide", "recommendation overridden with reasons"),
    ("revise_formulation", "formulation edited and decision recorded"),
    ("submit", "submitted for sign-off"),
    ("sign_off", "signed off"),
    ("sign_off", "signed off with % outstanding, reason given"),
    ("return", "returned with comments"),
    ("record_outcome", "outcome of screening: %"),
    ("start_intervention", "intervention % started: %"),
    ("record_session", "session of intervention %"),
    ("end_intervention", "intervention % ended: %"),
    ("record_first_step", "first step recorded%"),
    ("record_review", "review: stage %, wave %"),
    ("close_involvement", "involvement ended: %"),
)


def stale_notice(exc: StaleEdit) -> str:
    """A refused stale save in the team's words, from the refusal's fields: who saved the
    case meanwhile, when and what they did, and the versions (for a form's banner)."""
    who = exc.by or "someone else"
    when = f" at {exc.at:%Y-%m-%d %H:%M} UTC" if exc.at is not None else ""
    did = ACTIONS.get(exc.their_action or "", "")
    what = f" ({did})" if did and exc.their_action != "update" else ""
    versions = (
        f"; you had version {exc.expected}, it is now version {exc.found}"
        if exc.expected is not None and exc.found is not None
        else ""
    )
    return f"Not saved: {who} saved this case{when}{what} since you opened it{versions}."


def append_entry(
    conn: sa.Connection,
    *,
    user: str,
    how: str | None,
    action: str,
    changes: list[dict[str, Any]],
    note: str,
    case_id: str | None = None,
    version: int | None = None,
    at: datetime | None = None,
) -> None:
    """Append one audit row in the write's own transaction: who (``user``, identified
    ``how``), what (``action``, the ``changes`` as set/add/remove operations, a ``note``),
    on which case at which version (none for a change to the store itself)."""
    conn.execute(
        schema.audit.insert().values(
            at=at or _now(),
            user=user,
            identified_by=how,
            case_id=case_id,
            action=action,
            version=version,
            changes=json.dumps(changes),
            note=note,
        )
    )


# --- reading the log ---------------------------------------------------------------------


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


class AuditMixin:
    """Reading the audit log, and every version of a case rebuilt from it (part of CaseStore)."""

    if TYPE_CHECKING:  # provided by CaseStore (store.py)
        engine: sa.Engine
        location: str
        user: str

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
