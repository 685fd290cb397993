"""tswt reports: the formulation, outcomes and caseload-review reports, many at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._common import Ctx, as_of_option, common, to_date


@click.command()
@click.argument("case_ids", nargs=-1)
@click.option("--all", "all_cases", is_flag=True, help="Every case in the store.")
@click.option("--overdue", is_flag=True, help="Cases whose screening is overdue.")
@click.option(
    "--worker",
    help="This worker's cases (for --kind review: the review of this worker's caseload).",
)
@click.option("--kind", type=click.Choice(["formulation", "outcomes", "review"]), required=True)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["html", "pdf"]),
    multiple=True,
    default=("html",),
    show_default=True,
    help="Repeat for both.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per core).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports"),
    show_default=True,
)
@click.option(
    "--notebook",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A team's own notebook with the same parameters.",
)
@click.option(
    "--constants",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Outcomes/review: the team's reliable-change constants (default: $TSWT_MEASURE_CONSTANTS).",
)
@click.option(
    "--engine",
    type=click.Choice(["inprocess", "kernel"]),
    default="inprocess",
    show_default=True,
    help="Run the notebooks in the worker processes, or each in a Jupyter kernel (for a --notebook that uses IPython magics).",
)
@click.option(
    "--dask-scheduler",
    "scheduler",
    metavar="ADDRESS",
    help="Run the reports on a Dask cluster (e.g. tcp://scheduler:8786; needs the dask extra). Every worker "
    "must reach the store and write to --out at the same path (a shared folder).",
)
@click.option(
    "--latest",
    is_flag=True,
    help="Formulation: report the latest version even if not signed off (default: the latest signed-off one).",
)
@as_of_option
@common
def reports(
    ctx: Ctx,
    case_ids: tuple[str, ...],
    all_cases: bool,
    overdue: bool,
    worker: str | None,
    kind: str,
    formats: tuple[str, ...],
    jobs: int | None,
    out_dir: Path,
    notebook: Path | None,
    constants: Path | None,
    engine: str,
    latest: bool,
    scheduler: str | None,
    as_of: Any,
) -> None:
    """Produce reports (HTML, or PDF with the pdf extra) for cases, in parallel.

    One case failing does not stop the others; at the end the failures are listed
    (case, cell, error) and manifest-KIND.json/.csv record every file with its sha256.
    Exit 1 if any case failed.
    """
    from ..config import store_location
    from ..reports.batch import (
        InlineExecutor,
        run_reports,
        start_workers_early,
        without_iri_grammars,
    )

    without_iri_grammars()
    # One report (the caseload review, one named case) runs here: starting a worker and
    # loading its libraries there would cost more than the report. Several start their
    # workers now, so that the libraries load while the cases are chosen.
    one = engine == "inprocess" and (kind == "review" or len(case_ids) == 1)
    if scheduler and jobs:
        raise click.UsageError(
            "--jobs sets the local worker processes; with --dask-scheduler the cluster's workers run the reports"
        )
    if not one and not scheduler:
        start_workers_early(engine, kind)

    day = to_date(as_of)
    location = store_location(ctx.store_location)
    # The reports open the store themselves, in workers that see the environment, not
    # --user: they act as the person this command was run by, resolved as opening the
    # store resolves it (access.identity: --user counts only where it is believed).
    import os

    acting = ctx.identity().login
    os.environ["TSWT_USER"] = acting
    extra: dict[str, Any] = {}
    if constants is not None:
        if kind == "formulation":
            raise click.UsageError("--constants goes with --kind outcomes or review")
        extra["constants"] = str(constants.resolve())
    # Check the team's files now, once, not in every notebook kernel: a bad constants file
    # or measure folder is one error line and exit 2 before any report starts.
    from ..measures.constants import active_constants
    from ..measures.definition import list_measures

    list_measures()
    if kind != "formulation":
        active_constants(constants)
    if latest:
        if kind != "formulation":
            raise click.UsageError("--latest goes with --kind formulation")
        extra["version"] = "latest"
    if kind == "review":
        extra["author"] = acting  # who prepares it, named in its header
        if case_ids or all_cases or overdue:
            raise click.UsageError(
                "--kind review reports on the caseload; name no cases (use --worker to narrow it)"
            )
        ids: list[str] = []
        if worker:
            from .cases import _check_worker

            with ctx.open() as store:
                _check_worker(store, worker)
            extra["worker"] = worker
    else:
        chosen = sum(bool(x) for x in (case_ids, all_cases, overdue, worker))
        if chosen != 1:
            raise click.UsageError("name the cases, or give one of --all, --overdue, --worker W")
        with ctx.open() as store:
            from .cases import _check_worker

            _check_worker(store, worker)
            if case_ids:
                missing = [c for c in case_ids if c not in store]
                if missing:
                    from ..errors import CaseNotFound

                    raise CaseNotFound(missing[0])
                ids = list(case_ids)
            else:
                frame = store.caseload(day, worker=worker, overdue=overdue)
                ids = list(frame["case_id"])
                if kind == "outcomes":
                    ids = (
                        [cid for cid in ids if store.get(cid).measures] if len(ids) < 5000 else ids
                    )
        if not ids:
            click.echo("No cases match; nothing to do.")
            return
    inline = engine == "inprocess" and (kind == "review" or len(ids) == 1) and not scheduler
    options: dict[str, Any] = {
        "formats": formats,
        "as_of": day,
        "jobs": jobs,
        "extra": extra,
        "engine": engine,
        "notebook": str(notebook.resolve()) if notebook else None,
    }
    if scheduler:
        client = _dask_client(scheduler)
        try:
            summary = run_reports(
                ids, kind, location, out_dir.resolve(), executor=client.get_executor(), **options
            )
        finally:
            client.close()
    else:
        summary = run_reports(
            ids, kind, location, out_dir, executor=InlineExecutor() if inline else None, **options
        )
    click.echo(summary.text())
    if not summary.all_ok:
        raise SystemExit(1)


def _dask_client(address: str) -> Any:
    """A client of the Dask scheduler at ``address``, or a one-line error saying why not."""
    try:
        from distributed import Client
    except ImportError:
        raise click.UsageError(
            "--dask-scheduler needs Dask: pip install 'tswt-formulation[dask]'"
        ) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise click.UsageError(
            f"--dask-scheduler {address}: cannot reach the scheduler ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no answer'})"
        ) from None


COMMANDS = [reports]
