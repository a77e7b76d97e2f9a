"""Coaching sessions: planned, moved or cancelled before, noted after, confirmed by the agent, checked in on.

A session is where the self-assessment, the goal and the evidence meet; its
effect is decided in the days after. A coach or lead plans one (`add_session`),
may move or cancel it before it happens, and notes after it what was agreed:
the behaviour (usually the goal's), what the agent will do, notes, and the day
to check in. The agent confirms the agreement as they heard it, or says what
they heard differently. From the follow-up day the check-in compares the agreed
behaviour on the calls since the session with the same number of applicable
calls before it, CSAT and first-contact resolution on those same calls, under
the one sample rule.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, exists, text
from sqlmodel import Session, col, select

from . import rules
from .clock import local_time
from .db import refused_as, through_login, unit_of_work
from .errors import NextcallError
from .models import (
    Agent,
    CoachingSession,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    GoalStatus,
    Outcome,
    SessionStatus,
    utc_now,
)
from .views import CheckInView, CoachingNowView, EffectivenessView, GoalCoachingView, SessionView, SideView


class SessionError(NextcallError):
    """A coaching session cannot be planned, changed or confirmed as asked."""

    title = "Coaching session"


def _refused_in_words() -> AbstractContextManager[None]:
    return refused_as(SessionError)


# --------------------------------------------------------------- read models


def _view(row: CoachingSession, key: str | None, name: str | None) -> SessionView:
    return SessionView(
        row.id, row.agent_id, row.coach, row.scheduled_at, SessionStatus(row.status), key, name, row.will_do,
        row.notes, row.follow_up_on, row.confirmed_at, row.heard_differently,
    )


def _rows(session: Session, agent_ids: list[str]) -> list[SessionView]:
    query = (
        select(CoachingSession, Criterion.key, Criterion.name)
        .join(Criterion, col(Criterion.id) == CoachingSession.criterion_id, isouter=True)
        .where(col(CoachingSession.agent_id).in_(agent_ids))
        .order_by(CoachingSession.scheduled_at, CoachingSession.id)
    )
    return [_view(row, key, name) for row, key, name in session.exec(query)]


def sessions_in(session: Session, agent_id: str) -> list[SessionView]:
    """The agent's sessions, cancelled ones too, earliest first."""
    return _rows(session, [agent_id])


def sessions_of(db: Engine, *, agent_id: str) -> list[SessionView]:
    with Session(db) as session:
        return sessions_in(session, agent_id)


def upcoming(sessions: list[SessionView], now: datetime) -> list[SessionView]:
    """Sessions still to come (not cancelled), soonest first."""
    return [s for s in sessions if s.status is SessionStatus.scheduled and s.scheduled_at > now]


def last_held(sessions: list[SessionView], now: datetime) -> SessionView | None:
    """The latest session that has happened (not cancelled), or None."""
    held = [s for s in sessions if s.status is SessionStatus.scheduled and s.scheduled_at <= now]
    return held[-1] if held else None


def session_days(db: Engine, *, agent_id: str, now: datetime, zone: Any = None) -> list[date]:
    """The days of the agent's upcoming sessions, in the viewer's zone: what a self-assessment may be for."""
    return [local_time(s.scheduled_at, zone).day for s in upcoming(sessions_of(db, agent_id=agent_id), now)]


# ----------------------------------------------------------------- check-in


def _applied_calls(session: Session, agent_id: str, key: str, *, since: datetime | None = None,
                   before: datetime | None = None, limit: int | None = None) -> list[rules.CallOutcomes]:
    """The agent's calls where the behaviour (by key, across scorecard versions) applied, newest first."""
    from .queries import _CALL_COLUMNS, _calls

    applied = exists().where(
        CriterionResult.evaluation_id == Evaluation.id,
        col(CriterionResult.criterion_id).in_(select(Criterion.id).where(Criterion.key == key)),
        CriterionResult.outcome != Outcome.na.value,
    )
    query = select(*_CALL_COLUMNS).where(Evaluation.agent_id == agent_id, applied)
    if since is not None:
        query = query.where(Evaluation.occurred_at >= since)
    if before is not None:
        query = query.where(Evaluation.occurred_at < before)
    query = query.order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.call_id).desc())
    return [call for _, call in _calls(session, query.limit(limit) if limit else query)]


def effect_since(session: Session, agent_id: str, key: str, moment: datetime) -> EffectivenessView:
    """The behaviour on the calls since `moment` against the same number of applicable calls before it."""
    after = _applied_calls(session, agent_id, key, since=moment)
    before = _applied_calls(session, agent_id, key, before=moment, limit=max(len(after), 1)) if after else []
    effect = rules.effectiveness(before, after, key)

    def side(s: rules.Side) -> SideView:
        return SideView(s.calls, s.behaviour.met, s.behaviour.applicable, s.mean_csat, s.fcr_rate)

    return EffectivenessView(side(effect.before), side(effect.after), effect.enough, effect.min_sample)


