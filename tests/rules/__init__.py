"""Tests of the recommendation rules, and a builder of full cases from a compact form.

The compact form (used by ``cases/recommendation_cases.yaml``) says only what matters
clinically; everything else gets a plain default. Dates are relative to the case's
as-of date: the screening completion date (2026-06-01) for an accepted referral, the
referral's received date (2026-03-02) otherwise. Only synthetic people.

::

    child: {age: 13, status: looked_after, placement: foster_care, months: 30, moves: 0,
            breakdowns: [2], caregiver: foster_carer, takes_part: true, wants_carer: null,
            independent: false, otherwise_in_care: false}
    referral: {consent: true | false | uninformed, consent_by: parent, gillick: false,
               approval: true, decision: accepted, nd_requested: false}
    screening: {life_story: completed, history: [neglect],
                behaviours: ["self_harm severe weekly carer school"], strengths: [...],
                risks: [{kind: self_harm, level: high, by: [carer], plan: "social worker",
                         review_in_days: 30}]}
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tswt_formulation.model import Case, add_years, case_from_data
from tswt_formulation.rules.conditions import months_before

ACCEPTED_AS_OF = date(2026, 6, 1)
RECEIVED = date(2026, 3, 2)


def behaviour(spec: str) -> dict[str, Any]:
    """``"self_harm severe weekly carer school"`` -> a presenting behaviour record."""
    name, severity, frequency, *sources = spec.split()
    return {
        "behaviour": name,
        "severity": severity,
        "frequency": frequency,
        "sources": sources or ["carer"],
        "evidence": f"Synthetic evidence of {name.replace('_', ' ')}.",
    }


def risk(spec: dict[str, Any], as_of: date) -> dict[str, Any]:
    """``{kind: self_harm, level: high, by: [carer], plan: "social worker", review_in_days: 30}``
    -> a recorded risk, recorded 30 days before ``as_of`` (``review_in_days`` < 0: out of date)."""
    holder = spec.get("plan", "")
    return {
        "kind": spec["kind"],
        "level": spec.get("level", "medium"),
        "reported_by": list(spec.get("by", ["carer"])),
        "recorded": (as_of - timedelta(days=30)).isoformat(),
        "review_due": (as_of + timedelta(days=int(spec.get("review_in_days", 60)))).isoformat(),
        "safety_plan": bool(holder),
        "safety_plan_holder": holder,
        "evidence": f"Synthetic evidence of {spec['kind'].replace('_', ' ')}.",
    }


def case_data(compact: dict[str, Any], case_id: str = "TSW-000001") -> dict[str, Any]:
    """Full case data from the compact form."""
    child = dict(compact.get("child") or {})
    ref = dict(compact.get("referral") or {})
    scr = dict(compact.get("screening") or {})
    decision = ref.get("decision", "accepted")
    as_of = ACCEPTED_AS_OF if decision == "accepted" else RECEIVED
    born = add_years(as_of, -int(child.get("age", 10))) - timedelta(days=120)
    status = child.get("status", "looked_after")
    data: dict[str, Any] = {
        "case_id": case_id,
        "synthetic": True,
        "child": {
            "case_management_ref": f"CM-{case_id[4:]}",
            "date_of_birth": born.isoformat(),
            "sex": child.get("sex", "not_known"),
            "legal_status": {"status": status, "start": max(born, date(2024, 1, 10)).isoformat()},
            "living_independently": bool(child.get("independent", False)),
            "would_otherwise_be_in_care": bool(child.get("otherwise_in_care", False)),
        },
        "referral": {
            "received": RECEIVED.isoformat(),
            "referrer": {
                "name": "Synthetic Worker",
                "role": "personal_advisor" if status == "care_leaver" else "social_worker",
            },
            "nd_assessment_requested": bool(ref.get("nd_requested", False)),
        },
    }
    if child.get("placement", "foster_care") is not None:
        start = max(months_before(as_of, int(child.get("months", 30))), born)
        data["child"]["placement"] = {
            "type": child.get("placement", "foster_care"),
            "start": start.isoformat(),
            "moves_last_12_months": int(child.get("moves", 0)),
            # A breakdown ended an earlier placement: never after this one began.
            "breakdowns": [
                {
                    "date": min(max(months_before(as_of, int(m)), born), start).isoformat(),
                    "note": "synthetic",
                }
                for m in child.get("breakdowns", [])
            ],
        }
    if child.get("caregiver", "foster_carer") is not None:
        data["child"]["caregiver"] = {
            "relationship": child.get("caregiver", "foster_carer"),
            "can_take_part": bool(child.get("takes_part", True)),
            "young_person_wants_involved": child.get("wants_carer"),
        }
    consent = ref.get("consent", True)
    if consent:
        # Consent from someone who can give it (DOMAIN.md, Consent), unless the row names another.
        age = int(child.get("age", 10))
        valid = (
            "child"
            if age >= 16 or status == "care_leaver"
            else "local_authority"
            if status in ("looked_after", "kinship_care")
            else "parent"
        )
        data["referral"]["consent"] = {
            "given_by": ref.get("consent_by", valid),
            "date": RECEIVED.isoformat(),
            "informed": consent is True,
            "gillick_competent": bool(ref.get("gillick", False)),
        }
    if ref.get("approval", True):
        data["referral"]["approval"] = {"by": "Synthetic Manager", "date": RECEIVED.isoformat()}
    if decision == "accepted":
        data["referral"]["decision"] = {"outcome": "accepted", "date": "2026-03-10"}
        data["referral"]["allocation"] = {"date": "2026-03-16", "worker": "Synthetic TSW"}
    elif decision == "not_accepted":
        data["referral"]["decision"] = {
            "outcome": "not_accepted",
            "date": "2026-03-10",
            "reasons": "Synthetic reasons.",
        }
    screening: dict[str, Any] = {
        "life_story_work": scr.get("life_story", "completed"),
        "history_factors": [
            {
                "factor": f,
                "sources": ["social_worker"],
                "evidence": f"Synthetic history of {f.replace('_', ' ')}.",
            }
            for f in scr.get("history", [])
        ],
        "presenting_behaviours": [behaviour(b) for b in scr.get("behaviours", [])],
        "strengths": list(scr.get("strengths", [])),
        "risks": [risk(r, as_of) for r in scr.get("risks", [])],
    }
    if decision == "accepted":
        screening.update(
            started="2026-04-01",
            completed=ACCEPTED_AS_OF.isoformat() if scr.get("complete", True) else None,
        )
    data["screening"] = screening
    return data


def build_case(compact: dict[str, Any], case_id: str = "TSW-000001") -> Case:
    """A validated :class:`Case` from the compact form."""
    return case_from_data(case_data(compact, case_id))
