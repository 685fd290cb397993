"""Checking recorded measure administrations against their definitions, so that a case
whose responses could not be scored is refused when it is imported or saved, never
discovered later by a report.

An import of thousands of cases usually has nothing wrong: each administration is first
checked here in plain Python against the same rules (no pandas to import), and only a
measure with an administration this check cannot clear goes through the vectorised
scoring, whose set-aside rows give each problem its wording. The plain check only ever
clears what scoring would accept; anything it is unsure of is left to scoring.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import Problem, TswtError
from ..model.case import Case, MeasureAdministration
from .definition import DEFAULT_ID_COLUMNS, MeasureDefinition, list_measures, load_measure


def measure_problems(cases: Iterable[Case]) -> list[Problem]:
    """Every administration that does not fit its measure: unknown measure, unknown item,
    a version or informant the measure lacks, an age outside the form's range, a value
    outside the response coding. One problem per fault, naming the case and the field.
    Scoring runs once per measure over all the cases (vectorised), for a measure with an
    administration the plain-Python check (:class:`_Clearance`) does not clear."""
    entries: dict[str, list[tuple[str, int, MeasureAdministration, int]]] = {}
    for case in cases:
        for i, admin in enumerate(case.measures):
            entries.setdefault(admin.measure, []).append(
                (case.case_id, i, admin, case.child.age_on(admin.date))
            )
    problems: list[Problem] = []
    for measure_id, group in entries.items():
        try:
            definition = load_measure(measure_id)
        except TswtError:
            known = ", ".join(m.id for m in list_measures())
            problems += [
                Problem(
                    cid, f"measures[{i}].measure", f"unknown measure {measure_id!r}; known: {known}"
                )
                for cid, i, _a, _age in group
            ]
            continue
        items = {item.id for item in definition.items}
        scorable = []
        for cid, i, admin, age in group:
            unknown = sorted(set(admin.responses) - items, key=lambda k: (len(k), k))
            if unknown:
                problems.append(
                    Problem(
                        cid,
                        f"measures[{i}].responses",
                        f"{', '.join(unknown)}: not an item of {measure_id} "
                        f"(items are {', '.join(sorted(items, key=lambda k: (len(k), k))[:6])}, ...)",
                    )
                )
            else:
                scorable.append((cid, i, admin, age))
        if not scorable:
            continue
        clear = _Clearance(definition)
        if all(clear.fits(admin, age) for _c, _i, admin, age in scorable):
            continue
        from .scoring import (
            score_administrations,  # pandas: only for a measure with something to word
        )

        scored = score_administrations(
            [a for _c, _i, a, _g in scorable],
            age_by_admin=[g for _c, _i, _a, g in scorable],
            on_error="set_aside",
        )
        aside = scored.attrs.get("set_aside")
        if aside is None:
            continue
        for row in aside.to_dict("records"):
            cid, i, _admin, _age = scorable[int(row["row"])]
            field = (
                f"measures[{i}].responses.{row['column']}"
                if row["column"] not in ("informant", "version", "age")
                else (f"measures[{i}].{row['column'] if row['column'] != 'age' else 'date'}")
            )
            problems.append(Problem(cid, field, str(row["reason"])))
    return sorted(problems, key=lambda p: (p.where, p.field))


class _Clearance:
    """What a measure's definition allows, looked up once per import: the plain-Python
    counterpart of scoring's row checks (informant, version, age, item codes, items on
    the informant's form). :meth:`fits` is True only where scoring finds nothing."""

    def __init__(self, defn: MeasureDefinition) -> None:
        self.versions = {v.id: v for v in defn.versions}
        # an item id scoring would read as an id column, or resolve to another item: left to scoring
        items = [
            item
            for item in defn.items
            if item.id not in DEFAULT_ID_COLUMNS
            and defn.column_lookup.get(item.id.lower()) == item.id
        ]
        # (version, informant) -> the codes each item on that informant's form may take
        self.codes: dict[tuple[str, str], dict[str, frozenset[int]]] = {
            (v.id, informant): {
                item.id: frozenset(defn.coding(item.id).values)
                for item in items
                if item.informants is None or informant in item.informants
            }
            for v in defn.versions
            for informant in v.informants
        }

    def fits(self, admin: MeasureAdministration, age: int | None) -> bool:
        codes = self.codes.get(
            (admin.version, admin.informant)
        )  # None: a version or informant scoring refuses
        if codes is None:
            return False
        if age is not None and (age < 0 or not self.versions[admin.version].covers(age)):
            return False
        for key, value in admin.responses.items():
            if value is not None and (type(value) is not int or value not in codes.get(key, ())):
                return False
        return True


def check_measures(cases: Iterable[Case]) -> None:
    """Raise :class:`ValidationFailed` listing every administration that does not fit."""
    from ..errors import ValidationFailed

    problems = measure_problems(cases)
    if problems:
        raise ValidationFailed(
            problems,
            summary=f"{len(problems)} problem(s) with recorded measures; nothing was written:",
        )
