"""Recognition: the badge catalogue, points and levels, as pure rules over an agent's history.

Everything here is derived from the evaluations, the agent's goals and their
self-assessments, and nothing else: the same history always gives the same
badges and points, however and in whatever batches it arrived. QA scores are
never changed, and points never come from the score alone: they reward the
behaviour being worked on, goals that stick, listening first and badges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .models import Outcome
from .rules import Target, goal_progress

# ------------------------------------------------------------------- history


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One scored call, as recognition sees it."""

    evaluation_id: int
    occurred_at: datetime
    outcomes: Mapping[str, Outcome]
    score: float | None
    critical_keys: frozenset[str] = frozenset()
    """The keys of the critical criteria of the call's scorecard."""


@dataclass(frozen=True, slots=True)
class GoalRecord:
    """A goal, with the window of time it was worked on (`ended_at` None while open)."""

    criterion_key: str
    started_at: datetime
    ended_at: datetime | None
    target: Target = Target()
    goal_id: int | None = None


@dataclass(frozen=True, slots=True)
class AgentHistory:
    """Everything recognition is derived from, for one agent. Calls oldest first."""

    calls: Sequence[CallRecord]
    goals: Sequence[GoalRecord] = ()
    self_assessments_on_time: Sequence[datetime] = ()
    """When self-assessments were submitted before their coaching session."""


# --------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Earned:
    """A badge earned: when, and the call that earned it (None for one not earned by a call)."""

    at: datetime
    evaluation_id: int | None


@dataclass(frozen=True, slots=True)
class BadgeState:
    """A badge for one agent: earned, or how far along the way."""

    earned: Earned | None
    progress: int
    """The closest the history came (the best run, for a streak)."""
    needed: int
    current: int | None = field(default=None, compare=False)
    """For a streak: the run going now (a best run long broken is no progress today); not part of what was earned."""


BadgeRule = Callable[[AgentHistory], BadgeState]


@dataclass(frozen=True, slots=True)
class Badge:
    """One badge of the catalogue."""

    id: str
    name: str
    description: str
    icon: str
    kind: str
    """outcome, improvement or process."""
    unit: str
    """What progress counts, for "7 / 10 calls"."""
    rule: BadgeRule = field(repr=False)


def _goal_calls(history: AgentHistory, goal: GoalRecord) -> list[tuple[CallRecord, Outcome]]:
    return [
        (call, call.outcomes.get(goal.criterion_key, Outcome.na))
        for call in history.calls
        if call.occurred_at >= goal.started_at and (goal.ended_at is None or call.occurred_at <= goal.ended_at)
    ]


def mastering_call(history: AgentHistory, goal: GoalRecord) -> CallRecord | None:
    """The call on which a goal stuck (its target held over two consecutive windows), or None."""
    calls = [(c, o) for c, o in _goal_calls(history, goal) if o is not Outcome.na]
    progress = goal_progress([o for _, o in calls], goal.target)
    return calls[progress.mastered_at][0] if progress.mastered_at is not None else None


def first_goal_mastered(history: AgentHistory) -> BadgeState:
    """A goal that stuck: the target held over two consecutive windows.

    Earned when it stuck; the call it points to is the one that best shows it:
    the best-scored call of the last window where the behaviour was met."""
    for goal in history.goals:
        call = mastering_call(history, goal)
        if call is not None:
            shown = _best_call_of_last_window(history, goal, call)
            return BadgeState(Earned(call.occurred_at, shown.evaluation_id), 1, 1)
    return BadgeState(None, 0, 1)


def _best_call_of_last_window(history: AgentHistory, goal: GoalRecord, stuck: CallRecord) -> CallRecord:
    applied = [(c, o) for c, o in _goal_calls(history, goal) if o is not Outcome.na and c.occurred_at <= stuck.occurred_at]
    window = [c for c, o in applied[-goal.target.window :] if o is Outcome.met]
    # Best score first, the latest among equals; a call with no score comes last.
    return max(window, key=lambda c: (c.score if c.score is not None else -1.0, c.occurred_at), default=stuck)


PERFECT_MIN_APPLICABLE = 3


def perfect_call(history: AgentHistory) -> BadgeState:
    """Every behaviour that applied was met, on a call where at least three applied."""
    best = (0, PERFECT_MIN_APPLICABLE)  # the closest call so far: met of applied
    for call in history.calls:
        applied = [o for o in call.outcomes.values() if o is not Outcome.na]
        met = sum(o is Outcome.met for o in applied)
        if len(applied) >= PERFECT_MIN_APPLICABLE and met == len(applied):
            return BadgeState(Earned(call.occurred_at, call.evaluation_id), met, met)
        if len(applied) >= PERFECT_MIN_APPLICABLE and met / len(applied) > best[0] / best[1]:
            best = (met, len(applied))
    return BadgeState(None, *best)


