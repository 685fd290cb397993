"""Migration 9 on a store made at schema 8: the conclusion of screening, called "outcome"
up to 0.1.0, is renamed in the cases table's columns, in every stored record and work
digest, with the rewrite of each record audited; the audit rows already written keep the
old name (issue 25). On SQLite and PostgreSQL.

The schema-8 store is the current one taken back by hand, as 0.1.0 wrote it: the columns
``outcome`` and ``outcome_date`` under the covering index of migration 6, the records,
work digests and audit trail with the key ``outcome``, the action ``record_outcome``.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from tswt_formulation import casework, open_store
from tswt_formulation.model import case_from_data
from tswt_formulation.store import schema

BEGUN, CLOSED, OPEN = "TSW-000123", "TSW-000124", "TSW-000125"
MIGRATION_6_INDEX = (
    "case_id, synthetic, legal_status, date_of_birth, received, consent_date, approval_date, "
    "decision_date, allocation_date, screening_started, screening_completed, outcome_date, "
    "consent_informed, decision, worker, outcome, formulation_status, last_review, "
    "first_step_due, last_contact, ended, open_interventions, first_steps_outstanding, "
    "closing_measures_pending"
)


def _old_key(doc):
    if isinstance(doc, dict) and "conclusion" in doc:
        return {("outcome" if k == "conclusion" else k): v for k, v in doc.items()}
    return doc


def _old_path(path: str) -> str:
    return "outcome" + path[len("conclusion") :] if path.split(".")[0] == "conclusion" else path


def _take_back_to_schema_8(url: str) -> None:
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_cases_caseload")
        conn.exec_driver_sql("ALTER TABLE cases RENAME COLUMN conclusion TO outcome")
        conn.exec_driver_sql("ALTER TABLE cases RENAME COLUMN conclusion_date TO outcome_date")
        conn.exec_driver_sql(f"CREATE INDEX ix_cases_caseload ON cases ({MIGRATION_6_INDEX})")
        for case_id, record, work in conn.exec_driver_sql(
            "SELECT case_id, record, work FROM cases"
        ).all():
            conn.execute(
                sa.text("UPDATE cases SET record = :r, work = :w WHERE case_id = :c"),
                {
                    "r": json.dumps(_old_key(json.loads(record))),
                    "w": work and json.dumps(_old_key(json.loads(work))),
                    "c": case_id,
                },
            )
        for id_, action, changes in conn.exec_driver_sql(
            "SELECT id, action, changes FROM audit"
        ).all():
            old = [
                dict(
                    c,
                    path=_old_path(c["path"]),
                    **{
                        k: _old_key(c[k]) for k in ("before", "after") if c["path"] == "" and k in c
                    },
                )
                for c in json.loads(changes)
            ]
            conn.execute(
                sa.text("UPDATE audit SET action = :a, changes = :c WHERE id = :i"),
                {
                    "a": "record_outcome" if action == "record_conclusion" else action,
                    "c": json.dumps(old),
                    "i": id_,
                },
            )
        conn.exec_driver_sql("UPDATE tswt_meta SET value = '8' WHERE key = 'schema_version'")
        conn.exec_driver_sql("DELETE FROM tswt_migrations WHERE number > 8")
    engine.dispose()


def _raw(url: str, case_id: str) -> tuple[dict, dict | None]:
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.connect() as conn:
        record, work = conn.execute(
            sa.text("SELECT record, work FROM cases WHERE case_id = :c"), {"c": case_id}
        ).one()
    engine.dispose()
    return json.loads(record), (json.loads(work) if work else None)


def test_a_schema_8_store_is_brought_to_9_whole(any_store_url, make_case_data):
    url = any_store_url
    begun = make_case_data(BEGUN)  # work began 2026-06-30
    closed, still_open = make_case_data(CLOSED), make_case_data(OPEN)
    closed.pop("conclusion")
    still_open.pop("conclusion")
    with open_store(url, user="test.worker", create=True) as s:
        s.import_cases([case_from_data(d) for d in (begun, closed, still_open)])
        casework.conclude(
            s, CLOSED, "close", "Needs met by carer consultation", on=date(2026, 7, 1)
        )
        before = {c: s.get(c) for c in (BEGUN, CLOSED, OPEN)}
        states = s.caseload(as_of="2026-07-02")[["case_id", "state"]].values.tolist()
    _take_back_to_schema_8(url)
    assert "outcome" in _raw(url, BEGUN)[0] and "outcome" in _raw(url, BEGUN)[1]

    # Reading is not writing: a reader leaves the store at 8 and reads it as it is.
    with open_store(url, user="a.reader", migrate=False) as s:
        assert s.outdated == 8
        assert {c: s.get(c) for c in (BEGUN, CLOSED, OPEN)} == before
        assert s.caseload(as_of="2026-07-02")[["case_id", "state"]].values.tolist() == states
        assert s.integrity_check() == []
    assert "outcome" in _raw(url, BEGUN)[0]

    with open_store(url, user="the.owner") as s:
        assert (s.upgraded_from, s.schema_version()) == (8, schema.SCHEMA_VERSION)
        columns = {c["name"] for c in sa.inspect(s.engine).get_columns("cases")}
        assert {"conclusion", "conclusion_date"} <= columns
        assert not {"outcome", "outcome_date"} & columns
        index = next(
            i for i in sa.inspect(s.engine).get_indexes("cases") if i["name"] == "ix_cases_caseload"
        )
        assert tuple(index["column_names"]) == schema.CASELOAD_COLUMNS
        # The records and the cases read from them are as they were, under the new key.
        assert {c: s.get(c) for c in (BEGUN, CLOSED, OPEN)} == before
        assert s.caseload(as_of="2026-07-02")[["case_id", "state"]].values.tolist() == states
        assert states == [[BEGUN, "work_begun"], [CLOSED, "closed"], [OPEN, "in_screening"]]
        assert s.integrity_check() == []

        log = s.audit_log()
        # History keeps the old name: the step's action and the paths it changed.
        recorded = [e for e in log if e.case_id == CLOSED and e.action == "record_outcome"]
        assert len(recorded) == 1 and recorded[0].changes[0]["path"].startswith("outcome")
        # Each rewritten record is audited, as the person migrating, at its version.
        rewrites = [e for e in log if e.action == "migrate" and e.case_id is not None]
        assert [(e.case_id, e.user, e.version) for e in rewrites] == [
            (BEGUN, "the.owner", 1),
            (CLOSED, "the.owner", 2),
        ]
        value = _raw(url, BEGUN)[0]["conclusion"]
        assert rewrites[0].changes == [
            {"op": "remove", "path": "outcome", "before": value},
            {"op": "add", "path": "conclusion", "after": value},
        ]
        assert rewrites[0].note == (
            "schema 9: the conclusion of screening, called outcome before, renamed conclusion"
        )
        assert s.versions(BEGUN)[-1][1] == _raw(url, BEGUN)[0]
        assert [e.note for e in log if e.action == "migrate" and e.case_id is None][-1].startswith(
            "9: the conclusion of screening: columns and stored records renamed from outcome"
        )

        # A new save uses the new action; the stale-edit notice words both.
        casework.conclude(s, BEGUN, "close", "Placement ended", on=date(2026, 7, 2), replace=True)
        assert s.audit_log(BEGUN)[-1].action == "record_conclusion"
    for case_id in (BEGUN, CLOSED):
        record, work = _raw(url, case_id)
        assert "outcome" not in record and "conclusion" in record
        assert work is not None and "outcome" not in work and "conclusion" in work
    assert "conclusion" not in _raw(url, OPEN)[0]
