"""Feedback counts per status, kept by the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 14:00:00

The inbox shows a count per status on every page. Counting a million rows per request is too
slow, so the database keeps the totals itself, in the same transaction as every insert, delete
and status change (triggers), whoever the writer is (the app, the demo seed, a bulk import).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER feedback_status_counts_ai AFTER INSERT ON feedback BEGIN
        INSERT INTO feedback_status_counts (status, n) VALUES (new.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER feedback_status_counts_ad AFTER DELETE ON feedback BEGIN
        UPDATE feedback_status_counts SET n = n - 1 WHERE status = old.status;
    END""",
    """CREATE TRIGGER feedback_status_counts_au AFTER UPDATE OF status ON feedback
    WHEN old.status <> new.status BEGIN
        UPDATE feedback_status_counts SET n = n - 1 WHERE status = old.status;
        INSERT INTO feedback_status_counts (status, n) VALUES (new.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END""",
]
POSTGRES = [
    """CREATE FUNCTION feedback_status_counts_keep() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE feedback_status_counts SET n = n - 1 WHERE status = OLD.status;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO feedback_status_counts (status, n) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET n = feedback_status_counts.n + 1;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER feedback_status_counts_insert_delete AFTER INSERT OR DELETE ON feedback
    FOR EACH ROW EXECUTE FUNCTION feedback_status_counts_keep()""",
    """CREATE TRIGGER feedback_status_counts_update AFTER UPDATE OF status ON feedback
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION feedback_status_counts_keep()""",
]


def upgrade():
    op.create_table(
        'feedback_status_counts',
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('status', name=op.f('pk_feedback_status_counts')),
    )
    op.execute(
        "INSERT INTO feedback_status_counts (status, n) "
        "SELECT status, count(*) FROM feedback GROUP BY status"
    )
    statements = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS feedback_status_counts_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS feedback_status_counts_insert_delete ON feedback")
        op.execute("DROP TRIGGER IF EXISTS feedback_status_counts_update ON feedback")
        op.execute("DROP FUNCTION IF EXISTS feedback_status_counts_keep()")
    op.drop_table('feedback_status_counts')
