"""Badge awards and points in the store: kept equal to a full recomputation on every import and goal change.

The example tests run on a real SQLite file and on PostgreSQL (the `engine`
fixture). The property test runs on SQLite only, for speed: two fresh stores
per example, one fed the history incrementally, one all at once.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from nextcall.store.db import make_engine
from nextcall.store.goals import drop_goal, start_goal
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.models import BadgeAward, Evaluation, PointsEntry
from nextcall.store.rules import Target
from tests import factories as f

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
KEYS = ("greeting", "verify", "confirm_need")  # f.scorecard(): verify is critical

Award = tuple[str, str, datetime, str | None]
"""(agent, badge_id, awarded_at, call_id of the evaluation that earned it)."""
Points = tuple[str, date, str, int]
"""(agent, day, source, points)."""


def day(n: int) -> datetime:
    """Call time on day `n` after T0, at the same hour."""
    return T0 + timedelta(days=n)


def call(n: int, when: datetime | None = None, *, agent: str = "a.khan", **outcomes: str) -> dict[str, Any]:
    """Evaluation C-{1000 + n}, with a result per named behaviour (the others count as `na`)."""
    return f.evaluation(
        call_id=f"C-{1000 + n}",
        agent=agent,
        occurred_at=(when or day(n)).isoformat(),
        results=[f.result(key, outcome) for key, outcome in outcomes.items()],
    )


def load(engine: Engine, folder: Path, records: list[dict[str, Any]]) -> ImportSummary:
    name = f"batch-{len(list(folder.glob('batch-*.jsonl')))}.jsonl"
    return import_files(engine, [f.write_jsonl(folder / name, records)])


def awards(engine: Engine) -> set[Award]:
    with Session(engine) as session:
        rows = session.exec(
            select(BadgeAward.agent_id, BadgeAward.badge_id, BadgeAward.awarded_at, Evaluation.call_id).join(
                Evaluation, col(Evaluation.id) == BadgeAward.evaluation_id, isouter=True
            )
        ).all()
    return {tuple(row) for row in rows}  # type: ignore[misc]


def points(engine: Engine) -> set[Points]:
    with Session(engine) as session:
        rows = session.exec(select(PointsEntry.agent_id, PointsEntry.day, PointsEntry.source, PointsEntry.points)).all()
    return {tuple(row) for row in rows}  # type: ignore[misc]


def stored_rows(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every column of every award and points row, ids included."""
    with Session(engine) as session:
        award_rows = session.exec(select(BadgeAward).order_by(BadgeAward.id)).all()
        point_rows = session.exec(select(PointsEntry).order_by(PointsEntry.id)).all()
        return (
            [(a.id, a.agent_id, a.badge_id, a.awarded_at, a.evaluation_id) for a in award_rows],
            [(p.id, p.agent_id, p.day, p.source, p.points, p.evaluation_id) for p in point_rows],
        )


def evaluation_id(engine: Engine, call_id: str) -> int | None:
    with Session(engine) as session:
        return session.exec(select(Evaluation.id).where(Evaluation.call_id == call_id)).one()


def with_goal(engine: Engine, folder: Path, key: str = "confirm_need") -> None:
    """An agent with one scored call the day before T0, and a goal on `key` started at T0."""
    load(engine, folder, [*f.basics(), call(0, day(-1), greeting="met", confirm_need="missed")])
    start_goal(engine, agent_id="a.khan", criterion_key=key, now=T0)


def goal_points(*days: int) -> set[Points]:
    return {("a.khan", day(n).date(), "goal_behaviour", 10) for n in days}


def badge_points(*days: int) -> set[Points]:
    return {("a.khan", day(n).date(), "badge", 25) for n in days}


# ------------------------------------------------------------------ examples


def test_awards_record_the_evaluation_that_earned_them(engine: Engine, tmp_path: Path) -> None:
    with_goal(engine, tmp_path)
    records = [call(n, confirm_need="met") for n in (1, 2, 4, 5, 6)]
    records.insert(2, call(3, greeting="met", verify="met", confirm_need="met"))  # a perfect call

    summary = load(engine, tmp_path, records)

    assert awards(engine) == {
        ("a.khan", "perfect_call", day(3), "C-1003"),
        ("a.khan", "on_a_roll", day(5), "C-1005"),
    }
    assert set(summary.new_badges) == {("a.khan", "perfect_call"), ("a.khan", "on_a_roll")}
    with Session(engine) as session:
        by_badge = {a.badge_id: a.evaluation_id for a in session.exec(select(BadgeAward))}
    assert by_badge == {"perfect_call": evaluation_id(engine, "C-1003"), "on_a_roll": evaluation_id(engine, "C-1005")}
    assert points(engine) == goal_points(1, 2, 3, 4, 5, 6) | badge_points(3, 5)


