"""the safety net: how each message was read, the review list of conversations the front
door answered alone, and corrections for retraining

Revision ID: e9a1c0de0020
Revises: e9a1c0de0016
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e9a1c0de0020'
down_revision = 'e9a1c0de0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_reading',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.String(length=32), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('unsure', sa.Boolean(), nullable=False),
    sa.Column('several_needs', sa.String(length=200), nullable=True),
    sa.Column('crisis', sa.String(length=32), nullable=True),
    sa.Column('crisis_level', sa.String(length=16), nullable=True),
    sa.Column('crisis_source', sa.String(length=16), nullable=True),
    sa.Column('crisis_score', sa.Float(), nullable=False),
    sa.Column('crisis_top', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('message_id')
    )

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('first_message_id', sa.Integer(), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('moved_to_id', sa.Integer(), nullable=True),
    sa.Column('moved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['first_message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['last_message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['moved_to_id'], ['coordinator.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['coordinator.id'], ),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_moved_to_id'), ['moved_to_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_review_resolved_at'), ['resolved_at'],
                              unique=False)

    op.create_table('correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=False),
    sa.Column('need_read', sa.String(length=32), nullable=True),
    sa.Column('need', sa.String(length=32), nullable=True),
    sa.Column('crisis_read', sa.String(length=32), nullable=True),
    sa.Column('crisis', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinator.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_message_id'), ['message_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_message_id'))
    op.drop_table('correction')
    with op.batch_alter_table('review', schema=None) as batch_op:
        for column in ('resolved_at', 'moved_to_id', 'due_at', 'thread_id'):
            batch_op.drop_index(batch_op.f(f'ix_review_{column}'))
    op.drop_table('review')
    op.drop_table('message_reading')
