"""Unpublished taxonomy of revised notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 13:49:27.484758

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy of the table).
    op.add_column('notes', sa.Column('draft_taxonomy', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_column('draft_taxonomy')
