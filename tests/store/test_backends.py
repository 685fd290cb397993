"""The store's main behaviours on both back ends: SQLite and PostgreSQL (``backend``).

The same tests, the same expected messages: nothing above the store knows which
database it is using.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.errors import SchemaVersionError, StaleEdit, StoreError, ValidationFailed
from tswt_formulation.model import case_from_data, case_to_data
from tswt_formulation.rules.timeline import caseload_frame, caseload_row, timeline
from tswt_formulation.store import schema

from ..conftest import AS_OF

STALE = (
    r"^TSW-000123: not saved - the case was changed by {who} at \d{{4}}-\d\d-\d\d \d\d:\d\d UTC since you loaded it "
    r"\(you had version 1, the store has version 2\)\. Reload it, redo your change and save again\.$"
)


def _audit_rows(url: str) -> list[tuple]:
    with open_store(url) as s:
        return [(e.user, e.case_id, e.action, e.version, e.note) for e in s.audit_log()]


def test_the_engine_is_the_one_asked_for(any_store_url, backend):
    with open_store(any_store_url, create=True) as s:
        assert s.engine.dialect.name == backend
        assert s.schema_version() == schema.SCHEMA_VERSION
        assert s.integrity_check() == []


@pytest.mark.slow
def test_export_then_import_is_the_identity(any_store_url, tmp_path, demo_cases):
    runner = CliRunner()
    r = runner.invoke(cli, ["init", "--store", any_store_url])
    assert r.exit_code == 0, r.output
    with open_store(any_store_url, user="importer") as s:
        s.import_cases(demo_cases)
    out = tmp_path / "export.json"
    r = runner.invoke(cli, ["export", "--store", any_store_url, "--output", str(out)])
    assert r.exit_code == 0, r.output
    back = tmp_path / "back.sqlite"
    assert runner.invoke(cli, ["init", "--store", str(back)]).exit_code == 0
    r = runner.invoke(
        cli, ["import", "--store", str(back), "--restore", "export round trip", str(out)]
    )
    assert r.exit_code == 0, r.output
    with open_store(any_store_url) as s1, open_store(str(back)) as s2:
        assert s1.export() == s2.export() == [case_to_data(c) for c in demo_cases]
        assert [s1.get(c.case_id) for c in demo_cases[:5]] == demo_cases[:5]
        assert s1.integrity_check() == []


def test_audit_records_who_when_and_before_after(any_store_url, make_case_data):
    with open_store(any_store_url, create=True) as store:
        store.import_cases([case_from_data(make_case_data())], user="importer")
        case = store.get("TSW-000123")
        case.referral.reasons = "Updated after a call with the school."
        store.save(case, user="c.mensah", note="after school call")
        entries = store.audit_log("TSW-000123")
        assert [(e.user, e.action, e.version, e.note) for e in entries] == [
            ("importer", "import", 1, "import"),
            ("c.mensah", "update", 2, "after school call"),
        ]
        assert entries[1].changes == [
            {
                "op": "set",
                "path": "referral.reasons",
                "before": "Escalating distress at bedtime and at school since the last move.",
                "after": "Updated after a call with the school.",
            }
        ]
        assert entries[0].at <= entries[1].at and entries[1].at.utcoffset().total_seconds() == 0
        assert store.versions("TSW-000123")[-1][1] == case_to_data(store.get("TSW-000123"))


def test_stale_edit_across_two_handles(any_store_url, make_case_data):
    with open_store(any_store_url, create=True, user="importer") as s:
        s.import_cases([case_from_data(make_case_data())])
    with open_store(any_store_url, user="alice") as a, open_store(any_store_url, user="bob") as b:
        mine, theirs = a.get("TSW-000123"), b.get("TSW-000123")
        mine.referral.reasons = "Alice's note."
        a.save(mine)
        theirs.referral.reasons = "Bob's note."
        with pytest.raises(StaleEdit, match=STALE.format(who="alice")):
            b.save(theirs)
        assert b.get("TSW-000123").referral.reasons == "Alice's note."
        assert [e.user for e in b.audit_log("TSW-000123")] == ["importer", "alice"]


def test_newer_store_is_refused(any_store_url):
    with open_store(any_store_url, create=True) as s, s.engine.begin() as conn:
        conn.execute(
            schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="99")
        )
    with pytest.raises(
        SchemaVersionError,
        match=r": this store was written by a newer version of tswt-formulation "
        r"\(schema 99; this version understands up to \d+\)\. Upgrade the package: pip install -U tswt-formulation$",
    ):
        open_store(any_store_url)
    r = CliRunner().invoke(cli, ["caseload", "--store", any_store_url])
    assert r.exit_code == 2
    assert "written by a newer version" in r.output and "Traceback" not in r.output


def _make_older(url: str, make_case_data) -> None:
    with open_store(url, create=True) as s:
        s.import_cases([case_from_data(make_case_data())])
        with s.engine.begin() as conn:
            conn.execute(
                schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="1")
            )
            conn.execute(
                schema.migrations_table.delete().where(schema.migrations_table.c.number > 1)
            )
            conn.exec_driver_sql("DROP INDEX ix_cases_worker")


def _check_migrated_once(url: str, user: str) -> None:
    with open_store(url) as s:
        assert s.schema_version() == schema.SCHEMA_VERSION
        migrations = [e for e in s.audit_log() if e.action == "migrate"]
        assert [(e.user, e.changes) for e in migrations[1:]] == [
            (
                user,
                [
                    {
                        "op": "set",
                        "path": "schema_version",
                        "before": 1,
                        "after": schema.SCHEMA_VERSION,
                    }
                ],
            )
        ]
        assert "ix_cases_worker" in {i["name"] for i in sa.inspect(s.engine).get_indexes("cases")}
        with s.engine.connect() as conn:
            numbers = list(
                conn.execute(
                    sa.select(schema.migrations_table.c.number).order_by(
                        schema.migrations_table.c.number
                    )
                ).scalars()
            )
        assert numbers == list(range(1, schema.SCHEMA_VERSION + 1))
        assert s.get("TSW-000123").case_id == "TSW-000123"
        assert s.integrity_check() == []


def test_older_store_is_migrated_in_place_and_audited(any_store_url, make_case_data):
    _make_older(any_store_url, make_case_data)
    with open_store(any_store_url, user="upgrader"):
        pass
    _check_migrated_once(any_store_url, "upgrader")


def _open_together(url: str, n: int, create: bool) -> list[str]:
    """Open the store from n threads released at once; the users who opened it."""
    barrier = threading.Barrier(n)

    def opener(i: int) -> str:
        barrier.wait()
        with open_store(url, user="opener", create=create) as s:
            return s.user

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(opener, range(n)))


def test_concurrent_openers_migrate_an_older_store_once(any_store_url, make_case_data):
    _make_older(any_store_url, make_case_data)
    assert _open_together(any_store_url, 4, create=False) == ["opener"] * 4
    _check_migrated_once(any_store_url, "opener")


def test_concurrent_openers_create_a_new_store_once(any_store_url):
    _open_together(any_store_url, 4, create=True)
    assert [(u, c, a) for u, c, a, _v, _n in _audit_rows(any_store_url)] == [
        ("opener", None, "migrate")
    ]


def test_caseload_is_the_same_as_from_the_records(any_store_url, demo_cases):
    with open_store(any_store_url, create=True) as s:
        s.import_cases(demo_cases)
        frame = s.caseload(AS_OF)
        overdue = s.caseload(AS_OF, worker="c.mensah", overdue=True)
    expected = timeline(caseload_frame([caseload_row(c) for c in demo_cases]), AS_OF).reset_index(
        drop=True
    )
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected)
    mask = (expected["worker"] == "c.mensah") & expected["overdue"]
    assert list(overdue["case_id"]) == list(expected.loc[mask, "case_id"])
    assert len(overdue) > 0


def test_caseload_command_answers_alike_on_each_back_end(any_store_url, demo_cases):
    """The command's plain-Python timeline, from SQLite's text dates (the standard-library
    reader) and from PostgreSQL's dates (through the store), against the vectorised
    timeline of the records themselves."""
    with open_store(any_store_url, create=True) as s:
        s.import_cases(demo_cases)
    r = CliRunner().invoke(
        cli, ["caseload", "--store", any_store_url, "--as-of", AS_OF.isoformat(), "--json"]
    )
    assert r.exit_code == 0, r.output
    got = [
        (c["case_id"], c["state"], c["screening_due"], c["days_to_due"], c["overdue"], c["age"])
        for c in json.loads(r.output)["cases"]
    ]
    frame = timeline(caseload_frame([caseload_row(c) for c in demo_cases]), AS_OF)
    expected = [
        (
            row.case_id,
            row.state,
            None if pd.isna(row.screening_due) else row.screening_due.date().isoformat(),
            None if pd.isna(row.days_to_due) else int(row.days_to_due),
            bool(row.overdue),
            int(row.age),
        )
        for row in frame.sort_values("case_id").itertuples()
    ]
    assert got == expected and any(g[4] for g in got)


def test_bad_import_writes_nothing(any_store_url, make_case_data, tmp_path):
    with open_store(any_store_url, create=True) as s:
        s.import_cases([case_from_data(make_case_data("TSW-000100"))])
    before = _audit_rows(any_store_url)
    with (
        open_store(any_store_url) as s,
        pytest.raises(
            ValidationFailed,
            match=r"^1 case\(s\) already exist; nothing was written:\n"
            r"TSW-000100: case_id: already in the store; nothing was imported$",
        ),
    ):
        s.import_cases(
            [
                case_from_data(make_case_data("TSW-000101")),
                case_from_data(make_case_data("TSW-000100")),
            ]
        )
    bad = make_case_data("TSW-000102")
    bad["child"]["favourite_colour"] = "blue"
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([make_case_data("TSW-000103"), bad]))
    r = CliRunner().invoke(cli, ["import", "--store", any_store_url, str(path)])
    assert r.exit_code == 2
    assert "TSW-000102: child.favourite_colour: unknown field" in r.output
    with open_store(any_store_url) as s:
        assert s.case_ids() == ["TSW-000100"]
    assert _audit_rows(any_store_url) == before


def test_duplicate_import_racing_another_is_refused_by_case_id(
    any_store_url, backend, make_case_data
):
    """Two imports of the same case at once: one commits, the other is refused naming the
    case (on PostgreSQL both pass the existence check, and the unique key decides)."""
    with open_store(any_store_url, create=True):
        pass
    cases = [case_from_data(make_case_data("TSW-000777"))]
    inside, release = threading.Event(), threading.Event()

    def hold(n: int) -> None:  # the import's progress: wait inside its transaction
        inside.set()
        release.wait(10)

    def first() -> None:
        with open_store(any_store_url, user="first") as s:
            s.import_cases(cases, progress=hold)

    def second() -> BaseException | None:
        with open_store(any_store_url, user="second") as s:
            try:
                s.import_cases([case_from_data(make_case_data("TSW-000777"))])
            except ValidationFailed as exc:
                return exc
        return None

    with ThreadPoolExecutor(2) as pool:
        f1 = pool.submit(first)
        assert inside.wait(10)
        f2 = pool.submit(second)
        threading.Event().wait(0.5)  # let the second reach its insert (or its BEGIN)
        release.set()
        f1.result(10)
        refused = f2.result(30)
    # SQLite: the second waited at BEGIN and then found the case; PostgreSQL: its insert
    # waited on the unique key and was refused when the first committed.
    meanwhile = " (imported by someone else meanwhile)" if backend == "postgresql" else ""
    assert str(refused) == (
        f"1 case(s) already exist; nothing was written:\n"
        f"TSW-000777: case_id: already in the store{meanwhile}; nothing was imported"
    )
    assert [(u, a) for u, _c, a, _v, _n in _audit_rows(any_store_url)][1:] == [("first", "import")]


def test_cli_commands_work_on_the_url(any_store_url, tmp_path):
    runner = CliRunner()
    r = runner.invoke(
        cli, ["demo", "--store", any_store_url, "--cases", "12", "--as-of", "2026-11-20"]
    )
    assert r.exit_code == 0, r.output
    for args in (
        ["caseload", "--as-of", "2026-11-20"],
        ["show", "TSW-900001"],
        ["audit", "TSW-900001"],
        ["eligibility", "TSW-900001"],
        ["export", "TSW-900002"],
    ):
        r = runner.invoke(cli, [*args, "--store", any_store_url, "--user", "t.harper"])
        assert r.exit_code == 0, (args, r.output)
    r = runner.invoke(cli, ["show", "TSW-999999", "--store", any_store_url, "--user", "t.harper"])
    assert (r.exit_code, r.output) == (2, "error: TSW-999999: no such case in the store\n")


def test_a_store_that_is_not_there(backend, tmp_path, pg_admin_url_or_none):
    if backend == "sqlite":
        where = str(tmp_path / "missing.sqlite")
        expected = rf"^{where}: no store here; create one with `tswt init --store {where}`"
    else:
        where = pg_admin_url_or_none.replace("/tswt_missing_db", "/tswt_no_such_database")
        expected = r"^postgresql\+psycopg://.*/tswt_no_such_database.*: cannot open the store \(.*database \"tswt_no_such_database\" does not exist"
    with pytest.raises(StoreError, match=expected):
        open_store(where)


@pytest.fixture
def pg_admin_url_or_none(backend, request) -> str | None:
    if backend != "postgresql":
        return None
    from ..conftest import pg_database_url

    return pg_database_url(request.getfixturevalue("pg_admin"), "tswt_missing_db")


def test_password_is_not_shown(pg_admin):
    url = sa.make_url(str(pg_admin.url)).set(
        username="someone", password="s3cret-synthetic", database="nowhere"
    )
    with pytest.raises(StoreError) as info:
        open_store(url.render_as_string(hide_password=False))
    assert "s3cret-synthetic" not in str(info.value) and "***" in str(info.value)


def test_a_plain_postgresql_url_means_psycopg_3(pg_url):
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with open_store(plain, create=True) as s:
        assert s.engine.url.drivername == "postgresql+psycopg"
        assert s.location == plain  # as given (no password here to mask)
