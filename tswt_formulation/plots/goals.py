"""Goal-Based Outcomes: each goal's 0-10 progress rating over time, in greyscale (marker,
line style and grey level differ per goal)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pandas as pd

from .figures import _GREYS, _axes, _date_axis, _fail, _fixed_margins

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_goals"]

_MARKERS = ("o", "s", "^", "D", "v", "P")
_LINESTYLES = ("-", "--", ":", "-.")


def plot_goals(
    gbo_df: pd.DataFrame,
    *,
    goal: str = "goal",
    rating: str = "rating",
    date: str = "date",
    threshold: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    work_started: object | None = None,
) -> Figure:
    """Goal-Based Outcomes: each goal's 0-10 progress rating over time.

    Parameters
    ----------
    gbo_df : DataFrame
        One row per goal and review: ``goal`` (number or short description), ``date``,
        ``rating`` (0-10); column names can be changed with the keyword arguments.
    threshold : float, optional
        A reliable-change size in points (e.g. the team's GBO constant); if given, each
        goal's first rating + threshold is drawn as a dotted reference line.
    title : str, optional
    ax : matplotlib Axes, optional
    work_started : date-like, optional
        Where work began: a vertical dash-dot line, named with its date in the legend
        ("work began 24 Oct 2026"), as on the SDQ chart.

    Returns
    -------
    matplotlib.figure.Figure
        One line per goal, differing by marker, line style and grey level.
    """
    for c in (goal, rating, date):
        if c not in gbo_df.columns:
            raise _fail(
                c, f"column {c!r} is missing (columns: {', '.join(map(str, gbo_df.columns))})"
            )
    own = ax is None
    fig, ax = _axes(ax, (7.0, 4.0), constrained=not own)
    df = gbo_df.assign(_date=pd.to_datetime(gbo_df[date])).sort_values([goal, "_date"])
    for i, (name, part) in enumerate(df.groupby(goal, sort=True)):
        grey = _GREYS[i % len(_GREYS)]
        label = f"Goal {name}" if not isinstance(name, str) else name
        ax.plot(
            part["_date"].to_numpy(),
            part[rating].to_numpy(dtype=float),
            label=label,
            marker=_MARKERS[i % len(_MARKERS)],
            linestyle=_LINESTYLES[i % len(_LINESTYLES)],
            color=grey,
        )
        if threshold is not None and len(part):
            target = float(part[rating].iloc[0]) + threshold
            short = label.split(":")[0]
            ax.axhline(
                target,
                color=grey,
                linestyle=":",
                linewidth=0.8,
                label=f"{short}: reliable improvement above {target:g}",
            )
    if work_started is not None:
        from ..words import uk_date

        began = pd.Timestamp(work_started)
        ax.axvline(
            began.to_numpy(),
            color="0.0",
            linestyle="-.",
            linewidth=1.2,
            zorder=4,
            label=f"work began {uk_date(began.date())}",
            gid="work-began",
        )
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(11))
    ax.set_xlabel("Date")
    ax.set_ylabel("Goal progress (0-10)")
    if title:
        ax.set_title(title)
    _date_axis(ax)
    # Every line named, in two columns of at most 55 characters a line: a goal in the
    # family's own words can be long, and is wrapped, never cut.
    handles, names = ax.get_legend_handles_labels()
    names = [textwrap.fill(name, 55) for name in names]
    legend = ax.legend(
        handles,
        names,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=2,
        fontsize=7,
        frameon=False,
    )
    if own:  # room below for the legend's rows (anchored to the panel, under the date labels)
        per_column = -(-len(names) // 2)  # matplotlib fills the first column first
        lines = sum(
            max(names[i].count("\n") + 1 for i in (r, r + per_column) if i < len(names))
            for r in range(per_column)
        )
        top = 0.26 if title else 0.1
        bottom = 0.6 + 0.13 * lines
        height = max(4.0, bottom + top + 2.6)  # the panel keeps its height however long the legend
        fig.set_size_inches(7.0, height)
        _fixed_margins(fig, left=0.51, right=0.12, bottom=bottom, top=top)
        legend.set_bbox_to_anchor(
            (0.5, -0.41 / (height - bottom - top))
        )  # 0.41 in under the panel: below the date labels
    return fig
