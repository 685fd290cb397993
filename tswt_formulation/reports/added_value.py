"""Report blocks for issue 23: a child's SDQ Added Value Score beside its interval, the
informants side by side, and the service's mean Added Value Score (caseload review).

Self-contained: each function returns a :class:`~.html.Section` built from tables with
column and row headers (``<th scope>``), a caption and text, never colour alone; every
value goes through :func:`~.html.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ..words import INFORMANT_LABELS, uk_date
from .html import Section, text

if TYPE_CHECKING:
    import pandas as pd

    from ..measures.constants import MeasureConstants


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table whose first column heads its row; every cell escaped."""
    head = "".join(f'<th scope="col">{text(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{text(c)}</th>' if i == 0 else f"<td>{text(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    keep = " keep" if len(rows) <= 8 else ""
    return (
        f'<table class="avs{keep}"><caption>{text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _day(value: Any) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else uk_date(pd.Timestamp(value).date())


def _section(title: str, body: str, css: str, plain: str, level: int = 2) -> Section:
    return Section(
        f'<section class="section {css}"><h{level}>{text(title)}</h{level}>{body}</section>', plain
    )


def added_value_section(scored: pd.DataFrame, level: int = 2, as_of: date | None = None) -> Section:
    """One child's Added Value Score, only ever beside its 95% interval; or why not."""
    from ..measures.added_value import NOTES, added_value_scores, child_words

    title = "SDQ Added Value Score (parent/carer)"
    if scored is None or scored.empty or "informant" not in scored.columns:
        body = '<p class="none">Not applicable: no SDQ recorded.</p>'
        return _section(title, body, "added-value", "Added Value Score: no SDQ", level)
    avs = added_value_scores(scored, as_of)
    if avs.empty:
        body = '<p class="none">Not applicable: no SDQ recorded.</p>'
        return _section(title, body, "added-value", "Added Value Score: no SDQ", level)
    r = avs.iloc[0]
    if not bool(r["applies"]):
        words = child_words(r)
        body = f"<p><strong>{text(words[0].upper() + words[1:])}.</strong></p>"
    else:
        rows = [
            (
                "Baseline",
                f"{_day(r['baseline_date'])}, form {r['baseline_version']}",
                f"{int(r['baseline_total'])}",
                f"impact {int(r['baseline_impact'])}, emotional {int(r['baseline_emotional'])}",
            ),
            (
                "Predicted at follow-up",
                "from the baseline: 2.3 + 0.8 x total + 0.2 x impact - 0.3 x emotional",
                f"{r['predicted']:.1f}",
                "",
            ),
            (
                "Follow-up",
                f"{_day(r['followup_date'])}, {r['followup_months']:.1f} months after baseline",
                f"{int(r['followup_total'])}",
                "",
            ),
        ]
        body = _table(
            "The parent/carer SDQ total difficulties the Added Value Score is worked from",
            ["SDQ", "When", "Total difficulties", "Also used"],
            rows,
        )
        value, low, high = float(r["avs"]), float(r["low"]), float(r["high"])
        how = (
            f"{abs(value):.1f} points better than predicted"
            if value > 0
            else f"{abs(value):.1f} points worse than predicted"
            if value < 0
            else "as predicted"
        )
        spans_zero = low <= 0 <= high
        body += (
            f"<p><strong>Added Value Score {text(child_words(r))}</strong>: the follow-up total "
            f"was {text(how)}. "
            + (
                "The interval includes 0: this child's change cannot be told apart from what "
                "was predicted."
                if spans_zero
                else "The interval does not include 0, but one child's score is still read "
                "with the rest of the work, not alone."
            )
            + "</p>"
        )
    body += f'<p class="small">{text(NOTES)}</p>'
    return _section(title, body, "added-value", "Added Value Score", level)


def informants_section(
    scored: pd.DataFrame,
    constants: MeasureConstants | None,
    window_days: int | None = None,
    level: int = 2,
) -> Section:
    """The informants' SDQs near the same date, per scale side by side, with the reminder."""
    from ..config import informant_window_days
    from ..measures.informants import REMINDER, informant_comparison
    from ..words import SCALE_WORDS

    title = "Where informants agree and differ (SDQ)"
    window = informant_window_days() if window_days is None else window_days
    if scored is None or scored.empty or "informant" not in scored.columns:
        pairs = None
    else:
        pairs = informant_comparison(scored, window, constants)
    if pairs is None or pairs.empty:
        body = (
            f'<p class="none">No SDQs from two informants within {text(window)} days of each other '
            "(the team's window), so there is nothing to set side by side.</p>"
        )
        return _section(title, body, "informants", "Informants: none paired", level)
    parts = []
    for (ia, da, ib, db), grp in pairs.groupby(
        ["informant_a", "date_a", "informant_b", "date_b"], observed=True, sort=True
    ):
        who_a, who_b = INFORMANT_LABELS[str(ia)], INFORMANT_LABELS[str(ib)]
        days = int(grp["days_apart"].iloc[0])
        rows = [
            (
                SCALE_WORDS.get(str(r["scale"]), str(r["scale"])),
                f"{int(r['value_a'])}",
                f"{int(r['value_b'])}",
                "0" if int(r["difference"]) == 0 else f"{int(r['difference']):+d}",
                "" if r["judgement"] == "not judged" else f"more than {r['threshold']:.1f}",
                str(r["note"]) if r["judgement"] == "not judged" else str(r["judgement"]),
            )
            for r in grp.to_dict("records")
        ]
        when = (
            f"{who_a} and {who_b}, both {_day(da)}"
            if days == 0
            else f"{who_a} ({_day(da)}) and {who_b} ({_day(db)}), {days} day"
            f"{'' if days == 1 else 's'} apart"
        )
        parts.append(
            _table(
                when,
                [
                    "Scale",
                    who_a,
                    who_b,
                    f"Difference ({who_a.lower()} minus {who_b.lower()})",
                    "Differ when apart by",
                    "Judged",
                ],
                rows,
            )
        )
    differ = int((pairs["judgement"] == "differ").sum())
    judged = int((pairs["judgement"] != "not judged").sum())
    summary = (
        f"{differ} of {judged} judged scale comparison{'' if judged == 1 else 's'} "
        f"differ{'s' if judged == 1 else ''} by more than reliable change."
        if judged
        else "None judged: the team has no cited reliable-change constants for these scales."
    )
    source = (
        f"{constants.version} ({', '.join(sorted({e.source for e in constants.entries}))})"
        if constants is not None
        else "none supplied"
    )
    body = (
        f"<p>SDQs from different informants within {text(window)} days of each other (the team's "
        f"window). {text(summary)}</p>"
        + "".join(parts)
        + f'<p class="reminder"><strong>Remember:</strong> {text(REMINDER)}</p>'
        + '<p class="small">Differ: the two scores are more than the scale\'s reliable-change threshold '
        "apart (the larger of the two informants' thresholds). Impact is not compared (the teacher's "
        f"is scored 0-6, the others' 0-10). Reliable-change constants: {text(source)}.</p>"
    )
    return _section(title, body, "informants", f"Informants: {differ} differ", level)


def service_added_value_section(avs: pd.DataFrame) -> Section:
    """The service's mean Added Value Score with its 95% interval (>= 10 pairs), for the
    caseload review."""
    from ..measures.added_value import MIN_PAIRS, NOTES, service_added_value

    s = service_added_value(avs)
    reasons = avs.loc[~avs["applies"].astype(bool), "reason"].astype(str)
    counts = reasons.map(_reason_group).value_counts()
    rows = [
        ("Children with a parent/carer baseline and a follow-up 4-8 months later", s.n_pairs),
        *[(f"Not applicable: {k}", int(v)) for k, v in counts.sort_index().items()],
    ]
    table = _table(
        "Children with an SDQ, by whether the Added Value Score applies",
        ["Children", "Number"],
        rows,
    )
    head = (
        f"<p><strong>{text(s.words()[0].upper() + s.words()[1:])}.</strong></p>"
        if s.reported
        else f"<p><strong>Service Added Value Score: {text(s.words())}.</strong> It is reported "
        f"only with at least {MIN_PAIRS} pairs.</p>"
    )
    body = head + table + f'<p class="small">{text(NOTES)}</p>'
    return _section("SDQ Added Value Score (service)", body, "added-value", s.words())


def _reason_group(reason: str) -> str:
    """Group the reasons for the service table (months differ child to child)."""
    if reason.startswith("follow-up at") or reason.startswith("follow-ups at"):
        return "follow-up outside 4-8 months"
    if reason.startswith("baseline on form") or reason.startswith("baseline form not recorded"):
        return "baseline not on the standard parent/carer form (P4-17)"
    if reason.startswith("no parent/carer SDQ 4-8 months after baseline so far"):
        return "no follow-up yet, the 4-8 month window still open"
    if reason.endswith("AVS is defined for parent/carer SDQs only"):
        return "no parent/carer SDQ (AVS is defined for parent/carer SDQs only)"
    return reason


def workbench_panel(
    scored: pd.DataFrame, constants: MeasureConstants | None, as_of: date | None = None
) -> str:
    """The read-only panel of the workbench's measures tab: both blocks, headings at
    level 4 (under the tab's level-3 heading); administrations after ``as_of`` left out."""
    import pandas as pd

    if as_of is not None and not scored.empty and "date" in scored.columns:
        scored = scored[pd.to_datetime(scored["date"]) <= pd.Timestamp(as_of)]
    return (
        _PANEL_STYLE
        + '<div class="tswt-avs">'
        + added_value_section(scored, level=4, as_of=as_of).html
        + informants_section(scored, constants, level=4).html
        + "</div>"
    )


# The workbench has no report stylesheet: cells apart and left-aligned, captions bold.
_PANEL_STYLE = (
    "<style>.tswt-avs table{border-collapse:collapse;margin:4px 0 12px 0}"
    ".tswt-avs th,.tswt-avs td{padding:2px 10px;text-align:left;vertical-align:top;"
    "border-bottom:1px solid #ccc}.tswt-avs caption{text-align:left;font-weight:bold;"
    "padding:4px 0}</style>"
)


def service_added_value_from_cases(cases: list[Any], as_of: date) -> Section:
    """The caseload review's block: the mean AVS of the children whose work began, from
    their SDQs up to ``as_of``."""
    import pandas as pd

    from ..measures.added_value import AVS_COLUMNS, added_value_scores
    from ..measures.outcomes import case_scores

    working = [
        c for c in cases if c.conclusion is not None and c.conclusion.decision == "begin_work"
    ]
    scored = case_scores(working)
    if not scored.empty:
        scored = scored[pd.to_datetime(scored["date"]) <= pd.Timestamp(as_of)]
    avs = (
        added_value_scores(scored, as_of)
        if not scored.empty
        else pd.DataFrame({c: pd.Series(dtype=object) for c in AVS_COLUMNS})
    )
    return service_added_value_section(avs)


def terminal_lines(
    scored: pd.DataFrame, constants: MeasureConstants | None, as_of: date
) -> tuple[list[str], dict[str, Any]]:
    """``tswt outcomes``' lines for the AVS and the informants, and the same as JSON."""
    import json

    import pandas as pd

    from ..config import informant_window_days
    from ..measures.added_value import added_value_scores, child_words
    from ..measures.informants import REMINDER, informant_comparison
    from ..measures.informants import judgement_words as judged

    if not scored.empty and "date" in scored.columns:
        scored = scored[pd.to_datetime(scored["date"]) <= pd.Timestamp(as_of)]
    if scored.empty or "informant" not in scored.columns:
        return [], {"added_value": [], "informants": []}  # the same keys for every child
    lines: list[str] = []
    avs = added_value_scores(scored, as_of)
    if not avs.empty:
        lines.append(f"\nSDQ Added Value Score (parent/carer): {child_words(avs.iloc[0])}")
    window = informant_window_days()
    pairs = informant_comparison(scored, window, constants)
    if not pairs.empty:
        lines.append(f"\nInformants within {window} days of each other:")
        for r in pairs.to_dict("records"):
            a, b = INFORMANT_LABELS[str(r["informant_a"])], INFORMANT_LABELS[str(r["informant_b"])]
            lines.append(
                f"  {a} {pd.Timestamp(r['date_a']).date()} / {b} {pd.Timestamp(r['date_b']).date()}"
                f" {r['scale']}: {int(r['value_a'])} and {int(r['value_b'])}, {judged(r)}"
            )
        lines.append(f"  {REMINDER}")
    as_json = {
        "added_value": json.loads(avs.to_json(orient="records", date_format="iso")),
        "informants": json.loads(pairs.to_json(orient="records", date_format="iso")),
    }
    return lines, as_json
