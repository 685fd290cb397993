"""The audit log's ``action`` (store/audit.py, migration 8): every case save through
casework records its step, older stores have the step filled in from the notes casework
wrote, the sign-off queue reads the action rather than the note, and a refused stale save
carries its facts as fields (the workbench words its notice from them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tswt_formulation import casework, open_store
from tswt_formulation.errors import StaleEdit
from tswt_formulation.model import case_from_data
from tswt_formulation.store import schema
from tswt_formulation.store.audit import ACTIONS, stale_notice

CASE = "TSW-000123"


def _history(store) -> None:
    """A formulation drafted, decided and submitted by the worker, returned by a
    psychologist, then a plain save whose typed note reads like a step."""
    casework.create_draft(store, CASE, user="c.mensah")
    casework.decide(store, CASE, True, user="c.mensah")
    casework.submit_for_signoff(store, CASE, user="c.mensah")
    casework.review(store, CASE, False, "Say more about school", user="dr.r.ahmed")
    store.update(CASE, lambda c: setattr(c.referral, "reasons", "After the meeting."), note="visit")


EXPECTED = [
    ("import", "import"),
    ("draft_formulation", "formulation drafted from the screening"),
    ("decide", "recommendation accepted"),
    ("submit", "submitted for sign-off"),
    ("return", "returned with comments"),
    ("update", "visit"),
]


@pytest.fixture
def url(any_store_url, make_case_data):
    data = make_case_data()
    data.pop("conclusion")
    with open_store(any_store_url, create=True, user="importer") as s:
        s.import_cases([case_from_data(data)])
    return any_store_url


def test_every_step_is_recorded_as_its_action(url):
    with open_store(url, user="c.mensah") as s:
        _history(s)
        assert [(e.action, e.note) for e in s.audit_log(CASE)] == EXPECTED
        assert {e.action for e in s.audit_log()} <= set(ACTIONS)


def test_migration_8_names_the_steps_of_older_saves(url):
    """A store written before schema 8 (every case save 'update') gains the steps its
    notes name; the store's own actions and a plain save keep theirs; nothing else moves."""
    with open_store(url, user="c.mensah") as s:
        _history(s)
        before = [
            (e.id, e.at, e.user, e.version, e.changes, e.note)
            for e in s.audit_log()
            if e.action != "migrate"
        ]
        with s.engine.begin() as conn:
            a = schema.audit.c
            conn.execute(
                schema.audit.update()
                .where(a.case_id.is_not(None), a.action != "import")
                .values(action="update")
            )
            conn.execute(
                schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="7")
            )
            conn.execute(
                schema.migrations_table.delete().where(schema.migrations_table.c.number > 7)
            )
        assert [e.action for e in s.audit_log(CASE)] == ["import"] + ["update"] * 5
    with open_store(url, user="upgrader") as s:
        assert s.schema_version() == schema.SCHEMA_VERSION  # 8, then 9 (the conclusion)
        assert [(e.action, e.note) for e in s.audit_log(CASE)] == EXPECTED
        kept = [e for e in s.audit_log() if e.action != "migrate"]
        assert [(e.id, e.at, e.user, e.version, e.changes, e.note) for e in kept] == before
        assert s.integrity_check() == []
        with s.engine.connect() as conn:
            (name,) = conn.execute(
                sa.select(schema.migrations_table.c.name).where(
                    schema.migrations_table.c.number == 8
                )
            ).one()
        assert "audit log names each case save's step" in name


def test_the_signoff_queue_reads_the_action_not_the_note(url):
    """Who submitted is the person whose save was the submission, even when a later save's
    typed note reads 'submitted for sign-off' (the queue once matched the note)."""
    from tswt_formulation.workbench.signoff import awaiting_signoff

    with open_store(url, user="c.mensah") as s:
        casework.create_draft(s, CASE, user="c.mensah")
        casework.decide(s, CASE, True, user="c.mensah")
        submitted = casework.submit_for_signoff(s, CASE, user="c.mensah")
        s.update(
            CASE,
            lambda c: setattr(c.referral, "reasons", "Network meeting held."),
            user="t.harper",
            note="submitted for sign-off",
        )
        ((case_id, at, by),) = awaiting_signoff(s)
        entry = next(e for e in s.audit_log(CASE) if e.version == submitted._version)
        assert (case_id, by, at) == (CASE, "c.mensah", entry.at)
        assert entry.action == "submit"


def test_a_stale_save_says_who_did_what_as_fields(url):
    with open_store(url, user="c.mensah") as s:
        casework.create_draft(s, CASE, user="c.mensah")
        mine = s.get(CASE)  # version 2
        casework.decide(s, CASE, True, user="s.price")  # version 3, meanwhile
        with pytest.raises(StaleEdit) as caught:
            casework.submit_for_signoff(s, CASE, user="c.mensah", version=mine._version)
        exc = caught.value
        assert (exc.case_id, exc.expected, exc.found, exc.action) == (CASE, 2, 3, "submit")
        assert (exc.by, exc.their_action) == ("s.price", "decide")
        assert exc.at is not None and exc.at.tzinfo is not None
        assert abs((datetime.now(UTC) - exc.at).total_seconds()) < 600
        assert stale_notice(exc) == (
            f"Not saved: s.price saved this case at {exc.at:%Y-%m-%d %H:%M} UTC "
            "(the worker's decision on the recommendation (accept, or override with reasons)) "
            "since you opened it; you had version 2, it is now version 3."
        )
