"""Commands on cases: init, import, export, validate, show, eligibility, caseload, audit,
demo, schema."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import UTC, date
from pathlib import Path
from typing import Any

import click

from .._version import __version__
from ..words import plural
from ._common import (
    Ctx,
    as_of_option,
    common,
    echo_json,
    frame_table,
    json_text,
    one_line,
    progress,
    table,
    to_date,
)

EXPORT_FORMAT = "tswt-cases/1"  # model.parse.FORMATS lists what import reads


@click.command()
@click.option(
    "--training",
    is_flag=True,
    help="Make the new store a training store: synthetic people only, and anyone may "
    "act as any staff login with --user, to practise (tswt demo makes one).",
)
@common
def init(ctx: Ctx, training: bool) -> None:
    """Create a case store (or bring an older one up to date)."""
    from ..store.schema import SCHEMA_VERSION

    with ctx.open(create=True) as store:
        if training and not store.training:
            store.mark_training()
        if (
            store.created or store.upgraded_from == 0
        ):  # a new file, or the tables made in an empty database
            click.echo(
                f"Created case store {store.location} (schema version {SCHEMA_VERSION}, {len(store)} cases)."
            )
            return
        _check_store(store)  # an existing store: "up to date" only if it is sound
        if store.upgraded_from is not None:
            click.echo(
                f"Upgraded case store {store.location} from schema version {store.upgraded_from} to "
                f"{SCHEMA_VERSION} ({len(store)} cases)."
            )
        else:
            click.echo(
                f"Opened case store {store.location} (schema version {SCHEMA_VERSION}, {len(store)} cases); it is up to date."
            )


def _check_store(store: Any) -> int:
    """Run the store's check (the database's own integrity check, then every record and
    its audit trail); raise :class:`StoreError` listing what is wrong, else return the
    number of cases checked."""
    import sqlalchemy as sa

    from ..errors import Problem, StoreError, ValidationFailed

    try:
        problems = store.integrity_check()
        count = len(store)
        store.record_check(
            problems
        )  # a store that fails its check refuses writes until it passes again
    except sa.exc.DatabaseError as exc:
        from ..errors import database_reason

        raise StoreError(
            f"{store.location}: the store fails its check: the database cannot be read "
            f"({database_reason(getattr(exc, 'orig', exc))}); restore it from a backup"
        ) from None
    if problems:
        raise ValidationFailed(
            [Problem("", "", p) for p in problems],
            summary=f"{store.location}: the store fails its check ({len(problems)} problem(s)); "
            "restore it from a backup, or correct the cases named:",
        )
    return count


@click.command()
@common
def check(ctx: Ctx) -> None:
    """Check the store: SQLite's integrity check, then every record (it loads and its
    indexed columns agree with it) and its audit trail (it rebuilds the record at the
    stored version; no entries for cases not in the store). Exit 2 if anything is wrong."""
    with ctx.open() as store:
        count = _check_store(store)
    click.echo(
        f"OK: {store.location}: {count} case(s); the database, every record and its audit trail are sound."
    )


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--note", default="import", callback=one_line, help="A note kept in the audit log.")
@click.option(
    "--restore",
    metavar="REASON",
    default=None,
    callback=one_line,
    help="Restore cases that carry workflow state (formulation, sign-offs, outcome) from a backup or export; "
    "the store's owner only, audited with REASON. To move a whole store, use `tswt migrate-store`.",
)
@common
def import_(ctx: Ctx, files: tuple[Path, ...], note: str, restore: str | None) -> None:
    """Import new cases from JSON or YAML files: all of them, or nothing.

    Every problem in every file is listed (file, case id, field, reason); if there is
    any, nothing is written. New cases carry no workflow state: the formulation and the
    outcome of screening are made with the workflow commands (`tswt formulation --draft`,
    `decide`, `submit`, `signoff`, `outcome`).
    """
    from ..large_batches import gc_paused

    if restore is not None and not restore.strip():
        raise click.BadParameter(
            "give the reason for the restore (it is kept in the audit log)", param_hint="--restore"
        )
    # The collector stays paused from reading the files to the commit: resumed between
    # them, its first pass would walk every object of every case read (see large_batches).
    with gc_paused():
        _import_files(ctx, files, note, restore)


def _import_files(ctx: Ctx, files: tuple[Path, ...], note: str, restore: str | None) -> None:
    from ..model.parse import parse_case_files
    from ..store.importing import open_sqlite_import

    sources: dict[str, str] = {}
    cases = parse_case_files(files, sources)[0]
    options: dict[str, Any] = dict(
        note=note if restore is None else f"restore: {restore.strip()}",
        workflow_state=restore is not None,
        sources=sources,
        action="import" if restore is None else "restore",
    )

    def write(target: Any, **extra: Any) -> int | None:
        if restore is not None:
            target.check_owner("restore cases with their workflow state")
        with progress(len(cases), "Importing") as bar:
            return target.import_cases(cases, progress=bar.update, **options, **extra)

    count = None
    # A SQLite file at this code's schema is written with the standard library (no
    # SQLAlchemy to import); anything else, or a write the database refused (rolled
    # back, count None), goes through the full store for its answer or its error.
    direct = open_sqlite_import(ctx._sqlite_location(), wait=ctx.wait)
    if direct is not None:
        with direct:
            who = ctx.identity()
            count = write(direct, who=who.login, how=who.how, staff=ctx.staff())
        location = direct.location
    if count is None:
        with ctx.open() as store:
            count = write(store)
        location = store.location
    click.echo(
        f"{'Restored' if restore is not None else 'Imported'} {count} case(s) into {location}."
    )


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Apply even without the store versions an export records (overwrites the current version; audited).",
)
@click.option(
    "--note", default="updated from a file", callback=one_line, help="A note kept in the audit log."
)
@common
def update(ctx: Ctx, files: tuple[Path, ...], force: bool, note: str) -> None:
    """Replace cases with edited versions (an export with, say, the screening added).

    All cases in the files are applied in one transaction, or none. A case changed in
    the store since it was exported is refused as stale, naming who changed it. The
    workflow state (formulation status, decision, sign-offs, outcome of screening) is
    not changed from a file; an edit of a formulation's content puts it back to draft.
    """
    from datetime import datetime

    from ..errors import CaseNotFound, Problem, ValidationFailed
    from ..model.parse import parse_case_files
    from ..rules.protected import carry_workflow, workflow_problems

    sources: dict[str, str] = {}
    cases, versions = parse_case_files(files, sources)
    with ctx.open() as store:
        current = store.versions_of([c.case_id for c in cases])
        missing = [c.case_id for c in cases if c.case_id not in current]
        if missing:
            raise CaseNotFound(missing[0])
        problems = [
            Problem(
                c.case_id,
                "versions",
                "this file does not say which store version it was exported from; "
                "export the case (tswt export CASE -o FILE), edit that file and update, or use --force",
            )
            for c in cases
            if c.case_id not in versions and not force
        ]
        stored = {c.case_id: c for c in store.cases([c.case_id for c in cases])}
        for case in cases:
            if (
                force or versions.get(case.case_id) == current[case.case_id]
            ):  # a stale copy is refused as stale below
                problems += workflow_problems(
                    stored[case.case_id], case, f"{sources[case.case_id]}: {case.case_id}"
                )
        if problems:
            raise ValidationFailed(
                problems, summary=f"{len(problems)} problem(s); nothing was written:"
            )
        now = datetime.now(UTC)
        redrafted = [
            c.case_id for c in cases if carry_workflow(stored[c.case_id], c, store.user, now)
        ]
        for case in cases:
            case._version = (
                versions.get(case.case_id, current[case.case_id])
                if not force
                else current[case.case_id]
            )
        from ..casework import save_many

        saved = save_many(store, cases, note=note + (" (forced)" if force else ""))
    changed = sum(1 for c in saved if c._version != current[c.case_id])
    click.echo(
        f"Updated {changed} of {len(saved)} case(s) in {store.location} ({len(saved) - changed} unchanged)."
    )
    for case_id in redrafted:
        click.echo(
            f"{case_id}: the formulation's content changed, so it is back to draft and needs signing off again "
            f"(tswt submit {case_id}).",
            err=True,
        )


@click.command()
@click.argument("case_ids", nargs=-1)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to a file (.json, .yaml) instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "yaml"]),
    default=None,
    help="Default: from --output's extension, else json.",
)
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    help="With `export ssda903`: the collection year ending 31 March YEAR.",
)
@click.option(
    "--layout",
    type=click.Choice(["sdq", "oc2"]),
    default=None,
    help="With `export ssda903`: sdq (default) the 4 SDQ columns of OC2; oc2 all 12 OC2 columns, the rest blank.",
)
@common
def export(
    ctx: Ctx,
    case_ids: tuple[str, ...],
    output: Path | None,
    fmt: str | None,
    year: int | None,
    layout: str | None,
) -> None:
    """Export cases (all, or those named) as JSON or YAML that `tswt import` reads back.

    `tswt export ssda903 --year YYYY` writes instead the statutory SSDA903 OC2 SDQ
    columns (CHILD, DOB, SDQ_SCORE, SDQ_REASON; dates DD/MM/YYYY) as CSV, checked
    against every public OC2 SDQ validation rule, to merge into the authority's return;
    `--layout oc2` writes all 12 OC2 columns with the other eight blank.
    """
    from .._yaml import dump
    from ..config import store_location
    from ._common import check_output

    check_output(output, store=store_location(ctx.store_location))
    if case_ids[:1] == ("ssda903",):
        _export_ssda903(ctx, case_ids[1:], year, output, layout or "sdq")
        return
    if year is not None or layout is not None:
        raise click.UsageError(
            f"{'--year' if year is not None else '--layout'} goes with `tswt export ssda903`"
        )

    unreadable: list[
        Any
    ] = []  # a damaged record is named and left out; the others are exported (exit 1)
    with ctx.open() as store:
        records = store.export(case_ids or None, unreadable=unreadable)
        versions = store.versions_of([r["case_id"] for r in records])
    if unreadable and not records:
        from ..errors import StoreError

        raise StoreError("\n".join(str(e) for e in unreadable) + "\nnothing was exported")
    # The store version of each case lets `tswt update` refuse an edit made on a stale copy.
    doc = {
        "format": EXPORT_FORMAT,
        "package_version": __version__,
        "versions": versions,
        "cases": records,
    }
    fmt = fmt or (
        "yaml" if output is not None and output.suffix.lower() in (".yaml", ".yml") else "json"
    )
    text = dump(doc) if fmt == "yaml" else json_text(doc, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        from ..reports.atomic import atomic_write_text

        atomic_write_text(output, text)
        click.echo(f"Exported {len(records)} case(s) to {output}.", err=True)
    if unreadable:
        for exc in unreadable:
            click.echo(f"error: {exc}", err=True)
        click.echo(
            f"error: {len(unreadable)} case(s) could not be read and are not in the export; the other {len(records)} are",
            err=True,
        )
        raise SystemExit(1)


def _export_ssda903(
    ctx: Ctx, extra: tuple[str, ...], year: int | None, output: Path | None, layout: str
) -> None:
    from ..measures.ssda903 import ssda903_from_cases

    if year is None:
        raise click.UsageError("`tswt export ssda903` needs --year YYYY (the year ending 31 March)")
    from datetime import date as _date

    if _date(year, 3, 31) > _date.today():
        raise click.BadParameter(
            f"the collection year ending 31 March {year} has not ended yet", param_hint="--year"
        )
    if extra:
        raise click.UsageError(
            "`tswt export ssda903` exports every eligible child; do not name cases"
        )
    with ctx.open() as store:
        cases = list(store.cases())
    frame = ssda903_from_cases(cases, year, layout=layout)
    text = frame.to_csv(index=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        from ..reports.atomic import atomic_write_text

        atomic_write_text(output, text)
    scored = int(frame["SDQ_SCORE"].notna().sum())
    reasons = int(frame["SDQ_REASON"].notna().sum())
    neither = len(frame) - scored - reasons
    by_code = frame["SDQ_REASON"].value_counts().sort_index()
    recorded = {
        c.child.case_management_ref: r.reason
        for c in cases
        for r in c.sdq_not_completed
        if r.collection_year == year
    }
    defaulted = int(((frame["SDQ_REASON"] == "SDQ4") & ~frame["CHILD"].isin(recorded)).sum())
    returned = dict(zip(frame["CHILD"], frame["SDQ_REASON"]))
    unused = sum(returned.get(child) != reason for child, reason in recorded.items())
    click.echo(
        f"SSDA903 OC2 SDQ {year - 1}-{year}: {len(frame)} children looked after for 12 months at 31 March {year}; "
        f"{scored} with a score, {reasons} with a reason, {neither} with neither (aged under 4 or 17+, as the rules require)"
        + (
            f"; reasons: {', '.join(f'{code} {n}' for code, n in by_code.items())}"
            if reasons
            else ""
        )
        + (
            f"; {defaulted} given SDQ4 (other) because no reason is recorded for {year}"
            if defaulted
            else ""
        )
        + (
            f"; {unused} recorded reason(s) not returned, as the rules require (the child has a score in the year, "
            "is under 4 at its end or 17 at its start, or was not looked after all of it)"
            if unused
            else ""
        )
        + (f"; written to {output}." if output else "."),
        err=True,
    )


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--restore",
    is_flag=True,
    help="Check as `tswt import --restore` would: cases may carry workflow state.",
)
@click.option("--debug", is_flag=True, hidden=True)
def validate(files: tuple[Path, ...], restore: bool, debug: bool) -> None:
    """Check case files without importing them: every check `tswt import` makes before it
    writes (with --restore, those of `tswt import --restore`), except those that need
    the store (a case id already in it)."""
    from ..errors import TswtError
    from ..model.parse import parse_case_files
    from ..store.importing import check_new_cases
    from ._common import fail

    try:
        sources: dict[str, str] = {}
        cases = parse_case_files(files, sources)[0]
        check_new_cases(cases, workflow_state=restore, sources=sources)
    except TswtError as exc:
        if debug:
            raise
        fail(exc)
    click.echo(f"OK: {len(cases)} case(s) valid in {len(files)} file(s).")


@click.command()
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="The record as JSON.")
@as_of_option
@common
def show(ctx: Ctx, case_id: str, as_json: bool, as_of: Any) -> None:
    """Show one case: the child in brief, referral, screening, measures, timeline."""
    from ..model.parse import case_to_data
    from .render import case_text

    case = ctx.get_case(case_id, opened_for="show")
    if as_json:
        echo_json(case_to_data(case))
    else:
        click.echo(case_text(case, to_date(as_of)))


@click.command()
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@as_of_option
@common
def eligibility(ctx: Ctx, case_id: str, as_json: bool, as_of: Any) -> None:
    """Is the child eligible? The decision with every reason, and signposting."""
    from ..rules.eligibility import check_eligibility
    from .render import eligibility_text

    case = ctx.get_case(case_id)
    decision = check_eligibility(case, to_date(as_of) if as_of else None)
    if as_json:
        echo_json(decision.as_dict())
    else:
        click.echo(eligibility_text(decision))


@click.command()
@as_of_option
@click.option("--worker", help="Only this worker's cases.")
@click.option("--overdue", is_flag=True, help="Only screenings past their due date.")
@click.option("--state", "states", multiple=True, help="Only cases in this state (repeatable).")
@click.option(
    "--below-expected",
    is_flag=True,
    help="Only the children below their expected band (needs $TSWT_EXPECTED_MODEL).",
)
@click.option("--json", "as_json", is_flag=True)
@common
def caseload(
    ctx: Ctx,
    as_of: Any,
    worker: str | None,
    overdue: bool,
    states: tuple[str, ...],
    as_json: bool,
    below_expected: bool = False,
) -> None:
    """The caseload as of a date: state, screening due or overdue, worker; with an
    expected-progress model ($TSWT_EXPECTED_MODEL), the children below their expected band."""
    from ..rules.timeline import STATE_LABELS, STATES

    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)}; expected one of {', '.join(STATES)}", param_hint="--state"
        )
    day = to_date(as_of)
    _check_worker(ctx, worker)
    rows = ctx.caseload(day, worker=worker)
    for r in rows:
        r["as_of"] = day
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    if states:
        rows = [r for r in rows if r["state"] in states]
    if below_expected:
        from .expected import caseload_below_expected

        ids = {r["case_id"] for r in rows if r["state"] == "work_begun"}
        lines = caseload_below_expected(ctx, day, ids)
        if lines is None:
            raise click.UsageError(
                "no expected-progress model is set: fit one (tswt expected fit) and name it in "
                "TSWT_EXPECTED_MODEL"
            )
        click.echo("\n".join(lines))
        return
    if as_json:
        cols = [
            "case_id",
            "age",
            "legal_status",
            "state",
            "worker",
            "allocation_date",
            "screening_due",
            "days_to_due",
            "overdue",
            "review_due",
            "review_overdue",
            "steps_outstanding",
            "steps_overdue",
            "session_gap_weeks",
            "no_recent_session",
            "closing_measures_missing",
        ]
        records = [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in ((k, r[k]) for k in cols)}
            for r in rows
        ]
        echo_json({"as_of": day.isoformat(), "cases": records})
        return
    if not rows:
        what = "No overdue screenings" if overdue else "No cases"
        click.echo(f"{what} as of {day.isoformat()}" + (f" for {worker}" if worker else "") + ".")
        return
    click.echo(
        frame_table(
            ["case", "age", "legal status", "state", "worker", "screening due", ""],
            list(zip(*map(_caseload_cells, rows))),
        )
    )
    counts = Counter(r["state"] for r in rows)
    summary = ", ".join(
        f"{counts[s]} {STATE_LABELS[s].split(' (')[0].lower()}" for s in STATES if counts[s]
    )
    click.echo(
        f"\n{plural(len(rows), 'case')} as of {day.isoformat()}: {summary}; "
        f"{plural(sum(r['overdue'] for r in rows), 'screening')} overdue, "
        f"{sum(r['due_within_14'] for r in rows)} due within 14 days."
    )
    work = _work_counts(rows)
    if work:
        click.echo(f"The work: {work}.")
    if os.environ.get("TSWT_EXPECTED_MODEL"):  # pandas only where a model is set
        from .expected import caseload_below_expected

        ids = {r["case_id"] for r in rows if r["state"] == "work_begun"}
        click.echo("\n" + "\n".join(caseload_below_expected(ctx, day, ids) or []))


def _work_counts(rows: list[dict[str, Any]]) -> str:
    """'2 reviews overdue, 1 with first steps outstanding, ...' (only what is non-zero)."""
    counts = (
        (sum(r["review_overdue"] for r in rows), "review overdue", "reviews overdue"),
        (
            sum(r["steps_outstanding"] > 0 for r in rows),
            "case with first steps outstanding",
            "cases with first steps outstanding",
        ),
        (
            sum(r["no_recent_session"] for r in rows),
            "intervention without a recent session",
            "interventions without a recent session",
        ),
        (
            sum(r["closing_measures_missing"] for r in rows),
            "ending without its closing measures",
            "endings without their closing measures",
        ),
    )
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)


def _work_cells(r: dict[str, Any]) -> str:
    """What the work needs, for a case whose work has begun."""
    out = []
    if r["review_due"] is not None:
        days = (r["review_due"] - r["as_of"]).days
        out.append(
            f"review OVERDUE by {plural(-days, 'day')}"
            if days < 0
            else f"review due {r['review_due'].isoformat()}"
            if days <= 14
            else ""
        )
    if r["steps_outstanding"]:
        out.append(
            f"{plural(r['steps_outstanding'], 'first step')} outstanding"
            + (" (late)" if r["steps_overdue"] else "")
        )
    if r["no_recent_session"]:
        out.append(f"no session for {r['session_gap_weeks']} weeks")
    if r["closing_measures_missing"]:
        out.append("closing measures not recorded")
    return "; ".join(x for x in out if x)


def _caseload_cells(r: dict[str, Any]) -> tuple[str, ...]:
    """One case's cells of the caseload table."""
    if r["state"] == "work_begun":
        due, when = "", _work_cells(r)
    elif r["state"] != "in_screening":
        due = when = ""
    else:
        due = r["screening_due"].isoformat()
        days = r["days_to_due"]
        if not r["screening_open"]:
            when = "screening done; outcome to record"
        elif days < 0:
            when = f"OVERDUE by {plural(-days, 'day')}"
        elif days == 0:
            when = "due today"
        else:
            when = f"{plural(days, 'day')} left"
    return (
        r["case_id"],
        str(r["age"]),
        r["legal_status"].replace("_", " "),
        r["state_label"],
        r["worker"] or "",
        due,
        when,
    )


