"""One evaluation: every behaviour met, missed or not applicable, with its moment; and the agent's word back to QA.

A behaviour is chosen with the arrow keys or a click. On it: `l` (or Enter, or
a click on "Listen from m:ss") opens the recording at that second; `d` says "I
see it differently"; `x` withdraws that while QA has not answered. `a` marks
the whole call seen, with an optional comment.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.style import Style
from textual.widgets import Header, Static

from nextcall.store import queries, talkback
from nextcall.store.models import DisputeStatus, Outcome
from nextcall.store.talkback import RecordingLink, TalkBackError
from nextcall.store.views import DisputeView, EvaluationView, ResultView

from .. import opener
from ..messages import StoreChanged
from ..text import SYMBOL, WORD, call_time, csat_words, fcr_words, literal, score_words, when
from .base import SteadyFooter, StoreScreen, nav_binding

DISPUTE_MARK = {
    DisputeStatus.open: ("⚑", "$text-warning"),
    DisputeStatus.changed: ("✓", "$text-success"),
    DisputeStatus.upheld: ("=", "$text-primary"),
    DisputeStatus.withdrawn: ("–", "$text-muted"),
}
"""Where a dispute stands, as a mark beside its words (colour never alone)."""


def listen_words(link: RecordingLink) -> str:
    return f"Listen from {call_time(link.seconds)}"


def safe_link(url: str) -> str | None:
    """The URL for a terminal hyperlink (OSC 8), or None when it has anything that could end the sequence early."""
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in url):
        return None
    return url


def dispute_lines(dispute: DisputeView) -> list[Content | str | tuple[str, str]]:
    """A dispute under its behaviour: where it stands, what the agent said, and QA's word."""
    mark, style = DISPUTE_MARK[dispute.status]
    answer = dispute.answer
    parts: list[Content | str | tuple[str, str]] = ["\n", (f"{mark} {answer[:1].upper()}{answer[1:]}", f"bold {style}")]
    said = f"You said: “{literal(dispute.reason)}”"
    if dispute.proposed_outcome is not None:
        said += f" · you propose {SYMBOL[dispute.proposed_outcome]} {WORD[dispute.proposed_outcome]}"
    parts += ["\n", (said, "$text-muted")]
    if dispute.note:
        parts += ["\n", ("QA: ", "bold"), literal(dispute.note)]
    return parts


class ResultRow(Static, can_focus=True):
    """One behaviour of the call: its mark, for a miss the moment and what to do next time, and any dispute on it."""

    DEFAULT_CSS = """
    ResultRow { height: auto; padding: 0 1; }
    ResultRow.-met { border-left: wide $success; }
    ResultRow.-missed { border-left: wide $error; margin-bottom: 1; }
    ResultRow.-na { border-left: wide $panel; color: $text-muted; }
    ResultRow.-with-dispute { margin-bottom: 1; }
    /* The chosen behaviour: a heavier bar as well as a lighter background. */
    ResultRow:focus { background: $boost; }
    ResultRow.-met:focus { border-left: thick $success; }
    ResultRow.-missed:focus { border-left: thick $error; }
    ResultRow.-na:focus { border-left: thick $panel-lighten-2; }
    """

    BINDINGS = [
        # Before the scrolling list's own arrow keys: up and down choose a behaviour.
        Binding("up", "screen.choose(-1)", "Previous behaviour", show=False),
        Binding("down", "screen.choose(1)", "Next behaviour", show=False),
    ]

    def __init__(self, result: ResultView, *, dispute: DisputeView | None = None, link: RecordingLink | None = None) -> None:
        super().__init__()
        self.result = result
        self.dispute = dispute
        self.link = link
        """The recording at this behaviour's moment, when there is one to open."""

    @property
    def key(self) -> str:
        return self.result.criterion.key

    def on_mount(self) -> None:
        result = self.result
        self.set_class(result.outcome is Outcome.met, "-met")
        self.set_class(result.outcome is Outcome.missed, "-missed")
        self.set_class(result.outcome is Outcome.na, "-na")
        self.set_class(self.dispute is not None and self.dispute.is_open, "-disputed")
        self.set_class(self.dispute is not None, "-with-dispute")
        style = {Outcome.met: "$text-success", Outcome.missed: "$text-error", Outcome.na: "$text-muted"}[result.outcome]
        criterion = result.criterion
        parts: list[Content | str | tuple[str, str | Style]] = [
            (f"{SYMBOL[result.outcome]} {WORD[result.outcome]:<7}", f"bold {style}"),
            (literal(criterion.name), "bold"),
        ]
        if criterion.critical:
            parts.append(("  critical", "$text-warning"))
        if self.link is not None:
            # A click runs the same action as `l`; where the terminal supports OSC 8 hyperlinks, the
            # text is also a link to the recording (Textual writes a style's `link` as OSC 8).
            url = safe_link(self.link.url)
            link_style = Style.from_meta({"@click": "listen"}) + Style(underline=True, link=url)
            parts += ["  ", ("▶ ", "$text-accent"), (listen_words(self.link), link_style)]
        elif result.moment_s is not None:
            parts.append((f"  at {call_time(result.moment_s)}", "$text-muted"))
        if result.quote:
            parts += ["\n", ("“" + literal(result.quote) + "”", "italic")]
        if result.comment:
            parts += ["\n", ("Evaluator: ", "bold"), literal(result.comment)]
        if result.outcome is Outcome.missed:
            parts += ["\n", ("On your next call: ", "bold $accent"), literal(criterion.next_call)]
        if self.dispute is not None:
            parts += dispute_lines(self.dispute)
        self.update(Content.assemble(*parts))

    def action_listen(self) -> None:
        self.focus()
        self.screen.action_listen()  # type: ignore[attr-defined]


