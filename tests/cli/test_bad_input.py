"""Every bad input of the case-record issue: a clear error naming the case, the field and
what is wrong, exit code 2, and the store byte-identical afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation._yaml import dump
from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data

from ..conftest import file_digest


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def edit(d: dict) -> None:
        *parents, leaf = path.split(".")
        node = d
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if leaf.isdigit():
            node[int(leaf)] = value
        else:
            node[leaf] = value

    return edit


# (name, edit of the full case, the exact error line expected)
BAD_RECORDS = [
    (
        "unknown field",
        _set("child.favourite_colour", "blue"),
        r"error: {file}: TSW-000200: child\.favourite_colour: unknown field; it is not part of the case record",
    ),
    (
        "wrong type",
        _set("child.living_independently", "yes"),
        r"error: {file}: TSW-000200: child\.living_independently: Input should be a valid boolean \(got 'yes'\)",
    ),
    (
        "wrong type int",
        _set("child.placement.moves_last_12_months", "2"),
        r"error: {file}: TSW-000200: child\.placement\.moves_last_12_months: Input should be a valid integer \(got '2'\)",
    ),
    (
        "decision before received",
        _set("referral.decision.date", "2026-05-03"),
        r"error: {file}: TSW-000200: referral\.decision\.date: 2026-05-03 is before referral\.received 2026-05-04",
    ),
    (
        "allocation before decision",
        _set("referral.allocation.date", "2026-05-10"),
        r"error: {file}: TSW-000200: referral\.allocation\.date: 2026-05-10 is before referral\.decision\.date 2026-05-12",
    ),
    (
        "date in the future",
        _set("screening.completed", "2099-01-01"),
        r"error: {file}: TSW-000200: screening\.completed: 2099-01-01 is in the future \(today is \d{{4}}-\d\d-\d\d\)",
    ),
    # Only the impossible is refused (an over-age referral is recorded; eligibility decides).
    (
        "breakdown after the placement began",
        _set("child.placement.breakdowns.0.date", "2026-01-10"),
        r"error: {file}: TSW-000200: child\.placement\.breakdowns\[0\]\.date: 2026-01-10 is after child\.placement\.start 2025-12-01: "
        r"a breakdown ends an earlier placement",
    ),
    (
        "legal statuses overlap",
        _set("child.legal_status_history.0.end", "2022-06-01"),
        r"error: {file}: TSW-000200: child\.legal_status\.start: 2022-03-01 overlaps child\.legal_status_history\[0\] "
        r"\(child_protection_plan from 2020-09-10, which ends 2022-06-01\)",
    ),
    (
        "measure before birth",
        _set("measures.0.date", "2014-01-01"),
        r"error: {file}: TSW-000200: measures\[0\]\.date: 2014-01-01 is before child\.date_of_birth 2014-06-15",
    ),
    (
        "unknown legal status",
        _set("child.legal_status.status", "adopted"),
        r"error: {file}: TSW-000200: child\.legal_status\.status: unknown legal status 'adopted'; expected one of: looked_after, kinship_care, ",
    ),
    (
        "unknown history factor",
        _set("screening.history_factors.0.factor", "poverty"),
        r"error: {file}: TSW-000200: screening\.history_factors\[0\]\.factor: unknown history factor 'poverty'; expected one of: physical_abuse",
    ),
    (
        "unknown behaviour",
        _set("screening.presenting_behaviours.1.behaviour", "lying"),
        r"error: {file}: TSW-000200: screening\.presenting_behaviours\[1\]\.behaviour: unknown presenting behaviour 'lying'",
    ),
    (
        "id breaks the pattern",
        _set("case_id", "TSW-12"),
        r"error: {file}: TSW-12: case_id: String should match pattern '\^TSW-\[0-9\]\{{6\}}\$' \(got 'TSW-12'\)",
    ),
    (
        "measure value outside its coding",
        lambda d: d["measures"][0]["responses"].update({"5": 7}),
        r"error: TSW-000200: measures\[0\]\.responses\.5: value 7 is outside the response coding 0-2$",
    ),
    (
        "unknown measure",
        _set("measures.0.measure", "sdqq"),
        r"error: TSW-000200: measures\[0\]\.measure: unknown measure 'sdqq'; known: gbo, sdq$",
    ),
    (
        "unknown item",
        lambda d: d["measures"][0]["responses"].update({"26": 1}),
        r"error: TSW-000200: measures\[0\]\.responses: 26: not an item of sdq",
    ),
    (
        "informant the form lacks",
        _set("measures.0.version", "S11-17"),
        r"error: TSW-000200: measures\[0\]\.informant: 'parent' does not complete version S11-17 \(completed by self\)$",
    ),
    (
        "accepted without consent",
        _set("referral.consent", None),
        r"error: {file}: TSW-000200: referral\.consent: missing: a referral cannot be accepted without informed consent",
    ),
]


@pytest.fixture
def seeded(store_path: Path, make_case_data) -> Path:
    with open_store(str(store_path), create=True) as s:
        s.import_cases([case_from_data(make_case_data("TSW-000100"))])
    return store_path


def _new_referral(data: dict) -> dict:
    """A case as a new import carries it: no workflow state (formulation, outcome)."""
    data.pop("outcome", None)
    data.pop("formulation", None)
    return data


def _import(store_path: Path, *files: Path) -> Any:
    return CliRunner().invoke(cli, ["import", "--store", str(store_path), *map(str, files)])


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("name,edit,expected", BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS])
def test_bad_record_is_refused_and_store_unchanged(
    tmp_path, seeded, make_case_data, name, edit, expected, fmt
):
    good = make_case_data("TSW-000201")
    bad = make_case_data("TSW-000200")
    edit(bad)
    path = tmp_path / f"cases.{fmt}"
    path.write_text(json.dumps([good, bad]) if fmt == "json" else dump([good, bad]))
    before = file_digest(seeded)
    result = _import(seeded, path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0] in (
        "error: 1 problem(s); nothing was written:",
        "error: 1 problem(s) with recorded measures; nothing was written:",
    )
    import re

    assert re.match(expected.format(file=re.escape(str(path))), lines[1]), lines
    assert file_digest(seeded) == before
    with open_store(str(seeded)) as s:
        assert s.case_ids() == [
            "TSW-000100"
        ]  # the good case in the same file was not written either


def test_every_problem_is_listed(tmp_path, seeded, make_case_data):
    bad = make_case_data("TSW-000200")
    bad["child"]["sex"] = "f"
    bad["child"]["legal_status"]["status"] = "fostered"
    bad["screening"]["presenting_behaviours"][0]["severity"] = "extreme"
    also_bad = make_case_data("TSW-000201")
    also_bad["referral"]["decision"]["date"] = "2026-05-01"  # before received, and before approval
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([bad, also_bad]))
    result = _import(seeded, path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: 5 problem(s); nothing was written:",
        f"error: {path}: TSW-000200: child.sex: unknown sex 'f'; expected one of: female, male, other, not_known",
        f"error: {path}: TSW-000200: child.legal_status.status: unknown legal status 'fostered'; expected one of: "
        "looked_after, kinship_care, child_protection_plan, supervision_order, child_in_need, care_leaver",
        f"error: {path}: TSW-000200: screening.presenting_behaviours[0].severity: unknown severity 'extreme'; expected one of: mild, moderate, severe",
        f"error: {path}: TSW-000201: referral.decision.date: 2026-05-01 is before referral.received 2026-05-04",
        f"error: {path}: TSW-000201: referral.approval.date: 2026-05-02 is after referral.decision.date 2026-05-01",
    ]


@pytest.mark.parametrize(
    "suffix,text,expected",
    [
        (
            ".json",
            '{"case_id": "TSW-000300", ',
            r"^error: {file}: line 1, column 27: not valid JSON: Expecting property name enclosed in double quotes$",
        ),
        (
            ".yaml",
            "case_id: TSW-000300\nchild: [unclosed\n",
            r"^error: {file}: line 3, column 1: not valid YAML: ",
        ),
        (".txt", "case_id: x", r"^error: {file}: unknown file type; use \.json, \.yaml or \.yml$"),
        (
            ".json",
            '"just a string"',
            r"^error: {file}: expected a case, a list of cases, or \{{cases: \[\.\.\.\]\}}$",
        ),
    ],
    ids=["malformed json", "malformed yaml", "wrong extension", "not a case"],
)
def test_malformed_files(tmp_path, seeded, suffix, text, expected):
    import re

    path = tmp_path / f"broken{suffix}"
    path.write_text(text)
    before = file_digest(seeded)
    result = _import(seeded, path)
    assert result.exit_code == 2
    assert re.match(expected.format(file=re.escape(str(path))), result.stderr.splitlines()[-1]), (
        result.stderr
    )
    assert file_digest(seeded) == before


def test_duplicate_case_already_in_store(tmp_path, seeded, make_case_data):
    path = tmp_path / "dup.json"
    path.write_text(
        json.dumps(
            [
                _new_referral(make_case_data("TSW-000101")),
                _new_referral(make_case_data("TSW-000100")),
            ]
        )
    )
    before = file_digest(seeded)
    result = _import(seeded, path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: 1 case(s) already exist; nothing was written:",
        "error: TSW-000100: case_id: already in the store; nothing was imported",
    ]
    assert file_digest(seeded) == before
    with open_store(str(seeded)) as s:
        assert "TSW-000101" not in s


def test_duplicate_case_across_files(tmp_path, seeded, make_case_data):
    a, b = tmp_path / "a.json", tmp_path / "b.yaml"
    a.write_text(json.dumps(make_case_data("TSW-000400")))
    b.write_text(dump(make_case_data("TSW-000400")))
    before = file_digest(seeded)
    result = _import(seeded, a, b)
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[1]
        == f"error: {b}: TSW-000400: case_id: appears twice (also in {a})"
    )
    assert file_digest(seeded) == before


def test_stale_edit_refused_first_change_kept(seeded):
    first = open_store(str(seeded), user="worker.one")
    second = open_store(str(seeded), user="worker.two")
    try:
        mine = first.get("TSW-000100")
        theirs = second.get("TSW-000100")
        mine.screening.child_voice = "First worker's note"
        first.save(mine)
        theirs.screening.child_voice = "Second worker's note"
        from tswt_formulation.errors import StaleEdit

        with pytest.raises(
            StaleEdit,
            match=r"^TSW-000100: not saved - the case was changed by worker\.one at \d{4}-\d\d-\d\d \d\d:\d\d UTC since you loaded it "
            r"\(you had version 1, the store has version 2\)\. Reload it, redo your change and save again\.$",
        ):
            second.save(theirs)
        assert first.get("TSW-000100").screening.child_voice == "First worker's note"
        assert [e.user for e in first.audit_log("TSW-000100")] == ["test.worker", "worker.one"]
    finally:
        first.close()
        second.close()


def test_unknown_case_and_missing_store(tmp_path, seeded):
    runner = CliRunner()
    r = runner.invoke(cli, ["show", "TSW-999999", "--store", str(seeded)])
    assert r.exit_code == 2 and r.stderr == "error: TSW-999999: no such case in the store\n"
    missing = tmp_path / "nowhere.sqlite"
    r = runner.invoke(cli, ["caseload", "--store", str(missing)])
    assert r.exit_code == 2
    assert (
        r.stderr
        == f"error: {missing}: no store here; create one with `tswt init --store {missing}` (or `tswt demo` for a synthetic caseload)\n"
    )
    assert not missing.exists()


def test_traceback_only_with_debug(seeded):
    r = CliRunner().invoke(cli, ["show", "TSW-999999", "--store", str(seeded), "--debug"])
    assert r.exit_code != 0 and r.exception is not None and "Traceback" not in r.stderr
    from tswt_formulation.errors import CaseNotFound

    assert isinstance(r.exception, CaseNotFound)
