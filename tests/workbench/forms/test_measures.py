"""The measures forms' model, no widgets: an SDQ entered is laid over the case (and a
correction replaces the one corrected); what stops a save, named by its field; blank
goals."""

from __future__ import annotations

from datetime import date

import pytest

from tswt_formulation.errors import Problem
from tswt_formulation.measures import load_measure
from tswt_formulation.model import case_to_data
from tswt_formulation.workbench.forms.measures import MeasuresForm

AS_OF = date(2026, 11, 20)


@pytest.fixture
def form() -> MeasuresForm:
    return MeasuresForm(load_measure("sdq"))


def test_a_case_opens_with_its_goals_and_the_next_free_timepoints(form, case):
    values = form.values_of_case(case)
    assert values["goals.1.description"] == "Feel calmer at bedtime"
    assert values["goals.1.agreed"] == date(2026, 6, 1)
    assert values["goals.2.description"] == "" and values["gbo.responses.1"] is None
    assert values["sdq.timepoint"] == "review 1"  # the baseline is taken
    assert values["gbo.timepoint"] == "baseline"
    assert values["sdq.responses.1"] is None


def test_a_recorded_sdq_loaded_for_correction_and_saved_as_it_is_is_unchanged(form, case):
    (recorded,) = case.measures
    values = {**form.values_of_case(case), **form.correction(recorded, 0, "item 1 misread")}
    save = form.sdq_save(case, values)
    assert not isinstance(save, list)
    changes, note = save
    assert note == (
        "SDQ baseline (parent) of 2026-06-01 corrected in the workbench: item 1 misread"
    )
    again = form.over(case, changes)
    assert case_to_data(again) == case_to_data(case)


def test_an_sdq_with_no_items_is_refused_saying_why(form, case):
    values = {**form.values_of_case(case), "sdq.informant": "parent", "sdq.date": AS_OF}
    assert form.sdq_save(case, values) == [
        Problem(
            "",
            "",
            "Not saved: the SDQ cannot be scored yet.\n"
            "No items entered. Answer the items (at least 3 of the 5 in each scale) before saving.",
        )
    ]


def test_a_rating_without_its_goal_is_named_by_its_field_and_blank_goals_are_none(form, case):
    values = form.values_of_case(case)
    values["goals.2.description"] = "   "  # blank: no goal 2
    values["gbo.responses.2"] = 4
    values["gbo.date"] = AS_OF
    problems = form.goals_save(case, values, AS_OF)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["gbo.responses.2", ""]
    values["gbo.responses.2"] = None
    values["gbo.responses.1"] = 0  # a rating of 0 is a rating
    values["gbo.date"] = None
    assert [p.field for p in form.goals_save(case, values, AS_OF)] == ["gbo.date", ""]
    values["gbo.date"] = AS_OF
    changes, _note = form.goals_save(case, values, AS_OF)
    assert [g["number"] for g in changes["goals"]] == [1]
    assert changes["measures"][-1]["responses"] == {"1": 0}


def test_changing_a_recorded_measure_needs_one_chosen_and_a_reason(form, case):
    assert form.chosen(case, {"recorded.pick": None}) == [
        Problem("", "", "Choose a recorded measure first.")
    ]
    problems = form.chosen(case, {"recorded.pick": 0, "recorded.reason": "  "})
    assert [p.field for p in problems] == ["recorded.reason", ""]
    index, measure, reason = form.chosen(case, {"recorded.pick": 0, "recorded.reason": " typo "})
    assert (index, measure.measure, reason) == (0, "sdq", "typo")
    assert form.withdrawal(case, 0) == {"measures": []}
