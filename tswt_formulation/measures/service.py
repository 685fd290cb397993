"""From one child's scores over time to a caseload's figures.

- :func:`trajectory`: each child's ordered timepoints per measure, informant and score,
  each compared with baseline (reliable change with constants from the measure's
  definition or given by the caller, never estimated from the caseload).
- :func:`baseline_vs_latest`, :func:`each_review_vs_baseline`: change tables cut from it.
- :func:`not_on_track`: cases to discuss in supervision, each with a plain-English reason.
- :func:`service_summary`, :func:`category_counts`: service-level shares of reliable
  improvement and deterioration over PAIRED cases, with the unpaired count beside them
  (leaving unpaired cases out silently biases the figures); recovery over the paired cases
  that were in the clinical range at baseline (Jacobson & Truax), with that number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError, TswtError
from .change import CATEGORIES, CRITICAL_VALUE, change

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
#: A constant per score: one value for all, a mapping by score name, or a function of
#: (measure, score, informant).
Constant = float | str | Mapping[str, Any] | Callable[[str, str, str], Any] | None

ID_COLUMNS = ("case_id", "measure", "informant")
#: Carried through a trajectory when the scored frame has them: the form of each point
#: (its clinical cut-off and bands belong to the form and the age, not to the informant).
FORM_COLUMNS = ("version", "age")
_TIMEPOINT = re.compile(r"^(baseline|review ([1-9][0-9]*)|closure)$")
_CLOSURE_RANK = 10**6


def _by_list(by: By) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _require(df: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ScoringError(
            [
                Problem(
                    where,
                    c,
                    f"column {c!r} is missing (columns: {', '.join(map(str, df.columns))})",
                )
                for c in missing
            ]
        )


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


def timepoint_rank(timepoints: pd.Series) -> pd.Series:
    """Order of timepoints: baseline 0 < review 1 < review 2 < ... < closure.

    Raises :class:`ScoringError` naming the rows whose timepoint is not one of these.

    Examples
    --------
    >>> import pandas as pd
    >>> timepoint_rank(pd.Series(["closure", "review 10", "baseline", "review 2"])).tolist()
    [1000000, 10, 0, 2]
    """
    text = timepoints.astype(object).map(lambda v: v if isinstance(v, str) else "")
    parts = text.str.extract(_TIMEPOINT)
    bad = parts[0].isna()
    if bad.any():
        raise ScoringError(
            [
                Problem(
                    f"row {i}",
                    "timepoint",
                    f"{timepoints[i]!r} is not baseline, review N or closure",
                )
                for i in timepoints.index[bad.to_numpy()]
            ]
        )
    rank = pd.to_numeric(parts[1], errors="coerce")
    rank = rank.where(parts[0] != "baseline", 0).where(parts[0] != "closure", _CLOSURE_RANK)
    return rank.astype(int)


def _resolve(value: Constant, measure: str, score: str, informant: str) -> Any:
    if value is None:
        return None
    if callable(value):
        return value(measure, score, informant)
    if isinstance(value, Mapping):
        return value.get(score)
    return value


def definition_constants(measure: str, score: str, informant: str) -> tuple[float, float, str]:
    """(reliability, sd, better) for a score from the measure's definition file.

    Imported lazily so that the statistics of change do not depend on the definitions.
    Raises :class:`ScoringError` (from the definition) when the constants are not
    confirmed for this score and informant.
    """
    from .definition import load_measure  # lazy: optional at this layer

    definition = load_measure(measure)
    rel = definition.reliability(score, informant)
    if rel.r is None or rel.sd is None:
        raise ScoringError(
            [
                Problem(
                    measure,
                    score,
                    f"the definition gives no r and SD for {informant} (source: {rel.source})",
                )
            ]
        )
    return float(rel.r), float(rel.sd), str(definition.better(score))


def _definition_better(measure: str, score: str) -> str | None:
    """'lower' or 'higher' from the measure's definition; None where there is none."""
    if not measure:
        return None
    from .definition import load_measure  # lazy: optional at this layer

    try:
        return str(load_measure(measure).better(score))
    except (TswtError, KeyError, LookupError):
        return None


