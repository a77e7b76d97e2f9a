"""Rules over the store's data, as plain functions of plain values.

No database here: a rule takes what it needs and returns an answer, so each
can be tested on a small hand-made history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from datetime import date, datetime, timedelta

from .models import Outcome


@dataclass(frozen=True, slots=True)
class CriterionWeight:
    """What scoring needs to know of a criterion."""

    weight: float
    critical: bool


@dataclass(frozen=True, slots=True)
class Score:
    """A call's score and how it came about.

    Attributes:
        value: weighted met / weighted applicable, from 0 to 1; 0 when a
            critical criterion was missed; None when no criterion applied
            (there is no score without a behaviour behind it).
        met_weight: summed weight of the criteria met.
        applicable_weight: summed weight of the criteria met or missed.
        critical_missed: keys of the critical criteria that were missed.
    """

    value: float | None
    met_weight: float
    applicable_weight: float
    critical_missed: tuple[str, ...]


def score(
    outcomes: Mapping[str, Outcome], criteria: Mapping[str, CriterionWeight]
) -> Score:
    """Score one call.

    Args:
        outcomes: criterion key → outcome, for the criteria the evaluation named;
            a criterion of the scorecard it does not name counts as `na`.
        criteria: criterion key → weight and criticality, for the whole scorecard.

    """
    met = applicable = 0.0
    critical_missed: list[str] = []
    for key, criterion in criteria.items():
        outcome = outcomes.get(key, Outcome.na)
        if outcome is Outcome.na:
            continue
        applicable += criterion.weight
        if outcome is Outcome.met:
            met += criterion.weight
        elif criterion.critical:
            critical_missed.append(key)
    if critical_missed:
        value = 0.0
    elif applicable == 0:
        value = None
    else:
        value = met / applicable
    return Score(value, met, applicable, tuple(critical_missed))


@dataclass(frozen=True, slots=True)
class PassRate:
    """How often a behaviour was met where it applied."""

    met: int
    applicable: int

    @property
    def rate(self) -> float | None:
        """met / applicable, or None when it never applied."""
        return self.met / self.applicable if self.applicable else None


def pass_rate(outcomes: Iterable[Outcome]) -> PassRate:
    """Count met over applicable (met or missed) outcomes; `na` is left out."""
    met = applicable = 0
    for outcome in outcomes:
        if outcome is Outcome.na:
            continue
        applicable += 1
        met += outcome is Outcome.met
    return PassRate(met, applicable)


@dataclass(frozen=True, slots=True)
class CallOutcomes:
    """What a focus suggestion needs to know of one call."""

    outcomes: Mapping[str, Outcome]
    csat: int | None
    first_contact_resolution: bool | None


@dataclass(frozen=True, slots=True)
class FocusSuggestion:
    """A behaviour worth working on, with how much it would help and why."""

    key: str
    impact: float
    missed: int
    applicable: int
    reason: str


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


PRIOR_CALLS = 10
"""How many calls' worth of weight the team's picture carries against the agent's own."""


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 call", "2 calls": every count in words goes through here."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


MIN_SAMPLE = 5
"""The one sample rule's default: on fewer applicable calls than this, no rate, comparison or claim is made."""

_min_sample = MIN_SAMPLE


def use_min_sample(calls: int) -> None:
    """Set the sample rule for this process (`NEXTCALL_MIN_SAMPLE`, applied when settings load)."""
    global _min_sample
    if not 1 <= calls <= 100:
        raise ValueError(f"the minimum sample is 1 to 100 calls (got {calls})")
    _min_sample = calls


def min_sample() -> int:
    """The sample rule in force: every rate, comparison and claim asks here."""
    return _min_sample


def enough_calls(count: int, minimum: int | None = None) -> bool:
    """Whether `count` applicable calls are enough to say anything about a behaviour."""
    return count >= (minimum or _min_sample)


def too_few_calls(count: int, minimum: int | None = None) -> str:
    """The words for a sample below the rule: said instead of a rate or a comparison."""
    return f"not enough calls yet to tell ({count} of {minimum or _min_sample})"


