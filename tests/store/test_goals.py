"""Goals in the store: starting, dropping, and progress derived afresh from imported evaluations.

Each test runs on a real SQLite file and on PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from nextcall.store.goals import GoalError, drop_goal, start_goal
from nextcall.store.importer import import_files
from nextcall.store.models import Goal
from nextcall.store import queries
from nextcall.store.queries import goal_screen_view, goal_view, home_view
from nextcall.store.views import GoalView
from tests import factories as f

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(n: float) -> datetime:
    """The time of call `n`: one an hour from T0 (negative n is before it)."""
    return T0 + timedelta(hours=n)


def call(n: int, *, csat: int | None = 4, fcr: bool | None = True, **outcomes: str) -> dict[str, Any]:
    """An evaluation of call `n` with a result per named behaviour (the others count as `na`)."""
    return f.evaluation(
        call_id=f"C-{1000 + n}",
        occurred_at=at(n).isoformat(),
        csat=csat,
        first_contact_resolution=fcr,
        results=[f.result(key, outcome) for key, outcome in outcomes.items()],
    )


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    name = f"batch-{len(list(tmp_path.glob('batch-*.jsonl')))}.jsonl"
    import_files(engine, [f.write_jsonl(tmp_path / name, records)])


def goal_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Goal)).one()


def current(engine: Engine) -> GoalView:
    screen = goal_screen_view(engine, agent_id="a.khan")
    assert screen is not None and screen.current is not None
    return screen.current


def started(engine: Engine, tmp_path: Path, key: str = "confirm_need") -> int:
    """An agent with one scored call before T0, and a goal on `key` started at T0."""
    load(engine, tmp_path, [*f.basics(), call(-1, confirm_need="missed", greeting="met")])
    return start_goal(engine, agent_id="a.khan", criterion_key=key, now=T0)


# ------------------------------------------------------------- start and drop


def test_the_baseline_is_the_ten_applicable_calls_before_the_start(engine: Engine, tmp_path: Path) -> None:
    outcomes = (
        ["missed"] * 4  # calls 0–3: older than the ten
        + ["met", "met", "na", "missed", "met", "met", "na", "missed", "met", "met", "missed", "met"]  # 4–15
    )
    records = [call(n, confirm_need=outcome) for n, outcome in enumerate(outcomes)]
    records.append(call(16, confirm_need="missed"))  # after the start
    load(engine, tmp_path, [*f.basics(), *records])

    now = at(15.5)
    goal_id = start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=now)

    goal = goal_view(engine, goal_id=goal_id)
    assert goal is not None
    assert (goal.baseline_met, goal.baseline_applicable) == (7, 10)
    assert goal.baseline_rate == pytest.approx(0.7)
    assert (goal.criterion.key, goal.status, goal.started_at, goal.ended_at) == ("confirm_need", "active", now, None)
    assert (goal.target_met, goal.target_window) == (8, 10)


def test_only_one_goal_is_active_at_a_time(engine: Engine, tmp_path: Path) -> None:
    goal_id = started(engine, tmp_path)

    with pytest.raises(GoalError, match="Drop it first"):
        start_goal(engine, agent_id="a.khan", criterion_key="greeting", now=at(1))

    assert goal_count(engine) == 1
    screen = goal_screen_view(engine, agent_id="a.khan")
    assert screen is not None and screen.current is not None
    assert (screen.current.id, screen.current.criterion.key, screen.current.status) == (goal_id, "confirm_need", "active")
    assert screen.history == ()


def test_a_dropped_goal_goes_to_history_with_its_reason(engine: Engine, tmp_path: Path) -> None:
    first = started(engine, tmp_path)

    drop_goal(engine, agent_id="a.khan", reason="Working on verification first", now=at(2))
    second = start_goal(engine, agent_id="a.khan", criterion_key="greeting", now=at(3))

    screen = goal_screen_view(engine, agent_id="a.khan")
    assert screen is not None and screen.current is not None
    assert (screen.current.id, screen.current.criterion.key, screen.current.status) == (second, "greeting", "active")
    [dropped] = screen.history
    assert (dropped.id, dropped.criterion.key, dropped.status) == (first, "confirm_need", "dropped")
    assert (dropped.drop_reason, dropped.ended_at) == ("Working on verification first", at(2))


def test_a_goal_on_an_unknown_behaviour_is_refused(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), call(0, confirm_need="met")])

    with pytest.raises(GoalError, match="'small_talk' is not a behaviour"):
        start_goal(engine, agent_id="a.khan", criterion_key="small_talk", now=at(1))

    assert goal_count(engine) == 0


def test_an_agent_with_no_evaluations_cannot_start_a_goal(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, f.basics())

    with pytest.raises(GoalError, match="no scored calls yet"):
        start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=at(1))

    assert goal_count(engine) == 0


# ---------------------------------------------------- progress follows imports

# Twenty applicable calls after T0 (and one where the behaviour did not apply): the first window
# is met on exactly 8 of 10 (calls 3 and 7 missed), the second on 10 of 10.
FIRST_WINDOW = {n: ("missed" if n in (3, 7) else "met") for n in range(1, 11)}
SECOND_WINDOW = {n: "met" for n in range(12, 22)}


def mastering_history() -> list[dict[str, Any]]:
    return [
        *(call(n, confirm_need=o) for n, o in FIRST_WINDOW.items()),
        call(11, confirm_need="na"),
        *(call(n, confirm_need=o) for n, o in SECOND_WINDOW.items()),
    ]


def test_a_goal_is_mastered_once_the_target_holds_twice_and_a_rescore_takes_it_back(
    engine: Engine, tmp_path: Path
) -> None:
    goal_id = started(engine, tmp_path)
    *before_last, last = mastering_history()

    load(engine, tmp_path, before_last)
    goal = current(engine)
    assert (goal.status, goal.applicable, goal.mastered_at) == ("active", 19, None)

    load(engine, tmp_path, [last])
    goal = current(engine)
    assert (goal.id, goal.status, goal.applicable, goal.mastered_at) == (goal_id, "mastered", 20, at(21))
    assert (goal.met_in_window, goal.in_window) == (10, 10)

    # Call 5 re-scored as missed: the first window now holds 7 of 10, below the target.
    load(engine, tmp_path, [call(5, confirm_need="missed")])
    goal = current(engine)
    assert (goal.id, goal.status, goal.applicable, goal.mastered_at) == (goal_id, "active", 20, None)
    assert goal_view(engine, goal_id=goal_id).status == "active"  # type: ignore[union-attr]


def test_starting_the_next_goal_closes_a_mastered_one_as_mastered(engine: Engine, tmp_path: Path) -> None:
    first = started(engine, tmp_path)
    load(engine, tmp_path, mastering_history())

    second = start_goal(engine, agent_id="a.khan", criterion_key="greeting", now=at(30))

    screen = goal_screen_view(engine, agent_id="a.khan")
    assert screen is not None and screen.current is not None
    assert (screen.current.id, screen.current.criterion.key, screen.current.status) == (second, "greeting", "active")
    [mastered] = screen.history
    assert (mastered.id, mastered.criterion.key, mastered.status) == (first, "confirm_need", "mastered")
    assert mastered.ended_at == at(21)  # the call that made it stick, not when the next goal started
    assert mastered.mastered_at == at(21)
    assert mastered.applicable == 20
    with Session(engine) as session:
        stored = session.get(Goal, first)
        assert stored is not None
        assert (stored.status, stored.ended_at) == ("mastered", at(21))


def test_home_focus_is_the_goal_while_active_then_the_next_suggestion(engine: Engine, tmp_path: Path) -> None:
    # Before the goal: confirm_need missed on all 10 calls, greeting once; verify never missed.
    before = [
        call(n - 10, greeting="missed" if n == 4 else "met", verify="met", confirm_need="missed") for n in range(10)
    ]
    load(engine, tmp_path, [*f.basics(), *before])
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=T0)
    load(engine, tmp_path, [call(n, greeting="met", verify="met", confirm_need="met") for n in range(1, 11)])

    home = home_view(engine, agent_id="a.khan")
    assert home is not None and home.focus is not None and home.goal is not None
    assert (home.focus.criterion.key, home.focus.from_goal) == ("confirm_need", True)
    assert home.focus.reason.startswith("met on 10 of your last 10 calls where it applied")
    assert home.goal.status == "active"

    load(engine, tmp_path, [call(n, greeting="met", verify="met", confirm_need="met") for n in range(11, 21)])

    home = home_view(engine, agent_id="a.khan")
    assert home is not None and home.focus is not None and home.goal is not None
    assert home.goal.status == "mastered"
    # confirm_need still has the most misses in the last 30 calls, but it is the goal just landed.
    assert (home.focus.criterion.key, home.focus.from_goal) == ("greeting", False)
    assert home.focus.reason.startswith("Missed on 1 of your last 30 calls where it applied")


def test_effectiveness_counts_calls_before_and_after_the_start(engine: Engine, tmp_path: Path) -> None:
    before = [
        call(-6, csat=2, fcr=False, confirm_need="missed"),
        call(-5, csat=2, fcr=False, confirm_need="met"),
        call(-4, csat=None, fcr=None, confirm_need="na"),
        call(-3, csat=3, fcr=True, confirm_need="missed"),
        call(-2, csat=3, fcr=False, confirm_need="missed"),
        call(-1, csat=5, fcr=True, confirm_need="met"),
    ]
    after = [
        call(1, csat=4, fcr=True, confirm_need="met"),
        call(2, csat=5, fcr=True, confirm_need="met"),
        call(3, csat=5, fcr=True, confirm_need="met"),
        call(4, csat=4, fcr=False, confirm_need="missed"),
        call(5, csat=5, fcr=True, confirm_need="met"),
    ]
    load(engine, tmp_path, [*f.basics(), *before])
    goal_id = start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=T0)
    load(engine, tmp_path, after[:4])

    goal = goal_view(engine, goal_id=goal_id)
    assert goal is not None
    effect = goal.effectiveness
    # One baseline: "before" is the calls the goal's baseline rests on, where the behaviour applied.
    assert (effect.before.calls, effect.before.met, effect.before.applicable) == (5, 2, 5)
    assert (goal.baseline_met, goal.baseline_applicable) == (effect.before.met, effect.before.applicable)
    assert effect.before.pass_rate == pytest.approx(0.4)
    assert effect.before.mean_csat == pytest.approx(3)  # (2 + 2 + 3 + 3 + 5) / 5
    assert effect.before.fcr_rate == pytest.approx(0.4)
    assert (effect.after.calls, effect.after.met, effect.after.applicable) == (4, 3, 4)
    assert not effect.enough  # four calls since the start, five needed

    load(engine, tmp_path, after[4:])

    effect = goal_view(engine, goal_id=goal_id).effectiveness  # type: ignore[union-attr]
    assert (effect.after.calls, effect.after.met, effect.after.applicable) == (5, 4, 5)
    assert effect.after.pass_rate == pytest.approx(0.8)
    assert effect.after.mean_csat == pytest.approx(4.6)  # (4 + 5 + 5 + 4 + 5) / 5
    assert effect.after.fcr_rate == pytest.approx(0.8)
    assert (effect.enough, effect.min_sample) == (True, 5)


def test_a_goal_set_aside_is_not_suggested_again_for_two_weeks_unless_picked(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # confirm_need is missed most, then verify.
    load(engine, tmp_path, [*f.basics(), *[call(n, confirm_need="missed", verify="missed" if n % 2 else "met") for n in range(10)]])
    dropped_at = at(20)
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=at(11))
    drop_goal(engine, agent_id="a.khan", reason="Later", now=dropped_at)

    def focus_on(day: datetime) -> str:
        monkeypatch.setattr("nextcall.store.queries.utc_now", lambda: day)
        home = home_view(engine, agent_id="a.khan")
        goals = goal_screen_view(engine, agent_id="a.khan")
        assert home is not None and home.focus is not None and goals is not None
        assert goals.suggestions[0].criterion.key == home.focus.criterion.key
        return home.focus.criterion.key

    assert focus_on(dropped_at + timedelta(days=1)) == "verify"
    assert focus_on(dropped_at + timedelta(days=13)) == "verify"
    assert focus_on(dropped_at + timedelta(days=15)) == "confirm_need"
    # Until then it is still the agent's to pick.
    monkeypatch.setattr("nextcall.store.queries.utc_now", lambda: dropped_at + timedelta(days=1))
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=dropped_at + timedelta(days=1))
    home = home_view(engine, agent_id="a.khan")
    assert home is not None and home.focus is not None and home.focus.criterion.key == "confirm_need"


def test_home_leads_with_the_last_calls_verdict_on_the_focus_and_any_critical_miss(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), *[call(n, confirm_need="missed", verify="met") for n in range(6)]])
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=at(7))
    last = call(8, confirm_need="met", verify="missed")
    last["results"] = [
        f.result("confirm_need", "met", moment_s=40, comment="Repeated the need back before the fix."),
        f.result("verify", "missed", moment_s=12, quote="Customer: just reset it"),
    ]
    load(engine, tmp_path, [last])

    home = home_view(engine, agent_id="a.khan")
    assert home is not None and home.last_verdict is not None
    verdict = home.last_verdict
    assert (verdict.call_id, verdict.outcome.value, verdict.comment) == ("C-1008", "met", "Repeated the need back before the fix.")
    assert home.critical_missed == ("Verify",)

    load(engine, tmp_path, [call(9, confirm_need="missed", verify="met")])
    home = home_view(engine, agent_id="a.khan")
    assert home is not None and home.last_verdict is not None
    assert home.last_verdict.outcome.value == "missed" and home.critical_missed == ()


@pytest.mark.parametrize("per_read", [2, queries.PAST_GOALS_PER_READ])
def test_past_goals_read_together_are_each_goal_as_read_alone(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_read: int
) -> None:
    # Goals on two scorecards, calls sharing an instant (whose order by call id and by id differ),
    # goals that end as mastered and as set aside, baselines reaching back before the first goal;
    # read a few goals at a time, and all at once.
    monkeypatch.setattr(queries, "PAST_GOALS_PER_READ", per_read)
    second = f.scorecard(id="care-v2", criteria=[f.criterion("greeting"), f.criterion("confirm_need")])
    records = [*f.basics(), second]
    outcomes = ["met", "missed", "na", "met", "missed", "met", "met", "na"]
    for n in range(48):
        record = call(n // 2, csat=n % 5 + 1, fcr=n % 3 != 0,
                      confirm_need=outcomes[n % 8], greeting=outcomes[(n * 3) % 8], verify=outcomes[(n * 5) % 8])
        record["call_id"] = f"C-{'1' if n % 2 else '9'}{n:03d}"  # at one instant, call ids and ids in other orders
        if n >= 32:
            record["scorecard"] = "care-v2"
            record["results"] = [r for r in record["results"] if r["criterion"] != "verify"]
        records.append(record)
    plans = {
        "care-v1": ((4, 7, "confirm_need"), (7.5, 9, "verify"), (9, 12.5, "greeting")),
        "care-v2": ((17, 20, "confirm_need"), (20, 22.5, "greeting")),
    }
    for scorecard, plan in plans.items():  # a goal is on the scorecard of the agent's latest call
        load(engine, tmp_path, [r for r in records if r.get("scorecard", scorecard) == scorecard])
        for start, end, key in plan:
            start_goal(engine, agent_id="a.khan", criterion_key=key, now=at(start))
            screen = goal_screen_view(engine, agent_id="a.khan")
            if screen is not None and screen.current is not None and screen.current.status != "mastered":
                drop_goal(engine, agent_id="a.khan", reason=f"past {key}", now=at(end))
    start_goal(engine, agent_id="a.khan", criterion_key="greeting", now=at(23))

    with Session(engine) as session:
        goals = queries._goals_of(session, "a.khan")
        past = [(goal, behaviour) for goal, behaviour in goals if goal.status != "active"]
        together = queries._past_goal_views(session, "a.khan", past)
        alone = [queries._goal_view(session, goal, behaviour) for goal, behaviour in past]
    assert len(past) == 5 and {behaviour.scorecard_id for _, behaviour in past} == {"care-v1", "care-v2"}
    assert any(view.effectiveness.before.calls for view in alone) and any(view.effectiveness.after.calls for view in alone)
    assert together == alone
    screen = goal_screen_view(engine, agent_id="a.khan")
    assert screen is not None and list(screen.history) == alone
