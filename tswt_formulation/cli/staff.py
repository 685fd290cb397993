"""tswt staff: the staff directory (login id -> name and role) that reports name people from."""

from __future__ import annotations

import click

from ._common import Ctx, common, echo_json, table


@click.group()
def staff() -> None:
    """The staff directory: reports show "Dr R. Ahmed, clinical psychologist", not a login id."""


@staff.command("add")
@click.argument("login")
@click.option("--name", required=True, help='The name as reports show it, e.g. "Dr R. Ahmed".')
@click.option(
    "--role",
    required=True,
    help="therapeutic_social_worker, senior_practitioner, team_manager, clinical_psychologist, "
    "personal_adviser or administrator (and a team's own roles: docs/permissions.md).",
)
@click.option(
    "--os-account",
    default=None,
    metavar="ACCOUNT",
    help="The machine account that is this person, where it is not the login.",
)
@click.option(
    "--db-role",
    default=None,
    metavar="ROLE",
    help="The PostgreSQL role that is this person, where it is not the login.",
)
@common
def add(
    ctx: Ctx, login: str, name: str, role: str, os_account: str | None, db_role: str | None
) -> None:
    """Add someone to the staff directory, or change their name or role (audited).

    Only an administrator may, and never for their own entry; the first entry of a new
    store's directory must be an administrator (that is how a store is set up)."""
    from ..casework import change_staff
    from ..store.staff import check_member

    member = check_member(login, name, role, os_account, db_role)
    with ctx.open() as store:
        changed = change_staff(store, [member], note="tswt staff add")
    click.echo(f"{member.login}: {member.described}" + ("" if changed else " (unchanged)"))


@staff.command("list")
@click.option("--json", "as_json", is_flag=True)
@common
def list_(ctx: Ctx, as_json: bool) -> None:
    """Everyone in the staff directory."""
    from ..store.staff import staff_directory

    with ctx.open() as store:
        directory = staff_directory(store)
    members = [directory[login] for login in directory]
    if as_json:
        echo_json(
            [
                {
                    "login": m.login,
                    "name": m.name,
                    "role": m.role,
                    "os_account": m.os_account,
                    "db_role": m.db_role,
                }
                for m in members
            ]
        )
    elif not members:
        click.echo(
            "The staff directory is empty: add people with `tswt staff add LOGIN --name NAME --role ROLE`."
        )
    else:
        click.echo(
            table(["login", "name", "role"], [(m.login, m.name, m.role_label) for m in members])
        )


COMMANDS = [staff]
