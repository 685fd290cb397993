"""The store's scores table: every measure administration's scores, written with the case.

Both write paths (:class:`~tswt_formulation.store.CaseStore` and the standard-library
import in :mod:`.importing`) add a case's rows here in the transaction that saves the
case; migration 7 builds the table from every stored record. Scoring is the plain-Python
:func:`~tswt_formulation.measures.one_child.score_one` (no pandas: ``tswt import`` loads
none), which ``tests/measures/test_one_child.py`` holds equal to the vectorised scorer.

One row per administration, its scores packed (``scales``: the measure's score ids in
the definition's order; ``scale_values``: comma-separated integers, "" where missing).
:mod:`tswt_formulation.analysis` unpacks them into one row per score, vectorised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import TswtError

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ..model.case import Case

#: The table's columns, in order (the standard-library import writes them positionally).
SCORE_COLUMNS = (
    "case_id",
    "position",
    "measure",
    "version",
    "informant",
    "date",
    "timepoint",
    "age",
    "scales",
    "scale_values",
)


def _years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _rows(case_id: str, born: date, administrations: Iterable[Any]) -> list[dict[str, Any]]:
    from ..measures.definition import load_measure
    from ..measures.one_child import score_one

    out = []
    for position, admin in enumerate(administrations):
        try:
            definition = load_measure(admin.measure)
            scored = score_one(definition, admin)
        except (
            TswtError,
            KeyError,
            ValueError,
        ):  # a measure whose definition is gone: its scores cannot be had
            continue
        out.append(
            {
                "case_id": case_id,
                "position": position,
                "measure": admin.measure,
                "version": admin.version,
                "informant": admin.informant,
                "date": admin.date,
                "timepoint": admin.timepoint,
                "age": _years(born, admin.date),
                "scales": ",".join(scored),
                "scale_values": ",".join("" if v is None else str(v) for v in scored.values()),
            }
        )
    return out


def case_score_rows(case: Case) -> list[dict[str, Any]]:
    """The scores table's rows for one case."""
    return _rows(case.case_id, case.child.date_of_birth, case.measures)


class _Administration:
    """A stored record's administration, as much of it as scoring reads (the record was
    validated when it was saved: no need to build the whole case again)."""

    __slots__ = ("date", "informant", "measure", "responses", "timepoint", "version")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.measure, self.version, self.informant = (
            raw["measure"],
            raw["version"],
            raw["informant"],
        )
        self.date, self.timepoint = date.fromisoformat(raw["date"]), raw["timepoint"]
        self.responses = raw.get("responses", {})


def record_score_rows(case_id: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The scores table's rows for a stored record (JSON, as the ``cases`` table holds it)."""
    measures = record.get("measures") or []
    if not measures:
        return []
    born = date.fromisoformat(record["child"]["date_of_birth"])
    return _rows(case_id, born, (_Administration(m) for m in measures))


def replace_case_scores(conn: sa.Connection, case: Case) -> None:
    """Inside a save's transaction: the case's rows, as its measures now stand."""
    from . import schema

    conn.execute(schema.scores.delete().where(schema.scores.c.case_id == case.case_id))
    rows = case_score_rows(case)
    if rows:
        conn.execute(schema.scores.insert(), rows)


def rebuild_scores(conn: sa.Connection, chunk: int = 2000) -> int:
    """Empty the scores table and score every stored case again (migration 7; after a
    change to a measure's definition). Returns the number of rows written."""
    import sqlalchemy as sa

    from . import schema

    c = schema.cases.c
    conn.execute(schema.scores.delete())
    last, written = "", 0
    while True:
        batch = conn.execute(
            sa.select(c.case_id, c.record).where(c.case_id > last).order_by(c.case_id).limit(chunk)
        ).all()
        if not batch:
            return written
        last = batch[-1].case_id
        rows = [r for case_id, text in batch for r in record_score_rows(case_id, json.loads(text))]
        if rows:
            conn.execute(schema.scores.insert(), rows)
            written += len(rows)
