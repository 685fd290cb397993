"""Drafting the 5 Ps from the screening: every entry says where it came from, and the
worker's narrative is never written for her."""

from __future__ import annotations

from datetime import datetime

from tswt_formulation.model import Formulation
from tswt_formulation.rules.draft import draft_formulation
from tswt_formulation.rules.recommend import recommend

from . import build_case

NOW = datetime(2026, 6, 2, 9, 30)

UNSETTLED = {
    "child": {"age": 13, "moves": 3, "months": 2, "breakdowns": [2]},
    "screening": {
        "life_story": "not_started",
        "history": ["neglect", "domestic_abuse"],
        "behaviours": [
            "self_harm moderate weekly carer school",
            "internalising_withdrawal moderate daily carer",
        ],
        "strengths": ["Loves drawing and shares pictures with the carer"],
    },
}


def refs(formulation: Formulation, part: str) -> list[str | None]:
    return [e.ref for e in getattr(formulation.five_ps, part)]


def test_five_ps_are_drafted_from_the_screening() -> None:
    f = draft_formulation(build_case(UNSETTLED), "Synthetic TSW", NOW)
    # One linked account each (O-02): the screening's behaviours with severity,
    # frequency and reporters in a sentence; the history woven to them as a hypothesis.
    assert refs(f, "presenting") == ["presenting:account"]
    assert f.five_ps.presenting[0].text.endswith(
        "The screening found self-harm, moderate and at least weekly, reported by carer and school "
        '("Synthetic evidence of self harm."); internalising (withdrawal), moderate and daily or more, '
        'reported by carer ("Synthetic evidence of internalising withdrawal.") (screening completed 1 Jun 2026).'
    )
    assert refs(f, "predisposing") == ["predisposing:account"]
    assert f.five_ps.predisposing[0].text.startswith(
        "The child's early experience of neglect and domestic abuse (history factors, screening completed "
        "1 Jun 2026, reported by social worker) may help explain the self-harm and internalising (withdrawal) seen now"
    )
    # The placement broke down and the child moved on 1 Apr 2026, after the referral
    # (2 Mar) and during the screening; three moves in the year.
    assert refs(f, "precipitating") == [
        "placement_breakdown:2026-04-01",
        "placement:start",
        "placement_moves",
    ]
    assert f.five_ps.precipitating[0].text.startswith(
        "The placement broke down on 1 Apr 2026, after the referral"
    )
    assert refs(f, "perpetuating") == [
        "placement_instability",
        "life_story_work:not_started",
        "risk:self_harm",
    ]
    assert refs(f, "protective") == ["strength:1", "caregiver:foster_carer"]
    every = [
        e
        for part in ("presenting", "predisposing", "precipitating", "perpetuating", "protective")
        for e in getattr(f.five_ps, part)
    ]
    assert all(e.origin == "screening" and e.ref for e in every)


def test_draft_status_narrative_and_recommendation() -> None:
    case = build_case(UNSETTLED)
    f = draft_formulation(case, "Synthetic TSW", NOW)
    rec = recommend(case)
    assert (f.status, f.revision, f.author, f.created, f.updated) == (
        "draft",
        0,
        "Synthetic TSW",
        NOW,
        NOW,
    )
    assert f.narrative == ""
    assert f.stage_evidence == rec.stage_evidence and f.stage_evidence.startswith(
        "Stage 1 (safety and containment): "
    )
    assert f.next_stage_readiness == rec.next_stage_readiness
    assert f.recommendation == rec.to_snapshot(NOW)
    assert f.decision is None and f.signoffs == []


def test_settled_child_has_protective_factors() -> None:
    case = build_case(
        {"screening": {"life_story": "completed", "strengths": ["Settled at school", "  "]}}
    )
    f = draft_formulation(case, "Synthetic TSW", NOW)
    assert refs(f, "protective") == [
        "strength:1",
        "caregiver:foster_carer",
        "placement:stable",
        "life_story_work:completed",
    ]
    # Nothing dated in the year before the referral: a prompt to ask, never "None recorded".
    assert refs(f, "perpetuating") == [] and refs(f, "precipitating") == ["precipitating:ask"]
    assert f.recommendation is not None and (f.recommendation.wave, f.recommendation.stage) == (
        1,
        4,
    )


def test_no_caregiver_able_to_take_part_perpetuates() -> None:
    f = draft_formulation(
        build_case(
            {
                "child": {
                    "placement": "childrens_home",
                    "caregiver": "residential_staff",
                    "takes_part": False,
                }
            }
        ),
        "W",
        NOW,
    )
    assert "caregiver:residential_staff:cannot_take_part" in refs(f, "perpetuating")
    g = draft_formulation(build_case({"child": {"caregiver": None}}), "W", NOW)
    assert "caregiver:none" in refs(g, "perpetuating")


def test_given_recommendation_is_used() -> None:
    case = build_case(UNSETTLED)
    rec = recommend(case, bands={"sdq.total.parent": "abnormal"})
    f = draft_formulation(case, "W", NOW, recommendation=rec)
    assert f.recommendation is not None
    assert "measure.sdq_abnormal" in [r.rule for r in f.recommendation.fired]


def test_ineligible_child_gets_a_draft_without_a_recommendation() -> None:
    case = build_case(
        {
            "child": {
                "status": "child_in_need",
                "placement": "home_with_parents",
                "caregiver": "birth_parent",
            },
            "referral": {"decision": "not_accepted"},
        }
    )
    f = draft_formulation(case, "W", NOW)
    assert f.recommendation is None and f.stage_evidence == "" and f.next_stage_readiness == ""
