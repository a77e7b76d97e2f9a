"""nextcall on a large contact center: every performance figure beside a floor measured in the same run.

Run by hand, not in the test suite:

    python bench/run.py [--pg postgresql://postgres@127.0.0.1:5432/test] [--agents 500] [--calls 250]
                        [--dir DIR] [--only SECTION ...] [--save FILE] [--baseline FILE]

It builds a deterministic store (500 agents in teams of 20, 250 scored calls
each, 8 criteria: 1,000,000 results) and prints, for every figure, a line:
label, nextcall's figure, its floor, the ratio and the goal, met or NOT MET.
Absolute times differ from one machine to the next; the ratios are the goals.

Sections (`--only` runs some of them; the stores they need are built once and kept in --dir):

- import:  `nextcall import` against raw `sqlite3.executemany` of the same rows (SQLite) and against a raw
           `COPY` of the same rows into the same schema in a fresh database (PostgreSQL);
- history: the next day's evaluations, and one evaluation, imported in-process into the full store against
           a thin store holding only the same teams, agents and scorecard;
- start:   first frame and Home painted with data against a bare Textual app, peak RSS, --help against
           `import click` (in a pseudo-terminal);
- screens: each screen's data against one hand-written SQL statement returning the same figures, every
           board against its hand-written GROUP BY (medians over 20 agents; the floors are checked
           against the store's figures first);
- felt:    key press to the next screen painted with its data, Pilot-driven (bench/felt.py);
- live:    an evaluation imported by another process until an open app's Home shows it.

`--save FILE` writes every figure as JSON; `--baseline FILE` (a saved run of another shape, e.g. 500
agents when this run has 5000) prints how each figure grew. With --pg, scratch databases
`nextcall_bench*` are made on that server and dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

import floors  # noqa: E402
from generate import (  # noqa: E402
    CRITERIA, SCORECARD, TEAM_SIZE, Shape, agent_id, last_call_time, step, team_id, write_next_day, write_store_file,
)

HERE = Path(__file__).parent
PG_PREFIX = "nextcall_bench"
SAMPLE_AGENTS = 20
COLD_RUNS = 5
IMPORT_RUNS = 2
HISTORY_RUNS = 7
ONE_RUNS = 7
FLOOR_IMPORTS = "textual.app, click, sqlalchemy.orm, sqlmodel"
"""The libraries nextcall opens a current SQLite store and shows Home with (SQLModel brings pydantic; Alembic
loads only to migrate, psycopg only for PostgreSQL, plotext only for a chart)."""
SECTIONS = ("import", "history", "start", "screens", "felt", "live")

FIGURES: dict[str, dict[str, Any]] = {}
"""Every figure printed, by key, for --save and --baseline."""


# ------------------------------------------------------------------ helpers


def figure(
    key: str, label: str, ours: float, floor: float | None, unit: str, goal: str, *,
    ratio: float | None = None, met: bool | None = None, floor_unit: str | None = None,
) -> None:
    """Print one figure: label, ours, floor, ratio, goal, met / NOT MET; and keep it for --save.

    `goal` is "<= x" or ">= x" on the ratio (unless `met` is given: a goal on something else, said in `goal`).
    """
    if ratio is None and floor:
        ratio = ours / floor
    if met is None and ratio is not None and goal[:2] in ("<=", ">="):
        bound = float(goal[2:].strip().rstrip("×x"))
        met = ratio <= bound if goal.startswith("<=") else ratio >= bound
    floor_text = "" if floor is None else f"{_number(floor):>10} {floor_unit or unit}"
    ratio_text = "" if ratio is None else f"{ratio:6.2f}"
    verdict = "" if met is None else ("met" if met else "NOT MET")
    print(f"  {label:<50} {_number(ours):>10} {unit:<9} floor {floor_text:<21} ratio {ratio_text:>6}  goal {goal:<10} {verdict}")
    FIGURES[key] = {"label": label, "ours": ours, "floor": floor, "unit": unit, "ratio": ratio, "goal": goal, "met": met}


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


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


def in_terminal(argv: list[str], frame: str | None = None) -> dict[str, Any]:
    """Run argv in an 80×24 pseudo-terminal: seconds to exit, to the first frame (text `frame` shown), peak RSS (KiB)."""
    marker = ["--frame", frame] if frame else []
    done = subprocess.run(
        [sys.executable, str(HERE / "cold_start.py"), "measure", *marker, *argv], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    measured = json.loads(done.stdout)
    if measured["exit"] != 0:
        raise SystemExit(f"{' '.join(argv)} exited {measured['exit']} (3: Home showed no data)")
    return measured


def machine() -> str:
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
    load = ""
    try:
        load = f"; load average {os.getloadavg()[0]:.1f}"
    except OSError:
        pass
    return (f"machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}{load}")


def median_of(runs: list[float]) -> float:
    return statistics.median(runs)


# ------------------------------------------------------------------- stores


class Stores:
    """The files and databases of one shape, built once and kept in the folder (a rerun reuses them)."""

    def __init__(self, folder: Path, shape: Shape, pg_server: str | None) -> None:
        self.shape = shape
        self.folder = folder / f"agents{shape.agents}-calls{shape.evaluations_per_agent}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.batch = self.folder / "center.jsonl"
        self.thin_batch = self.folder / "thin.jsonl"
        self.next_day = self.folder / "next-day.jsonl"
        self.one = self.folder / "one.jsonl"
        self.live = self.folder / "live.jsonl"
        self.base = self.folder / "base.db"          # every call, before the next day
        self.thin = self.folder / "thin.db"          # the same teams, agents and scorecard; no call
        self.screens = self.folder / "nextcall.db"   # base + the next day + goals: what the screens read
        self.pg_server = pg_server
        self.pg_suffix = f"_{shape.agents}"

    # the clock of every in-process import and of the boards: just after the next day's last call
    @property
    def clock(self) -> datetime:
        return last_call_time(self.shape) + step(self.shape) * (self.shape.agents + 2) + timedelta(hours=1)

    def files(self) -> None:
        if not self.batch.exists():
            write_store_file(self.batch, self.shape)
        if not self.next_day.exists():
            write_next_day(self.next_day, self.shape)
        if not self.thin_batch.exists():
            with self.batch.open("rb") as lines, self.thin_batch.open("wb") as out:
                for line in lines:
                    if b'"kind":"evaluation"' in line:
                        break
                    out.write(line)
        for path, offset in ((self.one, 1), (self.live, 2)):
            if not path.exists():
                first = json.loads(self.next_day.read_text().splitlines()[1])
                n = self.shape.evaluations + self.shape.agents + offset
                first["call_id"] = f"C-{n:08d}"
                first["occurred_at"] = (last_call_time(self.shape) + step(self.shape) * (self.shape.agents + offset)).isoformat().replace(
                    "+00:00", "Z"
                )
                path.write_text(json.dumps(first) + "\n")

    @property
    def one_call_id(self) -> str:
        return json.loads(self.one.read_text())["call_id"]

    @property
    def live_call_id(self) -> str:
        return json.loads(self.live.read_text())["call_id"]

    @property
    def live_agent(self) -> str:
        return json.loads(self.live.read_text())["agent"]

    def sqlite(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def ensure_sqlite(self) -> None:
        """base.db, thin.db and nextcall.db, each made once (untimed here; the import section times its own)."""
        self.files()
        if not self.base.exists():
            nextcall("--db", self.sqlite(self.base), "import", str(self.batch))
            checkpoint(self.base)
        if not self.thin.exists():
            nextcall("--db", self.sqlite(self.thin), "import", str(self.thin_batch))
            checkpoint(self.thin)
        if not self.screens.exists():
            copy_sqlite(self.base, self.screens)
            nextcall("--db", self.sqlite(self.screens), "import", str(self.next_day))
            start_goals(self.sqlite(self.screens), self.shape)
            checkpoint(self.screens)

    # PostgreSQL: one database per store, copies made from them as templates
    def pg(self, name: str) -> str:
        assert self.pg_server
        return pg_url(self.pg_server, f"{PG_PREFIX}_{name}{self.pg_suffix}")

    def pg_name(self, name: str) -> str:
        return f"{PG_PREFIX}_{name}{self.pg_suffix}"

    def ensure_pg(self) -> None:
        self.files()
        if not pg_exists(self.pg_server, self.pg_name("base")):
            recreate_pg(self.pg_server, self.pg_name("base"))
            nextcall("--db", self.pg("base"), "import", str(self.batch))
            settle_pg(self.pg_server, self.pg_name("base"))
        if not pg_exists(self.pg_server, self.pg_name("thin")):
            recreate_pg(self.pg_server, self.pg_name("thin"))
            nextcall("--db", self.pg("thin"), "import", str(self.thin_batch))
            settle_pg(self.pg_server, self.pg_name("thin"))
        if not pg_exists(self.pg_server, self.pg_name("screens")):
            recreate_pg(self.pg_server, self.pg_name("screens"), template=self.pg_name("base"))
            nextcall("--db", self.pg("screens"), "import", str(self.next_day))
            start_goals(self.pg("screens"), self.shape)
            settle_pg(self.pg_server, self.pg_name("screens"))

    def drop_pg(self) -> None:
        with psycopg.connect(pg_admin(self.pg_server), autocommit=True) as admin:
            names = [row[0] for row in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{PG_PREFIX}%{self.pg_suffix}",)
            )]
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def checkpoint(path: Path) -> None:
    """Everything in the main file, so a copy of the file alone is the whole store."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def copy_sqlite(source: Path, target: Path) -> None:
    """A copy of the whole store: what its log holds (a schema upgrade on opening, say) is checkpointed first."""
    checkpoint(source)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def pg_url(server: str, database: str) -> str:
    return make_url(server).set(drivername="postgresql+psycopg", database=database).render_as_string(hide_password=False)


