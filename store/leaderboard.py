"""The leaderboard: fair rankings of a team (or everyone) over a period.

Fair means an improver can win (most improved, goal progress), a bad day does
not follow anyone for a month (short periods, a minimum number of calls before
anyone is ranked), ties share a rank, and nobody is shown against their will
(an agent who opts out is "Anonymous" to everyone but themselves).

Everything is aggregated in the database, one grouped query per figure (a
figure's periods in one round trip), so a board over hundreds of agents stays
quick. Periods are calendar periods in the
viewer's time zone: "this week" starts on Monday at midnight where they sit.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, bindparam, case, func, literal_column, null, or_, text, true, union_all
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from .badges import BADGES
from .collector import collector_paused
from .db import reads_team_per_agent, through_login, unit_of_work
from .errors import StoreError
from .rules import PassRate
from .models import (
    Agent,
    BadgeAward,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    GoalStatus,
    Outcome,
    PointsEntry,
    Team,
    utc_now,
)

DEFAULT_MIN_CALLS = 3
"""Calls in the period before an agent is ranked: one lucky or unlucky call is not a standing."""

BASELINE_DAYS = 30
"""Most improved compares the period with the agent's own 30 days before it."""

ANONYMOUS = "Anonymous"

NO_BASELINE = "new: no baseline yet"
NO_GOAL = "no goal in this period"
GOAL_WITHOUT_BASELINE = "goal has no baseline yet"
GOAL_STUCK = "goal stuck, ranked again on the next one"
NOTHING_SCORED = "nothing scored yet"
"""Why an agent with enough calls is still unranked (short of calls, the reason says how short)."""

MASTERY_BADGE = "first_goal_mastered"
"""The badge for a first mastered goal, which the wallboard celebrates as the goal itself."""


_Member = TypeVar("_Member", bound=enum.Enum)


def _following(member: _Member) -> _Member:
    """The next member of an enum, back to the first after the last: what a key press cycles to."""
    members = list(type(member))
    return members[(members.index(member) + 1) % len(members)]


class Metric(str, enum.Enum):
    """What the board ranks by."""

    quality = "quality"
    improved = "improved"
    goal = "goal"
    points = "points"

    @property
    def label(self) -> str:
        return _METRIC_LABELS[self][0]

    @property
    def explanation(self) -> str:
        return _METRIC_LABELS[self][1]

    def next(self) -> Metric:
        return _following(self)


_METRIC_LABELS = {
    Metric.quality: ("Quality", "mean QA score of the calls in the period"),
    Metric.improved: ("Most improved", f"mean score against each agent's own {BASELINE_DAYS} days before the period"),
    Metric.goal: ("Goal progress", "each agent's goal behaviour, met rate in the period against where the goal started"),
    Metric.points: ("Points", "points earned in the period"),
}


