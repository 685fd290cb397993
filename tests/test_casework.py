"""casework: a step that contradicts the rest of the record is refused naming the case and
the field, as every error must (the CLI printed "error: conclusion: ..." with no case)."""

from __future__ import annotations

from datetime import date

import pytest

from tswt_formulation import casework
from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case_from_data


def test_a_conclusion_before_any_screening_is_refused_naming_the_case(store, make_case_data):
    data = make_case_data("TSW-000321")
    data.pop("screening", None)
    data.pop("conclusion", None)
    data.pop("formulation", None)
    store.import_cases([case_from_data(data)])
    before = store.get("TSW-000321")._version

    with pytest.raises(ValidationFailed) as err:
        casework.conclude(store, "TSW-000321", "close", "Moved out of area", on=date(2026, 11, 2))

    (problem,) = err.value.problems
    assert (problem.where, problem.field) == ("TSW-000321", "conclusion")
    assert str(problem).startswith("TSW-000321: conclusion: ")
    assert "screening that has started" in problem.message
    assert store.get("TSW-000321")._version == before  # nothing was written
    assert store.get("TSW-000321").conclusion is None
