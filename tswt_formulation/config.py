"""Where settings come from: the user's name, the store, and team vocabulary extensions.

Nothing here runs at import time; each function reads the environment when called.
"""

from __future__ import annotations

import getpass
import os
import re
from datetime import date
from pathlib import Path

DEFAULT_STORE = "tswt.sqlite"


MAX_USER_LENGTH = 120  # the store's user columns
# Printable ASCII, no control characters (a newline would forge rows in `tswt audit`).
_USER = re.compile(rf"[\x21-\x7e](?:[\x20-\x7e]{{0,{MAX_USER_LENGTH - 2}}}[\x21-\x7e])?", re.ASCII)


def named_user(explicit: str | None = None) -> tuple[str | None, str]:
    """The login a person named, as written, and where it came from: ``--user``, else
    ``TSWT_USER``; ``(None, "")`` when neither names anyone. The one reader of both, for
    :func:`current_user` and for who a store believes is acting
    (:func:`tswt_formulation.access.identity.resolve`, which folds case).

    A name that is not printable ASCII of at most 120 characters is refused
    (:class:`~tswt_formulation.errors.ValidationFailed` naming where it came from)."""
    for source, candidate in (("--user", explicit), ("TSWT_USER", os.environ.get("TSWT_USER"))):
        if candidate and candidate.strip():
            return check_user(candidate.strip(), source), source
    return None, ""


def current_user(explicit: str | None = None) -> str:
    """Who is making a change: ``--user``, else ``TSWT_USER`` (:func:`named_user`), else
    the login name."""
    name, _source = named_user(explicit)
    if name is not None:
        return name
    try:
        return check_user(getpass.getuser(), "your login name (set TSWT_USER)")
    except (KeyError, OSError):  # no login name (some containers): still attributable
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def check_user(name: str, source: str = "--user") -> str:
    """The user name, if it is printable ASCII of at most 120 characters."""
    if not _USER.fullmatch(name):
        from .errors import Problem, ValidationFailed, quote

        raise ValidationFailed(
            [
                Problem(
                    source,
                    "",
                    f"{quote(name)} is not a usable user name: printable ASCII (letters, "
                    f"digits, . _ - @), at most {MAX_USER_LENGTH} characters, no control characters",
                )
            ]
        )
    return name


def store_location(explicit: str | None = None) -> str:
    """The store path or URL: ``--store``, else ``TSWT_STORE``, else ``./tswt.sqlite``."""
    return explicit or os.environ.get("TSWT_STORE") or DEFAULT_STORE


def vocabulary_file() -> Path | None:
    """A team's vocabulary extensions (YAML), from ``TSWT_VOCABULARY`` if set."""
    value = os.environ.get("TSWT_VOCABULARY")
    return Path(value) if value else None


def _whole_number(name: str, default: int, low: int, high: int, unit: str) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        n = int(value)
    except ValueError:
        from .errors import TswtError

        raise TswtError(f"{name}: {value!r} is not a whole number of {unit}") from None
    if not low <= n <= high:
        from .errors import TswtError

        raise TswtError(f"{name}: {n} is outside {low}-{high} {unit}")
    return n


def review_months() -> int:
    """The team's interval between reviews of the work: ``TSWT_REVIEW_MONTHS``, else 3."""
    from .practice import REVIEW_MONTHS

    return _whole_number("TSWT_REVIEW_MONTHS", REVIEW_MONTHS, 1, 24, "months")


def session_gap_weeks() -> int:
    """Weeks without a session before an open intervention is flagged: ``TSWT_SESSION_GAP_WEEKS``, else 6."""
    from .practice import SESSION_GAP_WEEKS

    return _whole_number("TSWT_SESSION_GAP_WEEKS", SESSION_GAP_WEEKS, 1, 52, "weeks")


def informant_window_days() -> int:
    """Days apart within which two informants' SDQs of a child are compared side by side:
    ``TSWT_INFORMANT_WINDOW_DAYS``, else 30."""
    from .practice import INFORMANT_WINDOW_DAYS

    return _whole_number("TSWT_INFORMANT_WINDOW_DAYS", INFORMANT_WINDOW_DAYS, 0, 365, "days")


def parse_day(value: object, where: str, field: str = "as_of") -> date | None:
    """A day from a ``date``, a ``datetime``/Timestamp (its date) or ISO text
    ("2026-01-01"); None stays None. Anything else: a one-line error saying what would do."""
    from datetime import datetime

    from .errors import TswtError

    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise TswtError(
            f"{where}: {field} {value!r} is not a date; give an ISO date such as 2026-01-31 or a datetime.date"
        )
    raise TswtError(
        f"{where}: {field} must be a date or ISO text such as 2026-01-31, not {type(value).__name__}"
    )
