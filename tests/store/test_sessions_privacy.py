"""Coaching sessions on a shared PostgreSQL database, through leads' and agents' own logins (migration 0013).

A lead's login plans, moves, cancels and notes its team's sessions, and an
agent's login confirms its own held sessions (or says what it heard
differently), only through the database's checked functions; each reads its
scope's sessions, and no login writes the table. The probes follow
tests/store/test_privacy_attacks.py: for a true guess about another team's
session (or a colleague's) and a false one, a login sees the same rows, the
same error (code, words, context) and the same `EXPLAIN (ANALYZE, VERBOSE,
FORMAT JSON)` plan without its timings; the owner, who reads the rows, tells
the two apart.

The functions check against the database's own clock, so the sessions here
are placed around the real now: held two days ago, planned five days on.

PostgreSQL only: a SQLite file has no logins.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.migrating import migrate
from nextcall.store.db import REFUSALS, head_revision, make_engine, schema_revision
from nextcall.store.importer import import_files
from nextcall.store.models import SessionStatus
from nextcall.store.privacy import grant_agent, grant_lead
from nextcall.store.self_assessments import Draft, SelfAssessmentError, save_draft, submit
from nextcall.store.sessions import (
    SessionError,
    add_session,
    cancel_session,
    confirm_session,
    move_session,
    note_session,
    sessions_in,
)
from tests import factories as f
from tests.conftest import scratch_pg_database
from tests.store import test_privacy_attacks as attacks
from tests.store.test_privacy_attacks import (
    BLANK,
    GUESS,
    Names,
    Viewer,
    admin,
    build_store,
    differs,
    engine_as,
    literal,
    made_viewer,
    names,  # noqa: F401 (a fixture)
    nobody_like,
    refused,
    run,
    same,
)

pytestmark = pytest.mark.postgres

TODAY = datetime.now(UTC).date()
HELD = datetime.combine(TODAY - timedelta(days=2), time(12), tzinfo=UTC)
"""When each agent's last session was held (noon, so that its day is the same in every zone within 11 hours)."""
COMING = datetime.combine(TODAY + timedelta(days=5), time(12), tzinfo=UTC)
"""When each agent's next session is planned (eli's is cancelled)."""
AGENTS = ("ana", "ben", "dee", "eli")
WILL_DO = {agent: f"{agent} recaps before closing" for agent in AGENTS}
NOTES = {agent: f"{agent} rushed the close twice" for agent in AGENTS}

NOT_TEAMS = "there is no coaching session of your team with that id"
NOT_YOURS = "there is no coaching session of yours with that id"
NO_AGENT = "there is no agent of your team with that id"
LEAD_WRITES = ("add_session", "move_session", "cancel_session", "note_session")


# ------------------------------------------------------------------ the store


def sid(agent: str, at: datetime) -> str:
    """The id `nextcall session add` gives a session of `agent` at `at` (store.sessions.session_id_for)."""
    return f"{agent}-{at.astimezone().strftime('%Y%m%d-%H%M')}"


@pytest.fixture
def owner(pg_url: str, tmp_path: Path) -> Iterator[Engine]:
    """test_privacy_attacks' store, with a session held and noted and one planned for agents of both teams."""
    engine = build_store(pg_url, tmp_path)
    import_files(engine, [f.write_jsonl(tmp_path / "qa2.jsonl", [
        f.scorecard(id="qa2", name="Another card", criteria=[f.criterion("z1")]),
    ])])
    for agent in AGENTS:
        held = add_session(engine, agent_id=agent, coach="Sam Patel", at=HELD, now=HELD - timedelta(days=7))
        note_session(engine, session_id=held, behaviour="k9", will_do=WILL_DO[agent], notes=NOTES[agent],
                     follow_up_on=HELD.date() + timedelta(days=7))
        coming = add_session(engine, agent_id=agent, coach="Sam Patel", at=COMING)
        if agent == "eli":
            cancel_session(engine, session_id=coming)
    yield engine
    engine.dispose()


