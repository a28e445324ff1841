"""outbox: every outgoing mail is a row, sent by the job queue

Revision ID: 0006_outbox
Revises: 0011_bank_revision
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0006_outbox'
down_revision = '0011_bank_revision'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('message_token', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', quiz.models.base.UTCDateTime(), nullable=True),
        sa.Column('lease_expires_at', quiz.models.base.UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', quiz.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_mail_status')),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_mail_attempts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail')),
        sa.UniqueConstraint('message_token', name=op.f('uq_outbox_mail_message_token')),
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mail_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_outbox_mail_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mail_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_mail_created_at'))
    op.drop_table('outbox_mail')
