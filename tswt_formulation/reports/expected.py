"""Expected progress where people read it (issue 23): the band behind the child's SDQ
line and a paragraph in the outcomes report, the children below their band in the
caseload views and the caseload review. Kept here, apart from the reports' own layout,
so each report needs one call.

The model is the file ``tswt expected fit`` wrote, named by ``TSWT_EXPECTED_MODEL``
(:func:`~tswt_formulation.measures.expected.model_path`). Without one, nothing here
shows anything: progress is judged by the rule-based alert alone, as before.

A flag is a prompt for supervision, not a finding about the child: it says the child's
latest score is worse than 3 in 4 (or 9 in 10) of the team's children who started alike
had reached by the same month of work.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..words import plural
from .html import Section, section, table, text

if TYPE_CHECKING:
    import pandas as pd

    from ..measures.expected import ExpectedModel
    from ..model.case import Case

__all__ = [
    "LISTED",
    "NOT_A_DIAGNOSIS",
    "active_model",
    "below_band_table",
    "chart_band",
    "child_section",
    "review_section",
]

#: The scales listed in the caseload views and the review: SDQ total difficulties, the
#: headline score (as expected-recovery systems judge a total). One child's report also
#: shows their goals (:data:`CHILD_SCALES`).
LISTED = {("sdq", "total")}
CHILD_SCALES = {("sdq", "total"), ("gbo", "goal_1"), ("gbo", "goal_2"), ("gbo", "goal_3")}
NOT_A_DIAGNOSIS = (
    "Below the expected band is a prompt to talk about the work in supervision, not a finding "
    "about the child: it compares the latest score with the progress of the team's own children "
    "who started alike."
)
#: The review lists at most this many children by name.
REVIEW_LIMIT = 25


def active_model(path: Any = None) -> ExpectedModel | None:
    """The model file given, else ``TSWT_EXPECTED_MODEL``'s, else None."""
    from ..measures.expected import load_model, model_path

    chosen = model_path(path)
    return None if chosen is None else load_model(chosen)


def model_words(model: ExpectedModel) -> str:
    """'fitted 2026-12-07 on 1,234 completed episodes (minimum 30 per stratum and month)'."""
    meta = model.meta
    return (
        f"fitted {str(meta.get('fitted', ''))[:10]} on "
        f"{plural(int(meta['fitted_on']['episodes']), 'completed episode')} of this team "
        f"(minimum {meta['minimum']} per stratum and month)"
    )


def _listed(judged: pd.DataFrame, scales: set[tuple[str, str]] = LISTED) -> pd.DataFrame:
    keys = list(zip(judged["measure"].astype(str), judged["scale"].astype(str)))
    return judged[[k in scales for k in keys]]


def judged_cases(
    cases: list[Case],
    as_of: date,
    model: ExpectedModel | None,
    scales: set[tuple[str, str]] = LISTED,
) -> pd.DataFrame:
    """Every series of ``scales`` of the cases whose work is under way on ``as_of``, judged."""
    from ..measures.expected import judge, points_from_cases

    open_cases = [
        c
        for c in cases
        if c.conclusion is not None
        and c.conclusion.decision == "begin_work"
        and c.conclusion.date <= as_of
        and (c.ending is None or c.ending.date > as_of)
    ]
    return _listed(judge(model, points_from_cases(open_cases, as_of), as_of), scales)


def below_band_table(judged: pd.DataFrame) -> pd.DataFrame:
    """One row per child below their expected band: ``case_id``, ``below`` (the words: 'sdq
    parent total 24: 3 points below the band since 2026-05-01'), ``how_far`` (the furthest),
    ``since`` (the earliest), ``strong`` (any below the 10th-centile line)."""
    import pandas as pd

    from ..measures.expected import _day, _num, below_band

    rows = below_band(judged)
    out = []
    for case_id, g in rows.groupby("case_id", sort=False):
        words = "; ".join(
            f"{r.measure} {r.informant} {r.scale} {_num(r.value)}: "
            f"{_num(r.how_far)} point{'' if _num(r.how_far) == '1' else 's'} below the band"
            f"{', beyond the 10th-centile line,' if r.status == 'below_10' else ''} since {_day(r.since)}"
            for r in g.itertuples(index=False)
        )
        out.append(
            (
                case_id,
                words,
                float(g["how_far"].max()),
                g["since"].min(),
                bool((g["status"] == "below_10").any()),
            )
        )
    return pd.DataFrame(out, columns=["case_id", "below", "how_far", "since", "strong"])


# --- the outcomes report ---------------------------------------------------------------------


