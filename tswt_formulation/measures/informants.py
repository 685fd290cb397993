"""Where informants disagree: a child's SDQs from parent/carer, teacher and self-report
completed near the same date, side by side per scale.

Two administrations of different informants pair when they are at most the team's window
apart (``TSWT_INFORMANT_WINDOW_DAYS``, default 30 days; :func:`~tswt_formulation.config.
informant_window_days`). Each administration pairs at most once with each other informant:
the nearest in date first (on a tie, the earlier). Per scale the two scores, their
difference and a judgement: the informants **differ** when the difference is strictly more
than the scale's reliable-change threshold (the larger of the two informants', when they
differ), **agree** when it is not. Where either informant's constants are missing or
illustrative (the demo's), the pair is **not judged**: nothing is guessed.

Informants agree only modestly (mean r = .28 over 341 studies; De Los Reyes et al., 2015),
and a disagreement often means the child behaves differently at home, at school and as
they see themselves, not that one informant is wrong. See docs/change.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..words import INFORMANT_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from .constants import MeasureConstants

#: The scales compared (impact is not: the teacher's is 0-6, the others' 0-10).
SCALES = ("total", "emotional", "conduct", "hyperactivity", "peer", "prosocial")
#: Pairs in this order (the first named is "a", the second "b").
INFORMANT_ORDER = ("parent", "teacher", "self")
#: Columns of :func:`informant_comparison`, in order.
COLUMNS = (
    "case_id",
    "informant_a",
    "date_a",
    "informant_b",
    "date_b",
    "days_apart",
    "scale",
    "value_a",
    "value_b",
    "difference",
    "threshold",
    "judgement",
    "note",
)
JUDGEMENTS = ("agree", "differ", "not judged")

REMINDER = (
    "Informants often disagree (mean r = .28 over 341 studies; De Los Reyes et al., 2015). A "
    "difference usually means the child behaves differently at home, at school and as they see "
    "themselves, not that one informant is wrong: ask what each sees and where."
)


def _threshold(
    scale: str, informant: str, team: MeasureConstants | None, z: float
) -> tuple[float | None, str]:
    """(raw points, "") of one informant's scale, or (None, why not judged)."""
    from .change import reliable_change_threshold

    who = INFORMANT_LABELS.get(informant, informant).lower()
    c = team.lookup("sdq", scale, informant) if team is not None else None
    if c is not None:
        illustrative = "ILLUSTRATIVE" in (c.source or "").upper() or (
            team is not None and "illustrative" in team.version.lower()
        )
        if illustrative:
            return None, f"only illustrative constants|{who}"
        if c.points is not None:
            return float(c.points), ""
        if c.r is not None and c.sd is not None:
            return reliable_change_threshold(c.sd, c.r, z), ""
    try:
        from .service import definition_constants

        r, sd, _better = definition_constants("sdq", scale, informant)
        return reliable_change_threshold(sd, r, z), ""
    except Exception:  # noqa: BLE001 - unconfirmed in the definition: not judged
        return None, f"no reliable-change constants|{who}"


