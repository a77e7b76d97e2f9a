"""Attacks on agents' and leads' own logins to a shared PostgreSQL database.

Each probe is run as three logins: an agent's (ana), a team lead's (the
Falcons'), and a login granted in ANOTHER nextcall database of the same
server (roles are server-wide) that connects to this one. The oracle does not
depend on how nextcall keeps rows private: for a TRUE guess about a row the
login may not read and for a FALSE one, the whole output must be the same —
the rows, or the error (sqlstate, message, detail, hint, position), and the
complete `EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON)` plan with its wall-clock
fields removed. Each probe is also run as the owner, who may read the rows,
to show that the probe does tell a true guess from a false one when the rows
are readable (so equal outputs for a login mean something).

Some attacks compare two worlds instead of two guesses: two databases built
alike except for what a colleague did, read by the same kind of login.

PostgreSQL only: a SQLite file has no logins. Roles are shared by every
database of the server, so each test names its logins with a suffix of its
own and drops them (and whatever they own in this test's databases) when it ends.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.db import make_engine, open_store
from nextcall.store.errors import StoreError
from nextcall.store.goals import start_goal
from nextcall.store.importer import import_files
from nextcall.store.leaderboard import Metric, Period, leaderboard, set_opt_out, teams
from nextcall.store.models import BadgeAward, PointsEntry
from nextcall.store.prep import prep_brief
from nextcall.store.privacy import (
    board_rules,
    derive_recognition,
    grant_agent,
    grant_lead,
    list_logins,
    login_url,
    revoke,
    set_board_rules,
)
from nextcall.store.self_assessments import Draft, SelfAssessmentError, save_draft, submit
from nextcall.tui.cli import app
from tests import factories as f
from tests.conftest import _pg_admin_dsn, fresh_pg_database
from tests.store.test_privacy import call
from tests.store.test_privacy import records as privacy_records

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""The board's frozen clock (a Wednesday): `nextcall_access.board_rules.clock`."""
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_MONDAY = MONDAY - timedelta(days=7)
KEYS = [f"k{i}" for i in range(10)]
FALCONS = ("ana", "ben", "cy", "fay")
HAWKS = ("dee", "eli", "gus")
EVERYONE = FALCONS + HAWKS
OPTED_OUT = ("ana", "cy", "dee")
MIN_CALLS = 3
FEW_CALLS = {"fay": 1, "gus": 2}
"""Colleagues with fewer calls this week than the board's minimum: their figures are nobody else's to read."""

STRUGGLES = {"ana": "drafts nobody sees", "ben": "rushing the close", "dee": "hawks-only worries"}
"""What each wrote in their self-assessment: ana's is a draft, ben's and dee's are submitted."""
DEE_QUOTE = "Customer: my card was stolen in Lisbon"
DEE_COMMENT = "Skipped the fraud script"
"""On a call of dee's, an opted-out colleague in the other team."""

TABLES = ("evaluation", "goal", "self_assessment", "badge_award", "points_entry")
"""Tables whose rows belong to one agent, by `agent_id`."""
TEMPORAL = {"timestamp with time zone", "timestamp without time zone", "date", "interval"}
PERIODS = ("this_week", "last_7_days", "last_30_days", "this_month")
SPANS = ("current", "previous", "baseline", "previous_baseline")
OLD_WRITER_KEY = 7_061_982_502
MIGRATION_KEY = 7_061_982_501
CEILING_S = 120.0
"""Only to detect a hang: a write that should complete has never needed more than a few seconds."""


# ------------------------------------------------------------------ the store


def records() -> list[dict[str, Any]]:
    """test_privacy's store, with two colleagues under the minimum and a call of dee's with the customer's words."""
    out = privacy_records()
    out += [f.agent(id="fay", name="Fay"), f.agent(id="gus", name="Gus", team="hawks")]
    for agent, count in FEW_CALLS.items():
        out += [call(10 + i, agent, MONDAY + timedelta(hours=i), 7) for i in range(count)]
    quoted = [f.result(key, "met") for key in KEYS[:9]]
    quoted.append(f.result("k9", "missed", moment_s=73, quote=DEE_QUOTE, comment=DEE_COMMENT))
    out.append(call(20, "dee", MONDAY + timedelta(hours=6), 9, results=quoted))
    return out


def build_store(url: str, folder: Path) -> Engine:
    """The store, filled through the real importer and the store's own functions, with the board frozen at NOW."""
    engine = make_engine(url)
    import_files(engine, [f.write_jsonl(folder / f"calls-{uuid.uuid4().hex[:6]}.jsonl", records())])
    for agent in ("ana", "ben", "dee", "eli"):
        start_goal(engine, agent_id=agent, criterion_key="k9", now=MONDAY - timedelta(hours=1))
    for agent, words in STRUGGLES.items():
        save_draft(engine, agent_id=agent, draft=Draft(date(2026, 12, 1), f"{agent} listens", words, "recaps"))
    for agent in ("ben", "dee"):
        submit(engine, agent_id=agent, now=NOW)
    save_draft(engine, agent_id="ben", draft=Draft(strengths="a new draft"))
    for agent in OPTED_OUT:
        set_opt_out(engine, agent_id=agent, anonymous=True)
    with admin(url) as connection:
        connection.execute(
            "UPDATE nextcall_access.board_rules SET clock = %s, time_zone = 'UTC', min_calls = %s", (NOW, MIN_CALLS)
        )
    return engine


def admin(url: str) -> psycopg.Connection:
    """The owner's (postgres') own connection, naming nextcall's tables unqualified."""
    return psycopg.connect(url.replace("+psycopg", ""), autocommit=True, options="-c search_path=nextcall,pg_catalog")


def connect(url: str, login: str, search_path: str | None = None) -> psycopg.Connection:
    """A login's connection, with the server's default search_path unless one is given."""
    options = {"options": f"-c search_path={search_path}"} if search_path else {}
    return psycopg.connect(login_url(url, login), autocommit=True, **options)


def engine_as(url: str, login: str) -> Engine:
    """The app's engine on a login's URL (it pins the login's search_path to its scope)."""
    return make_engine(login_url(url, login))


