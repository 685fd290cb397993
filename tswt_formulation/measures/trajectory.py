"""One child's scores over time: each child's ordered timepoints per measure, informant
and score, each compared with baseline (reliable change with constants from the measure's
definition or given by the caller, never estimated from the caseload), and the change
tables cut from it (:func:`baseline_vs_latest`, :func:`each_review_vs_baseline`).

:func:`trajectory` runs four steps, each its own function: the scores as a long table in
timepoint order (:func:`_long_table`), each series' baseline beside every point
(:func:`_with_baseline`), the reliable-change constants of each series family
(:func:`_series_constants`), and each point compared with its baseline
(:func:`_compared`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError, TswtError
from .change import CRITICAL_VALUE, change

__all__ = [
    "baseline_vs_latest",
    "definition_constants",
    "each_review_vs_baseline",
    "timepoint_rank",
    "trajectory",
]

#: A constant per score: one value for all, a mapping by score name, or a function of
#: (measure, score, informant).
Constant = float | str | Mapping[str, Any] | Callable[[str, str, str], Any] | None

ID_COLUMNS = ("case_id", "measure", "informant")

#: Carried through a trajectory when the scored frame has them: the form of each point
#: (its clinical cut-off and bands belong to the form and the age, not to the informant).
FORM_COLUMNS = ("version", "age")

_TIMEPOINT = re.compile(r"^(baseline|review ([1-9][0-9]*)|closure)$")

_CLOSURE_RANK = 10**6


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
    long = _long_table(scored_df, scores, keys, carried)
    long = _with_baseline(long, keys + ["score"], carried)
    family = (
        ["measure", "informant", "score"] if {"measure", "informant"} <= set(keys) else ["score"]
    )
    constants = _series_constants(long[family].drop_duplicates(), reliability, sd, better)
    long = _compared(long.merge(constants, on=family, how="left"), critical_value)
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


def _long_table(
    scored_df: pd.DataFrame,
    scores: Sequence[str] | None,
    keys: list[str],
    carried: list[str],
) -> pd.DataFrame:
    """Step 1: one row per series (``keys`` and ``score``) and timepoint, in timepoint
    order (ties by date), numbered ``order`` 1, 2, ...; ``band`` from ``<score>_band3``."""
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
    return long


def _with_baseline(long: pd.DataFrame, series: list[str], carried: list[str]) -> pd.DataFrame:
    """Step 2: each series' baseline (its first scored "baseline" row, earliest by date)
    beside every point: ``baseline_value``, ``baseline_date`` and the baseline's form."""
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
    return long.merge(baselines, on=series, how="left")


def _series_constants(
    constants: pd.DataFrame, reliability: Constant, sd: Constant, better: Constant
) -> pd.DataFrame:
    """Step 3: the reliable-change constants of each series family (measure, informant,
    score): ``reliability``, ``sd``, ``better`` and ``constants_note`` saying where they
    came from, or why there are none (never guessed)."""
    constants = constants.reset_index(drop=True)
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
    return constants


def _compared(long: pd.DataFrame, critical_value: float) -> pd.DataFrame:
    """Step 4: each point after baseline compared with it (:func:`change`): ``difference``,
    ``rci``, ``reliable_change`` and the ``threshold`` in raw points; where a series has
    no constants, the difference only."""
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
    return long


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
