"""Keeping badge awards and points in step with the evaluations, goals and self-assessments.

`refresh_recognition` brings each agent's stored awards, points and goals'
`mastered_at` to what the rules of `badges.py` derive from their history:
new awards added, revoked ones removed quietly, points per day and source
replaced. It runs in the caller's transaction after every import and goal
change, for the agents concerned, so that stored recognition always equals a
full recomputation.

The rules read an agent's calls once, oldest first; where they stood after
the latest call is kept (`RecognitionStanding`). An import that only adds
calls newer than that goes on from the standing, reading the new calls and
nothing older, so the next day's import costs the same in the first week and
in the fifth year. Anything else (a re-score, a call older than the
standing, a goal or self-assessment that changed since) derives the agent's
recognition from their whole history again, and keeps that standing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from types import MappingProxyType
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, delete, insert, update
from sqlmodel import Session, col, select

from .badges import AgentHistory, BadgeState, CallRecord, GoalRecord, Standing, replay
from .db import IN_LIST_SIZE, through_login
from .models import (
    OUTCOME_OF,
    BadgeAward,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    GoalStatus,
    Outcome,
    PointsEntry,
    RecognitionStanding,
    SelfAssessment,
)
from .rules import Target, counts_as_listened_first


@dataclass(frozen=True, slots=True)
class _Criteria:
    """Every behaviour's key by criterion id, and each scorecard's critical keys."""

    keys: dict[int, str]
    critical: dict[str, frozenset[str]]

    @classmethod
    def read(cls, session: Session) -> _Criteria:
        keys: dict[int, str] = {}
        critical: dict[str, set[str]] = defaultdict(set)
        for criterion_id, key, scorecard_id, is_critical in session.execute(
            select(Criterion.id, Criterion.key, Criterion.scorecard_id, Criterion.critical)
        ):
            keys[criterion_id] = key
            if is_critical:
                critical[scorecard_id].add(key)
        return cls(keys, {scorecard: frozenset(found) for scorecard, found in critical.items()})

    def critical_of(self, scorecard_id: str) -> frozenset[str]:
        return self.critical.get(scorecard_id, frozenset())

    def describe(self) -> list[list[str]]:
        return sorted([scorecard, *sorted(keys)] for scorecard, keys in self.critical.items())


def driver_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of a query on the session's connection as the driver gives them, values unconverted.

    For columns the driver already gives as Python wants them (ids, text): at a
    million rows SQLAlchemy's row objects cost more than the read itself.
    Parameters go to the driver as they are (ids and text need no conversion).
    """
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    parameters = compiled.construct_params()
    cursor = connection.connection.cursor()
    try:
        if compiled.positional:
            cursor.execute(str(compiled), [parameters[name] for name in compiled.positiontup or ()])
        else:
            cursor.execute(str(compiled), parameters)
        return cursor.fetchall()
    finally:
        cursor.close()


