"""The condition language of the recommendation rules, and its evaluation.

A condition is a small declarative expression over the facts of one case, written in
YAML as a mapping with a ``kind``::

    condition:
      kind: all
      of:
        - {kind: behaviour, behaviour: self_harm, min_frequency: weekly}
        - {kind: caregiver, can_take_part: true}

Each kind is a frozen pydantic model; :data:`Condition` is their discriminated union on
``kind``, so an unknown kind or a misspelt key is refused when a rules file is loaded.
Vocabulary ids (behaviours, history factors, legal statuses ...) are checked against
:func:`~tswt_formulation.model.vocabulary.vocabulary`.

Evaluation runs over :class:`Facts`, computed once per case and date. Every condition can
be *interpreted* (:meth:`holds`) or *compiled* once into a plain closure
(:meth:`compile`); the compiled form is what :func:`recommend` uses, the interpreted one
is kept as the reference it is tested against. :meth:`collect` records what a condition
that holds matched (which behaviours, factors, breakdown, band) to fill a rule's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..model.vocabulary import vocabulary
from ..words import join_words  # noqa: F401 - used here and by the rules that import it from here

if TYPE_CHECKING:
    from .recommend import Facts

Predicate = Callable[["Facts"], bool]

ELIGIBILITY_FACTS = (
    "eligible",
    "can_proceed",
    "consent_informed",
    "consent_valid",
    "approval_recorded",
    "nd_assessment_offerable",
    "nd_assessment_requested",
)


# --- facts of one case -------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (31 Mar - 1 month -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no such month {year}-{month}")  # pragma: no cover - unreachable


def whole_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


@dataclass
class Matched:
    """What the holding parts of a condition matched, to fill a rule's reason."""

    behaviours: list[str] = field(default_factory=list)
    factors: list[str] = field(default_factory=list)
    breakdown: date | None = None
    bands: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)

    def add(self, target: list[str], items: list[str]) -> None:
        target.extend(i for i in items if i not in target)


# --- vocabulary-checked ids ----------------------------------------------------------------


