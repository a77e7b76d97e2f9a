"""Importing what agents made themselves: their goals and self-assessments, as a backup carries them.

A goal is known by its agent and start, a submitted self-assessment by its
agent and submission, a draft by its agent (each agent has one). Imported
again unchanged they change nothing; with other content they replace what is
stored, except that a draft never replaces one the agent saved later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel import Session, col, select

from . import rules
from .db import IN_LIST_SIZE
from .import_problems import Problem, Source
from .models import Criterion, Goal, GoalStatus, SelfAssessment, instant_text

if TYPE_CHECKING:
    from .importer import Batch, Tally

Row = TypeVar("Row", Goal, SelfAssessment)


def _at(source: Source, field: str, message: str, got: Any) -> Problem:
    return Problem(source.file, source.line, field, message, got)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


# ------------------------------------------------------------------ checking


def check_personal(
    session: Session, batch: Batch, known_agents: set[str], criteria_keys: dict[str, set[str]]
) -> None:
    """Check the batch's goals and self-assessments against the batch and the store; add problems.

    `known_agents` are the agents the batch or the store has; `criteria_keys` the
    criterion keys of every scorecard either has, by scorecard."""
    for goal, source in batch.goals.values():
        if goal.agent not in known_agents:
            batch.problem(_at(source, "agent", 'unknown agent; add a {"kind":"agent"} record to the batch or import it first', goal.agent))
        keys = criteria_keys.get(goal.scorecard)
        if keys is None:
            batch.problem(_at(source, "scorecard", 'unknown scorecard; add a {"kind":"scorecard"} record to the batch or import it first', goal.scorecard))
        elif goal.criterion not in keys:
            batch.problem(_at(source, "criterion", f"not a criterion of scorecard {goal.scorecard}", goal.criterion))
    _check_one_active(session, batch)

    every_key = set().union(*criteria_keys.values()) if criteria_keys else set()
    for assessment, source in batch.self_assessments.values():
        if assessment.agent not in known_agents:
            batch.problem(_at(source, "agent", 'unknown agent; add a {"kind":"agent"} record to the batch or import it first', assessment.agent))
        for key, rating in assessment.ratings.items():
            if key not in every_key:
                batch.problem(_at(source, f"ratings.{key}" if key.isidentifier() else "ratings", "not a criterion of any scorecard", key))
            elif rating not in rules.SELF_RATINGS:
                words = ", ".join(f"{value} ({word})" for value, (word, *_) in rules.SELF_RATINGS.items())
                batch.problem(_at(source, f"ratings.{key}" if key.isidentifier() else "ratings", f"must be one of {words}", rating))


def _check_one_active(session: Session, batch: Batch) -> None:
    # One behaviour at a time: after the import, each agent has at most one active goal.
    active: dict[str, list[tuple[datetime, Source | None]]] = defaultdict(list)
    for (agent, start), (goal, source) in batch.goals.items():
        if goal.status == GoalStatus.active:
            active[agent].append((start, source))
    agents = sorted({agent for agent, _ in batch.goals})
    for goal in _rows_of(session, Goal, agents):
        start = _utc(goal.started_at)
        if goal.status == GoalStatus.active.value and (goal.agent_id, start) not in batch.goals:
            active[goal.agent_id].append((start, None))  # type: ignore[arg-type]
    for agent, goals in active.items():
        if len(goals) < 2:
            continue
        for start, source in goals:
            if source is None:
                continue  # the stored one: the problem is the batch's
            others = ", ".join(instant_text(other) for other, _ in goals if other != start)
            batch.problem(
                _at(source, "status",
                    f"{agent} would have two active goals (another started {others}); an agent works on "
                    "one behaviour at a time: give the other its status and ended_at", "active")
            )


def _rows_of(session: Session, table: type[Row], agents: Iterable[str], *order: Any) -> list[Row]:
    """The stored rows of these agents in `table` (goals, self-assessments), in `order`."""
    agents = sorted(agents)
    found: list[Row] = []
    for start in range(0, len(agents), IN_LIST_SIZE):
        query = select(table).where(col(table.agent_id).in_(agents[start : start + IN_LIST_SIZE]))  # type: ignore[attr-defined]
        found.extend(session.exec(query.order_by(*order)).all())
    return found


def _replaced(row: Goal | SelfAssessment, values: dict[str, Any]) -> bool:
    """Give the stored row these values; whether any differed (moments compared in UTC)."""
    stored = {name: getattr(row, name) for name in values}
    if {name: _utc(v) if isinstance(v, datetime) else v for name, v in stored.items()} == values:
        return False
    for name, value in values.items():
        setattr(row, name, value)
    return True


# ------------------------------------------------------------------- writing


def write_goals(session: Session, batch: Batch, tally: Tally, affected: set[str]) -> None:
    """Add or replace the batch's goals; agents whose goals changed join `affected`."""
    if not batch.goals:
        return
    criterion_ids = {
        (scorecard, key): criterion_id
        for criterion_id, scorecard, key in session.exec(
            select(Criterion.id, Criterion.scorecard_id, Criterion.key).where(
                col(Criterion.scorecard_id).in_(sorted({goal.scorecard for goal, _ in batch.goals.values()}))
            )
        )
    }
    stored = {(goal.agent_id, _utc(goal.started_at)): goal for goal in _rows_of(session, Goal, {a for a, _ in batch.goals})}
    # Ended goals first, so that the database's one-active-goal rule holds after every statement.
    ordered = sorted(batch.goals.items(), key=lambda item: item[1][0].status == GoalStatus.active)
    for key, (goal, _) in ordered:
        values = {
            "criterion_id": criterion_ids[(goal.scorecard, goal.criterion)],
            "status": goal.status.value,
            "baseline_met": goal.baseline_met,
            "baseline_applicable": goal.baseline_applicable,
            "target_met": goal.target_met,
            "target_window": goal.target_window,
            "ended_at": _utc(goal.ended_at),
            "drop_reason": goal.reason,
        }
        row = stored.get(key)
        if row is None:
            session.add(Goal(agent_id=goal.agent, started_at=key[1], **values))
            tally.added += 1
        elif _replaced(row, values):
            row.mastered_at = None  # derived again from the calls below
            tally.changed += 1
        else:
            tally.unchanged += 1
            continue
        affected.add(goal.agent)
        session.flush()


