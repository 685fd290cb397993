"""Issue 21, the clinical second read: what a supervising psychologist found unsafe or
wrong in the demo's reports, each pinned with expected values worked by hand from
DOMAIN.md and the record (not from our output). The rule-table cases are in
tests/rules/cases/recommendation_cases.yaml and tests/data/eligibility_cases.yaml; these
are the parts that live in reports and summaries. Only synthetic people.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tswt_formulation.model import Case, case_from_data
from tswt_formulation.rules.recommend import recommend
from tswt_formulation.rules.summary import summarise, summary_text
from tswt_formulation.words import uk_date, young_person

from ..rules import case_data

SAFETY_PLAN_STEP = (
    "A safety plan for severe aggression / risk to others, agreed with the network and held by a named "
    "person, before other work begins"
)


def _aggression_at_home(**extra: object) -> dict:
    """A 15-year-old at home on a child protection plan (as TSW-900059): severe aggression
    rated high with no safety plan; screening completed 2026-06-01; work began 2026-06-10."""
    data = case_data(
        {
            "child": {
                "age": 15,
                "status": "child_protection_plan",
                "placement": "home_with_parents",
                "caregiver": "birth_parent",
            },
            "screening": {
                "history": ["domestic_abuse", "parental_substance_misuse"],
                "behaviours": ["acting_out_aggression severe monthly child school"],
                "risks": [
                    {
                        "kind": "severe_aggression",
                        "level": "high",
                        "by": ["school"],
                        "review_in_days": 60,
                    }
                ],
            },
        },
        "TSW-000921",
    )
    data["outcome"] = {"decision": "begin_work", "date": "2026-06-10", "by": "Synthetic TSW"}
    data.update(extra)
    return data


def test_a_safety_plan_step_not_recorded_done_is_outstanding_once_work_began() -> None:
    # Risk.no_safety_plan names the safety plan as a first step; the record has no done
    # date for it and work began on 10 Jun 2026: the summary must say it is outstanding.
    case = case_from_data(_aggression_at_home())
    rec = recommend(case)
    assert SAFETY_PLAN_STEP in rec.preconditions
    first = next(
        ln.text
        for ln in summarise(rec, case=case, as_of=date(2026, 7, 1)).lines
        if ln.topic == "first"
    )
    assert (
        f"{SAFETY_PLAN_STEP[:1].lower()}{SAFETY_PLAN_STEP[1:]} (OUTSTANDING: not recorded as done; work began 10 Jun 2026)"
        in first
    )


def test_a_first_step_recorded_done_says_when_and_who() -> None:
    case = case_from_data(
        _aggression_at_home(
            first_steps=[
                {"step": SAFETY_PLAN_STEP + ".", "owner": "P. Fraser", "done": "2026-06-05"}
            ]
        )
    )
    first = next(
        ln.text
        for ln in summarise(recommend(case), case=case, as_of=date(2026, 7, 1)).lines
        if ln.topic == "first"
    )
    assert "before other work begins (done 5 Jun 2026 (P. Fraser))" in first
    # Read on a date before it was done, it was still outstanding then.
    before = next(
        ln.text
        for ln in summarise(recommend(case), case=case, as_of=date(2026, 6, 2)).lines
        if ln.topic == "first"
    )
    assert "before other work begins (OUTSTANDING: not recorded as done)" in before


def test_family_therapy_with_a_birth_parent_after_domestic_abuse_carries_a_caution() -> None:
    case = case_from_data(_aggression_at_home())
    rec = recommend(case)
    assert "family_therapy" in rec.models
    caution = [
        p
        for p in rec.preconditions
        if p.startswith("Caution before family therapy with the birth parent")
    ]
    assert caution == [
        (
            "Caution before family therapy with the birth parent: domestic abuse and parental substance or alcohol misuse "
            "recorded; agree with the child's social worker that joint sessions are safe for the child (the abuse or "
            "misuse is not current, or is managed) before they begin"
        )
    ]


def test_the_summary_text_shows_the_caution_and_the_outstanding_step() -> None:
    case = case_from_data(_aggression_at_home())
    out = summary_text(recommend(case), case=case, as_of=date(2026, 7, 1))
    assert (
        out.count("OUTSTANDING: not recorded as done; work began 10 Jun 2026") == 2
    )  # the safety plan and the caution


def test_consent_from_the_local_authority_for_a_child_at_home_is_said_in_the_summary() -> None:
    data = case_data(
        {
            "child": {
                "age": 12,
                "status": "child_protection_plan",
                "placement": "home_with_parents",
                "caregiver": "birth_parent",
            },
            "referral": {"consent_by": "local_authority", "decision": "pending"},
        },
        "TSW-000920",
    )
    rec = recommend(case_from_data(data))
    assert rec.eligibility.outcome == "cannot_proceed"
    reason = next(r.text for r in rec.eligibility.reasons if r.rule == "proceed.consent_not_valid")
    assert reason == (
        "The local authority (corporate parent) cannot consent for a child aged 12 living at home on a child "
        "protection plan: consent is needed from a parent with parental responsibility. The referral cannot "
        "proceed until it is recorded"
    )


def test_an_old_record_without_the_new_fields_still_loads() -> None:
    data = _aggression_at_home()
    data["child"]["caregiver"].pop("young_person_wants_involved", None)
    data["referral"]["consent"].pop("gillick_competent", None)
    case = case_from_data(data)
    assert case.child.caregiver is not None and case.referral.consent is not None
    assert case.child.caregiver.young_person_wants_involved is None
    assert case.referral.consent.gillick_competent is False
    assert case.first_steps == []


@pytest.mark.parametrize(
    ("day", "shown"),
    [(date(2026, 12, 7), "7 Dec 2026"), (date(2025, 1, 31), "31 Jan 2025"), (None, "-")],
)
def test_uk_date(day: date | None, shown: str) -> None:
    assert uk_date(day) == shown


@pytest.mark.parametrize(
    ("age", "word"), [(15, "child"), (16, "young person"), (23, "young person")]
)
def test_young_person_from_16(age: int, word: str) -> None:
    assert young_person(age) == word


def _closed_after_screening() -> dict:
    """A looked-after 12-year-old (as TSW-900049): screened, closed on 5 Jun 2026."""
    data = case_data(
        {
            "child": {"age": 12},
            "screening": {"behaviours": ["regulatory_sleep mild monthly carer"]},
        },
        "TSW-000949",
    )
    data["outcome"] = {
        "decision": "close",
        "date": "2026-06-05",
        "by": "Synthetic TSW",
        "reasons": "Needs met through carer consultation.",
    }
    return data


def test_outcomes_of_a_case_closed_after_screening_say_work_did_not_begin() -> None:
    pytest.importorskip("pandas")
    from tswt_formulation.reports.outcomes import OutcomesReport

    report = OutcomesReport.from_case(case_from_data(_closed_after_screening()), as_of="2026-12-07")
    msg = report.flags().plain
    assert msg == (
        "Work did not begin: the case was closed after screening on 5 Jun 2026 (Needs met through carer "
        "consultation). Progress is judged only over work; the scores in this report are the screening's."
    )
    assert "Not yet judged" not in report.flags().html


def test_months_in_the_placement_are_counted_to_the_report_date() -> None:
    pytest.importorskip("pandas")
    from tswt_formulation.reports.formulation import FormulationReport

    # Placed 30 months before the screening completed (2026-06-01): 2023-12-01. By the
    # report date 2026-12-07 that is 36 whole months, not the 30 the rules saw.
    case = case_from_data(_closed_after_screening())
    assert case.child.placement is not None and case.child.placement.start == date(2023, 12, 1)
    report = FormulationReport.from_case(case, as_of="2026-12-07")
    assert "Foster care since 1 Dec 2023, 36 months by 7 Dec 2026" in report.child().html
    assert "The child in brief" in report.child().html  # 12 on the report date


def test_a_young_person_of_16_is_not_called_the_child() -> None:
    pytest.importorskip("pandas")
    from tswt_formulation.reports.formulation import FormulationReport

    case = case_from_data(case_data({"child": {"age": 16}}, "TSW-000916"))
    report = FormulationReport.from_case(case, as_of="2026-06-01")
    assert "The young person in brief" in report.child().html


# --- the caseload review contradicts itself no more ------------------------------------------


def _risky(risks: list[dict], case_id: str = "TSW-000930") -> Case:
    return case_from_data(case_data({"child": {"age": 14}, "screening": {"risks": risks}}, case_id))


def test_a_high_risk_or_a_missing_safety_plan_is_never_folded_away() -> None:
    from tswt_formulation.reports.supervision import risk_of

    # High harmful sexual behaviour (plan held), low suicidal ideation with NO plan, and a
    # medium going missing with its plan in date: the first two are named, only the
    # third may be counted as "+1 more" (as TSW-900006's suicidal ideation was hidden).
    case = _risky(
        [
            {"kind": "harmful_sexual_behaviour", "level": "high", "plan": "the social worker"},
            {"kind": "suicidal_ideation_or_attempt", "level": "low"},
            {"kind": "going_missing", "level": "medium", "plan": "the social worker"},
        ]
    )
    _rank, words = risk_of(case, recommend(case), date(2026, 6, 1))
    assert words == (
        "High: harmful sexual behaviour, plan in date; Low: suicidal ideation or attempt, no safety plan (+1 more)"
    )


def test_the_risk_review_is_its_own_column_and_says_overdue() -> None:
    from tswt_formulation.reports.supervision import risk_review_of

    # Recorded 30 days before 2026-06-01 with its review due 10 days before then (as
    # TSW-900054: its risk review overdue since April, its case review in December).
    case = _risky(
        [
            {
                "kind": "harmful_sexual_behaviour",
                "level": "high",
                "plan": "the social worker",
                "review_in_days": -10,
            }
        ]
    )
    assert (
        risk_review_of(recommend(case, risk_as_of=date(2026, 6, 1)), date(2026, 6, 1))
        == "OVERDUE since 22 May 2026"
    )
    case = _risky(
        [
            {
                "kind": "harmful_sexual_behaviour",
                "level": "high",
                "plan": "the social worker",
                "review_in_days": 45,
            }
        ]
    )
    assert risk_review_of(recommend(case), date(2026, 6, 1)) == "due 16 Jul 2026"


def test_a_formulation_returned_long_ago_is_visible_per_worker() -> None:
    from tswt_formulation.reports.supervision import formulation_of

    data = case_data({"child": {"age": 9}}, "TSW-000928")
    data["formulation"] = {
        "status": "returned",
        "revision": 2,
        "author": "c.mensah",
        "created": "2025-11-01T10:00:00+00:00",
        "updated": "2025-11-20T10:00:00+00:00",
        "signoffs": [
            {
                "reviewer": "dr.r.ahmed",
                "at": "2025-12-02T10:00:00+00:00",
                "outcome": "returned",
                "comment": "More on what keeps it going.",
                "formulation_revision": 2,
            }
        ],
    }
    case = case_from_data(data)
    # 2025-12-02 to 2026-12-07 is 370 days (2026 is not a leap year: 365 + 5).
    assert formulation_of(case, date(2026, 12, 7)) == "returned 370 days ago, not resubmitted"


@pytest.fixture(scope="module")
def demo_review(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("pandas")
    from tswt_formulation.demo import generate_caseload
    from tswt_formulation.reports.review import CaseloadReview

    from ..conftest import AS_OF
    from .test_review import CONSTANTS

    cases = generate_caseload(60, seed=1, as_of=AS_OF)
    return cases, CaseloadReview.from_cases(cases, AS_OF, constants=CONSTANTS), AS_OF


def test_one_overdue_count_everywhere_and_equal_to_tswt_caseload(demo_review, tmp_path) -> None:
    from click.testing import CliRunner

    from tswt_formulation.cli import cli
    from tswt_formulation.practice import SCREENING_WEEKS
    from tswt_formulation.store import open_store

    cases, review, as_of = demo_review
    # By the definition (DOMAIN.md: screening within six weeks of allocation): allocated,
    # the screening not completed, not closed, and six weeks past.
    by_hand = sum(
        1
        for c in cases
        if c.referral.allocation is not None
        and (c.screening is None or c.screening.completed is None)
        and c.outcome is None
        and c.referral.allocation.date + timedelta(weeks=SCREENING_WEEKS) < as_of
    )
    assert by_hand > 0
    assert review.counts["screening overdue"] == by_hand
    listed = [ln for ln in review.lines if "screening overdue" in ln.reasons]
    assert len(listed) == by_hand  # the first page's rows say the same as its count
    assert f"{by_hand} screenings overdue" in review.first().html
    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as st:
        st.import_cases(cases)
    out = CliRunner().invoke(cli, ["caseload", "--store", store, "--as-of", as_of.isoformat()])
    assert f"{by_hand} screenings overdue" in out.output, out.output


def test_one_deterioration_count_on_the_first_page_and_the_not_on_track_page(demo_review) -> None:
    _, review, _ = demo_review
    n = len(set(review.flags.loc[review.flags["flag"].eq("reliably_worse"), "case_id"]))
    assert review.counts["reliable deterioration"] == n
    assert f"{n} with reliable deterioration, " in review.first().html
    assert (
        f"{n} with reliable deterioration (as counted on the first page)"
        in review.not_on_track().html
    )


def test_no_environment_variable_names_in_the_review(demo_review) -> None:
    _, review, _ = demo_review
    body = "".join(s.html for s in review.sections())
    assert "TSWT_" not in body
    # The small-count rule is stated where the figures are, not applied in silence.
    assert (
        "Percentages are shown only when both the count and the number it is a share of are 5 or more"
        in body
    )


def test_the_change_chart_legend_is_inside_the_figure() -> None:
    pd = pytest.importorskip("pandas")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from tswt_formulation.plots.change_categories import plot_change_categories

    df = pd.DataFrame(
        {
            "wave": ["Wave 2"] * 5,
            "paired": [True] * 5,
            "category": ["Recovered", "Improved", "Unchanged", "Deteriorated", "Harmed"],
        }
    )
    fig = plot_change_categories(df, by="wave")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    legends = list(fig.legends) + [leg for a in fig.axes if (leg := a.get_legend()) is not None]
    assert legends
    box = fig.bbox
    for leg in legends:
        ext = leg.get_window_extent(canvas.get_renderer())
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1 and box.y0 <= ext.y0 and ext.y1 <= box.y1, (
            ext,
            box,
        )
    words = [t.get_text() for leg in legends for t in leg.get_texts()]
    # The bar's improvers who did not recover are named so, so bar + recovered = the table's.
    assert "Reliable improvement, not recovered" in words
    assert "Reliable deterioration into the clinical range" in words


def test_a_rule_that_names_a_safety_plan_must_put_it_first(tmp_path) -> None:
    # Issue 10: a safety step in a rule's words but not in its preconditions never reached
    # "what must happen first". The loader refuses such a rule.
    from tswt_formulation.rules.rulefile import check_rules_file

    body = (
        'version: "t1"\nrules:\n'
        '- {id: r.x, condition: {kind: always}, effect: {wave: 2}, reason: "A safety plan is needed", rationale: y}\n'
    )
    path = tmp_path / "team.yaml"
    path.write_text(body, encoding="utf-8")
    problems = check_rules_file(path)
    assert any("names a safety step" in str(p) for p in problems), problems


def test_a_care_leavers_worker_is_the_personal_adviser_throughout() -> None:
    # As TSW-900005: 23, semi-independent, no caregiver, suicidal ideation rated high,
    # life story work planned. Every reason that names a worker names her personal
    # adviser; none says "social worker" (the Life Story Clinic supports him or her).
    case = case_from_data(
        case_data(
            {
                "child": {
                    "status": "care_leaver",
                    "age": 23,
                    "placement": "semi_independent",
                    "caregiver": None,
                },
                "screening": {
                    "life_story": "planned",
                    "behaviours": ["internalising_withdrawal mild weekly child"],
                    "risks": [
                        {
                            "kind": "suicidal_ideation_or_attempt",
                            "level": "high",
                            "by": ["child"],
                            "plan": "the personal adviser",
                        }
                    ],
                },
            },
            "TSW-000905",
        )
    )
    rec = recommend(case)
    life_story = [f.reason for f in rec.fired if f.rule.startswith("life_story.")]
    assert life_story == [
        (
            "Life story work planned: the Life Story Clinic can support the young person's personal adviser with it "
            "alongside the work on the high risk (suicidal ideation or attempt), which does not wait for it"
        )
    ]
    assert not any("social worker" in f.reason for f in rec.fired)
    assert rec.preconditions == ()  # nothing holds back the work on the high risk
    assert "direct_work" in rec.services


def test_every_test_named_in_the_hazard_log_exists() -> None:
    """docs/clinical-safety.md: a hazard is held by a named test; a name that no longer
    exists is a defect, caught here."""
    import re
    from pathlib import Path

    from tswt_formulation._yaml import safe_load

    root = Path(__file__).resolve().parents[2]
    log = (root / "docs" / "clinical-safety.md").read_text(encoding="utf-8")
    rows = {
        r["name"]
        for r in safe_load((root / "tests/rules/cases/recommendation_cases.yaml").read_text())[
            "cases"
        ]
    }
    ids = {r["id"] for r in safe_load((root / "tests/data/eligibility_cases.yaml").read_text())}
    named = 0
    for cell in re.findall(r"\| (tests/[^|]+) \|", log):
        current = None
        for ref in (part.strip() for part in cell.split(";")):
            path, _, name = ref.partition("::")
            if path:
                current = root / path.split()[0]
            assert current is not None and current.exists(), ref
            if not name:
                continue
            func, _, param = name.partition("[")
            assert re.search(
                rf"^def {re.escape(func)}\(", current.read_text(encoding="utf-8"), re.MULTILINE
            ), ref
            if param:
                assert param.rstrip("]") in (rows if func == "test_case" else ids), ref
            named += 1
    assert named >= 40


def test_the_demo_records_are_lawful_and_coherent() -> None:
    """The demo is the first thing people read (issue 21): no referral in it proceeds on
    consent someone could not give; from 18 the record says whether the young person
    wants their carer involved; no adult's risk evidence is a teacher's."""
    from tswt_formulation.demo import generate_caseload
    from tswt_formulation.rules.eligibility import check_eligibility

    from ..conftest import AS_OF

    cases = generate_caseload(60, seed=1, as_of=AS_OF)
    for c in cases:
        decision = check_eligibility(c)
        assert not [r.text for r in decision.reasons if r.rule == "proceed.consent_not_valid"], (
            c.case_id
        )
        age = c.child.age_on(c.referral.received)
        carer = c.child.caregiver
        if age >= 18 and carer is not None and carer.relationship != "none":
            assert carer.young_person_wants_involved is not None, c.case_id
        if age >= 18 and c.screening is not None:
            assert not any("teacher" in r.evidence for r in c.screening.risks), c.case_id
        if decision.flags:  # a looked-after 18-year-old is not refused as outside the criteria
            assert c.referral.decision.outcome != "not_accepted", c.case_id


# --- the draft formulation links the 5 Ps from evidence ----------------------------------------


def test_draft_precipitating_cites_the_dated_events_before_the_referral() -> None:
    from tswt_formulation.rules.draft import draft_formulation

    # Placed 5 months before the screening completed (1 Jan 2026) after the previous
    # placement broke down that day; the referral came on 2 Mar 2026, two months on.
    case = case_from_data(
        case_data({"child": {"age": 10, "months": 5, "breakdowns": [5], "moves": 1}}, "TSW-000940")
    )
    f = draft_formulation(case, "Synthetic TSW", datetime(2026, 6, 2, 9, 0))
    texts = [e.text for e in f.five_ps.precipitating]
    assert texts == [
        "The placement broke down on 1 Jan 2026, 2 months before the referral: synthetic (placement record)",
        "A move to the current placement (foster care) on 1 Jan 2026, 2 months before the referral (placement record)",
        "1 placement move in the 12 months before the screening (placement record)",
    ]


def test_draft_presenting_carries_the_sdq_picture_by_informant() -> None:
    from tswt_formulation.rules.draft import draft_formulation

    # Every SDQ item answered "somewhat true" (1) scores 1 whether reversed or not: the
    # four difficulty subscales (20 items) total 20. On the parent 4-17 form 17-40 is
    # "abnormal"; on the teacher form 16-40 (youthinmind three-band scoring).
    data = case_data({"child": {"age": 10}}, "TSW-000941")
    ones = {str(i): 1 for i in range(1, 26)}
    data["measures"] = [
        {
            "measure": "sdq",
            "version": "P4-17",
            "informant": "parent",
            "date": "2026-05-01",
            "timepoint": "baseline",
            "responses": ones,
        },
        {
            "measure": "sdq",
            "version": "T4-17",
            "informant": "teacher",
            "date": "2026-05-03",
            "timepoint": "baseline",
            "responses": ones,
        },
    ]
    # Each subscale is 5. Parent form (P4-17): emotional 5 abnormal (5-10), conduct 5
    # abnormal (4-10), hyperactivity 5 normal (0-5), peer 5 abnormal (3-10 is 4-10 here:
    # abnormal). Teacher form (T4-17): emotional 5 borderline (5), conduct 5 abnormal,
    # hyperactivity 5 normal (0-5), peer 5 abnormal (5-10). Raised = borderline or abnormal.
    f = draft_formulation(case_from_data(data), "Synthetic TSW", datetime(2026, 6, 2, 9, 0))
    [account] = [e.text for e in f.five_ps.presenting if e.ref == "presenting:account"]
    assert (
        "On the SDQ at baseline (3 May 2026), total difficulties: the parent or carer 20 (abnormal), "
        "emotional symptoms, conduct problems and peer problems raised; the teacher 20 (abnormal), "
        "emotional symptoms, conduct problems and peer problems raised (measures)."
    ) in account
    assert "hyperactivity" not in account


def test_draft_presenting_and_predisposing_are_linked_accounts_not_tables() -> None:
    """O-02: presenting joins the referral's concern, what the screening found, the SDQ
    and the risk in sentences citing their records; predisposing weaves the early
    history to the difficulties seen now, as a hypothesis. Nothing is added that the
    record does not say, and the screening's table is not re-listed."""
    from tswt_formulation.rules.draft import draft_formulation

    data = case_data(
        {
            "child": {
                "age": 15,
                "status": "child_protection_plan",
                "placement": "home_with_parents",
                "caregiver": "birth_parent",
            },
            "screening": {
                "history": ["neglect", "domestic_abuse"],
                "behaviours": ["acting_out_aggression severe monthly child school"],
                "risks": [{"kind": "severe_aggression", "level": "high", "by": ["school"]}],
            },
        },
        "TSW-000959",
    )
    data["referral"]["reasons"] = "Hitting out at home and at school since the summer."
    f = draft_formulation(case_from_data(data), "Synthetic TSW", datetime(2026, 6, 2, 9, 0))
    assert [e.ref for e in f.five_ps.presenting] == ["presenting:account"]
    assert [e.ref for e in f.five_ps.predisposing] == ["predisposing:account"]
    presenting = f.five_ps.presenting[0].text
    referrer = case_from_data(data).referral.referrer.role.replace("_", " ")
    assert presenting.startswith("Referred on 2 Mar 2026 by the ")
    assert referrer.split()[-1] in presenting  # the referrer as the record names them
    assert (
        ': "Hitting out at home and at school since the summer" (referral). The screening found '
        "acting out (aggression), severe and at least monthly, reported by the child or young person and "
        'school ("Synthetic evidence of acting out aggression.") (screening completed 1 Jun 2026). '
        "Alongside this, the child's risk record: severe aggression "
        "/ risk to others rated high, no safety plan (recorded 2 May 2026)."
    ) in presenting
    predisposing = f.five_ps.predisposing[0].text
    assert predisposing.startswith(
        "The child's early experience of neglect and domestic abuse (history factors, screening "
        "completed 1 Jun 2026, reported by social worker) may help explain the acting out (aggression) seen now"
    )
    assert predisposing.endswith("A hypothesis to test with the network, not a finding.")
    # Not the table: no "Acting out (aggression): severe, ..." or "Neglect (from social
    # worker): evidence" rows; the history's evidence is not re-listed (the report's
    # history table has it); the behaviour's words are quoted once, in the account.
    assert presenting.count("Synthetic evidence of acting out aggression.") == 1
    for text in (presenting, predisposing):
        assert "Synthetic history of" not in text
        assert "(from social worker):" not in text and "Acting out (aggression): severe" not in text
    assert "SDQ" not in presenting