def pg_admin(server: str) -> str:
    return make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)


def settle_pg(server: str, name: str) -> None:
    """A freshly loaded database as a server keeps it once autovacuum has been by: its tables' visibility
    known (what an index-only scan needs) and its statistics gathered. Left to autovacuum, that work
    would run whenever it starts, during the timed figures."""
    with psycopg.connect(make_url(pg_admin(server)).set(database=name).render_as_string(hide_password=False),
                         autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def pg_exists(server: str, name: str) -> bool:
    with psycopg.connect(pg_admin(server), autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def recreate_pg(server: str, name: str, template: str | None = None) -> None:
    with psycopg.connect(pg_admin(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


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


def raw_sqlite(url: str, path: Path) -> tuple[float, int]:
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
            f"INSERT INTO criterion ({CRITERION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", criteria,
        )
        connection.executemany(
            f"INSERT INTO evaluation ({EVALUATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", evaluations,
        )
        connection.executemany(f"INSERT INTO criterion_result ({RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", results)
    connection.close()  # the last connection to close copies the log into the file, as `nextcall import` does on exit
    return time.perf_counter() - began, len(results)


CRITERION_COLUMNS = "id, scorecard_id, key, name, weight, critical, next_call, lesson, position"
EVALUATION_COLUMNS = (
    "id, call_id, occurred_at, channel, duration_s, evaluator, csat, first_contact_resolution, agent_id, scorecard_id, "
    "score, critical_missed, content_hash, imported_at"
)
RESULT_COLUMNS = "outcome, moment_s, quote, comment, evaluation_id, criterion_id"


def raw_pg(server: str, name: str, path: Path) -> tuple[float, int]:
    """Seconds for a raw `COPY` of the same rows into a fresh database of the same schema, and the results."""
    from nextcall.store.db import open_store

    recreate_pg(server, name)
    open_store(pg_url(server, name)).dispose()
    teams, agents, criteria, evaluations, results = raw_rows(path)
    with psycopg.connect(pg_url(server, name).replace("+psycopg", "")) as connection:
        connection.execute("SET TIME ZONE 'UTC'")
        connection.execute("SET search_path TO nextcall, pg_catalog")  # where the store keeps its tables
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for table, columns, rows in (
                ("team", "id, name", teams),
                ("agent", "id, name, team_id", agents),
                ("scorecard", "id, name", [(SCORECARD, "Customer care")]),
                ("criterion", CRITERION_COLUMNS, criteria),
                ("evaluation", EVALUATION_COLUMNS, evaluations),
                ("criterion_result", RESULT_COLUMNS, results),
            ):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        connection.commit()
        elapsed = time.perf_counter() - began
    return elapsed, len(results)


def section_import(stores: Stores) -> None:
    from nextcall.store.db import open_store

    shape = stores.shape
    stores.files()
    print("import (best of two, alternating: the machine may be busy with other work)")
    raw_runs, ours_runs = [], []
    raw_db = stores.folder / "raw.db"
    fresh = stores.folder / "fresh.db"
    for _ in range(IMPORT_RUNS):
        for path in (raw_db, fresh):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raw_seconds, raw_results = raw_sqlite(stores.sqlite(raw_db), stores.batch)
        raw_runs.append(raw_seconds)
        open_store(stores.sqlite(fresh)).dispose()  # the same empty schema the floor writes into, made before timing
        ours_seconds, summary = nextcall("--db", stores.sqlite(fresh), "import", str(stores.batch))
        ours_runs.append(ours_seconds)
    raw_rate, ours_rate = raw_results / min(raw_runs), shape.results / min(ours_runs)
    figure("import:sqlite", "SQLite: nextcall import vs executemany", ours_rate, raw_rate, "results/s", ">= 0.5")
    print(f"    {min(ours_runs):.1f} s vs {min(raw_runs):.1f} s; {summary}")
    checkpoint(fresh)
    if not stores.base.exists():
        copy_sqlite(fresh, stores.base)
    again, _ = nextcall("--db", stores.sqlite(fresh), "import", str(stores.batch))
    print(f"    same file again (all unchanged), for reference: {again:.1f} s")
    day, _ = nextcall("--db", stores.sqlite(fresh), "import", str(stores.next_day))
    print(f"    `nextcall import` of the next day into the full store, for reference: {day:.2f} s")
    for path in (raw_db, fresh):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if stores.pg_server:
        raw_seconds, raw_results = raw_pg(stores.pg_server, stores.pg_name("raw"), stores.batch)
        with psycopg.connect(pg_admin(stores.pg_server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{stores.pg_name("raw")}" WITH (FORCE)')
        recreate_pg(stores.pg_server, stores.pg_name("base"))
        ours_seconds, summary = nextcall("--db", stores.pg("base"), "import", str(stores.batch))
        raw_rate, ours_rate = raw_results / raw_seconds, shape.results / ours_seconds
        figure("import:pg", "PostgreSQL: nextcall import vs raw COPY", ours_rate, raw_rate, "results/s", ">= 0.3")
        print(f"    {ours_seconds:.1f} s vs {raw_seconds:.1f} s (one run each)")


# ------------------------------------------------------------------- history


def written_to_disk(path: Path) -> None:
    """A copy's pages on disk before the clock starts, as a store's are long before its next import.

    Otherwise the import's checkpoint, which syncs the file, waits while the whole fresh copy is written
    (120 MB for the full store, 0.3 MB for the thin one): about 25 ms of the full store's figure.
    """
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _timed_import(url: str, what: str, path: Path, now: datetime) -> float:
    """Seconds for one in-process import into the store at `url`, to the store closed (opening it is not timed).

    Closing is timed: on SQLite the last connection closed copies what the import wrote from the
    write-ahead log into the database file (a checkpoint). Each import then pays for all its pages,
    whether or not they reached SQLite's 1,000 pages, where the committing connection checkpoints at
    once: otherwise one store's figure would hold a checkpoint and the other's not, or both and then
    neither, as an import wrote a few pages more or fewer.
    """
    from nextcall.store.db import open_store
    from nextcall.store.importer import import_batch, import_files, read_records

    engine = open_store(url)
    with engine.connect():
        pass  # the store opened (and checked at the shipped schema) before the clock starts
    records = [json.loads(line) for line in path.read_text().splitlines()] if what != "day" else []
    began = time.perf_counter()
    try:
        if what == "day":
            import_files(engine, [path], now=now)
        else:
            import_batch(engine, read_records(records, source=path.name, now=now))
    finally:
        engine.dispose()
    return time.perf_counter() - began


def _history_runs(copy: Callable[[str], str], what: str, path: Path, now: datetime, runs: int) -> dict[str, float]:
    """Fewest seconds of `runs` imports into a fresh copy of the full and of the thin store, alternating.

    The same work each time, so other work on the machine can only add to it: on a shared machine one run
    in three took half again as long, whichever store it went into, and a median of three moved with it."""
    times: dict[str, list[float]] = {"full": [], "thin": []}
    _timed_import(copy("thin"), what, path, now)  # warm-up: modules loaded and caches made before timing
    for _ in range(runs):
        for kind in ("full", "thin"):
            times[kind].append(_timed_import(copy(kind), what, path, now))
    return {kind: min(found) for kind, found in times.items()}


def section_history(stores: Stores) -> None:
    shape = stores.shape
    stores.ensure_sqlite()
    print(f"cost independent of history (in-process, best of {HISTORY_RUNS} / {ONE_RUNS} runs, each into a fresh copy;"
          f" floor: a thin store with the same teams, agents and scorecard, no calls)")
    work = stores.folder / "run.db"

    def sqlite_copy(kind: str) -> str:
        copy_sqlite(stores.base if kind == "full" else stores.thin, work)
        written_to_disk(work)
        return stores.sqlite(work)

    targets: list[tuple[str, str, Callable[[str], str]]] = [("sqlite", "SQLite", sqlite_copy)]
    if stores.pg_server:
        stores.ensure_pg()
        run_name = stores.pg_name("run")

        def pg_copy(kind: str) -> str:
            recreate_pg(stores.pg_server, run_name, template=stores.pg_name("base" if kind == "full" else "thin"))
            return pg_url(stores.pg_server, run_name)

        targets.append(("pg", "PostgreSQL", pg_copy))
    for key, label, copy in targets:
        day = _history_runs(copy, "day", stores.next_day, stores.clock, HISTORY_RUNS)
        figure(f"history:{key}:day", f"{label}: next day ({shape.agents} calls) into {shape.results / 1e6:g}M results",
               day["full"], day["thin"], "s", "<= 1.5")
        one = _history_runs(copy, "one", stores.one, stores.clock, ONE_RUNS)
        figure(f"history:{key}:one", f"{label}: one evaluation into {shape.results / 1e6:g}M results",
               one["full"] * 1000, one["thin"] * 1000, "ms", "<= 2")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    if stores.pg_server:
        with psycopg.connect(pg_admin(stores.pg_server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{stores.pg_name("run")}" WITH (FORCE)')


# --------------------------------------------------------------------- start


def compiled_as_installed() -> None:
    """Compile nextcall's modules to bytecode, as installing a wheel does (the libraries' are already).

    With PYTHONDONTWRITEBYTECODE set, or a fresh editable checkout, every start would otherwise compile
    nextcall from source while the bare app's Textual loads compiled: a cost no installed app pays."""
    import compileall

    import nextcall.store
    import nextcall.tui

    for package in (nextcall.store, nextcall.tui):
        for folder in package.__path__:
            compileall.compile_dir(folder, quiet=1)


def section_start(stores: Stores) -> None:
    stores.ensure_sqlite()
    viewer = sample_agents(stores.shape)[1]
    compiled_as_installed()
    bare, ours = [], []
    for _ in range(COLD_RUNS):
        bare.append(in_terminal([sys.executable, str(HERE / "cold_start.py"), "bare"], frame="Hello"))
        ours.append(in_terminal(
            [sys.executable, str(HERE / "cold_start.py"), "nextcall", "--db", stores.sqlite(stores.screens), "--agent", viewer],
            frame="Quit",
        ))

    def med(runs: list[dict], what: str) -> float:
        return median_of([run[what] for run in runs])

    print(f"start, median of {COLD_RUNS} (80×24 pseudo-terminal, SQLite store, agent {viewer}; floor: a bare Textual app "
          "showing one Static)")
    figure("start:first-frame", "first frame painted (header and footer)", med(ours, "first_frame"),
           med(bare, "first_frame"), "s", "<= 1.3")
    figure("start:home", "Home painted with data, to exit", med(ours, "seconds"), med(bare, "seconds"), "s", "<= 2")
    figure("start:rss", "peak RSS", med(ours, "peak_rss_kib") / 1024, med(bare, "peak_rss_kib") / 1024, "MiB", "<= 2")
    click_floor = median_of([_seconds([sys.executable, "-c", "import click"]) for _ in range(COLD_RUNS)])
    for args in (["--help"], ["import", "--help"]):
        took = median_of([_seconds([sys.executable, "-m", "nextcall.tui.cli", *args]) for _ in range(COLD_RUNS)])
        figure(f"start:{'-'.join(args)}", f"nextcall {' '.join(args)} (floor: import click)", took, click_floor, "s", "<= 2")
    floor = [in_terminal([sys.executable, "-c", f"import {FLOOR_IMPORTS}"]) for _ in range(COLD_RUNS)]
    print(f"    for reference, the libraries' imports alone: {med(floor, 'seconds'):.2f} s "
          f"({med(floor, 'seconds') / med(bare, 'seconds'):.2f} × bare), {med(floor, 'peak_rss_kib') / 1024:.0f} MiB "
          f"({med(floor, 'peak_rss_kib') / med(bare, 'peak_rss_kib'):.2f} × bare): {FLOOR_IMPORTS}")


# ------------------------------------------------------------------- screens


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


def board_now(shape: Shape) -> datetime:
    return last_call_time(shape) + timedelta(hours=1)


Check = tuple[str, str, Callable[[str], object], Callable[[str], list[tuple]], Callable[[object, list[tuple]], None], str]
"""(key, label, the store's read for an agent, the floor for that agent, the check of one against the other, goal)."""


def screen_checks(engine: Any, shape: Shape, floor_engine: Any) -> list[Check]:
    """The store's reads on `engine`, the floors' hand-written statements on `floor_engine` (the server's defaults)."""
    from nextcall.store import leaderboard as boards
    from nextcall.store import queries

    now = board_now(shape)
    team_of = {agent_id(n): team_id(n // TEAM_SIZE) for n in range(shape.agents)}
    checks: list[Check] = [
        ("home", "home", lambda a: queries.home_view(engine, agent_id=a), lambda a: floors.home(floor_engine, a),
         floors.check_home, "<= 3"),
        ("page", "scorecards page", lambda a: queries.scorecard_page(engine, agent_id=a),
         lambda a: floors.page(floor_engine, a), floors.check_page, "<= 3"),
        ("filtered", "scorecards page, filtered",
         lambda a: queries.scorecard_page(engine, agent_id=a, criterion_key="verify"),
         lambda a: floors.filtered(floor_engine, a, "verify"), floors.check_page, "<= 3"),
        ("goal", "goal series", lambda a: queries.goal_screen_view(engine, agent_id=a),
         lambda a: floors.goal(floor_engine, a), floors.check_goal, "<= 3"),
        ("badges", "badges", lambda a: queries.badges_view(engine, agent_id=a),
         lambda a: floors.badges(floor_engine, a), floors.check_badges, "<= 3"),
    ]
    week = floors.board_windows(boards.Period.this_week, now, UTC)

    def wallboard(agent: str) -> object:
        # What the wallboard does on each poll, and the board it then redraws.
        queries.import_marker(engine)
        boards.celebration_marker(engine)
        return boards.leaderboard(engine, metric=boards.Metric.quality, period=boards.Period.this_week,
                                  team_id=team_of[agent], viewer_id=None, now=now, zone=UTC)

    def check_wallboard(view: Any, rows: list[tuple]) -> None:
        floors.check_board(view, "quality", [row[:3] for row in rows])

    checks.append(("wallboard", "wallboard refresh", wallboard, lambda a: floors.wallboard(floor_engine, week, team_of[a]),
                   check_wallboard, "<= 3"))
    month = floors.board_windows(boards.Period.last_30_days, now, UTC)
    for metric in boards.Metric:
        for scope in ("team", "all"):
            def board(agent: str, metric: Any = metric, scope: str = scope) -> object:
                # The board as the screen reads it on each switch of metric, period or team: the viewer's
                # next-call line under it is their coaching state (Home's), read once when the board opens.
                return boards.leaderboard(
                    engine, metric=metric, period=boards.Period.last_30_days, viewer_id=agent,
                    team_id=team_of[agent] if scope == "team" else None, now=now, zone=UTC, next_call=False,
                )

            def floor(agent: str, metric: Any = metric, scope: str = scope) -> list[tuple]:
                return floors.board(floor_engine, metric.value, month, team_of[agent] if scope == "team" else None)

            def check(view: Any, rows: list[tuple], metric: Any = metric) -> None:
                floors.check_board(view, metric.value, rows)

            checks.append((f"board:{metric.value}:{scope}", f"board, {'team' if scope == 'team' else 'everyone'}, "
                           f"{metric.value}", board, floor, check, "<= 2"))
    return checks


def section_screens_on(label: str, key: str, url: str, shape: Shape) -> None:
    from nextcall.store.db import open_store

    engine = open_store(url)
    floor_engine = open_store(url)
    if floor_engine.dialect.name == "postgresql":
        # nextcall's sessions run without parallel workers; a hand-written statement runs as the server would.
        event.listen(floor_engine, "connect", _server_defaults)
    agents = sample_agents(shape)
    print(f"  {label}: ms per call, median over {len(agents)} agents (floor: one hand-written statement per screen, "
          "checked to return the store's figures)")
    try:
        for name, text, ours, floor, check, goal in screen_checks(engine, shape, floor_engine):
            # Every sampled agent's calls read once by both first: whichever ran first on a page not yet in
            # memory would pay for reading it from disk and the other not (at 10M results, several times over).
            for agent in agents:
                ours(agent)
                floor(agent)
            # Then each timed in a run of its own: a floor scanning everyone's week between two of the store's
            # reads would push the store's pages out of the processor's caches (at 10M results, 1.0 → 1.7 ms).
            ours_ms, floor_ms, views = [], [], []
            for agent in agents:
                began = time.perf_counter()
                views.append(ours(agent))
                ours_ms.append((time.perf_counter() - began) * 1000)
            for agent, view in zip(agents, views):
                began = time.perf_counter()
                rows = floor(agent)
                floor_ms.append((time.perf_counter() - began) * 1000)
                check(view, rows)
            figure(f"screen:{key}:{name}", text, median_of(ours_ms), median_of(floor_ms), "ms", goal)
    finally:
        engine.dispose()
        floor_engine.dispose()


def _server_defaults(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
    dbapi_connection.commit()


def print_login_queries(url: str, shape: Shape) -> None:
    """The same screens read as each agent's own login, through the database's guarded functions (for reference)."""
    from nextcall.store import leaderboard as boards
    from nextcall.store import queries
    from nextcall.store.db import make_engine, open_store
    from nextcall.store.privacy import grant_agent, login_url, revoke

    owner = open_store(url)
    with owner.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE nextcall_access.board_rules SET clock = %(now)s, time_zone = 'UTC'", {"now": board_now(shape)}
        )
    agents = sample_agents(shape)
    logins = {agent: grant_agent(owner, agent, login=f"nc_bench_{agent}") for agent in agents}
    engines = {agent: make_engine(login_url(url, login)) for agent, login in logins.items()}
    team_of = {agent_id(n): team_id(n // TEAM_SIZE) for n in range(shape.agents)}
    reads: list[tuple[str, Callable[[str], object]]] = [
        ("home", lambda a: queries.home_view(engines[a], agent_id=a)),
        ("scorecards page", lambda a: queries.scorecard_page(engines[a], agent_id=a)),
        ("goal series", lambda a: queries.goal_screen_view(engines[a], agent_id=a)),
        ("badges", lambda a: queries.badges_view(engines[a], agent_id=a)),
    ]
    for metric in boards.Metric:
        for scope in ("team", "all"):
            reads.append((f"board, {scope}, {metric.value}", lambda a, m=metric, s=scope: boards.leaderboard(
                engines[a], metric=m, period=boards.Period.last_30_days, viewer_id=a,
                team_id=team_of[a] if s == "team" else None, now=board_now(shape), zone=UTC)))
    print(f"  PostgreSQL through each agent's own login, for reference: ms, median / worst over {len(agents)} agents")
    try:
        for name, read in reads:
            for agent in agents[:2]:
                read(agent)
            runs = []
            for agent in agents:
                began = time.perf_counter()
                read(agent)
                runs.append((time.perf_counter() - began) * 1000)
            print(f"    {name:<32} {median_of(runs):8.1f} / {max(runs):8.1f} ms")
    finally:
        for engine in engines.values():
            engine.dispose()
        for login in logins.values():
            revoke(owner, login)
        owner.dispose()


def section_screens(stores: Stores, logins: bool) -> None:
    stores.ensure_sqlite()
    print("screens' data and boards")
    section_screens_on("SQLite", "sqlite", stores.sqlite(stores.screens), stores.shape)
    if stores.pg_server:
        stores.ensure_pg()
        section_screens_on("PostgreSQL (owner)", "pg", stores.pg("screens"), stores.shape)
        if logins:
            print_login_queries(stores.pg("screens"), stores.shape)


# ---------------------------------------------------------------- felt, live


def felt(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(HERE / "felt.py"), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench/felt.py {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def section_felt(stores: Stores) -> None:
    stores.ensure_sqlite()
    viewer = sample_agents(stores.shape)[1]
    targets = [("sqlite", "SQLite", stores.sqlite(stores.screens))]
    if stores.pg_server:
        stores.ensure_pg()
        targets.append(("pg", "PostgreSQL", stores.pg("screens")))
    print(f"felt latency: key press to the next screen painted with its data (Pilot, 80×24, agent {viewer}, "
          "each screen twice round; floor: pressing the shown screen's own key, to the refresh after it)")
    print(f"  {machine()}")
    for key, label, url in targets:
        found = felt("tour", "--db", url, "--agent", viewer, "--now", board_now(stores.shape).isoformat())
        per_screen = ", ".join(f"{t['to']} {t['ms']:.0f}" for t in found["transitions"])
        figure(f"felt:{key}", f"{label}: median over the screens", found["median_ms"], found["floor_ms"], "ms",
               "<= 100 ms", met=found["median_ms"] <= 100)
        print(f"    ms per screen, first round then second: {per_screen}")


def section_live(stores: Stores) -> None:
    stores.ensure_sqlite()
    work = stores.folder / "live.db"
    copy_sqlite(stores.screens, work)
    targets = [("sqlite", "SQLite", stores.sqlite(work))]
    if stores.pg_server:
        stores.ensure_pg()
        recreate_pg(stores.pg_server, stores.pg_name("live"), template=stores.pg_name("screens"))
        targets.append(("pg", "PostgreSQL", stores.pg("live")))
    print("live: an evaluation imported by `nextcall import` in another process, from its exit to the open app's Home "
          "showing it (floor: the poll interval)")
    for key, label, url in targets:
        found = felt("live", "--db", url, "--agent", stores.live_agent, "--now", board_now(stores.shape).isoformat(),
                     "--file", str(stores.live), "--call", stores.live_call_id)
        poll = found["poll_seconds"]
        figure(f"live:{key}", f"{label}: import to Home showing it", found["seconds"], poll, "s",
               f"<= {poll + 0.5:g} s", met=found["seconds"] <= poll + 0.5)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)


# --------------------------------------------------------------------- scale


def print_growth(baseline_path: Path, shape: Shape) -> None:
    """How each figure grew from a saved run of another shape: per-agent screens flat, everyone's boards in proportion."""
    saved = json.loads(baseline_path.read_text())
    before = saved["figures"]
    grown_by = shape.agents / saved["agents"]
    print(f"scale: {shape.agents} agents against the saved run of {saved['agents']} ({grown_by:g}× the agents and calls)")
    for key, now in FIGURES.items():
        was = before.get(key)
        if was is None or not was["ours"]:
            continue
        growth = now["ours"] / was["ours"]
        if key.startswith("screen:") and ":board:" in key and key.endswith(":all"):
            goal, met = f"<= {grown_by:g}", growth <= grown_by
        elif key.startswith("screen:"):
            goal, met = "<= 1.3", growth <= 1.3
        else:
            goal, met = "", None
        verdict = "" if met is None else ("met" if met else "NOT MET")
        label = now["label"]
        if key.startswith("screen:"):
            label = f"{'SQLite' if key.startswith('screen:sqlite:') else 'PostgreSQL'}: {label}"
        # The floor's own growth, for what the data alone makes of it (SQLite's GROUP BY sorts 10× the calls).
        floor_grew = f"  (floor grew {now['floor'] / was['floor']:.2f}×)" if now.get("floor") and was.get("floor") else ""
        print(f"  {label:<50} {_number(was['ours']):>10} -> {_number(now['ours']):>10} {now['unit']:<9} "
              f"grew {growth:6.2f}×  goal {goal:<8} {verdict}{floor_grew}")


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server to measure too (scratch databases are made on it)")
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--calls", type=int, default=250, help="scored calls per agent")
    parser.add_argument("--dir", type=Path, help="keep the stores here (and reuse them) instead of a temporary folder")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (may be repeated)")
    parser.add_argument("--save", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--baseline", type=Path, help="a --save file of another shape: print how each figure grew")
    parser.add_argument("--keep-pg", action="store_true", help="keep the PostgreSQL scratch databases for the next run")
    parser.add_argument("--no-logins", action="store_true", help="skip the PostgreSQL per-agent login reads")
    args = parser.parse_args()
    shape = Shape(args.agents, args.calls)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="nextcall-bench-"))
    stores = Stores(folder, shape, args.pg)
    sections = args.only or list(SECTIONS)
    began = time.perf_counter()

    print(machine())
    stores.files()
    print(f"store: {shape.agents:,} agents in {shape.teams} teams, {shape.evaluations:,} evaluations, "
          f"{shape.results:,} results ({stores.batch.stat().st_size / 1e6:.0f} MB of JSON Lines); clock {stores.clock:%Y-%m-%d %H:%M} UTC")
    print(f"  {'':<50} {'ours':>10} {'':<9} {'':5} {'floor':<21}")
    try:
        if "import" in sections:
            section_import(stores)
        if "history" in sections:
            section_history(stores)
        if "start" in sections:
            section_start(stores)
        if "screens" in sections:
            section_screens(stores, logins=not args.no_logins)
        if "felt" in sections:
            section_felt(stores)
        if "live" in sections:
            section_live(stores)
    finally:
        if args.pg and not args.keep_pg:
            stores.drop_pg()
    missed = [f["label"] for f in FIGURES.values() if f["met"] is False]
    print(f"{len(FIGURES)} figures, {len(missed)} goals NOT MET; {time.perf_counter() - began:.0f} s")
    if args.save:
        args.save.write_text(json.dumps({"agents": shape.agents, "calls": shape.evaluations_per_agent, "figures": FIGURES},
                                        indent=1, default=str))
    if args.baseline:
        print_growth(args.baseline, shape)


if __name__ == "__main__":
    main()
