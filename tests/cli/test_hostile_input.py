"""Inputs a probe found getting past the checks (issue 14). Each is fed through the command
line and must give exit 2 (nothing written: the store's bytes unchanged) with one short
line naming the file, case and field, and no traceback; or the stated behaviour."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation._yaml import dump, safe_load
from tswt_formulation.cli import cli
from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case_from_data

from .refusals import refused, run

CASE = "TSW-000100"


@pytest.fixture
def signed(tmp_path: Path, make_case_data) -> Path:
    """A store whose case has a formulation drafted by c.mensah and signed off by dr.ahmed."""
    path = tmp_path / "s.sqlite"
    data = make_case_data(CASE)
    data.pop("outcome")
    with open_store(str(path), create=True) as s:
        s.import_cases([case_from_data(data)])
    store = str(path)
    for args, user in (
        (("formulation", CASE, "--draft"), "c.mensah"),
        (("decide", CASE, "--accept"), "c.mensah"),
        (("submit", CASE), "c.mensah"),
        (("signoff", CASE, "--approve"), "dr.ahmed"),
    ):
        r = run(*args, "--store", store, user=user)
        assert r.exit_code == 0, r.stderr
    return path


def exported(store: Path, tmp_path: Path, name: str = "case.yaml") -> tuple[Path, dict[str, Any]]:
    out = tmp_path / name
    assert run("export", CASE, "--store", str(store), "-o", str(out)).exit_code == 0
    return out, safe_load(out.read_text())


def write(path: Path, doc: Any) -> Path:
    path.write_text(dump(doc) if path.suffix == ".yaml" else json.dumps(doc))
    return path


# --- the clinical workflow cannot be bypassed with a file -------------------------------------


def test_forged_signoff_through_update_is_refused(signed, tmp_path):
    run(
        "formulation",
        CASE,
        "--narrative-file",
        str(write(tmp_path / "n.txt", "x")),
        "--store",
        str(signed),
    )
    path, doc = exported(signed, tmp_path)  # a draft again (revision 2)
    form = doc["cases"][0]["formulation"]
    form["status"] = "signed_off"
    form["signoffs"].append(
        {
            "reviewer": "c.mensah",
            "at": "2026-11-01T10:00:00Z",
            "outcome": "approved",
            "formulation_revision": 2,
        }
    )
    write(path, doc)
    refused(
        signed,
        "update",
        "--store",
        str(signed),
        str(path),
        lines=[
            r"error: 2 problem\(s\); nothing was written:",
            rf"error: {re.escape(str(path))}: {CASE}: formulation\.status: cannot be changed from a file \(use `tswt submit` and `tswt signoff`\)",
            rf"error: {re.escape(str(path))}: {CASE}: formulation\.signoffs: cannot be changed from a file \(a reviewer signs off with `tswt signoff`\)",
        ],
    )


def test_override_and_outcome_through_update_are_refused(signed, tmp_path):
    path, doc = exported(signed, tmp_path, "case.json")
    case = doc["cases"][0]
    case["formulation"]["decision"].update(
        accepted=False, overrides=[{"part": "wave", "value": 9, "reason": " "}]
    )
    case["outcome"] = {"decision": "begin_work", "date": "2026-07-01", "by": "c.mensah"}
    write(path, doc)
    refused(
        signed,
        "update",
        "--force",
        "--store",
        str(signed),
        str(path),
        lines=[
            r"error: 2 problem\(s\); nothing was written:",
            rf"error: .*case\.json: {CASE}: outcome: cannot be changed from a file \(record it with `tswt outcome`\)",
            rf"error: .*case\.json: {CASE}: formulation\.decision: cannot be changed from a file \(use `tswt decide`; an override needs a reason\)",
        ],
    )


def test_editing_a_signed_off_narrative_through_update_needs_signing_again(signed, tmp_path):
    path, doc = exported(signed, tmp_path)
    doc["cases"][0]["formulation"]["narrative"] = "Rewritten after the approval."
    write(path, doc)
    r = run("update", "--store", str(signed), str(path))
    assert r.exit_code == 0, r.stderr
    assert (
        r.stderr
        == f"{CASE}: the formulation's content changed, so it is back to draft and needs signing off again (tswt submit {CASE}).\n"
    )
    with open_store(str(signed)) as s:
        form = s.get(CASE).formulation
        assert (form.status, form.revision, form.narrative) == (
            "draft",
            2,
            "Rewritten after the approval.",
        )
        assert (
            s.signed_off_formulation(CASE).narrative == ""
        )  # the approved revision is still what reports show


def test_import_of_a_case_with_workflow_state_needs_the_owners_restore(
    signed, tmp_path, monkeypatch
):
    _path, doc = exported(signed, tmp_path, "case.json")
    new = write(tmp_path / "new.json", dict(doc["cases"][0], case_id="TSW-000101"))
    refused(
        signed,
        "import",
        "--store",
        str(signed),
        str(new),
        lines=[
            r"error: 1 problem\(s\); nothing was written:",
            rf"error: {re.escape(str(new))}: TSW-000101: formulation: a new case cannot carry it \(draft it with `tswt formulation "
            r"CASE --draft`\); the store's owner restores a backup with `tswt import --restore REASON`",
        ],
    )
    refused(
        signed,
        "import",
        "--restore",
        " ",
        "--store",
        str(signed),
        str(new),
        lines=[
            r"Usage: \S+ import .*",
            r"Try '\S+ import --help' for help\.",
            "",
            r"Error: Invalid value for --restore: give the reason for the restore \(it is kept in the audit log\)",
        ],
    )
    monkeypatch.setattr("os.getuid", lambda: 4242)  # someone who does not own the store file
    refused(
        signed,
        "import",
        "--restore",
        "backup of 1 Nov",
        "--store",
        str(signed),
        str(new),
        lines=[
            rf"error: {re.escape(str(signed))}: only the owner of the store file may restore cases with their workflow state"
        ],
    )
    monkeypatch.undo()
    r = run("import", "--restore", "backup of 1 Nov", "--store", str(signed), str(new))
    assert r.exit_code == 0 and r.output == f"Restored 1 case(s) into {signed}.\n"
    with open_store(str(signed)) as s:
        entry = s.audit_log("TSW-000101")[-1]
        assert (entry.user, entry.action, entry.note) == (
            "c.mensah",
            "restore",
            "restore: backup of 1 Nov",
        )
        assert s.get("TSW-000101").formulation.status == "signed_off"


def test_author_check_ignores_case_and_spaces(signed, tmp_path):
    run(
        "formulation",
        CASE,
        "--narrative-file",
        str(write(tmp_path / "n.txt", "x")),
        "--store",
        str(signed),
    )
    run("submit", CASE, "--store", str(signed))
    refused(
        signed,
        "signoff",
        CASE,
        "--approve",
        "--store",
        str(signed),
        user=" C.Mensah ",
        lines=[
            rf"error: {CASE}: c\.mensah wrote, decided on or submitted this formulation and cannot sign it off; another clinician must review it"
        ],
    )


def test_approve_with_return_is_a_usage_error(signed):
    refused(
        signed,
        "signoff",
        CASE,
        "--approve",
        "--return",
        "--comment",
        "x",
        "--store",
        str(signed),
        user="dr.ahmed",
        lines=[
            r"Usage: \S+ signoff .*",
            r"Try '\S+ signoff --help' for help\.",
            "",
            "Error: give --approve or --return, not both",
        ],
    )


def test_an_outcome_is_replaced_only_with_a_reason(signed):
    store = str(signed)
    assert (
        run(
            "outcome",
            CASE,
            "--close",
            "--reason",
            "Needs met by the carer",
            "--as-of",
            "2026-07-01",
            "--store",
            store,
        ).exit_code
        == 0
    )
    refused(
        signed,
        "outcome",
        CASE,
        "--begin-work",
        "--store",
        store,
        lines=[
            rf"error: {CASE}: the outcome of screening is already recorded \(close on 2026-07-01 by c\.mensah\); "
            r"to change it, give --replace with --reason saying why"
        ],
    )
    refused(
        signed,
        "outcome",
        CASE,
        "--begin-work",
        "--replace",
        "--store",
        store,
        lines=[
            r"Usage: \S+ outcome .*",
            r"Try '\S+ outcome --help' for help\.",
            "",
            "Error: --replace needs --reason saying why the outcome changes",
        ],
    )
    r = run(
        "outcome",
        CASE,
        "--begin-work",
        "--replace",
        "--reason",
        "Placement stabilised; panel agreed",
        "--store",
        store,
    )
    assert r.exit_code == 0, r.stderr
    with open_store(store) as s:
        assert s.get(CASE).outcome.decision == "begin_work"
        assert s.audit_log(CASE)[-1].note == (
            "outcome of screening: begin work (replaces close of 2026-07-01: "
            "Placement stabilised; panel agreed)"
        )


# --- files cannot exhaust the machine ----------------------------------------------------------

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    "name,text,line",
    [
        (
            "laughs.yaml",
            LAUGHS,
            r"line 1, column 4: not valid YAML: the value anchored here \(&name\) is reused through an alias "
            r"\(\*name\); aliases are not allowed, write each value out",
        ),
        (
            "deep.json",
            "[" * 100_000 + "]" * 100_000,
            "not accepted: nested more than 64 levels deep",
        ),
        (
            "deep.yaml",
            "a: " + "[" * 5_000 + "]" * 5_000,
            "not accepted: nested more than 64 levels deep",
        ),
        ("deep70.json", "[" * 70 + "]" * 70, "not accepted: nested more than 64 levels deep"),
        (
            "dup.json",
            '{"case_id": "TSW-000500", "case_id": "TSW-000501"}',
            "not accepted: the key 'case_id' appears twice in one object; keep one",
        ),
        (
            "dup.yaml",
            "case_id: TSW-000500\nchild: {}\ncase_id: TSW-000501\n",
            r"line 3, column 1: not valid YAML: the key 'case_id' appears twice in one mapping; keep one",
        ),
    ],
    ids=[
        "billion laughs",
        "deep json",
        "deep yaml",
        "70 levels",
        "duplicate key json",
        "duplicate key yaml",
    ],
)
def test_hostile_files_are_one_line(signed, tmp_path, name, text, line):
    path = tmp_path / name
    path.write_text(text)
    refused(
        signed,
        "import",
        "--store",
        str(signed),
        str(path),
        lines=[
            r"error: 1 problem\(s\); nothing was written:",
            f"error: {re.escape(str(path))}: {line}",
        ],
    )


def test_file_over_the_size_limit(signed, tmp_path, monkeypatch):
    monkeypatch.setattr("tswt_formulation.model.parse.MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"x": "y" * 3 * 1024 * 1024}))
    refused(
        signed,
        "import",
        "--store",
        str(signed),
        str(path),
        lines=[
            r"error: 1 problem\(s\); nothing was written:",
            rf"error: {re.escape(str(path))}: the file is 3 MB; the limit is 1 MB \(split it into several files\)",
        ],
    )


def test_messages_quote_at_most_80_characters(signed, tmp_path, make_case_data):
    data = make_case_data("TSW-000500")
    data.pop("outcome")
    data["referral"].update(reasons="x" * 1_000_000, received="2026-02-30")
    data["child"]["sex"] = "y" * 500
    path = write(tmp_path / "big.json", data)
    r = refused(
        signed,
        "import",
        "--store",
        str(signed),
        str(path),
        lines=[
            r"error: 3 problem\(s\); nothing was written:",
            r"error: .*: TSW-000500: child\.sex: unknown sex 'y{78}… \(502 characters\); expected one of: female, male, other, not_known",
            r"error: .*: TSW-000500: referral\.received: Input should be a valid date .* \(got '2026-02-30'\)",
            r"error: .*: TSW-000500: referral\.reasons: String should have at most 20000 characters \(got 'x{78}… \(1000002 characters\)\)",
        ],
    )
    assert len(r.stderr) < 1200


# --- what one back end stores, the other stores ---------------------------------------------------


@pytest.mark.parametrize(
    "edit,line",
    [
        (
            lambda d: d["referral"].update(reasons="before\x00after"),
            r"TSW-000500: referral\.reasons: contains a NUL character \(\\x00\); remove it",
        ),
        (
            lambda d: d["referral"]["allocation"].update(worker="w" * 81),
            r"TSW-000500: referral\.allocation\.worker: String should have at most 80 characters \(got 'w{78}… \(83 characters\)\)",
        ),
        (
            lambda d: d.update(case_id="TSW-\uff1900001"),
            r"TSW-\uff1900001: case_id: String should match pattern '\^TSW-\[0-9\]\{6\}\$' \(got 'TSW-\uff1900001'\)",
        ),
        (
            lambda d: d.update(case_id="TSW-\u0669\u0660\u0660\u0660\u0660\u0661"),
            r"TSW-\u0669\u0660{4}\u0661: case_id: String should match pattern .*",
        ),
    ],
    ids=["NUL", "worker too long", "full-width digit", "Arabic-Indic digits"],
)
def test_values_postgresql_cannot_hold_are_refused_everywhere(
    signed, tmp_path, make_case_data, edit, line
):
    data = make_case_data("TSW-000500")
    data.pop("outcome")
    edit(data)
    path = write(tmp_path / "c.json", data)
    refused(
        signed,
        "import",
        "--store",
        str(signed),
        str(path),
        lines=[
            r"error: 1 problem\(s\); nothing was written:",
            f"error: {re.escape(str(path))}: {line}",
        ],
    )


@pytest.mark.parametrize(
    "user,shown",
    [
        ("evil\n2026-01-01 00:00:00  admin", r"'evil\\n2026-01-01 00:00:00  admin'"),
        ("bell\x07", r"'bell\\x07'"),
        ("u" * 121, r"'u{78}… \(123 characters\)"),
        ("zoë", "'zoë'"),
    ],
    ids=["newline", "control", "too long", "not ASCII"],
)
def test_unusable_user_names_are_refused(signed, user, shown):
    refused(
        signed,
        "submit",
        CASE,
        "--store",
        str(signed),
        user=user,
        lines=[
            rf"error: --user: {shown} is not a usable user name: printable ASCII \(letters, digits, \. _ - @\), at most 120 "
            r"characters, no control characters"
        ],
    )


def test_vocabulary_ids_are_short_ascii(tmp_path, monkeypatch):
    from tswt_formulation.errors import ValidationFailed
    from tswt_formulation.model.vocabulary import load_vocabulary

    for term in ("caf\u00e9_work", "x" * 41):
        ext = tmp_path / "v.yaml"
        ext.write_text(f"vocabularies:\n  service:\n    terms:\n      {term}: Label\n")
        with pytest.raises(
            ValidationFailed,
            match=r"is not a lower-case ASCII id \(a-z, 0-9, _; at most 40 characters",
        ):
            load_vocabulary(ext)


def test_migrate_store_names_the_row_a_server_cannot_hold_and_prints_no_sql(signed, tmp_path):
    import sqlite3

    with sqlite3.connect(signed) as db:  # as an older version of the package could have left it
        db.execute("UPDATE cases SET worker = ? WHERE case_id = ?", ("w" * 90, CASE))
    target = tmp_path / "t.sqlite"
    r = CliRunner().invoke(cli, ["migrate-store", str(signed), str(target)])
    assert r.exit_code == 2
    assert r.stderr == (
        f"error: {signed}: case {CASE}: worker holds 90 characters; the column holds 80; "
        "correct it in the source store first (nothing was copied)\n"
    )


def test_a_database_error_prints_no_statement_or_parameters(signed, monkeypatch):
    import sqlalchemy as sa

    def boom(*_a: Any, **_k: Any) -> None:
        raise sa.exc.DataError(
            "INSERT INTO cases (record) VALUES (?)",
            ('{"date_of_birth": "2015-01-01"}',),
            Exception("value too long"),
        )

    monkeypatch.setattr("tswt_formulation.store.store.CaseStore.save_many", boom)
    refused(
        signed,
        "outcome",
        CASE,
        "--begin-work",
        "--store",
        str(signed),
        lines=[
            r"error: the database refused the operation: value too long \(nothing more was written; --debug shows the details\)"
        ],
    )


# --- no silent misconfiguration ----------------------------------------------------------------------


def test_team_measure_with_a_builtin_id_must_say_it_replaces_it(signed, tmp_path, monkeypatch):
    from tswt_formulation.measures import definition

    folder = tmp_path / "measures"
    folder.mkdir()
    gbo = Path(definition.__file__).parent / "definitions" / "gbo.yaml"
    (folder / "gbo.yaml").write_text(gbo.read_text())
    monkeypatch.setenv("TSWT_MEASURES_DIR", str(folder))
    refused(
        signed,
        "measures",
        "list",
        lines=[
            rf"error: {re.escape(str(folder.resolve()))}/gbo\.yaml: id: 'gbo' is a built-in measure; a team file replaces it only if it says "
            r"so \(add `replaces: gbo`\), else give it its own id"
        ],
    )
    monkeypatch.setenv("TSWT_MEASURES_DIR", str(tmp_path / "nowhere"))
    refused(
        signed,
        "measures",
        "list",
        lines=[
            rf"error: {re.escape(str(tmp_path))}/nowhere: TSWT_MEASURES_DIR: is not a folder of measure definitions"
        ],
    )
    (folder / "gbo.yaml").write_text("id: [unclosed\n")
    monkeypatch.setenv("TSWT_MEASURES_DIR", str(folder))
    refused(
        signed,
        "measures",
        "list",
        lines=[r"error: .*/gbo\.yaml: line 2, column 1: not valid YAML: .*"],
    )


def test_reports_refuse_bad_constants_before_any_kernel(signed, tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "constants:\n  - measure: sdqq\n    scores: [total]\n    r: 0.8\n    sd: 5\n    source: abc\n"
        "  - measure: sdq\n    scores: [totl]\n    informants: [granny]\n    points: 3\n    source: abc\n"
    )
    out = tmp_path / "reports"
    refused(
        signed,
        "reports",
        "--kind",
        "outcomes",
        CASE,
        "--constants",
        str(bad),
        "--store",
        str(signed),
        "--out",
        str(out),
        lines=[
            rf"error: {re.escape(str(bad))}: constants\[0\]\.measure: unknown measure 'sdqq'; known: gbo, sdq",
            rf"error: {re.escape(str(bad))}: constants\[1\]\.scores: 'totl' is not a score of sdq; its scores: emotional, .*",
            rf"error: {re.escape(str(bad))}: constants\[1\]\.informants: 'granny' does not complete sdq; its informants: parent, teacher, self",
        ],
    )
    assert not out.exists()


def test_usage_errors_and_missing_places(signed, tmp_path, make_case_data):
    store = str(signed)
    path, doc = exported(signed, tmp_path, "case.json")
    doc["versions"] = {CASE: True}
    write(path, doc)
    refused(
        signed,
        "update",
        "--store",
        store,
        str(path),
        lines=[
            r"error: 1 problem\(s\); nothing was written:",
            rf"error: {re.escape(str(path))}: versions\.{CASE}: the store version must be a whole number from 1 \(got True\)",
        ],
    )
    refused(
        signed,
        "audit",
        "--limit",
        "-1",
        "--store",
        store,
        lines=[
            r"Usage: \S+ audit .*",
            r"Try '\S+ audit --help' for help\.",
            "",
            r"Error: Invalid value for '--limit': -1 is not in the range x>=1\.",
        ],
    )
    refused(
        signed,
        "export",
        CASE,
        "-o",
        str(tmp_path / "no" / "such" / "case.json"),
        "--store",
        store,
        lines=[
            r"Usage: \S+ export .*",
            r"Try '\S+ export --help' for help\.",
            "",
            rf"Error: Invalid value for --output: {re.escape(str(tmp_path))}/no/such: no such folder \(create it first, or write somewhere that exists\)",
        ],
    )
    assert not (tmp_path / "no").exists()
    data = make_case_data("TSW-000500")
    data.pop("outcome")
    typo = tmp_path / "typo.sqlite"
    refused(
        signed,
        "import",
        "--store",
        str(typo),
        str(write(tmp_path / "new.json", data)),
        lines=[
            rf"error: {re.escape(str(typo))}: no store here; create one with `tswt init --store .*"
        ],
    )
    assert not typo.exists()


def test_future_timestamps_are_refused(signed, tmp_path):
    path, doc = exported(signed, tmp_path, "case.json")
    doc["cases"][0]["formulation"]["signoffs"][0]["at"] = "2099-01-01T00:00:00Z"
    write(path, doc)
    refused(
        signed,
        "validate",
        str(path),
        lines=[
            r"error: 1 problem\(s\); nothing was written:",
            rf"error: {re.escape(str(path))}: {CASE}: formulation\.signoffs\[0\]\.at: 2099-01-01T00:00:00\+00:00 is in the future \(now is .*Z\)",
        ],
    )


def test_both_back_ends_refuse_the_same_values(any_store_url, tmp_path, make_case_data):
    data = make_case_data("TSW-000500")
    data.pop("outcome")
    data["screening"]["strengths"] = ["Loves football\x00"]
    path = write(tmp_path / "c.json", data)
    assert run("init", "--store", any_store_url).exit_code == 0
    r = run("import", "--store", any_store_url, str(path))
    assert r.exit_code == 2 and r.stderr.splitlines()[1] == (
        f"error: {path}: TSW-000500: screening.strengths[0]: contains a NUL character (\\x00); remove it"
    )
    r = run("caseload", "--store", any_store_url, user="x" * 121)
    assert r.exit_code == 2 and "is not a usable user name" in r.stderr
    with open_store(any_store_url) as s:
        assert len(s) == 0 and [e.action for e in s.audit_log()] == ["migrate"]
        case = case_from_data(dict(data, screening=dict(data["screening"], strengths=["ok"])))
        case.screening.strengths = ["Loves football\x00"]  # built in Python, not read from a file
        with pytest.raises(
            ValidationFailed,
            match=r"^1 problem\(s\); nothing was written:\nTSW-000500: screening\.strengths\[0\]: contains a NUL",
        ):
            s.import_cases([case])
        assert len(s) == 0


# --- the documentation shows what the commands really print -----------------------------------------


def test_team_server_doc_shows_the_real_output_of_init(pg_url):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "team-server.md").read_text()
    shown = re.search(r"tswt init --store '(\S+)'\n# (.+)\n", doc)
    assert shown is not None, "docs/team-server.md no longer shows `tswt init` with its output"
    url, output = shown.groups()
    r = CliRunner().invoke(cli, ["init", "--store", pg_url])
    assert r.exit_code == 0 and r.output == output.replace(url, pg_url) + "\n"
    again = CliRunner().invoke(cli, ["init", "--store", pg_url])
    from tswt_formulation.store.schema import SCHEMA_VERSION

    assert (
        again.output
        == f"Opened case store {pg_url} (schema version {SCHEMA_VERSION}, 0 cases); it is up to date.\n"
    )


ROOT = Path(__file__).resolve().parents[2]


def _readme_block(heading: str) -> str:
    text = (ROOT / "README.md").read_text()
    block = re.search(rf"^## {re.escape(heading)}\n.*?^```bash\n(.*?)^```", text, re.S | re.M)
    assert block is not None, f"README.md: no bash block under '{heading}'"
    return block.group(1)


def test_readme_worker_tour_runs_from_any_folder_and_writes_only_to_scratch(tmp_path):
    """The tour, verbatim but for activating .venv (this interpreter's bin is on PATH):
    its first line in the clone, the rest in the scratch folder mktemp makes."""
    import os
    import subprocess
    import sys

    script = _readme_block("A 5-minute tour for a therapeutic social worker")
    assert script.startswith("REPO=$PWD; . .venv/bin/activate")
    script = script.replace(". .venv/bin/activate", "true", 1)
    written_by_the_tour = ("case.yaml", "reports", "tour.sqlite", "tswt.sqlite")
    assert not any((ROOT / name).exists() for name in written_by_the_tour)
    env = {
        **os.environ,
        "TMPDIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    r = subprocess.run(
        ["bash", "-euc", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stderr[-2000:]
    scratch = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert (
        len(scratch) == 1
        and (scratch[0] / "case.yaml").exists()
        and (scratch[0] / "reports" / "TSW-000123_formulation.html").exists()
    )
    assert not any(
        (ROOT / name).exists() for name in written_by_the_tour
    )  # nothing written into the clone


def test_readme_counts_what_make_demo_makes():
    """`make demo` (60 cases, seed 1) writes an outcomes report for each child with measures;
    the README says how many."""
    from tswt_formulation.demo import generate_caseload

    assert (
        "tswt demo --store $(DEMO)/demo.sqlite --cases 60 --seed 1"
        in (ROOT / "Makefile").read_text()
    )
    with_measures = sum(1 for c in generate_caseload(60, seed=1) if c.measures)
    assert (
        f"an outcomes report for every child with measures ({with_measures} of the 60)"
        in " ".join((ROOT / "README.md").read_text().split())
    )
    assert (
        "papermill notebooks/formulation_report.ipynb /tmp/out.ipynb -p case_id TSW-900001 -p store demo-output/demo.sqlite"
        in " ".join((ROOT / "README.md").read_text().split())
    )


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_alias_and_duplicate_key_checks_hold_on_python_and_c_loaders(loader):
    """refuse_aliases_and_duplicate_keys works on whichever safe loader parses (the C one
    is faster); an anchored scalar reused is refused too."""
    import yaml

    from tswt_formulation._yaml import refuse_aliases_and_duplicate_keys

    base = getattr(yaml, loader, None)
    if base is None:
        pytest.skip(f"PyYAML built without {loader}")
    strict = refuse_aliases_and_duplicate_keys(type("Strict", (base,), {}))
    assert yaml.load("a: [1, {b: 2}]\n", Loader=strict) == {"a": [1, {"b": 2}]}  # noqa: S506 - a safe loader
    for text, problem in (
        ("a: &s x\nb: *s\n", "reused through an alias"),
        ("a: 1\na: 2\n", "the key 'a' appears twice"),
    ):
        with pytest.raises(yaml.YAMLError, match=problem):
            yaml.load(text, Loader=strict)  # noqa: S506


def test_staff_logins_are_user_names():
    from tswt_formulation.store.staff import StaffError, check_member

    with pytest.raises(
        StaffError,
        match=r"^staff f\.o\uff23onnor: login must be printable ASCII \(letters, digits, \. _ - @\), got 'f\.o\uff23onnor'$",
    ):
        check_member("f.o\uff23onnor", "F. O'Connor", "therapeutic_social_worker")
    with pytest.raises(
        StaffError, match=r"name must be 1 to 120 printable characters, got 'F\. O\\x00Connor'$"
    ):
        check_member("f.oconnor", "F. O\x00Connor", "therapeutic_social_worker")
