"""From screening to recommendation: wave, stage, services, models, preconditions and
signposting, each explained by the rules that produced it.

The clinical logic is data (``data/recommendation_rules.yaml``, or a team's file); this
module applies it. Conflicts are resolved in one documented order (docs/rules.md):

1. The child's eligibility decides which rules apply: ``eligible`` rules for a child who
   is eligible and can proceed, ``ineligible`` rules otherwise, ``always`` rules for all.
   An ineligible child gets no wave, stage, services or models.
2. **Highest wave wins**: the child gets the most intensive wave any rule asks for.
3. **Lowest stage wins**: the child is at the lowest stage whose foundation is not in
   place (a child who is not safe is at stage 1 whatever else is true).
4. Ties go to the rule that comes first in the file; that rule is marked as having won.
5. Services, models, preconditions and signposting are unions in rule order, without
   repeats; risks are the behaviours matched by rules that flag risk, most severe first.

:func:`recommend` is pure and deterministic: no clock, no I/O beyond reading the rules
file (parsed once and cached). The as-of date defaults to the screening's completion
date, else its start, else the referral's received date, so a result can be reproduced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from ..errors import NoRecommendation
from ..model.case import Case, HistoryFactor, PresentingBehaviour, years_between
from ..model.formulation import FiredRule, RecommendationSnapshot
from ..model.vocabulary import Vocabularies, vocabulary
from ..words import lower_first as _lower
from ..words import plural, uk_date
from .conditions import Matched, join_words, whole_months
from .eligibility import EligibilityDecision, check_eligibility
from .risk import RiskStatus, risk_status
from .rulefile import Effect, Rule, RuleSet, active_rules

WAVE_NAMES = {
    1: "a clinically informed living and learning environment",
    2: "targeted clinically led intervention",
    3: "direct clinical engagement",
}
STAGE_NAMES = {
    1: "safety and containment",
    2: "relationships and connections",
    3: "experiences and learning",
    4: "a platform to achieve",
}
TOP_STAGE_READINESS = (
    "Stage 4 is the last stage: progress is shown by the child's own goals and aspirations "
    "and by outcome measures at each review"
)
LIST_PARTS = ("services", "models", "preconditions", "signposting")
PARTS = ("wave", "stage", *LIST_PARTS, "risks")
Part = Literal["wave", "stage", "services", "models", "preconditions", "signposting", "risks"]
_VOCAB_OF = {"services": "service", "models": "direct_work_model", "signposting": "signposting"}


@dataclass(frozen=True)
class Risk:
    """A risk behaviour, with everything the screening recorded about it."""

    behaviour: str
    label: str
    severity: str
    frequency: str
    sources: tuple[str, ...]
    evidence: str
    rules: tuple[str, ...]

    @property
    def text(self) -> str:
        voc = vocabulary()
        sources = join_words([_lower(voc.label("source", s)) for s in self.sources])
        out = f"{self.label}: {self.severity}, {_lower(voc.label('frequency', self.frequency))}, reported by {sources}"
        return out + (f". Evidence: {self.evidence.strip()}" if self.evidence.strip() else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "behaviour": self.behaviour,
            "label": self.label,
            "severity": self.severity,
            "frequency": self.frequency,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "rules": list(self.rules),
            "text": self.text,
        }


@dataclass(frozen=True)
class Fired:
    """One rule that fired: its effect, its reason filled from the facts, and whether it
    won the wave or stage it asked for."""

    rule: str
    effect: str
    reason: str
    won: bool
    wave: int | None = None
    stage: int | None = None
    won_wave: bool = False
    won_stage: bool = False
    services: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    preconditions: tuple[str, ...] = ()
    signposting: tuple[str, ...] = ()
    risk: bool = False
    readiness: str = ""
    risk_steps: bool = False  # the rule file marks its preconditions as risk steps

    @property
    def asked_for(self) -> str:
        """The effect with the first steps in their own words (``effect`` leaves them out)."""
        return asked_for(self.effect, self.preconditions, self.risk_steps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "effect": self.effect,
            "reason": self.reason,
            "won": self.won,
            "wave": self.wave,
            "stage": self.stage,
            "won_wave": self.won_wave,
            "won_stage": self.won_stage,
            "preconditions": list(self.preconditions),
            "risk_steps": self.risk_steps,
        }


@dataclass(frozen=True)
class Recommendation:
    """The recommendation for one case, every part explained by the rules that fired."""

    case_id: str
    as_of: date
    rules_version: str
    eligibility: EligibilityDecision
    wave: int | None
    stage: int | None
    services: tuple[str, ...]
    models: tuple[str, ...]
    preconditions: tuple[str, ...]
    signposting: tuple[str, ...]
    risks: tuple[Risk, ...]
    fired: tuple[Fired, ...]
    stage_evidence: str
    next_stage_readiness: str
    screened: bool = True  # False: no screening recorded yet, so the recommendation is provisional
    #: The preconditions the rule file marks as risk steps (``effect.risk_steps``): outstanding,
    #: they hold up sign-off and the beginning of work (rules.first_steps).
    risk_steps: tuple[str, ...] = ()
    risk: RiskStatus | None = None  # recorded risks and whether risk is assessed at all

    PROVISIONAL = "PROVISIONAL: no screening is recorded yet, so this comes from the referral alone; screen before deciding."

    def _repr_html_(self) -> str:
        """A short table in Jupyter: wave, stage, services, the winning reasons; text escaped."""
        from .._display import recommendation_html

        return recommendation_html(self)

    @property
    def recommendable(self) -> bool:
        """True when the child is eligible and can proceed (a wave and stage are set)."""
        return self.wave is not None and self.stage is not None

    def reasons_for(self, part: Part, item: str | None = None) -> list[str]:
        """The reasons behind one part of the recommendation (or one item of it).

        For ``wave`` and ``stage`` the winning rule's reason comes first, then the other
        rules that asked for a wave or stage. For a list part, the reasons of the rules
        that added ``item`` (or any item). For ``risks``, the rules that flagged risk.
        """
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}; expected one of: {', '.join(PARTS)}")
        return [f.reason for f in self._fired_for(part, item)]

    def _fired_for(self, part: str, item: str | None = None) -> list[Fired]:
        if part == "wave":
            return sorted(
                (f for f in self.fired if f.wave is not None), key=lambda f: not f.won_wave
            )
        if part == "stage":
            return sorted(
                (f for f in self.fired if f.stage is not None), key=lambda f: not f.won_stage
            )
        if part == "risks":
            return [f for f in self.fired if f.risk]
        return [
            f
            for f in self.fired
            if (item in getattr(f, part) if item is not None else getattr(f, part))
        ]

    def to_snapshot(self, made: datetime) -> RecommendationSnapshot:
        """The recommendation as recorded on a formulation (rules version, when made).

        Raises
        ------
        NoRecommendation
            When the child is not eligible or the referral cannot proceed.
        """
        if self.wave is None or self.stage is None:
            raise NoRecommendation(
                f"{self.case_id}: no recommendation to record; {self.eligibility.summary.lower()} "
                f"(eligibility outcome {self.eligibility.outcome})"
            )
        return RecommendationSnapshot(
            rules_version=self.rules_version,
            made=made,
            wave=self.wave,
            stage=self.stage,
            services=list(self.services),
            models=list(self.models),
            preconditions=list(self.preconditions),
            risk_steps=list(self.risk_steps),
            signposting=list(self.signposting),
            risks=[r.text for r in (self.risk.risks if self.risk else ())]
            + [r.text for r in self.risks],
            fired=[
                FiredRule(
                    rule=f.rule,
                    effect=f.effect[:200],
                    reason=f.reason,
                    won=f.won,
                    preconditions=list(f.preconditions),
                    risk_steps=f.risk_steps,
                )
                for f in self.fired
            ],
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every part with its labels and the rules behind it."""
        voc = vocabulary()

        def items(part: str) -> list[dict[str, Any]]:
            out = []
            for value in getattr(self, part):
                entry: dict[str, Any] = {"id": value} if part in _VOCAB_OF else {"text": value}
                if part in _VOCAB_OF:
                    entry["label"] = voc.label(_VOCAB_OF[part], value)
                entry["because"] = [
                    {"rule": f.rule, "reason": f.reason} for f in self._fired_for(part, value)
                ]
                out.append(entry)
            return out

        return {
            "case_id": self.case_id,
            "as_of": self.as_of.isoformat(),
            "rules_version": self.rules_version,
            "screened": self.screened,
            "eligibility": self.eligibility.as_dict(),
            "risk": self.risk.as_dict() if self.risk else None,
            "risks": [r.as_dict() for r in self.risks],
            "wave": self.wave,
            "wave_name": WAVE_NAMES.get(self.wave or 0, ""),
            "stage": self.stage,
            "stage_name": STAGE_NAMES.get(self.stage or 0, ""),
            "stage_evidence": self.stage_evidence,
            "next_stage_readiness": self.next_stage_readiness,
            **{part: items(part) for part in LIST_PARTS},
            "fired": [f.as_dict() for f in self.fired],
        }

    def risk_lines(self) -> list[str]:
        """Risk first, in every output: not yet assessed, or each recorded risk dated,
        then the risk behaviours the rules flagged."""
        lines = ["RISK"]
        status = self.risk
        if status is not None and not status.assessed:
            lines.append(f"  ! {status.summary}")
        for r in status.risks if status is not None else ():
            flag = "!!" if r.out_of_date else "!"
            lines.append(f"  {flag} {r.text}" + (f" [{', '.join(r.rules)}]" if r.rules else ""))
        lines += [f"  ! {r.text} [{', '.join(r.rules)}]" for r in self.risks]
        if len(lines) == 1:
            lines.append(
                "  " + (status.summary if status is not None else "No risk behaviour recorded.")
            )
        return lines

    def to_text(self) -> str:
        """Plain text for a worker: risks first, then each part with its reasons."""
        voc = vocabulary()
        lines = [
            f"Recommendation for {self.case_id} as of {self.as_of.isoformat()} (rules {self.rules_version})",
            f"Eligibility: {self.eligibility.summary}",
            *(f"FLAG: {flag}." for flag in self.eligibility.flags),
        ]
        if not self.screened and self.recommendable:
            lines.append(self.PROVISIONAL)
        lines += ["", *self.risk_lines()]
        for part, value, names in (
            ("wave", self.wave, WAVE_NAMES),
            ("stage", self.stage, STAGE_NAMES),
        ):
            if value is None:
                continue
            lines += ["", f"{part.capitalize()} {value}: {names[value]}"]
            for f in self._fired_for(part):
                won = f.won_wave if part == "wave" else f.won_stage
                asked = f.wave if part == "wave" else f.stage
                prefix = "because" if won else f"also asked {part} {asked}"
                lines.append(f"  - {prefix}: {f.reason} [{f.rule}]")
        if self.stage is not None:
            lines += [
                f"  Evidence: {self.stage_evidence}",
                f"  Next stage: {self.next_stage_readiness}",
            ]
        titles = {
            "services": "Services",
            "models": "Direct-work models",
            "preconditions": "Preconditions",
            "signposting": "Signposting",
        }
        for part in LIST_PARTS:
            values = getattr(self, part)
            if not values:
                continue
            lines += ["", titles[part]]
            for value in values:
                shown = voc.label(_VOCAB_OF[part], value) if part in _VOCAB_OF else value
                lines.append(f"  - {shown}")
                lines += [
                    f"      because: {f.reason} [{f.rule}]" for f in self._fired_for(part, value)
                ]
        if self.wave is None:
            lines += ["", "No wave, stage or services: " + self.eligibility.summary.lower()]
        return "\n".join(lines)


