#!/usr/bin/env python3
"""Inbox benchmark: seed N feedback items, serve the portal with gunicorn, time the inbox.

Standard library only for the driver (any Python 3.11+ can run it); it drives the project's
virtualenv (`.venv/bin/flask`, `.venv/bin/gunicorn`, `.venv/bin/python`) for everything that
needs the app. See bench/README.md.

    python bench/inbox.py                                        # SQLite, 1,000,000 items
    python bench/inbox.py --database-url postgresql:///portal_bench
    python bench/inbox.py --feedback 20000 --requests 100        # a quick check

Scenarios (each: warm-up requests, then --requests timed GETs from --concurrency threads):

    first page        /triage
    filtered page     /triage?status=new&stakeholder_type=passenger
    one-word search   /triage?q=foodbank
    phrase search     /triage?q="safe space"
    page 21           the URL reached by following rel="next" 20 times from /triage

After the HTTP run, the same URLs are requested once in-process (Flask test client) with every
SQL statement captured; each SELECT is then explained (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL) and re-timed, and all of it goes into the JSON.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_SQLITE = RESULTS / "bench.db"
BENCH_EMAIL = "bench@example.invalid"
BENCH_PASSWORD = "bench-password-not-a-secret"  # noqa: S105 (a throwaway benchmark account)
BENCH_SECRET_KEY = "bench-secret-key-fixed-so-every-worker-agrees-0123456789"  # noqa: S105
GOAL_P95_MS = 100.0
NEXT_LINK = re.compile(r"<a\b[^>]*\brel=\"next\"[^>]*>", re.IGNORECASE | re.DOTALL)
HREF = re.compile(r"\bhref=\"([^\"]*)\"", re.IGNORECASE)
CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
VALUE = re.compile(r"\bvalue=\"([^\"]*)\"", re.IGNORECASE)

# (key, label, path). A path of ("walk", start) is the page reached by following rel="next"
# --page - 1 times from `start`. {code} and {commitment} are the bench's own code and a
# commitment (see `_helper fixtures`); RARE_WORD matches about 0.1% of the seeded items.
COMMON_WORD = "bus"
SECOND_WORD = "station"
RARE_WORD = "mentor"
SCENARIOS: list[tuple[str, str, str | tuple[str, str]]] = [
    ("first_page", "First page", "/triage"),
    (
        "filtered",
        "Filtered page (status=new, who=passenger)",
        "/triage?" + urlencode({"status": "new", "stakeholder_type": "passenger"}),
    ),
    ("search_word", "One-word search (foodbank)", "/triage?" + urlencode({"q": "foodbank"})),
    (
        "search_phrase",
        'Phrase search ("safe space")',
        "/triage?" + urlencode({"q": '"safe space"'}),
    ),
    ("page_21", "Page 21 via next links", ("walk", "/triage")),
    # Search combined with every other filter (issue 17), common and rare words.
    ("q_common", f"Search alone ({COMMON_WORD})", "/triage?" + urlencode({"q": COMMON_WORD})),
    ("q_rare", f"Search alone ({RARE_WORD}, rare)", "/triage?" + urlencode({"q": RARE_WORD})),
    (
        "q_status",
        f"{COMMON_WORD} + status=new",
        "/triage?" + urlencode({"q": COMMON_WORD, "status": "new"}),
    ),
    (
        "q2_status",
        f"{SECOND_WORD} + status=closed",
        "/triage?" + urlencode({"q": SECOND_WORD, "status": "closed"}),
    ),
    (
        "q_commitment",
        f"{SECOND_WORD} + commitment",
        "/triage?" + urlencode({"q": SECOND_WORD}) + "&commitment={commitment}",
    ),
    (
        "q_code",
        f"{COMMON_WORD} + code",
        "/triage?" + urlencode({"q": COMMON_WORD}) + "&code={code}",
    ),
    (
        "q_dates",
        f"{SECOND_WORD} + received in one month",
        "/triage?" + urlencode({"q": SECOND_WORD}) + "&from={month_start}&to={month_end}",
    ),
    (
        "q_assignee",
        f"{COMMON_WORD} + assigned to me",
        "/triage?" + urlencode({"q": COMMON_WORD, "assignee": "me"}),
    ),
    (
        "q_rare_status",
        f"{RARE_WORD} + status=closed (rare)",
        "/triage?" + urlencode({"q": RARE_WORD, "status": "closed"}),
    ),
    (
        "q_page_21",
        f"{COMMON_WORD} + status=closed, page 21",
        ("walk", "/triage?" + urlencode({"q": COMMON_WORD, "status": "closed"})),
    ),
]


# ---------------------------------------------------------------------------------------------
# Set-up: database, seed, account


def dialect_of(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("postgresql", "postgres")):
        return "postgresql"
    raise SystemExit(f"Unsupported database URL: {url}")


def code_fingerprint() -> str:
    """A short hash of the app's code, templates and migrations, to tie figures to a version."""
    import hashlib

    digest = hashlib.sha256()
    for pattern in ("portal/**/*.py", "templates/**/*.html", "migrations/versions/*.py"):
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def masked(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=BENCH_SECRET_KEY,
        FLASK_RATELIMIT_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def flask(
    env: dict[str, str],
    *args: str,
    stdin: str | None = None,
    check: bool = True,
    stream: bool = False,
) -> subprocess.CompletedProcess:
    command = [str(VENV_BIN / "flask"), "--app", "wsgi", *args]
    log("$ flask --app wsgi " + " ".join(args))
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        stdout=None if stream else subprocess.PIPE,
        stderr=None if stream else subprocess.PIPE,
        check=False,
    )
    if check and result.returncode != 0:
        raise SystemExit(
            f"flask {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def helper(env: dict[str, str], *args: str, stdin: str | None = None, fatal: bool = True) -> dict:
    """Run this file's in-app helper under the virtualenv's Python; return its JSON."""
    result = subprocess.run(
        [str(VENV_BIN / "python"), str(Path(__file__).resolve()), "_helper", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = f"helper {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        if fatal:
            raise SystemExit(message)
        log(message[-2000:])
        return {"error": result.stderr[-4000:]}
    return json.loads(result.stdout)


def prepare_database(args: argparse.Namespace, env: dict[str, str], dialect: str) -> dict:
    """Migrate, load the framework, seed if needed, create the bench account."""
    seed_record = RESULTS / f"seed-{dialect}.json"
    if dialect == "sqlite" and args.database_url == default_sqlite_url() and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(DEFAULT_SQLITE) + suffix).unlink(missing_ok=True)
        log(f"fresh SQLite database at {DEFAULT_SQLITE}")
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    upgrade_seconds = round(time.perf_counter() - started, 1)
    flask(env, "framework", "load")
    existing = helper(env, "count")["feedback"]
    log(f"database holds {existing:,} feedback items")
    info: dict = {
        "existing_before": existing,
        "upgrade_seconds": upgrade_seconds,  # migrations applied to what was already there
        "seeded": 0,
        "seed_seconds": None,
    }
    if existing >= args.feedback and args.reuse:
        log(f"--reuse: {existing:,} >= {args.feedback:,}, not seeding")
        if seed_record.exists():
            info["previous_seed"] = json.loads(seed_record.read_text())
    else:
        if existing and not args.reuse:
            raise SystemExit(
                f"The database already holds {existing:,} items: pass --reuse to use (and top up) "
                "it, or point --database-url at an empty database."
            )
        distinct = min(args.distinct or args.feedback, args.feedback)
        missing = max(distinct - existing, 0)
        started = time.perf_counter()
        if missing:
            flask(env, "demo", "seed", "--feedback", str(missing), "--seed", "1", stream=True)
        if distinct < args.feedback:
            log(f"copying {distinct:,} items up to {args.feedback:,} (bench/replicate.py)")
            subprocess.run(
                [
                    str(VENV_BIN / "python"),
                    str(ROOT / "bench" / "replicate.py"),
                    "--database-url",
                    args.database_url,
                    "--distinct",
                    str(distinct),
                    "--to",
                    str(args.feedback),
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
            info["distinct"] = distinct
        info["seeded"] = args.feedback - existing
        info["seed_seconds"] = round(time.perf_counter() - started, 1)
        log(f"seeded {missing:,} items in {info['seed_seconds']:.0f} s")
        seed_record.write_text(
            json.dumps(
                {
                    "seeded": missing,
                    "seed_seconds": info["seed_seconds"],
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                indent=2,
            )
        )
    created = flask(
        env,
        "users",
        "create",
        BENCH_EMAIL,
        "--role",
        "member",
        "--password-stdin",
        stdin=BENCH_PASSWORD + "\n",
        check=False,
    )
    if created.returncode != 0 and "already exists" not in created.stdout + created.stderr:
        raise SystemExit(f"could not create the bench account:\n{created.stdout}{created.stderr}")
    info["fixtures"] = helper(env, "fixtures", BENCH_EMAIL)
    info.update(helper(env, "stats"))
    return info


def default_sqlite_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE}"


# ---------------------------------------------------------------------------------------------
# Gunicorn


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Gunicorn:
    def __init__(
        self, env: dict[str, str], workers: int, port: int, logfile: Path, app: str = "wsgi:app"
    ):
        self.env, self.workers, self.port, self.logfile = env, workers, port, logfile
        self.app = app
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if port_in_use(self.port):
            raise SystemExit(f"Port {self.port} is already in use: choose another with --port")
        command = [
            str(VENV_BIN / "gunicorn"),
            "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}",
            "--log-file", str(self.logfile),
            self.app,
        ]  # fmt: skip
        log("$ gunicorn " + " ".join(command[1:]))
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see {self.logfile}")
            try:
                status, _, _ = request(self.port, "GET", "/healthz", timeout=5)
                if status == 200:
                    log(f"gunicorn pid {self.process.pid} answering on port {self.port}")
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer /healthz within 90 s")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log(f"gunicorn stopped ({process.returncode})")


# ---------------------------------------------------------------------------------------------
# HTTP


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 120,
):
    """One request on a new connection (gunicorn's sync workers close after each response)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.headers, data
    finally:
        connection.close()


class Client:
    """A signed-in browser, as far as the inbox needs one: a cookie jar of one site."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _remember(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["expires"] and "1970" in morsel["expires"] or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie} if cookie else {}

    def get(self, path: str):
        status, headers, body = request(self.port, "GET", path, headers=self.headers())
        self._remember(headers)
        return status, headers, body

    def sign_in(self, email: str, password: str) -> None:
        status, _, body = self.get("/login")
        if status != 200:
            raise SystemExit(f"GET /login answered {status}")
        tag = CSRF_INPUT.search(body.decode())
        value = VALUE.search(tag.group(0)) if tag else None
        if value is None:
            raise SystemExit("no csrf_token input on the sign-in page")
        form = urlencode(
            {"email": email, "password": password, "csrf_token": html.unescape(value.group(1))}
        ).encode()
        headers = {**self.headers(), "Content-Type": "application/x-www-form-urlencoded"}
        status, response_headers, body = request(self.port, "POST", "/login", form, headers)
        self._remember(response_headers)
        if status not in (302, 303):
            raise SystemExit(f"sign-in failed: POST /login answered {status}")
        status, _, _ = self.get("/triage")
        if status != 200:
            raise SystemExit(f"signed in, but /triage answered {status}")


def next_link(body: bytes) -> str | None:
    tag = NEXT_LINK.search(body.decode())
    if not tag:
        return None
    href = HREF.search(tag.group(0))
    return html.unescape(href.group(1)) if href else None


def find_page(client: Client, start: str, page: int) -> tuple[str, list[float]]:
    """Follow rel="next" from `start` until page `page`; return its URL and each hop's ms."""
    path, hops = start, []
    for number in range(2, page + 1):
        began = time.perf_counter()
        status, _, body = client.get(path)
        hops.append((time.perf_counter() - began) * 1000)
        if status != 200:
            raise SystemExit(f"{path} answered {status} while walking to page {page}")
        following = next_link(body)
        if following is None:
            raise SystemExit(f"no next link on page {number - 1}: too few items for page {page}")
        split = urlsplit(following)
        path = split.path + ("?" + split.query if split.query else "")
    return path, hops


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 200 samples is the 190th smallest)."""
    index = max(0, min(len(sorted_values) - 1, int(-(-fraction * len(sorted_values) // 1)) - 1))
    return sorted_values[index]


# ---------------------------------------------------------------------------------------------
# What the machine was doing: CPU pressure and the server's own CPU time (Linux /proc)


def cpu_pressure_total() -> int | None:
    """Microseconds in which some runnable task waited for a CPU (PSI), or None."""
    try:
        for line in Path("/proc/pressure/cpu").read_text().splitlines():
            if line.startswith("some"):
                return int(line.rsplit("total=", 1)[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from `state` on


def server_pids(master: int | None, database: str | None) -> list[int]:
    """The gunicorn master's workers and, on PostgreSQL, the backends serving `database`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        if master is not None and int(fields[1]) == master:
            pids.append(int(entry.name))
        elif database:
            try:
                raw = (entry / "cmdline").read_bytes()
                title = raw.replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            out[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return out


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes have used since boot (every core), from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Probe:
    """Server CPU time and CPU pressure over a stretch of the run."""

    def __init__(self, master: int | None = None, database: str | None = None):
        self.master, self.database = master, database

    def __enter__(self) -> Probe:
        self.pids = server_pids(self.master, self.database)
        self.cpu = cpu_seconds(self.pids)
        self.pressure = cpu_pressure_total()
        self.busy = machine_busy_seconds()
        self.client = sum(os.times()[:2])
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.began
        after = cpu_seconds(self.pids)
        self.server_cpu_s = sum(after[p] - self.cpu[p] for p in after if p in self.cpu)
        busy = machine_busy_seconds()
        client = sum(os.times()[:2]) - self.client
        self.client_cpu_s = client
        capacity = self.wall * (os.cpu_count() or 1)
        self.other_cpu_pct = (
            max(0.0, round(100 * (busy - self.busy - self.server_cpu_s - client) / capacity, 1))
            if busy is not None and self.busy is not None
            else None
        )
        pressure = cpu_pressure_total()
        self.pressure_pct = (
            round(100 * (pressure - self.pressure) / (self.wall * 1e6), 1)
            if pressure is not None and self.pressure is not None
            else None
        )


def run_scenario(
    client: Client, path: str, requests: int, concurrency: int, warmup: int, probe: Probe
) -> dict:
    headers = client.headers()
    rows_seen = []

    def one(_: int) -> float:
        began = time.perf_counter()
        status, _, body = request(client.port, "GET", path, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        rows_seen.append(body.count(b'name="ids"'))
        return elapsed

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(warmup)))  # spread over the workers, so each one is warm
    rows_seen.clear()
    load_before = os.getloadavg()
    with probe, concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        timings = list(pool.map(one, range(requests)))
    wall = probe.wall
    timings.sort()
    return {
        "path": path,
        "requests": requests,
        "concurrency": concurrency,
        "warmup": warmup,
        "rows_on_page": sorted(set(rows_seen)),
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "min_ms": round(timings[0], 1),
        "max_ms": round(timings[-1], 1),
        "requests_per_s": round(requests / wall, 1),
        "wall_s": round(wall, 2),
        "loadavg_before": [round(x, 2) for x in load_before],
        # CPU the server (gunicorn workers, and PostgreSQL backends of this database, not its
        # short-lived parallel workers) spent per request: what the page costs, whatever else
        # the machine was doing. 2 cores / this = the most requests/s the machine could serve.
        "server_cpu_ms_per_request": round(1000 * probe.server_cpu_s / requests, 1),
        "client_cpu_ms_per_request": round(1000 * probe.client_cpu_s / requests, 1),
        # Share of the machine's CPU (all cores) used by anything other than this benchmark's
        # server and client during the timed run: other work on the machine shows here (so do
        # PostgreSQL parallel workers and autovacuum, which this does not attribute).
        "other_cpu_pct": probe.other_cpu_pct,
        # Share of the time some task waited for a CPU (Linux PSI), this benchmark's included.
        "cpu_pressure_pct": probe.pressure_pct,
        "goal_met": percentile(timings, 0.95) < GOAL_P95_MS,
    }


# ---------------------------------------------------------------------------------------------
# The driver


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=default_sqlite_url(),
        help="SQLAlchemy URL (default: a SQLite file bench/results/bench.db, recreated "
        "unless --reuse)",
    )
    parser.add_argument("--feedback", type=int, default=1_000_000, help="items to seed")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database; seed only if it holds fewer than --feedback items",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--warmup", type=int, default=8, help="untimed requests per scenario")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--page", type=int, default=21, help="the deep page to reach")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="JSON results (default bench/results/inbox-<dialect>.json)",
    )
    parser.add_argument("--no-plans", action="store_true", help="skip the explain step")
    parser.add_argument(
        "--distinct",
        type=int,
        default=None,
        help="seed only this many items with the demo seed, then copy them in SQL up to "
        "--feedback (bench/replicate.py): minutes instead of an hour on a busy machine",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="SCENARIO", help="run only these scenarios (their keys)"
    )
    parser.add_argument(
        "--wsgi-app",
        default="wsgi:app",
        help="what gunicorn serves (to measure a variant, e.g. a module wrapping the app)",
    )
    parser.add_argument(
        "--report",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="print the tables of earlier runs from their JSON files, and run nothing",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 if any scenario's p95 is {GOAL_P95_MS:.0f} ms or more",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.report:
        for path in args.report:
            print_table(json.loads(path.read_text()))
        return 0
    dialect = dialect_of(args.database_url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = args.output or RESULTS / f"inbox-{dialect}.json"
    for tool in ("flask", "gunicorn", "python"):
        if not (VENV_BIN / tool).exists():
            raise SystemExit(f"{VENV_BIN / tool} is missing: run `make setup` first")
    env = app_env(args.database_url)
    result: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dialect": dialect,
        "database_url": masked(args.database_url),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "feedback": args.feedback,
            "requests": args.requests,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "workers": args.workers,
            "server": f"gunicorn --workers {args.workers} (sync) {args.wsgi_app}",
        },
        "goal_p95_ms": GOAL_P95_MS,
        "code_fingerprint": code_fingerprint(),
    }
    result["database"] = prepare_database(args, env, dialect)

    server = Gunicorn(
        env, args.workers, args.port, RESULTS / f"gunicorn-{dialect}.log", args.wsgi_app
    )
    scenarios: dict[str, dict] = {}
    try:
        server.start()
        client = Client(args.port)
        client.sign_in(BENCH_EMAIL, BENCH_PASSWORD)
        log("warming every worker up (templates, connections)")
        database = args.database_url.rsplit("/", 1)[-1] if dialect == "postgresql" else None
        run_scenario(client, "/triage", 4 * args.workers, args.workers, 0, Probe())
        values = {k: quote(str(v)) for k, v in result["database"]["fixtures"].items()}
        for key, label, path in SCENARIOS:
            if args.only and key not in args.only:
                continue
            extra = {}
            if isinstance(path, tuple):
                path, hops = find_page(client, path[1].format(**values), args.page)
                extra = {"walk_ms": [round(h, 1) for h in hops]}
                log(f"page {args.page}: {path}")
            path = path.format(**values)
            log(f"{label}: {args.requests} requests, {args.concurrency} at a time")
            scenarios[key] = {
                "label": label,
                **run_scenario(
                    client,
                    path,
                    args.requests,
                    args.concurrency,
                    args.warmup,
                    Probe(server.process.pid, database),
                ),
                **extra,
            }
            s = scenarios[key]
            log(
                f"  median {s['median_ms']} ms, p95 {s['p95_ms']} ms, {s['requests_per_s']} req/s, "
                f"server CPU {s['server_cpu_ms_per_request']} ms/request, "
                f"other CPU {s['other_cpu_pct']}%"
            )
    finally:
        server.stop()
    result["scenarios"] = scenarios
    if code_fingerprint() != result["code_fingerprint"]:
        result["code_changed_during_run"] = True
        log(
            "WARNING: the app's code changed during the run; "
            "gunicorn served the version it started with"
        )
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]

    if not args.no_plans:
        log("capturing SQL per request and explaining it")
        urls = {key: s["path"] for key, s in scenarios.items()}
        result["queries"] = helper(
            env,
            "plans",
            stdin=json.dumps({"urls": urls, "email": BENCH_EMAIL, "password": BENCH_PASSWORD}),
            fatal=False,  # the timings are worth keeping even if explaining fails
        )
    output.write_text(json.dumps(result, indent=2))
    log(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    print_table(result)
    missed = [k for k, s in scenarios.items() if not s["goal_met"]]
    return 1 if args.check and missed else 0


def print_table(result: dict) -> None:
    db = result["database"]
    print()
    print(
        f"{result['dialect']}: {db.get('feedback', '?'):,} items, schema "
        f"{db.get('alembic_revision')}, code {result.get('code_fingerprint')}"
        f"{' (changed during the run)' if result.get('code_changed_during_run') else ''}, gunicorn "
        f"{result['settings']['workers']} workers, {result['settings']['requests']} requests x "
        f"{result['settings']['concurrency']} concurrent, {result['machine']['cpus']} CPUs, "
        f"load {result['machine']['loadavg_at_start'][0]}"
    )
    print()
    print(
        "| Scenario | Median (ms) | p95 (ms) | Requests/s | p95 < 100 ms "
        "| Server CPU (ms/request) | Other CPU use | SQL statements |"
    )
    print("|---|---:|---:|---:|:-:|---:|---:|---:|")
    queries = result.get("queries", {}).get("requests", {})
    for key, s in result["scenarios"].items():
        statements = queries.get(key, {}).get("statement_count", "")
        print(
            f"| {s['label']} | {s['median_ms']:.1f} | {s['p95_ms']:.1f} | "
            f"{s['requests_per_s']:.1f} | {'yes' if s['goal_met'] else '**no**'} | "
            f"{s.get('server_cpu_ms_per_request', '')} | {s.get('other_cpu_pct', '?')}% | "
            f"{statements} |"
        )
    slow = result.get("queries", {}).get("slowest", [])
    if slow:
        print()
        print("Slowest statements (in-process, one at a time):")
        for entry in slow[:6]:
            print(f"  {entry['ms']:8.1f} ms  {entry['scenario']}: {entry['kind']}")


# ---------------------------------------------------------------------------------------------
# In-app helper: runs under .venv/bin/python with DATABASE_URL set


def _helper(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, inspect, select

    from portal import create_app
    from portal.extensions import db
    from portal.models import Feedback

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    command = argv[0]
    if command == "plans":
        # Outside any app context, so each test-client request gets its own session, as under
        # gunicorn (an outer context would keep the identity map and hide queries).
        print(json.dumps(_plans(app, db, json.loads(sys.stdin.read()))))
        return 0
    with app.app_context():
        if command == "count":
            has_table = inspect(db.engine).has_table("feedback")
            count = (
                db.session.scalar(select(func.count()).select_from(Feedback)) if has_table else 0
            )
            print(json.dumps({"feedback": count}))
        elif command == "stats":
            print(json.dumps(_database_stats(db)))
        elif command == "fixtures":
            print(json.dumps(_fixtures(db, argv[1])))
        else:
            raise SystemExit(f"unknown helper command {command}")
    return 0


def _fixtures(db, email: str) -> dict:
    """Give the scenarios a code on 2% of the items and 0.5% of them assigned to the bench
    account (once: the seed makes neither), a commitment and a month of received dates."""
    from datetime import timedelta

    from sqlalchemy import func, select, text

    from portal.models import Code, Commitment, Feedback, User
    from portal.triage.codeframe import create_code

    user = db.session.scalar(select(User).where(User.email == email))
    code = db.session.scalar(select(Code).where(Code.name == "Bench lighting"))
    if code is None:
        code = create_code(user, "Bench lighting")
        db.session.flush()
        db.session.execute(
            text(
                "INSERT INTO feedback_codes (feedback_id, code_id) "
                "SELECT id, :code FROM feedback WHERE id % 50 = 7"
            ),
            {"code": code.id},
        )
        db.session.execute(
            text("UPDATE feedback SET assignee_id = :user WHERE id % 200 = 3"), {"user": user.id}
        )
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    commitment = db.session.scalar(
        select(Commitment.slug).where(Commitment.slug == "foodbank-collection-points")
    ) or db.session.scalar(select(Commitment.slug).order_by(Commitment.id))
    newest = db.session.scalar(select(func.max(Feedback.received_at)))
    month_end = (newest - timedelta(days=90)).date()
    return {
        "code": code.id,
        "commitment": commitment,
        "month_start": (month_end - timedelta(days=30)).isoformat(),
        "month_end": month_end.isoformat(),
    }


def _database_stats(db) -> dict:
    from sqlalchemy import text

    dialect = db.engine.dialect.name
    stats: dict = {
        "feedback": db.session.scalar(text("SELECT count(*) FROM feedback")),
        "alembic_revision": db.session.scalar(text("SELECT version_num FROM alembic_version")),
    }
    if dialect == "sqlite":
        stats["sqlite_version"] = db.session.scalar(text("SELECT sqlite_version()"))
        stats["sqlite_stat1"] = bool(
            db.session.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            )
        )
        url = db.engine.url.database
        if url and Path(url).exists():
            stats["file_mb"] = round(Path(url).stat().st_size / 1e6, 1)
    else:
        stats["server_version"] = db.session.scalar(text("SHOW server_version"))
        stats["table_mb"] = round(
            db.session.scalar(text("SELECT pg_total_relation_size('feedback')")) / 1e6, 1
        )
        row = db.session.execute(
            text(
                "SELECT last_analyze, last_autoanalyze, last_vacuum, last_autovacuum "
                "FROM pg_stat_user_tables WHERE relname = 'feedback'"
            )
        ).one_or_none()
        if row:
            stats["feedback_maintenance"] = {
                k: (v.isoformat(timespec="seconds") if v else None) for k, v in row._mapping.items()
            }
    return stats


def _kind(statement: str) -> str:
    """A short name for a captured statement, to read the per-request list at a glance."""
    s = " ".join(statement.split()).lower()
    head = s[:200]
    if "group by feedback.status" in s:
        return "status counts"
    if "feedback_status_counts" in head:
        return "status totals (counter table)"
    if head.startswith("select count(") and "limit" in s:
        return "status count (capped)"
    if head.startswith("select feedback.status ") and "limit" in s:
        return "status counts (capped sample)"
    if head.startswith("select feedback.id") or "from feedback" in head.split(" where ")[0]:
        if "limit" in s:
            return "inbox page"
    if "feedback_roles" in head:
        return "page tags: roles (selectin)"
    if "feedback_themes" in head:
        return "page tags: themes (selectin)"
    if "feedback_codes" in head:
        return "page tags: codes (selectin)"
    if "commitment_roles" in head:
        return "commitment roles (selectin)"
    if "commitment_themes" in head:
        return "commitment themes (selectin)"
    if "from users" in s:
        return "users"
    if "from commitments" in s:
        return "commitments"
    if "from codes" in s:
        return "codes"
    if "from roles" in s:
        return "roles"
    if "from themes" in s:
        return "themes"
    return s[:60]


def _plans(app, db, spec: dict) -> dict:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    dialect = engine.dialect.name
    captured: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    client = app.test_client()
    response = client.post("/login", data={"email": spec["email"], "password": spec["password"]})
    if response.status_code not in (302, 303):
        raise SystemExit(f"in-process sign-in failed: {response.status_code}")
    requests: dict[str, dict] = {}
    for key, url in spec["urls"].items():
        client.get(url)  # warm: templates compiled, pool filled
        timings = []
        for _ in range(5):  # one request at a time, no server, no HTTP: the floor
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        event.listen(engine, "before_cursor_execute", before)
        captured.clear()
        try:
            response = client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        requests[key] = {
            "url": url,
            "status": response.status_code,
            "in_process_ms": round(statistics.median(timings), 1),
            "statement_count": len(captured),
            "statements": [{"sql": s, "params": _jsonable(p)} for s, p in captured],
        }

    raw = engine.raw_connection()
    try:
        for key, entry in requests.items():
            for statement in entry["statements"]:
                sql = statement["sql"]
                statement["kind"] = _kind(sql)
                if not sql.lstrip().lower().startswith("select"):
                    continue
                params = _params_back(statement["params"])
                try:
                    statement["ms"] = _time_statement(raw, sql, params)
                    statement["plan"] = _explain(raw, dialect, sql, params)
                except Exception as error:  # noqa: BLE001 (record it, explain the rest)
                    raw.rollback()
                    statement["error"] = f"{type(error).__name__}: {error}"
                    continue
                statement["scans"] = _scans(dialect, statement["plan"])
            entry["db_ms_total"] = round(sum(s.get("ms", 0) for s in entry["statements"]), 1)
    finally:
        raw.close()
    slowest = sorted(
        (
            {"scenario": key, "kind": s["kind"], "ms": s["ms"], "scans": s.get("scans")}
            for key, entry in requests.items()
            for s in entry["statements"]
            if "ms" in s
        ),
        key=lambda x: -x["ms"],
    )
    return {"dialect": dialect, "requests": requests, "slowest": slowest[:15]}


def _jsonable(params):
    if isinstance(params, dict):
        return {"__dict__": {k: _jsonable(v) for k, v in params.items()}}
    if isinstance(params, (list, tuple)):
        return [_jsonable(v) for v in params]
    if isinstance(params, (str, int, float, bool)) or params is None:
        return params
    if isinstance(params, datetime):
        return {"__datetime__": params.isoformat()}
    return str(params)


def _params_back(params):
    if isinstance(params, dict) and "__dict__" in params:
        return {k: _params_back(v) for k, v in params["__dict__"].items()}
    if isinstance(params, dict) and "__datetime__" in params:
        return datetime.fromisoformat(params["__datetime__"])
    if isinstance(params, list):
        return tuple(_params_back(v) for v in params)
    return params


def _time_statement(raw, sql: str, params) -> float:
    runs = []
    for _ in range(3):
        cursor = raw.cursor()
        began = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        runs.append((time.perf_counter() - began) * 1000)
        cursor.close()
    raw.rollback()
    return round(statistics.median(runs), 2)


def _explain(raw, dialect: str, sql: str, params) -> list[str]:
    cursor = raw.cursor()
    try:
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
            depth: dict[int, int] = {0: -1}
            lines = []
            for node_id, parent, _unused, detail in rows:
                depth[node_id] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node_id] + detail)
            return lines
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()
        raw.rollback()


def _scans(dialect: str, plan: list[str]) -> list[str]:
    """Return the plan lines that read a big table or index from end to end.

    On SQLite, `SCAN feedback USING INDEX ix_feedback_received` under a LIMIT stops after the
    page (that is the intended first-page plan); a SCAN under a GROUP BY or a TEMP B-TREE sort
    reads everything. On PostgreSQL the ANALYZE figures (rows=, actual time) say which.
    """
    big = ("feedback", "contact_details", "feedback_roles", "feedback_themes", "feedback_codes")
    found = []
    for line in plan:
        text = line.strip()
        if dialect == "sqlite":
            match = re.match(r"SCAN (\w+)", text)
            if match and match.group(1) in big:
                found.append(text)
        else:
            match = re.search(
                r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)\S* .*on (\w+)", text
            )
            if match and match.group(2) in big:
                rows = re.search(r"actual time=\S+ rows=(\d+)", text)
                if "Seq Scan" in text or (rows and int(rows.group(1)) > 10_000):
                    found.append(text.lstrip("-> "))
    return found


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_helper":
        sys.exit(_helper(sys.argv[2:]))
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
