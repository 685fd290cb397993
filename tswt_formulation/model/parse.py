"""Case files in and out: JSON or YAML documents of one case, a list of cases, or
``{"cases": [...]}``. Every problem is reported as file, case id, field and reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from .._yaml import MAX_DEPTH, TOO_DEEP, safe_load
from ..errors import Problem, ValidationFailed, problems_from, quote
from ..large_batches import gc_paused
from ._base import VOCABULARY_CONTEXT
from .case import Case
from .vocabulary import vocabulary

_FRIENDLY = {
    "extra_forbidden": "unknown field; it is not part of the case record (check the spelling against `tswt schema`)",
    "missing": "missing: this field is required",
}


def _case_words(err: dict[str, Any]) -> str:
    message = _FRIENDLY.get(err["type"], err["msg"]).removeprefix("Value error, ")
    if (
        err["type"] not in _FRIENDLY
        and "input" in err
        and not isinstance(err["input"], (dict, list))
        and repr(err["input"]) not in message
        and quote(err["input"]) not in message
    ):
        message = f"{message} (got {quote(err['input'])})"
    return message


def validation_problems(exc: ValidationError, where: str) -> list[Problem]:
    """Turn a pydantic error into one :class:`Problem` per field."""
    return problems_from(exc, where, word=_case_words)


def _where(source: str, raw: Any, index: int) -> str:
    case_id = raw.get("case_id") if isinstance(raw, dict) else None
    # An id that could not be one (too long, control characters) is not echoed back.
    plausible = isinstance(case_id, str) and 0 < len(case_id) <= 40 and case_id.isprintable()
    label = str(case_id) if plausible else f"case #{index + 1}"
    return f"{source}: {label}" if source else label


def case_from_data(raw: Any, where: str = "", stored: bool = False) -> Case:
    """Validate one case from JSON-compatible data (as parsed from JSON or YAML).

    ``stored=True`` for a record read back from the store: it was valid when written, so
    the contradiction checks added in rules 2026.2 (a breakdown after the current
    placement began, overlapping legal statuses) do not stop it loading."""
    if not isinstance(raw, dict):
        raise ValidationFailed(
            [Problem(where, "", f"a case must be a mapping of fields, got {type(raw).__name__}")]
        )
    text = json.dumps(raw)
    # A record already stored still loads, whatever checks came later.
    nul = [] if stored else nul_problems(raw, where or _where("", raw, 0), text)
    try:
        context: dict[str, Any] = {VOCABULARY_CONTEXT: vocabulary()}
        if stored:
            context["stored"] = True
        case = Case.model_validate_json(text, context=context)
    except ValidationError as exc:
        raise ValidationFailed(
            nul + validation_problems(exc, where or _where("", raw, 0))
        ) from None
    if nul:
        raise ValidationFailed(nul)
    return case


def nul_problems(raw: Any, where: str, text: str | None = None) -> list[Problem]:
    """Each text of a record that holds a NUL character: refused on every back end, since
    PostgreSQL cannot store one (what SQLite took could not move to the team server).
    ``text``, the record as JSON if at hand, makes the usual case (none) one search."""
    if text is not None and "\\u0000" not in text:  # JSON writes NUL as \u0000
        return []
    out: list[Problem] = []
    stack: list[tuple[Any, str]] = [(raw, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                out.append(Problem(where, path, "contains a NUL character (\\x00); remove it"))
        elif isinstance(node, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node))))
    return out


def case_to_data(case: Case) -> dict[str, Any]:
    """A case as JSON-compatible data; ``case_from_data`` gives back an equal case."""
    return case.model_dump(mode="json", exclude_defaults=True)


FORMATS = ("tswt-cases/1",)  # `tswt export` writes (cli.case_files.EXPORT_FORMAT) and import reads
MAX_FILE_BYTES = (
    256 * 1024 * 1024
)  # far above any caseload export; a bigger file is a mistake or an attack


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (json.loads would keep the last one)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _v in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"the key {quote(twice)} appears twice in one object; keep one")
    return out


def _too_deep(doc: Any, limit: int = MAX_DEPTH) -> bool:
    """Is the document nested deeper than ``limit``? (level by level: no recursion)"""
    level = [doc] if isinstance(doc, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            v
            for node in level
            for v in (node.values() if isinstance(node, dict) else node)
            if isinstance(v, (dict, list))
        ]
    return False


def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file (by extension; YAML dates stay strings).

    Refused, as one problem naming the file: a file over ``MAX_FILE_BYTES``, nesting
    deeper than ``MAX_DEPTH``, a key given twice in one mapping, YAML aliases.
    """
    return _read_document(path)[0]


def _read_document(path: Path) -> tuple[Any, str | None]:
    """:func:`read_document`, and the JSON text the document was parsed from (None for YAML)."""
    from .._files import read_text_bounded

    source = str(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json") and path.exists():
        raise ValidationFailed([Problem(source, "", "unknown file type; use .json, .yaml or .yml")])
    text = read_text_bounded(path, MAX_FILE_BYTES, kind="JSON or YAML")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _not_too_deep(safe_load(text, source=source), source), None
    elif path.suffix.lower() != ".json":
        raise ValidationFailed([Problem(source, "", "unknown file type; use .json, .yaml or .yml")])
    else:
        try:
            doc = json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                [
                    Problem(
                        source,
                        f"line {exc.lineno}, column {exc.colno}",
                        f"not valid JSON: {exc.msg}",
                    )
                ]
            ) from None
        except RecursionError:
            raise ValidationFailed([Problem(source, "", TOO_DEEP)]) from None
        except ValueError as exc:  # a duplicate key (_json_object)
            raise ValidationFailed([Problem(source, "", f"not accepted: {exc}")]) from None
    return _not_too_deep(doc, source), text


