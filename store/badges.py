"""Recognition: the badge catalogue, points and levels, as pure rules over an agent's history.

Everything here is derived from the evaluations, the agent's goals and their
self-assessments, and nothing else: the same history always gives the same
badges and points, however and in whatever batches it arrived. QA scores are
never changed, and points never come from the score alone: they reward the
behaviour being worked on, goals that stick, listening first and badges.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from .models import Outcome
from .rules import Target

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

PERFECT_MIN_APPLICABLE = 3
"""A clean sweep: every behaviour that applied was met, on a call where at least this many applied."""
CRITICAL_STREAK = 20
"""Rock solid: a critical behaviour met on this many calls in a row where it applied."""
WEEK_MIN_CALLS = 3
IMPROVEMENT = 0.10
"""Big week: a week (3+ calls) whose mean score beat the four weeks before it (5+ calls) by 10 points or more."""
DIP = 0.15
"""Comeback: after a week 15 points below the four before it, a week back at that usual or better."""
GOAL_STREAK = 5
"""On a roll: the goal behaviour met on this many calls in a row."""
STEADY_STREAK = 10
STEADY_DAYS = 3
"""Steady: the goal behaviour met on 10 calls in a row over 3 or more days; days off don't break it."""


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


# ------------------------------------------------------------- one replay


STANDING_VERSION = 2
"""Bumped whenever a rule or the shape of `Standing` changes: a standing of another version is replayed afresh."""


@dataclass(slots=True)
class _Week:
    """A week of scored calls: its Monday, how many, their scores added up in call order, and its last scored call."""

    monday: date
    calls: int
    total: float
    last: tuple[int, datetime]


@dataclass(slots=True)
class _GoalRun:
    """How one goal's behaviour went on the calls seen so far."""

    applied: list[tuple[int, datetime, float | None, bool]] = field(default_factory=list)
    """The last two windows of calls where the behaviour applied: (evaluation id, when, score, met)."""
    count: int = 0
    """Calls so far where the behaviour applied."""
    run: int = 0
    """Met in a row, `na` passed over."""
    run_days: list[date] = field(default_factory=list)
    """The distinct days of the run going now, up to `STEADY_DAYS`."""
    mastered: tuple[int, datetime] | None = None
    """The call the goal stuck on: (evaluation id, when)."""


