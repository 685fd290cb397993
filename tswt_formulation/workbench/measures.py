"""Measures: an SDQ administration (the form chosen by informant and age; items by number
with the three response options, since item wording is licensed and never shipped; the
impact supplement) and GBO goals and ratings. Scores and bands appear as soon as the
last item is entered; the child's trajectory chart is below."""

from __future__ import annotations

import base64
import io
from datetime import date
from typing import Any

import ipywidgets as w

from ..chart_text import VALUE_HEADERS, trend_sentence, value_rows
from ..errors import TswtError
from ..measures import load_measure, score_administrations
from ..store import CaseStore
from ._base import CaseView
from ._forms import (
    button,
    day,
    dropdown,
    heading,
    inert,
    message_html,
    shared,
    table_html,
    text,
)
from .a11y import live
from .forms.measures import GBO_INFORMANTS, SDQ_INFORMANTS, TIMEPOINTS, MeasuresForm

_REPORTS = {"parent": "parent report", "teacher": "teacher report", "self": "self-report"}
SHOWN_SCORES = ("total", "emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact")
IMPACT_LABELS = {
    "overall_difficulties": "Overall: any difficulties?",
    "impact_distress": "Impact: distress",
    "impact_home": "Impact: home life",
    "impact_friendships": "Impact: friendships",
    "impact_classroom": "Impact: classroom learning",
    "impact_leisure": "Impact: leisure activities",
}


def _coding_options(measure: Any, item_id: str) -> list[tuple[str, int]]:
    coding = measure.coding(item_id)
    return [(f"{v} {coding.labels.get(v, '')}".strip(), v) for v in coding.values]


