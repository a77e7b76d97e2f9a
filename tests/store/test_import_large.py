"""What a large import does besides writing its rows: its connection's page cache, chunked look-ups,
and recognition from the calls it has just written, each as a plain import would have it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from nextcall.store import recognition
from nextcall.store.db import IN_LIST_SIZE, make_engine
from nextcall.store.errors import ImportRejected
from nextcall.store.importer import import_files
from nextcall.store.models import Evaluation, RecognitionStanding
from tests import factories as f

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _calls(count: int, *, start: datetime = T0, prefix: str = "C") -> list[dict]:
    return [
        f.evaluation(
            call_id=f"{prefix}-{n:05d}",
            agent=("a.khan", "b.lee")[n % 2],
            occurred_at=(start + timedelta(minutes=37 * n)).isoformat(),
            results=[f.result("greeting"), f.result("verify", ("met", "missed")[n % 3 == 0]), f.result("confirm_need")],
        )
        for n in range(count)
    ]


def _basics() -> list[dict]:
    return [*f.basics(), f.agent(id="b.lee", name="Bo Lee")]


def _cache_size(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("PRAGMA cache_size")).scalar_one()


def test_an_import_leaves_the_connections_page_cache_as_it_was(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    try:
        before = _cache_size(engine)
        import_files(engine, [f.write_jsonl(tmp_path / "day.jsonl", [*_basics(), *_calls(30)])], now=T0 + timedelta(days=30))
        assert _cache_size(engine) == before
        with pytest.raises(ImportRejected):
            import_files(engine, [f.write_jsonl(tmp_path / "bad.jsonl", [f.evaluation(agent="nobody")])], now=T0 + timedelta(days=30))
        assert _cache_size(engine) == before
    finally:
        engine.dispose()


def test_rows_looked_up_in_chunks_are_those_of_one_query(engine: Engine, tmp_path: Path) -> None:
    count = 2 * IN_LIST_SIZE + 3  # two full chunks and a short one
    import_files(engine, [f.write_jsonl(tmp_path / "calls.jsonl", [*_basics(), *_calls(count)])], now=T0 + timedelta(days=60))
    wanted = [f"C-{n:05d}" for n in range(count)] + ["C-missing"]
    with Session(engine) as session:
        chunked = recognition.driver_rows_in(
            session, lambda chunk: select(Evaluation.call_id, Evaluation.agent_id).where(Evaluation.call_id.in_(chunk)), wanted
        )
        whole = session.exec(select(Evaluation.call_id, Evaluation.agent_id)).all()
    assert sorted(chunked) == sorted(tuple(row) for row in whole)
    assert len(chunked) == count


def test_recognition_from_the_calls_just_written_equals_recognition_read_back(engine: Engine, tmp_path: Path) -> None:
    now = T0 + timedelta(days=90)
    first, later = _calls(120), _calls(40, start=T0 + timedelta(days=1, minutes=5), prefix="L")  # later calls fall among the first
    import_files(engine, [f.write_jsonl(tmp_path / "first.jsonl", [*_basics(), *first])], now=now)
    import_files(engine, [f.write_jsonl(tmp_path / "later.jsonl", later)], now=now)
    with Session(engine) as session:
        stored = {agent: session.get(RecognitionStanding, agent).standing for agent in ("a.khan", "b.lee")}
        recognition.refresh_recognition(session, ["a.khan", "b.lee"])  # from the whole history, read back
        session.flush()
        session.expire_all()
        again = {agent: session.get(RecognitionStanding, agent).standing for agent in ("a.khan", "b.lee")}
        session.rollback()
    assert stored == again