def write_self_assessments(session: Session, batch: Batch, tally: Tally, affected: set[str]) -> None:
    """Add or replace the batch's self-assessments; a draft the agent saved later than the batch's is kept."""
    if not batch.self_assessments:
        return
    rows = _rows_of(
        session, SelfAssessment, {agent for agent, _ in batch.self_assessments},
        col(SelfAssessment.updated_at).desc(), col(SelfAssessment.id).desc(),
    )
    stored: dict[tuple[str, datetime | None], SelfAssessment] = {}
    for row in rows:
        stored.setdefault((row.agent_id, _utc(row.submitted_at)), row)  # a draft: the latest saved
    for key, (assessment, _) in batch.self_assessments.items():
        updated = _utc(assessment.updated_at or assessment.submitted_at) or batch.now
        values = {
            "session_on": assessment.session_on,
            "strengths": assessment.strengths,
            "struggles": assessment.struggles,
            "want_to_work_on": assessment.want_to_work_on,
            "ratings": dict(assessment.ratings),
            "updated_at": updated,
        }
        row = stored.get(key)
        if row is None:
            session.add(SelfAssessment(agent_id=assessment.agent, submitted_at=key[1], **values))
            tally.added += 1
        elif key[1] is None and _utc(row.updated_at) > updated:  # type: ignore[operator]
            tally.unchanged += 1  # the agent wrote on after this backup: their newer words stay
            continue
        elif _replaced(row, values):
            tally.changed += 1
        else:
            tally.unchanged += 1
            continue
        affected.add(assessment.agent)
    session.flush()
