"""Cases for the form models: the hand-written full case, and a store holding it with
the demo's team (for a formulation drafted as the workbench drafts it). No widgets."""

from __future__ import annotations

from typing import Any

import pytest

from tswt_formulation.model import Case, case_from_data

WORKER = "c.mensah"


@pytest.fixture
def case(make_case_data: Any) -> Case:
    return case_from_data(make_case_data("TSW-000123"))


@pytest.fixture
def team_store(store: Any, make_case_data: Any) -> Any:
    """The full case, screened, in a training store with the demo's team."""
    from tswt_formulation.demo import demo_staff
    from tswt_formulation.store.staff import add_staff

    store.mark_training()
    add_staff(store, demo_staff(), note="synthetic team")
    data = make_case_data("TSW-000123")
    data["referral"]["approval"]["by"] = "t.harper"
    store.import_cases([case_from_data(data)], user="it.admin", action="restore")
    return store
