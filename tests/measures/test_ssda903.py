"""SSDA903 OC2 SDQ export and validation.

Rules and their logic: tests/data/reference/ssda903/oc2_sdq_validation_rules.csv (Data to
Insight's validator); reason codes: sdq_reason_codes.csv; the export's duties:
docs/change.md ("SSDA903 OC2 SDQ"). Collection year 2025 throughout:
1 April 2024 to 31 March 2025. Every expected rule below is worked from those sources.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tswt_formulation.errors import ValidationFailed
from tswt_formulation.measures.ssda903 import (
    REASON_CODES,
    collection_year,
    looked_after_continuously,
    ssda903_from_cases,
    ssda903_sdq,
    validate_oc2_sdq,
)

from ..conftest import REFERENCE as SHARED_REFERENCE
from ..conftest import reference_file

REFERENCE = SHARED_REFERENCE / "ssda903"
YEAR = 2025
START, END = date(2024, 4, 1), date(2025, 3, 31)
NA: Any = None


def read_dob_as_the_dfe_does(dob: pd.Series) -> pd.Series:
    """The DfE rules' reading of a DOB column: DD/MM/YYYY, anything else NaT (blank)."""
    return pd.to_datetime(dob, format="%d/%m/%Y", errors="coerce")


_need = reference_file


def test_collection_year() -> None:
    assert collection_year(YEAR) == (START, END)


