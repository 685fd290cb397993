"""The outcomes report's charts told in words and numbers, right under them (WCAG 1.1.1;
issue 26): for each chart, the trend of each series in a sentence and every value drawn
in a table, bands by name. A reader who cannot see the charts (a screen reader, a
greyscale or poor print, a colour-blind reader) loses nothing.
"""

from __future__ import annotations

from typing import Any

from ..chart_text import VALUE_HEADERS, trend_sentence, value_rows
from .html import Section, section, table, text


def charts_in_words(trajectory: Any, case: Any) -> Section:
    """The SDQ total difficulties chart and the goal progress chart as text."""
    if trajectory is None or trajectory.empty:
        return section("The charts in words", '<p class="none">No charts yet.</p>', "charts-text")
    parts = []
    sdq = trajectory[(trajectory["measure"] == "sdq") & (trajectory["score"] == "total")]
    if not sdq.empty:
        trend = trend_sentence(sdq, "SDQ total difficulties", score="total")
        parts.append(
            "<h3>SDQ total difficulties</h3>"
            f"<p>{text(trend)}</p>"
            + table(VALUE_HEADERS, value_rows(sdq, "total"), css_class="chart-values")
        )
    goals = trajectory[trajectory["measure"] == "gbo"]
    if not goals.empty and goals.groupby("score")["value"].count().max() >= 2:
        names = {f"goal_{g.number}": f"Goal {g.number}" for g in getattr(case, "goals", [])}
        rows = []
        sentences = []
        for score, series in goals.groupby("score", sort=True):
            name = names.get(str(score), str(score).replace("_", " ").capitalize())
            sentences.append(trend_sentence(series, name, higher_is="better"))
            rows += [(name, *row) for row in value_rows(series)]
        parts.append(
            "<h3>Goal progress (0-10)</h3>"
            + "".join(f"<p>{text(s)}</p>" for s in sentences)
            + table(
                ["Goal", *VALUE_HEADERS[:3], "Rating", *VALUE_HEADERS[5:]],
                [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in rows],
                css_class="chart-values",
            )
        )
    if not parts:
        return section(
            "The charts in words", '<p class="none">Nothing charted yet.</p>', "charts-text"
        )
    return section("The charts in words", "".join(parts), "charts-text")
