"""code runs

Revision ID: 0008_code_runs
Revises: 0007_psychometrics
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0008_code_runs'
down_revision = '0007_psychometrics'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'code_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_item_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('results', sa.JSON(none_as_null=True), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('queued_at', quiz.models.base.UTCDateTime(), nullable=False),
        sa.Column('started_at', quiz.models.base.UTCDateTime(), nullable=True),
        sa.Column('finished_at', quiz.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('examples', 'graded')", name=op.f('ck_code_runs_kind')),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_code_runs_status')),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_code_runs_attempt_id_attempts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['attempt_item_id'], ['attempt_items.id'],
                                name=op.f('fk_code_runs_attempt_item_id_attempt_items'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_code_runs')),
    )
    with op.batch_alter_table('code_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_runs_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index('ix_code_runs_item_kind', ['attempt_item_id', 'kind'], unique=False)
        batch_op.create_index('ix_code_runs_status_queued_at', ['status', 'queued_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('code_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_code_runs_status_queued_at')
        batch_op.drop_index('ix_code_runs_item_kind')
        batch_op.drop_index(batch_op.f('ix_code_runs_attempt_id'))
    op.drop_table('code_runs')
