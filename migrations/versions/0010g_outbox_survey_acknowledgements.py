"""Outbox: survey acknowledgements point at their response (issue 15)

Self-contained: one nullable column on outbox, so that an erasure or a purge of the response's
email answer stops its acknowledgement before delivery. The staff "No emails" choice needs no
schema change (email_frequency is stored as a short string, not a native enum).

Revision ID: 0010g
Revises: 0009e
Create Date: 2026-11-29 20:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010g'
down_revision = '0009e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_response_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_outbox_survey_response_id'), ['survey_response_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_survey_response_id_survey_responses'),
            'survey_responses',
            ['survey_response_id'],
            ['id'],
            ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_outbox_survey_response_id_survey_responses'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_outbox_survey_response_id'))
        batch_op.drop_column('survey_response_id')
