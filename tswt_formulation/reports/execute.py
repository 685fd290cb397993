"""Run a parameterised notebook with papermill: in this process by default (our engine,
:mod:`.inprocess`), or in a Jupyter kernel reused per worker (``engine="kernel"``, for a
team's notebook that needs IPython).

Starting a kernel and importing pandas and matplotlib costs seconds; a report takes a
fraction of that. So each worker process (or thread) starts one kernel and runs report
after report in it, clearing the namespace first (``%reset -f``), so no state passes
from one child's report to the next. A kernel that dies is replaced, and one that has
run ``KERNEL_RUNS`` reports is recycled (its memory grows otherwise).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, cast

import nbformat

from ..errors import ReportError
from .resources import ENGINES, check_parameters  # noqa: F401 - re-exported: they live in resources now

RESET_TAG = "tswt-reset"
_RESET_SOURCE = "%reset -f\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"
_local = threading.local()
# A kernel runs this many reports, then a fresh one takes over (about two seconds): a
# bound on whatever ``%reset`` does not give back (modules' caches, pandas' and
# matplotlib's state). The worker's own growth (~7 MB a report) was nbclient's clients
# left open, closed now (see execute). 0: never recycle. bench/bench_kernel_memory.py.
KERNEL_RUNS = 200

if TYPE_CHECKING:
    from jupyter_client import AsyncKernelClient, AsyncKernelManager


class KernelSession:
    """One running kernel (nbclient's async manager and client), kept for many runs."""

    def __init__(self, kernel_name: str = "python3") -> None:
        from nbclient import NotebookClient

        boot = NotebookClient(nbformat.v4.new_notebook(), kernel_name=kernel_name)
        boot.km = boot.create_kernel_manager()
        # IPC (Unix sockets in the user's private Jupyter runtime folder), never
        # plain TCP: report data is OFFICIAL-SENSITIVE.
        boot.km.transport = "ipc"
        boot.km.ip = _ipc_prefix()
        boot.start_new_kernel()
        boot.start_new_kernel_client()
        # nbclient makes the async manager and client; its attributes are typed as their bases
        self.km = cast("AsyncKernelManager", boot.km)
        self.kc = cast("AsyncKernelClient", boot.kc)
        self._boot = boot
        self.runs = 0

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001 - a kernel that cannot answer is not alive
            return False

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
        import shutil
        from pathlib import Path

        shutil.rmtree(Path(str(self.km.ip)).parent, ignore_errors=True)  # the private IPC folder


def _ipc_prefix() -> str:
    import os
    import tempfile

    from jupyter_core.paths import jupyter_runtime_dir

    base = jupyter_runtime_dir()
    os.makedirs(base, mode=0o700, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="tswt-kernel-", dir=base)  # 0700
    return os.path.join(folder, "ipc")


def _session() -> KernelSession:
    sess = getattr(_local, "session", None)
    if sess is not None and KERNEL_RUNS and sess.runs >= KERNEL_RUNS:  # recycled: see KERNEL_RUNS
        sess.shutdown()
        sess = _local.session = None
    if sess is None or not sess.alive():
        if sess is not None:
            sess.shutdown()
        sess = KernelSession()
        _local.session = sess
        _register_shutdown()
    return sess


_registered = False


def _register_shutdown() -> None:
    global _registered
    if _registered:
        return
    import atexit
    from multiprocessing import util

    atexit.register(shutdown_sessions)
    util.Finalize(None, shutdown_sessions, exitpriority=100)  # process-pool workers skip atexit
    _registered = True


def shutdown_sessions() -> None:
    sess = getattr(_local, "session", None)
    if sess is not None:
        sess.shutdown()
        _local.session = None


def execute(
    notebook: str | Any,
    parameters: dict[str, Any],
    timeout: int = 600,
    reuse_kernel: bool = True,
    engine: str = "inprocess",
) -> Any:
    """Execute a notebook (path or NotebookNode) with parameters; return the executed node.

    ``engine="inprocess"`` (default) runs the cells in this process; ``"kernel"`` in a
    Jupyter kernel (reused across calls unless ``reuse_kernel=False``; ``timeout`` per
    cell applies there). Raises ``papermill.PapermillExecutionError`` (cell index counted
    in the notebook as the user sees it) when a cell fails.
    """
    import papermill as pm

    if engine not in ENGINES:
        raise ReportError(
            f"unknown notebook engine {engine!r}; expected one of: {', '.join(ENGINES)}"
        )
    nb = (
        nbformat.read(str(notebook), as_version=4)
        if not isinstance(notebook, nbformat.NotebookNode)
        else notebook
    )
    nb = nbformat.from_dict(nb)
    if engine == "inprocess":
        return _execute_inprocess(nb, parameters)
    if reuse_kernel:
        reset = nbformat.v4.new_code_cell(_RESET_SOURCE, metadata={"tags": [RESET_TAG]})
        reset["id"] = "tswt-reset"
        nb.cells.insert(0, reset)
        sess = _session()
        engine_kwargs: dict[str, Any] = {"km": sess.km}  # (a client given is ignored: see below)
    else:
        engine_kwargs = {}
    clients: list[Any] = []
    if reuse_kernel:
        # nbclient ignores the client it is given and makes one of its own on every run,
        # which it leaves open when it does not own the kernel: each report left a zmq
        # context (two threads), its sockets and, worst, an iopub socket that went on
        # queueing every later report's output (the worker grew ~7 MB a report, more
        # with each). Every client made for this run is closed when it ends.
        _record_clients(sess.km, clients)
    try:
        out = pm.execute_notebook(
            nb,
            None,
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            **engine_kwargs,
        )
    except pm.PapermillExecutionError as exc:
        # Number the failing cell as the notebook's author sees it (without our reset
        # cell and papermill's injected parameters).
        original = [c for c in nb.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
        matches = [i for i, c in enumerate(original) if c.get("source", "") == exc.source]
        if matches:
            exc.cell_index = matches[0]
        raise
    except Exception as exc:  # the kernel died or could not start
        if reuse_kernel:
            shutdown_sessions()
        raise ReportError(f"the notebook could not run: {type(exc).__name__}: {exc}") from exc
    finally:
        if reuse_kernel:
            vars(sess.km).pop("client", None)
        for client in clients:
            _close_client(client)
    if reuse_kernel:
        out.cells = [c for c in out.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
        _local.session.runs += 1
    return out


def _record_clients(km: Any, made: list[Any]) -> None:
    """Until undone (``vars(km).pop("client")``), each client made from ``km`` is put in ``made``."""
    original = type(km).client

    def client(**kwargs: Any) -> Any:
        kc = original(km, **kwargs)
        made.append(kc)
        return kc

    km.client = client  # this manager only; the session's own client is made already


def _close_client(kc: Any) -> None:
    with contextlib.suppress(Exception):  # channels never started, or already stopped
        kc.stop_channels()
    context = getattr(kc, "context", None)
    if context is not None and getattr(kc, "_created_context", False):
        context.destroy(linger=0)


def _execute_inprocess(nb: Any, parameters: dict[str, Any]) -> Any:
    import papermill as pm
    from papermill.engines import papermill_engines

    from .inprocess import ENGINE_NAME, InProcessEngine

    # Normally registered from our entry point; also here for a checkout not re-installed.
    papermill_engines.register(ENGINE_NAME, InProcessEngine)
    try:
        return pm.execute_notebook(
            nb,
            None,
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except pm.PapermillExecutionError as exc:
        matches = [i for i, c in enumerate(nb.cells) if c.get("source", "") == exc.source]
        if matches:
            exc.cell_index = matches[0]
        raise