@pytest.fixture(params=["agent", "lead", "elsewhere"])
def viewer(request: pytest.FixtureRequest, owner: Engine, pg_url: str, names: Names, pg_template: str,  # noqa: F811
           tmp_path: Path) -> Iterator[Viewer]:
    """An agent's login (ana), a lead's (the Falcons'), and one granted in another nextcall database."""
    with made_viewer(request.param, owner, pg_url, names, pg_template, tmp_path) as made:
        yield made


def connect(url: str, login: str) -> psycopg.Connection:
    """A login's connection, searching its scope as the app's does."""
    return attacks.connect(url, login, "nextcall_scope,pg_catalog")


def snapshot(url: str) -> list[tuple[Any, ...]]:
    """Every session, as the owner reads them."""
    with admin(url) as connection:
        return connection.execute("SELECT * FROM coaching_session ORDER BY id").fetchall()


def row(url: str, session_id: str) -> dict[str, Any]:
    with admin(url) as connection:
        cursor = connection.execute("SELECT * FROM coaching_session WHERE id = %s", (session_id,))
        found = cursor.fetchone()
        assert found is not None, session_id
        return dict(zip([c.name for c in cursor.description or []], found, strict=True))


def criteria(url: str) -> dict[str, int]:
    with admin(url) as connection:
        return dict(connection.execute("SELECT key, id FROM criterion").fetchall())


def error_of(connection: psycopg.Connection, statement: str, *params: Any) -> tuple[str, str]:
    error = refused(connection, statement, *params)
    return error["sqlstate"], error["message"]


# ------------------------------------------------------------------ a lead plans and notes its team's


