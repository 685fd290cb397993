"""Commands for the screening's formulation and its conclusion: recommend, formulation,
decide, submit, signoff, conclude, rules."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import Ctx, as_of_option, common, echo_json, one_line, table, terminal_safe, to_date

if TYPE_CHECKING:
    from ..model import Case, Formulation


def _formulation(case: Case) -> Formulation:
    """The formulation a casework step has just saved (each makes one or refuses)."""
    if case.formulation is None:  # pragma: no cover - casework refuses a case without one
        from ..errors import TswtError

        raise TswtError(f"{case.case_id}: no formulation")
    return case.formulation


@click.command()
@click.argument("case_id", required=False)
@click.option("--all", "all_cases", is_flag=True, help="Every case in the store (a table).")
@as_of_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --all: write a CSV here.",
)
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A team rules file (default: $TSWT_RULES, else the built-in rules).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Everything: the summary, every part with its rules, every rule that fired.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="The full trace: every rule that fired, with its id, and the ones that did not win.",
)
@common
def recommend(
    ctx: Ctx,
    case_id: str | None,
    all_cases: bool,
    as_of: Any,
    output: Path | None,
    rules_file: Path | None,
    as_json: bool,
    explain: bool,
) -> None:
    """The recommended wave, stage, services and models in a few plain lines (risks first);
    --explain for every rule that produced them."""
    from ..rules import recommend as make
    from ..rules import rules_in_use

    if bool(case_id) == all_cases:
        raise click.UsageError("give one CASE, or --all")
    from ..config import store_location
    from ._common import check_output

    check_output(output, store=store_location(ctx.store_location), inputs=[rules_file])
    rules = rules_in_use(rules_file)
    day = to_date(as_of) if as_of else None
    if case_id:
        # One child: read without SQLAlchemy where the store allows, and score the
        # baseline in plain Python (measures.one_child), so the answer needs no pandas.
        from ..measures.one_child import case_baseline_bands
        from ..rules.summary import summarise, summary_text

        case = ctx.get_case(case_id)
        rec = make(
            case,
            rules=rules,
            as_of=day,
            bands=case_baseline_bands(case),
            risk_as_of=day or date.today(),
        )
        names = ctx.staff().name
        if as_json:
            echo_json(
                {
                    **rec.as_dict(),
                    "summary": summarise(
                        rec, case.formulation, names, case, day or date.today()
                    ).as_dict(),
                }
            )
        else:
            click.echo(
                terminal_safe(
                    rec.to_text()
                    if explain
                    else summary_text(rec, case.formulation, names, case, day or date.today())
                )
            )
        return
    from ..measures.outcomes import baseline_bands

    with ctx.open() as store:
        cases = list(store.cases())
        bands = baseline_bands(cases)  # one vectorised scoring pass for the whole caseload
        recs = [
            make(c, rules=rules, as_of=day, bands=bands[c.case_id], risk_as_of=day or date.today())
            for c in cases
        ]
    header = [
        "case",
        "eligibility",
        "wave",
        "stage",
        "risks",
        "services",
        "models",
        "preconditions",
        "signposting",
    ]
    rows = [
        (
            r.case_id,
            r.eligibility.verdict,
            r.wave or "",
            r.stage or "",
            "; ".join(x.label for x in r.risks),
            ", ".join(r.services),
            ", ".join(r.models),
            len(r.preconditions),
            ", ".join(r.signposting),
        )
        for r in recs
    ]
    if as_json:
        echo_json([r.as_dict() for r in recs])
    elif output:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        from ..reports.atomic import atomic_write_text

        atomic_write_text(output, buf.getvalue())
        click.echo(f"Wrote {len(rows)} recommendation(s) to {output}.", err=True)
    else:
        short = [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
        click.echo(table(header[:6], short))
        from ..model.recommendation import WAVES

        waves = ", ".join(f"wave {w} {sum(1 for r in recs if r.wave == w)}" for w in WAVES)
        click.echo(
            f"\n{len(recs)} cases: {waves}, "
            f"no recommendation {sum(1 for r in recs if r.wave is None)}; {sum(1 for r in recs if r.risks)} with a risk flag."
        )


@click.command()
@click.argument("case_id")
@click.option(
    "--draft",
    "make_draft",
    is_flag=True,
    help="Create the draft from the screening and the recommendation.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="With --draft: replace an existing formulation (kept in the audit log).",
)
@click.option(
    "--narrative-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Set the narrative from a text file (kept verbatim).",
)
@click.option("--versions", is_flag=True, help="List every version: who, when, status.")
@click.option("--json", "as_json", is_flag=True)
@as_of_option
@common
def formulation(
    ctx: Ctx,
    case_id: str,
    make_draft: bool,
    replace: bool,
    narrative_file: Path | None,
    versions: bool,
    as_json: bool,
    as_of: Any,
) -> None:
    """Show a case's formulation; --draft creates it, --narrative-file sets the narrative."""
    from .. import casework
    from .render import formulation_text

    narrative = None
    if (
        narrative_file
    ):  # read before anything is written: a file that cannot be read stops the command at once
        from .._files import MAX_SETTINGS_BYTES, read_text_bounded

        narrative = (
            read_text_bounded(narrative_file, MAX_SETTINGS_BYTES)
            .replace("\r\n", "\n")
            .replace("\r", "\n")
        )  # as read_text
    with ctx.open() as store:
        if make_draft:
            case = casework.create_draft(
                store, case_id, as_of=to_date(as_of) if as_of else None, replace=replace
            )
            click.echo(
                f"{case_id}: formulation drafted from the screening (revision {_formulation(case).revision}). "
                f"Edit it, then: tswt decide {case_id} --accept (or --override ...).",
                err=True,
            )
        if narrative is not None:
            case = casework.update_formulation(store, case_id, narrative=narrative)
            click.echo(
                f"{case_id}: narrative saved (revision {_formulation(case).revision}).", err=True
            )
        if versions:
            rows = [
                (
                    e.at.strftime("%Y-%m-%d %H:%M"),
                    e.user,
                    f.status if f else "removed",
                    f.revision if f else "",
                    e.note,
                )
                for e, f in store.formulation_versions(case_id)
            ]
            click.echo(table(["when (UTC)", "who", "status", "revision", "note"], rows))
            return
        case = store.get(case_id)
        from ..store.staff import staff_directory

        people = staff_directory(store)
    if as_json:
        echo_json(case.formulation.model_dump(mode="json") if case.formulation else None)
    else:
        click.echo(formulation_text(case, people))


