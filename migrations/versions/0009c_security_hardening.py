"""Security hardening: revocable sessions, quote approval, encrypted contact details with a
blind index, one-time equality tokens, database rate-limit counters

Revision ID: 0009c
Revises: 0008
Create Date: 2026-11-29 18:40:00

Contact names and email addresses (and survey email answers) already stored in clear are
encrypted here under the configured data key (FLASK_DATA_KEY / instance/data_key), and their
blind index is computed, in the same transaction as the schema change.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009c'
down_revision = '0009a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    # Plain ADD COLUMN (no batch): the feedback table keeps its full-text triggers.
    op.add_column('feedback', sa.Column('quote_approved', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('feedback', sa.Column('quote_approved_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('contact_details', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_details_email')
        batch_op.alter_column('name', existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=True)
        batch_op.alter_column('email', existing_type=sa.String(length=320), type_=sa.Text(), existing_nullable=False)
        batch_op.add_column(sa.Column('email_index', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_details_email_index'), ['email_index'], unique=False)

    op.add_column('survey_responses', sa.Column('email_index', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_survey_responses_email_index'), 'survey_responses', ['email_index'], unique=False)

    op.create_table('equality_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_equality_tokens'))
    )
    op.create_index(op.f('ix_equality_tokens_expires_at'), 'equality_tokens', ['expires_at'], unique=False)

    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )
    op.create_index(op.f('ix_rate_limit_counters_expires_at'), 'rate_limit_counters', ['expires_at'], unique=False)

    _encrypt_existing()


def _encrypt_existing():
    """Encrypt contact details and survey email answers stored before this revision."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name, email FROM contact_details")).all()
    responses = bind.execute(
        sa.text("SELECT r.id, r.answers, v.definition FROM survey_responses r "
                "JOIN survey_versions v ON v.id = r.version_id")
    ).all()
    if not rows and not responses:
        return
    from portal.privacy.keys import encrypt_contact_row, encrypt_survey_answers

    for row in rows:
        values = encrypt_contact_row(row.name, row.email)
        bind.execute(
            sa.text("UPDATE contact_details SET name = :name, email = :email, "
                    "email_index = :email_index WHERE id = :id"),
            {**values, "id": row.id},
        )
    for response in responses:
        changed = encrypt_survey_answers(response.answers, response.definition)
        if changed is not None:
            answers, index = changed
            bind.execute(
                sa.text("UPDATE survey_responses SET answers = :answers, email_index = :ix "
                        "WHERE id = :id").bindparams(sa.bindparam("answers", type_=sa.JSON)),
                {"answers": answers, "ix": index, "id": response.id},
            )


def downgrade():
    op.drop_index(op.f('ix_rate_limit_counters_expires_at'), table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
    op.drop_index(op.f('ix_equality_tokens_expires_at'), table_name='equality_tokens')
    op.drop_table('equality_tokens')
    op.drop_index(op.f('ix_survey_responses_email_index'), table_name='survey_responses')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_column('email_index')
    # Encrypted values stay encrypted: decrypt with `flask privacy` tooling before downgrading.
    with op.batch_alter_table('contact_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_details_email_index'))
        batch_op.drop_column('email_index')
        batch_op.create_index('ix_contact_details_email', ['email'], unique=False)
    # Plain DROP COLUMN (SQLite 3.35+), so the feedback table keeps its triggers.
    op.drop_column('feedback', 'quote_approved_at')
    op.drop_column('feedback', 'quote_approved')
    op.drop_column('users', 'session_generation')
