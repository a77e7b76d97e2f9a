"""Loading the demo data set into a demo database, through the importer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from nextcall.store.db import open_store
from nextcall.store.goals import drop_goal, start_goal
from nextcall.store.importer import ImportSummary, import_batch, read_records

from .demo import demo_records


DEMO_GOALS: list[tuple[str, str, int, int | None, str | None]] = [
    # agent, behaviour, started (days before the last call), dropped after (days), why
    ("a.khan", "empathy", 56, 12, "Busy fortnight; I want to fix confirming the need first."),
    ("a.khan", "confirm_need", 20, None, None),
    ("l.nguyen", "empathy", 62, None, None),
]
"""Goals the demo agents set themselves: Aisha's is improving, Linh's has stuck."""


def load_demo(url: str, *, today: date, now: datetime | None = None) -> ImportSummary:
    """Make the demo database at `url` afresh, its story ending on `today`.

    A SQLite demo file is deleted first, so the demo always starts clean.
    When `now` is given and the day's calls run past it, every call moves back
    by the same amount, so that no call is scored in the future.
    """
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database and database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    records = demo_records(today=today)
    if now is not None:
        records = _not_in_the_future(records, now)
    engine = open_store(url)
    try:
        summary = import_batch(engine, read_records(records, source="demo data"))
        last_call = max(
            datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")) for r in records if r["kind"] == "evaluation"
        )
        for agent, behaviour, started, dropped_after, why in DEMO_GOALS:
            begun = last_call - timedelta(days=started)
            start_goal(engine, agent_id=agent, criterion_key=behaviour, now=begun)
            if dropped_after is not None:
                drop_goal(engine, agent_id=agent, reason=why, now=begun + timedelta(days=dropped_after))
        return summary
    finally:
        engine.dispose()


def _not_in_the_future(records: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    def moment(record: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(record["occurred_at"].replace("Z", "+00:00"))

    evaluations = [r for r in records if r["kind"] == "evaluation"]
    if not evaluations:
        return records
    late = max(map(moment, evaluations)) - now.astimezone(UTC)
    if late <= timedelta(0):
        return records
    shift = timedelta(minutes=-(-late.total_seconds() // 60) + 5)
    for record in evaluations:
        record["occurred_at"] = (moment(record) - shift).isoformat().replace("+00:00", "Z")
    return records
