"""Agents' own logins on PostgreSQL: each reads only their own rows, by any table.

The store holds two teams of agents with calls, results, goals,
self-assessments, badges and points, calls seen and disputed, all through the real importer and the
app's own commands. Tests connect as an agent's login (and a lead's) with
psycopg and as the app does, through an engine, and compare with what the
owner sees. PostgreSQL only: a SQLite file has no logins.

Roles are shared by every database of the server, so each test names its
logins with a suffix of its own and drops them when it ends.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from nextcall.store.badges import POINT_SOURCES
from nextcall.store.db import HOME, SCOPE, head_revision, make_engine, migrate, open_store, schema_revision, unit_of_work
from nextcall.store.errors import LoginError, StoreError
from nextcall.store.goals import GoalError, drop_goal, start_goal
from nextcall.store.importer import import_files
from nextcall.store.leaderboard import (
    ANONYMOUS,
    LeaderboardView,
    Metric,
    Period,
    baseline_window,
    leaderboard,
    period_window,
    previous_window,
    set_opt_out,
    teams,
)
from nextcall.store.models import BadgeAward, Goal, PointsEntry, SelfAssessment
from nextcall.store.prep import PrepError, prep_brief
from nextcall.store.privacy import derive_recognition, grant_agent, grant_lead, list_logins, login_url, revoke
from nextcall.store.recognition import refresh_recognition
from nextcall.store.rules import Target
from nextcall.store.self_assessments import Draft, load_draft, save_draft, submit
from nextcall.store.sessions import add_session, cancel_session, note_session
from nextcall.store.talkback import acknowledge, raise_dispute
from nextcall.tui.cli import app
from tests import factories as f
from tests.conftest import _pg_admin_dsn, fresh_pg_database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_MONDAY = MONDAY - timedelta(days=7)
KEYS = [f"k{i}" for i in range(10)]
FALCONS = ("ana", "ben", "cy")
HAWKS = ("dee", "eli")
OPTED_OUT = ("ana", "cy", "dee")
"""Ana is the agent whose login the tests use: opted out herself, she still sees her own name."""

SHARED = {"team", "scorecard", "criterion", "alembic_version"}
"""Tables everyone reads whole: names of teams, scorecards and behaviours, and the schema revision."""

WHOSE = {
    "agent": "SELECT id FROM agent",
    "evaluation": "SELECT agent_id FROM evaluation",
    "criterion_result": "SELECT evaluation_id FROM criterion_result",
    "goal": "SELECT agent_id FROM goal",
    "self_assessment": "SELECT agent_id FROM self_assessment",
    "badge_award": "SELECT agent_id FROM badge_award",
    "points_entry": "SELECT agent_id FROM points_entry",
    "acknowledgement": "SELECT agent_id FROM acknowledgement",
    "dispute": "SELECT agent_id FROM dispute",
    "coaching_session": "SELECT agent_id FROM coaching_session",
}
"""Every table with personal rows, and what identifies whose each row is (an agent, or a call)."""

OWNERS_ONLY = {"recognition_standing", "call_detail", "agent_alias"}
"""What no login reads at all: where each agent's recognition stands (derived), and what only imports use: call details (already on the evaluations a login reads) and vendor aliases."""


# ------------------------------------------------------------------ the store


def call(n: int, agent: str, when: datetime, met: int, **fields: Any) -> dict[str, Any]:
    """A call met on the first `met` of ten behaviours: k9 is missed unless all are met (or `fields` say otherwise)."""
    return f.evaluation(
        call_id=f"C-{agent}-{n}",
        agent=agent,
        scorecard="lb",
        occurred_at=when.isoformat(),
        results=[f.result(key, "met" if i < met else "missed") for i, key in enumerate(KEYS)],
    ) | fields


def records() -> list[dict[str, Any]]:
    mets = {"ana": (9, 9, 10, 9), "ben": (8, 10, 8, 8), "cy": (7, 10, 7), "dee": (6, 10, 6, 6), "eli": (10, 5, 5)}
    out: list[dict[str, Any]] = [
        f.team(),
        f.team(id="hawks", name="Hawks"),
        f.scorecard(id="lb", name="Board card", criteria=[f.criterion(key, weight=1) for key in KEYS]),
        *(f.agent(id=a, name=a.capitalize()) for a in FALCONS),
        *(f.agent(id=a, name=a.capitalize(), team="hawks") for a in HAWKS),
    ]
    for agent, scores in mets.items():
        out += [call(i, agent, LAST_MONDAY + timedelta(hours=i), 8) for i in range(3)]
        out += [call(10 + i, agent, MONDAY + timedelta(hours=i), met) for i, met in enumerate(scores)]
    return out


@pytest.fixture
def names() -> Iterator[Callable[[str], str]]:
    """Login names unique to this test; their roles are dropped when it ends."""
    suffix = uuid.uuid4().hex[:8]
    made: list[str] = []

    def name(base: str) -> str:
        made.append(f"{base}.{suffix}")
        return made[-1]

    yield name
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
        for login in made:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,))
            admin.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(login)))


