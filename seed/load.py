"""Loading the demo data set into a demo database, through the importer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from nextcall.store.db import open_store
from nextcall.store.importer import ImportSummary, import_batch, read_records

from .demo import demo_records


def load_demo(url: str, *, today: date) -> ImportSummary:
    """Make the demo database at `url` afresh, its story ending on `today`.

    A SQLite demo file is deleted first, so the demo always starts clean.
    """
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database and database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    engine = open_store(url)
    try:
        return import_batch(engine, read_records(demo_records(today=today), source="demo data"))
    finally:
        engine.dispose()
