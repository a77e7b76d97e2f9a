"""Opening the store: engines, SQLite pragmas and schema migrations.

`open_store(url)` is the one way in: it makes the engine, checks the file is
a nextcall database, and upgrades its schema with the migrations shipped in
`store/migrations` (an upgrade only ever adds; it never drops data).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

from . import faults
from .errors import StoreError
from .sqlite_file import check_before_opening, explain, first_line, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a schema needs creating or upgrading: most
# starts find the schema current, and Alembic is a noticeable part of start-up.

SQLITE_BUSY_TIMEOUT_MS = 15_000
PG_CONNECT_TIMEOUT_S = 10
IN_LIST_SIZE = 500
"""Values per `IN (...)` of one query: well under every database's limit on parameters."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout.

    Nothing is connected or created until first use.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _explain_file_errors)
        return engine
    # A server that stops answering fails a connection in seconds rather than
    # hanging the app's poll for minutes.
    timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    engine = create_engine(parsed, pool_pre_ping=True, connect_args=timeout)
    event.listen(engine, "connect", _search_only_nextcall, insert=True)
    return engine


HOME = "nextcall"
"""The PostgreSQL schema that holds nextcall's tables (migration 0006): only the owner uses it."""

SCOPE = "nextcall_scope"
"""The schema an agent's or lead's login reads through: views named like the tables, each over a guarded function."""



def _search_only_nextcall(dbapi_connection, record) -> None:  # noqa: ANN001 (DB-API objects)
    # Every name nextcall's SQL uses unqualified resolves in its own schema or
    # in pg_catalog, never in one a login can create in (a writable public):
    # an operator or function planted there cannot run inside the owner's
    # import, admin command or refresh. A login, which holds no privilege on
    # the tables, resolves the same names to its scope's views.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_catalog.has_schema_privilege(pg_catalog.to_regnamespace(%s)::oid, 'USAGE'),"
            " pg_catalog.has_schema_privilege(pg_catalog.to_regnamespace(%s)::oid, 'USAGE'),"
            " pg_catalog.current_setting('server_encoding'),"
            # Every read of a screen or board is small or one pass over an index: workers started to run
            # parts of it in parallel take longer to start than they save (a team's board 2.4 → 7.7 ms at
            # 5,000 agents once the server has statistics; everyone's board no faster with them).
            " pg_catalog.set_config('max_parallel_workers_per_gather', '0', false)",
            (HOME, SCOPE),
        )
        home, scope, encoding, _ = cursor.fetchone()
        # The owner (or a role given the tables by hand) searches them; a login, which may use only its
        # scope, searches that; a store whose tables are not moved home yet keeps the server's default.
        schema = HOME if home else SCOPE if scope else None
        if schema is not None:
            cursor.execute("SELECT pg_catalog.set_config('search_path', %s, false)", (f"{schema}, pg_catalog, pg_temp",))
    dbapi_connection.commit()
    record.info["nextcall_login"] = schema == SCOPE
    record.info["server_encoding"] = encoding


REFUSALS = frozenset({"42501", "22023", "23505", "P0002", "23514"})
"""What a shared database's checked functions raise when they refuse a login's write (migrations 0006, 0011, 0013)."""


def refusal(error: DBAPIError) -> str | None:
    """The database's reason, when `error` is one of its checked functions refusing a write; None for anything else."""
    if getattr(error.orig, "sqlstate", None) not in REFUSALS:
        return None
    return str(error.orig).strip().splitlines()[0].removeprefix("permission denied: ")


@contextmanager
def refused_as(error_type: type[StoreError] | type[Exception], template: str = "The team's database refused it: {reason}.") -> Iterator[None]:
    """Word a shared database's refusal of a login's write as `error_type`, with `template` around its reason."""
    try:
        yield
    except DBAPIError as error:
        reason = refusal(error)
        if reason is None:
            raise
        raise error_type(template.format(reason=reason)) from None


def through_login(session: Session) -> bool:
    """Whether this session is an agent's or lead's own login: it reads its scope and writes through functions.

    Never on SQLite, whose file holds everything for whoever opens it."""
    return bool(session.connection().info.get("nextcall_login", False))