def test_a_leads_login_plans_moves_cancels_and_notes_its_teams_sessions(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    lead = grant_lead(owner, "falcons", names("falcons"))
    k9 = criteria(pg_url)["k9"]
    engine = engine_as(pg_url, lead)
    soon = COMING + timedelta(days=2)
    try:
        made = add_session(engine, agent_id="ben", coach="  Lee Falcon ", at=soon, behaviour="k9",
                           follow_up_on=soon.date() + timedelta(days=14), notes="  bring the calls  ")
        assert made == sid("ben", soon)
        assert {k: row(pg_url, made)[k] for k in ("agent_id", "coach", "scheduled_at", "status", "criterion_id",
                                                  "notes", "follow_up_on", "will_do", "confirmed_at")} == {
            "agent_id": "ben", "coach": "Lee Falcon", "scheduled_at": soon, "status": "scheduled", "criterion_id": k9,
            "notes": "bring the calls", "follow_up_on": soon.date() + timedelta(days=14), "will_do": None,
            "confirmed_at": None,
        }
        later = soon + timedelta(days=1, hours=3)
        move_session(engine, session_id=made, to=later)
        assert row(pg_url, made)["scheduled_at"] == later
        cancel_session(engine, session_id=made)
        assert row(pg_url, made)["status"] == "cancelled"
        # A held session of the team is noted; what is not given stays as it was.
        held = sid("ben", HELD)
        note_session(engine, session_id=held, will_do="Recap in one sentence", follow_up_on=HELD.date() + timedelta(days=3))
        noted = row(pg_url, held)
        assert (noted["will_do"], noted["notes"], noted["criterion_id"], noted["follow_up_on"]) == (
            "Recap in one sentence", NOTES["ben"], k9, HELD.date() + timedelta(days=3))
        # The lead reads its team's sessions, and no one else's.
        with Session(engine) as session:
            assert {s.id for s in sessions_in(session, "ben")} == {held, sid("ben", COMING), made}
            assert sessions_in(session, "dee") == []
    finally:
        engine.dispose()
    with connect(pg_url, lead) as connection:
        assert sorted({r[0] for r in connection.execute("SELECT agent_id FROM coaching_session").fetchall()}) == ["ana", "ben"]
        # Moving to a day after its follow-up drops the follow-up: it is set again when the session is noted.
        coming = sid("ana", COMING)
        with admin(pg_url) as owners:
            owners.execute("UPDATE coaching_session SET follow_up_on = %s WHERE id = %s", (COMING.date(), coming))
        connection.execute("SELECT nextcall_access.move_session(%s, %s)", (coming, COMING + timedelta(days=1)))
        assert row(pg_url, coming)["follow_up_on"] == COMING.date()  # a day's slack for the lead's own calendar
        connection.execute("SELECT nextcall_access.move_session(%s, %s)", (coming, COMING + timedelta(days=3)))
        assert row(pg_url, coming)["follow_up_on"] is None


def test_the_database_checks_every_session_change_itself(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    lead = grant_lead(owner, "falcons", names("falcons"))
    keys = criteria(pg_url)
    soon = COMING + timedelta(days=1)
    adding = "SELECT nextcall_access.add_session(%s, %s, %s, %s, %s, %s, %s)"
    held, coming = sid("ben", HELD), sid("ben", COMING)
    with admin(pg_url) as owners:
        owners.execute("UPDATE coaching_session SET status = 'cancelled' WHERE id = %s", (sid("ana", COMING),))
    before = snapshot(pg_url)
    with connect(pg_url, lead) as connection:
        codes = set()

        def refusal(statement: str, *params: Any) -> tuple[str, str]:
            found = error_of(connection, statement, *params)
            codes.add(found[0])
            return found

        for coach in (*BLANK, None, "x" * 201):
            assert refusal(adding, sid("ben", soon), "ben", coach, soon, None, None, None)[0] == "23514", repr(coach)
        for at in (datetime.now(UTC) - timedelta(hours=1), None):
            assert refusal(adding, sid("ben", soon), "ben", "Sam", at, None, None, None) == (
                "23514", "a session is planned ahead: that time has passed")
        behaviour = ("22023", "a session agrees on a behaviour of a scorecard the agent was scored on")
        assert refusal(adding, sid("ben", soon), "ben", "Sam", soon, keys["z1"], None, None) == behaviour
        assert refusal(adding, sid("ben", soon), "ben", "Sam", soon, -1, None, None) == behaviour
        after = ("23514", "the follow-up comes after the session")
        assert refusal(adding, sid("ben", soon), "ben", "Sam", soon, None, soon.date() - timedelta(days=2), None) == after
        # The id is the one `nextcall session add` makes of the agent and the time: never another agent's.
        for wrong in (sid("dee", soon), sid("be", soon), "ben", f"ben-{soon:%Y%m%d}", sid("ben", soon) + "0", None):
            assert refusal(adding, wrong, "ben", "Sam", soon, None, None, None)[0] == "22023", wrong
        assert refusal(adding, coming, "ben", "Sam", COMING, None, None, None) == (
            "23505", "the agent already has a session at that time")
        assert refusal(adding, sid("ben", soon), "ben", "Sam", soon, None, None, "x" * 10_001)[0] == "22023"

        moving, cancelling = "SELECT nextcall_access.move_session(%s, %s)", "SELECT nextcall_access.cancel_session(%s)"
        assert refusal(moving, held, soon) == ("23514", "the session has happened: it can be noted, not moved")
        assert refusal(cancelling, held) == ("23514", "the session has happened: it can be noted, not cancelled")
        for cancelled in (refusal(moving, sid("ana", COMING), soon), refusal(cancelling, sid("ana", COMING))):
            assert cancelled == ("23514", "the session was cancelled: plan a new one")
        for to in (datetime.now(UTC) - timedelta(minutes=1), None):
            assert refusal(moving, coming, to) == ("23514", "a session moves to a time still to come")

        noting = "SELECT nextcall_access.note_session(%s, %s, %s, %s, %s)"
        assert refusal(noting, coming, None, "x", None, None) == ("23514", "the session has not happened yet: note it after it")
        assert refusal(noting, sid("ana", COMING), None, "x", None, None) == (
            "23514", "the session was cancelled: there is nothing to note")
        assert refusal(noting, held, keys["z1"], "x", None, None) == behaviour
        assert refusal(noting, held, None, "x", None, HELD.date() - timedelta(days=2)) == after
        assert refusal(noting, held, None, "x" * 10_001, None, None)[0] == "22023"
        assert snapshot(pg_url) == before
        # Words without words are not given: what was noted stays.
        for blank in (*BLANK, None):
            connection.execute(noting, (held, None, blank, blank, None))
        assert snapshot(pg_url) == before
        connection.execute(noting, (held, keys["k0"], "\u200b Recap first \n", None, None))
        assert (row(pg_url, held)["will_do"], row(pg_url, held)["criterion_id"]) == ("Recap first", keys["k0"])
    # Every refusal is one the app turns into words.
    assert codes <= REFUSALS and codes >= {"22023", "23505", "23514"}


# ------------------------------------------------------------------ another team's, and a made-up one


def test_another_teams_session_is_refused_exactly_as_one_nobody_has(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    lead = grant_lead(owner, "falcons", names("falcons"))
    before = snapshot(pg_url)
    hawks = [sid(agent, at) for agent in ("dee", "eli") for at in (HELD, COMING)]
    probes = {
        "move": f"SELECT nextcall_access.move_session({GUESS}, now() + interval '9 days')",
        "cancel": f"SELECT nextcall_access.cancel_session({GUESS})",
        "note": f"SELECT nextcall_access.note_session({GUESS}, NULL, 'recap', 'notes', NULL)",
        "note a date": f"SELECT nextcall_access.note_session({GUESS}, NULL, NULL, NULL, '2000-01-01')",
    }
    with connect(pg_url, lead) as connection:
        for session_id in hawks:
            for probe in probes.values():
                shown = same(connection, probe, session_id, nobody_like(session_id))
                error = shown["result"]["error"]
                assert (error["sqlstate"], error["message"], error["detail"], error["hint"]) == ("P0002", NOT_TEAMS, None, None)
            for select in ("*", "count(*)"):
                same(connection, f"SELECT {select} FROM coaching_session WHERE id = {GUESS}", session_id, nobody_like(session_id))
        # Planning for another team's agent is planning for no one.
        for agent in ("dee", "eli", "gus"):
            shown = same(connection, "SELECT nextcall_access.add_session('x-20300101-1000', "
                                     f"{GUESS}, 'Sam', now() + interval '1 day', NULL, NULL, NULL)", agent, nobody_like(agent))
            assert (shown["result"]["error"]["sqlstate"], shown["result"]["error"]["message"]) == ("P0002", NO_AGENT)
        # The refusal's words are one, whichever session: not even a context line tells where it was raised.
        errors = {repr(refused(connection, probes["cancel"].replace(GUESS, literal(session_id))))
                  for session_id in [*hawks, "", "x", sid("ben", HELD) + "x"]}
        assert len(errors) == 1
    with admin(pg_url) as connection:
        differs(connection, f"SELECT * FROM coaching_session WHERE id = {GUESS}", hawks[0], nobody_like(hawks[0]))
    assert snapshot(pg_url) == before
    # Through the app: another team's session is no session, in the words a made-up one gets.
    engine = engine_as(pg_url, lead)
    try:
        said = []
        for session_id in (sid("dee", COMING), sid("zed", COMING)):
            for change in (lambda: move_session(engine, session_id=session_id, to=COMING + timedelta(days=1)),
                           lambda: cancel_session(engine, session_id=session_id),
                           lambda: note_session(engine, session_id=session_id, will_do="recap")):
                with pytest.raises(SessionError) as caught:
                    change()
                said.append(str(caught.value).replace(session_id, "<ID>"))
        assert said[:3] == said[3:]
        for agent in ("dee", "zed"):
            with pytest.raises(SessionError) as caught:
                add_session(engine, agent_id=agent, coach="Sam", at=COMING + timedelta(days=1))
            said.append(str(caught.value).replace(agent, "<AGENT>"))
        assert said[-2] == said[-1]
    finally:
        engine.dispose()
    assert snapshot(pg_url) == before


def test_another_teams_session_held_by_an_import_holds_up_no_refusal(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    lead = grant_lead(owner, "falcons", names("falcons"))
    with psycopg.connect(pg_url.replace("+psycopg", ""), options="-c search_path=nextcall,pg_catalog") as holder:
        # An import in the middle of changing dee's sessions: her rows locked.
        holder.execute("UPDATE coaching_session SET notes = notes WHERE agent_id = 'dee'")
        with connect(pg_url, lead) as connection:
            connection.execute("SET lock_timeout = '2s'")
            for statement in (
                f"SELECT nextcall_access.move_session('{sid('dee', COMING)}', now() + interval '9 days')",
                f"SELECT nextcall_access.cancel_session('{sid('dee', COMING)}')",
                f"SELECT nextcall_access.note_session('{sid('dee', HELD)}', NULL, 'x', NULL, NULL)",
            ):
                assert error_of(connection, statement) == ("P0002", NOT_TEAMS), statement
        holder.rollback()


# ------------------------------------------------------------------ an agent confirms its own


def test_an_agents_login_confirms_its_own_held_session_or_says_it_heard_differently(
    owner: Engine, pg_url: str, names: Names  # noqa: F811
) -> None:
    ana = grant_agent(owner, "ana", login=names("ana"))
    held = sid("ana", HELD)
    engine = engine_as(pg_url, ana)
    try:
        confirm_session(engine, agent_id="ana", session_id=held)
        confirmed = row(pg_url, held)
        assert confirmed["confirmed_at"] is not None and confirmed["heard_differently"] is None
        assert datetime.now(UTC) - confirmed["confirmed_at"] < timedelta(minutes=1)
        confirm_session(engine, agent_id="ana", session_id=held, heard_differently="  Recap only on long calls ")
        assert (row(pg_url, held)["confirmed_at"], row(pg_url, held)["heard_differently"]) == (None, "Recap only on long calls")
        confirm_session(engine, agent_id="ana", session_id=held, heard_differently=" \u200b ")
        assert row(pg_url, held)["heard_differently"] is None and row(pg_url, held)["confirmed_at"] is not None
        # A colleague's session is no session of hers, in the words a made-up one gets.
        said = []
        for session_id in (sid("ben", HELD), sid("dee", HELD), sid("zed", HELD)):
            with pytest.raises(SessionError) as caught:
                confirm_session(engine, agent_id="ana", session_id=session_id)
            said.append(str(caught.value).replace(session_id, "<ID>"))
        assert len(set(said)) == 1
    finally:
        engine.dispose()
    before = snapshot(pg_url)
    confirming = f"SELECT nextcall_access.confirm_session({GUESS}, NULL)"
    with connect(pg_url, ana) as connection:
        for agent in ("ben", "dee", "eli"):
            for at in (HELD, COMING):
                shown = same(connection, confirming, sid(agent, at), nobody_like(sid(agent, at)))
                assert (shown["result"]["error"]["sqlstate"], shown["result"]["error"]["message"]) == ("P0002", NOT_YOURS)
        # Only after it happened, with an agreement noted.
        assert error_of(connection, "SELECT nextcall_access.confirm_session(%s, NULL)", sid("ana", COMING)) == (
            "23514", "confirm a session after it has happened")
        with admin(pg_url) as owners:
            owners.execute("UPDATE coaching_session SET will_do = NULL WHERE id = %s", (held,))
            before = snapshot(pg_url)
        assert error_of(connection, "SELECT nextcall_access.confirm_session(%s, NULL)", held) == (
            "23514", "nothing was noted as agreed yet: your coach notes it after the session")
    assert snapshot(pg_url) == before


def test_an_agents_login_cannot_plan_move_cancel_or_note_nor_write_the_table(owner: Engine, viewer: Viewer) -> None:
    keys = criteria(viewer.url)
    before = snapshot(viewer.url)
    own, colleagues = sid("ana", COMING), sid("ben", COMING)
    statements = []
    for table in ("coaching_session", "nextcall_scope.coaching_session", "nextcall.coaching_session"):
        statements += [
            f"INSERT INTO {table} (id, agent_id, coach, scheduled_at, status) VALUES ('ana-x', 'ana', 'Me', now(), 'scheduled')",
            f"UPDATE {table} SET confirmed_at = now(), will_do = 'nothing' WHERE agent_id = 'ana'",
            f"UPDATE {table} SET scheduled_at = scheduled_at + interval '1 day' WHERE id = '{own}'",
            f"UPDATE {table} SET status = 'cancelled' WHERE id = '{colleagues}'",
            f"DELETE FROM {table}",
        ]
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for statement in statements:
            assert refused(connection, statement)["sqlstate"] in ("42501", "55000"), statement
        writes = {
            "add_session": f"SELECT nextcall_access.add_session('{sid('ana', COMING + timedelta(days=1))}', 'ana', 'Me',"
                           f" now() + interval '6 days', {keys['k9']}, NULL, NULL)",
            "move_session": f"SELECT nextcall_access.move_session('{own}', now() + interval '9 days')",
            "cancel_session": f"SELECT nextcall_access.cancel_session('{own}')",
            "note_session": f"SELECT nextcall_access.note_session('{sid('ana', HELD)}', NULL, 'nothing', NULL, NULL)",
        }
        if viewer.kind != "lead":  # a lead's are the test above's
            for name, write in writes.items():
                error = refused(connection, write)
                assert (error["sqlstate"], error["message"]) == ("42501", f"permission denied for function {name}"), write
        if viewer.kind != "agent":
            # Only an agent confirms, and only their own.
            error = refused(connection, f"SELECT nextcall_access.confirm_session('{sid('ana', HELD)}', NULL)")
            assert error["sqlstate"] == "42501"
    assert snapshot(viewer.url) == before


def test_only_the_lead_group_may_call_the_leads_writes_and_only_the_agent_group_confirm(
    owner: Engine, pg_url: str, names: Names  # noqa: F811
) -> None:
    lead = grant_lead(owner, "falcons", names("falcons"))
    with admin(pg_url) as connection:
        for name, expected in (*((w, (True, False, False)) for w in (*LEAD_WRITES, "writing_lead")),
                               ("confirm_session", (False, True, False)), ("scope_coaching_session", (True, True, False))):
            granted = connection.execute(
                "SELECT has_function_privilege('nextcall_lead', p.oid, 'EXECUTE'),"
                " has_function_privilege('nextcall_agent', p.oid, 'EXECUTE'),"
                " has_function_privilege('public', p.oid, 'EXECUTE'), p.prosecdef, p.proconfig"
                " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = 'nextcall_access' AND p.proname = %s", (name,),
            ).fetchall()
            assert granted == [(*expected, True, ["search_path=pg_catalog, pg_temp"])], name
    with connect(pg_url, lead) as connection:
        # A lead writes for its own team, on its own login's row: writing_lead names that team.
        assert connection.execute("SELECT nextcall_access.writing_lead()").fetchone() == ("falcons",)


# ------------------------------------------------------------------ a self-assessment is for a planned session


def test_an_agents_login_cannot_submit_a_self_assessment_for_a_day_that_is_not_a_planned_session(
    owner: Engine, pg_url: str, names: Names  # noqa: F811
) -> None:
    ana, eli = grant_agent(owner, "ana", login=names("ana")), grant_agent(owner, "eli", login=names("eli"))
    drafting = "SELECT nextcall_access.save_draft(%s, 'I listen', 'I rush', 'recaps', '{}')"
    with connect(pg_url, ana) as connection:
        for day in (TODAY, TODAY + timedelta(days=2), COMING.date() + timedelta(days=3), COMING.date() + timedelta(days=20)):
            connection.execute(drafting, (day,))
            assert error_of(connection, "SELECT nextcall_access.submit_self_assessment()") == (
                "23514", "the self-assessment is for one of your planned coaching sessions"), day
        # Every other check holds as it did: the 60 days, the words.
        connection.execute(drafting, (TODAY + timedelta(days=90),))
        assert error_of(connection, "SELECT nextcall_access.submit_self_assessment()")[1] == (
            "the coaching session is today or within the next 60 days")
        connection.execute("SELECT nextcall_access.save_draft(%s, ' ', '', '\u200b', '{}')", (COMING.date(),))
        assert error_of(connection, "SELECT nextcall_access.submit_self_assessment()") == (
            "23514", "a self-assessment has words in at least one box")
        with admin(pg_url) as owners:
            assert owners.execute("SELECT count(*) FROM self_assessment WHERE agent_id = 'ana' AND submitted_at IS NOT NULL"
                                  ).fetchone() == (0,)
    engine = engine_as(pg_url, ana)
    try:
        save_draft(engine, agent_id="ana", draft=Draft(COMING.date() + timedelta(days=3), "I listen", "", ""))
        with pytest.raises(SelfAssessmentError, match="Choose one of your coaching sessions"):
            submit(engine, agent_id="ana")
        save_draft(engine, agent_id="ana", draft=Draft(COMING.date(), "I listen", "", ""))
        submitted = submit(engine, agent_id="ana")
    finally:
        engine.dispose()
    with admin(pg_url) as owners:
        assert owners.execute("SELECT session_on FROM self_assessment WHERE id = %s AND submitted_at IS NOT NULL",
                              (submitted,)).fetchone() == (COMING.date(),)
    # Eli's next session is cancelled: with none planned, any day of the next 60 will do.
    with connect(pg_url, eli) as connection:
        connection.execute(drafting, (TODAY + timedelta(days=3),))
        assert connection.execute("SELECT nextcall_access.submit_self_assessment()").fetchone()[0] > 0


# ------------------------------------------------------------------ plans and guesses


def test_plans_of_sessions_are_the_same_for_a_colleague_and_for_nobody(owner: Engine, viewer: Viewer) -> None:
    with admin(viewer.url) as connection:
        hidden = dict(connection.execute(
            "SELECT id, agent_id FROM coaching_session WHERE agent_id = ANY(%s)", (list(viewer.hidden),)
        ).fetchall())
    assert hidden
    sources = ("coaching_session", "nextcall.coaching_session", "nextcall_scope.coaching_session",
               "nextcall_access.scope_coaching_session()")
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for source in sources:
            for colleague in viewer.hidden:
                for select in ("*", "count(*)", "id"):
                    same(connection, f"SELECT {select} FROM {source} WHERE agent_id = {GUESS}", colleague, nobody_like(colleague))
            for session_id, agent in hidden.items():
                same(connection, f"SELECT * FROM {source} WHERE id = {GUESS}", session_id, nobody_like(session_id))
                same(connection, f"SELECT * FROM {source} WHERE will_do = {GUESS}", WILL_DO[agent], nobody_like(WILL_DO[agent]))
                same(connection, f"SELECT count(*) FROM {source} WHERE notes LIKE {GUESS}", NOTES[agent][:5] + "%", "zzzzz%")
                same(connection, f"SELECT count(*) FROM {source} WHERE id >= {GUESS}", session_id, nobody_like(session_id))
        # What the plan of a login's query shows is a scan of the function's rows: its own, and nothing else.
        own = len(run(connection, "SELECT * FROM nextcall_scope.coaching_session"))
        plan = run(connection, "EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) SELECT * FROM nextcall_scope.coaching_session")
        plan = plan[0][0][0]["Plan"]
        assert (plan["Node Type"], plan["Function Name"], plan["Actual Rows"]) == ("Function Scan", "scope_coaching_session", own)
        assert "Plans" not in plan
        assert own == {"agent": 2, "lead": 4, "elsewhere": 0}[viewer.kind]  # ana's two; ana's and ben's; no one's
    with admin(viewer.url) as connection:
        differs(connection, f"SELECT * FROM nextcall.coaching_session WHERE agent_id = {GUESS}", "dee", "xxx")
        differs(connection, f"SELECT * FROM nextcall.coaching_session WHERE will_do = {GUESS}", WILL_DO["dee"],
                nobody_like(WILL_DO["dee"]))


def test_a_login_given_the_table_by_hand_still_reads_only_its_own(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    ana, lead = grant_agent(owner, "ana", login=names("ana")), grant_lead(owner, "hawks", names("hawks"))
    with admin(pg_url) as connection:
        for login in (ana, lead):
            role = psycopg.sql.Identifier(login)
            connection.execute(psycopg.sql.SQL("GRANT USAGE ON SCHEMA nextcall TO {}").format(role))
            connection.execute(psycopg.sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON nextcall.coaching_session TO {}").format(role))
    before = snapshot(pg_url)
    for login, expected in ((ana, ["ana"]), (lead, [])):
        with attacks.connect(pg_url, login) as connection:
            assert sorted({r[0] for r in connection.execute("SELECT agent_id FROM nextcall.coaching_session").fetchall()}) == expected
            assert run(connection, "UPDATE nextcall.coaching_session SET confirmed_at = now()") == 0
            assert run(connection, "DELETE FROM nextcall.coaching_session") == 0
            assert refused(connection, "INSERT INTO nextcall.coaching_session (id, agent_id, coach, scheduled_at, status)"
                                       " VALUES ('ana-x', 'ana', 'Me', now(), 'scheduled')")["sqlstate"] == "42501"
    assert snapshot(pg_url) == before


# ------------------------------------------------------------------ the migration


def test_revision_0013_goes_back_to_0012_and_up_again(tmp_path: Path, names: Names) -> None:  # noqa: F811
    with scratch_pg_database("") as url:
        engine = make_engine(url)

        try:
            migrate(engine, "0013")
            migrate(engine, "0012", down=True)
            with admin(url) as connection:
                assert connection.execute(
                    "SELECT to_regclass('nextcall_scope.coaching_session'),"
                    " to_regprocedure('nextcall_access.confirm_session(text, text)'),"
                    " to_regprocedure('nextcall_access.writing_lead()')"
                ).fetchone() == (None, None, None)
                assert "coaching_session" not in connection.execute(
                    "SELECT prosrc FROM pg_proc WHERE proname = 'submit_self_assessment'").fetchone()[0]
            migrate(engine, "head")
            assert schema_revision(engine) == head_revision()
            import_files(engine, [f.write_jsonl(tmp_path / "basics.jsonl", [*f.basics(), f.evaluation()])])
            lead = grant_lead(engine, f.team()["id"], names("lead"))
            at = COMING + timedelta(days=1)
            with connect(url, lead) as connection:
                made = connection.execute(
                    "SELECT nextcall_access.add_session(%s, 'a.khan', 'Sam', %s, NULL, NULL, NULL)", (sid("a.khan", at), at)
                ).fetchone()[0]
                assert connection.execute("SELECT id, status FROM coaching_session").fetchall() == [(made, "scheduled")]
        finally:
            engine.dispose()


def test_the_app_reads_and_writes_sessions_through_a_login_as_the_owner_does(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    ana = grant_agent(owner, "ana", login=names("ana"))
    engine = engine_as(pg_url, ana)
    try:
        with Session(engine) as mine, Session(owner) as everything:
            assert sessions_in(mine, "ana") == sessions_in(everything, "ana")
            assert [s.status for s in sessions_in(mine, "ana")] == [SessionStatus.scheduled, SessionStatus.scheduled]
            assert sessions_in(mine, "ben") == []
    finally:
        engine.dispose()


def test_the_app_knows_a_leads_login_and_opens_on_its_team(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    from nextcall.store.privacy import lead_login

    lead = grant_lead(owner, "falcons", names("falcons"))
    ana = grant_agent(owner, "ana", login=names("ana"))
    as_lead, as_agent = engine_as(pg_url, lead), engine_as(pg_url, ana)
    try:
        assert (lead_login(as_lead), lead_login(as_agent), lead_login(owner)) == (True, False, False)
    finally:
        as_lead.dispose()
        as_agent.dispose()
