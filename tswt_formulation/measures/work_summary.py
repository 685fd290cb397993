"""The service-level summary of the work (issue 22): attendance and unplanned endings,
time from referral to first session, and outcomes by intervention and model, by wave,
by stage progression and by worker.

Built from the records as stored (JSON data; :func:`work_tables`), so a summary of
10,000 children does not build 10,000 pydantic models, and every figure is a grouped
DataFrame operation (no loop per session).

**Small numbers.** A group of fewer than :data:`SMALL_COUNT` is shown as "fewer than 5"
with none of its figures: a child must not be recognisable from a table, and a share of
very few is not a finding.

**Not causal.** Children are not allocated to interventions, workers or waves at
random; the work is chosen for the child. Differences between groups describe the
service; they do not show that one intervention works better than another
(:data:`NOT_CAUSAL`, said wherever the figures are shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NOT_CAUSAL", "SMALL_COUNT", "WorkTables", "work_summary", "work_tables"]

SMALL_COUNT = 5
NOT_CAUSAL = (
    "These comparisons are not causal. Children are not allocated to interventions, workers or waves at random: "
    "the work is chosen for the child, and children who differ at the start differ in how they change. "
    "The figures describe the service; they do not show that one intervention, model or worker does better "
    "than another."
)
_UNPLANNED = ("disengaged", "moved_out_of_area", "aged_out", "transferred", "other")


class WorkTables:
    """The work of a caseload as frames: ``cases`` (one row per case: ``case_id``,
    ``worker``, ``received``, ``work_began``, ``wave``), ``interventions``, ``sessions``
    and ``reviews``."""

    def __init__(
        self,
        cases: pd.DataFrame,
        interventions: pd.DataFrame,
        sessions: pd.DataFrame,
        reviews: pd.DataFrame,
    ):
        self.cases, self.interventions, self.sessions, self.reviews = (
            cases,
            interventions,
            sessions,
            reviews,
        )


def work_tables(records: Iterable[Mapping[str, Any]]) -> WorkTables:
    """The work of every case, from records as JSON data (``case_to_data``, or a
    store's records: they were validated when written).

    Returns
    -------
    WorkTables
        ``sessions`` has ``case_id``, ``number`` (the intervention), ``what``, ``date``,
        ``attendance``; ``interventions`` has ``case_id``, ``number``, ``kind``, ``what``,
        ``lead_worker``, ``start``, ``end``, ``ending_reason``; ``reviews`` has
        ``case_id``, ``date``, ``stage``, ``wave``.
    """
    case_rows, iv_rows, s_case, s_num, s_what, s_date, s_att, rv_rows = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for r in records:
        cid = r["case_id"]
        ref = r["referral"]
        out = r.get("conclusion") or {}
        rec = (r.get("formulation") or {}).get("recommendation") or {}
        case_rows.append(
            (
                cid,
                (ref.get("allocation") or {}).get("worker"),
                ref["received"],
                out.get("date") if out.get("decision") == "begin_work" else None,
                rec.get("wave"),
            )
        )
        for iv in r.get("interventions") or ():
            number, what = iv["number"], iv["what"]
            iv_rows.append(
                (
                    cid,
                    number,
                    iv["kind"],
                    what,
                    iv["lead_worker"],
                    iv["start"],
                    iv.get("end"),
                    iv.get("ending_reason"),
                )
            )
            for s in iv.get("sessions") or ():
                s_case.append(cid)
                s_num.append(number)
                s_what.append(what)
                s_date.append(s["date"])
                s_att.append(s["attendance"])
        for rv in r.get("reviews") or ():
            rv_rows.append((cid, rv["date"], rv["stage"], rv["wave"]))

    def days(values: list[Any]) -> np.ndarray:
        # ISO text as stored, a date as case_to_data's python mode gives, None (or NaN) when absent
        return np.array(
            [
                v.isoformat() if isinstance(v, date) else v if isinstance(v, str) else "NaT"
                for v in values
            ],
            dtype="datetime64[D]",
        )

    cases = pd.DataFrame(case_rows, columns=["case_id", "worker", "received", "work_began", "wave"])
    ivs = pd.DataFrame(
        iv_rows,
        columns=[
            "case_id",
            "number",
            "kind",
            "what",
            "lead_worker",
            "start",
            "end",
            "ending_reason",
        ],
    )
    sessions = pd.DataFrame(
        {
            "case_id": s_case,
            "number": s_num,
            "what": s_what,
            "date": days(s_date),
            "attendance": s_att,
        }
    )
    reviews = pd.DataFrame(rv_rows, columns=["case_id", "date", "stage", "wave"])
    for frame, cols in (
        (cases, ("received", "work_began")),
        (ivs, ("start", "end")),
        (reviews, ("date",)),
    ):
        for col in cols:
            frame[col] = days(list(frame[col]))
    return WorkTables(cases, ivs, sessions, reviews)


def _suppress(df: pd.DataFrame, count: str, small: int) -> pd.DataFrame:
    """Rows whose ``count`` is under ``small``: every figure blanked, the count shown as 'fewer than N'."""
    out = df.astype(object)
    few = df[count] < small
    out.loc[few, [c for c in df.columns if c != df.columns[0]]] = None
    out.loc[few, count] = f"fewer than {small}"
    return out


def stage_progression(reviews: pd.DataFrame) -> pd.Series:
    """Per case with two or more reviews: ``moved up``, ``no change`` or ``moved back``
    (latest stage against the first review's), and ``moved up then back`` where the
    stage fell at any review after rising."""
    r = reviews.sort_values(["case_id", "date"])
    g = r.groupby("case_id")["stage"]
    first, last, n = g.first(), g.last(), g.size()
    fell = r.assign(d=g.diff()).groupby("case_id")["d"].min() < 0
    word = np.select([last > first, last < first], ["moved up", "moved back"], default="no change")
    out = pd.Series(word, index=first.index)
    out[(last >= first) & fell & (last > first)] = "moved up, with a step back"
    return out[n >= 2]


def work_summary(
    tables: WorkTables,
    change: pd.DataFrame | None = None,
    as_of: date | None = None,
    small: int = SMALL_COUNT,
) -> dict[str, pd.DataFrame]:
    """The service summary of the work.

    Parameters
    ----------
    tables : WorkTables
        :func:`work_tables`.
    change : DataFrame, optional
        Baseline against latest per case and informant (``case_id``, ``informant``,
        ``difference``, ``category``, as :func:`~tswt_formulation.measures.service.baseline_vs_latest`
        gives for SDQ total difficulties): outcomes by group. Without it, no outcome tables.
    as_of : date, optional
        Sessions after it are not counted (default: all).
    small : int
        Groups under this many are suppressed.

    Returns
    -------
    dict of DataFrame
        ``attendance`` (by intervention: sessions, attended, did not attend, cancelled
        by the family / the team, as shares of sessions), ``endings`` (by intervention:
        ended, unplanned, share unplanned, and each reason), ``first_session`` (by
        worker and overall: cases, median and quartiles of days from referral to the
        first attended session), and with ``change``: ``by_intervention``, ``by_model``,
        ``by_wave``, ``by_stage_progression``, ``by_worker`` (cases, paired, mean change,
        children with a paired score, paired scores, mean change, shares of the paired
        scores reliably improved and deteriorated; the intervention is each child's first).
        Every group of fewer than ``small`` children (or sessions, or endings) is suppressed.

    Notes
    -----
    Shares are of the group's own total (sessions offered, interventions ended, paired
    cases). Comparisons between groups are not causal (:data:`NOT_CAUSAL`).
    """
    s = tables.sessions
    if as_of is not None:
        s = s[s["date"] <= np.datetime64(as_of, "D")]
    att = pd.crosstab(s["what"], s["attendance"])
    for col in ("attended", "did_not_attend", "cancelled_by_family", "cancelled_by_team"):
        if col not in att.columns:
            att[col] = 0
    n = att.sum(axis=1)
    attendance = pd.DataFrame({"intervention": att.index, "sessions": n.to_numpy()})
    for col in ("attended", "did_not_attend", "cancelled_by_family", "cancelled_by_team"):
        attendance[f"share_{col}"] = (att[col] / n).round(3).to_numpy()
    attendance = _suppress(attendance, "sessions", small)

    ivs = tables.interventions
    ended = ivs[ivs["end"].notna()]
    if as_of is not None:
        ended = ended[ended["end"] <= np.datetime64(as_of, "D")]
    reasons = pd.crosstab(ended["what"], ended["ending_reason"])
    total = reasons.sum(axis=1)
    unplanned = reasons[[c for c in reasons.columns if c in _UNPLANNED]].sum(axis=1)
    endings = pd.DataFrame(
        {
            "intervention": reasons.index,
            "ended": total.to_numpy(),
            "unplanned": unplanned.to_numpy(),
            "share_unplanned": (unplanned / total).round(3).to_numpy(),
        }
    )
    for col in reasons.columns:
        endings[col] = reasons[col].to_numpy()
    endings = _suppress(endings, "ended", small)

    first = s[s["attendance"] == "attended"].groupby("case_id")["date"].min()
    cases = tables.cases.set_index("case_id")
    waited = ((first - cases.loc[first.index, "received"]) / np.timedelta64(1, "D")).rename("days")
    w = pd.DataFrame(
        {"days": waited, "worker": cases.loc[first.index, "worker"].fillna("(not allocated)")}
    )
    rows = [("all workers", w["days"])] + [(k, g["days"]) for k, g in w.groupby("worker")]
    first_session = _suppress(
        pd.DataFrame(
            [(k, len(d), d.median(), d.quantile(0.25), d.quantile(0.75)) for k, d in rows],
            columns=["worker", "cases", "median_days", "q1_days", "q3_days"],
        ),
        "cases",
        small,
    )

    out = {"attendance": attendance, "endings": endings, "first_session": first_session}
    if change is not None and not change.empty:
        main = ivs.sort_values(["case_id", "number"]).groupby("case_id").first()
        models = (
            ivs[ivs["kind"] == "model"]
            .sort_values(["case_id", "number"])
            .groupby("case_id")["what"]
            .first()
        )
        latest_wave = (
            tables.reviews.sort_values(["case_id", "date"]).groupby("case_id")["wave"].last()
        )
        wave = latest_wave.reindex(cases.index).astype(float)
        wave = wave.where(wave.notna(), pd.to_numeric(cases["wave"], errors="coerce"))
        groups = pd.DataFrame(
            {
                "intervention": main["what"].reindex(cases.index),
                "model": models.reindex(cases.index),
                "wave": wave.map(lambda v: f"wave {int(v)}" if pd.notna(v) else None),
                "stage_progression": stage_progression(tables.reviews).reindex(cases.index),
                "worker": cases["worker"],
            }
        )
        ch = change.drop(
            columns=[c for c in groups.columns if c in change.columns]
        )  # ours: the wave as last reviewed
        ch = ch.merge(groups, left_on="case_id", right_index=True, how="left")
        for by in groups.columns:
            out[f"by_{by}"] = _outcomes_by(ch, by, small)
    return out


def _outcomes_by(ch: pd.DataFrame, by: str, small: int) -> pd.DataFrame:
    """Per group: children with a paired score, paired scores (one per informant), mean
    change and the shares of paired scores reliably improved and deteriorated."""
    paired = ch[ch[by].notna() & ch["difference"].notna()]
    cat = paired["category"].fillna("").astype(str).str.lower()
    key = paired[by]
    res = (
        pd.DataFrame(
            {
                "children": paired.groupby(by)["case_id"].nunique(),
                "paired_scores": paired.groupby(by).size(),
                "mean_change": paired.groupby(by)["difference"].mean().round(1),
                "share_improved": cat.isin(["improved", "recovered"]).groupby(key).mean().round(3),
                "share_deteriorated": cat.isin(["deteriorated", "harmed"])
                .groupby(key)
                .mean()
                .round(3),
            }
        )
        .rename_axis(by)
        .reset_index()
    )
    return _suppress(res, "children", small)