@pytest.fixture
def owner(pg_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The store, filled: calls for everyone, goals, self-assessments, badges and points, calls seen and
    disputed, coaching sessions held last week (eli's cancelled), three opted out."""
    engine = make_engine(pg_url)
    import_files(engine, [f.write_jsonl(tmp_path / "calls.jsonl", records())])
    for agent in ("ana", "ben", "dee", "eli"):
        start_goal(engine, agent_id=agent, criterion_key="k9", now=MONDAY - timedelta(hours=1))
    for agent in ("ana", "ben", "dee"):
        save_draft(engine, agent_id=agent, draft=Draft(date(2026, 12, 1), f"{agent} listens", "rushing", "recaps"))
    submit(engine, agent_id="ben", now=NOW)
    save_draft(engine, agent_id="ben", draft=Draft(strengths="a new draft"))
    for agent in ("ana", "ben", "dee"):
        acknowledge(engine, agent_id=agent, call_id=f"C-{agent}-10", comment=f"{agent} saw it")
    for agent in ("ana", "ben", "eli"):
        raise_dispute(engine, agent_id=agent, call_id=f"C-{agent}-11", criterion_key="k9", reason=f"{agent} recapped")
    planned_on = LAST_MONDAY - timedelta(days=3)
    for agent in ("ana", "ben", "dee", "eli"):
        held = add_session(engine, agent_id=agent, coach="Sam", at=LAST_MONDAY + timedelta(hours=1), now=planned_on)
        if agent == "eli":
            cancel_session(engine, session_id=held, now=planned_on)
        else:
            note_session(engine, session_id=held, will_do=f"{agent} recaps", notes=f"{agent}'s notes", now=MONDAY)
    for agent in OPTED_OUT:
        set_opt_out(engine, agent_id=agent, anonymous=True)
    # The board every login reads, as of the tests' fixed moment.
    with as_owner(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE nextcall_access.board_rules SET clock = %s, time_zone = 'UTC', min_calls = 3", (NOW,))
    yield engine
    engine.dispose()


@pytest.fixture
def ana(owner: Engine, pg_url: str, names: Callable[[str], str]) -> str:
    """Ana's own login."""
    return grant_agent(owner, "ana", login=names("ana"))


@pytest.fixture
def lead(owner: Engine, names: Callable[[str], str]) -> str:
    """A login for the lead of the Falcons."""
    return grant_lead(owner, "falcons", names("lead"))


def connect(pg_url: str, login: str) -> psycopg.Connection:
    """A login's own connection, searching its scope as the app's does."""
    return psycopg.connect(login_url(pg_url, login), autocommit=True, options=f"-c search_path={SCOPE},pg_catalog")


def as_owner(pg_url: str, **options: Any) -> psycopg.Connection:
    """The owner's connection, searching nextcall's schema as the app's does."""
    return psycopg.connect(pg_url.replace("+psycopg", ""), options=f"-c search_path={HOME},pg_catalog", **options)


def engine_as(pg_url: str, login: str) -> Engine:
    return make_engine(make_url(pg_url).set(username=login).render_as_string(hide_password=False))


def owners_of(pg_url: str) -> dict[str, Callable[[Any], str]]:
    """Per table, how the owner tells whose a row is from what `WHOSE` selects."""
    with as_owner(pg_url) as connection:
        calls = dict(connection.execute("SELECT id, agent_id FROM evaluation").fetchall())
    return {table: (calls.__getitem__ if table == "criterion_result" else str) for table in WHOSE}


def visible(connection: psycopg.Connection, pg_url: str) -> dict[str, list[str]]:
    """Per personal table: whose rows this connection reads, one entry per row."""
    whose = owners_of(pg_url)
    return {
        table: sorted(whose[table](row[0]) for row in connection.execute(query).fetchall())
        for table, query in WHOSE.items()
    }


def settled(view: LeaderboardView) -> tuple[object, ...]:
    """The board with rows of one rank in a fixed order (two Anonymous rows may tie in either order).

    Values to 9 places: a mean summed in another order differs in the 16th (0.8 against 0.7999999999999999)."""
    exact = lambda row: replace(row, value=None if row.value is None else round(row.value, 9))  # noqa: E731
    rows = lambda found: sorted(map(exact, found), key=repr)  # noqa: E731
    return view.metric, view.window, view.team_name, rows(view.ranked), rows(view.unranked), view.viewer_goal


def refused(connection: psycopg.Connection, statement: str) -> str:
    """The refusal of a statement a login may not run: no privilege, or nothing there that can be written."""
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)) as caught:
        connection.execute(statement)
    return str(caught.value)


def changed(connection: psycopg.Connection, statement: str) -> int:
    return connection.execute(statement).rowcount


# ------------------------------------------------------------------ reading


def test_an_agents_login_reads_only_their_own_rows_in_every_table(owner: Engine, pg_url: str, ana: str) -> None:
    with as_owner(pg_url) as admin:
        tables = {row[0] for row in admin.execute(f"SELECT tablename FROM pg_tables WHERE schemaname = '{HOME}'")}
        everything = visible(admin, pg_url)
        shared = {table: admin.execute(f"SELECT count(*) FROM {table}").fetchone() for table in SHARED}
    # Every table of the schema is either shared reference data or checked here row by row.
    assert tables == SHARED | WHOSE.keys() | OWNERS_ONLY
    with connect(pg_url, ana) as connection:
        own = visible(connection, pg_url)
        for table in WHOSE:
            assert len(set(everything[table])) >= 2, f"{table}: the store should hold several agents' rows"
            assert own[table] == [a for a in everything[table] if a == "ana"], table
            assert own[table], f"{table}: ana's own rows must be readable"
        for table in SHARED:
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == shared[table], table
        # Nor by a way round: counting, joining, or naming another agent outright.
        assert connection.execute("SELECT count(*) FROM evaluation WHERE agent_id = 'ben'").fetchone() == (0,)
        assert connection.execute(
            "SELECT count(*) FROM criterion_result r LEFT JOIN evaluation e ON e.id = r.evaluation_id WHERE e.id IS NULL"
        ).fetchone() == (0,)
        for table in OWNERS_ONLY:
            assert "permission denied" in refused(connection, f"SELECT * FROM {HOME}.{table}")
        for private in ("nextcall_access.agent_login", "nextcall_access.board_secret", "nextcall_access.board_rules"):
            assert "permission denied" in refused(connection, f"SELECT * FROM {private}")
        refused(connection, "SELECT * FROM nextcall_access.board_viewer('this_week')")
        # The tables themselves are not the login's to read at all, not even its own rows.
        for table in [*WHOSE, *SHARED]:
            assert "permission denied for schema nextcall" in refused(connection, f"SELECT 1 FROM {HOME}.{table} LIMIT 1")
        # Taking on the group role changes nothing: a login is known by the name it logged in with.
        connection.execute("SET ROLE nextcall_agent")
        assert visible(connection, pg_url) == own
        refused(connection, "SET ROLE postgres")


def test_a_leads_login_reads_their_team_and_writes_no_table(owner: Engine, pg_url: str, lead: str) -> None:
    with as_owner(pg_url) as admin:
        everything = visible(admin, pg_url)
    with connect(pg_url, lead) as connection:
        seen = visible(connection, pg_url)
        for table in WHOSE:
            if table == "self_assessment":
                continue
            assert seen[table] == [a for a in everything[table] if a in FALCONS], table
            assert {"ana", "ben"} <= set(seen[table]), table
        # What an agent writes is theirs until they submit it: the lead reads ben's submission, no one's draft.
        assert seen["self_assessment"] == ["ben"]
        assert connection.execute("SELECT count(*) FROM self_assessment WHERE submitted_at IS NULL").fetchone() == (0,)
        refused(connection, "UPDATE goal SET drop_reason = 'x'")
        refused(connection, "DELETE FROM badge_award")
        refused(connection, "UPDATE agent SET leaderboard_opt_out = false")
    # The coach's brief reads as the owner's does for their own team, and finds no one outside it.
    engine = engine_as(pg_url, lead)
    try:
        assert prep_brief(engine, agent_id="ben", now=NOW) == prep_brief(owner, agent_id="ben", now=NOW)
        with pytest.raises(PrepError, match="There is no agent 'dee'"):
            prep_brief(engine, agent_id="dee", now=NOW)
    finally:
        engine.dispose()


# ------------------------------------------------------------------ writing


def test_an_agents_login_cannot_change_another_agents_rows(owner: Engine, pg_url: str, ana: str) -> None:
    with as_owner(pg_url) as admin:
        before = visible(admin, pg_url)
        criterion = admin.execute("SELECT id FROM criterion WHERE key = 'k0'").fetchone()[0]
    with connect(pg_url, ana) as connection:
        assert 'cannot insert into view "goal"' in refused(
            connection,
            "INSERT INTO goal (agent_id, criterion_id, status, baseline_met, baseline_applicable, target_met,"
            f" target_window, started_at) VALUES ('ben', {criterion}, 'active', 0, 0, 8, 10, now())",
        )
        refused(connection, "INSERT INTO points_entry (agent_id, day, source, points) VALUES ('ben', '2026-11-24', 'x', 5)")
        refused(connection, "INSERT INTO badge_award (agent_id, badge_id, awarded_at) VALUES ('eli', 'steady', now())")
        refused(connection, "INSERT INTO self_assessment (agent_id, strengths, struggles, want_to_work_on, ratings,"
                            " updated_at) VALUES ('dee', '', '', '', '{}', now())")
        # Their own row moved to someone else's name is refused too.
        refused(connection, "UPDATE goal SET agent_id = 'ben' WHERE agent_id = 'ana'")
        refused(connection, "UPDATE goal SET drop_reason = 'x' WHERE agent_id <> 'ana'")
        # Badges and points are not an agent's to write at all, their own included.
        refused(connection, "DELETE FROM badge_award WHERE agent_id <> 'ana'")
        refused(connection, "DELETE FROM points_entry WHERE agent_id <> 'ana'")
        refused(connection, "UPDATE self_assessment SET strengths = 'x' WHERE agent_id <> 'ana'")
        refused(connection, "UPDATE agent SET leaderboard_opt_out = false WHERE id <> 'ana'")
        # The functions it writes through write for ana alone, whatever they are asked.
        assert connection.execute("SELECT nextcall_access.set_opt_out(false)").fetchone() == (False,)
        assert connection.execute("SELECT nextcall_access.set_opt_out(true)").fetchone() == (True,)
        # What the app never writes for an agent is not theirs to write at all, own rows included.
        refused(connection, "UPDATE agent SET name = 'Someone' WHERE id = 'ana'")
        refused(connection, "UPDATE evaluation SET score = 1 WHERE agent_id = 'ana'")
        refused(connection, "DELETE FROM evaluation WHERE agent_id = 'ana'")
        refused(connection, "DELETE FROM criterion_result")
        refused(connection, "DELETE FROM goal WHERE agent_id = 'ana'")
        refused(connection, "INSERT INTO team (id, name) VALUES ('owls', 'Owls')")
        refused(connection, f"INSERT INTO nextcall_access.agent_login (login, kind, agent_id) VALUES ('{ana}', 'agent', 'ben')")
    with as_owner(pg_url) as admin:
        assert visible(admin, pg_url) == before
        assert admin.execute("SELECT count(*) FROM goal WHERE drop_reason IS NOT NULL").fetchone() == (0,)
        assert admin.execute("SELECT id FROM agent WHERE leaderboard_opt_out ORDER BY id").fetchall() == [
            (a,) for a in OPTED_OUT
        ]


def test_the_app_opens_the_store_and_writes_for_its_own_agent_through_their_login(
    owner: Engine, pg_url: str, ana: str
) -> None:
    statements: list[str] = []
    url = make_url(pg_url).set(username=ana).render_as_string(hide_password=False)
    engine = make_engine(url)
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        migrate(engine)  # what open_store does: at the newest schema, nothing is changed
        assert schema_revision(engine) == head_revision()
        assert not [s for s in statements if s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP", "INSERT", "UPDATE"))]
        open_store(url).dispose()

        with Session(owner) as session:
            bens = session.exec(select(BadgeAward.badge_id).where(BadgeAward.agent_id == "ben")).all()
        with Session(engine) as session:
            goal = session.exec(select(Goal).where(Goal.agent_id == "ana", Goal.status == "active")).one()
        # Goals and submissions an agent's login writes are stamped with the time they are made.
        session_on = datetime.now(UTC).date() + timedelta(days=7)
        drop_goal(engine, agent_id="ana", reason="another one")
        goal_id = start_goal(engine, agent_id="ana", criterion_key="k8")
        save_draft(engine, agent_id="ana", draft=Draft(session_on, "calm", "recaps", "holds"))
        assert load_draft(engine, agent_id="ana") == Draft(session_on, "calm", "recaps", "holds", {})
        submitted_id = submit(engine, agent_id="ana")
        set_opt_out(engine, agent_id="ana", anonymous=False)
        with pytest.raises(LookupError):
            set_opt_out(engine, agent_id="ben", anonymous=True)  # ben is not even there to ana's login
        with pytest.raises(DBAPIError, match='(cannot insert into|permission denied for) view "?badge_award|relation "recognition_standing" does not exist'), unit_of_work(engine) as session:
            refresh_recognition(session, ["ana"])  # badges and points are the owner's to derive
    finally:
        engine.dispose()
    assert derive_recognition(owner, agent_ids=["ana"]) == (1, 1)  # listened_first, new

    with Session(owner) as session:
        goals = {g.id: g for g in session.exec(select(Goal).where(Goal.agent_id == "ana"))}
        assert goals[goal.id].status == "dropped" and goals[goal_id].status == "active"
        submitted = session.exec(select(SelfAssessment).where(SelfAssessment.agent_id == "ana")).all()
        assert [s.id for s in submitted if s.submitted_at is not None] == [submitted_id]
        assert session.exec(select(BadgeAward.badge_id).where(BadgeAward.agent_id == "ben")).all() == bens
        assert "listened_first" in session.exec(select(BadgeAward.badge_id).where(BadgeAward.agent_id == "ana")).all()
        assert session.exec(select(PointsEntry).where(PointsEntry.agent_id == "ana")).all()
    with unit_of_work(owner) as session:
        # What the owner derived for ana's login's changes equals a full recomputation.
        assert refresh_recognition(session, ["ana", "ben"]) == []


def test_a_login_reads_no_ones_rows_in_another_nextcall_database_of_the_server(
    owner: Engine, pg_url: str, ana: str, tmp_path: Path, pg_template: str
) -> None:
    with fresh_pg_database(pg_template) as other_url:
        engine = make_engine(other_url)
        import_files(engine, [f.write_jsonl(tmp_path / "other.jsonl", records())])
        engine.dispose()
        with connect(other_url, ana) as connection:
            assert visible(connection, other_url) == {table: [] for table in WHOSE}
            refused(connection, "SELECT * FROM nextcall_access.board_agents('this_week', NULL)")
            refused(connection, "SELECT nextcall_access.set_opt_out(true)")
        # The wallboard through it says so in one line, not a traceback.
        shown = CliRunner().invoke(
            app, ["--db", login_url(other_url, ana), "wallboard", "--team", "falcons"], prog_name="nextcall"
        )
        assert shown.exit_code == 1 and "Traceback" not in shown.output
        assert f"nextcall: {ana} is not a login of this database" in shown.stderr


def test_a_login_that_finds_an_older_schema_asks_for_an_upgrade_and_changes_nothing(
    owner: Engine, pg_url: str, ana: str
) -> None:
    with as_owner(pg_url, autocommit=True) as admin:
        previous = admin.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        admin.execute("UPDATE alembic_version SET version_num = '0003'")
    url = make_url(pg_url).set(username=ana).render_as_string(hide_password=False)
    with pytest.raises(StoreError, match=f"needs its schema upgraded to {head_revision()}, which this login may not do"):
        open_store(url)
    with as_owner(pg_url) as admin:
        assert admin.execute("SELECT version_num FROM alembic_version").fetchone() == ("0003",)
        assert previous == head_revision()


# ------------------------------------------------------------------ the leaderboard


BOARD = (
    "SELECT a.agent_key, a.agent_name, a.team_id, a.opt_out, s.calls, s.mean_score"
    " FROM nextcall_access.board_agents('this_week', NULL) a"
    " LEFT JOIN nextcall_access.board_scores('this_week', 'current', NULL) s USING (agent_key) ORDER BY s.mean_score DESC"
)


def test_the_board_functions_show_everyone_with_opted_out_colleagues_masked(owner: Engine, pg_url: str, ana: str) -> None:
    with as_owner(pg_url) as admin:
        full = admin.execute(BOARD).fetchall()
    with connect(pg_url, ana) as connection:
        masked = connection.execute(BOARD).fetchall()
        again = connection.execute(BOARD).fetchall()
    assert [row[0] for row in full] == ["ana", "ben", "cy", "dee", "eli"]  # the owner: nothing masked
    assert again == masked  # the same key for the same colleague within a period
    assert [row[2:] for row in masked] == [row[2:] for row in full]  # everyone's figures
    by_name = {row[1]: row for row in masked}
    assert by_name["Ana"][0] == "ana" and by_name["Ben"][0] == "ben" and by_name["Eli"][0] == "eli"
    hidden = [row for row in masked if row[1] == ANONYMOUS]
    assert len(hidden) == 2
    # Their place on the board, but neither name nor id: an opaque key.
    assert [(row[2], row[4]) for row in hidden] == [("falcons", 3), ("hawks", 4)]
    assert all(re.fullmatch(r"anonymous [0-9a-f]{20}", row[0]) for row in hidden)
    # A week on, the same colleagues have other keys: nobody is followed from one period to the next.
    with as_owner(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE nextcall_access.board_rules SET clock = clock + interval '7 days'")
    with connect(pg_url, ana) as connection:
        later = connection.execute(BOARD).fetchall()
    assert {row[0] for row in later if row[1] == ANONYMOUS}.isdisjoint(row[0] for row in hidden)


def test_a_colleagues_figure_resting_on_fewer_calls_than_the_minimum_is_withheld(
    owner: Engine, pg_url: str, ana: str
) -> None:
    with as_owner(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE nextcall_access.board_rules SET min_calls = 4")
        full = {row[1]: row[4:] for row in admin.execute(BOARD).fetchall()}
    with connect(pg_url, ana) as connection:
        shown = {row[1]: row[4:] for row in connection.execute(BOARD).fetchall() if row[1] != ANONYMOUS}
    # Eli has 3 calls this week: the count shows ("3 of 4 calls"), the mean is nobody else's to read.
    assert full["Eli"][0] == 3 and full["Eli"][1] is not None
    assert shown["Eli"] == (3, None)
    assert shown["Ben"] == full["Ben"] and shown["Ben"][0] == 4
    assert shown["Ana"] == full["Ana"]  # her own figure, whatever its calls


@pytest.mark.parametrize("period", list(Period))
@pytest.mark.parametrize("metric", list(Metric))
def test_the_leaderboard_through_an_agents_login_ranks_as_the_owners_does(
    owner: Engine, pg_url: str, ana: str, metric: Metric, period: Period
) -> None:
    engine = engine_as(pg_url, ana)
    try:
        for team in (None, "falcons", "hawks"):
            # The login's board follows the database's clock, zone and minimum, whatever it passes.
            theirs = leaderboard(engine, viewer_id="ana", metric=metric, period=period, team_id=team, min_calls=1)
            ours = leaderboard(
                owner, viewer_id="ana", metric=metric, period=period, team_id=team, now=NOW, zone=UTC, min_calls=3
            )
            assert settled(theirs) == settled(ours), (metric, period, team)
            assert theirs.viewer_goal == ours.viewer_goal == ("K9", "On your next call: k9.")
            colleagues = [row for row in theirs.ranked + theirs.unranked if row.name == ANONYMOUS]
            assert len(colleagues) == {None: 2, "falcons": 1, "hawks": 1}[team]
            assert all(row.agent_id is None and row.anonymous for row in colleagues)
        view = leaderboard(engine, viewer_id="ana", metric=metric, period=period, team_id=None)
        assert {row.agent_id for row in view.ranked + view.unranked} == {"ana", "ben", "eli", None}
        assert view.viewer_row is not None and (view.viewer_row.name, view.viewer_row.anonymous) == ("Ana", True)
        assert teams(engine) == teams(owner)
    finally:
        engine.dispose()


@pytest.mark.parametrize("period", list(Period))
def test_goal_progress_through_a_login_stops_where_a_goal_stuck_as_the_owners_does(
    owner: Engine, pg_url: str, ana: str, period: Period
) -> None:
    # Ben's goal stuck this week after his first call; Eli's stuck before the week began.
    with as_owner(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE goal SET mastered_at = %s WHERE agent_id = 'ben'", (MONDAY + timedelta(minutes=30),))
        admin.execute(
            "UPDATE goal SET started_at = %s, mastered_at = %s WHERE agent_id = 'eli'",
            (LAST_MONDAY - timedelta(days=1), LAST_MONDAY + timedelta(hours=2)),
        )
    engine = engine_as(pg_url, ana)
    try:
        for min_calls in (1, 3):
            with as_owner(pg_url, autocommit=True) as admin:
                admin.execute("UPDATE nextcall_access.board_rules SET min_calls = %s", (min_calls,))
            theirs = leaderboard(engine, viewer_id="ana", metric=Metric.goal, period=period, team_id=None)
            ours = leaderboard(
                owner, viewer_id="ana", metric=Metric.goal, period=period, team_id=None, now=NOW, zone=UTC,
                min_calls=min_calls,
            )
            assert settled(theirs) == settled(ours), (period, min_calls)
        if period is Period.this_week:
            reasons = {row.name: (row.calls, row.reason) for row in ours.unranked}
            assert reasons["Eli"][1] == "goal stuck, ranked again on the next one"
            assert reasons["Ben"] == (1, "1 of 3 calls since their goal started")
    finally:
        engine.dispose()


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_databases_board_windows_are_the_apps_to_the_microsecond(owner: Engine, pg_url: str, zone: str) -> None:
    # Across a year end, a month end, clock changes in spring and autumn, and a Monday morning.
    moments = [
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC), datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 7, 59, tzinfo=UTC), datetime(2026, 11, 30, 23, 59, tzinfo=UTC), NOW,
    ]
    local = ZoneInfo(zone)
    with as_owner(pg_url, autocommit=True) as admin:
        for moment in moments:
            admin.execute("UPDATE nextcall_access.board_rules SET clock = %s, time_zone = %s", (moment, zone))
            for period in Period:
                current, previous = period_window(period, moment, local), previous_window(period, moment, local)
                expected = {
                    "current": current, "previous": previous,
                    "baseline": baseline_window(current, local), "previous_baseline": baseline_window(previous, local),
                }
                for span, window in expected.items():
                    found = admin.execute("SELECT * FROM nextcall_access.board_window(%s, %s)", (period.value, span)).fetchone()
                    assert found == (window.start, window.end), (zone, moment, period, span)


def test_the_board_takes_only_named_periods(owner: Engine, pg_url: str, ana: str) -> None:
    with connect(pg_url, ana) as connection:
        for call in (
            "SELECT * FROM nextcall_access.board_scores(now() - interval '1 minute', now(), NULL)",
            "SELECT * FROM nextcall_access.board_points(current_date, current_date, NULL)",
        ):
            with pytest.raises(psycopg.errors.UndefinedFunction):
                connection.execute(call)
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="periods this_week, last_7_days"):
            connection.execute("SELECT * FROM nextcall_access.board_scores('last 5 minutes', 'current', NULL)")
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="a span is current"):
            connection.execute("SELECT * FROM nextcall_access.board_scores('this_week', 'tomorrow', NULL)")


# ------------------------------------------------------------------ granting and revoking


def test_revoking_a_login_ends_its_sessions_and_it_cannot_connect_again(owner: Engine, pg_url: str, ana: str) -> None:
    open_connection = connect(pg_url, ana)
    assert open_connection.execute("SELECT count(*) FROM goal").fetchone() == (1,)
    assert [(v.login, v.kind, v.agent_id, v.team_id, v.name) for v in list_logins(owner)] == [
        (ana, "agent", "ana", "falcons", "Ana")
    ]
    revoke(owner, ana)
    with pytest.raises(psycopg.OperationalError):
        open_connection.execute("SELECT count(*) FROM goal")
    open_connection.close()
    with pytest.raises(psycopg.OperationalError, match=f'role "{ana}" does not exist'):
        connect(pg_url, ana)
    assert list_logins(owner) == []
    with pytest.raises(LoginError, match="is not a nextcall login of this database"):
        revoke(owner, ana)


def test_granting_again_changes_nothing_and_a_password_is_stored_hashed(
    owner: Engine, pg_url: str, names: Callable[[str], str]
) -> None:
    login = names("ben")
    assert grant_agent(owner, "ben", login=login, password="correct horse") == login
    assert grant_agent(owner, "ben") == login  # the agent's login, not a second one
    assert grant_lead(owner, "hawks", lead := names("lead")) == lead
    assert grant_lead(owner, "hawks", lead) == lead
    assert [(v.login, v.kind) for v in list_logins(owner)] == sorted([(login, "agent"), (lead, "lead")])
    with psycopg.connect(_pg_admin_dsn()) as admin:
        stored = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (login,)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and "correct horse" not in stored


def test_what_cannot_be_granted_says_why(owner: Engine, pg_url: str, sqlite_url: str, ana: str, names: Callable[[str], str]) -> None:
    with pytest.raises(LoginError, match="no agent 'nobody'"):
        grant_agent(owner, "nobody", login=names("nobody"))
    with pytest.raises(LoginError, match="no team 'owls'"):
        grant_lead(owner, "owls", names("lead"))
    with pytest.raises(LoginError, match="A database role named postgres already exists"):
        grant_agent(owner, "ben", login="postgres")
    with pytest.raises(LoginError, match=f"{ana} is already the login of agent ana"):
        grant_lead(owner, "falcons", ana)
    with pytest.raises(LoginError, match="ana already has the login"):
        grant_agent(owner, "ana", login=names("other"))
    with pytest.raises(LoginError, match="cannot be a login"):
        grant_agent(owner, "ben", login="ben; DROP TABLE agent")
    as_ana = engine_as(pg_url, ana)
    try:
        with pytest.raises(LoginError, match=f"{ana} may not manage logins"):
            grant_agent(as_ana, "ben", login=names("ben"))
        with pytest.raises(LoginError, match=f"{ana} may not manage logins"):
            list_logins(as_ana)
    finally:
        as_ana.dispose()
    sqlite = make_engine(sqlite_url)
    with pytest.raises(LoginError, match="logins need a shared PostgreSQL database"):
        grant_agent(sqlite, "ana")
    sqlite.dispose()


# ------------------------------------------------------------------ nextcall admin


def test_nextcall_admin_grants_lists_and_revokes_printing_the_url_to_use(
    owner: Engine, pg_url: str, names: Callable[[str], str]
) -> None:
    runner = CliRunner()
    login, lead = names("eli"), names("lead")
    admin_url = make_url(pg_url).set(password="s3cret-admin").render_as_string(hide_password=False)
    database = make_url(pg_url).database

    granted = runner.invoke(
        app, ["--db", admin_url, "admin", "grant", "eli", "--login", login, "--password-stdin"],
        input="agent-pass\n", prog_name="nextcall",
    )
    assert granted.exit_code == 0, granted.output
    assert granted.stdout.splitlines() == [
        f"{login} reads only eli's own rows. On eli's computer:",
        f"  nextcall --db postgresql://{login}@127.0.0.1:5432/{database} --agent eli",
    ]
    assert "s3cret" not in granted.output and "agent-pass" not in granted.output

    result = runner.invoke(app, ["admin", "grant-lead", "hawks", lead, "--db", pg_url], prog_name="nextcall")
    assert result.exit_code == 0, result.output
    assert f"postgresql://{lead}@127.0.0.1:5432/{database} wallboard --team hawks" in result.stdout

    listed = runner.invoke(app, ["admin", "logins", "--db", pg_url], prog_name="nextcall")
    assert listed.exit_code == 0, listed.output
    assert sorted(listed.stdout.splitlines()) == sorted([
        f"{login:<20} agent eli (Eli), team hawks",
        f"{lead:<20} lead of team hawks (Hawks)",
    ])

    revoked = runner.invoke(app, ["admin", "revoke", login, "--db", pg_url], prog_name="nextcall")
    assert (revoked.exit_code, revoked.stdout) == (0, f"{login} is revoked.\n")
    again = runner.invoke(app, ["admin", "revoke", login, "--db", pg_url], prog_name="nextcall")
    assert again.exit_code == 1
    assert f"nextcall: {login} is not a nextcall login of this database" in again.stderr


def test_nextcall_admin_board_shows_and_sets_the_board_every_login_reads(owner: Engine, pg_url: str, ana: str) -> None:
    runner = CliRunner()

    def admin(*args: str) -> Any:
        return runner.invoke(app, ["admin", "board", *args, "--db", pg_url], prog_name="nextcall")

    shown = admin()
    assert (shown.exit_code, shown.stdout) == (
        0, "The board logins read: periods start at midnight in UTC; agents are ranked from 3 calls.\n"
    )
    changed_rules = admin("--time-zone", "Europe/Berlin", "--min-calls", "4")
    assert changed_rules.stdout == "The board logins read: periods start at midnight in Europe/Berlin; agents are ranked from 4 calls.\n"
    engine = engine_as(pg_url, ana)
    try:
        view = leaderboard(engine, viewer_id="ana", team_id=None, zone=UTC, min_calls=1)
        assert view.min_calls == 4 and view.window.start == datetime(2026, 11, 23, tzinfo=ZoneInfo("Europe/Berlin"))
    finally:
        engine.dispose()
    for args, said in (
        (("--time-zone", "Mars/Olympus"), "'Mars/Olympus' is not a time zone this server knows"),
        (("--min-calls", "0"), "The minimum of calls is a whole number from 1 to 1,000 (got 0)"),
    ):
        refused_rules = admin(*args)
        assert refused_rules.exit_code == 1 and said in refused_rules.stderr and "Traceback" not in refused_rules.output
    as_ana = runner.invoke(app, ["--db", login_url(pg_url, ana), "admin", "board", "--min-calls", "1"], prog_name="nextcall")
    assert as_ana.exit_code == 1 and f"{ana} may not manage logins" in as_ana.stderr
    assert admin().stdout.endswith("in Europe/Berlin; agents are ranked from 4 calls.\n")


def test_revoke_drops_what_the_login_made_so_nothing_keeps_it(owner: Engine, pg_url: str, ana: str) -> None:
    with connect(pg_url, ana) as connection:
        made = connection.execute("SELECT lo_create(0)").fetchone()[0]
    assert revoke(owner, ana) is None
    with pytest.raises(psycopg.OperationalError, match=f'role "{ana}" does not exist'):
        connect(pg_url, ana)
    with as_owner(pg_url) as admin:
        assert admin.execute("SELECT count(*) FROM pg_largeobject_metadata WHERE oid = %s", (made,)).fetchone() == (0,)


def test_a_login_that_owns_something_in_another_database_is_locked_out_and_revoke_says_where(
    owner: Engine, pg_url: str, ana: str, pg_template: str
) -> None:
    with fresh_pg_database(pg_template) as other_url:
        with psycopg.connect(login_url(other_url, ana), autocommit=True) as elsewhere:
            elsewhere.execute("SELECT lo_create(0)")
        left = revoke(owner, ana)
        assert left is not None and "can no longer log in" in left and make_url(other_url).database in left
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            connect(pg_url, ana)
        assert list_logins(owner) == []
        with psycopg.connect(other_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(psycopg.sql.SQL("DROP OWNED BY {}").format(psycopg.sql.Identifier(ana)))


BACKUP_OF_ANAS_OWN = {
    "evaluation": call(99, "ana", NOW, 10),
    "goal": f.goal(agent="ana", scorecard="lb", criterion="k9", started_at=MONDAY.isoformat()),
    "self_assessment": f.self_assessment(agent="ana", ratings={"k9": 4}),
    "leaderboard choice": f.agent(id="ana", name="Ana", leaderboard_opt_out=False),
}
"""What a login might try to import about its own agent: only the owner imports, whatever the kind."""


@pytest.mark.parametrize("kind", BACKUP_OF_ANAS_OWN)
def test_an_import_through_a_login_is_one_clear_line_and_writes_nothing(
    owner: Engine, pg_url: str, ana: str, tmp_path: Path, kind: str
) -> None:
    with as_owner(pg_url) as admin:
        before = visible(admin, pg_url)
    late = f.write_jsonl(tmp_path / "late.jsonl", [BACKUP_OF_ANAS_OWN[kind]])
    result = CliRunner().invoke(app, ["--db", login_url(pg_url, ana), "import", str(late)], prog_name="nextcall")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (
        f"nextcall: {ana} is an agent's or a lead's own login, which reads and writes only its own rows; "
        "nothing was imported. Import as the role that owns nextcall's tables.\n"
    )
    with as_owner(pg_url) as admin:
        assert visible(admin, pg_url) == before


def test_nextcall_admin_on_sqlite_says_logins_need_postgresql_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nextcall.db"
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{path}", "admin", "grant", "ana"], prog_name="nextcall")
    assert result.exit_code == 1
    assert "logins need a shared PostgreSQL database" in result.stderr
    assert result.stdout == ""
    assert not path.exists()


# ------------------------------------------------------------------ a fair leaderboard


def boards(engine: Engine) -> dict[Metric, tuple[object, ...]]:
    """The points and goal-progress boards of this week, as the engine reads them."""
    return {
        metric: settled(leaderboard(engine, viewer_id="ana", min_calls=1, metric=metric, team_id=None, now=NOW, zone=UTC))
        for metric in (Metric.points, Metric.goal)
    }


def test_an_agents_login_cannot_fake_a_goals_baseline_start_or_end(owner: Engine, pg_url: str, ana: str) -> None:
    with as_owner(pg_url) as admin:
        k8, k9 = (admin.execute("SELECT id FROM criterion WHERE key = %s", (key,)).fetchone()[0] for key in ("k8", "k9"))
    engine = engine_as(pg_url, ana)
    try:
        with connect(pg_url, ana) as connection:
            # What the app does, by hand: the goal dropped now, another started now with the store's baseline.
            connection.execute("SELECT nextcall_access.end_goal('dropped', NULL, 'a reason')")
            live = connection.execute(f"SELECT nextcall_access.start_goal({k9}, 8, 10)").fetchone()[0]
            goals = connection.execute("SELECT * FROM goal ORDER BY id").fetchall()
            assert goals[-1][0] == live and goals[-1][4:6] == (1, 7)  # baseline 1 of 7: see `records`
            before = boards(engine)

            # Rows written by hand: nothing is writable, whatever the values.
            for statement in (
                "INSERT INTO goal (agent_id, criterion_id, status, baseline_met, baseline_applicable, target_met,"
                f" target_window, started_at) VALUES ('ana', {k9}, 'active', 0, 7, 8, 10, now())",
                f"INSERT INTO {HOME}.goal (agent_id, criterion_id, status, baseline_met, baseline_applicable,"
                f" target_met, target_window, started_at) VALUES ('ana', {k9}, 'active', 0, 7, 8, 10, now())",
                "UPDATE goal SET baseline_met = 0", f"UPDATE {HOME}.goal SET started_at = started_at - interval '1 day'",
                f"DELETE FROM {HOME}.goal",
            ):
                refused(connection, statement)
            # The functions take no baseline and no start: only a behaviour and a target within bounds.
            for target in ((1, 1), (2, 10), (200, 200), (None, 10)):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="target must be met on at least half"):
                    connection.execute("SELECT nextcall_access.start_goal(%s, %s, %s)", (k8, *target))
            with pytest.raises(psycopg.errors.UniqueViolation, match="still active"):
                connection.execute(f"SELECT nextcall_access.start_goal({k8}, 8, 10)")
            with pytest.raises(psycopg.errors.InvalidParameterValue, match="scorecard you were scored on"):
                connection.execute("SELECT nextcall_access.start_goal(-1, 8, 10)")
            # Ending is dropped now, or mastered between its start and now.
            for status, at in (("mastered", "now() - interval '10 days'"), ("mastered", "now() + interval '1 hour'"),
                               ("mastered", "NULL"), ("active", "now()"), ("bogus", "now()")):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="a goal ends dropped now"):
                    connection.execute(f"SELECT nextcall_access.end_goal('{status}', {at}, NULL)")
            assert connection.execute("SELECT * FROM goal ORDER BY id").fetchall() == goals
        assert boards(engine) == before == boards(owner)
    finally:
        engine.dispose()


