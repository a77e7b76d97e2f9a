"""The wallboard driven with keys and a live store: names, rotation, refresh, celebrations, fitting the screen."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.widget import Widget
from textual.widgets import Static

from nextcall.store.badges import BADGES
from nextcall.store.leaderboard import Period, set_opt_out
from nextcall.tui.wallboard import BoardRow, LineRow, SharedLine, SharedPlace, WallboardApp, block_letters
from tests import factories

from .conftest import import_records, perfect_calls, settle, wait_until


EVERYONE_BY_QUALITY = [
    "Priya Sharma", "Rami Haddad", "Linh Nguyen", "Yuki Tanaka", "Daniel Mensah", "Elin Lindqvist",
    "Mercy Okafor", "Tomasz Kowalski", "Camille Dubois", "Aisha Khan", "Jorge García",
]
"""The demo's agents ranked by quality over the last 7 days (Siobhán has only two calls)."""

FALCONS = ["Rami Haddad", "Linh Nguyen", "Elin Lindqvist", "Tomasz Kowalski", "Aisha Khan"]


pytestmark = pytest.mark.usefixtures("frozen_clock")


def wallboard(engine: Engine, team_id: str | None = None, **options: object) -> WallboardApp:
    settings: dict = {"rotate_seconds": 0, "poll_seconds": 0.2, "zone": UTC} | options
    return WallboardApp(engine=engine, team_id=team_id, **settings)


def shown(widget: Widget) -> str:
    """What a widget draws, its lines joined."""
    return " ".join(widget.render_line(y).text.strip() for y in range(widget.size.height)).strip()


def text(app: WallboardApp, selector: str) -> str:
    return shown(app.query_one(selector))


def title(app: WallboardApp) -> str:
    return text(app, "#wall-title")


def drawn_name(row: BoardRow | LineRow) -> str:
    """The name a place shows, as drawn: in words, or in large letters that spell it."""
    widget = row.query_one(".board-name, .line-name", Static)
    if widget.has_class("-large"):
        lines = [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]
        assert "\n".join(lines) == block_letters(row.row.name)
        return row.row.name
    return shown(widget)


def places(app: WallboardApp) -> list[BoardRow | LineRow]:
    """Every place shown whole, top to bottom: the top ones in large digits, then a line each."""
    return list(app.query("BoardRow, LineRow"))  # type: ignore[arg-type]


def board_names(app: WallboardApp) -> list[str]:
    return [drawn_name(row) for row in places(app)]


# ------------------------------------------------------------------ showing


