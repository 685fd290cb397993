"""Inputs a hostile probe got past the checks (issue 19: data loss, silent mis-scoring,
misleading or leaking output, reads that wrote). Each is fed through the command line
and must give exit 2 (nothing written: the store's bytes unchanged) with one short line
naming the file, case and field, and no traceback; or the stated behaviour."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data
from tswt_formulation.store.schema import SCHEMA_VERSION

from ..conftest import DATA, file_digest
from .refusals import refused, run

CASE = "TSW-000100"


@pytest.fixture
def store(tmp_path: Path, make_case_data) -> Path:
    """A store with two cases (no workflow state), imported by c.mensah."""
    path = tmp_path / "s.sqlite"
    cases = []
    for case_id in (CASE, "TSW-000101"):
        data = make_case_data(case_id)
        data.pop("conclusion")
        cases.append(case_from_data(data))
    with open_store(str(path), user="c.mensah", create=True) as s:
        s.import_cases(cases)
    return path


# --- no output overwrites the store, a database or the command's input --------------------------


def test_export_onto_the_open_store_is_refused(store):
    refused(
        store,
        "export",
        CASE,
        "-o",
        str(store),
        "--store",
        str(store),
        lines=[
            (
                rf"error: {re.escape(str(store))}: --output: is a SQLite database \(a case store\?\); an output never replaces one, "
                r"write somewhere else \(nothing was written\)"
            )
        ],
    )
    with open_store(str(store)) as s:
        assert len(s) == 2


def test_no_output_replaces_any_sqlite_database(store, tmp_path):
    other = tmp_path / "other.db"
    other.write_bytes(store.read_bytes())
    before = file_digest(other)
    for args in (
        ("export", CASE),
        ("export", "ssda903", "--year", "2025"),
        ("recommend", "--all"),
        ("score", "sdq", "--input", str(tmp_path / "in.csv")),
    ):
        (tmp_path / "in.csv").write_text("a\n1\n")
        refused(
            store,
            *args,
            "-o",
            str(other),
            "--store",
            str(store),
            lines=[
                rf"error: {re.escape(str(other))}: --output: is a SQLite database .*\(nothing was written\)"
            ],
        )
    r = run("schema", "-o", str(other))
    assert r.exit_code == 2 and r.stderr.startswith(
        f"error: {other}: --output: is a SQLite database"
    )
    assert file_digest(other) == before


def test_an_output_onto_the_stores_wal_or_the_input_is_refused(store, tmp_path):
    refused(
        store,
        "recommend",
        "--all",
        "-o",
        f"{store}-wal",
        "--store",
        str(store),
        lines=[
            r"error: .*s\.sqlite-wal: --output: is the case store; an output never replaces it, write somewhere else \(nothing was written\)"
        ],
    )
    scores = tmp_path / "sdq.csv"
    scores.write_text("informant,age,1,2\nparent,8,0,1\n")
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(scores),
        "-o",
        str(scores),
        "--store",
        str(store),
        lines=[
            rf"error: {re.escape(str(scores))}: --output: is this command's input; write the output to another file \(nothing was written\)"
        ],
    )
    assert scores.read_text() == "informant,age,1,2\nparent,8,0,1\n"
    out = tmp_path / "x.csv"
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(scores),
        "-o",
        str(out),
        "--set-aside",
        str(out),
        "--store",
        str(store),
        lines=[
            rf"error: {re.escape(str(out))}: --set-aside: is also given to --output; give each its own file \(nothing was written\)"
        ],
    )
    assert not out.exists()


def test_schema_does_not_follow_a_planted_symlink(store, tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("keep me")
    link = tmp_path / "schema.json"
    link.symlink_to(victim)
    r = run("schema", "-o", str(link))
    assert r.exit_code == 2 and r.stderr == (
        f"error: {link}: --output: is a symbolic link; give the real path of a new or ordinary file (nothing was written)\n"
    )
    assert victim.read_text() == "keep me" and link.is_symlink()
    r = run("schema", "-o", str(tmp_path / "real.json"))
    assert r.exit_code == 0 and json.loads((tmp_path / "real.json").read_text())["title"]


def test_the_write_itself_refuses_a_database_or_a_link(tmp_path):
    from tswt_formulation.errors import OutputRefused
    from tswt_formulation.reports.atomic import atomic_write_text

    db = tmp_path / "x.html"
    sqlite3.connect(db).execute("CREATE TABLE t (a)").connection.commit()
    with pytest.raises(OutputRefused, match=r"is a SQLite database"):
        atomic_write_text(db, "<p>report</p>")
    (tmp_path / "l.html").symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(OutputRefused, match=r"is a symbolic link"):
        atomic_write_text(tmp_path / "l.html", "<p>report</p>")
    assert not (tmp_path / "elsewhere.html").exists()


# --- tswt score: no silent shift, no blank scores, every row accounted for -------------------------

SDQ_HEADER = "case_id,informant,age," + ",".join(str(i) for i in range(1, 26))
# Hand-worked: items 3, 8, 13, 16, 24 (emotional) at 2 each = 10; the other difficulty
# items at 1 each (reversed 7, 11, 14, 21, 25 at 1 count 1) give 15 more: total 25.
EMOTIONAL = {3, 8, 13, 16, 24}
ANSWERS = ",".join("2" if i in EMOTIONAL else "1" for i in range(1, 26))


def test_a_row_with_a_trailing_comma_is_refused_naming_the_row(store, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(f"{SDQ_HEADER}\nTSW-000100,parent,9,{ANSWERS}\n")
    r = run("score", "sdq", "--input", str(good), "--store", str(store))
    assert r.exit_code == 0, r.stderr
    row = dict(zip(r.stdout.splitlines()[0].split(","), r.stdout.splitlines()[1].split(",")))
    assert (row["case_id"], row["emotional"], row["total"]) == ("TSW-000100", "10", "25")
    shifted = tmp_path / "shifted.csv"
    shifted.write_text(
        f"{SDQ_HEADER}\nTSW-000100,parent,9,{ANSWERS}\n\nTSW-000101,parent,9,{ANSWERS},\nTSW-000102,parent,9,1\n"
    )
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(shifted),
        "--store",
        str(store),
        lines=[
            r"error: 2 row\(s\) do not match the header; nothing was scored:",
            rf"error: {re.escape(str(shifted))}: row 4: has 29 cells; the header has 28 \(a trailing comma, or a cell missing or extra\?\); correct the row",
            rf"error: {re.escape(str(shifted))}: row 5: has 4 cells; the header has 28 .*",
        ],
    )


def test_a_csv_with_no_item_columns_is_refused(store, tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("case_id,informant\nTSW-000100,parent\n")
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(path),
        "--store",
        str(store),
        lines=[
            (
                rf"error: {re.escape(str(path))}: columns: no item column of sdq \(item ids such as 1 or aliases such as \w+\); the columns are case_id, "
                r"informant; nothing was scored"
            )
        ],
    )


def test_a_twenty_digit_answer_is_one_line(store, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("informant,age,1\nparent,8,12345678901234567890\n")
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(path),
        "--store",
        str(store),
        lines=[
            r"error: row 2: column 1: value '12345678901234567890' is not a number in the response coding 0-2"
        ],
    )


def test_set_aside_accounts_for_every_row(store, tmp_path, monkeypatch):
    monkeypatch.setattr(
        "tswt_formulation.measures.scoring._ROW_PROBLEMS_MAX", 10
    )  # the cap on messages, not on rows
    path = tmp_path / "many.csv"
    rows = ["parent,8,7,1" if i % 3 == 0 else "parent,8,0,1" for i in range(60)]  # 20 bad
    path.write_text("informant,age,1,2\n" + "\n".join(rows) + "\n")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    r = run(
        "score",
        "sdq",
        "--input",
        str(path),
        "-o",
        str(good),
        "--set-aside",
        str(bad),
        "--store",
        str(store),
    )
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == f"Set aside 20 row(s) with the reason in {bad}."
    assert (
        len(good.read_text().splitlines()) == 1 + 40 and len(bad.read_text().splitlines()) == 1 + 20
    )
    lines = sorted(int(line.split(",")[0]) for line in bad.read_text().splitlines()[1:])
    assert lines == list(range(2, 62, 3))  # "row N" is line N of the file
    r = run("score", "sdq", "--input", str(path), "--store", str(store))
    assert (
        r.exit_code == 2 and r.stderr.splitlines()[-1] == "error: ... and 10 more"
    )  # 10 listed, 10 counted


def test_a_long_problem_list_is_capped(store, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("informant,age,1\n" + "parent,8,9\n" * 3_091)
    r = run("score", "sdq", "--input", str(path), "--store", str(store))
    lines = r.stderr.splitlines()
    assert r.exit_code == 2 and len(lines) == 101 and lines[-1] == "error: ... and 2,991 more"


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_score_refuses_what_is_not_a_file(store, tmp_path, make):
    path = tmp_path / "in.csv"
    if make == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(path),
        "--store",
        str(store),
        lines=[
            rf"error: {re.escape(str(path))}: is not an ordinary file \(a device, pipe or socket\); give the path of a file"
        ],
    )


def test_a_csv_with_too_many_columns_is_refused_at_once(store, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("informant,1" + ",x" * 100_000 + "\nparent,1" + ",1" * 100_000 + "\n")
    refused(
        store,
        "score",
        "sdq",
        "--input",
        str(path),
        "--store",
        str(store),
        lines=[
            rf"error: {re.escape(str(path))}: header: has 100,002 columns; the limit is 1,000 \(item columns and id columns of one measure\)"
        ],
    )


# --- numbers only as JSON writes them ---------------------------------------------------------------

CASE_YAML = DATA / "cases" / "full_case.yaml"


@pytest.mark.parametrize("form", ["010", "0x0A", "1:20", "1_0", "+1", ".5"])
def test_yaml_11_number_forms_are_refused(store, tmp_path, form):
    text = (
        CASE_YAML.read_text()
        .replace("case_id: TSW-000123", "case_id: TSW-000500")
        .replace('{"1": 1,', f'{{"1": {form},')
    )
    text = (
        "\n".join(line for line in text.splitlines() if not line.startswith("conclusion:")) + "\n"
    )
    assert f'"1": {form},' in text
    path = tmp_path / "case.yaml"
    path.write_text(text)
    for args in (("import", "--store", str(store)), ("validate",)):
        refused(
            store,
            *args,
            str(path),
            lines=[
                r"error: 1 problem\(s\); nothing was written:",
                (
                    rf"error: {re.escape(str(path))}: line 45, column \d+: not valid YAML: '{re.escape(form)}' is a YAML 1\.1 number form "
                    r"\(octal, hexadecimal, base 60, with _ or \+, \.inf, \.nan\); write the number as JSON does \(e\.g\. 10, 8\.5\), or quote it if it is text"
                ),
            ],
        )
    path.write_text(text.replace(f'"1": {form},', '"1": 1,'))
    assert run("validate", str(path)).exit_code == 0


def test_yaml_written_by_export_reads_back_as_text():
    from tswt_formulation._yaml import dump, safe_load

    doc = {
        "ref": "123E4567",
        "octal": "010",
        "sexagesimal": "1:20",
        "small": 1e-05,
        "answer": 2,
        "word": "yes",
        "day": "2026-01-03",
    }
    text = dump(doc)
    assert "ref: '123E4567'" in text and safe_load(text) == doc


# --- migrate-store moves everything the store holds ----------------------------------------------


def test_migrate_store_moves_the_staff_directory(store, tmp_path, monkeypatch):
    from tswt_formulation.access.identity import os_account
    from tswt_formulation.store.staff import StaffMember, add_staff, staff_directory

    with open_store(
        str(store), user="c.mensah"
    ) as s:  # the directory's first entry is its administrator
        add_staff(
            s,
            [
                StaffMember("it.admin", "I. Tanaka", "administrator", os_account=os_account()),
                StaffMember("c.mensah", "Chidi Mensah", "therapeutic_social_worker"),
                StaffMember("dr.ahmed", "Dr R. Ahmed", "clinical_psychologist"),
            ],
            note="synthetic staff",
        )
    monkeypatch.delenv(
        "TSWT_USER"
    )  # a live store: this machine's account (it.admin) moves it, an administrator
    target = tmp_path / "t.sqlite"
    r = run("migrate-store", str(store), str(target))
    assert r.exit_code == 0, r.output
    assert re.fullmatch(
        r"The staff directory too: 3 people \(sha256 [0-9a-f]{12}\), checked on both sides\.",
        r.output.splitlines()[-1],
    )
    with open_store(str(store)) as a, open_store(str(target)) as b:
        assert dict(staff_directory(b)) == dict(staff_directory(a)) and staff_directory(b).describe(
            "c.mensah"
        ) == ("Chidi Mensah, therapeutic social worker")
        assert b.integrity_check() == []
        assert b.audit_log()[-1].note.endswith(
            "counts and digests checked; the staff directory (3 people) too"
        )


def test_migrate_store_refuses_a_table_it_would_leave_behind(store, tmp_path):
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE team_notes (body TEXT)")
    target = tmp_path / "t.sqlite"
    r = run("migrate-store", str(store), str(target))
    assert (r.exit_code, r.output) == (
        2,
        (
            f"error: {store}: holds table(s) this version does not know how to move (team_notes); "
            "nothing was copied\n"
        ),
    )
    with open_store(str(target)) as b:
        assert len(b) == 0


# --- output that misleads: terminal escapes and forged lines ----------------------------------------

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[8mhidden\x1b[0m\r\x9b31m\u202etxt.exe"


def _planted(store: Path) -> None:
    with open_store(str(store), user="c.mensah") as s:
        s.update(
            CASE,
            lambda c: setattr(c.screening, "child_voice", f"I like drawing {ESCAPES}"),
            note="visit",
        )


def _no_controls(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\r\x9b\u202e"), repr(text)


def test_show_prints_control_characters_escaped(store):
    _planted(store)
    for args in (("show", CASE), ("show", CASE, "--json"), ("export", CASE), ("audit", CASE)):
        r = run(*args, "--store", str(store))
        assert r.exit_code == 0, r.stderr
        _no_controls(r.stdout)
    r = run("show", CASE, "--store", str(store))
    assert (
        r"I like drawing \x1b]0;owned\x07\x1b[2J\x1b[8mhidden\x1b[0m\x0d\x9b31m\u202etxt.exe"
        in r.stdout
    )
    exported = run("export", CASE, "--store", str(store)).stdout
    assert (
        json.loads(exported)["cases"][0]["screening"]["child_voice"] == f"I like drawing {ESCAPES}"
    )  # the value itself is kept


def test_formulation_prints_a_narrative_escaped(store, tmp_path):
    narrative = tmp_path / "n.txt"
    narrative.write_text(f"Two lines\nof narrative {ESCAPES}")
    r = run(
        "formulation", CASE, "--draft", "--narrative-file", str(narrative), "--store", str(store)
    )
    assert r.exit_code == 0, r.stderr
    r = run("formulation", CASE, "--store", str(store))
    assert r.exit_code == 0 and r"of narrative \x1b]0;owned" in r.stdout
    _no_controls(r.stdout)


@pytest.mark.parametrize(
    "option,value",
    [
        ("--note", "x\n2026-12-07 06:00  dr.r.ahmed  signed_off  1"),
        ("--note", "x\x1b[2J"),
        ("--note", "x\r"),
        ("--note", "n" * 2001),
    ],
)
def test_a_note_is_one_line_of_printable_text(store, tmp_path, option, value):
    path = tmp_path / "c.json"
    r = run("export", CASE, "-o", str(path), "--store", str(store))
    assert r.exit_code == 0
    why = (
        r"must be at most 2,000 characters; it has 2,001"
        if len(value) > 2000
        else r"must be one line of printable text; it holds '.+' \(a line break or control character\)"
    )
    refused(
        store,
        "update",
        option,
        value,
        str(path),
        "--store",
        str(store),
        lines=[
            r"Usage: \S+ update .*",
            r"Try '\S+ update --help' for help\.",
            "",
            rf"Error: Invalid value for {option}: {why}",
        ],
    )


def test_comments_and_reasons_are_one_line(store):
    for args in (
        ("signoff", CASE, "--return", "--comment", "ok\nsigned_off"),
        ("conclude", CASE, "--close", "--reason", "a\x1b[2Jb"),
        ("decide", CASE, "--override", "wave", "2", "why\nnot"),
    ):
        r = refused(
            store,
            *args,
            "--store",
            str(store),
            lines=[r"Usage: .*", r"Try .*", "", r"Error: Invalid value for .*"],
        )
        assert "one line of printable text" in r.stderr


# --- a damaged store: errors name the case and what is wrong, never the record ------------------------

VOICE = "Nobody listens to me and I want to go home to my mum"


def _damage(store: Path) -> None:
    """TSW-000100's record with bytes that are not UTF-8; TSW-000101's with the child's
    voice where their sex should be (valid JSON, invalid record)."""
    with (
        closing(sqlite3.connect(store)) as db,
        db,
    ):  # closed: the last connection folds the WAL into the file
        text = (
            db.execute("SELECT record FROM cases WHERE case_id = ?", (CASE,)).fetchone()[0].encode()
        )
        db.execute(
            "UPDATE cases SET record = CAST(? AS TEXT) WHERE case_id = ?",
            (text[:60] + b"\xff\xfe" + text[62:], CASE),
        )
        record = json.loads(
            db.execute("SELECT record FROM cases WHERE case_id = 'TSW-000101'").fetchone()[0]
        )
        record["child"]["sex"] = VOICE
        db.execute(
            "UPDATE cases SET record = ? WHERE case_id = 'TSW-000101'", (json.dumps(record),)
        )


DAMAGED = r"the store may be damaged: `tswt check` lists every such case; restore it from a backup"


def test_show_on_a_damaged_record_names_the_case_not_the_record(store):
    _damage(store)
    refused(
        store,
        "show",
        CASE,
        "--store",
        str(store),
        lines=[
            rf"error: {CASE}: the stored record is not UTF-8 text \(bad byte at 60\); {DAMAGED}"
        ],
    )
    r = refused(
        store,
        "show",
        "TSW-000101",
        "--store",
        str(store),
        lines=[
            rf"error: TSW-000101: the stored record no longer validates \(field\(s\) child\.sex\); {DAMAGED}"
        ],
    )
    assert "mum" not in r.stderr


def test_a_record_written_by_a_newer_version_says_upgrade_not_damaged(store):
    """A colleague's newer tswt-formulation wrote fields this version does not know: the
    error says so and how to mend it, not that the store may be damaged (it is not)."""
    with closing(sqlite3.connect(store)) as db, db:
        record = json.loads(
            db.execute("SELECT record FROM cases WHERE case_id = 'TSW-000101'").fetchone()[0]
        )
        record["placement_plan"] = {"agreed": "2026-11-01"}  # a field of some later release
        record["child"]["pronouns"] = "she/her"
        db.execute(
            "UPDATE cases SET record = ? WHERE case_id = 'TSW-000101'", (json.dumps(record),)
        )
    r = refused(
        store,
        "show",
        "TSW-000101",
        "--store",
        str(store),
        lines=[
            r"error: TSW-000101: the stored record has field\(s\) this version of tswt-formulation "
            r"\(\d+\.\d+\.\d+\) does not know: child\.pronouns, placement_plan\. A newer version "
            r"wrote it: upgrade the package here \(pip install -U tswt-formulation\) before reading "
            r"or changing this case"
        ],
    )
    assert "damaged" not in r.stderr and "she/her" not in r.stderr


def test_export_names_a_bad_record_and_exports_the_others(store, tmp_path, make_case_data):
    data = make_case_data("TSW-000102")
    data.pop("conclusion")
    with open_store(str(store), user="c.mensah") as s:
        s.import_cases([case_from_data(data)])
    _damage(store)
    out = tmp_path / "e.json"
    r = refused(
        store,
        "export",
        "-o",
        str(out),
        "--store",
        str(store),
        code=1,
        lines=[
            rf"Exported 1 case\(s\) to {re.escape(str(out))}\.",
            rf"error: {CASE}: the stored record is not UTF-8 text .*",
            r"error: TSW-000101: the stored record no longer validates .*",
            r"error: 2 case\(s\) could not be read and are not in the export; the other 1 are",
        ],
    )
    assert [c["case_id"] for c in json.loads(out.read_text())["cases"]] == ["TSW-000102"]
    assert "SYNTH" not in r.stderr and "mum" not in r.stderr


def test_a_database_error_never_quotes_stored_text():
    from tswt_formulation.errors import database_reason

    message = 'Could not decode to UTF-8 column \'record\' with text \'{"case_id":"TSW-000100","child":{"date_of_birth":"2014\''
    assert database_reason(message) == (
        "Could not decode to UTF-8 column 'record' (a stored text is not UTF-8: the store may be "
        "damaged; run `tswt check`)"
    )


# --- tswt check; init runs it; writes to a damaged store are refused ------------------------------------


def _damage_a_page(path: Path) -> None:
    """Give a leaf page of the file an absurd cell count, as a torn write or a bad disk
    could: a page the cases' index reads, not the schema (the store still opens)."""
    import shutil

    good = path.with_suffix(".good")
    shutil.copy(path, good)
    with closing(sqlite3.connect(good)) as db:
        size, count = (
            db.execute("PRAGMA page_size").fetchone()[0],
            db.execute("PRAGMA page_count").fetchone()[0],
        )
    for page in range(count - 1, 2, -1):
        shutil.copy(good, path)
        with open(path, "r+b") as f:
            f.seek(size * page)
            if f.read(1) not in (b"\x0a", b"\x0d"):  # index or table leaf
                continue
            f.seek(size * page + 3)
            f.write(b"\x7f\xff")
        try:
            with closing(sqlite3.connect(path)) as db:
                db.execute("SELECT count(*) FROM tswt_meta").fetchall()
                if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                    return
        except sqlite3.DatabaseError:
            continue
    pytest.fail("could not damage a page of the test store")


