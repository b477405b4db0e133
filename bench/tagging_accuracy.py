#!/usr/bin/env python3
"""Suggested-tags accuracy through `flask tagging suggest`, the interface for evaluation.

Run after `flask demo seed --feedback 3000` and `flask tagging train` (same DATABASE_URL):

    .venv/bin/python bench/tagging_accuracy.py tests/data/tagging_dev.jsonl [MORE.jsonl ...]

Each file holds JSON lines {"id", "text", "commitment": slug or null}. Only "id" and "text" are
sent to `flask tagging suggest`; its output is then scored against "commitment": top-1 and top-3
accuracy over the texts about a commitment, how often the top score of a text about no
commitment stays below "possible" (goal 80%), and how often a text about a commitment gets a
suggestion at all (its top score at least "possible"). Prints one JSON object per file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def suggest(lines: list[dict]) -> list[dict]:
    """Return `flask tagging suggest`'s output for the lines, one object per line."""
    stdin = "".join(json.dumps({"id": line["id"], "text": line["text"]}) + "\n" for line in lines)
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "wsgi", "tagging", "suggest"],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return [json.loads(out) for out in result.stdout.splitlines() if out.strip()]


def figures(lines: list[dict], outputs: list[dict]) -> dict:
    by_id = {out["id"]: out for out in outputs}
    top1 = top3 = shown = n = none_n = none_below = 0
    for line in lines:
        out = by_id[line["id"]]
        ranked = [c["slug"] for c in out["commitments"]]
        best = out["commitments"][0]["score"]
        if line["commitment"]:
            n += 1
            top1 += ranked[0] == line["commitment"]
            top3 += line["commitment"] in ranked[:3]
            shown += best >= out["possible"]
        else:
            none_n += 1
            none_below += best < out["possible"]
    return {
        "commitment_texts": n,
        "top1": round(top1 / n, 3) if n else None,
        "top3": round(top3 / n, 3) if n else None,
        "commitment_texts_with_a_suggestion": round(shown / n, 3) if n else None,
        "no_commitment_texts": none_n,
        "no_commitment_below_possible": round(none_below / none_n, 3) if none_n else None,
    }


def main() -> None:
    for name in sys.argv[1:]:
        lines = [json.loads(line) for line in Path(name).read_text().splitlines() if line.strip()]
        print(json.dumps({"file": name, **figures(lines, suggest(lines))}))


if __name__ == "__main__":
    main()
