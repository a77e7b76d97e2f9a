"""Alembic environment: runs nextcall's migrations on the connection it is given.

`store.db.migrate` passes an open connection in `config.attributes`; there is
no alembic.ini, so the migrations ship inside the package and run wherever
nextcall is installed.
"""

from __future__ import annotations

import time

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

from nextcall.store import models  # noqa: F401  (registers the tables on the metadata)
from nextcall.store.errors import StoreError

# Several agents' apps may open a shared PostgreSQL database at once; the
# first to arrive upgrades it while the others wait on this lock.
MIGRATION_LOCK_ID = 7_061_982_501

MIGRATION_WAIT_SECONDS = 120.0
"""Any role can take an advisory lock: an upgrade waits this long for it, then says so rather than hang."""

HOME = "nextcall"
"""The schema nextcall's tables live in (revision 0006 moves them there from where older ones made them)."""


def _take_migration_turn(connection: Connection) -> None:
    deadline = time.monotonic() + MIGRATION_WAIT_SECONDS
    while not connection.execute(text(f"SELECT pg_catalog.pg_try_advisory_xact_lock({MIGRATION_LOCK_ID})")).scalar():
        if time.monotonic() > deadline:
            raise StoreError(
                f"another session has held nextcall's upgrade lock for {MIGRATION_WAIT_SECONDS:.0f} s; "
                "try again, or end that session (pg_locks shows it)"
            )
        time.sleep(0.2)


def _search_only_home(connection: Connection) -> None:
    """Make and upgrade the schema searching nothing but nextcall's own schema and pg_catalog.

    A new store is made in `nextcall` from the start. A store made before
    revision 0006 is upgraded where it is, and that revision moves it home.
    """
    home = connection.execute(text(f"SELECT pg_catalog.to_regclass('{HOME}.alembic_version') IS NOT NULL")).scalar()
    elsewhere = connection.execute(text("SELECT pg_catalog.to_regclass('alembic_version') IS NOT NULL")).scalar()
    if home or not elsewhere:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {HOME}"))
        connection.execute(text(f"SELECT pg_catalog.set_config('search_path', '{HOME}, pg_catalog, pg_temp', true)"))


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
            _take_migration_turn(connection)
            _search_only_home(connection)
        context.run_migrations()


run_migrations()
