"""An import killed with SIGKILL in the middle of a batch leaves the store exactly as it was.

The `nextcall import` process is stopped once every row of a large batch is
written (evaluations replaced and added, results, badges and points) but not
yet committed: the moment a crash, an out-of-memory kill or a pulled plug
would do the most harm.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.engine import make_url

from nextcall.store.db import make_engine
from nextcall.store.goals import start_goal
from nextcall.store.importer import import_files
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
LARGE = 2000


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, as stored."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }


def calls(prefix: str, count: int, *, outcome: str = "met") -> list[dict]:
    start = datetime(2026, 10, 1, 8, tzinfo=UTC)
    return [
        factories.evaluation(
            call_id=f"{prefix}-{n}", occurred_at=(start + timedelta(minutes=41 * n)).isoformat(),
            results=[factories.result("greeting", outcome), factories.result("verify"), factories.result("confirm_need", outcome)],
        )
        for n in range(count)
    ]


KILLABLE_IMPORT = textwrap.dedent(
    """
    import sys, time
    from sqlmodel import func, select
    from nextcall.store import importer
    from nextcall.store.models import Evaluation
    from nextcall.tui.cli import main

    derive = importer.refresh_recognition

    def derive_then_hang(session, agents, **given):
        awards = derive(session, agents, **given)
        session.flush()
        count = session.exec(select(func.count()).select_from(Evaluation)).one()
        print("WRITTEN", count, flush=True)
        time.sleep(600)  # never commits: the kill comes first
        return awards

    importer.refresh_recognition = derive_then_hang
    sys.argv = ["nextcall", *sys.argv[1:]]
    main()
    """
)


def backends_writing(db_url: str) -> int:
    """On PostgreSQL: how many sessions on the database hold a transaction that has written."""
    url = make_url(db_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL", (url.database,)
        ).fetchone()[0]


def test_an_import_killed_mid_batch_leaves_the_store_as_it_was(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    import_files(engine, [factories.write_jsonl(tmp_path / "first.jsonl", [*factories.basics(), *calls("C", 30, outcome="missed")])])
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=datetime(2026, 10, 2, tzinfo=UTC))
    before = dump(engine)
    assert before["badge_award"] and before["points_entry"] and before["goal"]

    # Re-scores every call already there and adds many more.
    large = factories.write_jsonl(tmp_path / "large.jsonl", [*factories.basics(), *calls("C", LARGE)])
    child = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_IMPORT, "--db", db_url, "import", str(large)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.split() == ["WRITTEN", str(LARGE)], line + child.stderr.read()  # type: ignore[union-attr]
        if engine.dialect.name == "postgresql":
            assert backends_writing(db_url) == 1
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    engine.dispose()
    engine = make_engine(db_url)
    assert dump(engine) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

    # The store is not left locked: the same batch imports in full afterwards.
    summary = import_files(engine, [large])
    assert (summary.evaluations.added, summary.evaluations.changed) == (LARGE - 30, 30)
    engine.dispose()

