"""Running the tswt command as a person, and checking a refusal: the helpers the
hostile-input tests share (tests/cli/test_hostile_input.py, tests/cli/test_hostile_input_19.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tswt_formulation.cli import cli

from ..conftest import file_digest

# Commands that take no --user (they act on no store, or on two).
NO_USER = ("validate", "measures", "schema", "migrate-store")


def run(*args: str, user: str = "c.mensah", **kwargs: Any) -> Any:
    """``tswt ARGS --user USER`` in-process (no --user for the commands of ``NO_USER``)."""
    return CliRunner().invoke(
        cli, [*args, "--user", user] if args[0] not in NO_USER else list(args), **kwargs
    )


def refused(
    store: Path, *args: str, lines: list[str], user: str = "c.mensah", code: int = 2
) -> Any:
    """Run; expect exit ``code`` (2), exactly these stderr lines (regexes), no traceback,
    no line of 400 characters or more, and the store's bytes unchanged."""
    before = file_digest(store)
    r = run(*args, user=user)
    assert r.exit_code == code, (r.output, r.stderr)
    got = r.stderr.splitlines()
    assert len(got) == len(lines) and all(re.fullmatch(p, g) for p, g in zip(lines, got)), got
    assert "Traceback" not in r.stderr and all(len(g) < 400 for g in got)
    assert file_digest(store) == before
    return r
