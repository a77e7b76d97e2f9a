"""The agent talks back to QA: listen to the moment, say "seen", say "I see it differently".

- **Listen back**: a moment with a time opens the call's recording at that
  second. Only `http`, `https` and `file` recordings are ever opened; anything
  else (a `javascript:` URL, a remote `file:` host) is shown, never opened.
- **Acknowledge**: the agent marks an evaluation of their call seen, with an
  optional comment. Seeing is not a score: it earns nothing. A re-score makes
  the evaluation unseen again (`Acknowledgement.current`).
- **Dispute**: on one behaviour of one call the agent says why they see it
  differently (a reason is required) and, if they want, the outcome they
  believe is right. The call's score stays as scored until QA decides: a
  re-score closes the dispute as changed or upheld, whichever the new outcome
  shows; a resolution record closes it upheld. One open dispute per behaviour
  per call; an open one can be withdrawn.

On a shared PostgreSQL database an agent's login writes these through the
database's own checked functions (migration 0011), for its own calls only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from sqlalchemy import Engine, exists, func, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from . import rules
from .db import refused_as, through_login, unit_of_work
from .errors import NextcallError
from .views import AcknowledgementView, DisputeView, outcome_word
from .models import (
    Acknowledgement,
    Criterion,
    CriterionResult,
    Dispute,
    DisputeStatus,
    Evaluation,
    Outcome,
    utc_now,
)


class TalkBackError(NextcallError):
    """An acknowledgement or a dispute cannot be made as asked."""

    title = "Your call"


# -------------------------------------------------------------- listen back

OPENED_SCHEMES = ("http", "https", "file")
"""The only recordings ever opened; any other URL is shown as it is and never opened."""


@dataclass(frozen=True, slots=True)
class RecordingLink:
    """What "Listen from m:ss" opens."""

    url: str
    """A web recording's URL with the media fragment `#t=SECONDS`; a file's `file:` URL as given."""
    path: Path | None = None
    """A recording on this computer, opened with the player the system chooses (it starts at the beginning)."""
    seconds: int = 0


def recording_link(recording_url: str | None, moment_s: int | None) -> RecordingLink | None:
    """The recording to open at a moment, or None: no recording, no time, or not a scheme that is opened.

    `http(s)` URLs get the media fragment `#t=<seconds>` (replacing any fragment);
    a `file:` URL opens only a local path (no host but `localhost`)."""
    if not recording_url or moment_s is None:
        return None
    try:
        parts = urlsplit(recording_url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.netloc:
            return None
        return RecordingLink(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, f"t={moment_s}")),
                             seconds=moment_s)
    if scheme == "file" and parts.netloc in ("", "localhost") and parts.path.startswith("/"):
        from urllib.request import url2pathname  # loads http.client and email: only for a local recording

        return RecordingLink(recording_url, Path(url2pathname(unquote(parts.path))), moment_s)
    return None


# --------------------------------------------------------------- read models


def dispute_views(session: Session, *, evaluation_ids: Iterable[int] | None = None, agent_ids: Iterable[str] | None = None,
                  open_only: bool = False, closed_since: datetime | None = None) -> list[DisputeView]:
    """Disputes, oldest raised first, narrowed by evaluation, agent, open, or closed after a moment."""
    query = (
        select(Dispute, Evaluation.call_id, Criterion.key, Criterion.name)
        .join(Evaluation, col(Evaluation.id) == Dispute.evaluation_id)
        .join(Criterion, col(Criterion.id) == Dispute.criterion_id)
        .order_by(Dispute.raised_at, Dispute.id)
    )
    if evaluation_ids is not None:
        query = query.where(col(Dispute.evaluation_id).in_(list(evaluation_ids)))
    if agent_ids is not None:
        query = query.where(col(Dispute.agent_id).in_(list(agent_ids)))
    if open_only:
        query = query.where(Dispute.status == DisputeStatus.open.value)
    if closed_since is not None:
        query = query.where(col(Dispute.closed_at) > closed_since)
    return [
        DisputeView(
            d.id, call_id, d.agent_id, key, name, d.reason,  # type: ignore[arg-type]
            Outcome(d.proposed_outcome) if d.proposed_outcome else None, Outcome(d.scored_outcome), d.raised_at,
            DisputeStatus(d.status), d.closed_at, Outcome(d.decided_outcome) if d.decided_outcome else None, d.note,
        )
        for d, call_id, key, name in session.exec(query)
    ]


DISPUTE_COLUMNS = (
    "call_id", "agent", "criterion", "behaviour", "scored_outcome", "proposed_outcome", "reason", "raised_at", "status",
    "closed_at", "decided_outcome", "note",
)
"""What `nextcall disputes` lists for a QA team's tool, in this order."""