@dataclass(slots=True)
class Standing:
    """Where an agent stands after their calls so far, oldest first: all that later calls build on.

    Every rule reads the calls once, in order, so this is all a later call
    needs: an import of calls newer than the last one seen goes on from a
    stored standing instead of reading the agent's history again, and ends
    exactly where a replay of the whole history ends.
    """

    goals: list[_GoalRun] = field(default_factory=list)
    earned: dict[str, tuple[Earned, int]] = field(default_factory=dict)
    """Badges earned for good by calls: when, which call, and the progress shown (met of applied, for a clean sweep)."""
    perfect_best: tuple[int, int] = (0, PERFECT_MIN_APPLICABLE)
    critical_run: dict[str, int] = field(default_factory=dict)
    critical_best: dict[str, int] = field(default_factory=dict)
    best_run: int = 0
    """The longest run of any goal's behaviour met."""
    weeks: list[_Week] = field(default_factory=list)
    """The last four weeks of scored calls before the open one."""
    open_week: _Week | None = None
    """The week of the latest scored call: more calls may still change its mean."""
    best_gain: int = 0
    dipped: bool = False
    raw_points: dict[tuple[date, str], int] = field(default_factory=dict)
    """Points before the daily caps, from calls, on every day that can still change (the open week's on)."""

    # ------------------------------------------------------------- replay

    def see(self, call: CallRecord, goals: Sequence[GoalRecord]) -> None:
        """Take in the next call (calls come oldest first) with the agent's goals."""
        self._perfect(call)
        self._critical(call)
        if call.score is not None:
            self._week(call)
        while len(self.goals) < len(goals):
            self.goals.append(_GoalRun())
        for goal, run in zip(goals, self.goals):
            if call.occurred_at >= goal.started_at and (goal.ended_at is None or call.occurred_at <= goal.ended_at):
                outcome = call.outcomes.get(goal.criterion_key, Outcome.na)
                if outcome is not Outcome.na:
                    self._goal(call, goal, run, outcome is Outcome.met)

    def _earn(self, badge_id: str, at: datetime, evaluation_id: int | None, shown: int) -> None:
        self.earned[badge_id] = (Earned(at, evaluation_id), shown)

    def _add(self, moment: datetime, source: str) -> None:
        key = (moment.date(), source)
        self.raw_points[key] = self.raw_points.get(key, 0) + POINT_SOURCES[source].points

    def _perfect(self, call: CallRecord) -> None:
        if "perfect_call" in self.earned:
            return
        applied = [o for o in call.outcomes.values() if o is not Outcome.na]
        if len(applied) < PERFECT_MIN_APPLICABLE:
            return
        met = sum(o is Outcome.met for o in applied)
        if met == len(applied):
            self._earn("perfect_call", call.occurred_at, call.evaluation_id, met)
        elif met / len(applied) > self.perfect_best[0] / self.perfect_best[1]:
            self.perfect_best = (met, len(applied))

    def _critical(self, call: CallRecord) -> None:
        if "critical_streak" in self.earned:
            return
        keys = call.critical_keys
        for key in keys if len(keys) < 2 else sorted(keys):  # one critical behaviour needs no sorting
            outcome = call.outcomes.get(key, Outcome.na)
            if outcome is Outcome.na:
                continue
            run = self.critical_run.get(key, 0) + 1 if outcome is Outcome.met else 0
            self.critical_run[key] = run
            self.critical_best[key] = max(self.critical_best.get(key, 0), run)
            if run >= CRITICAL_STREAK:
                self._earn("critical_streak", call.occurred_at, call.evaluation_id, CRITICAL_STREAK)
                return

    def _week(self, call: CallRecord) -> None:
        day = call.occurred_at.date()
        score = cast(float, call.score)
        open_week = self.open_week
        # Most calls fall in the open week: its Monday is a week's first day, so no other Monday is worked out.
        if open_week is not None and 0 <= (day - open_week.monday).days < 7:
            open_week.calls += 1
            open_week.total += score
            open_week.last = (call.evaluation_id, call.occurred_at)
            return
        if open_week is not None:
            self._close_week()
        self.open_week = _Week(day - timedelta(days=day.weekday()), 1, score, (call.evaluation_id, call.occurred_at))

    def _change(self, week: _Week) -> float | None:
        before_calls = sum(earlier.calls for earlier in self.weeks)
        if week.calls < WEEK_MIN_CALLS or before_calls < 5:
            return None
        before_total = sum(earlier.total for earlier in self.weeks)
        # 0.1 exactly is 0.1, not 0.0999…
        return round(week.total / week.calls - before_total / before_calls, 9)

    def _judge(self, week: _Week) -> tuple[list[tuple[str, int]], int, bool]:
        """What a week earns (badge, progress shown), the best gain and whether a dip was seen, after it."""
        change = self._change(week)
        earns: list[tuple[str, int]] = []
        best_gain, dipped = self.best_gain, self.dipped
        if change is None:
            return earns, best_gain, dipped
        if "big_week" not in self.earned:
            if change >= IMPROVEMENT:
                earns.append(("big_week", 10))
            else:
                best_gain = max(best_gain, round(change * 100))
        if "comeback" not in self.earned:
            if dipped and change >= -0.02:
                earns.append(("comeback", 2))
            elif change <= -DIP:
                dipped = True
        return earns, best_gain, dipped

    def _close_week(self) -> None:
        week = cast(_Week, self.open_week)
        earns, self.best_gain, self.dipped = self._judge(week)
        for badge_id, shown in earns:
            self._earn(badge_id, week.last[1], week.last[0], shown)
        self.weeks = [*self.weeks, week][-4:]
        self.open_week = None

    def _goal(self, call: CallRecord, goal: GoalRecord, run: _GoalRun, met: bool) -> None:
        window = goal.target.window
        run.applied = [*run.applied, (call.evaluation_id, call.occurred_at, call.score, met)][-2 * window :]
        run.count += 1
        if met:
            self._add(call.occurred_at, "goal_behaviour")
        if run.mastered is None and run.count >= 2 * window:
            first = sum(m for *_, m in run.applied[:window])
            second = sum(m for *_, m in run.applied[window:])
            if first >= goal.target.met and second >= goal.target.met:
                run.mastered = (call.evaluation_id, call.occurred_at)
                self._add(call.occurred_at, "goal_mastered")
                if "first_goal_mastered" not in self.earned:
                    # The call that best shows it: the best-scored met call of the last window, the latest among equals.
                    shown = max(
                        (a for a in run.applied[-window:] if a[3]),
                        key=lambda a: (a[2] if a[2] is not None else -1.0, a[1]),
                        default=run.applied[-1],
                    )
                    self._earn("first_goal_mastered", call.occurred_at, shown[0], 1)
        if not met:
            run.run, run.run_days = 0, []
            return
        run.run += 1
        day = call.occurred_at.date()
        if len(run.run_days) < STEADY_DAYS and day not in run.run_days:
            run.run_days.append(day)
        self.best_run = max(self.best_run, run.run)
        if "on_a_roll" not in self.earned and run.run >= GOAL_STREAK:
            self._earn("on_a_roll", call.occurred_at, call.evaluation_id, GOAL_STREAK)
        if "steady" not in self.earned and run.run >= STEADY_STREAK and len(run.run_days) >= STEADY_DAYS:
            self._earn("steady", call.occurred_at, call.evaluation_id, STEADY_STREAK)

    # -------------------------------------------------------------- results

    def states(self, goals: Sequence[GoalRecord], self_assessments_on_time: Sequence[datetime]) -> dict[str, BadgeState]:
        """Each badge of the catalogue for the calls seen, the open week judged as it stands now."""
        earned = dict(self.earned)
        best_gain, dipped = self.best_gain, self.dipped
        if self.open_week is not None:
            earns, best_gain, dipped = self._judge(self.open_week)
            for badge_id, shown in earns:
                earned[badge_id] = (Earned(self.open_week.last[1], self.open_week.last[0]), shown)
        if self_assessments_on_time:
            earned["listened_first"] = (Earned(min(self_assessments_on_time), None), 1)
        current = 0
        if goals:
            latest = max(range(len(goals)), key=lambda index: goals[index].started_at)
            current = self.goals[latest].run if latest < len(self.goals) else 0
        locked = {
            "first_goal_mastered": BadgeState(None, 0, 1),
            "perfect_call": BadgeState(None, *self.perfect_best),
            "critical_streak": BadgeState(
                None, max([0, *self.critical_best.values()]), CRITICAL_STREAK, max([0, *self.critical_run.values()])
            ),
            "big_week": BadgeState(None, max(0, best_gain), 10),
            "comeback": BadgeState(None, 1 if dipped else 0, 2),
            "listened_first": BadgeState(None, 0, 1),
            "on_a_roll": BadgeState(None, self.best_run, GOAL_STREAK, current),
            # Ten in a row on too few days is not there yet: never show a full bar on a locked badge.
            "steady": BadgeState(None, min(self.best_run, STEADY_STREAK - 1), STEADY_STREAK, min(current, STEADY_STREAK - 1)),
        }
        return {
            badge_id: BadgeState(earned[badge_id][0], earned[badge_id][1], earned[badge_id][1])
            if badge_id in earned else locked[badge_id]
            for badge_id in BADGES  # the catalogue's order
        }

    def points(
        self, states: Mapping[str, BadgeState], self_assessments_on_time: Sequence[datetime], *, since: date | None = None
    ) -> dict[tuple[date, str], int]:
        """Points per (day, source) from `since` on (default: every day seen), each day's total per source capped."""
        raw = dict(self.raw_points)
        for moment in self_assessments_on_time:
            key = (moment.date(), "self_assessment")
            raw[key] = raw.get(key, 0) + POINT_SOURCES["self_assessment"].points
        for state in states.values():
            if state.earned is not None:
                key = (state.earned.at.date(), "badge")
                raw[key] = raw.get(key, 0) + POINT_SOURCES["badge"].points
        return {
            key: min(value, POINT_SOURCES[key[1]].daily_cap)
            for key, value in raw.items()
            if since is None or key[0] >= since
        }

    def mastered(self) -> list[tuple[int, datetime] | None]:
        """For each goal, in the order given, the call it stuck on."""
        return [run.mastered for run in self.goals]

    def changeable_from(self, through: datetime) -> date:
        """The first day whose points a call after `through` (the latest seen) can still change.

        The open week's Monday (a later call may change what that week earns), else the latest call's day.
        """
        return self.open_week.monday if self.open_week is not None else through.date()

    # -------------------------------------------------------------- storing

    def to_json(self, *, since: date | None = None) -> str:
        """This standing as text, keeping the points of days from `since` on (default: all)."""

        def week(w: _Week) -> list[Any]:
            return [w.monday.toordinal(), w.calls, w.total, w.last[0], w.last[1].isoformat()]

        return json.dumps(
            {
                "version": STANDING_VERSION,
                "goals": [
                    [
                        [[e, at.isoformat(), score, met] for e, at, score, met in run.applied],
                        run.count,
                        run.run,
                        [day.isoformat() for day in run.run_days],
                        None if run.mastered is None else [run.mastered[0], run.mastered[1].isoformat()],
                    ]
                    for run in self.goals
                ],
                "earned": {b: [e.at.isoformat(), e.evaluation_id, shown] for b, (e, shown) in self.earned.items()},
                "perfect_best": list(self.perfect_best),
                "critical_run": self.critical_run,
                "critical_best": self.critical_best,
                "best_run": self.best_run,
                "weeks": [week(w) for w in self.weeks],
                "open_week": None if self.open_week is None else week(self.open_week),
                "best_gain": self.best_gain,
                "dipped": self.dipped,
                "raw_points": [
                    [day.isoformat(), source, value]
                    for (day, source), value in self.raw_points.items()
                    if since is None or day >= since
                ],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Standing | None:
        """A stored standing, or None if it was stored by other rules (it is then replayed afresh)."""
        data = json.loads(text)
        if data.get("version") != STANDING_VERSION:
            return None

        def week(w: list[Any]) -> _Week:
            return _Week(date.fromordinal(w[0]), w[1], w[2], (w[3], datetime.fromisoformat(w[4])))

        return cls(
            goals=[
                _GoalRun(
                    [(e, datetime.fromisoformat(at), score, met) for e, at, score, met in applied],
                    count,
                    run,
                    [date.fromisoformat(day) for day in days],
                    None if mastered is None else (mastered[0], datetime.fromisoformat(mastered[1])),
                )
                for applied, count, run, days, mastered in data["goals"]
            ],
            earned={b: (Earned(datetime.fromisoformat(at), e), shown) for b, (at, e, shown) in data["earned"].items()},
            perfect_best=tuple(data["perfect_best"]),  # type: ignore[arg-type]
            critical_run=data["critical_run"],
            critical_best=data["critical_best"],
            best_run=data["best_run"],
            weeks=[week(w) for w in data["weeks"]],
            open_week=None if data["open_week"] is None else week(data["open_week"]),
            best_gain=data["best_gain"],
            dipped=data["dipped"],
            raw_points={(date.fromisoformat(day), source): value for day, source, value in data["raw_points"]},
        )


def replay(history: AgentHistory) -> Standing:
    """The standing after every call of this history, from nothing."""
    standing = Standing()
    for call in history.calls:
        standing.see(call, history.goals)
    return standing


def badge_states(history: AgentHistory) -> dict[str, BadgeState]:
    """Each badge of the catalogue for this history."""
    return replay(history).states(history.goals, history.self_assessments_on_time)


def _rule(badge_id: str) -> BadgeRule:
    """One badge's state for a history: its part of `badge_states` (each rule is written once, in `Standing`)."""

    def rule(history: AgentHistory) -> BadgeState:
        return badge_states(history)[badge_id]

    rule.__name__ = rule.__qualname__ = badge_id
    return rule


first_goal_mastered = _rule("first_goal_mastered")
perfect_call = _rule("perfect_call")
critical_streak = _rule("critical_streak")
big_week = _rule("big_week")
comeback = _rule("comeback")
listened_first = _rule("listened_first")
on_a_roll = _rule("on_a_roll")
steady = _rule("steady")


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


# -------------------------------------------------------------------- points


def daily_points(history: AgentHistory, earned: Mapping[str, BadgeState]) -> dict[tuple[date, str], int]:
    """Points per (day, source), each day's total per source capped."""
    return replay(history).points(earned, history.self_assessments_on_time)


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
