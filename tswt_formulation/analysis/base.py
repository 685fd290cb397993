"""The column lists and argument checks every part of :mod:`tswt_formulation.analysis` shares."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import TswtError

if TYPE_CHECKING:
    pass


#: Columns of :func:`scores`, in order.
SCORE_COLUMNS = (
    "case_id",
    "measure",
    "informant",
    "version",
    "date",
    "timepoint",
    "age",
    "scale",
    "value",
    "band",
)


#: Columns of :func:`change`, in order.
CHANGE_COLUMNS = (
    "case_id",
    "measure",
    "informant",
    "scale",
    "baseline_date",
    "baseline_version",
    "baseline_value",
    "date",
    "timepoint",
    "version",
    "value",
    "paired",
    "difference",
    "threshold",
    "rci",
    "reliable_change",
    "clinical_cutoff",
    "category",
    "constants_source",
)


RELIABLE_CHANGE = ("improved", "none", "deteriorated")


def _check_store(store: Any, where: str) -> None:
    from ..store.store import CaseStore

    if not isinstance(store, CaseStore):
        raise TswtError(
            f"{where}: pass an open case store (tswt_formulation.open_store(path, user=...)), "
            f"not {type(store).__name__}"
        )


def _as_day(value: Any, where: str, field: str = "as_of") -> date | None:
    """A date from a date, a Timestamp or ISO text ("2026-01-01"); a clear error otherwise."""
    from ..config import parse_day

    return parse_day(value, where, field)