def informant_comparison(
    administrations: pd.DataFrame,
    window_days: int | None = None,
    constants: MeasureConstants | None = None,
    critical_value: float = 1.959964,
) -> pd.DataFrame:
    """A child's SDQs from different informants near the same date, side by side.

    Parameters
    ----------
    administrations : DataFrame
        One row per SDQ administration: ``case_id``, ``informant``, ``date`` and the
        scale columns of :data:`SCALES` (missing where not scored). A ``measure`` column,
        if present, selects ``"sdq"`` rows.
    window_days : int, optional
        Most days apart for two administrations to pair (default the team's setting,
        ``TSWT_INFORMANT_WINDOW_DAYS``, else 30). The edge counts.
    constants : MeasureConstants, optional
        The team's reliable-change constants (default ``TSWT_MEASURE_CONSTANTS``).
    critical_value : float, default 1.959964

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, one row per pair and scale both informants scored:
        ``difference`` = value_a - value_b; ``threshold`` the raw points a difference
        must exceed; ``judgement`` "agree", "differ" or "not judged" (categorical),
        ``note`` why not judged.

    Notes
    -----
    Differ: \\|value_a - value_b\\| > threshold, strictly ("more than"), the threshold
    the larger of the two informants' reliable-change thresholds,
    z x sqrt(2) x SD x sqrt(1 - r) (Jacobson & Truax, 1991), or a raw-points constant.

    References
    ----------
    De Los Reyes, A., Augenstein, T. M., Wang, M. et al. (2015). The validity of the
    multi-informant approach to assessing child and adolescent mental health.
    *Psychol Bull* 141(4):858-900.

    Examples
    --------
    A carer and a teacher a week apart; a threshold of 6.2 points (r 0.80, SD 5):

    >>> import pandas as pd
    >>> from tswt_formulation.measures.constants import MeasureConstants, _Entry
    >>> team = MeasureConstants("team", "", (_Entry(measure="sdq", scores=["total"], r=0.8, sd=5,
    ...                                             source="a worked example"),))
    >>> a = pd.DataFrame({"case_id": "TSW-000001", "informant": ["parent", "teacher"],
    ...                   "date": pd.to_datetime(["2026-03-02", "2026-03-09"]), "total": [24, 15]})
    >>> informant_comparison(a, 30, team)[["scale", "value_a", "value_b", "difference", "judgement"]]
       scale  value_a  value_b  difference judgement
    0  total       24       15           9    differ
    """
    import numpy as np
    import pandas as pd

    from .constants import active_constants

    window = window_days
    if window is None:
        from ..config import informant_window_days

        window = informant_window_days()
    team = constants if constants is not None else active_constants()
    df = administrations
    if "measure" in df.columns:
        df = df[df["measure"].astype(object) == "sdq"]
    scales = [s for s in SCALES if s in df.columns]
    df = df.assign(
        case_id=df["case_id"].astype(str),
        informant=df["informant"].astype(object),
        date=pd.to_datetime(df["date"]),
    )[["case_id", "informant", "date", *scales]].reset_index(drop=True)
    df["row"] = np.arange(len(df))

    pairs = []
    for i, a in enumerate(INFORMANT_ORDER):
        for b in INFORMANT_ORDER[i + 1 :]:
            left = df[df["informant"] == a]
            right = df[df["informant"] == b]
            if left.empty or right.empty:
                continue
            m = left.merge(right, on="case_id", suffixes=("_a", "_b"))
            m["days_apart"] = (m["date_b"] - m["date_a"]).dt.days.abs()
            m = m[m["days_apart"] <= window]
            # nearest first; each administration used once per other informant
            m = m.sort_values(["case_id", "days_apart", "date_a", "date_b"], kind="stable")
            m = _one_to_one(m)
            pairs.append(m)
    if not pairs:
        return _empty()
    p = pd.concat(pairs, ignore_index=True)
    long_parts = []
    for s in scales:
        part = p[["case_id", "informant_a", "date_a", "informant_b", "date_b", "days_apart"]].copy()
        part["scale"] = s
        part["value_a"] = pd.to_numeric(p[f"{s}_a"], errors="coerce").astype(float)
        part["value_b"] = pd.to_numeric(p[f"{s}_b"], errors="coerce").astype(float)
        long_parts.append(part)
    out = pd.concat(long_parts, ignore_index=True)
    out = out[out["value_a"].notna() & out["value_b"].notna()].reset_index(drop=True)
    if out.empty:
        return _empty()
    out["difference"] = out["value_a"] - out["value_b"]

    # one threshold per informant pair and scale, looked up once
    keys = out[["informant_a", "informant_b", "scale"]].drop_duplicates()
    found: dict[tuple[str, str, str], tuple[float | None, str]] = {}
    for ia, ib, s in keys.itertuples(index=False):
        ta, why_a = _threshold(s, ia, team, critical_value)
        tb, why_b = _threshold(s, ib, team, critical_value)
        if ta is None or tb is None:
            found[(ia, ib, s)] = (None, _not_judged(s, why_a, why_b))
        else:
            found[(ia, ib, s)] = (max(ta, tb), "")
    key = list(zip(out["informant_a"], out["informant_b"], out["scale"], strict=True))
    out["threshold"] = [np.nan if found[k][0] is None else found[k][0] for k in key]
    out["note"] = [found[k][1] for k in key]
    judged = out["threshold"].notna()
    differ = out["difference"].abs() > out["threshold"]
    out["judgement"] = np.where(~judged, "not judged", np.where(differ, "differ", "agree"))
    return _typed(out)


def _not_judged(scale: str, *whys: str) -> str:
    """ "not judged: no reliable-change constants for parent/carer and teacher emotional"
    (each why is "reason|informant"; empty where that informant has constants)."""
    by_reason: dict[str, list[str]] = {}
    for why in whys:
        if why:
            reason, _, who = why.partition("|")
            by_reason.setdefault(reason, []).append(who)
    return "not judged: " + "; ".join(
        f"{reason} for {' and '.join(who)} {scale}" for reason, who in by_reason.items()
    )


def _one_to_one(m: pd.DataFrame) -> pd.DataFrame:
    """Greedy nearest-first matching: keep a pair only if neither administration is
    already used (rows come nearest first)."""
    import numpy as np

    used_a: set[int] = set()
    used_b: set[int] = set()
    keep = []
    for ra, rb in zip(m["row_a"].to_numpy(), m["row_b"].to_numpy(), strict=True):
        if ra in used_a or rb in used_b:
            keep.append(False)
            continue
        used_a.add(int(ra))
        used_b.add(int(rb))
        keep.append(True)
    return m[np.asarray(keep, dtype=bool)]


def _empty() -> pd.DataFrame:
    import pandas as pd

    return _typed(pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = frame.reindex(columns=list(COLUMNS)).copy()
    out["case_id"] = out["case_id"].astype("string")
    for c in ("informant_a", "informant_b"):
        out[c] = pd.Categorical(out[c], categories=list(INFORMANT_ORDER))
    out["scale"] = pd.Categorical(out["scale"], categories=list(SCALES))
    for c in ("date_a", "date_b"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    for c in ("days_apart", "value_a", "value_b", "difference"):
        out[c] = pd.array(
            [pd.NA if pd.isna(v) else int(v) for v in out[c].astype(object)], dtype="Int64"
        )
    out["threshold"] = out["threshold"].astype(float)
    out["judgement"] = pd.Categorical(out["judgement"], categories=list(JUDGEMENTS))
    out["note"] = out["note"].fillna("").astype("string")
    return out.sort_values(
        ["case_id", "date_a", "informant_a", "informant_b", "scale"], kind="stable"
    ).reset_index(drop=True)


def judgement_words(row: Any) -> str:
    """The judgement of one row in the team's words."""
    j = str(row["judgement"])
    if j == "not judged":
        return str(row["note"]) or "not judged"
    t = float(row["threshold"])
    d = abs(int(row["difference"]))
    apart = f"{d} point{'' if d == 1 else 's'} apart"
    if j == "differ":
        return f"differ: {apart}, more than the {t:.1f} of reliable change"
    return f"agree: {apart}, within the {t:.1f} of reliable change"