def test_starting_a_goal_awards_what_the_calls_since_already_earned(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), call(0, day(-1), confirm_need="missed"),
                            *(call(n, confirm_need="met") for n in range(1, 6))])
    assert awards(engine) == set()
    assert points(engine) == set()

    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=T0)

    assert awards(engine) == {("a.khan", "on_a_roll", day(5), "C-1005")}
    assert points(engine) == goal_points(1, 2, 3, 4, 5) | badge_points(5)

    drop_goal(engine, agent_id="a.khan", now=day(7))

    assert awards(engine) == {("a.khan", "on_a_roll", day(5), "C-1005")}
    assert points(engine) == goal_points(1, 2, 3, 4, 5) | badge_points(5)


def test_a_rescore_that_breaks_a_streak_revokes_the_award_quietly_and_points_follow(
    engine: Engine, tmp_path: Path
) -> None:
    with_goal(engine, tmp_path)
    load(engine, tmp_path, [call(n, confirm_need="met") for n in range(1, 6)])
    assert awards(engine) == {("a.khan", "on_a_roll", day(5), "C-1005")}
    assert points(engine) == goal_points(1, 2, 3, 4, 5) | badge_points(5)

    summary = load(engine, tmp_path, [call(3, confirm_need="missed")])

    assert (summary.evaluations.changed, summary.new_badges) == (1, [])
    assert awards(engine) == set()
    assert points(engine) == goal_points(1, 2, 4, 5)

    summary = load(engine, tmp_path, [call(3, confirm_need="met")])  # the dispute settled the other way

    assert summary.new_badges == [("a.khan", "on_a_roll")]
    assert awards(engine) == {("a.khan", "on_a_roll", day(5), "C-1005")}
    assert points(engine) == goal_points(1, 2, 3, 4, 5) | badge_points(5)


def test_a_rescore_moves_an_award_to_the_call_that_now_earns_it(engine: Engine, tmp_path: Path) -> None:
    with_goal(engine, tmp_path)
    load(engine, tmp_path, [call(n, confirm_need="met") for n in range(1, 8)])
    assert awards(engine) == {("a.khan", "on_a_roll", day(5), "C-1005")}

    summary = load(engine, tmp_path, [call(2, confirm_need="missed")])  # the run is now calls 3–7

    assert summary.new_badges == []  # not new: the same badge, earned later
    assert awards(engine) == {("a.khan", "on_a_roll", day(7), "C-1007")}
    assert points(engine) == goal_points(1, 3, 4, 5, 6, 7) | badge_points(7)


def test_a_rescore_of_another_behaviour_leaves_recognition_as_it_was(engine: Engine, tmp_path: Path) -> None:
    with_goal(engine, tmp_path)
    load(engine, tmp_path, [call(n, confirm_need="met") for n in range(1, 6)])
    before = stored_rows(engine)

    load(engine, tmp_path, [call(4, confirm_need="met", greeting="missed")])

    assert stored_rows(engine) == before


def test_importing_the_same_file_twice_leaves_awards_and_points_identical(engine: Engine, tmp_path: Path) -> None:
    with_goal(engine, tmp_path)
    records = [call(n, confirm_need="met", greeting="met", verify="met") for n in range(1, 9)]
    path = f.write_jsonl(tmp_path / "calls.jsonl", records)
    first = import_files(engine, [path])
    after_first = stored_rows(engine)
    assert {badge for _, _, badge, _, _ in after_first[0]} == {"perfect_call", "on_a_roll"}
    assert after_first[1]

    again = import_files(engine, [path])

    assert (again.evaluations.unchanged, again.new_badges) == (8, [])
    assert len(first.new_badges) == 2
    assert stored_rows(engine) == after_first


def test_calls_at_the_same_instant_earn_the_same_award_whatever_order_they_arrived_in(
    tmp_path: Path, sqlite_template: Path
) -> None:
    # Two perfect calls stamped with the same minute: which one earned the badge
    # must not depend on which arrived first.
    first, second = (call(n, T0, greeting="met", verify="met", confirm_need="met") for n in (1, 2))
    earned_by = []
    for name, batches in {
        "one file": [[*f.basics(), first, second]],
        "one file, reversed": [[*f.basics(), second, first]],
        "second, then first": [[*f.basics(), second], [first]],
    }.items():
        folder = tmp_path / name
        folder.mkdir()
        engine = _fresh_store(folder, sqlite_template, "store")
        try:
            for records in batches:
                load(engine, folder, records)
            earned_by.append(awards(engine))
        finally:
            engine.dispose()

    assert len(earned_by[0]) == 1
    assert earned_by[1] == earned_by[0]
    assert earned_by[2] == earned_by[0]


# ------------------------------------------------------ incremental == full

MOSTLY_MET = ("met",) * 8 + ("missed", "na")
MIXED = ("met", "met", "missed", "na")


@dataclass(frozen=True)
class Call:
    call_id: str
    agent: str
    occurred_at: datetime
    versions: tuple[dict[str, str], ...]
    """Its outcomes as first scored, then each re-score; the last is the final version."""


