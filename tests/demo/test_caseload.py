"""The synthetic caseload: deterministic, clearly synthetic, and a realistic mix."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date

import pytest

from tswt_formulation.demo import generate_caseload
from tswt_formulation.model import case_to_data
from tswt_formulation.rules import caseload_frame, caseload_row, check_eligibility, timeline

from ..conftest import AS_OF


def test_deterministic_for_a_seed():
    a = [case_to_data(c) for c in generate_caseload(30, seed=5, as_of=AS_OF)]
    b = [case_to_data(c) for c in generate_caseload(30, seed=5, as_of=AS_OF)]
    c = [case_to_data(c) for c in generate_caseload(30, seed=6, as_of=AS_OF)]
    assert a == b and a != c


def test_clearly_synthetic(demo_cases):
    assert all(
        c.synthetic
        and c.case_id.startswith("TSW-9")
        and c.child.case_management_ref.startswith("SYNTH-")
        for c in demo_cases
    )


def test_realistic_mix(demo_cases):
    statuses = Counter(c.child.legal_status.status for c in demo_cases)
    assert set(statuses) == {
        "looked_after",
        "kinship_care",
        "child_protection_plan",
        "supervision_order",
        "child_in_need",
        "care_leaver",
    }
    ages = [c.child.age_on(c.referral.received) for c in demo_cases]
    assert min(ages) <= 3 and max(ages) >= 18
    outcomes = Counter(check_eligibility(c).outcome for c in demo_cases)
    assert outcomes["not_eligible"] > 0 and outcomes["eligible"] > 0
    frame = timeline(caseload_frame([caseload_row(c) for c in demo_cases]), AS_OF)
    assert frame["overdue"].sum() > 0 and (frame["screening_open"] & ~frame["overdue"]).sum() > 0
    assert {"work_begun", "closed", "in_screening"} <= set(frame["state"])
    informants = Counter(m.informant for c in demo_cases for m in c.measures if m.measure == "sdq")
    assert set(informants) == {"parent", "teacher", "self"}
    assert any(m.measure == "gbo" for c in demo_cases for m in c.measures)
    multi = [c for c in demo_cases if c.screening and len(c.screening.history_factors) >= 2]
    assert multi, "co-occurring history factors"


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 3, 1)])
def test_make_demo_caseload_holds_each_clinical_situation(as_of):
    """`make demo` (60 cases, seed 1) holds each situation the clinical-correctness rules
    must get right: an over-age referral recorded and not eligible, an unscreened child on a
    plan, risks at each level with and without safety plans and one out of date, and
    harmful sexual behaviour with self-harm."""
    cases = generate_caseload(60, seed=1, as_of=as_of)
    over_age = [c for c in cases if c.child.age_on(c.referral.received) > 25]
    assert over_age and all(check_eligibility(c).outcome == "not_eligible" for c in over_age)
    assert [
        c
        for c in cases
        if c.child.legal_status.status == "child_protection_plan"
        and (c.screening is None or c.screening.completed is None)
    ]
    risks = [r for c in cases if c.screening for r in c.screening.risks]
    assert {r.level for r in risks} >= {"low", "medium", "high"}
    assert any(r.safety_plan for r in risks) and any(not r.safety_plan for r in risks)
    assert any(r.review_due < as_of for r in risks), "a risk whose review is out of date"
    assert [
        c
        for c in cases
        if c.screening
        and {"harmful_sexual_behaviour", "self_harm"}
        <= {b.behaviour for b in c.screening.presenting_behaviours}
    ]


def test_demo_always_has_screenings_overdue_and_due_soon():
    from datetime import date

    for as_of in (AS_OF, date(2026, 3, 1)):
        cases = generate_caseload(60, seed=1, as_of=as_of)
        frame = timeline(caseload_frame([caseload_row(c) for c in cases]), as_of)
        assert frame["overdue"].sum() >= 2 and frame["due_within_14"].sum() >= 2
        assert {c.formulation.status for c in cases if c.formulation} == {
            "draft",
            "awaiting_signoff",
            "returned",
            "signed_off",
        }


@pytest.mark.slow
def test_many_seeds_generate_valid_caseloads():
    for seed in range(1, 16):
        assert len(generate_caseload(60, seed=seed, as_of=AS_OF)) == 60


def test_readme_psychologist_tour_names_cases_awaiting_signoff():
    """The README's sign-off commands must work on `make demo`'s caseload (60 cases, seed 1),
    whatever the date: the demo's structure does not depend on its as-of date."""
    import re
    from datetime import date
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    named = re.findall(r"tswt signoff (TSW-9\d{5})", readme)
    assert named
    for as_of in (AS_OF, date(2026, 2, 1)):
        status = {
            c.case_id: c.formulation.status if c.formulation else None
            for c in generate_caseload(60, seed=1, as_of=as_of)
        }
        assert all(status[cid] == "awaiting_signoff" for cid in named), {
            cid: status[cid] for cid in named
        }


