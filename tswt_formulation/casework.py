"""Casework on stored cases: draft the formulation, decide on the recommendation,
submit, sign off, record the outcome of screening.

Each function loads the case, applies a pure rule from :mod:`tswt_formulation.rules`,
and saves it: one transaction with its audit row, refused if someone saved the case
since (``StaleEdit``). Notebooks, the CLI and the workbench all call these. A caller that
showed the case to someone (the workbench) passes ``version``, the version they saw: the
change is then refused if anyone saved the case after that, not only during the call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from .errors import OverrideError
from .measures.outcomes import baseline_bands
from .model import Case, Override
from .rules import (
    draft_formulation,
    edit_formulation,
    recommend,
    record_decision,
    record_outcome,
    sign_off,
    submit,
)
from .store import CaseStore


def _now() -> datetime:
    return datetime.now(UTC)


def _who(store: CaseStore, user: str | None) -> str:
    return user or store.user


def _load(store: CaseStore, case_id: str, version: int | None) -> Case:
    """The case, to be saved as an edit of ``version`` when given (stale if it moved on)."""
    case = store.get(case_id)
    if version is not None:
        case._version = version
    return case


def create_draft(store: CaseStore, case_id: str, user: str | None = None, as_of: date | None = None, replace: bool = False,
                 version: int | None = None) -> Case:
    """Draft the formulation from the screening, with the current recommendation."""
    case = _load(store, case_id, version)
    if case.formulation is not None and not replace:
        raise OverrideError(f"{case_id}: a formulation already exists (revision {case.formulation.revision}, "
                            f"{case.formulation.status.replace('_', ' ')}); edit it, or redraft with --replace")
    now = _now()
    rec = recommend(case, as_of=as_of, bands=baseline_bands([case])[case_id])
    if not rec.recommendable:
        raise OverrideError(f"{case_id}: no recommendation can be made ({rec.eligibility.summary.lower()}); nothing to formulate yet")
    case.formulation = draft_formulation(case, author=_who(store, user), now=now, recommendation=rec)
    return store.save(case, user=user, note="formulation drafted from the screening")


def update_formulation(store: CaseStore, case_id: str, user: str | None = None, version: int | None = None, **changes: Any) -> Case:
    """Edit the formulation's content (narrative, 5 Ps, ...); after sign-off it goes back to draft."""
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation yet; draft one first (tswt formulation {case_id} --draft)")
    case.formulation = edit_formulation(case.formulation, _who(store, user), _now(), **changes)
    return store.save(case, user=user, note="formulation edited")


def decide(store: CaseStore, case_id: str, accept: bool, overrides: Iterable[Override] = (), user: str | None = None,
           version: int | None = None) -> Case:
    """The worker's decision: accept the recommendation, or override parts with reasons."""
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation yet; draft one first (tswt formulation {case_id} --draft)")
    case.formulation = record_decision(case.formulation, case_id, _who(store, user), _now(), accept, overrides)
    return store.save(case, user=user, note="recommendation accepted" if accept else "recommendation overridden with reasons")


def revise_formulation(store: CaseStore, case_id: str, accept: bool, overrides: Iterable[Override] = (),
                       user: str | None = None, version: int | None = None, **changes: Any) -> Case:
    """Edit the content and record the decision on the recommendation in ONE audited
    save (the workbench's form): both are checked before anything is written."""
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation yet; draft one first (tswt formulation {case_id} --draft)")
    who, now = _who(store, user), _now()
    edited = edit_formulation(case.formulation, who, now, **changes) if changes else case.formulation
    current = edited.decision
    unchanged = current is not None and current.accepted == accept and [o.model_dump() for o in current.overrides] == [
        o.model_dump() for o in overrides]
    case.formulation = edited if unchanged else record_decision(edited, case_id, who, now, accept, overrides)
    return store.save(case, user=user, note="formulation edited and decision recorded")


def submit_for_signoff(store: CaseStore, case_id: str, user: str | None = None, version: int | None = None) -> Case:
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation to submit")
    case.formulation = submit(case.formulation, case_id)
    return store.save(case, user=user, note="submitted for sign-off")


def review(store: CaseStore, case_id: str, approve: bool, comment: str = "", user: str | None = None,
           version: int | None = None) -> Case:
    """The clinical psychologist approves the formulation or returns it with comments."""
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation to sign off")
    case.formulation = sign_off(case.formulation, case_id, _who(store, user), _now(), approve, comment)
    return store.save(case, user=user, note="signed off" if approve else "returned with comments")


def outcome(store: CaseStore, case_id: str, decision: str, reasons: str = "", alternatives: Iterable[str] = (),
            on: date | None = None, user: str | None = None, replace: bool = False) -> Case:
    """Record the outcome of screening: close (with reasons, alternatives) or begin work.
    An outcome already recorded is changed only with ``replace=True`` and reasons."""
    case = store.get(case_id)
    had = case.outcome
    case.outcome = record_outcome(case, decision, _who(store, user), on or date.today(), reasons, alternatives, replace=replace)
    note = f"outcome of screening: {decision.replace('_', ' ')}"
    if had is not None:
        note = f"{note} (replaces {had.decision.replace('_', ' ')} of {had.date.isoformat()}: {reasons.strip()})"
    return store.save(case, user=user, note=note)