@dataclass(frozen=True, slots=True)
class MissCost:
    """What missing one behaviour went with on a set of calls."""

    missed: int
    applicable: int
    csat_met: float | None
    csat_missed: float | None
    fcr_met: float | None
    fcr_missed: float | None

    @property
    def csat_gap(self) -> float:
        if self.csat_met is None or self.csat_missed is None:
            return 0.0
        return max(0.0, (self.csat_met - self.csat_missed) / 4)

    @property
    def fcr_gap(self) -> float:
        if self.fcr_met is None or self.fcr_missed is None:
            return 0.0
        return max(0.0, self.fcr_met - self.fcr_missed)

    @property
    def cost(self) -> float:
        return self.csat_gap + self.fcr_gap

    csat_calls: tuple[int, int] = (0, 0)
    """Calls with a CSAT where it was met, and where it was missed."""
    fcr_calls: tuple[int, int] = (0, 0)

    def words(self, whose: str) -> str:
        # A comparison of calls where it was met with calls where it was missed
        # rests on both groups: each needs the sample rule's calls, or nothing is claimed.
        if self.fcr_gap > self.csat_gap:
            if not all(map(enough_calls, self.fcr_calls)):
                return ""
            return (
                f"{whose}calls where it was missed were resolved first time {self.fcr_missed:.0%} of the time"
                f" vs {self.fcr_met:.0%}"
            )
        if self.csat_gap > 0 and all(map(enough_calls, self.csat_calls)):
            return f"{whose}calls where it was missed averaged CSAT {self.csat_missed:.1f} vs {self.csat_met:.1f}"
        return ""


def miss_cost(calls: Sequence[CallOutcomes], key: str) -> MissCost:
    csat: dict[bool, list[float]] = {True: [], False: []}
    fcr: dict[bool, list[float]] = {True: [], False: []}
    missed = applicable = 0
    for call in calls:
        outcome = call.outcomes.get(key, Outcome.na)
        if outcome is Outcome.na:
            continue
        applicable += 1
        met = outcome is Outcome.met
        missed += not met
        if call.csat is not None:
            csat[met].append(call.csat)
        if call.first_contact_resolution is not None:
            fcr[met].append(float(call.first_contact_resolution))
    return MissCost(
        missed, applicable, _mean(csat[True]), _mean(csat[False]), _mean(fcr[True]), _mean(fcr[False]),
        (len(csat[True]), len(csat[False])), (len(fcr[True]), len(fcr[False])),
    )


def suggest_focus(
    calls: Sequence[CallOutcomes],
    criteria: Mapping[str, CriterionWeight],
    *,
    order: Sequence[str] = (),
    team_calls: Sequence[CallOutcomes] = (),
    team_costs: Mapping[str, MissCost] | None = None,
) -> list[FocusSuggestion]:
    """Rank the behaviours whose improvement would most raise this agent's outcomes.

    Impact = misses × weight × (1 + what a miss costs), the cost being the drop
    in mean CSAT (on a 0–1 scale) plus the drop in the first-contact resolution
    rate between calls where the behaviour was met and where it was missed. The
    cost is the agent's own, blended with the team's (`team_calls`) as if the
    team had `PRIOR_CALLS` calls' say, so that an agent with few calls still
    gets a sensible answer. Behaviours the agent never missed are not
    suggested. Ties go to the heavier behaviour, then the one earlier on the
    scorecard (`order`), then by key.

    Args:
        calls: the agent's recent calls.
        criteria: the scorecard's criteria by key.
        order: criterion keys in scorecard order, for ties.
        team_calls: recent calls of the agent's team on the same scorecard.
        team_costs: the same, already summed per behaviour (what a shared database gives an agent's login).
    """
    position = {key: index for index, key in enumerate(order)}
    suggestions: list[FocusSuggestion] = []
    for key, criterion in criteria.items():
        own = miss_cost(calls, key)
        if not own.missed:
            continue
        cost = own.cost
        reason = own.words("")
        if team_costs is not None:
            team: MissCost | None = team_costs.get(key) or MissCost(0, 0, None, None, None, None)
        else:
            team = miss_cost(team_calls, key) if team_calls else None
        if team is not None:
            cost = (own.applicable * own.cost + PRIOR_CALLS * team.cost) / (own.applicable + PRIOR_CALLS)
            if not reason and team.cost > 0:
                reason = team.words("on your team, ")
        impact = own.missed * criterion.weight * (1 + cost)
        sentence = f"Missed on {own.missed} of your last {plural(own.applicable, 'call')} where it applied"
        if not enough_calls(own.applicable):
            reason = too_few_calls(own.applicable) + (f" on your own calls; {reason}" if reason else "")
        suggestions.append(FocusSuggestion(key, impact, own.missed, own.applicable, sentence + (f"; {reason}" if reason else "") + "."))
    suggestions.sort(key=lambda s: (-s.impact, -criteria[s.key].weight, position.get(s.key, len(position)), s.key))
    return suggestions


