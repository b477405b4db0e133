"""Grow a seeded benchmark database to N items by copying its first items, in SQL.

`flask demo seed` writes about 3,000 items a second on an idle 2-core machine (a million in about
5 minutes) and several times slower on a busy one. For the benchmarks that need a million items,
`bench/inbox.py --distinct D` seeds D items with the demo seed and then runs this: copy k of item
`i` (for i <= D) gets id `i + k*D`, the same text and facts (no tags), its reference with k added, a
random tracking hash, and times k × 61 minutes earlier (so copies do not sit side by side in
the newest-first order). Contact details are copied with their items. Triggers keep the search
index and the status counts as they would for any insert.

    .venv/bin/python bench/replicate.py --database-url sqlite:///bench/results/bench.db \\
        --distinct 100000 --to 1000000

Copying is idempotent: items that already exist are skipped, so a stopped run can be resumed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

SHIFT_MINUTES = 61


def replicate(distinct: int, total: int, log=print) -> int:
    """Copy items 1..distinct until the database holds ids 1..total; return items added."""
    from sqlalchemy import func, select, text

    from portal.extensions import db
    from portal.models import ContactDetails, Feedback

    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # A page cache that holds the indexes: inserts in id order touch every index at random.
        db.session.execute(text("PRAGMA cache_size = -2000000"))
    have = db.session.scalar(select(func.count()).select_from(Feedback))
    if have < distinct:
        raise SystemExit(f"the database holds {have:,} items, fewer than --distinct {distinct:,}")
    feedback_columns = [c.name for c in Feedback.__table__.columns if c.name != "search_vector"]
    contact_columns = [c.name for c in ContactDetails.__table__.columns]
    contact_stride = 1 + (
        db.session.scalar(
            select(func.max(ContactDetails.id)).where(ContactDetails.feedback_id <= distinct)
        )
        or 0
    )
    added = 0
    copies = -(-total // distinct)
    # Bulk copying into indexed tables touches every index at random for each row: drop the
    # secondary indexes and the search triggers, copy, then build them again in one pass each.
    dropped = _drop_indexes(db, dialect)
    if dialect == "postgresql":
        # The status-count trigger updates one row per insert: 100,000 updates of the same few
        # rows in one transaction slow down as dead versions pile up. Count once afterwards.
        db.session.execute(text("ALTER TABLE feedback DISABLE TRIGGER USER"))
        db.session.commit()
    for k in range(1, copies):
        last = min(distinct, total - k * distinct)
        offset = k * distinct
        if dialect == "sqlite":
            shifted = "strftime('%Y-%m-%d %H:%M:%S', {c}, '-{m} minutes') || substr({c}, 20)"
        else:
            shifted = "{c} - interval '{m} minutes'"
        expressions = {
            "id": f"id + {offset}",
            "reference": f"reference || '{k}'",
            # A fresh random value (a copy of the hash could equal an original's).
            "tracking_token_hash": "lower(hex(randomblob(32)))"
            if dialect == "sqlite"
            else "md5(random()::text) || md5(random()::text)",
            "submission_key": "NULL",
            "duplicate_of_id": "NULL",
        }
        for name in ("received_at", "created_at", "updated_at", "closed_at", "public_reply_at"):
            expressions[name] = shifted.format(c=name, m=k * SHIFT_MINUTES)
        select_list = ", ".join(expressions.get(c, c) for c in feedback_columns)
        started = time.perf_counter()
        result = db.session.execute(
            text(
                f"INSERT INTO feedback ({', '.join(feedback_columns)}) "  # noqa: S608
                f"SELECT {select_list} FROM feedback "
                f"WHERE id <= {last} AND id + {offset} NOT IN "
                f"(SELECT id FROM feedback WHERE id > {offset} AND id <= {offset + last})"
            )
        )
        contact_expressions = {
            "id": f"id + {k * contact_stride}",
            "feedback_id": f"feedback_id + {offset}",
        }
        db.session.execute(
            text(
                f"INSERT INTO contact_details ({', '.join(contact_columns)}) "  # noqa: S608
                f"SELECT {', '.join(contact_expressions.get(c, c) for c in contact_columns)} "
                f"FROM contact_details WHERE feedback_id <= {last} "
                f"AND feedback_id + {offset} IN (SELECT id FROM feedback WHERE id > {offset}) "
                f"AND feedback_id + {offset} NOT IN (SELECT feedback_id FROM contact_details)"
            )
        )
        db.session.commit()
        added += max(result.rowcount, 0)
        log(f"copy {k}: {result.rowcount:,} items in {time.perf_counter() - started:.0f} s")
    _restore_indexes(db, dialect, dropped, log)
    if dialect == "postgresql":
        db.session.execute(text("ALTER TABLE feedback ENABLE TRIGGER USER"))
        db.session.execute(text("DELETE FROM feedback_status_counts"))
        db.session.execute(
            text(
                "INSERT INTO feedback_status_counts (status, n) "
                "SELECT status, count(*) FROM feedback GROUP BY status"
            )
        )
        for table in ("feedback", "contact_details"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            )
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()
    return added


KEY = "CAST(strftime('%s', received_at) AS INTEGER) * 2147483648 + id"  # see migration 0012i


def _drop_indexes(db, dialect: str) -> list[tuple[str, str, str]]:
    """Drop feedback's secondary indexes (and SQLite's search triggers); return what to remake."""
    from sqlalchemy import text

    if dialect == "sqlite":
        rows = db.session.execute(
            text(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'feedback' "
                "AND sql IS NOT NULL AND (type = 'index' OR name LIKE 'feedback_fts%')"
            )
        ).all()
    else:
        rows = db.session.execute(
            text(
                "SELECT 'index', indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'feedback' AND indexname NOT LIKE 'pk%' "
                "AND indexname NOT LIKE 'uq%'"
            )
        ).all()
    saved = RESULTS / f"replicate-{dialect}-dropped.json"
    dropped = [tuple(row) for row in rows]
    if saved.exists():  # a stopped run dropped these: put them back at the end too
        earlier = [tuple(row) for row in json.loads(saved.read_text())]
        dropped += [row for row in earlier if row not in dropped]
    saved.write_text(json.dumps(dropped))
    for kind, name, _ in rows:
        db.session.execute(text(f"DROP {kind.upper()} {name}"))
    db.session.commit()
    return dropped


def _restore_indexes(db, dialect: str, dropped, log) -> None:
    from sqlalchemy import text

    started = time.perf_counter()
    for _, _, sql in dropped:
        db.session.execute(text(sql))
    if dialect == "sqlite" and any(kind == "trigger" for kind, _, _ in dropped):
        definition = db.session.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'feedback_fts'")
        )
        if "content=''" in definition.replace('"', "'"):
            db.session.execute(text("INSERT INTO feedback_fts(feedback_fts) VALUES ('delete-all')"))
            db.session.execute(
                text(
                    "INSERT INTO feedback_fts(rowid, body, organisation) "  # noqa: S608
                    f"SELECT {KEY}, body, organisation FROM feedback"
                )
            )
        else:
            db.session.execute(text("INSERT INTO feedback_fts(feedback_fts) VALUES ('rebuild')"))
    db.session.commit()
    (RESULTS / f"replicate-{dialect}-dropped.json").unlink(missing_ok=True)
    log(f"indexes and search built again in {time.perf_counter() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--distinct", type=int, required=True, help="items to copy from")
    parser.add_argument("--to", type=int, default=1_000_000, help="items wanted in all")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench")
    from portal import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        added = replicate(args.distinct, args.to)
    print(f"added {added:,} items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
