"""The Work tab: the work after screening on the open case. What has been done
(interventions with their attendance, reviews, first steps, the ending), and forms to
record a session, a review, the end of an intervention and the end of involvement, each
one casework call (permissions, audit, dates checked with the field named)."""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..model.recommendation import STAGES, WAVES
from ..practice import ATTENDANCE_LABELS, ENDING_LABELS, PARTICIPANTS
from ..store import CaseStore
from ._base import CaseView
from ._forms import (
    area,
    button,
    check,
    day,
    dropdown,
    heading,
    inert,
    message_html,
    several,
    table_html,
    text,
)
from .forms.work import WorkForm


class WorkView(CaseView):
    """Record a session, a review or an ending for the open case."""

    model: WorkForm

    def make_model(self) -> WorkForm:
        return WorkForm()

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        f = self.form
        self.done_html = w.HTML("")
        # a session
        self.session_of = f.add("session.intervention", dropdown("Intervention", []))
        self.session_date = f.add("session.date", day("Session date", self.as_of))
        self.attendance = f.add(
            "session.attendance",
            dropdown("Attendance", [(v, k) for k, v in ATTENDANCE_LABELS.items()]),
        )
        self.took_part = f.add(
            "session.took_part", several("Who took part", [(p, p) for p in PARTICIPANTS], rows=4)
        )
        self.minutes = f.add(
            "session.minutes", w.BoundedIntText(value=60, min=0, max=600, description="Minutes")
        )
        self.note = f.add("session.note", text("Short note", placeholder="Optional; private text"))
        self.session_button = button("Record the session", "success")
        self.saves(self.session_button, self.record_session)
        # a review
        self.review_date = f.add("review.date", day("Review date", self.as_of))
        self.stage = f.add("review.stage", dropdown("Stage reached", [(f"{n}", n) for n in STAGES]))
        self.evidence = f.add("review.stage_evidence", area("Evidence for the stage"))
        self.wave = f.add("review.wave", dropdown("Wave re-assessed", [(f"{n}", n) for n in WAVES]))
        self.risks = f.add("review.risks_reviewed", check("Risks reviewed"))
        self.holds = f.add(
            "review.formulation",
            dropdown(
                "Formulation", [("still holds", "holds"), ("revised (back to sign-off)", "revised")]
            ),
        )
        self.review_button = button("Record the review", "success")
        self.saves(self.review_button, self.record_review)
        # an ending
        reasons = [(v, k) for k, v in ENDING_LABELS.items()]
        self.end_of = f.add("ending.intervention", dropdown("Intervention to end", []))
        self.end_date = f.add("ending.date", day("Ended on", self.as_of))
        self.end_reason = f.add("ending.reason", dropdown("Ending reason", reasons))
        self.end_other = f.add(
            "ending.other", text("If other, what", placeholder="Required when the reason is other")
        )
        self.end_button = button("End the intervention", "warning")
        self.saves(self.end_button, self.end_intervention)
        self.summary = f.add("close.summary", area("Closing summary"))
        self.close_button = button("End the team's involvement", "danger")
        self.saves(self.close_button, self.close)
        box = lambda *fields: [x.box for x in fields]  # noqa: E731
        self.widget = w.VBox(
            [
                self.title,
                self.form.banner,
                self.stale,
                self.done_html,
                heading("Record a session"),
                *box(
                    self.session_of,
                    self.session_date,
                    self.attendance,
                    self.took_part,
                    self.minutes,
                    self.note,
                ),
                self.session_button,
                heading("Record a review"),
                *box(
                    self.review_date, self.stage, self.evidence, self.wave, self.risks, self.holds
                ),
                self.review_button,
                heading("Record an ending"),
                *box(self.end_of, self.end_date, self.end_reason, self.end_other),
                self.end_button,
                *box(self.summary),
                self.close_button,
            ]
        )

    def show_case(self) -> None:
        case = self.case
        if case is None:
            return
        running, values = self.model.running(case), self.model.values_of_case(case)
        for field in (self.session_of, self.end_of):
            field.widget.options = running
            field.widget.value = values[field.path]
        rows = []
        for iv in case.interventions:
            came = sum(s.attendance == "attended" for s in iv.sessions)
            ended = (
                f"{iv.end.isoformat()} ({ENDING_LABELS[iv.ending_reason or 'other']})"
                if iv.end
                else "running"
            )
            rows.append(
                (
                    f"{iv.number}. {iv.what.replace('_', ' ')}",
                    iv.lead_worker,
                    iv.start.isoformat(),
                    ended,
                    f"{came} of {len(iv.sessions)}",
                )
            )
        parts = [
            table_html(
                ["Intervention", "Lead worker", "Started", "Ended", "Sessions attended"],
                rows,
                caption="Interventions",
            )
            if rows
            else message_html("No intervention recorded yet.", "note")
        ]
        if case.reviews:
            parts.append(
                table_html(
                    ["Review", "Stage", "Wave", "Formulation"],
                    [(r.date.isoformat(), r.stage, r.wave, r.formulation) for r in case.reviews],
                    caption="Reviews",
                )
            )
        if case.ending is not None:
            parts.append(
                f"<p>Involvement ended {inert(case.ending.date.isoformat())}: "
                f"{inert(ENDING_LABELS[case.ending.reason])}.</p>"
            )
        self.done_html.value = "".join(parts)

    def _version(self) -> int | None:
        return self.case._version if self.case is not None else None

    def _write(self, form: str | None, call: Any, note: str) -> Any:
        """Save through ``call`` once the ``form``'s date is given (None: not checked)."""
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        problems = self.model.undated(self.form.field_values(), form) if form else []
        if problems:
            self.form.refuse(problems)
            return None
        case_id = self.case.case_id
        saved = self._saved(
            lambda: call(case_id), None, note, retry=lambda: self._write(None, call, note)
        )
        if saved is not None:
            self.show_case()
        return saved

    def _running(self, form: str) -> Any:
        """The intervention a session or an ending is of (None: refused, the form says why)."""
        values = self.form.field_values()
        problems = self.model.not_running(values, form)
        if problems:
            self.form.refuse(problems)
            return None
        return values[f"{form}.intervention"]

    def record_session(self) -> Any:
        number = self._running("session")
        if number is None:
            return None
        return self._write(
            "session",
            lambda cid: casework.record_session(
                self.store,
                cid,
                **self.model.session(self.form.field_values()),
                user=self.user,
                version=self._version(),
            ),
            f"session of intervention {number}",
        )

    def record_review(self) -> Any:
        return self._write(
            "review",
            lambda cid: casework.record_review(
                self.store,
                cid,
                **self.model.review(self.form.field_values()),
                user=self.user,
                version=self._version(),
            ),
            "review recorded",
        )

    def end_intervention(self) -> Any:
        number = self._running("ending")
        if number is None:
            return None
        return self._write(
            "ending",
            lambda cid: casework.end_intervention(
                self.store,
                cid,
                **self.model.ending(self.form.field_values()),
                user=self.user,
                version=self._version(),
            ),
            f"intervention {number} ended",
        )

    def close(self) -> Any:
        return self._write(
            "close",
            lambda cid: casework.close_involvement(
                self.store,
                cid,
                **self.model.closing(self.form.field_values()),
                user=self.user,
                version=self._version(),
            ),
            "involvement ended",
        )
