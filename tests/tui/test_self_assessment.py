"""The self-assessment: typed, saved within a second, restored, submitted and locked; calibration beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import Input, Select, Static, TextArea

from nextcall.store import self_assessments
from nextcall.store.db import make_engine
from nextcall.tui.screens.self_assessment import SelfAssessmentScreen
from nextcall.tui.widgets.calibration import CalibrationView

from .conftest import make_app, settle, wait_until

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("frozen_clock")  # "today" is the demo's, whatever the machine's date


async def open_form(app, pilot) -> None:  # noqa: ANN001
    await settle(app, pilot)
    await pilot.press("w")
    await settle(app, pilot)


async def type_into(app, pilot, selector: str, text: str) -> None:  # noqa: ANN001
    app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)


async def test_a_draft_saves_as_you_type_and_comes_back(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        assert isinstance(app.screen, SelfAssessmentScreen)
        await type_into(app, pilot, "#sa-date", "2026-12-01")
        await type_into(app, pilot, "#sa-strengths", "Calm with [b]upset[/b] callers")
        # The one-second autosave has run once the status says so: waited for, not timed.
        await wait_until(app, pilot, lambda: "saved" in str(app.screen.query_one("#sa-status", Static).render()).lower())
    draft = self_assessments.load_draft(demo_engine, agent_id="a.khan")
    assert draft is not None and draft.strengths == "Calm with [b]upset[/b] callers"
    assert draft.session_on.isoformat() == "2026-12-01"

    again = make_app(demo_engine, "a.khan")
    async with again.run_test(size=(80, 24)) as pilot:
        await open_form(again, pilot)
        assert again.screen.query_one("#sa-strengths", TextArea).text == "Calm with [b]upset[/b] callers"
        assert again.screen.query_one("#sa-date", Input).value == "2026-12-01"
        assert "Draft restored" in str(again.screen.query_one("#sa-status", Static).render())


async def test_submit_locks_it_and_lists_it_read_only(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        await type_into(app, pilot, "#sa-date", "2026-12-01")
        await type_into(app, pilot, "#sa-struggles", "Jumping to the fix")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        past = str(app.screen.query_one("#sa-past-text", Static).render())
        assert "For the session on 01 Dec 2026" in past and "Jumping to the fix" in past
        assert app.screen.query_one("#sa-struggles", TextArea).text == ""  # a fresh page for next time
    assert self_assessments.load_draft(demo_engine, agent_id="a.khan") is None


async def test_submit_without_a_session_date_says_what_is_missing(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        await type_into(app, pilot, "#sa-strengths", "Warm openings")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert any("date of the coaching session" in str(n.message) for n in app._notifications)
    assert self_assessments.load_draft(demo_engine, agent_id="a.khan").strengths == "Warm openings"


async def test_a_date_that_is_not_a_date_is_explained_inline(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        await type_into(app, pilot, "#sa-date", "next tue")
        error = app.screen.query_one("#sa-date-error", Static)
        await wait_until(app, pilot, lambda: bool(error.display) and "YYYY-MM-DD" in str(error.render()))


async def test_a_session_date_out_of_range_is_explained_inline_and_not_submitted(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        await type_into(app, pilot, "#sa-date", "9999-12-31")
        await type_into(app, pilot, "#sa-strengths", "Warm openings")
        error = app.screen.query_one("#sa-date-error", Static)
        assert error.display and "within the next 60 days" in str(error.render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert any("within the next 60 days" in str(n.message) for n in app._notifications)
        draft = self_assessments.load_draft(demo_engine, agent_id="a.khan")
        assert draft is not None and str(draft.session_on) == "9999-12-31"  # kept as a draft, not submitted


async def test_calibration_calls_out_the_largest_gap_as_a_talking_point(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_form(app, pilot)
        discovery = next(s for s in app.screen.query(Select) if s.criterion_key == "discovery")  # type: ignore[attr-defined]
        discovery.value = 4  # "always"
        await settle(app, pilot)
        text = str(app.screen.query_one(CalibrationView).render())
        assert "Worth talking about with your coach (◀ above):" in text
        assert "You rate yourself 'always' on Asks discovery questions before pitching; it was met on" in text
        assert "Worth talking through what gets in the way." in text


def test_a_draft_survives_kill_9(demo_db: Path, tmp_path: Path) -> None:
    database = tmp_path / "kill.db"
    database.write_bytes(demo_db.read_bytes())
    script = textwrap.dedent(
        f"""
        import asyncio, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from nextcall.store.db import make_engine
        from tests.tui.conftest import make_app
        from tests.tui.conftest import settle, wait_until

        async def main():
            app = make_app(make_engine({f"sqlite:///{database}"!r}), "a.khan")
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(app, pilot)
                await pilot.press("w")
                await settle(app, pilot)
                app.screen.query_one("#sa-want").focus()
                await pilot.press(*"Land the recap before I close")
                await wait_until(app, pilot, lambda: "saved" in str(app.screen.query_one("#sa-status").render()).lower())
                print("TYPED", flush=True)
                await pilot.press(*" and more")  # still unsaved when the kill comes
                time.sleep(120)

        asyncio.run(main())
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "TYPED"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
    engine = make_engine(f"sqlite:///{database}")
    draft = self_assessments.load_draft(engine, agent_id="a.khan")
    engine.dispose()
    assert draft is not None and draft.want_to_work_on == "Land the recap before I close"


