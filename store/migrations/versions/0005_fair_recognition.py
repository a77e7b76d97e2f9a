"""A leaderboard its agents cannot game: recognition derived by the owner, goals checked by the database.

An agent's login could write badge and points rows with any values, a goal
with a made-up baseline or a backdated start, or a self-assessment submitted
on a day that never was, and so climb the points or goal-progress board. Now:

- badges and points are written only by the store's owner (imports and
  `nextcall db refresh`); an agent's login reads its own and writes none;
- a goal an agent's login starts is active, starts now (give or take the
  clock slack), has a target within bounds, and has the baseline the store
  computes for that agent, behaviour and start; an update only ends an
  active goal (dropped now, or mastered between its start and now);
- a self-assessment an agent's login writes is submitted now or not at all,
  and a submitted one is read-only.

The owner (and any other unrestricted role) writes as before: the checks
apply to members of `nextcall_agent` only.

On SQLite this revision does nothing: a SQLite file has no logins.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACCESS = "nextcall_access"

READABLE = (
    "team", "scorecard", "criterion", "agent", "evaluation", "criterion_result",
    "goal", "self_assessment", "badge_award", "points_entry", "alembic_version",
)

DERIVED = ("badge_award", "points_entry")
"""Recognition, derived from the history by the owner only."""

AGENT_WRITES = {"goal": "INSERT, UPDATE", "self_assessment": "INSERT, UPDATE"}
"""What an agent's login writes for its own agent, checked by the triggers below."""

AGENT_WRITES_0004 = {**AGENT_WRITES, **{table: "INSERT, UPDATE, DELETE" for table in DERIVED}}
"""What revision 0004 let an agent's login write; restored by a downgrade."""

CLOCK_SLACK = "interval '5 minutes'"
"""How far an agent's clock may be from the server's: the app stamps goals and submissions with its own time."""

# Bounds on a goal's target rather than its default (8 of 10): teams set their
# own with NEXTCALL_GOAL_TARGET_MET / _WINDOW, and the target only changes when
# a goal counts as mastered (recognition derives mastery from the calls). A
# window of at least 5 calls with at least half of them met keeps "mastered"
# meaning two real stretches of good calls; anything easier is refused.
TARGET_BOUNDS = (
    "NEW.target_window BETWEEN 5 AND 100"
    " AND NEW.target_met <= NEW.target_window AND 2 * NEW.target_met >= NEW.target_window"
)
TARGET_REFUSED = (
    "format('a goal''s target must be met on at least half of 5 to 100 calls (got %s of %s)',"
    " NEW.target_met, NEW.target_window)"
)


def _ensure_groups(s: str, schema_name: str, writes: dict[str, str]) -> str:
    """Revision 0004's `ensure_groups`, granting `writes`; run by every grant, so it must not grant back what is revoked."""
    revoked = [table for table in DERIVED if table not in writes]
    revoked_sequences = ", ".join(f"pg_get_serial_sequence('{s}.{t}', 'id')" for t in revoked) or "NULL"
    revoke = " ".join(f"REVOKE INSERT, UPDATE, DELETE ON {s}.{table} FROM nextcall_agent;" for table in revoked)
    return f"""CREATE OR REPLACE FUNCTION {ACCESS}.ensure_groups() RETURNS boolean
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
            {" ".join(f"GRANT {what} ON {s}.{table} TO nextcall_agent;" for table, what in writes.items())}
            {revoke}
            GRANT UPDATE (leaderboard_opt_out) ON {s}.agent TO nextcall_agent;
            FOREACH seq IN ARRAY ARRAY[{", ".join(f"pg_get_serial_sequence('{s}.{t}', 'id')" for t in writes)}] LOOP
                IF seq IS NOT NULL THEN
                    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO nextcall_agent', seq);
                END IF;
            END LOOP;
            FOREACH seq IN ARRAY ARRAY[{revoked_sequences}]::text[] LOOP
                IF seq IS NOT NULL THEN
                    EXECUTE format('REVOKE USAGE ON SEQUENCE %s FROM nextcall_agent', seq);
                END IF;
            END LOOP;
            RETURN true;
        END
    $$"""


