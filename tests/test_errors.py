"""errors.problems_from: the one way a pydantic ValidationError becomes problems."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from tswt_formulation.errors import MeasureDefinitionError, Problem, location, problems_from
from tswt_formulation.measures.constants import load_constants
from tswt_formulation.model.case import ConsistencyError


class _Goal(BaseModel):
    rating: Annotated[int, Field(ge=0, le=10)]

    @field_validator("rating")
    @classmethod
    def _not_seven(cls, v: int) -> int:
        if v == 7:
            raise ValueError("seven is refused here")
        return v


class _Plan(BaseModel):
    goals: Annotated[list[_Goal], Field(min_length=1)]
    note: str = ""

    @field_validator("note")
    @classmethod
    def _two_at_once(cls, v: str) -> str:
        if v == "both":
            raise ConsistencyError([("note", "first problem"), ("goals", "second problem")])
        return v


def _problems(data: dict, **kw) -> list[str]:
    with pytest.raises(ValidationError) as info:
        _Plan.model_validate(data)
    return [str(p) for p in problems_from(info.value, "plan.yaml", **kw)]


def test_one_problem_per_field_with_the_key_path() -> None:
    assert _problems({"goals": [{"rating": 3}, {"rating": 11}, {"rating": 7}]}) == [
        "plan.yaml: goals[1].rating: Input should be less than or equal to 10",
        "plan.yaml: goals[2].rating: seven is refused here",  # no "Value error, " prefix
    ]


def test_a_validator_may_report_several_fields_at_once() -> None:
    assert _problems({"goals": [{"rating": 1}], "note": "both"}) == [
        "plan.yaml: note: first problem",
        "plan.yaml: goals: second problem",
    ]


def test_the_caller_words_and_places_problems_its_own_way() -> None:
    def word(err: dict) -> str | None:
        return "out of range" if err["type"] == "less_than_equal" else None

    got = _problems(
        {"goals": [{"rating": 11}, {"rating": 7}]},
        path=lambda loc: "/".join(map(str, loc)),
        word=word,
    )
    assert got == [
        "plan.yaml: goals/0/rating: out of range",
        "plan.yaml: goals/1/rating: seven is refused here",
    ]


def test_location_leaves_out_pydantics_internal_steps() -> None:
    assert (
        location(("referral", "decision", "function-after[check(), str]", "date"))
        == "referral.decision.date"
    )
    assert location(("rules", 2, "effect")) == "rules[2].effect"
    assert location(()) == ""


def test_a_constants_file_names_the_entry_and_key(tmp_path) -> None:
    path = tmp_path / "constants.yaml"
    path.write_text(
        "constants:\n  - {measure: sdq, scores: [total], r: 2, sd: 5, source: manual}\n",
        encoding="utf-8",
    )
    with pytest.raises(MeasureDefinitionError) as info:
        load_constants(path)
    assert info.value.problems == [
        Problem(str(path), "constants[0].r", "Input should be less than 1")
    ]
