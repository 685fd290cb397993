"""Commands that look at cases: show and eligibility (one case), caseload (the caseload
as of a date)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import date
from typing import Any

import click

from ..words import plural
from ._common import (
    Ctx,
    as_of_option,
    common,
    echo_json,
    frame_table,
    to_date,
)


@click.command()
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="The record as JSON.")
@as_of_option
@common
def show(ctx: Ctx, case_id: str, as_json: bool, as_of: Any) -> None:
    """Show one case: the child in brief, referral, screening, measures, timeline."""
    from ..model.parse import case_to_data
    from .render import case_text

    case = ctx.get_case(case_id, opened_for="show")
    if as_json:
        echo_json(case_to_data(case))
    else:
        click.echo(case_text(case, to_date(as_of)))


@click.command()
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@as_of_option
@common
def eligibility(ctx: Ctx, case_id: str, as_json: bool, as_of: Any) -> None:
    """Is the child eligible? The decision with every reason, and signposting."""
    from ..rules.eligibility import check_eligibility
    from .render import eligibility_text

    case = ctx.get_case(case_id)
    decision = check_eligibility(case, to_date(as_of) if as_of else None)
    if as_json:
        echo_json(decision.as_dict())
    else:
        click.echo(eligibility_text(decision))


@click.command()
@as_of_option
@click.option("--worker", help="Only this worker's cases.")
@click.option("--overdue", is_flag=True, help="Only screenings past their due date.")
@click.option("--state", "states", multiple=True, help="Only cases in this state (repeatable).")
@click.option(
    "--below-expected",
    is_flag=True,
    help="Only the children below their expected band (needs $TSWT_EXPECTED_MODEL).",
)
@click.option("--json", "as_json", is_flag=True)
@common
def caseload(
    ctx: Ctx,
    as_of: Any,
    worker: str | None,
    overdue: bool,
    states: tuple[str, ...],
    as_json: bool,
    below_expected: bool = False,
) -> None:
    """The caseload as of a date: state, screening due or overdue, worker; with an
    expected-progress model ($TSWT_EXPECTED_MODEL), the children below their expected band."""
    from ..rules.timeline import STATE_LABELS, STATES

    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)}; expected one of {', '.join(STATES)}", param_hint="--state"
        )
    day = to_date(as_of)
    _check_worker(ctx, worker)
    rows = ctx.caseload(day, worker=worker)
    for r in rows:
        r["as_of"] = day
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    if states:
        rows = [r for r in rows if r["state"] in states]
    if below_expected:
        from .expected import caseload_below_expected

        ids = {r["case_id"] for r in rows if r["state"] == "work_begun"}
        lines = caseload_below_expected(ctx, day, ids)
        if lines is None:
            raise click.UsageError(
                "no expected-progress model is set: fit one (tswt expected fit) and name it in "
                "TSWT_EXPECTED_MODEL"
            )
        click.echo("\n".join(lines))
        return
    if as_json:
        cols = [
            "case_id",
            "age",
            "legal_status",
            "state",
            "worker",
            "allocation_date",
            "screening_due",
            "days_to_due",
            "overdue",
            "review_due",
            "review_overdue",
            "steps_outstanding",
            "steps_overdue",
            "session_gap_weeks",
            "no_recent_session",
            "closing_measures_missing",
        ]
        records = [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in ((k, r[k]) for k in cols)}
            for r in rows
        ]
        echo_json({"as_of": day.isoformat(), "cases": records})
        return
    if not rows:
        what = "No overdue screenings" if overdue else "No cases"
        click.echo(f"{what} as of {day.isoformat()}" + (f" for {worker}" if worker else "") + ".")
        return
    click.echo(
        frame_table(
            ["case", "age", "legal status", "state", "worker", "screening due", ""],
            list(zip(*map(_caseload_cells, rows))),
        )
    )
    counts = Counter(r["state"] for r in rows)
    summary = ", ".join(
        f"{counts[s]} {STATE_LABELS[s].split(' (')[0].lower()}" for s in STATES if counts[s]
    )
    click.echo(
        f"\n{plural(len(rows), 'case')} as of {day.isoformat()}: {summary}; "
        f"{plural(sum(r['overdue'] for r in rows), 'screening')} overdue, "
        f"{sum(r['due_within_14'] for r in rows)} due within 14 days."
    )
    work = _work_counts(rows)
    if work:
        click.echo(f"The work: {work}.")
    if os.environ.get("TSWT_EXPECTED_MODEL"):  # pandas only where a model is set
        from .expected import caseload_below_expected

        ids = {r["case_id"] for r in rows if r["state"] == "work_begun"}
        click.echo("\n" + "\n".join(caseload_below_expected(ctx, day, ids) or []))


def _work_counts(rows: list[dict[str, Any]]) -> str:
    """'2 reviews overdue, 1 with first steps outstanding, ...' (only what is non-zero)."""
    counts = (
        (sum(r["review_overdue"] for r in rows), "review overdue", "reviews overdue"),
        (
            sum(r["steps_outstanding"] > 0 for r in rows),
            "case with first steps outstanding",
            "cases with first steps outstanding",
        ),
        (
            sum(r["no_recent_session"] for r in rows),
            "intervention without a recent session",
            "interventions without a recent session",
        ),
        (
            sum(r["closing_measures_missing"] for r in rows),
            "ending without its closing measures",
            "endings without their closing measures",
        ),
    )
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)


def _work_cells(r: dict[str, Any]) -> str:
    """What the work needs, for a case whose work has begun."""
    out = []
    if r["review_due"] is not None:
        days = (r["review_due"] - r["as_of"]).days
        out.append(
            f"review OVERDUE by {plural(-days, 'day')}"
            if days < 0
            else f"review due {r['review_due'].isoformat()}"
            if days <= 14
            else ""
        )
    if r["steps_outstanding"]:
        out.append(
            f"{plural(r['steps_outstanding'], 'first step')} outstanding"
            + (" (late)" if r["steps_overdue"] else "")
        )
    if r["no_recent_session"]:
        out.append(f"no session for {r['session_gap_weeks']} weeks")
    if r["closing_measures_missing"]:
        out.append("closing measures not recorded")
    return "; ".join(x for x in out if x)


def _caseload_cells(r: dict[str, Any]) -> tuple[str, ...]:
    """One case's cells of the caseload table."""
    if r["state"] == "work_begun":
        due, when = "", _work_cells(r)
    elif r["state"] != "in_screening":
        due = when = ""
    else:
        due = r["screening_due"].isoformat()
        days = r["days_to_due"]
        if not r["screening_open"]:
            when = "screening done; outcome to record"
        elif days < 0:
            when = f"OVERDUE by {plural(-days, 'day')}"
        elif days == 0:
            when = "due today"
        else:
            when = f"{plural(days, 'day')} left"
    return (
        r["case_id"],
        str(r["age"]),
        r["legal_status"].replace("_", " "),
        r["state_label"],
        r["worker"] or "",
        due,
        when,
    )


def _check_worker(store: Any, worker: str | None) -> None:
    """A worker with no case allocated in the store is most likely a typo: say so.
    ``store``: anything with ``workers()`` (a CaseStore, or the command's Ctx)."""
    if worker is None:
        return
    known = store.workers()
    if worker not in known:
        raise click.BadParameter(
            f"no case in this store is allocated to {worker!r}; workers: {', '.join(known) or 'none yet'}",
            param_hint="--worker",
        )


COMMANDS = [
    show,
    eligibility,
    caseload,
]
