"""Public pages beside a bare Flask app serving the same bytes, in one run (issue 17).

    .venv/bin/python bench/public.py [--duration 10] [--rounds 3] [--connections 16]

What it does:

1. makes a fresh SQLite database (migrations, `flask framework load`) under bench/results/;
2. starts the portal with gunicorn (2 sync workers, rate limits off) and, beside it, a bare
   Flask + Jinja app (bench/public_bare.py, also gunicorn with 2 workers) that returns, for the
   same addresses, the bytes the portal rendered for them;
3. loads each page with `wrk -t2 -c16` for `--duration` seconds, the portal and the bare app in
   turn, `--rounds` times, and prints each page's requests per second (the median of the rounds)
   beside the ceiling and the ratio; `/healthz` is loaded too, as the portal's own floor;
4. measures each run's server CPU per request too (the gunicorn workers' user + system time
   from /proc, divided by the requests wrk counted): on a machine shared with other work the
   requests per second depend on the share of the cores each server gets, the CPU per request
   does not, so the bare app's CPU per request over the portal's is the ratio an idle machine
   would give (less wrk's own share);
5. prints a profile of the commitment page as wrk asks for it (the Flask test client without
   cookies, so every request is a first visit with a new session and form token; 200 requests,
   cProfile by cumulative time) and how often the fragment cache (portal/core/fragments.py)
   answered.

Results go to bench/results/public.json. `wrk` is Debian's (`apt-get install wrk`;
`make bench-public` installs it when missing and run as root).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"
DATA_KEY = "YmVuY2gtcHVibGljLWRhdGEta2V5LTAwMDAwMDAwMDA"


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str) -> tuple[list[str], dict[str, bytes]]:
    """Migrate a new database, load the framework; return the slugs and the pages' bytes."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.framework import load_framework
    from portal.models import Commitment

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False},
        instance_path=RESULTS / "public-instance",
    )
    with app.app_context():
        upgrade()
        load_framework()
        db.session.commit()
        slugs = list(
            db.session.scalars(
                select(Commitment.slug)
                .where(Commitment.active.is_(True))
                .order_by(Commitment.position)
            )
        )
    client = app.test_client()
    pages = {
        "commitment.html": client.get(f"/commitments/{slugs[0]}").data,
        "framework.html": client.get("/framework").data,
        "home.html": client.get("/").data,
    }
    return slugs, pages


