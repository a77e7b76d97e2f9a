"""Queries: what the screens and commands read, returned as read models.

Each takes the engine (`db`) first and keyword arguments after, opens its own
short unit of work, and returns views built before it closes, so callers
never lazy-load. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, and_, bindparam, case, exists, func, literal_column, or_, text, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String
from sqlmodel import Session, col, select

from . import badges, rules
from .models import (
    NO_WORDS_YET,
    OUTCOME_OF,
    Agent,
    BadgeAward,
    CallDetail,
    Criterion,
    CriterionResult,
    DisputeStatus,
    Evaluation,
    Goal,
    GoalStatus,
    Outcome,
    PointsEntry,
    Scorecard,
    SelfAssessment,
    Team,
    utc_now,
)
from .db import reads_team_per_agent, through_login
from . import talkback
from .recognition import badge_states_now
from .views import (
    AgentView,
    DisputeView,
    AwardView,
    BadgesScreenView,
    BadgeView,
    BehaviourRateView,
    CoachingStateView,
    EffectivenessView,
    GoalScreenView,
    GoalView,
    SideView,
    SuggestionView,
    CriterionView,
    EvaluationSummaryView,
    EvaluationView,
    FocusView,
    HomeView,
    MeasuredView,
    PastSelfAssessmentView,
    SelfAssessmentScreenView,
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
                ("call details", CallDetail),
            )
        }


def behaviours_without_words(db: Engine) -> list[tuple[str, str, str]]:
    """(scorecard, key, name) of each behaviour with no next-call words yet, for `nextcall db info`."""
    with Session(db) as session:
        return [
            (scorecard, key, name)
            for scorecard, key, name in session.exec(
                select(Criterion.scorecard_id, Criterion.key, Criterion.name)
                .where(Criterion.next_call == NO_WORDS_YET)
                .order_by(Criterion.scorecard_id, Criterion.position)
            )
        ]


def _agent_view(agent: Agent, team: Team | None) -> AgentView:
    return AgentView(agent.id, agent.name, agent.team_id, team.name if team else None)


def list_agents(db: Engine) -> list[AgentView]:
    """Every agent, by team then name, for a picker."""
    with Session(db) as session:
        rows = session.exec(
            select(Agent, Team).join(Team, col(Team.id) == Agent.team_id).order_by(Agent.team_id, Agent.name)
        ).all()
        return [_agent_view(agent, team) for agent, team in rows]




def _criterion_view(criterion: Criterion) -> CriterionView:
    assert criterion.id is not None
    # Until a QA lead words a vendor's behaviour, the instruction is its name: "On your next call: <name>".
    return CriterionView(
        criterion.id, criterion.scorecard_id, criterion.key, criterion.name, criterion.weight,
        criterion.critical, criterion.next_call or criterion.name, criterion.lesson, criterion.position,
        worded=bool(criterion.next_call),
    )


def _criteria(session: Session, scorecard_id: str) -> list[CriterionView]:
    return [_criterion_view(c) for c in session.execute(_criteria_statement(), {"scorecard": scorecard_id})]


@cache
def _criteria_statement() -> Any:
    # Criterion's columns as plain rows: `_criterion_view` reads them by name, as it would the model.
    columns = [column for column in Criterion.__table__.c]  # type: ignore[attr-defined]
    return select(*columns).where(Criterion.scorecard_id == bindparam("scorecard")).order_by(Criterion.position)


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
    seen = talkback.seen_ids(session, ids)  # type: ignore[arg-type]
    return [_summary(e, *counts.get(e.id, (0, 0)), e.id in seen) for e in evaluations]  # type: ignore[arg-type]


TEAM_WINDOW = 300
"""How many of the team's latest calls inform a focus suggestion as a prior."""


def latest_scorecard_in(session: Session, agent_id: str) -> str | None:
    return session.execute(_latest_scorecard_statement(), {"agent": agent_id}).scalar()


@cache
def _latest_scorecard_statement() -> Any:
    return select(_latest_scorecard_of(bindparam("agent")))


def _latest_scorecard_of(agent: Any) -> Any:
    """The scorecard of the agent's latest call (ties at one instant go by call id), as a scalar subquery."""
    return (
        select(Evaluation.scorecard_id)
        .where(Evaluation.agent_id == agent)
        .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.call_id).desc())
        .limit(1)
        .scalar_subquery()
    )


_CALL_COLUMNS = tuple(Evaluation.__table__.c)  # type: ignore[attr-defined]
"""Each call's columns, read as plain rows with the same names: ORM objects cost several times more to load."""


def _calls(
    session: Session, query: Any, params: dict[str, Any] | None = None, outcomes: Any = None,
) -> list[tuple[Any, rules.CallOutcomes]]:
    """Calls from `query` (a select of `_CALL_COLUMNS`), each with its outcomes by criterion key, read with
    `outcomes`: `_outcomes_statement(query)`, built once by the caller of a statement built once."""
    rows = session.execute(query, params).all()
    found: dict[int, dict[str, Outcome]] = defaultdict(dict)
    for evaluation_id, key, outcome in session.execute(_outcomes_statement(query) if outcomes is None else outcomes, params):
        found[evaluation_id][key] = OUTCOME_OF[outcome]
    return [(row, rules.CallOutcomes(found.get(row.id, {}), row.csat, row.first_contact_resolution)) for row in rows]


def _outcomes_statement(query: Any) -> Any:
    """The outcomes (evaluation id, behaviour key, outcome) of the calls `query` selects, found by the database
    running `query` again: sent as a list of ids, a long history's calls cost more to send than to find."""
    calls = query.subquery("calls")
    return (
        select(CriterionResult.evaluation_id, Criterion.key, CriterionResult.outcome)
        .join(Criterion, col(Criterion.id) == CriterionResult.criterion_id)
        .where(col(CriterionResult.evaluation_id).in_(select(calls.c.id)))
    )


