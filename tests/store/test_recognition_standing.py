"""Recognition goes on from where each agent stood, and always ends where a full recomputation ends.

An import that only adds calls newer than an agent's stored standing reads
those calls and nothing older (`RecognitionStanding`); anything else derives
the agent's recognition from the whole history. The property test builds a
large random store (months of calls, weeks up and down, critical streaks,
goals started and set aside), imports it in random batches, in order and out
of order, with re-scores, and checks every award, every day's points, when
each goal stuck and each stored standing against a store given the whole
history at once.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store import recognition
from nextcall.store.db import make_engine
from nextcall.store.goals import drop_goal, start_goal
from nextcall.store.importer import import_files
from nextcall.store.models import BadgeAward, Evaluation, Goal, PointsEntry, RecognitionStanding
from nextcall.store.rules import Target
from tests import factories as f

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
IMPORTED_AT = datetime(2026, 11, 1, tzinfo=UTC)
KEYS = ("greeting", "verify", "confirm_need")  # f.scorecard(): verify is critical


@dataclass(frozen=True)
class Plan:
    """A random contact center's history, and how it reaches the store."""

    agents: tuple[str, ...]
    calls: list[dict[str, Any]]
    """Every evaluation record in its final version, oldest first."""
    batches: list[list[dict[str, Any]]]
    """The records of each import, in the order they run (earlier versions of re-scored calls included)."""
    goals: list[tuple[int, str, str, datetime, Target, datetime | None]]
    """(after batch, agent, behaviour, started at, target, set aside at) for each goal."""


def _plan(seed: int, *, agents: int = 4, weeks: int = 16) -> Plan:
    rng = random.Random(seed)
    names = tuple(f"agent-{n}" for n in range(agents))
    calls: list[dict[str, Any]] = []
    for agent in names:
        skill = {key: rng.uniform(0.5, 0.95) for key in KEYS}
        for week in range(weeks):
            swing = rng.choice([-0.35, -0.2, 0.0, 0.0, 0.1, 0.25])  # some weeks well below, some well above
            for _ in range(rng.randint(0, 8)):
                when = T0 + timedelta(weeks=week, days=rng.randint(0, 6), hours=rng.randint(0, 9), minutes=rng.choice([0, 30]))
                outcomes = {
                    key: "na" if rng.random() < 0.1 else ("met" if rng.random() < skill[key] + swing else "missed")
                    for key in KEYS
                }
                calls.append({"agent": agent, "when": when, "outcomes": outcomes})
    calls.sort(key=lambda c: c["when"])
    records = [
        f.evaluation(
            call_id=f"C-{index:05}", agent=c["agent"], occurred_at=c["when"].isoformat(),
            results=[f.result(key, outcome) for key, outcome in c["outcomes"].items()],
        )
        for index, c in enumerate(calls)
    ]

    # Day by day, as a center imports; now and then a call arrives late, or is re-scored later.
    batches: list[list[dict[str, Any]]] = []
    day = None
    for record in records:
        if record["occurred_at"][:10] != day:
            batches.append([])
            day = record["occurred_at"][:10]
        batches[-1].append(record)
    late_share, rescore_share = rng.choice([0.0, 0.02, 0.1]), rng.choice([0.0, 0.02, 0.05])
    for b in range(len(batches) - 1):
        for record in list(batches[b]):
            if rng.random() < late_share:
                batches[b].remove(record)
                batches[rng.randint(b + 1, len(batches) - 1)].append(record)
            elif rng.random() < rescore_share:
                first = dict(record, results=[f.result(key, rng.choice(["met", "missed", "na"])) for key in KEYS])
                batches[b][batches[b].index(record)] = first
                batches[rng.randint(b + 1, len(batches) - 1)].append(record)
    batches = [batch for batch in batches if batch]
    batches[0] = [f.team(), f.scorecard(), *(f.agent(id=a, name=a.title()) for a in names), *batches[0]]

    goals = []
    for agent in names:
        first = next((
            b for b, batch in enumerate(batches)
            if any(r.get("agent") == agent and any(x["outcome"] != "na" for x in r["results"]) for r in batch)
        ), None)
        if first is not None and first < len(batches) - 1 and rng.random() < 0.75:
            window = rng.randint(3, 6)
            after = rng.randint(first, len(batches) - 2)
            started = max(
                datetime.fromisoformat(r["occurred_at"]) for batch in batches[: after + 1] for r in batch if "occurred_at" in r
            ) + timedelta(minutes=5)
            aside = started + timedelta(weeks=rng.randint(2, 6)) if rng.random() < 0.3 else None
            goals.append((after, agent, rng.choice(KEYS), started, Target(rng.randint(1, window), window), aside))
    return Plan(names, records, batches, goals)


def _store(folder: Path, template: Path, name: str) -> Engine:
    path = folder / f"{name}.db"
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}")


def _load(engine: Engine, folder: Path, name: str, records: list[dict[str, Any]]) -> None:
    import_files(engine, [f.write_jsonl(folder / f"{name}.jsonl", records)], now=IMPORTED_AT)