# ----------------------------------------------------------------------- goals

DEFAULT_TARGET_MET = 8
DEFAULT_TARGET_WINDOW = 10


@dataclass(frozen=True, slots=True)
class Target:
    """Met on `met` of the last `window` applicable calls."""

    met: int = DEFAULT_TARGET_MET
    window: int = DEFAULT_TARGET_WINDOW

    def __post_init__(self) -> None:
        if not 0 < self.met <= self.window:
            raise ValueError(f"a target needs 0 < met <= window (got {self.met} of {self.window})")

    @property
    def rate(self) -> float:
        return self.met / self.window


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """How a goal's behaviour has gone on the applicable calls since it started.

    Attributes:
        series: rolling pass rate after each applicable call, over the last
            `target.window` applicable calls (fewer at the start).
        met_in_window: met on the latest window (up to `target.window` calls).
        in_window: how many calls that window holds.
        applicable: applicable calls since the start.
        mastered_at: index (into the applicable calls) of the call that made
            the target hold for a second consecutive window; None while it has not.
    """

    series: tuple[float, ...]
    met_in_window: int
    in_window: int
    applicable: int
    mastered_at: int | None

    @property
    def mastered(self) -> bool:
        return self.mastered_at is not None


def goal_progress(outcomes: Iterable[Outcome], target: Target = Target()) -> GoalProgress:
    """Progress on a goal from the behaviour's outcomes since the start, oldest first.

    Mastered means "it stuck": the target held on a window of applicable calls
    and again on the next window after it (two consecutive, non-overlapping
    windows). Once reached it stays reached for this history; a re-score that
    changes the history is a new history, and is judged afresh.
    """
    applied = [outcome is Outcome.met for outcome in outcomes if outcome is not Outcome.na]
    series: list[float] = []
    mastered_at: int | None = None
    window = target.window
    for index in range(len(applied)):
        recent = applied[max(0, index + 1 - window) : index + 1]
        series.append(sum(recent) / len(recent))
        if mastered_at is None and index + 1 >= 2 * window:
            second = sum(applied[index + 1 - window : index + 1])
            first = sum(applied[index + 1 - 2 * window : index + 1 - window])
            if first >= target.met and second >= target.met:
                mastered_at = index
    latest = applied[-window:]
    return GoalProgress(tuple(series), sum(latest), len(latest), len(applied), mastered_at)


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a before/after comparison."""

    calls: int
    behaviour: PassRate
    mean_csat: float | None
    fcr_rate: float | None


@dataclass(frozen=True, slots=True)
class Effectiveness:
    """Did coaching work: the behaviour and the outcomes, before the goal and since."""

    before: Side
    after: Side
    min_sample: int

    @property
    def enough(self) -> bool:
        """Both sides have enough applicable calls to compare."""
        return self.before.behaviour.applicable >= self.min_sample and self.after.behaviour.applicable >= self.min_sample


def _side(calls: Sequence[CallOutcomes], key: str) -> Side:
    csats = [c.csat for c in calls if c.csat is not None]
    resolved = [c.first_contact_resolution for c in calls if c.first_contact_resolution is not None]
    return Side(
        len(calls),
        pass_rate(c.outcomes.get(key, Outcome.na) for c in calls),
        sum(csats) / len(csats) if csats else None,
        sum(resolved) / len(resolved) if resolved else None,
    )


def effectiveness(
    before: Sequence[CallOutcomes], after: Sequence[CallOutcomes], key: str, *, minimum: int | None = None
) -> Effectiveness:
    """Compare calls before a goal started with calls since, on its behaviour, CSAT and FCR."""
    return Effectiveness(_side(before, key), _side(after, key), minimum or _min_sample)


# ------------------------------------------------------------ self-assessment

FUTURE_GRACE = timedelta(days=1)
FUTURE_GRACE_WORDS = "a day"
"""How far after the moment of an import a record may lie (clocks and zones differ a little, never by more)."""

SESSION_HORIZON_DAYS = 60
"""A self-assessment is for a coaching session today or within the next 60 days."""


def session_date_problem(session_on: date | None, today: date, sessions: Sequence[date] = ()) -> str | None:
    """What is wrong with a self-assessment's session date on `today`, or None when it can be submitted.

    Once the agent has coaching sessions planned (`sessions`, their days), it is for one of them."""
    if session_on is None:
        return "Add the date of the coaching session this is for, then submit."
    if sessions and session_on not in sessions:
        days = ", ".join(f"{day:%a %d %b}" for day in sessions)
        return f"Choose one of your coaching sessions: {days}."
    if session_on < today:
        return f"The coaching session is today or later: {session_on:%d %b %Y} has passed."
    last = today + timedelta(days=SESSION_HORIZON_DAYS)
    if session_on > last:
        return (
            f"The coaching session is within the next {SESSION_HORIZON_DAYS} days (by {last:%d %b %Y}); "
            f"{session_on:%d %b %Y} is further off."
        )
    return None


BLANK = (
    (0x01, 0x20), (0x7F, 0xA0), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)
"""Characters that are not words, as inclusive code point ranges: control characters, every kind of space,
and the invisible ones (zero-width, direction marks). The shared database's check holds the same ranges."""