async def test_shows_the_ranked_names_and_the_metric(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert title(app) == "Falcons · Quality · Last 7 days"
        assert text(app, "#wall-caption") == "Mean QA score of the calls in the period; ties share a place."
        assert board_names(app) == FALCONS
        assert [row.row.rank for row in places(app)] == [1, 2, 3, 4, 5]
        # The top three in large digits, the rest a line each.
        rows = list(app.query(BoardRow))
        assert [row.row.rank for row in rows] == [1, 2, 3]
        assert [row.query_one(".board-unit", Static).render_line(2).text.strip() for row in rows] == ["%"] * 3
        assert [shown(row.query_one(".line-unit")) for row in app.query(LineRow)] == ["%"] * 2
        assert "1 not ranked yet (under 3 calls)" in text(app, "#wall-unranked")
        assert "m: next metric" in text(app, "#wall-next")


async def test_shared_places_are_marked(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("space")
        await settle(app, pilot)
        assert "Points" in title(app)
        shared = {drawn_name(row): row.row.shares_rank for row in places(app)}
        assert shared == {
            "Aisha Khan": False, "Linh Nguyen": False,
            "Elin Lindqvist": True, "Rami Haddad": True, "Tomasz Kowalski": True,
        }
        moves = [shown(row.query_one(".board-move", Static)) for row in app.query(BoardRow)]
        assert moves == ["▲ 1", "▼ 1"]
        # The three sharing 3rd share the last place too: a line each, not large digits, the tie in the rank.
        assert [(shown(row.query_one(".line-rank")), shown(row.query_one(".line-move"))) for row in app.query(LineRow)] == [
            ("=3", "–"), ("=3", "–"), ("=3", "–"),
        ]


async def test_space_rotates_the_metric(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        titles = []
        for _ in range(4):
            await pilot.press("space")
            await settle(app, pilot)
            titles.append(title(app).split(" · ")[1])
        assert titles == ["Most improved", "Goal progress", "Points", "Quality"]
        await pilot.press("space", "space")
        await settle(app, pilot)
        # Only they have a goal, and Linh's stuck in October: it left the board until her next one.
        assert board_names(app) == ["Aisha Khan"]


async def test_the_keys_match_the_app(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert title(app) == "Everyone · Most improved · Last 7 days"
        await pilot.press("space")
        await settle(app, pilot)
        assert title(app) == "Everyone · Goal progress · Last 7 days"
        scopes = []
        for _ in range(3):
            await pilot.press("t")
            await settle(app, pilot)
            scopes.append(title(app).split(" · ")[0])
        assert scopes == ["Falcons", "Otters", "Everyone"]
        await pilot.press("t", "p")
        await settle(app, pilot)
        assert title(app) == "Falcons · Goal progress · Last 30 days"
        assert "m: next metric  ·  p: period  ·  t: team  ·  q: quit" in text(app, "#wall-next")


async def test_p_changes_the_period(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert title(app) == "Falcons · Quality · Last 30 days"


async def test_it_rotates_by_itself(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons", rotate_seconds=15)
    intervals: list[tuple[float, object]] = []
    real = app.set_interval

    def held(interval: float, callback: Any = None, **options: Any) -> Any:
        # The test turns the board when the interval would, so no test waits on the clock.
        intervals.append((interval, callback))
        return real(interval, callback, **options | {"pause": True})

    app.set_interval = held  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        first = title(app)
        assert "Next up: " in text(app, "#wall-next")
        [turn] = [callback for interval, callback in intervals if interval == 15]
        turn()  # type: ignore[operator]
        await wait_until(app, pilot, lambda: title(app) != first)
        assert title(app).split(" · ")[1] in {"Most improved", "Goal progress", "Points"}


async def test_new_evaluations_change_the_board(demo_engine: Engine, tmp_path: Path) -> None:
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert "Siobhán O'Neill" not in board_names(app)
        import_records(demo_engine, tmp_path / "more.jsonl", perfect_calls("s.oneill", ["N-1", "N-2", "N-3"]))
        await wait_until(app, pilot, lambda: "Siobhán O'Neill" in board_names(app))
        assert board_names(app) == ["Rami Haddad", "Siobhán O'Neill", *FALCONS[1:]]
        assert not app.query_one("#wall-unranked").display


# ------------------------------------------------------------- celebrations


async def test_a_new_badge_holds_the_board_with_its_own_icon(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(demo_engine, tmp_path / "agent.jsonl", [factories.agent(id="n.new", name="Noor [b]Patel[/b]", team="falcons")])
    app = wallboard(demo_engine, "falcons", banner_seconds=3600)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert not app.query_one("#banner").display
        import_records(demo_engine, tmp_path / "first.jsonl", perfect_calls("n.new", ["P-1"]))
        await wait_until(app, pilot, lambda: app.query_one("#banner").display)
        await settle(app, pilot)
        banner = text(app, "#banner")
        assert "Noor [b]Patel[/b] earned the Clean sweep badge!" in banner
        # The badge's own icon, from the one catalogue, and not another badge's.
        assert BADGES["perfect_call"].icon in banner
        assert BADGES["first_goal_mastered"].icon not in banner
        # The moment of the board: the banner takes the screen above the keys, the board steps aside.
        assert not app.query_one("#wall").display
        assert app.query_one("#banner").region.height >= 30


async def test_the_board_comes_back_when_the_banner_has_had_its_moment(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(demo_engine, tmp_path / "agent.jsonl", [factories.agent(id="n.new", name="Noor Patel", team="falcons")])
    app = wallboard(demo_engine, "falcons", banner_seconds=0.2)
    while_up: list[tuple[bool, bool]] = []
    celebrate = app.celebrate

    def watched(found: list) -> None:
        celebrate(found)
        while_up.append((app.query_one("#banner").display, app.query_one("#wall").display))

    app.celebrate = watched  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        import_records(demo_engine, tmp_path / "first.jsonl", perfect_calls("n.new", ["P-1"]))
        await wait_until(app, pilot, lambda: bool(while_up) and not app.query_one("#banner").display)
        assert while_up[0] == (True, False)  # the banner was up, the board aside
        assert app.query_one("#wall").display
        assert board_names(app)[:1] == ["Rami Haddad"]


async def test_an_opted_out_agents_badge_is_celebrated_anonymously(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(demo_engine, tmp_path / "agent.jsonl", [factories.agent(id="n.new", name="Noor Patel", team="falcons")])
    set_opt_out(demo_engine, agent_id="n.new", anonymous=True)
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        import_records(demo_engine, tmp_path / "first.jsonl", perfect_calls("n.new", ["P-1"]))
        await wait_until(app, pilot, lambda: app.query_one("#banner").display)
        banner = text(app, "#banner")
        assert "Anonymous earned the Clean sweep badge!" in banner
        assert "Noor" not in banner


async def test_an_opted_out_agent_is_anonymous_on_the_board(demo_engine: Engine) -> None:
    set_opt_out(demo_engine, agent_id="r.haddad", anonymous=True)
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert board_names(app) == ["Anonymous", *FALCONS[1:]]


async def test_another_teams_badge_is_not_celebrated(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(demo_engine, tmp_path / "agent.jsonl", [factories.agent(id="n.new", name="Noor Patel", team="otters")])
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        import_records(
            demo_engine, tmp_path / "both.jsonl",
            [*perfect_calls("n.new", ["P-1"]), *perfect_calls("s.oneill", ["N-1", "N-2", "N-3"])],
        )
        await wait_until(app, pilot, lambda: "Siobhán O'Neill" in board_names(app))
        assert not app.query_one("#banner").display


# ------------------------------------------------------------------- sizes


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_rows_fit_and_the_names_show(demo_engine: Engine, size: tuple[int, int]) -> None:
    app = wallboard(demo_engine, None)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert title(app) == "Everyone · Quality · Last 7 days"
        rows = places(app)
        footer = app.query_one("#wall-next")
        assert rows
        for row in rows:
            assert row.region.height == (3 if isinstance(row, BoardRow) else 1)
            assert row.region.bottom <= footer.region.y
        assert [row.row.rank for row in app.query(BoardRow)] == [1, 2, 3]
        names = board_names(app)
        assert names == EVERYONE_BY_QUALITY[: len(rows)]
        shared = [name for place in app.query("SharedPlace, SharedLine") for name in (row.name for row in place.rows)]
        assert shared == EVERYONE_BY_QUALITY[len(rows) : len(rows) + len(shared)]
        hidden = len(EVERYONE_BY_QUALITY) - len(rows) - len(shared)
        if hidden:
            assert f"and {hidden} more working on it" in text(app, "#wall-unranked")
        else:
            assert "working on it" not in text(app, "#wall-unranked")
        assert app.query_one("#wall-unranked").region.bottom <= footer.region.y


async def test_after_the_terminal_shrinks_the_rows_still_fit(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, None)
    async with app.run_test(size=(120, 45)) as pilot:
        await settle(app, pilot)
        assert len(places(app)) == len(EVERYONE_BY_QUALITY)
        await pilot.resize_terminal(80, 16)
        await settle(app, pilot)
        footer = app.query_one("#wall-next")
        assert len(places(app)) < len(EVERYONE_BY_QUALITY)
        assert all(row.region.bottom <= footer.region.y for row in places(app))


async def test_a_place_too_crowded_for_the_screen_is_one_line_that_counts_it(demo_engine: Engine) -> None:
    """Everyone's points at 80×24: three places, then eight agents on nothing yet: one line, not a wall of zeros."""
    app = wallboard(demo_engine, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("m")
        await settle(app, pilot)
        assert "Points" in title(app)
        assert board_names(app) == ["Aisha Khan", "Linh Nguyen", "Yuki Tanaka"]
        [shared] = app.query(SharedLine)
        assert len(shared.rows) == 8 and {row.rank for row in shared.rows} == {4}
        # Whole names, as many as fit, the rest counted: half a name across a room reads as someone else's.
        assert shown(shared.query_one(".line-name")) == "8 agents share 4th: Camille Dubois and 7 more"
        assert shared.region.bottom <= app.query_one("#wall-next").region.y
        # Everyone ranked is on the board, as a row or in that line: nothing left to count.
        assert "working on it" not in text(app, "#wall-unranked")


async def test_a_tie_that_does_not_fit_whole_is_counted_not_cut(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, None)
    async with app.run_test(size=(80, 18)) as pilot:
        await settle(app, pilot)
        assert board_names(app) == EVERYONE_BY_QUALITY[:5]
        [shared] = app.query(SharedLine)
        assert [row.name for row in shared.rows] == EVERYONE_BY_QUALITY[5:7]
        assert shown(shared.query_one(".line-name")) == "2 agents share 6th: Elin Lindqvist and 1 more"
        await pilot.resize_terminal(120, 18)
        await settle(app, pilot)
        [shared] = app.query(SharedLine)
        assert shown(shared.query_one(".line-name")) == "2 agents share 6th: Elin Lindqvist, Mercy Okafor"
        assert "and 4 more working on it" in text(app, "#wall-unranked")


async def test_top_shows_at_most_that_many_and_counts_the_rest(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, None, top=3)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert board_names(app) == EVERYONE_BY_QUALITY[:3]
        assert not app.query(SharedPlace)
        assert "and 8 more working on it" in text(app, "#wall-unranked")
        # The lowest scores never reach the screen in large digits.
        assert EVERYONE_BY_QUALITY[-1] not in app.export_screenshot()


async def test_each_name_sits_beside_its_value_with_its_move_in_colour_and_symbol(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        for row in app.query(BoardRow):
            value = row.query_one(".board-value").region
            name = row.query_one(".board-name").region
            assert value.height == name.height == 3 and value.y == name.y
            assert 0 <= name.x - value.right <= 12, "the name is read with its value, not across the screen"
        moves = {row.row.name: row.query_one(".board-move, .line-move") for row in places(app)}
        # Since the last period Rami moved up and Aisha down: a symbol each, and each its own colour.
        assert shown(moves["Rami Haddad"]).startswith("▲") and moves["Rami Haddad"].has_class("-up")
        assert shown(moves["Aisha Khan"]).startswith("▼") and moves["Aisha Khan"].has_class("-down")
        await pilot.pause()
        up, down = moves["Rami Haddad"].rich_style.color, moves["Aisha Khan"].rich_style.color
        assert up != down and app.query_one(".board-name").rich_style.color not in (up, down)
        for row in app.query(LineRow):
            assert row.query_one(".line-name").region.x == app.query_one(".board-name").region.x, "names in one column"


async def test_a_name_with_markup_shows_literally_on_the_board(demo_engine: Engine, tmp_path: Path) -> None:
    import_records(
        demo_engine, tmp_path / "more.jsonl",
        [factories.agent(id="n.new", name="Noor [bold]Patel[/]", team="falcons"), *perfect_calls("n.new", ["N-1", "N-2", "N-3"])],
    )
    app = wallboard(demo_engine, "falcons")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert "Noor [bold]Patel[/]" in board_names(app)


async def test_an_empty_period_says_the_board_fills_as_calls_are_scored(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "falcons", min_calls=50, period=Period.this_week)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not app.query(BoardRow)
        assert "Nobody has 50 scored calls this week yet" in text(app, "#wall-empty")


async def test_a_goal_board_without_goals_does_not_blame_the_calls(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "otters")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space")
        await settle(app, pilot)
        assert "Goal progress" in title(app)
        assert not app.query(BoardRow)
        assert "scored calls" not in text(app, "#wall-empty")
        assert "under 3 calls" not in text(app, "#wall-unranked")


async def test_the_caption_is_whole_at_80_columns(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, "otters")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert text(app, "#wall-caption").endswith("ties share a place.")


# ---------------------------------------------------------- across the room


@pytest.mark.parametrize(("size", "large"), [((80, 24), False), ((160, 48), True)], ids=["80x24", "160x48"])
async def test_names_of_the_top_places_are_large_when_the_width_allows(
    demo_engine: Engine, size: tuple[int, int], large: bool
) -> None:
    pytest.importorskip("pyfiglet")
    app = wallboard(demo_engine, None)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        top = list(app.query(BoardRow))
        assert [row.row.name for row in top] == EVERYONE_BY_QUALITY[:3]
        for row in top:
            name = row.query_one(".board-name", Static)
            assert name.has_class("-large") is large
            assert name.region.height == 3 and name.region.right <= app.size.width
            if large:  # three rows of letters, as tall as the digits beside them
                assert drawn_name(row) == row.row.name
                assert len([line for line in name.render_lines(name.region.reset_offset) if line.text.strip()]) == 3
            else:
                assert shown(name) == row.row.name
        # The rest in normal type, every name spelled in words.
        assert [drawn_name(row) for row in app.query(LineRow)] == EVERYONE_BY_QUALITY[3:]


async def test_without_the_block_font_names_are_bold_words(demo_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nextcall.tui.wallboard._font", lambda: None)
    app = wallboard(demo_engine, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert not app.query(".-large")
        assert board_names(app) == EVERYONE_BY_QUALITY


async def test_when_everyone_fits_only_the_top_places_are_in_large_digits(demo_engine: Engine) -> None:
    app = wallboard(demo_engine, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert board_names(app) == EVERYONE_BY_QUALITY
        assert [row.row.rank for row in app.query(BoardRow)] == [1, 2, 3]
        last = places(app)[-1]
        # The lowest place is a line like the others below the top, never a spectacle.
        assert isinstance(last, LineRow) and last.row.name == EVERYONE_BY_QUALITY[-1]
        assert last.region.height == 1
        assert not app.query_one("#wall-unranked").render_line(0).text.count("working on it")


def test_a_name_is_never_respelled_to_fit_the_block_font() -> None:
    pytest.importorskip("pyfiglet")
    # The font has no í: the name stays in words rather than lose its accent (GARCIA is not her name).
    assert block_letters("Jorge García") is None
    assert block_letters("Jorge Garcia") is not None
    assert block_letters("Priya <b>Sharma</b>") is None


def test_a_crowded_place_names_whole_names_and_counts_the_rest() -> None:
    from nextcall.tui.wallboard import names_that_fit

    names = ["Camille Dubois", "Daniel Mensah", "Jorge García"]
    assert names_that_fit(names, 100) == "Camille Dubois, Daniel Mensah, Jorge García"
    assert names_that_fit(names, 42) == "Camille Dubois, Daniel Mensah and 1 more"
    assert names_that_fit(names, 25) == "Camille Dubois and 2 more"
    assert names_that_fit(names, 24) == ""  # not even one whole name: the count before it says how many
    assert names_that_fit(["山田 太郎", "Ana"], 14) == "山田 太郎, Ana"  # wide characters count as the two cells they take
    assert names_that_fit(["山田 太郎", "Ana"], 13) == ""


@pytest.mark.parametrize("size", [(80, 24), (100, 28), (160, 48)], ids=["80x24", "100x28", "160x48"])
async def test_the_not_ranked_line_is_never_cut(demo_engine: Engine, size: tuple[int, int]) -> None:
    """Everyone's goal board: eleven unranked for three reasons, whose words fit only a wide screen."""
    app = wallboard(demo_engine, None)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("m", "m")
        await settle(app, pilot)
        assert "Goal progress" in title(app)
        line = app.query_one("#wall-unranked", Static)
        drawn = line.render_line(0).text.rstrip()
        assert drawn.startswith("11 not ranked yet")
        assert len(drawn) < line.size.width  # the whole sentence on its one row, with room to spare
        assert ("no goal in this period" in drawn) is (size[0] >= 160)
