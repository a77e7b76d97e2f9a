"""An agent talking back to QA on a shared PostgreSQL database, through their own login (migration 0011).

An agent's login marks its own calls seen and disputes their outcomes only
through the database's checked functions; it reads its own acknowledgements
and disputes, a lead's login its team's, and no login writes the tables. The
probes follow tests/store/test_privacy_attacks.py: for a true guess about a
colleague and a false one, a login sees the same rows, the same error (code,
words, context) and the same `EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON)` plan
without its timings; the owner, who reads the rows, tells the two apart.

PostgreSQL only: a SQLite file has no logins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.migrating import migrate
from nextcall.store.db import head_revision, make_engine, schema_revision
from nextcall.store.importer import import_files
from nextcall.store.models import DisputeStatus, Outcome
from nextcall.store.privacy import grant_agent, grant_lead
from nextcall.store.talkback import (
    TalkBackError,
    acknowledge,
    acknowledgement_of,
    dispute_views,
    raise_dispute,
    withdraw_dispute,
)
from tests import factories as f
from tests.conftest import scratch_pg_database
from tests.store import test_privacy_attacks as attacks
from tests.store.test_privacy_attacks import (
    BLANK,
    GUESS,
    Names,
    Viewer,
    absent_like,
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

REASONS = {
    "ana": "I recapped at the very end",
    "ben": "The customer hung up before the close",
    "dee": "The fraud script was read in Lisbon",
    "eli": "Recapped twice, once in Welsh",
}
"""Each agent's reason on their dispute of k9 on their call 11 (dee's on call 20, eli's withdrawn)."""
COMMENTS = {"ana": "ana agrees", "ben": "ben saw it, QA rushed", "dee": "dee disagrees with the auditor"}
"""Each agent's comment on seeing their call 10."""

NOT_YOURS = "there is no call of yours with that id"
NO_OPEN_DISPUTE = "there is no open dispute of yours with that id"
WRITES = ("acknowledge", "raise_dispute", "withdraw_dispute")


# ------------------------------------------------------------------ the store


@pytest.fixture
def owner(pg_url: str, tmp_path: Path) -> Iterator[Engine]:
    """test_privacy_attacks' store, calls seen and disputed by agents of both teams, and another scorecard."""
    engine = build_store(pg_url, tmp_path)
    import_files(engine, [f.write_jsonl(tmp_path / "qa2.jsonl", [
        f.scorecard(id="qa2", name="Another card", criteria=[f.criterion("z1")]),
    ])])
    for agent, comment in COMMENTS.items():
        acknowledge(engine, agent_id=agent, call_id=f"C-{agent}-10", comment=comment)
    for agent, reason in REASONS.items():
        call_id = "C-dee-20" if agent == "dee" else f"C-{agent}-11"
        made = raise_dispute(engine, agent_id=agent, call_id=call_id, criterion_key="k9", reason=reason)
        if agent == "eli":
            withdraw_dispute(engine, agent_id=agent, dispute_id=made)
    yield engine
    engine.dispose()


@pytest.fixture(params=["agent", "lead", "elsewhere"])
def viewer(request: pytest.FixtureRequest, owner: Engine, pg_url: str, names: Names, pg_template: str,  # noqa: F811
           tmp_path: Path) -> Iterator[Viewer]:
    """An agent's login (ana), a lead's (the Falcons'), and one granted in another nextcall database."""
    with made_viewer(request.param, owner, pg_url, names, pg_template, tmp_path) as made:
        yield made


@pytest.fixture(params=["lead", "elsewhere"])
def bystander(request: pytest.FixtureRequest, owner: Engine, pg_url: str, names: Names, pg_template: str,  # noqa: F811
              tmp_path: Path) -> Iterator[Viewer]:
    """A login that writes for no agent of this database."""
    with made_viewer(request.param, owner, pg_url, names, pg_template, tmp_path) as made:
        yield made


def connect(url: str, login: str, search_path: str = "nextcall_scope,pg_catalog") -> psycopg.Connection:
    """A login's connection, searching its scope as the app's does."""
    return attacks.connect(url, login, search_path)


def ids(url: str, query: str, *params: Any) -> dict[Any, Any]:
    with admin(url) as connection:
        return dict(connection.execute(query, params or None).fetchall())