@dataclass
class Names:
    """Login names unique to one test, and the databases they may own something in."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    made: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)

    def __call__(self, base: str) -> str:
        self.made.append(f"{base}.{self.suffix}")
        return self.made[-1]


@pytest.fixture
def names(pg_url: str) -> Iterator[Names]:
    made = Names(databases=[pg_url])
    yield made
    for url in made.databases:
        try:
            with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
                for login in made.made:
                    if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
                        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,))
                        connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(login)))
        except psycopg.OperationalError:
            pass  # that database is dropped already, and with it all that was in it
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as connection:
        for login in made.made:
            connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,))
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


@pytest.fixture
def owner(pg_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = build_store(pg_url, tmp_path)
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class Viewer:
    """A login attacking this test's database, and the rows it may not read there."""

    kind: str
    """"agent" (ana's own login), "lead" (the Falcons' lead) or "elsewhere" (granted in another database)."""
    login: str
    url: str
    """This test's database (the one attacked), as the owner."""
    home: str
    """The database the login was granted in, as the owner: `url`, or the other database."""
    hidden: tuple[str, ...]
    """Colleagues none of whose personal rows this login may read."""
    hidden_words: tuple[str, ...]
    """Agents whose self-assessment (with its STRUGGLES) this login may not read."""

    def connect(self, search_path: str | None = None) -> psycopg.Connection:
        return connect(self.url, self.login, search_path)


@contextmanager
def made_viewer(kind: str, owner: Engine, pg_url: str, names: Names, pg_template: str, folder: Path) -> Iterator[Viewer]:
    if kind == "agent":
        login = grant_agent(owner, "ana", login=names("ana"))
        yield Viewer(kind, login, pg_url, pg_url, ("ben", "cy", "dee", "eli"), ("ben", "dee"))
    elif kind == "lead":
        login = grant_lead(owner, "falcons", names("lead"))
        # Ana's self-assessment is a draft: not the lead's to read until she submits it.
        yield Viewer(kind, login, pg_url, pg_url, ("dee", "eli"), ("ana", "dee"))
    else:
        grant_lead(owner, "hawks", names("hawks"))  # this database has logins of its own
        with fresh_pg_database(pg_template) as other_url:
            names.databases.append(other_url)
            other = make_engine(other_url)
            import_files(other, [f.write_jsonl(folder / "other.jsonl", [f.team(), f.agent(id="ana", name="Ana")])])
            login = grant_agent(other, "ana", login=names("far"))
            other.dispose()
            yield Viewer(kind, login, pg_url, other_url, ("ana", "ben", "dee"), ("ana", "ben", "dee"))


@pytest.fixture(params=["agent", "lead", "elsewhere"])
def viewer(
    request: pytest.FixtureRequest, owner: Engine, pg_url: str, names: Names, pg_template: str, tmp_path: Path
) -> Iterator[Viewer]:
    """Each login in turn: an agent's, a lead's, and one granted in another nextcall database of the server."""
    with made_viewer(request.param, owner, pg_url, names, pg_template, tmp_path) as made:
        yield made


@pytest.fixture(params=["lead", "elsewhere"])
def bystander(
    request: pytest.FixtureRequest, owner: Engine, pg_url: str, names: Names, pg_template: str, tmp_path: Path
) -> Iterator[Viewer]:
    """A login that writes for no agent of this database."""
    with made_viewer(request.param, owner, pg_url, names, pg_template, tmp_path) as made:
        yield made


# ------------------------------------------------------------------ what a probe shows


WALL_CLOCK = re.compile(r"Time|Timing")
"""Plan fields that measure wall-clock time ("Actual Startup Time", "Planning Time", JIT "Timing", a trigger's "Time")."""

GUESS = "$GUESS"
"""Where a probe's guess goes in its statement."""


def _without_wall_clock(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_wall_clock(value) for key, value in node.items() if not WALL_CLOCK.search(key)}
    if isinstance(node, list):
        return [_without_wall_clock(value) for value in node]
    return node


def literal(value: str | int) -> str:
    """`value` as a SQL literal."""
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _masked(node: Any, guess: str) -> Any:
    """A plan or an error with the guessed literal (which the statement itself holds) replaced by a mark."""
    if isinstance(node, dict):
        return {key: _masked(value, guess) for key, value in node.items()}
    if isinstance(node, list):
        return [_masked(value, guess) for value in node]
    if isinstance(node, str):
        if guess.startswith("'"):
            return node.replace(guess, "'<GUESS>'")
        return re.sub(rf"(?<![\w.]){re.escape(guess)}(?![\w.])", "<GUESS>", node)
    return node


def _error(error: psycopg.Error) -> dict[str, Any]:
    diag = error.diag
    return {
        "sqlstate": error.sqlstate,
        "message": diag.message_primary,
        "detail": diag.message_detail,
        "hint": diag.message_hint,
        "position": diag.statement_position,
        "context": diag.context,
    }


def run(connection: psycopg.Connection, statement: str, params: tuple[Any, ...] | None = None) -> Any:
    """The rows (or the row count), else {"error": ...}; rolled back either way."""
    try:
        with connection.transaction(force_rollback=True):
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount
    except psycopg.DatabaseError as error:
        return {"error": _error(error)}


def observe(connection: psycopg.Connection, template: str, guess: str | int) -> dict[str, Any]:
    """Everything the statement with `guess` shows: its rows or its error, and its plan when analysed."""
    value = literal(guess)
    statement = template.replace(GUESS, value)
    plan = run(connection, f"EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) {statement}")
    if isinstance(plan, list):
        plan = _without_wall_clock(plan[0][0])
    result = run(connection, statement)
    if isinstance(result, dict):
        result = _masked(result, value)
    return {"result": result, "plan": _masked(plan, value)}


def same(connection: psycopg.Connection, template: str, true: str | int, false: str | int) -> dict[str, Any]:
    """Assert a true guess and a false one show exactly the same; returns what they show."""
    shown_true, shown_false = observe(connection, template, true), observe(connection, template, false)
    assert shown_true == shown_false, (
        f"{template.replace(GUESS, literal(true))}  vs  {template.replace(GUESS, literal(false))}:\n"
        f"TRUE  {json.dumps(shown_true, default=str)}\nFALSE {json.dumps(shown_false, default=str)}"
    )
    return shown_true


def differs(connection: psycopg.Connection, template: str, true: str | int, false: str | int) -> None:
    """Assert the probe does tell a true guess from a false one where the rows are readable (the owner's)."""
    assert observe(connection, template, true) != observe(connection, template, false), template


def nobody_like(guess: str) -> str:
    """A wrong guess of the same length (so not even an error's position could differ by length)."""
    return "x" * len(guess)


def absent_like(number: int, used: set[int]) -> int:
    """An id nobody has, with as many digits as `number`."""
    digits = len(str(number))
    return next(n for n in range(10 ** (digits - 1), 10**digits) if n not in used)


def refused(connection: psycopg.Connection, statement: str, *params: Any) -> dict[str, Any]:
    """The server's error for `statement`, which must fail (rolled back either way)."""
    outcome = run(connection, statement, params or None)
    assert isinstance(outcome, dict) and "error" in outcome, f"{statement} {params} was allowed: {outcome}"
    return outcome["error"]


