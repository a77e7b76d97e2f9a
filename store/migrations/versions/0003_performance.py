"""Indexes for a large contact center: a team's latest calls on a scorecard.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_evaluation_agent_scorecard_occurred", "evaluation", ["agent_id", "scorecard_id", "occurred_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_evaluation_agent_scorecard_occurred", table_name="evaluation")