def test_check_init_and_writes_on_a_damaged_file(store, tmp_path, make_case_data):
    with open_store(str(store), user="c.mensah") as s:
        s.import_cases(
            [
                case_from_data(dict(make_case_data(f"TSW-0002{i:02d}"), conclusion=None))
                for i in range(40)
            ]
        )
    r = run("check", "--store", str(store))
    assert (r.exit_code, r.stdout) == (
        0,
        f"OK: {store}: 42 case(s); the database, every record and its audit trail are sound.\n",
    )
    _damage_a_page(store)
    data = make_case_data("TSW-000500")
    data.pop("conclusion")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    refused(
        store,
        "import",
        str(new),
        "--store",
        str(store),
        lines=[
            (
                rf"error: {re.escape(str(store))}: the store fails its integrity check \(.+\); nothing was written\. "
                rf"See `tswt check --store {re.escape(str(store))}`, and restore the store from a backup"
            )
        ],
    )
    before = file_digest(store)
    for args in (("check",), ("init",)):
        r = run(*args, "--store", str(store))
        assert r.exit_code == 2 and r.stderr.startswith(
            f"error: {store}: the store fails its check ("
        )
        assert r.stderr.splitlines()[1:] and all(
            line.startswith("error: sqlite integrity_check: ") for line in r.stderr.splitlines()[1:]
        )
    assert file_digest(store) == before


