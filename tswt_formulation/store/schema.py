"""Tables of the case store and the ordered registry of schema migrations.

The schema version of a store is the number of migrations applied to it. A store with
more migrations than this code knows was written by a newer version and is refused; an
older one is brought up to date in one transaction, and the upgrade is audited.

Everything here is portable SQLAlchemy Core (SQLite and PostgreSQL alike): record JSON is
kept as text, dates as DATE, times as timezone-aware TIMESTAMP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData()

meta = sa.Table(
    "tswt_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

migrations_table = sa.Table(
    "tswt_migrations",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_by", sa.String(120), nullable=False),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(20), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("legal_status", sa.String(40), nullable=False),
    sa.Column("date_of_birth", sa.Date, nullable=False),
    sa.Column("received", sa.Date, nullable=False),
    sa.Column("consent_date", sa.Date),
    sa.Column("consent_informed", sa.Boolean, nullable=False, default=False),
    sa.Column("approval_date", sa.Date),
    sa.Column("decision", sa.String(20), nullable=False),
    sa.Column("decision_date", sa.Date),
    sa.Column("allocation_date", sa.Date),
    sa.Column("worker", sa.String(80)),
    sa.Column("screening_started", sa.Date),
    sa.Column("screening_completed", sa.Date),
    sa.Column("conclusion", sa.String(20)),
    sa.Column("conclusion_date", sa.Date),
    sa.Column("formulation_status", sa.String(20)),
    # The work after screening (migration 6; rules.timeline.work_columns).
    sa.Column("last_review", sa.Date),
    sa.Column("first_step_due", sa.Date),
    sa.Column("last_contact", sa.Date),
    sa.Column("ended", sa.Date),
    sa.Column("open_interventions", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("first_steps_outstanding", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column(
        "closing_measures_pending",
        sa.Boolean,
        nullable=False,
        default=False,
        server_default=sa.false(),
    ),
    sa.Column(
        "work", sa.Text
    ),  # model.work.work_digest as JSON: what a service summary and the summarised review read (NULL: saved before)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(120), nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(120), nullable=False),
    sa.Column("case_id", sa.String(20)),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("version", sa.Integer),
    sa.Column("changes", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    # How the person was identified (JupyterHub, the database session, the OS account,
    # named on a training store): migration 5; older entries have none.
    sa.Column("identified_by", sa.String(200)),
)


staff = sa.Table(
    "staff",
    metadata,
    sa.Column("login", sa.String(120), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(120), nullable=False),
    # The operating-system account and database role that identify this person where
    # they differ from the login (migration 5; tswt_formulation.access.identity).
    sa.Column("os_account", sa.String(120)),
    sa.Column("db_role", sa.String(120)),
)

# Who opened a child's record, when, and how (show, workbench, report): for information
# governance, readable per case by managers (`tswt access CASE`). Migration 5.
access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(120), nullable=False),
    sa.Column("identified_by", sa.String(200), nullable=False),
    sa.Column("case_id", sa.String(20), nullable=False),
    sa.Column("what", sa.String(40), nullable=False),
)


# Every measure administration's scores, kept as cases are saved (migration 7), so that
# caseload-wide scores and change are read without loading every record. One row per
# administration (``position``: its index in the case's ``measures``); ``scales`` names
# the measure's scores in the definition's order and ``scale_values`` holds each, as
# comma-separated integers ("" = missing). Packed so that 100,000 cases' two million
# scores are read as 400,000 rows (a row per score took 20 s; see store/scores.py).
scores = sa.Table(
    "scores",
    metadata,
    sa.Column("case_id", sa.String(20), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("measure", sa.String(40), nullable=False),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("informant", sa.String(40), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("timepoint", sa.String(40), nullable=False),
    sa.Column("age", sa.Integer),
    sa.Column("scales", sa.Text, nullable=False),
    sa.Column("scale_values", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[sa.Connection], None]


def _create_base(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[meta, cases, audit])


def _add_indexes(conn: sa.Connection) -> None:
    # Plain DDL (valid on SQLite and PostgreSQL) rather than Index objects, which would
    # attach themselves to the live tables and be created again by migration 1.
    for name, table, cols in (
        ("ix_cases_worker", "cases", "worker"),
        ("ix_cases_allocation_date", "cases", "allocation_date"),
        ("ix_audit_case_id", "audit", "case_id, id"),
    ):
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})")


def _create_staff(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[staff])


# What a caseload read of each case at migration 4, named as the columns are now:
# migration 9 renamed two (see _as_named), otherwise kept as it was (a migration, once
# released, never changes what it does).
_CASELOAD_COLUMNS_4 = (
    "case_id",
    "synthetic",
    "legal_status",
    "date_of_birth",
    "received",
    "consent_date",
    "approval_date",
    "decision_date",
    "allocation_date",
    "screening_started",
    "screening_completed",
    "conclusion_date",
    "consent_informed",
    "decision",
    "worker",
    "conclusion",
    "formulation_status",
)
# What a caseload reads of each case now (rules.timeline.ROW_COLUMNS, by case id first):
# the same list as there, written out because this module must not import the rules. A
# test keeps the two equal; a later change to the caseload's columns is a new migration.
_WORK_COLUMNS = (
    ("last_review", "DATE", None),
    ("first_step_due", "DATE", None),
    ("last_contact", "DATE", None),
    ("ended", "DATE", None),
    ("open_interventions", "INTEGER", "0"),
    ("first_steps_outstanding", "INTEGER", "0"),
    ("closing_measures_pending", "BOOLEAN", "false"),
)
CASELOAD_COLUMNS = (*_CASELOAD_COLUMNS_4, *(name for name, _kind, _default in _WORK_COLUMNS))


# Migration 9: the cases table's columns for the conclusion of screening, as they were
# named before (its "outcome", a word now kept for the outcome measures).
RENAMED_9 = {"conclusion": "outcome", "conclusion_date": "outcome_date"}


def _as_named(conn: sa.Connection, columns: tuple[str, ...]) -> tuple[str, ...]:
    """``columns`` as the store in hand names them: a store before migration 9 has the
    old names of the two it renamed (one created since has the new names from migration
    1, which makes the tables as they are now), so migrations 4 and 6 index the same
    columns as when they were released."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("cases")}
    return tuple(RENAMED_9[c] if c in RENAMED_9 and c not in have else c for c in columns)