def test_an_agents_login_starts_and_drops_goals_with_the_stores_own_baseline(owner: Engine, pg_url: str, ana: str) -> None:
    engine = engine_as(pg_url, ana)
    try:
        drop_goal(engine, agent_id="ana", reason="another one")
        first = start_goal(engine, agent_id="ana", criterion_key="k9")
        drop_goal(engine, agent_id="ana")
        second = start_goal(engine, agent_id="ana", criterion_key="k0", target=Target(5, 8))
        drop_goal(engine, agent_id="ana")
        # A team's own target is kept, within bounds: one met of two would be mastered on four calls.
        with pytest.raises(GoalError, match="The team's database refused this goal: a goal's target"):
            start_goal(engine, agent_id="ana", criterion_key="k1", target=Target(1, 2))
    finally:
        engine.dispose()
    with Session(owner) as session:
        theirs = {g.id: g for g in session.exec(select(Goal).where(Goal.agent_id == "ana"))}
    assert [theirs[first].status, theirs[second].status] == ["dropped", "dropped"]
    assert (theirs[first].baseline_met, theirs[first].baseline_applicable) == (1, 7)
    assert (theirs[second].baseline_met, theirs[second].baseline_applicable) == (7, 7)
    # The owner, starting the same goals at the same moments, stores the same baselines.
    for goal, key in ((theirs[first], "k9"), (theirs[second], "k0")):
        target = Target(goal.target_met, goal.target_window)
        again = start_goal(owner, agent_id="ana", criterion_key=key, target=target, now=goal.started_at)
        drop_goal(owner, agent_id="ana", now=goal.started_at)
        with Session(owner) as session:
            owners = session.get(Goal, again)
        assert owners is not None
        assert (owners.baseline_met, owners.baseline_applicable) == (goal.baseline_met, goal.baseline_applicable)


