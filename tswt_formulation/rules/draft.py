"""Draft a formulation (the 5 Ps) from the screening, for the worker to make her own.

Every drafted entry says where it came from (``origin="screening"`` and a ``ref`` such as
``history_factor:neglect``), so the worker can see what she wrote and what was drafted.
The narrative is always left empty: the worker's own words are never generated.

=================  ===========================================================
presenting         one linked account: the referral's concern (its words, dated),
                   what the screening found (each behaviour with severity,
                   frequency, who reported it and their words), the baseline SDQ picture by
                   informant (total and band, which scales are raised, by whom)
                   and the recorded risks, each part citing its record
predisposing       one linked account: the early history (history factors) woven
                   to the difficulties seen now, as a hypothesis to test, citing
                   the screening; never a re-listed table (the report has it)
precipitating      dated events in the 12 months before the referral: placement
                   breakdowns, moves, the move to the current placement, a
                   change of legal status (a court decision); when none is
                   recorded, a prompt to ask what changed (never "none")
perpetuating       what keeps the difficulty going: placement instability, no
                   caregiver able to take part, life story work not yet under
                   way, a first step not yet done (an unmet safety step)
protective         strengths, a caregiver who can take part, a stable placement,
                   a safety plan in place and in date, life story work completed
=================  ===========================================================

Each suggestion cites its evidence in brackets (the record it was drafted from, with
its date or who reported it), so the worker can check it before making it her own. Only
what the record says is used: no fact is added, and a link between two Ps is worded as a
hypothesis ("may help explain"), for the worker and the psychologist to test.
"""

from __future__ import annotations

from datetime import date, datetime

from ..model.case import Case
from ..model.formulation import FiveP, Formulation, FormulationEntry
from ..model.vocabulary import vocabulary
from ..words import INFORMANT_WORDS, uk_date, young_person
from .conditions import join_words, months_before, whole_months
from .recommend import Recommendation, recommend

INSTABILITY_MOVES = 3  # DfE placement-stability indicator: 3+ placements in a year
RECENT_MONTHS = 12


def _entry(text: str, ref: str) -> FormulationEntry:
    return FormulationEntry(text=text, origin="screening", ref=ref[:80])


def _with_evidence(head: str, evidence: str) -> str:
    evidence = evidence.strip()
    return f"{head}: {evidence}" if evidence else head


def _before(day: date, received: date) -> str:
    """``3 months before`` / ``12 days before`` / ``after`` (the referral)."""
    if day > received:
        return "after"
    months = whole_months(day, received)
    if months:
        return f"{months} month{'s' if months != 1 else ''} before"
    days = (received - day).days
    return f"{days} day{'s' if days != 1 else ''} before"


_SCALE_WORDS = {
    "emotional": "emotional symptoms",
    "conduct": "conduct problems",
    "hyperactivity": "hyperactivity",
    "peer": "peer problems",
}


def _sdq_picture(case: Case) -> str:
    """The baseline SDQ by informant in one sentence: each informant's total difficulties
    with the band of their form (none for a form without published norms) and the
    difficulty scales they rate raised (borderline or abnormal), dated; "" without one."""
    from ..measures.definition import load_measure
    from ..measures.one_child import band_of, score_one

    latest = {}
    for m in sorted(
        (m for m in case.measures if m.measure == "sdq" and m.timepoint == "baseline"),
        key=lambda m: m.date,
    ):
        latest[m.informant] = m
    if not latest:
        return ""
    defn = load_measure("sdq")
    parts = []
    for informant in ("parent", "teacher", "self"):
        admin = latest.get(informant)
        if admin is None:
            continue
        scores = score_one(defn, admin)
        total = scores.get("total")
        if total is None:
            continue
        band = band_of(defn, admin.version, "total", total)
        said = f"the {INFORMANT_WORDS[informant]} {total} ({band.replace('_', ' ') if band else 'no published band for form ' + admin.version})"
        if band:
            raised = [
                words
                for scale, words in _SCALE_WORDS.items()
                if band_of(defn, admin.version, scale, scores.get(scale))
                in ("borderline", "abnormal")
            ]
            said += f", {join_words(raised)} raised" if raised else ", no difficulty scale raised"
        parts.append(said)
    if not parts:
        return ""
    when = uk_date(max(m.date for m in latest.values()))
    return (
        f"On the SDQ at baseline ({when}), total difficulties: " + "; ".join(parts) + " (measures)."
    )


