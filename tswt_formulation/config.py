"""Where settings come from: the user's name, the store, and team vocabulary extensions.

Nothing here runs at import time; each function reads the environment when called.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DEFAULT_STORE = "tswt.sqlite"


def current_user(explicit: str | None = None) -> str:
    """Who is making a change: ``--user``, else ``TSWT_USER``, else the login name."""
    for candidate in (explicit, os.environ.get("TSWT_USER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still attributable
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def store_location(explicit: str | None = None) -> str:
    """The store path or URL: ``--store``, else ``TSWT_STORE``, else ``./tswt.sqlite``."""
    return explicit or os.environ.get("TSWT_STORE") or DEFAULT_STORE


def vocabulary_file() -> Path | None:
    """A team's vocabulary extensions (YAML), from ``TSWT_VOCABULARY`` if set."""
    value = os.environ.get("TSWT_VOCABULARY")
    return Path(value) if value else None