def test_check_names_a_case_whose_audit_trail_does_not_match(store):
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE cases SET version = 3 WHERE case_id = ?", (CASE,))
        db.execute("DELETE FROM audit WHERE case_id = 'TSW-000101'")
    r = run(
        "check", "--store", str(store)
    )  # the check records its verdict (the one write it makes)
    assert r.exit_code == 2 and r.stderr.splitlines() == [
        f"error: {store}: the store fails its check (2 problem(s)); restore it from a backup, or correct the cases named:",
        f"error: {CASE}: the audit log ends at version 1 but the store holds version 3",
        "error: TSW-000101: no audit entry",
    ]
    r = run("init", "--store", str(store))  # init runs the same check (and keeps the same verdict)
    assert r.exit_code == 2 and re.fullmatch(
        r"error: .*: the store fails its check \(2 problem\(s\)\).*", r.stderr.splitlines()[0]
    )
    assert len(r.stderr.splitlines()) == 3


def test_a_store_that_fails_its_check_refuses_writes_until_it_passes(
    store, tmp_path, make_case_data
):
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("DELETE FROM audit WHERE case_id = 'TSW-000101'")
    assert run("check", "--store", str(store)).exit_code == 2
    data = make_case_data("TSW-000500")
    data.pop("conclusion")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    refused(
        store,
        "import",
        str(new),
        "--store",
        str(store),
        lines=[
            rf"error: {re.escape(str(store))}: nothing imported - `tswt check` found this store unsound \(1 problem\(s\), "
            r"first: TSW-000101: no audit entry\); restore it from a backup or correct the cases named, then run `tswt check` again"
        ],
    )
    with closing(sqlite3.connect(store)) as db, db:  # the damage undone (as a restore would)
        db.execute("DELETE FROM cases WHERE case_id = 'TSW-000101'")
    assert run("check", "--store", str(store)).exit_code == 0
    assert run("import", str(new), "--store", str(store)).exit_code == 0


