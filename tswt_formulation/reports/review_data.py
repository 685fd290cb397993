"""What the summarised caseload review reads, from the store's light tables only (issue 24):
the caseload query (indexed columns, the timeline), a few parts of each record extracted
by the database (recorded risks, the formulation's status and sign-offs, the decided wave
and services), the last measure from the ``scores`` table (migration 7), and baseline
against latest from :func:`tswt_formulation.analysis.change`. No case is materialised.

The rules' risk flags (a presenting behaviour a rule with ``risk: true`` flags, whether or
not the screening recorded it as a risk item) are worked out from each child's presenting
behaviours in the store's work digest by :mod:`tswt_formulation.rules.light_risks`; a child
whose digest lacks them, or whom a risk rule reading more than the behaviours could flag,
is read whole and evaluated as the full review evaluates it (:func:`rule_risks`).

Which children need action (listed by name in the summarised review, never folded into a
count): a risk with a safety reason (a high risk, a risk with no safety plan, a risk whose
review is out of date, a risk the rules flag), reliable deterioration on any scale, a
screening overdue, a formulation returned and not resubmitted. Everyone else is counted
per worker.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..rules.risk import RiskOnDate, RiskStatus

if TYPE_CHECKING:
    from ..rules.results import RiskBehaviour
    from ..store.store import CaseStore

#: Above this many children the review summarises (per worker) instead of listing everyone.
SUMMARISE_ABOVE = 500
#: A child's reasons to need action, in the order they are listed (safety reasons first).
SAFETY_REASONS = ("high risk", "no safety plan", "risk review overdue", "risk flagged by the rules")
ACTION_REASONS = (
    *SAFETY_REASONS,
    "reliable deterioration",
    "screening overdue",
    "formulation returned",
)
HEADLINE = ("total", "goal_1", "goal_2", "goal_3")
_SLICE = 20_000  # children whose change is worked out at once
_PATHS = {
    "risks": "screening.risks",
    "started": "screening.started",
    "completed": "screening.completed",
    "f_status": "formulation.status",
    "f_updated": "formulation.updated",
    "f_revision": "formulation.revision",
    "f_author": "formulation.author",
    "f_signoffs": "formulation.signoffs",
    "wave": "formulation.recommendation.wave",
    "services": "formulation.recommendation.services",
    "overrides": "formulation.decision.overrides",
}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector paused while the review parses its JSON into objects.

    Parsing the record parts and the work digests of 100,000 children makes millions of
    small dicts and lists (none of them in a cycle); each few hundred thousand of them
    set off a collection that walks every object alive, the frames' among them, and at
    100,000 children those walks cost more than the parsing (work digests: some 6 s with
    the collector, 1 to 3 s without, on this machine). Reference counting still frees
    everything; the collector runs again as before when this ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


@dataclass
class Formulation:
    """The parts of a formulation the review quotes."""

    status: str
    updated: date | None
    revision: int | None
    author: str | None
    returned_on: date | None = None  # the last sign-off's day, when returned
    returned_by: str | None = None
    comment: str = ""


@dataclass
class LightCaseload:
    """The summarised review's data. ``frame`` is the store's caseload as of the day (the
    timeline, as ``tswt caseload``); the dicts are keyed by case id."""

    as_of: date
    frame: pd.DataFrame
    risks: dict[str, RiskStatus] = field(default_factory=dict)  # cases with a recorded risk
    formulations: dict[str, Formulation] = field(default_factory=dict)
    last_measure: dict[str, date] = field(default_factory=dict)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)  # case_id, wave, services
    change: pd.DataFrame = field(default_factory=pd.DataFrame)  # every scale, working cases
    deteriorated: set[str] = field(default_factory=set)
    stalled: set[str] = field(default_factory=set)  # no reliable improvement after 6 months
    # The behaviours the rules flag as a risk, of each child with one (rule_risks), and
    # how many children were read whole to know them.
    flagged: dict[str, tuple[RiskBehaviour, ...]] = field(default_factory=dict)
    read_whole: int = 0

    def reasons(self, case_id: str, overdue: bool) -> tuple[str, ...]:
        """Every reason this child needs action, in :data:`ACTION_REASONS` order."""
        status = self.risks.get(case_id)
        found = set()
        for r in status.risks if status is not None else ():
            if r.level == "high":
                found.add("high risk")
            if not r.safety_plan:
                found.add("no safety plan")
            if r.out_of_date:
                found.add("risk review overdue")
        if case_id in self.flagged:
            found.add("risk flagged by the rules")
        if case_id in self.deteriorated:
            found.add("reliable deterioration")
        if overdue:
            found.add("screening overdue")
        f = self.formulations.get(case_id)
        if f is not None and f.status == "returned" and f.returned_on is not None:
            found.add("formulation returned")
        return tuple(r for r in ACTION_REASONS if r in found)


def load(
    store: CaseStore,
    as_of: date,
    worker: str | None = None,
    constants: str | None = None,
    months_in_work: int = 6,
) -> LightCaseload:
    """Read the summarised review's data from ``store`` (already authorised to read)."""
    from .. import analysis
    from ..model.vocabulary import vocabulary

    frame = store.caseload(as_of=as_of, worker=worker)
    ids = set(frame["case_id"].astype(object))
    out = LightCaseload(as_of, frame)
    plan_rows = []
    voc = vocabulary()  # once, not once a risk
    for row in _record_parts(store):
        case_id = row[0]
        if case_id not in ids:
            continue
        p = dict(zip(_PATHS, row[1:]))
        risks = _json(p["risks"])
        if risks:
            out.risks[case_id] = _risk_status(
                case_id, risks, _day(p["started"]), _day(p["completed"]), as_of, voc
            )
        if p["f_status"]:
            f = Formulation(
                str(p["f_status"]),
                _day(p["f_updated"]),
                int(p["f_revision"]) if p["f_revision"] is not None else None,
                p["f_author"],
            )
            signoffs = _json(p["f_signoffs"]) or []
            last = signoffs[-1] if isinstance(signoffs, list) and signoffs else signoffs
            if f.status == "returned" and last:
                f.returned_on, f.returned_by = _day(last.get("at")), last.get("reviewer")
                f.comment = last.get("comment") or ""
            out.formulations[case_id] = f
        wave, services = p["wave"], _json(p["services"]) or []
        for o in _json(p["overrides"]) or []:
            if o.get("part") == "wave":
                wave = o.get("value")
            elif o.get("part") == "services":
                services = list(o.get("value") or [])
        plan_rows.append((case_id, wave, services))
    out.plan = pd.DataFrame(plan_rows, columns=["case_id", "wave", "services"])
    out.last_measure = _last_measures(store, as_of, ids)
    working = frame.loc[
        frame["conclusion"].astype(object).eq("begin_work"), ["case_id", "conclusion_date"]
    ]
    started = dict(
        zip(working["case_id"].astype(object), pd.to_datetime(working["conclusion_date"]))
    )
    # Scores of the children in work only, and change worked out a slice of children at a
    # time (each child's change is its own): the working memory of one slice, not all.
    scored = analysis.scores(store, as_of=as_of)
    ids_in_work = sorted(started)
    # Each score's child's place among them (-1: not in work), found once: a slice's
    # rows are then a range of places, not a look-up of every score in a set per slice.
    place = pd.Index(ids_in_work, dtype=object).get_indexer(scored["case_id"].astype(object))
    parts = []
    for k in range(0, max(len(ids_in_work), 1), _SLICE):
        parts.append(
            analysis.change(
                scored[(place >= k) & (place < k + _SLICE)],
                constants=constants,
                as_of=as_of,
            )
        )
    del scored
    change = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    del parts
    out.change = change.rename(
        columns={
            "scale": "score",
            "value": "latest_value",
            "date": "latest_date",
            "timepoint": "latest_timepoint",
            "version": "latest_version",
        }
    )
    if not out.change.empty:
        rc = out.change["reliable_change"].astype(object)
        judged = out.change["baseline_value"].notna() & out.change["threshold"].notna()
        worse = judged & rc.eq("deteriorated")
        out.deteriorated = set(out.change.loc[worse, "case_id"].astype(object))
        due = out.change["case_id"].astype(object).map(started) + pd.DateOffset(
            months=months_in_work
        ) <= pd.Timestamp(as_of)
        headline = out.change["score"].astype(object).isin(HEADLINE)
        stalled = judged & headline & due & ~rc.eq("deteriorated") & ~rc.eq("improved")
        out.stalled = set(out.change.loc[stalled, "case_id"].astype(object)) - out.deteriorated
    return out


