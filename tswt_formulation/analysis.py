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

from .errors import Problem, ScoringError, TswtError
from .measures.change import CATEGORIES, CRITICAL_VALUE, classify_change

if TYPE_CHECKING:
    from .measures.constants import MeasureConstants
    from .store.store import CaseStore

__all__ = ["CHANGE_COLUMNS", "SCORE_COLUMNS", "caseload", "change", "goals", "scores"]

#: Columns of :func:`scores`, in order.
SCORE_COLUMNS = ("case_id", "measure", "informant", "version", "date", "timepoint", "age", "scale", "value", "band")
#: Columns of :func:`change`, in order.
CHANGE_COLUMNS = (
    "case_id", "measure", "informant", "scale", "baseline_date", "baseline_version", "baseline_value",
    "date", "timepoint", "version", "value", "paired", "difference", "threshold", "rci", "reliable_change",
    "clinical_cutoff", "category", "constants_source",
)
RELIABLE_CHANGE = ("improved", "none", "deteriorated")


def _check_store(store: Any, where: str) -> None:
    from .store.store import CaseStore

    if not isinstance(store, CaseStore):
        raise TswtError(f"{where}: pass an open case store (tswt_formulation.open_store(path, user=...)), "
                        f"not {type(store).__name__}")


def _as_day(value: Any, where: str, field: str = "as_of") -> date | None:
    """A date from a date, a Timestamp or ISO text ("2026-01-01"); a clear error otherwise."""
    from .config import parse_day

    return parse_day(value, where, field)


# --- scores ---------------------------------------------------------------------------------


def scores(store: CaseStore, *, measure: str | Iterable[str] | None = None, as_of: date | str | None = None) -> pd.DataFrame:
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

    from .store import engine as dialect
    from .store import schema

    day = _as_day(as_of, "scores()")
    t = schema.scores.c
    q = sa.select(t.case_id, t.measure, t.version, t.informant, t.date, t.timepoint, t.age, t.scales,
                  t.scale_values).order_by(t.case_id, t.position)
    wanted = None if measure is None else ([measure] if isinstance(measure, str) else list(measure))
    if wanted is not None:
        q = q.where(sa.or_(*[t.measure == m for m in wanted]))  # plain binds: fetch_tuples runs the SQL on the driver
    if day is not None:
        q = q.where(t.date <= day)
    with store.engine.connect() as conn:
        rows = dialect.fetch_tuples(conn, q)
    return _unpack(rows)


