"""The screening timeline, hand-worked: allocation + 6 weeks, states as of a date."""

from __future__ import annotations

from datetime import date

import pytest

from tswt_formulation.model import case_from_data
from tswt_formulation.rules import case_timeline


def _case(make_case_data, **changes):
    data = make_case_data()
    for key, value in changes.items():
        node = data
        *parents, leaf = key.split("__")
        for p in parents:
            node = node[p]
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return case_from_data(data)


# The full case: received 2026-05-04, decided 2026-05-12, allocated 2026-05-20 (due
# 2026-07-01), screening started 2026-05-22, completed 2026-06-26, work begun 2026-06-30.
@pytest.mark.parametrize(
    "as_of,state,days,overdue",
    [
        (
            date(2026, 5, 4),
            "awaiting_decision",
            None,
            False,
        ),  # consent 05-01, approval 05-02 already in
        (date(2026, 5, 12), "awaiting_allocation", None, False),
        (date(2026, 5, 20), "in_screening", 42, False),  # allocated today: 6 weeks to go
        (date(2026, 6, 17), "in_screening", 14, False),
        (date(2026, 6, 26), "in_screening", None, False),  # completed: no longer counting down
        (date(2026, 6, 30), "work_begun", None, False),
    ],
)
def test_states_of_the_full_case(make_case_data, as_of, state, days, overdue):
    tl = case_timeline(_case(make_case_data), as_of)
    assert (tl.state, tl.days_to_due, tl.overdue) == (state, days, overdue)
    assert tl.screening_due == (
        date(2026, 7, 1) if state in ("in_screening", "work_begun") else None
    )


def test_overdue_when_not_completed(make_case_data):
    case = _case(make_case_data, screening__completed=None, outcome=None)
    assert case_timeline(case, date(2026, 7, 1)).due_text == "due today"
    tl = case_timeline(case, date(2026, 7, 4))
    assert (tl.state, tl.days_to_due, tl.overdue, tl.due_text) == (
        "in_screening",
        -3,
        True,
        "overdue by 3 days",
    )
    assert case_timeline(case, date(2026, 6, 30)).due_text == "due in 1 day"


def test_referred_when_consent_missing(make_case_data):
    case = _case(
        make_case_data,
        referral__consent=None,
        referral__decision={"outcome": "pending"},
        referral__allocation=None,
        screening=None,
        outcome=None,
        measures=[],
        goals=[],
    )
    assert case_timeline(case, date(2026, 6, 1)).state == "referred"
    assert case_timeline(case, date(2026, 5, 1)).state == "not_yet_referred"


def test_closed_when_not_accepted_or_closed_after_screening(make_case_data):
    not_accepted = _case(
        make_case_data,
        referral__decision={
            "outcome": "not_accepted",
            "date": "2026-05-12",
            "reasons": "Outside criteria",
            "alternatives": ["cluster_services"],
        },
        referral__allocation=None,
        screening=None,
        outcome=None,
        measures=[],
        goals=[],
    )
    assert case_timeline(not_accepted, date(2026, 6, 1)).state == "closed"
    closed = _case(
        make_case_data,
        outcome={
            "decision": "close",
            "date": "2026-06-30",
            "by": "c.mensah",
            "reasons": "Needs met",
        },
    )
    assert case_timeline(closed, date(2026, 7, 1)).state == "closed"
