"""A watched folder (`nextcall import --watch`): real files, a real SQLite store, the real importer.

The watcher runs in a thread. Tests wait on what it reports (a queue, with a
ceiling only a hang reaches) and on `ready`, never on the clock, so that a busy
machine makes them slower, not wrong. New files land by rename, as sync tools
write them; one test writes a file in place while it is read.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.db import make_engine
from nextcall.store.errors import ImportRejected, NextcallError, StoreError
from nextcall.store.importer import import_files
from nextcall.store.models import Evaluation
from nextcall.store.watching import Imported, Refused, Report, Waiting, watch_folder
from tests import factories as f
from tests.signals import FAULTHANDLER, default_sigint, exit_after_ctrl_c

CEILING = 60
"""Seconds to wait for a report: reached only when the watcher hangs."""
NOW = datetime(2026, 11, 25, tzinfo=UTC)
SUFFIXES = {".jsonl", ".csv"}
READY = object()


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def importer(engine: Engine) -> Callable[[Path], str]:
    """Import one file as its own batch: what `nextcall import --watch` does with each file."""
    return lambda path: import_files(engine, [path], now=NOW).line()


def put(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write a file of records, with its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return f.write_jsonl(path, records)


def land(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write a file beside its place under a hidden name, then rename it in, as sync tools do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = f.write_jsonl(path.parent / f".{path.name}.partial", records)
    os.replace(partial, path)
    return path


def call(call_id: str, **fields: Any) -> dict[str, Any]:
    return f.evaluation(call_id=call_id, **fields)


def bad_call(call_id: str) -> dict[str, Any]:
    """An evaluation whose first outcome is not one there is (and looks like markup)."""
    return f.evaluation(call_id=call_id, results=[
        f.result("greeting", "[b]great[/b]"), f.result("verify"), f.result("confirm_need"),
    ])


def stored_calls(engine: Engine) -> dict[str, int | None]:
    """The stored evaluations' call ids, with their csat."""
    with Session(engine) as session:
        return dict(session.exec(select(Evaluation.call_id, Evaluation.csat)).all())


class Watcher:
    """`watch_folder` in a thread, its reports in a queue."""

    def __init__(self, folder: Path, import_file: Callable[[Path], str]) -> None:
        self.folder = folder
        self.reports: queue.Queue[Any] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(import_file,), daemon=True)
        self.error: BaseException | None = None

    def _run(self, import_file: Callable[[Path], str]) -> None:
        try:
            watch_folder(
                self.folder, import_file, suffixes=SUFFIXES, report=self.reports.put, stop=self.stop,
                ready=lambda: self.reports.put(READY),
            )
        except BaseException as error:  # handed to the test, which fails with it
            self.error = error
            self.reports.put(error)

    def next(self) -> Report:
        report = self.reports.get(timeout=CEILING)
        if isinstance(report, BaseException):
            raise AssertionError("watch_folder raised") from report
        return report

    def start(self) -> list[Report]:
        """Start watching; the reports until the watcher listens."""
        self.thread.start()
        return self.until(lambda report: report is READY)[:-1]

    def until(self, last: Callable[[Any], bool]) -> list[Report]:
        """The reports up to and with the first that `last` accepts."""
        seen = []
        while True:
            seen.append(self.next())
            if last(seen[-1]):
                return seen

    def close(self) -> list[Report]:
        """Stop watching; the reports not read yet, the last of them the stop line."""
        self.stop.set()
        self.thread.join(CEILING)
        assert not self.thread.is_alive(), "the watcher did not stop"
        rest = []
        while not self.reports.empty():
            rest.append(self.reports.get_nowait())
        assert self.error is None, self.error
        return rest


@pytest.fixture
def watching(inbox: Path) -> Iterator[Callable[[Callable[[Path], str]], Watcher]]:
    """Start a watcher on the inbox with an import function; stopped at the end of the test."""
    started: list[Watcher] = []

    def start(import_file: Callable[[Path], str]) -> Watcher:
        watcher = Watcher(inbox, import_file)
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        if watcher.thread.is_alive():
            watcher.stop.set()
            watcher.thread.join(CEILING)


def imported(path: Path) -> Callable[[Any], bool]:
    return lambda report: isinstance(report, Imported) and report.path == path


# ------------------------------------------------------------------- tests


