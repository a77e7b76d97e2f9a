"""QA tools' exports imported as they come out of the tools, through the one importer.

The adapters' own mapping rules are tested in test_source_amazon_connect.py and
test_source_genesys.py; here the files go all the way into the store (a real
SQLite file and PostgreSQL, the `engine` fixture): aliases, forms found among
the files, folders, idempotence, the QA lead's words, call records, backups.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.db import open_store
from nextcall.store.errors import ImportRejected
from nextcall.store.exporter import export_records
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.models import Criterion, CriterionResult, Evaluation
from nextcall.store.queries import behaviours_without_words, home_view
from tests import factories as f

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONNECT = FIXTURES / "amazon_connect"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)

EXAMPLE_AGENT = "286bcec0-e722-4166-865f-84db80252218"
"""The agentId of the Amazon Connect documentation's example."""
EXAMPLE_CALL = "badd4896-75f7-43b3-bee6-c617ed3d04cb"
EXAMPLE_SCORECARD = "15d8fbf1-b4b2-4ace-869b-82714e2f6e3e-v2"
CARE_AGENT = "a9f3c2d1-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def agents(tmp_path: Path, **aliases: list[str]) -> Path:
    records = [f.team()] + [
        f.agent(id=agent, name=agent.title(), aliases=ids) for agent, ids in (aliases or {"a.khan": [EXAMPLE_AGENT]}).items()
    ]
    return f.write_jsonl(tmp_path / "agents.jsonl", records)


def run(engine: Engine, paths: list[Path], source: str = "amazon-connect") -> ImportSummary:
    return import_files(engine, paths, source=source, now=NOW)


def problems(engine: Engine, paths: list[Path], source: str | None = "amazon-connect") -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, paths, source=source, now=NOW)
    return rejected.value.problems


def bucket(tmp_path: Path, *names: str) -> Path:
    """A folder as synced from S3: Evaluations/YYYY/MM/DD/<time>-<id>.json."""
    root = tmp_path / "bucket"
    for number, name in enumerate(names):
        day = root / "Evaluations" / "2026" / "11" / f"{20 + number:02d}"
        day.mkdir(parents=True)
        shutil.copy(CONNECT / name, day / f"10:0{number}:00.000Z-{name}")
    return root


def evaluation_of(engine: Engine, call_id: str) -> tuple[Evaluation, dict[str, tuple[str, Any, Any, Any]]]:
    with Session(engine) as session:
        evaluation = session.exec(select(Evaluation).where(Evaluation.call_id == call_id)).one()
        results = {
            key: (r.outcome, r.moment_s, r.quote, r.comment)
            for r, key in session.exec(
                select(CriterionResult, Criterion.key)
                .join(Criterion, Criterion.id == CriterionResult.criterion_id)
                .where(CriterionResult.evaluation_id == evaluation.id)
            )
        }
        return evaluation, results


def criteria(engine: Engine, scorecard: str) -> dict[str, tuple[str, float, bool, str]]:
    with Session(engine) as session:
        return {
            c.key: (c.name, c.weight, c.critical, c.next_call)
            for c in session.exec(select(Criterion).where(Criterion.scorecard_id == scorecard).order_by(Criterion.position))
        }


def test_the_documented_connect_example_imports_for_the_agent_its_alias_names(engine: Engine, tmp_path: Path) -> None:
    summary = run(engine, [agents(tmp_path), CONNECT / "example-3.1.json"])

    evaluation, results = evaluation_of(engine, EXAMPLE_CALL)
    assert (evaluation.agent_id, evaluation.scorecard_id, evaluation.evaluator) == ("a.khan", EXAMPLE_SCORECARD, "jane")
    assert evaluation.occurred_at == datetime(2022, 11, 14, 17, 59, 29, 52000, tzinfo=UTC)  # submitted: no call time
    assert results == {
        "q570b206a": ("na", None, None, "Add more information here"),
        "q73bc5b9d": ("met", None, None, "Add more information here"),
    }  # the TEXT question is not a behaviour
    assert criteria(engine, EXAMPLE_SCORECARD) == {
        "q570b206a": ("How do you rate the contact between 1 and 10?", 1.0, False, ""),
        "q73bc5b9d": ("Did the agent introduce themselves?", 1.0, False, ""),
    }
    assert (summary.evaluations.added, summary.submit_timed, summary.equal_weights) == (1, 1, [EXAMPLE_SCORECARD])
    line = summary.line()
    assert "1 evaluation dated when submitted: no call record gave the call's time" in line
    assert f"every behaviour weighs the same on {EXAMPLE_SCORECARD}: its form definition was not given" in line


