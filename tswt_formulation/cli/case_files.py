"""Commands on case files: import, update, export (and the SSDA903 return), validate,
schema: cases into the store from files, and out of it into files."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import click

from .._version import __version__
from ._common import (
    Ctx,
    common,
    json_text,
    one_line,
    progress,
)

EXPORT_FORMAT = "tswt-cases/1"  # model.parse.FORMATS lists what import reads


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
    import_,
    update,
    export,
    validate,
    schema,
]
