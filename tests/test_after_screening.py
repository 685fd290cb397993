"""The work after screening's casework moved from casework.py to after_screening.py
(issue 25): every name is still importable from ``tswt_formulation.casework``, as the
same function."""

from __future__ import annotations

import pytest

from tswt_formulation import after_screening, casework

MOVED = [
    "close_involvement",
    "end_intervention",
    "record_first_step",
    "record_review",
    "record_session",
    "start_intervention",
]


@pytest.mark.parametrize("name", MOVED)
def test_each_step_is_importable_from_casework(name):
    assert getattr(casework, name) is getattr(after_screening, name)
    namespace: dict[str, object] = {}
    exec(f"from tswt_formulation.casework import {name}", namespace)  # noqa: S102 - the import statement itself is what is tested
    assert namespace[name] is getattr(after_screening, name)


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(
        AttributeError, match=r"^module 'tswt_formulation.casework' has no attribute 'nothing'$"
    ):
        casework.nothing  # noqa: B018 - the lookup is the test
