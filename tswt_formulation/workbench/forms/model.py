"""A form as plain data: the record fields it shows, by dotted path, each with its kind;
turning a record into the values the form shows and the values back into record data;
and carrying a validation problem's location to the field that shows it.

Field values are plain Python, by kind:

========== ============================================ =============================
kind       a field value                                in the record
========== ============================================ =============================
``text``   a string (``""`` when empty)                 the string
``date``   a :class:`datetime.date` or None             ISO text, or left out
``choice`` the chosen term, or None for "none chosen"   the term, or left out
``choices`` a list of terms                             a list
``flag``   a bool                                       a bool
``number`` an int                                       an int
========== ============================================ =============================

Nothing here imports ipywidgets: the views bind widgets to these values
(:mod:`tswt_formulation.workbench._forms`), and the tests drive a form without them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...errors import Problem, ValidationFailed
from ...model import Case
from .records import base_record, form_to_case, get_path, merge, set_path, unset

KINDS = ("text", "date", "choice", "choices", "flag", "number")

#: A form's field values, by the path of the record field each shows.
Values = dict[str, Any]


def from_record(kind: str, value: Any) -> Any:
    """A record value as a field of ``kind`` shows it."""
    if kind == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "choices":
        return list(value or ())
    if kind == "flag":
        return bool(value)
    if kind == "text":
        return "" if value is None else str(value)
    if kind == "number":
        return int(value or 0)
    return value


def to_record(value: Any) -> Any:
    """A field value as the record holds it (None: the field is left out)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return list(value)
    return value


@dataclass
class FormModel:
    """The fields of a form by record path, and how the form's values become record data.

    ``groups``: an optional part of the record -> the field that says it is there (no
    placement type chosen: no placement). ``lists``: list paths the form owns wholly
    (replaced whole, empty when no row is filled). ``aliases``: where a record location
    is shown in the form (list rows kept by term, not index), set as the record is built.
    """

    fields: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    lists: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)

    def declare(self, path: str, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"{path}: no field kind {kind!r} (one of {', '.join(KINDS)})")
        known = self.fields.setdefault(path, kind)
        if known != kind:
            raise ValueError(f"{path}: declared as {known}, bound as {kind}")
        return path

    # -- record -> values --------------------------------------------------------------

    def values_of(self, record: Mapping[str, Any]) -> Values:
        """What the form shows of record data (a field absent from it shows empty)."""
        return {
            path: from_record(kind, get_path(record, path)) for path, kind in self.fields.items()
        }

    def values_of_case(self, case: Case | None) -> Values:
        return self.values_of(base_record(case))

    # -- values -> record --------------------------------------------------------------

    def record(
        self, values: Mapping[str, Any], paths: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """The form's values as nested record data (empty dates and choices are left out,
        so the library says the field is missing rather than malformed)."""
        out: dict[str, Any] = {}
        absent = self._absent_groups(values)

        def within(path: str) -> bool:
            return any(path == g or path.startswith(g + ".") for g in absent)

        lists = [p for p in self.lists if not within(p)]
        for path in lists:
            set_path(out, path, [])
        for path in paths if paths is not None else self.fields:
            value = to_record(values.get(path))
            if value is None or within(path):
                continue
            set_path(out, path, value)
        for path in lists:  # rows left out leave holes: close them
            set_path(out, path, [v for v in get_path(out, path) if v is not None])
        return out

    def _absent_groups(self, values: Mapping[str, Any]) -> list[str]:
        return [g for g, key in self.groups.items() if to_record(values.get(key)) in (None, "")]

    def cleared(self, values: Mapping[str, Any]) -> list[str]:
        """Record paths the form shows empty (a date cleared, "none" chosen): laid over the
        case as loaded, these are removed, so what the form shows is what is saved. Lists
        the form owns are replaced whole by :meth:`record` and are not listed."""

        def owned(path: str) -> bool:
            return any(
                path == p or path.startswith(p + ".") or path.startswith(p + "[")
                for p in self.lists
            )

        out = self._absent_groups(values)
        out += [p for p in values if p in self.fields and to_record(values[p]) is None]
        return [p for p in dict.fromkeys(out) if not owned(p)]

    def over(self, case: Case | None, changes: dict[str, Any], cleared: Iterable[str] = ()) -> Case:
        """``changes`` laid over the case as loaded (``cleared`` paths removed), validated
        as a whole case. Raises :class:`ValidationFailed` with every problem."""
        record = merge(base_record(case), changes)
        for path in cleared:
            unset(record, path)
        return form_to_case(record, case)

    def apply(self, case: Case | None, values: Mapping[str, Any]) -> Case | list[Problem]:
        """The case with the form's values laid over it, or every problem (each naming
        the record field it is about: :meth:`field_for` finds the form's field)."""
        try:
            return self.over(case, self.record(values), self.cleared(values))
        except ValidationFailed as exc:
            return exc.problems

    # -- problems -> fields ------------------------------------------------------------

    def translate(self, location: str) -> str:
        """A record location as the form's field path (list rows are kept by term, not index)."""
        for prefix, target in sorted(self.aliases.items(), key=lambda kv: -len(kv[0])):
            if (
                location == prefix
                or location.startswith(prefix + ".")
                or location.startswith(prefix + "[")
            ):
                return target + location[len(prefix) :]
        return location

    def field_for(self, location: str, shown: Iterable[str] | None = None) -> str | None:
        """The field showing what a validation problem names (its ``loc`` as the library
        writes it, e.g. ``referral.consent.date``): the field at that path, else the one
        at the nearest enclosing path (a problem with a whole group lands beside its first
        field); None when the form has none (the banner says it). ``shown``: the fields
        there are (default: every declared one)."""
        fields = list(shown if shown is not None else self.fields)
        path = self.translate(location)
        while path:
            if path in fields:
                return path
            under = [p for p in fields if p.startswith(path + ".") or p.startswith(path + "[")]
            if under:
                return under[0]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


#: Patterns of the case record, in the words a form uses.
PATTERN_WORDS = {
    "^[A-Za-z0-9][A-Za-z0-9/_-]{0,39}$": "letters, digits, / _ -",
}
_PATTERN = re.compile(r"^String should match pattern '(.*)' \(got (.*)\)$", re.S)


def in_form_words(message: str, label: str, exact: bool = True) -> str:
    """A validation message as the form says it: the field's own label and plain words
    ("Case reference: required; letters, digits, / _ -"), never a pattern or a record path."""
    match = _PATTERN.match(message)
    if match:
        allowed = PATTERN_WORDS.get(match.group(1), "not in the expected form")
        if match.group(2) in ("''", '""'):
            return f"{label}: required; {allowed}"
        return (
            f"{label}: {allowed} only, up to 40 characters, starting with a letter or digit"
            if match.group(1) in PATTERN_WORDS
            else f"{label}: {allowed} (got {match.group(2)})"
        )
    if message == "missing: this field is required" or message.startswith(
        "String should have at least 1 character"
    ):
        return f"{label}: required"
    if message.startswith("List should have at least 1 item"):
        return f"{label}: choose at least one"
    # a problem with a whole part (consent, a legal status) lands on its first input, named by it
    return message if exact else f"{label}: {message.removeprefix('missing: ')}"