def test_reason_codes_match_reference() -> None:
    with _need(REFERENCE / "sdq_reason_codes.csv").open(encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert sorted(REASON_CODES) == sorted(codes) == ["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]


def test_every_reference_rule_is_implemented_with_its_message() -> None:
    with _need(REFERENCE / "oc2_sdq_validation_rules.csv").open(encoding="utf-8") as fh:
        rules = {row["rule"]: row["message"] for row in csv.DictReader(fh)}
    assert set(rules) == {"180", "196", "197a", "186", "197B", "157", "188", "189", "185", "198"}
    # Provoke every rule once and compare the message with the reference file.
    frame = pd.DataFrame(
        [
            ("a", "01/06/2015", 41, NA),  # 180
            ("b", "01/06/2015", NA, "sdq2"),  # 196
            ("c", "01/06/2015", 10, "SDQ2"),  # 197a
            ("d", "01/06/2015", NA, NA),  # 186
            ("e", "02/04/2020", NA, NA),  # 197B
            ("f", "01/06/2015", NA, "SDQ1"),  # 157
            ("g", "01/04/2021", 5, NA),  # 188
            ("h", "31/03/2007", 5, NA),  # 189
            ("i", "01/06/2015", 5, NA),  # 185 (not looked after)
            ("j", "01/06/2015", NA, "SDQ2"),  # 198 (not looked after)
        ],
        columns=["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON"],
    )
    found = validate_oc2_sdq(frame, YEAR, {"a", "b", "c", "d", "e", "f", "g", "h"})
    assert {p.rule for p in found} == set(rules)
    for p in found:
        assert p.message == rules[p.rule]


# Each row: CHILD, DOB, looked after 12 months?, SDQ_SCORE, SDQ_REASON, expected rules, why.
RULE_ROWS = [
    # 180 score must be an integer 0..40
    ("s41", date(2015, 6, 1), True, 41, NA, ["180"], "41 is out of range"),
    ("sXX", date(2015, 6, 1), True, "XX", NA, ["180"], "not a number"),
    ("s395", date(2015, 6, 1), True, 39.5, NA, ["180"], "not an integer"),
    ("sneg", date(2015, 6, 1), True, -1, NA, ["180"], "below 0"),
    ("s0", date(2015, 6, 1), True, "0", NA, [], "'0' is a valid score"),
    ("s40", date(2015, 6, 1), True, 40, NA, [], "40 is valid"),
    ("s20", date(2015, 6, 1), True, 20.0, NA, [], "20.0 is an integer"),
    # 196 reason codes, case-sensitive
    ("rlow", date(2015, 6, 1), True, NA, "sdq2", ["196"], "codes are case-sensitive"),
    ("rempty", date(2015, 6, 1), True, NA, "", ["196"], "an empty string is not a code"),
    ("r6", date(2015, 6, 1), True, NA, "SDQ6", ["196"], "no such code"),
    ("r5", date(2015, 6, 1), True, NA, "SDQ5", [], "child refused is valid"),
    # 197a both present
    ("both", date(2015, 6, 1), True, 12, "SDQ2", ["197a"], "a score needs no reason"),
    # 186 / 197B: something expected; the age edges at 4
    (
        "4atStart",
        date(2020, 4, 1),
        True,
        NA,
        NA,
        ["186", "197B"],
        "4th birthday on 1 April 2024 = start: 4 at start, and the birthday is in the year",
    ),
    (
        "4dayAfter",
        date(2020, 4, 2),
        True,
        NA,
        NA,
        ["197B"],
        "4th birthday 2 April 2024: not 4 at start, turns 4 in the year",
    ),
    (
        "4dayBefore",
        date(2020, 3, 31),
        True,
        NA,
        NA,
        ["186"],
        "4th birthday 31 March 2024: 4 at start",
    ),
    (
        "4atEnd",
        date(2021, 3, 31),
        True,
        NA,
        NA,
        ["197B"],
        "4th birthday 31 March 2025 = end: within the year",
    ),
    (
        "4atEndScored",
        date(2021, 3, 31),
        True,
        9,
        NA,
        [],
        "a 4-year-old on the last day may have a score",
    ),
    (
        "under4",
        date(2021, 4, 1),
        True,
        NA,
        NA,
        [],
        "4th birthday 1 April 2025: under 4 at the end, nothing expected",
    ),
    ("under4Scored", date(2021, 4, 1), True, 9, NA, ["188"], "under 4 at the end: no score"),
    (
        "under4Reason",
        date(2021, 4, 1),
        True,
        NA,
        "SDQ1",
        ["188"],
        "under 4 at the end: no reason either",
    ),
    # the age edges at 17
    (
        "17atStart",
        date(2007, 4, 1),
        True,
        NA,
        NA,
        ["197B"],
        "17th birthday 1 April 2024 = start: not 17 before the start (189 is strict)",
    ),
    ("17atStartScored", date(2007, 4, 1), True, 11, NA, [], "not caught by 189 (strict)"),
    (
        "17before",
        date(2007, 3, 31),
        True,
        NA,
        NA,
        [],
        "17th birthday 31 March 2024: 17 at the start, nothing expected",
    ),
    (
        "17beforeScored",
        date(2007, 3, 31),
        True,
        11,
        NA,
        ["189"],
        "17 or over at the start: no score",
    ),
    (
        "17beforeReason",
        date(2007, 3, 31),
        True,
        NA,
        "SDQ1",
        ["189"],
        "17 or over at the start: no reason",
    ),
    (
        "17atEnd",
        date(2008, 3, 31),
        True,
        NA,
        NA,
        ["197B"],
        "17th birthday 31 March 2025 = end: within the year, not under 17 at the end",
    ),
    (
        "16atEnd",
        date(2008, 4, 1),
        True,
        NA,
        NA,
        ["186"],
        "17th birthday 1 April 2025: under 17 at the end",
    ),
    # 157 SDQ1 not valid for a child 4-16 all year
    ("sdq1mid", date(2015, 6, 1), True, NA, "SDQ1", ["157"], "aged 8-9 all year"),
    (
        "sdq1a16after",
        date(2009, 4, 1),
        True,
        NA,
        "SDQ1",
        ["157"],
        "16th birthday 1 April 2025, after the end",
    ),
    (
        "sdq1a16end",
        date(2009, 3, 31),
        True,
        NA,
        "SDQ1",
        ["157"],
        "16th birthday on the end day: A16 >= end",
    ),
    (
        "sdq1a16before",
        date(2009, 3, 30),
        True,
        NA,
        "SDQ1",
        [],
        "16th birthday 30 March 2025: the validator allows SDQ1",
    ),
    (
        "sdq1turns4",
        date(2020, 4, 2),
        True,
        NA,
        "SDQ1",
        [],
        "under 4 at the start of the year: SDQ1 allowed",
    ),
    ("sdq1turns17", date(2007, 10, 1), True, NA, "SDQ1", [], "turns 17 in the year: SDQ1 allowed"),
    (
        "sdq1notLA",
        date(2015, 6, 1),
        False,
        NA,
        "SDQ1",
        ["198"],
        "157 only applies to children looked after; 198 does",
    ),
    # 185 / 198 not looked after for 12 months
    (
        "notLAscore",
        date(2015, 6, 1),
        False,
        10,
        NA,
        ["185"],
        "no score for a child not looked after 12 months",
    ),
    ("notLAreason", date(2015, 6, 1), False, NA, "SDQ4", ["198"], "no reason either"),
    ("notLAblank", date(2015, 6, 1), False, NA, NA, [], "nothing expected, nothing given"),
    ("ok", date(2015, 6, 1), True, 14, NA, [], "a valid score"),
]


@pytest.mark.parametrize(
    ("child", "dob", "la", "score", "reason", "rules", "why"),
    RULE_ROWS,
    ids=[r[0] for r in RULE_ROWS],
)
def test_rule(
    child: str, dob: date, la: bool, score: Any, reason: Any, rules: list[str], why: str
) -> None:
    frame = pd.DataFrame(
        {"CHILD": [child], "DOB": [dob], "SDQ_SCORE": [score], "SDQ_REASON": [reason]}, dtype=object
    )
    found = validate_oc2_sdq(frame, YEAR, {child} if la else set())
    assert [p.rule for p in found] == rules, why
    assert all(p.child == child for p in found)


def test_dob_as_903_text() -> None:
    frame = pd.DataFrame(
        {"CHILD": ["1"], "DOB": ["02/04/2020"], "SDQ_SCORE": [NA], "SDQ_REASON": [NA]}
    )
    assert [p.rule for p in validate_oc2_sdq(frame, YEAR, {"1": True})] == ["197B"]


@pytest.mark.parametrize(
    ("dob", "rules", "why"),
    [
        ("02/04/2020", ["197B"], "DD/MM/YYYY: 4th birthday 2 April 2024, in the year"),
        (date(2020, 4, 2), ["197B"], "a date object is a date"),
        ("2020-04-02", [], "ISO text: the DfE reads it as blank, so no age rule checks the child"),
        ("04/02/2020", ["186"], "read day first: 4 February 2020 is 4 at the start"),
        ("", [], "blank"),
    ],
)
def test_dob_text_is_read_as_the_dfe_reads_it(dob: Any, rules: list[str], why: str) -> None:
    frame = pd.DataFrame(
        {"CHILD": ["1"], "DOB": [dob], "SDQ_SCORE": [NA], "SDQ_REASON": [NA]}, dtype=object
    )
    assert [p.rule for p in validate_oc2_sdq(frame, YEAR, {"1"})] == rules, why


# --- the export -------------------------------------------------------------------------------


def _children(rows: list[tuple[str, date, bool, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["CHILD", "DOB", "looked_after_12m", "SDQ_REASON"])


def _forms(rows: list[tuple[str, date, str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["CHILD", "date", "informant", "total"])


def test_export_varied_set() -> None:
    children = _children(
        [
            ("latest", date(2014, 6, 1), True, NA),
            ("teacherOnly", date(2013, 1, 1), True, NA),
            ("outsideYear", date(2012, 9, 9), True, NA),
            ("lastUnscored", date(2011, 5, 5), True, NA),
            ("refused", date(2010, 7, 7), True, "SDQ2"),
            ("disability", date(2016, 2, 2), True, "SDQ3"),
            ("ypRefused", date(2009, 8, 8), True, "SDQ5"),
            ("turns17", date(2007, 10, 1), True, NA),
            ("assessedAt3", date(2020, 10, 1), True, NA),
            ("under4", date(2021, 4, 1), True, "SDQ2"),
            ("over17", date(2007, 3, 31), True, NA),
            ("notLA", date(2014, 6, 1), False, NA),
            ("scoreBeatsReason", date(2014, 6, 1), True, "SDQ2"),
            ("at4start", date(2020, 4, 1), True, NA),
            ("turns17Refused", date(2007, 10, 1), True, "SDQ2"),
            ("assessedAt3Other", date(2020, 10, 1), True, "SDQ4"),
        ]
    )
    forms = _forms(
        [
            ("latest", date(2024, 5, 1), "parent", 18),
            ("latest", date(2025, 2, 1), "parent", 14),
            ("latest", date(2025, 3, 1), "teacher", 30),  # not carer-completed
            ("teacherOnly", date(2024, 10, 1), "teacher", 20),
            ("outsideYear", date(2024, 3, 31), "parent", 22),  # day before the year
            ("outsideYear", date(2025, 4, 1), "parent", 23),  # day after the year
            ("lastUnscored", date(2024, 6, 1), "parent", 16),
            ("lastUnscored", date(2025, 1, 1), "parent", NA),  # could not be scored
            ("assessedAt3", date(2024, 8, 1), "parent", 12),  # aged 3 at the assessment
            ("under4", date(2025, 1, 1), "parent", 10),
            ("over17", date(2024, 6, 1), "parent", 10),
            ("notLA", date(2024, 6, 1), "parent", 10),
            ("scoreBeatsReason", date(2024, 12, 24), "parent", 0),
            ("at4start", date(2024, 4, 1), "parent", 7),  # 4th birthday that day
            ("assessedAt3Other", date(2024, 8, 1), "parent", 12),  # aged 3 at the assessment
        ]
    )
    export = ssda903_sdq(children, forms, YEAR)
    got = {
        r.CHILD: (None if pd.isna(r.SDQ_SCORE) else int(r.SDQ_SCORE), r.SDQ_REASON)
        for r in export.itertuples(index=False)
    }
    assert got == {
        "latest": (14, None),  # latest carer form in the year
        "teacherOnly": (None, "SDQ4"),  # teacher forms do not count; no reason given
        "outsideYear": (None, "SDQ4"),  # forms outside 1 Apr 2024 - 31 Mar 2025 ignored
        "lastUnscored": (16, None),  # the latest form WITH a total
        "refused": (None, "SDQ2"),
        "disability": (None, "SDQ3"),
        "ypRefused": (None, "SDQ5"),
        "turns17": (None, "SDQ1"),  # no form; 17 by the end of the year
        "assessedAt3": (None, "SDQ1"),  # under 4 at the date of the latest assessment
        "under4": (None, None),  # under 4 at the end: neither (188)
        "over17": (None, None),  # 17 at the start: neither (189)
        "scoreBeatsReason": (0, None),  # a score of 0 is a score; 197a forbids both
        "at4start": (7, None),
        # What the team recorded wins over the SDQ1 the age would give (both are valid).
        "turns17Refused": (None, "SDQ2"),
        "assessedAt3Other": (None, "SDQ4"),
    }
    assert "notLA" not in got
    assert list(export.columns) == ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON"]
    # Dates as the SSDA903 specification writes them, read back the way the DfE rules do.
    assert export["DOB"].iloc[0] == "01/06/2014"  # "latest", born 1 June 2014
    dfe = read_dob_as_the_dfe_does(export["DOB"])
    assert dict(zip(export["CHILD"], dfe.dt.date)) == {
        child: dob
        for child, dob, la in children[["CHILD", "DOB", "looked_after_12m"]].itertuples(index=False)
        if la
    }
    assert validate_oc2_sdq(export, YEAR, set(export["CHILD"])) == []


OC2_COLUMNS = [  # docs/change.md (SSDA903 OC2 SDQ): OC2 has 12 columns, in this order
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
]


def test_export_in_the_full_oc2_layout_as_csv() -> None:
    children = _children(
        [("c1", date(2015, 6, 1), True, "SDQ3"), ("c2", date(2012, 11, 3), True, NA)]
    )
    forms = _forms([("c2", date(2024, 9, 30), "parent", 17)])
    export = ssda903_sdq(children, forms, YEAR, layout="oc2")
    assert list(export.columns) == OC2_COLUMNS
    back = pd.read_csv(io.StringIO(export.to_csv(index=False)), dtype=str, keep_default_na=False)
    assert back.values.tolist() == [
        ["c1", "01/06/2015", "", "SDQ3"] + [""] * 8,
        ["c2", "03/11/2012", "17", ""] + [""] * 8,
    ]
    assert read_dob_as_the_dfe_does(back["DOB"]).dt.date.tolist() == [
        date(2015, 6, 1),
        date(2012, 11, 3),
    ]
    sdq_only = ssda903_sdq(children, forms, YEAR)
    assert list(sdq_only.columns) == OC2_COLUMNS[:4]
    with pytest.raises(ValueError, match=r"^layout 'OC2': expected one of sdq, oc2$"):
        ssda903_sdq(children, forms, YEAR, layout="OC2")


def test_export_refuses_sdq1_for_a_child_aged_4_to_16() -> None:
    children = _children([("c1", date(2015, 6, 1), True, "SDQ1")])
    with pytest.raises(
        ValidationFailed, match=r"CHILD c1: SDQ_REASON: rule 157: Child is aged 4 years"
    ):
        ssda903_sdq(children, _forms([]), YEAR)


def test_export_refuses_an_invalid_reason() -> None:
    children = _children([("c1", date(2015, 6, 1), True, "sdq2")])
    with pytest.raises(
        ValidationFailed,
        match=r"CHILD c1: SDQ_REASON: rule 196: Strengths and Difficulties \(SDQ\) reason is not a valid code\.$",
    ):
        ssda903_sdq(children, _forms([]), YEAR)


def test_export_names_missing_columns() -> None:
    with pytest.raises(
        ValidationFailed,
        match=r"^cannot build the OC2 SDQ export:\nchildren: looked_after_12m: column 'looked_after_12m' is missing$",
    ):
        ssda903_sdq(pd.DataFrame({"CHILD": [], "DOB": []}), _forms([]), YEAR)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2003, 1, 1), max_value=date(2024, 12, 31)),
            st.booleans(),
            st.sampled_from([None, "SDQ2", "SDQ3", "SDQ4", "SDQ5"]),
            st.lists(
                st.tuples(
                    st.dates(min_value=date(2023, 10, 1), max_value=date(2025, 6, 30)),
                    st.sampled_from(["parent", "teacher", "self"]),
                    st.one_of(st.none(), st.integers(0, 40)),
                ),
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_export_is_always_valid(
    rows: list[tuple[date, bool, Any, list[tuple[date, str, Any]]]],
) -> None:
    children = _children(
        [(f"C{i}", dob, la, reason) for i, (dob, la, reason, _) in enumerate(rows)]
    )
    forms = _forms(
        [
            (f"C{i}", d, inf, tot)
            for i, (dob, _, _, fs) in enumerate(rows)
            for d, inf, tot in fs
            if d >= dob
        ]
    )
    export = ssda903_sdq(children, forms, YEAR)
    assert validate_oc2_sdq(export, YEAR, set(export["CHILD"])) == []
    assert len(export) == sum(1 for _, la, _, _ in rows if la)
    dfe = read_dob_as_the_dfe_does(export["DOB"])
    assert dfe.dt.date.tolist() == [dob for dob, la, _, _ in rows if la]


# --- continuity from legal-status periods -----------------------------------------------------

LA = "looked_after"


@pytest.mark.parametrize(
    ("periods", "expected", "why"),
    [
        ([(LA, date(2024, 4, 1), None)], True, "from the first day of the year, ongoing"),
        ([(LA, date(2024, 4, 2), None)], False, "one day short of 12 months at 31 March"),
        ([(LA, date(2019, 1, 1), date(2025, 3, 31))], True, "ended on 31 March itself"),
        ([(LA, date(2019, 1, 1), date(2025, 3, 30))], False, "ended before 31 March"),
        (
            [(LA, date(2019, 1, 1), date(2024, 6, 30)), (LA, date(2024, 7, 1), None)],
            True,
            "back-to-back periods join",
        ),
        (
            [(LA, date(2019, 1, 1), date(2024, 6, 30)), (LA, date(2024, 7, 2), None)],
            False,
            "a one-day gap breaks continuity",
        ),
        ([("kinship_care", date(2019, 1, 1), None)], False, "not looked after"),
        (
            [(LA, date(2019, 1, 1), date(2024, 6, 30)), ("kinship_care", date(2024, 7, 1), None)],
            False,
            "left care in the year",
        ),
    ],
)
def test_looked_after_continuously(
    periods: list[tuple[str, date, date | None]], expected: bool, why: str
) -> None:
    assert looked_after_continuously(periods, YEAR) is expected, why


def _case(
    n: int,
    dob: date,
    periods: list[tuple[str, date, date | None]],
    measures: list[dict[str, Any]],
    not_completed: list[tuple[int, str, date]] = [],  # noqa: B006 - never mutated
) -> Any:
    from tswt_formulation.model.case import Case

    *history, current = periods
    return Case.model_validate(
        {
            "case_id": f"TSW-{n:06d}",
            "synthetic": True,
            "child": {
                "case_management_ref": f"LA{n}",
                "date_of_birth": dob,
                "sex": "female",
                "legal_status": {"status": current[0], "start": current[1]},
                "legal_status_history": [
                    {"status": s, "start": a, "end": b} for s, a, b in history
                ],
            },
            "referral": {
                "received": date(2024, 1, 15),
                "referrer": {"name": "Synthetic", "role": "social_worker"},
            },
            "measures": measures,
            "sdq_not_completed": [
                {"collection_year": y, "reason": r, "recorded": d} for y, r, d in not_completed
            ],
        }
    )


def _sdq(day: date, informant: str, total: int) -> dict[str, Any]:
    # A stand-in response set: the fake scorer below reads the total from item "t".
    return {
        "measure": "sdq",
        "version": "P4-17",
        "informant": informant,
        "date": day,
        "timepoint": "baseline",
        "responses": {"t": total},
    }


def test_from_cases_with_a_given_scorer() -> None:
    calls: list[tuple[str, str, int]] = []

    def fake_score(measure: str, df: pd.DataFrame, informant: str) -> pd.DataFrame:
        calls.append((measure, informant, len(df)))
        return pd.DataFrame({"total": df["t"].to_numpy()})

    cases = [
        _case(
            1,
            date(2014, 6, 1),
            [(LA, date(2022, 1, 1), None)],
            [
                _sdq(date(2024, 6, 1), "parent", 18),
                _sdq(date(2025, 1, 10), "parent", 11),
                _sdq(date(2025, 1, 11), "teacher", 25),
            ],
        ),
        _case(
            2,
            date(2013, 6, 1),
            [(LA, date(2020, 1, 1), date(2024, 5, 31)), (LA, date(2024, 6, 1), None)],
            [],
        ),
        _case(
            3,
            date(2013, 6, 1),
            [(LA, date(2024, 9, 1), None)],
            [_sdq(date(2024, 12, 1), "parent", 9)],
        ),
    ]
    export = ssda903_from_cases(cases, YEAR, score_fn=fake_score, reasons={"LA2": "SDQ2"})
    assert export["CHILD"].tolist() == ["LA1", "LA2"]  # LA3 not looked after for 12 months
    assert export["SDQ_SCORE"].iloc[0] == 11
    assert pd.isna(export["SDQ_SCORE"].iloc[1]) and export["SDQ_REASON"].iloc[1] == "SDQ2"
    assert export["DOB"].tolist() == ["01/06/2014", "01/06/2013"]
    assert sorted(calls) == [("sdq", "parent", 3), ("sdq", "teacher", 1)]
    assert validate_oc2_sdq(export, YEAR, {"LA1", "LA2"}) == []


def test_from_cases_uses_the_reason_recorded_for_the_year() -> None:
    def fake_score(measure: str, df: pd.DataFrame, informant: str) -> pd.DataFrame:
        return pd.DataFrame({"total": df["t"].to_numpy()})

    always: list[tuple[str, date, date | None]] = [(LA, date(2019, 1, 1), None)]
    cases = [
        # scored in the year: the score, whatever was recorded (197a forbids both)
        _case(
            1,
            date(2014, 6, 1),
            always,
            [_sdq(date(2024, 9, 1), "parent", 9)],
            [(2025, "SDQ2", date(2025, 1, 5))],
        ),
        # the reason recorded for 2024-25, not the one for 2023-24
        _case(
            2,
            date(2013, 6, 1),
            always,
            [],
            [(2024, "SDQ2", date(2024, 3, 1)), (2025, "SDQ3", date(2025, 2, 1))],
        ),
        # a reason only for another year: nothing recorded for this one, so SDQ4 (other)
        _case(3, date(2012, 6, 1), always, [], [(2024, "SDQ5", date(2024, 3, 1))]),
        # the child refused; recorded after the year ended, while the return was prepared
        _case(4, date(2010, 6, 1), always, [], [(2025, "SDQ5", date(2025, 5, 20))]),
        # under 4 at the end of the year: neither (188), whatever was recorded
        _case(
            5,
            date(2021, 6, 1),
            [(LA, date(2021, 6, 1), None)],
            [],
            [(2025, "SDQ2", date(2025, 1, 5))],
        ),
        # nothing recorded; turns 17 in the year, no form: SDQ1 from the age
        _case(6, date(2007, 10, 1), always, []),
    ]
    export = ssda903_from_cases(cases, YEAR, score_fn=fake_score)
    got = {
        r.CHILD: (None if pd.isna(r.SDQ_SCORE) else r.SDQ_SCORE, r.SDQ_REASON)
        for r in export.itertuples()
    }
    assert got == {
        "LA1": (9, None),
        "LA2": (None, "SDQ3"),
        "LA3": (None, "SDQ4"),
        "LA4": (None, "SDQ5"),
        "LA5": (None, None),
        "LA6": (None, "SDQ1"),
    }
    # a reason given by the caller is used instead of the recorded one
    export = ssda903_from_cases(cases[1:2], YEAR, score_fn=fake_score, reasons={"LA2": "SDQ4"})
    assert export["SDQ_REASON"].tolist() == ["SDQ4"]


def test_validate_accepts_a_boolean_series() -> None:
    frame = pd.DataFrame(
        {
            "CHILD": ["1", "2"],
            "DOB": [date(2015, 6, 1)] * 2,
            "SDQ_SCORE": [10, 10],
            "SDQ_REASON": [NA, NA],
        }
    )
    flags = pd.Series([True, False], index=["1", "2"])
    assert [(p.child, p.rule) for p in validate_oc2_sdq(frame, YEAR, flags)] == [("2", "185")]


def test_looked_after_as_a_nullable_boolean_series() -> None:
    # pandas' nullable booleans: True counts, False and missing do not (a missing value
    # once raised "boolean value of NA is ambiguous").
    from tswt_formulation.measures.ssda903 import _looked_after_set

    flags = pd.Series([True, pd.NA, False], index=["A", "B", "C"], dtype="boolean")
    assert _looked_after_set(pd.DataFrame(), flags) == {"A"}
    assert _looked_after_set(pd.DataFrame(), pd.Series([True, False], index=["A", "C"])) == {"A"}
