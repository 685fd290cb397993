"""Case files in and out: JSON or YAML documents of one case, a list of cases, or
``{"cases": [...]}``. Every problem is reported as file, case id, field and reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from .._yaml import safe_load
from ..errors import Problem, ValidationFailed
from .case import Case, ConsistencyError

_FRIENDLY = {
    "extra_forbidden": "unknown field; it is not part of the case record (check the spelling against `tswt schema`)",
    "missing": "missing: this field is required",
}


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[check(), str]",) or str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_problems(exc: ValidationError, where: str) -> list[Problem]:
    """Turn a pydantic error into one :class:`Problem` per field."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ConsistencyError):
            problems.extend(Problem(where, field, message) for field, message in ctx_error.problems)
            continue
        message = _FRIENDLY.get(err["type"], err["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if (
            err["type"] not in _FRIENDLY
            and "input" in err
            and not isinstance(err["input"], (dict, list))
            and repr(err["input"]) not in message
        ):
            message = f"{message} (got {err['input']!r})"
        problems.append(Problem(where, _loc(err["loc"]), message))
    return problems


def _where(source: str, raw: Any, index: int) -> str:
    case_id = raw.get("case_id") if isinstance(raw, dict) else None
    label = case_id if isinstance(case_id, str) and case_id else f"case #{index + 1}"
    return f"{source}: {label}" if source else label


def case_from_data(raw: Any, where: str = "", stored: bool = False) -> Case:
    """Validate one case from JSON-compatible data (as parsed from JSON or YAML).

    ``stored=True`` for a record read back from the store: it was valid when written, so
    the contradiction checks added in rules 2026.2 (a breakdown after the current
    placement began, overlapping legal statuses) do not stop it loading."""
    if not isinstance(raw, dict):
        raise ValidationFailed([Problem(where, "", f"a case must be a mapping of fields, got {type(raw).__name__}")])
    try:
        return Case.model_validate_json(json.dumps(raw), context={"stored": True} if stored else None)
    except ValidationError as exc:
        raise ValidationFailed(validation_problems(exc, where or _where("", raw, 0))) from None


def case_to_data(case: Case) -> dict[str, Any]:
    """A case as JSON-compatible data; ``case_from_data`` gives back an equal case."""
    return case.model_dump(mode="json", exclude_defaults=True)


def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file (by extension; YAML dates stay strings)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationFailed([Problem(source, "", "no such file")]) from None
    except UnicodeDecodeError:
        raise ValidationFailed([Problem(source, "", "not UTF-8 text; save it as UTF-8 JSON or YAML")]) from None
    except OSError as exc:
        raise ValidationFailed([Problem(source, "", f"cannot read: {exc.strerror}")]) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return safe_load(text, source=source)
    if path.suffix.lower() != ".json":
        raise ValidationFailed([Problem(source, "", "unknown file type; use .json, .yaml or .yml")])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed([Problem(source, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")]) from None


def case_list(doc: Any, source: str) -> list[Any]:
    if isinstance(doc, dict) and "cases" in doc and "case_id" not in doc:
        extra = sorted(set(doc) - {"cases", "format", "exported", "package_version", "versions"})
        if extra:
            raise ValidationFailed([Problem(source, k, "unknown top-level key; expected cases") for k in extra])
        doc = doc["cases"]
    if isinstance(doc, dict):
        return [doc]
    if isinstance(doc, list):
        return doc
    raise ValidationFailed([Problem(source, "", "expected a case, a list of cases, or {cases: [...]}")])


def parse_cases(paths: Iterable[Path | str]) -> list[Case]:
    """Read and validate every case in every file; raise once with every problem found.

    Also refuses a case id that appears twice across the files.
    """
    return parse_case_files(paths)[0]


def parse_case_files(paths: Iterable[Path | str]) -> tuple[list[Case], dict[str, int]]:
    """As :func:`parse_cases`, reading each file once, and also the store ``versions``
    an export records (``tswt update`` checks them)."""
    problems: list[Problem] = []
    cases: list[Case] = []
    versions: dict[str, int] = {}
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        try:
            doc = read_document(path)
            docs = case_list(doc, str(path))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(doc, dict) and isinstance(doc.get("versions"), dict):
            versions.update({str(k): v for k, v in doc["versions"].items() if isinstance(v, int)})
        for i, raw in enumerate(docs):
            where = _where(str(path), raw, i)
            try:
                case = case_from_data(raw, where)
            except ValidationFailed as exc:
                problems.extend(exc.problems)
                continue
            if case.case_id in seen:
                problems.append(Problem(where, "case_id", f"appears twice (also in {seen[case.case_id]})"))
                continue
            seen[case.case_id] = str(path)
            cases.append(case)
    if problems:
        raise ValidationFailed(problems, summary=f"{len(problems)} problem(s); nothing was written:")
    return cases, versions
