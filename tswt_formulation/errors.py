"""Exceptions raised by tswt-formulation.

Every error a user can cause derives from :class:`TswtError`, so a notebook or the CLI
can catch one thing. Messages name the case, the field (or file and key, or row and
column), what is wrong and, where it helps, what would be right.

::

    TswtError
    ├── ValidationFailed        one or more records are invalid (carries .problems)
    ├── CaseNotFound            no case with that id in the store
    ├── DuplicateCase           a case id that is already in the store
    ├── StaleEdit               someone saved the case since it was loaded
    ├── StoreError              the store cannot be opened or used
    │   └── SchemaVersionError  the store was written by a newer version
    ├── RuleFileError           a recommendation rules file is invalid (carries .problems)
    ├── MeasureDefinitionError  a measure definition file is invalid (carries .problems)
    ├── ScoringError            responses cannot be scored (carries .problems)
    ├── NoRecommendation        no wave or stage can be recorded (not eligible, cannot proceed)
    ├── OverrideError           an override or sign-off is not allowed as asked
    ├── ReportError             a report could not be produced
    └── OutputRefused           an output file would replace something it must not (the store, an input)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

QUOTE_LIMIT = 80


def quote(value: object, bare: bool = False, limit: int = QUOTE_LIMIT) -> str:
    """A value for an error message: its repr (or ``str`` if ``bare``), cut to about
    ``limit`` characters, so a message never carries a whole record or free text."""
    text = str(value) if bare else repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


def database_reason(message: object) -> str:
    """A database's error message for a user, without the stored text some drivers quote
    in it: SQLite's "Could not decode to UTF-8 column 'record' with text '{...}'" carries
    a child's record. First line only."""
    import re

    text = str(message).splitlines()[0] if str(message) else ""
    if "Could not decode to UTF-8" in text:
        return (
            re.sub(r" with text '.*", "", text)
            + " (a stored text is not UTF-8: the store may be damaged; run `tswt check`)"
        )
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    where: str  # "file.json: TSW-000123" or "row 4"
    field: str  # "referral.decision.date" or "column pconsid"
    message: str
    #: What kind of problem, where it is known (pydantic's error type, e.g.
    #: ``extra_forbidden`` for a field the record does not have): read instead of the words.
    kind: str = dataclass_field(default="", compare=False)

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.field) if p]
        return f"{': '.join(parts)}: {self.message}" if parts else self.message


def location(loc: Iterable[Any]) -> str:
    """A pydantic error location as the input's own key path: ``referral.decision.date``,
    ``rules[2].effect``; pydantic's internal steps (``function-after[...]``) left out."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def problems_from(
    exc: Any,
    where: str,
    *,
    path: Callable[[tuple[Any, ...]], str] = location,
    word: Callable[[dict[str, Any]], str | None] | None = None,
) -> list[Problem]:
    """A pydantic ``ValidationError`` as one :class:`Problem` per field: the one way every
    input (case records, rules files, measure definitions, constants files, values built
    from the command line) turns validation errors into problems.

    ``path`` writes an error's location (default :func:`location`); ``word`` words an
    error in the caller's terms, or returns None for the default: pydantic's message
    without its "Value error, " prefix. A validator that finds several problems at once
    raises a ``ValueError`` carrying ``.problems``, a list of (field, message) (the case
    record's ``ConsistencyError``): each becomes a problem of its own. A list reported too
    short only because its items failed is left out (one problem, not two).
    (pydantic is not imported here: this module is imported by the light commands.)
    """
    errors = exc.errors(include_url=False)
    out: list[Problem] = []
    for err in errors:
        if err["type"] == "too_short" and any(
            o is not err and o["loc"][: len(err["loc"])] == err["loc"] for o in errors
        ):
            continue
        several = getattr((err.get("ctx") or {}).get("error"), "problems", None)
        if isinstance(several, list) and all(isinstance(p, tuple) and len(p) == 2 for p in several):
            out.extend(Problem(where, field, message) for field, message in several)
            continue
        message = word(err) if word is not None else None
        out.append(
            Problem(
                where,
                path(err["loc"]),
                message or err["msg"].removeprefix("Value error, "),
                kind=err["type"],
            )
        )
    return out


class TswtError(Exception):
    """Root of every error this package raises on purpose."""


class ProblemsError(TswtError):
    """An error that carries a list of :class:`Problem` (one line each)."""

    def __init__(
        self, problems: list[Problem], summary: str | None = None, omitted: int = 0
    ) -> None:
        self.problems = list(problems)
        self.summary = summary
        self.omitted = omitted  # problems found but not listed (a list is capped to stay readable)
        text = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{summary}\n{text}" if summary else text)


class ValidationFailed(ProblemsError):
    """One or more records are invalid; nothing was written."""


class CaseNotFound(TswtError, KeyError):
    """No case with that id."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(case_id)

    def __str__(self) -> str:
        return f"{self.case_id}: no such case in the store"


class DuplicateCase(TswtError):
    """A case id that already exists."""


class StaleEdit(TswtError):
    """The case was changed by someone else since this copy was loaded.

    ``case_id``; ``expected``: the version the edit was made on; ``found``: the version the
    store holds (None where it could not be read); ``action``: the edit refused (an audit
    action, e.g. ``update``, ``decide``, ``sign_off``); ``by``, ``at`` and ``their_action``:
    who last changed the case, when (UTC) and what they did. A form words its notice from
    these, never from the message."""

    def __init__(
        self,
        message: str,
        *,
        case_id: str | None = None,
        expected: int | None = None,
        found: int | None = None,
        action: str | None = None,
        by: str | None = None,
        at: datetime | None = None,
        their_action: str | None = None,
    ) -> None:
        self.case_id = case_id
        self.expected = expected
        self.found = found
        self.action = action
        self.by = by
        self.at = at
        self.their_action = their_action
        super().__init__(message)


class StoreError(TswtError):
    """The store cannot be opened or used."""


class SchemaVersionError(StoreError):
    """The store's schema is newer than this version of the package understands."""


class RuleFileError(ProblemsError):
    """A recommendation rules file is invalid."""


class MeasureDefinitionError(ProblemsError):
    """A measure definition file is invalid."""


class ScoringError(ProblemsError):
    """Responses that cannot be scored as given."""


class NoRecommendation(TswtError):
    """The case has no wave and stage to record (the child is not eligible or the
    referral cannot proceed)."""


class OverrideError(TswtError):
    """An override, decision or sign-off that is not allowed as asked.

    Where one override is wrong, ``part`` names it and ``field`` says what to correct
    (``part``, ``value`` or ``reason``), so a form can show the message beside that field
    without reading the message's words."""

    def __init__(
        self,
        message: str,
        *,
        case_id: str | None = None,
        part: str | None = None,
        field: str | None = None,
    ) -> None:
        self.case_id = case_id
        self.part = part
        self.field = field
        super().__init__(message)


class ReportError(TswtError):
    """A report could not be produced."""


class OutputRefused(TswtError):
    """An output file that would overwrite what it must not: the open store, any SQLite
    database, the command's own input, a symbolic link or something not a file."""
