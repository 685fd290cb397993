"""Benchmark: recommendations for 10,000 synthetic cases.

Run with ``python bench/bench_recommend.py [N]``. Prints cases per second and the total
time for the engine as shipped (rules parsed once, conditions compiled once), and compares
it in the same run with two obvious baselines:

* *interpreted*: the same parsed rules, each condition walked as a tree per case;
* *re-parse*: reading and validating the rules file again for every case (timed on a
  sample and scaled up, as the full run would take minutes).

Only synthetic people; the generator is seeded, so every run sees the same cases.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from importlib.resources import files
from typing import Any

from tswt_formulation.model import Case, add_years, case_from_data, vocabulary
from tswt_formulation.rules.recommend import evaluate, recommend
from tswt_formulation.rules.rulefile import DEFAULT_RULES, default_rules, parse_rules_text

AS_OF = date(2026, 6, 1)
RECEIVED = date(2026, 3, 2)
REPARSE_SAMPLE = 200


def synthetic_case(rng: random.Random, number: int) -> dict[str, Any]:
    """One synthetic case as JSON-like data (valid by construction)."""
    voc = vocabulary()
    terms = {name: list(voc[name].terms) for name in voc.lists}
    status = rng.choices(terms["legal_status"], weights=[50, 15, 15, 5, 10, 5])[0]
    age = rng.randint(16, 24) if status == "care_leaver" else rng.randint(1, 17)
    accepted = rng.random() < 0.9
    as_of = AS_OF if accepted else RECEIVED
    born = add_years(as_of, -age) - timedelta(days=rng.randint(100, 300))
    placement_start = max(as_of - timedelta(days=rng.randint(10, 2000)), born)
    moves = rng.choices([0, 1, 2, 3, 4], weights=[50, 20, 12, 10, 8])[0]
    breakdowns = [
        # a breakdown ended an earlier placement: on or before this one's start
        {"date": max(placement_start - timedelta(days=rng.randint(5, 700)), born).isoformat()}
        for _ in range(rng.choice([0, 0, 0, 1, 2]))
    ]
    behaviours = rng.sample(terms["presenting_behaviour"], rng.randint(0, 4))
    data: dict[str, Any] = {
        "case_id": f"TSW-{number:06d}",
        "synthetic": True,
        "child": {
            "case_management_ref": f"CM-{number:06d}",
            "date_of_birth": born.isoformat(),
            "sex": rng.choice(terms["sex"]),
            "legal_status": {"status": status, "start": max(born, date(2024, 1, 1)).isoformat()},
            "placement": {
                "type": rng.choice(terms["placement_type"]),
                "start": placement_start.isoformat(),
                "moves_last_12_months": moves,
                "breakdowns": breakdowns,
            },
            "caregiver": {
                "relationship": rng.choice(terms["caregiver"]),
                "can_take_part": rng.random() < 0.75,
            },
            "living_independently": status == "care_leaver" and rng.random() < 0.6,
            "would_otherwise_be_in_care": rng.random() < 0.5,
        },
        "referral": {
            "received": RECEIVED.isoformat(),
            "referrer": {"name": "Synthetic Worker", "role": "social_worker"},
            "consent": {
                "given_by": "local_authority",
                "date": RECEIVED.isoformat(),
                "informed": True,
            },
            "approval": {"by": "Synthetic Manager", "date": RECEIVED.isoformat()},
            "nd_assessment_requested": rng.random() < 0.15,
        },
        "screening": {
            "life_story_work": rng.choice(terms["life_story_work"]),
            "history_factors": [
                {"factor": f, "sources": ["social_worker"]}
                for f in rng.sample(terms["history_factor"], rng.randint(0, 4))
            ],
            "presenting_behaviours": [
                {
                    "behaviour": b,
                    "severity": rng.choice(terms["severity"]),
                    "frequency": rng.choice(terms["frequency"]),
                    "sources": rng.sample(terms["source"], rng.randint(1, 3)),
                    "evidence": "Synthetic.",
                }
                for b in behaviours
            ],
        },
    }
    if accepted:
        data["referral"]["decision"] = {"outcome": "accepted", "date": "2026-03-10"}
        data["referral"]["allocation"] = {"date": "2026-03-16", "worker": "Synthetic TSW"}
        data["screening"].update(started="2026-04-01", completed=AS_OF.isoformat())
    return data


def synthetic_cases(n: int, seed: int = 20261124) -> list[Case]:
    rng = random.Random(seed)
    return [case_from_data(synthetic_case(rng, i + 1)) for i in range(n)]


def main(n: int = 10_000) -> None:
    t0 = time.perf_counter()
    cases = synthetic_cases(n)
    print(f"generated {n} synthetic cases in {time.perf_counter() - t0:.2f} s (not timed below)")
    bands = [{"sdq.total.parent": "abnormal"} if i % 7 == 0 else None for i in range(n)]
    rules = default_rules()  # parse + compile once, as recommend() does on first use

    t0 = time.perf_counter()
    results = [recommend(c, bands=b) for c, b in zip(cases, bands)]
    shipped = time.perf_counter() - t0
    print(
        f"recommend (cached, compiled):   {n} cases in {shipped:.2f} s = {n / shipped:,.0f} cases/s"
    )

    t0 = time.perf_counter()
    interpreted = [evaluate(c, rules, bands=b, compiled=False) for c, b in zip(cases, bands)]
    slow = time.perf_counter() - t0
    print(
        f"baseline, interpreted conditions: {n} cases in {slow:.2f} s = {n / slow:,.0f} cases/s (ratio {slow / shipped:.2f}x)"
    )
    if interpreted != results:
        raise SystemExit("interpreted and compiled results differ")

    text = (
        files("tswt_formulation.rules").joinpath("data", DEFAULT_RULES).read_text(encoding="utf-8")
    )
    sample = cases[:REPARSE_SAMPLE]
    t0 = time.perf_counter()
    for c, b in zip(sample, bands):
        recommend(c, rules=parse_rules_text(text, DEFAULT_RULES), bands=b)
    per_case = (time.perf_counter() - t0) / len(sample)
    print(
        f"baseline, re-parse rules per case: {1 / per_case:,.0f} cases/s "
        f"(~{per_case * n:.1f} s for {n}, from a sample of {len(sample)}; ratio {per_case * n / shipped:.0f}x)"
    )
    waves: dict[Any, int] = {}
    for r in results:
        waves[r.wave] = waves.get(r.wave, 0) + 1
    print(
        "waves:",
        ", ".join(
            f"{k}: {v}"
            for k, v in sorted(waves.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ),
    )
    print(f"total time for {n} recommendations: {shipped:.2f} s (target under 5 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