def _not_too_deep(doc: Any, source: str) -> Any:
    if _too_deep(doc):
        raise ValidationFailed([Problem(source, "", TOO_DEEP)])
    return doc


def case_list(doc: Any, source: str) -> list[Any]:
    if isinstance(doc, dict) and "cases" in doc and "case_id" not in doc:
        extra = sorted(set(doc) - {"cases", "format", "exported", "package_version", "versions"})
        if extra:
            raise ValidationFailed(
                [Problem(source, k, "unknown top-level key; expected cases") for k in extra]
            )
        if "format" in doc and doc["format"] not in FORMATS:
            raise ValidationFailed(
                [
                    Problem(
                        source,
                        "format",
                        f"{quote(doc['format'])} is not a format this version reads "
                        f"({', '.join(FORMATS)}); a newer version of tswt-formulation wrote it? "
                        "Upgrade the package: pip install -U tswt-formulation",
                    )
                ]
            )
        doc = doc["cases"]
    if isinstance(doc, dict):
        return [doc]
    if isinstance(doc, list):
        return doc
    raise ValidationFailed(
        [Problem(source, "", "expected a case, a list of cases, or {cases: [...]}")]
    )


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


class _CaseFile(TypedDict):
    cases: list[Case]  # a file's other keys (format, versions, ...) are read elsewhere


def _adapter(shape: str) -> TypeAdapter[Any]:
    if shape not in _ADAPTERS:
        _ADAPTERS[shape] = TypeAdapter(list[Case] if shape == "list" else _CaseFile)
    return _ADAPTERS[shape]


def _validate_all(docs: list[Any], doc: Any = None, text: str | None = None) -> list[Case] | None:
    """Every case of a file in one validation pass (one JSON text, one call), or None if
    any case is not valid: then each is validated on its own, for messages per case.

    ``text``, the JSON the document ``doc`` was parsed from, is validated as it is when
    the document is a list of cases or ``{"cases": [...]}`` (no second JSON text made)."""
    if not all(isinstance(raw, dict) for raw in docs):
        return None
    if text is not None and (doc is docs or (isinstance(doc, dict) and doc.get("cases") is docs)):
        shape = "list" if doc is docs else "file"
    else:
        shape, text = "list", json.dumps(docs)
    if "\\u0000" in text:  # a NUL somewhere: case by case, for nul_problems' messages
        return None
    try:
        valid = _adapter(shape).validate_json(text, context={VOCABULARY_CONTEXT: vocabulary()})
    except ValidationError:
        return None
    return valid if shape == "list" else valid["cases"]


def _versions(raw: Any, source: str) -> tuple[dict[str, int], list[Problem]]:
    """An export's ``versions: {CASE: N}``, each N a whole number from 1 (not true/false)."""
    if not isinstance(raw, dict):
        return {}, [
            Problem(
                source,
                "versions",
                "expected a mapping of case id to store version, as `tswt export` writes",
            )
        ]
    good = {str(k): v for k, v in raw.items() if type(v) is int and v >= 1}
    bad = [
        Problem(
            source,
            f"versions.{quote(k, bare=True)}",
            f"the store version must be a whole number from 1 (got {quote(v)})",
        )
        for k, v in raw.items()
        if str(k) not in good
    ]
    return good, bad


def parse_cases(paths: Iterable[Path | str]) -> list[Case]:
    """Read and validate every case in every file; raise once with every problem found.

    Also refuses a case id that appears twice across the files.
    """
    return parse_case_files(paths)[0]


@gc_paused()  # thousands of cases: see tswt_formulation.large_batches
def parse_case_files(
    paths: Iterable[Path | str], sources: dict[str, str] | None = None
) -> tuple[list[Case], dict[str, int]]:
    """As :func:`parse_cases`, reading each file once, and also the store ``versions``
    an export records (``tswt update`` checks them). ``sources``, if given, is filled
    with the file each case id came from."""
    problems: list[Problem] = []
    cases: list[Case] = []
    versions: dict[str, int] = {}
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        try:
            doc, text = _read_document(path)
            docs = case_list(doc, str(path))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(doc, dict) and "versions" in doc:
            found, bad = _versions(doc["versions"], str(path))
            versions.update(found)
            if bad:
                problems.extend(bad)
                continue
        valid = _validate_all(docs, doc, text)
        for i, raw in enumerate(docs):
            where = _where(str(path), raw, i)
            try:
                case = valid[i] if valid is not None else case_from_data(raw, where)
            except ValidationFailed as exc:
                problems.extend(exc.problems)
                continue
            if case.case_id in seen:
                problems.append(
                    Problem(where, "case_id", f"appears twice (also in {seen[case.case_id]})")
                )
                continue
            seen[case.case_id] = str(path)
            cases.append(case)
    if sources is not None:
        sources.update(seen)
    if problems:
        raise ValidationFailed(
            problems, summary=f"{len(problems)} problem(s); nothing was written:"
        )
    return cases, versions
