"""Properties of the recommendation over generated valid cases (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tswt_formulation.model import vocabulary
from tswt_formulation.rules.recommend import LIST_PARTS, Recommendation, evaluate, recommend
from tswt_formulation.rules.rulefile import default_rules

from . import build_case

VOC = vocabulary()
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def terms(name: str) -> list[str]:
    return list(VOC[name].terms)


behaviour_spec = st.tuples(
    st.sampled_from(terms("severity")),
    st.sampled_from(terms("frequency")),
    st.lists(st.sampled_from(terms("source")), min_size=1, max_size=3, unique=True),
)


@st.composite
def compact_cases(draw: st.DrawFn) -> dict[str, Any]:
    status = draw(st.sampled_from(terms("legal_status")))
    age = draw(st.integers(16, 25) if status == "care_leaver" else st.integers(0, 19))
    consent = draw(st.sampled_from([*[True] * 8, False, "uninformed"]))
    approval = draw(st.sampled_from([*[True] * 9, False]))
    decisions = (
        ["accepted", "accepted", "pending", "not_accepted"]
        if consent is True and approval
        else ["pending", "not_accepted"]
    )
    behaviours = draw(
        st.dictionaries(st.sampled_from(terms("presenting_behaviour")), behaviour_spec, max_size=4)
    )
    child = {
        "status": status,
        "age": age,
        "placement": draw(st.sampled_from([None, *terms("placement_type")])),
        "months": draw(st.integers(0, 72)),
        "moves": draw(st.integers(0, 6)),
        "breakdowns": draw(st.lists(st.integers(0, 24), max_size=3)),
        "caregiver": draw(st.sampled_from([None, *terms("caregiver")])),
        "takes_part": draw(st.booleans()),
        "independent": draw(st.booleans()),
        "otherwise_in_care": draw(st.booleans()),
    }
    return {
        "child": child,
        "referral": {
            "consent": consent,
            "approval": approval,
            "decision": draw(st.sampled_from(decisions)),
            "nd_requested": draw(st.booleans()),
        },
        "screening": {
            "life_story": draw(st.sampled_from(terms("life_story_work"))),
            "history": draw(
                st.lists(st.sampled_from(terms("history_factor")), unique=True, max_size=5)
            ),
            "behaviours": [
                f"{b} {sev} {freq} {' '.join(src)}" for b, (sev, freq, src) in behaviours.items()
            ],
        },
        "bands": draw(
            st.sampled_from(
                [None, {"sdq.total.parent": "abnormal"}, {"sdq.total.teacher": "borderline"}]
            )
        ),
    }


def assert_explained(rec: Recommendation) -> None:
    assert all(f.reason.strip() and "{" not in f.reason for f in rec.fired)
    if rec.eligibility.verdict == "eligible":
        assert rec.wave in (1, 2, 3) and rec.stage in (1, 2, 3, 4)
        assert sum(f.won_wave for f in rec.fired) == 1 and sum(f.won_stage for f in rec.fired) == 1
        assert rec.reasons_for("wave") and rec.reasons_for("stage")
        assert rec.stage_evidence.startswith(f"Stage {rec.stage} (") and rec.next_stage_readiness
    else:
        assert rec.wave is None and rec.stage is None and not rec.services and not rec.models
        assert rec.stage_evidence == rec.next_stage_readiness == ""
    for part in LIST_PARTS:
        for item in getattr(rec, part):
            assert rec.reasons_for(part, item), f"{part} {item} has no rule explaining it"  # type: ignore[arg-type]
        assert len(set(getattr(rec, part))) == len(getattr(rec, part))
    for risk in rec.risks:
        assert risk.rules and risk.sources and risk.severity and risk.frequency


@SETTINGS
@given(compact_cases())
def test_every_valid_case_gets_a_complete_explained_recommendation(compact: dict[str, Any]) -> None:
    rec = recommend(build_case(compact), bands=compact["bands"])
    assert_explained(rec)
    if rec.eligibility.verdict == "eligible":
        rec.to_snapshot(__import__("datetime").datetime(2026, 6, 2))
    assert rec.to_text().startswith(f"Recommendation for {rec.case_id}")


@SETTINGS
@given(
    compact_cases(),
    st.sampled_from(["self_harm", "harmful_sexual_behaviour", "acting_out_aggression"]),
    behaviour_spec,
)
def test_adding_a_risk_behaviour_never_lowers_the_wave(
    compact: dict[str, Any], risk: str, spec: tuple[str, str, list[str]]
) -> None:
    before = recommend(build_case(compact), bands=compact["bands"])
    sev, freq, src = spec
    if risk == "acting_out_aggression":
        sev = "severe"
    behaviours = [b for b in compact["screening"]["behaviours"] if not b.startswith(risk + " ")]
    compact["screening"]["behaviours"] = [*behaviours, f"{risk} {sev} {freq} {' '.join(src)}"]
    after = recommend(build_case(compact), bands=compact["bands"])
    assert (after.wave or 0) >= (before.wave or 0)
    assert risk in [r.behaviour for r in after.risks]
    if after.eligibility.verdict == "eligible":
        assert after.wave == 3


@SETTINGS
@given(compact_cases())
def test_recommend_is_deterministic_and_compiled_matches_interpreted(
    compact: dict[str, Any],
) -> None:
    case = build_case(compact)
    first = recommend(case, bands=compact["bands"])
    assert first == recommend(case, bands=compact["bands"])
    assert first.as_dict() == recommend(case, bands=compact["bands"]).as_dict()
    assert first == evaluate(case, default_rules(), bands=compact["bands"], compiled=False)
