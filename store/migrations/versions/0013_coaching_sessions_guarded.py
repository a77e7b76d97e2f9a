"""Coaching sessions on a shared database: through guarded functions, like everything else.

Revision 0012 added `coaching_session`; on PostgreSQL agents' and leads'
logins read nothing but their scope (revision 0006), so:

- `coaching_session` is personal: an agent's login reads its own sessions, a
  lead's its team's, through a view of the same name in `nextcall_scope`, and
  no login holds a privilege on the table (row-level security guards it too,
  for logins given privileges by hand: an agent's reads its own rows there, a
  lead's none, and neither writes);
- a lead's login writes for the first time, only through functions that check
  each change, one write of the lead's at a time on its own login's row
  (`writing_lead`): `add_session` plans a session of an agent of its own team,
  ahead of now, with a coach who has a name, under the id `nextcall session
  add` makes of the agent's id and the time; `move_session` (to a time to
  come) and `cancel_session` change one of its team's sessions before it
  happens; `note_session` notes a held one: the behaviour (of a scorecard the
  agent was scored on), what the agent will do, notes, the follow-up day (not
  before the session's day). Another team's session (or agent) is refused in
  the words and with the code of one that does not exist;
- an agent's login confirms its own held session with an agreement noted, or
  says what it heard differently (`confirm_session`), stamped now;
- a self-assessment is submitted for one of the agent's planned sessions once
  it has any to come (`submit_self_assessment`, otherwise as revision 0006 made it).

Days are the team's, in the board's time zone (`nextcall_access.board_rules`),
with a day of slack either side for the agent's or lead's own calendar, as
revision 0006 checks a self-assessment's session day.

What a lead's `add_session` still depends on outside its team: a session id is
the table's key, so an id the owner imported for another team's agent that
equals the one asked for (the agent's id, or its first 48 characters, a dash
and the time) is refused as taken. `nextcall session add` never makes such an
id for two agents whose ids differ in their first 48 characters.

On SQLite this revision does nothing: a SQLite file has no logins.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

HOME = "nextcall"
SCOPE = "nextcall_scope"
ACCESS = "nextcall_access"
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

TABLE = "coaching_session"

BLANK = (
    (0x01, 0x20), (0x7F, 0xA0), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)
"""store.rules.BLANK when this revision was made: characters that are not words, whatever the server's locale."""

WORDS = "[^" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in BLANK) + "]"
"""A regular expression that finds a character that is not blank: one there means the text has words."""

EDGES = "[" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in BLANK) + "]+"

CLOCK_SLACK_DAYS = 1
"""How far the agent's or lead's calendar may be from the team's: a day is checked with a day either side."""

SESSION_HORIZON_DAYS = 60
"""A self-assessment is for a session today or within the next 60 days (store.rules.SESSION_HORIZON_DAYS)."""

PAST_SLACK = "interval '5 minutes'"
"""A session planned "now" may start a little before the database's clock (store.sessions.add_session)."""

LONGEST_TEXT = 10_000
"""The longest notes, agreement or account of what was heard (store.models.Text)."""

NO_AGENT = "there is no agent of your team with that id"
NOT_YOURS = "there is no coaching session of yours with that id"
NOT_TEAMS = "there is no coaching session of your team with that id"
"""The refusals for another team's agent or session and for one nobody has: a login learns nothing of which ids exist."""


def _refuse(message: str, code: str) -> str:
    """Raise `message`, a SQL text expression, as an error of `code`."""
    return f"RAISE EXCEPTION '%', {message} USING ERRCODE = '{code}'"


def _said(value: str) -> str:
    """`value` without blank edges, or NULL when it has no words."""
    return f"CASE WHEN {value} ~ '{WORDS}' THEN regexp_replace({value}, '^{EDGES}|{EDGES}$', '', 'g') END"


def _day(moment: str) -> str:
    """The team's calendar day of `moment`."""
    return f"({moment} AT TIME ZONE (SELECT r.time_zone FROM {ACCESS}.board_rules r))::date"


