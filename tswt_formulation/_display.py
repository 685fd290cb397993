"""How a case, a recommendation and a batch of reports show themselves in Jupyter: a short
``repr`` and a small HTML table (``_repr_html_``), every piece of recorded text escaped
(staff write free text; a name such as ``<b>`` must show as written, never as markup).

Standard library only: the light commands import the model, and must not pay for pandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model.case import Case
    from .reports.batch import BatchSummary
    from .rules.recommend import Recommendation

_STYLE = "border-collapse:collapse;text-align:left"
_TH = "padding:2px 10px 2px 0;font-weight:600;vertical-align:top"
_TD = "padding:2px 10px 2px 0;vertical-align:top"


def _words(value: Any) -> str:
    return str(value).replace("_", " ")


def table(caption: str, rows: Iterable[tuple[str, Any]], synthetic: bool = False) -> str:
    """A two-column table of (label, value), every value escaped."""
    banner = ' <span style="color:#a00">SYNTHETIC</span>' if synthetic else ""
    body = "".join(
        f'<tr><th style="{_TH}">{escape(label)}</th><td style="{_TD}">{escape(str(value))}</td></tr>'
        for label, value in rows
        if value not in (None, "", ())
    )
    return f'<table style="{_STYLE}"><caption style="text-align:left;font-weight:700">{escape(caption)}{banner}</caption>{body}</table>'


def case_rows(case: Case, today: date | None = None) -> list[tuple[str, Any]]:
    today = today or date.today()
    child, referral = case.child, case.referral
    decision = referral.decision
    rows: list[tuple[str, Any]] = [
        (
            "child",
            f"{_words(child.sex)}, aged {child.age_on(today)} ({_words(child.legal_status.status)})",
        ),
        (
            "referral",
            f"received {referral.received.isoformat()}; {_words(decision.outcome)}"
            + (f" {decision.date.isoformat()}" if decision.date else ""),
        ),
        ("worker", case.worker),
        ("screening due", case.screening_due.isoformat() if case.screening_due else None),
        ("measures", f"{len(case.measures)} administration(s)" if case.measures else None),
        ("goals", "; ".join(f"{g.number}. {g.description}" for g in case.goals) or None),
        ("formulation", _words(case.formulation.status) if case.formulation else None),
        (
            "conclusion of screening",
            f"{_words(case.conclusion.decision)} {case.conclusion.date.isoformat()} by {case.conclusion.by}"
            if case.conclusion
            else None,
        ),
    ]
    return rows


def case_repr(case: Case) -> str:
    status = case.formulation.status if case.formulation else "no formulation"
    return (
        f"<Case {case.case_id}: {case.child.legal_status.status}, referral {case.referral.decision.outcome}, "
        f"worker {case.worker or 'none'}, {len(case.measures)} measure(s), {status}>"
    )


def case_html(case: Case) -> str:
    return table(f"Case {case.case_id}", case_rows(case), synthetic=case.synthetic)


def recommendation_html(rec: Recommendation) -> str:
    head = (
        f"wave {rec.wave}, stage {rec.stage}"
        if rec.recommendable
        else f"no wave or stage: {_words(rec.eligibility.verdict)}"
    )
    rows: list[tuple[str, Any]] = [
        ("as of", rec.as_of.isoformat()),
        ("recommended", head),
        ("services", ", ".join(_words(s) for s in rec.services)),
        ("models", ", ".join(_words(m) for m in rec.models)),
        ("preconditions", "; ".join(rec.preconditions)),
        ("signposting", ", ".join(_words(s) for s in rec.signposting)),
        ("risks", "; ".join(r.label for r in rec.risks)),
        ("why", "; ".join(f.reason for f in rec.fired if f.won) or None),
        ("rules", rec.rules_version),
    ]
    note = "" if rec.screened else f'<p style="color:#a00">{escape(rec.PROVISIONAL)}</p>'
    return table(f"Recommendation for {rec.case_id}", rows) + note


def batch_html(summary: BatchSummary) -> str:
    head = (
        f"{len(summary.ok)} of {len(summary.results)} report(s) written to {summary.out_dir} in "
        f"{summary.seconds:.1f} s"
    )
    cells = "".join(
        f'<tr><td style="{_TD}">{escape(r.case)}</td><td style="{_TD}">{escape(r.kind)}</td>'
        f'<td style="{_TD}">{escape(r.status)}</td><td style="{_TD}">{escape(r.cell)}</td>'
        f'<td style="{_TD}">{escape(r.error)}</td></tr>'
        for r in summary.failed
    )
    failed = (
        f'<table style="{_STYLE}"><tr><th style="{_TH}">case</th><th style="{_TH}">kind</th>'
        f'<th style="{_TH}">status</th><th style="{_TH}">cell</th><th style="{_TH}">error</th></tr>{cells}</table>'
        if summary.failed
        else ""
    )
    return f"<p>{escape(head)}; manifest {escape(str(summary.manifest))}</p>{failed}"