def test_the_formulation_report_flags_a_looked_after_18_year_old_for_correction() -> None:
    pytest.importorskip("pandas")
    from tswt_formulation.reports.formulation import FormulationReport

    case = case_from_data(
        case_data({"child": {"age": 18}, "referral": {"decision": "pending"}}, "TSW-000918")
    )
    report = FormulationReport.from_case(case, as_of="2026-06-01")
    html = report.eligibility_section().html
    assert "Eligible: the referral can proceed to a decision" in html
    assert (
        '<p class="status-note">FLAG: Legal status should be care leaver: recorded as looked after, but aged 18 on 2 Mar 2026'
        in html
    )
    assert "should be care leaver (turned 18 while looked after)" in report.child().html


def test_a_change_table_with_no_follow_up_says_so() -> None:
    pytest.importorskip("pandas")
    from tswt_formulation.reports.outcomes import OutcomesReport

    data = _closed_after_screening()
    data["measures"] = [
        {
            "measure": "sdq",
            "version": "P4-17",
            "informant": "parent",
            "date": "2026-05-01",
            "timepoint": "baseline",
            "responses": {str(i): 1 for i in range(1, 26)},
        }
    ]
    html = OutcomesReport.from_case(case_from_data(data), as_of="2026-12-07").change_table().html
    assert (
        "No follow-up yet: only baseline scores are recorded (the case was closed after screening), "
        "so there is no change to judge."
    ) in html
    assert "<th>Reliable change needs</th>" not in html


