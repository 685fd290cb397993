"""The formulation report: what goes on a child's file after the six-week screening.

Order matters: risks come first, never buried; the worker's narrative and the child's
and carers' words are shown verbatim (escaped, never interpreted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..model.case import Case
from ..model.formulation import FIVE_PS, Formulation
from ..rules.conditions import whole_months
from ..rules.eligibility import EligibilityDecision, check_eligibility
from ..rules.recommend import STAGE_NAMES, asked_for
from ..rules.timeline import case_timeline
from ..rules.workflow import effective_recommendation
from ..store.staff import StaffDirectory
from ..words import plural, uk_date, young_person
from .common import Header, label, parse_as_of, provenance, reading, required_case_id, risk_section
from .html import Section, badge, definition_list, items, quote, section, table, text

_P_TITLES = {
    "presenting": "Presenting - what is happening now",
    "predisposing": "Predisposing - what made {who} vulnerable",
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
    staff: StaffDirectory = field(default_factory=StaffDirectory)
    basis: Any = (
        None  # the rules' recommendation as of when the formulation recorded it (else the live one)
    )

    # -- building ------------------------------------------------------------------

    @classmethod
    def from_store(
        cls, case_id: str, store: Any, as_of: Any = None, version: str = "signed_off"
    ) -> FormulationReport:
        from ..casework import open_case
        from ..store.staff import staff_directory

        case_id = required_case_id(case_id)
        with reading(store) as st:
            case = open_case(st, case_id, "report")  # who may read it; the opening logged
            signed = st.signed_off_formulation(case_id) if version == "signed_off" else None
            staff = staff_directory(st)
        return cls.from_case(case, as_of, signed, staff)

    @classmethod
    def from_case(
        cls,
        case: Case,
        as_of: Any = None,
        signed: Formulation | None = None,
        staff: StaffDirectory | None = None,
    ) -> FormulationReport:
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
        # One child's baseline bands in plain Python, as tswt recommend takes them.
        from ..measures.one_child import case_baseline_bands

        bands = case_baseline_bands(case)
        rec = recommend(case, as_of=day, bands=bands)
        basis = rec
        if (
            form is not None and form.recommendation is not None
        ):  # the reasons as they stood when it was recorded
            basis = recommend(case, as_of=min(day, form.recommendation.made.date()), bands=bands)
        return cls(
            case, day, form, state, rec, check_eligibility(case), staff or StaffDirectory(), basis
        )

    # -- sections --------------------------------------------------------------------

    @property
    def who(self) -> str:
        """ "child", or "young person" from 16, as the report's words for them."""
        return young_person(self.case.child.age_on(self.as_of))

    def header(self) -> Section:
        f = self.formulation
        author = self.staff.describe(f.author if f else (self.case.worker or ""))
        note = {
            "signed_off": "",
            "latest draft": f"DRAFT: this formulation ({f.status.replace('_', ' ') if f else ''}) has not been signed off by a clinical psychologist.",
            "none": "No formulation has been written yet: this report shows the screening and the recommended next steps.",
        }[self.formulation_state]
        if (
            self.formulation_state == "latest draft"
            and f is not None
            and f.status == "awaiting_signoff"
        ):
            # How long it has waited, on page 1: a formulation unsigned for 434 days is a
            # decision nobody has taken.
            days = (self.as_of - f.updated.date()).days
            note += f" Awaiting sign-off since {uk_date(f.updated)} ({plural(days, 'day')})."
        header = Header(
            "formulation",
            "Therapeutic needs screening: formulation and recommendation",
            self.case.case_id,
            self.as_of,
            author,
            self.reviewer_text(),
            self.case.synthetic,
            note,
            draft=self.formulation_state == "latest draft",
        )
        return header.section()

    def reviewer_text(self) -> str:
        """Who reviewed it, as the sign-off table says: the last sign-off's reviewer and outcome."""
        f = self.formulation
        last = f.latest_signoff if f else None
        if last is None:
            return ""
        if f is not None and f.status == "signed_off" and last.outcome == "approved":
            return f"{self.staff.describe(last.reviewer)} (signed off {uk_date(last.at)})"
        return f"{self.staff.describe(last.reviewer)} ({'returned for changes' if last.outcome == 'returned' else 'approved an earlier revision'} {uk_date(last.at)}; not signed off)"

    def risks(self) -> Section:
        return risk_section(self.recommendation)

    def child(self) -> Section:
        c = self.case.child
        placement = "-"
        if c.placement:
            p = c.placement
            recent = [b for b in p.breakdowns if (self.as_of - b.date).days <= 183]
            stability = "unstable" if p.moves_last_12_months >= 3 or recent else "stable"
            months = whole_months(p.start, self.as_of) if p.start <= self.as_of else 0
            placement = (
                f"{label('placement_type', p.type)} since {uk_date(p.start)}, {plural(months, 'month')} by {uk_date(self.as_of)} ({stability}: "
                f"{plural(p.moves_last_12_months, 'move')} in the last 12 months, {plural(len(recent), 'breakdown')} in the last 6 months)"
            )
        caregiver = "-"
        if c.caregiver:
            caregiver = f"{label('caregiver', c.caregiver.relationship)}; {'can' if c.caregiver.can_take_part else 'cannot'} take part in the work"
            if c.age_on(self.as_of) >= 18 and c.caregiver.relationship != "none":
                caregiver += {
                    True: "; the young person wants them involved",
                    False: "; the young person does not want them involved",
                    None: "; whether the young person wants them involved is not recorded (so they are not)",
                }[c.caregiver.young_person_wants_involved]
        pairs = [
            ("Case", self.case.case_id),
            ("Age", f"{c.age_on(self.as_of)} (as of {uk_date(self.as_of)})"),
            (
                "Legal status",
                f"{label('legal_status', c.legal_status.status)} since {uk_date(c.legal_status.start)}"
                + (
                    "; should be care leaver (turned 18 while looked after)"
                    if self.eligibility.flags
                    else ""
                ),
            ),
            ("Placement", placement),
            ("Caregiver", caregiver),
        ]
        if c.living_independently:
            pairs.append(("Living", "independently"))
        return section(f"The {self.who} in brief", definition_list(pairs), "child")

    def eligibility_section(self) -> Section:
        d = self.eligibility
        approval = self.case.referral.approval
        reasons = items(
            # The record keeps the manager's login; a reader reads their name.
            r.text.replace(
                f"team manager {approval.by} ", f"team manager {self.staff.name(approval.by)} ", 1
            )
            if r.rule == "proceed.approval" and approval is not None
            else r.text
            for r in d.reasons
        )
        extra = ""
        if d.signposting:
            extra += (
                "<p><strong>Signposting:</strong> "
                + text("; ".join(label("signposting", s) for s in d.signposting))
                + "</p>"
            )
        extra += (
            f"<p><strong>Neurodevelopmental assessment:</strong> {text(d.nd_assessment_text)}</p>"
        )
        when = f'<p class="small">Decided as at the referral, {text(uk_date(d.as_of))}, when the {young_person(d.age)} was {d.age}.</p>'
        # The record needs correcting (a legal status, a consent): said above the reasons,
        # where it is read, not as one reason among several.
        flags = "".join(f'<p class="status-note">FLAG: {text(f)}.</p>' for f in d.flags)
        flags += "".join(
            f'<p class="status-note">CONSENT NOT VALID: {text(r.text)}.</p>'
            for r in d.reasons
            if r.rule == "proceed.consent_not_valid"
        )
        return section(
            "Eligibility",
            f"<p><strong>{text(d.summary)}</strong></p>{flags}{when}{reasons}{extra}",
            "eligibility",
        )

    def timeline(self) -> Section:
        ref, scr, out = self.case.referral, self.case.screening, self.case.conclusion
        tl = case_timeline(self.case, self.as_of)
        rows: list[tuple[Any, str, str]] = [
            (
                ref.received,
                "Referral received",
                f"from {ref.referrer.name} ({label('referrer_role', ref.referrer.role).lower()})",
            )
        ]
        if ref.consent:
            rows.append(
                (
                    ref.consent.date,
                    "Consent",
                    f"{label('consent_giver', ref.consent.given_by)}; {'informed' if ref.consent.informed else 'NOT informed'}",
                )
            )
        if ref.approval:
            rows.append((ref.approval.date, "Manager approval", self.staff.name(ref.approval.by)))
        if ref.decision.date:
            rows.append(
                (
                    ref.decision.date,
                    f"Decision: {ref.decision.outcome.replace('_', ' ')}",
                    ref.decision.reasons,
                )
            )
        if ref.allocation:
            rows.append(
                (ref.allocation.date, "Allocated", self.staff.describe(ref.allocation.worker))
            )
        if scr and scr.started:
            rows.append(
                (
                    scr.started,
                    "Screening started",
                    f"due {uk_date(self.case.screening_due)}" if self.case.screening_due else "",
                )
            )
        if scr and scr.completed:
            rows.append((scr.completed, "Screening completed", ""))
        if out:
            rows.append(
                (
                    out.date,
                    f"Conclusion of screening: {out.decision.replace('_', ' ')}",
                    out.reasons,
                )
            )
        rows.sort(key=lambda r: r[0])  # by the date itself, then shown as a reader reads it
        shown = [(uk_date(day), step, detail) for day, step, detail in rows]
        state = f"<p><strong>Now:</strong> {text(tl.state_label)}{text(' - screening ' + tl.due_text) if tl.due_text else ''}</p>"
        return section(
            "Referral and screening timeline",
            state + table(["Date", "Step", "Detail"], shown),
            "timeline",
        )

    def history_and_behaviours(self) -> Section:
        scr = self.case.screening
        if scr is None:
            return section(
                "History and presenting behaviours",
                '<p class="none">No screening recorded yet.</p>',
            )
        beh = table(
            ["Behaviour", "Severity", "Frequency", "Reported by", "Evidence"],
            [
                (
                    label("presenting_behaviour", b.behaviour),
                    b.severity,
                    label("frequency", b.frequency),
                    ", ".join(label("source", s) for s in b.sources),
                    b.evidence,
                )
                for b in scr.presenting_behaviours
            ],
        )
        hist = table(
            ["History factor", "Reported by", "Evidence"],
            [
                (
                    label("history_factor", h.factor),
                    ", ".join(label("source", s) for s in h.sources),
                    h.evidence,
                )
                for h in scr.history_factors
            ],
        )
        lsw = f"<p><strong>Life story work:</strong> {text(label('life_story_work', scr.life_story_work))}</p>"
        return section(
            "History and presenting behaviours",
            f"<h3>Presenting behaviours</h3>{beh}<h3>History factors</h3>{hist}{lsw}",
            "history",
        )

    def five_ps(self) -> Section:
        f = self.formulation
        if f is None:
            return section(
                "Formulation (5 Ps)",
                '<p class="none">No formulation has been drafted yet.</p>',
                "five-ps",
            )
        parts = []
        seen: set[str] = set()
        # Drafted entries are suggestions until the worker submits the formulation as hers.
        suggested = f.status == "draft"
        mark = ' <span class="origin">(suggested from the screening; not yet accepted)</span>'
        for p in FIVE_PS:
            lis = ""
            for e in getattr(f.five_ps, p):
                key = " ".join(e.text.lower().split())
                if key in seen:  # an item belongs under one P only
                    continue
                seen.add(key)
                lis += f"<li>{text(e.text)}{mark if suggested and e.origin == 'screening' else ''}</li>"
            parts.append(
                f"<h3>{text(_P_TITLES[p].format(who='the ' + self.who))}</h3>"
                + (f"<ul>{lis}</ul>" if lis else '<p class="none">None recorded.</p>')
            )
        narrative = (
            quote(
                f.narrative, f"the worker's formulation, in {self.staff.name(f.author)}'s own words"
            )
            if f.narrative.strip()
            else '<p class="none">The worker has not yet written the narrative.</p>'
        )
        stage = ""
        chosen = next(
            (o for o in (f.decision.overrides if f.decision else []) if o.part == "stage"), None
        )
        rules_text = self.basis.stage_evidence if self.basis is not None else ""
        evidence, readiness = f.stage_evidence, f.next_stage_readiness
        if chosen is not None and f.recommendation is not None:
            stage += (
                f"<p><strong>Stage {text(chosen.value)}, {text(STAGE_NAMES.get(chosen.value, '') if isinstance(chosen.value, int) else '')}:</strong> chosen by "
                f"{text(self.staff.name(f.decision.by if f.decision else ''))} (the rules suggested stage {f.recommendation.stage}) "
                f"because {text(chosen.reason[:1].lower() + chosen.reason[1:])}</p>"
            )
            if (
                evidence.strip() == rules_text.strip()
            ):  # the rules' text for the rejected stage: in the appendix, not here
                at = [
                    x.reason
                    for x in (self.basis.fired if self.basis is not None else ())
                    if x.stage == chosen.value
                ]
                evidence = "; ".join(at)
                readiness = ""
        if evidence:
            stage += f"<p><strong>Stage evidence:</strong> {text(evidence)}</p>"
        if readiness:
            stage += f"<p><strong>Readiness for the next stage:</strong> {text(readiness)}</p>"
        stage = "<h3>Stage</h3>" + stage if stage else ""
        return section(
            "Formulation (5 Ps)",
            "<h3>Narrative</h3>" + narrative + "".join(parts) + stage,
            "five-ps",
        )

    def voices(self) -> Section:
        scr = self.case.screening
        if scr is None:
            return section("Voices and strengths", '<p class="none">No screening recorded yet.</p>')
        body = f"<h3>The {self.who}'s voice</h3>" + quote(scr.child_voice, f"the {self.who}")
        body += "<h3>The carers' views</h3>" + quote(scr.carer_views, "the carers")
        body += "<h3>Strengths</h3>" + items(scr.strengths)
        return section("Voices and strengths", body, "voices")

    def recommendation_section(self) -> Section:
        """The recommendation in brief, read aloud in supervision: wave and why, stage and
        why, what must happen first, each service and model with one reason. The rules
        behind it are in the appendix (:meth:`how_reached`)."""
        from ..rules.summary import summarise

        f = self.formulation
        rec = self.basis if self.basis is not None else self.recommendation
        if rec is None:
            return section(
                "Recommendation in brief",
                '<p class="none">No recommendation.</p>',
                "recommendation",
            )
        summary = summarise(
            rec,
            f if f is not None and f.recommendation is not None else None,
            self.staff.name,
            self.case,
            self.as_of,
        )
        head = ""
        if f is not None and f.recommendation is not None:
            eff = effective_recommendation(f)
            wave, stage = eff["wave"], eff["stage"]
        else:
            wave, stage = rec.wave, rec.stage
        if wave is not None and stage is not None:
            head = (
                f'<p class="headline">{badge(f"Wave {wave}", "wave")} '
                f"{badge(f'Stage {stage}: {STAGE_NAMES[stage].capitalize()}', 'stage')}</p>"
            )
        lis = "".join(
            f'<li class="{ln.topic}">{_lead_in(ln.text) if ln.topic in ("wave", "stage", "first") else text(ln.text)}</li>'
            for ln in summary.lines
        )
        dated = ""
        if rec.as_of < self.as_of:
            # The reasons are the rules' as they stood when the recommendation was made:
            # say so, so a count of months or an age is not read as today's.
            dated = (
                f'<p class="small">The reasons are as they stood on {text(uk_date(rec.as_of))}, when the recommendation '
                f"was made; the {self.who} in brief above gives age and months in placement as of {text(uk_date(self.as_of))}.</p>"
            )
            scr = self.case.screening
            later = max(
                (r.recorded for r in (scr.risks if scr else []) if r.recorded > rec.as_of),
                default=None,
            )
            if later is not None:
                # A risk record keeps its latest state only: a risk updated since (a safety
                # plan recorded on 12 Nov) is read as it is now, and the reader is told.
                dated += (
                    f'<p class="small">The risk record was updated after the recommendation was made (last on '
                    f"{text(uk_date(later))}): the reasons above read each risk as it is now, as does the risk table.</p>"
                )
        body = (
            head
            + f'<ul class="brief">{lis}</ul>{dated}<p class="small">{text(summary.decided)}. How this was reached, rule by rule: see the appendix.</p>'
        )
        return section("Recommendation in brief", body, "recommendation")

    def how_reached(self) -> Section:
        """Appendix: every rule that fired (with its id and whether it won), the evidence
        the rules gave for the stage they suggested, and the changes the worker made."""
        f = self.formulation
        rec = self.basis if self.basis is not None else self.recommendation
        body = ""
        if f is not None and f.recommendation is not None:
            snap = f.recommendation
            rows = [
                (
                    rule_id(x.rule),
                    asked_for(x.effect, x.preconditions, x.risk_steps),
                    x.reason,
                    "applied" if x.won else "overruled",
                )
                for x in snap.fired
            ]
            version, made = snap.rules_version, f"recorded on the formulation {uk_date(snap.made)}"
            eff = effective_recommendation(f)
            overridden = eff["overridden"]
        elif rec is not None:
            rows = [
                (rule_id(x.rule), x.asked_for, x.reason, "applied" if x.won else "overruled")
                for x in rec.fired
            ]
            version, made = rec.rules_version, f"as of {uk_date(rec.as_of)}"
            overridden = {}
        else:
            return section(
                "Appendix: how this was reached",
                '<p class="none">No recommendation.</p>',
                "appendix",
            )
        body += (
            f"<p>Recommendation rules {text(version)}, {text(made)}. Highest wave wins, lowest stage wins; a rule "
            "marked overruled asked for a wave or stage that another rule outranked.</p>"
        )
        if overridden:
            changes = [
                (
                    part,
                    _show(o["suggested"], part),
                    _show(o["chosen"], part),
                    o["reason"],
                    self.staff.name(o["by"]),
                )
                for part, o in overridden.items()
            ]
            body += "<h3>Changes the worker made, with reasons</h3>" + table(
                ["Part", "Suggested", "Chosen", "Reason", "By"], changes, "overrides"
            )
        if rec is not None and rec.stage is not None:
            body += f"<h3>The rules' evidence for stage {rec.stage}</h3><p>{text(rec.stage_evidence)}</p>"
            if rec.next_stage_readiness:
                body += f"<p>{text(rec.next_stage_readiness)}</p>"
        body += "<h3>Every rule that applied</h3>" + table(
            ["Rule", "What it asked for", "Why (from the screening)", "Applied or overruled"],
            rows,
            "fired",
            raw_columns=(0,),  # rule_id escapes it
        )
        return section("Appendix: how this was reached", body, "appendix")

    def signoff(self) -> Section:
        f = self.formulation
        if f is None:
            return section(
                "Review and sign-off",
                '<p class="none">No formulation to review yet.</p>',
                "signoff",
            )
        rows = [
            (
                uk_date(s.at),
                self.staff.describe(s.reviewer),
                s.outcome,
                f"revision {s.formulation_revision}",
                s.comment,
            )
            for s in f.signoffs
        ]
        state = {
            "draft": "Draft",
            "awaiting_signoff": "Awaiting sign-off",
            "signed_off": "Signed off",
            "returned": "Returned for changes",
        }[f.status]
        body = f"<p><strong>{text(state)}</strong> (revision {f.revision}, written by {text(self.staff.describe(f.author))}).</p>"
        body += (
            table(["Date", "Reviewer", "Outcome", "Of", "Comment"], rows)
            if rows
            else '<p class="none">Not yet reviewed.</p>'
        )
        return section("Review and sign-off", body, "signoff")

    def provenance(self) -> Section:
        rules_version = None
        if self.formulation is not None and self.formulation.recommendation is not None:
            rules_version = self.formulation.recommendation.rules_version
        elif self.recommendation is not None:
            rules_version = self.recommendation.rules_version
        return provenance(rules_version)

    def sections(self) -> list[Section]:
        return [
            self.header(),
            self.risks(),
            self.recommendation_section(),
            self.child(),
            self.eligibility_section(),
            self.timeline(),
            self.history_and_behaviours(),
            self.five_ps(),
            self.voices(),
            self.signoff(),
            self.how_reached(),
            self.provenance(),
        ]


def _show(value: Any, part: str) -> str:
    vocab = {
        "services": "service",
        "models": "direct_work_model",
        "signposting": "signposting",
    }.get(part)
    if isinstance(value, (list, tuple)):
        return ", ".join(label(vocab, v) if vocab else str(v) for v in value) or "none"
    return str(value)


def rule_id(rule: str) -> str:
    """A rule id as printed: in ``<code class="rule-id">``, escaped, breakable only after
    a dot or an underscore (``risk.<wbr>no_<wbr>safety_<wbr>plan``), never inside a word
    (the CSS keeps each part whole)."""
    import re

    return '<code class="rule-id">' + re.sub(r"([._])", r"\1<wbr>", text(rule)) + "</code>"


def _lead_in(line: str) -> str:
    """``Wave 2, targeted ...: why`` with the part before the first colon in bold."""
    head, sep, rest = line.partition(": ")
    return f"<strong>{text(head)}:</strong> {text(rest)}" if sep else text(line)
