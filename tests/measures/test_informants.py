"""Informants side by side (issue 23), worked by hand.

A disagreement is flagged where two informants' scores on a scale differ by MORE than the
scale's reliable-change threshold (issue 23: "differ by more than the scale's
reliable-change threshold"; strictly, as reliable change itself is judged: docs/change.md):
- a raw-points constant of 5: a difference of 5 is not flagged, 6 is;
- r 0.80, SD 5 (Jacobson & Truax): 1.959964 x sqrt(2) x 5 x sqrt(0.2) = 6.198 points, so
  6 is not flagged and 7 is;
- informants with different thresholds: the larger must be exceeded.
Missing or illustrative constants: "not judged", nothing guessed.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from tswt_formulation.measures.constants import MeasureConstants, _Entry
from tswt_formulation.measures.informants import REMINDER, informant_comparison, judgement_words

DAY = date(2026, 3, 2)


def team(*entries, version="team-2026.1"):
    return MeasureConstants(version, "", tuple(_Entry(**e) for e in entries))


POINTS_5 = team({"measure": "sdq", "scores": ["total"], "points": 5, "source": "worked example"})
RSD = team({"measure": "sdq", "scores": ["total"], "r": 0.8, "sd": 5, "source": "worked example"})


def sdq(case_id, informant, days, total, **scales):
    return {
        "case_id": case_id,
        "measure": "sdq",
        "informant": informant,
        "date": pd.Timestamp(DAY + timedelta(days=days)),
        "total": total,
        **scales,
    }


def compare(rows, window=30, constants=POINTS_5):
    return informant_comparison(pd.DataFrame(rows), window, constants)


@pytest.mark.parametrize(
    "parent, teacher, judgement",
    [(20, 15, "agree"), (21, 15, "differ"), (15, 20, "agree"), (15, 21, "differ")],
)
def test_a_difference_of_exactly_the_threshold_is_not_flagged_one_more_is(
    parent, teacher, judgement
):
    out = compare(
        [sdq("TSW-000001", "parent", 0, parent), sdq("TSW-000001", "teacher", 7, teacher)]
    )
    assert len(out) == 1
    r = out.iloc[0]
    assert (r["informant_a"], r["informant_b"], r["scale"]) == ("parent", "teacher", "total")
    assert r["difference"] == parent - teacher
    assert r["threshold"] == 5
    assert r["judgement"] == judgement


@pytest.mark.parametrize("gap, judgement", [(6, "agree"), (7, "differ")])
def test_with_r_and_sd_the_threshold_is_the_reliable_change_in_points(gap, judgement):
    out = compare(
        [sdq("TSW-000001", "parent", 0, 10 + gap), sdq("TSW-000001", "self", 3, 10)],
        constants=RSD,
    )
    r = out.iloc[0]
    assert r["threshold"] == pytest.approx(1.959964 * math.sqrt(2) * 5 * math.sqrt(0.2))
    assert r["judgement"] == judgement
    assert judgement_words(r).startswith(f"{judgement}: {gap} points apart")


def test_the_larger_of_two_informants_thresholds_must_be_exceeded():
    constants = team(
        {
            "measure": "sdq",
            "scores": ["total"],
            "informants": ["parent"],
            "points": 5,
            "source": "team a",
        },
        {
            "measure": "sdq",
            "scores": ["total"],
            "informants": ["teacher"],
            "points": 7,
            "source": "team b",
        },
    )
    out = compare(
        [sdq("TSW-000001", "parent", 0, 21), sdq("TSW-000001", "teacher", 0, 15)],
        constants=constants,
    )
    assert out.iloc[0]["threshold"] == 7 and out.iloc[0]["judgement"] == "agree"


@pytest.mark.parametrize("days, paired", [(30, True), (31, False), (-30, True), (-31, False)])
def test_only_administrations_within_the_window_pair(days, paired):
    out = compare([sdq("TSW-000001", "parent", 0, 20), sdq("TSW-000001", "teacher", days, 10)])
    assert (len(out) == 1) is paired
    if paired:
        assert out.iloc[0]["days_apart"] == 30


def test_the_window_is_the_teams_setting(monkeypatch):
    rows = [sdq("TSW-000001", "parent", 0, 20), sdq("TSW-000001", "teacher", 12, 10)]
    monkeypatch.setenv("TSWT_INFORMANT_WINDOW_DAYS", "10")
    assert informant_comparison(pd.DataFrame(rows), constants=POINTS_5).empty
    monkeypatch.setenv("TSWT_INFORMANT_WINDOW_DAYS", "12")
    assert len(informant_comparison(pd.DataFrame(rows), constants=POINTS_5)) == 1
    monkeypatch.delenv("TSWT_INFORMANT_WINDOW_DAYS")
    assert len(informant_comparison(pd.DataFrame(rows), constants=POINTS_5)) == 1  # 30 default


def test_a_bad_window_setting_names_the_setting(monkeypatch):
    from tswt_formulation.errors import TswtError

    monkeypatch.setenv("TSWT_INFORMANT_WINDOW_DAYS", "a month")
    with pytest.raises(
        TswtError, match=r"^TSWT_INFORMANT_WINDOW_DAYS: 'a month' is not a whole number of days$"
    ):
        informant_comparison(pd.DataFrame([sdq("TSW-000001", "parent", 0, 20)]))


def test_different_children_never_pair():
    out = compare([sdq("TSW-000001", "parent", 0, 20), sdq("TSW-000002", "teacher", 0, 10)])
    assert out.empty


def test_each_administration_pairs_once_nearest_first():
    out = compare(
        [
            sdq("TSW-000001", "parent", 0, 20),
            sdq("TSW-000001", "teacher", 20, 12),
            sdq("TSW-000001", "teacher", 5, 18),
        ]
    )
    assert len(out) == 1
    assert out.iloc[0]["date_b"] == pd.Timestamp(DAY + timedelta(days=5))
    assert out.iloc[0]["value_b"] == 18


def test_every_pair_of_informants_and_every_scale_both_scored():
    rows = [
        sdq("TSW-000001", "parent", 0, 20, emotional=6, peer=None),
        sdq("TSW-000001", "teacher", 1, 12, emotional=2, peer=3),
        sdq("TSW-000001", "self", 2, 25, emotional=8, peer=4),
    ]
    out = compare(rows)
    got = {(r.informant_a, r.informant_b, r.scale) for r in out.itertuples()}
    assert got == {
        ("parent", "teacher", "total"),
        ("parent", "teacher", "emotional"),
        ("parent", "self", "total"),
        ("parent", "self", "emotional"),
        ("teacher", "self", "total"),
        ("teacher", "self", "emotional"),
        ("teacher", "self", "peer"),
    }
    emotional = out[out["scale"] == "emotional"]
    assert set(emotional["judgement"]) == {"not judged"}  # the team gave constants for total only
    assert set(emotional["note"]) == {
        "not judged: no reliable-change constants for parent/carer and teacher emotional",
        "not judged: no reliable-change constants for parent/carer and self-report emotional",
        "not judged: no reliable-change constants for teacher and self-report emotional",
    }


def test_illustrative_constants_are_not_judged():
    demo = team(
        {
            "measure": "sdq",
            "scores": ["total"],
            "r": 0.8,
            "sd": 5.8,
            "source": "ILLUSTRATIVE demo value - not a cited source",
        },
        version="demo-illustrative",
    )
    out = compare(
        [sdq("TSW-000001", "parent", 0, 30), sdq("TSW-000001", "teacher", 0, 5)], constants=demo
    )
    r = out.iloc[0]
    assert r["judgement"] == "not judged" and pd.isna(r["threshold"])
    assert r["note"] == "not judged: only illustrative constants for parent/carer and teacher total"


def test_one_informant_without_constants_is_named_alone():
    constants = team(
        {
            "measure": "sdq",
            "scores": ["total"],
            "informants": ["parent"],
            "points": 5,
            "source": "team a",
        }
    )
    out = compare(
        [sdq("TSW-000001", "parent", 0, 30), sdq("TSW-000001", "teacher", 0, 5)],
        constants=constants,
    )
    assert out.iloc[0]["note"] == "not judged: no reliable-change constants for teacher total"


def test_no_constants_at_all_is_not_judged():
    out = compare(
        [sdq("TSW-000001", "parent", 0, 30), sdq("TSW-000001", "teacher", 0, 5)], constants=None
    )
    assert out.iloc[0]["judgement"] == "not judged"


def test_the_reminder_cites_de_los_reyes_and_blames_no_one():
    assert "De Los Reyes et al., 2015" in REMINDER
    assert "not that one informant is wrong" in REMINDER
