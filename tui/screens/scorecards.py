"""Scorecards: every scored call, newest first, filterable by behaviour and outcome."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Header, Select, Static

from nextcall.store import queries
from nextcall.store.models import Outcome
from nextcall.store.views import ScorecardPageView

from .base import SteadyFooter, StoreScreen, nav_bindings
from ..messages import StoreChanged
from ..text import SYMBOL, WORD, call_time, empty_screen, literal, when
from .evaluation import EvaluationScreen

EMPTY = (
    "Each scored call will be listed here, newest first: its date, channel, "
    "score with the behaviours behind it, CSAT and first-contact resolution. "
    "Enter (or a click) opens one, behaviour by behaviour."
)

NOT_SEEN = "●"
"""Beside a call whose evaluation the agent has not marked seen yet (or that was re-scored since)."""

WIDE = 120
"""From this many columns (a 160-column terminal) the list has room for each call's length."""

OUTCOME_FILTERS = [("met", Outcome.met), ("missed", Outcome.missed)]


class ScorecardsScreen(StoreScreen):
    """The agent's evaluations as a table; Enter opens one."""

    TITLE = "Scorecards"

    BINDINGS = [
        Binding("f", "focus_filter", "Filter", tooltip="Filter by behaviour and outcome"),
        Binding("n", "toggle_unseen", "Not seen", tooltip="Only the calls you have not marked seen, newest first", id="not-seen"),
        Binding("x", "clear_filters", "Clear filters", show=False),
        *nav_bindings("home", "goal"),
    ]

    unseen_only = False
    """Only the calls not marked seen (in the newest the list holds)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select[str]([], prompt="Any behaviour", id="behaviour-filter")
            yield Select[Outcome](OUTCOME_FILTERS, prompt="Met or missed", id="outcome-filter")
            yield Static(id="count", classes="muted")
        yield DataTable(id="evaluations", cursor_type="row", zebra_stripes=True)
        yield Static(id="scorecards-empty", classes="empty")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._columns: tuple[bool, bool] | None = None
        self._wide = self.size.width >= WIDE
        self._set_columns(by_behaviour=False)
        self.nextcall.store_changed.subscribe(self, self._store_changed)
        self._behaviours_shown: tuple[str, ...] = ()
        table.display = self.query_one("#filters").display = False  # shown with the first calls
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self._wide:
            self._wide = wide
            self.load()

    def _set_columns(self, *, by_behaviour: bool) -> None:
        """Filtered by a behaviour, its outcome takes the channel's place: what the filter is about, on every row.

        On a wide terminal the call's length has a column too.
        """
        if (by_behaviour, self._wide) == self._columns:
            return
        self._columns = (by_behaviour, self._wide)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Date", key="date")
        table.add_column("Call", key="call")
        if by_behaviour:
            table.add_column("Behaviour", key="behaviour")
        else:
            table.add_column("Channel", key="channel")
        table.add_column("Score  ✓ met ✗ missed", key="score")
        table.add_column("CSAT", key="csat")
        table.add_column("FCR", key="fcr")
        if self._wide:
            table.add_column("Length", key="length")

    def _store_changed(self, change: StoreChanged) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.query_one(DataTable).focus()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.load()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Filter by behaviour", "Show only the calls with one behaviour (f)", self.action_focus_filter)
        yield SystemCommand("Filter met or missed", "Show only the calls where it was met, or missed", self.action_focus_outcome)
        yield SystemCommand(
            "Only calls not seen" if not self.unseen_only else "Every call, seen or not",
            "The calls you have not marked seen, newest first (n)", self.action_toggle_unseen,
        )
        yield SystemCommand("Clear filters", "Every scored call again (x)", self.action_clear_filters)
        yield SystemCommand("Open the highlighted call", "Behaviour by behaviour, with each miss's moment (Enter)", self.action_open_highlighted)

    def action_focus_outcome(self) -> None:
        self.query_one("#outcome-filter", Select).focus()

    def action_open_highlighted(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.action_select_cursor()

    def action_focus_filter(self) -> None:
        self.query_one("#behaviour-filter", Select).focus()

    def action_clear_filters(self) -> None:
        self.unseen_only = False
        self.query_one("#behaviour-filter", Select).clear()
        self.query_one("#outcome-filter", Select).clear()
        self.load()

    def action_toggle_unseen(self) -> None:
        self.unseen_only = not self.unseen_only
        self.load()

    def load(self) -> None:
        """Reload the list with the filters as they stand."""
        agent_id = self.agent_id
        if agent_id is not None:
            behaviour = self.query_one("#behaviour-filter", Select).selection
            outcome = self.query_one("#outcome-filter", Select).selection
            self._load(self.next_load(), agent_id, behaviour, outcome)
        else:
            self.next_load()
            self._show_empty(agent_chosen=False)

    @work(thread=True, exclusive=True, group="scorecards", exit_on_error=False)
    def _load(self, generation: int, agent_id: str, behaviour: str | None, outcome: Outcome | None) -> None:
        """Read the filtered list off the event loop, then show it."""
        page = queries.scorecard_page(
            self.engine, agent_id=agent_id, criterion_key=behaviour, outcome=outcome
        )
        self.deliver(
            generation, self.show, page, filtered=behaviour is not None or outcome is not None or self.unseen_only,
            by_behaviour=behaviour is not None,
        )

    def show(self, page: ScorecardPageView, *, filtered: bool, by_behaviour: bool = False) -> None:
        table = self.query_one(DataTable)
        empty = self.query_one("#scorecards-empty", Static)
        keys = tuple(c.key for c in page.behaviours)
        if keys != self._behaviours_shown:
            self._behaviours_shown = keys
            self.query_one("#behaviour-filter", Select).set_options(
                [(Content(literal(c.name)), c.key) for c in page.behaviours]
            )
        if page.total == 0 and not filtered:
            self._show_empty(agent_chosen=True)
            return
        empty.display = False
        table.display = self.query_one("#filters").display = True
        selected = table.cursor_row
        self._set_columns(by_behaviour=by_behaviour)
        table.clear()
        # Not seen yet: marked on each row, and on its own (newest first, as the list is) with n.
        unseen = sum(not row.seen for row in page.rows)
        rows = [row for row in page.rows if not row.seen] if self.unseen_only else page.rows
        for row in rows:
            score = "no score" if row.score is None else f"{row.score:.0%}"
            behaviours = f"{score:>4}  ✓{row.met} ✗{row.missed}"
            if row.critical_missed:
                behaviours += "  ⚠ critical"
            outcome = page.outcomes.get(row.call_id)
            length = [Text(call_time(row.duration_s) or "–", justify="right")] if self._wide else []
            table.add_row(
                when(row.occurred_at),
                Text.assemble((f"{NOT_SEEN} " if not row.seen else "  ", "bold"), literal(row.call_id)),
                (f"{SYMBOL[outcome]} {WORD[outcome]}" if outcome else "– n/a") if by_behaviour else row.channel,
                Text(behaviours, style="bold" if row.critical_missed else ""),
                "–" if row.csat is None else f"{row.csat}/5",
                "–" if row.first_contact_resolution is None else ("✓ yes" if row.first_contact_resolution else "✗ no"),
                *length,
                key=row.call_id,
            )
        shown = f"{len(page.rows):,} of {page.total:,} calls" if len(page.rows) < page.total else f"{page.total:,} calls"
        if self.unseen_only:
            newest = f" of the newest {len(page.rows):,}" if len(page.rows) < page.total else ""
            shown = f"{NOT_SEEN} {unseen:,} not seen{newest}" if unseen else f"✓ every call seen{newest}"
        elif unseen:
            shown += f" match · {NOT_SEEN} {unseen:,} not seen" if filtered else f" · {NOT_SEEN} {unseen:,} not seen"
        elif filtered:
            shown += " match"
        self.query_one("#count", Static).update(Content(shown))
        if rows:
            table.move_cursor(row=min(selected, len(rows) - 1))

    def _show_empty(self, *, agent_chosen: bool) -> None:
        self.query_one(DataTable).display = self.query_one("#filters").display = False
        empty = self.query_one("#scorecards-empty", Static)
        empty.display = True
        empty.update(Content(empty_screen(EMPTY, agent_chosen=agent_chosen)))

    @on(DataTable.RowSelected)
    def open_evaluation(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(EvaluationScreen(event.row_key.value))