def _agent_calls(
    session: Session,
    agent_id: str,
    scorecard_id: str,
    *,
    since: datetime | None = None,
    before: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[tuple[Any, rules.CallOutcomes]]:
    """The agent's calls on a scorecard, newest first, from `since` on, before `before`, up to `until` included."""
    bounds = {"since": since, "before": before, "until": until}
    params = {"agent": agent_id, "scorecard": scorecard_id, **{k: v for k, v in bounds.items() if v is not None}}
    shape = (*(v is not None for v in bounds.values()), limit is not None)
    params |= {"limit": limit} if limit is not None else {}
    return _calls(session, _agent_calls_statement(*shape), params, _agent_outcomes_statement(*shape))


@cache
def _agent_calls_statement(since: bool, before: bool, until: bool, limited: bool) -> Any:
    # Built once per shape, its values parameters: building a statement costs about what reading 30 calls does.
    query = select(*_CALL_COLUMNS).where(Evaluation.agent_id == bindparam("agent"), Evaluation.scorecard_id == bindparam("scorecard"))
    if since:
        query = query.where(Evaluation.occurred_at >= bindparam("since"))
    if before:
        query = query.where(Evaluation.occurred_at < bindparam("before"))
    if until:
        query = query.where(Evaluation.occurred_at <= bindparam("until"))
    # Ties at one instant go by call id, so the order never depends on which import came first.
    query = query.order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.call_id).desc())
    return query.limit(bindparam("limit")) if limited else query


@cache
def _agent_outcomes_statement(since: bool, before: bool, until: bool, limited: bool) -> Any:
    return _outcomes_statement(_agent_calls_statement(since, before, until, limited))


TEAM_PRIOR_COLLEAGUES = 5
"""A team prior is the colleagues' calls only, from at least this many of them: a team's figure, never a person's."""


def _team_costs(session: Session, agent: AgentView, scorecard_id: str) -> dict[str, rules.MissCost] | None:
    """What missing each behaviour went with on the team's latest calls, the agent's own left out; None without
    enough colleagues' calls. On a shared database a login gets these sums from the database (migration 0006)."""
    if through_login(session):
        rows = session.connection().execute(
            text("SELECT * FROM nextcall_access.team_prior(CAST(:agent AS text), CAST(:scorecard AS text))"),
            {"agent": agent.id, "scorecard": scorecard_id},
        ).all()
        return _costs_from_sums(rows) if rows else None
    params = {"team": agent.team_id, "agent": agent.id, "scorecard": scorecard_id}
    per_colleague = reads_team_per_agent(session)
    by_outcome = session.execute(_team_sums_statement(per_colleague), params).all()
    colleagues = by_outcome[0][-1] if by_outcome else session.execute(_colleagues_statement(per_colleague), params).scalar_one()
    if colleagues < TEAM_PRIOR_COLLEAGUES:
        return None
    # The sums each behaviour's cost is made of, added up by the database over those calls' results:
    # [missed, applicable, CSAT total and count where met, where missed, resolved and count where met, where missed].
    sums: dict[str, list[int]] = {}
    for key, outcome, count, csat_total, csat_count, resolved, fcr_count, _ in by_outcome:
        totals = sums.setdefault(key, [0] * 10)
        if outcome == Outcome.na.value:
            continue
        side = 0 if outcome == Outcome.met.value else 2
        totals[0] += count if side else 0
        totals[1] += count
        totals[2 + side] += csat_total or 0
        totals[3 + side] += csat_count
        totals[6 + side] += resolved or 0
        totals[7 + side] += fcr_count
    return _costs_from_sums([(key, *totals) for key, totals in sums.items()])


class _not_by_its_own_index(FunctionElement):  # noqa: N801 - written in SQL as a function is
    """A column's own value, which SQLite never looks up through an index of that column (`+column`)."""

    name = "not_by_its_own_index"
    type = String()
    inherit_cache = True


@compiles(_not_by_its_own_index)
def _as_the_column(element: Any, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_not_by_its_own_index, "sqlite")
def _with_unary_plus(element: Any, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


def _team_calls(per_colleague: bool) -> Any:
    """The team's latest calls on the scorecard but the agent's own (`team`, `agent`, `scorecard` parameters).

    `per_colleague` (`db.reads_team_per_agent`): each colleague's latest calls first, then the latest of those.
    """
    colleagues = select(Agent.id).where(Agent.team_id == bindparam("team"), Agent.id != bindparam("agent"))
    if not per_colleague:
        # Colleagues first, then each one's calls by (agent, time), the scorecard checked in the index: a join,
        # or the scorecard compared as a plain column, lets SQLite walk every call of the scorecard in the store.
        return (
            select(Evaluation.id, Evaluation.agent_id)
            .where(col(Evaluation.agent_id).in_(colleagues), _not_by_its_own_index(Evaluation.scorecard_id) == bindparam("scorecard"))
            .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc())
            .limit(TEAM_WINDOW)
            .cte("team_calls")
        )
    colleague = colleagues.subquery("colleague")
    own = (
        select(Evaluation.id, Evaluation.agent_id, Evaluation.occurred_at)
        .where(Evaluation.agent_id == colleague.c.id, Evaluation.scorecard_id == bindparam("scorecard"))
        .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc())
        .limit(TEAM_WINDOW)
        .lateral("own_calls")
    )
    return (
        select(own.c.id, own.c.agent_id)
        .select_from(colleague)
        .join(own, true())
        .order_by(own.c.occurred_at.desc(), own.c.id.desc())
        .limit(TEAM_WINDOW)
        .cte("team_calls")
    )


@cache
def _colleagues_statement(per_colleague: bool) -> Any:
    latest = _team_calls(per_colleague)
    return select(func.count(func.distinct(latest.c.agent_id)))


