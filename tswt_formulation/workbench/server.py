"""The workbench's web server: Voila as ``tswt app`` runs it, on 127.0.0.1, with what a
server that any web page in the user's browser can reach needs:

- Only the loopback host names are served (``127.0.0.1``, ``localhost``, ``[::1]``, with
  the server's port), and a request that names another origin is refused: a page from
  ``evil.example`` whose name the attacker points at 127.0.0.1 (DNS rebinding) gets 403
  for the page, the kernels' websockets and every file. Voila itself sets
  ``allow_remote_access=True`` and so checks no Host; here it is checked for every request,
  before any handler runs.
- Pages are bounded: each open page holds a kernel (a Python process of about 200 MB), so
  at most ``max_pages`` are served at once; one more gets a plain 503 page saying why. A
  page that is left or reloaded shuts its kernel down at once (Voila's page posts a
  shutdown as it unloads, with the ``_xsrf`` cookie set here: Voila sets none, and the
  shutdown was refused); a kernel no browser is connected to (a page fetched but never
  shown, a tab that died) is shut down after ``idle_timeout`` seconds idle
  (jupyter_server's culling); an open tab keeps its kernel.
- Nothing is fetched off this machine: Voila's page links Font Awesome from a public CDN,
  which its own bundle already includes; the links are taken out of the page.
- ``/login`` and ``/logout`` answer a plain page (the local app has no sign-in; Voila's
  logout page answered 500).

Run by ``tswt app`` as ``python -m tswt_formulation.workbench.server NOTEBOOK --port=N
--TswtVoila.max_pages=8 --TswtVoila.idle_timeout=60 ...`` (Voila's own options pass
through). Imports Voila: only ``tswt app``'s server process loads this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any
from urllib.parse import urlsplit

from ..reports.batch import without_iri_grammars
from .a11y import accessible_page

# jupyter_server imports jupyter_events, which imports jsonschema, which compiles 39 Lark
# grammars for the "iri" string formats where rfc3987-syntax is installed: about 2 of the
# 3.3 s the server took to import (python -X importtime), before it could answer the
# first page. No schema the server checks uses those formats (the batch's workers skip
# them the same way).
without_iri_grammars()

import tornado.web  # noqa: E402
from traitlets import Int  # noqa: E402
from voila.app import Voila  # noqa: E402
from voila.tornado.handler import TornadoVoilaHandler  # noqa: E402

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Seconds after a page takes the warm kernel before the next one starts: after the first
# page, more than Voila's 1 s, so that the page (and its kernel's imports) is drawn before
# another kernel's imports compete with it for the machine's two cores; after the others,
# Voila's 1 s, so that a reload soon after finds its kernel ready.
FIRST_REFILL_DELAY, REFILL_DELAY = 3.0, 1.0
# Voila's lab template links Font Awesome from jsdelivr; voila.js bundles it already.
_CDN_LINK = re.compile(rb"<link\b[^>]*\bhref=[\"']https?://[^\"']*[\"'][^>]*>\s*", re.IGNORECASE)


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host header values served: a loopback name with the server's port."""
    return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)


def host_allowed(host: str | None, port: int) -> bool:
    return host is not None and host.strip().lower() in allowed_hosts(port)


def origin_allowed(origin: str | None, port: int) -> bool:
    """No Origin (a same-origin GET, curl) is fine; one sent must be this server's own."""
    if origin is None:
        return True
    parts = urlsplit(origin.strip().lower())
    return (
        parts.scheme == "http" and parts.netloc in allowed_hosts(port) and parts.path in ("", "/")
    )


def _page(title: str, text: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body style='font-family: sans-serif; max-width: 40em; margin: 3em auto'><h1>{title}</h1><p>{text}</p></body></html>"
    )


class Refused(tornado.web.RequestHandler):
    """403 for any method: a Host or Origin that is not this machine's."""

    def initialize(self, why: str) -> None:
        self.why = why

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(
            f"Refused: {self.why}. The workbench serves this machine only: open http://127.0.0.1:PORT/.\n"
        )


