"""Fingerprints of imported evaluations stay what earlier versions stored.

A re-import compares each call's fingerprint with the stored one: if the way
it is computed drifted, every call of a store would count as replaced.
"""

from __future__ import annotations

from pathlib import Path

from nextcall.store.importer import _RECORD, content_hash, read_batch
from tests import factories as f

MOMENT = f.evaluation(
    call_id="C-7", occurred_at="2026-11-20T16:03:00+02:00", evaluator=None, csat=None,
    first_contact_resolution=None, duration_s=None, channel="email",
    results=[f.result("verify", "missed", moment_s=73, quote="Customer: “I just need the link”", comment="Skipped"),
             f.result("greeting", "na")],
)
STORED = {
    "C-100234": "c60726722445e6be7ef2a76a79a64d0235f7d631f658b73ed865dcd7259f3cf9",
    "C-7": "a92e22b1f9b322ebbd9f9431eacf247ea28c134157ffa1bf8cef9bf239ee785f",
}
"""What nextcall stored for these two calls before evaluations were read through plain typed records."""


def test_a_call_read_from_json_lines_keeps_the_fingerprint_stored_before(tmp_path: Path) -> None:
    batch = read_batch([f.write_jsonl(tmp_path / "calls.jsonl", [f.evaluation(), MOMENT])])

    assert not batch.problems
    assert {call_id: content_hash(record) for call_id, (record, _) in batch.evaluations.items()} == STORED


def test_the_import_model_and_the_record_read_from_a_file_have_one_fingerprint() -> None:
    for record in (f.evaluation(), MOMENT):
        assert content_hash(_RECORD.validate_python(record)) == STORED[record["call_id"]]