# ------------------------------------------------------------------ 1. whose rows exist


def test_plans_and_results_are_the_same_for_a_colleagues_id_and_nobodys(owner: Engine, viewer: Viewer) -> None:
    sources = ("{table}", "nextcall.{table}", "nextcall_scope.{table}", "nextcall_access.scope_{table}()")
    connections = [
        viewer.connect(),  # the server's default search_path: "$user", public
        viewer.connect("nextcall_scope,pg_catalog"),  # as the app's sessions search
        viewer.connect("nextcall,pg_catalog"),  # where the tables are
    ]
    try:
        for connection in connections:
            for colleague in viewer.hidden:
                for table in TABLES:
                    for source in sources:
                        source = source.format(table=table)
                        for select in ("*", "count(*)", "id"):
                            same(connection, f"SELECT {select} FROM {source} WHERE agent_id = {GUESS}", colleague, nobody_like(colleague))
                for source in ("agent", "nextcall.agent", "nextcall_scope.agent"):
                    same(connection, f"SELECT * FROM {source} WHERE id = {GUESS}", colleague, nobody_like(colleague))
    finally:
        for connection in connections:
            connection.close()
    with admin(viewer.url) as connection:
        for table in TABLES:
            differs(connection, f"SELECT * FROM nextcall.{table} WHERE agent_id = {GUESS}", "ben", "xxx")


def test_a_colleagues_call_ids_show_nothing_of_their_calls_or_results(owner: Engine, viewer: Viewer) -> None:
    with admin(viewer.url) as connection:
        hidden_calls = [  # ids of two digits, so that one nobody has is as long
            row[0] for row in connection.execute(
                "SELECT id FROM evaluation WHERE agent_id = ANY(%s) AND id BETWEEN 10 AND 99 ORDER BY id", (list(viewer.hidden),)
            ).fetchall()
        ]
        used = {row[0] for row in connection.execute("SELECT id FROM evaluation").fetchall()}
        differs(connection, f"SELECT * FROM criterion_result WHERE evaluation_id = {GUESS}", hidden_calls[0], absent_like(hidden_calls[0], used))
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for call_id in hidden_calls[:3] + hidden_calls[-2:]:
            absent = absent_like(call_id, used)
            for source in ("criterion_result", "nextcall.criterion_result", "nextcall_access.scope_criterion_result()"):
                same(connection, f"SELECT * FROM {source} WHERE evaluation_id = {GUESS}", call_id, absent)
            for source in ("evaluation", "nextcall.evaluation", "badge_award", "nextcall.badge_award"):
                same(connection, f"SELECT * FROM {source} WHERE {'id' if 'evaluation' in source else 'evaluation_id'} = {GUESS}", call_id, absent)


# ------------------------------------------------------------------ 2. guesses at a hidden column


def test_guessing_a_colleagues_words_shows_the_same_whether_right_or_wrong(owner: Engine, viewer: Viewer) -> None:
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for agent in viewer.hidden_words:
            words = STRUGGLES[agent]
            for source in ("self_assessment", "nextcall.self_assessment", "nextcall_access.scope_self_assessment()"):
                where = f"SELECT * FROM {source} WHERE agent_id = '{agent}' AND "
                same(connection, where + f"struggles = {GUESS}", words, nobody_like(words))
                # Bisection, one character at a time: 'r' <= 'rushing the close' < 's'.
                same(connection, where + f'struggles COLLATE "C" >= {GUESS}', words[0], chr(ord(words[0]) + 1))
                same(connection, where + f"struggles LIKE {GUESS}", words[:3] + "%", "zzz%")
                # An error raised for the right guess only.
                same(connection, where + f"1 / (CASE WHEN struggles = {GUESS} THEN 0 ELSE 1 END) = 1", words, nobody_like(words))
                # Without naming whose.
                same(connection, f"SELECT count(*) FROM {source} WHERE struggles = {GUESS}", words, nobody_like(words))
    with admin(viewer.url) as connection:
        where = "SELECT * FROM self_assessment WHERE agent_id = 'ben' AND "
        differs(connection, where + f"struggles = {GUESS}", STRUGGLES["ben"], nobody_like(STRUGGLES["ben"]))
        differs(connection, where + f'struggles COLLATE "C" >= {GUESS}', "r", "s")
        differs(connection, where + f"1 / (CASE WHEN struggles = {GUESS} THEN 0 ELSE 1 END) = 1", STRUGGLES["ben"], "x" * 17)


def test_guessing_an_opted_out_colleagues_quote_or_comment_shows_the_same(owner: Engine, viewer: Viewer) -> None:
    joined = "SELECT r.* FROM {results} r JOIN {calls} e ON e.id = r.evaluation_id WHERE e.agent_id = 'dee' AND "
    sources = [
        joined.format(results="criterion_result", calls="evaluation"),
        joined.format(results="nextcall.criterion_result", calls="nextcall.evaluation"),
        joined.format(results="nextcall_scope.criterion_result", calls="nextcall_scope.evaluation"),
        "SELECT r.* FROM criterion_result r WHERE ",
    ]
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for where in sources:
            for column, words in (("quote", DEE_QUOTE), ("comment", DEE_COMMENT)):
                same(connection, where + f"r.{column} = {GUESS}", words, nobody_like(words))
                same(connection, where + f'r.{column} COLLATE "C" >= {GUESS}', words[0], chr(ord(words[0]) + 1))
                same(connection, where + f"1 / (CASE WHEN r.{column} = {GUESS} THEN 0 ELSE 1 END) = 1", words, nobody_like(words))
    with admin(viewer.url) as connection:
        differs(connection, sources[0] + f"r.quote = {GUESS}", DEE_QUOTE, nobody_like(DEE_QUOTE))
        differs(connection, sources[0] + f'r.comment COLLATE "C" >= {GUESS}', "S", "T")


# ------------------------------------------------------------------ 3. the board


