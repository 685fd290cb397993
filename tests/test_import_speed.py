"""`tswt import` without the heavy libraries it does not need (issue 11): the plain-Python
check of recorded measures clears only what the vectorised scoring accepts, and a clean
import loads neither pandas nor SQLAlchemy on a SQLite store."""

from __future__ import annotations

import itertools
from datetime import date

from tswt_formulation.demo import generate_caseload
from tswt_formulation.measures.checks import _Clearance, measure_problems
from tswt_formulation.measures.definition import load_measure
from tswt_formulation.measures.scoring import score_administrations

AS_OF = date(2026, 11, 20)


def test_the_plain_check_clears_only_what_scoring_accepts():
    cases = generate_caseload(12, seed=5, as_of=AS_OF)
    admins = [(a, c.child.age_on(a.date)) for c in cases for a in c.measures]
    assert admins
    variants = []
    for (admin, age), k in zip(admins, itertools.count()):
        defn = load_measure(admin.measure)
        item_ids = [i.id for i in defn.items]
        for informant in (*defn.informants, "nobody"):
            variants.append((admin.model_copy(update={"informant": informant}), age))
        for version in (*(v.id for v in defn.versions), "X9"):
            variants.append((admin.model_copy(update={"version": version}), age))
        for shift in (-30, -age - 1, 3, 15):
            variants.append((admin, age + shift))
        item = item_ids[k % len(item_ids)]
        for value in (-1, 0, 1, 2, 3, 4, 7, 100, None):
            variants.append((admin.model_copy(update={"responses": {**admin.responses, item: value}}), age))
    by_measure: dict[str, list] = {}
    for admin, age in variants:
        by_measure.setdefault(admin.measure, []).append((admin, age))
    cleared = refused = 0
    for measure, group in by_measure.items():
        clear = _Clearance(load_measure(measure))
        scored = score_administrations([a for a, _g in group], age_by_admin=[g for _a, g in group], on_error="set_aside")
        aside = set(scored.attrs["set_aside"]["row"])
        for pos, (admin, age) in enumerate(group):
            if clear.fits(admin, age):
                cleared += 1
                assert pos not in aside, (admin, age)
            refused += pos in aside
    assert cleared > len(admins) and refused > len(admins)  # both kinds were tried
    # every administration the demo records is cleared without scoring
    assert all(_Clearance(load_measure(a.measure)).fits(a, g) for a, g in admins)


def test_a_problem_the_plain_check_finds_is_worded_by_scoring():
    case = next(c for c in generate_caseload(6, seed=5, as_of=AS_OF) if c.measures)
    i, admin = next((i, a) for i, a in enumerate(case.measures) if a.measure == "sdq")
    admin.responses["5"] = 7
    problems = measure_problems([case])
    assert [(p.where, p.field) for p in problems] == [(case.case_id, f"measures[{i}].responses.5")]
    assert "outside the response coding 0-2" in problems[0].message