# --- the engine --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the rules can see of one case on one date (computed once, then read-only).

    ``behaviour_levels`` maps each presenting behaviour to its (severity rank, frequency
    rank, number of distinct sources), so comparisons are integer comparisons.
    Breakdowns and the placement length count only what had happened by ``as_of``.
    """

    case: Case
    as_of: date
    eligibility: EligibilityDecision
    age: int
    legal_status: str
    behaviours: Mapping[str, PresentingBehaviour]
    behaviour_levels: Mapping[str, tuple[int, int, int]]
    behaviour_sources: Mapping[str, frozenset[str]]
    history: Mapping[str, HistoryFactor]
    moves: int
    breakdowns: tuple[date, ...]
    placement_type: str | None
    placement_months: int | None
    caregiver: str | None  # relationship id; None when there is no caregiver
    caregiver_can_take_part: bool
    living_independently: bool
    life_story: str
    eligibility_facts: Mapping[str, bool]
    bands: Mapping[str, str] = field(default_factory=dict)
    # Recorded risks: kind -> level rank; kinds with no safety plan; kinds past review.
    risk_levels: Mapping[str, int] = field(default_factory=dict)
    risks_without_plan: frozenset[str] = frozenset()
    risks_out_of_date: frozenset[str] = frozenset()
    care_leaver: bool = False
    risk_assessed: bool = True  # the screening is complete (rules.risk: never reassured by absence)


def case_facts(
    case: Case,
    as_of: date,
    eligibility: EligibilityDecision,
    bands: Mapping[str, str] | None = None,
) -> Facts:
    """Compute the :class:`Facts` of a case as of a date."""
    vocab = vocabulary()
    sev, freq = vocab["severity"], vocab["frequency"]
    screening = case.screening
    behaviours = {b.behaviour: b for b in screening.presenting_behaviours} if screening else {}
    levels = {
        b.behaviour: (sev.rank(b.severity), freq.rank(b.frequency), len(set(b.sources)))
        for b in behaviours.values()
    }
    history = {h.factor: h for h in screening.history_factors} if screening else {}
    child = case.child
    placement = child.placement
    caregiver = child.caregiver
    relationship = (
        caregiver.relationship
        if caregiver is not None and caregiver.relationship != "none"
        else None
    )
    referral = case.referral
    risks = screening.risks if screening else []
    level = vocab["risk_level"].rank
    age = years_between(child.date_of_birth, as_of)
    # From 18 a carer takes part only where the young person wants them involved and the
    # record says so (Caregiver.young_person_wants_involved); not asked counts as no.
    takes_part = bool(
        relationship is not None
        and caregiver is not None
        and caregiver.can_take_part
        and (age < 18 or caregiver.young_person_wants_involved is True)
    )
    return Facts(
        case=case,
        as_of=as_of,
        eligibility=eligibility,
        age=age,
        legal_status=child.legal_status.status,
        behaviours=behaviours,
        behaviour_levels=levels,
        behaviour_sources={b: frozenset(v.sources) for b, v in behaviours.items()},
        history=history,
        moves=placement.moves_last_12_months if placement else 0,
        breakdowns=tuple(
            sorted((b.date for b in placement.breakdowns if b.date <= as_of), reverse=True)
        )
        if placement
        else (),
        placement_type=placement.type if placement else None,
        placement_months=whole_months(placement.start, as_of) if placement else None,
        caregiver=relationship,
        caregiver_can_take_part=takes_part,
        living_independently=child.living_independently
        or (placement is not None and placement.type == "independent_living"),
        life_story=screening.life_story_work if screening else "not_started",
        eligibility_facts={
            "eligible": eligibility.eligible,
            "can_proceed": eligibility.can_proceed,
            "consent_informed": referral.consent is not None and referral.consent.informed,
            "consent_valid": not any(
                r.rule == "proceed.consent_not_valid" for r in eligibility.reasons
            ),
            "approval_recorded": referral.approval is not None,
            "nd_assessment_offerable": eligibility.nd_assessment_offerable,
            "nd_assessment_requested": referral.nd_assessment_requested,
        },
        bands=dict(bands or {}),
        risk_levels={r.kind: level(r.level) for r in risks},
        risks_without_plan=frozenset(r.kind for r in risks if not r.safety_plan),
        risks_out_of_date=frozenset(r.kind for r in risks if r.review_due < as_of),
        # A looked-after child who has turned 18 is a care leaver in law (eligibility flags
        # the record): their worker is their personal adviser.
        care_leaver=child.legal_status.status == "care_leaver"
        or eligibility.legal_status == "care_leaver",
        risk_assessed=screening is not None and screening.completed is not None,
    )


def default_as_of(case: Case) -> date:
    """Screening completed, else started, else the referral's received date."""
    scr = case.screening
    if scr is not None and scr.completed is not None:
        return scr.completed
    if scr is not None and scr.started is not None:
        return scr.started
    return case.referral.received