CRITICAL_STREAK = 20


def critical_streak(history: AgentHistory) -> BadgeState:
    """A critical behaviour met on 20 calls in a row where it applied."""
    streaks: dict[str, int] = defaultdict(int)
    best: dict[str, int] = defaultdict(int)
    for call in history.calls:
        for key in sorted(call.critical_keys):
            outcome = call.outcomes.get(key, Outcome.na)
            if outcome is Outcome.na:
                continue
            streaks[key] = streaks[key] + 1 if outcome is Outcome.met else 0
            best[key] = max(best[key], streaks[key])
            if streaks[key] >= CRITICAL_STREAK:
                return BadgeState(Earned(call.occurred_at, call.evaluation_id), CRITICAL_STREAK, CRITICAL_STREAK)
    return BadgeState(None, max([0, *best.values()]), CRITICAL_STREAK, max([0, *streaks.values()]))


def _weeks(history: AgentHistory) -> list[tuple[date, list[CallRecord]]]:
    weeks: dict[date, list[CallRecord]] = defaultdict(list)
    for call in history.calls:
        if call.score is not None:
            day = call.occurred_at.date()
            weeks[day - timedelta(days=day.weekday())].append(call)
    return sorted(weeks.items())


def _mean_score(calls: Sequence[CallRecord]) -> float:
    return sum(c.score for c in calls if c.score is not None) / len(calls)


WEEK_MIN_CALLS = 3
IMPROVEMENT = 0.10


def big_week(history: AgentHistory) -> BadgeState:
    """A week (3+ calls) whose mean score beat the four weeks before it by 10 points or more."""
    weeks = _weeks(history)
    best_gain = 0
    for index, (_, calls) in enumerate(weeks):
        before = [c for _, week in weeks[max(0, index - 4) : index] for c in week]
        if len(calls) < WEEK_MIN_CALLS or len(before) < 5:
            continue
        gain = round(_mean_score(calls) - _mean_score(before), 9)  # 0.1 exactly is 0.1, not 0.0999…
        if gain >= IMPROVEMENT:
            last = calls[-1]
            return BadgeState(Earned(last.occurred_at, last.evaluation_id), 10, 10)
        best_gain = max(best_gain, round(gain * 100))
    return BadgeState(None, max(0, best_gain), 10)


DIP = 0.15


def comeback(history: AgentHistory) -> BadgeState:
    """After a week 15 points below your usual, a week back at your usual or better."""
    weeks = _weeks(history)
    dipped = False
    for index, (_, calls) in enumerate(weeks):
        before = [c for _, week in weeks[max(0, index - 4) : index] for c in week]
        if len(calls) < WEEK_MIN_CALLS or len(before) < 5:
            continue
        change = round(_mean_score(calls) - _mean_score(before), 9)
        if dipped and change >= -0.02:
            last = calls[-1]
            return BadgeState(Earned(last.occurred_at, last.evaluation_id), 2, 2)
        if change <= -DIP:
            dipped = True
    return BadgeState(None, 1 if dipped else 0, 2)


def listened_first(history: AgentHistory) -> BadgeState:
    """A self-assessment written and submitted before its coaching session."""
    if history.self_assessments_on_time:
        return BadgeState(Earned(min(history.self_assessments_on_time), None), 1, 1)
    return BadgeState(None, 0, 1)


GOAL_STREAK = 5


def _goal_streaks(history: AgentHistory) -> list[tuple[list[CallRecord], GoalRecord]]:
    """Runs of calls where the goal behaviour was met, `na` calls passed over."""
    runs: list[tuple[list[CallRecord], GoalRecord]] = []
    for goal in history.goals:
        run: list[CallRecord] = []
        for call, outcome in _goal_calls(history, goal):
            if outcome is Outcome.na:
                continue
            if outcome is Outcome.met:
                run.append(call)
                runs.append((list(run), goal))
            else:
                run = []
    return runs


def _current_goal_run(history: AgentHistory) -> int:
    """Calls in a row the latest goal's behaviour was met, up to now (0 without a goal, or after a miss)."""
    if not history.goals:
        return 0
    run = 0
    for _, outcome in _goal_calls(history, max(history.goals, key=lambda goal: goal.started_at)):
        if outcome is not Outcome.na:
            run = run + 1 if outcome is Outcome.met else 0
    return run


def on_a_roll(history: AgentHistory) -> BadgeState:
    """The goal behaviour met on 5 calls in a row."""
    best = 0
    for run, _ in _goal_streaks(history):
        if len(run) >= GOAL_STREAK:
            return BadgeState(Earned(run[-1].occurred_at, run[-1].evaluation_id), GOAL_STREAK, GOAL_STREAK)
        best = max(best, len(run))
    return BadgeState(None, best, GOAL_STREAK, _current_goal_run(history))


