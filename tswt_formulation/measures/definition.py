"""Measure definitions: versioned YAML files validated into frozen pydantic models.

A measure (SDQ, GBO, or a team's licensed measure) is DATA: its items, response codings,
reverse keys, scores, bands, reliability constants and norms live in one YAML file. The
code here validates that file and answers questions about it; :mod:`.scoring` applies it.

Built-in definitions ship in ``definitions/`` (listed in ``definitions/catalogue.csv``).
A team adds a measure by dropping a YAML file into a folder given by ``folder=`` or the
``TSWT_MEASURES_DIR`` environment variable; a team file with a built-in's id replaces it.
Nothing is read at import time; files are read on first use and cached (a changed team
file is re-read).
"""

from __future__ import annotations

import csv
import io
import os
from functools import cache, cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._yaml import safe_load
from ..errors import MeasureDefinitionError, Problem, ScoringError, ValidationFailed, problems_from
from .definition_checks import semantic_problems
from .definition_parts import (  # noqa: F401 - the parts are read from here too
    AgeRange,
    Band,
    BandTable,
    ClinicalCutoff,
    ClinicalThreshold,
    Item,
    ItemId,
    Norm,
    Reliability,
    ReliabilityEntry,
    ResponseCoding,
    Version,
)
from .score_kinds import (  # noqa: F401 - the kinds are read from here too
    SCORE_KINDS,
    Direction,
    ImpactScore,
    Informant,
    ItemScore,
    MeanProratedScore,
    ScoreDefinition,
    ScoreId,
    SumOfSubscalesScore,
)

__all__ = [
    "Band",
    "ClinicalCutoff",
    "MeasureDefinition",
    "Reliability",
    "list_measures",
    "load_definition_file",
    "load_measure",
]

