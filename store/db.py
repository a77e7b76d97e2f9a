"""Opening the store: engines, SQLite pragmas and schema migrations.

`open_store(url)` is the one way in: it makes the engine, checks the file is
a nextcall database, and upgrades its schema with the migrations shipped in
`store/migrations` (an upgrade only ever adds; it never drops data).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from .errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout.

    Nothing is connected or created until first use.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def describe(url: str) -> str:
    """The URL as it may be shown to people: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("nextcall.store") / "migrations"))
    return config


def head_revision() -> str:
    """The newest schema revision this version of nextcall knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database without nextcall's schema."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision.

    Raises:
        StoreError: the database cannot be reached, is not a database, holds
            someone else's tables, or was written by a newer nextcall.
    """
    where = describe(str(engine.url))
    config = _alembic_config()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current is None:
                foreign = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
                if foreign:
                    shown = ", ".join(sorted(foreign)[:5])
                    raise StoreError(
                        f"{where} already holds tables that are not nextcall's ({shown}); "
                        "give --db a new file or an empty database."
                    )
            elif current not in known:
                raise StoreError(
                    f"{where} was upgraded by a newer nextcall (schema {current}); "
                    "install the newer nextcall to open it."
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except StoreError:
        raise
    except OperationalError as error:
        raise StoreError(f"cannot open the database {where}: {_first_line(error)}") from None
    except DatabaseError as error:
        raise StoreError(
            f"{where} is not a nextcall database ({_first_line(error)}); "
            "give --db a new file or an empty database."
        ) from None
    except CommandError as error:
        raise StoreError(f"cannot upgrade {where}: {error}") from None


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__


def open_store(url: str) -> Engine:
    """An engine on a database whose schema is current (created on first use)."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed once at the end, or not at all."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session