def _add_caseload_index(conn: sa.Connection) -> None:
    # A covering index: the caseload (every command's list of cases) is read from the
    # index alone, ordered by case id, without touching the pages that hold the records
    # (2.5-3x faster at 100,000 cases on SQLite; an index-only scan on PostgreSQL).
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS ix_cases_caseload ON cases ({', '.join(_as_named(conn, _CASELOAD_COLUMNS_4))})"
    )


def _identity_and_access_log(conn: sa.Connection) -> None:
    # Columns are added only where missing: a store created at this version already has
    # them (migrations 1 and 3 create the tables from the current definitions).
    have = {t: {c["name"] for c in sa.inspect(conn).get_columns(t)} for t in ("audit", "staff")}
    for table, column, kind in (
        ("audit", "identified_by", "VARCHAR(200)"),
        ("staff", "os_account", "VARCHAR(120)"),
        ("staff", "db_role", "VARCHAR(120)"),
    ):
        if column not in have[table]:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    metadata.create_all(conn, tables=[access_log])
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_access_log_case_id ON access_log (case_id, id)"
    )


def _work_columns(conn: sa.Connection) -> None:
    # A store made before the work was recorded holds none: the defaults (no review, no
    # open intervention, nothing outstanding) are every stored case's true values.
    have = {c["name"] for c in sa.inspect(conn).get_columns("cases")}
    for column, kind, default in (*_WORK_COLUMNS, ("work", "TEXT", None)):
        if column not in have:
            tail = f" NOT NULL DEFAULT {default}" if default is not None else ""
            conn.exec_driver_sql(f"ALTER TABLE cases ADD COLUMN {column} {kind}{tail}")
    # The covering index grows by the work's columns: the caseload still reads no record.
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cases_caseload")
    conn.exec_driver_sql(
        f"CREATE INDEX ix_cases_caseload ON cases ({', '.join(_as_named(conn, CASELOAD_COLUMNS))})"
    )


def _scores_table(conn: sa.Connection) -> None:
    from .scores import rebuild_scores  # scores every stored case: the measures' definitions

    metadata.create_all(conn, tables=[scores])
    rebuild_scores(conn)


def _audit_actions(conn: sa.Connection) -> None:
    # Case saves before schema 8 were all "update", the step lying in the note casework
    # wrote; name the step where the note says it (store/audit.py). Only rows still
    # "update" are read, so the store's own actions (import, migrate, ...) are untouched.
    from .audit import ACTION_FROM_NOTE

    a = audit.c
    for action, note in ACTION_FROM_NOTE:
        matches = a.note.like(note) if note.endswith("%") else a.note == note
        conn.execute(
            audit.update()
            .where(a.action == "update", a.case_id.is_not(None), matches)
            .values(action=action)
        )


