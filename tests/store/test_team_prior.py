"""A focus suggestion's team prior: the team's latest calls on the scorecard, the agent's own left out.

Each database reads them its own way (PostgreSQL each colleague's latest
first, then the latest of those); both ways must pick the same calls, ties
in time broken by the newest evaluation, and sum the same outcomes.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from nextcall.store.importer import import_files
from nextcall.store.queries import TEAM_WINDOW, _team_sums_statement
from tests import factories as f

KEYS = ["k0", "k1", "k2"]
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
COLLEAGUES = 6
CALLS_EACH = 70
"""About 70 calls each: six colleagues' 417 calls, more than the prior's window, which ends amid calls made at one time."""


def outcome(n: int, i: int, key: int) -> str:
    return ("met", "missed", "na")[(n + n // 4 + i * (key + 1)) % 3 if i % 4 else (key + n) % 3]


def when(n: int, i: int) -> datetime:
    # Colleagues 1-4 share their call times (ties broken by the evaluation's id), 5 and 6 fall between.
    return START + timedelta(hours=2 * i + (1 if n > 4 else 0), minutes=0 if n != 6 else 30)


def crew_store(engine: Engine, tmp_path: Path) -> list[tuple[datetime, int, int]]:
    """The viewer ag0 and six colleagues; the colleagues' calls as (time, colleague, call), in id order."""
    records: list[dict[str, Any]] = [
        f.team(), f.scorecard(id="lb", name="Board card", criteria=[f.criterion(key, weight=1) for key in KEYS]),
        *(f.agent(id=f"ag{n}", name=f"Ag{n}") for n in range(COLLEAGUES + 1)),
    ]
    calls = []
    for n in range(COLLEAGUES + 1):
        for i in range(CALLS_EACH - 3 * (n == COLLEAGUES)):
            records.append(f.evaluation(
                call_id=f"C-{n}-{i}", agent=f"ag{n}", scorecard="lb", occurred_at=when(n, i).isoformat(),
                results=[f.result(key, outcome(n, i, k)) for k, key in enumerate(KEYS)],
            ))
            if n:
                calls.append((when(n, i), n, i))
    import_files(engine, [f.write_jsonl(tmp_path / "crew.jsonl", records)], now=START + timedelta(days=30))
    return calls


def latest_counts(calls: list[tuple[datetime, int, int]], tie: int = 1) -> Counter[tuple[str, str]]:
    """(behaviour, outcome) counts over the team's latest calls: newest first, the later-imported first at a tie
    (`tie=-1`: the earlier-imported)."""
    order = {call: position for position, call in enumerate(calls)}  # evaluations' ids follow the file's order
    latest = sorted(calls, key=lambda call: (call[0], tie * order[call]), reverse=True)[:TEAM_WINDOW]
    return Counter((key, outcome(n, i, k)) for _, n, i in latest for k, key in enumerate(KEYS))


def test_the_prior_sums_the_teams_latest_calls_whichever_way_they_are_read(engine: Engine, tmp_path: Path) -> None:
    calls = crew_store(engine, tmp_path)
    expected = latest_counts(calls)
    assert expected != latest_counts(calls[:TEAM_WINDOW])  # the window cuts through the colleagues' calls
    assert expected != latest_counts(calls, tie=-1)  # and through calls made at one time, which differ
    ways = [False, True] if engine.dialect.name == "postgresql" else [False]
    params = {"team": "falcons", "agent": "ag0", "scorecard": "lb"}
    with Session(engine) as session:
        for per_colleague in ways:
            rows = session.execute(_team_sums_statement(per_colleague), params).all()
            assert Counter({(key, result): count for key, result, count, *_ in rows}) == expected, per_colleague
            assert {row[-1] for row in rows} == {COLLEAGUES}


def test_sqlite_reads_the_team_from_each_colleagues_calls_in_time_never_the_whole_scorecard(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The scorecard is checked in the agent/time index: looked up by its own index, it would lead SQLite
    through every call ever made on the scorecard (in a real center, nearly the whole store)."""
    from nextcall.store.db import open_store

    engine = open_store(sqlite_url)
    crew_store(engine, tmp_path)
    params = {"team": "falcons", "agent": "ag0", "scorecard": "lb"}
    with engine.connect() as connection:
        compiled = _team_sums_statement(False).compile(engine)
        statement = str(compiled)
        values = {name: params.get(name, value.value) for name, value in compiled.binds.items()}
        ordered = [values[name] for name in compiled.positiontup]
        plan = " | ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", tuple(ordered)))
    engine.dispose()
    assert "COVERING INDEX ix_evaluation_agent_occurred (agent_id=?)" in plan, plan
    assert "ix_evaluation_scorecard" not in plan, plan