def test_a_formulation_awaiting_sign_off_says_for_how_long_on_page_one() -> None:
    pytest.importorskip("pandas")
    from tswt_formulation.reports.formulation import FormulationReport

    data = case_data({"child": {"age": 12}}, "TSW-000950")
    data["formulation"] = {
        "status": "awaiting_signoff",
        "revision": 2,
        "author": "b.kowalski",
        "created": "2025-09-20T10:00:00+00:00",
        "updated": "2025-09-29T10:00:00+00:00",
    }
    header = FormulationReport.from_case(case_from_data(data), as_of="2026-12-07").header().html
    # 29 Sep 2025 to 7 Dec 2026: 365 + 69 = 434 days (as TSW-900049).
    assert "Awaiting sign-off since 29 Sep 2025 (434 days)." in header


def test_a_draft_for_a_young_adult_does_not_count_on_a_carer_they_do_not_want() -> None:
    from tswt_formulation.rules.draft import draft_formulation

    # 22, living with a former foster carer who could take part, but the record says she
    # does not want the carer involved: no "foster carer who can take part" as a
    # protective factor, no "no caregiver" as a perpetuating one (her choice, not a gap),
    # and the prompt to ask is put to her and her personal adviser.
    case = case_from_data(
        case_data(
            {"child": {"status": "care_leaver", "age": 22, "wants_carer": False}}, "TSW-000954"
        )
    )
    f = draft_formulation(case, "Synthetic TSW", datetime(2026, 6, 2, 9, 0))
    refs = {e.ref for part in ("perpetuating", "protective") for e in getattr(f.five_ps, part)}
    assert "caregiver:foster_carer" not in refs and not any(
        r.startswith("caregiver:") for r in refs
    )
    assert f.five_ps.precipitating[0].text.endswith(
        "ask the young person and their personal adviser what changed before the difficulties grew"
    )


def test_dates_shown_the_uk_way_still_sort_by_the_date() -> None:
    pytest.importorskip("pandas")
    import re

    from tswt_formulation.reports.formulation import FormulationReport

    # Received 2 Mar 2026, decided 10 Mar, allocated 16 Mar, screening 1 Apr to 1 Jun:
    # as strings "1 Apr" < "1 Jun" < "10 Mar" < "16 Mar" < "2 Mar"; as dates the reverse.
    case = case_from_data(case_data({"child": {"age": 9}}, "TSW-000960"))
    html = FormulationReport.from_case(case, as_of="2026-12-07").timeline().html
    shown = re.findall(r"<td>(\d{1,2} [A-Z][a-z]{2} 2026)</td>", html)
    assert shown == [
        "2 Mar 2026",
        "2 Mar 2026",
        "2 Mar 2026",
        "10 Mar 2026",
        "16 Mar 2026",
        "1 Apr 2026",
        "1 Jun 2026",
    ]
