"""The agent's app driven with keys: every flow of Home and Scorecards."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import DataTable, OptionList, Select, Static

from nextcall.store.importer import import_files
from nextcall.tui.app import NextcallApp
from nextcall.tui.dialogs.agent_picker import AgentPickerDialog
from nextcall.tui.screens.evaluation import EvaluationScreen, ResultRow
from nextcall.tui.screens.home import HomeScreen
from nextcall.tui.screens.scorecards import ScorecardsScreen
from nextcall.tui.widgets.moment import MomentCard
from nextcall.tui.widgets.verdicts import VerdictStrip
from tests import factories

from .conftest import make_app, settle, wait_until


def text_of(app: NextcallApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_home_shows_the_next_call_the_latest_verdicts_and_the_moment(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Confirms the need before solving" in str(app.screen.query_one("#next-call").border_title)
        assert text_of(app, "#focus-instruction") == "Before you offer a fix, repeat the need back and get a yes."
        assert text_of(app, "#focus-reason").startswith("Your goal since 03 Nov 2026: met on 9 of your last 10")
        assert "Progress " in text_of(app, "#goal-sparkline") and "target 80%" in text_of(app, "#goal-sparkline")
        verdicts = str(app.screen.query_one(VerdictStrip).render())
        assert verdicts.count("✓") + verdicts.count("✗") + verdicts.count("–") == 10
        assert "met on" in verdicts
        moment = str(app.screen.query_one(MomentCard).render())
        assert "“" in moment and "Evaluator:" in moment and " at " in moment
        assert "Sum it up in one sentence" in text_of(app, "#lesson-text")
        last_call = text_of(app, "#last-call-text")
        assert "met" in last_call and "to work on" in last_call  # never a bare score


async def test_scorecards_filter_open_and_back(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScorecardsScreen)
        table = screen.query_one(DataTable)
        everything = table.row_count
        assert everything > 40

        screen.query_one("#behaviour-filter", Select).value = "confirm_need"
        screen.query_one("#outcome-filter", Select).value = factories_outcome("missed")
        await settle(app, pilot)
        missed = table.row_count
        assert 0 < missed < everything
        assert "calls match" in text_of(app, "#count")

        table.focus()
        table.move_cursor(row=0)
        first_call = table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, EvaluationScreen)
        assert app.screen.call_id == first_call
        rows = list(app.screen.query(ResultRow))
        assert len(rows) == 8  # every criterion of the care scorecard, unnamed ones as n/a
        confirm = next(r for r in rows if r.result.criterion.key == "confirm_need")
        assert confirm.has_class("-missed")
        rendered = str(confirm.render())
        assert rendered.startswith("✗ missed")
        assert "On your next call: Before you offer a fix" in rendered

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ScorecardsScreen)
        assert app.screen.query_one(DataTable).row_count == missed  # the filter is kept


def factories_outcome(word: str):  # noqa: ANN201
    from nextcall.store.models import Outcome

    return Outcome(word)


async def test_h_goes_home_from_an_open_evaluation(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, EvaluationScreen)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, ScorecardsScreen)


async def test_a_new_agent_sees_what_will_appear_and_how_data_gets_in(new_agent_engine: Engine) -> None:
    app = make_app(new_agent_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        empty = app.screen.query_one("#home-empty", Static)
        assert empty.display
        assert not app.screen.query_one("#home-columns").display
        assert "nextcall import" in str(empty.render())
        await pilot.press("s")
        await settle(app, pilot)
        assert "nextcall import" in text_of(app, "#scorecards-empty")
        assert not app.screen.query_one(DataTable).display


async def test_first_run_asks_who_you_are_and_remembers(demo_engine: Engine) -> None:
    chosen: list[str] = []
    app = make_app(demo_engine, None, on_agent_chosen=chosen.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPickerDialog)
        options = app.screen.query_one(OptionList)
        target = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == "j.garcia")
        options.highlighted = target
        await pilot.press("enter")
        await settle(app, pilot)
        assert chosen == ["j.garcia"]
        assert isinstance(app.screen, HomeScreen)
        assert "Asks discovery questions before pitching" in str(app.screen.query_one("#next-call").border_title)


async def test_switching_agent_reloads_home(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == "s.oneill"
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.agent_id == "s.oneill"
        assert "Siobhán O'Neill" in str(app.screen.sub_title)
        assert "of 2" in str(app.screen.query_one(VerdictStrip).render()) or "did not apply" in str(
            app.screen.query_one(VerdictStrip).render()
        )


async def test_an_unknown_agent_is_told_and_asked(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "no.body")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPickerDialog)
        assert "There is no agent 'no.body'" in str(app.screen.query_one(".card-title", Static).render())


async def test_a_live_import_appears_with_a_toast(demo_engine: Engine, tmp_path: Path) -> None:
    app = make_app(demo_engine, "a.khan")
    notes: list[str] = []
    async with app.run_test(size=(80, 24), message_hook=lambda m: None) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        before = app.screen.query_one(DataTable).row_count
        new_call = factories.evaluation(
            call_id="C-LIVE-1", agent="a.khan", occurred_at="2026-11-23T18:00:00Z",
            results=[factories.result("confirm_need", "missed", quote="Customer: wait, that's not it")],
        )
        new_call["scorecard"] = "care-v1"
        import_files(demo_engine, [factories.write_jsonl(tmp_path / "live.jsonl", [new_call])])
        await wait_until(app, pilot, lambda: app.screen.query_one(DataTable).row_count > before, "the new call on the list")
        table = app.screen.query_one(DataTable)
        assert table.row_count == before + 1
        assert table.coordinate_to_cell_key((0, 0)).row_key.value == "C-LIVE-1"
        notes = [str(n.message) for n in app._notifications]
        assert any("C-LIVE-1" in note for note in notes)


async def test_text_from_data_is_shown_literally(tmp_path: Path) -> None:
    from nextcall.store.db import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'hostile.db'}")
    hostile_quote = "Customer: [bold]now[/] \x1b[31mred\x1b[0m [/foo] 🙂 شكرا"
    records = [
        factories.team(name="[i]Team[/i]"),
        factories.agent(name="[b]Eve[/b] \x1b]0;pwned\x07"),
        factories.scorecard(),
        factories.evaluation(
            results=[factories.result("confirm_need", "missed", moment_s=5, quote=hostile_quote, comment="[link=x]y[/link]")]
        ),
    ]
    import_files(engine, [factories.write_jsonl(tmp_path / "h.jsonl", records)])
    app = make_app(engine, "a.khan")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.screen.sub_title.startswith("[b]Eve[/b] ␛]0;pwned␇")
        moment = str(app.screen.query_one(MomentCard).render())
        assert "[bold]now[/] ␛[31mred␛[0m [/foo] 🙂 شكرا" in moment
        assert "[link=x]y[/link]" in moment
        assert "\x1b" not in moment
    engine.dispose()


async def test_the_mouse_opens_an_evaluation_and_the_footer_goes_back(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.click("Footer", offset=(3, 0))  # " s Scorecards", first in Home's footer
        await settle(app, pilot)
        assert isinstance(app.screen, ScorecardsScreen)
        table = app.screen.query_one(DataTable)
        third = table.coordinate_to_cell_key((2, 0)).row_key.value
        await pilot.click(DataTable, offset=(3, 3))  # the third row, under the header
        await pilot.click(DataTable, offset=(3, 3))
        await settle(app, pilot)
        assert isinstance(app.screen, EvaluationScreen)
        assert app.screen.call_id == third


def highlighted_command(app: NextcallApp) -> str:
    """The command the palette would run on Enter ("" while it is still searching)."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(app.screen, CommandPalette):
        return ""
    found = app.screen.query_one(CommandList)
    if found.highlighted is None:
        return ""
    return str(found.get_option_at_index(found.highlighted).prompt)


