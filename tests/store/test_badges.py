"""Badge rules, points and levels, on hand-made histories with known answers.

No database: each rule is a plain function of an `AgentHistory`. Calls are
numbered; a call's number is its evaluation id, so "earned at call 7" reads
as `Earned(<call 7's time>, 7)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from nextcall.store.badges import (
    CATALOGUE,
    CRITICAL_STREAK,
    LEVELS,
    POINT_SOURCES,
    AgentHistory,
    BadgeState,
    CallRecord,
    Earned,
    GoalRecord,
    badge_states,
    big_week,
    comeback,
    critical_streak,
    daily_points,
    first_goal_mastered,
    level_for,
    listened_first,
    on_a_roll,
    perfect_call,
    steady,
)
from nextcall.store.models import Outcome
from nextcall.store.rules import Target

MET, MISSED, NA = Outcome.met, Outcome.missed, Outcome.na
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
DAY0 = T0.date()
GOAL_KEY = "confirm_need"
SMALL = Target(met=2, window=3)
"""Met on 2 of the last 3: mastered after 6 applicable calls, so histories stay short."""

_SYMBOLS = {"+": MET, "-": MISSED, ".": NA}


def minute(n: int) -> datetime:
    """The default time of call `n`: `n` minutes after T0, all on the same Monday."""
    return T0 + timedelta(minutes=n)


def call(
    n: int,
    when: datetime | None = None,
    *,
    score: float | None = None,
    critical: Iterable[str] = (),
    **outcomes: Outcome,
) -> CallRecord:
    """Call `n` (its evaluation id), at `when` (default: `minute(n)`)."""
    return CallRecord(n, when or minute(n), outcomes, score, frozenset(critical))


def goal(
    key: str = GOAL_KEY, start: datetime = T0, end: datetime | None = None, target: Target = Target()
) -> GoalRecord:
    return GoalRecord(key, start, end, target)


def goal_calls(pattern: str, *, first: int = 1, times: Sequence[datetime] | None = None) -> list[CallRecord]:
    """Calls numbered from `first`, one per symbol of the goal behaviour: + met, - missed, . na."""
    pattern = pattern.replace(" ", "")
    return [
        call(first + i, times[i] if times else None, **{GOAL_KEY: _SYMBOLS[symbol]})
        for i, symbol in enumerate(pattern)
    ]


def with_goal(calls: Sequence[CallRecord], *goals: GoalRecord) -> AgentHistory:
    return AgentHistory(list(calls), list(goals) or [goal()])


def earned_at(c: CallRecord) -> Earned:
    return Earned(c.occurred_at, c.evaluation_id)


def weekly(*weeks: Sequence[float | None]) -> list[CallRecord]:
    """Calls with the given scores, week by week from T0's week: one a day from each Monday, numbered from 1."""
    calls = []
    for w, scores in enumerate(weeks):
        for d, value in enumerate(scores):
            calls.append(call(len(calls) + 1, T0 + timedelta(weeks=w, days=d), score=value))
    return calls


# --------------------------------------------------------- first goal mastered


def test_first_goal_mastered_is_earned_at_the_call_that_makes_the_target_hold_twice() -> None:
    # Applicable calls: + + - | + + -   (call 5 is na and passed over).
    # The target (2 of 3) holds on the first window at call 3 and again on the second at call 7.
    calls = goal_calls("++-+.+-")

    state = first_goal_mastered(with_goal(calls, goal(target=SMALL)))

    # Earned when it stuck; it points to the call that shows it best, one where the behaviour was met.
    assert state == BadgeState(Earned(calls[6].occurred_at, calls[5].evaluation_id), 1, 1)
    assert first_goal_mastered(with_goal(calls[:6], goal(target=SMALL))) == BadgeState(None, 0, 1)


def test_first_goal_mastered_with_the_default_target_needs_twenty_applicable_calls() -> None:
    calls = goal_calls("++++++++-- ++++++++--")  # 8 of 10, twice

    assert first_goal_mastered(with_goal(calls)) == BadgeState(Earned(calls[19].occurred_at, calls[17].evaluation_id), 1, 1)
    assert first_goal_mastered(with_goal(calls[:19])).earned is None


def test_a_target_that_misses_on_one_window_is_not_mastered() -> None:
    calls = goal_calls("++- +--")  # 2 of 3, then 1 of 3

    assert first_goal_mastered(with_goal(calls, goal(target=SMALL))) == BadgeState(None, 0, 1)


