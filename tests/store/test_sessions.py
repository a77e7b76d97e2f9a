"""Coaching sessions in the store: planned, moved, cancelled, noted, confirmed, checked in on, backed up.

Each test runs on a real SQLite file and on PostgreSQL as the owner (the `engine` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from nextcall.store.db import open_store
from nextcall.store.errors import ImportRejected
from nextcall.store.exporter import export_records
from nextcall.store.goals import start_goal
from nextcall.store.importer import import_files
from nextcall.store.models import SessionStatus
from nextcall.store.self_assessments import Draft, SelfAssessmentError, save_draft, submit
from nextcall.store.sessions import (
    SessionError,
    add_session,
    cancel_session,
    check_in,
    confirm_session,
    move_session,
    note_session,
    sessions_of,
)
from tests import factories as f

T0 = datetime(2026, 11, 16, 10, tzinfo=UTC)
"""The session's time: a Monday."""


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def call(n: int, outcome: str, *, csat: int | None = None, fcr: bool | None = None) -> dict[str, Any]:
    """Call `n` hours from the session, with confirm_need as given."""
    return f.evaluation(call_id=f"C-{1000 + n}", occurred_at=at(n).isoformat(), csat=csat, first_contact_resolution=fcr,
                        results=[f.result("confirm_need", outcome), f.result("greeting", "met")])


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]], now: datetime) -> None:
    name = f"batch-{len(list(tmp_path.glob('batch-*.jsonl')))}.jsonl"
    import_files(engine, [f.write_jsonl(tmp_path / name, records)], now=now)


def planned(engine: Engine, tmp_path: Path) -> str:
    """Aisha with a call before T0 and a goal on confirm_need; a session with Sam at T0, planned the week before."""
    load(engine, tmp_path, [*f.basics(), call(-200, "missed")], now=at(-190))
    start_goal(engine, agent_id="a.khan", criterion_key="confirm_need", now=at(-180))
    return add_session(engine, agent_id="a.khan", coach="Sam Patel", at=T0, follow_up_on=date(2026, 11, 23), now=at(-170))


def test_a_session_is_planned_on_the_goals_behaviour_moved_and_cancelled_before_it_happens(engine: Engine, tmp_path: Path) -> None:
    made = planned(engine, tmp_path)

    (only,) = sessions_of(engine, agent_id="a.khan")
    assert (only.id, only.coach, only.scheduled_at, only.status, only.behaviour_key, only.follow_up_on) == (
        made, "Sam Patel", T0, SessionStatus.scheduled, "confirm_need", date(2026, 11, 23)
    )
    move_session(engine, session_id=made, to=at(2), now=at(-100))
    assert sessions_of(engine, agent_id="a.khan")[0].scheduled_at == at(2)
    with pytest.raises(SessionError, match="has happened: it can be noted, not moved"):
        move_session(engine, session_id=made, to=at(30), now=at(3))
    with pytest.raises(SessionError, match="has happened: it can be noted, not cancelled"):
        cancel_session(engine, session_id=made, now=at(3))

    cancel_session(engine, session_id=made, now=at(-1))

    assert sessions_of(engine, agent_id="a.khan")[0].status is SessionStatus.cancelled
    with pytest.raises(SessionError, match="was cancelled"):
        note_session(engine, session_id=made, will_do="x", now=at(5))


def test_planning_refuses_what_cannot_be(engine: Engine, tmp_path: Path) -> None:
    planned(engine, tmp_path)
    with pytest.raises(SessionError, match="no agent 'nobody'"):
        add_session(engine, agent_id="nobody", coach="Sam", at=at(48), now=T0)
    with pytest.raises(SessionError, match="not a behaviour"):
        add_session(engine, agent_id="a.khan", coach="Sam", at=at(48), behaviour="juggling", now=T0)
    with pytest.raises(SessionError, match="has passed"):
        add_session(engine, agent_id="a.khan", coach="Sam", at=at(-48), now=T0)
    with pytest.raises(SessionError, match="Say who coaches"):
        add_session(engine, agent_id="a.khan", coach="  ", at=at(48), now=T0)
    with pytest.raises(SessionError, match="follow-up comes after"):
        add_session(engine, agent_id="a.khan", coach="Sam", at=at(48), follow_up_on=date(2026, 11, 1), now=T0)


