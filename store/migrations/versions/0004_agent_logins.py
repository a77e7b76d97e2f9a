"""Agents' own database logins on PostgreSQL, with row-level security.

An agent's login reads only that agent's evaluations, results, goals,
self-assessments, badges and points, and writes only what the app writes for
them; a lead's login reads their team. The leaderboard reads everyone through
aggregate functions that mask opted-out colleagues. Logins are mapped to
agents and teams in the schema `nextcall_access`, which no login can read.

The role that runs this migration owns the tables, so it (like a superuser)
reads everything, as before. Any other role with privileges granted by hand
also keeps reading everything, unless it is a member of `nextcall_agent` or
`nextcall_lead`: those are restricted to the rows their mapping allows, and to
none without one.

On SQLite this revision does nothing: a SQLite file has no logins.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACCESS = "nextcall_access"

PERSONAL = ("evaluation", "goal", "self_assessment", "badge_award", "points_entry")
"""Tables whose rows belong to one agent, by `agent_id`."""

AGENT_WRITES = {
    "goal": "INSERT, UPDATE",
    "self_assessment": "INSERT, UPDATE",
    "badge_award": "INSERT, UPDATE, DELETE",
    "points_entry": "INSERT, UPDATE, DELETE",
}
"""What the app writes for its own agent: goals, self-assessments, and the recognition derived from them."""

READABLE = (
    "team", "scorecard", "criterion", "agent", "evaluation", "criterion_result",
    "goal", "self_assessment", "badge_award", "points_entry", "alembic_version",
)


def _sql(s: str, schema_name: str) -> list[str]:
    """The statements, for tables in schema `s` (quoted; `schema_name` unquoted)."""
    helper = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

    def key(agent_id: str, opt_out: str) -> str:
        # A masked agent gets a key that joins one figure to another but cannot
        # be turned back into an id without the secret no login can read.
        return (
            f"CASE WHEN v.restricted AND {opt_out} AND {agent_id} IS DISTINCT FROM v.own_agent "
            f"THEN 'anonymous ' || substr(md5(v.secret || {agent_id}), 1, 20) ELSE {agent_id}::text END"
        )

    def name(agent_id: str, opt_out: str, real: str) -> str:
        return (
            f"CASE WHEN v.restricted AND {opt_out} AND {agent_id} IS DISTINCT FROM v.own_agent "
            f"THEN 'Anonymous' ELSE {real}::text END"
        )

    # Wrapped in SELECT so the planner asks once per query, not once per row.
    own = f"(SELECT {ACCESS}.own_agent())"
    statements = [
        f"CREATE SCHEMA {ACCESS}",
        f"""CREATE TABLE {ACCESS}.agent_login (
            login text PRIMARY KEY,
            kind text NOT NULL CHECK (kind IN ('agent', 'lead')),
            agent_id varchar(64) REFERENCES {s}.agent (id) ON DELETE CASCADE,
            team_id varchar(64) REFERENCES {s}.team (id) ON DELETE CASCADE,
            granted_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((kind = 'agent') = (agent_id IS NOT NULL)),
            CHECK ((kind = 'lead') = (team_id IS NOT NULL))
        )""",
        f"CREATE INDEX ix_agent_login_agent ON {ACCESS}.agent_login (agent_id)",
        f"CREATE TABLE {ACCESS}.board_secret (secret text NOT NULL)",
        f"INSERT INTO {ACCESS}.board_secret VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))",
        # Who is asking. session_user, not current_user: inside these SECURITY
        # DEFINER functions current_user is the owner, and a login cannot
        # change its session_user (SET ROLE changes only current_user).
        f"""CREATE FUNCTION {ACCESS}.restricted() RETURNS boolean {helper} AS $$
            SELECT EXISTS (SELECT 1 FROM {ACCESS}.agent_login l WHERE l.login = session_user::text)
                OR EXISTS (
                    SELECT 1 FROM pg_catalog.pg_roles u, pg_catalog.pg_roles g
                    WHERE u.rolname = session_user
                      AND g.rolname IN ('nextcall_agent', 'nextcall_lead')
                      AND NOT u.rolsuper AND NOT u.rolbypassrls
                      AND pg_catalog.pg_has_role(u.oid, g.oid, 'USAGE'))
        $$""",
        f"""CREATE FUNCTION {ACCESS}.own_agent() RETURNS text {helper} AS $$
            SELECT l.agent_id::text FROM {ACCESS}.agent_login l WHERE l.login = session_user::text AND l.kind = 'agent'
        $$""",
        f"""CREATE FUNCTION {ACCESS}.led_team() RETURNS text {helper} AS $$
            SELECT l.team_id::text FROM {ACCESS}.agent_login l WHERE l.login = session_user::text AND l.kind = 'lead'
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_viewer(OUT restricted boolean, OUT own_agent text, OUT secret text)
            LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            BEGIN
                restricted := {ACCESS}.restricted();
                own_agent := {ACCESS}.own_agent();
                -- Restricted but not mapped here: a login of another database on the server.
                IF (restricted AND own_agent IS NULL AND {ACCESS}.led_team() IS NULL)
                    OR (NOT restricted AND NOT has_table_privilege(session_user, '{s}.agent', 'SELECT')) THEN
                    RAISE EXCEPTION 'permission denied: % may not read the leaderboard', session_user
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                SELECT b.secret INTO secret FROM {ACCESS}.board_secret b LIMIT 1;
            END
        $$""",
        # The leaderboard's figures, per agent, for everyone who may see the
        # board: an agent's login reads only its own rows in the tables.
        f"""CREATE FUNCTION {ACCESS}.board_agents(p_team text)
            RETURNS TABLE (agent_key text, agent_name text, team_id text, opt_out boolean) {helper} AS $$
            SELECT {key('a.id', 'a.leaderboard_opt_out')}, {name('a.id', 'a.leaderboard_opt_out', 'a.name')},
                   a.team_id::text, a.leaderboard_opt_out
            FROM {s}.agent a CROSS JOIN {ACCESS}.board_viewer() v
            WHERE p_team IS NULL OR a.team_id = p_team
            ORDER BY 1
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_scores(p_start timestamptz, p_end timestamptz, p_team text)
            RETURNS TABLE (agent_key text, calls bigint, mean_score double precision) {helper} AS $$
            SELECT {key('e.agent_id', 'a.leaderboard_opt_out')}, count(*), avg(e.score)
            FROM {s}.evaluation e
            JOIN {s}.agent a ON a.id = e.agent_id
            CROSS JOIN {ACCESS}.board_viewer() v
            WHERE e.occurred_at >= p_start AND e.occurred_at < p_end AND (p_team IS NULL OR a.team_id = p_team)
            GROUP BY 1
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_points(p_first date, p_last date, p_team text)
            RETURNS TABLE (agent_key text, points bigint) {helper} AS $$
            SELECT {key('p.agent_id', 'a.leaderboard_opt_out')}, sum(p.points)
            FROM {s}.points_entry p
            JOIN {s}.agent a ON a.id = p.agent_id
            CROSS JOIN {ACCESS}.board_viewer() v
            WHERE p.day >= p_first AND p.day <= p_last AND (p_team IS NULL OR a.team_id = p_team)
            GROUP BY 1
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_team_sizes() RETURNS TABLE (team_id text, agents bigint) {helper} AS $$
            SELECT a.team_id::text, count(*) FROM {s}.agent a CROSS JOIN {ACCESS}.board_viewer() v GROUP BY a.team_id
        $$""",
        # Each agent's latest goal worked on in the window, and how its
        # behaviour went on their calls in the window.
        f"""CREATE FUNCTION {ACCESS}.board_goal_rates(p_start timestamptz, p_end timestamptz, p_team text)
            RETURNS TABLE (agent_key text, applicable bigint, met bigint, baseline_met integer, baseline_applicable integer)
            {helper} AS $$
            WITH latest AS (
                SELECT DISTINCT ON (g.agent_id) g.agent_id, g.criterion_id, g.baseline_met, g.baseline_applicable
                FROM {s}.goal g JOIN {s}.agent a ON a.id = g.agent_id
                WHERE g.status <> 'dropped' AND g.started_at < p_end
                  AND (g.ended_at IS NULL OR g.status = 'active' OR g.ended_at >= p_start)
                  AND (p_team IS NULL OR a.team_id = p_team)
                ORDER BY g.agent_id, g.started_at DESC, g.id
            ), counts AS (
                SELECT e.agent_id,
                       sum(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END) AS met,
                       sum(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END) AS applicable
                FROM {s}.evaluation e
                JOIN {s}.criterion_result r ON r.evaluation_id = e.id
                JOIN latest l ON l.agent_id = e.agent_id AND l.criterion_id = r.criterion_id
                WHERE e.occurred_at >= p_start AND e.occurred_at < p_end
                GROUP BY e.agent_id
            )
            SELECT {key('l.agent_id', 'a.leaderboard_opt_out')}, coalesce(c.applicable, 0), coalesce(c.met, 0),
                   l.baseline_met, l.baseline_applicable
            FROM latest l
            JOIN {s}.agent a ON a.id = l.agent_id
            LEFT JOIN counts c ON c.agent_id = l.agent_id
            CROSS JOIN {ACCESS}.board_viewer() v
        $$""",
        # The group roles and what they may do; run again by every grant, so a
        # server whose migrating role could not create roles gets them later.
        f"""CREATE FUNCTION {ACCESS}.ensure_groups() RETURNS boolean
            LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
            DECLARE
                grp text;
                seq text;
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
                    IF NOT has_schema_privilege(grp, '{schema_name}', 'USAGE') THEN
                        EXECUTE format('GRANT USAGE ON SCHEMA %s TO %I', '{s}', grp);
                    END IF;
                    EXECUTE format('GRANT SELECT ON {", ".join(f"{s}.{t}" for t in READABLE)} TO %I', grp);
                END LOOP;
                {" ".join(f"GRANT {what} ON {s}.{table} TO nextcall_agent;" for table, what in AGENT_WRITES.items())}
                GRANT UPDATE (leaderboard_opt_out) ON {s}.agent TO nextcall_agent;
                FOREACH seq IN ARRAY ARRAY[{", ".join(f"pg_get_serial_sequence('{s}.{t}', 'id')" for t in AGENT_WRITES)}] LOOP
                    IF seq IS NOT NULL THEN
                        EXECUTE format('GRANT USAGE ON SEQUENCE %s TO nextcall_agent', seq);
                    END IF;
                END LOOP;
                RETURN true;
            END
        $$""",
        f"GRANT USAGE ON SCHEMA {ACCESS} TO PUBLIC",
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.board_viewer() FROM PUBLIC",
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.ensure_groups() FROM PUBLIC",
    ]
    unrestricted = f"NOT (SELECT {ACCESS}.restricted())"
    in_led_team = f"{{column}} IN (SELECT t.id FROM {s}.agent t WHERE t.team_id = (SELECT {ACCESS}.led_team()))"
    for table in ("agent", *PERSONAL, "criterion_result"):
        statements += [
            f"ALTER TABLE {s}.{table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY nextcall_unrestricted ON {s}.{table} USING ({unrestricted}) WITH CHECK ({unrestricted})",
        ]
    statements += [
        f"CREATE POLICY nextcall_own ON {s}.agent USING (id = {own}) WITH CHECK (id = {own})",
        f"CREATE POLICY nextcall_team ON {s}.agent FOR SELECT USING (team_id = (SELECT {ACCESS}.led_team()))",
        f"""CREATE POLICY nextcall_visible ON {s}.criterion_result FOR SELECT
            USING (EXISTS (SELECT 1 FROM {s}.evaluation e WHERE e.id = evaluation_id))""",
    ]
    for table in PERSONAL:
        own_rows = (
            f"USING (agent_id = {own}) WITH CHECK (agent_id = {own})"
            if table in AGENT_WRITES
            else f"FOR SELECT USING (agent_id = {own})"
        )
        statements += [
            f"CREATE POLICY nextcall_own ON {s}.{table} {own_rows}",
            f"CREATE POLICY nextcall_team ON {s}.{table} FOR SELECT USING ({in_led_team.format(column='agent_id')})",
        ]
    statements.append(
        f"""DO $$ BEGIN
            PERFORM {ACCESS}.ensure_groups();
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'nextcall: agent logins need a role that may grant; run nextcall admin grant as the owner';
        END $$"""
    )
    return statements


def _schema() -> tuple[str, str] | None:
    """The schema the tables live in, quoted and as it is named; None on SQLite."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    row = bind.exec_driver_sql("SELECT quote_ident(current_schema()), current_schema()").one()
    return row[0], row[1]


def _run(statement: str) -> None:
    # Without parameters, so the % and : in function bodies are not taken for placeholders.
    op.get_bind().exec_driver_sql(statement, execution_options={"no_parameters": True})


def upgrade() -> None:
    schema = _schema()
    if schema is None:
        return
    for statement in _sql(*schema):
        _run(statement)


def downgrade() -> None:
    found = _schema()
    if found is None:
        return
    schema = found[0]
    for table in ("agent", *PERSONAL, "criterion_result"):
        for policy in ("nextcall_unrestricted", "nextcall_own", "nextcall_team", "nextcall_visible"):
            _run(f"DROP POLICY IF EXISTS {policy} ON {schema}.{table}")
        _run(f"ALTER TABLE {schema}.{table} DISABLE ROW LEVEL SECURITY")
    _run(f"DROP SCHEMA {ACCESS} CASCADE")
    tables = ", ".join(f"{schema}.{t}" for t in READABLE)
    _run(f"""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nextcall_agent') THEN
            REVOKE ALL ON {tables} FROM nextcall_agent;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nextcall_lead') THEN
            REVOKE ALL ON {tables} FROM nextcall_lead;
        END IF;
    END $$""")