WINDOWED = (
    # Revision 0004's functions, which read any window a caller asked for.
    "SELECT * FROM nextcall_access.board_scores({start}::timestamptz, {end}::timestamptz, NULL)",
    "SELECT * FROM nextcall_access.board_goal_rates({start}::timestamptz, {end}::timestamptz, NULL)",
    "SELECT * FROM nextcall_access.board_points({start}::date, {end}::date, NULL)",
    "SELECT * FROM nextcall_access.board_agents(NULL)",
    "SELECT * FROM nextcall_access.board_viewer()",
    # Today's, given a window instead of a period or a span.
    "SELECT * FROM nextcall_access.board_scores({start}, {end}, NULL)",
    "SELECT * FROM nextcall_access.board_scores('this_week', {start}, NULL)",
    "SELECT * FROM nextcall_access.board_points({start}, 'current', NULL)",
    "SELECT * FROM nextcall_access.board_goal_gains({start}, {end}, NULL)",
    "SELECT * FROM nextcall_access.board_window({start}, {end})",
    "SELECT * FROM nextcall_access.board_window('1 minute', 'current')",
    "SELECT * FROM nextcall_access.board_window('this_week ', 'current')",
    "SELECT * FROM nextcall_access.board_window(NULL, 'current')",
    "SELECT * FROM nextcall_access.board_window('this_week', NULL)",
    "SELECT * FROM nextcall_access.board_scores('this_week', 'current'' OR true --', NULL)",
    "SELECT * FROM nextcall_access.board_viewer('this_week')",
    "SELECT * FROM nextcall_access.goal_baseline('ben', 1, {start}::timestamptz, 10)",
)


