"""Recognition follows new calls without reading the whole history: each agent's standing is kept.

An import of the next day's calls derived every affected agent's badges and
points from all their calls, so it took longer every day. Now the store
keeps, per agent, where the rules stood after the latest call
(`recognition_standing`); calls newer than that go on from it. Derived data,
the owner's alone: agents' and leads' logins are granted nothing on it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recognition_standing",
        sa.Column("agent_id", sa.String(length=64), sa.ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("through_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("through_call_id", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("standing", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recognition_standing")
