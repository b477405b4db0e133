#!/usr/bin/env python3
"""Export benchmark: seed N feedback items, then time /triage/export.csv and .xlsx and measure
the exporting process's peak memory (resident set size).

Each export runs in a fresh child process (the project's virtualenv Python) that signs in as
an admin and streams the whole response through the Flask test client, through the real view,
into a counting sink; the parent reads the child's peak RSS from the kernel (getrusage) after
it exits. See bench/README.md.

    python bench/export.py                           # SQLite, 1,000,000 items, CSV and XLSX
    python bench/export.py --reuse                   # the same database again, no seeding
    python bench/export.py --feedback 20000          # a quick check
    python bench/export.py --database-url postgresql:///portal_bench --reuse
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_SQLITE = RESULTS / "export.db"
EMAIL = "export-bench@example.invalid"
PASSWORD = "export-bench-password-not-a-secret"  # noqa: S105 (a throwaway benchmark account)
SECRET = "export-bench-secret-key-0123456789abcdef0123456789"  # noqa: S105
GOAL_RSS_MB = 200

CHILD = r"""
import json, resource, sys, time
from portal import create_app
from portal.extensions import db
from sqlalchemy import func, select, text
from portal.models import Feedback
app = create_app({"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
path, with_contact = sys.argv[1], sys.argv[2] == "yes"
with app.app_context():
    items = db.session.scalar(select(func.count()).select_from(Feedback))
client = app.test_client()
login = client.post("/login", data={"email": sys.argv[3], "password": sys.stdin.read().strip()})
assert login.status_code == 303, login.status_code
started = time.perf_counter()
response = client.get(path + ("?with_contact=yes" if with_contact else ""), buffered=False)
assert response.status_code == 200, response.status_code
size = 0
first = None
for chunk in response.response:
    if first is None:
        first = time.perf_counter() - started
    size += len(chunk)
response.close()
seconds = round(time.perf_counter() - started, 1)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"items": items, "bytes": size, "seconds": seconds,
                  "first_byte_seconds": round(first or 0, 3),
                  "peak_rss_mb": round(peak / 1024, 1)}))
"""


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET, FLASK_RATELIMIT_ENABLED="false")
    return env


def flask(env: dict[str, str], *args: str, stdin: str | None = None, check: bool = True):
    log("$ flask " + " ".join(args))
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def prepare(args: argparse.Namespace, env: dict[str, str]) -> float | None:
    """Migrate, load the framework, seed (unless --reuse), create the admin account."""
    if args.database_url == f"sqlite:///{DEFAULT_SQLITE}" and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(DEFAULT_SQLITE) + suffix).unlink(missing_ok=True)
    flask(env, "db", "upgrade")
    flask(env, "framework", "load")
    seconds = None
    if not args.reuse:
        started = time.perf_counter()
        flask(env, "demo", "seed", "--feedback", str(args.feedback), "--seed", "1")
        seconds = round(time.perf_counter() - started, 1)
        log(f"seeded {args.feedback:,} items in {seconds:.0f} s")
    created = flask(
        env,
        "users",
        "create",
        EMAIL,
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        check=False,
    )
    if created.returncode != 0 and "already exists" not in created.stdout + created.stderr:
        raise SystemExit(f"could not create the account:\n{created.stdout}{created.stderr}")
    return seconds


def run_export(env: dict[str, str], path: str, contact: bool) -> dict:
    """Run one export in a child process; return its timing and that process's peak RSS."""
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", CHILD, path, "yes" if contact else "no", EMAIL],
        cwd=ROOT,
        env=env,
        input=PASSWORD,
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"export {path} failed:\n{result.stderr[-3000:]}")
    # The child reports its own peak resident set size (getrusage RUSAGE_SELF, read after
    # the whole response was streamed): the memory of the process that did the export.
    info = json.loads(result.stdout.strip().splitlines()[-1])
    info["rows_per_second"] = round(info["items"] / info["seconds"]) if info["seconds"] else None
    return info


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--feedback", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database, do not seed")
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = env_for(args.database_url)
    seed_seconds = prepare(args, env)
    runs = {}
    for fmt in args.formats.split(","):
        path = f"/triage/export.{fmt}"
        # One child per format, so each peak RSS is that export's own.
        runs[fmt] = run_export(env, path, contact=True)
        log(f"{fmt}: {runs[fmt]}")
    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": args.database_url.split("://")[0],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "seed_seconds": seed_seconds,
        "goal_peak_rss_mb": GOAL_RSS_MB,
        "runs": runs,
        "within_goal": all(r["peak_rss_mb"] < GOAL_RSS_MB for r in runs.values()),
    }
    out = RESULTS / f"export-{result['database']}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0 if result["within_goal"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
