"""The caseload review of a large caseload (issue 24): above the threshold it is summarised
from the store's light tables, listing by name exactly the children who need action and
counting everyone else per worker; a child with a safety reason is never folded away.

The caseload is built here, child by child, from the hand-written full case, so every
expected count below is worked from what each child was given, not read from a report."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tswt_formulation.casework import change_staff, record_cases
from tswt_formulation.model import Case, case_from_data
from tswt_formulation.reports.review import CaseloadReview
from tswt_formulation.reports.review_summary import SummarisedReview
from tswt_formulation.store.staff import StaffMember

AS_OF = date(2026, 12, 1)
CONSTANTS = str(
    Path(__file__).resolve().parents[2]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "demo_constants.yaml"
)
FLAGGED = "TSW-910013"  # self-harm recorded as a presenting behaviour, no risk item
SHIPPED_RULES = (
    Path(__file__).resolve().parents[2] / "tswt_formulation/rules/data/recommendation_rules.yaml"
)
REVIEWER_NAME = "Dr <b>Bold</b> & Co"  # staff text: must come out escaped
COMMENT = "Please say more <script>alert(1)</script> & why"


SAFETY = ("high risk", "no safety plan", "risk review overdue", "risk flagged by the rules")


def _risk(level: str, plan: bool, review_due: str) -> dict:
    return {
        "kind": "self_harm",
        "level": level,
        "reported_by": ["carer"],
        "recorded": "2026-06-20",
        "evidence": "Cuts seen by carer.",
        "safety_plan": plan,
        "safety_plan_holder": "the child's social worker" if plan else "",
        "review_due": review_due,
    }


# The full case's baseline SDQ (parent, P4-17) totals 25: emotional 10, conduct 3,
# hyperactivity 9, peer 3. Every difficulty item at its worst (reverse-keyed 7, 11, 14, 21,
# 25 at 0) totals 40: 15 points worse, past the demo constants' 7.2 for the parent total.
WORST = {str(i): (0 if i in (7, 11, 14, 21, 25) else 2) for i in range(1, 26)}


def _caseload(make_case_data) -> tuple[list[Case], dict[str, set[str]]]:
    """Thirteen children; returns the cases and, by reason, who needs action. Only the
    thirteenth keeps the full case's self-harm as a presenting behaviour (the others have
    sleep alone), and has no risk item: the rules flag it (risk.self_harm)."""
    cases: list[Case] = []
    by_reason: dict[str, set[str]] = {}

    def add(n: int, worker: str, change=None, reasons: tuple[str, ...] = ()) -> None:
        data = make_case_data(f"TSW-91{n:04d}")
        if n != 13:
            scr = data["screening"]
            scr["presenting_behaviours"] = [
                b for b in scr["presenting_behaviours"] if b["behaviour"] != "self_harm"
            ]
        data["referral"]["allocation"]["worker"] = worker
        data["conclusion"]["by"] = worker
        data["referral"]["approval"]["by"] = "t.harper"  # a login, as the directory holds
        if change:
            change(data)
        cases.append(case_from_data(data))
        for r in reasons:
            by_reason.setdefault(r, set()).add(data["case_id"])

    def risks(*items):
        return lambda d: d["screening"].__setitem__("risks", list(items))

    # Five children with a safety reason: more than the threshold of 3 used below.
    add(1, "c.mensah", risks(_risk("high", True, "2027-01-10")), ("high risk",))
    add(2, "c.mensah", risks(_risk("high", True, "2027-02-10")), ("high risk",))
    add(3, "a.okafor", risks(_risk("high", False, "2027-01-10")), ("high risk", "no safety plan"))
    add(4, "a.okafor", risks(_risk("medium", False, "2027-01-10")), ("no safety plan",))
    add(5, "a.okafor", risks(_risk("low", True, "2026-11-01")), ("risk review overdue",))
    # A medium risk with a plan in date: a recorded risk, counted, not listed.
    add(6, "c.mensah", risks(_risk("medium", True, "2027-01-10")))

    def worse(d):
        d["measures"].append(
            {
                "measure": "sdq",
                "version": "P4-17",
                "informant": "parent",
                "date": "2026-10-01",
                "timepoint": "review 1",
                "responses": {**d["measures"][0]["responses"], **WORST},
            }
        )

    add(7, "a.okafor", worse, ("reliable deterioration",))

    def in_screening(overdue: bool):
        def change(d):
            d["referral"].update(
                received="2026-07-01" if overdue else "2026-10-20",
                consent={
                    **d["referral"]["consent"],
                    "date": "2026-07-01" if overdue else "2026-10-20",
                },
                approval={
                    **d["referral"]["approval"],
                    "date": "2026-07-01" if overdue else "2026-10-20",
                },
                decision={"outcome": "accepted", "date": "2026-07-05" if overdue else "2026-10-25"},
            )
            d["referral"]["allocation"]["date"] = "2026-07-10" if overdue else "2026-11-10"
            d["screening"]["started"] = "2026-07-12" if overdue else "2026-11-12"
            for key in ("completed",):
                d["screening"].pop(key)
            for key in ("conclusion", "sdq_not_completed"):
                d.pop(key)
            d["measures"], d["goals"] = [], []

        return change

    # Screening started 12 Jul 2026, not complete by 1 Dec: past its six weeks.
    add(8, "c.mensah", in_screening(True), ("screening overdue",))
    # Started 12 Nov 2026: due within its six weeks, not overdue, not listed.
    add(9, "c.mensah", in_screening(False))
    add(10, "a.okafor")  # nothing to act on
    add(11, "c.mensah")  # nothing to act on
    add(12, "a.okafor", None, ("formulation returned",))
    _returned(cases[-1])
    add(13, "c.mensah", None, ("risk flagged by the rules",))
    return cases, by_reason


def _returned(case: Case) -> None:
    """A formulation drafted, decided, submitted and returned by the psychologist."""
    from tswt_formulation.rules import (
        draft_formulation,
        edit_formulation,
        recommend,
        record_decision,
        sign_off,
        submit,
    )

    day = datetime(2026, 6, 27, 9, tzinfo=UTC)
    rec = recommend(case, as_of=day.date())
    form = draft_formulation(case, author="a.okafor", now=day, recommendation=rec)
    form = edit_formulation(form, "a.okafor", day.replace(hour=10), narrative="A narrative.")
    form = record_decision(form, case.case_id, "a.okafor", day.replace(hour=11), accept=True)
    form = submit(form, case.case_id, by="a.okafor", screening_completed=date(2026, 6, 26))
    form = sign_off(
        form,
        case.case_id,
        "dr.x",
        datetime(2026, 7, 1, 15, tzinfo=UTC),
        approve=False,
        comment=COMMENT,
    )
    case.formulation = form


@pytest.fixture
def review_store(tmp_path, make_case_data):
    from tswt_formulation import open_store

    cases, by_reason = _caseload(make_case_data)
    store = open_store(str(tmp_path / "review.sqlite"), user="it.admin", create=True)
    change_staff(
        store,
        [
            StaffMember("it.admin", "I. Admin", "administrator"),
            StaffMember("t.harper", "T. Harper", "team_manager"),
            StaffMember("c.mensah", "C. Mensah", "therapeutic_social_worker"),
            StaffMember("a.okafor", "A. Okafor", "therapeutic_social_worker"),
            StaffMember("dr.x", REVIEWER_NAME, "clinical_psychologist"),
        ],
    )
    record_cases(store, cases, restore=True)
    yield store, by_reason
    store.close()


def _listed(html: str) -> set[str]:
    return set(re.findall(r"<td>(TSW-91\d{4})</td>", html))


@pytest.mark.parametrize("children_at_once", [20_000, 2])
def test_summarised_review_lists_exactly_the_children_who_need_action(
    review_store, monkeypatch, children_at_once
):
    """Change is worked out a slice of children at a time: slices of 2 give the same."""
    monkeypatch.setattr("tswt_formulation.reports.review_data._SLICE", children_at_once)
    store, by_reason = review_store
    review = CaseloadReview.from_store(
        store, AS_OF, constants=CONSTANTS, author="t.harper", summarise_above=3
    )
    assert isinstance(review, SummarisedReview)
    need = set().union(*by_reason.values())
    assert {a.case_id for a in review.actions} == need
    assert {a.case_id: set(a.reasons) for a in review.actions} == {
        cid: {r for r, ids in by_reason.items() if cid in ids} for cid in need
    }
    # Each count once, as worked above.
    assert review.counts == {
        "risk": 7,  # six with a safety reason and the medium risk with a plan in date
        "safety": 6,  # 1-5 and 13 (self-harm the rules flag, no risk item recorded)
        "reliable deterioration": 1,
        "screening overdue": 1,
        "formulation returned": 1,
        "sign-off waiting": 0,
    }
    # Six children with a safety reason, past the threshold of 3: every one is named in
    # the risk section, none folded into a count.
    safety = set().union(*(by_reason[r] for r in SAFETY))
    risks_html = review.risks().html
    assert _listed(risks_html) == safety
    assert "1 other child with a recorded risk" in risks_html
    # The others who need action are in "Who to discuss first"; nobody else is named there.
    assert _listed(review.first().html) == need - safety
    # The per-worker table counts the rest: 13 children, 7 of c.mensah's and 6 of a.okafor's.
    workers = review.by_worker().html
    assert _listed(workers) == set()
    six = r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>"
    states, needs, formulations = workers.split("</table>")[:3]
    rows = re.findall(six, states)
    assert sorted(rows) == [
        # worker, children, in screening, in work, closed, listed (need action)
        ("A. Okafor", "6", "0", "6", "0", "5"),  # 3, 4, 5, 7, 12 listed; 10 not
        ("C. Mensah", "7", "2", "5", "0", "4"),  # 1, 2, 8, 13 listed; 6, 9, 11 not
    ]
    assert sorted(re.findall(six, needs)) == [
        # worker, recorded risk, screening overdue, reliable deterioration, no reliable
        # improvement after 6 months (work began 30 Jun 2026: 5 months), no measure since
        # 31 Aug 2026 (only the 1 Jun baseline, but for 7's review on 1 Oct)
        ("A. Okafor", "3", "0", "1", "0", "5"),  # risks 3, 4, 5; 7 worse; in work 3, 4, 5, 10, 12
        # risks 1, 2, 6 recorded, 13 flagged; 8 overdue; in work 1, 2, 6, 11, 13
        ("C. Mensah", "4", "1", "0", "0", "5"),
    ]
    assert "1 returned (oldest 153 days ago)" in formulations  # returned 1 Jul 2026
    assert "tswt caseload --worker LOGIN --json" in workers
    assert _listed(review.not_on_track().html) == by_reason["reliable deterioration"]


def test_summarised_review_escapes_staff_text(review_store):
    store, _ = review_store
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=3)
    flags = review.supervision_flags().html
    assert _listed(flags) == {"TSW-910012"}
    assert "<script>" not in flags and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; why" in flags
    assert "<b>Bold</b>" not in flags and "Dr &lt;b&gt;Bold&lt;/b&gt; &amp; Co" in flags


def test_a_small_caseload_is_reviewed_child_by_child(review_store):
    """At or below the threshold the review is the one a team manager reads today."""
    store, _ = review_store
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=13)
    assert type(review) is CaseloadReview and len(review.cases) == 13


def test_only_the_other_reasons_are_capped_never_a_safety_reason(review_store, monkeypatch):
    """With no room at all for the other reasons, every child with a safety reason is still
    named; the others are counted, with where their full list is."""
    monkeypatch.setattr("tswt_formulation.reports.review_summary.LIST_AT_MOST", 0)
    store, by_reason = review_store
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=3)
    safety = set().union(*(by_reason[r] for r in SAFETY))
    assert _listed(review.risks().html) == safety and len(safety) == 6
    first = review.first().html
    assert _listed(first) == set()
    # TSW-910007 (deterioration), -08 (screening overdue), -12 (returned): one each, cut.
    assert "1 more with reliable deterioration first; 1 more with screening overdue first" in first
    assert "1 more with formulation returned first" in first
    assert _listed(review.supervision_flags().html) == set()
    not_on_track = review.not_on_track().html
    assert _listed(not_on_track) == set()
    assert "1 child with reliable deterioration (as counted on the first page)" in not_on_track


def test_issue_23_sections_say_where_their_figures_are_never_zero_of_nobody(review_store):
    """Issue 23's sections read every case, which a summarised review does not load: they
    must not report "0 children" from an empty list, but say where the figures are."""
    store, _ = review_store
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=3)
    below = review.below_expected().html
    assert "tswt caseload --below-expected" in below and "13 children" in below
    assert "0 children" not in below
    assert "analysis.added_value(store)" in review.added_value().html


# -- hazard H25-05 (was O24-01): a behaviour the rules flag as a risk, no risk item -------


def _flags(risks) -> list[tuple[str, tuple[str, ...]]]:
    return [(b.behaviour, b.rules) for b in risks]


def test_a_behaviour_the_rules_flag_is_listed_though_no_risk_was_recorded(review_store):
    """TSW-910013 has self-harm (moderate, weekly) as a presenting behaviour and no risk
    item: the full review lists it as a risk (risk.self_harm), and so does the summary,
    from the behaviours in the work digest (no case read whole)."""
    store, _ = review_store
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=3)
    assert isinstance(review, SummarisedReview) and review.light.read_whole == 0
    assert _flags(review.light.flagged[FLAGGED]) == [("self_harm", ("risk.self_harm",))]
    assert set(review.light.flagged) == {FLAGGED}
    (line,) = [a for a in review.actions if a.case_id == FLAGGED]
    assert line.reasons == ("risk flagged by the rules",) and line.safety
    assert line.risk == "Self-harm (moderate); flagged by the rules: self-harm (risk.self_harm)"
    html = review.risks().html
    assert FLAGGED in _listed(html) and "risk.self_harm" in html
    assert "7 children with a risk recorded or flagged by the rules (6 with" in review.first().html
    # The full review of the same store says the same of every child.
    full = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=13)
    assert {k: _flags(r.risks) for k, r in full.recommendations.items() if r.risks} == {
        k: _flags(v) for k, v in review.light.flagged.items()
    }
    assert full.counts["risk"] == review.counts["risk"] == 7


@pytest.mark.parametrize(
    "old", ["json_remove(work, '$.presenting_behaviours')", "NULL"], ids=["no key", "no digest"]
)
def test_a_digest_from_before_the_behaviours_were_kept_reads_the_case_whole(review_store, old):
    """A digest written before this change lacks the behaviours: the child is read whole
    and evaluated, never taken to have none."""
    store, _ = review_store
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE cases SET work = {old} WHERE case_id = ?", (FLAGGED,))
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=3)
    assert review.light.read_whole == 1
    assert _flags(review.light.flagged[FLAGGED]) == [("self_harm", ("risk.self_harm",))]
    assert FLAGGED in _listed(review.risks().html)


@pytest.mark.parametrize("age, flagged", [(12, True), (13, False)])
def test_a_team_risk_rule_reading_more_than_the_behaviours_is_evaluated_on_the_whole_case(
    review_store, tmp_path, monkeypatch, age, flagged
):
    """A team's risk.self_harm only from an age (the child is 12 at the screening's end,
    26 Jun 2026): the one child with self-harm is read whole and gets the full review's
    answer, flagged from 12 and not from 13."""
    text = SHIPPED_RULES.read_text(encoding="utf-8")
    old = "  - id: risk.self_harm\n    condition: {kind: behaviour, behaviour: self_harm}\n"
    assert old in text
    new = (
        "  - id: risk.self_harm\n    condition: {kind: all, of: [{kind: behaviour, behaviour: "
        f"self_harm}}, {{kind: age, at_least: {age}}}]}}\n"
    )
    team = tmp_path / "team_rules.yaml"
    team.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setenv("TSWT_RULES", str(team))
    store, _ = review_store
    review = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=3)
    assert review.light.read_whole == 1  # only TSW-910013 has self-harm
    full = CaseloadReview.from_store(store, AS_OF, constants=CONSTANTS, summarise_above=13)
    expected = {k: _flags(r.risks) for k, r in full.recommendations.items() if r.risks}
    assert {k: _flags(v) for k, v in review.light.flagged.items()} == expected
    assert (FLAGGED in expected) is flagged
    assert (FLAGGED in _listed(review.risks().html)) is flagged


def test_the_summarised_flags_are_the_full_reviews_on_a_demo_store(
    store, demo_cases, make_case_data
):
    """Every child of a demo caseload, and a child in need who is not eligible: the flags
    from the digests (with the eligibility check on the child and referral where it
    decides the rules) are the full review's."""
    from tswt_formulation.measures.outcomes import baseline_bands
    from tswt_formulation.reports.review_data import rule_risks
    from tswt_formulation.rules.recommend import recommend

    data = make_case_data("TSW-000777")
    data["child"]["legal_status"] = {"status": "child_in_need", "start": "2022-03-01"}
    store.import_cases([*demo_cases, case_from_data(data)], workflow_state=True)
    light, whole = rule_risks(store, set(store.case_ids()), store.work_digests(), AS_OF)
    assert whole == 0 and len(light) >= 5
    assert _flags(light["TSW-000777"]) == [("self_harm", ("ineligible.risk",))]
    cases = list(store.cases())
    bands = baseline_bands(cases)
    full = {
        c.case_id: _flags(recommend(c, bands=bands[c.case_id], risk_as_of=AS_OF).risks)
        for c in cases
    }
    assert {k: _flags(v) for k, v in light.items()} == {k: v for k, v in full.items() if v}