def unkeyed(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with every anonymous key made alike, in a steady order."""
    return sorted(
        (tuple("anonymous" if isinstance(v, str) and v.startswith("anonymous ") else v for v in row) for row in rows), key=repr
    )


def test_the_board_gives_no_window_finer_than_a_named_period(owner: Engine, viewer: Viewer) -> None:
    minute = ("2026-11-25 11:00:00+00", "2026-11-25 11:01:00+00")
    hour = ("2026-11-25 11:00:00+00", "2026-11-25 12:00:00+00")
    with viewer.connect() as connection:
        for start, end in (minute, hour):
            for template in WINDOWED:
                statement = template.format(start=literal(start), end=literal(end))
                outcome = run(connection, statement)
                assert isinstance(outcome, dict) and "error" in outcome, (statement, outcome)

        # Nothing the login may execute outside the system catalogs takes a moment, a day or a span of
        # time, but an agent's two writers of their own rows (a goal's mastery moment, a draft's session
        # day) and a lead's three writers of its team's sessions (a session's time, a follow-up day).
        executable = connection.execute(
            """
            SELECT n.nspname || '.' || p.proname, array(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND has_schema_privilege(n.oid, 'USAGE') AND has_function_privilege(p.oid, 'EXECUTE')
            """
        ).fetchall()
        takes_time = sorted(name for name, types in executable if TEMPORAL & set(types))
        writers = (
            ["nextcall_access.add_session", "nextcall_access.move_session", "nextcall_access.note_session"]
            if viewer.kind == "lead" else ["nextcall_access.end_goal", "nextcall_access.save_draft"]
        )
        assert takes_time == writers
        assert any("board_scores" in name for name, _ in executable)

        if viewer.kind == "elsewhere":
            for period in PERIODS:
                error = refused(connection, "SELECT * FROM nextcall_access.board_scores(%s, 'current', NULL)", period)
                assert error["sqlstate"] == "42501", error
            return

        # Every window's boundaries are midnights in the board's zone, or the board's clock itself:
        # no difference of two windows is finer than a day.
        for period in PERIODS:
            for span in SPANS:
                start, end = connection.execute("SELECT * FROM nextcall_access.board_window(%s, %s)", (period, span)).fetchone()
                for moment in (start, end):
                    at = moment.astimezone(UTC)
                    assert at == NOW or (at.hour, at.minute, at.second, at.microsecond) == (0, 0, 0, 0), (period, span, moment)
                assert end - start >= timedelta(days=1), (period, span)

        # The session's own time zone, date style or transaction change no window and no figure.
        def boards() -> list[list[tuple[Any, ...]]]:
            return [
                unkeyed(connection.execute(query).fetchall())
                for query in (
                    *(f"SELECT extract(epoch FROM start_at), extract(epoch FROM end_at)"
                      f" FROM nextcall_access.board_window('{p}', '{s}')" for p in PERIODS for s in SPANS),
                    *(f"SELECT * FROM nextcall_access.{function}('{p}', '{s}', NULL)"
                      for function in ("board_scores", "board_points", "board_goal_gains") for p in PERIODS for s in SPANS),
                )
            ]

        before = boards()
        for setting in ("SET TIME ZONE 'Pacific/Kiritimati'", "SET TIME ZONE 'America/Adak'", "SET TIME ZONE 'FOO+167'",
                        "SET DateStyle = 'SQL, DMY'", "SET IntervalStyle = 'sql_standard'"):
            connection.execute(setting)
            assert boards() == before, setting
        with connection.transaction():
            assert boards() == before


def keys_of(connection: psycopg.Connection, period: str) -> set[str]:
    """The keys of the opted-out colleagues on the board for `period`."""
    return {
        row[0] for row in connection.execute(
            "SELECT agent_key FROM nextcall_access.board_agents(%s, NULL) WHERE agent_name = 'Anonymous'", (period,)
        ).fetchall()
    }


def test_an_opted_out_colleagues_key_is_never_their_id_and_changes_with_the_period(owner: Engine, viewer: Viewer) -> None:
    with viewer.connect() as connection, admin(viewer.url) as owners:
        ids = {row[0] for row in owners.execute("SELECT id FROM agent").fetchall()}
        if viewer.kind == "elsewhere":
            for period in PERIODS:
                assert refused(connection, "SELECT * FROM nextcall_access.board_agents(%s, NULL)", period)["sqlstate"] == "42501"
            return
        masked = {"agent": 2, "lead": 3}[viewer.kind]  # ana sees her own name; a lead sees every opted-out agent masked
        keys = {period: keys_of(connection, period) for period in PERIODS}
        for period, found in keys.items():
            assert len(found) == masked, (period, found)
            assert all(re.fullmatch(r"anonymous [0-9a-f]{20}", key) for key in found), found
            assert not found & ids
            for function in ("board_scores", "board_points", "board_goal_gains"):
                shown = {row[0] for row in connection.execute(
                    f"SELECT * FROM nextcall_access.{function}(%s, 'current', NULL)", (period,)
                ).fetchall()}
                assert not shown & (set(OPTED_OUT) - ({"ana"} if viewer.kind == "agent" else set())), (function, shown)
        # Each period has keys of its own, and the next window of a period other keys again.
        assert len(set().union(*keys.values())) == masked * len(PERIODS)
        owners.execute("UPDATE nextcall_access.board_rules SET clock = clock + interval '1 day'")
        later = keys_of(connection, "last_7_days")
        assert len(later) == masked and not later & keys["last_7_days"]
        owners.execute("UPDATE nextcall_access.board_rules SET clock = clock - interval '1 day'")
        assert keys_of(connection, "last_7_days") == keys["last_7_days"]  # the same keys within one window


SESSIONS = {
    "the server's settings": (),
    "Postgres dates, 12 hours ahead": ("SET DateStyle = 'Postgres'", "SET TIME ZONE 'FOO-12'"),
    "Postgres dates, 12 hours behind": ("SET DateStyle = 'Postgres'", "SET TIME ZONE 'FOO+12'"),
    "Postgres dates, 84 hours ahead": ("SET DateStyle = 'Postgres'", "SET TIME ZONE 'FOO-84'"),
    "Postgres dates, 84 hours behind": ("SET DateStyle = 'Postgres'", "SET TIME ZONE 'FOO+84'"),
}
"""Settings any session may choose: date style and a POSIX time zone with an abbreviation of its own."""


@pytest.mark.parametrize(("period", "step"), [("last_7_days", timedelta(days=1)), ("this_week", timedelta(days=7))])
def test_a_login_cannot_keep_an_opted_out_colleagues_key_into_the_next_window(
    owner: Engine, viewer: Viewer, period: str, step: timedelta
) -> None:
    """The key changes with the window so that no one can follow an anonymous colleague from one window
    to the next: not even a login that chooses its session's settings for each window."""
    if viewer.kind == "elsewhere":
        with viewer.connect() as connection:
            assert refused(connection, "SELECT * FROM nextcall_access.board_agents(%s, NULL)", period)["sqlstate"] == "42501"
        return

    def keys(settings: tuple[str, ...]) -> set[str]:
        with viewer.connect() as connection:
            for setting in settings:
                connection.execute(setting)
            return keys_of(connection, period)

    now = {name: keys(settings) for name, settings in SESSIONS.items()}
    with admin(viewer.url) as owners:
        owners.execute("UPDATE nextcall_access.board_rules SET clock = %s", (NOW + step,))
    following = {name: keys(settings) for name, settings in SESSIONS.items()}
    kept = {(a, b): sorted(now[a] & following[b]) for a in SESSIONS for b in SESSIONS if now[a] & following[b]}
    assert kept == {}, f"keys of {period} at {NOW} still shown a window later ({NOW + step}): {kept}"


def test_a_colleagues_figures_on_too_few_calls_are_withheld(owner: Engine, viewer: Viewer) -> None:
    queries = {
        "scores": "SELECT agent_key, mean_score FROM nextcall_access.board_scores('this_week', 'current', NULL)",
        "points": "SELECT agent_key, points FROM nextcall_access.board_points('this_week', 'current', NULL)",
        "gains": "SELECT agent_key, gain FROM nextcall_access.board_goal_gains('this_week', 'current', NULL)",
    }
    with admin(viewer.url) as owners:
        full = {name: dict(owners.execute(query).fetchall()) for name, query in queries.items()}
    assert all(full["scores"][agent] is not None for agent in FEW_CALLS)  # the owner reads them
    with viewer.connect() as connection:
        if viewer.kind == "elsewhere":
            for query in queries.values():
                assert refused(connection, query)["sqlstate"] == "42501"
            return
        shown = {name: dict(connection.execute(query).fetchall()) for name, query in queries.items()}
    for agent in FEW_CALLS:
        assert shown["scores"][agent] is None, (agent, shown["scores"])
        assert shown["points"].get(agent) is None, (agent, shown["points"])
        assert shown["gains"].get(agent) is None, (agent, shown["gains"])
    assert shown["scores"]["ben"] == full["scores"]["ben"]  # with enough calls, shown as the owner reads it


def board_snapshot(connection: psycopg.Connection) -> dict[str, Any]:
    """Every board function for every period, span and team, as this connection reads it."""
    snapshot: dict[str, Any] = {
        "board_team_sizes": connection.execute("SELECT * FROM nextcall_access.board_team_sizes() ORDER BY 1").fetchall()
    }
    for period in PERIODS:
        for team in (None, "falcons", "hawks"):
            snapshot[f"board_agents({period}, {team})"] = connection.execute(
                "SELECT * FROM nextcall_access.board_agents(%s, %s) ORDER BY 1", (period, team)
            ).fetchall()
            for span in SPANS:
                for function in ("board_scores", "board_points", "board_goal_gains"):
                    snapshot[f"{function}({period}, {span}, {team})"] = connection.execute(
                        f"SELECT * FROM nextcall_access.{function}(%s, %s, %s) ORDER BY 1", (period, span, team)
                    ).fetchall()
    return snapshot


@pytest.mark.parametrize("kind", ["agent", "lead"])
def test_a_withheld_colleagues_board_rows_do_not_tell_what_they_did(
    kind: str, pg_url: str, pg_template: str, tmp_path: Path, names: Names
) -> None:
    """Two worlds alike but for fay, whose one call this week is under the minimum: in one she set a goal
    and submitted a self-assessment (rows no colleague may read), in the other she did neither."""
    snapshots = {}
    with fresh_pg_database(pg_template) as quiet_url:
        names.databases.append(quiet_url)
        for world, url in (("busy", pg_url), ("quiet", quiet_url)):
            engine = build_store(url, tmp_path)
            if world == "busy":
                start_goal(engine, agent_id="fay", criterion_key="k9", now=MONDAY - timedelta(hours=1))
                save_draft(engine, agent_id="fay", draft=Draft(date(2026, 12, 1), "fay listens", "fay's own words", ""))
                submit(engine, agent_id="fay", now=NOW)
            if kind == "agent":
                login = grant_agent(engine, "ana", login=names(f"ana-{world}"))
            else:
                login = grant_lead(engine, "falcons", names(f"lead-{world}"))
            engine.dispose()
            with connect(url, login) as connection:
                snapshots[world] = board_snapshot(connection)
            with admin(url) as connection:
                snapshots[f"owner {world}"] = board_snapshot(connection)
    assert snapshots["owner busy"] != snapshots["owner quiet"]  # the owner's board does show what fay did
    busy, quiet = snapshots["busy"], snapshots["quiet"]
    differences = {
        key: {"only when busy": sorted(set(busy[key]) - set(quiet[key])), "only when quiet": sorted(set(quiet[key]) - set(busy[key]))}
        for key in busy if busy[key] != quiet[key]
    }
    assert differences == {}, json.dumps(differences, default=str, indent=1)


# ------------------------------------------------------------------ 4. large objects keep no login


def test_a_login_with_a_large_object_is_still_revoked_and_cannot_connect(owner: Engine, viewer: Viewer) -> None:
    connection = viewer.connect()
    made = connection.execute("SELECT lo_create(0)").fetchone()[0]
    assert made
    home = make_engine(viewer.home)
    try:
        note = revoke(home, viewer.login)
    finally:
        home.dispose()
    if viewer.kind == "elsewhere":
        # Revoked where it was granted: its role stays, unable to log in, for it owns something here.
        assert note is not None and "can no longer log in" in note, note
    else:
        assert note is None
        with admin(viewer.url) as owners:
            assert owners.execute("SELECT count(*) FROM pg_largeobject_metadata WHERE oid = %s", (made,)).fetchone() == (0,)
            assert owners.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (viewer.login,)).fetchone() == (0,)
    with pytest.raises(psycopg.OperationalError):
        connection.execute("SELECT 1")
    connection.close()
    with pytest.raises(psycopg.OperationalError):
        viewer.connect()


# ------------------------------------------------------------------ 5. an operator planted in a writable public


PLANTED = (
    ("varchar", "varchar"), ("varchar", "text"), ("text", "varchar"), ("text", "text"),
    ("integer", "integer"), ("bigint", "bigint"), ("timestamptz", "timestamptz"),
    # And where drivers' own queries compare a catalog name or a type with a parameter.
    ("name", "varchar"), ("name", "text"), ("oid", "regtype"),
)


def plant(connection: psycopg.Connection, login: str) -> None:
    """As the login: a spy table, and operators whose functions write whoever runs them into it and,
    run by a superuser, make the login one."""
    connection.execute("CREATE TABLE public.spy (x text)")
    connection.execute("GRANT INSERT ON public.spy TO PUBLIC")
    for number, (left, right) in enumerate(PLANTED):
        for operator, name in (("=", "eq"), ("<>", "ne")):
            function = f"public.spy_{name}_{number}"
            connection.execute(
                f"""CREATE FUNCTION {function}(a {left}, b {right}) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO public.spy VALUES (session_user || '/' || current_user || ': ' || a::text || ' {operator} ' || b::text);
                    BEGIN
                        EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', {literal(login)});
                    EXCEPTION WHEN OTHERS THEN
                        NULL;
                    END;
                    RETURN a::text OPERATOR(pg_catalog.{operator}) b::text;
                END $$"""
            )
            connection.execute(f"CREATE OPERATOR public.{operator} (LEFTARG = {left}, RIGHTARG = {right}, FUNCTION = {function})")


def test_an_operator_planted_in_public_never_runs_in_the_owners_commands_or_a_leads_app(
    owner: Engine, pg_url: str, names: Names, tmp_path: Path
) -> None:
    planter = grant_agent(owner, "ana", login=names("ana"))
    lead = grant_lead(owner, "falcons", names("lead"))
    runner = CliRunner()
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as root:
        root.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
        try:
            with connect(pg_url, planter) as connection:
                plant(connection, planter)
                # The trap works: a session that searches public runs it.
                assert connection.execute("SELECT 'x'::varchar = 'x'::varchar").fetchone() == (True,)
                assert connection.execute("SELECT count(*) FROM public.spy").fetchone() == (1,)
                connection.execute("DELETE FROM public.spy")

            more = [f.agent(id="hal", name="Hal", team="hawks"), call(30, "ben", NOW - timedelta(hours=2), 9),
                    call(31, "hal", NOW - timedelta(hours=3), 6)]
            fresh = make_engine(pg_url)  # a new engine: its first connection sets its dialect up too
            try:
                assert import_files(fresh, [f.write_jsonl(tmp_path / "more.jsonl", more)]).evaluations.added == 2
                again = f.write_jsonl(tmp_path / "again.jsonl", [call(32, "eli", NOW - timedelta(hours=1), 7)])
                for command in (
                    ["import", str(again)], ["db", "refresh"], ["admin", "logins"], ["db", "info"], ["prep", "ben"],
                    ["export", str(tmp_path / "all.jsonl")], ["admin", "board", "--min-calls", str(MIN_CALLS)],
                ):
                    result = runner.invoke(app, [*command, "--db", pg_url], prog_name="nextcall")
                    assert result.exit_code == 0, (command, result.output)
                assert [v.login for v in list_logins(fresh)] == sorted([planter, lead])
                assert derive_recognition(fresh)[0] == len(EVERYONE) + 1
                other = grant_agent(fresh, "eli", login=names("eli"))
                assert revoke(fresh, other) is None
                set_board_rules(fresh, min_calls=MIN_CALLS)
                assert board_rules(fresh).min_calls == MIN_CALLS
                for metric in Metric:
                    leaderboard(fresh, metric=metric, period=Period.this_week, team_id=None, viewer_id="ben", now=NOW, zone=UTC)
                assert prep_brief(fresh, agent_id="ben", now=NOW)
                teams(fresh)
                start_goal(fresh, agent_id="cy", criterion_key="k3")
                open_store(pg_url).dispose()
            finally:
                fresh.dispose()
            # The lead's own app: nothing it reads is handed to the planter's functions.
            as_lead = engine_as(pg_url, lead)
            try:
                for metric in Metric:
                    leaderboard(as_lead, metric=metric, period=Period.this_week, team_id="falcons", now=NOW, zone=UTC)
                assert prep_brief(as_lead, agent_id="ben", now=NOW)
                teams(as_lead)
            finally:
                as_lead.dispose()

            assert root.execute("SELECT * FROM public.spy").fetchall() == []
            assert root.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (planter,)).fetchone() == (False,)
            # Revoking the planter drops what it planted.
            assert revoke(owner, planter) is None
            assert root.execute("SELECT count(*) FROM pg_operator WHERE oprnamespace = 'public'::regnamespace").fetchone() == (0,)
            assert root.execute("SELECT to_regclass('public.spy')").fetchone() == (None,)
        finally:
            root.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


