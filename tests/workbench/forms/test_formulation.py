"""The formulation form model, no widgets: a drafted formulation read into the form and
revised with the same values is unchanged; an override's problems name their fields;
blank points are dropped."""

from __future__ import annotations

from datetime import date

import pytest

from tswt_formulation import casework
from tswt_formulation.model import FIVE_PS
from tswt_formulation.workbench.forms.formulation import FormulationForm, point_path

from .conftest import WORKER


@pytest.fixture
def drafted(team_store):
    return casework.create_draft(team_store, "TSW-000123", user=WORKER, as_of=date(2026, 11, 20))


def test_no_formulation_shows_nothing(case):
    assert FormulationForm().values_of_case(case) == {}


def test_a_formulation_read_into_the_form_and_revised_as_it_is_is_unchanged(team_store, drafted):
    form = FormulationForm()
    values = form.values_of_case(drafted)
    before = drafted.formulation
    assert values["decision.accepted"] is True
    for p in FIVE_PS:
        assert [values[point_path(p, i)] for i in range(len(form.points[p]))] == [
            e.text for e in getattr(before.five_ps, p)
        ]
    revision = form.revision(drafted.case_id, values)
    assert not isinstance(revision, list)
    assert revision["overrides"] == [] and revision["accept"] is True
    saved = casework.revise_formulation(
        team_store, drafted.case_id, user=WORKER, version=drafted._version, **revision
    )
    after = saved.formulation
    assert after.five_ps == before.five_ps
    assert (after.narrative, after.stage_evidence, after.next_stage_readiness) == (
        before.narrative,
        before.stage_evidence,
        before.next_stage_readiness,
    )


def test_an_override_needs_its_reason_and_a_value_of_its_part(drafted):
    form = FormulationForm()
    values = form.values_of_case(drafted)
    values.update(
        {
            "decision.accepted": False,
            "decision.part": "wave",
            "decision.value": "seven",
            "decision.reason": "   ",
        }
    )
    problems = form.revision(drafted.case_id, values)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["decision.reason", "decision.value"]
    values["decision.reason"] = "The carer asked for consultation first."
    values["decision.value"] = "1"
    revision = form.revision(drafted.case_id, values)
    assert not isinstance(revision, list)
    (override,) = revision["overrides"]
    assert (override.part, override.value) == ("wave", 1)


def test_a_point_removed_or_left_blank_is_dropped_and_the_rest_keep_their_fields(drafted):
    form = FormulationForm()
    values = form.values_of_case(drafted)
    presenting = len(form.points["presenting"])
    assert presenting >= 1
    values[point_path("presenting", 0, "keep")] = False
    path = form.add_point("presenting", "worker", None)  # the worker's own, left blank
    values[path] = "   "
    content = form.content(values)
    assert len(content["five_ps"]["presenting"]) == presenting - 1
    if presenting > 1:  # the first kept is the second shown
        assert form.aliases["five_ps.presenting[0]"] == "five_ps.presenting[1]"
