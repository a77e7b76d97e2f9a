"""Self-assessments: what the agent says of their own work before a coaching session.

One draft per agent, saved as they type (so a crash or a kill loses at most
the last second); submitting locks it for its session. Submitted ones are
read-only history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from .db import unit_of_work
from .errors import NextcallError
from .models import SelfAssessment, utc_now
from .privacy import can_derive_recognition
from .recognition import refresh_recognition
from .rules import SELF_RATINGS


class SelfAssessmentError(NextcallError):
    title = "Self-assessment"


@dataclass(frozen=True, slots=True)
class Draft:
    """What the agent has written so far (all fields may be empty)."""

    session_on: date | None = None
    strengths: str = ""
    struggles: str = ""
    want_to_work_on: str = ""
    ratings: dict[str, int] | None = None


def _draft_row(session: Session, agent_id: str) -> SelfAssessment | None:
    return session.exec(
        select(SelfAssessment)
        .where(SelfAssessment.agent_id == agent_id, col(SelfAssessment.submitted_at).is_(None))
        .order_by(col(SelfAssessment.updated_at).desc())
    ).first()


def save_draft(db: Engine, *, agent_id: str, draft: Draft, now: datetime | None = None) -> None:
    """Keep the agent's draft as it stands now (creating it on the first save)."""
    ratings = {key: value for key, value in (draft.ratings or {}).items() if value in SELF_RATINGS}
    with unit_of_work(db) as session:
        row = _draft_row(session, agent_id)
        if row is None:
            row = SelfAssessment(agent_id=agent_id)
            session.add(row)
        row.session_on = draft.session_on
        row.strengths, row.struggles, row.want_to_work_on = draft.strengths, draft.struggles, draft.want_to_work_on
        row.ratings = ratings
        row.updated_at = now or utc_now()


def load_draft(db: Engine, *, agent_id: str) -> Draft | None:
    """The agent's draft, or None when they have none."""
    with Session(db) as session:
        row = _draft_row(session, agent_id)
        if row is None:
            return None
        return Draft(
            row.session_on,
            row.strengths, row.struggles, row.want_to_work_on, dict(row.ratings or {}),
        )


def submit(db: Engine, *, agent_id: str, now: datetime | None = None) -> int:
    """Lock the draft for its session; returns its id.

    Raises:
        SelfAssessmentError: no draft, no session date, or nothing written at all.
    """
    with unit_of_work(db) as session:
        row = _draft_row(session, agent_id)
        if row is None:
            raise SelfAssessmentError("There is nothing to submit yet: write what you do well and what you struggle with.")
        if row.session_on is None:
            raise SelfAssessmentError("Add the date of the coaching session this is for, then submit.")
        if not (row.strengths.strip() or row.struggles.strip() or row.want_to_work_on.strip() or row.ratings):
            raise SelfAssessmentError("Write a few words (or rate a behaviour) before you submit.")
        row.submitted_at = now or utc_now()
        row.updated_at = row.submitted_at
        session.flush()
        if can_derive_recognition(session):  # else the owner's next import or `nextcall db refresh`
            refresh_recognition(session, [agent_id])
        assert row.id is not None
        return row.id