def chart_band(fig: Any, case: Case, as_of: date, informants: list[str]) -> str:
    """Draw each informant's expected band behind their SDQ total line (the panels of
    ``plot_informants``, in the order of ``informants``); return the caption's words, ""
    when there is no model or no curve."""
    import pandas as pd

    from ..measures.expected import band_course, scores_from_cases
    from ..plots.expected import draw_expected_band

    model = active_model()
    began = (
        case.conclusion.date
        if case.conclusion and case.conclusion.decision == "begin_work"
        else None
    )
    if model is None or began is None:
        return ""
    scores = scores_from_cases([case], as_of)
    base = scores[
        (scores["measure"] == "sdq")
        & (scores["scale"] == "total")
        & (scores["timepoint"] == "baseline")
        & scores["value"].notna()
    ].sort_values("date")
    drawn = 0
    for ax, informant in zip(fig.axes, informants):
        b = base[base["informant"] == informant]
        if b.empty:
            continue
        row = b.iloc[0]
        band = "no band" if pd.isna(row["band"]) else str(row["band"])
        course = band_course(model, "sdq", "total", informant, band, float(row["value"]), began)
        drawn += bool(draw_expected_band(ax, course))
    if not drawn:
        return ""
    return (
        "; the dotted grey band from where work began is the expected band, from the expected score "
        "(dash-dot-dot) to the 25th-centile line of the team's children who started alike, and the "
        "dotted line the 10th-centile line"
    )


def child_section(case: Case, as_of: date) -> Section:
    """'Expected progress' for one child's outcomes report; empty without a model."""
    model = active_model()
    if model is None:
        return Section("", "")
    judged = judged_cases([case], as_of, model, CHILD_SCALES)
    head = (
        f"<p>Each score is compared with the progress of children who started alike, in "
        f"curves {text(model_words(model))}. {text(NOT_A_DIAGNOSIS)}</p>"
    )
    if judged.empty:
        body = '<p class="none">No follow-up score to compare yet.</p>'
        return section("Expected progress", head + body, "expected", "Expected progress: none yet")
    order = {"below_10": 0, "below_25": 1, "no_curve": 2, "within": 3}
    judged = judged.assign(_o=judged["status"].map(order)).sort_values(["_o", "informant"])
    items = "".join(
        f'<li class="{"flag" if r.status in ("below_10", "below_25") else ""}">{text(r.reason)}</li>'
        for r in judged.itertuples(index=False)
    )
    n_below = int(judged["status"].isin(["below_10", "below_25"]).sum())
    plain = f"Expected progress: {plural(n_below, 'score')} below the expected band"
    return section("Expected progress", head + f"<ul>{items}</ul>", "expected", plain)


# --- the caseload review ---------------------------------------------------------------------


def review_section(cases: list[Case], as_of: date) -> Section:
    """'Below expected progress' for the caseload review: the children below their band
    (at most :data:`REVIEW_LIMIT`, the furthest below first) with how far and since when,
    and the counts. Without a model, one line saying the rule-based alert stands alone."""
    model = active_model()
    if model is None:
        body = (
            "<p>No expected-progress model has been fitted for the team (a psychologist or team "
            "manager fits one with <code>tswt expected fit</code>): progress is judged by the "
            "rule-based alert alone.</p>"
        )
        return section("Below expected progress", body, "expected", "No expected-progress model")
    judged = judged_cases(cases, as_of, model)
    below = below_band_table(judged).sort_values(["how_far", "case_id"], ascending=[False, True])
    n_children = judged["case_id"].nunique()
    no_curve = judged[judged["status"] == "no_curve"]["case_id"].nunique()
    counts = (
        f"{plural(len(below), 'child', 'children')} of {n_children} in work below their "
        f"expected band ({int(below['strong'].sum())} below the 10th-centile line); "
        f"{plural(no_curve, 'child', 'children')} with a score that has no curve "
        f"(too few completed episodes: the rule-based alert stays)."
    )
    shown = below.head(REVIEW_LIMIT)
    rows = [(r.case_id, r.below) for r in shown.itertuples(index=False)]
    more = (
        f"<p>... and {len(below) - len(shown)} more (tswt caseload --below-expected lists all).</p>"
        if len(below) > len(shown)
        else ""
    )
    body = (
        f"<p>{text(counts)} Curves {text(model_words(model))}. {text(NOT_A_DIAGNOSIS)}</p>"
        + (table(["case", "below the expected band"], rows) if rows else "")
        + more
    )
    return section("Below expected progress", body, "expected", counts)


# --- the workbench's caseload --------------------------------------------------------------------


def caseload_words(store: Any, case_ids: list[str], as_of: date) -> dict[str, str]:
    """The workbench caseload's 'Expected progress' cell for the named cases (read whole:
    call it for a page, not a caseload): how far below the band and since when; else
    "within the band (parent, teacher); no curve (self): rule-based alert"; {} without a
    model."""
    model = active_model()
    if model is None or not case_ids:
        return {}
    judged = judged_cases(list(store.cases(case_ids)), as_of, model)
    out: dict[str, str] = {}
    for case_id, g in judged.groupby("case_id", sort=False):
        within = sorted(g.loc[g["status"] == "within", "informant"].astype(str))
        none = sorted(g.loc[g["status"] == "no_curve", "informant"].astype(str))
        out[str(case_id)] = "; ".join(
            part
            for part in (
                f"within the band ({', '.join(within)})" if within else "",
                f"no curve ({', '.join(none)}): rule-based alert" if none else "",
            )
            if part
        )
    for r in below_band_table(judged).itertuples(index=False):
        out[str(r.case_id)] = f"BELOW: {r.below}"
    return out
