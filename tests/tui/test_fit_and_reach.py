"""Every screen at 80 columns and with the mouse: the footer fits, the palette finds actions, clicks reach what keys do."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from textual.command import CommandList
from textual.widgets import DataTable, Footer, Static
from textual.widgets._footer import FooterKey

from nextcall.tui.app import NextcallApp
from nextcall.tui.dialogs.agent_picker import AgentPickerDialog
from nextcall.tui.dialogs.switch_agent import SwitchAgentDialog
from nextcall.tui.screens.home import HomeScreen
from nextcall.tui.screens.scorecards import ScorecardsScreen

from .conftest import make_app, settle, wait_until

MAIN_SCREENS = ["h", "s", "g", "b", "l", "w"]


def footer_keys(app) -> list[FooterKey]:  # noqa: ANN001
    return [key for key in app.screen.query_one(Footer).query(FooterKey) if key.display]


@pytest.mark.parametrize("key", MAIN_SCREENS)
async def test_every_footer_fits_80_columns_with_quit_in_view(demo_engine: Engine, frozen_clock: None, key: str) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        keys = footer_keys(app)
        palette = next(k for k in keys if k.has_class("-command-palette"))
        bindings = [k for k in keys if k is not palette]
        assert [k.description for k in bindings][-1] == "Quit"
        for found in bindings:
            assert found.region.right <= palette.region.x, f"{found.description!r} is cut at 80 columns"
        # The screen's own key is not offered as a way to reach it.
        assert key not in [k.key for k in bindings]


async def test_an_open_evaluation_footer_fits_with_back_and_quit(demo_engine: Engine, frozen_clock: None) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        keys = footer_keys(app)
        palette = next(k for k in keys if k.has_class("-command-palette"))
        described = [k.description for k in keys if k is not palette]
        assert described[0] == "Back" and described[-1] == "Quit"
        assert all(k.region.right <= palette.region.x for k in keys if k is not palette)


@pytest.mark.parametrize("key", ["s", "g", "b", "l", "w"])
async def test_escape_on_a_top_screen_goes_back_to_next_call(demo_engine: Engine, frozen_clock: None, key: str) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert not isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


@pytest.fixture
def empty_engine(tmp_path):  # noqa: ANN001, ANN201
    from nextcall.store.db import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    yield engine
    engine.dispose()


async def test_first_run_on_an_empty_database_says_import_and_demo_and_q_quits(empty_engine: Engine) -> None:
    app = make_app(empty_engine, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPickerDialog)
        said = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "nextcall import FILE.jsonl" in said and "nextcall demo" in said
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_with_no_agent_no_screen_shows_headings_over_empty_boxes(empty_engine: Engine) -> None:
    app = make_app(empty_engine, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")  # look around without choosing
        await settle(app, pilot)
        for key, empty in [("h", "#home-empty"), ("s", "#scorecards-empty"), ("g", "#goal-empty"), ("b", "#badges-empty"), ("w", "#sa-empty")]:
            await pilot.press(key)
            await settle(app, pilot)
            text = str(app.screen.query_one(empty, Static).render())
            assert "No agent chosen yet: press a" in text and "nextcall demo" in text or "before a coaching session" in text
            framed = [w for w in app.screen.query(".card") if w.display and w.region.area]
            assert not framed, f"{key}: {[getattr(w, 'border_title', '') for w in framed]} shown empty"


async def test_switching_agent_starts_every_list_at_its_top(demo_engine: Engine, frozen_clock: None) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press(*["down"] * 30)
        await settle(app, pilot)
        assert table.cursor_row == 30 and table.scroll_y > 0
        await pilot.press("a")  # the demo: straight to the picker
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPickerDialog)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.agent_id != "a.khan"
        assert isinstance(app.screen, ScorecardsScreen)
        assert table.cursor_row == 0 and table.scroll_y == 0


def own_app(engine: Engine) -> NextcallApp:
    """An agent's own app, not the demo: its agent fixed."""
    return NextcallApp(engine=engine, agent_id="a.khan", poll_seconds=0.2)


async def test_in_an_agents_own_app_switching_agent_asks_first(demo_engine: Engine, frozen_clock: None) -> None:
    app = own_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SwitchAgentDialog)
        assert "Aisha Khan's" in str(app.screen.query_one(".card-title", Static).render())
        await pilot.press("escape")  # stay
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen) and app.agent_id == "a.khan"
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.click("#switch")
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPickerDialog)


