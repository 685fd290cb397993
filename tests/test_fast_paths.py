"""The fast paths give the same answers as the ways they replaced (issue 11): light
commands load no heavy library, the C YAML loader reads our files exactly as the
pure-Python one does, one case's timeline follows the caseload's rules, and the
in-process notebook engine writes the same report as a Jupyter kernel."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from importlib.resources import files

import pytest
import yaml

from tswt_formulation import open_store
from tswt_formulation._yaml import _StringDateLoader, pure_python_loader, safe_load
from tswt_formulation.demo import generate_caseload
from tswt_formulation.rules.timeline import (
    DATE_COLUMNS,
    ROW_COLUMNS,
    WORK_JUDGED,
    case_timeline,
    caseload_frame,
    caseload_row,
    caseload_timeline,
    timeline,
)

AS_OF = date(2026, 11, 20)
HEAVY = ("pandas", "numpy", "matplotlib", "papermill", "nbconvert", "nbformat", "jinja2")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("fast") / "demo.sqlite")
    with open_store(path, create=True, user="demo") as s:
        s.import_cases(generate_caseload(12, seed=5, as_of=AS_OF))
    return path


def _modules_after(args: list[str]) -> set[str]:
    """Run one tswt command in a fresh interpreter; the top-level modules it imported."""
    code = (
        "import sys\nfrom tswt_formulation.cli import cli\n"
        "try:\n    cli(sys.argv[1:], prog_name='tswt')\nexcept SystemExit as exc:\n    code = exc.code\n"
        "else:\n    code = 0\n"
        "print('\\nMODULES', code, ' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout
    exit_code, names = out.rsplit("\nMODULES ", 1)[1].split(" ", 1)
    assert exit_code in ("0", "None"), out
    return set(names.split())


@pytest.mark.parametrize(
    "command,allowed",
    [
        (["show", "TSW-900001"], ()),
        (["eligibility", "TSW-900001"], ()),
        (
            ["caseload"],
            (),
        ),  # the timeline row by row in plain Python (rules.timeline.caseload_timeline)
        (["caseload", "--json", "--overdue"], ()),
        (
            ["recommend", "TSW-900001"],
            (),
        ),  # one child's baseline scored in plain Python (measures.one_child)
    ],
)
def test_light_commands_import_no_heavy_library(small_store, command, allowed):
    loaded = _modules_after([*command, "--store", small_store, "--as-of", AS_OF.isoformat()])
    assert "tswt_formulation" in loaded
    assert sorted(m for m in HEAVY if m in loaded and m not in allowed) == []


def test_the_c_loader_is_used_where_libyaml_is_installed():
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml: the pure-Python loader is the only one")
    assert issubclass(_StringDateLoader, yaml.CSafeLoader)


def _package_yaml_files():
    root = files("tswt_formulation")
    stack, out = [root], []
    while stack:
        for entry in stack.pop().iterdir():
            if entry.is_dir():
                stack.append(entry)
            elif entry.name.endswith((".yaml", ".yml")):
                out.append(entry)
    return sorted(out, key=lambda e: e.name)


def test_c_and_pure_python_loaders_read_every_package_file_identically():
    pure = pure_python_loader()
    seen = _package_yaml_files()
    assert {"vocabulary.yaml", "recommendation_rules.yaml", "sdq.yaml"} <= {e.name for e in seen}
    for entry in seen:
        text = entry.read_text(encoding="utf-8")
        assert safe_load(text) == safe_load(text, loader=pure), entry.name


def test_both_loaders_keep_dates_and_yes_no_as_strings():
    text = "when: 2026-01-03\nstamp: 2026-01-03T09:00:00Z\nanswer: yes\noff: off\nflag: true\nn: 31\nx: 1000.5\ne: ~\n"
    expected = {
        "when": "2026-01-03",
        "stamp": "2026-01-03T09:00:00Z",
        "answer": "yes",
        "off": "off",
        "flag": True,
        "n": 31,
        "x": 1000.5,
        "e": None,
    }
    assert safe_load(text) == expected
    assert safe_load(text, loader=pure_python_loader()) == expected
    # YAML 1.1's other number forms (hex, 1_000) are refused on both (issue 19), not read as 31 and 1000.
    from tswt_formulation.errors import ValidationFailed

    for odd in ("n: 0x1F\n", "x: 1_000\n"):
        for loader in (None, pure_python_loader()):
            with pytest.raises(ValidationFailed, match=r"is a YAML 1\.1 number form"):
                safe_load(odd, loader=loader)


def test_one_case_timeline_follows_the_caseload_rules():
    """The plain-Python timeline of one case against the vectorised caseload timeline,
    for every case of a demo caseload on dates across the whole screening period."""
    cases = generate_caseload(80, seed=13, as_of=AS_OF)
    frame = caseload_frame([caseload_row(c) for c in cases])
    checked = 0
    for as_of in [AS_OF - timedelta(days=d) for d in range(0, 400, 23)]:
        rows = {r["case_id"]: r for r in timeline(frame, as_of).to_dict("records")}
        for case in cases:
            one = case_timeline(case, as_of)
            row = rows.get(case.case_id)
            if row is None:
                assert one.state == "not_yet_referred"
                continue
            days = None if not row["screening_open"] else int(row["days_to_due"])
            due = (
                None
                if row["screening_due"] != row["screening_due"]
                else row["screening_due"].date()
            )
            assert (
                one.state,
                one.state_label,
                one.screening_due,
                one.days_to_due,
                one.overdue,
            ) == (row["state"], row["state_label"], due, days, bool(row["overdue"])), (
                case.case_id,
                as_of,
            )
            checked += 1
    assert checked > 500
    assert {case_timeline(c, AS_OF).state for c in cases} >= {
        "in_screening",
        "work_begun",
        "closed",
    }


def _work_values(row: dict) -> tuple:
    """The vectorised timeline's work columns as the plain-Python path gives them."""
    due, gap = row["review_due"], row["session_gap_weeks"]
    return (
        None if due != due else due.date(),
        bool(row["review_overdue"]),
        int(row["steps_outstanding"]),
        bool(row["steps_overdue"]),
        None if gap is None or gap != gap else int(gap),
        bool(row["no_recent_session"]),
        bool(row["closing_measures_missing"]),
    )


