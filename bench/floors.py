"""Floors for the screens and boards: one hand-written SQL statement per screen's data, one GROUP BY per board.

Each floor returns the figures its screen shows for one agent (or its board
shows for a team or everyone), read straight from the tables through the
same engine and connection pool the store uses. `check_*` asserts that a
floor's figures are the store's, so a floor that did less work than the
screen cannot pass for one.

Statements are written once with `:name` parameters and run on SQLite and
PostgreSQL alike (no casts, no dialect functions). One mark is SQLite's own:
`+scorecard_id` (`{scorecard}` below) keeps SQLite, which has no statistics,
from walking every call of the scorecard for a team's latest calls when the
agent/time index holds the scorecard; PostgreSQL reads plain `scorecard_id`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine

FOCUS_WINDOW = 30
TEAM_WINDOW = 300
PAGE = 500


def run(engine: Engine, sql: str, **params: Any) -> list[tuple]:
    """One statement through the engine's pool, as the store's queries get their connections."""
    sql = sql.replace("{scorecard}", "scorecard_id" if engine.dialect.name == "postgresql" else "+scorecard_id")
    if engine.dialect.name == "postgresql":
        sql = re.sub(r"(?<!:):([a-z_][a-z0-9_]*)", r"%(\1)s", sql)
        params = {k: v for k, v in params.items()}
    else:
        params = {k: _sqlite_value(v) for k, v in params.items()}
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql, params).all()]


def _sqlite_value(value: Any) -> Any:
    # The store keeps instants as naive UTC text in SQLite ('2026-01-05 08:00:00.000000').
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


# ------------------------------------------------------------------ screens

HOME = """
WITH me AS (
  SELECT a.id, a.name, a.team_id, t.name AS team_name FROM agent a JOIN team t ON t.id = a.team_id WHERE a.id = :agent
), latest AS (
  SELECT id, call_id, scorecard_id, score FROM evaluation WHERE agent_id = :agent
  ORDER BY occurred_at DESC, call_id DESC LIMIT 1
), recent AS (
  SELECT id FROM evaluation WHERE agent_id = :agent AND scorecard_id = (SELECT scorecard_id FROM latest)
  ORDER BY occurred_at DESC, call_id DESC LIMIT 30
), rates AS (
  SELECT criterion_id, SUM(CASE WHEN outcome = 'met' THEN 1 ELSE 0 END) AS met,
         SUM(CASE WHEN outcome <> 'na' THEN 1 ELSE 0 END) AS applicable
  FROM criterion_result WHERE evaluation_id IN (SELECT id FROM recent) GROUP BY criterion_id
), team_calls AS (
  SELECT id, csat, first_contact_resolution AS fcr FROM evaluation
  WHERE agent_id IN (SELECT id FROM agent WHERE team_id = (SELECT team_id FROM me) AND id <> :agent)
    AND {scorecard} = (SELECT scorecard_id FROM latest)
  ORDER BY occurred_at DESC, id DESC LIMIT 300
), team_prior AS (
  SELECT r.criterion_id, SUM(CASE WHEN r.outcome = 'missed' THEN 1 ELSE 0 END) AS missed,
         SUM(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END) AS applicable,
         AVG(CASE WHEN r.outcome = 'met' THEN tc.csat END) AS csat_met,
         AVG(CASE WHEN r.outcome = 'missed' THEN tc.csat END) AS csat_missed
  FROM criterion_result r JOIN team_calls tc ON tc.id = r.evaluation_id GROUP BY r.criterion_id
), last_results AS (
  SELECT criterion_id, outcome,
         SUM(CASE WHEN outcome = 'met' THEN 1 ELSE 0 END) OVER () AS met,
         SUM(CASE WHEN outcome = 'missed' THEN 1 ELSE 0 END) OVER () AS missed
  FROM criterion_result WHERE evaluation_id = (SELECT id FROM latest)
), goal_since AS (
  SELECT g.criterion_id, SUM(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END) AS met,
         SUM(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END) AS applicable
  FROM goal g JOIN evaluation e ON e.agent_id = g.agent_id AND e.occurred_at >= g.started_at
  JOIN criterion_result r ON r.evaluation_id = e.id AND r.criterion_id = g.criterion_id
  WHERE g.agent_id = :agent AND g.status = 'active' GROUP BY g.criterion_id
)
SELECT c.key, me.name, me.team_name, (SELECT COUNT(*) FROM evaluation WHERE agent_id = :agent) AS calls,
       latest.call_id, latest.score, lr.met AS last_met, lr.missed AS last_missed, lr.outcome AS last_outcome,
       rates.met, rates.applicable, tp.missed, tp.applicable, tp.csat_met, tp.csat_missed,
       gs.met AS goal_met, gs.applicable AS goal_applicable,
       (SELECT e.call_id FROM evaluation e JOIN criterion_result r ON r.evaluation_id = e.id
        WHERE e.agent_id = :agent AND r.criterion_id = c.id AND r.outcome = 'missed'
        ORDER BY e.occurred_at DESC LIMIT 1) AS latest_miss