def _refuse(what: str) -> str:
    # The same error as a row-level security refusal, so the app and scripts see one kind of "not allowed".
    return f"RAISE EXCEPTION 'permission denied: %', {what} USING ERRCODE = 'insufficient_privilege'"


def _checks(s: str) -> list[str]:
    """The triggers that check what an agent's login writes to its goals and self-assessments."""
    near_now = f"BETWEEN now() - {CLOCK_SLACK} AND now() + {CLOCK_SLACK}"
    # SECURITY DEFINER so the baseline is computed from the agent's whole
    # history whoever asks; a fixed search_path so no login can slip in a
    # table or operator of its own.
    definer = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
    return [
        # Mirrors goals.start_goal: the pass rate on the target-window latest
        # applicable calls of that behaviour before the start, newest first.
        f"""CREATE FUNCTION {ACCESS}.goal_baseline(
                p_agent text, p_criterion integer, p_started timestamptz, p_window integer,
                OUT met integer, OUT applicable integer)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT count(*) FILTER (WHERE b.outcome = 'met')::integer, count(*)::integer
            FROM (
                SELECT r.outcome
                FROM {s}.criterion_result r
                JOIN {s}.evaluation e ON e.id = r.evaluation_id
                WHERE e.agent_id = p_agent AND r.criterion_id = p_criterion
                  AND r.outcome <> 'na' AND e.occurred_at < p_started
                ORDER BY e.occurred_at DESC, e.id DESC
                LIMIT p_window
            ) b
        $$""",
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.goal_baseline(text, integer, timestamptz, integer) FROM PUBLIC",
        f"""CREATE FUNCTION {ACCESS}.check_goal() RETURNS trigger {definer} AS $$
            DECLARE
                baseline record;
            BEGIN
                -- Another agent's row is row-level security's to refuse, before
                -- anything of theirs is read: no error here may tell their baseline.
                IF NOT {ACCESS}.restricted() OR NEW.agent_id IS DISTINCT FROM {ACCESS}.own_agent() THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'INSERT' THEN
                    IF NEW.status <> 'active' OR NEW.ended_at IS NOT NULL OR NEW.drop_reason IS NOT NULL THEN
                        {_refuse("'a new goal starts active'")};
                    END IF;
                    IF NOT (NEW.started_at {near_now}) THEN
                        {_refuse("'a goal starts now, not at ' || NEW.started_at")};
                    END IF;
                    IF NOT ({TARGET_BOUNDS}) THEN
                        {_refuse(TARGET_REFUSED)};
                    END IF;
                    SELECT * INTO baseline
                    FROM {ACCESS}.goal_baseline(NEW.agent_id, NEW.criterion_id, NEW.started_at, NEW.target_window);
                    IF (NEW.baseline_met, NEW.baseline_applicable) IS DISTINCT FROM (baseline.met, baseline.applicable) THEN
                        {_refuse("'a goal''s baseline is the store''s to compute'")};
                    END IF;
                    RETURN NEW;
                END IF;
                IF OLD.status <> 'active' OR NEW.status NOT IN ('dropped', 'mastered')
                    OR (NEW.id, NEW.agent_id, NEW.criterion_id, NEW.baseline_met, NEW.baseline_applicable,
                        NEW.target_met, NEW.target_window, NEW.started_at)
                       IS DISTINCT FROM (OLD.id, OLD.agent_id, OLD.criterion_id, OLD.baseline_met, OLD.baseline_applicable,
                        OLD.target_met, OLD.target_window, OLD.started_at) THEN
                    {_refuse("'a goal only ends: dropped or mastered, nothing else changed'")};
                END IF;
                -- Mastered ends at the call that mastered it, which is in the
                -- past; the status earns nothing by itself (recognition derives
                -- mastery from the calls), so its end is only bounded.
                IF (NEW.status = 'dropped' AND NOT (NEW.ended_at {near_now}))
                    OR (NEW.status = 'mastered' AND (NEW.ended_at IS NULL OR NEW.ended_at < OLD.started_at
                        OR NEW.ended_at > now() + {CLOCK_SLACK} OR NEW.drop_reason IS NOT NULL)) THEN
                    {_refuse("'a goal ends now (or, mastered, at the call that mastered it)'")};
                END IF;
                RETURN NEW;
            END
        $$""",
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.check_goal() FROM PUBLIC",
        f"""CREATE TRIGGER nextcall_fair_goal BEFORE INSERT OR UPDATE ON {s}.goal
            FOR EACH ROW EXECUTE FUNCTION {ACCESS}.check_goal()""",
        # A submission on time before a session earns a badge and daily
        # points: it must be made now, and stays as it was made.
        f"""CREATE FUNCTION {ACCESS}.check_self_assessment() RETURNS trigger {definer} AS $$
            BEGIN
                IF NOT {ACCESS}.restricted() OR NEW.agent_id IS DISTINCT FROM {ACCESS}.own_agent() THEN
                    RETURN NEW;  -- another agent's row: row-level security refuses it
                END IF;
                IF TG_OP = 'UPDATE' AND OLD.submitted_at IS NOT NULL THEN
                    {_refuse("'a submitted self-assessment is read-only'")};
                END IF;
                IF NEW.submitted_at IS NOT NULL AND NOT (NEW.submitted_at {near_now}) THEN
                    {_refuse("'a self-assessment is submitted now, not at ' || NEW.submitted_at")};
                END IF;
                RETURN NEW;
            END
        $$""",
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.check_self_assessment() FROM PUBLIC",
        f"""CREATE TRIGGER nextcall_fair_self_assessment BEFORE INSERT OR UPDATE ON {s}.self_assessment
            FOR EACH ROW EXECUTE FUNCTION {ACCESS}.check_self_assessment()""",
    ]


