"""What the agent (and a lead) sees, pictured: Home, one evaluation, Team and the rest at 80×24 and 160×48.

On top of the asserts in test_app.py, never instead: a changed picture is a
prompt to look (`pytest --snapshot-update` after looking).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from nextcall.store.db import open_store
from nextcall.store.importer import import_files
from tests import factories

from .conftest import make_app, settle

SIZES = [(80, 24), (160, 48)]


async def settled(pilot) -> None:  # noqa: ANN001 (Textual's Pilot)
    await settle(pilot.app, pilot)


async def open_first_evaluation(pilot) -> None:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("s")
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)


@pytest.fixture
def hostile_engine(tmp_path: Path) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'hostile.db'}")
    records = [
        factories.team(name="[i]Team[/i]"),
        factories.agent(name="[b]Eve[/b] \x1b[31mO'Neill\x1b[0m"),
        factories.scorecard(),
        factories.evaluation(
            results=[
                factories.result("greeting", "met", quote="Agent: hi 🙂 [/foo]"),
                factories.result(
                    "confirm_need", "missed", moment_s=73,
                    quote="Customer: [bold]I said[/] \x1b[2J the OTHER order — شكرا",
                    comment="[link=https://x]click[/link] ask first",
                ),
            ]
        ),
    ]
    import_files(engine, [factories.write_jsonl(tmp_path / "hostile.jsonl", records)])
    return engine


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_on_demo_data(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    # Frozen: what was agreed in her last session, and its check-in due today.
    assert snap_compare(make_app(demo_engine, "a.khan"), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_with_an_upcoming_session(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_engine, "j.garcia"), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_for_a_new_agent(snap_compare, new_agent_engine: Engine, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(new_agent_engine, "a.khan"), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_with_hostile_text(snap_compare, hostile_engine: Engine, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(hostile_engine, "a.khan"), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_scorecards_on_demo_data(snap_compare, demo_engine: Engine, size: tuple[int, int]) -> None:
    async def scorecards(pilot) -> None:  # noqa: ANN001
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)

    assert snap_compare(make_app(demo_engine, "a.khan"), terminal_size=size, run_before=scorecards)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_evaluation_on_demo_data(snap_compare, demo_engine: Engine, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_engine, "a.khan"), terminal_size=size, run_before=open_first_evaluation)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_evaluation_with_hostile_text(snap_compare, hostile_engine: Engine, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(hostile_engine, "a.khan"), terminal_size=size, run_before=open_first_evaluation)


@pytest.fixture
def disputed_engine(tmp_path: Path) -> Engine:
    """One call with a recording, and the agent's "I see it differently" on its miss, open."""
    from datetime import UTC, datetime

    from nextcall.store import talkback
    from nextcall.store.models import Outcome

    engine = open_store(f"sqlite:///{tmp_path / 'disputed.db'}")
    records = [*factories.basics(), factories.evaluation(recording_url="https://rec.example.com/calls/C-100234.mp3")]
    import_files(engine, [factories.write_jsonl(tmp_path / "disputed.jsonl", records)])
    talkback.raise_dispute(
        engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify",
        reason="I asked for the date of birth at 1:20, right after the reset link", proposed=Outcome.met,
        now=datetime(2026, 11, 21, 9, tzinfo=UTC),
    )
    return engine


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_evaluation_with_an_open_dispute(snap_compare, disputed_engine: Engine, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(disputed_engine, "a.khan"), terminal_size=size, run_before=open_first_evaluation)


async def goal_screen(pilot) -> None:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("g")
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("agent", ["a.khan", "l.nguyen", "j.garcia"], ids=["active", "mastered", "none-yet"])
def test_goal_screen(snap_compare, demo_engine: Engine, frozen_clock: None, agent: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_engine, agent), terminal_size=size, run_before=goal_screen)


async def badges_screen(pilot) -> None:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("b")
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("store", ["no_badges_engine", "demo_engine", "all_badges_engine"], ids=["none", "some", "all"])
def test_badges_screen(snap_compare, request: pytest.FixtureRequest, store: str, size: tuple[int, int]) -> None:
    engine = request.getfixturevalue(store)
    assert snap_compare(make_app(engine, "a.khan"), terminal_size=size, run_before=badges_screen)


async def self_assessment_screen(pilot) -> None:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("w")
    await settled(pilot)
    screen = pilot.app.screen
    screen.query_one("#sa-date").value = "2026-12-01"
    screen.query_one("#sa-strengths").load_text("Calm with [b]upset[/b] callers 🙂")
    for select in screen.query("Select"):
        select.value = {"discovery": 4, "disclosure": 4, "greeting": 3}.get(select.criterion_key, select.value)
    await settled(pilot)
    # Saved now rather than when the autosave timer fires, so the picture never catches it half-way.
    screen.save_now()
    await pilot.app.workers.wait_for_complete()
    await settled(pilot)
    pilot.app.set_focus(None)
    await settled(pilot)


async def calibration_view(pilot) -> None:  # noqa: ANN001
    await self_assessment_screen(pilot)
    pilot.app.screen.query_one("#sa-calibration").scroll_visible(animate=False, top=True)
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_self_assessment(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_engine, "j.garcia"), terminal_size=size, run_before=self_assessment_screen)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_calibration(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_engine, "j.garcia"), terminal_size=size, run_before=calibration_view)


async def leaderboard_screen(pilot) -> None:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("l")
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_leaderboard_on_demo_data(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    from datetime import UTC

    assert snap_compare(make_app(demo_engine, "a.khan", zone=UTC), terminal_size=size, run_before=leaderboard_screen)


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_wallboard_on_demo_data(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    from datetime import UTC

    from nextcall.tui.wallboard import WallboardApp

    app = WallboardApp(engine=demo_engine, team_id=None, rotate_seconds=0, zone=UTC)
    assert snap_compare(app, terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_team_screen_with_a_check_in_due(snap_compare, demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    from nextcall.tui.app import NextcallApp

    app = NextcallApp(engine=demo_engine, lead=True, team_id="falcons", poll_seconds=0.2)
    assert snap_compare(app, terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_team_screen_of_an_empty_team(snap_compare, tmp_path: Path, frozen_clock: None, size: tuple[int, int]) -> None:
    from nextcall.tui.app import NextcallApp

    engine = open_store(f"sqlite:///{tmp_path / 'team.db'}")
    import_files(engine, [factories.write_jsonl(tmp_path / "team.jsonl", [factories.team()])])
    app = NextcallApp(engine=engine, lead=True, team_id="falcons", poll_seconds=0.2)
    assert snap_compare(app, terminal_size=size, run_before=settled)
