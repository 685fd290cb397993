"""The expected band behind a child's own line (issue 23; docs/change.md, "Expected
progress"). A separate function, drawn on a chart's Axes after the chart is made, so the
chart's own layout (plots/outcomes.py) is untouched. Greyscale-safe: a dotted grey fill,
a dash-dot-dot and a dotted line, never colour alone; matplotlib is imported by the caller's chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["draw_expected_band"]


def draw_expected_band(ax: Axes, course: pd.DataFrame) -> list[Any]:
    """Shade the expected band behind the child's line on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
        A chart of the child's scores over dates (``plot_trajectory``, a panel of
        ``plot_informants``).
    course : DataFrame
        :func:`tswt_formulation.measures.expected.band_course`: ``date``, ``expected``,
        ``line_25``, ``line_10`` at each month with a curve.

    Returns
    -------
    list
        The artists drawn (gids ``expected-band``, ``expected-line``,
        ``expected-10th-centile``); none when the course is empty. The axes' date range
        is kept: the band is drawn only over the dates the chart already shows.
    """
    if course is None or course.empty:
        return []
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    dates = course["date"].to_numpy()
    band = ax.fill_between(
        dates,
        course["expected"].to_numpy(dtype=float),
        course["line_25"].to_numpy(dtype=float),
        facecolor="0.45",
        alpha=0.35,
        edgecolor="0.2",
        hatch="...",
        linewidth=0,
        zorder=2.5,
        label="expected band (expected score to the 25th-centile line)",
    )
    band.set_gid("expected-band")
    (line,) = ax.plot(
        dates,
        course["expected"].to_numpy(dtype=float),
        color="0.1",
        linestyle=(0, (3, 1, 1, 1, 1, 1)),
        linewidth=1.1,
        zorder=2.6,
        label="expected score",
    )
    line.set_gid("expected-line")
    (tenth,) = ax.plot(
        dates,
        course["line_10"].to_numpy(dtype=float),
        color="0.1",
        linestyle=(0, (1, 1.5)),
        linewidth=1.1,
        zorder=2.6,
        label="10th-centile line",
    )
    tenth.set_gid("expected-10th-centile")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return [band, line, tenth]
