"""The recommendation in plain words: a few lines a clinical psychologist can read aloud.

The wave and why (one sentence), the stage and why, what must happen first, then each
service or direct-work model with one reason beside it. Rule ids, the rules that did not
win and every "also asked" line stay out of it: they are the full trace
(:meth:`Recommendation.to_text`, the report's "How this was reached" appendix).

When the worker has decided, the summary shows the decision: an overridden part shows
the worker's choice with their reason, and a chosen stage carries the evidence for that
stage, never the evidence written for the stage the worker rejected.

Used by ``tswt recommend CASE``, the formulation report and the workbench.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..model.case import Case
from ..model.formulation import Formulation
from ..model.vocabulary import vocabulary
from ..words import lower_first as _lower_first
from ..words import uk_date
from .recommend import STAGE_NAMES, WAVE_NAMES, Recommendation, risk_once

Topic = Literal["note", "wave", "stage", "first", "service", "model", "signposting"]
_PREFIX = re.compile(r"^(Wave|Stage) \d[^:]*: ")
_DEFAULT_WAVE = "no rule in the screening calls for more intensive help"
_DEFAULT_STAGE = "nothing recorded at screening holds the child at an earlier stage"
_SMALL_WORDS = {"and", "the", "for", "with", "of", "to", "a", "an", "programme"}


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary: what it is about, the words, and whether the worker
    changed it (an override: ``text`` then carries the worker's reason)."""

    topic: Topic
    text: str
    overridden: bool = False
    label: str = ""  # the service or model the line is about


@dataclass(frozen=True)
class RecommendationSummary:
    case_id: str
    lines: tuple[SummaryLine, ...]
    decided: (
        str  # "Accepted by A. Okafor on 2026-07-01", "Suggested by the rules; not yet decided", ...
    )

    def to_text(self) -> str:
        """The lines, one per line; services and models indented under the rest."""
        return "\n".join(
            ("  - " if ln.topic in ("service", "model", "signposting") else "") + ln.text
            for ln in self.lines
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "decided": self.decided,
            "lines": [
                {"topic": ln.topic, "text": ln.text, "overridden": ln.overridden}
                for ln in self.lines
            ],
        }


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def _why(reason: str) -> str:
    """A rule's reason without its "Wave 2 targeted ...: " / "Stage 3 (...): " lead-in."""
    return _PREFIX.sub("", reason.strip(), count=1)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _names_itself(label: str, reason: str) -> bool:
    """True when a reason already names the service or model it is the reason for
    ("Fostering Surgery first: ...", "DDP with the child ..."), so it can stand alone."""
    head = _words(reason)[:8]
    abbrev = re.search(r"\(([A-Z]{2,})\)", label)
    if abbrev and head[:1] == [abbrev.group(1).lower()]:
        return True
    significant = [w for w in _words(re.sub(r"\(.*?\)", "", label)) if w not in _SMALL_WORDS]
    return bool(significant) and (
        all(w in head for w in significant) or _words(label)[:2] == head[:2]
    )


def _item_line(label: str, reason: str, lead: str = "") -> str:
    """``lead`` ("Direct work: ") goes before the line; the label is left out when the
    reason already names it."""
    if not reason:
        return _sentence(lead + label)
    return _sentence(
        lead + (_lower_first(reason) if lead else reason)
        if _names_itself(label, reason)
        else f"{lead}{label}: {_lower_first(reason)}"
    )