def disputes_for_qa(db: Engine, *, team: str | None = None, open_only: bool = False) -> list[dict[str, str | None]]:
    """Disputes for QA (a team's, or everyone's a login may read), oldest raised first, as rows of `DISPUTE_COLUMNS`.

    Raises:
        NextcallError: no such team.
    """
    from .models import Agent, Team, instant_text

    with Session(db) as session:
        agents = None
        if team is not None:
            if session.get(Team, team) is None:
                raise NextcallError(f"no team {team!r} in the store", title="Disputes")
            agents = list(session.exec(select(Agent.id).where(Agent.team_id == team)))
        return [
            {
                "call_id": d.call_id, "agent": d.agent_id, "criterion": d.criterion_key, "behaviour": d.behaviour,
                "scored_outcome": d.scored_outcome.value, "proposed_outcome": d.proposed_outcome.value if d.proposed_outcome else None,
                "reason": d.reason, "raised_at": instant_text(d.raised_at), "status": d.status.value,
                "closed_at": instant_text(d.closed_at) if d.closed_at else None,
                "decided_outcome": d.decided_outcome.value if d.decided_outcome else None, "note": d.note,
            }
            for d in dispute_views(session, agent_ids=agents, open_only=open_only)
        ]


def disputes_to_talk_about(db: Engine, *, agent_id: str, since: datetime) -> list[DisputeView]:
    """For a coach's brief: the agent's open disputes, and those closed (answered or withdrawn) after `since`."""
    with Session(db) as session:
        return [
            d for d in dispute_views(session, agent_ids=[agent_id])
            if d.is_open or (d.closed_at is not None and d.closed_at > since)
        ]


def acknowledgement_of(session: Session, evaluation_id: int) -> AcknowledgementView | None:
    seen = session.get(Acknowledgement, evaluation_id)
    return AcknowledgementView(seen.seen_at, seen.comment, seen.current) if seen is not None else None


def unseen_count(session: Session, agent_id: str) -> int:
    """How many of the agent's evaluations wait to be seen (never seen, or re-scored since)."""
    return session.exec(select(unseen_of(agent_id))).one()


def unseen_of(agent: Any) -> Any:
    """`unseen_count` as a SQL expression, for an agent id or parameter (read with the agent's other figures)."""
    seen = select(Acknowledgement.evaluation_id).where(Acknowledgement.agent_id == agent, col(Acknowledgement.current))
    return (
        select(func.count()).select_from(Evaluation)
        .where(Evaluation.agent_id == agent, col(Evaluation.id).not_in(seen))
        .scalar_subquery()
    )


def is_seen(evaluation: Any) -> Any:
    """Whether an evaluation (an id, or an id column of the enclosing statement) is seen in its current scoring, as SQL."""
    return exists().where(Acknowledgement.evaluation_id == evaluation, col(Acknowledgement.current))


def seen_ids(session: Session, evaluation_ids: Iterable[int]) -> set[int]:
    """Which of these evaluations are seen in their current scoring."""
    ids = list(evaluation_ids)
    if not ids:
        return set()
    return set(session.exec(
        select(Acknowledgement.evaluation_id).where(col(Acknowledgement.evaluation_id).in_(ids), col(Acknowledgement.current))
    ))


# --------------------------------------------------------------- the agent's


NEEDS_A_REASON = "Say why you see it differently: a reason is needed."


@contextmanager
def _refused_in_words() -> Iterator[None]:
    with refused_as(TalkBackError):
        try:
            yield
        except IntegrityError as error:
            if getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE" in str(error.orig):
                raise TalkBackError("You already have an open dispute on this behaviour of this call.") from None
            raise


def _own_evaluation(session: Session, agent_id: str, call_id: str) -> Evaluation:
    evaluation = session.exec(select(Evaluation).where(Evaluation.call_id == call_id)).first()
    if evaluation is None or evaluation.agent_id != agent_id:
        # The same words whether the call is someone else's or no call at all.
        raise TalkBackError(f"No call {call_id} of yours.")
    return evaluation


def acknowledge(db: Engine, *, agent_id: str, call_id: str, comment: str | None = None, now: datetime | None = None) -> None:
    """Mark the agent's evaluation of `call_id` seen, with an optional comment (seeing it again replaces it).

    Raises:
        TalkBackError: not a call of this agent's.
    """
    comment = comment.strip() if comment and rules.has_words(comment) else None
    with _refused_in_words(), unit_of_work(db) as session:
        evaluation = _own_evaluation(session, agent_id, call_id)
        if through_login(session):
            session.connection().execute(
                text("SELECT nextcall_access.acknowledge(:evaluation, :comment)"),
                {"evaluation": evaluation.id, "comment": comment},
            )
            return
        assert evaluation.id is not None
        seen = session.get(Acknowledgement, evaluation.id)
        if seen is None:
            session.add(Acknowledgement(evaluation_id=evaluation.id, agent_id=agent_id, seen_at=now or utc_now(), comment=comment))
        else:
            seen.seen_at, seen.comment, seen.current = now or utc_now(), comment, True