class Period(str, enum.Enum):
    """Which calls count: calendar periods start at midnight in the viewer's time zone."""

    this_week = "this_week"
    last_7_days = "last_7_days"
    last_30_days = "last_30_days"
    this_month = "this_month"

    @property
    def label(self) -> str:
        return {
            Period.this_week: "This week",
            Period.last_7_days: "Last 7 days",
            Period.last_30_days: "Last 30 days",
            Period.this_month: "This month",
        }[self]

    @property
    def phrase(self) -> str:
        """The period inside a sentence: "in the last 7 days", "this week"."""
        return {
            Period.this_week: "this week",
            Period.last_7_days: "in the last 7 days",
            Period.last_30_days: "in the last 30 days",
            Period.this_month: "this month",
        }[self]

    def next(self) -> Period:
        return _following(self)


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time [start, end), as aware instants."""

    start: datetime
    end: datetime

    def local_days(self, zone: tzinfo) -> tuple[date, date]:
        """The first and last calendar day the window touches in `zone`."""
        return self.start.astimezone(zone).date(), (self.end - timedelta(microseconds=1)).astimezone(zone).date()


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def period_window(period: Period, now: datetime, zone: tzinfo) -> Window:
    """The span a period covers at `now`: from midnight of its first day in `zone` to now.

    Whole days, also for the rolling periods ("the last 7 days" are today and
    the six days before), so a board changes as calls are scored and at
    midnight, never minute by minute. Shared databases compute the same
    windows for agents' logins (migration 0006, `board_window`).
    """
    today = now.astimezone(zone).date()
    match period:
        case Period.this_week:
            first = today - timedelta(days=today.weekday())
        case Period.this_month:
            first = today.replace(day=1)
        case Period.last_7_days:
            first = today - timedelta(days=6)
        case Period.last_30_days:
            first = today - timedelta(days=29)
    return Window(_midnight(first, zone), now)


def previous_window(period: Period, now: datetime, zone: tzinfo) -> Window:
    """The whole period before the current one (last week, last month, the 7 days before …)."""
    current = period_window(period, now, zone)
    first = current.start.astimezone(zone).date()
    match period:
        case Period.this_week | Period.last_7_days:
            start = first - timedelta(days=7)
        case Period.this_month:
            start = (first - timedelta(days=1)).replace(day=1)
        case Period.last_30_days:
            start = first - timedelta(days=30)
    return Window(_midnight(start, zone), current.start)


def baseline_window(window: Window, zone: tzinfo) -> Window:
    """Most improved's yardstick: the agent's own 30 days before the window, from midnight."""
    first = window.start.astimezone(zone).date()
    return Window(_midnight(first - timedelta(days=BASELINE_DAYS), zone), window.start)


# ------------------------------------------------------------------ read models


class Movement(str, enum.Enum):
    up = "up"
    down = "down"
    same = "same"
    new = "new"


@dataclass(frozen=True, slots=True)
class LeaderboardRowView:
    """One agent's line on the board, as the viewer may see it."""

    rank: int | None
    """Shared by ties; None when unranked."""
    agent_id: str | None
    """None when the agent is anonymous to this viewer."""
    name: str
    team_id: str
    value: float | None
    calls: int
    shares_rank: bool = False
    """Tied: another row has the same rank."""
    movement: Movement | None = None
    places: int = 0
    """How many places up or down since the previous period."""
    is_viewer: bool = False
    anonymous: bool = False
    """Shown as Anonymous to others (the viewer's own row says so, with their name)."""
    reason: str | None = None
    """Why an unranked agent is not ranked yet."""
    metric: Metric = Metric.quality
    before: float | None = None
    """What the figure is measured from: most improved's mean score over the 30 days before the period, or
    goal progress's baseline met rate (the goal's own, as the Goal screen shows it). None where this viewer
    may not see it: an Anonymous row, and a colleague's goal."""
    after: float | None = None
    """The same measure in the period: the mean score, or the goal behaviour's met rate on the calls since the
    goal started (None: it applied on none yet). `after - before` is `value`."""
    behaviour: str | None = None
    """Goal progress: the goal's behaviour, on the viewer's own row only; a colleague's goal is theirs."""

    @property
    def value_text(self) -> str:
        return "" if self.value is None else self._format(self.value)

    def _format(self, value: float) -> str:
        match self.metric:
            case Metric.quality:
                return f"{value * 100:.0f}%"
            case Metric.improved | Metric.goal:
                points = round(value * 100)
                return f"{points:+d} pts" if points else "±0 pts"
            case Metric.points:
                return f"{value:,.0f}"


@dataclass(frozen=True, slots=True)
class LeaderboardView:
    metric: Metric
    period: Period
    window: Window
    team_id: str | None
    """The team shown, or None for everyone."""
    team_name: str | None
    ranked: list[LeaderboardRowView]
    unranked: list[LeaderboardRowView]
    min_calls: int
    viewer_goal: tuple[str, str] | None = None
    """The viewer's goal behaviour and its next-call instruction: what moves them up."""

    @property
    def viewer_row(self) -> LeaderboardRowView | None:
        return next((row for row in self.ranked + self.unranked if row.is_viewer), None)

    @property
    def scope(self) -> str:
        return "Everyone" if self.team_id is None else (self.team_name or self.team_id)

    def _short_of_calls(self, row: LeaderboardRowView) -> bool:
        return row.calls < self.min_calls

    @property
    def unranked_summary(self) -> str:
        """Why the unranked are unranked, in a few words: "under 3 calls", "no goal in this period"."""
        reasons: list[str] = []
        for row in self.unranked:
            reason = f"under {self.min_calls} calls" if self._short_of_calls(row) else (row.reason or "")
            if reason and reason not in reasons:
                reasons.append(reason)
        return " or ".join(reasons)

    @property
    def why_nobody_is_ranked(self) -> str:
        """An empty board explained by its real reason, and what would change it."""
        if not self.unranked:
            return "Nobody here yet. Scores come in with:  nextcall import FILE.jsonl"
        if all(self._short_of_calls(row) for row in self.unranked):
            return f"Nobody has {self.min_calls} scored calls {self.period.phrase} yet: the board fills as calls are scored."
        enough = [row for row in self.unranked if not self._short_of_calls(row)]
        reasons = {row.reason for row in enough}
        if reasons == {NO_GOAL}:
            return f"Nobody here worked on a goal {self.period.phrase}: goal progress ranks agents with a goal."
        if reasons <= {NO_BASELINE}:
            return (
                f"Nobody here has {self.min_calls} calls in the {BASELINE_DAYS} days before the period yet: "
                "most improved compares each agent with their own earlier calls."
            )
        return f"Nobody is ranked on {self.metric.label.lower()} {self.period.phrase} yet ({self.unranked_summary})."


@dataclass(frozen=True, slots=True)
class TeamChoiceView:
    id: str
    name: str
    agents: int


# ------------------------------------------------------------------ figures


