"""Caseload-wide outcomes as tidy, typed DataFrames, read from a case store.

The analyst's entry point in Jupyter::

    >>> import tswt_formulation as tswt
    >>> store = tswt.open_store("demo.sqlite", user="t.harper")     # doctest: +SKIP
    >>> scores = tswt.analysis.scores(store)                        # doctest: +SKIP
    >>> change = tswt.analysis.change(store)                        # doctest: +SKIP
    >>> change.groupby(["informant", "scale"], observed=True)["category"].value_counts()  # doctest: +SKIP

- :func:`scores`: one row per case, measure, informant, date and scale, from the
  store's scores table (kept as cases are saved; no record is loaded).
- :func:`change`: baseline to the latest follow-up (or to each one), with reliable change
  and the clinical category (Recovered, Improved, Unchanged, Deteriorated, Harmed).
- :func:`goals`: the goals agreed with each child.
- :func:`caseload`: the caseload as of a date with the decided wave and stage.
- :func:`added_value`: each child's SDQ Added Value Score, or why it does not apply.
- :func:`informants`: a child's SDQs from different informants near the same date, per
  scale side by side, agreeing or differing by more than reliable change.

Types: informant, measure, version, timepoint, scale, band, reliable change and category
are categoricals; counts and scores nullable integers (``Int64``); dates ``datetime64``;
text ``string``. No column mixes ``None`` and ``NaN``, and wave and stage stay
integers through a merge.

The code is in submodules (issue 25): :mod:`.base` (column lists, argument checks),
:mod:`.score_table` (:func:`scores`), :mod:`.reliable_change` (:func:`change`) and
:mod:`.casework` (the rest); every name is imported here, so ``tswt.analysis`` offers all
it did as one module.
"""

from __future__ import annotations

from ..errors import Problem, ScoringError, TswtError
from .base import (
    CHANGE_COLUMNS,
    RELIABLE_CHANGE,
    SCORE_COLUMNS,
    _as_day,
    _check_store,
)
from .casework import (
    _administrations,
    _int,
    _record_parts,
    added_value,
    caseload,
    goals,
    informants,
)
from .reliable_change import (
    _change,
    _constants,
    _cutoff,
    _inline_constants,
    change,
)
from .score_table import (
    _REQUIRED,
    _bands,
    _codes,
    _groups,
    _Packed,
    _read_packed,
    _scores_given,
    _starts,
    _timepoint_rank,
    _unpack,
    scores,
)

__all__ = [
    "CHANGE_COLUMNS",
    "SCORE_COLUMNS",
    "added_value",
    "caseload",
    "change",
    "goals",
    "informants",
    "scores",
]

# The functions now live in submodules, which doctest.testmod(analysis) does not search;
# listing them here keeps their docstring examples run with this module's (issue 25).
__test__ = {
    "scores": scores,
    "change": change,
    "goals": goals,
    "caseload": caseload,
    "added_value": added_value,
    "informants": informants,
}
