"""Home, "Next call": the one thing to do on the next call, how it went lately, and the coaching around it.

Below the next call: the next coaching session and, after one, what was
agreed, which the agent confirms with one key (c) or answers with what they
heard differently (d).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from functools import partial
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from nextcall.store import queries, rules
from nextcall.store.clock import local_time
from nextcall.store.errors import NextcallError
from nextcall.store.rules import plural
from nextcall.store.models import Outcome
from nextcall.store.views import CoachingNowView, HomeView, SessionView

from ..messages import StoreChanged
from .base import AgentViewScreen, SteadyFooter, nav_bindings
from ..text import call_time, day, empty_screen, literal, score_words, spark, when
from ..widgets.behaviours import BehaviourRates
from ..widgets.going_well import GoingWell
from ..widgets.moment import MomentCard
from ..widgets.verdicts import VerdictStrip

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from textual.widget import Widget

    from ..widgets.effect import GoalEffect
    from ..widgets.goal_chart import GoalChart

EMPTY = (
    "When your calls are scored, this screen shows the one behaviour to work on, "
    "how your latest calls went on it, the moment worth listening back to, and a "
    "short lesson."
)


def read_home(engine: Engine, agent_id: str, zone: tzinfo) -> tuple[HomeView | None, CoachingNowView | None]:
    """What Home shows of an agent: the view and, once there are calls, the coaching sessions, as of the app's
    clock (runs in a worker thread)."""
    from nextcall.store import sessions

    view = queries.home_view(engine, agent_id=agent_id)
    if view is None or not view.evaluation_count:
        return view, None
    return view, sessions.coaching_now(engine, agent_id=agent_id, now=queries.utc_now(), zone=zone)


class HomeBody(VerticalScroll):
    """Home's cards, scrolled with the keys once focused."""

    def watch_has_focus(self, _has_focus: bool) -> None:
        # No rule styles what is inside the body by its focus: the body alone is restyled, rather
        # than every card of it, which each Home's first showing (focusing the body) did again.
        self.app.stylesheet.update_nodes((self,), animate=True)


