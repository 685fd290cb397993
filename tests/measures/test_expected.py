"""Expected progress from the team's own completed episodes (issue 23): curves worked by
hand on a tiny history, the too-few case, the direction of a higher-is-better scale, a
child below band since a date and by how far, and recovery of a known generating course.

Every expected centile below is worked by hand from the rule in docs/change.md
("Expected progress"): the change from baseline of each episode at the month, sorted,
and the p-th centile at position h = (n - 1) p counted from 0, interpolated between the
two neighbours (Hyndman & Fan type 7)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tswt_formulation.measures import expected as E

WORK_BEGAN = pd.Timestamp("2025-01-01")
BASELINE_DAY = pd.Timestamp("2024-12-20")
MONTH_3 = pd.Timestamp("2025-04-02")  # 91 days: 91 / 30.4375 = 2.99 -> month 3


def history(
    changes: list[float],
    baselines: list[float],
    *,
    scale: str = "total",
    band: str = "abnormal",
    day: pd.Timestamp = MONTH_3,
    ended: bool = True,
    age: int | None = None,
    first: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Completed episodes of one follow-up each, as analysis.scores and the work dates give them."""
    rows: list[tuple[Any, ...]] = []
    work = []
    for i, (base, ch) in enumerate(zip(baselines, changes)):
        cid = f"TSW-{800000 + first + i}"
        rows.append((cid, "sdq", "parent", "P4-17", BASELINE_DAY, "baseline", scale, base, band))
        rows.append((cid, "sdq", "parent", "P4-17", day, "closure", scale, base + ch, None))
        work.append((cid, WORK_BEGAN, day if ended else pd.NaT))
    scores = pd.DataFrame(
        rows,
        columns=[
            "case_id",
            "measure",
            "informant",
            "version",
            "date",
            "timepoint",
            "scale",
            "value",
            "band",
        ],
    )
    if age is not None:
        scores["age"] = age
    return scores, pd.DataFrame(work, columns=["case_id", "work_began", "ended"])


def child(
    values: list[tuple[str, float]],
    baseline: float,
    *,
    scale: str = "total",
    band="abnormal",
    age: int | None = None,
):
    scores = pd.DataFrame(
        [("TSW-900001", "sdq", "parent", "P4-17", BASELINE_DAY, "baseline", scale, baseline, band)]
        + [
            (
                "TSW-900001",
                "sdq",
                "parent",
                "P4-17",
                pd.Timestamp(d),
                f"review {k + 1}",
                scale,
                v,
                None,
            )
            for k, (d, v) in enumerate(values)
        ],
        columns=[
            "case_id",
            "measure",
            "informant",
            "version",
            "date",
            "timepoint",
            "scale",
            "value",
            "band",
        ],
    )
    if age is not None:
        scores["age"] = age
    work = pd.DataFrame({"case_id": ["TSW-900001"], "work_began": [WORK_BEGAN], "ended": [pd.NaT]})
    return E.points_from_scores(scores, work)


@pytest.fixture
def tiny_model() -> E.ExpectedModel:
    # four completed episodes, baselines 20-26, changes at month 3: -6, -3, -1, +2
    scores, work = history([-6, -3, -1, 2], [20, 22, 24, 26])
    return E.fit(E.points_from_scores(scores, work), minimum=3)


def test_the_tiny_history_gives_the_hand_worked_centiles(tiny_model):
    # sorted changes -6, -3, -1, 2; n = 4, h = 3p:
    #   10th: h 0.3  -> -6 + 0.3 x 3  = -5.1     25th: h 0.75 -> -6 + 0.75 x 3 = -3.75
    #   50th: h 1.5  -> -3 + 0.5 x 2  = -2       75th: h 2.25 -> -1 + 0.25 x 3 = -0.25
    #   90th: h 2.7  -> -1 + 0.7 x 3  = 1.1
    # the month-3 administrations also stand for months 2 and 4 (one month either side)
    [curve] = tiny_model.curves
    assert (curve["measure"], curve["scale"], curve["informant"], curve["stratum"]) == (
        "sdq",
        "total",
        "parent",
        "abnormal",
    )
    assert curve["episodes"] == 4
    assert [m["month"] for m in curve["months"]] == [2, 3, 4]
    for m in curve["months"]:
        assert m["n"] == 4
        assert [m[f"q{p}"] for p in E.CENTILES] == pytest.approx([-5.1, -3.75, -2, -0.25, 1.1])