def rule_risks(
    store: CaseStore, ids: set[str], digests: list[dict[str, Any]], as_of: date
) -> tuple[dict[str, tuple[RiskBehaviour, ...]], int]:
    """The behaviours the active rules flag as a risk, of each child of ``ids`` with one
    (as ``Recommendation.risks`` of the full review), and how many children were read
    whole: from the presenting behaviours in each child's work digest where every risk
    rule that could flag one of them reads the behaviours alone; else (no behaviours in
    the digest, or a rule reading more) the case is read whole, a chunk at a time, and
    evaluated as the full review does (``recommend`` with its baseline bands)."""
    from ..model.vocabulary import vocabulary
    from ..rules.facts import behaviour_facts
    from ..rules.light_risks import RiskRulePlan, digest_behaviours
    from ..rules.rulefile import active_rules

    plan = RiskRulePlan.of(active_rules())
    voc = vocabulary()  # once, not once a child
    by_id = {d.get("case_id"): d for d in digests}
    out: dict[str, tuple[RiskBehaviour, ...]] = {}
    whole: list[str] = []
    undecided = {}
    for case_id in sorted(ids):
        items = digest_behaviours(by_id.get(case_id))
        if items is None:
            whole.append(case_id)
            continue
        if not plan.could_flag([i["behaviour"] for i in items]):
            continue  # most children: no behaviour any risk rule can flag
        facts = behaviour_facts(items, voc)
        if plan.needs_case(facts):
            whole.append(case_id)
            continue
        flagged = plan.flags(facts)
        if flagged is None:
            undecided[case_id] = facts
        elif flagged:
            out[case_id] = plan.risks(facts, flagged)
    paths = _rule_paths(store, sorted(undecided)) if undecided else {}
    for case_id, facts in undecided.items():
        path = paths.get(case_id)
        if path is None:
            whole.append(case_id)
        elif flagged := plan.flags_on(facts, path):
            out[case_id] = plan.risks(facts, flagged)
    if whole:
        from ..measures.outcomes import baseline_bands
        from ..rules.recommend import recommend

        whole.sort()
        for k in range(0, len(whole), _WHOLE_CHUNK):
            cases = list(store.cases(whole[k : k + _WHOLE_CHUNK]))
            bands = baseline_bands(cases)
            for c in cases:
                rec = recommend(c, plan.rules, bands=bands[c.case_id], risk_as_of=as_of)
                if rec.risks:
                    out[c.case_id] = rec.risks
    return dict(sorted(out.items())), len(whole)