@dataclass(slots=True)
class _Standing:
    agent_id: str
    name: str
    team_id: str
    opt_out: bool
    calls: int = 0
    value: float | None = None
    reason: str | None = None
    since_goal: bool = False
    """`calls` counts only the calls since the agent's goal started (goal progress)."""
    before: float | None = None
    after: float | None = None
    """Most improved: the baseline's and the period's mean score, which `value` is the difference of."""


@dataclass(frozen=True, slots=True)
class _Span:
    """Which calls one figure counts: a window of a named period, and its name for the database."""

    period: Period
    name: str
    """"current", "previous", "baseline" or "previous_baseline" (the 30 days before either)."""
    window: Window


def _board(session: Session, function: str, **arguments: object):  # noqa: ANN202 - result rows
    # An agent's or lead's login reads the board through the database's functions
    # (migration 0006): everyone's figures for the named periods only, with
    # opted-out colleagues masked and thin figures withheld by the database.
    placeholders = ", ".join(f"CAST(:{name} AS text)" for name in arguments)
    try:
        return session.connection().execute(text(f"SELECT * FROM nextcall_access.{function}({placeholders})"), arguments)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != "42501":
            raise
        user = session.get_bind().url.username
        raise StoreError(
            f"{user} is not a login of this database, so it reads no one's rows and no leaderboard here; "
            "use the URL `nextcall admin grant` printed for it, or ask whoever looks after the database."
        ) from None


def _span_arguments(span: _Span, team_id: str | None) -> dict[str, object]:
    return {"period": span.period.value, "span": span.name, "team": team_id}


_AgentRow = tuple[str, str, str, bool]
"""An agent on the board: id, name, team, opted out."""


def _agents(session: Session, period: Period, team_id: str | None) -> tuple[list[_AgentRow], str | None]:
    """The agents on the board, and the team's name (None for everyone's board)."""
    if through_login(session):
        rows = _board(session, "board_agents", period=period.value, team=team_id)
        agents = [(key, name, team, bool(opt_out)) for key, name, team, opt_out in rows]
        return agents, _team_name(session, team_id)
    rows = session.exec(_agents_statement(team_id is not None), params=_team(team_id)).all()
    agents = [(row[0], row[1], row[2], bool(row[3])) for row in rows]
    if team_id is None or not rows:
        return agents, _team_name(session, team_id)
    return agents, rows[0][4]  # the team's board reads the team's name with its agents


def _team_name(session: Session, team_id: str | None) -> str | None:
    team = session.get(Team, team_id) if team_id is not None else None
    return team.name if team is not None else None


# The board's statements are built once, with their values as parameters: building
# a statement costs about as much as SQLite takes to run it over a team's calls.


def _team(team_id: str | None) -> dict[str, Any]:
    return {} if team_id is None else {"team": team_id}


def _window(window: Window, team_id: str | None) -> dict[str, Any]:
    return {"start": window.start, "end": window.end, **_team(team_id)}


@cache
def _agents_statement(by_team: bool) -> Any:
    query = select(Agent.id, Agent.name, Agent.team_id, Agent.leaderboard_opt_out)
    if not by_team:
        return query
    team_name = select(Team.name).where(Team.id == bindparam("team")).scalar_subquery()
    return query.add_columns(team_name).where(Agent.team_id == bindparam("team"))


def _of_team(agent_column):  # noqa: ANN001, ANN202 - SQL expressions
    """Rows whose agent is on the team (the `team` parameter)."""
    return col(agent_column).in_(select(Agent.id).where(Agent.team_id == bindparam("team")))


_Scores = dict[str, tuple[int, float | None]]
"""Per agent: calls in a span and their mean score (calls where nothing applied have no score)."""


@dataclass(frozen=True, slots=True)
class _Figures:
    """What the board's spans' standings are made of, read for all of them at once: scores and points by span name."""

    scores: dict[str, _Scores]
    points: dict[str, dict[str, int]]


def _score_parts(windows: int, by_team: bool, per_agent: bool, means: bool) -> list[Any]:
    """Per window (`start0`, `end0`, ...; each row led by its number) and agent: calls and mean score.

    `per_agent` (a team's board, `db.reads_team_per_agent`): each of the team's agents' calls in the window.
    Without `means` (boards that rank by something else and only count calls) the mean is NULL and the calls
    are counted from the agent/time index alone, without reading the calls' rows.
    """
    parts = []
    mean = func.avg(Evaluation.score) if means else null()
    agent = select(Agent.id).where(Agent.team_id == bindparam("team")).subquery("team_agent")
    for index in range(windows):
        start, end = bindparam(f"start{index}"), bindparam(f"end{index}")
        if per_agent:
            figures = (
                select(func.count().label("calls"), mean.label("mean"))
                .where(Evaluation.agent_id == agent.c.id, col(Evaluation.occurred_at) >= start, col(Evaluation.occurred_at) < end)
                .lateral(f"figures{index}")
            )
            parts.append(
                select(literal_column(str(index)), agent.c.id, figures.c.calls, figures.c.mean)
                .select_from(agent).join(figures, true()).where(figures.c.calls > 0)
            )
            continue
        where = [col(Evaluation.occurred_at) >= start, col(Evaluation.occurred_at) < end]
        if by_team:
            where.append(_of_team(Evaluation.agent_id))
        parts.append(
            select(literal_column(str(index)), Evaluation.agent_id, func.count(), mean)
            .where(*where)
            .group_by(Evaluation.agent_id)
        )
    return parts


