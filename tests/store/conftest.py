"""Fixtures the store's tests share."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from nextcall.seed.load import load_demo
from nextcall.store.db import make_engine

DEMO_TODAY = date(2026, 11, 23)
DEMO_NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
"""When the demo's story ends, as the `demo` store holds it."""


@pytest.fixture
def demo(db_url: str) -> Iterator[Engine]:
    """The demo data, its story ending on 23 Nov 2026 at 18:30 UTC."""
    load_demo(db_url, today=DEMO_TODAY, now=DEMO_NOW)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
