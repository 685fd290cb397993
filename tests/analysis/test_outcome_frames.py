"""tswt_formulation.analysis: caseload-wide outcomes as typed tidy frames.

Expected values are worked by hand from the scoring rules (/MEASURES.md: the SDQ's items,
reversals and bands; Jacobson & Truax's RCI and categories), not read from our output.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import tswt_formulation as tswt
from tswt_formulation import analysis, case_from_data, open_store
from tswt_formulation.errors import ScoringError, TswtError
from tswt_formulation.measures.constants import load_constants
from tswt_formulation.store import schema

# The full case's parent SDQ (P4-17, 2026-06-01; the child born 2014-06-15 is 11), by hand:
# emotional 3,8,13,16,24 = 2+2+2+2+2 = 10; conduct 5,7r,12,18,22 = 1+(2-1)+0+0+1 = 3;
# hyperactivity 2,10,15,21r,25r = 2+2+2+(2-0)+(2-1) = 9; peer 6,11r,14r,19,23 = 0+1+1+1+0 = 3;
# prosocial 1,4,9,17,20 = 5; total 10+3+9+3 = 25; externalising 3+9 = 12; internalising
# 10+3 = 13; impact (overall 2, so scored): distress 3->2, home 2->1, friendships 1->0,
# classroom 2->1, leisure missing->0 = 4. Parent bands: emotional abnormal (5-10), conduct
# borderline (3), hyperactivity abnormal (7-10), peer borderline (3), prosocial borderline
# (5), total abnormal (17-40), impact abnormal (2-10); externalising/internalising none.
HAND_WORKED = {
    "emotional": (10, "abnormal"),
    "conduct": (3, "borderline"),
    "hyperactivity": (9, "abnormal"),
    "peer": (3, "borderline"),
    "prosocial": (5, "borderline"),
    "total": (25, "abnormal"),
    "externalising": (12, None),
    "internalising": (13, None),
    "impact": (4, "abnormal"),
}


def _scored(frame: pd.DataFrame) -> dict[str, tuple[int, str | None]]:
    return {
        str(r.scale): (int(r.value), None if pd.isna(r.band) else str(r.band))
        for r in frame.itertuples()
    }


def test_the_scores_of_a_stored_case_are_the_hand_worked_ones(store, make_case_data):
    store.add(case_from_data(make_case_data()))
    s = analysis.scores(store)
    assert list(s.columns) == list(analysis.SCORE_COLUMNS)
    assert _scored(s) == HAND_WORKED
    row = s.iloc[0]
    assert (row.case_id, row.measure, row.informant, row.version, row.timepoint, row.age) == (
        "TSW-000123",
        "sdq",
        "parent",
        "P4-17",
        "baseline",
        11,
    )
    assert row.date == pd.Timestamp("2026-06-01")


def test_frames_are_typed_for_analysis(store, make_case_data):
    store.add(case_from_data(make_case_data()))
    s = analysis.scores(store)
    assert {c: str(t) for c, t in s.dtypes.items()} == {
        "case_id": "string",
        "measure": "category",
        "informant": "category",
        "version": "category",
        "date": "datetime64[ns]",
        "timepoint": "category",
        "age": "Int64",
        "scale": "category",
        "value": "Int64",
        "band": "category",
    }
    c = analysis.change(store)
    assert not [col for col, t in c.dtypes.items() if str(t) == "object"], (
        "no object columns mixing None and NaN"
    )
    cl = analysis.caseload(store, as_of="2026-11-20")
    assert not [col for col, t in cl.dtypes.items() if str(t) == "object"]
    assert str(cl["wave"].dtype) == "Int64" and str(cl["stage"].dtype) == "Int64"
    merged = cl[["case_id", "wave", "stage"]].merge(
        s[["case_id"]].drop_duplicates(), on="case_id", how="right"
    )
    assert str(merged["wave"].dtype) == "Int64", "wave stays an integer after a merge"


def test_a_save_keeps_the_scores_table_with_the_case(store, make_case_data):
    from tswt_formulation.model import MeasureAdministration

    data = make_case_data()
    store.add(case_from_data(data))
    review = MeasureAdministration.model_validate(
        {
            **data["measures"][0],
            "date": date(2026, 9, 1),
            "timepoint": "review 1",
            "responses": {str(i): 0 for i in range(1, 26)},
        }
    )

    def add_review(case):
        case.measures.append(review)

    store.update("TSW-000123", add_review)
    s = analysis.scores(store)
    review_scores = s[s.timepoint.eq("review 1")]
    # all 0: difficulties 0; reversed items 7, 11, 14, 21, 25 give 2 each: conduct 2, peer 4, hyperactivity 4
    # no impact question answered: impact missing (NA), not 0
    assert dict(
        zip(
            review_scores.scale.astype(str),
            review_scores.value.astype(object).where(review_scores.value.notna(), None),
        )
    ) == {
        "emotional": 0,
        "conduct": 2,
        "hyperactivity": 4,
        "peer": 4,
        "prosocial": 0,
        "total": 10,
        "externalising": 6,
        "internalising": 4,
        "impact": None,
    }
    store.update("TSW-000123", lambda case: case.measures.clear())
    assert analysis.scores(store).empty


def test_migration_7_rebuilds_the_scores_table_from_the_records(store_path, store, make_case_data):
    store.add(case_from_data(make_case_data()))
    with store.engine.begin() as conn:
        conn.execute(
            schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="6")
        )
        conn.execute(schema.migrations_table.delete().where(schema.migrations_table.c.number > 6))
        conn.exec_driver_sql("DROP TABLE scores")
    store.close()
    with open_store(str(store_path), user="test.worker") as s:
        assert s.schema_version() == schema.SCHEMA_VERSION  # 7, and 8 after it
        assert _scored(analysis.scores(s)) == HAND_WORKED


# --- change, hand-worked ---------------------------------------------------------------------

TEAM = (
    "version: t\nconstants:\n"
    "  - {measure: sdq, scores: [total], r: 0.80, sd: 5, source: hand-worked}\n"
    "  - {measure: sdq, scores: [prosocial], r: 0.70, sd: 2.2, source: hand-worked}\n"
    "  - {measure: gbo, scores: [goal_1], points: 2.45, source: hand-worked}\n"
)

# (informant, version, scale, baseline, follow-up) -> (difference, reliable change, category), by hand:
# total: S_diff = sqrt(2) x 5 x sqrt(0.2) = 3.162, threshold 6.198; parent P4-17 abnormal from 17
# (cut-off 16.5). prosocial (higher is better): S_diff = sqrt(2) x 2.2 x sqrt(0.3) = 1.704,
# threshold 3.340; abnormal 0-4 (cut-off 4.5). goal_1 (higher is better): 2.45 points or more.
CHANGE_CASES = [
    (
        "parent",
        "P4-17",
        "total",
        22,
        12,
        -10,
        "improved",
        "Recovered",
    ),  # clinical 22 > 16.5, functional 12 < 16.5
    ("parent", "P4-17", "total", 22, 18, -4, "none", "Unchanged"),  # 4 < 6.198
    (
        "parent",
        "P4-17",
        "total",
        24,
        17,
        -7,
        "improved",
        "Improved",
    ),  # 17 still > 16.5: not recovered
    (
        "parent",
        "P4-17",
        "total",
        10,
        18,
        8,
        "deteriorated",
        "Harmed",
    ),  # not clinical before, not functional after
    ("parent", "P4-17", "total", 18, 25, 7, "deteriorated", "Deteriorated"),  # already clinical
    (
        "parent",
        "P4-17",
        "prosocial",
        3,
        8,
        5,
        "improved",
        "Recovered",
    ),  # higher is better: 3 < 4.5, 8 > 4.5
    ("parent", "P4-17", "prosocial", 8, 3, -5, "deteriorated", "Harmed"),
    ("self", "GBO", "goal_1", 2, 5, 3, "improved", "Improved"),  # 3 >= 2.45; goals have no cut-off
    ("self", "GBO", "goal_1", 2, 4, 2, "none", "Unchanged"),
    (
        "self",
        "S18+",
        "total",
        25,
        10,
        -15,
        "improved",
        "Improved",
    ),  # 18+: no bands, never Recovered
]


@pytest.fixture
def team(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(TEAM)
    return load_constants(path)


def _pairs(cases) -> pd.DataFrame:
    rows = []
    for n, (informant, version, scale, pre, post, *_rest) in enumerate(cases):
        measure = "gbo" if scale.startswith("goal") else "sdq"
        for timepoint, day, value in (
            ("baseline", "2026-01-05", pre),
            ("review 1", "2026-07-01", post),
        ):
            rows.append(
                {
                    "case_id": f"TSW-{n:06d}",
                    "measure": measure,
                    "informant": informant,
                    "version": version,
                    "date": pd.Timestamp(day),
                    "timepoint": timepoint,
                    "scale": scale,
                    "value": value,
                }
            )
    return pd.DataFrame(rows)


def test_change_is_the_hand_worked_reliable_change_and_category(team):
    out = analysis.change(_pairs(CHANGE_CASES), constants=team)
    got = [(int(r.difference), str(r.reliable_change), str(r.category)) for r in out.itertuples()]
    assert got == [(d, rc, cat) for *_x, d, rc, cat in CHANGE_CASES]
    assert out.loc[0, "threshold"] == pytest.approx(1.959964 * math.sqrt(2) * 5 * math.sqrt(0.2))
    assert list(out["category"].cat.categories) == [
        "Recovered",
        "Improved",
        "Unchanged",
        "Deteriorated",
        "Harmed",
    ]


def test_change_to_each_follow_up_and_unpaired_series(team):
    frame = _pairs(CHANGE_CASES[:1])
    later = frame.iloc[[1]].assign(date=pd.Timestamp("2026-10-01"), timepoint="review 2", value=20)
    alone = frame.iloc[[0]].assign(case_id="TSW-000099")
    frame = pd.concat([frame, later, alone], ignore_index=True)
    latest = analysis.change(frame, constants=team)
    assert latest["case_id"].tolist() == ["TSW-000000", "TSW-000099"]
    assert latest["paired"].tolist() == [True, False]
    assert (str(latest.loc[0, "timepoint"]), int(latest.loc[0, "value"])) == ("review 2", 20)
    assert str(latest.loc[0, "category"]) == "Unchanged"  # 22 -> 20
    assert pd.isna(latest.loc[1, "category"])
    each = analysis.change(frame, to="each", constants=team)
    assert [(str(t), str(c)) for t, c in zip(each.timepoint, each.category)] == [
        ("review 1", "Recovered"),
        ("review 2", "Unchanged"),
    ]


def test_change_names_the_missing_columns():
    with pytest.raises(ScoringError, match=r"change\(\): value: column 'value' is missing"):
        analysis.change(
            pd.DataFrame(
                {
                    "case_id": [],
                    "measure": [],
                    "informant": [],
                    "version": [],
                    "date": [],
                    "timepoint": [],
                    "scale": [],
                }
            )
        )


def test_store_functions_say_to_pass_a_store():
    with pytest.raises(TswtError, match=r"^scores\(\): pass an open case store .* not str$"):
        analysis.scores("demo.sqlite")


def test_caseload_takes_an_iso_date_or_says_why_not(store, make_case_data):
    store.add(case_from_data(make_case_data()))
    assert store.caseload(as_of="2026-11-20").equals(store.caseload(as_of=date(2026, 11, 20)))
    assert store.caseload(as_of="2026-11-20")["days_to_due"].notna().all()
    with pytest.raises(
        TswtError,
        match=r"caseload\(\): as_of '1/1/2026' is not a date; give an ISO date such as 2026-01-31",
    ):
        store.caseload(as_of="1/1/2026")


def test_goals_and_decided_wave(store, make_case_data):
    store.add(case_from_data(make_case_data()))
    g = analysis.goals(store)
    assert g.values.tolist() == [
        ["TSW-000123", 1, "Feel calmer at bedtime", pd.Timestamp("2026-06-01")]
    ]


def test_change_from_the_store_agrees_with_each_case_read_in_turn(tmp_path, demo_cases):
    """The caseload-wide change from the scores table equals the per-case outcomes path
    (every case loaded and scored, as the outcomes report does), on the tracked scales."""
    from tswt_formulation.measures.outcomes import (
        TRACKED,
        case_scores,
        outcome_trajectories,
        with_clinical_categories,
    )
    from tswt_formulation.measures.service import baseline_vs_latest

    constants = load_constants(tswt.__path__[0] + "/measures/examples/demo_constants.yaml")
    with open_store(str(tmp_path / "demo.sqlite"), user="demo", create=True) as s:
        s.import_cases([c.model_copy(deep=True) for c in demo_cases])
        new = analysis.change(s, constants=constants)
        old = with_clinical_categories(
            baseline_vs_latest(outcome_trajectories(case_scores(s.cases()), constants)),
            "baseline_value",
            "latest_value",
        )
    keys = ["case_id", "measure", "informant", "scale"]
    old = old.rename(columns={"score": "scale"}).dropna(
        subset=["baseline_value", "latest_value"], how="all"
    )
    tracked = {s for scales in TRACKED.values() for s in scales}
    new = new[new["scale"].astype(str).isin(tracked)]
    both = new.astype({k: object for k in keys}).merge(
        old.astype({k: object for k in keys}), on=keys, suffixes=("", "_old")
    )
    assert len(both) == len(old) == len(new) > 100
    assert (
        both["category"].astype(object).fillna("-")
        == both["category_old"].astype(object).fillna("-")
    ).all()
    assert set(both["category"].dropna().astype(str)) >= {"Recovered", "Improved", "Unchanged"}


def test_scores_table_on_both_backends(any_store_url, make_case_data):
    with open_store(any_store_url, user="test.worker", create=True) as s:
        s.add(case_from_data(make_case_data()))
        assert _scored(analysis.scores(s)) == HAND_WORKED
        assert analysis.goals(s)["number"].tolist() == [1]
        assert sa.inspect(s.engine).has_table("scores")


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(analysis, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0


def test_a_case_id_where_a_case_is_needed_says_to_read_the_case_first(make_case_data):
    with pytest.raises(
        TswtError,
        match=r"^recommend\(\): pass a case, not the string 'TSW-900001'; read it from the store first: store\.get\('TSW-900001'\)",
    ):
        tswt.recommend("TSW-900001")
    with pytest.raises(TswtError, match=r"^check_eligibility\(\): pass a case .* not int$"):
        tswt.check_eligibility(900001)
    case = case_from_data(make_case_data())
    assert tswt.recommend(case, as_of="2026-07-01") == tswt.recommend(case, as_of=date(2026, 7, 1))
    with pytest.raises(
        TswtError,
        match=r"^TSW-000123: recommend\(\): as_of '01/07/2026' is not a date; give an ISO date",
    ):
        tswt.recommend(case, as_of="01/07/2026")


# --- in Jupyter ------------------------------------------------------------------------------


def test_a_case_and_its_recommendation_display_as_short_escaped_html(make_case_data):
    data = make_case_data()
    data["goals"][0]["description"] = "Feel <b>calmer</b> & safe"
    case = case_from_data(data)
    assert repr(case).startswith("<Case TSW-000123: looked_after, referral accepted, worker ")
    assert len(repr(case)) < 200
    html = case._repr_html_()
    assert "Feel &lt;b&gt;calmer&lt;/b&gt; &amp; safe" in html and "<b>calmer" not in html
    assert "Case TSW-000123" in html and len(html) < 3000
    rec_html = tswt.recommend(case, as_of="2026-07-01")._repr_html_()
    assert rec_html.startswith("<table") and "Recommendation for TSW-000123" in rec_html


def test_a_batch_summary_lists_ok_and_failed_alike(tmp_path):
    from tswt_formulation.reports.batch import BatchSummary, ReportResult

    results = [
        ReportResult("TSW-000001", "outcomes", "ok", 1.0, ["a.html"]),
        ReportResult(
            "TSW-000002", "outcomes", "failed", 1.0, cell="cell 3", error="ScoringError: <x>"
        ),
    ]
    summary = BatchSummary(results, tmp_path, tmp_path / "manifest.csv", 2.0)
    assert summary.ok == results[:1] and summary.failed == results[1:] and not summary.all_ok
    html = summary._repr_html_()
    assert "1 of 2 report(s) written" in html and "ScoringError: &lt;x&gt;" in html
    assert BatchSummary.__doc__ and "all_ok" in BatchSummary.__doc__


def test_store_cases_streams_from_the_database(any_store_url, make_case_data):
    """store.cases() asks the driver for rows a chunk at a time (yield_per: a server-side
    cursor on PostgreSQL), not the whole result at once."""
    seen = []
    with open_store(any_store_url, user="test.worker", create=True) as s:
        s.import_cases([case_from_data(make_case_data(f"TSW-00000{i}")) for i in range(1, 4)])

        def remember(conn, cursor, statement, parameters, context, executemany):
            if "FROM cases" in statement and "record" in statement:
                seen.append(context.execution_options.get("yield_per"))

        sa.event.listen(s.engine, "before_cursor_execute", remember)
        stream = s.cases()
        assert next(stream).case_id == "TSW-000001"
        assert [c.case_id for c in stream] == ["TSW-000002", "TSW-000003"]
    assert seen and all(y for y in seen)


def test_the_integrity_check_finds_scores_that_differ_from_the_record(store, make_case_data):
    store.add(case_from_data(make_case_data()))
    assert store.integrity_check() == []
    with store.engine.begin() as conn:
        conn.execute(schema.scores.update().values(scale_values="0,0,0,0,0,0,0,0,0"))
    assert store.integrity_check() == [
        "TSW-000123: its rows in the scores table differ from its record's scores "
        "(rebuild them: tswt_formulation.store.scores.rebuild_scores)"
    ]
