"""What changed between two versions of a record: the audit log's ``changes``.

Mappings are compared key by key, recursively; anything else (lists, scalars) is compared
whole, so a change to a list of presenting behaviours is one entry with the list before
and after. :func:`apply_changes` replays entries, so every version of a case can be
rebuilt from the audit log alone.
"""

from __future__ import annotations

import copy
from typing import Any

Change = dict[str, Any]


def record_diff(
    before: dict[str, Any] | None, after: dict[str, Any], prefix: str = ""
) -> list[Change]:
    """The changes that turn ``before`` into ``after`` (``before=None``: a new record)."""
    if before is None:
        return [{"op": "add", "path": prefix, "after": after}]
    out: list[Change] = []
    for key in before.keys() | after.keys():
        path = f"{prefix}.{key}" if prefix else key
        if key not in after:
            out.append({"op": "remove", "path": path, "before": before[key]})
        elif key not in before:
            out.append({"op": "add", "path": path, "after": after[key]})
        elif isinstance(before[key], dict) and isinstance(after[key], dict):
            out.extend(record_diff(before[key], after[key], path))
        elif before[key] != after[key]:
            out.append({"op": "set", "path": path, "before": before[key], "after": after[key]})
    out.sort(key=lambda c: c["path"])
    return out


def apply_changes(record: dict[str, Any] | None, changes: list[Change]) -> dict[str, Any]:
    """Replay audit changes onto a record (a copy is returned)."""
    doc: dict[str, Any] = copy.deepcopy(record) if record is not None else {}
    for change in changes:
        path = change["path"]
        if path == "":
            doc = copy.deepcopy(change["after"]) if change["op"] != "remove" else {}
            continue
        *parents, leaf = path.split(".")
        node = doc
        for part in parents:
            node = node.setdefault(part, {})
        if change["op"] == "remove":
            node.pop(leaf, None)
        else:
            node[leaf] = copy.deepcopy(change["after"])
    return doc