def _presenting_account(case: Case, as_of: date) -> str:
    """The referral's concern, what the screening found, the SDQ by informant and the
    recorded risks, joined in a few sentences, each citing its record."""
    voc = vocabulary()
    ref, scr = case.referral, case.screening
    who = young_person(case.child.age_on(as_of))
    role = voc.label("referrer_role", ref.referrer.role).lower()
    concern = " ".join(ref.reasons.split())
    said = [
        f"Referred on {uk_date(ref.received)} by the {role}"
        + (
            f': "{concern.rstrip(".")}" (referral).'
            if concern
            else " (referral; no reasons recorded)."
        )
    ]
    behaviours = scr.presenting_behaviours if scr else []
    if behaviours:
        found = [
            f"{voc.label('presenting_behaviour', b.behaviour).lower()}, {b.severity} and "
            f"{voc.label('frequency', b.frequency).lower()}, reported by "
            + join_words([voc.label("source", x).lower() for x in dict.fromkeys(b.sources)])
            + (f' ("{" ".join(b.evidence.split())}")' if b.evidence.strip() else "")
            for b in behaviours
        ]
        when = (
            f"screening completed {uk_date(scr.completed)}"
            if scr is not None and scr.completed
            else "screening under way"
        )
        said.append(f"The screening found {'; '.join(found)} ({when}).")
    sdq = _sdq_picture(case)
    if sdq:
        said.append(sdq)
    risks = [r for r in (scr.risks if scr else []) if r.level != "low"]
    if risks:
        said.append(
            f"Alongside this, the {who}'s risk record: "
            + "; ".join(
                f"{voc.label('risk_kind', r.kind).lower()} rated {r.level}, "
                + (
                    f"a safety plan held by {r.safety_plan_holder.strip()}"
                    if r.safety_plan
                    else "no safety plan"
                )
                + f" (recorded {uk_date(r.recorded)})"
                for r in risks
            )
            + "."
        )
    return " ".join(said)


def _predisposing_account(case: Case, as_of: date) -> str:
    """The early history woven to the difficulties seen now, as a hypothesis: "The
    child's early experience of neglect and domestic abuse (history factors, screening
    completed 12 Mar 2026, from the social worker) may help explain ..."; "" with none."""
    voc = vocabulary()
    scr = case.screening
    factors = scr.history_factors if scr else []
    if not factors or scr is None:
        return ""
    who = young_person(case.child.age_on(as_of))
    names = join_words([voc.label("history_factor", h.factor).lower() for h in factors])
    sources = join_words(
        [
            voc.label("source", x).lower()
            for x in dict.fromkeys(s for h in factors for s in h.sources)
        ]
    )
    when = (
        f"screening completed {uk_date(scr.completed)}" if scr.completed else "screening under way"
    )
    kind = "history factor" if len(factors) == 1 else "history factors"
    now = join_words(
        [voc.label("presenting_behaviour", b.behaviour).lower() for b in scr.presenting_behaviours]
    )
    head = f"The {who}'s early experience of {names} ({kind}, {when}, reported by {sources})"
    if not now:
        return (
            f"{head}: no presenting difficulty is recorded yet to link it to; ask how it shows now."
        )
    return (
        f"{head} may help explain the {now} seen now: care that was unsafe or unreliable can "
        f"leave a {who} expecting adults not to keep them safe and managing feelings alone. "
        "A hypothesis to test with the network, not a finding."
    )


