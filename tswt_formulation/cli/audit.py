"""Commands on the record of who did what: audit (who changed what, and when) and
access (who opened a child's record)."""

from __future__ import annotations

import click

from ._common import (
    Ctx,
    common,
    echo_json,
    table,
)


@click.command()
@click.argument("case_id", required=False)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the newest N entries."
)
@click.option("--json", "as_json", is_flag=True)
@common
def audit(ctx: Ctx, case_id: str | None, limit: int | None, as_json: bool) -> None:
    """The audit log: who changed what, and when (all cases, or one)."""
    with ctx.open() as store:
        if case_id is not None and case_id not in store:
            from ..errors import CaseNotFound

            raise CaseNotFound(case_id)
        entries = store.audit_log(case_id, limit=limit)
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "user": e.user,
                    "identified_by": e.identified_by,
                    "case_id": e.case_id,
                    "action": e.action,
                    "version": e.version,
                    "note": e.note,
                    "changes": e.changes,
                }
                for e in entries
            ]
        )
        return
    rows = [
        (
            e.id,
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.user,
            e.case_id or "(store)",
            e.action,
            e.version or "",
            e.summary(70),
        )
        for e in entries
    ]
    click.echo(table(["#", "when (UTC)", "who", "case", "action", "v", "what changed"], rows))


@click.command()
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@common
def access(ctx: Ctx, case_id: str, as_json: bool) -> None:
    """Who opened a child's record, and when (managers and administrators)."""
    with ctx.open() as store:
        if case_id not in store:
            from ..errors import CaseNotFound

            raise CaseNotFound(case_id)
        entries = store.access_log(case_id)
    if as_json:
        echo_json([{**e, "at": e["at"].isoformat()} for e in entries])
        return
    if not entries:
        click.echo(f"{case_id}: nobody has opened this record since access was first logged.")
        return
    click.echo(
        table(
            ["when (UTC)", "who", "opened it in", "identified by"],
            [
                (f"{e['at']:%Y-%m-%d %H:%M:%S}", e["user"], e["what"], e["identified_by"])
                for e in entries
            ],
        )
    )


COMMANDS = [
    audit,
    access,
]
