"""Home as it first paints, while the store opens: its header, its footer, and "Loading…".

The app shows this the moment it starts, before the store and its libraries
(SQLAlchemy, SQLModel, Alembic, the settings) are loaded; Home itself takes
its place as soon as the store is open. It loads nothing but Textual.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from .base import SteadyFooter, nav_bindings

LOADING = "Loading…"


class StartingScreen(Screen[None]):
    """What Home looks like until the store is open: the same title and keys."""

    TITLE = "Next call"
    # As the app's CSS places Home's body and its empty text: the first frame goes out before that CSS is read.
    DEFAULT_CSS = """
    StartingScreen #home-body {
        padding: 0 1;
    }
    StartingScreen #starting {
        padding: 1 2;
        color: $text;
    }
    """
    BINDINGS = nav_bindings("scorecards", "goal", "badges", "leaderboard", "self-assessment")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home-body"):
            yield Static(LOADING, id="starting", classes="empty")
        yield SteadyFooter()