def scored_outcome(session: Session, evaluation_id: int, criterion_id: int) -> Outcome:
    """A behaviour's outcome on a call as scored (a behaviour the evaluation does not name did not apply)."""
    found = session.exec(
        select(CriterionResult.outcome).where(
            CriterionResult.evaluation_id == evaluation_id, CriterionResult.criterion_id == criterion_id
        )
    ).first()
    return Outcome(found) if found else Outcome.na


def raise_dispute(
    db: Engine,
    *,
    agent_id: str,
    call_id: str,
    criterion_key: str,
    reason: str,
    proposed: Outcome | None = None,
    now: datetime | None = None,
) -> int:
    """Say "I see it differently" on one behaviour of one of the agent's calls; returns the dispute's id.

    Raises:
        TalkBackError: no reason in words, not the agent's call, no such behaviour, an outcome
            proposed that is the scored one, or a dispute already open on it.
    """
    if not rules.has_words(reason):
        raise TalkBackError(NEEDS_A_REASON)
    with _refused_in_words(), unit_of_work(db) as session:
        evaluation = _own_evaluation(session, agent_id, call_id)
        assert evaluation.id is not None
        criterion = session.exec(
            select(Criterion).where(Criterion.scorecard_id == evaluation.scorecard_id, Criterion.key == criterion_key)
        ).first()
        if criterion is None or criterion.id is None:
            raise TalkBackError(f"No behaviour {criterion_key} on this call's scorecard.")
        scored = scored_outcome(session, evaluation.id, criterion.id)
        if proposed is not None and proposed is scored:
            raise TalkBackError(f"It was scored {outcome_word(scored)}: propose another outcome, or none.")
        if through_login(session):
            made = session.connection().execute(
                text("SELECT nextcall_access.raise_dispute(:evaluation, :criterion, :reason, :proposed)"),
                {"evaluation": evaluation.id, "criterion": criterion.id, "reason": reason.strip(),
                 "proposed": proposed.value if proposed else None},
            ).scalar()
            return int(made)
        open_already = session.exec(
            select(Dispute.id).where(
                Dispute.evaluation_id == evaluation.id, Dispute.criterion_id == criterion.id,
                Dispute.status == DisputeStatus.open.value,
            )
        ).first()
        if open_already is not None:
            raise TalkBackError("You already have an open dispute on this behaviour of this call.")
        dispute = Dispute(
            evaluation_id=evaluation.id, criterion_id=criterion.id, agent_id=agent_id, reason=reason.strip(),
            proposed_outcome=proposed.value if proposed else None, scored_outcome=scored.value,
            raised_at=now or utc_now(),
        )
        session.add(dispute)
        session.flush()
        assert dispute.id is not None
        return dispute.id


def withdraw_dispute(db: Engine, *, agent_id: str, dispute_id: int, now: datetime | None = None) -> None:
    """Withdraw one of the agent's open disputes.

    Raises:
        TalkBackError: no such open dispute of this agent's.
    """
    with _refused_in_words(), unit_of_work(db) as session:
        dispute = session.get(Dispute, dispute_id)
        if dispute is None or dispute.agent_id != agent_id or dispute.status != DisputeStatus.open.value:
            raise TalkBackError("No open dispute of yours to withdraw.")
        if through_login(session):
            session.connection().execute(text("SELECT nextcall_access.withdraw_dispute(:id)"), {"id": dispute_id})
            return
        dispute.status, dispute.closed_at = DisputeStatus.withdrawn.value, now or utc_now()


# ---------------------------------------------------------------- QA's answer


def answer_rescored(session: Session, evaluation_ids: list[int], now: datetime) -> list[int]:
    """After a re-score of these evaluations: close their open disputes as changed or upheld, and make them unseen.

    Returns the ids of the disputes closed."""
    if not evaluation_ids:
        return []
    closed = []
    for dispute in session.exec(
        select(Dispute).where(col(Dispute.evaluation_id).in_(evaluation_ids), Dispute.status == DisputeStatus.open.value)
    ):
        decided = scored_outcome(session, dispute.evaluation_id, dispute.criterion_id)
        dispute.status = (DisputeStatus.upheld if decided.value == dispute.scored_outcome else DisputeStatus.changed).value
        dispute.decided_outcome, dispute.closed_at = decided.value, now
        assert dispute.id is not None
        closed.append(dispute.id)
    table = Acknowledgement.__table__
    session.exec(update(table).where(table.c.evaluation_id.in_(evaluation_ids)).values(current=False))  # type: ignore[call-overload]
    session.flush()
    return closed