def _goals(engine: Engine, plan: Plan, after: int | None) -> None:
    """Start (and set aside) the goals planned after batch `after` (None: every goal, in start order)."""
    for when, agent, key, started, target, aside in sorted(plan.goals, key=lambda g: g[3]):
        if after is None or when == after:
            start_goal(engine, agent_id=agent, criterion_key=key, target=target, now=started)
            if aside is not None and after is None:
                drop_goal(engine, agent_id=agent, reason="another one first", now=aside)


def _set_aside_due(engine: Engine, plan: Plan, up_to: datetime, done: set[str]) -> None:
    for _, agent, _, _, _, aside in plan.goals:
        if aside is not None and aside <= up_to and agent not in done:
            with Session(engine) as session:
                active = session.exec(select(Goal).where(Goal.agent_id == agent, Goal.status == "active")).first()
            if active is not None:
                drop_goal(engine, agent_id=agent, reason="another one first", now=aside)
                done.add(agent)


def _by_call(standing: str, call_of: dict[int, str]) -> str:
    """A stored standing with each evaluation id replaced by its call id: ids differ from store to store."""
    data = json.loads(standing)
    for run in data["goals"]:
        run[0] = [[call_of[e], *rest] for e, *rest in run[0]]
        if run[4] is not None:
            run[4][0] = call_of[run[4][0]]
    data["earned"] = {b: [at, e if e is None else call_of[e], shown] for b, (at, e, shown) in data["earned"].items()}
    for week in [*data["weeks"], *([data["open_week"]] if data["open_week"] else [])]:
        week[3] = call_of[week[3]]  # [monday, calls, total, last call, its time]
    return json.dumps(data, sort_keys=True)


def badges_agree(engine: Engine) -> int:
    """Every agent's badges as the Badges screen reads them (stored standing while current) equal a replay of
    their whole history; returns how many were read from a stored standing (not replayed)."""
    from unittest import mock

    from nextcall.store.badges import badge_states

    stored = 0
    with Session(engine) as session:
        for agent_id in session.exec(select(Evaluation.agent_id).distinct()).all():
            replayed = badge_states(recognition.agent_history(session, agent_id))
            with mock.patch.object(recognition, "replay", wraps=recognition.replay) as replay:
                assert recognition.badge_states_now(session, agent_id) == replayed, agent_id
            stored += not replay.called
    return stored


def derived(engine: Engine) -> tuple[set[Any], set[Any], set[Any], set[Any]]:
    """Awards, points, when each goal stuck, and each agent's standing, as comparable values."""
    with Session(engine) as session:
        call_of = dict(session.exec(select(Evaluation.id, Evaluation.call_id)).all())
        awards = {
            (a.agent_id, a.badge_id, a.awarded_at, call_of.get(a.evaluation_id)) for a in session.exec(select(BadgeAward))
        }
        points = {(p.agent_id, p.day, p.source, p.points) for p in session.exec(select(PointsEntry))}
        stuck = {(g.agent_id, g.criterion_id, g.started_at, g.mastered_at) for g in session.exec(select(Goal))}
        standings = {
            (s.agent_id, s.through_at, s.through_call_id, _by_call(s.standing, call_of))
            for s in session.exec(select(RecognitionStanding))
        }
    return awards, points, stuck, standings


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_recognition_imported_day_by_day_in_any_order_equals_a_full_recomputation(
    seed: int, tmp_path: Path, sqlite_template: Path
) -> None:
    plan = _plan(seed)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    daily, whole = _store(folder, sqlite_template, "daily"), _store(folder, sqlite_template, "whole")
    try:
        set_aside: set[str] = set()
        for b, batch in enumerate(plan.batches):
            _load(daily, folder, f"day-{b}", batch)
            badges_agree(daily)
            latest = max(datetime.fromisoformat(r["occurred_at"]) for r in batch if "occurred_at" in r)
            _set_aside_due(daily, plan, latest, set_aside)
            _goals(daily, plan, b)
        # Goals set aside after the last call.
        _set_aside_due(daily, plan, datetime.max.replace(tzinfo=UTC), set_aside)

        _load(whole, folder, "whole", [*plan.batches[0][: 2 + len(plan.agents)], *plan.calls])
        _goals(whole, plan, None)

        expected = derived(whole)
        event(f"badges awarded: {len(expected[0]) // 5 * 5}+")
        got = derived(daily)
        event(f"badges read from a stored standing at the end: {badges_agree(daily)} agents")
        assert got[0] == expected[0], "awards"
        assert got[1] == expected[1], "points"
        assert got[2] == expected[2], "when goals stuck"
        assert got[3] == expected[3], "standings"
    finally:
        daily.dispose()
        whole.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def test_badges_are_replayed_while_a_standing_was_derived_with_other_scorecards(tmp_path: Path, sqlite_template: Path) -> None:
    plan = _plan(11)
    engine = _store(tmp_path, sqlite_template, "store")
    try:
        _load(engine, tmp_path, "history", [*plan.batches[0][: 2 + len(plan.agents)], *plan.calls])
        assert badges_agree(engine) == len(plan.agents)
        # A new scorecard with its own critical behaviours: no call changes, so no agent is derived again,
        # and every stored standing was derived with the scorecards before it. The Badges screen replays them.
        card = f.scorecard(id="care-v2", criteria=[f.criterion("greeting", weight=5, critical=True), f.criterion("verify")])
        _load(engine, tmp_path, "card", [card])
        assert badges_agree(engine) == 0
    finally:
        engine.dispose()


