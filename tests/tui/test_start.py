"""Start-up: Home's frame paints before the store is opened, and the store then opens in a worker.

What is loaded at the first frame is checked by module, not by a clock: a
fresh interpreter runs `nextcall` up to the moment the store would start
opening (the first frame painted) and lists what it has imported; another
runs it until Home shows an agent's data, and lists what it has imported then.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.strip import Strip
from textual.widgets import Footer, Header, Static

from nextcall.store.errors import StoreError
from nextcall.tui import cli
from nextcall.tui.app import NextcallApp
from nextcall.tui.dialogs.agent_picker import AgentPickerDialog
from nextcall.tui.screens.home import HomeScreen
from nextcall.tui.screens.scorecards import ScorecardsScreen
from nextcall.tui.screens.starting import LOADING, StartingScreen

from .conftest import settle, wait_until

HEAVY = (
    "sqlalchemy", "sqlmodel", "alembic", "pydantic_settings", "psycopg", "plotext", "textual_plotext", "pyfiglet",
)
"""Libraries the first frame does without: the store's, the settings', and the charts'."""

FIRST_FRAME_PROBE = """
import sys
from nextcall.tui import cli
from nextcall.tui.app import NextcallApp

cli._paints_first = lambda: True  # as at a terminal

def first_frame_painted(app):
    screen = app.screen
    print("SCREEN", type(screen).__name__, screen.title)
    print("SHOWN", *(str(widget.render()) for widget in screen.query("#starting")))
    print("BARS", len(screen.query("Header")), len(screen.query("Footer")))
    print("LOADED", *sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:])))
    print("NEXTCALL", *sorted(name for name in sys.modules if name.startswith("nextcall.")))
    app.exit()

NextcallApp._start_opening = first_frame_painted  # the store would start opening now: stop here instead
run = NextcallApp.run
NextcallApp.run = lambda app, **options: run(app, headless=True, **options)
sys.argv = ["nextcall", "--db", sys.argv[-1], "--agent", "a.khan"]
cli.main()
"""


UNUSED_BY_HOME = ("alembic", "psycopg", "pydantic_settings", "plotext", "textual_plotext", "pyfiglet")
"""Libraries Home does without, its data shown at 80×24 on a current SQLite store: the migrations', PostgreSQL's
driver (loaded only by the logins' functions), pydantic-settings (the settings are read with pydantic alone),
and the charts' (the goal's chart is made only on a tall terminal)."""

HOME_PROBE = """
import sys
from nextcall.tui import cli
from nextcall.tui.app import NextcallApp

unused = set(sys.argv[1:-1])
cli._paints_first = lambda: True  # as at a terminal
loaded = NextcallApp.screen_loaded

def home_shown(app):
    view = getattr(app.screen, "view", None)
    if type(app.screen).__name__ == "HomeScreen" and view is not None and view.evaluation_count > 0:
        print("SHOWN", view.agent.id, "with a goal" if view.goal is not None else "without a goal")
        print("LOADED", *sorted({name.split(".")[0] for name in sys.modules} & unused))
        print("RECORDS", "nextcall.store.records" in sys.modules)
        from nextcall.store import models
        print("BUILT", *sorted(
            name for name, kind in vars(models).items()
            if isinstance(kind, type) and issubclass(kind, models.Model) and kind.__pydantic_complete__
        ))
        app.exit()
    loaded(app)

NextcallApp.screen_loaded = home_shown  # a screen has just shown what it read
run = NextcallApp.run
NextcallApp.run = lambda app, **options: run(app, headless=True, **options)
sys.argv = ["nextcall", "--db", sys.argv[-1], "--agent", "a.khan"]
cli.main()
"""