def trajectory(
    scored_df: pd.DataFrame,
    scores: Sequence[str] | None = None,
    *,
    reliability: Constant = None,
    sd: Constant = None,
    better: Constant = None,
    critical_value: float = CRITICAL_VALUE,
    id_columns: Sequence[str] = ID_COLUMNS,
) -> pd.DataFrame:
    """Each child's scores over time, each compared with their baseline.

    Parameters
    ----------
    scored_df : DataFrame
        One row per administration: the ``id_columns`` (default ``case_id``,
        ``measure``, ``informant``), ``timepoint`` ("baseline", "review N", "closure"),
        ``date``, score columns (``total``, ``emotional``, ...) and optionally bands
        ``<score>_band3`` and the form of each administration, ``version`` and ``age``
        (carried through, so that cut-offs can follow the form).
    scores : list of str, optional
        Score columns to follow. Default: every numeric column that is not an id,
        timepoint, date, band, version or age column (pass it explicitly if the frame
        holds other numbers).
    reliability, sd, better : float/str, mapping by score, or callable, optional
        Constants for the RCI: one value for every score, a mapping ``{score: value}``,
        or a function ``(measure, score, informant) -> value``. ``better`` defaults to
        each scale's direction in its measure's definition (SDQ prosocial and goal
        progress: higher); a ``better`` that contradicts the definition is refused
        (:class:`ScoringError`), and is needed only for a measure without one. When neither
        ``reliability`` nor ``sd`` is given they are read from the measure's definition
        (norms with a cited source); for one child they must never come from the
        caseload. Where they cannot be had, the comparison columns stay missing and
        ``constants_note`` says why.
    critical_value : float, default 1.959964
        Passed to :func:`change`.
    id_columns : sequence of str
        Columns identifying one series.

    Returns
    -------
    DataFrame
        Long table, one row per series and timepoint in order (baseline < review 1 <
        review 2 < ... < closure; ties by date): the id columns, ``score``,
        ``timepoint``, ``date``, ``order`` (1, 2, ...), ``value``, ``band``,
        ``reliability``, ``sd``, ``better``, ``threshold`` (raw points),
        ``baseline_value``, ``baseline_date``, ``difference`` (value - baseline),
        ``rci``, ``reliable_change`` (missing on the baseline row itself) and
        ``constants_note``; with ``version``/``age`` in the input, also those of each
        point and of its baseline (``baseline_version``, ``baseline_age``).

    Notes
    -----
    The comparison with baseline is :func:`~tswt_formulation.measures.change.change`
    with ``sd`` and ``reliability`` fixed per score (Jacobson & Truax, 1991).
    """
    keys = list(id_columns)
    _require(scored_df, keys + ["timepoint", "date"], "trajectory()")
    carried = [c for c in FORM_COLUMNS if c in scored_df.columns and c not in keys]
    if scores is None:
        skip = set(keys) | {"timepoint", "date", *FORM_COLUMNS}
        scores = [
            c
            for c in scored_df.columns
            if c not in skip
            and not re.search(r"_band\d*$", str(c))
            and pd.api.types.is_numeric_dtype(scored_df[c])
        ]
    scores = list(scores)
    _require(scored_df, scores, "trajectory()")
    base = scored_df[keys + ["timepoint", "date", *carried]].copy()
    base["date"] = pd.to_datetime(base["date"])
    base["_rank"] = timepoint_rank(scored_df["timepoint"])
    parts = []
    for s in scores:
        part = base.copy()
        part["score"] = s
        part["value"] = pd.to_numeric(scored_df[s], errors="coerce").astype(float)
        band_col = f"{s}_band3"
        part["band"] = scored_df[band_col].astype(object) if band_col in scored_df.columns else None
        parts.append(part)
    long = (
        pd.concat(parts, ignore_index=True) if parts else base.assign(score=[], value=[], band=[])
    )
    series = keys + ["score"]
    long = long.sort_values(series + ["_rank", "date"], kind="stable").reset_index(drop=True)
    long["order"] = long.groupby(series, sort=False).cumcount() + 1

    # Baseline: the first row whose timepoint is "baseline" (earliest by date).
    is_baseline = long["_rank"].eq(0) & long["value"].notna()
    first = long[is_baseline].groupby(series, sort=False).head(1)
    long["_is_baseline_row"] = False
    long.loc[first.index, "_is_baseline_row"] = True
    baselines = first[series + ["value", "date", *carried]].rename(
        columns={
            "value": "baseline_value",
            "date": "baseline_date",
            **{c: f"baseline_{c}" for c in carried},
        }
    )
    long = long.merge(baselines, on=series, how="left")

    # Constants per (measure, informant, score) series family.
    family = (
        ["measure", "informant", "score"] if {"measure", "informant"} <= set(keys) else ["score"]
    )
    constants = long[family].drop_duplicates().reset_index(drop=True)
    rel, sds, dirs, notes = [], [], [], []
    for row in constants.itertuples(index=False):
        m = getattr(row, "measure", "")
        inf = getattr(row, "informant", "")
        s = row.score
        r_v, sd_v, b_v, note = (
            _resolve(reliability, m, s, inf),
            _resolve(sd, m, s, inf),
            _resolve(better, m, s, inf),
            "",
        )
        defined = _definition_better(m, s)
        if b_v is None:
            b_v = defined  # the scale's direction is part of its definition
        elif defined is not None and b_v != defined:
            raise ScoringError(
                [
                    Problem(
                        "trajectory()",
                        "better",
                        f"{b_v!r} for {m} {s}, but its definition says {defined} is better; "
                        "leave better= out to use each scale's own direction",
                    )
                ]
            )
        if r_v is None and sd_v is None:
            try:
                r_d, sd_d, b_d = definition_constants(m, s, inf)
                r_v, sd_v, b_v = r_d, sd_d, (b_v or b_d)
                note = "from the measure definition"
            except (
                ImportError,
                TswtError,
                LookupError,
            ) as exc:  # missing or unconfirmed: say so, never guess
                note = f"no reliable-change constants: {exc}".split("\n")[0]
        elif r_v is None or sd_v is None:
            note = "no reliable-change constants: give both reliability and sd"
            r_v = sd_v = None
        else:
            note = "given by the caller"
        if r_v is not None and b_v not in ("lower", "higher"):
            note = f"no reliable-change direction for {s}: give better='lower' or 'higher'"
            r_v = sd_v = None
        rel.append(np.nan if r_v is None else float(r_v))
        sds.append(np.nan if sd_v is None else float(sd_v))
        dirs.append(b_v if b_v in ("lower", "higher") else None)
        notes.append(note)
    constants["reliability"] = rel
    constants["sd"] = sds
    constants["better"] = pd.Series(dirs, dtype=object)
    constants["constants_note"] = notes
    long = long.merge(constants, on=family, how="left")

    long["difference"] = np.nan
    long["rci"] = np.nan
    long["reliable_change"] = pd.Series([None] * len(long), dtype=object)
    long["threshold"] = np.nan
    compare = ~long["_is_baseline_row"] & long["reliability"].notna()
    for (r_v, sd_v, b_v), idx in (
        long[compare].groupby(["reliability", "sd", "better"], sort=False).groups.items()
    ):
        chunk = long.loc[idx, ["baseline_value", "value"]]
        res = change(
            chunk,
            "baseline_value",
            "value",
            reliability=r_v,
            sd=sd_v,
            better=b_v,
            critical_value=critical_value,
        )
        long.loc[idx, "difference"] = res["difference"]
        long.loc[idx, "rci"] = res["rci"]
        long.loc[idx, "reliable_change"] = res["reliable_change"]
    has_r = long["reliability"].notna()
    long.loc[has_r, "threshold"] = (
        critical_value
        * np.sqrt(2.0)
        * long.loc[has_r, "sd"]
        * np.sqrt(1 - long.loc[has_r, "reliability"])
    )
    no_r = ~has_r & ~long["_is_baseline_row"]
    long.loc[no_r, "difference"] = long.loc[no_r, "value"] - long.loc[no_r, "baseline_value"]
    columns = keys + [
        "score",
        "timepoint",
        "date",
        "order",
        "value",
        *carried,
        "band",
        "reliability",
        "sd",
        "better",
        "threshold",
        "baseline_value",
        "baseline_date",
        *[f"baseline_{c}" for c in carried],
        "difference",
        "rci",
        "reliable_change",
        "constants_note",
    ]
    return long[columns]


