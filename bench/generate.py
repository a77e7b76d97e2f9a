"""A large contact center, deterministically: teams, agents, one 8-criterion scorecard, scored calls.

`write_store_file` writes it as an import file (JSON Lines, format v1); the
same seed always gives the same bytes. `write_next_day` writes one more call
per agent, after the last one, as a daily import would bring.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

CRITERIA = ["greeting", "verify", "confirm_need", "empathy", "hold", "explains", "next_steps", "closing"]
SCORECARD = "care-v1"
TEAM_SIZE = 20
START = datetime(2026, 1, 5, 8, tzinfo=UTC)
STEP = timedelta(minutes=2)
"""Time between two calls of a 500-agent center: 250 calls per agent span about six months."""


def step(shape: Shape) -> timedelta:
    """Time between two calls of the whole center: each agent takes calls at the same pace whatever the center's size,
    so a board of the last 30 days holds as many calls per agent at 5,000 agents as at 500."""
    return STEP * 500 / shape.agents


@dataclass(frozen=True)
class Shape:
    agents: int = 500
    evaluations_per_agent: int = 250

    @property
    def evaluations(self) -> int:
        return self.agents * self.evaluations_per_agent

    @property
    def results(self) -> int:
        return self.evaluations * len(CRITERIA)

    @property
    def teams(self) -> int:
        return max(1, (self.agents + TEAM_SIZE - 1) // TEAM_SIZE)


def agent_id(n: int) -> str:
    return f"agent.{n:04d}"


def team_id(n: int) -> str:
    return f"team-{n:02d}"


def _line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


def _evaluation(rng: random.Random, n: int, agent: str, skill: float, every: timedelta = STEP) -> dict:
    outcomes = ["met", "missed", "na"]
    return {
        "kind": "evaluation", "call_id": f"C-{n:08d}", "agent": agent, "scorecard": SCORECARD,
        "occurred_at": (START + every * n).isoformat().replace("+00:00", "Z"),
        "channel": ("phone", "phone", "chat", "email")[n % 4], "duration_s": rng.randint(120, 900),
        "evaluator": "auto", "csat": rng.randint(1, 5), "first_contact_resolution": rng.random() < 0.7,
        "results": [
            {"criterion": key,
             "outcome": rng.choices(outcomes, weights=(skill, 1 - skill, 0.15))[0]}
            | ({"moment_s": rng.randint(1, 600), "quote": "Customer: I just need the reset link",
                "comment": "Repeat the need back before offering a fix"} if rng.random() < 0.2 else {})
            for key in CRITERIA
        ],
    }


def _skills(shape: Shape) -> list[float]:
    rng = random.Random(7)
    return [rng.uniform(0.6, 0.97) for _ in range(shape.agents)]


def write_store_file(path: Path, shape: Shape, seed: int = 9) -> None:
    """Teams, agents, the scorecard and every evaluation, agents' calls interleaved in time."""
    rng = random.Random(seed)
    skills = _skills(shape)
    with path.open("w", encoding="utf-8") as out:
        for t in range(shape.teams):
            out.write(_line({"kind": "team", "id": team_id(t), "name": f"Team {t}"}))
        out.write(_line({
            "kind": "scorecard", "id": SCORECARD, "name": "Customer care",
            "criteria": [
                {"key": key, "name": key.replace("_", " ").capitalize(), "weight": 5 + 5 * (i % 3),
                 "critical": key == "verify", "next_call": f"On your next call: {key.replace('_', ' ')}.",
                 "lesson": "A short lesson on why it matters."}
                for i, key in enumerate(CRITERIA)
            ],
        }))
        for a in range(shape.agents):
            out.write(_line({"kind": "agent", "id": agent_id(a), "name": f"Agent {a}", "team": team_id(a // TEAM_SIZE)}))
        for n in range(shape.evaluations):
            out.write(_line(_evaluation(rng, n, agent_id(n % shape.agents), skills[n % shape.agents], step(shape))))


def write_next_day(path: Path, shape: Shape, seed: int = 10) -> int:
    """One new call per agent, after every call already in the store; returns the results written."""
    rng = random.Random(seed)
    skills = _skills(shape)
    with path.open("w", encoding="utf-8") as out:
        for a in range(shape.agents):
            n = shape.evaluations + a
            out.write(_line(_evaluation(rng, n, agent_id(a), skills[a], step(shape))))
    return shape.agents * len(CRITERIA)


def last_call_time(shape: Shape) -> datetime:
    return START + step(shape) * (shape.evaluations - 1)
