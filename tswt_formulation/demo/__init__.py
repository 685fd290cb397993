"""A synthetic caseload for demos, notebooks, tests and benchmarks.

Every person here is invented: case ids run from ``TSW-900001`` (the 9xxxxx range is
reserved for synthetic data), case-management references start ``SYNTH-``, each record
carries ``synthetic: true`` and reports print a SYNTHETIC banner. Deterministic for a
seed and an as-of date (all dates are placed relative to the as-of date, so a demo made
today has screenings due this week and some overdue).
"""

import random
from collections.abc import Callable
from datetime import date

from ..model.case import Case
from .children import _case, _open_screening, _over_age_referral
from .formulations import _formulate
from .narratives import _personalise
from .people import (
    DEMO_ADMIN,
    MANAGERS,
    REFERRERS,
    REVIEWERS,
    SYNTHETIC_ID_BASE,
    SYNTHETIC_IDS,
    WORKERS,
    demo_staff,
    synthetic_id,
    synthetic_number,
)
from .questionnaires import SDQ_VERSION, _record_sdq_reasons, _young_adult_self_reports
from .risks import _add_risks, _lawful_and_coherent
from .work import _with_work

__all__ = [
    "DEMO_ADMIN",
    "MANAGERS",
    "REFERRERS",
    "REVIEWERS",
    "SDQ_VERSION",
    "SYNTHETIC_IDS",
    "SYNTHETIC_ID_BASE",
    "WORKERS",
    "demo_staff",
    "generate_caseload",
    "synthetic_id",
    "synthetic_number",
]


def generate_caseload(
    n: int = 60,
    seed: int = 1,
    as_of: date | None = None,
    progress: Callable[[int], None] | None = None,
    first: int = 1,
) -> list[Case]:
    """``n`` synthetic cases, deterministic for ``seed`` and ``as_of`` (default today).

    Ids run from ``TSW-9xxxxx`` number ``first`` (to add to a store that has demo cases):
    TSW-900001 to TSW-999999, and TSW-900000 for the 100,000th (:func:`synthetic_id`)."""
    as_of = as_of or date.today()
    rng = random.Random(seed)
    cases = []
    over_age = False
    for i in range(n):
        record = _case(rng, i, as_of)
        record["case_id"] = synthetic_id(first + i)
        if i % 15 in (4, 11):  # a steady share of screenings overdue or due within two weeks
            _open_screening(rng, record, as_of, overdue=i % 15 == 4)
        if not over_age and i >= 20 and not record["referral"].get("allocation"):
            # A referral the team cannot take, recorded, and eligibility says why. Taken
            # from one never allocated, so the rest of the caseload stays as it was.
            _over_age_referral(record, as_of)
            over_age = True
        _personalise(
            record, as_of, seed
        )  # before the risks, which take their reporters from the behaviours
        # Risks come from their own generator, so adding them changes nothing else.
        _add_risks(random.Random(f"risks-{seed}-{record['case_id']}"), record, as_of)
        _young_adult_self_reports(record, seed)
        _lawful_and_coherent(record)
        cases.append(Case.model_validate(record))
    from ..measures.outcomes import baseline_bands

    bands = baseline_bands(cases)  # the recommendation uses baseline SDQ bands; one scoring pass
    for i, case in enumerate(cases):
        _formulate(rng, case, as_of, bands[case.case_id])
        if progress and (i + 1) % 500 == 0:
            progress(500)
    if progress and n % 500:
        progress(n % 500)
    _record_sdq_reasons(cases, as_of)
    # The work after screening comes from each case's own stream: adding it changes
    # nothing a seed gave before (the same children, dates, scores and formulations).
    return [_with_work(random.Random(f"work-{seed}-{c.case_id}"), c, as_of) for c in cases]
