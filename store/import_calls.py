"""Import of what QA tools and contact-center systems add to format v1.

- Agents' `aliases`: a QA tool's user ids for an agent, through which a
  vendor's evaluation finds whose call it was.
- `call` records: a call's time, channel, length, CSAT and first-contact
  resolution, arriving before, with or after its evaluation (surveys come days
  later). What a call record gives wins over the evaluation's own field; the
  evaluation keeps its own fingerprint, so importing it again stays a no-op.

Checks add problems to the batch; writes run in the import's transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, update
from sqlmodel import Session, col, select

from .db import IN_LIST_SIZE
from .import_problems import Problem, Source
from .models import CALL_DETAILS, AgentAlias, CallDetail, Evaluation, utc_now
from .records import CallIn

if TYPE_CHECKING:
    from .importer import Batch, ImportSummary, Tally

_EVALUATION_FIELDS = {name: getattr(Evaluation.__table__.c, name) for name in CALL_DETAILS}


# ------------------------------------------------------------------ aliases


def _stored_aliases(session: Session, aliases: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(aliases))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), IN_LIST_SIZE):
        chunk = wanted[start : start + IN_LIST_SIZE]
        found.update(session.exec(select(AgentAlias.alias, AgentAlias.agent_id).where(col(AgentAlias.alias).in_(chunk))).all())
    return found


def check_aliases(session: Session, batch: Batch) -> None:
    """Match vendor evaluations to agents through aliases, and refuse an alias that would name two agents.

    After the import each alias names one agent: the batch's agent records that
    list aliases replace those agents' lists; other agents keep theirs."""
    declared: dict[str, tuple[str, Source]] = {}
    for agent, source in batch.agents.values():
        for alias in agent.aliases or ():
            earlier = declared.get(alias)
            if earlier is not None:
                batch.problem(Problem(source.file, source.line, "aliases",
                                      f"is also an alias of agent {earlier[0]} ({earlier[1]}); an alias names one agent", alias))
            else:
                declared[alias] = (agent.id, source)
    relisted = {agent.id for agent, _ in batch.agents.values() if agent.aliases is not None}
    wanted = set(declared) | {vendor_id for vendor_id, _ in batch.vendor_agents.values()}
    stored = {alias: agent for alias, agent in _stored_aliases(session, wanted).items() if agent not in relisted}
    for alias, (agent, source) in declared.items():
        other = stored.get(alias)
        if other is not None and other != agent:
            batch.problem(Problem(source.file, source.line, "aliases",
                                  f"is already an alias of agent {other}; list it on one agent only "
                                  f"(import {other} with its aliases without it to move it)", alias))

    for call_id, (vendor_id, source) in batch.vendor_agents.items():
        agent = declared[vendor_id][0] if vendor_id in declared else stored.get(vendor_id)
        if agent is None:
            batch.problem(Problem(source.file, source.line, source.path or "agent",
                                  'matches no agent; list it in the aliases of an agent record '
                                  '({"kind":"agent","id":…,"aliases":["…"]}) in this import or an earlier one', vendor_id))
            del batch.evaluations[call_id]  # one problem is enough: not "unknown agent" again
            continue
        batch.evaluations[call_id][0]["agent"] = agent


def write_aliases(session: Session, batch: Batch) -> set[str]:
    """Store the aliases of every agent record that lists them; the agents whose list changed."""
    listed = {agent.id: set(agent.aliases) for agent, _ in batch.agents.values() if agent.aliases is not None}
    if not listed:
        return set()
    before: dict[str, set[str]] = {agent: set() for agent in listed}
    ids = sorted(listed)
    for start in range(0, len(ids), IN_LIST_SIZE):
        for alias, agent in session.exec(
            select(AgentAlias.alias, AgentAlias.agent_id).where(col(AgentAlias.agent_id).in_(ids[start : start + IN_LIST_SIZE]))
        ):
            before[agent].add(alias)
    changed = {agent for agent, aliases in listed.items() if aliases != before[agent]}
    table = AgentAlias.__table__
    for agent in sorted(changed):
        session.exec(delete(table).where(table.c.agent_id == agent))  # type: ignore[call-overload]
    rows = [{"alias": alias, "agent_id": agent} for agent in sorted(changed) for alias in sorted(listed[agent])]
    if rows:
        session.exec(insert(table), params=rows)  # type: ignore[call-overload]
    return changed


