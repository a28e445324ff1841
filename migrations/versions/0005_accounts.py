"""accounts: server-side log-in sessions, email verification, duplicate-account signals

Revision ID: 0005_accounts
Revises: 0004_offered_tier
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import quiz.models.base

from quiz.auth.identity import canonical_email, name_country_key


revision = '0005_accounts'
down_revision = '0004_offered_tier'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('ended_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('logout', 'password_changed', 'password_reset')",
                       name=op.f('ck_login_sessions_end_reason')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_device_hash'), ['device_hash'], unique=False)

    op.create_table('account_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('other_user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('detected_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("reason IN ('email', 'device', 'name_country')", name=op.f('ck_account_signals_reason')),
    sa.CheckConstraint('user_id <> other_user_id', name=op.f('ck_account_signals_distinct_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_signals_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_user_id'], ['users.id'], name=op.f('fk_account_signals_other_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_signals')),
    sa.UniqueConstraint('user_id', 'other_user_id', 'reason', name=op.f('uq_account_signals_user_id_other_user_id_reason'))
    )
    with op.batch_alter_table('account_signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_signals_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', quiz.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_canonical', sa.String(length=254), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_email_canonical'), ['email_canonical'], unique=False)
    with op.batch_alter_table('candidate_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_country_key', sa.String(length=320), nullable=True))
        batch_op.create_index(batch_op.f('ix_candidate_applications_name_country_key'), ['name_country_key'],
                              unique=False)

    # Accounts made before verification existed are treated as verified (since they were made):
    # nobody who could take an assessment yesterday is locked out today.
    op.execute("UPDATE users SET email_verified_at = created_at")
    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('email_canonical', sa.String))
    for ident, email in connection.execute(sa.select(users.c.id, users.c.email)).all():
        connection.execute(users.update().where(users.c.id == ident).values(email_canonical=canonical_email(email)))
    applications = sa.table('candidate_applications', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                            sa.column('country', sa.String), sa.column('name_country_key', sa.String))
    for ident, name, country in connection.execute(
            sa.select(applications.c.id, applications.c.full_name, applications.c.country)).all():
        connection.execute(applications.update().where(applications.c.id == ident)
                           .values(name_country_key=name_country_key(name, country)))


def downgrade() -> None:
    with op.batch_alter_table('candidate_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_applications_name_country_key'))
        batch_op.drop_column('name_country_key')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_email_canonical'))
        batch_op.drop_column('email_canonical')
        batch_op.drop_column('email_verified_at')
    with op.batch_alter_table('account_signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_signals_user_id'))
    op.drop_table('account_signals')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_device_hash'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
