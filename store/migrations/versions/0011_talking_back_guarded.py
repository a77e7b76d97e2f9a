"""The agent talks back to QA on a shared database: through guarded functions, like everything else.

Revision 0010 added recordings, acknowledgements and disputes; on PostgreSQL
agents' and leads' logins read nothing but their scope (revision 0006), so:

- every view in `nextcall_scope` is made again over its function: a view's
  `*` was expanded when it was made, so `nextcall_scope.evaluation` lacked
  `recording_url` (a new column comes last, so the views are replaced in place);
- `acknowledgement` and `dispute` are personal: an agent's login reads its
  own, a lead's its team's, through views of the same names, and no login
  holds a privilege on the tables (row-level security guards them too, for
  logins given privileges by hand: an agent's reads its own rows there, a
  lead's none, and neither writes);
- an agent's login writes them only through functions that check each change:
  `acknowledge` marks one of the agent's own calls seen now (a comment with no
  words is none); `raise_dispute` is on one of the agent's own calls, on a
  behaviour of its scorecard, with a reason in words and, if any, a proposed
  outcome other than the one the database holds, made now and open, one open
  per behaviour per call; `withdraw_dispute` withdraws one of the agent's own
  open disputes now. Another agent's call (or dispute) is refused in the words
  and with the code of one that does not exist. A lead's login writes nothing.

On SQLite this revision does nothing: a SQLite file has no logins.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

HOME = "nextcall"
SCOPE = "nextcall_scope"
ACCESS = "nextcall_access"
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

SCOPED = (
    "team", "scorecard", "criterion", "agent", "evaluation", "criterion_result",
    "goal", "self_assessment", "badge_award", "points_entry", "alembic_version",
)
"""The views revision 0006 made, each `SELECT *` of its function."""

TALKING_BACK = ("acknowledgement", "dispute")
"""Rows of one agent, by `agent_id`: an agent reads their own, a lead their team's."""

BLANK = (
    (0x01, 0x20), (0x7F, 0xA0), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)
"""store.rules.BLANK when this revision was made: characters that are not words, whatever the server's locale."""

WORDS = "[^" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in BLANK) + "]"
"""A regular expression that finds a character that is not blank: one there means the text has words."""

OUTCOMES = ("met", "missed", "na")

NOT_YOURS = "there is no call of yours with that id"
"""The one refusal for another agent's call and for no call at all: a login learns nothing of which ids exist."""

NO_OPEN_DISPUTE = "there is no open dispute of yours with that id"


def _refuse(message: str, code: str) -> str:
    """Raise `message`, a SQL text expression, as an error of `code`."""
    return f"RAISE EXCEPTION '%', {message} USING ERRCODE = '{code}'"


def _reads() -> list[str]:
    statements = [
        # A view's * is expanded when it is made: made again, each has its table's columns as they are now.
        *(f"CREATE OR REPLACE VIEW {SCOPE}.{table} AS SELECT * FROM {ACCESS}.scope_{table}()" for table in SCOPED),
    ]
    for table in TALKING_BACK:
        statements += [
            f"""CREATE FUNCTION {ACCESS}.scope_{table}() RETURNS SETOF {HOME}.{table} LANGUAGE sql STABLE {DEFINER} AS $$
                SELECT t.* FROM {HOME}.{table} t WHERE t.agent_id = ANY ({ACCESS}.scope_agents())
            $$""",
            f"CREATE VIEW {SCOPE}.{table} AS SELECT * FROM {ACCESS}.scope_{table}()",
        ]
    return statements


def _row_security() -> list[str]:
    """Revision 0004's policies on the new personal tables, for roles given table privileges by hand.

    An agent's login given them reads its own rows and writes none; a lead's reads none (revision
    0004's team policy reads `agent`, which no login may read any more): leads read through the scope."""
    own = f"(SELECT {ACCESS}.own_agent())"
    unrestricted = f"NOT (SELECT {ACCESS}.restricted())"
    statements = []
    for table in TALKING_BACK:
        statements += [
            f"ALTER TABLE {HOME}.{table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY nextcall_unrestricted ON {HOME}.{table} USING ({unrestricted}) WITH CHECK ({unrestricted})",
            f"CREATE POLICY nextcall_own ON {HOME}.{table} FOR SELECT USING (agent_id = {own})",
        ]
    return statements


