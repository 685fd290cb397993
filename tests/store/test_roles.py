"""Least access on PostgreSQL, set up exactly as docs/team-server.md says.

The SQL is read from the document itself (its three ``sql`` blocks, role and database
names given a suffix so tests do not collide), so the instructions cannot drift from
what is tested: a reviewer reads everything and changes nothing, with a one-line
StoreError rather than a traceback; a worker adds and changes cases but cannot delete or
rewrite the audit log nor change the schema; only the owner migrates.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.errors import StoreError
from tswt_formulation.model import case_to_data
from tswt_formulation.store import schema

from ..conftest import AS_OF, drop_team_database, pg_database_url

DOC = Path(__file__).resolve().parents[2] / "docs" / "team-server.md"
NAMES = (
    "tswt_owner",
    "tswt_worker",
    "tswt_reviewer",
    "c_mensah",
    "r_ahmed",
    "tswt_app",
    "tswt_analyst",
    "tswt",
)
PASSWORDS = {
    "tswt_owner": "change-me-owner",
    "c_mensah": "change-me-worker",
    "r_ahmed": "change-me-reviewer",
}


def _doc_sql() -> dict[str, list[str]]:
    """The document's SQL blocks by their first comment line, as lists of statements."""
    blocks: dict[str, list[str]] = {}
    for block in re.findall(r"```sql\n(.*?)```", DOC.read_text(), flags=re.DOTALL):
        lines = block.strip().splitlines()
        body = "\n".join(line for line in lines if not line.startswith("--"))
        blocks[lines[0].lstrip("- ").strip()] = [s.strip() for s in body.split(";") if s.strip()]
    return blocks


def _engine(url: str, **kwargs: Any) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool, **kwargs)


@pytest.fixture
def team(pg_admin):
    """A database and roles as the document sets them up; the store created by
    ``tswt init`` as the owner; 12 synthetic cases added by a worker."""
    suffix = uuid.uuid4().hex[:8]
    name = {n: f"{n}_{suffix}" for n in NAMES}

    def rename(sql):
        return re.sub(r"\b(" + "|".join(NAMES) + r")\b", lambda m: name[m.group(1)], sql)

    blocks = _doc_sql()
    assert list(blocks) == [
        "as a superuser, in any database",
        "as a superuser, in the database tswt",
        "as tswt_owner, in the database tswt, after tswt init",
    ]
    first, second, third = blocks.values()
    db = name["tswt"]
    url = {n: pg_database_url(pg_admin, db, user=name[n], password=PASSWORDS[n]) for n in PASSWORDS}
    try:
        with pg_admin.connect() as conn:
            for statement in first:
                conn.exec_driver_sql(rename(statement))
        admin_db = _engine(pg_database_url(pg_admin, db), isolation_level="AUTOCOMMIT")
        with admin_db.connect() as conn:
            for statement in second:
                conn.exec_driver_sql(rename(statement))
        admin_db.dispose()
        runner = CliRunner()
        # a training store: the demo's synthetic people, named with --user (docs/permissions.md)
        r = runner.invoke(cli, ["init", "--training", "--store", url["tswt_owner"]])
        assert r.exit_code == 0, r.output
        owner = _engine(url["tswt_owner"])
        with owner.begin() as conn:
            for statement in third:
                conn.exec_driver_sql(rename(statement))
        owner.dispose()
        r = runner.invoke(
            cli,
            [
                "demo",
                "--store",
                url["c_mensah"],
                "--user",
                "c.mensah",
                "--cases",
                "12",
                "--as-of",
                AS_OF.isoformat(),
            ],
        )
        assert r.exit_code == 0, r.output
        yield {
            "owner": url["tswt_owner"],
            "worker": url["c_mensah"],
            "reviewer": url["r_ahmed"],
            "name": name,
        }
    finally:
        drop_team_database(pg_admin, db, name)


