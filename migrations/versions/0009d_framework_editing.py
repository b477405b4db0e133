"""Framework edited in the portal (versions, examples, retiring), starter codeframe sources,
transport mode or asset on feedback

Revision ID: 0009d
Revises: 0008
Create Date: 2026-11-29 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009d'
down_revision = '0008'
branch_labels = None
depends_on = None

TRANSPORT_MODES = (
    'bus', 'merseyrail-rail', 'mersey-ferries', 'mersey-tunnels', 'stations-travel-centres',
    'other',
)


def upgrade():
    # Plain ADD COLUMN everywhere (no batch copy of the large feedback table).
    for table in ('roles', 'themes'):
        op.add_column(table, sa.Column('source', sa.String(length=64), server_default='', nullable=False))
        op.add_column(table, sa.Column('example', sa.Boolean(), server_default=sa.false(), nullable=False))
        op.add_column(table, sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('commitments', sa.Column('example', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('codes', sa.Column('source', sa.String(length=64), nullable=True))
    op.add_column('feedback', sa.Column(
        'transport_mode',
        sa.Enum(*TRANSPORT_MODES, name='transport_mode', native_enum=False, length=32),
        nullable=True,
    ))
    op.create_index('ix_feedback_transport_mode_received', 'feedback', ['transport_mode', 'received_at'], unique=False)
    op.create_table('framework_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_framework_versions_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_versions')),
    sa.UniqueConstraint('entity_type', 'entity_id', 'number', name=op.f('uq_framework_versions_entity_type')),
    )
    op.create_index('ix_framework_versions_entity', 'framework_versions', ['entity_type', 'entity_id'], unique=False)


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


def downgrade():
    op.drop_index('ix_framework_versions_entity', table_name='framework_versions')
    op.drop_table('framework_versions')
    op.drop_index('ix_feedback_transport_mode_received', table_name='feedback')
    # On SQLite this batch operation rebuilds `feedback`, which drops its triggers (full-text
    # search, status counts): they are put back after it.
    triggers = _sqlite_triggers('feedback')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('transport_mode')
    _restore_sqlite_triggers(triggers)
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('example')
    for table in ('roles', 'themes'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('active')
            batch_op.drop_column('example')
            batch_op.drop_column('source')
