"""``tswt migrate-store FROM TO``: an SQLite store moved onto PostgreSQL (and back), with
every case, the whole audit log, and the checks on both sides."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.errors import StoreError
from tswt_formulation.model import case_from_data
from tswt_formulation.store import transfer


def _history(url: str) -> list[tuple]:
    with open_store(url) as s:
        return [
            (e.at, e.user, e.case_id, e.action, e.version, e.changes, e.note) for e in s.audit_log()
        ]


@pytest.fixture
def old_store(tmp_path, demo_cases):
    """An SQLite store with a history: an import, edits by two people."""
    path = str(tmp_path / "old.sqlite")
    with open_store(path, create=True, user="importer") as s:
        s.import_cases(demo_cases[:40])
        s.update(
            "TSW-900001",
            lambda c: setattr(c.referral, "reasons", "Updated after the network meeting."),
            user="c.mensah",
        )
        s.update(
            "TSW-900002",
            lambda c: setattr(c.screening, "child_voice", "I want to stay."),
            user="d.hughes",
            note="visit",
        )
    return path


def test_sqlite_store_moves_onto_the_backend_whole(old_store, any_store_url):
    r = CliRunner().invoke(cli, ["migrate-store", old_store, any_store_url, "--user", "admin"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert (
        lines[0]
        == f"Copied 40 case(s) and 43 audit entries from {old_store} to {_shown(any_store_url)}."
    )
    assert re.fullmatch(
        r"Checked on both sides: 40 cases \(sha256 [0-9a-f]{12}\), 43 audit entries \(sha256 [0-9a-f]{12}\); "
        r"the move is in the target's audit log\.",
        lines[1],
    )
    with open_store(old_store) as a, open_store(any_store_url) as b:
        assert a.export() == b.export()
        assert [c._version for c in b.cases()] == [c._version for c in a.cases()]
        assert b.versions("TSW-900002") == [
            (e2, r) for (_e1, r), e2 in zip(a.versions("TSW-900002"), b.audit_log("TSW-900002"))
        ]
        assert b.integrity_check() == []
    source, target = _history(old_store), _history(any_store_url)
    assert target[0][3] == "migrate"  # the target's own creation comes first
    assert target[1:-1] == source  # then the whole history, as it was: who, when, what
    assert target[-1][1:4] == ("admin", None, "migrate-store")
    assert (
        target[-1][6]
        == f"copied 40 case(s) and 43 audit entries from {old_store}; counts and digests checked"
    )


def test_and_back_again(old_store, any_store_url, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate-store", old_store, any_store_url]).exit_code == 0
    back = str(tmp_path / "back.sqlite")
    r = runner.invoke(cli, ["migrate-store", any_store_url, back])
    assert r.exit_code == 0, r.output
    with open_store(old_store) as a, open_store(back) as b:
        assert a.export() == b.export()
    assert _history(back)[2:-2] == _history(old_store)


def test_a_store_that_holds_cases_is_not_a_target(old_store, any_store_url, make_case_data):
    with open_store(any_store_url, create=True) as s:
        s.import_cases([case_from_data(make_case_data())])
    before = _history(any_store_url)
    r = CliRunner().invoke(cli, ["migrate-store", old_store, any_store_url])
    expected = (
        f"error: {_shown(any_store_url)}: already holds 1 case(s); migrate-store copies "
        "into a new, empty store only (nothing was copied)\n"
    )
    assert (r.exit_code, r.output) == (2, expected)
    assert _history(any_store_url) == before


def test_the_same_store_is_refused(old_store):
    with pytest.raises(
        StoreError, match=r": the source and the target are the same store; nothing was copied$"
    ):
        transfer.migrate_store(old_store, old_store)


def test_missing_source(tmp_path):
    r = CliRunner().invoke(
        cli, ["migrate-store", str(tmp_path / "none.sqlite"), str(tmp_path / "new.sqlite")]
    )
    assert r.exit_code == 2
    assert r.output.startswith(
        f"error: {tmp_path / 'none.sqlite'}: no store here; create one with `tswt init"
    )
    assert not (tmp_path / "new.sqlite").exists()


def test_a_copy_that_does_not_match_writes_nothing(old_store, any_store_url, monkeypatch):
    real = transfer._utc

    def corrupt(row, columns):
        out = real(row, columns)
        if out.get("case_id") == "TSW-900003" and "record" in out:
            out["record"] = out["record"].replace("TSW-900003", "TSW-900003 ")
        return out

    monkeypatch.setattr(transfer, "_utc", corrupt)
    with pytest.raises(
        StoreError,
        match=r": the copy does not match .*\(cases 40 -> 40, audit entries 43 -> 43, "
        r"case records differ\); nothing was copied$",
    ):
        transfer.migrate_store(old_store, any_store_url)
    with open_store(any_store_url) as s:
        assert len(s) == 0
        assert [e.action for e in s.audit_log()] == ["migrate"]


def _shown(location: str) -> str:
    from tswt_formulation.store.engine import display_location

    return display_location(location)
