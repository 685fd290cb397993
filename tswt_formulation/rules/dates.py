"""Calendar arithmetic the rules, drafts and reports share: whole calendar months
between two days, and the same day some months earlier (the end of a short month
respected)."""

from __future__ import annotations

from datetime import date

__all__ = ["months_before", "whole_months"]


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (31 Mar - 1 month -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no such month {year}-{month}")  # pragma: no cover - unreachable


def whole_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)
