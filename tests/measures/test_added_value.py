"""The SDQ Added Value Score (issue 23), worked by hand from the formula.

Source: Ford, Hutchings, Bywater, Goodman & Goodman (2009), Br J Psychiatry 194:552-558,
and youthinmind's note on added value (sdqinfo.org e10):

    AVS = 2.3 + 0.8 x T1 total + 0.2 x T1 impact - 0.3 x T1 emotional - T2 total

from the standard parent SDQ at baseline and the follow-up parent SDQ about 6 months
later; positive is better than predicted; AVS / 5 is an effect size (youthinmind: "the
standard deviation, which is 5"); one child's 95% interval "plus or minus 10 points"
(1.96 x 5 = 9.8). The team's window is 4-8 months (issue 23); a month here is 365.25 / 12
= 30.4375 days, so 119 days is 3.91 months, 247 days 8.11 and 289 days 9.49.
Student's t(0.975) from published tables: df 1 12.706, 9 2.262, 29 2.045, 120 1.980.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from tswt_formulation.measures.added_value import (
    added_value_scores,
    child_words,
    service_added_value,
    t_quantile_975,
)

BASE = date(2026, 1, 5)


def admin(case_id, informant, days, timepoint, total, emotional=None, impact=None, version=None):
    return {
        "case_id": case_id,
        "measure": "sdq",
        "informant": informant,
        "version": version or {"parent": "P4-17", "teacher": "T4-17", "self": "S11-17"}[informant],
        "date": pd.Timestamp(BASE + timedelta(days=days)),
        "timepoint": timepoint,
        "age": 12,
        "total": total,
        "emotional": emotional,
        "impact": impact,
    }


def one(rows):
    out = added_value_scores(pd.DataFrame(rows))
    assert len(out) == 1
    return out.iloc[0]


def test_the_worked_example():
    # 2.3 + 0.8 x 20 + 0.2 x 4 - 0.3 x 6 = 2.3 + 16 + 0.8 - 1.8 = 17.3 predicted; 17.3 - 14 = 3.3
    r = one(
        [
            admin("TSW-000001", "parent", 0, "baseline", 20, 6, 4),
            admin("TSW-000001", "parent", 182, "review 2", 14, 3, 1),
        ]
    )
    assert bool(r["applies"]) and r["reason"] == ""
    assert r["predicted"] == pytest.approx(17.3)
    assert r["avs"] == pytest.approx(3.3)
    assert r["low"] == pytest.approx(3.3 - 1.959964 * 5)  # -6.5
    assert r["high"] == pytest.approx(3.3 + 1.959964 * 5)  # 13.1
    assert r["effect_size"] == pytest.approx(0.66)
    assert r["followup_months"] == pytest.approx(182 / 30.4375)
    assert child_words(r) == (
        "+3.3 points (95% interval -6.5 to +13.1: too wide to judge one child by)"
    )


def test_worse_than_predicted_is_negative():
    # predicted 2.3 + 0.8 x 25 + 0.2 x 4 - 0.3 x 10 = 20.1; follow-up 24 -> -3.9
    r = one(
        [
            admin("TSW-000001", "parent", 0, "baseline", 25, 10, 4),
            admin("TSW-000001", "parent", 180, "review 2", 24, 8, 4),
        ]
    )
    assert r["avs"] == pytest.approx(-3.9)
    assert r["effect_size"] == pytest.approx(-0.78)


@pytest.mark.parametrize(
    "rows, reason",
    [
        (
            [
                admin("TSW-000002", "self", 0, "baseline", 20, 6, 4),
                admin("TSW-000002", "self", 182, "review 2", 14, 3, 1),
            ],
            "self-report: AVS is defined for parent/carer SDQs only",
        ),
        (
            [
                admin("TSW-000003", "teacher", 0, "baseline", 20, 6, 4),
                admin("TSW-000003", "teacher", 182, "review 2", 14, 3, 1),
            ],
            "teacher report: AVS is defined for parent/carer SDQs only",
        ),
        (
            [
                admin("TSW-000004", "parent", 0, "baseline", 20, 6, None),
                admin("TSW-000004", "parent", 182, "review 2", 14, 3, 1),
            ],
            "no impact supplement at baseline",
        ),
        (
            [
                admin("TSW-000005", "parent", 0, "baseline", 20, 6, 4),
                admin("TSW-000005", "parent", 119, "review 1", 14, 3, 1),
            ],
            "follow-up at 3.9 months, outside 4-8 months",
        ),
        (
            [
                admin("TSW-000006", "parent", 0, "baseline", 20, 6, 4),
                admin("TSW-000006", "parent", 247, "review 2", 14, 3, 1),
            ],
            "follow-up at 8.1 months, outside 4-8 months",
        ),
        (
            [
                admin("TSW-000007", "parent", 0, "baseline", 20, 6, 4),
                admin("TSW-000007", "parent", 289, "review 3", 14, 3, 1),
            ],
            "follow-up at 9.5 months, outside 4-8 months",
        ),
        (
            # 121 days is 3.975 months: shown to two places, never as "4.0 ... outside 4-8"
            [
                admin("TSW-000008", "parent", 0, "baseline", 20, 6, 4),
                admin("TSW-000008", "parent", 121, "review 1", 14, 3, 1),
            ],
            "follow-up at 3.98 months, outside 4-8 months",
        ),
        (
            [
                admin("TSW-000009", "parent", 0, "baseline", 20, 6, 4),
                admin("TSW-000009", "parent", 60, "review 1", 18, 5, 3),
                admin("TSW-000009", "parent", 289, "review 3", 14, 3, 1),
            ],
            "follow-ups at 2.0 and 9.5 months, none within 4-8 months",
        ),
        (
            [admin("TSW-000010", "parent", 0, "baseline", 20, 6, 4)],
            "no parent/carer follow-up SDQ yet",
        ),
        (
            [
                admin("TSW-000011", "parent", 0, "baseline", 20, 6, 4, version="P2-4"),
                admin("TSW-000011", "parent", 182, "review 2", 14, 3, 1, version="P2-4"),
            ],
            "baseline on form P2-4: AVS is defined for the standard parent/carer SDQ (P4-17)",
        ),
        (
            [
                admin("TSW-000012", "teacher", 0, "baseline", 20, 6, 4),
                admin("TSW-000012", "self", 3, "baseline", 20, 6, 4),
            ],
            "teacher report and self-report: AVS is defined for parent/carer SDQs only",
        ),
    ],
    ids=[
        "self",
        "teacher",
        "no-impact",
        "3.9-months",
        "8.1-months",
        "9.5-months",
        "just-under-4",
        "several-outside",
        "no-follow-up",
        "P2-4",
        "teacher-and-self",
    ],
)
def test_where_it_does_not_apply_the_row_says_why(rows, reason):
    r = one(rows)
    assert not bool(r["applies"])
    assert r["reason"] == reason
    assert pd.isna(r["avs"]) and pd.isna(r["low"]) and pd.isna(r["high"])
    assert child_words(r) == f"not applicable: {reason}"


@pytest.mark.parametrize("days", [122, 243])  # 4.008 and 7.98 months: the edges count
def test_the_window_includes_its_edges(days):
    r = one(
        [
            admin("TSW-000001", "parent", 0, "baseline", 20, 6, 4),
            admin("TSW-000001", "parent", days, "review 1", 14, 3, 1),
        ]
    )
    assert bool(r["applies"]) and r["avs"] == pytest.approx(3.3)


def test_of_several_follow_ups_the_one_nearest_six_months_within_the_window():
    # 137 days = 4.50 months, 189 = 6.21, 240 = 7.89, 300 = 9.86: 6.21 is nearest 6
    r = one(
        [
            admin("TSW-000001", "parent", 0, "baseline", 20, 6, 4),
            admin("TSW-000001", "parent", 137, "review 1", 18, 3, 1),
            admin("TSW-000001", "parent", 189, "review 2", 15, 3, 1),
            admin("TSW-000001", "parent", 240, "review 3", 10, 3, 1),
            admin("TSW-000001", "parent", 300, "closure", 9, 3, 1),
        ]
    )
    assert r["followup_date"] == pd.Timestamp(BASE + timedelta(days=189))
    assert r["followup_total"] == 15
    assert r["avs"] == pytest.approx(17.3 - 15)


def test_the_teacher_and_self_reports_of_a_child_with_a_parent_baseline_are_ignored():
    r = one(
        [
            admin("TSW-000001", "self", 0, "baseline", 30, 9, 9),
            admin("TSW-000001", "parent", 0, "baseline", 20, 6, 4),
            admin("TSW-000001", "teacher", 180, "review 2", 2, 0, 0),
            admin("TSW-000001", "parent", 182, "review 2", 14, 3, 1),
        ]
    )
    assert r["avs"] == pytest.approx(3.3)


def _pairs(avs_values):
    """Children whose AVS is as given: baseline total 20, impact 5, emotional 1 predicts
    2.3 + 16 + 1 - 0.3 = 19 exactly, so a follow-up of 19 - v gives AVS v."""
    rows = []
    for k, v in enumerate(avs_values):
        cid = f"TSW-{k + 1:06d}"
        rows.append(admin(cid, "parent", 0, "baseline", 20, 1, 5))
        rows.append(admin(cid, "parent", 182, "review 2", 19 - v, 1, 2))
    return added_value_scores(pd.DataFrame(rows))


def test_the_service_mean_with_its_t_interval_worked_by_hand():
    scores = _pairs([4, 4, 4, 4, 4, 0, 0, 0, 0, 0])
    assert scores["avs"].tolist() == pytest.approx([4] * 5 + [0] * 5)
    s = service_added_value(scores)
    # mean 2; sample SD sqrt(10 x 4 / 9) = 2.108; SE 2.108 / sqrt(10) = 2/3;
    # t(0.975, 9) = 2.262157 (tables); half-width 2.262157 x 2/3 = 1.508105
    assert s.reported and s.n_pairs == 10
    assert s.mean == pytest.approx(2.0)
    assert s.sd == pytest.approx(math.sqrt(40 / 9))
    assert s.t == pytest.approx(2.262157, abs=1e-6)
    assert s.low == pytest.approx(2.0 - 1.508105, abs=1e-6)
    assert s.high == pytest.approx(2.0 + 1.508105, abs=1e-6)
    assert s.effect_size == pytest.approx(0.4)
    assert s.words() == (
        "mean Added Value Score +2.0 points (95% interval +0.5 to +3.5; effect size +0.40) "
        "over 10 pairs"
    )


def test_fewer_than_ten_pairs_is_not_reported():
    s = service_added_value(_pairs([4, 4, 4, 4, 4, 0, 0, 0, 0]))
    assert not s.reported and s.n_pairs == 9
    assert s.mean is None and s.low is None and s.high is None
    assert s.words().startswith("fewer than 10 pairs: not reported")


def test_children_it_does_not_apply_to_are_not_pairs():
    rows = _pairs([4, 4, 4, 4, 4, 0, 0, 0, 0, 0])
    rows.loc[0, "applies"] = False  # as if the follow-up had been outside the window
    s = service_added_value(rows)
    assert not s.reported and s.n_pairs == 9 and s.n_not_applicable == 1


@pytest.mark.parametrize("df, table", [(1, 12.706), (9, 2.262), (29, 2.045), (120, 1.980)])
def test_t_quantiles_match_the_published_tables(df, table):
    assert t_quantile_975(df) == pytest.approx(table, abs=5e-4)


def test_no_sdq_no_rows():
    empty = pd.DataFrame(columns=["case_id", "informant", "date", "timepoint", "total"])
    out = added_value_scores(empty)
    assert out.empty and list(out.columns)[:3] == ["case_id", "applies", "reason"]


@pytest.mark.parametrize(
    "days_followed, as_of, reason",
    [
        # baseline 5 Jan 2026; 8 months = 243.5 days: the window runs to 5 Sep 2026
        (
            None,
            date(2026, 9, 5),
            "no parent/carer SDQ 4-8 months after baseline so far: the window runs to 5 Sep 2026",
        ),
        (
            94,
            date(2026, 6, 1),
            "no parent/carer SDQ 4-8 months after baseline so far: the window runs to 5 Sep 2026",
        ),
        (None, date(2026, 9, 6), "no parent/carer follow-up SDQ yet"),
        (94, date(2026, 9, 6), "follow-up at 3.1 months, outside 4-8 months"),
    ],
    ids=["none-window-open", "early-window-open", "none-window-closed", "early-window-closed"],
)
def test_while_the_window_is_open_it_is_not_yet_rather_than_not_applicable(
    days_followed, as_of, reason
):
    rows = [admin("TSW-000001", "parent", 0, "baseline", 20, 6, 4)]
    if days_followed is not None:
        rows.append(admin("TSW-000001", "parent", days_followed, "review 1", 14, 3, 1))
    r = added_value_scores(pd.DataFrame(rows), as_of).iloc[0]
    assert not bool(r["applies"]) and r["reason"] == reason
    opening = "not yet" if "so far" in reason else "not applicable"
    assert child_words(r) == f"{opening}: {reason}"
