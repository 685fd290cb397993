"""Whether each first step of a recommendation was done, read on a date.

DOMAIN.md: first steps (safety plans, life story work under way before direct work) are
actions with an owner and a done date, and a report must be able to say whether each
was done. A step the record does not show as done is **outstanding**, and once work has
begun that is said beside it: it is never passed over in silence (issue 21: a safety
plan "before other work begins", work begun, nothing saying whether it was done).

Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..model.case import Case
from ..words import uk_date

OUTSTANDING = "OUTSTANDING"


def _key(text: str) -> str:
    return " ".join(text.casefold().strip().rstrip(".").split())


@dataclass(frozen=True)
class StepStatus:
    """One first step: done on a date (and by whom), or outstanding."""

    step: str
    done: date | None
    owner: str = ""
    work_began: date | None = None

    @property
    def outstanding(self) -> bool:
        return self.done is None

    @property
    def status(self) -> str:
        """``done 7 Dec 2026 (A. Owner)`` or ``OUTSTANDING: not recorded as done; work began 24 Oct 2026``."""
        if self.done is not None:
            return f"done {uk_date(self.done)}" + (f" ({self.owner})" if self.owner else "")
        began = f"; work began {uk_date(self.work_began)}" if self.work_began is not None else ""
        return f"{OUTSTANDING}: not recorded as done{began}"


def first_step_status(
    case: Case, steps: tuple[str, ...] | list[str], as_of: date
) -> list[StepStatus]:
    """Each step with its status on ``as_of``, matched to ``case.first_steps`` by its
    wording (case, spacing and a final full stop aside); a done date after ``as_of``
    does not count yet."""
    recorded = {_key(s.step): s for s in case.first_steps}
    out = case.outcome
    began = (
        out.date if out is not None and out.decision == "begin_work" and out.date <= as_of else None
    )
    result = []
    for step in steps:
        rec = recorded.get(_key(step))
        done = rec.done if rec is not None and rec.done is not None and rec.done <= as_of else None
        result.append(
            StepStatus(step, done, rec.owner if rec is not None and done is not None else "", began)
        )
    return result
