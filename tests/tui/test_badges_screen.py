"""The Badges screen: none yet, some earned, all earned; a toast when one is earned live."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import ProgressBar, Static

from nextcall.store.importer import import_files
from nextcall.tui.screens.badges import BadgeCard, BadgesScreen
from tests import factories

from .conftest import make_app, settle, wait_until


async def open_badges(app, pilot) -> None:  # noqa: ANN001
    await settle(app, pilot)
    await pilot.press("b")
    await settle(app, pilot)


def cards(app, box: str) -> list[BadgeCard]:  # noqa: ANN001
    return list(app.screen.query_one(box).query(BadgeCard))


async def test_no_badge_yet_shows_every_badge_locked_with_progress(no_badges_engine: Engine) -> None:
    app = make_app(no_badges_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_badges(app, pilot)
        assert isinstance(app.screen, BadgesScreen)
        assert cards(app, "#earned") == []
        assert app.screen.query_one("#earned-none", Static).display
        locked = cards(app, "#locked")
        assert len(locked) == 8
        assert all(card.has_class("-locked") for card in locked)
        rendered = {card.badge.id: str(card.render()) for card in locked}
        assert "locked · 0 / 20 calls" in rendered["critical_streak"]  # verify was missed on the one call
        assert str(app.screen.query_one("#level").border_title) == "Level 1: Getting started"
        assert "0 points · 100 to level 2, Building habits" in str(app.screen.query_one("#level-text", Static).render())


async def test_some_earned_show_date_and_call(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_badges(app, pilot)
        earned = cards(app, "#earned")
        assert 0 < len(earned) < 8
        first = str(earned[0].render())
        assert "✓ earned " in first and " on call C-" in first
        assert str(app.screen.query_one("#earned").border_title) == f"Earned: {len(earned)} of 8"
        assert len(cards(app, "#locked")) == 8 - len(earned)


async def test_all_earned_and_the_level(all_badges_engine: Engine) -> None:
    app = make_app(all_badges_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_badges(app, pilot)
        assert {card.badge.id for card in cards(app, "#earned")} == {
            "first_goal_mastered", "perfect_call", "critical_streak", "big_week", "comeback",
            "listened_first", "on_a_roll", "steady",
        }
        assert not app.screen.query_one("#locked").display
        assert app.screen.query_one(ProgressBar).display


async def test_a_badge_earned_while_the_app_is_open_is_toasted(no_badges_engine: Engine, tmp_path: Path) -> None:
    app = make_app(no_badges_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_badges(app, pilot)
        perfect = factories.evaluation(
            call_id="C-PERFECT", occurred_at="2026-11-21T10:00:00Z",
            results=[factories.result(key) for key in ("greeting", "verify", "confirm_need")],
        )
        import_files(no_badges_engine, [factories.write_jsonl(tmp_path / "p.jsonl", [perfect])])
        await wait_until(app, pilot, lambda: bool(cards(app, "#earned")), "the badge earned by the new call")
        assert [card.badge.id for card in cards(app, "#earned")] == ["perfect_call"]
        assert "on call C-PERFECT" in str(cards(app, "#earned")[0].render())
        assert any("Clean sweep" in str(n.message) and n.title == "Badge earned" for n in app._notifications)


async def test_a_broken_streak_shows_the_run_going_now_before_the_best(demo_engine: Engine) -> None:
    from nextcall.store.queries import badges_view

    view = badges_view(demo_engine, agent_id="j.garcia")
    assert view is not None
    broken = [b for b in view.badges if b.earned_at is None and b.current is not None and b.current < b.progress]
    assert broken, "the demo has a streak badge whose best run is behind the agent"
    badge = broken[0]
    app = make_app(demo_engine, "j.garcia")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        rendered = {card.badge.id: str(card.render()) for card in app.screen.query(BadgeCard)}
        assert f"locked · {badge.current} in a row now · best {badge.progress} / {badge.needed} {badge.unit}" in rendered[badge.id]


async def test_at_160x48_earned_and_next_sit_side_by_side_on_larger_cards(demo_engine: Engine) -> None:
    for size, roomy in [((80, 24), False), ((160, 48), True)]:
        app = make_app(demo_engine, "a.khan")
        async with app.run_test(size=size) as pilot:
            await open_badges(app, pilot)
            earned, locked = app.screen.query_one("#earned"), app.screen.query_one("#locked")
            assert (earned.region.y == locked.region.y and earned.region.right < locked.region.x) is roomy
            for card in [*cards(app, "#earned"), *cards(app, "#locked")]:
                assert card.has_class("-roomy") is roomy
                text = str(card.render())
                assert card.badge.description in text
                if not roomy:
                    assert len(text.splitlines()) == 2
                elif card.badge.earned_at is None:
                    # A bar and what is left, beside the count in words.
                    assert "█" in text or "░" in text
                    assert text.rstrip().endswith("to go")
                else:
                    assert f"on call {card.badge.call_id}" in text
            if roomy:  # everything in view, nothing to scroll to
                assert app.screen.query_one("#badges-body").max_scroll_y == 0


async def test_at_160x48_a_group_on_its_own_spreads_over_two_columns(all_badges_engine: Engine) -> None:
    app = make_app(all_badges_engine, "a.khan")
    async with app.run_test(size=(160, 48)) as pilot:
        await open_badges(app, pilot)
        earned = cards(app, "#earned")
        assert len(earned) == 8 and not app.screen.query_one("#locked").display
        assert app.screen.query_one("#earned").has_class("-grid")
        assert len({card.region.x for card in earned}) == 2
        assert app.screen.query_one("#badges-body").max_scroll_y == 0
