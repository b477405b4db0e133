"""Inbox search newest first: SQLite's feedback search index keyed by received time

SQLite only (PostgreSQL keeps its tsvector column and GIN index). The FTS5 index of 0002 was an
external-content table keyed by feedback.id, so listing a common word's matches newest first
meant reading every match and sorting it. It becomes a contentless FTS5 table (the text stays
only in `feedback`) whose rowid is the item's place in the inbox's order:

    rowid = (received_at in whole seconds since 1970) * 2^31 + id

so FTS5 hands matches over newest first by itself, a page's cursor and a date range are rowid
bounds it seeks to, and `rowid & (2^31 - 1)` is the item's id. The triggers keep the same names
as in 0002 and now also follow a change of received_at. Rebuilt from `feedback` here; the
downgrade puts back 0002's table and triggers and rebuilds those.

NOTE for later migrations: a SQLite batch_alter_table on `feedback` drops these triggers; put back
what sqlite_master held before the rebuild (as 0011a does), not 0002's definitions.

Revision ID: 0012i
Revises: 0012f
Create Date: 2026-11-30 01:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012i'
down_revision = '0012f'
branch_labels = None
depends_on = None

TOKENIZE = "porter unicode61 remove_diacritics 2"
KEY = "(CAST(strftime('%s', {row}.received_at) AS INTEGER) * 2147483648 + {row}.id)"
TRIGGERS = ("feedback_fts_ai", "feedback_fts_ad", "feedback_fts_au")

KEYED_TABLE = f"""
CREATE VIRTUAL TABLE feedback_fts USING fts5(
    body, organisation, content='', tokenize='{TOKENIZE}'
)
"""
KEYED_TRIGGERS = [
    f"""CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
        INSERT INTO feedback_fts(rowid, body, organisation)
        VALUES ({KEY.format(row='new')}, new.body, new.organisation);
    END""",
    f"""CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
        INSERT INTO feedback_fts(feedback_fts, rowid, body, organisation)
        VALUES ('delete', {KEY.format(row='old')}, old.body, old.organisation);
    END""",
    f"""CREATE TRIGGER feedback_fts_au AFTER UPDATE OF body, organisation, received_at
        ON feedback BEGIN
        INSERT INTO feedback_fts(feedback_fts, rowid, body, organisation)
        VALUES ('delete', {KEY.format(row='old')}, old.body, old.organisation);
        INSERT INTO feedback_fts(rowid, body, organisation)
        VALUES ({KEY.format(row='new')}, new.body, new.organisation);
    END""",
]
KEYED_REBUILD = (
    "INSERT INTO feedback_fts(rowid, body, organisation) "
    f"SELECT {KEY.format(row='feedback')}, body, organisation FROM feedback"
)

# 0002's definitions, for the downgrade.
ID_TABLE = f"""
CREATE VIRTUAL TABLE feedback_fts USING fts5(
    body, organisation,
    content='feedback', content_rowid='id',
    tokenize='{TOKENIZE}'
)
"""
ID_TRIGGERS = [
    """CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
        INSERT INTO feedback_fts(rowid, body, organisation)
        VALUES (new.id, new.body, new.organisation);
    END""",
    """CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
        INSERT INTO feedback_fts(feedback_fts, rowid, body, organisation)
        VALUES ('delete', old.id, old.body, old.organisation);
    END""",
    """CREATE TRIGGER feedback_fts_au AFTER UPDATE OF body, organisation ON feedback BEGIN
        INSERT INTO feedback_fts(feedback_fts, rowid, body, organisation)
        VALUES ('delete', old.id, old.body, old.organisation);
        INSERT INTO feedback_fts(rowid, body, organisation)
        VALUES (new.id, new.body, new.organisation);
    END""",
]


def _replace(table, triggers, rebuild):
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS feedback_fts")
    op.execute(table)
    for statement in triggers:
        op.execute(statement)
    op.execute(rebuild)


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    _replace(KEYED_TABLE, KEYED_TRIGGERS, KEYED_REBUILD)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    _replace(ID_TABLE, ID_TRIGGERS, "INSERT INTO feedback_fts(feedback_fts) VALUES ('rebuild')")