def test_calls_before_a_goal_started_or_after_it_ended_do_not_count_towards_mastery() -> None:
    before = goal_calls("++++++", first=1)  # minutes 1–6
    during = goal_calls("+++", first=7)  # minutes 7–9
    after = goal_calls("+++", first=10)  # minutes 10–12
    window = goal(start=minute(7), end=minute(9), target=SMALL)

    state = first_goal_mastered(with_goal([*before, *during, *after], window))

    assert state == BadgeState(None, 0, 1)


def test_a_later_goal_can_be_the_first_mastered() -> None:
    dropped = goal("greeting", start=T0, end=minute(10), target=SMALL)
    calls = [call(n, greeting=MISSED) for n in range(1, 11)]
    calls += goal_calls("++++++", first=11)
    second = goal(start=minute(11), target=SMALL)

    assert first_goal_mastered(with_goal(calls, dropped, second)) == BadgeState(earned_at(calls[15]), 1, 1)


def test_it_stuck_points_to_the_best_scored_call_of_the_window_that_made_it_stick() -> None:
    scored = [call(n + 1, score=score, **{GOAL_KEY: o}) for n, (score, o) in
              enumerate([(0.5, MET), (0.6, MET), (0.7, MISSED), (0.9, MET), (1.0, MET), (0.0, MET)])]

    state = first_goal_mastered(with_goal(scored, goal(target=SMALL)))

    # Stuck on the 0% call (a critical miss elsewhere); the badge opens on the 100% one.
    assert state.earned == Earned(scored[5].occurred_at, scored[4].evaluation_id)


def test_first_goal_mastered_without_a_goal_is_locked() -> None:
    assert first_goal_mastered(AgentHistory(goal_calls("++++++"))) == BadgeState(None, 0, 1)


# ---------------------------------------------------------------- perfect call


def test_a_perfect_call_is_earned_at_the_first_call_with_every_applicable_behaviour_met() -> None:
    calls = [
        call(1, a=MET, b=MET, c=NA),  # all met, but only two applied
        call(2, a=MET, b=MISSED, c=MET),
        call(3, a=MET, b=MET, c=MET, d=NA),
        call(4, a=MET, b=MET, c=MET, d=MET),
    ]

    assert perfect_call(AgentHistory(calls)) == BadgeState(earned_at(calls[2]), 3, 3)


def test_a_perfect_call_needs_at_least_three_applicable_behaviours() -> None:
    calls = [call(1, a=MET, b=MET, c=NA, d=NA), call(2, a=MET), call(3, a=NA, b=NA, c=NA)]

    assert perfect_call(AgentHistory(calls)) == BadgeState(None, 0, 3)


def test_a_locked_perfect_call_shows_the_closest_call_so_far() -> None:
    calls = [
        call(1, a=MET, b=MISSED, c=MET),  # 2 of 3
        call(2, a=MET, b=MET, c=MET, d=MISSED),  # 3 of 4: the closest
        call(3, a=MET, b=MET),  # 2 of 2, too few to count
        call(4, a=MISSED, b=MISSED, c=MET),  # 1 of 3
    ]

    assert perfect_call(AgentHistory(calls)) == BadgeState(None, 3, 4)


def test_a_perfect_call_of_four_behaviours_shows_four_of_four() -> None:
    calls = [call(1, a=MET, b=MET, c=MET, d=MET)]

    assert perfect_call(AgentHistory(calls)) == BadgeState(earned_at(calls[0]), 4, 4)


# ------------------------------------------------------------- critical streak


def critical_calls(pattern: str, *, first: int = 1) -> list[CallRecord]:
    """Calls of a scorecard whose `verify` is critical, one per symbol of `verify`'s outcome."""
    pattern = pattern.replace(" ", "")
    return [
        call(first + i, critical={"verify"}, verify=_SYMBOLS[s], greeting=MISSED) for i, s in enumerate(pattern)
    ]


def test_the_critical_streak_is_earned_at_the_twentieth_met_in_a_row() -> None:
    calls = critical_calls("+" * 20 + "+")

    assert critical_streak(AgentHistory(calls)) == BadgeState(earned_at(calls[19]), 20, 20)
    assert critical_streak(AgentHistory(calls[:19])) == BadgeState(None, 19, 20)