class MeasuresView(CaseView):
    """SDQ and GBO entry for the open case, with scores, bands and the trajectory."""

    model: MeasuresForm

    def make_model(self) -> MeasuresForm:
        return MeasuresForm(load_measure("sdq"))

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        self.sdq = self.model.sdq
        add = self.form.add
        self.informant = add("sdq.informant", dropdown("Completed by", SDQ_INFORMANTS))
        self.when = add("sdq.date", day("Date completed", self.as_of))
        self.timepoint = add("sdq.timepoint", dropdown("Timepoint", TIMEPOINTS))
        self.version = w.HTML("")
        self.items: dict[str, w.RadioButtons] = {}
        for item in self.sdq.items:
            label = f"Item {item.id}" if item.id.isdigit() else IMPACT_LABELS.get(item.id, item.id)
            radio = w.RadioButtons(
                options=_coding_options(self.sdq, item.id),
                value=None,
                description=label,
                orientation="horizontal",
                style=shared("style"),
                layout=shared("width:62em"),
            )
            self.items[item.id] = add(f"sdq.responses.{item.id}", radio).widget
        self.scores = w.HTML("")
        self.save_sdq = button("Save SDQ", "primary")
        # The result of a save is shown beside the button pressed (the form is long: a
        # line at its top would be off screen).
        self.sdq_status = live(w.HTML("", layout=shared("plain")))
        self.saves(self.save_sdq, lambda: self._pressed(self.sdq_status, self.save_administration))
        for widget in (
            self.informant.widget,
            self.when.widget,
            self.timepoint.widget,
            *self.items.values(),
        ):
            widget.observe(lambda _c: self.update_scores(), names="value")
        self.informant.widget.observe(lambda _c: self._show_items(), names="value")
        # GBO: up to three goals, the family's own words, each rated 0-10 at a timepoint.
        self.goals = []
        for n in (1, 2, 3):
            described = add(f"goals.{n}.description", text(f"Goal {n}"))
            agreed = add(f"goals.{n}.agreed", day(f"Goal {n} agreed on"))
            rating = add(
                f"gbo.responses.{n}",
                dropdown(
                    f"Goal {n} rating (0-10)",
                    [("not rated", ""), *[(str(v), v) for v in range(11)]],
                ),
            )
            self.goals.append((described, agreed, rating))
        self.gbo_informant = add(
            "gbo.informant",
            dropdown("Goals rated by", GBO_INFORMANTS),
        )
        # Ratings have their own date and timepoint: goals are often rated on another day
        # than the SDQ was completed.
        self.gbo_when = add("gbo.date", day("Ratings date", self.as_of))
        self.gbo_timepoint = add("gbo.timepoint", dropdown("Ratings timepoint", TIMEPOINTS))
        self.save_gbo = button("Save goals and ratings", "primary")
        self.gbo_status = live(w.HTML("", layout=shared("plain")))
        self.saves(self.save_gbo, lambda: self._pressed(self.gbo_status, self.save_goals))
        # The child's recorded measures, each correctable or withdrawn with a reason (audited).
        self.recorded = w.HTML("")
        self.pick = add("recorded.pick", dropdown("Recorded measure", []))
        self.reason = add(
            "recorded.reason",
            text("Reason for the change", placeholder="why it is corrected or withdrawn"),
        )
        self.correct = button(
            "Correct it", tooltip="Load the chosen measure into the form above; Save replaces it"
        )
        self.withdraw = button(
            "Withdraw it",
            "danger",
            tooltip="Remove the chosen measure; the reason goes in the audit log",
        )
        self.recorded_status = live(w.HTML("", layout=shared("plain")))
        recorded = lambda: bool(self.case is not None and self.case.measures)  # noqa: E731
        self.saves(self.correct, self.correct_chosen, enabled=recorded)
        self.saves(
            self.withdraw,
            lambda: self._pressed(self.recorded_status, self.withdraw_chosen),
            enabled=recorded,
        )
        # an <img> with its alt text (the trend in words); ipywidgets' Image has no alt
        self.chart = w.HTML("", layout=w.Layout(max_width="760px", display="none"))
        self.chart_note = w.HTML("")
        self.chart_values = w.HTML("")  # the chart as text: its values, and the trend in words
        self.added_value = w.HTML("")  # read-only: AVS and informants side by side (issue 23)
        item_boxes = [self.form.fields[f"sdq.responses.{i.id}"].box for i in self.sdq.items]
        for box in item_boxes:  # each its own layout: hidden by informant, and a field's box
            box.layout = w.Layout(margin="0 0 2px 0")  # shares one with every field otherwise
        self.item_boxes = dict(zip(self.items, item_boxes))
        self.widget = w.VBox(
            [
                self.title,
                self.form.banner,
                self.stale,
                heading("SDQ"),
                self.informant.box,
                self.when.box,
                self.timepoint.box,
                self.version,
                w.HTML(
                    "<p>Items by number (the questionnaire's wording is licensed and not shown here).</p>"
                ),
                *item_boxes,
                self.scores,
                w.HBox([self.save_sdq, self.sdq_status]),
                heading("Goal-Based Outcomes"),
                self.gbo_informant.box,
                self.gbo_when.box,
                self.gbo_timepoint.box,
                *[b for g in self.goals for b in (g[0].box, g[1].box, g[2].box)],
                w.HBox([self.save_gbo, self.gbo_status]),
                heading("Recorded measures"),
                self.recorded,
                self.pick.box,
                self.reason.box,
                w.HBox([self.correct, self.withdraw, self.recorded_status]),
                heading("Trajectory"),
                self.chart_note,
                self.chart,
                self.chart_values,
                heading("Added value and informants"),
                self.added_value,
            ]
        )
        self._show_items()

    # -- the SDQ form ------------------------------------------------------------------

    def form_version(self) -> str:
        """The SDQ form for this informant and the child's age on the date completed."""
        return self.model.form_version(self.case, self.form.field_values())

    def _applies(self, item_id: str) -> bool:
        return self.model.applies(item_id, self.informant.widget.value)

    def _show_items(self) -> None:
        report = _REPORTS.get(self.informant.widget.value, "")
        for item_id, box in self.item_boxes.items():
            box.layout.display = "" if self._applies(item_id) else "none"
            # what a screen reader says for the group and each option (workbench/a11y.py):
            # "SDQ item 3, parent report: 1 somewhat true"
            label = f"item {item_id}" if item_id.isdigit() else IMPACT_LABELS.get(item_id, item_id)
            self.items[item_id].tooltip = f"SDQ {label}, {report}"
        try:
            self.version.value = message_html(f"Form {self.form_version()}", "note")
        except TswtError as exc:
            self.version.value = message_html(str(exc).splitlines()[-1])

    def responses(self) -> dict[str, int | None]:
        return self.model.responses(self.form.field_values())

    def administration(self) -> dict[str, Any]:
        return self.model.administration(self.case, self.form.field_values())

    def update_scores(self) -> None:
        """Scores and bands once every numbered item has an answer."""
        missing = [i for i, v in self.responses().items() if i.isdigit() and v is None]
        if missing:
            self.scores.value = message_html(
                f"{25 - len(missing)} of 25 items entered; scores appear when all are in.", "note"
            )
            return
        try:
            from ..model import MeasureAdministration

            admin = MeasureAdministration.model_validate_json(_json(self.administration()))
            age = self.case.child.age_on(admin.date) if self.case is not None else None
            scored = score_administrations([admin], [age]).iloc[0]
        except (TswtError, ValueError) as exc:
            self.scores.value = message_html(str(exc).splitlines()[-1])
            return
        import pandas as pd

        def band(name: str) -> str:
            value = scored.get(f"{name}_band3")
            return "" if value is None or pd.isna(value) else str(value)

        rows = [
            (s, int(scored[s]), band(s))
            for s in SHOWN_SCORES
            if s in scored and pd.notna(scored[s])
        ]
        self.scores.value = table_html(
            ["Score", "Value", "Band"], rows, caption=f"SDQ {admin.version}, {admin.informant}"
        )

    def _pressed(self, status: w.HTML, save: Any) -> Any:
        """Run a save for a button (wired by :meth:`saves`: disabled while it runs, one
        press saving once); what the save says (saved, or why not) is shown beside it."""
        before = self.form.banner.value
        result = save()
        if result is None and self.form.banner.value == before and status.value:
            return None  # nothing new to say (a repeated click): the last word stays
        self.sdq_status.value = self.gbo_status.value = self.recorded_status.value = ""
        status.value, self.form.banner.value = self.form.banner.value, ""
        return result

    def unscorable(self) -> list[str]:
        """What keeps the entered SDQ from being scored (:meth:`.MeasuresForm.unscorable`)."""
        return self.model.unscorable(self.form.field_values())

    def save_administration(self) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        try:
            save = self.model.sdq_save(self.case, self.form.field_values())
        except TswtError as exc:
            self.form.show_error(exc)
            return None
        if isinstance(save, list):
            self.form.clear()
            self.form.refuse(save)
            return None
        changes, note = save
        saved = self.save_fields(changes, note, retry=self.save_administration)
        if saved is not None:
            self.model.correcting.pop("sdq", None)
            self.show_recorded()
            for radio in self.items.values():
                radio.value = None
            self.mark_clean()
            self.shown()
        return saved

    def save_goals(self) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        self.form.clear()
        save = self.model.goals_save(self.case, self.form.field_values(), self.as_of)
        if isinstance(save, list):
            self.form.refuse(save)
            return None
        changes, note = save
        saved = self.save_fields(changes, note, retry=self.save_goals)
        if saved is not None:
            self.model.correcting.pop("gbo", None)
            self.show_recorded()
            self.shown()
        return saved

    # -- recorded measures: correct and withdraw -----------------------------------------

    def _described(self, m: Any) -> str:
        return self.model.described(m)

    def show_recorded(self) -> None:
        """The child's recorded measures: date, informant, form, timepoint, scores."""
        from ..measures.one_child import score_one

        measures = self.case.measures if self.case is not None else []
        rows = []
        for m in measures:
            try:
                scores = score_one(load_measure(m.measure), m)
                shown = ", ".join(
                    f"{k} {v}"
                    for k, v in scores.items()
                    if v is not None and (m.measure != "sdq" or k in SHOWN_SCORES)
                )
            except TswtError:
                shown = ""
            rows.append(
                (
                    m.date.isoformat(),
                    m.informant,
                    f"{m.measure.upper()} {m.version}",
                    m.timepoint,
                    shown or "(not scored)",
                )
            )
        self.recorded.value = (
            table_html(
                ["Date", "Informant", "Form", "Timepoint", "Scores"],
                rows,
                caption="Recorded measures",
            )
            if rows
            else message_html("No measures recorded yet.", "note")
        )
        self.pick.widget.options = self.model.recorded_choices(self.case)
        self.pick.widget.value = 0 if measures else None
        for control in (self.correct, self.withdraw):
            control.disabled = not measures
        self.reason.widget.value = ""
        self._clean.update(
            {p: self.form.fields[p].widget.value for p in ("recorded.pick", "recorded.reason")}
        )

    def _chosen(self) -> tuple[int, Any, str] | None:
        """The chosen measure and the reason, or None with the form saying what is needed."""
        self.form.clear()
        chosen = self.model.chosen(self.case, self.form.field_values())
        if isinstance(chosen, list):
            self.form.refuse(chosen)
            return None
        return chosen

    def withdraw_chosen(self) -> Any:
        """Remove a recorded measure, the reason in the audit note (the store keeps every
        earlier version, so what was withdrawn can still be read there)."""
        chosen = self._chosen()
        if chosen is None or self.case is None:
            return None
        index, m, reason = chosen
        saved = self.save_fields(
            self.model.withdrawal(self.case, index),
            f"{self._described(m)} withdrawn in the workbench: {reason}",
        )
        if saved is not None:
            self.show_recorded()
            self.mark_clean()
            self.shown()
        return saved

    def correct_chosen(self) -> None:
        """Load a recorded measure into its form; its Save then replaces it."""
        chosen = self._chosen()
        if chosen is None:
            self.recorded_status.value, self.form.banner.value = self.form.banner.value, ""
            return
        index, m, reason = chosen
        values = self.model.correction(m, index, reason)
        if values is None:
            self.recorded_status.value = message_html(
                f"{m.measure} cannot be corrected here: use tswt measures."
            )
            return
        self.form.show(values)
        where = (
            "the SDQ above; Save SDQ replaces it"
            if m.measure == "sdq"
            else "the goals above; Save goals and ratings replaces it"
        )
        self.recorded_status.value = message_html(
            f"Correcting {self._described(m)}: loaded into {where}.", "note"
        )

    # -- the case ----------------------------------------------------------------------

    def show_case(self) -> None:
        assert self.case is not None
        self.form.show(self.model.values_of_case(self.case))
        self.sdq_status.value = self.gbo_status.value = self.recorded_status.value = ""
        self.show_recorded()
        self._show_items()
        self.chart.value = ""
        self.chart.layout.display = "none"
        self.chart_values.value = ""
        self.chart_note.value = message_html("The chart is drawn when this tab is shown.", "note")
        self.added_value.value = message_html("Shown when this tab is shown.", "note")

    def shown(self) -> None:
        """Draw the child's SDQ trajectory (called when the tab is shown: matplotlib is slow to start)."""
        if self.case is None:
            return
        from ..measures.outcomes import case_outcomes

        result = case_outcomes(self.case, self.as_of)
        traj = result.trajectory
        self.added_value.value = _added_value_panel(result.scored, self.as_of)
        sdq = (
            traj[(traj["measure"] == "sdq") & (traj["score"] == "total")]
            if not traj.empty
            else traj
        )
        if sdq.empty:
            self.chart.value = ""
            self.chart.layout.display = "none"  # a sentence, not an empty (broken) image
            self.chart_values.value = ""
            self.chart_note.value = message_html(
                "No SDQ recorded yet: the trajectory appears after the first one.", "note"
            )
            return
        from ..plots import plot_trajectory

        informant = str(sdq.sort_values("date")["informant"].iloc[-1])
        fig = plot_trajectory(sdq, score="total", informant=informant, case_id=self.case.case_id)
        fig.set_size_inches(7.5, 3.2)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        drawn = sdq[sdq["informant"] == informant]
        trend = trend_sentence(drawn, "SDQ total difficulties", score="total")
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.chart.value = (
            f'<img alt="{inert("Chart: " + trend)}" style="max-width:100%" '
            f'src="data:image/png;base64,{png}">'
        )
        self.chart.layout.display = ""
        self.chart_note.value = message_html(f"SDQ total ({informant}) over time.", "note")
        self.chart_values.value = table_html(
            VALUE_HEADERS, value_rows(drawn, "total"), caption=f"The chart's values. {trend}"
        )


def _added_value_panel(scored: Any, as_of: date) -> str:
    from ..measures.constants import active_constants
    from ..reports.added_value import workbench_panel

    return workbench_panel(scored, active_constants(), as_of)


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)
