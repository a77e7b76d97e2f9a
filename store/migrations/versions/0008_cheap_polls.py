"""What every open app and wallboard polls is read from the end of an index.

An open app asks every few seconds whether an import wrote, and a wallboard
whether a goal was newly mastered; both counted or scanned every row, so on a
store of ten million results each poll took tens of milliseconds, per screen
open. Now `evaluation.imported_at` and `points_entry (source, id)` are indexed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_evaluation_imported_at", "evaluation", ["imported_at"], unique=False)
    op.create_index("ix_points_source", "points_entry", ["source", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_points_source", table_name="points_entry")
    op.drop_index("ix_evaluation_imported_at", table_name="evaluation")
