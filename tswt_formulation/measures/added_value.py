"""The SDQ Added Value Score (Ford et al., 2009; youthinmind's note on added value).

For a child whose parent or carer completed the standard SDQ with its impact supplement
at baseline and again about six months later::

    AVS = 2.3 + 0.8 x T1 total + 0.2 x T1 impact - 0.3 x T1 emotional - T2 total

The first four terms are the follow-up total difficulties predicted from the baseline (a
regression on the 2004 British child mental health survey's six-month follow-up of 604
children with a disorder or whose parents had sought help), so the AVS is the predicted
minus the observed follow-up total: positive is more improvement than predicted. Dividing
by the SD of 5 gives an effect size. The 95% interval for one child is about +/- 10
points (1.96 x 5 = 9.8), too wide to judge one child by: a child's AVS is only ever shown
beside it. A service's mean AVS is reported with its 95% t-interval, and only with at
least 10 pairs (CORC; Wolpert et al., 2015).

Where it does not apply, the row says why in the team's words: self or teacher report
(defined for parent/carer SDQs only), no impact supplement at baseline, a baseline form
other than the standard parent form (P4-17), no follow-up, or a follow-up outside 4-8
months after baseline. See docs/change.md.

pandas is imported where used: the light CLI never loads it through this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..words import INFORMANT_REPORTS

if TYPE_CHECKING:
    import pandas as pd

#: The regression's constant and coefficients (Ford et al., 2009; sdqinfo e10).
INTERCEPT = 2.3
B_TOTAL = 0.8
B_IMPACT = 0.2
B_EMOTIONAL = -0.3
#: youthinmind: "dividing by the standard deviation, which is 5" gives an effect size.
AVS_SD = 5.0
#: Two-sided z(0.975), as for reliable change.
Z_975 = 1.959964
#: 95% interval for one child: 1.96 x 5 = 9.8 points (youthinmind: "plus or minus 10 points").
INDIVIDUAL_HALF_WIDTH = Z_975 * AVS_SD
#: The follow-up window, in months after baseline (youthinmind: "6 months after initial
#: assessment"; the team accepts 4-8 months, inclusive, issue 23).
WINDOW_MONTHS = (4.0, 8.0)
TARGET_MONTHS = 6.0
#: A month of days (365.25 / 12), for months between two dates.
DAYS_PER_MONTH = 30.4375
#: CORC: change reported only with at least 10 paired cases (Wolpert et al., 2015).
MIN_PAIRS = 10
#: The standard parent form the formula was derived on.
PARENT_FORM = "P4-17"

#: How the reason begins while the follow-up window is still open.
PENDING = "no parent/carer SDQ 4-8 months after baseline so far"
#: Columns of :func:`added_value_scores`, in order.
AVS_COLUMNS = (
    "case_id",
    "applies",
    "reason",
    "baseline_date",
    "baseline_version",
    "baseline_total",
    "baseline_impact",
    "baseline_emotional",
    "followup_date",
    "followup_months",
    "followup_total",
    "predicted",
    "avs",
    "low",
    "high",
    "effect_size",
)


_NOT_VALIDATED_FOR_CARERS = (
    "The Added Value Score was derived on parents' SDQs of a community sample (the 2004 British "
    "child mental health survey); its use for carers' SDQs of looked-after children is not validated."
)
NOTES = (
    "Added Value Score (Ford et al., 2009): 2.3 + 0.8 x baseline total difficulties + 0.2 x baseline "
    "impact - 0.3 x baseline emotional - follow-up total difficulties, from the parent/carer SDQ at "
    "baseline (with its impact supplement) and 4-8 months later. Positive: more improvement than "
    "predicted from the baseline; negative: less (or worse). AVS / 5 is an effect size. For one child "
    "the 95% interval is about +/- 10 points, so a child's score alone says little; a service mean "
    "is reported only with at least 10 pairs. " + _NOT_VALIDATED_FOR_CARERS
)


def _months(days: Any) -> Any:
    return days / DAYS_PER_MONTH


def _months_words(m: float) -> str:
    """One decimal, or two where one would round onto the window's edge."""
    lo, hi = WINDOW_MONTHS
    one = f"{m:.1f}"
    if (m < lo and float(one) >= lo) or (m > hi and float(one) <= hi):
        return f"{m:.2f}"
    return one


