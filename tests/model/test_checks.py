"""The cross-field checks moved from model/case.py to model/checks.py (issue 25): every
name is still importable from its old path, as the same object, and a case still runs
them when it is validated."""

from __future__ import annotations

import pytest

from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case, case_from_data, checks


@pytest.mark.parametrize(
    "name", ["CLOCK_SKEW", "ConsistencyError", "consistency_problems", "future_timestamps"]
)
def test_each_moved_name_is_importable_from_model_case(name):
    assert getattr(case, name) is getattr(checks, name)
    namespace: dict[str, object] = {}
    exec(f"from tswt_formulation.model.case import {name}", namespace)  # noqa: S102 - the import statement itself is what is tested
    assert namespace[name] is getattr(checks, name)


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(
        AttributeError, match=r"^module 'tswt_formulation.model.case' has no attribute 'nothing'$"
    ):
        case.nothing  # noqa: B018 - the lookup is the test


def test_a_case_runs_the_checks_when_validated(make_case_data):
    data = make_case_data("TSW-000777")
    data["conclusion"]["decision"] = "close"  # closing needs its reasons
    with pytest.raises(
        ValidationFailed,
        match=r"^TSW-000777: conclusion\.reasons: missing: closing a referral needs its reasons$",
    ):
        case_from_data(data)
