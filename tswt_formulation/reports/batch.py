"""The batch runner: many reports through the same path, in parallel, failures isolated.

``run_reports`` takes any ``concurrent.futures.Executor``: a process pool by default, a
Dask distributed client's executor on a cluster (``client.get_executor()``). Each job
runs a report notebook with papermill (kernels reused per worker), exports it with our
template and writes the files atomically and owner-only. One case failing never stops
the others; the summary names the case, the cell and the error, and a manifest records
every file with its sha256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..errors import ReportError
from .atomic import atomic_write_bytes, atomic_write_text
from .resources import KINDS, notebook_path

FORMATS = ("html", "pdf")
REQUIRED_PARAMETERS = {
    "formulation": {"case_id", "store", "as_of"},
    "outcomes": {"case_id", "store", "as_of"},
    "review": {"store", "as_of"},
}


@dataclass(frozen=True)
class ReportJob:
    kind: str
    case_id: str | None  # None for the caseload review
    store: str
    out_dir: str
    as_of: str
    formats: tuple[str, ...] = ("html",)
    notebook: str = ""
    extra: tuple[tuple[str, Any], ...] = ()
    engine: str = "inprocess"  # or "kernel" (see reports.execute)

    @property
    def stem(self) -> str:
        return (
            f"{self.case_id}_{self.kind}"
            if self.case_id
            else f"caseload_review_{self.as_of}"
            + (f"_{dict(self.extra).get('worker')}" if dict(self.extra).get("worker") else "")
        )


@dataclass
class ReportResult:
    """One report of a batch: ``status`` "ok" (its ``files`` and their ``sha256``) or
    "failed" (the notebook ``cell`` and the ``error``)."""

    case: str
    kind: str
    status: str  # "ok" or "failed"
    seconds: float
    files: list[str] = field(default_factory=list)
    sha256: list[str] = field(default_factory=list)
    cell: str = ""
    error: str = ""


@dataclass
class BatchSummary:
    """What a batch of reports did (returned by :func:`run_reports`).

    Attributes
    ----------
    results : list of ReportResult
        Every report, in the order asked for.
    out_dir : Path
        Where the reports were written.
    manifest : Path
        The batch's manifest (CSV: one row per report, with its files and digests).
    seconds : float
        Wall time of the whole batch.

    ``ok`` and ``failed`` are of one kind: the results that succeeded and those that
    failed (lists of :class:`ReportResult`); ``all_ok`` says whether none failed.
    In Jupyter a summary shows as a short HTML paragraph and a table of the failures;
    :meth:`text` is the same in plain text (what ``tswt reports`` prints).
    """

    results: list[ReportResult]
    out_dir: Path
    manifest: Path
    seconds: float

    @property
    def failed(self) -> list[ReportResult]:
        """The reports that failed."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> list[ReportResult]:
        """The reports written."""
        return [r for r in self.results if r.status == "ok"]

    @property
    def all_ok(self) -> bool:
        """True when every report was written."""
        return not self.failed

    def _repr_html_(self) -> str:
        from .._display import batch_html

        return batch_html(self)

    def text(self) -> str:
        n_ok = len(self.ok)
        lines = [
            f"{n_ok} of {len(self.results)} report(s) written to {self.out_dir} in {self.seconds:.1f} s; manifest {self.manifest}"
        ]
        if self.failed:
            lines.append(f"{len(self.failed)} failed:")
            lines += [
                f"  {r.case} ({r.kind}): {r.cell + ': ' if r.cell else ''}{r.error}"
                for r in self.failed
            ]
        return "\n".join(lines)


def render_report(job: ReportJob) -> ReportResult:
    """Run one report job (in a worker). Never raises: a failure is a result."""
    from .execute import execute
    from .export import to_html, to_pdf

    start = time.perf_counter()
    label = job.case_id or "caseload"
    try:
        params: dict[str, Any] = {"store": job.store, "as_of": job.as_of, **dict(job.extra)}
        if job.case_id is not None:
            params["case_id"] = job.case_id
        nb = execute(job.notebook, params, engine=job.engine)
        html = to_html(nb)
        outputs: list[tuple[Path, bytes]] = []
        for fmt in job.formats:
            data = html.encode("utf-8") if fmt == "html" else to_pdf(html)
            outputs.append((Path(job.out_dir) / f"{job.stem}.{fmt}", data))
        files, digests = [], []
        for path, data in outputs:  # only once every format rendered: no partial set
            atomic_write_bytes(path, data)
            files.append(str(path))
            digests.append(hashlib.sha256(data).hexdigest())
        return ReportResult(label, job.kind, "ok", time.perf_counter() - start, files, digests)
    except Exception as exc:  # noqa: BLE001 - isolate the failure; the batch goes on
        cell, error = _describe(exc)
        return ReportResult(
            label, job.kind, "failed", time.perf_counter() - start, cell=cell, error=error
        )


