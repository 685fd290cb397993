"""Shared pieces of the command line: the options every command takes, error handling
(one readable line per problem, a traceback only with --debug) and plain-text tables."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import click

from ..errors import ProblemsError, TswtError, problems_from, quote

MAX_PROBLEM_LINES = 100  # enough to act on; the rest are counted ("... and 2,991 more")
EXIT_INVALID = (
    2  # bad usage or invalid input, nothing written (exit 1 is for batches that finished the rest)
)


class Ctx:
    def __init__(self, store: str | None, user: str | None, debug: bool) -> None:
        self.store_location = store
        self.user = user
        self.debug = debug
        self.wait: float | None = None  # --wait: seconds a write waits for another writer

    def open(self, create: bool = False):  # -> CaseStore
        """The store; only a command that creates (`init`, `demo`) brings an older schema
        up to date: a reader or an ordinary writer leaves it as it is (reads work, writes
        are refused saying to run `tswt init`)."""
        from ..store import open_store

        return open_store(
            self.store_location, user=self.user, create=create, migrate=create, wait=self.wait
        )

    # Read-only questions: answered from a SQLite file with the standard library when it
    # can (store.read_only: no SQLAlchemy to import), else by the full store.

    def _sqlite_location(self) -> str:
        """The store location, once the user is checked as opening the store would."""
        from ..config import current_user, store_location

        current_user(self.user)
        return store_location(self.store_location)

    def get_case(self, case_id: str, opened_for: str | None = None):  # -> Case
        """A case for a person to read: refused to anyone the directory does not allow
        to read cases; with ``opened_for`` (show, report) the opening is logged."""
        from ..store.read_only import get_case, log_access

        self.authorise("read_case", case_id)
        case = get_case(self._sqlite_location(), case_id)
        if case is None:
            with self.open() as store:
                case = store.get(case_id)
                if opened_for:
                    store.log_access(case_id, opened_for)
        elif opened_for:
            who = self.identity()
            log_access(self._sqlite_location(), who.login, who.how, case_id, opened_for)
        return case

    def staff(self):  # -> StaffDirectory
        if getattr(self, "_staff", None) is None:
            from ..store.read_only import staff

            people = staff(self._sqlite_location())
            if people is None:
                from ..store.staff import staff_directory

                with self.open() as store:
                    people = staff_directory(store)
                    self._identity = store.identity
            self._staff = people
        return self._staff

    def identity(self):  # -> access.identity.Identity
        """Who is acting, resolved as opening the store would (access.identity)."""
        if getattr(self, "_identity", None) is None:
            from ..access.identity import resolve

            people = self.staff()
            if getattr(self, "_identity", None) is None:
                self._identity = resolve(self.user, people, training=people.training)
        return self._identity

    def authorise(self, operation: str, case_id: str | None = None) -> None:
        """Refuse (one line, exit 2) unless the person acting may do ``operation``."""
        from ..access.permissions import check

        check(operation, self.identity().login, self.staff(), case_id=case_id)

    def workers(self) -> list[str]:
        from ..store.read_only import workers

        known = workers(self._sqlite_location())
        if known is None:
            with self.open() as store:
                known = store.workers()
        return known

    def caseload(self, as_of: date, worker: str | None = None) -> list[dict[str, Any]]:
        """The caseload as of a date, one dict per case (rules.timeline.caseload_timeline):
        plain Python throughout, so the command never imports pandas."""
        from ..config import review_months, session_gap_weeks
        from ..rules.timeline import caseload_timeline
        from ..store.read_only import caseload_tuples

        self.authorise("read_case")
        rows = caseload_tuples(self._sqlite_location(), worker)
        if rows is None:
            with self.open() as store:
                rows = store.caseload_tuples(worker)
        return caseload_timeline(rows, as_of, review_months(), session_gap_weeks())


#: The options every command that reads a store shares, defined once: ``@store_option``,
#: ``@user_option("Who ...")`` (each command says whose name it records) and ``@debug_option``.
store_option = click.option(
    "--store",
    envvar="TSWT_STORE",
    metavar="PATH|URL",
    help="Case store (default: $TSWT_STORE, else ./tswt.sqlite).",
)
debug_option = click.option("--debug", is_flag=True, help="Show a full traceback on error.")


def user_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--user (default $TSWT_USER), with the command's own words for who it names."""
    return click.option("--user", envvar="TSWT_USER", metavar="NAME", help=help)


