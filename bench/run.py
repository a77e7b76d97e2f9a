"""nextcall on a large contact center: every performance figure and its goal, in one run.

Run by hand, not in the test suite:

    python bench/run.py [--pg postgresql://postgres@127.0.0.1:5432/test] [--agents 500] [--calls 250]

It writes a deterministic store file (500 agents in teams of 20, 250 scored
calls each, 8 criteria: 1,000,000 results), then prints, side by side with
its baseline and goal:

- import rate of `nextcall import` against raw `sqlite3.executemany` of the
  same rows into the same schema;
- cold start of `nextcall` to Home painted with the agent's data, against a
  bare Textual app that shows one Static and exits (both in a pseudo-terminal);
- each screen's data query on that store, on SQLite and (with --pg) on PostgreSQL;
- peak RSS of the app against the bare Textual app.

With --pg a scratch database `nextcall_bench` is made on that server and dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

from generate import (  # noqa: E402
    CRITERIA, SCORECARD, TEAM_SIZE, Shape, agent_id, last_call_time, team_id, write_next_day, write_store_file,
)

HERE = Path(__file__).parent
PG_DATABASE = "nextcall_bench"
SAMPLE_AGENTS = 20
COLD_RUNS = 5
IMPORT_RUNS = 2
FLOOR_IMPORTS = "textual.app, sqlalchemy.orm, sqlmodel, pydantic_settings"
"""The libraries nextcall opens a current store and shows a screen with (Alembic loads only to migrate)."""


# ------------------------------------------------------------------ helpers


def nextcall(*args: str) -> tuple[float, str]:
    """Run the real `nextcall` command; seconds taken and what it printed."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from nextcall.tui.cli import main; main()", *args], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"nextcall {' '.join(args)} failed:\n{done.stderr}")
    return elapsed, done.stdout.strip()


def _seconds(argv: list[str]) -> float:
    """Seconds a command takes to run to its end, output thrown away."""
    began = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - began


def in_terminal(argv: list[str]) -> tuple[float, int]:
    """Run argv in an 80×24 pseudo-terminal; seconds to exit and peak RSS (KiB)."""
    done = subprocess.run([sys.executable, str(HERE / "cold_start.py"), "measure", *argv], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    measured = json.loads(done.stdout)
    if measured["exit"] != 0:
        raise SystemExit(f"{' '.join(argv)} exited {measured['exit']} (3: Home showed no data)")
    return measured["seconds"], measured["peak_rss_kib"]


def ratio_line(label: str, ours: float, base: float, unit: str, ratio: float, goal: str, met: bool) -> str:
    return f"  {label:<34} {ours:>12,.2f} {unit:<10} vs {base:>12,.2f} {unit:<10} ratio {ratio:5.2f}  goal {goal:<7} {'met' if met else 'NOT MET'}"


def print_machine() -> None:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    print(f"machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
          f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}")


# -------------------------------------------------------------------- import


def raw_rows(path: Path) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple], list[tuple]]:
    """The rows `nextcall import` writes for this file, as plain tuples (prepared before timing)."""
    teams, agents, criteria, evaluations, results = [], [], [], [], []
    criterion_ids: dict[str, int] = {}
    weights: dict[str, tuple[float, bool]] = {}
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with path.open("rb") as lines:
        for raw in lines:
            record = json.loads(raw)
            kind = record["kind"]
            if kind == "team":
                teams.append((record["id"], record.get("name")))
            elif kind == "agent":
                agents.append((record["id"], record["name"], record["team"]))
            elif kind == "scorecard":
                for position, c in enumerate(record["criteria"]):
                    criterion_ids[c["key"]] = position + 1
                    weights[c["key"]] = (c["weight"], c["critical"])
                    criteria.append((position + 1, record["id"], c["key"], c["name"], c["weight"], c["critical"],
                                     c["next_call"], c.get("lesson"), position))
            else:
                evaluation_id = len(evaluations) + 1
                occurred = datetime.fromisoformat(record["occurred_at"]).astimezone(UTC).replace(tzinfo=None)
                applicable = sum(weights[r["criterion"]][0] for r in record["results"] if r["outcome"] != "na")
                met = sum(weights[r["criterion"]][0] for r in record["results"] if r["outcome"] == "met")
                critical = any(weights[r["criterion"]][1] and r["outcome"] == "missed" for r in record["results"])
                evaluations.append((
                    evaluation_id, record["call_id"], occurred.isoformat(sep=" "), record["channel"], record["duration_s"],
                    record["evaluator"], record["csat"], record["first_contact_resolution"], record["agent"],
                    record["scorecard"], 0.0 if critical else (met / applicable if applicable else None), critical,
                    hashlib.sha256(raw).hexdigest(), now,
                ))
                results.extend(
                    (r["outcome"], r.get("moment_s"), r.get("quote"), r.get("comment"), evaluation_id, criterion_ids[r["criterion"]])
                    for r in record["results"]
                )
    return teams, agents, criteria, evaluations, results


