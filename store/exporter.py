"""Export: the store written back out as import format v1 (JSON Lines).

Every record that is not derived: teams, agents with their leaderboard
choice and aliases, scorecards, evaluations oldest first, call details, then what agents made
themselves (goals, self-assessments, drafts included). Badges, points and when
a goal stuck are derived again on import, so `export` into `import` on an
empty store gives the same store back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, col, select

from .errors import NextcallError
from .models import (
    Acknowledgement,
    Agent,
    AgentAlias,
    CallDetail,
    CoachingSession,
    Criterion,
    CriterionResult,
    Dispute,
    Evaluation,
    Goal,
    Scorecard,
    SelfAssessment,
    Team,
    instant_text,
)

_PAGE = 1000  # evaluations read at a time, so a large store streams out in little memory


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _drop_none(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}


def export_records(session: Session, *, team: str | None = None) -> Iterator[dict[str, Any]]:
    """Every record of the store (or of one team) as import-format dicts.

    Raises:
        NextcallError: the team does not exist.
    """
    if team is not None and session.get(Team, team) is None:
        known = ", ".join(session.exec(select(Team.id).order_by(Team.id)).all()) or "none yet"
        raise NextcallError(f"no team {team!r} in the store (teams: {known})", title="Export")

    teams = session.exec(select(Team).where(Team.id == team) if team else select(Team).order_by(Team.id)).all()
    for row in teams:
        yield _drop_none({"kind": "team", "id": row.id, "name": row.name})

    agent_query = select(Agent).order_by(Agent.id)
    if team:
        agent_query = agent_query.where(Agent.team_id == team)
    agents = session.exec(agent_query).all()
    agent_ids = [agent.id for agent in agents]
    aliases: dict[str, list[str]] = {}
    for alias, agent_id in session.exec(select(AgentAlias.alias, AgentAlias.agent_id).order_by(AgentAlias.alias)):
        aliases.setdefault(agent_id, []).append(alias)
    for agent in agents:
        record = {
            "kind": "agent", "id": agent.id, "name": agent.name, "team": agent.team_id,
            "leaderboard_opt_out": agent.leaderboard_opt_out,
        }
        if agent.id in aliases:
            record["aliases"] = aliases[agent.id]
        yield record

    scorecard_query = select(Scorecard).order_by(Scorecard.id)
    if team:
        used = select(Evaluation.scorecard_id).where(col(Evaluation.agent_id).in_(agent_ids))
        aimed = (
            select(Criterion.scorecard_id)
            .join(Goal, col(Goal.criterion_id) == Criterion.id)
            .where(col(Goal.agent_id).in_(agent_ids))
        )
        scorecard_query = scorecard_query.where(col(Scorecard.id).in_(used.union(aimed)))
    keys: dict[int, str] = {}
    for scorecard in session.exec(scorecard_query).all():
        criteria = session.exec(
            select(Criterion).where(Criterion.scorecard_id == scorecard.id).order_by(Criterion.position)
        ).all()
        keys.update({criterion.id: criterion.key for criterion in criteria if criterion.id is not None})
        yield {
            "kind": "scorecard",
            "id": scorecard.id,
            "name": scorecard.name,
            "criteria": [
                _drop_none(
                    {
                        "key": c.key,
                        "name": c.name,
                        "weight": _number(c.weight),
                        "critical": c.critical,
                        "next_call": c.next_call or None,
                        "lesson": c.lesson,
                    }
                )
                for c in criteria
            ],
        }

    yield from _evaluations(session, agent_ids if team else None, keys)
    yield from _calls(session, agent_ids if team else None)
    yield from _acknowledgements(session, agent_ids if team else None)
    yield from _disputes(session, agent_ids if team else None)
    yield from _goals(session, agent_ids if team else None)
    yield from _self_assessments(session, agent_ids if team else None)
    yield from _sessions(session, agent_ids if team else None)


def _calls(session: Session, agent_ids: list[str] | None) -> Iterator[dict[str, Any]]:
    query = select(CallDetail).order_by(CallDetail.call_id)
    if agent_ids is not None:
        # A team's backup has the details of its agents' calls; one of a call not evaluated yet is nobody's.
        query = query.join(Evaluation, col(Evaluation.call_id) == CallDetail.call_id).where(col(Evaluation.agent_id).in_(agent_ids))
    for call in session.exec(query):
        yield _drop_none(
            {
                "kind": "call",
                "call_id": call.call_id,
                "occurred_at": instant_text(call.occurred_at) if call.occurred_at else None,
                "channel": call.channel,
                "duration_s": call.duration_s,
                "csat": call.csat,
                "first_contact_resolution": call.first_contact_resolution,
                "recording_url": call.recording_url,
            }
        )


def _acknowledgements(session: Session, agent_ids: list[str] | None) -> Iterator[dict[str, Any]]:
    query = (
        select(Acknowledgement, Evaluation.call_id)
        .join(Evaluation, col(Evaluation.id) == Acknowledgement.evaluation_id)
        .order_by(Evaluation.call_id)
    )
    if agent_ids is not None:
        query = query.where(col(Acknowledgement.agent_id).in_(agent_ids))
    for seen, call_id in session.exec(query):
        record = {"kind": "acknowledgement", "call_id": call_id, "seen_at": instant_text(seen.seen_at), "comment": seen.comment}
        if not seen.current:
            record["current"] = False
        yield _drop_none(record)


def _disputes(session: Session, agent_ids: list[str] | None) -> Iterator[dict[str, Any]]:
    query = (
        select(Dispute, Evaluation.call_id, Criterion.key)
        .join(Evaluation, col(Evaluation.id) == Dispute.evaluation_id)
        .join(Criterion, col(Criterion.id) == Dispute.criterion_id)
        .order_by(Dispute.raised_at, Evaluation.call_id, Criterion.key)
    )
    if agent_ids is not None:
        query = query.where(col(Dispute.agent_id).in_(agent_ids))
    for dispute, call_id, key in session.exec(query):
        yield _drop_none(
            {
                "kind": "dispute",
                "call_id": call_id,
                "criterion": key,
                "reason": dispute.reason,
                "proposed_outcome": dispute.proposed_outcome,
                "scored_outcome": dispute.scored_outcome,
                "raised_at": instant_text(dispute.raised_at),
                "status": dispute.status,
                "closed_at": instant_text(dispute.closed_at) if dispute.closed_at else None,
                "decided_outcome": dispute.decided_outcome,
                "note": dispute.note,
            }
        )


def _sessions(session: Session, agent_ids: list[str] | None) -> Iterator[dict[str, Any]]:
    query = (
        select(CoachingSession, Criterion.scorecard_id, Criterion.key)
        .join(Criterion, col(Criterion.id) == CoachingSession.criterion_id, isouter=True)
        .order_by(CoachingSession.scheduled_at, CoachingSession.id)
    )
    if agent_ids is not None:
        query = query.where(col(CoachingSession.agent_id).in_(agent_ids))
    for row, scorecard, key in session.exec(query):
        yield _drop_none(
            {
                "kind": "coaching_session", "id": row.id, "agent": row.agent_id, "coach": row.coach,
                "scheduled_at": instant_text(row.scheduled_at), "status": row.status, "scorecard": scorecard,
                "criterion": key, "will_do": row.will_do, "notes": row.notes,
                "follow_up_on": row.follow_up_on.isoformat() if row.follow_up_on else None,
                "confirmed_at": instant_text(row.confirmed_at) if row.confirmed_at else None,
                "heard_differently": row.heard_differently,
            }
        )


def _goals(session: Session, agent_ids: list[str] | None) -> Iterator[dict[str, Any]]:
    query = (
        select(Goal, Criterion.scorecard_id, Criterion.key)
        .join(Criterion, col(Criterion.id) == Goal.criterion_id)
        .order_by(Goal.agent_id, Goal.started_at, Goal.id)
    )
    if agent_ids is not None:
        query = query.where(col(Goal.agent_id).in_(agent_ids))
    for goal, scorecard_id, key in session.exec(query):
        yield _drop_none(
            {
                "kind": "goal",
                "agent": goal.agent_id,
                "scorecard": scorecard_id,
                "criterion": key,
                "started_at": instant_text(goal.started_at),
                "status": goal.status,
                "baseline_met": goal.baseline_met,
                "baseline_applicable": goal.baseline_applicable,
                "target_met": goal.target_met,
                "target_window": goal.target_window,
                "ended_at": instant_text(goal.ended_at) if goal.ended_at else None,
                "reason": goal.drop_reason,
            }
        )


def _self_assessments(session: Session, agent_ids: list[str] | None) -> Iterator[dict[str, Any]]:
    query = select(SelfAssessment).order_by(
        SelfAssessment.agent_id, col(SelfAssessment.submitted_at).is_(None), SelfAssessment.submitted_at,
        col(SelfAssessment.updated_at).desc(), SelfAssessment.id,
    )
    if agent_ids is not None:
        query = query.where(col(SelfAssessment.agent_id).in_(agent_ids))
    drafted: set[str] = set()
    for assessment in session.exec(query):
        if assessment.submitted_at is None:
            if assessment.agent_id in drafted:
                continue  # an agent has one draft: the one saved last, as the app shows it
            drafted.add(assessment.agent_id)
        yield _drop_none(
            {
                "kind": "self_assessment",
                "agent": assessment.agent_id,
                "session_on": assessment.session_on.isoformat() if assessment.session_on else None,
                "strengths": assessment.strengths,
                "struggles": assessment.struggles,
                "want_to_work_on": assessment.want_to_work_on,
                "ratings": dict(sorted((assessment.ratings or {}).items())),
                "submitted_at": instant_text(assessment.submitted_at) if assessment.submitted_at else None,
                "updated_at": instant_text(assessment.updated_at),
            }
        )


def _evaluations(session: Session, agent_ids: list[str] | None, keys: dict[int, str]) -> Iterator[dict[str, Any]]:
    positions = dict(session.exec(select(Criterion.id, Criterion.position)).all())
    after: tuple[Any, str] | None = None
    while True:
        query = select(Evaluation).order_by(Evaluation.occurred_at, Evaluation.call_id).limit(_PAGE)
        if agent_ids is not None:
            query = query.where(col(Evaluation.agent_id).in_(agent_ids))
        if after is not None:
            occurred, call_id = after
            query = query.where(
                (col(Evaluation.occurred_at) > occurred)
                | ((col(Evaluation.occurred_at) == occurred) & (col(Evaluation.call_id) > call_id))
            )
        page = session.exec(query).all()
        if not page:
            return
        results: dict[int, list[CriterionResult]] = {evaluation.id: [] for evaluation in page}  # type: ignore[misc]
        for result in session.exec(
            select(CriterionResult).where(col(CriterionResult.evaluation_id).in_(list(results)))
        ):
            results[result.evaluation_id].append(result)
        for evaluation in page:
            ordered = sorted(results[evaluation.id], key=lambda r: positions.get(r.criterion_id, 0))  # type: ignore[index]
            yield _drop_none(
                {
                    "kind": "evaluation",
                    "call_id": evaluation.call_id,
                    "agent": evaluation.agent_id,
                    "scorecard": evaluation.scorecard_id,
                    "occurred_at": instant_text(evaluation.occurred_at),
                    "channel": evaluation.channel,
                    "duration_s": evaluation.duration_s,
                    "evaluator": evaluation.evaluator,
                    "csat": evaluation.csat,
                    "first_contact_resolution": evaluation.first_contact_resolution,
                    "recording_url": evaluation.recording_url,
                    "results": [
                        _drop_none(
                            {
                                "criterion": keys[r.criterion_id],
                                "outcome": r.outcome,
                                "moment_s": r.moment_s,
                                "quote": r.quote,
                                "comment": r.comment,
                            }
                        )
                        for r in ordered
                    ],
                }
            )
        last = page[-1]
        after = (last.occurred_at, last.call_id)
