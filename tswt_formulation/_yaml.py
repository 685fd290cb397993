"""A YAML loader that keeps dates and times as strings (papermill ``iorw`` does the same).

PyYAML's SafeLoader turns ``2026-01-03`` into a ``date`` and ``yes`` into ``True``; for
case files we want YAML to mean exactly what the same JSON would, so timestamps stay
strings (the model parses them) and only JSON-compatible scalars are produced.

The loader is built on libyaml's C parser (``yaml.CSafeLoader``) when PyYAML has it,
several times faster than the pure-Python ``SafeLoader`` and giving the same result (the
resolvers, which decide what a plain scalar means, and the constructor with its checks,
are the same Python code on both); without libyaml it is built on ``SafeLoader``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import Problem, ValidationFailed

MAX_DEPTH = 64  # a case record nests about 8 deep; files nested deeper are refused
TOO_DEEP = f"not accepted: nested more than {MAX_DEPTH} levels deep"


# libyaml's C parser where PyYAML was built with it (the wheels are), else pure Python.
_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringDateLoader(_BASE_LOADER):
    pass


# Drop the implicit timestamp resolver and the YAML 1.1 yes/no/on/off booleans.
_StringDateLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_StringDateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def refuse_aliases_and_duplicate_keys(loader_cls: type[Any]) -> type[Any]:
    """Make a (Python or C based) safe loader class refuse, naming the line:

    * aliases (``*name``): a few hundred bytes of nested aliases ("billion laughs")
      expand to gigabytes once the data is used; a case file has no need of them;
    * a key given twice in one mapping (otherwise the last one silently wins, so a file
      with two ``case_id`` keys would import the second).

    Both checks sit in the constructor, which PyYAML runs in Python for the C loaders
    too, so they hold whichever parser produced the nodes.
    """
    from collections.abc import Hashable

    base_construct_object = loader_cls.construct_object

    def construct_object(self: Any, node: Any, deep: bool = False) -> Any:
        # An alias hands the constructor a node it has already built (or is building).
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "the value anchored here (&name) is reused through an alias (*name); aliases are not allowed, write each value out", node.start_mark)
        return base_construct_object(self, node, deep=deep)

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark)
            if key in mapping:
                shown = repr(key) if len(repr(key)) <= 80 else repr(key)[:79] + "…"
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {shown} appears twice in one mapping; keep one", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    loader_cls.construct_object = construct_object
    loader_cls.construct_mapping = construct_mapping
    return loader_cls


refuse_aliases_and_duplicate_keys(_StringDateLoader)


_PURE: list[type] = []


def _pure_python() -> type:
    if not _PURE:
        _PURE.append(pure_python_loader())
    return _PURE[0]


def pure_python_loader() -> type:
    """The same loader on PyYAML's pure-Python parser (tests and benchmarks compare them)."""
    own = {k: v for k, v in vars(_StringDateLoader).items() if not k.startswith("__")}
    return type("_PurePythonStringDateLoader", (yaml.SafeLoader,), own)


def safe_load(text: str, source: str = "<yaml>", loader: type | None = None) -> Any:
    """Parse YAML text safely, dates kept as strings; a syntax error names the line.
    Aliases and duplicate keys are refused (:func:`refuse_aliases_and_duplicate_keys`).
    ``loader`` is for tests and benchmarks (the pure-Python build of the same loader)."""
    try:
        return yaml.load(text, Loader=loader or _StringDateLoader)  # noqa: S506 - SafeLoader subclass
    except RecursionError:
        raise ValidationFailed([Problem(source, "", TOO_DEEP)]) from None
    except yaml.YAMLError as exc:
        if loader is None and _BASE_LOADER is not yaml.SafeLoader:
            # libyaml words syntax errors its own way: read the bad file again with the
            # pure-Python parser, so the message (and its line) is the same everywhere.
            return safe_load(text, source, loader=_pure_python())
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationFailed([Problem(source, where, f"not valid YAML: {problem}")]) from None


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