#: A recorded risk as a rule's reason gives it (``_Template.risk_phrase``), after its kind:
#: `` (high), recorded 19 Sep 2026; no safety plan; review due 18 Dec 2026``.
RISK_DETAIL = re.compile(
    r" \((?P<level>low|medium|high)\), recorded \d{1,2} [A-Z][a-z]{2} \d{4}; "
    r"(?:no safety plan|safety plan held by [^;]+); "
    r"review (?:was )?due \d{1,2} [A-Z][a-z]{2} \d{4}(?: \(out of date\))?"
)


def risk_once(text: str, seen: set[str]) -> str:
    """``text`` with each recorded risk's details said once: a risk already given in
    full (in ``seen``, which this adds to) is named again as "(high, as above)" (issue 21,
    third read: one risk's "no safety plan" told three times in one line)."""

    def once(m: re.Match[str]) -> str:
        if m.group(0) in seen:
            return f" ({m.group('level')}, as above)"
        seen.add(m.group(0))
        return m.group(0)

    return RISK_DETAIL.sub(once, text)


def _sentences(parts: list[str]) -> str:
    """Join clauses as sentences: first letter up, one full stop each."""
    out = [p.strip().rstrip(".") for p in parts if p.strip()]
    return " ".join(f"{p[:1].upper()}{p[1:]}." for p in out)