def test_demo_never_dates_todays_work_after_now(monkeypatch):
    """Made early in the morning, the demo must not date today's formulations at 9 or 15
    o'clock: the record refuses timestamps in the future (seed 3 has work dated today)."""
    from datetime import datetime, time, timedelta

    import tswt_formulation.demo.formulations as demo  # where _at reads the clock

    real = demo.datetime
    early = min(
        real.combine(date.today(), time(6, 0), tzinfo=UTC), real.now(UTC) - timedelta(hours=1)
    )

    class Early(real):
        @classmethod
        def now(cls, tz=None):
            return early

    monkeypatch.setattr(demo, "datetime", Early)
    cases = generate_caseload(300, seed=3)
    stamps = [c.formulation.updated for c in cases if c.formulation]
    assert stamps and max(stamps) <= early
    assert isinstance(stamps[0], datetime)


def test_the_synthetic_ids_hold_100000_cases():
    from tswt_formulation.demo import SYNTHETIC_IDS, synthetic_id, synthetic_number

    assert (synthetic_id(1), synthetic_id(99_999), synthetic_id(100_000)) == (
        "TSW-900001",
        "TSW-999999",
        "TSW-900000",
    )
    assert SYNTHETIC_IDS == 100_000
    assert all(synthetic_number(synthetic_id(k)) == k for k in (1, 2, 99_999, 100_000))
    assert synthetic_number("TSW-000123") is None
    assert [c.case_id for c in generate_caseload(2, seed=1, as_of=AS_OF, first=99_999)] == [
        "TSW-999999",
        "TSW-900000",
    ]


def test_tswt_demo_says_how_many_more_fit(tmp_path):
    from click.testing import CliRunner

    from tswt_formulation import open_store
    from tswt_formulation.cli import cli

    store = str(tmp_path / "d.sqlite")
    with open_store(store, user="demo", create=True) as s:
        s.import_cases(generate_caseload(1, seed=1, as_of=AS_OF, first=99_990))
    r = CliRunner().invoke(
        cli,
        ["demo", "--store", store, "--cases", "11", "--user", "demo", "--as-of", AS_OF.isoformat()],
    )
    assert r.exit_code == 2
    assert (
        "the synthetic ids (TSW-900001..TSW-999999 and TSW-900000) hold 100,000 cases; 99,990 are taken, so at most "
        "10 more fit" in r.output
    )


def test_made_in_chunks_the_caseload_is_the_same():
    """`tswt demo` makes and imports a chunk at a time (issue 24's memory): chunks of 7 must
    give the very cases one pass gives, in order, including the one over-age referral (the
    21st case on), the SDQ reasons taken in turn across chunks, and each formulation drawn
    from the one stream after every record."""
    from tswt_formulation.demo import iter_caseload

    whole = [case_to_data(c) for c in generate_caseload(60, seed=1, as_of=AS_OF)]
    chunks = list(iter_caseload(60, seed=1, as_of=AS_OF, chunk=7))
    assert [len(c) for c in chunks] == [7] * 8 + [4]
    assert [case_to_data(c) for part in chunks for c in part] == whole
    reasons = [
        c.sdq_not_completed[0].reason for part in chunks for c in part if c.sdq_not_completed
    ]
    assert sorted(reasons) == ["SDQ2", "SDQ3", "SDQ4", "SDQ5"]  # each reason once, not once a chunk
