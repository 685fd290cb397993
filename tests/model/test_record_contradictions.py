"""The record refuses only what is impossible or contradictory, naming the field; a
referral the team cannot take (over age, outside every eligible status) is recorded and
eligibility decides. Expected values are worked by hand from docs/domain.md."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tswt_formulation import check_eligibility
from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case_from_data


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        case_from_data(data)
    return [f"{p.field}: {p.message}" for p in info.value.problems]


def test_over_age_care_leaver_is_recorded_and_not_eligible(full_case_data: dict[str, Any]) -> None:
    """A care leaver of 26 at referral: a real referral, recorded; not eligible (up to 25),
    with the reason and signposting, exactly as any other ineligible referral."""
    data = copy.deepcopy(full_case_data)
    data["child"]["date_of_birth"] = "2000-01-10"  # 26 on 2026-05-04
    data["child"]["legal_status"] = {"status": "care_leaver", "start": "2018-01-10"}
    data["child"]["legal_status_history"] = [
        {"status": "looked_after", "start": "2012-03-01", "end": "2018-01-10"}
    ]
    data["referral"]["consent"]["given_by"] = "child"  # an adult consents for themself
    data["referral"]["decision"] = {
        "outcome": "not_accepted",
        "date": "2026-05-12",
        "reasons": "Past the team's age range.",
    }
    del data["referral"]["allocation"]
    (
        data.pop("screening"),
        data.pop("measures"),
        data.pop("goals", None),
        data.pop("formulation", None),
        data.pop("outcome", None),
    )
    case = case_from_data(data)
    decision = check_eligibility(case)
    assert decision.outcome == "not_eligible"
    assert any(r.rule.startswith("age.") for r in decision.reasons)
    assert decision.signposting  # somewhere to go instead


def test_child_outside_every_eligible_status_is_recorded(full_case_data: dict[str, Any]) -> None:
    data = copy.deepcopy(full_case_data)
    data["child"]["legal_status"] = {"status": "child_in_need", "start": "2022-03-01"}
    data["referral"]["consent"]["given_by"] = (
        "parent"  # a child at home: a parent with parental responsibility
    )
    data["referral"]["decision"] = {
        "outcome": "not_accepted",
        "date": "2026-05-12",
        "reasons": "Child in need at home.",
    }
    del data["referral"]["allocation"]
    (
        data.pop("screening"),
        data.pop("measures"),
        data.pop("goals", None),
        data.pop("formulation", None),
        data.pop("outcome", None),
    )
    decision = check_eligibility(case_from_data(data))
    assert decision.outcome == "not_eligible"
    assert "cluster_services" in decision.signposting


def test_date_of_birth_in_the_future_is_refused(full_case_data: dict[str, Any]) -> None:
    data = copy.deepcopy(full_case_data)
    data["child"]["date_of_birth"] = "2099-01-01"
    assert any(
        p.startswith("child.date_of_birth: 2099-01-01 is in the future") for p in _problems(data)
    )


def test_birth_after_the_referral_is_refused(full_case_data: dict[str, Any]) -> None:
    data = copy.deepcopy(full_case_data)
    data["child"]["date_of_birth"] = "2026-05-10"  # referral received 2026-05-04
    assert "referral.received: 2026-05-04 is before child.date_of_birth 2026-05-10" in _problems(
        data
    )


def test_history_period_without_end_overlaps_the_current_status(
    full_case_data: dict[str, Any],
) -> None:
    data = copy.deepcopy(full_case_data)
    data["child"]["legal_status_history"][0].pop("end")
    assert (
        "child.legal_status.start: 2022-03-01 overlaps child.legal_status_history[0] "
        "(child_protection_plan from 2020-09-10, which has no end date)"
    ) in _problems(data)


def test_adjacent_legal_status_periods_do_not_overlap(full_case_data: dict[str, Any]) -> None:
    # The full case: child protection plan 2020-09-10 to 2022-03-01, looked after from 2022-03-01.
    case_from_data(copy.deepcopy(full_case_data))


def test_breakdown_on_the_day_the_placement_began_is_accepted(
    full_case_data: dict[str, Any],
) -> None:
    data = copy.deepcopy(full_case_data)
    data["child"]["placement"]["breakdowns"][0]["date"] = data["child"]["placement"]["start"]
    case_from_data(data)


def _risk(**over: Any) -> dict[str, Any]:
    risk = {
        "kind": "self_harm",
        "level": "high",
        "reported_by": ["carer"],
        "recorded": "2026-06-01",
        "review_due": "2026-07-01",
        "safety_plan": True,
        "safety_plan_holder": "the child's social worker",
    }
    risk.update(over)
    return risk


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        (
            _risk(review_due="2026-05-01"),
            "screening.risks[0].review_due: 2026-05-01 is before screening.risks[0].recorded 2026-06-01",
        ),
        (
            _risk(safety_plan_holder=" "),
            "screening.risks[0].safety_plan_holder: missing: say who holds the safety plan (a role, e.g. the child's social worker)",
        ),
        (
            _risk(safety_plan=False),
            "screening.risks[0].safety_plan: is false, but safety_plan_holder is given; set safety_plan to true or clear the holder",
        ),
        (
            _risk(recorded="2013-01-01"),
            "screening.risks[0].recorded: 2013-01-01 is before child.date_of_birth 2014-06-15",
        ),
    ],
)
def test_risk_contradictions_are_refused(
    full_case_data: dict[str, Any], risk: dict[str, Any], expected: str
) -> None:
    data = copy.deepcopy(full_case_data)
    data["screening"]["risks"] = [risk]
    assert expected in _problems(data)


def test_a_risk_kind_is_recorded_once(full_case_data: dict[str, Any]) -> None:
    data = copy.deepcopy(full_case_data)
    data["screening"]["risks"] = [_risk(), _risk(level="low")]
    assert (
        "screening.risks[1].kind: self_harm is recorded twice; record it once, with its latest level and review date"
        in _problems(data)
    )


def test_unknown_risk_kind_names_the_vocabulary(full_case_data: dict[str, Any]) -> None:
    data = copy.deepcopy(full_case_data)
    data["screening"]["risks"] = [_risk(kind="arson")]
    assert any(
        p.startswith(
            "screening.risks[0].kind: unknown risk kind 'arson'; expected one of: self_harm, suicidal_ideation_or_attempt,"
        )
        for p in _problems(data)
    )


def test_a_stored_record_from_before_the_stricter_checks_still_loads(
    tmp_path, full_case_data: dict[str, Any]
) -> None:
    """A store written before breakdown order was checked must not lock a child's record
    away: it loads and shows; a new import of the same contradiction is refused."""
    import json

    import sqlalchemy as sa

    from tswt_formulation import open_store
    from tswt_formulation.store import schema

    path = tmp_path / "old.sqlite"
    with open_store(str(path), create=True) as s:
        s.import_cases([case_from_data(copy.deepcopy(full_case_data))])
    legacy = copy.deepcopy(full_case_data)
    legacy["child"]["placement"]["breakdowns"][0]["date"] = (
        "2026-01-10"  # after the placement began (2025-12-01)
    )
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            sa.update(schema.cases)
            .where(schema.cases.c.case_id == "TSW-000123")
            .values(record=json.dumps(legacy))
        )
    engine.dispose()
    with open_store(str(path)) as s:
        case = s.get("TSW-000123")
    assert case.child.placement is not None
    assert str(case.child.placement.breakdowns[0].date) == "2026-01-10"
    assert any("a breakdown ends an earlier placement" in p for p in _problems(legacy))


def test_risk_of_an_unscreened_case_is_never_reassured(full_case_data: dict[str, Any]) -> None:
    """No completed screening: 'Risk not yet assessed', never 'no risk'; a referral not
    accepted says who holds the risk instead of promising a screening."""
    from datetime import date

    from tswt_formulation.rules.risk import risk_status

    data = copy.deepcopy(full_case_data)
    for key in ("screening", "measures", "goals", "formulation", "outcome"):
        data.pop(key, None)
    status = risk_status(case_from_data(data), date(2026, 7, 1))
    assert not status.assessed and status.summary.startswith(
        "Risk not yet assessed: no screening has been completed."
    )
    assert "no risk" not in status.summary.lower()
    data["referral"]["decision"] = {
        "outcome": "not_accepted",
        "date": "2026-05-12",
        "reasons": "Outside criteria.",
    }
    del data["referral"]["allocation"]
    status = risk_status(case_from_data(data), date(2026, 7, 1))
    assert status.summary == (
        "Risk not yet assessed: the referral was not accepted, so the team has not screened. "
        "Risk stays with the social worker, who holds the case."
    )


def test_risk_out_of_date_is_judged_on_the_date_given(full_case_data: dict[str, Any]) -> None:
    from datetime import date

    from tswt_formulation.rules.risk import risk_status

    data = copy.deepcopy(full_case_data)
    data["screening"]["risks"] = [_risk(review_due="2026-07-01")]
    case = case_from_data(data)
    on_time, late = risk_status(case, date(2026, 7, 1)), risk_status(case, date(2026, 7, 2))
    assert (
        not on_time.risks[0].out_of_date and late.risks[0].out_of_date
    )  # due on the day is not yet late
    assert (
        late.risks[0].dated
        == "recorded 1 Jun 2026 at screening; OUT OF DATE: review was due 1 Jul 2026"
    )
    assert on_time.risks[0].dated == "recorded 1 Jun 2026 at screening; review due 1 Jul 2026"
    assert late.summary == "1 risk recorded, highest high; 1 out of date."
