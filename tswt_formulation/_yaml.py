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


# Drop the implicit timestamp resolver, the YAML 1.1 yes/no/on/off booleans and its
# numbers: numbers are read only as JSON writes them (below).
_DROPPED = (
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
)
_StringDateLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_StringDateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_DIGITS = list("-0123456789")
_StringDateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^-?(?:0|[1-9][0-9]*)$"), _DIGITS
)
_StringDateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"),
    _DIGITS,
)
# What YAML 1.1 also reads as a number, and JSON does not write: octal 010 (8), hex 0x0A
# (10), base 60 1:20 (80), 1_0 (10), +1, .5, .inf, .nan. Read silently, a GBO rating of
# 010 would be stored as 8; such a value is refused, naming its line.
_YAML11_NUMBER = "tag:tswt,2026:yaml11-number"
_YAML11_NUMBER_FORMS = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.VERBOSE,
)
_StringDateLoader.add_implicit_resolver(_YAML11_NUMBER, _YAML11_NUMBER_FORMS, list("-+0123456789."))


def _refuse_yaml11_number(loader: Any, node: Any) -> Any:
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"{node.value[:40]!r} is a YAML 1.1 number form (octal, hexadecimal, base 60, with _ or +, .inf, .nan); "
        "write the number as JSON does (e.g. 10, 8.5), or quote it if it is text",
        node.start_mark,
    )


_StringDateLoader.add_constructor(_YAML11_NUMBER, _refuse_yaml11_number)


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
                None,
                None,
                "the value anchored here (&name) is reused through an alias (*name); aliases are not allowed, write each value out",
                node.start_mark,
            )
        return base_construct_object(self, node, deep=deep)

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in mapping:
                shown = repr(key) if len(repr(key)) <= 80 else repr(key)[:79] + "…"
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {shown} appears twice in one mapping; keep one",
                    key_node.start_mark,
                )
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


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, which also quotes a text our loader would read as a number:
    ``1e5`` or a reference such as ``123E4567`` is text to YAML 1.1, a number to JSON and
    to :func:`safe_load`. (It already quotes what YAML 1.1 reads as numbers, booleans
    and dates, so other YAML readers read the file the same way.)"""


_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"),
    _DIGITS,
)


def dump(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
