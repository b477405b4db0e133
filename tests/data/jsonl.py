"""Write a held-out or development set's texts as JSON lines (shared by the set scripts here)."""

import json
from pathlib import Path


def write(texts: dict[str | None, list[str]], prefix: str, script: str) -> None:
    """Write ``texts`` (commitment slug, or None, to its texts) beside ``script`` as .jsonl,
    numbering the ids ``<prefix>001``, ``<prefix>002`` … in order."""
    lines = []
    n = 0
    for slug, group in texts.items():
        for text in group:
            n += 1
            lines.append(json.dumps({"id": f"{prefix}{n:03d}", "text": text, "commitment": slug}))
    Path(script).with_suffix(".jsonl").write_text("\n".join(lines) + "\n")
