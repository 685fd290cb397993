"""The SDQ part of the SSDA903 return's OC2 table, and its validation rules.

For each child looked after continuously for at least 12 months at 31 March, the local
authority returns one carer-completed SDQ total difficulties score (``SDQ_SCORE``,
0-40) or a reason for no score (``SDQ_REASON``, SDQ1-SDQ5) (DfE SSDA903 guidance, OC2 table,
"Looked-after children in England"). :func:`validate_oc2_sdq` implements the public
validation rules 180, 196, 197a, 186, 197B, 157, 188, 189, 185 and 198 as enforced by
Data to Insight's open-source SSDA903 validator; :func:`ssda903_sdq` builds an export
that passes every one of them or raises :class:`~tswt_formulation.errors.ValidationFailed`.

Interpretation choices are documented in ``docs/change.md`` ("SSDA903 OC2 SDQ").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationFailed
from ..model.case import add_years, years_between

if TYPE_CHECKING:
    from ..model.case import Case

__all__ = [
    "DATE_FORMAT",
    "OC2_COLUMNS",
    "REASON_CODES",
    "OC2Problem",
    "collection_year",
    "looked_after_continuously",
    "ssda903_from_cases",
    "ssda903_sdq",
    "validate_oc2_sdq",
]

#: Dates in SSDA903 files: DD/MM/YYYY. The DfE rules read a date with this format and treat
#: any other form (2011-03-08) as blank, so no age rule would check that child.
DATE_FORMAT = "%d/%m/%Y"

#: The OC2 table's 12 columns in order; a TSWT supplies the first four (the SDQ columns).
OC2_COLUMNS = (
    "CHILD",
    "DOB",
    "SDQ_SCORE",
    "SDQ_REASON",
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
_SDQ_COLUMNS = OC2_COLUMNS[:4]
LAYOUTS = ("sdq", "oc2")

#: SDQ_REASON codes (case-sensitive), reference-data/ssda903/sdq_reason_codes.csv.
REASON_CODES: dict[str, str] = {
    "SDQ1": "No form returned as child was aged under 4 or over 16 at date of latest assessment",
    "SDQ2": "Carer(s) refused to complete and return questionnaire",
    "SDQ3": "Not possible to complete the questionnaire due to severity of the child's disability",
    "SDQ4": "Other",
    "SDQ5": "Child or young person refuses to allow a strengths and difficulties questionnaire (SDQ) to be completed",
}

_MESSAGES = {
    "180": "Data entry for the strengths and difficulties questionnaire (SDQ) score is invalid.",
    "196": "Strengths and Difficulties (SDQ) reason is not a valid code.",
    "197a": "Reason for no Strengths and Difficulties (SDQ) score is not required if Strengths and "
    "Difficulties Questionnaire score is filled in.",
    "186": "Children aged 4 or over at the start of the year and children aged under 17 at the end of the "
    "year and who have been looked after for at least 12 months continuously should have a Strengths "
    "and Difficulties (SDQ) score completed.",
    "197B": "SDQ score or reason for no SDQ should be reported for 4- or 17-year-olds.",
    "157": "Child is aged 4 years or over at the beginning of the year or 16 years or under at the end of "
    "the year and Strengths and Difficulties Questionnaire (SDQ) 1 has been recorded as the reason for "
    "no Strengths and Difficulties Questionnaire (SDQ) score.",
    "188": "Child is aged under 4 years at the end of the year, but a Strengths and Difficulties (SDQ) "
    "score or a reason for no SDQ score has been completed.",
    "189": "Child is aged 17 years or over at the beginning of the year, but an Strengths and Difficulties "
    "(SDQ) score or a reason for no Strengths and Difficulties (SDQ) score has been completed.",
    "185": "Child has not been looked after continuously for at least 12 months at 31 March but a "
    "Strengths and Difficulties (SDQ) score has been completed.",
    "198": "Child has not been looked after continuously for at least 12 months at 31 March but a reason "
    "for no Strengths and Difficulties (SDQ) score has been completed.",
}

_FIELDS = {
    "180": "SDQ_SCORE",
    "196": "SDQ_REASON",
    "197a": "SDQ_REASON",
    "186": "SDQ_SCORE",
    "197B": "SDQ_SCORE",
    "157": "SDQ_REASON",
    "188": "SDQ_SCORE",
    "189": "SDQ_SCORE",
    "185": "SDQ_SCORE",
    "198": "SDQ_REASON",
}


@dataclass(frozen=True)
class OC2Problem:
    """One OC2 SDQ validation failure: which child, which rule, the rule's message."""

    child: str
    rule: str
    message: str

    def as_problem(self) -> Problem:
        return Problem(
            f"CHILD {self.child}",
            _FIELDS.get(self.rule, "SDQ"),
            f"rule {self.rule}: {self.message}",
        )