def raw_import(url: str, path: Path) -> tuple[float, int]:
    """Seconds for plain `executemany` of the same rows into a fresh store of the same schema, and the results."""
    from nextcall.store.db import open_store

    open_store(url).dispose()
    teams, agents, criteria, evaluations, results = raw_rows(path)
    connection = sqlite3.connect(make_url(url).database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")
    began = time.perf_counter()
    with connection:
        connection.executemany("INSERT INTO team (id, name) VALUES (?, ?)", teams)
        connection.executemany("INSERT INTO agent (id, name, team_id) VALUES (?, ?, ?)", agents)
        connection.execute("INSERT INTO scorecard (id, name) VALUES (?, ?)", (SCORECARD, "Customer care"))
        connection.executemany(
            "INSERT INTO criterion (id, scorecard_id, key, name, weight, critical, next_call, lesson, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", criteria,
        )
        connection.executemany(
            "INSERT INTO evaluation (id, call_id, occurred_at, channel, duration_s, evaluator, csat, "
            "first_contact_resolution, agent_id, scorecard_id, score, critical_missed, content_hash, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", evaluations,
        )
        connection.executemany(
            "INSERT INTO criterion_result (outcome, moment_s, quote, comment, evaluation_id, criterion_id) "
            "VALUES (?, ?, ?, ?, ?, ?)", results,
        )
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed, len(results)


def pg_url(server: str, database: str) -> str:
    return make_url(server).set(drivername="postgresql+psycopg", database=database).render_as_string(hide_password=False)


def pg_admin(server: str) -> str:
    return make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)


