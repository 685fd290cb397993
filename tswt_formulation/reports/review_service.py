"""The caseload review's sections on the whole service: change across the service
(baseline against latest, paired and unpaired, by wave, informant and service, with the
change-category charts), the work across the service and the service's Added Value
Score. Counts under 5 are shown as counts, never as percentages. A mixin of
:class:`~.review.CaseloadReview` (and so of :class:`~.review_summary.SummarisedReview`):
it reads ``self.change``, ``self.cases``, ``self.staff`` and ``self.as_of``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..measures.service import service_summary
from ..model.case import Case
from ..store.staff import StaffDirectory
from .common import label
from .html import Section, figure, section, table, text


class ServiceSections:
    """The review's service-level sections, mixed into :class:`~.review.CaseloadReview`."""

    as_of: date
    cases: list[Case]
    change: pd.DataFrame  # baseline vs latest, headline SDQ total per informant, with wave
    staff: StaffDirectory

    def service_figures(self) -> Section:
        from ..plots.change_categories import plot_change_categories

        if self.change.empty:
            return section(
                "Change across the service",
                '<p class="none">No children with a baseline yet.</p>',
                "service",
            )
        ch = self.change.copy()
        ch["wave"] = _map_values(
            ch["wave"], lambda w: f"Wave {int(w)}" if pd.notna(w) else "No wave"
        )
        parts = [
            "<p>SDQ total difficulties, baseline against latest, per child and informant. Shares are of the <strong>paired</strong> "
            "cases (a baseline and a later score); unpaired cases are counted beside them because leaving them out biases the figures. "
            "Recovery is counted over the paired cases in the clinical range at baseline (Jacobson and Truax), shown as "
            '"n of N clinical at baseline"; forms without a clinical cut-off (the 18+ forms, teacher 2-4) and changes to a form '
            "with another cut-off count for reliable change only. In the charts each bar is the share of all paired cases, and "
            "reliable improvement is split in two: recovered, and reliable improvement not into the normal range; together they "
            f"are the table's reliable improvement. Percentages are shown only when both the count and the number it is a share "
            f"of are {SMALL_COUNT} or more; a smaller count is shown without one, so that a child cannot be recognised and a "
            "share of very few is not over-read.</p>"
        ]
        for by, title in (("wave", "By wave"), ("informant", "By informant")):
            s = service_summary(ch, by=by)
            parts.append(f"<h3>{text(title)}</h3>" + _summary_table(s, by))
            # The whole table goes to the chart, so its paired and unpaired counts are the table's.
            parts.append(
                figure(
                    plot_change_categories(ch, by=by, title=f"Change categories {title.lower()}"),
                    f"Change categories {title.lower()}: shares of the paired cases; each bar names its paired and unpaired counts, as the table does.",
                )
            )
        svc = ch.explode("services").rename(columns={"services": "service"})
        svc["service"] = _map_values(
            svc["service"], lambda s: label("service", s) if isinstance(s, str) else "None"
        )
        parts.append(
            "<h3>By service</h3>" + _summary_table(service_summary(svc, by="service"), "service")
        )
        return section("Change across the service", "".join(parts), "service")

    def _work_tables(self) -> Any:
        """The work of every case (``measures.work_summary.work_tables``), for :meth:`work_summary`."""
        from ..measures.work_summary import work_tables
        from ..model import case_to_data

        return work_tables(case_to_data(c) for c in self.cases)

    def work_summary(self) -> Section:
        """The work across the service (measures.work_summary): attendance, unplanned
        endings, time to the first session, outcomes by intervention, model, wave, stage
        progression and worker; groups of fewer than 5 suppressed; not causal."""
        from ..measures.work_summary import NOT_CAUSAL, SMALL_COUNT, work_summary

        tables = self._work_tables()
        if tables.interventions.empty:
            return section(
                "The work across the service",
                '<p class="none">No work recorded yet.</p>',
                "work-summary",
            )
        parts = [
            f'<p class="status-note">{text(NOT_CAUSAL)}</p>',
            f'<p>A group of fewer than {SMALL_COUNT} children, sessions or endings is shown as "fewer than '
            f"{SMALL_COUNT}\" with none of its figures. Shares are of the group's own total.</p>",
        ]
        summary = work_summary(tables, self.change if not self.change.empty else None, self.as_of)
        titles = {
            "attendance": "Attendance, by intervention (shares of sessions offered)",
            "endings": "Endings, by intervention (unplanned: every reason but a planned ending)",
            "first_session": "Days from referral to the first attended session",
            "by_intervention": "SDQ total difficulties, baseline to latest, by each child's first intervention",
            "by_model": "... by direct-work model",
            "by_wave": "... by wave (as last reviewed, else as recommended)",
            "by_stage_progression": "... by stage progression (first review to latest)",
            "by_worker": "... by allocated worker",
        }
        from ..model.vocabulary import vocabulary

        vocab = vocabulary()

        def name(column: str, value: Any) -> Any:  # the team's words, not ids
            if column == "worker" and isinstance(value, str) and value != "all workers":
                return self.staff.name(value)
            if column in ("intervention", "model") and isinstance(value, str):
                for v in ("service", "direct_work_model", "wave_intervention"):
                    if value in vocab[v]:
                        return vocab[v].label(value)
            return value

        for key, df in summary.items():
            df = df.assign(**{df.columns[0]: [name(df.columns[0], v) for v in df[df.columns[0]]]})
            heads = [c.replace("share_", "% ").replace("_", " ") for c in df.columns]
            rows = [
                [_cell(col, v) for col, v in zip(df.columns, row)]
                for row in df.itertuples(index=False)
            ]
            parts.append(f"<h3>{text(titles.get(key, key))}</h3>" + table(heads, rows))
        return section("The work across the service", "".join(parts), "work-summary")

    def added_value(self) -> Section:
        """The service's mean SDQ Added Value Score with its 95% interval (issue 23)."""
        from .added_value import service_added_value_from_cases

        return service_added_value_from_cases(self.cases, self.as_of)


