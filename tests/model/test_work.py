"""The work after screening (issue 22): interventions, sessions, first steps, reviews and
the ending, checked date against date with the field named, and recorded through
casework with the permission table and the audit.

The case is tests/data/cases/full_case.yaml: allocated to c.mensah on 2026-05-20, work
begun (outcome of screening) on 2026-06-30, one goal. Every expected message below is
worked by hand from those dates.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from tswt_formulation import casework
from tswt_formulation.access.permissions import NotPermitted
from tswt_formulation.errors import OverrideError, ValidationFailed
from tswt_formulation.model import case_from_data, case_to_data

DDP = {
    "number": 1,
    "kind": "model",
    "what": "ddp",
    "for_whom": ["carer", "child"],
    "lead_worker": "c.mensah",
    "start": "2026-07-06",
    "planned_end": "2026-12-31",
    "fulfils": "models",
}


def _problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as failed:
        case_from_data(data, "TSW-000123")
    return [(p.field, p.message) for p in failed.value.problems]


@pytest.fixture
def begun(make_case_data) -> dict:
    data = make_case_data()
    data["referral"]["approval"]["by"] = "t.harper"
    return data


def test_an_old_record_without_work_loads_unchanged(begun):
    case = case_from_data(begun)
    assert case.interventions == [] and case.reviews == [] and case.ending is None
    assert "interventions" not in case_to_data(
        case
    )  # defaults are not written: exports stay as they were


def test_a_whole_work_record_round_trips(begun):
    begun["interventions"] = [
        dict(
            DDP,
            sessions=[
                {
                    "date": "2026-07-06",
                    "attendance": "attended",
                    "took_part": ["carer"],
                    "minutes": 60,
                },
                {"date": "2026-07-13", "attendance": "did_not_attend"},
            ],
            end="2026-10-01",
            ending_reason="disengaged",
        )
    ]
    begun["reviews"] = [
        {
            "date": "2026-09-30",
            "by": "c.mensah",
            "stage": 2,
            "wave": 3,
            "risks_reviewed": True,
            "goals": [{"number": 1, "rating": 4}],
            "measures_due": ["sdq"],
            "measures_done": ["sdq"],
        }
    ]
    begun["first_steps"] = [
        {"step": "A safety plan", "owner": "c.mensah", "due": "2026-07-10", "done": "2026-07-08"}
    ]
    begun["ending"] = {
        "date": "2026-10-02",
        "by": "c.mensah",
        "reason": "disengaged",
        "summary": "Stopped coming.",
        "closing_measures_due": ["sdq"],
    }
    case = case_from_data(begun)
    assert case.interventions[0].unplanned_ending
    assert case_from_data(case_to_data(case)) == case


@pytest.mark.parametrize(
    "change,expected",
    [
        # a session a day before the intervention's start (2026-07-06)
        (
            lambda d: d["interventions"][0].update(
                sessions=[{"date": "2026-07-05", "attendance": "attended", "took_part": ["carer"]}]
            ),
            [
                (
                    "interventions[0].sessions[0].date",
                    "2026-07-05 is before interventions[0].start 2026-07-06",
                )
            ],
        ),
        # a session after it ended
        (
            lambda d: d["interventions"][0].update(
                end="2026-08-01",
                ending_reason="planned",
                sessions=[{"date": "2026-08-02", "attendance": "cancelled_by_team"}],
            ),
            [
                (
                    "interventions[0].sessions[0].date",
                    "2026-08-02 is after interventions[0].end 2026-08-01",
                )
            ],
        ),
        # an intervention starting before work began (outcome 2026-06-30)
        (
            lambda d: d["interventions"][0].update(start="2026-06-29"),
            [
                (
                    "interventions[0].start",
                    "2026-06-29 is before outcome.date (work began) 2026-06-30",
                )
            ],
        ),
        (
            lambda d: d["interventions"][0].update(end="2026-08-01"),
            [
                (
                    "interventions[0].ending_reason",
                    "missing: an ended intervention needs its ending reason",
                )
            ],
        ),
        (
            lambda d: d["interventions"][0].update(end="2026-08-01", ending_reason="other"),
            [
                (
                    "interventions[0].ending_other",
                    "missing: an ending for another reason needs it said",
                )
            ],
        ),
        (
            lambda d: d["interventions"][0].pop("fulfils"),
            [
                (
                    "interventions[0].fulfils",
                    (
                        "missing: name the part of the recommendation it fulfils (wave, services, models, "
                        "preconditions), or say why it was not recommended"
                    ),
                )
            ],
        ),
        (
            lambda d: d["interventions"][0].update(kind="wave"),
            [
                (
                    "interventions[0].what",
                    (
                        "unknown wave intervention 'ddp'; expected one of: therapeutic_milieu, "
                        "whole_setting_focus, curriculum_adaptations, staff_training, team_around_the_child, "
                        "carer_advice, keywork, targeted_programme, small_group_work, parental_engagement, "
                        "child_specific_training, reflective_practice, individual_therapy, group_therapy, "
                        "one_to_one_direct, family_work, clinical_assessment"
                    ),
                )
            ],
        ),
        # no review before work began
        (
            lambda d: d.update(
                reviews=[{"date": "2026-06-01", "by": "c.mensah", "stage": 1, "wave": 2}]
            ),
            [("reviews[0].date", "2026-06-01 is before outcome.date (work began) 2026-06-30")],
        ),
        (
            lambda d: d.update(
                reviews=[
                    {
                        "date": "2026-09-01",
                        "by": "c.mensah",
                        "stage": 1,
                        "wave": 2,
                        "goals": [{"number": 2, "rating": 5}],
                    }
                ]
            ),
            [("reviews[0].goals[0].number", "2 is not one of the case's goals (1)")],
        ),
        # an ending while the intervention is still open
        (
            lambda d: d.update(
                ending={"date": "2026-09-01", "by": "c.mensah", "reason": "planned"}
            ),
            [
                (
                    "interventions[0].end",
                    "missing: intervention 1 is still open at ending.date 2026-09-01; end it first",
                )
            ],
        ),
        # work recorded on a case whose screening closed it
        (
            lambda d: d["outcome"].update(decision="close", reasons="No further work needed."),
            [
                (
                    "outcome",
                    (
                        "work is recorded, but the outcome of screening is not begin_work; record it first "
                        "(tswt outcome CASE --begin-work)"
                    ),
                )
            ],
        ),
    ],
    ids=[
        "session-before-start",
        "session-after-end",
        "start-before-work-began",
        "end-without-reason",
        "other-without-text",
        "neither-fulfils-nor-reason",
        "term-of-the-wrong-list",
        "review-before-work-began",
        "review-rates-unknown-goal",
        "ending-with-open-intervention",
        "work-on-a-closed-case",
    ],
)
def test_dates_and_links_checked_with_the_field_named(begun, change, expected):
    begun["interventions"] = [copy.deepcopy(DDP)]
    change(begun)
    assert _problems(begun) == expected


# --- through casework -------------------------------------------------------------------------


@pytest.fixture
def team_store(store, begun):
    from tswt_formulation.demo import demo_staff
    from tswt_formulation.store.staff import add_staff

    store.mark_training()
    add_staff(store, demo_staff(), note="synthetic team")
    store.import_cases([case_from_data(begun)], user="it.admin", action="restore")
    return store


def test_a_whole_episode_through_casework(team_store):
    s = team_store
    casework.start_intervention(
        s,
        "TSW-000123",
        "model",
        "ddp",
        ["carer"],
        date(2026, 7, 6),
        planned_end=date(2026, 12, 1),
        fulfils="models",
        user="c.mensah",
    )
    casework.start_intervention(
        s,
        "TSW-000123",
        "wave",
        "keywork",
        ["child"],
        date(2026, 7, 20),
        lead_worker="a.okafor",
        not_recommended="The home asked for keywork alongside.",
        user="t.harper",
    )
    # the lead worker of intervention 2 records its sessions, though not the allocated worker
    casework.record_session(
        s, "TSW-000123", 2, date(2026, 7, 27), "attended", ["child"], 45, user="a.okafor"
    )
    casework.record_session(
        s, "TSW-000123", 2, date(2026, 7, 21), "cancelled_by_family", user="a.okafor"
    )
    casework.record_first_step(
        s,
        "TSW-000123",
        "A safety plan",
        owner="c.mensah",
        due=date(2026, 7, 10),
        done=date(2026, 7, 9),
        user="c.mensah",
    )
    casework.record_review(
        s,
        "TSW-000123",
        date(2026, 9, 30),
        stage=2,
        wave=3,
        goals={1: 6},
        measures_due=["sdq"],
        risks_reviewed=True,
        user="c.mensah",
    )
    casework.end_intervention(s, "TSW-000123", 1, date(2026, 10, 1), "planned", user="c.mensah")
    casework.end_intervention(
        s, "TSW-000123", 2, date(2026, 10, 2), "moved_out_of_area", user="a.okafor"
    )
    casework.close_involvement(
        s,
        "TSW-000123",
        date(2026, 10, 3),
        "moved_out_of_area",
        "Moved to another authority.",
        closing_measures_due=["sdq"],
        user="c.mensah",
    )
    case = s.get("TSW-000123")
    assert [x.date for x in case.interventions[1].sessions] == [
        date(2026, 7, 21),
        date(2026, 7, 27),
    ]  # kept in date order
    assert case.interventions[1].lead_worker == "a.okafor" and case.first_steps[-1].done == date(
        2026, 7, 9
    )  # after the safety plan the full case records as done before work began
    assert case.ending is not None and case.ending.by == "c.mensah"
    notes = [a.note for a in s.audit_log("TSW-000123")][-9:]
    assert notes == [
        "intervention 1 started: ddp",
        "intervention 2 started: keywork",
        "session of intervention 2: attended",
        "session of intervention 2: cancelled by family",
        "first step recorded as done",
        "review: stage 2, wave 3, formulation holds",
        "intervention 1 ended: planned",
        "intervention 2 ended: moved out of area",
        "involvement ended: moved out of area",
    ]


def test_who_may_record_work(team_store):
    s = team_store
    with pytest.raises(
        NotPermitted,
        match=r"^TSW-000123: b\.kowalski is a therapeutic social worker; recording the work "
        r"\(interventions, sessions, first steps, reviews, the ending\) needs the "
        r"allocated worker, an intervention's lead worker or a manager$",
    ):
        casework.start_intervention(
            s,
            "TSW-000123",
            "model",
            "ddp",
            ["carer"],
            date(2026, 7, 6),
            fulfils="models",
            user="b.kowalski",
        )
    with pytest.raises(
        NotPermitted,
        match=r"^TSW-000123: dr\.r\.ahmed is a clinical psychologist; recording the work",
    ):
        casework.close_involvement(s, "TSW-000123", date(2026, 7, 6), "planned", user="dr.r.ahmed")
    assert s.get("TSW-000123").interventions == []


def test_a_lead_worker_must_be_a_login(team_store):
    with pytest.raises(ValidationFailed) as failed:
        casework.start_intervention(
            team_store,
            "TSW-000123",
            "model",
            "ddp",
            ["carer"],
            date(2026, 7, 6),
            lead_worker="C Mensah",
            fulfils="models",
            user="c.mensah",
        )
    assert "interventions.0.lead_worker" in str(failed.value)


def test_refusals_write_nothing(team_store):
    s = team_store
    casework.start_intervention(
        s,
        "TSW-000123",
        "model",
        "ddp",
        ["carer"],
        date(2026, 7, 6),
        fulfils="models",
        user="c.mensah",
    )
    before = s.get("TSW-000123")._version
    with pytest.raises(
        ValidationFailed,
        match=r"interventions\[0\]\.sessions\[0\]\.date: 2026-07-01 is before "
        r"interventions\[0\]\.start 2026-07-06",
    ):
        casework.record_session(
            s, "TSW-000123", 1, date(2026, 7, 1), "attended", ["carer"], user="c.mensah"
        )
    with pytest.raises(
        OverrideError, match=r"^TSW-000123: no intervention 7 \(interventions: 1\)$"
    ):
        casework.record_session(
            s, "TSW-000123", 7, date(2026, 7, 8), "attended", ["carer"], user="c.mensah"
        )
    assert s.get("TSW-000123")._version == before


def test_a_revised_formulation_goes_back_to_signoff(store, begun):
    from tswt_formulation.demo import demo_staff
    from tswt_formulation.store.staff import add_staff

    store.mark_training()
    add_staff(store, demo_staff(), note="synthetic team")
    begun["formulation"] = {
        "status": "signed_off",
        "revision": 2,
        "author": "c.mensah",
        "created": "2026-06-20T10:00:00Z",
        "updated": "2026-06-21T10:00:00Z",
        "submitted_by": "c.mensah",
        "signoffs": [
            {
                "reviewer": "dr.k.osei",
                "at": "2026-06-22T10:00:00Z",
                "outcome": "approved",
                "formulation_revision": 2,
            }
        ],
    }
    store.import_cases([case_from_data(begun)], user="it.admin", action="restore")
    casework.record_review(
        store,
        "TSW-000123",
        date(2026, 9, 30),
        stage=1,
        wave=3,
        formulation="revised",
        user="s.price",
    )
    f = store.get("TSW-000123").formulation
    assert (f.status, f.revision, f.submitted_by, f.contributors) == ("draft", 3, None, ["s.price"])
    # signed off again only by a psychologist who did not revise it
    assert store.audit_log("TSW-000123")[-1].note == "review: stage 1, wave 3, formulation revised"


def test_a_revision_needs_a_formulation(team_store):
    with pytest.raises(
        OverrideError,
        match=r"^TSW-000123: the review says the formulation is revised, but there is no "
        r"formulation$",
    ):
        casework.record_review(
            team_store,
            "TSW-000123",
            date(2026, 9, 30),
            stage=1,
            wave=3,
            formulation="revised",
            user="c.mensah",
        )
