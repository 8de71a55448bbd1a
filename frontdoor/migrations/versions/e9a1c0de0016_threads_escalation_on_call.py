"""one open thread per resident, escalation ladder, on-call rota, own hours, safe to text,
ambiguous sends checked before resending

Revision ID: e9a1c0de0016
Revises: 84f9f4a8296c
Create Date: 2026-11-29 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e9a1c0de0016'
down_revision = '84f9f4a8296c'
branch_labels = None
depends_on = None

OPEN = sa.text("state != 'closed'")


def upgrade():
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_ladder', sa.String(length=200), nullable=False,
                                      server_default='named:15,cover:15,on_call:15,lead:15'))

    with op.batch_alter_table('coordinator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_work', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends_work', sa.Time(), nullable=True))

    op.create_table('on_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=False),
    sa.Column('starts', sa.DateTime(), nullable=False),
    sa.Column('ends', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('on_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_on_call_coordinator_id'), ['coordinator_id'],
                              unique=False)

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_by', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('last_contact_at', sa.DateTime(), nullable=True))

    # A database that already holds two open threads for one resident (the race this
    # migration closes) keeps the newest open and closes the others.
    op.execute(
        "UPDATE thread SET state = 'closed', outcome = 'other' WHERE state != 'closed' AND "
        "id NOT IN (SELECT max(id) FROM thread WHERE state != 'closed' GROUP BY resident_id)")
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested_ward_code', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('reply_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('overdue_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalation_step', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_thread_suggested_ward', 'ward',
                                    ['suggested_ward_code'], ['code'])
        batch_op.create_foreign_key('fk_thread_acknowledged_by', 'coordinator',
                                    ['acknowledged_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_thread_reply_due_at'), ['reply_due_at'],
                              unique=False)
        batch_op.drop_column('lead_alerted_at')
    op.create_index('ix_thread_one_open_per_resident', 'thread', ['resident_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('maybe_sent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('step')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('maybe_sent')
    op.drop_index('ix_thread_one_open_per_resident', table_name='thread')
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_alerted_at', sa.DateTime(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_thread_reply_due_at'))
        batch_op.drop_constraint('fk_thread_acknowledged_by', type_='foreignkey')
        batch_op.drop_constraint('fk_thread_suggested_ward', type_='foreignkey')
        for column in ('acknowledged_by_id', 'acknowledged_at', 'escalated_at',
                       'escalation_step', 'overdue_at', 'reply_due_at', 'suggested_ward_code'):
            batch_op.drop_column(column)
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('last_contact_at')
        batch_op.drop_column('contact_by')
    with op.batch_alter_table('on_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_on_call_coordinator_id'))
    op.drop_table('on_call')
    with op.batch_alter_table('coordinator', schema=None) as batch_op:
        batch_op.drop_column('ends_work')
        batch_op.drop_column('starts_work')
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.drop_column('escalation_ladder')
