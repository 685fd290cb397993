"""Every workflow rule that depends on *who* is acting, tried as a new user would try to
get round it (issue 18): each forged action is refused with exit 2 and one plain line
naming the rule, and the store is unchanged, on SQLite and on PostgreSQL.

The store is the demo's (a training store: ``--user`` names any staff login, to
practise), so the refusals below come from the permission table, not from identity;
identity itself is tested in test_identity.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import case_to_data

from ..conftest import AS_OF


def _run(*args: str, user: str | None = None) -> Any:
    extra = ["--user", user] if user is not None else []
    return CliRunner().invoke(cli, [*args, *extra], catch_exceptions=False)


def _state(url: str) -> str:
    """A digest of everything the store holds (cases, audit, staff, meta)."""
    engine = sa.create_engine(
        url if "://" in url else f"sqlite:///{url}", poolclass=sa.pool.NullPool
    )
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in ("cases", "audit", "staff", "tswt_meta"):
            for row in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")):
                h.update(repr(tuple(row)).encode())
    engine.dispose()
    return h.hexdigest()


def _refused(url: str, *args: str, user: str | None, line: str, summary: str | None = None) -> None:
    before = _state(url)
    r = _run(*args, "--store", url, user=user)
    assert r.exit_code == 2, r.output
    assert r.output.splitlines() == ([summary] if summary else []) + [line], r.output
    assert _state(url) == before, "a refused action changed the store"


@pytest.fixture
def demo(any_store_url: str) -> str:
    r = _run(
        "demo",
        "--store",
        any_store_url,
        "--cases",
        "60",
        "--seed",
        "1",
        "--as-of",
        AS_OF.isoformat(),
    )
    assert r.exit_code == 0, r.output
    return any_store_url


def _awaiting(url: str) -> tuple[str, str, str]:
    """A case awaiting sign-off: (case id, its author, its allocated worker)."""
    with open_store(url, user="it.admin") as store:
        for case in store.cases():
            if case.formulation is not None and case.formulation.status == "awaiting_signoff":
                return case.case_id, case.formulation.author, case.worker or ""
    raise AssertionError("the demo has no formulation awaiting sign-off")


def test_forged_sign_offs_are_refused(demo):
    case_id, author, _worker = _awaiting(demo)
    rule = "signing off or returning a formulation needs a clinical psychologist who did not write, decide on or submit this formulation"
    for user, who in [
        ("c.mensah", "c.mensah is a therapeutic social worker"),
        ("t.harper", "t.harper is a team manager"),
        ("s.adeyemi", "s.adeyemi is a personal adviser"),
        ("it.admin", "it.admin is an administrator"),
    ]:
        _refused(
            demo,
            "signoff",
            case_id,
            "--approve",
            user=user,
            line=f"error: {case_id}: {who}; {rule}",
        )
    for user in ("mallory", f"{author}.", "Dr R Ahmed (approved by panel)"):
        folded = user.casefold()
        _refused(
            demo,
            "signoff",
            case_id,
            "--approve",
            user=user,
            line=(
                f"error: {case_id}: {folded} is not in the staff directory; {rule} (this is a training store: name a staff "
                "login with --user, e.g. --user c.mensah)"
            ),
        )
    # a psychologist who had no hand in it may
    r = _run("signoff", case_id, "--approve", "--store", demo, user="dr.k.osei")
    assert r.exit_code == 0, r.output


def test_a_psychologist_cannot_write_decide_submit_and_approve_their_own(demo, tmp_path):
    with open_store(demo, user="it.admin") as store:
        case = next(
            c
            for c in store.cases()
            if c.formulation is not None and c.formulation.status == "draft"
        )
    narrative = tmp_path / "n.txt"
    narrative.write_text("Written by the reviewer.")
    rule = "editing the screening, measures or formulation needs the allocated worker or a manager (others may read only)"
    _refused(
        demo,
        "formulation",
        case.case_id,
        "--narrative-file",
        str(narrative),
        user="dr.r.ahmed",
        line=f"error: {case.case_id}: dr.r.ahmed is a clinical psychologist; {rule}",
    )
    _refused(
        demo,
        "decide",
        case.case_id,
        "--accept",
        user="dr.r.ahmed",
        line=f"error: {case.case_id}: dr.r.ahmed is a clinical psychologist; {rule}",
    )
    if case.formulation.decision is not None:
        _refused(
            demo,
            "submit",
            case.case_id,
            user="dr.r.ahmed",
            line=(
                f"error: {case.case_id}: dr.r.ahmed is a clinical psychologist; submitting a formulation for sign-off needs "
                "the formulation's author or the allocated worker"
            ),
        )


def test_nobody_promotes_themself(demo):
    rule = "changing the staff directory needs an administrator, and never for their own entry"
    _refused(
        demo,
        "staff",
        "add",
        "c.mensah",
        "--name",
        "C. Mensah",
        "--role",
        "clinical_psychologist",
        user="c.mensah",
        line=f"error: c.mensah is a therapeutic social worker; {rule}",
    )
    _refused(
        demo,
        "staff",
        "add",
        "it.admin",
        "--name",
        "I. Tanaka",
        "--role",
        "team_manager",
        user="it.admin",
        line=f"error: it.admin cannot change their own entry; {rule}",
    )
    _refused(
        demo,
        "staff",
        "add",
        "t.harper",
        "--name",
        "T. Harper",
        "--role",
        "administrator",
        user="t.harper",
        line=f"error: t.harper is a team manager; {rule}",
    )


def _signed_off_record(url: str, tmp_path: Path, new_id: str, **change: Any) -> Path:
    """A signed-off case of the demo as a backup file, under a new id, with a change."""
    with open_store(url, user="it.admin") as store:
        case = next(
            c
            for c in store.cases()
            if c.formulation is not None and c.formulation.status == "signed_off"
        )
    data = case_to_data(case)
    data["case_id"] = new_id
    f = data["formulation"]
    if "signoffs" in change:
        f["signoffs"] = change["signoffs"](f)
    path = tmp_path / f"{new_id}.json"
    path.write_text(json.dumps(data))
    return path


def test_a_restore_needs_an_administrator_and_a_real_sign_off(demo, tmp_path):
    ok = _signed_off_record(demo, tmp_path, "TSW-990001")
    _refused(
        demo,
        "import",
        "--restore",
        "backup",
        str(ok),
        user="t.harper",
        line="error: t.harper is a team manager; restoring cases with their workflow state needs an administrator",
    )
    none = _signed_off_record(demo, tmp_path, "TSW-990002", signoffs=lambda f: [])
    _refused(
        demo,
        "import",
        "--restore",
        "backup",
        str(none),
        user="it.admin",
        summary="error: 1 problem(s); nothing was written:",
        line=(
            f"error: {none}: TSW-990002: formulation.status: signed_off needs an approval of revision "
            f"{json.loads(none.read_text())['formulation']['revision']} by a clinical psychologist; the record has none"
        ),
    )
    by_author = _signed_off_record(
        demo,
        tmp_path,
        "TSW-990003",
        signoffs=lambda f: [{**f["signoffs"][-1], "reviewer": f["author"]}],
    )
    author = json.loads(by_author.read_text())["formulation"]["author"]
    r = _run("import", "--restore", "backup", str(by_author), "--store", demo, user="it.admin")
    assert r.exit_code == 2
    assert (
        f"error: {by_author}: TSW-990003: formulation.signoffs.0.reviewer: {author} wrote, decided on or submitted "
        "this formulation and cannot have signed it off" in r.output.splitlines()
    )
    by_worker = _signed_off_record(
        demo,
        tmp_path,
        "TSW-990004",
        signoffs=lambda f: [{**f["signoffs"][-1], "reviewer": "b.kowalski"}],
    )
    r = _run("import", "--restore", "backup", str(by_worker), "--store", demo, user="it.admin")
    assert r.exit_code == 2
    assert (
        f"error: {by_worker}: TSW-990004: formulation.signoffs.0.reviewer: b.kowalski is a therapeutic social worker; "
        "this must be a clinical psychologist"
    ) in r.output.splitlines()
    r = _run("import", "--restore", "backup", str(ok), "--store", demo, user="it.admin")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    "typed,problem",
    [
        ("c.mensah ", "'c.mensah ' must be written exactly as the login c.mensah"),
        ("C.Mensah", "'C.Mensah' must be written exactly as the login c.mensah"),
        (
            "\u0441.mensah",
            "'\u0441.mensah' is not a login in the staff directory; did you mean c.mensah?",
        ),
        (
            "c.mensah\u200b",
            "'c.mensah\\u200b' is not a login in the staff directory; did you mean c.mensah?",
        ),
        ("c.mensha", "'c.mensha' is not a login in the staff directory; did you mean c.mensah?"),
        (
            "dr.r.ahmed",
            "dr.r.ahmed is a clinical psychologist; this must be a personal adviser or senior practitioner or "
            "team manager or therapeutic social worker",
        ),
    ],
)
def test_allocation_is_a_login_from_the_directory(demo, tmp_path, typed, problem):
    with open_store(demo, user="t.harper") as store:
        case = next(
            c for c in store.cases() if c.referral.allocation is not None and c.formulation is None
        )
        version = case._version
    data = case_to_data(case)
    data["referral"]["allocation"]["worker"] = typed
    path = tmp_path / "allocated.json"
    path.write_text(
        json.dumps({"format": "tswt-cases/1", "versions": {case.case_id: version}, "cases": [data]})
    )
    before = _state(demo)
    r = _run("update", str(path), "--store", demo, user="t.harper")
    assert r.exit_code == 2, r.output
    assert r.output.splitlines() == [
        f"error: {case.case_id}: referral.allocation.worker: {problem}"
    ], r.output
    assert _state(demo) == before


def test_reports_run_as_the_person_named_on_a_training_store(demo, tmp_path):
    """The batch's workers open the store themselves: they act as the command's person
    (TSWT_USER, set by the autouse fixture, names nobody in the demo's directory)."""
    r = _run(
        "reports",
        "TSW-900001",
        "--kind",
        "formulation",
        "--store",
        demo,
        "--out",
        str(tmp_path / "out"),
        user="dr.r.ahmed",
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "TSW-900001_formulation.html").exists()
    with open_store(demo, user="t.harper") as store:
        assert [(e["user"], e["what"]) for e in store.access_log("TSW-900001")] == [
            ("dr.r.ahmed", "report")
        ]
    r = _run(
        "reports",
        "TSW-900001",
        "--kind",
        "formulation",
        "--store",
        demo,
        "--out",
        str(tmp_path / "out2"),
        user="mallory",
    )
    assert r.exit_code == 1 and "mallory is not in the staff directory" in r.output