def _blank(character: str) -> bool:
    point = ord(character)
    return any(low <= point <= high for low, high in BLANK)


def has_words(*boxes: str) -> bool:
    """Whether the agent wrote anything in at least one box: a rating alone, or blank or invisible
    characters, say nothing in their words."""
    return any(not _blank(character) for box in boxes for character in box)


def counts_as_listened_first(submitted_at: datetime, session_on: date | None, *boxes: str) -> bool:
    """A submission counts before a session when it has words and the session is due within the horizon."""
    submitted_on = submitted_at.date()
    return (
        session_on is not None
        and submitted_on <= session_on <= submitted_on + timedelta(days=SESSION_HORIZON_DAYS)
        and has_words(*boxes)
    )


SELF_RATINGS: dict[int, tuple[str, float, float]] = {
    1: ("never", 0.0, 0.25),
    2: ("sometimes", 0.25, 0.6),
    3: ("usually", 0.6, 0.9),
    4: ("always", 0.9, 1.0),
}
"""How an agent rates themself on a behaviour, and the met rate each word stands for."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """An agent's own rating of a behaviour beside how often it was measured as met.

    `gap` is how far the measured rate lies outside the band the rating stands
    for: positive when the agent rates themself higher than measured, negative
    when lower, 0 inside the band; None without a rating or without calls.
    """

    key: str
    rating: int | None
    met: int
    applicable: int
    gap: float | None

    @property
    def rate(self) -> float | None:
        return self.met / self.applicable if self.applicable else None


def calibrate(key: str, rating: int | None, measured: PassRate) -> Calibration:
    """Compare a self-rating (1 never – 4 always) with the measured pass rate."""
    gap = None
    if rating is not None and measured.rate is not None and enough_calls(measured.applicable):
        _, low, high = SELF_RATINGS[rating]
        if measured.rate < low:
            gap = low - measured.rate
        elif measured.rate > high:
            gap = high - measured.rate
        else:
            gap = 0.0
    return Calibration(key, rating, measured.met, measured.applicable, gap)


def worth_talking_about(calibrations: Iterable[Calibration], *, limit: int = 3) -> list[Calibration]:
    """The largest gaps between a self-rating and the scores, largest first: the ones to raise with a coach.

    Every one returned is a gap the agent is shown as worth talking about, and marked beside its behaviour.
    """
    return sorted((c for c in calibrations if c.gap), key=lambda c: abs(c.gap or 0.0), reverse=True)[:limit]


def calibration_words(name: str, calibration: Calibration) -> str:
    """One gap as something to talk about, never a verdict."""
    word = SELF_RATINGS[calibration.rating][0] if calibration.rating else "unrated"
    measured = f"it was met on {calibration.met} of {calibration.applicable} calls"
    if calibration.gap is None:
        return f"{name}: you rate yourself '{word}'; {too_few_calls(calibration.applicable)}."
    if calibration.gap > 0:
        return f"You rate yourself '{word}' on {name}; {measured}. Worth talking through what gets in the way."
    if calibration.gap < 0:
        return f"You rate yourself '{word}' on {name}; {measured}. You may be doing better than you think."
    return f"You rate yourself '{word}' on {name}; {measured}. Your view and the scores agree."


class _Criterion(Protocol):
    @property
    def key(self) -> str: ...


class _Rated(Protocol):
    """A behaviour's rate on the latest calls: met where it applied."""

    @property
    def criterion(self) -> _Criterion: ...
    @property
    def met(self) -> int: ...
    @property
    def applicable(self) -> int: ...


