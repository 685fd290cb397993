"""The screening form as plain data: the dates, a row for every term of the history
factors, presenting behaviours and risks (ticked, and its details), life story work,
the child's voice, the carers' views and strengths (one a line). From a case, the values
the form shows; from the values, the screening the case then has, or its problems."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ...errors import Problem, ValidationFailed
from ...model import Case, vocabulary
from .model import FormModel, Values, from_record, to_record
from .records import base_record, form_to_case, merge

#: Each kind of row: (its path in the form, the record's list, the key naming an item,
#: the vocabulary of its terms).
ROWS = (
    ("history", "history_factors", "factor", "history_factor"),
    ("behaviour", "presenting_behaviours", "behaviour", "presenting_behaviour"),
    ("risk", "risks", "kind", "risk_kind"),
)
#: A row's details, by kind of row: field name -> kind of value.
DETAILS: dict[str, dict[str, str]] = {
    "history": {"evidence": "text", "sources": "choices"},
    "behaviour": {
        "evidence": "text",
        "sources": "choices",
        "frequency": "choice",
        "severity": "choice",
    },
    "risk": {
        "evidence": "text",
        "reported_by": "choices",
        "recorded": "date",
        "level": "choice",
        "safety_plan": "flag",
        "safety_plan_holder": "text",
        "review_due": "date",
    },
}
SIMPLE = {
    "screening.started": "date",
    "screening.completed": "date",
    "screening.life_story_work": "choice",
    "screening.child_voice": "text",
    "screening.carer_views": "text",
    "screening.strengths": "text",
}


class ScreeningForm(FormModel):
    """The screening form of a case, on the date ``as_of`` (a risk's default date)."""

    def __init__(self, as_of: date) -> None:
        super().__init__()
        self.as_of = as_of
        self.recorded_order: dict[str, list[str]] = {}  # list -> terms, as the record has them
        for path, kind in SIMPLE.items():
            self.declare(path, kind)
        for row, _listed, _key, terms in ROWS:
            for term in vocabulary()[terms].terms:
                self.declare(f"screening.{row}.{term}.chosen", "flag")
                for name, kind in DETAILS[row].items():
                    self.declare(f"screening.{row}.{term}.{name}", kind)

    def defaults(self, row: str) -> dict[str, Any]:
        """What a newly ticked row shows before anything is typed."""
        if row == "behaviour":
            return {"frequency": "rarely", "severity": "mild"}
        if row == "risk":
            return {"recorded": self.as_of.isoformat(), "level": "low"}
        return {}

    def row_values(self, row: str, term: str, entry: Mapping[str, Any] | None) -> Values:
        """A row's values: ticked when the record has an ``entry`` for the term, and its
        details (the defaults where the entry says nothing)."""
        prefix = f"screening.{row}.{term}"
        details = {**self.defaults(row), **(entry or {})}
        return {
            f"{prefix}.chosen": entry is not None,
            **{
                f"{prefix}.{name}": from_record(kind, details.get(name))
                for name, kind in DETAILS[row].items()
            },
        }

    def values_of_case(self, case: Case | None) -> Values:
        data = base_record(case).get("screening", {})
        values: Values = {
            "screening.started": from_record("date", data.get("started") or self.as_of.isoformat()),
            "screening.completed": from_record("date", data.get("completed")),
        }
        # Each list's rows in the order the record has them, so that saving the form with
        # nothing changed writes nothing (it reordered them, a version nobody made).
        self.recorded_order = {
            listed: [entry[key] for entry in data.get(listed, [])] for _r, listed, key, _t in ROWS
        }
        for row, listed, key, terms in ROWS:
            by_term = {entry[key]: entry for entry in data.get(listed, [])}
            for term in vocabulary()[terms].terms:
                values.update(self.row_values(row, term, by_term.get(term)))
        values["screening.life_story_work"] = data.get("life_story_work", "not_started")
        values["screening.child_voice"] = from_record("text", data.get("child_voice", ""))
        values["screening.carer_views"] = from_record("text", data.get("carer_views", ""))
        values["screening.strengths"] = "\n".join(data.get("strengths", []))
        return values

    def added_rows(self, added: Mapping[str, list[dict[str, Any]]]) -> list[Values]:
        """The rows another person added meanwhile (list items by record list path), as
        row values to tick and fill."""
        out = []
        for row, listed, key, _terms in ROWS:
            for entry in added.get(f"screening.{listed}", []):
                out.append(self.row_values(row, str(entry.get(key)), entry))
        return out

    def changes(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The screening as typed (as record data to lay over the case), and where each
        list row's problems belong (:attr:`aliases`: a row is kept by term, not index)."""
        screening: dict[str, Any] = {}
        for path in ("started", "completed", "life_story_work", "child_voice", "carer_views"):
            value = to_record(values.get(f"screening.{path}"))
            if value is not None:
                screening[path] = value
        aliases: dict[str, str] = {}
        for row, listed, key, terms in ROWS:
            ticked = [
                t for t in vocabulary()[terms].terms if values.get(f"screening.{row}.{t}.chosen")
            ]
            # rows the record has keep their place; newly ticked ones follow, in the list's order
            recorded = self.recorded_order.get(listed, [])
            ticked.sort(key=lambda t: recorded.index(t) if t in recorded else len(recorded))
            entries: list[dict[str, Any]] = []
            for term in ticked:
                prefix = f"screening.{row}.{term}"
                aliases[f"screening.{listed}[{len(entries)}]"] = prefix
                entry = {
                    key: term,
                    **{name: to_record(values.get(f"{prefix}.{name}")) for name in DETAILS[row]},
                }
                entries.append({k: v for k, v in entry.items() if v is not None})
            screening[listed] = entries
        screening["strengths"] = [
            line.strip()
            for line in str(values.get("screening.strengths") or "").splitlines()
            if line.strip()
        ]
        self.aliases = aliases
        for path in ("started", "completed"):
            screening.setdefault(path, None)
        return {"screening": screening}

    def typed_case(self, case: Case, values: Mapping[str, Any]) -> Case:
        """The case with the screening as typed. Raises :class:`ValidationFailed`."""
        record = merge(base_record(case), self.changes(values))
        record["screening"] = {k: v for k, v in record["screening"].items() if v is not None}
        return form_to_case(record, case)

    def apply(self, case: Case | None, values: Mapping[str, Any]) -> Case | list[Problem]:
        """The case with the screening as typed, or every problem (each naming its field)."""
        if case is None:
            return [Problem("", "", "Open a case from the caseload first.")]
        try:
            return self.typed_case(case, values)
        except ValidationFailed as exc:
            return exc.problems
