"""The ``tswt`` command line. Thin: every command calls the library."""

from __future__ import annotations

import click

from .._version import __version__
from .app import COMMANDS as _APP_COMMANDS
from .audit import COMMANDS as _AUDIT_COMMANDS
from .case_files import COMMANDS as _CASE_FILE_COMMANDS
from .cases import COMMANDS as _CASE_COMMANDS
from .expected import COMMANDS as _EXPECTED_COMMANDS
from .formulation import COMMANDS as _FORMULATION_COMMANDS
from .measures import COMMANDS as _MEASURE_COMMANDS
from .reports import COMMANDS as _REPORT_COMMANDS
from .server import COMMANDS as _SERVER_COMMANDS
from .staff import COMMANDS as _STAFF_COMMANDS
from .store_setup import COMMANDS as _STORE_SETUP_COMMANDS
from .work import COMMANDS as _WORK_COMMANDS


class _Tswt(click.Group):
    """The group; an error no command caught (a team measure folder that is missing,
    say, found by a command without --debug) is still one line and exit 2."""

    def invoke(self, ctx: click.Context) -> object:
        debug = "--debug" in ctx.args  # the tokens after the command name
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader stopped early (`tswt caseload | head`): that is not an error.
            import os
            import sys

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as exc:
            if debug:
                raise
            from ..errors import TswtError
            from ._common import _unexpected, fail

            fail(exc) if isinstance(exc, TswtError) else _unexpected(exc)
            raise  # pragma: no cover - fail and _unexpected exit


@click.group(
    cls=_Tswt, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="tswt")
def cli() -> None:
    """tswt: therapeutic needs screening, formulation and outcomes for a Therapeutic
    Social Work Team. Every command takes --store (default $TSWT_STORE, else
    ./tswt.sqlite). Exit codes: 0 done, 1 some cases failed (the rest done), 2 bad usage
    or invalid input (nothing written)."""


for _command in [
    *_STORE_SETUP_COMMANDS,
    *_CASE_FILE_COMMANDS,
    *_CASE_COMMANDS,
    *_AUDIT_COMMANDS,
    *_FORMULATION_COMMANDS,
    *_MEASURE_COMMANDS,
    *_REPORT_COMMANDS,
    *_SERVER_COMMANDS,
    *_STAFF_COMMANDS,
    *_WORK_COMMANDS,
    *_EXPECTED_COMMANDS,
    *_APP_COMMANDS,
]:
    cli.add_command(_command)


def main() -> None:
    import os

    # pydantic looks for plugins (observability hooks) in every installed distribution's
    # entry points before it builds the first model: 30-40 ms of each command in a
    # Jupyter environment, for plugins a command line has no use for. Set the variable
    # yourself (even to "") to have them loaded.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    cli(prog_name="tswt")