def summarise(
    rec: Recommendation,
    formulation: Formulation | None = None,
    name: Callable[[str], str] | None = None,
    case: Case | None = None,
    as_of: date | None = None,
) -> RecommendationSummary:
    """The recommendation in three to eight plain lines (plus any risk or provisional note).

    Parameters
    ----------
    rec : Recommendation
        The rules' recommendation for the case (its fired rules give the reasons).
    formulation : Formulation, optional
        When it records the recommendation and the worker's decision, the summary shows
        the decision: each overridden part as the worker chose it, with their reason.
    name : callable, optional
        Turns a login id into the name to show (the staff directory); default: as is.
    case, as_of : Case and date, optional
        When given, each first step says whether it was done by ``as_of`` (default the
        recommendation's date): "done 7 Dec 2026", or "OUTSTANDING: not recorded as
        done; work began ..." (rules.first_steps).
    """
    who = name or (lambda login: login)
    voc = vocabulary()
    snapshot = formulation.recommendation if formulation is not None else None
    decision = formulation.decision if formulation is not None else None
    if snapshot is None and not rec.recommendable:
        lines: list[SummaryLine] = [
            SummaryLine(
                "note", _sentence(f"No wave or stage: {_lower_first(rec.eligibility.summary)}")
            )
        ]
        if rec.preconditions:
            lines.append(
                SummaryLine("first", _first_line(rec.preconditions, case, as_of or rec.as_of))
            )
        lines += [
            SummaryLine(
                "signposting",
                _item_line(voc.label("signposting", s), _reason(rec, "signposting", s)),
            )
            for s in rec.signposting
        ]
        return RecommendationSummary(rec.case_id, tuple(lines), "No recommendation to decide on")

    chosen: dict[str, Any] = {}
    suggested: dict[str, Any] = {}
    overrides: dict[str, Any] = {o.part: o for o in (decision.overrides if decision else [])}
    for part in ("wave", "stage", "services", "models", "preconditions", "signposting"):
        base = getattr(snapshot, part) if snapshot is not None else getattr(rec, part)
        suggested[part] = base
        chosen[part] = overrides[part].value if part in overrides else base
    by = who(decision.by) if decision else ""
    lines = []
    said: dict[str, str] = {}  # a reason already given in full -> the line that gave it
    if snapshot is not None and not rec.recommendable:
        # Recorded under rules or a record that allowed it; the record as it stands now
        # does not (e.g. consent from someone who cannot give it): said first, never hidden.
        why = next(
            (r.text for r in rec.eligibility.reasons if r.rule == "proceed.consent_not_valid"),
            rec.eligibility.summary,
        )
        lines.append(
            SummaryLine(
                "note",
                _sentence(
                    f"On the record as it stands the referral cannot go on: {_lower_first(why)}"
                ),
            )
        )
    if snapshot is None and not rec.screened:
        lines.append(SummaryLine("note", rec.PROVISIONAL))

    wave = int(chosen["wave"])
    if "wave" in overrides:
        lines.append(
            SummaryLine(
                "wave",
                _sentence(
                    f"Wave {wave}, {WAVE_NAMES[wave]}: chosen by {by} (the rules suggested wave {suggested['wave']}) because "
                    f"{_lower_first(overrides['wave'].reason)}"
                ),
                True,
            )
        )
    else:
        won = next((f for f in rec.fired if f.won_wave), None)
        why = (
            _DEFAULT_WAVE
            if won is None or won.rule.startswith("default.")
            else _lower_first(_why(won.reason))
        )
        lines.append(SummaryLine("wave", _sentence(f"Wave {wave}, {WAVE_NAMES[wave]}: {why}")))
        said[_norm(why)] = "the wave"

    stage = int(chosen["stage"])
    evidence = [
        _lower_first(_why(f.reason).rstrip("."))
        for f in rec.fired
        if f.stage == stage and not f.rule.startswith("default.")
    ]
    # Each fact once (issue 21, third read): a reason the wave line gave is referred back to.
    evidence = list(dict.fromkeys(_said_before(e, said) for e in evidence))
    if "stage" in overrides:
        shown = f"; the screening shows {'; '.join(evidence)}" if evidence else ""
        lines.append(
            SummaryLine(
                "stage",
                _sentence(
                    f"Stage {stage}, {STAGE_NAMES[stage]}: chosen by {by} (the rules suggested stage {suggested['stage']}) because "
                    f"{_lower_first(overrides['stage'].reason.strip().rstrip('.'))}{shown}"
                ),
                True,
            )
        )
    else:
        why = "; ".join(evidence) if evidence else _DEFAULT_STAGE
        lines.append(SummaryLine("stage", _sentence(f"Stage {stage}, {STAGE_NAMES[stage]}: {why}")))
        for e in evidence:
            said.setdefault(_norm(e), "the stage")

    if chosen["preconditions"]:
        lines.append(
            SummaryLine(
                "first",
                _first_line(chosen["preconditions"], case, as_of or rec.as_of, formulation, who),
                "preconditions" in overrides,
            )
        )

    services = list(chosen["services"])
    models = list(chosen["models"])
    if "carer_support" in services and "foundations_for_attachment" in services:
        services.remove(
            "foundations_for_attachment"
        )  # the programme is part of carer support: one line
    direct = "direct_work" in services and bool(models)
    for s in services:
        if s == "direct_work" and direct:
            continue
        lines.append(
            _part_line(
                rec,
                "services",
                s,
                voc.label("service", s),
                overrides,
                by,
                suggested["services"],
                said=said,
            )
        )
    for m in models:
        label = voc.label("direct_work_model", m)
        lines.append(
            _part_line(
                rec,
                "models",
                m,
                label,
                overrides,
                by,
                suggested["models"],
                "model",
                "Direct work: " if direct else "",
                said=said,
            )
        )
    for s in chosen["signposting"]:
        lines.append(
            _part_line(
                rec,
                "signposting",
                s,
                voc.label("signposting", s),
                overrides,
                by,
                suggested["signposting"],
                "signposting",
            )
        )

    seen: set[str] = set()
    lines = [
        dataclasses.replace(ln, text=risk_once(ln.text, seen)) if ln.topic != "first" else ln
        for ln in lines
    ]
    lines = _at_most(lines, MAX_LINES)
    if decision is None:
        decided = "Suggested by the rules; not yet decided by the worker"
    elif decision.accepted and not overrides:
        decided = f"Accepted by {by} on {uk_date(decision.at)}"
    else:
        decided = f"Decided by {by} on {uk_date(decision.at)}, changing the {_parts(overrides)} with reasons"
    return RecommendationSummary(rec.case_id, tuple(lines), decided)


