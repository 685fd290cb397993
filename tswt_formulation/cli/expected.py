"""`tswt expected fit` and `tswt expected check`: expected progress fitted on the team's own
completed episodes (issue 23; docs/change.md, "Expected progress")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ._common import Ctx, as_of_option, common, table, to_date

DEFAULT_FILE = "expected-progress.json"


@click.group()
def expected() -> None:
    """Expected progress from the team's own completed episodes: fit the curves, check
    how well they would have flagged."""


def _pct(x: float) -> str:
    return "-" if x != x else f"{100 * x:.0f}%"  # NaN: no one to count


def check_table(frame: Any) -> str:
    """The check's counts as a plain-text table (one row per measure, scale and informant, then all)."""
    rows = []
    for r in frame.itertuples(index=False):
        name = "all" if r.measure == "all" else f"{r.measure} {r.informant} {r.scale}"
        rows.append(
            (
                name,
                r.series,
                r.poor_outcomes,
                *(getattr(r, f"expected_{k}") for k in ("tp", "fp", "tn", "fn")),
                _pct(r.expected_sensitivity),
                _pct(r.expected_specificity),
                *(getattr(r, f"rule_{k}") for k in ("tp", "fp", "tn", "fn")),
                _pct(r.rule_sensitivity),
                _pct(r.rule_specificity),
                r.not_judged,
            )
        )
    return table(
        [
            "series",
            "held out",
            "poor",
            "curve TP",
            "FP",
            "TN",
            "FN",
            "sens",
            "spec",
            "rule TP",
            "FP",
            "TN",
            "FN",
            "sens",
            "spec",
            "no curve",
        ],
        rows,
    )


@expected.command("fit")
@as_of_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"Model file to write (default: $TSWT_EXPECTED_MODEL, else ./{DEFAULT_FILE}).",
)
@click.option(
    "--minimum",
    type=click.IntRange(2, 100_000),
    default=None,
    help="Fewest completed episodes a stratum needs at a month for a curve (default 30).",
)
@common
def fit_command(ctx: Ctx, as_of: Any, out: str | None, minimum: int | None) -> None:
    """Fit expected-progress curves on the store's completed episodes and write the model
    file (what it was fitted on, n, date, method). Clinical psychologists, team managers
    and administrators."""
    from ..measures import expected as E

    day = to_date(as_of)
    ctx.authorise("fit_expected_model")
    who = ctx.identity()
    with ctx.open() as store:
        points = E.points_from_store(store, as_of=day)
        location = store.location
    done = points[points["ended"].notna()]
    target = Path(out or os.environ.get("TSWT_EXPECTED_MODEL") or DEFAULT_FILE)
    model = E.fit(
        done,
        minimum=minimum or E.DEFAULT_MINIMUM,
        fitted_on={"store": str(location), "as_of": day.isoformat()},
        fitted_by=f"{who.login} ({who.how})",
    )
    model.save(target)
    click.echo(fit_summary(model, target))


def fit_summary(model: Any, target: Path) -> str:
    """What `tswt expected fit` says: what was fitted on, each curve, and each stratum too small."""
    meta = model.meta
    on = meta["fitted_on"]
    lines = [
        f"Wrote {target}: fitted on {on['episodes']} completed episode"
        f"{'' if on['episodes'] == 1 else 's'} ({on['administrations']} follow-up scores"
        + (f", {on['first_date']} to {on['last_date']}" if on["first_date"] else "")
        + f"); minimum {meta['minimum']} per stratum and month."
    ]
    for c in model.curves:
        months = [m["month"] for m in c["months"] if "q50" in m]
        name = f"{c['measure']} {c['informant']} {c['scale']}, baseline {c['stratum']}"
        if months:
            lines.append(
                f"  curve: {name}: {c['episodes']} episodes, months {months[0]}-{months[-1]}"
            )
        else:
            most = max((m["n"] for m in c["months"]), default=0)
            lines.append(
                f"  no curve: {name}: too few completed episodes at any one month "
                f"(at most n={most} < {meta['minimum']})"
            )
    for t in model.too_few:
        lines.append(
            f"  no curve: {t['measure']} {t['informant']} {t['scale']}, baseline {t['stratum']}: {t['reason']}"
        )
    if not any(any("q50" in m for m in c["months"]) for c in model.curves):
        lines.append(
            "No expected-progress curve could be fitted: too few completed episodes. "
            "The rule-based alert (reliably worse, or no reliable improvement after 6 months) "
            "stays for every child."
        )
    return "\n".join(lines)