def test_plain_python_caseload_follows_the_vectorised_timeline():
    """Every column the command line shows or prints as JSON, for every case of a demo
    caseload on dates across the whole screening period, from rows as SQLite gives them
    (ISO text, 0/1) and as PostgreSQL does (date objects, bools)."""
    cases = generate_caseload(80, seed=13, as_of=AS_OF)
    dicts = [caseload_row(c) for c in cases]
    native = [tuple(d[c] for c in ROW_COLUMNS) for d in dicts]
    as_text = [
        tuple(
            v.isoformat()
            if c in DATE_COLUMNS and v is not None
            else (int(v) if isinstance(v, bool) else v)
            for c, v in zip(ROW_COLUMNS, row)
        )
        for row in native
    ]
    frame = caseload_frame(dicts)
    judged = (
        "age",
        "state",
        "state_label",
        "screening_due",
        "days_to_due",
        "screening_open",
        "overdue",
        "due_within_14",
        *WORK_JUDGED,
    )
    seen_states, checked, flagged = set(), 0, set()
    for as_of in [AS_OF - timedelta(days=d) for d in range(0, 400, 17)]:
        expected = []
        for row in timeline(frame, as_of).to_dict("records"):
            due = row["screening_due"]
            expected.append(
                (
                    row["case_id"],
                    int(row["age"]),
                    row["state"],
                    row["state_label"],
                    None if due != due else due.date(),
                    None
                    if row["days_to_due"] is None or row["days_to_due"] != row["days_to_due"]
                    else int(row["days_to_due"]),
                    bool(row["screening_open"]),
                    bool(row["overdue"]),
                    bool(row["due_within_14"]),
                    *_work_values(row),
                )
            )
        for rows in (native, as_text):
            got = [(r["case_id"], *(r[k] for k in judged)) for r in caseload_timeline(rows, as_of)]
            assert got == expected, as_of
        seen_states |= {e[2] for e in expected}
        flagged |= {
            name
            for e in expected
            for name, value in zip(WORK_JUDGED, e[-len(WORK_JUDGED) :])
            if value not in (None, False, 0)
        }
        checked += len(expected)
    assert checked > 800 and seen_states == {
        "referred",
        "awaiting_decision",
        "awaiting_allocation",
        "in_screening",
        "work_begun",
        "closed",
    }
    # the demo's work exercises every flag of the caseload's work columns
    assert flagged == set(WORK_JUDGED)
    # the raw columns come back as dates and bools, whichever way they were read
    first = caseload_timeline(as_text, AS_OF)[0]
    assert first == {**caseload_row(cases[0]), **{k: first[k] for k in judged}}


@pytest.mark.slow
def test_inprocess_and_kernel_engines_write_the_same_report(small_store, tmp_path):
    """The batch through each engine (each in its own worker process), byte for byte."""
    from tswt_formulation.reports.batch import run_reports

    pages = {}
    for engine in ("kernel", "inprocess"):
        summary = run_reports(
            ["TSW-900002"],
            "formulation",
            small_store,
            tmp_path / engine,
            as_of=AS_OF,
            jobs=1,
            progress=False,
            engine=engine,
        )
        assert summary.all_ok, summary.text()
        page = (tmp_path / engine / "TSW-900002_formulation.html").read_text(encoding="utf-8")
        pages[engine] = re.sub(
            r"Made \d{4}-\d\d-\d\d \d\d:\d\d UTC", "Made (time) UTC", page
        )  # the minute it was made
    assert "TSW-900002" in pages["inprocess"] and "<section" in pages["inprocess"]
    assert pages["inprocess"] == pages["kernel"]


