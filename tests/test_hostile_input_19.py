"""Inputs a hostile probe got past the checks (issue 19: data loss, silent mis-scoring,
misleading or leaking output, reads that wrote). Each is fed through the command line
and must give exit 2 (nothing written: the store's bytes unchanged) with one short line
naming the file, case and field, and no traceback; or the stated behaviour."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data

from .conftest import file_digest

CASE = "TSW-000100"


def run(*args: str, user: str = "c.mensah", **kwargs: Any) -> Any:
    no_user = ("validate", "measures", "schema", "migrate-store")
    return CliRunner().invoke(cli, [*args, "--user", user] if args[0] not in no_user else list(args), **kwargs)


def refused(store: Path, *args: str, lines: list[str], user: str = "c.mensah", code: int = 2) -> Any:
    """Run; expect exit 2, exactly these stderr lines (regexes), no traceback, store unchanged."""
    before = file_digest(store)
    r = run(*args, user=user)
    assert r.exit_code == code, (r.output, r.stderr)
    got = r.stderr.splitlines()
    assert len(got) == len(lines) and all(re.fullmatch(p, g) for p, g in zip(lines, got)), got
    assert "Traceback" not in r.stderr and all(len(g) < 400 for g in got)
    assert file_digest(store) == before
    return r


@pytest.fixture
def store(tmp_path: Path, make_case_data) -> Path:
    """A store with two cases (no workflow state), imported by c.mensah."""
    path = tmp_path / "s.sqlite"
    cases = []
    for case_id in (CASE, "TSW-000101"):
        data = make_case_data(case_id)
        data.pop("outcome")
        cases.append(case_from_data(data))
    with open_store(str(path), user="c.mensah", create=True) as s:
        s.import_cases(cases)
    return path


# --- no output overwrites the store, a database or the command's input --------------------------


def test_export_onto_the_open_store_is_refused(store):
    refused(store, "export", CASE, "-o", str(store), "--store", str(store), lines=[
        rf"error: {re.escape(str(store))}: --output: is a SQLite database \(a case store\?\); an output never replaces one, "
        r"write somewhere else \(nothing was written\)"])
    with open_store(str(store)) as s:
        assert len(s) == 2


def test_no_output_replaces_any_sqlite_database(store, tmp_path):
    other = tmp_path / "other.db"
    other.write_bytes(store.read_bytes())
    before = file_digest(other)
    for args in (("export", CASE), ("export", "ssda903", "--year", "2025"), ("recommend", "--all"),
                 ("score", "sdq", "--input", str(tmp_path / "in.csv"))):
        (tmp_path / "in.csv").write_text("a\n1\n")
        refused(store, *args, "-o", str(other), "--store", str(store), lines=[
            rf"error: {re.escape(str(other))}: --output: is a SQLite database .*\(nothing was written\)"])
    r = run("schema", "-o", str(other))
    assert r.exit_code == 2 and r.stderr.startswith(f"error: {other}: --output: is a SQLite database")
    assert file_digest(other) == before


def test_an_output_onto_the_stores_wal_or_the_input_is_refused(store, tmp_path):
    refused(store, "recommend", "--all", "-o", f"{store}-wal", "--store", str(store), lines=[
        r"error: .*s\.sqlite-wal: --output: is the case store; an output never replaces it, write somewhere else \(nothing was written\)"])
    scores = tmp_path / "sdq.csv"
    scores.write_text("informant,age,1,2\nparent,8,0,1\n")
    refused(store, "score", "sdq", "--input", str(scores), "-o", str(scores), "--store", str(store), lines=[
        rf"error: {re.escape(str(scores))}: --output: is this command's input; write the output to another file \(nothing was written\)"])
    assert scores.read_text() == "informant,age,1,2\nparent,8,0,1\n"
    out = tmp_path / "x.csv"
    refused(store, "score", "sdq", "--input", str(scores), "-o", str(out), "--set-aside", str(out), "--store", str(store), lines=[
        rf"error: {re.escape(str(out))}: --set-aside: is also given to --output; give each its own file \(nothing was written\)"])
    assert not out.exists()


def test_schema_does_not_follow_a_planted_symlink(store, tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("keep me")
    link = tmp_path / "schema.json"
    link.symlink_to(victim)
    r = run("schema", "-o", str(link))
    assert r.exit_code == 2 and r.stderr == (
        f"error: {link}: --output: is a symbolic link; give the real path of a new or ordinary file (nothing was written)\n")
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
