"""The web server and the processes under a hostile probe (issue 19, "The web server"
and "Processes"): only loopback host names are served, kernels are bounded and culled,
no page asks for anything off this machine, ``/logout`` is a plain page, report files
do not outlive their session, batch workers die with their parent, the kernel engine is
recycled, and a report notebook never defaults to a child nobody named.

The browser test needs Debian's chromium (and playwright): off CI it skips with the
reason; under CI=true it fails instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tswt_formulation import open_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic demo caseload (ids TSW-900001...)."""
    from tswt_formulation.demo import generate_caseload

    path = tmp_path_factory.mktemp("safety") / "demo.sqlite"
    with open_store(str(path), user="demo", create=True) as store:
        store.import_cases(generate_caseload(6, seed=1))
    return path


# -- Report notebooks: no default case ------------------------------------------------------


@pytest.mark.parametrize("kind", ["formulation", "outcomes"])
def test_a_report_notebook_without_a_case_id_fails_naming_the_parameter(kind: str, demo_store: Path) -> None:
    import papermill as pm

    from tswt_formulation.reports.execute import execute
    from tswt_formulation.reports.resources import notebook_path

    # A misspelt parameter (-p case ...) leaves case_id unset: papermill only warns about it.
    with pytest.raises(pm.PapermillExecutionError) as caught:
        execute(str(notebook_path(kind)), {"case": "TSW-900002", "store": str(demo_store), "as_of": "2026-11-20"})
    assert caught.value.ename == "ReportError"
    assert "case_id parameter" in caught.value.evalue
    # Named properly, the same notebook reports on that child.
    out = execute(str(notebook_path(kind)), {"case_id": "TSW-900002", "store": str(demo_store), "as_of": "2026-11-20"})
    assert "TSW-900002" in str(out.cells)


def test_the_report_notebooks_default_no_case_id() -> None:
    from tswt_formulation.reports.resources import _parameter_names, notebook_path

    import json

    for kind in ("formulation", "outcomes"):
        nb = json.loads(notebook_path(kind).read_text())
        cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
        assert "case_id = None" in "".join(cell["source"])
        assert "case_id" in (_parameter_names(str(notebook_path(kind))) or set())


# -- Processes: batch workers die with their parent -----------------------------------------


def _alive(proc) -> bool:  # noqa: ANN001 - a psutil.Process
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["inprocess", "kernel"])
def test_kill_9_of_a_batch_leaves_no_worker_alive(engine: str, tmp_path: Path) -> None:
    import psutil

    from tswt_formulation.demo import generate_caseload

    store = tmp_path / "demo.sqlite"
    with open_store(str(store), user="demo", create=True) as s:
        s.import_cases(generate_caseload(40, seed=2))
    out = tmp_path / "reports"
    batch = psutil.Popen([sys.executable, "-c", "from tswt_formulation.cli import main; main()", "reports", "--all", "--kind", "formulation",
                          "--jobs", "2", "--engine", engine, "--store", str(store), "--out", str(out), "--as-of", "2026-11-20"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 120
        while not (out.exists() and any(out.glob("*.html"))):  # the workers are at work
            assert batch.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < end, "no report within 120 s"
            time.sleep(0.1)
        family = batch.children(recursive=True)
        workers = [p for p in family if _alive(p)]
        assert len(workers) >= 2, f"expected the batch's workers, found {[p.cmdline()[:3] for p in family]}"
        batch.send_signal(signal.SIGKILL)
        batch.wait(10)
        end = time.monotonic() + 8
        while any(_alive(p) for p in workers) and time.monotonic() < end:
            time.sleep(0.2)
        survivors = [(p.pid, " ".join(p.cmdline()[:4])) for p in workers if _alive(p)]
        assert survivors == [], f"outlived the batch: {survivors}"
    finally:
        for p in [batch, *batch.children(recursive=True)] if batch.poll() is None else []:
            p.kill()
        for p in locals().get("workers", []):
            if _alive(p):
                p.kill()


# -- The kernel engine: no client left open, the kernel recycled -----------------------------


@pytest.mark.slow
def test_the_kernel_engine_closes_each_runs_client_and_recycles_its_kernel(demo_store: Path, monkeypatch) -> None:
    from tswt_formulation.reports import execute as ex
    from tswt_formulation.reports.resources import notebook_path

    def threads() -> int:  # native ones too: a zmq context has two
        return len(os.listdir("/proc/self/task")) if Path("/proc/self/task").exists() else 0

    monkeypatch.setattr(ex, "KERNEL_RUNS", 3)
    ex.shutdown_sessions()
    nb = str(notebook_path("formulation"))
    sessions, counts = [], []
    try:
        for i in range(4):
            ex.execute(nb, {"case_id": f"TSW-90000{i % 6 + 1}", "store": str(demo_store), "as_of": "2026-11-20"}, engine="kernel")
            sessions.append(ex._local.session)
            counts.append(threads())
    finally:
        ex.shutdown_sessions()
    assert sessions[0] is sessions[1] is sessions[2], "a kernel runs KERNEL_RUNS reports"
    assert sessions[3] is not sessions[2], "then a fresh kernel takes over"
    assert counts[2] <= counts[0], f"threads grew with each report (a client left open each time): {counts}"