def test_noted_after_and_confirmed_or_heard_differently_by_the_agent(engine: Engine, tmp_path: Path) -> None:
    made = planned(engine, tmp_path)
    with pytest.raises(SessionError, match="has not happened yet"):
        note_session(engine, session_id=made, will_do="Repeat the need back", now=at(-1))
    with pytest.raises(SessionError, match="Nothing was noted as agreed yet"):
        confirm_session(engine, agent_id="a.khan", session_id=made, now=at(1))

    note_session(engine, session_id=made, will_do="Repeat the need back and wait for the yes.", notes="Good talk.",
                 now=at(1))
    with pytest.raises(SessionError, match="No coaching session"):
        confirm_session(engine, agent_id="b.ortiz", session_id=made, now=at(2))
    confirm_session(engine, agent_id="a.khan", session_id=made, now=at(2))

    (noted,) = sessions_of(engine, agent_id="a.khan")
    assert (noted.will_do, noted.notes, noted.behaviour_key, noted.confirmed_at) == (
        "Repeat the need back and wait for the yes.", "Good talk.", "confirm_need", at(2)
    )
    confirm_session(engine, agent_id="a.khan", session_id=made, heard_differently="I heard: only on billing calls.",
                    now=at(3))
    (changed,) = sessions_of(engine, agent_id="a.khan")
    assert (changed.confirmed_at, changed.heard_differently) == (None, "I heard: only on billing calls.")


def test_the_check_in_compares_the_same_number_of_applicable_calls_before_and_since(engine: Engine, tmp_path: Path) -> None:
    made = planned(engine, tmp_path)
    before = [call(-10, "missed", csat=2, fcr=False), call(-9, "met", csat=4, fcr=True), call(-8, "na"),
              call(-7, "missed", csat=3, fcr=False), call(-6, "missed", csat=2, fcr=True), call(-5, "met", csat=5, fcr=True),
              call(-4, "missed", csat=2, fcr=False)]
    since = [call(2, "met", csat=5, fcr=True), call(3, "met", csat=4, fcr=True), call(4, "missed", csat=3, fcr=False),
             call(5, "met", csat=5, fcr=True), call(6, "met", csat=4, fcr=True)]
    load(engine, tmp_path, [*before, *since], now=at(7))
    note_session(engine, session_id=made, will_do="Repeat the need back", now=at(1))

    assert check_in(engine, agent_id="a.khan", now=at(7), zone=UTC) is None  # the follow-up day has not come

    found = check_in(engine, agent_id="a.khan", now=datetime(2026, 11, 23, 8, tzinfo=UTC), zone=UTC)
    assert found is not None and found.session.id == made
    effect = found.effect
    # Since: 5 applicable calls, 4 met. Before: the 5 applicable calls just before the session (-9 … -4, not -8 n/a).
    assert (effect.after.calls, effect.after.met, effect.after.applicable) == (5, 4, 5)
    assert (effect.before.calls, effect.before.met, effect.before.applicable) == (5, 2, 5)
    assert effect.before.mean_csat == pytest.approx((4 + 3 + 2 + 5 + 2) / 5)
    assert effect.after.mean_csat == pytest.approx(4.2)
    assert (effect.before.fcr_rate, effect.after.fcr_rate) == (pytest.approx(0.6), pytest.approx(0.8))
    assert effect.enough


def test_a_check_in_with_too_few_calls_says_so(engine: Engine, tmp_path: Path) -> None:
    made = planned(engine, tmp_path)
    load(engine, tmp_path, [call(-3, "missed"), call(-2, "missed"), call(2, "met")], now=at(3))
    note_session(engine, session_id=made, will_do="x", now=at(1))

    found = check_in(engine, agent_id="a.khan", now=datetime(2026, 11, 24, tzinfo=UTC), zone=UTC)

    assert found is not None and not found.effect.enough
    assert (found.effect.after.applicable, found.effect.before.applicable) == (1, 1)


def test_a_self_assessment_is_for_one_of_the_planned_sessions(engine: Engine, tmp_path: Path) -> None:
    planned(engine, tmp_path)
    now = at(-48)
    save_draft(engine, agent_id="a.khan", now=now, draft=Draft(session_on=date(2026, 11, 17), strengths="Calm."))
    with pytest.raises(SelfAssessmentError, match="Choose one of your coaching sessions: Mon 16 Nov"):
        submit(engine, agent_id="a.khan", now=now)

    save_draft(engine, agent_id="a.khan", now=now, draft=Draft(session_on=date(2026, 11, 16), strengths="Calm."))
    assert submit(engine, agent_id="a.khan", now=now)


