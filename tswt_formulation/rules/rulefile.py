"""The recommendation rules file: its schema, loader and validator.

A rules file is YAML with a ``version`` and a list of ``rules``; each rule has an
``id``, the children it ``applies`` to, a ``condition`` (see :mod:`.conditions`), an
``effect``, a ``reason`` template and the clinical ``rationale``. The package ships
``data/recommendation_rules.yaml``; a team may write its own (``TSWT_RULES`` names it)
and check it with ``tswt rules check FILE`` (:func:`check_rules_file`).

A broken file raises :class:`~tswt_formulation.errors.RuleFileError` carrying one
:class:`~tswt_formulation.errors.Problem` per issue, each naming the file, the rule
(index and id) with the key path, and what is wrong.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from .._yaml import safe_load
from ..errors import Problem, RuleFileError, ValidationFailed, problems_from
from ..model.recommendation import STAGES, WAVES
from .conditions import (
    CONDITION_KINDS,
    Always,
    Condition,
    ModelId,
    Predicate,
    ServiceId,
    SignpostId,
)

DEFAULT_RULES = "recommendation_rules.yaml"
RULE_ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
TOP_LEVEL_KEYS = ("version", "description", "rules")

#: Placeholders a reason or readiness template may use (see docs/rules.md).
TEMPLATE_FIELDS: dict[str, str] = {
    "behaviour": "the matched behaviours, e.g. 'self-harm reported at least weekly by carer and school'",
    "behaviour_names": "the names of the matched behaviours",
    "severity": "severity of the first matched behaviour",
    "frequency": "frequency of the first matched behaviour",
    "sources": "sources of the first matched behaviour",
    "factors": "the matched history factors (all recorded ones if none matched)",
    "history_count": "number of history factors recorded",
    "age": "age on the as-of date",
    "legal_status": "legal status",
    "placement": "placement type",
    "placement_months": "whole months in the current placement",
    "moves": "placement moves in the last 12 months",
    "breakdown": "date of the most recent matched placement breakdown",
    "caregiver": "the caregiver's relationship to the child",
    "life_story": "life story work status",
    "band": "the matched measure bands",
    "nd_reason": "why a neurodevelopmental assessment can or cannot be offered",
    "status_reason": "the eligibility reason about legal status",
    "age_reason": "the eligibility reason about age",
    "risk": "the matched recorded risks, e.g. 'self-harm (high), recorded 2026-03-05 by carer; no safety plan; review due 2026-04-05'",
    "risk_names": "the names of the matched recorded risks",
    "worker_role": "who holds the case for the child: 'social worker', or 'personal adviser' for a care leaver (and for a looked-after child who has turned 18)",
    "young_person": "'child' under 16, 'young person' from 16",
    "consent_reason": "why the recorded consent cannot stand (who gave it, and who can give it for this child)",
}

#: Words that name a safety step. A rule whose reason or rationale (what it says to do) names
#: one must put the step itself in ``effect.preconditions``, so that it reaches "what must
#: happen first" whichever rule wins the wave or stage (a safety step is never only an
#: explanation). ``readiness`` is exempt: it describes the sign of progress, not a step.
SAFETY_STEP = re.compile(r"safety[ -]?plan", re.IGNORECASE)

Applies = Literal["eligible", "ineligible", "always"]


def _check_wave(value: int) -> int:
    if value not in WAVES:
        raise ValueError(
            f"wave {value} is outside {WAVES[0]}-{WAVES[-1]} (1 environment, 2 targeted, 3 direct clinical engagement)"
        )
    return value


def _check_stage(value: int) -> int:
    if value not in STAGES:
        raise ValueError(
            f"stage {value} is outside {STAGES[0]}-{STAGES[-1]} (1 safety and containment ... 4 a platform to achieve)"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(_Strict):
    """What a rule does when its condition holds. Lists are added (unions, in rule order)."""

    wave: Annotated[int, Field(strict=True)] | None = None
    stage: Annotated[int, Field(strict=True)] | None = None
    services: tuple[ServiceId, ...] = ()
    models: tuple[ModelId, ...] = ()
    preconditions: tuple[Annotated[str, Field(min_length=1, max_length=500)], ...] = ()
    signposting: tuple[SignpostId, ...] = ()
    risk: Annotated[bool, Field(strict=True)] = False
    #: The preconditions manage a risk (a safety plan, a risk review, the safeguarding
    #: lead's part): outstanding, they hold up sign-off and the beginning of work unless a
    #: reason is given (rules.workflow). Said here, in the rule, not guessed from wording.
    risk_steps: Annotated[bool, Field(strict=True)] = False

    @field_validator("wave")
    @classmethod
    def _wave_range(cls, value: int | None) -> int | None:
        return value if value is None else _check_wave(value)

    @field_validator("stage")
    @classmethod
    def _stage_range(cls, value: int | None) -> int | None:
        return value if value is None else _check_stage(value)

    @property
    def empty(self) -> bool:
        return not (
            self.wave
            or self.stage
            or self.services
            or self.models
            or self.preconditions
            or self.signposting
            or self.risk
        )

    def describe(self) -> str:
        """The effect in a few words, e.g. ``wave 3; risk; services: direct_work``."""
        parts = []
        if self.wave is not None:
            parts.append(f"wave {self.wave}")
        if self.stage is not None:
            parts.append(f"stage {self.stage}")
        if self.risk:
            parts.append("flag risk")
        for name in ("services", "models", "signposting"):
            values = getattr(self, name)
            if values:
                parts.append(f"{name}: {', '.join(values)}")
        if self.preconditions:
            # The steps themselves, not a count (issue 21: "preconditions: 1" told a reader nothing).
            parts.append(
                ("first (risk): " if self.risk_steps else "first: ") + "; ".join(self.preconditions)
            )
        return "; ".join(parts)


class Rule(_Strict):
    """One clinical rule: when ``condition`` holds for a child it ``applies`` to, the
    ``effect`` takes part in the recommendation, explained by ``reason``."""

    id: Annotated[str, Field(pattern=RULE_ID_PATTERN, max_length=80)]
    applies: Applies = "eligible"
    condition: Condition
    effect: Effect
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    readiness: Annotated[str, Field(max_length=500)] = ""
    rationale: Annotated[str, Field(min_length=1, max_length=5000)]


@dataclass(frozen=True)
class RuleSet:
    """A validated rules file, with each condition compiled once."""

    version: str
    rules: tuple[Rule, ...]
    source: str
    description: str = ""
    predicates: tuple[Predicate, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.predicates:
            object.__setattr__(self, "predicates", tuple(r.condition.compile() for r in self.rules))

    def __len__(self) -> int:
        return len(self.rules)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


# --- turning pydantic errors into one problem each -------------------------------------------

_RULE_ADAPTER = TypeAdapter(Rule)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    prev: Any = None
    for part in loc:
        # A discriminated union puts the tag in the location: condition.behaviour.min_severity
        if (
            isinstance(part, str)
            and part in CONDITION_KINDS
            and (prev == "condition" or isinstance(prev, int))
        ):
            prev = part
            continue
        if isinstance(part, str) and (part.startswith("function-") or part.endswith("]")):
            prev = part
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        prev = part
    return out


def _message(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    given = err.get("input")
    if kind == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag", given)
        return f"unknown condition kind {tag!r}; expected one of: {', '.join(CONDITION_KINDS)}"
    if kind == "union_tag_not_found":
        return "malformed condition: no kind; write e.g. {kind: behaviour, behaviour: self_harm}"
    if kind in ("model_attributes_type", "model_type", "dict_type"):
        return f"malformed: expected a mapping of keys, got {given!r}"
    if kind == "extra_forbidden":
        return "unknown key; check the spelling against docs/rules.md"
    if kind == "missing":
        return "missing: this key is required"
    if kind == "literal_error":
        return f"{msg} (got {given!r})"
    if kind == "string_pattern_mismatch":
        return f"{given!r} is not a valid id (lower-case letters, digits, _ and dots)"
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if given is not None and not isinstance(given, (dict, list, tuple)):
        return f"{msg} (got {given!r})"
    return msg


def _fields(template: str) -> list[str]:
    try:
        return [
            name for _, name, spec, conv in string.Formatter().parse(template) if name is not None
        ]
    except ValueError as exc:
        raise ValueError(f"malformed template: {exc}") from None


def _semantic_problems(rule: Rule) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    eff = rule.effect
    if eff.empty:
        out.append(
            (
                "effect",
                "empty: give at least one of wave, stage, services, models, preconditions, signposting, risk",
            )
        )
    if rule.applies != "eligible" and (eff.wave or eff.stage or eff.services or eff.models):
        out.append(
            (
                "effect",
                (
                    f"a rule that applies to {rule.applies} children can only add signposting, preconditions or risk; "
                    "an ineligible child gets no wave, stage, services or models"
                ),
            )
        )
    if eff.risk and not rule.condition.flags_behaviours():
        out.append(
            (
                "effect.risk",
                "flags a risk but the condition names no behaviour or recorded risk; add a behaviour or risk condition",
            )
        )
    if not eff.preconditions and any(SAFETY_STEP.search(t) for t in (rule.reason, rule.rationale)):
        out.append(
            (
                "effect.preconditions",
                "missing: the rule names a safety step (a safety plan) in its reason or rationale; "
                "put the step in preconditions so it reaches what must happen first",
            )
        )
    if eff.risk_steps and not eff.preconditions:
        out.append(
            (
                "effect.risk_steps",
                "marks the rule's first steps as risk steps, but it has no preconditions; "
                "put the steps in preconditions or leave risk_steps out",
            )
        )
    if (
        eff.preconditions
        and not eff.risk_steps
        and any(SAFETY_STEP.search(p) for p in eff.preconditions)
    ):
        out.append(
            (
                "effect.risk_steps",
                "missing: a precondition is a safety plan; mark it risk_steps: true so that, "
                "outstanding, it holds up sign-off and the beginning of work",
            )
        )
    if eff.stage is not None and eff.stage < 4 and not rule.readiness.strip():
        out.append(
            (
                "readiness",
                f"missing: a rule that holds a child at stage {eff.stage} says what would show readiness to move on",
            )
        )
    templates = [("reason", rule.reason), ("readiness", rule.readiness)] + [
        (f"effect.preconditions[{i}]", text) for i, text in enumerate(eff.preconditions)
    ]
    for key, template in templates:
        try:
            names = _fields(template)
        except ValueError as exc:
            out.append((key, str(exc)))
            continue
        for name in names:
            if name not in TEMPLATE_FIELDS:
                out.append(
                    (
                        key,
                        f"unknown placeholder {{{name}}}; expected one of: {', '.join(TEMPLATE_FIELDS)}",
                    )
                )
    return out


def parse_rules(raw: Any, source: str) -> RuleSet:
    """Validate parsed YAML as a rules file; raise :class:`RuleFileError` with every problem."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise RuleFileError(
            [Problem(source, "", "a rules file is a mapping with version and rules")]
        )
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            problems.append(
                Problem(
                    source,
                    str(key),
                    f"unknown top-level key; expected: {', '.join(TOP_LEVEL_KEYS)}",
                )
            )
    version = raw.get("version")
    if version is None:
        problems.append(
            Problem(source, "version", 'missing: give the rules version, e.g. version: "2026.1"')
        )
    elif not isinstance(version, str) or not version.strip():
        problems.append(
            Problem(
                source, "version", f'{version!r} must be a quoted string, e.g. version: "2026.1"'
            )
        )
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.append(Problem(source, "description", "must be text"))
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append(Problem(source, "rules", "missing: expected a non-empty list of rules"))
        raise RuleFileError(problems)

    rules: list[Rule] = []
    first_index: dict[str, int] = {}
    for i, raw_rule in enumerate(raw_rules):
        rule_id = raw_rule.get("id") if isinstance(raw_rule, dict) else None
        label = f"rules[{i}]" + (f" ({rule_id})" if isinstance(rule_id, str) else "")
        if not isinstance(raw_rule, dict):
            problems.append(
                Problem(
                    source,
                    label,
                    f"a rule is a mapping of id, condition, effect, reason, rationale; got {raw_rule!r}",
                )
            )
            continue
        if isinstance(rule_id, str):
            if rule_id in first_index:
                problems.append(
                    Problem(
                        source,
                        f"{label} id",
                        f"duplicate rule id; first used by rules[{first_index[rule_id]}]",
                    )
                )
            else:
                first_index[rule_id] = i
        try:
            rule = _RULE_ADAPTER.validate_python(raw_rule)
        except ValidationError as exc:

            def in_rule(loc: tuple[Any, ...], label: str = label) -> str:
                return f"{label} {_path(loc)}".strip()

            problems += problems_from(exc, source, path=in_rule, word=_message)
            continue
        problems.extend(
            Problem(source, f"{label} {key}", message) for key, message in _semantic_problems(rule)
        )
        rules.append(rule)

    for part in ("wave", "stage"):
        if not problems and not any(
            r.applies == "eligible"
            and isinstance(r.condition, Always)
            and getattr(r.effect, part) is not None
            for r in rules
        ):
            problems.append(
                Problem(
                    source,
                    "rules",
                    f"no default {part}: add a rule with condition {{kind: always}} that sets {part}, "
                    "so every eligible child gets one",
                )
            )
    if problems:
        raise RuleFileError(problems)
    return RuleSet(
        version=str(version), rules=tuple(rules), source=source, description=str(description)
    )


