"""What holds up on the latest calls: the behaviours to keep as they are while the focus is worked on."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store import rules
from nextcall.store.views import BehaviourRateView

from ..text import literal

class GoingWell(Static):
    """The behaviours that hold up, each with its count: what went well, said before what to work on."""

    DEFAULT_CSS = """
    GoingWell { height: auto; }
    """

    def show(
        self, rates: Sequence[BehaviourRateView], *, focus_key: str | None, focus_name: str | None, target: rules.Target
    ) -> None:
        kept = rules.holding_up(rates, focus_key=focus_key, target=target)
        if not kept:
            most = max((rate.applicable for rate in rates), default=0)
            said = (
                f"No other behaviour is met on {target.met} of {target.window} or better yet: one at a time, starting with the focus."
                if rules.enough_calls(most)
                else f"What holds up: {rules.too_few_calls(most)}."
            )
            self.update(Content.styled(said, "$text-muted"))
            return
        lines = [
            Content.assemble(
                ("✓ ", "$text-success"), (literal(rate.criterion.name), "bold"), f": met on {rate.met} of {rate.applicable}"
            )
            for rate in kept
        ]
        focus = "the focus" if focus_name else "your next goal"
        lines.append(Content.styled(
            f"{target.met} of {target.window} or better: keep these as they are while you work on {focus}.",
            "$text-muted",
        ))
        self.update(Content("\n").join(lines))
