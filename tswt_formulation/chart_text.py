"""The text equivalent of a trajectory chart (WCAG 1.1.1; issue 26): the values drawn, as
rows for a table, and one sentence on the trend, for anyone who cannot see the chart
(a screen reader, greyscale print, a colour-blind reader). Used by the workbench's
measures view and the outcomes report; the chart itself is never the only place a value
or a band is given.

Takes the long trajectory frame (measures.service.trajectory: ``informant``,
``timepoint``, ``date``, ``value``, ``band``, ``difference``, ``reliable_change``) and
imports nothing heavy itself.
"""

from __future__ import annotations

from typing import Any

from .words import INFORMANT_WORDS, band_words, uk_date

# measures.change's categories ("improved", "deteriorated", "none") as the reports say them
CHANGE_WORDS = {
    "improved": "reliable improvement",
    "deteriorated": "reliable deterioration",
    "none": "no reliable change",
}
VALUE_HEADERS = ["Date", "Timepoint", "Informant", "Score", "Band", "Change from baseline"]


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return bool(value == value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return True


def _number(value: Any) -> str:
    number = float(value)
    return f"{number:g}" if number != int(number) else str(int(number))


def _day(value: Any) -> str:
    return uk_date(value.date() if hasattr(value, "date") else value)


def value_rows(points: Any, score: str = "") -> list[tuple[str, str, str, str, str, str]]:
    """One row per point drawn, in date order: date, timepoint, informant, the score,
    its band in words ("" when the form has none), the change from baseline in points
    with its category ("-6 points: reliable improvement"; "baseline" on the first)."""
    rows = []
    for r in points.sort_values(["date", "informant"]).to_dict("records"):
        if not _present(r.get("value")):
            continue
        band = band_words(str(r["band"]), score) if _present(r.get("band")) else ""
        if r.get("timepoint") == "baseline" or not _present(r.get("difference")):
            change = "baseline" if r.get("timepoint") == "baseline" else ""
        else:
            diff = float(r["difference"])
            change = (
                f"{'+' if diff > 0 else ''}{_number(diff)} point{'' if abs(diff) == 1 else 's'}"
            )
            category = r.get("reliable_change")
            if _present(category) and category:
                change += f": {CHANGE_WORDS.get(str(category), str(category).replace('_', ' '))}"
        rows.append(
            (
                _day(r["date"]),
                str(r.get("timepoint", "")),
                INFORMANT_WORDS.get(str(r.get("informant")), str(r.get("informant"))),
                _number(r["value"]),
                band,
                change,
            )
        )
    return rows


def trend_sentence(points: Any, what: str, higher_is: str = "worse", score: str = "") -> str:
    """The trend of each informant's series in one sentence: "SDQ total difficulties,
    parent or carer: 20 (abnormal) on 10 Jan 2026 to 14 (borderline) on 1 Jun 2026, 6
    points lower (higher is worse)." A single point is said as it is."""
    parts = []
    for informant, series in points.sort_values("date").groupby("informant", sort=True):
        series = series[[_present(v) for v in series["value"]]]
        if series.empty:
            continue
        first, last = series.iloc[0], series.iloc[-1]

        def said(r: Any) -> str:
            band = f" ({band_words(str(r['band']), score)})" if _present(r.get("band")) else ""
            return f"{_number(r['value'])}{band} on {_day(r['date'])}"

        who = INFORMANT_WORDS.get(str(informant), str(informant))
        if len(series) == 1:
            parts.append(f"{who}: one score so far, {said(first)}")
            continue
        diff = float(last["value"]) - float(first["value"])
        moved = (
            "no change"
            if diff == 0
            else f"{_number(abs(diff))} point{'' if abs(diff) == 1 else 's'} "
            f"{'higher' if diff > 0 else 'lower'}"
        )
        parts.append(f"{who}: {said(first)} to {said(last)}, {moved} over {len(series)} scores")
    if not parts:
        return f"{what}: nothing recorded yet."
    return f"{what}, {'; '.join(parts)} (higher is {higher_is})."
