"""`tswt conclude`, the conclusion of screening; `tswt outcome`, its name up to 0.1.0, kept
hidden for one release with a one-line note on stderr (issue 25)."""

from __future__ import annotations

from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data

CASE = "TSW-000123"
NOTE = (
    "note: `tswt outcome` is now `tswt conclude`; the old name will be removed in the next "
    "release.\n"
)


def _store(tmp_path, make_case_data) -> str:
    path = str(tmp_path / "s.sqlite")
    data = make_case_data()
    data.pop("conclusion")
    with open_store(path, create=True) as s:
        s.import_cases([case_from_data(data)])
    return path


def _close(name: str, store: str):
    return CliRunner().invoke(
        cli,
        [name, CASE, "--close", "--reason", "Needs met by carer consultation", "--store", store],
    )


def test_conclude_records_the_conclusion(tmp_path, make_case_data):
    store = _store(tmp_path, make_case_data)
    r = _close("conclude", store)
    assert (r.exit_code, r.stdout, r.stderr) == (
        0,
        f"{CASE}: conclusion of screening recorded: close.\n",
        "",
    )
    with open_store(store) as s:
        assert s.get(CASE).conclusion.decision == "close"
        assert [e.action for e in s.audit_log(CASE)][-1] == "record_conclusion"


def test_the_old_name_still_works_with_a_note_on_stderr(tmp_path, make_case_data):
    store = _store(tmp_path, make_case_data)
    r = _close("outcome", store)
    assert (r.exit_code, r.stdout, r.stderr) == (
        0,
        f"{CASE}: conclusion of screening recorded: close.\n",
        NOTE,
    )
    with open_store(store) as s:
        assert s.get(CASE).conclusion.decision == "close"


def test_the_old_name_is_hidden_from_help_and_keeps_the_options():
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    names = [line.split()[0] for line in r.output.splitlines() if line.startswith("  ")]
    assert "conclude" in names and "outcome" not in names
    old = CliRunner().invoke(cli, ["outcome", "--help"])
    new = CliRunner().invoke(cli, ["conclude", "--help"])
    assert old.exit_code == new.exit_code == 0
    assert old.output.replace("outcome", "conclude") == new.output


def test_the_old_name_refuses_as_the_new_one_does(tmp_path, make_case_data):
    store = _store(tmp_path, make_case_data)
    r = CliRunner().invoke(cli, ["outcome", CASE, "--close", "--store", store])
    assert r.exit_code == 2
    assert r.stderr.startswith(NOTE) and "closing needs the reasons" in r.stderr