def _point_parts(spans: int, by_team: bool, first_number: int) -> list[Any]:
    """Per span (`first0`, `last0`, ...; each row led by `first_number` + its number) and agent: points earned."""
    parts = []
    for index in range(spans):
        query = (
            select(literal_column(str(first_number + index)), PointsEntry.agent_id, func.sum(PointsEntry.points), null())
            .where(col(PointsEntry.day) >= bindparam(f"first{index}"), col(PointsEntry.day) <= bindparam(f"last{index}"))
            .group_by(PointsEntry.agent_id)
        )
        parts.append(query.where(_of_team(PointsEntry.agent_id)) if by_team else query)
    return parts


@cache
def _figures_statement(windows: int, point_spans: int, by_team: bool, per_agent: bool, means: bool) -> Any:
    """Scores per window, then points per span (numbered on from the windows): one round trip for the whole board."""
    parts = _score_parts(windows, by_team, per_agent, means) + _point_parts(point_spans, by_team, windows)
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _figures_through_login(
    session: Session, scored: list[_Span], pointed: list[_Span], team_id: str | None
) -> _Figures:
    """The same figures from the database's functions, which a login reads the board through."""
    scores = {
        span.name: {
            agent: (int(calls), None if mean is None else float(mean))
            for agent, calls, mean in _board(session, "board_scores", **_span_arguments(span, team_id))
        }
        for span in scored
    }
    points = {
        span.name: {
            agent: int(total or 0) for agent, total in _board(session, "board_points", **_span_arguments(span, team_id))
        }
        for span in pointed
    }
    return _Figures(scores, points)


@dataclass(frozen=True, slots=True)
class _GoalFigure:
    """An agent's goal on the board: its calls since it started, in the span, and the gain on them."""

    calls: int
    gain: float | None
    """Met rate minus the goal's baseline; None without a baseline (or withheld from a login)."""
    stuck: bool = False
    """The goal stuck before the span: it left the board until the agent starts the next one."""


def _goal_figures(session: Session, span: _Span, team_id: str | None) -> dict[str, _GoalFigure]:
    """Per agent with a goal worked on in the span: the goal behaviour on the calls since the goal started.

    Only what happened since the thing ranked began: calls before the goal
    existed never count for it, nor calls after it stuck (then the agent's
    achievement is celebrated, not ranked for ever)."""
    if through_login(session):
        found = _board(session, "board_goal_gains", **_span_arguments(span, team_id))
        return {
            agent: _GoalFigure(int(calls), gain if has_baseline else None, bool(stuck))
            for agent, calls, has_baseline, gain, stuck in found
        }
    return {
        agent: _GoalFigure(goal.calls, _goal_gain(goal.applicable, goal.met, goal.baseline), goal.stuck)
        for agent, goal in _goals_worked_on(session, span.window, team_id=team_id).items()
    }


@dataclass(frozen=True, slots=True)
class _GoalWorkedOn:
    """An agent's latest goal worked on in a window, with its behaviour's counts there since it started."""

    criterion_id: int
    baseline: tuple[int, int]
    """The goal's own baseline: met, applicable."""
    calls: int
    met: int
    applicable: int
    stuck: bool


def _goals_worked_on(
    session: Session, window: Window, *, team_id: str | None = None, agent_id: str | None = None
) -> dict[str, _GoalWorkedOn]:
    """Per agent (of the team, or the one agent): the goal the board ranks and its counts in the window.

    Through a login this reads only the rows the login may read (its own agent's), so it is asked for the
    viewer alone; everyone's figures come from the database's `board_goal_gains`, which mirrors it."""
    params = _window(window, team_id)
    if agent_id is not None:
        params["agent"] = agent_id
    latest: dict[str, tuple] = {}
    for goal in session.exec(_goals_statement(team_id is not None, agent_id is not None), params=params):
        if goal[1] not in latest or goal[5] > latest[goal[1]][5]:
            latest[goal[1]] = goal
    if not latest:
        return {}
    rows = session.exec(
        _goal_counts_statement(), params={"start": window.start, "end": window.end, "goals": [g[0] for g in latest.values()]}
    )
    counts = {agent: (int(calls), int(met_count or 0), int(applicable_count or 0)) for agent, calls, met_count, applicable_count in rows}
    worked_on = {}
    for agent, goal in latest.items():
        calls, met_count, applicable_count = counts.get(agent, (0, 0, 0))
        stuck = goal[6] is not None and goal[6] < window.start
        worked_on[agent] = _GoalWorkedOn(goal[2], (goal[3], goal[4]), calls, met_count, applicable_count, stuck)
    return worked_on


