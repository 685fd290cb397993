"""The caseload read from the store's indexed columns (no record parsed): the workers,
each case's columns as tuples or a frame, the work digests, and the caseload as of a day."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import config
from ..rules.timeline import ROW_COLUMNS, rows_frame, timeline
from . import engine as dialect
from . import schema
from .records import _row_columns

if TYPE_CHECKING:  # pandas is imported by the caseload methods that build frames
    import pandas as pd


class CaseloadMixin:
    """Caseload queries (part of CaseStore)."""

    if TYPE_CHECKING:  # provided by CaseStore (store.py)
        engine: sa.Engine
        location: str
        user: str
        outdated: int | None

    def workers(self) -> list[str]:
        """The workers with at least one case allocated, sorted."""
        q = sa.select(schema.cases.c.worker).where(schema.cases.c.worker.is_not(None)).distinct()
        with self.engine.connect() as conn:
            return sorted(conn.execute(q).scalars())

    def caseload_tuples(self, worker: str | None = None) -> list[tuple[Any, ...]]:
        """The indexed columns of every case (no record parsing), as tuples in the order
        of ``ROW_COLUMNS``, by case id. On SQLite, dates are ISO text and booleans 0/1."""
        cols = _row_columns(self.engine, self.outdated, ROW_COLUMNS)
        q = sa.select(*cols).order_by(schema.cases.c.case_id)
        if worker is not None:
            q = q.where(schema.cases.c.worker == worker)
        with self.engine.connect() as conn:
            # Plain tuples: SQLAlchemy's Row objects send pandas down a slow path (1.2 s
            # at 100,000 cases); on SQLite, dates stay ISO text for one vectorised parse.
            return dialect.fetch_tuples(conn, q)

    def work_digests(self) -> list[dict[str, Any]]:
        """Every case's work digest (model.work.work_digest), for a service summary and
        the summarised review's risk flags: a few hundred bytes each, not the whole
        record. A case stored before migration 6 has none until it is next saved, nor
        does one stored without a conclusion before the digest kept the presenting
        behaviours (its work was none; its behaviours are read from the whole record)."""
        c = schema.cases.c
        q = sa.select(c.work).where(c.work.is_not(None)).order_by(c.case_id)
        with self.engine.connect() as conn:
            # Straight from the driver's cursor on SQLite: SQLAlchemy's result, a row at
            # a time, cost as much as the reading (some 3 s of 4 at 100,000 cases).
            return [json.loads(text) for (text,) in dialect.fetch_tuples(conn, q)]

    def caseload_rows(self, worker: str | None = None) -> pd.DataFrame:
        """The indexed columns of every case (no record parsing)."""
        return rows_frame(self.caseload_tuples(worker))

    def caseload(
        self, as_of: date | str | None = None, worker: str | None = None, overdue: bool = False
    ) -> pd.DataFrame:
        """The caseload as of a date (a ``date`` or ISO text, default today): state,
        screening due, days to due, worker."""
        day = config.parse_day(as_of, f"{self.location}: caseload()")
        frame = timeline(self.caseload_rows(worker), day or date.today())
        if overdue:
            frame = frame[frame["overdue"]].reset_index(drop=True)
        return frame
