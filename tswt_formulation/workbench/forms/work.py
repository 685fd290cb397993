"""The Work tab's forms as plain data: a session, a review, the end of an intervention
and the end of the team's involvement. From a case, the interventions still running
(what a session or an ending is of); from the values, what each casework call is given,
and the problems that stop it (each naming its field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import Problem
from ...model import Case
from .model import FormModel, Values

FIELDS = {
    "session.intervention": "choice",
    "session.date": "date",
    "session.attendance": "choice",
    "session.took_part": "choices",
    "session.minutes": "number",
    "session.note": "text",
    "review.date": "date",
    "review.stage": "choice",
    "review.stage_evidence": "text",
    "review.wave": "choice",
    "review.risks_reviewed": "flag",
    "review.formulation": "choice",
    "ending.intervention": "choice",
    "ending.date": "date",
    "ending.reason": "choice",
    "ending.other": "text",
    "close.summary": "text",
}
#: The date field each form needs.
DATES = {"session": "session.date", "review": "review.date", "ending": "ending.date"}


class WorkForm(FormModel):
    """The four work forms: :meth:`session`, :meth:`review`, :meth:`ending` and
    :meth:`closing` give what each saves."""

    def __init__(self) -> None:
        super().__init__(fields=dict(FIELDS))

    @staticmethod
    def running(case: Case | None) -> list[tuple[str, int]]:
        """The interventions still running, as (what, number) choices."""
        if case is None:
            return []
        return [
            (f"{iv.number}. {iv.what.replace('_', ' ')}", iv.number)
            for iv in case.interventions
            if iv.end is None
        ]

    def values_of_case(self, case: Case | None) -> Values:
        """What opening a case changes: the first intervention running, for a session
        and for an ending (None: none is running)."""
        running = self.running(case)
        first = running[0][1] if running else None
        return {"session.intervention": first, "ending.intervention": first}

    @staticmethod
    def not_running(values: Mapping[str, Any], form: str) -> list[Problem]:
        """A session or an ending needs an intervention running."""
        if values.get(f"{form}.intervention") is not None:
            return []
        if form == "session":
            return [
                Problem(
                    "",
                    "",
                    "No intervention is running: start one first (tswt intervention start).",
                )
            ]
        return [Problem("", "", "No intervention is running.")]

    @staticmethod
    def undated(values: Mapping[str, Any], form: str) -> list[Problem]:
        """Each form needs its date (the end of involvement: the ending's)."""
        path = DATES["ending" if form == "close" else form]
        if values.get(path) is not None:
            return []
        return [
            Problem("", path, "missing: give the date"),
            Problem("", "", "Not saved: fix the fields marked below."),
        ]

    @staticmethod
    def session(values: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of :func:`tswt_formulation.casework.record_session`."""
        return {
            "number": values["session.intervention"],
            "on": values["session.date"],
            "attendance": values["session.attendance"],
            "took_part": list(values.get("session.took_part") or ()),
            "minutes": values["session.minutes"],
            "note": values["session.note"],
        }

    @staticmethod
    def review(values: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of :func:`tswt_formulation.casework.record_review`."""
        return {
            "on": values["review.date"],
            "stage": values["review.stage"],
            "wave": values["review.wave"],
            "stage_evidence": values["review.stage_evidence"],
            "risks_reviewed": values["review.risks_reviewed"],
            "formulation": values["review.formulation"],
        }

    @staticmethod
    def ending(values: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of :func:`tswt_formulation.casework.end_intervention`."""
        return {
            "number": values["ending.intervention"],
            "on": values["ending.date"],
            "reason": values["ending.reason"],
            "other": values["ending.other"],
        }

    @staticmethod
    def closing(values: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of :func:`tswt_formulation.casework.close_involvement` (its date
        and reason are the ending's)."""
        return {
            "on": values["ending.date"],
            "reason": values["ending.reason"],
            "summary": values["close.summary"],
            "reason_other": values["ending.other"],
        }
