"""When a database cannot take what a command asks: one worded line on stderr, never a traceback, nothing written.

Each situation is brought about for real where this machine allows it: a file
and a folder the command may not write (as root, the command runs without
root's power to override file modes), a disk that fills up (SQLite told the
file may not grow), a database not in UTF-8 (an agent's own login is in
tests/store/test_privacy.py),
another program's file, Ctrl-C (a real SIGINT to a running import), the demo
rebuilt under an open app, a database that is not there yet, and calls stored
at the two ends of the calendar shown in the zones furthest from UTC.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import Engine, event, text
from textual.widgets import DataTable

from nextcall.seed.load import load_demo
from nextcall.store.db import describe, make_engine
from nextcall.store.importer import import_files
from nextcall.store.prep import prep_brief
from nextcall.tui import cli
from tests import factories
from tests.signals import default_sigint
from tests.conftest import scratch_pg_database
from tests.test_import_kill import calls, dump
from tests.tui.conftest import NOW, TODAY, make_app, settle, wait_until

ROOT = Path(__file__).resolve().parents[1]
HANG = 120
"""Seconds a child process gets before the test calls it hung: never reached by one that works."""


def nextcall(*args: str) -> list[str]:
    return [sys.executable, "-c", "from nextcall.tui.cli import main; main()", *args]


def run(*args: str, env: dict[str, str] | None = None, prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """`nextcall ARGS` in a child process, as a shell runs it (no NEXTCALL_DB from this machine)."""
    return subprocess.run(
        [*(prefix or []), *nextcall(*args)],
        capture_output=True, text=True, cwd=ROOT, timeout=HANG,
        env={**os.environ, "NEXTCALL_DB": "", **(env or {})},
    )


def says(result: subprocess.CompletedProcess[str], line: str, code: int = 1) -> None:
    """The command stopped with exactly this one line on stderr (after `nextcall: `) and this exit code."""
    assert "Traceback" not in result.stderr, result.stderr
    assert (result.returncode, result.stderr) == (code, f"nextcall: {line}\n"), result.stderr
    assert result.stdout == ""


def fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """A file's bytes and modification time, and which files lie beside it."""
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        sorted(p.name for p in path.parent.iterdir()),
    )


@pytest.fixture
def store(sqlite_url: str, tmp_path: Path) -> Path:
    """A nextcall SQLite file holding a team, an agent and thirty calls; the engine that wrote it is closed."""
    engine = make_engine(sqlite_url)
    import_files(engine, [factories.write_jsonl(tmp_path / "first.jsonl", [*factories.basics(), *calls("C", 30)])])
    engine.dispose()
    return Path(sqlite_url.removeprefix("sqlite:///"))


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """New calls to import: each would add rows."""
    return factories.write_jsonl(tmp_path / "batch.jsonl", [*factories.basics(), *calls("N", 50)])


def contents(path: Path) -> dict[str, list[tuple]]:
    engine = make_engine(f"sqlite:///{path}")
    try:
        return dump(engine)
    finally:
        engine.dispose()


# ------------------------------------------------------------ 1. read-only


