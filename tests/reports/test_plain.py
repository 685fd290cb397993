"""Reports a clinician reads in two minutes: the recommendation in plain words, people
named from the staff directory, the caseload review's urgency order and supervision
flags, counts under 5 never as percentages, and English plurals. In-process and fast
(no notebooks); the rendered reports are covered by test_batch.py and test_pdf_pages.py."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import Override, case_from_data
from tswt_formulation.rules import draft_formulation, recommend, record_decision, sign_off, submit
from tswt_formulation.rules.summary import summarise
from tswt_formulation.store.staff import StaffDirectory, StaffMember
from tswt_formulation.words import plural, signed

from ..cli.test_formulation import store_arg  # noqa: F401 - the same stored case as the CLI tests

RULE_ID = re.compile(r"\b[a-z][a-z0-9_]*\.[a-z][a-z0-9_]+\b")  # e.g. stage3.placement_not_long_term
T = datetime(2026, 6, 27, 9, tzinfo=UTC)
STAFF = StaffDirectory(
    [
        StaffMember("c.mensah", "C. Mensah", "therapeutic_social_worker"),
        StaffMember("dr.r.ahmed", "Dr R. Ahmed", "clinical_psychologist"),
    ]
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_summary_reads_aloud_without_rule_ids(make_case_data):
    # The full case: self-harm at least weekly, reported by carer and school -> wave 3, stage 1.
    case = case_from_data(make_case_data())
    s = summarise(recommend(case))
    body = [ln for ln in s.lines if ln.topic != "note"]
    assert 3 <= len(body) <= 8
    assert body[0].topic == "wave" and body[0].text.startswith(
        "Wave 3, direct clinical engagement: "
    )
    assert body[1].topic == "stage" and body[1].text.startswith("Stage 1, safety and containment: ")
    assert "self-harm" in body[1].text
    assert not [ln.text for ln in s.lines if RULE_ID.search(ln.text)]
    assert s.decided == "Suggested by the rules; not yet decided by the worker"


def test_after_an_override_the_stage_shows_the_workers_choice_and_its_own_evidence(make_case_data):
    case = case_from_data(make_case_data())
    rec = recommend(case)
    form = draft_formulation(case, author="c.mensah", now=T, recommendation=rec)
    reason = "The placement has held for five months and the carer is engaged"
    form = record_decision(
        form,
        case.case_id,
        "c.mensah",
        T,
        accept=False,
        overrides=[Override(part="stage", value=2, reason=reason)],
    )
    s = summarise(rec, form, STAFF.name)
    stage = next(ln for ln in s.lines if ln.topic == "stage")
    assert stage.overridden
    assert stage.text.startswith(
        "Stage 2, relationships and connections: chosen by C. Mensah (the rules suggested stage 1) because the placement"
    )
    assert (
        "safety and containment" not in stage.text
    )  # the rejected stage's evidence is not shown as this one's
    assert s.decided == "Decided by C. Mensah on 27 Jun 2026, changing the stage with reasons"


def test_recommend_prints_the_summary_and_explain_the_trace(store_arg):
    path = store_arg  # the full case without its outcome, as cli/test_formulation.py stores it
    short = run("recommend", "TSW-000123", "--store", path)
    assert short.exit_code == 0, short.output
    assert "Every rule behind this: tswt recommend TSW-000123 --explain" in short.output
    # The first step's owner is a login (c.mensah: this store has no staff directory to
    # name her), which looks like a rule id to the pattern; it is not one.
    assert "(done 29 Jun 2026 (c.mensah" in short.output
    assert "also asked" not in short.output and not RULE_ID.search(
        short.output.split("Every rule")[0].replace("c.mensah", "")
    )
    full = run("recommend", "TSW-000123", "--store", path, "--explain")
    assert "also asked" in full.output and RULE_ID.search(full.output)
    assert '"summary"' in run("recommend", "TSW-000123", "--store", path, "--json").output


def test_staff_directory_names_people_and_is_audited(tmp_path):
    path = str(tmp_path / "s.sqlite")
    assert run("init", "--training", "--store", path).exit_code == 0
    first = run(
        "staff",
        "add",
        "it.admin",
        "--name",
        "I. Tanaka",
        "--role",
        "administrator",
        "--store",
        path,
        "--user",
        "it.admin",
    )
    assert first.exit_code == 0, first.output
    r = run(
        "staff",
        "add",
        "dr.r.ahmed",
        "--name",
        "Dr R. Ahmed",
        "--role",
        "clinical_psychologist",
        "--store",
        path,
        "--user",
        "it.admin",
    )
    assert r.exit_code == 0 and r.output == "dr.r.ahmed: Dr R. Ahmed, clinical psychologist\n"
    bad = run(
        "staff",
        "add",
        "x.y",
        "--name",
        "X",
        "--role",
        "therapist",
        "--store",
        path,
        "--user",
        "it.admin",
    )
    assert bad.exit_code == 2
    assert bad.output.strip().startswith(
        "error: staff x.y: role 'therapist' is not one of: therapeutic_social_worker,"
    )
    listed = run("staff", "list", "--store", path)
    assert "Dr R. Ahmed" in listed.output and "clinical psychologist" in listed.output
    with open_store(path) as s:
        staff_rows = [e for e in s.audit_log() if e.action == "staff"]
    assert [(e.user, e.case_id) for e in staff_rows] == [
        ("it.admin", None)
    ] * 2  # the refused add changed nothing
    assert STAFF.describe("b.kowalski") == "b.kowalski (not in the staff directory)"


def test_formulation_report_names_people_and_header_agrees_with_signoff(make_case_data):
    from tswt_formulation.reports.formulation import FormulationReport

    case = case_from_data(make_case_data())
    form = draft_formulation(case, author="c.mensah", now=T, recommendation=recommend(case))
    form = record_decision(form, case.case_id, "c.mensah", T, accept=True)
    form = sign_off(
        submit(form, case.case_id, screening_completed=case.screening.completed),
        case.case_id,
        "dr.r.ahmed",
        T + timedelta(days=2),
        approve=True,
        comment="Agreed.",
    )
    case.formulation = form
    report = FormulationReport.from_case(case, date(2026, 7, 10), form, STAFF)
    header, signoff = report.header().html, report.signoff().html
    assert "Dr R. Ahmed, clinical psychologist (signed off 29 Jun 2026)" in header
    assert (
        "Dr R. Ahmed, clinical psychologist" in signoff
        and "C. Mensah, therapeutic social worker" in header
    )
    assert "dr.r.ahmed" not in header + signoff and "c.mensah" not in header + signoff
    brief = report.recommendation_section().html
    assert "Recommendation in brief" in brief and not RULE_ID.search(re.sub(r"<[^>]+>", "", brief))
    assert RULE_ID.search(report.how_reached().html)  # the rule ids live in the appendix


def test_review_orders_by_urgency_and_flags_for_supervision(demo_cases):
    from tswt_formulation.reports.review import CaseloadReview

    as_of = date(2026, 11, 20)
    review = CaseloadReview.from_cases(list(demo_cases), as_of)
    tiers = [ln.tier for ln in review.lines]
    assert tiers == sorted(tiers)
    risky = [ln for ln in review.lines if ln.tier == 0]
    assert [ln.risk_rank for ln in risky] == sorted((ln.risk_rank for ln in risky), reverse=True)
    # Every overdue screening without risk or deterioration is in the overdue tier.
    overdue = set(review.frame.loc[review.frame["overdue"], "case_id"])
    assert {ln.case_id for ln in review.lines if ln.tier == 2} <= overdue
    # Cases never screened are "not yet assessed", never "none".
    unscreened = {
        c.case_id for c in demo_cases if c.screening is None or c.screening.completed is None
    }
    assert all(
        ln.risk == "not yet assessed"
        for ln in review.lines
        if ln.case_id in unscreened and ln.risk_rank == 0
    )
    for flag in review.attention:
        if flag.kind == "signoff_waiting":
            assert flag.days > 14
        if flag.kind in ("waiting_decision", "waiting_allocation"):
            assert flag.days > review.waiting_days == 14


def test_counts_under_five_are_never_percentages():
    from tswt_formulation.reports.review_service import _summary_table

    s = pd.DataFrame(
        [
            {
                "wave": "Wave 2",
                "n_paired": 20,
                "n_unpaired": 3,
                "n_reliable_improvement": 8,
                "share_reliable_improvement": 0.4,
                "n_reliable_deterioration": 2,
                "share_reliable_deterioration": 0.1,
            },
            {
                "wave": "Wave 3",
                "n_paired": 4,
                "n_unpaired": 0,
                "n_reliable_improvement": 3,
                "share_reliable_improvement": 0.75,
                "n_reliable_deterioration": 0,
                "share_reliable_deterioration": 0.0,
            },
        ]
    )
    html = _summary_table(s, "wave")
    assert "8 (40%)" in html and "<td>2</td>" in html and "75%" not in html and "10%" not in html


@pytest.mark.parametrize(
    ("got", "want"),
    [
        (plural(1, "child"), "1 child"),
        (plural(2, "child"), "2 children"),
        (plural(1, "day"), "1 day"),
        (signed(1), "+1 point"),
        (signed(-1), "-1 point"),
        (signed(3), "+3 points"),
        (signed(0), "0 points"),
    ],
)
def test_numbers_read_as_english(got, want):
    assert got == want


def test_perpetuating_factors_are_not_a_copy_of_the_risks(make_case_data):
    case = case_from_data(make_case_data())
    form = draft_formulation(case, author="c.mensah", now=T, recommendation=recommend(case))
    presenting = [e.text for e in form.five_ps.presenting]
    risk = next(e.text for e in form.five_ps.perpetuating if e.ref == "risk:self_harm")
    assert risk.startswith("Self-harm is kept going while ")
    evidence = next(
        b.evidence for b in case.screening.presenting_behaviours if b.behaviour == "self_harm"
    )
    assert evidence not in risk and any(
        evidence in p for p in presenting
    )  # said once, under presenting


def test_outcomes_progress_is_not_judged_before_six_months_in_work(make_case_data):
    from tswt_formulation.reports.outcomes import OutcomesReport

    case = case_from_data(make_case_data())
    started = case.outcome.date
    early = OutcomesReport.from_case(case, started + timedelta(days=70)).flags()
    assert "Not yet judged: under 6 months in work (2 months so far)." in early.html
    assert "No not-on-track flags" not in early.html


def test_summary_is_at_most_eight_lines_for_every_demo_child(demo_cases):
    from tswt_formulation.measures.outcomes import baseline_bands

    bands = baseline_bands(demo_cases)
    folded = 0
    for case in demo_cases:
        s = summarise(recommend(case, bands=bands[case.case_id]), case.formulation)
        body = [ln for ln in s.lines if ln.topic != "note"]
        assert len(body) <= 8, (case.case_id, s.to_text())
        also = [ln.text for ln in body if ln.text.startswith("Also: ")]
        folded += bool(also)
        assert all(";" in a for a in also)  # only ever two or more services share the closing line
    assert folded > 0  # the demo has plans long enough to fold
