"""Packages whose public names load on first use (PEP 562), so that importing one light
module of a package does not import the heavy ones beside it (pandas, matplotlib).

A public name may be spelt like one of the package's modules (``rules.timeline`` is a
function in ``rules/timeline.py``; ``measures.change`` likewise): importing the module
must not replace the function on the package, as an eager ``from .timeline import
timeline`` in ``__init__`` would have ensured.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _LazyPackage(types.ModuleType):
    _tswt_exports: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self._tswt_exports:
            return  # a submodule of the same name as a public function: keep the function
        super().__setattr__(name, value)


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    *,
    extra: str | None = None,
    extra_needs: tuple[str, ...] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps each public name
    to the submodule (relative, without the dot) that defines it.

    ``extra`` names the optional extra a package needs and ``extra_needs`` the modules it
    brings: a name whose import fails for lack of one of them raises an ImportError that
    says how to install the extra."""
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module._tswt_exports = dict(exports)  # type: ignore[attr-defined]

    def __getattr__(name: str) -> Any:
        source = exports.get(name)
        if source is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            value = getattr(importlib.import_module(f".{source}", package), name)
        except ModuleNotFoundError as exc:
            if extra is not None and exc.name in extra_needs:
                raise ImportError(
                    f"{package} needs the {extra} extra: pip install 'tswt-formulation[{extra}]'"
                ) from None
            raise
        types.ModuleType.__setattr__(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(module), *exports})

    return __getattr__, __dir__
