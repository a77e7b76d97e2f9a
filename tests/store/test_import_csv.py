"""Import format v1, CSV: one row per result, the call's fields repeated on each row.

Each test runs on a real SQLite file and on PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from nextcall.store.errors import ImportRejected
from nextcall.store.exporter import export_records
from nextcall.store.importer import import_files
from nextcall.store.models import CSV_COLUMNS, Criterion, CriterionResult, Evaluation, Team
from tests import factories as f


def problems_of(engine: Engine, paths: list[Path]) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_files(engine, paths)
    return rejected.value.problems


def the_one_problem(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


def evaluations_stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Evaluation)).one()


def stored_results(engine: Engine, call_id: str = "C-100234") -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Criterion.key, CriterionResult)
            .join(Criterion, Criterion.id == CriterionResult.criterion_id)
            .join(Evaluation, Evaluation.id == CriterionResult.evaluation_id)
            .where(Evaluation.call_id == call_id)
            .order_by(Criterion.position)
        ).all()
    return [(key, r.outcome, r.moment_s, r.quote, r.comment) for key, r in rows]


def exported(engine: Engine) -> str:
    with Session(engine) as session:
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in export_records(session))


@pytest.fixture
def basics(engine: Engine, tmp_path: Path) -> None:
    """A team, an agent and a scorecard already in the store: what CSV evaluations name."""
    import_files(engine, [f.write_jsonl(tmp_path / "basics.jsonl", f.basics())])


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue()


def call_rows(**fields: Any) -> list[list[str]]:
    """The data rows of one evaluation, as the cells a CSV file holds."""
    cells = []
    for row in f.csv_rows(f.evaluation(**fields)):
        cells.append(["" if row[c] is None else ("true" if row[c] is True else "false" if row[c] is False
                                                  else str(row[c])) for c in CSV_COLUMNS])
    return cells


# ------------------------------------------------------------------ reading


@pytest.mark.usefixtures("basics")
def test_a_csv_evaluation_imports_with_every_field(engine: Engine, tmp_path: Path) -> None:
    path = f.write_csv(tmp_path / "calls.csv", f.csv_rows(f.evaluation(occurred_at="2026-11-20T15:03:00+01:00")))

    summary = import_files(engine, [path])

    assert summary.evaluations.added == 1
    with Session(engine) as session:
        stored = session.exec(select(Evaluation)).one()
    assert (stored.call_id, stored.agent_id, stored.scorecard_id, stored.channel) == (
        "C-100234", "a.khan", "care-v1", "phone"
    )
    assert (stored.duration_s, stored.evaluator, stored.csat, stored.first_contact_resolution) == (412, "auto", 4, True)
    assert stored.occurred_at.isoformat() == "2026-11-20T14:03:00+00:00"
    assert stored.score == 0  # verify is critical and was missed
    assert stored_results(engine) == [
        ("greeting", "met", None, None, None),
        ("verify", "missed", 73, "Customer: I just need the reset link", "Skipped the security question"),
        ("confirm_need", "met", None, None, None),
    ]


@pytest.mark.usefixtures("basics")
def test_quoted_commas_doubled_quotes_and_newlines_survive(engine: Engine, tmp_path: Path) -> None:
    quote = 'Customer: "Hi, it\'s me, again"'
    comment = 'Said "sure"\nthen, after a pause,\r\nhung up'
    evaluation = f.evaluation(results=[f.result("greeting", quote=quote, comment=comment)], evaluator="Lee, Sam")
    path = f.write_csv(tmp_path / "calls.csv", f.csv_rows(evaluation))
    assert '""sure""' in path.read_text(encoding="utf-8")  # the writer doubled them

    import_files(engine, [path])

    assert stored_results(engine) == [("greeting", "met", None, quote, comment)]
    with Session(engine) as session:
        assert session.exec(select(Evaluation.evaluator)).one() == "Lee, Sam"


@pytest.mark.usefixtures("basics")
def test_empty_cells_mean_absent(engine: Engine, tmp_path: Path) -> None:
    evaluation = f.evaluation(duration_s=None, evaluator=None, csat=None, first_contact_resolution=None,
                              results=[f.result("greeting", "missed")])
    path = f.write_csv(tmp_path / "calls.csv", f.csv_rows(evaluation))

    import_files(engine, [path])

    with Session(engine) as session:
        stored = session.exec(select(Evaluation)).one()
    assert (stored.duration_s, stored.evaluator, stored.csat, stored.first_contact_resolution) == (None,) * 4
    assert stored_results(engine) == [("greeting", "missed", None, None, None)]


@pytest.mark.usefixtures("basics")
def test_a_row_disagreeing_with_its_call_is_a_problem_on_that_column_and_line(
    engine: Engine, tmp_path: Path
) -> None:
    rows = f.csv_rows(f.evaluation())
    rows[2]["csat"] = 2
    path = f.write_csv(tmp_path / "calls.csv", rows)

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:4: csat: "), problem
    assert problem.endswith('(got "2")'), problem
    assert evaluations_stored(engine) == 0


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        (tuple(c for c in CSV_COLUMNS if c != "outcome"), "outcome"),
        ((*CSV_COLUMNS, "notes"), "notes"),
    ],
    ids=["missing-column", "unknown-column"],
)
def test_a_header_with_a_missing_or_unknown_column_is_a_problem_on_line_1(
    engine: Engine, tmp_path: Path, columns: tuple[str, ...], named: str
) -> None:
    path = f.write_csv(tmp_path / "calls.csv", f.csv_rows(f.evaluation()), columns=columns)

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:1: "), problem
    assert named in problem


@pytest.mark.usefixtures("basics")
def test_a_row_with_the_wrong_number_of_cells_is_a_problem(engine: Engine, tmp_path: Path) -> None:
    rows = call_rows()
    rows[1] = rows[1][:-1]
    path = tmp_path / "calls.csv"
    path.write_text(csv_text([list(CSV_COLUMNS), *rows]), encoding="utf-8")

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:3: record: "), problem
    assert evaluations_stored(engine) == 0


@pytest.mark.usefixtures("basics")
def test_a_problem_gives_the_physical_line_after_a_multi_line_cell(engine: Engine, tmp_path: Path) -> None:
    rows = call_rows()
    rows[0][CSV_COLUMNS.index("comment")] = "first line\nsecond line\nthird line"  # rows[0] is lines 2-4
    rows[1][CSV_COLUMNS.index("outcome")] = "maybe"  # line 5
    path = tmp_path / "calls.csv"
    path.write_text(csv_text([list(CSV_COLUMNS), *rows]), encoding="utf-8")

    problem = the_one_problem(problems_of(engine, [path]))

    assert problem.startswith(f"{path}:5: outcome: "), problem
    assert problem.endswith('(got "maybe")')


def test_the_same_evaluation_via_csv_after_jsonl_is_unchanged(engine: Engine, tmp_path: Path) -> None:
    records = [*f.basics(), f.evaluation(call_id="C-1"),
               f.evaluation(call_id="C-2", evaluator=None, first_contact_resolution=False,
                            occurred_at="2026-11-21T08:30:00-05:00")]
    import_files(engine, [f.write_jsonl(tmp_path / "calls.jsonl", records)])
    before = exported(engine)
    rows = [row for record in records[3:] for row in f.csv_rows(record)]

    summary = import_files(engine, [f.write_csv(tmp_path / "calls.csv", rows)])

    e = summary.evaluations
    assert (e.added, e.changed, e.unchanged) == (0, 0, 2)
    assert exported(engine) == before


@pytest.mark.usefixtures("basics")
def test_a_csv_saved_by_excel_with_a_bom_imports(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([list(CSV_COLUMNS), *call_rows()]).encode("utf-8"))

    summary = import_files(engine, [path])

    assert summary.evaluations.added == 1
    assert len(stored_results(engine)) == 3


def test_a_batch_may_mix_jsonl_and_csv(engine: Engine, tmp_path: Path) -> None:
    # the CSV comes first: what it names is in the .jsonl of the same batch
    csv_path = f.write_csv(tmp_path / "calls.csv", f.csv_rows(f.evaluation()))
    jsonl_path = f.write_jsonl(tmp_path / "people.jsonl", f.basics())

    summary = import_files(engine, [csv_path, jsonl_path])

    assert (summary.teams.added, summary.agents.added, summary.scorecards.added) == (1, 1, 1)
    assert summary.evaluations.added == 1
    assert len(stored_results(engine)) == 3


def test_a_file_that_is_neither_jsonl_nor_csv_is_a_problem_naming_it(engine: Engine, tmp_path: Path) -> None:
    good = f.write_jsonl(tmp_path / "people.jsonl", f.basics())
    notes = tmp_path / "notes.txt"
    notes.write_text("call_id,agent\n", encoding="utf-8")

    problem = the_one_problem(problems_of(engine, [good, notes]))

    assert problem.startswith(f"{notes}:"), problem
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Team)).one() == 0


@pytest.mark.usefixtures("basics")
def test_a_call_with_more_rows_than_an_evaluation_may_hold_is_a_problem_not_a_crash(
    engine: Engine, tmp_path: Path
) -> None:
    # 201 results: one over what a JSON Lines evaluation may hold.
    rows = [f.csv_rows(f.evaluation())[0] | {"criterion": f"c{n}"} for n in range(201)]
    path = f.write_csv(tmp_path / "calls.csv", rows)

    problems = problems_of(engine, [path])

    assert problems and all(p.startswith(f"{path}:") for p in problems), problems
    assert evaluations_stored(engine) == 0


@pytest.mark.usefixtures("basics")
def test_a_csv_syntax_error_is_named_and_the_rest_of_the_file_still_checked(engine: Engine, tmp_path: Path) -> None:
    rows = csv_text([list(CSV_COLUMNS), *call_rows(call_id="C-1"), *call_rows(call_id="C-2", channel="fax")])
    lines = rows.splitlines(keepends=True)
    lines.insert(2, '"C-9"x,a.khan\r\n')  # a stray character after a closing quote
    path = tmp_path / "stray.csv"
    path.write_text("".join(lines), encoding="utf-8")

    problems = problems_of(engine, [path])

    assert problems[0] == f"{path}:3: record: not valid CSV (',' expected after '\"') (got nothing)"
    assert any(p.startswith(f"{path}:{len(call_rows(call_id='C-1')) + 3}: channel: must be one of phone, chat or email") for p in problems[1:]), problems
    assert evaluations_stored(engine) == 0


@pytest.mark.parametrize(("separator", "word"), [(";", "semicolons"), ("\t", "tabs")])
@pytest.mark.usefixtures("basics")
def test_a_csv_separated_by_semicolons_is_named_in_one_line(engine: Engine, tmp_path: Path, separator: str, word: str) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator).writerows([list(CSV_COLUMNS), *call_rows()])
    path = tmp_path / "excel.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    assert problems_of(engine, [path]) == [
        f"{path}:1: header: the columns are separated by {word}; nextcall reads CSV separated by commas "
        f'(in a spreadsheet, save as "CSV UTF-8 (comma delimited)") (got {json.dumps(separator.join(CSV_COLUMNS))[:59]}…)'
    ]
    assert evaluations_stored(engine) == 0