def draft_formulation(
    case: Case, author: str, now: datetime, recommendation: Recommendation | None = None
) -> Formulation:
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

    account = _presenting_account(case, rec.as_of)
    if scr is not None and (scr.presenting_behaviours or scr.risks or case.measures):
        five.presenting.append(_entry(account, "presenting:account"))
    history = _predisposing_account(case, rec.as_of)
    if history:
        five.predisposing.append(_entry(history, "predisposing:account"))

    as_of = rec.as_of
    received = case.referral.received
    since = months_before(
        received, RECENT_MONTHS
    )  # the year before the referral, and the screening since
    if placement is not None:
        for bd in sorted(placement.breakdowns, key=lambda x: x.date):
            if since < bd.date <= as_of:
                text = (
                    f"The placement broke down on {uk_date(bd.date)}, {_before(bd.date, received)} the referral"
                    + (f": {bd.note.strip()}" if bd.note.strip() else "")
                    + " (placement record)"
                )
                five.precipitating.append(
                    _entry(text, f"placement_breakdown:{bd.date.isoformat()}")
                )
        if since < placement.start <= as_of:
            five.precipitating.append(
                _entry(
                    f"A move to the current placement ({voc.label('placement_type', placement.type).lower()}) on "
                    f"{uk_date(placement.start)}, {_before(placement.start, received)} the referral (placement record)",
                    "placement:start",
                )
            )
        if placement.moves_last_12_months:
            n = placement.moves_last_12_months
            five.precipitating.append(
                _entry(
                    f"{n} placement move{'s' if n != 1 else ''} in the 12 months before the screening "
                    "(placement record)",
                    "placement_moves",
                )
            )
    status = child.legal_status
    if since < status.start <= as_of:
        five.precipitating.append(
            _entry(
                f"{voc.label('legal_status', status.status)} from {uk_date(status.start)} (a court or care-planning decision), "
                f"{_before(status.start, received)} the referral (legal status record)",
                f"legal_status:{status.status}",
            )
        )
    if not five.precipitating:
        five.precipitating.append(
            _entry(
                "No dated event (a placement ending, a move, a court decision) is recorded in the 12 months before the referral: "
                + (
                    "ask the young person and their personal adviser"
                    if child.age_on(as_of) >= 18
                    else "ask the child, the carers and the social worker"
                )
                + " what changed before the difficulties grew",
                "precipitating:ask",
            )
        )
    if placement is not None and placement.moves_last_12_months >= INSTABILITY_MOVES:
        five.perpetuating.append(
            _entry(
                f"Placement instability: {placement.moves_last_12_months} moves in 12 months "
                "(the DfE placement-stability indicator is 3 or more)",
                "placement_instability",
            )
        )

    takes_part = (
        caregiver is not None and caregiver.relationship != "none" and caregiver.can_take_part
    )
    adult = child.age_on(as_of) >= 18
    if adult and caregiver is not None and caregiver.young_person_wants_involved is not True:
        takes_part = False  # from 18, only where the young person wants the carer involved (rules: caregiver)
    # An adult who chose to work without a carer is not held back by it: not a perpetuating factor.
    if not takes_part and not child.living_independently and not adult:
        ref = (
            "caregiver:none"
            if caregiver is None or caregiver.relationship == "none"
            else f"caregiver:{caregiver.relationship}:cannot_take_part"
        )
        five.perpetuating.append(_entry("No caregiver is able to take part in the work", ref))
    life_story = scr.life_story_work if scr else "not_started"
    if life_story in ("not_started", "planned"):
        five.perpetuating.append(
            _entry(
                f"Life story work {'has not started' if life_story == 'not_started' else 'is planned but not under way'}: the "
                "child has no coherent story yet for what happened (screening)",
                f"life_story_work:{life_story}",
            )
        )
    # What keeps a risk going, not a copy of it: its severity, frequency, reporters and
    # evidence are under presenting already (an item belongs under one P only).
    recorded = {r.kind: r for r in (scr.risks if scr else [])}
    behaviour_risk = {
        "self_harm": "self_harm",
        "harmful_sexual_behaviour": "harmful_sexual_behaviour",
        "acting_out_aggression": "severe_aggression",
    }
    for risk in rec.risks:
        plan = recorded.get(behaviour_risk.get(risk.behaviour, risk.behaviour))
        if plan is None or not plan.safety_plan:
            why = "no safety plan is in place yet, so the network has no agreed way to respond"
        elif plan.review_due < as_of:
            why = f"its safety plan was due for review on {uk_date(plan.review_due)} and has not been reviewed"
        else:
            why = f"it is not yet contained, though a safety plan is held by {plan.safety_plan_holder.strip()}"
        five.perpetuating.append(
            _entry(
                f"{risk.label} is kept going while {why} (risk record)", f"risk:{risk.behaviour}"
            )
        )
    for r in recorded.values():
        if r.kind in behaviour_risk.values() and any(
            behaviour_risk.get(x.behaviour) == r.kind for x in rec.risks
        ):
            continue  # said above, from the behaviour
        if not r.safety_plan and r.level != "low":
            five.perpetuating.append(
                _entry(
                    f"{voc.label('risk_kind', r.kind)} ({r.level}) has no safety plan, recorded {uk_date(r.recorded)} (risk record)",
                    f"risk:{r.kind}",
                )
            )

    for i, strength in enumerate(scr.strengths if scr else []):
        if strength.strip():
            five.protective.append(_entry(strength, f"strength:{i + 1}"))
    if takes_part and caregiver is not None:
        five.protective.append(
            _entry(
                f"A {voc.label('caregiver', caregiver.relationship).lower()} who can take part in the work",
                f"caregiver:{caregiver.relationship}",
            )
        )
    if placement is not None:
        recent = [
            bd
            for bd in placement.breakdowns
            if months_before(as_of, RECENT_MONTHS) < bd.date <= as_of
        ]
        if placement.moves_last_12_months == 0 and not recent:
            five.protective.append(
                _entry(
                    f"Stable placement ({voc.label('placement_type', placement.type).lower()}) since {uk_date(placement.start)}: "
                    "a home to do the work from (placement record)",
                    "placement:stable",
                )
            )
    for r in recorded.values():
        if r.safety_plan and r.review_due >= as_of:
            five.protective.append(
                _entry(
                    f"A safety plan for {voc.label('risk_kind', r.kind).lower()} held by {r.safety_plan_holder.strip()}, in date "
                    f"(review due {uk_date(r.review_due)}) (risk record)",
                    f"safety_plan:{r.kind}",
                )
            )
    if life_story == "completed":
        five.protective.append(
            _entry(
                "Life story work completed: the child has words for their history (screening)",
                "life_story_work:completed",
            )
        )

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