@cache
def _team_sums_statement(per_colleague: bool) -> Any:
    """Per behaviour and outcome on the team's latest calls: how many, CSAT total and count, first-contact
    resolutions and count, and on every row how many colleagues those calls are from: one round trip."""
    latest = _team_calls(per_colleague)
    calls = select(latest.c.id)
    fcr = Evaluation.first_contact_resolution
    sums = (
        select(
            CriterionResult.criterion_id, CriterionResult.outcome, func.count().label("results"),
            func.sum(Evaluation.csat).label("csat_total"), func.count(Evaluation.csat).label("csat_count"),
            func.sum(case((fcr == True, 1), (fcr == False, 0))).label("resolved"),  # noqa: E712 - SQL comparisons
            func.count(fcr).label("fcr_count"),
        )
        .select_from(CriterionResult)
        .join(Evaluation, col(Evaluation.id) == CriterionResult.evaluation_id)
        # Both sides named: told only the results' calls, PostgreSQL scans every evaluation to join them.
        .where(col(CriterionResult.evaluation_id).in_(calls), col(Evaluation.id).in_(calls))
        .group_by(CriterionResult.criterion_id, CriterionResult.outcome)
        .subquery("sums")
    )
    # Summed by the behaviour's id, then named: named first, PostgreSQL looked the behaviour up once
    # per result (2,400 times for a team's 300 calls) and sorted them by name (4.5 → 2.9 ms a team).
    return select(
        Criterion.key, sums.c.outcome, sums.c.results, sums.c.csat_total, sums.c.csat_count, sums.c.resolved,
        sums.c.fcr_count, select(func.count(func.distinct(latest.c.agent_id))).scalar_subquery(),
    ).join_from(sums, Criterion, col(Criterion.id) == sums.c.criterion_id)


def _costs_from_sums(rows: Sequence[Sequence[Any]]) -> dict[str, rules.MissCost]:
    """Each behaviour's cost from its sums: (key, missed, applicable, then total and count of CSAT where met,
    where missed, of first-contact resolution where met, where missed), as the database's team prior returns them."""

    def mean(total: int, count: int) -> float | None:
        return total / count if count else None

    return {
        key: rules.MissCost(
            missed, applicable, mean(cms, cmn), mean(cxs, cxn), mean(fms, fmn), mean(fxs, fxn), (cmn, cxn), (fmn, fxn)
        )
        for key, missed, applicable, cms, cmn, cxs, cxn, fms, fmn, fxs, fxn in rows
    }


def _suggestions(
    session: Session, agent: AgentView, scorecard_id: str, behaviours: list[CriterionView], *, exclude: set[str] = frozenset(),
    recent_calls: list[tuple[Any, rules.CallOutcomes]] | None = None,
) -> list[SuggestionView]:
    if recent_calls is None:
        recent_calls = _agent_calls(session, agent.id, scorecard_id, limit=FOCUS_WINDOW)
    recent = [call for _, call in recent_calls]
    ranked = rules.suggest_focus(
        recent,
        {c.key: rules.CriterionWeight(c.weight, c.critical) for c in behaviours if c.key not in exclude},
        order=[c.key for c in behaviours],
        team_costs=_team_costs(session, agent, scorecard_id),
    )
    by_key = {c.key: c for c in behaviours}
    return [SuggestionView(by_key[s.key], s.reason, s.missed, s.applicable) for s in ranked]


def _goal_view(session: Session, goal: Any, criterion: CriterionView) -> GoalView:
    """A goal's progress and effectiveness, derived afresh from the evaluations (`goal`: the model, or a row of its columns)."""
    still_open = goal.status == GoalStatus.active.value
    after = list(reversed(_agent_calls(
        # A goal closed as mastered ends at the very call that mastered it: that call counts.
        session, goal.agent_id, criterion.scorecard_id, since=goal.started_at,
        until=None if still_open else goal.ended_at,
    )))
    return _goal_view_of(goal, criterion, after, _baseline_calls(session, goal, criterion))


PAST_GOALS_PER_READ = 40
"""Past goals read by one statement: a few statements' parameters each, and a statement per count of goals."""


def _past_goal_views(session: Session, agent_id: str, past: list[tuple[Any, CriterionView]]) -> list[GoalView]:
    """Goals that ended (from `_goals_of` the agent), each as `_goal_view` gives it, in four reads per scorecard
    (and per PAST_GOALS_PER_READ goals).

    Read goal by goal, each cost four statements (its calls from start to end and
    their outcomes, its baseline's calls and theirs): the Goal screen of an agent
    with twelve past goals took 54 statements and 42 ms on PostgreSQL, 10 and 28 ms
    read this way. One statement reads every goal's calls from start to end and
    one every goal's baseline, each goal's own latest calls before its start, with
    the outcomes of each: the very calls the goal's own reads select.
    """
    by_scorecard: dict[str, list[tuple[Any, CriterionView]]] = defaultdict(list)
    for goal, criterion in past:
        by_scorecard[criterion.scorecard_id].append((goal, criterion))
    chunks = [
        (scorecard_id, goals[start : start + PAST_GOALS_PER_READ])
        for scorecard_id, goals in by_scorecard.items()
        for start in range(0, len(goals), PAST_GOALS_PER_READ)
    ]
    views: dict[int, GoalView] = {}
    for scorecard_id, goals in chunks:
        if any(goal.ended_at is None for goal, _ in goals):  # not ended after all: read as the goal being worked on is
            views |= {goal.id: _goal_view(session, goal, criterion) for goal, criterion in goals}
            continue
        params: dict[str, Any] = {"agent": agent_id, "scorecard": scorecard_id}
        for n, (goal, criterion) in enumerate(goals):
            params |= {f"started_{n}": goal.started_at, f"until_{n}": goal.ended_at, f"criterion_{n}": criterion.id,
                       f"limit_{n}": goal.target_window}
        shape = len(goals)
        during = _calls(session, _goal_windows_statement(shape), params, _goal_windows_outcomes_statement(shape))
        baselines = _calls(session, _baselines_statement(shape), params, _baselines_outcomes_statement(shape))
        for n, (goal, criterion) in enumerate(goals):
            after = [(e, call) for e, call in during if goal.started_at <= e.occurred_at <= goal.ended_at]
            # A baseline is weighed as a whole (sums of whole numbers): its calls in any order.
            before = [call for e, call in baselines if e.goal == n]
            views[goal.id] = _goal_view_of(goal, criterion, after, before)
    return [views[goal.id] for goal, _ in past]