def _unpack(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The scores table's packed rows (one per administration) as one row per scale."""
    n = len(rows)
    cols = list(zip(*rows)) if n else [()] * 9
    case_id, measure, version, informant, day, timepoint, age, scales, values = (np.asarray(c, dtype=object) for c in cols)
    admin_pos: list[np.ndarray] = []
    scale_names: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    for packed in dict.fromkeys(scales.tolist()):  # a caseload has a few distinct scale lists
        idx = np.flatnonzero(scales == packed)
        names = packed.split(",")
        k = len(names)
        flat = np.asarray(",".join(values[idx].tolist()).split(","), dtype=object)
        if len(flat) != k * len(idx):  # pragma: no cover - a row not written by store.scores
            raise TswtError(f"the store's scores table is damaged (a row's values do not match its scales {packed!r}); "
                            "rebuild it with `tswt init`")
        flat[flat == ""] = "-1"
        admin_pos.append(np.repeat(idx, k))
        scale_names.append(np.tile(np.asarray(names, dtype=object), len(idx)))
        numbers.append(flat.astype(np.int64))
    pos = np.concatenate(admin_pos) if admin_pos else np.zeros(0, dtype=np.int64)
    order = np.argsort(pos, kind="stable")  # back to the store's order: case, administration, scale
    pos = pos[order]
    scale = np.concatenate(scale_names)[order] if scale_names else np.zeros(0, dtype=object)
    number = np.concatenate(numbers)[order] if numbers else np.zeros(0, dtype=np.int64)
    value = pd.arrays.IntegerArray(number, number < 0)

    def cat(a: np.ndarray) -> pd.Categorical:
        return pd.Categorical(a).take(pos) if len(a) else pd.Categorical([])

    frame = pd.DataFrame({
        "case_id": pd.array(case_id, dtype="string")[pos] if n else pd.array([], dtype="string"),
        "measure": cat(measure),
        "informant": cat(informant),
        "version": cat(version),
        "date": pd.to_datetime(pd.Series(day, dtype=object)).to_numpy()[pos] if n else np.array([], dtype="datetime64[ns]"),
        "timepoint": cat(timepoint),
        "age": pd.array(age, dtype="Int64")[pos] if n else pd.array([], dtype="Int64"),
        "scale": pd.Categorical(scale),
        "value": value,
    })
    frame["date"] = frame["date"].astype("datetime64[ns]")
    frame["band"] = _bands(frame)
    return frame


def _bands(frame: pd.DataFrame) -> pd.Categorical:
    """The three-band category of each score on its form (NA where the form has none)."""
    from .measures.definition import load_measure

    cats: list[str] = []
    codes = np.full(len(frame), -1, dtype=np.int16)
    if not len(frame):
        return pd.Categorical([])
    keys = frame[["measure", "version", "scale"]].astype(object)
    value = frame["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    for (m, v, s), idx in keys.groupby(["measure", "version", "scale"], sort=False).indices.items():
        try:
            defn = load_measure(m)
            table = defn.version_by_id(v).bands.get("three_band", {}).get(s)
        except TswtError:
            continue
        if not table:
            continue
        x = value[idx]
        for band, (lo, hi) in table.items():
            if band not in cats:
                cats.append(band)
            inside = (x >= lo) & (x <= hi)
            codes[idx[inside]] = cats.index(band)
    return pd.Categorical.from_codes(codes, categories=cats)


# --- change ---------------------------------------------------------------------------------


def _timepoint_rank(timepoint: pd.Series) -> np.ndarray:
    from .measures.service import timepoint_rank

    cats = timepoint.cat.categories if isinstance(timepoint.dtype, pd.CategoricalDtype) else None
    if cats is not None:  # rank each category once
        ranks = timepoint_rank(pd.Series(cats, dtype=object)).to_numpy()
        return np.where(timepoint.cat.codes.to_numpy() < 0, -1, ranks[timepoint.cat.codes.to_numpy()])
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
    from .measures.constants import MeasureConstants, active_constants, load_constants

    if isinstance(store_or_scores, pd.DataFrame):
        frame = store_or_scores
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise ScoringError([Problem("change()", c, f"column {c!r} is missing (a frame like tswt.analysis.scores() "
                                        f"gives: {', '.join(_REQUIRED)})") for c in missing])
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

    from .measures.constants import MeasureConstants, _File

    try:
        parsed = _File.model_validate({"version": "given", "constants": entries})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ScoringError([Problem("change()", "constants." + ".".join(str(p) for p in err["loc"][1:]),
                                    err["msg"].removeprefix("Value error, "))]) from None
    return MeasureConstants("given", "", tuple(parsed.constants))


def _change(frame: pd.DataFrame, to: str, team: MeasureConstants | None, z: float) -> pd.DataFrame:
    keys = ["case_id", "measure", "informant", "scale"]
    f = pd.DataFrame({
        "case_id": frame["case_id"].astype("string"),
        "measure": frame["measure"].astype("category"),
        "informant": frame["informant"].astype("category"),
        "scale": frame["scale"].astype("category"),
        "version": frame["version"].astype("category"),
        "date": pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
        "timepoint": frame["timepoint"].astype("category"),
        "value": pd.to_numeric(frame["value"], errors="raise").astype("Float64").to_numpy(dtype=float, na_value=np.nan),
    })
    f["_rank"] = _timepoint_rank(f["timepoint"])
    f = f[~np.isnan(f["value"].to_numpy())]
    f = f.sort_values(keys + ["_rank", "date"], kind="stable").reset_index(drop=True)
    grp = f.groupby(keys, sort=False, observed=True)
    is_base = f["_rank"].to_numpy() == 0
    base = f[is_base].groupby(keys, sort=False, observed=True).head(1)
    base = base[keys + ["date", "version", "value"]].rename(
        columns={"date": "baseline_date", "version": "baseline_version", "value": "baseline_value"})
    follow = f[~is_base]
    if to == "latest":
        follow = follow.groupby(keys, sort=False, observed=True).tail(1)
        series = grp.head(1)[keys]
        out = series.merge(base, on=keys, how="left").merge(
            follow[keys + ["date", "timepoint", "version", "value"]], on=keys, how="left")
    else:
        out = follow[keys + ["date", "timepoint", "version", "value"]].merge(base, on=keys, how="left")
    for c in ("measure", "informant", "scale", "version", "baseline_version", "timepoint"):
        out[c] = out[c].astype("category")
    pre = out["baseline_value"].to_numpy(dtype=float)
    post = out["value"].to_numpy(dtype=float)
    paired = ~np.isnan(pre) & ~np.isnan(post)
    diff = np.where(paired, post - pre, np.nan)

    # Constants and direction per measure, scale and informant (a few distinct).
    fam = out[["measure", "scale", "informant"]].astype(object)
    threshold = np.full(len(out), np.nan)
    sdiff = np.full(len(out), np.nan)
    points = np.full(len(out), np.nan)
    sign = np.zeros(len(out))
    source = np.full(len(out), "", dtype=object)
    for (m, s, i), idx in fam.groupby(["measure", "scale", "informant"], sort=False).indices.items():
        d, r, sd, pts, src = _constants(m, s, i, team)
        sign[idx] = 1.0 if d == "higher" else -1.0
        source[idx] = src
        if pts is not None:
            points[idx] = pts
            threshold[idx] = pts
        elif r is not None and sd is not None:
            sdiff[idx] = np.sqrt(2.0) * sd * np.sqrt(1.0 - r)
            threshold[idx] = z * sdiff[idx]
    directed = sign * diff
    rci = np.where(np.isnan(sdiff), np.nan, diff / sdiff)
    by_rci = ~np.isnan(sdiff) & paired
    by_points = ~np.isnan(points) & paired
    improved = (by_rci & (sign * rci > z)) | (by_points & (directed >= points))
    worse = (by_rci & (sign * rci < -z)) | (by_points & (directed <= -points))
    known = by_rci | by_points
    rc = np.where(improved, 0, np.where(worse, 2, 1)).astype(np.int8)
    rc[~known] = -1
    out["paired"] = paired
    out["difference"] = diff
    out["threshold"] = threshold
    out["rci"] = rci
    out["reliable_change"] = pd.Categorical.from_codes(rc, categories=list(RELIABLE_CHANGE))

    # Clinical cut-off: the same on both forms, else none (reliable change only).
    cutoff = np.full(len(out), np.nan)
    forms = out[["measure", "scale", "informant", "baseline_version", "version"]].astype(object)
    for (m, s, i, vb, vf), idx in forms.groupby(["measure", "scale", "informant", "baseline_version", "version"],
                                                 sort=False, dropna=True).indices.items():
        cb, cf = _cutoff(m, s, i, vb), _cutoff(m, s, i, vf)
        if cb is not None and cb == cf:
            cutoff[idx] = cb
    has_cut = ~np.isnan(cutoff)
    clinical_pre = has_cut & (-sign * pre > -sign * cutoff)  # beyond the cut-off on the worse side
    functional_post = has_cut & (-sign * post < -sign * cutoff)
    rc_text = np.asarray(RELIABLE_CHANGE, dtype=object)[np.maximum(rc, 0)]
    rc_text[rc < 0] = None
    category = np.where(has_cut, classify_change(rc_text, clinical_pre, functional_post), classify_change(rc_text))
    category[(rc < 0) | ~paired] = None
    out["clinical_cutoff"] = cutoff
    out["category"] = pd.Categorical(category, categories=list(CATEGORIES), ordered=True)
    out["constants_source"] = pd.array(source, dtype="string")
    for c in ("difference", "baseline_value", "value"):
        out[c] = pd.array(out[c].to_numpy(dtype=float), dtype="Float64").round().astype("Int64") if c != "difference" \
            else pd.array(out[c].to_numpy(dtype=float), dtype="Float64")
    return out[list(CHANGE_COLUMNS)].reset_index(drop=True)


def _constants(measure: str, scale: str, informant: str, team: MeasureConstants | None
               ) -> tuple[str, float | None, float | None, float | None, str]:
    """(better, r, sd, points, source) of one scale: the team's, else the definition's."""
    from .measures.definition import load_measure

    try:
        better = str(load_measure(measure).better(scale))
    except (TswtError, KeyError):
        return "lower", None, None, None, f"no definition of {measure} {scale}"
    c = team.lookup(measure, scale, informant) if team is not None else None
    if c is not None:
        return better, c.r, c.sd, c.points, c.source
    try:
        from .measures.service import definition_constants

        r, sd, _b = definition_constants(measure, scale, informant)
        return better, r, sd, None, "the measure's definition"
    except (TswtError, LookupError) as exc:
        return better, None, None, None, f"no reliable-change constants: {str(exc).splitlines()[0]}"


def _cutoff(measure: str, scale: str, informant: str, version: Any) -> float | None:
    from .measures.outcomes import clinical_cutoff_value

    if version is None or (not isinstance(version, str) and pd.isna(version)):
        return None
    return clinical_cutoff_value(measure, scale, informant, version=str(version))


# --- goals and the caseload -------------------------------------------------------------------


def _record_parts(store: CaseStore, paths: dict[str, str]) -> list[tuple[Any, ...]]:
    """(case_id, *parts) of every case: each part the JSON text at a path of the record
    (None where absent), by case id. SQLite and PostgreSQL extract it in the database;
    elsewhere each record is parsed."""
    import sqlalchemy as sa

    from .store import engine as dialect
    from .store import schema

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
        cols = [sa.literal_column(f"CAST(cases.record AS JSON) #>> '{{{p.replace('.', ',')}}}'") for p in paths.values()]
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
            for g in (json.loads(text) if isinstance(text, str) else text):
                rows.append((case_id, g.get("number"), g.get("description"), g.get("agreed")))
    frame = pd.DataFrame(rows, columns=["case_id", "number", "description", "agreed"])
    return pd.DataFrame({
        "case_id": frame["case_id"].astype("string"),
        "number": frame["number"].astype("Int64"),
        "description": frame["description"].astype("string"),
        "agreed": pd.to_datetime(frame["agreed"]).astype("datetime64[ns]"),
    })


def caseload(store: CaseStore, as_of: date | str | None = None, worker: str | None = None) -> pd.DataFrame:
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
    parts = _record_parts(store, {"wave": "formulation.recommendation.wave", "stage": "formulation.recommendation.stage",
                                  "overrides": "formulation.decision.overrides"})
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