def driver_rows_in(
    session: Session, statement_for: Callable[[list[Any]], Select[Any]], values: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """`driver_rows` of `statement_for(chunk)` for `values` in chunks of `IN_LIST_SIZE`.

    `statement_for` puts the chunk in one `IN (...)` and takes no other
    parameter: its SQL is compiled once per chunk size and run with each
    chunk's values (at 125,000 call ids, compiling every chunk's statement
    costs more than running them all).
    """
    connection = session.connection()
    compiled_for: dict[int, tuple[str, list[str] | None]] = {}
    rows: list[tuple[Any, ...]] = []
    cursor = connection.connection.cursor()
    try:
        for start in range(0, len(values), IN_LIST_SIZE):
            chunk = list(values[start : start + IN_LIST_SIZE])
            known = compiled_for.get(len(chunk))
            if known is None:
                compiled = statement_for(chunk).compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
                parameters = compiled.construct_params()
                names = list(compiled.positiontup or ()) if compiled.positional else list(parameters)
                if [parameters[name] for name in names] != chunk:
                    raise ValueError("the statement takes parameters besides the chunk's values")
                known = compiled_for[len(chunk)] = (str(compiled), None if compiled.positional else names)
            sql, names = known
            cursor.execute(sql, chunk if names is None else dict(zip(names, chunk, strict=True)))
            rows.extend(cursor.fetchall())
    finally:
        cursor.close()
    return rows


Through = tuple[datetime, str]
"""The latest call taken in: when, and its call id (calls at one instant go by call id)."""


def _calls(
    session: Session, criteria: _Criteria, agent_ids: list[str] | None = None, evaluation_ids: list[int] | None = None
) -> tuple[dict[str, list[CallRecord]], dict[str, list[Through]]]:
    """Calls of these agents (or these evaluations), oldest first per agent, and each one's (when, call id)."""
    chosen = (
        col(Evaluation.agent_id).in_(agent_ids) if agent_ids is not None else col(Evaluation.id).in_(evaluation_ids or [])
    )
    session.flush()  # what the session's own execute does first: the reads below go past it
    connection = session.connection()
    written = session.info.get(_WRITTEN)
    if written is not None and written[0] is not session.get_transaction():
        written = None
    # Calls this transaction has just written are taken as written, not read back. SQLite only: its
    # text order (by code point) is Python's, so the calls merge in the order the query gives.
    taken = written[3] if written is not None and connection.dialect.name == "sqlite" else None
    query = select(
        Evaluation.id, Evaluation.agent_id, Evaluation.occurred_at, Evaluation.call_id, Evaluation.score,
        Evaluation.scorecard_id,
    )
    # Ties at one instant go by call id, so recognition never depends on import order.
    in_order = (Evaluation.agent_id, Evaluation.occurred_at, Evaluation.call_id)
    if taken is None:
        evaluations: Sequence[Any] = connection.execute(query.where(chosen).order_by(*in_order)).all()
    else:
        above = written[1]
        if agent_ids is not None:
            agents = set(agent_ids)
            new = [call for call in taken if call[1] in agents]
        else:
            ids = set(evaluation_ids or [])
            new = [call for call in taken if call[0] in ids]
        before = connection.execute(query.where(chosen & (col(Evaluation.id) <= above)).order_by(*in_order)).all()
        evaluations = sorted([*before, *new], key=_IN_ORDER) if before else sorted(new, key=_IN_ORDER)
    outcomes: dict[int, Mapping[str, Outcome]] = {}
    if written is not None:
        # Calls this transaction has just written are not read back: their outcomes are at hand.
        _, above, outcomes_written, _ = written
        if all(row[0] in outcomes_written for row in evaluations if row[0] > above):
            outcomes = {row[0]: outcomes_written[row[0]] for row in evaluations if row[0] > above}
            chosen = chosen & (col(Evaluation.id) <= above)
    read: dict[int, dict[str, Outcome]] = defaultdict(dict)
    keys = criteria.keys
    for evaluation_id, criterion_id, outcome in driver_rows(
        session,
        select(CriterionResult.evaluation_id, CriterionResult.criterion_id, CriterionResult.outcome)
        .join(Evaluation, col(Evaluation.id) == CriterionResult.evaluation_id)
        .where(chosen),
    ):
        read[evaluation_id][keys[criterion_id]] = OUTCOME_OF[outcome]
    outcomes.update(read)
    calls: dict[str, list[CallRecord]] = defaultdict(list)
    moments: dict[str, list[Through]] = defaultdict(list)
    critical, no_outcomes, none_critical = criteria.critical, _NO_OUTCOMES, frozenset()
    for evaluation_id, agent_id, occurred_at, call_id, score, scorecard_id in evaluations:
        calls[agent_id].append(
            CallRecord(evaluation_id, occurred_at, outcomes.get(evaluation_id, no_outcomes), score,
                       critical.get(scorecard_id, none_critical))
        )
        moments[agent_id].append((occurred_at, call_id))
    return calls, moments


_NO_OUTCOMES: Mapping[str, Outcome] = MappingProxyType({})
"""The outcomes of a call without results (every behaviour `na`), one read-only mapping for every such call."""


_WRITTEN = "nextcall.recognition.written"
"""Where `written_outcomes` keeps what the session's transaction wrote."""


_IN_ORDER = itemgetter(1, 2, 3)
"""A call's (agent, when, call id): the order `_calls` gives them in."""

WrittenCall = tuple[int, str, datetime, str, float | None, str]
"""An evaluation as written: id, agent, when (aware, UTC), call id, score, scorecard."""


def written_outcomes(
    session: Session, above: int, outcomes: Mapping[int, Mapping[str, Outcome]], calls: Sequence[WrittenCall] | None = None
) -> None:
    """Say that this transaction wrote every evaluation with an id above `above`, with these outcomes.

    Their results are then taken from here, not read back, while the
    transaction lasts (only the importer writes results, once per transaction).
    The outcomes are only read, so calls scored alike may share one mapping.
    `calls`, when given, are those evaluations' own rows (every one above `above`).
    """
    session.info[_WRITTEN] = (session.get_transaction(), above, outcomes, calls)


def _goals(session: Session, criteria: _Criteria, agent_ids: list[str]) -> tuple[dict[str, list[GoalRecord]], dict[int, Goal]]:
    records: dict[str, list[GoalRecord]] = defaultdict(list)
    stored: dict[int, Goal] = {}
    for goal in session.exec(
        select(Goal).where(col(Goal.agent_id).in_(agent_ids)).order_by(Goal.agent_id, Goal.started_at, Goal.id)
    ):
        stored[goal.id] = goal  # type: ignore[index]
        records[goal.agent_id].append(
            GoalRecord(
                criteria.keys[goal.criterion_id],
                goal.started_at,
                None if goal.status == GoalStatus.active.value else goal.ended_at,
                Target(goal.target_met, goal.target_window),
                goal.id,
            )
        )
    return records, stored


def _on_time(session: Session, agent_ids: list[str]) -> dict[str, list[datetime]]:
    on_time: dict[str, list[datetime]] = defaultdict(list)
    for a in session.exec(select(SelfAssessment).where(col(SelfAssessment.agent_id).in_(agent_ids))):
        if a.submitted_at is not None and counts_as_listened_first(
            a.submitted_at, a.session_on, a.strengths, a.struggles, a.want_to_work_on
        ):
            on_time[a.agent_id].append(a.submitted_at)
    return {agent_id: sorted(moments) for agent_id, moments in on_time.items()}


def agent_history(session: Session, agent_id: str) -> AgentHistory:
    """Everything recognition is derived from, for one agent."""
    return agent_histories(session, [agent_id])[agent_id]


def agent_histories(session: Session, agent_ids: Iterable[str]) -> dict[str, AgentHistory]:
    """Everything recognition is derived from, for each of these agents (a few set queries per 500 agents)."""
    criteria = _Criteria.read(session)
    wanted = sorted(set(agent_ids))
    histories: dict[str, AgentHistory] = {}
    for start in range(0, len(wanted), IN_LIST_SIZE):
        chunk = wanted[start : start + IN_LIST_SIZE]
        calls, _ = _calls(session, criteria, agent_ids=chunk)
        goals, _ = _goals(session, criteria, chunk)
        on_time = _on_time(session, chunk)
        for agent_id in chunk:
            histories[agent_id] = AgentHistory(calls[agent_id], goals[agent_id], on_time.get(agent_id, []))
    return histories


def badge_states_now(session: Session, agent_id: str) -> dict[str, BadgeState]:
    """Each badge of the catalogue for the agent: from their stored standing while it is current, else replayed.

    The standing is where the last refresh left the agent, derived by the same rules from the same calls;
    it is current while it ends at the agent's latest call and was derived with the goals, self-assessments
    and critical behaviours there are now. A login reads no standing: its badges are replayed."""
    criteria = _Criteria.read(session)
    goals = _goals(session, criteria, [agent_id])[0][agent_id]
    on_time = _on_time(session, [agent_id]).get(agent_id, [])
    standing = None if through_login(session) else _current_standing(session, agent_id, _inputs(criteria, goals, on_time))
    if standing is None:
        calls, _ = _calls(session, criteria, agent_ids=[agent_id])
        standing = replay(AgentHistory(calls.get(agent_id, []), goals, on_time))
    return standing.states(goals, on_time)


def _current_standing(session: Session, agent_id: str, inputs: str) -> Standing | None:
    table = RecognitionStanding.__table__

    def latest(column: Any) -> Any:
        return (
            select(column).where(Evaluation.agent_id == agent_id)
            .order_by(col(Evaluation.occurred_at).desc(), col(Evaluation.call_id).desc()).limit(1).scalar_subquery()
        )

    row = session.execute(
        select(table.c.standing, table.c.inputs, table.c.through_at, table.c.through_call_id,  # type: ignore[attr-defined]
               latest(Evaluation.occurred_at), latest(Evaluation.call_id))
        .where(table.c.agent_id == agent_id)  # type: ignore[attr-defined]
    ).first()
    if row is None:
        return None
    standing, derived_with, through_at, through_call_id, latest_at, latest_call_id = row
    if derived_with != inputs or (through_at, through_call_id) != (latest_at, latest_call_id):
        return None
    return Standing.from_json(standing)


def refresh_recognition(
    session: Session, agent_ids: Iterable[str], *, added_calls: Mapping[str, Sequence[int]] | None = None
) -> list[BadgeAward]:
    """Bring stored awards and points in line with each agent's history; returns awards new to the store
    (written, and returned as they were found: without their row's id).

    `added_calls`: for agents whose only change since the last refresh may be
    these new evaluations (ids), which can then go on from the stored
    standing. Every other agent's recognition is derived from the whole history.
    """
    new_awards: list[BadgeAward] = []
    criteria = _Criteria.read(session)
    wanted = sorted(set(agent_ids))
    for start in range(0, len(wanted), IN_LIST_SIZE):
        new_awards.extend(_refresh(session, criteria, wanted[start : start + IN_LIST_SIZE], added_calls or {}))
    session.flush()
    return new_awards


def _inputs(criteria: _Criteria, goals: Sequence[GoalRecord], on_time: Sequence[datetime]) -> str:
    """What besides the calls a standing was derived with: it goes on only while these are the same."""
    return json.dumps(
        [
            [[g.goal_id, g.criterion_key, g.started_at.isoformat(), g.ended_at and g.ended_at.isoformat(),
              g.target.met, g.target.window] for g in goals],
            [moment.isoformat() for moment in on_time],
            criteria.describe(),
        ],
        separators=(",", ":"),
    )


class _Now(NamedTuple):
    """Where an agent stands after this refresh, and what of the store it rewrites."""

    standing: Standing
    since: date | None
    """The first day whose points may have changed (None: every day, after a replay of the whole history)."""
    latest: Through | None
    """The latest call taken in (None: no call yet)."""


def _refresh(
    session: Session, criteria: _Criteria, agent_ids: list[str], added_calls: Mapping[str, Sequence[int]]
) -> list[BadgeAward]:
    goals, stored_goals = _goals(session, criteria, agent_ids)
    on_time = _on_time(session, agent_ids)
    inputs = {agent_id: _inputs(criteria, goals[agent_id], on_time.get(agent_id, [])) for agent_id in agent_ids}
    table = RecognitionStanding.__table__
    standings = {
        row.agent_id: row
        for row in session.execute(select(table).where(table.c.agent_id.in_(agent_ids)))  # type: ignore[call-overload]
    }
    now = _gone_on(session, criteria, standings, inputs, goals, added_calls)
    afresh = [agent_id for agent_id in agent_ids if agent_id not in now]
    now.update(_replayed(session, criteria, afresh, goals, on_time))

    awards: dict[str, dict[str, _Stored]] = defaultdict(dict)
    for award_id, agent_id, badge_id, awarded_at, evaluation_id in session.execute(
        _awards_statement(), {"agents": agent_ids}
    ):
        awards[agent_id][badge_id] = _Stored(award_id, (awarded_at, evaluation_id))
    entries = _points_from(session, afresh, {agent_id: now[agent_id].since for agent_id in now if agent_id not in afresh})

    new_awards: list[BadgeAward] = []
    changes = _Changes()
    kept = _Standings()
    for agent_id in agent_ids:
        standing, since, latest = now[agent_id]
        agent_goals, agent_on_time = goals[agent_id], on_time.get(agent_id, [])
        states = standing.states(agent_goals, agent_on_time)
        new_awards.extend(_keep_awards(agent_id, states, awards[agent_id], changes))
        _keep_points(agent_id, standing.points(states, agent_on_time, since=since), entries[agent_id], since, changes)
        mastered = standing.mastered()
        for index, goal in enumerate(agent_goals):
            stored_goal = stored_goals.get(goal.goal_id) if goal.goal_id is not None else None
            stuck = mastered[index] if index < len(mastered) else None
            at = stuck[1] if stuck is not None else None
            if stored_goal is not None and stored_goal.mastered_at != at:
                stored_goal.mastered_at = at  # what the leaderboard's goal progress stops at
        _keep_standing(kept, agent_id, standing, latest, inputs[agent_id], standings.get(agent_id))
    _store_standings(session, kept)
    _store_changes(session, changes, new_awards)
    return new_awards


def _gone_on(
    session: Session, criteria: _Criteria, standings: Mapping[str, Any], inputs: Mapping[str, str],
    goals: Mapping[str, list[GoalRecord]], added_calls: Mapping[str, Sequence[int]],
) -> dict[str, _Now]:
    """Agents whose stored standing takes their new calls: same goals and self-assessments, calls newer than it."""
    candidates = {
        agent_id: row for agent_id, row in standings.items() if agent_id in added_calls and row.inputs == inputs[agent_id]
    }
    new_ids = sorted({evaluation_id for agent_id in candidates for evaluation_id in added_calls[agent_id]})
    if not new_ids:
        return {}
    new_calls, new_moments = _calls(session, criteria, evaluation_ids=new_ids)
    gone_on: dict[str, _Now] = {}
    for agent_id, row in candidates.items():
        standing, moments = Standing.from_json(row.standing), new_moments.get(agent_id)
        if standing is None or not moments or moments[0] <= (row.through_at, row.through_call_id):
            continue  # stored by other rules, or a call older than the standing: derived afresh
        since = standing.changeable_from(row.through_at)
        for call in new_calls[agent_id]:
            standing.see(call, goals[agent_id])
        gone_on[agent_id] = _Now(standing, since, moments[-1])
    return gone_on


def _replayed(
    session: Session, criteria: _Criteria, agent_ids: list[str],
    goals: Mapping[str, list[GoalRecord]], on_time: Mapping[str, list[datetime]],
) -> dict[str, _Now]:
    """These agents' standings derived from their whole history."""
    if not agent_ids:
        return {}
    calls, moments = _calls(session, criteria, agent_ids=agent_ids)
    return {
        agent_id: _Now(
            replay(AgentHistory(calls.get(agent_id, []), goals[agent_id], on_time.get(agent_id, []))),
            None,
            moments[agent_id][-1] if moments.get(agent_id) else None,
        )
        for agent_id in agent_ids
    }


class _Stored(NamedTuple):
    """A stored award or points row: its id, and what it holds ((when, which call); points)."""

    id: int
    value: Any


@dataclass(slots=True)
class _Changes:
    """Award and points rows to write, for a whole chunk of agents: one statement per table and kind of change.

    Rows are read and written as plain rows: the session's unit of work would load, track and flush each
    as an object of its own (the next day's import reads about 1,700 of them)."""

    awards_changed: list[dict[str, object]] = field(default_factory=list)
    awards_gone: list[int] = field(default_factory=list)
    points_added: list[dict[str, object]] = field(default_factory=list)
    points_changed: list[dict[str, object]] = field(default_factory=list)
    points_gone: list[int] = field(default_factory=list)


@cache
def _awards_statement() -> Any:
    table = BadgeAward.__table__  # type: ignore[attr-defined]
    return select(table.c.id, table.c.agent_id, table.c.badge_id, table.c.awarded_at, table.c.evaluation_id).where(
        table.c.agent_id.in_(bindparam("agents", expanding=True))
    )


def _points_from(
    session: Session, afresh: list[str], since: Mapping[str, date | None]
) -> dict[str, dict[tuple[date, str], _Stored]]:
    """Stored points by agent, (day, source): every day of those derived afresh, the days that may change of the rest."""
    table = PointsEntry.__table__  # type: ignore[attr-defined]
    entries: dict[str, dict[tuple[date, str], _Stored]] = defaultdict(dict)
    earliest = min((day for day in since.values() if day is not None), default=None)
    for group, from_day in ((afresh, None), (list(since), earliest)):
        if not group:
            continue
        query = select(table.c.id, table.c.agent_id, table.c.day, table.c.source, table.c.points).where(
            table.c.agent_id.in_(group)
        )
        if from_day is not None:
            query = query.where(table.c.day >= from_day)
        for entry_id, agent_id, day, source, points in session.execute(query):
            entries[agent_id][(day, source)] = _Stored(entry_id, points)
    return entries


def _keep_awards(
    agent_id: str, states: Mapping[str, BadgeState], stored: dict[str, _Stored], changes: _Changes
) -> list[BadgeAward]:
    """The agent's awards new to the store; awards changed or gone go into `changes`."""
    new_awards: list[BadgeAward] = []
    for badge_id, state in states.items():
        award = stored.pop(badge_id, None)
        if state.earned is None:
            if award is not None:
                changes.awards_gone.append(award.id)  # revoked quietly: the history no longer earns it
            continue
        earned = (state.earned.at, state.earned.evaluation_id)
        if award is None:  # written by `_store_changes` with the chunk's other new awards
            new_awards.append(BadgeAward(
                agent_id=agent_id, badge_id=badge_id, awarded_at=state.earned.at, evaluation_id=state.earned.evaluation_id
            ))
        elif award.value != earned:
            changes.awards_changed.append({"row": award.id, "at": earned[0], "call": earned[1]})
    changes.awards_gone.extend(leftover.id for leftover in stored.values())  # a badge no longer in the catalogue
    return new_awards


def _keep_points(
    agent_id: str, wanted: Mapping[tuple[date, str], int], entries: dict[tuple[date, str], _Stored],
    since: date | None, changes: _Changes,
) -> None:
    for key, points in wanted.items():
        entry = entries.pop(key, None)
        if entry is None:
            changes.points_added.append({"agent_id": agent_id, "day": key[0], "source": key[1], "points": points})
        elif entry.value != points:
            changes.points_changed.append({"row": entry.id, "new_points": points})
    changes.points_gone.extend(entry.id for (day, _), entry in entries.items() if since is None or day >= since)


def _store_changes(session: Session, changes: _Changes, new_awards: list[BadgeAward]) -> None:
    """Gone rows first, then changed, then new (in the order they were found): no unique key is ever held twice."""
    awards, points = BadgeAward.__table__, PointsEntry.__table__  # type: ignore[attr-defined]
    # Gone rows go by one statement run for each (not one list of ids): a chunk's agents derived afresh may
    # drop more rows than a statement takes parameters.
    for table, gone in ((awards, changes.awards_gone), (points, changes.points_gone)):
        if gone:
            session.execute(delete(table).where(table.c.id == bindparam("row")), [{"row": row} for row in gone])
    if changes.awards_changed:
        session.execute(
            update(awards).where(awards.c.id == bindparam("row")).values(
                awarded_at=bindparam("at"), evaluation_id=bindparam("call")
            ),
            changes.awards_changed,
        )
    if changes.points_changed:
        session.execute(
            update(points).where(points.c.id == bindparam("row")).values(points=bindparam("new_points")), changes.points_changed
        )
    if new_awards:
        session.execute(
            insert(awards),
            [{"agent_id": a.agent_id, "badge_id": a.badge_id, "awarded_at": a.awarded_at, "evaluation_id": a.evaluation_id}
             for a in new_awards],
        )
    if changes.points_added:
        session.execute(insert(points), changes.points_added)


@dataclass(slots=True)
class _Standings:
    """Standings to write: rows new to the store, rows to replace, agents whose row goes."""

    added: list[dict[str, object]] = field(default_factory=list)
    replaced: list[dict[str, object]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


def _keep_standing(
    kept: _Standings, agent_id: str, standing: Standing, latest: Through | None, inputs: str, row: Any,
) -> None:
    if latest is None:  # no call yet: nothing to go on from
        if row is not None:
            kept.gone.append(agent_id)
        return
    values = {
        "through_at": latest[0], "through_call_id": latest[1], "inputs": inputs,
        "standing": standing.to_json(since=standing.changeable_from(latest[0])),
    }
    if row is None:
        kept.added.append({"agent_id": agent_id, **values})
    else:
        kept.replaced.append({"agent": agent_id, **values})


def _store_standings(session: Session, kept: _Standings) -> None:
    """One statement per kind of change, for a whole chunk of agents."""
    table = RecognitionStanding.__table__
    if kept.gone:
        session.execute(delete(table).where(table.c.agent_id.in_(kept.gone)))  # type: ignore[call-overload]
    if kept.replaced:
        session.execute(update(table).where(table.c.agent_id == bindparam("agent")), kept.replaced)  # type: ignore[call-overload]
    if kept.added:
        session.execute(insert(table), kept.added)  # type: ignore[call-overload]
