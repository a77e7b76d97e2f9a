"""Private by construction: logins read and write through guarded functions, never tables.

Row-level security kept a login to its rows in results, but not in what
PostgreSQL tells about a query: plans (EXPLAIN ANALYZE counts the rows a
policy removed, and runs leakproof comparisons before the policy), lock
waits and key conflicts all depend on rows the login may not read. Now:

- nextcall's tables move to the schema `nextcall`, on which agents' and
  leads' logins hold no privilege at all, and which no login can create in;
  every session nextcall opens as the owner searches only `nextcall` and
  `pg_catalog`, so nothing a login plants elsewhere (an operator in a
  writable `public`) runs inside an import, an admin command or a refresh;
- a login reads through SECURITY DEFINER functions that return its own rows
  (an agent's own; a lead's team's, drafts excepted), each shown as a view of
  the same name in `nextcall_scope`, so the app's queries run unchanged; a
  plan of those shows a function scan whose rows are the login's own;
- a login writes through functions that check what it may write (start or
  end its goal, save or submit its self-assessment, opt out of the board),
  serialised on its own login's row, never on the writers' turn;
- the writers' turn is a row lock on `nextcall_access.writer_turn`, which
  no login can lock, instead of an advisory lock any login could hold;
- the board is computed for the app's named periods only, in the team's
  time zone (`nextcall_access.board_rules`, the owner's to set), with day
  boundaries; a colleague's figure resting on fewer calls than the minimum
  is withheld, and an opted-out colleague's key changes with every period.

Goals also get `mastered_at`, when the goal stuck as recognition derives it,
which the leaderboard's goal progress stops at; that part applies to SQLite
too. The rest does nothing on SQLite: a SQLite file has no logins.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

HOME = "nextcall"
"""The schema nextcall's tables live in from this revision on."""

SCOPE = "nextcall_scope"
"""Views named like the tables, each over the function that returns the login's own rows."""

ACCESS = "nextcall_access"

TABLES = (
    "team", "scorecard", "criterion", "agent", "evaluation", "criterion_result",
    "goal", "self_assessment", "badge_award", "points_entry", "alembic_version",
)

SHARED = ("team", "scorecard", "criterion")
"""Names every mapped login reads whole: teams, scorecards and behaviours."""

PERSONAL = ("agent", "evaluation", "goal", "badge_award", "points_entry")
"""Rows of one agent (by `agent_id`, or `id` for the agent itself): an agent reads their own, a lead their team's."""

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

CLOCK_SLACK_DAYS = 1
"""How far the agent's calendar may be from the team's: a session date is checked with a day either side."""

SESSION_HORIZON_DAYS = 60
"""A self-assessment is for a session today or within the next 60 days (store.rules.SESSION_HORIZON_DAYS)."""

BLANK = (
    (0x01, 0x20), (0x7F, 0xA0), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)
"""store.rules.BLANK when this revision was made: characters that are not words, whatever the server's locale."""

WORDS = "[^" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in BLANK) + "]"
"""A regular expression that finds a character that is not blank: one there means the box has words."""

TARGET_BOUNDS = (
    "p_target_window BETWEEN 5 AND 100"
    " AND p_target_met <= p_target_window AND 2 * p_target_met >= p_target_window"
)


def _refuse(message: str, code: str = "insufficient_privilege") -> str:
    """Raise `message`, a SQL text expression, as an error of `code`."""
    return f"RAISE EXCEPTION '%', {message} USING ERRCODE = '{code}'"


