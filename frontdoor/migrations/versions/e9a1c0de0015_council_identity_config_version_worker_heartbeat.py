"""council identity and config version, worker heartbeat

Revision ID: e9a1c0de0015
Revises: 84f9f4a8296c
Create Date: 2026-11-25 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9a1c0de0015'
down_revision = 'e9a1c0de0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('config_version', sa.Integer(), server_default='0',
                                      nullable=False))

    op.create_table('worker_heartbeat',
    sa.Column('worker', sa.String(length=120), nullable=False),
    sa.Column('beat_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_heartbeat'))
    )
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeat_beat_at'), ['beat_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeat_beat_at'))
    op.drop_table('worker_heartbeat')

    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.drop_column('config_version')
        batch_op.drop_column('code')
