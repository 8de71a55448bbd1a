"""threads: the web-chat origin (a keyed digest of the address) and grouped alerts

Revision ID: e9a1c0de0039
Revises: e9a1c0de0027
Create Date: 2026-11-29 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9a1c0de0039'
down_revision = 'e9a1c0de0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('alert_grouped', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_thread_origin', ['origin'], unique=False)


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_origin')
        batch_op.drop_column('alert_grouped')
        batch_op.drop_column('origin')
