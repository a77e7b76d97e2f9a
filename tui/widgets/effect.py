"""Did it work? The goal behaviour, CSAT and first-contact resolution before the goal and since.

One rendering for the Goal screen and, on a tall terminal, Home.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from nextcall.store.views import EffectivenessView, SideView


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def side_rows(effect: EffectivenessView) -> list[tuple[str, str, str]]:
    """Each row of the comparison: what, before the goal, since."""
    before, after = effect.before, effect.after

    def rate(side: SideView) -> str:
        return f"{percent(side.pass_rate)} ({side.met} of {side.applicable})" if side.applicable else "–"

    def csat(side: SideView) -> str:
        return "–" if side.mean_csat is None else f"{side.mean_csat:.1f}"

    return [
        ("Behaviour met", rate(before), rate(after)),
        ("Mean CSAT", csat(before), csat(after)),
        ("Resolved first time", percent(before.fcr_rate), percent(after.fcr_rate)),
        ("Calls", str(before.calls), str(after.calls)),
    ]


class GoalEffect(Vertical):
    """Before the goal and since, side by side; below the sample rule's minimum, that is said first."""

    DEFAULT_CSS = """
    GoalEffect { height: auto; }
    GoalEffect #goal-effect-table { height: auto; max-height: 12; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="goal-effect-note", classes="muted")
        yield DataTable(id="goal-effect-table", cursor_type="none", show_cursor=False)

    _effect: EffectivenessView | None = None
    """What to show once mounted, when it was given before (a card made the moment it is first shown)."""
    _ready = False

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: the table is refilled on every change and must not jump about.
        table.add_column("", width=20)
        table.add_column("Before", width=16)
        table.add_column("Since", width=16)
        self._ready = True
        if self._effect is not None:
            self.show(self._effect)

    def show(self, effect: EffectivenessView) -> None:
        self._effect = effect
        if not self._ready:
            return
        note = self.query_one("#goal-effect-note", Static)
        note.display = not effect.enough
        note.update(
            ""
            if effect.enough
            else Content(
                f"Not enough calls yet to compare: at least {effect.min_sample} on each side "
                f"(before: {effect.before.applicable}, since: {effect.after.applicable})."
            )
        )
        table = self.query_one(DataTable)
        table.clear()
        for row in side_rows(effect):
            table.add_row(*row)
