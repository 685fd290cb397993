"""The team server's pieces that JupyterHub loads (deploy/jupyterhub_config.py): the spawner
that gives each person the workbench, and psychologists an analysis server too, and the
login bridge that lets the standalone workbench server (Voila) trust the hub's login.

Imported only by JupyterHub and by the workbench server it starts (``python -m
tswt_formulation.hub``); both need the ``hub`` extra. Nothing else in the package imports it.

Who gets what (docs/team-server.md, section 5 "Behind JupyterHub"):

- Everyone's default server is the workbench: Voila serving the workbench notebook on
  its own (not as an extension of a Jupyter server), so there is no file browser, no
  terminal, no contents API and no notebook but this one, and the kernel's websocket
  accepts only widget (comm) messages: Voila drops an ``execute_request`` from the
  browser. Its environment carries the store URL of the application's database role
  (``TSWT_HUB_APP_STORE``), which the hub holds and no person does, and
  ``JUPYTERHUB_USER``, the login the hub authenticated, from which the workbench takes
  who is acting.
- A server named ``analysis`` is JupyterLab for the people whose role in the staff
  directory may analyse in notebooks (clinical psychologists by default), with the
  store URL of a read-only database role (``TSWT_HUB_READER_STORE``) and not the app's.
  Anyone else asking for it is refused.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from jupyterhub.singleuser.extension import JupyterHubIdentityProvider
from jupyterhub.spawner import SimpleLocalProcessSpawner
from jupyterhub.utils import url_path_join
from traitlets import Dict, Unicode, default
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from .workbench.server import PageHandler, TswtVoila

WORKBENCH_NOTEBOOK = Path(__file__).resolve().parent / "workbench" / "workbench_app.ipynb"
ANALYSIS = "analysis"  # the name of the JupyterLab server
ANALYST_ROLES = ("clinical_psychologist",)


class WorkbenchIdentityProvider(JupyterHubIdentityProvider):
    """JupyterHub's OAuth login for a standalone Voila server.

    jupyter-server prefixes an identity provider's handlers with its base URL; Voila
    does not, so the hub's OAuth callback (``/user/NAME/oauth_callback``) would fall to
    the notebook's catch-all handler. Prefix them here."""

    def get_handlers(self) -> list[Any]:
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        return [(url_path_join(prefix, path), *rest) for path, *rest in super().get_handlers()]


class HubVoila(TswtVoila):
    """The workbench server of ``tswt app`` (workbench/server.py: pages bounded, idle
    kernels culled, no links off this machine), behind the hub instead of on loopback:
    every request comes through the hub's proxy under the hub's own host name, so there
    is no loopback Host check, and sign-in and sign-out are the hub's (its OAuth on every
    page and websocket, through :class:`WorkbenchIdentityProvider`)."""

    name = "tswt-hub-voila"

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings.update(allow_remote_access=True)  # the hub's host name, not 127.0.0.1
        return settings

    def init_handlers(self) -> list[Any]:
        # Voila's handlers with the bounded page handler; the identity provider's
        # /logout and /oauth_callback stay (the local app's "no sign-in" page does not apply).
        return [
            (h[0], PageHandler, *h[2:]) if h[1] is TornadoVoilaHandler else h
            for h in Voila.init_handlers(self)
        ]

    def start(self) -> None:
        Voila.start(self)  # a plain tornado Application: the hub's OAuth guards every request


def workbench_command(python: str = sys.executable) -> list[str]:
    """The standalone Voila server of one person's workbench behind the hub: on the
    address and port the hub chose, under the person's URL prefix, code never shown, no
    tracebacks sent to the browser, the hub's login (its OAuth) on every page and
    websocket."""
    return [
        python,
        "-m",
        "tswt_formulation.hub",
        str(WORKBENCH_NOTEBOOK),
        "--no-browser",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--Voila.identity_provider_class=tswt_formulation.hub.WorkbenchIdentityProvider",
        "--Voila.authorizer_class=jupyterhub.singleuser.extension.JupyterHubAuthorizer",
        "--TswtVoila.max_pages=4",
        "--TswtVoila.idle_timeout=600",
    ]