# -------------------------------------------------------------------- calls


def call_hash(call: CallIn) -> str:
    """Fingerprint of a call record's content, whichever format it came in."""
    canonical = json.dumps(call.model_dump(mode="json", exclude={"kind"}), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_calls(session: Session, batch: Batch, tally: Tally) -> set[str]:
    """Store the batch's call records; the call ids whose details are new or changed."""
    if not batch.calls:
        return set()
    call_ids = sorted(batch.calls)
    stored: dict[str, str] = {}
    for start in range(0, len(call_ids), IN_LIST_SIZE):
        chunk = call_ids[start : start + IN_LIST_SIZE]
        stored.update(session.exec(select(CallDetail.call_id, CallDetail.content_hash).where(col(CallDetail.call_id).in_(chunk))).all())
    now = utc_now()
    added, replaced = [], []
    for call_id in call_ids:
        call = batch.calls[call_id][0]
        fingerprint = call_hash(call)
        known = stored.get(call_id)
        if known == fingerprint:
            tally.unchanged += 1
            continue
        row = {name: getattr(call, name) for name in CALL_DETAILS}
        row["channel"] = call.channel.value if call.channel is not None else None
        row |= {"call_id": call_id, "content_hash": fingerprint, "imported_at": now}
        if known is None:
            tally.added += 1
            added.append(row)
        else:
            tally.changed += 1
            replaced.append(row | {"key": call_id})
    table = CallDetail.__table__
    if added:
        session.exec(insert(table), params=added)  # type: ignore[call-overload]
    if replaced:
        session.exec(update(table).where(table.c.call_id == bindparam("key")), params=replaced)  # type: ignore[call-overload]
    return {row["call_id"] for row in added + replaced}


def call_details(session: Session, call_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The fields call records give for these calls (only those given), by call id."""
    wanted = sorted(set(call_ids))
    found: dict[str, dict[str, Any]] = {}
    columns = [col(getattr(CallDetail, name)) for name in CALL_DETAILS]
    for start in range(0, len(wanted), IN_LIST_SIZE):
        chunk = wanted[start : start + IN_LIST_SIZE]
        for call_id, *values in session.exec(select(CallDetail.call_id, *columns).where(col(CallDetail.call_id).in_(chunk))):
            found[call_id] = {name: value for name, value in zip(CALL_DETAILS, values, strict=True) if value is not None}
    return found


def apply_to_stored(session: Session, call_ids: set[str], summary: ImportSummary) -> None:
    """Bring the stored evaluations of these calls in line with their call records.

    Their agents' badges and points are derived again from the whole history:
    a time or an outcome of an old call may have changed."""
    details = call_details(session, call_ids)
    table = Evaluation.__table__
    for call_id in sorted(details):
        row = session.exec(select(Evaluation.id, Evaluation.agent_id, *[col(getattr(Evaluation, n)) for n in CALL_DETAILS])
                           .where(Evaluation.call_id == call_id)).first()
        if row is None:
            continue  # its evaluation has not come yet: it takes the details when it does
        evaluation_id, agent, *current = row
        given = details[call_id]
        if all(dict(zip(CALL_DETAILS, current, strict=True))[name] == value for name, value in given.items()):
            continue
        session.exec(update(table).where(table.c.id == evaluation_id).values(**given))  # type: ignore[call-overload]
        summary.affected_agents.add(agent)
        summary.added_calls.pop(agent, None)
