"""score(): hand-worked cases, published reference vectors, bands, errors and properties.

Expected values come from outside our code: cases worked by hand from docs/measures.md ("The SDQ")
(data/sdq_hand_cases.yaml, each with its reason), the awell-score SDQ test vectors and the
youthinmind scoring guide's statements (tests/data/reference/sdq/sdq_cases.json), and the
youthinmind band table (sdq_bands_4to17_youthinmind_2016.csv).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tswt_formulation.errors import ScoringError
from tswt_formulation.measures import (
    load_definition_file,
    load_measure,
    score,
    score_administrations,
)

from ..conftest import REFERENCE as SHARED_REFERENCE
from ..conftest import reference_file

HERE = Path(__file__).parent
REFERENCE = SHARED_REFERENCE / "sdq"
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "example_wellbeing.yaml"
)
SUBSCALES = {
    "emotional": ["3", "8", "13", "16", "24"],
    "conduct": ["5", "7", "12", "18", "22"],
    "hyperactivity": ["2", "10", "15", "21", "25"],
    "peer": ["6", "11", "14", "19", "23"],
    "prosocial": ["1", "4", "9", "17", "20"],
}
REVERSED = {"7", "11", "14", "21", "25"}
IMPACT_COLUMNS = {
    "parent": ["pdistres", "pimphome", "pimpfrie", "pimpclas", "pimpleis"],
    "self": ["sdistres", "simphome", "simpfrie", "simpclas", "simpleis"],
    "teacher": ["tdistres", "timpfrie", "timpclas"],
}


_need = reference_file


def _value(frame: pd.DataFrame, row: Any, col: str) -> int | None:
    v = frame.loc[row, col]
    return None if pd.isna(v) else int(v)


# --- hand-worked cases ----------------------------------------------------------------------

HAND = yaml.safe_load((HERE / "data" / "sdq_hand_cases.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", HAND, ids=[c["id"] for c in HAND])
def test_hand_worked_case(case: dict[str, Any]) -> None:
    df = pd.DataFrame([{k: (np.nan if v is None else v) for k, v in case["responses"].items()}])
    out = score("sdq", df, informant=case["informant"])
    got = {k: _value(out, 0, k) for k in case["expected"]}
    assert got == case["expected"], case["reason"]


# --- awell-score vectors and youthinmind's statements -----------------------------------------


def _reference() -> dict[str, Any]:
    return json.loads(_need(REFERENCE / "sdq_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("informant", ["parent", "teacher", "self"])
def test_awell_reference_vectors(informant: str) -> None:
    data = _reference()
    rows, expected = [], []
    for case in data["cases"]:
        row: dict[str, Any] = {str(k): v for k, v in case["items_raw"].items()}  # raw, un-keyed
        row.update(
            zip(IMPACT_COLUMNS[informant], case["impact_items_raw"][informant])
        )  # raw impact codes
        rows.append(row)  # no overall-difficulties column: awell has none, items are summed
        exp = {k: v for k, v in case["expected"].items() if not k.startswith("impact")}
        exp["impact"] = case["expected"][f"impact_{informant}"]
        expected.append(exp)
    out = score(
        "sdq",
        pd.DataFrame(rows, columns=sorted({c for r in rows for c in r}) or None),
        informant=informant,
    )
    for i, exp in enumerate(expected):
        assert {k: _value(out, i, k) for k in exp} == exp, data["cases"][i]["id"]


def test_youthinmind_prorating_example() -> None:
    ex = next(e for e in _reference()["documented_examples"] if e["id"] == "YIM_prorate_example")
    # raw_sum 4 on answered_items 3 -> expected_scaled 7: emotional items 3, 8, 13 = 2, 1, 1
    assert ex["answered_items"] == 3 and ex["raw_sum"] == 4
    out = score("sdq", pd.DataFrame({"3": [2], "8": [1], "13": [1]}), informant="parent")
    assert out.loc[0, "emotional"] == ex["expected_scaled"]


@pytest.mark.parametrize("rule", ["total_missing", "impact_no"])
def test_youthinmind_statements(rule: str) -> None:
    if (
        rule == "total_missing"
    ):  # "Total difficulties ... counted as missing if one of the 4 component scores is missing"
        row = {i: 0 for s in ("emotional", "conduct", "hyperactivity") for i in SUBSCALES[s]}
        out = score("sdq", pd.DataFrame([row]), informant="parent")
        assert pd.isna(out.loc[0, "peer"]) and pd.isna(out.loc[0, "total"])
    else:  # "answered 'no' to the first question ... the impact score is automatically scored zero"
        out = score("sdq", pd.DataFrame({"pebddiff": [0], "pdistres": [3]}), informant="parent")
        assert out.loc[0, "impact"] == 0


def test_official_rounding_edge_cases() -> None:
    """Derived from the official rule (labelled not independent in the JSON), checked by hand."""
    cases = _reference()["derived_from_official_syntax_NOT_independent"]
    rows, expected = [], []
    for c in cases:
        keyed = [2] * (c["raw_sum"] // 2) + [1] * (c["raw_sum"] % 2)
        keyed += [0] * (c["answered"] - len(keyed))
        rows.append(dict(zip(SUBSCALES["emotional"], keyed)))
        expected.append(c["expected"])
    out = score("sdq", pd.DataFrame(rows), informant="parent")
    assert [_value(out, i, "emotional") for i in range(len(rows))] == expected


# --- bands: both sides of every boundary, from the youthinmind CSV ----------------------------


def _keyed_to_raw(scale: str, keyed: list[int]) -> dict[str, int]:
    return {i: (2 - k if i in REVERSED else k) for i, k in zip(SUBSCALES[scale], keyed)}


def _row_for(scale: str, value: int, informant: str) -> dict[str, int]:
    """Responses whose `scale` score is `value` (by construction, 5 items answered)."""
    if scale == "impact":
        cols = IMPACT_COLUMNS[informant]
        points = [2] * (value // 2) + [1] * (value % 2) + [0] * len(cols)
        return {
            informant[0] + "ebddiff": 2,
            **{c: {0: 0, 1: 2, 2: 3}[p] for c, p in zip(cols, points)},
        }
    if scale == "total":
        row: dict[str, int] = {}
        left = value
        for s in ("emotional", "conduct", "hyperactivity", "peer"):
            part = min(left, 10)
            left -= part
            row.update(_row_for(s, part, informant))
        return row
    keyed = [2] * (value // 2) + [1] * (value % 2)
    return _keyed_to_raw(scale, keyed + [0] * (5 - len(keyed)))


def _band_rows() -> list[dict[str, str]]:
    with _need(REFERENCE / "sdq_bands_4to17_youthinmind_2016.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("informant", ["parent", "teacher", "self"])
def test_every_band_boundary(informant: str) -> None:
    rows = [r for r in _band_rows() if r["informant"] == informant]
    checks = []  # (scale, score, column, expected category)
    for r in rows:
        col = f"{r['scale']}_band{'3' if r['system'] == 'three_band' else '4'}"
        for v in {int(r["min_score"]), int(r["max_score"])}:
            checks.append((r["scale"], v, col, r["category"]))
    frame = pd.DataFrame([_row_for(scale, v, informant) for scale, v, _, _ in checks])
    age = 12  # inside 4-17 and 11-17
    out = score("sdq", frame, informant=informant, age=age)
    for i, (scale, v, col, cat) in enumerate(checks):
        assert out.loc[i, scale] == v, (scale, v)
        assert out.loc[i, col] == cat, (informant, scale, v, col)


def test_neighbours_of_every_boundary_fall_on_either_side() -> None:
    """For each category edge, the score one beyond it is in a different category."""
    out_by_inf: dict[str, list[tuple[str, int, str, str]]] = {}
    for informant in ("parent", "teacher", "self"):
        rows = [r for r in _band_rows() if r["informant"] == informant]
        for r in rows:
            lo, hi = int(r["min_score"]), int(r["max_score"])
            for outside in (lo - 1, hi + 1):
                top = (
                    6
                    if (r["scale"] == "impact" and informant == "teacher")
                    else 40
                    if r["scale"] == "total"
                    else 10
                )
                if 0 <= outside <= top:
                    out_by_inf.setdefault(informant, []).append(
                        (r["scale"], outside, r["system"], r["category"])
                    )
    for informant, checks in out_by_inf.items():
        frame = pd.DataFrame([_row_for(s, v, informant) for s, v, _, _ in checks])
        out = score("sdq", frame, informant=informant, age=12)
        for i, (scale, _v, system, cat) in enumerate(checks):
            assert out.loc[i, f"{scale}_band{'3' if system == 'three_band' else '4'}"] != cat


P24_THREE_BAND = {  # docs/measures.md (The SDQ, ages 2-4): borderline from / abnormal from (parent, 2-4, provisional)
    "total": (13, 16),
    "emotional": (3, 4),
    "conduct": (4, 5),
    "hyperactivity": (6, 7),
    "peer": (3, 4),
}


@pytest.mark.parametrize("scale", list(P24_THREE_BAND) + ["prosocial"])
def test_parent_2_to_4_bands(scale: str) -> None:
    if scale == "prosocial":  # lower is worse: borderline from 6 down, abnormal from 5 down
        checks = [(7, "normal"), (6, "borderline"), (5, "abnormal")]
    else:
        b, a = P24_THREE_BAND[scale]
        checks = [(b - 1, "normal"), (b, "borderline"), (a - 1, "borderline"), (a, "abnormal")]
    frame = pd.DataFrame([_row_for(scale, v, "parent") for v, _ in checks])
    out = score("sdq", frame, informant="parent", age=3)
    assert list(out["version"]) == ["P2-4"] * len(checks)
    assert list(out[f"{scale}_band3"]) == [c for _, c in checks]
    assert out[f"{scale}_band4"].isna().all()  # no four-band table for 2-4
    assert out["impact_band3"].isna().all()


@pytest.mark.parametrize(
    ("informant", "age", "version"),
    [("parent", 19, "P18+"), ("self", 25, "S18+"), ("teacher", 3, "T2-4")],
)
def test_forms_without_bands_report_continuous_scores_only(
    informant: str, age: int, version: str
) -> None:
    frame = pd.DataFrame([_row_for("total", 30, informant)])
    out = score("sdq", frame, informant=informant, age=age)
    assert out.loc[0, "version"] == version and out.loc[0, "total"] == 30
    band_cols = [c for c in out.columns if "_band" in c]
    assert band_cols and out[band_cols].isna().all().all()


def test_version_column_and_age_column_per_row() -> None:
    frame = pd.DataFrame([_row_for("total", 15, "parent")] * 3)
    frame["age"] = [3, 10, 18]
    out = score("sdq", frame, informant="parent")
    assert list(out["version"]) == ["P2-4", "P4-17", "P18+"]
    assert list(out["total_band3"].astype(object).where(out["total_band3"].notna(), None)) == [
        "borderline",
        "borderline",
        None,
    ]


# --- columns: aliases, long form, pass-through -------------------------------------------------


def _random_wide(n: int, seed: int, informant: str = "parent") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = rng.integers(0, 3, size=(n, 25)).astype(float)
    items[rng.random((n, 25)) < 0.15] = np.nan
    frame = pd.DataFrame(items, columns=[str(i) for i in range(1, 26)])
    cols = IMPACT_COLUMNS[informant]
    imp = rng.integers(0, 4, size=(n, len(cols))).astype(float)
    imp[rng.random(imp.shape) < 0.3] = np.nan
    frame[cols] = imp
    frame[informant[0] + "ebddiff"] = rng.integers(0, 4, size=n)
    frame.insert(0, "case_id", [f"TSW-{i:06d}" for i in range(n)])
    return frame


def test_official_syntax_names_score_like_item_numbers() -> None:
    sdq = load_measure("sdq")
    wide = _random_wide(300, 1)
    by_alias = wide.rename(
        columns={str(i): sdq.item_by_id[str(i)].aliases["parent"] for i in range(1, 26)}
    )
    upper = wide.rename(
        columns={str(i): sdq.item_by_id[str(i)].aliases["syntax"].upper() for i in range(1, 26)}
    )
    a = score("sdq", wide, informant="parent")
    pd.testing.assert_frame_equal(a, score("sdq", by_alias, informant="parent"))
    pd.testing.assert_frame_equal(a, score("sdq", upper, informant="parent"))


def test_long_form_equals_wide_form() -> None:
    wide = _random_wide(200, 2, "teacher").rename(columns={"case_id": "administration"})
    long = wide.melt(id_vars="administration", var_name="item", value_name="value").dropna(
        subset=["value"]
    )
    a = score("sdq", wide.set_index("administration"), informant="teacher")
    b = score("sdq", long, informant="teacher")
    pd.testing.assert_frame_equal(
        a.loc[b.index, load_measure("sdq").scores], b[load_measure("sdq").scores]
    )
    assert len(b) == 200


def test_id_columns_pass_through_and_index_kept() -> None:
    frame = pd.DataFrame(
        {
            "case_id": ["TSW-000001", "TSW-000002"],
            "timepoint": ["baseline", "closure"],
            "worker_note": ["x", "y"],
            "1": [2, 1],
        },
        index=[10, 20],
    )
    out = score("sdq", frame, informant="parent", id_columns=["worker_note"])
    assert list(out.index) == [10, 20]
    assert list(out.columns[:5]) == ["case_id", "timepoint", "worker_note", "informant", "version"]
    assert list(out["worker_note"]) == ["x", "y"]


# --- bad input: one problem per cell, messages pinned ------------------------------------------


def test_value_outside_coding_names_row_and_column() -> None:
    frame = pd.DataFrame({"pconsid": [0, 1, 2, 1, 3]})
    with pytest.raises(
        ScoringError, match=r"^row 4: column pconsid: value 3 is outside the response coding 0-2$"
    ):
        score("sdq", frame, informant="parent")


def test_every_bad_cell_is_reported() -> None:
    frame = pd.DataFrame(
        {"1": [0, 5, 1.5], "pdistres": [4, 0, 0], "pebddiff": [0, 0, -1]}, index=["a", "b", "c"]
    )
    with pytest.raises(ScoringError) as info:
        score("sdq", frame, informant="parent")
    assert str(info.value).splitlines() == [
        "row a: column pdistres: value 4 is outside the response coding 0-3",
        "row b: column 1: value 5 is outside the response coding 0-2",
        "row c: column 1: value 1.5 is outside the response coding 0-2",
        "row c: column pebddiff: value -1 is outside the response coding 0-3",
    ]


def test_text_is_not_coerced() -> None:
    frame = pd.DataFrame({"1": pd.Series([1, "2"], dtype=object)})
    with pytest.raises(
        ScoringError,
        match=r"^row 1: column 1: value '2' is not a number in the response coding 0-2$",
    ):
        score("sdq", frame, informant="parent")


def test_unknown_column() -> None:
    with pytest.raises(
        ScoringError,
        match=r"^sdq: column pconsidd: not an item of sdq \(an item id such as 1 or an alias such as pconsid\) nor an id column; keep it as an id column \(id_columns=\['pconsidd'\] in Python, --id-column pconsidd on the command line\) or drop it$",
    ):
        score("sdq", pd.DataFrame({"pconsidd": [1]}), informant="parent")


def test_same_item_twice() -> None:
    with pytest.raises(
        ScoringError, match=r"^sdq: column pconsid: is item 1 again \(already given as column 1\)$"
    ):
        score("sdq", pd.DataFrame({"1": [1], "pconsid": [1]}), informant="parent")


def test_informant_the_measure_lacks() -> None:
    with pytest.raises(
        ScoringError,
        match=r"^sdq: informant: 'worker' is not an informant of sdq; expected one of parent, teacher, self$",
    ):
        score("sdq", pd.DataFrame({"1": [1]}), informant="worker")


def test_informant_column_value_the_measure_lacks() -> None:
    frame = pd.DataFrame({"informant": ["parent", "carer"], "1": [1, 1]})
    with pytest.raises(
        ScoringError,
        match=r"^row 1: column informant: 'carer' is not an informant of sdq; expected one of parent, teacher, self$",
    ):
        score("sdq", frame)


def test_informant_needed() -> None:
    with pytest.raises(
        ScoringError,
        match=r"^sdq: informant: missing: sdq has forms for parent, teacher, self; pass informant= or an informant column$",
    ):
        score("sdq", pd.DataFrame({"1": [1]}))


def test_age_outside_every_form() -> None:
    frame = pd.DataFrame({"age": [12, 9], "1": [1, 1]})
    with pytest.raises(
        ScoringError,
        match=r"^row 1: column age: 9 is outside the ages of every self version of sdq \(11-17, 18\+\)$",
    ):
        score("sdq", frame, informant="self")


def test_age_outside_the_given_version() -> None:
    with pytest.raises(
        ScoringError, match=r"^row 0: column age: 12 is outside the ages of version P2-4 \(2-4\)$"
    ):
        score("sdq", pd.DataFrame({"1": [1]}), informant="parent", version="P2-4", age=12)


def test_item_not_on_the_informants_form() -> None:
    frame = pd.DataFrame({"imphome": [3]})
    with pytest.raises(
        ScoringError,
        match=r"^row 0: column imphome: item impact_home is not on the teacher form \(only parent, self\)$",
    ):
        score("sdq", frame, informant="teacher")


def test_set_aside_scores_the_good_rows() -> None:
    frame = pd.DataFrame(
        {"case_id": ["A", "B", "C"], "3": [1, 7, 1], "8": [1, 1, 1], "13": [1, 1, 1]}
    )
    out = score("sdq", frame, informant="parent", on_error="set_aside")
    assert list(out["case_id"]) == ["A", "C"] and list(out["emotional"]) == [5, 5]
    aside = out.attrs["set_aside"]
    assert aside.to_dict("records") == [
        {"row": 1, "column": "3", "reason": "value 7 is outside the response coding 0-2"}
    ]


def test_unknown_measure() -> None:
    with pytest.raises(
        ScoringError, match=r"^nosuch: measure: no definition with this id; known: gbo, sdq$"
    ):
        score("nosuch", pd.DataFrame({"1": [1]}))


# --- other measures ------------------------------------------------------------------------------


def test_gbo_goals() -> None:
    frame = pd.DataFrame({"goal_1": [3, 10], "goal_2": [np.nan, 0], "3": [np.nan, np.nan]})
    out = score("gbo", frame, informant="self")
    assert out[["goal_1", "goal_2", "goal_3"]].astype(object).where(
        out[["goal_1", "goal_2", "goal_3"]].notna(), None
    ).values.tolist() == [[3, None, None], [10, 0, None]]
    with pytest.raises(
        ScoringError, match=r"^row 0: column goal_1: value 11 is outside the response coding 0-10$"
    ):
        score("gbo", pd.DataFrame({"goal_1": [11]}))


def test_team_measure_from_the_example_file() -> None:
    defn = load_definition_file(EXAMPLE)
    # mood: 1=4, 2=3, 3=1 (reversed 4-1=3) -> mean 10/3 x 3 = 10; energy: 4=2, 5=missing, 6=1 -> 3/2 x 3 = 4.5 -> 5
    frame = pd.DataFrame(
        {"ewb_calm": [4], "2": [3], "ewb_worry": [1], "4": [2], "5": [np.nan], "6": [1]}
    )
    out = score(defn, frame, informant="self", age=12)
    assert (out.loc[0, "mood"], out.loc[0, "energy"], out.loc[0, "total"]) == (10, 5, 15)
    assert out.loc[0, "total_band3"] == "normal"  # made-up bands: normal 14-24


# --- model objects -------------------------------------------------------------------------------


def test_score_administrations() -> None:
    from tswt_formulation.model import MeasureAdministration

    admins = [
        MeasureAdministration(
            measure="sdq",
            version="P4-17",
            informant="parent",
            date=date(2025, 1, 6),
            timepoint="baseline",
            responses={"3": 2, "8": 1, "13": 1, "16": None},
        ),
        MeasureAdministration(
            measure="gbo",
            version="GBO",
            informant="self",
            date=date(2025, 1, 6),
            timepoint="baseline",
            responses={"1": 4},
        ),
        MeasureAdministration(
            measure="sdq",
            version="P4-17",
            informant="parent",
            date=date(2025, 4, 6),
            timepoint="review 1",
            responses={"pconsid": 2},
        ),
    ]
    out = score_administrations(admins, age_by_admin=[9, None, 9])
    assert list(out.index) == [0, 1, 2]
    assert list(out["measure"]) == ["sdq", "gbo", "sdq"]
    assert out.loc[0, "emotional"] == 7 and out.loc[0, "emotional_band3"] == "abnormal"
    assert out.loc[1, "goal_1"] == 4 and pd.isna(out.loc[2, "emotional"])


# --- properties ----------------------------------------------------------------------------------

cell = st.one_of(st.none(), st.integers(0, 2))
rows_strategy = st.lists(st.lists(cell, min_size=25, max_size=25), min_size=1, max_size=30)


def _frame(rows: Sequence[Sequence[int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [[np.nan if v is None else v for v in r] for r in rows],
        columns=[str(i) for i in range(1, 26)],
        dtype=float,
    )


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.sampled_from(["parent", "teacher", "self"]))
def test_scores_stay_in_range(rows: list[list[int | None]], informant: str) -> None:
    sdq = load_measure("sdq")
    out = score(sdq, _frame(rows), informant=informant)
    for s in sdq.scores:
        lo, hi = sdq.score_range(s, informant)
        vals = out[s].dropna()
        assert ((vals >= lo) & (vals <= hi)).all(), s


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.sampled_from(sorted(REVERSED)))
def test_raising_a_reverse_keyed_item_never_raises_its_subscale(
    rows: list[list[int | None]], item: str
) -> None:
    scale = next(s for s, its in SUBSCALES.items() if item in its)
    frames = []
    for value in (0, 1, 2):
        f = _frame(rows)
        f[item] = float(value)
        frames.append(score("sdq", f, informant="parent")[scale])
    for lower, higher in pairwise(frames):
        both = lower.notna() & higher.notna()
        assert (higher[both] <= lower[both]).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=25, max_size=25), min_size=1, max_size=30))
def test_prorating_equals_the_plain_sum_when_nothing_is_missing(rows: list[list[int]]) -> None:
    out = score("sdq", _frame(rows), informant="parent")
    for i, r in enumerate(rows):
        raw = {str(k + 1): v for k, v in enumerate(r)}
        for scale, items in SUBSCALES.items():
            plain = sum(2 - raw[it] if it in REVERSED else raw[it] for it in items)
            assert out.loc[i, scale] == plain


def test_mixed_informants_in_one_frame_score_as_separately() -> None:
    def plain(frame: pd.DataFrame) -> pd.DataFrame:  # p/t-prefixed names -> syntax names
        return frame.rename(
            columns=lambda c: c[1:] if c[0] in "pt" and not c[1].isdigit() and c != "case_id" else c
        )

    parent = plain(_random_wide(50, 3, "parent"))
    teacher = plain(_random_wide(50, 4, "teacher"))
    both = pd.concat(
        [parent.assign(informant="parent"), teacher.assign(informant="teacher")], ignore_index=True
    )
    out = score("sdq", both)
    cols = load_measure("sdq").scores + ["total_band3", "impact_band4"]
    pd.testing.assert_frame_equal(
        out.loc[:49, cols], score("sdq", parent, informant="parent")[cols]
    )
    pd.testing.assert_frame_equal(
        out.loc[50:, cols].reset_index(drop=True), score("sdq", teacher, informant="teacher")[cols]
    )
