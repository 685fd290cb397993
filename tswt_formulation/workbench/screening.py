"""Screening: history factors and presenting behaviours chosen from the vocabulary
(labels in words), each with its evidence, sources, frequency and severity; life story
work; the child's voice; the carers' views; strengths. The recommendation panel beside
it follows every change, risks first, in a short plain summary."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..errors import ValidationFailed
from ..measures.outcomes import baseline_bands
from ..model import vocabulary
from ..rules import recommend
from ..store import CaseStore
from ._base import CaseView
from ._forms import (
    area,
    beside_panel,
    button,
    check,
    choices,
    day,
    dropdown,
    heading,
    message_html,
    several,
    shared,
    text,
)
from .forms.screening import ScreeningForm
from .summary import summary_html


class _Row:
    """One vocabulary term: a checkbox in words and, once ticked, its details (built on
    first tick: a screening lists every term, a child has a few)."""

    key = ""

    def __init__(self, view: ScreeningView, prefix: str, label: str) -> None:
        self.view, self.prefix, self.label = view, prefix, label
        self.chosen = view.form.add(f"{prefix}.chosen", check(self.title())).widget
        self.fields: list[Any] = []
        self.details = w.VBox([], layout=w.Layout(margin="0 0 6px 2em", display="none"))
        # The checkbox has no error line of its own (a row's problems land on its details).
        self.widget = w.VBox([self.chosen, self.details], layout=shared("plain"))
        self.chosen.observe(self._toggle, names="value")

    def title(self) -> str:
        return self.label

    def inputs(self) -> list[tuple[str, Any]]:  # pragma: no cover - each kind of row says
        raise NotImplementedError

    def _build(self) -> None:
        if self.fields:
            return
        for name, widget in self.inputs():
            field = self.view.form.add(f"{self.prefix}.{name}", widget)
            self.view.watch(field)
            self.fields.append(field)
        self.details.children = [f.box for f in self.fields]

    def field(self, name: str) -> Any:
        self._build()
        return self.view.form.fields[f"{self.prefix}.{name}"]

    def _toggle(self, _change: Any = None) -> None:
        if self.chosen.value:
            self._build()
        self.details.layout.display = "" if self.chosen.value else "none"

    def show(self, values: dict[str, Any]) -> None:
        """Show the row's values (:meth:`.forms.screening.ScreeningForm.row_values`);
        its details are built when it is ticked or already built."""
        chosen = bool(values[f"{self.prefix}.chosen"])
        if chosen:
            self._build()
        for f in self.fields:
            f.fill(values[f.path])
        self.chosen.value = chosen
        self._toggle()


class _FactorRow(_Row):
    key = "factor"

    def inputs(self) -> list[tuple[str, Any]]:
        return [
            ("evidence", area(f"Evidence: {self.label}")),
            ("sources", several(f"Sources: {self.label}", choices("source"))),
        ]

    evidence = property(lambda self: self.field("evidence"))
    sources = property(lambda self: self.field("sources"))


class _BehaviourRow(_FactorRow):
    key = "behaviour"

    def inputs(self) -> list[tuple[str, Any]]:
        return [
            *super().inputs(),
            ("frequency", dropdown(f"How often: {self.label}", choices("frequency"))),
            ("severity", dropdown(f"Severity: {self.label}", choices("severity"))),
        ]

    frequency = property(lambda self: self.field("frequency"))
    severity = property(lambda self: self.field("severity"))


class _RiskRow(_Row):
    """One kind of risk: what a safety plan records."""

    key = "kind"

    def title(self) -> str:
        return f"Risk: {self.label}"

    def inputs(self) -> list[tuple[str, Any]]:
        label = self.label
        return [
            ("evidence", area(f"Evidence: {label}")),
            ("reported_by", several(f"Reported by: {label}", choices("source"))),
            ("recorded", day(f"Recorded on: {label}", self.view.as_of)),
            ("level", dropdown(f"Level: {label}", choices("risk_level"))),
            ("safety_plan", check(f"Safety plan in place: {label}")),
            ("safety_plan_holder", text(f"Safety plan held by: {label}")),
            ("review_due", day(f"Review due: {label}")),
        ]

    reported_by = property(lambda self: self.field("reported_by"))
    level = property(lambda self: self.field("level"))
    safety_plan = property(lambda self: self.field("safety_plan"))
    holder = property(lambda self: self.field("safety_plan_holder"))
    review_due = property(lambda self: self.field("review_due"))


class ScreeningView(CaseView):
    """The screening of the open case, with the live recommendation beside it."""

    model: ScreeningForm

    def make_model(self) -> ScreeningForm:
        return ScreeningForm(self.as_of)

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        voc = vocabulary()
        add = self.form.add
        self.started = add("screening.started", day("Screening started"))
        self.completed = add("screening.completed", day("Screening completed"))
        self.history = {
            t: _FactorRow(self, f"screening.history.{t}", label)
            for t, label in voc["history_factor"].terms.items()
        }
        self.behaviours = {
            t: _BehaviourRow(self, f"screening.behaviour.{t}", label)
            for t, label in voc["presenting_behaviour"].terms.items()
        }
        self.risks = {
            t: _RiskRow(self, f"screening.risk.{t}", label)
            for t, label in voc["risk_kind"].terms.items()
        }
        self.life_story = add(
            "screening.life_story_work", dropdown("Life story work", choices("life_story_work"))
        )
        self.child_voice = add(
            "screening.child_voice",
            area("The child's voice", placeholder="In the child's own words"),
        )
        self.carer_views = add("screening.carer_views", area("The carers' views"))
        self.strengths = add("screening.strengths", area("Strengths (one a line)"))
        self.save_button = button("Save screening", "primary")
        self.saves(self.save_button, self.save)
        self.panel = w.HTML("", layout=shared("auto"))
        self.timing = w.Label("")
        self.last_update_ms = 0.0
        self._bands: dict[str, str] = {}
        self._filling = False
        for item in self.form.fields.values():
            self.watch(item)
        form_box = w.VBox(
            [
                self.title,
                self.form.banner,
                self.stale,
                self.started.box,
                self.completed.box,
                heading("History factors"),
                *[r.widget for r in self.history.values()],
                heading("Presenting behaviours"),
                *[r.widget for r in self.behaviours.values()],
                heading("Risks"),
                *[r.widget for r in self.risks.values()],
                heading("The child and those around them"),
                self.life_story.box,
                self.child_voice.box,
                self.carer_views.box,
                self.strengths.box,
                w.HBox([self.save_button, self.form.echo]),
            ]
        )
        self.widget = beside_panel(form_box, "Recommendation", self.panel)
        self.panel.value = message_html(self.empty_text, "note")

    def watch(self, item: Any) -> None:
        item.widget.observe(lambda _c: self.update_recommendation(), names="value")

    # -- the record --------------------------------------------------------------------

    def changes(self) -> dict[str, Any]:
        """The screening as typed, and where each list row's problems belong."""
        return self.model.changes(self.form.field_values())

    def absorb(self, added: dict[str, list[dict[str, Any]]]) -> None:
        """Tick and fill the rows the other person added (a row I ticked keeps my values)."""
        rows = {**self.history, **self.behaviours, **self.risks}
        by_prefix = {row.prefix: row for row in rows.values()}
        for values in self.model.added_rows(added):
            prefix = next(iter(values)).removesuffix(".chosen")
            row = by_prefix.get(prefix)
            if row is not None and not row.chosen.value:
                row.show(values)

    def typed_case(self) -> Any:
        assert self.case is not None
        return self.model.typed_case(self.case, self.form.field_values())

    def show_case(self) -> None:
        assert self.case is not None
        self._bands = baseline_bands([self.case])[self.case.case_id]
        self._filling = True
        try:
            self._fill()
        finally:
            self._filling = False
        self.update_recommendation()

    def _fill(self) -> None:
        values = self.model.values_of_case(self.case)
        for field in (self.started, self.completed):
            field.fill(values[field.path])
        for row in (*self.history.values(), *self.behaviours.values(), *self.risks.values()):
            row.show(values)
        for field in (self.life_story, self.child_voice, self.carer_views, self.strengths):
            field.fill(values[field.path])

    def save(self) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        try:
            case = self.typed_case()
        except ValidationFailed as exc:
            self.form.show_problems(exc.problems)
            return None
        return self._saved(
            lambda: casework.save_case(
                self.store, case, user=self.user, note="screening saved in the workbench"
            ),
            self.changes(),
            "screening saved",
            retry=self.save,
        )

    # -- the live panel ----------------------------------------------------------------

    def update_recommendation(self) -> None:
        """The recommendation for the screening as typed (the last valid state while a
        field is being fixed). Its time is kept in ``last_update_ms``."""
        if self.case is None or self._filling:
            return
        start = time.perf_counter()
        try:
            case = self.typed_case()
        except ValidationFailed as exc:
            note = message_html(
                f"Showing the last valid recommendation: {len(exc.problems)} field(s) to fix first.",
                "note",
            )
            self.panel.value = (
                note + self.panel.value.split("</div>", 1)[-1]
                if "tswt-note" in self.panel.value
                else note + self.panel.value
            )
            return
        rec = recommend(case, bands=self._bands, risk_as_of=self.as_of)
        self.panel.value = summary_html(rec)
        self.last_update_ms = (time.perf_counter() - start) * 1000
