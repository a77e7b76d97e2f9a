"""Badges: what the agent has earned (when, and the call that earned it), what is next, and their level."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Header, ProgressBar, Static

from nextcall.store import queries
from nextcall.store.views import BadgesScreenView, BadgeView

from ..text import day, empty_screen, literal
from .base import AgentViewScreen, SteadyFooter, nav_bindings

EMPTY = (
    "Badges recognise real progress: a goal that sticks, a clean sweep of a call, "
    "a critical behaviour held for 20 calls, a comeback after a dip, listening "
    "first before coaching. Points come from the behaviour you work on, never "
    "from the score alone, and each source has a daily cap."
)


class BadgeCard(Static):
    """One badge: earned with its date and call, or locked with its progress. Marked in words, not colour alone."""

    DEFAULT_CSS = """
    BadgeCard { height: auto; padding: 0 1; border-left: wide $panel; }
    BadgeCard.-earned { border-left: wide $success; }
    BadgeCard.-locked { color: $text-muted; }
    BadgeCard.-roomy { padding: 0 1; background: $boost; }
    """

    BAR = 20
    """A locked badge's progress bar, on a roomy card."""

    def __init__(self, badge: BadgeView, *, roomy: bool = False) -> None:
        """
        Args:
            badge: the badge and how far along it is.
            roomy: a larger card with a progress bar (a tall, wide terminal).
        """
        super().__init__()
        self.badge = badge
        self.roomy = roomy

    def on_mount(self) -> None:
        badge = self.badge
        earned = badge.earned_at is not None
        self.set_class(earned, "-earned")
        self.set_class(not earned, "-locked")
        if earned:
            status = f"✓ earned {day(badge.earned_at)}" + (f" on call {literal(badge.call_id)}" if badge.call_id else "")
            style = "bold $text-success"
        else:
            status = f"locked · {badge.progress} / {badge.needed} {badge.unit}"
            if badge.current is not None and badge.current < badge.progress:
                # A streak: the run going now first; the best run is history.
                status = f"locked · {badge.current} in a row now · best {badge.progress} / {badge.needed} {badge.unit}"
            style = "bold"
        self.set_class(self.roomy, "-roomy")
        if not self.roomy:
            self.update(
                Content.assemble(
                    (f"{badge.icon}  {badge.name}", "bold"), "  ", (status, style), "\n   ", badge.description,
                )
            )
            return
        # Roomy: name, then what it is for, then where it stands, each on its own line.
        lines = [Content.styled(f"{badge.icon}  {badge.name}", "bold"), Content(badge.description), Content.styled(status, style)]
        if not earned and badge.needed:
            done = badge.current if badge.current is not None and badge.current < badge.progress else badge.progress
            filled = min(self.BAR, round(self.BAR * done / badge.needed))
            lines.append(
                Content.assemble(("█" * filled, "$text-success"), ("░" * (self.BAR - filled), "$text-muted"), f" {badge.needed - done} to go")
            )
        self.update(Content("\n").join(lines))


class BadgesScreen(AgentViewScreen):
    """Recognition for real progress, and the level it adds up to."""

    TITLE = "Badges"
    BINDINGS = nav_bindings("home", "goal", "leaderboard")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="badges-body"):
            yield Static(id="badges-empty", classes="empty")
            with Vertical(id="level", classes="card"):
                yield Static(id="level-text")
                yield ProgressBar(id="level-bar", show_eta=False, show_percentage=False)
                yield Static(id="points-text", classes="muted")
            with Vertical(id="badges-columns"):
                with Vertical(id="earned", classes="card"):
                    yield Static(id="earned-none", classes="muted")
                with Vertical(id="locked", classes="card"):
                    pass
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#earned").border_title = "Earned"
        self.query_one("#locked").border_title = "Next to earn"
        self._fit(self.size.width, self.size.height)
        self.follow_store()

    view: BadgesScreenView | None = None
    """What is shown, to lay out again when the terminal is resized."""
    roomy = False
    """Earned and next side by side on larger cards (160×48)."""

    def on_resize(self, event: events.Resize) -> None:
        roomy = self.roomy
        self._fit(event.size.width, event.size.height)
        if self.roomy != roomy and self.view is not None:
            self.show(self.view)

    def _fit(self, width: int, height: int) -> None:
        self.roomy = width >= 120 and height >= 40

    def fetch(self, agent_id: str) -> BadgesScreenView | None:
        return queries.badges_view(self.engine, agent_id=agent_id)

    def show(self, view: BadgesScreenView | None) -> None:
        self.view = view
        has_data = view is not None and view.evaluation_count > 0
        self.query_one("#badges-empty", Static).display = not has_data
        for part in ("#level", "#earned", "#locked"):
            self.query_one(part).display = has_data
        if view is not None:
            self.sub_title = literal(view.agent.name)
        if not has_data or view is None:
            self.query_one("#badges-empty", Static).update(Content(empty_screen(EMPTY, agent_chosen=view is not None)))
            return
        level = self.query_one("#level")
        level.border_title = f"Level {view.level}: {view.level_name}"
        bar = self.query_one(ProgressBar)
        if view.next_level_at is not None:
            self.query_one("#level-text", Static).update(
                Content(
                    f"{view.points:,} points · {view.next_level_at - view.points:,} to level {view.level + 1}, "
                    f"{view.next_level_name}"
                )
            )
            bar.display = True
            bar.update(total=view.next_level_at, progress=view.points)
        else:
            self.query_one("#level-text", Static).update(Content(f"{view.points:,} points · the top level"))
            bar.display = False
        self.query_one("#points-text", Static).update(
            Content(" · ".join(f"{label}: {points}" for label, points in view.points_by_source))
        )
        earned = [b for b in view.badges if b.earned_at is not None]
        locked = [b for b in view.badges if b.earned_at is None]
        earned.sort(key=lambda b: b.earned_at, reverse=True)  # type: ignore[arg-type, return-value]
        earned_box, locked_box = self.query_one("#earned"), self.query_one("#locked")
        earned_box.border_title = f"Earned: {len(earned)} of {len(view.badges)}"
        none = self.query_one("#earned-none", Static)
        none.display = not earned
        none.update("None yet: the first is closer than you think. See what is next below.")
        earned_box.query(BadgeCard).remove()
        earned_box.mount_all(BadgeCard(b, roomy=self.roomy) for b in earned)
        locked_box.display = bool(locked)
        locked_box.query(BadgeCard).remove()
        locked_box.mount_all(BadgeCard(b, roomy=self.roomy) for b in sorted(locked, key=lambda b: -b.progress / b.needed))
        # Roomy: earned beside next when there are both; a group on its own spreads over two columns.
        both = bool(earned) and bool(locked)
        self.query_one("#badges-columns").set_class(self.roomy and both, "-wide")
        earned_box.set_class(self.roomy and not locked, "-grid")
        locked_box.set_class(self.roomy and not earned, "-grid")