def _scope_functions() -> list[str]:
    """One function per table returning the rows the calling login may read, and its view."""
    # Who is asking: session_user, which SET ROLE cannot change, looked up in
    # the mapping no login can read. A login of another database maps to nothing.
    statements = [
        # An array, not a set: `agent_id = ANY (...)` of a stable function is an index condition,
        # so a login's reads cost its own rows, not the store's.
        f"""CREATE FUNCTION {ACCESS}.scope_agents() RETURNS text[] LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT coalesce(array_agg(found.agent_id), '{{}}') FROM (
                SELECT l.agent_id::text AS agent_id FROM {ACCESS}.agent_login l
                WHERE l.login = session_user::text AND l.kind = 'agent'
                UNION ALL
                SELECT a.id::text FROM {ACCESS}.agent_login l JOIN {HOME}.agent a ON a.team_id = l.team_id
                WHERE l.login = session_user::text AND l.kind = 'lead'
            ) found
        $$""",
        f"""CREATE FUNCTION {ACCESS}.mapped() RETURNS boolean LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT EXISTS (SELECT 1 FROM {ACCESS}.agent_login l WHERE l.login = session_user::text)
        $$""",
    ]
    for table in SHARED:
        statements.append(
            f"""CREATE FUNCTION {ACCESS}.scope_{table}() RETURNS SETOF {HOME}.{table} LANGUAGE sql STABLE {DEFINER} AS $$
                SELECT t.* FROM {HOME}.{table} t WHERE {ACCESS}.mapped()
            $$"""
        )
    for table in PERSONAL:
        column = "id" if table == "agent" else "agent_id"
        statements.append(
            f"""CREATE FUNCTION {ACCESS}.scope_{table}() RETURNS SETOF {HOME}.{table} LANGUAGE sql STABLE {DEFINER} AS $$
                SELECT t.* FROM {HOME}.{table} t WHERE t.{column} = ANY ({ACCESS}.scope_agents())
            $$"""
        )
    statements += [
        f"""CREATE FUNCTION {ACCESS}.scope_criterion_result() RETURNS SETOF {HOME}.criterion_result
            LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT r.* FROM {HOME}.criterion_result r JOIN {HOME}.evaluation e ON e.id = r.evaluation_id
            WHERE e.agent_id = ANY ({ACCESS}.scope_agents())
        $$""",
        # What an agent writes is theirs until they submit it: a lead reads submitted ones only.
        f"""CREATE FUNCTION {ACCESS}.scope_self_assessment() RETURNS SETOF {HOME}.self_assessment
            LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT s.* FROM {HOME}.self_assessment s
            WHERE s.agent_id = ANY ({ACCESS}.scope_agents())
              AND (s.submitted_at IS NOT NULL OR s.agent_id = {ACCESS}.own_agent())
        $$""",
        # The schema revision, so an app can tell whether the database is current.
        f"""CREATE FUNCTION {ACCESS}.scope_alembic_version() RETURNS SETOF {HOME}.alembic_version
            LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT v.* FROM {HOME}.alembic_version v
        $$""",
        # The team prior of a focus suggestion (mirrors store.queries._team_costs): what missing each
        # behaviour went with on the team's latest calls, the agent's own left out, summed, and only
        # from at least five colleagues, so that it is a team's figure, never a person's.
        f"""CREATE FUNCTION {ACCESS}.team_prior(p_agent text, p_scorecard text)
            RETURNS TABLE (criterion_key text, missed bigint, applicable bigint,
                           csat_met_sum bigint, csat_met_n bigint, csat_missed_sum bigint, csat_missed_n bigint,
                           fcr_met_sum bigint, fcr_met_n bigint, fcr_missed_sum bigint, fcr_missed_n bigint)
            LANGUAGE sql STABLE {DEFINER} AS $$
            WITH whose AS (
                SELECT a.id::text AS agent_id, a.team_id::text AS team_id FROM {HOME}.agent a
                WHERE a.id = p_agent AND a.id = ANY ({ACCESS}.scope_agents())
            ), calls AS (
                SELECT e.id, e.agent_id, e.csat, e.first_contact_resolution
                FROM {HOME}.evaluation e JOIN {HOME}.agent a ON a.id = e.agent_id CROSS JOIN whose w
                WHERE a.team_id = w.team_id AND e.agent_id <> w.agent_id AND e.scorecard_id = p_scorecard
                ORDER BY e.occurred_at DESC, e.id DESC
                LIMIT 300
            ), enough AS (
                SELECT count(DISTINCT calls.agent_id) >= 5 AS ok FROM calls
            )
            SELECT c.key::text,
                   count(*) FILTER (WHERE r.outcome = 'missed'),
                   count(*) FILTER (WHERE r.outcome IN ('met', 'missed')),
                   coalesce(sum(k.csat) FILTER (WHERE r.outcome = 'met'), 0),
                   count(k.csat) FILTER (WHERE r.outcome = 'met'),
                   coalesce(sum(k.csat) FILTER (WHERE r.outcome = 'missed'), 0),
                   count(k.csat) FILTER (WHERE r.outcome = 'missed'),
                   count(*) FILTER (WHERE r.outcome = 'met' AND k.first_contact_resolution),
                   count(k.first_contact_resolution) FILTER (WHERE r.outcome = 'met'),
                   count(*) FILTER (WHERE r.outcome = 'missed' AND k.first_contact_resolution),
                   count(k.first_contact_resolution) FILTER (WHERE r.outcome = 'missed')
            FROM calls k
            JOIN {HOME}.criterion_result r ON r.evaluation_id = k.id
            JOIN {HOME}.criterion c ON c.id = r.criterion_id
            CROSS JOIN enough
            WHERE enough.ok
            GROUP BY c.key
        $$""",
        f"CREATE SCHEMA {SCOPE}",
    ]
    statements += [f"CREATE VIEW {SCOPE}.{table} AS SELECT * FROM {ACCESS}.scope_{table}()" for table in TABLES]
    return statements