PALETTE_ACTIONS = {
    "g": {"New goal", "Set goal aside"},
    "l": {"Rank by most improved", "Period: last 30 days", "Next team", "Anonymous on"},
    "s": {"Filter by behaviour", "Filter met or missed", "Clear filters", "Open the highlighted call"},
    "w": {"Submit self-assessment"},
    "h": {"Listen back: open the call", "Open your last call"},
}


@pytest.mark.parametrize("key", list(PALETTE_ACTIONS))
async def test_the_palette_offers_each_screens_actions_there_only(demo_engine: Engine, frozen_clock: None, key: str) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert PALETTE_ACTIONS[key] <= titles
        elsewhere = set().union(*(actions for other, actions in PALETTE_ACTIONS.items() if other != key))
        assert not (elsewhere & titles)


async def test_an_action_found_in_the_palette_runs(demo_engine: Engine, frozen_clock: None) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Anonymous on")
        await wait_until(app, pilot, lambda: any(c.option_count for c in app.screen.query(CommandList)))
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: app.screen.view is not None and app.screen.view.viewer_row.anonymous)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Anonymous off" in titles and "Anonymous on" not in titles


async def test_the_scorecards_filter_keeps_its_height_and_a_behaviour_filter_shows_its_outcome(
    demo_engine: Engine, frozen_clock: None
) -> None:
    from textual.widgets import Select

    from nextcall.store.queries import evaluation_view

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        filters = app.screen.query_one("#filters")
        height = filters.size.height
        assert [str(c.label) for c in app.screen.query_one(DataTable).columns.values()][2] == "Channel"
        await pilot.press("f", "enter")  # open the behaviour filter
        await settle(app, pilot)
        overlay = app.screen.query_one("SelectOverlay")
        assert overlay.option_count and all(overlay.get_option_at_index(i).prompt for i in range(overlay.option_count))
        longest = max(range(overlay.option_count), key=lambda i: len(str(overlay.get_option_at_index(i).prompt)))
        overlay.highlighted = longest  # the longest name: one line still
        await pilot.press("enter")
        await settle(app, pilot)
        assert filters.size.height == height
        key = app.screen.query_one("#behaviour-filter", Select).selection
        table = app.screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][2] == "Behaviour"
        for index in range(3):
            call_id = table.coordinate_to_cell_key((index, 0)).row_key.value
            outcome = next(r.outcome for r in evaluation_view(demo_engine, call_id=call_id).results if r.criterion.key == key)
            assert str(table.get_row_at(index)[2]).endswith(outcome.value if outcome.value != "na" else "n/a")
        assert max(col.get_render_width(table) for col in table.columns.values()) and table.virtual_size.width <= table.size.width
        await pilot.press("x")  # clear: the channel comes back
        await settle(app, pilot)
        assert [str(c.label) for c in table.columns.values()][2] == "Channel"


@pytest.mark.parametrize(("size", "beside"), [((80, 24), False), ((160, 48), True)])
async def test_at_160_columns_home_has_two_columns_and_calibration_sits_beside_the_ratings(
    demo_engine: Engine, frozen_clock: None, size: tuple[int, int], beside: bool
) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        left, right = app.screen.query_one("#home-left").region, app.screen.query_one("#home-right").region
        assert (right.x > left.right - 1) is beside and (right.y == left.y) is beside
        await pilot.press("w")
        await settle(app, pilot)
        ratings, calibration = app.screen.query_one("#sa-ratings").region, app.screen.query_one("#sa-calibration").region
        assert (calibration.x >= ratings.right) is beside
        assert (calibration.y >= ratings.bottom) is not beside


async def click_footer(app, pilot, description: str) -> None:  # noqa: ANN001
    key = next(k for k in footer_keys(app) if k.description == description)
    await pilot.click(key)
    await settle(app, pilot)


async def test_the_mouse_reaches_the_boards_tabs_and_keys(demo_engine: Engine, frozen_clock: None) -> None:
    from textual.widgets import Tab

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await click_footer(app, pilot, "Board")
        assert type(app.screen).__name__ == "LeaderboardScreen"
        await pilot.click(app.screen.query_one("#metric-improved", Tab))
        await settle(app, pilot)
        assert app.screen.choice.metric.value == "improved" and app.screen.view.metric.value == "improved"
        period = app.screen.choice.period
        await click_footer(app, pilot, "Period")
        assert app.screen.choice.period is period.next()
        await click_footer(app, pilot, "Anonymous")
        await wait_until(app, pilot, lambda: app.screen.view.viewer_row is not None and app.screen.view.viewer_row.anonymous)
        await click_footer(app, pilot, "Next call")
        assert isinstance(app.screen, HomeScreen)


