"""Case records as nested data, addressed by the dotted paths a form uses
(``child.date_of_birth``, ``child.placement.breakdowns[1].date``): reading, setting and
removing a field, laying a form's values over the case as loaded, and what two versions
of a record differ by, list item by list item. Plain Python: no widget here."""

from __future__ import annotations

import copy
import re
from itertools import pairwise
from typing import Any

from ...model import Case, case_from_data, case_to_data, vocabulary

_INDEX = re.compile(r"\[(\d+)\]")


def path_parts(path: str) -> list[str | int]:
    """``a.b[2].c`` as ``["a", "b", 2, "c"]``."""
    parts: list[str | int] = []
    for piece in path.split("."):
        name, *indices = _INDEX.split(piece)
        parts.append(name)
        parts += [int(i) for i in indices if i != ""]
    return parts


def get_path(record: Any, path: str) -> Any:
    """The value at ``a.b[2].c`` in nested record data (None when it is not there)."""
    node = record
    for key in path_parts(path):
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[2].c`` in nested dicts and lists."""
    parts = path_parts(path)
    node: Any = target
    for key, nxt in pairwise(parts):
        if isinstance(key, int):
            while len(node) <= key:
                node.append(None)
            if node[key] is None:
                node[key] = [] if isinstance(nxt, int) else {}
            node = node[key]
        else:
            if key not in node or node[key] is None:
                node[key] = [] if isinstance(nxt, int) else {}
            node = node[key]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def unset(record: dict[str, Any], path: str) -> None:
    """Remove ``a.b.c`` from nested record data (nothing when it is not there)."""
    *parents, last = path_parts(path)
    node: Any = record
    for key in parents:
        node = (
            node[key]
            if isinstance(key, int) and isinstance(node, list) and key < len(node)
            else (node.get(key) if isinstance(key, str) and isinstance(node, dict) else None)
        )
        if node is None:
            return
    if isinstance(last, str) and isinstance(node, dict):
        node.pop(last, None)


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it (dicts merged, anything else replaced)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


#: The field that names a list item of the record (a history factor by its factor, a risk by its kind...).
ITEM_KEYS = ("factor", "behaviour", "kind", "number")


def item_key(items: Any) -> str | None:
    """The key naming the items of a record list (None when it is not a list of named items)."""
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return None
    return next((k for k in ITEM_KEYS if all(k in i for i in items)), None)


def _term_label(term: Any) -> str:
    for vocab in vocabulary().lists.values():
        terms = getattr(vocab, "terms", {})
        if isinstance(term, str) and term in terms:
            return str(terms[term])
    return str(term)


def list_item_differences(theirs: Any, mine: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Every list item that differs between two records, as (what, theirs, mine) rows in
    words ("History factors: Physical abuse", "evidence ...; sources ...", "(not in yours)")."""
    rows: list[tuple[str, str, str]] = []
    if isinstance(theirs, dict) or isinstance(mine, dict):
        a, b = theirs if isinstance(theirs, dict) else {}, mine if isinstance(mine, dict) else {}
        for key in dict.fromkeys([*a, *b]):
            rows += list_item_differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return rows
    key = item_key(theirs) or item_key(mine)
    if key is None:
        return rows
    a = {i[key]: i for i in theirs or []}
    b = {i[key]: i for i in mine or []}
    name = path.rsplit(".", 1)[-1].replace("_", " ").capitalize()

    def described(item: dict[str, Any] | None, whose: str) -> str:
        if item is None:
            return f"(not in {whose})"
        return (
            "; ".join(
                f"{k.replace('_', ' ')} {', '.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in item.items()
                if k != key and v not in ("", None, [])
            )
            or "recorded"
        )

    for ident in dict.fromkeys([*a, *b]):
        if a.get(ident) != b.get(ident):
            rows.append(
                (
                    f"{name}: {_term_label(ident)}",
                    described(a.get(ident), "theirs"),
                    described(b.get(ident), "yours"),
                )
            )
    return rows


def added_items(opened: Any, theirs: Any) -> dict[str, list[dict[str, Any]]]:
    """The list items the other person added since the record was opened, by list path."""
    out: dict[str, list[dict[str, Any]]] = {}

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(b, dict):
            for k, v in b.items():
                walk(a.get(k) if isinstance(a, dict) else None, v, f"{path}.{k}" if path else k)
            return
        key = item_key(b)
        if key is None:
            return
        before = {i.get(key) for i in a or [] if isinstance(i, dict)}
        new = [i for i in b if i[key] not in before]
        if new:
            out[path] = new

    walk(opened, theirs, "")
    return out


def form_to_case(record: dict[str, Any], loaded: Case | None = None) -> Case:
    """The case a form describes: its record data (the form's values laid over the case
    as loaded) validated as a case file is, carrying the version it was loaded at so a
    stale save is refused. Raises :class:`~tswt_formulation.errors.ValidationFailed` with
    every problem."""
    where = str(record.get("case_id") or "new case")
    case = case_from_data(record, where)
    if loaded is not None:
        case._version = loaded._version
    return case


def base_record(case: Case | None) -> dict[str, Any]:
    """The case as record data (empty for no case)."""
    return case_to_data(case) if case is not None else {}
