"""The work on one child's timeline (issue 22): the stage strip from review to review,
each intervention as a band from its start to its end, its sessions as ticks, and the
review dates; drawn to sit under the outcome chart on the same dates.

Greyscale: attended sessions are filled ticks, missed or cancelled ones hollow; an
ongoing intervention's band is hatched; the stage is written in each strip segment.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from .figures import _axes, _date_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..model.case import Case

_STAGE_GREY = {1: "0.92", 2: "0.8", 3: "0.65", 4: "0.5"}
_STAGE_WORDS = {1: "1 safety", 2: "2 relationships", 3: "3 experiences", 4: "4 platform"}


def work_span(case: Case, as_of: date) -> tuple[date, date] | None:
    """The dates the work covers (first intervention or review to its end, or ``as_of``)."""
    starts = [iv.start for iv in case.interventions if iv.start <= as_of] + [
        r.date for r in case.reviews if r.date <= as_of
    ]
    if not starts:
        return None
    ends = [min(iv.end or as_of, as_of) for iv in case.interventions] + [
        r.date for r in case.reviews if r.date <= as_of
    ]
    return min(starts), max(ends)


def plot_work(
    case: Case,
    as_of: date,
    *,
    xlim: tuple[date, date] | None = None,
    width: float = 6.5,
    ax: Axes | None = None,
    panels: list[tuple[float, float]] | None = None,
) -> Figure:
    """One child's work as bands under a chart.

    Parameters
    ----------
    case : Case
        Its interventions (with sessions), reviews and ending are drawn; events after
        ``as_of`` are not.
    as_of : date
        An intervention without an end runs to here (hatched: ongoing).
    xlim : (date, date), optional
        The dates of the chart it sits under (default: the work's own span).
    width : float
        Figure width in inches, when no ``ax`` is given.
    ax : Axes, optional
    panels : list of (left, right), optional
        Figure fractions of the panels of the chart it sits under: the work is drawn
        under each panel, lined up with it (no ``ax`` then).

    Returns
    -------
    matplotlib.figure.Figure
    """
    ivs = [iv for iv in case.interventions if iv.start <= as_of]
    rows = len(ivs) + 1  # the stage strip on top
    height = 0.55 + 0.42 * rows
    if panels:
        from .figures import _figure

        fig = _figure((width, height), constrained=False)
        for k, (left, right) in enumerate(panels):
            _draw(
                fig.add_axes((left, 0.45 / height, right - left, 1 - 0.55 / height)),
                case,
                as_of,
                xlim,
                ivs,
                names=k == 0,
            )
        fig.tswt_fixed_margins = True  # type: ignore[attr-defined]
        return fig
    fig, ax = _axes(ax, (width, height))
    _draw(ax, case, as_of, xlim, ivs, names=True)
    return fig


def _draw(
    ax: Axes, case: Case, as_of: date, xlim: tuple[date, date] | None, ivs: list, names: bool
) -> None:
    from matplotlib.dates import date2num
    from matplotlib.patches import Rectangle

    rows = len(ivs) + 1

    # the stage strip: from each review to the next (or to the end of the work)
    reviews = [r for r in case.reviews if r.date <= as_of]
    stop = (
        min(case.ending.date, as_of)
        if case.ending is not None and case.ending.date <= as_of
        else as_of
    )
    y_strip = len(ivs)
    for k, r in enumerate(reviews):
        until = reviews[k + 1].date if k + 1 < len(reviews) else stop
        left, span = date2num(r.date), max(1.0, date2num(until) - date2num(r.date))
        ax.add_patch(
            Rectangle(
                (left, y_strip - 0.35),
                span,
                0.7,
                facecolor=_STAGE_GREY[r.stage],
                edgecolor="0.3",
                lw=0.6,
            )
        )
        ax.text(left + 1, y_strip, f"{r.stage}", va="center", ha="left", fontsize=7)
        ax.axvline(date2num(r.date), color="0.35", lw=0.8, ls=":", zorder=0)
    # one band per intervention, session ticks on it
    for row, iv in enumerate(reversed(ivs)):
        end = min(iv.end or as_of, as_of)
        left, span = date2num(iv.start), max(1.0, date2num(end) - date2num(iv.start))
        ongoing = iv.end is None or iv.end > as_of
        ax.add_patch(
            Rectangle(
                (left, row - 0.3),
                span,
                0.6,
                facecolor="0.9",
                edgecolor="0.25",
                lw=0.7,
                hatch="//" if ongoing else "",
            )
        )
        attended = [
            date2num(s.date) for s in iv.sessions if s.date <= as_of and s.attendance == "attended"
        ]
        missed = [
            date2num(s.date) for s in iv.sessions if s.date <= as_of and s.attendance != "attended"
        ]
        ax.plot(attended, [row] * len(attended), "|", color="0.0", ms=9, mew=1.4)
        ax.plot(missed, [row] * len(missed), "o", mfc="white", mec="0.0", ms=3.5, mew=0.8)
        if iv.end is not None and iv.end <= as_of and iv.ending_reason != "planned":
            ax.plot([date2num(iv.end)], [row], "x", color="0.0", ms=7, mew=1.5)
        if names:  # the name above its band, so the panels line up with the chart's
            ax.text(
                left,
                row + 0.32,
                f"{iv.number}. {iv.what.replace('_', ' ')}",
                fontsize=6.5,
                va="bottom",
                ha="left",
            )
    if names:
        ax.text(
            0.0,
            y_strip + 0.37,
            "stage at each review",
            fontsize=6.5,
            va="bottom",
            ha="left",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks([])
    ax.set_ylim(-0.6, rows - 0.1)
    lo, hi = xlim or work_span(case, as_of) or (as_of - timedelta(days=90), as_of)
    ax.set_xlim(date2num(lo), date2num(hi + timedelta(days=1)))
    ax.xaxis_date()
    _date_axis(ax)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
