"""Benchmark: build an Implementation Group agenda over a quarter with 100,000 feedback items.

    .venv/bin/python bench/agenda.py [--feedback 100000] [--database-url URL] [--runs 5]

Seeds N items spread over the last 90 days (plus tags, sentiments and priorities on a share of
them) into a fresh database (SQLite in bench/results/ by default), then times
`meetings.service.create_meeting` — which runs the GROUP BY queries and picks the quotes — and
`refresh_figures`, several times. Prints median and worst, and writes a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Reuse an already seeded database.")
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{results / 'agenda.db'}"
    if url.startswith("sqlite") and not args.reuse:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")

    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text

    from portal import create_app
    from portal.demo.seed import seed_feedback
    from portal.extensions import db
    from portal.framework import load_framework
    from portal.meetings import service
    from portal.models import (
        Feedback,
        FeedbackStatus,
        Priority,
        Sentiment,
        StaffRole,
        User,
        feedback_codes,
    )
    from portal.triage.service import create_code

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        load_framework()
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Feedback))
        started = time.perf_counter()
        if have < args.feedback:
            if url.startswith("postgresql"):
                db.session.execute(text("TRUNCATE feedback CASCADE"))
                db.session.commit()
            seed_feedback(args.feedback, seed=3, span_days=90)
            rng = random.Random(3)
            ids = list(db.session.scalars(select(Feedback.id)))
            user = db.session.scalar(select(User).where(User.email == "bench@example.invalid"))
            if user is None:
                user = User(
                    email="bench@example.invalid",
                    name="Bench",
                    password_hash="x",
                    role=StaffRole.MEMBER,
                )
                db.session.add(user)
                db.session.commit()
            codes = [create_code(user, f"Bench code {n}") for n in range(12)]
            db.session.execute(
                insert(feedback_codes),
                [
                    {"feedback_id": i, "code_id": rng.choice(codes).id}
                    for i in ids
                    if rng.random() < 0.4
                ],
            )
            for sentiment in Sentiment:
                chosen = [i for i in ids if rng.random() < 0.15]
                db.session.execute(
                    Feedback.__table__.update()
                    .where(Feedback.id.in_(chosen[:30000]))
                    .values(sentiment=sentiment.value)
                )
            db.session.execute(
                Feedback.__table__.update()
                .where(Feedback.id.in_([i for i in ids if rng.random() < 0.05][:30000]))
                .values(priority=Priority.URGENT.value)
            )
            db.session.commit()
        seeded = time.perf_counter() - started
        if url.startswith("sqlite"):
            db.session.execute(text("ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        user = db.session.scalar(select(User).where(User.email == "bench@example.invalid"))
        today = datetime.now(UTC).date()
        count_in_period = db.session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(
                Feedback.received_at
                >= datetime.combine(today - timedelta(days=90), datetime.min.time(), tzinfo=UTC),
                Feedback.status != FeedbackStatus.SPAM,
            )
        )
        builds, refreshes, cpu = [], [], []
        for run in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            meeting = service.create_meeting(user, f"Bench {run}", today + timedelta(days=1))
            builds.append(time.perf_counter() - t0)
            # CPU time of this process (SQLite runs in it): what the build costs, however busy
            # the machine is; the wall time above is what a person waits.
            cpu.append(time.process_time() - c0)
            t0 = time.perf_counter()
            service.refresh_figures(user, meeting)
            refreshes.append(time.perf_counter() - t0)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        report = {
            "database": db.engine.dialect.name,
            "feedback_total": args.feedback,
            "feedback_in_period": count_in_period,
            "seed_seconds": round(seeded, 1),
            "build_seconds": [round(b, 3) for b in builds],
            "build_median": round(statistics.median(builds), 3),
            "build_max": round(max(builds), 3),
            "refresh_median": round(statistics.median(refreshes), 3),
            "build_cpu_seconds": [round(c, 3) for c in cpu],
            "build_cpu_median": round(statistics.median(cpu), 3),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "commit": commit,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    out = results / f"agenda-{report['database']}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
