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
    """The recommendation as (kind, line) pairs, risks first: the library's risk lines
    (without rule ids), the eligibility, then its short plain summary
    (:func:`tswt_formulation.rules.summary.summarise`): ``risk``, ``head`` (eligibility,
    wave, stage), ``item`` (what comes first, services, models, signposting), ``note``."""
    import re

    from ..rules.summary import summarise

    out: list[tuple[str, str]] = []
    for line in rec.risk_lines()[1:]:
        text = re.sub(r" \[[^\]]*\]$", "", line.strip())
        if text.startswith("!"):
            text = text.lstrip("! ")
            out.append(("risk", text if text.startswith("Risk") else f"Risk: {text}"))
        else:
            out.append(("note", text))
    out.append(("head", f"Eligibility: {rec.eligibility.summary}"))
    if rec.wave is None:
        out.append(("note", "No wave, stage or services: " + rec.eligibility.summary.lower()))
        return out
    for ln in summarise(rec).lines:
        kind = "note" if ln.topic == "note" else "head" if ln.topic in ("wave", "stage") else "item"
        out.append((kind, ln.text))
    return out


def summary_html(rec: Recommendation) -> str:
    """The short summary as HTML (every line escaped), risks highlighted."""
    styles = {
        "risk": "color:#a4000f;font-weight:bold",
        "head": "font-weight:bold",
        "item": "",
        "note": "color:#444",
    }
    items = "".join(
        f"<li style='{styles[kind]}'>{inert(line)}</li>" for kind, line in summary_lines(rec)
    )
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
    for part, vocab, title in (
        ("services", "service", "Service"),
        ("models", "direct_work_model", "Direct-work model"),
        ("preconditions", None, "First"),
        ("signposting", "signposting", "Signpost to"),
    ):
        for value in chosen[part]:
            lines.append(("item", f"{title}: {voc.label(vocab, value) if vocab else value}"))
    for part, o in chosen["overridden"].items():
        lines.append(
            (
                "note",
                f"Overridden {part}: suggested {o['suggested']}, chosen {o['chosen']}, because {o['reason']} ({o['by']})",
            )
        )
    lines += [("note", f"Because: {f.reason}") for f in snap.fired if f.won]
    styles = {
        "risk": "color:#a4000f;font-weight:bold",
        "head": "font-weight:bold",
        "item": "",
        "note": "color:#444",
    }
    items = "".join(f"<li style='{styles[kind]}'>{inert(line)}</li>" for kind, line in lines)
    return f"<ul style='margin:0;padding-left:1.2em' aria-label='Recommendation as decided'>{items}</ul>"


def case_risk_flag(case: Case, as_of: date) -> str:
    """One case's risk flags in words; never 'no risk' for a case not yet screened."""
    from ..rules.risk import risk_status

    status = risk_status(case, as_of)
    recorded = [
        f"{r.label} ({r.level}{', OUT OF DATE' if r.out_of_date else ''})" for r in status.risks
    ]
    if not status.assessed:
        return "; ".join([NOT_ASSESSED, *recorded])
    return "; ".join(recorded) if recorded else "No risk recorded at the completed screening"


def risk_flags(store: Any, case_ids: Iterable[str], as_of: date) -> dict[str, str]:
    """Risk flags of the named cases (read whole: call it for a page, not a caseload)."""
    ids = list(case_ids)
    if not ids:
        return {}
    return {case.case_id: case_risk_flag(case, as_of) for case in store.cases(ids)}
