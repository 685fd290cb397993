"""The caseload review of a large caseload (issue 24): summarised, not listing everyone.

Above :data:`~tswt_formulation.reports.review_data.SUMMARISE_ABOVE` children the review
is built from the store's light tables (:mod:`.review_data`), never from every case, and:

* every child who needs action is listed by name, once, with every reason: a high risk,
  a risk with no safety plan or a review out of date, a presenting behaviour the rules
  flag as a risk (recorded as a risk item or not: hazard H25-05) (the safety reasons:
  never capped, never folded into a count), reliable deterioration, a screening overdue,
  a formulation returned and not resubmitted;
* everyone else is counted, per worker: the per-child "everyone" tables become one line
  per worker, with a note saying where the full list is (``tswt caseload --worker LOGIN
  --json``, or ``tswt_formulation.analysis.caseload(store)``);
* each count is computed once (:attr:`SummarisedReview.counts`) and quoted everywhere;
  the service figures and the work across the service are the same sections as for a
  small caseload, from the same kind of frames.

A section is one method, called once from the notebook, as in :class:`CaseloadReview`;
this class inherits every section it does not override. A new section works in both
forms when it reads ``self.frame`` (the timeline), ``self.plan`` and ``self.change``
(baseline against latest, SDQ total, with wave and services: the same columns in both),
not ``self.cases`` (empty here: no case is materialised).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..store.staff import StaffDirectory
from ..words import plural, uk_date
from .common import Header
from .html import Section, section, table, text
from .review import CaseloadReview
from .review_data import ActionLine, LightCaseload, RisksAsRecommendation
from .supervision import (
    REVIEW_PERIOD_DAYS,
    SIGNOFF_WAIT_DAYS,
    _next_after,
    flag_words,
    risk_of,
    risk_review_of,
    waiting_standard,
)

#: At most this many children are listed for each reason that is not a safety reason
#: (reliable deterioration, a screening overdue, a formulation returned), most urgent
#: first; the rest are counted per worker. The safety reasons are never capped.
LIST_AT_MOST = 500

FULL_LIST = (
    "The full list of a worker's children is `tswt caseload --worker LOGIN --json` (or "
    "`tswt caseload --json` for everyone), or tswt_formulation.analysis.caseload(store) in Python."
)


@dataclass
class SummarisedReview(CaseloadReview):
    """The caseload review summarised per worker, listing only the children who need action."""

    light: LightCaseload | None = None
    actions: list[ActionLine] = field(default_factory=list)  # most urgent first
    work: Any = None  # the work tables, from the digests the store keeps beside each record

    @classmethod
    def from_light(
        cls,
        store: Any,
        as_of: date,
        worker: str | None,
        author: str,
        constants: str | None,
        staff: StaffDirectory,
        waiting_days: int | None,
    ) -> SummarisedReview:
        from ..measures.outcomes import with_clinical_categories
        from .review_data import load, paused_gc

        with paused_gc():
            light = load(store, as_of, worker, constants)
        total = light.change[light.change["score"].astype(object).eq("total")]
        change = pd.DataFrame()
        if not total.empty:
            change = with_clinical_categories(
                total.drop(columns=["category", "clinical_cutoff"]),
                "baseline_value",
                "latest_value",
            ).merge(light.plan, on="case_id", how="left")
            change["services"] = change["services"].map(lambda s: s if isinstance(s, list) else [])
        review = cls(
            as_of,
            worker,
            [],
            light.frame,
            light.plan,
            change,
            pd.DataFrame(),
            author,
            constants,
            staff=staff,
            waiting_days=waiting_standard(waiting_days),
            light=light,
        )
        # The work digests (a few hundred bytes a child) give the rules' risk flags (each
        # child's presenting behaviours) and go straight into the work tables.
        from ..measures.work_summary import work_tables
        from .review_data import rule_risks

        ids = set(light.frame["case_id"].astype(object))
        with paused_gc():  # freed again before the collector would have walked them
            digests = store.work_digests()
            light.flagged, light.read_whole = rule_risks(store, ids, digests, as_of)
            review.work = work_tables(d for d in digests if d.get("case_id") in ids)
            del digests
        review.actions = review._action_lines()
        return review

    # -- the children who need action ---------------------------------------------------

    def _rows(self, *columns: str, frame: pd.DataFrame | None = None) -> Any:
        """The frame's columns (or ``frame``'s) as plain Python lists, zipped (a row at a
        time through pandas costs seconds at 100,000 children)."""
        f = self.frame if frame is None else frame
        out = []
        for c in columns:
            col = f[c]
            if c in ("conclusion_date", "screening_due"):
                col = pd.to_datetime(col)
                out.append([None if pd.isna(x) else x.date() for x in col.tolist()])
            elif c == "worker":
                out.append([w if isinstance(w, str) and w else None for w in col.tolist()])
            elif c in ("state", "state_label"):
                out.append([str(x) for x in col.tolist()])
            else:
                out.append(col.tolist())
        return zip(*out)

    def _action_lines(self) -> list[ActionLine]:
        light = self.light
        assert light is not None
        out = []
        # Each child's reasons first; the rest of a row (its dates made Python dates,
        # the costly part) only for the children who need action, a few in ten.
        found = [
            (i, reasons)
            for i, (case_id, overdue) in enumerate(self._rows("case_id", "overdue"))
            if (reasons := light.reasons(case_id, bool(overdue)))
        ]
        rows = self._rows(
            "case_id",
            "worker",
            "state",
            "state_label",
            "overdue",
            "conclusion_date",
            "screening_due",
            frame=self.frame.iloc[[i for i, _ in found]],
        )
        for (_i, reasons), (case_id, worker, state, state_label, overdue, started, due) in zip(
            found, rows, strict=True
        ):
            status = light.risks.get(case_id)
            flagged = light.flagged.get(case_id, ())
            rec = RisksAsRecommendation(status, flagged)
            rank, words = (
                risk_of(None, rec, self.as_of)  # type: ignore[arg-type]
                if status or flagged
                else (0, "-")
            )
            if flagged:  # which rules raised each, as the full review's appendix says
                words += "; flagged by the rules: " + "; ".join(
                    f"{b.label.lower()} ({', '.join(b.rules)})" for b in flagged
                )
            out.append(
                ActionLine(
                    case_id,
                    worker,
                    reasons,
                    words,
                    rank,
                    risk_review_of(rec, self.as_of),
                    state_label,
                    self._next_review(state, started, due, bool(overdue)),
                )
            )
        return sorted(out, key=lambda x: x.urgency)

    def _next_review(
        self, state: str, started: date | None, due: date | None, overdue: bool
    ) -> str:
        if state == "work_begun" and started is not None:
            return uk_date(_next_after(started, self.as_of, REVIEW_PERIOD_DAYS))
        if state == "in_screening" and due is not None:
            late = f" (overdue by {_plural((self.as_of - due).days, 'day')})" if overdue else ""
            return f"screening due {uk_date(due)}{late}"
        return "-"

    @property
    def counts(self) -> dict[str, int]:
        """Each count once, for every page to quote: children with a risk recorded or
        flagged by the rules (as the full review counts a risk), with a safety reason
        (each listed), reliable deterioration, screenings overdue (the timeline's, as
        ``tswt caseload``), formulations returned, sign-offs waiting."""
        light = self.light
        assert light is not None
        fs = light.formulations.values()
        return {
            "risk": len(light.risks.keys() | light.flagged.keys()),
            "safety": sum(1 for a in self.actions if a.safety),
            "reliable deterioration": len(light.deteriorated),
            "screening overdue": int(self.frame["overdue"].sum()) if len(self.frame) else 0,
            "formulation returned": sum(
                1 for a in self.actions if "formulation returned" in a.reasons
            ),
            "sign-off waiting": sum(1 for f in fs if f.status == "awaiting_signoff"),
        }

    @property
    def deteriorated(self) -> set[str]:
        return self.light.deteriorated if self.light is not None else set()

    def counts_text(self) -> str:
        c = self.counts
        return (
            f"{_plural(c['risk'], 'child')} with a risk recorded or flagged by the rules ({c['safety']} with a high risk, "
            "no safety plan, a review out of date or a risk the rules flag, each listed), "
            f"{c['reliable deterioration']} with reliable deterioration, "
            f"{_plural(c['screening overdue'], 'screening')} overdue, {_plural(c['formulation returned'], 'formulation')} "
            f"returned, {_plural(c['sign-off waiting'], 'sign-off')} waiting"
        )

    def _note(self) -> str:
        return (
            f'<p class="status-note">A caseload of {len(self.frame):,} children: this review lists by name every '
            "child who needs action and counts everyone else per worker. A child with a high risk, a risk with no "
            "safety plan, a risk review out of date or a presenting behaviour the rules flag as a risk (recorded as "
            "a risk item or not) is always listed, however many there are.</p>"
        )

    # -- sections ---------------------------------------------------------------------

    def header(self) -> Section:
        title = "Caseload review" + (f": {self.staff.name(self.worker)}" if self.worker else "")
        synthetic = len(self.frame) > 0 and bool(self.frame["synthetic"].astype(bool).all())
        return Header(
            "review", title, None, self.as_of, self.staff.describe(self.author), "", synthetic
        ).section()

    def _action_row(self, a: ActionLine) -> tuple[Any, ...]:
        """A child who needs action, as the risks and who-first tables begin their row."""
        return (
            a.case_id,
            self.staff.name(a.worker) if a.worker else "not allocated",
            "; ".join(a.reasons),
            a.risk,
            a.risk_review,
            a.state,
        )

    def risks(self) -> Section:
        """Every child with a safety reason, first: never capped, never folded."""
        safety = [a for a in self.actions if a.safety]
        others = self.counts["risk"] - len(safety)
        rest = (
            f"<p>{text(_plural(others, 'other child'))} with a recorded risk (below high, with a safety plan and its "
            "review in date, and no behaviour the rules flag) counted per worker under &ldquo;Each worker's "
            "children&rdquo;.</p>"
        )
        if not safety:
            return Section(
                '<section class="section risks clear"><h2>Children with a risk flag</h2>'
                f"{self._note()}<p>No child has a high risk, a risk with no safety plan, a risk review out of date or a "
                "behaviour the rules flag as a risk.</p>"
                f"{rest}</section>",
                "no risks",
            )
        rows = [self._action_row(a) for a in safety]
        body = (
            self._note()
            + f"<p>{text(_plural(len(safety), 'child'))} with a high risk, a risk with no safety plan, a risk review out of "
            "date or a presenting behaviour the rules flag as a risk, every one listed, highest risk first; "
            "&ldquo;Risk&rdquo; names the rules that flagged each behaviour.</p>"
            + table(["Case", "Worker", "Why", "Risk", "Risk review", "State"], rows, "risks")
            + rest
        )
        return Section(
            f'<section class="section risks"><h2>Children with a risk flag: read first</h2>{body}</section>',
            "risks",
        )

    def first(self) -> Section:
        """The other children who need action (the safety ones are listed above)."""
        others = [a for a in self.actions if not a.safety]
        head = (
            f"<p>{text(self.counts_text())}. Children with a safety reason are listed above under &ldquo;Children with "
            f"a risk flag&rdquo;; here, the other children who need action (up to {LIST_AT_MOST:,} for each reason, the "
            "rest counted per worker), in this order: reliable deterioration, screening overdue, formulation returned; "
            "&ldquo;Why&rdquo; gives every reason that applies.</p>"
        )
        if not others:
            return section("Who to discuss first", head + '<p class="none">None.</p>', "first")
        shown: list[ActionLine] = []
        more = []
        for reason in ("reliable deterioration", "screening overdue", "formulation returned"):
            group = [a for a in others if a.reasons[0] == reason]
            shown += group[:LIST_AT_MOST]
            if len(group) > LIST_AT_MOST:
                more.append(f"{len(group) - LIST_AT_MOST:,} more with {reason} first")
        rows = [(*self._action_row(a), a.next_review) for a in shown]
        return section(
            "Who to discuss first",
            head
            + table(
                ["Case", "Worker", "Why", "Risk", "Risk review", "State", "Next case review"],
                rows,
                "first",
            )
            + _more(more),
            "first",
        )

    def supervision_flags(self) -> Section:
        """Returned formulations listed (they need action); the other flags counted."""
        light = self.light
        assert light is not None
        states = {cid: state for cid, state in self._rows("case_id", "state")}
        workers = {cid: w for cid, w in self._rows("case_id", "worker")}
        returned = sorted(
            (
                (f.returned_on, cid, f)
                for cid, f in light.formulations.items()
                if f.status == "returned" and f.returned_on is not None
            ),
            key=lambda t: (t[0], t[1]),
        )
        waits = [
            (self.as_of - f.updated).days
            for f in light.formulations.values()
            if f.status == "awaiting_signoff" and f.updated is not None
        ]
        long_waits = [d for d in waits if d > SIGNOFF_WAIT_DAYS]
        closed_open = sum(
            1
            for cid, f in light.formulations.items()
            if states.get(cid) == "closed" and f.status in ("draft", "awaiting_signoff", "returned")
        )
        f = self.frame
        received = pd.to_datetime(f["received"])
        decided = pd.to_datetime(f["decision_date"])
        day = pd.Timestamp(self.as_of)
        w = self.waiting_days
        wait_decision = int(
            (
                f["state"].astype(str).isin(["referred", "awaiting_decision"])
                & ((day - received).dt.days > w)
            ).sum()
        )
        wait_allocation = int(
            (f["state"].astype(str).eq("awaiting_allocation") & ((day - decided).dt.days > w)).sum()
        )
        items = [
            f"<li><strong>Sign-offs waiting more than {SIGNOFF_WAIT_DAYS} days:</strong> "
            f"{text(_plural(len(long_waits), 'case'))}"
            + (f", the longest {text(_plural(max(long_waits), 'day'))}" if long_waits else "")
            + " (the sign-off queue lists them).</li>",
            f"<li><strong>Returned formulations not yet resubmitted:</strong> {text(_plural(len(returned), 'case'))}, "
            + (
                "each listed below"
                if len(returned) <= LIST_AT_MOST
                else f"the {LIST_AT_MOST:,} returned longest ago listed below"
            )
            + ".</li>",
            f"<li><strong>Closed cases with an open formulation:</strong> {text(_plural(closed_open, 'case'))}.</li>",
            f"<li><strong>Referrals waiting more than {text(_plural(w, 'day'))} for a decision:</strong> "
            f"{text(_plural(wait_decision, 'case'))}.</li>",
            f"<li><strong>Referrals waiting more than {text(_plural(w, 'day'))} for allocation:</strong> "
            f"{text(_plural(wait_allocation, 'case'))}.</li>",
        ]
        body = f'<ul class="flags">{"".join(items)}</ul>'
        if returned:
            cut = len(returned) - LIST_AT_MOST
            returned = returned[:LIST_AT_MOST]  # the longest returned first
            body += "<h3>Returned to the worker for changes</h3>" + table(
                ["Case", "Worker", "Returned", "By", "Comment"],
                [
                    (
                        cid,
                        self.staff.name(workers.get(cid)) or "not allocated",
                        f"{uk_date(on)} ({_plural((self.as_of - on).days, 'day')} ago)",
                        self.staff.name(fm.returned_by),
                        fm.comment,
                    )
                    for on, cid, fm in returned
                ],
            )
            body += _more([f"{cut:,} more returned more recently"] if cut > 0 else [])
        body += (
            f'<p class="small">The team\'s standard wait for a decision or an allocation is {text(_plural(w, "day"))}. '
            f"{text(FULL_LIST)}</p>"
        )
        return section("Flags for supervision", body, "supervision-flags")

    def by_worker(self) -> Section:
        """One line per worker (a large caseload), with where each full list is."""
        light = self.light
        assert light is not None
        f = self.frame
        cutoff = self.as_of - timedelta(days=REVIEW_PERIOD_DAYS)
        per: dict[Any, Counter[str]] = {}
        oldest_returned: dict[Any, int] = {}
        longest_wait: dict[Any, int] = {}
        listed = {a.case_id for a in self.actions}
        for case_id, w, state, overdue in self._rows("case_id", "worker", "state", "overdue"):
            c = per.setdefault(w, Counter())
            c["children"] += 1
            c[state] += 1
            c["risk"] += case_id in light.risks or case_id in light.flagged
            c["listed"] += case_id in listed
            c["overdue"] += bool(overdue)
            c["worse"] += case_id in light.deteriorated
            c["stalled"] += case_id in light.stalled
            if state == "work_begun":
                last = light.last_measure.get(case_id)
                c["no measure"] += last is None or last < cutoff
            fm = light.formulations.get(case_id)
            if fm is not None and fm.status == "returned" and fm.returned_on is not None:
                c["returned"] += 1
                days = (self.as_of - fm.returned_on).days
                oldest_returned[w] = max(days, oldest_returned.get(w, 0))
            if fm is not None and fm.status == "awaiting_signoff" and fm.updated is not None:
                c["waiting"] += 1
                days = (self.as_of - fm.updated).days
                longest_wait[w] = max(days, longest_wait.get(w, 0))
        order = sorted((w for w in per if w), key=lambda w: self.staff.name(w).lower()) + (
            [None] if None in per else []
        )
        states, needs, formulations = [], [], []
        for w in order:
            c = per[w]
            formulation = []
            if c["returned"]:
                formulation.append(
                    f"{c['returned']:,} returned (oldest {_plural(oldest_returned[w], 'day')} ago)"
                )
            if c["waiting"]:
                formulation.append(
                    f"{c['waiting']:,} awaiting sign-off (longest {_plural(longest_wait[w], 'day')})"
                )
            who = self.staff.name(w) if w else "Not allocated"
            n = [
                f"{c[k]:,}" for k in ("children", "in_screening", "work_begun", "closed", "listed")
            ]
            states.append((who, *n))
            m = [f"{c[k]:,}" for k in ("risk", "overdue", "worse", "stalled", "no measure")]
            needs.append((who, *m))
            formulations.append((who, "; ".join(formulation) or "none returned or waiting"))
        # Three narrow tables, not one of twelve columns (which an A4 page cannot hold).
        body = (
            f"<p>{_plural(len(f), 'child')}, one line per worker in each table. &ldquo;Listed&rdquo; are the "
            f"children named above as needing action; the rest are counted here. {text(FULL_LIST)}</p>"
            + table(
                ["Worker", "Children", "In screening", "In work", "Closed", "Listed (need action)"],
                states,
                "worker",
            )
            + f"<h3>What each worker's children need</h3><p>&ldquo;No measure&rdquo;: children in work with no "
            f"measure since {uk_date(cutoff)} (a review period of {REVIEW_PERIOD_DAYS} days).</p>"
            + table(
                [
                    "Worker",
                    "Risk recorded or flagged",
                    "Screening overdue",
                    "Reliable deterioration",
                    "No reliable improvement after 6 months",
                    "No measure",
                ],
                needs,
                "worker",
            )
            + "<h3>Formulations returned or waiting for sign-off</h3>"
            + table(["Worker", "Formulation"], formulations, "worker")
        )
        return section("Each worker's children", body, "workers")

    def not_on_track(self) -> Section:
        """Every child with reliable deterioration listed; no reliable improvement counted."""
        light = self.light
        assert light is not None
        workers = {cid: w for cid, w in self._rows("case_id", "worker")}
        ch = light.change
        rows = []
        cut = 0
        if not ch.empty and light.deteriorated:
            worse = ch[
                ch["case_id"].astype(object).isin(light.deteriorated)
                & ch["reliable_change"].astype(object).eq("deteriorated")
            ]
            cols = ["case_id", "measure", "informant", "score", "baseline_value"]
            cols += ["latest_value", "difference", "threshold"]
            by_case: dict[str, list[dict[str, Any]]] = {}
            for r in (
                worse[cols].astype(object).to_dict("records")
            ):  # one conversion, not one a child
                by_case.setdefault(str(r["case_id"]), []).append(r)
            ordered = sorted(by_case)
            cut = len(ordered) - LIST_AT_MOST
            for case_id in ordered[:LIST_AT_MOST]:
                scores = "".join(f"<li>{text(flag_words(r))}</li>" for r in by_case[case_id])
                rows.append(
                    (
                        text(case_id),
                        text(self.staff.name(workers.get(case_id)) or "not allocated"),
                        "reliable deterioration",
                        f'<ul class="tight">{scores}</ul>',
                    )
                )
        n_stalled = len(light.stalled)
        head = (
            f"<p>{_plural(len(light.deteriorated), 'child')} with reliable deterioration (as counted on the first page), "
            f"{'each listed' if cut <= 0 else f'the first {LIST_AT_MOST:,} listed'}; "
            f"{text(_plural(n_stalled, 'child'))} with no reliable improvement after 6 months, counted per worker under "
            "&ldquo;Each worker's children&rdquo;. Scores are baseline, then latest, with the change needed to be "
            "reliable.</p>"
        )
        if not rows:
            return section("Children not on track", head, "flags")
        more = [f"{cut:,} more with reliable deterioration"] if not ch.empty and cut > 0 else []
        return section(
            "Children not on track",
            head
            + table(["Case", "Worker", "Judged", "Scores"], rows, "flags", raw_columns=(0, 1, 3))
            + _more(more),
            "flags",
        )

    def _work_tables(self) -> Any:
        return self.work

    # Issue 23's two sections are worked out from every case (``self.cases``), which a
    # summarised review does not load: here they say where the figures are instead of
    # reporting "0 children" of an empty list.

    def below_expected(self) -> Section:
        return section(
            "Below expected progress",
            f"<p>Not worked out child by child in a summarised review ({len(self.frame):,} children): "
            "<code>tswt caseload --below-expected</code> lists every child below their expected band, "
            "and <code>tswt expected check</code> shows how the curves flag.</p>",
            "expected",
        )

    def added_value(self) -> Section:
        return section(
            "SDQ Added Value Score",
            f"<p>Not worked out from every case in a summarised review ({len(self.frame):,} children): "
            "<code>tswt_formulation.analysis.added_value(store)</code> gives each child's Added Value Score "
            "from the store's scores table.</p>",
            "added-value",
        )


def _plural(n: int, word: str) -> str:
    """``14,874 children``: :func:`~tswt_formulation.words.plural` with thousands separated."""
    return plural(n, word).replace(str(n), f"{n:,}", 1)


def _more(more: list[str]) -> str:
    """``and 2,070 more with reliable deterioration first: counted per worker ...``."""
    if not more:
        return ""
    return (
        f"<p>And {text('; '.join(more))}: each is counted per worker under &ldquo;Each worker's "
        f"children&rdquo; (no safety reason is ever left out of a list). {text(FULL_LIST)}</p>"
    )
