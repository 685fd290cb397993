"""One child's scores over time: a trajectory with its bands and the reliable-change
corridor, and every informant's trajectory on one page. Goal progress is drawn by
:mod:`.goals` and a caseload's change categories by :mod:`.change_categories` (both still
importable from here); what the plots share is :mod:`.figures`.

Every plot reads in greyscale: series and categories differ by marker, line style,
hatching and grey level, never by colour alone. matplotlib is imported inside each
function, and figures are :class:`matplotlib.figure.Figure` objects made directly (not
through pyplot), so calling these changes no global state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import TswtError
from .change_categories import plot_change_categories
from .figures import _axes, _date_axis, _fail, _figure, _fixed_margins
from .goals import plot_goals

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_change_categories", "plot_goals", "plot_informants", "plot_trajectory"]

_BAND_FILL = ("0.97", "0.9", "0.8", "0.7")
_BAND_HATCH = ("", "..", "--", "++")  # never diagonal: that is the corridor's

CORRIDOR_GID = "reliable-change-corridor"


def _form_bands(df: pd.DataFrame, score: str) -> list[tuple[str, int, int]] | None:
    """The bands of the series' form, when the frame says which measure and form it is."""
    if (
        "measure" not in df.columns
        or "informant" not in df.columns
        or not ({"version", "age"} & set(df.columns))
    ):
        return None
    measures, informants = (
        df["measure"].astype(object).unique(),
        df["informant"].astype(object).unique(),
    )
    if len(measures) != 1 or len(informants) != 1:
        return None
    from ..measures.outcomes import chart_bands

    try:
        found, _said = chart_bands(
            df.astype({c: object for c in ("version",) if c in df.columns}),
            str(measures[0]),
            score,
            str(informants[0]),
        )
    except (TswtError, KeyError):
        return None
    return found


