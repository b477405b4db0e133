"""The inbox's queries at a million items, in-process: for each bench/inbox.py scenario, one page
(`inbox_page`) and its status counts (`status_counts`), five times one at a time; prints and
writes the minimum and median milliseconds. No HTTP, no template: what the database work costs.
Each run is one application context, as a request is (nothing it remembers carries over), and
the CPU it costs is measured too: this process's (`time.process_time`) and, on PostgreSQL, the
server process's serving the connection (from /proc; 10 ms ticks, so the mean over the runs).
Run after `bench/inbox.py` has prepared the database (same bench account and fixtures):

    .venv/bin/python bench/inbox_queries.py postgresql:///portal_bench out.json
"""

import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


RUNS = 5


def _server_cpu(db) -> float | None:
    """The CPU milliseconds the PostgreSQL process serving this session has used, or None."""
    if db.engine.dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def main() -> None:
    os.environ["DATABASE_URL"] = sys.argv[1]
    os.environ.setdefault("SECRET_KEY", "bench")
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import User
    from portal.triage import inbox

    spec = importlib.util.spec_from_file_location("bench_inbox", ROOT / "bench" / "inbox.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == bench.BENCH_EMAIL))
        values = {k: str(v) for k, v in bench._fixtures(db, bench.BENCH_EMAIL).items()}
        out = {}
        for key, label, path in bench.SCENARIOS:
            path = (path[1] if isinstance(path, tuple) else path).format(**values)
            filters = inbox.InboxFilters.from_args(dict(parse_qsl(urlsplit(path).query)))
            runs, client_cpu, server_cpu = [], 0.0, 0.0
            for _ in range(RUNS):
                with app.app_context():  # a request's own context: nothing carries over
                    me = db.session.get(User, user.id)
                    server = _server_cpu(db)
                    began, cpu = time.perf_counter(), time.process_time()
                    page = inbox.inbox_page(filters, me)
                    counts = inbox.status_counts(filters, me)
                    runs.append((time.perf_counter() - began) * 1000)
                    client_cpu += (time.process_time() - cpu) * 1000
                    if server is not None:
                        server_cpu += _server_cpu(db) - server
                    db.session.rollback()
            out[key] = {
                "label": label,
                "path": path,
                "min_ms": round(min(runs), 1),
                "median_ms": round(statistics.median(runs), 1),
                "client_cpu_ms": round(client_cpu / RUNS, 1),
                "server_cpu_ms": round(server_cpu / RUNS, 1),
                "rows": len(page.rows),
                "all": counts.label(),
            }
            print(key, out[key], flush=True)
    Path(sys.argv[2]).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
