"""Change over each intervention (measures.episodes), worked by hand on a small
trajectory: SDQ parent total 24 at baseline (1 Mar), 20 at review 1 (1 Jun), 12 at
review 2 (1 Sep), 14 at review 3 (1 Dec); reliable change needs 7.2 points (lower is
better)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tswt_formulation.measures.episodes import intervention_change


@pytest.fixture
def traj() -> pd.DataFrame:
    points = [
        ("2026-03-01", 24.0),
        ("2026-06-01", 20.0),
        ("2026-09-01", 12.0),
        ("2026-12-01", 14.0),
    ]
    return pd.DataFrame(
        {
            "case_id": "TSW-000123",
            "measure": "sdq",
            "score": "total",
            "informant": "parent",
            "date": pd.to_datetime([d for d, _ in points]),
            "value": [v for _, v in points],
            "threshold": 7.2,
            "better": "lower",
            "baseline_value": 24.0,
        }
    )


def _ivs(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "case_id": "TSW-000123",
                "number": n,
                "what": w,
                "start": pd.Timestamp(s),
                "end": pd.Timestamp(e) if e else pd.NaT,
            }
            for n, w, s, e in rows
        ]
    )


def test_change_over_each_intervention_worked_by_hand(traj):
    ivs = _ivs(
        (
            1,
            "ddp",
            "2026-06-10",
            "2026-09-15",
        ),  # 20 (1 Jun, last before its start) -> 12 (1 Sep): -8, improved
        (2, "keywork", "2026-09-05", None),  # 12 -> 14 by 1 Dec (running): +2, no reliable change
        (3, "carer_support", "2026-12-05", None),
    )  # 14 at its start, nothing since
    got = intervention_change(traj, ivs, date(2026, 12, 20))
    assert list(got["number"]) == [1, 2, 3] and list(got["start_value"]) == [20.0, 12.0, 14.0]
    assert got.loc[2, "category"] == "no later score" and pd.isna(got.loc[2, "end_value"])
    assert list(got["category"][:2]) == ["improved", "no reliable change"]
    assert list(got["difference"][:2]) == [-8.0, 2.0] and list(got["from_baseline"][:2]) == [
        -12.0,
        -10.0,
    ]


def test_a_score_before_any_is_read_from_the_first_after(traj):
    got = intervention_change(
        traj, _ivs((1, "ddp", "2026-02-01", "2026-06-30")), date(2026, 12, 20)
    )
    # nothing on or before 1 Feb: the baseline of 1 Mar stands in; 24 -> 20 by its end, -4
    assert (got.loc[0, "start_value"], got.loc[0, "end_value"], got.loc[0, "category"]) == (
        24.0,
        20.0,
        "no reliable change",
    )


def test_a_rise_beyond_the_threshold_is_deterioration(traj):
    worse = traj.assign(value=[10.0, 11.0, 19.0, 19.0], baseline_value=10.0)
    got = intervention_change(worse, _ivs((1, "ddp", "2026-06-10", None)), date(2026, 12, 20))
    assert (got.loc[0, "difference"], got.loc[0, "category"]) == (8.0, "deteriorated")


def test_the_outcomes_report_shows_the_work(demo_cases):
    """A demo child with work: the chart gains the work's bands (a second figure lined
    up under the SDQ panels), and the Work section lists each intervention with its
    attendance, each review's stage, and the change over each intervention."""
    import matplotlib

    matplotlib.use("Agg")
    from tswt_formulation.reports.outcomes import OutcomesReport

    from ..conftest import AS_OF

    case = next(
        c
        for c in demo_cases
        if c.reviews
        and c.interventions
        and any(m.measure == "sdq" and m.timepoint != "baseline" for m in c.measures)
    )
    report = OutcomesReport.from_case(case, AS_OF)
    charts = report.charts().html
    assert charts.count("<img") >= 2 and "The work under each panel" in charts
    work = report.work().html
    iv = case.interventions[0]
    attended = sum(s.attendance == "attended" for s in iv.sessions if s.date <= AS_OF)
    assert f"{attended} of {len([s for s in iv.sessions if s.date <= AS_OF])}" in work
    assert (
        "SDQ total difficulties over each intervention" in work and "Change from baseline" in work
    )
    assert [f"<td>{r.stage}</td>" in work for r in case.reviews] == [True] * len(case.reviews)


def test_plot_work_draws_one_band_per_intervention(demo_cases):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.patches import Rectangle

    from tswt_formulation.plots.work import plot_work

    from ..conftest import AS_OF

    case = next(c for c in demo_cases if len(c.interventions) == 2 and c.reviews)
    fig = plot_work(case, AS_OF)
    bands = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(bands) == len(case.interventions) + len([r for r in case.reviews if r.date <= AS_OF])
