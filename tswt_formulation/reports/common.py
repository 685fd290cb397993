"""What every report shares: loading a case read-only, the header with its protective
marking, and the provenance block (package, rules and measure definition versions)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterator

from .._version import __version__
from ..model.vocabulary import vocabulary
from .html import Section, attr, text

MARKING = "OFFICIAL-SENSITIVE"


def label(vocab: str, term: str) -> str:
    return vocabulary().label(vocab, term)


@contextmanager
def reading(store: Any) -> Iterator[Any]:
    """A store to read from: an open ``CaseStore`` as is, else open the path or URL given
    (None: ``$TSWT_STORE``, else ./tswt.sqlite) and close it afterwards."""
    from ..store import CaseStore, open_store

    if isinstance(store, CaseStore):
        yield store
        return
    opened = open_store(None if store in (None, "") else str(store))
    try:
        yield opened
    finally:
        opened.close()


def parse_as_of(as_of: Any) -> date:
    """A report parameter as a date: None (today), a date, or 'YYYY-MM-DD'."""
    if as_of is None or as_of == "":
        return date.today()
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    return date.fromisoformat(str(as_of))


@dataclass(frozen=True)
class Header:
    kind: str
    title: str
    case_id: str | None
    report_date: date
    author: str
    reviewer: str
    synthetic: bool
    status_note: str = ""
    draft: bool = False  # not signed off: DRAFT on every page

    def meta(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "case_id": self.case_id, "report_date": self.report_date.isoformat(),
                "author": self.author, "reviewer": self.reviewer, "synthetic": self.synthetic, "marking": MARKING,
                "running": self.running()}

    def running(self) -> str:
        """The markings repeated at the top of every printed page besides the protective marking."""
        return " | ".join(m for m in ("SYNTHETIC DEMO DATA" if self.synthetic else "", "DRAFT: NOT SIGNED OFF" if self.draft else "") if m)

    def section(self) -> Section:
        rows = [("Case", self.case_id or "Whole caseload"), ("Report date", self.report_date.isoformat()),
                ("Author", self.author or "-"), ("Reviewer", self.reviewer or "not yet reviewed")]
        cells = "".join(f"<div><span class=\"k\">{text(k)}</span> <span class=\"v\">{text(v)}</span></div>" for k, v in rows)
        banners = f'<p class="marking">{MARKING}</p>'
        if self.synthetic:
            banners += '<p class="synthetic">SYNTHETIC DEMO DATA: every person in this report is invented.</p>'
        if self.status_note:
            banners += f'<p class="status-note">{text(self.status_note)}</p>'
        html_body = f'<header class="report-header" data-kind="{attr(self.kind)}">{banners}<h1>{text(self.title)}</h1><div class="facts">{cells}</div></header>'
        plain = f"{MARKING} | {self.title} | {self.case_id or 'caseload'} | {self.report_date.isoformat()}"
        return Section(html_body, plain, meta=self.meta())


def provenance(rules_version: str | None = None, measures: dict[str, str] | None = None, constants: str | None = None) -> Section:
    parts = [("tswt-formulation", __version__), ("Vocabularies", vocabulary().version)]
    if rules_version:
        parts.append(("Recommendation rules", rules_version))
    for mid, ver in sorted((measures or {}).items()):
        parts.append((f"Measure definition {mid}", ver))
    if constants:
        parts.append(("Reliable-change constants", constants))
    body = "".join(f"<li>{text(k)}: {text(v)}</li>" for k, v in parts)
    return Section(f'<section class="section provenance"><h2>How this report was made</h2><ul>{body}</ul>'
                   f"<p>Made {text(datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M'))} UTC. The same versions, "
                   "store and as-of date reproduce it.</p></section>", "provenance")


def risk_section(risks: Any, title: str = "Risk") -> Section:
    """Risk behaviours first, with their evidence, never buried (a boxed section)."""
    from .html import table

    risks = list(risks)
    if not risks:
        return Section('<section class="section risks clear"><h2>Risk</h2><p>No risk behaviour (self-harm, harmful sexual '
                       'behaviour, severe aggression) is recorded in the screening.</p></section>', "No risk flags")
    rows = [(r.label, f"{r.severity}, {label('frequency', r.frequency).lower()}", ", ".join(label("source", s) for s in r.sources), r.evidence)
            for r in risks]
    body = table(["Risk", "Severity and frequency", "Reported by", "Evidence"], rows, "risk-table")
    return Section(f'<section class="section risks"><h2>{text(title)}: read first</h2>{body}</section>', f"{len(risks)} risk flag(s)")
