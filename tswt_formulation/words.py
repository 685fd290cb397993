"""Numbers in English, for reports and messages: "1 child", "3 children", "overdue by
1 day", "+1 point". One place, so every report reads the same."""

from __future__ import annotations

from datetime import date, datetime

#: Change categories (clinicalsignificance's names, kept in the data) as a child's file words them.
CATEGORY_WORDS = {
    "Recovered": "Recovered",
    "Improved": "Reliable improvement",
    "Unchanged": "No reliable change",
    "Deteriorated": "Reliable deterioration",
    "Harmed": "Reliable deterioration into the clinical range",
}

#: Who completed a measure, one row an informant and one column a way the team words them:
#: in prose ("the parent or carer's SDQ"), short (a flag line's "SDQ parent/carer total"),
#: as a sentence's subject ("by the young person"), as a label ("Parent/carer") and as a
#: kind of report ("teacher report"). Every module that names an informant reads it here.
_INFORMANTS = (
    # id, prose, short, subject, label, report
    (
        "parent",
        "parent or carer",
        "parent/carer",
        "the parent or carer",
        "Parent/carer",
        "parent/carer",
    ),
    ("teacher", "teacher", "teacher", "the teacher", "Teacher", "teacher report"),
    ("self", "self-report", "self", "the young person", "Self-report", "self-report"),
    ("worker", "worker", "worker", "the worker", None, None),
)
INFORMANT_WORDS = {row[0]: row[1] for row in _INFORMANTS}

#: The SDQ's scales as a reader reads them (the outcomes report, informants side by side).
SCALE_WORDS = {
    "total": "Total difficulties",
    "emotional": "Emotional",
    "conduct": "Conduct",
    "hyperactivity": "Hyperactivity",
    "peer": "Peer problems",
    "prosocial": "Prosocial",
}
INFORMANT_SHORT = {row[0]: row[2] for row in _INFORMANTS}
INFORMANT_SUBJECT = {row[0]: row[3] for row in _INFORMANTS}
#: Labels of the three informants of an SDQ (not the worker, who completes no SDQ).
INFORMANT_LABELS = {row[0]: row[4] for row in _INFORMANTS if row[4] is not None}
INFORMANT_REPORTS = {row[0]: row[5] for row in _INFORMANTS if row[5] is not None}

_IRREGULAR = {"child": "children", "person": "people", "is": "are", "was": "were", "has": "have"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "child")`` -> ``1 child``; ``plural(2, "child")`` -> ``2 children``.

    >>> plural(1, "day"), plural(0, "case"), plural(3, "child"), plural(2, "sign-off waiting", "sign-offs waiting")
    ('1 day', '0 cases', '3 children', '2 sign-offs waiting')
    """
    return f"{n} {word_for(n, word, many)}"


def join_words(items: list[str] | tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def word_for(n: int, word: str, many: str | None = None) -> str:
    """The word alone, singular for exactly one: ``word_for(2, "child")`` -> ``children``."""
    if n == 1:
        return word
    return (
        many
        or _IRREGULAR.get(word)
        or (word + "es" if word.endswith(("s", "sh", "ch", "x")) else word + "s")
    )


def signed(value: float, unit: str = "point", decimals: int = 0) -> str:
    """A change with its sign and unit: ``+1 point``, ``-3 points``, ``0 points``.

    >>> signed(1), signed(-3), signed(0), signed(2.5, decimals=1)
    ('+1 point', '-3 points', '0 points', '+2.5 points')
    """
    shown = f"{value:+.{decimals}f}" if round(value, decimals) != 0 else f"{0:.{decimals}f}"
    number = float(shown)
    return f"{shown} {unit if abs(number) == 1 else word_for(2, unit)}"


def days_text(days: int, when: str = "overdue by") -> str:
    """``overdue by 1 day``, ``due in 3 days``, ``due today`` (``when`` leads)."""
    return "due today" if days == 0 else f"{when} {plural(abs(days), 'day')}"


def band_words(category: str, score: str = "") -> str:
    """A band id as a report words it: ``very_high_or_low`` -> ``very high`` (``very low``
    for prosocial, where low is the worse end); ``close_to_average`` -> ``close to average``.

    >>> band_words("very_high_or_low", "total"), band_words("slightly_raised_or_lowered", "prosocial")
    ('very high', 'slightly lowered')
    """
    if "_or_" not in category:
        return category.replace("_", " ")
    high, low = category.split("_or_", 1)
    words = high.split("_")
    if score == "prosocial":
        words[-1] = low
    return " ".join(words)


def lower_first(text: str) -> str:
    """A label as it reads inside a sentence: ``Self-harm`` -> ``self-harm``; an
    abbreviation keeps its capitals (``DDP``, ``CAMHS``).

    >>> lower_first("Self-harm"), lower_first("DDP with the carer"), lower_first("A safety plan"), lower_first("")
    ('self-harm', 'DDP with the carer', 'a safety plan', '')
    """
    return (
        text
        if len(text) > 1 and text[0].isupper() and text[1].isupper()
        else text[:1].lower() + text[1:]
    )


def young_person(age: int) -> str:
    """How a report names them: "child" under 16, "young person" from 16 (DOMAIN.md: a
    young person of 16 or 17 consents for themself; "the child" reads wrongly of them).

    >>> young_person(15), young_person(16)
    ('child', 'young person')
    """
    return "young person" if age >= 16 else "child"


def uk_date(day: date | datetime | None, empty: str = "-") -> str:
    """A date as a UK reader reads it: ``7 Dec 2026`` (no leading zero; a datetime gives
    its day). The one helper for every date a person reads in a report or on screen;
    files for machines (CSV, JSON, SSDA903) keep their own formats.

    >>> uk_date(date(2026, 12, 7))
    '7 Dec 2026'
    >>> uk_date(None)
    '-'
    """
    if day is None:
        return empty
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
