"""One child's outcomes, and a caseload's: scores with bands, trajectories by informant,
change against baseline (each review and the latest), and not-on-track flags.

For one child the reliability and SD come from the measure's definition or the team's
constants file (:mod:`.constants`), never from the caseload being analysed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import TswtError
from ..model.case import Case
from .change import CRITICAL_VALUE, classify_change
from .constants import MeasureConstants, active_constants
from .definition import load_measure
from .scoring import score_administrations
from .service import baseline_vs_latest, each_review_vs_baseline, not_on_track, trajectory

# Scores followed over time (impact and the derived externalising/internalising are
# reported in the score table, not tracked for reliable change).
TRACKED = {
    "sdq": ("total", "emotional", "conduct", "hyperactivity", "peer", "prosocial"),
    "gbo": ("goal_1", "goal_2", "goal_3"),
}
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
    constants: dict[str, str] = field(
        default_factory=dict
    )  # "sdq total (parent)" -> source or why none


def case_scores(cases: Iterable[Case]) -> pd.DataFrame:
    """Every measure administration of the cases, scored, with case id and age."""
    rows, admins = [], []
    for case in cases:
        for m in case.measures:
            admins.append(m)
            rows.append((case.case_id, case.child.age_on(m.date)))
    if not admins:
        return pd.DataFrame(
            columns=["case_id", "measure", "version", "informant", "date", "timepoint", "age"]
        )
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


def outcome_trajectories(
    scored: pd.DataFrame,
    constants: MeasureConstants | None = None,
    critical_value: float = CRITICAL_VALUE,
) -> pd.DataFrame:
    """Trajectories of the tracked scores with reliable change against baseline, using
    the team's constants (r and SD, or a raw-points threshold such as GBO's)."""
    lookup, r, sd, better = _resolvers(constants)
    parts = []
    for measure, scores in TRACKED.items():
        sub = scored[scored["measure"] == measure]
        present = [s for s in scores if s in sub.columns and sub[s].notna().any()]
        if sub.empty or not present:
            continue
        forms = [c for c in ("version", "age") if c in sub.columns]  # cut-offs follow the form
        sub = sub[
            [
                "case_id",
                "measure",
                "informant",
                "timepoint",
                "date",
                *forms,
                *present,
                *[f"{s}_band3" for s in present if f"{s}_band3" in sub.columns],
            ]
        ]
        part = trajectory(
            sub, present, reliability=r, sd=sd, better=better, critical_value=critical_value
        )
        part = _apply_points(part, lookup)
        part["constants_source"] = [
            (c.source if (c := lookup(m, s, i)) is not None else "")
            for m, s, i in zip(part["measure"], part["score"], part["informant"])
        ]
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _apply_points(part: pd.DataFrame, lookup) -> pd.DataFrame:
    """Reliable change from a raw-points threshold (a change of ``points`` or more)."""
    pts = np.array(
        [
            (c.points if (c := lookup(m, s, i)) is not None and c.points is not None else np.nan)
            for m, s, i in zip(part["measure"], part["score"], part["informant"])
        ],
        dtype=float,
    )
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
    verdict = np.where(
        directed >= pts, "improved", np.where(directed <= -pts, "deteriorated", "none")
    )
    part.loc[rows, "reliable_change"] = verdict[rows]
    part.loc[use, "constants_note"] = "raw-points threshold from the team's constants"
    return part


def case_outcomes(
    case: Case,
    as_of: date | None = None,
    constants: MeasureConstants | None = None,
    months_in_work: int = 6,
) -> CaseOutcomes:
    """Everything the outcomes report shows for one child."""
    constants = constants if constants is not None else active_constants()
    scored = case_scores([case])
    traj = outcome_trajectories(scored, constants) if not scored.empty else pd.DataFrame()
    as_of = as_of or date.today()
    if traj.empty:
        empty = pd.DataFrame()
        return CaseOutcomes(case.case_id, scored, traj, empty, empty, empty, {})
    latest = with_clinical_categories(
        baseline_vs_latest(traj, as_of), "baseline_value", "latest_value"
    )
    reviews = with_clinical_categories(each_review_vs_baseline(traj), "baseline_value", "value")
    started = (
        {case.case_id: case.conclusion.date}
        if case.conclusion and case.conclusion.decision == "begin_work"
        else {}
    )
    flags = (
        not_on_track(traj, as_of, months_in_work, work_started=started)
        if started
        else pd.DataFrame()
    )
    if not flags.empty:
        flags = flags[
            flags["flag"].eq("reliably_worse") | flags["score"].isin(HEADLINE)
        ].reset_index(drop=True)
    notes: dict[str, str] = {}
    for row in traj.drop_duplicates(["measure", "score", "informant"]).itertuples(index=False):
        key = f"{row.measure} {row.score} ({row.informant})"
        notes[key] = row.constants_source or row.constants_note
    return CaseOutcomes(case.case_id, scored, traj, latest, reviews, flags, notes)


def clinical_cutoff_value(
    measure: str, score: str, informant: str, version: str | None = None, age: float | None = None
) -> float | None:
    """The clinical cut-off of a score on one form, or None where that form has none.

    The form is ``version`` (e.g. ``"S18+"``), else the informant's form for ``age``; with
    neither, the form is unknown and there is no cut-off (never the informant's first
    form: an 18+ form must not be judged by the 4-17 bands). 18+ forms and SDQ T2-4 have
    no bands and so no cut-off; SDQ P2-4 has its own provisional one.

    Examples
    --------
    >>> clinical_cutoff_value("sdq", "total", "self", version="S11-17")  # abnormal from 20
    19.5
    >>> clinical_cutoff_value("sdq", "total", "self", age=22) is None  # S18+: no bands
    True
    >>> clinical_cutoff_value("sdq", "total", "parent", version="P2-4")  # provisional: from 16
    15.5
    """
    form = None if _missing(version) else str(version)
    years = None if age is None or _missing(age) else float(age)
    if form is None and years is None:
        return None
    try:
        cutoff = load_measure(measure).clinical_cutoff(score, informant, age=years, version=form)
    except TswtError:  # no form of this informant at this age: no cut-off, no recovery
        return None
    return None if cutoff is None else float(cutoff.value)


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _form_column(value_column: str, what: str) -> str:
    """``baseline_value`` -> ``baseline_version``; ``value`` -> ``version`` (or ``age``)."""
    return value_column.removesuffix("value") + what


def with_clinical_categories(df: pd.DataFrame, pre: str, post: str) -> pd.DataFrame:
    """Add ``clinical_cutoff``, the change ``category`` and ``clinical_note``.

    Categories: Recovered, Improved, Unchanged, Deteriorated, Harmed where a clinical
    cut-off applies (the SDQ's 'abnormal' band); elsewhere Improved / Unchanged /
    Deteriorated (Jacobson & Truax, 1991). The cut-off belongs to the form and age of each
    administration, read from the columns beside ``pre`` and ``post``
    (``baseline_value`` -> ``baseline_version``, ``baseline_age``; ``latest_value`` ->
    ``latest_version``; ``value`` -> ``version``, ``age``).

    Notes
    -----
    A clinical category needs the same cut-off on both forms. An 18+ form has no cut-off
    (its bands are not validated), so a young person on S18+ can be Improved but never
    Recovered. When the form changes between baseline and follow-up (S11-17 at 17,
    S18+ at 18; P2-4 at 4, P4-17 at 5) and the two forms' cut-offs differ or one has
    none, only reliable change is given, and ``clinical_note`` says why.
    """
    if df.empty:
        return df
    df = df.copy()
    n = len(df)

    def forms(col: str) -> tuple[list, list]:
        v, a = _form_column(col, "version"), _form_column(col, "age")
        versions = (
            [None if _missing(x) else str(x) for x in df[v]] if v in df.columns else [None] * n
        )
        ages = [None if _missing(x) else int(x) for x in df[a]] if a in df.columns else [None] * n
        return versions, [
            None if form is not None else age for form, age in zip(versions, ages)
        ]  # the form decides

    (v_pre, a_pre), (v_post, a_post) = forms(pre), forms(post)
    memo: dict[tuple, tuple[float | None, str]] = {}

    def judged(
        m: str, s: str, i: str, vp: str | None, ap: int | None, vq: str | None, aq: int | None
    ) -> tuple[float | None, str]:
        c_pre, c_post = (
            clinical_cutoff_value(m, s, i, vp, ap),
            clinical_cutoff_value(m, s, i, vq, aq),
        )
        return (c_pre if c_pre is not None and c_pre == c_post else None), _clinical_note(
            m, c_pre, c_post, vp, vq
        )

    values, notes = [], []
    for key in zip(df["measure"], df["score"], df["informant"], v_pre, a_pre, v_post, a_post):
        if key not in memo:  # a caseload has few distinct forms: judge each once
            memo[key] = judged(*key)
        values.append(memo[key][0])
        notes.append(memo[key][1])
    df["clinical_cutoff"] = pd.Series(values, index=df.index, dtype=float)
    df["clinical_note"] = pd.Series(notes, index=df.index, dtype=object)
    better = [load_measure(m).better(s) for m, s in zip(df["measure"], df["score"])]
    sign = np.where(np.array(better) == "higher", -1.0, 1.0)  # +1: lower is better
    has_cut = df["clinical_cutoff"].notna().to_numpy()
    clinical_pre = (
        sign * df[pre].to_numpy(dtype=float) > sign * df["clinical_cutoff"].to_numpy()
    ) & has_cut
    functional_post = (
        sign * df[post].to_numpy(dtype=float) < sign * df["clinical_cutoff"].to_numpy()
    ) & has_cut
    with_cut = classify_change(df["reliable_change"], clinical_pre, functional_post)
    without = classify_change(df["reliable_change"])
    df["category"] = np.where(has_cut, with_cut, without)
    # Kept for the service figures: recovery is counted among those clinical at baseline.
    df["clinical_pre"] = pd.Series(
        np.where(has_cut, clinical_pre, None), index=df.index, dtype=object
    )
    df["functional_post"] = pd.Series(
        np.where(has_cut, functional_post, None), index=df.index, dtype=object
    )
    df.loc[df["reliable_change"].isna(), "category"] = None
    return df


def _clinical_note(
    measure: str, c_pre: float | None, c_post: float | None, v_pre: Any, v_post: Any
) -> str:
    """Why a measure that defines a clinical range gives no clinical category here ("" if it does)."""
    defn = load_measure(measure)
    if (c_pre is not None and c_pre == c_post) or defn.clinical_threshold is None:
        return ""  # a category was given, or the measure has no clinical range (e.g. goals)
    f_pre, f_post = ("" if _missing(v) else str(v) for v in (v_pre, v_post))
    if not f_pre or not f_post:
        return "the form is not recorded, so no clinical cut-off: reliable change only"
    if f_pre == f_post:
        try:
            has_bands = any(defn.version_by_id(f_pre).bands.values())
        except TswtError:
            has_bands = False
        why = "has no published bands" if not has_bands else "has no bands for this score"
        return f"form {f_pre} {why}, so no clinical cut-off: reliable change only"

    def said(form: str, c: float | None) -> str:
        return f"{form} (cut-off {c:g})" if c is not None else f"{form} (no cut-off)"

    return f"the form changed from {said(f_pre, c_pre)} to {said(f_post, c_post)}: reliable change only"


def chart_bands(
    series: pd.DataFrame, measure: str, score: str, informant: str
) -> tuple[list[tuple[str, int, int]] | None, str]:
    """The bands to shade behind one child's series, and a phrase saying what was shaded.

    Bands come from the form of each point (``version``, else ``age``): shaded only when
    every point's form has the same bands; none for 18+ forms or SDQ T2-4, and none when
    the form changed to one with other bands (or none) part-way.
    """
    defn = load_measure(measure)
    versions = series["version"].tolist() if "version" in series.columns else [None] * len(series)
    ages = series["age"].tolist() if "age" in series.columns else [None] * len(series)
    tables, used = set(), []
    for v, a in zip(versions, ages):
        if _missing(v) and _missing(a):
            return None, "no bands shaded: the form is not known"
        try:
            form = defn.version_for(
                informant,
                None if _missing(a) or not _missing(v) else float(a),
                None if _missing(v) else str(v),
            )
        except TswtError:
            return None, "no bands shaded: no form of this informant fits the age"
        if form.id not in used:
            used.append(form.id)
        tables.add(
            tuple((b.category, b.min, b.max) for b in defn.bands(score, informant, version=form.id))
        )
    if len(tables) != 1:
        return (
            None,
            f"no bands shaded: the form changed ({' to '.join(used)}) and the forms' bands differ",
        )
    bands = list(next(iter(tables)))
    if not bands:
        return None, f"no bands shaded: form {', '.join(used)} has no published bands"
    provisional = any(defn.version_by_id(f).bands_provisional for f in used)
    return bands, f"{'provisional ' if provisional else ''}bands of form {', '.join(used)} shaded"


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
    only_baseline = [
        c.model_copy(update={"measures": [m for m in c.measures if m.timepoint == "baseline"]})
        for c in with_baseline
    ]
    scored = case_scores(only_baseline)
    if scored.empty:
        return out
    scored = (
        scored.sort_values("date").groupby(["case_id", "measure", "informant"], sort=False).tail(1)
    )
    band_cols = [c for c in scored.columns if c.endswith("_band3")]
    for row in scored[["case_id", "measure", "informant", *band_cols]].to_dict("records"):
        for col in band_cols:
            band = row[col]
            if isinstance(band, str):
                out[row["case_id"]][
                    f"{row['measure']}.{col[: -len('_band3')]}.{row['informant']}"
                ] = band
    return out
