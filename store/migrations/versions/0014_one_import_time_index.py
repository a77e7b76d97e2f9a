"""One index on when each evaluation was imported, not two.

`evaluation.imported_at` was indexed twice (`ix_evaluation_imported` from the
first schema, `ix_evaluation_imported_at` from 0008): every import wrote both.
The first stays; polls read the end of it as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_evaluation_imported_at", table_name="evaluation")


def downgrade() -> None:
    op.create_index("ix_evaluation_imported_at", "evaluation", ["imported_at"], unique=False)
