"""Import of what agents said back to QA, and QA's answers: acknowledgements, disputes, resolutions.

`acknowledgement` and `dispute` records come from `nextcall export` (a backup):
known by their call (an acknowledgement) and by call, behaviour and when
raised (a dispute), idempotent like every record. A `dispute_resolution`
record is QA's answer without a re-score: it closes the open dispute on that
behaviour of that call as upheld, with an optional note.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from .db import IN_LIST_SIZE
from .import_problems import Problem, Source
from .models import Acknowledgement, Criterion, Dispute, DisputeStatus, Evaluation
from .talkback import scored_outcome

if TYPE_CHECKING:
    from .importer import Batch, ImportSummary


def _at(source: Source, field: str, message: str, got: Any) -> Problem:
    return Problem(source.file, source.line, field, message, got)


def _calls(session: Session, call_ids: Iterable[str]) -> dict[str, tuple[int, str, str]]:
    """(evaluation id, agent, scorecard) of each stored call."""
    wanted = sorted(set(call_ids))
    found: dict[str, tuple[int, str, str]] = {}
    for start in range(0, len(wanted), IN_LIST_SIZE):
        chunk = wanted[start : start + IN_LIST_SIZE]
        for call_id, evaluation_id, agent, scorecard in session.exec(
            select(Evaluation.call_id, Evaluation.id, Evaluation.agent_id, Evaluation.scorecard_id)
            .where(col(Evaluation.call_id).in_(chunk))
        ):
            found[call_id] = (evaluation_id, agent, scorecard)  # type: ignore[assignment]
    return found


def _open_disputes(session: Session, evaluation_ids: Iterable[int]) -> dict[tuple[int, str], Dispute]:
    ids = sorted(set(evaluation_ids))
    found: dict[tuple[int, str], Dispute] = {}
    for start in range(0, len(ids), IN_LIST_SIZE):
        for dispute, key in session.exec(
            select(Dispute, Criterion.key).join(Criterion, col(Criterion.id) == Dispute.criterion_id)
            .where(col(Dispute.evaluation_id).in_(ids[start : start + IN_LIST_SIZE]), Dispute.status == DisputeStatus.open.value)
        ):
            found[(dispute.evaluation_id, key)] = dispute
    return found


def check_talkback(session: Session, batch: Batch, keys_by_scorecard: dict[str, set[str]]) -> None:
    """Check the batch's acknowledgements, disputes and resolutions against the batch and the store; add problems."""
    if not (batch.acknowledgements or batch.disputes or batch.resolutions):
        return
    named = {call for call, _ in batch.acknowledgements.items()} | {call for call, _, _ in batch.disputes} | {
        call for call, _ in batch.resolutions
    }
    stored = _calls(session, named - batch.evaluations.keys())

    def scorecard_of(call_id: str, source: Source) -> str | None:
        if call_id in batch.evaluations:
            return batch.evaluations[call_id][0]["scorecard"]
        if call_id in stored:
            return stored[call_id][2]
        batch.problem(_at(source, "call_id", "unknown call; its evaluation must be in the batch or imported first", call_id))
        return None

    for call_id, (_, source) in batch.acknowledgements.items():
        scorecard_of(call_id, source)

    open_in_batch: dict[tuple[str, str], Source] = {}
    for (call_id, key, _), (dispute, source) in batch.disputes.items():
        scorecard = scorecard_of(call_id, source)
        if scorecard is not None and key not in keys_by_scorecard.get(scorecard, set()):
            batch.problem(_at(source, "criterion", f"not a criterion of scorecard {scorecard}", key))
        if dispute.status is DisputeStatus.open:
            if (call_id, key) in open_in_batch:
                batch.problem(_at(source, "status", f"another open dispute on this behaviour of call {call_id} is at "
                                                    f"{open_in_batch[(call_id, key)]}; one is open at a time", "open"))
            open_in_batch[(call_id, key)] = source

    stored_open = _open_disputes(session, [stored[c][0] for c in stored])
    evaluation_of = {call: ids[0] for call, ids in stored.items()}
    for (call_id, key), source in open_in_batch.items():
        other = stored_open.get((evaluation_of.get(call_id, -1), key))
        if other is not None and not _same_moment(other.raised_at, _raised(batch, call_id, key)):
            batch.problem(_at(source, "status", f"call {call_id} already has an open dispute on {key}; one is open at a time", "open"))

    for (call_id, key), (_, source) in batch.resolutions.items():
        scorecard = scorecard_of(call_id, source)
        if scorecard is None:
            continue
        open_here = (call_id, key) in open_in_batch or (evaluation_of.get(call_id, -1), key) in stored_open
        if not open_here and not _already_resolved(session, batch, call_id, key, evaluation_of.get(call_id)):
            batch.problem(_at(source, "criterion", f"no open dispute on this behaviour of call {call_id}", key))