def reads_team_per_agent(session: Session) -> bool:
    """Whether a team's calls are read agent by agent, each by (agent, time), then put together (`LATERAL`).

    On PostgreSQL: with its statistics, asked for a team's calls at once it reads everyone's from the
    index on call time and keeps the team's (a team's latest calls for Home's prior: 65 against 15 ms at
    5,000 agents; a team's board: 3.4 against 1.2 ms at 500). SQLite has no `LATERAL` and reads a team's
    calls agent by agent already."""
    return session.get_bind().dialect.name == "postgresql"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _explain_file_errors(context) -> None:  # noqa: ANN001 (SQLAlchemy's ExceptionContext)
    # A damaged page, a read-only file or a full disk shows only when a query
    # reaches it: said in words wherever that happens, the app's writes included.
    url = str(context.engine.url)
    explained = explain(context.original_exception, sqlite_path(url), describe(url))
    if explained is not None:
        raise explained


@contextmanager
def driver_errors_explained(engine: Engine) -> Iterator[None]:
    """Errors raised straight by the database driver, in the words the engine's own errors get.

    The importer writes its rows with the driver's `executemany`, past
    SQLAlchemy: a full disk or a read-only file met there is said as anywhere
    else, and any other driver error becomes SQLAlchemy's, as callers expect.
    """
    try:
        yield
    except engine.dialect.loaded_dbapi.Error as error:
        url = str(engine.url)
        explained = explain(error, sqlite_path(url), describe(url))
        if explained is not None:
            raise explained from None
        raise DBAPIError.instance(None, None, error, engine.dialect.loaded_dbapi.Error) from None


def unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (down, restarting, gone),
    as opposed to a problem with what was asked of it: worth retrying later."""
    if getattr(getattr(error, "orig", None), "sqlstate", None) in (LOCK_NOT_AVAILABLE, NOT_IN_PREREQUISITE_STATE):
        return False  # reached, and busy (or asked what cannot be done, such as writing a login's view): not an outage
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def describe(url: str) -> str:
    """The URL as it may be shown to people: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("nextcall.store") / "migrations"))
    return config


