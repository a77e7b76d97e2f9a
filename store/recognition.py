"""Keeping badge awards and points in step with the evaluations, goals and self-assessments.

`refresh_recognition` derives an agent's badges and points afresh from their
whole history (`badges.py`) and brings the stored rows to match: new awards
added, revoked ones removed quietly, points per day and source replaced. It
runs in the caller's transaction after every import and goal change, for the
agents concerned, so that stored recognition always equals a full
recomputation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, col, select

from .badges import AgentHistory, CallRecord, GoalRecord, badge_states, daily_points
from .models import (
    BadgeAward,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    GoalStatus,
    Outcome,
    PointsEntry,
    SelfAssessment,
)
from .rules import Target


def agent_history(session: Session, agent_id: str) -> AgentHistory:
    """Everything recognition is derived from, for one agent."""
    criteria = {c.id: c for c in session.exec(select(Criterion))}
    critical: dict[str, frozenset[str]] = defaultdict(frozenset)
    by_scorecard: dict[str, set[str]] = defaultdict(set)
    for criterion in criteria.values():
        if criterion.critical:
            by_scorecard[criterion.scorecard_id].add(criterion.key)
    critical.update({scorecard: frozenset(keys) for scorecard, keys in by_scorecard.items()})

    evaluations = session.exec(
        select(Evaluation).where(Evaluation.agent_id == agent_id).order_by(Evaluation.occurred_at, Evaluation.call_id)
    ).all()
    outcomes: dict[int, dict[str, Outcome]] = defaultdict(dict)
    ids = [e.id for e in evaluations]
    for start in range(0, len(ids), 500):
        for evaluation_id, criterion_id, outcome in session.exec(
            select(CriterionResult.evaluation_id, CriterionResult.criterion_id, CriterionResult.outcome).where(
                col(CriterionResult.evaluation_id).in_(ids[start : start + 500])
            )
        ):
            outcomes[evaluation_id][criteria[criterion_id].key] = Outcome(outcome)
    calls = [
        CallRecord(e.id, e.occurred_at, outcomes.get(e.id, {}), e.score, critical[e.scorecard_id])  # type: ignore[arg-type]
        for e in evaluations
    ]
    goals = [
        GoalRecord(
            criteria[g.criterion_id].key,
            g.started_at,
            None if g.status == GoalStatus.active.value else g.ended_at,
            Target(g.target_met, g.target_window),
        )
        for g in session.exec(select(Goal).where(Goal.agent_id == agent_id).order_by(Goal.started_at))
    ]
    on_time = [
        a.submitted_at
        for a in session.exec(select(SelfAssessment).where(SelfAssessment.agent_id == agent_id))
        if a.submitted_at is not None and a.session_on is not None and a.submitted_at.date() <= a.session_on
    ]
    return AgentHistory(calls, goals, sorted(on_time))


def refresh_recognition(session: Session, agent_ids: Iterable[str]) -> list[BadgeAward]:
    """Bring stored awards and points in line with each agent's history; returns awards new to the store."""
    new_awards: list[BadgeAward] = []
    for agent_id in sorted(set(agent_ids)):
        history = agent_history(session, agent_id)
        states = badge_states(history)
        stored = {a.badge_id: a for a in session.exec(select(BadgeAward).where(BadgeAward.agent_id == agent_id))}
        for badge_id, state in states.items():
            award = stored.pop(badge_id, None)
            if state.earned is None:
                if award is not None:
                    session.delete(award)  # revoked quietly: the history no longer earns it
                continue
            if award is None:
                award = BadgeAward(
                    agent_id=agent_id, badge_id=badge_id, awarded_at=state.earned.at, evaluation_id=state.earned.evaluation_id
                )
                session.add(award)
                new_awards.append(award)
            elif (award.awarded_at, award.evaluation_id) != (state.earned.at, state.earned.evaluation_id):
                award.awarded_at, award.evaluation_id = state.earned.at, state.earned.evaluation_id
        for leftover in stored.values():  # a badge no longer in the catalogue
            session.delete(leftover)

        wanted = daily_points(history, states)
        entries = {(p.day, p.source): p for p in session.exec(select(PointsEntry).where(PointsEntry.agent_id == agent_id))}
        for key, points in wanted.items():
            entry = entries.pop(key, None)
            if entry is None:
                session.add(PointsEntry(agent_id=agent_id, day=key[0], source=key[1], points=points))
            elif entry.points != points:
                entry.points = points
        for entry in entries.values():
            session.delete(entry)
    session.flush()
    return new_awards