def test_the_model_file_says_what_it_was_fitted_on_and_reads_back(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "expected.json")
    back = E.load_model(path)
    assert back.meta["format"] == E.MODEL_FORMAT
    assert back.meta["minimum"] == 3
    assert back.meta["fitted_on"]["episodes"] == 4
    assert back.meta["fitted_on"]["first_date"] == "2025-04-02"
    assert "Finch" in back.meta["references"][0]
    assert back.curves == tiny_model.curves


def test_a_model_file_of_another_format_is_refused_naming_both(tmp_path):
    path = tmp_path / "old.json"
    path.write_text('{"meta": {"format": 0}, "curves": []}')
    with pytest.raises(
        E.ScoringError,
        match=r"meta\.format: 0 is not a model format this version reads \(expected 1\)",
    ):
        E.load_model(path)


def test_a_child_below_band_since_a_date_and_by_how_far(tiny_model):
    # baseline 24 (abnormal): expected 24 - 2 = 22; 25th-centile line 24 - 0.25 = 23.75;
    # 10th-centile line 24 + 1.1 = 25.1 (higher is worse on the total)
    pts = child([("2025-03-03", 25), ("2025-04-02", 24), ("2025-05-02", 20)], 24)
    assert pts["month"].tolist() == [2, 3, 4]  # 61, 91 and 121 days
    judged = E.judge(tiny_model, pts, as_of=date(2025, 4, 10))
    [row] = judged.itertuples()
    assert row.status == "below_25"  # 24 > 23.75, not above 25.1
    assert row.expected == pytest.approx(22)
    assert row.line_25 == pytest.approx(23.75)
    assert row.line_10 == pytest.approx(25.1)
    assert row.how_far == pytest.approx(0.25)
    assert row.since == pd.Timestamp("2025-03-03")  # below at month 2 and still at month 3
    assert row.reason == (
        "sdq parent total: 24 at month 3 (2025-04-02) is 0.3 points worse than the 25th-centile line "
        "(23.8; expected 22); below it since 2025-03-03"
    )
    # by month 4 the child is at 20, better than expected: within the band
    [later] = E.judge(tiny_model, pts).itertuples()
    assert (later.status, later.since is pd.NaT or pd.isna(later.since)) == ("within", True)


def test_a_child_further_below_is_below_the_tenth_centile_line(tiny_model):
    pts = child([("2025-03-03", 22), ("2025-04-02", 26)], 24)
    [row] = E.judge(tiny_model, pts).itertuples()
    assert row.status == "below_10"  # 26 > 25.1
    assert row.how_far == pytest.approx(2.25)  # 26 - 23.75
    assert row.since == pd.Timestamp(
        "2025-04-02"
    )  # month 2 (22) was within: the run starts at month 3


def test_prosocial_is_judged_the_other_way_up():
    # prosocial: higher is better. Changes at month 3: -2, 0, 1, 3 (n 4, h = 3p):
    #   10th: -2 + 0.3 x 2 = -1.4; 25th: -2 + 0.75 x 2 = -0.5; 50th: 0 + 0.5 x 1 = 0.5
    # so for a baseline of 4 the 25th-centile line is 3.5 and the 10th 2.6, BELOW the baseline
    scores, work = history([-2, 0, 1, 3], [2, 3, 4, 3], scale="prosocial")
    model = E.fit(E.points_from_scores(scores, work), minimum=3)
    three = child([("2025-04-02", 3)], 4, scale="prosocial")
    [row] = E.judge(model, three).itertuples()
    assert (row.status, row.line_25, row.line_10, row.expected) == pytest.approx(
        ("below_25", 3.5, 2.6, 4.5)
    )
    assert row.how_far == pytest.approx(0.5)
    [two] = E.judge(model, child([("2025-04-02", 2)], 4, scale="prosocial")).itertuples()
    assert (two.status, two.how_far) == ("below_10", pytest.approx(1.5))
    # a rise of one is better than expected on prosocial (it would be "worse" on a difficulty)
    [five] = E.judge(model, child([("2025-04-02", 5)], 4, scale="prosocial")).itertuples()
    assert five.status == "within"


