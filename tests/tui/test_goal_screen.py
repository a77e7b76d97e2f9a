"""The Goal screen driven with keys: active, mastered, none yet; start and drop."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select
from textual.widgets import DataTable, Input, OptionList, Static

from nextcall.store.models import Goal
from nextcall.tui.dialogs.drop_goal import DropGoalDialog
from nextcall.tui.dialogs.goal_picker import GoalPickerDialog
from nextcall.tui.screens.goal import GoalScreen
from nextcall.tui.widgets.goal_chart import GoalChart

from .conftest import make_app, settle


def goal_text(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#goal-text", Static).render())


def past_goals(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """Each past goal as shown: its behaviour, then its result (after its dates and before → during)."""
    lines = str(app.screen.query_one("#goal-history-text", Static).render()).splitlines()
    return [(lines[i], lines[i + 1].split(" during · ", 1)[1]) for i in range(0, len(lines), 2)]


def goals_of(engine: Engine, agent: str) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        return [
            (g.status, str(g.criterion_id), g.drop_reason)
            for g in session.exec(select(Goal).where(Goal.agent_id == agent).order_by(Goal.started_at))
        ]


async def test_an_active_goal_shows_progress_chart_and_effect(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, GoalScreen)
        assert "Confirms the need before solving" in str(app.screen.query_one("#goal-current").border_title)
        text = goal_text(app)
        assert "Now: met on 9 of your last 10" in text and "before: 6 of 10" in text
        chart = app.screen.query_one(GoalChart)
        assert chart.goal is not None and len(chart.goal.series) == chart.goal.applicable > 0
        effect = app.screen.query_one("#goal-effect-table", DataTable)
        assert [effect.get_row_at(i)[0] for i in range(effect.row_count)] == [
            "Behaviour met", "Mean CSAT", "Resolved first time", "Calls",
        ]
        history = past_goals(app)
        assert len(history) == 1
        assert history[0][1].startswith("– set aside: Busy fortnight")


async def test_a_mastered_goal_says_it_stuck_and_starts_the_next_on_a_keypress(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "l.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert "✓ It stuck: mastered on" in goal_text(app)
        assert "Next with the most impact: Sets clear next steps" in goal_text(app)
        assert [status for status, _, _ in goals_of(demo_engine, "l.nguyen")] == ["active"]  # nothing started for her

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, GoalPickerDialog)
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(0).id == "next_steps"
        options.highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        assert [status for status, _, _ in goals_of(demo_engine, "l.nguyen")] == ["mastered", "active"]
        assert "Sets clear next steps" in str(app.screen.query_one("#goal-current").border_title)
        assert past_goals(app)[0][1] == "✓ mastered"


async def test_no_goal_yet_suggests_one_and_dropping_keeps_the_reason(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert str(app.screen.query_one("#goal-current").border_title) == "No goal yet"
        assert "Suggested: Asks discovery questions before pitching" in goal_text(app)
        assert not app.screen.query_one(GoalChart).display

        await pilot.press("n")
        await settle(app, pilot)
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        assert [status for status, _, _ in goals_of(demo_engine, "j.garcia")] == ["active"]

        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DropGoalDialog)
        app.screen.query_one(Input).value = "[b]Too much[/b] at once"
        await pilot.press("enter")
        await settle(app, pilot)
        assert goals_of(demo_engine, "j.garcia")[0][0] == "dropped"
        assert goals_of(demo_engine, "j.garcia")[0][2] == "[b]Too much[/b] at once"
        assert past_goals(app)[0][1] == "– set aside: [b]Too much[/b] at once"


async def test_escape_in_the_drop_dialog_keeps_the_goal(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert [status for status, _, _ in goals_of(demo_engine, "a.khan")] == ["dropped", "active"]


async def test_a_new_agent_sees_how_goals_work(new_agent_engine: Engine) -> None:
    app = make_app(new_agent_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        empty = app.screen.query_one("#goal-empty", Static)
        assert empty.display and "met on 8 of 10" in str(empty.render())
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, GoalScreen)  # nothing to pick from yet


async def test_a_goal_started_in_the_app_takes_the_configured_target(demo_engine: Engine) -> None:
    from nextcall.store.rules import Target

    app = make_app(demo_engine, "s.oneill", goal_target=Target(9, 12))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        assert "target: 9 of 12, twice in a row" in goal_text(app)
        note = app.screen.query_one("#goal-effect-note", Static)
        assert note.display
        assert str(note.render()).startswith("Not enough calls yet to compare: at least 5 on each side")


async def test_a_behaviour_already_landed_is_said_first_and_the_agent_may_insist(demo_engine: Engine) -> None:
    from nextcall.store import goals, queries
    from nextcall.tui.dialogs.already_landed import AlreadyLandedDialog

    agent = "t.kowalski"
    view = queries.goal_screen_view(demo_engine, agent_id=agent)
    assert view is not None and view.current is None
    landed = [c for c in view.behaviours if goals.already_landed(demo_engine, agent_id=agent, criterion_key=c.key)]
    assert landed, "the demo agent lands some behaviour already"
    key = landed[0].key

    app = make_app(demo_engine, agent)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)

        async def pick() -> None:
            await pilot.press("n")
            await settle(app, pilot)
            options = app.screen.query_one(OptionList)
            options.highlighted = options.get_option_index(key)
            await pilot.press("enter")
            await settle(app, pilot)

        await pick()
        assert isinstance(app.screen, AlreadyLandedDialog)
        said = str(app.screen.query_one("#already-landed-message", Static).render())
        assert said.startswith(f"You already land “{landed[0].name}” on ") and "the target is 8 of 10" in said
        await pilot.press("escape")  # choose another: the picker again, nothing started
        await settle(app, pilot)
        assert isinstance(app.screen, GoalPickerDialog)
        assert goals_of(demo_engine, agent) == []
        await pilot.press("escape")
        await settle(app, pilot)

        await pick()
        await pilot.press("y")  # the agent insists
        await settle(app, pilot)
        assert [status for status, _, _ in goals_of(demo_engine, agent)] == ["active"]
        assert landed[0].name in str(app.screen.query_one("#goal-current").border_title)


async def test_after_a_goal_stuck_the_goal_screen_gives_homes_next_call(demo_engine: Engine) -> None:
    from nextcall.store.queries import home_view

    home = home_view(demo_engine, agent_id="l.nguyen")
    assert home is not None and home.focus is not None and not home.focus.from_goal
    app = make_app(demo_engine, "l.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        said = " ".join(goal_text(app).split())
        assert said.startswith("✓ It stuck: mastered on ")
        assert f"On your next call: {' '.join(home.focus.criterion.next_call.split())}" in said
        assert home.goal is not None and home.goal.criterion.next_call not in said


async def test_past_goals_fit_80_columns_with_the_reason_wrapped(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        text = app.screen.query_one("#goal-history-text", Static)
        body = app.screen.query_one("#goal-body")
        assert not body.show_horizontal_scrollbar
        assert text.region.right <= 80 and text.virtual_size.width <= text.size.width
        reason = "Busy fortnight; I want to fix confirming the need first."
        assert text.size.height >= 3  # the reason wraps onto a line of its own rather than being cut
        assert " ".join(str(text.render()).split()).count(reason) == 1


def chart_lines(chart: GoalChart) -> list[str]:
    """The chart as the terminal shows it, one string a row."""
    from textual.geometry import Region

    return ["".join(segment.text for segment in line) for line in chart.render_lines(Region(0, 0, *chart.size))]


def assert_series_inside_frame(lines: list[str]) -> None:
    """Every mark of the series sits inside the frame, and the y axis reads 0 to 100 at even steps."""
    top = next(n for n, line in enumerate(lines) if "┌" in line)
    bottom = next(n for n, line in enumerate(lines) if "└" in line)
    left, right = lines[top].index("┌"), lines[top].index("┐")
    marks = set("▀▄▖▗▘▝▌▐▙▛▜▟▚▞█")
    assert not any("\u2800" <= ch <= "\u28ff" for line in lines for ch in line), "braille is drawn wider than a cell by fallback fonts"
    found = [(n, col) for n, line in enumerate(lines) for col, ch in enumerate(line) if ch in marks]
    assert found, "the series is drawn"
    assert all(top < n < bottom and left < col < right for n, col in found)
    labels = {n: line[:left].strip() for n, line in enumerate(lines[top + 1 : bottom], start=top + 1) if line[:left].strip()}
    values = [int(text) for text in labels.values()]
    assert values in ([100, 50, 0], [100, 75, 50, 25, 0])
    rows = list(labels)
    assert rows[0] == top + 1 and rows[-1] == bottom - 1
    assert len({b - a for a, b in zip(rows, rows[1:])}) == 1, f"ticks evenly spaced: {labels}"


async def test_the_chart_keeps_its_series_inside_the_frame_at_every_size(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    for size in [(80, 24), (160, 48)]:
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await pilot.press("g")
            await settle(app, pilot)
            chart = app.screen.query_one(GoalChart)
            assert chart.goal is not None and max(chart.goal.series) == 1.0  # a point on the very top
            assert_series_inside_frame(chart_lines(chart))
        app = make_app(demo_engine, "a.khan")