class HomeScreen(AgentViewScreen):
    """What an agent looks at for thirty seconds between calls."""

    TITLE = "Next call"
    BINDINGS = [
        # On the card itself (and its buttons) rather than in the footer: it holds the screens' keys at 80 columns.
        Binding("c", "confirm_agreement", "Confirm", tooltip="Confirm what was agreed in your coaching session",
                show=False, id="confirm-agreement"),
        Binding("d", "heard_differently", "Heard differently", tooltip="Say what you heard differently",
                show=False, id="heard-differently"),
        *nav_bindings("scorecards", "goal", "badges", "leaderboard", "self-assessment"),
    ]

    view: HomeView | None = None
    """What is shown, to lay out again when the terminal is resized."""
    tall = False
    """Room for each of the last calls on a line of its own, and the goal's chart (160×48)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with HomeBody(id="home-body"):
            yield Static(id="home-empty", classes="empty")
            with Vertical(id="home-columns"):
                with Vertical(id="home-left"):
                    with Vertical(id="next-call", classes="card"):
                        yield Static(id="critical-missed", classes="error")
                        yield Static(id="focus-instruction")
                        yield Static(id="last-verdict")
                        yield Static(id="focus-reason", classes="muted")
                        yield Static(id="goal-sparkline")
                    with Vertical(id="coaching", classes="card"):
                        yield Static(id="coaching-text")
                        # Its buttons are made the first time an agreement waits for an answer (see `_answer_buttons`).
                        yield Horizontal(id="coaching-answer")
                    with Vertical(id="recent", classes="card"):
                        yield VerdictStrip(id="verdicts")
                    with Vertical(id="moment", classes="card"):
                        yield MomentCard(id="moment-card")
                    # Made, as the goal's chart is, the first time a tall terminal shows it (see `_goal_effect`).
                    yield Vertical(id="home-effect", classes="card")
                    with Vertical(id="going-well", classes="card"):
                        yield GoingWell(id="going-well-text")
                with Vertical(id="home-right"):
                    with Vertical(id="lesson", classes="card"):
                        yield Static(id="lesson-text")
                    with Vertical(id="last-call", classes="card"):
                        yield Static(id="last-call-text")
                    with Vertical(id="all-behaviours", classes="card"):
                        yield BehaviourRates(id="behaviour-rates")
                    # The goal's chart is made the first time it is shown (see `_goal_chart`).
                    yield Vertical(id="home-progress", classes="card")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#moment").border_title = "Last time it was missed: listen back"
        self.query_one("#lesson").border_title = "Why it matters"
        self.query_one("#last-call").border_title = "Your last call"
        self.query_one("#all-behaviours").border_title = "All your behaviours"
        self.query_one("#home-progress").border_title = "Your goal, call by call"
        self.query_one("#home-effect").border_title = "Did it work? Before the goal and since"
        self.query_one("#going-well").border_title = "Going well lately"
        self.query_one("#home-columns").display = False  # no frame shows before there is something in it
        self._calls: dict[str, str | None] = {"moment": None, "last-call": None}
        """The call each clickable card is about."""
        self.coaching: CoachingNowView | None = None
        """The sessions shown, to confirm or answer the agreement of the last one."""
        self._fit(self.size.width, self.size.height)
        self.follow_store()

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self._calls.get("moment"):
            yield SystemCommand(
                "Listen back: open the call", "The last call the focus was missed on, behaviour by behaviour (or click it)",
                partial(self.open_call, "moment"),
            )
        if self._calls.get("last-call"):
            yield SystemCommand("Open your last call", "Behaviour by behaviour (or click it)", partial(self.open_call, "last-call"))
        held = self.coaching.held if self.coaching is not None else None
        if held is not None and held.agreed:
            yield SystemCommand("Confirm what was agreed", "In your last coaching session (c)", self.action_confirm_agreement)
            yield SystemCommand("I heard it differently", "Say what you heard in your last coaching session (d)",
                                self.action_heard_differently)

    def open_call(self, card: str) -> None:
        """Open the call a card is about: the moment to listen back to, or the last call."""
        call_id = self._calls.get(card)
        if call_id is not None:
            from .evaluation import EvaluationScreen

            self.app.push_screen(EvaluationScreen(call_id))

    def on_click(self, event: events.Click) -> None:
        # A click on the moment or the last call opens that call, as Enter opens one from Scorecards.
        node = event.widget
        while node is not None and node is not self:
            if node.id in self._calls:
                self.open_call(node.id)
                return
            node = node.parent

    def on_resize(self, event: events.Resize) -> None:
        tall = self.tall
        self._fit(event.size.width, event.size.height)
        if self.view is not None and self.tall != tall:  # the rest of the layout is the CSS's, by class
            self.show(self.view)

    def _fit(self, width: int, height: int) -> None:
        # Side by side when there is room (a 160-column terminal), stacked at 80; on a tall one
        # too, each of the last calls gets a line and the goal's progress its chart.
        self.tall = width >= 120 and height >= 40
        columns = self.query_one("#home-columns")
        columns.set_class(width >= 120, "-wide")
        columns.set_class(self.tall, "-tall")

    def fetch(self, agent_id: str) -> HomeView | None:
        return queries.home_view(self.engine, agent_id=agent_id)

    def load(self) -> None:
        first = self.nextcall.take_first_view(self.agent_id) if self.agent_id is not None else None
        if first is None:
            super().load()
        else:  # read as the store opened: shown as the screen first paints
            self.loaded_at_once(self.show, *first)

    @work(thread=True, exclusive=True, group="agent-view", exit_on_error=False)
    def _load(self, generation: int, agent_id: str) -> None:
        self.deliver(generation, self.show, *read_home(self.engine, agent_id, self.nextcall.zone))

    def show(self, view: HomeView | None, coaching: CoachingNowView | None = None) -> None:
        if view is not self.view or coaching is not None:  # a resize lays out what is shown again
            self.coaching = coaching
        self.view = view
        empty = self.query_one("#home-empty", Static)
        columns = self.query_one("#home-columns")
        if view is None or view.evaluation_count == 0:
            self.sub_title = literal(view.agent.name) if view else ""
            empty.update(Content(empty_screen(EMPTY, agent_chosen=view is not None)))
            empty.display, columns.display = True, False
            return
        self.sub_title = f"{literal(view.agent.name)} · {literal(view.agent.team_name or view.agent.team_id)}"
        empty.display, columns.display = False, True
        focus = view.focus
        if focus is None:
            self.query_one("#next-call").border_title = "On your next call: keep doing what you do"
            self.query_one("#focus-instruction", Static).update(
                Content("Every behaviour was met on your latest calls. Pick any one to polish from Scorecards.")
            )
            self.query_one("#focus-reason", Static).update("")
            self.query_one("#recent").border_title = "Latest calls"
            self.query_one(VerdictStrip).show(())
            self.query_one(MomentCard).show(None)
            self.query_one("#lesson-text", Static).update("")
        else:
            criterion = focus.criterion
            self.query_one("#next-call").border_title = Content.assemble(
                "On your next call: ", (literal(criterion.name), "bold")
            )
            self.query_one("#focus-instruction", Static).update(
                Content(literal(criterion.next_call)) if criterion.worded else Content(
                    "Your QA team has not written how to practise this one yet: listen back to the moments below."
                )
            )
            self.query_one("#focus-reason", Static).update(self._reason(view))
            self.query_one("#recent").border_title = f"Your last {plural(len(view.verdicts), 'call')} on it"
            self.query_one(VerdictStrip).show(view.verdicts, listed=self.tall)
            self.query_one(MomentCard).show(view.latest_miss)
            self.query_one("#lesson-text", Static).update(
                Content(literal(criterion.lesson) or "No lesson for this behaviour yet.")
            )
        sparkline = self.query_one("#goal-sparkline", Static)
        goal = view.goal
        sparkline.display = bool(goal and goal.status == "active" and goal.series)
        if goal is not None and goal.series:
            sparkline.update(
                Content.assemble(
                    ("Progress ", "bold"), (spark(goal.series), "$text-success"),
                    f" now {goal.series[-1]:.0%}, target {goal.target_met / goal.target_window:.0%}",
                )
            )
        # On a tall terminal the goal's own chart and its before-and-since, as the Goal screen shows them.
        progress, effect = self.query_one("#home-progress"), self.query_one("#home-effect")
        progress.display = effect.display = self.tall and sparkline.display
        if goal is not None and progress.display:
            self._goal_chart().show(goal)
            self._goal_effect().show(goal.effectiveness)
        self._show_coaching(self.coaching)
        self._calls = {"moment": view.latest_miss.call_id if focus and view.latest_miss else None, "last-call": None}
        self._show_last_call(view)
        self.query_one(BehaviourRates).show(
            view.behaviours, focus_key=focus.criterion.key if focus else None, calls=min(view.evaluation_count, queries.FOCUS_WINDOW)
        )
        # On a tall terminal, what went well beside what to work on: the behaviours that hold up.
        going_well = self.query_one("#going-well")
        going_well.display = self.tall and bool(view.behaviours)
        if going_well.display:
            self.query_one(GoingWell).show(
                view.behaviours,
                focus_key=focus.criterion.key if focus else None,
                focus_name=focus.criterion.name if focus else None,
                target=rules.Target(view.goal.target_met, view.goal.target_window) if view.goal else self.nextcall.goal_target,
            )
        last = view.last_call
        if last is not None:
            self._calls["last-call"] = last.call_id
            self.query_one("#last-call-text", Static).update(
                Content(
                    f"{last.call_id} · {when(last.occurred_at)} · "
                    + score_words(last.score, last.met, last.missed, last.critical_missed)
                    + " · click to open it"
                    + (f"\n● {plural(view.unseen, 'evaluation')} waiting for you to see: s, then n lists them" if view.unseen else "")
                )
            )

    # ------------------------------------------------------------- coaching

    def _show_coaching(self, coaching: CoachingNowView | None) -> None:
        """The next session, and what was agreed in the last one: confirmed, heard differently, or waiting for an answer."""
        card = self.query_one("#coaching")
        card.display = coaching is not None and (coaching.next is not None or coaching.held is not None)
        answer = self.query_one("#coaching-answer")
        answer.display = False
        if coaching is None or not card.display:
            return
        following, held = coaching.next, coaching.held
        lines: list[Content] = []
        if following is not None:
            card.border_title = Content.assemble(
                "Coaching with ", (literal(following.coach), "bold"), f" on {when(following.scheduled_at)}"
            )
            lines.append(
                Content.assemble(("✓ Your self-assessment for it is in.", "$text-success"))
                if coaching.self_assessed
                else Content.assemble(("✗ No self-assessment for it yet: ", "bold"), "w writes yours.")
            )
        else:
            card.border_title = "Your last coaching session"
        if held is not None:
            with_whom = f"with {literal(held.coach)} on {session_day(held)}"
            if held.agreed:
                lines.append(Content.assemble((f"Agreed {with_whom}: ", "bold"), "“", literal(held.will_do), "”"))
                if held.confirmed_at is not None:
                    lines.append(Content.assemble(("✓ You confirmed it", "$text-success"), f" on {session_day(held, held.confirmed_at)}."))
                elif held.heard_differently is not None:
                    lines.append(Content.assemble(("≠ You heard it differently: ", "bold"), "“", literal(held.heard_differently), "”"))
                else:
                    lines.append(Content.assemble(("? Is that what you heard? ", "bold $text-warning"), "c confirms it; d says what you heard."))
                    self._answer_buttons(answer)
                    answer.display = True
            else:
                lines.append(Content(f"Your session {with_whom}: your coach notes here what you agreed."))
            if held.follow_up_on is not None:
                if coaching.check_in_due:
                    due = "today" if held.follow_up_on == coaching.today else f"since {held.follow_up_on:%a %d %b}"
                    lines.append(Content(f"Check-in due {due}: g shows your calls since the session."))
                else:
                    lines.append(Content(f"Check-in on {held.follow_up_on:%a %d %b}: how it went since the session."))
        self.query_one("#coaching-text", Static).update(Content("\n").join(lines))

    @staticmethod
    def _answer_buttons(answer: Widget) -> None:
        """The agreement's two answers as buttons, made once: most agents have none waiting, and
        a button's looks cost Home's first showing more than all its cards."""
        if answer.children:
            return
        from textual.widgets import Button

        answer.mount(
            Button("✓ Confirm (c)", id="coaching-confirm", variant="primary", action="screen.confirm_agreement"),
            Button("I heard it differently (d)", id="coaching-differently", action="screen.heard_differently"),
        )

    def _agreement(self) -> SessionView | None:
        """The last session's agreement the agent can answer, or None (said in a notice)."""
        held = self.coaching.held if self.coaching is not None else None
        if held is None or not held.agreed:
            self.app.notify(
                "Nothing to confirm yet: after a coaching session your coach notes what you agreed, and it shows here.",
                title="Coaching", markup=False,
            )
            return None
        return held

    def action_confirm_agreement(self) -> None:
        held = self._agreement()
        if held is not None:
            self._answer(held.agent_id, held.id, None)

    def action_heard_differently(self) -> None:
        held = self._agreement()
        if held is None:
            return
        from ..dialogs.session import HeardDifferentlyDialog

        def heard(text: str | None) -> None:
            if text:
                self._answer(held.agent_id, held.id, text)

        self.app.push_screen(HeardDifferentlyDialog(held.coach, held.will_do or ""), heard)

    @work(thread=True, exclusive=True, group="coaching-answer", exit_on_error=False)
    def _answer(self, agent_id: str, session_id: str, heard_differently: str | None) -> None:
        from nextcall.store import sessions

        try:
            sessions.confirm_session(
                self.engine, agent_id=agent_id, session_id=session_id, heard_differently=heard_differently,
                now=queries.utc_now(),
            )
        except NextcallError as error:
            self.app.call_from_thread(self.app.notify, error.message, title="Coaching", severity="warning", markup=False)
            return
        said = "Confirmed: your coach sees it." if heard_differently is None else "Sent: your coach sees what you heard."
        self.app.call_from_thread(self.app.notify, said, title="Coaching", markup=False)
        self.app.call_from_thread(self.nextcall.store_changed.publish, StoreChanged(agent_id))

    def _goal_effect(self) -> GoalEffect:
        """The goal's before-and-since, made the first time a tall terminal shows it: at 80×24 it is hidden."""
        from ..widgets.effect import GoalEffect

        card = self.query_one("#home-effect")
        shown = card.query_children(GoalEffect)
        if shown:
            return shown.first()
        effect = GoalEffect()
        card.mount(effect)
        return effect

    def _goal_chart(self) -> GoalChart:
        """The goal's chart, made the first time a tall terminal shows it.

        Most starts show Home on an 80×24 terminal, where the chart is hidden:
        they open without plotext, which is loaded with the chart's module.
        """
        from ..widgets.goal_chart import GoalChart

        progress = self.query_one("#home-progress")
        charts = progress.query_children(GoalChart)
        if charts:
            return charts.first()
        chart = GoalChart(id="home-goal-chart")
        progress.mount(chart)
        return chart

    def _show_last_call(self, view: HomeView) -> None:
        """First things first: a critical miss on the last call, then how the focus went on it."""
        critical = self.query_one("#critical-missed", Static)
        critical.display = bool(view.critical_missed)
        if view.critical_missed:
            names = ", ".join(f"“{literal(name)}”" for name in view.critical_missed)
            critical.update(Content(f"⚠ Your last call missed a critical behaviour: {names}. It scores 0% until it is met."))
        verdict = self.query_one("#last-verdict", Static)
        found = view.last_verdict
        verdict.display = found is not None
        if found is None:
            return
        said = [literal(text) for text in (found.quote and f"“{found.quote}”", found.comment) if text]
        match found.outcome:
            case Outcome.met:
                head = ("✓ Met on your last call", "bold $text-success")
                tail = f": {' · '.join(said)}" if said else ": keep it."
            case Outcome.missed:
                head = ("✗ Missed on your last call", "bold $text-error")
                at = f" at {call_time(found.moment_s)}" if found.moment_s is not None else ""
                tail = f"{at}" + (f": {' · '.join(said)}" if said else ": listen back below.")
            case _:
                head = ("– Did not come up on your last call", "bold $text-muted")
                tail = "."
        verdict.update(Content.assemble(head, (f" ({found.call_id}, {when(found.occurred_at)})", "$text-muted"), tail))

    @staticmethod
    def _reason(view: HomeView) -> Content:
        focus, goal = view.focus, view.goal
        assert focus is not None
        if focus.from_goal and goal is not None:
            return Content(f"Your goal since {day(goal.started_at)}: {focus.reason}")
        if goal is not None and goal.status == "mastered":
            return Content.assemble(
                (f"✓ “{literal(goal.criterion.name)}” stuck: mastered. ", "bold $text-success"),
                f"Suggested next: {literal(focus.reason)} Press g, then n, to make it your goal.",
            )
        return Content(f"Suggested focus: {literal(focus.reason)} Press g, then n, to make it your goal.")


def session_day(session: SessionView, moment: datetime | None = None) -> str:
    """A session's day (or another moment's) in the viewer's zone, e.g. `Mon 16 Nov`."""
    return local_time(moment or session.scheduled_at).format("%a %d %b")
