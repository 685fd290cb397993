"""A team extends the vocabularies by configuration, not by editing code."""

from __future__ import annotations

import pytest

from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case_from_data
from tswt_formulation.model.vocabulary import load_vocabulary, vocabulary


def test_builtin_ids_are_domain_ids():
    v = vocabulary()
    assert list(v["legal_status"].terms) == [
        "looked_after",
        "kinship_care",
        "child_protection_plan",
        "supervision_order",
        "child_in_need",
        "care_leaver",
    ]
    assert list(v["presenting_behaviour"].terms) == [
        "extreme_dysregulation",
        "acting_out_aggression",
        "internalising_withdrawal",
        "regulatory_eating",
        "regulatory_toileting",
        "regulatory_sleep",
        "self_harm",
        "harmful_sexual_behaviour",
        "attention_concentration_impulsivity",
    ]
    assert list(v["service"].terms) == [
        "fostering_surgery",
        "life_story_clinic",
        "sw_discussion_clinic",
        "childrens_homes_support",
        "carer_support",
        "foundations_for_attachment",
        "direct_work",
        "training_consultation",
    ]
    assert v["frequency"].rank("weekly") > v["frequency"].rank("monthly")


def test_team_extension_is_used(tmp_path, monkeypatch, make_case_data):
    ext = tmp_path / "team.yaml"
    ext.write_text(
        "version: t1\nvocabularies:\n  history_factor:\n    terms:\n      exploitation: Criminal or sexual exploitation\n"
    )
    data = make_case_data()
    data["screening"]["history_factors"][0]["factor"] = "exploitation"
    with pytest.raises(ValidationFailed, match=r"unknown history factor 'exploitation'"):
        case_from_data(data)
    monkeypatch.setenv("TSWT_VOCABULARY", str(ext))
    assert case_from_data(data).screening.history_factors[0].factor == "exploitation"
    assert vocabulary().version == "2026.1+t1"


@pytest.mark.parametrize(
    "body,message",
    [
        (
            "vocabularies:\n  legal_status:\n    terms:\n      adopted: Adopted\n",
            r"vocabularies\.legal_status: is a defined scale and cannot be extended",
        ),
        (
            "vocabularies:\n  hobbies:\n    terms:\n      chess: Chess\n",
            r"vocabularies\.hobbies: unknown list; known: ",
        ),
        (
            "vocabularies:\n  service:\n    terms:\n      direct_work: Something else\n",
            r"vocabularies\.service\.terms\.direct_work: already built in",
        ),
        (
            "vocabularies:\n  service:\n    terms:\n      Bad Id: Label\n",
            r"'Bad Id' is not a lower-case ASCII id",
        ),
    ],
)
def test_bad_extension_is_refused(tmp_path, body, message):
    ext = tmp_path / "team.yaml"
    ext.write_text(body)
    with pytest.raises(ValidationFailed, match=message):
        load_vocabulary(ext)