def test_papermill_finds_our_engine_by_its_entry_point():
    from importlib.metadata import entry_points

    names = {e.name: e.value for e in entry_points(group="papermill.engine")}
    assert names.get("tswt-inprocess") == "tswt_formulation.reports.inprocess:InProcessEngine"


@pytest.mark.parametrize("first", ["tswt_formulation.reports.inprocess", "papermill"])
def test_the_engine_imports_whichever_module_comes_first(first):
    """papermill loads its engine entry points when it is imported, ours among them: the
    engine must be one class, whether papermill or our module is imported first."""
    code = (
        f"import {first}\nfrom tswt_formulation.reports.inprocess import InProcessEngine\n"
        "from papermill.engines import papermill_engines\n"
        "print(papermill_engines.get_engine('tswt-inprocess') is InProcessEngine)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr[-600:]


def test_inprocess_engine_records_outputs_as_a_kernel_would():
    from tswt_formulation.reports.inprocess import run_cell

    namespace: dict = {}
    outputs = run_cell("print('hello')\nx = 2\nx * 21", namespace, 1)
    assert [
        (o["output_type"], o.get("text"), o.get("data", {}).get("text/plain")) for o in outputs
    ] == [("stream", "hello\n", None), ("execute_result", None, "42")]
    assert run_cell("x = 3", namespace, 2) == [] and namespace["x"] == 3
    error = run_cell("1 / 0", namespace, 3)
    assert [(o["output_type"], o["ename"], o["evalue"]) for o in error] == [
        ("error", "ZeroDivisionError", "division by zero")
    ]
    magic = run_cell("%matplotlib inline", namespace, 4)
    assert (
        magic[0]["ename"] == "SyntaxError"
        and "IPython magics need a Jupyter kernel" in magic[0]["evalue"]
    )
    shown = json.loads(
        json.dumps(
            run_cell(
                "from tswt_formulation.reports.html import Section\nSection('<p>hi</p>', 'hi')",
                {},
                5,
            )
        )
    )
    assert shown[0]["data"] == {"text/html": "<p>hi</p>", "text/plain": "hi"}


@pytest.mark.parametrize("command", [["show", "TSW-900001"], ["recommend", "TSW-900001"]])
def test_light_commands_import_no_sqlalchemy_on_a_sqlite_store(small_store, command):
    assert "sqlalchemy" not in _modules_after([*command, "--store", small_store])


def test_the_standard_library_reader_knows_the_schema_version():
    from tswt_formulation.store import read_only, schema

    assert read_only.SCHEMA_VERSION == schema.SCHEMA_VERSION


def test_the_caseload_is_read_from_its_covering_index(small_store):
    """Migration 4 indexes exactly what a caseload reads, so SQLite never reads a record
    page for it (the query plan says so). One worker's cases are found by the worker index."""
    import sqlite3

    from tswt_formulation.store import schema

    assert schema.CASELOAD_COLUMNS == ROW_COLUMNS
    con = sqlite3.connect(small_store)
    plan = con.execute(
        f"EXPLAIN QUERY PLAN SELECT {', '.join(ROW_COLUMNS)} FROM cases ORDER BY case_id"
    ).fetchall()
    assert [step[-1] for step in plan] == ["SCAN cases USING COVERING INDEX ix_cases_caseload"]
    con.close()


def test_the_standard_library_reader_answers_as_the_store_does(small_store, tmp_path):
    from tswt_formulation.store import read_only

    with open_store(small_store) as s:
        assert read_only.get_case(small_store, "TSW-900003") == s.get("TSW-900003")
        assert (
            read_only.get_case(small_store, "TSW-900003")._version == s.get("TSW-900003")._version
        )
        assert read_only.workers(small_store) == s.workers()
        assert read_only.caseload_tuples(small_store) == s.caseload_tuples()
        worker = s.workers()[0]
        assert read_only.caseload_tuples(small_store, worker) == s.caseload_tuples(worker)
    # Whatever it cannot answer goes to the full store, for its answer or its error.
    assert read_only.get_case(small_store, "TSW-999999") is None
    assert read_only.get_case(str(tmp_path / "missing.sqlite"), "TSW-900003") is None
    assert read_only.get_case("postgresql://localhost/tswt", "TSW-900003") is None
    (tmp_path / "not-a-store.sqlite").write_bytes(b"not a database")
    assert read_only.caseload_tuples(str(tmp_path / "not-a-store.sqlite")) is None
