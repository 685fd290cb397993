"""Import 1,000 and 10,000 demo cases; the caseload over 10,000 cases.

Baseline in the same run: importing case by case (one transaction per case, as a naive
loop over `store.add` would), timed on a sample and scaled. Target (issue 3): 1,000 cases
imported in under 3 s on a 2-core machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tswt_formulation import open_store
from tswt_formulation.demo import generate_caseload

AS_OF = date(2026, 11, 20)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tswt-bench-"))
    cases_10k, gen_s = timed(lambda: generate_caseload(10_000, seed=11, as_of=AS_OF))
    print(f"generate 10,000 synthetic cases: {gen_s:.2f} s")
    for n in (1_000, 10_000):
        with open_store(str(tmp / f"import-{n}.sqlite"), create=True, user="bench") as s:
            _, secs = timed(lambda s=s, n=n: s.import_cases(cases_10k[:n]))
        print(f"import {n:>6,} cases (one transaction):  {secs:6.2f} s  ({n / secs:,.0f} cases/s)")
        if n == 1_000:
            batch_1k = secs
    import json

    from tswt_formulation.model import case_to_data, parse_cases

    for n in (1_000, 10_000):
        path = tmp / f"cases-{n}.json"
        path.write_text(json.dumps([case_to_data(c) for c in cases_10k[:n]]))
        with open_store(str(tmp / f"file-{n}.sqlite"), create=True, user="bench") as s:
            _, secs = timed(lambda s=s, path=path: s.import_cases(parse_cases([path])))
        print(f"import {n:>6,} cases from a JSON file (parse + validate + write): {secs:6.2f} s")
        if n == 1_000:
            one_k = secs
    sample = 200
    with open_store(str(tmp / "naive.sqlite"), create=True, user="bench") as s:
        _, naive = timed(lambda: [s.add(c) for c in cases_10k[:sample]])
    naive_1k = naive / sample * 1_000
    print(
        f"baseline: case-by-case add, {sample} cases timed: {naive_1k:6.2f} s per 1,000 -> batch import is {naive_1k / batch_1k:.1f}x faster"
    )
    with open_store(str(tmp / "import-10000.sqlite"), user="bench") as s:
        _, secs = timed(lambda: s.caseload(AS_OF))
        frame = s.caseload(AS_OF)
        _, load_all = timed(lambda: list(s.cases()))
    print(
        f"caseload over 10,000 cases: {secs:.3f} s ({int(frame['overdue'].sum())} overdue); "
        f"baseline (load and parse every record): {load_all:.2f} s -> {load_all / secs:.0f}x"
    )
    print(
        f"target: 1,000 imported from a file in < 3 s: {'met' if one_k < 3 else 'NOT met'} ({one_k:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
