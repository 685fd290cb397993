"""`tswt import` without the heavy libraries it does not need (issue 11): the plain-Python
check of recorded measures clears only what the vectorised scoring accepts, and a clean
import loads neither pandas nor SQLAlchemy on a SQLite store."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import subprocess
import sys
from datetime import date

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.demo import generate_caseload
from tswt_formulation.errors import ValidationFailed
from tswt_formulation.measures.checks import _Clearance, measure_problems
from tswt_formulation.measures.definition import load_measure
from tswt_formulation.measures.scoring import score_administrations
from tswt_formulation.model import case_to_data
from tswt_formulation.store.importing import open_sqlite_import

AS_OF = date(2026, 11, 20)


def test_the_plain_check_clears_only_what_scoring_accepts():
    cases = generate_caseload(12, seed=5, as_of=AS_OF)
    admins = [(a, c.child.age_on(a.date)) for c in cases for a in c.measures]
    assert admins
    variants = []
    for (admin, age), k in zip(admins, itertools.count()):
        defn = load_measure(admin.measure)
        item_ids = [i.id for i in defn.items]
        for informant in (*defn.informants, "nobody"):
            variants.append((admin.model_copy(update={"informant": informant}), age))
        for version in (*(v.id for v in defn.versions), "X9"):
            variants.append((admin.model_copy(update={"version": version}), age))
        for shift in (-30, -age - 1, 3, 15):
            variants.append((admin, age + shift))
        item = item_ids[k % len(item_ids)]
        for value in (-1, 0, 1, 2, 3, 4, 7, 100, None):
            variants.append(
                (admin.model_copy(update={"responses": {**admin.responses, item: value}}), age)
            )
    by_measure: dict[str, list] = {}
    for admin, age in variants:
        by_measure.setdefault(admin.measure, []).append((admin, age))
    cleared = refused = 0
    for measure, group in by_measure.items():
        clear = _Clearance(load_measure(measure))
        scored = score_administrations(
            [a for a, _g in group], age_by_admin=[g for _a, g in group], on_error="set_aside"
        )
        aside = set(scored.attrs["set_aside"]["row"])
        for pos, (admin, age) in enumerate(group):
            if clear.fits(admin, age):
                cleared += 1
                assert pos not in aside, (admin, age)
            refused += pos in aside
    assert cleared > len(admins) and refused > len(admins)  # both kinds were tried
    # every administration the demo records is cleared without scoring
    assert all(_Clearance(load_measure(a.measure)).fits(a, g) for a, g in admins)


def test_a_problem_the_plain_check_finds_is_worded_by_scoring():
    case = next(c for c in generate_caseload(6, seed=5, as_of=AS_OF) if c.measures)
    i, admin = next((i, a) for i, a in enumerate(case.measures) if a.measure == "sdq")
    admin.responses["5"] = 7
    problems = measure_problems([case])
    assert [(p.where, p.field) for p in problems] == [(case.case_id, f"measures[{i}].responses.5")]
    assert "outside the response coding 0-2" in problems[0].message


# --- the standard-library write path ------------------------------------------------------

TIMES = {
    "cases": ("created_at", "updated_at"),
    "audit": ("at",),
    "scores": (),
}  # scores: migration 7, no times


def _raw(path) -> dict[str, list[tuple]]:
    """Every stored row of cases and audit; the times of writing as their type and shape."""
    con = sqlite3.connect(path)
    try:
        out = {}
        for table, times in TIMES.items():
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            picks = ", ".join(
                f"typeof({c}), length({c})" if c in times else f"typeof({c}), {c}" for c in cols
            )
            out[table] = con.execute(
                f"SELECT {picks} FROM {table} WHERE case_id IS NOT NULL ORDER BY rowid"
            ).fetchall()
            assert out[table], f"no rows in {table}"
            if not times:
                continue
            stamps = [
                r[0]
                for r in con.execute(
                    f"SELECT {', '.join(times)} FROM {table} WHERE case_id IS NOT NULL"
                )
            ]
            assert stamps and all(
                re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", s) for s in stamps
            ), stamps[:3]
        return out
    finally:
        con.close()


def _lite_import(path, cases, **options):
    with open_sqlite_import(str(path)) as lite:
        # who and how the person was identified, as the CLI resolves them for this path
        return lite.import_cases(
            cases,
            who="test.worker",
            how="named with --user (the store has no staff directory yet)",
            progress=None,
            **options,
        )


def test_both_write_paths_store_the_same_rows_and_audit(tmp_path):
    cases = generate_caseload(12, seed=5, as_of=AS_OF)
    paths = [tmp_path / "full.sqlite", tmp_path / "lite.sqlite"]
    for p in paths:
        open_store(str(p), create=True).close()
    options = dict(note="restore: test", workflow_state=True, sources=None, action="restore")
    with open_store(str(paths[0]), user="test.worker") as s:
        s.import_cases([c.model_copy(deep=True) for c in cases], **options)
    assert _lite_import(paths[1], cases, **options) == len(cases)
    assert all(c._version == 1 for c in cases)
    assert _raw(paths[0]) == _raw(paths[1])
    with open_store(str(paths[1])) as s:
        assert (
            s.integrity_check() == []
        )  # indexed columns agree with the records; the audit log rebuilds them
        assert [(e.case_id, e.action, e.version, e.user, e.note) for e in s.audit_log()][-2:] == [
            (c.case_id, "restore", 1, "test.worker", "restore: test") for c in cases[-2:]
        ]


def test_a_refused_write_on_the_standard_library_path_changes_nothing(tmp_path, make_case_data):
    path = tmp_path / "s.sqlite"
    open_store(str(path), create=True).close()
    cases = generate_caseload(12, seed=5, as_of=AS_OF)
    before = _counts(path)
    # the database refuses the 7th case's audit entry, half way through the write
    con = sqlite3.connect(path)
    con.execute(
        f"CREATE TRIGGER refuse BEFORE INSERT ON audit WHEN NEW.case_id = '{cases[6].case_id}' "
        "BEGIN SELECT RAISE(ABORT, 'refused by a test'); END"
    )
    con.commit()
    con.close()
    assert (
        _lite_import(path, cases, note="t", workflow_state=True, sources=None, action="restore")
        is None
    )
    assert _counts(path) == before
    # the command then asks the full store, which gives its own answer (here the same refusal)
    src = tmp_path / "cases.json"
    src.write_text(json.dumps([case_to_data(c) for c in cases]))
    r = CliRunner().invoke(cli, ["import", str(src), "--store", str(path), "--restore", "test"])
    assert r.exit_code == 2 and "refused by a test (nothing more was written" in r.output, r.output
    assert _counts(path) == before
    # an id already stored: the same error as the full store's, nothing written
    with open_store(str(path), user="test.worker") as s:
        s.import_cases([cases[0]])
    before = _counts(path)
    with pytest.raises(
        ValidationFailed,
        match=f"{cases[0].case_id}: case_id: already in the store; nothing was imported",
    ):
        _lite_import(path, cases[:3], note="t", workflow_state=True, sources=None, action="restore")
    assert _counts(path) == before


def _counts(path) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM audit)"
        ).fetchone()
    finally:
        con.close()


def test_what_the_standard_library_path_leaves_to_the_full_store(tmp_path):
    from tswt_formulation.store import read_only, schema

    assert read_only.SCHEMA_VERSION == schema.SCHEMA_VERSION
    assert open_sqlite_import("postgresql://localhost/tswt") is None
    assert open_sqlite_import(str(tmp_path / "missing.sqlite")) is None
    (tmp_path / "junk.sqlite").write_bytes(b"not a database")
    assert open_sqlite_import(str(tmp_path / "junk.sqlite")) is None
    older = tmp_path / "older.sqlite"
    open_store(str(older), create=True).close()
    con = sqlite3.connect(older)
    con.execute("UPDATE tswt_meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    assert open_sqlite_import(str(older)) is None


def test_tswt_import_on_a_sqlite_store_loads_neither_sqlalchemy_nor_pandas(tmp_path):
    store = tmp_path / "s.sqlite"
    open_store(str(store), create=True).close()
    src = tmp_path / "cases.json"
    src.write_text(json.dumps([case_to_data(c) for c in generate_caseload(5, seed=5, as_of=AS_OF)]))
    code = (
        "import sys\nfrom tswt_formulation.cli import main\nsys.argv[0] = 'tswt'\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "import",
            str(src),
            "--store",
            str(store),
            "--restore",
            "test",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Restored 5 case(s) into {store}." in out
    loaded = set(out.rsplit("MODULES ", 1)[1].split())
    assert "tswt_formulation" in loaded and not {"sqlalchemy", "pandas", "numpy"} & loaded
    with open_store(str(store)) as s:
        assert len(s) == 5 and s.integrity_check() == []


def test_a_nul_in_a_case_built_in_python_is_refused_by_both_write_paths(tmp_path):
    path = tmp_path / "s.sqlite"
    open_store(str(path), create=True).close()
    case = next(c for c in generate_caseload(6, seed=5, as_of=AS_OF) if c.referral.reasons)
    case.referral.reasons = "before\x00after"
    for write in (
        lambda: _lite_import(
            path, [case], note="t", workflow_state=True, sources=None, action="restore"
        ),
        lambda: open_store(str(path), user="test.worker").import_cases([case]),
    ):
        with pytest.raises(
            ValidationFailed, match=rf"{case.case_id}: referral\.reasons: contains a NUL character"
        ):
            write()
    # the text \u0000 written out (a backslash, not a NUL) is kept as it is
    case.referral.reasons = "a literal \\u0000"
    assert (
        _lite_import(path, [case], note="t", workflow_state=True, sources=None, action="restore")
        == 1
    )
    with open_store(str(path)) as s:
        assert (
            s.get(case.case_id).referral.reasons == "a literal \\u0000"
            and s.integrity_check() == []
        )
