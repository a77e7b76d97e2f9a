"""The cycle collector paused while an import or a board makes its many small objects, and back after."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from nextcall.store import importer, leaderboard
from nextcall.store.collector import collector_paused
from tests import factories as f

HANG = 60.0
"""Only a hang waits this long."""


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_inside_another_leaves_it_off_until_the_outer_one_ends() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_a_failure_inside_still_turns_it_back_on() -> None:
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0
    assert gc.isenabled()


def test_pauses_overlapping_in_two_threads_end_with_the_last_one() -> None:
    """Thread A pauses, B pauses, A ends while B still works: the collector stays off until B ends."""
    a_in, b_in, a_out, b_may_end = (threading.Event() for _ in range(4))
    seen: dict[str, bool] = {}

    def first() -> None:
        with collector_paused():
            a_in.set()
            assert b_in.wait(HANG)
        a_out.set()

    def second() -> None:
        assert a_in.wait(HANG)
        with collector_paused():
            b_in.set()
            assert b_may_end.wait(HANG)
            seen["while B works, after A ended"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert a_out.wait(HANG)
    b_may_end.set()
    for thread in threads:
        thread.join(HANG)
    assert seen == {"while B works, after A ended": False}
    assert gc.isenabled()


def collector_on_during(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[bool]:
    """Whether the collector was on, each time `module.name` was called from now on."""
    wrapped = getattr(module, name)
    during: list[bool] = []

    def watched(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        during.append(gc.isenabled())
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(module, name, watched)
    return during


def test_a_board_is_built_with_the_collector_paused(engine: Engine, tmp_path, monkeypatch) -> None:
    path = f.write_jsonl(tmp_path / "people.jsonl", [f.team(), f.scorecard(), f.agent()])
    importer.import_files(engine, [path], now=datetime(2026, 11, 25, tzinfo=UTC))
    during = collector_on_during(monkeypatch, leaderboard, "leaderboard_in")
    view = leaderboard.leaderboard(engine, team_id=None, now=datetime(2026, 11, 25, 12, tzinfo=UTC), zone=UTC)
    assert during == [False]
    assert gc.isenabled()
    assert [row.agent_id for row in view.unranked] == ["a.khan"]


def test_an_import_is_written_with_the_collector_paused(engine: Engine, tmp_path, monkeypatch) -> None:
    during = collector_on_during(monkeypatch, importer, "write_batch")
    path = f.write_jsonl(tmp_path / "people.jsonl", [f.team(), f.scorecard(), f.agent()])
    importer.import_files(engine, [path], now=datetime(2026, 11, 25, tzinfo=UTC))
    assert during == [False]
    assert gc.isenabled()