@cache
def _goal_windows_statement(goals: int) -> Any:
    """The agent's calls on the scorecard from each of `goals` goals' start to its end (`started_N`, `until_N`),
    oldest first, each call once: what each goal's own read (`_agent_calls`, newest first) gives, reversed."""
    windows = (
        and_(Evaluation.occurred_at >= bindparam(f"started_{n}"), Evaluation.occurred_at <= bindparam(f"until_{n}"))
        for n in range(goals)
    )
    return (
        select(*_CALL_COLUMNS)
        .where(Evaluation.agent_id == bindparam("agent"), Evaluation.scorecard_id == bindparam("scorecard"), or_(*windows))
        .order_by(col(Evaluation.occurred_at), col(Evaluation.call_id))
    )


@cache
def _goal_windows_outcomes_statement(goals: int) -> Any:
    return _outcomes_statement(_goal_windows_statement(goals))


@cache
def _baselines_statement(goals: int) -> Any:
    """Each of `goals` goals' baseline calls as `_baseline_statement` reads one (`started_N`, `criterion_N`,
    `limit_N`), each row led by its goal's number (`goal`)."""
    parts = []
    for n in range(goals):
        latest = _baseline_select(f"_{n}").subquery(f"baseline_{n}")
        parts.append(select(literal_column(str(n)).label("goal"), *latest.c))
    return union_all(*parts)


@cache
def _baselines_outcomes_statement(goals: int) -> Any:
    return _outcomes_statement(_baselines_statement(goals))


def _goal_view_of(
    goal: Any, criterion: CriterionView, after: list[tuple[Any, rules.CallOutcomes]], before: list[rules.CallOutcomes],
) -> GoalView:
    """A goal's view from its calls since its start (oldest first, up to its end if it ended) and its baseline's calls."""
    target = rules.Target(goal.target_met, goal.target_window)
    still_open = goal.status == GoalStatus.active.value
    outcomes = [call.outcomes.get(criterion.key, Outcome.na) for _, call in after]
    progress = rules.goal_progress(outcomes, target)
    mastered_at = None
    if progress.mastered_at is not None:
        applicable = [e for (e, _), o in zip(after, outcomes, strict=True) if o is not Outcome.na]
        mastered_at = applicable[progress.mastered_at].occurred_at
    status = goal.status
    if still_open and progress.mastered:
        status = GoalStatus.mastered.value
    # "Did it work?" weighs the one baseline (the behaviour's latest applicable calls before the start,
    # as the goal recorded it) against the calls since, where it applied: CSAT and FCR on those same calls.
    since = [c for _, c in after if c.outcomes.get(criterion.key, Outcome.na) is not Outcome.na]
    effect = rules.effectiveness(before, since, criterion.key)

    def side(s: rules.Side) -> SideView:
        return SideView(s.calls, s.behaviour.met, s.behaviour.applicable, s.mean_csat, s.fcr_rate)

    assert goal.id is not None
    return GoalView(
        goal.id, goal.agent_id, criterion, status, goal.started_at, goal.ended_at, mastered_at, goal.drop_reason,
        goal.baseline_met, goal.baseline_applicable, goal.target_met, goal.target_window,
        progress.series, progress.met_in_window, progress.in_window, progress.applicable,
        EffectivenessView(side(effect.before), side(effect.after), effect.enough, effect.min_sample),
    )


def _baseline_calls(session: Session, goal: Any, criterion: CriterionView) -> list[rules.CallOutcomes]:
    """The calls a goal's baseline rests on: the latest `target_window` before its start where the behaviour applied.

    The same calls `goals.start_goal` (and the shared database's check) counted
    for the goal's baseline, so its "before" reads the same everywhere."""
    params = {"agent": goal.agent_id, "started": goal.started_at, "criterion": criterion.id, "limit": goal.target_window}
    return [call for _, call in _calls(session, _baseline_statement(), params, _baseline_outcomes_statement())]


@cache
def _baseline_outcomes_statement() -> Any:
    return _outcomes_statement(_baseline_statement())


@cache
def _baseline_statement() -> Any:
    return _baseline_select()


def _baseline_select(suffix: str = "") -> Any:
    """A goal's baseline calls, its parameters named `started`, `criterion` and `limit` followed by `suffix`."""
    applied = exists().where(
        CriterionResult.evaluation_id == Evaluation.id,
        CriterionResult.criterion_id == bindparam(f"criterion{suffix}"),
        CriterionResult.outcome != Outcome.na.value,
    )
    query = select(*_CALL_COLUMNS).where(
        Evaluation.agent_id == bindparam("agent"), Evaluation.occurred_at < bindparam(f"started{suffix}"), applied
    )
    return query.order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc()).limit(bindparam(f"limit{suffix}"))


def current_goal_in(session: Session, agent_id: str, goals: list[tuple[Any, CriterionView]] | None = None) -> GoalView | None:
    """The agent's goal being worked on, with its progress; `goals`, if the caller has them, are `_goals_of` the agent."""
    for goal, behaviour in _goals_of(session, agent_id) if goals is None else goals:
        if goal.status == GoalStatus.active.value:
            return _goal_view(session, goal, behaviour)
    return None


def _goals_of(session: Session, agent_id: str) -> list[tuple[Any, CriterionView]]:
    """Every goal of the agent, newest first, each with its behaviour: one round trip.

    The goal being worked on, the goals before it and the ones set aside lately
    are all read from these (they were three reads and one more per goal)."""
    return [(row, _behaviour_of(row)) for row in session.execute(_goals_statement(), {"agent": agent_id})]


_GOAL_BEHAVIOUR = "behaviour_"
"""How the goals' statement names its behaviour's columns (`behaviour_key` and so on) beside the goal's own."""