def _window_words() -> str:
    lo, hi = WINDOW_MONTHS
    return f"{lo:g}-{hi:g} months"


def added_value_scores(administrations: pd.DataFrame, as_of: Any = None) -> pd.DataFrame:
    """Each child's SDQ Added Value Score, or why it does not apply.

    Parameters
    ----------
    administrations : DataFrame
        One row per SDQ administration (other measures are ignored): ``case_id``,
        ``informant`` ("parent", "teacher", "self"), ``date``, ``timepoint``,
        ``version`` (the form, may be missing), ``age`` (may be missing), and the scores
        ``total``, ``emotional`` and ``impact`` (missing where not scored). A
        ``measure`` column, if present, selects ``"sdq"`` rows.
    as_of : date, optional
        The day of the report. Where no follow-up falls 4-8 months after baseline but
        the window is still open on this day, the reason says so ("none yet: the window
        runs to 23 Mar 2027") rather than that the AVS does not apply.

    Returns
    -------
    DataFrame
        Columns :data:`AVS_COLUMNS`, one row per child with any SDQ, by case id:
        ``applies`` (bool) and ``reason`` (why not, in plain words; empty where it
        applies); the baseline's date, form and scores; the chosen follow-up's date,
        months after baseline and total; ``predicted`` (the follow-up total the formula
        expects), ``avs``, its 95% interval ``low`` - ``high`` (AVS +/- 9.8) and
        ``effect_size`` (AVS / 5).

    Notes
    -----
    Baseline: the earliest parent/carer SDQ at timepoint "baseline" with a total. It
    must be on the standard parent form (P4-17; with no form recorded, the child aged
    4-17) and have the impact supplement scored. Follow-up: of the parent/carer SDQs
    after the baseline with a total, the one nearest 6 months among those 4-8 months
    after it (a month = 365.25 / 12 days; the edges count); on a tie, the earlier.

    References
    ----------
    Ford, T., Hutchings, J., Bywater, T., Goodman, A. & Goodman, R. (2009). Strengths and
    Difficulties Questionnaire Added Value Scores: evaluating effectiveness in child
    mental health interventions. *Br J Psychiatry* 194(6):552-558. youthinmind, "Added
    value scores" (sdqinfo.org, e10).

    Examples
    --------
    Baseline total 20, impact 4, emotional 6; six months later a total of 14:
    2.3 + 16 + 0.8 - 1.8 - 14 = 3.3 points better than predicted.

    >>> import pandas as pd
    >>> from tswt_formulation.measures.added_value import added_value_scores
    >>> a = pd.DataFrame({"case_id": ["TSW-000001"] * 2, "informant": "parent",
    ...                   "date": pd.to_datetime(["2026-01-05", "2026-07-06"]),
    ...                   "timepoint": ["baseline", "review 2"], "version": "P4-17", "age": 9,
    ...                   "total": [20, 14], "emotional": [6, 3], "impact": [4, 1]})
    >>> r = added_value_scores(a).iloc[0]
    >>> [round(float(r[c]), 2) for c in ("predicted", "avs", "low", "high", "effect_size")]
    [17.3, 3.3, -6.5, 13.1, 0.66]
    """
    import numpy as np
    import pandas as pd

    df = administrations
    if "measure" in df.columns:
        df = df[df["measure"].astype(object) == "sdq"]
    for col in ("total", "emotional", "impact", "version", "age"):
        if col not in df.columns:
            df = df.assign(**{col: pd.NA})
    df = df.assign(
        case_id=df["case_id"].astype(str),
        informant=df["informant"].astype(object),
        date=pd.to_datetime(df["date"]),
        timepoint=df["timepoint"].astype(object),
        total=pd.to_numeric(df["total"], errors="coerce").astype(float),
        emotional=pd.to_numeric(df["emotional"], errors="coerce").astype(float),
        impact=pd.to_numeric(df["impact"], errors="coerce").astype(float),
        age=pd.to_numeric(df["age"], errors="coerce").astype(float),
    )
    cases = pd.Index(sorted(df["case_id"].unique()), name="case_id")
    out = pd.DataFrame(index=cases)
    if len(cases) == 0:
        return _typed(out.reset_index().reindex(columns=list(AVS_COLUMNS)))

    parent = df[(df["informant"] == "parent") & df["total"].notna()]
    base = (
        parent[parent["timepoint"] == "baseline"]
        .sort_values(["case_id", "date"], kind="stable")
        .drop_duplicates("case_id")
        .set_index("case_id")
    )
    out["baseline_date"] = base["date"]
    out["baseline_version"] = base["version"].astype(object)
    out["baseline_age"] = base["age"]
    out["baseline_total"] = base["total"]
    out["baseline_impact"] = base["impact"]
    out["baseline_emotional"] = base["emotional"]

    # every later parent/carer SDQ with a total, against its child's baseline
    later = parent.merge(
        base["date"].rename("baseline_date").reset_index(), on="case_id", how="inner"
    )
    later = later[later["date"] > later["baseline_date"]].copy()
    later["months"] = _months((later["date"] - later["baseline_date"]).dt.days.astype(float))
    lo, hi = WINDOW_MONTHS
    later["outside"] = ~later["months"].between(lo, hi)
    later["distance"] = (later["months"] - TARGET_MONTHS).abs()
    later = later.sort_values(["case_id", "outside", "distance", "date"], kind="stable")
    chosen = later.drop_duplicates("case_id").set_index("case_id")
    out["followup_date"] = chosen["date"]
    out["followup_months"] = chosen["months"]
    out["followup_total"] = chosen["total"]
    out["followup_outside"] = chosen["outside"]
    has_parent = df[df["informant"] == "parent"].groupby("case_id").size().reindex(cases).notna()

    version = out["baseline_version"]
    no_version = version.isna()
    age = out["baseline_age"]
    standard_form = (version.astype(object) == PARENT_FORM) | (
        no_version & age.between(4, 17, inclusive="both")
    )

    reasons = np.full(len(cases), "", dtype=object)
    # In order: the first reason that holds is the one given.
    checks = [
        (~has_parent.to_numpy(), "not_parent"),
        (out["baseline_date"].isna().to_numpy(), "no_baseline"),
        (~standard_form.to_numpy(), "form"),
        (out["baseline_impact"].isna().to_numpy(), "impact"),
        (out["baseline_emotional"].isna().to_numpy(), "emotional"),
        (out["followup_date"].isna().to_numpy(), "no_followup"),
        (out["followup_outside"].fillna(False).astype(bool).to_numpy(), "window"),
    ]
    kind = np.full(len(cases), "", dtype=object)
    for mask, name in checks:
        kind = np.where((kind == "") & mask, name, kind)
    window_end = out["baseline_date"] + pd.Timedelta(days=WINDOW_MONTHS[1] * DAYS_PER_MONTH)
    if as_of is not None:
        still_open = (window_end >= pd.Timestamp(as_of)).to_numpy()
        kind = np.where(np.isin(kind, ["no_followup", "window"]) & still_open, "pending", kind)
    # the words, for the children it does not apply to: only their rows are gathered
    not_parent = set(cases[kind == "not_parent"])
    informants: dict[str, set[str]] = {}
    for cid, who in df.loc[df["case_id"].isin(not_parent), ["case_id", "informant"]].itertuples(
        index=False
    ):
        informants.setdefault(cid, set()).add(who)
    outside = set(cases[kind == "window"])
    months: dict[str, list[float]] = {}
    for cid, m in (
        later.loc[later["case_id"].isin(outside), ["case_id", "date", "months"]]
        .sort_values(["case_id", "date"])[["case_id", "months"]]
        .itertuples(index=False)
    ):
        months.setdefault(cid, []).append(float(m))
    versions, ages, ids = version.to_numpy(object), age.to_numpy(float), cases.to_numpy(object)
    for i in np.flatnonzero(kind != ""):
        cid = ids[i]
        reasons[i] = _reason(
            kind[i], informants.get(cid, set()), versions[i], ages[i], months.get(cid, [])
        )
        if kind[i] == "pending":
            from ..words import uk_date

            reasons[i] = (
                f"no parent/carer SDQ {_window_words()} after baseline so far: the window runs to "
                f"{uk_date(window_end.iloc[i].date())}"
            )
    applies = kind == ""
    predicted = (
        INTERCEPT
        + B_TOTAL * out["baseline_total"]
        + B_IMPACT * out["baseline_impact"]
        + B_EMOTIONAL * out["baseline_emotional"]
    )
    avs = (predicted - out["followup_total"]).where(applies)
    out["applies"] = applies
    out["reason"] = reasons
    out["predicted"] = predicted.where(applies)
    out["avs"] = avs
    out["low"] = avs - INDIVIDUAL_HALF_WIDTH
    out["high"] = avs + INDIVIDUAL_HALF_WIDTH
    out["effect_size"] = avs / AVS_SD
    return _typed(out.reset_index()[list(AVS_COLUMNS)])


