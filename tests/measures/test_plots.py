"""Outcome plots under the Agg backend: real properties of what is drawn."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle

from tswt_formulation.errors import ScoringError
from tswt_formulation.measures.change import change
from tswt_formulation.measures.service import category_counts, trajectory
from tswt_formulation.plots import plot_change_categories, plot_goals, plot_trajectory
from tswt_formulation.plots.change_categories import CATEGORY_STYLE
from tswt_formulation.plots.outcomes import CORRIDOR_GID
from tswt_formulation.words import CATEGORY_WORDS

# SDQ parent total bands (docs/measures.md, "The SDQ"): normal 0-13, borderline 14-16, abnormal 17-40.
PARENT_TOTAL_BANDS = {"normal": (0, 13), "borderline": (14, 16), "abnormal": (17, 40)}


def _traj() -> pd.DataFrame:
    scored = pd.DataFrame(
        {
            "case_id": "TSW-000001",
            "measure": "sdq",
            "informant": ["parent", "parent", "parent", "teacher"],
            "timepoint": ["baseline", "review 1", "closure", "baseline"],
            "date": pd.to_datetime(["2024-09-01", "2024-12-01", "2025-06-01", "2024-09-02"]),
            "total": [22, 18, 10, 15],
        }
    )
    return trajectory(scored, ["total"], reliability=0.80, sd=5, better="lower")


def _corridor(fig: Figure) -> Rectangle:
    ax = fig.axes[0]
    found = [p for p in ax.patches if p.get_gid() == CORRIDOR_GID]
    assert len(found) == 1 and isinstance(found[0], Rectangle)
    return found[0]


def test_importing_plots_does_not_import_matplotlib() -> None:
    code = "import sys, tswt_formulation.plots; print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_trajectory_plot() -> None:
    fig = plot_trajectory(_traj(), "total", "parent", bands=PARENT_TOTAL_BANDS)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    # Corridor: baseline 22 +/- threshold 6.198 (SD 5, r .80) -> 15.802 to 28.198.
    y0, y1 = _corridor(fig).get_y(), _corridor(fig).get_y() + _corridor(fig).get_height()
    assert (y0, y1) == pytest.approx((22 - 6.19795, 22 + 6.19795), abs=1e-4)
    # Three band patches, -0.5 / +0.5 around the inclusive ranges; each hatched differently.
    bands = [
        p for p in ax.patches if isinstance(p, Rectangle) and str(p.get_gid()).startswith("band-")
    ]
    assert [(p.get_y(), p.get_y() + p.get_height()) for p in bands] == [
        (-0.5, 13.5),
        (13.5, 16.5),
        (16.5, 40.5),
    ]
    assert len({p.get_hatch() for p in bands}) == 3
    # One data line (three points) plus the baseline line.
    data = [line for line in ax.lines if line.get_label() == "total"]
    assert len(data) == 1 and len(np.asarray(data[0].get_xdata())) == 3
    assert list(np.asarray(data[0].get_ydata())) == [22.0, 18.0, 10.0]
    assert [
        line.get_linestyle() for line in ax.lines if str(line.get_label()).startswith("baseline")
    ] == ["--"]
    assert ax.get_xlabel() == "Date"
    assert ax.get_ylabel() == "SDQ total score (parent)"
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert pd.Timestamp(np.asarray(data[0].get_xdata())[0]).date() == date(2024, 9, 1)


def test_trajectory_threshold_override_and_ax() -> None:
    from matplotlib.figure import Figure as Fig

    fig = Fig()
    ax = fig.add_subplot()
    out = plot_trajectory(_traj(), informant="parent", threshold=4.0, ax=ax)
    assert out is fig
    c = _corridor(fig)
    assert (c.get_y(), c.get_y() + c.get_height()) == pytest.approx((18.0, 26.0))


def test_trajectory_needs_one_informant() -> None:
    with pytest.raises(
        ScoringError,
        match=r"^plot: informant: the frame holds 2 values of informant for total; choose one with informant=$",
    ):
        plot_trajectory(_traj(), "total")


def test_goals_plot() -> None:
    gbo = pd.DataFrame(
        {
            "goal": [1, 1, 1, 2, 2, 3],
            "date": pd.to_datetime(
                ["2024-09-01", "2024-12-01", "2025-03-01", "2024-09-01", "2025-03-01", "2024-12-01"]
            ),
            "rating": [2, 4, 7, 5, 5, 1],
        }
    )
    fig = plot_goals(gbo)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["Goal 1", "Goal 2", "Goal 3"]
    # Distinguishable without colour: distinct markers and line styles.
    assert len({line.get_marker() for line in ax.lines}) == 3
    assert len({line.get_linestyle() for line in ax.lines}) == 3
    assert list(np.asarray(ax.lines[0].get_ydata())) == [2.0, 4.0, 7.0]
    assert ax.get_ylim() == (-0.5, 10.5)
    assert ax.get_xlabel() == "Date" and ax.get_ylabel() == "Goal progress (0-10)"


def test_change_categories_plot() -> None:
    pairs = pd.DataFrame(
        {
            "wave": ["2024"] * 4 + ["2025"] * 3,
            "pre": [20, 30, 10, 18, 20, 20, np.nan],
            "post": [10, 20, 20, 17, 10, 12, 12],
        }
    )
    changed = change(pairs, reliability=0.80, sd=5, cutoff_value=15)
    fig = plot_change_categories(category_counts(changed, by="wave"), by="wave")
    ax = fig.axes[0]
    # 2 groups x 5 categories = 10 bars.
    assert len(ax.patches) == 10
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == len(ax.containers)
    # In a child's-file words, except that a bar's improvers who did not recover are said
    # to be so, so the bar's two improvement parts add up to the table's reliable improvement.
    words = {**CATEGORY_WORDS, "Improved": "Reliable improvement, not recovered"}
    assert [c.get_label() for c in bars] == [words[c] for c in CATEGORY_STYLE]
    # Greyscale-safe: every category has its own grey level, and hatching is not all blank.
    assert len({c.patches[0].get_facecolor() for c in bars}) == 5
    assert [c.patches[0].get_hatch() or "" for c in bars] == [h for _, h in CATEGORY_STYLE.values()]
    # Shares per bar sum to 1; 2024: Recovered 1/4, Improved 1/4, Unchanged 1/4, Harmed 1/4.
    widths = np.array([[p.get_width() for p in c.patches] for c in bars])
    assert widths.sum(axis=0) == pytest.approx([1.0, 1.0])
    assert widths[:, 0] == pytest.approx([0.25, 0.25, 0.25, 0.0, 0.25])
    # 2025: pairs 20->10 (Recovered), 20->12 (Recovered); one unpaired.
    assert widths[:, 1] == pytest.approx([1.0, 0.0, 0.0, 0.0, 0.0])
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "2024 (n=4 paired, 0 unpaired)",
        "2025 (n=2 paired, 1 unpaired)",
    ]
    assert ax.get_xlabel() == "Share of paired cases"


def test_change_categories_from_a_change_table() -> None:
    changed = change(
        pd.DataFrame({"pre": [20, 20, 20], "post": [10, 20, 30]}), reliability=0.8, sd=5
    )
    fig = plot_change_categories(changed)
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == [
        "Reliable improvement",
        "No reliable change",
        "Reliable deterioration",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["All cases (n=3 paired, 0 unpaired)"]


def test_every_informant_on_one_figure_with_cutoff_corridor_and_work_start() -> None:
    from tswt_formulation.plots import plot_informants

    rows = []
    for informant, values in (("parent", [20, 18, 12]), ("teacher", [22, 23, 30])):
        for k, v in enumerate(values):
            rows.append(
                {
                    "informant": informant,
                    "score": "total",
                    "value": v,
                    "date": pd.Timestamp(2026, 1 + 3 * k, 1),
                    "timepoint": "baseline" if k == 0 else f"review_{k}",
                    "baseline_value": values[0],
                    "threshold": 5.0,
                }
            )
    fig = plot_informants(
        pd.DataFrame(rows),
        "total",
        cutoffs={"parent": 16.5, "teacher": None},
        work_started="2026-02-01",
        labels={"parent": "Parent or carer", "teacher": "Teacher"},
    )
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["Parent or carer", "Teacher"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    # One legend for the figure, every kind of line in it once.
    assert (
        "work began" in legend
        and "clinical cut-off" in legend
        and "baseline" in legend
        and "score" in legend
    )
    assert sum(1 for t in legend if t.startswith("no reliable change")) == 1
    # The corridor is drawn in both panels; the cut-off only where the form has one.
    assert all(any(p.get_gid() == CORRIDOR_GID for p in ax.patches) for ax in panels)
    assert [
        sum(1 for ln in ax.get_lines() if ln.get_label() == "clinical cut-off") for ax in panels
    ] == [1, 0]


def test_goal_chart_names_every_line() -> None:
    df = pd.DataFrame(
        {
            "goal": ["Goal 1: Sleep"] * 3 + ["Goal 2: School"] * 3,
            "rating": [2, 4, 6, 3, 3, 2],
            "date": list(pd.date_range("2026-01-01", periods=3, freq="90D")) * 2,
        }
    )
    fig = plot_goals(df, goal="goal", rating="rating", date="date", threshold=2.5)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == len(ax.get_lines()) == 4
    assert (
        "Goal 1: reliable improvement above 4.5" in labels
        and "Goal 2: reliable improvement above 5.5" in labels
    )


@pytest.mark.parametrize(
    "informants", [("parent",), ("parent", "teacher"), ("parent", "self", "teacher")]
)
def test_report_charts_placed_by_fixed_margins_stay_on_their_canvas(informants) -> None:
    """The informants and goals charts are placed by fixed margins, not a layout engine:
    their titles, tick and axis labels, point labels and legends must still all be on the
    canvas (the figure's tight box inside the figure), with the legend below the panels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from tswt_formulation.plots import plot_informants

    rows = []
    for n, informant in enumerate(informants):
        for k, v in enumerate([30, 34, 40 - n]):
            rows.append(
                {
                    "informant": informant,
                    "score": "total",
                    "value": v,
                    "date": pd.Timestamp(2025, 11, 1) + pd.Timedelta(days=91 * k),
                    "timepoint": "baseline" if k == 0 else f"review {k}",
                    "baseline_value": 30,
                    "threshold": 7.2,
                }
            )
    bands = [("normal", 0, 13), ("borderline", 14, 16), ("abnormal", 17, 40)]
    informant_fig = plot_informants(
        pd.DataFrame(rows),
        "total",
        bands={i: bands for i in informants},
        cutoffs={i: 16.5 for i in informants},
        work_started="2025-12-01",
        labels={i: f"{i.title()}: clinical above 16.5" for i in informants},
        title="SDQ total difficulties, by informant",
    )
    long = "Goal 3: To be able to go to the shops with my foster carer and come back home without a row, and to say when I feel worried"
    goals = pd.DataFrame(
        {
            "goal": [
                f"Goal {g}: Manage anger without hurting anyone" if g < 3 else long
                for g in (1, 2, 3)
                for _ in range(3)
            ],
            "rating": [2, 4, 6, 3, 3, 2, 0, 5, 10],
            "date": list(pd.date_range("2025-11-01", periods=3, freq="91D")) * 3,
        }
    )
    goals_fig = plot_goals(
        goals,
        goal="goal",
        rating="rating",
        date="date",
        threshold=2.5,
        title="Goal progress (0-10)",
    )
    for fig in (informant_fig, goals_fig):
        assert fig.get_layout_engine() is None and getattr(fig, "tswt_fixed_margins", False)
        renderer = FigureCanvasAgg(fig).get_renderer()
        box = fig.get_tightbbox(renderer)  # inches
        width, height = fig.get_size_inches()
        assert (
            box.x0 >= -0.01
            and box.y0 >= -0.01
            and box.x1 <= width + 0.01
            and box.y1 <= height + 0.01
        ), (box, width, height)
        legends: list[Legend | None] = [*fig.legends] or [fig.axes[0].get_legend()]
        assert legends[0] is not None
        legend = legends[0].get_window_extent(renderer)
        lowest_label = min(ax.xaxis.label.get_window_extent(renderer).y0 for ax in fig.axes)
        assert legend.y1 <= lowest_label + 1  # under the date labels, not over them


def test_trajectory_plot_shades_the_forms_bands_by_default() -> None:
    # A frame from tswt.analysis.scores(): scale, value, version; P4-17 parent total bands
    # (MEASURES.md) normal 0-13, borderline 14-16, abnormal 17-40, shaded from min - 0.5.
    scores = pd.DataFrame(
        {
            "case_id": "TSW-000001",
            "measure": "sdq",
            "informant": "parent",
            "version": "P4-17",
            "timepoint": ["baseline", "review 1"],
            "date": pd.to_datetime(["2024-09-01", "2024-12-01"]),
            "scale": "total",
            "value": pd.array([22, 15], dtype="Int64"),
        }
    )
    fig = plot_trajectory(scores, "total")
    ys = {
        p.get_gid(): (p.get_y(), p.get_y() + p.get_height())
        for p in fig.axes[0].patches
        if isinstance(p, Rectangle) and str(p.get_gid()).startswith("band-")
    }
    assert ys == {
        "band-normal": (-0.5, 13.5),
        "band-borderline": (13.5, 16.5),
        "band-abnormal": (16.5, 40.5),
    }
    # an 18+ form has no bands: nothing shaded
    fig = plot_trajectory(scores.assign(informant="self", version="S18+"), "total")
    assert not [p for p in fig.axes[0].patches if str(p.get_gid()).startswith("band-")]


def test_trajectory_plot_names_the_missing_columns() -> None:
    with pytest.raises(
        ScoringError, match=r"^plot: value: the frame has no column 'value' \(give trajectory\(\)"
    ):
        plot_trajectory(pd.DataFrame({"date": [], "score": []}), "total")


def _one_sdq(values: list[int], dates: list[str], **extra: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": "TSW-000001",
            "measure": "sdq",
            "informant": "parent",
            "score": "total",
            "timepoint": ["baseline", "review 1"][: len(values)],
            "date": pd.to_datetime(dates),
            "value": values,
            **extra,
        }
    )