@cache
def _goals_statement() -> Any:
    goal, criterion = Goal.__table__, Criterion.__table__  # type: ignore[attr-defined]
    return (
        select(*goal.c, *(column.label(f"{_GOAL_BEHAVIOUR}{column.name}") for column in criterion.c))
        .join_from(goal, criterion, criterion.c.id == goal.c.criterion_id)
        .where(goal.c.agent_id == bindparam("agent"))
        .order_by(goal.c.started_at.desc(), goal.c.id.desc())
    )


def _behaviour_of(row: Any) -> CriterionView:
    """The behaviour a row of `_goals_statement` ends with."""
    columns = Criterion.__table__.c  # type: ignore[attr-defined]
    return _criterion_view(SimpleNamespace(**{c.name: getattr(row, f"{_GOAL_BEHAVIOUR}{c.name}") for c in columns}))


def _agent_row(session: Session, agent_id: str) -> AgentView | None:
    row = session.execute(_agent_statement(), {"agent": agent_id}).first()
    return AgentView(*row) if row else None


@cache
def _agent_statement() -> Any:
    return select(Agent.id, Agent.name, Agent.team_id, Team.name).join(Team, col(Team.id) == Agent.team_id).where(
        Agent.id == bindparam("agent")
    )


def _agent_with_calls(session: Session, agent_id: str) -> tuple[AgentView | None, int, str | None]:
    """The agent, how many evaluations they have and the scorecard of their latest: one round trip."""
    row = session.execute(_agent_with_calls_statement(), {"agent": agent_id}).first()
    return (AgentView(*row[:4]), row[4], row[5]) if row else (None, 0, None)


@cache
def _agent_with_calls_statement(seen: bool = False) -> Any:
    """The agent, their evaluations, their latest's scorecard; with `seen`, how many evaluations wait to be
    seen and whether their latest is seen too."""
    count = select(func.count()).select_from(Evaluation).where(Evaluation.agent_id == Agent.id).scalar_subquery()
    query = (
        select(Agent.id, Agent.name, Agent.team_id, Team.name, count, _latest_scorecard_of(Agent.id))
        .join(Team, col(Team.id) == Agent.team_id)
        .where(Agent.id == bindparam("agent"))
    )
    if not seen:
        return query
    latest = (
        select(Evaluation.id)
        .where(Evaluation.agent_id == bindparam("agent"))
        .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.call_id).desc())
        .limit(1)
        .scalar_subquery()
    )
    return query.add_columns(talkback.unseen_of(bindparam("agent")), talkback.is_seen(latest))


def _coaching_state(
    session: Session, agent: AgentView, scorecard_id: str | None, behaviours: list[CriterionView],
    recent: list[tuple[Any, rules.CallOutcomes]] | None = None, goals: list[tuple[Any, CriterionView]] | None = None,
) -> CoachingStateView:
    """The coaching state; `recent`, if the caller has them, are the agent's latest FOCUS_WINDOW calls on the
    scorecard, and `goals` are `_goals_of` the agent."""
    if goals is None:
        goals = _goals_of(session, agent.id)
    goal = current_goal_in(session, agent.id, goals)
    suggestions: tuple[SuggestionView, ...] = ()
    if scorecard_id is not None:
        # Not the goal just worked on, nor one the agent set aside lately: they choose when to come back to it.
        exclude = {goal.criterion.key} if goal is not None else set()
        exclude |= _set_aside_lately(goals)
        suggestions = tuple(_suggestions(session, agent, scorecard_id, behaviours, exclude=exclude, recent_calls=recent))
    focus: FocusView | None = None
    if goal is not None and goal.status == GoalStatus.active.value:
        focus = FocusView(
            goal.criterion,
            f"met on {goal.met_in_window} of your last {goal.in_window} calls where it applied "
            f"(target: {goal.target_met} of {goal.target_window}, twice in a row).",
            from_goal=True,
        )
    elif suggestions:
        focus = FocusView(suggestions[0].criterion, suggestions[0].reason)
    return CoachingStateView(focus, goal, suggestions)


SET_ASIDE_DAYS = 14
"""A goal set aside is not suggested again for this long (it can always be picked)."""


def _set_aside_lately(goals: list[tuple[Any, CriterionView]]) -> set[str]:
    """The behaviours of the goals (`_goals_of` an agent) set aside in the last SET_ASIDE_DAYS."""
    since = utc_now() - timedelta(days=SET_ASIDE_DAYS)
    return {
        behaviour.key for goal, behaviour in goals
        if goal.status == GoalStatus.dropped.value and goal.ended_at is not None and goal.ended_at >= since
    }


def coaching_state_in(session: Session, agent_id: str) -> CoachingStateView | None:
    """The agent's one coaching truth (see CoachingStateView), or None for no such agent."""
    agent = _agent_row(session, agent_id)
    if agent is None:
        return None
    scorecard_id = latest_scorecard_in(session, agent_id)
    return _coaching_state(session, agent, scorecard_id, _criteria(session, scorecard_id) if scorecard_id else [])


def coaching_state(db: Engine, *, agent_id: str) -> CoachingStateView | None:
    with Session(db) as session:
        return coaching_state_in(session, agent_id)