@cache
def _goals_statement(by_team: bool, by_agent: bool) -> Any:
    goals = select(
        Goal.id, Goal.agent_id, Goal.criterion_id, Goal.baseline_met, Goal.baseline_applicable, Goal.started_at,
        _stuck_at(),
    ).where(
        Goal.status != GoalStatus.dropped.value,
        col(Goal.started_at) < bindparam("end"),
        or_(col(Goal.ended_at).is_(None), Goal.status == GoalStatus.active.value, col(Goal.ended_at) >= bindparam("start")),
    )
    if by_team:
        goals = goals.where(_of_team(Goal.agent_id))
    if by_agent:
        goals = goals.where(Goal.agent_id == bindparam("agent"))
    return goals


@cache
def _goal_counts_statement() -> Any:
    met = func.sum(case((CriterionResult.outcome == Outcome.met.value, 1), else_=0))
    applicable = func.sum(case((CriterionResult.outcome.in_([Outcome.met.value, Outcome.missed.value]), 1), else_=0))
    stop = _stuck_at()
    # Driven from each chosen goal: its agent's calls in the window since it started (by the agent/time
    # index), then the one result on the goal's behaviour (by the result's key), if there is one, so the
    # cost follows the goals, not the store.
    return (
        select(Goal.agent_id, func.count(col(Evaluation.id)), met, applicable)
        .select_from(Goal)
        .join(
            Evaluation,
            and_(
                col(Evaluation.agent_id) == Goal.agent_id,
                col(Evaluation.occurred_at) >= bindparam("start"),
                col(Evaluation.occurred_at) >= Goal.started_at,
                col(Evaluation.occurred_at) < bindparam("end"),
                or_(stop.is_(None), col(Evaluation.occurred_at) <= stop),
            ),
        )
        .join(
            CriterionResult,
            and_(col(CriterionResult.evaluation_id) == Evaluation.id, col(CriterionResult.criterion_id) == Goal.criterion_id),
            isouter=True,
        )
        .where(col(Goal.id).in_(bindparam("goals", expanding=True)))
        .group_by(Goal.agent_id)
    )


def _stuck_at():  # noqa: ANN202 - a SQL expression
    """When a goal stuck: as recognition derived it, or the end of a goal closed as mastered."""
    return func.coalesce(
        Goal.mastered_at, case((Goal.status == GoalStatus.mastered.value, Goal.ended_at), else_=None)
    )


def _goal_gain(applicable: int | None, met: int | None, baseline: tuple[int, int]) -> float | None:
    """The met rate on the goal in the window minus the goal's baseline rate.

    No applicable call yet is no progress either way (0.0); no baseline (None) is nothing to beat."""
    baseline_met, baseline_applicable = baseline
    if not baseline_applicable:
        return None
    if not applicable:
        return 0.0
    return (met or 0) / applicable - baseline_met / baseline_applicable


def _figures(
    session: Session, metric: Metric, spans: list[tuple[_Span, _Span]], zone: tzinfo, team_id: str | None
) -> _Figures:
    """The scores (and points) the metric's standings need in each (span, baseline), in one statement."""
    scored = [span for span, _ in spans] + ([baseline for _, baseline in spans] if metric is Metric.improved else [])
    pointed = [span for span, _ in spans] if metric is Metric.points else []
    if through_login(session):
        return _figures_through_login(session, scored, pointed, team_id)
    # Spans over the same window (the last 30 days' previous period is their baseline) are read once.
    windows: dict[tuple[datetime, datetime], int] = {}
    for span in scored:
        windows.setdefault((span.window.start, span.window.end), len(windows))
    params = _team(team_id)
    for (start, end), index in windows.items():
        params |= {f"start{index}": start, f"end{index}": end}
    for index, span in enumerate(pointed):
        first, last = span.window.local_days(zone)
        params |= {f"first{index}": first, f"last{index}": last}
    means = metric in (Metric.quality, Metric.improved)  # the other boards rank by points or goals, and count calls
    per_agent = team_id is not None and reads_team_per_agent(session)
    statement = _figures_statement(len(windows), len(pointed), team_id is not None, per_agent, means)
    by_window: list[_Scores] = [{} for _ in windows]
    by_span: list[dict[str, int]] = [{} for _ in pointed]
    for number, agent, figure, mean in session.execute(statement, params):
        number = int(number)
        if number < len(windows):
            by_window[number][agent] = (figure, None if mean is None else float(mean))
        else:
            by_span[number - len(windows)][agent] = int(figure or 0)
    return _Figures(
        {span.name: by_window[windows[span.window.start, span.window.end]] for span in scored},
        {span.name: found for span, found in zip(pointed, by_span)},
    )


