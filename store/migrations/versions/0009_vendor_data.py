"""QA tools' data in: agents' vendor user ids, and call details that come apart from evaluations.

- `agent_alias`: a QA tool's user id for an agent (Amazon Connect's `agentId`,
  Genesys Cloud's `agent.id`), so that a vendor's evaluation finds whose call it was.
- `call_detail`: a call's time, channel, length, CSAT and first-contact
  resolution as the contact-center system or a survey tells them, often days
  after the evaluation; what it gives wins over the evaluation's own fields.

Both are the owner's alone, as imports are: the evaluation rows the logins
read already carry the call's details.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_alias",
        sa.Column("alias", sa.String(length=200), primary_key=True),
        sa.Column("agent_id", sa.String(length=64), sa.ForeignKey("agent.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_agent_alias_agent_id", "agent_alias", ["agent_id"], unique=False)
    op.create_table(
        "call_detail",
        sa.Column("call_id", sa.String(length=64), primary_key=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("first_contact_resolution", sa.Boolean(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("call_detail")
    op.drop_index("ix_agent_alias_agent_id", table_name="agent_alias")
    op.drop_table("agent_alias")
