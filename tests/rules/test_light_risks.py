"""The rules' risk flags worked out from a child's presenting behaviours alone
(``rules.light_risks``, what a summarised review reads from the work digest) are the flags
``evaluate`` gives from the whole case: hazard H25-05 (was O24-01)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tswt_formulation.model import case_from_data
from tswt_formulation.model.work import work_digest
from tswt_formulation.rules.eligibility import check_eligibility
from tswt_formulation.rules.light_risks import RiskRulePlan, digest_facts
from tswt_formulation.rules.recommend import evaluate, rule_path
from tswt_formulation.rules.rulefile import default_rules, load_rules

AS_OF = date(2026, 11, 20)
SHIPPED = (
    Path(__file__).resolve().parents[2] / "tswt_formulation/rules/data/recommendation_rules.yaml"
)


def _light(plan: RiskRulePlan, case) -> list[tuple]:
    facts = digest_facts(work_digest(case))
    assert facts is not None  # a digest written now always has the behaviours
    flagged = plan.flags(facts)
    if flagged is None:  # depends on which rules apply: the eligibility check decides
        flagged = plan.flags_on(facts, rule_path(check_eligibility(case).verdict))
    return [
        (b.behaviour, b.severity, b.frequency, b.sources, b.rules)
        for b in plan.risks(facts, flagged)
    ]


def _whole(rules, case) -> list[tuple]:
    return [
        (b.behaviour, b.severity, b.frequency, b.sources, b.rules)
        for b in evaluate(case, rules).risks
    ]


def test_the_light_flags_are_evaluates_for_every_demo_case():
    """Each child's flagged behaviours, in order, with the rules that flagged each."""
    from tswt_formulation.demo import generate_caseload

    rules = default_rules()
    plan = RiskRulePlan.of(rules)
    # Every shipped risk rule that can flag a behaviour reads the behaviours alone; the
    # recorded-risk rules (kind: risk) flag none.
    assert plan.heavy == () and plan.one_path
    assert {rules.rules[i].id for i in plan.light} == {
        "ineligible.risk",
        "risk.self_harm",
        "risk.harmful_sexual_behaviour",
        "risk.severe_aggression",
    }
    cases = generate_caseload(400, seed=11, as_of=AS_OF)
    flagged = 0
    for case in cases:
        light, whole = _light(plan, case), _whole(rules, case)
        assert light == whole, case.case_id
        flagged += bool(whole)
    assert flagged >= 20  # the demo has children the rules flag, not a vacuous equality


def test_an_ineligible_childs_behaviour_is_flagged_by_the_ineligible_rule(make_case_data):
    """Which rules apply decides the rule ids: the eligibility check itself is asked."""
    data = make_case_data("TSW-000900")
    data["child"]["legal_status"] = {"status": "child_in_need", "start": "2022-03-01"}
    case = case_from_data(data)
    assert check_eligibility(case).verdict != "eligible"
    plan = RiskRulePlan.of(default_rules())
    facts = digest_facts(work_digest(case))
    assert plan.flags(facts) is None  # eligible or not flags self-harm by different rules
    assert _light(plan, case) == _whole(default_rules(), case)
    assert [b[-1] for b in _light(plan, case)] == [("ineligible.risk",)]


@pytest.fixture
def team_rules(tmp_path):
    """The shipped rules with risk.self_harm only from age 12: a condition that reads more
    than the behaviours."""
    text = SHIPPED.read_text(encoding="utf-8")
    old = "  - id: risk.self_harm\n    condition: {kind: behaviour, behaviour: self_harm}\n"
    assert old in text
    new = (
        "  - id: risk.self_harm\n    condition: {kind: all, of: [{kind: behaviour, behaviour: self_harm}, "
        "{kind: age, at_least: 12}]}\n"
    )
    path = tmp_path / "team_rules.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_rules(path)


def test_a_risk_rule_reading_more_than_the_behaviours_asks_for_the_whole_case(
    team_rules, make_case_data
):
    plan = RiskRulePlan.of(team_rules)
    assert plan.heavy == ("risk.self_harm",) and plan.heavy_behaviours == {"self_harm"}
    case = case_from_data(make_case_data("TSW-000901"))  # self-harm, weekly
    assert plan.needs_case(digest_facts(work_digest(case)))
    data = make_case_data("TSW-000902")
    data["screening"]["presenting_behaviours"] = data["screening"]["presenting_behaviours"][1:]
    calm = case_from_data(data)  # sleep only: no rule could flag it
    assert not plan.needs_case(digest_facts(work_digest(calm)))
    assert _light(plan, calm) == _whole(team_rules, calm) == []


def test_a_digest_without_the_behaviours_is_not_taken_to_have_none():
    assert digest_facts(None) is None
    assert digest_facts({"case_id": "TSW-000903", "referral": {"received": "2026-01-02"}}) is None
    assert digest_facts({"case_id": "TSW-000903", "presenting_behaviours": []}).behaviours == {}