def profile(url: str, path: str, requests: int = 200) -> tuple[str, dict[str, int]]:
    """Profile `requests` GETs of `path` through the test client (warm), by cumulative time."""
    from portal import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False},
        instance_path=RESULTS / "public-instance",
    )
    client = app.test_client(use_cookies=False)  # as wrk: a first visit every time
    for _ in range(20):
        client.get(path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    cache = app.extensions["fragment_cache"]
    text = f"{requests} requests of {path} in {elapsed:.2f} s under the profiler\n" + out.getvalue()
    return text, {"hits": cache.hits, "misses": cache.misses, "entries": len(cache.entries)}


class Server:
    """A gunicorn serving a WSGI app on a free port."""

    def __init__(self, name: str, app: str, env: dict[str, str], workers: int) -> None:
        self.name, self.port = name, free_port()
        self.logfile = RESULTS / f"public-{name}.log"
        command = [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
            app,
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=self.logfile.open("w"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{name}: gunicorn exited; see {self.logfile}")
            try:
                urllib.request.urlopen(self.url("/"), timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{name}: gunicorn did not answer within 60 s")

    def workers(self) -> list[int]:
        """The gunicorn workers' process ids (the master's children)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far."""
        total = 0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url: str, duration: int, connections: int, threads: int) -> dict[str, float]:
    """Run wrk against `url`; return requests per second and the non-2xx count."""
    output = subprocess.run(  # noqa: S603
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    latency = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    return {
        "rps": rate,
        "requests": requests,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p99": latency.group(1) if latency else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="portal/bare alternations")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, each app")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make bench-public does this)")

    RESULTS.mkdir(parents=True, exist_ok=True)
    database = RESULTS / "public.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    slugs, pages = prepare_database(url)
    pages_dir = RESULTS / "public-bare-pages"
    pages_dir.mkdir(exist_ok=True)
    for name, body in pages.items():
        # {% raw %}: the page's bytes are the template's output, whatever braces they hold.
        (pages_dir / name).write_bytes(b"{% raw %}" + body + b"{% endraw %}")
    log(
        f"pages: commitment {len(pages['commitment.html']):,} bytes, framework "
        f"{len(pages['framework.html']):,} bytes"
    )

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-public",
        "DATA_KEY": DATA_KEY,
        "FLASK_RATELIMIT_ENABLED": "false",
        "BARE_PAGES_DIR": str(pages_dir),
    }
    servers = {
        "portal": Server("portal", "wsgi:app", env, args.workers),
        "bare": Server("bare", "bench.public_bare:app", env, args.workers),
    }
    scenarios = {
        "/commitments/<slug>": f"/commitments/{slugs[0]}",
        "/framework": "/framework",
        "/": "/",
    }
    runs: dict[str, dict[str, list[dict]]] = {s: {"portal": [], "bare": []} for s in scenarios}
    health: list[dict] = []
    load_before = os.getloadavg()
    try:
        # Warm both: every worker compiles its templates and keeps its pages before timing.
        for server in servers.values():
            for path in [*scenarios.values(), "/healthz"]:
                wrk(server.url(path), 3, args.connections, args.threads)
        for round_number in range(1, args.rounds + 1):
            for scenario, path in scenarios.items():
                for name in ("portal", "bare"):
                    cpu_before = servers[name].cpu_seconds()
                    result = wrk(
                        servers[name].url(path), args.duration, args.connections, args.threads
                    )
                    cpu = servers[name].cpu_seconds() - cpu_before
                    result["cpu_ms_per_request"] = 1000 * cpu / max(1, result["requests"])
                    runs[scenario][name].append(result)
                    log(
                        f"round {round_number} {scenario:22} {name:6} {result['rps']:8.0f} req/s"
                        f" {result['cpu_ms_per_request']:6.2f} ms CPU/req"
                        f" (p99 {result['p99']}, non-2xx {result['non_2xx']})"
                    )
            health.append(
                wrk(
                    servers["portal"].url("/healthz"), args.duration, args.connections, args.threads
                )
            )
    finally:
        for server in servers.values():
            server.stop()
    load_after = os.getloadavg()

    summary = []
    log("")
    log(
        f"gunicorn {args.workers} sync workers each, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, median of {args.rounds} alternating rounds; "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    log(
        "| page | portal req/s | bare Flask + Jinja req/s | ratio | portal CPU ms/req "
        "| bare CPU ms/req | CPU ratio |"
    )
    log("|---|---|---|---|---|---|---|")
    for scenario in scenarios:
        portal = statistics.median(r["rps"] for r in runs[scenario]["portal"])
        bare = statistics.median(r["rps"] for r in runs[scenario]["bare"])
        ratio = portal / bare if bare else 0.0
        portal_cpu = statistics.median(r["cpu_ms_per_request"] for r in runs[scenario]["portal"])
        bare_cpu = statistics.median(r["cpu_ms_per_request"] for r in runs[scenario]["bare"])
        cpu_ratio = bare_cpu / portal_cpu if portal_cpu else 0.0
        summary.append(
            {
                "page": scenario,
                "portal": portal,
                "bare": bare,
                "ratio": ratio,
                "portal_cpu_ms": portal_cpu,
                "bare_cpu_ms": bare_cpu,
                "cpu_ratio": cpu_ratio,
            }
        )
        log(
            f"| `{scenario}` | {portal:,.0f} | {bare:,.0f} | {ratio:.2f} | {portal_cpu:.2f} "
            f"| {bare_cpu:.2f} | {cpu_ratio:.2f} |"
        )
    healthz = statistics.median(r["rps"] for r in health)
    log(f"| `/healthz` | {healthz:,.0f} | | |")

    report = {
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after},
        "settings": vars(args),
        "summary": summary,
        "healthz": healthz,
        "runs": runs,
    }
    if not args.no_profile:
        text, cache = profile(url, scenarios["/commitments/<slug>"])
        log("")
        log("Profile of the commitment page:")
        log(text)
        log(f"fragment cache: {cache}")
        report["profile_cache"] = cache
    (RESULTS / "public.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
