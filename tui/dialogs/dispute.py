"""Saying "I see it differently" on one behaviour of a call: why (needed), and the outcome believed right (if any)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from nextcall.store import rules
from nextcall.store.models import Outcome
from nextcall.store.talkback import NEEDS_A_REASON

from ..text import SYMBOL, WORD, literal

LEAVE_IT_TO_QA = "No outcome: leave it to QA"


@dataclass(frozen=True, slots=True)
class DisputeRequest:
    """What the agent said in the dialog."""

    reason: str
    proposed: Outcome | None
    """The outcome the agent believes is right; None leaves it to QA."""


class DisputeDialog(ModalScreen[DisputeRequest | None]):
    """Returns the reason and the outcome proposed, or None to cancel. The outcome as scored is not offered."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, behaviour: str, scored: Outcome) -> None:
        """
        Args:
            behaviour: the behaviour's name (shown literally).
            scored: its outcome on this call as scored.
        """
        super().__init__()
        self.behaviour = behaviour
        self.scored = scored
        self.choices = [outcome for outcome in Outcome if outcome is not scored]

    def compose(self) -> ComposeResult:
        with Vertical(id="dispute", classes="dialog"):
            yield Static(
                Content.assemble(
                    "I see it differently: ", (literal(self.behaviour), "bold"),
                    f" (scored {SYMBOL[self.scored]} {WORD[self.scored]})",
                ),
                classes="card-title",
            )
            yield Static(Content("The score stays as scored until QA decides. Why do you see it differently? (needed)"))
            yield Input(placeholder="e.g. I verified on the second try, at 1:20", id="dispute-reason", max_length=2000)
            yield Static(Content("✗ " + NEEDS_A_REASON), id="dispute-error", classes="error")
            yield Static(Content("The outcome you believe is right (optional):"))
            # The choice is written in the box, not told by a colour; the outcome as scored is not among them.
            yield Select[str](
                [(LEAVE_IT_TO_QA, ""), *((f"{SYMBOL[o]} {WORD[o]}", o.value) for o in self.choices)],
                value="", allow_blank=False, id="dispute-outcome",
            )
            with Horizontal(classes="buttons"):
                yield Button("Send to QA", variant="primary", id="send")
                yield Button("Cancel", id="cancel")
            yield Static("Enter send · Tab next · Escape cancel", classes="muted")

    @property
    def proposed(self) -> Outcome | None:
        chosen = self.query_one("#dispute-outcome", Select).value
        return Outcome(chosen) if isinstance(chosen, str) and chosen else None

    @on(Input.Submitted)
    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        reason = self.query_one("#dispute-reason", Input)
        if not rules.has_words(reason.value):
            self.query_one("#dispute-error").display = True
            reason.focus()
            return
        self.dismiss(DisputeRequest(reason.value.strip(), self.proposed))

    @on(Input.Changed, "#dispute-reason")
    def _typed(self) -> None:
        self.query_one("#dispute-error").display = False

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
