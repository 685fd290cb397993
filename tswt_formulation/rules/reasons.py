"""A rule's reason in words: its template's placeholders (``{behaviour}``, ``{risk}``,
``{worker_role}`` ...; the list is ``rulefile.TEMPLATE_FIELDS``) filled from what the
condition matched and the case's facts, and the clauses joined as sentences."""

from __future__ import annotations

from typing import Any

from ..model.vocabulary import Vocabularies
from ..words import lower_first as _lower
from ..words import uk_date
from .conditions import Matched, join_words
from .facts import Facts


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
