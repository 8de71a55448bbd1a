"""outcomes in LAC's domains, demand avoided, 'did it help?' follow-ups and referrals,
connections and contributions, safeguarding hold and erasure, retention and privacy
settings, audit rows about a resident, report indexes

Revision ID: e9a1c0de0013
Revises: e9a1c0de0014
Create Date: 2026-11-29 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e9a1c0de0013'
down_revision = 'e9a1c0de0012'
branch_labels = None
depends_on = None

OPEN_FOR_A_PERSON = sa.text("state IN ('waiting_for_coordinator', 'with_coordinator')")
FIRST_REPLY_BACKFILL = (
    "UPDATE thread SET first_reply_at = (SELECT min(message.created_at) FROM message "
    "WHERE message.thread_id = thread.id AND message.author = 'coordinator' "
    "AND message.direction = 'out') WHERE handed_off_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice_url', sa.String(length=200),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('retention_contact_years', sa.Integer(), nullable=False,
                                      server_default='2'))
        batch_op.add_column(sa.Column('retention_safeguarding_years', sa.Integer(),
                                      nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('accessibility_contact', sa.String(length=200),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('accessibility_reviewed', sa.Date(), nullable=True))

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safeguarding_hold', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_resident_created_at', ['created_at'], unique=False,
                              postgresql_include=['ward_code', 'coordinator_id'])
        batch_op.create_index('ix_resident_last_contact_at', ['last_contact_at'], unique=False)

    # audit_event.resident_id, and the connection and contribution tables the reports
    # count, come with the coordinator's workspace (e9a1c0de0012).

    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_reply_at', sa.DateTime(), nullable=True))
        # PostgreSQL answers the reports' counts from the index alone.
        batch_op.create_index('ix_thread_created_at', ['created_at'], unique=False,
                              postgresql_include=['need', 'ward_code', 'coordinator_id',
                                                  'handed_off_at', 'crisis', 'first_reply_at'])
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_open', ['state'], unique=False,
                              sqlite_where=OPEN_FOR_A_PERSON, postgresql_where=OPEN_FOR_A_PERSON)
    # Threads answered before this migration: their first coordinator message.
    op.execute(FIRST_REPLY_BACKFILL)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_thread_author_created',
                              ['thread_id', 'author', 'created_at'], unique=False)

    op.create_table('outcome_domain',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_outcome_domain'))
    )
    op.create_table('outcome_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinator.id'],
                            name=op.f('fk_outcome_review_coordinator_id_coordinator')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'],
                            name=op.f('fk_outcome_review_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_review'))
    )
    with op.batch_alter_table('outcome_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_review_resident_id'), ['resident_id'])
        batch_op.create_index(batch_op.f('ix_outcome_review_recorded_at'), ['recorded_at'])
    op.create_table('outcome_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_outcome_score_score_1_to_5')),
    sa.ForeignKeyConstraint(['review_id'], ['outcome_review.id'], ondelete='CASCADE',
                            name=op.f('fk_outcome_score_review_id_outcome_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_score'))
    )
    with op.batch_alter_table('outcome_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_score_review_id'), ['review_id'])
    op.create_table('demand_avoided',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinator.id'],
                            name=op.f('fk_demand_avoided_coordinator_id_coordinator')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'],
                            name=op.f('fk_demand_avoided_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_avoided'))
    )
    with op.batch_alter_table('demand_avoided', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_avoided_resident_id'), ['resident_id'])
        batch_op.create_index(batch_op.f('ix_demand_avoided_recorded_at'), ['recorded_at'])
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('pointed_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('skipped_reason', sa.String(length=120), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('answer', sa.String(length=12), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'],
                            name=op.f('fk_follow_up_message_id_message')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'],
                            name=op.f('fk_follow_up_resident_id_resident')),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'],
                            name=op.f('fk_follow_up_thread_id_thread')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_resident_id'), ['resident_id'])
        batch_op.create_index('ix_follow_up_state_due_at', ['state', 'due_at'])
        batch_op.create_index(batch_op.f('ix_follow_up_sent_at'), ['sent_at'])
    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('entry_name', sa.String(length=120), nullable=False),
    sa.Column('entry_kind', sa.String(length=12), nullable=False),
    sa.Column('need', sa.String(length=32), nullable=True),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('pointed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinator.id'],
                            name=op.f('fk_referral_coordinator_id_coordinator')),
    sa.ForeignKeyConstraint(['entry_id'], ['directory_entry.id'], ondelete='SET NULL',
                            name=op.f('fk_referral_entry_id_directory_entry')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'],
                            name=op.f('fk_referral_follow_up_id_follow_up')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'],
                            name=op.f('fk_referral_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_follow_up_id'), ['follow_up_id'])
        batch_op.create_index(batch_op.f('ix_referral_resident_id'), ['resident_id'])
        batch_op.create_index(batch_op.f('ix_referral_pointed_at'), ['pointed_at'])


def downgrade():
    for table in ('referral', 'follow_up', 'demand_avoided',
                  'outcome_score', 'outcome_review', 'outcome_domain'):
        op.drop_table(table)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_author_created')
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_open')
        batch_op.drop_index('ix_thread_created_at')
        batch_op.drop_column('first_reply_at')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_last_contact_at')
        batch_op.drop_index('ix_resident_created_at')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('safeguarding_hold')
    with op.batch_alter_table('council', schema=None) as batch_op:
        for column in ('accessibility_reviewed', 'accessibility_contact',
                       'retention_safeguarding_years', 'retention_contact_years',
                       'privacy_notice_url'):
            batch_op.drop_column(column)
