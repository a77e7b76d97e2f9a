"""Fixtures for driving the app: demo and empty stores, a fixed clock and time zone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.app import App
from textual.worker import Worker, WorkerCancelled

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


def _weekly_history() -> list[dict]:
    """An agent whose history earns every badge: steady weeks, a dip, a comeback, then a goal that sticks."""
    from datetime import timedelta

    start = datetime(2026, 8, 3, 9, tzinfo=UTC)  # a Monday
    records = []
    for week in range(11):
        for n in range(4):
            when = start + timedelta(weeks=week, days=n, hours=n)
            if week < 4:
                outcomes = {"greeting": "met", "verify": "met", "confirm_need": "missed"}
            elif week == 4:
                outcomes = {"greeting": "missed", "verify": "met", "confirm_need": "missed"}
            else:
                outcomes = {"greeting": "met", "verify": "met", "confirm_need": "met"}
            records.append(
                factories.evaluation(
                    call_id=f"C-{week:02d}{n}", occurred_at=when.isoformat(),
                    results=[factories.result(key, outcome) for key, outcome in outcomes.items()],
                )
            )
    return records


@pytest.fixture
def all_badges_engine(tmp_path: Path) -> Iterator[Engine]:
    """A store where a.khan has earned every badge of the catalogue."""
    from datetime import timedelta

    from sqlmodel import Session

    from nextcall.store.goals import start_goal
    from nextcall.store.models import SelfAssessment
    from nextcall.store.recognition import refresh_recognition

    engine = open_store(f"sqlite:///{tmp_path / 'all.db'}")
    history = _weekly_history()
    import_files(engine, [factories.write_jsonl(tmp_path / "a.jsonl", [*factories.basics(), *history[:20]])])
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=datetime(2026, 9, 7, 8, tzinfo=UTC))
    import_files(engine, [factories.write_jsonl(tmp_path / "b.jsonl", history[20:])])
    with Session(engine) as session, session.begin():
        session.add(
            SelfAssessment(
                agent_id="a.khan", session_on=date(2026, 10, 20), strengths="Calm with upset callers",
                submitted_at=datetime(2026, 10, 19, 16, tzinfo=UTC) - timedelta(hours=1),
            )
        )
        session.flush()
        refresh_recognition(session, ["a.khan"])
    yield engine
    engine.dispose()


@pytest.fixture
def no_badges_engine(tmp_path: Path) -> Iterator[Engine]:
    """A store where a.khan has one scored call and no badge yet."""
    engine = open_store(f"sqlite:///{tmp_path / 'none.db'}")
    import_files(engine, [factories.write_jsonl(tmp_path / "a.jsonl", [*factories.basics(), factories.evaluation()])])
    yield engine
    engine.dispose()


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaderboard periods and calibration's 30 days end at the demo's fixed NOW, whatever the machine's clock says."""
    monkeypatch.setattr("nextcall.store.leaderboard.utc_now", lambda: NOW)
    monkeypatch.setattr("nextcall.store.queries.utc_now", lambda: NOW)


CARE_KEYS = ["greeting", "verify", "confirm_need", "empathy", "hold", "explains", "next_steps", "closing"]
"""The demo care scorecard's behaviours, in order."""


def perfect_calls(agent: str, call_ids: list[str], *, day: str = "2026-11-23") -> list[dict]:
    """Calls on the demo care scorecard with every behaviour met, an hour apart from 09:00 UTC."""
    return [
        factories.evaluation(
            call_id=call_id, agent=agent, occurred_at=f"{day}T{9 + n:02d}:00:00Z",
            results=[factories.result(key) for key in CARE_KEYS],
        )
        for n, call_id in enumerate(call_ids)
    ]


def import_records(engine: Engine, path: Path, records: list[dict]) -> None:
    """Import records through the real importer, as `nextcall import` would."""
    import_files(engine, [factories.write_jsonl(path, records)])


async def _finished(worker: Worker) -> None:
    """Wait for a worker; one a newer one replaced (an exclusive group: the board moved on) is done too.

    A worker that failed still fails the test."""
    try:
        await worker.wait()
    except WorkerCancelled:
        pass


async def settle(app: App, pilot) -> None:  # noqa: ANN001 (Textual's Pilot)
    """Let the store workers finish and the screen repaint.

    A write's worker publishes a change that starts a reading worker, which
    repaints: wait through a few rounds, until no worker is left running.
    """
    for _ in range(4):
        await pilot.pause()
        await asyncio.gather(*(_finished(worker) for worker in app.workers))
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            break


async def press(app: App, pilot, *keys: str) -> None:  # noqa: ANN001 (Textual's Pilot)
    """Press these keys, then let what they started finish and paint (see `settle`)."""
    await pilot.press(*keys)
    await settle(app, pilot)


PATIENCE_S = 60.0
"""How long a test waits for a state before calling it a hang: a ceiling only a hang reaches, not a timing."""


async def wait_until(app: App, pilot, condition: Callable[[], bool], what: str = "the condition") -> None:  # noqa: ANN001
    """Let the poller and the workers run until `condition` holds; fail only after PATIENCE_S (a hang)."""
    began = time.monotonic()
    while True:
        await settle(app, pilot)
        if condition():
            return
        assert time.monotonic() - began < PATIENCE_S, f"waited {PATIENCE_S:.0f} s for {what}"
        await pilot.pause(0.1)