def collection_year(year: int) -> tuple[date, date]:
    """The collection year ending 31 March ``year``: (1 April year-1, 31 March year).

    Examples
    --------
    >>> collection_year(2025)
    (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    """
    return date(int(year) - 1, 4, 1), date(int(year), 3, 31)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_date(value: Any) -> date | None:
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _dfe_dates(values: pd.Series) -> list[date | None]:
    """DOBs as the DfE rules read them: text only as DD/MM/YYYY, any other text blank.

    The text is parsed in one ``pd.to_datetime(..., format="%d/%m/%Y", errors="coerce")``
    call, as the rules do (one call per value is some 250 times slower)."""
    is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    out: list[date | None] = [None if t else _as_date(v) for v, t in zip(values, is_text)]
    if is_text.any():
        parsed = pd.to_datetime(values[is_text].astype(str), format=DATE_FORMAT, errors="coerce")
        for i, p in zip(np.flatnonzero(is_text), parsed):
            out[i] = None if pd.isna(p) else p.date()
    return out


def _valid_score(value: Any) -> bool:
    """Rule 180: an integer 0..40 ('0', 40 and 20.0 are valid; 39.5, 41, 'XX' are not)."""
    if isinstance(value, bool):
        return False
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return False
    return number.is_integer() and 0 <= number <= 40


def _looked_after_set(df: pd.DataFrame, looked_after_12m: Any) -> set[str]:
    if isinstance(looked_after_12m, pd.Series):
        if looked_after_12m.dtype == bool or str(looked_after_12m.dtype) == "boolean":
            return {str(k) for k, v in looked_after_12m.fillna(False).items() if v}
        return {str(v) for v in looked_after_12m.dropna()}
    if isinstance(looked_after_12m, Mapping):
        return {str(k) for k, v in looked_after_12m.items() if v}
    return {str(v) for v in looked_after_12m}


def validate_oc2_sdq(
    df: pd.DataFrame, year: int, looked_after_12m: Collection[Any] | Mapping[Any, bool] | pd.Series
) -> list[OC2Problem]:
    """Check an OC2 SDQ table against the SSDA903 validation rules.

    Parameters
    ----------
    df : DataFrame
        Columns ``CHILD``, ``DOB``, ``SDQ_SCORE``, ``SDQ_REASON``. A DOB is a date, or
        text read as the DfE rules read it: ``DD/MM/YYYY``, any other text (``2011-03-08``)
        blank, so that no age rule (186, 197B, 157, 188, 189) checks the child.
        A value is "present" unless it is missing (None/NaN); an empty string is present
        and invalid, as the validator's test data treat it.
    year : int
        The collection year ending 31 March ``year``.
    looked_after_12m : collection of CHILD ids, mapping CHILD -> bool, or Series
        The children looked after continuously for at least 12 months at 31 March.

    Returns
    -------
    list of OC2Problem
        One per child and rule broken, in row order then rule order.

    Notes
    -----
    With collection start S (1 April year-1) and end E (31 March year), age-4 date
    A4 = DOB + 4 years, A16, A17 likewise, and LA = continuously looked after:

    - 180: score present and not an integer 0..40.
    - 196: reason present and not one of SDQ1..SDQ5 (case-sensitive).
    - 197a: score and reason both present.
    - 186: A4 <= S and A17 > E and LA and both missing.
    - 197B: (S <= A4 <= E or S <= A17 <= E) and LA and both missing.
    - 157: LA and A4 <= S and A16 >= E and score missing and reason == SDQ1.
    - 188: A4 > E and score or reason present.
    - 189: A17 < S and score or reason present.
    - 185: score present and not LA; 198: reason present and not LA.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"CHILD": ["1"], "DOB": ["01/04/2021"], "SDQ_SCORE": [12], "SDQ_REASON": [None]})
    >>> [(p.child, p.rule) for p in validate_oc2_sdq(df, 2025, {"1"})]
    [('1', '188')]
    """
    for column in ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON"):
        if column not in df.columns:
            raise ValidationFailed([Problem("OC2", column, f"column {column!r} is missing")])
    start, end = collection_year(year)
    looked_after = _looked_after_set(df, looked_after_12m)
    out: list[OC2Problem] = []
    dobs = _dfe_dates(df["DOB"])
    for (child, score, reason), dob in zip(
        df[["CHILD", "SDQ_SCORE", "SDQ_REASON"]].itertuples(index=False), dobs
    ):
        child_id = str(child)
        found: list[str] = []
        has_score, has_reason = not _is_missing(score), not _is_missing(reason)
        la = child_id in looked_after
        if has_score and not _valid_score(score):
            found.append("180")
        if has_reason and reason not in REASON_CODES:
            found.append("196")
        if has_score and has_reason:
            found.append("197a")
        if dob is not None:
            a4, a16, a17 = add_years(dob, 4), add_years(dob, 16), add_years(dob, 17)
            neither = not has_score and not has_reason
            if a4 <= start and a17 > end and la and neither:
                found.append("186")
            if (start <= a4 <= end or start <= a17 <= end) and la and neither:
                found.append("197B")
            if la and a4 <= start and a16 >= end and not has_score and reason == "SDQ1":
                found.append("157")
            if a4 > end and (has_score or has_reason):
                found.append("188")
            if a17 < start and (has_score or has_reason):
                found.append("189")
        if has_score and not la:
            found.append("185")
        if has_reason and not la:
            found.append("198")
        out.extend(OC2Problem(child_id, rule, _MESSAGES[rule]) for rule in found)
    return out


