"""Turning store values into words and symbols for the screens.

Text from data goes through `literal`, so that markup, escape sequences and
other control characters in a name, quote or comment are shown, never obeyed.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from nextcall.store.clock import local_time
from nextcall.store.models import Outcome

if TYPE_CHECKING:
    from nextcall.store.leaderboard import LeaderboardRowView

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SYMBOL = {Outcome.met: "✓", Outcome.missed: "✗", Outcome.na: "–"}
"""Colour is never the only signal: each outcome has its own mark."""

WORD = {Outcome.met: "met", Outcome.missed: "missed", Outcome.na: "n/a"}


def literal(text: str | None) -> str:
    """The text with control characters made visible (ESC becomes ␛), newlines kept."""
    if not text:
        return ""
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if ord(m.group()) < 0x20 else "\ufffd", text)


def call_time(seconds: int | None) -> str:
    """Seconds into a call as m:ss (or h:mm:ss)."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(moment: datetime) -> str:
    """A call's date and time in the viewer's zone, e.g. `Fri 13 Nov 12:35`."""
    return local_time(moment).format("%a %d %b %H:%M")


def day(moment: datetime) -> str:
    """A moment's date in the viewer's zone, e.g. `13 Nov 2026`."""
    return local_time(moment).format("%d %b %Y")


def score_words(score: float | None, met: int, missed: int, critical_missed: bool = False) -> str:
    """A score with the behaviours behind it: never a bare percentage."""
    behaviours = f"{met} met, {missed} to work on"
    if score is None:
        return f"no score ({behaviours})"
    if critical_missed:
        return f"{score:.0%}, a critical behaviour missed ({behaviours})"
    return f"{score:.0%} ({behaviours})"


def csat_words(csat: int | None) -> str:
    return f"CSAT {csat}/5" if csat is not None else "CSAT –"


def fcr_words(resolved: bool | None) -> str:
    if resolved is None:
        return "FCR –"
    return "resolved first time" if resolved else "not resolved first time"


_BLOCKS = " ▁▂▃▄▅▆▇█"


def spark(rates: list[float] | tuple[float, ...], width: int = 40) -> str:
    """Rates from 0 to 1 as a one-line bar chart on a fixed 0–100% scale (the latest `width`)."""
    return "".join(_BLOCKS[round(max(0.0, min(1.0, rate)) * 8)] for rate in rates[-width:])


def movement(row: LeaderboardRowView, *, gap: str = "") -> str:
    """A leaderboard row's move since the previous period in symbols (▲2, ▼1, –, new), never colour alone."""
    from nextcall.store.leaderboard import Movement  # here: Home, the first screen, shows no board

    match row.movement:
        case Movement.up:
            return f"▲{gap}{row.places}"
        case Movement.down:
            return f"▼{gap}{row.places}"
        case Movement.same:
            return "–"
        case Movement.new:
            return "new"
    return ""


DATA_COMES_IN = "Scores come in with:  nextcall import FILE.jsonl  (or .csv)\nTo look around first:  nextcall demo"
"""How an empty screen gets its data: one wording on every screen and in the first-run picker."""

NO_AGENT = "No agent chosen yet: press a to choose who you are."


def empty_screen(what: str, *, agent_chosen: bool) -> str:
    """What an empty screen says: why it is empty, what will appear on it, and how that gets there."""
    head = "No scored calls yet." if agent_chosen else NO_AGENT
    return f"{head}\n\n{what}\n\n{DATA_COMES_IN}"
