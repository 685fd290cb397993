"""The case store: round trips, the audit log, migrations, permissions."""

from __future__ import annotations

import json
import os
import stat

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.errors import SchemaVersionError, StoreError
from tswt_formulation.model import case_from_data, case_to_data
from tswt_formulation.store import schema


def test_store_and_wal_are_owner_only(store, store_path, make_case_data):
    store.import_cases([case_from_data(make_case_data())])
    for suffix in ("", "-wal", "-shm"):
        path = f"{store_path}{suffix}"
        if os.path.exists(path):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_export_then_import_is_the_identity(tmp_path, demo_cases):
    runner = CliRunner()
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    with open_store(str(a), create=True) as s:
        s.import_cases(demo_cases)
    for fmt in ("json", "yaml"):
        out = tmp_path / f"export.{fmt}"
        r = runner.invoke(cli, ["export", "--store", str(a), "--output", str(out)])
        assert r.exit_code == 0, r.stderr
        target = tmp_path / f"b-{fmt}.sqlite"
        assert runner.invoke(cli, ["init", "--store", str(target)]).exit_code == 0
        # The cases carry formulations and outcomes: only the owner's audited restore takes them.
        r = runner.invoke(
            cli, ["import", "--store", str(target), "--restore", "copy of store a", str(out)]
        )
        assert r.exit_code == 0, r.stderr
        with open_store(str(a)) as s1, open_store(str(target)) as s2:
            assert s1.export() == s2.export()
            assert len(s2) == len(demo_cases)
    del b


def test_audit_records_who_when_and_before_after(store, make_case_data):
    store.import_cases([case_from_data(make_case_data())], user="importer")
    case = store.get("TSW-000123")
    case.referral.reasons = "Updated after a call with the school."
    case.screening.life_story_work = "completed"
    store.save(case, user="c.mensah", note="after school call")
    entries = store.audit_log("TSW-000123")
    assert [(e.user, e.action, e.version) for e in entries] == [
        ("importer", "import", 1),
        ("c.mensah", "update", 2),
    ]
    assert entries[1].note == "after school call"
    assert entries[1].changes == [
        {
            "op": "set",
            "path": "referral.reasons",
            "before": "Escalating distress at bedtime and at school since the last move.",
            "after": "Updated after a call with the school.",
        },
        {
            "op": "set",
            "path": "screening.life_story_work",
            "before": "in_progress",
            "after": "completed",
        },
    ]
    # every version can be rebuilt from the audit log alone
    versions = store.versions("TSW-000123")
    assert versions[0][1]["screening"]["life_story_work"] == "in_progress"
    assert versions[-1][1] == case_to_data(store.get("TSW-000123"))


def test_saving_without_change_writes_nothing(store, make_case_data):
    store.import_cases([case_from_data(make_case_data())])
    case = store.get("TSW-000123")
    store.save(case)
    assert len(store.audit_log("TSW-000123")) == 1
    assert store.get("TSW-000123")._version == 1


def test_invalid_edit_is_refused_on_save(store, make_case_data):
    store.import_cases([case_from_data(make_case_data())])
    case = store.get("TSW-000123")
    from datetime import date

    from tswt_formulation.errors import ValidationFailed

    case.referral.decision.date = date(2026, 5, 1)  # field valid, case not
    with pytest.raises(
        ValidationFailed,
        match=r"^TSW-000123: referral\.decision\.date: 2026-05-01 is before referral\.received 2026-05-04",
    ):
        store.save(case)
    assert len(store.audit_log("TSW-000123")) == 1


def test_newer_store_is_refused(store_path, store):
    with store.engine.begin() as conn:
        conn.execute(
            schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="99")
        )
    store.close()
    with pytest.raises(
        SchemaVersionError,
        match=r"written by a newer version of tswt-formulation \(schema 99; this version understands up to \d+\)",
    ):
        open_store(str(store_path))