def _describe(exc: BaseException) -> tuple[str, str]:
    from ..errors import database_reason

    try:
        from papermill import PapermillExecutionError
    except ImportError:  # pragma: no cover
        PapermillExecutionError = ()
    if isinstance(exc, PapermillExecutionError):
        first = (exc.source or "").strip().splitlines()[0] if exc.source else ""
        return (
            f"cell {exc.cell_index} `{first[:60]}`",
            f"{exc.ename}: {database_reason(exc.evalue) if exc.evalue else ''}",
        )
    return "", f"{type(exc).__name__}: {database_reason(exc)}"


class InlineExecutor(Executor):
    """Runs each job at once, in this process: for a single report, where starting a
    worker process and loading its libraries there would cost more than the report."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed back as a pool would
            future.set_exception(exc)
        return future


def without_iri_grammars() -> None:
    """For a process of ours (``tswt reports``, a batch worker): papermill and nbconvert
    import nbformat, which imports jsonschema, which imports rfc3987-syntax where it is
    installed (jupyter_server brings it) and so compiles 39 Lark grammars, about 1.6 s
    of every report process, for the "iri" string formats. Notebook validation never
    checks formats, so jsonschema is let go without them. Nothing changes once jsonschema
    is already imported."""
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment] # its import -> ImportError


PRELOAD = (
    "tswt_formulation.reports._worker_preload",
    "tswt_formulation.reports._worker_preload_charts",
)


def _forkserver(kind: str | None = None) -> Any:
    """The forkserver context with our preload (a formulation batch: without the charts'
    libraries), its server started (or already running: it keeps the preload it started
    with); None where there is none (Windows) or it cannot start (no Unix sockets): then
    the workers are spawned."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        list(PRELOAD[:1] if kind == "formulation" else PRELOAD)
    )  # read when the server starts
    try:
        forkserver.ensure_running()
    except Exception:  # noqa: BLE001 - spawned workers do the same work, only slower to start
        return None
    return ctx


def start_workers_early(engine: str = "inprocess", kind: str | None = None) -> None:
    """Start the in-process engine's forkserver now, so that it loads what the reports
    need (:mod:`._worker_preload`) while this process is still choosing the cases."""
    if engine == "inprocess":
        _forkserver(kind)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with(batch: int) -> None:
    """A worker dies with the batch that made it: after a ``kill -9`` of ``tswt reports``
    its workers (each holding the libraries, and under the kernel engine a kernel) must not
    live on. A thread waits for the batch process to end (on Linux a pidfd, readable the
    moment it exits; elsewhere it polls) and ends the worker; a spawned worker, whose
    parent is the batch itself, also has Linux send it SIGKILL then (PR_SET_PDEATHSIG).
    A forkserver's worker cannot rely on its parent: the server lives as long as any of
    its workers does. What the workers held follows them: the forkserver and the resource
    tracker end when the last holder of their pipe does, and a kernel ends when its
    worker does (ipykernel watches its parent)."""
    import threading

    if sys.platform.startswith("linux") and os.getppid() == batch:
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the thread below does it
            pass
    try:
        handle: int | None = os.pidfd_open(batch) if hasattr(os, "pidfd_open") else None
    except ProcessLookupError:  # the batch is gone already
        os._exit(1)
    except OSError:  # an old kernel: poll instead
        handle = None

    def watch() -> None:
        if handle is not None:
            import select

            select.select([handle], [], [])  # readable once the batch has exited
        else:
            while True:
                try:
                    os.kill(batch, 0)
                except ProcessLookupError:
                    break
                except PermissionError:  # alive, another user's (cannot be: it made us)
                    pass
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="tswt-batch-watch", daemon=True).start()


def _spawned_worker(batch: int) -> None:
    die_with(batch)
    without_iri_grammars()