def plot_trajectory(
    traj_df: pd.DataFrame,
    score: str = "total",
    informant: str | None = None,
    *,
    bands: Mapping[str, tuple[float, float]]
    | Sequence[tuple[str, float, float]]
    | str
    | None = "auto",
    threshold: float | None = None,
    case_id: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    legend: bool = True,
) -> Figure:
    """One child's scores over time, with band shading and the reliable-change corridor.

    Parameters
    ----------
    traj_df : DataFrame
        Output of :func:`tswt_formulation.measures.service.trajectory` (columns
        ``score``, ``date``, ``value``, ``timepoint``; optional ``informant``,
        ``case_id``, ``baseline_value``, ``threshold``, ``measure``), or any frame with
        ``date`` and ``value`` for one series.
    score : str, default "total"
        Which score to draw.
    informant : str, optional
        Which informant; required when the frame holds more than one.
    bands : "auto", mapping label -> (min, max), list of (label, min, max), or None
        Score bands (inclusive integer ranges, e.g. SDQ parent total normal 0-13,
        borderline 14-16, abnormal 17-40), shaded from min - 0.5 to max + 0.5 with a
        grey level and hatch each. Default "auto": the bands of the form of every point
        (from the frame's ``measure`` and ``version`` or ``age``), shaded only when
        every point's form has the same bands (none for 18+ forms); None: no shading.
    threshold : float, optional
        Reliable-change threshold in raw points; default the frame's ``threshold``.
        The corridor baseline +/- threshold is shaded: scores inside it are not
        reliably different from baseline.
    case_id : str, optional
        Which case, when the frame holds more than one.
    title : str, optional
    ax : matplotlib Axes, optional
        Draw here; default a new Figure.
    legend : bool, default True
        Name the lines in a legend beside the axes (False: a figure of several panels
        draws one legend for them all).

    Returns
    -------
    matplotlib.figure.Figure
    """
    df = traj_df
    if "score" not in df.columns and "scale" in df.columns:  # a frame from tswt.analysis.scores()
        df = df.rename(columns={"scale": "score"})
    missing = [c for c in ("date", "value") if c not in df.columns]
    if missing:
        raise _fail(
            missing[0],
            f"the frame has no column {' or '.join(map(repr, missing))} "
            f"(give trajectory() or tswt.analysis.scores() output; columns: {', '.join(map(str, df.columns))})",
        )
    if "score" in df.columns:
        df = df[df["score"].astype(object) == score]
    if case_id is not None and "case_id" in df.columns:
        df = df[df["case_id"] == case_id]
    if informant is not None and "informant" in df.columns:
        df = df[df["informant"] == informant]
    for key in ("case_id", "informant"):
        if key in df.columns and df[key].nunique() > 1:
            raise _fail(
                key,
                f"the frame holds {df[key].nunique()} values of {key} for {score}; choose one with {key}=",
            )
    if df.empty:
        raise _fail("score", f"no points to plot for score {score!r}")
    df = df.sort_values([c for c in ("order", "date") if c in df.columns])
    dates = pd.to_datetime(df["date"]).to_numpy()
    values = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=float)

    if isinstance(bands, str):
        if bands != "auto":
            raise _fail("bands", f"{bands!r} must be 'auto', None, or the bands themselves")
        bands = _form_bands(df, score)
    fig, ax = _axes(ax, (8.0, 4.0))
    if bands is not None:
        items = (
            list(bands.items())
            if isinstance(bands, Mapping)
            else [(b[0], (b[1], b[2])) for b in bands]
        )
        for i, (label, (lo, hi)) in enumerate(items):
            ax.axhspan(
                lo - 0.5,
                hi + 0.5,
                facecolor=_BAND_FILL[i % 4],
                hatch=_BAND_HATCH[i % 4],
                edgecolor="0.6",
                linewidth=0,
                zorder=0,
                label=str(label),
                gid=f"band-{label}",
            )

    baseline = (
        df["baseline_value"].dropna().iloc[0]
        if "baseline_value" in df.columns and df["baseline_value"].notna().any()
        else None
    )
    if baseline is None and "timepoint" in df.columns:
        at_baseline = df.loc[df["timepoint"] == "baseline", "value"].dropna()
        baseline = at_baseline.iloc[0] if len(at_baseline) else None
    if threshold is None and "threshold" in df.columns and df["threshold"].notna().any():
        threshold = float(df["threshold"].dropna().iloc[0])
    if baseline is not None:
        baseline = float(baseline)
        ax.axhline(
            baseline,
            color="0.2",
            linestyle="--",
            linewidth=1,
            label=f"baseline ({baseline:g})",
            zorder=2,
        )
        if threshold is not None:
            ax.axhspan(
                baseline - threshold,
                baseline + threshold,
                facecolor="none",
                edgecolor="0.3",
                hatch="////",
                linewidth=0.8,
                zorder=1,
                gid=CORRIDOR_GID,
                label=f"no reliable change (baseline \u00b1 {threshold:.1f})",
            )

    ok = ~np.isnan(values)
    ax.plot(
        dates[ok],
        values[ok],
        color="0.0",
        marker="o",
        linestyle="-",
        linewidth=1.5,
        zorder=3,
        label=score,
    )
    if "timepoint" in df.columns:
        for d, v, tp in zip(dates[ok], values[ok], df["timepoint"].to_numpy()[ok]):
            ax.annotate(
                str(tp), (d, v), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7
            )

    who = (
        f" ({informant})"
        if informant
        else (f" ({df['informant'].iloc[0]})" if "informant" in df.columns else "")
    )
    measure = f"{df['measure'].iloc[0].upper()} " if "measure" in df.columns else ""
    ax.set_xlabel("Date")
    ax.set_ylabel(f"{measure}{score} score{who}")
    if title:
        ax.set_title(title)
    _trajectory_limits(ax, df, score, informant, dates[ok], values[ok])
    _date_axis(ax)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return fig


#: The least time a trajectory's date axis spans: a single point (or two close ones) is
#: shown with about three months either side, its ticks months, not one day or four years.
MIN_DAYS_SHOWN = 182


def score_limits(df: pd.DataFrame, score: str, informant: str | None) -> tuple[float, float] | None:
    """The y limits of a score's chart: the score's whole possible range (from the
    measure's definition, e.g. SDQ total difficulties 0-40), half a point beyond each end
    as the bands are shaded; None when the frame does not say which measure it is."""
    if "measure" not in df.columns or df["measure"].nunique() != 1:
        return None
    from ..measures import load_measure

    if informant is None and "informant" in df.columns and df["informant"].nunique() == 1:
        informant = str(df["informant"].iloc[0])
    try:
        lo, hi = load_measure(str(df["measure"].iloc[0])).score_range(score, informant)
    except (TswtError, KeyError):
        return None
    return lo - 0.5, hi + 0.5


