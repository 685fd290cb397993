"""The measures commands through the real CLI: score, outcomes, measures, export ssda903."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli

from ..conftest import AS_OF

DEMO_CONSTANTS = (
    Path(__file__).resolve().parents[2]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "demo_constants.yaml"
)
# Hand-worked: raw items of the full case's parent SDQ (tests/data/cases/full_case.yaml).
# emotional 3,8,13,16,24 = 2+2+2+2+2 = 10; conduct 5,7r,12,18,22 = 1+(2-1)+0+0+1 = 3;
# hyperactivity 2,10,15,21r,25r = 2+2+2+(2-0)+(2-1) = 9; peer 6,11r,14r,19,23 = 0+1+1+1+0 = 3;
# prosocial 1,4,9,17,20 = 5; total 10+3+9+3 = 25.
ITEMS = {
    "1": 1,
    "2": 2,
    "3": 2,
    "4": 1,
    "5": 1,
    "6": 0,
    "7": 1,
    "8": 2,
    "9": 1,
    "10": 2,
    "11": 1,
    "12": 0,
    "13": 2,
    "14": 1,
    "15": 2,
    "16": 2,
    "17": 1,
    "18": 0,
    "19": 1,
    "20": 1,
    "21": 0,
    "22": 1,
    "23": 0,
    "24": 2,
    "25": 1,
}
SYNTAX = [
    "pconsid",
    "prestles",
    "psomatic",
    "pshares",
    "ptantrum",
    "ploner",
    "pobeys",
    "pworries",
    "pcaring",
    "pfidgety",
    "pfriend",
    "pfights",
    "punhappy",
    "ppopular",
    "pdistrac",
    "pclingy",
    "pkind",
    "plies",
    "pbullied",
    "phelpout",
    "preflect",
    "psteals",
    "poldbest",
    "pafraid",
    "pattends",
]


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def test_score_a_csv_with_official_syntax_names(tmp_path):
    row = {"case_id": "TSW-900001", **{name: ITEMS[str(i + 1)] for i, name in enumerate(SYNTAX)}}
    path = tmp_path / "sdq.csv"
    path.write_text(_csv([row]))
    r = CliRunner().invoke(cli, ["score", "sdq", "--input", str(path), "--informant", "parent"])
    assert r.exit_code == 0, r.stderr
    out = next(csv.DictReader(io.StringIO(r.stdout)))
    assert (
        out["case_id"],
        out["emotional"],
        out["conduct"],
        out["hyperactivity"],
        out["peer"],
        out["prosocial"],
        out["total"],
    ) == ("TSW-900001", "10", "3", "9", "3", "5", "25")
    assert (
        out["total_band3"] == "abnormal" and out["total_band4"] == "very_high_or_low"
    )  # parent total 20-40


def test_score_refuses_a_bad_value_naming_row_and_column(tmp_path):
    good = {name: ITEMS[str(i + 1)] for i, name in enumerate(SYNTAX)}
    bad = dict(good, pfights=3)
    path = tmp_path / "sdq.csv"
    path.write_text(_csv([good, bad]))
    r = CliRunner().invoke(cli, ["score", "sdq", "--input", str(path), "--informant", "parent"])
    assert r.exit_code == 2
    assert r.stderr.startswith(
        "error: row 3: column pfights: "
    )  # line 3 of the CSV (line 1 is the header)
    assert "3" in r.stderr.splitlines()[0]
    aside = tmp_path / "aside.csv"
    r = CliRunner().invoke(
        cli,
        ["score", "sdq", "--input", str(path), "--informant", "parent", "--set-aside", str(aside)],
    )
    assert r.exit_code == 1
    assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == 1
    assert "pfights" in aside.read_text()


def test_outcomes_and_measures_commands(tmp_path, monkeypatch, demo_cases):
    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases(demo_cases)
    working = next(
        c
        for c in demo_cases
        if c.outcome and c.outcome.decision == "begin_work" and len(c.measures) > 3
    )
    r = CliRunner().invoke(
        cli, ["outcomes", working.case_id, "--store", store, "--as-of", AS_OF.isoformat()]
    )
    assert r.exit_code == 0
    assert (
        "No reliable-change constants for: " in r.output and "sdq total (" in r.output
    )  # none confirmed, none supplied
    monkeypatch.setenv("TSWT_MEASURE_CONSTANTS", str(DEMO_CONSTANTS))
    r = CliRunner().invoke(
        cli, ["outcomes", working.case_id, "--store", store, "--as-of", AS_OF.isoformat(), "--json"]
    )
    data = json.loads(r.stdout)
    totals = [
        row for row in data["baseline_vs_latest"] if row["score"] == "total" and row["paired"]
    ]
    assert totals and all(
        row["category"] in ("Recovered", "Improved", "Unchanged", "Deteriorated", "Harmed")
        for row in totals
    )
    assert data["constants"]
    r = CliRunner().invoke(cli, ["measures", "list"])
    assert r.exit_code == 0 and "sdq" in r.output and "gbo" in r.output


def test_export_ssda903_is_valid_under_every_rule(tmp_path, demo_cases):
    from tswt_formulation.measures.ssda903 import looked_after_continuously, validate_oc2_sdq

    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases(demo_cases)
    out = tmp_path / "oc2.csv"
    r = CliRunner().invoke(
        cli, ["export", "ssda903", "--year", "2026", "--store", store, "-o", str(out)]
    )
    assert r.exit_code == 0, r.stderr
    import re as _re

    n, scored, reasons, neither = map(
        int,
        _re.search(
            r": (\d+) children .*?; (\d+) with a score, (\d+) with a reason, (\d+) with neither",
            r.stderr,
        ).groups(),
    )
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON"]
    assert not any(
        row["SDQ_SCORE"] and row["SDQ_REASON"] for row in rows
    )  # 197a; under-4s and 17+ get neither
    assert (n, scored, reasons, neither) == (
        len(rows),
        sum(bool(r["SDQ_SCORE"]) for r in rows),
        sum(bool(r["SDQ_REASON"]) for r in rows),
        sum(not r["SDQ_SCORE"] and not r["SDQ_REASON"] for r in rows),
    )
    import pandas as pd

    frame = pd.read_csv(out, dtype=str, keep_default_na=False, na_values=[""])
    la = {
        c.child.case_management_ref
        for c in demo_cases
        if looked_after_continuously(
            [
                (p.status, p.start, p.end)
                for p in [c.child.legal_status, *c.child.legal_status_history]
            ],
            2026,
        )
    }
    assert set(frame["CHILD"]) == la
    assert validate_oc2_sdq(frame, 2026, la) == []
    # Read back as the DfE rules read dates: DD/MM/YYYY or blank. None blank, none moved.
    dfe = pd.to_datetime(frame["DOB"], format="%d/%m/%Y", errors="coerce")
    dob = {c.child.case_management_ref: c.child.date_of_birth for c in demo_cases}
    assert dfe.notna().all() and dfe.dt.date.tolist() == [dob[c] for c in frame["CHILD"]]
    # The demo records SDQ2-5 for some children; each is returned as recorded; SDQ1 by age.
    recorded = {
        c.child.case_management_ref: r.reason
        for c in demo_cases
        for r in c.sdq_not_completed
        if r.collection_year == 2026
    }
    assert sorted(recorded.values()) == ["SDQ2", "SDQ3", "SDQ4", "SDQ5"]
    assert {c: frame.set_index("CHILD").loc[c, "SDQ_REASON"] for c in recorded} == recorded
    assert set(frame["SDQ_REASON"].dropna()) == {"SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"}
    defaulted = ((frame["SDQ_REASON"] == "SDQ4") & ~frame["CHILD"].isin(recorded)).sum()
    assert (
        f"; {defaulted} given SDQ4 (other) because no reason is recorded for 2026; written to "
        in r.stderr
    )
    assert (
        "not returned" not in r.stderr
    )  # every reason the demo records is one the rules let through

    r = CliRunner().invoke(
        cli, ["export", "ssda903", "--year", "2026", "--layout", "oc2", "--store", store]
    )
    assert r.exit_code == 0, r.stderr
    full = pd.read_csv(io.StringIO(r.stdout), dtype=str, keep_default_na=False, na_values=[""])
    assert list(full.columns) == [
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ]
    assert full.iloc[:, 4:].isna().all().all()
    assert full.iloc[:, :4].equals(frame)


def test_export_ssda903_needs_a_year_that_has_ended():
    r = CliRunner().invoke(cli, ["export", "ssda903"])
    assert r.exit_code == 2 and "needs --year YYYY" in r.stderr
    r = CliRunner().invoke(cli, ["export", "ssda903", "--year", "2099"])
    assert (
        r.exit_code == 2
        and "the collection year ending 31 March 2099 has not ended yet" in r.stderr
    )
    r = CliRunner().invoke(cli, ["export", "--layout", "oc2"])
    assert r.exit_code == 2 and "Error: --layout goes with `tswt export ssda903`" in r.stderr


@pytest.mark.parametrize("args", [["measures", "show", "nope"]])
def test_unknown_measure(args):
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2 and r.stderr.startswith("error: ")


def test_score_an_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = CliRunner().invoke(cli, ["score", "sdq", "--input", str(empty), "--informant", "parent"])
    assert (r.exit_code, r.stderr) == (
        2,
        f"error: {empty}: the file is empty; expected a header row and one row per administration\n",
    )


def test_one_bad_cell_sets_aside_only_its_row_numbered_as_in_the_file(tmp_path):
    good = {name: ITEMS[str(i + 1)] for i, name in enumerate(SYNTAX)}
    rows = [
        dict(good, id="A"),
        dict(good, id="B", pobeys="x"),
        dict(good, id="C"),
        dict(good, id="D", ptantrum=3),
    ]
    path = tmp_path / "sdq.csv"
    path.write_text(_csv(rows))
    r = CliRunner().invoke(
        cli, ["score", "sdq", "--input", str(path), "--informant", "parent", "--id-column", "id"]
    )
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "error: row 3: column pobeys: value 'x' is not a number in the response coding 0-2",
        "error: row 5: column ptantrum: value 3 is outside the response coding 0-2",
    ]
    aside = tmp_path / "aside.csv"
    r = CliRunner().invoke(
        cli,
        [
            "score",
            "sdq",
            "--input",
            str(path),
            "--informant",
            "parent",
            "--id-column",
            "id",
            "--set-aside",
            str(aside),
        ],
    )
    assert r.exit_code == 1
    assert [row["id"] for row in csv.DictReader(io.StringIO(r.stdout))] == ["A", "C"]
    with aside.open() as handle:
        assert [row["row"] for row in csv.DictReader(handle)] == ["3", "5"]
