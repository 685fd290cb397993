"""Closed vocabularies of the case record, loaded from package data on first use.

The built-in lists are the identifiers of docs/domain.md ("Identifiers"). A team extends a list (adds terms,
never removes or renames them) with a YAML file of the same shape, named by the
``TSWT_VOCABULARY`` environment variable or passed to :func:`load_vocabulary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import config
from .._yaml import safe_load
from ..errors import Problem, ValidationFailed, quote

#: How the team names a list where its id, with spaces, does not say it.
LIST_WORDS = {"direct_work_model": "direct-work model", "life_story_work": "life story work status"}


def list_words(name: str) -> str:
    """'direct-work model' for ``direct_work_model``, 'history factor' for ``history_factor``."""
    return LIST_WORDS.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class Vocabulary:
    """One closed list: ordered ids with their labels."""

    name: str
    terms: Mapping[str, str]
    extendable: bool = True
    ordered: bool = False

    def label(self, term: str) -> str:
        return self.terms.get(term, term)

    def rank(self, term: str) -> int:
        """Position on an ordered scale (``rarely`` < ``monthly`` < ...)."""
        return list(self.terms).index(term)

    def __contains__(self, term: object) -> bool:
        return term in self.terms

    def unknown(self, values: Iterable[object]) -> str | None:
        """The one vocabulary check's words: "unknown service 'yoga'; expected one of:
        fostering_surgery, ..." naming every value that is not a term; None when all are."""
        bad = [v for v in values if v not in self.terms]
        if not bad:
            return None
        return (
            f"unknown {list_words(self.name)} {', '.join(quote(v) for v in bad)}; "
            f"expected one of: {', '.join(self.terms)}"
        )


@dataclass(frozen=True)
class Vocabularies:
    version: str
    lists: Mapping[str, Vocabulary]

    def __getitem__(self, name: str) -> Vocabulary:
        return self.lists[name]

    def label(self, name: str, term: str) -> str:
        return self.lists[name].label(term)


MAX_TERM_LENGTH = 40  # the store's columns for terms (legal_status) are 40 characters
_TERM_ID = re.compile(rf"[a-z0-9][a-z0-9_]{{0,{MAX_TERM_LENGTH - 1}}}", re.ASCII)


def _parse(raw: Any, source: str) -> tuple[str, dict[str, dict[str, Any]]]:
    problems: list[Problem] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("vocabularies"), dict):
        raise ValidationFailed(
            [Problem(source, "vocabularies", "missing: expected a mapping of lists")]
        )
    out: dict[str, dict[str, Any]] = {}
    for name, body in raw["vocabularies"].items():
        if not isinstance(body, dict) or not isinstance(body.get("terms"), dict):
            problems.append(
                Problem(source, f"vocabularies.{name}.terms", "expected a mapping of id: label")
            )
            continue
        for term, label in body["terms"].items():
            if not isinstance(term, str) or not _TERM_ID.fullmatch(term):
                problems.append(
                    Problem(
                        source,
                        f"vocabularies.{name}.terms",
                        f"{quote(term)} is not a lower-case ASCII id "
                        f"(a-z, 0-9, _; at most {MAX_TERM_LENGTH} characters, as the store's columns hold)",
                    )
                )
            if not isinstance(label, str) or not label.strip():
                problems.append(
                    Problem(source, f"vocabularies.{name}.terms.{term}", "needs a label")
                )
        out[name] = body
    if problems:
        raise ValidationFailed(problems)
    return str(raw.get("version", "team")), out


def load_vocabulary(extension: Path | None = None) -> Vocabularies:
    """Built-in vocabularies, extended by a team file if given."""
    text = files(__package__).joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    version, base = _parse(safe_load(text), "vocabulary.yaml")
    lists = {
        name: {
            "terms": dict(body["terms"]),
            "extendable": body.get("extendable", True),
            "ordered": body.get("ordered", False),
        }
        for name, body in base.items()
    }
    if extension is not None:
        from .._files import MAX_SETTINGS_BYTES, read_text_bounded

        ext_text = read_text_bounded(
            extension, MAX_SETTINGS_BYTES, kind="YAML"
        )  # not a FIFO or a device; bounded
        ext_version, ext = _parse(safe_load(ext_text, source=str(extension)), str(extension))
        problems = []
        for name, body in ext.items():
            if name not in lists:
                problems.append(
                    Problem(
                        str(extension),
                        f"vocabularies.{name}",
                        f"unknown list; known: {', '.join(sorted(lists))}",
                    )
                )
            elif not lists[name]["extendable"]:
                problems.append(
                    Problem(
                        str(extension),
                        f"vocabularies.{name}",
                        "is a defined scale and cannot be extended",
                    )
                )
            else:
                for term, label in body["terms"].items():
                    if term in lists[name]["terms"]:
                        problems.append(
                            Problem(
                                str(extension),
                                f"vocabularies.{name}.terms.{term}",
                                "already built in; a team may add terms, not redefine them",
                            )
                        )
                    lists[name]["terms"][term] = label
        if problems:
            raise ValidationFailed(problems)
        version = f"{version}+{ext_version}"
    return Vocabularies(
        version=version,
        lists=MappingProxyType(
            {
                n: Vocabulary(n, MappingProxyType(b["terms"]), b["extendable"], b["ordered"])
                for n, b in lists.items()
            }
        ),
    )


@lru_cache(maxsize=4)
def _cached(extension: str | None) -> Vocabularies:
    return load_vocabulary(Path(extension) if extension else None)


def vocabulary() -> Vocabularies:
    """The active vocabularies (built-in plus ``TSWT_VOCABULARY``), cached."""
    ext = config.vocabulary_file()
    return _cached(str(ext) if ext else None)
