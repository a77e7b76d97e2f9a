"""Self-assessment drafts and submission in the store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from nextcall.store.db import unit_of_work
from nextcall.store.importer import import_files
from nextcall.store.models import BadgeAward, PointsEntry, SelfAssessment
from nextcall.store.recognition import refresh_recognition
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


def test_an_empty_page_is_not_a_draft_but_clearing_a_draft_is_kept(store: Engine) -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    save_draft(store, agent_id="a.khan", now=now, draft=Draft(session_on=date(2026, 11, 24), struggles="Rushing"))
    submit(store, agent_id="a.khan", now=now)

    save_draft(store, agent_id="a.khan", draft=Draft(strengths="   "))  # a save that lands just after the submit

    assert load_draft(store, agent_id="a.khan") is None
    save_draft(store, agent_id="a.khan", draft=Draft(strengths="Next time"))
    save_draft(store, agent_id="a.khan", draft=Draft())
    assert load_draft(store, agent_id="a.khan") == Draft(None, "", "", "", {})


def test_submit_needs_a_session_date_and_some_words(store: Engine) -> None:
    now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    with pytest.raises(SelfAssessmentError, match="nothing to submit"):
        submit(store, agent_id="a.khan", now=now)
    save_draft(store, agent_id="a.khan", draft=Draft(strengths="Calm"))
    with pytest.raises(SelfAssessmentError, match="date of the coaching session"):
        submit(store, agent_id="a.khan", now=now)
    save_draft(store, agent_id="a.khan", draft=Draft(session_on=date(2026, 12, 1)))
    with pytest.raises(SelfAssessmentError, match="Write a few words"):
        submit(store, agent_id="a.khan", now=now)
    # Ratings alone are not the agent's words, and blank space is not either.
    save_draft(store, agent_id="a.khan", draft=Draft(date(2026, 12, 1), " ", "\n\t", "", {"verify": 4}))
    with pytest.raises(SelfAssessmentError, match="Write a few words in at least one box"):
        submit(store, agent_id="a.khan", now=now)
    assert load_draft(store, agent_id="a.khan") is not None  # nothing was submitted


@pytest.mark.parametrize(
    ("session_on", "refused"),
    [
        (date(2026, 11, 26), "has passed"),
        (date(2027, 1, 27), "within the next 60 days"),
        (date(9999, 12, 31), "within the next 60 days"),
        (date(2026, 11, 27), None),
        (date(2027, 1, 26), None),
    ],
)
def test_a_session_is_today_or_within_the_next_sixty_days(
    store: Engine, session_on: date, refused: str | None
) -> None:
    now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    save_draft(store, agent_id="a.khan", draft=Draft(session_on, "Calm"))
    if refused is None:
        submit(store, agent_id="a.khan", now=now)
        assert load_draft(store, agent_id="a.khan") is None
        return
    with pytest.raises(SelfAssessmentError, match=refused):
        submit(store, agent_id="a.khan", now=now)
    assert load_draft(store, agent_id="a.khan") == Draft(session_on, "Calm", "", "", {})
    with Session(store) as session:
        assert session.exec(select(BadgeAward)).all() == []


def test_a_submission_for_a_far_off_session_earns_nothing_whoever_wrote_it(store: Engine) -> None:
    # Written straight into the store (as an old file or another tool might): recognition applies the same rule.
    with unit_of_work(store) as session:
        session.add(SelfAssessment(agent_id="a.khan", session_on=date(9999, 12, 31), strengths="x",
                                   submitted_at=datetime(2026, 11, 27, tzinfo=UTC)))
        session.add(SelfAssessment(agent_id="a.khan", session_on=date(2026, 12, 1), strengths=" ",
                                   submitted_at=datetime(2026, 11, 27, tzinfo=UTC)))
    with unit_of_work(store) as session:
        assert refresh_recognition(session, ["a.khan"]) == []
        assert session.exec(select(PointsEntry).where(PointsEntry.source == "self_assessment")).all() == []


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


def test_blank_and_invisible_characters_are_not_words() -> None:
    from nextcall.store.rules import has_words

    assert not has_words("\u00a0", "\u200b \u200d\u2060", "\t\n\r \u3000\ufeff", "")
    assert has_words(" ", "日本語") and has_words("🙂") and has_words("\u00a0ok")


def test_the_databases_check_of_words_holds_the_same_characters_as_the_store() -> None:
    import importlib.util

    from nextcall.store import rules

    path = Path(rules.__file__).parent / "migrations" / "versions" / "0006_private_by_construction.py"
    spec = importlib.util.spec_from_file_location("revision_0006", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    assert revision.BLANK == rules.BLANK
