"""The leaderboard screen driven with keys and clicks: choices, the viewer's own place, opt-out, odd stores."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import DataTable, Tabs

from nextcall.store.db import open_store
from nextcall.store.leaderboard import is_opted_out
from nextcall.tui.app import NextcallApp
from nextcall.tui.screens.leaderboard import LeaderboardScreen
from tests import factories

from .conftest import import_records, make_app, perfect_calls, settle, wait_until

"""The behaviours of the demo's customer care scorecard."""

FALCONS = ["Rami Haddad", "Linh Nguyen", "Elin Lindqvist", "Tomasz Kowalski", "Aisha Khan"]
"""The demo's Falcons ranked by quality over the last 7 days (Siobhán has only two calls)."""

OTTERS = ["Priya Sharma", "Yuki Tanaka", "Daniel Mensah", "Mercy Okafor", "Camille Dubois", "Jorge García"]


pytestmark = pytest.mark.usefixtures("frozen_clock")


def board_app(engine: Engine, agent_id: str | None = "a.khan", **options: object) -> NextcallApp:
    return make_app(engine, agent_id, zone=UTC, **options)


async def open_board(app: NextcallApp, pilot) -> LeaderboardScreen:  # noqa: ANN001 (Textual's Pilot)
    await settle(app, pilot)
    await pilot.press("l")
    await settle(app, pilot)
    assert isinstance(app.screen, LeaderboardScreen)
    return app.screen


def shown(widget: Widget) -> str:
    """What a widget draws on the terminal, line by line."""
    return "\n".join(widget.render_line(y).text.rstrip() for y in range(widget.size.height))


def text(app: NextcallApp, selector: str) -> str:
    """A widget's text as one line, wrapped lines joined again."""
    return " ".join(shown(app.screen.query_one(selector)).splitlines())


def names(app: NextcallApp) -> list[str]:
    """The Agent column, top to bottom, without the viewer's marker."""
    table = app.screen.query_one("#board", DataTable)
    return [str(table.get_cell_at(Coordinate(row, 2))).split("  ◀")[0] for row in range(table.row_count)]


def cursor_key(app: NextcallApp) -> str | None:
    table = app.screen.query_one("#board", DataTable)
    return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value


def active_tab(app: NextcallApp) -> str | None:
    return app.screen.query_one("#metrics", Tabs).active


# ------------------------------------------------------------------ opening