def _word(voc: Vocabularies, list_name: str, term: str) -> str:
    """A vocabulary label as it reads inside a sentence (``Self-harm`` -> ``self-harm``)."""
    return _lower(voc.label(list_name, term))


class _Values(dict[str, Any]):
    """Template values computed only when a template asks for them."""

    def __init__(self, template: _Template, matched: Matched) -> None:
        super().__init__()
        self.template, self.matched = template, matched

    def __missing__(self, name: str) -> str:
        value = self.template.value(name, self.matched)
        self[name] = value
        return value


class _Template:
    """Fills a rule's reason from the facts and what its condition matched."""

    def __init__(self, facts: Facts, voc: Vocabularies) -> None:
        self.facts, self.voc = facts, voc
        self._phrases: dict[str, str] = {}

    def phrase(self, behaviour: str) -> str:
        """``self-harm reported at least weekly by carer and school``."""
        if behaviour not in self._phrases:
            b = self.facts.behaviours[behaviour]
            sources = join_words([_word(self.voc, "source", s) for s in dict.fromkeys(b.sources)])
            self._phrases[behaviour] = (
                f"{_word(self.voc, 'presenting_behaviour', behaviour)} reported {_word(self.voc, 'frequency', b.frequency)} by {sources}"
            )
        return self._phrases[behaviour]

    def risk_phrase(self, kind: str) -> str:
        """``self-harm (high), recorded 2026-03-05; no safety plan; review due 2026-04-05``."""
        item = next(r for r in self.facts.case.screening.risks if r.kind == kind)  # type: ignore[union-attr]
        plan = (
            f"safety plan held by {item.safety_plan_holder.strip()}"
            if item.safety_plan
            else "no safety plan"
        )
        review = (
            f"review was due {uk_date(item.review_due)} (out of date)"
            if item.review_due < self.facts.as_of
            else f"review due {uk_date(item.review_due)}"
        )
        return f"{_word(self.voc, 'risk_kind', kind)} ({item.level}), recorded {uk_date(item.recorded)}; {plan}; {review}"

    def value(self, name: str, matched: Matched) -> str:
        f, voc = self.facts, self.voc
        behaviours = matched.behaviours or list(f.behaviours)
        first = f.behaviours[behaviours[0]] if behaviours else None
        if name == "behaviour":
            return "; ".join(self.phrase(b) for b in behaviours) or "no behaviour recorded"
        if name == "behaviour_names":
            return join_words([_word(voc, "presenting_behaviour", b) for b in behaviours])
        if name == "severity":
            return first.severity if first else ""
        if name == "frequency":
            return _word(voc, "frequency", first.frequency) if first else ""
        if name == "sources":
            return (
                join_words([_word(voc, "source", s) for s in dict.fromkeys(first.sources)])
                if first
                else ""
            )
        if name == "factors":
            return (
                join_words(
                    [_word(voc, "history_factor", h) for h in matched.factors or list(f.history)]
                )
                or "none recorded"
            )
        if name == "breakdown":
            return uk_date(matched.breakdown) if matched.breakdown else ""
        if name == "band":
            return join_words(matched.bands)
        if name == "history_count":
            return str(len(f.history))
        if name == "age":
            return str(f.age)
        if name == "risk":
            return (
                "; ".join(self.risk_phrase(k) for k in matched.risks or list(f.risk_levels))
                or "no risk recorded"
            )
        if name == "risk_names":
            return join_words(
                [_word(voc, "risk_kind", k) for k in matched.risks or list(f.risk_levels)]
            )
        if name == "worker_role":
            return "personal adviser" if f.care_leaver else "social worker"
        if name == "young_person":
            return "young person" if f.age >= 16 else "child"
        if name == "legal_status":
            return _word(voc, "legal_status", f.legal_status)
        if name == "placement":
            return (
                _word(voc, "placement_type", f.placement_type)
                if f.placement_type
                else "no placement"
            )
        if name == "placement_months":
            return str(f.placement_months) if f.placement_months is not None else "no"
        if name == "moves":
            return str(f.moves)
        if name == "caregiver":
            return _word(voc, "caregiver", f.caregiver) if f.caregiver else "no caregiver"
        if name == "life_story":
            return _word(voc, "life_story_work", f.life_story)
        if name == "nd_reason":
            return _lower(f.eligibility.nd_assessment_reason)
        if name == "consent_reason":
            return next(
                (r.text for r in f.eligibility.reasons if r.rule == "proceed.consent_not_valid"), ""
            )
        if name in ("status_reason", "age_reason"):
            prefix = name.split("_")[0] + "."
            return next((r.text for r in f.eligibility.reasons if r.rule.startswith(prefix)), "")
        raise KeyError(name)  # pragma: no cover - templates are checked when the rules load

    def fill(self, template: str, matched: Matched) -> str:
        return template.format_map(_Values(self, matched)) if template else ""