def _raised(batch: Batch, call_id: str, key: str) -> datetime | None:
    return next((d.raised_at for (c, k, _), (d, _) in batch.disputes.items() if (c, k) == (call_id, key)
                 and d.status is DisputeStatus.open), None)


def _same_moment(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and a.astimezone(UTC) == b.astimezone(UTC)


def _already_resolved(session: Session, batch: Batch, call_id: str, key: str, evaluation_id: int | None) -> bool:
    """The resolution was imported before: its dispute is closed upheld with the same note (importing it again is a no-op)."""
    if evaluation_id is None:
        return False
    resolution = batch.resolutions[(call_id, key)][0]
    latest = session.exec(
        select(Dispute).join(Criterion, col(Criterion.id) == Dispute.criterion_id)
        .where(Dispute.evaluation_id == evaluation_id, Criterion.key == key)
        .order_by(col(Dispute.raised_at).desc()).limit(1)
    ).first()
    return latest is not None and latest.status == DisputeStatus.upheld.value and latest.note == resolution.note


def write_talkback(session: Session, batch: Batch, summary: ImportSummary) -> None:
    """Write the batch's acknowledgements, disputes and resolutions (after its evaluations)."""
    if not (batch.acknowledgements or batch.disputes or batch.resolutions):
        return
    named = set(batch.acknowledgements) | {call for call, _, _ in batch.disputes} | {call for call, _ in batch.resolutions}
    calls = _calls(session, named)
    criteria = {
        (scorecard, key): criterion_id
        for criterion_id, scorecard, key in session.exec(
            select(Criterion.id, Criterion.scorecard_id, Criterion.key)
            .where(col(Criterion.scorecard_id).in_(sorted({c[2] for c in calls.values()})))
        )
    }

    for call_id, (record, _) in batch.acknowledgements.items():
        evaluation_id, agent, _ = calls[call_id]
        stored = session.get(Acknowledgement, evaluation_id)
        values = {"seen_at": record.seen_at, "comment": record.comment, "current": record.current}
        if stored is None:
            session.add(Acknowledgement(evaluation_id=evaluation_id, agent_id=agent, **values))
            summary.acknowledgements.added += 1
        elif (stored.seen_at, stored.comment, stored.current) != (record.seen_at.astimezone(UTC), record.comment, record.current):
            stored.seen_at, stored.comment, stored.current = record.seen_at, record.comment, record.current
            summary.acknowledgements.changed += 1
        else:
            summary.acknowledgements.unchanged += 1

    for (call_id, key, raised_at), (record, _) in batch.disputes.items():
        evaluation_id, agent, scorecard = calls[call_id]
        criterion_id = criteria[(scorecard, key)]
        values = {
            "reason": record.reason, "proposed_outcome": record.proposed_outcome.value if record.proposed_outcome else None,
            "scored_outcome": record.scored_outcome.value, "status": record.status.value, "closed_at": record.closed_at,
            "decided_outcome": record.decided_outcome.value if record.decided_outcome else None, "note": record.note,
        }
        stored = session.exec(
            select(Dispute).where(Dispute.evaluation_id == evaluation_id, Dispute.criterion_id == criterion_id,
                                  Dispute.raised_at == raised_at)
        ).first()
        if stored is None:
            session.add(Dispute(evaluation_id=evaluation_id, criterion_id=criterion_id, agent_id=agent, raised_at=raised_at,
                                **values))
            summary.disputes.added += 1
        elif {name: _plain(getattr(stored, name)) for name in values} != {name: _plain(v) for name, v in values.items()}:
            for name, value in values.items():
                setattr(stored, name, value)
            summary.disputes.changed += 1
        else:
            summary.disputes.unchanged += 1
    session.flush()

    for (call_id, key), (resolution, _) in batch.resolutions.items():
        evaluation_id, _, scorecard = calls[call_id]
        criterion_id = criteria[(scorecard, key)]
        dispute = session.exec(
            select(Dispute).where(Dispute.evaluation_id == evaluation_id, Dispute.criterion_id == criterion_id,
                                  Dispute.status == DisputeStatus.open.value)
        ).first()
        if dispute is None:
            summary.disputes.unchanged += 1  # answered by an earlier import of the same resolution
            continue
        dispute.status = DisputeStatus.upheld.value
        dispute.decided_outcome = scored_outcome(session, evaluation_id, criterion_id).value
        dispute.closed_at, dispute.note = resolution.decided_at or batch.now, resolution.note
        summary.disputes.changed += 1
        assert dispute.id is not None
        summary.disputes_answered.append(dispute.id)
    session.flush()


def _plain(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value
