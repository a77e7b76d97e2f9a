"""The nextcall app: wires screens, the agent it is for, and news from the store."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notification, Notify
from textual.screen import ModalScreen, Screen
from textual.signal import Signal

from .messages import BadgesEarned, EvaluationsImported, StoreChanged
from .screens.base import NAV, StoreScreen, nav_binding
from .screens.starting import StartingScreen

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nextcall.store.rules import Target
    from nextcall.store.views import AgentView

# The store, SQLAlchemy, the screens' modules and their widgets load after the
# first frame: an app given `open_store` paints Home's header, footer and
# "Loading…" first, then opens the store in a worker (see `_open_in_worker`).


APP_CSS = Path(__file__).with_name("app.tcss")
"""The looks of every screen; a loading frame, painted before the store opens, is out before it is read."""

OUTAGE_NOTICE_SECONDS = 24 * 3600.0
"""The store-out-of-reach notice stays until the store is back (or it is clicked away)."""


def lazy_screen(module: str, name: str) -> Callable[[], Screen]:
    """A screen made, and its module imported, the first time its mode is shown: start-up paints Home sooner."""

    def make() -> Screen:
        return styled_as_now(getattr(import_module(f"nextcall.tui.screens.{module}"), name)())

    make.__qualname__ = name
    return make


def styled_as_now(screen: Screen) -> Screen:
    """A new screen, marked as styled by the app's CSS as it stands: it will be, as it mounts.

    Textual (8.x) restyles every node of every screen when it switches to a
    screen marked as styled by older CSS (after a theme change), and a new
    screen is marked so until it has been shown twice: each of the first two
    visits to a screen restyled the whole app, most of what a key press cost.
    """
    screen._css_update_count = screen.app._css_update_count
    return screen


class NextcallApp(App[None]):
    """Self-coaching between calls, for one agent."""

    CSS_PATH = APP_CSS
    TITLE = "nextcall"
    MODES = {
        "home": lazy_screen("home", "HomeScreen"),
        "scorecards": lazy_screen("scorecards", "ScorecardsScreen"),
        "goal": lazy_screen("goal", "GoalScreen"),
        "badges": lazy_screen("badges", "BadgesScreen"),
        "self-assessment": lazy_screen("self_assessment", "SelfAssessmentScreen"),
        "leaderboard": lazy_screen("leaderboard", "LeaderboardScreen"),
    }
    DEFAULT_MODE = "home"

    BINDINGS = [
        # Every screen is a key away from anywhere; each screen's footer shows the few that matter there.
        *(nav_binding(mode, show=False) for mode in NAV),
        Binding("a", "pick_agent", "Agent", tooltip="Switch agent", show=False, id="agent"),
        Binding("escape", "show('home')", "Next call", tooltip="Back to Next call", show=False, id="back-home"),
        Binding("q", "quit", "Quit", tooltip="Quit nextcall", id="quit"),
    ]

    def __init__(
        self,
        *,
        engine: Engine | None = None,
        open_store: Callable[[], Mapping[str, Any]] | None = None,
        agent_id: str | None = None,
        poll_seconds: float = 2.0,
        demo_stories: Mapping[str, str] | None = None,
        on_agent_chosen: Callable[[str], None] | None = None,
        goal_target: Target | None = None,
        zone: tzinfo | None = None,
        min_calls: int | None = None,
        lead: bool = False,
        team_id: str | None = None,
    ) -> None:
        """
        Args:
            engine: the store, already migrated.
            open_store: instead of `engine`, how to open the store (run in a worker once the first
                frame is painted): returns `engine` and any of the other keyword arguments below. If it
                raises, the app exits at once and `start_error` holds the exception.
            agent_id: whose app this is; None asks with a picker on start.
            poll_seconds: how often to look for newly imported evaluations.
            demo_stories: for the demo, a sentence per agent shown in the picker.
            on_agent_chosen: called when the picker chose an agent (to remember it).
            goal_target: the target a new goal gets (default: the rules' default target).
            zone: where leaderboard periods start at midnight (default: this machine's zone).
            min_calls: calls in a period before the leaderboard ranks an agent (default: the board's).
            lead: a team lead's app: it opens on the Team screen, which takes Home's place, and asks for no agent.
            team_id: in a lead's app, the team shown (None: every agent the database lets it read).
        """
        if engine is None and open_store is None:
            raise TypeError("NextcallApp needs an engine or open_store")
        self.lead = lead
        self.team_id = team_id
        if engine is None:
            self.DEFAULT_MODE = "starting"  # read by App.__init__: the first frame is Home as it loads
            # The loading frame is styled by its own few rules; the app's CSS is read after it is out.
            self.CSS_PATH = None
        elif lead:
            self.DEFAULT_MODE = "team"
        super().__init__()
        if lead:
            self.add_mode("team", lazy_screen("team", "TeamScreen"))
        if engine is None:
            self.add_mode("starting", lambda: styled_as_now(StartingScreen()))
        self._open_store = open_store
        self.start_error: BaseException | None = None
        """Why the store could not be opened (the app exited at once), for the command to say."""
        self._wanted_mode: str | None = None
        """A screen asked for with a key while the store was opening: shown once it is open."""
        self.engine: Engine | None = engine
        self.agent_id = agent_id
        self.poll_seconds = poll_seconds
        self.demo_stories = dict(demo_stories or {})
        self.on_agent_chosen = on_agent_chosen
        self._goal_target = goal_target
        self.zone: tzinfo = zone or datetime.now().astimezone().tzinfo or UTC
        self._min_calls = min_calls
        self.store_changed: Signal[StoreChanged] = Signal(self, "store-changed")
        self._marker: tuple[datetime | None, int] | None = None
        self._awards_seen: int | None = None
        self._answered_since: datetime | None = None
        """Disputes QA answered after this were not said yet."""
        self._reached_at: datetime | None = None
        self._outage: Notification | None = None
        self._began = False
        self._collector_paused = False
        """Whether the garbage collector was paused while the store opened (see `_open_in_worker`)."""
        self._first_view: tuple[Any, ...] | None = None
        """Home's data read with the store's opening, for Home's first showing (see `take_first_view`)."""

    @property
    def goal_target(self) -> Target:
        """The target a new goal gets."""
        if self._goal_target is None:
            from nextcall.store.rules import Target

            self._goal_target = Target()
        return self._goal_target

    @property
    def min_calls(self) -> int:
        """Calls in a period before the leaderboard ranks an agent."""
        if self._min_calls is None:
            from nextcall.store.leaderboard import DEFAULT_MIN_CALLS

            self._min_calls = DEFAULT_MIN_CALLS
        return self._min_calls

    def on_mount(self) -> None:
        if self.engine is None:
            # After the first frame is out: the worker's imports would hold the interpreter meanwhile.
            self.call_after_refresh(self._start_opening)
        else:
            self._store_ready()

    def on_unmount(self) -> None:
        self._resume_collector()  # quit before the first screen showed its data

    def _store_ready(self) -> None:
        if self.agent_id is None:  # no one's data to wait for: the picker asks at once
            self.screen_loaded()

    def screen_loaded(self) -> None:
        """A screen has shown what it read (or failed to): the agent check and the polls begin, once.

        They wait for the first screen's data to be painted so as not to slow it
        down: the interpreter runs one thread at a time, and listing every agent
        takes longer than reading Home.
        """
        if self._began or self.engine is None:
            return
        self._began = True
        self._resume_collector()
        self.call_after_refresh(self._begin)

    def _begin(self) -> None:
        if not self.lead:  # a lead's app is for a team: no one to be
            self._check_agent()
        self._poll_store()

    # ------------------------------------------------------------ opening

    def _start_opening(self) -> None:
        """The first frame is out: open the store, and take in the app's CSS for the screens to come.

        Read now, its rules are parsed as the first of them mounts: the loading frame
        went out without them, and a rule or two of its own (`StartingScreen`)."""
        self.stylesheet.read(APP_CSS)
        self.css_path = [APP_CSS]
        self._open_in_worker()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_in_worker(self) -> None:
        """Open the store and load Home's module, off the event loop; a failure ends the app."""
        assert self._open_store is not None
        # What loads here (the libraries, the store's modules) and the first screen made next
        # live as long as the app: the collector would go through them again and again, each
        # pass pausing every thread. It is paused until the first screen has shown its data.
        self._pause_collector()
        try:
            opened = dict(self._open_store())
            home = import_module("nextcall.tui.screens.home")  # and with it the store's queries and Home's widgets
        except BaseException as error:  # the command words it, as it words a failure before the app starts
            self._resume_collector()
            if self.is_running:
                self.call_from_thread(self._could_not_open, error)
            return
        agent_id = opened.get("agent_id", self.agent_id)
        if agent_id is not None and not (self.lead or opened.get("lead")) and self._wanted_mode in (None, "home"):
            # Home's data read here too, while nothing else runs: Home shows it as it first paints,
            # with no empty frame before it and no second thread started to read it.
            try:
                self._first_view = (agent_id, *home.read_home(opened["engine"], agent_id, opened.get("zone", self.zone)))
            except Exception:  # Home reads it again, and says what went wrong as it says any failed read
                self._first_view = None
        if self.is_running:
            self.call_from_thread(self._store_opened, opened)
        else:  # quit while the store opened
            self._resume_collector()

    def take_first_view(self, agent_id: str) -> tuple[Any, ...] | None:
        """Home's data as read while the store opened, once, if it is `agent_id`'s: Home shows it without reading it again."""
        first, self._first_view = self._first_view, None
        if first is None or first[0] != agent_id:
            return None
        return first[1:]

    def _pause_collector(self) -> None:
        gc.disable()
        self._collector_paused = True

    def _resume_collector(self) -> None:
        """What is loaded by now is kept out of every later collection, which runs again from here."""
        if self._collector_paused:
            self._collector_paused = False
            gc.freeze()
            gc.enable()

    def _could_not_open(self, error: BaseException) -> None:
        self.start_error = error
        self.exit(return_code=1)

    async def _store_opened(self, opened: dict[str, Any]) -> None:
        self.engine = opened.pop("engine")
        for name in ("agent_id", "poll_seconds", "on_agent_chosen", "zone"):
            if name in opened:
                setattr(self, name, opened.pop(name))
        self._goal_target = opened.pop("goal_target", self._goal_target)
        self._min_calls = opened.pop("min_calls", self._min_calls)
        if opened.pop("lead", False) and not self.lead:  # a team lead's own login: their Team screen
            self.lead = True
            self.add_mode("team", lazy_screen("team", "TeamScreen"))
        if opened:
            raise TypeError(f"open_store returned unknown options: {', '.join(opened)}")
        await self.switch_mode(self._wanted_mode or ("team" if self.lead else "home"))
        await self.remove_mode("starting")
        self._store_ready()

    # ------------------------------------------------------------ navigation

    async def action_show(self, mode: str) -> None:
        if self.lead and mode == "home":
            mode = "team"  # a lead's home is the team
        if self.engine is None:  # still opening: that screen, rather than Home, once it is open
            self._wanted_mode = mode
            return
        # A key names a screen, not a place in history: an evaluation opened
        # from the list is closed, so `s` always shows the list itself.
        if self.current_mode != mode:
            await self.switch_mode(mode)
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            await self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.lead:
            yield SystemCommand("Team", "Who needs attention first, sessions and check-ins (h)", partial(self.run_action, "show('team')"))
        yield SystemCommand("Next call", "The one thing to do on your next call (h)", partial(self.run_action, "show('home')"))
        yield SystemCommand("Scorecards", "Every scored call, newest first (s)", partial(self.run_action, "show('scorecards')"))
        yield SystemCommand("Goal", "Your goal, its progress, and whether it worked (g)", partial(self.run_action, "show('goal')"))
        yield SystemCommand("Badges", "Badges earned and next, points and level (b)", partial(self.run_action, "show('badges')"))
        yield SystemCommand(
            "Self-assessment", "Your own view before your coaching session (w)", partial(self.run_action, "show('self-assessment')")
        )
        yield SystemCommand(
            "Leaderboard", "Where you stand: quality, most improved, goal progress, points (l)",
            partial(self.run_action, "show('leaderboard')"),
        )
        if isinstance(screen, StoreScreen):
            yield from screen.palette_commands()  # what can be done here, by name
        yield SystemCommand("Switch agent", "Show the app for another agent (a)", self.action_pick_agent)
        yield from super().get_system_commands(screen)

    # ----------------------------------------------------------------- agent

    @work(thread=True, exclusive=True, group="agent", exit_on_error=False)
    def _check_agent(self) -> None:
        from nextcall.store import queries

        from .text import literal

        agents = queries.list_agents(self.engine)
        known = {agent.id for agent in agents}
        if self.agent_id is None:
            self.call_from_thread(self._ask_agent, agents, "Who are you? Choose your name.")
        elif self.agent_id not in known:
            wanted = literal(self.agent_id)
            self.call_from_thread(self._ask_agent, agents, f"There is no agent {wanted!r} in this database. Who are you?")

    def action_pick_agent(self) -> None:
        if self.engine is not None:  # while the store opens there is no one to pick yet
            self._list_for_picker()

    @work(thread=True, exclusive=True, group="agent", exit_on_error=False)
    def _list_for_picker(self) -> None:
        from nextcall.store import queries

        agents = queries.list_agents(self.engine)
        self.call_from_thread(self._offer_switch, agents)

    def _offer_switch(self, agents: list[AgentView]) -> None:
        """In the demo, or with nobody chosen yet, the picker; in an agent's own app, a word of warning first.

        What is written in an app (a self-assessment, a goal) is saved as its agent's: an
        agent must not write a colleague's by accident.
        """
        from .dialogs.switch_agent import SwitchAgentDialog
        from .text import literal

        current = next((agent for agent in agents if agent.id == self.agent_id), None)
        if self.demo_stories or current is None:
            self._ask_agent(agents, "Switch to which agent?")
            return

        def confirmed(switch: bool | None) -> None:
            if switch:
                self._ask_agent(agents, "Switch to which agent?")

        self.push_screen(SwitchAgentDialog(literal(current.name)), confirmed)

    def _ask_agent(self, agents: list[AgentView], title: str) -> None:
        from .dialogs.agent_picker import AgentPickerDialog

        self.push_screen(
            AgentPickerDialog(agents, current=self.agent_id, stories=self.demo_stories, title=title),
            self._agent_chosen,
        )

    def _agent_chosen(self, agent_id: str | None) -> None:
        if agent_id is None or agent_id == self.agent_id:
            return
        self.agent_id = agent_id
        if self.on_agent_chosen is not None:
            self.on_agent_chosen(agent_id)
        for stack in self._screen_stacks.values():  # every mode's screens, shown or not
            for screen in stack:
                if isinstance(screen, StoreScreen):
                    screen.start_over()
        self.call_later(self.action_show, self.current_mode)  # a call of the last agent's, open, is closed
        self.store_changed.publish(StoreChanged(agent_id))

    # ------------------------------------------------------- news from store

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll_store(self) -> None:
        """Look for evaluations imported since the last look; re-arm when done.

        While the store cannot be reached every poll is also the retry: the
        first one to get through takes the notice down and reloads the screens.
        """
        from nextcall.store import queries
        from nextcall.store.db import unreachable

        try:
            try:
                marker = queries.import_marker(self.engine)
                if self._marker is not None and marker != self._marker:
                    since = self._marker[0]
                    arrived = queries.evaluations_imported_since(self.engine, since=since)
                    self.post_message(EvaluationsImported(arrived))
                self._marker = marker
                awards = queries.award_marker(self.engine)
                if self._awards_seen is not None and awards > self._awards_seen and self.agent_id is not None:
                    earned = queries.awards_since(self.engine, agent_id=self.agent_id, after_id=self._awards_seen)
                    if earned:
                        self.post_message(BadgesEarned(earned))
                self._awards_seen = awards
                # QA's answers to the agent's "I see it differently" (a re-score, or a resolution that changes no
                # evaluation and so no marker), each said once: those closed after the newest import seen before.
                answered_since = self._answered_since or marker[0]
                if self.agent_id is not None and answered_since is not None:
                    from .text import literal

                    answered = queries.disputes_answered_since(self.engine, agent_id=self.agent_id, since=answered_since)
                    for dispute in answered:  # from the poll's thread: notices are the event loop's to show
                        self.call_from_thread(
                            self.notify, f"Call {literal(dispute.call_id)} · {literal(dispute.behaviour)}: {dispute.answer}",
                            title="QA answered", markup=False, timeout=30,
                        )
                    if answered:
                        answered_since = max(answered_since, *(d.closed_at for d in answered if d.closed_at))
                        self.call_from_thread(self.store_changed.publish, StoreChanged(self.agent_id))
                self._answered_since = answered_since
            except Exception as error:
                if not unreachable(error):
                    raise
                self.call_from_thread(self.store_unreachable)
            else:
                self._reached_at = datetime.now().astimezone()
                if self._outage is not None:
                    self.call_from_thread(self._store_reached)
        finally:
            if self.is_running:
                self.call_from_thread(self.set_timer, self.poll_seconds, self._poll_store)

    def store_unreachable(self) -> None:
        """Say that the store cannot be reached, once, until a poll gets through again.

        Screens whose loads fail for that reason call this too, so an outage
        is one lasting notice rather than an error per screen.
        """
        if self._outage is not None:
            return
        from nextcall.store.db import describe

        since = f"from {self._reached_at:%H:%M}" if self._reached_at else "from before it went away"
        self._outage = Notification(
            f"Can't reach the store at {describe(str(self.engine.url))} — retrying every {self.poll_seconds:g} s. "
            f"Your view is {since}; changes made until it is back are not saved.",
            title="Store out of reach", severity="error", timeout=OUTAGE_NOTICE_SECONDS, markup=False,
        )
        self.post_message(Notify(self._outage))

    def _store_reached(self) -> None:
        if self._outage is None:
            return
        if self._outage in self._notifications:
            self._unnotify(self._outage)
        self._outage = None
        self.notify("The store is back; everything on screen is current again.", title="Store reachable", markup=False)
        self.store_changed.publish(StoreChanged(self.agent_id))

    @on(BadgesEarned)
    def _badges_earned(self, message: BadgesEarned) -> None:
        for award in message.awards:
            if award.agent_id == self.agent_id:
                self.notify(f"{award.icon}  {award.name}", title="Badge earned", markup=False)
        self.store_changed.publish(StoreChanged(self.agent_id))

    @on(EvaluationsImported)
    def _evaluations_imported(self, message: EvaluationsImported) -> None:
        from .text import literal, when

        mine = [e for e in message.evaluations if e.agent_id == self.agent_id]
        for evaluation in mine[:3]:
            self.notify(
                f"Call {literal(evaluation.call_id)} · {evaluation.channel} · {when(evaluation.occurred_at)}",
                title="New scorecard",
                markup=False,
            )
        if len(mine) > 3:
            self.notify(f"and {len(mine) - 3} more", title="New scorecards", markup=False)
        self.store_changed.publish(StoreChanged(self.agent_id, tuple(e.call_id for e in mine)))
