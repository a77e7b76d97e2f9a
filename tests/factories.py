"""Record factories: import-format v1 records with sensible defaults.

Each returns a plain dict, as a line of a JSON Lines file holds; override any
field by keyword. `write_jsonl` and `write_csv` put records in files.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nextcall.store.models import CSV_COLUMNS


def team(**fields: Any) -> dict[str, Any]:
    return {"kind": "team", "id": "falcons", "name": "Falcons"} | fields


def agent(**fields: Any) -> dict[str, Any]:
    return {"kind": "agent", "id": "a.khan", "name": "Aisha Khan", "team": "falcons"} | fields


def criterion(key: str, **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace("_", " ").capitalize(),
        "weight": 10,
        "critical": False,
        "next_call": f"On your next call: {key}.",
        "lesson": f"Why {key} matters.",
    } | fields


def scorecard(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "scorecard",
        "id": "care-v1",
        "name": "Customer care",
        "criteria": [
            criterion("greeting", weight=5),
            criterion("verify", critical=True),
            criterion("confirm_need", weight=15),
        ],
    } | fields


def result(criterion: str, outcome: str = "met", **fields: Any) -> dict[str, Any]:
    return {"criterion": criterion, "outcome": outcome} | fields


def evaluation(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "evaluation",
        "call_id": "C-100234",
        "agent": "a.khan",
        "scorecard": "care-v1",
        "occurred_at": "2026-11-20T14:03:00Z",
        "channel": "phone",
        "duration_s": 412,
        "evaluator": "auto",
        "csat": 4,
        "first_contact_resolution": True,
        "results": [
            result("greeting"),
            result("verify", "missed", moment_s=73, quote="Customer: I just need the reset link",
                   comment="Skipped the security question"),
            result("confirm_need"),
        ],
    } | fields


def goal(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "goal",
        "agent": "a.khan",
        "scorecard": "care-v1",
        "criterion": "confirm_need",
        "started_at": "2026-11-01T09:00:00Z",
        "status": "active",
        "baseline_met": 4,
        "baseline_applicable": 10,
        "target_met": 8,
        "target_window": 10,
    } | fields


def self_assessment(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "self_assessment",
        "agent": "a.khan",
        "session_on": "2026-11-24",
        "strengths": "Calm with upset callers.",
        "struggles": "Rushing the need.",
        "want_to_work_on": "Confirming the need first.",
        "ratings": {"confirm_need": 2},
        "submitted_at": "2026-11-21T10:00:00Z",
        "updated_at": "2026-11-21T10:00:00Z",
    } | fields


def call(**fields: Any) -> dict[str, Any]:
    """Details of call C-100234 that came after its evaluation: a survey's CSAT."""
    return {"kind": "call", "call_id": "C-100234", "csat": 2} | fields


def basics() -> list[dict[str, Any]]:
    """A team, an agent and a scorecard: what an evaluation needs to exist."""
    return [team(), agent(), scorecard()]


def just_after_the_last_call(records: list[dict[str, Any]]) -> datetime:
    """A moment to import `records` at that no call of theirs is after, whatever the machine's clock says."""
    moments = [datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")) for r in records if r.get("kind") == "evaluation"]
    return max(moments, default=datetime(2026, 11, 25, tzinfo=UTC)) + timedelta(minutes=1)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def csv_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The CSV rows of one evaluation record: one per result, call fields repeated."""
    call = {k: record.get(k) for k in CSV_COLUMNS[:9]}
    rows = []
    for res in record["results"]:
        rows.append(call | {k: res.get(k) for k in CSV_COLUMNS[9:]})
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = CSV_COLUMNS) -> Path:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])
    return path
