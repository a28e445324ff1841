"""review token

Revision ID: 0002_review_token
Revises: 0001_initial
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0002_review_token'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_token', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('review_token')

