"""Rules files: the shipped file is valid and documented; a broken team file fails with
one clear problem per issue (file, rule and key, what is wrong), never a traceback."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tswt_formulation.errors import Problem, RuleFileError
from tswt_formulation.rules.conditions import CONDITION_KINDS
from tswt_formulation.rules.rulefile import (
    TEMPLATE_FIELDS,
    check_rules_file,
    default_rules,
    describe_rules,
    load_rules,
    parse_rules_text,
)

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"

GOOD_DEFAULTS = """\
  - id: default.wave1
    condition: {kind: always}
    effect: {wave: 1, stage: 4}
    reason: Wave 1 by default
    rationale: Everyone starts from an informed environment.
"""


def write(tmp_path: Path, body: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def rule_file(tmp_path: Path, rule: str) -> Path:
    """A file with the good defaults plus one rule (given as YAML list item text)."""
    return write(
        tmp_path,
        'version: "t1"\nrules:\n' + GOOD_DEFAULTS + textwrap.indent(textwrap.dedent(rule), "  "),
    )


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in check_rules_file(path)]


def test_shipped_rules_are_valid_and_cached() -> None:
    rules = default_rules()
    assert rules is default_rules()
    assert rules.version == "2026.4"
    assert len(rules) >= 30
    assert len(set(rules.ids)) == len(rules.ids)
    for rule in rules.rules:
        assert rule.rationale.strip() and rule.reason.strip()


def test_every_rule_condition_kind_and_placeholder_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for rule_id in default_rules().ids:
        assert f"`{rule_id}`" in docs, f"{rule_id} is not explained in docs/rules.md"
    for kind in CONDITION_KINDS:
        assert f"`{kind}`" in docs, f"condition kind {kind} is not documented"
    for name in TEMPLATE_FIELDS:
        assert f"{{{name}}}" in docs, f"placeholder {name} is not documented"


def test_describe_rules_lists_every_rule() -> None:
    text = describe_rules(default_rules())
    assert text.startswith("Recommendation rules 2026.4 (")
    for rule_id in default_rules().ids:
        assert f"[{rule_id}]" in text
    assert "  when:   self-harm present" in text


def test_a_minimal_team_file_loads(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, 'version: "t1"\nrules:\n' + GOOD_DEFAULTS))
    assert (rules.version, rules.ids) == ("t1", ("default.wave1",))
    assert check_rules_file(tmp_path / "team.yaml") == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "- {id: r.x, condition: {kind: behavior, behaviour: self_harm}, effect: {wave: 3}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition: unknown condition kind 'behavior'; expected one of: all, any, not, always, behaviour,",
        ),
        (
            "- {id: r.x, condition: {kind: behaviour, behaviour: self_harming}, effect: {wave: 3}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.behaviour\[0\]: unknown presenting behaviour 'self_harming'; expected one of: extreme_dysregulation,",
        ),
        (
            "- {id: r.x, condition: {kind: history, factor: neglet}, effect: {wave: 2}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.factor\[0\]: unknown history factor 'neglet'; expected one of: physical_abuse,",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {services: [art_therapy]}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect\.services\[0\]: unknown service 'art_therapy'; expected one of: fostering_surgery,",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {models: [emdr]}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect\.models\[0\]: unknown direct-work model 'emdr'; expected one of: psychotherapy,",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {signposting: [gp]}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect\.signposting\[0\]: unknown signposting 'gp'; expected one of: cluster_services,",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {wave: 4}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect\.wave: wave 4 is outside 1-3 \(1 environment, 2 targeted, 3 direct clinical engagement\)$",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {stage: 0}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect\.stage: stage 0 is outside 1-4 \(1 safety and containment \.\.\. 4 a platform to achieve\)$",
        ),
        (
            "- {id: r.x, condition: self_harm, effect: {wave: 3}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition: malformed: expected a mapping of keys, got 'self_harm'$",
        ),
        (
            "- {id: r.x, condition: {behaviour: self_harm}, effect: {wave: 3}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition: malformed condition: no kind; write e\.g\. \{kind: behaviour, behaviour: self_harm\}$",
        ),
        (
            "- {id: r.x, condition: {kind: all, of: [{kind: age}]}, effect: {wave: 2}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.of\[0\]: an age condition needs at_least or under \(or both\)$",
        ),
        (
            "- {id: r.x, condition: {kind: not, condition: {kind: life_story, in: [done]}}, effect: {wave: 2}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.condition\.in\[0\]: unknown life story work status 'done'; expected one of: not_started,",
        ),
        (
            "- {id: r.x, condition: {kind: placement_moves, at_least: 3, within: 12}, effect: {stage: 1}, reason: x, readiness: y, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.within: unknown key; check the spelling against docs/rules\.md$",
        ),
        (
            "- {id: r.x, condition: {kind: placement_moves}, effect: {stage: 1}, reason: x, readiness: y, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.at_least: missing: this key is required$",
        ),
        (
            "- {id: r.x, condition: {kind: placement_moves, at_least: '3'}, effect: {stage: 1}, reason: x, readiness: y, rationale: y}",
            r"rules\[1\] \(r\.x\) condition\.at_least: Input should be a valid integer \(got '3'\)$",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {wave: 2}, reason: 'Wave 2: {behavior}', rationale: y}",
            r"rules\[1\] \(r\.x\) reason: unknown placeholder \{behavior\}; expected one of: behaviour, behaviour_names,",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {stage: 2}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) readiness: missing: a rule that holds a child at stage 2 says what would show readiness to move on$",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect: empty: give at least one of wave, stage, services",
        ),
        (
            "- {id: r.x, condition: {kind: history, factor: neglect}, effect: {risk: true}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect\.risk: flags a risk but the condition names no behaviour or recorded risk; add a behaviour or risk condition$",
        ),
        (
            "- {id: r.x, applies: ineligible, condition: {kind: always}, effect: {wave: 1}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) effect: a rule that applies to ineligible children can only add signposting, preconditions or risk;",
        ),
        (
            "- {id: r.x, applies: sometimes, condition: {kind: always}, effect: {wave: 1}, reason: x, rationale: y}",
            r"rules\[1\] \(r\.x\) applies: Input should be 'eligible', 'ineligible' or 'always' \(got 'sometimes'\)$",
        ),
        (
            "- {id: Risk One, condition: {kind: always}, effect: {wave: 1}, reason: x, rationale: y}",
            r"rules\[1\] \(Risk One\) id: 'Risk One' is not a valid id \(lower-case letters, digits, _ and dots\)$",
        ),
        (
            "- {id: r.x, condition: {kind: always}, effect: {wave: 1}, reason: x}",
            r"rules\[1\] \(r\.x\) rationale: missing: this key is required$",
        ),
        (
            "- {id: default.wave1, condition: {kind: always}, effect: {wave: 1}, reason: x, rationale: y}",
            r"rules\[1\] \(default\.wave1\) id: duplicate rule id; first used by rules\[0\]$",
        ),
    ],
    ids=lambda v: v[:60] if isinstance(v, str) else v,
)
def test_one_clear_problem_per_issue(tmp_path: Path, rule: str, message: str) -> None:
    path = rule_file(tmp_path, rule)
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    problems = info.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert problems[0].where == str(path)
    assert re.match(re.escape(str(path)) + ": " + message, str(problems[0])), str(problems[0])
    assert "Traceback" not in str(info.value)


def test_several_issues_are_reported_together(tmp_path: Path) -> None:
    path = rule_file(
        tmp_path,
        """\
        - {id: r.a, condition: {kind: behaviour, behaviour: self_harm, min_severity: huge}, effect: {wave: 5}, reason: x, rationale: y}
        - {id: r.b, condition: {kind: all, of: [{kind: history, factor: neglectt}, {kind: nope}]}, effect: {wave: 2}, reason: x, rationale: y}
        """,
    )
    fields = [p.field for p in check_rules_file(path)]
    assert fields == [
        "rules[1] (r.a) condition.min_severity",
        "rules[1] (r.a) effect.wave",
        "rules[2] (r.b) condition.of[0].factor[0]",
        "rules[2] (r.b) condition.of[1]",
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'version: "t1"\nrules:\n  - id: a\n    condition: {kind: always\n')
    with pytest.raises(
        RuleFileError,
        match=r"^.*team\.yaml: line 5, column 1: not valid YAML: expected ',' or '}', but got '<stream end>'$",
    ):
        load_rules(path)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "version: 2026.1\nrules:\n" + GOOD_DEFAULTS,
            [("version", '2026.1 must be a quoted string, e.g. version: "2026.1"')],
        ),
        (
            "rules:\n" + GOOD_DEFAULTS,
            [("version", 'missing: give the rules version, e.g. version: "2026.1"')],
        ),
        ('version: "1"\nrules: []\n', [("rules", "missing: expected a non-empty list of rules")]),
        (
            'version: "1"\nrule:\n' + GOOD_DEFAULTS,
            [
                ("rule", "unknown top-level key; expected: version, description, rules"),
                ("rules", "missing: expected a non-empty list of rules"),
            ],
        ),
        ("- a\n- b\n", [("", "a rules file is a mapping with version and rules")]),
        (
            'version: "1"\nrules:\n  - {id: w, condition: {kind: always}, effect: {wave: 1}, reason: x, rationale: y}\n',
            [
                (
                    "rules",
                    "no default stage: add a rule with condition {kind: always} that sets stage, so every eligible child gets one",
                )
            ],
        ),
        (
            'version: "1"\nrules:\n  - just text\n',
            [
                (
                    "rules[0]",
                    "a rule is a mapping of id, condition, effect, reason, rationale; got 'just text'",
                )
            ],
        ),
    ],
)
def test_file_level_problems(tmp_path: Path, body: str, expected: list[tuple[str, str]]) -> None:
    path = write(tmp_path, body)
    assert [(p.field, p.message) for p in check_rules_file(path)] == expected


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    assert check_rules_file(tmp_path / "nope.yaml") == [
        Problem(str(tmp_path / "nope.yaml"), "", "no such rules file")
    ]
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes('version: "caf\xe9"\n'.encode("latin-1"))
    assert [p.message for p in check_rules_file(bad)] == ["not UTF-8 text; save it as UTF-8 YAML"]


def test_parse_rules_text_has_a_source_name() -> None:
    with pytest.raises(RuleFileError, match=r"^<rules>: version: missing"):
        parse_rules_text("rules:\n" + GOOD_DEFAULTS)


def test_worked_example_in_the_docs(tmp_path: Path) -> None:
    """The docs' worked example: insert the team rule, get exactly the text shown."""
    from importlib.resources import files

    from tswt_formulation.rules.recommend import recommend

    from . import build_case

    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("### Worked example") :]
    blocks = re.findall(r"```(?:yaml|text)\n(.*?)```", section, flags=re.DOTALL)
    rule_yaml, shown = blocks[0], blocks[1]
    rule = rule_yaml[rule_yaml.index("  - id: team.") :]
    text = (
        files("tswt_formulation.rules")
        .joinpath("data", "recommendation_rules.yaml")
        .read_text(encoding="utf-8")
    )
    anchor = "  - id: measure.sdq_abnormal"
    text = re.sub(
        r'^version: "[^"]+"', 'version: "team-2026.3"', text, count=1, flags=re.MULTILINE
    ).replace(anchor, rule + "\n" + anchor)
    path = write(tmp_path, text, "team_rules.yaml")
    assert check_rules_file(path) == []
    case = build_case(
        {
            "child": {
                "status": "kinship_care",
                "age": 9,
                "placement": "kinship_placement",
                "caregiver": "kinship_carer",
            },
            "screening": {
                "history": ["domestic_abuse"],
                "behaviours": ["regulatory_sleep mild weekly carer"],
            },
        }
    )
    assert recommend(case).wave == 1
    got = recommend(case, rules=load_rules(path)).to_text()
    assert got.rstrip().endswith(shown.rstrip())
    assert "(rules team-2026.3)" in got


def test_every_rules_file_is_catalogued_and_valid() -> None:
    """CONVENTIONS: each data folder has a catalogue; every file in it is listed and valid."""
    import csv
    from importlib.resources import files

    from tswt_formulation.rules import default_rules

    folder = files("tswt_formulation.rules").joinpath("data")
    with folder.joinpath("catalogue.csv").open(encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    yaml_files = {p.name for p in folder.iterdir() if p.name.endswith(".yaml")}
    assert set(rows) == yaml_files
    assert rows["recommendation_rules.yaml"]["version"] == default_rules().version
