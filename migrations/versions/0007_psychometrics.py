"""psychometrics

Revision ID: 0007_psychometrics
Revises: 0006_outbox
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0007_psychometrics'
down_revision = '0006_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calibrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=8), nullable=False),
    sa.Column('anchor_id', sa.Integer(), nullable=True),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('log_likelihood', sa.Float(), nullable=False),
    sa.Column('gradient_norm', sa.Float(), nullable=False),
    sa.Column('iterations', sa.Integer(), nullable=False),
    sa.Column('converged', sa.Boolean(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('code_version', sa.String(length=32), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('quadrature', sa.JSON(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['anchor_id'], ['calibrations.id'], name=op.f('fk_calibrations_anchor_id_calibrations')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_calibrations_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calibrations_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibrations'))
    )
    with op.batch_alter_table('calibrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibrations_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('assessment_psychometrics',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('scoring', sa.String(length=8), nullable=False),
    sa.Column('calibration_id', sa.Integer(), nullable=True),
    sa.Column('theta_cut', sa.Float(), nullable=True),
    sa.Column('exposure_cap', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('min_responses', sa.Integer(), nullable=False),
    sa.Column('changed_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("scoring = 'percent' OR (calibration_id IS NOT NULL AND theta_cut IS NOT NULL)", name=op.f('ck_assessment_psychometrics_theta_needs_calibration')),
    sa.CheckConstraint("scoring IN ('percent', 'theta')", name=op.f('ck_assessment_psychometrics_scoring')),
    sa.CheckConstraint('exposure_cap IS NULL OR (exposure_cap > 0 AND exposure_cap <= 1)', name=op.f('ck_assessment_psychometrics_exposure_cap')),
    sa.CheckConstraint('min_responses >= 1', name=op.f('ck_assessment_psychometrics_min_responses')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_psychometrics_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['calibration_id'], ['calibrations.id'], name=op.f('fk_assessment_psychometrics_calibration_id_calibrations')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_assessment_psychometrics_changed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_assessment_psychometrics'))
    )
    op.create_table('attempt_abilities',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('calibration_id', sa.Integer(), nullable=False),
    sa.Column('theta', sa.Float(), nullable=False),
    sa.Column('theta_sd', sa.Float(), nullable=False),
    sa.Column('theta_cut', sa.Float(), nullable=False),
    sa.Column('p_above_cut', sa.Float(), nullable=False),
    sa.Column('items_used', sa.Integer(), nullable=False),
    sa.Column('scoring', sa.String(length=8), nullable=False),
    sa.Column('computed_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_abilities_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['calibration_id'], ['calibrations.id'], name=op.f('fk_attempt_abilities_calibration_id_calibrations')),
    sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_attempt_abilities'))
    )
    with op.batch_alter_table('attempt_abilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_abilities_calibration_id'), ['calibration_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attempt_abilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_abilities_calibration_id'))

    op.drop_table('attempt_abilities')
    op.drop_table('assessment_psychometrics')
    with op.batch_alter_table('calibrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibrations_assessment_id'))

    op.drop_table('calibrations')
