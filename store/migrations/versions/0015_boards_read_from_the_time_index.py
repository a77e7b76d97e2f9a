"""Everyone's board reads each agent's calls and scores from the index on call time alone.

A board over everyone groups a period's calls by agent and averages their
scores: with `evaluation.occurred_at` indexed alone, each of the period's calls
was looked up in the table for its agent and score (at 5,000 agents, 216,000
lookups per period). The index now carries both after the time, so the board
is read from the index (on PostgreSQL, an index-only scan); queries on a
window of call time use it as before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_evaluation_occurred", table_name="evaluation")
    op.create_index("ix_evaluation_occurred", "evaluation", ["occurred_at", "agent_id", "score"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_evaluation_occurred", table_name="evaluation")
    op.create_index("ix_evaluation_occurred", "evaluation", ["occurred_at"], unique=False)