@expected.command("check")
@as_of_option
@click.option(
    "--minimum",
    type=click.IntRange(2, 100_000),
    default=None,
    help="Fewest completed episodes a stratum needs at a month for a curve (default 30).",
)
@click.option(
    "--constants",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="The team's reliable-change constants (default: $TSWT_MEASURE_CONSTANTS).",
)
@click.option(
    "--synthetic",
    type=click.IntRange(100, 1_000_000),
    default=None,
    metavar="N",
    help="Check on N synthetic episodes with a known course instead of the store "
    "(illustrative reliable-change constants).",
)
@click.option("--seed", type=int, default=23, show_default=True, help="With --synthetic.")
@common
def check_command(
    ctx: Ctx,
    as_of: Any,
    minimum: int | None,
    constants: str | None,
    synthetic: int | None,
    seed: int,
) -> None:
    """How well the curves would have flagged, on held-out episodes: fit on one half of the
    completed episodes (by case id), test on the other; sensitivity and specificity for a
    final outcome of no reliable improvement (or deterioration), beside the rule-based alert."""
    from ..measures import expected as E
    from ..measures.constants import MeasureConstants

    team: MeasureConstants | None
    if synthetic:
        scores, work = E.synthetic_history(synthetic, seed=seed)
        points = E.points_from_scores(scores, work)
        team = E.synthetic_constants()
        where = f"{synthetic:,} synthetic episodes (seed {seed}; illustrative constants)"
    else:
        from ..measures.constants import active_constants

        day = to_date(as_of)
        ctx.authorise("read_case")
        team = active_constants(constants)
        with ctx.open() as store:
            points = E.points_from_store(store, as_of=day)
            where = f"{store.location} as of {day.isoformat()}"
    result = E.check(points, minimum=minimum or E.DEFAULT_MINIMUM, constants=team)
    click.echo(
        f"Expected-progress check on {where}: curves fitted on {result.fit_episodes:,} completed "
        f"episodes, tested on {result.test_episodes:,} held out (split by case id)."
    )
    if result.table.empty or int(result.table["series"].iloc[-1]) == 0:
        click.echo(
            "No held-out series to test (no completed episodes with a follow-up and "
            "reliable-change constants)."
        )
    else:
        click.echo(check_table(result.table))
    click.echo(
        "Poor outcome: the last score not reliably better than baseline. Curve: flagged when any "
        "earlier score was worse than its 25th-centile line. Rule: flagged when any earlier score "
        "was reliably worse, or not reliably better 6 months or more after work began "
        "(the rule-based alert)."
    )
    if not result.model.curves or all(
        not any("q50" in m for m in c["months"]) for c in result.model.curves
    ):
        click.echo(
            "No curve could be fitted on the fit half: too few completed episodes "
            f"(fewer than {minimum or E.DEFAULT_MINIMUM} per stratum); the rule-based alert stays."
        )


COMMANDS = [expected]


def caseload_below_expected(ctx: Ctx, day: Any, case_ids: set[str]) -> list[str] | None:
    """`tswt caseload`'s lines for the children below their expected band (of ``case_ids``,
    work under way on ``day``); None when no model is set (TSWT_EXPECTED_MODEL), so the
    command stays as light as before."""
    from ..measures.expected import judge, load_model, model_path, points_from_store
    from ..reports.expected import NOT_A_DIAGNOSIS, _listed, below_band_table, model_words
    from ..words import plural

    path = model_path()
    if path is None:
        return None
    model = load_model(path)
    with ctx.open() as store:
        points = points_from_store(store, as_of=day)
    points = points[points["case_id"].isin(case_ids) & points["ended"].isna()]
    judged = _listed(judge(model, points, day))
    below = below_band_table(judged).sort_values(["how_far", "case_id"], ascending=[False, True])
    no_curve = judged.loc[judged["status"] == "no_curve", "case_id"].nunique()
    lines = [
        f"Below expected progress: {plural(len(below), 'child', 'children')} of "
        f"{judged['case_id'].nunique()} with an SDQ total since work began "
        f"({int(below['strong'].sum())} beyond the 10th-centile line); curves {model_words(model)}.",
    ]
    lines += [f"  {r.case_id}  {r.below}" for r in below.itertuples(index=False)]
    if no_curve:
        lines.append(
            f"{plural(no_curve, 'child', 'children')} with no curve for their score "
            "(too few completed episodes): the rule-based alert stays."
        )
    lines.append(NOT_A_DIAGNOSIS)
    return lines
