"""Public pages: a version of what they show, changed by the database on every change to it

Self-contained: one new one-row table and triggers. The commitment, framework and home pages
are kept rendered per process (portal/public/pagecache.py) under the value of
public_content_version.version. Every insert, update or delete of what those pages show
(commitments, roles, themes and their links, progress updates, notes, their versions and
commitments) sets it to a new random value in the same transaction, whoever writes (the portal,
`flask framework load`, a script), so a kept page is never served after what it shows changed.
Random rather than a counter: a transaction rolled back restores the old value together with the
old data, and a counter would then reuse a value for different data.

Revision ID: 0012f
Revises: 0012r
Create Date: 2026-11-30 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012f'
down_revision = '0012r'
branch_labels = None
depends_on = None

TABLES = (
    "commitments",
    "roles",
    "themes",
    "commitment_roles",
    "commitment_themes",
    "progress_updates",
    "notes",
    "note_versions",
    "note_commitments",
)
EVENTS = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}


def upgrade():
    op.create_table(
        'public_content_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_content_version')),
        sa.CheckConstraint('id = 1', name=op.f('ck_public_content_version_one_row')),
    )
    op.execute("INSERT INTO public_content_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for suffix, event in EVENTS.items():
                op.execute(
                    f"CREATE TRIGGER public_version_{table}_{suffix} AFTER {event} ON {table} "
                    "BEGIN UPDATE public_content_version SET version = random(); END"
                )
    else:
        op.execute(
            """CREATE FUNCTION public_content_version_bump() RETURNS trigger AS $$
            BEGIN
                UPDATE public_content_version
                SET version = floor(random() * 9007199254740991)::bigint;
                RETURN NULL;
            END $$ LANGUAGE plpgsql"""
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER public_version_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION public_content_version_bump()"
            )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for suffix in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS public_version_{table}_{suffix}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS public_version_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS public_content_version_bump()")
    op.drop_table('public_content_version')
