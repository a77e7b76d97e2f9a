"""Import rate: how many results per second `nextcall import` takes in.

Run by hand, not in the test suite:

    python bench/import_rate.py [--results 100000] [--pg postgresql://postgres@127.0.0.1:5432/test]

It writes a deterministic JSON Lines file (agents with 8-criterion scorecards,
as many evaluations as the results asked for), then times the real command
into a fresh SQLite file, and into a fresh PostgreSQL database when --pg is
given, and prints results/s for each, plus a second import of the same file
(everything unchanged).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

CRITERIA = ["greeting", "verify", "confirm_need", "empathy", "hold", "explains", "next_steps", "closing"]


def write_batch(path: Path, results: int, seed: int = 9) -> int:
    rng = random.Random(seed)
    evaluations = results // len(CRITERIA)
    agents = max(1, evaluations // 250)
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"kind": "team", "id": "bench", "name": "Bench"}) + "\n")
        out.write(json.dumps({
            "kind": "scorecard", "id": "care-v1", "name": "Customer care",
            "criteria": [
                {"key": k, "name": k.title(), "weight": 5 + 5 * (i % 3), "critical": k == "verify",
                 "next_call": f"On your next call: {k}."}
                for i, k in enumerate(CRITERIA)
            ],
        }) + "\n")
        for a in range(agents):
            out.write(json.dumps({"kind": "agent", "id": f"agent.{a:04d}", "name": f"Agent {a}", "team": "bench"}) + "\n")
        for n in range(evaluations):
            out.write(json.dumps({
                "kind": "evaluation", "call_id": f"C-{n:08d}", "agent": f"agent.{n % agents:04d}",
                "scorecard": "care-v1", "occurred_at": (start + timedelta(minutes=7 * n)).isoformat(),
                "channel": "phone", "duration_s": rng.randint(120, 900), "evaluator": "auto",
                "csat": rng.randint(1, 5), "first_contact_resolution": rng.random() < 0.7,
                "results": [
                    {"criterion": k, "outcome": rng.choice(["met", "met", "met", "missed", "na"])}
                    | ({"moment_s": rng.randint(1, 100), "quote": "Customer: I just need the link",
                        "comment": "Repeat the need back first"} if rng.random() < 0.2 else {})
                    for k in CRITERIA
                ],
            }) + "\n")
    return evaluations * len(CRITERIA)


def timed_import(db: str, path: Path) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from nextcall.tui.cli import main; main()", "--db", db, "import", str(path)],
        capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--pg", help="PostgreSQL server URL to measure too (a scratch database is made on it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.jsonl"
        results = write_batch(path, args.results)
        print(f"batch: {results:,} results in {path.stat().st_size / 1e6:.1f} MB")
        targets = [("sqlite", f"sqlite:///{folder}/bench.db", None)]
        if args.pg:
            admin = make_url(args.pg).set(drivername="postgresql")
            name = "nextcall_bench_import"
            with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                c.execute(f'CREATE DATABASE "{name}"')
            targets.append(("postgresql", admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False), name))
        for label, url, _ in targets:
            first, summary = timed_import(url, path)
            again, _ = timed_import(url, path)
            print(f"{label:<11} first import {first:6.2f} s  {results / first:>9,.0f} results/s   "
                  f"same file again {again:6.2f} s  {results / again:>9,.0f} results/s")
            print(f"{'':<11} {summary}")
        for label, _, name in targets:
            if name:
                with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
