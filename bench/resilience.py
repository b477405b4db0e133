"""Resilience and throughput: 32 concurrent clients submit feedback for 30 seconds against
gunicorn with 4 workers; the server is killed with SIGKILL mid-run and restarted. Every
submission that was acknowledged with a reference must be in the database, and none may be
stored twice. The throughput is the submissions acknowledged a second while the server runs
undisturbed (before the kill; the whole run with --no-kill), with the server's CPU time per
acknowledged submission over the same window (what bounds the throughput on any machine), and
the bench's own clients' CPU per acknowledged submission (they share the machine's cores).

    .venv/bin/python bench/resilience.py [--clients 32] [--seconds 30] [--kill-at 12]
        [--no-kill] [--workers 4] [--database-url URL]  # default: a fresh SQLite file

Each submission is what a person without JavaScript does: open the form (GET /feedback), send
it (POST, answered 303) and read the reference on the confirmation page; it counts as
acknowledged once the reference is shown. A client that loses its connection resubmits the
same form (same one-time key), as a person pressing the button again would. Exit status 1 if
anything acknowledged was lost or duplicated.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HIDDEN_INPUT = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')
REFERENCE = re.compile(r'id="reference">(SVF-[A-Z0-9]+)<')


def hidden_fields(page: str) -> dict[str, str]:
    """Return the hidden inputs of a form: the CSRF token and the one-time submission key."""
    fields = {}
    for tag in HIDDEN_INPUT.findall(page):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


WANTED_HEADERS = re.compile(
    rb"\r\n(set-cookie|content-length|transfer-encoding):[ \t]*([^\r]*)", re.IGNORECASE
)


def _header_fields(head: bytes) -> dict[bytes, bytes]:
    """The response headers this client reads (Set-Cookie, Content-Length, Transfer-Encoding),
    by lower-case name; the last of each."""
    return {name.lower(): value for name, value in WANTED_HEADERS.findall(head)}


def _unchunk(content: bytes) -> bytes:
    """The body of a chunked response (HTTP/1.1 chunked transfer coding)."""
    body, rest = [], content
    while True:
        size_line, separator, rest = rest.partition(b"\r\n")
        if not separator:
            raise ConnectionError("incomplete response")
        size = int(size_line.split(b";", 1)[0], 16)
        if size == 0:
            return b"".join(body)
        if len(rest) < size + 2:
            raise ConnectionError("incomplete response")
        body.append(rest[:size])
        rest = rest[size + 2 :]


class Client:
    """One person's browser: a cookie, a form, a button pressed until it is acknowledged."""

    def __init__(self, number: int, port: int, timeout: float = 30):
        self.number = number
        self.port = port
        self.timeout = timeout
        self.cookie = ""
        self.acknowledged: list[tuple[str, str]] = []  # (reference, body)
        self.acknowledged_at: list[float] = []  # time.monotonic() of each acknowledgement
        self.errors = 0
        self.retries = 0

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        """One HTTP/1.1 request on a new connection, as a browser without JavaScript sends it
        (the cookie, the form's fields); return the status and the page. A plain socket and
        the few header lines this client needs: http.client parsed every header of every
        response with the email package, about half of this process's CPU per submission, on
        the cores the server needs. An answer cut short (the server killed mid-response) is a
        lost connection, as in a browser."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close"]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        payload = b""
        if body is not None:
            payload = body.encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(payload)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.timeout)
            sock.connect(("127.0.0.1", self.port))
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(262144):
                chunks.append(chunk)
        head, separator, content = b"".join(chunks).partition(b"\r\n\r\n")
        if not separator or not head.startswith(b"HTTP/1."):
            raise ConnectionError("incomplete response")
        fields = _header_fields(head)
        if b"set-cookie" in fields:
            self.cookie = fields[b"set-cookie"].split(b";", 1)[0].decode()
        if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            content = _unchunk(content)
        elif b"content-length" in fields and len(content) != int(fields[b"content-length"]):
            raise ConnectionError("incomplete response")
        return int(head[9:12]), content.decode("utf-8", "replace")

    def run(self, stop_at: float, once: bool = False) -> None:
        sequence = 0
        while time.monotonic() < stop_at and not (once and self.acknowledged):
            try:
                status, page = self._request("GET", "/feedback")
            except OSError:
                self.errors += 1
                time.sleep(0.2)
                continue
            if status != 200:
                self.errors += 1
                time.sleep(0.2)
                continue
            fields = hidden_fields(page)
            sequence += 1
            body = f"Resilience client {self.number} submission {sequence}: the lift at Bootle"
            form = urlencode({**fields, "body": body, "stakeholder_type": "passenger"})
            # Press the button until the server answers: same form, same one-time key.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    status, _ = self._request("POST", "/feedback", form)
                    if status == 303:
                        status, confirmation = self._request("GET", "/feedback/confirmation")
                        match = REFERENCE.search(confirmation)
                        if match:
                            self.acknowledged.append((match.group(1), body))
                            self.acknowledged_at.append(time.monotonic())
                        break
                    self.errors += 1
                except OSError:
                    self.errors += 1
                self.retries += 1
                time.sleep(0.2)


def server_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the server's processes (its process group)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp; then utime and stime in clock ticks
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class CpuSampler(threading.Thread):
    """Every half second, note the server's CPU seconds so far (Linux /proc), and this
    process's own: the clients share the machine's cores with the server."""

    def __init__(self, pgid: int, started: float):
        super().__init__(daemon=True)
        self.pgid, self.started = pgid, started
        # (seconds since start, server CPU seconds, client CPU seconds)
        self.samples: list[tuple[float, float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append(
                (
                    time.monotonic() - self.started,
                    server_cpu_seconds(self.pgid),
                    time.process_time(),  # every thread of this process: the 32 clients
                )
            )
            self.stop.wait(0.5)

    def between(self, start: float, end: float, client: bool = False) -> float | None:
        """CPU seconds the server (or, with `client`, this process) used from about `start` to
        about `end`."""
        inside = [s[2 if client else 1] for s in self.samples if start <= s[0] <= end]
        return inside[-1] - inside[0] if len(inside) >= 2 else None


def start_server(port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "1",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120  # a busy machine takes a while to import the app
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # never leave a server behind
    process.wait()
    raise SystemExit("gunicorn did not start")


def warm_up(port: int, count: int) -> None:
    """Send one submission from `count` clients at once, untimed (their items are stored like
    any other), so that every worker has compiled its templates before the clock starts."""
    warmers = [Client(-1 - n, port, timeout=300) for n in range(count)]
    threads = [threading.Thread(target=w.run, args=(time.monotonic() + 600, True)) for w in warmers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--kill-at", type=float, default=12)
    parser.add_argument("--no-kill", action="store_true", help="measure throughput only")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{results / 'resilience.db'}"
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    env = dict(
        os.environ, DATABASE_URL=url, SECRET_KEY="resilience-bench", FLASK_RATELIMIT_ENABLED="false"
    )
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "framework", "load"], cwd=ROOT, env=env, check=True, capture_output=True
    )

    load_at_start = os.getloadavg()[0]
    server = start_server(args.port, env, args.workers)
    warm_up(args.port, 2 * args.workers)
    clients = [Client(n, args.port) for n in range(args.clients)]
    started = time.monotonic()
    stop_at = started + args.seconds
    threads = [threading.Thread(target=c.run, args=(stop_at,)) for c in clients]
    for thread in threads:
        thread.start()
    sampler = CpuSampler(server.pid, started)  # gunicorn leads its own process group
    if Path("/proc/self/stat").exists():
        sampler.start()
    killed_at = restarted_at = None
    if not args.no_kill:
        time.sleep(args.kill_at)
        sampler.stop.set()  # the restarted server is another process group
        os.killpg(server.pid, signal.SIGKILL)  # the master and every worker, mid-request
        server.wait()
        killed_at = time.monotonic() - started
        time.sleep(1)
        server = start_server(args.port, env, args.workers)
        restarted_at = time.monotonic() - started
    for thread in threads:
        thread.join()
    ended = time.monotonic() - started
    sampler.stop.set()
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()

    acknowledged = [a for c in clients for a in c.acknowledged]
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.models import Feedback

    app = create_app()
    with app.app_context():
        stored = dict(db.session.execute(select(Feedback.reference, Feedback.body)).all())
        duplicates = db.session.execute(
            select(Feedback.body, func.count()).group_by(Feedback.body).having(func.count() > 1)
        ).all()
        dialect = db.engine.dialect.name
    found = [ref for ref, body in acknowledged if stored.get(ref) == body]
    # Throughput while the server runs undisturbed: from the moment every client has had one
    # submission acknowledged (each worker has compiled its templates and opened its database
    # connection) to the kill, or to the end of the run with --no-kill.
    window_end = killed_at if killed_at is not None else ended
    firsts = [c.acknowledged_at[0] - started for c in clients if c.acknowledged_at]
    warm = max(firsts) if len(firsts) == len(clients) else window_end
    window = (warm, window_end)
    in_window = sum(
        1 for c in clients for at in c.acknowledged_at if window[0] < at - started <= window[1]
    )
    report = {
        "database": dialect,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "killed_at_s": round(killed_at, 1) if killed_at is not None else None,
        "restarted_at_s": round(restarted_at, 1) if restarted_at is not None else None,
        "acknowledged_per_s": round(in_window / (window[1] - window[0]), 1)
        if window[1] > window[0]
        else None,
        "acknowledged_per_s_window_s": [round(window[0], 1), round(window[1], 1)],
        "acknowledged_per_s_whole_run": round(len(acknowledged) / ended, 1),
        # What bounds the throughput on any machine: the server's CPU per submission (form,
        # POST and confirmation page), over the same window.
        "server_cpu_ms_per_acknowledged": round(1000 * cpu / in_window, 1)
        if (cpu := sampler.between(*window)) is not None and in_window
        else None,
        # The bench's own clients (this process, every thread) over the same window: they run
        # on the same cores, so on this machine they take what the server could have used.
        "client_cpu_ms_per_acknowledged": round(1000 * client_cpu / in_window, 1)
        if (client_cpu := sampler.between(*window, client=True)) is not None and in_window
        else None,
        # What the server alone could sustain on this machine's cores, clients elsewhere.
        "server_bound_per_s": round(os.cpu_count() * in_window / cpu, 1)
        if cpu and in_window
        else None,
        "load_average_1min_at_start": round(load_at_start, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "acknowledged": len(acknowledged),
        "found": len(found),
        "lost": len(acknowledged) - len(found),
        "stored_twice": len(duplicates),
        "stored_total": len(stored),
        "client_errors_during_outage": sum(c.errors for c in clients),
        "resubmissions": sum(c.retries for c in clients),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    name = "throughput" if args.no_kill else "resilience"
    (results / f"{name}-{dialect}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    if report["lost"] or report["stored_twice"] or not report["acknowledged"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
