"""Leaderboard: where the agent stands in their team (or any team, or everyone), fairly.

The agent's own place is always in view: their row is highlighted (the cursor
starts on it) and their line is pinned below the table, wherever it scrolls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Header, Static, Tab, Tabs

from nextcall.store import leaderboard as boards
from nextcall.store.leaderboard import LeaderboardRowView, LeaderboardView, Metric, Period, TeamChoiceView
from nextcall.store.rules import plural

from ..text import literal, movement
from ..widgets.effect import percent
from .base import SteadyFooter, StoreScreen, nav_bindings

VALUE_WIDTH = 13
"""Wide enough for the longest metric's name, "Goal progress"."""

NAME_WIDTH = 44
"""At most this wide, so on a wide terminal each value stays close to its name."""

WIDE = 120
"""Columns from which the board has room for each agent's team and their move in words."""

TALL = 40
"""Rows from which the board is as tall as its rows, with the viewer's place on every metric below it."""

BEHIND_WIDE = 150
"""Columns from which most improved and goal progress show what each figure rests on, beside it."""

BEHIND_WIDTH = 44
"""At least this much room for a behaviour's name and its two rates: "Confirms the need · 62% → 80%"."""

BEHIND_NAME_WIDTH = 40
"""The Agent column beside it: a name with "◀ you (Anonymous to others)" still fits; the rest goes to the behaviour."""

BEHIND_HEADING = {
    Metric.improved: "Mean score: 30 days before → this period",
    Metric.goal: "Your goal: before it → this period",
}
"""What the column shows, per metric that has one: a change is never shown without where it started."""


def move_words(row: LeaderboardRowView) -> str:
    """A row's move since the previous period in words, beside its symbol."""
    return {
        boards.Movement.up: f"up {plural(row.places, 'place')}",
        boards.Movement.down: f"down {plural(row.places, 'place')}",
        boards.Movement.same: "same place",
        boards.Movement.new: "new on the board",
        None: "",
    }[row.movement]


def standing_line(metric: Metric, view: LeaderboardView | None, *, chosen: bool) -> Content:
    """The viewer's place on one metric's board, in one line (marked ◀ when it is the board shown)."""
    label = (f"{metric.label:<15}", "bold" if chosen else "")
    shown = " · the board above ◀" if chosen else ""
    row = view.viewer_row if view is not None else None
    if view is None or row is None:
        return Content.assemble(label, ("not on this board" + shown, "$text-muted"))
    if row.rank is None:
        return Content.assemble(label, (f"not ranked yet: {row.reason}{shown}", "$text-muted"))
    move = f" · {move_words(row)}" if row.movement is not None else ""
    return Content.assemble(label, f"{ordinal(row.rank)} of {len(view.ranked)} · {row.value_text}{move}{shown}")


def behind_text(row: LeaderboardRowView, width: int = BEHIND_WIDTH) -> str:
    """What a row's figure rests on, where the store lets this viewer see it: "Confirms the need · 62% → 80%".

    A long behaviour's name is cut, never its rates."""
    if row.before is None and row.behaviour is None:
        return "–" if row.rank is not None else ""
    rates = f"{percent(row.before)} → {percent(row.after)}"
    if not row.behaviour:
        return rates
    name, room = literal(row.behaviour), width - len(rates) - 3
    return f"{name if len(name) <= room else name[: room - 1] + '…'} · {rates}"


def rank_text(row: LeaderboardRowView) -> str:
    if row.rank is None:
        return "–"
    return f"={row.rank}" if row.shares_rank else str(row.rank)


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def own_line(row: LeaderboardRowView | None, view: LeaderboardView) -> str:
    """The viewer's place in words, toward what comes next."""
    if row is None:
        if not (view.ranked or view.unranked):
            return ""
        return "You are not on this board: it shows another team. Press t for your own team."
    hidden = " · others see you as Anonymous" if row.anonymous else ""
    if row.rank is None:
        line = f"You: not ranked yet ({row.reason}). Every call you take this period counts toward a place.{hidden}"
    else:
        move = {
            boards.Movement.up: f", up {plural(row.places, 'place')} since the last period",
            boards.Movement.down: f", down {plural(row.places, 'place')} since the last period: one good call at a time",
            boards.Movement.same: ", same place as the last period",
            boards.Movement.new: ", new on the board this period",
            None: "",
        }[row.movement]
        place = f"{ordinal(row.rank)} of {len(view.ranked)}"
        line = f"You: {place} · {view.metric.label.lower()} {row.value_text}{move}.{hidden}"
    if view.viewer_goal is not None:
        line += f"\nOn your next call: {literal(view.viewer_goal[1])}"
    return line


