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
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache

from ..errors import NoRecommendation  # noqa: F401 - published here too
from ..model.case import Case
from ..model.vocabulary import vocabulary
from ..words import plural
from .conditions import Matched
from .eligibility import check_eligibility
from .facts import Facts, case_facts, default_as_of
from .reasons import _sentences, _Template
from .results import (  # noqa: F401 - published here first; read from here too
    LIST_PARTS,
    PARTS,
    STAGE_NAMES,
    TOP_STAGE_READINESS,
    WAVE_NAMES,
    Fired,
    Part,
    Recommendation,
    RiskBehaviour,
)
from .risk import risk_status
from .rulefile import Effect, Rule, RuleSet, active_rules

# --- the engine --------------------------------------------------------------------------------


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


def _risks(facts: Facts, flagged: dict[str, list[str]]) -> tuple[RiskBehaviour, ...]:
    voc = vocabulary()
    levels = facts.behaviour_levels
    order = sorted(flagged, key=lambda b: (-levels[b][0], -levels[b][1], list(flagged).index(b)))
    out = []
    for b in order:
        pb = facts.behaviours[b]
        out.append(
            RiskBehaviour(
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
    hits = rule_hits(rules, facts, rule_path(elig.verdict), compiled=compiled)
    return _resolve(case, rules, facts, hits, risk_as_of or on)


def rule_path(verdict: str) -> str:
    """Which rules apply (besides ``always``) to a child with this eligibility verdict."""
    return "eligible" if verdict == "eligible" else "ineligible"


def rule_hits(
    rules: RuleSet,
    facts: Facts,
    path: str,
    *,
    compiled: bool = True,
    which: Sequence[int] | None = None,
) -> list[tuple[Rule, Matched]]:
    """The rules (``which``: their places in the file, in file order; default all) that
    apply on ``path`` and hold for the facts, in file order, each with what it matched:
    :func:`evaluate`'s and the summarised review's (``rules.light_risks``) one way to
    fire rules."""
    hits: list[tuple[Rule, Matched]] = []
    pairs = (
        zip(rules.rules, rules.predicates)
        if which is None
        else ((rules.rules[i], rules.predicates[i]) for i in which)
    )
    for rule, predicate in pairs:
        if rule.applies != path and rule.applies != "always":
            continue
        if predicate(facts) if compiled else rule.condition.holds(facts):
            matched = Matched()
            rule.condition.collect(facts, matched)
            hits.append((rule, matched))
    return hits


def risk_flags(hits: list[tuple[Rule, Matched]]) -> dict[str, list[str]]:
    """Behaviour -> the ids of the fired rules with ``risk: true`` that matched it, in the
    order first flagged (what :func:`_risks` turns into :class:`RiskBehaviour`)."""
    flagged: dict[str, list[str]] = {}
    for rule, matched in hits:
        if rule.effect.risk:
            for b in matched.behaviours:
                flagged.setdefault(b, []).append(rule.id)
    return flagged


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
    flagged = risk_flags(hits)
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