MAX_LINES = 8  # read aloud in supervision: the wave, the stage, what comes first, then the offer


def _short(text: str) -> str:
    """The first clause of a line, for the closing "Also" line."""
    head = re.split(r"[;:]", text.rstrip("."), maxsplit=1)[0].strip()
    return head if len(head) <= 70 else head[:67].rsplit(" ", 1)[0] + "..."


def _also(line: SummaryLine) -> str:
    """``Life Story Clinic (life story work planned)``: the label, and the reason's first
    clause when it says more than the label."""
    first = _short(line.text)
    if not line.label:
        return first
    significant = [w for w in _words(re.sub(r"\(.*?\)", "", line.label)) if w not in _SMALL_WORDS]
    if all(w in _words(first) for w in significant):
        return first
    return (
        line.label if len(first) > 50 else f"{line.label} ({_lower_first(first)})"
    )  # a long reason: in the appendix


def _at_most(lines: list[SummaryLine], limit: int) -> list[SummaryLine]:
    """Keep the summary to ``limit`` lines (notes aside): services past the limit share one
    closing line, each by its first clause (the worker's own changes always keep theirs)."""
    body = [ln for ln in lines if ln.topic != "note"]
    if len(body) <= limit:
        return lines
    spare = [ln for ln in body if ln.topic in ("service", "signposting") and not ln.overridden]
    fold = (
        spare[len(spare) - (len(body) - limit + 1) :]
        if len(body) - limit + 1 <= len(spare)
        else spare
    )
    if len(fold) < 2:
        return lines
    also = SummaryLine("service", "Also: " + "; ".join(_also(ln) for ln in fold) + ".")
    kept = [ln for ln in lines if ln not in fold]
    at = (
        max(
            i
            for i, ln in enumerate(kept)
            if ln.topic in ("service", "model", "signposting", "first", "stage", "wave")
        )
        + 1
    )
    return kept[:at] + [also] + kept[at:]


