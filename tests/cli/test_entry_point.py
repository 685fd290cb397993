"""The tswt command line through its real entry point: exact output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data

from ..conftest import AS_OF


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_help_lists_every_command():
    r = run("--help")
    assert r.exit_code == 0
    for command in (
        "init",
        "import",
        "update",
        "export",
        "validate",
        "show",
        "eligibility",
        "caseload",
        "audit",
        "demo",
        "schema",
        "recommend",
        "formulation",
        "decide",
        "submit",
        "signoff",
        "outcome",
        "rules",
        "score",
        "outcomes",
        "measures",
        "reports",
        "migrate-store",
    ):
        assert f"  {command} " in r.output


def test_demo_then_caseload(tmp_path):
    store = str(tmp_path / "demo.sqlite")
    r = run("demo", "--store", store, "--cases", "40", "--seed", "3", "--as-of", AS_OF.isoformat())
    assert r.exit_code == 0
    assert r.output == f"Added 40 synthetic cases (seed 3, as of {AS_OF.isoformat()}) to {store}.\n"
    r = run("caseload", "--store", store, "--as-of", AS_OF.isoformat(), "--user", "t.harper")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == [
        "case",
        "age",
        "legal",
        "status",
        "state",
        "worker",
        "screening",
        "due",
    ]
    assert len([line for line in lines if line.startswith("TSW-9")]) == 40
    assert lines[-2].startswith(f"40 cases as of {AS_OF.isoformat()}: ")
    assert lines[-1].startswith(
        "The work: "
    )  # reviews due, first steps, sessions, closing measures
    r = run(
        "caseload", "--store", store, "--as-of", AS_OF.isoformat(), "--json", "--user", "t.harper"
    )
    data = json.loads(r.output)
    assert data["as_of"] == AS_OF.isoformat() and len(data["cases"]) == 40
    overdue = run(
        "caseload",
        "--store",
        store,
        "--as-of",
        AS_OF.isoformat(),
        "--overdue",
        "--json",
        "--user",
        "t.harper",
    )
    assert all(c["overdue"] and c["days_to_due"] < 0 for c in json.loads(overdue.output)["cases"])


def test_worker_filter(tmp_path, demo_cases):
    from tswt_formulation import open_store

    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases(demo_cases)
    r = run(
        "caseload", "--store", store, "--as-of", AS_OF.isoformat(), "--worker", "e.patel", "--json"
    )
    cases = json.loads(r.output)["cases"]
    expected = sorted(c.case_id for c in demo_cases if c.worker == "e.patel")
    assert [c["case_id"] for c in cases] == expected and expected


def test_show_eligibility_audit(tmp_path, make_case_data):
    from tswt_formulation import open_store

    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True, user="importer") as s:
        s.import_cases([case_from_data(make_case_data())])
    r = run("show", "TSW-000123", "--store", store, "--as-of", "2026-06-01")
    assert r.exit_code == 0
    assert (
        "State as of 2026-06-01: In screening - screening due in 30 days (2026-07-01)" in r.output
    )
    assert "behaviour: Self-harm (moderate, at least weekly; reported by carer, school)" in r.output
    r = run("eligibility", "TSW-000123", "--store", store, "--json")
    assert json.loads(r.output)["outcome"] == "eligible"
    r = run("audit", "TSW-000123", "--store", store)
    assert r.output.splitlines()[2].split()[3:] == [
        "importer",
        "TSW-000123",
        "import",
        "1",
        "whole",
        "case",
        "added",
    ]


def test_validate(tmp_path, make_case_data):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(make_case_data()))
    # The full case carries an outcome of screening: validate says what import would (issue 19).
    r = run("validate", str(path))
    assert r.exit_code == 2 and r.output.splitlines()[1].startswith(
        f"error: {path}: TSW-000123: outcome: "
    )
    r = run("validate", "--restore", str(path))
    assert (r.exit_code, r.output) == (0, "OK: 1 case(s) valid in 1 file(s).\n")


def test_schema_is_valid_json_schema_and_accepts_the_full_case(make_case_data):
    import jsonschema

    r = run("schema")
    schema = json.loads(r.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(make_case_data(), schema)
    bad = make_case_data()
    bad["child"]["legal_status"]["status"] = "adopted"
    import pytest

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    jsonschema.validate([make_case_data()], schema)
    jsonschema.validate(
        {
            "format": "tswt-cases/1",
            "package_version": "0.1.0",
            "versions": {"TSW-000123": 3},
            "cases": [make_case_data()],
        },
        schema,
    )  # the shape `tswt export` writes
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"cases": [bad]}, schema)


def test_published_schema_file_is_current():
    from pathlib import Path

    published = Path(__file__).resolve().parents[2] / "docs" / "case.schema.json"
    assert json.loads(published.read_text()) == json.loads(run("schema").output), (
        "run: tswt schema -o docs/case.schema.json"
    )


def test_bad_usage_exit_code():
    r = run("caseload", "--as-of", "24/11/2026")
    assert r.exit_code == 2 and "Invalid value for '--as-of'" in r.stderr


def test_console_script_runs():
    r = subprocess.run(
        [sys.executable, "-m", "tswt_formulation", "--version"], capture_output=True, text=True
    )
    assert r.returncode == 0 and r.stdout.startswith("tswt, version ")


def test_update_from_an_edited_export(tmp_path, make_case_data):
    from tswt_formulation import open_store
    from tswt_formulation._yaml import dump, safe_load

    from ..conftest import file_digest

    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases([case_from_data(make_case_data())])
    exported = tmp_path / "case.yaml"
    assert run("export", "TSW-000123", "--store", store, "-o", str(exported)).exit_code == 0
    doc = safe_load(exported.read_text())
    assert doc["versions"] == {"TSW-000123": 1}
    doc["cases"][0]["screening"]["child_voice"] = "Edited in the file."
    exported.write_text(dump(doc))
    r = run("update", str(exported), "--store", store, "--user", "c.mensah")
    assert (r.exit_code, r.output) == (0, f"Updated 1 of 1 case(s) in {store} (0 unchanged).\n")
    with open_store(store) as s:
        assert s.get("TSW-000123").screening.child_voice == "Edited in the file."
        assert s.audit_log("TSW-000123")[-1].changes == [
            {
                "op": "set",
                "path": "screening.child_voice",
                "before": "I want to stay here. I miss my brother.",
                "after": "Edited in the file.",
            }
        ]
    before = file_digest(tmp_path / "s.sqlite")
    again = run("update", str(exported), "--store", store)  # the same file again: now stale
    assert again.exit_code == 2 and "not saved - the case was changed by c.mensah" in again.stderr
    assert file_digest(tmp_path / "s.sqlite") == before
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(make_case_data()))
    r = run("update", str(bare), "--store", store)
    assert r.exit_code == 2 and "does not say which store version it was exported from" in r.stderr
    assert run("update", str(bare), "--store", store, "--force").exit_code == 0
    with open_store(store) as s:
        assert s.audit_log("TSW-000123")[-1].note == "updated from a file (forced)"


def test_demo_adds_to_a_store_that_has_demo_cases(tmp_path):
    store = str(tmp_path / "d.sqlite")
    assert (
        run("demo", "--store", store, "--cases", "5", "--as-of", AS_OF.isoformat()).exit_code == 0
    )
    r = run("demo", "--store", store, "--cases", "3", "--seed", "2", "--as-of", AS_OF.isoformat())
    assert r.exit_code == 0 and "(TSW-900006 to TSW-900008)" in r.output
    from tswt_formulation import open_store

    with open_store(store) as s:
        assert len(s) == 8


def test_unknown_worker_is_named(tmp_path):
    store = str(tmp_path / "d.sqlite")
    run("demo", "--store", store, "--cases", "20", "--as-of", AS_OF.isoformat())
    for args in (
        ["caseload"],
        ["reports", "--kind", "formulation"],
        ["reports", "--kind", "review"],
    ):
        r = run(*args, "--worker", "nobody", "--store", store)
        assert (
            r.exit_code == 2
            and "no case in this store is allocated to 'nobody'; workers: " in r.stderr
        )


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    """`tswt caseload | head`: when the reader closes the pipe, no 'Broken pipe' error line."""
    import fcntl
    import os
    import subprocess
    import sys

    store = tmp_path / "demo.sqlite"
    tswt = [sys.executable, "-c", "from tswt_formulation.cli import main; main()"]
    subprocess.run(
        [*tswt, "demo", "--store", str(store), "--cases", "40", "--seed", "1"],
        check=True,
        capture_output=True,
    )
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: a small pipe, so the listing fills it
    proc = subprocess.Popen(
        [*tswt, "caseload", "--store", str(store), "--user", "t.harper"],
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(100)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"Broken pipe" not in err and err == b""
