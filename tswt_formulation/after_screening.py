"""Casework on the work after screening (model.work): start an intervention, record its
sessions and its end, record a first step, a review and the end of the team's
involvement. Each saves as a step of the work (``record_work``), audited with its action.

Moved out of casework.py unchanged (issue 25: one job a module); every name is still
importable from ``tswt_formulation.casework``, the one write path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .casework import _load, _now, _who
from .errors import OverrideError
from .model import Case
from .store import CaseStore


def _with_work(case: Case, change: Any) -> Case:
    """The case with ``change`` applied to its data, validated whole (every date checked
    against the others, each problem naming its field), carrying the loaded version."""
    from .model import case_from_data, case_to_data

    data = case_to_data(case)
    change(data)
    new = case_from_data(data, case.case_id)
    new._version = case._version
    return new


def _save_work(
    store: CaseStore, case: Case, change: Any, user: str | None, note: str, action: str
) -> Case:
    """Save the case with ``change`` applied to its data (:func:`_with_work`) as a step of
    the work after screening (``record_work``), audited as ``action``."""
    new = _with_work(case, change)
    return store.save(new, user=user, note=note, workflow_step="record_work", action=action)


def _intervention_index(case: Case, number: int) -> int:
    for i, iv in enumerate(case.interventions):
        if iv.number == number:
            return i
    have = ", ".join(str(iv.number) for iv in case.interventions) or "none recorded"
    raise OverrideError(f"{case.case_id}: no intervention {number} (interventions: {have})")


def start_intervention(
    store: CaseStore,
    case_id: str,
    kind: str,
    what: str,
    for_whom: Iterable[str],
    start: date,
    lead_worker: str | None = None,
    planned_end: date | None = None,
    fulfils: str | None = None,
    not_recommended: str = "",
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """Record an intervention begun (numbered after the last one). The lead worker is the
    person acting unless named; ``fulfils`` names the recommendation's part (wave,
    services, models, preconditions), or ``not_recommended`` says why it is delivered."""
    case = _load(store, case_id, version)
    number = max((iv.number for iv in case.interventions), default=0) + 1
    lead = (lead_worker or _who(store, user)).strip().casefold()
    entry: dict[str, Any] = {
        "number": number,
        "kind": kind,
        "what": what,
        "for_whom": list(for_whom),
        "lead_worker": lead,
        "start": start.isoformat(),
        "not_recommended": not_recommended,
    }
    if planned_end is not None:
        entry["planned_end"] = planned_end.isoformat()
    if fulfils:
        entry["fulfils"] = fulfils
    return _save_work(
        store,
        case,
        lambda d: d.setdefault("interventions", []).append(entry),
        user,
        f"intervention {number} started: {what}",
        "start_intervention",
    )


def record_session(
    store: CaseStore,
    case_id: str,
    number: int,
    on: date,
    attendance: str,
    took_part: Iterable[str] = (),
    minutes: int | None = None,
    note: str = "",
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """Record a session of intervention ``number`` (kept in date order)."""
    case = _load(store, case_id, version)
    i = _intervention_index(case, number)
    session: dict[str, Any] = {
        "date": on.isoformat(),
        "attendance": attendance,
        "took_part": list(took_part),
        "note": note,
    }
    if minutes is not None:
        session["minutes"] = minutes

    def add(d: dict[str, Any]) -> None:
        sessions = d["interventions"][i].setdefault("sessions", [])
        sessions.append(session)
        sessions.sort(
            key=lambda s: s["date"]
        )  # stable: a second session that day goes after the first

    # The note is private text: the audit keeps the change, its one-line summary does not quote it.
    note = f"session of intervention {number}: {attendance.replace('_', ' ')}"
    return _save_work(store, case, add, user, note, "record_session")


def end_intervention(
    store: CaseStore,
    case_id: str,
    number: int,
    on: date,
    reason: str,
    other: str = "",
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """Record how and when intervention ``number`` ended."""
    case = _load(store, case_id, version)
    i = _intervention_index(case, number)
    ended = case.interventions[i].end
    if ended is not None:
        raise OverrideError(
            f"{case_id}: intervention {number} already ended on {ended.isoformat()}"
        )

    def end(d: dict[str, Any]) -> None:
        d["interventions"][i].update(end=on.isoformat(), ending_reason=reason, ending_other=other)

    note = f"intervention {number} ended: {reason.replace('_', ' ')}"
    return _save_work(store, case, end, user, note, "end_intervention")


def record_first_step(
    store: CaseStore,
    case_id: str,
    step: str,
    owner: str | None = None,
    due: date | None = None,
    done: date | None = None,
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """Record a first step (matched to one already recorded by its wording): its owner, due and done dates."""
    from .rules.first_steps import _key

    case = _load(store, case_id, version)

    def put(d: dict[str, Any]) -> None:
        steps = d.setdefault("first_steps", [])
        entry = next((s for s in steps if _key(s["step"]) == _key(step)), None)
        if entry is None:
            entry = {"step": step}
            steps.append(entry)
        if owner is not None:
            entry["owner"] = owner.strip().casefold()
        if due is not None:
            entry["due"] = due.isoformat()
        if done is not None:
            entry["done"] = done.isoformat()

    note = "first step recorded" + (" as done" if done else "")
    return _save_work(store, case, put, user, note, "record_first_step")


def record_review(
    store: CaseStore,
    case_id: str,
    on: date,
    stage: int,
    wave: int,
    stage_evidence: str = "",
    risks_reviewed: bool = False,
    goals: dict[int, int] | None = None,
    measures_due: Iterable[str] = (),
    measures_done: Iterable[str] = (),
    formulation: str = "holds",
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """Record a review of the work. A revised formulation goes back to draft, to be
    signed off again (DOMAIN.md)."""
    case = _load(store, case_id, version)
    who = _who(store, user)
    review_data = {
        "date": on.isoformat(),
        "by": who,
        "stage": stage,
        "stage_evidence": stage_evidence,
        "wave": wave,
        "risks_reviewed": risks_reviewed,
        "goals": [{"number": n, "rating": r} for n, r in sorted((goals or {}).items())],
        "measures_due": list(measures_due),
        "measures_done": list(measures_done),
        "formulation": formulation,
    }
    if formulation == "revised" and case.formulation is None:
        raise OverrideError(
            f"{case_id}: the review says the formulation is revised, but there is no formulation"
        )

    def add(d: dict[str, Any]) -> None:
        d.setdefault("reviews", []).append(review_data)
        d["reviews"].sort(key=lambda r: r["date"])
        f = d.get("formulation")
        if formulation == "revised" and f is not None and f.get("status", "draft") != "draft":
            # Back to draft: the revision is written, then submitted and signed off again.
            f.update(
                status="draft",
                revision=f.get("revision", 0) + 1,
                updated=_now().isoformat(),
                submitted_by=None,
            )
            if who.casefold() != f.get("author", "").casefold() and who not in f.get(
                "contributors", []
            ):
                f["contributors"] = [*f.get("contributors", []), who]

    note = f"review: stage {stage}, wave {wave}, formulation {formulation}"
    return _save_work(store, case, add, user, note, "record_review")


def close_involvement(
    store: CaseStore,
    case_id: str,
    on: date,
    reason: str,
    summary: str = "",
    reason_other: str = "",
    closing_measures_due: Iterable[str] = (),
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """Record the end of the team's involvement (every intervention must have ended)."""
    case = _load(store, case_id, version)
    if case.ending is not None:
        raise OverrideError(
            f"{case_id}: involvement already ended on {case.ending.date.isoformat()}"
        )
    ending = {
        "date": on.isoformat(),
        "by": _who(store, user),
        "reason": reason,
        "reason_other": reason_other,
        "summary": summary,
        "closing_measures_due": list(closing_measures_due),
    }
    note = f"involvement ended: {reason.replace('_', ' ')}"
    return _save_work(
        store, case, lambda d: d.update(ending=ending), user, note, "close_involvement"
    )