def _parts(overrides: dict[str, Any]) -> str:
    names = list(overrides)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _norm(text: str) -> str:
    return " ".join(text.casefold().rstrip(".").split())


def _said_before(reason: str, said: dict[str, str]) -> str:
    """``reason``, or its first clause "..., as for the wave above" when an earlier line
    gave it in full (read aloud, the line still names what it is about)."""
    where = said.get(_norm(reason)) if reason else None
    return f"{_short(reason)}, as for {where} above" if where else reason


def _reason(rec: Recommendation, part: str, item: str) -> str:
    reasons = rec.reasons_for(part, item)  # type: ignore[arg-type]
    return _why(reasons[0]) if reasons else ""


def _first_line(
    steps: Any,
    case: Case | None,
    as_of: date,
    formulation: Formulation | None = None,
    name: Callable[[str], str] | None = None,
) -> str:
    """``First: a safety plan ... (OUTSTANDING: not recorded as done; work began 24 Oct 2026).``
    An outstanding risk step also says the approval of ``formulation`` and the beginning of
    work that went ahead with it outstanding, with the reason given (rules.first_steps)."""
    steps = [str(p).rstrip(".") for p in steps]
    if case is None:
        return "First: " + "; ".join(_lower_first(p) for p in steps) + "."
    from .first_steps import first_step_status

    return (
        "First: "
        + "; ".join(
            f"{_lower_first(s.step)} ({s.status})"
            for s in first_step_status(case, steps, as_of, formulation, name)
        )
        + "."
    )


def _part_line(
    rec: Recommendation,
    part: str,
    item: str,
    label: str,
    overrides: dict[str, Any],
    by: str,
    suggested: Any,
    topic: Topic = "service",
    lead: str = "",
    said: dict[str, str] | None = None,
) -> SummaryLine:
    said = said if said is not None else {}
    full = _reason(rec, part, item)
    reason = _said_before(full, said)
    if full and reason == full:
        said.setdefault(_norm(full), label)  # a second service from the same rule refers back
    if part in overrides and item not in suggested:
        return SummaryLine(
            topic,
            _sentence(
                f"{lead}{label}: added by {by} because {_lower_first(overrides[part].reason)}"
            ),
            True,
            label,
        )
    return SummaryLine(topic, _item_line(label, reason, lead), label=label)


def summary_text(
    rec: Recommendation,
    formulation: Formulation | None = None,
    name: Callable[[str], str] | None = None,
    case: Case | None = None,
    as_of: date | None = None,
) -> str:
    """What ``tswt recommend CASE`` prints: the heading, eligibility and risks exactly as
    the full trace has them, then the summary and where to find every rule behind it."""
    trace = rec.to_text().splitlines()
    risks = [
        "",
        *(re.sub(r" \[[^\]]*\]$", "", line) for line in rec.risk_lines()),
    ]  # risk first, without rule ids
    summary = summarise(rec, formulation, name, case, as_of)
    notes = [ln.text for ln in summary.lines if ln.topic == "note"]
    body = RecommendationSummary(
        summary.case_id, tuple(ln for ln in summary.lines if ln.topic != "note"), summary.decided
    )
    flags = [f"FLAG: {flag}." for flag in rec.eligibility.flags]
    return "\n".join(
        [
            *trace[:2],
            *flags,
            *notes,
            *risks,
            "",
            body.to_text(),
            "",
            f"{summary.decided}. Every rule behind this: tswt recommend {rec.case_id} --explain",
        ]
    )
