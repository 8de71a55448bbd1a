"""directory from Open Referral UK: ORUK id, ages, schedules, freshness, confidential places

Revision ID: e9a1c0de0009
Revises: 84f9f4a8296c
Create Date: 2026-11-29 09:00:00

Entries loaded from the old hand-written directory.csv are removed: they carry no ORUK id
and no assured date, so they could never be offered again. `frontdoor load-config` (the demo)
or `frontdoor directory import` (a council's feed) loads the directory afresh.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9a1c0de0009'
down_revision = 'e9a1c0de0018'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("DELETE FROM directory_entry_ward"))
    op.execute(sa.text("DELETE FROM directory_entry"))
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('directory_freshness_months', sa.Integer(),
                                      nullable=False, server_default='12'))

    with op.batch_alter_table('directory_entry', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.String(length=120),
                              type_=sa.String(length=255), existing_nullable=False)
        batch_op.alter_column('contact', existing_type=sa.String(length=120),
                              type_=sa.String(length=200), existing_nullable=False)
        batch_op.alter_column('hours', existing_type=sa.String(length=80),
                              type_=sa.String(length=120), existing_nullable=False)
        batch_op.alter_column('source', existing_type=sa.String(length=40),
                              type_=sa.String(length=500), existing_nullable=False)
        batch_op.add_column(sa.Column('oruk_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False))
        batch_op.add_column(sa.Column('organisation', sa.String(length=255), nullable=False))
        batch_op.add_column(sa.Column('phones', sa.String(length=200), nullable=False))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=False))
        batch_op.add_column(sa.Column('url', sa.String(length=500), nullable=False))
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column('schedules', sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column('min_age', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('max_age', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('needs_from', sa.String(length=12), nullable=False))
        batch_op.add_column(sa.Column('terms', sa.Text(), nullable=False))
        batch_op.add_column(sa.Column('assured_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_modified', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=False))
        batch_op.create_unique_constraint('uq_directory_entry_oruk_id', ['oruk_id'])
        batch_op.create_index(batch_op.f('ix_directory_entry_updated_at'), ['updated_at'],
                              unique=False)


def downgrade():
    op.execute(sa.text("DELETE FROM directory_entry_ward"))
    op.execute(sa.text("DELETE FROM directory_entry"))
    with op.batch_alter_table('directory_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_entry_updated_at'))
        batch_op.drop_constraint('uq_directory_entry_oruk_id', type_='unique')
        for column in ('updated_at', 'last_modified', 'assured_date', 'terms', 'needs_from',
                       'max_age', 'min_age', 'schedules', 'confidential', 'address', 'url',
                       'email', 'phones', 'organisation', 'description', 'oruk_id'):
            batch_op.drop_column(column)
        batch_op.alter_column('source', existing_type=sa.String(length=500),
                              type_=sa.String(length=40), existing_nullable=False)
        batch_op.alter_column('hours', existing_type=sa.String(length=120),
                              type_=sa.String(length=80), existing_nullable=False)
        batch_op.alter_column('contact', existing_type=sa.String(length=200),
                              type_=sa.String(length=120), existing_nullable=False)
        batch_op.alter_column('name', existing_type=sa.String(length=255),
                              type_=sa.String(length=120), existing_nullable=False)

    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.drop_column('directory_freshness_months')