def _writes() -> list[str]:
    """What an agent's login may change, each checked here; nothing else is writable to it."""
    return [
        # The agent this login writes for; one write of theirs at a time, on
        # their login's own row, so no login can hold up anyone else's writes.
        f"""CREATE FUNCTION {ACCESS}.writing_agent() RETURNS text LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                found text;
            BEGIN
                SELECT l.agent_id::text INTO found FROM {ACCESS}.agent_login l
                WHERE l.login = session_user::text AND l.kind = 'agent' FOR UPDATE;
                IF found IS NULL THEN
                    {_refuse("'permission denied: ' || session_user || ' writes for no agent of this database'")};
                END IF;
                RETURN found;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.start_goal(p_criterion integer, p_target_met integer, p_target_window integer)
            RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                baseline record;
                made integer;
            BEGIN
                IF NOT EXISTS (
                    SELECT 1 FROM {HOME}.criterion c JOIN {HOME}.evaluation e ON e.scorecard_id = c.scorecard_id
                    WHERE c.id = p_criterion AND e.agent_id = me
                ) THEN
                    {_refuse("'a goal is a behaviour of a scorecard you were scored on'", "invalid_parameter_value")};
                END IF;
                IF p_target_met IS NULL OR p_target_window IS NULL OR NOT ({TARGET_BOUNDS}) THEN
                    {_refuse("format('a goal''s target must be met on at least half of 5 to 100 calls (got %s of %s)', p_target_met, p_target_window)")};
                END IF;
                IF EXISTS (SELECT 1 FROM {HOME}.goal g WHERE g.agent_id = me AND g.status = 'active') THEN
                    {_refuse("'a goal is still active: end it first'", "unique_violation")};
                END IF;
                SELECT * INTO baseline FROM {ACCESS}.goal_baseline(me, p_criterion, now(), p_target_window);
                INSERT INTO {HOME}.goal (agent_id, criterion_id, status, baseline_met, baseline_applicable,
                                         target_met, target_window, started_at)
                VALUES (me, p_criterion, 'active', baseline.met, baseline.applicable, p_target_met, p_target_window, now())
                RETURNING id INTO made;
                RETURN made;
            END
        $$""",
        # Dropped ends now; mastered ends at the call that mastered it, which
        # only the calls tell: it earns nothing by itself (recognition derives
        # mastery from the calls), so its moment is only bounded.
        f"""CREATE FUNCTION {ACCESS}.end_goal(p_status text, p_mastered_at timestamptz, p_reason text)
            RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                ending record;
            BEGIN
                SELECT * INTO ending FROM {HOME}.goal g WHERE g.agent_id = me AND g.status = 'active' FOR UPDATE;
                IF NOT FOUND THEN
                    {_refuse("'there is no goal to end'", "no_data_found")};
                END IF;
                IF p_status = 'dropped' THEN
                    UPDATE {HOME}.goal g SET status = 'dropped', ended_at = now(),
                        drop_reason = nullif(btrim(p_reason), '')
                    WHERE g.id = ending.id;
                ELSIF p_status = 'mastered' AND p_mastered_at >= ending.started_at AND p_mastered_at <= now() THEN
                    UPDATE {HOME}.goal g SET status = 'mastered', ended_at = p_mastered_at WHERE g.id = ending.id;
                ELSE
                    {_refuse("'a goal ends dropped now, or mastered between its start and now'")};
                END IF;
                RETURN ending.id;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.save_draft(
                p_session_on date, p_strengths text, p_struggles text, p_want_to_work_on text, p_ratings json)
            RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                draft integer;
            BEGIN
                IF p_ratings IS NULL OR json_typeof(p_ratings) <> 'object' OR EXISTS (
                    SELECT 1 FROM json_each(p_ratings) r
                    WHERE json_typeof(r.value) <> 'number' OR r.value::text NOT IN ('1', '2', '3', '4')
                ) THEN
                    {_refuse("'self-ratings are an object of behaviour keys to 1, 2, 3 or 4'", "invalid_parameter_value")};
                END IF;
                SELECT s.id INTO draft FROM {HOME}.self_assessment s
                WHERE s.agent_id = me AND s.submitted_at IS NULL ORDER BY s.updated_at DESC LIMIT 1;
                IF draft IS NULL THEN
                    INSERT INTO {HOME}.self_assessment (agent_id, session_on, strengths, struggles, want_to_work_on,
                                                        ratings, updated_at)
                    VALUES (me, p_session_on, coalesce(p_strengths, ''), coalesce(p_struggles, ''),
                            coalesce(p_want_to_work_on, ''), p_ratings, now())
                    RETURNING id INTO draft;
                ELSE
                    UPDATE {HOME}.self_assessment s SET session_on = p_session_on, strengths = coalesce(p_strengths, ''),
                        struggles = coalesce(p_struggles, ''), want_to_work_on = coalesce(p_want_to_work_on, ''),
                        ratings = p_ratings, updated_at = now()
                    WHERE s.id = draft;
                END IF;
                RETURN draft;
            END
        $$""",
        # Submitting before a session earns Listened first and points: for a
        # session soon (today, give or take a day for the agent's zone, to 60
        # days on) and with words in it, made now, and then history.
        f"""CREATE FUNCTION {ACCESS}.submit_self_assessment() RETURNS integer LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
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
                IF NOT (pending.strengths ~ '{WORDS}' OR pending.struggles ~ '{WORDS}'
                        OR pending.want_to_work_on ~ '{WORDS}') THEN
                    {_refuse("'a self-assessment has words in at least one box'", "check_violation")};
                END IF;
                UPDATE {HOME}.self_assessment s SET submitted_at = now(), updated_at = now() WHERE s.id = pending.id;
                RETURN pending.id;
            END
        $$""",
        # NULL flips the choice.
        f"""CREATE FUNCTION {ACCESS}.set_opt_out(p_anonymous boolean) RETURNS boolean
            LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
            DECLARE
                me text := {ACCESS}.writing_agent();
                chosen boolean;
            BEGIN
                UPDATE {HOME}.agent a SET leaderboard_opt_out = coalesce(p_anonymous, NOT a.leaderboard_opt_out)
                WHERE a.id = me RETURNING a.leaderboard_opt_out INTO chosen;
                RETURN chosen;
            END
        $$""",
    ]


