"""Shared fixtures: a fresh store per test, synthetic cases, the shared reference data."""

from __future__ import annotations

import copy
import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tswt_formulation._yaml import safe_load

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = date(2026, 11, 20)
SHARED = HERE.parent.parent / "shared"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs something this machine lacks; under CI=true, fail instead."""
    if under_ci():
        pytest.fail(f"required in CI, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TSWT_USER", "test.worker")
    monkeypatch.delenv("TSWT_STORE", raising=False)
    monkeypatch.delenv("TSWT_VOCABULARY", raising=False)
    monkeypatch.delenv("TSWT_RULES", raising=False)
    monkeypatch.delenv("TSWT_MEASURES_DIR", raising=False)


@pytest.fixture
def full_case_data() -> dict[str, Any]:
    return safe_load((DATA / "cases" / "full_case.yaml").read_text())


@pytest.fixture
def make_case_data(full_case_data: dict[str, Any]):
    """A deep copy of the full case, optionally with another id."""

    def make(case_id: str = "TSW-000123") -> dict[str, Any]:
        data = copy.deepcopy(full_case_data)
        data["case_id"] = case_id
        return data

    return make


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cases.sqlite"


@pytest.fixture
def store(store_path: Path):
    from tswt_formulation import open_store

    s = open_store(str(store_path), user="test.worker", create=True)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_cases():
    from tswt_formulation.demo import generate_caseload

    return generate_caseload(120, seed=7, as_of=AS_OF)


def file_digest(path: Path) -> str:
    """sha256 of a store's bytes (main file, WAL and shared memory if present)."""
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()