def test_an_agents_submission_earns_listened_first_once_the_owner_derives_recognition(
    owner: Engine, pg_url: str, ana: str
) -> None:
    def recognition(agent: str) -> tuple[list[str], dict[str, int]]:
        with Session(owner) as session:
            badges = sorted(session.exec(select(BadgeAward.badge_id).where(BadgeAward.agent_id == agent)))
            points = {e.source: e.points for e in session.exec(select(PointsEntry).where(PointsEntry.agent_id == agent))
                      if e.day == today}
        return badges, points

    today = datetime.now(UTC).date()
    engine = engine_as(pg_url, ana)
    try:
        assert "listened_first" not in recognition("ana")[0]
        board = boards(engine)
        save_draft(engine, agent_id="ana", draft=Draft(today + timedelta(days=3), "I listen", "", ""))
        submit(engine, agent_id="ana")
        # Nothing is derived by the login itself: the board is as it was until the owner derives.
        assert "listened_first" not in recognition("ana")[0]
        with connect(pg_url, ana) as connection:
            # A submission is made now, and then it is history.
            refused(connection, "INSERT INTO self_assessment (agent_id, session_on, strengths, struggles, want_to_work_on,"
                                " ratings, submitted_at, updated_at) VALUES ('ana', '2026-11-20', 'x', '', '', '{}',"
                                " now() - interval '4 days', now())")
            refused(connection, "UPDATE self_assessment SET session_on = session_on + 30 WHERE submitted_at IS NOT NULL")
            refused(connection, "UPDATE self_assessment SET submitted_at = now() - interval '1 day' WHERE submitted_at IS NOT NULL")
            refused(connection, "UPDATE self_assessment SET strengths = 'a draft' WHERE submitted_at IS NULL")
            # Nothing is left to submit: the function submits the login's own draft, once.
            with pytest.raises(psycopg.errors.NoDataFound, match="nothing to submit"):
                connection.execute("SELECT nextcall_access.submit_self_assessment()")
        assert boards(engine) == board
        assert derive_recognition(owner, agent_ids=["ana"]) == (1, 1)
        badges, points = recognition("ana")
        assert "listened_first" in badges
        assert points["self_assessment"] == POINT_SOURCES["self_assessment"].points
        assert points["badge"] >= POINT_SOURCES["badge"].points
        assert derive_recognition(owner) == (len(FALCONS + HAWKS), 0)  # everyone, and nothing more to add
    finally:
        engine.dispose()


