"""New referral (and the referral of the open case): the child, the referrer, consent,
manager approval, the decision with reasons and alternatives, and allocation. The
eligibility panel beside the form follows every change: the decision, every reason,
signposting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..model import Case
from ..rules import check_eligibility
from ..store import CaseStore
from ._base import CaseView
from ._forms import (
    area,
    beside_panel,
    button,
    check,
    choices,
    day,
    dropdown,
    heading,
    inert,
    label_of,
    message_html,
    people,
    several,
    shared,
    text,
)
from .forms.referral import DECISIONS, ReferralForm
from .forms.referral import next_case_id as _next_id


def next_case_id(store: CaseStore) -> str:
    """The next free pseudonymous case id (one more than the highest)."""
    return _next_id(store.case_ids())


class ReferralView(CaseView):
    """The referral form with a live eligibility panel. ``on_created(case_id)`` is
    called when a new referral is saved."""

    empty_text = "A new referral: fill in the form and save."
    model: ReferralForm

    def __init__(
        self,
        store: CaseStore,
        user: str,
        as_of: date | None = None,
        on_created: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(store, user, as_of)
        self.on_created = on_created
        f = self.form  # bound to ReferralForm: its fields, groups and lists
        add = f.add
        self.case_id = add("case_id", text("Case id", next_case_id(store)))
        child = [
            add(
                "child.case_management_ref",
                text("Case-management ref", placeholder="e.g. SYNTH-4711"),
            ),
            add("child.date_of_birth", day("Date of birth")),
            add("child.sex", dropdown("Sex", choices("sex"))),
            add(
                "child.legal_status.status",
                dropdown("Legal status", choices("legal_status", "- choose -")),
            ),
            add("child.legal_status.start", day("Legal status since")),
            add(
                "child.legal_status_history[0].status",
                dropdown("Previous legal status", choices("legal_status", "- none -")),
            ),
            add("child.legal_status_history[0].start", day("Previous status from")),
            add("child.legal_status_history[0].end", day("Previous status to")),
            add(
                "child.placement.type",
                dropdown("Placement", choices("placement_type", "- none recorded -")),
            ),
            add("child.placement.start", day("Placement since")),
            add(
                "child.placement.moves_last_12_months",
                w.BoundedIntText(
                    value=0,
                    min=0,
                    max=100,
                    description="Moves, last 12 months",
                    layout=shared("wide"),
                    style=shared("style"),
                ),
            ),
            add("child.placement.breakdowns[0].date", day("Breakdown date")),
            add("child.placement.breakdowns[0].note", text("Breakdown note")),
            add("child.placement.breakdowns[1].date", day("Earlier breakdown")),
            add("child.placement.breakdowns[1].note", text("Earlier breakdown note")),
            add(
                "child.caregiver.relationship",
                dropdown("Caregiver", choices("caregiver", "- none recorded -")),
            ),
            add("child.caregiver.can_take_part", check("Caregiver can take part")),
            add("child.living_independently", check("Living independently")),
            add(
                "child.would_otherwise_be_in_care",
                check("Child in need with kinship carers, would otherwise be in care"),
            ),
        ]
        referral = [
            add("referral.received", day("Referral received", self.as_of)),
            add("referral.referrer.name", text("Referrer's name")),
            add("referral.referrer.role", dropdown("Referrer's role", choices("referrer_role"))),
            add(
                "referral.consent.given_by",
                dropdown("Consent given by", choices("consent_giver", "- no consent yet -")),
            ),
            add("referral.consent.date", day("Consent date")),
            add("referral.consent.informed", check("Consent was informed and meaningful")),
            add(
                "referral.approval.by",
                dropdown(
                    "Manager approval by",
                    people(store.staff, "referral.approval.by", "- not yet approved -"),
                ),
            ),
            add("referral.approval.date", day("Approval date")),
            add("referral.reasons", area("Reasons for referral")),
            add("referral.nd_assessment_requested", check("Autism or ADHD assessment wanted")),
        ]
        decision = [
            add("referral.decision.outcome", dropdown("Decision", DECISIONS, "pending")),
            add("referral.decision.date", day("Decision date")),
            add("referral.decision.reasons", area("Decision reasons")),
            add(
                "referral.decision.alternatives",
                several("Alternatives recommended", choices("signposting"), rows=3),
            ),
            add(
                "referral.allocation.worker",
                dropdown(
                    "Allocated to",
                    people(store.staff, "referral.allocation.worker", "- not yet allocated -"),
                ),
            ),
            add("referral.allocation.date", day("Allocation date")),
        ]
        self.save_button = button("Save referral", "primary")
        self.new_button = button("Start a new referral")
        self.saves(self.save_button, self.save)
        self.new_button.on_click(lambda _b: self.new())
        self.eligibility = w.HTML("", layout=shared("auto"))
        for item in f.fields.values():
            item.widget.observe(lambda _c: self.update_eligibility(), names="value")
        form_box = w.VBox(
            [
                self.title,
                f.banner,
                self.stale,
                heading("The child"),
                f.fields["case_id"].box,
                *[i.box for i in child],
                heading("The referral"),
                *[i.box for i in referral],
                heading("Decision and allocation"),
                *[i.box for i in decision],
                w.HBox([self.save_button, self.new_button, self.form.echo]),
            ]
        )
        self.widget = beside_panel(form_box, "Eligibility", self.eligibility)
        self.update_eligibility()
        self.mark_clean()

    def make_model(self) -> ReferralForm:
        return ReferralForm()

    # -- the record --------------------------------------------------------------------

    def record(self) -> dict[str, Any]:
        return self.form.values()

    def new(self) -> None:
        self.case = None
        self.form.show(self.model.new_values(next_case_id(self.store), self.as_of))
        self.form.clear()
        self.stale.children = ()
        self.title.value = message_html(self.empty_text, "note")
        self.update_eligibility()
        self.mark_clean()

    def show_case(self) -> None:
        assert self.case is not None
        self.form.show(self.model.values_of_case(self.case))
        self.update_eligibility()

    def save(self) -> Case | None:
        values = self.form.field_values()
        if self.case is not None:
            return self.save_fields(
                self.model.record(values),
                "referral edited in the workbench",
                self.model.cleared(values),
            )
        case = self.model.to_case(values)
        if isinstance(case, list):
            self.form.show_problems(case)
            return None
        saved = self._saved(
            lambda: casework.record_referral(
                self.store, case, user=self.user, note="referral recorded in the workbench"
            ),
            None,
            "referral recorded",
        )
        if saved is not None and self.on_created is not None:
            self.on_created(saved.case_id)
        return saved

    # -- the live panel ----------------------------------------------------------------

    def update_eligibility(self) -> None:
        """Eligibility of the referral as typed (from what is valid so far)."""
        case = self.model.as_typed(self.form.field_values())
        if case is None:
            self.eligibility.value = message_html(
                "Eligibility shows once the date of birth, the legal status and the date received are filled in.",
                "note",
            )
            return
        decision = check_eligibility(case, as_of=self.as_of)
        colour = {"eligible": "#1b5e20", "not_eligible": "#a4000f", "cannot_proceed": "#8a5300"}[
            decision.verdict
        ]
        reasons = "".join(f"<li>{inert(r.text)}</li>" for r in decision.reasons)
        signs = "".join(
            f"<li>{inert(label_of('signposting', s))}</li>" for s in decision.signposting
        )
        out = (
            f"<p role='status' style='color:{colour};font-weight:bold'>{inert(decision.summary)}</p>"
            f"<p>Age {decision.age}; {inert(label_of('legal_status', decision.legal_status))}</p>"
            f"<b>Reasons</b><ul>{reasons}</ul>"
        )
        if signs:
            out += f"<b>Signposting</b><ul>{signs}</ul>"
        if decision.nd_assessment_reason:
            out += f"<p>Neurodevelopmental assessment: {inert(decision.nd_assessment_text)}</p>"
        self.eligibility.value = out
