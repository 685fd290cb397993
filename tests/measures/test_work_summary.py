"""The service summary of the work (measures.work_summary), worked by hand on three
small synthetic caseloads; the review report carries it with the caution."""

from __future__ import annotations

import pandas as pd
import pytest

from tswt_formulation.measures.work_summary import (
    NOT_CAUSAL,
    stage_progression,
    work_summary,
    work_tables,
)


def _record(
    i: int,
    worker: str,
    what: str,
    sessions: list[tuple[str, str]],
    end=None,
    reason=None,
    reviews=(),
):
    iv = {
        "number": 1,
        "kind": "model",
        "what": what,
        "lead_worker": worker,
        "start": "2026-02-01",
        "sessions": [{"date": d, "attendance": a} for d, a in sessions],
    }
    if end:
        iv.update(end=end, ending_reason=reason)
    return {
        "case_id": f"TSW-{i:06d}",
        "referral": {"received": "2026-01-01", "allocation": {"worker": worker}},
        "outcome": {"decision": "begin_work", "date": "2026-01-25"},
        "interventions": [iv],
        "reviews": [{"date": d, "stage": st, "wave": 3} for d, st in reviews],
    }


@pytest.fixture
def tables():
    # Six DDP cases with c.mensah (each: 2 sessions, the first attended on 1 Feb + i days; the
    # second missed), three ending planned and three disengaged; two CBT cases with a.okafor.
    recs = [
        _record(
            i,
            "c.mensah",
            "ddp",
            [(f"2026-02-{1 + i:02d}", "attended"), ("2026-03-01", "did_not_attend")],
            end="2026-04-01",
            reason="planned" if i < 3 else "disengaged",
            reviews=[("2026-03-01", 1), ("2026-06-01", 1 + (i % 3))],
        )
        for i in range(6)
    ]
    recs += [_record(10 + i, "a.okafor", "cbt", [("2026-02-10", "attended")]) for i in range(2)]
    return work_tables(recs)


def test_attendance_and_endings(tables):
    s = work_summary(tables)
    ddp = s["attendance"].set_index("intervention").loc["ddp"]
    assert (ddp["sessions"], ddp["share_attended"], ddp["share_did_not_attend"]) == (12, 0.5, 0.5)
    cbt = s["attendance"].set_index("intervention").loc["cbt"]
    assert (
        cbt["sessions"] == "fewer than 5" and cbt["share_attended"] is None
    )  # 2 sessions: suppressed
    endings = s["endings"].set_index("intervention").loc["ddp"]
    assert (endings["ended"], endings["unplanned"], endings["share_unplanned"]) == (6, 3, 0.5)


def test_days_from_referral_to_first_session(tables):
    first = work_summary(tables)["first_session"].set_index("worker")
    # c.mensah: 1 Jan -> 1..6 Feb = 31..36 days, median 33.5, quartiles 32.25 and 34.75
    assert tuple(first.loc["c.mensah", ["cases", "median_days", "q1_days", "q3_days"]]) == (
        6,
        33.5,
        32.25,
        34.75,
    )
    assert first.loc["a.okafor", "cases"] == "fewer than 5"
    assert first.loc["all workers", "cases"] == 8


def test_stage_progression_by_hand():
    reviews = pd.DataFrame(
        {
            "case_id": ["a", "a", "b", "b", "c", "c", "c", "d"],
            "date": pd.to_datetime(
                ["2026-01-01", "2026-04-01"] * 2
                + ["2026-01-01", "2026-04-01", "2026-07-01", "2026-01-01"]
            ),
            "stage": [1, 2, 2, 1, 1, 3, 2, 1],
        }
    )
    assert stage_progression(reviews).to_dict() == {
        "a": "moved up",
        "b": "moved back",
        "c": "moved up, with a step back",
    }  # d: one review, no progression


def test_outcomes_by_group_suppress_small_groups(tables):
    change = pd.DataFrame(
        {
            "case_id": [f"TSW-{i:06d}" for i in (0, 1, 2, 3, 4, 5, 10, 11)],
            "informant": "parent",
            "difference": [-8.0, -2.0, -9.0, 1.0, -1.0, 9.0, -3.0, -4.0],
            "category": [
                "Improved",
                "Unchanged",
                "Recovered",
                "Unchanged",
                "Unchanged",
                "Deteriorated",
                "Unchanged",
                "Unchanged",
            ],
        }
    )
    s = work_summary(tables, change)
    ddp = s["by_intervention"].set_index("intervention").loc["ddp"]
    # mean of -8, -2, -9, 1, -1, 9 = -10/6 = -1.7; improved 2 of 6; deteriorated 1 of 6
    assert (
        ddp["children"],
        ddp["mean_change"],
        ddp["share_improved"],
        ddp["share_deteriorated"],
    ) == (6, -1.7, 0.333, 0.167)
    assert s["by_intervention"].set_index("intervention").loc["cbt", "children"] == "fewer than 5"
    assert s["by_worker"].set_index("worker").loc["a.okafor", "mean_change"] is None
    assert "not causal" in NOT_CAUSAL


def test_the_review_report_carries_the_summary_and_the_caution(demo_cases):
    from tswt_formulation.reports.review import CaseloadReview

    from ..conftest import AS_OF

    html = CaseloadReview.from_cases(demo_cases, AS_OF).work_summary().html
    assert "These comparisons are not causal." in html and "fewer than 5" in html
    assert "Days from referral to the first attended session" in html


def test_the_stored_digest_gives_the_summary_the_whole_record_gives(store, demo_cases):
    from tswt_formulation.model import case_to_data

    from ..conftest import AS_OF

    store.import_cases(demo_cases)
    digest = work_summary(work_tables(store.work_digests()), as_of=AS_OF)
    whole = work_summary(work_tables(case_to_data(c) for c in store.cases()), as_of=AS_OF)
    assert digest.keys() == whole.keys() and all(digest[k].equals(whole[k]) for k in digest)
    assert not digest["attendance"].empty
