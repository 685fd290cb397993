"""The screening-to-formulation workflow through the tswt command line."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def store_arg(tmp_path, make_case_data):
    path = str(tmp_path / "s.sqlite")
    data = make_case_data()
    data.pop("outcome")
    with open_store(path, create=True) as s:
        s.import_cases([case_from_data(data)])
    return path


def test_recommend_one_case_with_reasons(store_arg):
    r = run("recommend", "TSW-000123", "--store", store_arg)
    assert r.exit_code == 0, r.stderr
    lines = r.output.splitlines()
    # Risk first: the full case reports self-harm weekly by carer and school.
    assert lines[0].startswith("Recommendation for TSW-000123 as of 2026-06-26")
    risk_line = next(i for i, line in enumerate(lines) if "Self-harm" in line)
    wave_line = next(i for i, line in enumerate(lines) if line.startswith("Wave "))
    assert risk_line < wave_line
    assert lines[wave_line].startswith("Wave 3")
    assert "self-harm reported at least weekly by carer and school" in r.output
    data = json.loads(run("recommend", "TSW-000123", "--store", store_arg, "--json").stdout)
    assert data["wave"] == 3 and data["stage"] == 1 and data["risks"]


def test_recommend_all_to_csv(tmp_path, demo_cases):
    path = str(tmp_path / "d.sqlite")
    with open_store(path, create=True) as s:
        s.import_cases(demo_cases)
    out = tmp_path / "recs.csv"
    r = run("recommend", "--all", "--store", path, "--output", str(out))
    assert r.exit_code == 0
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(demo_cases)
    assert {row["wave"] for row in rows} >= {"1", "2", "3", ""}


def test_draft_decide_submit_signoff(store_arg, tmp_path):
    assert run("formulation", "TSW-000123", "--store", store_arg).output.startswith(
        "TSW-000123: no formulation yet"
    )
    r = run("formulation", "TSW-000123", "--draft", "--store", store_arg, "--user", "c.mensah")
    assert r.exit_code == 0, r.stderr
    assert "Predisposing:\n    - The child's early experience of neglect" in r.output
    again = run("formulation", "TSW-000123", "--draft", "--store", store_arg)
    assert again.exit_code == 2 and "a formulation already exists" in again.stderr
    narrative = tmp_path / "n.txt"
    narrative.write_text("My own words <script>alert(1)</script>\nSecond line.")
    run(
        "formulation",
        "TSW-000123",
        "--narrative-file",
        str(narrative),
        "--store",
        store_arg,
        "--user",
        "c.mensah",
    )
    r = run(
        "decide",
        "TSW-000123",
        "--store",
        store_arg,
        "--user",
        "c.mensah",
        "--override",
        "stage",
        "2",
        "Placement has held for five months and the carer is engaged",
    )
    assert r.exit_code == 0, r.stderr
    for blank in ("  ", ""):
        no_reason = run(
            "decide", "TSW-000123", "--store", store_arg, "--override", "stage", "2", blank
        )
        assert (
            no_reason.exit_code == 2
            and "TSW-000123: override of stage: a reason is required" in no_reason.stderr
        )
        assert "Traceback" not in no_reason.stderr
    assert run("submit", "TSW-000123", "--store", store_arg, "--user", "c.mensah").exit_code == 0
    own = run("signoff", "TSW-000123", "--approve", "--store", store_arg, "--user", "c.mensah")
    assert own.exit_code == 2 and "cannot sign it off" in own.stderr
    r = run(
        "signoff",
        "TSW-000123",
        "--approve",
        "--store",
        store_arg,
        "--user",
        "dr.ahmed",
        "--comment",
        "Clear.",
    )
    assert r.exit_code == 0 and "approved by dr.ahmed" in r.output
    shown = run("formulation", "TSW-000123", "--store", store_arg).output
    assert "My own words <script>alert(1)</script>" in shown  # verbatim in the terminal
    assert (
        "stage changed by c.mensah (not in the staff directory): 1 -> 2 because Placement has held for five months"
        in shown
    )
    versions = run(
        "formulation", "TSW-000123", "--versions", "--store", store_arg
    ).output.splitlines()
    assert [line.split()[3:5] for line in versions[2:]] == [
        ["draft", "0"],
        ["draft", "1"],
        ["draft", "2"],
        ["awaiting_signoff", "2"],
        ["signed_off", "2"],
    ]
    with open_store(store_arg) as s:
        assert s.signed_off_formulation("TSW-000123").narrative.startswith("My own words")


def test_outcome(store_arg):
    r = run("outcome", "TSW-000123", "--close", "--store", store_arg)
    assert r.exit_code == 2 and "closing needs the reasons" in r.stderr
    r = run(
        "outcome",
        "TSW-000123",
        "--close",
        "--reason",
        "Needs met by carer consultation",
        "--alternative",
        "cluster_services",
        "--as-of",
        "2026-07-01",
        "--store",
        store_arg,
    )
    assert r.exit_code == 0, r.stderr
    assert (
        "State as of 2026-07-02: Closed"
        in run("show", "TSW-000123", "--as-of", "2026-07-02", "--store", store_arg).output
    )


def test_rules_check_and_show(tmp_path):
    bad = tmp_path / "team.yaml"
    bad.write_text(
        "version: team-1\nrules:\n"
        "  - id: team.one\n    condition: {kind: behaviour, behaviour: lying}\n    effect: {services: [yoga]}\n"
        "    reason: x\n    rationale: y\n"
    )
    r = run("rules", "check", str(bad))
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert any("lying" in line for line in lines) and any("yoga" in line for line in lines)
    assert all(line.startswith(f"error: {bad}") for line in lines)
    assert "Traceback" not in r.stderr
    shown = run("rules", "show")
    assert shown.exit_code == 0 and "risk.self_harm" in shown.output


def test_recommend_uses_the_baseline_sdq_band(tmp_path, make_case_data):
    """The full case's parent baseline SDQ total is 25 (abnormal, hand-worked in
    cli/test_measures.py). With only mild behaviours left, that band alone calls for wave 2."""
    data = make_case_data()
    data.pop("outcome")
    data["screening"]["presenting_behaviours"] = [
        {
            "behaviour": "regulatory_sleep",
            "evidence": "Wakes some nights.",
            "sources": ["carer"],
            "frequency": "monthly",
            "severity": "mild",
        }
    ]
    path = str(tmp_path / "s.sqlite")
    with open_store(path, create=True) as s:
        s.import_cases([case_from_data(data)])
    rec = json.loads(run("recommend", "TSW-000123", "--store", path, "--json").stdout)
    assert rec["wave"] == 2
    won = [f for f in rec["fired"] if f["rule"] == "measure.sdq_abnormal"]
    assert won and "abnormal" in won[0]["reason"]
    data["measures"] = []
    path2 = str(tmp_path / "s2.sqlite")
    with open_store(path2, create=True) as s:
        s.import_cases([case_from_data(data)])
    assert (
        json.loads(run("recommend", "TSW-000123", "--store", path2, "--json").stdout)["wave"] == 1
    )


def test_recommendation_before_screening_is_provisional(tmp_path, make_case_data):
    data = make_case_data()
    for key in ("screening", "outcome", "measures", "goals"):
        data.pop(key)
    path = str(tmp_path / "s.sqlite")
    with open_store(path, create=True) as s:
        s.import_cases([case_from_data(data)])
    r = run("recommend", "TSW-000123", "--store", path)
    assert r.output.splitlines()[2].startswith("PROVISIONAL: no screening is recorded yet")
    assert (
        json.loads(run("recommend", "TSW-000123", "--store", path, "--json").stdout)["screened"]
        is False
    )


def test_submit_refuses_a_formulation_whose_screening_is_not_completed(tmp_path, make_case_data):
    path = str(tmp_path / "open.sqlite")
    data = make_case_data("TSW-000130")
    data.pop("outcome")
    data["screening"].pop("completed")
    with open_store(path, create=True) as s:
        s.import_cases([case_from_data(data)])
    assert (
        run("formulation", "TSW-000130", "--draft", "--store", path, "--user", "c.mensah").exit_code
        == 0
    )
    assert (
        run("decide", "TSW-000130", "--accept", "--store", path, "--user", "c.mensah").exit_code
        == 0
    )
    r = run("submit", "TSW-000130", "--store", path, "--user", "c.mensah")
    assert r.exit_code == 2 and "a submission needs the screening completed" in r.stderr, (
        r.output,
        r.stderr,
    )
    with open_store(path) as s:
        assert s.get("TSW-000130").formulation.status == "draft"


def test_an_override_is_read_as_the_workbench_reads_it(store_arg):
    """`tswt decide --override` and the workbench's decision form share one reader
    (model/recommendation.parse_override): a service may be named by its label, and a wave
    outside 1-3 is refused naming the case, the part and the bounds, before the store opens."""
    drafted = run(
        "formulation", "TSW-000123", "--draft", "--store", store_arg, "--user", "c.mensah"
    )
    assert drafted.exit_code == 0, drafted.stderr
    bad = run("decide", "TSW-000123", "--store", store_arg, "--override", "wave", "4", "Risk rose")
    assert bad.exit_code == 2
    assert "TSW-000123: override of wave: '4' is not a wave (1, 2 or 3)" in bad.stderr
    r = run(
        "decide",
        "TSW-000123",
        "--store",
        store_arg,
        "--user",
        "c.mensah",
        "--override",
        "services",
        "Life Story Clinic, carer support and therapeutic parenting",
        "The carer asked for both",
    )
    assert r.exit_code == 0, r.stderr
    with open_store(store_arg) as s:
        (o,) = s.get("TSW-000123").formulation.decision.overrides
    assert (o.part, o.value) == ("services", ["life_story_clinic", "carer_support"])
