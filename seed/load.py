"""Loading the demo data set into a demo database, through the importer."""

from __future__ import annotations

import math
import os
import sqlite3
import wave
import tempfile
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from nextcall.store.db import SQLITE_BUSY_TIMEOUT_MS, driver_errors_explained, open_store
from nextcall.store.goals import drop_goal, start_goal
from nextcall.store.importer import ImportSummary, import_batch, read_records
from nextcall.store.sqlite_file import sqlite_path

from .demo import DEFAULT_DEMO_AGENT, demo_records


DEMO_GOALS: list[tuple[str, str, int, int | None, str | None]] = [
    # agent, behaviour, started (days before the last call), dropped after (days), why
    ("a.khan", "empathy", 56, 12, "Busy fortnight; I want to fix confirming the need first."),
    ("a.khan", "confirm_need", 20, None, None),
    ("l.nguyen", "empathy", 62, None, None),
]
"""Goals the demo agents set themselves: Aisha's is improving, Linh's has stuck."""


def load_demo(url: str, *, today: date, now: datetime | None = None) -> ImportSummary:
    """Make the demo database at `url` afresh, its story ending on `today`.

    A SQLite demo is built in a file of its own beside the demo file and then
    copied into it page by page (SQLite's online backup), never deleted and
    made anew: an app or wallboard open on the demo keeps its file and reads
    the new demo on its next look. When `now` is given and the day's calls
    run past it, every call moves back by the same amount, so that no call is
    scored in the future.
    """
    records = demo_records(today=today)
    if now is not None:
        records = _not_in_the_future(records, now)
    path = sqlite_path(url)
    if path is None:
        return _build(url, records)
    _with_recordings(records, path.parent / RECORDINGS_FOLDER)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".building", dir=path.parent)
    os.close(handle)
    building = Path(name)
    try:
        summary = _build(f"sqlite:///{building}", records)
        _copy_into(building, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
    return summary


def _build(url: str, records: list[dict[str, Any]]) -> ImportSummary:
    """Import the demo records into the store at `url` and set the demo agents' goals."""
    engine = open_store(url)
    try:
        with driver_errors_explained(engine):
            summary = import_batch(engine, read_records(records, source="demo data"))
        last_call = max(
            datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")) for r in records if r["kind"] == "evaluation"
        )
        for agent, behaviour, started, dropped_after, why in DEMO_GOALS:
            begun = last_call - timedelta(days=started)
            start_goal(engine, agent_id=agent, criterion_key=behaviour, now=begun)
            if dropped_after is not None:
                drop_goal(engine, agent_id=agent, reason=why, now=begun + timedelta(days=dropped_after))
        return summary
    finally:
        engine.dispose()


def _copy_into(source: Path, target: Path) -> None:
    """Replace the content of the SQLite file `target` by `source`'s, in one transaction readers never see half of."""
    with closing(sqlite3.connect(source)) as built:
        try:
            _backup(built, target)
        except sqlite3.DatabaseError:
            # Not a database any more (damaged, or some other file): the demo is ours to make anew.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            _backup(built, target)


def _backup(built: sqlite3.Connection, target: Path) -> None:
    with closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as live:
        live.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        built.backup(live)


RECORDINGS_FOLDER = "demo-recordings"
"""Beside the demo database: the recordings the demo's calls point to."""
RECORDED_CALLS = 4
"""Aisha's newest phone calls with a moment that have a recording to listen back to."""


def _with_recordings(records: list[dict[str, Any]], folder: Path) -> None:
    """Give a few of the default agent's newest phone calls a recording: a short tone written beside the demo."""
    calls = [
        r for r in records
        if r["kind"] == "evaluation" and r["agent"] == DEFAULT_DEMO_AGENT and r["channel"] == "phone"
        and any(result.get("moment_s") is not None for result in r["results"])
    ][-RECORDED_CALLS:]
    folder.mkdir(parents=True, exist_ok=True)
    for number, record in enumerate(calls):
        recording = folder / f"{record['call_id']}.wav"
        if not recording.exists():
            _tone(recording, pitch=330 + 55 * number)
        record["recording_url"] = recording.resolve().as_uri()


def _tone(path: Path, *, pitch: float, seconds: float = 2.0, rate: int = 8000) -> None:
    """A short, quiet tone as 8-bit mono WAV (a stand-in for a call's recording)."""
    samples = bytes(128 + int(40 * math.sin(2 * math.pi * pitch * n / rate)) for n in range(int(seconds * rate)))
    with closing(wave.open(str(path), "wb")) as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(samples)


_TIMES = ("occurred_at", "seen_at", "raised_at", "closed_at")
"""The moments of the demo's records, moved back together when the day runs past now."""


def _not_in_the_future(records: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    def moment(record: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(record["occurred_at"].replace("Z", "+00:00"))

    evaluations = [r for r in records if r["kind"] == "evaluation"]
    if not evaluations:
        return records
    late = max(map(moment, evaluations)) - now.astimezone(UTC)
    if late <= timedelta(0):
        return records
    shift = timedelta(minutes=-(-late.total_seconds() // 60) + 5)
    for record in records:
        for name in _TIMES:
            if name in record:
                moved = datetime.fromisoformat(record[name].replace("Z", "+00:00")) - shift
                record[name] = moved.isoformat().replace("+00:00", "Z")
    return records