SMALL_COUNT = 5  # counts under this are shown as counts, never as percentages


def _map_values(values: pd.Series, fn: Any) -> pd.Series:
    """``values.map(fn)`` with ``fn`` called once a distinct value (a dozen waves or
    services) rather than once a row (some 200,000 at 100,000 cases). Every missing value
    is one distinct value here: ``fn`` must treat ``None`` and ``NaN`` alike."""
    import numpy as np

    if values.empty or isinstance(values.dtype, pd.CategoricalDtype):
        return values.map(fn)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(u) for u in uniques]
    return pd.Series(mapped[codes], index=values.index, name=values.name)


def _cell(column: str, value: Any) -> str:
    """A summary cell: shares as whole percentages, a suppressed or missing figure blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if column.startswith("share_"):
        return f"{100 * float(value):.0f}%"
    if isinstance(value, str):
        return value.replace("_", " ")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _count(n: Any, share: Any, base: Any) -> str:
    """``12 (40%)``; just ``3`` when the count or the number it is a share of is under 5."""
    if n is None or (not isinstance(n, str) and pd.isna(n)):
        return ""
    n = int(n)
    if share is None or pd.isna(share) or n < SMALL_COUNT or int(base or 0) < SMALL_COUNT:
        return str(n)
    return f"{n} ({100 * float(share):.0f}%)"


def _recovered(r: dict[str, Any]) -> str:
    """Recovery over those clinical at baseline, with its denominator: "6 of 16 clinical at
    baseline (38%)"; no percentage when either count is under 5."""
    if "n_clinical_pre" not in r or pd.isna(r.get("n_clinical_pre")):
        return "not computed"
    clinical = int(r["n_clinical_pre"])
    shown = _count(r["n_recovered"], r.get("share_recovered"), clinical)
    count, _, share = shown.partition(" ")
    return f"{count} of {clinical} clinical at baseline" + (f" {share}" if share else "")


def _summary_table(s: pd.DataFrame, by: str) -> str:
    rows = []
    for r in s.to_dict("records"):
        base = r["n_paired"]
        rows.append(
            (
                r[by],
                base,
                r["n_unpaired"],
                _count(r["n_reliable_improvement"], r["share_reliable_improvement"], base),
                _count(r["n_reliable_deterioration"], r["share_reliable_deterioration"], base),
                _recovered(r),
            )
        )
    return table(
        [
            by.capitalize(),
            "Paired",
            "Unpaired",
            "Reliable improvement",
            "Reliable deterioration",
            "Recovered",
        ],
        rows,
    )
