"""Open data: the builds an admin published (issue 16)

Self-contained: one new table. The files themselves stay in instance/opendata/.

Revision ID: 0011o
Revises: 0011a
Create Date: 2026-11-29 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011o'
down_revision = '0011a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'opendata_releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['published_by_id'],
            ['users.id'],
            name=op.f('fk_opendata_releases_published_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opendata_releases')),
        sa.UniqueConstraint('filename', name=op.f('uq_opendata_releases_filename')),
    )
    with op.batch_alter_table('opendata_releases', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_opendata_releases_published_at'), ['published_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('opendata_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opendata_releases_published_at'))
    op.drop_table('opendata_releases')
