"""Goals, the caseload, the SDQ Added Value Score and informants compared, per case."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .base import _as_day, _check_store
from .reliable_change import _inline_constants
from .score_table import _scores_given

if TYPE_CHECKING:
    from ..measures.constants import MeasureConstants
    from ..store.store import CaseStore


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


def _administrations(
    store_or_scores: CaseStore | pd.DataFrame, where: str, as_of: date | str | None
) -> pd.DataFrame:
    """SDQ administrations, one row each, the scales as columns, from :func:`scores`."""
    frame = _scores_given(store_or_scores, where, as_of, measure="sdq")
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
