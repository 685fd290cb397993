"""Draft a formulation (the 5 Ps) from the screening, for the worker to make her own.

Every drafted entry says where it came from (``origin="screening"`` and a ``ref`` such as
``history_factor:neglect``), so the worker can see what she wrote and what was drafted.
The narrative is always left empty: the worker's own words are never generated.

=================  ===========================================================
presenting         presenting behaviours, with frequency, severity and sources
predisposing       history factors, with their evidence
precipitating      placement breakdowns and moves in the last 12 months
perpetuating       placement instability, no caregiver able to take part, life
                   story work not started, unresolved risk
protective         strengths, a caregiver who can take part, a stable placement,
                   life story work completed
=================  ===========================================================
"""

from __future__ import annotations

from datetime import datetime

from ..model.case import Case
from ..model.formulation import FiveP, Formulation, FormulationEntry
from ..model.vocabulary import vocabulary
from .conditions import join_words, months_before
from .recommend import Recommendation, recommend

INSTABILITY_MOVES = 3  # DfE placement-stability indicator: 3+ placements in a year
RECENT_MONTHS = 12


def _entry(text: str, ref: str) -> FormulationEntry:
    return FormulationEntry(text=text, origin="screening", ref=ref[:80])


def _with_evidence(head: str, evidence: str) -> str:
    evidence = evidence.strip()
    return f"{head}: {evidence}" if evidence else head


def draft_formulation(case: Case, author: str, now: datetime, recommendation: Recommendation | None = None) -> Formulation:
    """Draft the 5 Ps of a formulation from a case's screening.

    Parameters
    ----------
    case : Case
        The screened case.
    author : str
        Who is drafting (the allocated therapeutic social worker).
    now : datetime
        When the draft is made (passed in, so drafting is reproducible).
    recommendation : Recommendation, optional
        The recommendation to attach; computed with :func:`recommend` when not given.

    Returns
    -------
    Formulation
        Status ``draft``, revision 0; 5 Ps drafted from the screening (each entry with
        ``origin="screening"`` and its ``ref``); narrative empty; stage evidence, readiness
        for the next stage and a snapshot of the recommendation (when the child is
        eligible and can proceed).
    """
    rec = recommendation if recommendation is not None else recommend(case)
    voc = vocabulary()
    scr = case.screening
    child = case.child
    placement = child.placement
    caregiver = child.caregiver
    five = FiveP()

    behaviours = scr.presenting_behaviours if scr else []
    for b in behaviours:
        sources = join_words([voc.label("source", s).lower() for s in dict.fromkeys(b.sources)])
        head = (
            f"{voc.label('presenting_behaviour', b.behaviour)}: {b.severity}, "
            f"{voc.label('frequency', b.frequency).lower()}, reported by {sources}"
        )
        five.presenting.append(_entry(_with_evidence(head, b.evidence), f"presenting_behaviour:{b.behaviour}"))

    for h in scr.history_factors if scr else []:
        head = voc.label("history_factor", h.factor)
        sources = join_words([voc.label("source", s).lower() for s in dict.fromkeys(h.sources)])
        five.predisposing.append(_entry(_with_evidence(f"{head} (from {sources})", h.evidence), f"history_factor:{h.factor}"))

    as_of = rec.as_of
    if placement is not None:
        since = months_before(as_of, RECENT_MONTHS)
        for bd in sorted(placement.breakdowns, key=lambda x: x.date):
            if since < bd.date <= as_of:
                text = _with_evidence(f"Placement breakdown on {bd.date.isoformat()}", bd.note)
                five.precipitating.append(_entry(text, f"placement_breakdown:{bd.date.isoformat()}"))
        if placement.moves_last_12_months:
            n = placement.moves_last_12_months
            five.precipitating.append(_entry(f"{n} placement move{'s' if n != 1 else ''} in the last 12 months", "placement_moves"))
        if placement.moves_last_12_months >= INSTABILITY_MOVES:
            five.perpetuating.append(
                _entry(
                    f"Placement instability: {placement.moves_last_12_months} moves in 12 months "
                    "(the DfE placement-stability indicator is 3 or more)",
                    "placement_instability",
                )
            )

    takes_part = caregiver is not None and caregiver.relationship != "none" and caregiver.can_take_part
    if not takes_part and not child.living_independently:
        ref = "caregiver:none" if caregiver is None or caregiver.relationship == "none" else f"caregiver:{caregiver.relationship}:cannot_take_part"
        five.perpetuating.append(_entry("No caregiver is able to take part in the work", ref))
    life_story = scr.life_story_work if scr else "not_started"
    if life_story == "not_started":
        five.perpetuating.append(_entry("Life story work has not started", "life_story_work:not_started"))
    # What keeps a risk going, not a copy of it: its severity, frequency, reporters and
    # evidence are under presenting already (an item belongs under one P only).
    recorded = {r.kind: r for r in (scr.risks if scr else [])}
    for risk in rec.risks:
        plan = recorded.get(risk.behaviour)
        if plan is None or not plan.safety_plan:
            why = "no safety plan is in place yet"
        elif plan.review_due < as_of:
            why = f"its safety plan was due for review on {plan.review_due.isoformat()}"
        else:
            why = "it is not yet contained, though a safety plan is in place"
        five.perpetuating.append(_entry(f"{risk.label} continues: {why}", f"risk:{risk.behaviour}"))

    for i, strength in enumerate(scr.strengths if scr else []):
        if strength.strip():
            five.protective.append(_entry(strength, f"strength:{i + 1}"))
    if takes_part and caregiver is not None:
        five.protective.append(
            _entry(f"A {voc.label('caregiver', caregiver.relationship).lower()} who can take part in the work", f"caregiver:{caregiver.relationship}")
        )
    if placement is not None:
        recent = [bd for bd in placement.breakdowns if months_before(as_of, RECENT_MONTHS) < bd.date <= as_of]
        if placement.moves_last_12_months == 0 and not recent:
            five.protective.append(
                _entry(f"Stable placement ({voc.label('placement_type', placement.type).lower()}) since {placement.start.isoformat()}", "placement:stable")
            )
    if life_story == "completed":
        five.protective.append(_entry("Life story work completed", "life_story_work:completed"))

    return Formulation(
        status="draft",
        revision=0,
        author=author,
        created=now,
        updated=now,
        five_ps=five,
        narrative="",
        stage_evidence=rec.stage_evidence,
        next_stage_readiness=rec.next_stage_readiness,
        recommendation=rec.to_snapshot(now) if rec.recommendable else None,
    )
