"""The parts of a measure definition (validated from its YAML file, see
:mod:`.definition`): response codings, items, the versions of the form with their ages
and bands, reliability constants, norms and clinical thresholds; and the answers the
definition hands its callers (a band, a clinical cut-off, reliability constants)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import Problem, ScoringError
from .score_kinds import Informant

ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,40}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the parts of a definition -----------------------------------------------------------


class ResponseCoding(_Strict):
    """The codes an item may take, and (optionally) the points each code scores."""

    values: Annotated[tuple[int, ...], Field(min_length=2)]
    labels: dict[int, str] = {}
    scored_as: dict[int, int] | None = None

    def describe(self) -> str:
        v = sorted(self.values)
        if v == list(range(v[0], v[-1] + 1)):
            return f"{v[0]}-{v[-1]}"
        return ", ".join(str(x) for x in v)

    def points(self) -> list[int]:
        """Points the codes can score (after ``scored_as``)."""
        return [self.scored_as[v] for v in self.values] if self.scored_as else list(self.values)


class Item(_Strict):
    """One item, known by number (never by wording) and by its column-name aliases."""

    id: ItemId
    coding: str
    reverse: bool = False
    aliases: dict[str, str] = {}
    informants: tuple[Informant, ...] | None = None  # None: on every informant's form
    note: str = ""


class AgeRange(_Strict):
    min: int | None = None
    max: int | None = None

    def describe(self) -> str:
        if self.min is None and self.max is None:
            return "any age"
        if self.max is None:
            return f"{self.min}+"
        return f"{self.min if self.min is not None else 0}-{self.max}"


BandTable = dict[str, dict[str, tuple[int, int]]]  # score -> category -> (min, max)


class Version(_Strict):
    """A form of the measure (e.g. SDQ P4-17): who completes it, for which ages, its bands."""

    id: Annotated[str, Field(min_length=1, max_length=40)]
    informants: Annotated[tuple[Informant, ...], Field(min_length=1)]
    age: AgeRange = AgeRange()
    note: str = ""
    bands: dict[Literal["three_band", "four_band"], BandTable] = {}
    bands_provisional: bool = False
    bands_source: str = ""

    @property
    def informant(self) -> str | None:
        """The informant when the form has exactly one."""
        return self.informants[0] if len(self.informants) == 1 else None

    def covers(self, age: float | None) -> bool:
        if age is None or (isinstance(age, float) and math.isnan(age)):
            return True
        a = math.floor(age)
        return (self.age.min is None or a >= self.age.min) and (
            self.age.max is None or a <= self.age.max
        )


class ReliabilityEntry(_Strict):
    """Constants for reliable change, with their source; unconfirmed ones need a note."""

    name: str = ""
    scores: Annotated[tuple[str, ...], Field(min_length=1)]
    informants: tuple[Informant, ...] | None = None
    r: Annotated[float, Field(gt=0, lt=1)] | None = None
    sd: Annotated[float, Field(gt=0)] | None = None
    points: Annotated[float, Field(gt=0)] | None = None
    confirmed: bool
    source: Annotated[str, Field(min_length=1)]
    note: str = ""

    @model_validator(mode="after")
    def _complete(self) -> ReliabilityEntry:
        if (self.r is None) != (self.sd is None):
            raise ValueError("give r and sd together (or neither)")
        if self.confirmed and self.r is None and self.points is None:
            raise ValueError("a confirmed entry needs r and sd, or points")
        if not self.confirmed and not self.note.strip():
            raise ValueError("an unconfirmed entry needs a note saying why and what to do")
        return self


class Norm(_Strict):
    score: str
    informant: Informant | None = None
    population: str
    mean: float
    sd: Annotated[float, Field(gt=0)]
    source: Annotated[str, Field(min_length=1)]


class ClinicalThreshold(_Strict):
    system: Literal["three_band", "four_band"] = "three_band"
    category: str


# --- answers handed to callers ------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    category: str
    min: int
    max: int


@dataclass(frozen=True)
class ClinicalCutoff:
    """A cut-off between clinical and non-clinical scores, set half a point between them.

    ``value`` lies between two whole scores, so strict comparisons never tie: a
    lower-is-better score is clinical when ``score > value``.
    """

    value: float
    better: Literal["lower", "higher"]
    category: str
    system: str
    version: str
    provisional: bool
    source: str


@dataclass(frozen=True)
class Reliability:
    """Reliability constants for reliable change (Jacobson & Truax, 1991).

    Either ``r`` and ``sd`` (threshold = z x sqrt(2) x sd x sqrt(1 - r)) or ``points``, a
    reliable-change threshold in raw points given directly by the source.
    """

    r: float | None
    sd: float | None
    source: str
    confirmed: bool
    points: float | None = None
    supplied: bool = False  # given by the caller rather than the definition
    note: str = ""

    def threshold(self, critical_value: float = 1.959964) -> float:
        """Reliable change in raw points: ``points``, else z x sqrt(2) x sd x sqrt(1 - r)."""
        if self.points is not None:
            return self.points
        if self.r is None or self.sd is None:
            raise ScoringError([Problem("reliability", "", "neither points nor r and sd are set")])
        return critical_value * math.sqrt(2.0) * self.sd * math.sqrt(1.0 - self.r)
