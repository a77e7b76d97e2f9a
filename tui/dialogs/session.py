"""Coaching sessions in the app: a lead plans one or notes what was agreed; an agent says what they heard differently.

Each dialog checks what can be checked as it is typed (a date that does not
read as one, a coach without a name) and says so beside the field; what only
the store can decide (a time that has passed, a follow-up before the session)
comes back from it as a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from nextcall.store import rules

from ..text import literal

DEFAULT_HOUR = 9
"""A session planned for a day without a time starts at 09:00, as `nextcall session add` has it."""


def read_moment(text: str, zone: tzinfo) -> datetime | None:
    """A session time as typed: `2026-12-03` (09:00 that day) or `2026-12-03 14:30`, in `zone`; None if it does not read."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(DEFAULT_HOUR), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def read_day(text: str) -> date | None | bool:
    """A day as typed (`2026-12-10`); None when left empty, False when it does not read."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A session to plan: when, with whom, and optionally when to check in."""

    at: datetime
    coach: str
    follow_up_on: date | None


@dataclass(frozen=True, slots=True)
class NoteRequest:
    """What was agreed after a session; a field left empty stays as it was."""

    will_do: str | None
    notes: str | None
    follow_up_on: date | None


class _FormDialog(ModalScreen):
    """A small form: fields, an inline error under each that needs one, Save and Cancel."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def _error(self, field: str, problem: str | None) -> bool:
        """Show `problem` under the field (or hide it); True when there is one."""
        error = self.query_one(f"#{field}-error", Static)
        error.update(Content(f"✗ {problem}") if problem else "")
        error.display = problem is not None
        return problem is not None

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @staticmethod
    def _field(label: str, field: Input, *, checked: bool = True) -> ComposeResult:
        """A field under its label, with the line its error shows on if it is `checked`."""
        yield Static(Content(label), classes="muted")
        yield field
        if checked:
            yield Static(id=f"{field.id}-error", classes="error")

    @staticmethod
    def _buttons(save: str, keys: str) -> ComposeResult:
        """The primary button (`#save`), Cancel, and the keys that do the same."""
        with Horizontal(classes="buttons"):
            yield Button(save, variant="primary", id="save")
            yield Button("Cancel", id="cancel")
        yield Static(keys, classes="muted")


class PlanSessionDialog(_FormDialog):
    """Returns a `PlanRequest`, or None to cancel."""

    def __init__(self, agent: str, *, coach: str = "", zone: tzinfo) -> None:
        """
        Args:
            agent: the agent's name (shown literally).
            coach: who coached them last time, offered again.
            zone: where a typed time is.
        """
        super().__init__()
        self.agent = agent
        self.coach = coach
        self.zone = zone

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-session", classes="dialog"):
            yield Static(Content.assemble("Plan a coaching session with ", (literal(self.agent), "bold")), classes="card-title")
            yield from self._field("When: a day (at 09:00) or a day and a time",
                                   Input(placeholder="2026-12-03 14:30", id="plan-at", max_length=25))
            yield from self._field("Who coaches",
                                   Input(literal(self.coach), placeholder="e.g. Sam Patel", id="plan-coach", max_length=200))
            yield from self._field("Check in on (optional): the day to look at how it went since",
                                   Input(placeholder="2026-12-10", id="plan-follow-up", max_length=10))
            yield from self._buttons("Plan it", "Enter plan · Tab next · Escape cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        at = read_moment(self.query_one("#plan-at", Input).value, self.zone)
        coach = self.query_one("#plan-coach", Input).value
        follow_up = read_day(self.query_one("#plan-follow-up", Input).value)
        wrong = [
            self._error("plan-at", None if at else "A day such as 2026-12-03, or a day and a time: 2026-12-03 14:30."),
            self._error("plan-coach", None if rules.has_words(coach) else "Say who coaches: a name is needed."),
            self._error("plan-follow-up", None if follow_up is not False else "A day such as 2026-12-10, or nothing."),
        ]
        if any(wrong) or at is None or follow_up is False:
            return
        self.dismiss(PlanRequest(at, coach.strip(), follow_up))


class NoteSessionDialog(_FormDialog):
    """Returns a `NoteRequest`, or None to cancel."""

    def __init__(self, agent: str, held: str, *, behaviour: str | None, will_do: str | None, notes: str | None,
                 follow_up_on: date | None) -> None:
        """
        Args:
            agent: the agent's name (shown literally).
            held: when the session was, in words.
            behaviour: the behaviour agreed on (its name), if any.
            will_do, notes, follow_up_on: what was noted before, offered to change.
        """
        super().__init__()
        self.agent, self.held, self.behaviour = agent, held, behaviour
        self.will_do, self.notes, self.follow_up_on = will_do, notes, follow_up_on

    def compose(self) -> ComposeResult:
        with Vertical(id="note-session", classes="dialog"):
            yield Static(
                Content.assemble("What was agreed with ", (literal(self.agent), "bold"), f" on {self.held}"),
                classes="card-title",
            )
            if self.behaviour:
                yield Static(Content.assemble("Behaviour: ", (literal(self.behaviour), "bold")), classes="muted")
            yield from self._field("What they will do, in a sentence they can confirm (needed)", Input(
                literal(self.will_do or ""), placeholder="e.g. Repeat the need back and wait for the yes",
                id="note-will-do", max_length=1000,
            ))
            yield from self._field("Notes (optional)", Input(literal(self.notes or ""), id="note-notes", max_length=2000),
                                   checked=False)
            yield from self._field("Check in on: the day to look at how it went since (optional)", Input(
                self.follow_up_on.isoformat() if self.follow_up_on else "", placeholder="2026-12-10",
                id="note-follow-up", max_length=10,
            ))
            yield from self._buttons("Save the note", "Enter save · Tab next · Escape cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        will_do = self.query_one("#note-will-do", Input).value
        notes = self.query_one("#note-notes", Input).value
        follow_up = read_day(self.query_one("#note-follow-up", Input).value)
        wrong = [
            self._error("note-will-do", None if rules.has_words(will_do) else "Say what they will do: it is what they confirm."),
            self._error("note-follow-up", None if follow_up is not False else "A day such as 2026-12-10, or nothing."),
        ]
        if any(wrong) or follow_up is False:
            return
        self.dismiss(NoteRequest(will_do.strip(), notes.strip() if rules.has_words(notes) else None, follow_up))


class HeardDifferentlyDialog(_FormDialog):
    """Returns what the agent heard, or None to cancel."""

    def __init__(self, coach: str, will_do: str) -> None:
        """
        Args:
            coach: who coached (shown literally).
            will_do: what was noted as agreed (shown literally).
        """
        super().__init__()
        self.coach = coach
        self.will_do = will_do

    def compose(self) -> ComposeResult:
        with Vertical(id="heard-differently", classes="dialog"):
            yield Static(Content("I heard it differently"), classes="card-title")
            yield Static(Content.assemble(f"{literal(self.coach)} noted: ", ("“" + literal(self.will_do) + "”", "italic")))
            yield from self._field("What did you hear, in your own words? (needed)", Input(
                placeholder="e.g. We agreed I'd try it on sales calls first", id="heard-text", max_length=2000
            ))
            yield from self._buttons("Send to my coach", "Enter send · Escape cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        heard = self.query_one("#heard-text", Input).value
        if self._error("heard-text", None if rules.has_words(heard) else "Say what you heard: a few words are needed."):
            return
        self.dismiss(heard.strip())

    @on(Input.Changed, "#heard-text")
    def _typed(self) -> None:
        self._error("heard-text", None)
