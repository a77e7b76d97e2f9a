"""What a large import does besides writing its rows: its connection's page cache, chunked look-ups,
recognition from the calls it has just written and quicker conversions of its rows' values, each as a
plain import would have it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from nextcall.store import recognition
from nextcall.store.db import IN_LIST_SIZE, make_engine
from nextcall.store.errors import ImportRejected
from nextcall.store.importer import _converted, _sqlite_instant, import_files
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


# The quicker conversions of a large import's rows give what SQLAlchemy's own give.

_SQLITE = make_engine("sqlite://").dialect


def _processor(column: str):  # noqa: ANN202
    return Evaluation.__table__.c[column].type.dialect_impl(_SQLITE).bind_processor(_SQLITE)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(-23 * 60 - 59, 23 * 60 + 59),
)
def test_a_moment_is_stored_as_text_as_the_column_type_stores_it(wall: datetime, offset_minutes: int) -> None:
    moment = wall.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert _sqlite_instant(moment) == _processor("occurred_at")(moment)
    assert _sqlite_instant(moment.astimezone(UTC)) == _processor("occurred_at")(moment)


def test_a_moment_without_its_zone_is_refused_the_quick_way_too() -> None:
    with pytest.raises(ValueError, match="time zone"):
        _sqlite_instant(datetime(2026, 3, 2, 8, 0))


@given(st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=30))
def test_yes_or_no_columns_convert_each_value_as_the_column_type_does(values: list[bool | None]) -> None:
    for column in ("first_contact_resolution", "critical_missed"):
        processor = _processor(column)
        assert list(_converted(values, processor)) == [processor(value) for value in values]


def test_a_quicker_conversion_is_left_unused_where_it_disagrees_with_the_column_type() -> None:
    moments = [T0, T0 + timedelta(minutes=7)]
    processor = _processor("occurred_at")
    assert list(_converted(moments, processor, lambda moment: "elsewhere")) == [processor(m) for m in moments]
    assert list(_converted(moments, processor, _sqlite_instant)) == [processor(m) for m in moments]


def test_an_imported_calls_time_reads_back_as_written(engine: Engine, tmp_path: Path) -> None:
    call = f.evaluation(call_id="C-zone", occurred_at="2026-03-02T09:30:15.25+05:30")
    import_files(engine, [f.write_jsonl(tmp_path / "zone.jsonl", [*_basics(), call])], now=T0 + timedelta(days=1))
    with Session(engine) as session:
        stored = session.exec(select(Evaluation.occurred_at).where(Evaluation.call_id == "C-zone")).one()
    assert stored == datetime(2026, 3, 2, 4, 0, 15, 250000, tzinfo=UTC)
