"""Fixtures for driving the app: demo and empty stores, a fixed clock and time zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from nextcall.seed.demo import DEMO_AGENTS
from nextcall.seed.load import load_demo
from nextcall.store.db import make_engine, open_store
from nextcall.store.importer import import_files
from nextcall.tui.app import NextcallApp
from tests import factories

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def utc_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen in UTC, whatever the machine's zone, so snapshots are stable."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    load_demo(f"sqlite:///{path}", today=TODAY, now=NOW)
    return path


@pytest.fixture
def demo_engine(demo_db: Path, tmp_path: Path) -> Iterator[Engine]:
    """A copy of the demo store for one test (tests may import into it)."""
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_db.read_bytes())
    engine = make_engine(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


@pytest.fixture
def new_agent_engine(tmp_path: Path) -> Iterator[Engine]:
    """A store with a team, a scorecard and one agent who has no scored calls yet."""
    engine = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    import_files(engine, [factories.write_jsonl(tmp_path / "basics.jsonl", factories.basics())])
    yield engine
    engine.dispose()


def make_app(engine: Engine, agent_id: str | None = "a.khan", **options: object) -> NextcallApp:
    return NextcallApp(engine=engine, agent_id=agent_id, poll_seconds=0.2, demo_stories=DEMO_AGENTS, **options)  # type: ignore[arg-type]
