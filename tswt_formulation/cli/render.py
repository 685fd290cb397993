"""Plain-text renderings of a case and its decisions for the terminal."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from ..model.case import SDQ_RECORDED_REASONS, Case
from ..model.vocabulary import vocabulary
from ..rules.eligibility import EligibilityDecision
from ..rules.timeline import case_timeline
from ._common import terminal_safe


def _label(vocab: str, term: str) -> str:
    return vocabulary().label(vocab, term)


def _wrap(text: str, indent: str = "    ") -> str:
    # Escaped first: textwrap would turn a carriage return into a space, unseen.
    lines = terminal_safe(text).split("\n")
    return "\n".join(
        textwrap.fill(p, 92, initial_indent=indent, subsequent_indent=indent) for p in lines
    )


def eligibility_text(decision: EligibilityDecision) -> str:
    lines = [
        f"{decision.case_id}: {decision.summary} (as of {decision.as_of.isoformat()}; aged {decision.age}, {_label('legal_status', decision.legal_status).lower()})"
    ]
    for heading, kind in (
        ("Eligibility", "eligibility"),
        ("Can the referral proceed", "proceed"),
        ("Signposting", "signposting"),
    ):
        reasons = [r for r in decision.reasons if r.applies_to == kind]
        if reasons:
            lines.append(f"  {heading}:")
            lines += [f"    - {r.text}  [{r.rule}]" for r in reasons]
    if decision.signposting:
        lines.append(
            "  Signpost to: " + "; ".join(_label("signposting", s) for s in decision.signposting)
        )
    lines.append(f"  Neurodevelopmental assessment: {decision.nd_assessment_text}")
    return terminal_safe("\n".join(lines))


def risk_status_lines(case: Case, as_of: date) -> list[str]:
    """Risk near the top of ``show``: not yet assessed, or each recorded risk dated."""
    from ..rules.risk import risk_status

    status = risk_status(case, as_of)
    return [f"  Risk: {status.summary}"] + [
        f"    {'!! ' if r.out_of_date else '! '}{r.text}" for r in status.risks
    ]


def case_text(case: Case, as_of: date) -> str:
    child, ref, scr = case.child, case.referral, case.screening
    tl = case_timeline(case, as_of)
    out = [
        f"{case.case_id}{'  [SYNTHETIC]' if case.synthetic else ''}   ref {child.case_management_ref}"
    ]
    out.append(
        f"  Child: aged {child.age_on(as_of)} (born {child.date_of_birth.isoformat()}), {_label('sex', child.sex).lower()}, "
        f"{_label('legal_status', child.legal_status.status).lower()} since {child.legal_status.start.isoformat()}"
    )
    if child.placement:
        p = child.placement
        out.append(
            f"  Placement: {_label('placement_type', p.type).lower()} since {p.start.isoformat()}; "
            f"{p.moves_last_12_months} move(s) in 12 months; {len(p.breakdowns)} breakdown(s) recorded"
        )
    if child.caregiver:
        cg = child.caregiver
        wish = {
            True: "; the young person wants them involved",
            False: "; the young person does not want them involved",
            None: "; whether the young person wants them involved is not recorded",
        }
        adult = child.age_on(as_of) >= 18 and cg.relationship != "none"
        out.append(
            f"  Caregiver: {_label('caregiver', cg.relationship).lower()}, {'can' if cg.can_take_part else 'cannot'} take part in the work"
            + (wish[cg.young_person_wants_involved] if adult else "")
        )
    out.append(
        f"  State as of {as_of.isoformat()}: {tl.state_label}"
        + (
            f" - screening {tl.due_text} ({tl.screening_due.isoformat()})"
            if tl.due_text and tl.screening_due
            else ""
        )
    )
    out += risk_status_lines(case, as_of)
    from ..rules.eligibility import check_eligibility

    decision = check_eligibility(case)
    out += [f"  FLAG: {flag}." for flag in decision.flags]
    out += [
        f"  CONSENT NOT VALID: {r.text}."
        for r in decision.reasons
        if r.rule == "proceed.consent_not_valid"
    ]
    out.append(
        f"  Referral: received {ref.received.isoformat()} from {ref.referrer.name} ({_label('referrer_role', ref.referrer.role).lower()})"
    )
    out.append(
        f"    consent: {'informed, ' + ref.consent.given_by + ' ' + ref.consent.date.isoformat() if ref.consent and ref.consent.informed else ('NOT informed' if ref.consent else 'MISSING')}"
        f"; manager approval: {ref.approval.by + ' ' + ref.approval.date.isoformat() if ref.approval else 'MISSING'}"
    )
    dec = ref.decision
    out.append(
        f"    decision: {dec.outcome.replace('_', ' ')}"
        + (f" on {dec.date.isoformat()}" if dec.date else "")
        + (f" - {dec.reasons}" if dec.reasons else "")
    )
    if ref.allocation:
        out.append(f"    allocated to {ref.allocation.worker} on {ref.allocation.date.isoformat()}")
    if scr:
        out.append(
            f"  Screening: started {scr.started.isoformat() if scr.started else '-'}, completed {scr.completed.isoformat() if scr.completed else '-'}; "
            f"life story work {_label('life_story_work', scr.life_story_work).lower()}"
        )
        for b in scr.presenting_behaviours:
            out.append(
                f"    behaviour: {_label('presenting_behaviour', b.behaviour)} ({b.severity}, {_label('frequency', b.frequency).lower()}; "
                f"reported by {', '.join(b.sources)})"
            )
        for h in scr.history_factors:
            out.append(
                f"    history: {_label('history_factor', h.factor)} (from {', '.join(h.sources)})"
            )
        if scr.child_voice:
            out.append("    child's voice:\n" + _wrap(scr.child_voice, "      "))
        if scr.carer_views:
            out.append("    carers' views:\n" + _wrap(scr.carer_views, "      "))
    if case.measures:
        by: dict[tuple[str, str], list[str]] = {}
        for m in case.measures:
            by.setdefault((m.measure, m.informant), []).append(m.timepoint)
        out.append(
            "  Measures: "
            + "; ".join(f"{m} ({inf}): {len(tps)}" for (m, inf), tps in sorted(by.items()))
        )
    for r in sorted(case.sdq_not_completed, key=lambda r: r.collection_year):
        out.append(
            f"  No SDQ score for the SSDA903 return {r.collection_year - 1}-{r.collection_year % 100:02d}: "
            f"{r.reason} {SDQ_RECORDED_REASONS[r.reason]} (recorded {r.recorded.isoformat()})"
            + (f" - {r.note}" if r.note else "")
        )
    if case.formulation:
        f = case.formulation
        out.append(
            f"  Formulation: {f.status.replace('_', ' ')} (revision {f.revision}, by {f.author})"
        )
    if case.conclusion:
        o = case.conclusion
        out.append(
            f"  Conclusion of screening: {o.decision.replace('_', ' ')} on {o.date.isoformat()} by {o.by}"
            + (f" - {o.reasons}" if o.reasons else "")
        )
    return terminal_safe("\n".join(out))


def risk_lines(case: Case, as_of: date | None = None) -> list[str]:
    """Risk first: not yet assessed, or each recorded risk dated (out of date flagged),
    then the screening's risk behaviours with their evidence."""
    from ..measures.one_child import case_baseline_bands
    from ..rules.recommend import recommend

    # One child: the plain-Python baseline bands, as `tswt recommend CASE` uses (no pandas).
    rec = recommend(case, bands=case_baseline_bands(case), risk_as_of=as_of or date.today())
    return ["  " + line for line in rec.risk_lines()]


