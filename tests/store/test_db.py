"""Opening the store: pragmas, migrations, and clear errors for databases nextcall cannot use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

from nextcall.store.db import head_revision, make_engine, migrate, open_store, schema_revision
from nextcall.store.errors import StoreError
from nextcall.store.importer import import_files
from nextcall.store.models import Evaluation
from tests import factories


def test_migrations_build_exactly_the_schema_the_models_describe(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_postgresql_sessions_start_no_parallel_workers_and_search_nextcalls_schema_first(pg_url: str) -> None:
    """Every read of a screen is small or one pass over an index: workers would take longer to start than they save."""
    engine = make_engine(pg_url)
    try:
        for _ in range(2):  # a new connection, and the pool's again
            with engine.connect() as connection:
                assert connection.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one() == "0"
                assert connection.execute(text("SHOW search_path")).scalar_one().startswith("nextcall,")
    finally:
        engine.dispose()


def test_one_active_goal_and_one_open_dispute_are_partial_unique_indexes(engine: Engine) -> None:
    # The models name their WHERE for SQLite only; the migrations make both partial everywhere.
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            found = dict(connection.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('uq_goal_one_active_per_agent', 'uq_dispute_one_open')"
            ).all())
        else:
            found = dict(connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE name IN ('uq_goal_one_active_per_agent', 'uq_dispute_one_open')"
            ).all())
    assert "UNIQUE" in found["uq_goal_one_active_per_agent"].upper()
    assert "status = 'active'" in found["uq_goal_one_active_per_agent"].replace("(", "").replace(")", "").replace("::text", "")
    assert "status = 'open'" in found["uq_dispute_one_open"].replace("(", "").replace(")", "").replace("::text", "")


def test_a_new_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert schema_revision(engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def test_opening_again_keeps_every_row(engine: Engine, tmp_path: Path) -> None:
    import_files(engine, [factories.write_jsonl(tmp_path / "a.jsonl", [*factories.basics(), factories.evaluation()])])
    migrate(engine)  # a second open, as every start of the app does
    with Session(engine) as session:
        assert session.exec(select(Evaluation.call_id)).all() == ["C-100234"]


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a shopping list, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.db is not a nextcall database"):
        open_store(f"sqlite:///{path}")
    assert path.read_bytes().startswith(b"this is a shopping list")


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    with pytest.raises(StoreError, match=r"tables that are not nextcall's \(invoices\)"):
        open_store(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}


def test_a_database_from_a_newer_nextcall_is_refused(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="upgraded by a newer nextcall"):
        migrate(engine)
    engine.dispose()


def test_an_unreachable_server_gives_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"cannot open the database postgresql\+psycopg://nobody@127\.0\.0\.1:1/x"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/x")


def test_the_password_is_never_shown(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql+psycopg://nobody:s3cret@127.0.0.1:1/x")
    assert "s3cret" not in str(caught.value)


def test_the_head_read_from_the_shipped_files_is_alembics_head() -> None:
    from nextcall.store.db import head_revision, shipped_head

    assert shipped_head() == head_revision()


def test_opening_a_current_store_needs_no_migration_machinery(sqlite_url: str) -> None:
    # Start-up stays quick: Alembic is loaded only when a schema must be created or upgraded.
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from nextcall.store.db import open_store\n"
        f"open_store({sqlite_url!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout == "False\n"
    fresh = sqlite_url.replace("nextcall.db", "fresh.db")
    script = script.replace(repr(sqlite_url), repr(fresh))
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout == "True\n"


UPGRADE_RACE = """
import sys
from nextcall.store.db import open_store, schema_revision
engine = open_store(sys.argv[1])
print(schema_revision(engine))
"""


def _open_at_once(url: str, processes: int = 3) -> list[tuple[int, str, str]]:
    """Open the store from several processes started together: (exit code, output, errors) of each."""
    import subprocess
    import sys

    started = [
        subprocess.Popen([sys.executable, "-c", UPGRADE_RACE, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    outputs = [p.communicate(timeout=120) for p in started]
    return [(p.returncode, out, err) for p, (out, err) in zip(started, outputs, strict=True)]


def test_processes_opening_a_store_that_needs_upgrading_at_once_all_open_it(db_url: str) -> None:
    # The app and an import started together after nextcall was upgraded: one upgrades, the others wait their turn.
    from tests.migrating import migrate as to_revision

    engine = make_engine(db_url)
    head = head_revision()
    try:
        for _ in range(3):
            to_revision(engine, "0013", down=True)
            done = _open_at_once(db_url)
            assert [(code, out.strip()) for code, out, _ in done] == [(0, head)] * len(done), [err for _, _, err in done]
    finally:
        engine.dispose()


def test_processes_creating_a_new_sqlite_store_at_once_all_open_it(tmp_path: Path) -> None:
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'new-{attempt}.db'}"
        done = _open_at_once(url)
        assert [(code, out.strip()) for code, out, _ in done] == [(0, head_revision())] * len(done), [err for _, _, err in done]

