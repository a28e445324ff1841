"""assigned grader

Revision ID: 0003_assigned_grader
Revises: 0002_review_token
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0003_assigned_grader'
down_revision = '0002_review_token'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grader_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attempts_grader_id'), ['grader_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempts_grader_id_users'), 'users', ['grader_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempts_grader_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attempts_grader_id'))
        batch_op.drop_column('grader_id')