@click.command()
@click.argument("case_id")
@click.option("--accept", is_flag=True, help="Accept the recommendation as suggested.")
@click.option(
    "--override",
    "overrides",
    nargs=3,
    multiple=True,
    metavar="PART VALUE REASON",
    help="Change one part (wave, stage, services, models, preconditions, signposting); lists comma-separated "
    "(preconditions ;-separated); a reason is required. Repeatable.",
)
@common
def decide(
    ctx: Ctx, case_id: str, accept: bool, overrides: tuple[tuple[str, str, str], ...]
) -> None:
    """Record your decision on the recommendation: accept it, or override parts with reasons."""
    from .. import casework
    from ..errors import OverrideError
    from ..model.recommendation import parse_override

    try:
        parsed = [parse_override(case_id, *o) for o in overrides]
    except OverrideError as exc:
        raise click.BadParameter(str(exc), param_hint="--override") from None
    if accept == bool(overrides):
        raise click.UsageError("give --accept, or one or more --override PART VALUE REASON")
    with ctx.open() as store:
        case = casework.decide(store, case_id, accept, parsed)
    what = "accepted" if accept else "overridden: " + ", ".join(o[0] for o in overrides)
    click.echo(
        f"{case_id}: recommendation {what} (revision {_formulation(case).revision}). Next: tswt submit {case_id}"
    )


@click.command()
@click.argument("case_id")
@common
def submit(ctx: Ctx, case_id: str) -> None:
    """Send the formulation to the clinical psychologist for sign-off."""
    from .. import casework

    with ctx.open() as store:
        case = casework.submit_for_signoff(store, case_id)
    click.echo(f"{case_id}: revision {_formulation(case).revision} submitted for sign-off.")


