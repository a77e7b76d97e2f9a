"""The team lead's view: one row per agent, and what needs attention first.

For each agent of a team: their goal and its progress since it started, the
agreed behaviour since the last session, the last and the next session,
whether the self-assessment for the next one is in, a check-in that is due,
open disputes, and the one thing that needs the lead's attention first
(`rules.attention`). It reads only what the caller may read: on a shared
database a lead's login sees its own team.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from . import rules
from .clock import local_time
from .models import Agent, Dispute, DisputeStatus, SelfAssessment, Team, utc_now
from .queries import current_goal_in
from .sessions import check_in_for, effect_since, last_held, sessions_in, upcoming
from .views import TeamRowView, TeamScreenView


def team_view(db: Engine, *, team_id: str | None = None, now: datetime | None = None, zone: Any = None) -> TeamScreenView:
    """The team's rows, most in need of attention first (every agent the caller may read when `team_id` is None)."""
    now = now or utc_now()
    today = local_time(now, zone).day
    with Session(db) as session:
        team = session.get(Team, team_id) if team_id else None
        query = select(Agent).order_by(Agent.name)
        if team_id is not None:
            query = query.where(Agent.team_id == team_id)
        rows = [_row(session, agent, now, today) for agent in session.exec(query)]
    rows.sort(key=lambda row: (row.attention_rank, row.name))
    return TeamScreenView(team_id, team.name if team else None, tuple(rows), now)


def _row(session: Session, agent: Agent, now: datetime, today: Any) -> TeamRowView:
    goal = current_goal_in(session, agent.id)
    sessions = sessions_in(session, agent.id)
    held = last_held(sessions, now)
    coming = upcoming(sessions, now)
    next_session = coming[0] if coming else None
    check = check_in_for(session, held, today) if held is not None else None
    key = (held.behaviour_key if held is not None else None) or (goal.criterion.key if goal is not None else None)
    since_session = effect_since(session, agent.id, key, held.scheduled_at) if held is not None and key else None
    assessed = False
    if next_session is not None:
        day = local_time(next_session.scheduled_at).day
        assessed = session.exec(
            select(SelfAssessment.id).where(
                SelfAssessment.agent_id == agent.id, SelfAssessment.session_on == day,
                col(SelfAssessment.submitted_at).is_not(None),
            )
        ).first() is not None
    open_disputes = len(session.exec(
        select(Dispute.id).where(Dispute.agent_id == agent.id, Dispute.status == DisputeStatus.open.value)
    ).all())
    stuck_days = None
    if goal is not None and goal.status == "active":
        stuck_days = (now - goal.started_at).days
    reason, rank = rules.attention(
        check_in_due=check is not None and (next_session is None or next_session.scheduled_at > now),
        follow_up_on=held.follow_up_on if held is not None else None,
        goal_days=stuck_days,
        goal_rate=(goal.met_in_window / goal.in_window) if goal is not None and goal.in_window else None,
        dropped_after_session=_dropped(since_session),
        session_soon=next_session is not None and next_session.scheduled_at - now <= timedelta(days=3),
        self_assessed=assessed,
        open_disputes=open_disputes,
        today=today,
    )
    return TeamRowView(
        agent.id, agent.name, goal, since_session, held, next_session, assessed, check, open_disputes, reason, rank,
    )


def _dropped(effect: Any) -> bool:
    """The agreed behaviour went down since the session, on enough calls to tell."""
    if effect is None or not effect.enough:
        return False
    before, after = effect.before.pass_rate, effect.after.pass_rate
    return before is not None and after is not None and after + rules.ATTENTION_DROP <= before
