"""tswt app: the practitioners' workbench in the browser (Voila, on 127.0.0.1 only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import EXIT_INVALID, fail, store_option, user_option

if TYPE_CHECKING:  # socket and subprocess are imported by `tswt app` alone
    import subprocess

APP_NOTEBOOK = "workbench_app.ipynb"
HOST = "127.0.0.1"  # never 0.0.0.0: the local app has no login of its own


MAX_PAGES = 8  # each open page holds a kernel, a Python process of about 200 MB
IDLE_TIMEOUT = (
    60  # seconds before a kernel no browser is connected to (a tab that died) is shut down;
)
# a page closed, left or reloaded shuts its own down as it unloads (workbench/server.py)


def voila_command(
    notebook: Path, port: int, max_pages: int = MAX_PAGES, idle_timeout: int = IDLE_TIMEOUT
) -> list[str]:
    """The Voila server for the workbench (workbench/server.py: loopback Host and Origin
    only, pages bounded, idle kernels culled, nothing fetched off the machine): this
    machine only, code never shown, one kernel kept warm so the page shows quickly, no
    tracebacks sent to the browser."""
    return [
        sys.executable,
        "-m",
        "tswt_formulation.workbench.server",
        str(notebook),
        "--no-browser",
        f"--Voila.ip={HOST}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--preheat_kernel=True",
        "--pool_size=1",
        f"--TswtVoila.max_pages={max_pages}",
        f"--TswtVoila.idle_timeout={idle_timeout}",
    ]


def _free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((HOST, port)) != 0


def _wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            return False
        if not _free(port):
            return True
        time.sleep(0.2)
    return False


@click.command()
@store_option
@user_option(
    "Who saves in this app (default: $TSWT_USER, else your login); every save is audited with it."
)
@click.option(
    "--port",
    type=click.IntRange(1024, 65535),
    default=8866,
    show_default=True,
    help="Port on 127.0.0.1.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser; just print the address.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Date the caseload is shown as of (default: today).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(1, 100),
    default=MAX_PAGES,
    show_default=True,
    help="Most workbench pages (browser tabs) served at once; each holds a Python process of about 200 MB.",
)
@click.option(
    "--idle-timeout",
    type=click.IntRange(1, None),
    default=IDLE_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Shut down a page's kernel once no browser has shown it for this long (an open tab keeps its own).",
)
@click.option(
    "--constants",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The team's reliable-change constants for the Reports tab's outcomes and review "
    "reports, as tswt reports --constants (default: $TSWT_MEASURE_CONSTANTS).",
)
@click.option("--debug", is_flag=True, help="Show a full traceback on error, and Voila's log.")
def app(
    store: str | None,
    user: str | None,
    port: int,
    no_browser: bool,
    as_of: object,
    max_pages: int,
    idle_timeout: int,
    constants: Path | None,
    debug: bool,
) -> None:
    """Start the workbench: forms for the caseload, referrals, screening, measures,
    formulation, sign-off and reports, in the browser at http://127.0.0.1:PORT/.

    It listens on this machine only and has no login of its own: everyone who can
    reach the port acts as --user. For a team, run it behind JupyterHub (README).
    Needs the app extra: pip install 'tswt-formulation[app]'. Stop it with Ctrl+C.
    """
    import importlib.util
    import subprocess

    from ..config import current_user, store_location
    from ..errors import TswtError
    from ..store import open_store

    for module in ("voila", "ipywidgets"):
        if importlib.util.find_spec(module) is None:
            click.echo(
                f"error: the workbench needs {module}: pip install 'tswt-formulation[app]'",
                err=True,
            )
            sys.exit(EXIT_INVALID)
    location = store_location(store)
    who = current_user(user)
    try:
        with open_store(location, user=who):  # a bad store is one line here, not a broken page
            pass
        # and a bad constants file, not a report that judges nothing
        from ..measures.constants import active_constants

        active_constants(constants)
    except TswtError as exc:
        if debug:
            raise
        fail(exc)
    if not _free(port):
        click.echo(f"error: port {port} on {HOST} is in use; choose another with --port", err=True)
        sys.exit(EXIT_INVALID)
    if "://" not in location:
        location = str(Path(location).resolve())
    env = {**os.environ, "TSWT_STORE": location, "TSWT_USER": who}
    if constants is not None:  # the Reports tab's reports read it, as tswt reports does
        env["TSWT_MEASURE_CONSTANTS"] = str(constants.resolve())
    if as_of is not None:
        env["TSWT_AS_OF"] = as_of.date().isoformat()  # type: ignore[attr-defined]
    notebook = Path(__file__).resolve().parent.parent / "workbench" / APP_NOTEBOOK
    url = f"http://{HOST}:{port}/"
    log = None if debug else subprocess.DEVNULL
    process = subprocess.Popen(
        voila_command(notebook, port, max_pages, idle_timeout), env=env, stdout=log, stderr=log
    )
    import signal

    def _stop(_signum: int, _frame: object) -> None:  # SIGTERM stops the server as Ctrl+C does
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        if not _wait_until_up(port, process):
            click.echo(
                "error: the workbench server did not start (run again with --debug to see why)",
                err=True,
            )
            process.terminate()
            sys.exit(EXIT_INVALID)
        click.echo(f"TSWT workbench for {who} on {location}")
        click.echo(f"Open {url} in your browser (this machine only). Press Ctrl+C to stop.")
        if not no_browser:
            import webbrowser

            webbrowser.open(url)
        process.wait()
    except KeyboardInterrupt:
        click.echo("Stopping the workbench.")
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


COMMANDS = [app]
