"""A restore is exact: the demo, with everything agents made on it, exported and imported into an empty store.

Goals started, set aside and mastered, submitted and draft self-assessments
and leaderboard choices all come back, so that every `prep` brief, every
leaderboard and a second export equal the original's, on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.seed.demo import DEMO_AGENTS
from nextcall.seed.load import load_demo
from nextcall.store.db import make_engine, open_store
from nextcall.store.exporter import export_records
from nextcall.store.goals import start_goal
from nextcall.store.importer import import_files
from nextcall.store.leaderboard import Metric, Period, leaderboard_in, set_opt_out
from nextcall.store.models import Goal, SelfAssessment, Team
from nextcall.store.prep import prep_brief
from nextcall.store.self_assessments import Draft, save_draft, submit
from tests.conftest import fresh_pg_database

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def lived_in_demo(url: str) -> None:
    """The demo, then a week of agents using the app: every kind of thing they make, in every state."""
    load_demo(url, today=TODAY, now=NOW)
    engine = make_engine(url)
    try:
        # Linh's empathy goal stuck: starting her next one closes it as mastered.
        start_goal(engine, agent_id="l.nguyen", criterion_key="next_steps", now=NOW - timedelta(hours=3))
        start_goal(engine, agent_id="j.garcia", criterion_key="discovery", now=NOW - timedelta(days=9))
        save_draft(engine, agent_id="a.khan", now=NOW - timedelta(days=2), draft=Draft(
            session_on=date(2026, 11, 24), strengths="Calm with upset callers.\n“Quotes” and <b>tags</b> stay literal.",
            struggles="Rushing the need.", want_to_work_on="Confirming the need first.",
            ratings={"confirm_need": 2, "empathy": 4},
        ))
        submit(engine, agent_id="a.khan", now=NOW - timedelta(days=2, minutes=-5))
        save_draft(engine, agent_id="a.khan", now=NOW - timedelta(hours=1), draft=Draft(
            strengths="Half a thought for next time", ratings={"verify": 3},
        ))
        save_draft(engine, agent_id="p.sharma", now=NOW - timedelta(days=1), draft=Draft(session_on=date(2026, 11, 30)))
        set_opt_out(engine, agent_id="t.kowalski", anonymous=True)
        set_opt_out(engine, agent_id="e.lindqvist", anonymous=True)
    finally:
        engine.dispose()


def exported(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        return list(export_records(session))


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def briefs(engine: Engine) -> dict[str, str]:
    return {agent: prep_brief(engine, agent_id=agent, now=NOW) for agent in DEMO_AGENTS}


def boards(engine: Engine) -> dict[tuple[str, str, str | None], Any]:
    with Session(engine) as session:
        teams = [None, *session.exec(select(Team.id).order_by(Team.id))]
        return {
            (metric.value, period.value, team): asdict(
                leaderboard_in(session, metric=metric, period=period, team_id=team, viewer_id=None, now=NOW, zone=UTC)
            )
            for metric in Metric
            for period in Period
            for team in teams
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty store of the same kind as the original, to restore into."""
    if request.param == "sqlite":
        engine = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_pg_database(request.getfixturevalue("pg_template")) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def original(sqlite_url: str, request: pytest.FixtureRequest, empty_store: Engine) -> Iterator[Engine]:
    """The lived-in demo on the same kind of database as the empty store."""
    if empty_store.dialect.name == "sqlite":
        lived_in_demo(sqlite_url)
        engine = make_engine(sqlite_url)
        yield engine
        engine.dispose()
        return
    with fresh_pg_database(request.getfixturevalue("pg_template")) as url:
        lived_in_demo(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_the_demo_lived_in_has_every_kind_of_record_to_restore(original: Engine) -> None:
    records = exported(original)
    statuses = {r["status"] for r in records if r["kind"] == "goal"}
    assert statuses == {"active", "mastered", "dropped"}
    assessments = [r for r in records if r["kind"] == "self_assessment"]
    assert {("submitted_at" in r) for r in assessments} == {True, False}
    assert {r["id"] for r in records if r["kind"] == "agent" and r["leaderboard_opt_out"]} == {"t.kowalski", "e.lindqvist"}


def test_a_restore_gives_every_brief_every_board_and_the_export_back(
    original: Engine, empty_store: Engine, tmp_path: Path
) -> None:
    backup = exported(original)
    summary = import_files(empty_store, [write(tmp_path / "backup.jsonl", backup)], now=NOW)

    assert summary.goals.added == 5 and summary.self_assessments.added == 3
    assert briefs(empty_store) == briefs(original)
    assert boards(empty_store) == boards(original)
    assert exported(empty_store) == backup


def test_a_restore_again_changes_nothing(original: Engine, empty_store: Engine, tmp_path: Path) -> None:
    backup = write(tmp_path / "backup.jsonl", exported(original))
    import_files(empty_store, [backup], now=NOW)

    again = import_files(empty_store, [backup], now=NOW)

    assert (again.goals.added, again.goals.changed, again.goals.unchanged) == (0, 0, 5)
    assert (again.self_assessments.added, again.self_assessments.changed, again.self_assessments.unchanged) == (0, 0, 3)
    assert "(unchanged)" in again.line()


def test_records_in_any_order_restore_the_same(original: Engine, empty_store: Engine, tmp_path: Path) -> None:
    backup = exported(original)

    import_files(empty_store, [write(tmp_path / "reversed.jsonl", backup[::-1])], now=NOW)

    assert exported(empty_store) == backup


def test_a_restored_goal_is_the_one_the_agent_set(original: Engine, empty_store: Engine, tmp_path: Path) -> None:
    import_files(empty_store, [write(tmp_path / "backup.jsonl", exported(original))], now=NOW)

    def goals(engine: Engine) -> list[tuple[Any, ...]]:
        with Session(engine) as session:
            return [
                (g.agent_id, g.status, g.started_at, g.ended_at, g.drop_reason, g.baseline_met, g.baseline_applicable,
                 g.mastered_at)
                for g in session.exec(select(Goal).order_by(Goal.agent_id, Goal.started_at))
            ]

    assert goals(empty_store) == goals(original)


def test_a_restored_draft_is_the_agents_latest_words(original: Engine, empty_store: Engine, tmp_path: Path) -> None:
    import_files(empty_store, [write(tmp_path / "backup.jsonl", exported(original))], now=NOW)

    def assessments(engine: Engine) -> list[tuple[Any, ...]]:
        with Session(engine) as session:
            return [
                (s.agent_id, s.session_on, s.strengths, s.struggles, s.want_to_work_on, s.ratings, s.submitted_at, s.updated_at)
                for s in session.exec(select(SelfAssessment).order_by(SelfAssessment.agent_id, SelfAssessment.updated_at))
            ]

    assert assessments(empty_store) == assessments(original)
