"""Why no SDQ was returned (SSDA903 OC2 SDQ_REASON), as the case record holds it.

docs/change.md ("SSDA903 OC2 SDQ"): SDQ2 carer refused; SDQ3 not possible because of the severity of the child's
disability; SDQ4 other; SDQ5 child or young person refused; codes case-sensitive; SDQ1
(aged under 4 or over 16 at the latest assessment) follows from the age, so it is derived
by the export, never recorded. The full case (tests/data/cases/full_case.yaml, born
2014-06-15) records SDQ2 for the collection year ending 31 March 2026.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case_from_data, case_to_data

from ..conftest import file_digest

WHERE = "TSW-000123: sdq_not_completed"


def _with(make_case_data: Any, *entries: dict[str, Any]) -> dict[str, Any]:
    data = make_case_data()
    data["sdq_not_completed"] = [
        {"collection_year": 2026, "reason": "SDQ2", "recorded": "2026-03-10", **e} for e in entries
    ]
    return data


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            [{"reason": "SDQ1"}],
            (
                r"\[0\]\.reason: 'SDQ1' is not recorded: the SSDA903 export derives it from the child's age "
                r"\(under 4 or over 16 at the latest assessment\); record SDQ2, SDQ3, SDQ4 or SDQ5"
            ),
        ),
        (
            [{"reason": "sdq3"}],
            r"\[0\]\.reason: 'sdq3': SSDA903 reason codes are case-sensitive; write 'SDQ3'",
        ),
        (
            [{"reason": "SDQ6"}],
            (
                r"\[0\]\.reason: 'SDQ6' is not a reason code; expected one of SDQ2 \(carer refused\), SDQ3 \(not possible "
                r"because of the severity of the child's disability\), SDQ4 \(other\), SDQ5 \(child or young person refused\)"
            ),
        ),
        (
            [{}, {"reason": "SDQ5", "recorded": "2026-03-20"}],
            r"\[1\]\.collection_year: 2026 is recorded twice; record one reason per collection year",
        ),
        (
            [{"recorded": "2025-03-31"}],  # the 2025-26 year began on 1 April 2025
            r"\[0\]\.recorded: 2025-03-31 is before the collection year 2025-26 began \(2025-04-01\)",
        ),
        (
            [{"recorded": "2099-01-01"}],
            r"\[0\]\.recorded: 2099-01-01 is in the future \(today is \d{4}-\d\d-\d\d\)",
        ),
        (
            [
                {"collection_year": 2014, "recorded": "2014-05-01"}
            ],  # ended 31 March 2014, before the birth
            (
                r"\[0\]\.collection_year: 2014 ended before child\.date_of_birth 2014-06-15\n"
                rf"{WHERE}\[0\]\.recorded: 2014-05-01 is before child\.date_of_birth 2014-06-15"
            ),
        ),
    ],
    ids=[
        "SDQ1 derived",
        "case-sensitive",
        "unknown code",
        "twice in a year",
        "before the year",
        "future",
        "before birth",
    ],
)
def test_refused_with_the_field_named(
    make_case_data: Any, entries: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=rf"^{WHERE}{message}$"):
        case_from_data(_with(make_case_data, *entries))


def test_one_reason_per_year_across_years(make_case_data: Any) -> None:
    data = _with(
        make_case_data, {"collection_year": 2025, "reason": "SDQ3", "recorded": "2025-02-01"}, {}
    )
    case = case_from_data(data)
    assert [(r.collection_year, r.reason) for r in case.sdq_not_completed] == [
        (2025, "SDQ3"),
        (2026, "SDQ2"),
    ]
    assert case_from_data(case_to_data(case)) == case


def test_import_refuses_a_recorded_sdq1_and_writes_nothing(
    tmp_path: Any, make_case_data: Any
) -> None:
    store = tmp_path / "s.sqlite"
    with open_store(str(store), create=True):
        pass
    before = file_digest(store)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_with(make_case_data, {"reason": "SDQ1"})))
    r = CliRunner().invoke(cli, ["import", "--store", str(store), str(path)])
    assert r.exit_code == 2
    assert r.stderr.splitlines()[1].startswith(
        f"error: {path}: {WHERE}[0].reason: 'SDQ1' is not recorded: "
    )
    assert file_digest(store) == before


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_export_then_import_keeps_the_reasons(
    tmp_path: Any, make_case_data: Any, suffix: str
) -> None:
    data = _with(
        make_case_data,
        {
            "collection_year": 2025,
            "reason": "SDQ5",
            "recorded": "2025-05-02",
            "note": "Declined <b>again</b> at review",
        },
        {},
    )
    case = case_from_data(data)
    first, second = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    with open_store(first, create=True) as s:
        s.import_cases([case])
    out = tmp_path / f"cases{suffix}"
    assert CliRunner().invoke(cli, ["export", "--store", first, "-o", str(out)]).exit_code == 0
    with open_store(second, create=True):
        pass
    # The case carries an outcome of screening: only the owner's audited restore takes it.
    r = CliRunner().invoke(cli, ["import", "--restore", "round trip", "--store", second, str(out)])
    assert r.exit_code == 0, r.stderr
    with open_store(second) as s:
        back = s.get("TSW-000123")
    assert back.sdq_not_completed == case.sdq_not_completed
    assert case_to_data(back) == case_to_data(case)


def test_make_demo_caseload_has_each_reason() -> None:
    """`make demo` (60 cases, seed 1): each of SDQ1-SDQ5 reaches the return, whatever the date."""
    from datetime import date

    from tswt_formulation.demo import generate_caseload
    from tswt_formulation.measures.ssda903 import ssda903_from_cases

    cases = generate_caseload(60, seed=1, as_of=date(2026, 3, 1))  # last year ended: 2024-25
    recorded = sorted(
        r.reason for c in cases for r in c.sdq_not_completed if r.collection_year == 2025
    )
    assert recorded == ["SDQ2", "SDQ3", "SDQ4", "SDQ5"]
    export = ssda903_from_cases(cases, 2025)
    assert set(export["SDQ_REASON"].dropna()) == {"SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"}


def test_cli_export_returns_the_recorded_reason_and_says_what_it_left_out(
    tmp_path: Any, make_case_data: Any
) -> None:
    # The full case: born 2014-06-15, looked after since 2022-03-01, no carer SDQ in 2025-26.
    late = make_case_data("TSW-000124")
    late["child"]["case_management_ref"] = "SYNTH-4712"
    late["child"]["legal_status"]["start"] = (
        "2025-06-01"  # looked after from June: not all of 2025-26
    )
    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases([case_from_data(make_case_data()), case_from_data(late)])
    r = CliRunner().invoke(cli, ["export", "ssda903", "--year", "2026", "--store", store])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "CHILD,DOB,SDQ_SCORE,SDQ_REASON\nSYNTH-4711,15/06/2014,,SDQ2\n"
    assert r.stderr == (
        "SSDA903 OC2 SDQ 2025-2026: 1 children looked after for 12 months at 31 March 2026; 0 with a score, "
        "1 with a reason, 0 with neither (aged under 4 or 17+, as the rules require); reasons: SDQ2 1; "
        "1 recorded reason(s) not returned, as the rules require (the child has a score in the year, is under 4 "
        "at its end or 17 at its start, or was not looked after all of it).\n"
    )


def test_show_lists_the_reasons(tmp_path: Any, make_case_data: Any) -> None:
    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases([case_from_data(make_case_data())])
    r = CliRunner().invoke(cli, ["show", "TSW-000123", "--store", store])
    assert r.exit_code == 0, r.stderr
    assert (
        "  No SDQ score for the SSDA903 return 2025-26: SDQ2 carer refused (recorded 2026-03-10)"
        " - Foster carer declined the annual questionnaire after the move.\n"
    ) in r.stdout
