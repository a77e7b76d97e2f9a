"""A plain JSON line is read the short way, into exactly what the full way gives.

Most lines of a large file are plain (ASCII, no \\u escape, JSON's own numbers
and true/false): the importer checks their bytes with a stricter twin of the
evaluation record and counts their keys instead of parsing them with the
duplicate-key hook. Whatever the line, the short way either gives up or gives
the record the full way (`_parse_json`, then `_FAST_RECORD`) gives.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import to_json

from nextcall.store.importer import _FAST_RECORD, _content, _parse_json, _plain_evaluation, content_hash, read_batch
from tests import factories as f

PROPERTY = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def full_way(raw: bytes) -> Any:
    """What the full way gives for a line, or the exception it raises."""
    try:
        return _FAST_RECORD.validate_python(_parse_json(raw.decode("utf-8")))
    except Exception as error:  # noqa: BLE001 (any refusal is compared as a refusal)
        return error


# ------------------------------------------------------------------ strategies

odd_texts = st.sampled_from([
    "", " ", "a b", "x" * 65, "x" * 201, "é", "e\u0301", "\x00", "\x1f", "\x7f", "\ud800", "\"", "\\", '":',
    '" :', "2026-11-20T14:03:00", "2026-11-20T14:03:00Z", " 2026-11-20T14:03:00+02:00 ", "met", "missed", "na",
    "chat", "NaN", "Infinity", "C 1", "a.khan", "\t",
])
odd_values = st.one_of(
    st.none(), st.booleans(), odd_texts, st.text(max_size=8),
    st.sampled_from([0, -1, 1, 5, 6, 5.0, 2.5, 1e400, 10**20, 7 * 24 * 3600, 7 * 24 * 3600 + 1, [], {}, ["met"], {"a": 1}]),
)
FIELDS = ("kind", "call_id", "agent", "scorecard", "occurred_at", "channel", "duration_s", "evaluator", "csat",
          "first_contact_resolution", "recording_url", "results", "extra")
RESULT_FIELDS = ("criterion", "outcome", "moment_s", "quote", "comment", "extra")


@st.composite
def evaluations(draw: st.DrawFn) -> dict[str, Any]:
    """A factory evaluation with a few fields, its own or its results', set to odd values or removed."""
    record = f.evaluation()
    if draw(st.booleans()):
        record["recording_url"] = draw(st.sampled_from(["https://rec.example/1", "", None, "a b"]))
    for _ in range(draw(st.integers(0, 3))):
        results = record.get("results")
        nested = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        target = record if not nested or draw(st.booleans()) else draw(st.sampled_from(nested))
        names = FIELDS if target is record else RESULT_FIELDS
        name = draw(st.sampled_from(names))
        if draw(st.integers(0, 3)) == 0:
            target.pop(name, None)
        else:
            target[name] = draw(odd_values)
    return record


def _pairs(value: Any, repeat: str | None) -> str:
    """JSON text of `value` with compact separators, the key `repeat` given twice in every object that has it."""
    if isinstance(value, dict):
        items = [f"{json.dumps(k)}:{_pairs(v, repeat)}" for k, v in value.items()]
        if repeat in value:
            items.insert(0, f"{json.dumps(repeat)}:{json.dumps('other')}")
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_pairs(v, repeat) for v in value) + "]"
    return json.dumps(value)


@st.composite
def lines(draw: st.DrawFn) -> bytes:
    record = draw(evaluations())
    how = draw(st.sampled_from(["compact", "spaced", "ascii", "repeated", "colon-spaced"]))
    if how == "compact":
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    elif how == "spaced":
        text = json.dumps(record, ensure_ascii=False)
    elif how == "ascii":
        text = json.dumps(record)
    elif how == "colon-spaced":
        text = json.dumps(record, ensure_ascii=False, separators=(",", draw(st.sampled_from([" :", "\t:", " : "]))))
    else:
        text = _pairs(record, draw(st.sampled_from(["agent", "criterion", "outcome", "quote", "call_id", "kind"])))
    return (text + draw(st.sampled_from(["", "\n", "\r\n", " \n"]))).encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------- tests


@PROPERTY
@given(lines())
@example(json.dumps(f.evaluation()).encode())
@example(b'{"kind":"evaluation","kind":"evaluation"' + json.dumps(f.evaluation()).encode()[1:])
@example(json.dumps(f.evaluation(agent="a.khan")).replace('"agent": "a.khan"', '"agent": "a.khan", "agent" : "b.li"').encode())
def test_a_line_read_the_short_way_is_what_the_full_way_reads(raw: bytes) -> None:
    plain = _plain_evaluation(raw)
    if plain is None:
        return
    expected = full_way(raw)
    assert not isinstance(expected, Exception), expected
    assert plain == expected
    assert list(plain) == list(expected)
    assert [list(result) for result in plain["results"]] == [list(result) for result in expected["results"]]


def test_the_factory_evaluation_is_read_the_short_way() -> None:
    assert _plain_evaluation(json.dumps(f.evaluation()).encode() + b"\n") is not None
    assert _plain_evaluation(json.dumps(f.evaluation(), separators=(",", ":")).encode()) is not None


def _with(**fields: Any) -> bytes:
    return json.dumps(f.evaluation(**fields)).encode()


