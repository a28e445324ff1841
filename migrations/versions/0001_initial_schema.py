"""initial schema

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base


revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('hourly_rate >= 0', name=op.f('ck_tiers_hourly_rate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('key', name=op.f('uq_tiers_key'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('accommodation_factor', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('accommodation_reason', sa.Text(), nullable=True),
    sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('candidate', 'grader', 'admin')", name=op.f('ck_users_role')),
    sa.CheckConstraint('accommodation_factor >= 1 AND accommodation_factor <= 4', name=op.f('ck_users_accommodation_factor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('after', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('candidate_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('education', sa.String(length=100), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('hours_per_week >= 0 AND hours_per_week <= 168', name=op.f('ck_candidate_applications_hours_per_week')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_candidate_applications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_applications')),
    sa.UniqueConstraint('user_id', name=op.f('uq_candidate_applications_user_id'))
    )
    op.create_table('tracks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('bank_file', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_tracks_tier_id_tiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracks')),
    sa.UniqueConstraint('key', name=op.f('uq_tracks_key'))
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('questions_drawn', sa.Integer(), nullable=False),
    sa.Column('blueprint', sa.JSON(), nullable=False),
    sa.Column('pass_mark', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('requires_confirmation', sa.Boolean(), nullable=False),
    sa.Column('review_policy', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('starter', 'specialist')", name=op.f('ck_assessments_kind')),
    sa.CheckConstraint('pass_mark >= 0 AND pass_mark <= 100', name=op.f('ck_assessments_pass_mark')),
    sa.CheckConstraint('questions_drawn > 0', name=op.f('ck_assessments_questions_drawn')),
    sa.CheckConstraint('time_limit_minutes > 0', name=op.f('ck_assessments_time_limit')),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_assessments_tier_id_tiers')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_assessments_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('id', 'kind', name=op.f('uq_assessments_id_kind')),
    sa.UniqueConstraint('key', name=op.f('uq_assessments_key')),
    sa.UniqueConstraint('track_id', 'kind', name=op.f('uq_assessments_track_id_kind'))
    )
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('retired_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('active', 'retired')", name=op.f('ck_questions_status')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_questions_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('key', name=op.f('uq_questions_key'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_track_id'), ['track_id'], unique=False)

    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('assessment_kind', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('deadline_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('submit_reason', sa.String(length=16), nullable=True),
    sa.Column('pass_mark', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('requires_confirmation', sa.Boolean(), nullable=False),
    sa.Column('review_policy', sa.JSON(), nullable=False),
    sa.Column('accommodation_factor', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('score_points', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('score_possible', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('score_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('decision', sa.String(length=8), nullable=True),
    sa.Column('decided_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('review_opened_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('review_closed_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('voided_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('voided_reason', sa.Text(), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'voided') = (voided_at IS NOT NULL)", name=op.f('ck_attempts_voided_consistent')),
    sa.CheckConstraint("decision IN ('pass', 'fail')", name=op.f('ck_attempts_decision')),
    sa.CheckConstraint("status IN ('in_progress', 'submitted', 'decided', 'voided')", name=op.f('ck_attempts_status')),
    sa.CheckConstraint("submit_reason IN ('candidate', 'deadline', 'sweep')", name=op.f('ck_attempts_submit_reason')),
    sa.CheckConstraint('deadline_at > started_at', name=op.f('ck_attempts_deadline_after_start')),
    sa.ForeignKeyConstraint(['assessment_id', 'assessment_kind'], ['assessments.id', 'assessments.kind'], name='fk_attempts_assessment_kind'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_attempts_decided_by_id_users')),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_attempts_tier_id_tiers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users')),
    sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_attempts_voided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_attempts_one_per_assessment', ['user_id', 'assessment_id'], unique=True, sqlite_where=sa.text('voided_at IS NULL'), postgresql_where=sa.text('voided_at IS NULL'))
        batch_op.create_index('uq_attempts_one_starter_per_user', ['user_id'], unique=True, sqlite_where=sa.text("assessment_kind = 'starter' AND voided_at IS NULL"), postgresql_where=sa.text("assessment_kind = 'starter' AND voided_at IS NULL"))

    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('difficulty >= 1 AND difficulty <= 5', name=op.f('ck_question_versions_difficulty')),
    sa.CheckConstraint('points > 0', name=op.f('ck_question_versions_points')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_versions_question_id_number'))
    )
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_versions_topic'), ['topic'], unique=False)

    op.create_table('attempt_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('option_order', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('answer', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('answer_seq', sa.Integer(), nullable=False),
    sa.Column('saved_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('points_awarded', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('manual_scores', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('graded_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('grader_id', sa.Integer(), nullable=True),
    sa.Column('grader_comment', sa.Text(), nullable=True),
    sa.CheckConstraint('position >= 1', name=op.f('ck_attempt_items_position')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_items_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grader_id'], ['users.id'], name=op.f('fk_attempt_items_grader_id_users')),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_versions.id'], name=op.f('fk_attempt_items_question_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_items')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_attempt_items_attempt_id_position'))
    )
    with op.batch_alter_table('attempt_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_items_pending'), ['pending'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_items_question_version_id'), ['question_version_id'], unique=False)

    op.create_table('attempt_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_signals_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_signals'))
    )
    with op.batch_alter_table('attempt_signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_signals_attempt_id'), ['attempt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attempt_signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_signals_attempt_id'))

    op.drop_table('attempt_signals')
    with op.batch_alter_table('attempt_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_items_question_version_id'))
        batch_op.drop_index(batch_op.f('ix_attempt_items_pending'))

    op.drop_table('attempt_items')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_versions_topic'))

    op.drop_table('question_versions')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_attempts_one_starter_per_user', sqlite_where=sa.text("assessment_kind = 'starter' AND voided_at IS NULL"), postgresql_where=sa.text("assessment_kind = 'starter' AND voided_at IS NULL"))
        batch_op.drop_index('uq_attempts_one_per_assessment', sqlite_where=sa.text('voided_at IS NULL'), postgresql_where=sa.text('voided_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_attempts_user_id'))
        batch_op.drop_index(batch_op.f('ix_attempts_assessment_id'))

    op.drop_table('attempts')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_track_id'))

    op.drop_table('questions')
    op.drop_table('assessments')
    op.drop_table('tracks')
    op.drop_table('candidate_applications')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('users')
    op.drop_table('tiers')