def test_too_few_episodes_give_no_curve_and_the_rule_based_alert_stays():
    scores, work = history(list(range(-6, 6)), [24] * 12)  # 12 completed episodes
    model = E.fit(E.points_from_scores(scores, work), minimum=30)
    assert model.curves == []
    assert model.too_few == [
        {
            "measure": "sdq",
            "scale": "total",
            "informant": "parent",
            "stratum": "abnormal",
            "bands": ["abnormal"],
            "episodes": 12,
            "reason": "too few completed episodes (n=12 < 30)",
        }
    ]
    [row] = E.judge(model, child([("2025-04-02", 30)], 24)).itertuples()
    assert row.status == "no_curve"
    assert math.isnan(row.line_25)
    assert row.reason == (
        "sdq parent total: no expected band: too few completed episodes (n=12 < 30); "
        "the rule-based alert stays"
    )


def test_a_month_with_too_few_episodes_has_no_curve_there():
    # 4 episodes seen at month 3, only 2 of them again at month 6: minimum 3
    scores, work = history([-6, -3, -1, 2], [20, 22, 24, 26])
    extra = (
        scores[scores["timepoint"] == "closure"]
        .head(2)
        .assign(date=pd.Timestamp("2025-07-02"), timepoint="review 2")
    )  # 182 days: month 6
    model = E.fit(
        E.points_from_scores(
            pd.concat([scores, extra]), work.assign(ended=pd.Timestamp("2025-07-02"))
        ),
        minimum=3,
    )
    months = {m["month"]: m for m in model.curves[0]["months"]}
    assert months[6] == {"month": 6, "n": 2}  # no centiles: fewer than 3
    [row] = E.judge(model, child([("2025-07-02", 30)], 24)).itertuples()
    assert row.reason == (
        "sdq parent total: no expected band: too few completed episodes at month 6 (n=2 < 3); "
        "the rule-based alert stays"
    )


def test_small_bands_merge_with_their_smaller_neighbour():
    assert E._merge_strata([("normal", 40), ("borderline", 10), ("abnormal", 50)], 30) == [
        (["normal", "borderline"], 50),
        (["abnormal"], 50),
    ]
    assert E._merge_strata([("normal", 5), ("borderline", 10), ("abnormal", 8)], 30) == [
        (["normal", "borderline", "abnormal"], 23)
    ]
    assert E._merge_strata([("normal", 30), ("abnormal", 31)], 30) == [
        (["normal"], 30),
        (["abnormal"], 31),
    ]


def _component_bounds(band: str, month: int, p: float) -> tuple[float, float]:
    """The fitted centile at ``month`` pools administrations from month-1 to month+1; a
    centile of a mixture lies between its components' centiles."""
    qs = [
        E.true_change_centile(band, month + u, p)
        for u in range(-E.WINDOW_MONTHS, E.WINDOW_MONTHS + 1)
        if month + u >= 0
    ]
    return min(qs), max(qs)


def test_the_fitted_band_recovers_the_generating_course():
    """Synthetic episodes generated with a known course (E.synthetic_history): each fitted
    centile lies within the generating centiles of the months it pools, widened by 0.5
    (scores are whole points, so a centile of rounded changes is within half a point of
    the unrounded one) and by 4 standard errors of a sample quantile,
    sqrt(p (1 - p) / n) / f(q), f the generating normal density at that centile."""
    scores, work = E.synthetic_history(20_000, seed=7)
    model = E.fit(E.points_from_scores(scores, work), minimum=30)
    assert {c["stratum"] for c in model.curves} == {"normal", "borderline", "abnormal"}
    checked = 0
    for curve in model.curves:
        band = curve["stratum"]
        for m in curve["months"]:
            if "q50" not in m or m["month"] < 2:
                continue
            for p in E.CENTILES:
                month = m["month"]
                mu = E.synthetic_mean_change(band, month)
                sd = math.sqrt((E.SYNTHETIC_RATE_SD * mu) ** 2 + E.SYNTHETIC_NOISE_SD**2)
                z = E._normal_ppf(p / 100)
                density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / sd
                se = math.sqrt((p / 100) * (1 - p / 100) / m["n"]) / density
                lo, hi = _component_bounds(band, month, p / 100)
                assert lo - 0.5 - 4 * se <= m[f"q{p}"] <= hi + 0.5 + 4 * se, (band, month, p, m)
                checked += 1
    assert checked > 3 * 20 * 5  # three strata, most months, five centiles
    # and the course itself: by month 12 the abnormal band's median change is the
    # generating -8 x (1 - exp(-2)) = -6.92, to within the same allowance
    abnormal = next(c for c in model.curves if c["stratum"] == "abnormal")
    month12 = next(m for m in abnormal["months"] if m["month"] == 12)
    assert month12["q50"] == pytest.approx(-6.92, abs=1.0)


