"""The clinical formulation: the 5 Ps, the worker's narrative (verbatim), the
recommendation as suggested, the worker's decision (accept, or override with a reason)
and the clinical psychologist's sign-off.

Every saved change to a formulation goes through the store's audit log, so each version
(who, when, what changed) can be read back; see ``CaseStore.formulation_versions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from ._base import LongText, Record, ShortText
from .recommendation import OverridePart, Stage, Wave

FIVE_PS = ("presenting", "predisposing", "precipitating", "perpetuating", "protective")


class FormulationEntry(Record):
    """One point under one of the 5 Ps."""

    text: LongText
    origin: Literal["screening", "worker"] = "worker"
    ref: Annotated[str, Field(max_length=80)] | None = Field(
        default=None, description="What it was drafted from, e.g. 'history_factor:neglect'."
    )


class FiveP(Record):
    presenting: list[FormulationEntry] = []
    predisposing: list[FormulationEntry] = []
    precipitating: list[FormulationEntry] = []
    perpetuating: list[FormulationEntry] = []
    protective: list[FormulationEntry] = []


class FiredRule(Record):
    rule: ShortText
    effect: ShortText
    reason: LongText
    won: bool = True
    #: The rule's first steps in their own words, and whether the rule file marks them as
    #: risk steps (None: recorded before rules said so).
    preconditions: list[LongText] = []
    risk_steps: bool | None = None


class RecommendationSnapshot(Record):
    """The recommendation exactly as the rules produced it, with the rules version."""

    rules_version: ShortText
    made: datetime
    wave: Wave
    stage: Stage
    services: list[ShortText] = []
    models: list[ShortText] = []
    preconditions: list[LongText] = []
    #: The preconditions the rule file marks as risk steps; None on a formulation recorded
    #: before rules said so, whose risk steps are known by their wording
    #: (rules.first_steps.is_risk_step).
    risk_steps: list[LongText] | None = None
    signposting: list[ShortText] = []
    risks: list[LongText] = []
    fired: list[FiredRule] = []


class Override(Record):
    part: OverridePart
    value: int | list[ShortText] | list[LongText]
    reason: Annotated[str, Field(min_length=1, max_length=20_000)]


class WorkerDecision(Record):
    """Accept the suggestion, or override parts of it, each with a reason."""

    by: ShortText
    at: datetime
    accepted: bool
    overrides: list[Override] = []


class AcknowledgedStep(Record):
    """A risk first step (a safety plan) that was not recorded as done when a decision went
    ahead (sign-off, work beginning), with the reason the person gave for going ahead."""

    step: LongText = Field(description="The first step, as the recommendation words it.")
    reason: Annotated[str, Field(min_length=1, max_length=20_000)] = Field(
        description="Why the decision went ahead with the step outstanding."
    )


class SignOff(Record):
    reviewer: ShortText
    at: datetime
    outcome: Literal["approved", "returned"]
    comment: LongText = ""
    formulation_revision: int = Field(ge=0, description="The revision that was reviewed.")
    outstanding_steps: list[AcknowledgedStep] = Field(
        default=[],
        description="Risk first steps not recorded as done when the reviewer approved, each with "
        "the reviewer's reason for approving all the same (rules.workflow.sign_off).",
    )


class Formulation(Record):
    status: Literal["draft", "awaiting_signoff", "signed_off", "returned"] = "draft"
    revision: int = Field(default=0, ge=0, description="Bumped on every change to the content.")
    author: ShortText
    created: datetime
    updated: datetime
    five_ps: FiveP = FiveP()
    narrative: LongText = ""
    stage_evidence: LongText = ""
    next_stage_readiness: LongText = ""
    recommendation: RecommendationSnapshot | None = None
    decision: WorkerDecision | None = None
    signoffs: list[SignOff] = []
    submitted_by: ShortText | None = Field(
        default=None, description="Who submitted the current revision for sign-off."
    )
    contributors: list[ShortText] = Field(
        default=[],
        description="Everyone (besides the author) who edited, decided on or submitted it: none of them "
        "may sign it off (docs/permissions.md).",
    )

    @property
    def latest_signoff(self) -> SignOff | None:
        return self.signoffs[-1] if self.signoffs else None
