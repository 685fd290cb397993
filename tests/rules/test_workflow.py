"""The formulation workflow: decision and overrides with reasons, sign-off, re-signing
after change, every version kept, and the signed-off version used by default."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tswt_formulation.errors import OverrideError
from tswt_formulation.model import Formulation, Override, RecommendationSnapshot
from tswt_formulation.model.formulation import FiveP, FormulationEntry
from tswt_formulation.rules.workflow import (
    edit_formulation,
    effective_recommendation,
    record_decision,
    record_outcome,
    sign_off,
    submit,
)

T0 = datetime(2026, 6, 27, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 6, 28, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
SCREENED = date(2026, 6, 20)  # a submission needs the screening completed


@pytest.fixture
def draft() -> Formulation:
    rec = RecommendationSnapshot(
        rules_version="test",
        made=T0,
        wave=3,
        stage=1,
        services=["fostering_surgery", "direct_work"],
        models=["ddp"],
        preconditions=["Life story work under way before direct work"],
        signposting=[],
    )
    return Formulation(
        author="c.mensah",
        created=T0,
        updated=T0,
        recommendation=rec,
        five_ps=FiveP(presenting=[FormulationEntry(text="Self-harm weekly", origin="screening")]),
    )


def test_accept_keeps_suggestion_and_decision(draft):
    f = record_decision(draft, "TSW-000123", "c.mensah", T1, accept=True)
    assert f.decision.accepted and f.decision.by == "c.mensah" and f.decision.at == T1
    assert f.recommendation == draft.recommendation
    assert (
        effective_recommendation(f)["wave"] == 3 and effective_recommendation(f)["overridden"] == {}
    )
    assert (f.revision, f.status) == (1, "draft")


def test_override_needs_a_reason_and_valid_value(draft):
    with pytest.raises(
        OverrideError, match=r"^TSW-000123: override of stage: a reason is required$"
    ):
        record_decision(
            draft,
            "TSW-000123",
            "c.mensah",
            T1,
            accept=False,
            overrides=[Override(part="stage", value=2, reason="  ")],
        )
    with pytest.raises(
        OverrideError, match=r"^TSW-000123: override of wave: 4 is not a wave \(1, 2 or 3\)$"
    ):
        record_decision(
            draft,
            "TSW-000123",
            "c.mensah",
            T1,
            accept=False,
            overrides=[Override(part="wave", value=4, reason="x")],
        )
    with pytest.raises(
        OverrideError, match=r"^TSW-000123: override of services: unknown service 'yoga'"
    ):
        record_decision(
            draft,
            "TSW-000123",
            "c.mensah",
            T1,
            accept=False,
            overrides=[Override(part="services", value=["yoga"], reason="x")],
        )
    with pytest.raises(OverrideError, match=r"^TSW-000123: to override, say which part"):
        record_decision(draft, "TSW-000123", "c.mensah", T1, accept=False)
    with pytest.raises(
        OverrideError,
        match=r"^TSW-000123: accept the recommendation or override parts of it, not both$",
    ):
        record_decision(
            draft,
            "TSW-000123",
            "c.mensah",
            T1,
            accept=True,
            overrides=[Override(part="stage", value=2, reason="x")],
        )


def test_override_is_applied_and_explained(draft):
    f = record_decision(
        draft,
        "TSW-000123",
        "c.mensah",
        T1,
        accept=False,
        overrides=[
            Override(part="stage", value=2, reason="Placement has held for 5 months; carer engaged")
        ],
    )
    eff = effective_recommendation(f)
    assert eff["stage"] == 2 and eff["wave"] == 3
    assert eff["overridden"]["stage"] == {
        "suggested": 1,
        "chosen": 2,
        "reason": "Placement has held for 5 months; carer engaged",
        "by": "c.mensah",
        "at": T1,
    }


def test_signoff_rules(draft):
    with pytest.raises(OverrideError, match=r"has not yet recorded a decision"):
        sign_off(draft, "TSW-000123", "dr.ahmed", T1, approve=True)
    f = submit(
        record_decision(draft, "TSW-000123", "c.mensah", T1, accept=True),
        "TSW-000123",
        screening_completed=SCREENED,
    )
    assert f.status == "awaiting_signoff"
    with pytest.raises(
        OverrideError,
        match=r"^TSW-000123: c\.mensah wrote, decided on or submitted this formulation and cannot sign it off",
    ):
        sign_off(f, "TSW-000123", "c.mensah", T2, approve=True)
    with pytest.raises(OverrideError, match=r"returning a formulation needs a comment"):
        sign_off(f, "TSW-000123", "dr.ahmed", T2, approve=False)
    returned = sign_off(
        f,
        "TSW-000123",
        "dr.ahmed",
        T2,
        approve=False,
        comment="Say more about the perpetuating factors",
    )
    assert (
        returned.status == "returned"
        and returned.signoffs[-1].comment == "Say more about the perpetuating factors"
    )
    with pytest.raises(
        OverrideError,
        match=r"^TSW-000123: the formulation is returned for changes, not submitted; the worker submits it first",
    ):
        sign_off(returned, "TSW-000123", "dr.ahmed", T2, approve=True)
    approved = sign_off(
        submit(returned, "TSW-000123", screening_completed=SCREENED),
        "TSW-000123",
        "dr.ahmed",
        T2,
        approve=True,
    )
    assert (
        approved.status == "signed_off"
        and approved.signoffs[-1].formulation_revision == approved.revision
    )


def test_change_after_signoff_needs_signing_again(draft):
    decided = record_decision(draft, "TSW-000123", "c.mensah", T1, accept=True)
    with pytest.raises(OverrideError, match=r"the formulation is a draft, not submitted"):
        sign_off(decided, "TSW-000123", "dr.ahmed", T2, approve=True)
    f = sign_off(
        submit(decided, "TSW-000123", screening_completed=SCREENED),
        "TSW-000123",
        "dr.ahmed",
        T2,
        approve=True,
    )
    edited = edit_formulation(
        f, "c.mensah", T2, narrative="The worker's own words, kept verbatim <b>as typed</b>."
    )
    assert edited.status == "draft" and edited.revision == f.revision + 1
    assert edited.signoffs == f.signoffs  # the history of sign-offs stays
    assert edited.narrative == "The worker's own words, kept verbatim <b>as typed</b>."
    assert (
        edit_formulation(f, "c.mensah", T2, narrative=f.narrative) is f
    )  # no change, no new revision


def test_every_version_kept_and_signed_off_used_by_default(store, make_case_data, draft):
    from tswt_formulation.model import case_from_data

    data = make_case_data()
    store.import_cases([case_from_data(data)])
    case = store.get("TSW-000123")
    case.formulation = draft
    case = store.save(case, user="c.mensah")
    case.formulation = record_decision(case.formulation, case.case_id, "c.mensah", T1, accept=True)
    case = store.save(case, user="c.mensah")
    case.formulation = sign_off(
        submit(case.formulation, case.case_id, screening_completed=SCREENED),
        case.case_id,
        "dr.ahmed",
        T2,
        approve=True,
    )
    case = store.save(case, user="dr.ahmed")
    case.formulation = edit_formulation(
        case.formulation, "c.mensah", T2, narrative="New thinking after the review meeting."
    )
    store.save(case, user="c.mensah")
    versions = store.formulation_versions("TSW-000123")
    assert [(e.user, f.status, f.revision) for e, f in versions] == [
        ("c.mensah", "draft", 0),
        ("c.mensah", "draft", 1),
        ("dr.ahmed", "signed_off", 1),
        ("c.mensah", "draft", 2),
    ]
    signed = store.signed_off_formulation("TSW-000123")
    assert signed is not None and signed.status == "signed_off" and signed.narrative == ""
    assert store.get("TSW-000123").formulation.narrative == "New thinking after the review meeting."


def test_outcome_of_screening(make_case_data):
    from tswt_formulation.model import case_from_data

    data = make_case_data()
    data.pop("outcome")
    case = case_from_data(data)
    with pytest.raises(OverrideError, match=r"closing needs the reasons"):
        record_outcome(case, "close", "c.mensah", date(2026, 7, 1))
    out = record_outcome(
        case,
        "close",
        "c.mensah",
        date(2026, 7, 1),
        "Needs met by carer consultation",
        ["cluster_services"],
    )
    assert out.decision == "close" and out.alternatives == ["cluster_services"]


def test_a_submission_needs_the_screening_completed(draft):
    decided = record_decision(draft, "TSW-000123", "c.mensah", T1, accept=True)
    with pytest.raises(
        OverrideError,
        match=r"^TSW-000123: a submission needs the screening completed .*not completed$",
    ):
        submit(decided, "TSW-000123", screening_completed=None)
    assert submit(decided, "TSW-000123", screening_completed=SCREENED).status == "awaiting_signoff"
