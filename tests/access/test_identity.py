"""Who is acting comes from what authenticated the person (docs/permissions.md, "Where
identity comes from"): on a live store `--user` and TSWT_USER cannot claim another
person; under JupyterHub the hub's login is who acts; the audit records both who and
how; opening a record is logged and readable by managers only."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.access.identity import os_account
from tswt_formulation.access.permissions import NotPermitted
from tswt_formulation.cli import cli

from ..conftest import AS_OF

ME = os_account()


def _referral(make_case_data, case_id: str) -> dict:
    """A new referral: recorded, not yet decided, allocated or screened."""
    data = make_case_data(case_id)
    for key in ("screening", "measures", "goals", "formulation", "conclusion", "sdq_not_completed"):
        data.pop(key, None)
    data["referral"].pop("allocation", None)
    data["referral"].pop("approval", None)
    data["referral"]["decision"] = {"outcome": "pending"}
    return data


def _run(*args: str, **env: str) -> object:
    return CliRunner().invoke(cli, list(args), env=env or None, catch_exceptions=False)


@pytest.fixture
def live(tmp_path, monkeypatch, make_case_data):
    """A live store (not a training store) whose administrator is this machine's account
    and whose team is c.mensah (worker), t.harper (manager), dr.r.ahmed (psychologist)."""
    monkeypatch.delenv("TSWT_USER", raising=False)
    path = str(tmp_path / "live.sqlite")
    assert _run("init", "--store", path).exit_code == 0
    r = _run(
        "staff",
        "add",
        "it.admin",
        "--name",
        "I. Tanaka",
        "--role",
        "administrator",
        "--os-account",
        ME,
        "--store",
        path,
    )
    assert r.exit_code == 0, r.output
    for login, name, role in (
        ("c.mensah", "C. Mensah", "therapeutic_social_worker"),
        ("t.harper", "T. Harper", "team_manager"),
        ("dr.r.ahmed", "Dr R. Ahmed", "clinical_psychologist"),
    ):
        r = _run("staff", "add", login, "--name", name, "--role", role, "--store", path)
        assert r.exit_code == 0, r.output
    return path


def test_on_a_live_store_the_os_account_acts_and_user_cannot_claim_another(live):
    with open_store(live) as store:
        assert (store.user, store.identity.how) == ("it.admin", f"operating-system account {ME}")
        staff_entries = [e for e in store.audit_log() if e.action == "staff"]
    # the first entry was added on an empty directory as the OS account; the rest by it.admin, identified by the OS
    assert [e.user for e in staff_entries][1:] == ["it.admin"] * 3
    assert {e.identified_by for e in staff_entries[1:]} == {f"operating-system account {ME}"}
    for args, env in ((["--user", "dr.r.ahmed"], {}), ([], {"TSWT_USER": "dr.r.ahmed"})):
        r = _run("caseload", "--store", live, "--as-of", AS_OF.isoformat(), *args, **env)
        source = "--user"  # the command line's --user option reads TSWT_USER too
        assert r.exit_code == 2
        assert r.output == (
            f"error: {source} dr.r.ahmed: you are signed in to this machine as {ME}; on this store who acts "
            f"comes from that login, not from {source} (only a training store made by tswt demo takes "
            f"{source})\n"
        )
    with pytest.raises(NotPermitted):
        open_store(live, user="t.harper")
    assert (
        _run("caseload", "--store", live, "--user", "IT.Admin").exit_code == 0
    )  # the same person, however typed


def test_under_jupyterhub_the_hub_login_acts(live, monkeypatch, make_case_data, tmp_path):
    monkeypatch.setenv("JUPYTERHUB_USER", "c.mensah")
    r = _run("signoff", "TSW-000123", "--approve", "--store", live, "--user", "dr.r.ahmed")
    assert (r.exit_code, r.output) == (
        2,
        "error: --user dr.r.ahmed: you are logged in to JupyterHub as c.mensah, and act as "
        "c.mensah only\n",
    )
    case = tmp_path / "case.json"
    data = _referral(make_case_data, "TSW-000123")
    case.write_text(json.dumps(data))
    r = _run("import", str(case), "--store", live)
    assert r.exit_code == 0, r.output
    monkeypatch.setenv("JUPYTERHUB_USER", "mallory")
    r = _run("show", "TSW-000123", "--store", live)
    assert (r.exit_code, r.output) == (
        2,
        "error: TSW-000123: mallory is not in the staff directory; reading a child's record "
        "needs a login in the team's staff directory\n",
    )
    monkeypatch.delenv("JUPYTERHUB_USER")
    with open_store(live) as store:
        entry = store.audit_log("TSW-000123")[-1]
    assert (entry.user, entry.action, entry.identified_by) == (
        "c.mensah",
        "import",
        "JupyterHub login",
    )


def test_opening_a_record_is_logged_and_read_by_managers(
    live, monkeypatch, make_case_data, tmp_path
):
    monkeypatch.setenv("JUPYTERHUB_USER", "c.mensah")
    data = _referral(make_case_data, "TSW-000124")
    (tmp_path / "c.json").write_text(json.dumps(data))
    assert _run("import", str(tmp_path / "c.json"), "--store", live).exit_code == 0
    assert _run("show", "TSW-000124", "--store", live).exit_code == 0
    r = _run("access", "TSW-000124", "--store", live)
    assert (r.exit_code, r.output) == (
        2,
        "error: TSW-000124: c.mensah is a therapeutic social worker; reading who opened a "
        "child's record needs a manager or an administrator\n",
    )
    monkeypatch.setenv("JUPYTERHUB_USER", "t.harper")
    r = _run("access", "TSW-000124", "--store", live, "--json")
    assert r.exit_code == 0, r.output
    assert [(e["user"], e["what"], e["identified_by"]) for e in json.loads(r.output)] == [
        ("c.mensah", "show", "JupyterHub login")
    ]


def test_one_reader_of_user_and_tswt_user(monkeypatch):
    """config.named_user is the one reader of --user and TSWT_USER: current_user gives the
    name as written, the store's identity the same name folded to a login."""
    from tswt_formulation import config
    from tswt_formulation.access.identity import resolve
    from tswt_formulation.errors import ValidationFailed

    monkeypatch.setenv("TSWT_USER", "C.Mensah")
    assert config.named_user(None) == ("C.Mensah", "TSWT_USER")
    assert config.named_user(" S.Price ") == ("S.Price", "--user")
    assert config.current_user() == "C.Mensah"
    assert resolve(None, {}, training=True).login == "c.mensah"
    monkeypatch.setenv("TSWT_USER", "c.mensah\x1b[2J")
    for read in (config.current_user, lambda: resolve(None, {}, training=True)):
        with pytest.raises(
            ValidationFailed, match=r"^TSWT_USER: 'c\.mensah\\x1b\[2J' is not a usable"
        ):
            read()
    monkeypatch.delenv("TSWT_USER")
    assert config.named_user(None) == (None, "")
