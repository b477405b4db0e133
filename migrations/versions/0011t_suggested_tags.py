"""Suggested tags (issue 18): trained models, the auto-tagging switch, decisions on suggestions

Self-contained: three new tables, nothing else touched. Auto-tagging starts switched off.

Revision ID: 0011t
Revises: 0011o
Create Date: 2026-11-29 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011t'
down_revision = '0011o'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tagging_models',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('training_size', sa.Integer(), nullable=False),
        sa.Column('possible', sa.Float(), nullable=False),
        sa.Column('likely', sa.Float(), nullable=False),
        sa.Column('metrics', sa.JSON(), nullable=True),
        sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tagging_models')),
        sa.UniqueConstraint('version', name=op.f('uq_tagging_models_version')),
    )
    op.create_table(
        'tagging_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('auto_enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('threshold', sa.Float(), server_default='0.9', nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            'threshold >= 0 AND threshold <= 1',
            name=op.f('ck_tagging_settings_threshold_range'),
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'],
            name=op.f('fk_tagging_settings_updated_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tagging_settings')),
    )
    op.create_table(
        'tagging_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('family', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('model_version', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('applied', 'dismissed', 'auto')",
            name=op.f('ck_tagging_decisions_action_values'),
        ),
        sa.CheckConstraint(
            "family IN ('commitments', 'themes', 'roles', 'codes')",
            name=op.f('ck_tagging_decisions_family_values'),
        ),
        sa.ForeignKeyConstraint(
            ['actor_id'], ['users.id'],
            name=op.f('fk_tagging_decisions_actor_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['feedback_id'], ['feedback.id'],
            name=op.f('fk_tagging_decisions_feedback_id_feedback'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tagging_decisions')),
    )
    op.create_index(
        'ix_tagging_decisions_feedback', 'tagging_decisions',
        ['feedback_id', 'family', 'label'], unique=False,
    )
    op.create_index(op.f('ix_tagging_decisions_at'), 'tagging_decisions', ['at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_tagging_decisions_at'), table_name='tagging_decisions')
    op.drop_index('ix_tagging_decisions_feedback', table_name='tagging_decisions')
    op.drop_table('tagging_decisions')
    op.drop_table('tagging_settings')
    op.drop_table('tagging_models')
