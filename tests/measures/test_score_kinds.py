"""Each kind of score scores itself (measures/score_kinds.py): the plain-Python ``one``
and the vectorised ``columns`` apply the same rule, and the kind list and the union are
built from one tuple of classes.

Expected values are worked by hand from youthinmind's SDQ scoring rules (docs/measures.md):
a subscale of five items coded 0-2 is round_half_up(mean of answered items x 5) when at
least three are answered, with reversed items scored 2 - code; impact items score
0, 0, 1, 2 for codes 0-3 and the impact is 0 when the overall question is answered "no"."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pytest

from tswt_formulation.measures.definition import load_measure
from tswt_formulation.measures.score_kinds import (
    KINDS,
    SCORE_KINDS,
    Answers,
    ColumnSet,
    ScoreDefinition,
)
from tswt_formulation.measures.scoring import _Points


@pytest.fixture(scope="module")
def sdq():
    return load_measure("sdq")


def test_the_kind_list_and_the_union_are_the_kinds():
    assert SCORE_KINDS == ("mean_prorated", "sum_of_subscales", "impact", "item")
    assert set(get_args(get_args(ScoreDefinition)[0])) == set(KINDS)


# (score, informant, answers by item id, expected); hand-worked from the SDQ rules above
CASES = [
    # emotional (items 3, 8, 13, 16, 24; none reversed): 2+1+0+2 over 4 answered -> 5/4*5 = 6.25 -> 6
    ("emotional", "parent", {"3": 2, "8": 1, "13": 0, "16": 2}, 6),
    # 1+1+0 over 3 answered -> 2/3*5 = 3.33 -> 3
    ("emotional", "parent", {"3": 1, "8": 1, "13": 0}, 3),
    # only two answered: fewer than three, missing
    ("emotional", "parent", {"3": 2, "8": 2}, None),
    # conduct (5, 7r, 12, 18, 22): item 7 reversed, code 0 -> 2 points; 2+0+1+0+1 = 4
    ("conduct", "parent", {"5": 2, "7": 2, "12": 1, "18": 0, "22": 1}, 4),
    ("conduct", "parent", {"5": 0, "7": 0, "12": 0, "18": 0, "22": 0}, 2),
    # impact, parent: overall "no" (0) -> 0 whatever the items say
    ("impact", "parent", {"overall_difficulties": 0, "impact_distress": 3}, 0),
    # overall "definite" (2): distress "a great deal" 2 + home "a medium amount" 1 + the rest 0
    (
        "impact",
        "parent",
        {"overall_difficulties": 2, "impact_distress": 3, "impact_home": 2, "impact_leisure": 1},
        3,
    ),
    # overall "minor" and every impact item missing: missing
    ("impact", "parent", {"overall_difficulties": 1}, None),
]


@pytest.mark.parametrize("score_id,informant,answers,expected", CASES)
def test_one_administration_scores_as_the_rules_say(sdq, score_id, informant, answers, expected):
    s = sdq.score_definition(score_id)
    assert s.one(Answers(sdq, answers, informant), {}) == expected


@pytest.mark.parametrize("score_id,informant,answers,expected", CASES)
def test_columns_score_as_one_does(sdq, score_id, informant, answers, expected):
    """The same administration as a one-row column set gives the same value."""
    cols = {
        item: (np.array([True]), np.array([code], dtype=np.int8)) for item, code in answers.items()
    }
    inf = np.array([sdq.informants.index(informant)], dtype=np.int8)
    given = ColumnSet(sdq, _Points(sdq, cols, 1), cols, inf, 1, True)
    value, ok = sdq.score_definition(score_id).columns(given, {})
    assert (int(value[0]) if ok[0] else None) == expected


def test_a_total_is_missing_when_a_component_is(sdq):
    total = sdq.score_definition("total")
    done = {"emotional": 6, "conduct": 4, "hyperactivity": 5, "peer": 1}
    assert total.one(Answers(sdq, {}, "parent"), done) == 16
    assert total.one(Answers(sdq, {}, "parent"), {**done, "peer": None}) is None


def test_each_kind_knows_its_range(sdq):
    assert sdq.score_definition("emotional").span(sdq, None) == (0, 10)
    assert sdq.score_definition("total").span(sdq, None) == (0, 40)
    assert sdq.score_definition("impact").span(sdq, "teacher") == (0, 6)
    assert sdq.score_definition("impact").span(sdq, "parent") == (0, 10)
