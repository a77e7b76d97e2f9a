"""A row of ✓ ✗ – marks: how the latest calls went on one behaviour."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store.models import Outcome
from nextcall.store.views import VerdictView

from ..text import SYMBOL, literal, when

STYLE = {Outcome.met: "$text-success", Outcome.missed: "$text-error", Outcome.na: "$text-muted"}
WORD = {Outcome.met: "met", Outcome.missed: "missed", Outcome.na: "did not come up"}


class VerdictStrip(Static):
    """The focus behaviour on the latest calls, newest first, with a count in words."""

    DEFAULT_CSS = """
    VerdictStrip { height: auto; }
    """

    def show(self, verdicts: Sequence[VerdictView], *, listed: bool = False) -> None:
        """Show the marks on one line, or, with `listed` (a tall terminal), one call a line with its id and time."""
        if not verdicts:
            self.update(Content("No calls yet on this behaviour."))
            return
        met = sum(v.outcome is Outcome.met for v in verdicts)
        applicable = sum(v.outcome is not Outcome.na for v in verdicts)
        words = f"met on {met} of {applicable}" if applicable else "did not apply"
        if listed:
            width = max(len(WORD[v.outcome]) for v in verdicts) + 2
            lines = [
                Content.assemble(
                    (f"{SYMBOL[v.outcome]} {WORD[v.outcome]:<{width}}", STYLE[v.outcome]), f"{literal(v.call_id)} · {when(v.occurred_at)}"
                )
                for v in verdicts
            ]
            self.update(Content("\n").join([*lines, Content.styled(f"Newest first: {words}", "bold")]))
            return
        marks = Content(" ").join(Content.styled(SYMBOL[v.outcome], STYLE[v.outcome]) for v in verdicts)
        self.update(Content.assemble("newest ", marks, " oldest", (f"   {words}", "bold")))
