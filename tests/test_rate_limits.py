"""Issue 11: a configured rate limit holds for the whole deployment — every gunicorn worker on
one machine (the database storage, the default) and several machines (Redis, a real
redis-server started here; never skipped)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.extensions import db
from portal.ratelimits.models import RateLimitCounter
from portal.ratelimits.storage import DatabaseStorage

from .conftest import TEST_DATA_KEY, make_app

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 90  # start-up only; nothing here is a timed assertion
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (a local test URL)
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{what} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_gunicorn(database_url: str, workers: int, log: Path, **env: str) -> tuple[str, object]:
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "rate-limit-test-secret",
        "FLASK_DATA_KEY": TEST_DATA_KEY,
        "FLASK_RATELIMIT_ENABLED": "true",
        "FLASK_LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        **env,
    }
    environment.pop("TEST_DATABASE_URL", None)
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            # %(p)s: the id of the worker that answered, to prove both workers served.
            "--access-logformat",
            '%(p)s "%(r)s" %(s)s',
            "wsgi:app",
        ],
        cwd=ROOT,
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/healthz", process, "gunicorn")
    return url, process


def sign_in_attempt(base: str) -> int:
    """Open the sign-in form and post a wrong password, as a browser would; return the status."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    data = urllib.parse.urlencode(
        {
            "csrf_token": token.group(1),
            "email": f"nobody-{uuid.uuid4().hex[:8]}@example.invalid",
            "password": "wrong password",
        }
    ).encode()
    try:
        return opener.open(base + "/login", data=data, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def attempts(bases: list[str], count: int) -> list[int]:
    """Make `count` sign-in attempts at once, spread over the servers; return the statuses."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        status = sign_in_attempt(bases[i % len(bases)])
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def sqlite_database(tmp_path_factory) -> str:
    app = make_app("sqlite", tmp_path_factory)
    return app.config["SQLALCHEMY_DATABASE_URI"]


def test_the_limit_holds_across_gunicorn_workers_with_the_default_storage(
    tmp_path_factory, tmp_path
):
    log = tmp_path / "access.log"
    url, server = start_gunicorn(sqlite_database(tmp_path_factory), 2, log)
    try:
        statuses = attempts([url], 4 * LIMIT)
    finally:
        stop(server)
    assert statuses.count(401) == LIMIT, statuses  # wrong password, checked
    assert statuses.count(429) == 3 * LIMIT, statuses  # refused by the limit
    posts = [line.split()[0] for line in log.read_text().splitlines() if '"POST /login' in line]
    assert len(set(posts)) == 2, "both workers must have answered sign-in attempts"


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """Start Debian's redis-server on a free port for this test (CI installs it: never skip)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server not found: install Debian's redis-server (.ci/run does)"
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, "redis-server exited"
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}"
    stop(process)


def test_the_limit_holds_across_machines_sharing_redis(tmp_path_factory, tmp_path, redis_url):
    # Two "machines": separate databases, so only Redis can share the count.
    servers = [
        start_gunicorn(
            sqlite_database(tmp_path_factory),
            1,
            tmp_path / f"access-{n}.log",
            FLASK_RATELIMIT_STORAGE_URI=redis_url,
        )
        for n in range(2)
    ]
    try:
        statuses = attempts([url for url, _ in servers], 4 * LIMIT)
    finally:
        for _, process in servers:
            stop(process)
    assert statuses.count(401) == LIMIT, statuses
    assert statuses.count(429) == 3 * LIMIT, statuses
    for n in range(2):
        assert '"POST /login' in (tmp_path / f"access-{n}.log").read_text()


@pytest.mark.commits
def test_database_counts_are_atomic_under_concurrency(app):
    """Eight workers counting the same key at once each get a different count."""
    storage = DatabaseStorage("database://")
    counts: list[int] = []
    errors: list[str] = []
    barrier = threading.Barrier(8)

    def count() -> None:
        with app.app_context():
            barrier.wait()
            try:
                counts.append(storage.incr("test/key", 60))
            except Exception as error:  # noqa: BLE001
                errors.append(repr(error))

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(counts) == list(range(1, 9))
    with app.app_context():
        assert storage.get("test/key") == 8
        assert storage.get_expiry("test/key") > time.time()
        storage.clear("test/key")
        assert storage.get("test/key") == 0


def test_an_expired_window_starts_again(app):
    storage = DatabaseStorage("database://")
    with app.app_context():
        storage.incr("test/window", 60)
        storage.incr("test/window", 60)
        row = db.session.get(RateLimitCounter, "test/window")
        row.expires_at = time.time() - 1  # the window has passed
        db.session.commit()
        assert storage.get("test/window") == 0
        assert storage.incr("test/window", 60) == 1
