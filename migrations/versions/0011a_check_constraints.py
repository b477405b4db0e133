"""CHECK constraints: the database refuses what the app would never write

Self-contained: ratings 1 to 5, quarters 1 to 4, a meeting's period and a survey's dates in
order, and every enum column to its values, on SQLite and PostgreSQL alike (the models declare
the same constraints). Existing rows must already satisfy them: the app has always checked these
rules, so a row that does not is reported by the database and the upgrade stops, changing
nothing.

On SQLite each table is rebuilt (batch mode), which drops its triggers: the full-text search
(0002) and status-count (0008) triggers of `feedback` are put back as they were. The rebuild
also gives `feedback.survey_response_id` (added in place by 0003) a named table-level foreign
key, which SQLAlchemy reads back, so `flask db check` finds nothing to change on SQLite either.

0009a named its CHECK constraint ck_website_feedback_ck_website_feedback_body_length (the
naming convention applied to a full name): it gets the name the model gives it.

Revision ID: 0011a
Revises: 0010g
Create Date: 2026-11-29 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011a'
down_revision = '0010g'
branch_labels = None
depends_on = None


STAKEHOLDER_TYPES = (
    'business', 'transport_provider', 'passenger', 'voluntary_community', 'resident',
    'employee', 'other',
)


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


# table -> [(constraint name, condition)], names as the models' naming convention makes them.
CHECKS = {
    'commitments': [
        ('ck_commitments_horizon', _in('horizon', ('day-one', 'future-aspiration'))),
    ],
    'users': [
        ('ck_users_staff_role', _in('role', ('admin', 'member', 'champion', 'officer'))),
    ],
    'feedback': [
        ('ck_feedback_rating', 'rating BETWEEN 1 AND 5'),
        ('ck_feedback_stakeholder_type', _in('stakeholder_type', STAKEHOLDER_TYPES)),
        ('ck_feedback_locality', _in('locality', (
            'halton', 'knowsley', 'liverpool', 'sefton', 'st-helens', 'wirral', 'outside'))),
        ('ck_feedback_channel', _in('channel', ('web', 'survey', 'email', 'phone', 'in_person'))),
        ('ck_feedback_feedback_status', _in('status', (
            'new', 'in_review', 'referred', 'actioned', 'closed', 'spam', 'duplicate'))),
        ('ck_feedback_sentiment', _in('sentiment', ('negative', 'neutral', 'positive', 'mixed'))),
        ('ck_feedback_priority', _in('priority', ('low', 'normal', 'high', 'urgent'))),
        ('ck_feedback_transport_mode', _in('transport_mode', (
            'bus', 'merseyrail-rail', 'mersey-ferries', 'mersey-tunnels',
            'stations-travel-centres', 'other'))),
    ],
    'survey_versions': [
        ('ck_survey_versions_opens_before_closes', 'opens_on <= closes_on'),
    ],
    'survey_responses': [
        ('ck_survey_responses_stakeholder_type', _in('stakeholder_type', STAKEHOLDER_TYPES)),
    ],
    'progress_updates': [
        ('ck_progress_updates_quarter', 'quarter BETWEEN 1 AND 4'),
        ('ck_progress_updates_progress_status', _in('status', (
            'not_started', 'on_track', 'at_risk', 'off_track', 'complete'))),
    ],
    'meetings': [
        ('ck_meetings_period_in_order', 'period_end >= period_start'),
    ],
    'agenda_items': [
        ('ck_agenda_items_agenda_item_kind', _in('kind', (
            'standing', 'commitment', 'notes', 'other', 'aob'))),
    ],
    'actions': [
        ('ck_actions_action_status', _in('status', ('open', 'in_progress', 'done', 'dropped'))),
    ],
    'notes': [
        ('ck_notes_note_status', _in('status', (
            'draft', 'submitted', 'returned', 'published', 'archived'))),
    ],
    'outbox': [
        ('ck_outbox_message_status', _in('status', (
            'pending', 'sent', 'failed', 'held', 'digested', 'cancelled'))),
    ],
    'staff_email_preferences': [
        ('ck_staff_email_preferences_email_frequency', _in('frequency', (
            'immediate', 'daily', 'none'))),
    ],
}


def _sqlite_triggers(table):
    """The triggers on a SQLite table, which a batch-mode rebuild of the table drops."""
    if op.get_bind().dialect.name != 'sqlite':
        return []
    return op.get_bind().exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
    ).all()


def _restore_sqlite_triggers(triggers):
    """Put back the triggers a rebuild dropped (the full-text search of 0002, the counts of 0008)."""
    for name, sql in triggers:
        exists = op.get_bind().exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).first()
        if not exists:
            op.get_bind().exec_driver_sql(sql)


def _batch(table):
    kwargs = {}
    if table == 'feedback' and op.get_bind().dialect.name == 'sqlite':
        # 0003 added this foreign key inside the column definition, which SQLite reflection
        # reads without its name or ON DELETE: state both, so the rebuilt table keeps them.
        kwargs['reflect_args'] = [
            sa.Column(
                'survey_response_id', sa.Integer(),
                sa.ForeignKey(
                    'survey_responses.id', ondelete='SET NULL',
                    name='fk_feedback_survey_response_id_survey_responses',
                ),
                nullable=True,
            )
        ]
    return op.batch_alter_table(table, schema=None, **kwargs)


# 0009a's constraint, named twice over by the naming convention: (table, old name, new name, rule)
RENAMED = [
    ('website_feedback', 'ck_website_feedback_ck_website_feedback_body_length',
     'ck_website_feedback_body_length', 'length(body) BETWEEN 1 AND 2000'),
]


def upgrade():
    for table, old, new, condition in RENAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(old), type_='check')
            batch_op.create_check_constraint(op.f(new), sa.text(condition))
    for table, checks in CHECKS.items():
        triggers = _sqlite_triggers(table)
        with _batch(table) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(name), sa.text(condition))
        _restore_sqlite_triggers(triggers)


def downgrade():
    for table, checks in reversed(CHECKS.items()):
        triggers = _sqlite_triggers(table)
        with _batch(table) as batch_op:
            for name, _condition in reversed(checks):
                batch_op.drop_constraint(op.f(name), type_='check')
        _restore_sqlite_triggers(triggers)
    for table, old, new, condition in RENAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(new), type_='check')
            batch_op.create_check_constraint(op.f(old), sa.text(condition))