async def test_the_command_palette_offers_every_screen(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Next call", "Scorecards", "Switch agent"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Scorecards")
        await wait_until(app, pilot, lambda: "Scorecards" in highlighted_command(app), "the palette to find Scorecards")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ScorecardsScreen)


async def test_without_a_goal_home_suggests_the_focus_with_its_reason(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "Asks discovery questions before pitching" in str(app.screen.query_one("#next-call").border_title)
        reason = text_of(app, "#focus-reason")
        assert reason.startswith("Suggested focus: Missed on ")
        assert "Press g, then n, to make it your goal." in reason
        assert not app.screen.query_one("#goal-sparkline").display


async def test_a_mastered_goal_is_celebrated_and_the_next_suggested(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "l.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "Sets clear next steps" in str(app.screen.query_one("#next-call").border_title)
        reason = text_of(app, "#focus-reason")
        assert reason.startswith("✓ “Acknowledges how the customer feels” stuck: mastered.")
        assert "Press g, then n, to make it your goal." in reason


def test_screens_are_imported_only_when_shown() -> None:
    # Every screen, Home too, loads when first shown (Home once the store is open): the app alone loads
    # only what its first frame, Home as it loads, needs (tests/tui/test_start.py: what else is loaded).
    import subprocess
    import sys

    script = "import sys, nextcall.tui.app\nprint(sorted(m for m in sys.modules if m.startswith('nextcall.tui.screens.')))"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['nextcall.tui.screens.base', 'nextcall.tui.screens.starting']"


async def test_home_says_how_the_focus_went_on_the_last_call_above_the_fold(demo_engine: Engine) -> None:
    from nextcall.store.queries import home_view

    view = home_view(demo_engine, agent_id="a.khan")
    assert view is not None and view.last_verdict is not None and view.last_call is not None
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        verdict = app.screen.query_one("#last-verdict")
        said = text_of(app, "#last-verdict")
        word = {"met": "✓ Met", "missed": "✗ Missed", "na": "– Did not come up"}[view.last_verdict.outcome.value]
        assert said.startswith(f"{word} on your last call") and view.last_call.call_id in said
        assert verdict.region.bottom <= 24 - 1  # on the first screen, above the footer
        critical = app.screen.query_one("#critical-missed")
        assert critical.display == bool(view.critical_missed)
        if view.critical_missed:
            assert critical.region.bottom <= 24 - 1
