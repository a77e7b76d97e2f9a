"""One index on an agent's calls in time, carrying the call's id and scorecard, instead of two.

Every call imported went into two indexes led by its agent: (agent, time) and
(agent, scorecard, time). Each new call lands on another page of each, one page
per agent: at 500 agents the next day's calls changed 1,361 pages of these two
indexes, three quarters of all the pages the import wrote. The one index now
holds (agent, time, id, scorecard): an agent's calls in time are read as before,
and their latest calls on one scorecard (Home's, and each colleague's for the
team prior) from the same entries, newest first with ties at one instant by id
as the queries order them, the scorecard checked in the index without reading
the call (on PostgreSQL an index-only scan that stops at the calls it needs).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_evaluation_agent_scorecard_occurred", table_name="evaluation")
    op.drop_index("ix_evaluation_agent_occurred", table_name="evaluation")
    op.create_index(
        "ix_evaluation_agent_occurred", "evaluation", ["agent_id", "occurred_at", "id", "scorecard_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_evaluation_agent_occurred", table_name="evaluation")
    op.create_index("ix_evaluation_agent_occurred", "evaluation", ["agent_id", "occurred_at"], unique=False)
    op.create_index(
        "ix_evaluation_agent_scorecard_occurred", "evaluation", ["agent_id", "scorecard_id", "occurred_at"], unique=False
    )
