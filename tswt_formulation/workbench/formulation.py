"""Formulation: the 5 Ps pre-filled from the screening as suggestions to accept, edit or
remove; the narrative in the worker's words; accept the recommendation or override a
part with a required reason; submit for sign-off."""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..model import FIVE_PS, Override
from ..store import CaseStore
from ._base import CaseView
from ._forms import area, button, check, dropdown, heading, message_html, shared, text
from .forms.formulation import (
    P_TITLES,
    PARTS,
    REFUSALS,
    FormulationForm,
    point_path,
    revision_problems,
)
from .summary import snapshot_html


class FormulationView(CaseView):
    """The formulation of the open case: draft, edit, decide, submit."""

    model: FormulationForm

    def make_model(self) -> FormulationForm:
        return FormulationForm()

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        self.status = w.HTML("")
        self.recommendation = w.HTML("")
        self.draft_button = button("Draft the formulation from the screening", "primary")
        self.saves(self.draft_button, self.draft)
        self.p_boxes = {p: w.VBox([]) for p in FIVE_PS}
        # each P's points as (keep, text) widgets; where each came from is the model's
        self.entries: dict[str, list[tuple[w.Checkbox, w.Textarea]]] = {p: [] for p in FIVE_PS}
        adders = []
        for p in FIVE_PS:
            add_button = button(f"Add a point to {P_TITLES[p].lower()}")
            add_button.on_click(lambda _b, p=p: self.add_entry(p, "", "worker", None))
            adders.append(w.VBox([heading(P_TITLES[p], 4), self.p_boxes[p], add_button]))
        add = self.form.add
        self.narrative = add(
            "narrative", area("Narrative", placeholder="The formulation in your own words")
        )
        self.stage_evidence = add("stage_evidence", area("Evidence for the stage"))
        self.readiness = add("next_stage_readiness", area("Ready for the next stage when"))
        self.accept = add(
            "decision.accepted",
            w.RadioButtons(
                options=[("Accept the recommendation", True), ("Override part of it", False)],
                value=True,
                description="Recommendation",
                style=shared("style"),
            ),
        )
        self.part = add("decision.part", dropdown("Part to override", PARTS))
        self.value = add(
            "decision.value",
            text("Chosen instead", placeholder="e.g. 3, or: Fostering Surgery, Life Story Clinic"),
        )
        self.reason = add("decision.reason", area("Reason for the override"))
        self.override_box = w.VBox(
            [self.part.box, self.value.box, self.reason.box],
            layout=w.Layout(display="none", margin="0 0 0 2em"),
        )
        self.accept.widget.observe(lambda _c: self._toggle_override(), names="value")
        self.save_button = button("Save formulation", "primary")
        self.submit_button = button("Submit for sign-off", "success")
        self.saves(self.save_button, self.save)
        self.saves(self.submit_button, self.submit)
        self.editor = w.VBox(
            [
                heading("The 5 Ps (suggestions from the screening: keep, edit or remove)"),
                *adders,
                self.narrative.box,
                self.stage_evidence.box,
                self.readiness.box,
                heading("Decision on the recommendation"),
                self.accept.box,
                self.override_box,
                w.HBox([self.save_button, self.submit_button, self.form.echo]),
            ]
        )
        self.widget = w.VBox(
            [
                self.title,
                self.form.banner,
                self.stale,
                self.status,
                w.HBox([self.draft_button]),
                heading("Recommendation"),
                self.recommendation,
                self.editor,
            ]
        )
        self.editor.layout.display = "none"
        self.draft_button.layout.display = "none"

    # -- showing -----------------------------------------------------------------------

    def _toggle_override(self) -> None:
        self.override_box.layout.display = "none" if self.accept.widget.value else ""

    def add_entry(self, p: str, value: str, origin: str, ref: str | None) -> None:
        self._add_point(p, self.model.add_point(p, origin, ref), value, origin)

    def _add_point(self, p: str, path: str, value: str, origin: str) -> None:
        n = len(self.entries[p]) + 1
        where = "suggested from the screening" if origin == "screening" else "your point"
        keep = check(f"Keep {P_TITLES[p].lower()} {n} ({where})", True)
        body = area(f"{P_TITLES[p]} {n}", value)
        field = self.form.add(path, body)
        keep.observe(lambda c, body=body: setattr(body, "disabled", not c["new"]), names="value")
        self.entries[p].append((keep, body))
        self.p_boxes[p].children = (*self.p_boxes[p].children, w.VBox([keep, field.box]))

    def field_values(self) -> dict[str, Any]:
        """The form's values, with each point's keep tick (not a field of its own: it
        has no error line)."""
        values = self.form.field_values()
        for p in FIVE_PS:
            for i, (keep, _body) in enumerate(self.entries[p]):
                values[point_path(p, i, "keep")] = keep.value
        return values

    def show_case(self) -> None:
        assert self.case is not None
        form = self.case.formulation
        for p in FIVE_PS:
            for i in range(len(self.entries[p])):
                self.form.fields.pop(point_path(p, i), None)
            self.entries[p] = []
            self.p_boxes[p].children = ()
        values = self.model.values_of_case(self.case)
        if form is None:
            self.status.value = message_html(
                "No formulation yet: draft it from the screening.", "note"
            )
            self.recommendation.value = ""
            self.draft_button.layout.display = ""
            self.editor.layout.display = "none"
            return
        self.draft_button.layout.display = "none"
        self.editor.layout.display = ""
        for p in FIVE_PS:
            for i, (origin, _ref) in enumerate(self.model.points[p]):
                self._add_point(p, point_path(p, i), values[point_path(p, i)], origin)
        for field in (self.narrative, self.stage_evidence, self.readiness):
            field.fill(values[field.path])
        for field in (self.accept, self.part, self.value, self.reason):
            if field.path in values:
                field.widget.value = values[field.path]
        self._toggle_override()
        self.show_status()

    def show_status(self) -> None:
        assert self.case is not None and self.case.formulation is not None
        form = self.case.formulation
        words = {
            "draft": "Draft",
            "awaiting_signoff": "Awaiting sign-off",
            "signed_off": "Signed off",
            "returned": "Returned for changes",
        }
        line = f"{words[form.status]} (revision {form.revision}), written by {form.author}."
        last = form.latest_signoff
        if last is not None:
            line += f" Last review: {last.outcome} by {last.reviewer} on {last.at:%Y-%m-%d}" + (
                f": {last.comment}" if last.comment else "."
            )
        self.status.value = message_html(line, "note")
        self.recommendation.value = snapshot_html(form) if form.recommendation else ""

    def case_saved(self, case: Any) -> None:
        super().case_saved(case)
        if (
            self.case is not None
            and self.case is case
            and case.formulation is not None
            and any(self.entries.values())
        ):
            self.show_status()

    # -- actions -----------------------------------------------------------------------

    def draft(self) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        case_id, version = self.case.case_id, self.case._version
        saved = self._saved(
            lambda: casework.create_draft(
                self.store, case_id, user=self.user, as_of=self.as_of, version=version
            ),
            None,
            "formulation drafted from the screening",
            retry=self.draft,
        )
        if saved is not None:
            self.show_case()
            self.mark_clean()
        return saved

    def content(self) -> dict[str, Any]:
        return self.model.content(self.field_values())

    def overrides(self) -> list[Override]:
        """The override as typed, read and checked as the CLI reads it (messages beside the fields)."""
        assert self.case is not None
        return self.model.overrides(self.case.case_id, self.field_values())

    def save(self) -> Any:
        if self.case is None or self.case.formulation is None:
            self.form.banner.value = message_html("Draft the formulation first.")
            return None
        case_id, version = self.case.case_id, self.case._version
        revision = self.model.revision(case_id, self.field_values())
        if isinstance(revision, list):
            self.form.show_problems(revision)
            return None

        def write() -> Any:
            try:
                return casework.revise_formulation(
                    self.store, case_id, user=self.user, version=version, **revision
                )
            except REFUSALS as exc:  # a refusal as problems naming the form's fields
                raise revision_problems(exc, case_id) from None

        saved = self._saved(write, None, "formulation saved", retry=self.save)
        if saved is not None:
            self.show_status()
        return saved

    def submit(self) -> Any:
        if self.case is None or self.case.formulation is None:
            self.form.banner.value = message_html("Draft the formulation first.")
            return None
        if self.save() is None:
            return None
        case_id, version = self.case.case_id, self.case._version
        saved = self._saved(
            lambda: casework.submit_for_signoff(
                self.store, case_id, user=self.user, version=version
            ),
            None,
            "submitted for sign-off",
            retry=self.submit,
        )
        if saved is not None:
            self.show_status()
        return saved
