"""Meetings carry what a clerk needs: time, venue or joining details, members and their
attendance, the previous meeting's minutes to approve, and each item's discussion (the minutes)

Self-contained: new columns on meetings and agenda_items (all nullable or with a server
default, so existing meetings stay valid) and one new table, meeting_members.

Revision ID: 0012m
Revises: 0012i
Create Date: 2026-11-30 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012m'
down_revision = '0012i'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column('venue', sa.String(length=300), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('joining_details', sa.Text(), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('previous_meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('minutes_approved_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('minutes_approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('minutes_approved_at_meeting_id', sa.Integer(), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_meetings_previous_meeting_id_meetings'),
            'meetings', ['previous_meeting_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_meetings_minutes_approved_by_id_users'),
            'users', ['minutes_approved_by_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_meetings_minutes_approved_at_meeting_id_meetings'),
            'meetings', ['minutes_approved_at_meeting_id'], ['id'], ondelete='SET NULL',
        )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('discussion', sa.Text(), server_default='', nullable=False)
        )
    op.create_table(
        'meeting_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('attendance', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "attendance IN ('invited', 'present', 'apologies', 'absent')",
            name=op.f('ck_meeting_members_attendance'),
        ),
        sa.ForeignKeyConstraint(
            ['meeting_id'], ['meetings.id'],
            name=op.f('fk_meeting_members_meeting_id_meetings'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_meeting_members_user_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_members')),
        sa.UniqueConstraint(
            'meeting_id', 'user_id', name=op.f('uq_meeting_members_meeting_id')
        ),
    )
    op.create_index('ix_meeting_members_meeting', 'meeting_members', ['meeting_id'], unique=False)


def downgrade():
    op.drop_index('ix_meeting_members_meeting', table_name='meeting_members')
    op.drop_table('meeting_members')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('discussion')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_meetings_minutes_approved_at_meeting_id_meetings'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_meetings_minutes_approved_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_meetings_previous_meeting_id_meetings'), type_='foreignkey'
        )
        batch_op.drop_column('minutes_approved_at_meeting_id')
        batch_op.drop_column('minutes_approved_by_id')
        batch_op.drop_column('minutes_approved_at')
        batch_op.drop_column('previous_meeting_id')
        batch_op.drop_column('joining_details')
        batch_op.drop_column('venue')
        batch_op.drop_column('start_time')