FROM criterion c CROSS JOIN me CROSS JOIN latest
LEFT JOIN rates ON rates.criterion_id = c.id LEFT JOIN team_prior tp ON tp.criterion_id = c.id
LEFT JOIN last_results lr ON lr.criterion_id = c.id LEFT JOIN goal_since gs ON gs.criterion_id = c.id
WHERE c.scorecard_id = latest.scorecard_id ORDER BY c.position
"""


def home(engine: Engine, agent: str) -> list[tuple]:
    return run(engine, HOME, agent=agent)


def check_home(view: Any, rows: list[tuple]) -> None:
    by_key = {row[0]: row for row in rows}
    first = rows[0]
    assert view.agent.name == first[1] and view.evaluation_count == first[3], "home: agent or count"
    assert view.last_call.call_id == first[4] and _close(view.last_call.score, first[5]), "home: last call"
    assert (view.last_call.met, view.last_call.missed) == (first[6] or 0, first[7] or 0), "home: last call's counts"
    for rate in view.behaviours:
        row = by_key[rate.criterion.key]
        assert (rate.met, rate.applicable) == (row[9] or 0, row[10] or 0), f"home: rate of {rate.criterion.key}"
    if view.focus is not None and view.latest_miss is not None:
        assert view.latest_miss.call_id == by_key[view.focus.criterion.key][17], "home: latest miss"
    if view.goal is not None:
        row = by_key[view.goal.criterion.key]
        assert view.goal.applicable == (row[16] or 0), "home: goal's applicable calls"


PAGE_SQL = """
WITH page AS (
  SELECT id, call_id, occurred_at, channel, duration_s, scorecard_id, score, critical_missed, csat,
         first_contact_resolution FROM evaluation WHERE agent_id = :agent
  ORDER BY occurred_at DESC, id DESC LIMIT 500
)
SELECT p.id, p.call_id, p.occurred_at, p.channel, p.duration_s, p.scorecard_id, p.score, p.critical_missed, p.csat,
       p.first_contact_resolution,
       SUM(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END), SUM(CASE WHEN r.outcome = 'missed' THEN 1 ELSE 0 END),
       (SELECT COUNT(*) FROM evaluation WHERE agent_id = :agent) AS total
FROM page p LEFT JOIN criterion_result r ON r.evaluation_id = p.id
GROUP BY p.id, p.call_id, p.occurred_at, p.channel, p.duration_s, p.scorecard_id, p.score, p.critical_missed, p.csat,
         p.first_contact_resolution
ORDER BY p.occurred_at DESC, p.id DESC
"""

FILTERED_SQL = """
WITH page AS (
  SELECT e.id, e.call_id, e.occurred_at, e.channel, e.duration_s, e.scorecard_id, e.score, e.critical_missed, e.csat,
         e.first_contact_resolution, v.outcome AS on_behaviour, COUNT(*) OVER () AS total
  FROM evaluation e JOIN criterion_result v ON v.evaluation_id = e.id AND v.outcome <> 'na'
       AND v.criterion_id IN (SELECT id FROM criterion WHERE key = :behaviour)
  WHERE e.agent_id = :agent ORDER BY e.occurred_at DESC, e.id DESC LIMIT 500
)
SELECT p.id, p.call_id, p.occurred_at, p.channel, p.duration_s, p.scorecard_id, p.score, p.critical_missed, p.csat,
       p.first_contact_resolution,
       SUM(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END), SUM(CASE WHEN r.outcome = 'missed' THEN 1 ELSE 0 END),
       p.total, p.on_behaviour