_WHOLE_CHUNK = 500  # cases read whole at once, as the store reads them


def _rule_paths(store: CaseStore, ids: list[str]) -> dict[str, str]:
    """Which rules apply to each child (``rules.recommend.rule_path``), decided by
    ``check_eligibility`` itself on the child and referral read from the record (all the
    eligibility check reads); on a database other than SQLite, none (read whole)."""
    import sqlalchemy as sa

    from ..model.parse import case_from_data
    from ..rules.eligibility import check_eligibility
    from ..rules.recommend import rule_path
    from ..store import schema

    if store.engine.dialect.name != "sqlite":
        return {}
    c = schema.cases.c
    out = {}
    with store.engine.connect() as conn:
        for k in range(0, len(ids), _WHOLE_CHUNK):
            q = sa.select(c.case_id, sa.func.json_extract(c.record, "$.child", "$.referral")).where(
                c.case_id.in_(ids[k : k + _WHOLE_CHUNK])
            )
            for case_id, parts in conn.execute(q):
                child, referral = json.loads(parts)
                part = {"case_id": case_id, "child": child, "referral": referral}
                case = case_from_data(part, case_id, stored=True)
                out[case_id] = rule_path(check_eligibility(case).verdict)
    return out


def _risk_status(
    case_id: str,
    items: list[dict[str, Any]],
    started: date | None,
    completed: date | None,
    as_of: date,
    voc: Any,
) -> RiskStatus:
    """The recorded risks as :func:`tswt_formulation.rules.risk.risk_status` gives them
    (most serious first, out of date before current at a level), from the record's JSON
    (validated when it was written), each as :func:`~tswt_formulation.rules.risk.recorded_risk`
    makes it, with the vocabulary looked up once rather than once a risk."""
    rank, kinds = voc["risk_level"].rank, voc["risk_kind"]
    parsed = []
    for i, r in enumerate(items):
        due = date.fromisoformat(r["review_due"])
        recorded = date.fromisoformat(r["recorded"])
        parsed.append(
            (
                (-rank(r["level"]), not due < as_of, i),
                RiskOnDate(
                    kind=r["kind"],
                    label=kinds.label(r["kind"]),
                    level=r["level"],
                    evidence=r.get("evidence", ""),
                    reported_by=tuple(dict.fromkeys(r["reported_by"])),
                    recorded=recorded,
                    at_screening=started is not None and recorded >= started,
                    safety_plan=bool(r.get("safety_plan", False)),
                    safety_plan_holder=r.get("safety_plan_holder", ""),
                    review_due=due,
                    out_of_date=due < as_of,
                ),
            )
        )
    return RiskStatus(
        case_id=case_id,
        as_of=as_of,
        assessed=completed is not None,
        screening_started=started is not None,
        risks=tuple(r for _, r in sorted(parsed, key=lambda t: t[0])),
    )