RatedT = TypeVar("RatedT", bound=_Rated)

GOING_WELL_MOST = 5
"""Behaviours named as going well, at most: the strongest, not the whole scorecard again."""


def holding_up(rates: Sequence[RatedT], *, focus_key: str | None, target: Target) -> list[RatedT]:
    """Behaviours met at the goal target's rate or better, on enough calls to say so, strongest first.

    The bar is a goal's own (met on 8 of 10 where it applied), and the sample rule is the one every
    claim asks: a behaviour that came up twice is not called a strength. The focus is left out."""
    found = [
        rate for rate in rates
        if rate.criterion.key != focus_key and enough_calls(rate.applicable) and rate.met / rate.applicable >= target.rate
    ]
    # Strongest first; equal rates keep the scorecard's order (sorted is stable).
    return sorted(found, key=lambda rate: -rate.met / rate.applicable)[:GOING_WELL_MOST]


# ---------------------------------------------------------------- the team lead

ATTENTION_DROP = 0.15
"""A drop after a session worth a lead's attention: the agreed behaviour's met rate down by 15 points or more."""
STUCK_DAYS = 28
"""A goal worked on this long without reaching its target is stuck: time to look at it together."""


def check_in_when(follow_up_on: date, today: date | None) -> str:
    """When a session's check-in is, in the words every screen and brief use."""
    if today is not None and follow_up_on > today:
        return f"from {follow_up_on:%a %d %b}"
    if follow_up_on == today:
        return "due today"
    return f"due since {follow_up_on:%a %d %b}"


def attention(
    *,
    check_in_due: bool,
    follow_up_on: date | None,
    goal_days: int | None,
    goal_rate: float | None,
    dropped_after_session: bool,
    session_soon: bool,
    self_assessed: bool,
    open_disputes: int,
    today: date | None = None,
) -> tuple[str, int]:
    """What needs a lead's attention first for one agent, in words, and its rank (lower comes first)."""
    if dropped_after_session:
        return "dropped since the last session: talk before it sets in", 0
    if check_in_due:
        return ("check-in " + check_in_when(follow_up_on, today)) if follow_up_on else "check-in due", 1
    if goal_days is not None and goal_days >= STUCK_DAYS:
        rate = f", {goal_rate:.0%} lately" if goal_rate is not None else ""
        return f"goal stuck for {goal_days // 7} weeks{rate}: adjust it together", 2
    if open_disputes:
        return f"{plural(open_disputes, 'dispute')} open: hear them out", 3
    if session_soon and not self_assessed:
        return "no self-assessment yet for the next session", 4
    return "on track", 9
