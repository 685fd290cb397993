"""What the outcomes are outcomes *of* (issue 22): the work as tables, and change over
each intervention.

- :func:`interventions_frame`: one row per intervention with its sessions counted.
- :func:`reviews_frame`: one row per review (stage, wave).
- :func:`intervention_change`: for each intervention and each series of a measure's
  score, the score at its start and at its end (or as of a date, while it runs), the
  change and whether it is reliable, beside the change from baseline.

An *episode of care* (CORC) runs from the start of work to its end; an ending is
*planned* or not (every reason but ``planned`` is unplanned).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..model.case import Case

__all__ = ["intervention_change", "interventions_frame", "reviews_frame"]

INTERVENTION_COLUMNS = (
    "case_id",
    "number",
    "kind",
    "what",
    "lead_worker",
    "for_whom",
    "start",
    "end",
    "ending_reason",
    "fulfils",
    "sessions",
    "attended",
    "first_session",
    "last_session",
)
#: The columns of :func:`intervention_change`, whether or not any episode was found.
EPISODE_COLUMNS = (
    "case_id",
    "number",
    "what",
    "informant",
    "start_value",
    "start_date",
    "end_value",
    "end_date",
    "difference",
    "threshold",
    "category",
    "from_baseline",
)


def interventions_frame(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per intervention of every case.

    Returns
    -------
    DataFrame
        ``case_id``, ``number``, ``kind``, ``what``, ``lead_worker``, ``for_whom``
        (comma-separated), ``start``, ``end`` (NaT while it runs), ``ending_reason``,
        ``fulfils`` (or ``not recommended``), ``sessions`` (offered: every session
        recorded), ``attended``, ``first_session`` and ``last_session`` (attended).
    """
    rows = []
    for c in cases:
        for iv in c.interventions:
            attended = [s.date for s in iv.sessions if s.attendance == "attended"]
            rows.append(
                (
                    c.case_id,
                    iv.number,
                    iv.kind,
                    iv.what,
                    iv.lead_worker,
                    ",".join(iv.for_whom),
                    iv.start,
                    iv.end,
                    iv.ending_reason,
                    iv.fulfils or "not recommended",
                    len(iv.sessions),
                    len(attended),
                    min(attended, default=None),
                    max(attended, default=None),
                )
            )
    df = pd.DataFrame(rows, columns=list(INTERVENTION_COLUMNS))
    for col in ("start", "end", "first_session", "last_session"):
        df[col] = pd.to_datetime(df[col])
    return df


def reviews_frame(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per review: ``case_id``, ``date``, ``stage``, ``wave``, ``formulation``."""
    rows = [(c.case_id, r.date, r.stage, r.wave, r.formulation) for c in cases for r in c.reviews]
    df = pd.DataFrame(rows, columns=["case_id", "date", "stage", "wave", "formulation"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def intervention_change(
    traj: pd.DataFrame,
    interventions: pd.DataFrame,
    as_of: date,
    measure: str = "sdq",
    score: str = "total",
) -> pd.DataFrame:
    """Change over each intervention, per informant, beside the change from baseline.

    Parameters
    ----------
    traj : DataFrame
        Trajectories (:func:`tswt_formulation.measures.service.trajectory`): ``case_id``,
        ``measure``, ``informant``, ``score``, ``date``, ``value``, ``threshold``,
        ``better``, ``baseline_value``.
    interventions : DataFrame
        :func:`interventions_frame`.
    as_of : date
        Where an intervention still running is read to.

    Returns
    -------
    DataFrame
        One row per intervention and informant with a score at the start:
        ``case_id``, ``number``, ``what``, ``informant``, ``start_value`` (the last score
        on or before the start, else the first after it), ``end_value`` (the last score
        after ``start_value``'s, on or before the end or ``as_of``), ``difference``,
        ``threshold``, ``category`` (improved, deteriorated, no reliable change, not
        judged, no later score) and ``from_baseline`` (``end_value`` - baseline).

    Notes
    -----
    Reliable change is the Jacobson-Truax criterion the trajectory already carries:
    ``|difference| >= threshold``, improvement in the measure's better direction.
    Vectorised: one merge of the interventions with the scores of their cases.
    """
    t = traj[(traj["measure"] == measure) & (traj["score"] == score) & traj["value"].notna()]
    t = t[["case_id", "informant", "date", "value", "threshold", "better", "baseline_value"]].copy()
    t["date"] = pd.to_datetime(t["date"])
    ivs = interventions[["case_id", "number", "what", "start", "end"]].copy()
    ivs["stop"] = ivs["end"].fillna(pd.Timestamp(as_of)).clip(upper=pd.Timestamp(as_of))
    m = ivs.merge(t, on="case_id", how="inner")
    if m.empty:
        return pd.DataFrame(columns=list(EPISODE_COLUMNS))
    key = ["case_id", "number", "informant"]
    m = m.sort_values([*key, "date"])
    before = m[m["date"] <= m["start"]]
    start_rows = before.groupby(key, sort=False).tail(1)
    after_first = m[m["date"] > m["start"]].groupby(key, sort=False).head(1)
    # no score on or before the start: the first one after it stands in
    start_rows = pd.concat(
        [
            start_rows,
            after_first[~after_first.set_index(key).index.isin(start_rows.set_index(key).index)],
        ]
    )
    start_rows = start_rows[
        [*key, "what", "date", "value", "threshold", "better", "baseline_value", "stop"]
    ].rename(columns={"date": "start_date", "value": "start_value"})
    m2 = m.merge(start_rows[[*key, "start_date"]], on=key)
    later = m2[(m2["date"] > m2["start_date"]) & (m2["date"] <= m2["stop"])]
    end_rows = (
        later.groupby(key, sort=False)
        .tail(1)[[*key, "date", "value"]]
        .rename(columns={"date": "end_date", "value": "end_value"})
    )
    out = start_rows.merge(end_rows, on=key, how="left")
    out["difference"] = out["end_value"] - out["start_value"]
    out["from_baseline"] = out["end_value"] - out["baseline_value"]
    sign = np.where(out["better"].to_numpy() == "higher", 1.0, -1.0)
    gain = out["difference"].to_numpy(dtype=float) * sign
    thr = out["threshold"].to_numpy(dtype=float)
    out["category"] = np.select(
        [out["end_value"].isna().to_numpy(), np.isnan(thr), gain >= thr, -gain >= thr],
        ["no later score", "not judged", "improved", "deteriorated"],
        default="no reliable change",
    )
    return (
        out[list(EPISODE_COLUMNS)]
        .sort_values(["case_id", "number", "informant"])
        .reset_index(drop=True)
    )
