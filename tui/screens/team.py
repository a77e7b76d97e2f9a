"""Team: a lead's screen, one row per agent, the one most in need of attention first.

Each row: what needs attention first, the goal and how it went since its start
and since the last session, the last and next session, whether the
self-assessment for the next one is in, a check-in due, open disputes. The
highlighted agent's row is said in full below the table. Enter opens their
brief; p plans a session with them, n notes the last one.

At 80 columns the table holds what to do first and the next session, the rest
is below it; at 160 every column is in the table, and below the agent in full
are their two "did it work?" tables: since the goal's start, since the last session.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Header, Static

from nextcall.store import queries
from nextcall.store.clock import local_time
from nextcall.store.rules import check_in_when, plural, too_few_calls
from nextcall.store.views import EffectivenessView, SessionView, TeamRowView, TeamScreenView

from ..text import DATA_COMES_IN, day, literal, when
from ..widgets.effect import GoalEffect, percent
from .base import SteadyFooter
from .brief import NOTE, PLAN, BriefScreen, SessionKeys

ON_TRACK = 9
"""The attention rank of an agent with nothing that needs the lead first (`rules.attention`)."""

WIDE = 120
"""From this many columns, every column is in the table."""

EMPTY = (
    "No agents here yet.\n\n"
    "Here a team lead sees one row per agent, the one who needs attention first at the top: their goal and "
    "how it went since it started and since the last session, the last and next coaching session, whether the "
    f"self-assessment is in, check-ins due and open disputes.\n\n{DATA_COMES_IN}"
)


def effect_words(effect: EffectivenessView | None, *, short: bool = False) -> str:
    """Before → since on the behaviour, under the one sample rule ("too few" in a table cell)."""
    if effect is None:
        return "–"
    before, after = effect.before, effect.after
    if not effect.enough:
        return "too few" if short else too_few_calls(min(before.applicable, after.applicable), effect.min_sample)
    moved = f"{percent(before.pass_rate)}→{percent(after.pass_rate)}"
    return moved if short else f"{percent(before.pass_rate)} → {percent(after.pass_rate)} ({after.met} of {after.applicable} since)"


def attention_fact(row: TeamRowView) -> str:
    """The attention sentence's fact, without the advice after its colon (the table's cell)."""
    return row.attention.split(": ", 1)[0]


def mark(row: TeamRowView) -> Content:
    """Colour never alone: ✓ on track, ! something first."""
    return Content.styled("✓", "$text-success") if row.attention_rank >= ON_TRACK else Content.styled("!", "bold $text-warning")


def self_assessed_words(row: TeamRowView) -> str:
    if row.next_session is None:
        return "–"
    return "✓ in" if row.self_assessed else "✗ not yet"


def check_in_words(row: TeamRowView) -> str:
    held = row.last_session
    if held is None or held.follow_up_on is None:
        return "–"
    if row.check_in is not None:
        return f"due {held.follow_up_on:%d %b}"
    return f"on {held.follow_up_on:%d %b}"


def session_day(session: SessionView | None) -> str:
    return "–" if session is None else when(session.scheduled_at).rsplit(" ", 1)[0]


COLUMNS: list[tuple[str, str, int, int]] = [
    # key, label, width at 80 columns (0: not shown there), width from 120
    ("mark", "", 1, 1),
    ("agent", "Agent", 16, 16),
    ("first", "First", 38, 30),
    ("next", "Next 1:1", 10, 10),
    ("goal", "Goal", 0, 16),
    ("start", "Since goal", 0, 10),
    ("since", "Since 1:1", 0, 10),
    ("last", "Last 1:1", 0, 10),
    ("assessed", "Self-assess", 0, 11),
    ("check-in", "Check-in", 0, 10),
    ("disputes", "Disputes", 0, 8),
]
"""Fixed widths: the table is filled again on every change and must not jump about, nor scroll sideways."""


def clip(text: str, width: int) -> str:
    """Text cut to a column's width, with … where it was cut (the row in full is below the table)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def widths(wide: bool) -> dict[str, int]:
    """Each shown column's width."""
    return {key: wide_width if wide else narrow for key, _, narrow, wide_width in COLUMNS if (wide_width if wide else narrow)}