def test_files_already_there_are_imported_first_in_name_order(engine, inbox, watching):
    put(inbox / "calls" / "2026" / "11" / "20" / "c1.jsonl", [call("C-1")])
    put(inbox / "basics.jsonl", f.basics())
    (inbox / "notes.txt").write_text("not an import", encoding="utf-8")
    put(inbox / "refused" / "old.jsonl", [bad_call("C-OLD")])

    watcher = watching(importer(engine))
    before = watcher.start()

    assert [type(r) for r in before] == [Imported, Imported, str]
    assert [r.path for r in before[:2]] == [inbox / "basics.jsonl", inbox / "calls" / "2026" / "11" / "20" / "c1.jsonl"]
    assert before[1].line() == (
        f"Imported {inbox / 'calls' / '2026' / '11' / '20' / 'c1.jsonl'}: "
        "1 evaluations: 1 added, 0 replaced, 0 unchanged."
    )
    assert before[2] == f"Watching {inbox} for new files (Ctrl-C to stop)."
    assert stored_calls(engine) == {"C-1": 4}
    assert (inbox / "refused" / "old.jsonl").exists()
    assert watcher.close() == [f"Stopped watching {inbox}."]


def test_a_new_file_is_imported_as_it_lands_and_again_when_it_changes(engine, inbox, tmp_path, watching):
    f.write_jsonl(inbox / "basics.jsonl", f.basics())
    watcher = watching(importer(engine))
    watcher.start()

    new = land(inbox / "c1.jsonl", [call("C-1")])
    assert watcher.until(imported(new))[-1].line().endswith("1 evaluations: 1 added, 0 replaced, 0 unchanged.")
    assert stored_calls(engine) == {"C-1": 4}

    land(new, [call("C-1", csat=2)])
    assert watcher.until(imported(new))[-1].line().endswith("1 evaluations: 0 added, 1 replaced, 0 unchanged.")
    assert stored_calls(engine) == {"C-1": 2}

    # A folder moved in, as a sync of Evaluations/YYYY/MM/DD/ makes them: its files raise no change of their own.
    put(tmp_path / "outside" / "2026" / "11" / "21" / "c2.jsonl", [call("C-2")])
    os.rename(tmp_path / "outside" / "2026", inbox / "2026")
    watcher.until(imported(inbox / "2026" / "11" / "21" / "c2.jsonl"))
    assert stored_calls(engine) == {"C-1": 2, "C-2": 4}
    assert watcher.close() == [f"Stopped watching {inbox}."]


