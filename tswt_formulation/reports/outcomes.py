"""The outcomes report: each measure's trajectory by informant with bands and the
reliable-change corridor, goal progress, the change table, and not-on-track flags.

This module gathers the report (:meth:`OutcomesReport.from_store`,
:meth:`OutcomesReport.from_case`) and draws its header, flags, scores and change table;
the charts are :class:`~.outcomes_charts.OutcomesCharts` and the work
:class:`~.outcomes_work.WorkSection`, which it inherits; the names of scores and
informants are :mod:`.outcomes_words`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..measures.constants import MeasureConstants, active_constants
from ..measures.definition import load_measure
from ..measures.outcomes import CaseOutcomes, case_outcomes
from ..model.case import Case
from ..store.staff import StaffDirectory
from ..words import CATEGORY_WORDS, band_words, plural, signed, uk_date
from .common import Header, parse_as_of, provenance, reading, required_case_id, risk_section
from .expected import child_section as expected_child_section
from .html import Section, section, table, text
from .outcomes_charts import OutcomesCharts
from .outcomes_words import _INFORMANTS, _SCORE_LABELS, _num
from .outcomes_work import WorkSection


@dataclass
class OutcomesReport(OutcomesCharts, WorkSection):
    case: Case
    as_of: date
    result: CaseOutcomes
    constants: MeasureConstants | None
    staff: StaffDirectory = field(default_factory=StaffDirectory)

    @classmethod
    def from_store(
        cls, case_id: str, store: Any, as_of: Any = None, constants: str | None = None
    ) -> OutcomesReport:
        from ..casework import open_case
        from ..store.staff import staff_directory

        case_id = required_case_id(case_id)
        with reading(store) as st:
            case = open_case(st, case_id, "report")  # who may read it; the opening logged
            staff = staff_directory(st)
        return cls.from_case(case, as_of, constants, staff)

    @classmethod
    def from_case(
        cls,
        case: Case,
        as_of: Any = None,
        constants: str | None = None,
        staff: StaffDirectory | None = None,
    ) -> OutcomesReport:
        """``constants``: the team's constants file (default ``$TSWT_MEASURE_CONSTANTS``)."""
        day = parse_as_of(as_of)
        loaded = active_constants(constants)
        return cls(
            case, day, case_outcomes(case, day, constants=loaded), loaded, staff or StaffDirectory()
        )

    def header(self) -> Section:
        f = self.case.formulation
        last = f.latest_signoff if f else None
        reviewer = ""
        if (
            f is not None
            and last is not None
            and f.status == "signed_off"
            and last.outcome == "approved"
        ):
            reviewer = (
                f"{self.staff.describe(last.reviewer)} (formulation signed off {uk_date(last.at)})"
            )
        head = Header(
            "outcomes",
            "Outcomes: measures and change over time",
            self.case.case_id,
            self.as_of,
            self.staff.describe(self.case.worker or ""),
            reviewer,
            self.case.synthetic,
        ).section()
        warning = self.illustrative_warning()
        return Section(head.html + warning, head.plain, head.meta) if warning else head

    def illustrative_warning(self) -> str:
        """On page 1, not in small print: reliable change judged with illustrative constants."""
        c = self.constants
        if c is None or (
            not any("ILLUSTRATIVE" in (e.source or "").upper() for e in c.entries)
            and "illustrative" not in c.version.lower()
        ):
            return ""
        return (
            '<p class="status-note">ILLUSTRATIVE CONSTANTS: reliable change in this report is judged with the demo\'s '
            f"illustrative reliability constants ({text(c.version)}), not a cited source. Do not use these judgements for a "
            "child's care; a team supplies its own constants (docs/measures.md).</p>"
        )

    def risks(self) -> Section:
        """Risk first, in every report: the screening's risk behaviours with their evidence."""
        # One child's baseline bands in plain Python, as tswt recommend takes them.
        from ..measures.one_child import case_baseline_bands
        from ..rules.recommend import recommend

        rec = recommend(self.case, bands=case_baseline_bands(self.case), risk_as_of=self.as_of)
        return risk_section(rec)

    def flags(self) -> Section:
        from .supervision import flag_words

        flags = self.result.not_on_track
        if flags is None or flags.empty:
            out = self.case.outcome
            if out is not None and out.decision == "close" and out.date <= self.as_of:
                # Not "not yet judged" beside scores that may be abnormal: work never began.
                why = out.reasons.strip().rstrip(".")
                msg = (
                    f"Work did not begin: the case was closed after screening on {uk_date(out.date)}"
                    + (f" ({why})" if why else "")
                    + ". Progress is judged only over work; the scores in this report are the screening's."
                )
            elif out is None or out.decision != "begin_work":
                msg = "Not yet judged: work has not begun."
            else:
                months = _whole_months(out.date, self.as_of)
                msg = (
                    f"Not yet judged: under 6 months in work ({plural(months, 'month')} so far)."
                    if months < 6
                    else "On track: no headline score is reliably worse, and none is without reliable improvement after 6 months in work."
                )
            return Section(
                f'<section class="section risks clear"><h2>Progress</h2><p>{text(msg)}</p></section>',
                msg,
            )
        rows = flags.sort_values("flag", ascending=False).to_dict("records")
        worse = [r for r in rows if r["flag"] == "reliably_worse"]
        body = (
            f"<p><strong>{text(plural(len(worse), 'score'))} with reliable deterioration</strong>; "
            f"{text(plural(len(rows) - len(worse), 'score'))} without reliable improvement after 6 months in work.</p>"
            + "<ul>"
            + "".join(
                f'<li class="{"flag" if r["flag"] == "reliably_worse" else ""}">{text(flag_words(r))}</li>'
                for r in rows
            )
            + "</ul>"
        )
        return Section(
            f'<section class="section risks"><h2>Not on track: read first</h2>{body}</section>',
            plural(len(flags), "flag"),
        )

    def scores(self) -> Section:
        s = self.result.scored
        if s.empty:
            return section(
                "Scores", '<p class="none">No measures recorded for this child.</p>', "scores"
            )
        parts = []
        for (measure, informant), grp in s.sort_values("date").groupby(
            ["measure", "informant"], sort=True
        ):
            cols = [c for c in _SCORE_LABELS if c in grp.columns and grp[c].notna().any()]
            rows = []
            for r in grp.to_dict("records"):
                cells = []
                for c in cols:
                    band3, band4 = r.get(f"{c}_band3"), r.get(f"{c}_band4")
                    bands = " / ".join(
                        band_words(b, c) for b in (band3, band4) if isinstance(b, str)
                    )
                    cells.append(
                        text(_num(r[c]))
                        + (f'<span class="band">{text(bands)}</span>' if bands else "")
                    )
                when = f'{text(r["timepoint"])}<span class="band">{text(uk_date(pd.Timestamp(r["date"]).date()))}, form {text(r["version"])}</span>'
                rows.append((when, *cells))
            name = load_measure(measure).name
            parts.append(
                f"<h3>{text(name)}: {text(_INFORMANTS.get(informant, informant))}</h3>"
                + table(
                    ["When", *[_SCORE_LABELS[c] for c in cols]],
                    rows,
                    raw_columns=range(1 + len(cols)),
                )
            )  # every cell escaped above
        if self.case.goals:
            parts.append(
                "<h3>Goals agreed</h3>"
                + table(
                    ["Goal", "In the family's words", "Agreed"],
                    [(g.number, g.description, uk_date(g.agreed)) for g in self.case.goals],
                )
            )
        note = (
            '<p class="small">Under each score: the youthinmind 2016 three-band category (normal, borderline, abnormal) / '
            "the four-band category (close to average, slightly raised, high, very high) of each form, for ages 4-17 "
            "(three-band provisional for the parent 2-4 form); the 18+ forms and the teacher 2-4 form have no published "
            "bands, so their scores are shown without a band.</p>"
        )
        return section("Scores", "".join(parts) + note, "scores")

    def expected(self) -> Section:
        """Expected progress (issue 23): empty unless TSWT_EXPECTED_MODEL names a model."""
        return expected_child_section(self.case, self.as_of)

    def change_table(self) -> Section:
        latest = self.result.baseline_vs_latest
        reviews = self.result.reviews_vs_baseline
        if latest is None or latest.empty:
            return section(
                "Change", '<p class="none">No baseline to compare with yet.</p>', "change"
            )
        paired = latest[latest["paired"]]
        rows: list[tuple[str, ...]] = [
            (
                r["measure"].upper(),
                _INFORMANTS.get(r["informant"], r["informant"]),
                _SCORE_LABELS.get(r["score"], r["score"]),
                _num(r["baseline_value"]),
                f"{_num(r['latest_value'])} ({r['latest_timepoint']})",
                "" if pd.isna(r["difference"]) else signed(float(r["difference"])),
                "" if pd.isna(r["threshold"]) else f"{r['threshold']:.1f}",
                _category(r["category"]),
            )
            for r in paired.to_dict("records")
        ]
        if not rows:
            # Headers over nothing read as data lost: say why there is no change to show.
            out = self.case.outcome
            why = (
                " (the case was closed after screening)"
                if out is not None and out.decision == "close"
                else ""
            )
            body = (
                '<h3>Baseline and latest</h3><p class="none">No follow-up yet: only baseline scores are recorded'
                f"{text(why)}, so there is no change to judge.</p>"
            )
        else:
            body = "<h3>Baseline and latest</h3>" + table(
                [
                    "Measure",
                    "Informant",
                    "Score",
                    "Baseline",
                    "Latest",
                    "Change",
                    "Reliable change needs",
                    "Judged",
                ],
                rows,
            )
        if reviews is not None and not reviews.empty:
            rv = reviews[reviews["timepoint"] != "baseline"].dropna(subset=["difference"])
            rv = rv[rv["score"].isin(["total", "goal_1", "goal_2", "goal_3"])]
            rows = [
                (
                    r["measure"].upper(),
                    _INFORMANTS.get(r["informant"], r["informant"]),
                    _SCORE_LABELS.get(r["score"], r["score"]),
                    r["timepoint"],
                    _num(r["value"]),
                    signed(float(r["difference"])),
                    _category(r.get("category")),
                )
                for r in rv.to_dict("records")
            ]
            if rows:
                body += "<h3>Each review against baseline (headline scores)</h3>" + table(
                    ["Measure", "Informant", "Score", "Review", "Score then", "Change", "Judged"],
                    rows,
                )
        if "clinical_note" in paired.columns:
            notes = sorted(
                {
                    (_INFORMANTS.get(r["informant"], r["informant"]), r["clinical_note"])
                    for r in paired.to_dict("records")
                    if isinstance(r["clinical_note"], str) and r["clinical_note"]
                }
            )
            if notes:
                body += (
                    '<p class="small">No "recovered" or "into the clinical range" judgement where there is no clinical '
                    "cut-off: " + text("; ".join(f"{who}: {note}" for who, note in notes)) + ".</p>"
                )
        missing = sorted(
            k for k, v in self.result.constants.items() if str(v).startswith("no reliable-change")
        )
        if missing:
            body += (
                '<p class="small">No reliable-change constants for '
                + text(", ".join(missing))
                + ": the team has not supplied them (see docs/measures.md), so reliable change is not judged there.</p>"
            )
        body += (
            '<p class="small">Reliable change: Jacobson and Truax (1991), critical value 1.96. Recovered: reliable improvement '
            "from the clinical into the non-clinical range. Reliable deterioration into the clinical range: reliably worse and "
            "crossing the clinical cut-off. Lower is better except prosocial and goals.</p>"
        )
        return section("Change", body, "change")

    def added_value(self) -> Section:
        """The SDQ Added Value Score beside its interval, or why it does not apply (issue 23)."""
        from .added_value import added_value_section

        return added_value_section(self._sdq_until_report(), as_of=self.as_of)

    def informants(self) -> Section:
        """Informants' SDQs near the same date, side by side, with the reminder (issue 23)."""
        from .added_value import informants_section

        return informants_section(self._sdq_until_report(), self.constants)

    def _sdq_until_report(self) -> pd.DataFrame:
        s = self.result.scored
        if s.empty or "date" not in s.columns:
            return s
        return s[pd.to_datetime(s["date"]) <= pd.Timestamp(self.as_of)]

    def provenance(self) -> Section:
        versions = {
            m: load_measure(m).version
            for m in sorted(set(self.result.scored.get("measure", pd.Series(dtype=str))))
        }
        constants = None
        if self.constants is not None:
            constants = f"{self.constants.version} ({', '.join(sorted({e.source for e in self.constants.entries}))})"
        return provenance(None, versions, constants or "none supplied")

    def sections(self) -> list[Section]:
        return [
            self.header(),
            self.risks(),
            self.flags(),
            self.expected(),
            # The summary tables before the charts: page 1 is not left half empty.
            self.change_table(),
            self.added_value(),
            self.informants(),
            self.charts(),
            self.charts_in_words(),
            self.work(),
            self.scores(),
            self.provenance(),
        ]


def _category(value: Any) -> str:
    """A change category in the words of a child's file ("reliable deterioration")."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not value:
        return "not judged (no reliable-change constants)"
    return CATEGORY_WORDS.get(str(value), str(value))


def _whole_months(start: date, end: date) -> int:
    from ..rules.conditions import whole_months

    return max(0, whole_months(start, end))
