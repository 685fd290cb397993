"""Condition kinds over the child's circumstances: legal status, age, the placement (moves,
breakdowns, type, length), the caregiver, living independently, life story work, whether
risk has been assessed, and the facts of the eligibility decision. Registered with
:func:`~tswt_formulation.rules.conditions.condition_kind` like the kinds over what the
screening found (:mod:`.conditions`), which imports this module to complete the union."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .conditions import (
    ELIGIBILITY_FACTS,
    CaregiverIds,
    LifeStoryId,
    Matched,
    PlacementTypeId,
    StatusId,
    _Condition,
    _label,
    condition_kind,
    months_before,
)
from .facts import Facts


@condition_kind
class LegalStatus(_Condition):
    kind: Literal["legal_status"]
    in_: Annotated[tuple[StatusId, ...], Field(min_length=1, alias="in")]

    def holds(self, facts: Facts) -> bool:
        return facts.legal_status in self.in_

    def describe(self) -> str:
        return "legal status is " + " or ".join(_label("legal_status", s) for s in self.in_)


@condition_kind
class Age(_Condition):
    """Age on the as-of date: ``at_least`` <= age < ``under`` (either bound optional)."""

    kind: Literal["age"]
    at_least: Annotated[int, Field(strict=True, ge=0, le=30)] | None = None
    under: Annotated[int, Field(strict=True, ge=0, le=30)] | None = None

    @model_validator(mode="after")
    def _a_bound(self) -> Age:
        if self.at_least is None and self.under is None:
            raise ValueError("an age condition needs at_least or under (or both)")
        return self

    def holds(self, facts: Facts) -> bool:
        return (self.at_least is None or facts.age >= self.at_least) and (
            self.under is None or facts.age < self.under
        )

    def describe(self) -> str:
        parts = ([f"at least {self.at_least}"] if self.at_least is not None else []) + (
            [f"under {self.under}"] if self.under is not None else []
        )
        return "aged " + " and ".join(parts)


@condition_kind
class PlacementMoves(_Condition):
    kind: Literal["placement_moves"]
    at_least: Annotated[int, Field(strict=True, ge=0, le=100)]

    def holds(self, facts: Facts) -> bool:
        return facts.moves >= self.at_least

    def describe(self) -> str:
        return f"at least {self.at_least} placement moves in the last 12 months"


@condition_kind
class PlacementBreakdown(_Condition):
    """A placement breakdown dated within ``within_months`` of the as-of date."""

    kind: Literal["placement_breakdown"]
    within_months: Annotated[int, Field(strict=True, ge=1, le=120)]

    def recent(self, facts: Facts) -> date | None:
        since = months_before(facts.as_of, self.within_months)
        return next((d for d in facts.breakdowns if d > since), None)

    def holds(self, facts: Facts) -> bool:
        return self.recent(facts) is not None

    def collect(self, facts: Facts, matched: Matched) -> None:
        day = self.recent(facts)
        if matched.breakdown is None or (day is not None and day > matched.breakdown):
            matched.breakdown = day

    def describe(self) -> str:
        return f"a placement breakdown in the last {self.within_months} months"


@condition_kind
class PlacementType(_Condition):
    kind: Literal["placement_type"]
    in_: Annotated[tuple[PlacementTypeId, ...], Field(min_length=1, alias="in")]

    def holds(self, facts: Facts) -> bool:
        return facts.placement_type in self.in_

    def describe(self) -> str:
        return "placed in " + " or ".join(_label("placement_type", t) for t in self.in_)


@condition_kind
class PlacementLength(_Condition):
    """Whole months in the current placement; false when there is no placement."""

    kind: Literal["placement_length"]
    at_least_months: Annotated[int, Field(strict=True, ge=0, le=300)] | None = None
    under_months: Annotated[int, Field(strict=True, ge=1, le=300)] | None = None

    @model_validator(mode="after")
    def _a_bound(self) -> PlacementLength:
        if self.at_least_months is None and self.under_months is None:
            raise ValueError("a placement_length condition needs at_least_months or under_months")
        return self

    def holds(self, facts: Facts) -> bool:
        m = facts.placement_months
        return (
            m is not None
            and (self.at_least_months is None or m >= self.at_least_months)
            and (self.under_months is None or m < self.under_months)
        )

    def describe(self) -> str:
        parts = (
            [f"at least {self.at_least_months}"] if self.at_least_months is not None else []
        ) + ([f"under {self.under_months}"] if self.under_months is not None else [])
        return "in the current placement for " + " and ".join(parts) + " months"


@condition_kind
class CaregiverCondition(_Condition):
    """There is a caregiver (of ``relationship``, if given) who can / cannot take part."""

    kind: Literal["caregiver"]
    can_take_part: Annotated[bool, Field(strict=True)] | None = None
    relationship: CaregiverIds | None = None

    def holds(self, facts: Facts) -> bool:
        if facts.caregiver is None:
            return False
        if self.relationship is not None and facts.caregiver not in self.relationship:
            return False
        return self.can_take_part is None or facts.caregiver_can_take_part == self.can_take_part

    def describe(self) -> str:
        who = (
            " or ".join(_label("caregiver", r) for r in self.relationship)
            if self.relationship
            else "a caregiver"
        )
        if self.can_take_part is None:
            return f"{who} cares for the child"
        return f"{who} who {'can' if self.can_take_part else 'cannot'} take part"


@condition_kind
class NoCaregiver(_Condition):
    kind: Literal["no_caregiver"]

    def holds(self, facts: Facts) -> bool:
        return facts.caregiver is None

    def describe(self) -> str:
        return "no caregiver"


@condition_kind
class LivingIndependently(_Condition):
    kind: Literal["living_independently"]

    def holds(self, facts: Facts) -> bool:
        return facts.living_independently

    def describe(self) -> str:
        return "living independently"


@condition_kind
class LifeStory(_Condition):
    kind: Literal["life_story"]
    in_: Annotated[tuple[LifeStoryId, ...], Field(min_length=1, alias="in")]

    def holds(self, facts: Facts) -> bool:
        return facts.life_story in self.in_

    def describe(self) -> str:
        return "life story work is " + " or ".join(_label("life_story_work", s) for s in self.in_)


@condition_kind
class RiskAssessed(_Condition):
    """The screening is complete, so risk has been assessed (not merely not yet recorded)."""

    kind: Literal["risk_assessed"]

    def holds(self, facts: Facts) -> bool:
        return facts.risk_assessed

    def describe(self) -> str:
        return "risk assessed (screening complete)"


@condition_kind
class Eligibility(_Condition):
    """A fact of the eligibility decision or the referral (see :data:`ELIGIBILITY_FACTS`)."""

    kind: Literal["eligibility"]
    fact: Literal[ELIGIBILITY_FACTS]  # type: ignore[valid-type]

    def holds(self, facts: Facts) -> bool:
        return facts.eligibility_facts[self.fact]

    def describe(self) -> str:
        return f"eligibility: {self.fact.replace('_', ' ')}"
