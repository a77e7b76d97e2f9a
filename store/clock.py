"""Stored instants as people read them: in their zone, safe at the edges of the calendar.

Every time shown, on a screen or in a brief, is turned into local time here.
Python's dates end at 9999-12-31 and start at 0001-01-01: a call stored at
9999-12-31T23:59:59Z is already in the year 10000 in Kiritimati (UTC+14), and
0001-01-01T00:00Z is still in year 0 in Pago Pago (UTC-11). Such an instant is
shown in UTC instead, and says so, rather than stopping the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo


@dataclass(frozen=True)
class LocalTime:
    """An instant in the viewer's zone, or in UTC where that zone has no date for it."""

    at: datetime
    """The instant, as a datetime in the zone it is shown in."""

    note: str = ""
    """" UTC" when `at` is in UTC because the viewer's zone falls outside the calendar; empty otherwise."""

    def format(self, pattern: str) -> str:
        """`at` with a strftime `pattern`, followed by the note."""
        return f"{self.at.strftime(pattern)}{self.note}"

    @property
    def day(self) -> date:
        return self.at.date()


def local_time(moment: datetime, zone: tzinfo | None = None) -> LocalTime:
    """`moment` in `zone` (this machine's zone when None).

    A naive `moment` is taken as UTC, as the store keeps every instant.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return LocalTime(moment.astimezone(zone))
    except (OverflowError, ValueError, OSError):
        # Past year 9999 or before year 1 in that zone: UTC always has the date, the store keeps it so.
        return LocalTime(moment.astimezone(UTC), " UTC")
