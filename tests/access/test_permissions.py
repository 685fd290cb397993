"""The permission table, tested as a table: tests/data/permissions_table.csv holds, for
each operation, roles and relations to the case with the answer a team would give and
why (docs/permissions.md). The expected answers are written from the team's practice,
not read back from permissions.yaml."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tswt_formulation.access.permissions import NotPermitted, allowed, check, operations_for, table
from tswt_formulation.store.staff import StaffDirectory, StaffMember

from ..conftest import DATA

with (DATA / "permissions_table.csv").open(encoding="utf-8") as _table_file:
    ROWS = list(csv.DictReader(_table_file))
DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def _record(relation: str, who: str) -> dict:
    """A stored case in which ``who`` stands in ``relation`` (and no other)."""
    record: dict = {
        "referral": {"allocation": {"worker": "someone.else", "date": "2026-01-05"}},
        "formulation": {
            "author": "someone.else",
            "contributors": [],
            "decision": {"by": "someone.else"},
            "submitted_by": "someone.else",
        },
    }
    if relation == "allocated_worker":
        record["referral"]["allocation"]["worker"] = who
    elif relation == "formulation_author":
        record["formulation"]["author"] = who
    elif relation == "lead_worker":
        record["interventions"] = [
            {"number": 1, "lead_worker": "x.y"},
            {"number": 2, "lead_worker": who},
        ]
    elif relation == "formulation_contributor":
        record["formulation"]["contributors"] = ["x.y", who]
    return record


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['operation']}-{r['role']}-{r['relation'] or 'none'}" for r in ROWS]
)
def test_permission_table(row):
    who = "p.person"
    role = None if row["role"].startswith("(") else row["role"]
    staff = StaffDirectory(
        [StaffMember("boss", "B. Oss", "administrator")]
        + ([StaffMember(who, "P. Person", role)] if role else [])
    )
    subject = who if row["relation"] == "self" else "other.person"
    record = _record(row["relation"], who)
    want = row["allowed"] == "yes"
    assert allowed(row["operation"], who, role, record, subject) is want, row["reason"]
    if want:
        check(row["operation"], who, staff, record, subject=subject)
    else:
        with pytest.raises(NotPermitted, match=r"^p\.person .+; .+ needs .+$"):
            check(row["operation"], who, staff, record, subject=subject)


def test_every_operation_is_in_the_table_both_ways():
    said = {(r["operation"], r["allowed"]) for r in ROWS}
    for operation in table().operations:
        assert (operation, "yes") in said and (operation, "no") in said, operation


def test_refusal_names_the_rule():
    staff = StaffDirectory([StaffMember("c.mensah", "C. Mensah", "therapeutic_social_worker")])
    with pytest.raises(NotPermitted) as refused:
        check("sign_off", "c.mensah", staff, _record("", "c.mensah"), case_id="TSW-900016")
    assert str(refused.value) == (
        "TSW-900016: c.mensah is a therapeutic social worker; signing off or returning a formulation needs a clinical "
        "psychologist who did not write, decide on or submit this formulation"
    )


def test_an_empty_directory_enforces_nothing_yet():
    check("sign_off", "anyone", StaffDirectory())  # a store being set up: no roles to check


@pytest.mark.parametrize(
    "paths,expected",
    [
        (["screening.risks.0.level"], ["edit_case"]),
        (["referral.allocation"], ["allocate"]),
        (
            ["referral.decision.outcome", "referral.allocation.worker"],
            ["decide_referral", "allocate"],
        ),
        (["referral.approval.by"], ["decide_referral"]),
        (["measures", "goals.0"], ["edit_case"]),
        (["conclusion"], ["record_conclusion"]),
        ([""], ["record_referral"]),
    ],
)
def test_what_a_change_needs(paths, expected):
    assert operations_for(paths) == expected


def test_the_document_lists_every_operation_and_role():
    text = DOC.read_text(encoding="utf-8")
    for name in table().operations:
        assert re.search(rf"^\| `{name}` \|", text, re.M), (
            f"docs/permissions.md has no row for {name}"
        )
    for role in table().roles:
        assert f"`{role}`" in text, role


def test_a_team_adds_a_role_like_another(tmp_path, monkeypatch):
    extra = tmp_path / "roles.yaml"
    extra.write_text(
        "roles:\n  family_support_worker: {label: family support worker, like: therapeutic_social_worker}\n"
    )
    monkeypatch.setenv("TSWT_ROLES", str(extra))
    assert table().roles["family_support_worker"] == "family support worker"
    assert allowed("edit_case", "f.w", "family_support_worker", _record("allocated_worker", "f.w"))
    assert not allowed("sign_off", "f.w", "family_support_worker", _record("", "f.w"))
    changed = tmp_path / "changes.yaml"
    changed.write_text("roles:\n  clinical_psychologist: {label: boss, like: administrator}\n")
    monkeypatch.setenv("TSWT_ROLES", str(changed))
    with pytest.raises(
        Exception, match=r"roles\.clinical_psychologist: already a role; a team file adds roles"
    ):
        table()
