"""Benchmark: deliver 10,000 queued messages to a local SMTP server with the real worker.

    .venv/bin/python bench/outbox.py [--messages 10000] [--database-url URL] [--batch 500]

Queues N rendered acknowledgement-sized messages in a fresh database (SQLite in bench/results/
by default; a PostgreSQL URL is emptied first), starts aiosmtpd on a free local port, then runs
`flask outbox send --loop` as production does and times it until the server has received every
message. Prints messages per second (whole run, and from the first to the last message, which
leaves out the worker's start-up) and writes a JSON file to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{results / 'outbox.db'}"
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        from tests.conftest import reset_postgresql

        reset_postgresql(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")

    from flask_migrate import upgrade
    from sqlalchemy import insert

    from portal import create_app
    from portal.extensions import db
    from portal.models import utcnow
    from portal.outbox.models import OutboxMessage
    from tests.smtp import Mailbox, smtp_server

    app = create_app()
    with app.app_context():
        upgrade()
        body = (
            "Your reference: SVF-BENCH00\nFollow what happens to your feedback: "
            "http://127.0.0.1:5000/track/" + "x" * 32 + "\n\n"
        ) + "Thank you for your feedback. " * 20
        now = utcnow()
        rows = [
            {
                "message_id": f"<bench-{n}@portal.invalid>",
                "kind": "bench",
                "to_address": f"reader{n}@example.com",
                "subject": f"We have received your feedback: SVF-{n:07d}",
                "text_body": body,
                "html_body": "<p>" + body.replace("\n", "<br>") + "</p>",
                "headers": {},
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for n in range(args.messages)
        ]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(OutboxMessage), rows[start : start + 5000])
        db.session.commit()
        db.engine.dispose()

    mailbox = Mailbox(keep=False)
    done = threading.Event()
    first: list[float] = []

    def on_message(count: int) -> None:
        if count == 1:
            first.append(time.perf_counter())
        if count == args.messages:
            done.set()

    mailbox.on_message = on_message
    with smtp_server(mailbox) as box:
        env = os.environ | {"FLASK_MAIL_URL": f"smtp://127.0.0.1:{box.port}"}
        started = time.perf_counter()
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--loop"]
            + ["--batch", str(args.batch), "--interval", "0.5"],
            cwd=ROOT,
            env=env,
        )
        done.wait(timeout=3600)
        finished = time.perf_counter()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    total = finished - started
    steady = finished - first[0]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": url.split(":", 1)[0],
        "messages": args.messages,
        "received": box.count,
        "seconds_total": round(total, 2),
        "seconds_first_to_last": round(steady, 2),
        "messages_per_second": round(args.messages / total, 1),
        "messages_per_second_steady": round((args.messages - 1) / steady, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    name = f"outbox-{result['database']}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    (results / name).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
