"""The outcomes report: each measure's trajectory by informant with bands and the
reliable-change corridor, goal progress, the change table, and not-on-track flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ..measures.constants import MeasureConstants, active_constants
from ..measures.definition import load_measure
from ..measures.outcomes import CaseOutcomes, case_outcomes
from ..model.case import Case
from .common import Header, parse_as_of, provenance, reading, risk_section
from .html import Section, figure, section, table, text

_SCORE_LABELS = {"total": "Total difficulties", "emotional": "Emotional", "conduct": "Conduct", "hyperactivity": "Hyperactivity",
                 "peer": "Peer problems", "prosocial": "Prosocial", "impact": "Impact",
                 "goal_1": "Goal 1", "goal_2": "Goal 2", "goal_3": "Goal 3"}
_INFORMANTS = {"parent": "Parent or carer", "teacher": "Teacher", "self": "Self-report", "worker": "Worker"}


def _num(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else f"{int(round(float(v)))}"


@dataclass
class OutcomesReport:
    case: Case
    as_of: date
    result: CaseOutcomes
    constants: MeasureConstants | None

    @classmethod
    def from_store(cls, case_id: str, store: Any, as_of: Any = None, constants: str | None = None) -> "OutcomesReport":
        with reading(store) as st:
            case = st.get(case_id)
        return cls.from_case(case, as_of, constants)

    @classmethod
    def from_case(cls, case: Case, as_of: Any = None, constants: str | None = None) -> "OutcomesReport":
        """``constants``: the team's constants file (default ``$TSWT_MEASURE_CONSTANTS``)."""
        day = parse_as_of(as_of)
        loaded = active_constants(constants)
        return cls(case, day, case_outcomes(case, day, constants=loaded), loaded)

    def header(self) -> Section:
        f = self.case.formulation
        reviewer = f.latest_signoff.reviewer if f and f.latest_signoff and f.status == "signed_off" else ""
        return Header("outcomes", "Outcomes: measures and change over time", self.case.case_id, self.as_of,
                      self.case.worker or "", reviewer, self.case.synthetic).section()

    def risks(self) -> Section:
        """Risk first, in every report: the screening's risk behaviours with their evidence."""
        from ..measures.outcomes import baseline_bands
        from ..rules.recommend import recommend

        rec = recommend(self.case, bands=baseline_bands([self.case])[self.case.case_id], risk_as_of=self.as_of)
        return risk_section(rec)

    def flags(self) -> Section:
        flags = self.result.not_on_track
        if flags is None or flags.empty:
            started = self.case.outcome and self.case.outcome.decision == "begin_work"
            msg = "No not-on-track flags." if started else "Work has not begun, so progress is not yet judged."
            return Section(f'<section class="section risks clear"><h2>Not on track</h2><p>{text(msg)}</p></section>', msg)
        body = "<ul>" + "".join(f'<li class="flag">{text(r)}</li>' for r in flags["reason"]) + "</ul>"
        return Section(f'<section class="section risks"><h2>Not on track: read first</h2>{body}</section>', f"{len(flags)} flag(s)")

    def scores(self) -> Section:
        s = self.result.scored
        if s.empty:
            return section("Scores", '<p class="none">No measures recorded for this child.</p>', "scores")
        parts = []
        for (measure, informant), grp in s.sort_values("date").groupby(["measure", "informant"], sort=True):
            cols = [c for c in _SCORE_LABELS if c in grp.columns and grp[c].notna().any()]
            rows = []
            for r in grp.to_dict("records"):
                cells = []
                for c in cols:
                    band = r.get(f"{c}_band3")
                    cells.append(text(_num(r[c])) + (f'<span class="band">{text(band)}</span>' if isinstance(band, str) else ""))
                when = f'{text(r["timepoint"])}<span class="band">{text(str(r["date"])[:10])}, form {text(r["version"])}</span>'
                rows.append((when, *cells))
            name = load_measure(measure).name
            parts.append(f"<h3>{text(name)}: {text(_INFORMANTS.get(informant, informant))}</h3>"
                         + table(["When", *[_SCORE_LABELS[c] for c in cols]], rows,
                                 raw_columns=range(1 + len(cols))))  # every cell escaped above
        if self.case.goals:
            parts.append("<h3>Goals agreed</h3>" + table(["Goal", "In the family's words", "Agreed"],
                                                         [(g.number, g.description, g.agreed.isoformat()) for g in self.case.goals]))
        note = ('<p class="small">Bands are the youthinmind 2016 three-band categories of each form (normal, borderline, '
                'abnormal) for ages 4-17, provisional for the parent 2-4 form; the 18+ forms and the teacher 2-4 form have no '
                'published bands, so their scores are shown without a band.</p>')
        return section("Scores", "".join(parts) + note, "scores")

    def charts(self) -> Section:
        from ..measures.outcomes import chart_bands
        from ..plots.outcomes import plot_goals, plot_trajectory

        traj = self.result.trajectory
        if traj is None or traj.empty:
            return section("Trajectories", '<p class="none">No repeated measures to chart yet.</p>', "charts")
        figs = []
        sdq = traj[(traj["measure"] == "sdq") & (traj["score"] == "total")]
        single = []
        for informant, grp in sdq.groupby("informant", sort=True):
            if grp["value"].notna().sum() < 2:  # one score is not a trajectory
                single.append(_INFORMANTS.get(informant, informant).lower())
                continue
            bands, shaded = chart_bands(grp, "sdq", "total", informant)  # from each point's form, never min(age, 17)
            threshold = grp["threshold"].dropna().iloc[0] if grp["threshold"].notna().any() else None
            fig = plot_trajectory(grp, "total", informant, bands=bands, threshold=threshold, case_id=self.case.case_id,
                                  title=f"SDQ total difficulties: {_INFORMANTS.get(informant, informant).lower()}")
            has_baseline = grp["baseline_value"].notna().any()
            if not has_baseline:
                corridor = "; no baseline from this informant, so no reliable-change corridor"
            elif threshold:
                corridor = f"; the shaded corridor is baseline +/- {threshold:.1f} points (reliable change)"
            else:
                corridor = "; no reliable-change constants, so no corridor"
            figs.append(figure(fig, f"SDQ total, {_INFORMANTS.get(informant, informant).lower()}: {shaded}{corridor}."))
        goals = traj[traj["measure"] == "gbo"]
        if not goals.empty and goals.groupby("score")["value"].count().max() >= 2:
            g = goals.rename(columns={"score": "goal", "value": "rating"})
            descriptions = {f"goal_{x.number}": f"Goal {x.number}: {x.description}" for x in self.case.goals}
            g["goal"] = g["goal"].map(lambda k: descriptions.get(k, _SCORE_LABELS.get(k, k)))
            threshold = goals["threshold"].dropna().iloc[0] if goals["threshold"].notna().any() else None
            figs.append(figure(plot_goals(g, goal="goal", rating="rating", date="date", threshold=threshold, title="Goal progress (0-10)"),
                               "Goal-Based Outcomes: progress ratings at each review."))
        note = f'<p class="none">Only a baseline so far from: {text(", ".join(single))}.</p>' if single else ""
        return section("Trajectories", "".join(figs) + note or '<p class="none">Nothing to chart yet.</p>', "charts")

    def change_table(self) -> Section:
        latest = self.result.baseline_vs_latest
        reviews = self.result.reviews_vs_baseline
        if latest is None or latest.empty:
            return section("Change", '<p class="none">No baseline to compare with yet.</p>', "change")
        paired = latest[latest["paired"]]
        rows = [(r["measure"].upper(), _INFORMANTS.get(r["informant"], r["informant"]), _SCORE_LABELS.get(r["score"], r["score"]),
                 _num(r["baseline_value"]), f"{_num(r['latest_value'])} ({r['latest_timepoint']})",
                 "" if pd.isna(r["difference"]) else f"{r['difference']:+.0f}",
                 "" if pd.isna(r["threshold"]) else f"{r['threshold']:.2f}", r["category"] or "not computed")
                for r in paired.to_dict("records")]
        body = "<h3>Baseline and latest</h3>" + table(["Measure", "Informant", "Score", "Baseline", "Latest", "Change", "Reliable at", "Category"], rows)
        if reviews is not None and not reviews.empty:
            rv = reviews[reviews["timepoint"] != "baseline"].dropna(subset=["difference"])
            rv = rv[rv["score"].isin(["total", "goal_1", "goal_2", "goal_3"])]
            rows = [(r["measure"].upper(), _INFORMANTS.get(r["informant"], r["informant"]), _SCORE_LABELS.get(r["score"], r["score"]),
                     r["timepoint"], _num(r["value"]), f"{r['difference']:+.0f}", r.get("category") or "not computed")
                    for r in rv.to_dict("records")]
            if rows:
                body += "<h3>Each review against baseline (headline scores)</h3>" + table(
                    ["Measure", "Informant", "Score", "Review", "Score then", "Change", "Category"], rows)
        if "clinical_note" in paired.columns:
            why = sorted({(_INFORMANTS.get(r["informant"], r["informant"]), r["clinical_note"])
                          for r in paired.to_dict("records") if isinstance(r["clinical_note"], str) and r["clinical_note"]})
            if why:
                body += ('<p class="small">No Recovered or Harmed category where there is no clinical cut-off: '
                         + text("; ".join(f"{who}: {note}" for who, note in why)) + ".</p>")
        missing = sorted(k for k, v in self.result.constants.items() if str(v).startswith("no reliable-change"))
        if missing:
            body += ('<p class="small">No reliable-change constants for ' + text(", ".join(missing)) +
                     ": the team has not supplied them (see docs/measures.md), so reliable change is not judged there.</p>")
        body += ('<p class="small">Reliable change: Jacobson and Truax (1991), critical value 1.96; categories Recovered, Improved, '
                 'Unchanged, Deteriorated, Harmed as in the clinicalsignificance package. Lower is better except prosocial and goals.</p>')
        return section("Change", body, "change")

    def provenance(self) -> Section:
        versions = {m: load_measure(m).version for m in sorted(set(self.result.scored.get("measure", pd.Series(dtype=str))))}
        constants = None
        if self.constants is not None:
            constants = f"{self.constants.version} ({', '.join(sorted({e.source for e in self.constants.entries}))})"
        return provenance(None, versions, constants or "none supplied")

    def sections(self) -> list[Section]:
        return [self.header(), self.risks(), self.flags(), self.scores(), self.charts(), self.change_table(), self.provenance()]