class NoSignIn(tornado.web.RequestHandler):
    """``/login`` and ``/logout``: the local app has no sign-in of its own."""

    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            _page(
                "No sign-in here",
                "The workbench on this machine has no sign-in or sign-out: it acts as the "
                "user it was started for (tswt app --user). Close the tab to leave; stop the workbench with "
                "Ctrl+C where it runs. On a team server, sign out of JupyterHub.",
            )
        )


class LoopbackApplication(tornado.web.Application):
    """Every request passes the Host and Origin check before any handler is chosen."""

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        port = self.settings["tswt_port"]
        if not host_allowed(request.headers.get("Host"), port):
            return self.get_handler_delegate(
                request, Refused, {"why": "the Host is not a loopback name of this server"}
            )
        if not origin_allowed(request.headers.get("Origin"), port):
            return self.get_handler_delegate(
                request, Refused, {"why": "the request comes from another site"}
            )
        return super().find_handler(request, **kwargs)


def pages_open(km: Any) -> int:
    """Kernels held by pages: every kernel running or starting, less the pre-heated pool."""
    kernels = set(km.list_kernel_ids()) | set(getattr(km, "_pending_kernels", None) or ())
    pooled = sum(len(pool) for pool in (getattr(km, "_pools", None) or {}).values())
    return max(0, len(kernels) - pooled)


class PageHandler(TornadoVoilaHandler):
    """The workbench page: refused with a plain 503 when ``max_pages`` are open; its
    links off this machine taken out."""

    opening = 0  # pages being rendered now (their kernel may not be listed yet)

    async def get(self, path: str | None = None) -> None:
        if not path:
            limit = self.settings["tswt_max_pages"]
            if pages_open(self.kernel_manager) + PageHandler.opening >= limit:
                idle = self.settings["tswt_idle_timeout"]
                after = f"{round(idle / 60)} minutes" if idle >= 120 else f"{idle} seconds"
                self.set_status(503)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.set_header("Retry-After", "60")
                self.finish(
                    _page(
                        "The workbench is full",
                        f"{limit} workbench pages are open, the most it serves at once "
                        "(each holds about 200 MB). Close a workbench tab you no longer use and reload this "
                        f"page; a page no browser shows is closed after {after} idle. "
                        "(tswt app --max-pages sets the number.)",
                    )
                )
                return
        # The page's ``_xsrf`` cookie: Voila's page reads it from ``document.cookie`` and
        # posts it with the shutdown it sends when the page is left or reloaded
        # (``/voila/api/shutdown/<kernel id>``, a ``sendBeacon`` on ``beforeunload``), but
        # Voila never sets it (voila-dashboards/voila#1458): that shutdown got 403 "'_xsrf'
        # argument missing" and the old page's kernel stayed until the idle cull. Reading
        # the token sets the cookie (tornado); another site can neither read it nor have it
        # sent, and its requests are refused before this anyway (Host and Origin).
        self.xsrf_token  # noqa: B018
        PageHandler.opening += 1
        try:
            await self._warm_kernel_started()
            await super().get(path)
        finally:
            PageHandler.opening -= 1

    async def _warm_kernel_started(self) -> None:
        """A page asked for before the warm kernel has started (the first, opened as soon
        as ``tswt app`` prints its address) waits for it, rather than starting a kernel of
        its own: Voila serves a page from the warm kernel only once the kernel has
        started, and otherwise starts another, both then importing the workbench at once
        on a two-core machine (seen in the server log: two "Kernel started" lines before
        the first page, and no "Using pre-heated kernel")."""
        km = self.kernel_manager
        started = getattr(km, "notebook_data", None)
        for name, pool in list((getattr(km, "_pools", None) or {}).items()):
            if pool and started is not None and name not in started:
                with contextlib.suppress(Exception):  # a kernel that failed: Voila starts one
                    await asyncio.wait_for(asyncio.shield(pool[0]), timeout=120)

    def write(self, chunk: Any) -> None:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        if isinstance(chunk, bytes) and b"<link" in chunk:
            chunk = _CDN_LINK.sub(b"", chunk)
        if isinstance(chunk, bytes):
            chunk = accessible_page(chunk)  # title, contrast, focus, ARIA (workbench/a11y.py)
        super().write(chunk)


