"""Self-assessment drafts and submission in the store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.importer import import_files
from nextcall.store.models import BadgeAward
from nextcall.store.queries import self_assessment_view
from nextcall.store.self_assessments import Draft, SelfAssessmentError, load_draft, save_draft, submit
from tests import factories


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    import_files(engine, [factories.write_jsonl(tmp_path / "a.jsonl", [*factories.basics(), factories.evaluation()])])
    return engine


def test_one_draft_is_saved_over_and_over(store: Engine) -> None:
    save_draft(store, agent_id="a.khan", draft=Draft(strengths="one"))
    save_draft(store, agent_id="a.khan", draft=Draft(strengths="two", ratings={"verify": 4, "greeting": 9}))
    draft = load_draft(store, agent_id="a.khan")
    assert draft == Draft(None, "two", "", "", {"verify": 4})  # an out-of-scale rating is not kept
    view = self_assessment_view(store, agent_id="a.khan", now=datetime(2026, 11, 23, tzinfo=UTC))
    assert view.has_draft and view.past == ()


def test_submit_needs_a_session_date_and_some_words(store: Engine) -> None:
    with pytest.raises(SelfAssessmentError, match="nothing to submit"):
        submit(store, agent_id="a.khan")
    save_draft(store, agent_id="a.khan", draft=Draft(strengths="Calm"))
    with pytest.raises(SelfAssessmentError, match="date of the coaching session"):
        submit(store, agent_id="a.khan")
    save_draft(store, agent_id="a.khan", draft=Draft(session_on=date(2026, 12, 1)))
    with pytest.raises(SelfAssessmentError, match="Write a few words"):
        submit(store, agent_id="a.khan")


def test_submitted_before_the_session_is_locked_listed_and_recognised(store: Engine) -> None:
    save_draft(store, agent_id="a.khan", draft=Draft(date(2026, 12, 1), "Calm", "Rushing", "Recaps", {"verify": 3}))
    submit(store, agent_id="a.khan", now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert load_draft(store, agent_id="a.khan") is None
    view = self_assessment_view(store, agent_id="a.khan", now=datetime(2026, 11, 30, tzinfo=UTC))
    assert [(p.session_on, p.strengths, p.ratings) for p in view.past] == [(date(2026, 12, 1), "Calm", {"verify": 3})]
    with Session(store) as session:
        assert [a.badge_id for a in session.exec(select(BadgeAward))] == ["listened_first"]


def test_calibration_measures_the_last_thirty_days(store: Engine) -> None:
    view = self_assessment_view(store, agent_id="a.khan", now=datetime(2026, 11, 23, tzinfo=UTC))
    measured = {m.criterion.key: (m.met, m.applicable) for m in view.measured}
    assert measured == {"greeting": (1, 1), "verify": (0, 1), "confirm_need": (1, 1)}
    later = self_assessment_view(store, agent_id="a.khan", now=datetime(2027, 1, 31, tzinfo=UTC))
    assert {m.applicable for m in later.measured} == {0}
