"""the coordinator's workspace: the person (name, language, contact times, a good-life plan,
next steps, connections, contributions), records linked across channels, phone codes,
saved replies, read markers, and the lead's switch to pause the front door

Revision ID: e9a1c0de0012
Revises: e9a1c0de0014
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e9a1c0de0012'
down_revision = 'e9a1c0de0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['coordinator.id'], name=op.f('fk_saved_reply_created_by_id_coordinator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_reply'))
    )
    op.create_table('connection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('directory_entry_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('introduced_on', sa.Date(), nullable=True),
    sa.Column('stuck', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['coordinator.id'], name=op.f('fk_connection_created_by_id_coordinator')),
    sa.ForeignKeyConstraint(['directory_entry_id'], ['directory_entry.id'], name=op.f('fk_connection_directory_entry_id_directory_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_connection_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection'))
    )
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connection_resident_id'), ['resident_id'], unique=False)

    op.create_table('contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['coordinator.id'], name=op.f('fk_contribution_created_by_id_coordinator')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_contribution_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution'))
    )
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_resident_id'), ['resident_id'], unique=False)

    op.create_table('next_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['coordinator.id'], name=op.f('fk_next_step_created_by_id_coordinator')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_next_step_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_next_step'))
    )
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_next_step_resident_id'), ['resident_id'], unique=False)

    op.create_table('phone_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webchat_resident_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['webchat_resident_id'], ['resident.id'], name=op.f('fk_phone_code_webchat_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_code'))
    )
    with op.batch_alter_table('phone_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_code_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_code_webchat_resident_id'), ['webchat_resident_id'], unique=False)

    op.create_table('thread_read',
    sa.Column('coordinator_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinator.id'], name=op.f('fk_thread_read_coordinator_id_coordinator')),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_thread_read_thread_id_thread')),
    sa.PrimaryKeyConstraint('coordinator_id', 'thread_id', name=op.f('pk_thread_read'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_event_resident_id'), ['resident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_resident_id_resident'), 'resident', ['resident_id'], ['id'])

    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('pause_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('paused_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_council_paused_by_id_coordinator'), 'coordinator', ['paused_by_id'], ['id'])

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('contact_times', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('good_life', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('strengths', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('people_around', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_resident_linked_to_id'), ['linked_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_resident_linked_to_id_resident'), 'resident', ['linked_to_id'], ['id'])



def downgrade():
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_resident_linked_to_id_resident'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_resident_linked_to_id'))
        batch_op.drop_column('people_around')
        batch_op.drop_column('strengths')
        batch_op.drop_column('good_life')
        batch_op.drop_column('contact_times')
        batch_op.drop_column('language')
        batch_op.drop_column('name')
        batch_op.drop_column('linked_to_id')

    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_council_paused_by_id_coordinator'), type_='foreignkey')
        batch_op.drop_column('paused_by_id')
        batch_op.drop_column('pause_reason')
        batch_op.drop_column('paused_at')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_event_resident_id_resident'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_event_resident_id'))
        batch_op.drop_column('resident_id')

    op.drop_table('thread_read')
    with op.batch_alter_table('phone_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_code_webchat_resident_id'))
        batch_op.drop_index(batch_op.f('ix_phone_code_phone'))

    op.drop_table('phone_code')
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_next_step_resident_id'))

    op.drop_table('next_step')
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_resident_id'))

    op.drop_table('contribution')
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connection_resident_id'))

    op.drop_table('connection')
    op.drop_table('saved_reply')