def _reads() -> list[str]:
    return [
        f"""CREATE FUNCTION {ACCESS}.scope_{TABLE}() RETURNS SETOF {HOME}.{TABLE} LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT t.* FROM {HOME}.{TABLE} t WHERE t.agent_id = ANY ({ACCESS}.scope_agents())
        $$""",
        f"CREATE VIEW {SCOPE}.{TABLE} AS SELECT * FROM {ACCESS}.scope_{TABLE}()",
    ]


def _row_security() -> list[str]:
    """Revision 0004's policies on the new personal table, for roles given table privileges by hand (as 0011)."""
    own = f"(SELECT {ACCESS}.own_agent())"
    unrestricted = f"NOT (SELECT {ACCESS}.restricted())"
    return [
        f"ALTER TABLE {HOME}.{TABLE} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY nextcall_unrestricted ON {HOME}.{TABLE} USING ({unrestricted}) WITH CHECK ({unrestricted})",
        f"CREATE POLICY nextcall_own ON {HOME}.{TABLE} FOR SELECT USING (agent_id = {own})",
    ]


def _not_too_long(value: str, what: str) -> str:
    return f"""IF length({value}) > {LONGEST_TEXT} THEN
                    {_refuse(f"'{what} is at most {LONGEST_TEXT} characters'", "invalid_parameter_value")};
                END IF;"""


def _behaviour_check(agent: str, criterion: str) -> str:
    return f"""IF {criterion} IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM {HOME}.criterion c JOIN {HOME}.evaluation e ON e.scorecard_id = c.scorecard_id
                    WHERE c.id = {criterion} AND e.agent_id = {agent}
                ) THEN
                    {_refuse("'a session agrees on a behaviour of a scorecard the agent was scored on'", "invalid_parameter_value")};
                END IF;"""


def _follow_up_check(follow_up: str, moment: str) -> str:
    return f"""IF {follow_up} < {_day(moment)} - {CLOCK_SLACK_DAYS} THEN
                    {_refuse("'the follow-up comes after the session'", "check_violation")};
                END IF;"""


