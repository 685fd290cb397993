"""The clinical psychologist's caseload review, run in supervision: who to discuss
first (risk, reliable deterioration, screening overdue, sign-off waiting), the flags that
need a decision, a section per worker with each child on one line, children not on
track, and the service-level change figures (paired and unpaired) by wave, service and
informant. Counts under 5 are shown as counts, never as percentages.

This module gathers the review (:meth:`CaseloadReview.from_store`,
:meth:`CaseloadReview.from_cases`) and draws its sections on the children; the sections
on the whole service (change, the work, the Added Value Score) are
:class:`~.review_service.ServiceSections`, which it inherits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..measures.constants import active_constants
from ..measures.outcomes import (
    HEADLINE,
    baseline_bands,
    case_scores,
    outcome_trajectories,
    with_clinical_categories,
)
from ..measures.service import baseline_vs_latest, not_on_track
from ..model.case import Case
from ..rules.recommend import recommend
from ..rules.timeline import STATE_LABELS, caseload_frame, caseload_row, timeline
from ..rules.workflow import effective_recommendation
from ..store.staff import StaffDirectory
from ..words import days_text, plural, uk_date
from .common import Header, label, parse_as_of, provenance, reading
from .html import Section, section, table, text
from .review_service import ServiceSections
from .supervision import (
    ChildLine,
    SupervisionFlag,
    child_line,
    flag_words,
    supervision_flags,
    waiting_standard,
)

REVIEW_PERIOD_DAYS = 92  # a measure is expected at least every review period (about three months)


@dataclass
class CaseloadReview(ServiceSections):
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
    staff: StaffDirectory = field(default_factory=StaffDirectory)
    lines: list[ChildLine] = field(default_factory=list)  # every child, most urgent first
    attention: list[SupervisionFlag] = field(default_factory=list)
    waiting_days: int = 14

    @classmethod
    def from_store(
        cls,
        store: Any,
        as_of: Any = None,
        worker: str | None = None,
        constants: str | None = None,
        waiting_days: int | None = None,
        author: str | None = None,
        *,
        summarise_above: int | None = None,
    ) -> CaseloadReview:
        """The review of the store's caseload (or one worker's). Above ``summarise_above``
        children (default :data:`~.review_data.SUMMARISE_ABOVE`) it is summarised from the
        store's light tables, listing only the children who need action
        (:class:`~.review_summary.SummarisedReview`)."""
        from ..store.staff import staff_directory
        from .review_data import SUMMARISE_ABOVE

        day = parse_as_of(as_of)
        limit = SUMMARISE_ABOVE if summarise_above is None else summarise_above
        with reading(store) as st:
            st.authorise("read_case")  # a login not in the staff directory sees no case
            author = author or st.user
            staff = staff_directory(st)
            size = len(st) if worker is None else len(st.caseload_tuples(worker))
            if size > limit:
                from .review_summary import SummarisedReview

                return SummarisedReview.from_light(
                    st, day, worker, author, constants, staff, waiting_days
                )
            cases = [c for c in st.cases() if worker is None or c.worker == worker]
        return cls.from_cases(cases, day, worker, author, constants, staff, waiting_days)

    @classmethod
    def from_cases(
        cls,
        cases: list[Case],
        as_of: date,
        worker: str | None = None,
        author: str = "",
        constants: str | None = None,
        staff: StaffDirectory | None = None,
        waiting_days: int | None = None,
    ) -> CaseloadReview:
        frame = timeline(caseload_frame([caseload_row(c) for c in cases]), as_of)
        plan_rows = []
        bands = baseline_bands(cases)
        recommendations = {
            c.case_id: recommend(c, bands=bands[c.case_id], risk_as_of=as_of) for c in cases
        }
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
                latest = with_clinical_categories(
                    baseline_vs_latest(traj, as_of), "baseline_value", "latest_value"
                )
                change = latest[latest["score"].isin(["total"])].merge(
                    plan[["case_id", "wave", "services"]], on="case_id", how="left"
                )
                started = {c.case_id: c.outcome.date for c in working if c.outcome is not None}
                f = not_on_track(traj, as_of, 6, work_started=started)
                if not f.empty:
                    flags = f[
                        f["flag"].eq("reliably_worse") | f["score"].isin(HEADLINE)
                    ].reset_index(drop=True)
        wait = waiting_standard(waiting_days)
        rows = {r.case_id: r for r in frame.itertuples()}
        worse = (
            set(flags.loc[flags["flag"].eq("reliably_worse"), "case_id"])
            if not flags.empty
            else set()
        )
        lines = sorted(
            (
                child_line(
                    c, rows[c.case_id], recommendations[c.case_id], c.case_id in worse, as_of
                )
                for c in cases
                if c.case_id in rows
            ),
            key=lambda x: x.urgency,
        )
        attention = supervision_flags(
            cases, {k: str(r.state) for k, r in rows.items()}, as_of, wait
        )
        return cls(
            as_of,
            worker,
            cases,
            frame,
            plan,
            change,
            flags,
            author,
            constants,
            recommendations,
            staff or StaffDirectory(),
            lines,
            attention,
            wait,
        )

    # -- sections ---------------------------------------------------------------------

    def header(self) -> Section:
        title = "Caseload review" + (f": {self.staff.name(self.worker)}" if self.worker else "")
        synthetic = bool(self.cases) and all(c.synthetic for c in self.cases)
        return Header(
            "review", title, None, self.as_of, self.staff.describe(self.author), "", synthetic
        ).section()

    def first(self) -> Section:
        """Who to discuss first: every child with a reason to, most urgent first."""
        urgent = [ln for ln in self.lines if ln.tier < 4]
        if not urgent:
            return section(
                "Who to discuss first",
                '<p class="none">No child has a risk, reliable deterioration, an overdue '
                "screening or a sign-off waiting.</p>",
                "first",
            )
        rows = [
            (
                ln.case_id,
                self.staff.name(ln.worker) if ln.worker else "not allocated",
                ln.why_first,
                ln.risk,
                ln.risk_review,
                ln.state,
                ln.next_review or "-",
            )
            for ln in urgent
        ]
        body = (
            f"<p>{text(self.counts_text())}. Each child is listed once, in this order: risk (highest first), reliable "
            "deterioration, screening overdue, sign-off waiting; &ldquo;Why&rdquo; gives every reason that applies.</p>"
            + table(
                ["Case", "Worker", "Why", "Risk", "Risk review", "State", "Next case review"],
                rows,
                "first",
            )
        )
        return section("Who to discuss first", body, "first")

    @property
    def counts(self) -> dict[str, int]:
        """Children with each reason to be discussed, counted once for the whole review
        (every page quotes these): a child with two reasons counts under both. Screenings
        overdue are the timeline's, the same count as ``tswt caseload``."""
        return {
            "risk": sum(1 for ln in self.lines if "risk" in ln.reasons),
            "reliable deterioration": len(self.deteriorated),
            "screening overdue": int(self.frame["overdue"].sum()) if "overdue" in self.frame else 0,
            "sign-off waiting": sum(1 for ln in self.lines if "sign-off waiting" in ln.reasons),
        }

    @property
    def deteriorated(self) -> set[str]:
        return (
            set(self.flags.loc[self.flags["flag"].eq("reliably_worse"), "case_id"])
            if not self.flags.empty
            else set()
        )

    def counts_text(self) -> str:
        """``4 children with a risk flag, 2 with reliable deterioration, 5 screenings overdue, 1 sign-off waiting``."""
        c = self.counts
        return (
            f"{plural(c['risk'], 'child')} with a risk flag, {c['reliable deterioration']} with reliable deterioration, "
            f"{plural(c['screening overdue'], 'screening')} overdue, {plural(c['sign-off waiting'], 'sign-off')} waiting"
        )

    def supervision_flags(self) -> Section:
        """Flags that need a decision: long sign-off waits, returned formulations, closed
        cases with an open formulation, referrals waiting past the team's standard."""
        titles = {
            "signoff_waiting": "Sign-offs waiting more than 14 days",
            "returned": "Returned formulations not yet resubmitted",
            "closed_open_formulation": "Closed cases with an open formulation",
            "waiting_decision": f"Referrals waiting more than {plural(self.waiting_days, 'day')} for a decision",
            "waiting_allocation": f"Referrals waiting more than {plural(self.waiting_days, 'day')} for allocation",
        }
        parts = []
        for kind, title in titles.items():
            found = [x for x in self.attention if x.kind == kind]
            if not found:
                parts.append(f"<li><strong>{text(title)}:</strong> none.</li>")
                continue
            who = "".join(
                f"<li>{text(x.case_id)}{text(' (' + self.staff.name(x.worker) + ')') if x.worker else ''}: {text(x.text)}</li>"
                for x in found
            )
            parts.append(
                f"<li><strong>{text(title)}:</strong> {text(plural(len(found), 'case'))}<ul>{who}</ul></li>"
            )
        body = (
            f'<ul class="flags">{"".join(parts)}</ul><p class="small">The team\'s standard wait for a decision or an allocation is '
            f"{text(plural(self.waiting_days, 'day'))}.</p>"
        )
        return section("Flags for supervision", body, "supervision-flags")

    def by_worker(self) -> Section:
        """A section per worker: each child on one line, most urgent first."""
        groups: dict[str | None, list[ChildLine]] = {}
        for ln in self.lines:
            groups.setdefault(ln.worker, []).append(ln)
        order = sorted((w for w in groups if w), key=lambda w: self.staff.name(w).lower()) + (
            [None] if None in groups else []
        )
        parts = []
        for w in order:
            lines = groups[w]
            who = (
                self.staff.describe(w)
                if w
                else "Not allocated (waiting, or closed before allocation)"
            )
            rows = [
                (
                    ln.case_id,
                    ln.state,
                    ln.risk,
                    ln.risk_review,
                    ln.formulation,
                    f"last {uk_date(ln.last_measure) if ln.last_measure else 'none'}"
                    + (f"; next {ln.next_measure}" if ln.next_measure else ""),
                    ln.next_review or "-",
                    f"{ln.decision}; allocated {ln.allocation}"
                    if ln.allocation != "not allocated"
                    else f"{ln.decision}; not allocated",
                )
                for ln in lines
            ]
            parts.append(
                f"<h3>{text(who)}: {text(plural(len(lines), 'child'))}</h3>"
                + table(
                    [
                        "Case",
                        "State",
                        "Risk",
                        "Risk review",
                        "Formulation",
                        "Measures",
                        "Next case review",
                        "Referral",
                    ],
                    rows,
                    "worker",
                )
            )
        return section(
            "Each worker's children", "".join(parts) or '<p class="none">No cases.</p>', "workers"
        )

    def summary(self) -> Section:
        counts = self.frame["state"].value_counts()
        rows = [(STATE_LABELS[s], int(counts.get(s, 0))) for s in STATE_LABELS]
        return section(
            "The caseload",
            f"<p>{plural(len(self.frame), 'case')} as of {uk_date(self.as_of)}.</p>"
            + table(["State", "Cases"], rows),
            "summary",
        )

    def risks(self) -> Section:
        """Every child with a risk flag, first, most urgent first (highest level, an
        out-of-date or missing safety plan first at its level): who, which risk, the
        plan and its dates, reported by whom."""
        rows = []
        order = {ln.case_id: i for i, ln in enumerate(self.lines)}
        for c in sorted(self.cases, key=lambda c: (order.get(c.case_id, len(order)), c.case_id)):
            rec = self.recommendations[c.case_id]
            who = self.staff.name(c.worker) if c.worker else "not allocated"
            for rr in rec.risk.risks if rec.risk else ():
                rows.append(
                    (
                        c.case_id,
                        who,
                        rr.label,
                        f"{rr.level}; {rr.plan}; {rr.dated}",
                        ", ".join(label("source", x) for x in rr.reported_by),
                    )
                )
            for r in rec.risks:
                rows.append(
                    (
                        c.case_id,
                        who,
                        r.label,
                        f"{r.severity}, {label('frequency', r.frequency).lower()}",
                        ", ".join(label("source", x) for x in r.sources),
                    )
                )
        if not rows:
            return Section(
                '<section class="section risks clear"><h2>Children with a risk flag</h2><p>None.</p></section>',
                "no risks",
            )
        body = f"<p>{plural(len({r[0] for r in rows}), 'child')}.</p>" + table(
            ["Case", "Worker", "Risk", "Level or severity; plan; dates", "Reported by"], rows
        )
        return Section(
            f'<section class="section risks"><h2>Children with a risk flag: read first</h2>{body}</section>',
            "risks",
        )

    def screenings_due(self) -> Section:
        f = self.frame[self.frame["overdue"] | self.frame["due_within_14"]].sort_values(
            "days_to_due"
        )
        if f.empty:
            return section(
                "Screenings overdue or due within two weeks", '<p class="none">None.</p>', "due"
            )
        rows = [
            (
                r.case_id,
                self.staff.name(r.worker),
                uk_date(r.screening_due.date()),
                days_text(-int(r.days_to_due), "OVERDUE by")
                if r.overdue
                else days_text(int(r.days_to_due), "due in"),
            )
            for r in f.itertuples()
        ]
        return section(
            "Screenings overdue or due within two weeks",
            table(["Case", "Worker", "Due", "When"], rows),
            "due",
        )

    def awaiting_signoff(self) -> Section:
        waiting, returned = [], []
        for c in self.cases:
            f = c.formulation
            if f is None:
                continue
            if f.status == "awaiting_signoff":
                waiting.append(
                    (
                        f.updated,
                        (
                            c.case_id,
                            self.staff.name(f.author),
                            uk_date(f.updated),
                            f"revision {f.revision}",
                        ),
                    )
                )
            elif f.status == "returned" and f.signoffs:
                last = f.signoffs[-1]
                returned.append(
                    (
                        last.at,
                        (
                            c.case_id,
                            self.staff.name(f.author),
                            uk_date(last.at),
                            self.staff.name(last.reviewer),
                            last.comment,
                        ),
                    )
                )
        # Oldest first, by the date itself (the shown "7 Dec 2026" does not sort).
        body = (
            table(
                ["Case", "Author", "Submitted", "Revision"],
                [r for _, r in sorted(waiting, key=lambda t: t[0])],
            )
            if waiting
            else '<p class="none">None.</p>'
        )
        if returned:
            body += "<h3>Returned to the worker for changes</h3>" + table(
                ["Case", "Author", "Returned", "By", "Comment"],
                [r for _, r in sorted(returned, key=lambda t: t[0])],
            )
        return section("Formulations awaiting sign-off", body, "signoff")

    def below_expected(self) -> Section:
        """Children below their expected band (issue 23; reports/expected.py)."""
        from .expected import review_section

        return review_section(self.cases, self.as_of)

    def not_on_track(self) -> Section:
        """One row per child: reliable deterioration first, then no reliable improvement
        after six months in work, each score as baseline -> latest."""
        if self.flags.empty:
            return section("Children not on track", '<p class="none">None flagged.</p>', "flags")
        worker = {c.case_id: c.worker for c in self.cases}
        rows = []
        for case_id, grp in self.flags.groupby("case_id", sort=True):
            worse = grp["flag"].eq("reliably_worse")
            scores = "".join(
                f"<li>{text(flag_words(r))}</li>"
                for r in grp.sort_values("flag", ascending=False).to_dict("records")
            )
            rows.append(
                (
                    bool(worse.any()),
                    text(case_id),
                    text(self.staff.name(worker.get(case_id)) or "not allocated"),
                    "reliable deterioration"
                    if worse.any()
                    else "no reliable improvement after 6 months",
                    f'<ul class="tight">{scores}</ul>',
                )
            )
        rows.sort(key=lambda r: (not r[0], r[1]))
        n_worse = sum(1 for r in rows if r[0])
        body = (
            f"<p>{plural(len(rows), 'child')}: {n_worse} with reliable deterioration (as counted on the first page), "
            f"{len(rows) - n_worse} with no reliable improvement after 6 months; scores are baseline, then latest, with the change "
            "needed to be reliable.</p>"
            + table(
                ["Case", "Worker", "Judged", "Scores"],
                [r[1:] for r in rows],
                "flags",
                raw_columns=(0, 1, 3),
            )
        )
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
                rows.append(
                    (
                        c.case_id,
                        self.staff.name(c.worker) if c.worker else "not allocated",
                        uk_date(last) if last else "never",
                    )
                )
        body = (
            f"<p>Children in work with no measure since {uk_date(cutoff)} (a review period of {REVIEW_PERIOD_DAYS} days).</p>"
            + (
                table(["Case", "Worker", "Last measure"], rows)
                if rows
                else '<p class="none">None.</p>'
            )
        )
        return section("Children with no measure in the last review period", body, "missing")

    def provenance(self) -> Section:
        from ..measures.definition import load_measure
        from ..rules.rulefile import active_rules

        c = active_constants(self.constants_path)
        return provenance(
            active_rules().version,
            {m: load_measure(m).version for m in ("sdq", "gbo")},
            f"{c.version}" if c else "none supplied",
        )

    def sections(self) -> list[Section]:
        return [
            self.header(),
            self.risks(),
            self.first(),
            self.supervision_flags(),
            self.by_worker(),
            self.summary(),
            self.not_on_track(),
            self.below_expected(),
            self.service_figures(),
            self.added_value(),
            self.provenance(),
        ]