def _standings(
    session: Session, metric: Metric, span: _Span, baseline: _Span, team_id: str | None, min_calls: int,
    agents: list[_AgentRow], figures: _Figures,
) -> dict[str, _Standing]:
    standings = {row[0]: _Standing(*row) for row in agents}
    scores = figures.scores[span.name]
    for agent, (calls, _) in scores.items():
        if agent in standings:
            standings[agent].calls = calls
    match metric:
        case Metric.quality:
            values = {agent: mean for agent, (_, mean) in scores.items()}
        case Metric.points:
            earned = figures.points[span.name]
            values = {agent: float(earned.get(agent, 0)) for agent in standings}
        case Metric.improved:
            before = figures.scores[baseline.name]
            values = {}
            for agent, (_, mean) in scores.items():
                base_calls, base_mean = before.get(agent, (0, None))
                if base_calls < min_calls or base_mean is None:
                    if agent in standings:
                        standings[agent].reason = NO_BASELINE
                    continue
                if mean is not None:
                    values[agent] = mean - base_mean
                    if agent in standings:
                        standings[agent].before, standings[agent].after = base_mean, mean
        case Metric.goal:
            values = {}
            figures = _goal_figures(session, span, team_id)
            for agent, standing in standings.items():
                if standing.calls < min_calls:
                    continue  # too few calls in the period to say anything of their goal, even that there is one
                figure = figures.get(agent)
                if figure is None:
                    standing.reason = NO_GOAL
                elif figure.stuck:
                    standing.reason = GOAL_STUCK
                else:
                    # Only the calls since the goal started count, for the minimum too.
                    standing.calls, standing.since_goal = figure.calls, True
                    values[agent] = figure.gain
                    if figure.gain is None:
                        standing.reason = GOAL_WITHOUT_BASELINE
    for agent, standing in standings.items():
        if standing.calls < min_calls and standing.reason != GOAL_STUCK:
            since = " since their goal started" if standing.since_goal else ""
            standing.reason = f"{standing.calls} of {min_calls} calls{since}"
            continue
        if standing.reason is None and values.get(agent) is not None:
            standing.value = values[agent]
        elif standing.reason is None:
            standing.reason = NOTHING_SCORED
    return standings


def _ranks(standings: Iterable[_Standing], metric: Metric) -> dict[str, int]:
    """Competition ranking (1, 1, 3): values equal as shown on the board share a rank."""
    # Each value as shown worked out once (everyone's board ranks thousands), highest first.
    ranked = sorted(((_shown(s.value, metric), s.agent_id) for s in standings if s.value is not None), reverse=True)
    ranks: dict[str, int] = {}
    previous: int | None = None
    rank = 0
    for position, (key, agent_id) in enumerate(ranked, start=1):
        if key != previous:
            rank, previous = position, key
        ranks[agent_id] = rank
    return ranks


def _shown(value: float | None, metric: Metric) -> int:
    # The board shows whole percentage points (or whole points): 80.4% and 79.6% both read "80%", a tie.
    return round(value or 0.0) if metric is Metric.points else round((value or 0.0) * 100)


