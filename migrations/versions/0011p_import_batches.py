"""Staff import: the uploaded files (import batches) and which items came from which row

Self-contained: two new tables, nothing existing changes. A pending batch keeps the uploaded
file's bytes between preview and import; an imported one keeps only its record (file name,
SHA-256, who, when, counts), and feedback_imports links each imported item to its file and row.

Revision ID: 0011p
Revises: 0011t
Create Date: 2026-11-29 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011p'
down_revision = '0011t'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column(
            'status',
            sa.String(length=32),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'imported')",
            name=op.f('ck_import_batches_import_batch_status'),
        ),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('mapping', sa.JSON(), nullable=True),
        sa.Column('imported_count', sa.Integer(), nullable=False),
        sa.Column('skipped_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'], ['users.id'],
            name=op.f('fk_import_batches_uploaded_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
        sa.UniqueConstraint('token', name=op.f('uq_import_batches_token')),
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_import_batches_uploaded_by_id'), ['uploaded_by_id'], unique=False
        )
    op.create_table(
        'feedback_imports',
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('source_row', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['batch_id'], ['import_batches.id'],
            name=op.f('fk_feedback_imports_batch_id_import_batches'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['feedback_id'], ['feedback.id'],
            name=op.f('fk_feedback_imports_feedback_id_feedback'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('feedback_id', name=op.f('pk_feedback_imports')),
    )
    with op.batch_alter_table('feedback_imports', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_feedback_imports_batch_id'), ['batch_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('feedback_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_imports_batch_id'))
    op.drop_table('feedback_imports')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_uploaded_by_id'))
    op.drop_table('import_batches')
