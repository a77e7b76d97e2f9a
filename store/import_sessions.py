"""Import of coaching sessions: a coach's tool's records, or a backup's.

A session is known by its `id`: imported again unchanged it changes nothing;
with other content (moved, cancelled, noted, confirmed) it replaces what is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from .import_problems import Problem
from .models import CoachingSession, Criterion

if TYPE_CHECKING:
    from .importer import Batch, Tally


def check_sessions(batch: Batch, known_agents: set[str], keys_by_scorecard: dict[str, set[str]]) -> None:
    """Check the batch's sessions against the batch and the store; add problems."""
    for record, source in batch.sessions.values():
        if record.agent not in known_agents:
            batch.problem(Problem(source.file, source.line, "agent",
                                  'unknown agent; add a {"kind":"agent"} record to the batch or import it first', record.agent))
        if record.scorecard is not None:
            keys = keys_by_scorecard.get(record.scorecard)
            if keys is None:
                batch.problem(Problem(source.file, source.line, "scorecard", "unknown scorecard", record.scorecard))
            elif record.criterion not in keys:
                batch.problem(Problem(source.file, source.line, "criterion",
                                      f"not a criterion of scorecard {record.scorecard}", record.criterion))


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def write_sessions(session: Session, batch: Batch, tally: Tally) -> None:
    """Add or replace the batch's sessions."""
    if not batch.sessions:
        return
    scorecards = sorted({r.scorecard for r, _ in batch.sessions.values() if r.scorecard})
    criteria = {
        (scorecard, key): criterion_id
        for criterion_id, scorecard, key in session.exec(
            select(Criterion.id, Criterion.scorecard_id, Criterion.key).where(col(Criterion.scorecard_id).in_(scorecards))
        )
    }
    for session_id, (record, _) in batch.sessions.items():
        values: dict[str, Any] = {
            "agent_id": record.agent, "coach": record.coach, "scheduled_at": _utc(record.scheduled_at),
            "status": record.status.value,
            "criterion_id": criteria[(record.scorecard, record.criterion)] if record.scorecard else None,
            "will_do": record.will_do, "notes": record.notes, "follow_up_on": record.follow_up_on,
            "confirmed_at": _utc(record.confirmed_at), "heard_differently": record.heard_differently,
        }
        row = session.get(CoachingSession, session_id)
        if row is None:
            session.add(CoachingSession(id=session_id, **values))
            tally.added += 1
        elif {name: _utc(v) if isinstance(v, datetime) else v for name, v in ((n, getattr(row, n)) for n in values)} != values:
            for name, value in values.items():
                setattr(row, name, value)
            tally.changed += 1
        else:
            tally.unchanged += 1
    session.flush()
