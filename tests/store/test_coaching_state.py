"""One coaching truth: Home, the Goal screen, the leaderboard's line and the coach's brief give one instruction.

Random histories of calls and random goal starts and drops (some goals stick,
some are set aside, some never get going): whatever happened, every place
that says "on your next call" says the same thing, from the one coaching
state in the store.
"""

from __future__ import annotations

from dataclasses import replace

import shutil
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from nextcall.store.db import make_engine
from nextcall.store.goals import GoalError, drop_goal, start_goal
from nextcall.store.importer import import_files
from nextcall.store.leaderboard import leaderboard
from nextcall.store.prep import md, prep_brief
from nextcall.store import queries
from nextcall.store.queries import coaching_state, goal_screen_view, home_view
from nextcall.store.rules import Target
from tests import factories as f

KEYS = ("greet", "verify", "confirm", "close")
START = datetime(2026, 9, 1, 9, tzinfo=UTC)
OUTCOMES = st.sampled_from(["met", "met", "missed", "na"])

calls = st.lists(st.fixed_dictionaries({key: OUTCOMES for key in KEYS}), min_size=0, max_size=40)
steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.one_of(st.sampled_from(KEYS), st.none())), max_size=5
)
"""After call N: start a goal on a behaviour, or (None) set the current one aside."""


def history(outcomes: list[dict[str, str]]) -> list[dict]:
    records = [
        f.team(),
        f.scorecard(criteria=[f.criterion(key, next_call=f"Do {key} on the next call.") for key in KEYS]),
        f.agent(),
        f.agent(id="b.lee", name="Bo Lee"),
    ]
    for n, results in enumerate(outcomes):
        for agent in ("a.khan", "b.lee"):
            records.append(f.evaluation(
                call_id=f"C-{agent}-{n}", agent=agent, occurred_at=(START + timedelta(hours=n)).isoformat(),
                results=[f.result(key, outcome) for key, outcome in results.items()],
            ))
    return records


def said_everywhere(engine: Engine, now: datetime) -> dict[str, tuple[str, str] | None]:
    """The focus and its instruction, as each place that shows it says it."""
    home = home_view(engine, agent_id="a.khan")
    goals = goal_screen_view(engine, agent_id="a.khan")
    state = coaching_state(engine, agent_id="a.khan")
    board = leaderboard(engine, viewer_id="a.khan", team_id=None, now=now, zone=UTC)
    # A board asked for the viewer's place only is the same board, without the instruction.
    place_only = leaderboard(engine, viewer_id="a.khan", team_id=None, now=now, zone=UTC, next_call=False)
    assert place_only.viewer_goal is None and replace(place_only, viewer_goal=board.viewer_goal) == board
    assert home is not None and goals is not None and goals.state is not None and state is not None
    brief = prep_brief(engine, agent_id="a.khan", now=now)
    in_brief = [line.removeprefix("On their next call: ") for line in brief.splitlines() if line.startswith("On their next call: ")]
    return {
        "home": (home.focus.criterion.name, home.focus.criterion.next_call) if home.focus else None,
        "goal screen": goals.state.next_call,
        "coaching state": state.next_call,
        "leaderboard": board.viewer_goal,
        "prep": (state.next_call[0], in_brief[0]) if in_brief and state.next_call else None,
    }


def baseline_everywhere(engine: Engine, now: datetime) -> dict[str, tuple[int, int]]:
    """The current goal's "before", as each place that shows it says it (nothing without a goal or a baseline)."""
    goals = goal_screen_view(engine, agent_id="a.khan")
    assert goals is not None
    goal = goals.current
    if goal is None or not goal.baseline_applicable:
        return {}
    brief = prep_brief(engine, agent_id="a.khan", now=now)
    card = f"met on {goal.baseline_met} of the latest {goal.baseline_applicable} calls"
    table = f"| Behaviour met | {goal.baseline_met} of {goal.baseline_applicable} ("
    return {
        "goal": (goal.baseline_met, goal.baseline_applicable),
        "did it work": (goal.effectiveness.before.met, goal.effectiveness.before.applicable),
        "prep, when it was set": (goal.baseline_met, goal.baseline_applicable) if card in brief else (-1, -1),
        "prep, before and since": (goal.baseline_met, goal.baseline_applicable) if table in brief else (-1, -1),
    }


def past_goals_both_ways(engine: Engine) -> tuple[list, list]:
    """The Goal screen's past goals, as it reads them all together and as each goal's own reads give it."""
    with Session(engine) as session:
        past = [(goal, behaviour) for goal, behaviour in queries._goals_of(session, "a.khan") if goal.status != "active"]
        alone = [queries._goal_view(session, goal, behaviour) for goal, behaviour in past]
    screen = goal_screen_view(engine, agent_id="a.khan")
    assert screen is not None
    return list(screen.history), alone


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nextcall.store.db import open_store

    path = tmp_path_factory.mktemp("coaching") / "template.db"
    open_store(f"sqlite:///{path}").dispose()
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcomes=calls, plan=steps)
def test_every_screen_gives_the_one_next_call_instruction(template: Path, outcomes: list[dict[str, str]], plan) -> None:
    folder = Path(tempfile.mkdtemp(prefix="coaching-"))
    try:
        path = folder / f"{uuid.uuid4().hex}.db"
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")
        import_files(engine, [f.write_jsonl(folder / "calls.jsonl", history(outcomes))])
        for after, key in sorted(plan, key=lambda step: step[0]):
            moment = START + timedelta(hours=min(after, len(outcomes)), minutes=30)
            try:
                if key is None:
                    drop_goal(engine, agent_id="a.khan", now=moment)
                else:
                    start_goal(engine, agent_id="a.khan", criterion_key=key, target=Target(3, 5), now=moment)
            except GoalError:
                pass  # a goal still in progress, nothing to drop, no calls yet: the agent is told, nothing changes
        now = START + timedelta(hours=len(outcomes) + 1)
        said = said_everywhere(engine, now)
        baselines = baseline_everywhere(engine, now)
        past_goals_together, past_goals_alone = past_goals_both_ways(engine)
        engine.dispose()
        assert past_goals_together == past_goals_alone
        assert len(set(baselines.values())) <= 1, baselines
        expected = said["coaching state"]
        assert {place: words for place, words in said.items() if place != "prep"} == dict.fromkeys(
            [p for p in said if p != "prep"], expected
        ), said
        if expected is not None:
            assert said["prep"] == (expected[0], md(expected[1])), said
    finally:
        shutil.rmtree(folder, ignore_errors=True)