def test_the_critical_streak_resets_on_a_miss() -> None:
    calls = critical_calls("+" * 19 + "-" + "+" * 19)

    assert critical_streak(AgentHistory(calls)) == BadgeState(None, 19, 20)

    calls += critical_calls("+", first=40)
    assert critical_streak(AgentHistory(calls)) == BadgeState(earned_at(calls[39]), 20, 20)


def test_the_critical_streak_passes_over_na() -> None:
    # 20 met with an na after every fourth: the 20th met is call 24.
    calls = critical_calls("++++. ++++. ++++. ++++. ++++. +")

    assert critical_streak(AgentHistory(calls)) == BadgeState(earned_at(calls[23]), 20, 20)
    assert critical_streak(AgentHistory(calls[:23])) == BadgeState(None, 19, 20)


def test_only_critical_behaviours_count_towards_the_critical_streak() -> None:
    # greeting is met on every call but is not critical; verify never applies.
    calls = [call(n, critical={"verify"}, greeting=MET, verify=NA) for n in range(1, 26)]
    calls += [call(n, greeting=MET, verify=MET) for n in range(26, 51)]  # a scorecard with nothing critical

    assert critical_streak(AgentHistory(calls)) == BadgeState(None, 0, CRITICAL_STREAK)


def test_each_critical_behaviour_keeps_its_own_streak() -> None:
    # identify is missed every fourth call; verify is met throughout.
    calls = [
        call(n, critical={"verify", "identify"}, verify=MET, identify=MISSED if n % 4 == 0 else MET)
        for n in range(1, 25)
    ]

    assert critical_streak(AgentHistory(calls)) == BadgeState(earned_at(calls[19]), 20, 20)


# -------------------------------------------------------------------- big week


def test_big_week_is_earned_at_the_last_call_of_a_week_ten_points_above_the_weeks_before() -> None:
    calls = weekly([0.7, 0.7, 0.7], [0.7, 0.7, 0.7], [0.85, 0.85, 0.85], [1.0, 1.0, 1.0])

    assert big_week(AgentHistory(calls)) == BadgeState(earned_at(calls[8]), 10, 10)


def test_big_week_locked_shows_the_best_gain_in_points() -> None:
    calls = weekly([0.7, 0.7, 0.7], [0.7, 0.7, 0.7], [0.75, 0.75, 0.75], [0.6, 0.6, 0.6])

    assert big_week(AgentHistory(calls)) == BadgeState(None, 5, 10)


def test_big_week_needs_three_calls_in_the_week() -> None:
    calls = weekly([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [1.0, 1.0])

    assert big_week(AgentHistory(calls)) == BadgeState(None, 0, 10)


def test_big_week_needs_five_calls_in_the_weeks_before() -> None:
    calls = weekly([0.5, 0.5], [0.5, 0.5], [1.0, 1.0, 1.0])

    assert big_week(AgentHistory(calls)) == BadgeState(None, 0, 10)
    assert big_week(AgentHistory(weekly([0.5, 0.5], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0]))).earned is not None


def test_big_week_compares_with_the_four_weeks_before_only() -> None:
    # An old strong week, four at 0.6, then 0.75: 15 points above the four before
    # (it would be only 7 above if the old week counted).
    calls = weekly([1.0] * 3, [0.6] * 3, [0.6] * 3, [0.6] * 3, [0.6] * 3, [0.75] * 3)

    assert big_week(AgentHistory(calls)) == BadgeState(earned_at(calls[17]), 10, 10)