def _writes() -> list[str]:
    """What an agent's login may change of what it says back, each checked here."""
    outcomes = ", ".join(f"'{outcome}'" for outcome in OUTCOMES)
    # One refusal, raised from one place, for a call that is someone else's and one that is not there:
    # the same words, code and line, so that not even the error's context tells them apart.
    own_call = f"""SELECT e.id, e.scorecard_id INTO called FROM {HOME}.evaluation e
                WHERE e.id = p_evaluation AND e.agent_id = me;
                IF NOT FOUND THEN
                    {_refuse(f"'{NOT_YOURS}'", "no_data_found")};
                END IF;"""
    return [
        # Seen now; seeing again replaces the comment, and a re-score since is seen too.
        f"""CREATE FUNCTION {ACCESS}.acknowledge(p_evaluation integer, p_comment text)
            RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                called record;
                said text := CASE WHEN p_comment ~ '{WORDS}' THEN p_comment END;
            BEGIN
                {own_call}
                INSERT INTO {HOME}.acknowledgement AS a (evaluation_id, agent_id, seen_at, comment, current)
                VALUES (called.id, me, now(), said, true)
                ON CONFLICT (evaluation_id) DO UPDATE
                    SET agent_id = excluded.agent_id, seen_at = excluded.seen_at, comment = excluded.comment,
                        current = true;
                RETURN called.id;
            END
        $$""",
        # The outcome as scored is the database's (a behaviour the evaluation does not name did not
        # apply: store.talkback.scored_outcome), never the caller's.
        f"""CREATE FUNCTION {ACCESS}.raise_dispute(p_evaluation integer, p_criterion integer, p_reason text, p_proposed text)
            RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                called record;
                scored text;
                made integer;
            BEGIN
                {own_call}
                IF NOT EXISTS (
                    SELECT 1 FROM {HOME}.criterion c WHERE c.id = p_criterion AND c.scorecard_id = called.scorecard_id
                ) THEN
                    {_refuse("'a dispute is on a behaviour of the call''s scorecard'", "invalid_parameter_value")};
                END IF;
                IF p_reason IS NULL OR p_reason !~ '{WORDS}' THEN
                    {_refuse("'say why you see it differently: a reason has words'", "check_violation")};
                END IF;
                IF p_proposed IS NOT NULL AND p_proposed NOT IN ({outcomes}) THEN
                    {_refuse("'an outcome proposed is met, missed or na'", "invalid_parameter_value")};
                END IF;
                SELECT coalesce((
                    SELECT r.outcome::text FROM {HOME}.criterion_result r
                    WHERE r.evaluation_id = called.id AND r.criterion_id = p_criterion LIMIT 1
                ), 'na') INTO scored;
                IF p_proposed = scored THEN
                    {_refuse("format('it was scored %s: propose another outcome, or none', scored)", "check_violation")};
                END IF;
                IF EXISTS (
                    SELECT 1 FROM {HOME}.dispute d
                    WHERE d.evaluation_id = called.id AND d.criterion_id = p_criterion AND d.status = 'open'
                ) THEN
                    {_refuse("'there is already an open dispute on this behaviour of this call'", "unique_violation")};
                END IF;
                INSERT INTO {HOME}.dispute (evaluation_id, criterion_id, agent_id, reason, proposed_outcome,
                                            scored_outcome, raised_at, status)
                VALUES (called.id, p_criterion, me, p_reason, p_proposed, scored, now(), 'open')
                RETURNING id INTO made;
                RETURN made;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.withdraw_dispute(p_dispute integer)
            RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                withdrawn integer;
            BEGIN
                UPDATE {HOME}.dispute d SET status = 'withdrawn', closed_at = now()
                WHERE d.id = p_dispute AND d.agent_id = me AND d.status = 'open'
                RETURNING d.id INTO withdrawn;
                IF withdrawn IS NULL THEN
                    {_refuse(f"'{NO_OPEN_DISPUTE}'", "no_data_found")};
                END IF;
                RETURN withdrawn;
            END
        $$""",
    ]


READERS = (
    *(f"scope_{table}()" for table in (*SCOPED, *TALKING_BACK)),
    "scope_agents()", "mapped()", "team_prior(text, text)",
    "board_settings()", "board_window(text, text)", "board_agents(text, text)",
    "board_scores(text, text, text)", "board_points(text, text, text)", "board_goal_gains(text, text, text)",
    "board_team_sizes()",
)
"""What every agent's and lead's login may call (revision 0006's, and the new scopes)."""

NEW_WRITERS = ("acknowledge(integer, text)", "raise_dispute(integer, integer, text, text)", "withdraw_dispute(integer)")

