"""Case files and records written up to 0.1.0 call the conclusion of screening
"outcome" (issue 25: one name, one meaning). They load as ``conclusion``; a record with
both keys is refused, naming the case and the field; records are written with the new key.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from tswt_formulation.cli import cli
from tswt_formulation.errors import ValidationFailed
from tswt_formulation.model import case_from_data, case_to_data


def _old(data: dict) -> dict:
    """The case as 0.1.0 wrote it: the same record, the key named outcome, in its place."""
    return {("outcome" if k == "conclusion" else k): v for k, v in data.items()}


def test_the_old_key_loads_as_conclusion_and_is_written_as_conclusion(make_case_data):
    data = make_case_data()
    new = case_from_data(data)
    old = case_from_data(_old(data))
    assert new.conclusion is not None and new.conclusion.decision == "begin_work"
    assert old.conclusion == new.conclusion
    written = case_to_data(old)
    assert "outcome" not in written and written["conclusion"]["decision"] == "begin_work"
    assert "outcome" not in json.loads(old.model_dump_json(exclude_defaults=True))


def test_a_stored_record_with_the_old_key_loads(make_case_data):
    record = json.loads(case_from_data(make_case_data()).model_dump_json(exclude_defaults=True))
    case = case_from_data(_old(record), stored=True)
    assert case.conclusion is not None and case.conclusion.date.isoformat() == "2026-06-30"


def test_both_keys_are_refused_naming_the_case_and_the_field(make_case_data):
    data = make_case_data("TSW-000321")
    both = dict(_old(data), conclusion=data["conclusion"])
    with pytest.raises(
        ValidationFailed,
        match=re.escape(
            "TSW-000321: outcome: given with conclusion: outcome is the old name of the "
            "conclusion of screening; keep conclusion alone"
        ),
    ):
        case_from_data(both)


def test_a_case_file_with_the_old_key_validates_as_one_with_the_new(tmp_path, make_case_data):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(_old(make_case_data())))
    new.write_text(json.dumps(make_case_data()))
    runner = CliRunner()
    for path in (old, new):
        r = runner.invoke(cli, ["validate", "--restore", str(path)])
        assert (r.exit_code, r.output) == (0, "OK: 1 case(s) valid in 1 file(s).\n")
        # Without --restore, the conclusion (workflow state) is refused under its new name.
        r = runner.invoke(cli, ["validate", str(path)])
        assert r.exit_code == 2 and r.output.splitlines()[1].startswith(
            f"error: {path}: TSW-000123: conclusion: "
        )
