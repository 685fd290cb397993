"""Commands on the store itself: init (create or bring up to date), check, demo (fill a
training store with a synthetic caseload)."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    Ctx,
    as_of_option,
    common,
    progress,
    to_date,
)


@click.command()
@click.option(
    "--training",
    is_flag=True,
    help="Make the new store a training store: synthetic people only, and anyone may "
    "act as any staff login with --user, to practise (tswt demo makes one).",
)
@common
def init(ctx: Ctx, training: bool) -> None:
    """Create a case store (or bring an older one up to date)."""
    from ..store.schema import SCHEMA_VERSION

    with ctx.open(create=True) as store:
        if training and not store.training:
            store.mark_training()
        if (
            store.created or store.upgraded_from == 0
        ):  # a new file, or the tables made in an empty database
            click.echo(
                f"Created case store {store.location} (schema version {SCHEMA_VERSION}, {len(store)} cases)."
            )
            return
        _check_store(store)  # an existing store: "up to date" only if it is sound
        if store.upgraded_from is not None:
            click.echo(
                f"Upgraded case store {store.location} from schema version {store.upgraded_from} to "
                f"{SCHEMA_VERSION} ({len(store)} cases)."
            )
        else:
            click.echo(
                f"Opened case store {store.location} (schema version {SCHEMA_VERSION}, {len(store)} cases); it is up to date."
            )


def _check_store(store: Any) -> int:
    """Run the store's check (the database's own integrity check, then every record and
    its audit trail); raise :class:`StoreError` listing what is wrong, else return the
    number of cases checked."""
    import sqlalchemy as sa

    from ..errors import Problem, StoreError, ValidationFailed

    try:
        problems = store.integrity_check()
        count = len(store)
        store.record_check(
            problems
        )  # a store that fails its check refuses writes until it passes again
    except sa.exc.DatabaseError as exc:
        from ..errors import database_reason

        raise StoreError(
            f"{store.location}: the store fails its check: the database cannot be read "
            f"({database_reason(getattr(exc, 'orig', exc))}); restore it from a backup"
        ) from None
    if problems:
        raise ValidationFailed(
            [Problem("", "", p) for p in problems],
            summary=f"{store.location}: the store fails its check ({len(problems)} problem(s)); "
            "restore it from a backup, or correct the cases named:",
        )
    return count


@click.command()
@common
def check(ctx: Ctx) -> None:
    """Check the store: SQLite's integrity check, then every record (it loads and its
    indexed columns agree with it) and its audit trail (it rebuilds the record at the
    stored version; no entries for cases not in the store). Exit 2 if anything is wrong."""
    with ctx.open() as store:
        count = _check_store(store)
    click.echo(
        f"OK: {store.location}: {count} case(s); the database, every record and its audit trail are sound."
    )


@click.command()
@click.option(
    "--cases",
    "n",
    type=click.IntRange(1, 1_000_000),
    default=60,
    show_default=True,
    help="How many synthetic cases.",
)
@click.option("--seed", type=int, default=1, show_default=True)
@as_of_option
@common
def demo(ctx: Ctx, n: int, seed: int, as_of: Any) -> None:
    """Fill a store with a synthetic caseload (invented children only).

    The cases are made and imported a chunk at a time (each chunk one transaction), so
    memory stays flat however many are asked for."""
    from ..demo import iter_caseload

    day = to_date(as_of)
    with ctx.open(create=True) as store:
        from ..demo import SYNTHETIC_IDS, synthetic_id, synthetic_number

        taken = [k for k in map(synthetic_number, store.case_ids()) if k is not None]
    first = max(taken) + 1 if taken else 1  # add after any demo cases already there
    if first + n - 1 > SYNTHETIC_IDS:
        raise click.BadParameter(
            f"the synthetic ids (TSW-900001..TSW-999999 and TSW-900000) hold {SYNTHETIC_IDS:,} cases; "
            f"{first - 1:,} are taken, so at most {SYNTHETIC_IDS - first + 1:,} more fit",
            param_hint="--cases",
        )
    from ..demo import DEMO_ADMIN, demo_staff
    from ..store.staff import add_staff

    with ctx.open(create=True) as store:
        if not store.training and not len(store) and not store.staff:
            # A new store becomes a training store: synthetic people, and --user is
            # believed there (access.identity), so anyone may practise as anyone.
            store.mark_training()
        if store.training:
            missing = [m for m in demo_staff() if m.login not in store.staff]
            if missing:
                from ..errors import StoreError

                try:
                    add_staff(store, missing, note="synthetic demo staff")
                except (
                    StoreError
                ) as exc:  # a database role that may add cases but not change the directory
                    click.echo(
                        f"note: the staff directory was not filled ({exc}); an administrator can run "
                        "`tswt staff add`.",
                        err=True,
                    )
            admin = DEMO_ADMIN[0] if DEMO_ADMIN[0] in store.staff else None
        else:
            admin = None  # a live store: the person running this must be allowed to restore
        from ..casework import record_cases

        note = f"synthetic demo caseload (seed {seed}, as of {day.isoformat()})"
        with progress(n, "Making and importing") as bar:
            for cases in iter_caseload(n, seed=seed, as_of=day, first=first):
                record_cases(store, cases, user=admin, note=note, progress=bar.update, restore=True)
    ids = f" ({synthetic_id(first)} to {synthetic_id(first + n - 1)})" if first > 1 else ""
    click.echo(
        f"Added {n} synthetic cases{ids} (seed {seed}, as of {day.isoformat()}) to {store.location}."
    )


COMMANDS = [
    init,
    check,
    demo,
]
