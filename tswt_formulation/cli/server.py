"""Commands for a team server: moving a store onto it (``migrate-store``)."""

from __future__ import annotations

import click

from ._common import _unexpected, debug_option, fail, user_option


@click.command(name="migrate-store")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@user_option("Who is moving the store (default: $TSWT_USER, else your login).")
@debug_option
def migrate_store(source: str, target: str, user: str | None, debug: bool) -> None:
    """Copy a whole store (every case, the audit log, the staff directory) from FROM
    into the new, empty store TO, e.g. an SQLite file onto the team's PostgreSQL server:

        tswt migrate-store tswt.sqlite postgresql+psycopg://tswt_owner@server/tswt

    The copy is one transaction, checked before it commits: the counts of cases and of
    audit entries, and a digest of each, must be the same on both sides, or nothing is
    written. Stop editing FROM while it runs. (No --store: both stores are named here.)
    """
    from ..errors import TswtError
    from ..store.transfer import migrate_store as copy_store

    try:
        report = copy_store(source, target, user=user)
    except TswtError as exc:
        if debug:
            raise
        fail(exc)
    except Exception as exc:  # one line, never a traceback with the SQL and its parameters
        if debug:
            raise
        _unexpected(exc)
    click.echo(
        f"Copied {report.cases} case(s) and {report.audit_entries} audit entries from {report.source} to {report.target}."
    )
    click.echo(
        f"Checked on both sides: {report.cases} cases (sha256 {report.cases_digest[:12]}), "
        f"{report.audit_entries} audit entries (sha256 {report.audit_digest[:12]}); the move is in the target's audit log."
    )
    click.echo(
        f"The staff directory too: {report.staff} people (sha256 {report.staff_digest[:12]}), checked on both sides."
    )


COMMANDS = [migrate_store]
