"""Norms belong to the form and the age (issue 10).

Expected values are worked by hand from the rules, not read from our output:
- docs/measures.md ("The SDQ"): the 18+ SDQ forms are scored the same way but have "no validated
  bands (continuous scores only)", so they have no band, no clinical cut-off and
  no Recovered / Harmed category; reliable change alone may be shown.
- Self-report total, ages 11-17 (tests/data/reference/sdq/sdq_bands_4to17_youthinmind_2016.csv):
  normal 0-15, borderline 16-19, abnormal 20-40, so the cut-off is 19.5.
- Parent 2-4 (provisional): abnormal from 16, so 15.5; parent 4-17: abnormal from 17, so 16.5.
- Teacher 2-4: no bands.
- Reliable change with the demo constants for the SDQ total (r .80, SD 5.8):
  1.959964 x sqrt(2) x 5.8 x sqrt(0.2) = 7.19 points, so 25 -> 12 (-13) is reliable.
- Recovery rate (Jacobson & Truax): recovered / paired cases clinical at baseline.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.measures.change import change
from tswt_formulation.measures.constants import active_constants
from tswt_formulation.measures.outcomes import (
    baseline_bands,
    case_outcomes,
    chart_bands,
    clinical_cutoff_value,
)
from tswt_formulation.measures.service import service_summary
from tswt_formulation.model.parse import case_from_data

from ..conftest import AS_OF, DATA

CONSTANTS = (
    Path(__file__).resolve().parents[2]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "demo_constants.yaml"
)
SUBSCALES = {
    "emotional": (3, 8, 13, 16, 24),
    "conduct": (5, 7, 12, 18, 22),
    "hyperactivity": (2, 10, 15, 21, 25),
    "peer": (6, 11, 14, 19, 23),
}
REVERSED = {7, 11, 14, 21, 25}


def _self_total_cutoff_from_reference() -> float:
    with (DATA / "reference" / "sdq" / "sdq_bands_4to17_youthinmind_2016.csv").open(
        encoding="utf-8"
    ) as fh:
        row = next(
            r
            for r in csv.DictReader(fh)
            if (r["informant"], r["scale"], r["system"], r["category"])
            == ("self", "total", "three_band", "abnormal")
        )
    return int(row["min_score"]) - 0.5


def sdq_responses(total: int) -> dict[str, int]:
    """Item responses whose total difficulties is ``total`` (spread over the four
    subscales, reverse-keyed items answered so that they score as intended); prosocial 10."""
    out = {str(i): 2 for i in (1, 4, 9, 17, 20)}
    parts = [total // 4 + (1 if k < total % 4 else 0) for k in range(4)]
    for k, items in zip(parts, SUBSCALES.values()):
        points = [2] * (k // 2) + [1] * (k % 2) + [0] * 5
        for item, p in zip(items, points):
            out[str(item)] = 2 - p if item in REVERSED else p
    return out


def make_case(make_case_data: Any, dob: str, admins: list[tuple[str, str, str, str, int]]):
    """The full test case with another date of birth and these SDQs:
    (version, informant, date, timepoint, total)."""
    data = make_case_data()
    data["child"]["date_of_birth"] = dob
    data["child"]["legal_status"]["start"], data["child"]["legal_status_history"] = (
        "2024-01-01",
        [],
    )  # after every birth here
    data["measures"] = [
        {
            "measure": "sdq",
            "version": v,
            "informant": inf,
            "date": day,
            "timepoint": tp,
            "responses": sdq_responses(total),
        }
        for v, inf, day, tp, total in admins
    ]
    return case_from_data(data)


def total_row(case: Any) -> pd.Series:
    result = case_outcomes(case, AS_OF, constants=active_constants(str(CONSTANTS)))
    latest = result.baseline_vs_latest
    return latest[latest["score"] == "total"].iloc[0]


def test_the_helper_gives_the_totals_asked_for(make_case_data):
    case = make_case(
        make_case_data,
        "2011-01-10",
        [
            ("S11-17", "self", "2026-06-01", "baseline", 25),
            ("S11-17", "self", "2026-09-01", "review 1", 12),
        ],
    )
    result = case_outcomes(case, AS_OF, constants=active_constants(str(CONSTANTS)))
    assert result.scored["total"].tolist() == [25, 12]


# (why, date of birth, baseline (version, age), follow-up (version, age), pre, post, category, cut-off)
CASES = [
    (
        "22-year-old on S18+: reliably better, but no norms say 'recovered'",
        "2004-03-01",
        ("S18+", 22),
        ("S18+", 22),
        25,
        12,
        "Improved",
        None,
    ),
    (
        "same numbers on S11-17 at 15: 25 > 19.5 and 12 < 19.5, reliably better",
        "2011-01-10",
        ("S11-17", 15),
        ("S11-17", 15),
        25,
        12,
        "Recovered",
        19.5,
    ),
    (
        "S11-17 at 15: not clinical (12), not functional (25) and reliably worse",
        "2011-01-10",
        ("S11-17", 15),
        ("S11-17", 15),
        12,
        25,
        "Harmed",
        19.5,
    ),
    (
        "S18+ at 22, reliably worse: Deteriorated, never Harmed",
        "2004-03-01",
        ("S18+", 22),
        ("S18+", 22),
        12,
        25,
        "Deteriorated",
        None,
    ),
    (
        "17 at baseline on S11-17, 18 at follow-up on S18+: the cut-offs differ (19.5, none)",
        "2008-07-15",
        ("S11-17", 17),
        ("S18+", 18),
        25,
        12,
        "Improved",
        None,
    ),
]


@pytest.mark.parametrize(
    "why, dob, pre_form, post_form, pre, post, category, cutoff",
    CASES,
    ids=[c[0][:40] for c in CASES],
)
def test_category_follows_the_forms(
    make_case_data, why, dob, pre_form, post_form, pre, post, category, cutoff
):
    case = make_case(
        make_case_data,
        dob,
        [
            (pre_form[0], "self", "2026-06-01", "baseline", pre),
            (post_form[0], "self", "2026-09-01", "review 1", post),
        ],
    )
    assert [case.child.age_on(m.date) for m in case.measures] == [pre_form[1], post_form[1]]
    row = total_row(case)
    assert row["reliable_change"] in ("improved", "deteriorated")
    assert (row["baseline_version"], row["latest_version"]) == (pre_form[0], post_form[0])
    assert row["category"] == category, why
    if cutoff is None:
        assert np.isnan(row["clinical_cutoff"]) and row["clinical_pre"] is None
        assert "reliable change only" in row["clinical_note"]
    else:
        assert row["clinical_cutoff"] == cutoff == _self_total_cutoff_from_reference()
        assert row["clinical_note"] == ""


def test_a_change_of_form_is_explained(make_case_data):
    case = make_case(
        make_case_data,
        "2008-07-15",
        [
            ("S11-17", "self", "2026-06-01", "baseline", 25),
            ("S18+", "self", "2026-09-01", "review 1", 12),
        ],
    )
    assert total_row(case)["clinical_note"] == (
        "the form changed from S11-17 (cut-off 19.5) to S18+ (no cut-off): reliable change only"
    )


def test_an_18_plus_form_has_no_band_and_no_recommendation_band(make_case_data):
    adult = make_case(
        make_case_data, "2004-03-01", [("S18+", "self", "2026-06-01", "baseline", 25)]
    )
    teen = make_case(
        make_case_data, "2011-01-10", [("S11-17", "self", "2026-06-01", "baseline", 25)]
    )
    scored = case_outcomes(adult, AS_OF).scored
    assert scored["total_band3"].isna().all() and scored["total_band4"].isna().all()
    assert baseline_bands([adult])[adult.case_id] == {}  # the measure_band rule sees no band
    assert baseline_bands([teen])[teen.case_id]["sdq.total.self"] == "abnormal"  # 25 >= 20


@pytest.mark.parametrize(
    "informant, version, age, expected",
    [
        ("self", "S11-17", 15, 19.5),
        ("self", "S18+", 22, None),
        ("self", None, 22, None),  # by age: the 18+ form
        ("parent", "P18+", 19, None),
        ("parent", "P2-4", 3, 15.5),  # provisional: abnormal from 16
        ("parent", None, 3, 15.5),
        ("parent", "P4-17", 9, 16.5),  # abnormal from 17
        ("teacher", "T2-4", 3, None),  # no teacher 2-4 bands
        ("teacher", "T4-17", 9, 15.5),  # abnormal from 16
        ("self", None, None, None),  # the form is not known: no cut-off is guessed
    ],
)
def test_clinical_cutoff_value_by_form_and_age(informant, version, age, expected):
    assert clinical_cutoff_value("sdq", "total", informant, version=version, age=age) == expected


def test_parent_2_to_4_uses_its_provisional_cutoff_and_teacher_2_to_4_none(make_case_data):
    # P2-4 at 3: 20 > 15.5 clinical, 8 < 15.5 functional, -12 reliable.
    toddler = make_case(
        make_case_data,
        "2023-01-10",
        [
            ("P2-4", "parent", "2026-06-01", "baseline", 20),
            ("P2-4", "parent", "2026-09-01", "review 1", 8),
            ("T2-4", "teacher", "2026-06-01", "baseline", 20),
            ("T2-4", "teacher", "2026-09-01", "review 1", 8),
        ],
    )
    result = case_outcomes(toddler, AS_OF, constants=active_constants(str(CONSTANTS)))
    totals = result.baseline_vs_latest.set_index(["score", "informant"]).loc["total"]
    assert (totals.loc["parent", "category"], totals.loc["parent", "clinical_cutoff"]) == (
        "Recovered",
        15.5,
    )
    assert totals.loc["teacher", "category"] == "Improved" and np.isnan(
        totals.loc["teacher", "clinical_cutoff"]
    )
    # P2-4 at 3 then P4-17 at 5: cut-offs 15.5 and 16.5 differ, so reliable change only.
    moved = make_case(
        make_case_data,
        "2021-08-01",
        [
            ("P2-4", "parent", "2025-06-01", "baseline", 20),
            ("P4-17", "parent", "2026-09-01", "review 1", 8),
        ],
    )
    row = total_row(moved)
    assert (
        row["category"] == "Improved"
        and "P2-4 (cut-off 15.5) to P4-17 (cut-off 16.5)" in row["clinical_note"]
    )


def _band_patches(fig: Any) -> list[str]:
    return [
        p.get_gid()
        for ax in fig.axes
        for p in ax.patches
        if (p.get_gid() or "").startswith("band-")
    ]


@pytest.mark.parametrize(
    "dob, version, shaded",
    [
        ("2004-03-01", "S18+", []),
        ("2011-01-10", "S11-17", ["band-normal", "band-borderline", "band-abnormal"]),
    ],
)
def test_the_outcomes_chart_shades_the_bands_of_the_form_only(
    make_case_data, monkeypatch, dob, version, shaded
):
    import tswt_formulation.plots.outcomes as plots
    from tswt_formulation.reports.outcomes import OutcomesReport

    drawn = []
    real = plots.plot_trajectory
    monkeypatch.setattr(
        plots, "plot_trajectory", lambda *a, **k: drawn.append(real(*a, **k)) or drawn[-1]
    )
    case = make_case(
        make_case_data,
        dob,
        [
            (version, "self", "2026-06-01", "baseline", 25),
            (version, "self", "2026-09-01", "review 1", 12),
        ],
    )
    report = OutcomesReport.from_case(case, AS_OF, constants=str(CONSTANTS))
    html = report.charts().html
    assert len(drawn) == 1 and _band_patches(drawn[0]) == shaded
    if not shaded:
        assert "no bands shaded: form S18+ has no published bands" in html
        change_html = report.change_table().html
        assert (
            "Recovered"
            not in change_html.split("<h3>Baseline and latest</h3>")[1].split("</table>")[0]
        )
        assert "form S18+ has no published bands" in change_html


def test_chart_bands_when_the_form_changes():
    series = pd.DataFrame({"version": ["S11-17", "S18+"], "age": [17, 18]})
    assert chart_bands(series, "sdq", "total", "self") == (
        None,
        "no bands shaded: the form changed (S11-17 to S18+) and the forms' bands differ",
    )
    same = pd.DataFrame({"version": ["P2-4", "P2-4"], "age": [3, 4]})
    bands, said = chart_bands(same, "sdq", "total", "parent")
    assert bands == [("normal", 0, 12), ("borderline", 13, 15), ("abnormal", 16, 40)]
    assert said == "provisional bands of form P2-4 shaded"


def _ten_paired() -> pd.DataFrame:
    """10 paired cases, cut-off 15, r .80 and SD 5 (reliable beyond 6.198 points):
    clinical at baseline: 20->10 and 25->12 (Recovered), 20->18 (no reliable change),
    30->20 (Improved, 20 is still clinical); 6 not clinical at baseline; 1 unpaired."""
    pairs = pd.DataFrame(
        {
            "pre": [20, 25, 20, 30, 10, 12, 14, 8, 5, 10, 22],
            "post": [10, 12, 18, 20, 10, 5, 14, 9, 5, 12, np.nan],
        }
    )
    out = change(pairs, reliability=0.80, sd=5, cutoff_value=15)
    out["wave"] = 2
    return out


def test_recovery_rate_is_over_those_clinical_at_baseline():
    row = service_summary(_ten_paired()).iloc[0]
    assert (row["n_paired"], row["n_unpaired"], row["n_clinical_pre"], row["n_recovered"]) == (
        10,
        1,
        4,
        2,
    )
    assert row["share_recovered"] == pytest.approx(0.5)  # 2 of 4, not 2 of 10
    assert row["share_recovered_of_clinical"] == pytest.approx(0.5)
    assert row["share_reliable_improvement"] == pytest.approx(
        0.4
    )  # 20->10, 25->12, 30->20, 12->5 of 10 paired


def test_rows_without_a_cutoff_are_outside_the_recovery_denominator():
    df = _ten_paired()
    adult = df.iloc[[0]].assign(
        clinical_pre=None, functional_post=None, category="Improved"
    )  # an 18+ form
    row = service_summary(pd.concat([df, adult], ignore_index=True)).iloc[0]
    assert (row["n_paired"], row["n_clinical_pre"], row["n_recovered"]) == (11, 4, 2)


def test_the_caseload_review_shows_the_denominator():
    from tswt_formulation.reports.review import CaseloadReview

    ch = _ten_paired().assign(
        informant="parent",
        services=[["tsw_1to1"]] * 11,
        case_id=[f"TSW-9{i:05d}" for i in range(11)],
    )
    review = CaseloadReview(AS_OF, None, [], pd.DataFrame(), pd.DataFrame(), ch, pd.DataFrame())
    html = review.service_figures().html
    # Counts under 5 are shown as counts, never as percentages (issue 12): no "(50%)" of 4.
    assert (
        "2 of 4 clinical at baseline</td>" in html and "(50%)" not in html and "(20%)" not in html
    )


def test_cli_outcomes_for_a_young_adult(make_case_data, tmp_path, monkeypatch):
    case = make_case(
        make_case_data,
        "2004-03-01",
        [
            ("S18+", "self", "2026-06-01", "baseline", 25),
            ("S18+", "self", "2026-09-01", "review 1", 12),
        ],
    )
    store = str(tmp_path / "s.sqlite")
    with open_store(store, create=True) as s:
        s.import_cases([case])
    monkeypatch.setenv("TSWT_MEASURE_CONSTANTS", str(CONSTANTS))
    args = ["outcomes", case.case_id, "--store", store, "--as-of", AS_OF.isoformat()]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.split()[:3] == ["sdq", "self", "total"])
    assert line.split()[-1] == "Improved" and "Recovered" not in r.output
    assert (
        "sdq self: form S18+ has no published bands, so no clinical cut-off: reliable change only"
        in r.output
    )
    assert "abnormal" not in r.output and "normal" not in r.output  # no band printed beside a score
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    total = next(x for x in data["baseline_vs_latest"] if x["score"] == "total")
    assert (total["category"], total["clinical_cutoff"], total["clinical_pre"]) == (
        "Improved",
        None,
        None,
    )
    assert all(x["total_band3"] is None and x["total_band4"] is None for x in data["scores"])


def test_demo_caseloads_have_a_young_adult_on_18_plus_forms_at_baseline_and_review(demo_cases):
    from tswt_formulation.demo import generate_caseload

    def adult_self(case: Any, timepoint: str) -> bool:
        return any(
            m.measure == "sdq"
            and m.version == "S18+"
            and m.timepoint.startswith(timepoint)
            and case.child.age_on(m.date) >= 18
            for m in case.measures
        )

    assert any(adult_self(c, "baseline") and adult_self(c, "review") for c in demo_cases)
    make_demo = generate_caseload(60, seed=1, as_of=AS_OF)  # what `make demo` and `tswt demo` build
    assert any(adult_self(c, "baseline") and adult_self(c, "review") for c in make_demo)
