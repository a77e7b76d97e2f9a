"""Import of what agents made themselves: goals, self-assessments and the leaderboard choice.

Each test runs on a real SQLite file and on PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from nextcall.store.errors import ImportRejected
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.leaderboard import is_opted_out, set_opt_out
from nextcall.store.models import Agent, Evaluation, Goal, SelfAssessment
from nextcall.store.self_assessments import Draft, load_draft, save_draft
from tests import factories as f

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]], name: str = "backup.jsonl") -> ImportSummary:
    return import_files(engine, [f.write_jsonl(tmp_path / name, records)], now=NOW)


def problems_of(engine: Engine, tmp_path: Path, records: list[dict[str, Any]]) -> tuple[Path, list[str]]:
    path = f.write_jsonl(tmp_path / "backup.jsonl", records)
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, [path], now=NOW)
    return path, rejected.value.problems


def counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(session.exec(select(func.count()).select_from(t)).one() for t in (Agent, Evaluation, Goal, SelfAssessment))


def with_calls() -> list[dict[str, Any]]:
    return [*f.basics(), f.evaluation()]


def refused_alone(engine: Engine, tmp_path: Path, record: dict[str, Any], problem: str) -> None:
    """Imported on its own into a store with calls, `record` is refused with one problem that starts `problem`, and nothing is written."""
    load(engine, tmp_path, with_calls(), name="first.jsonl")
    before = counts(engine)

    path, problems = problems_of(engine, tmp_path, [record])

    assert len(problems) == 1 and problems[0].startswith(f"{path}:1: {problem}"), problems
    assert counts(engine) == before


# ----------------------------------------------------------------------- goals


def test_a_goal_lands_with_its_start_baseline_target_and_end(engine: Engine, tmp_path: Path) -> None:
    summary = load(engine, tmp_path, [*with_calls(), f.goal(
        status="dropped", started_at="2026-11-01T10:00:00+01:00", ended_at="2026-11-10T09:00:00Z", reason="Busy week",
    )])

    assert (summary.goals.added, summary.goals.total) == (1, 1)
    assert "1 goal" in summary.line()
    with Session(engine) as session:
        goal = session.exec(select(Goal)).one()
    assert (goal.agent_id, goal.status, goal.started_at, goal.ended_at, goal.drop_reason) == (
        "a.khan", "dropped", datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 10, 9, tzinfo=UTC), "Busy week",
    )
    assert (goal.baseline_met, goal.baseline_applicable, goal.target_met, goal.target_window) == (4, 10, 8, 10)


def test_a_goal_imported_again_with_its_end_replaces_the_active_one(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*with_calls(), f.goal()])

    again = load(engine, tmp_path, [f.goal(status="dropped", ended_at="2026-11-20T09:00:00Z")], name="later.jsonl")

    assert (again.goals.added, again.goals.changed) == (0, 1)
    with Session(engine) as session:
        assert session.exec(select(Goal.status)).all() == ["dropped"]


def test_two_active_goals_for_one_agent_are_refused(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*with_calls(), f.goal()])
    before = counts(engine)

    path, problems = problems_of(engine, tmp_path, [f.goal(criterion="greeting", started_at="2026-11-15T09:00:00Z")])

    assert problems == [
        f"{path}:1: status: a.khan would have two active goals (another started 2026-11-01T09:00:00Z); an agent works "
        'on one behaviour at a time: give the other its status and ended_at (got "active")'
    ]
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"criterion": "hold"}, 'criterion: not a criterion of scorecard care-v1 (got "hold")'),
        ({"scorecard": "sales-v9"}, 'scorecard: unknown scorecard; add a {"kind":"scorecard"} record to the batch or import it first (got "sales-v9")'),
        ({"agent": "z.nobody"}, 'agent: unknown agent; add a {"kind":"agent"} record to the batch or import it first (got "z.nobody")'),
        ({"status": "dropped"}, "record: a dropped goal needs its ended_at (got"),
        ({"ended_at": "2026-11-02T00:00:00Z"}, "record: an active goal has no ended_at (got"),
        ({"status": "mastered", "ended_at": "2026-10-01T00:00:00Z"}, "record: ended_at must not be before started_at (got"),
        ({"reason": "why"}, "record: only a dropped goal has a reason (got"),
        ({"baseline_met": 11}, "record: baseline_met must be at most baseline_applicable (got"),
        ({"target_met": True}, "target_met: must be a number, not true or false (got true)"),
        ({"status": "paused"}, 'status: must be one of active, mastered or dropped (got "paused")'),
    ],
)
def test_a_goal_that_does_not_hold_together_is_refused(
    engine: Engine, tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    refused_alone(engine, tmp_path, f.goal(**changes), problem)


# ----------------------------------------------------------- self-assessments


def test_a_submitted_self_assessment_and_a_draft_land_as_written(engine: Engine, tmp_path: Path) -> None:
    words = "“Quotes”, <b>tags</b> and [bold]markup[/] stay as written.\nSecond line."
    summary = load(engine, tmp_path, [
        *with_calls(), f.self_assessment(strengths=words),
        f.self_assessment(submitted_at=None, session_on=None, updated_at="2026-11-22T08:00:00Z", strengths="Half a thought",
                          ratings={"verify": 3}),
    ])

    assert summary.self_assessments.added == 2
    assert load_draft(engine, agent_id="a.khan") == Draft(None, "Half a thought", "Rushing the need.",
                                                          "Confirming the need first.", {"verify": 3})
    with Session(engine) as session:
        submitted = session.exec(select(SelfAssessment).where(SelfAssessment.submitted_at.is_not(None))).one()
    assert (submitted.strengths, submitted.session_on, submitted.ratings) == (words, date(2026, 11, 24), {"confirm_need": 2})


def test_a_draft_the_agent_saved_after_the_backup_is_kept(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, with_calls(), name="first.jsonl")
    save_draft(engine, agent_id="a.khan", now=datetime(2026, 11, 23, tzinfo=UTC), draft=Draft(strengths="Newer words"))

    summary = load(engine, tmp_path, [f.self_assessment(submitted_at=None, updated_at="2026-11-22T08:00:00Z", strengths="Older")])

    assert (summary.self_assessments.changed, summary.self_assessments.unchanged) == (0, 1)
    assert load_draft(engine, agent_id="a.khan").strengths == "Newer words"  # type: ignore[union-attr]


def test_a_draft_from_a_later_backup_replaces_the_agents_older_one(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, with_calls(), name="first.jsonl")
    save_draft(engine, agent_id="a.khan", now=datetime(2026, 11, 20, tzinfo=UTC), draft=Draft(strengths="Older words"))

    summary = load(engine, tmp_path, [f.self_assessment(submitted_at=None, updated_at="2026-11-22T08:00:00Z", strengths="Newer")])

    assert summary.self_assessments.changed == 1
    assert load_draft(engine, agent_id="a.khan").strengths == "Newer"  # type: ignore[union-attr]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(SelfAssessment)).one() == 1


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"session_on": None}, "record: a submitted self-assessment needs its session_on (got"),
        ({"session_on": "24/11/2026"}, 'session_on: must be a day written as YYYY-MM-DD, such as 2026-11-30 (got "24/11/2026")'),
        ({"session_on": 1700000000}, "session_on: must be a day written as YYYY-MM-DD, such as 2026-11-30 (got 1700000000)"),
        ({"ratings": {"confirm_need": 5}}, "ratings.confirm_need: must be one of 1 (never), 2 (sometimes), 3 (usually), 4 (always) (got 5)"),
        ({"ratings": {"confirm_need": True}}, "ratings.confirm_need: must be a number, not true or false (got true)"),
        ({"ratings": {"tone": 2}}, 'ratings.tone: not a criterion of any scorecard (got "tone")'),
        ({"updated_at": "2026-11-20T10:00:00Z"}, "record: updated_at must not be before submitted_at (got"),
        ({"agent": "z.nobody"}, 'agent: unknown agent; add a {"kind":"agent"} record to the batch or import it first (got "z.nobody")'),
    ],
)
def test_a_self_assessment_that_does_not_hold_together_is_refused(
    engine: Engine, tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    refused_alone(engine, tmp_path, f.self_assessment(**changes), problem)


def test_two_different_drafts_of_one_agent_are_refused(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, with_calls(), name="first.jsonl")

    path, problems = problems_of(engine, tmp_path, [
        f.self_assessment(submitted_at=None, strengths="One"), f.self_assessment(submitted_at=None, strengths="Two"),
    ])

    assert problems == [
        f"{path}:2: agent: draft self-assessment of a.khan (an agent has one draft) appears again with different "
        f'content (first at {path}:1) (got "a.khan")'
    ]


# --------------------------------------------------------- leaderboard choice


def test_an_agent_record_without_the_choice_keeps_the_agents_own(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, with_calls(), name="first.jsonl")
    set_opt_out(engine, agent_id="a.khan", anonymous=True)

    summary = load(engine, tmp_path, [f.team(), f.agent(name="Aisha Khan")], name="qa-export.jsonl")

    assert summary.agents.unchanged == 1
    assert is_opted_out(engine, agent_id="a.khan")


@pytest.mark.parametrize("choice", [True, False])
def test_an_agent_record_with_the_choice_restores_it(engine: Engine, tmp_path: Path, choice: bool) -> None:
    load(engine, tmp_path, with_calls(), name="first.jsonl")
    set_opt_out(engine, agent_id="a.khan", anonymous=not choice)

    load(engine, tmp_path, [f.team(), f.agent(leaderboard_opt_out=choice)])

    assert is_opted_out(engine, agent_id="a.khan") is choice


def test_the_choice_is_true_or_false_and_nothing_else(engine: Engine, tmp_path: Path) -> None:
    path, problems = problems_of(engine, tmp_path, [f.team(), f.agent(leaderboard_opt_out="yes")])

    assert problems == [f'{path}:2: leaderboard_opt_out: must be true or false (got "yes")']
    assert counts(engine) == (0, 0, 0, 0)


def test_the_summary_counts_goals_and_self_assessments_too(engine: Engine, tmp_path: Path) -> None:
    summary = load(engine, tmp_path, [*with_calls(), f.goal(), f.self_assessment()])

    assert summary.line() == (
        "Imported backup.jsonl: 1 evaluations: 1 added, 0 replaced, 0 unchanged; "
        "1 team, 1 agent, 1 scorecard, 1 goal, 1 self-assessment (5 new or updated)."
    ).replace("backup.jsonl", str(tmp_path / "backup.jsonl"))
