"""A login's team prior reads each colleague's latest calls, then the latest of those.

Revision 0006's `nextcall_access.team_prior` asked for the team's latest 300
calls on a scorecard at once. With the server's statistics PostgreSQL answers
that by walking every call in the store from the newest, looking for the
team's: at 5,000 agents, most of Home's time through a login. Each colleague's
latest calls come first now, by (agent, time), as `store.queries._team_calls`
reads them for the owner; the sums and the rule of at least five colleagues
are revision 0006's. The function keeps its name, arguments and grants.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

HOME = "nextcall"
ACCESS = "nextcall_access"
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

WHOSE = f"""whose AS (
                SELECT a.id::text AS agent_id, a.team_id::text AS team_id FROM {HOME}.agent a
                WHERE a.id = p_agent AND a.id = ANY ({ACCESS}.scope_agents())
            )"""

TEAM_AT_ONCE = f"""calls AS (
                SELECT e.id, e.agent_id, e.csat, e.first_contact_resolution
                FROM {HOME}.evaluation e JOIN {HOME}.agent a ON a.id = e.agent_id CROSS JOIN whose w
                WHERE a.team_id = w.team_id AND e.agent_id <> w.agent_id AND e.scorecard_id = p_scorecard
                ORDER BY e.occurred_at DESC, e.id DESC
                LIMIT 300
            )"""
"""Revision 0006's: the team's latest calls at once."""

PER_COLLEAGUE = f"""colleague AS (
                SELECT a.id FROM {HOME}.agent a CROSS JOIN whose w WHERE a.team_id = w.team_id AND a.id <> w.agent_id
            ), calls AS (
                SELECT k.id, k.agent_id, k.csat, k.first_contact_resolution
                FROM colleague c CROSS JOIN LATERAL (
                    SELECT e.id, e.agent_id, e.csat, e.first_contact_resolution, e.occurred_at
                    FROM {HOME}.evaluation e
                    WHERE e.agent_id = c.id AND e.scorecard_id = p_scorecard
                    ORDER BY e.occurred_at DESC, e.id DESC
                    LIMIT 300
                ) k
                ORDER BY k.occurred_at DESC, k.id DESC
                LIMIT 300
            )"""


def _team_prior(calls: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {ACCESS}.team_prior(p_agent text, p_scorecard text)
            RETURNS TABLE (criterion_key text, missed bigint, applicable bigint,
                           csat_met_sum bigint, csat_met_n bigint, csat_missed_sum bigint, csat_missed_n bigint,
                           fcr_met_sum bigint, fcr_met_n bigint, fcr_missed_sum bigint, fcr_missed_n bigint)
            LANGUAGE sql STABLE {DEFINER} AS $$
            WITH {WHOSE}, {calls}, enough AS (
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
        $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_team_prior(PER_COLLEAGUE))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_team_prior(TEAM_AT_ONCE))
