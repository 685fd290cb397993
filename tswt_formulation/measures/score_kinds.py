"""The kinds of score a measure definition may define, each of which scores itself.

A kind knows its own rules: what it needs of the definition (``problems``), the range it
can take (``span``), its value for one administration in plain Python (``one``, for
:mod:`.one_child`) and its values over whole columns in numpy (``columns``, for
:mod:`.scoring`), so neither scorer dispatches on the kind. A new kind is one class here,
added to ``KINDS``; the discriminated union and the kind list build themselves from it.

The rules are those of the measure's definition (for the SDQ, youthinmind's scoring guide
and syntax): a prorated subscale is round_half_up(mean of answered items after reversal x
scale) when enough items are answered, computed in exact integers; a total is missing when
a component is; the impact score is 0 when the overall question is "no", missing when
every impact item is missing, otherwise missing items count 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from ..errors import Problem, ScoringError

if TYPE_CHECKING:
    import numpy as np

    from .definition import MeasureDefinition

Informant = Literal["parent", "teacher", "self", "worker"]
Direction = Literal["lower_is_better", "higher_is_better"]
ScoreId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]

#: Scores computed so far (earlier in the definition), score id -> (values, ok mask).
Computed = Mapping[str, "tuple[np.ndarray, np.ndarray]"]


@dataclass(frozen=True)
class Answers:
    """One administration as ``one`` reads it: the definition, its answers (item id ->
    code, answered items only) and who gave them."""

    defn: MeasureDefinition
    answers: Mapping[str, int]
    informant: str | None


@dataclass(frozen=True)
class ColumnSet:
    """Many administrations as ``columns`` reads them: the definition, the scorer's item
    points (``arithmetic._Points``), the columns (item id -> (answered mask, integer
    codes)), each row's informant code (``informant``; ``uniform`` when all rows share
    one) and the number of rows ``n``."""

    defn: MeasureDefinition
    points: Any
    cols: Mapping[str, tuple[np.ndarray, np.ndarray]]
    informant: np.ndarray
    n: int
    uniform: bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def points(defn: MeasureDefinition, code: int, item: str, reverse: bool) -> int:
    """One answer's points: its coding's ``scored_as``, or the code reversed, or the code."""
    coding = defn.coding(item)
    if coding.scored_as:
        return coding.scored_as[code]
    if reverse:
        return min(coding.values) + max(coding.values) - code
    return code


def _unknown_items(key: str, wanted: tuple[str, ...], known: set[str]) -> list[tuple[str, str]]:
    return [(key, f"{it!r} is not an item") for it in wanted if it not in known]


class _ScoreBase(_Strict):
    id: ScoreId
    label: str = ""
    direction: Direction

    def problems(
        self, defn: MeasureDefinition, key: str, known_items: set[str], defined: list[str]
    ) -> list[tuple[str, str]]:
        """(field, what is wrong) with this score in ``defn``; ``defined``: the scores above it."""
        raise NotImplementedError

    def span(self, defn: MeasureDefinition, informant: str | None) -> tuple[int, int]:
        """(min, max) possible; for a score that differs by informant, the widest unless given."""
        raise NotImplementedError

    def one(self, a: Answers, done: Mapping[str, int | None]) -> int | None:
        """The score of one administration (``a``); ``done``: the scores above this one.
        None where the rules leave it missing."""
        raise NotImplementedError

    def columns(self, c: ColumnSet, done: Computed) -> tuple[np.ndarray, np.ndarray]:
        """(int64 values, ok mask) over the ``c.n`` administrations of ``c``; ``done``: the
        scores above this one."""
        raise NotImplementedError

    def too_few_answered(self, answered: set[str]) -> str | None:
        """Why this score cannot be had from the items ``answered``, in a form's words;
        None where they are enough (or the kind asks for no number of items)."""
        return None


class MeanProratedScore(_ScoreBase):
    """round_half_up(mean of answered items after reversal x scale_to) if enough answered."""

    kind: Literal["mean_prorated"]
    items: Annotated[tuple[str, ...], Field(min_length=1)]
    min_answered: Annotated[int, Field(ge=1)]
    scale_to: Annotated[int, Field(ge=1)] | None = None  # default: number of items
    rounding: Literal["half_up"] = "half_up"

    def problems(
        self, defn: MeasureDefinition, key: str, known_items: set[str], defined: list[str]
    ) -> list[tuple[str, str]]:
        out = _unknown_items(f"{key}.items", self.items, known_items)
        if self.min_answered > len(self.items):
            out.append(
                (
                    f"{key}.min_answered",
                    f"{self.min_answered} is more than the {len(self.items)} items",
                )
            )
        codings = {defn.item_by_id[it].coding for it in self.items if it in known_items}
        if codings <= set(defn.response_codings) and len(codings) > 1:
            out.append(
                (
                    f"{key}.items",
                    "all items of a mean_prorated score must share one response coding",
                )
            )
        return out

    def span(self, defn: MeasureDefinition, informant: str | None) -> tuple[int, int]:
        pts = defn.coding(self.items[0]).points()
        k = self.scale_to or len(self.items)
        return (k * min(pts), k * max(pts))

    def one(self, a: Answers, done: Mapping[str, int | None]) -> int | None:
        defn, answers = a.defn, a.answers
        given = [
            points(defn, answers[i], i, defn.item_by_id[i].reverse)
            for i in self.items
            if i in answers
        ]
        k, n = self.scale_to or len(self.items), len(given)
        # round_half_up(sum / n * k) in exact integers: floor((2 k sum + n) / 2n)
        return (2 * k * sum(given) + n) // (2 * n) if n >= self.min_answered else None

    def columns(self, c: ColumnSet, done: Computed) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        defn, pts = c.defn, c.points
        total, answered = pts.total(self.items, {i: defn.item_by_id[i].reverse for i in self.items})
        k = self.scale_to or len(self.items)
        # round_half_up(total / answered * k) in exact integer arithmetic
        total64, answered64 = total.astype(np.int64), answered.astype(np.int64)
        value = (2 * k * total64 + answered64) // (2 * np.maximum(answered64, 1))
        return value, answered >= self.min_answered

    def too_few_answered(self, answered: set[str]) -> str | None:
        n = len(answered & set(self.items))
        if n >= self.min_answered:
            return None
        return (
            f"{self.label or self.id}: {n} of {len(self.items)} items answered "
            f"(items {', '.join(self.items)}); at least {self.min_answered} are needed to score it."
        )


class SumOfSubscalesScore(_ScoreBase):
    """Sum of earlier scores; missing when any component is missing."""

    kind: Literal["sum_of_subscales"]
    components: Annotated[tuple[str, ...], Field(min_length=1)]
    missing: Literal["any_component_missing"] = "any_component_missing"

    def problems(
        self, defn: MeasureDefinition, key: str, known_items: set[str], defined: list[str]
    ) -> list[tuple[str, str]]:
        return [
            (f"{key}.components", f"{comp!r} is not a score defined above this one")
            for comp in self.components
            if comp not in defined
        ]

    def span(self, defn: MeasureDefinition, informant: str | None) -> tuple[int, int]:
        parts = [defn.score_range(c, informant) for c in self.components]
        return (sum(a for a, _ in parts), sum(b for _, b in parts))

    def one(self, a: Answers, done: Mapping[str, int | None]) -> int | None:
        parts = [done.get(c) for c in self.components]
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)

    def columns(self, c: ColumnSet, done: Computed) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        n = c.n
        value = np.zeros(n, dtype=np.int64)
        ok = np.ones(n, dtype=bool)
        for comp in self.components:
            value += done[comp][0]
            ok &= done[comp][1]
        return value, ok


class ImpactScore(_ScoreBase):
    """SDQ-style impact: gated by an overall item; missing items count 0 unless all missing."""

    kind: Literal["impact"]
    overall_item: str
    overall_no_values: tuple[int, ...] = (0,)
    items: dict[Informant, Annotated[tuple[str, ...], Field(min_length=1)]]
    missing: Literal["all_missing_else_zero"] = "all_missing_else_zero"

    def problems(
        self, defn: MeasureDefinition, key: str, known_items: set[str], defined: list[str]
    ) -> list[tuple[str, str]]:
        out = _unknown_items(f"{key}.overall_item", (self.overall_item,), known_items)
        for inf, its in self.items.items():
            out += _unknown_items(f"{key}.items.{inf}", its, known_items)
        return out

    def span(self, defn: MeasureDefinition, informant: str | None) -> tuple[int, int]:
        spans = [
            (
                sum(min(defn.coding(i).points()) for i in items),
                sum(max(defn.coding(i).points()) for i in items),
            )
            for inf, items in self.items.items()
            if informant is None or inf == informant
        ]
        if not spans:
            raise ScoringError(
                [Problem(defn.id, f"score {self.id}", f"not scored for informant {informant!r}")]
            )
        return (min(a for a, _ in spans), max(b for _, b in spans))

    def one(self, a: Answers, done: Mapping[str, int | None]) -> int | None:
        defn, answers, informant = a.defn, a.answers, a.informant
        overall = answers.get(self.overall_item)
        items = self.items.get(informant)  # type: ignore[call-overload]
        if overall is not None and overall in self.overall_no_values:
            return 0
        if items is None:
            return None
        given = [points(defn, answers[i], i, False) for i in items if i in answers]
        return sum(given) if given else None

    def columns(self, c: ColumnSet, done: Computed) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        defn, pts, cols, inf, n, uniform = c.defn, c.points, c.cols, c.informant, c.n, c.uniform
        value = np.zeros(n, dtype=np.int64)
        ok = np.zeros(n, dtype=bool)
        for who, items in self.items.items():
            code = defn.informants.index(who) if who in defn.informants else -2
            if uniform and n and inf[0] != code:
                continue
            total, answered = pts.total(items, {})
            if uniform:
                value, ok = total.astype(np.int64), answered > 0
            else:
                here = inf == code
                value = np.where(here, total, value)
                ok = np.where(here, answered > 0, ok)
        overall = cols.get(self.overall_item)
        no = (
            overall[0] & np.isin(overall[1], self.overall_no_values)
            if overall is not None
            else np.zeros(n, dtype=bool)
        )
        return np.where(no, 0, value), ok | no


class ItemScore(_ScoreBase):
    """One item's (scored) value as a score, e.g. a GBO goal rating."""

    kind: Literal["item"]
    item: str

    def problems(
        self, defn: MeasureDefinition, key: str, known_items: set[str], defined: list[str]
    ) -> list[tuple[str, str]]:
        return _unknown_items(f"{key}.item", (self.item,), known_items)

    def span(self, defn: MeasureDefinition, informant: str | None) -> tuple[int, int]:
        pts = defn.coding(self.item).points()
        return (min(pts), max(pts))

    def one(self, a: Answers, done: Mapping[str, int | None]) -> int | None:
        defn, answers = a.defn, a.answers
        code = answers.get(self.item)
        return (
            None
            if code is None
            else points(defn, code, self.item, defn.item_by_id[self.item].reverse)
        )

    def columns(self, c: ColumnSet, done: Computed) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        defn, pts = c.defn, c.points
        ans, values, _top = pts.item(self.item, defn.item_by_id[self.item].reverse)
        return values.astype(np.int64), ans


#: Every kind of score, in the order the documentation lists them.
KINDS = (MeanProratedScore, SumOfSubscalesScore, ImpactScore, ItemScore)
SCORE_KINDS: tuple[str, ...] = tuple(get_args(k.model_fields["kind"].annotation)[0] for k in KINDS)
ScoreDefinition = Annotated[
    MeanProratedScore | SumOfSubscalesScore | ImpactScore | ItemScore, Field(discriminator="kind")
]