def test_home_shows_its_data_on_sqlite_without_the_migrations_postgresql_the_charts_or_a_records_checks(
    demo_db: Path, tmp_path: Path
) -> None:
    # Home reads plain rows: no table's pydantic checks are built on the way (see `models.Model`), and the
    # import records, which the app never checks, are not even made (see `store/records.py`).
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_db.read_bytes())
    done = subprocess.run(
        [sys.executable, "-c", HOME_PROBE, *UNUSED_BY_HOME, f"sqlite:///{copy}"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    said = dict(line.partition(" ")[::2] for line in done.stdout.splitlines())
    assert said["SHOWN"] == "a.khan with a goal"  # a goal, whose chart is hidden at 80×24
    assert said["LOADED"] == ""
    assert said["BUILT"] == ""
    assert said["RECORDS"] == "False"  # nor are the import records' classes made: Home never reads an import


def test_no_screen_loads_postgresqls_driver_or_the_migrations_with_what_it_writes_through() -> None:
    # Goals and self-assessments, which the Goal and Self-assessment screens load as they write, load the
    # logins' module: its functions import psycopg as they run, on PostgreSQL.
    screens = ("home", "scorecards", "goal", "badges", "self_assessment", "leaderboard", "evaluation")
    probe = "; ".join(
        [*(f"import nextcall.tui.screens.{screen}" for screen in screens),
         "import nextcall.store.goals, nextcall.store.self_assessments", "import sys",
         "print(*sorted({name.split('.')[0] for name in sys.modules} & {'psycopg', 'alembic'}))"]
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_first_frame_paints_before_the_store_its_libraries_and_the_settings_load(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'nextcall.db'}"
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_PROBE, *HEAVY, db], capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    said = dict(line.partition(" ")[::2] for line in done.stdout.splitlines())
    assert said["SCREEN"] == "StartingScreen Next call"
    assert said["SHOWN"] == LOADING
    assert said["BARS"] == "1 1"
    assert said["LOADED"] == ""
    assert said["NEXTCALL"].split() == [
        "nextcall.store", "nextcall.store.errors", "nextcall.tui", "nextcall.tui.app", "nextcall.tui.cli",
        "nextcall.tui.messages", "nextcall.tui.screens", "nextcall.tui.screens.base", "nextcall.tui.screens.starting",
    ]
    assert not (tmp_path / "nextcall.db").exists()  # nothing was opened, let alone made


def footer_keys(app: NextcallApp) -> list[str]:
    return [active.binding.key for active in app.screen.active_bindings.values() if active.binding.show]


def opening(engine: Engine, **options: object) -> tuple[threading.Event, NextcallApp]:
    """An app whose store opens when the returned event is set."""
    release = threading.Event()

    def open_store() -> dict[str, object]:
        assert release.wait(120), "the test never let the store open"
        return {"engine": engine, **options}

    return release, NextcallApp(open_store=open_store, poll_seconds=0.2)


async def test_home_loads_in_place_of_loading_once_the_store_is_open(demo_engine: Engine) -> None:
    release, app = opening(demo_engine, agent_id="a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen)
        assert str(app.screen.query_one("#starting", Static).render()) == LOADING
        assert app.screen.query(Header) and app.screen.query(Footer)
        loading_keys = footer_keys(app)
        release.set()
        await wait_until(app, pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.view is not None)
        assert footer_keys(app) == loading_keys  # the same footer before and after: only the body fills in
        assert app.screen.view.agent.id == "a.khan"
        assert app.current_mode == "home" and "starting" not in app._modes  # nothing of the loading frame is kept
        assert app.engine is demo_engine and app.agent_id == "a.khan"
        assert gc.isenabled()  # off while the libraries loaded, on again for the app's life


def bars(app: NextcallApp) -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
    """The header's and the footer's rows as painted: each cell's character and style (less what a click finds)."""

    def cells(strip: Strip) -> list[tuple[str, object]]:
        return [(character, segment.style and segment.style.clear_meta_and_links()) for segment in strip for character in segment.text]

    strips = app.screen._compositor.render_strips()
    return cells(strips[0]), cells(strips[-1])


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_loading_frame_is_homes_own_header_and_footer_painted_before_the_apps_css_is_read(
    demo_engine: Engine, size: tuple[int, int],
) -> None:
    release, app = opening(demo_engine, agent_id="a.khan")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen)
        loading = bars(app)
        assert "Next call" in "".join(text for text, _ in loading[0]) and "Quit" in "".join(text for text, _ in loading[1])
        starting = app.screen.query_one("#starting", Static)
        assert (starting.content_region.x, starting.content_region.y) == (3, 2)  # where Home's own text starts
        body_padding = app.screen.query_one("#home-body").styles.padding
        release.set()
        await wait_until(app, pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.view is not None)
        await settle(app, pilot)
        header, footer = bars(app)
        assert footer == loading[1]  # not a key moves or changes colour as Home fills in
        assert [style.bgcolor for _, style in header] == [style.bgcolor for _, style in loading[0]]
        assert header[:2] == loading[0][:2]  # the same bar, its icon in place: only the title gains the agent's name
        assert app.screen.query_one("#home-body").styles.padding == body_padding
        assert app.css_path and app.stylesheet.has_source(str(app.css_path[0]), "")  # the app's CSS, read once the frame was out


async def test_a_screen_asked_for_while_the_store_opens_is_shown_once_it_is_open(demo_engine: Engine) -> None:
    release, app = opening(demo_engine, agent_id="a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen)  # nothing to show yet: no error, no half-made screen
        release.set()
        await wait_until(app, pilot, lambda: isinstance(app.screen, ScorecardsScreen))
        await settle(app, pilot)
        assert app.screen.query_one("#evaluations").row_count > 0


async def test_with_no_agent_chosen_the_picker_asks_once_the_store_is_open(demo_engine: Engine) -> None:
    release, app = opening(demo_engine, agent_id=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, AgentPickerDialog)
        release.set()
        await wait_until(app, pilot, lambda: isinstance(app.screen, AgentPickerDialog))


async def test_a_store_that_cannot_be_opened_ends_the_app_with_its_error() -> None:
    refused = StoreError("sqlite:///x.db is not a nextcall database (file is not a database)")

    def open_store() -> dict[str, object]:
        raise refused

    app = NextcallApp(open_store=open_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(app, pilot, lambda: not app.is_running)
    assert app.start_error is refused
    assert app.return_code == 1
    assert gc.isenabled()


def test_a_file_that_is_not_nextcalls_is_the_same_one_line_when_the_app_paints_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As tests/test_no_traceback.py checks without a terminal, where the store opens before the app starts.
    path = tmp_path / "list.db"
    path.write_text("milk\neggs\n" * 50, encoding="utf-8")
    monkeypatch.setattr(cli, "_paints_first", lambda: True)
    run = NextcallApp.run
    monkeypatch.setattr(NextcallApp, "run", lambda app, **options: run(app, headless=True, **options))
    monkeypatch.setattr(sys, "argv", ["nextcall", "--db", f"sqlite:///{path}", "--agent", "a.khan"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    out, err = capsys.readouterr()
    assert (exit_info.value.code, out) == (1, "")
    assert err == (
        f"nextcall: sqlite:///{path} is not a nextcall database (file is not a database); nothing was written; "
        "give --db a new file or an empty database.\n"
    )
    assert path.read_text(encoding="utf-8") == "milk\neggs\n" * 50


def test_a_bad_setting_is_the_same_one_line_and_exit_code_when_the_app_paints_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_paints_first", lambda: True)
    run = NextcallApp.run
    monkeypatch.setattr(NextcallApp, "run", lambda app, **options: run(app, headless=True, **options))
    monkeypatch.setenv("NEXTCALL_POLL_SECONDS", "0")
    monkeypatch.setattr(sys, "argv", ["nextcall", "--db", "sqlite:///:memory:", "--agent", "a.khan"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    out, err = capsys.readouterr()
    assert (exit_info.value.code, out) == (2, "")
    assert err.startswith("nextcall: NEXTCALL_POLL_SECONDS: ") and err.count("\n") == 1


async def test_the_agent_check_and_the_polls_wait_for_homes_data(demo_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run beside Home's first read they would slow it: the interpreter runs one thread at a time.
    from nextcall.store import queries

    app = NextcallApp(engine=demo_engine, agent_id="a.khan", poll_seconds=0.2)
    home_had_data: list[tuple[str, bool]] = []

    def noting(name: str):  # noqa: ANN202
        real = getattr(queries, name)

        def called(*args: object, **kwargs: object) -> object:
            home_had_data.append((name, isinstance(app.screen, HomeScreen) and app.screen.view is not None))
            return real(*args, **kwargs)

        return called

    for name in ("list_agents", "import_marker"):
        monkeypatch.setattr(queries, name, noting(name))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(app, pilot, lambda: {name for name, _ in home_had_data} == {"list_agents", "import_marker"})
    assert home_had_data[:2] and all(had for _, had in home_had_data[:2])


async def test_homes_data_is_read_once_as_the_store_opens_and_shown_as_home_first_paints(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nextcall.store import queries
    from nextcall.tui.screens import base

    reads: list[str] = []
    home_view = queries.home_view

    def reading(*args: object, **kwargs: object) -> object:
        reads.append(threading.current_thread().name)
        return home_view(*args, **kwargs)

    monkeypatch.setattr(queries, "home_view", reading)
    footers_made: list[str] = []
    compose = base.SteadyFooter.compose

    def composing(footer: base.SteadyFooter):  # noqa: ANN202
        footers_made.append(type(footer.screen).__name__)
        return compose(footer)

    monkeypatch.setattr(base.SteadyFooter, "compose", composing)
    release, app = opening(demo_engine, agent_id="a.khan")
    shown: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        release.set()
        await wait_until(app, pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.view is not None)
        home = app.screen
        assert isinstance(home, HomeScreen)
        monkeypatch.setattr(home, "show", lambda *args: shown.append(args))
        await wait_until(app, pilot, lambda: app._began)
        await settle(app, pilot)
        assert len(reads) == 1  # one read, with the store's opening: none on Home's first showing
        assert not shown  # and nothing shown again after it
        assert footers_made.count("HomeScreen") == 1  # Home's keys, made once, in its first frame
        assert footers_made.count("StartingScreen") == 1
        assert str(home.query_one("#focus-instruction", Static).render())  # the data is on screen


async def test_homes_first_read_failing_as_the_store_opens_is_read_and_said_as_any_failed_read(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nextcall.store import queries

    home_view = queries.home_view
    failures = [RuntimeError("disk on fire")]

    def reading(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop()
        return home_view(*args, **kwargs)

    monkeypatch.setattr(queries, "home_view", reading)
    release, app = opening(demo_engine, agent_id="a.khan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        release.set()
        # The failed read with the opening is dropped: Home reads again in its own worker, which gets the data.
        await wait_until(app, pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.view is not None)
        assert not failures and app.screen.view.agent.id == "a.khan"


async def test_the_collector_runs_again_when_the_store_cannot_be_opened() -> None:
    opened: list[bool] = []

    def open_store() -> dict[str, object]:
        opened.append(gc.isenabled())
        raise StoreError("sqlite:///x.db is not a nextcall database (file is not a database)")

    app = NextcallApp(open_store=open_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(app, pilot, lambda: not app.is_running)
    assert opened == [False]  # paused while the store opened
    assert gc.isenabled()


async def test_home_on_a_tall_terminal_makes_its_before_and_since_card_when_it_first_shows_it(demo_engine: Engine) -> None:
    from nextcall.tui.widgets.effect import GoalEffect

    app = NextcallApp(engine=demo_engine, agent_id="a.khan", poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(app, pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.view is not None)
        assert not app.screen.query(GoalEffect)  # hidden at 80×24: not made