def each_review_vs_baseline(traj_df: pd.DataFrame) -> pd.DataFrame:
    """Every follow-up point compared with baseline (the baseline rows themselves dropped).

    Parameters
    ----------
    traj_df : DataFrame
        Output of :func:`trajectory`.

    Returns
    -------
    DataFrame
        The trajectory's rows after baseline, with ``paired`` (both a baseline and this
        score present) and ``difference``, ``rci``, ``reliable_change``.
    """
    _require(
        traj_df,
        ["timepoint", "value", "baseline_value"],
        "each_review_vs_baseline() (give trajectory() output)",
    )
    follow = traj_df[traj_df["timepoint"].astype(object) != "baseline"].copy()
    follow["paired"] = follow["baseline_value"].notna() & follow["value"].notna()
    return follow.reset_index(drop=True)


def baseline_vs_latest(traj_df: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Baseline against the latest scored follow-up, one row per series.

    Parameters
    ----------
    traj_df : DataFrame
        Output of :func:`trajectory`.
    as_of : date, optional
        Ignore points dated after this day.

    Returns
    -------
    DataFrame
        One row per case, measure, informant and score: ``baseline_value``,
        ``baseline_date``, ``latest_value``, ``latest_date``, ``latest_timepoint``,
        ``paired``, ``difference``, ``rci``, ``reliable_change``, ``threshold``, the
        forms when the trajectory has them (``baseline_version``, ``latest_version``,
        ``baseline_age``, ``latest_age``) and
        ``category`` (Improved / Unchanged / Deteriorated; missing when unpaired or when
        no constants were available). Series with no follow-up are kept, unpaired.
    """
    _require(
        traj_df,
        [
            "score",
            "timepoint",
            "date",
            "order",
            "value",
            "baseline_value",
            "baseline_date",
            "threshold",
            "constants_note",
            "difference",
            "rci",
            "reliable_change",
        ],
        "baseline_vs_latest() (give trajectory() output)",
    )
    keys = [c for c in traj_df.columns if c in ID_COLUMNS] + ["score"]
    traj = traj_df
    if as_of is not None:
        traj = traj[pd.to_datetime(traj["date"]) <= pd.Timestamp(as_of)]
    carried = [c for c in FORM_COLUMNS if c in traj.columns and f"baseline_{c}" in traj.columns]
    series = traj.drop_duplicates(keys)[
        keys
        + ["baseline_value", "baseline_date", *[f"baseline_{c}" for c in carried]]
        + ["threshold", "constants_note"]
    ]
    follow = traj[(traj["timepoint"].astype(object) != "baseline") & traj["value"].notna()]
    latest = follow.sort_values("order").groupby(keys, sort=False).tail(1)
    latest = latest[
        keys + ["value", "date", "timepoint", *carried, "difference", "rci", "reliable_change"]
    ].rename(
        columns={
            "value": "latest_value",
            "date": "latest_date",
            "timepoint": "latest_timepoint",
            **{c: f"latest_{c}" for c in carried},
        }
    )
    out = series.merge(latest, on=keys, how="left")
    out["paired"] = out["baseline_value"].notna() & out["latest_value"].notna()
    rc = out["reliable_change"].astype(object)
    category = np.where(
        rc == "improved", "Improved", np.where(rc == "deteriorated", "Deteriorated", "Unchanged")
    ).astype(object)
    category[(~out["paired"] | rc.isna()).to_numpy()] = None
    out["category"] = pd.Series(category, index=out.index, dtype=object)
    out.loc[~out["paired"], ["difference", "rci"]] = np.nan
    return out.reset_index(drop=True)


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
