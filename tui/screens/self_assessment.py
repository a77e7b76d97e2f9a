"""Self-assessment: the agent's own view before coaching, saved as they type, locked on submit.

It is for one of the agent's upcoming coaching sessions, chosen from a list;
an agent with none planned types the date (today to 60 days ahead).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea
from textual.widgets._select import SelectCurrent, SelectOverlay

from nextcall.store import queries
from nextcall.store.errors import NextcallError
from nextcall.store.rules import SELF_RATINGS, session_date_problem
from nextcall.store.clock import local_time
from nextcall.store.views import SelfAssessmentScreenView, SessionView

from ..messages import StoreChanged
from ..text import NO_AGENT, day, literal, when
from ..widgets.calibration import CalibrationView
from .base import SteadyFooter, StoreScreen, nav_bindings

if TYPE_CHECKING:
    from nextcall.store import self_assessments

AUTOSAVE_SECONDS = 1.0
NO_AGENT_FORM = (
    f"{NO_AGENT}\n\n"
    "Here you write, before a coaching session, what you do well, what you struggle "
    "with and what you want to work on, and rate yourself on each behaviour of your "
    "scorecard beside how often it was met."
)
RATING_OPTIONS = [(word, value) for value, (word, _, _) in SELF_RATINGS.items()]


class SelfAssessmentScreen(StoreScreen):
    """Listen first: strengths, struggles, what to work on and a rating per behaviour."""

    TITLE = "Self-assessment"
    AUTO_FOCUS = None
    """Arriving focuses no field: a key pressed to go elsewhere must not start a draft."""
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", tooltip="Lock it for your coaching session", priority=True),
        Binding("escape", "leave_field", "Leave field", tooltip="Leave the field; from no field, back to Next call", show=False),
        *nav_bindings("home", "goal"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(NO_AGENT_FORM), id="sa-empty", classes="empty")
        with VerticalScroll(id="sa-body"):
            with Horizontal(id="sa-session"):
                yield Label("Coaching session on", classes="sa-label", id="sa-session-label")
                yield Input(placeholder="YYYY-MM-DD", id="sa-date", max_length=10)
                # Once sessions are planned, the self-assessment is for one of them: chosen, not typed.
                yield Select[date]([], prompt="choose your session", id="sa-session-choice")
                yield Static(id="sa-status", classes="muted")
            yield Static(id="sa-date-error", classes="error")
            yield Label("What I do well", classes="sa-label")
            yield TextArea(id="sa-strengths", soft_wrap=True)
            yield Label("What I struggle with", classes="sa-label")
            yield TextArea(id="sa-struggles", soft_wrap=True)
            yield Label("What I want to work on", classes="sa-label")
            yield TextArea(id="sa-want", soft_wrap=True)
            with Vertical(id="sa-grid"):
                with Vertical(id="sa-ratings", classes="card"):
                    pass
                with Vertical(id="sa-calibration", classes="card"):
                    yield CalibrationView(id="calibration")
            with Horizontal(id="sa-actions"):
                yield Button("Submit for my session (Ctrl+S)", id="sa-submit", variant="primary")
            with Vertical(id="sa-past", classes="card"):
                yield Static(id="sa-past-text")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#sa-ratings").border_title = "How often do I…"
        self.query_one("#sa-calibration").border_title = "My view beside my scores"
        self.query_one("#sa-past").border_title = "Submitted before"
        self.view: SelfAssessmentScreenView | None = None
        self._autosave: Timer | None = None
        self._filling = False
        self._behaviours_shown: tuple[tuple[object, ...], ...] = ()
        """The behaviours the ratings were made for (id, key, name)."""
        self._writer_loaded = False
        self.sessions: tuple[SessionView, ...] = ()
        """The agent's upcoming sessions, soonest first: what the self-assessment may be for."""
        choice = self.query_one("#sa-session-choice")
        choice.display = False
        choice.criterion_key = None  # type: ignore[attr-defined]  # every select here says which behaviour it rates: none
        self.nextcall.store_changed.subscribe(self, self._store_changed)
        self._fit(self.size.width)
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, SelectOverlay):
            self._place_list(event.widget)

    def _place_list(self, overlay: SelectOverlay) -> None:
        """Open a rating's list below it, or above it when below it would cover the footer.

        The form keeps no empty rows at its foot for a list to open into: the last ratings open upward.
        """
        select = overlay.parent
        if not isinstance(select, Select):
            return
        current = select.query_one(SelectCurrent).region
        # The list's rows and its two border lines, no taller than Select lets it grow.
        height = min(overlay.option_count + 2, 12)
        room_below = self.query_one(Footer).region.y - current.bottom
        room_above = current.y - self.query_one("#sa-body").region.y
        upward = room_below < height <= room_above
        overlay.styles.offset = (0, -(current.height + height)) if upward else (0, 0)
        select.set_class(upward, "-opens-up")

    def _fit(self, width: int) -> None:
        # Calibration beside the ratings when there is room (a 160-column terminal), below them at 80.
        self.query_one("#sa-grid").set_class(width >= 120, "-wide")

    def _store_changed(self, change: StoreChanged) -> None:
        if change.agent_id != (self.view.agent.id if self.view else None):
            self.load()  # another agent: their own draft

    def load(self) -> None:
        chosen = self.agent_id is not None
        self.query_one("#sa-empty").display = not chosen
        self.query_one("#sa-body").display = chosen
        if chosen:
            self._load(self.next_load(), self.agent_id)

    @work(thread=True, exclusive=True, group="self-assessment", exit_on_error=False)
    def _load(self, generation: int, agent_id: str) -> None:
        from nextcall.store import sessions

        view = queries.self_assessment_view(self.engine, agent_id=agent_id)
        coming = tuple(sessions.upcoming(sessions.sessions_of(self.engine, agent_id=agent_id), queries.utc_now()))
        self.deliver(generation, self.show, view, coming)

    # ----------------------------------------------------------------- show

    def show(self, view: SelfAssessmentScreenView | None, coming: tuple[SessionView, ...] = ()) -> None:
        self.view = view
        if view is None:
            return
        self.sub_title = literal(view.agent.name)
        self._filling = True  # filling the form is not typing: no autosave for it
        # Nor are the changes the fields announce for it: not sent at all (a message handled after the
        # form is filled would otherwise read as typing).
        with self.prevent(TextArea.Changed, Input.Changed):
            self.query_one("#sa-date", Input).value = view.draft_session_on.isoformat() if view.draft_session_on else ""
            self._show_sessions(coming, view.draft_session_on)
            self.query_one("#sa-strengths", TextArea).load_text(view.draft_strengths)
            self.query_one("#sa-struggles", TextArea).load_text(view.draft_struggles)
            self.query_one("#sa-want", TextArea).load_text(view.draft_want_to_work_on)
        self._session_on()
        self._show_ratings(view)
        status = (
            "Draft restored: Tab or click a field to carry on."
            if view.has_draft
            else "Tab or click a field to write; saved as you type."
        )
        self.query_one("#sa-status", Static).update(status)
        # The old selects are still being removed: the draft's ratings are what the new ones hold.
        self._show_calibration({k: v for k, v in view.draft_ratings.items() if v in SELF_RATINGS})
        past = self.query_one("#sa-past")
        past.display = bool(view.past)
        self.query_one("#sa-past-text", Static).update(
            Content("\n").join(
                Content.assemble(
                    (f"For the session on {day_or_unset(item.session_on)}", "bold"),
                    f" · submitted {day(item.submitted_at)}\n",
                    ("Well: ", "bold"), literal(item.strengths) or "–", "\n",
                    ("Struggle: ", "bold"), literal(item.struggles) or "–", "\n",
                    ("Work on: ", "bold"), literal(item.want_to_work_on) or "–",
                )
                for item in view.past
            )
        )
        self.call_after_refresh(self._done_filling)

    def _session_day(self, session: SessionView) -> date:
        return local_time(session.scheduled_at, self.nextcall.zone).day

    def _show_sessions(self, coming: tuple[SessionView, ...], draft_on: date | None) -> None:
        """The upcoming sessions to choose from, the draft's chosen (else the soonest); with none, the date field."""
        self.sessions = coming
        choice = self.query_one("#sa-session-choice", Select)
        typed = self.query_one("#sa-date", Input)
        choice.display = bool(coming)
        typed.display = not coming
        self.query_one("#sa-session-label", Label).update("Session" if coming else "Coaching session on")
        if not coming:
            return
        options: dict[date, str] = {}
        for session in coming:  # one choice a day: a self-assessment is for a session's day
            options.setdefault(self._session_day(session), f"{when(session.scheduled_at)} with {literal(session.coach)}")
        with choice.prevent(Select.Changed):  # filling the form: nothing typed yet
            choice.set_options([(label, value) for value, label in options.items()])
            choice.value = draft_on if draft_on in options else next(iter(options))

    def _show_ratings(self, view: SelfAssessmentScreenView) -> None:
        """A rating per behaviour: made once per scorecard, then only set to the draft's (a reload, a change of agent)."""
        ratings = self.query_one("#sa-ratings")
        behaviours = tuple((m.criterion.id, m.criterion.key, m.criterion.name) for m in view.measured)
        if behaviours and behaviours == self._behaviours_shown:
            for measured in view.measured:
                select = ratings.query_one(f"#rate-{measured.criterion.id}", Select)
                rating = view.draft_ratings.get(measured.criterion.key)
                with select.prevent(Select.Changed):  # filling the form: the calibration is shown below
                    if rating in SELF_RATINGS:
                        select.value = rating
                    else:
                        select.clear()
            return
        self._behaviours_shown = behaviours
        ratings.remove_children()
        rows = []
        for measured in view.measured:
            select = Select[int](RATING_OPTIONS, prompt="rate yourself", id=f"rate-{measured.criterion.id}")
            rating = view.draft_ratings.get(measured.criterion.key)
            if rating in SELF_RATINGS:
                select.value = rating
            select.criterion_key = measured.criterion.key  # type: ignore[attr-defined]
            rows.append(Horizontal(Label(Content(literal(measured.criterion.name)), classes="sa-behaviour"), select, classes="sa-rating"))
        if not rows:
            rows.append(Static(Content("Your scorecard's behaviours appear here once your calls are scored.")))
        ratings.mount_all(rows)

    def _done_filling(self) -> None:
        self._filling = False
        if not self._writer_loaded:
            self._writer_loaded = True
            self._load_writer()

    @work(thread=True, group="self-assessment-writer", exit_on_error=False)
    def _load_writer(self) -> None:
        """Load what saves a draft, off the event loop, once the form is painted: the first save is then as quick as the rest.

        It brings the PostgreSQL driver (a login's own rules) with it, which opening the form does without.
        """
        import nextcall.store.self_assessments  # noqa: F401

    def _ratings(self) -> dict[str, int]:
        chosen = {}
        for select in self.query_one("#sa-ratings").query(Select):
            if select.selection is not None:
                chosen[select.criterion_key] = select.selection  # type: ignore[attr-defined]
        return chosen

    def _show_calibration(self, ratings: dict[str, int] | None = None) -> None:
        """The ratings being written (default: as the form stands); until the first is chosen, those last submitted."""
        view = self.view
        if view is None:
            return
        if ratings is None:
            ratings = self._ratings()
        box = self.query_one("#sa-calibration")
        if not ratings and view.past and view.past[0].ratings:
            ratings = view.past[0].ratings
            box.border_title = f"My view beside my scores, as submitted {day(view.past[0].submitted_at)}"
        else:
            box.border_title = "My view beside my scores"
        self.query_one(CalibrationView).show(view.measured, ratings)

    # -------------------------------------------------------------- autosave

    @on(TextArea.Changed)
    @on(Input.Changed, "#sa-date")
    @on(Select.Changed)
    def _edited(self, event: object) -> None:
        if isinstance(event, Select.Changed):
            self._show_calibration()
        if isinstance(event, Input.Changed):
            self._session_on()
        if self._filling:
            return
        self.query_one("#sa-status", Static).update("Saving…")
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_SECONDS, self.save_now)

    def _session_on(self) -> date | None:
        """The session chosen, or its date as typed, with what is wrong with it said beside the field at once."""
        text = self.query_one("#sa-date", Input).value.strip()
        problem, session_on = None, None
        choice = self.query_one("#sa-session-choice", Select)
        if self.sessions:
            session_on = choice.value if isinstance(choice.value, date) else None
            days = [self._session_day(session) for session in self.sessions]
            problem = session_date_problem(session_on, queries.utc_now().astimezone(self.nextcall.zone).date(), days)
        elif text:
            try:
                session_on = date.fromisoformat(text)
            except ValueError:
                problem = "The session date reads YYYY-MM-DD, for example 2026-12-01."
            else:
                # Kept in the draft as typed; said now, so submitting holds no surprise.
                problem = session_date_problem(session_on, queries.utc_now().astimezone(self.nextcall.zone).date())
        error = self.query_one("#sa-date-error", Static)
        error.update(problem or "")
        error.display = problem is not None
        return session_on

    def _draft(self) -> self_assessments.Draft | None:
        from nextcall.store.self_assessments import Draft

        session_on = self._session_on()
        return Draft(
            session_on,
            self.query_one("#sa-strengths", TextArea).text,
            self.query_one("#sa-struggles", TextArea).text,
            self.query_one("#sa-want", TextArea).text,
            self._ratings(),
        )

    def _owner(self) -> str | None:
        """Whose words the form holds: the agent whose form was shown, not the app's agent of the moment.

        After a switch of agent the form holds the last agent's words until the next one's are shown;
        they are never saved or submitted as the next agent's (None while the form is being filled).
        """
        if self.view is None or self._filling:
            return None
        return self.view.agent.id

    def _to_save(self) -> tuple[str, self_assessments.Draft] | None:
        """Whose draft to save and what it says, if anything is to be saved; the pending autosave is this one."""
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None
        owner = self._owner()
        if owner is None or self.view is None:
            return None
        draft = self._draft()
        if draft is not None and draft.is_blank and not self.view.has_draft:
            self.query_one("#sa-status", Static).update("Tab or click a field to write; saved as you type.")
            return None  # a fresh page stays fresh until something is written on it
        return owner, draft

    def save_now(self) -> None:
        """Save the draft as it stands (the autosave timer calls this)."""
        if (saving := self._to_save()) is not None:
            self._save(*saving)

    def start_over(self) -> None:
        """Another agent's app: words written and not yet saved are saved first, as the agent who wrote them."""
        if self._autosave is not None and (saving := self._to_save()) is not None:
            self._save_before_switch(*saving)
        super().start_over()

    @work(thread=True, group="self-assessment-kept", exit_on_error=False)
    def _save_before_switch(self, agent_id: str, draft: self_assessments.Draft) -> None:
        """The last agent's words, saved as theirs: in a worker of its own, which no later save replaces."""
        from nextcall.store import self_assessments

        self_assessments.save_draft(self.engine, agent_id=agent_id, draft=draft)

    @work(thread=True, exclusive=True, group="self-assessment-save", exit_on_error=False)
    def _save(self, agent_id: str, draft: self_assessments.Draft) -> None:
        from nextcall.store import self_assessments

        self_assessments.save_draft(self.engine, agent_id=agent_id, draft=draft)
        self.app.call_from_thread(self.query_one("#sa-status", Static).update, "Draft saved.")

    # ---------------------------------------------------------------- submit

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Submit self-assessment", "Lock it for your coaching session (Ctrl+S)", self.action_submit)

    async def action_leave_field(self) -> None:
        if isinstance(self.focused, (Input, TextArea, Select, Button)):
            self.set_focus(None)
        else:
            await self.nextcall.action_show("home")

    @on(Button.Pressed, "#sa-submit")
    def action_submit(self) -> None:
        owner = self._owner()
        if owner is None or owner != self.agent_id:
            return  # the form is still being filled, or still shows another agent's words
        if self._autosave is not None:
            self._autosave.stop()
        self._submit(owner, self._draft())

    @work(thread=True, exclusive=True, group="self-assessment-save", exit_on_error=False)
    def _submit(self, agent_id: str, draft: self_assessments.Draft) -> None:
        from nextcall.store import self_assessments

        self_assessments.save_draft(self.engine, agent_id=agent_id, draft=draft)
        try:
            self_assessments.submit(self.engine, agent_id=agent_id, now=queries.utc_now())
        except NextcallError as error:
            self.app.call_from_thread(self.app.notify, error.message, title="Not yet", severity="warning", markup=False)
            return
        self.app.call_from_thread(
            self.app.notify, "Submitted and locked for your session. Your coach starts from your words.", title="Self-assessment"
        )
        self.app.call_from_thread(self._submitted)
        self.app.call_from_thread(self.nextcall.store_changed.publish, StoreChanged(agent_id))

    def _submitted(self) -> None:
        # Out of the form: the next key goes to the app (b for Badges), not into a fresh draft.
        self.set_focus(None)
        self.load()


def day_or_unset(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "(no date)"
