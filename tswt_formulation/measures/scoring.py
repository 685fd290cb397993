"""Vectorised scoring: responses (one row per administration) -> scores and bands.

Everything is numpy over whole columns; the only Python loops run over items, scores,
versions and band categories, or over the cells already found to be bad (to word the
errors). Each item is converted once from float to the smallest integer type, and sums
stay in small integers: a million SDQs score in well under a second (``bench/``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError
from .arithmetic import _band_column, _compute, _int_type, _Points, is_number  # noqa: F401 - _Points read from here too
from .definition import (
    DEFAULT_ID_COLUMNS,
    MeasureDefinition,
    ResponseCoding,
    Version,
    load_measure,
)

if TYPE_CHECKING:
    from ..model.case import MeasureAdministration

__all__ = ["DEFAULT_ID_COLUMNS", "score", "score_administrations"]

_ROW_PROBLEMS_MAX = 10_000  # enough to act on; beyond this the message would be unreadable


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


class _Rows:
    """Row problems collected while checking; each names the row label and the column."""

    def __init__(self, index: pd.Index, limit: int | None = _ROW_PROBLEMS_MAX) -> None:
        self.index = index
        self.bad = np.zeros(len(index), dtype=bool)
        self.problems: list[tuple[int, Problem]] = []
        self.limit = limit  # None: every problem (rows set aside must each be accounted for)
        self.omitted = 0

    def add(self, mask: np.ndarray, column: str, message: Any) -> None:
        """Record a problem for every row in ``mask``; ``message(pos)`` words each one."""
        if not mask.any():
            return
        found = np.flatnonzero(mask)
        room = len(found) if self.limit is None else max(0, self.limit - len(self.problems))
        for pos in found[:room]:
            text = message(pos) if callable(message) else message
            self.problems.append(
                (int(pos), Problem(f"row {self.index[pos]}", f"column {column}", text))
            )
        self.omitted += len(found) - min(room, len(found))
        self.bad |= mask


# --- reading the responses ------------------------------------------------------------------


def _long_to_wide(df: pd.DataFrame, defn: MeasureDefinition, administration: str) -> pd.DataFrame:
    missing = [c for c in (administration, "item", "value") if c not in df.columns]
    if missing:
        raise ScoringError(
            [
                Problem(
                    defn.id,
                    f"column {c}",
                    "missing: long-form responses need administration, item and value columns",
                )
                for c in missing
            ]
        )
    item = df["item"].astype(str)
    canon = item.str.lower().map(defn.column_lookup).fillna(item)
    dup = pd.DataFrame({"a": df[administration], "i": canon}).duplicated(keep="first").to_numpy()
    if dup.any():
        raise ScoringError(
            [
                Problem(
                    f"administration {df[administration].iloc[p]}",
                    f"item {item.iloc[p]}",
                    "given twice",
                )
                for p in np.flatnonzero(dup)
            ]
        )
    wide = pd.DataFrame({"a": df[administration], "i": canon, "v": df["value"]}).pivot(
        index="a", columns="i", values="v"
    )
    wide.columns = wide.columns.astype(str)
    wide.columns.name = None
    wide.index.name = administration
    others = [c for c in df.columns if c not in ("item", "value", administration)]
    if others:
        wide = df.groupby(administration, sort=False)[others].first().join(wide)
    return wide.reindex(pd.unique(df[administration]))


def _classify(
    df: pd.DataFrame, defn: MeasureDefinition, id_columns: Iterable[str]
) -> tuple[list[str], dict[str, str]]:
    """Split columns into pass-through id columns and item columns (column -> item id)."""
    ids = set(DEFAULT_ID_COLUMNS) | set(id_columns)
    keep: list[str] = []
    items: dict[str, str] = {}
    problems = []
    for col in df.columns:
        name = str(col)
        item_id = defn.column_lookup.get(name.lower())
        if item_id is not None and name not in ids:
            if item_id in items.values():
                other = next(c for c, i in items.items() if i == item_id)
                problems.append(
                    Problem(
                        defn.id,
                        f"column {name}",
                        f"is item {item_id} again (already given as column {other})",
                    )
                )
            items[name] = item_id
        elif name in ids:
            keep.append(name)
        else:
            problems.append(
                Problem(
                    defn.id,
                    f"column {name}",
                    f"not an item of {defn.id} (an item id such as 1 or an alias such as pconsid) nor an id column; keep it as an id column (id_columns=[{name!r}] in Python, --id-column {name} on the command line) or drop it",
                )
            )
    if problems:
        raise ScoringError(problems)
    return keep, items


def _an_alias(defn: MeasureDefinition) -> str:
    """An example of a column name other than an item id, for messages."""
    return next((name for name in defn.column_lookup if not name.isdigit()), "1")


def _values(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Column as float64 (NaN = missing) and a mask of cells that are not numbers."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return np.full(len(col), np.nan), col.notna().to_numpy()
    if col.dtype == np.float64:  # what pd.read_csv gives: used as it is, no copy
        return col.to_numpy(), np.zeros(len(col), dtype=bool)
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(col), dtype=bool)
    obj = col.to_numpy(dtype=object)
    is_num = is_number(obj)
    missing = pd.isna(col).to_numpy()
    out = np.full(len(obj), np.nan)
    out[is_num] = obj[is_num].astype(np.float64)
    return out, ~is_num & ~missing


def _codes(x: np.ndarray, coding: ResponseCoding) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An item's answers converted once: (answered mask, integer codes, 0 where missing
    or bad, mask of answered cells outside the coding, including non-whole numbers)."""
    vals = sorted(coding.values)
    lo, hi = vals[0], vals[-1]
    answered = x == x  # not NaN
    code = np.zeros(len(x), dtype=_int_type(lo, hi))
    if not answered.any():
        return answered, code, np.zeros(len(x), dtype=bool)
    if vals != list(range(lo, hi + 1)):
        bad = answered & ~np.isin(x, vals)
    elif (
        lo <= np.fmin.reduce(x) and np.fmax.reduce(x) <= hi
    ):  # in range (NaN ignored): only whole numbers to check
        np.copyto(code, x, casting="unsafe", where=answered)
        bad = answered & (code != x)
        if not bad.any():
            return answered, code, bad
    else:
        with np.errstate(invalid="ignore"):
            bad = answered & ((x < lo) | (x > hi) | (x != np.floor(x)))
    code[:] = 0
    np.copyto(code, x, casting="unsafe", where=answered & ~bad)
    return answered, code, bad


