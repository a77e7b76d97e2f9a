"""Whatever a file holds, an import either succeeds or lists problems in the one format.

Never a traceback: not from the reader, the checks, the writer or the CLI.
SQLite only, for speed; one store per test, shared by its examples.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nextcall.store.db import open_store
from nextcall.store.errors import ImportRejected
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.models import CSV_COLUMNS
from nextcall.tui.cli import app
from tests import factories as f

PROBLEM = re.compile(r"^.+:\d+: \S.*: .+ \(got .+\)$")

FUZZ = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    max_examples=150,
    deadline=None,
    database=None,
)

# ------------------------------------------------------------------ strategies

# Text from anywhere in Unicode, control characters and lone surrogates included
# (json.dumps turns a surrogate into a "\ud800" escape; encoded raw it is not UTF-8).
any_char = st.characters(exclude_categories=())
control_chars = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff")
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
texts = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=any_char | control_chars | surrogates, max_size=20),
    st.integers(min_value=0, max_value=20_000).map(lambda n: "x" * n),
    st.sampled_from(["", " ", "\n", "a b", "[bold]x[/]", "\x1b[31m", "\x00", "🙂👍🏽", "شكرا", "\ud800",
                     "2026-11-20T14:03:00", "2026-11-20T14:03:00Z", "0001-01-01T00:00:00+01:00",
                     "9999-12-31T23:59:59-23:59", "met", "missed", "na", "phone", "NaN", "1e400"]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1, 5, 6, 2.5, 10**20, 7 * 24 * 3600 + 1]),
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
timestamps = st.datetimes(timezones=st.timezones() | st.just(None)).map(lambda d: d.isoformat())

KINDS = {
    "team": f.team, "agent": f.agent, "scorecard": f.scorecard, "evaluation": f.evaluation, "goal": f.goal,
    "self_assessment": f.self_assessment,
}


@st.composite
def near_valid_records(draw: st.DrawFn) -> dict[str, Any]:
    """A factory record with a few fields set to odd values, removed, or added."""
    record = json.loads(json.dumps(KINDS[draw(st.sampled_from(list(KINDS)))]()))
    for _ in range(draw(st.integers(0, 3))):
        targets: list[dict[str, Any]] = [record]
        for nested in ("results", "criteria"):
            if isinstance(record.get(nested), list):
                targets += [item for item in record[nested] if isinstance(item, dict)]
        if isinstance(record.get("ratings"), dict):
            targets.append(record["ratings"])
        target = draw(st.sampled_from(targets))
        action = draw(st.sampled_from(["set", "set", "delete", "add", "time", "id"]))
        if not target:
            action = "add"
        key = draw(st.sampled_from(sorted(target) or ["kind"]))
        if action == "set":
            target[key] = draw(json_values)
        elif action == "delete":
            del target[key]
        elif action == "add":
            target[draw(texts)] = draw(json_values)
        elif action == "time":
            moments = [name for name in ("occurred_at", "started_at", "ended_at", "submitted_at", "updated_at") if name in target]
            target[draw(st.sampled_from(moments)) if moments else key] = draw(timestamps)
        else:
            target[key] = draw(st.sampled_from(["falcons", "a.khan", "care-v1", "greeting", "verify", "C-1"]))
    return record


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@st.composite
def key_given_twice(draw: st.DrawFn) -> tuple[bytes, str]:
    """A record's JSON with one of its keys (at the top or nested) given a second time, and that key."""
    record = draw(near_valid_records())
    objects: list[dict[str, Any]] = [record]
    for value in record.values():
        if isinstance(value, dict):
            objects.append(value)
        elif isinstance(value, list):
            objects += [item for item in value if isinstance(item, dict)]
    target = draw(st.sampled_from([o for o in objects if o] or [record]))
    if not target:
        target["kind"] = "team"
    key = draw(st.sampled_from(sorted(target)))
    marker = "\u0000twice\u0000"
    target[marker] = None
    text = json.dumps(record)
    again = json.dumps(key) + ": " + json.dumps(draw(json_values | st.just(target[key])))
    return text.replace(json.dumps(marker) + ": null", again, 1).encode(), key


