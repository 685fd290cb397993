"""The formulation form as plain data: the 5 Ps, each point kept or not with its text
(and where it came from: the screening or the worker), the narrative, the evidence for
the stage, readiness for the next, and the decision on the recommendation (accept it,
or override one part with a reason). From a case, the values the form shows; from the
values, what a revision saves, or its problems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ...errors import OverrideError, Problem, ValidationFailed
from ...model import FIVE_PS, Case, Override, validation_problems
from ...model.recommendation import parse_override, parse_value, value_text
from .model import FormModel, Values

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
FIELDS = {
    "narrative": "text",
    "stage_evidence": "text",
    "next_stage_readiness": "text",
    "decision.accepted": "choice",
    "decision.part": "choice",
    "decision.value": "text",
    "decision.reason": "text",
}


def point_path(p: str, index: int, name: str = "text") -> str:
    """The field of one point of a P: its ``text``, or ``keep`` (ticked to keep it)."""
    return f"five_ps.{p}[{index}].{name}"


class FormulationForm(FormModel):
    """The formulation form; its points (:attr:`points`: each P's points' origin and
    screening reference, in order) are set by :meth:`values_of_case` and :meth:`add_point`."""

    def __init__(self) -> None:
        super().__init__(fields=dict(FIELDS))
        self.points: dict[str, list[tuple[str, str | None]]] = {p: [] for p in FIVE_PS}

    def add_point(self, p: str, origin: str, ref: str | None) -> str:
        """A new point of ``p`` (from the screening, or the worker's own): its text's path."""
        self.points[p].append((origin, ref))
        return self.declare(point_path(p, len(self.points[p]) - 1), "text")

    def clear_points(self) -> None:
        for p in FIVE_PS:
            for i in range(len(self.points[p])):
                self.fields.pop(point_path(p, i), None)
            self.points[p] = []

    def values_of_case(self, case: Case | None) -> Values:
        """The formulation's points (each kept), words and decision; {} with no formulation.
        An accepted decision leaves the part to override as it was."""
        self.clear_points()
        form = case.formulation if case is not None else None
        if form is None:
            return {}
        values: Values = {}
        for p in FIVE_PS:
            for entry in getattr(form.five_ps, p):
                path = self.add_point(p, entry.origin, entry.ref)
                values[path] = entry.text
                values[path.removesuffix("text") + "keep"] = True
        values["narrative"] = form.narrative
        values["stage_evidence"] = form.stage_evidence
        values["next_stage_readiness"] = form.next_stage_readiness
        decision = form.decision
        if decision is not None and not decision.accepted and decision.overrides:
            o = decision.overrides[0]
            values.update(
                {
                    "decision.accepted": False,
                    "decision.part": o.part,
                    "decision.value": value_text(o.part, o.value),
                    "decision.reason": o.reason,
                }
            )
        else:
            values.update({"decision.accepted": True, "decision.reason": "", "decision.value": ""})
        return values

    def content(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The 5 Ps and the words as typed (a point not kept, or left empty, is dropped;
        :attr:`aliases` say where a kept point's problems belong)."""
        five_ps: dict[str, list[dict[str, Any]]] = {p: [] for p in FIVE_PS}
        aliases: dict[str, str] = {}
        for p in FIVE_PS:
            for i, (origin, ref) in enumerate(self.points[p]):
                text = str(values.get(point_path(p, i)) or "")
                if values.get(point_path(p, i, "keep"), True) and text.strip():
                    aliases[f"five_ps.{p}[{len(five_ps[p])}]"] = f"five_ps.{p}[{i}]"
                    entry: dict[str, Any] = {"text": text, "origin": origin}
                    if ref is not None:
                        entry["ref"] = ref
                    five_ps[p].append(entry)
        self.aliases = aliases
        return {
            "five_ps": five_ps,
            "narrative": values.get("narrative", ""),
            "stage_evidence": values.get("stage_evidence", ""),
            "next_stage_readiness": values.get("next_stage_readiness", ""),
        }

    def overrides(self, case_id: str, values: Mapping[str, Any]) -> list[Override]:
        """The override as typed, read and checked as the CLI reads it. Raises
        :class:`ValidationFailed`, each problem naming its field (``decision.value``...)."""
        if values.get("decision.accepted", True):
            return []
        part: str = values.get("decision.part") or ""
        raw, reason = values.get("decision.value", ""), values.get("decision.reason", "")
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

    def revision(self, case_id: str, values: Mapping[str, Any]) -> dict[str, Any] | list[Problem]:
        """What a save of the form revises (``accept``, ``overrides`` and the content, as
        :func:`tswt_formulation.casework.revise_formulation` takes them), or the problems."""
        try:
            overrides = self.overrides(case_id, values)
        except ValidationFailed as exc:
            return exc.problems
        return {
            "accept": bool(values.get("decision.accepted", True)),
            "overrides": overrides,
            **self.content(values),
        }


#: What a revision refused with its problems raises (see :func:`revision_problems`).
REFUSALS = (ValidationError, OverrideError)


def revision_problems(exc: ValidationError | OverrideError, case_id: str) -> ValidationFailed:
    """A refused revision's error as problems naming the form's fields."""
    if isinstance(exc, ValidationError):
        return ValidationFailed(validation_problems(exc, case_id))
    where = f"decision.{exc.field}" if exc.part and exc.field else ""
    return ValidationFailed([Problem("", where, str(exc))])
