"""Sign-off queue (clinical psychologist): formulations awaiting sign-off, oldest first;
read one with its recommendation and outcomes; approve, or return with a required
comment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..errors import OverrideError
from ..model import FIVE_PS
from ..rules.timeline import ROW_COLUMNS
from ..rules.workflow import outstanding_risk_steps
from ..store import CaseStore
from ..words import uk_date
from ._base import CaseView
from ._forms import area, button, heading, inert, message_html, table_html
from .forms.formulation import P_TITLES
from .forms.signoff import SignoffForm
from .summary import snapshot_html


def awaiting_signoff(store: CaseStore) -> list[tuple[str, Any, str]]:
    """(case id, when submitted, by whom) of every formulation awaiting sign-off, oldest first."""
    status = ROW_COLUMNS.index("formulation_status")
    ids = [row[0] for row in store.caseload_tuples() if row[status] == "awaiting_signoff"]
    queue = []
    for case_id in ids:
        submitted = [e for e in store.audit_log(case_id) if e.action == "submit"]
        last = submitted[-1] if submitted else store.audit_log(case_id, limit=1)[-1]
        by = last.user
        if (
            not submitted
        ):  # imported awaiting sign-off: the record says who submitted it, not the importer
            form = store.get(case_id).formulation
            by = (form.submitted_by if form is not None else None) or by
        queue.append((case_id, last.at, by))
    return sorted(queue, key=lambda item: (item[1], item[0]))


class SignoffQueueView(CaseView):
    """The queue, one formulation to read, and the reviewer's decision."""

    empty_text = "Choose a formulation from the queue."
    model: SignoffForm

    def make_model(self) -> SignoffForm:
        return SignoffForm()

    def __init__(
        self,
        store: CaseStore,
        user: str,
        as_of: date | None = None,
        on_open: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(store, user, as_of)
        self.on_open = on_open
        self.queue = w.VBox([])
        self.queue_note = w.HTML("")
        self.refresh_button = button("Refresh the queue")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.reading = w.HTML("")
        self.comment = self.form.add(
            "comment", area("Reviewer's comment", placeholder="Required when returning")
        )
        # Shown only while a risk first step (a safety plan) is not recorded as done:
        # approving over it needs the reason (rules.workflow.sign_off), kept on the sign-off.
        self.steps_note = w.HTML("")
        self.outstanding = self.form.add(
            "outstanding_reason",
            area(
                "Outstanding-step reason",
                placeholder="Required to approve while a first step above is not recorded as done: why approve now",
            ),
        )
        # its own layout: a field's box shares one with every field (_forms.shared), and
        # hiding that one hid every form's fields in every tab
        self.outstanding.box.layout = w.Layout(margin="0 0 2px 0", display="none")
        self.approve_button = button("Approve and sign off", "success")
        self.return_button = button("Return with comments", "warning")
        self.saves(self.approve_button, lambda: self.decide(True))
        self.saves(self.return_button, lambda: self.decide(False))
        self.actions = w.VBox(
            [
                self.steps_note,
                self.comment.box,
                self.outstanding.box,
                w.HBox([self.approve_button, self.return_button, self.form.echo]),
            ]
        )
        self.actions.layout.display = "none"
        self.widget = w.VBox(
            [
                heading("Awaiting sign-off (oldest first)"),
                self.queue_note,
                self.queue,
                self.refresh_button,
                self.title,
                self.form.banner,
                self.stale,
                self.reading,
                self.actions,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        queue = awaiting_signoff(self.store)
        buttons = []
        for case_id, at, by in queue:
            b = button(
                f"{case_id}: submitted {uk_date(at)} {at:%H:%M} UTC by {by}",
                tooltip=f"Read the formulation of {case_id}",
            )
            # the case read here is the app's open case (header, Reports and Audit agree)
            b.on_click(
                lambda _b, case_id=case_id: (
                    self.on_open(case_id) if self.on_open is not None else self.open(case_id)
                )
            )
            buttons.append(b)
        self.queue.children = buttons
        self.queue_note.value = message_html(
            f"{len(queue)} formulation(s) awaiting sign-off.", "note"
        )

    def show_case(self) -> None:
        assert self.case is not None
        form = self.case.formulation
        if form is None:
            self.reading.value = message_html("This case has no formulation.", "note")
            self.actions.layout.display = "none"
            return
        parts = [
            f"<p><b>Status:</b> {inert(form.status.replace('_', ' '))}, revision {form.revision}, written by {inert(form.author)}</p>"
        ]
        if form.recommendation is not None:
            parts.append("<h4>Recommendation</h4>" + snapshot_html(form))
        for p in FIVE_PS:
            entries = getattr(form.five_ps, p)
            if entries:
                parts.append(
                    f"<h4>{inert(P_TITLES[p])}</h4><ul>"
                    + "".join(f"<li>{inert(e.text)}</li>" for e in entries)
                    + "</ul>"
                )
        parts.append(
            f"<h4>Narrative</h4><p style='white-space:pre-wrap'>{inert(form.narrative)}</p>"
        )
        parts.append("<h4>Outcomes</h4>" + _outcomes_html(self.case, self.as_of))
        self.reading.value = "".join(parts)
        self.form.show(self.model.values_of_case(self.case))
        steps = outstanding_risk_steps(self.case, date.today())
        self.steps_note.value = (
            message_html(
                ("First step" if len(steps) == 1 else f"{len(steps)} first steps")
                + " outstanding, not recorded as done: "
                + "; ".join(s.rstrip(".") for s in steps)
                + ". To approve all the same, say why below: the reason is kept with the sign-off "
                "and printed beside the step in the report. Or return the formulation.",
                "note",
            )
            if steps
            else ""
        )
        self.outstanding.box.layout.display = "" if steps else "none"
        self.actions.layout.display = "" if form.status == "awaiting_signoff" else "none"

    def decide(self, approve: bool) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        case_id, version = self.case.case_id, self.case._version
        decision = self.model.decision(self.form.field_values())

        def write() -> Any:
            try:
                return casework.review(
                    self.store,
                    case_id,
                    approve,
                    user=self.user,
                    version=version,
                    **decision,
                )
            except OverrideError as exc:
                raise self.model.problems(exc) from None

        saved = self._saved(
            write,
            None,
            "signed off" if approve else "returned with comments",
            retry=lambda: self.decide(approve),
        )
        if saved is not None:
            self.show_case()
            self.refresh()
        return saved


def _outcomes_html(case: Any, as_of: date) -> str:
    if not case.measures:
        return message_html("No measures recorded.", "note")
    import pandas as pd

    from ..measures.outcomes import case_scores

    scored = case_scores([case]).sort_values(["measure", "date"])
    rows = []
    for r in scored.to_dict("records"):
        value = r.get("total") if r["measure"] == "sdq" else r.get("goal_1")
        band = r.get("total_band3") if r["measure"] == "sdq" else ""
        rows.append(
            (
                r["measure"].upper(),
                r["informant"],
                r["timepoint"],
                uk_date(r["date"]),
                "" if value is None or pd.isna(value) else int(value),
                "" if band is None or pd.isna(band) else band,
            )
        )
    return table_html(["Measure", "Informant", "Timepoint", "Date", "Total / goal 1", "Band"], rows)