@lru_cache(maxsize=1024)
def _additive(effect: Effect) -> str:
    """The effect in words without its wave and stage (those are told with who won) and
    without its preconditions (told filled in, by :func:`asked_for`)."""
    return effect.model_copy(update={"wave": None, "stage": None, "preconditions": ()}).describe()


def asked_for(effect: str, steps: tuple[str, ...] | list[str], risk_steps: bool | None) -> str:
    """What a fired rule asked for: its effect, then its first steps in their own words
    (issue 21: the appendix said "preconditions: 1", a count, not the step)."""
    if not steps:
        # A formulation recorded before the steps were kept with each rule: its effect has
        # only their count; point to where the steps themselves are listed.
        return re.sub(
            r"preconditions: (\d+)",
            lambda m: f"{plural(int(m.group(1)), 'first step')} (listed under First, above)",
            effect,
        )
    head = "first (a risk step): " if risk_steps else "first: "
    return "; ".join(p for p in (effect, head + "; ".join(steps)) if p)


def _risks(facts: Facts, flagged: dict[str, list[str]]) -> tuple[Risk, ...]:
    voc = vocabulary()
    levels = facts.behaviour_levels
    order = sorted(flagged, key=lambda b: (-levels[b][0], -levels[b][1], list(flagged).index(b)))
    out = []
    for b in order:
        pb = facts.behaviours[b]
        out.append(
            Risk(
                b,
                voc.label("presenting_behaviour", b),
                pb.severity,
                pb.frequency,
                tuple(dict.fromkeys(pb.sources)),
                pb.evidence,
                tuple(flagged[b]),
            )
        )
    return tuple(out)


