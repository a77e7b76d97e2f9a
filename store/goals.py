"""Goal commands: start one behaviour to work on, or set it aside.

One active goal per agent (the database refuses a second). A goal whose
target has held twice in a row is mastered; starting the next one closes it
as mastered, never on the agent's behalf.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from . import rules
from .db import refused_as, through_login, unit_of_work
from .errors import NextcallError
from .models import Criterion, CriterionResult, Evaluation, Goal, GoalStatus, Outcome, utc_now
from .privacy import can_derive_recognition
from .queries import current_goal_in, latest_scorecard_in
from .recognition import refresh_recognition


class GoalError(NextcallError):
    """A goal cannot be started or dropped as asked."""

    title = "Goal"


def _refused_as_goal_error() -> AbstractContextManager[None]:
    """On a shared database the store itself checks an agent's goals (see README, Data and privacy): word its refusal."""
    return refused_as(GoalError, "The team's database refused this goal: {reason}. "
                                 "Ask whoever looks after it about the goal target nextcall is set up with.")


def start_goal(
    db: Engine,
    *,
    agent_id: str,
    criterion_key: str,
    target: rules.Target = rules.Target(),
    now: datetime | None = None,
) -> int:
    """Start working on a behaviour of the agent's current scorecard; returns the goal's id.

    The baseline is the pass rate on the `target.window` applicable calls before
    now. A current goal that is mastered is closed as mastered first; one that
    is not must be dropped first.

    Raises:
        GoalError: no such behaviour on the agent's scorecard, or a goal still in progress.
    """
    now = now or utc_now()
    with _refused_as_goal_error(), unit_of_work(db) as session:
        criterion = _behaviour(session, agent_id, criterion_key)
        current = current_goal_in(session, agent_id)
        if current is not None and current.status != GoalStatus.mastered.value:
            raise GoalError(f"You are still working on {current.criterion.name}. Drop it first (d) to start another.")
        if through_login(session):
            # The database starts it, now, with the baseline it computes itself (migration 0006).
            call = session.connection().execute
            if current is not None and current.id is not None:
                call(text("SELECT nextcall_access.end_goal('mastered', :at, NULL)"), {"at": current.mastered_at})
            made = call(
                text("SELECT nextcall_access.start_goal(:criterion, :met, :window)"),
                {"criterion": criterion.id, "met": target.met, "window": target.window},
            ).scalar()
            return int(made)
        if current is not None:
            stored = session.get(Goal, current.id)
            assert stored is not None
            stored.status = GoalStatus.mastered.value
            stored.ended_at = current.mastered_at
            session.flush()
        baseline = rules.pass_rate(_outcomes_before(session, agent_id, criterion.id, now, target.window))
        goal = Goal(
            agent_id=agent_id,
            criterion_id=criterion.id,
            status=GoalStatus.active.value,
            baseline_met=baseline.met,
            baseline_applicable=baseline.applicable,
            target_met=target.met,
            target_window=target.window,
            started_at=now,
        )
        session.add(goal)
        session.flush()
        if can_derive_recognition(session):  # else the owner's next import or `nextcall db refresh`
            refresh_recognition(session, [agent_id])
        assert goal.id is not None
        return goal.id


def _behaviour(session: Session, agent_id: str, criterion_key: str) -> Criterion:
    """The behaviour of the agent's current scorecard a goal would be on.

    Raises:
        GoalError: the agent has no scored calls, or the scorecard has no such behaviour.
    """
    scorecard_id = latest_scorecard_in(session, agent_id)
    if scorecard_id is None:
        raise GoalError(f"{agent_id} has no scored calls yet: a goal starts from a behaviour on your scorecard.")
    criterion = session.exec(
        select(Criterion).where(Criterion.scorecard_id == scorecard_id, Criterion.key == criterion_key)
    ).first()
    if criterion is None or criterion.id is None:
        raise GoalError(f"{criterion_key!r} is not a behaviour of scorecard {scorecard_id}.")
    return criterion


def already_landed(
    db: Engine, *, agent_id: str, criterion_key: str, target: rules.Target = rules.Target(), now: datetime | None = None
) -> str | None:
    """Why a goal on this behaviour would start already met (its baseline at the target), or None.

    Said before it starts, so the agent can choose the behaviour with more to gain, or insist."""
    now = now or utc_now()
    with Session(db) as session:
        try:
            criterion = _behaviour(session, agent_id, criterion_key)
        except GoalError:
            return None  # starting it says what is wrong
        assert criterion.id is not None
        baseline = rules.pass_rate(_outcomes_before(session, agent_id, criterion.id, now, target.window))
        if baseline.applicable < target.window or baseline.met < target.met:
            return None
        return (
            f"You already land “{criterion.name}” on {baseline.met} of your last {baseline.applicable} calls "
            f"where it applied: the target is {target.met} of {target.window}."
        )


def _outcomes_before(session: Session, agent_id: str, criterion_id: int, now: datetime, count: int) -> list[Outcome]:
    rows = session.exec(
        select(CriterionResult.outcome)
        .join(Evaluation, col(Evaluation.id) == CriterionResult.evaluation_id)
        .where(
            Evaluation.agent_id == agent_id,
            CriterionResult.criterion_id == criterion_id,
            CriterionResult.outcome != Outcome.na.value,
            Evaluation.occurred_at < now,
        )
        # Ties at one instant by id, so the database's check of an agent's goal (migration 0005) finds the same calls.
        .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc())
        .limit(count)
    ).all()
    return [Outcome(outcome) for outcome in rows]


def drop_goal(db: Engine, *, agent_id: str, reason: str | None = None, now: datetime | None = None) -> None:
    """Set the current goal aside, with the agent's reason if they gave one.

    Raises:
        GoalError: there is no goal to drop.
    """
    with _refused_as_goal_error(), unit_of_work(db) as session:
        goal = session.exec(
            select(Goal).where(Goal.agent_id == agent_id, Goal.status == GoalStatus.active.value)
        ).first()
        if goal is None:
            raise GoalError("There is no goal to drop.")
        if through_login(session):
            session.connection().execute(
                text("SELECT nextcall_access.end_goal('dropped', NULL, :reason)"), {"reason": reason}
            )
            return
        goal.status = GoalStatus.dropped.value
        goal.ended_at = now or utc_now()
        goal.drop_reason = reason.strip() if reason and reason.strip() else None
        session.flush()
        if can_derive_recognition(session):
            refresh_recognition(session, [agent_id])