def test_a_refused_file_is_moved_beside_its_problems_and_watching_goes_on(engine, inbox, watching):
    f.write_jsonl(inbox / "basics.jsonl", f.basics())
    watcher = watching(importer(engine))
    watcher.start()

    bad = land(inbox / "bad.jsonl", [call("C-1"), bad_call("C-2")])
    refused = watcher.until(lambda report: isinstance(report, Refused))[-1]
    problem = f'{bad}:2: results[0].outcome: must be one of met, missed or na (got "[b]great[/b]")'
    assert refused == Refused(
        bad, inbox / "refused" / "bad.jsonl", inbox / "refused" / "bad.jsonl.problems.txt", [problem], 1
    )
    assert refused.line() == (
        f"Refused {bad}: 1 problem, nothing imported. Moved to {inbox / 'refused' / 'bad.jsonl'}; "
        f"the problems are in {inbox / 'refused' / 'bad.jsonl.problems.txt'}."
    )
    assert not bad.exists()
    assert (inbox / "refused" / "bad.jsonl").read_text(encoding="utf-8").count("\n") == 2
    lines = (inbox / "refused" / "bad.jsonl.problems.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(f"{bad} was refused at 20")
    assert lines[0].endswith(": 1 problem (listed below); nothing in it was imported.")
    assert lines[-1] == problem
    assert stored_calls(engine) == {}  # all or nothing: the good call of the refused file is not written

    good = land(inbox / "good.jsonl", [call("C-3")])
    watcher.until(imported(good))
    assert stored_calls(engine) == {"C-3": 4}

    # Another file of the same name does not take the place of the first.
    again = land(inbox / "2026" / "bad.jsonl", [bad_call("C-4")])
    refused = watcher.until(lambda report: isinstance(report, Refused))[-1]
    assert (refused.path, refused.moved_to, refused.problems_file) == (
        again, inbox / "refused" / "bad (2).jsonl", inbox / "refused" / "bad (2).jsonl.problems.txt",
    )
    assert (inbox / "refused" / "bad.jsonl").read_text(encoding="utf-8").count("\n") == 2
    assert (inbox / "refused" / "bad (2).jsonl.problems.txt").read_text(encoding="utf-8").splitlines()[-1] == (
        f'{again}:1: results[0].outcome: must be one of met, missed or na (got "[b]great[/b]")'
    )
    assert watcher.close() == [f"Stopped watching {inbox}."]


def test_hidden_partial_and_other_files_are_left_alone(engine, inbox, watching):
    f.write_jsonl(inbox / "basics.jsonl", f.basics())
    watcher = watching(importer(engine))
    watcher.start()

    # Each would be refused (and moved) if it were taken.
    ignored = [
        inbox / ".hidden.jsonl", inbox / "c.jsonl.tmp", inbox / "c.jsonl.part", inbox / "c.jsonl.crdownload",
        inbox / "c.jsonl~", inbox / "notes.txt", inbox / ".sync" / "c.jsonl", inbox / "refused" / "c.jsonl",
    ]
    for path in ignored:
        put(path, [bad_call("C-BAD")])
    (inbox / "c.jsonl.part").rename(inbox / "c2.jsonl.part")  # a download going on
    good = land(inbox / "good.jsonl", [call("C-1")])

    assert [type(report) for report in watcher.until(imported(good))] == [Imported]
    assert watcher.close() == [f"Stopped watching {inbox}."]
    assert all(path.exists() for path in ignored if path.name != "c.jsonl.part")
    assert sorted(path.name for path in (inbox / "refused").iterdir()) == ["c.jsonl"]
    assert stored_calls(engine) == {"C-1": 4}


def test_a_lost_database_keeps_the_file_and_it_is_tried_again_at_the_next_change(engine, inbox, watching):
    f.write_jsonl(inbox / "basics.jsonl", f.basics())
    real = importer(engine)
    tried: list[tuple[str, bool]] = []
    """(file name, whether c2.jsonl was already there) at each try."""

    def database_lost_once(path: Path) -> str:
        tried.append((path.name, (inbox / "c2.jsonl").exists()))
        if path.name == "c1.jsonl" and len([name for name, _ in tried if name == "c1.jsonl"]) == 1:
            raise StoreError("Cannot reach the database at db.example:5432 (connection refused).\nTry again later.")
        return real(path)

    watcher = watching(database_lost_once)
    watcher.start()

    first = land(inbox / "c1.jsonl", [call("C-1")])
    waiting = watcher.next()
    reason = "Cannot reach the database at db.example:5432 (connection refused). Try again later."
    assert waiting == Waiting(first, reason)
    assert waiting.line() == (
        f"Not imported yet: {first}: Cannot reach the database at db.example:5432 (connection refused). "
        "Try again later. The file stays where it is and is tried again at the next change in the folder."
    )
    assert first.exists()
    assert stored_calls(engine) == {}

    second = land(inbox / "c2.jsonl", [call("C-2")])
    assert watcher.until(imported(second)) == [
        Imported(first, f"Imported {first}: 1 evaluations: 1 added, 0 replaced, 0 unchanged."),
        Imported(second, f"Imported {second}: 1 evaluations: 1 added, 0 replaced, 0 unchanged."),
    ]
    # Tried again at the change that brought c2.jsonl, not before.
    assert tried == [("basics.jsonl", False), ("c1.jsonl", False), ("c1.jsonl", True), ("c2.jsonl", True)]
    assert stored_calls(engine) == {"C-1": 4, "C-2": 4}
    assert watcher.close() == [f"Stopped watching {inbox}."]


def test_a_file_still_being_written_when_it_is_read_is_read_again_not_refused(engine, inbox, watching):
    f.write_jsonl(inbox / "basics.jsonl", f.basics())
    real = importer(engine)
    records = [call("C-1"), call("C-2")]
    whole = "".join(json.dumps(record) + "\n" for record in records)
    tries: list[str] = []

    def writer_still_writing(path: Path) -> str:
        if path.name != "c.jsonl":
            return real(path)
        tries.append(path.read_text(encoding="utf-8"))
        if len(tries) == 1:
            with path.open("a", encoding="utf-8") as out:  # the writer goes on while the file is read
                out.write(whole[len(tries[0]):])
            raise ImportRejected([f"{path}:2: not valid JSON (got half a line)"])
        return real(path)

    watcher = watching(writer_still_writing)
    watcher.start()

    partial = inbox / "c.jsonl"
    partial.write_text(whole[: len(whole) - 40], encoding="utf-8")
    assert watcher.until(lambda report: isinstance(report, (Imported, Refused))) == [
        Imported(partial, f"Imported {partial}: 2 evaluations: 2 added, 0 replaced, 0 unchanged."),
    ]
    assert [len(text) for text in tries] == [len(whole) - 40, len(whole)]
    assert not (inbox / "refused").exists()
    assert watcher.close() == [f"Stopped watching {inbox}."]


def test_the_stop_event_ends_watching_with_a_last_line(engine, inbox, watching):
    watcher = watching(importer(engine))
    assert watcher.start() == [f"Watching {inbox} for new files (Ctrl-C to stop)."]
    watcher.stop.set()
    assert watcher.next() == f"Stopped watching {inbox}."
    watcher.thread.join(CEILING)
    assert not watcher.thread.is_alive()
    assert watcher.error is None


def test_ctrl_c_during_an_import_stops_cleanly(inbox, watching):
    f.write_jsonl(inbox / "a.jsonl", f.basics())
    f.write_jsonl(inbox / "b.jsonl", [call("C-1")])
    tried = []

    def interrupted(path: Path) -> str:
        tried.append(path.name)
        raise KeyboardInterrupt

    watcher = watching(interrupted)
    watcher.thread.start()
    assert watcher.next() == f"Stopped watching {inbox}."
    watcher.thread.join(CEILING)
    assert not watcher.thread.is_alive()
    assert watcher.error is None  # returned: no KeyboardInterrupt, no traceback
    assert watcher.reports.empty()
    assert tried == ["a.jsonl"]
    assert (inbox / "a.jsonl").exists() and (inbox / "b.jsonl").exists()


def test_the_problems_file_says_how_many_there_are_when_not_all_are_listed(inbox, watching):
    f.write_jsonl(inbox / "huge.jsonl", [call("C-1")])
    listed = [f"{inbox / 'huge.jsonl'}:{n}: agent: [red]no such agent[/red] (got \"x\")" for n in (1, 2)]

    def too_many(path: Path) -> str:
        raise ImportRejected(listed, total=1500)

    watcher = watching(too_many)
    refused = watcher.start()[0]
    assert isinstance(refused, Refused) and refused.total == 1500 and refused.problems == listed
    assert "1,500 problems" in refused.line()
    lines = refused.problems_file.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(": 1,500 problems (the first 2 listed below); nothing in it was imported.")
    assert lines[-2:] == listed
    watcher.close()


def test_a_folder_that_is_not_there_is_said(tmp_path):
    with pytest.raises(NextcallError, match="is not a folder"):
        watch_folder(tmp_path / "nowhere", lambda path: "", suffixes=SUFFIXES, report=lambda report: None)


CHILD = """
import sys
from pathlib import Path
from nextcall.store.watching import watch_folder

def report(what):
    print(what if isinstance(what, str) else what.line(), flush=True)

watch_folder(Path(sys.argv[1]), lambda path: f"Imported {path}.", suffixes={".jsonl"}, report=report)
"""


def test_ctrl_c_at_a_terminal_stops_watching_without_a_traceback(inbox):
    # A real SIGINT, sent to a child process watching in its main thread (never to the tests' own process).
    f.write_jsonl(inbox / "a.jsonl", f.basics())
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(inbox)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **FAULTHANDLER}, preexec_fn=default_sigint,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in child.stdout], daemon=True).start()
    try:
        assert lines.get(timeout=CEILING) == f"Imported {inbox / 'a.jsonl'}.\n"
        assert lines.get(timeout=CEILING) == f"Watching {inbox} for new files (Ctrl-C to stop).\n"
        assert exit_after_ctrl_c(child, CEILING, child.stderr.read) == 0
    finally:
        child.kill()
    assert lines.get(timeout=CEILING) == f"Stopped watching {inbox}.\n"
    assert child.stderr.read() == ""


def test_while_the_database_is_lost_the_other_files_wait_untried_and_keep_their_order(engine, inbox, watching):
    put(inbox / "a.jsonl", f.basics())
    put(inbox / "b.jsonl", [call("C-1")])
    real = importer(engine)
    tried: list[str] = []

    def database_lost_once(path: Path) -> str:
        tried.append(path.name)
        if len(tried) == 1:
            raise StoreError("The database is gone.")
        return real(path)

    watcher = watching(database_lost_once)
    assert watcher.start() == [
        Waiting(inbox / "a.jsonl", "The database is gone."),
        Waiting(inbox / "b.jsonl", "The database is gone."),
        f"Watching {inbox} for new files (Ctrl-C to stop).",
    ]
    assert tried == ["a.jsonl"]

    new = land(inbox / "0.jsonl", [call("C-0")])  # first by name, yet it came last
    assert [report.path for report in watcher.until(imported(new))] == [inbox / "a.jsonl", inbox / "b.jsonl", new]
    assert stored_calls(engine) == {"C-0": 4, "C-1": 4}
    watcher.close()
