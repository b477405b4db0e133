"""The published Annual Review of Social Value Impact (issue 14): drafts and fixed versions

Self-contained: one new table. Version 0 is a financial year's one draft; published versions
count up from 1 and carry the snapshot of their figures (JSON), which never changes.

Revision ID: 0012r
Revises: 0011p
Create Date: 2026-11-30 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012r'
down_revision = '0011p'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'annual_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.SmallInteger(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('introduction', sa.Text(), nullable=False),
        sa.Column('working_well', sa.Text(), nullable=False),
        sa.Column('to_improve', sa.Text(), nullable=False),
        sa.Column('change_note', sa.Text(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f('ck_annual_reviews_review_status')
        ),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_annual_reviews_year')),
        sa.CheckConstraint(
            "(status = 'draft' AND version = 0 AND snapshot IS NULL AND published_at IS NULL)"
            " OR (status = 'published' AND version >= 1 AND snapshot IS NOT NULL"
            " AND published_at IS NOT NULL)",
            name=op.f('ck_annual_reviews_draft_or_published'),
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'],
            name=op.f('fk_annual_reviews_updated_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['published_by_id'], ['users.id'],
            name=op.f('fk_annual_reviews_published_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_reviews')),
        sa.UniqueConstraint('year', 'version', name=op.f('uq_annual_reviews_year')),
    )


def downgrade():
    op.drop_table('annual_reviews')