# ------------------------------------------------------------------ 6. holding up the owner's writes


def blocked_by(url: str, holders: list[int]) -> list[tuple[Any, ...]]:
    """Sessions of the database waiting for a lock one of `holders` keeps."""
    with admin(url) as connection:
        return connection.execute(
            """
            SELECT pid, usename, wait_event_type, wait_event, pg_blocking_pids(pid), left(query, 120)
            FROM pg_stat_activity WHERE datname = current_database() AND pg_blocking_pids(pid) && %s::int[]
            """,
            (holders,),
        ).fetchall()


def completes(url: str, work: Callable[[], Any], holders: list[psycopg.Connection]) -> Any:
    """`work`'s result, run in a thread while `holders` keep what they hold.

    A holder is idle in its session or transaction, so a wait for one of them
    never ends by itself: seeing such a wait is seeing a hang, and the test
    fails at once (the holders are then closed so the thread can end). The
    ceiling is there only in case no wait is seen and no end comes either.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed over to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    pids = [holder.info.backend_pid for holder in holders]
    waits: list[tuple[Any, ...]] = []
    deadline = datetime.now(UTC) + timedelta(seconds=CEILING_S)
    while thread.is_alive() and not waits and datetime.now(UTC) < deadline:
        thread.join(0.2)
        if thread.is_alive():
            waits = blocked_by(url, pids)
    hung = thread.is_alive()
    for holder in holders:
        holder.close()
    thread.join(CEILING_S)
    assert not hung, f"held up by the login's session(s) {pids}: {waits or 'no lock wait seen, and no end'}"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_login_holding_the_old_writers_lock_holds_up_no_import(owner: Engine, viewer: Viewer, tmp_path: Path) -> None:
    session = viewer.connect()
    session.execute("SELECT pg_advisory_lock(%s)", (OLD_WRITER_KEY,))
    in_transaction = psycopg.connect(login_url(viewer.url, viewer.login))  # not autocommit: the transaction stays open
    in_transaction.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_KEY,))
    with viewer.connect() as other:
        for statement in (
            "SELECT * FROM nextcall_access.writer_turn FOR UPDATE",
            "SELECT * FROM nextcall_access.writer_turn FOR KEY SHARE",
            "LOCK TABLE nextcall_access.writer_turn IN ACCESS SHARE MODE",
            "LOCK TABLE nextcall.agent IN ACCESS SHARE MODE",
            "LOCK TABLE nextcall_scope.agent IN ACCESS EXCLUSIVE MODE",
        ):
            assert refused(other, statement)["sqlstate"] == "42501", statement
    path = f.write_jsonl(tmp_path / "more.jsonl", [call(40, "ben", NOW - timedelta(hours=1), 9), call(41, "ana", NOW - timedelta(hours=2), 9)])

    def owners_writes() -> Any:
        summary = import_files(owner, [path])
        open_store(viewer.url).dispose()  # at the newest schema already: takes no migration lock
        derive_recognition(owner, agent_ids=["ben"])
        start_goal(owner, agent_id="cy", criterion_key="k2")
        return summary

    assert completes(viewer.url, owners_writes, [session, in_transaction]).evaluations.added == 2


def test_an_agents_open_transaction_holds_up_an_import_of_their_own_agent_only_a_bounded_while(
    owner: Engine, pg_url: str, names: Names, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A change of ana's own row (her opt-out) left open holds that row; an import that changes her record
    # waits for it at most ROW_WAIT_SECONDS (here made 1 s), then stops with one clear line, writing nothing.
    monkeypatch.setattr("nextcall.store.db.ROW_WAIT_SECONDS", 1.0)
    login = grant_agent(owner, "ana", login=names("ana"))
    session = psycopg.connect(login_url(pg_url, login))  # not autocommit: the transaction stays open
    session.execute("SELECT nextcall_access.set_opt_out(true)")  # what the app does when ana toggles Anonymous
    path = f.write_jsonl(tmp_path / "moved.jsonl", [f.agent(id="ana", name="Ana", team="hawks"), call(42, "ana", NOW - timedelta(hours=1), 9)])
    with admin(pg_url) as owner_sql:
        before = owner_sql.execute("SELECT count(*), (SELECT team_id FROM agent WHERE id = 'ana') FROM evaluation").fetchone()
    with pytest.raises(StoreError, match="waited .* for a row another session keeps locked.*nothing was written"):
        import_files(owner, [path])
    with admin(pg_url) as owner_sql:
        assert owner_sql.execute("SELECT count(*), (SELECT team_id FROM agent WHERE id = 'ana') FROM evaluation").fetchone() == before
    session.commit()
    session.close()
    assert import_files(owner, [path]).agents.changed == 1


def test_revoking_an_agent_who_keeps_a_write_open_ends_their_session(owner: Engine, pg_url: str, names: Names) -> None:
    login = grant_agent(owner, "ana", login=names("ana"))
    session = psycopg.connect(login_url(pg_url, login))  # not autocommit: the transaction stays open
    session.execute("SELECT nextcall_access.save_draft(%s, 'still typing', '', '', '{}')", (date(2026, 12, 1),))
    # Revoking is what ends the agent's sessions: it cannot wait for them to end first.
    assert completes(pg_url, lambda: revoke(owner, login), [session]) is None
    with pytest.raises(psycopg.OperationalError):
        connect(pg_url, login)


# ------------------------------------------------------------------ 7. self-assessment farming


BLANK = ("", " ", "\t\n ", "\u3000\u2028 ", "\u00a0")
"""Boxes with no words: empty; spaces, tabs and newlines; ideographic space and a line separator; a no-break space."""


def recognition_of(owner: Engine, agent: str) -> tuple[list[str], list[PointsEntry]]:
    with Session(owner) as session:
        badges = sorted(session.exec(select(BadgeAward.badge_id).where(BadgeAward.agent_id == agent)))
        points = list(session.exec(select(PointsEntry).where(PointsEntry.agent_id == agent, PointsEntry.source == "self_assessment")))
    return badges, points


def test_an_agents_login_cannot_submit_a_self_assessment_for_a_far_session_or_without_words(
    owner: Engine, pg_url: str, names: Names
) -> None:
    login = grant_agent(owner, "ana", login=names("ana"))
    today = datetime.now(UTC).date()
    draft = "SELECT nextcall_access.save_draft(%s, %s, %s, %s, '{}')"
    submitting = "SELECT nextcall_access.submit_self_assessment()"
    accepted = []
    assert "listened_first" not in recognition_of(owner, "ana")[0]
    with connect(pg_url, login) as connection:
        connection.execute(draft, (date(9999, 12, 31), "I listen", "I rush", "recaps"))
        error = refused(connection, submitting)
        assert (error["sqlstate"], error["message"]) == ("23514", "the coaching session is today or within the next 60 days")
        for far in (today + timedelta(days=90), date(2000, 1, 1), None):
            connection.execute(draft, (far, "I listen", "", ""))
            assert refused(connection, submitting)["sqlstate"] == "23514", far
        for blank in BLANK:
            connection.execute(draft, (today + timedelta(days=3), blank, blank, blank))
            outcome = run(connection, submitting)  # rolled back whatever it says
            if not (isinstance(outcome, dict) and outcome["error"]["sqlstate"] == "23514"
                    and outcome["error"]["message"] == "a self-assessment has words in at least one box"):
                accepted.append(("submit_self_assessment()", blank, outcome))
    engine = engine_as(pg_url, login)
    try:
        for far in (date(9999, 12, 31), today + timedelta(days=61), today - timedelta(days=1)):
            save_draft(engine, agent_id="ana", draft=Draft(far, "I listen", "I rush", "recaps"))
            with pytest.raises(SelfAssessmentError, match=r"coaching session is (today or later|within the next 60 days)"):
                submit(engine, agent_id="ana")
        for blank in BLANK:
            save_draft(engine, agent_id="ana", draft=Draft(today + timedelta(days=3), blank, blank, blank))
            with pytest.raises(SelfAssessmentError, match="Write a few words in at least one box"):
                submit(engine, agent_id="ana")
    finally:
        engine.dispose()
    derive_recognition(owner)
    badges, points = recognition_of(owner, "ana")
    assert "listened_first" not in badges
    assert points == []
    with admin(pg_url) as owners:
        assert owners.execute("SELECT count(*) FROM self_assessment WHERE agent_id = 'ana' AND submitted_at IS NOT NULL").fetchone() == (0,)
    assert accepted == [], "the database took as words what the app does not"


def test_a_login_that_writes_for_no_agent_here_can_write_nothing(owner: Engine, bystander: Viewer) -> None:
    with bystander.connect() as connection:
        for statement in (
            "SELECT nextcall_access.save_draft(current_date, 'x', '', '', '{}')",
            "SELECT nextcall_access.submit_self_assessment()",
            "SELECT nextcall_access.start_goal(1, 8, 10)",
            "SELECT nextcall_access.end_goal('dropped', NULL, NULL)",
            "SELECT nextcall_access.set_opt_out(false)",
            "SELECT nextcall_access.acknowledge(1, 'seen')",
            "SELECT nextcall_access.raise_dispute(1, 1, 'a reason', NULL)",
            "SELECT nextcall_access.withdraw_dispute(1)",
            "SELECT nextcall_access.writing_agent()",
        ):
            assert refused(connection, statement)["sqlstate"] == "42501", statement


# ------------------------------------------------------------------ 8. primary keys


def test_a_colleagues_row_id_is_refused_exactly_as_an_id_nobody_has(owner: Engine, viewer: Viewer) -> None:
    with admin(viewer.url) as owners:
        ids = {
            table: [row[0] for row in owners.execute(
                f"SELECT id FROM {table} WHERE agent_id = ANY(%s) ORDER BY id", (list(whose),)
            ).fetchall()]
            for table, whose in (("goal", viewer.hidden), ("self_assessment", viewer.hidden_words))
        }
        used = {table: {row[0] for row in owners.execute(f"SELECT id FROM {table}").fetchall()} for table in ids}
        criterion = owners.execute("SELECT id FROM criterion WHERE key = 'k0'").fetchone()[0]
    inserts = {
        "goal": "INSERT INTO $SOURCE (id, agent_id, criterion_id, status, baseline_met, baseline_applicable, target_met,"
                f" target_window, started_at) VALUES ({GUESS}, 'ana', {criterion}, 'active', 0, 0, 8, 10, now())",
        "self_assessment": "INSERT INTO $SOURCE (id, agent_id, strengths, struggles, want_to_work_on, ratings, updated_at)"
                           f" VALUES ({GUESS}, 'ana', 'x', '', '', '{{}}', now())",
    }
    common = (
        f"INSERT INTO $SOURCE SELECT * FROM $SOURCE WHERE id = {GUESS} ON CONFLICT (id) DO NOTHING",
        f"UPDATE $SOURCE SET agent_id = agent_id WHERE id = {GUESS}",
        f"DELETE FROM $SOURCE WHERE id = {GUESS}",
        f"SELECT * FROM $SOURCE WHERE id = {GUESS} FOR UPDATE",
        f"SELECT * FROM $SOURCE WHERE id = {GUESS}",
    )
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for table, hidden in ids.items():
            assert hidden, table
            for row_id in hidden:
                for source in (table, f"nextcall.{table}", f"nextcall_scope.{table}"):
                    for template in (inserts[table], *common):
                        same(connection, template.replace("$SOURCE", source), row_id, absent_like(row_id, used[table]))


def own_ids(connection: psycopg.Connection) -> dict[str, list[int]]:
    return {
        table: [row[0] for row in connection.execute(f"SELECT id FROM nextcall_scope.{table} ORDER BY id").fetchall()]
        for table in ("goal", "self_assessment")
    }


def test_the_catalog_shows_a_login_no_sequence_value_and_no_column_statistics(
    owner: Engine, viewer: Viewer, record_property: Callable[[str, object], None]
) -> None:
    with admin(viewer.url) as owners:
        owners.execute("ANALYZE")
        assert owners.execute(
            "SELECT count(*) FROM pg_sequences WHERE schemaname = 'nextcall' AND last_value IS NOT NULL"
        ).fetchone()[0] >= len(TABLES)  # the owner reads them
    with viewer.connect() as connection:
        assert connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'nextcall' AND last_value IS NOT NULL"
        ).fetchall() == []
        sequences = connection.execute(
            "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'nextcall' AND c.relkind = 'S'"
        ).fetchall()
        assert len(sequences) >= len(TABLES)
        for oid, name in sequences:
            for statement in ("SELECT pg_sequence_last_value(%s::oid::regclass)", "SELECT currval(%s::oid::regclass)",
                              "SELECT nextval(%s::oid::regclass)", "SELECT * FROM pg_sequence_parameters(%s::oid)"):
                error = refused(connection, statement, oid)
                assert error["sqlstate"] in ("42501", "55000"), (name, statement, error)
        for table in TABLES:
            assert refused(connection, f"SELECT pg_sequence_last_value(pg_get_serial_sequence('nextcall.{table}', 'id'))")
        # Column statistics (most common values, histograms) are shown only for columns one may read.
        assert connection.execute("SELECT * FROM pg_stats WHERE schemaname IN ('nextcall', 'nextcall_access')").fetchall() == []
        assert connection.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('nextcall', 'nextcall_access')"
            " AND has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
        ).fetchone() == (0,)
        for private in ("agent_login", "board_secret", "board_rules", "writer_turn"):
            assert refused(connection, f"SELECT * FROM nextcall_access.{private}")["sqlstate"] == "42501", private
        # What PostgreSQL tells every role about every table, not nextcall's to withhold: the planner's
        # row estimate (pg_class.reltuples, relpages), the statistics collector's counts of live rows and
        # of rows inserted and updated (pg_stat_user_tables.n_live_tup, n_tup_ins, n_tup_upd), and a
        # relation's size (pg_relation_size by oid). Recorded, not asserted: they count all agents' rows
        # together, so a login watching them can tell that something changed (a colleague saved a
        # draft: self_assessment's n_tup_upd goes up), not what or whose.
        estimates = connection.execute(
            """
            SELECT c.relname, c.reltuples, c.relpages, s.n_live_tup, s.n_tup_ins, s.n_tup_upd, pg_relation_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE n.nspname = 'nextcall' AND c.relkind = 'r' ORDER BY 1
            """
        ).fetchall()
    assert {row[0] for row in estimates} >= set(TABLES)
    record_property("catalog_estimates_seen_by_login", repr(estimates))
