"""Many workers at once: 4 processes x 50 edits on the same 5 cases, on both back ends.

Each edit loads a case, appends a mark of its own (``worker-2#17``) to the case's list
of strengths, waits a moment (a worker reading the screen) and saves. Every edit must
end either committed, with its audit row, or refused as stale with a message naming the
case and who changed it since. Afterwards the records and the audit log must account for
every committed edit and for nothing else: each case's list holds exactly the committed
marks in version order (a lost update would drop one), and its audit log holds one
update per committed edit, numbered without gaps.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tswt_formulation import open_store
from tswt_formulation.model import case_from_data

WORKERS, EDITS, CASES = 4, 50, 5

WORKER = r"""
import json, random, sys, time
from tswt_formulation import open_store
from tswt_formulation.errors import StaleEdit

url, who, n, out, ids = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
rng = random.Random(who)
log = []
with open_store(url, user=who) as store:
    print("ready", flush=True)
    sys.stdin.readline()  # all start together
    for k in range(n):
        case_id, mark = rng.choice(ids), f"{who}#{k}"
        case = store.get(case_id)
        case.screening.strengths = [*case.screening.strengths, mark]
        time.sleep(rng.uniform(0, 0.004))
        try:
            saved = store.save(case, note=mark)
        except StaleEdit as exc:
            log.append({"case_id": case_id, "mark": mark, "outcome": "stale", "message": str(exc)})
        else:
            log.append({"case_id": case_id, "mark": mark, "outcome": "committed", "version": saved._version})
with open(out, "w") as f:
    json.dump(log, f)
"""

STALE = re.compile(
    r"^(TSW-0001\d\d): not saved - the case was changed by (worker-\d) at \d{4}-\d\d-\d\d \d\d:\d\d UTC since you "
    r"loaded it \(you had version (\d+), the store has version (\d+)\)\. Reload it, redo your change and save again\.$"
)


@pytest.mark.slow
def test_many_workers_editing_the_same_cases(any_store_url, make_case_data, tmp_path):
    ids = [f"TSW-0001{i:02d}" for i in range(CASES)]
    with open_store(any_store_url, create=True, user="importer") as s:
        s.import_cases([case_from_data(make_case_data(i)) for i in ids])
        initial = {i: list(s.get(i).screening.strengths) for i in ids}
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = []
    for w in range(1, WORKERS + 1):
        out = tmp_path / f"worker-{w}.json"
        procs.append(
            (
                f"worker-{w}",
                out,
                subprocess.Popen(
                    [
                        sys.executable,
                        str(script),
                        any_store_url,
                        f"worker-{w}",
                        str(EDITS),
                        str(out),
                        *ids,
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    try:
        for _who, _out, p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        for _who, _out, p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        for who, _out, p in procs:
            _stdout, stderr = p.communicate(timeout=240)
            assert p.returncode == 0, f"{who} failed:\n{stderr}"
    finally:
        for _who, _out, p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()

    attempts = []
    for who, out, _p in procs:
        log = json.loads(out.read_text())
        assert len(log) == EDITS  # every attempt ended one way or the other
        attempts += [dict(entry, who=who) for entry in log]
    committed = [a for a in attempts if a["outcome"] == "committed"]
    stale = [a for a in attempts if a["outcome"] == "stale"]
    assert committed and stale, "the workers should both commit and collide"

    for a in stale:
        m = STALE.match(a["message"])
        assert m, a["message"]
        assert m.group(1) == a["case_id"] and m.group(2) != a["who"]
        assert int(m.group(3)) < int(m.group(4))

    with open_store(any_store_url) as s:
        assert s.integrity_check() == []
        for case_id in ids:
            mine = sorted(
                (a for a in committed if a["case_id"] == case_id), key=lambda a: a["version"]
            )
            versions = [a["version"] for a in mine]
            assert versions == list(range(2, 2 + len(mine))), (
                case_id
            )  # no two commits of one version
            case = s.get(case_id)
            assert case._version == 1 + len(mine)
            # No update lost: the list holds exactly the committed marks, in order.
            assert case.screening.strengths == initial[case_id] + [a["mark"] for a in mine]
            updates = [e for e in s.audit_log(case_id) if e.action == "update"]
            assert [(e.user, e.version, e.note) for e in updates] == [
                (a["who"], a["version"], a["mark"]) for a in mine
            ]
        notes = {e.note for e in s.audit_log()}
        assert not notes & {a["mark"] for a in stale}  # nothing refused left a trace
    print(f"\n{len(committed)} edits committed, {len(stale)} refused as stale")