async def test_l_opens_the_viewers_team_by_quality_with_their_row_marked_and_under_the_cursor(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        assert screen.sub_title == "Falcons · Last 7 days"
        assert active_tab(app) == "metric-quality"
        assert text(app, "#board-caption").startswith("Last 7 days · Falcons · mean QA score")
        assert names(app) == FALCONS
        board = shown(app.screen.query_one("#board"))
        assert "Quality" in board.splitlines()[0]
        assert "Aisha Khan  ◀ you" in board
        assert board.count("◀ you") == 1
        assert cursor_key(app) == "a.khan"
        table = screen.query_one("#board", DataTable)
        viewer = table.get_row("a.khan")
        assert all("bold" in str(cell.style) for cell in viewer)
        assert not any("bold" in str(cell.style) for cell in table.get_row("r.haddad"))
        you = text(app, "#board-you")
        assert "You: 5th of 5 · quality 71%" in you
        assert "On your next call: Before you offer a fix, repeat the need back and get a yes." in you
        assert "Siobhán O'Neill: 2 of 3 calls" in text(app, "#board-unranked")


# ----------------------------------------------------------------- choosing


async def test_m_cycles_the_metrics_and_the_tab_follows(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        seen = []
        for _ in range(4):
            await pilot.press("m")
            await settle(app, pilot)
            header = shown(app.screen.query_one("#board")).splitlines()[0]
            seen.append((active_tab(app), header.split("Agent")[1].split()[0], cursor_key(app)))
        assert seen == [
            ("metric-improved", "Most", "a.khan"),
            ("metric-goal", "Goal", "a.khan"),
            ("metric-points", "Points", "a.khan"),
            ("metric-quality", "Quality", "a.khan"),
        ]


async def test_m_on_goal_progress_ranks_only_agents_with_a_goal(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await pilot.press("m", "m")
        await settle(app, pilot)
        assert names(app) == ["Aisha Khan"]
        assert cursor_key(app) == "a.khan"
        assert "Rami Haddad: no goal in this period" in text(app, "#board-unranked")
        # Linh's goal stuck in October: celebrated then, not ranked for ever.
        assert "Linh Nguyen: goal stuck, ranked again on the next one" in text(app, "#board-unranked")
        assert "You: 1st of 1 · goal progress" in text(app, "#board-you")


async def test_clicking_a_metric_tab_switches_the_board(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        assert await pilot.click("#metric-points")
        await settle(app, pilot)
        assert active_tab(app) == "metric-points"
        assert names(app)[:2] == ["Aisha Khan", "Linh Nguyen"]
        assert "You: 1st of 5 · points 50" in text(app, "#board-you")  # today and the 6 days before
        assert "points earned in the period" in text(app, "#board-caption")
        assert await pilot.click("#metric-quality")
        await settle(app, pilot)
        assert names(app) == FALCONS


async def test_p_cycles_the_periods_in_subtitle_and_caption(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        subtitles, captions = [], []
        for _ in range(4):
            await pilot.press("p")
            await settle(app, pilot)
            subtitles.append(screen.sub_title)
            captions.append(text(app, "#board-caption").split(" · ")[0])
        assert subtitles == [
            "Falcons · Last 30 days", "Falcons · This month", "Falcons · This week", "Falcons · Last 7 days",
        ]
        assert captions == ["Last 30 days", "This month", "This week", "Last 7 days"]
        assert active_tab(app) == "metric-quality"


async def test_a_longer_period_ranks_the_newcomer_too(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        before = text(app, "#board-you")
        await pilot.press("p")  # last 30 days: more calls, so different figures
        await settle(app, pilot)
        assert text(app, "#board-you") != before
        assert set(names(app)) == set(FALCONS)
        assert cursor_key(app) == "a.khan"


async def test_t_moves_to_the_other_team_then_everyone(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert screen.sub_title == "Otters · Last 7 days"
        assert names(app) == OTTERS
        assert "◀ you" not in text(app, "#board")
        assert text(app, "#board-you").startswith("You are not on this board")
        assert "Press t for your own team" in text(app, "#board-you")
        assert not screen.query_one("#board-unranked").display

        await pilot.press("t")
        await settle(app, pilot)
        assert screen.sub_title == "Everyone · Last 7 days"
        assert sorted(names(app)) == sorted(FALCONS + OTTERS)
        assert cursor_key(app) == "a.khan"
        assert "You: 10th of 11 · quality 71%" in text(app, "#board-you")

        await pilot.press("t")
        await settle(app, pilot)
        assert screen.sub_title == "Falcons · Last 7 days"
        assert names(app) == FALCONS


async def test_choices_combine(demo_engine: Engine) -> None:
    """Metric, period and team are independent: changing one keeps the others."""
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        await pilot.press("t", "t", "m", "m", "m", "p")
        await settle(app, pilot)
        assert screen.sub_title == "Everyone · Last 30 days"
        assert active_tab(app) == "metric-points"
        assert "points earned in the period" in text(app, "#board-caption")


# ------------------------------------------------------------------ opt-out


async def test_o_makes_the_viewer_anonymous_to_colleagues_but_not_to_themselves(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await pilot.press("o")
        await wait_until(app, pilot, lambda: "Anonymous" in text(app, "#board-you"))
        assert is_opted_out(demo_engine, agent_id="a.khan")
        assert "Aisha Khan  ◀ you (Anonymous to others)" in text(app, "#board")
        assert "others see you as Anonymous" in text(app, "#board-you")
        assert cursor_key(app) == "a.khan"

    colleague = board_app(demo_engine, "l.nguyen")
    async with colleague.run_test(size=(80, 24)) as pilot:
        await open_board(colleague, pilot)
        board = text(colleague, "#board")
        assert "Aisha Khan" not in board
        assert "Anonymous" in names(colleague)
        assert names(colleague).index("Anonymous") == FALCONS.index("Aisha Khan")
        assert "Anonymous" not in text(colleague, "#board-you")


async def test_o_again_shows_the_name_again(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await pilot.press("o")
        await wait_until(app, pilot, lambda: is_opted_out(demo_engine, agent_id="a.khan"))
        await wait_until(app, pilot, lambda: "Anonymous to others" in text(app, "#board"))
        await pilot.press("o")
        await wait_until(app, pilot, lambda: not is_opted_out(demo_engine, agent_id="a.khan"))
        await wait_until(app, pilot, lambda: "Anonymous" not in text(app, "#board"))
        assert "Aisha Khan  ◀ you" in text(app, "#board")


# ------------------------------------------------------------ hostile, empty


async def test_markup_in_a_name_is_shown_literally(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(
        demo_engine, tmp_path / "bob.jsonl",
        [
            factories.agent(id="b.markup", name="[red]Bob[/red]", team="falcons"),
            *perfect_calls("b.markup", ["B-1", "B-2", "B-3"]),
            factories.agent(id="c.markup", name="[b]Cy[/b] \x1b[31m", team="falcons"),
            *perfect_calls("c.markup", ["C-1"]),
        ],
    )
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        assert names(app)[0] == "[red]Bob[/red]"
        assert "[red]Bob[/red]" in text(app, "#board")
        assert "[b]Cy[/b] ␛[31m: 1 of 3 calls" in text(app, "#board-unranked")


async def test_markup_in_a_team_name_is_shown_literally(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(demo_engine, tmp_path / "team.jsonl", [factories.team(id="falcons", name="[i]Falcons[/i]")])
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        assert screen.sub_title == "[i]Falcons[/i] · Last 7 days"
        assert "[i]Falcons[/i] · Last 7 days" in text(app, "HeaderTitle")
        assert "Last 7 days · [i]Falcons[/i] · mean QA score" in text(app, "#board-caption")


async def test_an_empty_store_shows_how_to_fill_it(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    app = board_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")  # the picker asks who you are: there is nobody yet
        screen = await open_board(app, pilot)
        assert screen.query_one("#board-empty").display
        assert not screen.query_one("#board").display
        assert "Nobody here yet" in text(app, "#board-empty")
        assert "nextcall import FILE.jsonl" in text(app, "#board-empty")
        assert not screen.query_one("#board-unranked").display
        await pilot.press("m", "p", "t", "o")
        await settle(app, pilot)
        assert "Nobody here yet" in text(app, "#board-empty")
    engine.dispose()


async def test_nobody_at_the_minimum_shows_that_nobody_is_ranked(no_badges_engine: Engine) -> None:
    app = board_app(no_badges_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        assert not screen.query_one("#board").display
        empty = text(app, "#board-empty")
        assert "Nobody has 3 scored calls in the last 7 days yet" in empty
        assert "Press p for a longer period" in empty
        assert "Aisha Khan (you): 1 of 3 calls" in text(app, "#board-unranked")
        assert text(app, "#board-you").startswith("You: not ranked yet (1 of 3 calls).")


async def test_the_minimum_calls_setting_is_the_boards(demo_engine: Engine) -> None:
    app = board_app(demo_engine, min_calls=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        assert names(app) == ["Elin Lindqvist", "Aisha Khan"]
        assert "Ranked from 5 calls" in text(app, "#board-caption")
        assert "Rami Haddad: 3 of 5 calls" in text(app, "#board-unranked")


# ------------------------------------------------------------------ reloads


async def test_the_board_follows_new_evaluations(demo_engine: Engine, tmp_path: Path) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        assert "You: 5th of 5" in text(app, "#board-you")
        assert "Siobhán O'Neill" not in names(app)

        import_records(demo_engine, tmp_path / "more.jsonl", perfect_calls("s.oneill", ["N-1", "N-2", "N-3"]))
        await wait_until(app, pilot, lambda: "Siobhán O'Neill" in names(app))

        table = app.screen.query_one("#board", DataTable)
        assert [str(cell) for cell in table.get_row("s.oneill")] == ["2", "new", "Siobhán O'Neill", "94%", "5"]
        assert names(app) == ["Rami Haddad", "Siobhán O'Neill", *FALCONS[1:]]
        assert "You: 6th of 6" in text(app, "#board-you")
        assert cursor_key(app) == "a.khan"
        assert not app.screen.query_one("#board-unranked").display


async def test_the_board_read_after_coming_back_is_current(demo_engine: Engine, tmp_path: Path) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        import_records(demo_engine, tmp_path / "more.jsonl", perfect_calls("a.khan", ["K-1", "K-2", "K-3"]))
        await pilot.press("l")
        await wait_until(app, pilot, lambda: "You: 5th of 5" not in text(app, "#board-you"))
        table = app.screen.query_one("#board", DataTable)
        assert str(table.get_row("a.khan")[4]) == "8"
        assert cursor_key(app) == "a.khan"


# ------------------------------------------------------------- layout and wording


async def test_the_value_column_names_the_metric_in_full(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        headers = []
        for _ in range(4):
            headers.append(shown(app.screen.query_one("#board")).splitlines()[0])
            await pilot.press("m")
            await settle(app, pilot)
        for header, label in zip(headers, ["Quality", "Most improved", "Goal progress", "Points"], strict=True):
            assert label in header


async def test_a_long_name_leaves_the_value_and_calls_in_view(demo_engine: Engine, tmp_path: Path) -> None:
    long_name = "Bartholomew Featherstonehaugh-Cholmondeley the Third"
    import_records(
        demo_engine, tmp_path / "long.jsonl",
        [factories.agent(id="b.long", name=long_name, team="falcons"), *perfect_calls("b.long", ["L-1", "L-2", "L-3"])],
    )
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        board = shown(app.screen.query_one("#board"))
        assert "Calls" in board.splitlines()[0]
        viewer = next(line for line in board.splitlines() if "◀ you" in line)
        assert viewer.split()[-2:] == ["71%", "5"]


async def test_a_goal_board_without_goals_does_not_blame_the_calls(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await pilot.press("t", "m", "m")  # the Otters by goal progress: all have calls, none has a goal
        await settle(app, pilot)
        assert "no goal in this period" in text(app, "#board-unranked")
        assert "Nobody has 3 scored calls" not in text(app, "#board-empty")


async def test_the_line_under_the_board_gives_homes_next_call_with_or_without_a_goal(demo_engine: Engine) -> None:
    from nextcall.store.queries import coaching_state, home_view

    for agent in ("e.lindqvist", "l.nguyen", "a.khan"):  # no goal; a goal that stuck; a goal being worked on
        home = home_view(demo_engine, agent_id=agent)
        state = coaching_state(demo_engine, agent_id=agent)
        assert home is not None and home.focus is not None and state is not None and state.next_call is not None
        app = board_app(demo_engine, agent)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_board(app, pilot)
            said = text(app, "#board-you")
            # The instruction can wrap: compare it as one line, as `text` joins it.
            assert f"On your next call: {' '.join(home.focus.criterion.next_call.split())}" in said, agent



async def test_switching_boards_keeps_the_next_call_line_without_working_out_the_coaching_state_again(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nextcall.store import queries

    read: list[str] = []
    coaching_state_in = queries.coaching_state_in

    def counted(session, agent_id):  # noqa: ANN001, ANN202
        read.append(agent_id)
        return coaching_state_in(session, agent_id)

    monkeypatch.setattr(queries, "coaching_state_in", counted)
    home = queries.home_view(demo_engine, agent_id="a.khan")
    assert home is not None and home.focus is not None
    line = f"On your next call: {' '.join(home.focus.criterion.next_call.split())}"
    read.clear()
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        assert line in text(app, "#board-you")
        assert read == ["a.khan"]
        for key in ("m", "m", "p"):  # most improved, goal progress, another period: the same agent, the same state
            await pilot.press(key)
            await settle(app, pilot)
            assert line in text(app, "#board-you"), key
        assert active_tab(app) == "metric-goal"
        assert read == ["a.khan"]
        await pilot.press("h")
        await settle(app, pilot)
        read.clear()
        await pilot.press("l")  # back on the board: calls or goals may have changed meanwhile, so it is read again
        await settle(app, pilot)
        assert read == ["a.khan"]
        assert line in text(app, "#board-you")


# ------------------------------------------------------------------- room


@pytest.mark.parametrize(("size", "wide"), [((80, 24), False), ((160, 48), True)], ids=["80x24", "160x48"])
async def test_at_160x48_the_board_shows_every_row_with_team_and_move_in_words(
    demo_engine: Engine, size: tuple[int, int], wide: bool
) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=size) as pilot:
        screen = await open_board(app, pilot)
        await pilot.press("t", "t")  # everyone
        await settle(app, pilot)
        table = screen.query_one("#board", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert ("Team" in labels) is wide and ("Since last period" in labels) is wide
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling at either size
        rows_in_view = table.size.height - 1  # under the header
        if wide:
            # Every ranked agent in view, each with their team and their move in words.
            assert rows_in_view == table.row_count == 11
            row = table.get_row_at(0)
            assert str(row[1]) == "▲2 up 2 places" and str(row[labels.index("Team")]) == "Otters"
        else:
            assert table.row_count == 11 and len(labels) == 5
        assert table.region.bottom <= screen.query_one("#board-you").region.y


@pytest.mark.parametrize(("size", "tall"), [((80, 24), False), ((160, 48), True)], ids=["80x24", "160x48"])
async def test_a_tall_board_says_where_the_viewer_stands_on_every_metric(
    demo_engine: Engine, size: tuple[int, int], tall: bool
) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=size) as pilot:
        screen = await open_board(app, pilot)
        standing = screen.query_one("#board-standing")
        assert standing.display is tall
        if tall:
            lines = shown(standing).splitlines()
            assert [line.split()[0] for line in lines] == ["Quality", "Most", "Goal", "Points"]
            assert "5th of 5 · 71% · down 2 places · the board above ◀" in lines[0]
            assert "1st of 5 · 50 · up 1 place" in lines[3]
            await pilot.press("m")  # the mark follows the board shown
            await settle(app, pilot)
            lines = shown(standing).splitlines()
            assert "◀" in lines[1] and "◀" not in lines[0]
            assert standing.region.bottom <= screen.query_one("#board-you").region.y


# --------------------------------------------------- what each figure rests on


def column(app: NextcallApp, key: str) -> dict[str, str]:
    """One column of the board by row key: the agent's id (or anonymous-N)."""
    table = app.screen.query_one("#board", DataTable)
    return {str(row_key.value): str(table.get_cell(row_key, key)) for row_key in table.rows}


async def test_a_wide_board_shows_each_improvers_scores_before_and_now_and_the_viewers_own_goal(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_board(app, pilot)
        table = screen.query_one("#board", DataTable)
        assert "behind" not in table.columns  # quality: the score is the figure itself

        await pilot.press("m")  # most improved
        await settle(app, pilot)
        assert str(table.columns["behind"].label) == "Mean score: 30 days before → this period"
        behind = column(app, "behind")
        assert behind["a.khan"] == "82% → 71%" and behind["t.kowalski"] == "73% → 79%"
        # The change shown beside it is the difference of the two, to the point.
        for key, value in column(app, "value").items():
            before, now = (int(rate.rstrip("%")) for rate in behind[key].split(" → "))
            assert abs(int(value.removesuffix(" pts").replace("±", "")) - (now - before)) <= 1
        assert table.virtual_size.width <= table.size.width

        await pilot.press("m")  # goal progress: the viewer's own goal, by its behaviour
        await settle(app, pilot)
        assert str(table.columns["behind"].label) == "Your goal: before it → this period"
        assert column(app, "behind")["a.khan"] == "Confirms the need before solving · 60% → 100%"
        assert str(table.get_cell("a.khan", "value")) == "+40 pts"

        await pilot.press("p")  # the last 30 days: a colleague on a goal too, and it stays theirs
        await settle(app, pilot)
        behind = column(app, "behind")
        colleagues = {key: text for key, text in behind.items() if key != "a.khan"}
        assert colleagues == {"l.nguyen": "–"}
        assert column(app, "value")["l.nguyen"] == "+17 pts"


async def test_a_narrow_board_keeps_its_five_columns_on_every_metric(demo_engine: Engine) -> None:
    app = board_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(app, pilot)
        table = screen.query_one("#board", DataTable)
        for _ in range(3):
            await pilot.press("m")
            await settle(app, pilot)
            assert len(table.columns) == 5 and "behind" not in table.columns
