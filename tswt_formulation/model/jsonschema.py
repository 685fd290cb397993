"""The published JSON Schema of a case file, with the active vocabularies as enums."""

from __future__ import annotations

from typing import Any

from .case import Case
from .vocabulary import Vocabularies, vocabulary

SCHEMA_ID = "https://tswt-formulation.invalid/schema/case.schema.json"


def case_json_schema(vocab: Vocabularies | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one case, closed lists given as ``enum``."""
    vocab = vocab or vocabulary()
    schema = Case.model_json_schema(mode="validation")

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            name = node.pop("x-vocabulary", None)
            if name is not None:
                node["enum"] = list(vocab[name].terms)
                node["description"] = f"One of the {name.replace('_', ' ')} ids (DOMAIN.md)."
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "tswt-formulation case",
        "description": f"One child's case record (vocabularies {vocab.version}). A case file holds one case, a list of cases, or {{\"cases\": [...]}}.",
        **schema,
    }