# --- reading is not writing ---------------------------------------------------------------------------


def _make_schema_3(store: Path) -> None:
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE tswt_meta SET value = '3' WHERE key = 'schema_version'")
        db.execute("DELETE FROM tswt_migrations WHERE number >= 4")
        db.execute("DROP INDEX ix_cases_caseload")


def test_readers_do_not_migrate_an_older_store(store, tmp_path, make_case_data):
    _make_schema_3(store)
    before = file_digest(store)
    for args in (
        ("caseload",),
        ("show", CASE),
        ("export",),
        ("audit",),
        ("recommend", CASE),
        ("check",),
    ):
        r = run(*args, "--store", str(store), user="reader")
        assert r.exit_code == 0, (args, r.stderr)
    assert file_digest(store) == before
    data = make_case_data("TSW-000500")
    data.pop("conclusion")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    refused(
        store,
        "import",
        str(new),
        "--store",
        str(store),
        lines=[
            (
                rf"error: {re.escape(str(store))}: nothing imported - the store is at schema 3 and this version writes schema {SCHEMA_VERSION}; "
                rf"bring it up to date first with `tswt init --store {re.escape(str(store))}`"
            )
        ],
    )
    r = run("init", "--store", str(store), user="owner")
    assert (r.exit_code, r.stdout) == (
        0,
        f"Upgraded case store {store} from schema version 3 to {SCHEMA_VERSION} (2 cases).\n",
    ), r.stderr
    with open_store(str(store)) as s:
        assert [(e.user, e.action) for e in s.audit_log() if e.action == "migrate"][-1] == (
            "owner",
            "migrate",
        )
    assert run("import", str(new), "--store", str(store)).exit_code == 0


