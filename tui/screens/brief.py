"""An agent's brief for the lead, in the app: the `nextcall prep` Markdown, with keys to plan or note a session.

The Team screen opens it with Enter. The brief is written by the store
(`prep.prep_brief`), text from data already escaped as literal Markdown; this
screen only shows it, and reads it again when the store changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Markdown

from nextcall.store import queries
from nextcall.store.errors import NextcallError
from nextcall.store.views import SessionView

from ..messages import StoreChanged
from ..text import literal, when
from .base import SteadyFooter, StoreScreen

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..dialogs.session import NoteRequest, PlanRequest

PLAN = Binding("p", "plan_session", "Plan session", tooltip="Add a coaching session with this agent", id="plan-session")
NOTE = Binding("n", "note_session", "Note session", tooltip="Note what was agreed in the last session", id="note-session")


class SessionKeys(StoreScreen):
    """Planning a session (p) and noting the last one (n) for an agent: the Team screen and the brief share them."""

    def plan_session(self, agent_id: str, name: str, *, coach: str = "") -> None:
        """Ask when and with whom, then plan it."""
        from ..dialogs.session import PlanSessionDialog

        def planned(request: PlanRequest | None) -> None:
            if request is None:
                return
            self._write_session(agent_id, "Planned: it shows on their Home, where they write their self-assessment for it.",
                                partial(_add, self.engine, agent_id, request))

        self.app.push_screen(PlanSessionDialog(name, coach=coach, zone=self.nextcall.zone), planned)

    def note_session(self, agent_id: str, name: str, held: SessionView | None) -> None:
        """Ask what was agreed in the last session that happened, then note it."""
        if held is None:
            self.app.notify(
                f"{literal(name)} has no session that has happened yet to note: p plans one.", title="Coaching", markup=False,
            )
            return
        from ..dialogs.session import NoteSessionDialog

        def noted(request: NoteRequest | None) -> None:
            if request is None:
                return
            self._write_session(agent_id, "Noted: they see it on their Home, to confirm it.",
                                partial(_note, self.engine, held.id, request))

        self.app.push_screen(
            NoteSessionDialog(
                name, when(held.scheduled_at), behaviour=held.behaviour, will_do=held.will_do, notes=held.notes,
                follow_up_on=held.follow_up_on,
            ),
            noted,
        )

    @work(thread=True, exclusive=True, group="session-write", exit_on_error=False)
    def _write_session(self, agent_id: str, done: str, command: Callable[[], object]) -> None:
        """Run a session command off the event loop; on success every screen reloads."""
        try:
            command()
        except NextcallError as error:
            self.app.call_from_thread(self.app.notify, error.message, title="Coaching session", severity="warning", markup=False)
            return
        self.app.call_from_thread(self.app.notify, done, title="Coaching session", markup=False)
        self.app.call_from_thread(self.nextcall.store_changed.publish, StoreChanged(agent_id))


def _add(engine: Engine, agent_id: str, request: PlanRequest) -> None:
    from nextcall.store import sessions

    sessions.add_session(
        engine, agent_id=agent_id, coach=request.coach, at=request.at, follow_up_on=request.follow_up_on, now=queries.utc_now(),
    )


def _note(engine: Engine, session_id: str, request: NoteRequest) -> None:
    from nextcall.store import sessions

    sessions.note_session(
        engine, session_id=session_id, will_do=request.will_do, notes=request.notes, follow_up_on=request.follow_up_on,
        now=queries.utc_now(),
    )


class BriefScreen(SessionKeys):
    """One agent's brief before (or after) a 1:1, as Markdown."""

    TITLE = "Brief"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the team"),
        PLAN,
        NOTE,
    ]

    def __init__(self, agent_id: str, name: str) -> None:
        """
        Args:
            agent_id: whose brief.
            name: their name, for the title and the dialogs (shown literally).
        """
        super().__init__()
        self.agent_id_shown = agent_id
        self.name_shown = name
        self.brief: str | None = None
        """The Markdown shown."""
        self.sessions: list[SessionView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="brief-body"):
            yield Markdown(id="brief")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = literal(self.name_shown)
        self.query_one("#brief-body").loading = True
        self.nextcall.store_changed.subscribe(self, self._store_changed)
        self.load()

    def _store_changed(self, change: StoreChanged) -> None:
        if change.agent_id in (None, self.agent_id_shown) or change.call_ids:
            self.load()

    def load(self) -> None:
        self._load(self.next_load(), self.agent_id_shown)

    @work(thread=True, exclusive=True, group="brief", exit_on_error=False)
    def _load(self, generation: int, agent_id: str) -> None:
        from nextcall.store import prep, sessions

        now = queries.utc_now().astimezone(self.nextcall.zone)
        brief = prep.prep_brief(self.engine, agent_id=agent_id, now=now)
        found = sessions.sessions_of(self.engine, agent_id=agent_id)
        self.deliver(generation, self.show, brief, found)

    def show(self, brief: str, found: list[SessionView]) -> None:
        self.brief = brief
        self.sessions = found
        self.query_one("#brief-body").loading = False
        self.query_one("#brief", Markdown).update(brief)

    def _held(self) -> SessionView | None:
        from nextcall.store import sessions

        return sessions.last_held(self.sessions, queries.utc_now())

    def _coach(self) -> str:
        return next((s.coach for s in reversed(self.sessions)), "")

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Plan a session", f"A coaching session with {literal(self.name_shown)} (p)", self.action_plan_session)
        yield SystemCommand("Note the last session", "What was agreed, and when to check in (n)", self.action_note_session)

    def action_plan_session(self) -> None:
        self.plan_session(self.agent_id_shown, self.name_shown, coach=self._coach())

    def action_note_session(self) -> None:
        self.note_session(self.agent_id_shown, self.name_shown, self._held())
