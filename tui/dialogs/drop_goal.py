"""Setting a goal aside, with an optional reason in the agent's own words."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class DropGoalDialog(ModalScreen[str | None]):
    """Returns the reason ("" for none) to drop, or None to keep the goal."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Keep the goal")]

    def __init__(self, behaviour: str) -> None:
        super().__init__()
        self.behaviour = behaviour

    def compose(self) -> ComposeResult:
        with Vertical(id="drop-goal", classes="dialog"):
            yield Static(Content(f"Set aside your goal: {self.behaviour}?"), classes="card-title")
            yield Static("It stays in your history. Why, in a few words (optional):", classes="muted")
            yield Input(placeholder="e.g. I want to land something else first", id="drop-reason", max_length=500)
            with Horizontal(classes="buttons"):
                yield Button("Set it aside", variant="warning", id="drop")
                yield Button("Keep it", id="keep")

    @on(Input.Submitted)
    @on(Button.Pressed, "#drop")
    def _drop(self) -> None:
        self.dismiss(self.query_one(Input).value)

    @on(Button.Pressed, "#keep")
    def _keep(self) -> None:
        self.dismiss(None)
