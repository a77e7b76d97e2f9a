"""A SQLite file as nextcall finds it: looked at before it is touched, and its errors put into words.

Opening a file switches it to WAL, which rewrites two bytes of its header
(bytes 18 and 19, counted from 0): another program's file must be refused
before that, so it is first read without SQLite writing anything.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from . import faults

HEADER = b"SQLite format 3\x00"
WAL_VERSIONS = b"\x02\x02"
"""Bytes 18 and 19 of a file in WAL mode: opening it again changes nothing in it."""

NEXTCALL_TABLE = "alembic_version"
"""The table every nextcall database has (its schema revision); any other table alone is someone else's."""


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names; None for PostgreSQL and for an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def check_before_opening(path: Path, where: str) -> None:
    """Refuse a file that is not a nextcall database, having written nothing to it.

    A missing or empty file is a new database; a file already in WAL mode is
    left to the schema check, which only reads. Any other file is read
    through a read-only connection: it must hold nextcall's tables or none.

    Raises:
        StoreError: the file is not SQLite, holds another program's tables, or cannot be read.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return
    except OSError as error:
        raise faults.not_nextcall(where, error.strerror or str(error)) from None
    if not header:
        return
    if not header.startswith(HEADER) or len(header) < 100:
        raise faults.not_nextcall(where, "file is not a database")
    if header[18:20] == WAL_VERSIONS:
        return
    try:
        # mode=ro: SQLite takes a shared lock and reads; it creates no journal and writes no byte.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise faults.not_nextcall(where, first_line(error)) from None
    if tables and NEXTCALL_TABLE not in tables:
        raise faults.foreign_tables(where, tables)


def explain(error: BaseException, path: Path | None, where: str) -> Exception | None:
    """The words for a SQLite error that is about the file rather than the query, or None.

    Damage can sit in any page and show only when a query reaches it, long
    after the file opened fine; a full disk or a read-only file shows only on
    the first write: each is said wherever it happens.
    """
    name = getattr(error, "sqlite_errorname", "") or ""
    reason = first_line(error)
    if name.startswith("SQLITE_CORRUPT") or "malformed" in reason:
        return faults.damaged(where, reason)
    if path is None:
        return None
    if name.startswith("SQLITE_READONLY"):
        return faults.read_only(path, reason, folder=name == "SQLITE_READONLY_DIRECTORY")
    if name == "SQLITE_FULL":
        return faults.disk_full(path, reason)
    return None


def first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__