def evaluate(
    case: Case,
    rules: RuleSet,
    as_of: date | None = None,
    bands: Mapping[str, str] | None = None,
    *,
    compiled: bool = True,
    risk_as_of: date | None = None,
) -> Recommendation:
    """Apply a rule set to a case (``compiled=False`` interprets each condition instead of
    using the compiled closures: the reference path, and the benchmark's baseline)."""
    on = as_of or default_as_of(case)
    # Eligibility is decided on the referral as received; a child who turns 18 during the
    # screening is not dropped mid-screening.
    elig = check_eligibility(case)
    facts = case_facts(case, on, elig, bands)
    path = "eligible" if elig.outcome == "eligible" else "ineligible"
    hits: list[tuple[Rule, Matched]] = []
    for rule, predicate in zip(rules.rules, rules.predicates):
        if rule.applies != path and rule.applies != "always":
            continue
        if predicate(facts) if compiled else rule.condition.holds(facts):
            matched = Matched()
            rule.condition.collect(facts, matched)
            hits.append((rule, matched))
    return _resolve(case, rules, facts, hits, risk_as_of or on)


def _resolve(
    case: Case, rules: RuleSet, facts: Facts, hits: list[tuple[Rule, Matched]], risk_as_of: date
) -> Recommendation:
    wave_at = max(range(len(hits)), key=lambda i: (hits[i][0].effect.wave or 0, -i), default=None)
    stage_at = min(range(len(hits)), key=lambda i: (hits[i][0].effect.stage or 9, i), default=None)
    if wave_at is not None and hits[wave_at][0].effect.wave is None:
        wave_at = None
    if stage_at is not None and hits[stage_at][0].effect.stage is None:
        stage_at = None
    wave = hits[wave_at][0].effect.wave if wave_at is not None else None
    stage = hits[stage_at][0].effect.stage if stage_at is not None else None
    voc = vocabulary()
    template = _Template(facts, voc)
    lists: dict[str, dict[str, None]] = {part: {} for part in LIST_PARTS}
    flagged: dict[str, list[str]] = {}
    flagged_risks: dict[str, list[str]] = {}
    fired: list[Fired] = []
    for i, (rule, matched) in enumerate(hits):
        eff = rule.effect
        # Preconditions are templates too (a safety plan for *which* risk); the others are ids.
        preconditions = tuple(template.fill(p, matched) for p in eff.preconditions)
        for part in LIST_PARTS:
            lists[part].update(
                dict.fromkeys(preconditions if part == "preconditions" else getattr(eff, part))
            )
        if eff.risk:
            for b in matched.behaviours:
                flagged.setdefault(b, []).append(rule.id)
            for k in matched.risks:
                flagged_risks.setdefault(k, []).append(rule.id)
        won_wave, won_stage = i == wave_at, i == stage_at
        notes = []
        if eff.wave is not None:
            notes.append(
                f"wave {eff.wave} "
                + (
                    "(won)"
                    if won_wave
                    else f"(overruled by {hits[wave_at][0].id})"
                    if wave_at is not None
                    else ""
                )
            )
        if eff.stage is not None:
            notes.append(
                f"stage {eff.stage} "
                + (
                    "(won)"
                    if won_stage
                    else f"(overruled by {hits[stage_at][0].id})"
                    if stage_at is not None
                    else ""
                )
            )
        rest = _additive(rule.effect)
        effect_text = "; ".join(n.strip() for n in notes + ([rest] if rest else []))
        contested = eff.wave is not None or eff.stage is not None
        fired.append(
            Fired(
                rule=rule.id,
                effect=effect_text,
                reason=template.fill(rule.reason, matched),
                won=won_wave or won_stage or not contested,
                wave=eff.wave,
                stage=eff.stage,
                won_wave=won_wave,
                won_stage=won_stage,
                services=eff.services,
                models=eff.models,
                preconditions=preconditions,
                signposting=eff.signposting,
                risk=eff.risk,
                readiness=template.fill(rule.readiness, matched),
                risk_steps=eff.risk_steps,
            )
        )
    stage_evidence = next_readiness = ""
    if stage is not None:
        at_stage = [f for f in fired if f.stage == stage]
        heading = f"Stage {stage} ({STAGE_NAMES[stage]})"
        evidence = [
            f.reason[len(heading) + 2 :] if f.reason.startswith(heading + ": ") else f.reason
            for f in at_stage
        ]
        said: set[str] = set()
        stage_evidence = f"{heading}: " + _sentences([risk_once(e, said) for e in evidence])
        if stage == 4:
            next_readiness = TOP_STAGE_READINESS
        else:
            needs = list(dict.fromkeys(f.readiness for f in at_stage if f.readiness))
            next_readiness = (
                f"Ready for stage {stage + 1} ({STAGE_NAMES[stage + 1]}) when: " + _sentences(needs)
            )
    return Recommendation(
        case_id=case.case_id,
        as_of=facts.as_of,
        rules_version=rules.version,
        eligibility=facts.eligibility,
        wave=wave,
        stage=stage,
        services=tuple(lists["services"]),
        models=tuple(lists["models"]),
        preconditions=tuple(lists["preconditions"]),
        risk_steps=tuple(dict.fromkeys(p for f in fired if f.risk_steps for p in f.preconditions)),
        signposting=tuple(lists["signposting"]),
        risks=_risks(facts, flagged),
        fired=tuple(fired),
        stage_evidence=stage_evidence,
        next_stage_readiness=next_readiness,
        screened=case.screening is not None and case.screening.started is not None,
        risk=risk_status(case, risk_as_of, flagged_risks),
    )