async def test_a_click_on_the_moment_opens_its_call_and_a_click_goes_back(demo_engine: Engine, frozen_clock: None) -> None:
    from nextcall.tui.screens.evaluation import EvaluationScreen
    from nextcall.tui.widgets.moment import MomentCard

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        moment = str(app.screen.query_one(MomentCard).render())
        await pilot.click(MomentCard)
        await settle(app, pilot)
        assert isinstance(app.screen, EvaluationScreen)
        assert moment.startswith(app.screen.call_id)
        await click_footer(app, pilot, "Back")
        assert isinstance(app.screen, HomeScreen)


async def test_the_mouse_chooses_a_goal_and_sets_it_aside(demo_engine: Engine, frozen_clock: None) -> None:
    from textual.widgets import Button, OptionList

    from nextcall.tui.dialogs.drop_goal import DropGoalDialog
    from nextcall.tui.dialogs.goal_picker import GoalPickerDialog

    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await click_footer(app, pilot, "Goal")
        await click_footer(app, pilot, "New goal")
        assert isinstance(app.screen, GoalPickerDialog)
        await pilot.click(OptionList, offset=(4, 1))  # the first, suggested behaviour
        await settle(app, pilot)
        assert app.screen.view.current is not None
        await click_footer(app, pilot, "Set aside")
        assert isinstance(app.screen, DropGoalDialog)
        await pilot.click(app.screen.query_one("#drop", Button))
        await settle(app, pilot)
        assert app.screen.view.current is None and app.screen.view.history[0].status == "dropped"


async def test_the_palette_opens_with_a_click(demo_engine: Engine, frozen_clock: None) -> None:
    from textual.command import CommandPalette

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        palette = next(k for k in footer_keys(app) if k.has_class("-command-palette"))
        await pilot.click(palette)
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_an_open_rating_list_never_covers_the_footer(demo_engine: Engine, frozen_clock: None, size: tuple[int, int]) -> None:
    from textual.widgets import Select

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        footer = app.screen.query_one(Footer).region
        body = app.screen.query_one("#sa-body")
        # No rows kept empty at the foot of the form for a list to open into: the form reaches the footer.
        assert body.scrollable_content_region.bottom == footer.y
        for index in (0, -1):
            select = list(app.screen.query_one("#sa-ratings").query(Select))[index]
            select.focus()
            await pilot.pause()
            await pilot.press("enter")  # open it
            await settle(app, pilot)
            overlay = select.query_one("SelectOverlay")
            current = select.query_one("SelectCurrent").region
            assert select.expanded and overlay.display
            assert overlay.region.bottom <= footer.y
            assert overlay.region.y >= body.region.y
            assert not overlay.region.overlaps(current), "the list never hides the rating it sets"
            await pilot.press("down", "enter")  # the keyboard still chooses from it
            await settle(app, pilot)
            assert not select.expanded and select.value == 1


@pytest.mark.parametrize(("size", "wide"), [((80, 24), False), ((160, 48), True)])
async def test_scorecards_at_160_columns_show_more_rows_and_each_calls_length(
    demo_engine: Engine, frozen_clock: None, size: tuple[int, int], wide: bool
) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert ("Length" in labels) is wide
        assert table.size.height >= (40 if wide else 15)
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling at either size


@pytest.mark.parametrize(("size", "tall"), [((80, 24), False), ((160, 48), True)])
async def test_home_at_160x48_lists_the_last_calls_and_shows_the_goal_chart(
    demo_engine: Engine, size: tuple[int, int], tall: bool
) -> None:
    from nextcall.tui.widgets.effect import GoalEffect
    from nextcall.tui.widgets.goal_chart import GoalChart
    from nextcall.tui.widgets.verdicts import VerdictStrip

    from .test_goal_screen import assert_series_inside_frame, chart_lines

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen) and screen.view is not None
        strip = str(screen.query_one(VerdictStrip).render())
        verdicts = screen.view.verdicts
        # Tall: each of the last calls on a line of its own, with its id; at 80×24 one line of marks.
        assert all((v.call_id in strip) is tall for v in verdicts)
        assert len(strip.splitlines()) == (len(verdicts) + 1 if tall else 1)
        assert screen.query_one("#home-progress").display is tall
        assert screen.query_one("#home-effect").display is tall
        if tall:
            chart = screen.query_one(GoalChart)
            assert chart.goal == screen.view.goal
            assert_series_inside_frame(chart_lines(chart))
            effect = screen.query_one(GoalEffect).query_one(DataTable)
            assert effect.row_count == 4
            # Everything fits above the footer: nothing to scroll to at 160×48.
            body = screen.query_one("#home-body")
            assert body.max_scroll_y == 0
            assert screen.query_one("#home-progress").region.bottom <= screen.query_one(Footer).region.y