@click.command()
@click.argument("case_id")
@click.option("--approve", is_flag=True, help="Approve the formulation.")
@click.option("--return", "return_", is_flag=True, help="Return it for changes (needs --comment).")
@click.option(
    "--comment",
    default="",
    callback=one_line,
    help="Your comments (required when returning; one line).",
)
@click.option(
    "--outstanding-step-reason",
    "outstanding_reason",
    default="",
    callback=one_line,
    help="Approving while a risk first step (a safety plan) is not recorded as done: why "
    "approve all the same (kept with the sign-off, shown beside the step; one line).",
)
@common
def signoff(
    ctx: Ctx, case_id: str, approve: bool, return_: bool, comment: str, outstanding_reason: str
) -> None:
    """Approve a formulation, or return it with comments (clinical psychologist). A risk
    first step not recorded as done is approved over only with --outstanding-step-reason."""
    from .. import casework

    if approve == return_:
        raise click.UsageError(
            "give --approve or --return, not both" if approve else "give --approve or --return"
        )
    outcome = "approve" if approve else "return"
    with ctx.open() as store:
        case = casework.review(
            store, case_id, outcome == "approve", comment, outstanding_reason=outstanding_reason
        )
        who = _formulation(case).signoffs[-1].reviewer
    click.echo(
        f"{case_id}: revision {_formulation(case).revision} {'approved' if outcome == 'approve' else 'returned'} by {who}."
    )


@click.command()
@click.argument("case_id")
@click.option("--begin-work", "decision", flag_value="begin_work", help="Work begins.")
@click.option(
    "--close", "decision", flag_value="close", help="Close the referral (needs --reason)."
)
@click.option(
    "--reason",
    default="",
    callback=one_line,
    help="Why (required to close, and to replace a conclusion).",
)
@click.option(
    "--alternative",
    "alternatives",
    multiple=True,
    help="Alternative service recommended (signposting id; repeatable).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the conclusion already recorded (needs --reason; the old one stays in the audit log).",
)
@click.option(
    "--outstanding-step-reason",
    "outstanding_reason",
    default="",
    callback=one_line,
    help="Beginning work while a risk first step (a safety plan) is not recorded as done: "
    "why begin all the same (kept with the conclusion, shown beside the step; one line).",
)
@as_of_option
@common
def conclude(
    ctx: Ctx,
    case_id: str,
    decision: str | None,
    reason: str,
    alternatives: tuple[str, ...],
    replace: bool,
    outstanding_reason: str,
    as_of: Any,
) -> None:
    """Record the conclusion of screening: begin work, or close with reasons. Work begins
    with a risk first step not recorded as done only with --outstanding-step-reason."""
    from .. import casework

    if decision is None:
        raise click.UsageError("give --begin-work or --close")
    if replace and not reason.strip():
        raise click.UsageError("--replace needs --reason saying why the conclusion changes")
    with ctx.open() as store:
        casework.conclude(
            store,
            case_id,
            decision,
            reason,
            alternatives,
            on=to_date(as_of),
            replace=replace,
            outstanding_reason=outstanding_reason,
        )
    click.echo(f"{case_id}: conclusion of screening recorded: {decision.replace('_', ' ')}.")


@click.group()
def rules() -> None:
    """The recommendation rules: check a team's file, show the rules in use."""


@rules.command(name="check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def rules_check(file: Path) -> None:
    """Check a rules file: one line per problem, exit 2 if any."""
    from ..rules import check_rules_file

    problems = check_rules_file(file)
    if problems:
        for p in problems:
            click.echo(f"error: {p}", err=True)
        raise SystemExit(2)
    click.echo(f"OK: {file} is a valid rules file.")


@rules.command(name="show")
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A team rules file (default: $TSWT_RULES, else built in).",
)
def rules_show(rules_file: Path | None) -> None:
    """The rules in use, in order, with what each does and why."""
    from ..errors import TswtError
    from ..rules import describe_rules, rules_in_use
    from ._common import fail

    try:
        click.echo(describe_rules(rules_in_use(rules_file)))
    except TswtError as exc:
        fail(exc)


def _renamed(command: click.Command, old: str) -> click.Command:
    """The command under its name before, hidden from --help for one release: it prints a
    one-line note on stderr, then does exactly what ``command`` does (same options)."""

    def callback(**kwargs: Any) -> Any:
        click.echo(
            f"note: `tswt {old}` is now `tswt {command.name}`; the old name will be removed "
            "in the next release.",
            err=True,
        )
        assert command.callback is not None
        return command.callback(**kwargs)

    return click.Command(
        old,
        params=command.params,
        callback=callback,
        help=command.help,
        hidden=True,
    )


# `tswt outcome` was this command's name up to 0.1.0: "outcome" now means the outcome
# measures alone (docs/architecture.md, "Names").
COMMANDS = [
    recommend,
    formulation,
    decide,
    submit,
    signoff,
    conclude,
    _renamed(conclude, "outcome"),
    rules,
]
