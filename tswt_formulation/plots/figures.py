"""What every outcome plot shares: a figure of its own (never pyplot's), its panels placed
by margins in inches, a date axis, the grey levels that tell series apart without colour,
and the error a plot raises."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Problem, ScoringError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_GREYS = ("0.0", "0.35", "0.55", "0.2")


def _axes(
    ax: Axes | None, figsize: tuple[float, float], constrained: bool = True
) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = _figure(figsize, constrained)
    return fig, fig.add_subplot()


def _figure(figsize: tuple[float, float], constrained: bool = True) -> Figure:
    """A Figure of its own (not pyplot's): constrained layout, or none (fixed margins)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained" if constrained else None)
    if not constrained:
        fig.set_layout_engine("none")  # whatever the rcParams say
    return fig


def _fixed_margins(
    fig: Figure, *, left: float, right: float, bottom: float, top: float, gap: float = 0.0
) -> None:
    """Place a figure's row of panels by margins in inches.

    The two figures of every outcomes report (the informants and the goals) are laid out
    this way, not by constrained layout: the margins were measured from constrained
    layout's own result for these figures at matplotlib's default sizes (tick labels,
    titles, the legend's rows) and keep a little room for a label that overhangs its
    panel. The page reads the same; the figure is measured and drawn once instead of
    twice, about a third of a report's drawing time.
    """
    width, height = fig.get_size_inches()
    n = max(1, len(fig.axes))
    panel = (width - left - right - gap * (n - 1)) / n
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
        wspace=gap / panel if n > 1 else None,
    )
    # reports.html.figure: saved as it is, not cropped to a tight box (a second drawing)
    fig.tswt_fixed_margins = True  # type: ignore[attr-defined]


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _fail(field: str, message: str) -> ScoringError:
    return ScoringError([Problem("plot", field, message)])