def _board() -> list[str]:
    """The leaderboard for the app's named periods, in the team's time zone, with day boundaries."""

    def key(agent: str, opt_out: str) -> str:
        # A masked colleague gets a key that joins one figure to another within
        # one period, changes with the next, and cannot be turned back into an id.
        return (
            f"CASE WHEN v.restricted AND {opt_out} AND {agent} IS DISTINCT FROM v.own_agent "
            f"THEN 'anonymous ' || substr(md5(v.salt || {agent}), 1, 20) ELSE {agent}::text END"
        )

    def withheld(agent: str, calls: str) -> str:
        """A colleague's figure resting on fewer calls than the minimum is nobody else's to read."""
        return f"(v.restricted AND {agent} IS DISTINCT FROM v.own_agent AND {calls} < v.min_calls)"

    in_team = "(p_team IS NULL OR a.team_id = p_team)"
    returns = "LANGUAGE sql STABLE " + DEFINER
    return [
        f"""CREATE TABLE {ACCESS}.board_rules (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            time_zone text NOT NULL,
            min_calls integer NOT NULL CHECK (min_calls BETWEEN 1 AND 1000),
            clock timestamptz
        )""",
        f"""INSERT INTO {ACCESS}.board_rules (time_zone, min_calls)
            SELECT CASE WHEN current_setting('TimeZone') IN (SELECT name FROM pg_timezone_names)
                        THEN current_setting('TimeZone') ELSE 'UTC' END, 3""",
        f"""COMMENT ON TABLE {ACCESS}.board_rules IS
            'The board logins read: periods start at midnight in time_zone; ranked from min_calls calls; '
            'clock NULL follows the server, a moment shows the boards as of then (a demo or a test)'""",
        f"""CREATE FUNCTION {ACCESS}.board_settings(OUT time_zone text, OUT min_calls integer, OUT now_at timestamptz)
            {returns} AS $$
            SELECT r.time_zone, r.min_calls, coalesce(r.clock, now()) FROM {ACCESS}.board_rules r
        $$""",
        # Mirrors store.leaderboard.period_window and previous_window: days are
        # counted on the calendar in the team's zone, whatever the session's.
        f"""CREATE FUNCTION {ACCESS}.board_window(p_period text, p_span text, OUT start_at timestamptz, OUT end_at timestamptz)
            LANGUAGE plpgsql STABLE {DEFINER} AS $$
            DECLARE
                rules record;
                today date;
                first_day date;
                previous_day date;
            BEGIN
                SELECT * INTO rules FROM {ACCESS}.board_settings();
                today := (rules.now_at AT TIME ZONE rules.time_zone)::date;
                CASE p_period
                    WHEN 'this_week' THEN
                        first_day := today - (extract(isodow FROM today)::integer - 1);
                        previous_day := first_day - 7;
                    WHEN 'this_month' THEN
                        first_day := date_trunc('month', today::timestamp)::date;
                        previous_day := date_trunc('month', (first_day - 1)::timestamp)::date;
                    WHEN 'last_7_days' THEN
                        first_day := today - 6;
                        previous_day := first_day - 7;
                    WHEN 'last_30_days' THEN
                        first_day := today - 29;
                        previous_day := first_day - 30;
                    ELSE
                        {_refuse("'the board has the periods this_week, last_7_days, last_30_days and this_month'", "invalid_parameter_value")};
                END CASE;
                CASE p_span
                    WHEN 'current' THEN
                        start_at := first_day::timestamp AT TIME ZONE rules.time_zone;
                        end_at := rules.now_at;
                    WHEN 'previous' THEN
                        start_at := previous_day::timestamp AT TIME ZONE rules.time_zone;
                        end_at := first_day::timestamp AT TIME ZONE rules.time_zone;
                    WHEN 'baseline' THEN
                        start_at := (first_day - 30)::timestamp AT TIME ZONE rules.time_zone;
                        end_at := first_day::timestamp AT TIME ZONE rules.time_zone;
                    WHEN 'previous_baseline' THEN
                        start_at := (previous_day - 30)::timestamp AT TIME ZONE rules.time_zone;
                        end_at := previous_day::timestamp AT TIME ZONE rules.time_zone;
                    ELSE
                        {_refuse("'a span is current, previous, baseline or previous_baseline'", "invalid_parameter_value")};
                END CASE;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_viewer(
                p_period text, OUT restricted boolean, OUT own_agent text, OUT salt text, OUT min_calls integer)
            LANGUAGE plpgsql STABLE {DEFINER} AS $$
            BEGIN
                restricted := {ACCESS}.restricted();
                own_agent := {ACCESS}.own_agent();
                -- Restricted but not mapped here: a login of another database on the server.
                IF (restricted AND NOT {ACCESS}.mapped())
                    OR (NOT restricted AND NOT has_table_privilege(session_user, '{HOME}.agent', 'SELECT')) THEN
                    {_refuse("'permission denied: ' || session_user || ' may not read the leaderboard'")};
                END IF;
                -- The window's start as a number: its text form would follow the session's DateStyle and
                -- TimeZone, which a login can set so that two windows print alike and share a key.
                SELECT b.secret || p_period || extract(epoch FROM w.start_at)::bigint::text INTO salt
                FROM {ACCESS}.board_secret b, {ACCESS}.board_window(p_period, 'current') w LIMIT 1;
                SELECT r.min_calls INTO min_calls FROM {ACCESS}.board_rules r;
            END
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_agents(p_period text, p_team text)
            RETURNS TABLE (agent_key text, agent_name text, team_id text, opt_out boolean) {returns} AS $$
            SELECT {key('a.id', 'a.leaderboard_opt_out')},
                   CASE WHEN v.restricted AND a.leaderboard_opt_out AND a.id IS DISTINCT FROM v.own_agent
                        THEN 'Anonymous' ELSE a.name::text END,
                   a.team_id::text, a.leaderboard_opt_out
            FROM {HOME}.agent a CROSS JOIN {ACCESS}.board_viewer(p_period) v
            WHERE {in_team}
            ORDER BY 1
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_scores(p_period text, p_span text, p_team text)
            RETURNS TABLE (agent_key text, calls bigint, mean_score double precision) {returns} AS $$
            SELECT {key('e.agent_id', 'a.leaderboard_opt_out')}, count(*),
                   CASE WHEN {withheld('e.agent_id', 'count(*)')} THEN NULL ELSE avg(e.score) END
            FROM {HOME}.evaluation e
            JOIN {HOME}.agent a ON a.id = e.agent_id
            CROSS JOIN {ACCESS}.board_viewer(p_period) v
            CROSS JOIN {ACCESS}.board_window(p_period, p_span) w
            WHERE e.occurred_at >= w.start_at AND e.occurred_at < w.end_at AND {in_team}
            GROUP BY e.agent_id, a.leaderboard_opt_out, v.restricted, v.own_agent, v.salt, v.min_calls
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_points(p_period text, p_span text, p_team text)
            RETURNS TABLE (agent_key text, points bigint) {returns} AS $$
            WITH w AS (
                SELECT w.start_at, w.end_at,
                       (w.start_at AT TIME ZONE r.time_zone)::date AS first_day,
                       ((w.end_at - interval '1 microsecond') AT TIME ZONE r.time_zone)::date AS last_day
                FROM {ACCESS}.board_window(p_period, p_span) w CROSS JOIN {ACCESS}.board_settings() r
            ), calls AS (
                SELECT e.agent_id, count(*) AS n FROM {HOME}.evaluation e CROSS JOIN w
                WHERE e.occurred_at >= w.start_at AND e.occurred_at < w.end_at GROUP BY e.agent_id
            )
            SELECT {key('p.agent_id', 'a.leaderboard_opt_out')},
                   sum(p.points)
            FROM {HOME}.points_entry p
            JOIN {HOME}.agent a ON a.id = p.agent_id
            LEFT JOIN calls c ON c.agent_id = p.agent_id
            CROSS JOIN w
            CROSS JOIN {ACCESS}.board_viewer(p_period) v
            WHERE p.day >= w.first_day AND p.day <= w.last_day AND {in_team}
              -- Below the minimum, not even whether they earned anything is anyone else's to read.
              AND NOT {withheld('p.agent_id', 'coalesce(c.n, 0)')}
            GROUP BY p.agent_id, a.leaderboard_opt_out, c.n, v.restricted, v.own_agent, v.salt, v.min_calls
        $$""",
        # Each agent's latest goal worked on in the span, and how its behaviour
        # went there against the goal's baseline, on the calls since the goal
        # started and until it stuck (mirrors store.leaderboard._goal_figures):
        # the gain alone, never the counts of met and missed.
        f"""CREATE FUNCTION {ACCESS}.board_goal_gains(p_period text, p_span text, p_team text)
            RETURNS TABLE (agent_key text, calls bigint, has_baseline boolean, gain double precision, stuck boolean)
            {returns} AS $$
            WITH w AS (
                SELECT * FROM {ACCESS}.board_window(p_period, p_span)
            ), latest AS (
                SELECT DISTINCT ON (g.agent_id) g.agent_id, g.criterion_id, g.baseline_met, g.baseline_applicable,
                       g.started_at,
                       coalesce(g.mastered_at, CASE WHEN g.status = 'mastered' THEN g.ended_at END) AS stuck_at
                FROM {HOME}.goal g JOIN {HOME}.agent a ON a.id = g.agent_id CROSS JOIN w
                WHERE g.status <> 'dropped' AND g.started_at < w.end_at
                  AND (g.ended_at IS NULL OR g.status = 'active' OR g.ended_at >= w.start_at)
                  AND {in_team}
                ORDER BY g.agent_id, g.started_at DESC, g.id
            ), period_calls AS (
                SELECT e.agent_id, count(*) AS n FROM {HOME}.evaluation e CROSS JOIN w
                WHERE e.occurred_at >= w.start_at AND e.occurred_at < w.end_at GROUP BY e.agent_id
            ), counts AS (
                SELECT l.agent_id, count(*) AS calls,
                       sum(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END) AS met,
                       sum(CASE WHEN r.outcome IN ('met', 'missed') THEN 1 ELSE 0 END) AS applicable
                FROM latest l
                CROSS JOIN w
                JOIN {HOME}.evaluation e ON e.agent_id = l.agent_id
                LEFT JOIN {HOME}.criterion_result r ON r.evaluation_id = e.id AND r.criterion_id = l.criterion_id
                WHERE e.occurred_at >= w.start_at AND e.occurred_at >= l.started_at AND e.occurred_at < w.end_at
                  AND (l.stuck_at IS NULL OR e.occurred_at <= l.stuck_at)
                GROUP BY l.agent_id
            )
            SELECT {key('l.agent_id', 'a.leaderboard_opt_out')}, coalesce(c.calls, 0), l.baseline_applicable > 0,
                   CASE WHEN l.baseline_applicable = 0 OR {withheld('l.agent_id', 'coalesce(c.calls, 0)')} THEN NULL
                        WHEN coalesce(c.applicable, 0) = 0 THEN 0.0
                        ELSE c.met::double precision / c.applicable
                             - l.baseline_met::double precision / l.baseline_applicable END,
                   coalesce(l.stuck_at < w.start_at, false)
            FROM latest l
            JOIN {HOME}.agent a ON a.id = l.agent_id
            LEFT JOIN counts c ON c.agent_id = l.agent_id
            JOIN period_calls n ON n.agent_id = l.agent_id
            CROSS JOIN w
            CROSS JOIN {ACCESS}.board_viewer(p_period) v
            -- Whether someone with fewer calls than the minimum in the period has a goal is nobody's to read:
            -- the board says only "2 of 3 calls" of them (store.leaderboard does the same for everyone).
            WHERE n.n >= v.min_calls
        $$""",
        f"""CREATE FUNCTION {ACCESS}.board_team_sizes() RETURNS TABLE (team_id text, agents bigint) {returns} AS $$
            SELECT a.team_id::text, count(*) FROM {HOME}.agent a CROSS JOIN {ACCESS}.board_viewer('this_week') v
            GROUP BY a.team_id
        $$""",
    ]