def _fresh_when_handed_out(km: Any, get_rendered_notebook: Any) -> Any:
    """A pre-heated kernel has sat idle in the pool (where it is never culled) since it
    started: handed to a page, it counts as active from then, or the culler could shut it
    down before the browser has connected to it (the page would never show)."""
    from jupyter_server._tz import utcnow

    async def handed_out(*args: Any, **kwargs: Any) -> Any:
        render_task, rendered, kernel_id = await get_rendered_notebook(*args, **kwargs)
        if hasattr(km, "fill_delay"):  # the first page's refill is under way: the rest sooner
            km.fill_delay = REFILL_DELAY
        kernel = km._kernels.get(kernel_id)
        if kernel is not None:
            kernel.last_activity = utcnow()
        return render_task, rendered, kernel_id

    return handed_out


class TswtVoila(Voila):
    """Voila with the checks above. Its options: ``--TswtVoila.max_pages`` and
    ``--TswtVoila.idle_timeout`` (seconds)."""

    name = "tswt-voila"
    max_pages = Int(8, config=True, help="Most pages (each with its kernel) served at once.")
    idle_timeout = Int(
        60, config=True, help="Seconds before a kernel no browser is connected to is shut down."
    )

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        # Voila sets allow_remote_access=True (no Host check in jupyter_server's handlers).
        settings.update(
            allow_remote_access=False,
            local_hostnames=["localhost"],
            # The page's _xsrf cookie (PageHandler.get): for this server's pages only, and
            # never sent with a request another site starts.
            xsrf_cookie_kwargs={
                "path": self.base_url or "/",
                "samesite": "Strict",
                **settings.get("xsrf_cookie_kwargs", {}),
            },
            tswt_port=self.port,
            tswt_max_pages=self.max_pages,
            tswt_idle_timeout=self.idle_timeout,
        )
        km = self.kernel_manager
        km.cull_idle_timeout = self.idle_timeout
        km.cull_interval = max(1, min(60, self.idle_timeout // 2))
        km.cull_connected = False  # an open tab keeps its kernel, however long it is idle
        if hasattr(km, "get_rendered_notebook"):
            km.get_rendered_notebook = _fresh_when_handed_out(km, km.get_rendered_notebook)
        if hasattr(km, "fill_delay"):
            km.fill_delay = FIRST_REFILL_DELAY  # then REFILL_DELAY (_fresh_when_handed_out)
        return settings

    def init_handlers(self) -> list[Any]:
        handlers = []
        for handler in super().init_handlers():
            if handler[1] is TornadoVoilaHandler:
                handler = (handler[0], PageHandler, *handler[2:])
            handlers.append(handler)
        # Before the page's catch-all, and instead of jupyter_server's login handlers.
        handlers = [h for h in handlers if not re.search(r"/log(in|out)$", h[0])]
        return [(r"/log(?:in|out)/?", NoSignIn), *handlers]

    def start(self) -> None:
        # Voila.start, with our Application class (Voila makes a plain one).
        import tempfile

        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = self.init_settings()
        self.app = LoopbackApplication(**settings)
        self.app.settings.update(self.tornado_settings)
        self.app.settings.update(allow_remote_access=False)  # whatever tornado_settings said
        self.app.add_handlers(".*$", self.init_handlers())
        self.listen()


main = launch_new_instance = TswtVoila.launch_instance

if __name__ == "__main__":
    main()