def test_a_synced_folder_with_its_forms_scores_by_the_forms_and_imports_again_unchanged(engine: Engine, tmp_path: Path) -> None:
    root = bucket(tmp_path, "evaluation-v1-automatic-fail.json", "evaluation-v2-automated.json")
    shutil.copy(CONNECT / "forms-care.json", root / "forms-care.json")
    (root / ".sync-in-progress.json").write_text("{", encoding="utf-8")  # hidden: left alone
    people = agents(tmp_path, **{"a.khan": [CARE_AGENT]})

    summary = run(engine, [people, root])

    assert (summary.evaluations.added, summary.equal_weights, summary.scorecards.added) == (2, [], 2)
    ids = sorted(criteria(engine, s).keys() for s in _scorecards(engine))
    assert ids[0] == ids[1], "a behaviour keeps its key across the form's versions"
    assert any(critical for s in _scorecards(engine) for _, _, critical, _ in criteria(engine, s).values())

    again = run(engine, [people, root])
    assert (again.evaluations.unchanged, again.evaluations.added, again.evaluations.changed) == (2, 0, 0)
    assert (again.scorecards.total, again.agents.unchanged) == (0, 1)  # forms already scorecards: left as they are


def _scorecards(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Evaluation.scorecard_id).distinct()).all())


def test_an_evaluation_of_an_agent_without_that_alias_is_a_problem_naming_the_id(engine: Engine, tmp_path: Path) -> None:
    found = problems(engine, [agents(tmp_path, **{"a.khan": ["someone-else"]}), CONNECT / "example-3.1.json"])

    assert found == [
        f"{CONNECT / 'example-3.1.json'}: metadata.agentId: matches no agent; list it in the aliases of an agent "
        f'record ({{"kind":"agent","id":…,"aliases":["…"]}}) in this import or an earlier one (got "{EXAMPLE_AGENT}")'
    ]
    with Session(engine) as session:
        assert session.exec(select(Evaluation)).all() == []


def test_a_json_file_needs_from_and_a_broken_one_names_its_line(engine: Engine, tmp_path: Path) -> None:
    assert problems(engine, [CONNECT / "example-3.1.json"], source=None) == [
        f"{CONNECT / 'example-3.1.json'}:0: file: a .json file is a QA tool's export: say which with "
        '--from amazon-connect or --from genesys (got ".json")'
    ]
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "schemaVersion": "3.1",\n  "metadata": {,\n}', encoding="utf-8")
    found = problems(engine, [broken])
    assert found == [f"{broken}:3: record: not valid JSON (Expecting property name enclosed in double quotes) "
                     '(got "  \\"metadata\\": {,")']


def test_the_qa_leads_words_stay_when_the_tools_files_come_again(engine: Engine, tmp_path: Path) -> None:
    run(engine, [agents(tmp_path), CONNECT / "example-3.1.json"])
    assert [key for _, key, _ in behaviours_without_words(engine)] == ["q570b206a", "q73bc5b9d"]

    with Session(engine) as session:
        scorecard = next(r for r in export_records(session) if r["kind"] == "scorecard")
    for criterion in scorecard["criteria"]:
        criterion["next_call"] = f"Practise: {criterion['name']}"
    run(engine, [f.write_jsonl(tmp_path / "words.jsonl", [scorecard])])
    assert behaviours_without_words(engine) == []

    again = run(engine, [agents(tmp_path), CONNECT / "example-3.1.json"])
    assert again.evaluations.unchanged == 1
    assert {words for _, _, _, words in criteria(engine, EXAMPLE_SCORECARD).values()} == {
        "Practise: How do you rate the contact between 1 and 10?", "Practise: Did the agent introduce themselves?",
    }


def test_until_worded_the_next_call_is_the_behaviours_name(engine: Engine, tmp_path: Path) -> None:
    question = {"key": "q1", "name": "Did the agent introduce themselves?", "weight": 1, "critical": False}
    run(engine, [f.write_jsonl(tmp_path / "unworded.jsonl", [
        f.team(), f.agent(), f.scorecard(criteria=[question]),
        f.evaluation(results=[f.result("q1", "missed")]),
    ])])

    home = home_view(engine, agent_id="a.khan")

    assert home is not None and home.focus is not None
    assert (home.focus.criterion.next_call, home.focus.criterion.worded) == ("Did the agent introduce themselves?", False)