def _check_worker(store: Any, worker: str | None) -> None:
    """A worker with no case allocated in the store is most likely a typo: say so.
    ``store``: anything with ``workers()`` (a CaseStore, or the command's Ctx)."""
    if worker is None:
        return
    known = store.workers()
    if worker not in known:
        raise click.BadParameter(
            f"no case in this store is allocated to {worker!r}; workers: {', '.join(known) or 'none yet'}",
            param_hint="--worker",
        )


@click.command()
@click.argument("case_id", required=False)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the newest N entries."
)
@click.option("--json", "as_json", is_flag=True)
@common
def audit(ctx: Ctx, case_id: str | None, limit: int | None, as_json: bool) -> None:
    """The audit log: who changed what, and when (all cases, or one)."""
    with ctx.open() as store:
        if case_id is not None and case_id not in store:
            from ..errors import CaseNotFound

            raise CaseNotFound(case_id)
        entries = store.audit_log(case_id, limit=limit)
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "user": e.user,
                    "identified_by": e.identified_by,
                    "case_id": e.case_id,
                    "action": e.action,
                    "version": e.version,
                    "note": e.note,
                    "changes": e.changes,
                }
                for e in entries
            ]
        )
        return
    rows = [
        (
            e.id,
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.user,
            e.case_id or "(store)",
            e.action,
            e.version or "",
            e.summary(70),
        )
        for e in entries
    ]
    click.echo(table(["#", "when (UTC)", "who", "case", "action", "v", "what changed"], rows))


