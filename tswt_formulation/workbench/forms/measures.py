"""The measures forms as plain data: an SDQ administration (the form chosen by informant
and age, items by number, the impact supplement), GBO goals and their ratings, and the
child's recorded measures to correct or withdraw with a reason. From a case, the values
the forms show; from the values, the measures and goals a save lays over the case, or
the problems that stop it (each naming its field, or none for the form as a whole)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ...errors import Problem
from ...model import Case
from .model import FormModel, Values
from .records import base_record

TIMEPOINTS = [
    ("Baseline", "baseline"),
    *[(f"Review {n}", f"review {n}") for n in range(1, 9)],
    ("Closure", "closure"),
]
SDQ_INFORMANTS = [
    ("Parent or carer", "parent"),
    ("Teacher", "teacher"),
    ("Child or young person (self-report)", "self"),
]
GBO_INFORMANTS = [
    ("Child or young person", "self"),
    ("Parent or carer", "parent"),
    ("Teacher", "teacher"),
    ("Worker", "worker"),
]
GOALS = (1, 2, 3)


class MeasuresForm(FormModel):
    """The SDQ, GBO and recorded-measures forms over the measure definition ``sdq``.
    :attr:`correcting`: the recorded measure each form's Save replaces ("sdq"/"gbo" ->
    (its index in the case's measures, the reason))."""

    def __init__(self, sdq: Any) -> None:
        super().__init__()
        self.sdq = sdq
        self.correcting: dict[str, tuple[int, str]] = {}
        for path in ("sdq.informant", "sdq.timepoint", "gbo.informant", "gbo.timepoint"):
            self.declare(path, "choice")
        for path in ("sdq.date", "gbo.date"):
            self.declare(path, "date")
        for item in sdq.items:
            self.declare(f"sdq.responses.{item.id}", "choice")
        for n in GOALS:
            self.declare(f"goals.{n}.description", "text")
            self.declare(f"goals.{n}.agreed", "date")
            self.declare(f"gbo.responses.{n}", "choice")
        self.declare("recorded.pick", "choice")
        self.declare("recorded.reason", "text")

    # -- the case -> the forms ---------------------------------------------------------

    def values_of_case(self, case: Case | None) -> Values:
        """The child's goals (ratings not yet given), no SDQ item answered, and each
        form's first timepoint not yet taken."""
        self.correcting = {}
        by_number = {g["number"]: g for g in base_record(case).get("goals", [])}
        values: Values = {}
        for n in GOALS:
            goal = by_number.get(n, {})
            values[f"goals.{n}.description"] = goal.get("description", "")
            values[f"goals.{n}.agreed"] = _day(goal.get("agreed"))
            values[f"gbo.responses.{n}"] = None
        for item in self.sdq.items:
            values[f"sdq.responses.{item.id}"] = None
        for measure in ("sdq", "gbo"):
            taken = {m.timepoint for m in case.measures if m.measure == measure} if case else set()
            values[f"{measure}.timepoint"] = next(
                (v for _l, v in TIMEPOINTS if v not in taken), "closure"
            )
        return values

    # -- the SDQ -------------------------------------------------------------------------

    def applies(self, item_id: str, informant: str) -> bool:
        """Is the item on the informant's form?"""
        item = self.sdq.item_by_id[item_id]
        return item.informants is None or informant in item.informants

    def form_version(self, case: Case | None, values: Mapping[str, Any]) -> str:
        """The SDQ form for this informant and the child's age on the date completed."""
        when = values.get("sdq.date")
        age = case.child.age_on(when) if case is not None and when else None
        return str(self.sdq.version_for(values.get("sdq.informant"), age).id)

    def responses(self, values: Mapping[str, Any]) -> dict[str, int | None]:
        informant = values.get("sdq.informant") or ""
        return {
            item.id: values.get(f"sdq.responses.{item.id}")
            for item in self.sdq.items
            if self.applies(item.id, informant)
        }

    def administration(self, case: Case | None, values: Mapping[str, Any]) -> dict[str, Any]:
        """The SDQ as typed, as record data. Raises TswtError when no form fits."""
        when = values.get("sdq.date")
        return {
            "measure": "sdq",
            "version": self.form_version(case, values),
            "informant": values.get("sdq.informant"),
            "date": when.isoformat() if when else None,
            "timepoint": values.get("sdq.timepoint"),
            "responses": self.responses(values),
        }

    def unscorable(self, values: Mapping[str, Any]) -> list[str]:
        """What keeps the entered SDQ from being scored, in the form's words: each scale
        needs at least ``min_answered`` of its items (youthinmind's prorating)."""
        answered = {i for i, v in self.responses(values).items() if v is not None}
        if not answered:
            return [
                "No items entered. Answer the items (at least 3 of the 5 in each scale) before saving."
            ]
        said = (score.too_few_answered(answered) for score in self.sdq.score_definitions)
        return [why for why in said if why is not None]

    def sdq_save(
        self, case: Case, values: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str] | list[Problem]:
        """The measures with the SDQ as typed (added, or replacing the one corrected) and
        the audit note; or why not. Raises TswtError when no form fits."""
        missing = self.unscorable(values)
        if missing:
            return [
                Problem("", "", "\n".join(["Not saved: the SDQ cannot be scored yet.", *missing]))
            ]
        admin = self.administration(case, values)
        measures = list(base_record(case).get("measures", []))
        entered = {k: v for k, v in admin.items() if v is not None}
        note = f"SDQ {admin['timepoint']} ({admin['informant']}) entered in the workbench"
        index, reason = self.correcting.get("sdq", (len(measures), ""))
        if reason:
            measures[index] = entered
            note = f"SDQ {admin['timepoint']} ({admin['informant']}) of {admin['date']} corrected in the workbench: {reason}"
        else:
            measures.append(entered)
        self.aliases = {f"measures[{index}]": "sdq"}
        return {"measures": measures}, note

    # -- goals and ratings ---------------------------------------------------------------

    def goals_save(
        self, case: Case, values: Mapping[str, Any], as_of: date
    ) -> tuple[dict[str, Any], str] | list[Problem]:
        """The goals as typed and their ratings (a GBO administration, added or replacing
        the one corrected) and the audit note; or why not."""
        goals, ratings = [], {}
        problems = []
        for n in GOALS:
            described = str(values.get(f"goals.{n}.description") or "")
            if described.strip():
                agreed = values.get(f"goals.{n}.agreed") or values.get("gbo.date") or as_of
                goals.append({"number": n, "description": described, "agreed": agreed.isoformat()})
            rating = values.get(f"gbo.responses.{n}")
            if rating is not None:
                if not described.strip():
                    problems.append(
                        Problem(
                            "",
                            f"gbo.responses.{n}",
                            f"Goal {n} is rated but there is no goal {n}: describe the goal, or leave it not rated.",
                        )
                    )
                ratings[str(n)] = rating
        if problems:
            return [
                *problems,
                Problem("", "", "Not saved: a rating needs its goal (see the ratings marked)."),
            ]
        if not goals and not ratings and not case.goals:
            return [Problem("", "", "Not saved: nothing entered. Describe a goal or rate one.")]
        when = values.get("gbo.date")
        if ratings and when is None:
            return [
                Problem("", "gbo.date", "Ratings date: required when a goal is rated."),
                Problem("", "", "Not saved: the ratings need their date."),
            ]
        changes: dict[str, Any] = {"goals": goals}
        self.aliases = {f"goals[{i}]": f"goals.{g['number']}" for i, g in enumerate(goals)}
        note = "goals and ratings entered in the workbench"
        if ratings:
            assert when is not None
            measures = list(base_record(case).get("measures", []))
            index, reason = self.correcting.get("gbo", (len(measures), ""))
            rated = {
                "measure": "gbo",
                "version": "GBO",
                "informant": values.get("gbo.informant"),
                "date": when.isoformat(),
                "timepoint": values.get("gbo.timepoint"),
                "responses": ratings,
            }
            if reason:
                measures[index] = rated
                note = f"GBO ratings {rated['timepoint']} of {rated['date']} corrected in the workbench: {reason}"
            else:
                measures.append(rated)
            self.aliases[f"measures[{index}]"] = "gbo"
            changes["measures"] = measures
        return changes, note

    # -- recorded measures: correct and withdraw -----------------------------------------

    @staticmethod
    def described(m: Any) -> str:
        """A recorded measure in a line: date, measure and form, informant, timepoint."""
        informant = dict((v, lbl) for lbl, v in SDQ_INFORMANTS).get(m.informant, m.informant)
        return f"{m.date.isoformat()} {m.measure.upper()} {m.version}, {informant}, {m.timepoint}"

    def recorded_choices(self, case: Case | None) -> list[tuple[str, int]]:
        measures = case.measures if case is not None else []
        return [(f"{i + 1}. {self.described(m)}", i) for i, m in enumerate(measures)]

    @staticmethod
    def chosen(
        case: Case | None, values: Mapping[str, Any]
    ) -> tuple[int, Any, str] | list[Problem]:
        """The recorded measure chosen and the reason for changing it; or why not."""
        index = values.get("recorded.pick")
        if case is None or index is None or index >= len(case.measures):
            return [Problem("", "", "Choose a recorded measure first.")]
        reason = str(values.get("recorded.reason") or "").strip()
        if not reason:
            return [
                Problem(
                    "",
                    "recorded.reason",
                    "Reason for the change: required (it goes in the audit log).",
                ),
                Problem("", "", "Not changed: say why (Reason for the change)."),
            ]
        return index, case.measures[index], reason

    @staticmethod
    def withdrawal(case: Case, index: int) -> dict[str, Any]:
        """The measures without the one withdrawn."""
        measures = list(base_record(case).get("measures", []))
        del measures[index]
        return {"measures": measures}

    def correction(self, m: Any, index: int, reason: str) -> Values | None:
        """The values that load a recorded measure into its form (None: no form here for
        that measure); its form's Save then replaces it."""
        if m.measure == "sdq":
            values: Values = {
                "sdq.informant": m.informant,
                "sdq.date": m.date,
                "sdq.timepoint": m.timepoint,
                **{f"sdq.responses.{i.id}": m.responses.get(i.id) for i in self.sdq.items},
            }
        elif m.measure == "gbo":
            values = {
                "gbo.informant": m.informant,
                "gbo.date": m.date,
                "gbo.timepoint": m.timepoint,
                **{f"gbo.responses.{n}": m.responses.get(str(n)) for n in GOALS},
            }
        else:
            return None
        self.correcting[m.measure] = (index, reason)
        return values


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
