"""A team's constants for reliable change: reliability and SD (or a raw-points threshold)
per measure, score and informant, each with the source the team cites.

The built-in SDQ definition confirms no reliability constant (youthinmind's scoring guide
gives none; where none is confirmed, say so and require the caller to supply them); a team supplies its own here,
in a YAML file named by ``TSWT_MEASURE_CONSTANTS`` or passed explicitly::

    version: "team-2026.1"
    constants:
      - measure: sdq
        scores: [total, emotional]
        informants: [parent]       # omit for every informant
        r: 0.80
        sd: 5.8
        source: "Author (year), table n"
      - measure: gbo
        scores: [goal_1, goal_2, goal_3]
        points: 2.45               # a raw-points threshold instead of r and SD
        source: "Edbrooke-Childs et al. (2015), as adopted by the team"
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._yaml import safe_load
from ..errors import MeasureDefinitionError, Problem, problems_from


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: str
    scores: Annotated[list[str], Field(min_length=1)]
    informants: list[str] | None = None
    r: Annotated[float, Field(gt=0, lt=1)] | None = None
    sd: Annotated[float, Field(gt=0)] | None = None
    points: Annotated[float, Field(gt=0)] | None = None
    source: Annotated[str, Field(min_length=3)]
    note: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> _Entry:
        has_rsd = self.r is not None or self.sd is not None
        if has_rsd and self.points is not None:
            raise ValueError("give either r and sd, or points, not both")
        if has_rsd and (self.r is None or self.sd is None):
            raise ValueError("r and sd go together")
        if not has_rsd and self.points is None:
            raise ValueError("give r and sd, or points")
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = "team"
    constants: list[_Entry]


@dataclass(frozen=True)
class Constant:
    """The constants for one measure, score and informant."""

    r: float | None
    sd: float | None
    points: float | None
    source: str
    note: str = ""


@dataclass(frozen=True)
class MeasureConstants:
    version: str
    path: str
    entries: tuple[_Entry, ...]

    def lookup(self, measure: str, score: str, informant: str) -> Constant | None:
        """The last matching entry wins (so a file can refine an earlier line)."""
        found = None
        for e in self.entries:
            if (
                e.measure == measure
                and score in e.scores
                and (e.informants is None or informant in e.informants)
            ):
                found = Constant(e.r, e.sd, e.points, e.source, e.note)
        return found


def load_constants(path: Path | str) -> MeasureConstants:
    """Read and validate a constants file; one problem per bad key."""
    from .._files import MAX_SETTINGS_BYTES, read_text_bounded
    from ..errors import ValidationFailed

    path = Path(path)
    try:
        text = read_text_bounded(path, MAX_SETTINGS_BYTES, kind="YAML")
    except ValidationFailed as exc:  # no such file, not an ordinary file, too big, not UTF-8
        raise MeasureDefinitionError(exc.problems) from None
    raw = safe_load(text, source=str(path))
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise MeasureDefinitionError(problems_from(exc, str(path))) from None
    unknown = _unknown_names(parsed.constants, str(path))
    if unknown:
        raise MeasureDefinitionError(unknown)
    return MeasureConstants(parsed.version, str(path), tuple(parsed.constants))


def _unknown_names(entries: list[_Entry], source: str) -> list[Problem]:
    """A constant for a measure, score or informant that does not exist would never be
    used: name each such entry (a typo would otherwise leave change silently unreported)."""
    from .definition import list_measures

    known = {m.id: m for m in list_measures()}
    out: list[Problem] = []
    for i, e in enumerate(entries):
        m = known.get(e.measure)
        if m is None:
            out.append(
                Problem(
                    source,
                    f"constants[{i}].measure",
                    f"unknown measure {e.measure!r}; known: {', '.join(sorted(known))}",
                )
            )
            continue
        out += [
            Problem(
                source,
                f"constants[{i}].scores",
                f"{s!r} is not a score of {m.id}; its scores: {', '.join(m.scores)}",
            )
            for s in e.scores
            if s not in m.scores
        ]
        out += [
            Problem(
                source,
                f"constants[{i}].informants",
                f"{x!r} does not complete {m.id}; its informants: {', '.join(m.informants)}",
            )
            for x in e.informants or ()
            if x not in m.informants
        ]
    return out


@lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> MeasureConstants:
    return load_constants(path)


def active_constants(path: Path | str | None = None) -> MeasureConstants | None:
    """The constants file given, else ``TSWT_MEASURE_CONSTANTS``, else None."""
    chosen = str(path) if path else os.environ.get("TSWT_MEASURE_CONSTANTS")
    if not chosen:
        return None
    p = Path(chosen)
    try:
        mtime = p.stat().st_mtime
    except OSError:
        raise MeasureDefinitionError(
            [Problem(chosen, "", "no such constants file (TSWT_MEASURE_CONSTANTS)")]
        ) from None
    return _cached(str(p), mtime)
