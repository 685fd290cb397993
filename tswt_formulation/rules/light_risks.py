"""The risks the rules raise from a child's presenting behaviours, worked out from the
behaviours alone where the rules allow it (hazard O24-01, now H25-05).

A rule with ``risk: true`` flags the presenting behaviours its condition matched
(:func:`~.recommend.evaluate`, ``Recommendation.risks``). A summarised caseload review
(over 500 children) reads no whole case: it has each child's presenting behaviours from
the store's work digest (:func:`~tswt_formulation.model.work.work_digest`). This module
says, per child, what the risk rules flag from those, through the rules' own code
(:func:`~.recommend.rule_hits`, :func:`~.recommend.risk_flags`, ``_risks``, each
condition's own ``compile`` and ``collect``) over :class:`~.facts.BehaviourFacts`:

* a risk rule whose condition reads nothing but the behaviours (``behaviour``,
  ``behaviour_count``, ``always``, and ``any``/``all``/``not`` of them) is *light*: it is
  evaluated over the behaviours;
* any other risk rule that can flag a behaviour (a team's own file may have one, say
  self-harm at an age) is *heavy*: a child who has one of the behaviours it can flag is
  read whole and evaluated as the full review evaluates it (:meth:`RiskRulePlan.needs_case`);
  a risk rule that can flag no behaviour (``kind: risk`` alone) raises none;
* a light rule applies to eligible children, to the others, or to all (its ``applies``).
  When which rules apply changes what is flagged for a child (with the shipped rules,
  ``risk.self_harm`` for an eligible child, ``ineligible.risk`` otherwise), the child's
  eligibility is decided by :func:`~.eligibility.check_eligibility` itself, on the child
  and referral read from the record (:meth:`RiskRulePlan.flags` says so by returning None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .facts import BehaviourFacts, behaviour_facts
from .recommend import _risks, risk_flags, rule_hits
from .results import RiskBehaviour
from .rulefile import RuleSet

if TYPE_CHECKING:
    from .facts import Facts

__all__ = ["BehaviourFacts", "RiskRulePlan", "behaviour_facts"]


@dataclass(frozen=True)
class RiskRulePlan:
    """The risk rules of a rule set, split into those the behaviours answer and the rest."""

    rules: RuleSet
    light: tuple[int, ...]  # places in the file of the light risk rules that can flag a behaviour
    heavy: tuple[str, ...]  # ids of the other risk rules that can flag a behaviour
    heavy_behaviours: frozenset[str] | None  # what the heavy rules can flag (None: any)
    one_path: bool  # a light rule applies only to eligible children, or only to the others
    flaggable: frozenset[str] | None  # what any risk rule can flag (None: any)

    @classmethod
    def of(cls, rules: RuleSet) -> RiskRulePlan:
        light: list[int] = []
        heavy: list[str] = []
        names: frozenset[str] | None = frozenset()
        every: frozenset[str] | None = frozenset()
        one_path = False
        for i, rule in enumerate(rules.rules):
            if not rule.effect.risk:
                continue
            nameable = rule.condition.nameable()
            if nameable is not None and not nameable:
                continue  # flags recorded risks only, never a behaviour
            every = None if every is None or nameable is None else every | nameable
            if rule.condition.behaviours_alone():
                light.append(i)
                one_path = one_path or rule.applies != "always"
            else:
                heavy.append(rule.id)
                names = None if names is None or nameable is None else names | nameable
        return cls(rules, tuple(light), tuple(heavy), names, one_path, every)

    def could_flag(self, behaviours: list[str]) -> bool:
        """Whether any risk rule could flag one of these behaviours (ids): a child with
        none of them has no flag, and nothing more is worked out for them."""
        names = self.flaggable
        return bool(behaviours) and (names is None or not names.isdisjoint(behaviours))

    def needs_case(self, facts: BehaviourFacts) -> bool:
        """Whether a heavy rule could flag one of this child's behaviours: the child is
        then read whole and evaluated (the behaviours alone cannot say)."""
        if not self.heavy or not facts.behaviours:
            return False
        names = self.heavy_behaviours
        return names is None or not names.isdisjoint(facts.behaviours)

    def flags_on(self, facts: BehaviourFacts, path: str) -> dict[str, list[str]]:
        """Behaviour -> ids of the light rules that flag it, for a child on ``path``
        (``eligible`` or ``ineligible``, as :func:`~.recommend.rule_path` names it)."""
        if not facts.behaviours or not self.light:
            return {}
        # BehaviourFacts has the attributes the light conditions read (and no others).
        return risk_flags(rule_hits(self.rules, cast("Facts", facts), path, which=self.light))

    def flags(self, facts: BehaviourFacts) -> dict[str, list[str]] | None:
        """The light rules' flags for the child, or None when they depend on whether the
        child is eligible (then :meth:`flags_on` with the child's path)."""
        eligible = self.flags_on(facts, "eligible")
        if not self.one_path:
            return eligible
        return eligible if self.flags_on(facts, "ineligible") == eligible else None

    @staticmethod
    def risks(facts: BehaviourFacts, flagged: dict[str, list[str]]) -> tuple[RiskBehaviour, ...]:
        """The flags as ``Recommendation.risks`` gives them (most severe first); no
        evidence text (the digest keeps none)."""
        return _risks(cast("Facts", facts), flagged) if flagged else ()


def digest_behaviours(digest: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """The presenting behaviours a work digest keeps, or None when the digest is missing
    or was written before it kept them (never taken as "none": the child is read whole)."""
    if not digest or "presenting_behaviours" not in digest:
        return None
    return list(digest["presenting_behaviours"])


def digest_facts(digest: dict[str, Any] | None, vocab: Any = None) -> BehaviourFacts | None:
    """The child's :class:`BehaviourFacts` from its work digest, or None where
    :func:`digest_behaviours` finds none kept."""
    items = digest_behaviours(digest)
    return None if items is None else behaviour_facts(items, vocab)