def _trajectory_limits(
    ax: Axes,
    df: pd.DataFrame,
    score: str,
    informant: str | None,
    dates: np.ndarray,
    values: np.ndarray,
) -> None:
    """Axes a reader can place the points on, however few: the score's whole range (a
    single SDQ total of 24 on an axis of 23 to 25 looked like a crisis), and at least
    :data:`MIN_DAYS_SHOWN` days round the points. The dates widen the data limits rather
    than fix them, so a line drawn later (where work began) still widens the axis to show it."""
    import matplotlib.dates as mdates

    limits = score_limits(df, score, informant)
    if limits is not None:
        lo, hi = limits
        ax.set_ylim(
            min(lo, float(np.nanmin(values, initial=lo))),
            max(hi, float(np.nanmax(values, initial=hi))),
        )
    elif (
        len(values) and np.nanmax(values) - np.nanmin(values) < 10
    ):  # unknown scale: room round the points
        middle = (float(np.nanmax(values)) + float(np.nanmin(values))) / 2
        ax.set_ylim(middle - 5, middle + 5)
    if len(dates):
        first, last = (mdates.date2num(pd.Timestamp(d)) for d in (dates.min(), dates.max()))
        if last - first < MIN_DAYS_SHOWN:
            middle = (first + last) / 2
            half = MIN_DAYS_SHOWN / 2
            ax.update_datalim(
                [(middle - half, ax.get_ylim()[0]), (middle + half, ax.get_ylim()[0])]
            )
            ax.autoscale_view(scalex=True, scaley=False)


def plot_informants(
    traj_df: pd.DataFrame,
    score: str = "total",
    *,
    bands: Mapping[str, Sequence[tuple[str, float, float]] | None] | None = None,
    cutoffs: Mapping[str, float | None] | None = None,
    work_started: object | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Every informant of one measure's score on one page: small multiples sharing the
    score axis, each with its bands, the reliable-change corridor round its baseline,
    the clinical cut-off (where the form has one) and a marker where work began.

    Parameters
    ----------
    traj_df : DataFrame
        One case's trajectory (as for :func:`plot_trajectory`) with an ``informant``
        column; every informant with at least one score gets a panel.
    score : str, default "total"
    bands : mapping informant -> list of (label, min, max), optional
        The bands of each informant's form (None: no shading, e.g. the 18+ forms).
    cutoffs : mapping informant -> float, optional
        The clinical cut-off of each informant's form, drawn as a heavy dashed line.
    work_started : date-like, optional
        Where work began: a vertical dash-dot line in every panel.
    labels : mapping informant -> str, optional
        Panel titles (default the informant ids).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One panel per informant; one legend for the whole figure, every line in it.
    """
    df = traj_df[traj_df["score"] == score] if "score" in traj_df.columns else traj_df
    informants = [
        i
        for i in sorted(df["informant"].dropna().unique())
        if df.loc[df["informant"] == i, "value"].notna().any()
    ]
    if not informants:
        raise _fail("informant", f"no scores to plot for {score!r}")
    n = len(informants)
    fig = _figure(
        (2.6 * n + 0.8, 3.0), constrained=False
    )  # short enough to sit under page 1's flags
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    legend: dict[str, Artist] = {}
    for ax, informant in zip(axes, informants):
        plot_trajectory(
            df,
            score,
            informant,
            bands=(bands or {}).get(informant),
            ax=ax,
            title=(labels or {}).get(informant, informant),
            legend=False,
        )
        if work_started is not None:
            ax.axvline(
                pd.Timestamp(work_started).to_numpy(),
                color="0.0",
                linestyle="-.",
                linewidth=1.2,
                zorder=4,
                label="work began",
            )
        cutoff = (cutoffs or {}).get(informant)
        if cutoff is not None:
            ax.axhline(
                cutoff,
                color="0.0",
                linestyle=(0, (6, 2)),
                linewidth=1.6,
                zorder=4,
                label="clinical cut-off",
            )
        ax.set_ylabel("")
        ax.tick_params(labelsize=7)
        ax.title.set_fontsize(9)
        for handle, label in zip(*ax.get_legend_handles_labels()):
            key = (
                "baseline"
                if label.startswith("baseline (")
                else ("score" if label == score else label)
            )
            legend.setdefault(key, handle)
    axes[0].set_ylabel(f"{score} score")
    if title:
        fig.suptitle(title, fontsize=10)
    ncol = min(
        4 if n > 1 else 2, len(legend)
    )  # one panel (3.4 in) holds two columns of names, not four
    fig.legend(
        list(legend.values()),
        list(legend.keys()),
        loc="lower center",
        ncol=ncol,
        fontsize=7,
        frameon=False,
    )
    rows = -(-len(legend) // ncol)  # the figure's legend, below the panels' date labels
    _fixed_margins(
        fig,
        left=0.47,
        right=0.14,
        bottom=0.546 + 0.144 * rows,
        top=0.444 if title else 0.25,
        gap=0.22,
    )
    return fig
