"""The goal's progress as a chart: rolling pass rate, with the baseline and target lines."""

from __future__ import annotations

from textual.app import RenderResult
from textual.color import Color
from textual_plotext import PlotextPlot

from nextcall.store.views import GoalView


def plotted(goal: GoalView) -> str:
    """What each point is, honestly: until a window's worth of calls exist, the rate on the calls so far."""
    calls = len(goal.series)
    if calls < goal.target_window:
        return f"% met over the calls so far (the last {goal.target_window} once there are {goal.target_window})"
    return f"% met on the last {goal.target_window} calls"


MARKER = "hd"
"""Upper and lower half blocks: two points a cell, in every monospace font."""

CHROME_ROWS = 5
"""Rows of the chart that are not the plot area: title, frame top and bottom, x ticks, x label."""


def y_ticks(height: int) -> list[int]:
    """Ticks from 0 to 100 at even steps, quarters when the plot area has rows for them to sit on evenly."""
    rows = height - CHROME_ROWS
    if rows >= 9 and (rows - 1) % 4 == 0:
        return [0, 25, 50, 75, 100]
    return [0, 50, 100]


class GoalChart(PlotextPlot):
    """Percent met over the last window of applicable calls, after each call since the start."""

    DEFAULT_CSS = """
    GoalChart { height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.goal: GoalView | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.replot())

    def show(self, goal: GoalView | None) -> None:
        self.goal = goal
        self.replot()

    def render(self) -> RenderResult:
        # The ticks follow the height drawn now: a resize after the last replot changes the rows.
        if self.goal is not None and self.goal.series:
            # Even steps, each on a row of its own; the lines' values are in the title.
            self.plt.yticks(y_ticks(self.size.height))
        return super().render()

    def _colour(self, variable: str) -> tuple[int, int, int]:
        return Color.parse(self.app.theme_variables.get(variable, "white")).rgb

    def replot(self) -> None:
        """Draw again from the goal, in the colours of the current theme."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        goal = self.goal
        if goal is None or not goal.series:
            plt.title("Your progress appears here after the first call where this behaviour applies.")
            self.refresh()
            return
        calls = list(range(1, len(goal.series) + 1))
        # Half blocks, not braille: braille is missing from common monospace fonts, and a
        # fallback font draws it wider than a cell, pushing the series past the frame.
        plt.plot(calls, [100 * rate for rate in goal.series], marker=MARKER, color=self._colour("primary"))
        plt.hline(100 * goal.target_met / goal.target_window, color=self._colour("success"))
        if goal.baseline_rate is not None:
            plt.hline(100 * goal.baseline_rate, color=self._colour("warning"))
        plt.ylim(0, 100)
        plt.xlim(1, max(2, len(calls)))
        step = max(1, round(len(calls) / 6))
        plt.xticks(list(range(1, len(calls) + 1, step)))
        plt.xlabel("calls since the goal started (where it applied)")
        target = f"target {goal.target_met / goal.target_window:.0%}"
        before = f" · before {goal.baseline_rate:.0%}" if goal.baseline_rate is not None else ""
        plt.title(f"{plotted(goal)} · lines: {target}{before}")
        self.refresh()
