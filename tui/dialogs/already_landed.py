"""A goal the agent already lands: say so, offer the suggestion, and let them insist."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class AlreadyLandedDialog(ModalScreen[bool]):
    """Returns True to start the goal anyway, False to choose another."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Choose another"),
        Binding("y", "dismiss(True)", "Start anyway", show=False),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="already-landed", classes="dialog"):
            yield Static(Content("You land this one already"), classes="card-title")
            yield Static(Content(self.message), id="already-landed-message")
            with Horizontal(classes="buttons"):
                yield Button("Choose another", variant="primary", id="another")
                yield Button("Start it anyway (y)", id="anyway")

    @on(Button.Pressed, "#another")
    def _another(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#anyway")
    def _anyway(self) -> None:
        self.dismiss(True)
