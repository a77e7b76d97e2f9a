"""Queries: what the screens and commands read, returned as read models.

Each takes the engine (`db`) first and keyword arguments after, opens its own
short unit of work, and returns views built before it closes, so callers
never lazy-load. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, and_, case, exists, func
from sqlmodel import Session, col, select

from . import rules
from .models import (
    Agent,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    GoalStatus,
    Outcome,
    Scorecard,
    Team,
)
from .views import (
    AgentView,
    BehaviourRateView,
    CriterionView,
    EvaluationSummaryView,
    EvaluationView,
    FocusView,
    HomeView,
    MomentView,
    NewEvaluationView,
    ResultView,
    ScorecardPageView,
    VerdictView,
)

FOCUS_WINDOW = 30
"""How many of the agent's latest calls a focus suggestion weighs."""

RECENT_VERDICTS = 10
"""How many of the latest calls Home shows on the focus behaviour."""


def store_counts(db: Engine) -> dict[str, int]:
    """How many of each thing the store holds, for `nextcall db info`."""
    with Session(db) as session:
        return {
            noun: session.exec(select(func.count()).select_from(table)).one()
            for noun, table in (
                ("teams", Team),
                ("agents", Agent),
                ("scorecards", Scorecard),
                ("evaluations", Evaluation),
                ("results", CriterionResult),
            )
        }


def _agent_view(agent: Agent, team: Team | None) -> AgentView:
    return AgentView(agent.id, agent.name, agent.team_id, team.name if team else None)


def list_agents(db: Engine) -> list[AgentView]:
    """Every agent, by team then name, for a picker."""
    with Session(db) as session:
        rows = session.exec(
            select(Agent, Team).join(Team, col(Team.id) == Agent.team_id).order_by(Agent.team_id, Agent.name)
        ).all()
        return [_agent_view(agent, team) for agent, team in rows]


def agent_view(db: Engine, *, agent_id: str) -> AgentView | None:
    """One agent, or None when there is no such agent."""
    with Session(db) as session:
        row = session.exec(
            select(Agent, Team).join(Team, col(Team.id) == Agent.team_id).where(Agent.id == agent_id)
        ).first()
        return _agent_view(*row) if row else None


def _criterion_view(criterion: Criterion) -> CriterionView:
    assert criterion.id is not None
    return CriterionView(
        criterion.id, criterion.scorecard_id, criterion.key, criterion.name, criterion.weight,
        criterion.critical, criterion.next_call, criterion.lesson, criterion.position,
    )


def _criteria(session: Session, scorecard_id: str) -> list[CriterionView]:
    return [
        _criterion_view(c)
        for c in session.exec(select(Criterion).where(Criterion.scorecard_id == scorecard_id).order_by(Criterion.position))
    ]


_MET = func.sum(case((CriterionResult.outcome == Outcome.met.value, 1), else_=0))
_MISSED = func.sum(case((CriterionResult.outcome == Outcome.missed.value, 1), else_=0))


def _summaries(session: Session, evaluations: Sequence[Evaluation]) -> list[EvaluationSummaryView]:
    ids = [e.id for e in evaluations]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        for evaluation_id, met, missed in session.exec(
            select(CriterionResult.evaluation_id, _MET, _MISSED)
            .where(col(CriterionResult.evaluation_id).in_(ids))
            .group_by(CriterionResult.evaluation_id)
        ):
            counts[evaluation_id] = (int(met or 0), int(missed or 0))
    return [
        EvaluationSummaryView(
            e.id, e.call_id, e.occurred_at, str(e.channel), e.duration_s, e.scorecard_id, e.score,  # type: ignore[arg-type]
            e.critical_missed, e.csat, e.first_contact_resolution, *counts.get(e.id, (0, 0)),  # type: ignore[arg-type]
        )
        for e in evaluations
    ]