async def test_after_submitting_keys_leave_the_form_and_calibration_shows_what_was_submitted(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_form(app, pilot)
        selects = list(app.screen.query_one("#sa-ratings").query(Select))
        for n, select in enumerate(selects):
            select.value = 4 if n % 2 == 0 else 1  # "always" and "never", so most behaviours have a gap
        await type_into(app, pilot, "#sa-date", "2026-12-01")
        await type_into(app, pilot, "#sa-want", "Discovery")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert any(n.title == "Self-assessment" for n in app._notifications)
        assert app.screen.focused is None or not isinstance(app.screen.focused, (Input, TextArea, Select))
        await pilot.press("b")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BadgesScreen"  # `b` went to Badges, not into the date box
        assert self_assessments.load_draft(demo_engine, agent_id="j.garcia") is None  # no junk draft
        await pilot.press("w")
        await settle(app, pilot)
        assert "as submitted" in str(app.screen.query_one("#sa-calibration").border_title)
        text = str(app.screen.query_one(CalibrationView).render())
        rows, _, talk = text.partition("Worth talking about with your coach (◀ above):")
        assert "always" in rows and "never" in rows
        bullets = [line for line in talk.splitlines() if line.startswith("• ")]
        assert len(bullets) == 3
        marked = [line for line in rows.splitlines() if line.endswith("◀")]
        assert len(marked) == len(bullets)
        for line in marked:
            name = line.split("  ")[0].strip()
            assert any(name in bullet for bullet in bullets), f"{name} is marked ◀ but not listed"


async def test_another_agents_form_sets_the_same_ratings_rather_than_making_them_again(demo_engine: Engine) -> None:
    # Making a rating per behaviour is most of what the form costs to show: made once per scorecard.
    self_assessments.save_draft(
        demo_engine, agent_id="l.nguyen", draft=self_assessments.Draft(ratings={"greeting": 3}),
    )
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        before = list(app.screen.query("#sa-ratings Select"))
        assert len(before) == 8 and all(select.selection is None for select in before)
        app._agent_chosen("l.nguyen")
        await wait_until(app, pilot, lambda: app.screen.view is not None and app.screen.view.agent.id == "l.nguyen")
        after = list(app.screen.query("#sa-ratings Select"))
        assert after == before  # the same widgets, set to l.nguyen's draft
        chosen = {select.criterion_key: select.selection for select in after if select.selection is not None}
        assert chosen == {"greeting": 3}
    assert self_assessments.load_draft(demo_engine, agent_id="a.khan") is None  # filling the form saved nothing


def submitted(engine: Engine) -> list[tuple[str, str]]:
    from sqlmodel import Session, select

    from nextcall.store.models import SelfAssessment

    with Session(engine) as session:
        rows = session.exec(select(SelfAssessment).where(SelfAssessment.submitted_at != None)).all()  # noqa: E711
        return sorted((row.agent_id, row.struggles) for row in rows)


async def test_words_written_before_a_switch_of_agent_stay_the_writers(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The autosave never comes by itself here: the switch, and a late autosave after it, are driven by the test.
    monkeypatch.setattr("nextcall.tui.screens.self_assessment.AUTOSAVE_SECONDS", 3600)
    before = submitted(demo_engine)
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot)
        screen = app.screen
        assert isinstance(screen, SelfAssessmentScreen)
        await type_into(app, pilot, "#sa-struggles", "Private to Aisha")
        app._agent_chosen("l.nguyen")
        # A save that was still to come, arriving while the form still shows Aisha's words.
        screen.save_now()
        await pilot.press("ctrl+s")  # and a submit pressed at that moment
        await wait_until(app, pilot, lambda: screen.view is not None and screen.view.agent.id == "l.nguyen")
        await settle(app, pilot)
        screen.save_now()  # a late autosave once Linh's form is shown saves nothing of Aisha's
        await settle(app, pilot)
        assert screen.query_one("#sa-struggles", TextArea).text == ""
    theirs = self_assessments.load_draft(demo_engine, agent_id="a.khan")
    assert theirs is not None and theirs.struggles == "Private to Aisha"  # saved as hers at the switch
    linhs = self_assessments.load_draft(demo_engine, agent_id="l.nguyen")
    assert linhs is None or "Aisha" not in f"{linhs.strengths}{linhs.struggles}{linhs.want_to_work_on}"
    assert submitted(demo_engine) == before  # nothing submitted for either of them