def check_in_for(session: Session, coaching: SessionView, today: date) -> CheckInView | None:
    """The check-in of a held session with an agreed behaviour, once its follow-up day has come."""
    if coaching.follow_up_on is None or coaching.behaviour_key is None or today < coaching.follow_up_on:
        return None
    return CheckInView(coaching, effect_since(session, coaching.agent_id, coaching.behaviour_key, coaching.scheduled_at))


def check_in(db: Engine, *, agent_id: str, now: datetime | None = None, zone: Any = None) -> CheckInView | None:
    """The agent's check-in due now: the last held session's, from its follow-up day; else None."""
    now = now or utc_now()
    with Session(db) as session:
        held = last_held(sessions_in(session, agent_id), now)
        return check_in_for(session, held, local_time(now, zone).day) if held is not None else None


def coaching_now(db: Engine, *, agent_id: str, now: datetime, zone: Any) -> CoachingNowView:
    """The agent's sessions as Home shows them, as of `now`."""
    from .queries import self_assessment_view

    found = sessions_of(db, agent_id=agent_id)
    coming = upcoming(found, now)
    following = coming[0] if coming else None
    assessed = False
    if following is not None:
        day_of = local_time(following.scheduled_at, zone).day
        assessment = self_assessment_view(db, agent_id=agent_id, now=now)
        assessed = assessment is not None and any(past.session_on == day_of for past in assessment.past)
    return CoachingNowView(following, last_held(found, now), assessed, local_time(now, zone).day)


def goal_coaching(db: Engine, *, agent_id: str, key: str | None, now: datetime, zone: Any) -> GoalCoachingView:
    """The check-in due now and the goal behaviour `key` since each held session, as the Goal screen shows them."""
    check = check_in(db, agent_id=agent_id, now=now, zone=zone)
    held = [s for s in sessions_of(db, agent_id=agent_id) if s.held(now)]
    since: list[CheckInView] = []
    if key is not None and held:
        with Session(db) as session:
            since = [CheckInView(s, effect_since(session, agent_id, key, s.scheduled_at)) for s in reversed(held)]
    return GoalCoachingView(check, tuple(since))


# ----------------------------------------------------------------- commands


def _behaviour(session: Session, agent_id: str, key: str | None) -> int | None:
    """The criterion of the agent's current scorecard a session agrees on: `key`, else the active goal's."""
    from .queries import latest_scorecard_in

    if key is None:
        goal = session.exec(select(Goal).where(Goal.agent_id == agent_id, Goal.status == GoalStatus.active.value)).first()
        return goal.criterion_id if goal is not None else None
    scorecard = latest_scorecard_in(session, agent_id)
    found = session.exec(
        select(Criterion.id).where(Criterion.scorecard_id == scorecard, Criterion.key == key)
    ).first() if scorecard else None
    if found is None:
        raise SessionError(f"{key!r} is not a behaviour of {agent_id}'s scorecard.")
    return found


def _agent(session: Session, agent_id: str) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise SessionError(f"There is no agent {agent_id!r} in this database; check the id (such as a.khan).")
    return agent


def _session(session: Session, session_id: str) -> CoachingSession:
    row = session.get(CoachingSession, session_id)
    if row is None:
        raise SessionError(f"There is no coaching session {session_id!r}; `nextcall session list AGENT` lists them.")
    return row


def session_id_for(agent_id: str, at: datetime) -> str:
    """A new session's id: the agent's id and its first planned time (kept when it moves)."""
    return f"{agent_id[:48]}-{at.astimezone().strftime('%Y%m%d-%H%M')}"


