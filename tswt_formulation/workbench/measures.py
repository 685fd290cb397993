"""Measures: an SDQ administration (the form chosen by informant and age; items by number
with the three response options, since item wording is licensed and never shipped; the
impact supplement) and GBO goals and ratings. Scores and bands appear as soon as the
last item is entered; the child's trajectory chart is below."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import ipywidgets as w

from ..errors import TswtError
from ..measures import load_measure, score_administrations
from ..measures.definition import MeanProratedScore
from ..model import case_to_data
from ..store import CaseStore
from ._base import CaseView
from ._forms import (
    base_record,
    button,
    day,
    dropdown,
    heading,
    message_html,
    shared,
    table_html,
    text,
)

TIMEPOINTS = [("Baseline", "baseline"), *[(f"Review {n}", f"review {n}") for n in range(1, 9)], ("Closure", "closure")]
SDQ_INFORMANTS = [("Parent or carer", "parent"), ("Teacher", "teacher"), ("Child or young person (self-report)", "self")]
SHOWN_SCORES = ("total", "emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact")
IMPACT_LABELS = {
    "overall_difficulties": "Overall: any difficulties?", "impact_distress": "Impact: distress",
    "impact_home": "Impact: home life", "impact_friendships": "Impact: friendships", "impact_classroom": "Impact: classroom learning",
    "impact_leisure": "Impact: leisure activities",
}


def _coding_options(measure: Any, item_id: str) -> list[tuple[str, int]]:
    coding = measure.coding(item_id)
    return [(f"{v} {coding.labels.get(v, '')}".strip(), v) for v in coding.values]


class MeasuresView(CaseView):
    """SDQ and GBO entry for the open case, with scores, bands and the trajectory."""

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        self.sdq = load_measure("sdq")
        add = self.form.add
        self.informant = add("sdq.informant", dropdown("Completed by", SDQ_INFORMANTS))
        self.when = add("sdq.date", day("Date completed", self.as_of))
        self.timepoint = add("sdq.timepoint", dropdown("Timepoint", TIMEPOINTS))
        self.version = w.HTML("")
        self.items: dict[str, w.RadioButtons] = {}
        for item in self.sdq.items:
            label = f"Item {item.id}" if item.id.isdigit() else IMPACT_LABELS.get(item.id, item.id)
            radio = w.RadioButtons(options=_coding_options(self.sdq, item.id), value=None, description=label,
                                   orientation="horizontal", style=shared("style"), layout=shared("width:62em"))
            self.items[item.id] = add(f"sdq.responses.{item.id}", radio).widget
        self.scores = w.HTML("")
        self.save_sdq = button("Save SDQ", "primary")
        # The outcome of a save is shown beside the button pressed (the form is long: a
        # line at its top would be off screen).
        self.sdq_status = w.HTML("", layout=shared("plain"))
        self.save_sdq.on_click(lambda _b: self._pressed(self.save_sdq, self.sdq_status, self.save_administration))
        self._sdq_saved = False  # the values shown were just saved: a second click saves nothing
        for widget in (self.informant.widget, self.when.widget, self.timepoint.widget, *self.items.values()):
            widget.observe(lambda _c: self.update_scores(), names="value")
            widget.observe(lambda _c: setattr(self, "_sdq_saved", False), names="value")
        self.informant.widget.observe(lambda _c: self._show_items(), names="value")
        # GBO: up to three goals, the family's own words, each rated 0-10 at a timepoint.
        self.goals = []
        for n in (1, 2, 3):
            described = add(f"goals.{n}.description", text(f"Goal {n}"))
            agreed = add(f"goals.{n}.agreed", day(f"Goal {n} agreed on"))
            rating = add(f"gbo.responses.{n}", dropdown(f"Goal {n} rating (0-10)", [("not rated", ""), *[(str(v), v) for v in range(11)]]))
            self.goals.append((described, agreed, rating))
        self.gbo_informant = add("gbo.informant", dropdown("Goals rated by", [("Child or young person", "self"), ("Parent or carer", "parent"), ("Teacher", "teacher"), ("Worker", "worker")]))
        # Ratings have their own date and timepoint: goals are often rated on another day
        # than the SDQ was completed.
        self.gbo_when = add("gbo.date", day("Ratings date", self.as_of))
        self.gbo_timepoint = add("gbo.timepoint", dropdown("Ratings timepoint", TIMEPOINTS))
        self.save_gbo = button("Save goals and ratings", "primary")
        self.gbo_status = w.HTML("", layout=shared("plain"))
        self.save_gbo.on_click(lambda _b: self._pressed(self.save_gbo, self.gbo_status, self.save_goals))
        self.chart = w.Image(format="png", layout=w.Layout(max_width="760px"))
        self.chart_note = w.HTML("")
        item_boxes = [self.form.fields[f"sdq.responses.{i.id}"].box for i in self.sdq.items]
        self.item_boxes = dict(zip(self.items, item_boxes))
        self.widget = w.VBox([
            self.title, self.form.banner, self.stale, heading("SDQ"), self.informant.box, self.when.box, self.timepoint.box,
            self.version, w.HTML("<p>Items by number (the questionnaire's wording is licensed and not shown here).</p>"),
            *item_boxes, self.scores, w.HBox([self.save_sdq, self.sdq_status]),
            heading("Goal-Based Outcomes"), self.gbo_informant.box, self.gbo_when.box, self.gbo_timepoint.box,
            *[b for g in self.goals for b in (g[0].box, g[1].box, g[2].box)], w.HBox([self.save_gbo, self.gbo_status]),
            heading("Trajectory"), self.chart_note, self.chart,
        ])
        self._show_items()

    # -- the SDQ form ------------------------------------------------------------------

    def form_version(self) -> str:
        """The SDQ form for this informant and the child's age on the date completed."""
        age = self.case.child.age_on(self.when.widget.value) if self.case is not None and self.when.widget.value else None
        return self.sdq.version_for(self.informant.widget.value, age).id

    def _applies(self, item_id: str) -> bool:
        item = self.sdq.item_by_id[item_id]
        return item.informants is None or self.informant.widget.value in item.informants

    def _show_items(self) -> None:
        for item_id, box in self.item_boxes.items():
            box.layout.display = "" if self._applies(item_id) else "none"
        try:
            self.version.value = message_html(f"Form {self.form_version()}", "note")
        except TswtError as exc:
            self.version.value = message_html(str(exc).splitlines()[-1])

    def responses(self) -> dict[str, int | None]:
        return {i: r.value for i, r in self.items.items() if self._applies(i)}

    def administration(self) -> dict[str, Any]:
        return {"measure": "sdq", "version": self.form_version(), "informant": self.informant.widget.value,
                "date": self.when.widget.value.isoformat() if self.when.widget.value else None,
                "timepoint": self.timepoint.widget.value, "responses": self.responses()}

    def update_scores(self) -> None:
        """Scores and bands once every numbered item has an answer."""
        missing = [i for i, v in self.responses().items() if i.isdigit() and v is None]
        if missing:
            self.scores.value = message_html(f"{25 - len(missing)} of 25 items entered; scores appear when all are in.", "note")
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

        rows = [(s, int(scored[s]), band(s)) for s in SHOWN_SCORES if s in scored and pd.notna(scored[s])]
        self.scores.value = table_html(["Score", "Value", "Band"], rows, caption=f"SDQ {admin.version}, {admin.informant}")

    def _pressed(self, pressed: w.Button, status: w.HTML, save: Any) -> Any:
        """Run a save for a button: the button is disabled while it runs, and what the
        save says (saved, or why not) is shown beside it."""
        if pressed.disabled:
            return None
        pressed.disabled = True
        before = self.form.banner.value
        try:
            result = save()
        finally:
            pressed.disabled = False
        if result is None and self.form.banner.value == before and status.value:
            return None  # nothing new to say (a repeated click): the last word stays
        self.sdq_status.value = self.gbo_status.value = ""
        status.value, self.form.banner.value = self.form.banner.value, ""
        return result

    def unscorable(self) -> list[str]:
        """What keeps the entered SDQ from being scored, in the form's words: each scale
        needs at least ``min_answered`` of its items (youthinmind's prorating)."""
        answered = {i for i, v in self.responses().items() if v is not None}
        if not answered:
            return ["No items entered. Answer the items (at least 3 of the 5 in each scale) before saving."]
        out = []
        for score in self.sdq.score_definitions:
            if isinstance(score, MeanProratedScore):
                n = len(answered & set(score.items))
                if n < score.min_answered:
                    out.append(f"{score.label or score.id}: {n} of {len(score.items)} items answered "
                               f"(items {', '.join(score.items)}); at least {score.min_answered} are needed to score it.")
        return out

    def save_administration(self) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        if self._sdq_saved:
            return None  # the values just saved, clicked again: saved once
        missing = self.unscorable()
        if missing:
            self.form.clear()
            self.form.banner.value = message_html("\n".join(["Not saved: the SDQ cannot be scored yet.", *missing]))
            return None
        try:
            admin = self.administration()
        except TswtError as exc:
            self.form.show_error(exc)
            return None
        index = len(self.case.measures)
        self.form.aliases = {f"measures[{index}]": "sdq"}
        base = base_record(self.case)
        changes = {"measures": [*base.get("measures", []), {k: v for k, v in admin.items() if v is not None}]}
        saved = self.save_fields(changes, f"SDQ {admin['timepoint']} ({admin['informant']}) entered in the workbench")
        if saved is not None:
            for radio in self.items.values():
                radio.value = None
            self.mark_clean()
            self.shown()
            self._sdq_saved = True
        return saved

    def save_goals(self) -> Any:
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        base = base_record(self.case)
        goals, ratings = [], {}
        self.form.clear()
        unrated = []
        for n, (described, agreed, rating) in enumerate(self.goals, start=1):
            if described.widget.value.strip():
                goals.append({"number": n, "description": described.widget.value,
                              "agreed": (agreed.widget.value or self.gbo_when.widget.value or self.as_of).isoformat()})
            if rating.widget.value != "":
                if not described.widget.value.strip():
                    rating.show(f"Goal {n} is rated but there is no goal {n}: describe the goal, or leave it not rated.")
                    unrated.append(n)
                ratings[str(n)] = rating.widget.value
        if unrated:
            self.form.banner.value = message_html("Not saved: a rating needs its goal (see the ratings marked).")
            return None
        if not goals and not ratings and not self.case.goals:
            self.form.banner.value = message_html("Not saved: nothing entered. Describe a goal or rate one.")
            return None
        if ratings and self.gbo_when.widget.value is None:
            self.gbo_when.show("Ratings date: required when a goal is rated.")
            self.form.banner.value = message_html("Not saved: the ratings need their date.")
            return None
        changes: dict[str, Any] = {"goals": goals}
        self.form.aliases = {f"goals[{i}]": f"goals.{g['number']}" for i, g in enumerate(goals)}
        if ratings:
            index = len(self.case.measures)
            self.form.aliases[f"measures[{index}]"] = "gbo"
            changes["measures"] = [*base.get("measures", []), {
                "measure": "gbo", "version": "GBO", "informant": self.gbo_informant.widget.value,
                "date": self.gbo_when.widget.value.isoformat(), "timepoint": self.gbo_timepoint.widget.value,
                "responses": ratings}]
        saved = self.save_fields(changes, "goals and ratings entered in the workbench")
        if saved is not None:
            self.shown()
        return saved

    # -- the case ----------------------------------------------------------------------

    def show_case(self) -> None:
        assert self.case is not None
        data = case_to_data(self.case)
        by_number = {g["number"]: g for g in data.get("goals", [])}
        for n, (described, agreed, rating) in enumerate(self.goals, start=1):
            goal = by_number.get(n, {})
            described.fill(goal.get("description", ""))
            agreed.fill(goal.get("agreed"))
            rating.widget.value = ""
        for radio in self.items.values():
            radio.value = None
        for measure, field in (("sdq", self.timepoint), ("gbo", self.gbo_timepoint)):
            taken = {m.timepoint for m in self.case.measures if m.measure == measure}
            field.widget.value = next((v for _l, v in TIMEPOINTS if v not in taken), "closure")
        self._sdq_saved = False
        self.sdq_status.value = self.gbo_status.value = ""
        self._show_items()
        self.chart.value = b""
        self.chart_note.value = message_html("The chart is drawn when this tab is shown.", "note")

    def shown(self) -> None:
        """Draw the child's SDQ trajectory (called when the tab is shown: matplotlib is slow to start)."""
        if self.case is None:
            return
        from ..measures.outcomes import case_outcomes

        traj = case_outcomes(self.case, self.as_of).trajectory
        sdq = traj[(traj["measure"] == "sdq") & (traj["score"] == "total")] if not traj.empty else traj
        if sdq.empty:
            self.chart.value = b""
            self.chart_note.value = message_html("No SDQ recorded yet: the trajectory appears after the first one.", "note")
            return
        from ..plots import plot_trajectory

        informant = str(sdq.sort_values("date")["informant"].iloc[-1])
        fig = plot_trajectory(sdq, score="total", informant=informant, case_id=self.case.case_id)
        fig.set_size_inches(7.5, 3.2)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        self.chart.value = buffer.getvalue()
        self.chart_note.value = message_html(f"SDQ total ({informant}) over time.", "note")


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)