def recommend(
    case: Case,
    rules: RuleSet | None = None,
    as_of: date | None = None,
    bands: Mapping[str, str] | None = None,
    *,
    risk_as_of: date | None = None,
) -> Recommendation:
    """Recommend a wave, stage, services and models for a screened case.

    Parameters
    ----------
    case : Case
        The child's case; the screening's history factors and presenting behaviours,
        the placement, caregiver, legal status and referral are read.
    rules : RuleSet, optional
        Rules from :func:`load_rules`. Default: the file named by ``TSWT_RULES`` if set,
        else the package's rules (parsed once and cached).
    as_of : date, optional
        The date the facts are read on (age, breakdowns, placement length). Default: the
        screening's completion date, else its start, else the referral's received date.
    bands : mapping of str to str, optional
        Baseline measure bands keyed ``measure.scale.informant``, e.g.
        ``{"sdq.total.parent": "abnormal"}``, for ``measure_band`` conditions.
    risk_as_of : date, optional
        The date recorded risks' review dates are judged on (out of date or not): a
        report's date, or today for a live view. Default: ``as_of``.

    Returns
    -------
    Recommendation
        Wave, stage, services, models, preconditions, signposting, risks and every rule
        that fired with its reason; wave and stage are None for a child who is not
        eligible or whose referral cannot proceed.

    Raises
    ------
    RuleFileError
        When ``TSWT_RULES`` names a file that is missing or invalid.

    Notes
    -----
    Highest wave wins, lowest stage wins, ties go to the earlier rule; list parts are
    unions in rule order. See docs/rules.md.
    """
    from ..config import parse_day
    from ..model.case import require_case

    case = require_case(case, "recommend()")
    as_of, risk_as_of = (
        parse_day(as_of, f"{case.case_id}: recommend()"),
        parse_day(risk_as_of, f"{case.case_id}: recommend()", "risk_as_of"),
    )
    return evaluate(
        case, rules if rules is not None else active_rules(), as_of, bands, risk_as_of=risk_as_of
    )