def _writes() -> list[str]:
    """What a lead's login may change of its team's sessions, and an agent's of its own, each checked here."""
    # One refusal, raised from one place, for a session of another team and one that is not there:
    # the same words, code and line, so that not even the error's context tells them apart. The
    # session is found among the team's agents' own, so no other row is read, locked or waited for.
    teams_session = f"""SELECT s.* INTO held FROM {HOME}.{TABLE} s
                WHERE s.id = p_id AND s.agent_id = ANY (ARRAY(SELECT a.id::text FROM {HOME}.agent a WHERE a.team_id = team))
                FOR UPDATE;
                IF NOT FOUND THEN
                    {_refuse(f"'{NOT_TEAMS}'", "no_data_found")};
                END IF;"""

    def before_it_happens(verb: str) -> str:
        return f"""IF held.status <> 'scheduled' THEN
                    {_refuse("'the session was cancelled: plan a new one'", "check_violation")};
                END IF;
                IF held.scheduled_at <= now() THEN
                    {_refuse(f"'the session has happened: it can be noted, not {verb}'", "check_violation")};
                END IF;"""

    return [
        # The team this login writes for; one write of the lead's at a time, on
        # its login's own row, so no login can hold up anyone else's writes.
        f"""CREATE FUNCTION {ACCESS}.writing_lead() RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                found text;
            BEGIN
                SELECT l.team_id::text INTO found FROM {ACCESS}.agent_login l
                WHERE l.login = session_user::text AND l.kind = 'lead' FOR UPDATE;
                IF found IS NULL THEN
                    {_refuse("'permission denied: ' || session_user || ' writes for no team of this database'", "insufficient_privilege")};
                END IF;
                RETURN found;
            END
        $$""",
        # The id is the one `nextcall session add` makes (store.sessions.session_id_for): the agent's id
        # (its first 48 characters), a dash and the time, so that a lead names only its own agent's ids.
        f"""CREATE FUNCTION {ACCESS}.add_session(
                p_id text, p_agent text, p_coach text, p_at timestamptz, p_criterion integer, p_follow_up date,
                p_notes text)
            RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                team text := {ACCESS}.writing_lead();
                coach text := {_said("p_coach")};
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM {HOME}.agent a WHERE a.id = p_agent AND a.team_id = team) THEN
                    {_refuse(f"'{NO_AGENT}'", "no_data_found")};
                END IF;
                IF p_id IS NULL OR p_id !~ '^.+-[0-9]{{8}}-[0-9]{{4}}$'
                    OR left(p_id, length(p_id) - 14) <> left(p_agent, 48) THEN
                    {_refuse("'a session''s id is its agent''s id and its time, as nextcall session add makes it'", "invalid_parameter_value")};
                END IF;
                IF coach IS NULL OR length(coach) > 200 THEN
                    {_refuse("'say who coaches: a name of at most 200 characters'", "check_violation")};
                END IF;
                IF p_at IS NULL OR p_at < now() - {PAST_SLACK} THEN
                    {_refuse("'a session is planned ahead: that time has passed'", "check_violation")};
                END IF;
                {_behaviour_check("p_agent", "p_criterion")}
                {_follow_up_check("p_follow_up", "p_at")}
                {_not_too_long("p_notes", "a note")}
                IF EXISTS (SELECT 1 FROM {HOME}.{TABLE} s WHERE s.id = p_id AND s.agent_id = p_agent) THEN
                    {_refuse("'the agent already has a session at that time'", "unique_violation")};
                END IF;
                INSERT INTO {HOME}.{TABLE} (id, agent_id, coach, scheduled_at, status, criterion_id, notes, follow_up_on)
                VALUES (p_id, p_agent, coach, p_at, 'scheduled', p_criterion, {_said("p_notes")}, p_follow_up);
                RETURN p_id;
            END
        $$""",
        # A follow-up day the new time has passed is dropped: it is set again when the session is noted.
        f"""CREATE FUNCTION {ACCESS}.move_session(p_id text, p_to timestamptz)
            RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                team text := {ACCESS}.writing_lead();
                held record;
            BEGIN
                {teams_session}
                {before_it_happens("moved")}
                IF p_to IS NULL OR p_to <= now() THEN
                    {_refuse("'a session moves to a time still to come'", "check_violation")};
                END IF;
                UPDATE {HOME}.{TABLE} s SET scheduled_at = p_to,
                    follow_up_on = CASE WHEN s.follow_up_on < {_day("p_to")} - {CLOCK_SLACK_DAYS} THEN NULL
                                        ELSE s.follow_up_on END
                WHERE s.id = held.id;
                RETURN held.id;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.cancel_session(p_id text)
            RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                team text := {ACCESS}.writing_lead();
                held record;
            BEGIN
                {teams_session}
                {before_it_happens("cancelled")}
                UPDATE {HOME}.{TABLE} s SET status = 'cancelled' WHERE s.id = held.id;
                RETURN held.id;
            END
        $$""",
        # What is not given (NULL, or text without words) stays as it was.
        f"""CREATE FUNCTION {ACCESS}.note_session(
                p_id text, p_criterion_id integer, p_will_do text, p_notes text, p_follow_up_on date)
            RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                team text := {ACCESS}.writing_lead();
                held record;
            BEGIN
                {teams_session}
                IF held.status <> 'scheduled' THEN
                    {_refuse("'the session was cancelled: there is nothing to note'", "check_violation")};
                END IF;
                IF held.scheduled_at > now() THEN
                    {_refuse("'the session has not happened yet: note it after it'", "check_violation")};
                END IF;
                IF p_criterion_id IS DISTINCT FROM held.criterion_id THEN
                    {_behaviour_check("held.agent_id", "p_criterion_id")}
                END IF;
                {_follow_up_check("p_follow_up_on", "held.scheduled_at")}
                {_not_too_long("p_will_do", "what the agent will do")}
                {_not_too_long("p_notes", "a note")}
                UPDATE {HOME}.{TABLE} s SET
                    criterion_id = coalesce(p_criterion_id, s.criterion_id),
                    will_do = coalesce({_said("p_will_do")}, s.will_do),
                    notes = coalesce({_said("p_notes")}, s.notes),
                    follow_up_on = coalesce(p_follow_up_on, s.follow_up_on)
                WHERE s.id = held.id;
                RETURN held.id;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.confirm_session(p_id text, p_differently text)
            RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                held record;
                heard text := {_said("p_differently")};
            BEGIN
                SELECT s.* INTO held FROM {HOME}.{TABLE} s WHERE s.id = p_id AND s.agent_id = me FOR UPDATE;
                IF NOT FOUND THEN
                    {_refuse(f"'{NOT_YOURS}'", "no_data_found")};
                END IF;
                IF held.status <> 'scheduled' OR held.scheduled_at > now() THEN
                    {_refuse("'confirm a session after it has happened'", "check_violation")};
                END IF;
                IF held.will_do IS NULL THEN
                    {_refuse("'nothing was noted as agreed yet: your coach notes it after the session'", "check_violation")};
                END IF;
                {_not_too_long("p_differently", "what you heard differently")}
                UPDATE {HOME}.{TABLE} s SET confirmed_at = CASE WHEN heard IS NULL THEN now() END,
                    heard_differently = heard
                WHERE s.id = held.id;
                RETURN held.id;
            END
        $$""",
    ]