def test_older_store_is_migrated_in_place_and_audited(store_path, store, make_case_data):
    store.import_cases([case_from_data(make_case_data())])
    with store.engine.begin() as conn:
        conn.execute(
            schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="1")
        )
        conn.execute(schema.migrations_table.delete().where(schema.migrations_table.c.number > 1))
        conn.exec_driver_sql("DROP INDEX ix_cases_worker")
    store.close()
    with open_store(str(store_path), user="upgrader") as s:
        assert s.schema_version() == schema.SCHEMA_VERSION
        last = s.audit_log()[-1]
        assert (last.action, last.user, last.case_id) == ("migrate", "upgrader", None)
        assert last.changes == [
            {"op": "set", "path": "schema_version", "before": 1, "after": schema.SCHEMA_VERSION}
        ]
        names = {i["name"] for i in sa.inspect(s.engine).get_indexes("cases")}
        assert "ix_cases_worker" in names
        assert s.get("TSW-000123").case_id == "TSW-000123"


def test_not_a_store(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"cannot open the store \(file is not a database\)"):
        open_store(str(junk))


def test_integrity_check_passes(store, demo_cases):
    store.import_cases(demo_cases)
    assert store.integrity_check() == []


texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60
)  # NUL is refused (test_hostile_input)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    child_voice=texts,
    carer_views=texts,
    strengths=st.lists(texts, max_size=3),
    moves=st.integers(0, 100),
    independent=st.booleans(),
)
def test_case_survives_model_store_model(
    tmp_path_factory, make_case_data, child_voice, carer_views, strengths, moves, independent
):
    data = make_case_data()
    data["screening"].update(child_voice=child_voice, carer_views=carer_views, strengths=strengths)
    data["child"]["placement"]["moves_last_12_months"] = moves
    data["child"]["living_independently"] = independent
    case = case_from_data(json.loads(json.dumps(data)))
    path = tmp_path_factory.mktemp("h") / "s.sqlite"
    with open_store(str(path), create=True) as s:
        s.import_cases([case])
        back = s.get(case.case_id)
    assert back == case
    assert case_to_data(back) == case_to_data(case)
    assert back.screening.child_voice == child_voice  # staff text kept verbatim


def test_saving_checks_measures_when_they_or_the_age_change(store, make_case_data):
    from datetime import date

    from tswt_formulation.errors import ValidationFailed

    store.import_cases([case_from_data(make_case_data())])
    case = store.get("TSW-000123")
    case.measures[0].responses["5"] = 7
    with pytest.raises(
        ValidationFailed,
        match=r"TSW-000123: measures\[0\]\.responses\.5: value 7 is outside the response coding 0-2",
    ):
        store.save(case)
    case = store.get("TSW-000123")
    case.child.date_of_birth = date(
        2008, 1, 10
    )  # 18 at the baseline: the P4-17 form no longer fits
    with pytest.raises(
        ValidationFailed,
        match=r"TSW-000123: measures\[0\]\.date: 18 is outside the ages of version P4-17",
    ):
        store.save(case)
    assert len(store.audit_log("TSW-000123")) == 1  # neither was written


def test_a_store_of_schema_5_gains_the_work_columns(store_path, store, make_case_data):
    """Migration 6 on a store made before the work was recorded: the columns arrive with
    the values every such case has (no review, nothing open, nothing outstanding), the
    covering index is rebuilt over them, and the caseload and integrity check agree."""
    store.import_cases([case_from_data(make_case_data())])
    work = [c for c in schema.CASELOAD_COLUMNS if c not in schema._CASELOAD_COLUMNS_4]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_cases_caseload")
        for column in work:
            conn.exec_driver_sql(f"ALTER TABLE cases DROP COLUMN {column}")
        conn.exec_driver_sql(
            f"CREATE INDEX ix_cases_caseload ON cases ({', '.join(schema._CASELOAD_COLUMNS_4)})"
        )
        conn.execute(
            schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="5")
        )
        conn.execute(schema.migrations_table.delete().where(schema.migrations_table.c.number > 5))
    store.close()
    with open_store(str(store_path), user="upgrader") as s:
        assert s.schema_version() == schema.SCHEMA_VERSION  # 6, and 7 (the scores table) after it
        columns = {c["name"] for c in sa.inspect(s.engine).get_columns("cases")}
        assert set(work) <= columns
        index = next(
            i for i in sa.inspect(s.engine).get_indexes("cases") if i["name"] == "ix_cases_caseload"
        )
        assert tuple(index["column_names"]) == schema.CASELOAD_COLUMNS
        assert s.integrity_check() == []
        row = s.caseload_tuples()[0]
        assert row[-3:] == (
            0,
            0,
            0,
        )  # open interventions, first steps outstanding, closing measures pending
