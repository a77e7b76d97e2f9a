"""The leaderboard: ranks, minimum calls, fair metrics, opt-out, periods in the viewer's zone.

Data goes in through the real importer; each test runs on a real SQLite file
and on PostgreSQL (the `engine` fixture). The scorecard has ten behaviours of
equal weight, so a call met on 8 of 10 scores exactly 0.8.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from nextcall.store.rules import Target
from nextcall.store.goals import drop_goal, start_goal
from nextcall.store.importer import import_files
from nextcall.store.leaderboard import (
    ANONYMOUS,
    BASELINE_DAYS,
    LeaderboardView,
    Metric,
    Movement,
    Period,
    Window,
    celebration_marker,
    celebrations_since,
    is_opted_out,
    leaderboard,
    period_window,
    previous_window,
    set_opt_out,
    teams,
)
from tests import factories as f

ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""A Wednesday: "this week" began on Monday 23 November."""
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_MONDAY = MONDAY - timedelta(days=7)
KEYS = [f"k{i}" for i in range(10)]
CARD = f.scorecard(id="lb", name="Board card", criteria=[f.criterion(key, weight=1) for key in KEYS])
_call_ids = itertools.count(1)


def people(*falcons: str, hawks: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Two teams and a team-less third, the scorecard, and agents named after their ids."""
    return [
        f.team(),
        f.team(id="hawks", name="Hawks"),
        f.team(id="owls", name="Owls"),
        CARD,
        *(f.agent(id=a, name=a.capitalize()) for a in falcons),
        *(f.agent(id=a, name=a.capitalize(), team="hawks") for a in hawks),
    ]


def call(agent: str, when: datetime, met: int = 8, of: int = 10) -> dict[str, Any]:
    """A call met on the first `met` of `of` behaviours, missed on the rest: it scores met / of."""
    return f.evaluation(
        call_id=f"C-{next(_call_ids)}",
        agent=agent,
        scorecard="lb",
        occurred_at=when.isoformat(),
        results=[f.result(key, "met" if i < met else "missed") for i, key in enumerate(KEYS[:of])],
    )


def calls(agent: str, start: datetime, *mets: int) -> list[dict[str, Any]]:
    """One call per score (in tenths), an hour apart from `start`."""
    return [call(agent, start + timedelta(hours=i), met) for i, met in enumerate(mets)]


def on_goal(agent: str, when: datetime, outcome: str) -> dict[str, Any]:
    """A call where only k0, the goal behaviour, was scored (`na`: only k1 applied)."""
    results = [f.result("k0", "na"), f.result("k1", "met")] if outcome == "na" else [f.result("k0", outcome)]
    return f.evaluation(
        call_id=f"C-{next(_call_ids)}", agent=agent, scorecard="lb", occurred_at=when.isoformat(), results=results
    )


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    name = f"batch-{len(list(tmp_path.glob('batch-*.jsonl')))}.jsonl"
    import_files(engine, [f.write_jsonl(tmp_path / name, records)], now=f.just_after_the_last_call(records))


def board(engine: Engine, **options: Any) -> LeaderboardView:
    return leaderboard(engine, **({"team_id": None, "now": NOW, "zone": ZONE, "min_calls": 5} | options))


def standings(view: LeaderboardView) -> list[tuple[int | None, str, str]]:
    return [(row.rank, row.name, row.value_text) for row in view.ranked]


def unranked(view: LeaderboardView) -> list[tuple[str, int, str | None]]:
    return [(row.name, row.calls, row.reason) for row in view.unranked]


# ------------------------------------------------------------------ ranks


def test_equal_means_share_a_rank_and_the_next_rank_skips(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("ana", "ben", "dan", "eve"),
        *calls("ana", MONDAY, 8, 8, 8, 8, 8),  # 0.8 from five calls
        *calls("ben", MONDAY, 10, 10, 10, 10, 4, 4),  # 4.8 / 6: 0.8 too, to float precision
        *calls("dan", MONDAY, 7, 7, 7, 7, 7),
        *calls("eve", MONDAY, 9, 5, 6, 8, 7),  # 0.7, equal to Dan's
    ])

    view = board(engine, metric=Metric.quality, period=Period.this_week)

    assert standings(view) == [(1, "Ana", "80%"), (1, "Ben", "80%"), (3, "Dan", "70%"), (3, "Eve", "70%")]
    assert [row.calls for row in view.ranked] == [5, 6, 5, 5]


def test_values_that_read_the_same_on_the_board_share_a_rank(engine: Engine, tmp_path: Path) -> None:
    # 0.804 and 0.796 both read "80%": a difference nobody can see is no reason to rank one above the other.
    load(engine, tmp_path, [
        *people("ana", "ben", "cy"),
        *calls("ana", MONDAY, *[8] * 124, 9),  # (124 * 8 + 9) / 125 = 0.8008
        *calls("ben", MONDAY, *[8] * 24, 7),  # 0.796
        *calls("cy", MONDAY, 9, 9, 9, 9, 9),
    ])

    view = board(engine, metric=Metric.quality, period=Period.this_week)

    assert standings(view) == [(1, "Cy", "90%"), (2, "Ana", "80%"), (2, "Ben", "80%")]
    assert view.ranked[1].value == pytest.approx(0.8)
    assert view.unranked == []


def test_agents_below_the_minimum_are_listed_unranked_with_how_far_along(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("al", "ana", "ben"),
        *calls("al", LAST_MONDAY, 9, 9, 9, 9, 9),  # last week's calls do not count this week
        *calls("ana", MONDAY, 8, 8, 8, 8, 8),
        *calls("ben", MONDAY, 10, 10, 10, 10),  # a perfect four calls are still only four
    ])

    view = board(engine, metric=Metric.quality, period=Period.this_week, min_calls=5)
    assert standings(view) == [(1, "Ana", "80%")]
    assert unranked(view) == [("Ben", 4, "4 of 5 calls"), ("Al", 0, "0 of 5 calls")]  # the closest first
    assert [(row.rank, row.value, row.movement) for row in view.unranked] == [(None, None, None)] * 2
    assert view.min_calls == 5

    fewer = board(engine, metric=Metric.quality, period=Period.this_week, min_calls=4)
    assert standings(fewer) == [(1, "Ben", "100%"), (2, "Ana", "80%")]
    assert unranked(fewer) == [("Al", 0, "0 of 4 calls")]


# ----------------------------------------------------------- most improved


def test_most_improved_compares_with_the_agents_own_days_before_the_period(engine: Engine, tmp_path: Path) -> None:
    week_start = datetime(2026, 11, 23, tzinfo=UTC)
    baseline_day = week_start - timedelta(days=10)
    too_old = week_start - timedelta(days=BASELINE_DAYS, hours=1)
    load(engine, tmp_path, [
        *people("ivy", "sam", "sid", "nia", "ola"),
        call("ivy", too_old, 0),  # outside the baseline: would make the gain +28
        *calls("ivy", baseline_day, 5, 5, 5, 5, 5), *calls("ivy", MONDAY, 7, 7, 7, 7, 7),
        *calls("sam", baseline_day, 9, 9, 9, 9, 9), *calls("sam", MONDAY, 9, 9, 9, 9, 9),
        *calls("sid", baseline_day, 8, 8, 8, 8, 8), *calls("sid", MONDAY, 6, 6, 6, 6, 6),
        *calls("nia", MONDAY, 10, 10, 10, 10, 10),  # new: top marks, but nothing to compare with
        *calls("ola", baseline_day, 1, 1, 1, 1), *calls("ola", MONDAY, 9, 9, 9, 9, 9),  # four baseline calls
    ])

    view = board(engine, metric=Metric.improved, period=Period.this_week)

    # Ivy's 70% beats nobody on quality, yet she improved most; Sam held a high 90%.
    assert standings(view) == [(1, "Ivy", "+20 pts"), (2, "Sam", "±0 pts"), (3, "Sid", "-20 pts")]
    assert view.ranked[0].value == pytest.approx(0.2)
    assert unranked(view) == [("Nia", 5, "new: no baseline yet"), ("Ola", 5, "new: no baseline yet")]

    quality = board(engine, metric=Metric.quality, period=Period.this_week)
    assert [row.name for row in quality.ranked] == ["Nia", "Ola", "Sam", "Ivy", "Sid"]


# ------------------------------------------------------------ goal progress


def test_goal_progress_is_the_met_rate_against_the_goals_baseline(engine: Engine, tmp_path: Path) -> None:
    before = datetime(2026, 11, 10, 9, tzinfo=UTC)
    history = {"gia": "++++------", "hal": "++++++++--", "jo": "+---------", "kim": "++++++++++"}
    records = people("gia", "hal", "ike", "jo", "kim")
    for agent, pattern in history.items():
        outcomes = ["met" if symbol == "+" else "missed" for symbol in pattern]
        records += [on_goal(agent, before + timedelta(hours=i), o) for i, o in enumerate(outcomes)]
    records += calls("ike", before, 9, 9)
    load(engine, tmp_path, records)
    for agent in history:
        start_goal(engine, agent_id=agent, criterion_key="k0", now=datetime(2026, 11, 20, tzinfo=UTC))
    drop_goal(engine, agent_id="jo", reason="Another behaviour first", now=MONDAY + timedelta(days=1))

    this_week = {
        "gia": ["met", "met", "missed", "na", "met", "met"],  # 4 of 5 applicable: 80%, +40 on 40%
        "hal": ["met"] * 5,  # 100%, +20 on 80%
        "jo": ["met"] * 5,  # +90 on 10%, but the goal was dropped
        "kim": ["na"] * 5,  # a goal, but no call where it applied: no progress either way
    }
    records = [
        on_goal(agent, MONDAY + timedelta(hours=i), outcome)
        for agent, outcomes in this_week.items()
        for i, outcome in enumerate(outcomes)
    ]
    load(engine, tmp_path, [*records, *calls("ike", MONDAY, 9, 9, 9, 9, 9)])

    view = board(engine, metric=Metric.goal, period=Period.this_week)

    assert standings(view) == [(1, "Gia", "+40 pts"), (2, "Hal", "+20 pts"), (3, "Kim", "±0 pts")]
    assert view.ranked[0].value == pytest.approx(0.4)
    assert view.ranked[0].calls == 6  # the call where the behaviour did not apply still counts as a call
    assert unranked(view) == [("Ike", 5, "no goal in this period"), ("Jo", 5, "no goal in this period")]


def test_a_goal_started_before_its_behaviour_ever_applied_is_unranked_for_want_of_a_baseline(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path, [*people("lea"), *[on_goal("lea", LAST_MONDAY + timedelta(hours=i), "na") for i in range(3)]])
    start_goal(engine, agent_id="lea", criterion_key="k0", now=LAST_MONDAY + timedelta(days=1))
    load(engine, tmp_path, [on_goal("lea", MONDAY + timedelta(hours=i), "met") for i in range(5)])

    view = board(engine, metric=Metric.goal, period=Period.this_week)

    assert view.ranked == []
    assert unranked(view) == [("Lea", 5, "goal has no baseline yet")]


def test_goal_progress_counts_only_the_calls_since_the_goal_started(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("amy", "bea"),
        *[on_goal(agent, LAST_MONDAY + timedelta(hours=i), "missed") for agent in ("amy", "bea") for i in range(10)],
        # This week: three calls missed on k0 before either goal existed.
        *[on_goal(agent, MONDAY + timedelta(hours=i), "missed") for agent in ("amy", "bea") for i in range(3)],
    ])
    goal_day = MONDAY + timedelta(days=1)
    for agent in ("amy", "bea"):
        start_goal(engine, agent_id=agent, criterion_key="k0", now=goal_day)
    # Since her goal: Amy lands it on 5 calls; Bea has had 2 calls, both met.
    load(engine, tmp_path, [
        *[on_goal("amy", goal_day + timedelta(hours=1 + i), "met") for i in range(5)],
        *[on_goal("bea", goal_day + timedelta(hours=1 + i), "met") for i in range(2)],
    ])

    view = board(engine, metric=Metric.goal, period=Period.this_week, min_calls=3)

    # Against a baseline of 0 of 10: +100 on the calls since, not dragged down by the three before.
    assert standings(view) == [(1, "Amy", "+100 pts")]
    assert view.ranked[0].calls == 5
    assert unranked(view) == [("Bea", 2, "2 of 3 calls since their goal started")]


def test_a_goal_that_stuck_leaves_the_goal_board_until_the_next_one(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("cal", "dee"),
        *[on_goal(agent, LAST_MONDAY - timedelta(days=7) + timedelta(hours=i), "missed")
          for agent in ("cal", "dee") for i in range(10)],
    ])
    started = LAST_MONDAY - timedelta(days=1)
    for agent in ("cal", "dee"):
        start_goal(engine, agent_id=agent, criterion_key="k0", target=Target(4, 5), now=started)
    # Cal's goal sticks last week (4 of 5, twice in a row); Dee's is still being worked on.
    load(engine, tmp_path, [
        *[on_goal("cal", LAST_MONDAY + timedelta(hours=i), "met") for i in range(10)],
        *[on_goal("dee", LAST_MONDAY + timedelta(hours=i), "met" if i % 2 else "missed") for i in range(10)],
        *[on_goal(agent, MONDAY + timedelta(hours=i), "met") for agent in ("cal", "dee") for i in range(5)],
    ])

    view = board(engine, metric=Metric.goal, period=Period.this_week, min_calls=3)

    assert standings(view) == [(1, "Dee", "+100 pts")]
    assert unranked(view) == [("Cal", 5, "goal stuck, ranked again on the next one")]
    # Last week it ranked, on its calls up to the one that made it stick.
    last_week = board(engine, metric=Metric.goal, period=Period.this_week, now=NOW - timedelta(days=7), min_calls=3)
    assert [name for _, name, _ in standings(last_week)][:1] == ["Cal"]
    assert last_week.ranked[0].calls == 10
    # The next goal brings Cal back, counted from its own start (k1 never applied before: no baseline to beat yet).
    start_goal(engine, agent_id="cal", criterion_key="k1", now=MONDAY + timedelta(hours=6))
    load(engine, tmp_path, [call("cal", MONDAY + timedelta(hours=7 + i), 10) for i in range(3)])
    again = board(engine, metric=Metric.goal, period=Period.this_week, min_calls=3)
    assert ("Cal", 3, "goal has no baseline yet") in unranked(again)


# ------------------------------------------------------------------ points


def test_points_sum_the_periods_days_and_calls_without_points_rank_at_zero(engine: Engine, tmp_path: Path) -> None:
    records = [*people("pia", "quinn", "rui"), on_goal("pia", datetime(2026, 11, 19, 9, tzinfo=UTC), "missed")]
    load(engine, tmp_path, records)
    start_goal(engine, agent_id="pia", criterion_key="k0", now=datetime(2026, 11, 20, tzinfo=UTC))
    outcomes = ["met", "missed", "met"] + ["met", "missed", "met", "missed"]  # never five met in a row: no badge
    load(engine, tmp_path, [
        on_goal("pia", datetime(2026, 11, 20, 9, tzinfo=UTC), "met"),  # 10 points, last week
        *(on_goal("pia", MONDAY + timedelta(hours=i if i < 3 else 24 + i), o) for i, o in enumerate(outcomes)),
        *calls("quinn", MONDAY, 9, 9, 9, 9, 9),  # good calls, but points reward effort, not the score
        *calls("rui", MONDAY, 10, 8, 8, 8, 8),  # a clean sweep: a badge, 25 points
    ])

    view = board(engine, metric=Metric.points, period=Period.this_week)

    assert standings(view) == [(1, "Pia", "40"), (2, "Rui", "25"), (3, "Quinn", "0")]
    assert [row.value for row in view.ranked] == [40.0, 25.0, 0.0]
    assert view.unranked == []
    # The team's board (read agent by agent on PostgreSQL) ranks the same three the same, with the same calls.
    team = board(engine, metric=Metric.points, period=Period.this_week, team_id="falcons")
    assert [(r.rank, r.name, r.value_text, r.calls) for r in team.ranked] == [
        (r.rank, r.name, r.value_text, r.calls) for r in view.ranked
    ] == [(1, "Pia", "40", 7), (2, "Rui", "25", 5), (3, "Quinn", "0", 5)]

    sunday = datetime(2026, 11, 22, 23, tzinfo=UTC)
    last_week = board(engine, metric=Metric.points, period=Period.this_week, now=sunday, min_calls=1)
    assert standings(last_week) == [(1, "Pia", "10")]


# ------------------------------------------------------------------ opt-out


def test_an_opted_out_agent_is_anonymous_to_others_but_themselves(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("ana", "ben", "cy"),
        *calls("ana", MONDAY, 9, 9, 9, 9, 9),
        *calls("ben", MONDAY, 8, 8, 8, 8, 8),
        *calls("cy", MONDAY, 7, 7),
    ])
    set_opt_out(engine, agent_id="ana", anonymous=True)
    set_opt_out(engine, agent_id="cy", anonymous=True)
    assert is_opted_out(engine, agent_id="ana") and not is_opted_out(engine, agent_id="ben")

    to_ben = board(engine, metric=Metric.quality, period=Period.this_week, viewer_id="ben")
    top = to_ben.ranked[0]
    assert (top.rank, top.agent_id, top.name, top.value_text, top.anonymous, top.is_viewer) == (
        1, None, ANONYMOUS, "90%", True, False
    )
    assert [(row.agent_id, row.name) for row in to_ben.unranked] == [(None, ANONYMOUS)]
    assert to_ben.viewer_row is not None and to_ben.viewer_row.name == "Ben"

    to_ana = board(engine, metric=Metric.quality, period=Period.this_week, viewer_id="ana")
    own = to_ana.viewer_row
    assert own is to_ana.ranked[0]
    assert (own.rank, own.agent_id, own.name, own.value_text, own.anonymous, own.is_viewer) == (
        1, "ana", "Ana", "90%", True, True
    )
    assert to_ana.unranked[0].name == ANONYMOUS

    set_opt_out(engine, agent_id="ana", anonymous=False)
    assert board(engine, metric=Metric.quality, period=Period.this_week, viewer_id="ben").ranked[0].name == "Ana"
    with pytest.raises(LookupError):
        set_opt_out(engine, agent_id="nobody", anonymous=True)


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("period", "start", "previous_start"),
    [
        (Period.this_week, datetime(2026, 11, 23), datetime(2026, 11, 16)),
        (Period.this_month, datetime(2026, 11, 1), datetime(2026, 10, 1)),
        # Rolling periods are whole days: today (Wednesday 25th) and the six (or 29) days before.
        (Period.last_7_days, datetime(2026, 11, 19), datetime(2026, 11, 12)),
        (Period.last_30_days, datetime(2026, 10, 27), datetime(2026, 9, 27)),
    ],
)
def test_period_windows_and_the_whole_period_before(period: Period, start: datetime, previous_start: datetime) -> None:
    start, previous_start = start.replace(tzinfo=UTC), previous_start.replace(tzinfo=UTC)

    assert period_window(period, NOW, ZONE) == Window(start, NOW)
    assert previous_window(period, NOW, ZONE) == Window(previous_start, start)


def test_calendar_periods_follow_the_zone_across_years_and_clock_changes() -> None:
    # Monday 06:00 UTC is still Sunday in Los Angeles, and 1 December 03:00 UTC still November.
    monday_early, december_early = datetime(2026, 11, 23, 6, tzinfo=UTC), datetime(2026, 12, 1, 3, tzinfo=UTC)
    for period, now, zone, start in [
        (Period.this_week, monday_early, LOS_ANGELES, datetime(2026, 11, 16, tzinfo=LOS_ANGELES)),
        (Period.this_week, monday_early, BERLIN, datetime(2026, 11, 23, tzinfo=BERLIN)),
        (Period.this_month, december_early, LOS_ANGELES, datetime(2026, 11, 1, tzinfo=LOS_ANGELES)),
        (Period.this_month, december_early, BERLIN, datetime(2026, 12, 1, tzinfo=BERLIN)),
    ]:
        assert period_window(period, now, zone) == Window(start, now)
    january = datetime(2027, 1, 15, 12, tzinfo=UTC)
    assert previous_window(Period.this_month, january, BERLIN) == Window(
        datetime(2026, 12, 1, tzinfo=BERLIN), datetime(2027, 1, 1, tzinfo=BERLIN)
    )
    # Clocks went back in Berlin on Sunday 25 October 2026: last week was 7 days and an hour long.
    after = datetime(2026, 10, 28, 12, tzinfo=UTC)
    week, last = period_window(Period.this_week, after, BERLIN), previous_window(Period.this_week, after, BERLIN)
    assert week.start == datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert last == Window(datetime(2026, 10, 18, 22, tzinfo=UTC), week.start)
    assert last.local_days(BERLIN) == (datetime(2026, 10, 19).date(), datetime(2026, 10, 25).date())


@pytest.mark.parametrize(
    ("period", "now", "call_at"),
    [
        # Monday 02:00 UTC is Monday 03:00 in Berlin, but still Sunday 18:00 in Los Angeles.
        (Period.this_week, datetime(2026, 11, 23, 10, tzinfo=UTC), datetime(2026, 11, 23, 2, tzinfo=UTC)),
        # 1 December 01:00 UTC is December in Berlin, still 30 November in Los Angeles.
        (Period.this_month, datetime(2026, 12, 1, 12, tzinfo=UTC), datetime(2026, 12, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_call_near_midnight_counts_in_the_period_of_the_viewers_zone(
    engine: Engine, tmp_path: Path, period: Period, now: datetime, call_at: datetime
) -> None:
    load(engine, tmp_path, [*people("zoe"), call("zoe", call_at)])

    in_berlin = board(engine, metric=Metric.quality, period=period, now=now, zone=BERLIN, min_calls=1)
    assert standings(in_berlin) == [(1, "Zoe", "80%")]
    assert in_berlin.ranked[0].movement is Movement.new

    in_los_angeles = board(engine, metric=Metric.quality, period=period, now=now, zone=LOS_ANGELES, min_calls=1)
    assert standings(in_los_angeles) == []
    assert unranked(in_los_angeles) == [("Zoe", 0, "0 of 1 calls")]
    before = previous_window(period, now, LOS_ANGELES)
    assert before.start <= call_at < before.end == in_los_angeles.window.start


# ---------------------------------------------------------------- movement


def test_movement_compares_with_the_rank_in_the_previous_period(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("ana", "ben", "cy", "dee", "eli"),
        *calls("ana", LAST_MONDAY, 9, 9, 9, 9, 9), *calls("ana", MONDAY, 5, 5, 5, 5, 5),
        *calls("ben", LAST_MONDAY, 8, 8, 8, 8, 8), *calls("ben", MONDAY, 8, 8, 8, 8, 8),
        *calls("cy", LAST_MONDAY, 7, 7, 7, 7, 7), *calls("cy", MONDAY, 9, 9, 9, 9, 9),
        *calls("dee", LAST_MONDAY, 10, 10, 10), *calls("dee", MONDAY, 6, 6, 6, 6, 6),
        *calls("eli", LAST_MONDAY, 6, 6, 6, 6, 6), *calls("eli", MONDAY, 6, 6),
    ])

    view = board(engine, metric=Metric.quality, period=Period.this_week)

    assert [(row.name, row.rank, row.movement, row.places) for row in view.ranked] == [
        ("Cy", 1, Movement.up, 2),
        ("Ben", 2, Movement.same, 0),
        ("Dee", 3, Movement.new, 0),  # unranked last week: three calls
        ("Ana", 4, Movement.down, 3),
    ]
    assert [(row.name, row.movement, row.places) for row in view.unranked] == [("Eli", None, 0)]


# -------------------------------------------------------------- team scope


def test_a_team_board_ranks_only_that_team(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        *people("ana", "ben", hawks=("cy",)),
        *calls("ana", MONDAY, 8, 8, 8, 8, 8),
        *calls("ben", MONDAY, 7, 7, 7, 7, 7),
        *calls("cy", MONDAY, 9, 9, 9, 9, 9),
    ])

    everyone = board(engine, metric=Metric.quality, period=Period.this_week, team_id=None)
    assert standings(everyone) == [(1, "Cy", "90%"), (2, "Ana", "80%"), (3, "Ben", "70%")]
    assert (everyone.scope, everyone.team_name) == ("Everyone", None)

    falcons = board(engine, metric=Metric.quality, period=Period.this_week, team_id="falcons")
    assert standings(falcons) == [(1, "Ana", "80%"), (2, "Ben", "70%")]
    assert {row.team_id for row in falcons.ranked + falcons.unranked} == {"falcons"}
    assert (falcons.scope, falcons.team_name) == ("Falcons", "Falcons")

    hawks = board(engine, metric=Metric.quality, period=Period.this_week, team_id="hawks")
    assert [(row.name, row.rank, row.movement) for row in hawks.ranked] == [("Cy", 1, Movement.new)]
    assert hawks.team_name == "Hawks"
    # A team without agents yet still has its name on its (empty) board.
    owls = board(engine, metric=Metric.quality, period=Period.this_week, team_id="owls")
    assert (owls.ranked, owls.unranked, owls.team_name) == ([], [], "Owls")

    assert [(t.id, t.name, t.agents) for t in teams(engine)] == [
        ("falcons", "Falcons", 2), ("hawks", "Hawks", 1), ("owls", "Owls", 0)
    ]


# ------------------------------------------------------------- celebrations


def test_celebrations_since_a_marker_name_the_agent_and_the_badge(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*people("ana", hawks=("cy",)), *calls("ana", MONDAY, 8), *calls("cy", MONDAY, 8)])
    set_opt_out(engine, agent_id="cy", anonymous=True)
    marker = celebration_marker(engine)
    assert celebrations_since(engine, marker=marker, team_id=None) == []

    load(engine, tmp_path, [call("ana", MONDAY + timedelta(hours=2), 10), call("cy", MONDAY + timedelta(hours=2), 10)])

    found = celebrations_since(engine, marker=marker, team_id=None)
    assert [(c.name, c.team_id, c.headline) for c in found] == [
        ("Ana", "falcons", "earned the Clean sweep badge"),
        (ANONYMOUS, "hawks", "earned the Clean sweep badge"),
    ]
    newer = celebration_marker(engine)
    assert newer != marker and found[-1].marker == newer
    assert [c.name for c in celebrations_since(engine, marker=marker, team_id="falcons")] == ["Ana"]
    assert celebrations_since(engine, marker=newer, team_id=None) == []


def test_a_mastered_goal_is_celebrated_once_by_name(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*people("ana"), *[on_goal("ana", LAST_MONDAY + timedelta(hours=i), "missed") for i in range(10)]])
    start_goal(engine, agent_id="ana", criterion_key="k0", now=LAST_MONDAY + timedelta(days=1))
    marker = celebration_marker(engine)

    # Met on 20 applicable calls in a row: the target (8 of 10) holds on two windows, so the goal sticks.
    load(engine, tmp_path, [on_goal("ana", MONDAY + timedelta(hours=i), "met") for i in range(20)])

    found = celebrations_since(engine, marker=marker, team_id=None)
    assert [(c.name, c.headline) for c in found if "goal" in c.headline] == [("Ana", "mastered a goal: it stuck")]
    assert not any("It stuck" in c.headline for c in found)  # the badge for it would say the same thing twice


# ------------------------------------------------------- behind each figure


def goal_store(engine: Engine, tmp_path: Path) -> None:
    """Gia and Hal each on a goal on k0 from 40% and 80%; Ike improved from 50% to 70%; Hal is Anonymous."""
    before = datetime(2026, 11, 10, 9, tzinfo=UTC)
    records = people("gia", "hal", "ike")
    for agent, pattern in {"gia": "++++------", "hal": "++++++++--"}.items():
        records += [on_goal(agent, before + timedelta(hours=i), "met" if s == "+" else "missed") for i, s in enumerate(pattern)]
    records += calls("ike", before, 5, 5, 5, 5, 5)
    load(engine, tmp_path, records)
    for agent in ("gia", "hal"):
        start_goal(engine, agent_id=agent, criterion_key="k0", now=datetime(2026, 11, 20, tzinfo=UTC))
    this_week = {"gia": ["met", "met", "missed", "na", "met", "met"], "hal": ["met"] * 5}
    load(engine, tmp_path, [
        *(on_goal(agent, MONDAY + timedelta(hours=i), o) for agent, outcomes in this_week.items() for i, o in enumerate(outcomes)),
        *calls("ike", MONDAY, 7, 7, 7, 7, 7),
    ])
    set_opt_out(engine, agent_id="hal", anonymous=True)


def behind(view: LeaderboardView) -> dict[str, tuple[str | None, float | None, float | None]]:
    return {row.name: (row.behaviour, row.before, row.after) for row in view.ranked + view.unranked}


def test_the_viewers_goal_row_names_its_behaviour_from_the_goals_baseline_to_the_periods_rate(
    engine: Engine, tmp_path: Path
) -> None:
    goal_store(engine, tmp_path)

    to_gia = board(engine, metric=Metric.goal, period=Period.this_week, viewer_id="gia")

    own = to_gia.viewer_row
    assert own is not None and (own.name, own.value_text) == ("Gia", "+40 pts")
    # The goal's own baseline (4 of 10, as the Goal screen's "before"), then 4 of 5 where it applied this week.
    assert (own.behaviour, own.before, own.after) == ("K0", pytest.approx(0.4), pytest.approx(0.8))
    assert own.after - own.before == pytest.approx(own.value)
    # A colleague's goal is theirs: neither its behaviour nor its rates, named or Anonymous.
    assert behind(to_gia)[ANONYMOUS] == (None, None, None)
    assert behind(to_gia)["Ike"] == (None, None, None)

    to_ike = board(engine, metric=Metric.goal, period=Period.this_week, viewer_id="ike")
    assert {name: shown for name, shown in behind(to_ike).items()} == {
        "Gia": (None, None, None), ANONYMOUS: (None, None, None), "Ike": (None, None, None)
    }
    assert all(row.behaviour is None for row in board(engine, metric=Metric.goal, period=Period.this_week).ranked)


def test_most_improved_rows_carry_the_scores_before_and_after_except_an_anonymous_colleagues(
    engine: Engine, tmp_path: Path
) -> None:
    baseline_day = datetime(2026, 11, 13, tzinfo=UTC)
    load(engine, tmp_path, [
        *people("ivy", "sam", "sid"),
        *calls("ivy", baseline_day, 5, 5, 5, 5, 5), *calls("ivy", MONDAY, 7, 7, 7, 7, 7),
        *calls("sam", baseline_day, 9, 9, 9, 9, 9), *calls("sam", MONDAY, 9, 9, 9, 9, 9),
        *calls("sid", baseline_day, 8, 8, 8, 8, 8), *calls("sid", MONDAY, 6, 6, 6, 6, 6),
    ])
    set_opt_out(engine, agent_id="sid", anonymous=True)

    to_ivy = board(engine, metric=Metric.improved, period=Period.this_week, viewer_id="ivy")

    assert behind(to_ivy) == {
        "Ivy": (None, pytest.approx(0.5), pytest.approx(0.7)),
        "Sam": (None, pytest.approx(0.9), pytest.approx(0.9)),
        ANONYMOUS: (None, None, None),
    }
    assert all(row.after - row.before == pytest.approx(row.value) for row in to_ivy.ranked if row.before is not None)
    to_sid = board(engine, metric=Metric.improved, period=Period.this_week, viewer_id="sid")
    assert behind(to_sid)["Sid"] == (None, pytest.approx(0.8), pytest.approx(0.6))
    assert all(row.before is None for row in board(engine, metric=Metric.quality, period=Period.this_week).ranked)


@pytest.mark.parametrize("through", ["login", "owner"])
def test_a_colleagues_goal_behaviour_changes_nothing_an_agent_reads_of_the_board(
    pg_url: str, tmp_path: Path, through: str
) -> None:
    """Probe: the board an agent reads with a colleague on goal k0 equals the one with that colleague on k1."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    from nextcall.store.db import make_engine
    from nextcall.store.privacy import grant_agent
    from tests.conftest import _pg_admin_dsn

    owner = make_engine(pg_url)
    login = f"gia.{uuid.uuid4().hex[:8]}"
    try:
        before = datetime(2026, 11, 10, 9, tzinfo=UTC)
        records = people("gia", "hal")
        # Hal's k0 and k1 went alike, so which is his goal changes no figure: only the behaviour differs.
        for i, s in enumerate("++++------"):
            records.append(on_goal("gia", before + timedelta(hours=i), "met" if s == "+" else "missed"))
            records.append(f.evaluation(
                call_id=f"C-{next(_call_ids)}", agent="hal", scorecard="lb", occurred_at=(before + timedelta(hours=i)).isoformat(),
                results=[f.result("k0", "met" if s == "+" else "missed"), f.result("k1", "met" if s == "+" else "missed")],
            ))
        load(owner, tmp_path, records)
        for agent in ("gia", "hal"):
            start_goal(owner, agent_id=agent, criterion_key="k0", now=datetime(2026, 11, 20, tzinfo=UTC))
        load(owner, tmp_path, [
            *(on_goal("gia", MONDAY + timedelta(hours=i), "met") for i in range(4)),
            *(f.evaluation(
                call_id=f"C-{next(_call_ids)}", agent="hal", scorecard="lb", occurred_at=(MONDAY + timedelta(hours=i)).isoformat(),
                results=[f.result("k0", o), f.result("k1", o)],
            ) for i, o in enumerate(["met", "met", "missed", "met"])),
        ])
        grant_agent(owner, "gia", login=login)
        with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute("UPDATE nextcall_access.board_rules SET clock = %s, time_zone = 'UTC', min_calls = 3", (NOW,))
        reader = make_engine(make_url(pg_url).set(username=login).render_as_string(hide_password=False)) if through == "login" else owner

        def read() -> list[LeaderboardView]:
            return [
                leaderboard(reader, metric=metric, period=period, team_id=team, viewer_id="gia", now=NOW, zone=UTC, min_calls=3)
                for metric in (Metric.goal, Metric.improved, Metric.quality)
                for period in Period
                for team in (None, "falcons")
            ]

        def hals_goal_on(key: str) -> None:
            with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as admin:
                admin.execute(
                    "UPDATE nextcall.goal SET criterion_id = (SELECT id FROM nextcall.criterion WHERE key = %s "
                    "AND scorecard_id = 'lb') WHERE agent_id = 'hal'",
                    (key,),
                )

        on_k0 = read()
        hals_goal_on("k1")
        on_k1 = read()

        assert repr(on_k0) == repr(on_k1)
        goal_board = on_k0[0]
        assert [row.name for row in goal_board.ranked] == ["Gia", "Hal"]  # Hal is ranked, by name, on his goal
        assert (goal_board.ranked[0].behaviour, goal_board.ranked[1].behaviour) == ("K0", None)
        assert (goal_board.ranked[1].before, goal_board.ranked[1].after) == (None, None)
        # Not a probe that can say nothing: the viewer's own goal moving to k1 shows on her own row.
        with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(
                "UPDATE nextcall.goal SET criterion_id = (SELECT id FROM nextcall.criterion WHERE key = 'k1' "
                "AND scorecard_id = 'lb') WHERE agent_id = 'gia'"
            )
        assert read()[0].ranked[0].behaviour != "K0"
        if reader is not owner:
            reader.dispose()
    finally:
        owner.dispose()
        with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,))
            admin.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(login)))


# ------------------------------------------------------------------ reads


@pytest.mark.parametrize("metric", [Metric.quality, Metric.improved, Metric.points])
def test_everyones_board_reads_calls_and_scores_from_the_time_index_alone(
    sqlite_url: str, tmp_path: Path, metric: Metric
) -> None:
    """A period's calls of everyone, grouped by agent with their scores, come from the index on call time:
    no call is looked up in the table (at 5,000 agents, 216,000 lookups a period)."""
    from sqlalchemy import event

    from nextcall.store.db import open_store

    engine = open_store(sqlite_url)
    load(engine, tmp_path, [*people("ana", "ben"), *calls("ana", MONDAY, 8, 9), *calls("ben", LAST_MONDAY, 7)])
    statements: list[tuple[str, Any]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "FROM evaluation" in statement and "GROUP BY evaluation.agent_id" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        view = board(engine, metric=metric, period=Period.last_30_days, min_calls=1)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [row.name for row in view.ranked + view.unranked] and statements
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = " | ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "USING COVERING INDEX ix_evaluation_occurred" in plan, plan
    engine.dispose()
