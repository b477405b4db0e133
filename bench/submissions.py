"""Where a feedback submission's time goes, in one process (no HTTP, no gunicorn, no other
clients): what `bench/resilience.py` measures end to end, taken apart.

    .venv/bin/python bench/submissions.py [--submissions 200] [--database-url URL]

Each submission is what a person without JavaScript does: GET /feedback, POST it (303), GET the
confirmation. Prints the CPU milliseconds (`time.process_time`) of each of the three requests
per submission, the SQL statements each runs, and a cProfile of the whole journey (top entries
by cumulative time); writes `bench/results/submissions.json`. The default database is a fresh
SQLite file (migrations and the framework loaded), rate limits off, as in the resilience bench.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.resilience import REFERENCE, hidden_fields  # noqa: E402

PHASES = ("form", "post", "confirmation")
ANSWERS = {"body": "The lift at Bootle has been out of use", "stakeholder_type": "passenger"}


def journey(client, number: int) -> dict[str, float]:
    """One submission; return each request's CPU seconds."""
    spent = {}
    began = time.process_time()
    page = client.get("/feedback")
    spent["form"] = time.process_time() - began
    assert page.status_code == 200, page.status_code
    answers = {**ANSWERS, "body": f"Submission {number}: the lift at Bootle"}
    began = time.process_time()
    sent = client.post("/feedback", data={**hidden_fields(page.get_data(as_text=True)), **answers})
    spent["post"] = time.process_time() - began
    assert sent.status_code == 303, sent.status_code
    began = time.process_time()
    shown = client.get("/feedback/confirmation")
    spent["confirmation"] = time.process_time() - began
    assert REFERENCE.search(shown.get_data(as_text=True)), "no reference shown"
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{results / 'submissions.db'}"
    if args.database_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY="submissions-bench",
        FLASK_RATELIMIT_ENABLED="false",
    )
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["framework", "load"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)

    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app()
    client = app.test_client()
    for n in range(10):  # templates compiled, connections open, pages kept
        journey(client, -1 - n)

    statements: dict[str, list[str]] = {phase: [] for phase in PHASES}
    current = {"phase": "form"}
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args) -> None:
        statements[current["phase"]].append(" ".join(statement.split())[:120])

    # The statements of one submission, request by request.
    event.listen(engine, "before_cursor_execute", note)
    page = client.get("/feedback")
    current["phase"] = "post"
    client.post(
        "/feedback",
        data={**hidden_fields(page.get_data(as_text=True)), **ANSWERS},
    )
    current["phase"] = "confirmation"
    client.get("/feedback/confirmation")
    event.remove(engine, "before_cursor_execute", note)

    totals = dict.fromkeys(PHASES, 0.0)
    for n in range(args.submissions):
        for phase, seconds in journey(client, n).items():
            totals[phase] += seconds
    per_submission = {p: round(1000 * s / args.submissions, 2) for p, s in totals.items()}

    profile = cProfile.Profile()
    profile.enable()
    for n in range(args.submissions):
        journey(client, 10**6 + n)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)

    report = {
        "database": url.split(":", 1)[0],
        "submissions": args.submissions,
        "cpu_ms_per_submission": round(sum(per_submission.values()), 2),
        "cpu_ms_per_request": per_submission,
        "sql_statements": statements,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (results / "submissions.json").write_text(json.dumps(report, indent=2))
    print(out.getvalue())
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
