"""Import format v1, JSON Lines: what lands in the store, and every way a batch is refused.

Each test runs on a real SQLite file and on PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

import nextcall.store.importer as importer
from nextcall.store.errors import ImportRejected
from nextcall.store.exporter import export_records
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.models import CSV_COLUMNS, Agent, Criterion, CriterionResult, Evaluation, Scorecard, Team
from tests import factories as f

TABLES = (Team, Agent, Scorecard, Criterion, Evaluation, CriterionResult)


# ------------------------------------------------------------------ helpers


def write(tmp_path: Path, records: list[dict[str, Any]], name: str = "batch.jsonl") -> Path:
    return f.write_jsonl(tmp_path / name, records)


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]], name: str = "batch.jsonl",
         **options: Any) -> ImportSummary:
    return import_files(engine, [write(tmp_path, records, name)], **options)


def problems_of(engine: Engine, paths: list[Path]) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, paths)
    return rejected.value.problems


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in TABLES}


def exported(engine: Engine) -> str:
    with Session(engine) as session:
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in export_records(session))


def stored_evaluation(
    engine: Engine, call_id: str = "C-100234"
) -> tuple[Evaluation, list[tuple[str, CriterionResult]]]:
    """The stored evaluation and its results as (criterion key, result), in scorecard order."""
    with Session(engine) as session:
        evaluation = session.exec(select(Evaluation).where(Evaluation.call_id == call_id)).one()
        rows = session.exec(
            select(Criterion.key, CriterionResult)
            .join(Criterion, Criterion.id == CriterionResult.criterion_id)
            .where(CriterionResult.evaluation_id == evaluation.id)
            .order_by(Criterion.position)
        ).all()
        return evaluation, [(key, result) for key, result in rows]


def without(record: dict[str, Any], path: str) -> dict[str, Any]:
    """A deep copy of `record` with the field at `path` (such as `results.0.outcome`) removed."""
    copy = json.loads(json.dumps(record))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    del target[last]
    return copy


def the_one_problem(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------ what lands


def test_every_field_of_every_kind_lands_and_times_are_stored_in_utc(engine: Engine, tmp_path: Path) -> None:
    evaluation = f.evaluation(occurred_at="2026-11-20T15:03:00+01:00")
    summary = load(engine, tmp_path, [*f.basics(), evaluation])

    assert (summary.teams.added, summary.agents.added, summary.scorecards.added) == (1, 1, 1)
    assert summary.evaluations.added == 1
    with Session(engine) as session:
        team = session.get(Team, "falcons")
        assert (team.id, team.name) == ("falcons", "Falcons")
        agent = session.get(Agent, "a.khan")
        assert (agent.id, agent.name, agent.team_id) == ("a.khan", "Aisha Khan", "falcons")
        assert session.get(Scorecard, "care-v1").name == "Customer care"
        criteria = session.exec(
            select(Criterion).where(Criterion.scorecard_id == "care-v1").order_by(Criterion.position)
        ).all()
        assert [(c.key, c.name, c.weight, c.critical, c.next_call, c.lesson, c.position) for c in criteria] == [
            ("greeting", "Greeting", 5, False, "On your next call: greeting.", "Why greeting matters.", 0),
            ("verify", "Verify", 10, True, "On your next call: verify.", "Why verify matters.", 1),
            ("confirm_need", "Confirm need", 15, False, "On your next call: confirm_need.",
             "Why confirm_need matters.", 2),
        ]

    stored, results = stored_evaluation(engine)
    assert (stored.agent_id, stored.scorecard_id, stored.channel, stored.duration_s, stored.evaluator) == (
        "a.khan", "care-v1", "phone", 412, "auto"
    )
    assert (stored.csat, stored.first_contact_resolution) == (4, True)
    assert stored.occurred_at == datetime(2026, 11, 20, 14, 3, tzinfo=UTC)
    assert stored.occurred_at.utcoffset().total_seconds() == 0
    assert [(key, r.outcome, r.moment_s, r.quote, r.comment) for key, r in results] == [
        ("greeting", "met", None, None, None),
        ("verify", "missed", 73, "Customer: I just need the reset link", "Skipped the security question"),
        ("confirm_need", "met", None, None, None),
    ]


def test_optional_fields_may_be_absent(engine: Engine, tmp_path: Path) -> None:
    team = without(f.team(), "name")
    scorecard = without(f.scorecard(criteria=[f.criterion("greeting")]), "criteria.0.lesson")
    evaluation = f.evaluation(results=[{"criterion": "greeting", "outcome": "missed"}])
    for name in ("duration_s", "evaluator", "csat", "first_contact_resolution"):
        del evaluation[name]

    load(engine, tmp_path, [team, f.agent(), scorecard, evaluation])

    with Session(engine) as session:
        assert session.get(Team, "falcons").name is None
        assert session.exec(select(Criterion.lesson)).one() is None
    stored, results = stored_evaluation(engine)
    assert (stored.duration_s, stored.evaluator, stored.csat, stored.first_contact_resolution) == (None,) * 4
    [(key, result)] = results
    assert (key, result.outcome, result.moment_s, result.quote, result.comment) == (
        "greeting", "missed", None, None, None
    )


REQUIRED = [
    ("team", "id"),
    ("agent", "id"),
    ("agent", "name"),
    ("agent", "team"),
    ("scorecard", "id"),
    ("scorecard", "name"),
    ("scorecard", "criteria"),
    ("scorecard", "criteria.1.key"),
    ("scorecard", "criteria.1.name"),
    ("scorecard", "criteria.1.weight"),
    ("scorecard", "criteria.1.critical"),
    ("evaluation", "call_id"),
    ("evaluation", "agent"),
    ("evaluation", "scorecard"),
    ("evaluation", "occurred_at"),
    ("evaluation", "channel"),
    ("evaluation", "results"),
    ("evaluation", "results.1.criterion"),
    ("evaluation", "results.1.outcome"),
    ("call", "call_id"),
]


@pytest.mark.parametrize(("kind", "field"), REQUIRED, ids=[f"{k}.{p}" for k, p in REQUIRED])
def test_a_missing_required_field_is_a_problem_naming_it(
    engine: Engine, tmp_path: Path, kind: str, field: str
) -> None:
    records = {"team": [], "agent": [f.team()], "scorecard": [], "evaluation": f.basics(), "call": []}[kind]
    broken = without(getattr(f, kind)(), field)
    path = write(tmp_path, [*records, broken])
    line = len(records) + 1
    shown = field.replace(".1.", "[1].")

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:{line}: {shown}: "), problem
    assert problem.endswith("(got nothing)")
    assert counts(engine)["Team"] == 0


def _bad_results() -> dict[str, Any]:
    return f.evaluation(results=[f.result("greeting"), f.result("verify", "yes")])


RANGE_RULES = [
    ("channel", lambda: f.evaluation(channel="fax"), "channel", '(got "fax")'),
    ("outcome", _bad_results, "results[1].outcome", '(got "yes")'),
    ("csat 0", lambda: f.evaluation(csat=0), "csat", "(got 0)"),
    ("csat 6", lambda: f.evaluation(csat=6), "csat", "(got 6)"),
    ("weight 0", lambda: f.scorecard(id="s2", criteria=[f.criterion("a", weight=0)]), "criteria[0].weight",
     "(got 0)"),
    ("weight negative", lambda: f.scorecard(id="s2", criteria=[f.criterion("a"), f.criterion("b", weight=-2.5)]),
     "criteria[1].weight", "(got -2.5)"),
    ("no time zone", lambda: f.evaluation(occurred_at="2026-11-20T14:03:00"), "occurred_at",
     '(got "2026-11-20T14:03:00")'),
]


@pytest.mark.parametrize(("record", "field", "got"), [r[1:] for r in RANGE_RULES], ids=[r[0] for r in RANGE_RULES])
def test_a_value_out_of_its_range_is_one_problem_showing_it(
    engine: Engine, tmp_path: Path, record: Any, field: str, got: str
) -> None:
    path = write(tmp_path, [*f.basics(), record()])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:4: {field}: "), problem
    assert problem.endswith(f" {got}"), problem


def test_a_problem_reads_file_line_field_what_and_got(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, [f.team(), f.agent(), f.evaluation(csat=7), f.scorecard()])

    assert problems_of(engine, [path]) == [f"{path}:3: csat: must be at most 5 (got 7)"]


# ------------------------------------------------------ criteria of a call


def test_an_evaluation_naming_a_criterion_twice_is_a_problem(engine: Engine, tmp_path: Path) -> None:
    evaluation = f.evaluation(results=[f.result("greeting"), f.result("verify"), f.result("greeting", "missed")])
    path = write(tmp_path, [*f.basics(), evaluation])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:4: results[2].criterion: "), problem
    assert problem.endswith('(got "greeting")')


def test_a_criterion_not_on_the_scorecard_is_a_problem(engine: Engine, tmp_path: Path) -> None:
    evaluation = f.evaluation(results=[f.result("greeting"), f.result("upsell")])
    path = write(tmp_path, [*f.basics(), evaluation])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:4: results[1].criterion: "), problem
    assert problem.endswith('(got "upsell")')


@pytest.mark.parametrize(
    ("results", "score"),
    [
        # verify (10, critical) is not named: na, so it leaves the denominator.
        ([f.result("greeting"), f.result("confirm_need", "missed")], 5 / 20),
        ([f.result("confirm_need")], 1.0),
        # a missed critical criterion fails the call whatever else was met
        ([f.result("greeting"), f.result("verify", "missed")], 0.0),
    ],
    ids=["weighted-met-over-applicable", "only-one-named", "critical-missed"],
)
def test_criteria_not_named_count_as_na_in_the_stored_score(
    engine: Engine, tmp_path: Path, results: list[dict[str, Any]], score: float
) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation(results=results)])

    stored, stored_results = stored_evaluation(engine)
    assert stored.score == pytest.approx(score)
    assert [key for key, _ in stored_results] == [r["criterion"] for r in results]


# ------------------------------------------------------------ references


def test_records_may_come_in_any_order_within_a_batch(engine: Engine, tmp_path: Path) -> None:
    summary = load(engine, tmp_path, [f.evaluation(), f.scorecard(), f.agent(), f.team()])

    assert summary.evaluations.added == 1
    assert counts(engine) == {
        "Team": 1, "Agent": 1, "Scorecard": 1, "Criterion": 3, "Evaluation": 1, "CriterionResult": 3,
    }


def test_references_may_be_satisfied_by_an_earlier_import(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [f.team()], "teams.jsonl")
    load(engine, tmp_path, [f.agent(), f.scorecard()], "people.jsonl")

    summary = load(engine, tmp_path, [f.evaluation()], "calls.jsonl")

    assert summary.evaluations.added == 1
    assert stored_evaluation(engine)[0].agent_id == "a.khan"


@pytest.mark.parametrize(
    ("records", "field", "got"),
    [
        ([*f.basics(), f.evaluation(agent="b.nobody")], "agent", "b.nobody"),
        ([*f.basics(), f.evaluation(scorecard="sales-v9")], "scorecard", "sales-v9"),
        ([f.team(), f.agent(team="hawks")], "team", "hawks"),
    ],
    ids=["agent", "scorecard", "team"],
)
def test_an_unknown_reference_is_a_problem_naming_the_field(
    engine: Engine, tmp_path: Path, records: list[dict[str, Any]], field: str, got: str
) -> None:
    path = write(tmp_path, records)

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:{len(records)}: {field}: "), problem
    assert problem.endswith(f'(got "{got}")')


# ------------------------------------------------------------ lines


def test_an_unknown_field_is_a_problem(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, [f.team(), {"kind": "agent", "id": "b.li", "nmae": "Bo Li", "name": "Bo Li",
                                        "team": "falcons"}])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:2: nmae: "), problem
    assert problem.endswith('(got "Bo Li")')


def test_an_unknown_kind_is_a_problem_on_kind(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, [f.team(), {"kind": "coach", "id": "c.ryan"}])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:2: kind: "), problem
    assert problem.endswith('(got "coach")')


def test_a_record_without_a_kind_is_a_problem_that_says_so(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, [f.team(), {"id": "b.li", "name": "Bo Li", "team": "falcons"}])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:2: "), problem
    assert "kind" in problem


@pytest.mark.parametrize(
    "line",
    [b'{"kind": "team", "id": "hawks"', b"kind=team id=hawks", b'["team", "hawks"]', b'"hawks"', b"42"],
    ids=["truncated", "not-json", "array", "string", "number"],
)
def test_a_line_that_is_not_a_json_object_is_a_problem_on_record(
    engine: Engine, tmp_path: Path, line: bytes
) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(json.dumps(f.team()).encode() + b"\n" + line + b"\n")

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:2: record: "), problem
    assert counts(engine)["Team"] == 0


def test_blank_lines_are_skipped_but_still_counted(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps(f.team()), "", "   \t", json.dumps(f.agent()), "", json.dumps(f.agent(id="b li"))]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")

    problem = the_one_problem(problems_of(engine, [path]))
    assert problem.startswith(f"{path}:6: id: "), problem

    path.write_text("\n".join(lines[:-1]) + "\r\n\r\n", encoding="utf-8")
    summary = import_files(engine, [path])
    assert (summary.teams.added, summary.agents.added) == (1, 1)


def test_a_utf8_bom_at_the_start_of_a_file_is_accepted(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\n" for r in f.basics()).encode())

    summary = import_files(engine, [path])

    assert (summary.teams.added, summary.agents.added, summary.scorecards.added) == (1, 1, 1)


def test_bytes_that_are_not_utf8_are_a_problem_on_their_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    latin1 = '{"kind": "agent", "id": "j.muller", "name": "Jörg Müller", "team": "falcons"}'.encode("latin-1")
    path.write_bytes(json.dumps(f.team()).encode() + b"\n" + latin1 + b"\n")

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:2: record: "), problem
    assert counts(engine)["Team"] == 0


# ------------------------------------------------------------ all or nothing


def _populate_other_data(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [
        f.team(id="hawks", name="Hawks"),
        f.agent(id="b.li", name="Bo Li", team="hawks"),
        f.scorecard(id="sales-v1", name="Sales", criteria=[f.criterion("pitch")]),
        f.evaluation(call_id="S-1", agent="b.li", scorecard="sales-v1", results=[f.result("pitch", "missed")]),
    ], "earlier.jsonl")


@pytest.mark.parametrize("store_held_data", [False, True], ids=["empty-store", "store-with-data"])
def test_a_batch_with_bad_lines_lists_every_one_and_writes_nothing(
    engine: Engine, tmp_path: Path, store_held_data: bool
) -> None:
    if store_held_data:
        _populate_other_data(engine, tmp_path)
    before_export, before_counts = exported(engine), counts(engine)
    first = write(tmp_path, [
        *f.basics(),
        f.evaluation(call_id="C-1"),
        f.evaluation(call_id="C-2", csat=9),  # line 5
        f.evaluation(call_id="C-3"),
    ], "first.jsonl")
    second = tmp_path / "second.jsonl"
    second.write_text(
        json.dumps(f.evaluation(call_id="C-4")) + "\n"
        + "{not json}\n"  # line 2
        + json.dumps(f.evaluation(call_id="C-5", agent="z.nobody")) + "\n"  # line 3
        + json.dumps(f.evaluation(call_id="C-6")) + "\n",
        encoding="utf-8",
    )

    problems = problems_of(engine, [first, second])

    assert {p.split(": ", 1)[0] for p in problems} == {f"{first}:5", f"{second}:2", f"{second}:3"}
    assert len(problems) == 3
    assert counts(engine) == before_counts
    assert exported(engine) == before_export


def test_a_failure_while_writing_leaves_the_store_as_it_was(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _populate_other_data(engine, tmp_path)
    before_export, before_counts = exported(engine), counts(engine)
    written_before_failure: list[bool] = []

    def fail_midway(session: Session, batch: Any, summary: Any) -> None:
        written_before_failure.append(session.get(Team, "falcons") is not None
                                      and session.get(Agent, "a.khan") is not None)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_write_evaluations", fail_midway)

    with pytest.raises(RuntimeError, match="disk full"):
        load(engine, tmp_path, [*f.basics(), f.evaluation()])

    assert written_before_failure == [True]
    assert counts(engine) == before_counts
    assert exported(engine) == before_export


# ------------------------------------------------------- again and again


def test_importing_the_same_file_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    records = [*f.basics(), f.evaluation(call_id="C-1"), f.evaluation(call_id="C-2", csat=None),
               f.evaluation(call_id="C-3", occurred_at="2026-11-21T09:00:00-05:00")]
    path = write(tmp_path, records)
    import_files(engine, [path])
    before = exported(engine)

    again = import_files(engine, [path])

    e = again.evaluations
    assert (e.added, e.changed, e.unchanged) == (0, 0, 3)
    assert "3 evaluations: 0 added, 0 replaced, 3 unchanged" in again.line()
    assert (again.teams.unchanged, again.agents.unchanged, again.scorecards.unchanged) == (1, 1, 1)
    assert exported(engine) == before


def test_a_call_id_seen_again_with_new_content_replaces_the_evaluation(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation()], "first.jsonl")
    assert stored_evaluation(engine)[0].score == 0  # verify, critical, was missed

    rescored = f.evaluation(results=[f.result("greeting", "missed"), f.result("verify", "met", comment="Disputed")])
    summary = load(engine, tmp_path, [rescored], "rescore.jsonl")

    e = summary.evaluations
    assert (e.added, e.changed, e.unchanged) == (0, 1, 0)
    stored, results = stored_evaluation(engine)
    assert [(key, r.outcome, r.moment_s, r.quote, r.comment) for key, r in results] == [
        ("greeting", "missed", None, None, None),
        ("verify", "met", None, None, "Disputed"),
    ]
    assert stored.score == pytest.approx(10 / 15)
    assert counts(engine)["Evaluation"] == 1
    assert counts(engine)["CriterionResult"] == 2


def test_one_call_id_twice_in_a_batch_with_different_content_names_both_lines(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, [*f.basics(), f.evaluation(csat=4), f.team(id="hawks"), f.evaluation(csat=2)])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:6: call_id: "), problem
    assert f"{path}:4" in problem
    assert counts(engine)["Team"] == 0


def test_the_same_call_in_another_order_or_utc_offset_is_unchanged(engine: Engine, tmp_path: Path) -> None:
    original = f.evaluation(occurred_at="2026-11-20T14:03:00Z")
    load(engine, tmp_path, [*f.basics(), original], "first.jsonl")
    before = exported(engine)

    same = f.evaluation(occurred_at="2026-11-20T09:03:00-05:00", results=list(reversed(original["results"])))
    summary = load(engine, tmp_path, [same], "again.jsonl")

    e = summary.evaluations
    assert (e.added, e.changed, e.unchanged) == (0, 0, 1)
    assert exported(engine) == before


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    summary = load(engine, tmp_path, [*f.basics(), f.evaluation(call_id="C-1"), f.evaluation(call_id="C-2")],
                   dry_run=True)

    assert summary.dry_run
    assert (summary.evaluations.added, summary.teams.added, summary.scorecards.added) == (2, 1, 1)
    assert summary.line().startswith("Dry run of ")
    assert set(counts(engine).values()) == {0}


# ------------------------------------------------------------ text kept as is


HOSTILE = [
    "[bold]x[/]",
    "[/foo]",
    "\x1b[31mred\x1b[0m",
    "🙂👍🏽",
    "شكرا لك",
    "תודה רבה",
    'She said: "no,\n\tnot again"',
]


@pytest.mark.parametrize("text", HOSTILE, ids=["markup", "closing-tag", "ansi", "emoji", "arabic", "hebrew",
                                               "newline-tab"])
def test_hostile_text_is_stored_byte_for_byte(engine: Engine, tmp_path: Path, text: str) -> None:
    scorecard = f.scorecard(name=text, criteria=[f.criterion("greeting", name=text, next_call=text, lesson=text)])
    evaluation = f.evaluation(evaluator=text, results=[f.result("greeting", quote=text, comment=text)])

    load(engine, tmp_path, [f.team(name=text), f.agent(name=text), scorecard, evaluation])

    with Session(engine) as session:
        assert session.get(Team, "falcons").name == text
        assert session.get(Agent, "a.khan").name == text
        assert session.get(Scorecard, "care-v1").name == text
        criterion = session.exec(select(Criterion)).one()
        assert (criterion.name, criterion.next_call, criterion.lesson) == (text, text, text)
    stored, [(_, result)] = stored_evaluation(engine)
    assert stored.evaluator == text
    assert (result.quote, result.comment) == (text, text)
    assert result.quote.encode("utf-8") == text.encode("utf-8")


def test_a_nul_character_is_a_problem_and_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    evaluation = f.evaluation(results=[f.result("greeting"), f.result("verify", quote="hold\x00on")])
    path = write(tmp_path, [*f.basics(), evaluation])

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:4: results[1].quote: "), problem
    assert set(counts(engine).values()) == {0}


# ------------------------------------------------------------ scorecard versions


def test_a_scorecard_may_change_its_wording_after_it_scored_calls(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation()], "first.jsonl")
    reworded = f.scorecard(name="Customer care (2027)")
    reworded["criteria"][1] |= {"name": "Checks who is calling", "next_call": "Ask the security question first.",
                                "lesson": "A new lesson."}

    summary = load(engine, tmp_path, [reworded], "reworded.jsonl")

    assert summary.scorecards.changed == 1
    with Session(engine) as session:
        assert session.get(Scorecard, "care-v1").name == "Customer care (2027)"
        verify = session.exec(select(Criterion).where(Criterion.key == "verify")).one()
        assert (verify.name, verify.next_call, verify.lesson, verify.weight, verify.critical) == (
            "Checks who is calling", "Ask the security question first.", "A new lesson.", 10, True
        )
    assert counts(engine)["CriterionResult"] == 3


def _reweighted() -> dict[str, Any]:
    scorecard = f.scorecard()
    scorecard["criteria"][0]["weight"] = 7
    return scorecard


def _shortened() -> dict[str, Any]:
    scorecard = f.scorecard()
    del scorecard["criteria"][2]
    return scorecard


@pytest.mark.parametrize("changed", [_reweighted, _shortened], ids=["weight", "removed-criterion"])
def test_a_scorecard_that_scored_calls_cannot_change_its_structure(
    engine: Engine, tmp_path: Path, changed: Any
) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation()], "first.jsonl")
    before = exported(engine)
    path = write(tmp_path, [f.team(), changed()], "v2.jsonl")

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:2: "), problem
    assert exported(engine) == before


@pytest.mark.parametrize("changed", [_reweighted, _shortened], ids=["weight", "removed-criterion"])
def test_a_scorecard_that_scored_no_call_may_change_its_structure(
    engine: Engine, tmp_path: Path, changed: Any
) -> None:
    load(engine, tmp_path, f.basics(), "first.jsonl")
    new = changed()

    load(engine, tmp_path, [new], "v2.jsonl")

    with Session(engine) as session:
        criteria = session.exec(select(Criterion).order_by(Criterion.position)).all()
    assert [(c.key, c.weight) for c in criteria] == [(c["key"], c["weight"]) for c in new["criteria"]]


# ------------------------------------------------------------------ what the contract refuses rather than guess


@pytest.mark.parametrize("occurred_at", [46346.5847, 1700000000, 1700000000000, -1, "46346.5847", "1700000000", "2026-11-20 14:03", "20/11/2026 14:03Z"])
def test_a_time_that_is_not_iso_8601_text_with_an_offset_is_refused(
    engine: Engine, tmp_path: Path, occurred_at: object
) -> None:
    before = counts(engine)
    path = f.write_jsonl(tmp_path / "times.jsonl", [*f.basics(), f.evaluation(occurred_at=occurred_at)])

    assert problems_of(engine, [path]) == [
        f"{path}:4: occurred_at: must be an ISO 8601 time with its offset, such as 2026-11-20T14:03:00Z "
        f"(got {json.dumps(occurred_at)})"
    ]
    assert counts(engine) == before


def test_a_csv_time_that_is_a_bare_number_is_refused(engine: Engine, tmp_path: Path) -> None:
    import_files(engine, [f.write_jsonl(tmp_path / "basics.jsonl", f.basics())])
    before = counts(engine)
    call = {key: value for key, value in f.evaluation(occurred_at="46346.5847").items() if key not in ("kind", "results")}
    path = f.write_csv(tmp_path / "excel.csv", [call | {"criterion": "greeting", "outcome": "met"}])

    problems = problems_of(engine, [path])
    assert problems and all("occurred_at: must be an ISO 8601 time with its offset" in p for p in problems)
    assert counts(engine) == before


@pytest.mark.parametrize(("field", "value"), [("csat", True), ("duration_s", False), ("csat", False)])
def test_true_or_false_where_a_number_belongs_is_refused(engine: Engine, tmp_path: Path, field: str, value: bool) -> None:
    before = counts(engine)
    path = f.write_jsonl(tmp_path / "bools.jsonl", [*f.basics(), f.evaluation(**{field: value})])

    assert problems_of(engine, [path]) == [
        f"{path}:4: {field}: must be a number, not true or false (got {json.dumps(value)})"
    ]
    assert counts(engine) == before


@pytest.mark.parametrize("agent_id", ["a.khan\u200b", "a.\u202ekhan", "a.khan\u009b", "a khan", "a/khan"])
def test_an_id_with_a_character_that_is_not_a_letter_digit_or_sign_is_refused(
    engine: Engine, tmp_path: Path, agent_id: str
) -> None:
    before = counts(engine)
    path = f.write_jsonl(tmp_path / "ids.jsonl", [f.team(), f.agent(id=agent_id)])

    [problem] = problems_of(engine, [path])
    assert problem.startswith(f"{path}:2: id: ")
    assert counts(engine) == before


def test_an_id_is_kept_in_one_spelling_and_may_use_any_letters(engine: Engine, tmp_path: Path) -> None:
    composed, decomposed = "jos\u00e9.garc\u00eda", "jose\u0301.garci\u0301a"
    import_files(engine, [f.write_jsonl(tmp_path / "a.jsonl", [f.team(), f.agent(id=composed, name="José")])])
    import_files(engine, [f.write_jsonl(tmp_path / "b.jsonl", [f.team(), f.agent(id=decomposed, name="José")])])
    with Session(engine) as session:
        assert session.exec(select(Agent.id)).all() == [composed]  # one agent, not two that look alike


@pytest.mark.parametrize(("name", "text"), [("empty.jsonl", ""), ("blank.jsonl", "\n  \n"), ("header.csv", ",".join(CSV_COLUMNS) + "\n")])
def test_a_file_with_nothing_to_import_says_so(engine: Engine, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = counts(engine)

    assert problems_of(engine, [path]) == [f"{path}:0: file: nothing to import in {path}: it holds no records (got nothing)"]
    assert counts(engine) == before


def test_a_key_given_twice_in_one_object_is_refused_naming_it(engine: Engine, tmp_path: Path) -> None:
    import_files(engine, [f.write_jsonl(tmp_path / "people.jsonl", [*f.basics(), f.agent(id="t.kowalski", name="Tomasz")])])
    before = counts(engine)
    line = json.dumps(f.evaluation()).replace('"agent": "a.khan"', '"agent": "a.khan", "csat": 4, "agent": "t.kowalski"', 1)
    nested = json.dumps(f.evaluation(call_id="C-2")).replace('"outcome": "met"', '"outcome": "met", "outcome": "missed"', 1)
    path = tmp_path / "twice.jsonl"
    path.write_text(line + "\n" + nested + "\n", encoding="utf-8")

    assert problems_of(engine, [path]) == [
        f'{path}:1: agent: is given twice in one object; give it once (got "agent")',
        f'{path}:2: outcome: is given twice in one object; give it once (got "outcome")',
    ]
    assert counts(engine) == before


@pytest.mark.parametrize("value", [1, 0, "yes", "true", "false", "1"])
def test_anything_but_true_or_false_for_a_yes_or_no_is_refused(engine: Engine, tmp_path: Path, value: object) -> None:
    before = counts(engine)
    path = f.write_jsonl(tmp_path / "fcr.jsonl", [*f.basics(), f.evaluation(first_contact_resolution=value)])

    assert problems_of(engine, [path]) == [
        f"{path}:4: first_contact_resolution: must be true or false (got {json.dumps(value)})"
    ]
    assert counts(engine) == before


def test_a_critical_flag_spelled_as_text_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = f.write_jsonl(tmp_path / "card.jsonl", [f.scorecard(criteria=[f.criterion("verify", critical="true")])])

    assert problems_of(engine, [path]) == [f'{path}:1: criteria[0].critical: must be true or false (got "true")']
    assert counts(engine) == {table.__name__: 0 for table in TABLES}


NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize("occurred_at", ["9999-12-31T23:59:59Z", "2026-11-26T12:00:01Z", "2026-11-27T01:00:00+12:00"])
def test_a_call_more_than_a_day_after_the_import_is_refused(engine: Engine, tmp_path: Path, occurred_at: str) -> None:
    path = f.write_jsonl(tmp_path / "future.jsonl", [*f.basics(), f.evaluation(occurred_at=occurred_at)])

    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, [path], now=NOW)

    shown = datetime.fromisoformat(occurred_at.replace("Z", "+00:00")).astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert rejected.value.problems == [
        f"{path}:4: occurred_at: is more than a day after this import (2026-11-25T12:00:00Z): "
        f'a call is scored after it happens (got "{shown}")'
    ]
    assert counts(engine) == {table.__name__: 0 for table in TABLES}


def test_a_call_within_a_day_of_the_import_is_taken(engine: Engine, tmp_path: Path) -> None:
    path = f.write_jsonl(tmp_path / "soon.jsonl", [*f.basics(), f.evaluation(occurred_at="2026-11-26T12:00:00Z")])

    assert import_files(engine, [path], now=NOW).evaluations.added == 1


def test_past_a_thousand_problems_the_count_says_how_many_there_are(engine: Engine, tmp_path: Path) -> None:
    bad = [f.evaluation(call_id=f"C-{n}", channel="fax") for n in range(1500)]
    path = f.write_jsonl(tmp_path / "many.jsonl", [*f.basics(), *bad])

    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, [path])

    assert len(rejected.value.problems) == 1000
    assert rejected.value.problems[-1].startswith(f"{path}:1003: channel: must be one of phone, chat or email")
    assert rejected.value.message.splitlines()[-1] == "the first 1,000 of 1,500 problems are listed; nothing was imported."
    assert counts(engine) == {table.__name__: 0 for table in TABLES}