def _record_parts(store: CaseStore) -> list[tuple[Any, ...]]:
    """(case_id, *parts) of each case with a screening or a formulation (the others have
    none of :data:`_PATHS`). On SQLite one ``json_extract`` with every path parses each
    record once (a JSON array of the parts); elsewhere
    :func:`tswt_formulation.analysis._record_parts`, a path at a time."""
    import sqlalchemy as sa

    from .. import analysis
    from ..store import engine as dialect
    from ..store import schema

    if store.engine.dialect.name != "sqlite":
        return analysis._record_parts(store, _PATHS)
    c = schema.cases.c
    paths = ["$." + p for p in _PATHS.values()]
    paths[list(_PATHS).index("f_signoffs")] += "[#-1]"  # the last sign-off alone
    parts = sa.func.json_extract(c.record, *paths)
    q = (
        sa.select(c.case_id, parts)
        .where(c.screening_started.is_not(None) | c.formulation_status.is_not(None))
        .order_by(c.case_id)
    )
    with store.engine.connect() as conn:
        return [(case_id, *json.loads(found)) for case_id, found in dialect.fetch_tuples(conn, q)]


def _last_measures(store: CaseStore, as_of: date, ids: set[str]) -> dict[str, date]:
    """Each case's latest measure on or before ``as_of``, from the scores table."""
    import sqlalchemy as sa

    from ..store import schema

    s = schema.scores.c
    q = sa.select(s.case_id, sa.func.max(s.date)).where(s.date <= as_of).group_by(s.case_id)
    with store.engine.connect() as conn:
        return {
            case_id: _day(day)  # type: ignore[misc]
            for case_id, day in conn.execute(q)
            if case_id in ids and day is not None
        }


@dataclass(frozen=True)
class ActionLine:
    """One child who needs action, from the light tables."""

    case_id: str
    worker: str | None
    reasons: tuple[str, ...]
    risk: str
    risk_rank: int
    risk_review: str
    state: str
    next_review: str

    @property
    def safety(self) -> bool:
        return any(r in SAFETY_REASONS for r in self.reasons)

    @property
    def urgency(self) -> tuple[int, int, str]:
        first = 0 if self.safety else ACTION_REASONS.index(self.reasons[0])
        return (first, -self.risk_rank, self.case_id)


class RisksAsRecommendation:
    """A case's :class:`~tswt_formulation.rules.risk.RiskStatus` (read from the record parts)
    and the behaviours the rules flag (``LightCaseload.flagged``) as the recommendation
    :func:`~.supervision.risk_of` reads: its recorded risks and its risk behaviours."""

    def __init__(self, status: Any, flagged: tuple[Any, ...] = ()) -> None:
        self.risk = status
        self.risks = flagged
