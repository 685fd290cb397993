"""The referral form model, no widgets: a case read into field values and back is the
same case; a bad value is a problem naming its field; empty and blank inputs."""

from __future__ import annotations

from datetime import date

from tswt_formulation.model import case_to_data
from tswt_formulation.workbench.forms.referral import ReferralForm, next_case_id


def test_a_case_read_into_the_form_and_back_is_unchanged(case):
    form = ReferralForm()
    values = form.values_of_case(case)
    assert values["child.date_of_birth"] == date(2014, 6, 15)
    assert values["child.legal_status_history[0].status"] == "child_protection_plan"
    assert values["child.placement.breakdowns[1].date"] is None  # one breakdown recorded
    assert values["referral.consent.informed"] is True
    assert values["referral.decision.alternatives"] == []
    again = form.to_case(values, case)
    assert not isinstance(again, list)
    assert case_to_data(again) == case_to_data(case)
    assert again._version == case._version  # a stale save is still refused


def test_a_bad_value_is_a_problem_naming_its_field(case):
    form = ReferralForm()
    values = form.values_of_case(case)
    values["child.case_management_ref"] = "<b>not a reference</b>"
    problems = form.to_case(values, case)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["child.case_management_ref"]
    assert form.field_for(problems[0].field) == "child.case_management_ref"


def test_a_new_referral_starts_pending_received_today_and_needs_its_child():
    form = ReferralForm()
    values = form.new_values("TSW-000007", date(2026, 11, 20))
    assert values["case_id"] == "TSW-000007"
    assert values["referral.received"] == date(2026, 11, 20)
    assert values["referral.decision.outcome"] == "pending"
    assert values["child.sex"] == "female"  # the first of the list, as the form opens
    assert values["child.date_of_birth"] is None and values["referral.reasons"] == ""
    problems = form.to_case(values)
    assert isinstance(problems, list)
    fields = {form.field_for(p.field) for p in problems}
    assert {"child.case_management_ref", "child.date_of_birth"} <= fields
    assert form.as_typed(values) is None  # no date of birth or legal status yet: no eligibility


def test_empty_and_blank_inputs(case):
    form = ReferralForm()
    values = form.values_of_case(case)
    values["child.case_management_ref"] = "   "  # blank is not a reference
    values["child.placement.type"] = None  # "none recorded": the placement goes, whole
    values["referral.consent.date"] = None  # a date cleared is saved cleared
    problems = form.to_case(values, case)
    assert isinstance(problems, list)
    assert {p.field for p in problems} == {"child.case_management_ref", "referral.consent.date"}
    values["child.case_management_ref"] = "SYNTH-4711"
    values["referral.consent.date"] = date(2026, 5, 1)
    saved = form.to_case(values, case)
    assert not isinstance(saved, list)
    assert saved.child.placement is None  # "none recorded": the placement goes, whole
    values["referral.consent.given_by"] = None  # no consent: its date and answer go with it
    (problem,) = form.to_case(values, case)  # accepted without consent
    assert problem.field == "referral.consent"
    assert form.field_for(problem.field) == "referral.consent.given_by"  # its first field


def test_the_panel_reads_the_referral_before_it_is_complete(case):
    form = ReferralForm()
    values = form.values_of_case(case)
    values["case_id"] = ""  # not typed yet
    values["referral.allocation.date"] = None  # allocation half filled in
    typed = form.as_typed(values)
    assert typed is not None and typed.child.date_of_birth == date(2014, 6, 15)


def test_the_next_case_id_is_one_more_than_the_highest():
    assert next_case_id(["TSW-000009", "TSW-000123", "OTHER-1"]) == "TSW-000124"
    assert next_case_id([]) == "TSW-000001"