def _conclusion(conn: sa.Connection) -> None:
    # The conclusion of screening was the case's "outcome" (issue 25: a name, one
    # meaning). Rename its two columns, cover them again, and rewrite every stored
    # record and work digest that has the old key, each record's change audited as the
    # person migrating (at its version, so its audit trail still rebuilds it); the audit
    # rows already written keep the old name, as history. A column already renamed (a
    # store created since) is left as it is.
    have = {c["name"] for c in sa.inspect(conn).get_columns("cases")}
    for new, old in RENAMED_9.items():
        if old in have and new not in have:
            conn.exec_driver_sql(f"ALTER TABLE cases RENAME COLUMN {old} TO {new}")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cases_caseload")
    conn.exec_driver_sql(f"CREATE INDEX ix_cases_caseload ON cases ({', '.join(CASELOAD_COLUMNS)})")
    user, how = conn.info.get("tswt_acting", ("tswt", None))
    now = datetime.now(UTC)
    c, last = cases.c, ""
    while True:  # a case with a conclusion has the column set (the record has the key)
        rows = conn.execute(
            sa.select(c.case_id, c.version, c.record, c.work)
            .where(c.conclusion.is_not(None), c.case_id > last)
            .order_by(c.case_id)
            .limit(500)
        ).all()
        if not rows:
            break
        last = rows[-1].case_id
        for row in rows:
            record = json.loads(row.record)
            if "outcome" not in record or "conclusion" in record:
                continue
            value = record["outcome"]
            renamed = {("conclusion" if k == "outcome" else k): v for k, v in record.items()}
            work = json.loads(row.work) if row.work else None
            if isinstance(work, dict) and "outcome" in work:
                work = {("conclusion" if k == "outcome" else k): v for k, v in work.items()}
            conn.execute(
                cases.update()
                .where(c.case_id == row.case_id)
                .values(
                    record=json.dumps(renamed, ensure_ascii=False, separators=(",", ":")),
                    work=row.work if work is None else json.dumps(work, separators=(",", ":")),
                )
            )
            conn.execute(
                audit.insert().values(
                    at=now,
                    user=user,
                    identified_by=how,
                    case_id=row.case_id,
                    action="migrate",
                    version=row.version,
                    changes=json.dumps(
                        [
                            {"op": "remove", "path": "outcome", "before": value},
                            {"op": "add", "path": "conclusion", "after": value},
                        ]
                    ),
                    note="schema 9: the conclusion of screening, called outcome before, renamed conclusion",
                )
            )


def _digests_with_behaviours(conn: sa.Connection, chunk: int = 1000) -> None:
    # The summarised caseload review fires the rules' risk flags over each child's
    # presenting behaviours, kept in the work digest since this schema (hazard H25-05).
    # A digest written before lacks them and its child is read whole at every review, so
    # every digest is written again here from its record, by the one work_digest (the
    # record itself is unchanged: nothing to audit). A record that no longer loads keeps
    # its digest: the review reads it whole and names it, as before.
    from ..errors import ValidationFailed
    from ..model.parse import case_from_data
    from ..model.work import work_digest

    c, last = cases.c, ""
    while True:
        rows = conn.execute(
            sa.select(c.case_id, c.record, c.work)
            .where(c.case_id > last)
            .order_by(c.case_id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].case_id
        for row in rows:
            if row.work and '"presenting_behaviours"' in row.work:
                continue
            try:
                case = case_from_data(json.loads(row.record), row.case_id, stored=True)
            except (ValueError, ValidationFailed):  # damaged: left for `tswt check` to name
                continue
            conn.execute(
                cases.update()
                .where(c.case_id == row.case_id)
                .values(work=json.dumps(work_digest(case), separators=(",", ":")))
            )


# Append only: never edit or reorder a migration that has been released.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create cases, audit and meta tables", _create_base),
    Migration(2, "index cases by worker and allocation date; audit by case", _add_indexes),
    Migration(3, "staff directory: login, display name and role", _create_staff),
    Migration(
        4,
        "cover the caseload's columns with one index (the caseload reads no record)",
        _add_caseload_index,
    ),
    Migration(
        5,
        "who acted and how they were identified; staff accounts; who opened a record",
        _identity_and_access_log,
    ),
    Migration(
        6,
        "the work after screening on the caseload: last review, first steps, last contact, ending",
        _work_columns,
    ),
    Migration(
        7, "a scores table kept as cases are saved, rebuilt from every stored case", _scores_table
    ),
    Migration(
        8,
        "the audit log names each case save's step (submit, sign_off, ...), filled from the notes",
        _audit_actions,
    ),
    Migration(
        9,
        "the conclusion of screening: columns and stored records renamed from outcome",
        _conclusion,
    ),
    Migration(
        10,
        "the work digests keep each child's presenting behaviours, for the summarised review",
        _digests_with_behaviours,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
# The oldest schema this code reads without migrating it (every table it reads exists;
# migration 4 only adds an index): a reader never migrates, only `tswt init` does.
READABLE_FROM = 3
