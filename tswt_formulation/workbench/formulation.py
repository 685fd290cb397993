"""Formulation: the 5 Ps pre-filled from the screening as suggestions to accept, edit or
remove; the narrative in the worker's words; accept the recommendation or override a
part with a required reason; submit for sign-off."""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as w
from pydantic import ValidationError

from .. import casework
from ..errors import OverrideError, Problem, ValidationFailed
from ..model import FIVE_PS, Override, validation_problems
from ..model.recommendation import parse_override, parse_value, value_text
from ..store import CaseStore
from ._base import CaseView
from ._forms import area, button, check, dropdown, heading, message_html, shared, text
from .summary import snapshot_html

P_TITLES = {
    "presenting": "Presenting problems",
    "predisposing": "Predisposing factors",
    "precipitating": "Precipitating factors",
    "perpetuating": "Perpetuating factors",
    "protective": "Protective factors",
}
PARTS = [
    ("Wave", "wave"),
    ("Stage", "stage"),
    ("Services", "services"),
    ("Direct-work models", "models"),
    ("Preconditions", "preconditions"),
    ("Signposting", "signposting"),
]


class FormulationView(CaseView):
    """The formulation of the open case: draft, edit, decide, submit."""

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        self.status = w.HTML("")
        self.recommendation = w.HTML("")
        self.draft_button = button("Draft the formulation from the screening", "primary")
        self.saves(self.draft_button, self.draft)
        self.p_boxes = {p: w.VBox([]) for p in FIVE_PS}
        self.entries: dict[str, list[tuple[w.Checkbox, w.Textarea, str, str | None]]] = {
            p: [] for p in FIVE_PS
        }
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
        n = len(self.entries[p]) + 1
        where = "suggested from the screening" if origin == "screening" else "your point"
        keep = check(f"Keep {P_TITLES[p].lower()} {n} ({where})", True)
        body = area(f"{P_TITLES[p]} {n}", value)
        field = self.form.add(f"five_ps.{p}[{len(self.entries[p])}].text", body)
        keep.observe(lambda c, body=body: setattr(body, "disabled", not c["new"]), names="value")
        self.entries[p].append((keep, body, origin, ref))
        self.p_boxes[p].children = (*self.p_boxes[p].children, w.VBox([keep, field.box]))

    def show_case(self) -> None:
        assert self.case is not None
        form = self.case.formulation
        for p in FIVE_PS:
            for i in range(len(self.entries[p])):
                self.form.fields.pop(f"five_ps.{p}[{i}].text", None)
            self.entries[p] = []
            self.p_boxes[p].children = ()
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
            for entry in getattr(form.five_ps, p):
                self.add_entry(p, entry.text, entry.origin, entry.ref)
        self.narrative.fill(form.narrative)
        self.stage_evidence.fill(form.stage_evidence)
        self.readiness.fill(form.next_stage_readiness)
        decision = form.decision
        if decision is not None and not decision.accepted and decision.overrides:
            o = decision.overrides[0]
            self.accept.widget.value = False
            self.part.widget.value = o.part
            self.value.widget.value = value_text(o.part, o.value)
            self.reason.widget.value = o.reason
        else:
            self.accept.widget.value = True
            self.reason.widget.value = ""
            self.value.widget.value = ""
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
        five_ps: dict[str, list[dict[str, Any]]] = {p: [] for p in FIVE_PS}
        aliases: dict[str, str] = {}
        for p in FIVE_PS:
            for i, (keep, body, origin, ref) in enumerate(self.entries[p]):
                if keep.value and body.value.strip():
                    aliases[f"five_ps.{p}[{len(five_ps[p])}]"] = f"five_ps.{p}[{i}]"
                    entry: dict[str, Any] = {"text": body.value, "origin": origin}
                    if ref is not None:
                        entry["ref"] = ref
                    five_ps[p].append(entry)
        self.form.aliases = aliases
        return {
            "five_ps": five_ps,
            "narrative": self.narrative.widget.value,
            "stage_evidence": self.stage_evidence.widget.value,
            "next_stage_readiness": self.readiness.widget.value,
        }

    def overrides(self) -> list[Override]:
        """The override as typed, read and checked as the CLI reads it (messages beside the fields)."""
        if self.accept.widget.value:
            return []
        assert self.case is not None
        case_id, part = self.case.case_id, self.part.widget.value
        raw, reason = self.value.widget.value, self.reason.widget.value
        try:
            return [parse_override(case_id, part, raw, reason)]
        except OverrideError as exc:
            problems = [Problem("", f"decision.{exc.field or 'value'}", str(exc))]
            if exc.field == "reason":  # say what is wrong with the value too, at once
                try:
                    parse_value(part, raw)
                except ValueError as bad:
                    problems.append(
                        Problem("", "decision.value", f"{case_id}: override of {part}: {bad}")
                    )
            raise ValidationFailed(problems) from None
        except ValidationError as exc:
            raise ValidationFailed(
                [
                    Problem("", f"decision.{p.field}", p.message)
                    for p in validation_problems(exc, "")
                ]
            ) from None

    def save(self) -> Any:
        if self.case is None or self.case.formulation is None:
            self.form.banner.value = message_html("Draft the formulation first.")
            return None
        try:
            overrides = self.overrides()
        except ValidationFailed as exc:
            self.form.show_problems(exc.problems)
            return None
        content, case_id, version, accept = (
            self.content(),
            self.case.case_id,
            self.case._version,
            self.accept.widget.value,
        )

        def write() -> Any:
            try:
                return casework.revise_formulation(
                    self.store,
                    case_id,
                    accept,
                    overrides,
                    user=self.user,
                    version=version,
                    **content,
                )
            except ValidationError as exc:
                raise ValidationFailed(validation_problems(exc, case_id)) from None
            except OverrideError as exc:
                where = f"decision.{exc.field}" if exc.part and exc.field else ""
                raise ValidationFailed([Problem("", where, str(exc))]) from None

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