def parse_rules_text(text: str, source: str = "<rules>") -> RuleSet:
    """Parse and validate the text of a rules file."""
    try:
        raw = safe_load(text, source=source)
    except ValidationFailed as exc:
        raise RuleFileError(exc.problems) from None
    return parse_rules(raw, source)


def load_rules(path: str | Path) -> RuleSet:
    """Load and validate a team's rules file.

    Parameters
    ----------
    path : str or Path
        A YAML rules file (the shape of the package's ``recommendation_rules.yaml``).

    Returns
    -------
    RuleSet
        The validated rules, conditions compiled.

    Raises
    ------
    RuleFileError
        One problem per issue: file, rule and key, what is wrong.
    """
    from .._files import MAX_SETTINGS_BYTES, read_text_bounded
    from ..errors import ValidationFailed

    path = Path(path)
    if not path.exists():
        raise RuleFileError([Problem(str(path), "", "no such rules file")])
    try:
        text = read_text_bounded(path, MAX_SETTINGS_BYTES, kind="YAML")
    except ValidationFailed as exc:  # not an ordinary file, too big, not UTF-8
        raise RuleFileError(exc.problems) from None
    return parse_rules_text(text, source=str(path))


def check_rules_file(path: str | Path) -> list[Problem]:
    """Every problem of a rules file (empty when it is valid); for ``tswt rules check``."""
    try:
        load_rules(path)
    except RuleFileError as exc:
        return list(exc.problems)
    return []


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The package's own rules (parsed and compiled once, then cached)."""
    text = files(__package__).joinpath("data", DEFAULT_RULES).read_text(encoding="utf-8")
    return parse_rules_text(text, source=DEFAULT_RULES)


