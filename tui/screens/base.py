"""What every screen that reads the store shares: access to it, and failures put into words."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from textual.worker import Worker, WorkerState

from nextcall.store.errors import NextcallError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..app import NextcallApp

# Nothing here loads the store or SQLAlchemy: the app paints its first frame
# with this module loaded, before the store is opened (see app.py).

NAV: dict[str, tuple[str, str, str]] = {
    "home": ("h", "Next call", "The one thing to do on your next call"),
    "scorecards": ("s", "Scorecards", "Every scored call"),
    "goal": ("g", "Goal", "Your one goal, its progress and past goals"),
    "badges": ("b", "Badges", "Badges earned, what is next, your level"),
    "leaderboard": ("l", "Board", "Your team's fair leaderboard"),
    "self-assessment": ("w", "Self-assess", "Write your view before coaching"),
}
"""Each screen's key, footer label and tooltip: one place, for the app's bindings and each screen's footer."""


def nav_binding(mode: str, *, show: bool = True) -> Binding:
    """The key that shows a screen; the same id everywhere, so a keymap remaps it on every screen."""
    key, label, tooltip = NAV[mode]
    return Binding(key, f"app.show('{mode}')", label, tooltip=tooltip, show=show, id=mode)


def nav_bindings(*modes: str) -> list[Binding]:
    """The screens a footer offers from here; every other screen stays a key away, and in the palette.

    At 80 columns a footer holds the screen's own keys, about three screens and Quit.
    """
    return [nav_binding(mode) for mode in modes]


