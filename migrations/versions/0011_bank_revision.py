"""bank revision

Revision ID: 0011_bank_revision
Revises: 0005_accounts
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_bank_revision'
down_revision = '0005_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_revision', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_column('bank_revision')