def test_a_store_too_old_to_read_says_to_run_init(store):
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE tswt_meta SET value = '2' WHERE key = 'schema_version'")
    refused(
        store,
        "caseload",
        "--store",
        str(store),
        lines=[
            (
                rf"error: {re.escape(str(store))}: the store is at schema 2; this version reads schema 3 and up\. The store's owner brings it "
                rf"up to date with `tswt init --store {re.escape(str(store))}`"
            )
        ],
    )


def test_a_read_only_store_can_be_read(store, tmp_path, monkeypatch, make_case_data):
    real_access = os.access
    here = str(tmp_path)

    def no_writing_here(
        path: Any, mode: int, *a: Any, **k: Any
    ) -> bool:  # a read-only mount (the tests may run as root)
        return (
            False
            if mode & os.W_OK and str(path).startswith(here)
            else real_access(path, mode, *a, **k)
        )

    monkeypatch.setattr(os, "access", no_writing_here)
    before = file_digest(store)
    for args in (("caseload",), ("show", CASE), ("export", CASE), ("check",)):
        r = run(*args, "--store", str(store), user="reader")
        assert r.exit_code == 0, (args, r.stderr)
    data = make_case_data("TSW-000500")
    data.pop("conclusion")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    r = refused(
        store,
        "import",
        str(new),
        "--store",
        str(store),
        lines=[
            rf"error: {re.escape(str(store))}: nothing imported - the store file is read-only for you \(.*\)"
        ],
    )
    assert file_digest(store) == before