def _adopt(environ: dict[str, str], cwd: str, batch: int) -> None:
    """A forked worker takes the environment and folder of the batch that asked for it
    (the server kept those of when it started), as a spawned one would; and dies with it."""
    die_with(batch)
    if os.environ != environ:
        os.environ.clear()
        os.environ.update(environ)
    if os.getcwd() != cwd:
        os.chdir(cwd)
    without_iri_grammars()


def default_executor(
    jobs: int | None = None, engine: str = "inprocess", kind: str | None = None
) -> Executor:
    # Kernels: spawn, not fork (kernels and zmq sockets do not survive a fork safely).
    # In-process reports: workers forked from a forkserver that has loaded what every
    # report needs (_worker_preload), not one interpreter each importing it all again;
    # the server itself is a fresh interpreter, so nothing is forked from this process.
    # Workers are not recycled (max_tasks_per_child hangs the pool on Python 3.11 when a
    # worker retires mid-batch); in-process reports keep a worker's memory flat without it.
    ctx = _forkserver(kind) if engine == "inprocess" else None
    if ctx is None:
        return ProcessPoolExecutor(
            max_workers=jobs or os.cpu_count() or 1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_spawned_worker,
            initargs=(os.getpid(),),
        )
    return ProcessPoolExecutor(
        max_workers=jobs or os.cpu_count() or 1,
        mp_context=ctx,
        initializer=_adopt,
        initargs=(dict(os.environ), os.getcwd(), os.getpid()),
    )


def run_reports(
    cases: Iterable[str] | None,
    kind: str,
    store: str,
    out_dir: str | Path,
    executor: Executor | None = None,
    formats: Sequence[str] = ("html",),
    as_of: date | str | None = None,
    jobs: int | None = None,
    notebook: str | Path | None = None,
    progress: bool = True,
    extra: dict[str, Any] | None = None,
    engine: str = "inprocess",
) -> BatchSummary:
    """Produce reports for many cases; failures are isolated and summarised.

    Parameters
    ----------
    cases : iterable of case ids, or None
        The cases (ignored for ``kind="review"``, which reports on the caseload).
    kind : {"formulation", "outcomes", "review"}
    store : str
        The case store path or URL the notebooks open (read only).
    out_dir : path
        Where the reports and ``manifest-KIND.json``/``.csv`` go (created owner-only).
    executor : concurrent.futures.Executor, optional
        Default: a process pool of ``jobs`` workers. A Dask client's
        ``client.get_executor()`` works the same way.
    formats : ("html",), ("pdf",) or both
    as_of : date or "YYYY-MM-DD", optional (default today)
    notebook : path, optional
        Another notebook with the same parameters (a team's own layout).
    engine : {"inprocess", "kernel"}
        Run each notebook's cells in the worker process (default: papermill with our
        ``tswt-inprocess`` engine), or in a Jupyter kernel per worker (for a notebook
        that uses IPython magics).

    Returns
    -------
    BatchSummary
        Every result in case order, the manifest path and the time taken.
    """
    from .resources import ENGINES, check_parameters

    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; expected one of: {', '.join(KINDS)}")
    if engine not in ENGINES:
        raise ReportError(
            f"unknown notebook engine {engine!r}; expected one of: {', '.join(ENGINES)}"
        )
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ReportError(f"unknown format {', '.join(bad) or '(none)'}; expected html and/or pdf")
    if "pdf" in formats:
        from .export import pdf_available

        ok, why = pdf_available()
        if not ok:
            raise ReportError(why)
    nb_path = str(notebook or notebook_path(kind))
    check_parameters(nb_path, REQUIRED_PARAMETERS[kind])
    day = as_of.isoformat() if isinstance(as_of, date) else (as_of or date.today().isoformat())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    extra_items = tuple(sorted((extra or {}).items()))
    if kind == "review":
        job_list = [
            ReportJob(
                kind, None, store, str(out), day, tuple(formats), nb_path, extra_items, engine
            )
        ]
    else:
        ids = list(dict.fromkeys(cases or []))
        if not ids:
            raise ReportError("no cases to report on")
        job_list = [
            ReportJob(kind, cid, store, str(out), day, tuple(formats), nb_path, extra_items, engine)
            for cid in ids
        ]

    own = executor is None
    started = datetime.now(UTC)
    executor_name = "process pool" if own else type(executor).__name__
    pool: Executor = (
        default_executor(min(jobs or os.cpu_count() or 1, len(job_list)), engine, kind)
        if executor is None
        else executor
    )
    start = time.perf_counter()
    results: dict[int, ReportResult] = {}
    bar = _progress(len(job_list), kind, progress)
    try:
        futures: dict[Future[ReportResult], int] = {
            pool.submit(render_report, job): i for i, job in enumerate(job_list)
        }
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself died (killed, out of memory)
                job = job_list[i]
                results[i] = ReportResult(
                    job.case_id or "caseload",
                    kind,
                    "failed",
                    0.0,
                    error=f"worker failed: {type(exc).__name__}: {exc}",
                )
            bar.update(1)
    finally:
        bar.close()
        if own:
            pool.shutdown(wait=True)
    ordered = [results[i] for i in range(len(job_list))]
    seconds = time.perf_counter() - start
    batch = batch_record(kind, store, day, ordered, started, seconds, extra or {}, executor_name)
    manifest = write_manifest(out, ordered, batch)
    return BatchSummary(ordered, out, manifest, seconds)