def test_the_check_counts_add_up_on_held_out_episodes():
    scores, work = E.synthetic_history(4_000, seed=3)
    pts = E.points_from_scores(scores, work)
    result = E.check(pts, minimum=30, constants=E.synthetic_constants())
    row = result.table.set_index("measure").loc["all"]
    # every held-out series is counted once by each method
    for method in ("expected", "rule"):
        assert (
            row[f"{method}_tp"] + row[f"{method}_fp"] + row[f"{method}_tn"] + row[f"{method}_fn"]
            == row["series"]
        )
        assert row[f"{method}_tp"] + row[f"{method}_fn"] == row["poor_outcomes"]
    halves = E.half_of(work["case_id"])
    assert result.test_episodes == int((halves == 1).sum())
    assert result.fit_episodes == int((halves == 0).sum())
    # the split is by the id alone: the same on every run
    assert E.half_of(["TSW-900001", "TSW-900002"]).tolist() == [
        __import__("zlib").crc32(b"TSW-900001") & 1,
        __import__("zlib").crc32(b"TSW-900002") & 1,
    ]


def test_the_group_quantiles_are_numpys():
    rng = np.random.default_rng(1)
    g = rng.integers(0, 5, size=400)
    v = rng.normal(size=400).round(1)
    gid, n, q = E._group_quantiles(g, v, [0.1, 0.25, 0.5, 0.75, 0.9])
    for k, count, row in zip(gid, n, q):
        assert count == (g == k).sum()
        assert row == pytest.approx(np.quantile(v[g == k], [0.1, 0.25, 0.5, 0.75, 0.9]))


def test_a_stratum_is_split_by_age_where_every_age_band_has_the_minimum():
    # under 11 (age 8): changes -6, -3, -1, +2; 11 to 15 (age 13): 0, +1, +2, +3; minimum 3.
    # 11 to 15 alone, n 4, h = 3p: 50th 1 + 0.5 x 1 = 1.5; 75th 2 + 0.25 x 1 = 2.25;
    # 90th 2 + 0.7 x 1 = 2.7
    young = history([-6, -3, -1, 2], [24] * 4, age=8)
    older = history([0, 1, 2, 3], [24] * 4, age=13, first=4)
    scores = pd.concat([young[0], older[0]], ignore_index=True)
    work = pd.concat([young[1], older[1]], ignore_index=True)
    model = E.fit(E.points_from_scores(scores, work), minimum=3)
    assert [(c["stratum"], c["ages"], c["episodes"]) for c in model.curves] == [
        ("abnormal, age under 11", ["under 11"], 4),
        ("abnormal, age 11 to 15", ["11 to 15"], 4),
    ]
    # a child of 13 with baseline 24 scoring 27 at month 3: line 24 + 2.25 = 26.25,
    # 0.75 below, and beyond the 10th-centile line 26.7 (pooled with the younger children
    # the 25th-centile line would be 26: 1 below)
    [row] = E.judge(model, child([("2025-04-02", 27)], 24, age=13)).itertuples()
    assert (row.status, row.expected, row.line_25, row.line_10) == pytest.approx(
        ("below_10", 25.5, 26.25, 26.7)
    )
    assert row.how_far == pytest.approx(0.75)
    # a child of 17: no curve for that age band
    [old] = E.judge(model, child([("2025-04-02", 27)], 24, age=17)).itertuples()
    assert old.status == "no_curve"


def test_no_age_split_where_an_age_band_has_too_few():
    young = history([-6, -3, -1, 2], [24] * 4, age=8)
    older = history([0, 3], [24] * 2, age=13, first=4)  # 2 < 3
    scores = pd.concat([young[0], older[0]], ignore_index=True)
    work = pd.concat([young[1], older[1]], ignore_index=True)
    model = E.fit(E.points_from_scores(scores, work), minimum=3)
    [curve] = model.curves
    assert (curve["stratum"], curve["ages"], curve["episodes"]) == ("abnormal", None, 6)
    # all six pooled: -6, -3, -1, 0, 2, 3; 75th: h 3.75 -> 0 + 0.75 x 2 = 1.5
    assert curve["months"][1]["q75"] == pytest.approx(1.5)
