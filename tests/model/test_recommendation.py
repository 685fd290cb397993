"""The parts of a recommendation, written once (tswt_formulation/model/recommendation.py):
the wave and stage bounds, the part-to-vocabulary map, and the override as a worker types
it, read the same way by ``tswt decide --override`` and the workbench's decision form.

The expected values are worked from the practice model (waves 1-3, stages 1-4: DOMAIN.md)
and the package vocabulary's terms and labels."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from tswt_formulation.errors import OverrideError
from tswt_formulation.model import Override
from tswt_formulation.model.recommendation import (
    OVERRIDE_PARTS,
    Stage,
    Wave,
    check_override,
    parse_override,
    parse_value,
    value_text,
)


def test_the_bounds_are_the_practice_models():
    waves, stages = TypeAdapter(Wave), TypeAdapter(Stage)
    assert [waves.validate_python(n) for n in (1, 2, 3)] == [1, 2, 3]
    assert [stages.validate_python(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    for adapter, outside in ((waves, 0), (waves, 4), (stages, 0), (stages, 5)):
        with pytest.raises(ValidationError):
            adapter.validate_python(outside)


@pytest.mark.parametrize(
    "part,raw,message",
    [
        ("wave", "4", r"^'4' is not a wave \(1, 2 or 3\)$"),
        ("wave", "two", r"^'two' is not a wave \(1, 2 or 3\)$"),
        ("stage", "0", r"^'0' is not a stage \(1 to 4\)$"),
        ("stage", "-1", r"^'-1' is not a stage \(1 to 4\)$"),
        ("services", "Yoga", r"^unknown service 'Yoga'; expected one of: fostering_surgery, "),
        ("models", "emdr", r"^unknown direct-work model 'emdr'; expected one of: psychotherapy, "),
        ("risks", "x", r"^'risks' is not a part; expected one of wave, stage, services, "),
    ],
)
def test_a_value_outside_its_part_is_refused_in_the_teams_words(part, raw, message):
    with pytest.raises(ValueError, match=message):
        parse_value(part, raw)


def test_values_are_read_by_id_or_label_and_preconditions_keep_their_commas():
    assert parse_value("stage", " 2 ") == 2
    assert parse_value("services", "fostering_surgery, LIFE STORY CLINIC") == [
        "fostering_surgery",
        "life_story_clinic",
    ]
    assert parse_value("models", "Cognitive behavioural therapy (CBT)") == ["cbt"]
    assert parse_value("preconditions", "Agree a safety plan, with the carer; GP review") == [
        "Agree a safety plan, with the carer",
        "GP review",
    ]


@pytest.mark.parametrize(
    "part,value",
    [
        ("wave", 3),
        ("services", ["life_story_clinic", "carer_support"]),
        ("signposting", ["camhs_single_point_of_access"]),
        ("preconditions", ["Agree a safety plan, with the carer", "GP review"]),
    ],
)
def test_a_saved_value_reads_back_as_the_worker_would_type_it(part, value):
    assert parse_value(part, value_text(part, value)) == value


def test_value_text_shows_labels_not_ids():
    assert value_text("services", ["life_story_clinic"]) == "Life Story Clinic"


@pytest.mark.parametrize(
    "part,raw,reason,field,message",
    [
        ("stage", "2", "  ", "reason", "TSW-000123: override of stage: a reason is required"),
        (
            "wave",
            "5",
            "Risk escalated",
            "value",
            "TSW-000123: override of wave: '5' is not a wave (1, 2 or 3)",
        ),
        (
            "wave",
            "2",
            "why\nnot",
            "reason",
            "TSW-000123: override of wave: its reason must be one line of printable text "
            "(no line break or control character)",
        ),
        (
            "waves",
            "2",
            "because",
            "part",
            "TSW-000123: 'waves' is not a part; expected one of "
            "wave, stage, services, models, preconditions, signposting",
        ),
    ],
)
def test_a_wrong_override_names_the_case_the_part_and_the_field(part, raw, reason, field, message):
    with pytest.raises(OverrideError) as caught:
        parse_override("TSW-000123", part, raw, reason)
    assert str(caught.value) == message
    assert (caught.value.case_id, caught.value.field) == ("TSW-000123", field)


def test_a_good_override_is_the_record_the_workflow_keeps():
    o = parse_override("TSW-000123", "services", "Life Story Clinic", "Carer asked for it")
    assert o == Override(part="services", value=["life_story_clinic"], reason="Carer asked for it")
    check_override(o, "TSW-000123")  # the workflow's own check lets it through


def test_the_workflow_check_refuses_what_a_file_could_carry():
    """An override built in code (not typed) is checked the same way when recorded."""
    bad = Override(part="stage", value=5, reason="too far")
    with pytest.raises(
        OverrideError, match=r"^TSW-000123: override of stage: 5 is not a stage \(1 to 4\)$"
    ) as caught:
        check_override(bad, "TSW-000123")
    assert caught.value.field == "value"
    assert OVERRIDE_PARTS == ("wave", "stage", "services", "models", "preconditions", "signposting")
