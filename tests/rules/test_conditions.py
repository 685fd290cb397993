"""Condition kinds register themselves (rules/conditions.py): the union a rules file is
read with and the kind list its errors name are built from one registry."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import TypeAdapter, ValidationError

from tswt_formulation.rules import circumstances, conditions
from tswt_formulation.rules.conditions import (
    CONDITION_KINDS,
    KINDS,
    Condition,
    _Condition,
    condition_kind,
)

# The kinds docs/rules.md documents ("Conditions"), written out here by hand.
DOCUMENTED = {
    "all", "any", "not", "always", "behaviour", "behaviour_count", "history",
    "history_count", "legal_status", "age", "placement_moves", "placement_breakdown",
    "placement_type", "placement_length", "caregiver", "no_caregiver",
    "living_independently", "life_story", "eligibility", "measure_band", "risk",
    "risk_assessed",
}  # fmt: skip


def test_the_kind_list_is_every_registered_kind_once():
    assert set(CONDITION_KINDS) == DOCUMENTED
    assert len(CONDITION_KINDS) == len(DOCUMENTED)
    assert CONDITION_KINDS[:4] == ("all", "any", "not", "always")
    assert KINDS["age"] is circumstances.Age and KINDS["risk"] is conditions.RiskRecorded


@pytest.mark.parametrize(
    "data,kind",
    [
        ({"kind": "always"}, conditions.Always),
        ({"kind": "legal_status", "in": "care_leaver"}, circumstances.LegalStatus),
        ({"kind": "not", "condition": {"kind": "no_caregiver"}}, conditions.Not),
    ],
)
def test_the_union_reads_each_kind_from_both_modules(data, kind):
    parsed = TypeAdapter(Condition).validate_python(data)
    assert type(parsed) is kind


def test_an_unknown_kind_is_refused_by_the_union():
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Condition).validate_python({"kind": "behavior"})
    assert [e["type"] for e in caught.value.errors()] == ["union_tag_invalid"]


def test_a_kind_registered_twice_is_refused():
    before = dict(KINDS)
    with pytest.raises(TypeError, match=r"^condition kind 'always' is registered twice$"):

        @condition_kind
        class AlwaysAgain(_Condition):
            kind: Literal["always"]

    assert before == KINDS
