"""Choosing whose app this is: on first run, and to switch demo agent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nextcall.store.views import AgentView

from ..text import DATA_COMES_IN, literal


class AgentPickerDialog(ModalScreen[str | None]):
    """A list of agents; Enter picks one, Escape keeps the current one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("q", "app.quit", "Quit")]

    def __init__(
        self,
        agents: Sequence[AgentView],
        *,
        current: str | None = None,
        stories: Mapping[str, str] | None = None,
        title: str = "Who are you?",
    ) -> None:
        super().__init__()
        self.agents = agents
        self.current = current
        self.stories = stories or {}
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Content(self.heading), classes="card-title")
            if not self.agents:
                yield Static(Content(f"There are no agents in this database yet.\n\n{DATA_COMES_IN}"), classes="empty")
                yield Static("Escape to look around · q to quit", classes="muted")
                return
            options = []
            for agent in self.agents:
                label = Content.assemble(
                    (literal(agent.name), "bold"),
                    (f"  {literal(agent.id)} · {literal(agent.team_name or agent.team_id)}", "$text-muted"),
                )
                story = self.stories.get(agent.id)
                if story:
                    label = Content.assemble(label, "\n  ", (literal(story), "italic"))
                options.append(Option(label, id=agent.id))
            yield OptionList(*options, id="agents")
            yield Static("Enter choose · Escape cancel · q quit", classes="muted")

    def on_mount(self) -> None:
        if self.agents and self.current:
            options = self.query_one(OptionList)
            ids = [agent.id for agent in self.agents]
            if self.current in ids:
                options.highlighted = ids.index(self.current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
