"""The screening form model, no widgets: round trip, a bad value named by its row's
field, blank lines and blank evidence."""

from __future__ import annotations

from datetime import date

from tswt_formulation.model import case_to_data, vocabulary
from tswt_formulation.workbench.forms.screening import ScreeningForm

AS_OF = date(2026, 11, 20)


def in_vocabulary_order(data: dict, listed: str, key: str, terms: str) -> list:
    order = list(vocabulary()[terms].terms)
    return sorted(data["screening"][listed], key=lambda item: order.index(item[key]))


def test_a_case_read_into_the_form_and_back_is_unchanged(case):
    form = ScreeningForm(AS_OF)
    values = form.values_of_case(case)
    assert values["screening.history.neglect.chosen"] is True
    assert values["screening.history.neglect.sources"] == ["social_worker"]
    assert values["screening.history.physical_abuse.chosen"] is False
    assert values["screening.behaviour.self_harm.frequency"] == "weekly"
    assert values["screening.risk.self_harm.recorded"] == AS_OF  # a new risk's default
    assert values["screening.strengths"] == "Loves football\nWarm relationship with foster carer"
    again = form.apply(case, values)
    assert not isinstance(again, list)
    # exactly: the rows keep the record's order (in the vocabulary's, a save with nothing
    # typed wrote a version reordering them)
    assert case_to_data(again) == case_to_data(case)
    assert [b["behaviour"] for b in case_to_data(case)["screening"]["presenting_behaviours"]] != [
        b["behaviour"]
        for b in in_vocabulary_order(
            case_to_data(case), "presenting_behaviours", "behaviour", "presenting_behaviour"
        )
    ]  # the fixture's order is not the vocabulary's, so this test can fail


def test_a_bad_value_is_a_problem_naming_its_rows_field(case):
    form = ScreeningForm(AS_OF)
    values = form.values_of_case(case)
    values["screening.behaviour.self_harm.sources"] = []  # who saw it: at least one
    problems = form.apply(case, values)
    assert isinstance(problems, list) and len(problems) == 1
    # the record's list index, kept by term in the form
    assert problems[0].field.startswith("screening.presenting_behaviours[")
    assert form.field_for(problems[0].field) == "screening.behaviour.self_harm.sources"


def test_a_ticked_risk_needs_its_details_and_unticked_rows_are_left_out(case):
    form = ScreeningForm(AS_OF)
    values = form.values_of_case(case)
    values["screening.risk.going_missing.chosen"] = True  # ticked, nothing typed
    values["screening.history.neglect.chosen"] = False
    changes = form.changes(values)["screening"]
    assert [h["factor"] for h in changes["history_factors"]] == ["domestic_abuse"]
    assert changes["risks"] == [
        {
            "kind": "going_missing",
            "evidence": "",
            "reported_by": [],
            "recorded": "2026-11-20",
            "level": "low",
            "safety_plan": False,
            "safety_plan_holder": "",
        }
    ]
    problems = form.apply(case, values)
    assert isinstance(problems, list)
    assert [(form.field_for(p.field), p.message) for p in problems] == [
        (
            "screening.risk.going_missing.reported_by",
            "List should have at least 1 item after validation, not 0",
        ),
        ("screening.risk.going_missing.review_due", "missing: this field is required"),
    ]


def test_blank_lines_of_strengths_and_a_cleared_date(case):
    form = ScreeningForm(AS_OF)
    values = form.values_of_case(case)
    values["screening.strengths"] = "  \nLoves football  \n\n   "
    values["screening.completed"] = None
    again = form.apply(case, values)
    assert not isinstance(again, list)
    assert again.screening.strengths == ["Loves football"]
    assert again.screening.completed is None


def test_a_row_another_person_added_is_ticked_with_their_values():
    form = ScreeningForm(AS_OF)
    entry = {"factor": "neglect", "evidence": "Seen by school.", "sources": ["school"]}
    (row,) = form.added_rows({"screening.history_factors": [entry]})
    assert row == {
        "screening.history.neglect.chosen": True,
        "screening.history.neglect.evidence": "Seen by school.",
        "screening.history.neglect.sources": ["school"],
    }
