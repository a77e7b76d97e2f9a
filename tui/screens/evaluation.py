"""One evaluation: every behaviour met, missed or not applicable, with its moment."""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Static

from nextcall.store import queries
from nextcall.store.models import Outcome
from nextcall.store.views import EvaluationView, ResultView

from .base import SteadyFooter, StoreScreen, nav_bindings
from ..text import SYMBOL, WORD, call_time, csat_words, fcr_words, literal, score_words, when


class ResultRow(Static):
    """One behaviour of the call: its mark, and for a miss the moment and what to do next time."""

    DEFAULT_CSS = """
    ResultRow { height: auto; padding: 0 1; }
    ResultRow.-met { border-left: wide $success; }
    ResultRow.-missed { border-left: wide $error; margin-bottom: 1; }
    ResultRow.-na { border-left: wide $panel; color: $text-muted; }
    """

    def __init__(self, result: ResultView) -> None:
        super().__init__()
        self.result = result

    def on_mount(self) -> None:
        result = self.result
        self.set_class(result.outcome is Outcome.met, "-met")
        self.set_class(result.outcome is Outcome.missed, "-missed")
        self.set_class(result.outcome is Outcome.na, "-na")
        style = {Outcome.met: "$text-success", Outcome.missed: "$text-error", Outcome.na: "$text-muted"}[result.outcome]
        criterion = result.criterion
        parts: list[Content | str | tuple[str, str]] = [
            (f"{SYMBOL[result.outcome]} {WORD[result.outcome]:<7}", f"bold {style}"),
            (literal(criterion.name), "bold"),
        ]
        if criterion.critical:
            parts.append(("  critical", "$text-warning"))
        if result.moment_s is not None:
            parts.append((f"  at {call_time(result.moment_s)}", "$text-muted"))
        if result.quote:
            parts += ["\n", ("“" + literal(result.quote) + "”", "italic")]
        if result.comment:
            parts += ["\n", ("Evaluator: ", "bold"), literal(result.comment)]
        if result.outcome is Outcome.missed:
            parts += ["\n", ("On your next call: ", "bold $accent"), literal(criterion.next_call)]
        self.update(Content.assemble(*parts))


class EvaluationScreen(StoreScreen):
    """One scored call, behaviour by behaviour. Escape goes back."""

    TITLE = "Scorecard"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the list"), *nav_bindings("home", "scorecards")]

    def __init__(self, call_id: str) -> None:
        super().__init__()
        self.call_id = call_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="evaluation-head", classes="card")
        yield VerticalScroll(id="results")
        yield SteadyFooter()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Back to the list", "Every scored call (Escape)", self.app.pop_screen)

    def on_mount(self) -> None:
        self.sub_title = literal(self.call_id)
        self.query_one("#results").loading = True
        self._load(self.next_load())

    @work(thread=True, exclusive=True, group="evaluation", exit_on_error=False)
    def _load(self, generation: int) -> None:
        self.deliver(generation, self.show, queries.evaluation_view(self.engine, call_id=self.call_id))

    def show(self, view: EvaluationView | None) -> None:
        results = self.query_one("#results", VerticalScroll)
        results.loading = False
        head = self.query_one("#evaluation-head", Static)
        if view is None:
            head.update(Content(f"Call {literal(self.call_id)} is no longer in the store (it may have been removed)."))
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
                f", {na} not applicable · {csat_words(s.csat)} · {fcr_words(s.first_contact_resolution)}",
            )
        )
        results.remove_children()
        ordered = sorted(view.results, key=lambda r: (r.outcome is not Outcome.missed, r.criterion.position))
        results.mount_all(ResultRow(result) for result in ordered)
