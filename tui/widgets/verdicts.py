"""A row of ✓ ✗ – marks: how the latest calls went on one behaviour."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store.models import Outcome
from nextcall.store.views import VerdictView

from ..text import SYMBOL


class VerdictStrip(Static):
    """The focus behaviour on the latest calls, newest first, with a count in words."""

    DEFAULT_CSS = """
    VerdictStrip { height: auto; }
    """

    def show(self, verdicts: Sequence[VerdictView]) -> None:
        if not verdicts:
            self.update(Content("No calls yet on this behaviour."))
            return
        style = {Outcome.met: "$text-success", Outcome.missed: "$text-error", Outcome.na: "$text-muted"}
        marks = Content(" ").join(Content.styled(SYMBOL[v.outcome], style[v.outcome]) for v in verdicts)
        met = sum(v.outcome is Outcome.met for v in verdicts)
        applicable = sum(v.outcome is not Outcome.na for v in verdicts)
        words = f"   met on {met} of {applicable}" if applicable else "   did not apply"
        self.update(Content.assemble("newest ", marks, " oldest", (words, "bold")))
