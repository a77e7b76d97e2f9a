"""Queries: what the screens and commands read, returned as read models.

Each takes the engine (`db`) first and keyword arguments after, opens its own
short unit of work, and returns values built before it closes, so callers
never lazy-load.
"""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from .models import Agent, CriterionResult, Evaluation, Scorecard, Team


def store_counts(db: Engine) -> dict[str, int]:
    """How many of each thing the store holds, for `nextcall db info`."""
    with Session(db) as session:
        return {
            noun: session.exec(select(func.count()).select_from(table)).one()
            for noun, table in (
                ("teams", Team),
                ("agents", Agent),
                ("scorecards", Scorecard),
                ("evaluations", Evaluation),
                ("results", CriterionResult),
            )
        }
