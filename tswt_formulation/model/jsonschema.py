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
                node["description"] = (
                    f"One of the {name.replace('_', ' ')} ids (docs/domain.md, Identifiers)."
                )
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    defs = schema.pop("$defs", {})
    defs["Case"] = schema
    case_ref = {"$ref": "#/$defs/Case"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "tswt-formulation case file",
        "description": (
            f"A case file (vocabularies {vocab.version}): one case, a list of cases, or an export "
            "{format, package_version, versions, cases: [...]} as written by `tswt export`."
        ),
        "$defs": defs,
        "anyOf": [
            case_ref,
            {"type": "array", "items": case_ref},
            {
                "type": "object",
                "properties": {
                    "format": {"type": "string"},
                    "package_version": {"type": "string"},
                    "exported": {"type": "string"},
                    "versions": {
                        "type": "object",
                        "additionalProperties": {"type": "integer", "minimum": 1},
                        "description": "The store version each case was exported at (used by `tswt update`).",
                    },
                    "cases": {"type": "array", "items": case_ref},
                },
                "required": ["cases"],
                "additionalProperties": False,
            },
        ],
    }
