"""Shared pieces of the case record models: strict config, vocabulary-checked terms."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

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


def _term_checker(list_name: str):
    def check(value: str, info: ValidationInfo) -> str:
        context = info.context
        vocab = ((context.get(VOCABULARY_CONTEXT) if context else None) or vocabulary())[list_name]
        if value not in vocab:
            known = ", ".join(vocab.terms)
            from ..errors import quote

            raise ValueError(f"unknown {list_name.replace('_', ' ')} {quote(value)}; expected one of: {known}")
        return value

    return check


def Term(list_name: str):
    """A string that must be a term of the named vocabulary (checked when validated)."""
    return Annotated[
        str,
        AfterValidator(_term_checker(list_name)),
        Field(json_schema_extra={"x-vocabulary": list_name}),
    ]


ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=20_000)]
