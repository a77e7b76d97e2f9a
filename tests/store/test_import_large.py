"""What a large import does besides writing its rows: its connection's page cache, chunked look-ups,
recognition from the calls it has just written and quicker conversions of its rows' values, each as a
plain import would have it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from nextcall.store import importer, recognition
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


def _stored(url: str) -> tuple[list[tuple], list[tuple]]:
    """Every call (less the moment it was imported) and every result, as SQLite holds them, values' types included."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(evaluation)") if row[1] != "imported_at"]
            typed = ", ".join(f"{name}, typeof({name})" for name in columns)
            calls = connection.exec_driver_sql(f"SELECT {typed} FROM evaluation ORDER BY id").all()
            results = connection.exec_driver_sql(
                "SELECT *, typeof(moment_s), typeof(quote) FROM criterion_result ORDER BY evaluation_id, criterion_id"
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in calls], [tuple(row) for row in results]


def test_rows_written_many_to_a_statement_are_the_rows_written_one_by_one(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 7 rows to a statement: full statements of calls and of results, and the rest of each one by one.
    calls = _calls(40)
    calls[3]["results"][0] |= {"moment_s": 12, "quote": "Customer: it's the 3rd time", "comment": "Ask first"}
    batch = f.write_jsonl(tmp_path / "calls.jsonl", [*_basics(), *calls])
    one_by_one = tmp_path / "one-by-one.db"
    one_by_one.write_bytes(Path(sqlite_url.removeprefix("sqlite:///")).read_bytes())
    for url, rows in ((sqlite_url, 7), (f"sqlite:///{one_by_one}", 1)):
        monkeypatch.setattr(importer, "ROWS_PER_INSERT", rows)
        engine = make_engine(url)
        try:
            import_files(engine, [batch], now=T0 + timedelta(days=30))
        finally:
            engine.dispose()
    many, single = _stored(sqlite_url), _stored(f"sqlite:///{one_by_one}")
    assert len(many[0]) == 40 and len(many[1]) == 120
    assert many == single


def test_a_statement_takes_as_many_rows_as_sqlites_limit_on_parameters_allows() -> None:
    connection = sqlite3.connect(":memory:")
    statement = "INSERT INTO t (a, b, c) VALUES (?, ?, ?)"
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    assert importer._rows_per_insert(connection, statement, 3) == 333
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2)  # not one row: one row to a statement all the same
    assert importer._rows_per_insert(connection, statement, 3) == 1
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    assert importer._rows_per_insert(connection, statement, 3) == importer.ROWS_PER_INSERT
    assert importer._rows_per_insert(connection, statement + " RETURNING a", 3) == 1  # not one row of values
    assert importer._rows_per_insert(connection, statement, 4) == 1


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