@pytest.fixture
def as_a_user(tmp_path: Path) -> list[str]:
    """A prefix under which a command is held to file modes, as a user is.

    Root writes any file whatever its mode: as root, the command runs without
    the capabilities that let it (setpriv drops them from its bounding set).
    Checked, not assumed: the prefix must really make a 0444 file unwritable.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and setpriv (util-linux) is not there to drop root's override of file modes")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    probe = tmp_path / "probe"
    probe.write_text("")
    probe.chmod(0o444)
    tried = subprocess.run([*prefix, sys.executable, "-c", f"open({str(probe)!r}, 'a')"], capture_output=True, text=True)
    probe.unlink()
    if tried.returncode == 0 or "PermissionError" not in tried.stderr:
        pytest.skip(f"running as root, and root's override of file modes could not be dropped here: {tried.stderr.strip()}")
    return prefix


def test_an_import_into_a_read_only_file_says_so_and_writes_nothing(store: Path, batch: Path, as_a_user: list[str]) -> None:
    before = contents(store)
    store.chmod(0o444)
    try:
        seen = fingerprint(store)[:2]
        result = run("import", str(batch), "--db", f"sqlite:///{store}", prefix=as_a_user)
        says(result, f"{store} is read-only (attempt to write a readonly database); nothing was written.")
        assert fingerprint(store)[:2] == seen
    finally:
        store.chmod(0o644)
    assert contents(store) == before


def test_an_import_into_a_file_in_a_read_only_folder_says_so_and_writes_nothing(
    store: Path, batch: Path, as_a_user: list[str]
) -> None:
    before = contents(store)
    folder = store.parent
    folder.chmod(0o555)
    try:
        seen = fingerprint(store)
        for command in (["import", str(batch)], ["db", "info"]):
            result = run(*command, "--db", f"sqlite:///{store}", prefix=as_a_user)
            says(result, f"{store} is in a read-only folder, {folder} (attempt to write a readonly database); nothing was written.")
        assert fingerprint(store) == seen
    finally:
        folder.chmod(0o755)
    assert contents(store) == before


@pytest.fixture
def every_connection(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Pragmas to run on every SQLite connection the command's store opens, as a connect hook of the store's engine."""
    pragmas: list[str] = []
    from nextcall.store import db

    made = db.make_engine

    def make_engine_with_pragmas(url: str) -> Engine:
        engine = made(url)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            for pragma in pragmas:
                dbapi_connection.execute(pragma)

        return engine

    monkeypatch.setattr(db, "make_engine", make_engine_with_pragmas)
    yield pragmas


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`nextcall ARGS` through its entry point in this process: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["nextcall", *args])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    out, err = capsys.readouterr()
    return exit_info.value.code or 0, out, err


