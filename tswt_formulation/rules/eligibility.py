"""Eligibility for the Therapeutic Social Work Team, exactly as docs/domain.md ("Eligibility") states it.

Who is eligible (the legal status of the child decides):

* looked after, living in kinship care, on a child protection plan, or subject to a
  supervision order; a care leaver;
* aged up to 18, or up to 25 for a care leaver. "Up to" is read as *before the
  birthday*: a child is a person under 18 (Children Act 1989, s.105) and a care leaver's
  personal adviser support runs to age 25 (Children and Social Work Act 2017, s.3);
* NOT a child on a Child in Need plan, unless placed with kinship carers and would
  otherwise be in care. Those children are signposted to local cluster services or to
  CAMHS through its single point of access, when its threshold is met.

Neurodevelopmental assessments: only for looked-after children the team already holds,
never for a child on a child protection plan. Anyone wanting an autism or ADHD
assessment is signposted to the child's GP and the Right to Choose pathway.

No informed consent or no team-manager approval: the referral cannot proceed. Nor can it
on consent from someone who cannot give it (DOMAIN.md, Consent): for a child living at
home (child protection plan, child in need, supervision order) a parent with parental
responsibility (or a special guardian, who holds it); for a looked-after child the local
authority, with the parents where appropriate; a young person of 16 or 17 with capacity
for themself; from 18 only the young person; a child under 16 for themself only when
judged competent (Gillick), which the record says. A carer without parental
responsibility cannot consent.

A child who turned 18 while looked after is a care leaver in law: such a referral is
judged as a care leaver's, and the record's legal status is flagged for correction
rather than the young person refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..model.case import Case, Referral

ELIGIBLE_STATUSES = ("looked_after", "kinship_care", "child_protection_plan", "supervision_order")
CHILD_AGE_LIMIT = 18
CARE_LEAVER_AGE_LIMIT = 25

# What eligibility concludes (its verdict, not an outcome: that word is the outcome measures).
EligibilityVerdict = Literal["eligible", "not_eligible", "cannot_proceed"]


@dataclass(frozen=True)
class Reason:
    """One rule that applied, in words a worker would use."""

    rule: str
    text: str
    applies_to: Literal["eligibility", "proceed", "signposting", "nd_assessment"] = "eligibility"


@dataclass(frozen=True)
class EligibilityDecision:
    """The decision with every reason that applied."""

    case_id: str
    as_of: date
    verdict: EligibilityVerdict
    eligible: bool  # by legal status and age, whatever consent/approval say
    can_proceed: bool  # consent and approval present
    reasons: tuple[Reason, ...]
    signposting: tuple[str, ...] = ()
    nd_assessment_offerable: bool = False
    nd_assessment_reason: str = ""
    age: int = 0
    legal_status: str = ""
    flags: tuple[
        str, ...
    ] = ()  # the record needs correcting (legal status, consent); shown, not refused

    @property
    def summary(self) -> str:
        words = {
            "eligible": "Eligible: the referral can proceed to a decision",
            "not_eligible": "Not eligible for the team",
            "cannot_proceed": "Cannot proceed until consent and manager approval are in place",
        }
        return words[self.verdict]

    @property
    def nd_assessment_text(self) -> str:
        """The verdict on a neurodevelopmental assessment with its reason, for a reader:
        "can be offered (looked after and held by the team; places are limited)"."""
        verdict = "can be offered" if self.nd_assessment_offerable else "not offered"
        reason = self.nd_assessment_reason
        return f"{verdict} ({reason[:1].lower()}{reason[1:]})" if reason else verdict

    def as_dict(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "as_of": self.as_of.isoformat(),
            "verdict": self.verdict,
            "summary": self.summary,
            "eligible": self.eligible,
            "can_proceed": self.can_proceed,
            "age": self.age,
            "legal_status": self.legal_status,
            "reasons": [
                {"rule": r.rule, "text": r.text, "applies_to": r.applies_to} for r in self.reasons
            ],
            "signposting": list(self.signposting),
            "nd_assessment_offerable": self.nd_assessment_offerable,
            "nd_assessment_reason": self.nd_assessment_reason,
            "flags": list(self.flags),
        }


def _age_reasons(status: str, age: int) -> tuple[bool, list[Reason]]:
    if status == "care_leaver":
        ok = age < CARE_LEAVER_AGE_LIMIT
        return ok, [
            Reason(
                "age.care_leaver",
                f"Aged {age}: care leavers are eligible up to 25"
                + ("" if ok else "; this young person is 25 or over"),
            )
        ]
    ok = age < CHILD_AGE_LIMIT
    return ok, [
        Reason(
            "age.child",
            f"Aged {age}: "
            + (
                "under 18" if ok else "18 or over and not a care leaver, so not eligible as a child"
            ),
        )
    ]


def check_eligibility(case: Case, as_of: date | None = None) -> EligibilityDecision:
    """Decide eligibility for a case (its child and referral) as of a date.

    Parameters
    ----------
    case : Case
        The child's case (legal status, age, placement, referral).
    as_of : date, optional
        The date the decision is for; defaults to the referral's received date, so the
        decision is reproducible whenever it is run.

    Returns
    -------
    EligibilityDecision
        ``verdict`` is ``cannot_proceed`` whenever consent (informed) or team-manager
        approval is missing, whatever the legal status; otherwise ``eligible`` or
        ``not_eligible``. Every reason that applied is listed.
    """
    from ..config import parse_day
    from ..model.case import require_case

    case = require_case(case, "check_eligibility()")
    as_of = parse_day(as_of, f"{case.case_id}: check_eligibility()")
    child, referral = case.child, case.referral
    on = as_of or referral.received
    age = child.age_on(on)
    status = child.legal_status.status
    reasons: list[Reason] = []
    signposting: list[str] = []
    flags: list[str] = []

    if status == "looked_after" and age >= CHILD_AGE_LIMIT:
        # Children (Leaving Care) Act 2000; DOMAIN.md: a child turning 18 while looked
        # after becomes a care leaver. Judged as one; the record is what is wrong.
        status = "care_leaver"
        flag = (
            f"Legal status should be care leaver: recorded as looked after, but aged {age} on "
            f"{_day(on)}; a looked-after child turning 18 is a care leaver in law. Correct the record's legal status"
        )
        flags.append(flag)
        reasons.append(Reason("status.looked_after_turned_18", flag))

    if status in ELIGIBLE_STATUSES:
        status_ok = True
        reasons.append(
            Reason(f"status.{status}", f"Legal status {_label(status)} is one the team serves")
        )
    elif status == "care_leaver":
        status_ok = True
        reasons.append(Reason("status.care_leaver", "A care leaver is served up to 25"))
    elif status == "child_in_need":
        kinship = child.placement is not None and child.placement.type == "kinship_placement"
        if kinship and child.would_otherwise_be_in_care:
            status_ok = True
            reasons.append(
                Reason(
                    "status.child_in_need_kinship",
                    "Child in need placed with kinship carers who would otherwise be in care: eligible by exception",
                )
            )
        else:
            status_ok = False
            why = (
                "not placed with kinship carers"
                if not kinship
                else "placed with kinship carers but would not otherwise be in care"
            )
            reasons.append(
                Reason("status.child_in_need", f"Child in need plan, {why}: not eligible")
            )
            signposting += ["cluster_services", "camhs_single_point_of_access"]
            reasons.append(
                Reason(
                    "signpost.child_in_need",
                    "Signpost to local cluster services, or to CAMHS through its single point of access when its threshold is met",
                    "signposting",
                )
            )
    else:  # pragma: no cover - the vocabulary for legal status is not extendable
        status_ok = False
        reasons.append(
            Reason("status.unknown", f"Legal status {status} is not one the team serves")
        )

    age_ok, age_reasons = _age_reasons(status, age)
    reasons += age_reasons
    eligible = status_ok and age_ok
    if status_ok and not age_ok and status != "child_in_need":
        signposting.append("cluster_services")
        reasons.append(
            Reason(
                "signpost.age",
                "Over the team's age range: signpost to local cluster services",
                "signposting",
            )
        )

    can_proceed, proceed_reasons = _proceed(referral, status, age)
    reasons += proceed_reasons

    if referral.nd_assessment_requested:
        signposting.append("gp_right_to_choose")
        reasons.append(
            Reason(
                "signpost.nd_request",
                "An autism or ADHD assessment is wanted: signpost to the child's GP and the Right to Choose pathway",
                "signposting",
            )
        )
    nd_ok, nd_reason = _nd_assessment(case, status, eligible)

    if not can_proceed:
        verdict: EligibilityVerdict = "cannot_proceed"
    else:
        verdict = "eligible" if eligible else "not_eligible"
    return EligibilityDecision(
        case_id=case.case_id,
        as_of=on,
        verdict=verdict,
        eligible=eligible,
        can_proceed=can_proceed,
        reasons=tuple(reasons),
        signposting=tuple(dict.fromkeys(signposting)),
        nd_assessment_offerable=nd_ok,
        nd_assessment_reason=nd_reason,
        age=age,
        legal_status=status,
        flags=tuple(flags),
    )


# Who can consent to a referral, by the legal status of a child under 16 (DOMAIN.md,
# Consent). From 16 the young person with capacity can consent for themself as well;
# from 18 only they can. "carer" (no parental responsibility) never appears.
CONSENT_GIVERS: dict[str, tuple[str, ...]] = {
    "looked_after": ("local_authority", "parent"),
    "kinship_care": ("local_authority", "parent", "special_guardian"),
    "child_protection_plan": ("parent", "special_guardian"),
    "child_in_need": ("parent", "special_guardian"),
    "supervision_order": ("parent", "special_guardian"),
    "care_leaver": ("local_authority", "parent"),
}
_WHO = {
    "looked_after": "the local authority (with the parents where appropriate)",
    "kinship_care": "the local authority or a parent or special guardian with parental responsibility",
    "child_protection_plan": "a parent with parental responsibility",
    "child_in_need": "a parent with parental responsibility",
    "supervision_order": "a parent with parental responsibility",
    "care_leaver": "the young person",
}


def consent_problem(given_by: str, gillick_competent: bool, status: str, age: int) -> str:
    """Why this person cannot give consent for this child, or "" when they can.

    >>> consent_problem("local_authority", False, "child_protection_plan", 12)[:52]
    'The local authority cannot consent for a child aged '
    >>> consent_problem("child", False, "looked_after", 17)
    ''
    """
    who = _label(given_by, "consent_giver")
    if age >= CHILD_AGE_LIMIT or (status == "care_leaver" and age >= 16):
        if given_by == "child":
            return ""
        return f"The {who.lower()} cannot consent for a young person aged {age}: from 18 the young person consents for themself"
    if given_by == "child":
        if age >= 16 or gillick_competent:
            return ""
        return (
            f"The child, aged {age}, consented for themself with no record that they were judged competent to "
            f"(Gillick): record the assessment of competence, or consent from {_WHO.get(status, 'a parent')}"
        )
    if given_by in CONSENT_GIVERS.get(status, ()):
        return ""
    place = {
        "child_protection_plan": "living at home on a child protection plan",
        "child_in_need": "on a child in need plan",
        "supervision_order": "subject to a supervision order",
        "looked_after": "looked after",
        "kinship_care": "in kinship care",
        "care_leaver": "who is a care leaver",
    }.get(status, status)
    return f"The {who.lower()} cannot consent for a child aged {age} {place}: consent is needed from {_WHO.get(status, 'a parent')}"


def _proceed(referral: Referral, status: str = "", age: int = 0) -> tuple[bool, list[Reason]]:
    reasons: list[Reason] = []
    ok = True
    problem = (
        consent_problem(referral.consent.given_by, referral.consent.gillick_competent, status, age)
        if (referral.consent is not None and referral.consent.informed and status)
        else ""
    )
    if problem:
        ok = False
        reasons.append(
            Reason(
                "proceed.consent_not_valid",
                f"{problem}. The referral cannot proceed until it is recorded",
                "proceed",
            )
        )
    elif referral.consent is None:
        ok = False
        reasons.append(
            Reason(
                "proceed.no_consent",
                "No consent recorded: the referral cannot proceed without the informed consent of the child, young person or family",
                "proceed",
            )
        )
    elif not referral.consent.informed:
        ok = False
        reasons.append(
            Reason(
                "proceed.consent_not_informed",
                "Consent is recorded but not informed: the referral cannot proceed until consent is informed and meaningful",
                "proceed",
            )
        )
    else:
        reasons.append(
            Reason(
                "proceed.consent",
                f"Informed consent given by the {_label(referral.consent.given_by, 'consent_giver').lower()} on {_day(referral.consent.date)}",
                "proceed",
            )
        )
    if referral.approval is None:
        ok = False
        reasons.append(
            Reason(
                "proceed.no_approval",
                "No team-manager approval recorded: the referral cannot proceed without it",
                "proceed",
            )
        )
    else:
        reasons.append(
            Reason(
                "proceed.approval",
                f"Approved by team manager {referral.approval.by} on {_day(referral.approval.date)}",
                "proceed",
            )
        )
    return ok, reasons


def _nd_assessment(case: Case, status: str, eligible: bool) -> tuple[bool, str]:
    if status == "child_protection_plan":
        return False, "Never offered to a child on a child protection plan"
    if status != "looked_after":
        return False, "Only offered to looked-after children"
    held = case.referral.decision.outcome == "accepted"
    if not eligible:
        return False, "Only offered to children the team can hold"
    if not held:
        return (
            False,
            "Only offered to looked-after children the team already holds; the referral is not yet accepted",
        )
    # The reason only: the verdict is said by whoever shows it (nd_assessment_text, and
    # the rule nd.assessment_in_team, whose reason already says it can be offered).
    return True, "Looked after and held by the team; places are limited"


def _day(day: date) -> str:
    from ..words import uk_date

    return uk_date(day)


def _label(term: str, vocab: str = "legal_status") -> str:
    from ..model.vocabulary import vocabulary

    return (
        vocabulary().label(vocab, term).lower()
        if vocab == "legal_status"
        else vocabulary().label(vocab, term)
    )