async def test_home_relays_out_when_the_terminal_grows(demo_engine: Engine) -> None:
    from nextcall.tui.widgets.verdicts import VerdictStrip

    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.resize_terminal(160, 48)
        await settle(app, pilot)
        assert app.screen.query_one("#home-progress").display
        assert len(str(app.screen.query_one(VerdictStrip).render()).splitlines()) > 1


@pytest.mark.parametrize(("size", "tall"), [((80, 24), False), ((160, 48), True)], ids=["80x24", "160x48"])
async def test_home_at_160x48_says_what_is_going_well_below_the_goal(
    demo_engine: Engine, size: tuple[int, int], tall: bool
) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen) and screen.view is not None
        card = screen.query_one("#going-well")
        assert card.display is tall
        if not tall:
            return
        lines = " ".join(str(screen.query_one("#going-well-text", Static).render()).split()).split("✓ ")
        # The demo's Aisha: the strongest first, each as its count; not her focus, nor one that came up four times.
        assert [line.strip() for line in lines[1:-1]] == [
            "Verifies identity: met on 28 of 30",
            "Warm greeting: met on 27 of 30",
            "Checks for anything else and closes warmly: met on 27 of 30",
        ]
        assert lines[-1].startswith("Acknowledges how the customer feels: met on 24 of 30 8 of 10 or better: keep these")
        assert "Confirms the need" not in " ".join(lines) and "Asks before a hold" not in " ".join(lines)
        # It fills the room the left column left, above the footer, with nothing to scroll to.
        assert screen.query_one("#home-body").max_scroll_y == 0
        assert card.region.bottom <= screen.query_one(Footer).region.y
        assert card.region.y >= screen.query_one("#home-effect").region.bottom


def test_going_well_is_the_behaviours_at_the_goal_target_on_enough_calls_strongest_first() -> None:
    from nextcall.store.rules import Target, min_sample
    from nextcall.store.views import BehaviourRateView, CriterionView
    from nextcall.store.rules import GOING_WELL_MOST as MOST
    from nextcall.store.rules import holding_up as holding

    def rate(key: str, met: int, applicable: int) -> BehaviourRateView:
        return BehaviourRateView(CriterionView(0, "care", key, key.title(), 1.0, False, "", None, 0), met, applicable)

    sample = min_sample()
    rates = [
        rate("steady", 8, 10), rate("focus", 10, 10), rate("thin", sample - 1, sample - 1), rate("just", sample, sample),
        rate("below", 7, 10), rate("best", 30, 30), rate("equal", 8, 10),
    ]
    kept = holding(rates, focus_key="focus", target=Target(8, 10))
    assert [r.criterion.key for r in kept] == ["just", "best", "steady", "equal"]
    assert [r.criterion.key for r in holding(rates, focus_key=None, target=Target(9, 10))] == ["focus", "just", "best"]
    assert len(holding([rate(f"k{i}", 10, 10) for i in range(MOST + 3)], focus_key=None, target=Target())) == MOST


def test_going_well_says_why_it_names_nothing() -> None:
    from nextcall.store.rules import Target, min_sample
    from nextcall.store.views import BehaviourRateView, CriterionView
    from nextcall.tui.widgets.going_well import GoingWell

    def rate(key: str, met: int, applicable: int) -> BehaviourRateView:
        return BehaviourRateView(CriterionView(0, "care", key, key.title(), 1.0, False, "", None, 0), met, applicable)

    widget = GoingWell()
    widget.show([rate("greeting", 1, 1), rate("verify", 0, 0)], focus_key=None, focus_name=None, target=Target(8, 10))
    assert str(widget.render()) == f"What holds up: not enough calls yet to tell (1 of {min_sample()})."
    widget.show([rate("greeting", 5, 10), rate("verify", 10, 10)], focus_key="verify", focus_name="Verify", target=Target(8, 10))
    assert str(widget.render()).startswith("No other behaviour is met on 8 of 10 or better yet")
