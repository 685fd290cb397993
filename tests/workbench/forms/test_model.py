"""The form model's plumbing, with no widget: record <-> field values, optional parts and
owned lists, where a problem lands, and the messages in the form's words; and that the
form-model modules never import ipywidgets."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from tswt_formulation.workbench.forms.model import FormModel, from_record, in_form_words, to_record


@pytest.mark.parametrize(
    ("kind", "stored", "shown"),
    [
        ("text", None, ""),
        ("text", "Loves football", "Loves football"),
        ("date", "2026-05-04", date(2026, 5, 4)),
        ("date", None, None),
        ("choice", None, None),
        ("choices", None, []),
        ("choices", ["carer"], ["carer"]),
        ("flag", None, False),
        ("number", None, 0),
        ("number", 2, 2),
    ],
)
def test_a_record_value_is_shown_as_its_kind_says(kind, stored, shown):
    assert from_record(kind, stored) == shown


def test_a_field_value_goes_back_as_the_record_holds_it():
    assert to_record(date(2026, 5, 4)) == "2026-05-04"
    assert to_record(("carer", "school")) == ["carer", "school"]
    assert to_record(None) is None
    assert to_record("") == ""


def model() -> FormModel:
    form = FormModel()
    form.declare("child.placement.type", "choice")
    form.declare("child.placement.start", "date")
    form.declare("child.placement.breakdowns[0].date", "date")
    form.declare("child.placement.breakdowns[0].note", "text")
    form.declare("referral.received", "date")
    form.groups = {
        "child.placement": "child.placement.type",
        "child.placement.breakdowns[0]": "child.placement.breakdowns[0].date",
    }
    form.lists = ["child.placement.breakdowns"]
    return form


def test_values_become_nested_record_data_empty_dates_left_out():
    values = {
        "child.placement.type": "foster_care",
        "child.placement.start": date(2025, 12, 1),
        "child.placement.breakdowns[0].date": None,  # no breakdown: the row is left out
        "child.placement.breakdowns[0].note": "",
        "referral.received": None,
    }
    assert model().record(values) == {
        "child": {"placement": {"type": "foster_care", "start": "2025-12-01", "breakdowns": []}}
    }
    assert model().cleared(values) == ["referral.received"]


def test_an_optional_part_left_empty_is_cleared_whole():
    values = {"child.placement.type": None, "child.placement.start": date(2025, 12, 1)}
    assert model().record(values) == {}
    assert model().cleared(values) == ["child.placement", "child.placement.type"]


def test_a_problem_lands_on_its_field_or_the_first_of_its_part():
    form = model()
    assert form.field_for("child.placement.start") == "child.placement.start"
    assert form.field_for("child.placement") == "child.placement.type"
    assert form.field_for("child.placement.breakdowns[0].date") == (
        "child.placement.breakdowns[0].date"
    )
    assert form.field_for("screening.completed") is None  # not in the form: the banner
    form.aliases = {"screening.risks[0]": "screening.risk.self_harm"}
    assert form.translate("screening.risks[0].level") == "screening.risk.self_harm.level"


def test_a_field_declared_twice_must_keep_its_kind():
    form = model()
    with pytest.raises(
        ValueError, match=r"^child\.placement\.start: declared as date, bound as text$"
    ):
        form.declare("child.placement.start", "text")
    with pytest.raises(ValueError, match=r"^x: no field kind 'colour'"):
        form.declare("x", "colour")


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("missing: this field is required", "Case id: required"),
        ("String should have at least 1 character", "Case id: required"),
        (
            "List should have at least 1 item after validation, not 0",
            "Case id: choose at least one",
        ),
        (
            "String should match pattern '^[A-Za-z0-9][A-Za-z0-9/_-]{0,39}$' (got '')",
            "Case id: required; letters, digits, / _ -",
        ),
        (
            "String should match pattern '^[A-Za-z0-9][A-Za-z0-9/_-]{0,39}$' (got '<b>')",
            "Case id: letters, digits, / _ - only, up to 40 characters, starting with a letter or digit",
        ),
    ],
)
def test_messages_are_said_in_the_forms_words(message, said):
    assert in_form_words(message, "Case id") == said


def test_the_form_model_modules_import_no_widgets():
    """Run apart: this process has imported ipywidgets for other tests."""
    code = (
        "import sys\n"
        "from tswt_formulation.workbench.forms import "
        "formulation, measures, model, records, referral, screening, signoff, work\n"
        "print('ipywidgets' in sys.modules, 'traitlets' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "False"]