def formulation_text(case: Case, people: Any = None) -> str:
    """The formulation as plain text for the terminal; ``people`` (the store's staff
    directory) names staff as "Dr R. Ahmed, clinical psychologist", not by login."""
    from ..model.formulation import FIVE_PS
    from ..rules.workflow import effective_recommendation

    def who(login: str) -> str:
        return people.describe(login) if people is not None else login

    f = case.formulation
    if f is None:
        return f"{case.case_id}: no formulation yet. Draft one with: tswt formulation {case.case_id} --draft"
    out = [
        f"{case.case_id}: formulation, {f.status.replace('_', ' ')} (revision {f.revision}; by {who(f.author)}, updated {f.updated:%Y-%m-%d %H:%M} UTC)"
    ]
    out += risk_lines(case)
    out.append("  Narrative (the worker's own words):")
    out.append(_wrap(f.narrative, "    ") if f.narrative.strip() else "    (not yet written)")
    for p in FIVE_PS:
        entries = getattr(f.five_ps, p)
        out.append(f"  {p.capitalize()}:")
        # A suggestion from the screening is marked only until the worker accepts the draft.
        pending = f.status == "draft"
        out += [
            f"    - {e.text}"
            + (
                "  (suggested from the screening; not yet accepted)"
                if pending and e.origin == "screening"
                else ""
            )
            for e in entries
        ] or ["    (none)"]
    if f.recommendation:
        eff = effective_recommendation(f)
        out.append(
            f"  Recommendation (rules {f.recommendation.rules_version}): wave {eff['wave']}, stage {eff['stage']}; "
            f"services: {', '.join(eff['services']) or '-'}; models: {', '.join(eff['models']) or '-'}"
        )
        for part, o in eff["overridden"].items():
            out.append(
                f"    {part} changed by {who(o['by'])}: {o['suggested']} -> {o['chosen']} because {o['reason']}"
            )
    if f.decision:
        out.append(
            f"  Decision: {'accepted' if f.decision.accepted else 'overridden'} by {who(f.decision.by)} on {f.decision.at:%Y-%m-%d %H:%M} UTC"
        )
    else:
        out.append(
            f"  Decision: not yet made (tswt decide {case.case_id} --accept, or --override PART VALUE REASON)"
        )
    for s in f.signoffs:
        out.append(
            f"  Review: {s.outcome} by {who(s.reviewer)} on {s.at:%Y-%m-%d %H:%M} UTC (revision {s.formulation_revision})"
            + (f": {s.comment}" if s.comment else "")
        )
    return terminal_safe("\n".join(out))
