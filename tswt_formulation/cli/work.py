"""Commands for the work after screening: ``tswt intervention start|session|end``,
``tswt step``, ``tswt review``, ``tswt close``. Each calls one casework function: a
refusal is one line per problem, exit 2, and nothing is written."""

from __future__ import annotations

from datetime import datetime

import click

from ..practice import ATTENDANCE_LABELS, ENDING_REASONS, KIND_VOCABULARY, PARTICIPANTS
from ._common import Ctx, common

_DAY = click.DateTime(formats=["%Y-%m-%d"])
_PEOPLE = click.Choice(PARTICIPANTS)
_REASONS = click.Choice(ENDING_REASONS)


def _day(value: datetime | None):  # -> date | None
    return value.date() if value is not None else None


@click.group()
def intervention() -> None:
    """The interventions delivered: start one, record its sessions, end it."""


@intervention.command(name="start")
@click.argument("case_id")
@click.option(
    "--service", "service", metavar="ID", help="One of the team's services (e.g. carer_support)."
)
@click.option("--model", "model", metavar="ID", help="A direct-work model (e.g. ddp).")
@click.option(
    "--wave", "wave", metavar="ID", help="A wave intervention (e.g. keywork, therapeutic_milieu)."
)
@click.option(
    "--for", "for_whom", type=_PEOPLE, multiple=True, required=True, help="For whom (repeatable)."
)
@click.option("--start", type=_DAY, required=True, metavar="YYYY-MM-DD")
@click.option("--planned-end", type=_DAY, metavar="YYYY-MM-DD")
@click.option(
    "--lead", "lead_worker", metavar="LOGIN", help="The lead worker's login (default: you)."
)
@click.option(
    "--fulfils",
    type=click.Choice(["wave", "services", "models", "preconditions"]),
    help="The part of the recommendation it fulfils.",
)
@click.option(
    "--not-recommended",
    default="",
    metavar="REASON",
    help="Why it is delivered though not recommended.",
)
@common
def intervention_start(
    ctx: Ctx,
    case_id: str,
    service: str | None,
    model: str | None,
    wave: str | None,
    for_whom: tuple[str, ...],
    start: datetime,
    planned_end: datetime | None,
    lead_worker: str | None,
    fulfils: str | None,
    not_recommended: str,
) -> None:
    """Record an intervention begun: one of --service, --model or --wave."""
    from .. import casework

    given = [(k, v) for k, v in (("service", service), ("model", model), ("wave", wave)) if v]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --service, --model or --wave")
    kind, what = given[0]
    with ctx.open() as store:
        case = casework.start_intervention(
            store,
            case_id,
            kind,
            what,
            for_whom,
            start.date(),
            lead_worker=lead_worker,
            planned_end=_day(planned_end),
            fulfils=fulfils,
            not_recommended=not_recommended,
        )
    iv = case.interventions[-1]
    click.echo(
        f"{case_id}: intervention {iv.number} started {iv.start.isoformat()}: {iv.what} "
        f"({KIND_VOCABULARY[iv.kind].replace('_', ' ')}), lead worker {iv.lead_worker}."
    )


@intervention.command(name="session")
@click.argument("case_id")
@click.argument("number", type=int)
@click.option("--date", "on", type=_DAY, required=True, metavar="YYYY-MM-DD")
@click.option(
    "--attendance",
    type=click.Choice(list(ATTENDANCE_LABELS)),
    default="attended",
    show_default=True,
)
@click.option("--took-part", type=_PEOPLE, multiple=True, help="Who took part (repeatable).")
@click.option("--minutes", type=click.IntRange(0, 600))
@click.option("--note", default="", help="A short note (private text).")
@common
def intervention_session(
    ctx: Ctx,
    case_id: str,
    number: int,
    on: datetime,
    attendance: str,
    took_part: tuple[str, ...],
    minutes: int | None,
    note: str,
) -> None:
    """Record a session of intervention NUMBER."""
    from .. import casework

    with ctx.open() as store:
        casework.record_session(
            store, case_id, number, on.date(), attendance, took_part, minutes, note
        )
    click.echo(
        f"{case_id}: session of intervention {number} on {on.date().isoformat()}: {ATTENDANCE_LABELS[attendance]}."
    )