def test_the_next_days_calls_go_on_from_the_standing_without_reading_the_history(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(7)
    engine = _store(tmp_path, sqlite_template, "store")
    replayed: list[int] = []
    real_replay, real_calls = recognition.replay, recognition._calls

    def counting_replay(history: Any) -> Any:
        replayed.append(len(history.calls))
        return real_replay(history)

    read: list[list[str] | None] = []

    def counting_calls(session: Any, criteria: Any, agent_ids: Any = None, evaluation_ids: Any = None) -> Any:
        read.append(agent_ids)
        return real_calls(session, criteria, agent_ids=agent_ids, evaluation_ids=evaluation_ids)

    monkeypatch.setattr(recognition, "replay", counting_replay)
    monkeypatch.setattr(recognition, "_calls", counting_calls)
    try:
        history = plan.calls[:-40]
        _load(engine, tmp_path, "history", [*plan.batches[0][: 2 + len(plan.agents)], *history])
        assert len(replayed) == len(plan.agents)  # a first import: each agent from nothing
        replayed.clear()
        read.clear()

        _load(engine, tmp_path, "next-day", plan.calls[-40:])

        # No agent's history replayed, no agent's calls read by agent: only the new evaluations, by id.
        assert replayed == []
        assert read == [None]
        # Their badges are read from those standings too, and equal a replay of every call.
        assert badges_agree(engine) == len(plan.agents)
        latest = {r["agent"]: r["call_id"] for r in plan.calls}
        with Session(engine) as session:
            assert {s.agent_id: s.through_call_id for s in session.exec(select(RecognitionStanding))} == latest

        # A call older than the standing (a late one) derives that agent afresh.
        late = dict(plan.calls[-41], call_id="C-late", occurred_at=(T0 - timedelta(days=3)).isoformat())
        _load(engine, tmp_path, "late", [late])
        assert len(replayed) == 1
    finally:
        engine.dispose()
    whole, daily = _store(tmp_path, sqlite_template, "whole"), make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        _load(whole, tmp_path, "whole", [*plan.batches[0][: 2 + len(plan.agents)], *plan.calls, late])
        assert derived(daily) == derived(whole)
    finally:
        whole.dispose()
        daily.dispose()


def test_a_standing_stored_by_earlier_rules_is_replayed_and_stored_anew(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standings of version 1 kept every score of a week; an import after an upgrade replays those agents
    from their history (never reads the old shape as the new) and stores their standings in the new one."""
    plan = _plan(7)
    engine = _store(tmp_path, sqlite_template, "store")
    replayed: list[int] = []
    real_replay = recognition.replay
    monkeypatch.setattr(recognition, "replay", lambda history: replayed.append(1) or real_replay(history))
    try:
        _load(engine, tmp_path, "history", [*plan.batches[0][: 2 + len(plan.agents)], *plan.calls[:-40]])
        with engine.begin() as connection:
            table = RecognitionStanding.__table__
            for agent_id, text in connection.execute(select(table.c.agent_id, table.c.standing)).all():
                old = json.loads(text)
                old["version"] = 1
                for week in [*old["weeks"], *([old["open_week"]] if old["open_week"] else [])]:
                    ordinal, calls, total, *last = week
                    week[:] = [date.fromordinal(ordinal).isoformat(), [total / calls] * calls, *last]
                connection.execute(table.update().where(table.c.agent_id == agent_id).values(standing=json.dumps(old)))
        replayed.clear()

        _load(engine, tmp_path, "next-day", plan.calls[-40:])

        agents_with_new_calls = {r["agent"] for r in plan.calls[-40:]}
        assert len(replayed) == len(agents_with_new_calls)
        with Session(engine) as session:
            versions = {s.agent_id: json.loads(s.standing)["version"] for s in session.exec(select(RecognitionStanding))}
        assert {a for a, v in versions.items() if v == 2} >= agents_with_new_calls
        assert badges_agree(engine) >= len(agents_with_new_calls)
    finally:
        engine.dispose()
    whole, upgraded = _store(tmp_path, sqlite_template, "whole"), make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        _load(whole, tmp_path, "whole", [*plan.batches[0][: 2 + len(plan.agents)], *plan.calls])
        got, expected = derived(upgraded), derived(whole)
        assert got[:3] == expected[:3]
        standings_of = {s[0]: s for s in got[3]}
        assert {standings_of[s[0]] for s in expected[3] if s[0] in agents_with_new_calls} == {
            s for s in expected[3] if s[0] in agents_with_new_calls
        }
    finally:
        whole.dispose()
        upgraded.dispose()
