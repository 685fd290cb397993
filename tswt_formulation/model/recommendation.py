"""The parts of a recommendation, written down once: the bounds of the practice model's
waves and stages, the vocabulary each list part draws on, and how a worker's override of
one part is read from what they typed and checked.

Every face uses these: the record's fields (``Wave`` and ``Stage``), the rules file's
checks, the workflow's override check, ``tswt decide --override`` and the workbench's
decision form. A wave or stage bound, or a part's vocabulary, changes here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import Field

from .vocabulary import list_words, vocabulary

if TYPE_CHECKING:
    from .formulation import Override

#: The waves (1 a clinically informed living and learning environment, 2 targeted clinically
#: led intervention, 3 direct clinical engagement) and the stages of the practice model
#: (1 safety and containment ... 4 a platform to achieve). Their names are in rules/recommend.py.
WAVES = (1, 2, 3)
STAGES = (1, 2, 3, 4)
Wave = Annotated[int, Field(ge=WAVES[0], le=WAVES[-1])]
Stage = Annotated[int, Field(ge=STAGES[0], le=STAGES[-1])]

#: The parts of a recommendation a worker may override, with a reason.
OverridePart = Literal["wave", "stage", "services", "models", "preconditions", "signposting"]
OVERRIDE_PARTS: tuple[str, ...] = get_args(OverridePart)

#: The list parts whose values are vocabulary terms, and the vocabulary of each.
#: (``preconditions`` are free text; ``risks`` are not overridden.)
PART_VOCABULARY = {
    "services": "service",
    "models": "direct_work_model",
    "signposting": "signposting",
}

#: How a list part is typed on one line: preconditions are sentences (they hold commas),
#: so they are separated by semicolons; the vocabulary parts by commas.
SEPARATOR = {"preconditions": ";"}


def bounds(part: str) -> tuple[int, ...]:
    """The numbers a wave or a stage may take."""
    return WAVES if part == "wave" else STAGES


def span(part: str) -> str:
    """The numbers a wave or stage may take, in words: '1, 2 or 3', '1 to 4'."""
    numbers = bounds(part)
    if len(numbers) <= 3:
        return ", ".join(map(str, numbers[:-1])) + f" or {numbers[-1]}"
    return f"{numbers[0]} to {numbers[-1]}"


def vocabulary_name(part: str) -> str:
    """'direct-work model' for ``models``: how the team names what a part lists."""
    return list_words(PART_VOCABULARY[part])


def unknown_terms(part: str, values: list[Any]) -> str | None:
    """What is wrong with a list part's values (terms its vocabulary does not hold), in the
    team's words; None when every value is a term."""
    return vocabulary()[PART_VOCABULARY[part]].unknown(values)


def value_problem(part: str, value: Any) -> str | None:
    """What is wrong with ``value`` as the new ``part`` of a recommendation, in the team's
    words; None when nothing is."""
    if part in ("wave", "stage"):
        if isinstance(value, bool) or not isinstance(value, int) or value not in bounds(part):
            return f"{value!r} is not a {part} ({span(part)})"
        return None
    if part in PART_VOCABULARY:
        if not isinstance(value, list):
            return f"expected a list of {vocabulary_name(part)} ids"
        return unknown_terms(part, value)
    if part == "preconditions" and not isinstance(value, list):
        return "expected a list of preconditions"
    if part not in OVERRIDE_PARTS:
        return f"{part!r} is not a part; expected one of {', '.join(OVERRIDE_PARTS)}"
    return None


def parse_value(part: str, raw: str) -> int | list[str]:
    """The value of an override as typed on one line: a whole number for a wave or stage;
    for a list part its items (comma-separated, preconditions semicolon-separated), each
    vocabulary item given by its id or its label (any case). Raises ``ValueError`` saying
    what is wrong, in the team's words."""
    raw = raw.strip()
    if part in ("wave", "stage"):
        if not raw.isdigit() or int(raw) not in bounds(part):
            raise ValueError(f"{raw!r} is not a {part} ({span(part)})")
        return int(raw)
    if part not in OVERRIDE_PARTS:
        raise ValueError(f"{part!r} is not a part; expected one of {', '.join(OVERRIDE_PARTS)}")
    items = [x.strip() for x in raw.split(SEPARATOR.get(part, ",")) if x.strip()]
    if part not in PART_VOCABULARY:
        return items
    vocab = vocabulary()[PART_VOCABULARY[part]]
    by_label = {label.lower(): term for term, label in vocab.terms.items()}
    out = [item if item in vocab else by_label.get(item.lower(), item) for item in items]
    problem = unknown_terms(part, out)
    if problem:
        raise ValueError(problem)
    return out


def value_text(part: str, value: Any) -> str:
    """An override's value as a worker would type it back (labels for vocabulary terms):
    ``parse_value(part, value_text(part, v)) == v``."""
    if isinstance(value, int):
        return str(value)
    if part in PART_VOCABULARY:
        return ", ".join(vocabulary().label(PART_VOCABULARY[part], v) for v in value)
    return f"{SEPARATOR.get(part, ',')} ".join(value)


def parse_override(case_id: str, part: str, raw: str, reason: str) -> Override:
    """One override as a worker typed it (the CLI's ``--override PART VALUE REASON`` and the
    workbench's decision form). Raises :class:`~tswt_formulation.errors.OverrideError`
    naming the case, the part and what is wrong, with ``field`` the one to correct
    (``part``, ``value`` or ``reason``)."""
    from ..errors import OverrideError
    from .formulation import Override

    where = f"{case_id}: override of {part}"
    if part not in OVERRIDE_PARTS:
        raise OverrideError(
            f"{case_id}: {part!r} is not a part; expected one of {', '.join(OVERRIDE_PARTS)}",
            case_id=case_id,
            part=part,
            field="part",
        )
    if not reason.strip():
        raise OverrideError(
            f"{where}: a reason is required", case_id=case_id, part=part, field="reason"
        )
    for name, text in (("value", raw), ("reason", reason)):
        if not text.isprintable():
            raise OverrideError(
                f"{where}: its {name} must be one line of printable text "
                "(no line break or control character)",
                case_id=case_id,
                part=part,
                field=name,
            )
    try:
        value = parse_value(part, raw)
    except ValueError as exc:
        raise OverrideError(f"{where}: {exc}", case_id=case_id, part=part, field="value") from None
    return Override.model_validate({"part": part, "value": value, "reason": reason})


def check_override(o: Override, case_id: str) -> None:
    """Refuse an override the workflow cannot record: no reason, or a value its part cannot
    take (a wave or stage out of bounds, a term its vocabulary does not hold)."""
    from ..errors import OverrideError

    where = f"{case_id}: override of {o.part}"
    if not o.reason.strip():
        raise OverrideError(
            f"{where}: a reason is required", case_id=case_id, part=o.part, field="reason"
        )
    problem = value_problem(o.part, o.value)
    if problem:
        raise OverrideError(f"{where}: {problem}", case_id=case_id, part=o.part, field="value")
