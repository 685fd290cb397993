"""The clinical psychologist's caseload review: screenings overdue or due soon,
formulations awaiting sign-off, children not on track, children with no recent measure,
and the service-level change figures (paired and unpaired) by wave, service and informant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..measures.constants import active_constants
from ..measures.outcomes import HEADLINE, baseline_bands, case_scores, outcome_trajectories, with_clinical_categories
from ..measures.service import baseline_vs_latest, not_on_track, service_summary
from ..model.case import Case
from ..rules.recommend import recommend
from ..rules.timeline import STATE_LABELS, caseload_frame, caseload_row, timeline
from ..rules.workflow import effective_recommendation
from .common import Header, label, parse_as_of, provenance, reading
from .html import Section, figure, section, table, text

REVIEW_PERIOD_DAYS = 92  # a measure is expected at least every review period (about three months)


@dataclass
class CaseloadReview:
    as_of: date
    worker: str | None
    cases: list[Case]
    frame: pd.DataFrame  # timeline per case
    plan: pd.DataFrame  # case_id, wave, services (as decided, else as recommended)
    change: pd.DataFrame  # baseline vs latest, headline SDQ total per informant, with wave
    flags: pd.DataFrame
    author: str = ""
    constants_path: str | None = None
    recommendations: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Any, as_of: Any = None, worker: str | None = None, constants: str | None = None) -> "CaseloadReview":
        day = parse_as_of(as_of)
        with reading(store) as st:
            cases = [c for c in st.cases() if worker is None or c.worker == worker]
            author = st.user
        return cls.from_cases(cases, day, worker, author, constants)

    @classmethod
    def from_cases(cls, cases: list[Case], as_of: date, worker: str | None = None, author: str = "",
                   constants: str | None = None) -> "CaseloadReview":
        frame = timeline(caseload_frame([caseload_row(c) for c in cases]), as_of)
        plan_rows = []
        bands = baseline_bands(cases)
        recommendations = {c.case_id: recommend(c, bands=bands[c.case_id], risk_as_of=as_of) for c in cases}
        for c in cases:
            if c.formulation is not None and c.formulation.recommendation is not None:
                eff = effective_recommendation(c.formulation)
                plan_rows.append((c.case_id, eff["wave"], list(eff["services"]), "decided"))
            else:
                rec = recommendations[c.case_id]
                plan_rows.append((c.case_id, rec.wave, list(rec.services), "recommended"))
        plan = pd.DataFrame(plan_rows, columns=["case_id", "wave", "services", "plan_source"])
        working = [c for c in cases if c.outcome is not None and c.outcome.decision == "begin_work"]
        scored = case_scores(working)
        change = pd.DataFrame()
        flags = pd.DataFrame()
        if not scored.empty:
            traj = outcome_trajectories(scored, active_constants(constants))
            if not traj.empty:
                latest = with_clinical_categories(baseline_vs_latest(traj, as_of), "baseline_value", "latest_value")
                change = latest[latest["score"].isin(["total"])].merge(plan[["case_id", "wave", "services"]], on="case_id", how="left")
                started = {c.case_id: c.outcome.date for c in working}
                f = not_on_track(traj, as_of, 6, work_started=started)
                if not f.empty:
                    flags = f[f["flag"].eq("reliably_worse") | f["score"].isin(HEADLINE)].reset_index(drop=True)
        return cls(as_of, worker, cases, frame, plan, change, flags, author, constants, recommendations)

    # -- sections ---------------------------------------------------------------------

    def header(self) -> Section:
        title = "Caseload review" + (f": {self.worker}" if self.worker else "")
        synthetic = bool(self.cases) and all(c.synthetic for c in self.cases)
        return Header("review", title, None, self.as_of, self.author, "", synthetic).section()

    def summary(self) -> Section:
        counts = self.frame["state"].value_counts()
        rows = [(STATE_LABELS[s], int(counts.get(s, 0))) for s in STATE_LABELS]
        return section("The caseload", f"<p>{len(self.frame)} cases as of {self.as_of.isoformat()}.</p>" + table(["State", "Cases"], rows), "summary")

    def risks(self) -> Section:
        """Every child with a risk flag, first: who, which risk, how often, reported by whom."""
        rows = []
        for c in self.cases:
            rec = self.recommendations[c.case_id]
            for rr in rec.risk.risks if rec.risk else ():
                rows.append((c.case_id, c.worker or "", rr.label, f"{rr.level}; {rr.plan}; {rr.dated}",
                             ", ".join(label("source", x) for x in rr.reported_by)))
            for r in rec.risks:
                rows.append((c.case_id, c.worker or "", r.label, f"{r.severity}, {label('frequency', r.frequency).lower()}",
                             ", ".join(label("source", x) for x in r.sources)))
        if not rows:
            return Section('<section class="section risks clear"><h2>Children with a risk flag</h2><p>None.</p></section>', "no risks")
        body = f"<p>{len({r[0] for r in rows})} children.</p>" + table(["Case", "Worker", "Risk", "Level or severity; plan; dates", "Reported by"], rows)
        return Section(f'<section class="section risks"><h2>Children with a risk flag: read first</h2>{body}</section>', "risks")

    def screenings_due(self) -> Section:
        f = self.frame[self.frame["overdue"] | self.frame["due_within_14"]].sort_values("days_to_due")
        if f.empty:
            return section("Screenings overdue or due within two weeks", '<p class="none">None.</p>', "due")
        rows = [(r.case_id, r.worker, r.screening_due.date().isoformat(),
                 f"OVERDUE by {-int(r.days_to_due)} days" if r.overdue else f"due in {int(r.days_to_due)} days")
                for r in f.itertuples()]
        return section("Screenings overdue or due within two weeks", table(["Case", "Worker", "Due", ""], rows), "due")

    def awaiting_signoff(self) -> Section:
        waiting, returned = [], []
        for c in self.cases:
            f = c.formulation
            if f is None:
                continue
            if f.status == "awaiting_signoff":
                waiting.append((c.case_id, f.author, f.updated.strftime("%Y-%m-%d"), f"revision {f.revision}"))
            elif f.status == "returned" and f.signoffs:
                last = f.signoffs[-1]
                returned.append((c.case_id, f.author, last.at.strftime("%Y-%m-%d"), last.reviewer, last.comment))
        body = (table(["Case", "Author", "Submitted", ""], sorted(waiting, key=lambda r: r[2])) if waiting
                else '<p class="none">None.</p>')
        if returned:
            body += "<h3>Returned to the worker for changes</h3>" + table(
                ["Case", "Author", "Returned", "By", "Comment"], sorted(returned, key=lambda r: r[2]))
        return section("Formulations awaiting sign-off", body, "signoff")

    def not_on_track(self) -> Section:
        if self.flags.empty:
            return section("Children not on track", '<p class="none">None flagged.</p>', "flags")
        rows = []
        for case_id, grp in self.flags.groupby("case_id", sort=True):
            reasons = "".join(f"<li>{text(r)}</li>" for r in grp["reason"])
            worse = "reliably worse" if grp["flag"].eq("reliably_worse").any() else "not improving"
            rows.append((text(case_id), text(worse), f"<ul>{reasons}</ul>"))
        body = f"<p>{len(rows)} children.</p>" + table(["Case", "", "Why"], rows, "flags", raw_columns=(0, 1, 2))
        return section("Children not on track", body, "flags")

    def no_recent_measure(self) -> Section:
        cutoff = self.as_of - timedelta(days=REVIEW_PERIOD_DAYS)
        rows = []
        for c in self.cases:
            if c.outcome is None or c.outcome.decision != "begin_work":
                continue
            dates = [m.date for m in c.measures if m.date <= self.as_of]
            last = max(dates) if dates else None
            if last is None or last < cutoff:
                rows.append((c.case_id, c.worker or "", last.isoformat() if last else "never"))
        body = (f"<p>Children in work with no measure since {cutoff.isoformat()} (a review period of {REVIEW_PERIOD_DAYS} days).</p>"
                + (table(["Case", "Worker", "Last measure"], rows) if rows else '<p class="none">None.</p>'))
        return section("Children with no measure in the last review period", body, "missing")

    def service_figures(self) -> Section:
        from ..plots.outcomes import plot_change_categories

        if self.change.empty:
            return section("Change across the service", '<p class="none">No children with a baseline yet.</p>', "service")
        ch = self.change.copy()
        ch["wave"] = ch["wave"].map(lambda w: f"Wave {int(w)}" if pd.notna(w) else "No wave")
        parts = ['<p>SDQ total difficulties, baseline against latest, per child and informant. Shares are of the <strong>paired</strong> '
                 'cases (a baseline and a later score); unpaired cases are counted beside them because leaving them out biases the figures. '
                 'Recovery is counted over the paired cases in the clinical range at baseline (Jacobson and Truax), shown as '
                 '"n of N clinical at baseline"; forms without a clinical cut-off (the 18+ forms, teacher 2-4) and changes to a form '
                 'with another cut-off count for reliable change only. In the charts each bar is the share of all paired cases.</p>']
        for by, title in (("wave", "By wave"), ("informant", "By informant")):
            s = service_summary(ch, by=by)
            parts.append(f"<h3>{text(title)}</h3>" + _summary_table(s, by))
            parts.append(figure(plot_change_categories(ch[ch["paired"]], by=by, title=f"Change categories {title.lower()}"),
                                f"Change categories {title.lower()} (paired cases only)."))
        svc = ch.explode("services").rename(columns={"services": "service"})
        svc["service"] = svc["service"].map(lambda s: label("service", s) if isinstance(s, str) else "None")
        parts.append("<h3>By service</h3>" + _summary_table(service_summary(svc, by="service"), "service"))
        return section("Change across the service", "".join(parts), "service")

    def provenance(self) -> Section:
        from ..measures.definition import load_measure
        from ..rules.rulefile import active_rules

        c = active_constants(self.constants_path)
        return provenance(active_rules().version, {m: load_measure(m).version for m in ("sdq", "gbo")},
                          f"{c.version}" if c else "none supplied")

    def sections(self) -> list[Section]:
        return [self.header(), self.risks(), self.summary(), self.screenings_due(), self.awaiting_signoff(), self.not_on_track(),
                self.no_recent_measure(), self.service_figures(), self.provenance()]


def _pct(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{100 * float(v):.0f}%"


def _recovered(r: dict[str, Any]) -> str:
    """Recovery over those clinical at baseline, with its denominator: "2 of 4 clinical at baseline (50%)"."""
    if pd.isna(r.get("n_clinical_pre")):
        return "not computed"
    share = f" ({_pct(r['share_recovered'])})" if int(r["n_clinical_pre"]) else ""
    return f"{int(r['n_recovered'])} of {int(r['n_clinical_pre'])} clinical at baseline{share}"


def _summary_table(s: pd.DataFrame, by: str) -> str:
    rows = []
    for r in s.to_dict("records"):
        rows.append((r[by], r["n_paired"], r["n_unpaired"], f"{r['n_reliable_improvement']} ({_pct(r['share_reliable_improvement'])})",
                     f"{r['n_reliable_deterioration']} ({_pct(r['share_reliable_deterioration'])})",
                     _recovered(r)))
    return table([by.capitalize(), "Paired", "Unpaired", "Reliably improved", "Reliably worse", "Recovered"], rows)
