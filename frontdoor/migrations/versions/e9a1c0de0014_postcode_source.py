"""postcode source: the council's own file ("config") or the ONS import ("ons")

Revision ID: e9a1c0de0014
Revises: 84f9f4a8296c
Create Date: 2026-11-29 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9a1c0de0014'
down_revision = 'e9a1c0de0016'
branch_labels = None
depends_on = None


def upgrade():
    # Rows already there came from postcodes.csv: the server default marks them so.
    with op.batch_alter_table('postcode', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=8), nullable=False,
                                      server_default='config'))


def downgrade():
    with op.batch_alter_table('postcode', schema=None) as batch_op:
        batch_op.drop_column('source')
