"""The referral form as plain data: the child, the referrer, consent, manager approval,
the decision and allocation, by record path; a new referral's first values; the case
the values describe (or its problems); and the case as typed so far, for the
eligibility panel."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ...errors import Problem, ValidationFailed
from ...model import CASE_ID_PATTERN, Case, vocabulary
from .model import FormModel, Values
from .records import form_to_case

#: Every field of the referral form, by record path, with its kind.
FIELDS = {
    "case_id": "text",
    "child.case_management_ref": "text",
    "child.date_of_birth": "date",
    "child.sex": "choice",
    "child.legal_status.status": "choice",
    "child.legal_status.start": "date",
    "child.legal_status_history[0].status": "choice",
    "child.legal_status_history[0].start": "date",
    "child.legal_status_history[0].end": "date",
    "child.placement.type": "choice",
    "child.placement.start": "date",
    "child.placement.moves_last_12_months": "number",
    "child.placement.breakdowns[0].date": "date",
    "child.placement.breakdowns[0].note": "text",
    "child.placement.breakdowns[1].date": "date",
    "child.placement.breakdowns[1].note": "text",
    "child.caregiver.relationship": "choice",
    "child.caregiver.can_take_part": "flag",
    "child.living_independently": "flag",
    "child.would_otherwise_be_in_care": "flag",
    "referral.received": "date",
    "referral.referrer.name": "text",
    "referral.referrer.role": "choice",
    "referral.consent.given_by": "choice",
    "referral.consent.date": "date",
    "referral.consent.informed": "flag",
    "referral.approval.by": "choice",
    "referral.approval.date": "date",
    "referral.reasons": "text",
    "referral.nd_assessment_requested": "flag",
    "referral.decision.outcome": "choice",
    "referral.decision.date": "date",
    "referral.decision.reasons": "text",
    "referral.decision.alternatives": "choices",
    "referral.allocation.worker": "choice",
    "referral.allocation.date": "date",
}
#: Optional parts of the record, each there when the field named is filled.
GROUPS = {
    "child.legal_status_history[0]": "child.legal_status_history[0].status",
    "child.placement": "child.placement.type",
    "child.placement.breakdowns[0]": "child.placement.breakdowns[0].date",
    "child.placement.breakdowns[1]": "child.placement.breakdowns[1].date",
    "child.caregiver": "child.caregiver.relationship",
    "referral.consent": "referral.consent.given_by",
    "referral.approval": "referral.approval.by",
    "referral.allocation": "referral.allocation.worker",
}
#: Lists the form owns wholly.
LISTS = [
    "child.legal_status_history",
    "child.placement.breakdowns",
    "referral.decision.alternatives",
]
DECISIONS = [("Pending", "pending"), ("Accepted", "accepted"), ("Not accepted", "not_accepted")]


def next_case_id(case_ids: Iterable[str]) -> str:
    """The next free pseudonymous case id (one more than the highest)."""
    numbers = [int(c[4:]) for c in case_ids if c.startswith("TSW-")]
    return f"TSW-{(max(numbers, default=0) + 1):06d}"


class ReferralForm(FormModel):
    """The referral form: :meth:`new_values` for a new referral, :meth:`values_of_case`
    for a case's, :meth:`to_case` for what they describe."""

    def __init__(self) -> None:
        super().__init__(fields=dict(FIELDS), groups=dict(GROUPS), lists=list(LISTS))

    def new_values(self, case_id: str, as_of: date) -> Values:
        """A new referral's form: its id, received today, pending; the first sex and
        referrer role chosen (as the form's lists open); everything else empty."""
        values = self.values_of(
            {
                "case_id": case_id,
                "referral": {"received": as_of.isoformat(), "decision": {"outcome": "pending"}},
            }
        )
        for path, terms in (("child.sex", "sex"), ("referral.referrer.role", "referrer_role")):
            values[path] = next(iter(vocabulary()[terms].terms))
        return values

    def to_case(self, values: Mapping[str, Any], case: Case | None = None) -> Case | list[Problem]:
        """The referral as a case: a new case from the values alone, else the values laid
        over ``case`` as loaded; or every problem, each naming its field."""
        if case is not None:
            return self.apply(case, values)
        try:
            return form_to_case(self.record(values))
        except ValidationFailed as exc:
            return exc.problems

    def as_typed(self, values: Mapping[str, Any]) -> Case | None:
        """The case as typed so far, for the eligibility panel; failing that, without the
        parts still being filled in (the decision and allocation, then consent and
        approval), so the panel can answer before the form is complete. None: not yet
        (no date of birth, legal status or date received)."""
        record = self.record(values)
        if not record.get("case_id") or not re.match(CASE_ID_PATTERN, record["case_id"]):
            record["case_id"] = "TSW-000000"
        # Parts that do not bear on eligibility are stood in for while still being typed.
        child = {"case_management_ref": "PENDING", **record.get("child", {})}
        if (
            not isinstance(child["case_management_ref"], str)
            or not child["case_management_ref"].strip()
        ):
            child["case_management_ref"] = "PENDING"
        for drop in (
            (),
            ("decision", "allocation"),
            ("decision", "allocation", "consent", "approval"),
        ):
            trial = {
                **record,
                "child": child,
                "referral": {k: v for k, v in record.get("referral", {}).items() if k not in drop},
            }
            try:
                return form_to_case(trial)
            except ValidationFailed:
                continue
        return None
