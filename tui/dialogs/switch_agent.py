"""Before showing a colleague's app: what is written there is saved as theirs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class SwitchAgentDialog(ModalScreen[bool]):
    """Returns True to go on to the agent picker, False to stay."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Stay"),
        Binding("y", "dismiss(True)", "Switch", show=False),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.agent_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="switch-agent", classes="dialog"):
            yield Static(Content(f"This app is {self.agent_name}'s"), classes="card-title")
            yield Static(
                Content(
                    "Another agent's app shows their calls, and a self-assessment or goal written there "
                    "is saved as theirs. Switch only to look on someone's behalf."
                ),
                id="switch-agent-message",
            )
            with Horizontal(classes="buttons"):
                yield Button("Stay", variant="primary", id="stay")
                yield Button("Switch agent (y)", id="switch")

    @on(Button.Pressed, "#stay")
    def _stay(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#switch")
    def _switch(self) -> None:
        self.dismiss(True)
