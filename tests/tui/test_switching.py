"""Showing a screen again costs a repaint, not a restyle of the app or new footer keys; a new theme still reaches every screen.

Checked by what is done (restyles counted, widgets' identity), never by a clock.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from textual.widgets import Header
from textual.widgets._footer import FooterKey

from nextcall.tui.app import NextcallApp

from .conftest import make_app, settle

pytestmark = pytest.mark.usefixtures("frozen_clock")

KEYS = ["s", "g", "b", "w", "h"]
"""Scorecards, Goal, Badges, Self-assessment, and back to Next call."""


def count_restyles(app: NextcallApp) -> list[str]:
    """Every restyle of the whole app from now on, named by the screen shown when it began."""
    restyles: list[str] = []
    refresh_css = app.refresh_css

    def counted(*args: object, **kwargs: object) -> None:
        restyles.append(type(app.screen).__name__)
        refresh_css(*args, **kwargs)

    app.refresh_css = counted  # type: ignore[method-assign]
    return restyles


async def test_showing_screens_restyles_nothing_until_the_theme_changes(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        restyles = count_restyles(app)
        for key in KEYS * 2:
            await pilot.press(key)
            await settle(app, pilot)
        assert restyles == []
        app.theme = "textual-light"
        await settle(app, pilot)
        for key in KEYS:
            await pilot.press(key)
            await settle(app, pilot)
        assert restyles  # the new theme restyled the screens not shown when it changed


async def test_a_screen_shown_again_keeps_its_footer_keys(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        keys = list(app.screen.query(FooterKey))
        assert keys
        await pilot.press("b")
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert list(app.screen.query(FooterKey)) == keys  # the same widgets: nothing changed, nothing made again


async def test_a_screen_shown_again_after_a_theme_change_has_the_new_theme(demo_engine: Engine) -> None:
    app = make_app(demo_engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        goal = app.screen
        dark = goal.query_one(Header).styles.background
        await pilot.press("h")
        await settle(app, pilot)
        app.theme = "textual-light"
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert app.screen is goal
        assert goal.query_one(Header).styles.background != dark