@intervention.command(name="end")
@click.argument("case_id")
@click.argument("number", type=int)
@click.option("--date", "on", type=_DAY, required=True, metavar="YYYY-MM-DD")
@click.option("--reason", type=_REASONS, required=True)
@click.option("--other", default="", help="What the ending was (with --reason other).")
@common
def intervention_end(
    ctx: Ctx, case_id: str, number: int, on: datetime, reason: str, other: str
) -> None:
    """Record how and when intervention NUMBER ended."""
    from .. import casework

    with ctx.open() as store:
        casework.end_intervention(store, case_id, number, on.date(), reason, other)
    click.echo(
        f"{case_id}: intervention {number} ended {on.date().isoformat()} ({reason.replace('_', ' ')})."
    )


@click.command()
@click.argument("case_id")
@click.argument("step")
@click.option("--owner", metavar="LOGIN")
@click.option("--due", type=_DAY, metavar="YYYY-MM-DD")
@click.option("--done", type=_DAY, metavar="YYYY-MM-DD")
@common
def step(
    ctx: Ctx,
    case_id: str,
    step: str,
    owner: str | None,
    due: datetime | None,
    done: datetime | None,
) -> None:
    """Record a first step of the recommendation (its wording): owner, due date, done date."""
    from .. import casework

    with ctx.open() as store:
        casework.record_first_step(store, case_id, step, owner, _day(due), _day(done))
    click.echo(
        f"{case_id}: first step recorded" + (f", done {done.date().isoformat()}." if done else ".")
    )


def _goal(text: str) -> tuple[int, int]:
    number, _, rating = text.partition("=")
    if not (number.strip().isdigit() and rating.strip().isdigit()):
        raise click.BadParameter(f"{text!r}: write GOAL=RATING, e.g. 1=6", param_hint="--goal")
    return int(number), int(rating)


@click.command()
@click.argument("case_id")
@click.option("--date", "on", type=_DAY, required=True, metavar="YYYY-MM-DD")
@click.option(
    "--stage",
    type=click.IntRange(1, 4),
    required=True,
    help="Stage of the practice model reached (1-4).",
)
@click.option("--evidence", default="", help="The evidence for the stage.")
@click.option(
    "--wave", type=click.IntRange(1, 3), required=True, help="The wave re-assessed (1-3)."
)
@click.option("--risks-reviewed", is_flag=True)
@click.option(
    "--goal", "goals", multiple=True, metavar="N=RATING", help="A goal rated 0-10 (repeatable)."
)
@click.option("--measures-due", multiple=True, metavar="MEASURE")
@click.option("--measures-done", multiple=True, metavar="MEASURE")
@click.option(
    "--formulation",
    type=click.Choice(["holds", "revised"]),
    default="holds",
    show_default=True,
    help="Whether the formulation still holds; revised sends it back to sign-off.",
)
@common
def review(
    ctx: Ctx,
    case_id: str,
    on: datetime,
    stage: int,
    evidence: str,
    wave: int,
    risks_reviewed: bool,
    goals: tuple[str, ...],
    measures_due: tuple[str, ...],
    measures_done: tuple[str, ...],
    formulation: str,
) -> None:
    """Record a review of the work."""
    from .. import casework

    rated = dict(_goal(g) for g in goals)
    with ctx.open() as store:
        casework.record_review(
            store,
            case_id,
            on.date(),
            stage,
            wave,
            evidence,
            risks_reviewed,
            rated,
            measures_due,
            measures_done,
            formulation,
        )
    extra = "; the formulation goes back to sign-off" if formulation == "revised" else ""
    click.echo(
        f"{case_id}: review of {on.date().isoformat()} recorded: stage {stage}, wave {wave}{extra}."
    )


@click.command()
@click.argument("case_id")
@click.option("--date", "on", type=_DAY, required=True, metavar="YYYY-MM-DD")
@click.option("--reason", type=_REASONS, required=True)
@click.option("--other", default="", help="What the ending was (with --reason other).")
@click.option("--summary", default="", help="The closing summary.")
@click.option(
    "--closing-measures",
    multiple=True,
    metavar="MEASURE",
    help="A closing measure due (repeatable).",
)
@common
def close(
    ctx: Ctx,
    case_id: str,
    on: datetime,
    reason: str,
    other: str,
    summary: str,
    closing_measures: tuple[str, ...],
) -> None:
    """Record the end of the team's involvement (every intervention ended first)."""
    from .. import casework

    with ctx.open() as store:
        casework.close_involvement(
            store, case_id, on.date(), reason, summary, other, closing_measures
        )
    click.echo(
        f"{case_id}: involvement ended {on.date().isoformat()} ({reason.replace('_', ' ')})."
    )


COMMANDS = [intervention, step, review, close]
