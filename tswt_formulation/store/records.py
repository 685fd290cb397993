"""Reading what the store holds: a stored record as a case (a damaged one named, never
quoted), the record column to select, times in UTC, and the size of a chunk of cases read
or written at once. Shared by the store's parts (store.py and its mixins)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import StoreError, ValidationFailed, quote
from ..model.case import Case
from ..model.parse import case_from_data
from . import schema

CHUNK = 500  # cases read or written at once


def _now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _load(record_text: str | bytes, version: int, case_id: str) -> Case:
    """A stored record as a case. One that cannot be read is a :class:`StoreError`
    naming the case and what is wrong, never quoting the record (a damaged store must
    not print a child's details or voice into a terminal, a log or a manifest)."""
    damaged = (
        "the store may be damaged: `tswt check` lists every such case; restore it from a backup"
    )
    if isinstance(record_text, bytes):
        try:
            record_text = record_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StoreError(
                f"{case_id}: the stored record is not UTF-8 text (bad byte at {exc.start}); {damaged}"
            ) from None
    try:
        raw = json.loads(record_text)
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"{case_id}: the stored record is not readable JSON (at character {exc.pos}: "
            f"{exc.msg.removesuffix(' at').lower()}); {damaged}"
        ) from None
    except (ValueError, RecursionError):
        raise StoreError(f"{case_id}: the stored record is not readable JSON; {damaged}") from None
    try:
        case = case_from_data(raw, case_id, stored=True)
    except ValidationFailed as exc:
        fields = sorted({p.field or "(the record)" for p in exc.problems})
        shown = ", ".join(quote(f, bare=True, limit=60) for f in fields[:8]) + (
            f" and {len(fields) - 8} more" if len(fields) > 8 else ""
        )
        if all(p.kind == "extra_forbidden" for p in exc.problems):
            # Fields this code does not know: a newer version wrote the record (a colleague
            # upgraded first), not damage; this version must not rewrite it without them.
            from .._version import __version__

            raise StoreError(
                f"{case_id}: the stored record has field(s) this version of tswt-formulation "
                f"({__version__}) does not know: {shown}. A newer version wrote it: upgrade the "
                "package here (pip install -U tswt-formulation) before reading or changing this case"
            ) from None
        raise StoreError(
            f"{case_id}: the stored record no longer validates (field(s) {shown}); {damaged}"
        ) from None
    case._version = version
    return case


def _record_column(engine: sa.Engine) -> Any:
    """The record column to select: on SQLite as bytes, decoded in :func:`_load`, so that
    a damaged text names its case (SQLite's own decoding error quotes the text instead)."""
    if engine.dialect.name == "sqlite":
        return sa.cast(schema.cases.c.record, sa.LargeBinary).label("record")
    return schema.cases.c.record


def _row_columns(engine: sa.Engine, outdated: int | None, names: Sequence[str]) -> list[Any]:
    """The cases table's columns ``names`` to select. A store read as it is, before
    migration 9 (reading is not writing), has two of them under their old names
    (``schema.RENAMED_9``): those are selected under the new."""
    c = schema.cases.c
    if outdated is None or outdated >= 9:
        return [c[n] for n in names]
    have = {col["name"] for col in sa.inspect(engine).get_columns("cases")}
    return [
        sa.literal_column(schema.RENAMED_9[n], c[n].type).label(n)
        if n in schema.RENAMED_9 and n not in have
        else c[n]
        for n in names
    ]


def _db_message(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