def test_a_database_sqlite_will_only_read_is_the_same_one_line(
    store: Path, batch: Path, every_connection: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Runs whoever runs the tests: SQLite itself refuses the write (query_only), the same error a read-only file gives.
    before = contents(store)
    every_connection.append("PRAGMA query_only=ON")
    code, out, err = run_main(monkeypatch, capsys, "--db", f"sqlite:///{store}", "import", str(batch))
    assert (code, out) == (1, "")
    assert err == f"nextcall: {store} is read-only (attempt to write a readonly database); nothing was written.\n"
    assert contents(store) == before


# ------------------------------------------------------------ 2. a full disk


def test_a_disk_that_fills_up_during_an_import_says_so_and_writes_nothing(
    store: Path, tmp_path: Path, every_connection: list[str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = contents(store)
    with sqlite3.connect(store) as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.close()
    # The file may not grow by one page: SQLite answers the import's first new page with SQLITE_FULL.
    every_connection.append(f"PRAGMA max_page_count={pages}")
    large = factories.write_jsonl(tmp_path / "large.jsonl", [*factories.basics(), *calls("L", 1000)])
    code, out, err = run_main(monkeypatch, capsys, "--db", f"sqlite:///{store}", "import", str(large))
    assert (code, out) == (1, "")
    assert err == f"nextcall: the disk holding {store} is full (database or disk is full); nothing was written.\n"
    assert contents(store) == before


# ------------------------------------------------------------ 3. an agent's own login: tests/store/test_privacy.py


# ------------------------------------------------------------ 4. a database not in UTF-8


@pytest.fixture
def latin1_url(pg_template: str) -> Iterator[str]:
    """An empty PostgreSQL database in LATIN1, dropped afterwards."""
    with scratch_pg_database("ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0") as url:
        yield url


def made_in(url: str) -> list[str]:
    """Every schema and relation in the database that PostgreSQL did not put there itself."""
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return [row[0] for row in connection.execute(
            "SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN "
            "('information_schema', 'public') UNION ALL SELECT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
        )]


@pytest.mark.parametrize("command", [["import", "{batch}"], ["db", "info"], ["db", "upgrade"], []], ids=lambda c: " ".join(c[:2]) or "app")
def test_a_postgresql_database_not_in_utf8_is_refused_before_anything_is_made_in_it(
    command: list[str], latin1_url: str, batch: Path
) -> None:
    result = run("--db", latin1_url, *(part.format(batch=batch) for part in command))
    says(
        result,
        f"{describe(latin1_url)} uses encoding LATIN1; nextcall needs a UTF-8 database "
        "(CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0); nothing was written.",
    )
    assert made_in(latin1_url) == []


# ------------------------------------------------------------ 5. another program's file

# Without a command, `nextcall --db FILE` opens the app: it must stop before the app starts.
COMMANDS = [[], ["db", "info"], ["export"], ["prep", "a.khan"], ["import", "{batch}"]]


def another_programs_sqlite_file(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")
    connection.close()
    assert path.read_bytes()[18:20] == b"\x01\x01"  # a rollback-journal file: opening it as nextcall would make it WAL
    return "already holds tables that are not nextcall's (invoices)"


def a_text_file(path: Path) -> str:
    path.write_text("milk\neggs\n" * 50, encoding="utf-8")
    return "is not a nextcall database (file is not a database)"


@pytest.mark.parametrize("make", [another_programs_sqlite_file, a_text_file], ids=lambda make: make.__name__)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "app")
def test_a_file_that_is_not_nextcalls_is_refused_and_left_byte_for_byte(
    command: list[str], make: Callable[[Path], str], tmp_path: Path, batch: Path
) -> None:
    path = tmp_path / "books.db"
    what = make(path)
    seen = fingerprint(path)
    result = run("--db", f"sqlite:///{path}", *(part.format(batch=batch) for part in command))
    says(result, f"sqlite:///{path} {what}; nothing was written; give --db a new file or an empty database.")
    assert fingerprint(path) == seen  # same bytes, same time, and no -wal, -shm or -journal beside it


# ------------------------------------------------------------ 6. Ctrl-C


def open_when_read(fifo: Path, child: subprocess.Popen[str]) -> int:
    """The write end of `fifo`, once the child has opened it to read: the moment it starts reading the batch."""
    started = time.monotonic()
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        assert child.poll() is None, child.communicate()[1]
        assert time.monotonic() - started < HANG, "the import never opened its batch"
        time.sleep(0.01)


def test_ctrl_c_while_an_import_reads_its_batch_is_one_line_exit_130_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    import_files(engine, [factories.write_jsonl(tmp_path / "first.jsonl", [*factories.basics(), *calls("C", 30)])])
    before = dump(engine)
    # The batch comes through a named pipe: the import cannot finish reading it until the test says so,
    # so the signal lands while it reads, however fast this machine is.
    fifo = tmp_path / "batch.jsonl"
    os.mkfifo(fifo)
    lines = factories.write_jsonl(tmp_path / "lines.jsonl", [*factories.basics(), *calls("N", 3000)]).read_bytes()
    child = subprocess.Popen(
        nextcall("--db", db_url, "import", str(fifo)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT, preexec_fn=default_sigint, env={**os.environ, "NEXTCALL_DB": ""},
    )
    try:
        writer = open_when_read(fifo, child)
        os.set_blocking(writer, True)
        os.write(writer, lines[: len(lines) // 2])  # returns once the import has taken in all but a pipe's worth
        child.send_signal(signal.SIGINT)
        # Python acts on a signal between two steps of its own: if it came while the import was not blocked
        # in the read, it is acted on when the read returns, which the end of the batch makes it do.
        os.close(writer)
        out, err = child.communicate(timeout=HANG)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert (child.returncode, err, out) == (130, "nextcall: interrupted; nothing was written.\n", "")
    assert dump(engine) == before
    engine.dispose()


WRITES_THEN_WAITS = textwrap.dedent(
    """
    import signal, sys
    from nextcall.store import importer
    from nextcall.tui.cli import main

    derive = importer.refresh_recognition

    def derive_then_wait(session, agents, **given):
        awards = derive(session, agents, **given)
        session.flush()
        print("WRITTEN", flush=True)
        signal.pause()  # until the Ctrl-C the test sends
        return awards

    importer.refresh_recognition = derive_then_wait
    sys.argv = ["nextcall", *sys.argv[1:]]
    main()
    """
)


def test_ctrl_c_with_every_row_written_but_not_committed_is_one_line_exit_130_and_writes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    import_files(engine, [factories.write_jsonl(tmp_path / "first.jsonl", [*factories.basics(), *calls("C", 30, outcome="missed")])])
    before = dump(engine)
    large = factories.write_jsonl(tmp_path / "large.jsonl", [*factories.basics(), *calls("C", 1000)])
    child = subprocess.Popen(
        [sys.executable, "-c", WRITES_THEN_WAITS, "--db", db_url, "import", str(large)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=default_sigint,
        env={**os.environ, "NEXTCALL_DB": ""},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == "WRITTEN\n", line + child.communicate(timeout=HANG)[1]
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=HANG)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert (child.returncode, err, out) == (130, "nextcall: interrupted; nothing was written.\n", "")
    engine.dispose()
    engine = make_engine(db_url)
    assert dump(engine) == before
    engine.dispose()


def export_interrupted(*_args: object, **_kwargs: object) -> Iterator[dict]:
    """Ctrl-C once the export has written a record to its file."""
    yield factories.team()
    raise KeyboardInterrupt


def prep_interrupted(*_args: object, **_kwargs: object) -> str:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "stand_in", "command"),
    [
        ("nextcall.store.exporter.export_records", export_interrupted, ["export", "{out}.jsonl"]),
        ("nextcall.store.prep.prep_brief", prep_interrupted, ["prep", "a.khan", "--out", "{out}.md"]),
    ],
    ids=["export", "prep"],
)
def test_ctrl_c_in_export_and_prep_is_the_same_line_and_leaves_no_file(
    target: str, stand_in: object, command: list[str], store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.setattr(target, stand_in)
    args = [part.format(out=out_dir / "brief") for part in command]
    code, out, err = run_main(monkeypatch, capsys, "--db", f"sqlite:///{store}", *args)
    assert (code, out, err) == (130, "", "nextcall: interrupted; nothing was written.\n")
    assert list(out_dir.iterdir()) == []


# ------------------------------------------------------------ 7. the demo rebuilt under an open app


def latest_call(engine: Engine) -> datetime:
    with engine.connect() as connection:
        return connection.execute(text("SELECT max(occurred_at) FROM evaluation")).scalar_one()


def test_rebuilding_the_demo_changes_the_file_an_open_engine_reads(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    load_demo(f"sqlite:///{path}", today=TODAY, now=NOW)
    engine = make_engine(f"sqlite:///{path}")  # its pooled connection keeps the file open, as an app's does
    first = latest_call(engine)
    inode = path.stat().st_ino
    load_demo(f"sqlite:///{path}", today=TODAY - timedelta(days=14), now=NOW)
    assert path.stat().st_ino == inode  # the same file, never deleted and made anew
    assert str(latest_call(engine))[:10] == str(TODAY - timedelta(days=14)) != str(first)[:10]
    assert sorted(p.name for p in tmp_path.iterdir() if "building" in p.name) == []
    engine.dispose()


@pytest.fixture
def in_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this process's local time zone (what the screens show times in) for one test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


async def test_an_app_open_on_the_demo_shows_the_rebuilt_demo(tmp_path: Path, in_zone: Callable[[str], None]) -> None:
    in_zone("UTC")
    path = tmp_path / "demo.db"
    load_demo(f"sqlite:///{path}", today=TODAY, now=NOW)
    engine = make_engine(f"sqlite:///{path}")
    app = make_app(engine, "a.khan")
    earlier = TODAY - timedelta(days=14)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        table = app.screen.query_one("#evaluations", DataTable)
        shown = str(table.get_row_at(0)[0])
        assert shown.startswith(f"{TODAY:%a %d %b}")
        await asyncio.to_thread(load_demo, f"sqlite:///{path}", today=earlier, now=NOW)
        # The app's own poll sees the new demo and the list reloads: no restart, no key pressed.
        await wait_until(app, pilot, lambda: str(table.get_row_at(0)[0]).startswith(f"{earlier:%a %d %b}"))
        assert [n for n in app._notifications if n.severity == "error"] == []
    engine.dispose()


# ------------------------------------------------------------ 8. no database yet


@pytest.mark.parametrize("command", [["db", "info"], ["export"], ["prep", "a.khan"]], ids=" ".join)
def test_a_reading_command_on_a_missing_default_database_says_so_and_makes_nothing(command: list[str], tmp_path: Path) -> None:
    empty = tmp_path / "data"
    empty.mkdir()
    result = run(*command, env={"NEXTCALL_DATA_DIR": str(empty)})
    says(
        result,
        f"no database at {empty / 'nextcall.db'} yet; nothing was written. "
        "`nextcall import FILE` makes one; `nextcall demo` shows the app on demo data.",
    )
    assert list(empty.iterdir()) == []


def test_db_info_on_a_missing_file_makes_neither_it_nor_its_folder(tmp_path: Path) -> None:
    missing = tmp_path / "not" / "yet" / "missing.db"
    for env in ({}, {"NEXTCALL_DATA_DIR": str(tmp_path / "none")}):
        result = run("--db", f"sqlite:///{missing}", "db", "info", env=env)
        says(
            result,
            f"no database at {missing} yet; nothing was written. "
            "`nextcall import FILE` makes one; `nextcall demo` shows the app on demo data.",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ------------------------------------------------------------ 9. the edges of the calendar

EDGES = [
    ("Pacific/Kiritimati", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "Fri 31 Dec 9999 23:59 UTC", "Fri 31 Dec 23:59 UTC"),
    # Not Pago Pago: before 1892 it kept local mean time of +12:37, so year 1 there is on the calendar.
    ("Pacific/Niue", datetime(1, 1, 1, 0, 0, tzinfo=UTC), f"Mon 1 Jan {date(1, 1, 1):%Y} 00:00 UTC", "Mon 01 Jan 00:00 UTC"),
]
"""A call stored where the viewer's zone has no date for it (UTC+14 past 9999, UTC-11 before year 1), and how
the brief and the Scorecards list show it: in UTC, saying so."""
EDGE_IDS = [zone for zone, *_ in EDGES]


def store_call_at(engine: Engine, tmp_path: Path, moment: datetime) -> None:
    """A call with a critical miss (the brief's latest), moved to `moment` in the table itself: the importer may refuse such a time."""
    records = [*factories.basics(), factories.evaluation(call_id="C-0")]
    import_files(engine, [factories.write_jsonl(tmp_path / "calls.jsonl", records)])
    stored = moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment
    with engine.begin() as connection:
        connection.execute(text("UPDATE evaluation SET occurred_at = :moment WHERE call_id = 'C-0'"), {"moment": stored})


@pytest.mark.parametrize(("zone", "moment", "shown", "listed"), EDGES, ids=EDGE_IDS)
def test_the_brief_shows_a_call_at_the_edge_of_the_calendar(
    zone: str, moment: datetime, shown: str, listed: str, engine: Engine, tmp_path: Path
) -> None:
    store_call_at(engine, tmp_path, moment)
    brief = prep_brief(engine, agent_id="a.khan", now=datetime(2026, 11, 25, 12, tzinfo=ZoneInfo(zone)))
    assert f"Call C-0, {shown}, at 1:13: missed" in brief


@pytest.mark.parametrize(("zone", "moment", "shown", "listed"), EDGES, ids=EDGE_IDS)
def test_prep_in_the_zone_furthest_from_utc_writes_the_brief(
    zone: str, moment: datetime, shown: str, listed: str, sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    store_call_at(engine, tmp_path, moment)
    engine.dispose()
    result = run("--db", sqlite_url, "prep", "a.khan", env={"TZ": zone})
    assert (result.returncode, result.stderr) == (0, "")
    assert f"Call C-0, {shown}, at 1:13: missed" in result.stdout


@pytest.mark.parametrize(("zone", "moment", "shown", "listed"), EDGES, ids=EDGE_IDS)
async def test_every_screen_shows_a_call_at_the_edge_of_the_calendar(
    zone: str, moment: datetime, shown: str, listed: str, sqlite_url: str, tmp_path: Path, in_zone: Callable[[str], None]
) -> None:
    in_zone(zone)
    engine = make_engine(sqlite_url)
    store_call_at(engine, tmp_path, moment)
    app = make_app(engine, "a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        table = app.screen.query_one("#evaluations", DataTable)
        assert str(table.get_row("C-0")[0]) == listed
        table.move_cursor(row=table.get_row_index("C-0"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EvaluationScreen"
        for key in "hgbwl":
            await pilot.press(key)
            await settle(app, pilot)
        assert [n.message for n in app._notifications if n.severity == "error"] == []
        assert app.is_running
    engine.dispose()