class TeamScreen(SessionKeys):
    """Who needs the lead's attention first, and the sessions around each agent."""

    TITLE = "Team"
    BINDINGS = [
        # Above the table's own Enter, so the footer offers it: it opens the brief of the row under the cursor.
        Binding("enter", "open_brief", "Brief", tooltip="The agent's brief for a 1:1", id="open-brief", priority=True),
        PLAN,
        NOTE,
    ]

    view: TeamScreenView | None = None
    wide = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="team-empty", classes="empty")
        yield DataTable(id="team-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="team-detail", classes="card"):
            yield Static(id="team-detail-text")
        with Horizontal(id="team-effects"):
            with Vertical(id="team-since-goal", classes="card"):
                yield GoalEffect()
            with Vertical(id="team-since-session", classes="card"):
                yield GoalEffect()
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#team-empty").display = False
        self.query_one("#team-detail").display = False
        self.query_one("#team-effects").display = False
        self.query_one("#team-since-goal").border_title = "Did it work? Before the goal and since"
        self._fit(self.size.width)
        self.nextcall.store_changed.subscribe(self, lambda _change: self.load())
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        if self._fit(event.size.width) and self.view is not None:
            self.show(self.view)

    def _fit(self, width: int) -> bool:
        """Every column from 120 wide; returns whether that changed."""
        wide = width >= WIDE
        changed = wide != self.wide or not self.query_one(DataTable).columns
        self.wide = wide
        if changed:
            table = self.query_one(DataTable)
            table.set_class(wide, "-wide")
            table.clear(columns=True)
            shown = widths(wide)
            for key, label, _, _ in COLUMNS:
                if key in shown:
                    table.add_column(label, width=shown[key], key=key)
        return changed

    # ------------------------------------------------------------------ load

    def load(self) -> None:
        self._load(self.next_load())

    @work(thread=True, exclusive=True, group="team", exit_on_error=False)
    def _load(self, generation: int) -> None:
        from nextcall.store import team

        view = team.team_view(self.engine, team_id=self.nextcall.team_id, now=queries.utc_now(), zone=self.nextcall.zone)
        self.deliver(generation, self.show, view)

    def show(self, view: TeamScreenView) -> None:
        self.view = view
        self.sub_title = literal(view.team_name or view.team_id or "Everyone")
        table = self.query_one(DataTable)
        empty = self.query_one("#team-empty", Static)
        empty.display = not view.rows
        table.display = bool(view.rows)
        if not view.rows:
            empty.update(Content(EMPTY))
            self.query_one("#team-detail").display = False
            self.query_one("#team-effects").display = False
            return
        chosen = self.chosen
        table.clear()
        for row in view.rows:
            table.add_row(*self._cells(row), key=row.agent_id)
        # The cursor stays on the agent it was on, wherever the new order put them.
        at = next((i for i, row in enumerate(view.rows) if chosen is not None and row.agent_id == chosen.agent_id), 0)
        table.move_cursor(row=at, animate=False)
        self._show_detail(view.rows[at])

    def _cells(self, row: TeamRowView) -> list[object]:
        shown = widths(self.wide)
        cells: dict[str, object] = {
            "mark": mark(row),
            "agent": Content(clip(literal(row.name), shown["agent"])),
            "first": Content(clip(literal(attention_fact(row)), shown["first"])),
            "next": session_day(row.next_session),
        }
        if self.wide:
            cells |= {
                "goal": Content(clip(literal(row.goal.criterion.name), shown["goal"])) if row.goal is not None else "–",
                "start": effect_words(row.goal.effectiveness, short=True) if row.goal is not None else "–",
                "since": effect_words(row.since_session, short=True),
                "last": session_day(row.last_session),
                "assessed": self_assessed_words(row),
                "check-in": check_in_words(row),
                "disputes": str(row.open_disputes) if row.open_disputes else "–",
            }
        return [cells[key] for key, _, _, _ in COLUMNS if key in shown]

    @property
    def chosen(self) -> TeamRowView | None:
        """The agent under the cursor."""
        if self.view is None or not self.view.rows:
            return None
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return self.view.rows[min(table.cursor_row, len(self.view.rows) - 1)]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.view is not None and 0 <= event.cursor_row < len(self.view.rows):
            self._show_detail(self.view.rows[event.cursor_row])

    # ---------------------------------------------------------------- detail

    def _show_detail(self, row: TeamRowView) -> None:
        """The highlighted agent in full: what needs attention first, then the goal, the sessions and disputes."""
        card = self.query_one("#team-detail")
        card.display = True
        card.border_title = Content.assemble((literal(row.name), "bold"), f" · {literal(row.agent_id)}")
        card.border_subtitle = "Enter: brief · p: plan · n: note"
        lines: list[Content] = [
            Content.assemble(mark(row), " ", ("First: ", "bold"), literal(row.attention)),
        ]
        goal = row.goal
        if goal is None:
            lines.append(Content.assemble(("Goal: ", "bold"), "none yet."))
        else:
            status = "mastered" if goal.status == "mastered" else f"met on {goal.met_in_window} of the last {goal.in_window}"
            lines.append(Content.assemble(
                ("Goal: ", "bold"), literal(goal.criterion.name), f" since {day(goal.started_at)}: {status} · since its start ",
                effect_words(goal.effectiveness),
            ))
        held = row.last_session
        if held is None:
            lines.append(Content.assemble(("Last session: ", "bold"), "none yet."))
        else:
            lines.append(Content.assemble(
                ("Last session: ", "bold"), f"{when(held.scheduled_at)} with {literal(held.coach)} · ", self._agreement(held),
            ))
            if row.since_session is not None:
                lines.append(Content.assemble(("Since it: ", "bold"), effect_words(row.since_session)))
            if held.follow_up_on is not None:
                today = local_time(self.view.now, self.nextcall.zone).day if self.view is not None else None
                lines.append(Content.assemble(("Check-in: ", "bold"), check_in_when(held.follow_up_on, today)))
        following = row.next_session
        if following is None:
            lines.append(Content.assemble(("Next session: ", "bold"), "none planned (p plans one)."))
        else:
            assessed = ("✓ self-assessment in", "$text-success") if row.self_assessed else ("✗ no self-assessment yet", "")
            lines.append(Content.assemble(
                ("Next session: ", "bold"), f"{when(following.scheduled_at)} with {literal(following.coach)} · ", assessed,
            ))
        if row.open_disputes:
            lines.append(Content.assemble(("Disputes: ", "bold"), f"{plural(row.open_disputes, 'dispute')} open with QA."))
        self.query_one("#team-detail-text", Static).update(Content("\n").join(lines))
        self._show_effects(row)

    def _show_effects(self, row: TeamRowView) -> None:
        """On a wide terminal, the goal's and the last session's before-and-since, as the agent's Goal screen shows them."""
        since_goal, since_session = self.query_one("#team-since-goal"), self.query_one("#team-since-session")
        since_goal.display = self.wide and row.goal is not None
        since_session.display = self.wide and row.since_session is not None and row.last_session is not None
        self.query_one("#team-effects").display = since_goal.display or since_session.display
        if since_goal.display and row.goal is not None:
            since_goal.query_one(GoalEffect).show(row.goal.effectiveness)
        if since_session.display and row.since_session is not None and row.last_session is not None:
            since_session.border_title = f"Did it work? Before the session on {day(row.last_session.scheduled_at)} and since"
            since_session.query_one(GoalEffect).show(row.since_session)

    @staticmethod
    def _agreement(held: SessionView) -> Content:
        if not held.agreed:
            return Content("nothing noted as agreed yet (n notes it).")
        said = Content.assemble("agreed “", literal(held.will_do), "” · ")
        if held.confirmed_at is not None:
            return Content.assemble(said, ("✓ confirmed", "$text-success"))
        if held.heard_differently is not None:
            return Content.assemble(said, ("≠ heard differently: ", "bold"), "“", literal(held.heard_differently), "”")
        return Content.assemble(said, "? not confirmed yet")

    # --------------------------------------------------------------- actions

    def palette_commands(self) -> Iterable[SystemCommand]:
        row = self.chosen
        if row is None:
            return
        name = literal(row.name)
        yield SystemCommand(f"Brief: {name}", "Their self-assessment beside the measured picture (Enter)", self.action_open_brief)
        yield SystemCommand(f"Plan a session with {name}", "A coaching session (p)", self.action_plan_session)
        yield SystemCommand(f"Note {name}'s last session", "What was agreed, and when to check in (n)", self.action_note_session)

    @on(DataTable.RowSelected)
    def action_open_brief(self) -> None:
        row = self.chosen
        if row is not None:
            self.app.push_screen(BriefScreen(row.agent_id, row.name))

    def action_plan_session(self) -> None:
        row = self.chosen
        if row is None:
            self.app.notify("No agent here yet to plan a session with.", title="Coaching session", markup=False)
            return
        coach = next((s.coach for s in (row.last_session, row.next_session) if s is not None), "")
        self.plan_session(row.agent_id, row.name, coach=coach)

    def action_note_session(self) -> None:
        row = self.chosen
        if row is None:
            self.app.notify("No agent here yet whose session to note.", title="Coaching session", markup=False)
            return
        self.note_session(row.agent_id, row.name, row.last_session)