def leaderboard_in(
    session: Session,
    *,
    metric: Metric,
    period: Period,
    team_id: str | None,
    viewer_id: str | None,
    now: datetime,
    zone: tzinfo,
    min_calls: int = DEFAULT_MIN_CALLS,
    next_call: bool = True,
) -> LeaderboardView:
    if through_login(session):
        # The team's board, as the database keeps it for every login: its clock,
        # its time zone and its minimum, whatever this app's settings say.
        zone_name, min_calls, now = session.connection().execute(
            text("SELECT * FROM nextcall_access.board_settings()")
        ).one()
        zone = ZoneInfo(zone_name)
    window = period_window(period, now, zone)
    earlier = previous_window(period, now, zone)
    current = _Span(period, "current", window)
    previous = _Span(period, "previous", earlier)
    agents, team_name = _agents(session, period, team_id)
    spans = [
        (current, _Span(period, "baseline", baseline_window(window, zone))),
        (previous, _Span(period, "previous_baseline", baseline_window(earlier, zone))),
    ]
    figures = _figures(session, metric, spans, zone, team_id)
    standings = _standings(session, metric, *spans[0], team_id, min_calls, agents, figures)
    ranks = _ranks(standings.values(), metric)
    tied = {rank for rank, count in Counter(ranks.values()).items() if count > 1}
    before_standings = _standings(session, metric, *spans[1], team_id, min_calls, agents, figures)
    before = _ranks(before_standings.values(), metric)
    own_goal = _own_goal(session, current, viewer_id) if metric is Metric.goal and viewer_id in ranks else None

    def behind(standing: _Standing, is_viewer: bool, hidden: bool) -> dict[str, object]:
        """What the row's figure rests on, where this viewer may see it."""
        if hidden or standing.agent_id not in ranks:
            return {}
        if metric is Metric.improved:
            return {"before": _even(standing.before), "after": _even(standing.after)}
        if is_viewer and own_goal is not None:
            # Only the viewer's own goal: a login reads no colleague's, and on a shared screen nobody's is shown.
            return own_goal
        return {}

    def row(standing: _Standing) -> LeaderboardRowView:
        is_viewer = standing.agent_id == viewer_id
        hidden = standing.opt_out and not is_viewer
        rank = ranks.get(standing.agent_id)
        movement, places = None, 0
        if rank is not None:
            was = before.get(standing.agent_id)
            if was is None:
                movement = Movement.new
            else:
                places = abs(was - rank)
                movement = Movement.up if rank < was else Movement.down if rank > was else Movement.same
        return LeaderboardRowView(
            rank=rank,
            agent_id=None if hidden else standing.agent_id,
            name=ANONYMOUS if hidden else standing.name,
            team_id=standing.team_id,
            value=standing.value if rank is not None else None,
            calls=standing.calls,
            shares_rank=rank in tied,
            movement=movement,
            places=places,
            is_viewer=is_viewer,
            anonymous=standing.opt_out,
            reason=standing.reason if rank is None else None,
            metric=metric,
            **behind(standing, is_viewer, hidden),  # type: ignore[arg-type]
        )

    rows = [row(s) for s in standings.values()]
    # Names sort ties so the board reads steadily; rows both called Anonymous go by what they show, so
    # their order reveals nothing and is the same on every copy of the data, whatever order rows are read in.
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.name.casefold(), *_what_it_shows(r)))
    unranked = sorted((r for r in rows if r.rank is None), key=lambda r: (-r.calls, r.name.casefold(), *_what_it_shows(r)))
    return LeaderboardView(
        viewer_goal=_goal_of(session, viewer_id) if viewer_id and next_call else None,
        metric=metric,
        period=period,
        window=window,
        team_id=team_id,
        team_name=team_name,
        ranked=ranked,
        unranked=unranked,
        min_calls=min_calls,
    )


def _what_it_shows(row: LeaderboardRowView) -> tuple[object, ...]:
    """What a row shows besides its name, as a sort key."""
    return (-row.calls, row.movement.value if row.movement else "", row.places, row.reason or "", row.is_viewer)


def _even(rate: float | None) -> float | None:
    # A mean the database sums in another order differs in the 16th digit; the board shows whole points.
    return None if rate is None else round(rate, 9)


def _own_goal(session: Session, span: _Span, viewer_id: str | None) -> dict[str, object] | None:
    """The viewer's goal on the goal board: its behaviour, its baseline and its met rate in the period.

    The baseline is the goal's own (the Goal screen's "before"), the period's rate the one the board's
    gain is taken from, so the row reads "62% → 80%" beside "+18 pts"."""
    if viewer_id is None:
        return None
    goal = _goals_worked_on(session, span.window, agent_id=viewer_id).get(viewer_id)
    if goal is None:
        return None
    criterion = session.get(Criterion, goal.criterion_id)
    return {
        "behaviour": criterion.name if criterion is not None else None,
        "before": _even(PassRate(*goal.baseline).rate),
        "after": _even(PassRate(goal.met, goal.applicable).rate),
    }


def _goal_of(session: Session, agent_id: str) -> tuple[str, str] | None:
    """The viewer's one focus and its next-call instruction, as Home shows it: what moves them up."""
    from .queries import coaching_state_in  # the coaching rules, loaded only when a board has a viewer

    state = coaching_state_in(session, agent_id)
    return state.next_call if state is not None else None


def leaderboard(
    db: Engine,
    *,
    metric: Metric = Metric.quality,
    period: Period = Period.this_week,
    team_id: str | None,
    viewer_id: str | None = None,
    now: datetime | None = None,
    zone: tzinfo | None = None,
    min_calls: int = DEFAULT_MIN_CALLS,
    next_call: bool = True,
) -> LeaderboardView:
    """The board for a team (None: everyone), as `viewer_id` may see it.

    With `next_call`, the viewer's next-call instruction comes with it (their coaching state, about a
    Home's worth of work); a board shown only for the viewer's place on it leaves it out.
    """
    now = now or utc_now()
    zone = zone or now.astimezone().tzinfo
    assert zone is not None
    # Everyone's board is thousands of standings and rows made at once, none of them in a cycle.
    with collector_paused(), Session(db) as session:
        return leaderboard_in(
            session, metric=metric, period=period, team_id=team_id, viewer_id=viewer_id, now=now, zone=zone,
            min_calls=min_calls, next_call=next_call,
        )