def test_a_locked_store_waits_once_and_says_so(store, tmp_path, make_case_data):
    import time

    data = make_case_data("TSW-000500")
    data.pop("conclusion")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    edited = tmp_path / "edited.json"
    assert run("export", CASE, "-o", str(edited), "--store", str(store)).exit_code == 0
    doc = json.loads(edited.read_text())
    doc["cases"][0]["referral"]["reasons"] = "Edited while someone else was writing."
    edited.write_text(json.dumps(doc))
    with closing(sqlite3.connect(store, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of a long change
        for args in (("import", str(new)), ("update", str(edited))):
            start = time.monotonic()
            r = run(*args, "--wait", "0.5", "--store", str(store))
            took = time.monotonic() - start
            assert r.exit_code == 2 and r.stderr.endswith(
                "another program has been writing to the store for 0.5 s (a long import? a crashed program still holding it?). "
                "Try again when it has finished, or wait longer with --wait SECONDS\n"
            ), r.stderr
            # --wait was honoured, not the default 30 s (a bound, not a speed: speed is bench/'s)
            assert len(r.stderr.splitlines()) == 1 and took < 15
        holder.execute("ROLLBACK")
    assert run("import", str(new), "--wait", "0.5", "--store", str(store)).exit_code == 0


# --- validate says what import would say -------------------------------------------------------------


def test_validate_refuses_what_import_refuses(store, tmp_path, make_case_data):
    data = make_case_data(
        "TSW-000500"
    )  # carries a conclusion of screening: workflow state a new case may not
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    line = (
        rf"error: {re.escape(str(path))}: TSW-000500: conclusion: a new case cannot carry it \(record it with `tswt conclude`\); "
        r"the store's owner restores a backup with `tswt import --restore REASON`"
    )
    for args in (("import", "--store", str(store)), ("validate",)):
        refused(
            store, *args, str(path), lines=[r"error: 1 problem\(s\); nothing was written:", line]
        )
    assert run("validate", "--restore", str(path)).exit_code == 0
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"format": "tswt-cases/999", "cases": []}))
    for args in (("import", "--store", str(store)), ("validate",)):
        refused(
            store,
            *args,
            str(future),
            lines=[
                r"error: 1 problem\(s\); nothing was written:",
                (
                    rf"error: {re.escape(str(future))}: format: 'tswt-cases/999' is not a format this version reads \(tswt-cases/1\); "
                    r"a newer version of tswt-formulation wrote it\? Upgrade the package: pip install -U tswt-formulation"
                ),
            ],
        )


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_validate_and_import_refuse_what_is_not_a_file(store, tmp_path, make):
    path = tmp_path / "case.json"
    if make == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    for args in (("validate",), ("import", "--store", str(store))):
        refused(
            store,
            *args,
            str(path),
            lines=[
                r"error: 1 problem\(s\); nothing was written:",
                (
                    rf"error: {re.escape(str(path))}: (is not an ordinary file \(a device, pipe or socket\); give the path of a file|"
                    r"unknown file type; use \.json, \.yaml or \.yml)"
                ),
            ],
        )