class ResultList(VerticalScroll, can_focus=False):
    """The behaviours of the call, scrolled by moving from one to the next: they take focus, not the list."""


class EvaluationScreen(StoreScreen):
    """One scored call, behaviour by behaviour. Escape goes back."""

    TITLE = "Scorecard"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the list"),
        Binding("a", "acknowledge", "Seen", tooltip="Mark this call seen, with a word back to QA if you like", id="seen"),
        Binding("d", "dispute", "See it differently", tooltip="Tell QA why you see this behaviour differently", id="dispute"),
        Binding("x", "withdraw", "Withdraw", tooltip="Withdraw what you said on this behaviour", id="withdraw"),
        Binding("l", "listen", "Listen", tooltip="Open the recording at this moment", id="listen"),
        Binding("enter", "listen", "Listen", show=False),
        # When the key above is not offered on this behaviour, it says why rather than reach
        # the app's key of the same letter (l is the leaderboard elsewhere).
        Binding("l", "not_here('listen')", show=False),
        Binding("d", "not_here('dispute')", show=False),
        Binding("x", "not_here('withdraw')", show=False),
        # The other screens stay a key away (h, s, …) and in the palette: the footer keeps to this call.
        nav_binding("home", show=False),
        nav_binding("scorecards", show=False),
    ]

    view: EvaluationView | None = None
    """What is shown: the store's read of the call."""

    def __init__(self, call_id: str) -> None:
        super().__init__()
        self.call_id = call_id
        self._chosen: str | None = None
        """The key of the behaviour chosen (focused, or last focused)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="evaluation-head", classes="card")
        yield ResultList(id="results")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = literal(self.call_id)
        self.query_one("#results").loading = True
        self.nextcall.store_changed.subscribe(self, self._store_changed)
        self.load()

    def _store_changed(self, change: StoreChanged) -> None:
        self.load()

    def load(self) -> None:
        self._load(self.next_load())

    @work(thread=True, exclusive=True, group="evaluation", exit_on_error=False)
    def _load(self, generation: int) -> None:
        self.deliver(generation, self.show, queries.evaluation_view(self.engine, call_id=self.call_id))

    # ------------------------------------------------------------ the chosen behaviour

    @property
    def rows(self) -> list[ResultRow]:
        return list(self.query(ResultRow))

    @property
    def chosen(self) -> ResultRow | None:
        """The behaviour the keys act on: the focused one, or the one last focused."""
        rows = self.rows
        return next((row for row in rows if row.key == self._chosen), rows[0] if rows else None)

    @on(events.DescendantFocus)
    def _focused(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, ResultRow):
            self._chosen = event.widget.key
            self.refresh_bindings()

    def action_choose(self, step: int) -> None:
        rows = self.rows
        chosen = self.chosen
        if not rows or chosen is None:
            return
        index = max(0, min(len(rows) - 1, rows.index(chosen) + step))
        # Chosen now, not when the focus event arrives: a key pressed right after acts on this one.
        self._chosen = rows[index].key
        rows[index].focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        chosen = self.chosen
        dispute = chosen.dispute if chosen else None
        under_review = dispute is not None and dispute.is_open
        match action:
            case "listen":
                return chosen is not None and chosen.link is not None
            case "dispute":
                return chosen is not None and not under_review
            case "withdraw":
                return under_review
        return True

    def action_not_here(self, action: str) -> None:
        chosen = self.chosen
        if chosen is None:
            return
        match action:
            case "listen" if chosen.result.moment_s is None:
                message = "No moment with a time on this behaviour: nothing to listen back to."
            case "listen":
                message = "No recording that opens with this call: nothing to listen back to."
            case "dispute":
                message = "You already said you see it differently here; QA has not answered yet. x withdraws it."
            case _:
                message = "Nothing to withdraw here: no open “I see it differently” on this behaviour."
        self.notify(message, title=literal(chosen.result.criterion.name), markup=False)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Back to the list", "Every scored call (Escape)", self.app.pop_screen)
        if self.view is None:
            return
        yield SystemCommand("Mark this call seen", "Tell QA you have seen it, with a word back if you like (a)", self.action_acknowledge)
        for row in self.rows:
            name = literal(row.result.criterion.name)
            if row.link is not None:
                yield SystemCommand(
                    f"{listen_words(row.link)}: {name}", "Open the call's recording at this moment (l)",
                    partial(self._listen_to, row),
                )
            if row.dispute is not None and row.dispute.is_open:
                yield SystemCommand(f"Withdraw what you said on {name}", "QA has not answered yet (x)", partial(self._withdraw, row))
            else:
                yield SystemCommand(
                    f"I see it differently: {name}", "Say why; the score stays until QA decides (d)", partial(self._dispute, row)
                )

    # ------------------------------------------------------------ showing

    def show(self, view: EvaluationView | None) -> None:
        results = self.query_one("#results", VerticalScroll)
        results.loading = False
        head = self.query_one("#evaluation-head", Static)
        self.view = view
        if view is None:
            head.update(Content(f"Call {literal(self.call_id)} is no longer in the store (it may have been removed)."))
            results.remove_children()
            self.refresh_bindings()
            return
        s = view.summary
        na = sum(r.outcome is Outcome.na for r in view.results)
        duration = f" · {call_time(s.duration_s)} long" if s.duration_s is not None else ""
        evaluator = f" · scored by {literal(view.evaluator)}" if view.evaluator else ""
        head.update(
            Content.assemble(
                (f"{literal(s.call_id)}", "bold"),
                f" · {when(s.occurred_at)} · {s.channel}{duration}{evaluator}\n",
                (literal(view.scorecard_name) + ": ", "bold"),
                score_words(s.score, s.met, s.missed, s.critical_missed),
                f", {na} not applicable · {csat_words(s.csat)} · {fcr_words(s.first_contact_resolution)}\n",
                *self._seen_words(view),
                "\n",
                *self._recording_words(view),
            )
        )
        # A behaviour is chosen from the start (and stays chosen across reloads), unless a filter or the like has focus.
        keep_focus = self.focused is None or isinstance(self.focused, ResultRow)
        ordered = sorted(view.results, key=lambda r: (r.outcome is not Outcome.missed, r.criterion.position))
        rows = [
            ResultRow(
                result,
                dispute=view.dispute_on(result.criterion.key),
                link=talkback.recording_link(view.recording_url, result.moment_s),
            )
            for result in ordered
        ]
        results.remove_children()
        results.mount_all(rows)
        if self._chosen not in {row.key for row in rows}:
            self._chosen = rows[0].key if rows else None
        if rows and keep_focus:
            self.call_after_refresh(self._focus_chosen)
        self.refresh_bindings()

    def _focus_chosen(self) -> None:
        chosen = self.chosen
        if chosen is not None and chosen.is_attached:
            chosen.focus(scroll_visible=False)
            chosen.scroll_visible(animate=False)

    @staticmethod
    def _seen_words(view: EvaluationView) -> list[Content | str | tuple[str, str]]:
        seen = view.seen
        if seen is None:
            return [("● Not seen yet", "bold $text-warning"), ": press a to mark it seen."]
        if not seen.current:
            return [("● Re-scored since you saw it", "bold $text-warning"), ": press a to mark it seen again."]
        words: list[Content | str | tuple[str, str]] = [("✓ Seen", "bold $text-success"), f" {when(seen.seen_at)}"]
        if seen.comment:
            words.append(f": “{literal(seen.comment)}”")
        return words

    @staticmethod
    def _recording_words(view: EvaluationView) -> list[Content | str | tuple[str, str]]:
        url = view.recording_url
        if not url:
            return [("No recording with this call: nothing to listen back to.", "$text-muted")]
        if talkback.recording_link(url, 0) is None:
            return [("Recording (never opened: only http, https and files on this computer): ", "$text-muted"), literal(url)]
        return [("Recording: ", "$text-muted"), literal(url)]

    # ------------------------------------------------------------ listen back

    def action_listen(self) -> None:
        chosen = self.chosen
        if chosen is not None:
            self._listen_to(chosen)

    def _listen_to(self, row: ResultRow) -> None:
        link = row.link
        if link is None:
            return
        try:
            opener.open_recording(self.app, link)
        except opener.CannotOpen as error:
            self.notify(str(error), title="Could not open the recording", severity="error", markup=False)
            return
        if link.path is not None:
            message = f"Opening {literal(str(link.path))} with your player: skip to {call_time(link.seconds)}."
        else:
            message = f"Opening the recording at {call_time(link.seconds)}: {literal(link.url)}"
        self.notify(message, title=literal(row.result.criterion.name), markup=False)

    # ------------------------------------------------------------ seen

    def action_acknowledge(self) -> None:
        view = self.view
        if view is None:
            return
        from ..dialogs.acknowledge import AcknowledgeDialog

        def answered(comment: str | None) -> None:
            if comment is not None and self.agent_id is not None:
                self._acknowledge(self.agent_id, comment)

        self.app.push_screen(AcknowledgeDialog(self.call_id, comment=view.seen.comment if view.seen else None), answered)

    @work(thread=True, exclusive=True, group="talkback", exit_on_error=False)
    def _acknowledge(self, agent_id: str, comment: str) -> None:
        try:
            talkback.acknowledge(self.engine, agent_id=agent_id, call_id=self.call_id, comment=comment or None)
        except TalkBackError as error:
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(self._written, "Marked seen.", literal(self.call_id))

    # ------------------------------------------------------------ I see it differently

    def action_dispute(self) -> None:
        chosen = self.chosen
        if chosen is not None:
            self._dispute(chosen)

    def _dispute(self, row: ResultRow) -> None:
        if row.dispute is not None and row.dispute.is_open:
            return
        from ..dialogs.dispute import DisputeDialog, DisputeRequest

        key, name = row.key, row.result.criterion.name

        def answered(request: DisputeRequest | None) -> None:
            if request is not None and self.agent_id is not None:
                self._raise(self.agent_id, key, name, request.reason, request.proposed)

        self.app.push_screen(DisputeDialog(name, row.result.outcome), answered)

    @work(thread=True, exclusive=True, group="talkback", exit_on_error=False)
    def _raise(self, agent_id: str, key: str, name: str, reason: str, proposed: Outcome | None) -> None:
        try:
            talkback.raise_dispute(
                self.engine, agent_id=agent_id, call_id=self.call_id, criterion_key=key, reason=reason, proposed=proposed
            )
        except TalkBackError as error:
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(
            self._written, "Sent to QA: under review. The score stays as scored until QA decides.", literal(name)
        )

    def action_withdraw(self) -> None:
        chosen = self.chosen
        if chosen is not None:
            self._withdraw(chosen)

    def _withdraw(self, row: ResultRow) -> None:
        if row.dispute is not None and row.dispute.is_open and self.agent_id is not None:
            self._withdraw_in_worker(self.agent_id, row.dispute.id, row.result.criterion.name)

    @work(thread=True, exclusive=True, group="talkback", exit_on_error=False)
    def _withdraw_in_worker(self, agent_id: str, dispute_id: int, name: str) -> None:
        try:
            talkback.withdraw_dispute(self.engine, agent_id=agent_id, dispute_id=dispute_id)
        except TalkBackError as error:
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(self._written, "Withdrawn: the score stays as scored.", literal(name))

    # ------------------------------------------------------------ after a write

    def _written(self, message: str, title: str) -> None:
        self.notify(message, title=title, markup=False)
        self.nextcall.store_changed.publish(StoreChanged(self.agent_id))  # this call, the list and Home read it again

    def _refused(self, error: TalkBackError) -> None:
        self.notify(error.message, title=error.title, severity="error", markup=False)