# --- rows: informant, age, version ---------------------------------------------------------


def _resolve_rows(
    df: pd.DataFrame,
    defn: MeasureDefinition,
    informant: str | None,
    version: str | None,
    age: float | None,
    rows: _Rows,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: informant as a code into ``defn.informants`` (-1 = none or not known) and
    version index (-1 = bad). A scalar informant or version is resolved once, not per row."""
    n = len(df)
    names = defn.informants
    if informant is not None:
        defn._check_informant(informant)
    if version is not None:
        v = defn.version_by_id(version)
        if informant is not None and informant not in v.informants:
            defn.version_for(informant, version=version)  # raises with the wording
    inf = np.full(n, -1 if informant is None else names.index(informant), dtype=np.int8)
    if "informant" in df.columns:
        col = df["informant"].to_numpy(dtype=object)
        given = ~pd.isna(df["informant"]).to_numpy()
        if informant is not None:
            rows.add(
                given & (col != informant),
                "informant",
                lambda p: f"{_fmt(col[p])} differs from informant={informant!r}",
            )
        else:
            for k, name in enumerate(names):
                inf[given & (col == name)] = k
            rows.add(
                given & (inf < 0),
                "informant",
                lambda p: (
                    f"{_fmt(col[p])} is not an informant of {defn.id}; expected one of {', '.join(names)}"
                ),
            )
    no_inf = (inf < 0) & ~rows.bad
    if no_inf.any() and len(defn.versions) > 1 and version is None:
        if informant is None and "informant" not in df.columns:
            raise ScoringError(
                [
                    Problem(
                        defn.id,
                        "informant",
                        f"missing: {defn.id} has forms for {', '.join(names)}; pass informant= or an informant column",
                    )
                ]
            )
        rows.add(no_inf, "informant", f"missing: {defn.id} has forms for {', '.join(names)}")

    def of(version: Version) -> np.ndarray:
        """Rows whose informant completes ``version``."""
        return np.isin(inf, [names.index(i) for i in version.informants])

    ages = np.full(n, np.nan)
    age_label = "age"
    if age is not None:
        ages[:] = float(age)
    elif "age" in df.columns:
        ages, not_num = _values(df["age"])
        rows.add(not_num, "age", lambda p: f"{_fmt(df['age'].iloc[p])} is not a number of years")
    with np.errstate(invalid="ignore"):
        ages = np.floor(ages)
        rows.add(ages < 0, age_label, lambda p: f"{_fmt(ages[p])} is not an age")

    ver = np.full(n, -1, dtype=np.int16)
    vcol = None
    if version is not None:
        ver[:] = [v.id for v in defn.versions].index(version)
    elif "version" in df.columns:
        vcol = df["version"].to_numpy(dtype=object)
        for j, v in enumerate(defn.versions):
            ver[vcol == v.id] = j
        known_v = ", ".join(v.id for v in defn.versions)
        rows.add(
            (ver < 0) & ~rows.bad,
            "version",
            lambda p: f"{_fmt(vcol[p])} is not a version of {defn.id}; expected one of {known_v}",
        )
    if version is not None or vcol is not None:
        for j, v in enumerate(defn.versions):
            here = ver == j
            wrong_inf = here & (inf >= 0) & ~of(v)
            rows.add(
                wrong_inf & ~rows.bad,
                "informant",
                lambda p, v=v: (
                    f"{_fmt(names[inf[p]])} does not complete version {v.id} (completed by {', '.join(v.informants)})"
                ),
            )
            rows.add(
                here & ~_covers(v, ages) & ~rows.bad,
                age_label,
                lambda p, v=v: (
                    f"{_fmt(ages[p])} is outside the ages of version {v.id} ({v.age.describe()})"
                ),
            )
    else:
        for j, v in enumerate(defn.versions):
            fits = (ver < 0) & _covers(v, ages)
            if len(defn.versions) > 1:
                fits &= of(v)
            ver[fits] = j

        def outside(p: int) -> str:
            who = names[inf[p]] if inf[p] >= 0 else None
            spans = ", ".join(v.age.describe() for v in defn.versions if who in v.informants)
            return (
                f"{_fmt(ages[p])} is outside the ages of every {who} version of {defn.id} ({spans})"
            )

        rows.add((ver < 0) & ~rows.bad, age_label, outside)
    return inf, ver


def _covers(v: Version, ages: np.ndarray) -> np.ndarray:
    ok = np.ones(len(ages), dtype=bool)
    with np.errstate(invalid="ignore"):
        if v.age.min is not None:
            ok &= np.isnan(ages) | (ages >= v.age.min)
        if v.age.max is not None:
            ok &= np.isnan(ages) | (ages <= v.age.max)
    return ok


# --- public --------------------------------------------------------------------------------


def score(
    measure: str | MeasureDefinition,
    responses: pd.DataFrame,
    informant: str | None = None,
    version: str | None = None,
    age: float | None = None,
    on_error: Literal["raise", "set_aside"] = "raise",
    folder: str | Path | None = None,
    *,
    id_columns: Iterable[str] = (),
    form: Literal["wide", "long"] | None = None,
    administration: str = "administration",
) -> pd.DataFrame:
    """Score administrations of a measure: every score, and bands where the form has them.

    Parameters
    ----------
    measure : str or MeasureDefinition
        A measure id (``"sdq"``, ``"gbo"``, a team's id) or a loaded definition.
    responses : DataFrame
        Wide: one row per administration, item columns named by item id (``"1"``) or any
        alias (``"pconsid"``, ``"consid"``; case-insensitive), plus id columns passed
        through (case_id, date, timepoint, informant, age, version, ... and ``id_columns``).
        Long: columns ``administration``, ``item``, ``value`` (one row per answer).
    informant : {"parent", "teacher", "self", "worker"}, optional
        Who completed the forms; or give an ``informant`` column.
    version : str, optional
        Form version, e.g. ``"P2-4"``; or a ``version`` column; else the first form of
        the informant whose ages cover ``age`` (a 4-year-old's parent form: P4-17).
    age : number, optional
        The child's age in whole years (fractions are floored); or an ``age`` column.
        Unknown age: the informant's first form (SDQ: the 4-17 form, with its bands).
    on_error : {"raise", "set_aside"}
        Bad cells raise :class:`ScoringError` (one problem per cell), or their rows are
        left out and listed in ``result.attrs["set_aside"]`` (row, column, reason).
    folder : path, optional
        Folder of team definitions (default ``$TSWT_MEASURES_DIR``).
    id_columns : iterable of str
        Extra columns to pass through unchanged.
    form : {"wide", "long"}, optional
        Default: long when the columns include ``item`` and ``value``.
    administration : str
        Name of the administration-id column of long-form responses.

    Returns
    -------
    DataFrame
        One row per administration (same index): id columns, ``informant``,
        ``version``, each score (nullable Int64; NA = missing) and, for scores with
        bands, ``<score>_band3`` and ``<score>_band4`` (NA where the form has none).

    Notes
    -----
    Mean-prorated subscale of k items, n answered (n >= min_answered), raw points sum S
    after reversal (``lo + hi - x``): ``floor(S * k / n + 1/2)``, computed exactly as
    ``(2 S k + n) // (2 n)`` (Python's ``round`` would give 2 for 2.5; the SDQ syntax 3).
    Sums of subscales are missing when any component is. Impact: 0 when the overall item
    is "no"; missing when every impact item is missing; otherwise missing items count 0.

    References
    ----------
    youthinmind (2016) Scoring the Strengths & Difficulties Questionnaire for age 4-17 or
    18+. Goodman R (1997) J Child Psychol Psychiatry 38:581-586.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"case_id": ["TSW-000001"], "psomatic": [2], "pworries": [1],
    ...                    "punhappy": [None], "pclingy": [1], "pafraid": [None]})
    >>> score("sdq", df, informant="parent", age=9)[["case_id", "emotional", "emotional_band3"]]
          case_id  emotional emotional_band3
    0  TSW-000001          7        abnormal
    """
    defn = measure if isinstance(measure, MeasureDefinition) else load_measure(measure, folder)
    if on_error not in ("raise", "set_aside"):
        raise ScoringError(
            [Problem(defn.id, "on_error", f"{on_error!r} must be 'raise' or 'set_aside'")]
        )
    if not isinstance(responses, pd.DataFrame):
        raise ScoringError(
            [
                Problem(
                    defn.id,
                    "responses",
                    f"must be a pandas DataFrame, not {type(responses).__name__}",
                )
            ]
        )
    if form == "long" or (
        form is None and {"item", "value"} <= {str(c) for c in responses.columns}
    ):
        responses = _long_to_wide(responses, defn, administration)
    df = (
        responses.rename(columns=str)
        if not all(isinstance(c, str) for c in responses.columns)
        else responses
    )
    keep, item_cols = _classify(df, defn, id_columns)
    if not item_cols and len(
        df
    ):  # else every score would be blank, as if every answer were missing
        raise ScoringError(
            [
                Problem(
                    defn.id,
                    "columns",
                    f"no item column of {defn.id} (item ids such as 1 or aliases such as "
                    f"{_an_alias(defn)}); the columns are {', '.join(map(str, df.columns[:20])) or 'none'}; "
                    "nothing was scored",
                )
            ]
        )
    rows = _Rows(df.index, limit=None if on_error == "set_aside" else _ROW_PROBLEMS_MAX)
    inf, ver = _resolve_rows(df, defn, informant, version, age, rows)

    cols: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # item -> (answered, integer codes)
    for col, item_id in item_cols.items():
        x, not_num = _values(df[col])
        coding = defn.coding(item_id)
        rows.add(
            not_num,
            col,
            lambda p, c=col: (
                f"value {_fmt(df[c].iloc[p])} is not a number in the response coding {defn.coding(item_cols[c]).describe()}"
            ),
        )
        answered, code, outside = _codes(x, coding)
        rows.add(
            outside,
            col,
            lambda p, x=x, c=coding: (
                f"value {_fmt(x[p])} is outside the response coding {c.describe()}"
            ),
        )
        only = defn.item_by_id[item_id].informants
        if only is not None:
            on_form = [defn.informants.index(i) for i in only if i in defn.informants]
            if (
                informant is not None and "informant" not in df.columns
            ):  # one informant: decided once
                off = answered if informant not in only else np.zeros(len(x), dtype=bool)
            else:
                off = answered & (inf >= 0) & ~np.isin(inf, on_form)
            rows.add(
                off,
                col,
                lambda p, i=item_id, o=only: (
                    f"item {i} is not on the {defn.informants[inf[p]]} form (only {', '.join(o)})"
                ),
            )
        cols[item_id] = (answered, code)

    set_aside = pd.DataFrame(columns=["row", "column", "reason"])
    if rows.problems:
        rows.problems.sort(key=lambda t: t[0])  # by row, then in the order found
        if on_error == "raise":
            raise ScoringError([p for _, p in rows.problems], omitted=rows.omitted)
        set_aside = pd.DataFrame(
            [
                (df.index[pos], p.field.removeprefix("column "), p.message)
                for pos, p in rows.problems
            ],
            columns=["row", "column", "reason"],
        )
        good = ~rows.bad
        df, inf, ver = df[good], inf[good], ver[good]
        cols = {k: (a[good], c[good]) for k, (a, c) in cols.items()}

    n = len(df)
    uniform = n == 0 or informant is not None or bool((inf == inf[0]).all())
    results = _compute(defn, cols, inf, n, uniform)
    out: dict[str, Any] = {c: df[c] for c in keep}
    names = np.array([*defn.informants, None], dtype=object)  # code -1 -> None
    out["informant"] = pd.Series(names[inf], index=df.index, dtype=object)
    out["version"] = pd.Series(
        np.array([v.id for v in defn.versions], dtype=object)[ver] if n else [],
        index=df.index,
        dtype=object,
    )
    for s_id, (value, ok) in results.items():
        out[s_id] = pd.arrays.IntegerArray(value.astype(np.int64), ~ok)
    for s_id, (value, ok) in results.items():
        for system, suffix in (("three_band", "band3"), ("four_band", "band4")):
            band = _band_column(defn, s_id, system, value, ok, ver)
            if band is not None:
                out[f"{s_id}_{suffix}"] = band
    result = pd.DataFrame(out, index=df.index)
    result.attrs["measure"] = defn.id
    result.attrs["definition_version"] = defn.version
    if on_error == "set_aside":  # only then: pandas cannot concat frames whose attrs hold frames
        result.attrs["set_aside"] = set_aside
    return result


def score_administrations(
    administrations: Sequence[MeasureAdministration],
    age_by_admin: Sequence[float | None] | Mapping[int, float | None] | None = None,
    *,
    on_error: Literal["raise", "set_aside"] = "raise",
    folder: str | Path | None = None,
) -> pd.DataFrame:
    """Score :class:`~tswt_formulation.model.MeasureAdministration` objects.

    Parameters
    ----------
    administrations : sequence of MeasureAdministration
        Any mix of measures; each is scored with its own definition and version.
    age_by_admin : sequence aligned with ``administrations``, or mapping position -> age
        The child's age in whole years at each administration (for the form's bands).

    Returns
    -------
    DataFrame
        Indexed by position in ``administrations``: measure, version, informant, date,
        timepoint, age, then the scores and bands of each measure (NA where a column
        belongs to another measure).
    """
    if not administrations:
        return pd.DataFrame()
    ages: list[float | None]
    if age_by_admin is None:
        ages = [None] * len(administrations)
    elif isinstance(age_by_admin, Mapping):
        ages = [age_by_admin.get(i) for i in range(len(administrations))]
    else:
        ages = list(age_by_admin)
        if len(ages) != len(administrations):
            raise ScoringError(
                [
                    Problem(
                        "age_by_admin",
                        "",
                        f"has {len(ages)} ages for {len(administrations)} administrations",
                    )
                ]
            )
    parts = []
    for measure_id in dict.fromkeys(a.measure for a in administrations):
        pos = [i for i, a in enumerate(administrations) if a.measure == measure_id]
        frame = pd.DataFrame(
            [
                {
                    "measure": a.measure,
                    "version": a.version,
                    "informant": a.informant,
                    "date": a.date,
                    "timepoint": a.timepoint,
                    "age": math.nan if ages[i] is None else ages[i],
                    **a.responses,
                }
                for i, a in ((i, administrations[i]) for i in pos)
            ],
            index=pd.Index(pos),
        )
        parts.append(score(measure_id, frame, on_error=on_error, folder=folder))
    if len(parts) == 1:
        return parts[0]
    aside = [p.attrs.get("set_aside") for p in parts]
    for p in parts:
        p.attrs = {}
    result = pd.concat(parts).sort_index()
    if on_error == "set_aside":
        result.attrs["set_aside"] = pd.concat(
            [a for a in aside if a is not None], ignore_index=True
        )
    return result