def test_a_huge_problem_list_is_capped(store, tmp_path, make_case_data):
    docs = []
    for i in range(300):
        data = make_case_data(f"TSW-{i:06d}")
        data["child"]["sex"] = "unknown"
        docs.append(data)
    path = tmp_path / "many.json"
    path.write_text(json.dumps(docs))
    r = run("validate", str(path))
    lines = r.stderr.splitlines()
    assert (
        r.exit_code == 2
        and len(lines) == 102
        and lines[0] == "error: 300 problem(s); nothing was written:"
    )
    assert lines[-1] == "error: ... and 200 more"


def test_team_files_that_are_not_files_are_refused(store, tmp_path):
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)
    line = rf"error: {re.escape(str(fifo))}: is not an ordinary file \(a device, pipe or socket\); give the path of a file"
    r = CliRunner().invoke(cli, ["rules", "check", str(fifo)])
    assert r.exit_code == 2 and re.fullmatch(line, r.stderr.strip()), r.stderr
    refused(
        store,
        "formulation",
        CASE,
        "--draft",
        "--narrative-file",
        str(fifo),
        "--store",
        str(store),
        lines=[line],
    )  # no draft either


def test_a_report_failure_never_puts_stored_text_in_the_manifest():
    import sqlalchemy as sa

    from tswt_formulation.reports.batch import _describe

    exc = sa.exc.OperationalError(
        "SELECT record FROM cases",
        {},
        sqlite3.OperationalError(
            'Could not decode to UTF-8 column \'record\' with text \'{"case_id":"TSW-000100","child":{"date_of_birth":"2014-06-15"\''
        ),
    )
    _cell, error = _describe(exc)
    assert "2014" not in error and "record" in error and error.startswith("OperationalError: ")


