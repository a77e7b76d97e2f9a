"""Coaching that goes on after the session: sessions, what was agreed, when to check in.

`coaching_session`: an agent's 1:1 with their coach (who, when, moved or
cancelled), the behaviour agreed on and what the agent will do, notes, the
day a check-in is due, and the agent's confirmation (or what they heard
differently).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coaching_session",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("agent_id", sa.String(length=64), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("coach", sa.String(length=200), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("criterion.id"), nullable=True),
        sa.Column("will_do", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heard_differently", sa.Text(), nullable=True),
    )
    op.create_index("ix_coaching_session_agent_at", "coaching_session", ["agent_id", "scheduled_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_coaching_session_agent_at", table_name="coaching_session")
    op.drop_table("coaching_session")
