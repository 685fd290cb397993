"""Issue 21, the clinical third read: what a supervising clinical psychologist still found
wrong in the demo's reports after the second read. Each test's expected values are worked
from the rules file (tswt_formulation/rules/data/recommendation_rules.yaml), DOMAIN.md and
the record, not copied from our output. Only synthetic people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tswt_formulation.errors import OverrideError
from tswt_formulation.model import Case, case_from_data
from tswt_formulation.rules import draft_formulation, recommend, record_decision, submit
from tswt_formulation.rules.first_steps import is_risk_step
from tswt_formulation.rules.workflow import outstanding_risk_steps, sign_off

from .test_clinical_second_read import SAFETY_PLAN_STEP, _aggression_at_home

CASE = "TSW-000921"
MADE = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
SIGNED = datetime(2026, 6, 8, 14, 0, tzinfo=UTC)
# The family-therapy caution the rules also put first for this record (model.family_therapy_caution,
# not marked as risk steps): it holds back joint sessions, not the work.
CAUTION_START = "Caution before family therapy with the birth parent"


def _submitted() -> Case:
    case = case_from_data(_aggression_at_home())
    f = draft_formulation(case, "c.mensah", MADE, recommendation=recommend(case))
    f = record_decision(f, CASE, "c.mensah", MADE, accept=True)
    case.formulation = submit(f, CASE, "c.mensah", screening_completed=date(2026, 6, 1))
    return case


# --- item 6: a risk step is what the rule file says, not what its words suggest ---------------


def test_the_rule_file_marks_the_safety_plan_as_the_risk_step() -> None:
    # risk.no_safety_plan (risk_steps: true) makes the safety-plan step; the caution
    # (model.family_therapy_caution) is not marked. Both are preconditions.
    rec = recommend(case_from_data(_aggression_at_home()))
    assert SAFETY_PLAN_STEP in rec.preconditions
    assert any(p.startswith(CAUTION_START) for p in rec.preconditions)
    assert rec.risk_steps == (SAFETY_PLAN_STEP,)
    snap = _submitted().formulation.recommendation  # type: ignore[union-attr]
    assert snap is not None and snap.risk_steps == [SAFETY_PLAN_STEP]


def test_a_risk_step_whose_words_name_no_risk_still_holds_up_sign_off() -> None:
    # A team's rule marks as a risk step one that says nothing of "safety plan", "risk",
    # "safeguarding" or "substance misuse": it holds up approval all the same.
    step = "An adult agreed by the network meets the young person at the school gate each day, before other work begins"
    assert not is_risk_step(step)  # its wording alone would have let it through
    case = _submitted()
    assert case.formulation is not None and case.formulation.recommendation is not None
    snap = case.formulation.recommendation.model_copy(
        update={"preconditions": [step], "risk_steps": [step]}
    )
    case.formulation = case.formulation.model_copy(update={"recommendation": snap})
    assert is_risk_step(step, case.formulation)
    assert outstanding_risk_steps(case, SIGNED.date()) == [step]
    with pytest.raises(OverrideError, match="first step outstanding"):
        sign_off(case.formulation, CASE, "dr.k.osei", SIGNED, True, "Agreed.", case=case)


def test_a_step_the_rules_made_and_did_not_mark_does_not_hold_up_sign_off() -> None:
    # The rules said which of their steps manage a risk: one they did not mark is not
    # one, whatever its words ("risk" appears in this one).
    step = "Tell the school the risk of a change of teacher before the summer term"
    case = _submitted()
    snap = case.formulation.recommendation.model_copy(  # type: ignore[union-attr]
        update={"preconditions": [step], "risk_steps": []}
    )
    case.formulation = case.formulation.model_copy(update={"recommendation": snap})  # type: ignore[union-attr]
    assert not is_risk_step(step, case.formulation)
    assert outstanding_risk_steps(case, SIGNED.date()) == []


def test_an_old_formulation_without_marked_steps_falls_back_to_the_wording() -> None:
    # Recorded before the rules said which steps are risk steps (risk_steps absent).
    case = _submitted()
    snap = case.formulation.recommendation.model_copy(update={"risk_steps": None})  # type: ignore[union-attr]
    case.formulation = case.formulation.model_copy(update={"recommendation": snap})  # type: ignore[union-attr]
    assert outstanding_risk_steps(case, SIGNED.date()) == [SAFETY_PLAN_STEP]


def test_a_safety_plan_precondition_must_be_marked_as_a_risk_step(tmp_path) -> None:
    from tswt_formulation.rules.rulefile import check_rules_file

    body = (
        'version: "t1"\nrules:\n'
        '- {id: r.x, condition: {kind: always}, effect: {preconditions: ["A safety plan first"]}, '
        'reason: "r", rationale: y}\n'
    )
    path = tmp_path / "team.yaml"
    path.write_text(body, encoding="utf-8")
    problems = [str(p) for p in check_rules_file(path)]
    assert any("risk_steps" in p and "mark it risk_steps: true" in p for p in problems), problems


# --- item 4: the appendix says what each rule asked for in the step's own words ----------------


def test_the_appendix_shows_each_rules_first_step_not_a_count() -> None:
    from tswt_formulation.reports.formulation import FormulationReport

    case = _submitted()
    report = FormulationReport.from_case(case, as_of="2026-06-08")
    appendix = report.how_reached().html
    assert "preconditions: 1" not in appendix
    # risk.no_safety_plan asked for stage 1 and the safety plan, marked as a risk step.
    assert "first (a risk step): " + SAFETY_PLAN_STEP in appendix
