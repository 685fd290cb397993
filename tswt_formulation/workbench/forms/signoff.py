"""The sign-off form as plain data: the reviewer's comment (required to return a
formulation) and the reason for approving while a risk's first step is outstanding.
A formulation read afresh shows both empty; a decision gives both to
:func:`tswt_formulation.casework.review`, whose refusal names the field it is about."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import OverrideError, Problem, ValidationFailed
from ...model import Case
from .model import FormModel, Values

FIELDS = {"comment": "text", "outstanding_reason": "text"}


class SignoffForm(FormModel):
    def __init__(self) -> None:
        super().__init__(fields=dict(FIELDS))

    def values_of_case(self, case: Case | None) -> Values:
        """Both empty: a reviewer writes afresh for each formulation read."""
        return {"comment": "", "outstanding_reason": ""}

    @staticmethod
    def decision(values: Mapping[str, Any]) -> dict[str, str]:
        """The comment and the reason, as :func:`~tswt_formulation.casework.review` takes them."""
        return {
            "comment": values.get("comment", ""),
            "outstanding_reason": values.get("outstanding_reason", ""),
        }

    @staticmethod
    def problems(exc: OverrideError) -> ValidationFailed:
        """A refused decision as a problem naming its field (the comment, the reason)."""
        return ValidationFailed([Problem("", exc.field or "", str(exc))])
