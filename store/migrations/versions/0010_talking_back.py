"""The agent talks back to QA: recordings to listen to, evaluations seen, "I see it differently".

- `evaluation.recording_url` and `call_detail.recording_url`: where the call's
  recording is (a call record's wins, as for its other details);
- `acknowledgement`: an agent saw an evaluation of their call, with an optional
  comment (`current` turns false when the call is re-scored after);
- `dispute`: an agent's disagreement with one behaviour's outcome on one call,
  with a reason and the outcome they believe is right; QA's answer closes it
  (a re-score: changed or upheld; a resolution record: upheld). One open
  dispute per behaviour per call.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("evaluation", sa.Column("recording_url", sa.Text(), nullable=True))
    op.add_column("call_detail", sa.Column("recording_url", sa.Text(), nullable=True))
    op.create_table(
        "acknowledgement",
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agent_id", sa.String(length=64), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("current", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.create_index("ix_acknowledgement_agent_id", "acknowledgement", ["agent_id"], unique=False)
    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("criterion.id"), nullable=False),
        sa.Column("agent_id", sa.String(length=64), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_outcome", sa.String(length=8), nullable=True),
        sa.Column("scored_outcome", sa.String(length=8), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_outcome", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_dispute_agent_status", "dispute", ["agent_id", "status"], unique=False)
    op.create_index("ix_dispute_evaluation", "dispute", ["evaluation_id"], unique=False)
    op.create_index(
        "uq_dispute_one_open", "dispute", ["evaluation_id", "criterion_id"], unique=True,
        sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_dispute_one_open", table_name="dispute")
    op.drop_index("ix_dispute_evaluation", table_name="dispute")
    op.drop_index("ix_dispute_agent_status", table_name="dispute")
    op.drop_table("dispute")
    op.drop_index("ix_acknowledgement_agent_id", table_name="acknowledgement")
    op.drop_table("acknowledgement")
    op.drop_column("call_detail", "recording_url")
    op.drop_column("evaluation", "recording_url")
