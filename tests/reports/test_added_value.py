"""The outcomes report shows the Added Value Score beside its interval and the informants
side by side with the reminder (issue 23); the caseload review the service's mean.

Expected values worked by hand from the item responses (docs/measures.md's scoring):
- Parent/carer baseline, 1 June 2026 (tests/data/cases/full_case.yaml's SDQ): emotional
  items 3, 8, 13, 16, 24 all 2 -> 10; conduct 1 + (2 - 1) + 0 + 0 + 1 = 3; hyperactivity
  2 + 2 + 2 + (2 - 0) + (2 - 1) = 9; peer 0 + (2 - 1) + (2 - 1) + 1 + 0 = 3; total 25.
  Impact (overall difficulties "definite"): distress 3 -> 2, home 2 -> 1, friendships
  1 -> 0, classroom 2 -> 1, leisure missing -> 0: 4.
- Parent/carer follow-up, 1 December 2026 (183 days, 6.0 months): total 5 + 2 + 5 + 3 = 15.
- AVS = 2.3 + 0.8 x 25 + 0.2 x 4 - 0.3 x 10 - 15 = 20.1 - 15 = +5.1; interval 5.1 +/- 9.8
  = -4.7 to +14.9.
- Teacher, 10 June 2026 (9 days after the parent's baseline): total 6 + 4 + 4 + 4 = 18;
  parent minus teacher = +7, more than 1.959964 x sqrt(2) x 5 x sqrt(0.2) = 6.2: differ.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tswt_formulation.model.parse import case_from_data

AS_OF = "2026-12-07"
HOSTILE = "<script>alert('x')</script> Team & Co (2026)"


def _items(emotional, conduct, hyperactivity, peer):
    """Responses by item number: each subscale's five items as given (already reversed
    where the item is reverse-keyed), prosocial all 2."""
    out = {str(i): 2 for i in (1, 4, 9, 17, 20)}
    for items, values in (
        ((3, 8, 13, 16, 24), emotional),
        ((5, 7, 12, 18, 22), conduct),
        ((2, 10, 15, 21, 25), hyperactivity),
        ((6, 11, 14, 19, 23), peer),
    ):
        out.update({str(i): v for i, v in zip(items, values, strict=True)})
    return out


def _case(make_case_data):
    data = make_case_data()
    baseline = data["measures"][0]
    follow_up = {
        "measure": "sdq",
        "version": "P4-17",
        "informant": "parent",
        "date": "2026-12-01",
        "timepoint": "review 2",
        # emotional 2+2+1+0+0 = 5; conduct 1+(2-2)+1+0+0 = 2; hyperactivity
        # 2+2+1+(2-2)+(2-2) = 5; peer 1+(2-2)+(2-2)+1+1 = 3
        "responses": _items([2, 2, 1, 0, 0], [1, 2, 1, 0, 0], [2, 2, 1, 2, 2], [1, 2, 2, 1, 1]),
    }
    teacher = {
        "measure": "sdq",
        "version": "T4-17",
        "informant": "teacher",
        "date": "2026-06-10",
        "timepoint": "baseline",
        # emotional 2+2+2+0+0 = 6; conduct 2+(2-2)+2+0+0 = 4; hyperactivity
        # 2+2+0+(2-2)+(2-2) = 4; peer 2+(2-2)+(2-2)+2+0 = 4
        "responses": _items([2, 2, 2, 0, 0], [2, 2, 2, 0, 0], [2, 2, 0, 2, 2], [2, 2, 2, 2, 0]),
    }
    data["measures"] = [baseline, follow_up, teacher]
    return case_from_data(data)


@pytest.fixture
def constants_file(tmp_path: Path) -> str:
    path = tmp_path / "team.yaml"
    path.write_text(
        'version: "team-2026.1"\n'
        "constants:\n"
        "  - measure: sdq\n"
        "    scores: [total]\n"
        "    r: 0.80\n"
        "    sd: 5\n"
        f'    source: "{HOSTILE}"\n',
        encoding="utf-8",
    )
    return str(path)


def test_the_outcomes_report_shows_the_avs_beside_its_interval(make_case_data, constants_file):
    from tswt_formulation.reports.outcomes import OutcomesReport

    report = OutcomesReport.from_case(_case(make_case_data), AS_OF, constants=constants_file)
    html = report.added_value().html
    assert "<h2>SDQ Added Value Score (parent/carer)</h2>" in html
    assert (
        "Added Value Score +5.1 points (95% interval -4.7 to +14.9: too wide to judge one "
        "child by)" in html
    )
    assert "5.1 points better than predicted" in html
    assert "The interval includes 0" in html
    assert '<th scope="row">Predicted at follow-up</th>' in html and "<td>20.1</td>" in html
    assert "1 Jun 2026, form P4-17" in html and "1 Dec 2026, 6.0 months after baseline" in html
    assert "carers&#x27; SDQs of looked-after children is not validated" in html


def test_the_outcomes_report_says_why_the_avs_does_not_apply(make_case_data):
    from tswt_formulation.reports.outcomes import OutcomesReport

    data = make_case_data()  # the full case: a parent baseline (1 Jun 2026), nothing after it
    report = OutcomesReport.from_case(case_from_data(data), AS_OF)
    # 1 Jun 2026 + 8 months (243.5 days) is 30 Jan 2027: on 7 Dec 2026 the window is open
    assert (
        "<strong>Not yet: no parent/carer SDQ 4-8 months after baseline so far: the window "
        "runs to 30 Jan 2027.</strong>" in report.added_value().html
    )
    later = OutcomesReport.from_case(case_from_data(data), "2027-01-31")
    assert (
        "<strong>Not applicable: no parent/carer follow-up SDQ yet.</strong>"
        in later.added_value().html
    )


def test_the_outcomes_report_sets_informants_side_by_side_with_the_reminder(
    make_case_data, constants_file
):
    from tswt_formulation.reports.outcomes import OutcomesReport

    report = OutcomesReport.from_case(_case(make_case_data), AS_OF, constants=constants_file)
    html = report.informants().html
    assert (
        "<caption>Parent/carer (1 Jun 2026) and Teacher (10 Jun 2026), 9 days apart</caption>"
        in html
    )
    assert (
        '<tr><th scope="row">Total difficulties</th><td>25</td><td>18</td><td>+7</td>'
        "<td>more than 6.2</td><td>differ</td></tr>"
    ) in html
    assert "1 of 1 judged scale comparison differs by more than reliable change." in html
    # the subscales have no constants in the team's file: not judged, never guessed
    assert "not judged: no reliable-change constants for parent/carer and teacher emotional" in html
    assert "De Los Reyes et al., 2015" in html and "not that one informant is wrong" in html
    assert '<th scope="col">Scale</th>' in html
    # the team's text (its constants' source) is escaped
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Team &amp; Co (2026)" in html
    # the sections are in the report, after the change table
    names = [s.plain for s in report.sections()]
    assert names.index("Added Value Score") == names.index("Change") + 1
    assert names[names.index("Added Value Score") + 1].startswith("Informants")


def test_the_outcomes_notebook_runs_the_new_sections():
    import json

    nb = Path(__file__).resolve().parents[2] / "notebooks" / "outcomes_report.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"]]
    assert cells.index("report.added_value()") == cells.index("report.change_table()") + 1
    assert cells.index("report.informants()") == cells.index("report.added_value()") + 1


def test_the_workbench_measures_tab_shows_both_read_only(
    make_case_data, constants_file, store, monkeypatch
):
    pytest.importorskip("ipywidgets", reason="the workbench needs the app extra")
    from tswt_formulation.workbench.measures import MeasuresView

    monkeypatch.setenv("TSWT_MEASURE_CONSTANTS", constants_file)
    case = _case(make_case_data)
    view = MeasuresView(store, "c.mensah", as_of=date(2026, 12, 7))
    view.open(case.case_id, case)
    assert "Shown when this tab is shown" in view.added_value.value
    view.shown()
    html = view.added_value.value
    assert "<h4>SDQ Added Value Score (parent/carer)</h4>" in html
    assert "+5.1 points (95% interval -4.7 to +14.9: too wide to judge one child by)" in html
    assert "<td>+7</td><td>more than 6.2</td><td>differ</td>" in html
    assert "not that one informant is wrong" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    # read-only: a panel of text, nothing to press
    assert view.added_value in view.widget.children


FOLLOW_UP_20 = _items([2, 2, 1, 0, 0], [2, 0, 1, 0, 0], [2, 2, 1, 2, 2], [2, 2, 1, 2, 0])
FOLLOW_UP_15 = _items([2, 2, 1, 0, 0], [1, 2, 1, 0, 0], [2, 2, 1, 2, 2], [1, 2, 2, 1, 1])


def _service_cases(make_case_data, follow_ups):
    """Children whose parent/carer baseline is the full case's (predicted 20.1) and whose
    follow-up six months on totals 20 (emotional 5, conduct 2 + (2 - 0) + 1 = 5,
    hyperactivity 2 + 2 + 1 + (2 - 0) + (2 - 2) = 5, peer 2 + (2 - 2) + (2 - 1) + 2 + 0 = 5)
    or 15, so AVS 0.1 or 5.1."""
    cases = []
    for k, responses in enumerate(follow_ups):
        data = make_case_data(f"TSW-{k + 1:06d}")
        data["measures"] = [
            data["measures"][0],
            {
                "measure": "sdq",
                "version": "P4-17",
                "informant": "parent",
                "date": "2026-12-01",
                "timepoint": "review 2",
                "responses": responses,
            },
        ]
        cases.append(case_from_data(data))
    return cases


def test_the_caseload_review_gives_the_service_mean_with_its_interval(make_case_data):
    from tswt_formulation.reports.review import CaseloadReview

    cases = _service_cases(make_case_data, [FOLLOW_UP_15] * 5 + [FOLLOW_UP_20] * 5)
    review = CaseloadReview.from_cases(cases, date(2026, 12, 7))
    html = review.added_value().html
    # AVS 5.1 x 5 and 0.1 x 5: mean 2.6; SD 2.5 x sqrt(10 / 9); SE 2.5 / 3;
    # t(0.975, 9) 2.262157 x 2.5 / 3 = 1.885: 0.715 to 4.485; effect size 2.6 / 5 = 0.52
    assert (
        "Mean Added Value Score +2.6 points (95% interval +0.7 to +4.5; effect size +0.52) "
        "over 10 pairs." in html
    )
    assert (
        '<th scope="row">Children with a parent/carer baseline and a follow-up 4-8 months later</th><td>10</td>'
        in html
    )
    assert any(s.plain.startswith("mean Added Value Score") for s in review.sections())


def test_the_caseload_review_does_not_report_fewer_than_ten_pairs(make_case_data):
    from tswt_formulation.reports.review import CaseloadReview

    cases = _service_cases(make_case_data, [FOLLOW_UP_15] * 5 + [FOLLOW_UP_20] * 4)
    html = CaseloadReview.from_cases(cases, date(2026, 12, 7)).added_value().html
    assert "fewer than 10 pairs: not reported (9 children with a parent/carer baseline" in html
    assert "Mean Added Value Score" not in html


def test_tswt_outcomes_prints_the_avs_and_the_informants(
    make_case_data, constants_file, store, store_path
):
    from click.testing import CliRunner

    from tswt_formulation.cli import cli

    store.import_cases([_case(make_case_data)], user="t.harper")
    args = ["outcomes", "TSW-000123", "--as-of", AS_OF, "--store", str(store_path)]
    args += ["--constants", constants_file, "--user", "t.harper"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "SDQ Added Value Score (parent/carer): +5.1 points (95% interval -4.7 to +14.9: "
        "too wide to judge one child by)" in lines
    )
    assert "Informants within 30 days of each other:" in lines
    assert (
        "  Parent/carer 2026-06-01 / Teacher 2026-06-10 total: 25 and 18, differ: 7 points "
        "apart, more than the 6.2 of reliable change" in lines
    )
    assert any("not that one informant is wrong" in line for line in lines)
    as_json = CliRunner().invoke(cli, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    import json

    data = json.loads(as_json.output)
    assert round(data["added_value"][0]["avs"], 1) == 5.1
    assert {r["judgement"] for r in data["informants"] if r["scale"] == "total"} == {"differ"}


def test_the_analysis_functions_read_the_store(make_case_data, store):
    import tswt_formulation as tswt

    store.import_cases([_case(make_case_data)], user="t.harper")
    avs = tswt.analysis.added_value(store, as_of="2026-12-07")
    assert avs["case_id"].tolist() == ["TSW-000123"]
    assert str(avs["avs"].dtype) == "float64" and str(avs["baseline_total"].dtype) == "Int64"
    row = avs.iloc[0]
    assert (row["baseline_total"], row["baseline_impact"], row["baseline_emotional"]) == (25, 4, 10)
    assert row["followup_total"] == 15 and row["avs"] == pytest.approx(5.1)
    # before the follow-up, and with its window still open: not yet
    early = tswt.analysis.added_value(store, as_of="2026-11-30").iloc[0]
    assert not bool(early["applies"]) and early["reason"].startswith("no parent/carer SDQ 4-8")
    pairs = tswt.analysis.informants(
        store,
        constants=[{"measure": "sdq", "scores": ["total"], "r": 0.8, "sd": 5, "source": "worked"}],
    )
    total = pairs[pairs["scale"] == "total"].iloc[0]
    assert (total["value_a"], total["value_b"], total["days_apart"]) == (25, 18, 9)
    assert total["judgement"] == "differ"
