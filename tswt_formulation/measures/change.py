"""Statistics of change for one person: the Reliable Change Index and clinically
significant change (Jacobson & Truax, 1991), vectorised over a DataFrame of pairs.

Everything here takes numbers as parameters (SD, reliability, norms, direction), so it
does not depend on where a measure's constants are kept. Jacobson & Truax (1991, J Consult
Clin Psychol 59:12-19) is the authority for every formula and comparison below.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import Problem, ScoringError
from .arithmetic import is_number

__all__ = [
    "CATEGORIES",
    "CRITICAL_VALUE",
    "change",
    "classify_change",
    "cutoff_score",
    "reliable_change_threshold",
    "standard_error_difference",
    "standard_error_measurement",
]

#: Two-sided critical value z(0.975) (Jacobson & Truax, 1991). clinicalsignificance 1.x used 1.96.
CRITICAL_VALUE = 1.959964

#: Change categories, best to worst (names as the R package clinicalsignificance uses).
CATEGORIES: tuple[str, ...] = ("Recovered", "Improved", "Unchanged", "Deteriorated", "Harmed")

Better = Literal["lower", "higher"]
CutoffKind = Literal["a", "b", "c"]


def _fail(field: str, message: str) -> ScoringError:
    return ScoringError([Problem("change()", field, message)])


def _check_reliability(reliability: float) -> float:
    r = float(reliability)
    if not (0.0 <= r < 1.0) or math.isnan(r):
        raise _fail("reliability", f"{reliability!r} must be at least 0 and less than 1")
    return r


def _check_sd(sd: float, field: str = "sd") -> float:
    s = float(sd)
    if not s > 0 or math.isinf(s):
        raise _fail(field, f"{sd!r} must be a positive number")
    return s


def _check_better(better: str) -> int:
    if better not in ("lower", "higher"):
        raise _fail("better", f"{better!r} must be 'lower' or 'higher'")
    return 1 if better == "higher" else -1


def standard_error_measurement(sd: float, reliability: float) -> float:
    """Standard error of measurement, ``SD * sqrt(1 - r)``.

    Parameters
    ----------
    sd : float
        Standard deviation of the scores at pre-test (from the measure's norms, or of
        the sample).
    reliability : float
        Reliability of the measure (test-retest or internal consistency), 0 <= r < 1.

    Returns
    -------
    float
        SEM in the measure's raw points.

    Notes
    -----
    SEM = SD_pre x sqrt(1 - r) (Jacobson & Truax, 1991, p. 14).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach
    to defining meaningful change in psychotherapy research. *Journal of Consulting and
    Clinical Psychology*, 59(1), 12-19.

    Examples
    --------
    >>> round(standard_error_measurement(5, 0.80), 4)
    2.2361
    """
    return _check_sd(sd) * math.sqrt(1.0 - _check_reliability(reliability))


def standard_error_difference(sd: float, reliability: float) -> float:
    """Standard error of the difference between two scores, ``sqrt(2) * SEM``.

    Parameters
    ----------
    sd : float
        Standard deviation of the pre-test scores.
    reliability : float
        Reliability of the measure, 0 <= r < 1.

    Returns
    -------
    float
        S_diff in raw points.

    Notes
    -----
    S_diff = sqrt(2 x SEM^2) = sqrt(2) x SD_pre x sqrt(1 - r) (Jacobson & Truax, 1991).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). *J Consult Clin Psychol*, 59(1), 12-19.

    Examples
    --------
    >>> round(standard_error_difference(5, 0.80), 3)
    3.162
    """
    return math.sqrt(2.0) * standard_error_measurement(sd, reliability)


def reliable_change_threshold(
    sd: float, reliability: float, critical_value: float = CRITICAL_VALUE
) -> float:
    """The smallest change in raw points that is reliable: ``critical_value * S_diff``.

    A change is reliable only when its size is strictly greater than this threshold.

    Parameters
    ----------
    sd : float
        Standard deviation of the pre-test scores.
    reliability : float
        Reliability of the measure, 0 <= r < 1.
    critical_value : float, default 1.959964
        Two-sided critical value of the standard normal, z(0.975).

    Returns
    -------
    float
        Threshold in raw points.

    Notes
    -----
    threshold = z x sqrt(2) x SD_pre x sqrt(1 - r). Worked example: SD 5,
    r 0.80 -> S_diff 3.162, threshold 6.20 points.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). *J Consult Clin Psychol*, 59(1), 12-19.

    Examples
    --------
    >>> round(reliable_change_threshold(5, 0.80), 3)
    6.198
    >>> round(reliable_change_threshold(10.5, 0.961, critical_value=1.96), 4)
    5.7477
    """
    return float(critical_value) * standard_error_difference(sd, reliability)


def cutoff_score(
    kind: CutoffKind,
    *,
    better: Better = "lower",
    m_clinical: float | None = None,
    sd_clinical: float | None = None,
    m_functional: float | None = None,
    sd_functional: float | None = None,
    b_sd: Literal["functional", "clinical"] = "functional",
) -> float:
    """Clinically significant change cut-off a, b or c (Jacobson & Truax, 1991).

    Parameters
    ----------
    kind : {"a", "b", "c"}
        a: two SDs beyond the clinical mean, out of the clinical range; b: two SDs
        within the functional mean, into the functional range; c: the point between the
        two means weighted by their SDs.
    better : {"lower", "higher"}
        Which direction is better on this score.
    m_clinical, sd_clinical : float
        Mean and SD of the clinical population (needed for a and c; for b when
        ``b_sd="clinical"``).
    m_functional, sd_functional : float
        Mean and SD of the functional population (needed for b and c).
    b_sd : {"functional", "clinical"}, default "functional"
        Which SD cut-off b uses. Jacobson & Truax define b from the functional
        population; the R package clinicalsignificance (1.0-3.0) uses the clinical SD.
        Choose "clinical" only to reproduce that package's results.

    Returns
    -------
    float
        The cut-off in raw points.

    Notes
    -----
    For lower-is-better scores (signs flip when higher is better):

    - a = M_clin - 2 SD_clin
    - b = M_func + 2 SD_func
    - c = (SD_clin x M_func + SD_func x M_clin) / (SD_clin + SD_func)

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). *J Consult Clin Psychol*, 59(1), 12-19.

    Examples
    --------
    >>> cutoff_score("c", m_clinical=40, sd_clinical=7.5, m_functional=60, sd_functional=7.5)
    50.0
    >>> cutoff_score("a", better="higher", m_clinical=40, sd_clinical=7.5)
    55.0
    >>> cutoff_score("b", m_functional=60, sd_functional=7.5)
    75.0
    """
    direction = _check_better(better)

    def need(name: str, value: float | None) -> float:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise _fail(name, f"missing: cut-off {kind} needs {name}")
        return float(value)

    if kind == "a":
        return need("m_clinical", m_clinical) + direction * 2 * need("sd_clinical", sd_clinical)
    if kind == "b":
        if b_sd not in ("functional", "clinical"):
            raise _fail("cutoff_b_sd", f"{b_sd!r} must be 'functional' or 'clinical'")
        mf = need("m_functional", m_functional)
        spread = (
            need("sd_functional", sd_functional)
            if b_sd == "functional"
            else need("sd_clinical", sd_clinical)
        )
        return mf - direction * 2 * spread
    if kind == "c":
        mc, sc = need("m_clinical", m_clinical), need("sd_clinical", sd_clinical)
        mf, sf = need("m_functional", m_functional), need("sd_functional", sd_functional)
        return (sc * mf + sf * mc) / (sc + sf)
    raise _fail("cutoff", f"{kind!r} must be 'a', 'b' or 'c'")


def classify_change(
    reliable_change: Sequence[str | None] | np.ndarray | pd.Series,
    clinical_pre: Sequence[bool] | np.ndarray | pd.Series | None = None,
    functional_post: Sequence[bool] | np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """Change category of each person from reliable change and (optionally) the cut-off.

    Parameters
    ----------
    reliable_change : array of {"improved", "deteriorated", "none"} or missing
        Direction of reliable change per person.
    clinical_pre, functional_post : array of bool, optional
        Strictly on the clinical side of the cut-off at pre; strictly on the functional
        side at post. Give both or neither.

    Returns
    -------
    numpy.ndarray of object
        With a cut-off: Recovered, Improved, Unchanged, Deteriorated or Harmed; without:
        Improved, Unchanged or Deteriorated; None where reliable change is missing.

    Notes
    -----
    Recovered = clinical at pre, functional at post, reliably improved. Improved =
    reliably improved, not recovered. Deteriorated = reliably worse, not harmed. Harmed =
    not clinical at pre, not functional at post, reliably worse. Otherwise Unchanged
    (Jacobson & Truax, 1991; the names of clinicalsignificance's combined approach).

    Examples
    --------
    >>> classify_change(["improved", "deteriorated"], [True, False], [True, False]).tolist()
    ['Recovered', 'Harmed']
    >>> classify_change(["none", "improved"]).tolist()
    ['Unchanged', 'Improved']
    """
    rc = np.asarray(pd.Series(reliable_change, dtype=object).to_numpy(), dtype=object)
    known = pd.notna(rc)
    improved = known & (rc == "improved")
    worse = known & (rc == "deteriorated")
    out = np.where(improved, "Improved", np.where(worse, "Deteriorated", "Unchanged")).astype(
        object
    )
    if (clinical_pre is None) != (functional_post is None):
        raise _fail("clinical_pre", "give both clinical_pre and functional_post, or neither")
    if clinical_pre is not None and functional_post is not None:
        cp = np.asarray(pd.Series(clinical_pre, dtype="boolean").fillna(False), dtype=bool)
        fp = np.asarray(pd.Series(functional_post, dtype="boolean").fillna(False), dtype=bool)
        out[improved & cp & fp] = "Recovered"
        out[worse & ~cp & ~fp] = "Harmed"
    out[~known] = None
    return out


def _numbers(pairs: pd.DataFrame, column: str) -> np.ndarray:
    """A score column as float64 (NaN = missing), on the rule :func:`~tswt_formulation.score`
    applies to responses: numbers only (nullable integers included); text such as "20"
    and booleans are refused, each cell named, rather than converted."""
    col = pairs[column]
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    obj = col.to_numpy(dtype=object)
    is_num = is_number(obj)
    bad = ~is_num & ~pd.isna(col).to_numpy()
    if bad.any():
        raise ScoringError(
            [
                Problem(
                    f"row {i}",
                    column,
                    f"value {obj[k]!r} is not a number (scores are numbers, "
                    "as tswt_formulation.score gives them)",
                )
                for k, i in enumerate(pairs.index)
                if bad[k]
            ]
        )
    out = np.full(len(obj), np.nan)
    out[is_num] = obj[is_num].astype(np.float64)
    return out


def change(
    pairs: pd.DataFrame,
    pre: str = "pre",
    post: str = "post",
    *,
    reliability: float | None,
    better: Better = "lower",
    cutoff: CutoffKind | None = None,
    cutoff_value: float | None = None,
    m_functional: float | None = None,
    sd_functional: float | None = None,
    sd: float | None = None,
    m_clinical: float | None = None,
    sd_clinical: float | None = None,
    critical_value: float = CRITICAL_VALUE,
    cutoff_b_sd: Literal["functional", "clinical"] = "functional",
) -> pd.DataFrame:
    """Reliable and clinically significant change for each pre/post pair.

    Parameters
    ----------
    pairs : DataFrame
        One row per person (or per case and score), with a pre and a post column. Other
        columns are passed through unchanged.
    pre, post : str
        Names of the pre and post columns.
    reliability : float or None
        Reliability r of the measure (0 <= r < 1). ``None`` skips the RCI: with a cut-off
        the category then depends on the cut-off alone (clinicalsignificance's
        "statistical" approach: Improved = clinical at pre and functional at post,
        Deteriorated = neither, otherwise Unchanged).
    better : {"lower", "higher"}, default "lower"
        Difficulty scores: lower is better; prosocial and goal progress: higher.
    cutoff : {"a", "b", "c"} or None
        Which clinically significant change cut-off to use; None for reliable change only.
    cutoff_value : float, optional
        Use this cut-off (raw points) instead of computing one; overrides ``cutoff``.
    m_functional, sd_functional : float, optional
        Mean and SD of the functional (non-clinical) population; needed for b and c.
    sd : float, optional
        SD of pre scores to use for the RCI (e.g. from the measure's published norms).
        For one child always give it: the SD must never come from a caseload of one.
        Default: the sample SD (n - 1) of the pre scores of the complete pairs.
    m_clinical, sd_clinical : float, optional
        Mean and SD of the clinical population. Default: the mean and sample SD of the
        pre scores of the complete pairs (as clinicalsignificance does).
    critical_value : float, default 1.959964
        Reliable when |RCI| is strictly greater than this. clinicalsignificance 1.x used 1.96.
    cutoff_b_sd : {"functional", "clinical"}, default "functional"
        SD used for cut-off b: Jacobson & Truax's functional SD, or the clinical SD as
        clinicalsignificance 1.0-3.0 computes it.

    Returns
    -------
    DataFrame
        ``pairs`` with added columns ``paired`` (both scores present), ``difference``
        (post - pre), ``rci``, ``reliable_change`` ("improved", "deteriorated", "none"),
        with a cut-off ``clinical_pre`` and ``functional_post`` (nullable booleans), and
        ``category``. Results are missing for unpaired rows. The constants used are in
        ``result.attrs`` (``sd_pre``, ``sem``, ``s_diff``, ``threshold``, ``cutoff``,
        ``critical_value``, ``n_paired``).

    Raises
    ------
    ScoringError
        A parameter is out of range, a cut-off lacks the norms it needs, or the SD
        cannot be estimated (fewer than two complete pairs and no ``sd``).

    Notes
    -----
    Jacobson & Truax (1991):

    - SEM = SD_pre x sqrt(1 - r); S_diff = sqrt(2) x SEM; RCI = (post - pre) / S_diff.
    - Reliably improved when d x RCI > z and reliably worse when d x RCI < -z, where
      d = -1 if lower is better and +1 if higher is better (strict comparisons).
    - Cut-offs (lower is better; signs flip otherwise): a = M_clin - 2 SD_clin;
      b = M_func + 2 SD_func; c = (SD_clin M_func + SD_func M_clin) / (SD_clin + SD_func).
    - Clinical at pre: d x pre < d x cut-off; functional at post: d x post > d x cut-off.
      A score exactly on the cut-off is neither.
    - Recovered = clinical at pre, functional at post and reliably improved; Harmed = not
      clinical at pre, not functional at post and reliably worse; other reliable changes
      are Improved or Deteriorated; the rest Unchanged.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach
    to defining meaningful change in psychotherapy research. *Journal of Consulting and
    Clinical Psychology*, 59(1), 12-19.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"child": ["A", "B", "C"], "pre": [20, 20, 20], "post": [13, 14, 27]})
    >>> out = change(pairs, reliability=0.80, sd=5)
    >>> out[["child", "difference", "reliable_change", "category"]]
      child  difference reliable_change      category
    0     A        -7.0        improved      Improved
    1     B        -6.0            none     Unchanged
    2     C         7.0    deteriorated  Deteriorated
    >>> round(out.attrs["threshold"], 2)
    6.2

    The same in R: ``clinicalsignificance::cs_distribution(..., reliability = 0.8)``
    (which estimates the SD from the sample unless told otherwise).
    """
    if not isinstance(pairs, pd.DataFrame):
        raise _fail("pairs", f"must be a pandas DataFrame, not {type(pairs).__name__}")
    for name in (pre, post):
        if name not in pairs.columns:
            raise _fail(
                name,
                f"column {name!r} is missing from pairs (columns: {', '.join(map(str, pairs.columns))})",
            )
    direction = _check_better(better)
    if cutoff is not None and cutoff not in ("a", "b", "c"):
        raise _fail("cutoff", f"{cutoff!r} must be 'a', 'b', 'c' or None")
    if cutoff_b_sd not in ("functional", "clinical"):
        raise _fail("cutoff_b_sd", f"{cutoff_b_sd!r} must be 'functional' or 'clinical'")
    r = None if reliability is None else _check_reliability(reliability)
    if r is None and cutoff is None and cutoff_value is None:
        raise _fail(
            "reliability",
            "missing: give a reliability, or a cut-off for a cut-off-only classification",
        )
    z = float(critical_value)
    if not z > 0:
        raise _fail("critical_value", f"{critical_value!r} must be positive")

    x_pre, x_post = _numbers(pairs, pre), _numbers(pairs, post)
    paired = ~np.isnan(x_pre) & ~np.isnan(x_post)
    complete_pre = x_pre[paired]
    n_paired = int(paired.sum())

    def sample_sd() -> float:
        if n_paired < 2:
            raise _fail(
                "sd",
                f"cannot estimate the SD from {n_paired} complete pair(s); give sd (from the measure's norms)",
            )
        return float(np.std(complete_pre, ddof=1))

    out = pairs.copy()
    out["paired"] = paired
    difference = np.where(paired, x_post - x_pre, np.nan)
    out["difference"] = difference
    attrs: dict[str, float | int | str | None] = {
        "n_paired": n_paired,
        "critical_value": z,
        "better": better,
    }

    if r is not None:
        sd_pre = _check_sd(sd) if sd is not None else sample_sd()
        sem = sd_pre * math.sqrt(1.0 - r)
        s_diff = math.sqrt(2.0) * sem
        if s_diff == 0:
            raise _fail(
                "sd",
                "the SD of pre scores is 0, so reliable change is undefined; give sd from the measure's norms",
            )
        rci = difference / s_diff
        out["rci"] = rci
        signed = direction * rci
        reliable = np.where(
            signed > z, "improved", np.where(signed < -z, "deteriorated", "none")
        ).astype(object)
        reliable[~paired] = None
        out["reliable_change"] = pd.Series(reliable, index=out.index, dtype="object")
        attrs.update(sd_pre=sd_pre, sem=sem, s_diff=s_diff, threshold=z * s_diff)
    else:
        out["rci"] = np.nan
        out["reliable_change"] = pd.Series([None] * len(out), index=out.index, dtype="object")
        reliable = None

    cut: float | None = None
    if cutoff_value is not None:
        cut = float(cutoff_value)
    elif cutoff is not None:
        mc = m_clinical
        sc = sd_clinical
        needs_clinical = cutoff in ("a", "c") or (cutoff == "b" and cutoff_b_sd == "clinical")
        if needs_clinical and mc is None and cutoff != "b":
            if n_paired < 1:
                raise _fail(
                    "m_clinical",
                    "cannot estimate the clinical mean from 0 complete pairs; give m_clinical",
                )
            mc = float(np.mean(complete_pre))
        if needs_clinical and sc is None:
            sc = sample_sd()
        cut = cutoff_score(
            cutoff,
            better=better,
            m_clinical=mc,
            sd_clinical=sc,
            m_functional=m_functional,
            sd_functional=sd_functional,
            b_sd=cutoff_b_sd,
        )
        attrs.update(m_clinical=mc, sd_clinical=sc)
    attrs["cutoff"] = cut

    if cut is not None:
        clinical = direction * x_pre < direction * cut
        functional = direction * x_post > direction * cut
        out["clinical_pre"] = pd.array(np.where(paired, clinical, False), dtype="boolean")
        out.loc[~paired, "clinical_pre"] = pd.NA
        out["functional_post"] = pd.array(np.where(paired, functional, False), dtype="boolean")
        out.loc[~paired, "functional_post"] = pd.NA
        if reliable is not None:
            category = classify_change(reliable, clinical, functional)
        else:  # cut-off only ("statistical" approach)
            category = np.where(
                clinical & functional,
                "Improved",
                np.where(~clinical & ~functional, "Deteriorated", "Unchanged"),
            ).astype(object)
            category[~paired] = None
    else:
        category = classify_change(reliable)
    out["category"] = pd.Series(category, index=out.index, dtype="object")
    out.attrs = {**pairs.attrs, **attrs}
    return out
