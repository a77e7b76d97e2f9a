"""What holds up on the latest calls: the behaviours to keep as they are while the focus is worked on."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from nextcall.store import rules
from nextcall.store.views import BehaviourRateView

from ..text import literal

MOST = 5
"""Lines at most: the strongest, not the whole scorecard again (that is "All your behaviours")."""


def holding(rates: Sequence[BehaviourRateView], *, focus_key: str | None, target: rules.Target) -> list[BehaviourRateView]:
    """Behaviours met at the goal target's rate or better, on enough calls to say so, strongest first.

    The bar is a goal's own (met on 8 of 10 where it applied), and the sample rule is the one every
    claim asks: a behaviour that came up twice is not called a strength. The focus is left out."""
    found = [
        rate for rate in rates
        if rate.criterion.key != focus_key
        and rules.enough_calls(rate.applicable)
        and rate.met / rate.applicable >= target.rate
    ]
    # Strongest first; equal rates keep the scorecard's order (sorted is stable).
    return sorted(found, key=lambda rate: -rate.met / rate.applicable)[:MOST]


class GoingWell(Static):
    """The behaviours that hold up, each with its count: what went well, said before what to work on."""

    DEFAULT_CSS = """
    GoingWell { height: auto; }
    """

    def show(
        self, rates: Sequence[BehaviourRateView], *, focus_key: str | None, focus_name: str | None, target: rules.Target
    ) -> None:
        kept = holding(rates, focus_key=focus_key, target=target)
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
