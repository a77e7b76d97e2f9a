"""Initial schema: teams, agents, scorecards, evaluations and their results,
with room for goals, badge awards, points and self-assessments.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scorecard',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('team',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('agent',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_team_id'), ['team_id'], unique=False)

    op.create_table('criterion',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('critical', sa.Boolean(), nullable=False),
    sa.Column('next_call', sa.Text(), nullable=False),
    sa.Column('lesson', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecard.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scorecard_id', 'key', name='uq_criterion_scorecard_key')
    )
    op.create_table('evaluation',
    sa.Column('call_id', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('evaluator', sa.String(length=200), nullable=True),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('first_contact_resolution', sa.Boolean(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('scorecard_id', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('critical_missed', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecard.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id')
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_agent_occurred', ['agent_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_evaluation_occurred', ['occurred_at'], unique=False)
        batch_op.create_index('ix_evaluation_scorecard', ['scorecard_id'], unique=False)
        batch_op.create_index('ix_evaluation_imported', ['imported_at'], unique=False)

    op.create_table('goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('baseline_met', sa.Integer(), nullable=False),
    sa.Column('baseline_applicable', sa.Integer(), nullable=False),
    sa.Column('target_met', sa.Integer(), nullable=False),
    sa.Column('target_window', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('drop_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index('ix_goal_agent_status', ['agent_id', 'status'], unique=False)
        batch_op.create_index(
            'uq_goal_one_active_per_agent', ['agent_id'], unique=True,
            sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('session_on', sa.Date(), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('struggles', sa.Text(), nullable=False),
    sa.Column('want_to_work_on', sa.Text(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_self_assessment_agent_session', ['agent_id', 'session_on'], unique=False)

    op.create_table('badge_award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('badge_id', sa.String(length=64), nullable=False),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agent_id', 'badge_id', name='uq_badge_award')
    )
    with op.batch_alter_table('badge_award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_award_agent_id'), ['agent_id'], unique=False)

    op.create_table('criterion_result',
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('moment_s', sa.Integer(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], ),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'criterion_id')
    )
    with op.batch_alter_table('criterion_result', schema=None) as batch_op:
        batch_op.create_index('ix_criterion_result_criterion', ['criterion_id', 'outcome'], unique=False)

    op.create_table('points_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agent_id', 'day', 'source', name='uq_points_agent_day_source')
    )
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.create_index('ix_points_agent_day', ['agent_id', 'day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_points_agent_day')

    op.drop_table('points_entry')
    with op.batch_alter_table('criterion_result', schema=None) as batch_op:
        batch_op.drop_index('ix_criterion_result_criterion')

    op.drop_table('criterion_result')
    with op.batch_alter_table('badge_award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_award_agent_id'))

    op.drop_table('badge_award')
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_self_assessment_agent_session')

    op.drop_table('self_assessment')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index('uq_goal_one_active_per_agent')
        batch_op.drop_index('ix_goal_agent_status')

    op.drop_table('goal')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_scorecard')
        batch_op.drop_index('ix_evaluation_imported')
        batch_op.drop_index('ix_evaluation_occurred')
        batch_op.drop_index('ix_evaluation_agent_occurred')

    op.drop_table('evaluation')
    op.drop_table('criterion')
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_team_id'))

    op.drop_table('agent')
    op.drop_table('team')
    op.drop_table('scorecard')
