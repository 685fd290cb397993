"""The recommendation rules against hand-written cases (cases/recommendation_cases.yaml),
and the shape of the Recommendation: reasons, snapshot, dict and text."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tswt_formulation.errors import RuleFileError
from tswt_formulation.rules.recommend import (
    NoRecommendation,
    Recommendation,
    default_as_of,
    evaluate,
    recommend,
)
from tswt_formulation.rules.rulefile import default_rules, load_rules

from . import build_case, case_data

TABLE = yaml.safe_load(
    (Path(__file__).parent / "cases" / "recommendation_cases.yaml").read_text(encoding="utf-8")
)["cases"]


def _recommend(row: dict[str, Any]) -> Recommendation:
    return recommend(build_case(row), bands=row.get("bands"))


@pytest.fixture(scope="module")
def results() -> dict[str, Recommendation]:
    return {row["name"]: _recommend(row) for row in TABLE}


def test_table_is_well_formed() -> None:
    names = [row["name"] for row in TABLE]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    for row in TABLE:
        assert row.get("why", "").strip(), f"{row['name']}: every case says why"
        assert set(row) <= {"name", "why", "child", "referral", "screening", "bands", "expect"}
        assert set(row["expect"]) <= {
            "wave",
            "stage",
            "wave_by",
            "stage_by",
            "services",
            "models",
            "signposting",
            "preconditions",
            "risks",
            "fired",
            "not_fired",
            "verdict",
            "recorded_risks",
            "out_of_date",
            "risk_assessed",
        }


@pytest.mark.parametrize("row", TABLE, ids=[row["name"] for row in TABLE])
def test_case(row: dict[str, Any]) -> None:
    rec = _recommend(row)
    expect = row["expect"]
    fired = [f.rule for f in rec.fired]
    if "wave" in expect:
        assert rec.wave == expect["wave"], rec.to_text()
    if "stage" in expect:
        assert rec.stage == expect["stage"], rec.to_text()
    if "wave_by" in expect:
        assert [f.rule for f in rec.fired if f.won_wave] == [expect["wave_by"]]
    if "stage_by" in expect:
        assert [f.rule for f in rec.fired if f.won_stage] == [expect["stage_by"]]
    for part in ("services", "models", "signposting"):
        if part in expect:
            assert list(getattr(rec, part)) == expect[part], f"{part}\n{rec.to_text()}"
    if "preconditions" in expect:
        assert len(rec.preconditions) == len(expect["preconditions"]), rec.preconditions
        for got, prefix in zip(rec.preconditions, expect["preconditions"]):
            assert got.startswith(prefix), rec.preconditions
    if "risks" in expect:
        assert [r.behaviour for r in rec.risks] == expect["risks"]
    assert rec.risk is not None
    if "recorded_risks" in expect:
        assert [r.kind for r in rec.risk.risks] == expect["recorded_risks"]
    if "out_of_date" in expect:
        assert [r.kind for r in rec.risk.out_of_date] == expect["out_of_date"]
    if "risk_assessed" in expect:
        assert rec.risk.assessed is expect["risk_assessed"]
    for rule in expect.get("fired", []):
        assert rule in fired, f"{rule} did not fire\n{rec.to_text()}"
    for rule in expect.get("not_fired", []):
        assert rule not in fired, f"{rule} fired\n{rec.to_text()}"
    if "verdict" in expect:
        assert rec.eligibility.verdict == expect["verdict"]


def test_every_rule_fires_in_some_case(results: dict[str, Recommendation]) -> None:
    fired = {f.rule for rec in results.values() for f in rec.fired}
    assert set(default_rules().ids) - fired == set()


def test_every_wave_stage_and_outcome_is_covered(results: dict[str, Recommendation]) -> None:
    assert {r.wave for r in results.values()} == {None, 1, 2, 3}
    assert {r.stage for r in results.values()} == {None, 1, 2, 3, 4}
    assert {r.eligibility.verdict for r in results.values()} == {
        "eligible",
        "not_eligible",
        "cannot_proceed",
    }
    assert any(r.preconditions and r.wave is not None for r in results.values())
    assert any(r.preconditions and r.wave is None for r in results.values())


def test_every_rule_has_won_at_least_once_where_it_can(results: dict[str, Recommendation]) -> None:
    """Each wave and stage rule is seen winning in some case, so conflicts are exercised."""
    winners = {f.rule for rec in results.values() for f in rec.fired if f.won_wave or f.won_stage}
    contested = {r.id for r in default_rules().rules if r.effect.wave or r.effect.stage}
    assert contested - winners == set()


# --- the Recommendation ------------------------------------------------------------------


def _row(name: str) -> dict[str, Any]:
    return next(row for row in TABLE if row["name"] == name)


def test_won_marks_winner_and_overruled_rules() -> None:
    rec = _recommend(_row("stage1_tie_goes_to_the_first_rule"))
    by_rule = {f.rule: f for f in rec.fired}
    assert by_rule["safety.placement_moves"].won_stage and by_rule["safety.placement_moves"].won
    assert not by_rule["safety.recent_breakdown"].won
    assert by_rule["safety.recent_breakdown"].effect == (
        "wave 2 (overruled by risk.self_harm); stage 1 (overruled by safety.placement_moves); services: sw_discussion_clinic"
    )
    assert by_rule["service.fostering_surgery"].won  # additive effects always take part
    assert rec.reasons_for("wave")[0].startswith(
        "Wave 3 targeted clinical assessment: self-harm reported at least weekly by carer"
    )


def test_reason_is_filled_from_the_facts() -> None:
    rec = _recommend(_row("self_harm_weekly_carer_and_school"))
    assert (
        rec.reasons_for("wave")[0]
        == "Wave 3 targeted clinical assessment: self-harm reported at least weekly by carer and school"
    )
    assert rec.reasons_for("services", "foundations_for_attachment") == [
        "Carer support and the Foundations for Attachment programme for the child's foster carer, who can take part, given a history of neglect"
    ]
    assert rec.reasons_for("risks") == [
        "Wave 3 targeted clinical assessment: self-harm reported at least weekly by carer and school"
    ]
    with pytest.raises(ValueError, match=r"^unknown part 'waves'; expected one of: wave, stage"):
        rec.reasons_for("waves")  # type: ignore[arg-type]


def test_risk_carries_the_screening_record() -> None:
    rec = _recommend(_row("severe_aggression_monthly"))
    (risk,) = rec.risks
    assert (risk.behaviour, risk.severity, risk.frequency, risk.sources) == (
        "acting_out_aggression",
        "severe",
        "monthly",
        ("carer", "school"),
    )
    assert risk.text == (
        "Acting out (aggression): severe, at least monthly, reported by carer and school. "
        "Evidence: Synthetic evidence of acting out aggression."
    )


def test_stage_evidence_and_readiness() -> None:
    rec = _recommend(_row("three_moves_in_twelve_months"))
    assert rec.stage_evidence.startswith(
        "Stage 1 (safety and containment): Placement instability: 3 placement moves"
    )
    assert rec.next_stage_readiness == (
        "Ready for stage 2 (relationships and connections) when: No further placement move for at least six months, "
        "with a care plan that names the placement as the child's home."
    )
    top = _recommend(_row("settled_mild_wave1_stage4"))
    assert top.next_stage_readiness.startswith("Stage 4 is the last stage")


def test_snapshot_round_trips_into_the_formulation_model() -> None:
    rec = _recommend(_row("severe_daily_dysregulation"))
    snap = rec.to_snapshot(datetime(2026, 6, 2, 10, 0))
    assert (snap.wave, snap.stage, snap.rules_version) == (3, 2, default_rules().version)
    assert snap.services == list(rec.services)
    assert [f.rule for f in snap.fired] == [f.rule for f in rec.fired]
    assert (
        sum(f.won for f in snap.fired if "wave" in f.effect and "(won)" in f.effect.split(";")[0])
        >= 1
    )


def test_snapshot_refused_for_an_ineligible_child() -> None:
    rec = _recommend(_row("child_in_need_at_home"))
    with pytest.raises(
        NoRecommendation,
        match=r"^TSW-000001: no recommendation to record; not eligible for the team",
    ):
        rec.to_snapshot(datetime(2026, 6, 2))


def test_as_dict_is_json_ready() -> None:
    rec = _recommend(_row("life_story_not_started_before_ddp"))
    data = json.loads(json.dumps(rec.as_dict()))
    assert data["wave"] == 2 and data["stage_name"] == "experiences and learning"
    assert data["models"] == [
        {
            "id": "ddp",
            "label": "Dyadic Developmental Psychotherapy (DDP)",
            "because": [
                {
                    "rule": "model.ddp",
                    "reason": "DDP with the child and their foster carer: relational trauma (neglect) showing as extreme dysregulation",
                }
            ],
        }
    ]
    assert data["preconditions"][0]["because"][0]["rule"] == "life_story.before_direct_work"


def test_text_puts_risks_first() -> None:
    text = _recommend(_row("harmful_sexual_behaviour_monthly")).to_text()
    assert (
        text.index("RISK\n") < text.index("Wave 3") < text.index("Stage 2") < text.index("Services")
    )
    assert (
        "  ! Harmful sexual behaviour: moderate, at least monthly, reported by school and social worker"
        in text
    )


def test_as_of_defaults_to_screening_completion_then_start_then_received() -> None:
    data = case_data({})
    assert default_as_of(build_case({})) == date(2026, 6, 1)
    del data["screening"]["completed"]
    from tswt_formulation.model import case_from_data

    assert default_as_of(case_from_data(data)) == date(2026, 4, 1)
    del data["screening"]
    assert default_as_of(case_from_data(data)) == date(2026, 3, 2)


def test_as_of_changes_what_counts_as_recent() -> None:
    case = build_case({"child": {"breakdowns": [5], "months": 5}})
    assert recommend(case).stage == 1
    # Four months on, the breakdown is nine months old and the placement not yet long-term.
    assert recommend(case, as_of=date(2026, 10, 1)).stage == 3


def test_deterministic_and_compiled_equals_interpreted() -> None:
    for row in TABLE:
        case = build_case(row)
        a = recommend(case, bands=row.get("bands"))
        assert a == recommend(case, bands=row.get("bands"))
        assert a == evaluate(case, default_rules(), bands=row.get("bands"), compiled=False)


def test_team_rules_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(
        'version: "team-1"\nrules:\n'
        "  - {id: all.wave2, condition: {kind: always}, effect: {wave: 2, stage: 3}, reason: Team default, "
        "readiness: Team readiness, rationale: Our team starts everyone at wave 2}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TSWT_RULES", str(team))
    rec = recommend(build_case({}))
    assert (rec.rules_version, rec.wave, rec.stage) == ("team-1", 2, 3)
    assert recommend(build_case({}), rules=default_rules()).rules_version == default_rules().version
    assert recommend(build_case({}), rules=load_rules(team)).wave == 2
    monkeypatch.setenv("TSWT_RULES", str(tmp_path / "missing.yaml"))
    with pytest.raises(
        RuleFileError, match=r"missing\.yaml: no such rules file \(named by TSWT_RULES\)$"
    ):
        recommend(build_case({}))