def _own_policies(s: str, *, writable: bool) -> list[str]:
    own = f"(SELECT {ACCESS}.own_agent())"
    rule = f"USING (agent_id = {own}) WITH CHECK (agent_id = {own})" if writable else f"FOR SELECT USING (agent_id = {own})"
    return [
        statement
        for table in DERIVED
        for statement in (
            f"DROP POLICY IF EXISTS nextcall_own ON {s}.{table}",
            f"CREATE POLICY nextcall_own ON {s}.{table} {rule}",
        )
    ]


def _grants(s: str, *, grant: bool) -> str:
    """Give or take the agents' writes to badges and points, in this database, where the group exists."""
    verb, to = ("GRANT", "TO") if grant else ("REVOKE", "FROM")
    tables = ", ".join(f"{s}.{t}" for t in DERIVED)
    sequences = ", ".join(f"pg_get_serial_sequence('{s}.{t}', 'id')" for t in DERIVED)
    return f"""DO $$
        DECLARE
            seq text;
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nextcall_agent') THEN
                {verb} INSERT, UPDATE, DELETE ON {tables} {to} nextcall_agent;
                FOREACH seq IN ARRAY ARRAY[{sequences}] LOOP
                    IF seq IS NOT NULL THEN
                        EXECUTE format('{verb} USAGE ON SEQUENCE %s {to} nextcall_agent', seq);
                    END IF;
                END LOOP;
            END IF;
        END
    $$"""


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
    s, name = schema
    for statement in [
        _ensure_groups(s, name, AGENT_WRITES),
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.ensure_groups() FROM PUBLIC",
        _grants(s, grant=False),
        *_own_policies(s, writable=False),
        *_checks(s),
    ]:
        _run(statement)


def downgrade() -> None:
    schema = _schema()
    if schema is None:
        return
    s, name = schema
    for statement in [
        f"DROP TRIGGER IF EXISTS nextcall_fair_self_assessment ON {s}.self_assessment",
        f"DROP TRIGGER IF EXISTS nextcall_fair_goal ON {s}.goal",
        f"DROP FUNCTION IF EXISTS {ACCESS}.check_self_assessment()",
        f"DROP FUNCTION IF EXISTS {ACCESS}.check_goal()",
        f"DROP FUNCTION IF EXISTS {ACCESS}.goal_baseline(text, integer, timestamptz, integer)",
        *_own_policies(s, writable=True),
        _grants(s, grant=True),
        _ensure_groups(s, name, AGENT_WRITES_0004),
        f"REVOKE EXECUTE ON FUNCTION {ACCESS}.ensure_groups() FROM PUBLIC",
    ]:
        _run(statement)