def add_session(
    db: Engine,
    *,
    agent_id: str,
    coach: str,
    at: datetime,
    behaviour: str | None = None,
    follow_up_on: date | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> str:
    """Plan a session; returns its id. The behaviour defaults to the agent's active goal's.

    Raises:
        SessionError: no such agent or behaviour, a coach without a name, a time in the past, or a follow-up before it.
    """
    now = now or utc_now()
    if not rules.has_words(coach):
        raise SessionError("Say who coaches: --coach NAME.")
    if at.tzinfo is None:
        raise SessionError("A session's time needs its time zone.")
    if at < now - timedelta(minutes=5):
        raise SessionError("A session is planned ahead: that time has passed (note a past session with `session note`).")
    if follow_up_on is not None and follow_up_on < at.date():
        raise SessionError("The follow-up comes after the session.")
    with _refused_in_words(), unit_of_work(db) as session:
        _agent(session, agent_id)
        criterion_id = _behaviour(session, agent_id, behaviour)
        session_id = session_id_for(agent_id, at)
        if session.get(CoachingSession, session_id) is not None:
            raise SessionError(f"{agent_id} already has a session at that time ({session_id}).")
        if through_login(session):
            session.connection().execute(
                text("SELECT nextcall_access.add_session(:id, :agent, :coach, :at, :criterion, :follow_up, :notes)"),
                {"id": session_id, "agent": agent_id, "coach": coach.strip(), "at": at, "criterion": criterion_id,
                 "follow_up": follow_up_on, "notes": notes},
            )
            return session_id
        session.add(CoachingSession(
            id=session_id, agent_id=agent_id, coach=coach.strip(), scheduled_at=at, criterion_id=criterion_id,
            follow_up_on=follow_up_on, notes=notes.strip() if notes and rules.has_words(notes) else None,
        ))
        return session_id


def move_session(db: Engine, *, session_id: str, to: datetime, now: datetime | None = None) -> None:
    """Move a planned session that has not happened yet.

    Raises:
        SessionError: no such session, cancelled, already happened, or to a time past.
    """
    now = now or utc_now()
    with _refused_in_words(), unit_of_work(db) as session:
        row = _before_it_happens(session, session_id, now, "moved")
        if to < now:
            raise SessionError("A session moves to a time still to come.")
        if through_login(session):  # the database drops a follow-up the move passed itself
            session.connection().execute(text("SELECT nextcall_access.move_session(:id, :to)"), {"id": session_id, "to": to})
            return
        if row.follow_up_on is not None and row.follow_up_on < to.date():
            row.follow_up_on = None
        row.scheduled_at = to


def cancel_session(db: Engine, *, session_id: str, now: datetime | None = None) -> None:
    """Cancel a planned session that has not happened yet."""
    now = now or utc_now()
    with _refused_in_words(), unit_of_work(db) as session:
        row = _before_it_happens(session, session_id, now, "cancelled")
        if through_login(session):
            session.connection().execute(text("SELECT nextcall_access.cancel_session(:id)"), {"id": session_id})
            return
        row.status = SessionStatus.cancelled.value


def _before_it_happens(session: Session, session_id: str, now: datetime, verb: str) -> CoachingSession:
    row = _session(session, session_id)
    if row.status == SessionStatus.cancelled.value:
        raise SessionError(f"Session {session_id} was cancelled: plan a new one.")
    if row.scheduled_at <= now:
        raise SessionError(f"Session {session_id} has happened: it can be noted, not {verb}.")
    return row


def note_session(
    db: Engine,
    *,
    session_id: str,
    behaviour: str | None = None,
    will_do: str | None = None,
    notes: str | None = None,
    follow_up_on: date | None = None,
    now: datetime | None = None,
) -> None:
    """After a session: what was agreed (the behaviour, what the agent will do), notes, when to check in.

    Fields not given stay as they are.

    Raises:
        SessionError: no such session, cancelled, not happened yet, or a follow-up before it.
    """
    now = now or utc_now()
    with _refused_in_words(), unit_of_work(db) as session:
        row = _session(session, session_id)
        if row.status == SessionStatus.cancelled.value:
            raise SessionError(f"Session {session_id} was cancelled: there is nothing to note.")
        if row.scheduled_at > now:
            raise SessionError(f"Session {session_id} has not happened yet: note it after it.")
        if follow_up_on is not None and follow_up_on < row.scheduled_at.date():
            raise SessionError("The follow-up comes after the session.")
        criterion_id = _behaviour(session, row.agent_id, behaviour) if behaviour is not None else row.criterion_id
        values = {
            "criterion_id": criterion_id,
            "will_do": will_do.strip() if will_do and rules.has_words(will_do) else row.will_do,
            "notes": notes.strip() if notes and rules.has_words(notes) else row.notes,
            "follow_up_on": follow_up_on or row.follow_up_on,
        }
        if through_login(session):
            session.connection().execute(
                text("SELECT nextcall_access.note_session(:id, :criterion_id, :will_do, :notes, :follow_up_on)"),
                {"id": session_id, **values},
            )
            return
        for name, value in values.items():
            setattr(row, name, value)


def confirm_session(
    db: Engine, *, agent_id: str, session_id: str, heard_differently: str | None = None, now: datetime | None = None
) -> None:
    """The agent confirms the agreement of a held session as they heard it, or says what they heard differently.

    Raises:
        SessionError: not the agent's session, not held yet, or nothing agreed to confirm.
    """
    now = now or utc_now()
    differently = heard_differently.strip() if heard_differently and rules.has_words(heard_differently) else None
    with _refused_in_words(), unit_of_work(db) as session:
        row = session.get(CoachingSession, session_id)
        if row is None or row.agent_id != agent_id:
            raise SessionError(f"No coaching session {session_id} of yours.")
        if row.status == SessionStatus.cancelled.value or row.scheduled_at > now:
            raise SessionError("Confirm a session after it has happened.")
        if row.will_do is None:
            raise SessionError("Nothing was noted as agreed yet: your coach notes it after the session.")
        if through_login(session):
            session.connection().execute(
                text("SELECT nextcall_access.confirm_session(:id, :differently)"), {"id": session_id, "differently": differently}
            )
            return
        row.confirmed_at, row.heard_differently = (None, differently) if differently else (now, None)