def analysis_command(python: str = sys.executable) -> list[str]:
    """JupyterLab behind the hub (jupyterhub-singleuser), for analysis in notebooks."""
    command = [
        python,
        "-m",
        "jupyterhub.singleuser",
        "--ServerApp.default_url=/lab",
        # The server makes no calls out (no update check, no news feed).
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        # A hub run as root (a test container): JupyterLab refuses root unless told.
        # In production the hub is not root (docs/team-server.md).
        command.append("--ServerApp.allow_root=True")
    return command


def staff_role(location: str, login: str) -> str | None:
    """The role of ``login`` in the store's staff directory, or None if not listed.

    The hub reads the directory itself (with the app's role); it acts as nobody, so it
    does not open the store as a person."""
    from .store.engine import make_engine
    from .store.staff import read_directory

    engine, _ = make_engine(location, create=False)
    try:
        with engine.connect() as conn:
            member = read_directory(conn).get(login.casefold())
    finally:
        engine.dispose()
    return member.role if member is not None else None


def _refusal(status: int, message: str) -> Exception:
    """An error the hub shows to the person as it is (on the spawn page and the pending page)."""
    from tornado.web import HTTPError

    error = HTTPError(status, message)
    error.jupyterhub_message = message  # type: ignore[attr-defined]  # JupyterHub's hook for a message to show
    return error


class TswtSpawner(SimpleLocalProcessSpawner):
    """Each person's servers, started as local processes (see docs/team-server.md for
    running them as separate system users in production).

    The default server is the workbench with the app's database role; the server named
    ``analysis`` is JupyterLab with the read-only role, for analysts only."""

    app_store = Unicode(
        config=True, help="Store URL of the application's writer role (the workbench's)."
    )
    reader_store = Unicode(config=True, help="Store URL of the read-only role (analysis servers).")
    extra_env = Dict(config=True, help="More environment for every server (e.g. TSWT_AS_OF).")

    @default("app_store")
    def _app_store(self) -> str:
        return os.environ.get("TSWT_HUB_APP_STORE", "")

    @default("reader_store")
    def _reader_store(self) -> str:
        return os.environ.get("TSWT_HUB_READER_STORE", "")

    @property
    def is_analysis(self) -> bool:
        return self.name == ANALYSIS

    async def start(self) -> Any:
        if self.name not in ("", ANALYSIS):
            raise _refusal(
                404,
                f"There is no server named {self.name!r}: the workbench is the default server, "
                f"JupyterLab for analysis is {ANALYSIS!r}.",
            )
        if self.is_analysis:
            role = staff_role(self.app_store, self.user.name)
            if role not in ANALYST_ROLES:
                listed = (
                    f"is a {role.replace('_', ' ')}" if role else "is not in the staff directory"
                )
                raise _refusal(
                    403,
                    f"{self.user.name} may not start an analysis server: the staff directory says "
                    f"{self.user.name} {listed}; analysis in JupyterLab is for "
                    f"{', '.join(r.replace('_', ' ') for r in ANALYST_ROLES)}s.",
                )
            self.cmd = analysis_command()
        else:
            self.cmd = workbench_command()
        return await super().start()

    def get_args(self) -> list[str]:
        if self.is_analysis:
            return list(self.args)
        # Voila takes no address from the environment as jupyterhub-singleuser does.
        return [
            f"--Voila.ip={self.ip or '127.0.0.1'}",
            f"--port={self.port}",
            f"--Voila.base_url={self.server.base_url}",
            *self.args,
        ]

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        # Nothing a person's server did not get from here: no store or user set by hand.
        for key in ("TSWT_STORE", "TSWT_USER", "TSWT_HUB_APP_STORE", "TSWT_HUB_READER_STORE"):
            env.pop(key, None)
        env.update(self.extra_env)
        env["TSWT_STORE"] = self.reader_store if self.is_analysis else self.app_store
        return env


if __name__ == "__main__":  # the workbench server the spawner starts (workbench_command)
    HubVoila.launch_instance()
