"""One child's outcomes, and a caseload's: scores with bands, trajectories by informant,
change against baseline (each review and the latest), and not-on-track flags.

For one child the reliability and SD come from the measure's definition or the team's
constants file (:mod:`.constants`), never from the caseload being analysed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

import numpy as np
import pandas as pd

from ..model.case import Case
from .change import CRITICAL_VALUE, classify_change
from .constants import MeasureConstants, active_constants
from .definition import load_measure
from .scoring import score_administrations
from .service import baseline_vs_latest, each_review_vs_baseline, not_on_track, trajectory

# Scores followed over time (impact and the derived externalising/internalising are
# reported in the score table, not tracked for reliable change).
TRACKED = {"sdq": ("total", "emotional", "conduct", "hyperactivity", "peer", "prosocial"),
           "gbo": ("goal_1", "goal_2", "goal_3")}
# "No reliable improvement" is flagged on headline scores only: a subscale already in the
# normal range cannot be expected to improve. "Reliably worse" is flagged on any score.
HEADLINE = ("total", "goal_1", "goal_2", "goal_3")


@dataclass
class CaseOutcomes:
    case_id: str
    scored: pd.DataFrame
    trajectory: pd.DataFrame
    baseline_vs_latest: pd.DataFrame
    reviews_vs_baseline: pd.DataFrame
    not_on_track: pd.DataFrame
    constants: dict[str, str] = field(default_factory=dict)  # "sdq total (parent)" -> source or why none


def case_scores(cases: Iterable[Case]) -> pd.DataFrame:
    """Every measure administration of the cases, scored, with case id and age."""
    rows, admins = [], []
    for case in cases:
        for m in case.measures:
            admins.append(m)
            rows.append((case.case_id, case.child.age_on(m.date)))
    if not admins:
        return pd.DataFrame(columns=["case_id", "measure", "version", "informant", "date", "timepoint", "age"])
    ages = {i: age for i, (_cid, age) in enumerate(rows)}
    scored = score_administrations(admins, age_by_admin=ages)
    scored.insert(0, "case_id", [cid for cid, _age in rows])
    scored["age"] = [age for _cid, age in rows]
    return scored


def _resolvers(constants: MeasureConstants | None):
    def lookup(m: str, s: str, inf: str):
        return constants.lookup(m, s, inf) if constants is not None else None

    def r(m: str, s: str, inf: str):
        c = lookup(m, s, inf)
        return c.r if c is not None else None

    def sd(m: str, s: str, inf: str):
        c = lookup(m, s, inf)
        return c.sd if c is not None else None

    def better(m: str, s: str, inf: str):
        return load_measure(m).better(s)

    return lookup, r, sd, better


def outcome_trajectories(scored: pd.DataFrame, constants: MeasureConstants | None = None,
                         critical_value: float = CRITICAL_VALUE) -> pd.DataFrame:
    """Trajectories of the tracked scores with reliable change against baseline, using
    the team's constants (r and SD, or a raw-points threshold such as GBO's)."""
    lookup, r, sd, better = _resolvers(constants)
    parts = []
    for measure, scores in TRACKED.items():
        sub = scored[scored["measure"] == measure]
        present = [s for s in scores if s in sub.columns and sub[s].notna().any()]
        if sub.empty or not present:
            continue
        sub = sub[["case_id", "measure", "informant", "timepoint", "date", *present, *[f"{s}_band3" for s in present if f"{s}_band3" in sub.columns]]]
        part = trajectory(sub, present, reliability=r, sd=sd, better=better, critical_value=critical_value)
        part = _apply_points(part, lookup)
        part["constants_source"] = [
            (c.source if (c := lookup(m, s, i)) is not None else "") for m, s, i in zip(part["measure"], part["score"], part["informant"])
        ]
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _apply_points(part: pd.DataFrame, lookup) -> pd.DataFrame:
    """Reliable change from a raw-points threshold (a change of ``points`` or more)."""
    pts = np.array([(c.points if (c := lookup(m, s, i)) is not None and c.points is not None else np.nan)
                    for m, s, i in zip(part["measure"], part["score"], part["informant"])], dtype=float)
    use = ~np.isnan(pts)
    if not use.any():
        return part
    part = part.copy()
    sign = np.where(part["better"].eq("higher"), 1.0, -1.0)
    is_base = part["timepoint"].eq("baseline") & part["date"].eq(part["baseline_date"])
    diff = part["value"] - part["baseline_value"]
    directed = sign * diff
    rows = use & ~is_base.to_numpy() & diff.notna().to_numpy()
    part.loc[use, "threshold"] = pts[use]
    part.loc[rows, "difference"] = diff[rows]
    verdict = np.where(directed >= pts, "improved", np.where(directed <= -pts, "deteriorated", "none"))
    part.loc[rows, "reliable_change"] = verdict[rows]
    part.loc[use, "constants_note"] = "raw-points threshold from the team's constants"
    return part


def case_outcomes(case: Case, as_of: date | None = None, constants: MeasureConstants | None = None,
                  months_in_work: int = 6) -> CaseOutcomes:
    """Everything the outcomes report shows for one child."""
    constants = constants if constants is not None else active_constants()
    scored = case_scores([case])
    traj = outcome_trajectories(scored, constants) if not scored.empty else pd.DataFrame()
    as_of = as_of or date.today()
    if traj.empty:
        empty = pd.DataFrame()
        return CaseOutcomes(case.case_id, scored, traj, empty, empty, empty, {})
    latest = with_clinical_categories(baseline_vs_latest(traj, as_of), "baseline_value", "latest_value")
    reviews = with_clinical_categories(each_review_vs_baseline(traj), "baseline_value", "value")
    started = {case.case_id: case.outcome.date} if case.outcome and case.outcome.decision == "begin_work" else {}
    flags = not_on_track(traj, as_of, months_in_work, work_started=started) if started else pd.DataFrame()
    if not flags.empty:
        flags = flags[flags["flag"].eq("reliably_worse") | flags["score"].isin(HEADLINE)].reset_index(drop=True)
    notes: dict[str, str] = {}
    for row in traj.drop_duplicates(["measure", "score", "informant"]).itertuples(index=False):
        key = f"{row.measure} {row.score} ({row.informant})"
        notes[key] = row.constants_source or row.constants_note
    return CaseOutcomes(case.case_id, scored, traj, latest, reviews, flags, notes)


def clinical_cutoff_value(measure: str, score: str, informant: str) -> float | None:
    """The definition's clinical cut-off for a score and informant, if it has one."""
    try:
        cutoff = load_measure(measure).clinical_cutoff(score, informant)
    except Exception:  # no bands for this informant/version: no cut-off, no recovery
        return None
    return None if cutoff is None else float(cutoff.value)