@click.command()
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@common
def access(ctx: Ctx, case_id: str, as_json: bool) -> None:
    """Who opened a child's record, and when (managers and administrators)."""
    with ctx.open() as store:
        if case_id not in store:
            from ..errors import CaseNotFound

            raise CaseNotFound(case_id)
        entries = store.access_log(case_id)
    if as_json:
        echo_json([{**e, "at": e["at"].isoformat()} for e in entries])
        return
    if not entries:
        click.echo(f"{case_id}: nobody has opened this record since access was first logged.")
        return
    click.echo(
        table(
            ["when (UTC)", "who", "opened it in", "identified by"],
            [
                (f"{e['at']:%Y-%m-%d %H:%M:%S}", e["user"], e["what"], e["identified_by"])
                for e in entries
            ],
        )
    )


@click.command()
@click.option(
    "--cases",
    "n",
    type=click.IntRange(1, 1_000_000),
    default=60,
    show_default=True,
    help="How many synthetic cases.",
)
@click.option("--seed", type=int, default=1, show_default=True)
@as_of_option
@common
def demo(ctx: Ctx, n: int, seed: int, as_of: Any) -> None:
    """Fill a store with a synthetic caseload (invented children only).

    The cases are made and imported a chunk at a time (each chunk one transaction), so
    memory stays flat however many are asked for."""
    from ..demo import iter_caseload

    day = to_date(as_of)
    with ctx.open(create=True) as store:
        from ..demo import SYNTHETIC_IDS, synthetic_id, synthetic_number

        taken = [k for k in map(synthetic_number, store.case_ids()) if k is not None]
    first = max(taken) + 1 if taken else 1  # add after any demo cases already there
    if first + n - 1 > SYNTHETIC_IDS:
        raise click.BadParameter(
            f"the synthetic ids (TSW-900001..TSW-999999 and TSW-900000) hold {SYNTHETIC_IDS:,} cases; "
            f"{first - 1:,} are taken, so at most {SYNTHETIC_IDS - first + 1:,} more fit",
            param_hint="--cases",
        )
    from ..demo import DEMO_ADMIN, demo_staff
    from ..store.staff import add_staff

    with ctx.open(create=True) as store:
        if not store.training and not len(store) and not store.staff:
            # A new store becomes a training store: synthetic people, and --user is
            # believed there (access.identity), so anyone may practise as anyone.
            store.mark_training()
        if store.training:
            missing = [m for m in demo_staff() if m.login not in store.staff]
            if missing:
                from ..errors import StoreError

                try:
                    add_staff(store, missing, note="synthetic demo staff")
                except (
                    StoreError
                ) as exc:  # a database role that may add cases but not change the directory
                    click.echo(
                        f"note: the staff directory was not filled ({exc}); an administrator can run "
                        "`tswt staff add`.",
                        err=True,
                    )
            admin = DEMO_ADMIN[0] if DEMO_ADMIN[0] in store.staff else None
        else:
            admin = None  # a live store: the person running this must be allowed to restore
        from ..casework import record_cases

        note = f"synthetic demo caseload (seed {seed}, as of {day.isoformat()})"
        with progress(n, "Making and importing") as bar:
            for cases in iter_caseload(n, seed=seed, as_of=day, first=first):
                record_cases(store, cases, user=admin, note=note, progress=bar.update, restore=True)
    ids = f" ({synthetic_id(first)} to {synthetic_id(first + n - 1)})" if first > 1 else ""
    click.echo(
        f"Added {n} synthetic cases{ids} (seed {seed}, as of {day.isoformat()}) to {store.location}."
    )


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to a file instead of standard output.",
)
@click.option("--debug", is_flag=True, hidden=True)
def schema(output: Path | None, debug: bool) -> None:
    """The JSON Schema of a case file (with this team's vocabularies)."""
    from ..errors import TswtError
    from ..model.jsonschema import case_json_schema
    from ._common import check_output, fail

    try:
        check_output(output, store=os.environ.get("TSWT_STORE"))
        text = json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n"
        if output is not None:
            from ..reports.atomic import atomic_write_text

            atomic_write_text(
                output, text, mode=0o644
            )  # a schema is no one's record: readable by the team
    except TswtError as exc:
        if debug:
            raise
        fail(exc)
    if output is None:
        sys.stdout.write(text)
    else:
        click.echo(f"Wrote {output}.", err=True)


COMMANDS = [
    init,
    check,
    import_,
    update,
    export,
    validate,
    show,
    eligibility,
    caseload,
    audit,
    access,
    demo,
    schema,
]
