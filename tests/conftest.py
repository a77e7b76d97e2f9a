"""Shared fixtures: a clean database per test, on SQLite and on PostgreSQL.

Store tests take `db_url` (or `engine`), which runs them twice: on a real
SQLite file and on a real PostgreSQL server. The schema is migrated once per
session into a template, and every test gets a fresh copy of it.

PostgreSQL is found at NEXTCALL_TEST_PG (default
postgresql://postgres@127.0.0.1:5432/test). When it cannot be reached those
tests skip with the reason, except with CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
import contextlib
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from nextcall.store.db import make_engine, open_store

PG_URL = os.environ.get("NEXTCALL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def _pg_admin_dsn() -> str:
    url = make_url(PG_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_url_for(database: str) -> str:
    return make_url(PG_URL).set(drivername="postgresql+psycopg", database=database).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated to the newest schema, to copy per test."""
    try:
        admin = psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL not reachable at {PG_URL} ({str(error).strip().splitlines()[0]}); start it with: {PG_START}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"nextcall_tpl_{os.getpid()}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        engine = open_store(_pg_url_for(name))
        engine.dispose()
        yield name
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema, to copy per test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_store(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a clean, migrated database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "nextcall.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with fresh_pg_database(request.getfixturevalue("pg_template")) as url:
        yield url


def fresh_pg_database(template: str) -> contextlib.AbstractContextManager[str]:
    """A PostgreSQL database copied from `template`, dropped afterwards; yields its URL."""
    return scratch_pg_database(f'TEMPLATE "{template}"')


@contextmanager
def scratch_pg_database(options: str) -> Iterator[str]:
    """A PostgreSQL database made with `CREATE DATABASE … {options}`, dropped afterwards; yields its URL."""
    name = f"nextcall_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" {options}')
    try:
        yield _pg_url_for(name)
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A clean PostgreSQL database at the newest schema, as its owner, for PostgreSQL-only tests."""
    with fresh_pg_database(pg_template) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A clean, migrated SQLite file, for tests of SQLite-only behaviour."""
    path = tmp_path / "nextcall.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a clean database (SQLite, then PostgreSQL)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