def call_ids(url: str) -> dict[str, int]:
    """Every call's evaluation id, by call id."""
    return ids(url, "SELECT call_id, id FROM evaluation")


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every acknowledgement and dispute, as the owner reads them."""
    with admin(url) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("acknowledgement", "dispute")
        }


def whose(connection: psycopg.Connection, table: str) -> list[str]:
    return sorted(row[0] for row in connection.execute(f"SELECT agent_id FROM nextcall_scope.{table}").fetchall())


def whose_in_store(url: str, table: str) -> list[str]:
    with admin(url) as connection:
        return [row[0] for row in connection.execute(f"SELECT agent_id FROM {table}").fetchall()]


# ------------------------------------------------------------------ an agent's own


def test_an_agent_sees_and_disputes_their_own_call_and_their_lead_reads_it(
    owner: Engine, pg_url: str, names: Names  # noqa: F811
) -> None:
    ana, ben = grant_agent(owner, "ana", login=names("ana")), grant_agent(owner, "ben", login=names("ben"))
    falcons, hawks = grant_lead(owner, "falcons", names("falcons")), grant_lead(owner, "hawks", names("hawks"))
    with admin(pg_url) as connection:
        connection.execute("UPDATE evaluation SET recording_url = 'https://rec.example/' || call_id")
    engine = engine_as(pg_url, ana)
    try:
        acknowledge(engine, agent_id="ana", call_id="C-ana-13", comment="  fair enough  ")
        made = raise_dispute(engine, agent_id="ana", call_id="C-ana-13", criterion_key="k9",
                             reason="I recapped", proposed=Outcome.met)
        with Session(engine) as session:
            seen = acknowledgement_of(session, call_ids(pg_url)["C-ana-13"])
            assert seen is not None and (seen.comment, seen.current) == ("fair enough", True)
            [mine] = [d for d in dispute_views(session, open_only=True) if d.id == made]
            assert (mine.id, mine.call_id, mine.agent_id, mine.reason) == (made, "C-ana-13", "ana", "I recapped")
            assert (mine.proposed_outcome, mine.scored_outcome, mine.status) == (Outcome.met, Outcome.missed, DisputeStatus.open)
            # Everything the app reads of them is the agent's own, whoever else disputed.
            assert {d.agent_id for d in dispute_views(session)} == {"ana"}
    finally:
        engine.dispose()
    with admin(pg_url) as connection:
        ack = connection.execute(
            "SELECT a.agent_id, a.comment, a.current, now() - a.seen_at < interval '1 minute' FROM acknowledgement"
            " a JOIN evaluation e ON e.id = a.evaluation_id WHERE e.call_id = 'C-ana-13'"
        ).fetchone()
        dispute = connection.execute(
            "SELECT agent_id, reason, proposed_outcome, scored_outcome, status, now() - raised_at < interval '1 minute',"
            " closed_at FROM dispute WHERE id = %s", (made,)
        ).fetchone()
    assert ack == ("ana", "fair enough", True, True)
    assert dispute == ("ana", "I recapped", "met", "missed", "open", True, None)

    # Read by her, by her lead; by no colleague and no other team's lead.
    for login, expected in ((ana, {"ana"}), (falcons, {"ana", "ben"}), (ben, {"ben"}), (hawks, {"dee", "eli"})):
        with connect(pg_url, login) as connection:
            for table in ("acknowledgement", "dispute"):
                assert set(whose(connection, table)) == expected & set(whose_in_store(pg_url, table)), (login, table)
            has_it = connection.execute("SELECT count(*) FROM nextcall_scope.dispute WHERE id = %s", (made,)).fetchone()
            assert has_it == ((1,) if login in (ana, falcons) else (0,)), login
            # The recording is on the calls each login reads, and on no others.
            recordings = connection.execute("SELECT call_id, recording_url FROM nextcall_scope.evaluation").fetchall()
            assert recordings and all(url == f"https://rec.example/{call}" for call, url in recordings)
            assert {call.split("-")[1] for call, _ in recordings} <= expected | {"cy", "fay", "gus"}

    engine = engine_as(pg_url, ana)
    try:
        withdraw_dispute(engine, agent_id="ana", dispute_id=made)
        with pytest.raises(TalkBackError, match="No open dispute of yours to withdraw"):
            withdraw_dispute(engine, agent_id="ana", dispute_id=made)
    finally:
        engine.dispose()
    with admin(pg_url) as connection:
        assert connection.execute(
            "SELECT status, now() - closed_at < interval '1 minute' FROM dispute WHERE id = %s", (made,)
        ).fetchone() == ("withdrawn", True)


def test_seeing_again_replaces_the_comment_and_sees_a_rescore_and_a_blank_comment_is_none(
    owner: Engine, pg_url: str, names: Names  # noqa: F811
) -> None:
    login = grant_agent(owner, "ana", login=names("ana"))
    call = call_ids(pg_url)["C-ana-10"]
    with admin(pg_url) as connection:
        connection.execute("UPDATE acknowledgement SET current = false, seen_at = seen_at - interval '3 days'")
    with connect(pg_url, login) as connection:
        for blank in (*BLANK, None):
            with connection.transaction():
                assert connection.execute("SELECT nextcall_access.acknowledge(%s, %s)", (call, blank)).fetchone() == (call,)
                assert connection.execute(
                    "SELECT agent_id, comment, current, seen_at = now() FROM acknowledgement WHERE evaluation_id = %s",
                    (call,),
                ).fetchone() == ("ana", None, True, True), repr(blank)
        connection.execute("SELECT nextcall_access.acknowledge(%s, %s)", (call, "on second thoughts, fair"))
        assert connection.execute("SELECT comment FROM acknowledgement").fetchall() == [("on second thoughts, fair",)]
    with admin(pg_url) as connection:
        # Colleagues' acknowledgements are as they were.
        assert connection.execute(
            "SELECT agent_id, current FROM acknowledgement WHERE agent_id <> 'ana' ORDER BY 1"
        ).fetchall() == [("ben", False), ("dee", False)]


def test_the_database_checks_every_dispute_itself(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    login = grant_agent(owner, "ana", login=names("ana"))
    calls = call_ids(pg_url)
    criteria = ids(pg_url, "SELECT key, id FROM criterion")
    call, open_call = calls["C-ana-10"], calls["C-ana-11"]  # k9 missed on both; ana disputes it on call 11
    with admin(pg_url) as connection:
        # A behaviour the evaluation does not name did not apply: scored na.
        connection.execute("DELETE FROM criterion_result WHERE evaluation_id = %s AND criterion_id = %s", (call, criteria["k5"]))
    before = snapshot(pg_url)
    raising = "SELECT nextcall_access.raise_dispute(%s, %s, %s, %s)"

    def refusal(*args: Any) -> tuple[str, str]:
        error = refused(connection, raising, *args)
        return error["sqlstate"], error["message"]

    with connect(pg_url, login) as connection:
        behaviour = ("22023", "a dispute is on a behaviour of the call's scorecard")
        assert refusal(call, criteria["z1"], "why", None) == behaviour  # another scorecard's
        assert refusal(call, -1, "why", None) == behaviour
        assert refusal(call, None, "why", None) == behaviour
        for blank in (*BLANK, None):
            assert refusal(call, criteria["k9"], blank, None) == ("23514", "say why you see it differently: a reason has words")
        for outcome in ("bogus", "MET", "", "met "):
            assert refusal(call, criteria["k9"], "why", outcome) == ("22023", "an outcome proposed is met, missed or na")
        assert refusal(call, criteria["k9"], "why", "missed") == ("23514", "it was scored missed: propose another outcome, or none")
        assert refusal(call, criteria["k0"], "why", "met") == ("23514", "it was scored met: propose another outcome, or none")
        assert refusal(call, criteria["k5"], "why", "na") == ("23514", "it was scored na: propose another outcome, or none")
        one_open = ("23505", "there is already an open dispute on this behaviour of this call")
        assert refusal(open_call, criteria["k9"], "another go", None) == one_open
        assert snapshot(pg_url) == before

        with connection.transaction():
            made = connection.execute(raising, (call, criteria["k5"], "It was asked", "met")).fetchone()[0]
            assert connection.execute(
                "SELECT evaluation_id, criterion_id, agent_id, reason, proposed_outcome, scored_outcome, status,"
                " raised_at = now(), closed_at, decided_outcome, note FROM dispute WHERE id = %s", (made,)
            ).fetchone() == (call, criteria["k5"], "ana", "It was asked", "met", "na", "open", True, None, None, None)
        assert refusal(call, criteria["k5"], "again", None) == one_open
        # Withdrawn, it may be raised again; a withdrawn one is not withdrawn twice.
        with connection.transaction():
            assert connection.execute("SELECT nextcall_access.withdraw_dispute(%s)", (made,)).fetchone() == (made,)
            assert connection.execute(
                "SELECT status, closed_at = now() FROM dispute WHERE id = %s", (made,)
            ).fetchone() == ("withdrawn", True)
        error = refused(connection, "SELECT nextcall_access.withdraw_dispute(%s)", made)
        assert (error["sqlstate"], error["message"]) == ("P0002", NO_OPEN_DISPUTE)
        again = connection.execute(raising, (call, criteria["k5"], "Asked again", None)).fetchone()[0]
        assert again != made
    # Through the app, the same checks come first in the agent's own words.
    engine = engine_as(pg_url, login)
    try:
        with pytest.raises(TalkBackError, match="It was scored missed: propose another outcome, or none"):
            raise_dispute(engine, agent_id="ana", call_id="C-ana-10", criterion_key="k9", reason="x", proposed=Outcome.missed)
        with pytest.raises(TalkBackError, match="No behaviour z1 on this call's scorecard"):
            raise_dispute(engine, agent_id="ana", call_id="C-ana-10", criterion_key="z1", reason="x")
        with pytest.raises(TalkBackError, match="You already have an open dispute"):
            raise_dispute(engine, agent_id="ana", call_id="C-ana-11", criterion_key="k9", reason="x")
    finally:
        engine.dispose()


# ------------------------------------------------------------------ another agent's


def test_another_agents_call_or_dispute_is_refused_exactly_as_one_nobody_has(
    owner: Engine, pg_url: str, names: Names  # noqa: F811
) -> None:
    login = grant_agent(owner, "ana", login=names("ana"))
    calls = call_ids(pg_url)
    used_calls = set(calls.values())
    disputes = ids(pg_url, "SELECT id, agent_id FROM dispute")
    used_disputes = set(disputes)
    k9 = ids(pg_url, "SELECT key, id FROM criterion")["k9"]
    hidden_calls = [calls[c] for c in ("C-ben-10", "C-ben-12", "C-cy-10", "C-dee-20", "C-eli-11", "C-fay-10")]
    # Colleagues' disputes (ben's and dee's open, eli's withdrawn) and ana's own, once withdrawn.
    own = next(d for d, agent in disputes.items() if agent == "ana")
    with admin(pg_url) as connection:
        connection.execute("UPDATE dispute SET status = 'withdrawn', closed_at = now() WHERE id = %s", (own,))
    hidden_disputes = [d for d, agent in disputes.items() if agent != "ana"] + [own]
    before = snapshot(pg_url)
    # Each id goes in as text, so that what is masked in the output is the guess, never a line number that equals it.
    probes = {
        "acknowledge": f"SELECT nextcall_access.acknowledge({GUESS}::integer, 'fair')",
        "raise_dispute": f"SELECT nextcall_access.raise_dispute({GUESS}::integer, {k9}, 'I see it differently', 'met')",
        "blank reason": f"SELECT nextcall_access.raise_dispute({GUESS}::integer, {k9}, ' ', 'bogus')",
        "another scorecard": f"SELECT nextcall_access.raise_dispute({GUESS}::integer, -1, 'why', NULL)",
    }
    with connect(pg_url, login) as connection:
        for call in hidden_calls:
            for probe in probes.values():
                shown = same(connection, probe, str(call), str(absent_like(call, used_calls)))
                error = shown["result"]["error"]
                assert (error["sqlstate"], error["message"], error["detail"], error["hint"]) == ("P0002", NOT_YOURS, None, None)
        for dispute in hidden_disputes:
            shown = same(connection, f"SELECT nextcall_access.withdraw_dispute({GUESS}::integer)", str(dispute),
                         str(absent_like(dispute, used_disputes)))
            assert (shown["result"]["error"]["sqlstate"], shown["result"]["error"]["message"]) == ("P0002", NO_OPEN_DISPUTE)
        # The refusal's words are one, whichever call: not even a context line tells where it was raised.
        errors = {repr(refused(connection, probes["acknowledge"].replace(GUESS, literal(str(call)))))
                  for call in [*hidden_calls, -1, 10**9, 0]}
        assert len(errors) == 1
    assert snapshot(pg_url) == before
    with admin(pg_url) as connection:
        for template in ("SELECT * FROM dispute WHERE evaluation_id = $GUESS", "SELECT * FROM acknowledgement WHERE evaluation_id = $GUESS"):
            differs(connection, template, calls["C-ben-10"] if "ack" in template else calls["C-ben-11"],
                    absent_like(calls["C-ben-10"], used_calls))
    # Through the app: a colleague's call is no call of ana's, in the words a made-up one gets.
    engine = engine_as(pg_url, login)
    try:
        said = []
        for call_id in ("C-ben-10", "C-xyz-10"):
            with pytest.raises(TalkBackError) as caught:
                acknowledge(engine, agent_id="ana", call_id=call_id)
            said.append(str(caught.value).replace(call_id, "<CALL>"))
            with pytest.raises(TalkBackError) as caught:
                raise_dispute(engine, agent_id="ben", call_id=call_id, criterion_key="k9", reason="why")
            said.append(str(caught.value).replace(call_id, "<CALL>"))
        assert said[:2] == said[2:]
        for dispute in hidden_disputes:
            with pytest.raises(TalkBackError, match="No open dispute of yours to withdraw"):
                withdraw_dispute(engine, agent_id="ana", dispute_id=dispute)
    finally:
        engine.dispose()
    assert snapshot(pg_url) == before


def test_a_colleagues_row_held_by_an_import_holds_up_no_refusal(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    login = grant_agent(owner, "ana", login=names("ana"))
    calls = call_ids(pg_url)
    bens_dispute = next(d for d, agent in ids(pg_url, "SELECT id, agent_id FROM dispute").items() if agent == "ben")
    k9 = ids(pg_url, "SELECT key, id FROM criterion")["k9"]
    with psycopg.connect(pg_url.replace("+psycopg", ""), options="-c search_path=nextcall,pg_catalog") as holder:
        # An import in the middle of re-scoring ben's call: his evaluation, acknowledgement and dispute locked.
        holder.execute("UPDATE evaluation SET score = score WHERE call_id IN ('C-ben-10', 'C-ben-11')")
        holder.execute("UPDATE acknowledgement SET current = false WHERE agent_id = 'ben'")
        holder.execute("UPDATE dispute SET note = note WHERE agent_id = 'ben'")
        with connect(pg_url, login) as connection:
            connection.execute("SET lock_timeout = '2s'")
            for statement in (
                f"SELECT nextcall_access.acknowledge({calls['C-ben-10']}, 'x')",
                f"SELECT nextcall_access.raise_dispute({calls['C-ben-11']}, {k9}, 'why', NULL)",
                f"SELECT nextcall_access.withdraw_dispute({bens_dispute})",
            ):
                assert refused(connection, statement)["sqlstate"] == "P0002", statement
        holder.rollback()


# ------------------------------------------------------------------ nothing written but through the functions


def test_no_login_writes_acknowledgements_or_disputes_but_through_the_functions(
    owner: Engine, viewer: Viewer
) -> None:
    calls = call_ids(viewer.url)
    k9 = ids(viewer.url, "SELECT key, id FROM criterion")["k9"]
    before = snapshot(viewer.url)
    own_call = calls["C-ana-12"]
    statements = []
    for table in ("acknowledgement", "nextcall_scope.acknowledgement", "nextcall.acknowledgement"):
        statements += [
            f"INSERT INTO {table} (evaluation_id, agent_id, seen_at, comment) VALUES ({own_call}, 'ana', now(), 'x')",
            f"INSERT INTO {table} (evaluation_id, agent_id, seen_at) VALUES ({calls['C-ben-12']}, 'ben', now())",
            f"UPDATE {table} SET current = true, seen_at = now() WHERE agent_id = 'ana'",
            f"UPDATE {table} SET comment = 'x' WHERE agent_id <> 'ana'",
            f"DELETE FROM {table}",
        ]
    for table in ("dispute", "nextcall_scope.dispute", "nextcall.dispute"):
        statements += [
            f"INSERT INTO {table} (evaluation_id, criterion_id, agent_id, reason, scored_outcome, raised_at, status)"
            f" VALUES ({own_call}, {k9}, 'ana', 'x', 'met', now() - interval '9 days', 'open')",
            # Deciding one's own dispute is QA's.
            f"UPDATE {table} SET status = 'changed', decided_outcome = 'met', closed_at = now() WHERE agent_id = 'ana'",
            f"UPDATE {table} SET raised_at = raised_at - interval '1 day'",
            f"DELETE FROM {table} WHERE agent_id <> 'ana'",
        ]
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for statement in statements:
            assert refused(connection, statement)["sqlstate"] in ("42501", "55000"), statement
        if viewer.kind == "agent":
            # Ana's own are hers to read, through the scope only.
            assert whose(connection, "dispute") == ["ana"] and whose(connection, "acknowledgement") == ["ana"]
        else:
            # A lead's login and one of another database write for no agent here, whatever they ask.
            for write in (
                f"SELECT nextcall_access.acknowledge({own_call}, 'x')",
                f"SELECT nextcall_access.raise_dispute({own_call}, {k9}, 'why', NULL)",
                "SELECT nextcall_access.withdraw_dispute(1)",
            ):
                assert refused(connection, write)["sqlstate"] == "42501", write
    assert snapshot(viewer.url) == before


def test_leads_may_not_call_the_writing_functions_at_all(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    lead = grant_lead(owner, "falcons", names("lead"))
    with admin(pg_url) as connection:
        for write in WRITES:
            granted = connection.execute(
                "SELECT has_function_privilege('nextcall_lead', p.oid, 'EXECUTE'),"
                " has_function_privilege('nextcall_agent', p.oid, 'EXECUTE'),"
                " has_function_privilege('public', p.oid, 'EXECUTE')"
                " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = 'nextcall_access' AND p.proname = %s", (write,),
            ).fetchone()
            assert granted == (False, True, False), write
            assert connection.execute(
                "SELECT p.prosecdef, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = 'nextcall_access' AND p.proname = %s", (write,),
            ).fetchone() == (True, ["search_path=pg_catalog, pg_temp"]), write
    with connect(pg_url, lead) as connection:
        error = refused(connection, "SELECT nextcall_access.acknowledge(1, 'x')")
        assert (error["sqlstate"], error["message"]) == ("42501", "permission denied for function acknowledge")
    engine = engine_as(pg_url, lead)
    try:
        with pytest.raises(TalkBackError, match="The team's database refused it"):
            acknowledge(engine, agent_id="ben", call_id="C-ben-12")
    finally:
        engine.dispose()


# ------------------------------------------------------------------ plans and guesses


def test_plans_of_acknowledgements_and_disputes_are_the_same_for_a_colleague_and_for_nobody(
    owner: Engine, viewer: Viewer
) -> None:
    calls = call_ids(viewer.url)
    used_calls = set(calls.values())
    disputes = ids(viewer.url, "SELECT id, agent_id FROM dispute")
    disputed_calls = ids(viewer.url, "SELECT evaluation_id, agent_id FROM dispute")
    seen_calls = ids(viewer.url, "SELECT evaluation_id, agent_id FROM acknowledgement")
    sources = ("{table}", "nextcall.{table}", "nextcall_scope.{table}", "nextcall_access.scope_{table}()")
    with viewer.connect("nextcall_scope,pg_catalog") as connection:
        for table in ("acknowledgement", "dispute"):
            for source in sources:
                source = source.format(table=table)
                for colleague in viewer.hidden:
                    for select in ("*", "count(*)", "evaluation_id"):
                        same(connection, f"SELECT {select} FROM {source} WHERE agent_id = {GUESS}", colleague, nobody_like(colleague))
                for call, agent in (seen_calls if table == "acknowledgement" else disputed_calls).items():
                    if agent in viewer.hidden and call >= 10:  # an id nobody has, as long, exists
                        same(connection, f"SELECT * FROM {source} WHERE evaluation_id = {GUESS}", call, absent_like(call, used_calls))
                if table == "dispute":
                    for dispute, agent in disputes.items():
                        if agent in viewer.hidden:
                            same(connection, f"SELECT * FROM {source} WHERE id = {GUESS}", dispute, absent_like(dispute, set(disputes)))
                    for agent, reason in REASONS.items():
                        if agent in viewer.hidden:
                            same(connection, f"SELECT count(*) FROM {source} WHERE reason = {GUESS}", reason, nobody_like(reason))
                            same(connection, f"SELECT * FROM {source} WHERE reason LIKE {GUESS}", reason[:5] + "%", "zzzzz%")
                else:
                    for agent, comment in COMMENTS.items():
                        if agent in viewer.hidden:
                            same(connection, f"SELECT count(*) FROM {source} WHERE comment = {GUESS}", comment, nobody_like(comment))
        # What the plan of a login's query shows is a scan of the function's rows: its own, and nothing else.
        own = len(run(connection, "SELECT * FROM nextcall_scope.dispute"))
        plan = run(connection, "EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) SELECT * FROM nextcall_scope.dispute")[0][0][0]["Plan"]
        assert (plan["Node Type"], plan["Function Name"], plan["Actual Rows"]) == ("Function Scan", "scope_dispute", own)
        assert "Plans" not in plan
        expected = {"agent": 1, "lead": 2, "elsewhere": 0}[viewer.kind]  # ana's; ana's and ben's; no one's
        assert own == expected
    with admin(viewer.url) as connection:
        for table in ("acknowledgement", "dispute"):
            differs(connection, f"SELECT * FROM nextcall.{table} WHERE agent_id = {GUESS}", "ben", "xxx")
        differs(connection, f"SELECT count(*) FROM nextcall.dispute WHERE reason = {GUESS}", REASONS["dee"], nobody_like(REASONS["dee"]))
        differs(connection, f"SELECT count(*) FROM nextcall.acknowledgement WHERE comment = {GUESS}", COMMENTS["dee"], nobody_like(COMMENTS["dee"]))


def test_a_login_given_the_tables_by_hand_still_reads_only_its_own(owner: Engine, pg_url: str, names: Names) -> None:  # noqa: F811
    ana, lead = grant_agent(owner, "ana", login=names("ana")), grant_lead(owner, "hawks", names("hawks"))
    with admin(pg_url) as connection:
        for login in (ana, lead):
            role = psycopg.sql.Identifier(login)
            connection.execute(psycopg.sql.SQL("GRANT USAGE ON SCHEMA nextcall TO {}").format(role))
            connection.execute(psycopg.sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON nextcall.acknowledgement, nextcall.dispute TO {}"
            ).format(role))
    before = snapshot(pg_url)
    # An agent's login reads its own there; a lead's reads through its scope only.
    for login, expected in ((ana, ["ana"]), (lead, [])):
        with connect(pg_url, login) as connection:
            assert sorted({row[0] for row in connection.execute("SELECT agent_id FROM nextcall.dispute").fetchall()}) == expected
            assert connection.execute("SELECT count(*) FROM nextcall.acknowledgement WHERE agent_id = 'ben'").fetchone() == (0,)
            assert run(connection, "UPDATE nextcall.dispute SET note = 'x'") == 0
            assert run(connection, "DELETE FROM nextcall.acknowledgement") == 0
            error = refused(connection, "INSERT INTO nextcall.acknowledgement (evaluation_id, agent_id, seen_at)"
                                        " SELECT 1, 'ana', now()")
            assert error["sqlstate"] == "42501"
    assert snapshot(pg_url) == before


# ------------------------------------------------------------------ the migration


def test_revision_0011_goes_back_to_0009_and_up_again(tmp_path: Path, names: Names) -> None:  # noqa: F811
    with scratch_pg_database("") as url:
        engine = make_engine(url)

        try:
            migrate(engine, "0011")
            migrate(engine, "0009", down=True)
            with admin(url) as connection:
                assert connection.execute(
                    "SELECT to_regclass('nextcall_scope.dispute'), to_regprocedure('nextcall_access.acknowledge(integer, text)')"
                ).fetchone() == (None, None)
            migrate(engine, "0011")
            migrate(engine, "head")
            assert schema_revision(engine) == head_revision()
            import_files(engine, [f.write_jsonl(tmp_path / f"{uuid.uuid4().hex[:6]}.jsonl", [
                *f.basics(), f.evaluation(), f.agent(id="b.lee", name="B. Lee"),
                f.evaluation(call_id="C-2", agent="b.lee"),
            ])])
            login = grant_agent(engine, "a.khan", login=names("khan"))
            acknowledge(engine, agent_id="b.lee", call_id="C-2", comment="seen")
            with connect(url, login) as connection:
                columns = [c.name for c in connection.execute("SELECT * FROM nextcall_scope.evaluation").description or []]
                assert "recording_url" in columns
                assert connection.execute("SELECT nextcall_access.acknowledge(e.id, 'ok') FROM evaluation e").fetchall()
                assert whose(connection, "acknowledgement") == ["a.khan"]
        finally:
            engine.dispose()