@dataclass(frozen=True, slots=True)
class _Choice:
    metric: Metric
    period: Period
    team_id: str | None


class LeaderboardScreen(StoreScreen):
    """A fair board: improvers can win, ties share a rank, nobody is shown against their will."""

    TITLE = "Leaderboard"

    BINDINGS = [
        Binding("m", "next_metric", "Metric", tooltip="Rank by quality, most improved, goal progress or points"),
        Binding("p", "next_period", "Period", tooltip="This week, last 7 days, last 30 days, this month"),
        Binding("t", "next_team", "Team", tooltip="Your team, another team, or everyone"),
        Binding("o", "toggle_anonymous", "Anonymous", tooltip="Show yourself as Anonymous to colleagues, or not"),
        *nav_bindings("home"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choice: _Choice | None = None
        self.teams: list[TeamChoiceView] = []
        self.view: LeaderboardView | None = None
        self.next_call: tuple[str, str] | None = None
        """The viewer's next-call line under the board (their coaching state, as Home has it)."""
        self._next_call_of: str | None = None
        """Whom `next_call` was read for; None: read it with the next board (opened, or the store changed)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Tabs(*(Tab(metric.label, id=f"metric-{metric.value}") for metric in Metric), id="metrics")
        yield Static(id="board-caption", classes="muted")
        yield Static(id="board-empty", classes="empty")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static(id="board-standing", classes="card")
        yield Static(id="board-you")
        yield Static(id="board-unranked", classes="muted")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#board-standing").border_title = "You on every board"
        self.standings: dict[Metric, LeaderboardView] = {}
        self._fit(self.size.width, self.size.height)
        self.nextcall.store_changed.subscribe(self, lambda _change: self.reload())
        self.load()

    def reload(self) -> None:
        """The board and the viewer's next-call line again: calls or goals may have changed."""
        self._next_call_of = None
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        tall = self.has_class("-tall")
        self._fit(event.size.width, event.size.height)
        if self.has_class("-tall") != tall:
            self.load()  # the standings come with a tall board
        elif self.view is not None:
            self.show(self.view, self.teams, self.choice, self.standings, width=event.size.width)

    def _fit(self, width: int, height: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        self.set_class(width >= WIDE and height >= TALL, "-tall")

    def on_screen_resume(self) -> None:
        # Its first showing resumes the screen (twice, in Textual 8): the load its mount started reads
        # everything current. Coming back to it later reads the board and the line again.
        if self._suspended_in_focus is None or (self.agent_id is not None and self._loading_for == self.agent_id):
            return
        self.reload()

    # ------------------------------------------------------------ choosing

    def palette_commands(self) -> Iterable[SystemCommand]:
        for metric in Metric:
            yield SystemCommand(f"Rank by {metric.label.lower()}", f"Leaderboard metric: {metric.label} (m)", partial(self.choose, metric=metric))
        for period in Period:
            yield SystemCommand(f"Period: {period.label.lower()}", f"Leaderboard over {period.label.lower()} (p)", partial(self.choose, period=period))
        yield SystemCommand("Next team", "Your team, another team, or everyone (t)", self.action_next_team)
        row = self.view.viewer_row if self.view is not None else None
        if row is not None and row.anonymous:
            yield SystemCommand("Anonymous off", "Show colleagues and the wallboard your name (o)", self.action_toggle_anonymous)
        elif row is not None:
            yield SystemCommand("Anonymous on", "Show yourself as Anonymous to colleagues and the wallboard (o)", self.action_toggle_anonymous)
        else:
            yield SystemCommand("Anonymous on/off", "Show yourself as Anonymous to colleagues, or not (o)", self.action_toggle_anonymous)

    def choose(self, *, metric: Metric | None = None, period: Period | None = None) -> None:
        """Show the board by this metric or over this period."""
        if self.choice is not None:
            self.choice = replace(self.choice, metric=metric or self.choice.metric, period=period or self.choice.period)
            self.load()

    def action_next_metric(self) -> None:
        if self.choice is not None:
            self.choice = replace(self.choice, metric=self.choice.metric.next())
            self.load()

    def action_next_period(self) -> None:
        if self.choice is not None:
            self.choice = replace(self.choice, period=self.choice.period.next())
            self.load()

    def action_next_team(self) -> None:
        if self.choice is None:
            return
        scopes: list[str | None] = [team.id for team in self.teams] + [None]
        at = scopes.index(self.choice.team_id) if self.choice.team_id in scopes else -1
        self.choice = replace(self.choice, team_id=scopes[(at + 1) % len(scopes)])
        self.load()

    @on(Tabs.TabActivated, "#metrics")
    def _metric_tab(self, event: Tabs.TabActivated) -> None:
        metric = Metric(event.tab.id.removeprefix("metric-")) if event.tab.id else Metric.quality
        if self.choice is not None and metric is not self.choice.metric:
            self.choice = replace(self.choice, metric=metric)
            self.load()

    def action_toggle_anonymous(self) -> None:
        if self.agent_id is not None:
            self._toggle_anonymous(self.agent_id)

    @work(thread=True, exclusive=True, group="opt-out", exit_on_error=False)
    def _toggle_anonymous(self, agent_id: str) -> None:
        anonymous = boards.toggle_opt_out(self.engine, agent_id=agent_id)
        message = (
            "Colleagues and the wallboard now see you as Anonymous. You still see your own place."
            if anonymous
            else "Colleagues and the wallboard now see your name. Press o to be Anonymous again."
        )
        self.app.call_from_thread(self.app.notify, message, title="Leaderboard", markup=False)
        self.app.call_from_thread(self.load)  # the next-call line is the agent's own, whatever others see

    # ------------------------------------------------------------- loading

    def load(self) -> None:
        # Another metric, period or team changes the board, not the viewer's coaching state: the line under
        # the board is read with the board it opens on (and again when the store changes), not on every switch.
        known = self.agent_id is not None and self._next_call_of == self.agent_id
        self._loading_for = self.agent_id
        self._load(self.next_load(), self.agent_id, self.choice, self.has_class("-tall"), not known)

    @work(thread=True, exclusive=True, group="leaderboard", exit_on_error=False)
    def _load(
        self, generation: int, agent_id: str | None, choice: _Choice | None, tall: bool = False, next_call: bool = True
    ) -> None:
        teams = boards.teams(self.engine)
        if choice is None:
            own_team = boards.team_of(self.engine, agent_id=agent_id) if agent_id else None
            choice = _Choice(Metric.quality, Period.last_7_days, own_team or (teams[0].id if teams else None))
        view = boards.leaderboard(
            self.engine,
            metric=choice.metric,
            period=choice.period,
            team_id=choice.team_id,
            viewer_id=agent_id,
            zone=self.nextcall.zone,
            min_calls=self.nextcall.min_calls,
            next_call=next_call,
        )
        standings: dict[Metric, LeaderboardView] = {view.metric: view}
        if tall and agent_id is not None:
            # Room to spare: the viewer's place on the other metrics' boards too, over the same period and team.
            for metric in Metric:
                if metric is not choice.metric:
                    standings[metric] = boards.leaderboard(
                        self.engine, metric=metric, period=choice.period, team_id=choice.team_id,
                        viewer_id=agent_id, zone=self.nextcall.zone, min_calls=self.nextcall.min_calls, next_call=False,
                    )
        self.deliver(generation, self._loaded, agent_id if next_call else None, view, teams, choice, standings)

    def _loaded(
        self, line_of: str | None, view: LeaderboardView, teams: list[TeamChoiceView], choice: _Choice,
        standings: dict[Metric, LeaderboardView],
    ) -> None:
        if line_of is not None:
            self.next_call, self._next_call_of = view.viewer_goal, line_of
        elif view.viewer_goal is None and self.next_call is not None:
            view = replace(view, viewer_goal=self.next_call)
        self.show(view, teams, choice, standings)

    def show(
        self,
        view: LeaderboardView,
        teams: list[TeamChoiceView],
        choice: _Choice,
        standings: dict[Metric, LeaderboardView] | None = None,
        *,
        width: int | None = None,
    ) -> None:
        self.view, self.teams, self.choice = view, teams, choice
        self.standings = standings or {view.metric: view}
        self._show_standings(view)
        tabs = self.query_one("#metrics", Tabs)
        if tabs.active != f"metric-{view.metric.value}":
            with tabs.prevent(Tabs.TabActivated):
                tabs.active = f"metric-{view.metric.value}"
        self.sub_title = f"{literal(view.scope)} · {view.period.label}"
        self.query_one("#board-caption", Static).update(
            Content(
                f"{view.period.label} · {literal(view.scope)} · {view.metric.explanation}. "
                f"Ranked from {view.min_calls} calls; ties share a place."
            )
        )
        table = self.query_one(DataTable)
        empty = self.query_one("#board-empty", Static)
        has_rows = bool(view.ranked or view.unranked)
        empty.display = not view.ranked
        table.display = bool(view.ranked)
        if not view.ranked:
            hint = " Press p for a longer period or m for another metric." if has_rows else ""
            empty.update(Content(view.why_nobody_is_ranked + hint))
        # Columns are made afresh each time, so the name column fits this board and this width.
        table.clear(columns=True)
        width = width or self.size.width
        wide = width >= WIDE
        team_names = {team.id: team.name for team in teams}
        team_width = max((len(literal(name)) for name in team_names.values()), default=4) if wide and view.team_id is None else 0
        move_width = 20 if wide else 4
        behind_heading = BEHIND_HEADING.get(view.metric) if width >= BEHIND_WIDE else None
        extra = (team_width + 2 if team_width else 0) + (BEHIND_WIDTH + 2 if behind_heading else 0)
        room = max(width - 2 - (4 + move_width + VALUE_WIDTH + 5 + extra) - 2 * 5 - 2, 12)
        room = min(room, BEHIND_NAME_WIDTH if behind_heading else NAME_WIDTH)
        # What the names leave goes to what each figure rests on (a long behaviour's name), up to a name's width again.
        behind_width = min(BEHIND_WIDTH + max(width - 2 - (4 + move_width + VALUE_WIDTH + 5 + extra) - 2 * 6 - 2 - room, 0), 64)
        table.add_column("Rank", key="rank", width=4)
        table.add_column("Since last period" if wide else "Move", key="move", width=move_width)
        table.add_column("Agent", key="agent", width=room)
        if team_width:
            table.add_column("Team", key="team", width=max(team_width, 4))
        table.add_column(Text(view.metric.label, justify="right"), key="value", width=VALUE_WIDTH)
        table.add_column(Text("Calls", justify="right"), key="calls", width=5)
        if behind_heading:
            table.add_column(behind_heading, key="behind", width=behind_width)
        viewer_index: int | None = None
        for index, row in enumerate(view.ranked):
            name = literal(row.name)
            if row.is_viewer:
                viewer_index = index
                name += "  ◀ you" + (" (Anonymous to others)" if row.anonymous else "")
            name = name if len(name) <= room else name[: room - 1] + "…"
            style = "bold" if row.is_viewer else ""
            move = f"{movement(row)} {move_words(row)}".strip() if wide and row.movement is not boards.Movement.same else movement(row)
            if wide and row.movement is boards.Movement.same:
                move = "– same place"
            cells = [Text(rank_text(row), style=style), Text(move, style=style), Text(name, style=style)]
            if team_width:
                cells.append(Text(literal(team_names.get(row.team_id, row.team_id)), style=style))
            cells += [Text(row.value_text, style=style, justify="right"), Text(str(row.calls), style=style, justify="right")]
            if behind_heading:
                behind = behind_text(row, behind_width)
                cells.append(Text(behind, style=style or ("" if behind != "–" else "dim")))
            table.add_row(*cells, key=row.agent_id or f"anonymous-{index}")
        if viewer_index is not None:
            table.move_cursor(row=viewer_index)
        # A tall board is as tall as its rows (and its header), so what it leaves is used below it.
        table.styles.height = min(table.row_count + 1, max(self.size.height - 20, 5)) if self.has_class("-tall") else "1fr"
        unranked = self.query_one("#board-unranked", Static)
        unranked.display = bool(view.unranked)
        if view.unranked:
            listed = "; ".join(
                f"{literal(row.name)}{' (you)' if row.is_viewer else ''}: {row.reason}" for row in view.unranked[:12]
            )
            more = f"; and {len(view.unranked) - 12} more" if len(view.unranked) > 12 else ""
            unranked.update(Content(f"Not ranked yet: {listed}{more}."))
        you = own_line(view.viewer_row, view)
        self.query_one("#board-you", Static).display = bool(you)
        self.query_one("#board-you", Static).update(Content(you))

    def _show_standings(self, view: LeaderboardView) -> None:
        """On a tall board, the viewer's place on every metric over the same period: where they stand out, too."""
        standing = self.query_one("#board-standing", Static)
        standing.display = self.has_class("-tall") and view.viewer_row is not None and len(self.standings) == len(Metric)
        if standing.display:
            standing.update(
                Content("\n").join(
                    standing_line(metric, self.standings.get(metric), chosen=metric is view.metric) for metric in Metric
                )
            )
