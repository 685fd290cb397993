"""From one child's scores over time to a caseload's figures.

- :func:`trajectory`, :func:`baseline_vs_latest`, :func:`each_review_vs_baseline`: one
  child's scores over time compared with baseline, in :mod:`.trajectory` (imported here
  too, where they were first published).
- :func:`not_on_track`: cases to discuss in supervision, each with a plain-English reason.
- :func:`service_summary`, :func:`category_counts`: service-level shares of reliable
  improvement and deterioration over PAIRED cases, with the unpaired count beside them
  (leaving unpaired cases out silently biases the figures); recovery over the paired cases
  that were in the clinical range at baseline (Jacobson & Truax), with that number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError
from .change import CATEGORIES
from .trajectory import (
    ID_COLUMNS,
    _require,
    baseline_vs_latest,
    definition_constants,
    each_review_vs_baseline,
    timepoint_rank,
    trajectory,
)

__all__ = [
    "baseline_vs_latest",
    "category_counts",
    "definition_constants",
    "each_review_vs_baseline",
    "not_on_track",
    "service_summary",
    "timepoint_rank",
    "trajectory",
]

By = str | Sequence[str] | None


def _by_list(by: By) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


# --- service-level figures ------------------------------------------------------------------


def service_summary(change_df: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Shares of reliable improvement, reliable deterioration and recovery.

    Parameters
    ----------
    change_df : DataFrame
        Output of :func:`~tswt_formulation.measures.change.change` (or of
        :func:`baseline_vs_latest`): needs ``paired`` and ``reliable_change``; recovery
        needs ``category`` and ``clinical_pre`` (a cut-off was used).
    by : str or list of str, optional
        Columns to group by (wave, service, informant, ...). Missing group values form
        their own group.

    Returns
    -------
    DataFrame
        One row per group: ``n_cases``, ``n_paired``, ``n_unpaired``; for reliable
        improvement and reliable deterioration the count ``n_*`` and ``share_*`` of the
        paired cases; ``n_recovered``, ``n_clinical_pre`` (paired cases in the clinical
        range at baseline) and ``share_recovered`` = n_recovered / n_clinical_pre
        (``share_recovered_of_clinical`` is the same figure, kept for callers that used
        it). Recovery columns are missing when no cut-off was used; a group with nobody
        clinical at baseline has a missing share, not 0.

    Notes
    -----
    Only paired cases (a baseline and a follow-up) are counted in the numerators and
    denominators; unpaired cases are reported beside them because leaving them out
    silently biases the figures. Recovery is the category Recovered:
    clinical at baseline, functional at follow-up and reliably improved. Only those
    clinical at baseline can recover, so the recovery rate is counted over them
    (Jacobson & Truax, 1991), not over every paired case; always show that denominator
    ("2 of 4 clinical at baseline"). Rows without a cut-off (``clinical_pre`` missing,
    e.g. an SDQ 18+ form) are in neither count.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "team": ["N", "N", "N", "S"],
    ...     "paired": [True, True, False, True],
    ...     "reliable_change": ["improved", "none", None, "deteriorated"],
    ... })
    >>> service_summary(df, by="team")[["team", "n_paired", "n_unpaired", "share_reliable_improvement"]]
      team  n_paired  n_unpaired  share_reliable_improvement
    0    N         2           1                         0.5
    1    S         1           0                         0.0
    """
    _require(change_df, ["paired", "reliable_change"], "service_summary()")
    keys = _by_list(by)
    _require(change_df, keys, "service_summary()")
    paired = change_df["paired"].fillna(False).astype(bool).to_numpy()
    rc = change_df["reliable_change"].astype(object).to_numpy()
    frame = pd.DataFrame(
        {
            "n_cases": 1,
            "n_paired": paired.astype(int),
            "n_reliable_improvement": (paired & (rc == "improved")).astype(int),
            "n_reliable_deterioration": (paired & (rc == "deteriorated")).astype(int),
        },
        index=change_df.index,
    )
    has_recovery = "category" in change_df.columns and "clinical_pre" in change_df.columns
    if has_recovery:
        cat = change_df["category"].astype(object).to_numpy()
        clinical = change_df["clinical_pre"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        frame["n_recovered"] = (paired & (cat == "Recovered")).astype(int)
        frame["n_clinical_pre"] = (paired & clinical).astype(int)
    for k in keys:
        frame[k] = change_df[k]
    counts = (
        frame.groupby(keys, dropna=False, sort=True).sum().reset_index()
        if keys
        else frame.sum().to_frame().T
    )
    counts["n_unpaired"] = counts["n_cases"] - counts["n_paired"]
    denominator = counts["n_paired"].where(counts["n_paired"] > 0).astype(float)
    counts["share_reliable_improvement"] = counts["n_reliable_improvement"] / denominator
    counts["share_reliable_deterioration"] = counts["n_reliable_deterioration"] / denominator
    if has_recovery:
        clinical_n = counts["n_clinical_pre"].where(counts["n_clinical_pre"] > 0).astype(float)
        counts["share_recovered"] = counts["n_recovered"] / clinical_n
        counts["share_recovered_of_clinical"] = counts["share_recovered"]
    else:
        counts["n_recovered"] = pd.array([pd.NA] * len(counts), dtype="Int64")
        counts["share_recovered"] = np.nan
        counts["n_clinical_pre"] = pd.array([pd.NA] * len(counts), dtype="Int64")
        counts["share_recovered_of_clinical"] = np.nan
    columns = keys + [
        "n_cases",
        "n_paired",
        "n_unpaired",
        "n_reliable_improvement",
        "share_reliable_improvement",
        "n_reliable_deterioration",
        "share_reliable_deterioration",
        "n_recovered",
        "share_recovered",
        "n_clinical_pre",
        "share_recovered_of_clinical",
    ]
    out = counts[columns].reset_index(drop=True)
    for c in (
        "n_cases",
        "n_paired",
        "n_unpaired",
        "n_reliable_improvement",
        "n_reliable_deterioration",
    ):
        out[c] = out[c].astype(int)
    return out


def category_counts(change_df: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Number and share of paired cases in each change category, per group.

    Parameters
    ----------
    change_df : DataFrame
        With ``paired`` and ``category`` (output of ``change``).
    by : str or list of str, optional
        Columns to group by.

    Returns
    -------
    DataFrame
        Long table: the ``by`` columns, ``category`` (every category of
        :data:`~tswt_formulation.measures.change.CATEGORIES` that can occur, zero counts
        included, best first), ``n`` and ``share`` of the group's paired cases, and
        ``n_unpaired`` for the group.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"paired": [True, True, False], "category": ["Improved", "Unchanged", None]})
    >>> category_counts(df)[["category", "n", "share", "n_unpaired"]]
           category  n  share  n_unpaired
    0      Improved  1    0.5           1
    1     Unchanged  1    0.5           1
    2  Deteriorated  0    0.0           1
    """
    _require(change_df, ["paired", "category"], "category_counts()")
    keys = _by_list(by)
    _require(change_df, keys, "category_counts()")
    paired = change_df["paired"].fillna(False).astype(bool)
    cats = change_df["category"].astype(object)
    seen = set(cats[paired].dropna())
    with_cutoff = "clinical_pre" in change_df.columns or bool(seen & {"Recovered", "Harmed"})
    order = list(CATEGORIES) if with_cutoff else ["Improved", "Unchanged", "Deteriorated"]
    order += sorted(seen - set(order))
    indicators = pd.DataFrame(
        {c: (paired & (cats == c)).astype(int) for c in order}, index=change_df.index
    )
    indicators["_paired"] = paired.astype(int)
    indicators["_unpaired"] = (~paired).astype(int)
    for k in keys:
        indicators[k] = change_df[k]
    if keys:
        sums = indicators.groupby(keys, dropna=False, sort=True).sum().reset_index()
    else:
        sums = indicators.sum().to_frame().T
    long = sums.melt(
        id_vars=keys + ["_paired", "_unpaired"],
        value_vars=order,
        var_name="category",
        value_name="n",
    )
    long["category"] = pd.Categorical(long["category"], categories=order, ordered=True)
    long = long.sort_values(keys + ["category"], kind="stable").reset_index(drop=True)
    long["category"] = long["category"].astype(object)
    long["n"] = long["n"].astype(int)
    long["share"] = long["n"] / long["_paired"].where(long["_paired"] > 0).astype(float)
    long["n_unpaired"] = long["_unpaired"].astype(int)
    return long[keys + ["category", "n", "share", "n_unpaired"]]


# --- one child's trajectory -------------------------------------------------------------------


# --- not on track ----------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:g}" if not (isinstance(x, float) and math.isnan(x)) else "missing"


def _day(x: Any) -> str:
    return pd.Timestamp(x).date().isoformat()


def not_on_track(
    trajectory_df: pd.DataFrame,
    as_of: date,
    months_in_work: int = 6,
    *,
    work_started: Mapping[str, date] | None = None,
    scores: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Cases whose scores say the work is not on track, each with the reason.

    Parameters
    ----------
    trajectory_df : DataFrame
        Output of :func:`trajectory` (with reliable-change constants).
    as_of : date
        The day of the review; points after it are ignored.
    months_in_work : int, default 6
        After this many months in work, no reliable improvement is a flag.
    work_started : mapping case_id -> date, optional
        When work began; default the baseline date of each series.
    scores : list of str, optional
        Only these scores (default all in the trajectory).

    Returns
    -------
    DataFrame
        One row per flagged series: the id columns, ``score``, ``flag``
        ("reliably_worse" or "no_reliable_improvement"), ``reason`` (plain English),
        ``baseline_value``, ``latest_value``, ``difference``, ``threshold``.

    Notes
    -----
    A series is flagged "reliably_worse" when its latest score on or before ``as_of`` is
    reliably worse than baseline (|RCI| beyond the critical value, in the worse
    direction). Otherwise it is flagged "no_reliable_improvement" when work started at
    least ``months_in_work`` months before ``as_of`` and the latest score is not
    reliably better than baseline, or there is no score since baseline. Series without
    a baseline or without reliable-change constants are not judged.
    """
    months = int(months_in_work)
    if months < 0:
        raise ScoringError(
            [Problem("not_on_track()", "months_in_work", f"{months_in_work!r} must be 0 or more")]
        )
    traj = (
        trajectory_df
        if scores is None
        else trajectory_df[trajectory_df["score"].isin(list(scores))]
    )
    table = baseline_vs_latest(traj, as_of=as_of)
    table = table[table["baseline_value"].notna() & table["threshold"].notna()].copy()
    keys = [c for c in table.columns if c in ID_COLUMNS]
    as_of_ts = pd.Timestamp(as_of)
    if work_started is not None and "case_id" in table.columns:
        start = pd.to_datetime(table["case_id"].map(lambda c: work_started.get(c)))
        start = start.fillna(pd.to_datetime(table["baseline_date"]))
    else:
        start = pd.to_datetime(table["baseline_date"])
    due = start.map(lambda d: d + pd.DateOffset(months=months)) <= as_of_ts
    worse = table["reliable_change"].astype(object) == "deteriorated"
    improved = table["reliable_change"].astype(object) == "improved"
    stalled = ~worse & ~improved & due.to_numpy()

    def label(row: Any) -> str:
        return (
            " ".join(str(row[c]) for c in ("measure", "informant") if c in row.index)
            + f" {row['score']}"
        )

    rows = []
    for i in table.index[worse.to_numpy() | stalled.to_numpy()]:
        row = table.loc[i]
        name = label(row).strip()
        base_txt = f"baseline {_fmt(row['baseline_value'])} ({_day(row['baseline_date'])})"
        if worse[i]:
            flag = "reliably_worse"
            reason = (
                f"{name}: latest score {_fmt(row['latest_value'])} ({row['latest_timepoint']}, {_day(row['latest_date'])}) "
                f"is reliably worse than {base_txt}: a change of {row['difference']:+g} points, "
                f"beyond the {row['threshold']:.1f} needed for reliable change"
            )
        else:
            flag = "no_reliable_improvement"
            since = f"after {months} months in work (since {_day(start[i])})"
            if not row["paired"]:
                reason = f"{name}: no score since {base_txt} {since}"
            else:
                reason = (
                    f"{name}: no reliable improvement {since}: latest {_fmt(row['latest_value'])} "
                    f"({row['latest_timepoint']}, {_day(row['latest_date'])}) against {base_txt} is a change of "
                    f"{row['difference']:+g} points; {row['threshold']:.1f} are needed for reliable change"
                )
        rows.append(
            {
                **{k: row[k] for k in keys},
                "score": row["score"],
                "flag": flag,
                "reason": reason,
                "baseline_value": row["baseline_value"],
                "latest_value": row["latest_value"],
                "difference": row["difference"],
                "threshold": row["threshold"],
            }
        )
    columns = keys + [
        "score",
        "flag",
        "reason",
        "baseline_value",
        "latest_value",
        "difference",
        "threshold",
    ]
    return pd.DataFrame(rows, columns=columns)