def _submit(for_a_planned_session: bool) -> str:
    """Revision 0006's submission check; with `for_a_planned_session`, for one of the agent's sessions to come."""
    planned = f"""IF EXISTS (
                    SELECT 1 FROM {HOME}.{TABLE} c
                    WHERE c.agent_id = me AND c.status = 'scheduled' AND c.scheduled_at > now()
                ) AND NOT EXISTS (
                    SELECT 1 FROM {HOME}.{TABLE} c
                    WHERE c.agent_id = me AND c.status = 'scheduled' AND c.scheduled_at > now()
                      AND pending.session_on BETWEEN {_day("c.scheduled_at")} - {CLOCK_SLACK_DAYS}
                                                 AND {_day("c.scheduled_at")} + {CLOCK_SLACK_DAYS}
                ) THEN
                    {_refuse("'the self-assessment is for one of your planned coaching sessions'", "check_violation")};
                END IF;""" if for_a_planned_session else ""
    return f"""CREATE OR REPLACE FUNCTION {ACCESS}.submit_self_assessment() RETURNS integer
            LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                pending record;
                today date := (now() AT TIME ZONE (SELECT r.time_zone FROM {ACCESS}.board_rules r))::date;
            BEGIN
                SELECT * INTO pending FROM {HOME}.self_assessment s
                WHERE s.agent_id = me AND s.submitted_at IS NULL ORDER BY s.updated_at DESC LIMIT 1 FOR UPDATE;
                IF NOT FOUND THEN
                    {_refuse("'there is nothing to submit yet'", "no_data_found")};
                END IF;
                IF pending.session_on IS NULL
                    OR pending.session_on < today - {CLOCK_SLACK_DAYS}
                    OR pending.session_on > today + {SESSION_HORIZON_DAYS + CLOCK_SLACK_DAYS} THEN
                    {_refuse(f"'the coaching session is today or within the next {SESSION_HORIZON_DAYS} days'", "check_violation")};
                END IF;
                {planned}
                IF NOT (pending.strengths ~ '{WORDS}' OR pending.struggles ~ '{WORDS}'
                        OR pending.want_to_work_on ~ '{WORDS}') THEN
                    {_refuse("'a self-assessment has words in at least one box'", "check_violation")};
                END IF;
                UPDATE {HOME}.self_assessment s SET submitted_at = now(), updated_at = now() WHERE s.id = pending.id;
                RETURN pending.id;
            END
        $$"""