def with_clinical_categories(df: pd.DataFrame, pre: str, post: str) -> pd.DataFrame:
    """Add ``clinical_cutoff`` and the change ``category`` (Recovered, Improved,
    Unchanged, Deteriorated, Harmed) where the measure defines a clinical cut-off (the
    SDQ's 'abnormal' band); elsewhere Improved/Unchanged/Deteriorated (MEASURES.md)."""
    if df.empty:
        return df
    df = df.copy()
    cut = [clinical_cutoff_value(m, s, i) for m, s, i in zip(df["measure"], df["score"], df["informant"])]
    df["clinical_cutoff"] = pd.Series(cut, index=df.index, dtype=float)
    better = [load_measure(m).better(s) for m, s in zip(df["measure"], df["score"])]
    sign = np.where(np.array(better) == "higher", -1.0, 1.0)  # +1: lower is better
    has_cut = df["clinical_cutoff"].notna().to_numpy()
    clinical_pre = (sign * df[pre].to_numpy(dtype=float) > sign * df["clinical_cutoff"].to_numpy()) & has_cut
    functional_post = (sign * df[post].to_numpy(dtype=float) < sign * df["clinical_cutoff"].to_numpy()) & has_cut
    with_cut = classify_change(df["reliable_change"], clinical_pre, functional_post)
    without = classify_change(df["reliable_change"])
    df["category"] = np.where(has_cut, with_cut, without)
    # Kept for the service figures: recovery is counted among those clinical at baseline.
    df["clinical_pre"] = pd.Series(np.where(has_cut, clinical_pre, None), index=df.index, dtype=object)
    df["functional_post"] = pd.Series(np.where(has_cut, functional_post, None), index=df.index, dtype=object)
    df.loc[df["reliable_change"].isna(), "category"] = None
    return df


def baseline_bands(cases: Iterable[Case]) -> dict[str, dict[str, str]]:
    """Each case's baseline bands, keyed ``measure.score.informant`` (the rules' ``bands``
    input, e.g. ``{"sdq.total.parent": "abnormal"}``), scored in one vectorised call.

    The latest administration at timepoint ``baseline`` per measure and informant counts;
    bands are the three-band categories where the form has them.
    """
    cases = list(cases)
    out: dict[str, dict[str, str]] = {c.case_id: {} for c in cases}
    with_baseline = [c for c in cases if any(m.timepoint == "baseline" for m in c.measures)]
    if not with_baseline:
        return out
    only_baseline = [c.model_copy(update={"measures": [m for m in c.measures if m.timepoint == "baseline"]}) for c in with_baseline]
    scored = case_scores(only_baseline)
    if scored.empty:
        return out
    scored = scored.sort_values("date").groupby(["case_id", "measure", "informant"], sort=False).tail(1)
    band_cols = [c for c in scored.columns if c.endswith("_band3")]
    for row in scored[["case_id", "measure", "informant", *band_cols]].to_dict("records"):
        for col in band_cols:
            band = row[col]
            if isinstance(band, str):
                out[row["case_id"]][f"{row['measure']}.{col[: -len('_band3')]}.{row['informant']}"] = band
    return out
