"""Issue 21, O-01: a formulation is not signed off, and work does not begin, past a risk
first step that is not recorded as done, unless the person says why (the reason kept with
the sign-off or the outcome and printed beside the step).

The record is TSW-900059's, built synthetic here: a 15-year-old at home on a child
protection plan, severe aggression rated high with no safety plan. The rules put "A
safety plan for severe aggression / risk to others ... before other work begins" first
(risk.no_safety_plan); it is a risk step. The family-therapy caution they also put first
is not (it holds back joint sessions, not the work). Only synthetic people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tswt_formulation.errors import OverrideError
from tswt_formulation.model import AcknowledgedStep, Case, case_from_data
from tswt_formulation.rules import draft_formulation, recommend, record_decision, submit
from tswt_formulation.rules.first_steps import is_risk_step
from tswt_formulation.rules.workflow import outstanding_risk_steps, record_outcome, sign_off

from ..reports.test_clinical_second_read import SAFETY_PLAN_STEP, _aggression_at_home

CASE = "TSW-000921"
REASON = "The social worker is agreeing the safety plan with the network this week; no direct work until it is held."
SIGNED = datetime(2026, 6, 8, 14, 0, tzinfo=UTC)


def _submitted(**extra: object) -> Case:
    """The case with its formulation drafted (2 Jun), accepted and submitted by the worker."""
    case = case_from_data(_aggression_at_home(**extra))
    made = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    f = draft_formulation(case, "c.mensah", made, recommendation=recommend(case))
    f = record_decision(f, CASE, "c.mensah", made, accept=True)
    case.formulation = submit(f, CASE, "c.mensah", screening_completed=date(2026, 6, 1))
    return case


def test_only_risk_steps_hold_up_sign_off() -> None:
    assert is_risk_step(SAFETY_PLAN_STEP)
    assert is_risk_step(
        "Safety planning with the network for the harmful sexual behaviour, before direct work begins"
    )
    assert is_risk_step("Review the out-of-date risk assessment: self-harm (high)")
    assert not is_risk_step("Life story work to be planned and under way before direct work begins")
    assert not is_risk_step(
        "Caution before family therapy with the birth parent: domestic abuse and parental substance or "
        "alcohol misuse recorded; agree with the child's social worker that joint sessions are safe"
    )
    # Of the two steps the rules put first for this record, the safety plan only.
    case = _submitted()
    assert outstanding_risk_steps(case, date(2026, 6, 8)) == [SAFETY_PLAN_STEP]


def test_approval_with_an_outstanding_safety_plan_is_refused_without_a_reason() -> None:
    case = _submitted()
    assert case.formulation is not None
    with pytest.raises(OverrideError) as err:
        sign_off(case.formulation, CASE, "dr.k.osei", SIGNED, True, "Agreed.", case=case)
    message = str(err.value)
    assert message.startswith(
        f'{CASE}: first step outstanding: "{SAFETY_PLAN_STEP}" is not recorded as done.'
    )
    assert f'tswt step {CASE} "STEP" --done DATE' in message
    assert "--outstanding-step-reason" in message
    # Returning it is never held up: the worker can be asked to see to the plan.
    back = sign_off(
        case.formulation, CASE, "dr.k.osei", SIGNED, False, "Safety plan first.", case=case
    )
    assert back.status == "returned" and back.signoffs[-1].outstanding_steps == []


def test_approval_with_a_reason_keeps_it_on_the_sign_off_beside_the_step() -> None:
    case = _submitted()
    assert case.formulation is not None
    f = sign_off(
        case.formulation,
        CASE,
        "dr.k.osei",
        SIGNED,
        True,
        "Agreed.",
        case=case,
        outstanding_reason=f"  {REASON} ",
    )
    assert f.status == "signed_off"
    assert f.signoffs[-1].outstanding_steps == [
        AcknowledgedStep(step=SAFETY_PLAN_STEP, reason=REASON)
    ]


def test_a_safety_plan_recorded_done_before_sign_off_needs_no_reason_and_refuses_one() -> None:
    done = [{"step": SAFETY_PLAN_STEP, "owner": "p.fraser", "done": "2026-06-05"}]
    case = _submitted(first_steps=done)
    assert case.formulation is not None
    f = sign_off(case.formulation, CASE, "dr.k.osei", SIGNED, True, "Agreed.", case=case)
    assert f.status == "signed_off" and f.signoffs[-1].outstanding_steps == []
    with pytest.raises(OverrideError, match="no risk first step is outstanding"):
        sign_off(
            case.formulation,
            CASE,
            "dr.k.osei",
            SIGNED,
            True,
            "Agreed.",
            case=case,
            outstanding_reason=REASON,
        )
    # Done only after the sign-off's day: still outstanding on that day.
    later = _submitted(first_steps=[{**done[0], "done": "2026-06-09"}])
    assert later.formulation is not None
    with pytest.raises(OverrideError, match="first step outstanding"):
        sign_off(later.formulation, CASE, "dr.k.osei", SIGNED, True, "Agreed.", case=later)


def test_beginning_work_with_an_outstanding_safety_plan_needs_a_reason() -> None:
    case = _submitted()
    case.outcome = None
    with pytest.raises(OverrideError) as err:
        record_outcome(case, "begin_work", "c.mensah", date(2026, 6, 10))
    assert str(err.value).startswith(f'{CASE}: first step outstanding: "{SAFETY_PLAN_STEP}"')
    assert "or begin work with a reason for going ahead while it is outstanding" in str(err.value)
    out = record_outcome(
        case, "begin_work", "c.mensah", date(2026, 6, 10), outstanding_reason=REASON
    )
    assert out.outstanding_steps == [AcknowledgedStep(step=SAFETY_PLAN_STEP, reason=REASON)]
    # Closing is never held up, and carries no such reason.
    closed = record_outcome(case, "close", "c.mensah", date(2026, 6, 10), "Needs met elsewhere.")
    assert closed.outstanding_steps == []
    with pytest.raises(OverrideError, match="it explains beginning work"):
        record_outcome(
            case,
            "close",
            "c.mensah",
            date(2026, 6, 10),
            "Needs met elsewhere.",
            outstanding_reason=REASON,
        )


def _report_first_line(case: Case, as_of: str) -> str:
    pytest.importorskip("pandas")
    from tswt_formulation.demo import demo_staff
    from tswt_formulation.reports.formulation import FormulationReport
    from tswt_formulation.store.staff import StaffDirectory

    staff = StaffDirectory(demo_staff())  # dr.k.osei is Dr K. Osei
    html = FormulationReport.from_case(case, as_of=as_of, staff=staff).recommendation_section().html
    line = next(li for li in html.split("<li") if 'class="first"' in li)
    return line


def test_the_signed_report_prints_the_reason_beside_the_step() -> None:
    case = _submitted()
    assert case.formulation is not None
    case.formulation = sign_off(
        case.formulation,
        CASE,
        "dr.k.osei",
        SIGNED,
        True,
        "Agreed.",
        case=case,
        outstanding_reason=REASON + " <b>",
    )
    line = _report_first_line(case, "2026-07-01")
    # Work began 10 Jun 2026 (the record's outcome); signed off 8 Jun 2026 by Dr K. Osei.
    assert (
        "before other work begins (OUTSTANDING: not recorded as done; work began 10 Jun 2026; "
        "signed off 8 Jun 2026 by Dr K. Osei with it outstanding, because: "
        + REASON
        + " &lt;b&gt;)"
    ) in line
    # The caution is not a risk step: nothing said about the sign-off beside it.
    assert line.count("with it outstanding") == 1


def test_a_sign_off_made_before_the_check_says_no_reason_was_recorded() -> None:
    # As TSW-900059 in the demo: approved "Agreed." with the safety plan outstanding,
    # before sign-off checked first steps. The report says so beside the step.
    case = _submitted()
    assert case.formulation is not None
    case.formulation = sign_off(case.formulation, CASE, "dr.k.osei", SIGNED, True, "Agreed.")
    line = _report_first_line(case, "2026-07-01")
    assert (
        "(OUTSTANDING: not recorded as done; work began 10 Jun 2026; signed off 8 Jun 2026 by "
        "Dr K. Osei with it outstanding, no reason recorded)"
    ) in line
    # Read as of a day before the sign-off, nothing is said of it.
    assert "signed off" not in _report_first_line(case, "2026-06-07")


def test_cli_signoff_and_begin_work_refuse_then_record_the_reason(tmp_path) -> None:
    from click.testing import CliRunner

    from tswt_formulation import open_store
    from tswt_formulation.cli import cli

    def run(*args: str):
        return CliRunner().invoke(cli, [*args, "--store", path])

    path = str(tmp_path / "s.sqlite")
    data = _aggression_at_home()
    data.pop("outcome")
    with open_store(path, create=True) as s:
        s.import_cases([case_from_data(data)])
    assert run("formulation", CASE, "--draft", "--user", "c.mensah").exit_code == 0
    assert run("decide", CASE, "--accept", "--user", "c.mensah").exit_code == 0
    assert run("submit", CASE, "--user", "c.mensah").exit_code == 0
    refused = run("signoff", CASE, "--approve", "--comment", "Agreed.", "--user", "dr.k.osei")
    assert refused.exit_code == 2, refused.output
    assert f'{CASE}: first step outstanding: "{SAFETY_PLAN_STEP}"' in refused.stderr
    assert "Traceback" not in refused.stderr
    ok = run(
        "signoff",
        CASE,
        "--approve",
        "--comment",
        "Agreed.",
        "--outstanding-step-reason",
        REASON,
        "--user",
        "dr.k.osei",
    )
    assert ok.exit_code == 0, ok.stderr
    began = run("outcome", CASE, "--begin-work", "--as-of", "2026-06-10", "--user", "c.mensah")
    assert began.exit_code == 2 and "first step outstanding" in began.stderr
    began = run(
        "outcome",
        CASE,
        "--begin-work",
        "--as-of",
        "2026-06-10",
        "--outstanding-step-reason",
        REASON,
        "--user",
        "c.mensah",
    )
    assert began.exit_code == 0, began.stderr
    with open_store(path) as s:
        case = s.get(CASE)
        notes = [e.note for e in s.audit_log(CASE)]
    assert case.formulation is not None
    assert case.formulation.signoffs[-1].outstanding_steps == [
        AcknowledgedStep(step=SAFETY_PLAN_STEP, reason=REASON)
    ]
    assert case.outcome is not None and case.outcome.outstanding_steps == [
        AcknowledgedStep(step=SAFETY_PLAN_STEP, reason=REASON)
    ]
    assert "signed off with 1 risk first step outstanding, reason given" in notes
    assert (
        "outcome of screening: begin work with 1 risk first step outstanding, reason given" in notes
    )


def test_the_workbench_asks_for_the_reason_and_keeps_it(store) -> None:
    pytest.importorskip("ipywidgets")
    from tswt_formulation import casework
    from tswt_formulation.workbench.signoff import SignoffQueueView

    data = _aggression_at_home()
    data.pop("outcome")
    store.import_cases([case_from_data(data)])
    casework.create_draft(store, CASE, user="c.mensah")
    casework.decide(store, CASE, True, user="c.mensah")
    casework.submit_for_signoff(store, CASE, user="c.mensah")
    view = SignoffQueueView(store, "dr.k.osei")
    view.open(CASE)
    assert view.outstanding.box.layout.display == ""  # shown: the safety plan is outstanding
    assert "First step outstanding, not recorded as done: A safety plan for severe aggression" in (
        view.steps_note.value
    )
    view.comment.widget.value = "Agreed."
    assert view.decide(True) is None
    assert "first step outstanding" in view.outstanding.error.value
    assert store.get(CASE).formulation.status == "awaiting_signoff"
    view.outstanding.widget.value = REASON
    assert view.decide(True) is not None, view.form.banner.value
    signed = store.get(CASE).formulation
    assert signed.status == "signed_off"
    assert signed.signoffs[-1].outstanding_steps == [
        AcknowledgedStep(step=SAFETY_PLAN_STEP, reason=REASON)
    ]


def test_a_safety_plan_done_after_work_began_and_sign_off_says_so() -> None:
    # As TSW-900059 in the demo: the plan is recorded done, but only after the sign-off
    # (8 Jun) and after work began (10 Jun): "done" alone would hide that.
    case = _submitted(
        first_steps=[{"step": SAFETY_PLAN_STEP, "owner": "c.mensah", "done": "2026-06-20"}]
    )
    assert case.formulation is not None
    case.formulation = sign_off(case.formulation, CASE, "dr.k.osei", SIGNED, True, "Agreed.")
    line = _report_first_line(case, "2026-07-01")
    assert (
        "before other work begins (done 20 Jun 2026 (C. Mensah); signed off 8 Jun 2026 by Dr K. Osei "
        "before it was done, no reason recorded; work began 10 Jun 2026 before it was done)"
    ) in line
