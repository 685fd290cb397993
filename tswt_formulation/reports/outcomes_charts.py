"""The outcomes report's charts: SDQ total difficulties, every informant on one figure
(bands, clinical cut-off, reliable-change corridor, where work began), the work on the
same dates beneath it, goal progress, and the charts in words. A mixin of
:class:`~.outcomes.OutcomesReport`: it reads ``self.case``, ``self.as_of`` and
``self.result``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..measures.definition import load_measure
from ..measures.outcomes import CaseOutcomes
from ..model.case import Case
from ..words import uk_date
from .expected import chart_band as expected_chart_band
from .html import Section, figure, section
from .outcomes_words import _INFORMANTS, _SCORE_LABELS


class OutcomesCharts:
    """The outcomes report's charts, mixed into :class:`~.outcomes.OutcomesReport`."""

    case: Case
    as_of: date
    result: CaseOutcomes

    def charts(self) -> Section:
        """SDQ total difficulties, every informant on one figure (bands, cut-off, corridor,
        where work began), then goal progress with a legend for every line."""
        from ..measures.outcomes import chart_bands
        from ..plots.goals import plot_goals
        from ..plots.outcomes import plot_informants

        traj = self.result.trajectory
        if traj is None or traj.empty:
            return section(
                "Trajectories", '<p class="none">No measures to chart yet.</p>', "charts"
            )
        figs = []
        sdq = traj[(traj["measure"] == "sdq") & (traj["score"] == "total")]
        started = (
            self.case.outcome.date
            if self.case.outcome and self.case.outcome.decision == "begin_work"
            else None
        )
        if not sdq.empty:
            informants = sorted(sdq.loc[sdq["value"].notna(), "informant"].unique())
            shading = {
                i: chart_bands(sdq[sdq["informant"] == i], "sdq", "total", i) for i in informants
            }  # from each point's form
            bands = {i: shading[i][0] for i in informants}
            cutoffs = {
                i: self._cutoff(sdq[sdq["informant"] == i], "sdq", "total", i) if bands[i] else None
                for i in informants
            }
            labels = {
                i: _INFORMANTS.get(i, i)
                + (f": clinical above {cutoffs[i]:g}" if cutoffs[i] is not None else "")
                for i in informants
            }
            fig = plot_informants(
                sdq,
                "total",
                bands=bands,
                cutoffs=cutoffs,
                work_started=started,
                labels=labels,
                title="SDQ total difficulties, by informant",
            )
            thresholds = sorted({f"{t:.1f}" for t in sdq["threshold"].dropna()})
            corridor = (
                f"the hatched corridor is each informant's baseline +/- {' or '.join(thresholds)} points: inside it, "
                "no reliable change"
                if thresholds
                else "no reliable-change constants, so no corridor"
            )
            no_base = [
                _INFORMANTS.get(i, i).lower()
                for i in informants
                if not sdq.loc[sdq["informant"] == i, "baseline_value"].notna().any()
            ]
            extra = (
                f"; no baseline from the {', '.join(no_base)}, so no corridor there"
                if no_base
                else ""
            )
            mark = (
                f"; the dash-dot line is where work began ({uk_date(started)})" if started else ""
            )
            mark += expected_chart_band(fig, self.case, self.as_of, informants)
            cut = (
                "; the heavy dashed line is the clinical cut-off"
                if any(v is not None for v in cutoffs.values())
                else ""
            )
            shaded = "; ".join(
                f"{_INFORMANTS.get(i, i).lower()}: {shading[i][1]}" for i in informants
            )
            chart = figure(
                fig,
                f"SDQ total difficulties ({shaded}){cut}; {corridor}{extra}{mark}. Higher is worse.",
            )
            work = self._work_figure(fig, sdq)
            # the work strip reads against the chart's dates: printed on the same page
            figs.append(f'<div class="figures-together">{chart}{work}</div>' if work else chart)
        goals = traj[traj["measure"] == "gbo"]
        if not goals.empty and goals.groupby("score")["value"].count().max() >= 2:
            g = goals.rename(columns={"score": "goal", "value": "rating"})
            descriptions = {
                f"goal_{x.number}": f"Goal {x.number}: {x.description}" for x in self.case.goals
            }
            g["goal"] = g["goal"].map(lambda k: descriptions.get(k, _SCORE_LABELS.get(k, k)))
            threshold = (
                goals["threshold"].dropna().iloc[0] if goals["threshold"].notna().any() else None
            )
            figs.append(
                figure(
                    plot_goals(
                        g,
                        goal="goal",
                        rating="rating",
                        date="date",
                        threshold=threshold,
                        title="Goal progress (0-10)",
                        work_started=started,
                    ),
                    "Goal-Based Outcomes: progress ratings at each review"
                    + (
                        "; a dotted line is where that goal's rating would show reliable improvement"
                        if threshold is not None
                        else "; no reliable-change constant, so no line for reliable improvement"
                    )
                    + (
                        f"; the dash-dot line is where work began ({uk_date(started)})"
                        if started
                        else ""
                    )
                    + ". Higher is better.",
                )
            )
        return section(
            "Trajectories", "".join(figs) or '<p class="none">Nothing to chart yet.</p>', "charts"
        )

    def charts_in_words(self) -> Section:
        """The charts' values and trends as text, under them (reports/charts_text.py)."""
        from .charts_text import charts_in_words

        return charts_in_words(self.result.trajectory, self.case)

    def _work_figure(self, chart: Any, sdq: pd.DataFrame) -> str:
        """The work as bands under the SDQ chart, on the same dates (plots.work)."""
        from matplotlib.dates import num2date

        from ..plots.work import plot_work, work_span

        span = work_span(self.case, self.as_of)
        if span is None:
            return ""
        lo, hi = (num2date(x).date() for x in chart.axes[0].get_xlim())
        lo, hi = min(lo, span[0]), max(hi, span[1])
        for ax in chart.axes:  # the chart widened to the work's dates, so the two line up
            ax.set_xlim(pd.Timestamp(lo), pd.Timestamp(hi))
        panels = [
            (ax.get_position().x0, ax.get_position().x1)
            for ax in chart.axes
            if ax.get_label() != "<colorbar>"
        ]
        fig = plot_work(
            self.case,
            self.as_of,
            xlim=(lo, hi),
            width=float(chart.get_size_inches()[0]),
            panels=panels,
        )
        return figure(
            fig,
            "The work under each panel, on its dates: the stage reached at each review (1-4; dotted lines are reviews); "
            "each intervention from its start to its end (hatched: still running), attended sessions "
            "as ticks, missed or cancelled ones as open circles, an unplanned ending as a cross.",
        )

    def _cutoff(
        self, series: pd.DataFrame, measure: str, score: str, informant: str
    ) -> float | None:
        """The clinical cut-off of the form of the series' latest point (None where it has none)."""
        versions = (
            series.sort_values("date")["version"].dropna()
            if "version" in series.columns
            else pd.Series(dtype=object)
        )
        try:
            c = load_measure(measure).clinical_cutoff(
                score,
                informant,
                version=str(versions.iloc[-1]) if len(versions) else None,
                age=None if len(versions) else self.case.child.age_on(self.as_of),
            )
        except Exception:  # noqa: BLE001 - no form for this age or informant: no line
            return None
        return c.value if c is not None else None