def _known(list_name: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = vocabulary()[list_name].unknown([value])
        if problem:
            raise ValueError(problem)
        return value

    return check


# One alias per vocabulary (mypy reads these as plain str); a list field takes one id or
# a non-empty list of ids, read as "any of".
BehaviourId = Annotated[str, AfterValidator(_known("presenting_behaviour"))]
FactorId = Annotated[str, AfterValidator(_known("history_factor"))]
StatusId = Annotated[str, AfterValidator(_known("legal_status"))]
PlacementTypeId = Annotated[str, AfterValidator(_known("placement_type"))]
CaregiverId = Annotated[str, AfterValidator(_known("caregiver"))]
LifeStoryId = Annotated[str, AfterValidator(_known("life_story_work"))]
SeverityId = Annotated[str, AfterValidator(_known("severity"))]
FrequencyId = Annotated[str, AfterValidator(_known("frequency"))]
InformantId = Annotated[str, AfterValidator(_known("informant"))]
SourceId = Annotated[str, AfterValidator(_known("source"))]
ServiceId = Annotated[str, AfterValidator(_known("service"))]
ModelId = Annotated[str, AfterValidator(_known("direct_work_model"))]
SignpostId = Annotated[str, AfterValidator(_known("signposting"))]
RiskKindId = Annotated[str, AfterValidator(_known("risk_kind"))]
RiskLevelId = Annotated[str, AfterValidator(_known("risk_level"))]
RiskKindIds = Annotated[tuple[RiskKindId, ...], Field(min_length=1)]
BehaviourIds = Annotated[tuple[BehaviourId, ...], Field(min_length=1)]
FactorIds = Annotated[tuple[FactorId, ...], Field(min_length=1)]
CaregiverIds = Annotated[tuple[CaregiverId, ...], Field(min_length=1)]
InformantIds = Annotated[tuple[InformantId, ...], Field(min_length=1)]
SourceIds = Annotated[tuple[SourceId, ...], Field(min_length=1)]


@lru_cache(maxsize=64)
def _ranks(min_severity: str, min_frequency: str) -> tuple[int, int]:
    """Ranks on the severity and frequency scales (defined scales a team cannot extend,
    so they can be cached)."""
    vocab = vocabulary()
    return vocab["severity"].rank(min_severity), vocab["frequency"].rank(min_frequency)


def _label(list_name: str, term: str) -> str:
    text = vocabulary().label(list_name, term)
    return text if len(text) > 1 and text[:2].isupper() else text[:1].lower() + text[1:]


# --- the condition kinds -------------------------------------------------------------------


class _Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: str
    # True for kinds whose match names behaviours or recorded risks (a rule flagging risk
    # needs one, so the flag says what the risk is).
    names_behaviours: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in (
                "behaviour",
                "factor",
                "in",
                "behaviours",
                "factors",
                "informant",
                "relationship",
                "reported_by",
                "risk",
            ):
                if isinstance(data.get(key), str):
                    data = {**data, key: [data[key]]}
        return data

    def holds(self, facts: Facts) -> bool:
        """Interpret the condition over the facts (the reference evaluation)."""
        raise NotImplementedError

    def compile(self) -> Predicate:
        """A closure equivalent to :meth:`holds`, with ranks and sets computed once."""
        return self.holds

    def collect(self, facts: Facts, matched: Matched) -> None:
        """Record what this condition matched (called only when it holds)."""

    def describe(self) -> str:
        raise NotImplementedError

    def flags_behaviours(self) -> bool:
        """Whether a holding condition always names at least one behaviour."""
        return self.names_behaviours


class All(_Condition):
    kind: Literal["all"]
    of: Annotated[tuple[Condition, ...], Field(min_length=1)]

    def holds(self, facts: Facts) -> bool:
        return all(c.holds(facts) for c in self.of)

    def compile(self) -> Predicate:
        parts = tuple(c.compile() for c in self.of)
        return lambda facts: all(p(facts) for p in parts)

    def collect(self, facts: Facts, matched: Matched) -> None:
        for c in self.of:
            c.collect(facts, matched)

    def describe(self) -> str:
        return "all of: " + "; ".join(f"({c.describe()})" for c in self.of)

    def flags_behaviours(self) -> bool:
        return any(c.flags_behaviours() for c in self.of)


class AnyOf(_Condition):
    kind: Literal["any"]
    of: Annotated[tuple[Condition, ...], Field(min_length=1)]

    def holds(self, facts: Facts) -> bool:
        return any(c.holds(facts) for c in self.of)

    def compile(self) -> Predicate:
        parts = tuple(c.compile() for c in self.of)
        return lambda facts: any(p(facts) for p in parts)

    def collect(self, facts: Facts, matched: Matched) -> None:
        for c in self.of:
            if c.holds(facts):
                c.collect(facts, matched)

    def describe(self) -> str:
        return "any of: " + "; ".join(f"({c.describe()})" for c in self.of)

    def flags_behaviours(self) -> bool:
        return all(c.flags_behaviours() for c in self.of)


class Not(_Condition):
    kind: Literal["not"]
    condition: Condition

    def holds(self, facts: Facts) -> bool:
        return not self.condition.holds(facts)

    def compile(self) -> Predicate:
        inner = self.condition.compile()
        return lambda facts: not inner(facts)

    def describe(self) -> str:
        return f"not ({self.condition.describe()})"


class Always(_Condition):
    """Holds for every case: the default a rules file must have for wave and stage."""

    kind: Literal["always"]

    def holds(self, facts: Facts) -> bool:
        return True

    def compile(self) -> Predicate:
        return lambda facts: True

    def describe(self) -> str:
        return "always (the default)"


class Behaviour(_Condition):
    """Any of the behaviours is present at or above a severity and frequency, reported by
    at least ``min_sources`` distinct sources (and by one of ``reported_by``, if given)."""

    kind: Literal["behaviour"]
    behaviour: BehaviourIds
    min_severity: SeverityId = "mild"
    min_frequency: FrequencyId = "rarely"
    min_sources: Annotated[int, Field(strict=True, ge=1, le=10)] = 1
    reported_by: SourceIds | None = None
    names_behaviours: ClassVar[bool] = True

    def _floor(self) -> tuple[int, int, int]:
        return (*_ranks(self.min_severity, self.min_frequency), self.min_sources)

    def matches(self, facts: Facts) -> list[str]:
        sev, freq, src = self._floor()
        out = []
        for b in self.behaviour:
            level = facts.behaviour_levels.get(b)
            if (
                level is not None
                and level[0] >= sev
                and level[1] >= freq
                and level[2] >= src
                and (
                    self.reported_by is None
                    or not facts.behaviour_sources[b].isdisjoint(self.reported_by)
                )
            ):
                out.append(b)
        return out

    def holds(self, facts: Facts) -> bool:
        return bool(self.matches(facts))

    def compile(self) -> Predicate:
        sev, freq, src = self._floor()
        wanted = self.behaviour
        by = frozenset(self.reported_by) if self.reported_by is not None else None

        def behaviour_present(facts: Facts) -> bool:
            levels = facts.behaviour_levels
            for b in wanted:
                level = levels.get(b)
                if (
                    level is not None
                    and level[0] >= sev
                    and level[1] >= freq
                    and level[2] >= src
                    and (by is None or not by.isdisjoint(facts.behaviour_sources[b]))
                ):
                    return True
            return False

        return behaviour_present

    def collect(self, facts: Facts, matched: Matched) -> None:
        matched.add(matched.behaviours, self.matches(facts))

    def describe(self) -> str:
        names = " or ".join(_label("presenting_behaviour", b) for b in self.behaviour)
        extra = []
        if self.min_severity != "mild":
            extra.append(f"{self.min_severity} or worse")
        if self.min_frequency != "rarely":
            extra.append(f"{self.min_frequency} or more often")
        if self.min_sources > 1:
            extra.append(f"reported by at least {self.min_sources} sources")
        if self.reported_by:
            extra.append(
                "reported by " + " or ".join(_label("source", s) for s in self.reported_by)
            )
        return f"{names} present" + (f" ({', '.join(extra)})" if extra else "")


class BehaviourCount(_Condition):
    """At least ``at_least`` behaviours (of ``behaviours``, default all) at the levels."""

    kind: Literal["behaviour_count"]
    at_least: Annotated[int, Field(strict=True, ge=1, le=20)]
    behaviours: BehaviourIds | None = None
    min_severity: SeverityId = "mild"
    min_frequency: FrequencyId = "rarely"
    names_behaviours: ClassVar[bool] = True

    def matches(self, facts: Facts) -> list[str]:
        sev, freq = _ranks(self.min_severity, self.min_frequency)
        pool = self.behaviours if self.behaviours is not None else tuple(facts.behaviour_levels)
        return [
            b
            for b in pool
            if (lv := facts.behaviour_levels.get(b)) is not None and lv[0] >= sev and lv[1] >= freq
        ]

    def holds(self, facts: Facts) -> bool:
        return len(self.matches(facts)) >= self.at_least

    def compile(self) -> Predicate:
        (sev, freq), n = _ranks(self.min_severity, self.min_frequency), self.at_least
        pool = self.behaviours

        def count_at_least(facts: Facts) -> bool:
            levels = facts.behaviour_levels
            items = ((b, levels.get(b)) for b in pool) if pool is not None else levels.items()
            return (
                sum(1 for _, lv in items if lv is not None and lv[0] >= sev and lv[1] >= freq) >= n
            )

        return count_at_least

    def collect(self, facts: Facts, matched: Matched) -> None:
        matched.add(matched.behaviours, self.matches(facts))

    def describe(self) -> str:
        pool = (
            "of " + " / ".join(_label("presenting_behaviour", b) for b in self.behaviours)
            if self.behaviours
            else "behaviours"
        )
        level = f" at {self.min_severity}+ severity" if self.min_severity != "mild" else ""
        level += f", {self.min_frequency} or more often" if self.min_frequency != "rarely" else ""
        return f"at least {self.at_least} {pool} present{level}"


class History(_Condition):
    """Any of the history factors is recorded."""

    kind: Literal["history"]
    factor: FactorIds

    def holds(self, facts: Facts) -> bool:
        return any(f in facts.history for f in self.factor)

    def compile(self) -> Predicate:
        wanted = frozenset(self.factor)
        return lambda facts: not wanted.isdisjoint(facts.history)

    def collect(self, facts: Facts, matched: Matched) -> None:
        matched.add(matched.factors, [f for f in self.factor if f in facts.history])

    def describe(self) -> str:
        return "history of " + " or ".join(_label("history_factor", f) for f in self.factor)


class HistoryCount(_Condition):
    """At least ``at_least`` history factors are recorded (of ``factors``, default all)."""

    kind: Literal["history_count"]
    at_least: Annotated[int, Field(strict=True, ge=1, le=20)]
    factors: FactorIds | None = None

    def matches(self, facts: Facts) -> list[str]:
        pool = self.factors if self.factors is not None else tuple(facts.history)
        return [f for f in pool if f in facts.history]

    def holds(self, facts: Facts) -> bool:
        return len(self.matches(facts)) >= self.at_least

    def collect(self, facts: Facts, matched: Matched) -> None:
        matched.add(matched.factors, self.matches(facts))

    def describe(self) -> str:
        return f"at least {self.at_least} history factors recorded"


class LegalStatus(_Condition):
    kind: Literal["legal_status"]
    in_: Annotated[tuple[StatusId, ...], Field(min_length=1, alias="in")]

    def holds(self, facts: Facts) -> bool:
        return facts.legal_status in self.in_

    def describe(self) -> str:
        return "legal status is " + " or ".join(_label("legal_status", s) for s in self.in_)


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


class PlacementMoves(_Condition):
    kind: Literal["placement_moves"]
    at_least: Annotated[int, Field(strict=True, ge=0, le=100)]

    def holds(self, facts: Facts) -> bool:
        return facts.moves >= self.at_least

    def describe(self) -> str:
        return f"at least {self.at_least} placement moves in the last 12 months"


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


class PlacementType(_Condition):
    kind: Literal["placement_type"]
    in_: Annotated[tuple[PlacementTypeId, ...], Field(min_length=1, alias="in")]

    def holds(self, facts: Facts) -> bool:
        return facts.placement_type in self.in_

    def describe(self) -> str:
        return "placed in " + " or ".join(_label("placement_type", t) for t in self.in_)


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


class NoCaregiver(_Condition):
    kind: Literal["no_caregiver"]

    def holds(self, facts: Facts) -> bool:
        return facts.caregiver is None

    def describe(self) -> str:
        return "no caregiver"


class LivingIndependently(_Condition):
    kind: Literal["living_independently"]

    def holds(self, facts: Facts) -> bool:
        return facts.living_independently

    def describe(self) -> str:
        return "living independently"


class LifeStory(_Condition):
    kind: Literal["life_story"]
    in_: Annotated[tuple[LifeStoryId, ...], Field(min_length=1, alias="in")]

    def holds(self, facts: Facts) -> bool:
        return facts.life_story in self.in_

    def describe(self) -> str:
        return "life story work is " + " or ".join(_label("life_story_work", s) for s in self.in_)


class RiskAssessed(_Condition):
    """The screening is complete, so risk has been assessed (not merely not yet recorded)."""

    kind: Literal["risk_assessed"]

    def holds(self, facts: Facts) -> bool:
        return facts.risk_assessed

    def describe(self) -> str:
        return "risk assessed (screening complete)"


class Eligibility(_Condition):
    """A fact of the eligibility decision or the referral (see :data:`ELIGIBILITY_FACTS`)."""

    kind: Literal["eligibility"]
    fact: Literal[ELIGIBILITY_FACTS]  # type: ignore[valid-type]

    def holds(self, facts: Facts) -> bool:
        return facts.eligibility_facts[self.fact]

    def describe(self) -> str:
        return f"eligibility: {self.fact.replace('_', ' ')}"


@lru_cache(maxsize=16)
def _level_rank(level: str) -> int:
    return vocabulary()["risk_level"].rank(level)


class RiskCondition(_Condition):
    """A risk recorded at screening (any of ``risk``; default any kind) at ``min_level``
    or above; ``without_safety_plan`` keeps only risks with no safety plan in place,
    ``out_of_date`` only risks whose review date has passed on the as-of date."""

    kind: Literal["risk"]
    risk: RiskKindIds | None = None
    min_level: RiskLevelId = "low"
    without_safety_plan: Annotated[bool, Field(strict=True)] = False
    out_of_date: Annotated[bool, Field(strict=True)] = False
    names_behaviours: ClassVar[bool] = True

    def matches(self, facts: Facts) -> list[str]:
        floor = _level_rank(self.min_level)
        pool = self.risk if self.risk is not None else tuple(facts.risk_levels)
        return [
            k
            for k in pool
            if (lv := facts.risk_levels.get(k)) is not None
            and lv >= floor
            and (not self.without_safety_plan or k in facts.risks_without_plan)
            and (not self.out_of_date or k in facts.risks_out_of_date)
        ]

    def holds(self, facts: Facts) -> bool:
        return bool(self.matches(facts))

    def collect(self, facts: Facts, matched: Matched) -> None:
        matched.add(matched.risks, self.matches(facts))

    def describe(self) -> str:
        names = " or ".join(_label("risk_kind", k) for k in self.risk) if self.risk else "any risk"
        extra = [f"{self.min_level} or higher"] if self.min_level != "low" else []
        if self.without_safety_plan:
            extra.append("no safety plan in place")
        if self.out_of_date:
            extra.append("review date passed")
        return f"{names} recorded" + (f" ({', '.join(extra)})" if extra else "")


class MeasureBand(_Condition):
    """A baseline measure score falls in one of the bands, as given by the caller's
    ``bands`` mapping keyed ``measure.scale.informant`` (e.g. ``sdq.total.parent``)."""

    kind: Literal["measure_band"]
    measure: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    scale: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    informant: InformantIds | None = None
    in_: Annotated[
        tuple[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_ ]{0,39}$")], ...],
        Field(min_length=1, alias="in"),
    ]

    def keys(self) -> tuple[str, ...]:
        informants = self.informant or tuple(vocabulary()["informant"].terms)
        return tuple(f"{self.measure}.{self.scale}.{i}" for i in informants)

    def matches(self, facts: Facts) -> list[str]:
        return [k for k in self.keys() if facts.bands.get(k) in self.in_]

    def holds(self, facts: Facts) -> bool:
        return bool(self.matches(facts))

    def compile(self) -> Predicate:
        keys, bands = self.keys(), frozenset(self.in_)
        return lambda facts: (
            any(facts.bands.get(k) in bands for k in keys) if facts.bands else False
        )

    def collect(self, facts: Facts, matched: Matched) -> None:
        matched.add(matched.bands, [_band_words(k, facts.bands[k]) for k in self.matches(facts)])

    def describe(self) -> str:
        who = f" ({' or '.join(self.informant)})" if self.informant else ""
        return f"{self.measure} {self.scale}{who} in band {' or '.join(self.in_)}"


Condition = Annotated[
    All
    | AnyOf
    | Not
    | Always
    | Behaviour
    | BehaviourCount
    | History
    | HistoryCount
    | LegalStatus
    | Age
    | PlacementMoves
    | PlacementBreakdown
    | PlacementType
    | PlacementLength
    | CaregiverCondition
    | NoCaregiver
    | LivingIndependently
    | LifeStory
    | Eligibility
    | MeasureBand
    | RiskCondition
    | RiskAssessed,
    Field(discriminator="kind"),
]

CONDITION_KINDS: tuple[str, ...] = (
    "all",
    "any",
    "not",
    "always",
    "behaviour",
    "behaviour_count",
    "history",
    "history_count",
    "legal_status",
    "age",
    "placement_moves",
    "placement_breakdown",
    "placement_type",
    "placement_length",
    "caregiver",
    "no_caregiver",
    "living_independently",
    "life_story",
    "eligibility",
    "measure_band",
    "risk",
    "risk_assessed",
)

for _model in (All, AnyOf, Not):
    _model.model_rebuild()


_INFORMANT_WORDS = {
    "parent": "the parent or carer",
    "teacher": "the teacher",
    "self": "the young person",
    "worker": "the worker",
}


def _band_words(key: str, band: str) -> str:
    """'sdq.total.parent' + 'abnormal' -> 'abnormal, by the parent or carer'."""
    informant = key.rsplit(".", 1)[-1]
    return f"{band.replace('_', ' ')}, by {_INFORMANT_WORDS.get(informant, informant)}"
