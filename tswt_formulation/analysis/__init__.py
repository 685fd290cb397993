"""Caseload-wide outcomes as tidy, typed DataFrames, read from a case store.

The analyst's entry point in Jupyter::

    >>> import tswt_formulation as tswt
    >>> store = tswt.open_store("demo.sqlite", user="t.harper")     # doctest: +SKIP
    >>> scores = tswt.analysis.scores(store)                        # doctest: +SKIP
    >>> change = tswt.analysis.change(store)                        # doctest: +SKIP
    >>> change.groupby(["informant", "scale"], observed=True)["category"].value_counts()  # doctest: +SKIP

- :func:`scores`: one row per case, measure, informant, date and scale, from the
  store's scores table (kept as cases are saved; no record is loaded).
- :func:`change`: baseline to the latest follow-up (or to each one), with reliable change
  and the clinical category (Recovered, Improved, Unchanged, Deteriorated, Harmed).
- :func:`goals`: the goals agreed with each child.
- :func:`caseload`: the caseload as of a date with the decided wave and stage.
- :func:`added_value`: each child's SDQ Added Value Score, or why it does not apply.
- :func:`informants`: a child's SDQs from different informants near the same date, per
  scale side by side, agreeing or differing by more than reliable change.

Types: informant, measure, version, timepoint, scale, band, reliable change and category
are categoricals; counts and scores nullable integers (``Int64``); dates ``datetime64``;
text ``string``. No column mixes ``None`` and ``NaN``, and wave and stage stay
integers through a merge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError, TswtError
from ..measures.change import CATEGORIES, CRITICAL_VALUE

if TYPE_CHECKING:
    from ..measures.constants import MeasureConstants
    from ..store.store import CaseStore

__all__ = [
    "CHANGE_COLUMNS",
    "SCORE_COLUMNS",
    "added_value",
    "caseload",
    "change",
    "goals",
    "informants",
    "scores",
]

#: Columns of :func:`scores`, in order.
SCORE_COLUMNS = (
    "case_id",
    "measure",
    "informant",
    "version",
    "date",
    "timepoint",
    "age",
    "scale",
    "value",
    "band",
)
#: Columns of :func:`change`, in order.
CHANGE_COLUMNS = (
    "case_id",
    "measure",
    "informant",
    "scale",
    "baseline_date",
    "baseline_version",
    "baseline_value",
    "date",
    "timepoint",
    "version",
    "value",
    "paired",
    "difference",
    "threshold",
    "rci",
    "reliable_change",
    "clinical_cutoff",
    "category",
    "constants_source",
)
RELIABLE_CHANGE = ("improved", "none", "deteriorated")


def _check_store(store: Any, where: str) -> None:
    from ..store.store import CaseStore

    if not isinstance(store, CaseStore):
        raise TswtError(
            f"{where}: pass an open case store (tswt_formulation.open_store(path, user=...)), "
            f"not {type(store).__name__}"
        )


def _as_day(value: Any, where: str, field: str = "as_of") -> date | None:
    """A date from a date, a Timestamp or ISO text ("2026-01-01"); a clear error otherwise."""
    from ..config import parse_day

    return parse_day(value, where, field)


# --- scores ---------------------------------------------------------------------------------


def scores(
    store: CaseStore, *, measure: str | Iterable[str] | None = None, as_of: date | str | None = None
) -> pd.DataFrame:
    """Every score of every measure administration in the store, one row per score.

    Parameters
    ----------
    store : CaseStore
        From :func:`~tswt_formulation.open_store`.
    measure : str or list of str, optional
        Only these measures (``"sdq"``, ``"gbo"``, a team's id).
    as_of : date or ISO text, optional
        Only administrations dated on or before this day.

    Returns
    -------
    DataFrame
        One row per case, measure, informant, date (administration) and scale:
        ``case_id`` (string), ``measure``, ``informant``, ``version`` (the form),
        ``timepoint`` ("baseline", "review N", "closure"), ``scale`` and ``band``
        (the three-band category where the form has bands) as categoricals; ``date``
        ``datetime64``; ``age`` (whole years at the administration) and ``value``
        nullable ``Int64`` (NA where the scoring rules leave a scale missing).

    Notes
    -----
    Read from the store's scores table, written with each case (migration 7), scored by
    the measure's definition exactly as :func:`~tswt_formulation.score` scores it.

    Examples
    --------
    A synthetic demo store of 12 children:

    >>> import datetime, pathlib, tempfile
    >>> import tswt_formulation as tswt
    >>> from tswt_formulation.demo import generate_caseload
    >>> path = str(pathlib.Path(tempfile.mkdtemp()) / "demo.sqlite")
    >>> store = tswt.open_store(path, user="demo", create=True)
    >>> store.import_cases(generate_caseload(12, seed=1, as_of=datetime.date(2026, 11, 20)))
    12
    >>> s = tswt.analysis.scores(store, measure="sdq")
    >>> s[s.scale.eq("total") & s.timepoint.eq("baseline")].groupby("informant", observed=True)["value"].median()
    informant
    parent     21.5
    self       20.0
    teacher    22.0
    Name: value, dtype: Float64
    >>> store.close()
    """
    _check_store(store, "scores()")
    import sqlalchemy as sa

    from ..store import schema

    day = _as_day(as_of, "scores()")
    t = schema.scores.c
    q = sa.select(
        t.case_id,
        t.measure,
        t.version,
        t.informant,
        t.date,
        t.timepoint,
        t.age,
        t.scales,
        t.scale_values,
    ).order_by(t.case_id, t.position)
    wanted = None if measure is None else ([measure] if isinstance(measure, str) else list(measure))
    if wanted is not None:
        q = q.where(
            sa.or_(*[t.measure == m for m in wanted])
        )  # plain binds: fetch_tuples runs the SQL on the driver
    if day is not None:
        q = q.where(t.date <= day)
    with store.engine.connect() as conn:
        packed = _read_packed(conn, q)
    return _unpack(packed)


class _Packed:
    """The scores table's rows (one per administration), read a chunk at a time and kept
    as integer codes: a repeated text (measure, form, informant, timepoint, date, scale
    list) is held once, not once per row, so memory does not follow the row count."""

    TEXT = ("measure", "version", "informant", "date", "timepoint", "scales")

    def __init__(self) -> None:
        self.case_ids: list[str] = []
        self.case_code: list[int] = []
        self.lookup: dict[str, dict[Any, int]] = {c: {} for c in self.TEXT}
        self.code: dict[str, list[int]] = {c: [] for c in self.TEXT}
        self.age: list[Any] = []
        self.values: list[str] = []

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        case_ids, case_code = self.case_ids, self.case_code
        for row in rows:
            cid = row[0]
            if not case_ids or case_ids[-1] != cid:  # rows come by case id: each id is held once
                case_ids.append(cid)
            case_code.append(len(case_ids) - 1)
        for j, name in enumerate(self.TEXT, start=1):
            seen, out = self.lookup[name], self.code[name]
            col = (
                j if j < 6 else 7
            )  # measure, version, informant, date, timepoint at 1-5; scales at 7
            for row in rows:
                out.append(seen.setdefault(row[col], len(seen)))
        self.age.extend(row[6] for row in rows)
        self.values.extend(row[8] for row in rows)

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, the distinct values in code order) of one repeated column."""
        uniques = np.empty(len(self.lookup[name]), dtype=object)
        for value, k in self.lookup[name].items():
            uniques[k] = value
        return np.asarray(self.code[name], dtype=np.int32), uniques

    def __len__(self) -> int:
        return len(self.case_code)


def _read_packed(conn: Any, query: Any, chunk: int = 20_000) -> _Packed:
    packed = _Packed()
    if (
        conn.dialect.name == "sqlite"
    ):  # straight from the driver's cursor (dates as ISO text), as fetch_tuples reads
        compiled = query.compile(dialect=conn.dialect)
        params = [compiled.params[name] for name in compiled.positiontup or ()]
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            while rows := cursor.fetchmany(chunk):
                packed.add(rows)
        finally:
            cursor.close()
        return packed
    result = conn.execution_options(yield_per=chunk).execute(query)
    try:
        for part in result.partitions():
            packed.add([tuple(r) for r in part])
    finally:
        result.close()
    return packed


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values (in order of appearance), once per column."""
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int32), np.asarray(uniques, dtype=object)


def _groups(key: np.ndarray) -> list[np.ndarray]:
    """Positions of each distinct value of an integer key (one stable sort, not a mask per group)."""
    if not len(key):
        return []
    order = np.argsort(key, kind="stable")
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    return np.split(order, cuts)


def _starts(sorted_key: np.ndarray) -> np.ndarray:
    """Positions where each run of a sorted key begins."""
    return (
        np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        if len(sorted_key)
        else np.zeros(0, dtype=np.int64)
    )


def _unpack(packed: _Packed) -> pd.DataFrame:
    """The scores table's packed rows (one per administration) as one row per scale."""
    import io

    n = len(packed)
    values = np.asarray(packed.values, dtype=object)
    scale_names: list[str] = []
    admin_pos: list[np.ndarray] = []
    scale_codes: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    packed_codes, packed_lists = packed.column("scales")
    for idx in _groups(packed_codes):  # a caseload has a few distinct scale lists
        names = str(packed_lists[packed_codes[idx[0]]]).split(",")
        k = len(names)
        # The C parser reads the packed integers ("" = missing) at C speed, one row per administration.
        parsed = pd.read_csv(
            io.StringIO("\n".join(values[idx].tolist())),
            header=None,
            names=range(k),
            dtype="float64",
            na_filter=True,
            keep_default_na=False,
            na_values=[""],
        ).to_numpy()
        if parsed.shape != (len(idx), k):  # pragma: no cover - a row not written by store.scores
            raise TswtError(
                f"the store's scores table is damaged (values do not match the scales {','.join(names)}); "
                "rebuild it (tswt_formulation.store.scores.rebuild_scores)"
            )
        for name in names:
            if name not in scale_names:
                scale_names.append(name)
        admin_pos.append(np.repeat(idx.astype(np.int32), k))
        scale_codes.append(
            np.tile(np.asarray([scale_names.index(x) for x in names], dtype=np.int16), len(idx))
        )
        numbers.append(parsed.reshape(-1))
    del values
    pos = np.concatenate(admin_pos) if admin_pos else np.zeros(0, dtype=np.int32)
    order = np.argsort(pos, kind="stable")  # back to the store's order: case, administration, scale
    pos = pos[order]
    scale = np.concatenate(scale_codes)[order] if scale_codes else np.zeros(0, dtype=np.int16)
    number = np.concatenate(numbers)[order] if numbers else np.zeros(0)
    del order, admin_pos, scale_codes, numbers
    missing = np.isnan(number)
    value = pd.arrays.IntegerArray(np.where(missing, 0, number).astype(np.int64), missing)
    del number

    def cat(name: str) -> pd.Categorical:
        codes, uniques = packed.column(name)
        order = np.argsort(
            uniques.astype(str), kind="stable"
        )  # categories sorted, as pandas sorts them
        remap = np.empty(len(order), dtype=np.int32)
        remap[order] = np.arange(len(order), dtype=np.int32)
        return pd.Categorical.from_codes(
            remap[codes][pos] if len(codes) else np.zeros(0, dtype=np.int32),
            categories=uniques[order].astype(str),
        )

    day_codes, day_values = packed.column("date")
    days = (
        pd.to_datetime(pd.Series(day_values, dtype=object)).to_numpy().astype("datetime64[ns]")
        if n
        else np.zeros(0, "datetime64[ns]")
    )
    ages = pd.array(packed.age, dtype="Int64") if n else pd.array([], dtype="Int64")
    case_ids = pd.array(np.asarray(packed.case_ids, dtype=object), dtype="string")
    case_code = np.asarray(packed.case_code, dtype=np.int32)
    frame = pd.DataFrame(
        {
            "case_id": case_ids[case_code[pos]] if n else pd.array([], dtype="string"),
            "measure": cat("measure"),
            "informant": cat("informant"),
            "version": cat("version"),
            "date": days[day_codes[pos]] if n else days,
            "timepoint": cat("timepoint"),
            "age": ages[pos],
            "scale": pd.Categorical.from_codes(scale, categories=scale_names),
            "value": value,
        }
    )
    frame["band"] = _bands(frame)
    return frame


def _bands(frame: pd.DataFrame) -> pd.Categorical:
    """The three-band category of each score on its form (NA where the form has none)."""
    from ..measures.definition import load_measure

    cats: list[str] = []
    codes = np.full(len(frame), -1, dtype=np.int16)
    if not len(frame):
        return pd.Categorical([])
    m, v, s = (
        frame[c].cat.codes.to_numpy().astype(np.int64) for c in ("measure", "version", "scale")
    )
    nv, ns = len(frame["version"].cat.categories), len(frame["scale"].cat.categories)
    value = frame["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    for idx in _groups((m * nv + v) * ns + s):
        i = idx[0]
        measure, version, scale = (
            str(frame[c].cat.categories[code[i]])
            for c, code in (("measure", m), ("version", v), ("scale", s))
        )
        try:
            table = (
                load_measure(measure).version_by_id(version).bands.get("three_band", {}).get(scale)
            )
        except TswtError:
            continue
        if not table:
            continue
        x = value[idx]
        for band, (lo, hi) in table.items():
            if band not in cats:
                cats.append(band)
            codes[idx[(x >= lo) & (x <= hi)]] = cats.index(band)
    return pd.Categorical.from_codes(codes, categories=cats)


# --- change ---------------------------------------------------------------------------------


def _timepoint_rank(timepoint: pd.Series) -> np.ndarray:
    from ..measures.service import timepoint_rank

    cats = timepoint.cat.categories if isinstance(timepoint.dtype, pd.CategoricalDtype) else None
    if cats is not None:  # rank each category once
        ranks = timepoint_rank(pd.Series(cats, dtype=object)).to_numpy()
        return np.where(
            timepoint.cat.codes.to_numpy() < 0, -1, ranks[timepoint.cat.codes.to_numpy()]
        )
    return timepoint_rank(timepoint.astype(object)).to_numpy()


_REQUIRED = ("case_id", "measure", "informant", "version", "date", "timepoint", "scale", "value")


def change(
    store_or_scores: CaseStore | pd.DataFrame,
    *,
    to: Literal["latest", "each"] = "latest",
    constants: MeasureConstants | str | Path | None = None,
    critical_value: float = CRITICAL_VALUE,
    as_of: date | str | None = None,
) -> pd.DataFrame:
    """Change from baseline, with reliable change and the clinical category.

    Parameters
    ----------
    store_or_scores : CaseStore or DataFrame
        A store (its :func:`scores` are read), or a frame shaped like :func:`scores`'
        (columns ``case_id``, ``measure``, ``informant``, ``version``, ``date``,
        ``timepoint``, ``scale``, ``value``).
    to : {"latest", "each"}, default "latest"
        Baseline against the latest scored follow-up (one row per case, measure,
        informant and scale; series with no follow-up kept, unpaired), or against each
        follow-up in turn.
    constants : MeasureConstants, path, or list of dict, optional
        The team's reliable-change constants (default ``TSWT_MEASURE_CONSTANTS``): a
        loaded file, its path, or its ``constants`` entries as dicts; where
        a scale has none, the measure definition's; where neither, no reliable change
        and no category (``constants_source`` says so).
    critical_value : float, default 1.959964
        Two-sided z for reliable change.
    as_of : date or ISO text, optional
        Ignore administrations after this day.

    Returns
    -------
    DataFrame
        Columns :data:`CHANGE_COLUMNS`: the baseline's date, form and value; the
        follow-up's date, timepoint, form and value; ``paired``; ``difference``
        (follow-up - baseline), ``threshold`` (raw points needed), ``rci``;
        ``reliable_change`` (improved / none / deteriorated, in the scale's better
        direction) and ``category`` (Recovered / Improved / Unchanged / Deteriorated /
        Harmed) as categoricals; ``clinical_cutoff`` where both forms share one.

    Notes
    -----
    Baseline is the earliest administration at timepoint "baseline" with a value; the
    latest follow-up the last after it in timepoint order (review 1 < review 2 < ...
    < closure; ties by date). Reliable change (Jacobson & Truax, 1991): RCI =
    difference / (sqrt(2) SD sqrt(1 - r)), reliable when \\|RCI\\| > ``critical_value``;
    with a raw-points constant (GBO's 2.45), when the change is at least that many
    points. Each scale's better direction comes from its definition (SDQ prosocial and
    goals: higher is better). Recovered: clinical at baseline (strictly beyond the
    form's cut-off), functional at follow-up (strictly inside) and reliably improved;
    Harmed: neither and reliably worse. A form without a cut-off (SDQ 18+), or a change
    of form whose cut-offs differ, gives reliable change only.

    Examples
    --------
    Two parent SDQ totals (team constants r 0.80, SD 5: 6.2 points are needed):

    >>> import pandas as pd, tswt_formulation as tswt
    >>> s = pd.DataFrame({"case_id": ["TSW-000001"] * 2, "measure": "sdq", "informant": "parent",
    ...                   "version": "P4-17", "date": pd.to_datetime(["2026-01-05", "2026-07-01"]),
    ...                   "timepoint": ["baseline", "review 1"], "scale": "total", "value": [22, 12]})
    >>> team = [{"measure": "sdq", "scores": ["total"], "r": 0.80, "sd": 5, "source": "a worked example"}]
    >>> c = tswt.analysis.change(s, constants=team)
    >>> c[["baseline_value", "value", "difference", "reliable_change", "category"]]
       baseline_value  value  difference reliable_change   category
    0              22     12       -10.0        improved  Recovered
    >>> round(c.loc[0, "threshold"], 2)  # 1.959964 x sqrt(2) x 5 x sqrt(1 - 0.8)
    np.float64(6.2)
    """
    from ..measures.constants import MeasureConstants, active_constants, load_constants

    if isinstance(store_or_scores, pd.DataFrame):
        frame = store_or_scores
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise ScoringError(
                [
                    Problem(
                        "change()",
                        c,
                        f"column {c!r} is missing (a frame like tswt.analysis.scores() "
                        f"gives: {', '.join(_REQUIRED)})",
                    )
                    for c in missing
                ]
            )
        day = _as_day(as_of, "change()")
        if day is not None:
            frame = frame[pd.to_datetime(frame["date"]) <= pd.Timestamp(day)]
    else:
        _check_store(store_or_scores, "change()")
        frame = scores(store_or_scores, as_of=as_of)
    if to not in ("latest", "each"):
        raise ScoringError([Problem("change()", "to", f"{to!r} must be 'latest' or 'each'")])
    if constants is None:
        team = active_constants()
    elif isinstance(constants, MeasureConstants):
        team = constants
    elif isinstance(constants, list):
        team = _inline_constants(constants)
    else:
        team = load_constants(constants)
    return _change(frame, to, team, float(critical_value))


def _inline_constants(entries: list[dict[str, Any]]) -> MeasureConstants:
    from pydantic import ValidationError

    from ..measures.constants import MeasureConstants, _File

    try:
        parsed = _File.model_validate({"version": "given", "constants": entries})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ScoringError(
            [
                Problem(
                    "change()",
                    "constants." + ".".join(str(p) for p in err["loc"][1:]),
                    err["msg"].removeprefix("Value error, "),
                )
            ]
        ) from None
    return MeasureConstants("given", "", tuple(parsed.constants))


def _change(frame: pd.DataFrame, to: str, team: MeasureConstants | None, z: float) -> pd.DataFrame:
    """Vectorised on integer codes: one sort of the scores, then baseline and follow-up
    picked per series by position; constants and cut-offs looked up once per family."""
    from ..measures.change import _numbers

    value = _numbers(frame, "value")
    keep = ~np.isnan(value)
    everything = bool(keep.all())  # the usual case: no copies of 3 million rows to drop none

    def kept(a: Any) -> Any:
        return a if everything else a[keep]

    cols = {
        c: kept(
            frame[c]
            if isinstance(frame[c].dtype, pd.CategoricalDtype)
            else frame[c].astype("category")
        )
        for c in ("measure", "informant", "scale", "version", "timepoint")
    }
    ids = kept(frame["case_id"].astype(object).to_numpy())
    if (
        len(ids) and pd.Series(ids).is_monotonic_increasing
    ):  # as scores() gives them: codes without hashing
        starts = np.r_[True, ids[1:] != ids[:-1]]
        case_codes, case_ids = np.cumsum(starts, dtype=np.int64) - 1, ids[starts]
        del starts
    else:
        case_codes, case_ids = pd.factorize(ids, sort=True)
    del ids
    value = kept(value)
    day = kept(pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[ns]")).view(np.int64)
    rank = _timepoint_rank(cols["timepoint"])
    nm, ni, ns = (len(cols[c].cat.categories) for c in ("measure", "informant", "scale"))
    series = case_codes.astype(np.int64) * (nm * ni * ns)
    del case_codes
    series += (
        cols["measure"].cat.codes.to_numpy().astype(np.int64) * ni
        + cols["informant"].cat.codes.to_numpy()
    ) * ns + cols["scale"].cat.codes.to_numpy()
    order = np.lexsort((day, rank, series))
    series = series[order]
    rank = rank[order]
    is_base = rank == 0
    # baseline: the first "baseline" row of each series (earliest by date)
    base_rows, base_series = order[is_base], series[is_base]
    first = _starts(base_series)  # sorted: the first of each run, no hashing
    base_rows, base_series = base_rows[first], base_series[first]
    # follow-ups: every later row, or the last of each series
    follow_rows, follow_series = order[~is_base], series[~is_base]
    if to == "latest":
        last = (
            np.flatnonzero(np.r_[follow_series[1:] != follow_series[:-1], True])
            if len(follow_series)
            else np.zeros(0, int)
        )
        follow_rows, follow_series = follow_rows[last], follow_series[last]
        out_series = series[_starts(series)]
        at = np.searchsorted(follow_series, out_series)
        has_follow = (
            (at < len(follow_series))
            & (follow_series[np.minimum(at, len(follow_series) - 1)] == out_series)
            if len(follow_series)
            else np.zeros(len(out_series), dtype=bool)
        )
        rows = (
            np.where(has_follow, follow_rows[np.minimum(at, max(len(follow_rows) - 1, 0))], -1)
            if len(follow_rows)
            else np.full(len(out_series), -1)
        )
    else:
        out_series, rows = follow_series, follow_rows
    at = np.searchsorted(base_series, out_series)
    has_base = (
        (at < len(base_series))
        & (base_series[np.minimum(at, max(len(base_series) - 1, 0))] == out_series)
        if len(base_series)
        else np.zeros(len(out_series), dtype=bool)
    )
    brows = (
        np.where(has_base, base_rows[np.minimum(at, max(len(base_rows) - 1, 0))], -1)
        if len(base_rows)
        else np.full(len(out_series), -1)
    )

    del series, rank, is_base, order

    def pick(a: np.ndarray, at_rows: np.ndarray, missing: Any) -> np.ndarray:
        got = a[np.maximum(at_rows, 0)] if len(a) else np.full(len(at_rows), missing)
        return np.where(at_rows >= 0, got, missing)

    def pick_cat(c: str, at_rows: np.ndarray) -> pd.Categorical:
        codes = pick(cols[c].cat.codes.to_numpy().astype(np.int32), at_rows, -1)
        return pd.Categorical.from_codes(codes, categories=cols[c].cat.categories)

    fam_out = out_series % (nm * ni * ns)
    s_out, mi = fam_out % ns, fam_out // ns
    i_out, m_out = mi % ni, mi // ni
    pre, post = pick(value, brows, np.nan), pick(value, rows, np.nan)
    paired = ~np.isnan(pre) & ~np.isnan(post)
    diff = np.where(paired, post - pre, np.nan)

    cat_m, cat_i, cat_s = (cols[c].cat.categories for c in ("measure", "informant", "scale"))
    threshold = np.full(len(out_series), np.nan)
    sdiff = np.full(len(out_series), np.nan)
    points = np.full(len(out_series), np.nan)
    sign = np.zeros(len(out_series))
    sources: list[str] = []
    source_code = np.zeros(len(out_series), dtype=np.int32)
    for idx in _groups(fam_out):  # a few families: measure, informant, scale
        f = fam_out[idx[0]]
        d, r, sd, pts, src = _constants(
            str(cat_m[m_out[idx[0]]]), str(cat_s[s_out[idx[0]]]), str(cat_i[i_out[idx[0]]]), team
        )
        del f
        sign[idx] = 1.0 if d == "higher" else -1.0
        if src not in sources:
            sources.append(src)
        source_code[idx] = sources.index(src)
        if pts is not None:
            points[idx] = threshold[idx] = pts
        elif r is not None and sd is not None:
            sdiff[idx] = np.sqrt(2.0) * sd * np.sqrt(1.0 - r)
            threshold[idx] = z * sdiff[idx]
    directed = sign * diff
    with np.errstate(invalid="ignore", divide="ignore"):
        rci = np.where(np.isnan(sdiff), np.nan, diff / sdiff)
    by_rci = ~np.isnan(sdiff) & paired
    by_points = ~np.isnan(points) & paired
    improved = (by_rci & (sign * rci > z)) | (by_points & (directed >= points))
    worse = (by_rci & (sign * rci < -z)) | (by_points & (directed <= -points))
    known = by_rci | by_points
    rc = np.where(improved, 0, np.where(worse, 2, 1)).astype(np.int8)
    rc[~known] = -1

    # Clinical cut-off: the same on both forms, else none (reliable change only).
    v_codes = cols["version"].cat.codes.to_numpy().astype(np.int64)
    nv = len(cols["version"].cat.categories)
    vb, vf = pick(v_codes, brows, -1), pick(v_codes, rows, -1)
    cutoff = np.full(len(out_series), np.nan)
    forms = (fam_out * (nv + 1) + (vb + 1)) * (nv + 1) + (vf + 1)
    versions = cols["version"].cat.categories
    for idx in _groups(forms):
        j = idx[0]
        if vb[j] < 0 or vf[j] < 0:
            continue
        mm, ss, ii = str(cat_m[m_out[j]]), str(cat_s[s_out[j]]), str(cat_i[i_out[j]])
        cb, cf = _cutoff(mm, ss, ii, versions[vb[j]]), _cutoff(mm, ss, ii, versions[vf[j]])
        if cb is not None and cb == cf:
            cutoff[idx] = cb
    has_cut = ~np.isnan(cutoff)
    clinical_pre = has_cut & (-sign * pre > -sign * cutoff)  # beyond the cut-off on the worse side
    functional_post = has_cut & (-sign * post < -sign * cutoff)
    # categories: Recovered 0, Improved 1, Unchanged 2, Deteriorated 3, Harmed 4 (CATEGORIES)
    category = np.where(rc == 0, 1, np.where(rc == 2, 3, 2)).astype(np.int8)
    category[(rc == 0) & clinical_pre & functional_post] = 0
    category[(rc == 2) & ~clinical_pre & ~functional_post & has_cut] = 4
    category[(rc < 0) | ~paired] = -1

    def ints(a: np.ndarray) -> pd.arrays.IntegerArray:
        missing = np.isnan(a)
        return pd.arrays.IntegerArray(np.where(missing, 0, a).astype(np.int64), missing)

    case_out = np.asarray(case_ids, dtype=object)[out_series // (nm * ni * ns)]
    out = pd.DataFrame(
        {
            "case_id": pd.array(case_out, dtype="string"),
            "measure": pd.Categorical.from_codes(m_out.astype(np.int32), categories=cat_m),
            "informant": pd.Categorical.from_codes(i_out.astype(np.int32), categories=cat_i),
            "scale": pd.Categorical.from_codes(s_out.astype(np.int32), categories=cat_s),
            "baseline_date": pick(day, brows, np.iinfo(np.int64).min).view("datetime64[ns]"),
            "baseline_version": pick_cat("version", brows),
            "baseline_value": ints(pre),
            "date": pick(day, rows, np.iinfo(np.int64).min).view("datetime64[ns]"),
            "timepoint": pick_cat("timepoint", rows),
            "version": pick_cat("version", rows),
            "value": ints(post),
            "paired": paired,
            "difference": pd.array(diff, dtype="Float64"),
            "threshold": threshold,
            "rci": rci,
            "reliable_change": pd.Categorical.from_codes(rc, categories=list(RELIABLE_CHANGE)),
            "clinical_cutoff": cutoff,
            "category": pd.Categorical.from_codes(
                category, categories=list(CATEGORIES), ordered=True
            ),
            "constants_source": pd.Categorical.from_codes(source_code, categories=sources).astype(
                "string"
            )
            if sources
            else pd.array([], dtype="string"),
        }
    )
    return out[list(CHANGE_COLUMNS)]


def _constants(
    measure: str, scale: str, informant: str, team: MeasureConstants | None
) -> tuple[str, float | None, float | None, float | None, str]:
    """(better, r, sd, points, source) of one scale: the team's, else the definition's."""
    from ..measures.definition import load_measure

    try:
        better = str(load_measure(measure).better(scale))
    except (TswtError, KeyError):
        return "lower", None, None, None, f"no definition of {measure} {scale}"
    c = team.lookup(measure, scale, informant) if team is not None else None
    if c is not None:
        return better, c.r, c.sd, c.points, c.source
    try:
        from ..measures.service import definition_constants

        r, sd, _b = definition_constants(measure, scale, informant)
        return better, r, sd, None, "the measure's definition"
    except (TswtError, LookupError) as exc:
        return better, None, None, None, f"no reliable-change constants: {str(exc).splitlines()[0]}"


def _cutoff(measure: str, scale: str, informant: str, version: Any) -> float | None:
    from ..measures.outcomes import clinical_cutoff_value

    if version is None or (not isinstance(version, str) and pd.isna(version)):
        return None
    return clinical_cutoff_value(measure, scale, informant, version=str(version))


# --- goals and the caseload -------------------------------------------------------------------


def _record_parts(store: CaseStore, paths: dict[str, str]) -> list[tuple[Any, ...]]:
    """(case_id, *parts) of every case: each part the JSON text at a path of the record
    (None where absent), by case id. SQLite and PostgreSQL extract it in the database;
    elsewhere each record is parsed."""
    import sqlalchemy as sa

    from ..store import engine as dialect
    from ..store import schema

    c = schema.cases.c
    name = store.engine.dialect.name
    cols: list[Any]
    if name == "sqlite":
        cols = [sa.func.json_extract(c.record, "$." + p) for p in paths.values()]
        # json_extract returns SQL values for scalars and JSON text for objects and arrays
        q = sa.select(c.case_id, *cols).order_by(c.case_id)
        with store.engine.connect() as conn:
            return dialect.fetch_tuples(conn, q)
    if name == "postgresql":
        # the paths are this module's constants, never a caller's text
        cols = [
            sa.literal_column(f"CAST(cases.record AS JSON) #>> '{{{p.replace('.', ',')}}}'")
            for p in paths.values()
        ]
        q = sa.select(c.case_id, *cols).order_by(c.case_id)
        with store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(q)]
    out = []  # pragma: no cover - another database
    with store.engine.connect() as conn:
        for case_id, text in conn.execute(sa.select(c.case_id, c.record).order_by(c.case_id)):
            record = json.loads(text)
            parts = []
            for p in paths.values():
                node: Any = record
                for key in p.split("."):
                    node = node.get(key) if isinstance(node, dict) else None
                parts.append(json.dumps(node) if isinstance(node, (dict, list)) else node)
            out.append((case_id, *parts))
    return out


def goals(store: CaseStore) -> pd.DataFrame:
    """The goals agreed with each child: one row per case and goal.

    Returns
    -------
    DataFrame
        ``case_id`` and ``description`` (string), ``number`` (``Int64``, 1-3: the GBO's
        ``goal_N`` scale) and ``agreed`` (``datetime64``). Progress ratings are the
        ``gbo`` rows of :func:`scores` and :func:`change` (scale ``goal_1`` ...).
    """
    _check_store(store, "goals()")
    rows = []
    for case_id, text in _record_parts(store, {"goals": "goals"}):
        if text:
            for g in json.loads(text) if isinstance(text, str) else text:
                rows.append((case_id, g.get("number"), g.get("description"), g.get("agreed")))
    frame = pd.DataFrame(rows, columns=["case_id", "number", "description", "agreed"])
    return pd.DataFrame(
        {
            "case_id": frame["case_id"].astype("string"),
            "number": frame["number"].astype("Int64"),
            "description": frame["description"].astype("string"),
            "agreed": pd.to_datetime(frame["agreed"]).astype("datetime64[ns]"),
        }
    )


def caseload(
    store: CaseStore, as_of: date | str | None = None, worker: str | None = None
) -> pd.DataFrame:
    """The caseload as of a date, with the decided wave and stage.

    Parameters
    ----------
    store : CaseStore
    as_of : date or ISO text, optional
        Default today.
    worker : str, optional
        Only this worker's cases.

    Returns
    -------
    DataFrame
        :meth:`CaseStore.caseload`'s columns (state, screening due, days to due, ...)
        with text as ``string`` and ``state`` a categorical, then ``wave`` and ``stage``
        (``Int64``: as decided, the worker's overrides applied; NA where no
        recommendation was made), ``wave_overridden`` and ``stage_overridden`` (bool).
    """
    _check_store(store, "caseload()")
    frame = store.caseload(as_of=as_of, worker=worker)
    parts = _record_parts(
        store,
        {
            "wave": "formulation.recommendation.wave",
            "stage": "formulation.recommendation.stage",
            "overrides": "formulation.decision.overrides",
        },
    )
    wave: dict[str, Any] = {}
    stage: dict[str, Any] = {}
    over_w: dict[str, bool] = {}
    over_s: dict[str, bool] = {}
    for case_id, w, s, overrides in parts:
        wave[case_id], stage[case_id] = w, s
        for o in json.loads(overrides) if isinstance(overrides, str) and overrides else []:
            if o.get("part") == "wave":
                wave[case_id], over_w[case_id] = o.get("value"), True
            elif o.get("part") == "stage":
                stage[case_id], over_s[case_id] = o.get("value"), True
    ids = frame["case_id"].astype(object)
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].astype("string")
    out["state"] = out["state"].astype("category")
    out["wave"] = pd.array([_int(wave.get(i)) for i in ids], dtype="Int64")
    out["stage"] = pd.array([_int(stage.get(i)) for i in ids], dtype="Int64")
    out["wave_overridden"] = np.array([over_w.get(i, False) for i in ids], dtype=bool)
    out["stage_overridden"] = np.array([over_s.get(i, False) for i in ids], dtype=bool)
    return out


def _int(value: Any) -> Any:
    if value is None:
        return pd.NA
    return int(value)


# --- the SDQ Added Value Score and informants side by side ------------------------------------


def _administrations(
    store_or_scores: CaseStore | pd.DataFrame, where: str, as_of: date | str | None
) -> pd.DataFrame:
    """SDQ administrations, one row each, the scales as columns, from :func:`scores`."""
    if isinstance(store_or_scores, pd.DataFrame):
        frame = store_or_scores
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise ScoringError(
                [
                    Problem(
                        where,
                        c,
                        f"column {c!r} is missing (a frame like tswt.analysis.scores() "
                        f"gives: {', '.join(_REQUIRED)})",
                    )
                    for c in missing
                ]
            )
        day = _as_day(as_of, where)
        if day is not None:
            frame = frame[pd.to_datetime(frame["date"]) <= pd.Timestamp(day)]
    else:
        _check_store(store_or_scores, where)
        frame = scores(store_or_scores, measure="sdq", as_of=as_of)
    frame = frame[frame["measure"].astype(object) == "sdq"]
    keys = ["case_id", "informant", "version", "date", "timepoint"] + (
        ["age"] if "age" in frame.columns else []
    )
    long = frame[[*keys, "scale", "value"]].astype({k: object for k in keys if k != "date"})
    long = long.assign(scale=long["scale"].astype(object), value=long["value"].astype(float))
    long = long.fillna({k: "" for k in keys if k != "date"}).drop_duplicates([*keys, "scale"])
    wide = long.set_index([*keys, "scale"])["value"].unstack("scale").reset_index()
    wide.columns.name = None
    for k in keys:
        if k != "date":
            wide[k] = wide[k].replace("", np.nan)
    return wide


def added_value(
    store_or_scores: CaseStore | pd.DataFrame, *, as_of: date | str | None = None
) -> pd.DataFrame:
    """Each child's SDQ Added Value Score (Ford et al., 2009), or why it does not apply.

    Parameters
    ----------
    store_or_scores : CaseStore or DataFrame
        A store (its :func:`scores` are read), or a frame shaped like :func:`scores`'.
    as_of : date or ISO text, optional
        Ignore administrations after this day; a child whose 4-8 month window is still
        open on it is "not yet" rather than "not applicable".

    Returns
    -------
    DataFrame
        One row per child with an SDQ (columns
        :data:`~tswt_formulation.measures.added_value.AVS_COLUMNS`): ``applies`` (bool)
        and ``reason`` (string, why not); baseline date, form (string), total, impact
        and emotional (``Int64``); the chosen follow-up's date, ``followup_months``
        (float) and total; ``predicted``, ``avs``, its 95% interval ``low``-``high``
        (AVS +/- 9.8) and ``effect_size`` (AVS / 5) as floats. The service's mean:
        :func:`~tswt_formulation.measures.added_value.service_added_value`.

    Notes
    -----
    AVS = 2.3 + 0.8 x baseline total + 0.2 x baseline impact - 0.3 x baseline emotional
    - follow-up total, from the parent/carer SDQ (standard form P4-17, with the impact
    supplement) at baseline and the follow-up nearest 6 months within 4-8 months.
    Positive: more improvement than predicted. One child's 95% interval is about +/- 10
    points: never read a child's AVS without it (docs/change.md).

    Examples
    --------
    >>> import pandas as pd, tswt_formulation as tswt
    >>> s = pd.DataFrame({"case_id": "TSW-000001", "measure": "sdq", "informant": "parent",
    ...                   "version": "P4-17", "date": pd.to_datetime(["2026-01-05"] * 3 + ["2026-07-06"]),
    ...                   "timepoint": ["baseline"] * 3 + ["review 2"],
    ...                   "scale": ["total", "impact", "emotional", "total"], "value": [20, 4, 6, 14]})
    >>> a = tswt.analysis.added_value(s)
    >>> bool(a.loc[0, "applies"]), a.loc[0, ["followup_months", "avs", "low", "high"]].astype(float).round(1).tolist()
    (True, [6.0, 3.3, -6.5, 13.1])
    """
    from ..measures.added_value import added_value_scores

    day = _as_day(as_of, "added_value()")
    return added_value_scores(_administrations(store_or_scores, "added_value()", day), day)


def informants(
    store_or_scores: CaseStore | pd.DataFrame,
    *,
    window_days: int | None = None,
    constants: MeasureConstants | str | Path | None = None,
    as_of: date | str | None = None,
) -> pd.DataFrame:
    """SDQs of the same child from different informants near the same date, per scale.

    Parameters
    ----------
    store_or_scores : CaseStore or DataFrame
        A store, or a frame shaped like :func:`scores`'.
    window_days : int, optional
        Most days apart for two informants' SDQs to be compared (default
        ``TSWT_INFORMANT_WINDOW_DAYS``, else 30).
    constants : MeasureConstants or path, optional
        The team's reliable-change constants (default ``TSWT_MEASURE_CONSTANTS``).
    as_of : date or ISO text, optional

    Returns
    -------
    DataFrame
        Columns :data:`~tswt_formulation.measures.informants.COLUMNS`: the two
        informants (categorical) and dates, ``days_apart``, ``scale`` (categorical), the
        two values and their ``difference`` (``Int64``), ``threshold`` (float) and
        ``judgement`` ("agree", "differ", "not judged"; categorical) with ``note``.

    Notes
    -----
    Differ: the two scores are more than the scale's reliable-change threshold apart
    (strictly). Missing or illustrative constants: not judged. Disagreement often
    reflects behaviour that differs between settings (De Los Reyes et al., 2015).

    Examples
    --------
    >>> import pandas as pd, tswt_formulation as tswt
    >>> s = pd.DataFrame({"case_id": "TSW-000001", "measure": "sdq",
    ...                   "informant": ["parent", "teacher"], "version": ["P4-17", "T4-17"],
    ...                   "date": pd.to_datetime(["2026-03-02", "2026-03-20"]),
    ...                   "timepoint": "baseline", "scale": "total", "value": [24, 18]})
    >>> team = [{"measure": "sdq", "scores": ["total"], "r": 0.8, "sd": 5, "source": "worked example"}]
    >>> tswt.analysis.informants(s, constants=team)[["days_apart", "difference", "judgement"]]
       days_apart  difference judgement
    0          18           6     agree
    """
    from ..measures.constants import MeasureConstants as _Constants
    from ..measures.constants import load_constants
    from ..measures.informants import informant_comparison

    team: _Constants | None
    if constants is None or isinstance(constants, _Constants):
        team = constants
    elif isinstance(constants, list):
        team = _inline_constants(constants)
    else:
        team = load_constants(constants)
    return informant_comparison(
        _administrations(store_or_scores, "informants()", as_of), window_days, team
    )