# ------------------------------------------------------------------ nextcall db refresh


def test_nextcall_db_refresh_derives_what_agents_logins_could_not(owner: Engine, pg_url: str, ana: str) -> None:
    runner = CliRunner()
    engine = engine_as(pg_url, ana)
    try:
        save_draft(engine, agent_id="ana", draft=Draft(datetime.now(UTC).date(), "I listen", "", ""))
        submit(engine, agent_id="ana")
    finally:
        engine.dispose()
    as_ana = runner.invoke(app, ["--db", login_url(pg_url, ana), "db", "refresh"], prog_name="nextcall")
    assert as_ana.exit_code == 1
    assert f"nextcall: {ana} may not write badges and points" in as_ana.stderr
    unknown = runner.invoke(app, ["db", "refresh", "ana", "nobody", "--db", pg_url], prog_name="nextcall")
    assert unknown.exit_code == 1
    assert "nextcall: There is no agent 'nobody'" in unknown.stderr
    one = runner.invoke(app, ["db", "refresh", "ana", "--db", pg_url], prog_name="nextcall")
    assert (one.exit_code, one.stdout) == (0, "Badges and points derived for 1 agent; 1 new badge.\n")
    everyone = runner.invoke(app, ["db", "refresh", "--db", pg_url], prog_name="nextcall")
    assert (everyone.exit_code, everyone.stdout) == (0, "Badges and points derived for 5 agents; 0 new badges.\n")
    with Session(owner) as session:
        assert "listened_first" in session.exec(select(BadgeAward.badge_id).where(BadgeAward.agent_id == "ana")).all()