FROM page p LEFT JOIN criterion_result r ON r.evaluation_id = p.id
GROUP BY p.id, p.call_id, p.occurred_at, p.channel, p.duration_s, p.scorecard_id, p.score, p.critical_missed, p.csat,
         p.first_contact_resolution, p.on_behaviour, p.total
ORDER BY p.occurred_at DESC, p.id DESC
"""


def page(engine: Engine, agent: str) -> list[tuple]:
    return run(engine, PAGE_SQL, agent=agent)


def filtered(engine: Engine, agent: str, behaviour: str = "verify") -> list[tuple]:
    return run(engine, FILTERED_SQL, agent=agent, behaviour=behaviour)


def check_page(view: Any, rows: list[tuple]) -> None:
    assert view.total == rows[0][12], "page: total"
    assert [(r.call_id, r.met, r.missed) for r in view.rows] == [(row[1], row[10], row[11]) for row in rows], "page: rows"
    if len(rows[0]) > 13:
        assert {k: v.value for k, v in view.outcomes.items()} == {row[1]: row[13] for row in rows}, "page: outcomes"


GOAL_SQL = """
WITH me AS (SELECT id, team_id FROM agent WHERE id = :agent),
latest AS (
  SELECT scorecard_id FROM evaluation WHERE agent_id = :agent ORDER BY occurred_at DESC, call_id DESC LIMIT 1
), recent AS (
  SELECT id FROM evaluation WHERE agent_id = :agent AND scorecard_id = (SELECT scorecard_id FROM latest)
  ORDER BY occurred_at DESC, call_id DESC LIMIT 30
), rates AS (
  SELECT criterion_id, SUM(CASE WHEN outcome = 'missed' THEN 1 ELSE 0 END) AS missed,
         SUM(CASE WHEN outcome <> 'na' THEN 1 ELSE 0 END) AS applicable
  FROM criterion_result WHERE evaluation_id IN (SELECT id FROM recent) GROUP BY criterion_id
), team_calls AS (
  SELECT id, csat FROM evaluation
  WHERE agent_id IN (SELECT id FROM agent WHERE team_id = (SELECT team_id FROM me) AND id <> :agent)
    AND {scorecard} = (SELECT scorecard_id FROM latest)
  ORDER BY occurred_at DESC, id DESC LIMIT 300
), team_prior AS (
  SELECT r.criterion_id, SUM(CASE WHEN r.outcome = 'missed' THEN 1 ELSE 0 END) AS missed,
         SUM(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END) AS applicable
  FROM criterion_result r JOIN team_calls tc ON tc.id = r.evaluation_id GROUP BY r.criterion_id
), g AS (
  SELECT id, criterion_id, started_at, target_window FROM goal WHERE agent_id = :agent AND status = 'active'
), after_start AS (
  SELECT SUM(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END) AS met, COUNT(*) AS applicable,
         AVG(e.csat) AS csat, AVG(CASE WHEN e.first_contact_resolution THEN 1.0 ELSE 0.0 END) AS fcr
  FROM g JOIN evaluation e ON e.agent_id = :agent AND e.occurred_at >= g.started_at
  JOIN criterion_result r ON r.evaluation_id = e.id AND r.criterion_id = g.criterion_id AND r.outcome <> 'na'
), before_calls AS (
  SELECT e.id, e.csat, r.outcome FROM g JOIN evaluation e ON e.agent_id = :agent AND e.occurred_at < g.started_at
  JOIN criterion_result r ON r.evaluation_id = e.id AND r.criterion_id = g.criterion_id AND r.outcome <> 'na'
  ORDER BY e.occurred_at DESC, e.id DESC LIMIT 10
), before_start AS (
  SELECT COUNT(*) AS calls, SUM(CASE WHEN outcome = 'met' THEN 1 ELSE 0 END) AS met, AVG(csat) AS csat FROM before_calls
)
SELECT c.key, rates.missed, rates.applicable, tp.missed, tp.applicable,
       (SELECT COUNT(*) FROM evaluation WHERE agent_id = :agent) AS calls,
       g.id, a.met, a.applicable, a.csat, a.fcr, b.calls, b.met, b.csat