def test_a_call_record_gives_a_vendor_evaluation_its_call_time(engine: Engine, tmp_path: Path) -> None:
    call = f.write_jsonl(tmp_path / "calls.jsonl", [
        {"kind": "call", "call_id": EXAMPLE_CALL, "occurred_at": "2022-11-14T17:21:00Z", "channel": "chat", "csat": 5},
    ])

    summary = run(engine, [agents(tmp_path), CONNECT / "example-3.1.json", call])

    evaluation, _ = evaluation_of(engine, EXAMPLE_CALL)
    assert (evaluation.occurred_at, evaluation.channel, evaluation.csat) == (
        datetime(2022, 11, 14, 17, 21, tzinfo=UTC), "chat", 5
    )
    assert summary.submit_timed == 0 and "dated when submitted" not in summary.line()


def test_vendor_files_round_trip_through_a_backup(engine: Engine, tmp_path: Path) -> None:
    root = bucket(tmp_path, "evaluation-v1-automatic-fail.json", "evaluation-v2-automated.json", "example-3.1.json")
    shutil.copy(CONNECT / "forms-care.json", root / "forms-care.json")
    people = agents(tmp_path, **{"a.khan": [EXAMPLE_AGENT], "b.ortiz": [CARE_AGENT]})
    survey = f.write_jsonl(tmp_path / "survey.jsonl", [{"kind": "call", "call_id": EXAMPLE_CALL, "csat": 2}])
    run(engine, [people, root, survey])

    with Session(engine) as session:
        first = list(export_records(session))
    backup = f.write_jsonl(tmp_path / "backup.jsonl", first)
    empty = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    import_files(empty, [backup], now=NOW)
    with Session(empty) as session:
        assert list(export_records(session)) == first
    assert json.dumps(first).count('"kind": "evaluation"') == 3


# -------------------------------------------------------------------- genesys

GENESYS = FIXTURES / "genesys"
GENESYS_AGENTS = {
    "a.khan": ["7a11ce00-0000-4000-8000-0000000000a1"],
    "b.ortiz": ["7a11ce00-0000-4000-8000-0000000000a2"],
    "c.diaz": ["9f9f9f9f-0000-4000-8000-00000000beef"],
}
RESCORED_CALL = "5c0e0000-0000-4000-8000-000000001001"


def test_a_genesys_page_with_its_forms_imports_finished_evaluations_and_a_rescore_replaces(
    engine: Engine, tmp_path: Path
) -> None:
    people = agents(tmp_path, **GENESYS_AGENTS)
    page = [people, GENESYS / "form_care_versions.json", GENESYS / "evaluations_page.json"]

    first = run(engine, page, source="genesys")

    assert (first.evaluations.added, first.skipped) == (4, 1)  # one not finished yet
    assert "1 evaluation left out (not finished)" in first.line()
    versions = ["6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e01", "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e02"]
    keys = [set(criteria(engine, version)) for version in versions]
    assert keys[0] & keys[1], "the form's versions share the behaviours' keys (contextId)"
    assert run(engine, page, source="genesys").evaluations.unchanged == 4
    before, _ = evaluation_of(engine, RESCORED_CALL)

    rescored = run(engine, [GENESYS / "evaluation_rescored.json", GENESYS / "form_care_versions.json"], source="genesys")

    after, _ = evaluation_of(engine, RESCORED_CALL)
    assert rescored.evaluations.changed == 1 and after.content_hash != before.content_hash
    # The whole folder again, old page and re-score together: the one submitted last is the call's.
    together = run(engine, [*page, GENESYS / "evaluation_rescored.json"], source="genesys")
    assert (together.evaluations.unchanged, together.superseded) == (4, 1)
    assert evaluation_of(engine, RESCORED_CALL)[0].content_hash == after.content_hash


def test_both_sources_round_trip_through_a_backup(engine: Engine, tmp_path: Path) -> None:
    run(engine, [agents(tmp_path, **GENESYS_AGENTS), GENESYS / "form_care_versions.json", GENESYS / "evaluations_page.json"],
        source="genesys")
    connect_agent = f.agent(id="d.lee", name="Dana Lee", aliases=[EXAMPLE_AGENT])
    run(engine, [f.write_jsonl(tmp_path / "connect-agents.jsonl", [connect_agent]), CONNECT / "example-3.1.json"])

    with Session(engine) as session:
        first = list(export_records(session))
    empty = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    import_files(empty, [f.write_jsonl(tmp_path / "backup.jsonl", first)], now=NOW)
    with Session(empty) as session:
        assert list(export_records(session)) == first
    assert sum(r["kind"] == "evaluation" for r in first) == 5
