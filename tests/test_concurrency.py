"""Two apps and several imports at once on one store lose nothing and show no error.

Each runs as a process of its own, as on a team's machines: `nextcall import`
of different batches started together, while two agents' apps (tests/app_driver.py)
write goals and a self-assessment draft and poll for new evaluations. Afterwards
every evaluation, result, goal, badge award and points entry must be what a
sequential import of the same batches, with the same goals, gives.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store import self_assessments
from nextcall.store.db import make_engine, open_store
from nextcall.store.importer import import_files
from nextcall.store.models import (
    Agent,
    BadgeAward,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    PointsEntry,
)
from nextcall.store.recognition import refresh_recognition
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
AGENTS = ("a.khan", "b.lee", "c.diaz", "d.osei")
KEYS = ("greeting", "verify", "confirm_need")
BATCHES = 4
CALLS_PER_BATCH = 120
SEED_CALLS = 12


def basics() -> list[dict[str, Any]]:
    return [
        factories.team(),
        *(factories.agent(id=agent, name=agent.title()) for agent in AGENTS),
        factories.scorecard(),
    ]


def call(call_id: str, agent: str, when: datetime, rng: random.Random) -> dict[str, Any]:
    outcomes = rng.choices(("met", "missed", "na"), weights=(6, 3, 1), k=len(KEYS))
    return factories.evaluation(
        call_id=call_id, agent=agent, occurred_at=when.isoformat(), csat=rng.randint(1, 5),
        results=[factories.result(key, outcome) for key, outcome in zip(KEYS, outcomes, strict=True)],
    )


def write_batches(folder: Path) -> tuple[Path, list[Path]]:
    """A seed batch the apps start from, and batches to import at once (each re-scores one seed call)."""
    rng = random.Random(10)
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    seed = [call(f"S-{n}", AGENTS[n % 2], start + timedelta(hours=n), rng) for n in range(SEED_CALLS)]
    seed_path = factories.write_jsonl(folder / "seed.jsonl", [*basics(), *seed])
    paths = []
    for batch in range(BATCHES):
        calls = [
            call(f"B{batch}-{n}", AGENTS[(n + batch) % len(AGENTS)], start + timedelta(days=1 + batch * 7, minutes=37 * n), rng)
            for n in range(CALLS_PER_BATCH)
        ]
        rescored = dict(seed[batch], csat=1, results=[factories.result(key, "missed") for key in KEYS])
        paths.append(factories.write_jsonl(folder / f"batch-{batch}.jsonl", [*basics(), rescored, *calls]))
    return seed_path, paths


def store_contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every evaluation, result and derived row, by natural keys (never by surrogate ids)."""
    with Session(engine) as session:
        keys = {c.id: (c.scorecard_id, c.key) for c in session.exec(select(Criterion))}
        calls = {e.id: e.call_id for e in session.exec(select(Evaluation))}
        return {
            "evaluations": sorted(
                (e.call_id, e.agent_id, e.scorecard_id, e.occurred_at, e.channel, e.duration_s, e.evaluator,
                 e.csat, e.first_contact_resolution, e.score, e.critical_missed, e.content_hash)
                for e in session.exec(select(Evaluation))
            ),
            "results": sorted(
                (calls[r.evaluation_id], *keys[r.criterion_id], r.outcome, r.moment_s, r.quote, r.comment)
                for r in session.exec(select(CriterionResult))
            ),
            "goals": sorted(
                (g.agent_id, *keys[g.criterion_id], g.status, g.baseline_met, g.baseline_applicable,
                 g.target_met, g.target_window, g.started_at, g.ended_at, g.drop_reason)
                for g in session.exec(select(Goal))
            ),
            "badge_award": sorted(
                (a.agent_id, a.badge_id, a.awarded_at, calls.get(a.evaluation_id))
                for a in session.exec(select(BadgeAward))
            ),
            "points_entry": sorted(
                (p.agent_id, p.day, p.source, p.points) for p in session.exec(select(PointsEntry))
            ),
        }


def sequential_reference(path: Path, batches: list[Path], goals: list[tuple]) -> dict[str, list[tuple]]:
    """The same batches imported one after another into a fresh store, with the same goals."""
    engine = open_store(f"sqlite:///{path}")
    for batch in batches:
        import_files(engine, [batch])
    with Session(engine) as session, session.begin():
        ids = {(c.scorecard_id, c.key): c.id for c in session.exec(select(Criterion))}
        for agent_id, scorecard_id, key, status, *numbers, started_at, ended_at, reason in goals:
            met, applicable, target_met, target_window = numbers
            session.add(
                Goal(agent_id=agent_id, criterion_id=ids[(scorecard_id, key)], status=status,
                     baseline_met=met, baseline_applicable=applicable, target_met=target_met,
                     target_window=target_window, started_at=started_at, ended_at=ended_at, drop_reason=reason)
            )
        session.flush()
        refresh_recognition(session, session.exec(select(Agent.id)).all())
    contents = store_contents(engine)
    engine.dispose()
    return contents


def nextcall(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from nextcall.tui.cli import main; main()", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "NEXTCALL_DB": ""},
    )


def test_two_apps_and_concurrent_imports_lose_nothing(db_url: str, tmp_path: Path) -> None:
    seed, batches = write_batches(tmp_path)
    engine = make_engine(db_url)
    import_files(engine, [seed])
    expected_total = SEED_CALLS + BATCHES * CALLS_PER_BATCH

    stop = tmp_path / "stop"
    drivers = {
        role: subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "app_driver.py"), db_url, agent, role, str(stop), str(expected_total)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )
        for role, agent in (("goal", "a.khan"), ("draft", "b.lee"))
    }
    imports: list[subprocess.Popen[str]] = []
    try:
        for driver in drivers.values():
            assert driver.stdout is not None
            line = driver.stdout.readline()
            assert line.strip() == "READY", line + driver.stderr.read()  # type: ignore[union-attr]

        imports = [nextcall("--db", db_url, "import", str(batch)) for batch in batches]
        imported = [process.communicate(timeout=180) for process in imports]
        stop.touch()
        finished = {role: driver.communicate(timeout=180) for role, driver in drivers.items()}
    finally:
        stop.touch()
        for process in [*imports, *drivers.values()]:
            if process.poll() is None:
                process.kill()
                process.wait()

    for process, (out, err) in zip(imports, imported, strict=True):
        assert process.returncode == 0, err
        assert err == ""
        assert out.startswith("Imported ") and f"{CALLS_PER_BATCH + 1} evaluations" in out
    report = {}
    for role, (out, err) in finished.items():
        assert drivers[role].returncode == 0, f"{role}: {err}"
        assert "Traceback" not in err and "Error" not in err, err
        report[role] = json.loads(out.splitlines()[-1])
    assert len(report["goal"]["done"]) >= 2 and len(report["draft"]["done"]) >= 2

    contents = store_contents(engine)
    draft = self_assessments.load_draft(engine, agent_id="b.lee")
    engine.dispose()
    assert len(contents["evaluations"]) == expected_total
    assert draft is not None and draft.strengths == "".join(report["draft"]["done"])
    assert [(g[0], g[2], g[3], g[-1]) for g in contents["goals"]] == sorted(
        ("a.khan", done.split(":")[0], "dropped", done.split(":", 1)[1]) for done in report["goal"]["done"]
    )
    reference = sequential_reference(tmp_path / "reference.db", [seed, *batches], contents["goals"])
    assert contents["badge_award"], "the batches should earn some badges"
    for table, rows in reference.items():
        assert contents[table] == rows, table
