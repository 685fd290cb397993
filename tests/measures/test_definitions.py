"""Measure definitions: catalogue, validity, bands against the published table, team
folders, broken files (one clear problem each), reliability and cut-offs."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from tswt_formulation import measures
from tswt_formulation.errors import MeasureDefinitionError, ScoringError
from tswt_formulation.measures import Band, list_measures, load_definition_file, load_measure
from tswt_formulation.measures.definition import catalogue_rows

from ..conftest import REFERENCE, reference_file

DEFINITIONS = Path(str(files("tswt_formulation.measures") / "definitions"))
EXAMPLE = Path(str(files("tswt_formulation.measures") / "examples" / "example_wellbeing.yaml"))
BANDS_CSV = REFERENCE / "sdq" / "sdq_bands_4to17_youthinmind_2016.csv"


def test_public_names() -> None:
    assert measures.__all__ == sorted(measures.__all__)
    assert {
        "Band",
        "ClinicalCutoff",
        "MeasureDefinition",
        "Reliability",
        "list_measures",
        "load_definition_file",
        "load_measure",
        "score",
        "score_administrations",
        "change",
        "service_summary",
        "not_on_track",
        "trajectory",
        "ssda903_sdq",
        "validate_oc2_sdq",
    } <= set(measures.__all__)
    for name in measures.__all__:
        assert getattr(measures, name) is not None


def test_import_reads_no_file() -> None:
    code = (
        "import tswt_formulation.measures, tswt_formulation.measures.definition as d\n"
        "assert d._builtin.cache_info().currsize == 0, 'definitions were read on import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- catalogue ------------------------------------------------------------------------------


def test_every_definition_file_is_catalogued_and_valid() -> None:
    rows = {r["file"]: r for r in catalogue_rows()}
    files_on_disk = sorted(p.name for p in DEFINITIONS.iterdir() if p.suffix in (".yaml", ".yml"))
    assert files_on_disk == sorted(rows), "catalogue.csv and the definition files differ"
    for name in files_on_disk:
        defn = load_definition_file(DEFINITIONS / name)
        assert (defn.id, defn.version) == (rows[name]["id"], rows[name]["version"]), name
        assert rows[name]["source"].strip(), f"{name}: catalogue row has no source"


def test_every_catalogue_row_has_its_file() -> None:
    for row in catalogue_rows():
        assert (DEFINITIONS / row["file"]).is_file(), row["file"]


def test_list_measures() -> None:
    assert [d.id for d in list_measures()] == ["gbo", "sdq"]


def test_no_item_wording_is_stored() -> None:
    """Items carry ids, codings and short variable names only: no free text per item beyond a note."""
    for defn in list_measures():
        for item in defn.items:
            assert all(len(a) <= 12 and " " not in a for a in item.aliases.values()), item.id


# --- SDQ facts --------------------------------------------------------------------------------


def test_sdq_shape() -> None:
    sdq = load_measure("sdq")
    assert sdq.scores == [
        "emotional",
        "conduct",
        "hyperactivity",
        "peer",
        "prosocial",
        "total",
        "externalising",
        "internalising",
        "impact",
    ]
    assert [v.id for v in sdq.versions] == [
        "P4-17",
        "T4-17",
        "S11-17",
        "P2-4",
        "T2-4",
        "P18+",
        "S18+",
    ]
    assert [i.id for i in sdq.items if i.reverse] == ["7", "11", "14", "21", "25"]
    assert sdq.item_by_id["1"].aliases == {
        "syntax": "consid",
        "parent": "pconsid",
        "teacher": "tconsid",
        "self": "sconsid",
    }
    assert sdq.better("prosocial") == "higher" and sdq.better("total") == "lower"
    ranges = {s: sdq.score_range(s) for s in sdq.scores}
    assert ranges == {
        "emotional": (0, 10),
        "conduct": (0, 10),
        "hyperactivity": (0, 10),
        "peer": (0, 10),
        "prosocial": (0, 10),
        "total": (0, 40),
        "externalising": (0, 20),
        "internalising": (0, 20),
        "impact": (0, 10),
    }
    assert sdq.score_range("impact", "teacher") == (0, 6)


def test_sdq_bands_equal_the_youthinmind_table() -> None:
    if not BANDS_CSV.exists():
        reference_file(BANDS_CSV)
    sdq = load_measure("sdq")
    with BANDS_CSV.open(encoding="utf-8") as fh:
        expected = [
            (
                r["informant"],
                r["scale"],
                r["system"],
                r["category"],
                int(r["min_score"]),
                int(r["max_score"]),
            )
            for r in csv.DictReader(fh)
        ]
    got = []
    for informant in ("parent", "teacher", "self"):
        for scale in (
            "total",
            "emotional",
            "conduct",
            "hyperactivity",
            "peer",
            "prosocial",
            "impact",
        ):
            for system in ("three_band", "four_band"):
                got += [
                    (informant, scale, system, b.category, b.min, b.max)
                    for b in sdq.bands(
                        scale, informant, age=10 if informant != "self" else 12, system=system
                    )
                ]
    assert sorted(got) == sorted(expected)


def test_sdq_bands_by_age() -> None:
    sdq = load_measure("sdq")
    assert sdq.bands("total", "parent", age=3) == [
        Band("normal", 0, 12),
        Band("borderline", 13, 15),
        Band("abnormal", 16, 40),
    ]
    assert sdq.version_for("parent", age=3).bands_provisional
    assert sdq.bands("total", "parent", age=3, system="four_band") == []
    assert sdq.bands("total", "teacher", age=3) == []
    assert sdq.bands("total", "parent", age=18) == [] and sdq.bands("total", "self", age=30) == []
    assert sdq.version_for("parent", age=4).id == "P4-17"  # both forms cover 4: the first listed
    with pytest.raises(
        ScoringError,
        match=r"^sdq: age: 9 is outside the ages of every self version of sdq \(11-17, 18\+\)$",
    ):
        sdq.bands("total", "self", age=9)


def test_sdq_clinical_cutoffs() -> None:
    sdq = load_measure("sdq")
    total = sdq.clinical_cutoff("total", "parent")
    assert total is not None
    assert (total.value, total.better, total.category) == (
        16.5,
        "lower",
        "abnormal",
    )  # abnormal 17-40
    assert getattr(sdq.clinical_cutoff("total", "teacher"), "value", None) == 15.5  # abnormal 16-40
    assert (
        getattr(sdq.clinical_cutoff("prosocial", "self"), "value", None) == 4.5
    )  # abnormal 0-4, higher is better
    assert (
        getattr(sdq.clinical_cutoff("total", "parent", category="borderline"), "value", None)
        == 13.5
    )
    assert sdq.clinical_cutoff("total", "parent", age=19) is None
    assert sdq.clinical_cutoff("externalising", "parent") is None


def test_sdq_reliability_is_not_confirmed_and_says_so() -> None:
    sdq = load_measure("sdq")
    with pytest.raises(
        ScoringError,
        match=r"^sdq: score total: informant parent: reliability constants are not confirmed in a primary source \(see the note in the sdq definition\); pass r= and sd= \(or points=\), or allow_unconfirmed=True$",
    ):
        sdq.reliability("total", "parent")
    with pytest.raises(
        ScoringError,
        match=r"^sdq: score total: informant parent: the definition gives no reliability values",
    ):
        sdq.reliability("total", "parent", allow_unconfirmed=True)
    supplied = sdq.reliability("total", "parent", r=0.8, sd=5.0)
    assert (
        supplied.supplied and round(supplied.threshold(), 2) == 6.20
    )  # docs/change.md: SD 5, r .80 -> 6.20


def test_gbo_reliable_change_is_a_named_unconfirmed_constant() -> None:
    gbo = load_measure("gbo")
    entry = gbo.reliability_constants[0]
    assert (entry.name, entry.points, entry.confirmed) == (
        "gbo_reliable_change_points",
        2.45,
        False,
    )
    assert "Edbrooke-Childs" in entry.source and "NOT" in entry.note
    with pytest.raises(
        ScoringError,
        match=r"^gbo: score goal_1: informant self: reliability constants are not confirmed",
    ):
        gbo.reliability("goal_1", "self")
    assert gbo.reliability("goal_1", "self", allow_unconfirmed=True).threshold() == 2.45
    assert gbo.reliability("goal_1", points=3.0).threshold() == 3.0
    assert gbo.better("goal_2") == "higher" and gbo.score_range("goal_3") == (0, 10)


def test_unknown_score() -> None:
    with pytest.raises(
        ScoringError, match=r"^sdq: score anxiety: not a score of sdq; expected one of emotional, "
    ):
        load_measure("sdq").better("anxiety")


# --- team folders -------------------------------------------------------------------------------


def test_team_folder_argument(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "wellbeing.yaml")
    defn = load_measure("example_wellbeing", folder=tmp_path)
    assert defn.reliability("total", "self").r == 0.85
    assert [d.id for d in list_measures(tmp_path)] == ["example_wellbeing", "gbo", "sdq"]
    with pytest.raises(
        ScoringError,
        match=r"^example_wellbeing: score mood: any informant: reliability constants are not confirmed",
    ):
        defn.reliability("mood")


def test_team_folder_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        (DEFINITIONS / "gbo.yaml")
        .read_text(encoding="utf-8")
        .replace("points: 2.45", "points: 3.1")
    )
    (tmp_path / "gbo.yaml").write_text(
        text.replace('version: "2026.1"', 'version: "team-1"\nreplaces: gbo'), encoding="utf-8"
    )
    monkeypatch.setenv("TSWT_MEASURES_DIR", str(tmp_path))
    gbo = load_measure("gbo")
    assert gbo.version == "team-1"  # the team's copy replaces the built-in
    assert gbo.reliability("goal_1", allow_unconfirmed=True).points == 3.1


def test_team_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(
        MeasureDefinitionError, match=r"nowhere: folder=: is not a folder of measure definitions$"
    ):
        load_measure("sdq", folder=tmp_path / "nowhere")


# --- broken definitions: one clear problem each ------------------------------------------------

BROKEN = [
    (
        "unknown_key",
        lambda t: t.replace("min_answered: 2}", "min_answered: 2, minimum: 1}", 1),
        ["bad.yaml: scores[0].minimum: unknown key (check its spelling against docs/measures.md)"],
    ),
    (
        "bad_kind",
        lambda t: t.replace("kind: sum_of_subscales", "kind: total"),
        ["bad.yaml: scores[2]: kind must be one of mean_prorated, sum_of_subscales, impact, item"],
    ),
    (
        "missing_item",
        lambda t: t.replace('items: ["4", "5", "6"]', 'items: ["4", "5", "66"]'),
        ["bad.yaml: scores[1].items: '66' is not an item"],
    ),
    (
        "component_after",
        lambda t: t.replace("components: [mood, energy]", "components: [mood, vigour]"),
        ["bad.yaml: scores[2].components: 'vigour' is not a score defined above this one"],
    ),
    (
        "band_gap",
        lambda t: t.replace("borderline: [10, 13]", "borderline: [10, 12]"),
        [
            "bad.yaml: versions[0].bands.three_band.total: bands must meet without gap or overlap (12 then 14)"
        ],
    ),
    (
        "band_order",
        lambda t: t.replace(
            "{normal: [14, 24], borderline: [10, 13], abnormal: [0, 9]}",
            "{abnormal: [0, 9], borderline: [10, 13], normal: [14, 24]}",
        ),
        ["bad.yaml: versions[0].bands.three_band.total: list categories from best to worst"],
    ),
    (
        "unconfirmed_without_note",
        lambda t: t.replace(
            "    note: made-up measure; subscale reliability deliberately left unconfirmed to show the error\n",
            "",
        ),
        ["bad.yaml: reliability[1]: an unconfirmed entry needs a note saying why and what to do"],
    ),
    (
        "two_problems",
        lambda t: t.replace(
            "coding: agree_5, reverse: true", "coding: agree_6, reverse: true"
        ).replace('direction: higher_is_better, items: ["1"', 'direction: better, items: ["1"'),
        ["bad.yaml: scores[0].direction: Input should be 'lower_is_better' or 'higher_is_better'"],
    ),
    ("bad_yaml", lambda t: t.replace("format: 1", "format: [1"), None),
]


@pytest.mark.parametrize(("name", "edit", "lines"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_definition(tmp_path: Path, name: str, edit, lines: list[str] | None) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(edit(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(MeasureDefinitionError) as info:
        load_definition_file(path)
    if lines is None:
        assert str(info.value).startswith("bad.yaml: line ") and "not valid YAML" in str(info.value)
    else:
        assert str(info.value).splitlines() == lines


def test_semantic_problems_are_all_reported(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "coding: agree_5, reverse: true", "coding: agree_6, reverse: true"
    )
    text = text.replace('items: ["4", "5", "6"]', 'items: ["4", "5", "66"]')
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MeasureDefinitionError) as info:
        load_definition_file(tmp_path / "bad.yaml")
    assert str(info.value).splitlines() == [
        "bad.yaml: items[2].coding: 'agree_6' is not one of response_codings (agree_5)",
        "bad.yaml: scores[1].items: '66' is not an item",
    ]


def test_broken_team_file_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\n", encoding="utf-8")
    with pytest.raises(MeasureDefinitionError) as info:
        load_measure("sdq", folder=tmp_path)
    assert (
        f"{tmp_path / 'broken.yaml'}: name: Field required" in str(info.value).splitlines()
    )  # the full path: which folder


def test_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(
        MeasureDefinitionError,
        match=r"^list.yaml: a measure definition must be a YAML mapping \(key: value\)$",
    ):
        load_definition_file(tmp_path / "list.yaml")


def test_measures_dir_env_is_read_when_called_not_on_import() -> None:
    env = {**os.environ, "TSWT_MEASURES_DIR": "/nonexistent/measures"}
    subprocess.run([sys.executable, "-c", "import tswt_formulation.measures"], check=True, env=env)
