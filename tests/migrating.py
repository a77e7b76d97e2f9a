"""Moving a test store to a schema revision with Alembic, up or down."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine

from nextcall.store.db import _alembic_config


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, with `down`, downgrade) the store at `engine` to `revision`.

    Connections opened before are dropped: they search where the tables were."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()
