"""texts waiting for the worker's answer: a partial index on deferred inbound messages

Revision ID: e9a1c0de0027
Revises: e9a1c0de0031
Create Date: 2026-11-29 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e9a1c0de0027'
down_revision = 'e9a1c0de0031'
branch_labels = None
depends_on = None

DEFERRED_ONLY = sa.text("status = 'deferred'")


def upgrade():
    op.create_index('ix_message_deferred', 'message', ['resident_id', 'id'], unique=False,
                    sqlite_where=DEFERRED_ONLY, postgresql_where=DEFERRED_ONLY)


def downgrade():
    op.drop_index('ix_message_deferred', table_name='message')
