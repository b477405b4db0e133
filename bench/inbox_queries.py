"""The inbox's queries at a million items, in-process: for each bench/inbox.py scenario, one page
(`inbox_page`) and its status counts (`status_counts`), --runs times one at a time; prints and
writes the minimum and median milliseconds. No HTTP, no template: what the database work costs.
Each run is one application context, as a request is (nothing it remembers carries over), and
the CPU it costs is measured too: this process's (`time.process_time`) and, on PostgreSQL, the
server process's serving the connection (from /proc; 10 ms ticks, so the mean over the runs).
A scenario of the page reached by following the next links (page 21) is measured on that page:
its cursor is found first by paging through `inbox_page`.

With --requests, whole requests instead: GET the scenario's URL through the Flask test client
(signed in as the bench account: the view, its statements and the page rendered), --runs times
after three warm-up requests, and report the CPU a request costs this process and every
PostgreSQL process serving the bench database. Run one at a time on a quiet machine, this is
the "server CPU a request" of the HTTP benchmark (bench/inbox.py) without gunicorn, sockets or
concurrency, and cheap enough to compare two versions of the code alternately.

Run after `bench/inbox.py` has prepared the database (same bench account and fixtures):

    .venv/bin/python bench/inbox_queries.py postgresql:///portal_bench out.json
    .venv/bin/python bench/inbox_queries.py --requests --runs 30 postgresql:///portal_bench out.json
"""

import argparse
import html
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


PAGE = 21  # the page a ("walk", start) scenario measures, as bench/inbox.py --page


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


def _cursor_of_page(app, inbox, db, user_id, filters, page: int) -> str:
    """The cursor the next links carry to page `page` of these filters."""
    from portal.models import User

    cursor = None
    for _ in range(page - 1):
        with app.app_context():
            found = inbox.inbox_page(filters, db.session.get(User, user_id), cursor)
        if found.next_cursor is None:
            raise SystemExit(f"too few items for page {page}")
        cursor = found.next_cursor
    return cursor


def queries(app, bench, args) -> dict:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import User
    from portal.triage import inbox

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == bench.BENCH_EMAIL))
        values = {k: str(v) for k, v in bench._fixtures(db, bench.BENCH_EMAIL).items()}
    out = {}
    for key, label, path in bench.SCENARIOS:
        if args.only and key not in args.only:
            continue
        walked = isinstance(path, tuple)
        path = (path[1] if walked else path).format(**values)
        filters = inbox.InboxFilters.from_args(dict(parse_qsl(urlsplit(path).query)))
        cursor = _cursor_of_page(app, inbox, db, user.id, filters, PAGE) if walked else None
        runs, client_cpu, server_cpu = [], 0.0, 0.0
        for _ in range(args.runs):
            with app.app_context():  # a request's own context: nothing carries over
                me = db.session.get(User, user.id)
                server = _server_cpu(db)
                began, cpu = time.perf_counter(), time.process_time()
                page = inbox.inbox_page(filters, me, cursor)
                counts = inbox.status_counts(filters, me)
                runs.append((time.perf_counter() - began) * 1000)
                client_cpu += (time.process_time() - cpu) * 1000
                if server is not None:
                    server_cpu += _server_cpu(db) - server
                db.session.rollback()
        out[key] = {
            "label": label,
            "path": path + (f" (page {PAGE})" if walked else ""),
            "min_ms": round(min(runs), 1),
            "median_ms": round(statistics.median(runs), 1),
            "client_cpu_ms": round(client_cpu / args.runs, 1),
            "server_cpu_ms": round(server_cpu / args.runs, 1),
            "rows": len(page.rows),
            "all": counts.label(),
        }
        print(key, out[key], flush=True)
    return out


def requests(app, bench, args) -> dict:
    """Whole requests through the test client: CPU a request, this process and PostgreSQL's."""
    from portal.extensions import db

    with app.app_context():
        values = {k: str(v) for k, v in bench._fixtures(db, bench.BENCH_EMAIL).items()}
        database = db.engine.url.database if db.engine.dialect.name == "postgresql" else None
    client = app.test_client()
    signed = client.post(
        "/login", data={"email": bench.BENCH_EMAIL, "password": bench.BENCH_PASSWORD}
    )
    if signed.status_code not in (302, 303):
        raise SystemExit(f"in-process sign-in failed: {signed.status_code}")
    out = {}
    for key, label, path in bench.SCENARIOS:
        if args.only and key not in args.only:
            continue
        if isinstance(path, tuple):
            path = path[1].format(**values)
            for _ in range(PAGE - 1):
                following = bench.next_link(client.get(path).get_data())
                if following is None:
                    raise SystemExit(f"too few items for page {PAGE}")
                split = urlsplit(html.unescape(following))
                path = split.path + "?" + split.query
        else:
            path = path.format(**values)
        for _ in range(3):
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        pids = bench.server_pids(None, database) if database else []
        server = bench.cpu_seconds(pids)
        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.runs):
            client.get(path)
        wall = (time.perf_counter() - began) * 1000 / args.runs
        python = (time.process_time() - cpu) * 1000 / args.runs
        after = bench.cpu_seconds(pids)
        postgres = sum(after[p] - server[p] for p in after if p in server) * 1000 / args.runs
        out[key] = {
            "label": label,
            "path": path,
            "wall_ms": round(wall, 1),
            "python_cpu_ms": round(python, 1),
            "postgresql_cpu_ms": round(postgres, 1),
            "cpu_ms": round(python + postgres, 1),
        }
        print(key, out[key], flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", action="store_true", help="whole requests (see above)")
    parser.add_argument("--only", nargs="*", help="scenario keys (default: every one)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench")
    from portal import create_app

    spec = importlib.util.spec_from_file_location("bench_inbox", ROOT / "bench" / "inbox.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    out = (requests if args.requests else queries)(app, bench, args)
    out["_load_average"] = os.getloadavg()
    args.out.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