def _planned(statement: str) -> str:
    """A board function as PL/pgSQL: the viewer and the window worked out first, then one query.

    The query then compares calls' times with known instants, which an index
    answers, where joined to the functions that give them it would read every call."""
    head, _, rest = statement.partition(f"{returns_sql()} AS $$")
    body, _, _ = rest.rpartition("$$")
    span = "p_span" in head
    body = body.replace(f"CROSS JOIN {ACCESS}.board_viewer(p_period) v", _VIEWER)
    body = body.replace(f"SELECT * FROM {ACCESS}.board_window(p_period, p_span)", _WINDOW_ROW)
    body = body.replace(f"{ACCESS}.board_window(p_period, p_span) w", f"({_WINDOW_ROW}) w")
    window = f"SELECT * INTO vw FROM {ACCESS}.board_window(p_period, p_span);" if span else ""
    return f"""{head}LANGUAGE plpgsql STABLE {DEFINER} AS $$
        #variable_conflict use_column
        DECLARE
            vv record;
            vw record;
        BEGIN
            SELECT * INTO vv FROM {ACCESS}.board_viewer(p_period);
            {window}
            RETURN QUERY {body.strip()};
        END
    $$"""


_VIEWER = (
    "CROSS JOIN (SELECT vv.restricted AS restricted, vv.own_agent AS own_agent, vv.salt AS salt,"
    " vv.min_calls AS min_calls) v"
)
_WINDOW_ROW = "SELECT vw.start_at AS start_at, vw.end_at AS end_at"


