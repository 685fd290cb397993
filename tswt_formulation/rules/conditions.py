"""The condition language of the recommendation rules, and its evaluation.

A condition is a small declarative expression over the facts of one case, written in
YAML as a mapping with a ``kind``::

    condition:
      kind: all
      of:
        - {kind: behaviour, behaviour: self_harm, min_frequency: weekly}
        - {kind: caregiver, can_take_part: true}

Each kind is a frozen pydantic model registered with :func:`condition_kind`;
:data:`Condition` is their discriminated union on ``kind`` and :data:`CONDITION_KINDS`
their list, both built from the registry, so an unknown kind or a misspelt key is refused
when a rules file is loaded. The kinds over what the screening found are here; those over
the child's circumstances are in :mod:`.circumstances`.
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
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..model.vocabulary import vocabulary
from ..words import (
    INFORMANT_SUBJECT,
    join_words,  # noqa: F401 - used here and by the rules that import it from here
)
from .dates import months_before, whole_months  # noqa: F401 - also read from here
from .facts import Facts

Predicate = Callable[["Facts"], bool]
_C = TypeVar("_C", bound="_Condition")

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
        vocab = vocabulary()[list_name]
        if value in vocab:  # the common case, checked without building the message
            return value
        raise ValueError(vocab.unknown([value]))

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


def _union(parts: Any) -> frozenset[str] | None:
    out: frozenset[str] = frozenset()
    for p in parts:
        if p is None:
            return None
        out |= p
    return out


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

    def behaviours_alone(self) -> bool:
        """Whether the condition reads nothing of a case but its presenting behaviours
        (:class:`~.facts.BehaviourFacts` answers it: a summarised review's light facts)."""
        return False

    def nameable(self) -> frozenset[str] | None:
        """The presenting behaviours a holding condition can add to ``Matched.behaviours``
        (None: any), so a risk rule flags no behaviour of a child who has none of them.
        A kind that names what it matched is taken to name any behaviour unless it says
        otherwise (as :class:`RiskRecorded`, which names recorded risks only)."""
        return None if self.names_behaviours else frozenset()


#: Every condition kind, by its ``kind``, in the order registered: the kinds of this
#: module, then those of :mod:`.circumstances`. A new kind is one class with the
#: decorator; the union and the kind list build themselves.
KINDS: dict[str, type[_Condition]] = {}


def condition_kind(cls: type[_C]) -> type[_C]:
    """Register a condition kind under its ``kind`` literal."""
    (tag,) = get_args(cls.__pydantic_fields__["kind"].annotation)
    if tag in KINDS:
        raise TypeError(f"condition kind {tag!r} is registered twice")
    KINDS[tag] = cls
    return cls


@condition_kind
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

    def behaviours_alone(self) -> bool:
        return all(c.behaviours_alone() for c in self.of)

    def nameable(self) -> frozenset[str] | None:
        return _union(c.nameable() for c in self.of)


@condition_kind
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

    def behaviours_alone(self) -> bool:
        return all(c.behaviours_alone() for c in self.of)

    def nameable(self) -> frozenset[str] | None:
        return _union(c.nameable() for c in self.of)


@condition_kind
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

    def behaviours_alone(self) -> bool:
        return self.condition.behaviours_alone()


@condition_kind
class Always(_Condition):
    """Holds for every case: the default a rules file must have for wave and stage."""

    kind: Literal["always"]

    def holds(self, facts: Facts) -> bool:
        return True

    def compile(self) -> Predicate:
        return lambda facts: True

    def describe(self) -> str:
        return "always (the default)"

    def behaviours_alone(self) -> bool:
        return True


@condition_kind
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

    def behaviours_alone(self) -> bool:
        return True

    def nameable(self) -> frozenset[str] | None:
        return frozenset(self.behaviour)


@condition_kind
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

    def behaviours_alone(self) -> bool:
        return True

    def nameable(self) -> frozenset[str] | None:
        return frozenset(self.behaviours) if self.behaviours is not None else None


@condition_kind
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


@condition_kind
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


@lru_cache(maxsize=16)
def _level_rank(level: str) -> int:
    return vocabulary()["risk_level"].rank(level)


@condition_kind
class RiskRecorded(_Condition):
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

    def nameable(self) -> frozenset[str] | None:
        return frozenset()  # recorded risks (Matched.risks), never a behaviour


@condition_kind
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


from . import circumstances  # noqa: E402, F401 - registers the kinds of the child's circumstances

if TYPE_CHECKING:
    Condition = _Condition
else:
    Condition = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # noqa: UP007
CONDITION_KINDS: tuple[str, ...] = tuple(KINDS)

for _model in (All, AnyOf, Not):
    _model.model_rebuild()


def _band_words(key: str, band: str) -> str:
    """'sdq.total.parent' + 'abnormal' -> 'abnormal, by the parent or carer'."""
    informant = key.rsplit(".", 1)[-1]
    return f"{band.replace('_', ' ')}, by {INFORMANT_SUBJECT.get(informant, informant)}"