def common(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --store, --user and --debug to a command and pass a :class:`Ctx` first."""

    @store_option
    @user_option("Who is making changes (default: $TSWT_USER, else your login).")
    @debug_option
    @click.option(
        "--wait",
        type=click.FloatRange(0, 3600),
        envvar="TSWT_WAIT",
        default=None,
        metavar="SECONDS",
        help="How long a change waits for another program writing to the store (default 30).",
    )
    @functools.wraps(func)
    def wrapper(
        store: str | None, user: str | None, debug: bool, wait: float | None, **kwargs: Any
    ) -> Any:
        ctx = Ctx(store, user, debug)
        ctx.wait = wait
        try:
            return func(ctx, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise  # a closed pipe is handled once, by the group: not an error
        except TswtError as exc:
            if debug:
                raise
            fail(exc)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing more was written.", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug or an unforeseen input: still one line, never a traceback
            if debug:
                raise
            _unexpected(exc)

    return wrapper


def fail(exc: TswtError) -> None:
    """Print a library error as one line per problem and exit with its code (docs/architecture.md, "Exit codes")."""
    if isinstance(exc, ProblemsError):
        if exc.summary:
            click.echo(f"error: {exc.summary}", err=True)
        for problem in exc.problems[:MAX_PROBLEM_LINES]:
            click.echo(f"error: {problem}", err=True)
        more = len(exc.problems[MAX_PROBLEM_LINES:]) + getattr(exc, "omitted", 0)
        if more:
            click.echo(f"error: ... and {more:,} more", err=True)
    else:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            click.echo(f"error: {line}", err=True)
    # A command that stops on an error has written nothing (every write is one
    # transaction): that is exit 2. Exit 1 is only for batches that finished the rest.
    sys.exit(EXIT_INVALID)


def _unexpected(exc: BaseException) -> None:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):  # a value built from the command line
        for p in problems_from(exc, ""):
            click.echo(f"error: {p.field or 'value'}: {p.message}", err=True)
    elif type(exc).__module__.startswith(
        "sqlalchemy"
    ):  # never the statement, its parameters or a record
        from ..errors import database_reason

        orig = getattr(exc, "orig", None)
        reason = database_reason(orig) if orig is not None and str(orig) else type(exc).__name__
        click.echo(
            f"error: the database refused the operation: {quote(reason, bare=True, limit=160)} "
            "(nothing more was written; --debug shows the details)",
            err=True,
        )
    elif isinstance(exc, OSError):
        click.echo(
            f"error: {getattr(exc, 'filename', '') or ''}{': ' if getattr(exc, 'filename', None) else ''}{exc.strerror or exc}",
            err=True,
        )
    else:
        click.echo(
            f"error: unexpected {type(exc).__name__}: {quote(exc, bare=True, limit=160)} (nothing more was written; run again with --debug for the details)",
            err=True,
        )
    sys.exit(EXIT_INVALID)


def output_folder_exists(path: Any, option: str = "--output") -> None:
    """An output file goes into a folder that exists: a typo in the folder's name is a
    usage error, not a new folder somewhere unexpected."""
    if path is not None and not path.parent.is_dir():
        raise click.BadParameter(
            f"{path.parent}: no such folder (create it first, or write somewhere that exists)",
            param_hint=option,
        )


def check_output(
    path: Any,
    option: str = "--output",
    store: str | None = None,
    inputs: Sequence[Any] = (),
    others: Sequence[tuple[Any, str]] = (),
) -> None:
    """The one check of every file a command writes, before it reads or writes anything:
    the folder exists (a usage error otherwise), and the file is not the open store (or
    its -wal/-shm), any SQLite database, the command's own input, another output of the
    same command (``others``: (path, option)), a symbolic link or something not a file
    (:class:`~tswt_formulation.errors.OutputRefused`, one line, exit 2)."""
    import os
    from pathlib import Path

    from ..errors import OutputRefused
    from ..reports.atomic import refuse_unsafe_target

    if path is None:
        return
    output_folder_exists(path, option)
    refuse_unsafe_target(path, option)
    target = Path(path)

    def same(other: Any) -> bool:
        try:
            return os.path.samefile(target, other)
        except OSError:  # either does not exist yet: the same path, then
            return Path(os.path.abspath(target)) == Path(os.path.abspath(other))

    if (
        store is not None
        and "://" not in store
        and any(same(f"{store}{suffix}") for suffix in ("", "-wal", "-shm", "-journal"))
    ):
        raise OutputRefused(
            f"{path}: {option}: is the case store; an output never replaces it, write somewhere else (nothing was written)"
        )
    for given in inputs:
        if given is not None and same(given):
            raise OutputRefused(
                f"{path}: {option}: is this command's input; write the output to another file (nothing was written)"
            )
    for other, other_option in others:
        if other is not None and same(other):
            raise OutputRefused(
                f"{path}: {option}: is also given to {other_option}; give each its own file (nothing was written)"
            )


def as_of_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        metavar="YYYY-MM-DD",
        help="Date to report as of (default: today).",
    )(func)


def to_date(value: datetime | None) -> date:
    return value.date() if value is not None else date.today()


# What a terminal acts on rather than shows: C0 controls but the line break and tab
# (ESC starts clear-screen, window-title and hidden-text sequences; CR overwrites a line),
# DEL, C1 controls (0x9b is CSI on some terminals) and the bidirectional overrides that
# reorder what is shown. Record text is printed with these escaped, piped or not.
_TERMINAL_CONTROLS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """Text with every control character shown escaped (``\\x1b``), line breaks and tabs
    kept (a Windows line break is a line break; a lone carriage return is escaped)."""
    return _TERMINAL_CONTROLS.sub(_escape_control, text.replace("\r\n", "\n"))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: Any, **kwargs: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, **kwargs)`` with C1 controls and bidi
    overrides written as ``\\u`` escapes as well (json escapes C0 controls itself)."""
    return _TERMINAL_CONTROLS.sub(_json_escape, json.dumps(data, ensure_ascii=False, **kwargs))


MAX_NOTE_LENGTH = 2_000


def one_line(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A click callback: a note, comment or reason is one line of printable text. A line
    break would forge rows in `tswt audit` and `tswt formulation --versions` (a fake
    "signed_off" line under a real one); a control character would act on the terminal
    of whoever reads it."""
    if value is None:
        return value
    name = (param.opts or [param.name or "value"])[0]
    if not value.isprintable():
        bad = next(ch for ch in value if not ch.isprintable())
        raise click.BadParameter(
            f"must be one line of printable text; it holds {quote(bad)} (a line break or control character)",
            param_hint=name,
        )
    if len(value) > MAX_NOTE_LENGTH:
        raise click.BadParameter(
            f"must be at most {MAX_NOTE_LENGTH:,} characters; it has {len(value):,}",
            param_hint=name,
        )
    return value


def json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def echo_json(data: Any) -> None:
    # json.dumps escapes C0 controls itself; C1 controls and bidi overrides as \u escapes too.
    click.echo(json_text(data, indent=2, default=json_default))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns."""
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in text_rows]
    return terminal_safe("\n".join(out))


def frame_table(headers: Sequence[str], columns: Sequence[Any]) -> str:
    """The same table as :func:`table`, from whole columns of text (pandas Series or numpy
    arrays of str): each column's width is found once, and each line is one format call."""
    cells = [[str(v) for v in (col.tolist() if hasattr(col, "tolist") else col)] for col in columns]
    widths = [max(len(h), max(map(len, col), default=0)) for h, col in zip(headers, cells)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers).rstrip(), fmt.format(*["-" * w for w in widths]).rstrip()]
    lines += [fmt.format(*row).rstrip() for row in zip(*cells)]
    return terminal_safe("\n".join(lines))


def progress(total: int, label: str, threshold: int = 1000):
    """A progress bar on stderr for long work (shown only on a terminal)."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=label,
        unit="case",
        disable=None if total >= threshold else True,
        file=sys.stderr,
        leave=False,
    )