def returns_sql() -> str:
    return "LANGUAGE sql STABLE " + DEFINER


_PLANNED = re.compile(r"CREATE FUNCTION nextcall_access\.board_(agents|scores|points|goal_gains)\(")
"""The board functions that read the calls: planned by `_planned`."""

READERS = (
    *(f"scope_{table}()" for table in TABLES),
    "scope_agents()", "mapped()", "team_prior(text, text)",
    "board_settings()", "board_window(text, text)", "board_agents(text, text)",
    "board_scores(text, text, text)", "board_points(text, text, text)", "board_goal_gains(text, text, text)",
    "board_team_sizes()",
)
"""What every agent's and lead's login may call: its own rows and the board (never `board_viewer`, whose salt
would turn a masked key back into an id)."""

WRITERS = (
    "writing_agent()", "start_goal(integer, integer, integer)", "end_goal(text, timestamptz, text)",
    "save_draft(date, text, text, text, json)", "submit_self_assessment()", "set_opt_out(boolean)",
)
"""What an agent's login may call to change its own rows."""


def _ensure_groups() -> str:
    """The group roles and what they hold: the scope views and these functions, nothing on a table.

    Run again by every grant, so a server whose migrating role could not
    create roles gets them later; it takes back whatever earlier revisions
    granted on the tables."""
    readers = ", ".join(f"{ACCESS}.{f}" for f in READERS)
    writers = ", ".join(f"{ACCESS}.{f}" for f in WRITERS)
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