def head_revision() -> str:
    """The newest schema revision this version of nextcall knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database without nextcall's schema."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision.

    Raises:
        StoreError: the database cannot be reached, is not a database, holds
            someone else's tables, or was written by a newer nextcall.
    """
    where = describe(str(engine.url))
    if _is_current(engine):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = _alembic_config()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    try:
        with engine.begin() as connection:
            _take_the_upgrade_turn(connection)
            current = MigrationContext.configure(connection).get_current_revision()
            if current == ScriptDirectory.from_config(config).get_current_head():
                return  # another process upgraded it while this one waited its turn
            if current is None:
                foreign = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
                if foreign:
                    raise faults.foreign_tables(where, foreign)
            elif current not in known:
                raise StoreError(
                    f"{where} was upgraded by a newer nextcall (schema {current}); "
                    "install the newer nextcall to open it."
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        # Connections opened before the upgrade search where the tables were.
        engine.dispose()
    except StoreError:
        raise
    except OperationalError as error:
        raise faults.cannot_open(where, first_line(error)) from None
    except DatabaseError as error:
        if getattr(error.orig, "sqlstate", None) == "42501":
            # An agent's own login (nextcall admin grant) may read and write rows, never change the schema.
            raise StoreError(
                f"{where} needs its schema upgraded to {head_revision()}, which this login may not do; "
                "ask whoever looks after the database to run `nextcall db upgrade`."
            ) from None
        raise faults.not_nextcall(where, first_line(error)) from None
    except CommandError as error:
        raise StoreError(f"cannot upgrade {where}: {error}") from None


UPGRADE_LOCK = 7_140_302_615
"""The PostgreSQL advisory lock processes upgrading one database take turns on."""


def _take_the_upgrade_turn(connection: Connection) -> None:
    """One process at a time upgrades a store, each reading its revision only once it has the turn.

    Two processes opening a store that needs upgrading (the app and an import, after nextcall itself was
    upgraded) would otherwise both read the old revision and both run its migrations: the second fails.
    SQLite: its write lock, taken before the first read (waits up to the busy timeout), which also makes
    the whole upgrade one transaction; PostgreSQL: a lock held to the end of the transaction."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK})")


_REVISION = re.compile(r'^(revision|down_revision)\s*=\s*["\']?([^"\'\s]+)["\']?\s*$', re.MULTILINE)


def shipped_head() -> str:
    """The newest revision among the shipped migration files, read without Alembic (see head_revision)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (files("nextcall.store") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith("_"):
            continue
        found = dict(_REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    if len(heads) != 1:
        raise StoreError(f"the shipped migrations have {len(heads)} heads ({', '.join(sorted(heads))}); reinstall nextcall")
    return heads.pop()


def _is_current(engine: Engine) -> bool:
    """Whether the schema is already at the shipped head: then opening needs no migration machinery."""
    try:
        # One query: a database without nextcall's schema has no such table, which fails it.
        with engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:
        return False  # a new database, or one the full path says what is wrong with
    return current == [shipped_head()]


def open_store(url: str) -> Engine:
    """An engine on a database whose schema is current (created on first use).

    What is not a nextcall database, or cannot be one, is refused before
    anything is written: a SQLite file before SQLite switches it to WAL, a
    PostgreSQL database not in UTF-8 before any table is made in it.

    Raises:
        StoreError: saying what is wrong with the database; nothing was written to it.
    """
    path = sqlite_path(url)
    if path is not None:
        check_before_opening(path, describe(url))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot make the folder {path.parent} for {describe(url)}: {error.strerror or error}") from None
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            _require_utf8(engine)
        migrate(engine)
    except BaseException:
        # Closing the connections lets SQLite remove the -wal and -shm files it made for them.
        engine.dispose()
        raise
    return engine


def open_existing_store(url: str) -> Engine:
    """As `open_store`, for what only reads: a SQLite file that is not there yet is said, and nothing is made.

    Raises:
        StoreError: no database at the file's path (nor its folder made), or as `open_store`.
    """
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise faults.no_database_yet(path)
    return open_store(url)


def _require_utf8(engine: Engine) -> None:
    """Refuse a PostgreSQL database whose text is not UTF-8: names, quotes and comments could not all be kept."""
    try:
        with engine.connect() as connection:
            encoding = connection.info.get("server_encoding")
    except DBAPIError as error:
        raise faults.cannot_open(describe(str(engine.url)), first_line(error)) from None
    if encoding is not None and encoding.upper().replace("-", "") != "UTF8":
        raise faults.wrong_encoding(describe(str(engine.url)), encoding)


ROW_WAIT_SECONDS = 30.0
"""Once it has its turn, how long a writer waits for a row another session holds (an agent's app in the middle of
a change of its own): long enough for any change the app makes, short enough that none can hold up an import."""

WRITER_TURN = "SELECT 1 FROM nextcall_access.writer_turn FOR UPDATE"
"""The row PostgreSQL writers take turns on: one that no agent's or lead's login may lock (migration 0006)."""

LOCK_NOT_AVAILABLE = "55P03"
NOT_IN_PREREQUISITE_STATE = "55000"

WRITE_WAIT_SECONDS = 30.0
"""How long a change made in the app waits for another writer (an import) to finish."""


def lock_for_writing(session: Session, *, wait_seconds: float = WRITE_WAIT_SECONDS) -> None:
    """Wait for this session's turn to write, and keep it until its transaction ends.

    Call first in a unit of work. Writers take turns, so one that reads what it
    builds on (is this team new? what has this agent earned?) and then writes
    never collides with another doing the same at once: no two inserts of one
    team, no badge awarded twice, no recognition derived from a history that
    another import is changing. Readers are never held up.

    SQLite takes its one write lock now (`BEGIN IMMEDIATE`) instead of at the
    first write; PostgreSQL locks the writers' row to the end of the transaction.
    An agent's or lead's login takes no turn: the functions it writes through
    change only its own rows, one write of its own at a time.

    Raises:
        StoreError: another writer held the store for longer than `wait_seconds`.
    """
    connection = session.connection()
    backend = connection.dialect.name
    deadline = time.monotonic() + wait_seconds
    while True:
        if backend == "sqlite":
            try:
                # Waits up to the busy timeout for the writer before us.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if "locked" not in str(error.orig) and "busy" not in str(error.orig):
                    raise
        elif backend == "postgresql":
            if through_login(session):
                return
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(wait_seconds * 1000))}")
            try:
                connection.exec_driver_sql(WRITER_TURN)
            except DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                deadline = time.monotonic()  # the wait was the server's: the transaction is over
            else:
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(ROW_WAIT_SECONDS * 1000))}")
                return
        else:
            return
        if time.monotonic() >= deadline:
            raise StoreError(
                f"{describe(str(connection.engine.url))} stayed busy with another writer for "
                f"{wait_seconds:.0f} s (a large import?); try again when it is done."
            )


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed once at the end, or not at all, written in its turn."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            lock_for_writing(session)
            yield session
