"""`tswt expected fit` and `tswt expected check` through the real entry point (issue 23)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli

from ..conftest import AS_OF

CONSTANTS = (
    Path(__file__).resolve().parents[2]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "demo_constants.yaml"
)
NO_CURVE = (
    "No expected-progress curve could be fitted: too few completed episodes. The rule-based alert "
    "(reliably worse, or no reliable improvement after 6 months) stays for every child."
)


@pytest.fixture
def demo_store(tmp_path: Path) -> str:
    path = str(tmp_path / "demo.sqlite")
    result = CliRunner().invoke(
        cli, ["demo", "--store", path, "--user", "it.admin", "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    return path


def _completed(path: str) -> int:
    """Completed episodes counted from the records: work begun and an ending recorded."""
    with open_store(path, user="t.harper") as s:
        return sum(
            1
            for c in s.cases()
            if c.outcome is not None and c.outcome.decision == "begin_work" and c.ending is not None
        )


def test_fit_on_the_demo_says_there_are_too_few_episodes(demo_store, tmp_path):
    out = tmp_path / "model.json"
    result = CliRunner().invoke(
        cli,
        ["expected", "fit", "--store", demo_store, "--user", "t.harper", "--out", str(out)]
        + ["--as-of", AS_OF.isoformat()],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == NO_CURVE
    model = json.loads(out.read_text())
    assert model["curves"] == []
    done = _completed(demo_store)
    assert 0 < done < 30
    assert model["meta"]["fitted_on"]["episodes"] <= done
    assert model["meta"]["fitted_by"] == "t.harper (named with --user on a training store)"
    assert model["meta"]["fitted_on"]["as_of"] == AS_OF.isoformat()
    assert model["too_few"]
    for entry in model["too_few"]:
        n = entry["episodes"]
        assert n <= done
        assert entry["reason"] == f"too few completed episodes (n={n} < 30)"
        assert (
            f"  no curve: {entry['measure']} {entry['informant']} {entry['scale']}, "
            f"baseline {entry['stratum']}: {entry['reason']}"
        ) in lines


def test_fit_with_a_lower_minimum_writes_curves(demo_store, tmp_path):
    out = tmp_path / "model.json"
    result = CliRunner().invoke(
        cli,
        ["expected", "fit", "--store", demo_store, "--user", "dr.r.ahmed", "--out", str(out)]
        + ["--minimum", "2", "--as-of", AS_OF.isoformat()],
    )
    assert result.exit_code == 0, result.output
    model = json.loads(out.read_text())
    assert model["meta"]["minimum"] == 2
    assert any("q50" in m for c in model["curves"] for m in c["months"])
    assert NO_CURVE not in result.output
    assert re.search(
        r"^  curve: sdq parent total, baseline [^:]+: \d+ episodes, months \d+-\d+$",
        result.output,
        re.M,
    )


def test_fit_is_refused_to_a_worker(demo_store, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["expected", "fit", "--store", demo_store, "--user", "c.mensah"]
        + ["--out", str(tmp_path / "m.json")],
    )
    assert result.exit_code == 2
    assert result.output == (
        "error: c.mensah is a therapeutic social worker; fitting the expected-progress model on the "
        "team's completed episodes needs a clinical psychologist, a team manager or an administrator\n"
    )
    assert not (tmp_path / "m.json").exists()


def test_check_on_the_demo_says_no_curve_and_keeps_the_rule(demo_store):
    result = CliRunner().invoke(
        cli,
        ["expected", "check", "--store", demo_store, "--user", "t.harper"]
        + ["--constants", str(CONSTANTS), "--as-of", AS_OF.isoformat()],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "No curve could be fitted on the fit half: too few completed episodes (fewer than 30 per "
        "stratum); the rule-based alert stays."
    )
    all_row = next(line for line in result.output.splitlines() if line.startswith("all "))
    cells = all_row.split()
    # no curve: the curves flag nobody (TP 0, FP 0), and every held-out series has no curve
    assert cells[3:5] == ["0", "0"]
    assert cells[-1] == cells[1]


def test_check_on_a_synthetic_history_prints_the_table():
    result = CliRunner().invoke(cli, ["expected", "check", "--synthetic", "2000", "--seed", "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Expected-progress check on 2,000 synthetic episodes (seed 5")
    header = lines[1].split()
    assert header[:3] == ["series", "held", "out"]
    row = next(line for line in lines if line.startswith("all ")).split()
    held, poor = int(row[1]), int(row[2])
    tp, fp, tn, fn = map(int, row[3:7])
    assert tp + fp + tn + fn == held and tp + fn == poor
    assert row[7] == f"{100 * tp / (tp + fn):.0f}%"