def _move_home() -> list[str]:
    """The tables into the schema `nextcall`, where only the owner creates; a new store made them there already."""
    bind = op.get_bind()
    where = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid = pg_catalog.to_regclass('alembic_version')"
    ).scalar()
    statements = [f"CREATE SCHEMA IF NOT EXISTS {HOME}"]
    if where is not None and where != HOME:
        quoted = bind.exec_driver_sql("SELECT pg_catalog.quote_ident(%s)", (where,)).scalar()
        statements += [f"ALTER TABLE {quoted}.{table} SET SCHEMA {HOME}" for table in TABLES]
    statements.append(f"SELECT pg_catalog.set_config('search_path', '{HOME}, pg_catalog, pg_temp', true)")
    return statements


def _rebuilt_checks() -> list[str]:
    """Revision 0005's baseline and goal check, reading the tables where they now live."""
    return [
        f"""CREATE OR REPLACE FUNCTION {ACCESS}.goal_baseline(
                p_agent text, p_criterion integer, p_started timestamptz, p_window integer,
                OUT met integer, OUT applicable integer)
            LANGUAGE sql STABLE {DEFINER} AS $$
            SELECT count(*) FILTER (WHERE b.outcome = 'met')::integer, count(*)::integer
            FROM (
                SELECT r.outcome
                FROM {HOME}.criterion_result r
                JOIN {HOME}.evaluation e ON e.id = r.evaluation_id
                WHERE e.agent_id = p_agent AND r.criterion_id = p_criterion
                  AND r.outcome <> 'na' AND e.occurred_at < p_started
                ORDER BY e.occurred_at DESC, e.id DESC
                LIMIT p_window
            ) b
        $$""",
    ]