def test_a_record_that_is_not_json_is_named_and_export_goes_on(store, tmp_path):
    with closing(sqlite3.connect(store)) as db, db:
        db.execute(
            "UPDATE cases SET record = ? WHERE case_id = ?",
            ('{"case_id": "TSW-000100", "child": {"date_of_birth": "2014', CASE),
        )
    line = rf"error: {CASE}: the stored record is not readable JSON \(at character 53: unterminated string starting\); {DAMAGED}"
    refused(store, "show", CASE, "--store", str(store), lines=[line])
    r = refused(
        store,
        "export",
        "--store",
        str(store),
        code=1,
        lines=[
            line,
            r"error: 1 case\(s\) could not be read and are not in the export; the other 1 are",
        ],
    )
    assert [c["case_id"] for c in json.loads(r.stdout)["cases"]] == [
        "TSW-000101"
    ] and "2014" not in r.stderr


def test_migrate_store_does_not_migrate_its_source(store, tmp_path):
    _make_schema_3(store)
    before = file_digest(store)
    target = tmp_path / "t.sqlite"
    r = run("migrate-store", str(store), str(target))
    assert (r.exit_code, r.output) == (
        2,
        f"error: {store}: the store is at schema 3; bring it up to date first with "
        f"`tswt init --store {store}` (nothing was copied)\n",
    )
    assert file_digest(store) == before
