"""The sign-off form's model, no widgets."""

from __future__ import annotations

from tswt_formulation.errors import OverrideError
from tswt_formulation.workbench.forms.signoff import SignoffForm


def test_each_formulation_is_read_with_an_empty_comment_and_reason(case):
    assert SignoffForm().values_of_case(case) == {"comment": "", "outstanding_reason": ""}


def test_a_decision_gives_what_was_typed_and_a_refusal_names_its_field():
    form = SignoffForm()
    assert form.decision({"comment": "Thin on strengths.", "outstanding_reason": ""}) == {
        "comment": "Thin on strengths.",
        "outstanding_reason": "",
    }
    refused = form.problems(OverrideError("returning needs a comment", field="comment"))
    assert [(p.field, p.message) for p in refused.problems] == [
        ("comment", "returning needs a comment")
    ]
