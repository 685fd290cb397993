"""The formulation report: what goes on a child's file after the six-week screening.

Order matters: risks come first, never buried; the worker's narrative and the child's
and carers' words are shown verbatim (escaped, never interpreted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..model.case import Case
from ..model.formulation import FIVE_PS, Formulation
from ..rules.eligibility import EligibilityDecision, check_eligibility
from ..rules.timeline import case_timeline
from ..rules.workflow import effective_recommendation
from .common import Header, label, parse_as_of, provenance, reading, risk_section
from .html import Section, badge, definition_list, items, quote, section, table, text

_P_TITLES = {
    "presenting": "Presenting - what is happening now",
    "predisposing": "Predisposing - what made the child vulnerable",
    "precipitating": "Precipitating - what triggered the current difficulties",
    "perpetuating": "Perpetuating - what keeps them going",
    "protective": "Protective - strengths and what helps",
}


@dataclass
class FormulationReport:
    case: Case
    as_of: date
    formulation: Formulation | None
    formulation_state: str  # "signed_off", "latest draft", "none"
    recommendation: Any  # rules.recommend.Recommendation (live) or None
    eligibility: EligibilityDecision

    # -- building ------------------------------------------------------------------

    @classmethod
    def from_store(cls, case_id: str, store: Any, as_of: Any = None, version: str = "signed_off") -> "FormulationReport":
        with reading(store) as st:
            case = st.get(case_id)
            signed = st.signed_off_formulation(case_id) if version == "signed_off" else None
        return cls.from_case(case, as_of, signed)

    @classmethod
    def from_case(cls, case: Case, as_of: Any = None, signed: Formulation | None = None) -> "FormulationReport":
        from ..rules.recommend import recommend

        day = parse_as_of(as_of)
        if signed is not None:
            form, state = signed, "signed_off"
        elif case.formulation is not None:
            # The latest version may itself be the signed-off one: never call that a draft.
            form = case.formulation
            state = "signed_off" if form.status == "signed_off" else "latest draft"
        else:
            form, state = None, "none"
        from ..measures.outcomes import baseline_bands

        rec = recommend(case, as_of=day, bands=baseline_bands([case])[case.case_id])
        return cls(case, day, form, state, rec, check_eligibility(case))

    # -- sections --------------------------------------------------------------------

    def header(self) -> Section:
        f = self.formulation
        author = f.author if f else (self.case.worker or "")
        reviewer = f.latest_signoff.reviewer if f and f.latest_signoff and f.status == "signed_off" else ""
        note = {
            "signed_off": "",
            "latest draft": f"DRAFT: this formulation ({f.status.replace('_', ' ') if f else ''}) has not been signed off by a clinical psychologist.",
            "none": "No formulation has been written yet: this report shows the screening and the recommended next steps.",
        }[self.formulation_state]
        return Header("formulation", "Therapeutic needs screening: formulation and recommendation", self.case.case_id,
                      self.as_of, author, reviewer, self.case.synthetic, note).section()

    def risks(self) -> Section:
        return risk_section(self.recommendation)

    def child(self) -> Section:
        c = self.case.child
        placement = "-"
        if c.placement:
            p = c.placement
            recent = [b for b in p.breakdowns if (self.as_of - b.date).days <= 183]
            stability = "unstable" if p.moves_last_12_months >= 3 or recent else "stable"
            placement = (f"{label('placement_type', p.type)} since {p.start.isoformat()} ({stability}: "
                         f"{p.moves_last_12_months} move(s) in the last 12 months, {len(recent)} breakdown(s) in the last 6 months)")
        caregiver = "-"
        if c.caregiver:
            caregiver = f"{label('caregiver', c.caregiver.relationship)}; {'can' if c.caregiver.can_take_part else 'cannot'} take part in the work"
        pairs = [
            ("Case", self.case.case_id), ("Age", f"{c.age_on(self.as_of)} (as of {self.as_of.isoformat()})"),
            ("Legal status", f"{label('legal_status', c.legal_status.status)} since {c.legal_status.start.isoformat()}"),
            ("Placement", placement), ("Caregiver", caregiver),
        ]
        if c.living_independently:
            pairs.append(("Living", "independently"))
        return section("The child in brief", definition_list(pairs), "child")

    def eligibility_section(self) -> Section:
        d = self.eligibility
        reasons = items(r.text for r in d.reasons)
        extra = ""
        if d.signposting:
            extra += "<p><strong>Signposting:</strong> " + text("; ".join(label("signposting", s) for s in d.signposting)) + "</p>"
        extra += f"<p><strong>Neurodevelopmental assessment:</strong> {text(d.nd_assessment_reason)}</p>"
        when = f"<p class=\"small\">Decided as at the referral, {text(d.as_of.isoformat())}, when the child was {d.age}.</p>"
        return section("Eligibility", f"<p><strong>{text(d.summary)}</strong></p>{when}{reasons}{extra}", "eligibility")

    def timeline(self) -> Section:
        ref, scr, out = self.case.referral, self.case.screening, self.case.outcome
        tl = case_timeline(self.case, self.as_of)
        rows: list[tuple[str, str, str]] = [(ref.received.isoformat(), "Referral received", f"from {ref.referrer.name} ({label('referrer_role', ref.referrer.role).lower()})")]
        if ref.consent:
            rows.append((ref.consent.date.isoformat(), "Consent", f"{label('consent_giver', ref.consent.given_by)}; {'informed' if ref.consent.informed else 'NOT informed'}"))
        if ref.approval:
            rows.append((ref.approval.date.isoformat(), "Manager approval", ref.approval.by))
        if ref.decision.date:
            rows.append((ref.decision.date.isoformat(), f"Decision: {ref.decision.outcome.replace('_', ' ')}", ref.decision.reasons))
        if ref.allocation:
            rows.append((ref.allocation.date.isoformat(), "Allocated", ref.allocation.worker))
        if scr and scr.started:
            rows.append((scr.started.isoformat(), "Screening started", f"due {self.case.screening_due.isoformat()}" if self.case.screening_due else ""))
        if scr and scr.completed:
            rows.append((scr.completed.isoformat(), "Screening completed", ""))
        if out:
            rows.append((out.date.isoformat(), f"Outcome: {out.decision.replace('_', ' ')}", out.reasons))
        rows.sort(key=lambda r: r[0])
        state = f"<p><strong>Now:</strong> {text(tl.state_label)}{text(' - screening ' + tl.due_text) if tl.due_text else ''}</p>"
        return section("Referral and screening timeline", state + table(["Date", "Step", "Detail"], rows), "timeline")

    def history_and_behaviours(self) -> Section:
        scr = self.case.screening
        if scr is None:
            return section("History and presenting behaviours", '<p class="none">No screening recorded yet.</p>')
        beh = table(["Behaviour", "Severity", "Frequency", "Reported by", "Evidence"],
                    [(label("presenting_behaviour", b.behaviour), b.severity, label("frequency", b.frequency),
                      ", ".join(label("source", s) for s in b.sources), b.evidence) for b in scr.presenting_behaviours])
        hist = table(["History factor", "Reported by", "Evidence"],
                     [(label("history_factor", h.factor), ", ".join(label("source", s) for s in h.sources), h.evidence) for h in scr.history_factors])
        lsw = f"<p><strong>Life story work:</strong> {text(label('life_story_work', scr.life_story_work))}</p>"
        return section("History and presenting behaviours", f"<h3>Presenting behaviours</h3>{beh}<h3>History factors</h3>{hist}{lsw}", "history")

    def five_ps(self) -> Section:
        f = self.formulation
        if f is None:
            return section("Formulation (5 Ps)", '<p class="none">No formulation has been drafted yet.</p>', "five-ps")
        parts = []
        for p in FIVE_PS:
            entries = getattr(f.five_ps, p)
            from_screening = ' <span class="origin">(from screening)</span>'
            lis = "".join(f"<li>{text(e.text)}{from_screening if e.origin == 'screening' else ''}</li>" for e in entries)
            parts.append(f"<h3>{text(_P_TITLES[p])}</h3>" + (f"<ul>{lis}</ul>" if lis else '<p class="none">None recorded.</p>'))
        narrative = quote(f.narrative, f"the worker's formulation, in {f.author}'s own words") if f.narrative.strip() else '<p class="none">The worker has not yet written the narrative.</p>'
        stage = ""
        chosen = next((o for o in (f.decision.overrides if f.decision else []) if o.part == "stage"), None)
        if chosen is not None and f.recommendation is not None:
            stage += (f"<p><strong>Stage:</strong> the worker chose stage {text(chosen.value)} (suggested {f.recommendation.stage}) "
                      f"because {text(chosen.reason)}. The evidence below was written for the suggested stage.</p>")
        if f.stage_evidence:
            stage += f"<p><strong>Stage evidence:</strong> {text(f.stage_evidence)}</p>"
        if f.next_stage_readiness:
            stage += f"<p><strong>Readiness for the next stage:</strong> {text(f.next_stage_readiness)}</p>"
        return section("Formulation (5 Ps)", "<h3>Narrative</h3>" + narrative + "".join(parts) + stage, "five-ps")

    def voices(self) -> Section:
        scr = self.case.screening
        if scr is None:
            return section("Voices and strengths", '<p class="none">No screening recorded yet.</p>')
        body = "<h3>The child's voice</h3>" + quote(scr.child_voice, "the child or young person")
        body += "<h3>The carers' views</h3>" + quote(scr.carer_views, "the carers")
        body += "<h3>Strengths</h3>" + items(scr.strengths)
        return section("Voices and strengths", body, "voices")

    def recommendation_section(self) -> Section:
        f = self.formulation
        rec = self.recommendation
        if f is not None and f.recommendation is not None:
            snap = f.recommendation
            eff = effective_recommendation(f)
            wave, stage = eff["wave"], eff["stage"]
            services, models, pre, sign = eff["services"], eff["models"], eff["preconditions"], eff["signposting"]
            fired = [(x.rule, x.reason, "won" if x.won else "") for x in snap.fired]
            rules_version = snap.rules_version
            overridden = eff["overridden"]
            decided = ("Recommendation accepted by " + f.decision.by) if f.decision and f.decision.accepted else (
                f"Recommendation changed by {f.decision.by}: see the changes and reasons below" if f.decision else "Not yet decided by the worker")
        elif rec is not None and rec.recommendable:
            wave, stage = rec.wave, rec.stage
            services, models, pre, sign = rec.services, rec.models, rec.preconditions, rec.signposting
            fired = [(x.rule, x.reason, "won" if x.won else "") for x in rec.fired]
            rules_version, overridden, decided = rec.rules_version, {}, "Suggested by the rules; not yet decided by the worker"
            if not rec.screened:
                decided = rec.PROVISIONAL.rstrip(".")
        else:
            pre = rec.preconditions if rec is not None else ()
            sign = rec.signposting if rec is not None else ()
            body = "<p>No wave or stage is recommended: the child is not eligible or the referral cannot proceed.</p>"
            body += "<h3>What must happen first</h3>" + items(pre) + "<h3>Signposting</h3>" + items(label("signposting", s) for s in sign)
            return section("Recommendation", body, "recommendation")
        stage_names = {1: "Safety and containment", 2: "Relationships and connections", 3: "Experiences and learning", 4: "A platform to achieve"}
        summary = (f"<p class=\"headline\">{badge(f'Wave {wave}', 'wave')} {badge(f'Stage {stage}: {stage_names.get(stage, stage)}', 'stage')}</p>"
                   f"<p>{text(decided)}.</p>")
        body = summary
        body += "<h3>Services</h3>" + items(label("service", s) for s in services)
        body += "<h3>Direct-work models</h3>" + items(label("direct_work_model", m) for m in models)
        body += "<h3>What must happen first</h3>" + items(pre)
        if sign:
            body += "<h3>Signposting</h3>" + items(label("signposting", s) for s in sign)
        if overridden:
            rows = [(part, _show(o["suggested"], part), _show(o["chosen"], part), o["reason"], o["by"]) for part, o in overridden.items()]
            body += "<h3>Changes the worker made, with reasons</h3>" + table(["Part", "Suggested", "Chosen", "Reason", "By"], rows, "overrides")
        body += "<h3>Why: the rules that applied</h3>" + table(["Rule", "Reason", ""], fired, "fired")
        body += f'<p class="small">Rules version {text(rules_version)}.</p>'
        return section("Recommendation", body, "recommendation")

    def signoff(self) -> Section:
        f = self.formulation
        if f is None:
            return section("Review and sign-off", '<p class="none">No formulation to review yet.</p>', "signoff")
        rows = [(s.at.strftime("%Y-%m-%d"), s.reviewer, s.outcome, f"revision {s.formulation_revision}", s.comment) for s in f.signoffs]
        state = {"draft": "Draft", "awaiting_signoff": "Awaiting sign-off", "signed_off": "Signed off", "returned": "Returned for changes"}[f.status]
        body = f"<p><strong>{text(state)}</strong> (revision {f.revision}, written by {text(f.author)}).</p>"
        body += table(["Date", "Reviewer", "Outcome", "Of", "Comment"], rows) if rows else '<p class="none">Not yet reviewed.</p>'
        return section("Review and sign-off", body, "signoff")

    def provenance(self) -> Section:
        rules_version = None
        if self.formulation is not None and self.formulation.recommendation is not None:
            rules_version = self.formulation.recommendation.rules_version
        elif self.recommendation is not None:
            rules_version = self.recommendation.rules_version
        return provenance(rules_version)

    def sections(self) -> list[Section]:
        return [self.header(), self.risks(), self.child(), self.eligibility_section(), self.timeline(),
                self.history_and_behaviours(), self.five_ps(), self.voices(), self.recommendation_section(),
                self.signoff(), self.provenance()]


def _show(value: Any, part: str) -> str:
    vocab = {"services": "service", "models": "direct_work_model", "signposting": "signposting"}.get(part)
    if isinstance(value, (list, tuple)):
        return ", ".join(label(vocab, v) if vocab else str(v) for v in value) or "none"
    return str(value)
