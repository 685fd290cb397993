"""A synthetic caseload for demos, notebooks, tests and benchmarks.

Every person here is invented: case ids run from ``TSW-900001`` (the 9xxxxx range is
reserved for synthetic data), case-management references start ``SYNTH-``, each record
carries ``synthetic: true`` and reports print a SYNTHETIC banner. Deterministic for a
seed and an as-of date (all dates are placed relative to the as-of date, so a demo made
today has screenings due this week and some overdue).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from ..model.case import Case
from .children import _case, _fits_the_setting, _open_screening, _over_age_referral
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
from .questionnaires import (
    _SDQ_REASON_NOTES,
    SDQ_VERSION,
    _record_sdq_reasons,
    _young_adult_self_reports,
)
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
    "iter_caseload",
    "synthetic_id",
    "synthetic_number",
]


#: How many cases :func:`iter_caseload` makes at a time (``tswt demo`` imports each chunk
#: before making the next, so its memory does not grow with the caseload).
CHUNK = 2_000


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
    return [c for chunk in iter_caseload(n, seed, as_of, progress, first) for c in chunk]


def iter_caseload(
    n: int = 60,
    seed: int = 1,
    as_of: date | None = None,
    progress: Callable[[int], None] | None = None,
    first: int = 1,
    chunk: int = CHUNK,
) -> Iterator[list[Case]]:
    """The cases of :func:`generate_caseload`, the same ones in the same order, in lists of
    at most ``chunk``: a caller that stores each list before asking for the next holds
    one chunk at a time, not the caseload.

    One random stream draws every child's record, then every formulation. So that a chunk
    draws what the whole caseload did, a first pass makes only the draws of the records
    (about a tenth of the work), keeping the stream's state where each chunk begins; the
    formulations continue from where the last record left it, chunk after chunk."""
    as_of = as_of or date.today()
    chunk = max(1, chunk)
    rng = random.Random(seed)
    starts: list[random.Random] = []
    if n > chunk:
        for i in range(n):
            if i % chunk == 0:
                starts.append(_copy(rng))
            _drawn(rng, i, as_of)
        # ``rng`` now stands where the single stream began the formulations.
    else:
        starts = [rng]  # one chunk: the records' stream runs straight on to the formulations
    over_age = False
    todo = list(_SDQ_REASON_NOTES)
    done = 0
    for k, records in enumerate(starts):
        lo, hi = k * chunk, min(n, (k + 1) * chunk)
        cases = []
        for i in range(lo, hi):
            record = _drawn(records, i, as_of, synthetic_id(first + i))
            if not over_age and i >= 20 and not record["referral"].get("allocation"):
                # A referral the team cannot take, recorded, and eligibility says why. Taken
                # from one never allocated, so the rest of the caseload stays as it was.
                _over_age_referral(record, as_of)
                over_age = True
            _fits_the_setting(record)  # no placement breakdowns for a child never in care
            _personalise(
                record, as_of, seed
            )  # before the risks, which take their reporters from the behaviours
            # Risks come from their own generator, so adding them changes nothing else.
            _add_risks(random.Random(f"risks-{seed}-{record['case_id']}"), record, as_of)
            _young_adult_self_reports(record, seed)
            _lawful_and_coherent(record)
            cases.append(Case.model_validate(record))
        from ..measures.outcomes import baseline_bands

        bands = baseline_bands(
            cases
        )  # the recommendation uses baseline SDQ bands; one scoring pass
        for case in cases:
            _formulate(rng, case, as_of, bands[case.case_id])
            done += 1
            if progress and done % 500 == 0:
                progress(500)
        if progress and hi == n and n % 500:
            progress(n % 500)
        _record_sdq_reasons(cases, as_of, todo)
        # The work after screening comes from each case's own stream: adding it changes
        # nothing a seed gave before (the same children, dates, scores and formulations).
        yield [_with_work(random.Random(f"work-{seed}-{c.case_id}"), c, as_of) for c in cases]


def _drawn(rng: random.Random, i: int, as_of: date, case_id: str | None = None) -> dict[str, Any]:
    """The ``i``-th child's record as first drawn from the caseload's stream (every draw the
    record makes from it: the case, then an open screening for a steady share)."""
    record = _case(rng, i, as_of)
    if case_id is not None:
        record["case_id"] = case_id
    if i % 15 in (4, 11):  # a steady share of screenings overdue or due within two weeks
        _open_screening(rng, record, as_of, overdue=i % 15 == 4)
    return record


def _copy(rng: random.Random) -> random.Random:
    copy = random.Random()
    copy.setstate(rng.getstate())
    return copy
