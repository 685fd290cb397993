""":func:`scores`: the store's scores table as a typed DataFrame, read in packed chunks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError, TswtError
from .base import _as_day, _check_store

if TYPE_CHECKING:
    from ..store.store import CaseStore


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


def _scores_given(
    store_or_scores: CaseStore | pd.DataFrame, where: str, as_of: date | str | None, **kw: Any
) -> pd.DataFrame:
    """The scores a function of this package is given: a frame like :func:`scores` gives
    (checked for its columns and cut at ``as_of``), or a store's, scored here (``kw``:
    :func:`scores`'s other arguments). ``where``: the function, for messages."""
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
        frame = scores(store_or_scores, as_of=as_of, **kw)
    return frame
