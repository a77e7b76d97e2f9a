"""Call records and agents' aliases: what QA tools and contact-center systems add to format v1.

Each test runs on a real SQLite file and on PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.db import open_store
from nextcall.store.errors import ImportRejected
from nextcall.store.exporter import export_records
from nextcall.store.goals import start_goal
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.models import AgentAlias, Evaluation
from nextcall.store.queries import goal_view
from tests import factories as f

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]], now: datetime = NOW) -> ImportSummary:
    name = f"batch-{len(list(tmp_path.glob('batch-*.jsonl')))}.jsonl"
    return import_files(engine, [f.write_jsonl(tmp_path / name, records)], now=now)


def problems(engine: Engine, tmp_path: Path, records: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        load(engine, tmp_path, records)
    return rejected.value.problems


def stored(engine: Engine, call_id: str = "C-100234") -> tuple[Any, ...]:
    with Session(engine) as session:
        evaluation = session.exec(select(Evaluation).where(Evaluation.call_id == call_id)).one()
        return (evaluation.occurred_at, evaluation.channel, evaluation.duration_s, evaluation.csat,
                evaluation.first_contact_resolution)


def aliases(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return dict(session.exec(select(AgentAlias.alias, AgentAlias.agent_id)).all())


# -------------------------------------------------------------------- calls


def test_a_call_record_after_its_evaluation_corrects_it_and_both_stay_idempotent(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation()])
    when = datetime(2026, 11, 20, 13, 58, tzinfo=UTC)

    summary = load(engine, tmp_path, [f.call(csat=2, occurred_at="2026-11-20T13:58:00Z", channel="chat")])

    assert (summary.calls.added, summary.evaluations.total) == (1, 0)
    assert stored(engine) == (when, "chat", 412, 2, True)  # given fields win; the rest are the evaluation's
    again = load(engine, tmp_path, [f.call(csat=2, occurred_at="2026-11-20T13:58:00Z", channel="chat"), f.evaluation()])
    assert (again.calls.unchanged, again.evaluations.unchanged) == (1, 1)
    assert stored(engine) == (when, "chat", 412, 2, True)


def test_a_call_record_before_its_evaluation_waits_for_it(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [f.call(csat=5, first_contact_resolution=False)])

    load(engine, tmp_path, [*f.basics(), f.evaluation()])

    assert stored(engine)[3:] == (5, False)


def test_a_call_record_in_the_same_batch_and_a_rescore_keep_the_details(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.call(duration_s=30), f.evaluation()])
    assert stored(engine)[2] == 30

    rescored = f.evaluation(results=[f.result("greeting", "missed")])
    summary = load(engine, tmp_path, [rescored])

    assert summary.evaluations.changed == 1
    assert stored(engine)[2] == 30


def test_a_corrected_call_record_replaces_the_earlier_one(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation(), f.call(csat=1)])

    summary = load(engine, tmp_path, [f.call(csat=3)])

    assert summary.calls.changed == 1
    assert stored(engine)[3] == 3


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"kind": "call", "call_id": "C-1"}, "call_id: a call record needs at least one of occurred_at, channel"),
        (f.call(csat=6), "csat: must be at most 5"),
        (f.call(first_contact_resolution="yes"), "first_contact_resolution: must be true or false"),
        (f.call(occurred_at="2027-01-01T00:00:00Z"), "occurred_at: is more than a day after this import"),
        (f.call(recording="x"), "recording: is not a field of this record"),
    ],
    ids=["nothing", "csat", "fcr", "future", "unknown"],
)
def test_a_bad_call_record_is_a_problem_naming_its_field(engine: Engine, tmp_path: Path, record: dict, expected: str) -> None:
    found = problems(engine, tmp_path, [record])
    assert len(found) == 1 and expected.split(": ", 1)[1] in found[0], found
    assert found[0].startswith(f"{tmp_path / 'batch-0.jsonl'}:1: "), found


def test_call_details_come_in_a_csv_of_their_own(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation(), f.evaluation(call_id="C-2")])
    survey = tmp_path / "survey.csv"
    survey.write_text("call_id,csat,first_contact_resolution\nC-100234,1,no\nC-2,5,yes\n", encoding="utf-8")

    summary = import_files(engine, [survey], now=NOW)

    assert summary.calls.added == 2
    assert stored(engine)[3:] == (1, False) and stored(engine, "C-2")[3:] == (5, True)
    bad = tmp_path / "bad.csv"
    bad.write_text("call_id,csat\nC-2,nine\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, [bad], now=NOW)
    assert rejected.value.problems == [f'{bad}:2: csat: must be a whole number (got "nine")']
    typo = tmp_path / "typo.csv"
    typo.write_text("call_id,cast\nC-2,4\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, [typo], now=NOW)
    assert rejected.value.problems == [
        f"{typo}:1: header: 'cast' is not a column of a call details CSV (call_id, occurred_at, channel, duration_s, "
        'csat, first_contact_resolution, recording_url) (got "cast")'
    ]


def test_a_survey_a_week_later_changes_did_it_work(engine: Engine, tmp_path: Path) -> None:
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)

    def call(n: int, outcome: str, csat: int) -> dict[str, Any]:
        return f.evaluation(call_id=f"C-{n + 100}", occurred_at=(t0 + timedelta(hours=n)).isoformat(), csat=csat,
                            results=[f.result("confirm_need", outcome)])

    load(engine, tmp_path, [*f.basics(), *(call(-n, "missed", 2) for n in range(1, 6))], now=t0)
    goal_id = start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=t0)
    load(engine, tmp_path, [call(n, "met", 3) for n in range(1, 6)], now=t0 + timedelta(days=1))
    before = goal_view(engine, goal_id=goal_id).effectiveness  # type: ignore[union-attr]
    assert before.after.mean_csat == pytest.approx(3)

    # The survey results for the calls since the goal came in a week later.
    surveys = [f.call(call_id=f"C-{n + 100}", csat=5) for n in range(1, 6)]
    load(engine, tmp_path, surveys, now=t0 + timedelta(days=8))

    effect = goal_view(engine, goal_id=goal_id).effectiveness  # type: ignore[union-attr]
    assert effect.after.mean_csat == pytest.approx(5)
    assert effect.before.mean_csat == pytest.approx(2)


# ------------------------------------------------------------------ aliases


def test_aliases_are_kept_replaced_by_a_new_list_and_left_alone_when_absent(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [f.team(), f.agent(aliases=["286bcec0-e722", "arn:aws:connect:x/agent/1"])])
    assert aliases(engine) == {"286bcec0-e722": "a.khan", "arn:aws:connect:x/agent/1": "a.khan"}

    summary = load(engine, tmp_path, [f.agent()])
    assert (summary.agents.unchanged, aliases(engine)["286bcec0-e722"]) == (1, "a.khan")

    summary = load(engine, tmp_path, [f.agent(aliases=["g-77"])])
    assert summary.agents.changed == 1
    assert aliases(engine) == {"g-77": "a.khan"}


def test_an_alias_names_one_agent(engine: Engine, tmp_path: Path) -> None:
    ben = f.agent(id="b.ortiz", name="Ben Ortiz")
    assert problems(engine, tmp_path, [f.team(), f.agent(aliases=["u-1"]), ben | {"aliases": ["u-1"]}]) == [
        f'{tmp_path / "batch-0.jsonl"}:3: aliases: is also an alias of agent a.khan '
        f'({tmp_path / "batch-0.jsonl"}:2); an alias names one agent (got "u-1")'
    ]
    load(engine, tmp_path, [f.team(), f.agent(aliases=["u-1"]), ben])
    found = problems(engine, tmp_path, [ben | {"aliases": ["u-1"]}])
    assert len(found) == 1 and "is already an alias of agent a.khan" in found[0]
    # Moved in one batch: both agents listed with their new lists.
    load(engine, tmp_path, [f.agent(aliases=[]), ben | {"aliases": ["u-1"]}])
    assert aliases(engine) == {"u-1": "b.ortiz"}


@pytest.mark.parametrize("alias", ["has space", "", "zero\u200bwidth", "x" * 201])
def test_an_alias_is_a_visible_id(engine: Engine, tmp_path: Path, alias: str) -> None:
    found = problems(engine, tmp_path, [f.team(), f.agent(aliases=[alias])])
    assert len(found) == 1 and ": aliases[0]: " in found[0], found


# ------------------------------------------------------------------ backups


def test_a_backup_carries_calls_aliases_and_behaviours_without_words(engine: Engine, tmp_path: Path) -> None:
    unworded = f.scorecard(id="vendor-v1", criteria=[{"key": "q1", "name": "Did the agent introduce themselves?",
                                                     "weight": 1, "critical": False}])
    load(engine, tmp_path, [
        f.team(), f.scorecard(), f.agent(aliases=["286bcec0"]), unworded, f.evaluation(), f.call(csat=1), f.call(call_id="C-later", csat=5),
        f.evaluation(call_id="C-2", scorecard="vendor-v1", results=[f.result("q1", "met")]),
    ])
    with Session(engine) as session:
        first = list(export_records(session))
    assert {"kind": "call", "call_id": "C-later", "csat": 5} in first
    assert [r for r in first if r["kind"] == "agent"][0]["aliases"] == ["286bcec0"]
    assert "next_call" not in [r for r in first if r.get("id") == "vendor-v1"][0]["criteria"][0]

    empty = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    backup = tmp_path / "backup.jsonl"
    backup.write_text("".join(json.dumps(r) + "\n" for r in first), encoding="utf-8")
    import_files(empty, [backup], now=NOW)
    with Session(empty) as session:
        assert list(export_records(session)) == first
