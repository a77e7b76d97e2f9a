"""The team's wallboard: the fair leaderboard in large type, for a TV across the room.

It rotates through the metrics every few seconds, refreshes as evaluations
arrive, and celebrates a mastered goal or a new badge with a banner. Nobody
is named against their will: agents who opted out are "Anonymous" here.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache

from rich.cells import cell_len
from rich.text import Text
from sqlalchemy import Engine
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Digits, Static

from nextcall.store import leaderboard as boards
from nextcall.store import queries
from nextcall.store.leaderboard import CelebrationView, LeaderboardRowView, LeaderboardView, Metric, Movement, Period

from .screens.leaderboard import ordinal
from .text import literal, movement

ROW_HEIGHT = 3
"""Each top place is three lines tall: rank and value in large digits, the name beside them."""

BANNER_SECONDS = 8.0
"""How long a celebration holds the whole board."""

BIG_PLACES = 3
"""Places up to this one are drawn in large digits; the rest of the board is one line a place."""

BIG_NAMES_FROM = 160
"""Columns from which names are drawn in large letters too (a TV's terminal); below, in bold."""

FIXED_WIDTH = 4 + 7 + 12 + 4 + 7
"""The board's padding, rank, value, unit and movement: the rest of a row is the name's."""


@cache
def _font() -> object | None:
    """The block font names are drawn in, three rows tall like the digits; None without pyfiglet."""
    try:
        import pyfiglet
    except ImportError:
        return None
    return pyfiglet.Figlet(font="future", width=1000)


def block_letters(name: str) -> str | None:
    """A name in letters three rows tall, or None when the font cannot spell it exactly as written.

    A name is never respelled to fit the font (no accent dropped, García stays García): a name
    with a letter the font lacks, or in another script, stays in bold type.
    """
    figlet = _font()
    if figlet is None:
        return None
    chars = figlet.Font.chars  # type: ignore[attr-defined]
    spelled = []
    for char in name:
        if ord(char) not in chars or not (char.isalnum() or char in " '-."):
            return None
        spelled.append(char)
    art = figlet.renderText("".join(spelled))  # type: ignore[attr-defined]
    lines = [line.rstrip() for line in art.splitlines()][:ROW_HEIGHT]
    return "\n".join(lines) if len(lines) == ROW_HEIGHT else None


def big_names(names: list[str], width: int) -> dict[str, str] | None:
    """Every name in large letters when the width allows all of them, else None: all the same size, or none."""
    if width < BIG_NAMES_FROM:
        return None
    room = width - FIXED_WIDTH
    drawn = {}
    for name in names:
        art = block_letters(name)
        if art is None or max(len(line) for line in art.splitlines()) > room:
            return None
        drawn[name] = art
    return drawn


def big_value(row: LeaderboardRowView) -> tuple[str, str]:
    """A row's value split into large digits and a small unit (Digits draws no % or letters)."""
    if row.value is None:
        return "", ""
    match row.metric:
        case Metric.quality:
            return f"{row.value * 100:.0f}", "%"
        case Metric.improved | Metric.goal:
            points = round(row.value * 100)
            return (f"{points:+d}" if points else "0"), "pts"
        case Metric.points:
            return f"{row.value:.0f}", "pts"


MOVE_CLASS = {Movement.up: "-up", Movement.down: "-down", Movement.same: "-same", Movement.new: "-new"}


class BoardRow(Horizontal):
    """One of the top places: big rank, big value, then movement and the name right beside it."""

    def __init__(self, row: LeaderboardRowView, *, art: str | None = None) -> None:
        """
        Args:
            row: the place.
            art: the name in large letters, when the board has room for every name so.
        """
        super().__init__(classes="board-row")
        self.row = row
        self.art = art

    def compose(self) -> ComposeResult:
        row = self.row
        value, unit = big_value(row)
        yield Digits(str(row.rank), classes="board-rank")
        yield Digits(value, classes="board-value")
        yield Static(unit, classes="board-unit")
        move = Static(movement(row, gap=" ") + ("\n(tie)" if row.shares_rank else ""), classes="board-move")
        move.add_class(MOVE_CLASS.get(row.movement, "-same"))
        yield move
        name = Static(Text(self.art if self.art is not None else literal(row.name)), classes="board-name")
        name.set_class(self.art is not None, "-large")
        name.tooltip = row.name
        yield name


class LineRow(Horizontal):
    """A place below the top ones: rank, value, movement and name on one line of normal type."""

    def __init__(self, row: LeaderboardRowView) -> None:
        super().__init__(classes="line-row")
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        value, unit = big_value(row)
        yield Static(f"={row.rank}" if row.shares_rank else str(row.rank), classes="line-rank")
        yield Static(value, classes="line-value")
        yield Static(unit, classes="line-unit")
        move = Static(movement(row, gap=" "), classes="line-move")
        move.add_class(MOVE_CLASS.get(row.movement, "-same"))
        yield move
        yield Static(Text(literal(row.name)), classes="line-name")


def names_that_fit(names: list[str], room: int) -> str:
    """As many whole names as fit in `room` cells, the rest counted: "Camille Dubois, Daniel Mensah and 6 more".

    A name is never cut: across a room half a name reads as someone else's."""
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = ", ".join(names[:shown]) + (f" and {rest} more" if rest else "")
        if cell_len(text) <= room:
            return text
    return ""


class NameList(Static):
    """Names on one line, each whole, as many as the width allows, after an optional bold lead-in."""

    def __init__(self, names: list[str], *, lead: str = "", classes: str = "") -> None:
        super().__init__(classes=classes)
        self.names = [literal(name) for name in names]
        self.lead = lead

    def render(self) -> Text:
        room = self.content_size.width - cell_len(self.lead)
        return Text.assemble((self.lead, "bold"), names_that_fit(self.names, room), no_wrap=True)


class SharedLine(Horizontal):
    """A crowded place below the top ones, on one line: how many share it, then their names."""

    def __init__(self, rows: list[LeaderboardRowView]) -> None:
        super().__init__(classes="line-row line-shared")
        self.rows = rows

    def compose(self) -> ComposeResult:
        first = self.rows[0]
        value, unit = big_value(first)
        yield Static(f"={first.rank}", classes="line-rank")
        yield Static(value, classes="line-value")
        yield Static(unit, classes="line-unit")
        yield Static("", classes="line-move -same")
        yield NameList(
            [row.name for row in self.rows], lead=f"{len(self.rows)} agents share {ordinal(first.rank)}: ", classes="line-name"
        )


class SharedPlace(Horizontal):
    """A place shared by more agents than there is room for: one line that counts them, names in small type."""

    def __init__(self, rows: list[LeaderboardRowView]) -> None:
        super().__init__(classes="board-row board-shared")
        self.rows = rows

    def compose(self) -> ComposeResult:
        first = self.rows[0]
        value, unit = big_value(first)
        yield Digits(str(first.rank), classes="board-rank")
        yield Digits(value, classes="board-value")
        yield Static(unit, classes="board-unit")
        yield Static("", classes="board-move -same")
        with Vertical(classes="board-name"):
            yield Static(f"{len(self.rows)} agents share {ordinal(first.rank)}", classes="shared-count")
            yield NameList([row.name for row in self.rows], classes="shared-names")


MAX_TIE_ROWS = 3
"""A place shared by more agents than this gets one line that counts them."""


def fit_places(ranked: list[LeaderboardRowView], slots: int) -> tuple[list[LeaderboardRowView], list[LeaderboardRowView]]:
    """The rows to show whole in `slots` rows, and a place too big to fit that gets one summary row (or none).

    Never half of a tie: a place is shown whole, or, when at least one slot is left, as one
    line that says how many share it; so is a place shared by more than MAX_TIE_ROWS agents.
    Whatever follows is counted, not shown.
    """
    shown: list[LeaderboardRowView] = []
    places: list[list[LeaderboardRowView]] = []
    for row in ranked:
        if places and places[-1][0].rank == row.rank:
            places[-1].append(row)
        else:
            places.append([row])
    for place in places:
        left = slots - len(shown)
        if len(place) > MAX_TIE_ROWS and left >= 1:
            # A crowd on one place reads better as one line than as a wall of equal digits.
            return shown, place
        if len(place) <= left:
            shown.extend(place)
            continue
        return shown, (place if left >= 1 and len(place) > 1 else [])
    return shown, []


class Banner(Static):
    """A celebration that holds the whole board for a few seconds."""


class WallboardApp(App[None]):
    """A live, fair leaderboard of the team for a wall screen."""

    CSS_PATH = "wallboard.tcss"
    TITLE = "nextcall wallboard"

    BINDINGS = [
        Binding("m,space,right", "rotate", "Metric", id="metric"),
        Binding("p", "next_period", "Period", id="period"),
        Binding("t", "next_team", "Team", id="team"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    metric: reactive[Metric] = reactive(Metric.quality, init=False)

    def __init__(
        self,
        *,
        engine: Engine,
        team_id: str | None,
        period: Period = Period.last_7_days,
        rotate_seconds: float = 15.0,
        poll_seconds: float = 2.0,
        zone: tzinfo | None = None,
        min_calls: int = boards.DEFAULT_MIN_CALLS,
        top: int | None = None,
        banner_seconds: float = BANNER_SECONDS,
    ) -> None:
        """
        Args:
            engine: the store, already migrated.
            team_id: whose board; None shows everyone.
            period: which calls count.
            rotate_seconds: how long each metric stays up (0 keeps one metric).
            poll_seconds: how often to look for new evaluations and celebrations.
            zone: where periods start at midnight.
            min_calls: calls in the period before an agent is ranked.
            top: show at most this many places (None: as many as fit).
            banner_seconds: how long a celebration holds the board.
        """
        super().__init__()
        self.engine = engine
        self.team_id = team_id
        self.period = period
        self.rotate_seconds = rotate_seconds
        self.poll_seconds = poll_seconds
        self.zone: tzinfo = zone or datetime.now().astimezone().tzinfo or UTC
        self.min_calls = min_calls
        self.top = top
        self.banner_seconds = banner_seconds
        self.view: LeaderboardView | None = None
        self._import_marker: tuple[datetime | None, int] | None = None
        self._celebration_marker: tuple[int, int] | None = None
        self._banner_timer = None
        self._generation = 0
        self._height: int | None = None
        self._width: int | None = None

    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        with Vertical(id="wall"):
            yield Static(id="wall-title")
            yield Static(id="wall-caption")
            yield Vertical(id="wall-rows")
            yield Static(id="wall-empty")
            yield Static(id="wall-unranked")
        yield Static(id="wall-next")

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.refresh_board()
        self._poll()
        if self.rotate_seconds > 0:
            self.set_interval(self.rotate_seconds, self.action_rotate)

    def on_resize(self, event: events.Resize) -> None:
        # The app records its new size after this handler: lay out for the size in the event.
        self._height, self._width = event.size.height, event.size.width
        if self.view is not None:
            self._show(self._generation, self.view)

    # -------------------------------------------------------------- actions

    def action_rotate(self) -> None:
        self.metric = self.metric.next()

    def action_next_period(self) -> None:
        self.period = self.period.next()
        self.refresh_board()

    def action_next_team(self) -> None:
        self._next_team(self.team_id)

    @work(thread=True, exclusive=True, group="team", exit_on_error=False)
    def _next_team(self, current: str | None) -> None:
        # Everyone, then each team in turn, then everyone again.
        order: list[str | None] = [None, *(team.id for team in boards.teams(self.engine))]
        following = order[(order.index(current) + 1) % len(order)] if current in order else None
        self.call_from_thread(self._show_team, following)

    def _show_team(self, team_id: str | None) -> None:
        self.team_id = team_id
        self.refresh_board()

    def watch_metric(self) -> None:
        self.refresh_board()

    # ------------------------------------------------------------- loading

    def refresh_board(self) -> None:
        self._generation += 1
        self._load(self._generation, self.metric, self.period, self.team_id)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _load(self, generation: int, metric: Metric, period: Period, team_id: str | None) -> None:
        view = boards.leaderboard(
            self.engine,
            metric=metric,
            period=period,
            team_id=team_id,
            viewer_id=None,
            zone=self.zone,
            min_calls=self.min_calls,
        )
        self.call_from_thread(self._show, generation, view)

    def _show(self, generation: int, view: LeaderboardView) -> None:
        if generation != self._generation:
            return
        self.view = view
        height = self._height or self.size.height
        width = self._width or self.size.width
        caption = f"{view.metric.explanation[0].upper()}{view.metric.explanation[1:]}; ties share a place."
        self.query_one("#wall-title", Static).update(
            Content(f"{literal(view.scope)} · {view.metric.label} · {view.period.label}")
        )
        self.query_one("#wall-caption", Static).update(Content(caption))
        lines = self._lines(height, width, caption)
        limit = len(view.ranked) if self.top is None else self.top
        # The top places in large digits; never the last place as a spectacle, unless all share the first.
        lowest = view.ranked[-1].rank if view.ranked else None
        top = [row for row in view.ranked if row.rank is not None and row.rank <= BIG_PLACES and (row.rank == 1 or row.rank != lowest)]
        big, big_shared = fit_places(top, min(lines // ROW_HEIGHT, limit))
        on_board = len(big) + len(big_shared)
        small: list[LeaderboardRowView] = []
        small_shared: list[LeaderboardRowView] = []
        if on_board == len(top):
            used = ROW_HEIGHT * (len(big) + (1 if big_shared else 0))
            small, small_shared = fit_places(view.ranked[len(top) :], min(lines - used, limit - on_board))
        art = big_names([row.name for row in [*big, *big_shared]], width) if not big_shared else None
        rows = self.query_one("#wall-rows", Vertical)
        rows.remove_children()
        rows.mount_all(
            [
                *(BoardRow(row, art=art and art.get(row.name)) for row in big),
                *([SharedPlace(big_shared)] if big_shared else []),
                *(LineRow(row) for row in small),
                *([SharedLine(small_shared)] if small_shared else []),
            ]
        )
        shown, shared = [*big, *small], [*big_shared, *small_shared]
        empty = self.query_one("#wall-empty", Static)
        empty.display = not view.ranked
        empty.update(Content(view.why_nobody_is_ranked))
        unranked = self.query_one("#wall-unranked", Static)
        hidden = len(view.ranked) - len(shown) - len(shared)
        parts = []
        if hidden > 0:
            parts.append(f"and {hidden} more working on it")
        if view.unranked and view.ranked:
            parts.append(f"{len(view.unranked)} not ranked yet")
            # Why, when it fits on the line: the line is one row, and a sentence cut off reads as a fault.
            why = f" ({view.unranked_summary})"
            if cell_len(" · ".join(parts) + why) <= width - 4:
                parts[-1] += why
        unranked.update(Content(" · ".join(parts)))
        unranked.display = bool(parts)
        following = view.metric.next().label if self.rotate_seconds > 0 else None
        self.query_one("#wall-next", Static).update(
            Content(f"Next up: {following}  ·  m: metric" if following else "m: next metric")
            + Content("  ·  p: period  ·  t: team  ·  q: quit")
        )

    def _lines(self, height: int, width: int, caption: str) -> int:
        """How many lines the places have under the title and the caption, above the last lines."""
        text_width = max(width - 4, 1)
        caption_lines = max(-(-len(caption) // text_width), 1)
        chrome = 1 + 1 + caption_lines + 1 + 1 + 1  # top margin, title, caption, gap, more line, keys
        return max(height - chrome, ROW_HEIGHT)

    # ------------------------------------------------------- news from store

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self) -> None:
        try:
            marker = queries.import_marker(self.engine)
            celebrations = boards.celebration_marker(self.engine)
            found: list[CelebrationView] = []
            if self._celebration_marker is not None and celebrations != self._celebration_marker:
                found = boards.celebrations_since(self.engine, marker=self._celebration_marker, team_id=self.team_id)
            changed = self._import_marker is not None and marker != self._import_marker
            self._import_marker, self._celebration_marker = marker, celebrations
            if changed or found:
                self.call_from_thread(self.refresh_board)
            if found:
                self.call_from_thread(self.celebrate, found)
        finally:
            if self.is_running:
                self.call_from_thread(self.set_timer, self.poll_seconds, self._poll)

    def celebrate(self, found: list[CelebrationView]) -> None:
        """Give the newest news the whole board for a few seconds, each with its badge's own icon."""
        text = Text(justify="center")
        for n, celebration in enumerate(found[-3:]):
            icons = "   ".join([celebration.icon] * 5)
            text.append(("\n\n" if n else "") + f"{icons}\n\n", style="bold")
            text.append(literal(celebration.name), style="bold reverse")
            text.append(f"\n{celebration.headline}!\n\n")
            text.append(icons, style="bold")
        if len(found) > 3:
            text.append(f"\n\n…and {len(found) - 3} more to celebrate")
        banner = self.query_one("#banner", Banner)
        banner.update(text)
        banner.display = True
        self.query_one("#wall").display = False
        if self._banner_timer is not None:
            self._banner_timer.stop()
        self._banner_timer = self.set_timer(self.banner_seconds, self._hide_banner)

    def _hide_banner(self) -> None:
        self._banner_timer = None
        self.query_one("#banner").display = False
        self.query_one("#wall").display = True
