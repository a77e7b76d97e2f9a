"""Export: the store written back out as import format v1, so that it round-trips.

The store under test is the `engine` fixture (SQLite, then PostgreSQL); the
store imported into is a second, empty SQLite file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.db import open_store
from nextcall.store.errors import NextcallError
from nextcall.store.exporter import export_records
from nextcall.store.importer import import_files
from nextcall.store.models import Agent, Evaluation, Team
from tests import factories as f


def export(engine: Engine, team: str | None = None) -> list[dict[str, Any]]:
    with Session(engine) as session:
        return list(export_records(session, team=team))


@pytest.fixture
def second_store(tmp_path: Path) -> Iterator[Engine]:
    """An empty store of its own, to import an export into."""
    engine = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    yield engine
    engine.dispose()


def load(engine: Engine, path: Path, records: list[dict[str, Any]]) -> None:
    import_files(engine, [f.write_jsonl(path, records)])


def two_teams() -> list[dict[str, Any]]:
    """Falcons on care-v1, Hawks on sales-v1, and a scorecard nobody used yet."""
    sales = f.scorecard(id="sales-v1", name="Sales", criteria=[
        f.criterion("pitch", weight=2.5, critical=True),
        f.criterion("close", weight=7.25),
    ])
    unused = f.scorecard(id="retention-v1", name="Retention", criteria=[f.criterion("save")])
    return [
        f.team(), f.team(id="hawks", name=None),
        f.agent(), f.agent(id="m.ortiz", name="Mía Ortiz 🙂"), f.agent(id="b.li", name="Bo Li", team="hawks"),
        f.scorecard(), sales, unused,
        f.evaluation(call_id="C-1"),
        f.evaluation(call_id="C-2", agent="m.ortiz", occurred_at="2026-11-20T16:03:00+02:00",
                     evaluator=None, csat=None, duration_s=None, first_contact_resolution=None,
                     results=[f.result("confirm_need", "missed", moment_s=0, quote="[bold]x[/]",
                                       comment="line one\nline two\t\x1b[31mred\x1b[0m"),
                              f.result("greeting", "na")]),
        f.evaluation(call_id="C-3", occurred_at="2026-11-19T08:00:00Z", channel="chat",
                     results=[f.result("verify")]),
        f.evaluation(call_id="S-1", agent="b.li", scorecard="sales-v1", channel="email",
                     results=[f.result("close", "met"), f.result("pitch", "missed", comment="شكرا لك")]),
    ]


def test_export_then_import_into_an_empty_store_round_trips(
    engine: Engine, second_store: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "source.jsonl", two_teams())
    first = export(engine)
    assert [r["kind"] for r in first].count("evaluation") == 4

    summary = import_files(second_store, [f.write_jsonl(tmp_path / "export.jsonl", first)])

    assert summary.evaluations.added == 4
    assert export(second_store) == first
    with Session(engine) as a, Session(second_store) as b:
        scores = {e.call_id: e.score for e in a.exec(select(Evaluation))}
        assert {e.call_id: e.score for e in b.exec(select(Evaluation))} == scores


def test_an_export_is_itself_unchanged_when_imported_again(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path / "source.jsonl", two_teams())
    first = export(engine)

    summary = import_files(engine, [f.write_jsonl(tmp_path / "export.jsonl", first)])

    e = summary.evaluations
    assert (e.added, e.changed, e.unchanged) == (0, 0, 4)
    assert export(engine) == first


def test_a_team_export_holds_only_that_team_and_what_it_used(
    engine: Engine, second_store: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "source.jsonl", two_teams())

    records = export(engine, team="falcons")

    assert [(r["kind"], r.get("id") or r.get("call_id")) for r in records] == [
        ("team", "falcons"),
        ("agent", "a.khan"),
        ("agent", "m.ortiz"),
        ("scorecard", "care-v1"),
        ("evaluation", "C-3"),
        ("evaluation", "C-1"),
        ("evaluation", "C-2"),
    ]
    import_files(second_store, [f.write_jsonl(tmp_path / "falcons.jsonl", records)])
    assert export(second_store) == records
    with Session(second_store) as session:
        assert session.get(Team, "hawks") is None
        assert session.get(Agent, "b.li") is None


def test_exporting_an_unknown_team_is_an_error(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path / "source.jsonl", f.basics())

    with pytest.raises(NextcallError, match="eagles"):
        export(engine, team="eagles")


def test_weights_keep_their_number_type(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path / "source.jsonl", two_teams())

    scorecards = {r["id"]: r for r in export(engine) if r["kind"] == "scorecard"}

    weights = {c["key"]: c["weight"] for sc in scorecards.values() for c in sc["criteria"]}
    assert weights["greeting"] == 5 and type(weights["greeting"]) is int
    assert weights["pitch"] == 2.5 and type(weights["pitch"]) is float
    assert weights["close"] == 7.25
    assert '"weight": 5,' in json.dumps(scorecards["care-v1"])
