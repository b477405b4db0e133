#!/usr/bin/env python3
"""Suggested-tags benchmark: train on N tagged items, then time one suggestion at a time.

Run with the project's virtualenv (`make setup` first):

    .venv/bin/python bench/tagging.py                      # 100,000 items
    .venv/bin/python bench/tagging.py --items 10000        # a quick check

The training items are the demo generator's texts (portal/demo/texts.py) tagged with the
commitment they were written for, plus 12% general feedback as "no commitment", the same shape
as `flask demo seed` + staff tagging; themes and roles are tagged from the commitment on half
of the items, so the per-label classifiers are trained too. No database is needed: this times
the model (portal/tagging/engine.py), which is what `flask tagging train` spends its time in.

Goals (issue 18): training on 100,000 tagged items under 60 s; one suggestion under 20 ms.
Results go to bench/results/tagging.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.demo import texts  # noqa: E402
from portal.tagging import engine  # noqa: E402

STAKEHOLDERS = ["passenger", "resident", "business", "transport_provider", "employee", "other"]


def labels() -> dict[str, list[engine.Label]]:
    """Return the labels of data/framework.yaml, as the service builds them from the database."""
    framework = yaml.safe_load((ROOT / "data" / "framework.yaml").read_text())
    return {
        "commitments": [
            engine.Label(
                c["slug"], f"{c['title']}. {c['text']}", tuple(c["themes"]) + tuple(c["roles"])
            )
            for c in framework["commitments"]
        ],
        "themes": [engine.Label(t["slug"], t["name"]) for t in framework["themes"]],
        "roles": [engine.Label(r["slug"], r["name"]) for r in framework["roles"]],
        "codes": [engine.Label(c["name"], c["name"]) for c in framework["codes"]],
    }


def examples(n: int, seed: int = 1) -> list[engine.Example]:
    rng = random.Random(seed)
    framework = labels()["commitments"]
    out = []
    for _ in range(n):
        if rng.random() < 0.12:
            out.append(engine.Example(texts.feedback_text(rng, None, "passenger"), engine.NONE))
            continue
        c = rng.choice(framework)
        tagged = rng.random() < 0.5
        themes = roles = None
        if tagged:
            themes = tuple(p for p in c.parents if p in ("fairer", "stronger", "greener"))
            roles = tuple(p for p in c.parents if p not in ("fairer", "stronger", "greener"))
        out.append(
            engine.Example(
                texts.feedback_text(rng, c.key, rng.choice(STAKEHOLDERS)), c.key, themes, roles
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=300)
    args = parser.parse_args()

    data = examples(args.items)
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    model = engine.Model(**labels()).fit(data)
    train_s, train_cpu = time.perf_counter() - started, time.process_time() - cpu

    probe = examples(args.suggestions, seed=2)
    model.score([probe[0].text])  # warm-up
    timings, cpu_timings = [], []
    for example in probe:
        started, cpu = time.perf_counter(), time.process_time()
        model.score([example.text])
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
    timings.sort()
    cpu_timings.sort()
    # Wall-clock time is the goal; CPU time says what it would be on an idle machine, and the
    # load average how busy this one was (other processes share its cores).
    result = {
        "items": args.items,
        "train_seconds": round(train_s, 2),
        "train_cpu_seconds": round(train_cpu, 2),
        "suggest_ms_median": round(statistics.median(timings), 2),
        "suggest_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        "suggest_cpu_ms_median": round(statistics.median(cpu_timings), 2),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cores": os.cpu_count(),
        "goals": {"train_seconds": 60, "suggest_ms": 20},
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "tagging.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
