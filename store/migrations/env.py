"""Alembic environment: runs nextcall's migrations on the connection it is given.

`store.db.migrate` passes an open connection in `config.attributes`; there is
no alembic.ini, so the migrations ship inside the package and run wherever
nextcall is installed.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

from nextcall.store import models  # noqa: F401  (registers the tables on the metadata)

# Several agents' apps may open a shared PostgreSQL database at once; the
# first to arrive upgrades it while the others wait on this lock.
MIGRATION_LOCK_ID = 7_061_982_501


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"))
        context.run_migrations()


run_migrations()