def home_view(db: Engine, *, agent_id: str) -> HomeView | None:
    """What the agent needs between calls: the behaviour to land next and how it went lately.

    Returns None when there is no such agent.
    """
    with Session(db) as session:
        row = session.exec(
            select(Agent, Team).join(Team, col(Team.id) == Agent.team_id).where(Agent.id == agent_id)
        ).first()
        if row is None:
            return None
        agent = _agent_view(*row)
        count = session.exec(select(func.count()).where(Evaluation.agent_id == agent_id)).one()
        latest = session.exec(
            select(Evaluation)
            .where(Evaluation.agent_id == agent_id)
            .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc())
            .limit(FOCUS_WINDOW)
        ).all()
        if not latest:
            return HomeView(agent, 0, None, (), None, None)
        scorecard_id = latest[0].scorecard_id
        behaviours = _criteria(session, scorecard_id)
        calls = [e for e in latest if e.scorecard_id == scorecard_id]
        outcomes = _outcomes_by_call(session, [e.id for e in calls])  # type: ignore[misc]

        focus = _goal_focus(session, agent_id, behaviours) or _suggested_focus(calls, outcomes, behaviours)
        verdicts: tuple[VerdictView, ...] = ()
        latest_miss = None
        if focus is not None:
            key = focus.criterion.key
            verdicts = tuple(
                VerdictView(e.call_id, e.occurred_at, outcomes.get(e.id, {}).get(key, Outcome.na))  # type: ignore[arg-type]
                for e in calls[:RECENT_VERDICTS]
            )
            latest_miss = _latest_miss(session, agent_id, focus.criterion.id)
        rates = []
        for criterion in behaviours:
            rate = rules.pass_rate(outcomes.get(e.id, {}).get(criterion.key, Outcome.na) for e in calls)  # type: ignore[arg-type]
            rates.append(BehaviourRateView(criterion, rate.met, rate.applicable))
        last_call = _summaries(session, latest[:1])[0]
        return HomeView(agent, count, focus, verdicts, latest_miss, last_call, tuple(rates))


def _outcomes_by_call(session: Session, evaluation_ids: list[int]) -> dict[int, dict[str, Outcome]]:
    outcomes: dict[int, dict[str, Outcome]] = defaultdict(dict)
    if evaluation_ids:
        for evaluation_id, key, outcome in session.exec(
            select(CriterionResult.evaluation_id, Criterion.key, CriterionResult.outcome)
            .join(Criterion, col(Criterion.id) == CriterionResult.criterion_id)
            .where(col(CriterionResult.evaluation_id).in_(evaluation_ids))
        ):
            outcomes[evaluation_id][key] = Outcome(outcome)
    return outcomes


def _goal_focus(session: Session, agent_id: str, behaviours: list[CriterionView]) -> FocusView | None:
    goal = session.exec(
        select(Goal).where(Goal.agent_id == agent_id, Goal.status == GoalStatus.active.value)
    ).first()
    if goal is None:
        return None
    criterion = session.get(Criterion, goal.criterion_id)
    if criterion is None:
        return None
    return FocusView(_criterion_view(criterion), "Your current goal.", from_goal=True)


def _suggested_focus(
    calls: Sequence[Evaluation], outcomes: dict[int, dict[str, Outcome]], behaviours: list[CriterionView]
) -> FocusView | None:
    suggestions = rules.suggest_focus(
        [rules.CallOutcomes(outcomes.get(e.id, {}), e.csat, e.first_contact_resolution) for e in calls],  # type: ignore[arg-type]
        {c.key: rules.CriterionWeight(c.weight, c.critical) for c in behaviours},
        order=[c.key for c in behaviours],
    )
    if not suggestions:
        return None
    by_key = {c.key: c for c in behaviours}
    return FocusView(by_key[suggestions[0].key], suggestions[0].reason)