FROM criterion c CROSS JOIN latest LEFT JOIN rates ON rates.criterion_id = c.id
LEFT JOIN team_prior tp ON tp.criterion_id = c.id
LEFT JOIN g ON g.criterion_id = c.id LEFT JOIN after_start a ON g.id IS NOT NULL
LEFT JOIN before_start b ON g.id IS NOT NULL
WHERE c.scorecard_id = latest.scorecard_id ORDER BY c.position
"""


def goal(engine: Engine, agent: str) -> list[tuple]:
    return run(engine, GOAL_SQL, agent=agent)


def check_goal(view: Any, rows: list[tuple]) -> None:
    assert view.evaluation_count == rows[0][5], "goal: count"
    by_key = {row[0]: row for row in rows}
    for suggestion in view.state.suggestions:
        row = by_key[suggestion.criterion.key]
        assert (suggestion.missed, suggestion.applicable) == (row[1] or 0, row[2] or 0), "goal: suggestion figures"
    goal_view = view.state.goal
    if goal_view is not None:
        row = by_key[goal_view.criterion.key]
        after, before = goal_view.effectiveness.after, goal_view.effectiveness.before
        assert row[6] == goal_view.id, "goal: which goal"
        assert (after.met, after.applicable, goal_view.applicable) == (row[7] or 0, row[8] or 0, row[8] or 0), "goal: since"
        assert _close(after.mean_csat, row[9]) and _close(after.fcr_rate, row[10]), "goal: csat, fcr since"
        assert (before.calls, before.met) == (row[11], row[12] or 0) and _close(before.mean_csat, row[13]), "goal: before"
    else:
        assert all(row[6] is None for row in rows)


BADGES_SQL = """
WITH history AS (
  SELECT e.id, e.occurred_at, e.score,
         SUM(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END) AS applicable,
         SUM(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END) AS met,
         SUM(CASE WHEN c.critical AND r.outcome = 'missed' THEN 1 ELSE 0 END) AS critical_missed
  FROM evaluation e JOIN criterion_result r ON r.evaluation_id = e.id JOIN criterion c ON c.id = r.criterion_id
  WHERE e.agent_id = :agent GROUP BY e.id, e.occurred_at, e.score
), awards AS (
  SELECT b.badge_id, b.awarded_at, e.call_id FROM badge_award b LEFT JOIN evaluation e ON e.id = b.evaluation_id
  WHERE b.agent_id = :agent
), points AS (
  SELECT source, SUM(points) AS points FROM points_entry WHERE agent_id = :agent GROUP BY source
)
SELECT 'call', CAST(NULL AS VARCHAR(64)), h.occurred_at, h.score, h.applicable, h.met, h.critical_missed,
       CAST(NULL AS VARCHAR(64)) FROM history h
