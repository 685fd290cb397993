"""The work forms' model, no widgets: the interventions running, and the problems that
stop a save, each naming its field."""

from __future__ import annotations

from datetime import date

from tswt_formulation import casework
from tswt_formulation.errors import Problem
from tswt_formulation.workbench.forms.work import WorkForm

from .conftest import WORKER


def test_no_intervention_running_refuses_a_session_and_an_ending(case):
    form = WorkForm()
    values = form.values_of_case(case)
    assert values == {"session.intervention": None, "ending.intervention": None}
    assert form.not_running(values, "session") == [
        Problem("", "", "No intervention is running: start one first (tswt intervention start).")
    ]
    assert form.not_running(values, "ending") == [Problem("", "", "No intervention is running.")]


def test_a_missing_date_is_named_by_its_field():
    form = WorkForm()
    assert form.undated({"review.date": None}, "review")[0] == Problem(
        "", "review.date", "missing: give the date"
    )
    assert form.undated({"ending.date": None}, "close")[0].field == "ending.date"
    assert form.undated({"session.date": date(2026, 11, 20)}, "session") == []


def test_a_session_as_typed_is_what_casework_records(team_store):
    case = casework.start_intervention(
        team_store,
        "TSW-000123",
        "model",
        "ddp",
        ["carer"],
        date(2026, 7, 6),
        fulfils="models",
        user=WORKER,
    )
    form = WorkForm()
    assert form.running(case) == [("1. ddp", 1)]
    values = {
        **form.values_of_case(case),
        "session.date": date(2026, 11, 20),
        "session.attendance": "attended",
        "session.took_part": ["carer"],
        "session.minutes": 50,
        "session.note": "",
    }
    saved = casework.record_session(
        team_store, case.case_id, **form.session(values), user=WORKER, version=case._version
    )
    (session,) = saved.interventions[0].sessions
    assert (session.date, session.attendance, session.minutes) == (
        date(2026, 11, 20),
        "attended",
        50,
    )