def test_sessions_go_into_a_backup_and_come_back(engine: Engine, tmp_path: Path) -> None:
    made = planned(engine, tmp_path)
    later = add_session(engine, agent_id="a.khan", coach="Sam Patel", at=at(24 * 10), behaviour="greeting", now=at(-1))
    cancel_session(engine, session_id=later, now=at(-1))
    note_session(engine, session_id=made, will_do="Repeat the need back", notes="[b]not markup[/b]", now=at(1))
    confirm_session(engine, agent_id="a.khan", session_id=made, now=at(2))

    with Session(engine) as session:
        first = list(export_records(session))
    sessions = [r for r in first if r["kind"] == "coaching_session"]
    assert sessions[0] == {
        "kind": "coaching_session", "id": made, "agent": "a.khan", "coach": "Sam Patel",
        "scheduled_at": "2026-11-16T10:00:00Z", "status": "scheduled", "scorecard": "care-v1", "criterion": "confirm_need",
        "will_do": "Repeat the need back", "notes": "[b]not markup[/b]", "follow_up_on": "2026-11-23",
        "confirmed_at": "2026-11-16T12:00:00Z",
    }
    assert sessions[1]["status"] == "cancelled"
    empty = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    backup = f.write_jsonl(tmp_path / "backup.jsonl", first)
    import_files(empty, [backup], now=at(5))
    with Session(empty) as session:
        assert list(export_records(session)) == first
    assert import_files(empty, [backup], now=at(5)).sessions.unchanged == 2


def test_a_bad_session_record_names_its_field(engine: Engine, tmp_path: Path) -> None:
    planned(engine, tmp_path)
    base = {"kind": "coaching_session", "id": "s-1", "agent": "a.khan", "coach": "Sam", "scheduled_at": "2026-11-16T10:00:00Z"}
    for record, expected in (
        (base | {"agent": "nobody"}, "agent: unknown agent"),
        (base | {"scorecard": "care-v1", "criterion": "juggling"}, "criterion: not a criterion of scorecard care-v1"),
        (base | {"criterion": "greeting"}, "give both or neither"),
        (base | {"follow_up_on": "2026-11-01"}, "follow_up_on must not be before the session"),
    ):
        with pytest.raises(ImportRejected) as rejected:
            load(engine, tmp_path, [record], now=at(1))
        assert expected in rejected.value.problems[0], rejected.value.problems


# ------------------------------------------------------------- the lead's view


def test_the_team_view_puts_a_due_check_in_first_and_says_why(engine: Engine, tmp_path: Path) -> None:
    from nextcall.store.team import team_view

    made = planned(engine, tmp_path)
    load(engine, tmp_path, [BEN_RECORD, f.evaluation(call_id="C-ben", agent="b.ortiz", occurred_at=at(-30).isoformat())],
         now=at(-20))
    add_session(engine, agent_id="b.ortiz", coach="Sam", at=at(24 * 8), now=at(-10))
    note_session(engine, session_id=made, will_do="Repeat the need back", now=at(1))

    view = team_view(engine, team_id="falcons", now=datetime(2026, 11, 23, 9, tzinfo=UTC), zone=UTC)

    assert [(row.agent_id, row.attention) for row in view.rows] == [
        ("a.khan", "check-in due today"),
        ("b.ortiz", "no self-assessment yet for the next session"),
    ]
    aisha, ben = view.rows
    assert aisha.last_session is not None and aisha.last_session.id == made and aisha.check_in is not None
    assert aisha.goal is not None and aisha.goal.criterion.key == "confirm_need"
    assert ben.next_session is not None and not ben.self_assessed and ben.last_session is None
    assert team_view(engine, team_id="nobody-here", now=at(1)).rows == ()


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"dropped_after_session": True, "check_in_due": True}, ("dropped since the last session: talk before it sets in", 0)),
        ({"check_in_due": True, "follow_up_on": date(2026, 11, 23)}, ("check-in due since Mon 23 Nov", 1)),
        ({"check_in_due": True, "follow_up_on": date(2026, 11, 23), "today": date(2026, 11, 23)}, ("check-in due today", 1)),
        ({"goal_days": 35, "goal_rate": 0.5}, ("goal stuck for 5 weeks, 50% lately: adjust it together", 2)),
        ({"goal_days": 27}, ("on track", 9)),
        ({"open_disputes": 2}, ("2 disputes open: hear them out", 3)),
        ({"session_soon": True}, ("no self-assessment yet for the next session", 4)),
        ({"session_soon": True, "self_assessed": True}, ("on track", 9)),
    ],
)
def test_what_needs_attention_first(facts: dict[str, Any], expected: tuple[str, int]) -> None:
    from nextcall.store import rules

    given = {"check_in_due": False, "follow_up_on": None, "goal_days": None, "goal_rate": None,
             "dropped_after_session": False, "session_soon": False, "self_assessed": False, "open_disputes": 0}
    assert rules.attention(**(given | facts)) == expected


BEN_RECORD = f.agent(id="b.ortiz", name="Ben Ortiz")