def _latest_miss(session: Session, agent_id: str, criterion_id: int) -> MomentView | None:
    row = session.exec(
        select(Evaluation.call_id, Evaluation.occurred_at, CriterionResult)
        .join(CriterionResult, col(CriterionResult.evaluation_id) == Evaluation.id)
        .where(
            Evaluation.agent_id == agent_id,
            CriterionResult.criterion_id == criterion_id,
            CriterionResult.outcome == Outcome.missed.value,
        )
        .order_by(col(Evaluation.occurred_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    call_id, occurred_at, result = row
    return MomentView(call_id, occurred_at, Outcome(result.outcome), result.moment_s, result.quote, result.comment)


def scorecard_page(
    db: Engine,
    *,
    agent_id: str,
    criterion_key: str | None = None,
    outcome: Outcome | None = None,
    limit: int = 500,
    offset: int = 0,
) -> ScorecardPageView:
    """The agent's evaluations, newest first.

    Args:
        criterion_key: only calls where this behaviour applied (or had `outcome`).
        outcome: only calls with a result of this outcome (on `criterion_key` if given).
    """
    with Session(db) as session:
        query = select(Evaluation).where(Evaluation.agent_id == agent_id)
        if criterion_key is not None or outcome is not None:
            conditions = [CriterionResult.evaluation_id == Evaluation.id]
            if criterion_key is not None:
                conditions.append(
                    col(CriterionResult.criterion_id).in_(select(Criterion.id).where(Criterion.key == criterion_key))
                )
            if outcome is not None:
                conditions.append(CriterionResult.outcome == outcome.value)
            else:
                conditions.append(CriterionResult.outcome != Outcome.na.value)
            query = query.where(exists().where(and_(*conditions)))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc()).limit(limit).offset(offset)
        ).all()
        latest_scorecard = session.exec(
            select(Evaluation.scorecard_id)
            .where(Evaluation.agent_id == agent_id)
            .order_by(col(Evaluation.occurred_at).desc())
            .limit(1)
        ).first()
        behaviours = tuple(_criteria(session, latest_scorecard)) if latest_scorecard else ()
        return ScorecardPageView(tuple(_summaries(session, rows)), total, behaviours)


def evaluation_view(db: Engine, *, call_id: str) -> EvaluationView | None:
    """One evaluation with every criterion of its scorecard, or None when there is no such call."""
    with Session(db) as session:
        evaluation = session.exec(select(Evaluation).where(Evaluation.call_id == call_id)).first()
        if evaluation is None:
            return None
        scorecard = session.get(Scorecard, evaluation.scorecard_id)
        results = {
            r.criterion_id: r
            for r in session.exec(select(CriterionResult).where(CriterionResult.evaluation_id == evaluation.id))
        }
        views = []
        for criterion in _criteria(session, evaluation.scorecard_id):
            result = results.get(criterion.id)
            if result is None:
                views.append(ResultView(criterion, Outcome.na))
            else:
                views.append(ResultView(criterion, Outcome(result.outcome), result.moment_s, result.quote, result.comment))
        return EvaluationView(
            _summaries(session, [evaluation])[0],
            scorecard.name if scorecard else evaluation.scorecard_id,
            evaluation.evaluator,
            tuple(views),
        )


def import_marker(db: Engine) -> tuple[datetime | None, int]:
    """Changes whenever an import adds or replaces evaluations: cheap to poll."""
    with Session(db) as session:
        newest, count = session.exec(select(func.max(Evaluation.imported_at), func.count(col(Evaluation.id)))).one()
        return newest, count


def evaluations_imported_since(db: Engine, *, since: datetime | None, agent_id: str | None = None) -> list[NewEvaluationView]:
    """Evaluations added or replaced after `since` (all of them when None), newest first."""
    with Session(db) as session:
        query = select(Evaluation.call_id, Evaluation.agent_id, Evaluation.occurred_at, Evaluation.channel)
        if since is not None:
            query = query.where(Evaluation.imported_at > since)
        if agent_id is not None:
            query = query.where(Evaluation.agent_id == agent_id)
        rows = session.exec(query.order_by(col(Evaluation.occurred_at).desc()).limit(50)).all()
        return [NewEvaluationView(call_id, agent, occurred, str(channel)) for call_id, agent, occurred, channel in rows]