ENV_FOLDER = "TSWT_MEASURES_DIR"
BAND_SYSTEMS = ("three_band", "four_band")
# Columns of a responses frame passed through by scoring, never read as items (here, not in
# scoring, so that the plain-Python check of an import knows them without pandas).
DEFAULT_ID_COLUMNS = (
    "case_id",
    "administration",
    "administration_id",
    "measure",
    "version",
    "informant",
    "date",
    "timepoint",
    "age",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the definition -----------------------------------------------------------------------


class MeasureDefinition(_Strict):
    """One measure, as validated from its YAML file.

    Examples
    --------
    >>> sdq = load_measure("sdq")
    >>> sdq.scores[:3], sdq.better("prosocial"), sdq.score_range("impact", "teacher")
    (['emotional', 'conduct', 'hyperactivity'], 'higher', (0, 6))
    """

    format: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(min_length=1)]
    licence: Annotated[str, Field(min_length=1)]
    citation: Annotated[str, Field(min_length=1)]
    notes: str = ""
    replaces: str | None = Field(
        default=None, description="A team file whose id is a built-in's says so: replaces: <id>."
    )
    response_codings: dict[str, ResponseCoding]
    items: Annotated[tuple[Item, ...], Field(min_length=1)]
    versions: Annotated[tuple[Version, ...], Field(min_length=1)]
    score_definitions: Annotated[tuple[ScoreDefinition, ...], Field(min_length=1, alias="scores")]
    reliability_constants: tuple[ReliabilityEntry, ...] = Field(default=(), alias="reliability")
    norms: tuple[Norm, ...] = ()
    clinical_threshold: ClinicalThreshold | None = None

    # -- lookups --
    @property
    def scores(self) -> list[str]:
        """Score ids in output order."""
        return [s.id for s in self.score_definitions]

    @cached_property
    def informants(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for v in self.versions:
            seen.update(dict.fromkeys(v.informants))
        return tuple(seen)

    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def column_lookup(self) -> dict[str, str]:
        """Lower-cased column name (item id or alias) -> item id."""
        out: dict[str, str] = {}
        for item in self.items:
            out[item.id.lower()] = item.id
            for alias in item.aliases.values():
                out[alias.lower()] = item.id
        return out

    def score_definition(self, score_id: str) -> ScoreDefinition:
        for s in self.score_definitions:
            if s.id == score_id:
                return s
        raise ScoringError(
            [
                Problem(
                    self.id,
                    f"score {score_id}",
                    f"not a score of {self.id}; expected one of {', '.join(self.scores)}",
                )
            ]
        )

    def coding(self, item_id: str) -> ResponseCoding:
        return self.response_codings[self.item_by_id[item_id].coding]

    def version_by_id(self, version_id: str) -> Version:
        for v in self.versions:
            if v.id == version_id:
                return v
        known = ", ".join(v.id for v in self.versions)
        raise ScoringError(
            [
                Problem(
                    self.id,
                    "version",
                    f"{version_id!r} is not a version of {self.id}; expected one of {known}",
                )
            ]
        )

    def version_for(
        self, informant: str | None, age: float | None = None, version: str | None = None
    ) -> Version:
        """The form for this informant and age (the first listed that covers the age)."""
        if version is not None:
            v = self.version_by_id(version)
            if informant is not None and informant not in v.informants:
                raise ScoringError(
                    [
                        Problem(
                            self.id,
                            "informant",
                            f"{informant!r} does not complete version {v.id} (completed by {', '.join(v.informants)})",
                        )
                    ]
                )
            return v
        self._check_informant(informant)
        for v in self.versions:
            if (informant is None or informant in v.informants) and v.covers(age):
                return v
        ages = ", ".join(v.age.describe() for v in self.versions if informant in v.informants)
        raise ScoringError(
            [
                Problem(
                    self.id,
                    "age",
                    f"{age} is outside the ages of every {informant} version of {self.id} ({ages})",
                )
            ]
        )

    def _check_informant(self, informant: str | None) -> None:
        if informant is not None and informant not in self.informants:
            raise ScoringError(
                [
                    Problem(
                        self.id,
                        "informant",
                        f"{informant!r} is not an informant of {self.id}; expected one of {', '.join(self.informants)}",
                    )
                ]
            )

    # -- facts about scores --
    def better(self, score_id: str) -> Literal["lower", "higher"]:
        """``"lower"`` or ``"higher"``: which direction is better on this score."""
        return (
            "lower" if self.score_definition(score_id).direction == "lower_is_better" else "higher"
        )

    def score_range(self, score_id: str, informant: str | None = None) -> tuple[int, int]:
        """(min, max) possible; for a score that differs by informant, the widest unless given."""
        return self.score_definition(score_id).span(self, informant)

    def bands(
        self,
        score_id: str,
        informant: str | None,
        age: float | None = None,
        system: str = "three_band",
        version: str | None = None,
    ) -> list[Band]:
        """Bands of a score for the form this informant and age use; ``[]`` when none.

        18+ forms and SDQ T2-4 have no bands; SDQ P2-4 has provisional three-band only.
        """
        self.score_definition(score_id)
        if system not in BAND_SYSTEMS:
            raise ScoringError(
                [
                    Problem(
                        self.id,
                        "system",
                        f"{system!r} is not a band system; expected three_band or four_band",
                    )
                ]
            )
        v = self.version_for(informant, age, version)
        table = v.bands.get(system, {}).get(score_id, {})  # type: ignore[call-overload]
        return [Band(cat, lo, hi) for cat, (lo, hi) in table.items()]

    def clinical_cutoff(
        self,
        score_id: str,
        informant: str | None,
        age: float | None = None,
        version: str | None = None,
        category: str | None = None,
    ) -> ClinicalCutoff | None:
        """The cut-off into the clinical range (``category`` and worse), or None if no bands.

        Notes
        -----
        Categories are listed best to worst. For a lower-is-better score the cut-off is
        (lowest score of the clinical category) - 0.5; for higher-is-better, (highest) + 0.5.
        SDQ default: the three-band "abnormal" category (e.g. parent total 16.5).
        """
        if category is None and self.clinical_threshold is None:
            return None
        system = self.clinical_threshold.system if self.clinical_threshold else "three_band"
        category = category or (self.clinical_threshold.category if self.clinical_threshold else "")
        v = self.version_for(informant, age, version)
        table = v.bands.get(system, {}).get(score_id)
        if not table or category not in table:
            return None
        better = self.better(score_id)
        lo, hi = table[category]
        value = lo - 0.5 if better == "lower" else hi + 0.5
        return ClinicalCutoff(
            value, better, category, system, v.id, v.bands_provisional, v.bands_source
        )

    def reliability(
        self,
        score_id: str,
        informant: str | None = None,
        *,
        r: float | None = None,
        sd: float | None = None,
        points: float | None = None,
        allow_unconfirmed: bool = False,
    ) -> Reliability:
        """Constants for reliable change on this score, from the definition or the caller.

        Parameters
        ----------
        score_id, informant : str
            The score and who completed the form.
        r, sd : float, optional
            Supplied by the caller (e.g. from the team's own norms); override the definition.
        points : float, optional
            A reliable-change threshold in raw points supplied by the caller.
        allow_unconfirmed : bool
            Return a constant the definition marks unconfirmed instead of raising.

        Raises
        ------
        ScoringError
            When the definition has no confirmed constants and none were supplied.
        """
        self.score_definition(score_id)
        if (r is None) != (sd is None):
            raise ScoringError([Problem(self.id, f"score {score_id}", "give r and sd together")])
        if r is not None or points is not None:
            return Reliability(
                r, sd, "supplied by the caller", confirmed=False, points=points, supplied=True
            )
        entry = next(
            (
                e
                for e in self.reliability_constants
                if score_id in e.scores and (e.informants is None or informant in e.informants)
            ),
            None,
        )
        who = f"informant {informant}" if informant else "any informant"
        if entry is None:
            raise ScoringError(
                [
                    Problem(
                        self.id,
                        f"score {score_id}",
                        f"{who}: no reliability constants are defined; pass r= and sd= (or points=)",
                    )
                ]
            )
        if not entry.confirmed and not allow_unconfirmed:
            raise ScoringError(
                [
                    Problem(
                        self.id,
                        f"score {score_id}",
                        f"{who}: reliability constants are not confirmed in a primary source (see the note in the {self.id} definition); pass r= and sd= (or points=), or allow_unconfirmed=True",
                    )
                ]
            )
        if entry.r is None and entry.points is None:
            raise ScoringError(
                [
                    Problem(
                        self.id,
                        f"score {score_id}",
                        f"{who}: the definition gives no reliability values; pass r= and sd= (or points=)",
                    )
                ]
            )
        return Reliability(
            entry.r, entry.sd, entry.source, entry.confirmed, entry.points, False, entry.note
        )

    def norm(self, score_id: str, informant: str | None = None) -> Norm | None:
        self.score_definition(score_id)
        return next(
            (n for n in self.norms if n.score == score_id and n.informant in (None, informant)),
            None,
        )


# --- loading ------------------------------------------------------------------------------

_KIND_TAGS = set(SCORE_KINDS)


def _loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for k in loc:
        if isinstance(k, int):
            parts.append(f"[{k}]")
        elif k in _KIND_TAGS and parts and parts[-1].startswith("["):
            continue  # pydantic's discriminator tag, not a key in the file
        else:
            parts.append(("." if parts else "") + str(k))
    return "".join(parts)


def _definition_words(err: dict[str, Any]) -> str | None:
    if err["type"] == "extra_forbidden":
        return "unknown key (check its spelling against docs/measures.md)"
    if err["type"] == "union_tag_invalid":
        return f"kind must be one of {', '.join(SCORE_KINDS)}"
    return None


def _parse(text: str, source: str) -> MeasureDefinition:
    try:
        data = safe_load(text, source)
    except ValidationFailed as exc:
        raise MeasureDefinitionError(exc.problems) from None
    if not isinstance(data, dict):
        raise MeasureDefinitionError(
            [Problem(source, "", "a measure definition must be a YAML mapping (key: value)")]
        )
    try:
        defn = MeasureDefinition.model_validate(data)
    except ValidationError as exc:
        raise MeasureDefinitionError(
            problems_from(exc, source, path=_loc, word=_definition_words)
        ) from None
    semantic = semantic_problems(defn)
    if semantic:
        raise MeasureDefinitionError([Problem(source, key, msg) for key, msg in semantic])
    return defn


def load_definition_file(path: str | Path) -> MeasureDefinition:
    """Read and validate one definition file.

    Raises
    ------
    MeasureDefinitionError
        One problem per line: file, key, what is wrong.
    """
    from .._files import MAX_SETTINGS_BYTES, read_text_bounded
    from ..errors import ValidationFailed

    p = Path(path)
    try:
        text = read_text_bounded(p, MAX_SETTINGS_BYTES, kind="YAML")
    except ValidationFailed as exc:  # no such file, not an ordinary file, too big, not UTF-8
        raise MeasureDefinitionError(exc.problems) from None
    return _parse(text, p.name)


@cache
def _builtin() -> dict[str, MeasureDefinition]:
    folder = files("tswt_formulation.measures") / "definitions"
    rows = list(csv.DictReader(io.StringIO((folder / "catalogue.csv").read_text(encoding="utf-8"))))
    out: dict[str, MeasureDefinition] = {}
    for row in rows:
        defn = _parse((folder / row["file"]).read_text(encoding="utf-8"), row["file"])
        out[defn.id] = defn
    return out


@lru_cache(maxsize=32)
def _team(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, MeasureDefinition]:
    out: dict[str, MeasureDefinition] = {}
    problems: list[Problem] = []
    builtin = _builtin()
    for name, _, _ in stamp:
        path = str(Path(folder) / name)
        try:
            defn = load_definition_file(path)
        except MeasureDefinitionError as exc:
            problems.extend(
                Problem(path if p.where == name else p.where, p.field, p.message)
                for p in exc.problems
            )
            continue
        if defn.id in out:
            problems.append(
                Problem(path, "id", f"{defn.id!r} is also defined by another file in {folder}")
            )
        # A team file that silently took a built-in's id would change every score of it.
        if defn.id in builtin and defn.replaces != defn.id:
            problems.append(
                Problem(
                    path,
                    "id",
                    f"{defn.id!r} is a built-in measure; a team file replaces it only if it "
                    f"says so (add `replaces: {defn.id}`), else give it its own id",
                )
            )
        elif defn.replaces is not None and defn.replaces != defn.id:
            problems.append(
                Problem(
                    path,
                    "replaces",
                    f"{defn.replaces!r}: a file replaces only the built-in with its own id "
                    f"({defn.id!r})",
                )
            )
        out[defn.id] = defn
    if problems:
        raise MeasureDefinitionError(problems)
    return out


def _team_folder(folder: str | Path | None) -> Path | None:
    chosen = folder if folder is not None else os.environ.get(ENV_FOLDER) or None
    if chosen is None:
        return None
    p = Path(chosen).expanduser()
    if not p.is_dir():
        where = "folder=" if folder is not None else ENV_FOLDER
        raise MeasureDefinitionError(
            [Problem(str(p), where, "is not a folder of measure definitions")]
        )
    return p


def _all(folder: str | Path | None) -> dict[str, MeasureDefinition]:
    out = dict(_builtin())
    team = _team_folder(folder)
    if team is not None:
        found = sorted(f for f in team.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file())
        stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in found)
        out.update(_team(str(team.resolve()), stamp))
    return out


def load_measure(measure_id: str, folder: str | Path | None = None) -> MeasureDefinition:
    """The definition of a measure: built in, or from the team folder.

    Parameters
    ----------
    measure_id : str
        e.g. ``"sdq"``, ``"gbo"``.
    folder : path, optional
        A folder of team definitions; default ``$TSWT_MEASURES_DIR`` if set.

    Examples
    --------
    >>> load_measure("gbo").scores
    ['goal_1', 'goal_2', 'goal_3']
    """
    known = _all(folder)
    if measure_id not in known:
        raise ScoringError(
            [
                Problem(
                    str(measure_id),
                    "measure",
                    f"no definition with this id; known: {', '.join(sorted(known))}",
                )
            ]
        )
    return known[measure_id]


def list_measures(folder: str | Path | None = None) -> list[MeasureDefinition]:
    """Every available definition (built in and team), sorted by id."""
    return [d for _, d in sorted(_all(folder).items())]


def catalogue_rows() -> list[dict[str, str]]:
    """The rows of the built-in ``definitions/catalogue.csv``."""
    text = (files("tswt_formulation.measures") / "definitions" / "catalogue.csv").read_text(
        encoding="utf-8"
    )
    return list(csv.DictReader(io.StringIO(text)))