def home_view(db: Engine, *, agent_id: str) -> HomeView | None:
    """What the agent needs between calls: the behaviour to land next and how it went lately.

    Returns None when there is no such agent.
    """
    with Session(db) as session:
        row = session.execute(_agent_with_calls_statement(seen=True), {"agent": agent_id}).first()
        if row is None:
            return None
        agent, count, scorecard_id, unseen, latest_seen = AgentView(*row[:4]), row[4], row[5], row[6], row[7]
        if scorecard_id is None:
            return HomeView(agent, 0, None, (), None, None)
        behaviours = _criteria(session, scorecard_id)
        recent = _agent_calls(session, agent_id, scorecard_id, limit=FOCUS_WINDOW)

        state = _coaching_state(session, agent, scorecard_id, behaviours, recent)
        goal, focus = state.goal, state.focus
        verdicts: tuple[VerdictView, ...] = ()
        if focus is not None:
            key = focus.criterion.key
            verdicts = tuple(
                VerdictView(e.call_id, e.occurred_at, call.outcomes.get(key, Outcome.na))
                for e, call in recent[:RECENT_VERDICTS]
            )
        rates = []
        for criterion in behaviours:
            rate = rules.pass_rate(call.outcomes.get(criterion.key, Outcome.na) for _, call in recent)
            rates.append(BehaviourRateView(criterion, rate.met, rate.applicable))
        # The latest call is on the latest scorecard, so it heads `recent` already.
        latest, latest_outcomes = recent[0]
        said = list(latest_outcomes.outcomes.values())
        last_call = _summary(latest, said.count(Outcome.met), said.count(Outcome.missed), bool(latest_seen))
        latest_miss, last_verdict = None, None
        if focus is not None:
            latest_miss, last_verdict = _focus_moments(session, agent_id, focus.criterion.id, latest)
        critical_missed = tuple(
            c.name for c in behaviours if c.critical and latest_outcomes.outcomes.get(c.key) is Outcome.missed
        )
        return HomeView(
            agent, count, focus, verdicts, latest_miss, last_call, tuple(rates), goal, last_verdict, critical_missed,
            unseen=unseen,
        )


def goal_screen_view(db: Engine, *, agent_id: str) -> GoalScreenView | None:
    """The agent's current goal, what to work on next, and past goals. None for no such agent."""
    with Session(db) as session:
        agent, count, scorecard_id = _agent_with_calls(session, agent_id)
        if agent is None:
            return None
        goals = _goals_of(session, agent_id)
        history = _past_goal_views(
            session, agent_id, [(goal, behaviour) for goal, behaviour in goals if goal.status != GoalStatus.active.value]
        )
        behaviours = _criteria(session, scorecard_id) if scorecard_id is not None else []
        state = _coaching_state(session, agent, scorecard_id, behaviours, goals=goals)
        return GoalScreenView(agent, count, state, tuple(history), tuple(behaviours))


def goal_view(db: Engine, *, goal_id: int) -> GoalView | None:
    """One goal with its progress and before/after figures (for a coach's prep), or None."""
    with Session(db) as session:
        goal = session.get(Goal, goal_id)
        if goal is None:
            return None
        criterion = session.get(Criterion, goal.criterion_id)
        assert criterion is not None
        return _goal_view(session, goal, _criterion_view(criterion))


def _moment(call_id: str, occurred_at: datetime, result: CriterionResult | None, behaviour: str | None = None) -> MomentView:
    """A behaviour's moment in a call, from its stored result (none: it did not apply)."""
    if result is None:
        return MomentView(call_id, occurred_at, Outcome.na, None, None, None, behaviour)
    return MomentView(call_id, occurred_at, Outcome(result.outcome), result.moment_s, result.quote, result.comment, behaviour)


def _focus_moments(session: Session, agent_id: str, criterion_id: int, latest: Any) -> tuple[MomentView | None, MomentView]:
    """The focus behaviour's latest miss (None: never missed) and its moment in the latest call: one round trip."""
    params = {"agent": agent_id, "criterion": criterion_id, "latest": latest.id}
    found = {row.which: row for row in session.execute(_focus_moments_statement(), params)}
    miss = found.get(0)
    return (
        _moment(miss.call_id, miss.occurred_at, miss) if miss is not None else None,
        _moment(latest.call_id, latest.occurred_at, found.get(1)),
    )


@cache
def _focus_moments_statement() -> Any:
    """The behaviour's (`criterion`) latest miss in the agent's (`agent`) calls and its result on their latest call
    (`latest`), each row led by which it is (0: the miss, 1: the latest call's)."""
    result = (
        Evaluation.call_id, Evaluation.occurred_at,
        CriterionResult.outcome, CriterionResult.moment_s, CriterionResult.quote, CriterionResult.comment,
    )
    miss = (
        select(literal_column("0").label("which"), *result)
        .join(CriterionResult, col(CriterionResult.evaluation_id) == Evaluation.id)
        .where(
            Evaluation.agent_id == bindparam("agent"),
            CriterionResult.criterion_id == bindparam("criterion"),
            CriterionResult.outcome == Outcome.missed.value,
        )
        .order_by(col(Evaluation.occurred_at).desc())
        .limit(1)
        .subquery("latest_miss")
    )
    on_latest = (
        select(literal_column("1").label("which"), *result)
        .join(CriterionResult, col(CriterionResult.evaluation_id) == Evaluation.id)
        .where(CriterionResult.evaluation_id == bindparam("latest"), CriterionResult.criterion_id == bindparam("criterion"))
    )
    return union_all(select(miss), on_latest)


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
        by_behaviour, by_outcome = criterion_key is not None, outcome is not None
        params: dict[str, Any] = {"agent": agent_id, "limit": limit, "offset": offset}
        if by_behaviour:
            params["behaviour"] = criterion_key
        if by_outcome:
            params["outcome"] = outcome.value  # type: ignore[union-attr]
        rows = session.execute(_page_statement(by_behaviour, by_outcome), params).all()
        if rows:
            total = rows[0].total
        else:  # past the last page (or nothing at all): the count alone
            total = session.execute(_page_total_statement(by_behaviour, by_outcome), params).scalar_one()
        behaviours = tuple(_criterion_view(c) for c in session.execute(_latest_criteria_statement(), {"agent": agent_id}))
        return ScorecardPageView(
            tuple(_summary(row, int(row.met or 0), int(row.missed or 0), bool(row.seen)) for row in rows), total, behaviours,
            {row.call_id: Outcome(row.on_behaviour) for row in rows} if by_behaviour else {},
        )


