"""A YAML loader that keeps dates and times as strings (papermill ``iorw`` does the same).

PyYAML's SafeLoader turns ``2026-01-03`` into a ``date`` and ``yes`` into ``True``; for
case files we want YAML to mean exactly what the same JSON would, so timestamps stay
strings (the model parses them) and only JSON-compatible scalars are produced.

The loader is built on libyaml's C parser (``yaml.CSafeLoader``) when PyYAML has it,
several times faster than the pure-Python ``SafeLoader`` and giving the same result (the
resolvers, which decide what a plain scalar means, are the same Python code on both);
without libyaml it is built on ``SafeLoader``. There is one loader class, here.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import Problem, ValidationFailed


# libyaml's C parser where PyYAML was built with it (the wheels are), else pure Python.
_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringDateLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    pass


# Drop the implicit timestamp resolver and the YAML 1.1 yes/no/on/off booleans.
_StringDateLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_StringDateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def pure_python_loader() -> type:
    """The same loader on PyYAML's pure-Python parser (tests and benchmarks compare them)."""
    own = {k: v for k, v in vars(_StringDateLoader).items() if not k.startswith("__")}
    return type("_PurePythonStringDateLoader", (yaml.SafeLoader,), own)


def safe_load(text: str, source: str = "<yaml>", loader: type | None = None) -> Any:
    """Parse YAML text safely, dates kept as strings; a syntax error names the line.

    ``loader`` is for tests and benchmarks (e.g. the pure-Python build of the same loader).
    """
    try:
        return yaml.load(text, Loader=loader or _StringDateLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationFailed([Problem(source, where, f"not valid YAML: {problem}")]) from None


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
