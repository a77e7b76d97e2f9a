"""Calibration: the agent's own rating of each behaviour beside how often it was met lately."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store.rules import SELF_RATINGS, PassRate, calibrate, calibration_words, worth_talking_about
from nextcall.store.views import MeasuredView

from ..text import literal

TALKING_POINTS = 3


class CalibrationView(Static):
    """Per behaviour: your word, the measured count; then the largest gaps, as things to talk about."""

    DEFAULT_CSS = """
    CalibrationView { height: auto; }
    """

    def show(self, measured: Sequence[MeasuredView], ratings: Mapping[str, int]) -> None:
        if not measured:
            self.update(Content("Your scorecard's behaviours appear here once your calls are scored."))
            return
        width = max(len(literal(m.criterion.name)) for m in measured)
        calibrations = [
            (m, calibrate(m.criterion.key, ratings.get(m.criterion.key), PassRate(m.met, m.applicable))) for m in measured
        ]
        talk = worth_talking_about((c for _, c in calibrations), limit=TALKING_POINTS)
        marked = {c.key for c in talk}
        lines: list[Content] = [Content.styled("Behaviour".ljust(width) + "  You         Last 30 days", "bold")]
        for m, calibration in calibrations:
            word = SELF_RATINGS[calibration.rating][0] if calibration.rating else "–"
            scored = f"met {m.met} of {m.applicable}" if m.applicable else "no calls"
            mark = " ◀" if calibration.key in marked else ""
            lines.append(Content.assemble(literal(m.criterion.name).ljust(width), f"  {word:<11} {scored}", (mark, "bold")))
        names = {m.criterion.key: literal(m.criterion.name) for m in measured}
        if talk:
            lines.append(Content.styled("\nWorth talking about with your coach (◀ above):", "bold"))
            lines.extend(Content("• " + calibration_words(names[c.key], c)) for c in talk)
        elif ratings:
            lines.append(Content("\nYour view and your scores agree on every behaviour you rated."))
        else:
            lines.append(Content("\nRate yourself on each behaviour to see where your view and the scores differ."))
        self.update(Content("\n").join(lines))
