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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    "record_outcome": "the outcome of screening recorded (or replaced, with reasons)",
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