@pytest.mark.parametrize("bands", ["auto", None])
def test_a_single_sdq_point_is_shown_on_the_whole_scale_with_months_round_it(bands) -> None:
    # SDQ total difficulties: 20 items of the four difficulties scales, each scored 0-2,
    # so 0-40 (MEASURES.md); the axis runs half a point beyond each end, as bands are shaded.
    # Before: a lone 24 without bands sat on an axis of 23.6 to 26.4, over four years of dates.
    frame = _one_sdq([24], ["2026-06-01"], version="P4-17")
    fig = plot_trajectory(frame, "total", bands=bands)
    ax = fig.axes[0]
    assert ax.get_ylim() == (-0.5, 40.5)
    # At least three months either side of 1 June 2026 (2026-03-02 .. 2026-08-31), and
    # not years: at most 7 months in all.
    x0, x1 = (mdates.num2date(x).date() for x in ax.get_xlim())
    assert x0 <= date(2026, 3, 2) and x1 >= date(2026, 8, 31)
    assert (x1 - x0).days <= 213
    ticks = [mdates.num2date(t).date() for t in ax.get_xticks()]
    assert len([t for t in ticks if x0 <= t <= x1]) >= 3  # readable ticks inside the axis


def test_two_close_sdq_points_get_the_same_sensible_axes_and_a_later_work_line_widens_them() -> (
    None
):
    from tswt_formulation.plots import plot_informants

    frame = _one_sdq([24, 25], ["2026-06-01", "2026-06-15"], version="P4-17")
    fig = plot_trajectory(frame, "total")
    ax = fig.axes[0]
    assert ax.get_ylim() == (-0.5, 40.5)
    x0, x1 = (mdates.num2date(x).date() for x in ax.get_xlim())
    # centred on 8 June: 91 days either side at least
    assert x0 <= date(2026, 3, 9) and x1 >= date(2026, 9, 7)
    # where work began, five months before the first point, is still on the axis
    fig = plot_informants(frame, "total", work_started="2026-01-05")
    x0, _ = (mdates.num2date(x).date() for x in fig.axes[0].get_xlim())
    assert x0 <= date(2026, 1, 5)
    assert fig.axes[0].get_ylim() == (-0.5, 40.5)


def test_a_wide_series_keeps_its_own_dates_and_an_unknown_scale_gets_room() -> None:
    # points a year apart: the dates span themselves (matplotlib's margins), not widened
    frame = _one_sdq([24, 12], ["2025-06-01", "2026-06-01"])
    ax = plot_trajectory(frame, "total").axes[0]
    x0, x1 = (mdates.num2date(x).date() for x in ax.get_xlim())
    assert date(2025, 4, 1) <= x0 <= date(2025, 6, 1) and date(2026, 6, 1) <= x1 <= date(2026, 8, 1)
    # a frame that does not say its measure: ten points of room round a lone 24
    ax = plot_trajectory(frame.drop(columns="measure").iloc[:1], "total").axes[0]
    assert ax.get_ylim() == (19.0, 29.0)
