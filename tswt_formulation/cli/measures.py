"""Commands on outcome measures: score a file, a child's outcomes, the measures known."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import click

from ._common import Ctx, as_of_option, common, echo_json, table, to_date


@click.command()
@click.argument("measure")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV: one row per administration.",
)
@click.option("--informant", help="parent, teacher or self (or an informant column in the file).")
@click.option(
    "--version", "form_version", help="Form version, e.g. P4-17 (default: by informant and age)."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the scores here (CSV); default standard output.",
)
@click.option(
    "--set-aside",
    "set_aside",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Score the good rows and write the bad ones, with the reason, to this CSV (exit 1 if any).",
)
@click.option(
    "--id-column",
    "id_columns",
    multiple=True,
    help="Extra columns to pass through unscored (repeatable).",
)
@common
def score(
    ctx: Ctx,
    measure: str,
    input_path: Path,
    informant: str | None,
    form_version: str | None,
    output: Path | None,
    set_aside: Path | None,
    id_columns: tuple[str, ...],
) -> None:
    """Score a CSV of administrations (item numbers or the official syntax's names).

    Problems are reported by the CSV's line number ("row 5" is line 5) and column.
    """
    import pandas as pd

    from ..config import store_location
    from ..errors import Problem, ScoringError
    from ..measures import score as score_frame
    from ._common import check_output

    store = store_location(ctx.store_location)
    check_output(output, store=store, inputs=[input_path])
    check_output(
        set_aside, "--set-aside", store=store, inputs=[input_path], others=[(output, "--output")]
    )

    text, lines = _read_responses(input_path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise ScoringError(
            [
                Problem(
                    str(input_path),
                    "",
                    "the file is empty; expected a header row and one row per administration",
                )
            ]
        ) from None
    except pd.errors.ParserError as exc:
        raise ScoringError(
            [Problem(str(input_path), "", f"not a readable CSV file: {str(exc).splitlines()[0]}")]
        ) from None
    frame = _numeric_items(frame, set(id_columns))
    # "row N" is line N of the CSV file (line 1: the header; blank lines are skipped)
    frame.index = lines if len(lines) == len(frame) else range(2, len(frame) + 2)
    try:
        result = score_frame(
            measure,
            frame,
            informant=informant,
            version=form_version,
            id_columns=id_columns,
            on_error="set_aside" if set_aside else "raise",
        )
    except (
        ScoringError
    ) as exc:  # a problem with the file as a whole (its columns) names the file, not the measure
        named = [
            Problem(str(input_path), p.field, p.message) if p.where == measure else p
            for p in exc.problems
        ]
        raise ScoringError(named, summary=exc.summary, omitted=exc.omitted) from None
    text = result.to_csv(index=False)
    if output:
        from ..reports.atomic import atomic_write_text

        atomic_write_text(output, text)
        click.echo(f"Scored {len(result)} administration(s) into {output}.", err=True)
    else:
        click.echo(text, nl=False)
    bad = result.attrs.get("set_aside") if set_aside else None
    if set_aside and bad is not None and len(bad):
        from ..reports.atomic import atomic_write_text

        atomic_write_text(set_aside, bad.to_csv(index=False))
        rows = bad["row"].nunique()
        click.echo(
            f"Set aside {rows} row(s) with the reason in {set_aside}"
            + (f" ({len(bad)} problems: one line each)" if len(bad) != rows else "")
            + ".",
            err=True,
        )
        raise SystemExit(1)


MAX_COLUMNS = (
    1_000  # an SDQ with every id column is under 60; more is not a file of administrations
)
MAX_ROW_PROBLEMS = 100


def _read_responses(path: Path) -> tuple[str, list[int]]:
    """The CSV's text, once checked that it is an ordinary file within the size limit
    and that every row has as many cells as the header: a row with a trailing comma
    would otherwise shift each of its answers into the next item's column (pandas takes
    the extra first cell as the row's label), scoring the wrong items without a word.
    Returns the text and the line number of each data row."""
    import csv

    from .._files import read_text_bounded
    from ..errors import Problem, ScoringError, ValidationFailed

    source = str(path)
    try:
        text = read_text_bounded(path, kind="CSV", encoding="utf-8-sig")
    except ValidationFailed as exc:
        raise ScoringError(exc.problems) from None
    reader = csv.reader(io.StringIO(text))
    problems: list[Problem] = []
    more = 0
    lines: list[int] = []
    try:
        header = next(reader, None)
        if header is not None and len(header) > MAX_COLUMNS:
            raise ScoringError(
                [
                    Problem(
                        source,
                        "header",
                        f"has {len(header):,} columns; the limit is {MAX_COLUMNS:,} "
                        "(item columns and id columns of one measure)",
                    )
                ]
            )
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:  # a blank line
                continue
            lines.append(start)
            if header is not None and len(row) != len(header):
                if len(problems) < MAX_ROW_PROBLEMS:
                    problems.append(
                        Problem(
                            f"{source}: row {start}",
                            "",
                            f"has {len(row)} cells; the header has {len(header)} "
                            "(a trailing comma, or a cell missing or extra?); correct the row",
                        )
                    )
                else:
                    more += 1
    except csv.Error as exc:
        raise ScoringError(
            [Problem(source, f"line {reader.line_num}", f"not a readable CSV file: {exc}")]
        ) from None
    if problems:
        raise ScoringError(
            problems,
            summary=f"{len(problems) + more:,} row(s) do not match the header; nothing was scored:",
            omitted=more,
        )
    return text, lines


def _numeric_items(frame: Any, keep_text: set[str]) -> Any:
    """Item columns as whole numbers, cell by cell: a value that is not a whole number is
    left as text, so the scorer reports that cell (row and column) and only that cell."""
    import pandas as pd

    text_cols = {
        "case_id",
        "date",
        "timepoint",
        "informant",
        "version",
        "administration",
        "measure",
        "id",
    } | keep_text
    for col in frame.columns:
        if col in text_cols:
            continue
        as_num = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        # A number too big to hold exactly (a 20-digit "answer") stays text: the scorer
        # names its cell, as for any other value that is not an answer.
        whole = as_num.notna() & (as_num % 1 == 0) & (as_num.abs() < 2**53)
        if whole.all() or (whole | frame[col].isna()).all():
            frame[col] = as_num.astype("Int64")
        else:
            frame[col] = (
                frame[col]
                .astype(object)
                .where(~whole, as_num.where(whole).astype("Int64").astype(object))
            )
    return frame


@click.command()
@click.argument("case_id")
@as_of_option
@click.option(
    "--constants",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Team constants for reliable change (default: $TSWT_MEASURE_CONSTANTS).",
)
@click.option(
    "--months-in-work",
    type=click.IntRange(1, 60),
    default=6,
    show_default=True,
    help="Flag no reliable improvement after this long in work.",
)
@click.option("--json", "as_json", is_flag=True)
@common
def outcomes(
    ctx: Ctx, case_id: str, as_of: Any, constants: Path | None, months_in_work: int, as_json: bool
) -> None:
    """A child's outcome scores, bands and change against baseline."""
    from ..measures.constants import active_constants
    from ..measures.outcomes import case_outcomes

    day = to_date(as_of)
    with ctx.open() as store:
        case = store.get(case_id)
    result = case_outcomes(
        case, day, constants=active_constants(constants), months_in_work=months_in_work
    )
    from ..reports.added_value import terminal_lines  # issue 23: AVS and informants

    avs_lines, avs_json = terminal_lines(result.scored, active_constants(constants), day)
    if as_json:
        echo_json(
            {
                "case_id": case_id,
                "as_of": day.isoformat(),
                "scores": _records(result.scored),
                "baseline_vs_latest": _records(result.baseline_vs_latest),
                "not_on_track": _records(result.not_on_track),
                "constants": result.constants,
                **avs_json,
            }
        )
        return
    if result.scored.empty:
        click.echo(f"{case_id}: no measures recorded.")
        return
    click.echo(f"{case_id}: outcome measures as of {day.isoformat()}\n")
    s = result.scored
    cols = [
        c
        for c in (
            "total",
            "emotional",
            "conduct",
            "hyperactivity",
            "peer",
            "prosocial",
            "impact",
            "goal_1",
            "goal_2",
            "goal_3",
        )
        if c in s.columns and s[c].notna().any()
    ]
    rows = []
    for r in s.sort_values(["measure", "informant", "date"]).to_dict("records"):
        vals = []
        for c in cols:
            v = r.get(c)
            band = r.get(f"{c}_band3")
            vals.append(
                ""
                if _na(v)
                else (f"{int(v)} {band}" if isinstance(band, str) and c == "total" else str(int(v)))
            )
        rows.append((r["measure"], r["informant"], r["timepoint"], str(r["date"])[:10], *vals))
    click.echo(table(["measure", "informant", "timepoint", "date", *cols], rows))
    if not result.baseline_vs_latest.empty:
        click.echo("\nChange, baseline to latest:")
        b = result.baseline_vs_latest
        b = b[b["paired"]]
        rows = [
            (
                r["measure"],
                r["informant"],
                r["score"],
                _int(r["baseline_value"]),
                _int(r["latest_value"]),
                r["latest_timepoint"],
                _signed(r["difference"]),
                "" if _na(r["threshold"]) else f"{r['threshold']:.2f}",
                r["category"] or "no constants",
            )
            for r in b.to_dict("records")
        ]
        click.echo(
            table(
                [
                    "measure",
                    "informant",
                    "score",
                    "baseline",
                    "latest",
                    "at",
                    "change",
                    "reliable at",
                    "category",
                ],
                rows,
            )
        )
        why = sorted(
            {
                (r["measure"], r["informant"], r["clinical_note"])
                for r in b.to_dict("records")
                if isinstance(r.get("clinical_note"), str) and r["clinical_note"]
            }
        )
        for measure, informant, note in why:  # why there is no Recovered / Harmed
            click.echo(f"  {measure} {informant}: {note}")
    if not result.not_on_track.empty:
        click.echo("\nNot on track:")
        for reason in result.not_on_track["reason"]:
            click.echo(f"  - {reason}")
    for line in avs_lines:
        click.echo(line)
    missing = sorted(
        {k for k, v in result.constants.items() if v.startswith("no reliable-change constants")}
    )
    if missing:
        click.echo(
            f"\nNo reliable-change constants for: {', '.join(missing)}. Supply a team constants file (TSWT_MEASURE_CONSTANTS); see docs/measures.md."
        )
    sources = sorted(
        {v for v in result.constants.values() if not v.startswith("no reliable-change")}
    )
    if sources:
        click.echo("\nConstants used: " + "; ".join(sources))


def _na(v: Any) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _int(v: Any) -> str:
    return "" if _na(v) else str(int(v))


def _signed(v: Any) -> str:
    return "" if _na(v) else f"{int(v):+d}"


def _records(df: Any) -> list[dict[str, Any]]:
    if df is None or df.empty:
        return []
    return json.loads(df.to_json(orient="records", date_format="iso"))


@click.group()
def measures() -> None:
    """The outcome measures this installation knows (built in and the team's)."""


@measures.command(name="list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """Every measure: id, name, definition version, forms."""
    from ..measures import list_measures

    found = list_measures()
    if as_json:
        echo_json(
            [
                {
                    "id": m.id,
                    "name": m.name,
                    "version": m.version,
                    "forms": [v.id for v in m.versions],
                }
                for m in found
            ]
        )
        return
    click.echo(
        table(
            ["id", "name", "version", "forms"],
            [(m.id, m.name, m.version, ", ".join(v.id for v in m.versions)) for m in found],
        )
    )


@measures.command()
@click.argument("measure")
def show(measure: str) -> None:
    """A measure's forms, scores, direction and reliable-change constants."""
    from ..errors import TswtError
    from ..measures import load_measure
    from ._common import fail

    try:
        m = load_measure(measure)
    except TswtError as exc:
        fail(exc)
    click.echo(f"{m.id}: {m.name} (definition {m.version})")
    click.echo("Forms: " + "; ".join(f"{v.id} ({', '.join(v.informants)})" for v in m.versions))
    rows = []
    for s in m.scores:
        lo, hi = m.score_range(s)
        try:
            rel = m.reliability(s, allow_unconfirmed=True)
            constants = (
                rel.source if (rel.r or rel.points) else "none confirmed: supply your team's"
            )
        except TswtError:
            constants = "none confirmed: supply your team's"
        rows.append((s, f"{lo}-{hi}", f"{m.better(s)} is better", constants))
    click.echo(table(["score", "range", "direction", "reliable-change constants"], rows))


COMMANDS = [score, outcomes, measures]