def upgrade() -> None:
    # When a goal stuck, as recognition derives it from the calls: goal progress
    # on the leaderboard counts a goal's calls from its start until then. Filled
    # in for each agent by the next import of their calls or `nextcall db refresh`.
    with op.batch_alter_table("goal") as goal:
        goal.add_column(sa.Column("mastered_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    statements = [
        *_move_home(),
        *_rebuilt_checks(),
        # Revision 0004's window functions read any span a caller asked for.
        f"DROP FUNCTION {ACCESS}.board_agents(text)",
        f"DROP FUNCTION {ACCESS}.board_scores(timestamptz, timestamptz, text)",
        f"DROP FUNCTION {ACCESS}.board_points(date, date, text)",
        f"DROP FUNCTION {ACCESS}.board_goal_rates(timestamptz, timestamptz, text)",
        f"DROP FUNCTION {ACCESS}.board_team_sizes()",
        f"DROP FUNCTION {ACCESS}.board_viewer()",
        # Writers take turns on a row no login can lock.
        f"""CREATE TABLE {ACCESS}.writer_turn (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row))""",
        f"INSERT INTO {ACCESS}.writer_turn DEFAULT VALUES",
        *[_planned(statement) if _PLANNED.search(statement) else statement for statement in _board()],
        *_scope_functions(),
        *_writes(),
        _ensure_groups(),
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {ACCESS} FROM PUBLIC",
        # Row-level security (revision 0004) still guards roles given table
        # privileges by hand; its policies call these for whoever queries.
        f"GRANT EXECUTE ON FUNCTION {ACCESS}.restricted(), {ACCESS}.own_agent(), {ACCESS}.led_team() TO PUBLIC",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ACCESS} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {HOME} FROM PUBLIC",
        f"""DO $$ BEGIN
            PERFORM {ACCESS}.ensure_groups();
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'nextcall: agent logins need a role that may grant; run nextcall admin grant as the owner';
        END $$""",
    ]
    for statement in statements:
        bind.exec_driver_sql(statement, execution_options={"no_parameters": True})


def downgrade() -> None:
    raise NotImplementedError("nextcall's schema is only ever upgraded: restore a backup taken before revision 0006")
