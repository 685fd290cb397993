"""A caseload's change categories: one stacked bar of shares of the paired cases per group,
each category with its own grey level and hatch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..words import CATEGORY_WORDS
from .figures import _GREYS, _axes, _fail

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_change_categories"]

#: Grey level and hatch per change category (best to worst), readable without colour.
CATEGORY_STYLE: dict[str, tuple[str, str]] = {
    "Recovered": ("0.15", "xx"),
    "Improved": ("0.45", "//"),
    "Unchanged": ("0.95", ""),
    "Deteriorated": ("0.7", "\\\\"),
    "Harmed": ("0.3", ".."),
}
# On a stacked bar the reliable improvers are split: those who recovered, and the rest.
# Named so that the two add up to the table's "reliable improvement".
_BAR_WORDS = {"Improved": "Reliable improvement, not recovered"}


def plot_change_categories(
    summary_df: pd.DataFrame,
    by: str | None = None,
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """A caseload's change categories: one stacked bar of shares per group.

    Parameters
    ----------
    summary_df : DataFrame
        Either :func:`tswt_formulation.measures.service.category_counts` output
        (``category``, ``n``, optional ``n_unpaired``) or a change table with
        ``category`` and ``paired`` (counted here).
    by : str, optional
        Group column (wave, team, informant); one bar per value.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars of the share of PAIRED cases in each category; each category has
        its own hatch and grey level; each bar's label gives the number paired and
        unpaired.
    """
    from ..measures.service import category_counts

    if "category" not in summary_df.columns:
        raise _fail("category", "column 'category' is missing")
    counts = summary_df if "n" in summary_df.columns else category_counts(summary_df, by=by)
    if by is not None and by not in counts.columns:
        raise _fail(by, f"column {by!r} is missing")
    key = counts[by].astype(str) if by is not None else pd.Series("All cases", index=counts.index)
    table = counts.assign(_group=key).pivot_table(
        index="_group", columns="category", values="n", aggfunc="sum", fill_value=0, sort=False
    )
    order = [c for c in CATEGORY_STYLE if c in table.columns] + [
        c for c in table.columns if c not in CATEGORY_STYLE
    ]
    table = table[order]
    paired = table.sum(axis=1)
    if "n_unpaired" in counts.columns:
        unpaired = (
            counts.assign(_group=key)
            .groupby("_group", sort=False)["n_unpaired"]
            .first()
            .reindex(table.index)
        )
    else:
        unpaired = None
    shares = table.div(paired.where(paired > 0), axis=0).fillna(0.0)

    fig, ax = _axes(ax, (7.0, 2.0 + 0.5 * len(table)))
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for i, cat in enumerate(order):
        grey, hatch = CATEGORY_STYLE.get(cat, (_GREYS[i % len(_GREYS)], ""))
        ax.barh(
            y,
            shares[cat].to_numpy(),
            left=left,
            color=grey,
            hatch=hatch,
            edgecolor="0.0",
            linewidth=0.6,
            label=(_BAR_WORDS if "Recovered" in order else {}).get(
                cat, CATEGORY_WORDS.get(cat, cat)
            ),
        )
        left += shares[cat].to_numpy()
    labels = []
    for g in table.index:
        extra = f", {int(unpaired[g])} unpaired" if unpaired is not None else ""
        labels.append(f"{g} (n={int(paired[g])} paired{extra})")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of paired cases")
    ax.set_ylabel(by if by is not None else "")
    if title:
        ax.set_title(title)
    # Below the chart, inside the figure: a legend placed outside the axes by hand was
    # cut at the figure's edge ("...into the clinical r"); "outside" lets the layout
    # engine make room for every entry, two to a row.
    if fig.get_layout_engine() is not None and ax.figure is fig and len(fig.axes) == 1:
        fig.legend(loc="outside lower center", ncol=min(2, len(order)), fontsize=7, frameon=False)
    else:
        ax.legend(loc="best", fontsize=7, frameon=False)
    return fig
