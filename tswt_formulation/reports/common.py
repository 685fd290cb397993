"""What every report shares: loading a case read-only, the header with its protective
marking, and the provenance block (package, rules and measure definition versions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .._version import __version__
from ..errors import ReportError
from ..model.vocabulary import vocabulary
from ..words import plural, uk_date
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
    opened = open_store(
        None if store in (None, "") else str(store), migrate=False
    )  # a report reads; only `tswt init` migrates
    try:
        yield opened
    finally:
        opened.close()


def required_case_id(case_id: Any) -> str:
    """A report notebook's ``case_id`` parameter, which has no default: a report about
    another child (a misspelt ``-p case ...`` left it unset) must never be produced."""
    if case_id is None or (isinstance(case_id, str) and not case_id.strip()):
        raise ReportError(
            "no case id: set the report notebook's case_id parameter (papermill -p case_id TSW-...)"
        )
    if not isinstance(case_id, str):
        raise ReportError(
            f"the case_id parameter must be a case id such as TSW-900001, not {type(case_id).__name__}"
        )
    return case_id


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
        return {
            "kind": self.kind,
            "title": self.title,
            "case_id": self.case_id,
            "report_date": self.report_date.isoformat(),
            "author": self.author,
            "reviewer": self.reviewer,
            "synthetic": self.synthetic,
            "marking": MARKING,
            "running": self.running(),
        }

    def running(self) -> str:
        """The markings repeated at the top of every printed page besides the protective marking."""
        return " | ".join(
            m
            for m in (
                "SYNTHETIC DEMO DATA" if self.synthetic else "",
                "DRAFT: NOT SIGNED OFF" if self.draft else "",
            )
            if m
        )

    def section(self) -> Section:
        if (
            self.kind == "review"
        ):  # a working document for supervision: who prepared it, not a sign-off
            rows = [
                ("Caseload", self.case_id or "the whole team"),
                ("Review date", uk_date(self.report_date)),
                ("Prepared by", self.author or "-"),
            ]
        else:
            rows = [
                ("Case", self.case_id or "Whole caseload"),
                ("Report date", uk_date(self.report_date)),
                ("Author", self.author or "-"),
                ("Reviewer", self.reviewer or "not yet reviewed"),
            ]
        cells = "".join(
            f'<div><span class="k">{text(k)}</span> <span class="v">{text(v)}</span></div>'
            for k, v in rows
        )
        banners = f'<p class="marking">{MARKING}</p>'
        if self.synthetic:
            banners += '<p class="synthetic">SYNTHETIC DEMO DATA: every person in this report is invented.</p>'
        if self.status_note:
            banners += f'<p class="status-note">{text(self.status_note)}</p>'
        html_body = f'<header class="report-header" data-kind="{attr(self.kind)}">{banners}<h1>{text(self.title)}</h1><div class="facts">{cells}</div></header>'
        plain = f"{MARKING} | {self.title} | {self.case_id or 'caseload'} | {self.report_date.isoformat()}"
        return Section(html_body, plain, meta=self.meta())


def provenance(
    rules_version: str | None = None,
    measures: dict[str, str] | None = None,
    constants: str | None = None,
) -> Section:
    parts = [("tswt-formulation", __version__), ("Vocabularies", vocabulary().version)]
    if rules_version:
        parts.append(("Recommendation rules", rules_version))
    for mid, ver in sorted((measures or {}).items()):
        parts.append((f"Measure definition {mid}", ver))
    if constants:
        parts.append(("Reliable-change constants", constants))
    body = "".join(f"<li>{text(k)}: {text(v)}</li>" for k, v in parts)
    made = datetime.now(UTC)
    return Section(
        f'<section class="section provenance"><h2>How this report was made</h2><ul>{body}</ul>'
        f"<p>Made {text(uk_date(made))} {made:%H:%M} UTC. The same versions, "
        "store and as-of date reproduce it.</p></section>",
        "provenance",
    )


def risk_section(recommendation: Any, title: str = "Risk") -> Section:
    """Risk first, never buried and never reassured by absence (a boxed section).

    A case whose screening is not complete says *Risk not yet assessed* and what would
    assess it; each recorded risk is dated, with its level, safety plan and review date,
    and marked OUT OF DATE when its review has passed; then the risk behaviours the
    rules flagged from the screening."""
    from .html import table

    status = getattr(recommendation, "risk", None)
    behaviours = list(getattr(recommendation, "risks", ()) or ())
    parts: list[str] = []
    plain: list[str] = []
    if status is not None and not status.assessed:
        why = status.summary.split(": ", 1)[1]
        parts.append(
            f'<p class="not-assessed"><strong>Risk not yet assessed.</strong> {text(why[:1].upper() + why[1:])}</p>'
        )
        plain.append("Risk not yet assessed")
    recorded = list(status.risks) if status is not None else []
    if recorded:
        rows: list[tuple[str, ...]] = [
            (
                r.label,
                r.level.capitalize(),
                r.plan[:1].upper() + r.plan[1:],
                r.dated[:1].upper() + r.dated[1:],
                ", ".join(label("source", s) for s in r.reported_by),
                r.evidence,
            )
            for r in recorded
        ]
        parts.append(
            table(
                ["Risk", "Level", "Safety plan", "Recorded and review", "Reported by", "Evidence"],
                rows,
                "risk-table",
            )
        )
        plain.append(
            plural(len(recorded), "recorded risk")
            + (f", {len(status.out_of_date)} OUT OF DATE" if status and status.out_of_date else "")
        )
    if behaviours:
        rows = [
            (
                r.label,
                f"{r.severity}, {label('frequency', r.frequency).lower()}",
                ", ".join(label("source", s) for s in r.sources),
                r.evidence,
            )
            for r in behaviours
        ]
        parts.append(
            "<h3>Risk behaviours seen at screening</h3>"
            + table(
                ["Behaviour", "Severity and frequency", "Reported by", "Evidence"],
                rows,
                "risk-table",
            )
        )
        plain.append(plural(len(behaviours), "risk behaviour"))
    if not parts:
        done = (
            status.summary
            if status is not None
            else "No risk behaviour is recorded in the screening."
        )
        return Section(
            f'<section class="section risks clear"><h2>{text(title)}</h2><p>{text(done)}</p></section>',
            done,
        )
    return Section(
        f'<section class="section risks"><h2>{text(title)}: read first</h2>{"".join(parts)}</section>',
        "; ".join(plain),
    )
