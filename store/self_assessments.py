"""Self-assessments: what the agent says of their own work before a coaching session.

One draft per agent, saved as they type (so a crash or a kill loses at most
the last second); submitting locks it for its session. Submitted ones are
read-only history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from .db import through_login, unit_of_work
from .errors import NextcallError
from .models import SelfAssessment, utc_now
from .privacy import can_derive_recognition
from .recognition import refresh_recognition
from .clock import local_time
from .rules import SELF_RATINGS, has_words, session_date_problem
from .sessions import sessions_in, upcoming


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

    @property
    def is_blank(self) -> bool:
        """Nothing written, dated or rated: not worth starting a draft for."""
        return (
            self.session_on is None
            and not self.kept_ratings
            and not has_words(self.strengths, self.struggles, self.want_to_work_on)
        )

    @property
    def kept_ratings(self) -> dict[str, int]:
        """The ratings on the scale (an out-of-scale value is not kept)."""
        return {key: value for key, value in (self.ratings or {}).items() if value in SELF_RATINGS}


def _draft_row(session: Session, agent_id: str) -> SelfAssessment | None:
    return session.exec(
        select(SelfAssessment)
        .where(SelfAssessment.agent_id == agent_id, col(SelfAssessment.submitted_at).is_(None))
        .order_by(col(SelfAssessment.updated_at).desc())
    ).first()


def save_draft(db: Engine, *, agent_id: str, draft: Draft, now: datetime | None = None) -> None:
    """Keep the agent's draft as it stands now (creating it on the first save)."""
    ratings = draft.kept_ratings
    with unit_of_work(db) as session:
        if draft.is_blank and _draft_row(session, agent_id) is None:
            return  # an empty page is not a draft (a save that lands just after a submit must not start one)
        if through_login(session):
            # Written by the database for the login's own agent, stamped with its clock (migration 0006).
            session.connection().execute(
                text("SELECT nextcall_access.save_draft(:session_on, :strengths, :struggles, :want, CAST(:ratings AS json))"),
                {
                    "session_on": draft.session_on, "strengths": draft.strengths, "struggles": draft.struggles,
                    "want": draft.want_to_work_on, "ratings": json.dumps(ratings),
                },
            )
            return
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

    The session is today (in this machine's zone) or within the next
    `rules.SESSION_HORIZON_DAYS` days, and at least one box has words: a
    submission earns Listened first and points, so the same rule holds at
    every door (the database's own check for agents' logins, recognition).

    Raises:
        SelfAssessmentError: no draft, no session date or one out of range, or no words.
    """
    now = now or utc_now()
    with unit_of_work(db) as session:
        row = _draft_row(session, agent_id)
        if row is None:
            raise SelfAssessmentError("There is nothing to submit yet: write what you do well and what you struggle with.")
        planned = [local_time(s.scheduled_at).day for s in upcoming(sessions_in(session, agent_id), now)]
        problem = session_date_problem(row.session_on, now.astimezone().date(), planned)
        if problem is not None:
            raise SelfAssessmentError(problem)
        if not has_words(row.strengths, row.struggles, row.want_to_work_on):
            raise SelfAssessmentError("Write a few words in at least one box before you submit: your coach starts from them.")
        if through_login(session):
            try:
                submitted = session.connection().execute(text("SELECT nextcall_access.submit_self_assessment()"))
                return int(submitted.scalar_one())
            except DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) not in ("23514", "P0002"):
                    raise
                reason = str(error.orig).strip().splitlines()[0]
                raise SelfAssessmentError(f"The team's database refused this: {reason}.") from None
        row.submitted_at = now
        row.updated_at = row.submitted_at
        session.flush()
        if can_derive_recognition(session):  # else the owner's next import or `nextcall db refresh`
            refresh_recognition(session, [agent_id])
        assert row.id is not None
        return row.id