@dataclass(frozen=True)
class GoalPlan:
    agent: str
    key: str
    started_at: datetime
    target: Target
    after_batch: int
    """Started (incrementally) once this batch is imported."""


@dataclass(frozen=True)
class Scenario:
    agents: tuple[str, ...]
    calls: tuple[Call, ...]
    batches: tuple[tuple[tuple[int, int], ...], ...]
    """Each batch: (call index, version) pairs, a call at most once per batch, versions in order."""
    goals: tuple[GoalPlan, ...]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    agents = draw(st.sampled_from([("a.khan",), ("a.khan", "b.lee")]))
    pool = draw(st.sampled_from([MOSTLY_MET, MIXED]))
    outcome = st.sampled_from(pool)
    outcomes = st.fixed_dictionaries({key: outcome for key in KEYS})
    count = draw(st.integers(1, 30))
    calls: list[Call] = []
    placed: list[tuple[int, int, int]] = []  # (batch number, call index, version)
    for i in range(count):
        calls.append(
            Call(
                f"C-{i:03}",
                draw(st.sampled_from(agents)),
                T0 + timedelta(days=draw(st.integers(0, 20)), hours=draw(st.integers(0, 9))),
                tuple(draw(st.lists(outcomes, min_size=1, max_size=3))),
            )
        )
        # First scored in some batch; each re-score in a later one.
        number = draw(st.integers(0, 5))
        for version in range(len(calls[-1].versions)):
            number += draw(st.integers(1, 3)) if version else 0
            placed.append((number, i, version))
    numbers = sorted({number for number, _, _ in placed})
    batches = [[(i, version) for n, i, version in placed if n == number] for number in numbers]

    goals = []
    for agent in agents:
        first = next((b for b, batch in enumerate(batches) if any(calls[i].agent == agent for i, _ in batch)), None)
        if first is None or not draw(st.booleans()):
            continue
        window = draw(st.integers(1, 4))
        goals.append(
            GoalPlan(
                agent,
                draw(st.sampled_from(KEYS)),
                T0 + timedelta(days=draw(st.integers(-1, 20)), hours=draw(st.integers(0, 9)), minutes=30),
                Target(draw(st.integers(1, window)), window),
                draw(st.integers(first, len(batches) - 1)),
            )
        )
    return Scenario(agents, tuple(calls), tuple(tuple(b) for b in batches), tuple(goals))


def _basics(agents: tuple[str, ...]) -> list[dict[str, Any]]:
    return [f.team(), f.scorecard(), *(f.agent(id=agent, name=agent.title()) for agent in agents)]


def _record(c: Call, version: int) -> dict[str, Any]:
    return f.evaluation(
        call_id=c.call_id,
        agent=c.agent,
        occurred_at=c.occurred_at.isoformat(),
        results=[f.result(key, outcome) for key, outcome in c.versions[version].items()],
    )


def _start(engine: Engine, plan: GoalPlan) -> None:
    start_goal(engine, agent_id=plan.agent, criterion_key=plan.key, target=plan.target, now=plan.started_at)


def _fresh_store(folder: Path, template: Path, name: str) -> Engine:
    path = folder / f"{name}.db"
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}")


ALL_MET = {key: "met" for key in KEYS}
TWO_PERFECT_CALLS_AT_ONE_INSTANT = Scenario(
    agents=("a.khan",),
    calls=(Call("C-000", "a.khan", T0, (ALL_MET,)), Call("C-001", "a.khan", T0, (ALL_MET,))),
    batches=(((1, 0),), ((0, 0),)),  # C-001 arrives first
    goals=(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(scenario=scenarios())
@example(scenario=TWO_PERFECT_CALLS_AT_ONE_INSTANT)
def test_recognition_imported_incrementally_equals_a_full_recomputation(
    scenario: Scenario, tmp_path: Path, sqlite_template: Path
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    incremental = _fresh_store(folder, sqlite_template, "incremental")
    full = _fresh_store(folder, sqlite_template, "full")
    try:
        for b, batch in enumerate(scenario.batches):
            records = [_record(scenario.calls[i], v) for i, v in batch]
            if b == 0:
                records = _basics(scenario.agents) + records
            import_files(incremental, [f.write_jsonl(folder / f"incremental-{b}.jsonl", records)])
            for plan in scenario.goals:
                if plan.after_batch == b:
                    _start(incremental, plan)

        final = [_record(c, len(c.versions) - 1) for c in scenario.calls]
        import_files(full, [f.write_jsonl(folder / "full.jsonl", [*_basics(scenario.agents), *final])])
        for plan in scenario.goals:
            _start(full, plan)

        expected_awards, expected_points = awards(full), points(full)
        event(f"badges awarded: {len(expected_awards)}")
        assert awards(incremental) == expected_awards
        assert points(incremental) == expected_points
    finally:
        incremental.dispose()
        full.dispose()
        shutil.rmtree(folder, ignore_errors=True)