def test_big_week_leaves_out_calls_without_a_score() -> None:
    # The None calls would otherwise make week 3 a week of 3+ calls.
    calls = weekly([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [1.0, 1.0, None, None])

    assert big_week(AgentHistory(calls)) == BadgeState(None, 0, 10)


def test_big_week_counts_a_gain_of_exactly_ten_points() -> None:
    # 60 → 70 is 10 points: "10 points or more".
    calls = weekly([0.6, 0.6, 0.6], [0.6, 0.6, 0.6], [0.7, 0.7, 0.7])

    assert big_week(AgentHistory(calls)) == BadgeState(earned_at(calls[8]), 10, 10)


# -------------------------------------------------------------------- comeback


def test_comeback_is_earned_at_the_last_call_of_the_week_back_after_a_dip() -> None:
    calls = weekly([0.9] * 3, [0.9] * 3, [0.6] * 3, [0.9] * 3, [0.9] * 3)

    assert comeback(AgentHistory(calls)) == BadgeState(earned_at(calls[11]), 2, 2)
    assert comeback(AgentHistory(calls[:9])) == BadgeState(None, 1, 2)


def test_comeback_without_a_dip_is_locked_at_zero() -> None:
    calls = weekly([0.9] * 3, [0.9] * 3, [0.8] * 3, [0.95] * 3)  # 10 points down is not a dip

    assert comeback(AgentHistory(calls)) == BadgeState(None, 0, 2)


def test_comeback_after_a_dip_with_no_week_back_yet_is_halfway() -> None:
    calls = weekly([0.9] * 3, [0.9] * 3, [0.6] * 3, [0.5] * 3)

    assert comeback(AgentHistory(calls)) == BadgeState(None, 1, 2)


def test_comeback_needs_the_dip_first() -> None:
    # A strong week, then a dip, and nothing after it.
    calls = weekly([0.7] * 3, [0.7] * 3, [0.95] * 3, [0.5] * 3)

    assert comeback(AgentHistory(calls)) == BadgeState(None, 1, 2)


def test_comeback_counts_a_dip_of_exactly_fifteen_points() -> None:
    # 80 → 65 is 15 points below the usual: a dip.
    calls = weekly([0.8] * 3, [0.8] * 3, [0.65] * 3)

    assert comeback(AgentHistory(calls)) == BadgeState(None, 1, 2)


def test_a_dip_week_needs_three_calls() -> None:
    calls = weekly([0.9] * 3, [0.9] * 3, [0.2, 0.2], [0.9] * 3)

    assert comeback(AgentHistory(calls)) == BadgeState(None, 0, 2)


# -------------------------------------------------------------- listened first


def test_listened_first_is_earned_at_the_first_self_assessment_on_time() -> None:
    later, first = T0 + timedelta(days=9), T0 + timedelta(days=2)
    history = AgentHistory([], (), [first, later])

    assert listened_first(history) == BadgeState(Earned(first, None), 1, 1)


def test_listened_first_without_a_self_assessment_is_locked() -> None:
    assert listened_first(AgentHistory(goal_calls("+++"))) == BadgeState(None, 0, 1)


# ------------------------------------------------------------------- on a roll


def test_on_a_roll_is_earned_at_the_fifth_goal_met_in_a_row() -> None:
    calls = goal_calls("++++++")

    assert on_a_roll(with_goal(calls)) == BadgeState(earned_at(calls[4]), 5, 5)
    assert on_a_roll(with_goal(calls[:4])) == BadgeState(None, 4, 5)


def test_on_a_roll_resets_on_a_miss() -> None:
    calls = goal_calls("++++- ++++")

    assert on_a_roll(with_goal(calls)) == BadgeState(None, 4, 5)

    calls += goal_calls("+", first=10)
    assert on_a_roll(with_goal(calls)) == BadgeState(earned_at(calls[9]), 5, 5)


def test_on_a_roll_passes_over_na() -> None:
    calls = goal_calls("++.+. ++")  # the fifth met is call 7

    assert on_a_roll(with_goal(calls)) == BadgeState(earned_at(calls[6]), 5, 5)


def test_on_a_roll_counts_only_calls_since_the_goal_started() -> None:
    calls = goal_calls("+++++ ++")  # minutes 1–7; the goal starts at minute 6

    assert on_a_roll(with_goal(calls, goal(start=minute(6)))) == BadgeState(None, 2, 5)


def test_on_a_roll_counts_only_the_goal_behaviour() -> None:
    calls = [call(n, greeting=MET, confirm_need=NA) for n in range(1, 8)]

    assert on_a_roll(with_goal(calls)) == BadgeState(None, 0, 5)
    assert on_a_roll(AgentHistory(goal_calls("+++++"))) == BadgeState(None, 0, 5)  # no goal


# ---------------------------------------------------------------------- steady


def on_days(*per_day: tuple[int, int]) -> list[datetime]:
    """Call times: (day offset from T0, how many calls that day), an hour apart."""
    return [T0 + timedelta(days=day, hours=h) for day, count in per_day for h in range(count)]


def test_steady_is_earned_at_the_tenth_met_in_a_row_over_three_days_with_days_off_between() -> None:
    # Monday, Thursday, and the next Monday: days off and a weekend between.
    times = on_days((0, 4), (3, 3), (7, 4))
    calls = goal_calls("+" * 11, times=times)

    assert steady(with_goal(calls)) == BadgeState(earned_at(calls[9]), 10, 10)
    assert steady(with_goal(calls[:9])) == BadgeState(None, 9, 10)


def test_steady_needs_three_distinct_days() -> None:
    times = on_days((0, 6), (1, 6), (2, 1))
    calls = goal_calls("+" * 13, times=times)

    assert steady(with_goal(calls[:12])).earned is None  # 12 in a row, on two days
    assert steady(with_goal(calls)) == BadgeState(earned_at(calls[12]), 10, 10)


def test_steady_locked_for_want_of_a_third_day_does_not_show_full_progress() -> None:
    # 12 in a row on two days: still locked, so the card must not read "10 / 10 calls".
    calls = goal_calls("+" * 12, times=on_days((0, 6), (1, 6)))

    state = steady(with_goal(calls))

    assert state.earned is None
    assert state.progress < state.needed


def test_steady_resets_on_a_miss() -> None:
    times = on_days((0, 3), (1, 3), (2, 4), (3, 3), (4, 3), (5, 3))
    calls = goal_calls("+++ +++ +++- +++ +++ +++", times=times)  # 9 met on three days, a miss, 9 more on three

    assert steady(with_goal(calls)) == BadgeState(None, 9, 10)

    calls += goal_calls("+", first=20, times=[T0 + timedelta(days=6)])
    assert steady(with_goal(calls)) == BadgeState(earned_at(calls[19]), 10, 10)


def test_steady_passes_over_na() -> None:
    times = on_days((0, 5), (1, 5), (2, 3))
    calls = goal_calls("+.++. +++.+ +++", times=times)  # the tenth met is call 13

    assert steady(with_goal(calls)) == BadgeState(earned_at(calls[12]), 10, 10)
    assert steady(with_goal(calls[:12])) == BadgeState(None, 9, 10)


# -------------------------------------------------------------- the catalogue


def test_badge_states_gives_every_badge_of_the_catalogue_in_order() -> None:
    states = badge_states(AgentHistory([]))

    assert list(states) == [badge.id for badge in CATALOGUE]
    assert list(states) == [
        "first_goal_mastered", "perfect_call", "critical_streak", "big_week",
        "comeback", "listened_first", "on_a_roll", "steady",
    ]
    assert all(state.earned is None and state.progress == 0 and state.needed > 0 for state in states.values())


def test_badge_states_applies_each_rule() -> None:
    calls = goal_calls("+++++")
    history = with_goal(calls)

    states = badge_states(history)

    assert {badge.id: badge.rule(history) for badge in CATALOGUE} == states
    assert states["on_a_roll"].earned == earned_at(calls[4])


# ---------------------------------------------------------------------- points


def test_goal_behaviour_points_are_capped_per_day() -> None:
    history = with_goal(goal_calls("+" * 8))  # eight goal calls on one day: 80 before the cap

    assert daily_points(history, {}) == {(DAY0, "goal_behaviour"): 50}


def test_goal_behaviour_points_spread_over_two_days_are_not_capped() -> None:
    history = with_goal(goal_calls("+" * 8, times=on_days((0, 4), (1, 4))))

    points = daily_points(history, {})

    assert points == {(DAY0, "goal_behaviour"): 40, (DAY0 + timedelta(days=1), "goal_behaviour"): 40}
    assert sum(points.values()) == 80


def test_goal_behaviour_points_come_only_from_met_calls_in_the_goal_window() -> None:
    calls = goal_calls("++ +-.", first=1)  # minutes 1–6; the goal runs from minute 3 to 5
    calls += [call(7, greeting=MET)]

    points = daily_points(with_goal(calls, goal(start=minute(3), end=minute(5))), {})

    assert points == {(DAY0, "goal_behaviour"): 10}


def test_goal_mastered_gives_its_points_once_on_the_mastering_day() -> None:
    times = on_days((0, 3), (1, 4))
    calls = goal_calls("++- +++ +", times=times)  # mastered (2 of 3, twice) at call 6, on day 1

    points = daily_points(with_goal(calls, goal(target=SMALL)), {})

    assert points == {
        (DAY0, "goal_behaviour"): 20,
        (DAY0 + timedelta(days=1), "goal_behaviour"): 40,
        (DAY0 + timedelta(days=1), "goal_mastered"): 100,
    }


def test_badge_points_are_capped_per_day() -> None:
    def won(when: datetime) -> BadgeState:
        return BadgeState(Earned(when, None), 1, 1)

    states = {
        "a": won(T0), "b": won(T0 + timedelta(hours=1)), "c": won(T0 + timedelta(hours=2)),
        "d": won(T0 + timedelta(hours=3)), "e": won(T0 + timedelta(days=1)), "f": BadgeState(None, 3, 5),
    }

    points = daily_points(AgentHistory([]), states)

    assert points == {(DAY0, "badge"): 75, (DAY0 + timedelta(days=1), "badge"): 25}


def test_self_assessment_points_are_capped_per_day() -> None:
    history = AgentHistory([], (), [T0, T0 + timedelta(hours=2), T0 + timedelta(days=3)])

    assert daily_points(history, {}) == {
        (DAY0, "self_assessment"): 30,
        (DAY0 + timedelta(days=3), "self_assessment"): 30,
    }


def test_every_points_source_has_a_daily_cap() -> None:
    assert set(POINT_SOURCES) == {"goal_behaviour", "goal_mastered", "self_assessment", "badge"}
    assert all(0 < source.points <= source.daily_cap for source in POINT_SOURCES.values())


def test_points_never_come_from_a_high_score_alone() -> None:
    # 25 flawless calls, one a day, no goal: only the badges they earn give points.
    calls = [
        call(n, T0 + timedelta(days=n - 1), score=1.0, critical={"verify"}, greeting=MET, verify=MET, confirm_need=MET)
        for n in range(1, 26)
    ]
    history = AgentHistory(calls)
    states = badge_states(history)

    points = daily_points(history, states)

    earned = {badge_id for badge_id, state in states.items() if state.earned is not None}
    assert earned == {"perfect_call", "critical_streak"}
    assert points == {(DAY0, "badge"): 25, (DAY0 + timedelta(days=19), "badge"): 25}


# ---------------------------------------------------------------------- levels


def test_levels_start_at_zero_and_climb() -> None:
    thresholds = [level.threshold for level in LEVELS]
    assert thresholds[0] == 0
    assert thresholds == sorted(set(thresholds))
    assert [level.number for level in LEVELS] == list(range(1, len(LEVELS) + 1))


@pytest.mark.parametrize("index", range(1, len(LEVELS)))
def test_a_level_is_reached_at_its_threshold_and_not_a_point_before(index: int) -> None:
    below, level = LEVELS[index - 1], LEVELS[index]

    assert level_for(level.threshold - 1) == (below, level)
    assert level_for(level.threshold) == (level, LEVELS[index + 1] if index + 1 < len(LEVELS) else None)


def test_level_thresholds() -> None:
    assert [(level.threshold, level.name) for level in LEVELS] == [
        (0, "Getting started"), (100, "Building habits"), (300, "Consistent"),
        (700, "Skilled"), (1500, "Expert"), (3000, "Role model"),
    ]
    assert level_for(0) == (LEVELS[0], LEVELS[1])
    assert level_for(250) == (LEVELS[1], LEVELS[2])


def test_the_top_level_has_no_next() -> None:
    top = LEVELS[-1]

    assert level_for(top.threshold) == (top, None)
    assert level_for(10**9) == (top, None)


def test_a_streak_badge_shows_the_run_going_now_beside_the_best() -> None:
    outcomes = [MET] * 4 + [MISSED] + [MET] * 2  # best 4, now 2
    calls = [call(n + 1, **{GOAL_KEY: o}) for n, o in enumerate(outcomes)]
    history = AgentHistory(calls, [goal()])
    assert (on_a_roll(history).progress, on_a_roll(history).current) == (4, 2)
    assert (steady(history).progress, steady(history).current) == (4, 2)
    # A new goal on another behaviour starts its own run from nothing; the best stays what it was.
    moved = AgentHistory(calls, [goal(end=minute(10)), goal("verify", start=minute(11))])
    assert (on_a_roll(moved).progress, on_a_roll(moved).current) == (4, 0)
    critical = AgentHistory([call(n, score=1.0, critical={"verify"}, verify=o) for n, o in enumerate(outcomes)])
    assert (critical_streak(critical).progress, critical_streak(critical).current) == (4, 2)