@lru_cache(maxsize=8)
def _team_rules(path: str, mtime_ns: int, size: int) -> RuleSet:
    return load_rules(path)


def active_rules() -> RuleSet:
    """The rules file named by ``TSWT_RULES`` if set (cached until it changes), else the
    package default."""
    import os

    name = os.environ.get("TSWT_RULES")
    if not name:
        return default_rules()
    try:
        st = Path(name).stat()
    except OSError:
        raise RuleFileError(
            [Problem(name, "", "no such rules file (named by TSWT_RULES)")]
        ) from None
    return _team_rules(name, st.st_mtime_ns, st.st_size)


def describe_rules(rules: RuleSet) -> str:
    """Every rule in words, for ``tswt rules show``."""
    lines = [f"Recommendation rules {rules.version} ({len(rules.rules)} rules) from {rules.source}"]
    if rules.description:
        lines.append(rules.description.strip())
    applies_words = {
        "eligible": "eligible children",
        "ineligible": "children not eligible or who cannot proceed",
        "always": "every child",
    }
    for r in rules.rules:
        lines += [
            "",
            f"[{r.id}] applies to {applies_words[r.applies]}",
            f"  when:   {r.condition.describe()}",
            f"  then:   {r.effect.describe()}",
            f"  reason: {r.reason}",
        ]
        if r.readiness:
            lines.append(f"  next:   {r.readiness}")
        lines.append(f"  why:    {' '.join(r.rationale.split())}")
    return "\n".join(lines)


def rules_in_use(path: str | Path | None = None) -> RuleSet:
    """The rules a command should use: the file given, else ``TSWT_RULES``, else built in."""
    return load_rules(path) if path else active_rules()