class SteadyFooter(Footer):
    """The footer, made again only when the keys it shows change.

    Textual's footer makes all its keys again whenever its screen's bindings
    may have changed: each time the screen is shown, and on each change of
    focus. Showing a screen again mostly changes nothing it shows.
    """

    _shown: tuple[object, ...] | None = None
    """What the keys were made from, last time."""

    def _keys(self) -> tuple[object, ...]:
        app = self.app
        return (
            self.show_command_palette and app.ENABLE_COMMAND_PALETTE,
            *(
                (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.group, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == app.COMMAND_PALETTE_BINDING
            ),
        )

    def compose(self) -> ComposeResult:
        # A screen whose keys hang on nothing it has yet (no `check_action` of its own) has them
        # shown in its first frame, rather than an empty footer made again once the screen is up.
        if not self._bindings_ready and type(self.screen).check_action is Screen.check_action:
            self.set_reactive(Footer._bindings_ready, True)
        self._shown = self._keys() if self._bindings_ready else None
        for widget in super().compose():
            for key in (widget, *widget._pending_children):
                if isinstance(key, FooterKey):
                    # Each key made compact or not as it will be, rather than restyled twice once mounted:
                    # compact by default, then as the footer (the command palette's key keeps its default).
                    if not key.has_class("-command-palette"):
                        key.set_reactive(FooterKey.compact, self.compact)
                    key.set_class(key.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and self.is_attached and screen is self.screen and self._keys() == self._shown:
            return
        super().bindings_changed(screen)


class StoreScreen(Screen[None]):
    """A screen whose data comes from store queries run in workers.

    A load is started on the event loop with `next_load()` and its result is
    handed back with `deliver()`: a thread cannot be stopped, so a slower,
    older load that finishes late is dropped rather than painted over a newer one.
    """

    _load_generation = 0
    _loading_for: str | None = None
    """The agent whose view a load still under way reads (None: no load under way)."""
    _suspended_in_focus: bool | None = None
    """Whether the terminal had focus when the screen was last left (None: never shown yet)."""

    def next_load(self) -> int:
        """Number a new load; results of earlier loads will be dropped."""
        self._load_generation += 1
        return self._load_generation

    def deliver(self, generation: int, show: Callable[..., object], *args: object, **kwargs: object) -> None:
        """From a worker thread: show a load's result, unless a newer load has started since."""
        self.app.call_from_thread(self._deliver, generation, show, *args, **kwargs)

    def _deliver(self, generation: int, show: Callable[..., object], *args: object, **kwargs: object) -> None:
        if generation == self._load_generation:
            self._loading_for = None
            show(*args, **kwargs)
            self.nextcall.screen_loaded()

    @on(events.ScreenSuspend)
    def _note_focus(self) -> None:
        self._suspended_in_focus = self.app.app_focus

    @on(events.ScreenResume)
    def _keep_styles(self, event: events.ScreenResume) -> None:
        # Textual restyles every node of a screen each time it is shown again, which on a
        # screen of many widgets (a form of selects) was most of what a key press cost.
        # Nothing a style depends on changes while a screen is away unless the app's CSS
        # or theme changed (then Textual restyles the whole app on the switch, by its
        # update count) or the terminal gained or lost focus (`:focus` looks differently);
        # classes set meanwhile restyle their own nodes at once. This runs before Screen's
        # own handler, which then skips the restyle.
        unchanged = self._css_update_count == self.app._css_update_count
        if unchanged and self._suspended_in_focus in (None, self.app.app_focus):
            event.refresh_styles = False

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions, for the command palette while it is shown (none by default)."""
        return ()

    def start_over(self) -> None:
        """Another agent's app: every list and page back at its top, every cursor on its first row."""
        from textual.widgets import DataTable

        for widget in self.query("*"):
            if isinstance(widget, DataTable):
                widget.move_cursor(row=0, column=0, animate=False, scroll=False)
            if widget.is_scrollable:
                widget.scroll_home(animate=False, immediate=True)

    @property
    def nextcall(self) -> NextcallApp:
        return self.app  # type: ignore[return-value]

    @property
    def engine(self) -> Engine:
        engine = self.nextcall.engine
        assert engine is not None, "a store screen is made only once the store is open"
        return engine

    @property
    def agent_id(self) -> str | None:
        return self.nextcall.agent_id

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        from nextcall.store.db import unreachable

        error = event.worker.error
        self.loading = False
        self._loading_for = None
        self.nextcall.screen_loaded()  # the polls, which retry, begin even if the first load failed
        if error is not None and unreachable(error):
            self.nextcall.store_unreachable()  # one lasting notice; screens reload when it is back
            return
        if isinstance(error, NextcallError):
            message = error.message
        else:
            message = f"{type(error).__name__}: {error}".strip()
        self.app.notify(
            f"{message}\nnextcall will try again when the store changes; check the database with `nextcall db info`.",
            title="Could not read the store",
            severity="error",
            markup=False,
        )


class AgentViewScreen(StoreScreen):
    """A screen showing one read model of the current agent, reloaded whenever the store changes.

    Subclasses say how to read it (`fetch`, run in a worker) and how to show it (`show`).
    """

    def follow_store(self) -> None:
        """Load now, and again on every change to the store (call from `on_mount`)."""
        self.nextcall.store_changed.subscribe(self, lambda _change: self.load())
        self.load()

    _mounted_for: str | None = None
    """The agent whose view the mount's load read (or reads): the screen's first showing needs no other."""

    def on_screen_resume(self) -> None:
        # A screen's first showing resumes it (twice, in Textual 8) while the load its mount
        # started is still under way, or once it is done: that load read what is current.
        if self._suspended_in_focus is None and self._mounted_for is not None and self._mounted_for == self.agent_id:
            return
        if self._loading_for is None or self._loading_for != self.agent_id:
            self.load()

    def loaded_at_once(self, show: Callable[..., object], *args: object) -> None:
        """Show a view read before the screen was made, as a load's result."""
        if self._mounted_for is None:
            self._mounted_for = self.agent_id
        self._deliver(self.next_load(), show, *args)

    def load(self) -> None:
        """Reload what the screen shows, off the event loop; with no agent chosen, say so."""
        if self._mounted_for is None:
            self._mounted_for = self.agent_id
        if self.agent_id is not None:
            self._loading_for = self.agent_id
            self._load(self.next_load(), self.agent_id)
        else:
            self._loading_for = None
            self.next_load()
            self.show(None)

    @work(thread=True, exclusive=True, group="agent-view", exit_on_error=False)
    def _load(self, generation: int, agent_id: str) -> None:
        self.deliver(generation, self.show, self.fetch(agent_id))

    def fetch(self, agent_id: str) -> object:
        """Read the screen's view from the store (runs in a worker thread)."""
        raise NotImplementedError

    def show(self, view: object) -> None:
        raise NotImplementedError
