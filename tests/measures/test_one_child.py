"""The plain-Python scorer of one child (measures.one_child, used by `tswt recommend`) against
the vectorised reference `score()` and the published reference vectors."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tswt_formulation.demo import generate_caseload
from tswt_formulation.measures.definition import load_measure
from tswt_formulation.measures.one_child import case_baseline_bands, score_one
from tswt_formulation.measures.outcomes import baseline_bands, case_scores
from tswt_formulation.model import MeasureAdministration

from ..conftest import REFERENCE, reference_file


@pytest.fixture(scope="module")
def caseload():
    return generate_caseload(120, seed=11, as_of=date(2026, 11, 20))


def test_baseline_bands_agree_with_the_vectorised_path_on_a_caseload(caseload) -> None:
    expected = baseline_bands(caseload)
    assert sum(len(v) for v in expected.values()) > 50  # the comparison covers real bands
    for case in caseload:
        assert case_baseline_bands(case) == expected[case.case_id], case.case_id


def test_every_score_agrees_with_the_vectorised_path(caseload) -> None:
    admins = [(c, m) for c in caseload for m in c.measures]
    scored = case_scores(caseload)
    assert len(scored) == len(admins)
    for (case, admin), row in zip(admins, scored.to_dict("records")):
        for score_id, value in score_one(load_measure(admin.measure), admin).items():
            want = row.get(score_id)
            want = None if want is None or want != want else int(want)
            assert value == want, (case.case_id, admin.measure, admin.timepoint, score_id)


_FORM = {"parent": "P4-17", "teacher": "T4-17", "self": "S11-17"}


def _admin(informant: str, responses: dict) -> MeasureAdministration:
    return MeasureAdministration(
        measure="sdq",
        version=_FORM[informant],
        informant=informant,
        date=date(2026, 1, 1),
        timepoint="baseline",
        responses=responses,
    )


@pytest.mark.parametrize("informant", ["parent", "teacher", "self"])
def test_published_sdq_vectors(informant: str) -> None:
    """awell-health/awell-score's SDQ vectors (tests/data/reference/sdq/sdq_cases.json)."""
    from .test_scoring import IMPACT_COLUMNS

    data = json.loads(
        reference_file(REFERENCE / "sdq" / "sdq_cases.json").read_text(encoding="utf-8")
    )
    defn = load_measure("sdq")
    for case in data["cases"]:
        responses = {str(k): v for k, v in case["items_raw"].items()}
        responses.update(zip(IMPACT_COLUMNS[informant], case["impact_items_raw"][informant]))
        got = score_one(defn, _admin(informant, responses))
        expected = {k: v for k, v in case["expected"].items() if not k.startswith("impact")}
        expected["impact"] = case["expected"][f"impact_{informant}"]
        assert {k: got[k] for k in expected} == expected, case["id"]


def test_hand_worked_cases() -> None:
    """The hand-worked SDQ cases of tests/measures/data/sdq_hand_cases.yaml."""
    from .test_scoring import HAND

    defn = load_measure("sdq")
    for case in HAND:
        got = score_one(defn, _admin(case["informant"], dict(case["responses"])))
        assert {k: got[k] for k in case["expected"]} == case["expected"], case["reason"]


def test_half_up_on_four_answered_items() -> None:
    """Emotional items 3, 8, 13, 16 answered 1, 1, 0, 0 and 24 missing: mean 0.5 x 5 = 2.5,
    which rounds half up to 3 (Python's round would give 2)."""
    admin = MeasureAdministration(
        measure="sdq",
        version="P4-17",
        informant="parent",
        date=date(2026, 1, 1),
        timepoint="baseline",
        responses={"3": 1, "8": 1, "13": 0, "16": 0, "24": None},
    )
    assert score_one(load_measure("sdq"), admin)["emotional"] == 3