UNION ALL SELECT 'award', badge_id, awarded_at, NULL, NULL, NULL, NULL, call_id FROM awards
UNION ALL SELECT 'points', source, NULL, points, NULL, NULL, NULL, NULL FROM points
ORDER BY 1, 3
"""


def badges(engine: Engine, agent: str) -> list[tuple]:
    return run(engine, BADGES_SQL, agent=agent)


def check_badges(view: Any, rows: list[tuple]) -> None:
    calls = [row for row in rows if row[0] == "call"]
    awards = {row[1]: row[7] for row in rows if row[0] == "award"}
    points = sum(int(row[3]) for row in rows if row[0] == "points")
    assert view.evaluation_count == len(calls), "badges: calls"
    assert {b.id: b.call_id for b in view.badges if b.earned_at is not None} == awards, "badges: awards"
    assert view.points == points, "badges: points"
    perfect = next((b for b in view.badges if b.id == "perfect_call"), None)
    if perfect is not None and perfect.current is not None:
        assert perfect.current >= 0


# ------------------------------------------------------------------- boards


def board_windows(period: Any, now: datetime, zone: tzinfo) -> dict[str, Any]:
    """The four spans a board reads: the period, the one before, and the 30 days before each (most improved)."""
    from nextcall.store.leaderboard import baseline_window, period_window, previous_window

    current = period_window(period, now, zone)
    previous = previous_window(period, now, zone)
    base, previous_base = baseline_window(current, zone), baseline_window(previous, zone)
    first, last = current.local_days(zone)
    pfirst, plast = previous.local_days(zone)
    return {
        "cs": current.start, "ce": current.end, "ps": previous.start, "pe": previous.end,
        "bs": base.start, "be": base.end, "qs": previous_base.start, "qe": previous_base.end,
        "lo": min(current.start, previous.start, base.start, previous_base.start),
        "hi": max(current.end, previous.end, base.end, previous_base.end),
        "d1": first, "d2": last, "p1": pfirst, "p2": plast,
    }


_TEAM = "AND agent_id IN (SELECT id FROM agent WHERE team_id = :team)"


def _span(name: str, a: str, b: str) -> str:
    return (
        f"SUM(CASE WHEN occurred_at >= :{a} AND occurred_at < :{b} THEN 1 ELSE 0 END) AS {name}_calls, "
        f"AVG(CASE WHEN occurred_at >= :{a} AND occurred_at < :{b} THEN score END) AS {name}_mean"
    )


def _scores_sql(spans: list[tuple[str, str, str]], team: bool, lo: str = "lo", hi: str = "hi") -> str:
    return (
        f"SELECT agent_id, {', '.join(_span(*s) for s in spans)} FROM evaluation "
        f"WHERE occurred_at >= :{lo} AND occurred_at < :{hi} {_TEAM if team else ''} GROUP BY agent_id"
    )


def board_sql(metric: str, team: bool) -> str:
    if metric == "quality":
        return _scores_sql([("cur", "cs", "ce"), ("prev", "ps", "pe")], team, "ps", "ce")
    if metric == "improved":
        return _scores_sql([("cur", "cs", "ce"), ("base", "bs", "be"), ("prev", "ps", "pe"), ("pbase", "qs", "qe")], team)
    if metric == "points":
        return (
            f"WITH s AS ({_scores_sql([('cur', 'cs', 'ce'), ('prev', 'ps', 'pe')], team, 'ps', 'ce')}), "
            "p AS (SELECT agent_id, SUM(CASE WHEN day >= :d1 AND day <= :d2 THEN points ELSE 0 END) AS cur_points, "
            "SUM(CASE WHEN day >= :p1 AND day <= :p2 THEN points ELSE 0 END) AS prev_points FROM points_entry "
            f"WHERE day >= :p1 AND day <= :d2 {_TEAM if team else ''} GROUP BY agent_id) "
            "SELECT a.id, s.cur_calls, p.cur_points, s.prev_calls, p.prev_points FROM agent a "
            "LEFT JOIN s ON s.agent_id = a.id LEFT JOIN p ON p.agent_id = a.id"
            + (" WHERE a.team_id = :team" if team else "")
        )
    # goal progress: each agent's latest goal worked on in the window, its behaviour on the calls since it started;
    # the same for the period before, which the board's movement (up, down, new) is ranked from
    stop = "COALESCE(g.mastered_at, CASE WHEN g.status = 'mastered' THEN g.ended_at END)"

    def goals(name: str, start: str, end: str) -> str:
        return (
            f"{name} AS (SELECT g.id, g.agent_id, g.criterion_id, g.started_at, g.baseline_met, g.baseline_applicable, "
            f"{stop} AS stop, ROW_NUMBER() OVER (PARTITION BY g.agent_id ORDER BY g.started_at DESC) AS n FROM goal g "
            f"WHERE g.status <> 'dropped' AND g.started_at < :{end} "
            f"AND (g.ended_at IS NULL OR g.status = 'active' OR g.ended_at >= :{start})"
            + (" AND g.agent_id IN (SELECT id FROM agent WHERE team_id = :team)" if team else "")
            + ")"
        )

    def figures(name: str, goal: str, start: str, end: str) -> str:
        return (
            f"{name} AS (SELECT g.agent_id, COUNT(e.id) AS calls, SUM(CASE WHEN r.outcome = 'met' THEN 1 ELSE 0 END) AS met, "
            "SUM(CASE WHEN r.outcome IN ('met', 'missed') THEN 1 ELSE 0 END) AS applicable "
            f"FROM {goal} g JOIN evaluation e ON e.agent_id = g.agent_id AND e.occurred_at >= :{start} "
            f"AND e.occurred_at >= g.started_at AND e.occurred_at < :{end} AND (g.stop IS NULL OR e.occurred_at <= g.stop) "
            "LEFT JOIN criterion_result r ON r.evaluation_id = e.id AND r.criterion_id = g.criterion_id "
            "WHERE g.n = 1 GROUP BY g.agent_id)"
        )

    return (
        f"WITH s AS ({_scores_sql([('cur', 'cs', 'ce'), ('prev', 'ps', 'pe')], team, 'ps', 'ce')}), "
        f"{goals('g', 'cs', 'ce')}, {figures('f', 'g', 'cs', 'ce')}, {goals('pg', 'ps', 'pe')}, {figures('pf', 'pg', 'ps', 'pe')} "
        "SELECT s.agent_id, s.cur_calls, g.id, f.calls, f.met, f.applicable, g.baseline_met, g.baseline_applicable, "
        "CASE WHEN g.stop < :cs THEN 1 ELSE 0 END AS stuck, "
        "s.prev_calls, pg.id, pf.calls, pf.met, pf.applicable, pg.baseline_met, pg.baseline_applicable, "
        "CASE WHEN pg.stop < :ps THEN 1 ELSE 0 END AS prev_stuck "
        "FROM s LEFT JOIN g ON g.agent_id = s.agent_id AND g.n = 1 LEFT JOIN f ON f.agent_id = s.agent_id "
        "LEFT JOIN pg ON pg.agent_id = s.agent_id AND pg.n = 1 LEFT JOIN pf ON pf.agent_id = s.agent_id"
    )


def board(engine: Engine, metric: str, windows: dict[str, Any], team: str | None) -> list[tuple]:
    sql = board_sql(metric, team is not None)
    params = {k: v for k, v in windows.items() if re.search(rf":{k}\b", sql)}
    if team is not None:
        params["team"] = team
    return run(engine, sql, **params)


def board_values(metric: str, rows: list[tuple], min_calls: int) -> dict[str, float]:
    """Each ranked agent's value on the board, from the floor's rows (the board's own rule for who is ranked)."""
    values: dict[str, float] = {}
    for row in rows:
        agent = row[0]
        if metric == "quality":
            if (row[1] or 0) >= min_calls and row[2] is not None:
                values[agent] = float(row[2])
        elif metric == "improved":
            if (row[1] or 0) >= min_calls and row[2] is not None and (row[3] or 0) >= min_calls and row[4] is not None:
                values[agent] = float(row[2]) - float(row[4])
        elif metric == "points":
            if (row[1] or 0) >= min_calls:
                values[agent] = float(row[2] or 0)
        else:
            calls, goal_id, since, met, applicable, base_met, base_applicable, stuck = row[1:9]
            if (calls or 0) < min_calls or goal_id is None or stuck or (since or 0) < min_calls or not base_applicable:
                continue
            values[agent] = 0.0 if not applicable else (met or 0) / applicable - base_met / base_applicable
    return values


def check_board(view: Any, metric: str, rows: list[tuple]) -> None:
    ours = {row.agent_id: row.value for row in view.ranked if row.agent_id is not None}
    floor = board_values(metric, rows, view.min_calls)
    assert ours.keys() == floor.keys(), f"board {metric}: ranked agents differ ({len(ours)} vs {len(floor)})"
    for agent, value in ours.items():
        assert _close(value, floor[agent]), f"board {metric}: {agent} {value} vs {floor[agent]}"


WALLBOARD_SQL = """
SELECT agent_id, SUM(CASE WHEN occurred_at >= :cs THEN 1 ELSE 0 END) AS cur_calls,
       AVG(CASE WHEN occurred_at >= :cs THEN score END) AS cur_mean,
       SUM(CASE WHEN occurred_at < :cs THEN 1 ELSE 0 END) AS prev_calls,
       AVG(CASE WHEN occurred_at < :cs THEN score END) AS prev_mean,
       (SELECT MAX(imported_at) FROM evaluation) AS newest, (SELECT COUNT(*) FROM evaluation) AS evaluations,
       (SELECT MAX(id) FROM badge_award) AS award, (SELECT MAX(id) FROM points_entry WHERE source = 'goal_mastered') AS mastered
FROM evaluation WHERE occurred_at >= :ps AND occurred_at < :ce AND agent_id IN (SELECT id FROM agent WHERE team_id = :team)
GROUP BY agent_id
"""


def wallboard(engine: Engine, windows: dict[str, Any], team: str) -> list[tuple]:
    return run(engine, WALLBOARD_SQL, cs=windows["cs"], ps=windows["ps"], ce=windows["ce"], team=team)


def now_after(last: datetime) -> datetime:
    return last + timedelta(hours=1)


CHECKS: dict[str, Callable[[Any, list[tuple]], None]] = {
    "home": check_home, "scorecards page": check_page, "scorecards page, filtered": check_page,
    "goal series": check_goal, "badges": check_badges,
}
