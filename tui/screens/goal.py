"""Goal: the one behaviour being worked on, its progress, whether coaching worked, and past goals.

From a session's follow-up day, its check-in: the agreed behaviour on the calls
since the session against the same number of applicable calls before it, with
CSAT and first-contact resolution on those calls. "Did it work?" reads since
the goal's start or, with `e`, since each coaching session in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Static

from nextcall.store import queries
from nextcall.store.errors import NextcallError
from nextcall.store.rules import plural, too_few_calls
from nextcall.store.views import CheckInView, GoalCoachingView, GoalScreenView, GoalView

from ..dialogs.already_landed import AlreadyLandedDialog
from ..dialogs.drop_goal import DropGoalDialog
from ..dialogs.goal_picker import GoalPickerDialog
from ..messages import StoreChanged
from ..text import day, empty_screen, literal, when
from ..widgets.effect import GoalEffect, percent, side_rows
from ..widgets.goal_chart import GoalChart
from .base import AgentViewScreen, SteadyFooter, nav_bindings

EMPTY = (
    "A goal is one behaviour to land, worked until it sticks: met on 8 of 10 "
    "calls, twice in a row. Once your calls are scored, nextcall suggests the "
    "behaviour that would most raise your CSAT and first-contact resolution."
)

SINCE_START = "Did it work? Before the goal and since"


class GoalScreen(AgentViewScreen):
    """Work one behaviour until it sticks; see whether it worked."""

    TITLE = "Goal"
    BINDINGS = [
        Binding("n", "new_goal", "New goal", tooltip="Choose the behaviour to work on next"),
        Binding("d", "drop_goal", "Set aside", tooltip="Set the current goal aside"),
        # Said on the card it switches ("e: since your session on …"): the footer holds no more at 80 columns.
        Binding("e", "switch_since", "Since", tooltip="Did it work? Since the goal's start, or since a coaching session",
                id="switch-since", show=False),
        *nav_bindings("home", "scorecards"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="goal-body"):
            yield Static(id="goal-empty", classes="empty")
            with Vertical(id="goal-current", classes="card"):
                yield Static(id="goal-text")
            with Vertical(id="goal-check-in", classes="card"):
                yield Static(id="check-in-text")
                yield DataTable(id="check-in-table", cursor_type="none", show_cursor=False)
            yield GoalChart(id="goal-chart")
            with Vertical(id="goal-effect", classes="card"):
                yield GoalEffect()
            with Vertical(id="goal-history", classes="card"):
                yield Static(id="goal-history-text")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#goal-effect").border_title = SINCE_START
        self.query_one("#goal-history").border_title = "Past goals"
        table = self.query_one("#check-in-table", DataTable)
        table.add_column("", width=20)
        table.add_column("Before the session", width=18)
        table.add_column("Since", width=16)
        self.view: GoalScreenView | None = None
        self.coaching: GoalCoachingView | None = None
        self.since = 0
        """What "did it work?" reads since: 0 the goal's start, n the n-th latest session."""
        self.follow_store()

    def on_resize(self, event: events.Resize) -> None:
        # The chart takes the room a tall terminal gives it.
        self.query_one(GoalChart).set_class(event.size.height >= 40, "-tall")

    def fetch(self, agent_id: str) -> GoalScreenView | None:
        return queries.goal_screen_view(self.engine, agent_id=agent_id)

    @work(thread=True, exclusive=True, group="agent-view", exit_on_error=False)
    def _load(self, generation: int, agent_id: str) -> None:
        view = self.fetch(agent_id)
        coaching = None
        if view is not None and view.evaluation_count:
            key = view.current.criterion.key if view.current is not None else None
            from nextcall.store import sessions

            coaching = sessions.goal_coaching(
                self.engine, agent_id=agent_id, key=key, now=queries.utc_now(), zone=self.nextcall.zone
            )
        self.deliver(generation, self.show, view, coaching)

    def show(self, view: GoalScreenView | None, coaching: GoalCoachingView | None = None) -> None:
        if self.view is None or view is None or view.agent.id != self.view.agent.id:
            self.since = 0  # another agent's goal: read since its start
        self.view = view
        self.coaching = coaching
        if coaching is not None and self.since > len(coaching.since_sessions):
            self.since = 0
        self.refresh_bindings()
        empty = self.query_one("#goal-empty", Static)
        has_data = view is not None and view.evaluation_count > 0
        empty.display = not has_data
        for part in ("#goal-current", "#goal-chart", "#goal-effect"):
            self.query_one(part).display = has_data
        self.query_one("#goal-history").display = bool(view and view.history)
        if view is not None:
            self.sub_title = literal(view.agent.name)
        self._show_check_in(coaching.check_in if has_data and coaching is not None else None)
        if not has_data or view is None:
            empty.update(Content(empty_screen(EMPTY, agent_chosen=view is not None)))
            return
        current = view.current
        card = self.query_one("#goal-current")
        text = self.query_one("#goal-text", Static)
        chart = self.query_one(GoalChart)
        # No frame without a line in it: a goal just started says so in words instead.
        chart.display = current is not None and bool(current.series)
        self.query_one("#goal-effect").display = current is not None
        if current is None:
            card.border_title = "No goal now" if view.history else "No goal yet"
            text.update(self._no_goal_text(view))
        else:
            card.border_title = Content.assemble(
                "Your goal: ", (literal(current.criterion.name), "bold"), f" · since {day(current.started_at)}"
            )
            text.update(self._goal_text(current, view))
            chart.show(current)
            self._show_effect(current)
        self._show_history(view.history)

    # ------------------------------------------------------ since a session

    def _show_check_in(self, check: CheckInView | None) -> None:
        """The check-in due: the agreed behaviour since the session against as many calls before it."""
        card = self.query_one("#goal-check-in")
        card.display = check is not None
        if check is None:
            return
        held, effect = check.session, check.effect
        card.border_title = Content.assemble(
            "Check-in: since your session with ", (literal(held.coach), "bold"), f" on {when(held.scheduled_at)}"
        )
        parts: list[Content | str | tuple[str, str]] = []
        if held.behaviour:
            parts += [("Agreed: ", "bold"), literal(held.behaviour)]
            parts += [f": “{literal(held.will_do)}”" if held.will_do else "", "\n"]
        table = self.query_one("#check-in-table", DataTable)
        table.display = effect.enough
        if effect.enough:
            parts.append(
                f"The {plural(effect.after.applicable, 'call')} since the session where it applied, against the "
                f"{plural(effect.before.applicable, 'call')} before it; CSAT and first-time resolution on the same calls."
            )
            table.clear()
            for row in side_rows(effect):
                table.add_row(*row)
        else:
            counted = min(effect.before.applicable, effect.after.applicable)
            parts.append(
                (too_few_calls(counted, effect.min_sample).capitalize(), "bold")
            )
            parts.append(
                f": the check-in compares once {plural(effect.min_sample, 'call')} since the session where it "
                f"applied are scored ({effect.after.applicable} so far)."
            )
        self.query_one("#check-in-text", Static).update(Content.assemble(*parts))

    def _show_effect(self, goal: GoalView) -> None:
        """Did it work: since the goal's start, or since the session chosen with `e`."""
        box = self.query_one("#goal-effect")
        since = self.coaching.since_sessions if self.coaching is not None else ()
        if self.since == 0 or self.since > len(since):
            box.border_title = SINCE_START
            box.border_subtitle = f"e: since your session on {day(since[0].session.scheduled_at)}" if since else ""
            self.query_one(GoalEffect).show(goal.effectiveness)
            return
        chosen = since[self.since - 1]
        box.border_title = f"Did it work? Before your session on {day(chosen.session.scheduled_at)} and since"
        following = since[self.since] if self.since < len(since) else None
        box.border_subtitle = (
            f"e: since your session on {day(following.session.scheduled_at)}" if following else "e: since the goal's start"
        )
        self.query_one(GoalEffect).show(chosen.effect)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_since":
            # Offered once there is a session to read since, and a goal to read.
            return bool(self.coaching and self.coaching.since_sessions and self.view and self.view.current)
        return True

    def action_switch_since(self) -> None:
        since = self.coaching.since_sessions if self.coaching is not None else ()
        current = self.view.current if self.view is not None else None
        if not since or current is None:
            return
        self.since = (self.since + 1) % (len(since) + 1)
        self._show_effect(current)

    def _no_goal_text(self, view: GoalScreenView) -> Content:
        if not view.suggestions:
            return Content("Every behaviour was met on your latest calls. Press n to pick one to polish anyway.")
        top = view.suggestions[0]
        return Content.assemble(
            "One behaviour at a time. Suggested: ", (literal(top.criterion.name), "bold"), "\n",
            (literal(top.reason), "$text-muted"), "\nPress n to choose your goal.",
        )

    def _goal_text(self, goal: GoalView, view: GoalScreenView) -> Content:
        now = (
            f"Now: met on {goal.met_in_window} of your last {plural(goal.in_window, 'call')} where it applied · "
            if goal.in_window
            else "No call where it applied since you started: your progress shows after the first one · "
        )
        # The one instruction every screen gives: this goal's while it is worked on, the next one's once it stuck.
        focus = view.state.focus
        instruction = focus.criterion.next_call if focus is not None else goal.criterion.next_call
        parts: list[Content | str | tuple[str, str]] = []
        if goal.status == "mastered" and goal.mastered_at is not None:
            parts += [(f"✓ It stuck: mastered on {day(goal.mastered_at)}.", "bold $text-success")]
            if focus is not None and not focus.from_goal:
                parts += [
                    " Next with the most impact: ", (literal(focus.criterion.name), "bold"),
                    f" ({literal(focus.reason)}) Press n to start it.",
                ]
            parts.append("\n")
        parts += [
            ("On your next call: ", "bold"), literal(instruction), "\n",
            now, f"target: {goal.target_met} of {goal.target_window}, twice in a row",
        ]
        if goal.baseline_applicable:
            parts.append(f" · before: {goal.baseline_met} of {goal.baseline_applicable}")
        return Content.assemble(*parts)

    def _show_history(self, history: tuple[GoalView, ...]) -> None:
        # Words that wrap, not a table: a reason in the agent's own words is as long as they made it.
        self.query_one("#goal-history-text", Static).update(Content("\n").join(self._past_goal(goal) for goal in history))

    @staticmethod
    def _past_goal(goal: GoalView) -> Content:
        if goal.status == "mastered":
            result = ("✓ mastered", "bold $text-success")
        else:
            result = ("– set aside" + (f": {literal(goal.drop_reason)}" if goal.drop_reason else ""), "")
        before = percent(goal.effectiveness.before.pass_rate)
        during = percent(goal.effectiveness.after.pass_rate)
        ended = day(goal.ended_at) if goal.ended_at else "–"
        return Content.assemble(
            (literal(goal.criterion.name), "bold"), "\n",
            (f"{day(goal.started_at)} – {ended}", "$text-muted"), f" · met {before} before → {during} during · ", result,
        )

    # --------------------------------------------------------------- actions

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("New goal", "Choose the behaviour to work on next (n)", self.action_new_goal)
        yield SystemCommand("Set goal aside", "Set the current goal aside, with a reason if you like (d)", self.action_drop_goal)
        if self.check_action("switch_since", ()):
            yield SystemCommand(
                "Did it work: since…", "Since the goal's start, or since each coaching session in turn (e)", self.action_switch_since
            )

    def action_new_goal(self) -> None:
        view = self.view
        if view is None or not view.behaviours:
            self.app.notify("Goals start from your scorecard: import your scored calls first.", title="Goal")
            return
        current = view.current
        if current is not None and current.status != "mastered":
            self.app.notify(
                f"You are working on {literal(current.criterion.name)}. Press d to set it aside first.",
                title="One goal at a time", markup=False,
            )
            return
        self.app.push_screen(GoalPickerDialog(view.suggestions, view.behaviours), self._goal_chosen)

    def _goal_chosen(self, key: str | None) -> None:
        if key is not None and self.agent_id is not None:
            self._check_and_start(self.agent_id, key)

    @work(thread=True, exclusive=True, group="goal-check", exit_on_error=False)
    def _check_and_start(self, agent_id: str, key: str) -> None:
        """A behaviour already landed is said first: the agent chooses another, or insists."""
        from nextcall.store import goals

        target = self.nextcall.goal_target
        landed = goals.already_landed(self.engine, agent_id=agent_id, criterion_key=key, target=target)
        if landed is None:
            self.app.call_from_thread(self._start, agent_id, key)
            return
        view = self.view
        others = [s for s in view.suggestions if s.criterion.key != key] if view is not None else []
        if others:
            landed += f" “{others[0].criterion.name}” has the most to gain: choose another to see it first."
        self.app.call_from_thread(
            self.app.push_screen, AlreadyLandedDialog(literal(landed)), partial(self._insisted, agent_id, key)
        )

    def _insisted(self, agent_id: str, key: str, anyway: bool | None) -> None:
        if anyway:
            self._start(agent_id, key)
        else:
            self.action_new_goal()

    def _start(self, agent_id: str, key: str) -> None:
        target = self.nextcall.goal_target
        self._write(agent_id, lambda: goal_commands().start_goal(self.engine, agent_id=agent_id, criterion_key=key, target=target))

    @work(thread=True, exclusive=True, group="goal-write", exit_on_error=False)
    def _write(self, agent_id: str, command: Callable[[], object]) -> None:
        """Run a goal command off the event loop; on success every screen reloads."""
        try:
            command()
        except NextcallError as error:
            self.app.call_from_thread(self.app.notify, error.message, title="Goal", severity="warning", markup=False)
            return
        self.app.call_from_thread(self.nextcall.store_changed.publish, StoreChanged(agent_id))

    def action_drop_goal(self) -> None:
        view = self.view
        if view is None or view.current is None:
            self.app.notify("There is no goal to set aside.", title="Goal")
            return
        self.app.push_screen(DropGoalDialog(literal(view.current.criterion.name)), self._drop_confirmed)

    def _drop_confirmed(self, reason: str | None) -> None:
        if reason is not None and self.agent_id is not None:
            agent_id = self.agent_id
            self._write(agent_id, lambda: goal_commands().drop_goal(self.engine, agent_id=agent_id, reason=reason or None))


def goal_commands():  # noqa: ANN201 (the module nextcall.store.goals)
    """The store's goal commands, loaded the first time a goal is started or set aside, in the worker doing it.

    They load the PostgreSQL driver (a login's own rules), which showing the
    Goal screen does without: on SQLite it is never needed to look.
    """
    from nextcall.store import goals

    return goals
