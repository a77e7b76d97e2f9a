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
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from .badges import AgentHistory, CallRecord, GoalRecord, badge_states, daily_points, mastering_call
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
from .db import IN_LIST_SIZE
from .rules import Target, counts_as_listened_first


_OUTCOMES = {outcome.value: outcome for outcome in Outcome}


def outcomes_by_call(session: Session, evaluation_ids: Sequence[int]) -> dict[int, dict[str, Outcome]]:
    """Each evaluation's outcomes by criterion key (criteria it does not name are absent: `na`)."""
    outcomes: dict[int, dict[str, Outcome]] = defaultdict(dict)
    ids = list(evaluation_ids)
    for start in range(0, len(ids), IN_LIST_SIZE):
        for evaluation_id, key, outcome in session.execute(
            select(CriterionResult.evaluation_id, Criterion.key, CriterionResult.outcome)
            .join(Criterion, col(Criterion.id) == CriterionResult.criterion_id)
            .where(col(CriterionResult.evaluation_id).in_(ids[start : start + IN_LIST_SIZE]))
        ):
            outcomes[evaluation_id][key] = _OUTCOMES[outcome]
    return outcomes


def agent_history(session: Session, agent_id: str) -> AgentHistory:
    """Everything recognition is derived from, for one agent."""
    return agent_histories(session, [agent_id])[agent_id]


def agent_histories(session: Session, agent_ids: Iterable[str]) -> dict[str, AgentHistory]:
    """Everything recognition is derived from, for each of these agents.

    A few set queries per 500 agents, whatever their number of calls: after a
    large import this reads every affected call once, not once per agent.
    """
    keys: dict[int, str] = {}
    critical_keys: dict[str, set[str]] = defaultdict(set)
    for criterion_id, key, scorecard_id, critical in session.execute(
        select(Criterion.id, Criterion.key, Criterion.scorecard_id, Criterion.critical)
    ):
        keys[criterion_id] = key
        if critical:
            critical_keys[scorecard_id].add(key)
    critical = defaultdict(frozenset, {scorecard: frozenset(found) for scorecard, found in critical_keys.items()})

    wanted = sorted(set(agent_ids))
    histories: dict[str, AgentHistory] = {}
    for start in range(0, len(wanted), IN_LIST_SIZE):
        chunk = wanted[start : start + IN_LIST_SIZE]
        outcomes: dict[int, dict[str, Outcome]] = defaultdict(dict)
        for evaluation_id, criterion_id, outcome in session.execute(
            select(CriterionResult.evaluation_id, CriterionResult.criterion_id, CriterionResult.outcome)
            .join(Evaluation, col(Evaluation.id) == CriterionResult.evaluation_id)
            .where(col(Evaluation.agent_id).in_(chunk))
        ):
            outcomes[evaluation_id][keys[criterion_id]] = _OUTCOMES[outcome]
        calls: dict[str, list[CallRecord]] = {agent_id: [] for agent_id in chunk}
        for evaluation_id, agent_id, occurred_at, score, scorecard_id in session.execute(
            select(Evaluation.id, Evaluation.agent_id, Evaluation.occurred_at, Evaluation.score, Evaluation.scorecard_id)
            .where(col(Evaluation.agent_id).in_(chunk))
            # Ties at one instant go by call id, so recognition never depends on import order.
            .order_by(Evaluation.agent_id, Evaluation.occurred_at, Evaluation.call_id)
        ):
            calls[agent_id].append(
                CallRecord(evaluation_id, occurred_at, outcomes.get(evaluation_id, {}), score, critical[scorecard_id])
            )
        goals: dict[str, list[GoalRecord]] = defaultdict(list)
        for goal in session.exec(
            select(Goal).where(col(Goal.agent_id).in_(chunk)).order_by(Goal.agent_id, Goal.started_at)
        ):
            goals[goal.agent_id].append(
                GoalRecord(
                    keys[goal.criterion_id],
                    goal.started_at,
                    None if goal.status == GoalStatus.active.value else goal.ended_at,
                    Target(goal.target_met, goal.target_window),
                    goal.id,
                )
            )
        on_time: dict[str, list[datetime]] = defaultdict(list)
        for a in session.exec(select(SelfAssessment).where(col(SelfAssessment.agent_id).in_(chunk))):
            if a.submitted_at is not None and counts_as_listened_first(
                a.submitted_at, a.session_on, a.strengths, a.struggles, a.want_to_work_on
            ):
                on_time[a.agent_id].append(a.submitted_at)
        for agent_id in chunk:
            histories[agent_id] = AgentHistory(calls[agent_id], goals[agent_id], sorted(on_time[agent_id]))
    return histories


def refresh_recognition(session: Session, agent_ids: Iterable[str]) -> list[BadgeAward]:
    """Bring stored awards and points in line with each agent's history; returns awards new to the store."""
    new_awards: list[BadgeAward] = []
    wanted = sorted(set(agent_ids))
    for start in range(0, len(wanted), IN_LIST_SIZE):
        new_awards.extend(_refresh(session, wanted[start : start + IN_LIST_SIZE]))
    session.flush()
    return new_awards


def _refresh(session: Session, agent_ids: list[str]) -> list[BadgeAward]:
    new_awards: list[BadgeAward] = []
    histories = agent_histories(session, agent_ids)
    all_awards: dict[str, dict[str, BadgeAward]] = defaultdict(dict)
    for award in session.exec(select(BadgeAward).where(col(BadgeAward.agent_id).in_(agent_ids))):
        all_awards[award.agent_id][award.badge_id] = award
    all_entries: dict[str, dict[tuple[date, str], PointsEntry]] = defaultdict(dict)
    for entry in session.exec(select(PointsEntry).where(col(PointsEntry.agent_id).in_(agent_ids))):
        all_entries[entry.agent_id][(entry.day, entry.source)] = entry
    goals = {goal.id: goal for goal in session.exec(select(Goal).where(col(Goal.agent_id).in_(agent_ids)))}
    for agent_id in agent_ids:
        history = histories[agent_id]
        states = badge_states(history)
        stored = all_awards[agent_id]
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
        entries = all_entries[agent_id]
        for key, points in wanted.items():
            entry = entries.pop(key, None)
            if entry is None:
                session.add(PointsEntry(agent_id=agent_id, day=key[0], source=key[1], points=points))
            elif entry.points != points:
                entry.points = points
        for entry in entries.values():
            session.delete(entry)
        for goal in history.goals:
            stored_goal = goals.get(goal.goal_id) if goal.goal_id is not None else None
            mastered = mastering_call(history, goal)
            at = mastered.occurred_at if mastered is not None else None
            if stored_goal is not None and stored_goal.mastered_at != at:
                stored_goal.mastered_at = at  # what the leaderboard's goal progress stops at
    return new_awards
