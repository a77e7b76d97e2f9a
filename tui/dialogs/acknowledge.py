"""Marking an evaluation seen, with an optional word back to QA."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ..text import literal


class AcknowledgeDialog(ModalScreen[str | None]):
    """Returns the comment ("" for none) to mark the call seen with, or None to cancel."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, call_id: str, *, comment: str | None = None) -> None:
        """
        Args:
            call_id: the call (shown literally).
            comment: the comment it was seen with before, to change.
        """
        super().__init__()
        self.call_id = call_id
        self.comment = comment or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="acknowledge", classes="dialog"):
            yield Static(Content.assemble("Mark call ", (literal(self.call_id), "bold"), " seen"), classes="card-title")
            yield Static(
                Content("It tells QA you have seen the scores. Seeing is not a score. A word back (optional):"),
                classes="muted",
            )
            yield Input(
                self.comment, placeholder="e.g. I'll ask before holds from now on", id="seen-comment", max_length=2000
            )
            with Horizontal(classes="buttons"):
                yield Button("Mark seen", variant="primary", id="seen")
                yield Button("Cancel", id="cancel")
            yield Static("Enter mark seen · Escape cancel", classes="muted")

    @on(Input.Submitted)
    @on(Button.Pressed, "#seen")
    def _seen(self) -> None:
        self.dismiss(self.query_one(Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
