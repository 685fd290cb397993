"""The checks of a measure definition that pydantic's field types cannot make: every
cross reference (items, codings, scores, versions, bands, constants) resolves, and each
band table covers its score's range without gap or overlap, best first. Each problem is a
(key, message) pair; :mod:`.definition` words them into one error naming the file."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .definition import MeasureDefinition
    from .definition_parts import Version


# --- semantic checks (cross references), each a (key, message) -------------------------------


def semantic_problems(d: MeasureDefinition) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen_cols: dict[str, str] = {}
    for i, item in enumerate(d.items):
        key = f"items[{i}]"
        if item.coding not in d.response_codings:
            out.append(
                (
                    f"{key}.coding",
                    f"{item.coding!r} is not one of response_codings ({', '.join(d.response_codings)})",
                )
            )
        elif item.reverse:
            vals = sorted(d.response_codings[item.coding].values)
            if (
                vals != list(range(vals[0], vals[-1] + 1))
                or d.response_codings[item.coding].scored_as
            ):
                out.append(
                    (
                        f"{key}.reverse",
                        "a reverse-keyed item needs a coding of consecutive whole numbers without scored_as",
                    )
                )
        for name in [item.id, *item.aliases.values()]:
            low = name.lower()
            if low in seen_cols and seen_cols[low] != item.id:
                out.append(
                    (
                        f"{key}.aliases",
                        f"column name {name!r} is already used by item {seen_cols[low]}",
                    )
                )
            elif low in seen_cols and name != item.id:
                out.append((f"{key}.aliases", f"column name {name!r} is given twice"))
            seen_cols[low] = item.id
    ids = [i.id for i in d.items]
    if len(set(ids)) != len(ids):
        out.append(("items", "item ids must be unique"))
    for name, c in d.response_codings.items():
        if len(set(c.values)) != len(c.values):
            out.append((f"response_codings.{name}.values", "codes must be unique"))
        if c.scored_as is not None and set(c.scored_as) != set(c.values):
            out.append(
                (
                    f"response_codings.{name}.scored_as",
                    "must give points for every code and no other",
                )
            )
    known_items = set(ids)
    defined: list[str] = []
    for i, s in enumerate(d.score_definitions):
        key = f"scores[{i}]"
        if s.id in defined:
            out.append((f"{key}.id", f"score {s.id!r} is defined twice"))
        out.extend(s.problems(d, key, known_items, defined))
        defined.append(s.id)
    if out:
        return out  # ranges below need consistent references
    vids = [v.id for v in d.versions]
    if len(set(vids)) != len(vids):
        out.append(("versions", "version ids must be unique"))
    for j, v in enumerate(d.versions):
        for system, table in v.bands.items():
            for score_id, cats in table.items():
                key = f"versions[{j}].bands.{system}.{score_id}"
                if score_id not in defined:
                    out.append((key, f"{score_id!r} is not a score"))
                    continue
                out.extend((key, m) for m in _band_problems(d, score_id, v, cats))
    for k, e in enumerate(d.reliability_constants):
        for s_id in e.scores:
            if s_id not in defined:
                out.append((f"reliability[{k}].scores", f"{s_id!r} is not a score"))
    for k, n in enumerate(d.norms):
        if n.score not in defined:
            out.append((f"norms[{k}].score", f"{n.score!r} is not a score"))
    return out


def _band_problems(
    d: MeasureDefinition, score_id: str, v: Version, cats: dict[str, tuple[int, int]]
) -> list[str]:
    lo, hi = d.score_range(score_id, v.informant)
    spans = sorted(cats.values())
    out = [f"{c}: min {a} is above max {b}" for c, (a, b) in cats.items() if a > b]
    if out:
        return out
    if spans[0][0] != lo or spans[-1][1] != hi:
        out.append(f"bands cover {spans[0][0]}-{spans[-1][1]} but the score runs {lo}-{hi}")
    for (_, b1), (a2, _) in pairwise(spans):
        if a2 != b1 + 1:
            out.append(f"bands must meet without gap or overlap ({b1} then {a2})")
    order = [a for a, _ in cats.values()]
    best_first = (
        order == sorted(order)
        if d.better(score_id) == "lower"
        else order == sorted(order, reverse=True)
    )
    if not best_first:
        out.append("list categories from best to worst")
    return out
