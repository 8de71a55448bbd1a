"""Welsh and English: the languages a council offers, its own opt-out words, and the
language the front door answers each resident in

Revision ID: e9a1c0de0041
Revises: e9a1c0de0013
Create Date: 2026-11-29 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e9a1c0de0041'
down_revision = 'e9a1c0de0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.String(length=20), nullable=False,
                                      server_default='en'))
        batch_op.add_column(sa.Column('opt_out_words', sa.String(length=200), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_language', sa.String(length=2), nullable=True))


def downgrade():
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('reply_language')
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.drop_column('opt_out_words')
        batch_op.drop_column('languages')
