"""Checking recorded measure administrations against their definitions, so that a case
whose responses could not be scored is refused when it is imported or saved, never
discovered later by a report."""

from __future__ import annotations

from typing import Iterable

from ..errors import Problem, TswtError
from ..model.case import Case
from .definition import list_measures, load_measure
from .scoring import score_administrations


def measure_problems(cases: Iterable[Case]) -> list[Problem]:
    """Every administration that does not fit its measure: unknown measure, unknown item,
    a version or informant the measure lacks, an age outside the form's range, a value
    outside the response coding. One problem per fault, naming the case and the field.
    Scoring runs once per measure over all the cases (vectorised)."""
    entries: dict[str, list[tuple[str, int, object, int]]] = {}
    for case in cases:
        for i, admin in enumerate(case.measures):
            entries.setdefault(admin.measure, []).append((case.case_id, i, admin, case.child.age_on(admin.date)))
    problems: list[Problem] = []
    for measure_id, group in entries.items():
        try:
            definition = load_measure(measure_id)
        except TswtError:
            known = ", ".join(m.id for m in list_measures())
            problems += [Problem(cid, f"measures[{i}].measure", f"unknown measure {measure_id!r}; known: {known}") for cid, i, _a, _age in group]
            continue
        items = {item.id for item in definition.items}
        scorable = []
        for cid, i, admin, age in group:
            unknown = sorted(set(admin.responses) - items, key=lambda k: (len(k), k))  # type: ignore[attr-defined]
            if unknown:
                problems.append(Problem(cid, f"measures[{i}].responses", f"{', '.join(unknown)}: not an item of {measure_id} "
                                        f"(items are {', '.join(sorted(items, key=lambda k: (len(k), k))[:6])}, ...)"))
            else:
                scorable.append((cid, i, admin, age))
        if not scorable:
            continue
        scored = score_administrations([a for _c, _i, a, _g in scorable], age_by_admin=[g for _c, _i, _a, g in scorable],
                                       on_error="set_aside")
        aside = scored.attrs.get("set_aside")
        if aside is None:
            continue
        for row in aside.to_dict("records"):
            cid, i, _admin, _age = scorable[int(row["row"])]
            field = f"measures[{i}].responses.{row['column']}" if row["column"] not in ("informant", "version", "age") else (
                f"measures[{i}].{row['column'] if row['column'] != 'age' else 'date'}")
            problems.append(Problem(cid, field, str(row["reason"])))
    return sorted(problems, key=lambda p: (p.where, p.field))


def check_measures(cases: Iterable[Case]) -> None:
    """Raise :class:`ValidationFailed` listing every administration that does not fit."""
    from ..errors import ValidationFailed

    problems = measure_problems(cases)
    if problems:
        raise ValidationFailed(problems, summary=f"{len(problems)} problem(s) with recorded measures; nothing was written:")
