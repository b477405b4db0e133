"""Feedback about the website itself, from the phase banner

Revision ID: 0009a
Revises: 0008
Create Date: 2026-11-29 19:00:00

The phase banner's link used to open the commitments feedback form. Comments about the website
are kept apart from feedback on the Social Value commitments, with the page they came from.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009a'
down_revision = '0009d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'website_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('page', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            'length(body) BETWEEN 1 AND 2000', name='ck_website_feedback_body_length'
        ),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('website_feedback')