WRITERS = (
    "writing_agent()", "start_goal(integer, integer, integer)", "end_goal(text, timestamptz, text)",
    "save_draft(date, text, text, text, json)", "submit_self_assessment()", "set_opt_out(boolean)",
    *NEW_WRITERS,
)
"""What an agent's login may call to change its own rows; a lead's login calls none."""


def _ensure_groups(readers_of: tuple[str, ...] = READERS, writers_of: tuple[str, ...] = WRITERS) -> str:
    """Revision 0006's group roles and grants, with the new scopes and writes.

    Run again by every grant (store.privacy), so a server whose migrating role
    could not create roles gets them, and these, later."""
    readers = ", ".join(f"{ACCESS}.{f}" for f in readers_of)
    writers = ", ".join(f"{ACCESS}.{f}" for f in writers_of)
    return f"""CREATE OR REPLACE FUNCTION {ACCESS}.ensure_groups() RETURNS boolean
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            grp text;
        BEGIN
            FOREACH grp IN ARRAY ARRAY['nextcall_agent', 'nextcall_lead'] LOOP
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
                    IF NOT EXISTS (
                        SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)
                    ) THEN
                        RETURN false;
                    END IF;
                    BEGIN
                        EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN
                        NULL;  -- roles are shared by the server's databases: another one made it just now
                    END;
                END IF;
                IF NOT has_database_privilege(grp, current_database(), 'CONNECT') THEN
                    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), grp);
                END IF;
                EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA {HOME} FROM %I', grp);
                EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA {HOME} FROM %I', grp);
                EXECUTE format('REVOKE ALL ON SCHEMA {HOME} FROM %I', grp);
                EXECUTE format('GRANT USAGE ON SCHEMA {SCOPE}, {ACCESS} TO %I', grp);
                EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA {SCOPE} TO %I', grp);
                EXECUTE format('GRANT EXECUTE ON FUNCTION {readers} TO %I', grp);
            END LOOP;
            GRANT EXECUTE ON FUNCTION {writers} TO nextcall_agent;
            RETURN true;
        END
    $$"""


NEW_FUNCTIONS = ", ".join(f"{ACCESS}.{f}" for f in (*(f"scope_{table}()" for table in TALKING_BACK), *NEW_WRITERS))

GROUPS_ENSURED = f"""DO $$ BEGIN
    PERFORM {ACCESS}.ensure_groups();
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'nextcall: agent logins need a role that may grant; run nextcall admin grant as the owner';
END $$"""


def _run(statements: list[str]) -> None:
    bind = op.get_bind()
    for statement in statements:
        # Without parameters, so the % and : in function bodies are not taken for placeholders.
        bind.exec_driver_sql(statement, execution_options={"no_parameters": True})


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run([
        *_reads(),
        *_row_security(),
        *_writes(),
        # Whoever runs this, nothing new is anyone's to call until the groups are granted it.
        f"REVOKE ALL ON FUNCTION {NEW_FUNCTIONS} FROM PUBLIC",
        _ensure_groups(),
        GROUPS_ENSURED,
    ])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The evaluation view as revision 0010 had it, so that its downgrade can drop the recording's column.
    columns = ", ".join(bind.exec_driver_sql(
        "SELECT pg_catalog.quote_ident(attname) FROM pg_catalog.pg_attribute"
        f" WHERE attrelid = '{HOME}.evaluation'::regclass AND attnum > 0 AND NOT attisdropped"
        " AND attname <> 'recording_url' ORDER BY attnum"
    ).scalars())
    statements = [f"DROP FUNCTION {ACCESS}.{f}" for f in NEW_WRITERS]
    for table in TALKING_BACK:
        statements += [
            f"DROP VIEW {SCOPE}.{table}",
            f"DROP FUNCTION {ACCESS}.scope_{table}()",
            *(f"DROP POLICY {policy} ON {HOME}.{table}" for policy in ("nextcall_unrestricted", "nextcall_own")),
            f"ALTER TABLE {HOME}.{table} DISABLE ROW LEVEL SECURITY",
        ]
    statements += [
        f"DROP VIEW {SCOPE}.evaluation",
        f"CREATE VIEW {SCOPE}.evaluation AS SELECT {columns} FROM {ACCESS}.scope_evaluation()",
        _ensure_groups(
            tuple(f for f in READERS if f not in {f"scope_{table}()" for table in TALKING_BACK}),
            tuple(f for f in WRITERS if f not in NEW_WRITERS),
        ),
        GROUPS_ENSURED,
    ]
    _run(statements)