def _summary(call: Any, met: int, missed: int, seen: bool) -> EvaluationSummaryView:
    """A call's line in a list, from its row (or model) and its counts."""
    return EvaluationSummaryView(
        call.id, call.call_id, call.occurred_at, str(call.channel), call.duration_s, call.scorecard_id, call.score,
        call.critical_missed, call.csat, call.first_contact_resolution, met, missed, seen=seen,
    )


def _page_calls(by_behaviour: bool, by_outcome: bool) -> Any:
    """The agent's calls the filters let through (`agent`, and `behaviour` and `outcome` as filtered), each with
    (filtered by a behaviour) its outcome there: calls where the behaviour applied, or had the outcome."""
    query = select(*_CALL_COLUMNS).where(Evaluation.agent_id == bindparam("agent"))
    wanted = (
        CriterionResult.outcome == bindparam("outcome") if by_outcome else CriterionResult.outcome != Outcome.na.value
    )
    if by_behaviour:
        # A call has one scorecard, so at most one of the behaviour's criteria (one per scorecard) on it.
        behaviour = select(Criterion.id).where(Criterion.key == bindparam("behaviour"))
        return query.add_columns(CriterionResult.outcome.label("on_behaviour")).join(
            CriterionResult,
            and_(CriterionResult.evaluation_id == Evaluation.id, col(CriterionResult.criterion_id).in_(behaviour), wanted),
        )
    if by_outcome:
        return query.where(exists().where(CriterionResult.evaluation_id == Evaluation.id, wanted))
    return query


@cache
def _page_statement(by_behaviour: bool, by_outcome: bool) -> Any:
    """A page of `_page_calls`, newest first (`limit`, `offset`), each call with how many behaviours it met and
    missed and whether the agent has seen it, and on every row how many calls there are in all: one round trip."""
    calls = _page_calls(by_behaviour, by_outcome)
    page = (
        calls.add_columns(func.count().over().label("total"))
        .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .cte("page")
    )

    def results(outcome: Outcome) -> Any:
        # Per call, by its results' primary key: cheaper, on both databases, than grouping the page's results.
        return (
            select(func.count())
            .where(CriterionResult.evaluation_id == page.c.id, CriterionResult.outcome == outcome.value)
            .scalar_subquery()
        )

    return select(
        page, results(Outcome.met).label("met"), results(Outcome.missed).label("missed"),
        talkback.is_seen(page.c.id).label("seen"),
    ).order_by(page.c.occurred_at.desc(), page.c.id.desc())


@cache
def _page_total_statement(by_behaviour: bool, by_outcome: bool) -> Any:
    return select(func.count()).select_from(_page_calls(by_behaviour, by_outcome).subquery())


@cache
def _latest_criteria_statement() -> Any:
    """The behaviours of the scorecard of the agent's latest call (`agent`), in order."""
    columns = [column for column in Criterion.__table__.c]  # type: ignore[attr-defined]
    return select(*columns).where(Criterion.scorecard_id == _latest_scorecard_of(bindparam("agent"))).order_by(Criterion.position)


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
        assert evaluation.id is not None
        return EvaluationView(
            _summaries(session, [evaluation])[0],
            scorecard.name if scorecard else evaluation.scorecard_id,
            evaluation.evaluator,
            tuple(views),
            recording_url=evaluation.recording_url,
            seen=talkback.acknowledgement_of(session, evaluation.id),
            disputes=tuple(talkback.dispute_views(session, evaluation_ids=[evaluation.id])),
        )


def disputes_answered_since(db: Engine, *, agent_id: str, since: datetime) -> list[DisputeView]:
    """The agent's disputes QA answered (changed or upheld) after `since`, for a notice."""
    with Session(db) as session:
        return [
            d for d in talkback.dispute_views(session, agent_ids=[agent_id], closed_since=since)
            if d.status in (DisputeStatus.changed, DisputeStatus.upheld)
        ]


def import_marker(db: Engine) -> tuple[datetime | None, int]:
    """Changes whenever an import adds or replaces evaluations: cheap to poll, whatever the size of the history.

    The newest import's moment (a replaced evaluation gets a new one) and the highest evaluation id (a
    new evaluation gets a higher one), each read from the end of an index.
    """
    with Session(db) as session:
        newest = select(func.max(Evaluation.imported_at)).scalar_subquery()
        highest = select(func.max(Evaluation.id)).scalar_subquery()
        found, top = session.exec(select(newest, highest)).one()
        return found, int(top or 0)


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


def badges_view(db: Engine, *, agent_id: str) -> BadgesScreenView | None:
    """The agent's badges (earned and locked, with progress), points and level. None for no such agent."""
    with Session(db) as session:
        agent, count, _ = _agent_with_calls(session, agent_id)
        if agent is None:
            return None
        states = badge_states_now(session, agent_id)
        awards = {
            badge_id: (awarded_at, call_id) for badge_id, awarded_at, call_id in session.execute(_awards_statement(), {"agent": agent_id})
        }
        views = []
        for badge in badges.CATALOGUE:
            state = states[badge.id]
            awarded_at, call_id = awards.get(badge.id, (None, None))
            views.append(
                BadgeView(
                    badge.id, badge.name, badge.description, badge.icon, badge.kind, badge.unit,
                    awarded_at, call_id, state.progress, state.needed, state.current,
                )
            )
        by_source = {source: total for source, total in session.execute(_points_by_source_statement(), {"agent": agent_id})}
        total = int(sum(by_source.values()))
        level, following = badges.level_for(total)
        return BadgesScreenView(
            agent, count, tuple(views), total, level.number, level.name,
            following.name if following else None, following.threshold if following else None,
            tuple(
                (source.label, int(by_source.get(source.id, 0)))
                for source in badges.POINT_SOURCES.values()
            ),
        )


@cache
def _awards_statement() -> Any:
    return (
        select(BadgeAward.badge_id, BadgeAward.awarded_at, Evaluation.call_id)
        .join(Evaluation, col(Evaluation.id) == BadgeAward.evaluation_id, isouter=True)
        .where(BadgeAward.agent_id == bindparam("agent"))
    )