STEADY_STREAK = 10
STEADY_DAYS = 3


def steady(history: AgentHistory) -> BadgeState:
    """The goal behaviour met on 10 calls in a row, over 3 or more days: days off don't break it."""
    best = 0
    for run, _ in _goal_streaks(history):
        days = {call.occurred_at.date() for call in run}
        if len(run) >= STEADY_STREAK and len(days) >= STEADY_DAYS:
            return BadgeState(Earned(run[-1].occurred_at, run[-1].evaluation_id), STEADY_STREAK, STEADY_STREAK)
        # Ten in a row on too few days is not there yet: never show a full bar on a locked badge.
        best = max(best, min(len(run), STEADY_STREAK - 1))
    return BadgeState(None, best, STEADY_STREAK, min(_current_goal_run(history), STEADY_STREAK - 1))


CATALOGUE: tuple[Badge, ...] = (
    Badge("first_goal_mastered", "It stuck", "Master a goal: its target held twice in a row.", "★", "outcome", "goal", first_goal_mastered),
    Badge("perfect_call", "Clean sweep", "A call with every behaviour that applied met (3 or more).", "✦", "outcome", "behaviours", perfect_call),
    Badge("critical_streak", "Rock solid", "A critical behaviour met on 20 calls in a row.", "◆", "outcome", "calls", critical_streak),
    Badge("big_week", "Big week", "A week's mean score 10 points above your four weeks before.", "▲", "improvement", "points up", big_week),
    Badge("comeback", "Comeback", "Back to your usual the week after a dip.", "↺", "improvement", "steps", comeback),
    Badge("listened_first", "Listened first", "Submit a self-assessment before your coaching session.", "✎", "process", "self-assessment", listened_first),
    Badge("on_a_roll", "On a roll", "Your goal behaviour met on 5 calls in a row.", "➜", "process", "calls", on_a_roll),
    Badge("steady", "Steady", "Your goal behaviour met on 10 calls in a row over 3+ days; days off don't break it.", "≋", "process", "calls", steady),
)
"""Every badge there is, in the order the Badges screen shows them."""

BADGES = {badge.id: badge for badge in CATALOGUE}


def badge_states(history: AgentHistory) -> dict[str, BadgeState]:
    """Each badge of the catalogue for this history."""
    return {badge.id: badge.rule(history) for badge in CATALOGUE}


# -------------------------------------------------------------------- points


@dataclass(frozen=True, slots=True)
class PointsSource:
    id: str
    label: str
    points: int
    daily_cap: int


POINT_SOURCES = {
    source.id: source
    for source in (
        PointsSource("goal_behaviour", "Goal behaviour met on a call", 10, 50),
        PointsSource("goal_mastered", "Goal mastered", 100, 100),
        PointsSource("self_assessment", "Self-assessment before a session", 30, 30),
        PointsSource("badge", "Badge earned", 25, 75),
    )
}
"""Where points come from, and how many one source may give in one day (so nothing can be farmed)."""


def daily_points(history: AgentHistory, earned: Mapping[str, BadgeState]) -> dict[tuple[date, str], int]:
    """Points per (day, source), each day's total per source capped."""
    raw: dict[tuple[date, str], int] = defaultdict(int)

    def add(moment: datetime, source: str) -> None:
        raw[(moment.date(), source)] += POINT_SOURCES[source].points

    for goal in history.goals:
        calls = [(c, o) for c, o in _goal_calls(history, goal) if o is not Outcome.na]
        for call, outcome in calls:
            if outcome is Outcome.met:
                add(call.occurred_at, "goal_behaviour")
        mastered = mastering_call(history, goal)
        if mastered is not None:
            add(mastered.occurred_at, "goal_mastered")
    for submitted in history.self_assessments_on_time:
        add(submitted, "self_assessment")
    for state in earned.values():
        if state.earned is not None:
            add(state.earned.at, "badge")
    return {key: min(value, POINT_SOURCES[key[1]].daily_cap) for key, value in raw.items()}


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    name: str
    threshold: int


LEVELS: tuple[Level, ...] = (
    Level(1, "Getting started", 0),
    Level(2, "Building habits", 100),
    Level(3, "Consistent", 300),
    Level(4, "Skilled", 700),
    Level(5, "Expert", 1500),
    Level(6, "Role model", 3000),
)


def level_for(points: int) -> tuple[Level, Level | None]:
    """The level these points reach, and the next one (None at the top)."""
    reached = LEVELS[0]
    for level in LEVELS:
        if points >= level.threshold:
            reached = level
    following = next((level for level in LEVELS if level.threshold > points), None)
    return reached, following
