"""Eligibility against the hand-worked table in data/eligibility_cases.yaml (docs/domain.md, "Eligibility")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tswt_formulation._yaml import safe_load
from tswt_formulation.model import add_years, case_from_data
from tswt_formulation.rules import check_eligibility

from ..conftest import DATA

ROWS = safe_load((DATA / "eligibility_cases.yaml").read_text())
RECEIVED = date(2026, 5, 4)


def build(row: dict[str, Any]) -> dict[str, Any]:
    dob = add_years(RECEIVED, -row["age"]) - timedelta(days=30)
    placement = row.get("placement", "foster_care")
    referral: dict[str, Any] = {
        "received": RECEIVED.isoformat(),
        "referrer": {"name": "J. Adeyemi", "role": "social_worker"},
        "nd_assessment_requested": row.get("nd_requested", False),
    }
    if row.get("consent", True):
        # Consent from someone who can give it (DOMAIN.md, Consent) unless the row names who.
        age, status = row["age"], row["status"]
        valid = (
            "child"
            if age >= 16 or status == "care_leaver"
            else "local_authority"
            if status in ("looked_after", "kinship_care")
            else "parent"
        )
        referral["consent"] = {
            "given_by": row.get("consent_by", valid),
            "date": "2026-05-01",
            "informed": row.get("informed", True),
            "gillick_competent": row.get("gillick", False),
        }
    if row.get("approval", True):
        referral["approval"] = {"by": "T. Harper", "date": "2026-05-02"}
    if row.get("decision", "accepted") == "accepted":
        referral["decision"] = {"outcome": "accepted", "date": "2026-05-12"}
    return {
        "case_id": "TSW-000500",
        "child": {
            "case_management_ref": "SYNTH-1",
            "date_of_birth": dob.isoformat(),
            "sex": "male",
            "legal_status": {"status": row["status"], "start": "2025-01-01"},
            "placement": {"type": placement, "start": "2025-01-01"},
            "would_otherwise_be_in_care": row.get("would_otherwise_be_in_care", False),
        },
        "referral": referral,
    }


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_eligibility_table(row):
    decision = check_eligibility(case_from_data(build(row)))
    expect = row["expect"]
    assert decision.outcome == expect["outcome"], row["why"]
    assert list(decision.signposting) == expect["signposting"], row["why"]
    assert decision.nd_assessment_offerable is expect["nd_offerable"], row["why"]
    assert decision.age == row["age"]
    assert decision.reasons, "every decision lists its reasons"
    for prefix in expect.get("flags", []):
        assert any(f.startswith(prefix) for f in decision.flags), (row["why"], decision.flags)
    if "flags" not in expect:
        assert decision.flags == (), row["why"]


def test_cannot_proceed_lists_both_missing_parts():
    row = {
        "status": "looked_after",
        "age": 10,
        "consent": False,
        "approval": False,
        "decision": "pending",
    }
    decision = check_eligibility(case_from_data(build(row)))
    proceed = [r.text for r in decision.reasons if r.applies_to == "proceed"]
    assert proceed == [
        "No consent recorded: the referral cannot proceed without the informed consent of the child, young person or family",
        "No team-manager approval recorded: the referral cannot proceed without it",
    ]
    assert decision.summary == "Cannot proceed until consent and manager approval are in place"


def test_age_is_taken_on_the_as_of_date():
    row = {"status": "looked_after", "age": 17}
    case = case_from_data(build(row))
    birthday_18 = add_years(case.child.date_of_birth, 18)
    assert check_eligibility(case, birthday_18 - timedelta(days=1)).outcome == "eligible"
    # Looked after on the 18th birthday: a care leaver in law, so still eligible, flagged.
    on_18 = check_eligibility(case, birthday_18)
    assert on_18.outcome == "eligible"
    assert on_18.flags[0].startswith(
        "Legal status should be care leaver: recorded as looked after, but aged 18 on "
    )
