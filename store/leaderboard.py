"""The leaderboard: fair rankings of a team (or everyone) over a period.

Fair means an improver can win (most improved, goal progress), a bad day does
not follow anyone for a month (short periods, a minimum number of calls before
anyone is ranked), ties share a rank, and nobody is shown against their will
(an agent who opts out is "Anonymous" to everyone but themselves).

Everything is aggregated in the database, one grouped query per figure, so a
board over hundreds of agents stays quick. Periods are calendar periods in the
viewer's time zone: "this week" starts on Monday at midnight where they sit.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import Engine, and_, case, func, or_, text
from sqlmodel import Session, col, select

from .badges import BADGES
from .db import unit_of_work
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
    """The span a period covers at `now`, with calendar boundaries in `zone`."""
    local = now.astimezone(zone)
    match period:
        case Period.this_week:
            start = _midnight(local.date() - timedelta(days=local.weekday()), zone)
        case Period.this_month:
            start = _midnight(local.date().replace(day=1), zone)
        case Period.last_7_days:
            start = now - timedelta(days=7)
        case Period.last_30_days:
            start = now - timedelta(days=30)
    return Window(start, now)


def previous_window(period: Period, now: datetime, zone: tzinfo) -> Window:
    """The whole period before the current one (last week, last month, the 7 days before …)."""
    current = period_window(period, now, zone)
    local_start = current.start.astimezone(zone)
    match period:
        case Period.this_week:
            start = _midnight(local_start.date() - timedelta(days=7), zone)
        case Period.this_month:
            start = _midnight((local_start.date() - timedelta(days=1)).replace(day=1), zone)
        case Period.last_7_days | Period.last_30_days:
            start = current.start - (current.end - current.start)
    return Window(start, current.start)


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


def _through_board_functions(session: Session) -> bool:
    # On PostgreSQL the figures come from the database's leaderboard functions
    # (migration 0004): an agent's own login reads only its own rows, yet sees
    # everyone's figures there, with opted-out colleagues masked by the database.
    return session.get_bind().dialect.name == "postgresql"


def _board(session: Session, function: str, **arguments: object):  # noqa: ANN202 - result rows
    # Typed placeholders, so a None team is a text NULL.
    types = {"start": "timestamptz", "end": "timestamptz", "first": "date", "last": "date", "team": "text"}
    placeholders = ", ".join(f"CAST(:{name} AS {types[name]})" for name in arguments)
    return session.connection().execute(text(f"SELECT * FROM nextcall_access.{function}({placeholders})"), arguments)


def _agents(session: Session, team_id: str | None) -> dict[str, _Standing]:
    if _through_board_functions(session):
        rows = _board(session, "board_agents", team=team_id)
        return {key: _Standing(key, name, team, bool(opt_out)) for key, name, team, opt_out in rows}
    query = select(Agent.id, Agent.name, Agent.team_id, Agent.leaderboard_opt_out)
    if team_id is not None:
        query = query.where(Agent.team_id == team_id)
    return {row[0]: _Standing(row[0], row[1], row[2], bool(row[3])) for row in session.exec(query)}


def _of_team(agent_column, team_id: str):  # noqa: ANN001, ANN202 - SQL expressions
    """Rows whose agent is on the team."""
    return col(agent_column).in_(select(Agent.id).where(Agent.team_id == team_id))


def _in(window: Window, team_id: str | None):  # noqa: ANN202 - a SQL condition
    where = [col(Evaluation.occurred_at) >= window.start, col(Evaluation.occurred_at) < window.end]
    if team_id is not None:
        where.append(_of_team(Evaluation.agent_id, team_id))
    return and_(*where)


def _scores(session: Session, window: Window, team_id: str | None) -> dict[str, tuple[int, float | None]]:
    """Per agent: calls in the window and their mean score (calls where nothing applied have no score)."""
    if _through_board_functions(session):
        found = _board(session, "board_scores", start=window.start, end=window.end, team=team_id)
        return {agent: (int(calls), None if mean is None else float(mean)) for agent, calls, mean in found}
    rows = session.exec(
        select(Evaluation.agent_id, func.count(), func.avg(Evaluation.score))
        .where(_in(window, team_id))
        .group_by(Evaluation.agent_id)
    )
    return {agent: (calls, None if mean is None else float(mean)) for agent, calls, mean in rows}


def _points(session: Session, window: Window, zone: tzinfo, team_id: str | None) -> dict[str, int]:
    first, last = window.local_days(zone)
    if _through_board_functions(session):
        found = _board(session, "board_points", first=first, last=last, team=team_id)
        return {agent: int(total or 0) for agent, total in found}
    query = (
        select(PointsEntry.agent_id, func.sum(PointsEntry.points))
        .where(col(PointsEntry.day) >= first, col(PointsEntry.day) <= last)
        .group_by(PointsEntry.agent_id)
    )
    if team_id is not None:
        query = query.where(_of_team(PointsEntry.agent_id, team_id))
    return {agent: int(total or 0) for agent, total in session.exec(query)}


def _goal_rates(session: Session, window: Window, team_id: str | None) -> dict[str, tuple[int, float | None]]:
    """Per agent with a goal worked on in the window: applicable calls on it, and met rate minus baseline.

    The gain is None for a goal started before its behaviour ever applied: it has no baseline to beat."""
    if _through_board_functions(session):
        found = _board(session, "board_goal_rates", start=window.start, end=window.end, team=team_id)
        return {agent: _goal_gain(applicable, met, baseline) for agent, applicable, met, *baseline in found}
    goals = select(
        Goal.id, Goal.agent_id, Goal.criterion_id, Goal.baseline_met, Goal.baseline_applicable, Goal.started_at
    ).where(
        Goal.status != GoalStatus.dropped.value,
        col(Goal.started_at) < window.end,
        or_(col(Goal.ended_at).is_(None), Goal.status == GoalStatus.active.value, col(Goal.ended_at) >= window.start),
    )
    if team_id is not None:
        goals = goals.where(_of_team(Goal.agent_id, team_id))
    latest: dict[str, tuple] = {}
    for goal in session.exec(goals):
        if goal[1] not in latest or goal[5] > latest[goal[1]][5]:
            latest[goal[1]] = goal
    if not latest:
        return {}
    met = func.sum(case((CriterionResult.outcome == Outcome.met.value, 1), else_=0))
    applicable = func.sum(case((CriterionResult.outcome != Outcome.na.value, 1), else_=0))
    # Driven from each chosen goal: its agent's calls in the window (by the agent/time index), then the
    # one result on the goal's behaviour (by the result's key), so the cost follows the goals, not the store.
    rows = session.exec(
        select(Goal.agent_id, met, applicable)
        .select_from(Goal)
        .join(
            Evaluation,
            and_(
                col(Evaluation.agent_id) == Goal.agent_id,
                col(Evaluation.occurred_at) >= window.start,
                col(Evaluation.occurred_at) < window.end,
            ),
        )
        .join(
            CriterionResult,
            and_(col(CriterionResult.evaluation_id) == Evaluation.id, col(CriterionResult.criterion_id) == Goal.criterion_id),
        )
        .where(col(Goal.id).in_([g[0] for g in latest.values()]))
        .group_by(Goal.agent_id)
    )
    counts = {agent: (applicable_count, met_count) for agent, met_count, applicable_count in rows}
    return {agent: _goal_gain(*counts.get(agent, (0, 0)), goal[3:5]) for agent, goal in latest.items()}


def _goal_gain(applicable: int | None, met: int | None, baseline: tuple[int, int]) -> tuple[int, float | None]:
    """Applicable calls on the goal in the window, and the met rate there minus the goal's baseline rate.

    No applicable call yet is no progress either way (0.0); no baseline (None) is nothing to beat."""
    baseline_met, baseline_applicable = baseline
    if not baseline_applicable:
        return 0, None
    if not applicable:
        return 0, 0.0
    return int(applicable), (met or 0) / applicable - baseline_met / baseline_applicable


def _standings(
    session: Session, metric: Metric, window: Window, zone: tzinfo, team_id: str | None, min_calls: int
) -> dict[str, _Standing]:
    standings = _agents(session, team_id)
    scores = _scores(session, window, team_id)
    for agent, (calls, _) in scores.items():
        if agent in standings:
            standings[agent].calls = calls
    match metric:
        case Metric.quality:
            values = {agent: mean for agent, (_, mean) in scores.items()}
        case Metric.points:
            earned = _points(session, window, zone, team_id)
            values = {agent: float(earned.get(agent, 0)) for agent in standings}
        case Metric.improved:
            before = Window(window.start - timedelta(days=BASELINE_DAYS), window.start)
            baseline = _scores(session, before, team_id)
            values = {}
            for agent, (_, mean) in scores.items():
                base_calls, base_mean = baseline.get(agent, (0, None))
                if base_calls < min_calls or base_mean is None:
                    if agent in standings:
                        standings[agent].reason = NO_BASELINE
                    continue
                if mean is not None:
                    values[agent] = mean - base_mean
        case Metric.goal:
            values = {}
            for agent, (_applicable, gain) in _goal_rates(session, window, team_id).items():
                values[agent] = gain
            for agent, standing in standings.items():
                if agent not in values:
                    standing.reason = NO_GOAL
                elif values[agent] is None:
                    standing.reason = GOAL_WITHOUT_BASELINE
    for agent, standing in standings.items():
        if standing.calls < min_calls:
            standing.reason = f"{standing.calls} of {min_calls} calls"
            continue
        if standing.reason is None and values.get(agent) is not None:
            standing.value = values[agent]
        elif standing.reason is None:
            standing.reason = NOTHING_SCORED
    return standings


def _ranks(standings: Iterable[_Standing], metric: Metric) -> dict[str, int]:
    """Competition ranking (1, 1, 3): values equal as shown on the board share a rank."""
    ranked = sorted((s for s in standings if s.value is not None), key=lambda s: -_shown(s.value, metric))
    ranks: dict[str, int] = {}
    previous: int | None = None
    rank = 0
    for position, standing in enumerate(ranked, start=1):
        key = _shown(standing.value, metric)
        if key != previous:
            rank, previous = position, key
        ranks[standing.agent_id] = rank
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
) -> LeaderboardView:
    window = period_window(period, now, zone)
    standings = _standings(session, metric, window, zone, team_id, min_calls)
    ranks = _ranks(standings.values(), metric)
    tied = {rank for rank, count in Counter(ranks.values()).items() if count > 1}
    before = _ranks(
        _standings(session, metric, previous_window(period, now, zone), zone, team_id, min_calls).values(), metric
    )
    team = session.get(Team, team_id) if team_id is not None else None
    team_name = team.name if team is not None else None

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
        )

    rows = [row(s) for s in standings.values()]
    # Names sort ties so the board reads steadily; anonymous rows sort by a value that reveals nothing.
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.name.casefold()))
    unranked = sorted((r for r in rows if r.rank is None), key=lambda r: (-r.calls, r.name.casefold()))
    return LeaderboardView(
        viewer_goal=_goal_of(session, viewer_id) if viewer_id else None,
        metric=metric,
        period=period,
        window=window,
        team_id=team_id,
        team_name=team_name,
        ranked=ranked,
        unranked=unranked,
        min_calls=min_calls,
    )


def _goal_of(session: Session, agent_id: str) -> tuple[str, str] | None:
    row = session.exec(
        select(Criterion.name, Criterion.next_call)
        .join(Goal, col(Goal.criterion_id) == Criterion.id)
        .where(Goal.agent_id == agent_id, Goal.status == GoalStatus.active.value)
    ).first()
    return (row[0], row[1]) if row is not None else None


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
) -> LeaderboardView:
    """The board for a team (None: everyone), as `viewer_id` may see it."""
    now = now or utc_now()
    zone = zone or now.astimezone().tzinfo
    assert zone is not None
    with Session(db) as session:
        return leaderboard_in(
            session, metric=metric, period=period, team_id=team_id, viewer_id=viewer_id, now=now, zone=zone, min_calls=min_calls
        )


def teams(db: Engine) -> list[TeamChoiceView]:
    """Every team with its head count, for choosing whose board to show."""
    with Session(db) as session:
        if _through_board_functions(session):
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
    with unit_of_work(db) as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise LookupError(f"unknown agent {agent_id!r}")
        agent.leaderboard_opt_out = anonymous


def toggle_opt_out(db: Engine, *, agent_id: str) -> bool:
    """Flip the agent's own choice to appear as Anonymous, in one unit of work; returns the new choice."""
    with unit_of_work(db) as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise LookupError(f"unknown agent {agent_id!r}")
        agent.leaderboard_opt_out = not agent.leaderboard_opt_out
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
    found: list[tuple[Agent, str]] = []
    newest_award, newest_mastery = marker
    with Session(db) as session:
        awards = select(BadgeAward, Agent).join(Agent, col(Agent.id) == BadgeAward.agent_id).where(
            col(BadgeAward.id) > marker[0]
        )
        goals = select(PointsEntry, Agent).join(Agent, col(Agent.id) == PointsEntry.agent_id).where(
            PointsEntry.source == "goal_mastered", col(PointsEntry.id) > marker[1]
        )
        if team_id is not None:
            awards = awards.where(_of_team(BadgeAward.agent_id, team_id))
            goals = goals.where(_of_team(PointsEntry.agent_id, team_id))
        for award, agent in session.exec(awards.order_by(col(BadgeAward.id))):
            newest_award = max(newest_award, award.id or 0)
            if award.badge_id == MASTERY_BADGE:
                continue  # the mastered goal itself is celebrated below; its badge would say it twice
            name = BADGES[award.badge_id].name if award.badge_id in BADGES else award.badge_id
            found.append((agent, f"earned the {name} badge"))
        for entry, agent in session.exec(goals.order_by(col(PointsEntry.id))):
            newest_mastery = max(newest_mastery, entry.id or 0)
            found.append((agent, "mastered a goal: it stuck"))
        return [
            CelebrationView(
                (newest_award, newest_mastery), ANONYMOUS if agent.leaderboard_opt_out else agent.name, agent.team_id, headline
            )
            for agent, headline in found
        ]


def team_of(db: Engine, *, agent_id: str) -> str | None:
    """The agent's team, whose board they see first."""
    with Session(db) as session:
        agent = session.get(Agent, agent_id)
        return agent.team_id if agent is not None else None
