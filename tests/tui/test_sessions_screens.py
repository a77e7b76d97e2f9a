"""Coaching that goes on after the session, in the app: Home, the self-assessment, the Goal screen and a lead's Team.

The clock is the demo's (`frozen_clock`): Aisha's session was Mon 16 Nov, its
check-in due today (Mon 23 Nov); Jorge's next session is Thu 26 Nov 14:00 with
no self-assessment yet; Linh's check-in is on Fri 27 Nov.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import DataTable, Input, Select, Static, TextArea

from nextcall.store import sessions
from nextcall.store.db import open_store
from nextcall.store.importer import import_files
from nextcall.tui.app import NextcallApp
from nextcall.tui.dialogs.session import HeardDifferentlyDialog, NoteSessionDialog, PlanSessionDialog
from nextcall.tui.screens.brief import BriefScreen
from nextcall.tui.screens.goal import SINCE_START, GoalScreen
from nextcall.tui.screens.home import HomeScreen
from nextcall.tui.screens.self_assessment import SelfAssessmentScreen
from nextcall.tui.screens.team import TeamScreen
from tests import factories

from .conftest import NOW, TODAY, make_app, press, settle, wait_until

pytestmark = pytest.mark.usefixtures("frozen_clock")


def text_of(app: NextcallApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def plain(title: object) -> str:
    """A title as read: its text, whatever styles it has."""
    from textual.content import Content

    return Content.from_markup(str(title)).plain


def lead_app(engine: Engine, team_id: str | None = None) -> NextcallApp:
    return NextcallApp(engine=engine, lead=True, team_id=team_id, poll_seconds=0.2)


def agreed_not_confirmed(engine: Engine, agent_id: str = "a.khan") -> str:
    """A session yesterday, noted after it and not answered yet: the agreement the agent sees on Home."""
    yesterday = NOW - timedelta(days=1)
    made = sessions.add_session(
        engine, agent_id=agent_id, coach="Sam Patel", at=yesterday, follow_up_on=TODAY + timedelta(days=7),
        now=yesterday - timedelta(days=1),
    )
    sessions.note_session(engine, session_id=made, will_do="Say the need back in one sentence [b]first[/b]", now=NOW)
    return made


def session(engine: Engine, session_id: str):  # noqa: ANN201
    return next(s for s in sessions.sessions_of(engine, agent_id=session_id.split("-")[0]) if s.id == session_id)


# ------------------------------------------------------------------ Home


async def test_home_shows_the_next_session_and_that_no_self_assessment_is_in(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = app.screen.query_one("#coaching")
        assert card.display
        assert plain(card.border_title) == "Coaching with Sam Patel on Thu 26 Nov 14:00"
        assert "✗ No self-assessment for it yet: w writes yours." in text_of(app, "#coaching-text")
        assert not app.screen.query_one("#coaching-answer").display  # nothing agreed yet to answer
        assert card.region.bottom <= 24 - 1  # on the first screen, under the next call


async def test_home_after_a_session_shows_what_was_agreed_and_the_check_in(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert plain(app.screen.query_one("#coaching").border_title) == "Your last coaching session"
        said = text_of(app, "#coaching-text")
        assert "Agreed with Sam Patel on Mon 16 Nov: “Repeat the need back in one sentence" in said
        assert "✓ You confirmed it on Mon 16 Nov." in said
        assert "Check-in due today: g shows your calls since the session." in said


async def test_an_agent_without_sessions_sees_no_coaching_card(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "r.haddad")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not app.screen.query_one("#coaching").display


async def test_confirming_the_agreement_takes_one_key(demo_engine: Engine) -> None:
    made = agreed_not_confirmed(demo_engine)
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        said = text_of(app, "#coaching-text")
        assert "“Say the need back in one sentence [b]first[/b]”" in said  # data is never markup
        assert "? Is that what you heard? c confirms it; d says what you heard." in said
        assert app.screen.query_one("#coaching-answer").display
        await pilot.press("c")
        await wait_until(app, pilot, lambda: "✓ You confirmed it" in text_of(app, "#coaching-text"))
        assert not app.screen.query_one("#coaching-answer").display
    assert session(demo_engine, made).confirmed_at == NOW


async def test_saying_what_was_heard_differently(demo_engine: Engine) -> None:
    made = agreed_not_confirmed(demo_engine)
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "d")
        assert isinstance(app.screen, HeardDifferentlyDialog)
        await pilot.press("enter")  # nothing said yet: it asks, and stays
        await settle(app, pilot)
        assert isinstance(app.screen, HeardDifferentlyDialog)
        assert app.screen.query_one("#heard-text-error").display
        await pilot.press(*"Only on sales calls at first")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        await wait_until(app, pilot, lambda: "≠ You heard it differently" in text_of(app, "#coaching-text"))
        assert "“Only on sales calls at first”" in text_of(app, "#coaching-text")
    answered = session(demo_engine, made)
    assert answered.heard_differently == "Only on sales calls at first" and answered.confirmed_at is None


async def test_the_mouse_confirms_too(demo_engine: Engine) -> None:
    made = agreed_not_confirmed(demo_engine)
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.click("#coaching-confirm")
        await wait_until(app, pilot, lambda: session(demo_engine, made).confirmed_at is not None)


async def test_c_with_nothing_agreed_says_so(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "c")
        assert any("Nothing to confirm yet" in n.message for n in app._notifications)


# ------------------------------------------------------- self-assessment


async def test_the_self_assessment_is_for_one_of_the_upcoming_sessions(demo_engine: Engine) -> None:
    later = sessions.add_session(
        demo_engine, agent_id="j.garcia", coach="Dana Lee", at=datetime(2026, 12, 1, 10, tzinfo=UTC), now=NOW,
    )
    assert later
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "w")
        assert isinstance(app.screen, SelfAssessmentScreen)
        choice = app.screen.query_one("#sa-session-choice", Select)
        assert choice.display and not app.screen.query_one("#sa-date", Input).display  # no free date
        assert [label for label, _ in choice._options[1:]] == [
            "Thu 26 Nov 14:00 with Sam Patel", "Tue 01 Dec 10:00 with Dana Lee",
        ]
        assert choice.value == date(2026, 11, 26)  # the soonest, until another is chosen
        choice.value = date(2026, 12, 1)
        app.screen.query_one("#sa-strengths", TextArea).focus()
        await pilot.press(*"Good rapport")
        await press(app, pilot, "ctrl+s")
        await wait_until(app, pilot, lambda: "For the session on 01 Dec 2026" in text_of(app, "#sa-past-text"))


async def test_without_sessions_the_date_is_typed_as_before(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")  # her session was last week: none to come
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "w")
        assert app.screen.query_one("#sa-date", Input).display
        assert not app.screen.query_one("#sa-session-choice", Select).display


# ------------------------------------------------------------------ Goal


def effect_rows(app: NextcallApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#goal-effect-table", DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_the_goal_screen_shows_the_check_in_from_its_day(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "g")
        assert isinstance(app.screen, GoalScreen)
        card = app.screen.query_one("#goal-check-in")
        assert card.display
        assert plain(card.border_title) == "Check-in: since your session with Sam Patel on Mon 16 Nov 10:00"
        said = text_of(app, "#check-in-text")
        assert said.startswith("Agreed: Confirms the need before solving: “Repeat the need back")
        assert "since the session where it applied, against the" in said
        check = sessions.check_in(demo_engine, agent_id="a.khan", now=NOW)
        assert check is not None and check.effect.enough
        table = app.screen.query_one("#check-in-table", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert rows[0][0] == "Behaviour met" and rows[-1] == ("Calls", str(check.effect.before.calls), str(check.effect.after.calls))


async def test_before_its_day_there_is_no_check_in(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "l.nguyen")  # hers is on Fri 27 Nov
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "g")
        assert not app.screen.query_one("#goal-check-in").display


async def test_a_check_in_on_too_few_calls_says_so_and_compares_nothing(demo_engine: Engine) -> None:
    sessions.add_session(
        demo_engine, agent_id="j.garcia", coach="Sam Patel", at=NOW - timedelta(hours=2), behaviour="discovery",
        follow_up_on=TODAY, now=NOW - timedelta(days=1),
    )
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "g")
        assert app.screen.query_one("#goal-check-in").display
        assert "Not enough calls yet to tell (0 of 5)" in text_of(app, "#check-in-text")
        assert not app.screen.query_one("#check-in-table").display


async def test_did_it_work_switches_between_the_goals_start_and_the_session(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "g")
        box = app.screen.query_one("#goal-effect")
        assert plain(box.border_title) == SINCE_START
        assert plain(box.border_subtitle) == "e: since your session on 16 Nov 2026"
        since_start = effect_rows(app)
        await press(app, pilot, "e")
        assert plain(box.border_title) == "Did it work? Before your session on 16 Nov 2026 and since"
        assert plain(box.border_subtitle) == "e: since the goal's start"
        since_session = effect_rows(app)
        check = sessions.check_in(demo_engine, agent_id="a.khan", now=NOW)
        assert since_session != since_start
        assert since_session[-1] == ("Calls", str(check.effect.before.calls), str(check.effect.after.calls))
        await press(app, pilot, "e")
        assert plain(box.border_title) == SINCE_START and effect_rows(app) == since_start


async def test_without_a_session_e_is_not_offered(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "r.haddad")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "g")
        assert not app.screen.check_action("switch_since", ())
        assert not app.screen.query_one("#goal-effect").border_subtitle


# ------------------------------------------------------------------ Team


def team_rows(app: NextcallApp) -> list[str]:
    return [row.agent_id for row in app.screen.view.rows]


async def test_a_leads_own_login_opens_the_app_on_the_team_screen(demo_engine: Engine, frozen_clock: None) -> None:
    # The command opens the store and says whether its login is a lead's (store.privacy.lead_login, tested
    # on PostgreSQL); the app, painted first, then opens on the Team screen instead of Home.
    app = NextcallApp(open_store=lambda: {"engine": demo_engine, "agent_id": None, "lead": True}, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(app, pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.view is not None)
        assert app.lead and team_rows(app)[0] == "a.khan"


async def test_the_team_screen_puts_the_check_in_due_first(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen)
        assert app.screen.sub_title == "Falcons"
        rows = app.screen.view.rows
        assert rows[0].agent_id == "a.khan" and rows[0].attention == "check-in due today"
        assert {row.agent_id for row in rows} == {"a.khan", "l.nguyen", "s.oneill", "r.haddad", "e.lindqvist", "t.kowalski"}
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][:3] == ["!", "Aisha Khan", "check-in due today"]
        detail = text_of(app, "#team-detail-text")
        assert "! First: check-in due today" in detail
        assert "Last session: Mon 16 Nov 10:00 with Sam Patel · agreed “Repeat the need back" in detail
        assert "✓ confirmed" in detail and "Check-in: due today" in detail
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling at 80 columns
        assert not app.screen.query_one("#team-effects").display  # at 80 columns the words say it
        await press(app, pilot, "down")
        assert text_of(app, "#team-detail-text").startswith(f"{'!' if rows[1].attention_rank < 9 else '✓'} First: ")


async def test_the_team_screen_at_160_columns_has_every_column(demo_engine: Engine) -> None:
    app = lead_app(demo_engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["", "Agent", "First", "Next 1:1", "Goal", "Since goal", "Since 1:1", "Last 1:1", "Self-assess",
                          "Check-in", "Disputes"]
        assert table.virtual_size.width <= table.size.width
        jorge = next(i for i, row in enumerate(app.screen.view.rows) if row.agent_id == "j.garcia")
        cells = [str(c) for c in table.get_row_at(jorge)]
        assert cells[3] == "Thu 26 Nov" and cells[8] == "✗ not yet"
        # Below the agent in full, their "did it work?" since the goal's start and since the last session.
        assert app.screen.query_one("#team-since-goal").display and app.screen.query_one("#team-since-session").display
        assert plain(app.screen.query_one("#team-since-session").border_title) == (
            "Did it work? Before the session on 16 Nov 2026 and since"
        )


async def test_an_empty_team_says_what_will_appear(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'team.db'}")
    import_files(engine, [factories.write_jsonl(tmp_path / "team.jsonl", [factories.team()])])
    app = lead_app(engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one("#team-empty").display
        assert not app.screen.query_one(DataTable).display
        assert text_of(app, "#team-empty").startswith("No agents here yet.")
        await press(app, pilot, "p")
        assert isinstance(app.screen, TeamScreen)  # no one to plan with: said, no dialog
    engine.dispose()


async def test_enter_opens_the_agents_brief_and_escape_comes_back(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, BriefScreen)
        await wait_until(app, pilot, lambda: app.screen.brief is not None)
        assert app.screen.brief.startswith("# Coaching prep: Aisha Khan (Falcons)")
        assert "## The last session and since" in app.screen.brief
        assert app.screen.sub_title == "Aisha Khan"
        await press(app, pilot, "escape")
        assert isinstance(app.screen, TeamScreen)
        await pilot.press("h")  # a lead's home is the team
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen)


async def test_p_on_the_team_screen_plans_a_session(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "p")
        assert isinstance(app.screen, PlanSessionDialog)
        assert app.screen.query_one("#plan-coach", Input).value == "Sam Patel"  # as last time
        await pilot.press(*"next week", "enter")  # not a date: said under the field, the dialog stays
        await settle(app, pilot)
        assert isinstance(app.screen, PlanSessionDialog) and app.screen.query_one("#plan-at-error").display
        app.screen.query_one("#plan-at", Input).value = "2026-11-30 10:30"
        app.screen.query_one("#plan-follow-up", Input).value = "2026-12-07"
        app.screen.query_one("#plan-at", Input).focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, TeamScreen)
        await wait_until(app, pilot, lambda: app.screen.view.rows[0].next_session is not None)
        planned = app.screen.view.rows[0].next_session
        assert planned.agent_id == "a.khan" and planned.scheduled_at == datetime(2026, 11, 30, 10, 30, tzinfo=UTC)
        assert planned.follow_up_on == date(2026, 12, 7)
        assert "Next session: Mon 30 Nov 10:30 with Sam Patel" in text_of(app, "#team-detail-text")


async def test_a_time_past_is_refused_in_words(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "p")
        app.screen.query_one("#plan-at", Input).value = "2026-11-01"
        await press(app, pilot, "enter")
        assert any("that time has passed" in n.message for n in app._notifications)
    assert sessions.upcoming(sessions.sessions_of(demo_engine, agent_id="a.khan"), NOW) == []


async def test_n_on_the_team_screen_notes_the_last_session(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "n")
        assert isinstance(app.screen, NoteSessionDialog)
        will_do = app.screen.query_one("#note-will-do", Input)
        assert will_do.value.startswith("Repeat the need back")  # what was noted, to change
        will_do.value = "Repeat the need back, then wait"
        app.screen.query_one("#note-follow-up", Input).value = "2026-11-30"
        will_do.focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, TeamScreen)
        await wait_until(app, pilot, lambda: "then wait" in text_of(app, "#team-detail-text"))
    held = sessions.last_held(sessions.sessions_of(demo_engine, agent_id="a.khan"), NOW)
    assert held.will_do == "Repeat the need back, then wait" and held.follow_up_on == date(2026, 11, 30)


async def test_n_for_an_agent_with_no_session_held_says_so(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "otters")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.view.rows[0].agent_id == "j.garcia"  # his session is to come
        await press(app, pilot, "n")
        assert isinstance(app.screen, TeamScreen)
        assert any("no session that has happened yet" in n.message for n in app._notifications)


async def test_the_brief_plans_and_notes_too(demo_engine: Engine) -> None:
    app = lead_app(demo_engine, "falcons")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: isinstance(app.screen, BriefScreen) and app.screen.brief is not None)
        await press(app, pilot, "n")
        assert isinstance(app.screen, NoteSessionDialog)
        app.screen.query_one("#note-notes", Input).value = "Talked through the check-in"
        app.screen.query_one("#note-will-do", Input).focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, BriefScreen)
        await wait_until(app, pilot, lambda: "Talked through the check-in" in (app.screen.brief or ""))
        await press(app, pilot, "p")
        assert isinstance(app.screen, PlanSessionDialog)
        app.screen.query_one("#plan-at", Input).value = "2026-12-02"
        await press(app, pilot, "enter")
        await wait_until(app, pilot, lambda: "Coaching session: Wed 2 Dec 2026 09:00 with Sam Patel" in (app.screen.brief or ""))

