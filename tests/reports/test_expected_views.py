"""Expected progress where people read it (issue 23): the band behind the child's SDQ line,
the outcomes report's paragraph, the children below their band in the caseload review,
the workbench's caseload and `tswt caseload`. The model is a hand-made file (its centiles
written here, not fitted), so every line and distance below is worked from it by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tswt_formulation.measures import expected as E
from tswt_formulation.reports import expected as R

from ..conftest import AS_OF

# Change from baseline at every month 0-24, for every baseline band, parent and teacher
# SDQ total: expected (median) -2; 25th-centile line +1 (higher is worse, so baseline + q75);
# 10th-centile line +4 (baseline + q90).
CENTILES = {"q10": -6.0, "q25": -4.0, "q50": -2.0, "q75": 1.0, "q90": 4.0}


def write_model(path: Path) -> Path:
    curves = [
        {
            "measure": "sdq",
            "scale": "total",
            "informant": informant,
            "better": "lower",
            "stratum": "normal+borderline+abnormal",
            "bands": ["normal", "borderline", "abnormal"],
            "episodes": 400,
            "months": [{"month": m, "n": 400, **CENTILES} for m in range(E.MAX_MONTH + 1)],
        }
        for informant in ("parent", "teacher", "self")
    ]
    meta = {
        "format": E.MODEL_FORMAT,
        "fitted": "2026-10-01T09:00:00+00:00",
        "fitted_on": {"episodes": 400},
        "minimum": 30,
    }
    path.write_text(json.dumps({"meta": meta, "curves": curves, "too_few": []}))
    return path


@pytest.fixture
def model_file(tmp_path, monkeypatch) -> Path:
    path = write_model(tmp_path / "expected.json")
    monkeypatch.setenv("TSWT_EXPECTED_MODEL", str(path))
    return path


def _expected_rows(cases, as_of):
    """Each open case's SDQ parent/teacher/self total judged by hand against the file's
    lines: below when latest > baseline + 1; strongly when > baseline + 4. A baseline on
    an 18+ form has no band, so no stratum in the file: no curve there."""
    out = {}
    for c in cases:
        if c.outcome is None or c.outcome.decision != "begin_work" or c.outcome.date > as_of:
            continue
        if c.ending is not None and c.ending.date <= as_of:
            continue
        for informant in ("parent", "teacher", "self"):
            sdq = [
                a
                for a in c.measures
                if a.measure == "sdq" and a.informant == informant and a.date <= as_of
            ]
            base = sorted((a for a in sdq if a.timepoint == "baseline"), key=lambda a: a.date)
            if not base:
                continue
            later = sorted((a for a in sdq if a.date > base[0].date), key=lambda a: a.date)
            if not later:
                continue
            out[(c.case_id, informant)] = (base[0], later)
    return out


def test_the_band_behind_the_chart_keeps_the_charts_dates():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from tswt_formulation.plots.expected import draw_expected_band

    fig = Figure()
    ax = fig.subplots()
    days = pd.to_datetime(["2026-01-01", "2026-07-01"])
    ax.plot(days, [20, 25])
    xlim = ax.get_xlim()
    course = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-12-01", "2026-03-01", "2027-06-01"]),
            "expected": [20, 18, 17],
            "line_25": [23, 21, 20],
            "line_10": [26, 24, 23],
        }
    )
    drawn = draw_expected_band(ax, course)
    assert [a.get_gid() for a in drawn] == [
        "expected-band",
        "expected-line",
        "expected-10th-centile",
    ]
    assert ax.get_xlim() == xlim  # drawn only over the dates the chart shows
    assert draw_expected_band(ax, course.iloc[0:0]) == []


def test_no_model_shows_nothing_in_the_child_report(demo_cases):
    assert R.active_model() is None
    case = next(c for c in demo_cases if c.outcome and c.outcome.decision == "begin_work")
    assert R.child_section(case, AS_OF).html == ""


def test_the_outcomes_report_says_how_far_below_and_since_when(demo_cases, model_file):
    from tswt_formulation.reports.outcomes import OutcomesReport

    by_hand = _expected_rows(demo_cases, AS_OF)
    # a child whose latest parent total is above baseline + 1
    (case_id, _informant), (base, later) = next(
        (k, v)
        for k, v in by_hand.items()
        if k[1] == "parent"
        and _total(v[1][-1]) > _total(v[0]) + 1
        and not v[0].version.endswith("18+")
    )
    case = next(c for c in demo_cases if c.case_id == case_id)
    html = OutcomesReport.from_case(case, AS_OF).expected().html
    line = _total(base) + 1
    how_far = _total(later[-1]) - line
    since = later[-1].date
    for a in reversed(later):
        if _total(a) > _total(base) + 1:
            since = a.date
        else:
            break
    assert (f"sdq parent total: {_total(later[-1])} at month ") in html
    assert (
        f"is {how_far:g} point{'s' if how_far != 1 else ''} worse than the 25th-centile line ({line}; expected {_total(base) - 2})"
        in html
    )
    assert f"below it since {since.isoformat()}" in html
    assert "not a finding about the child" in html
    assert "fitted 2026-10-01 on 400 completed episodes" in html


def _total(admin) -> int:
    from tswt_formulation import score

    frame = pd.DataFrame([admin.responses])
    return int(
        score("sdq", frame, informant=admin.informant, version=admin.version)["total"].iloc[0]
    )


def test_the_caseload_review_lists_the_children_below_band_by_hand(demo_cases, model_file):
    by_hand = _expected_rows(demo_cases, AS_OF)
    below = {
        case_id
        for (case_id, _i), (base, later) in by_hand.items()
        if _total(later[-1]) > _total(base) + 1 and not base.version.endswith("18+")
    }
    judged = R.judged_cases(demo_cases, AS_OF, R.active_model())
    table = R.below_band_table(judged)
    assert set(table["case_id"]) == below
    sec = R.review_section(demo_cases, AS_OF)
    n_open = len({k[0] for k in by_hand})
    assert sec.plain.startswith(
        f"{len(below)} {'child' if len(below) == 1 else 'children'} of {n_open} in work below their expected band"
    )
    assert "<table" in sec.html


def test_the_workbench_caseload_shows_how_far_below_and_since_when(store, demo_cases, model_file):
    from tswt_formulation.workbench.caseload import CaseloadView

    store.import_cases(demo_cases)
    by_hand = _expected_rows(demo_cases, AS_OF)
    parent_below = {
        case_id: (base, later)
        for (case_id, informant), (base, later) in by_hand.items()
        if informant == "parent"
        and _total(later[-1]) > _total(base) + 1
        and not base.version.endswith("18+")
    }
    view = CaseloadView(store, "nobody.here", AS_OF)
    view.sort.value = ("case_id", True)
    seen = 0
    while True:
        for case_id, cells in zip(view.shown_ids, view.cells):
            cell = cells[-1].value
            if case_id in parent_below:
                base, later = parent_below[case_id]
                how_far = _total(later[-1]) - (_total(base) + 1)
                assert "BELOW: " in cell
                assert f"sdq parent total {_total(later[-1])}: {how_far:g} point" in cell
                seen += 1
            elif not any(k[0] == case_id for k in by_hand):
                assert "BELOW" not in cell  # not in work, or no follow-up yet
            else:
                # a baseline on an 18+ form has no band, so no stratum of the file: no curve
                mine = sorted(i for c, i in by_hand if c == case_id)
                adult = [i for i in mine if by_hand[(case_id, i)][0].version.endswith("18+")]
                within = [i for i in mine if i not in adult]
                words = "; ".join(
                    part
                    for part in (
                        f"within the band ({', '.join(within)})" if within else "",
                        f"no curve ({', '.join(adult)}): rule-based alert" if adult else "",
                    )
                    if part
                )
                if not any(
                    _total(by_hand[(case_id, i)][1][-1]) > _total(by_hand[(case_id, i)][0]) + 1
                    for i in within
                ):
                    assert cell.endswith(f">{words}</span>")
        if view.next.disabled:
            break
        view.next.click()
    assert seen == len(parent_below) > 0


def test_the_workbench_caseload_has_no_expected_words_without_a_model(store, demo_cases):
    from tswt_formulation.workbench.caseload import CaseloadView

    store.import_cases(demo_cases)
    view = CaseloadView(store, "nobody.here", AS_OF)
    assert all(cells[-1].value.endswith("></span>") for cells in view.cells[: len(view.shown_ids)])


def test_tswt_caseload_lists_the_children_below_band(store, demo_cases, model_file):
    from click.testing import CliRunner

    from tswt_formulation.cli import cli

    store.import_cases(demo_cases)
    location = str(store.location)
    by_hand = _expected_rows(demo_cases, AS_OF)
    below = {
        case_id
        for (case_id, _i), (base, later) in by_hand.items()
        if _total(later[-1]) > _total(base) + 1 and not base.version.endswith("18+")
    }
    result = CliRunner().invoke(
        cli,
        ["caseload", "--store", location, "--user", "t.harper", "--as-of", AS_OF.isoformat()]
        + ["--below-expected"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"Below expected progress: {len(below)} {'child' if len(below) == 1 else 'children'} of "
        f"{len({k[0] for k in by_hand})} with an SDQ total since work began"
    )
    listed = {line.split()[0] for line in lines[1:] if line.startswith("  ")}
    assert listed == below