def test_nextcall_db_refresh_on_sqlite_changes_nothing_the_app_already_derived(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nextcall.db'}"
    engine = open_store(url)
    import_files(engine, [f.write_jsonl(tmp_path / "calls.jsonl", records())])
    start_goal(engine, agent_id="ana", criterion_key="k9", now=MONDAY - timedelta(hours=1))
    engine.dispose()
    result = CliRunner().invoke(app, ["--db", url, "db", "refresh"], prog_name="nextcall")
    assert (result.exit_code, result.stdout) == (0, "Badges and points derived for 5 agents; 0 new badges.\n")


# ------------------------------------------------------------------ upgrading a shared store


LEGACY_TABLES = (
    "team", "scorecard", "criterion", "agent", "evaluation", "criterion_result",
    "goal", "self_assessment", "badge_award", "points_entry",
)
"""Every table with rows, parents first."""


def _rows(connection: psycopg.Connection, schema: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    found = {}
    for table in LEGACY_TABLES:
        cursor = connection.execute(f"SELECT * FROM {schema}.{table} ORDER BY 1, 2")
        found[table] = ([c.name for c in cursor.description or []], cursor.fetchall())
    return found


def test_upgrading_a_store_made_before_revision_0006_moves_it_home_and_keeps_every_row(
    owner: Engine, pg_url: str, names: Callable[[str], str]
) -> None:
    from tests.migrating import migrate

    with as_owner(pg_url) as source:
        rows = _rows(source, HOME)
    login = names("ana")
    name = f"nextcall_legacy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    legacy_url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        # A store as nextcall made them before revision 0006: at 0005, its tables in public.
        engine = make_engine(legacy_url)
        migrate(engine, "0005")
        with psycopg.connect(legacy_url.replace("+psycopg", ""), autocommit=True) as legacy:
            for table in (*LEGACY_TABLES, "alembic_version"):
                legacy.execute(f"ALTER TABLE {HOME}.{table} SET SCHEMA public")
            legacy.execute(f"DROP SCHEMA {HOME}")
            for table, (columns, values) in rows.items():
                had = {row[0] for row in legacy.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
                    (table,),
                )}
                kept = [i for i, column in enumerate(columns) if column in had]  # goal.mastered_at is new in 0006
                assert all(row[i] is None for row in values for i, _ in enumerate(columns) if i not in kept)
                if values:
                    marks = ", ".join(["%s"] * len(kept))
                    with legacy.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO public.{table} ({', '.join(columns[i] for i in kept)}) VALUES ({marks})",
                            [tuple(psycopg.types.json.Json(row[i]) if isinstance(row[i], dict) else row[i] for i in kept)
                             for row in values],
                        )
            legacy.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN").format(psycopg.sql.Identifier(login)))
            legacy.execute(psycopg.sql.SQL("GRANT nextcall_agent TO {}").format(psycopg.sql.Identifier(login)))
            legacy.execute("INSERT INTO nextcall_access.agent_login (login, kind, agent_id) VALUES (%s, 'agent', 'ana')", (login,))
            # Before: the login reads the tables themselves (row-level security keeps it to its rows).
            assert legacy.execute("SELECT has_table_privilege('nextcall_agent', 'public.evaluation', 'SELECT')").fetchone() == (True,)

        open_store(legacy_url).dispose()

        with psycopg.connect(legacy_url.replace("+psycopg", "")) as upgraded:
            assert _rows(upgraded, HOME) == rows  # every row, as it was
            assert upgraded.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone() == (0,)
            assert upgraded.execute(f"SELECT version_num FROM {HOME}.alembic_version").fetchone() == (head_revision(),)
            for group in ("nextcall_agent", "nextcall_lead"):
                assert upgraded.execute(
                    "SELECT has_schema_privilege(%s, %s, 'USAGE'),"
                    " has_table_privilege(%s, 'nextcall.evaluation', 'SELECT')",
                    (group, HOME, group),
                ).fetchone() == (False, False)
        with connect(legacy_url, login) as connection:
            assert {row[0] for row in connection.execute("SELECT agent_id FROM evaluation")} == {"ana"}
            assert connection.execute("SELECT count(*) FROM self_assessment").fetchone() == (1,)
        # Calls seen and disputed (revision 0010) and coaching sessions (0012) came after: copied over as they are,
        # the brief reads them.
        with as_owner(pg_url) as source, psycopg.connect(legacy_url.replace("+psycopg", ""), autocommit=True) as upgraded:
            for table in ("acknowledgement", "dispute", "coaching_session"):
                cursor = source.execute(f"SELECT * FROM {table} ORDER BY 1")
                columns = [c.name for c in cursor.description or []]
                with upgraded.cursor() as inserting:
                    inserting.executemany(
                        f"INSERT INTO {HOME}.{table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                        cursor.fetchall(),
                    )
        # A store already moved opens as it is, and an owner's app finds it.
        engine = open_store(legacy_url)
        try:
            assert prep_brief(engine, agent_id="ben", now=NOW) == prep_brief(owner, agent_id="ben", now=NOW)
        finally:
            engine.dispose()
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_agents_login_gets_the_same_coaching_truth_as_the_owner_and_the_lead(
    pg_url: str, tmp_path: Path, names: Callable[[str], str]
) -> None:
    from nextcall.store.queries import coaching_state, goal_screen_view, home_view

    # Seven agents on one team, so a suggestion's team prior (six colleagues) counts.
    crew = [f"ag{n}" for n in range(7)]
    out: list[dict[str, Any]] = [
        f.team(), f.scorecard(id="lb", name="Board card", criteria=[f.criterion(key, weight=1 + i % 3) for i, key in enumerate(KEYS)]),
        *(f.agent(id=a, name=a.capitalize()) for a in crew),
    ]
    for n, agent in enumerate(crew):
        for i in range(12):
            pattern = (n * 7 + i * 3) % 10
            out.append(f.evaluation(
                call_id=f"C-{agent}-{i}", agent=agent, scorecard="lb",
                occurred_at=(LAST_MONDAY + timedelta(hours=n * 12 + i)).isoformat(),
                csat=1 + (n + i) % 5, first_contact_resolution=(n + i) % 3 != 0,
                results=[f.result(key, "met" if (k + pattern) % 4 else "missed") for k, key in enumerate(KEYS)],
            ))
    owner = make_engine(pg_url)
    import_files(owner, [f.write_jsonl(tmp_path / "crew.jsonl", out)])
    agent_login = grant_agent(owner, "ag3", login=names("ag3"))
    lead_login = grant_lead(owner, "falcons", names("lead"))
    as_agent, as_lead = engine_as(pg_url, agent_login), engine_as(pg_url, lead_login)
    try:
        ours = coaching_state(owner, agent_id="ag3")
        assert ours is not None and ours.focus is not None and ours.suggestions
        for engine in (as_agent, as_lead):
            theirs = coaching_state(engine, agent_id="ag3")
            assert theirs is not None and theirs.suggestions == ours.suggestions
            assert home_view(engine, agent_id="ag3").focus == home_view(owner, agent_id="ag3").focus  # type: ignore[union-attr]
            assert goal_screen_view(engine, agent_id="ag3").suggestions == ours.suggestions  # type: ignore[union-attr]
        assert prep_brief(as_lead, agent_id="ag3", now=NOW) == prep_brief(owner, agent_id="ag3", now=NOW)
        # The prior is the colleagues' figure: the agent reads it for themself only, nobody else's.
        with connect(pg_url, agent_login) as connection:
            assert connection.execute("SELECT count(*) FROM nextcall_access.team_prior('ag3', 'lb')").fetchone()[0] > 0
            assert connection.execute("SELECT count(*) FROM nextcall_access.team_prior('ag4', 'lb')").fetchone() == (0,)
    finally:
        for engine in (as_agent, as_lead, owner):
            engine.dispose()


def test_a_logins_team_prior_sums_the_same_latest_calls_as_the_owners(
    pg_url: str, tmp_path: Path, names: Callable[[str], str]
) -> None:
    """More colleagues' calls than the prior's window, which ends amid calls made at one time (tests/store/test_team_prior)."""
    from tests.store.test_team_prior import crew_store, latest_counts

    owner = make_engine(pg_url)
    try:
        expected = latest_counts(crew_store(owner, tmp_path))
        login = grant_agent(owner, "ag0", login=names("ag0"))
        with connect(pg_url, login) as connection:
            rows = connection.execute("SELECT * FROM nextcall_access.team_prior('ag0', 'lb')").fetchall()
    finally:
        owner.dispose()
    assert {key: (missed, applicable) for key, missed, applicable, *_ in rows} == {
        key: (expected[key, "missed"], expected[key, "missed"] + expected[key, "met"]) for key in ("k0", "k1", "k2")
    }