def test_reviewer_reads_everything_and_changes_nothing(team, tmp_path):
    runner = CliRunner()
    for args in (
        ["caseload", "--as-of", AS_OF.isoformat()],
        [
            "caseload",
            "--worker",
            "d.hughes",
            "--overdue",
        ],  # a worker with cases in the 12-case demo
        ["show", "TSW-900001"],
        ["export"],
        ["audit"],
    ):
        r = runner.invoke(cli, [*args, "--store", team["reviewer"]])
        assert r.exit_code == 0, (args, r.output)
    reviewer = team["name"]["r_ahmed"]
    with open_store(team["reviewer"], user="r.ahmed") as s:
        assert len(s.caseload(AS_OF)) == 12
        case = s.get("TSW-900001")
        case.referral.reasons = "A reviewer's edit."
        with pytest.raises(
            StoreError,
            match=(
                rf"^postgresql\+psycopg://{reviewer}:\*\*\*@/{team['name']['tswt']}\?host=\S+: TSW-900001 not saved - the database "
                rf"role {reviewer} may read this store but not change it \(permission denied for table cases\)\. "
                r"Changes need the team's read-write role \(see docs/team-server\.md\)\.$"
            ),
        ):
            s.save(case)
        export = s.export()
    path = tmp_path / "cases.json"
    # a new referral has no workflow state, nor work after screening
    new_case = {
        k: v
        for k, v in export[0].items()
        if k
        not in ("formulation", "conclusion", "interventions", "reviews", "first_steps", "ending")
    }
    path.write_text(json.dumps([dict(new_case, case_id="TSW-000001")]))
    r = runner.invoke(cli, ["import", "--store", team["reviewer"], str(path)])
    assert r.exit_code == 2
    assert r.output.startswith("error: postgresql+psycopg://") and "Traceback" not in r.output
    assert r.output.rstrip().endswith(
        f"nothing imported - the database role {reviewer} may read this store but not change it "
        "(permission denied for table cases). Changes need the team's read-write role "
        "(see docs/team-server.md)."
    )
    with open_store(team["worker"]) as s:
        assert len(s) == 12 and "TSW-000001" not in s
        assert [e.user for e in s.audit_log()][-12:] == ["c.mensah"] * 12


def test_worker_changes_cases_but_not_the_history_or_the_schema(team):
    with open_store(team["worker"], user="c.mensah") as s:
        case = s.get("TSW-900002")
        case.referral.reasons = "Updated after the network meeting."
        saved = s.save(case, note="network meeting")
        assert saved._version == 2
        last = s.audit_log("TSW-900002")[-1]
        assert (last.user, last.action, last.note) == ("c.mensah", "update", "network meeting")
        entries = len(s.audit_log())
    worker = _engine(team["worker"])
    try:
        for statement in (
            "DELETE FROM audit",
            "UPDATE audit SET note = ''",
            "DELETE FROM cases",
            "DROP TABLE cases",
            "ALTER TABLE audit DROP COLUMN note",
            "CREATE TABLE scratch (x int)",
        ):
            with (
                pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"),
                worker.begin() as conn,
            ):
                conn.exec_driver_sql(statement)
    finally:
        worker.dispose()
    with open_store(team["owner"]) as s:
        assert len(s.audit_log()) == entries
        assert s.integrity_check() == []


def test_only_the_owner_migrates(team):
    owner = _engine(team["owner"])
    with owner.begin() as conn:
        conn.execute(
            schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="1")
        )
        conn.execute(schema.migrations_table.delete().where(schema.migrations_table.c.number > 1))
        conn.exec_driver_sql("DROP INDEX ix_cases_worker")
    owner.dispose()
    worker = team["name"]["c_mensah"]
    with pytest.raises(
        StoreError,
        match=(
            rf": cannot bring the store up to schema {schema.SCHEMA_VERSION} \(it has 1\): the database role {worker} may not change "
            r"its schema \(.*\)\. The store's owner must run `tswt init --store postgresql\+psycopg://.*`\.$"
        ),
    ):
        open_store(team["worker"])
    r = CliRunner().invoke(cli, ["init", "--store", team["owner"], "--user", "it.admin"])
    assert r.exit_code == 0, r.output
    with open_store(team["worker"]) as s:
        assert s.schema_version() == schema.SCHEMA_VERSION
        assert (s.audit_log()[-1].action, s.audit_log()[-1].user) == ("migrate", "it.admin")
        assert case_to_data(s.get("TSW-900001"))["case_id"] == "TSW-900001"


def test_only_the_owner_role_restores_cases_with_their_workflow_state(team, tmp_path):
    """A case with a formulation and sign-offs comes back from a backup only by the owner's
    audited `tswt import --restore` (a worker could otherwise import a forged sign-off)."""
    runner = CliRunner()
    with open_store(team["worker"]) as s:
        signed = next(
            r for r in s.export() if r.get("formulation", {}).get("status") == "signed_off"
        )
    path = tmp_path / "backup.json"
    path.write_text(json.dumps([dict(signed, case_id="TSW-000002")]))
    r = runner.invoke(
        cli, ["import", "--restore", "backup of 1 Nov", "--store", team["worker"], str(path)]
    )
    assert r.exit_code == 2 and r.stderr.startswith("error: postgresql+psycopg://")
    assert r.stderr.rstrip().endswith(
        f"only the store's owner role may restore cases with their workflow state "
        f"(the database role {team['name']['c_mensah']} may not; see docs/team-server.md)"
    )
    r = runner.invoke(
        cli,
        [
            "import",
            "--restore",
            "backup of 1 Nov",
            "--store",
            team["owner"],
            "--user",
            "it.admin",
            str(path),
        ],
    )
    assert r.exit_code == 0, r.stderr
    with open_store(team["worker"]) as s:
        entry = s.audit_log("TSW-000002")[-1]
        assert (entry.user, entry.action, entry.note) == (
            "it.admin",
            "restore",
            "restore: backup of 1 Nov",
        )