def batch_record(
    kind: str,
    store: str,
    as_of: str,
    results: list[ReportResult],
    started: datetime,
    seconds: float,
    extra: dict[str, Any],
    executor: str,
) -> dict[str, Any]:
    """What the manifest says of the batch itself: who ran it, when, on which store
    (a password in a URL masked), with which rules, measure definitions and constants,
    where it ran, and the counts."""
    from .. import config
    from .._version import __version__
    from ..store.engine import display_location

    def quietly(
        read: Any,
    ) -> Any:  # the batch is done: a file that has since gone must not fail its manifest
        try:
            return read()
        except Exception as exc:  # noqa: BLE001
            return f"unreadable: {type(exc).__name__}"

    def rules() -> dict[str, str]:
        from ..rules.rulefile import active_rules

        r = active_rules()
        return {"version": r.version, "source": str(r.source)}

    def measures() -> dict[str, str]:
        from ..measures.definition import list_measures

        return {m.id: m.version for m in list_measures()}

    def constants() -> dict[str, str] | None:
        from ..measures.constants import active_constants

        c = active_constants(extra.get("constants"))
        return None if c is None else {"version": c.version, "path": c.path}

    try:
        who = str(extra.get("author") or config.current_user(None))
    except Exception:  # noqa: BLE001 - no usable login in this environment: say so, do not fail the manifest
        who = "unknown"
    return {
        "kind": kind,
        "by": who,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "store": display_location(store),
        "as_of": as_of,
        "package_version": __version__,
        "executor": executor,
        "rules": quietly(rules),
        "measures": quietly(measures),
        "constants": quietly(constants) if kind != "formulation" else None,
        "counts": {
            "reports": len(results),
            "ok": sum(r.status == "ok" for r in results),
            "failed": sum(r.status != "ok" for r in results),
        },
    }


def _progress(total: int, kind: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=f"{kind} reports",
        unit="report",
        file=sys.stderr,
        disable=not enabled or None,
        leave=False,
    )


def write_manifest(
    out: Path, results: list[ReportResult], batch: dict[str, Any] | None = None
) -> Path:
    """manifest-KIND.json and manifest-KIND.csv: case, kind, file, sha256, status, seconds, cell, error;
    the JSON also records the ``batch`` itself (:func:`batch_record`)."""
    rows = []
    for r in results:
        for f, digest in zip(r.files, r.sha256) if r.files else [("", "")]:
            rows.append(
                {
                    "case": r.case,
                    "kind": r.kind,
                    "file": Path(f).name if f else "",
                    "sha256": digest,
                    "status": r.status,
                    "seconds": round(r.seconds, 3),
                    "cell": r.cell,
                    "error": r.error,
                }
            )
    kind = results[0].kind if results else "reports"
    path = out / f"manifest-{kind}.json"
    atomic_write_text(
        path, json.dumps({**({"batch": batch} if batch else {}), "reports": rows}, indent=2) + "\n"
    )
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=["case", "kind", "file", "sha256", "status", "seconds", "cell", "error"]
    )
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / f"manifest-{kind}.csv", buf.getvalue())
    return path


__all__ = [
    "BatchSummary",
    "InlineExecutor",
    "ReportJob",
    "ReportResult",
    "batch_record",
    "render_report",
    "run_reports",
    "start_workers_early",
    "without_iri_grammars",
    "write_manifest",
]