def _reason(kind: str, informants: Any, version: Any, age: Any, followups: Any) -> str:
    import pandas as pd

    if kind == "not_parent":
        order = list(INFORMANT_REPORTS)
        who = sorted(
            informants if isinstance(informants, set) else set(),
            key=lambda x: (order.index(x) if x in order else len(order), str(x)),
        )
        words = " and ".join(INFORMANT_REPORTS.get(str(x), str(x)) for x in who) or "no informant"
        return f"{words}: AVS is defined for parent/carer SDQs only"
    if kind == "no_baseline":
        return "no parent/carer baseline SDQ with a total difficulties score"
    if kind == "form":
        if version is not None and not pd.isna(version):
            return (
                f"baseline on form {version}: AVS is defined for the standard parent/carer SDQ "
                f"({PARENT_FORM})"
            )
        shown = "" if age is None or pd.isna(age) else f" (aged {int(age)})"
        return f"baseline form not recorded{shown}: AVS is defined for the standard parent/carer SDQ ({PARENT_FORM})"
    if kind == "impact":
        return "no impact supplement at baseline"
    if kind == "emotional":
        return "no emotional symptoms score at baseline"
    if kind == "no_followup":
        return "no parent/carer follow-up SDQ yet"
    if kind == "pending":
        return ""  # worded by the caller, which knows when the window closes
    months = [float(m) for m in followups] if isinstance(followups, list) else []
    if len(months) == 1:
        return f"follow-up at {_months_words(months[0])} months, outside {_window_words()}"
    listed = ", ".join(_months_words(m) for m in months[:-1]) + f" and {_months_words(months[-1])}"
    return f"follow-ups at {listed} months, none within {_window_words()}"


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = frame.copy()
    out["case_id"] = out["case_id"].astype("string")
    out["applies"] = out["applies"].astype(bool)
    out["reason"] = out["reason"].fillna("").astype("string")
    out["baseline_version"] = out["baseline_version"].astype("string")
    for c in ("baseline_date", "followup_date"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    for c in ("baseline_total", "baseline_impact", "baseline_emotional", "followup_total"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float).round().astype("Int64")
    for c in ("followup_months", "predicted", "avs", "low", "high", "effect_size"):
        out[c] = out[c].astype(float)
    return out


# --- the service's mean ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedValueSummary:
    """A service's mean Added Value Score with its 95% t-interval (``reported`` only with
    at least :data:`MIN_PAIRS` pairs; otherwise the figures are None)."""

    n_pairs: int
    n_not_applicable: int
    reported: bool
    mean: float | None
    sd: float | None
    t: float | None
    low: float | None
    high: float | None

    @property
    def effect_size(self) -> float | None:
        return None if self.mean is None else self.mean / AVS_SD

    def words(self) -> str:
        """One line for a report or the terminal."""
        if not self.reported or self.mean is None or self.low is None or self.high is None:
            return (
                f"fewer than {MIN_PAIRS} pairs: not reported "
                f"({self.n_pairs} child{'' if self.n_pairs == 1 else 'ren'} with a parent/carer "
                f"baseline and a follow-up {_window_words()} later)"
            )
        es = self.mean / AVS_SD
        return (
            f"mean Added Value Score {self.mean:+.1f} points (95% interval {self.low:+.1f} to "
            f"{self.high:+.1f}; effect size {es:+.2f}) over {self.n_pairs} pairs"
        )


def t_quantile_975(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom.

    Exact for whole ``df``: the t distribution's closed form (the probability that
    \\|T\\| < t is a finite series in the angle atan(t / sqrt(df))), solved by bisection;
    above 1000 degrees of freedom, the Cornish-Fisher expansion about z (error below 1e-9).
    No scipy needed.

    >>> round(t_quantile_975(9), 6)   # tables: 2.262157
    2.262157
    >>> round(t_quantile_975(1), 4)   # 12.7062
    12.7062
    """
    if df < 1:
        raise ValueError(f"degrees of freedom {df} must be at least 1")
    z = Z_975
    if df > 1000:
        v = float(df)
        return (
            z
            + (z**3 + z) / (4 * v)
            + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        )

    def inside(t: float) -> float:  # P(|T| < t)
        theta = math.atan(t / math.sqrt(df))
        s, c = math.sin(theta), math.cos(theta)
        if df % 2 == 1:
            term, total = 1.0, 1.0 if df > 1 else 0.0
            for k in range(1, (df - 3) // 2 + 1):
                term *= (2 * k) / (2 * k + 1) * c * c
                total += term
            return 2 / math.pi * (theta + (s * c * total if df > 1 else 0.0))
        term, total = 1.0, 1.0
        for k in range(1, (df - 2) // 2 + 1):
            term *= (2 * k - 1) / (2 * k) * c * c
            total += term
        return s * total

    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if inside(mid) < 0.95:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


def service_added_value(scores: pd.DataFrame, min_pairs: int = MIN_PAIRS) -> AddedValueSummary:
    """The mean Added Value Score of the children it applies to, with its 95% t-interval.

    Parameters
    ----------
    scores : DataFrame
        From :func:`added_value_scores` (columns ``applies`` and ``avs``).
    min_pairs : int, default 10
        Fewer pairs than this: not reported (CORC).

    Returns
    -------
    AddedValueSummary
        ``mean`` +/- t(0.975, n - 1) x SD / sqrt(n), SD the sample SD (n - 1).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"applies": True, "avs": [3.3, -2.0, 5.1, 0.4, 1.2, -4.0, 6.5, 2.2, 0.0, 3.1]})
    >>> service_added_value(s).words()
    'mean Added Value Score +1.6 points (95% interval -0.7 to +3.8; effect size +0.32) over 10 pairs'
    >>> service_added_value(s.head(9)).words()
    'fewer than 10 pairs: not reported (9 children with a parent/carer baseline and a follow-up 4-8 months later)'
    """
    applies = scores["applies"].astype(bool)
    values = scores.loc[applies, "avs"].astype(float).dropna().to_numpy()
    n = len(values)
    not_applicable = int((~applies).sum())
    if n < max(min_pairs, 2):
        return AddedValueSummary(n, not_applicable, False, None, None, None, None, None)
    mean = float(values.mean())
    sd = float(values.std(ddof=1))
    t = t_quantile_975(n - 1)
    half = t * sd / math.sqrt(n)
    return AddedValueSummary(n, not_applicable, True, mean, sd, t, mean - half, mean + half)


def child_words(row: Any) -> str:
    """A child's AVS, always beside its interval; or why it does not apply."""
    if not bool(row["applies"]):
        if str(row["reason"]).startswith(PENDING):
            return f"not yet: {row['reason']}"
        return f"not applicable: {row['reason']}"
    return (
        f"{row['avs']:+.1f} points (95% interval {row['low']:+.1f} to {row['high']:+.1f}: "
        "too wide to judge one child by)"
    )