SCOPED = (
    "team", "scorecard", "criterion", "agent", "evaluation", "criterion_result",
    "goal", "self_assessment", "badge_award", "points_entry", "alembic_version", "acknowledgement", "dispute",
)
"""The views revisions 0006 and 0011 made."""

READERS_BEFORE = (
    *(f"scope_{table}()" for table in SCOPED),
    "scope_agents()", "mapped()", "team_prior(text, text)",
    "board_settings()", "board_window(text, text)", "board_agents(text, text)",
    "board_scores(text, text, text)", "board_points(text, text, text)", "board_goal_gains(text, text, text)",
    "board_team_sizes()",
)
"""What every agent's and lead's login could call at revision 0011."""

READERS = (*READERS_BEFORE, f"scope_{TABLE}()")
"""What every agent's and lead's login may call."""

AGENT_WRITERS_BEFORE = (
    "writing_agent()", "start_goal(integer, integer, integer)", "end_goal(text, timestamptz, text)",
    "save_draft(date, text, text, text, json)", "submit_self_assessment()", "set_opt_out(boolean)",
    "acknowledge(integer, text)", "raise_dispute(integer, integer, text, text)", "withdraw_dispute(integer)",
)
"""What an agent's login could call to change its own rows at revision 0011."""

AGENT_WRITERS = (*AGENT_WRITERS_BEFORE, "confirm_session(text, text)")
"""What an agent's login may call to change its own rows."""

LEAD_WRITERS = (
    "writing_lead()", "add_session(text, text, text, timestamptz, integer, date, text)",
    "move_session(text, timestamptz)", "cancel_session(text)", "note_session(text, integer, text, text, date)",
)
"""What a lead's login may call to change its team's sessions."""

NEW_FUNCTIONS = (f"scope_{TABLE}()", "confirm_session(text, text)", *LEAD_WRITERS)


def _ensure_groups(readers_of: tuple[str, ...], agent_writers: tuple[str, ...], lead_writers: tuple[str, ...]) -> str:
    """Revision 0006's group roles and grants, with the new scope and writes.

    Run again by every grant (store.privacy), so a server whose migrating role
    could not create roles gets them, and these, later."""
    readers = ", ".join(f"{ACCESS}.{f}" for f in readers_of)
    writers = ", ".join(f"{ACCESS}.{f}" for f in agent_writers)
    leads = f"GRANT EXECUTE ON FUNCTION {', '.join(f'{ACCESS}.{f}' for f in lead_writers)} TO nextcall_lead;" if lead_writers else ""
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
            {leads}
            RETURN true;
        END
    $$"""


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
        _submit(for_a_planned_session=True),
        # Whoever runs this, nothing new is anyone's to call until the groups are granted it.
        f"REVOKE ALL ON FUNCTION {', '.join(f'{ACCESS}.{f}' for f in NEW_FUNCTIONS)} FROM PUBLIC",
        _ensure_groups(READERS, AGENT_WRITERS, LEAD_WRITERS),
        GROUPS_ENSURED,
    ])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run([
        _submit(for_a_planned_session=False),
        *(f"DROP FUNCTION {ACCESS}.{f}" for f in ("confirm_session(text, text)", *LEAD_WRITERS)),
        f"DROP VIEW {SCOPE}.{TABLE}",
        f"DROP FUNCTION {ACCESS}.scope_{TABLE}()",
        *(f"DROP POLICY {policy} ON {HOME}.{TABLE}" for policy in ("nextcall_unrestricted", "nextcall_own")),
        f"ALTER TABLE {HOME}.{TABLE} DISABLE ROW LEVEL SECURITY",
        _ensure_groups(READERS_BEFORE, AGENT_WRITERS_BEFORE, ()),
        GROUPS_ENSURED,
    ])
