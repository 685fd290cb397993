"""change() and its helpers against hand-worked examples (docs/change.md, "Reliable change").

Every expected value is worked by hand in the comment beside it.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tswt_formulation.errors import ScoringError
from tswt_formulation.measures.change import (
    CATEGORIES,
    change,
    classify_change,
    cutoff_score,
    reliable_change_threshold,
    standard_error_difference,
    standard_error_measurement,
)
from tswt_formulation.measures.service import (
    baseline_vs_latest,
    category_counts,
    each_review_vs_baseline,
    not_on_track,
    service_summary,
    timepoint_rank,
    trajectory,
)

# --- constants: the worked example of docs/change.md ("Reliable change") ---------------------------------------------


def test_measures_md_worked_example() -> None:
    # SD 5, r .80: SEM = 5 x sqrt(.2) = 2.2361; S_diff = sqrt(2) x 2.2361 = 3.1623;
    # threshold = 1.959964 x 3.1623 = 6.198 (docs/change.md: "S_diff 3.162, threshold 6.198").
    assert standard_error_measurement(5, 0.80) == pytest.approx(2.23607, abs=1e-5)
    assert standard_error_difference(5, 0.80) == pytest.approx(3.16228, abs=1e-5)
    assert reliable_change_threshold(5, 0.80) == pytest.approx(6.19795, abs=1e-5)
    assert round(reliable_change_threshold(5, 0.80), 2) == 6.20


def test_threshold_uses_the_critical_value_given() -> None:
    # 1.96 x 3.16228 = 6.19807
    assert reliable_change_threshold(5, 0.80, critical_value=1.96) == pytest.approx(
        6.19807, abs=1e-5
    )


@pytest.mark.parametrize(
    ("sd", "r", "message"),
    [
        (5, 1.0, r"^change\(\): reliability: 1\.0 must be at least 0 and less than 1$"),
        (5, -0.1, r"^change\(\): reliability: -0\.1 must be at least 0 and less than 1$"),
        (0, 0.8, r"^change\(\): sd: 0 must be a positive number$"),
    ],
)
def test_helpers_reject_impossible_constants(sd: float, r: float, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        reliable_change_threshold(sd, r)


# --- reliable change -----------------------------------------------------------------------


def _pairs(pre: list[float], post: list[float], **extra: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"pre": pre, "post": post, **extra})


def test_threshold_integer_changes_sdq_total() -> None:
    # threshold 6.198 points: a change of 6 is not reliable, 7 is.
    out = change(_pairs([20, 20, 20, 20], [14, 13, 26, 27]), reliability=0.80, sd=5)
    assert out["difference"].tolist() == [-6, -7, 6, 7]
    assert out["reliable_change"].tolist() == ["none", "improved", "none", "deteriorated"]
    assert out["category"].tolist() == ["Unchanged", "Improved", "Unchanged", "Deteriorated"]
    # RCI = -7 / 3.16228 = -2.2136
    assert out["rci"].iloc[1] == pytest.approx(-2.21359, abs=1e-5)


def test_change_of_exactly_the_threshold_is_not_reliable() -> None:
    # SD 2, r .75: SEM = 2 x sqrt(.25) = 1 exactly; S_diff = sqrt(2); a change of
    # 2 sqrt(2) gives RCI = 2 exactly. With critical value 2 that is NOT reliable (strict).
    d = 2 * math.sqrt(2)
    out = change(_pairs([0.0, 0.0], [d, -d]), reliability=0.75, sd=2, critical_value=2.0)
    assert out["rci"].tolist() == [2.0, -2.0]
    assert out["reliable_change"].tolist() == ["none", "none"]
    # A hair over is reliable.
    out = change(_pairs([0.0], [-d * 1.000001]), reliability=0.75, sd=2, critical_value=2.0)
    assert out["reliable_change"].tolist() == ["improved"]


def test_direction_higher_is_better() -> None:
    # Prosocial / goals: a rise of 7 (> 6.198) is an improvement, a fall of 7 a deterioration.
    out = change(_pairs([3, 3, 3], [10, -4, 8]), reliability=0.80, sd=5, better="higher")
    assert out["reliable_change"].tolist() == ["improved", "deteriorated", "none"]
    assert out["category"].tolist() == ["Improved", "Deteriorated", "Unchanged"]
    assert out["rci"].iloc[0] > 0  # RCI keeps the sign of post - pre


def test_missing_pairs_are_flagged_and_excluded_from_the_sd() -> None:
    # Complete pre scores 10, 14, 18: mean 14, squares 16+0+16 = 32, sample SD sqrt(32/2) = 4.
    # The incomplete rows (pre 100, post 100) must not move it.
    pairs = _pairs(
        [10, 14, 18, np.nan, 100], [4, 14, 30, 5, np.nan], child=["A", "B", "C", "D", "E"]
    )
    out = change(pairs, reliability=0.80)
    assert out.attrs["sd_pre"] == pytest.approx(4.0)
    assert out.attrs["n_paired"] == 3
    assert out["paired"].tolist() == [True, True, True, False, False]
    assert out["child"].tolist() == ["A", "B", "C", "D", "E"]  # passed through
    unpaired = out[~out["paired"]]
    assert unpaired["difference"].isna().all() and unpaired["rci"].isna().all()
    assert unpaired["reliable_change"].isna().all() and unpaired["category"].isna().all()
    # threshold = 1.959964 x sqrt(2) x 4 x sqrt(.2) = 4.9584: -6 improved, 0 none, +12 worse.
    assert out["reliable_change"].iloc[:3].tolist() == ["improved", "none", "deteriorated"]


def test_population_sd_is_not_used() -> None:
    # Pre 10, 14, 18: population SD = sqrt(32/3) = 3.266, sample SD = 4.
    out = change(_pairs([10, 14, 18], [10, 14, 18]), reliability=0.5)
    assert out.attrs["sd_pre"] == pytest.approx(4.0)


def test_index_and_other_columns_survive() -> None:
    pairs = _pairs([20, 20], [10, 20], wave=["2025", "2025"]).set_index(pd.Index([7, 3]))
    out = change(pairs, reliability=0.80, sd=5)
    assert out.index.tolist() == [7, 3]
    assert list(out.columns[:3]) == ["pre", "post", "wave"]


def test_named_columns() -> None:
    pairs = pd.DataFrame({"baseline": [20], "latest": [10]})
    out = change(pairs, "baseline", "latest", reliability=0.80, sd=5)
    assert out["reliable_change"].tolist() == ["improved"]


def test_one_child_needs_the_sd_from_norms() -> None:
    with pytest.raises(
        ScoringError,
        match=r"^change\(\): sd: cannot estimate the SD from 1 complete pair\(s\); give sd \(from the measure's norms\)$",
    ):
        change(_pairs([20], [10]), reliability=0.80)


def test_missing_column_is_named() -> None:
    with pytest.raises(
        ScoringError,
        match=r"^change\(\): post: column 'post' is missing from pairs \(columns: pre, after\)$",
    ):
        change(pd.DataFrame({"pre": [1], "after": [2]}), reliability=0.8, sd=5)


def test_bad_direction() -> None:
    with pytest.raises(
        ScoringError, match=r"^change\(\): better: 'down' must be 'lower' or 'higher'$"
    ):
        change(_pairs([1], [2]), reliability=0.8, sd=5, better="down")  # type: ignore[arg-type]


def test_cutoff_b_needs_functional_norms() -> None:
    with pytest.raises(
        ScoringError, match=r"^change\(\): m_functional: missing: cut-off b needs m_functional$"
    ):
        change(_pairs([1, 2], [2, 3]), reliability=0.8, sd=5, cutoff="b")


# --- categories with a cut-off ----------------------------------------------------------------

# SD 5, r .80 (threshold 6.198), cut-off 15, lower is better. Each row: pre, post, category, why.
CATEGORY_ROWS = [
    (20, 10, "Recovered", "clinical at pre (20 > 15), functional at post (10 < 15), -10 reliable"),
    (30, 20, "Improved", "reliably better (-10) but 20 is still on the clinical side"),
    (20, 16, "Unchanged", "-4 is within the threshold"),
    (20, 30, "Deteriorated", "reliably worse (+10) but clinical at pre, so not harmed"),
    (5, 12, "Deteriorated", "reliably worse (+7) but still functional at post (12 < 15)"),
    (10, 20, "Harmed", "not clinical at pre, not functional at post, +10 reliable"),
    (15, 5, "Improved", "pre exactly on the cut-off is not clinical: not recovered"),
    (25, 15, "Improved", "post exactly on the cut-off is not functional: not recovered"),
    (15, 25, "Harmed", "pre exactly on the cut-off is not clinical; post 25 not functional"),
    (5, 15, "Harmed", "post exactly on the cut-off is not functional; +10 reliable"),
]


@pytest.mark.parametrize(("pre", "post", "category", "why"), CATEGORY_ROWS)
def test_category_lower_is_better(pre: float, post: float, category: str, why: str) -> None:
    out = change(_pairs([pre], [post]), reliability=0.80, sd=5, cutoff_value=15)
    assert out["category"].iloc[0] == category, why


def test_exactly_on_the_cutoff_is_neither_clinical_nor_functional() -> None:
    out = change(_pairs([15, 16, 14], [15, 14, 16]), reliability=0.80, sd=5, cutoff_value=15)
    assert out["clinical_pre"].tolist() == [False, True, False]
    assert out["functional_post"].tolist() == [False, True, False]


def test_category_higher_is_better_with_cutoff() -> None:
    # Prosocial-like, cut-off 6, higher better: clinical at pre is BELOW 6.
    out = change(
        _pairs([2, 8, 6, 5], [9, 1, 0, 6]), reliability=0.80, sd=5, better="higher", cutoff_value=6
    )
    # 2 -> 9: clinical, functional, +7 reliable -> Recovered
    # 8 -> 1: not clinical, not functional, -7 reliable -> Harmed
    # 6 -> 0: pre on the cut-off (not clinical), not functional, -6 not reliable -> Unchanged
    # 5 -> 6: post on the cut-off (not functional) -> Unchanged
    assert out["category"].tolist() == ["Recovered", "Harmed", "Unchanged", "Unchanged"]


def test_default_clinical_norms_are_the_sample_of_complete_pairs() -> None:
    # Complete pre 10, 14, 18 -> M_clin 14, SD_clin 4 (n-1); row with pre 40 is unpaired.
    pairs = _pairs([10, 14, 18, 40], [9, 13, 17, np.nan])
    a = change(pairs, reliability=0.8, sd=5, cutoff="a")
    assert a.attrs["cutoff"] == pytest.approx(14 - 2 * 4)  # a = 6
    b = change(pairs, reliability=0.8, sd=5, cutoff="b", m_functional=5, sd_functional=2)
    assert b.attrs["cutoff"] == pytest.approx(5 + 2 * 2)  # b (J&T, functional SD) = 9
    b_cs = change(
        pairs,
        reliability=0.8,
        sd=5,
        cutoff="b",
        m_functional=5,
        sd_functional=2,
        cutoff_b_sd="clinical",
    )
    assert b_cs.attrs["cutoff"] == pytest.approx(5 + 2 * 4)  # clinicalsignificance's b = 13
    c = change(pairs, reliability=0.8, sd=5, cutoff="c", m_functional=5, sd_functional=2)
    assert c.attrs["cutoff"] == pytest.approx((4 * 5 + 2 * 14) / (4 + 2))  # c = 8
    given = change(pairs, reliability=0.8, sd=5, cutoff="a", m_clinical=20, sd_clinical=3)
    assert given.attrs["cutoff"] == pytest.approx(14)


def test_cutoffs_higher_is_better() -> None:
    # a = M_clin + 2 SD_clin = 4 + 2 = 6; b = M_func - 2 SD_func = 8 - 3 = 5
    assert cutoff_score("a", better="higher", m_clinical=4, sd_clinical=1) == 6
    assert cutoff_score("b", better="higher", m_functional=8, sd_functional=1.5) == 5


def test_cutoff_value_overrides_cutoff_kind() -> None:
    out = change(_pairs([20, 30], [10, 20]), reliability=0.8, sd=5, cutoff="a", cutoff_value=25)
    assert out.attrs["cutoff"] == 25
    assert out["category"].tolist() == ["Improved", "Recovered"]


def test_unpaired_rows_with_cutoff_are_missing() -> None:
    out = change(_pairs([20, np.nan], [10, 10]), reliability=0.8, sd=5, cutoff_value=15)
    assert out["clinical_pre"].isna().tolist() == [False, True]
    assert out["functional_post"].isna().tolist() == [False, True]
    assert out["category"].isna().tolist() == [False, True]


def test_cutoff_only_without_reliability() -> None:
    # clinicalsignificance's statistical approach: categories from crossing the cut-off.
    out = change(_pairs([20, 10, 20, 10], [10, 20, 18, 12]), reliability=None, cutoff_value=15)
    assert out["category"].tolist() == ["Improved", "Deteriorated", "Unchanged", "Unchanged"]


def test_classify_change_vocabulary() -> None:
    assert set(CATEGORIES) == {"Recovered", "Improved", "Unchanged", "Deteriorated", "Harmed"}
    got = classify_change(["improved", None, "none"])
    assert got[0] == "Improved" and got[1] is None and got[2] == "Unchanged"


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=30))
def test_reliable_iff_change_beyond_the_raw_threshold(rows: list[tuple[int, int]]) -> None:
    # Integer changes never fall within 1e-3 of 6.198, so the two forms must agree.
    pairs = pd.DataFrame(rows, columns=["pre", "post"])
    out = change(pairs, reliability=0.80, sd=5)
    threshold = 6.19795
    expected = [
        "improved"
        if post - pre < -threshold
        else "deteriorated"
        if post - pre > threshold
        else "none"
        for pre, post in rows
    ]
    assert out["reliable_change"].tolist() == expected


@pytest.mark.parametrize("name", ["change", "service", "ssda903"])
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(f"tswt_formulation.measures.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- service level and trajectories (service.py) ---------------------------------------------


def _caseload() -> pd.DataFrame:
    # SD 5, r .80 -> threshold 6.198; cut-off 15.
    pairs = pd.DataFrame(
        {
            "wave": ["2024", "2024", "2024", "2024", "2025", "2025"],
            "informant": ["parent", "parent", "teacher", "parent", "parent", "parent"],
            "pre": [20, 30, 10, 18, 20, np.nan],
            "post": [10, 20, 20, 17, np.nan, 12],
        }
    )
    return change(pairs, reliability=0.80, sd=5, cutoff_value=15)


def test_service_summary_overall() -> None:
    # Rows: Recovered, Improved, Harmed (worse), Unchanged, unpaired, unpaired.
    out = service_summary(_caseload())
    row = out.iloc[0]
    assert (row["n_cases"], row["n_paired"], row["n_unpaired"]) == (6, 4, 2)
    assert row["n_reliable_improvement"] == 2 and row[
        "share_reliable_improvement"
    ] == pytest.approx(0.5)
    assert row["n_reliable_deterioration"] == 1 and row[
        "share_reliable_deterioration"
    ] == pytest.approx(0.25)
    # clinical at pre (> 15): 20, 30, 18 -> 3; recovered 1 of those 3 (not 1 of the 4 paired)
    assert row["n_recovered"] == 1 and row["n_clinical_pre"] == 3
    assert row["share_recovered"] == pytest.approx(1 / 3)
    assert row["share_recovered_of_clinical"] == pytest.approx(1 / 3)


def test_service_summary_by_groups() -> None:
    out = service_summary(_caseload(), by=["wave", "informant"])
    assert out[["wave", "informant"]].values.tolist() == [
        ["2024", "parent"],
        ["2024", "teacher"],
        ["2025", "parent"],
    ]
    assert out["n_paired"].tolist() == [3, 1, 0]
    assert out["n_unpaired"].tolist() == [0, 0, 2]
    assert out["n_reliable_improvement"].tolist() == [2, 0, 0]
    assert out["share_reliable_improvement"].iloc[0] == pytest.approx(2 / 3)
    assert np.isnan(out["share_reliable_improvement"].iloc[2])  # no paired cases: no share, not 0


def test_service_summary_without_cutoff_has_no_recovery() -> None:
    out = service_summary(
        change(pd.DataFrame({"pre": [20, 20], "post": [10, 20]}), reliability=0.8, sd=5)
    )
    assert pd.isna(out["n_recovered"].iloc[0]) and np.isnan(out["share_recovered"].iloc[0])
    assert out["n_reliable_improvement"].iloc[0] == 1


def test_category_counts_include_zeros() -> None:
    out = category_counts(_caseload(), by="wave")
    w24 = out[out["wave"] == "2024"].set_index("category")
    assert w24["n"].to_dict() == {
        "Recovered": 1,
        "Improved": 1,
        "Unchanged": 1,
        "Deteriorated": 0,
        "Harmed": 1,
    }
    assert w24["share"]["Harmed"] == pytest.approx(0.25)
    w25 = out[out["wave"] == "2025"]
    assert w25["n"].sum() == 0 and w25["n_unpaired"].iloc[0] == 2


def test_timepoint_order() -> None:
    tp = pd.Series(["closure", "review 10", "review 2", "baseline", "review 1"])
    assert tp[timepoint_rank(tp).argsort()].tolist() == [
        "baseline",
        "review 1",
        "review 2",
        "review 10",
        "closure",
    ]


def test_timepoint_must_be_known() -> None:
    with pytest.raises(
        ScoringError, match=r"^row 1: timepoint: 'midway' is not baseline, review N or closure$"
    ):
        timepoint_rank(pd.Series(["baseline", "midway"]))


def _scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["TSW-000001"] * 5 + ["TSW-000002"] * 2 + ["TSW-000003"],
            "measure": "sdq",
            "informant": "parent",
            "timepoint": [
                "review 2",
                "baseline",
                "closure",
                "review 1",
                "review 1",
                "baseline",
                "review 1",
                "baseline",
            ],
            "date": pd.to_datetime(
                [
                    "2025-03-01",
                    "2024-09-01",
                    "2025-06-01",
                    "2024-12-01",
                    "2024-11-01",
                    "2024-09-01",
                    "2025-03-01",
                    "2024-01-01",
                ]
            ),
            "total": [12, 22, 10, 18, 19, 15, 24, 20],
            "total_band3": [
                "normal",
                "abnormal",
                "normal",
                "abnormal",
                "abnormal",
                "borderline",
                "abnormal",
                "abnormal",
            ],
            "prosocial": [8, 5, 9, 6, 6, 7, 7, 3],
        }
    )


CONSTANTS: dict[str, Any] = {
    "reliability": 0.80,
    "sd": {"total": 5, "prosocial": 2},
    "better": {"total": "lower", "prosocial": "higher"},
}


def test_trajectory_orders_and_compares_with_baseline() -> None:
    traj = trajectory(_scored(), ["total"], **CONSTANTS)
    one = traj[traj["case_id"] == "TSW-000001"]
    # Two "review 1" rows: the earlier date first.
    assert one["timepoint"].tolist() == ["baseline", "review 1", "review 1", "review 2", "closure"]
    assert one["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-09-01",
        "2024-11-01",
        "2024-12-01",
        "2025-03-01",
        "2025-06-01",
    ]
    assert one["order"].tolist() == [1, 2, 3, 4, 5]
    assert one["band"].tolist() == ["abnormal", "abnormal", "abnormal", "normal", "normal"]
    # baseline 22: changes -3, -4, -10, -12 against a threshold of 6.198
    assert one["difference"].tolist()[1:] == [-3, -4, -10, -12]
    assert one["reliable_change"].tolist() == [None, "none", "none", "improved", "improved"]
    assert one["threshold"].iloc[0] == pytest.approx(6.19795, abs=1e-5)


def test_trajectory_higher_is_better_score() -> None:
    traj = trajectory(_scored(), ["prosocial"], **CONSTANTS)
    one = traj[traj["case_id"] == "TSW-000001"]
    # SD 2, r .8: threshold = 1.959964 x sqrt(2) x 2 x sqrt(.2) = 2.479; baseline 5 -> 9 is +4
    assert one["threshold"].iloc[0] == pytest.approx(2.47918, abs=1e-5)
    assert one["reliable_change"].tolist()[-1] == "improved"
    assert one["band"].isna().all()  # no prosocial band column given


def test_trajectory_constants_from_a_function() -> None:
    seen: list[tuple[str, str, str]] = []

    def lookup(measure: str, score: str, informant: str) -> float:
        seen.append((measure, score, informant))
        return 0.8

    traj = trajectory(_scored(), ["total"], reliability=lookup, sd=5, better="lower")
    assert seen == [("sdq", "total", "parent")]
    assert (traj["constants_note"] == "given by the caller").all()


def test_trajectory_without_full_constants_says_why() -> None:
    traj = trajectory(_scored(), ["total"], reliability=0.8, better="lower")
    assert traj["rci"].isna().all() and traj["reliable_change"].isna().all()
    assert (
        traj["constants_note"] == "no reliable-change constants: give both reliability and sd"
    ).all()
    assert traj.loc[traj["timepoint"] == "closure", "difference"].tolist() == [-12]


def test_baseline_vs_latest_and_each_review() -> None:
    traj = trajectory(_scored(), ["total"], **CONSTANTS)
    latest = baseline_vs_latest(traj).set_index("case_id")
    assert latest.loc["TSW-000001", "latest_timepoint"] == "closure"
    assert latest.loc["TSW-000001", "category"] == "Improved"
    assert latest.loc["TSW-000002", "category"] == "Deteriorated"  # 15 -> 24: +9
    assert not latest.loc["TSW-000003", "paired"]  # baseline only
    as_of = baseline_vs_latest(traj, as_of=date(2025, 1, 1)).set_index("case_id")
    assert as_of.loc["TSW-000001", "latest_value"] == 18  # review 1 of 1 Dec 2024
    reviews = each_review_vs_baseline(traj)
    assert len(reviews) == 5 and "baseline" not in set(reviews["timepoint"])


def test_not_on_track() -> None:
    traj = trajectory(_scored(), ["total"], **CONSTANTS)
    flags = not_on_track(traj, as_of=date(2025, 4, 1))
    assert flags[["case_id", "flag"]].values.tolist() == [
        ["TSW-000002", "reliably_worse"],
        ["TSW-000003", "no_reliable_improvement"],
    ]
    assert flags["reason"].tolist() == [
        (
            "sdq parent total: latest score 24 (review 1, 2025-03-01) is reliably worse than baseline 15 "
            "(2024-09-01): a change of +9 points, beyond the 6.2 needed for reliable change"
        ),
        "sdq parent total: no score since baseline 20 (2024-01-01) after 6 months in work (since 2024-01-01)",
    ]


def test_not_on_track_no_improvement_after_months_in_work() -> None:
    traj = trajectory(_scored(), ["total"], **CONSTANTS)
    # By 1 Feb 2025 case 1's latest is review 1 (18 vs 22: -4), 5 months after baseline.
    early = not_on_track(traj, as_of=date(2025, 2, 1))
    assert "TSW-000001" not in set(early["case_id"])
    # By 1 Mar 2025 it is 6 months: still -4 (review 2 is dated 1 Mar and counts: -10, improved).
    on_day = not_on_track(traj, as_of=date(2025, 2, 28), months_in_work=5)
    reason = on_day.set_index("case_id").loc["TSW-000001", "reason"]
    assert reason == (
        "sdq parent total: no reliable improvement after 5 months in work (since 2024-09-01): latest 18 "
        "(review 1, 2024-12-01) against baseline 22 (2024-09-01) is a change of -4 points; 6.2 are needed "
        "for reliable change"
    )
    later = not_on_track(traj, as_of=date(2025, 3, 1))
    assert "TSW-000001" not in set(later["case_id"])
    # Work started later than baseline: not yet due.
    started = not_on_track(
        traj, as_of=date(2025, 4, 1), work_started={"TSW-000003": date(2025, 1, 1)}
    )
    assert "TSW-000003" not in set(started["case_id"])


def test_trajectory_reads_each_scales_direction_from_its_definition() -> None:
    # No better=: total (lower is better) and prosocial (higher is better) from the SDQ
    # definition. Total 22 -> 10 at closure is -12 (> 6.198): improved; prosocial 5 -> 9
    # is +4 (> 2.479, SD 2): improved, as a higher-is-better scale.
    traj = trajectory(
        _scored(), ["total", "prosocial"], reliability=0.80, sd={"total": 5, "prosocial": 2}
    )
    one = traj[traj["case_id"] == "TSW-000001"]
    assert one.groupby("score")["better"].first().to_dict() == {
        "prosocial": "higher",
        "total": "lower",
    }
    assert one[one["score"] == "total"]["reliable_change"].tolist()[-1] == "improved"
    assert one[one["score"] == "prosocial"]["reliable_change"].tolist()[-1] == "improved"


def test_trajectory_refuses_a_direction_that_contradicts_the_definition() -> None:
    with pytest.raises(
        ScoringError,
        match=r"trajectory\(\): better: 'lower' for sdq prosocial, but its definition says higher is better",
    ):
        trajectory(_scored(), ["total", "prosocial"], reliability=0.80, sd=5, better="lower")


def test_change_and_score_agree_on_what_a_number_is() -> None:
    # score() gives nullable integers: change() takes them, NA as missing
    from tswt_formulation import score

    scored = score(
        "sdq",
        pd.DataFrame({"psomatic": [2, 0], "pworries": [2, 0], "punhappy": [2, 0]}),
        informant="parent",
        age=9,
    )
    pairs = pd.DataFrame({"pre": scored["emotional"], "post": pd.array([4, pd.NA], dtype="Int64")})
    out = change(pairs, reliability=0.80, sd=5)
    assert out["difference"].tolist()[0] == -6 and not out["paired"].tolist()[1]
    # score() refuses text and booleans as responses; so does change(), naming each cell
    with pytest.raises(ScoringError, match=r"^row 1: pre: value 'x' is not a number"):
        change(pd.DataFrame({"pre": [20, "x"], "post": [10, 12]}), reliability=0.8, sd=5)
    with pytest.raises(ScoringError, match=r"^row 1: pre: value True is not a number"):
        change(pd.DataFrame({"pre": [20, True], "post": [10, 12]}), reliability=0.8, sd=5)
    with pytest.raises(
        ScoringError,
        match=r"^change\(\): post: column 'post' is missing from pairs \(columns: pre\)",
    ):
        change(pd.DataFrame({"pre": [20]}), reliability=0.8, sd=5)


def test_the_change_tables_name_the_columns_a_wrong_frame_lacks() -> None:
    scored = _scored()  # scores, not a trajectory
    with pytest.raises(
        ScoringError,
        match=r"^baseline_vs_latest\(\) \(give trajectory\(\) output\): score: column 'score' is missing",
    ):
        baseline_vs_latest(scored)
    with pytest.raises(
        ScoringError,
        match=r"^each_review_vs_baseline\(\) \(give trajectory\(\) output\): value: column 'value' is missing",
    ):
        each_review_vs_baseline(scored)
