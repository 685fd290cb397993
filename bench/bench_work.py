"""The work after screening at scale (issue 22): 10,000 children, about 20 sessions each.

Targets: import <= 15 s, the caseload view <= 1 s, the service summary <= 2 s. Each is
timed against the obvious baseline in the same run:

- import: the JSON file parsed, validated and written in one transaction, against case
  by case ``store.add`` (a sample, scaled);
- caseload: the stored work columns read by the standard library and judged in plain
  Python (what ``tswt caseload`` does), against loading and parsing every record;
- service summary: each case's work digest (stored beside the record) read into frames
  (``work_tables``), against reading every whole record through the case model
  (``store.cases()``).

The children are the demo's begun cases, repeated under new ids to reach 10,000, each
main intervention given 20 sessions between its start and the as-of date.
"""

from __future__ import annotations

import copy
import gc
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from tswt_formulation import open_store
from tswt_formulation.demo import generate_caseload
from tswt_formulation.model import case_to_data

AS_OF = date(2026, 11, 20)
N = 10_000


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def children() -> list[dict]:
    begun = [
        case_to_data(c) for c in generate_caseload(1_500, seed=11, as_of=AS_OF) if c.interventions
    ]
    out = []
    for i in range(N):
        rec = copy.deepcopy(begun[i % len(begun)])
        rec["case_id"] = f"TSW-{900001 + i:06d}"
        rec["child"]["case_management_ref"] = f"SYNTH-B{i}"
        iv = rec["interventions"][0]
        start = date.fromisoformat(iv["start"])
        stop = date.fromisoformat(iv["end"]) if iv.get("end") else AS_OF
        step = max(1, min(7, (stop - start).days // 20))
        iv["sessions"] = [
            {
                "date": (start + timedelta(days=step * k)).isoformat(),
                "attendance": "attended" if k % 6 else "did_not_attend",
                "took_part": ["carer"] if k % 6 else [],
            }
            for k in range(20)
            if start + timedelta(days=step * k) <= stop
        ]
        out.append(rec)
    return out


def main() -> int:
    from tswt_formulation.model import parse_cases

    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-work-"))
    records, gen_s = timed(children)
    sessions = sum(len(iv.get("sessions", ())) for r in records for iv in r["interventions"])
    print(
        f"{N:,} children with {sessions:,} sessions ({sessions / N:.1f} each) made in {gen_s:.1f} s"
    )
    path = tmp / "work.json"
    path.write_text(json.dumps(records))
    bare = (
        tmp / "bare.json"
    )  # the same children without their work: what the work adds, on this machine now
    bare.write_text(
        json.dumps(
            [
                {
                    k: v
                    for k, v in r.items()
                    if k not in ("interventions", "reviews", "first_steps", "ending")
                }
                for r in records
            ]
        )
    )
    # Nothing of the generator stays alive: a command importing a file holds no such list, and
    # 10,000 records held here would be walked by every garbage collection of the import.
    del records
    gc.collect()
    store_path = str(tmp / "work.sqlite")
    failures = []

    with open_store(store_path, create=True, user="bench") as s:
        _, import_s = timed(lambda: s.import_cases(parse_cases([path])))
    with open_store(str(tmp / "bare.sqlite"), create=True, user="bench") as s:
        _, bare_s = timed(lambda: s.import_cases(parse_cases([bare])))
    cases = parse_cases([path])[:200]
    with open_store(str(tmp / "naive.sqlite"), create=True, user="bench") as s:
        _, naive = timed(lambda: [s.add(c) for c in cases])
    naive_all = naive / len(cases) * N
    print(
        f"import (parse + validate + write, one transaction): {import_s:6.2f} s   "
        f"baseline case by case: {naive_all:6.2f} s (200 timed, scaled) -> {naive_all / import_s:.1f}x   target <= 15 s"
    )
    print(
        f"  the same children without their work: {bare_s:6.2f} s (the work adds {import_s - bare_s:.2f} s)"
    )
    if import_s > 15:
        failures.append("import")

    from tswt_formulation.rules.timeline import caseload_row, caseload_timeline
    from tswt_formulation.store.read_only import caseload_tuples

    def caseload():
        return caseload_timeline(caseload_tuples(store_path), AS_OF)

    rows, caseload_s = timed(caseload)
    flagged = sum(
        r["review_overdue"] or r["steps_outstanding"] > 0 or r["no_recent_session"] for r in rows
    )

    def caseload_baseline():
        from tswt_formulation.rules.timeline import ROW_COLUMNS

        with open_store(store_path, user="bench") as st:
            return caseload_timeline(
                [tuple(caseload_row(c)[k] for k in ROW_COLUMNS) for c in st.cases()], AS_OF
            )

    base_rows, caseload_base = timed(caseload_baseline)
    if base_rows != rows:
        failures.append("caseload answers differ from the baseline's")
    print(
        f"caseload with the work's flags ({flagged:,} flagged): {caseload_s:6.3f} s   "
        f"baseline (parse every record): {caseload_base:6.2f} s -> {caseload_base / caseload_s:.0f}x   target <= 1 s"
    )
    if caseload_s > 1:
        failures.append("caseload")

    from tswt_formulation.measures.work_summary import work_summary, work_tables

    def summary():
        with open_store(store_path, user="bench") as st:
            return work_summary(work_tables(st.work_digests()), as_of=AS_OF)

    def summary_baseline():
        with open_store(store_path, user="bench") as st:
            return work_summary(work_tables(case_to_data(c) for c in st.cases()), as_of=AS_OF)

    fast, summary_s = timed(summary)
    slow, summary_base = timed(summary_baseline)
    if any(not fast[k].equals(slow[k]) for k in fast):
        failures.append("service summary differs from the baseline's")
    print(
        f"service summary (attendance, endings, referral to first session): {summary_s:6.2f} s   "
        f"baseline (every record through the case model): {summary_base:6.2f} s -> {summary_base / summary_s:.1f}x   "
        "target <= 2 s"
    )
    if summary_s > 2:
        failures.append("service summary")
    import os

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("FAILED: " + ", ".join(failures) if failures else "all targets met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
