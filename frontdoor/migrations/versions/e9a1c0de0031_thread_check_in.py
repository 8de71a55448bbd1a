"""a thread flagged 'check in': the crisis check's possible concern (not urgent)

Revision ID: e9a1c0de0031
Revises: e9a1c0de0041
Create Date: 2026-11-29 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e9a1c0de0031'
down_revision = 'e9a1c0de0041'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_column('check_in')
