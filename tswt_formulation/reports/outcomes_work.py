"""The outcomes report's account of the work itself: interventions with their sessions,
first steps, reviews, the end of involvement, and change over each intervention beside the
change from baseline. A mixin of :class:`~.outcomes.OutcomesReport`: it reads
``self.case``, ``self.as_of``, ``self.staff`` and ``self.result``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..measures.outcomes import CaseOutcomes
from ..model.case import Case
from ..store.staff import StaffDirectory
from ..words import signed, uk_date
from .html import Section, section, table, text
from .outcomes_words import _INFORMANTS, _num


class WorkSection:
    """The outcomes report's section on the work, mixed into :class:`~.outcomes.OutcomesReport`."""

    case: Case
    as_of: date
    result: CaseOutcomes
    staff: StaffDirectory

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
