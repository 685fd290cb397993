"""Migration 10: every work digest is written again from its record, so that the
summarised review finds each child's presenting behaviours in it (hazard H25-05) instead
of reading every child saved before whole, at every review."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tswt_formulation import open_store
from tswt_formulation.model import case_from_data
from tswt_formulation.model.work import work_digest
from tswt_formulation.store import schema


def _digests(url: str) -> dict[str, dict | None]:
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT case_id, work FROM cases ORDER BY case_id").all()
    engine.dispose()
    return {case_id: json.loads(work) if work else None for case_id, work in rows}


def _as_at_schema_9(url: str) -> None:
    """Digests as schema 9 wrote them: without the behaviours, or none at all."""
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.begin() as conn:
        for case_id, work in conn.exec_driver_sql("SELECT case_id, work FROM cases").all():
            digest = json.loads(work)
            digest.pop("presenting_behaviours")
            conn.execute(
                sa.text("UPDATE cases SET work = :w WHERE case_id = :c"),
                {"w": None if case_id.endswith("3") else json.dumps(digest), "c": case_id},
            )
        conn.exec_driver_sql("UPDATE tswt_meta SET value = '9' WHERE key = 'schema_version'")
        conn.exec_driver_sql("DELETE FROM tswt_migrations WHERE number > 9")
    engine.dispose()


def test_every_digest_gets_the_behaviours_from_its_record(any_store_url, make_case_data):
    url = any_store_url
    data = [make_case_data(f"TSW-00012{i}") for i in range(3, 6)]
    data[2]["screening"]["presenting_behaviours"] = []  # none recorded: an empty list, kept
    with open_store(url, user="test.worker", create=True) as s:
        s.import_cases([case_from_data(d) for d in data])
        versions = {d["case_id"]: s.get(d["case_id"])._version for d in data}
        audit_rows = len(s.audit_log())
    _as_at_schema_9(url)
    before = _digests(url)
    assert before["TSW-000123"] is None and "presenting_behaviours" not in before["TSW-000124"]

    with open_store(url, user="the.owner") as s:
        assert (s.upgraded_from, s.schema_version()) == (9, schema.SCHEMA_VERSION)
        after = _digests(url)
        for d in data:
            case = s.get(d["case_id"])
            assert after[d["case_id"]] == json.loads(json.dumps(work_digest(case)))
            assert case._version == versions[d["case_id"]]  # the record itself is unchanged
        # Only the migration's own row is added: no record changed, nothing per case to audit.
        assert len(s.audit_log()) == audit_rows + 1
    assert [b["behaviour"] for b in after["TSW-000123"]["presenting_behaviours"]] == [
        b["behaviour"] for b in data[0]["screening"]["presenting_behaviours"]
    ]
    assert after["TSW-000125"]["presenting_behaviours"] == []
