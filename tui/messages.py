"""App-wide facts that screens react to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the app paints its first frame before the store's modules are loaded
    from nextcall.store.views import AwardView, NewEvaluationView


@dataclass
class EvaluationsImported(Message):
    """New or re-scored evaluations arrived in the store while the app was open."""

    evaluations: list[NewEvaluationView]

    def can_replace(self, message: Message) -> bool:
        # Bursts of polls coalesce: the newest list already holds the older news.
        return isinstance(message, EvaluationsImported)


@dataclass
class BadgesEarned(Message):
    """Badges were awarded while the app was open (by an import or a goal change)."""

    awards: list[AwardView]


@dataclass(frozen=True)
class StoreChanged:
    """Published on the app's `store_changed` signal: screens reload what they show."""

    agent_id: str | None
    call_ids: tuple[str, ...] = ()
