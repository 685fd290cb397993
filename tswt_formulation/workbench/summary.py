"""What the workbench says about a recommendation and a case's risks, in short plain
words, risks first. One place, so the library's own short summary can replace it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ..model import Case, vocabulary
from ..rules.recommend import STAGE_NAMES, WAVE_NAMES, Recommendation
from ._forms import inert

NOT_ASSESSED = "Risk not yet assessed (screening not complete)"


def summary_lines(rec: Recommendation) -> list[tuple[str, str]]:
    """The recommendation as (kind, line) pairs: ``risk`` lines first, then ``head``
    (eligibility, wave, stage), then ``item`` lines (services, models, preconditions,
    signposting), each with its reason."""
    voc = vocabulary()
    out: list[tuple[str, str]] = []
    for line in rec.risk_lines()[1:]:  # the library's own risk lines, risk first
        text = line.strip()
        if text.startswith("!"):
            text = text.lstrip("! ")
            out.append(("risk", text if text.startswith("Risk") else f"Risk: {text}"))
        else:
            out.append(("note", text))
    out.append(("head", f"Eligibility: {rec.eligibility.summary}"))
    if not rec.screened and rec.recommendable:
        out.append(("note", rec.PROVISIONAL))
    if rec.wave is not None:
        why = rec.reasons_for("wave")
        out.append(("head", f"Wave {rec.wave}: {WAVE_NAMES[rec.wave]}" + (f", because {why[0]}" if why else "")))
    if rec.stage is not None:
        why = rec.reasons_for("stage")
        out.append(("head", f"Stage {rec.stage}: {STAGE_NAMES[rec.stage]}" + (f", because {why[0]}" if why else "")))
    names = {"services": ("service", "Service"), "models": ("direct_work_model", "Direct-work model"),
             "signposting": ("signposting", "Signpost to")}
    for part in ("services", "models", "preconditions", "signposting"):
        for value in getattr(rec, part):
            if part in names:
                vocab, title = names[part]
                shown = f"{title}: {voc.label(vocab, value)}"
            else:
                shown = f"First: {value}"
            why = rec.reasons_for(part, value)  # type: ignore[arg-type]
            out.append(("item", shown + (f" (because {why[0]})" if why else "")))
    if rec.wave is None:
        out.append(("note", "No wave, stage or services: " + rec.eligibility.summary.lower()))
    return out


def summary_html(rec: Recommendation) -> str:
    """The short summary as HTML (every line escaped), risks highlighted."""
    styles = {"risk": "color:#a4000f;font-weight:bold", "head": "font-weight:bold", "item": "", "note": "color:#444"}
    items = "".join(f"<li style='{styles[kind]}'>{inert(line)}</li>" for kind, line in summary_lines(rec))
    return f"<ul style='margin:0;padding-left:1.2em' aria-label='Recommendation'>{items}</ul>"


def snapshot_html(formulation: Any) -> str:
    """The recommendation recorded on a formulation, as decided (the worker's overrides
    applied, each with its reason), risks first; every line escaped."""
    from ..rules import effective_recommendation

    snap = formulation.recommendation
    voc = vocabulary()
    chosen = effective_recommendation(formulation)
    lines: list[tuple[str, str]] = [("risk", f"Risk: {r}") for r in snap.risks]
    lines.append(("head", f"Wave {chosen['wave']}: {WAVE_NAMES[chosen['wave']]}"))
    lines.append(("head", f"Stage {chosen['stage']}: {STAGE_NAMES[chosen['stage']]}"))
    for part, vocab, title in (("services", "service", "Service"), ("models", "direct_work_model", "Direct-work model"),
                               ("preconditions", None, "First"), ("signposting", "signposting", "Signpost to")):
        for value in chosen[part]:
            lines.append(("item", f"{title}: {voc.label(vocab, value) if vocab else value}"))
    for part, o in chosen["overridden"].items():
        lines.append(("note", f"Overridden {part}: suggested {o['suggested']}, chosen {o['chosen']}, because {o['reason']} ({o['by']})"))
    lines += [("note", f"Because: {f.reason}") for f in snap.fired if f.won]
    styles = {"risk": "color:#a4000f;font-weight:bold", "head": "font-weight:bold", "item": "", "note": "color:#444"}
    items = "".join(f"<li style='{styles[kind]}'>{inert(line)}</li>" for kind, line in lines)
    return f"<ul style='margin:0;padding-left:1.2em' aria-label='Recommendation as decided'>{items}</ul>"


def case_risk_flag(case: Case, as_of: date) -> str:
    """One case's risk flags in words; never 'no risk' for a case not yet screened."""
    from ..rules.risk import risk_status

    status = risk_status(case, as_of)
    recorded = [f"{r.label} ({r.level}{', OUT OF DATE' if r.out_of_date else ''})" for r in status.risks]
    if not status.assessed:
        return "; ".join([NOT_ASSESSED, *recorded])
    return "; ".join(recorded) if recorded else "No risk recorded at the completed screening"


def risk_flags(store: Any, case_ids: Iterable[str], as_of: date) -> dict[str, str]:
    """Risk flags of the named cases (read whole: call it for a page, not a caseload)."""
    ids = list(case_ids)
    if not ids:
        return {}
    return {case.case_id: case_risk_flag(case, as_of) for case in store.cases(ids)}
