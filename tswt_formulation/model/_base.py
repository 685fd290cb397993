"""Shared pieces of the case record models: strict config, vocabulary-checked terms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from .vocabulary import vocabulary

# Validation context key: the vocabularies resolved once for a whole validation (a file
# of cases), so each term field need not look up TSWT_VOCABULARY again.
VOCABULARY_CONTEXT = "tswt_vocabulary"


class Record(BaseModel):
    """Base of every case-record model: strict types, unknown fields refused."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        validate_assignment=True,
        str_strip_whitespace=False,  # staff text is kept verbatim
    )


def _term_checker(list_name: str) -> Callable[[str, ValidationInfo], str]:
    def check(value: str, info: ValidationInfo) -> str:
        context = info.context
        vocab = ((context.get(VOCABULARY_CONTEXT) if context else None) or vocabulary())[list_name]
        if value in vocab:  # the common case, checked without building the message
            return value
        raise ValueError(vocab.unknown([value]))

    return check


@dataclass(frozen=True)
class Term:
    """``Annotated[str, Term("legal_status")]``: a string that must be a term of the named
    vocabulary (checked when validated; the JSON schema names the list as ``x-vocabulary``).

    Metadata rather than a function returning a type, so the annotation is a type that
    type checkers understand."""

    list_name: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(
            _term_checker(self.list_name), handler(source)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out["x-vocabulary"] = self.list_name
        return out


ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=20_000)]


@dataclass
class DateChecks:
    """The date checks of a record's cross-field validation (model/case.py, model/work.py):
    each adds ``(field, message)`` to ``out`` where a date is impossible."""

    out: list[tuple[str, str]]
    today: date

    def not_future(self, field: str, value: date | None) -> None:
        if value is not None and value > self.today:
            self.out.append(
                (field, f"{value.isoformat()} is in the future (today is {self.today.isoformat()})")
            )

    def not_before(
        self, field: str, value: date | None, other_field: str, other: date | None
    ) -> None:
        if value is not None and other is not None and value < other:
            self.out.append(
                (field, f"{value.isoformat()} is before {other_field} {other.isoformat()}")
            )

    def not_after(
        self, field: str, value: date | None, other_field: str, other: date | None
    ) -> None:
        if value is not None and other is not None and value > other:
            self.out.append(
                (field, f"{value.isoformat()} is after {other_field} {other.isoformat()}")
            )
