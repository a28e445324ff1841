"""offered tier

Revision ID: 0004_offered_tier
Revises: 0003_assigned_grader
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0004_offered_tier'
down_revision = '0003_assigned_grader'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered_tier_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attempts_offered_tier_id_tiers'), 'tiers', ['offered_tier_id'], ['id'])
    # Attempts started before this revision were offered their assessment's tier as it is now.
    op.execute("UPDATE attempts SET offered_tier_id = "
               "(SELECT tier_id FROM assessments WHERE assessments.id = attempts.assessment_id)")


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempts_offered_tier_id_tiers'), type_='foreignkey')
        batch_op.drop_column('offered_tier_id')

