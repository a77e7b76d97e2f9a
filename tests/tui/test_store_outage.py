"""The database going away while the app is open: one clear notice, no crash, and back by itself.

The PostgreSQL database is taken away as an outage would: every connection
to it is ended and new ones are refused; then it is let back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from textual.widgets import DataTable

from nextcall.store.db import make_engine
from nextcall.store.importer import import_files
from nextcall.tui.screens.scorecards import ScorecardsScreen
from tests import factories

from .conftest import make_app, settle

OUTAGE_TITLE = "Store out of reach"


class Outage:
    """Takes a PostgreSQL database away from its clients and lets it back."""

    def __init__(self, db_url: str) -> None:
        url = make_url(db_url)
        self.database = url.database
        self.admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def begin(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false')
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.database,),
            )

    def end(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')


@pytest.fixture
def outage(db_url: str) -> Iterator[Outage]:
    taken = Outage(db_url)
    yield taken
    taken.end()


async def until(pilot, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:  # noqa: ANN001
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"waited {timeout} s for {what}"
        await pilot.pause(0.1)


def outage_notices(app) -> list:  # noqa: ANN001
    return [n for n in app._notifications if n.title == OUTAGE_TITLE]


def call_ids(app) -> set[str]:  # noqa: ANN001
    table = app.screen.query_one(DataTable)
    return {row.value for row in table.rows}


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_the_database_going_away_shows_one_notice_and_the_app_recovers(
    db_url: str, outage: Outage, tmp_path: Path
) -> None:
    engine: Engine = make_engine(db_url)
    import_files(engine, [factories.write_jsonl(tmp_path / "a.jsonl", [*factories.basics(), factories.evaluation()])])
    app = make_app(engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, ScorecardsScreen) and call_ids(app) == {"C-100234"}

        outage.begin()
        await until(pilot, lambda: bool(outage_notices(app)), "the outage notice")
        [notice] = outage_notices(app)
        assert notice.severity == "error"
        assert f"Can't reach the store at {make_url(db_url).render_as_string(hide_password=True)}" in notice.message
        assert "retrying every 0.2 s" in notice.message
        assert "Your view is from " in notice.message

        # Moving around during the outage: loads fail quietly behind the one notice.
        failed: list[None] = []
        unreachable = app.store_unreachable

        def counted() -> None:
            failed.append(None)
            unreachable()

        app.store_unreachable = counted  # type: ignore[method-assign]
        await pilot.press("h")
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await until(pilot, lambda: len(failed) >= 5, "several polls and loads to fail")
        assert app.is_running
        assert [n.title for n in app._notifications if n.severity == "error"] == [OUTAGE_TITLE]
        assert call_ids(app) == {"C-100234"}  # the last view stays on screen

        outage.end()
        import_files(
            engine,
            [factories.write_jsonl(tmp_path / "b.jsonl", [factories.evaluation(call_id="C-200001", occurred_at="2026-11-21T09:00:00Z")])],
        )
        await until(pilot, lambda: not outage_notices(app), "the notice to go")
        await until(pilot, lambda: call_ids(app) == {"C-100234", "C-200001"}, "the list to reload")
        assert any(n.title == "Store reachable" for n in app._notifications)
        assert [n for n in app._notifications if n.severity == "error"] == []
    engine.dispose()