jsonl_lines = st.one_of(
    near_valid_records().map(lambda r: json.dumps(r).encode()),
    near_valid_records().map(lambda r: _encode(json.dumps(r, ensure_ascii=False))),
    json_values.map(lambda v: json.dumps(v).encode()),
    texts.map(_encode),
    key_given_twice().map(lambda found: found[0]),
    st.binary(max_size=40),
    st.sampled_from([b"", b"   ", b"\xef\xbb\xbf{}", b"[]", b"{", b"\r", b"null"]),
)
basic_lines = [json.dumps(r).encode() for r in [*f.basics(), f.evaluation()]]


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(jsonl_lines, max_size=8))
    if draw(st.booleans()):
        lines = basic_lines + lines
    lines = draw(st.permutations(lines))
    return draw(st.sampled_from([b"\n", b"\r\n"])).join(lines) + draw(st.sampled_from([b"", b"\n"]))


def _csv_cells(record: dict[str, Any]) -> list[list[str]]:
    rows = []
    for row in f.csv_rows(record):
        rows.append(["" if row[c] is None else json.dumps(row[c]).strip('"') if not isinstance(row[c], str)
                     else row[c] for c in CSV_COLUMNS])
    return rows


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = list(CSV_COLUMNS)
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.lists(st.sampled_from([*CSV_COLUMNS, "notes", ""]) | texts, max_size=16))
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 4))):
        cells = _csv_cells(f.evaluation(call_id=draw(st.sampled_from(["C-1", "C-2", "C-3"]))))
        for row in cells:
            for _ in range(draw(st.integers(0, 2))):
                where = draw(st.integers(0, len(row) - 1))
                row[where] = draw(texts | timestamps | numbers.map(str))
            if draw(st.integers(0, 9)) == 0:
                row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(texts, max_size=2))
        rows += cells
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    data = _encode(out.getvalue())
    for junk in draw(st.lists(st.binary(max_size=20) | texts.map(_encode), max_size=2)):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + junk + data[cut:]
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


# ------------------------------------------------------------------ the tests


def _import_or_problems(engine: Any, path: Path) -> None:
    try:
        summary = import_files(engine, [path])
    except ImportRejected as rejected:
        assert rejected.problems
        for problem in rejected.problems:
            assert PROBLEM.match(problem) and "\n" not in problem, problem
    else:
        assert isinstance(summary, ImportSummary)


# Seeds kept as explicit examples: field names that are blank or hold a line break,
# and a time whose offset takes it past the first instant a datetime can hold.
BAD_KEYS = b'{"kind":"team","id":"hawks"," ":1}\n{"kind":"team","id":"owls","a\\nb":1}'
EDGE_OF_TIME = b"\n".join(
    json.dumps(r).encode() for r in [*f.basics(), f.evaluation(occurred_at="0001-01-01T00:30:00+01:00")]
)


@FUZZ
@given(data=jsonl_files())
@example(data=BAD_KEYS)
@example(data=EDGE_OF_TIME)
def test_any_jsonl_file_imports_or_lists_problems(sqlite_url: str, tmp_path: Path, data: bytes) -> None:
    engine = open_store(sqlite_url)
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    try:
        _import_or_problems(engine, path)
    finally:
        engine.dispose()


@FUZZ
@given(twice=key_given_twice())
def test_a_key_given_twice_is_always_refused_naming_it(sqlite_url: str, tmp_path: Path, twice: tuple[bytes, str]) -> None:
    line, key = twice
    engine = open_store(sqlite_url)
    path = tmp_path / "twice.jsonl"
    path.write_bytes(b"\n".join([*basic_lines, line]))
    try:
        try:
            import_files(engine, [path])
        except ImportRejected as rejected:
            assert f"is given twice in one object; give it once (got {json.dumps(key, ensure_ascii=True)[:59]}" in rejected.message
        else:
            raise AssertionError(f"a record with {key!r} twice was imported")
    finally:
        engine.dispose()


@FUZZ
@given(data=csv_files())
def test_any_csv_file_imports_or_lists_problems(sqlite_url: str, tmp_path: Path, data: bytes) -> None:
    engine = open_store(sqlite_url)
    import_files(engine, [f.write_jsonl(tmp_path / "basics.jsonl", f.basics())])
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        _import_or_problems(engine, path)
    finally:
        engine.dispose()


@FUZZ
@given(data=jsonl_files() | csv_files(), suffix=st.sampled_from([".jsonl", ".csv"]), dry_run=st.booleans())
@example(data=BAD_KEYS, suffix=".jsonl", dry_run=False)
@example(data=EDGE_OF_TIME, suffix=".jsonl", dry_run=False)
def test_the_import_command_exits_0_or_1_and_never_raises(
    sqlite_url: str, tmp_path: Path, data: bytes, suffix: str, dry_run: bool
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    runner = CliRunner()

    result = runner.invoke(app, ["--db", sqlite_url, "import", *(["--dry-run"] if dry_run else []), str(path)])

    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