def teams(db: Engine) -> list[TeamChoiceView]:
    """Every team with its head count, for choosing whose board to show."""
    with Session(db) as session:
        if through_login(session):
            # Head counts from the board, which counts colleagues an agent's login cannot read.
            counts = dict(_board(session, "board_team_sizes").all())
            return [
                TeamChoiceView(id, name or id, int(counts.get(id, 0)))
                for id, name in session.exec(select(Team.id, Team.name).order_by(Team.id))
            ]
        rows = session.exec(
            select(Team.id, Team.name, func.count(col(Agent.id)))
            .join(Agent, col(Agent.team_id) == Team.id, isouter=True)
            .group_by(Team.id, Team.name)
            .order_by(Team.id)
        )
        return [TeamChoiceView(id, name or id, count) for id, name, count in rows]


def set_opt_out(db: Engine, *, agent_id: str, anonymous: bool) -> None:
    """Record an agent's own choice to appear as Anonymous to colleagues (or not)."""
    _choose_anonymous(db, agent_id, anonymous)


def toggle_opt_out(db: Engine, *, agent_id: str) -> bool:
    """Flip the agent's own choice to appear as Anonymous, in one unit of work; returns the new choice."""
    return _choose_anonymous(db, agent_id, None)


def _choose_anonymous(db: Engine, agent_id: str, anonymous: bool | None) -> bool:
    """Set (or, with None, flip) the choice; returns it."""
    with unit_of_work(db) as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise LookupError(f"unknown agent {agent_id!r}")
        if through_login(session):
            # The login's own agent, whichever id was asked for: the database decides whose choice it is.
            chosen = session.connection().execute(
                text("SELECT nextcall_access.set_opt_out(CAST(:anonymous AS boolean))"), {"anonymous": anonymous}
            ).scalar()
            return bool(chosen)
        agent.leaderboard_opt_out = (not agent.leaderboard_opt_out) if anonymous is None else anonymous
        return agent.leaderboard_opt_out


def is_opted_out(db: Engine, *, agent_id: str) -> bool:
    with Session(db) as session:
        agent = session.get(Agent, agent_id)
        return bool(agent and agent.leaderboard_opt_out)


# ------------------------------------------------------------------ celebrations


@dataclass(frozen=True, slots=True)
class CelebrationView:
    """Something worth a banner on the wallboard: a badge earned or a goal that stuck."""

    marker: tuple[int, int]
    name: str
    team_id: str
    headline: str
    icon: str
    """The badge's own icon from the catalogue (a mastered goal: its badge's)."""


def celebration_marker(db: Engine) -> tuple[int, int]:
    """Where celebrations stand now: the newest badge award and the newest goal-mastered points."""
    with Session(db) as session:
        award = session.exec(select(func.max(BadgeAward.id))).one()
        mastered = session.exec(
            select(func.max(PointsEntry.id)).where(PointsEntry.source == "goal_mastered")
        ).one()
        return int(award or 0), int(mastered or 0)


def celebrations_since(db: Engine, *, marker: tuple[int, int], team_id: str | None) -> list[CelebrationView]:
    """Badges earned and goals mastered after `marker`, oldest first; opted-out agents stay Anonymous."""
    found: list[tuple[Agent, str, str]] = []
    newest_award, newest_mastery = marker
    with Session(db) as session:
        awards = select(BadgeAward, Agent).join(Agent, col(Agent.id) == BadgeAward.agent_id).where(
            col(BadgeAward.id) > marker[0]
        )
        goals = select(PointsEntry, Agent).join(Agent, col(Agent.id) == PointsEntry.agent_id).where(
            PointsEntry.source == "goal_mastered", col(PointsEntry.id) > marker[1]
        )
        if team_id is not None:
            awards = awards.where(_of_team(BadgeAward.agent_id))
            goals = goals.where(_of_team(PointsEntry.agent_id))
        for award, agent in session.exec(awards.order_by(col(BadgeAward.id)), params=_team(team_id)):
            newest_award = max(newest_award, award.id or 0)
            if award.badge_id == MASTERY_BADGE:
                continue  # the mastered goal itself is celebrated below; its badge would say it twice
            badge = BADGES.get(award.badge_id)
            name, icon = (badge.name, badge.icon) if badge else (award.badge_id, "•")  # a badge this version does not know
            found.append((agent, f"earned the {name} badge", icon))
        for entry, agent in session.exec(goals.order_by(col(PointsEntry.id)), params=_team(team_id)):
            newest_mastery = max(newest_mastery, entry.id or 0)
            found.append((agent, "mastered a goal: it stuck", BADGES[MASTERY_BADGE].icon))
        return [
            CelebrationView(
                (newest_award, newest_mastery),
                ANONYMOUS if agent.leaderboard_opt_out else agent.name,
                agent.team_id,
                headline,
                icon,
            )
            for agent, headline, icon in found
        ]


def team_of(db: Engine, *, agent_id: str) -> str | None:
    """The agent's team, whose board they see first."""
    with Session(db) as session:
        agent = session.get(Agent, agent_id)
        return agent.team_id if agent is not None else None