def ssda903_sdq(
    children: pd.DataFrame,
    sdq: pd.DataFrame,
    year: int,
    *,
    reason_column: str = "SDQ_REASON",
    layout: str = "sdq",
) -> pd.DataFrame:
    """The OC2 SDQ columns for every child looked after continuously for 12 months.

    Parameters
    ----------
    children : DataFrame
        One row per child: ``CHILD`` (the 903 child id), ``DOB`` (date),
        ``looked_after_12m`` (bool: looked after continuously for at least 12 months at
        31 March ``year``) and optionally ``reason_column``: the team's recorded reason
        for no score in the year (SDQ2 carer refused, SDQ3 not possible because of the
        severity of the child's disability, SDQ4 other, SDQ5 child or young person
        refused).
    sdq : DataFrame
        SDQ administrations: ``CHILD``, ``date``, ``informant`` ('parent' = parent or
        carer), ``total`` (total difficulties; missing when it could not be scored).
    year : int
        The collection year ending 31 March ``year`` (1 April year-1 to 31 March year).
    reason_column : str, default "SDQ_REASON"
        Column of ``children`` holding a recorded reason.
    layout : {"sdq", "oc2"}, default "sdq"
        ``"sdq"``: the four SDQ columns of OC2, to merge into the authority's return.
        ``"oc2"``: all 12 OC2 columns (:data:`OC2_COLUMNS`), the eight the team does not
        hold left blank.

    Returns
    -------
    DataFrame
        ``CHILD``, ``DOB`` (text, DD/MM/YYYY as the SSDA903 specification writes dates),
        ``SDQ_SCORE`` (nullable integer), ``SDQ_REASON`` (then, with ``layout="oc2"``,
        eight empty columns), one row per child looked after continuously for 12 months,
        in the order given; ``to_csv(index=False)`` writes the file.

    Raises
    ------
    ValidationFailed
        An input column is missing, or the export would break a validation rule (for
        example a recorded reason that is not a valid code, or SDQ1 recorded for a child
        aged 4-16 all year); each problem names the child and the rule.

    Notes
    -----
    Per child (the DfE OC2 rules; choices in docs/change.md):

    1. Under 4 at the end of the year (rule 188) or 17 or over at its start (189):
       neither score nor reason.
    2. Otherwise the score is the total of the latest carer-completed ('parent') SDQ
       dated in the collection year with a total, taken when the child was aged 4-16.
    3. No score: the reason recorded for the child (SDQ2, SDQ3, SDQ4 or SDQ5); else
       SDQ1 if the child was under 4 or over 16 at the date of their latest SDQ
       administration in the year (or, with none, under 4 at the start or 17 at the end
       of the year); else SDQ4 (other): the team recorded no reason, so none of SDQ2,
       SDQ3 or SDQ5 is claimed.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> children = pd.DataFrame({"CHILD": ["1", "2"], "DOB": [date(2014, 6, 1), date(2015, 1, 9)],
    ...                          "looked_after_12m": [True, True]})
    >>> sdq = pd.DataFrame({"CHILD": ["1", "1"], "date": [date(2024, 5, 1), date(2025, 2, 1)],
    ...                     "informant": ["parent", "parent"], "total": [18, 14]})
    >>> ssda903_sdq(children, sdq, 2025)
      CHILD         DOB  SDQ_SCORE SDQ_REASON
    0     1  01/06/2014         14       None
    1     2  09/01/2015       <NA>       SDQ4
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    problems = [
        Problem("children", c, f"column {c!r} is missing")
        for c in ("CHILD", "DOB", "looked_after_12m")
        if c not in children.columns
    ] + [
        Problem("sdq", c, f"column {c!r} is missing")
        for c in ("CHILD", "date", "informant", "total")
        if c not in sdq.columns
    ]
    if problems:
        raise ValidationFailed(problems, "cannot build the OC2 SDQ export:")
    start, end = collection_year(year)
    looked_after = children[children["looked_after_12m"].fillna(False).astype(bool)].copy()
    looked_after["CHILD"] = looked_after["CHILD"].astype(str)
    dobs = looked_after["DOB"].map(_as_date)
    bad_dob = dobs.isna()
    if bad_dob.any():
        raise ValidationFailed(
            [
                Problem(f"CHILD {c}", "DOB", f"{v!r} is not a date")
                for c, v in looked_after.loc[bad_dob, ["CHILD", "DOB"]].itertuples(index=False)
            ],
            "cannot build the OC2 SDQ export:",
        )
    looked_after["DOB"] = dobs

    forms = sdq[["CHILD", "date", "informant", "total"]].copy()
    forms["CHILD"] = forms["CHILD"].astype(str)
    forms["date"] = forms["date"].map(_as_date)
    forms = forms[forms["date"].notna()]
    forms = forms[(forms["date"] >= start) & (forms["date"] <= end)]
    forms = forms.merge(looked_after[["CHILD", "DOB"]], on="CHILD", how="inner")
    ages = np.array([years_between(b, d) for b, d in zip(forms["DOB"], forms["date"])], dtype=int)
    forms["in_age"] = (ages >= 4) & (ages <= 16)
    totals = pd.to_numeric(forms["total"], errors="coerce")
    eligible = forms[(forms["informant"] == "parent") & totals.notna() & forms["in_age"]].assign(
        total=totals
    )
    eligible = eligible.sort_values(["CHILD", "date"], kind="stable").groupby("CHILD").tail(1)
    score_by_child = dict(zip(eligible["CHILD"], eligible["total"]))
    latest = forms.sort_values(["CHILD", "date"], kind="stable").groupby("CHILD").tail(1)
    latest_in_age = dict(zip(latest["CHILD"], latest["in_age"]))

    has_reason_col = reason_column in looked_after.columns
    scores: list[Any] = []
    reasons: list[Any] = []
    for row in looked_after.itertuples(index=False):
        child = row.CHILD
        dob: date = row.DOB
        a4, a17 = add_years(dob, 4), add_years(dob, 17)
        score: Any = pd.NA
        reason: Any = None
        if a4 > end or a17 < start:
            pass  # rules 188 / 189: neither
        elif child in score_by_child:
            score = int(score_by_child[child])
        else:
            given = getattr(row, reason_column) if has_reason_col else None
            if child in latest_in_age:
                out_of_age = not latest_in_age[child]
            else:
                out_of_age = a4 > start or a17 <= end
            if not _is_missing(given) and str(given).strip() != "":
                reason = given  # what the team knows happened; SDQ2-5 are valid at any age here
            elif out_of_age:
                reason = "SDQ1"
            else:
                reason = "SDQ4"
        scores.append(score)
        reasons.append(reason)
    export = pd.DataFrame(
        {
            "CHILD": looked_after["CHILD"].to_list(),
            "DOB": [d.strftime(DATE_FORMAT) for d in looked_after["DOB"]],
            "SDQ_SCORE": pd.array(scores, dtype="Int64"),
            "SDQ_REASON": pd.Series(reasons, dtype=object),
        }
    )
    # The DfE reads DOB text as DD/MM/YYYY, so the check below sees the dates as it will.
    found = validate_oc2_sdq(export, year, set(export["CHILD"]))
    if found:
        raise ValidationFailed(
            [p.as_problem() for p in found], f"the OC2 SDQ export for {year} would be invalid:"
        )
    if layout == "oc2":
        for column in OC2_COLUMNS[len(_SDQ_COLUMNS) :]:
            export[column] = pd.Series([None] * len(export), dtype=object)
    return export


# --- from case records -----------------------------------------------------------------------


def looked_after_continuously(periods: Iterable[tuple[str, date, date | None]], year: int) -> bool:
    """Looked after continuously for at least 12 months at 31 March ``year``.

    ``periods`` are (status, start, end) legal-status periods; end None means ongoing.
    Periods with status ``looked_after`` that touch or overlap (the next starting on or
    the day after the previous end) are joined; the child qualifies when one joined
    spell runs from on or before 1 April year-1 to on or after 31 March year.

    Examples
    --------
    >>> from datetime import date
    >>> looked_after_continuously([("looked_after", date(2024, 4, 1), None)], 2025)
    True
    >>> looked_after_continuously([("looked_after", date(2024, 4, 2), None)], 2025)
    False
    """
    start, end = collection_year(year)
    spells = sorted((s, e) for status, s, e in periods if status == "looked_after")
    joined: list[list[date | None]] = []
    for s, e in spells:
        if joined:
            last_end = joined[-1][1]
            if last_end is None or s <= last_end + timedelta(days=1):
                if last_end is not None and (e is None or e > last_end):
                    joined[-1][1] = e
                continue
        joined.append([s, e])
    return any(s is not None and s <= start and (e is None or e >= end) for s, e in joined)


def ssda903_from_cases(
    cases: Iterable[Case],
    year: int,
    score_fn: Callable[..., pd.DataFrame] | None = None,
    *,
    reasons: Mapping[str, str] | None = None,
    child_id: Callable[[Case], str] | None = None,
    layout: str = "sdq",
) -> pd.DataFrame:
    """Build the OC2 SDQ export from case records.

    Parameters
    ----------
    cases : iterable of Case
    year : int
        The collection year ending 31 March ``year``.
    score_fn : callable, optional
        ``score_fn("sdq", responses_df, informant=...)`` returning a frame with a
        ``total`` column, row for row; ``responses_df`` has one column per item and a
        ``version`` column (the form completed). Default: ``tswt_formulation.measures.scoring.score``
        (imported only when needed).
    reasons : mapping, optional
        A reason for no score per child id, used instead of the one the case records
        for ``year`` (``case.sdq_not_completed``).
    child_id : callable, optional
        The 903 CHILD id for a case; default ``case.child.case_management_ref``.
    layout : {"sdq", "oc2"}, default "sdq"
        As :func:`ssda903_sdq`.

    Returns
    -------
    DataFrame
        As :func:`ssda903_sdq`.
    """
    ident = child_id or (lambda c: c.child.case_management_ref)
    child_rows, form_rows = [], []
    responses: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for case in cases:
        child = case.child
        periods = [
            (p.status, p.start, p.end) for p in [*child.legal_status_history, child.legal_status]
        ]
        cid = str(ident(case))
        recorded = next(
            (r.reason for r in case.sdq_not_completed if r.collection_year == year), None
        )
        child_rows.append(
            {
                "CHILD": cid,
                "DOB": child.date_of_birth,
                "looked_after_12m": looked_after_continuously(periods, year),
                "SDQ_REASON": (reasons or {}).get(cid, recorded),
            }
        )
        for m in case.measures:
            if m.measure != "sdq":
                continue
            form_rows.append(
                {"CHILD": cid, "date": m.date, "informant": m.informant, "total": np.nan}
            )
            answers: dict[str, Any] = {**m.responses, "version": m.version}
            responses.setdefault(m.informant, []).append((len(form_rows) - 1, answers))
    scorer: Callable[..., pd.DataFrame]
    if score_fn is None:
        from .scoring import score as scorer  # lazy: scoring is a separate concern
    else:
        scorer = score_fn
    for informant, items in responses.items():
        frame = pd.DataFrame([r for _, r in items])
        scored = scorer("sdq", frame, informant=informant)
        for (row_no, _), total in zip(items, scored["total"].to_list()):
            form_rows[row_no]["total"] = total
    children = pd.DataFrame(child_rows, columns=["CHILD", "DOB", "looked_after_12m", "SDQ_REASON"])
    forms = pd.DataFrame(form_rows, columns=["CHILD", "date", "informant", "total"])
    return ssda903_sdq(children, forms, year, layout=layout)