@cache
def _points_by_source_statement() -> Any:
    return (
        select(PointsEntry.source, func.sum(PointsEntry.points))
        .where(PointsEntry.agent_id == bindparam("agent"))
        .group_by(PointsEntry.source)
    )


def award_marker(db: Engine) -> int:
    """The newest badge award's id (0 for none): awards after it are news."""
    with Session(db) as session:
        return session.exec(select(func.max(BadgeAward.id))).one() or 0


def awards_since(db: Engine, *, agent_id: str, after_id: int) -> list[AwardView]:
    """Badges the agent earned after award `after_id`, oldest first."""
    with Session(db) as session:
        rows = session.exec(
            select(BadgeAward).where(BadgeAward.agent_id == agent_id, BadgeAward.id > after_id).order_by(BadgeAward.id)
        ).all()
        return [
            AwardView(a.id, a.agent_id, a.badge_id, badges.BADGES[a.badge_id].name, badges.BADGES[a.badge_id].icon)  # type: ignore[arg-type]
            for a in rows
            if a.badge_id in badges.BADGES
        ]


CALIBRATION_DAYS = 30


def self_assessment_view(db: Engine, *, agent_id: str, now: datetime | None = None) -> SelfAssessmentScreenView | None:
    """The agent's draft, past self-assessments and each behaviour measured over the last 30 days."""
    now = now or utc_now()
    with Session(db) as session:
        agent = _agent_row(session, agent_id)
        if agent is None:
            return None
        measured: list[MeasuredView] = []
        scorecard_id = latest_scorecard_in(session, agent_id)
        if scorecard_id is not None:
            recent = _agent_calls(session, agent_id, scorecard_id, since=now - timedelta(days=CALIBRATION_DAYS), until=now)
            for criterion in _criteria(session, scorecard_id):
                rate = rules.pass_rate(call.outcomes.get(criterion.key, Outcome.na) for _, call in recent)
                measured.append(MeasuredView(criterion, rate.met, rate.applicable))
        rows = session.exec(
            select(SelfAssessment).where(SelfAssessment.agent_id == agent_id).order_by(col(SelfAssessment.updated_at).desc())
        ).all()
        draft = next((row for row in rows if row.submitted_at is None), None)
        past = tuple(
            PastSelfAssessmentView(
                row.id, row.session_on, row.submitted_at, row.strengths, row.struggles, row.want_to_work_on,  # type: ignore[arg-type]
                dict(row.ratings or {}),
            )
            for row in rows
            if row.submitted_at is not None
        )
        return SelfAssessmentScreenView(
            agent, tuple(measured),
            draft.session_on if draft else None, draft.strengths if draft else "", draft.struggles if draft else "",
            draft.want_to_work_on if draft else "", dict(draft.ratings or {}) if draft else {}, draft is not None, past,
        )


# -------------------------------------------------------------- coaching prep


def moments_to_listen(
    db: Engine, *, agent_id: str, criterion_key: str, since: datetime | None = None, misses: int = 2
) -> list[MomentView]:
    """Moments a coach would play back, newest first within each kind, never an empty one.

    One call where the behaviour went well, up to `misses` calls since `since`
    (the goal's start) where it was missed, and the latest critical miss of
    any behaviour; each with a time in the call, a quote or a comment to listen for.
    """
    said = or_(
        col(CriterionResult.moment_s).is_not(None), col(CriterionResult.quote).is_not(None),
        col(CriterionResult.comment).is_not(None),
    )

    def found(session: Session, *conditions: Any, limit: int) -> list[MomentView]:
        rows = session.exec(
            select(Evaluation.call_id, Evaluation.occurred_at, CriterionResult, Criterion.name, Criterion.key)
            .join(CriterionResult, col(CriterionResult.evaluation_id) == Evaluation.id)
            .join(Criterion, col(Criterion.id) == CriterionResult.criterion_id)
            .where(Evaluation.agent_id == agent_id, said, *conditions)
            .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.id).desc())
            .limit(limit)
        ).all()
        return [
            _moment(call_id, occurred_at, result, behaviour=None if key == criterion_key else name)
            for call_id, occurred_at, result, name, key in rows
        ]

    with Session(db) as session:
        on_focus = Criterion.key == criterion_key
        went_well = found(session, on_focus, CriterionResult.outcome == Outcome.met.value, limit=1)
        recent = [] if since is None else [col(Evaluation.occurred_at) >= since]
        missed = found(session, on_focus, CriterionResult.outcome == Outcome.missed.value, *recent, limit=misses)
        critical = found(session, col(Criterion.critical).is_(True), CriterionResult.outcome == Outcome.missed.value, limit=1)
        picked: list[MomentView] = []
        for moment in (*went_well, *missed, *critical):
            if all((m.call_id, m.behaviour) != (moment.call_id, moment.behaviour) for m in picked):
                picked.append(moment)
        return picked


def badges_earned_since(db: Engine, *, agent_id: str, since: datetime) -> list[BadgeView]:
    """Badges the agent earned from `since` on, oldest first, each with the call that earned it."""
    with Session(db) as session:
        rows = session.exec(
            select(BadgeAward, Evaluation.call_id)
            .join(Evaluation, col(Evaluation.id) == BadgeAward.evaluation_id, isouter=True)
            .where(BadgeAward.agent_id == agent_id, BadgeAward.awarded_at >= since)
            .order_by(col(BadgeAward.awarded_at), col(BadgeAward.id))
        ).all()
        if not rows:
            return []
        states = badge_states_now(session, agent_id)
        earned = []
        for award, call_id in rows:
            badge = badges.BADGES.get(award.badge_id)
            if badge is None:  # a badge retired from the catalogue
                continue
            state = states[badge.id]
            earned.append(
                BadgeView(
                    badge.id, badge.name, badge.description, badge.icon, badge.kind, badge.unit,
                    award.awarded_at, call_id, state.progress, state.needed,
                )
            )
        return earned
