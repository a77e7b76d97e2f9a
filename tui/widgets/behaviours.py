"""Every behaviour of the scorecard on the latest calls: a bar and a count for each."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store.views import BehaviourRateView

from ..text import literal

BAR = 10


class BehaviourRates(Static):
    """Met counts per behaviour, the focus behaviour marked; words beside every bar."""

    DEFAULT_CSS = """
    BehaviourRates { height: auto; }
    """

    def show(self, rates: Sequence[BehaviourRateView], *, focus_key: str | None, calls: int) -> None:
        if not rates:
            self.update("")
            return
        width = max(len(literal(r.criterion.name)) for r in rates)
        lines: list[Content] = []
        for rate in rates:
            name = literal(rate.criterion.name).ljust(width)
            marker = "▶ " if rate.criterion.key == focus_key else "  "
            if rate.applicable:
                filled = round(BAR * rate.met / rate.applicable)
                bar = Content.assemble(("█" * filled, "$text-success"), ("░" * (BAR - filled), "$text-muted"))
                count = f" {rate.met:>2} of {rate.applicable:<2}"
            else:
                bar = Content(" " * BAR)
                count = " did not apply"
            style = "bold" if rate.criterion.key == focus_key else ""
            lines.append(Content.assemble((marker + name + "  ", style), bar, count))
        header = Content.styled(f"Met where it applied, your last {calls} calls", "$text-muted")
        self.update(Content("\n").join([header, *lines]))
