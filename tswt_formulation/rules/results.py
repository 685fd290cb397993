"""What a recommendation is: the wave and stage (with their names), the services, models,
preconditions, signposting and risks, each explained by the rules that fired
(:class:`Fired`); the child's risks (:class:`RiskBehaviour`); and how it reads as text and as the
snapshot a formulation keeps. :mod:`.recommend` produces it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from ..errors import NoRecommendation
from ..model.formulation import FiredRule, RecommendationSnapshot
from ..model.recommendation import PART_VOCABULARY
from ..model.vocabulary import vocabulary
from ..words import lower_first as _lower
from .conditions import join_words
from .eligibility import EligibilityDecision
from .risk import RiskStatus

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


@dataclass(frozen=True)
class RiskBehaviour:
    """A presenting behaviour the rules flag as a risk (a rule with ``risk: true``), with
    everything the screening recorded about it. Not a recorded risk (``model.case.Risk``)."""

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
        from .recommend import asked_for

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
    risks: tuple[RiskBehaviour, ...]
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
                f"(eligibility verdict {self.eligibility.verdict})"
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
                entry: dict[str, Any] = (
                    {"id": value} if part in PART_VOCABULARY else {"text": value}
                )
                if part in PART_VOCABULARY:
                    entry["label"] = voc.label(PART_VOCABULARY[part], value)
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
                shown = (
                    voc.label(PART_VOCABULARY[part], value) if part in PART_VOCABULARY else value
                )
                lines.append(f"  - {shown}")
                lines += [
                    f"      because: {f.reason} [{f.rule}]" for f in self._fired_for(part, value)
                ]
        if self.wave is None:
            lines += ["", "No wave, stage or services: " + self.eligibility.summary.lower()]
        return "\n".join(lines)
