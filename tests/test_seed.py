"""The demo data: deterministic, valid under the import contract, and telling its story."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from nextcall.seed.demo import DEFAULT_DEMO_AGENT, DEMO_AGENTS, demo_records
from nextcall.seed.load import load_demo
from nextcall.store.db import make_engine
from nextcall.store.models import Agent, Criterion, CriterionResult, Evaluation, Team

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    load_demo(url, today=TODAY)
    return url


def test_the_same_day_gives_byte_identical_records() -> None:
    first = json.dumps(demo_records(today=TODAY))
    assert json.dumps(demo_records(today=TODAY)) == first
    assert json.dumps(demo_records(today=TODAY + timedelta(days=1))) != first


def test_it_loads_through_the_importer_with_no_problem(demo_db: str) -> None:
    engine = make_engine(demo_db)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Team)).one() == 2
        assert 10 <= session.exec(select(func.count()).select_from(Agent)).one() <= 14
        newest = session.exec(select(func.max(Evaluation.occurred_at))).one()
        oldest = session.exec(select(func.min(Evaluation.occurred_at))).one()
    assert newest <= datetime(2026, 11, 23, 23, 59, tzinfo=UTC)
    assert oldest >= datetime(2026, 11, 23, tzinfo=UTC) - timedelta(days=91)
    assert set(DEMO_AGENTS) >= {DEFAULT_DEMO_AGENT, "l.nguyen", "j.garcia", "s.oneill"}


def _met_rate(session: Session, agent: str, key: str, since: datetime | None = None, before: datetime | None = None) -> float:
    query = (
        select(CriterionResult.outcome)
        .join(Evaluation, col(Evaluation.id) == CriterionResult.evaluation_id)
        .join(Criterion, col(Criterion.id) == CriterionResult.criterion_id)
        .where(Evaluation.agent_id == agent, Criterion.key == key, CriterionResult.outcome != "na")
    )
    if since:
        query = query.where(Evaluation.occurred_at >= since)
    if before:
        query = query.where(Evaluation.occurred_at < before)
    outcomes = session.exec(query).all()
    return sum(o == "met" for o in outcomes) / len(outcomes)


def test_the_story_holds(demo_db: str) -> None:
    engine = make_engine(demo_db)
    day = datetime(2026, 11, 23, tzinfo=UTC)
    with Session(engine) as session:
        # Aisha improves on confirming the need.
        assert _met_rate(session, "a.khan", "confirm_need", before=day - timedelta(days=60)) < 0.5
        assert _met_rate(session, "a.khan", "confirm_need", since=day - timedelta(days=14)) > 0.8
        # Linh's empathy stuck.
        assert _met_rate(session, "l.nguyen", "empathy", before=day - timedelta(days=60)) < 0.6
        assert _met_rate(session, "l.nguyen", "empathy", since=day - timedelta(days=40)) > 0.85
        # Jorge has the lowest mean score, with critical disclosure misses.
        means = dict(session.exec(select(Evaluation.agent_id, func.avg(Evaluation.score)).group_by(Evaluation.agent_id)).all())
        assert min(means, key=means.get) == "j.garcia"
        assert session.exec(
            select(func.count()).where(Evaluation.agent_id == "j.garcia", Evaluation.critical_missed)
        ).one() >= 3
        # Siobhán is brand new, with two calls.
        assert session.exec(select(func.count()).where(Evaluation.agent_id == "s.oneill")).one() == 2


def test_demo_text_is_kept_literally(demo_db: str) -> None:
    engine = make_engine(demo_db)
    with Session(engine) as session:
        assert session.get(Agent, "s.oneill").name == "Siobhán O'Neill"
        quotes = set(session.exec(select(CriterionResult.quote).where(col(CriterionResult.quote).is_not(None))).all())
    assert any("[" in quote and "]" in quote for quote in quotes)


def test_loading_again_starts_clean(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = load_demo(url, today=TODAY)
    second = load_demo(url, today=TODAY)
    assert second.evaluations.added == first.evaluations.added > 0
    assert second.evaluations.unchanged == 0


def test_no_demo_call_is_scored_in_the_future(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # before the day's last demo calls
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    summary = load_demo(url, today=TODAY, now=now)
    engine = make_engine(url)
    with Session(engine) as session:
        newest = session.exec(select(func.max(Evaluation.occurred_at))).one()
        count = session.exec(select(func.count()).select_from(Evaluation)).one()
        new_agent_calls = session.exec(select(func.count()).where(Evaluation.agent_id == "s.oneill")).one()
    assert newest <= now
    assert count == summary.evaluations.added == len([r for r in demo_records(today=TODAY) if r["kind"] == "evaluation"])
    assert new_agent_calls == 2
