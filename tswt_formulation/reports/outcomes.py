"""The outcomes report: each measure's trajectory by informant with bands and the
reliable-change corridor, goal progress, the change table, and not-on-track flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..measures.constants import MeasureConstants, active_constants
from ..measures.definition import load_measure
from ..measures.outcomes import CaseOutcomes, case_outcomes
from ..model.case import Case
from ..store.staff import StaffDirectory
from ..words import CATEGORY_WORDS, INFORMANT_WORDS, band_words, plural, signed, uk_date
from .common import Header, parse_as_of, provenance, reading, required_case_id, risk_section
from .expected import chart_band as expected_chart_band
from .expected import child_section as expected_child_section
from .html import Section, figure, section, table, text

_SCORE_LABELS = {
    "total": "Total difficulties",
    "emotional": "Emotional",
    "conduct": "Conduct",
    "hyperactivity": "Hyperactivity",
    "peer": "Peer problems",
    "prosocial": "Prosocial",
    "impact": "Impact",
    "goal_1": "Goal 1",
    "goal_2": "Goal 2",
    "goal_3": "Goal 3",
}
_INFORMANTS = {i: words[0].upper() + words[1:] for i, words in INFORMANT_WORDS.items()}


def _num(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else f"{round(float(v))}"


@dataclass
class OutcomesReport:
    case: Case
    as_of: date
    result: CaseOutcomes
    constants: MeasureConstants | None
    staff: StaffDirectory = field(default_factory=StaffDirectory)

    @classmethod
    def from_store(
        cls, case_id: str, store: Any, as_of: Any = None, constants: str | None = None
    ) -> OutcomesReport:
        from ..casework import open_case
        from ..store.staff import staff_directory

        case_id = required_case_id(case_id)
        with reading(store) as st:
            case = open_case(st, case_id, "report")  # who may read it; the opening logged
            staff = staff_directory(st)
        return cls.from_case(case, as_of, constants, staff)

    @classmethod
    def from_case(
        cls,
        case: Case,
        as_of: Any = None,
        constants: str | None = None,
        staff: StaffDirectory | None = None,
    ) -> OutcomesReport:
        """``constants``: the team's constants file (default ``$TSWT_MEASURE_CONSTANTS``)."""
        day = parse_as_of(as_of)
        loaded = active_constants(constants)
        return cls(
            case, day, case_outcomes(case, day, constants=loaded), loaded, staff or StaffDirectory()
        )

    def header(self) -> Section:
        f = self.case.formulation
        last = f.latest_signoff if f else None
        reviewer = ""
        if (
            f is not None
            and last is not None
            and f.status == "signed_off"
            and last.outcome == "approved"
        ):
            reviewer = (
                f"{self.staff.describe(last.reviewer)} (formulation signed off {uk_date(last.at)})"
            )
        head = Header(
            "outcomes",
            "Outcomes: measures and change over time",
            self.case.case_id,
            self.as_of,
            self.staff.describe(self.case.worker or ""),
            reviewer,
            self.case.synthetic,
        ).section()
        warning = self.illustrative_warning()
        return Section(head.html + warning, head.plain, head.meta) if warning else head

    def illustrative_warning(self) -> str:
        """On page 1, not in small print: reliable change judged with illustrative constants."""
        c = self.constants
        if c is None or (
            not any("ILLUSTRATIVE" in (e.source or "").upper() for e in c.entries)
            and "illustrative" not in c.version.lower()
        ):
            return ""
        return (
            '<p class="status-note">ILLUSTRATIVE CONSTANTS: reliable change in this report is judged with the demo\'s '
            f"illustrative reliability constants ({text(c.version)}), not a cited source. Do not use these judgements for a "
            "child's care; a team supplies its own constants (docs/measures.md).</p>"
        )

    def risks(self) -> Section:
        """Risk first, in every report: the screening's risk behaviours with their evidence."""
        # One child's baseline bands in plain Python, as tswt recommend takes them.
        from ..measures.one_child import case_baseline_bands
        from ..rules.recommend import recommend

        rec = recommend(self.case, bands=case_baseline_bands(self.case), risk_as_of=self.as_of)
        return risk_section(rec)

    def flags(self) -> Section:
        from .supervision import flag_words

        flags = self.result.not_on_track
        if flags is None or flags.empty:
            out = self.case.outcome
            if out is not None and out.decision == "close" and out.date <= self.as_of:
                # Not "not yet judged" beside scores that may be abnormal: work never began.
                why = out.reasons.strip().rstrip(".")
                msg = (
                    f"Work did not begin: the case was closed after screening on {uk_date(out.date)}"
                    + (f" ({why})" if why else "")
                    + ". Progress is judged only over work; the scores in this report are the screening's."
                )
            elif out is None or out.decision != "begin_work":
                msg = "Not yet judged: work has not begun."
            else:
                months = _whole_months(out.date, self.as_of)
                msg = (
                    f"Not yet judged: under 6 months in work ({plural(months, 'month')} so far)."
                    if months < 6
                    else "On track: no headline score is reliably worse, and none is without reliable improvement after 6 months in work."
                )
            return Section(
                f'<section class="section risks clear"><h2>Progress</h2><p>{text(msg)}</p></section>',
                msg,
            )
        rows = flags.sort_values("flag", ascending=False).to_dict("records")
        worse = [r for r in rows if r["flag"] == "reliably_worse"]
        body = (
            f"<p><strong>{text(plural(len(worse), 'score'))} with reliable deterioration</strong>; "
            f"{text(plural(len(rows) - len(worse), 'score'))} without reliable improvement after 6 months in work.</p>"
            + "<ul>"
            + "".join(
                f'<li class="{"flag" if r["flag"] == "reliably_worse" else ""}">{text(flag_words(r))}</li>'
                for r in rows
            )
            + "</ul>"
        )
        return Section(
            f'<section class="section risks"><h2>Not on track: read first</h2>{body}</section>',
            plural(len(flags), "flag"),
        )

    def scores(self) -> Section:
        s = self.result.scored
        if s.empty:
            return section(
                "Scores", '<p class="none">No measures recorded for this child.</p>', "scores"
            )
        parts = []
        for (measure, informant), grp in s.sort_values("date").groupby(
            ["measure", "informant"], sort=True
        ):
            cols = [c for c in _SCORE_LABELS if c in grp.columns and grp[c].notna().any()]
            rows = []
            for r in grp.to_dict("records"):
                cells = []
                for c in cols:
                    band3, band4 = r.get(f"{c}_band3"), r.get(f"{c}_band4")
                    bands = " / ".join(
                        band_words(b, c) for b in (band3, band4) if isinstance(b, str)
                    )
                    cells.append(
                        text(_num(r[c]))
                        + (f'<span class="band">{text(bands)}</span>' if bands else "")
                    )
                when = f'{text(r["timepoint"])}<span class="band">{text(uk_date(pd.Timestamp(r["date"]).date()))}, form {text(r["version"])}</span>'
                rows.append((when, *cells))
            name = load_measure(measure).name
            parts.append(
                f"<h3>{text(name)}: {text(_INFORMANTS.get(informant, informant))}</h3>"
                + table(
                    ["When", *[_SCORE_LABELS[c] for c in cols]],
                    rows,
                    raw_columns=range(1 + len(cols)),
                )
            )  # every cell escaped above
        if self.case.goals:
            parts.append(
                "<h3>Goals agreed</h3>"
                + table(
                    ["Goal", "In the family's words", "Agreed"],
                    [(g.number, g.description, uk_date(g.agreed)) for g in self.case.goals],
                )
            )
        note = (
            '<p class="small">Under each score: the youthinmind 2016 three-band category (normal, borderline, abnormal) / '
            "the four-band category (close to average, slightly raised, high, very high) of each form, for ages 4-17 "
            "(three-band provisional for the parent 2-4 form); the 18+ forms and the teacher 2-4 form have no published "
            "bands, so their scores are shown without a band.</p>"
        )
        return section("Scores", "".join(parts) + note, "scores")

    def expected(self) -> Section:
        """Expected progress (issue 23): empty unless TSWT_EXPECTED_MODEL names a model."""
        return expected_child_section(self.case, self.as_of)

    def charts(self) -> Section:
        """SDQ total difficulties, every informant on one figure (bands, cut-off, corridor,
        where work began), then goal progress with a legend for every line."""
        from ..measures.outcomes import chart_bands
        from ..plots.goals import plot_goals
        from ..plots.outcomes import plot_informants

        traj = self.result.trajectory
        if traj is None or traj.empty:
            return section(
                "Trajectories", '<p class="none">No measures to chart yet.</p>', "charts"
            )
        figs = []
        sdq = traj[(traj["measure"] == "sdq") & (traj["score"] == "total")]
        started = (
            self.case.outcome.date
            if self.case.outcome and self.case.outcome.decision == "begin_work"
            else None
        )
        if not sdq.empty:
            informants = sorted(sdq.loc[sdq["value"].notna(), "informant"].unique())
            shading = {
                i: chart_bands(sdq[sdq["informant"] == i], "sdq", "total", i) for i in informants
            }  # from each point's form
            bands = {i: shading[i][0] for i in informants}
            cutoffs = {
                i: self._cutoff(sdq[sdq["informant"] == i], "sdq", "total", i) if bands[i] else None
                for i in informants
            }
            labels = {
                i: _INFORMANTS.get(i, i)
                + (f": clinical above {cutoffs[i]:g}" if cutoffs[i] is not None else "")
                for i in informants
            }
            fig = plot_informants(
                sdq,
                "total",
                bands=bands,
                cutoffs=cutoffs,
                work_started=started,
                labels=labels,
                title="SDQ total difficulties, by informant",
            )
            thresholds = sorted({f"{t:.1f}" for t in sdq["threshold"].dropna()})
            corridor = (
                f"the hatched corridor is each informant's baseline +/- {' or '.join(thresholds)} points: inside it, "
                "no reliable change"
                if thresholds
                else "no reliable-change constants, so no corridor"
            )
            no_base = [
                _INFORMANTS.get(i, i).lower()
                for i in informants
                if not sdq.loc[sdq["informant"] == i, "baseline_value"].notna().any()
            ]
            extra = (
                f"; no baseline from the {', '.join(no_base)}, so no corridor there"
                if no_base
                else ""
            )
            mark = (
                f"; the dash-dot line is where work began ({uk_date(started)})" if started else ""
            )
            mark += expected_chart_band(fig, self.case, self.as_of, informants)
            cut = (
                "; the heavy dashed line is the clinical cut-off"
                if any(v is not None for v in cutoffs.values())
                else ""
            )
            shaded = "; ".join(
                f"{_INFORMANTS.get(i, i).lower()}: {shading[i][1]}" for i in informants
            )
            chart = figure(
                fig,
                f"SDQ total difficulties ({shaded}){cut}; {corridor}{extra}{mark}. Higher is worse.",
            )
            work = self._work_figure(fig, sdq)
            # the work strip reads against the chart's dates: printed on the same page
            figs.append(f'<div class="figures-together">{chart}{work}</div>' if work else chart)
        goals = traj[traj["measure"] == "gbo"]
        if not goals.empty and goals.groupby("score")["value"].count().max() >= 2:
            g = goals.rename(columns={"score": "goal", "value": "rating"})
            descriptions = {
                f"goal_{x.number}": f"Goal {x.number}: {x.description}" for x in self.case.goals
            }
            g["goal"] = g["goal"].map(lambda k: descriptions.get(k, _SCORE_LABELS.get(k, k)))
            threshold = (
                goals["threshold"].dropna().iloc[0] if goals["threshold"].notna().any() else None
            )
            figs.append(
                figure(
                    plot_goals(
                        g,
                        goal="goal",
                        rating="rating",
                        date="date",
                        threshold=threshold,
                        title="Goal progress (0-10)",
                        work_started=started,
                    ),
                    "Goal-Based Outcomes: progress ratings at each review"
                    + (
                        "; a dotted line is where that goal's rating would show reliable improvement"
                        if threshold is not None
                        else "; no reliable-change constant, so no line for reliable improvement"
                    )
                    + (
                        f"; the dash-dot line is where work began ({uk_date(started)})"
                        if started
                        else ""
                    )
                    + ". Higher is better.",
                )
            )
        return section(
            "Trajectories", "".join(figs) or '<p class="none">Nothing to chart yet.</p>', "charts"
        )

    def charts_in_words(self) -> Section:
        """The charts' values and trends as text, under them (reports/charts_text.py)."""
        from .charts_text import charts_in_words

        return charts_in_words(self.result.trajectory, self.case)

    def _work_figure(self, chart: Any, sdq: pd.DataFrame) -> str:
        """The work as bands under the SDQ chart, on the same dates (plots.work)."""
        from matplotlib.dates import num2date

        from ..plots.work import plot_work, work_span

        span = work_span(self.case, self.as_of)
        if span is None:
            return ""
        lo, hi = (num2date(x).date() for x in chart.axes[0].get_xlim())
        lo, hi = min(lo, span[0]), max(hi, span[1])
        for ax in chart.axes:  # the chart widened to the work's dates, so the two line up
            ax.set_xlim(pd.Timestamp(lo), pd.Timestamp(hi))
        panels = [
            (ax.get_position().x0, ax.get_position().x1)
            for ax in chart.axes
            if ax.get_label() != "<colorbar>"
        ]
        fig = plot_work(
            self.case,
            self.as_of,
            xlim=(lo, hi),
            width=float(chart.get_size_inches()[0]),
            panels=panels,
        )
        return figure(
            fig,
            "The work under each panel, on its dates: the stage reached at each review (1-4; dotted lines are reviews); "
            "each intervention from its start to its end (hatched: still running), attended sessions "
            "as ticks, missed or cancelled ones as open circles, an unplanned ending as a cross.",
        )

    def work(self) -> Section:
        """The work itself: interventions with their sessions, first steps, reviews, the
        ending, and change over each intervention beside the change from baseline."""
        from ..measures.episodes import intervention_change, interventions_frame
        from ..practice import ENDING_LABELS

        c = self.case
        if not (c.interventions or c.reviews or c.first_steps or c.ending):
            return section("The work", '<p class="none">No work recorded yet.</p>', "work")
        parts = []
        rows: list[tuple[Any, ...]]
        if c.interventions:
            rows = []
            for iv in c.interventions:
                held = [x for x in iv.sessions if x.date <= self.as_of]
                came = sum(x.attendance == "attended" for x in held)
                ended = (
                    f"{uk_date(iv.end)} ({ENDING_LABELS[iv.ending_reason or 'other']})"
                    if iv.end and iv.end <= self.as_of
                    else "running"
                    + (f", planned to {uk_date(iv.planned_end)}" if iv.planned_end else "")
                )
                link = (
                    f"fulfils the recommended {iv.fulfils}"
                    if iv.fulfils
                    else f"not recommended: {iv.not_recommended}"
                )
                rows.append(
                    (
                        f"{iv.number}. {iv.what.replace('_', ' ')}",
                        ", ".join(iv.for_whom),
                        self.staff.describe(iv.lead_worker),
                        uk_date(iv.start),
                        ended,
                        f"{came} of {len(held)}",
                        link,
                    )
                )
            parts.append(
                "<h3>Interventions</h3>"
                + table(
                    [
                        "Intervention",
                        "For",
                        "Lead worker",
                        "Started",
                        "Ended",
                        "Sessions attended",
                        "Recommendation",
                    ],
                    rows,
                )
            )
        if c.first_steps:
            rows = [
                (
                    st.step,
                    self.staff.describe(st.owner) if st.owner else "",
                    uk_date(st.due) if st.due else "",
                    uk_date(st.done) if st.done and st.done <= self.as_of else "OUTSTANDING",
                )
                for st in c.first_steps
            ]
            parts.append("<h3>First steps</h3>" + table(["Step", "Owner", "Due", "Done"], rows))
        if c.reviews:
            rows = [
                (
                    uk_date(r.date),
                    f"{r.stage}",
                    r.stage_evidence,
                    f"{r.wave}",
                    "yes" if r.risks_reviewed else "no",
                    ", ".join(f"goal {g.number}: {g.rating}/10" for g in r.goals),
                    ", ".join(r.measures_done)
                    + (
                        f" (due: {', '.join(sorted(set(r.measures_due) - set(r.measures_done)))})"
                        if set(r.measures_due) - set(r.measures_done)
                        else ""
                    ),
                    r.formulation,
                )
                for r in c.reviews
                if r.date <= self.as_of
            ]
            parts.append(
                "<h3>Reviews</h3>"
                + table(
                    [
                        "Review",
                        "Stage",
                        "Evidence",
                        "Wave",
                        "Risks reviewed",
                        "Goals",
                        "Measures done",
                        "Formulation",
                    ],
                    rows,
                )
            )
        traj = self.result.trajectory
        if c.interventions and traj is not None and not traj.empty:
            change = intervention_change(traj, interventions_frame([c]), self.as_of)
            if not change.empty:
                rows = [
                    (
                        f"{r['number']}. {r['what'].replace('_', ' ')}",
                        _INFORMANTS.get(r["informant"], r["informant"]),
                        f"{_num(r['start_value'])} ({uk_date(r['start_date'].date())})",
                        ""
                        if pd.isna(r["end_value"])
                        else f"{_num(r['end_value'])} ({uk_date(r['end_date'].date())})",
                        "" if pd.isna(r["difference"]) else signed(float(r["difference"])),
                        r["category"],
                        "" if pd.isna(r["from_baseline"]) else signed(float(r["from_baseline"])),
                    )
                    for r in change.to_dict("records")
                ]
                parts.append(
                    "<h3>SDQ total difficulties over each intervention</h3>"
                    + table(
                        [
                            "Intervention",
                            "Informant",
                            "At its start",
                            "At its end (or latest)",
                            "Change",
                            "Judged",
                            "Change from baseline",
                        ],
                        rows,
                    )
                    + '<p class="small">At its start: the last score on or before the intervention began (else the first '
                    "after). At its end: the last score after that, up to its end or the report date. Other work runs "
                    "alongside: a change over one intervention is not caused by it alone.</p>"
                )
        if c.ending is not None and c.ending.date <= self.as_of:
            e = c.ending
            measures = ", ".join(e.closing_measures_due) or "none"
            parts.append(
                f"<h3>End of involvement</h3><p>{text(uk_date(e.date))}: {text(ENDING_LABELS[e.reason])}"
                f"{text(' (' + e.reason_other + ')') if e.reason_other else ''}. {text(e.summary)} "
                f"Closing measures due: {text(measures)}.</p>"
            )
        return section("The work", "".join(parts), "work")

    def _cutoff(
        self, series: pd.DataFrame, measure: str, score: str, informant: str
    ) -> float | None:
        """The clinical cut-off of the form of the series' latest point (None where it has none)."""
        versions = (
            series.sort_values("date")["version"].dropna()
            if "version" in series.columns
            else pd.Series(dtype=object)
        )
        try:
            c = load_measure(measure).clinical_cutoff(
                score,
                informant,
                version=str(versions.iloc[-1]) if len(versions) else None,
                age=None if len(versions) else self.case.child.age_on(self.as_of),
            )
        except Exception:  # noqa: BLE001 - no form for this age or informant: no line
            return None
        return c.value if c is not None else None

    def change_table(self) -> Section:
        latest = self.result.baseline_vs_latest
        reviews = self.result.reviews_vs_baseline
        if latest is None or latest.empty:
            return section(
                "Change", '<p class="none">No baseline to compare with yet.</p>', "change"
            )
        paired = latest[latest["paired"]]
        rows: list[tuple[str, ...]] = [
            (
                r["measure"].upper(),
                _INFORMANTS.get(r["informant"], r["informant"]),
                _SCORE_LABELS.get(r["score"], r["score"]),
                _num(r["baseline_value"]),
                f"{_num(r['latest_value'])} ({r['latest_timepoint']})",
                "" if pd.isna(r["difference"]) else signed(float(r["difference"])),
                "" if pd.isna(r["threshold"]) else f"{r['threshold']:.1f}",
                _category(r["category"]),
            )
            for r in paired.to_dict("records")
        ]
        if not rows:
            # Headers over nothing read as data lost: say why there is no change to show.
            out = self.case.outcome
            why = (
                " (the case was closed after screening)"
                if out is not None and out.decision == "close"
                else ""
            )
            body = (
                '<h3>Baseline and latest</h3><p class="none">No follow-up yet: only baseline scores are recorded'
                f"{text(why)}, so there is no change to judge.</p>"
            )
        else:
            body = "<h3>Baseline and latest</h3>" + table(
                [
                    "Measure",
                    "Informant",
                    "Score",
                    "Baseline",
                    "Latest",
                    "Change",
                    "Reliable change needs",
                    "Judged",
                ],
                rows,
            )
        if reviews is not None and not reviews.empty:
            rv = reviews[reviews["timepoint"] != "baseline"].dropna(subset=["difference"])
            rv = rv[rv["score"].isin(["total", "goal_1", "goal_2", "goal_3"])]
            rows = [
                (
                    r["measure"].upper(),
                    _INFORMANTS.get(r["informant"], r["informant"]),
                    _SCORE_LABELS.get(r["score"], r["score"]),
                    r["timepoint"],
                    _num(r["value"]),
                    signed(float(r["difference"])),
                    _category(r.get("category")),
                )
                for r in rv.to_dict("records")
            ]
            if rows:
                body += "<h3>Each review against baseline (headline scores)</h3>" + table(
                    ["Measure", "Informant", "Score", "Review", "Score then", "Change", "Judged"],
                    rows,
                )
        if "clinical_note" in paired.columns:
            notes = sorted(
                {
                    (_INFORMANTS.get(r["informant"], r["informant"]), r["clinical_note"])
                    for r in paired.to_dict("records")
                    if isinstance(r["clinical_note"], str) and r["clinical_note"]
                }
            )
            if notes:
                body += (
                    '<p class="small">No "recovered" or "into the clinical range" judgement where there is no clinical '
                    "cut-off: " + text("; ".join(f"{who}: {note}" for who, note in notes)) + ".</p>"
                )
        missing = sorted(
            k for k, v in self.result.constants.items() if str(v).startswith("no reliable-change")
        )
        if missing:
            body += (
                '<p class="small">No reliable-change constants for '
                + text(", ".join(missing))
                + ": the team has not supplied them (see docs/measures.md), so reliable change is not judged there.</p>"
            )
        body += (
            '<p class="small">Reliable change: Jacobson and Truax (1991), critical value 1.96. Recovered: reliable improvement '
            "from the clinical into the non-clinical range. Reliable deterioration into the clinical range: reliably worse and "
            "crossing the clinical cut-off. Lower is better except prosocial and goals.</p>"
        )
        return section("Change", body, "change")

    def added_value(self) -> Section:
        """The SDQ Added Value Score beside its interval, or why it does not apply (issue 23)."""
        from .added_value import added_value_section

        return added_value_section(self._sdq_until_report(), as_of=self.as_of)

    def informants(self) -> Section:
        """Informants' SDQs near the same date, side by side, with the reminder (issue 23)."""
        from .added_value import informants_section

        return informants_section(self._sdq_until_report(), self.constants)

    def _sdq_until_report(self) -> pd.DataFrame:
        s = self.result.scored
        if s.empty or "date" not in s.columns:
            return s
        return s[pd.to_datetime(s["date"]) <= pd.Timestamp(self.as_of)]

    def provenance(self) -> Section:
        versions = {
            m: load_measure(m).version
            for m in sorted(set(self.result.scored.get("measure", pd.Series(dtype=str))))
        }
        constants = None
        if self.constants is not None:
            constants = f"{self.constants.version} ({', '.join(sorted({e.source for e in self.constants.entries}))})"
        return provenance(None, versions, constants or "none supplied")

    def sections(self) -> list[Section]:
        return [
            self.header(),
            self.risks(),
            self.flags(),
            self.expected(),
            # The summary tables before the charts: page 1 is not left half empty.
            self.change_table(),
            self.added_value(),
            self.informants(),
            self.charts(),
            self.charts_in_words(),
            self.work(),
            self.scores(),
            self.provenance(),
        ]


def _category(value: Any) -> str:
    """A change category in the words of a child's file ("reliable deterioration")."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not value:
        return "not judged (no reliable-change constants)"
    return CATEGORY_WORDS.get(str(value), str(value))


def _whole_months(start: date, end: date) -> int:
    from ..rules.conditions import whole_months

    return max(0, whole_months(start, end))
