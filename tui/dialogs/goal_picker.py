"""Choosing the one behaviour to work on: the suggestions first, with their reasons."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nextcall.store.views import CriterionView, SuggestionView

from ..text import literal


class GoalPickerDialog(ModalScreen[str | None]):
    """Every behaviour of the scorecard, ranked by impact; Enter starts the highlighted one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, suggestions: Sequence[SuggestionView], behaviours: Sequence[CriterionView], *, note: str = "") -> None:
        super().__init__()
        self.suggestions = suggestions
        self.behaviours = behaviours
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="goal-picker", classes="dialog"):
            yield Static(Content("One behaviour at a time: which will you land next?"), classes="card-title")
            if self.note:
                yield Static(Content(self.note), classes="muted")
            options: list[Option] = []
            suggested = {s.criterion.key for s in self.suggestions}
            for rank, suggestion in enumerate(self.suggestions):
                tag = ("Suggested  ", "bold $text-success") if rank == 0 else ("", "")
                options.append(
                    Option(
                        Content.assemble(tag, (literal(suggestion.criterion.name), "bold"), "\n  ", (literal(suggestion.reason), "$text-muted")),
                        id=suggestion.criterion.key,
                    )
                )
            for criterion in self.behaviours:
                if criterion.key not in suggested:
                    options.append(
                        Option(
                            Content.assemble((literal(criterion.name), "bold"), ("\n  Not missed lately.", "$text-muted")),
                            id=criterion.key,
                        )
                    )
            yield OptionList(*options, id="goal-options")
            yield Static("Enter choose · Escape cancel", classes="muted")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
