"""Calibration: the agent's own rating of each behaviour beside how often it was met lately."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store.rules import SELF_RATINGS, PassRate, calibrate, calibration_words
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
        lines: list[Content] = [Content.styled("Behaviour".ljust(width) + "  You         Last 30 days", "bold")]
        calibrations = []
        for m in measured:
            rating = ratings.get(m.criterion.key)
            calibration = calibrate(m.criterion.key, rating, PassRate(m.met, m.applicable))
            calibrations.append((m, calibration))
            word = SELF_RATINGS[rating][0] if rating else "–"
            scored = f"met {m.met} of {m.applicable}" if m.applicable else "no calls"
            mark = ""
            if calibration.gap is not None and abs(calibration.gap) >= 0.15:
                mark = " ◀"
            lines.append(Content.assemble(literal(m.criterion.name).ljust(width), f"  {word:<11} {scored}", (mark, "bold")))
        gaps = sorted(
            (c for c in calibrations if c[1].gap), key=lambda item: abs(item[1].gap or 0), reverse=True
        )[:TALKING_POINTS]
        if gaps:
            lines.append(Content.styled("\nWorth talking about with your coach (◀ above):", "bold"))
            lines.extend(Content("• " + calibration_words(literal(m.criterion.name), c)) for m, c in gaps)
        elif ratings:
            lines.append(Content("\nYour view and your scores agree on every behaviour you rated."))
        else:
            lines.append(Content("\nRate yourself above to see where your view and the scores differ."))
        self.update(Content("\n").join(lines))