def recreate_pg(server: str) -> str:
    with psycopg.connect(pg_admin(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return pg_url(server, PG_DATABASE)


def drop_pg(server: str) -> None:
    with psycopg.connect(pg_admin(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


# ------------------------------------------------------------------- queries


def sample_agents(shape: Shape) -> list[str]:
    step = max(1, shape.agents // SAMPLE_AGENTS)
    return [agent_id(n) for n in range(0, shape.agents, step)][:SAMPLE_AGENTS]


def start_goals(url: str, shape: Shape) -> None:
    """Half the sampled agents work on a goal started halfway through their history, as agents do."""
    from nextcall.store.db import open_store
    from nextcall.store.goals import start_goal

    engine = open_store(url)
    halfway = last_call_time(shape) - (last_call_time(shape) - datetime(2026, 1, 5, 8, tzinfo=UTC)) / 2
    for index, agent in enumerate(sample_agents(shape)):
        if index % 2 == 0:
            start_goal(engine, agent_id=agent, criterion_key=CRITERIA[index % len(CRITERIA)], now=halfway)
    engine.dispose()


def screen_queries(engine_for: Callable[[str], Any], shape: Shape) -> list[tuple[str, Callable[[str], object], float]]:
    """(name, query for one agent, goal in ms) for every screen's data, each agent's read through `engine_for(agent)`."""
    from nextcall.store import queries

    checks: list[tuple[str, Callable[[str], object], float]] = [
        ("home", lambda a: queries.home_view(engine_for(a), agent_id=a), 50),
        ("scorecards page", lambda a: queries.scorecard_page(engine_for(a), agent_id=a), 50),
        ("scorecards page, filtered", lambda a: queries.scorecard_page(engine_for(a), agent_id=a, criterion_key="verify"), 50),
        ("goal series", lambda a: queries.goal_screen_view(engine_for(a), agent_id=a), 50),
        ("badges", lambda a: queries.badges_view(engine_for(a), agent_id=a), 50),
    ]
    try:
        from nextcall.store import leaderboard
    except ImportError:
        return checks
    checks.extend(leaderboard_checks(engine_for, leaderboard, shape))
    return checks


def board_now(shape: Shape) -> datetime:
    return last_call_time(shape) + timedelta(hours=1)


def leaderboard_checks(engine_for: Callable[[str], Any], boards: Any, shape: Shape) -> list[tuple[str, Callable[[str], object], float]]:
    """The leaderboard for the viewer's team and for everyone, per metric, and one wallboard refresh."""
    from nextcall.store import queries

    now = board_now(shape)
    zone = UTC
    team_of = {agent_id(n): team_id(n // TEAM_SIZE) for n in range(shape.agents)}
    checks: list[tuple[str, Callable[[str], object], float]] = []
    for metric in boards.Metric:
        for scope in ("team", "all"):
            def board(agent: str, metric: Any = metric, scope: str = scope) -> object:
                return boards.leaderboard(
                    engine_for(agent), metric=metric, period=boards.Period.last_30_days, viewer_id=agent,
                    team_id=team_of[agent] if scope == "team" else None, now=now, zone=zone,
                )
            checks.append((f"leaderboard, {scope}, {metric.value}", board, 100))

    def wallboard_refresh(agent: str) -> object:
        # What the wallboard does on each poll, and the board it then redraws.
        engine = engine_for(agent)
        queries.import_marker(engine)
        boards.celebration_marker(engine)
        return boards.leaderboard(
            engine, metric=boards.Metric.quality, period=boards.Period.this_week, team_id=team_of[agent],
            viewer_id=None, now=now, zone=zone,
        )

    checks.append(("wallboard refresh", wallboard_refresh, 50))
    return checks


def print_queries(label: str, engine_for: Callable[[str], Any], shape: Shape) -> None:
    """Milliseconds per query per sampled agent, after a warm-up on two of them; median and worst."""
    agents = sample_agents(shape)
    checks = screen_queries(engine_for, shape)
    print(f"  {label}: ms per call over {len(agents)} agents, median / worst (the goal is judged on the median)")
    for name, query, goal in checks:
        for agent in agents[:2]:
            query(agent)
        runs = []
        for agent in agents:
            began = time.perf_counter()
            view = query(agent)
            runs.append((time.perf_counter() - began) * 1000)
            assert view is not None
        median, worst = statistics.median(runs), max(runs)
        print(f"    {name:<32} {median:8.1f} / {worst:8.1f} ms   goal <= {goal:.0f} ms  "
              f"{'met' if median <= goal else 'NOT MET'}")
    if importlib.util.find_spec("nextcall.store.leaderboard") is None:
        print("    leaderboard: not available")


def print_owner_queries(label: str, url: str, shape: Shape) -> None:
    from nextcall.store.db import open_store

    engine = open_store(url)
    print_queries(label, lambda _agent: engine, shape)
    engine.dispose()


def print_login_queries(url: str, shape: Shape) -> None:
    """The same screens read as each agent's own login: through the database's guarded functions."""
    from nextcall.store.db import make_engine, open_store
    from nextcall.store.privacy import grant_agent, login_url, revoke

    owner = open_store(url)
    with owner.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE nextcall_access.board_rules SET clock = %(now)s, time_zone = 'UTC'", {"now": board_now(shape)}
        )
    logins = {agent: grant_agent(owner, agent, login=f"nc_bench_{agent}") for agent in sample_agents(shape)}
    engines = {agent: make_engine(login_url(url, login)) for agent, login in logins.items()}
    try:
        print_queries("PostgreSQL, each agent's own login", engines.__getitem__, shape)
    finally:
        for engine in engines.values():
            engine.dispose()
        for login in logins.values():
            revoke(owner, login)
        owner.dispose()


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server to measure too (a scratch database is made on it)")
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--calls", type=int, default=250, help="scored calls per agent")
    parser.add_argument("--dir", type=Path, help="keep the files here instead of a temporary folder")
    args = parser.parse_args()
    shape = Shape(args.agents, args.calls)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="nextcall-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    print_machine()
    batch = folder / "center.jsonl"
    write_store_file(batch, shape)
    print(f"store: {shape.agents:,} agents in {shape.teams} teams, {shape.evaluations:,} evaluations, "
          f"{shape.results:,} results ({batch.stat().st_size / 1e6:.0f} MB of JSON Lines)")

    # --- import: each measured twice, alternating, the best kept (the machine may be busy with other work)
    store_db = folder / "nextcall.db"
    sqlite_url = f"sqlite:///{store_db}"
    raw_runs, ours_runs = [], []
    for _ in range(IMPORT_RUNS):
        raw_db = folder / "raw.db"
        for path in (raw_db, store_db):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raw_seconds, raw_results = raw_import(f"sqlite:///{raw_db}", batch)
        raw_runs.append(raw_seconds)
        ours_seconds, summary = nextcall("--db", sqlite_url, "import", str(batch))
        ours_runs.append(ours_seconds)
    raw_seconds, ours_seconds = min(raw_runs), min(ours_runs)
    ours_rate, raw_rate = shape.results / ours_seconds, raw_results / raw_seconds
    print("import")
    print(ratio_line("nextcall import vs executemany", ours_rate, raw_rate, "results/s", ours_rate / raw_rate, ">= 0.3",
                     ours_rate / raw_rate >= 0.3))
    print(f"  {'':<34} best of {IMPORT_RUNS}: {ours_seconds:.1f} s vs {raw_seconds:.1f} s; {summary}")
    again_seconds, _ = nextcall("--db", sqlite_url, "import", str(batch))
    print(f"  {'same file again (all unchanged)':<34} {again_seconds:.1f} s")
    next_day = folder / "next-day.jsonl"
    next_results = write_next_day(next_day, shape)
    day_seconds, _ = nextcall("--db", sqlite_url, "import", str(next_day))
    print(f"  {'next day (1 call per agent)':<34} {day_seconds:.1f} s for {next_results:,} results into the full store")
    pg = recreate_pg(args.pg) if args.pg else None
    if pg:
        pg_seconds, _ = nextcall("--db", pg, "import", str(batch))
        nextcall("--db", pg, "import", str(next_day))
        print(f"  {'nextcall import on PostgreSQL':<34} {shape.results / pg_seconds:>12,.0f} results/s ({pg_seconds:.1f} s)")
    start_goals(sqlite_url, shape)
    if pg:
        start_goals(pg, shape)

    # --- cold start and memory
    viewer = sample_agents(shape)[1]
    bare, ours = [], []
    for _ in range(COLD_RUNS):
        bare.append(in_terminal([sys.executable, str(HERE / "cold_start.py"), "bare"]))
        ours.append(in_terminal([sys.executable, str(HERE / "cold_start.py"), "nextcall", "--db", sqlite_url, "--agent", viewer]))
    bare_start = statistics.median(seconds for seconds, _ in bare)
    ours_start = statistics.median(seconds for seconds, _ in ours)
    bare_rss = statistics.median(rss for _, rss in bare) / 1024
    ours_rss = statistics.median(rss for _, rss in ours) / 1024
    print(f"cold start, median of {COLD_RUNS} (80×24 pseudo-terminal, SQLite store, agent {viewer})")
    print(ratio_line("nextcall to Home painted vs bare", ours_start, bare_start, "s", ours_start / bare_start, "<= 1.5",
                     ours_start / bare_start <= 1.5))
    # The commands' own start: help answers without loading the store or Textual.
    click_floor = statistics.median(_seconds([sys.executable, "-c", "import click"]) for _ in range(COLD_RUNS))
    for args in (["--help"], ["import", "--help"]):
        took = statistics.median(_seconds([sys.executable, "-m", "nextcall.tui.cli", *args]) for _ in range(COLD_RUNS))
        print(ratio_line(f"nextcall {' '.join(args)} vs import click", took, click_floor, "s", took / click_floor, "<= 2",
                         took / click_floor <= 2))
    print("memory")
    print(ratio_line("peak RSS nextcall vs bare", ours_rss, bare_rss, "MiB", ours_rss / bare_rss, "<= 2", ours_rss / bare_rss <= 2))
    # What any app on this stack pays before it does anything: the libraries' imports alone.
    floor = [in_terminal([sys.executable, "-c", f"import {FLOOR_IMPORTS}"]) for _ in range(COLD_RUNS)]
    floor_start = statistics.median(seconds for seconds, _ in floor)
    floor_rss = statistics.median(rss for _, rss in floor) / 1024
    print(f"  {'imports alone, for reference':<34} {floor_start:.2f} s ({floor_start / bare_start:.2f} × bare), "
          f"{floor_rss:.0f} MiB ({floor_rss / bare_rss:.2f} × bare): {FLOOR_IMPORTS}")

    # --- screens' queries
    print("screen queries")
    print_owner_queries("SQLite", sqlite_url, shape)
    if pg:
        print_owner_queries("PostgreSQL", pg, shape)
        print_login_queries(pg, shape)
        drop_pg(args.pg)


if __name__ == "__main__":
    main()