def test_what_the_short_way_leaves_to_the_full_way() -> None:
    twice = json.dumps(f.evaluation()).replace('"agent": "a.khan"', '"agent": "a.khan", "agent": "b.li"')
    twice_nested = json.dumps(f.evaluation()).replace('"outcome": "met"', '"outcome": "met", "outcome": "na"', 1)
    spaced_twice = json.dumps(f.evaluation()).replace('"agent": "a.khan"', '"agent" : "a.khan", "agent"\t: "b.li"')
    for raw in (
        twice.encode(),
        twice_nested.encode(),
        spaced_twice.encode(),
        _with(agent="é.khan"),  # not ASCII: the id is normalised by the model
        _with(evaluator="\u00e9"),  # an escape
        _with(evaluator=""),  # "" is absent to the model
        _with(csat=4.0),
        _with(csat="4"),
        _with(first_contact_resolution=1),
        _with(results=[f.result("greeting", quote="")]),
        b'{"kind": "evaluation", "csat": NaN}',
        b'{"kind": "team", "id": "t", "name": "T"}',
    ):
        assert _plain_evaluation(raw) is None, raw


def test_a_batch_reads_the_same_either_way(tmp_path) -> None:
    records = [f.evaluation(call_id=f"C-{n}", results=[f.result("greeting", moment_s=n)]) for n in range(5)]
    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(json.dumps(r) + "\n" for r in records))
    escaped = tmp_path / "escaped.jsonl"  # every line with a \u escape: all of them the full way
    escaped.write_text("".join(json.dumps(r | {"evaluator": "\u0061uto"}).replace('"auto"', '"\\u0061uto"') + "\n"
                               for r in records))
    one, other = read_batch([plain]), read_batch([escaped])
    assert [(k, r) for k, (r, _) in one.evaluations.items()] == [(k, r) for k, (r, _) in other.evaluations.items()]
    assert one.problems == other.problems == []


# ------------------------------------------------------------- fingerprints

texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid evaluation with any text where text goes, and optional fields given or not."""
    record = f.evaluation(
        evaluator=draw(st.none() | texts.filter(lambda t: t.strip("\x00"))),
        results=[
            f.result(key, draw(st.sampled_from(["met", "missed", "na"])),
                     **draw(st.fixed_dictionaries({}, optional={"quote": texts, "comment": texts,
                                                                "moment_s": st.integers(0, 600) | st.none()})))
            for key in draw(st.lists(st.sampled_from(["greeting", "verify", "closing", "hold"]), unique=True))
        ],
    )
    for name in ("duration_s", "csat", "first_contact_resolution", "evaluator"):
        if draw(st.booleans()):
            record.pop(name)
    if draw(st.booleans()):
        record["recording_url"] = draw(st.sampled_from(["https://rec.example/1", "file:///calls/1.wav", None]))
    return record


@PROPERTY
@given(valid_records())
def test_the_fingerprint_is_the_sha256_of_the_sorted_json(record: dict[str, Any]) -> None:
    try:
        read = _FAST_RECORD.validate_python(record)
    except ValidationError:
        return
    read["occurred_at"] = read["occurred_at"].astimezone(UTC)
    text = json.dumps(_content(read), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert content_hash(read) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_text_is_written_alike_by_both_json_writers() -> None:
    every_character = "".join(chr(n) for n in range(0x110000) if not 0xD800 <= n <= 0xDFFF)
    assert to_json(every_character).decode("utf-8") == json.dumps(every_character, ensure_ascii=False)


# ------------------------------------------------------------------ instants

INSTANTS = [
    "2026-11-20T14:03:00Z", "2026-11-20t14:03:00z", "2026-11-20 14:03:00+02:00", "2026-11-20T14:03Z",
    "2026-11-20T14:03:00.123456+05:30", "2026-11-20T14:03:00.1234567-0800", "2026-11-20T14:03:00+02",
    "0002-01-01T00:00:00+23:59", "9998-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00", "0001-01-01T05:00:00+01:00",
    "9999-12-31T23:00:00-05:00", "9999-12-31T23:00:00Z", " 2026-11-20T14:03:00Z", "2026-11-20T14:03:00Z ",
    "2026-11-20T14:03:00", "2026-11-20", "1763647380", "2026-11-20T25:03:00Z", "2026-02-30T14:03:00Z",
    "2026-11-20T14:03:00+24:00", "2026-11-20T14:03:00.Z", "20261120T140300Z", "2026-11-20T14:03:00+2:00",
]


@pytest.mark.parametrize("instant", INSTANTS)
def test_a_calls_time_read_the_short_way_is_what_the_full_way_reads(instant: str) -> None:
    raw = json.dumps(f.evaluation(occurred_at=instant)).encode()
    plain = _plain_evaluation(raw)
    if plain is not None:
        assert plain == full_way(raw)
        assert plain["occurred_at"].utcoffset() is not None


@pytest.mark.parametrize("instant", ["2026-11-20T14:03:00Z", "2026-11-20 14:03:00.5+02:00", "2026-11-20T14:03-0800"])
def test_a_calls_time_in_iso_8601_with_its_zone_is_read_the_short_way(instant: str) -> None:
    assert _plain_evaluation(json.dumps(f.evaluation(occurred_at=instant)).encode()) is not None
