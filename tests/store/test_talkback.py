"""The agent talks back to QA: acknowledgements, disputes and QA's answers, in the store.

Each test runs on a real SQLite file and on PostgreSQL as the owner (the `engine`
fixture); an agent's own login is tested in test_talkback_privacy.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from nextcall.store.db import open_store
from nextcall.store.errors import ImportRejected
from nextcall.store.exporter import export_records
from nextcall.store.importer import ImportSummary, import_files
from nextcall.store.models import DisputeStatus, Outcome
from nextcall.store.queries import disputes_answered_since, evaluation_view, home_view, scorecard_page
from nextcall.store.talkback import (
    RecordingLink,
    TalkBackError,
    acknowledge,
    raise_dispute,
    recording_link,
    withdraw_dispute,
)
from tests import factories as f

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
NOW = datetime(2026, 11, 25, tzinfo=UTC)
BEN = f.agent(id="b.ortiz", name="Ben Ortiz")


def load(engine: Engine, tmp_path: Path, records: list[dict[str, Any]], now: datetime = NOW) -> ImportSummary:
    name = f"batch-{len(list(tmp_path.glob('batch-*.jsonl')))}.jsonl"
    return import_files(engine, [f.write_jsonl(tmp_path / name, records)], now=now)


def scored(engine: Engine, tmp_path: Path) -> None:
    """Aisha's call C-100234 (greeting met, verify missed) and Ben's call C-2."""
    load(engine, tmp_path, [*f.basics(), BEN, f.evaluation(), f.evaluation(call_id="C-2", agent="b.ortiz")])


def dispute_of(engine: Engine, call_id: str = "C-100234", key: str = "verify"):  # noqa: ANN201
    view = evaluation_view(engine, call_id=call_id)
    assert view is not None
    return view.dispute_on(key)


# ---------------------------------------------------------------- acknowledge


def test_seeing_an_evaluation_with_and_without_a_comment(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    assert home_view(engine, agent_id="a.khan").unseen == 1  # type: ignore[union-attr]

    acknowledge(engine, agent_id="a.khan", call_id="C-100234", now=T0)
    seen = evaluation_view(engine, call_id="C-100234").seen  # type: ignore[union-attr]
    assert (seen.seen_at, seen.comment, seen.current) == (T0, None, True)  # type: ignore[union-attr]
    assert home_view(engine, agent_id="a.khan").unseen == 0  # type: ignore[union-attr]

    acknowledge(engine, agent_id="a.khan", call_id="C-100234", comment="  I'll ask before holds from now on ", now=T0)
    assert evaluation_view(engine, call_id="C-100234").seen.comment == "I'll ask before holds from now on"  # type: ignore[union-attr]
    page = scorecard_page(engine, agent_id="b.ortiz")
    assert [row.seen for row in page.rows] == [False]


def test_an_agent_sees_only_their_own_calls_and_cannot_tell_whose_a_call_is(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    with pytest.raises(TalkBackError) as someone_elses:
        acknowledge(engine, agent_id="a.khan", call_id="C-2")
    with pytest.raises(TalkBackError) as no_such:
        acknowledge(engine, agent_id="a.khan", call_id="C-nope")
    assert someone_elses.value.message.replace("C-2", "X") == no_such.value.message.replace("C-nope", "X")


# ------------------------------------------------------------------- disputes


def test_a_dispute_needs_a_reason_proposes_another_outcome_and_is_one_per_behaviour(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    with pytest.raises(TalkBackError, match="a reason is needed"):
        raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason="   ")
    with pytest.raises(TalkBackError, match="It was scored missed"):
        raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason="x", proposed=Outcome.missed)

    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify",
                  reason="The caller was verified by the IVR before I answered", proposed=Outcome.met, now=T0)

    dispute = dispute_of(engine)
    assert dispute is not None and dispute.is_open
    assert (dispute.scored_outcome, dispute.proposed_outcome, dispute.raised_at) == (Outcome.missed, Outcome.met, T0)
    assert dispute.answer == "under review: the score stays as scored until QA decides"
    view = evaluation_view(engine, call_id="C-100234")
    assert view is not None and view.summary.score == 0.0  # the score stays as scored (a critical miss)
    with pytest.raises(TalkBackError, match="already have an open dispute"):
        raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason="again")
    with pytest.raises(TalkBackError):
        raise_dispute(engine, agent_id="a.khan", call_id="C-2", criterion_key="verify", reason="not mine")


def test_an_open_dispute_can_be_withdrawn_and_then_raised_again(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    first = raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="greeting", reason="r", now=T0)
    with pytest.raises(TalkBackError):
        withdraw_dispute(engine, agent_id="b.ortiz", dispute_id=first)

    withdraw_dispute(engine, agent_id="a.khan", dispute_id=first, now=T0 + timedelta(hours=1))

    assert dispute_of(engine, key="greeting").status is DisputeStatus.withdrawn  # type: ignore[union-attr]
    with pytest.raises(TalkBackError):
        withdraw_dispute(engine, agent_id="a.khan", dispute_id=first)
    again = raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="greeting", reason="r2")
    assert again != first and dispute_of(engine, key="greeting").is_open  # type: ignore[union-attr]


def test_a_rescore_answers_open_disputes_as_changed_or_upheld_and_makes_the_call_unseen(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    acknowledge(engine, agent_id="a.khan", call_id="C-100234")
    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason="IVR verified", now=T0)
    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="greeting", reason="r", proposed=Outcome.na,
                  now=T0)

    rescored = f.evaluation(results=[f.result("greeting", "met"), f.result("verify", "met")])
    summary = load(engine, tmp_path, [rescored], now=NOW + timedelta(days=1))

    assert len(summary.disputes_answered) == 2
    verify, greeting = dispute_of(engine, key="verify"), dispute_of(engine, key="greeting")
    assert (verify.status, verify.decided_outcome, verify.closed_at) == (  # type: ignore[union-attr]
        DisputeStatus.changed, Outcome.met, NOW + timedelta(days=1)
    )
    assert verify.answer == "changed by QA: missed → met"  # type: ignore[union-attr]
    assert (greeting.status, greeting.answer) == (DisputeStatus.upheld, "upheld by QA: stays met")  # type: ignore[union-attr]
    assert evaluation_view(engine, call_id="C-100234").seen.current is False  # type: ignore[union-attr]
    assert home_view(engine, agent_id="a.khan").unseen == 1  # type: ignore[union-attr]
    answered = disputes_answered_since(engine, agent_id="a.khan", since=NOW)
    assert {d.criterion_key for d in answered} == {"verify", "greeting"}
    assert disputes_answered_since(engine, agent_id="b.ortiz", since=NOW) == []


def test_a_resolution_record_upholds_with_a_note_once(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason="IVR verified", now=T0)
    resolution = {"kind": "dispute_resolution", "call_id": "C-100234", "criterion": "verify", "decision": "upheld",
                  "note": "The IVR does not verify for account changes."}

    summary = load(engine, tmp_path, [resolution])

    dispute = dispute_of(engine)
    assert (dispute.status, dispute.decided_outcome, dispute.note, dispute.closed_at) == (  # type: ignore[union-attr]
        DisputeStatus.upheld, Outcome.missed, "The IVR does not verify for account changes.", NOW
    )
    assert (summary.disputes.changed, len(summary.disputes_answered)) == (1, 1)
    assert load(engine, tmp_path, [resolution]).disputes.unchanged == 1
    with pytest.raises(ImportRejected) as rejected:
        load(engine, tmp_path, [resolution | {"criterion": "greeting"}])
    assert rejected.value.problems[0].endswith('criterion: no open dispute on this behaviour of call C-100234 (got "greeting")')


# ------------------------------------------------------------------ backups


def test_a_backup_carries_acknowledgements_and_disputes(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    acknowledge(engine, agent_id="a.khan", call_id="C-100234", comment="Got it", now=T0)
    acknowledge(engine, agent_id="b.ortiz", call_id="C-2", now=T0)
    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason="IVR", proposed=Outcome.met,
                  now=T0)
    first_dispute = raise_dispute(engine, agent_id="b.ortiz", call_id="C-2", criterion_key="greeting", reason="r", now=T0)
    withdraw_dispute(engine, agent_id="b.ortiz", dispute_id=first_dispute, now=T0 + timedelta(minutes=5))
    load(engine, tmp_path, [f.evaluation(call_id="C-2", agent="b.ortiz", results=[f.result("verify", "met")])])

    with Session(engine) as session:
        first = list(export_records(session))
    kinds = [r["kind"] for r in first]
    assert kinds.count("acknowledgement") == 2 and kinds.count("dispute") == 2
    assert {"kind": "acknowledgement", "call_id": "C-2", "seen_at": "2026-11-24T09:00:00Z", "current": False} in first

    empty = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    backup = f.write_jsonl(tmp_path / "backup.jsonl", first)
    import_files(empty, [backup], now=NOW + timedelta(days=2))
    with Session(empty) as session:
        assert list(export_records(session)) == first
    again = import_files(empty, [backup], now=NOW + timedelta(days=2))
    assert (again.acknowledgements.unchanged, again.disputes.unchanged) == (2, 2)


def test_bad_dispute_records_name_their_field(engine: Engine, tmp_path: Path) -> None:
    scored(engine, tmp_path)
    base = {"kind": "dispute", "call_id": "C-100234", "criterion": "verify", "reason": "r", "scored_outcome": "missed",
            "raised_at": "2026-11-24T09:00:00Z"}
    cases = {
        "criterion": (base | {"criterion": "nope"}, "criterion: not a criterion of scorecard care-v1"),
        "call": (base | {"call_id": "C-none"}, "call_id: unknown call"),
        "closed": (base | {"status": "upheld"}, "a upheld dispute needs its closed_at"),
    }
    for record, expected in cases.values():
        with pytest.raises(ImportRejected) as rejected:
            load(engine, tmp_path, [record])
        assert expected in rejected.value.problems[0], rejected.value.problems


# ------------------------------------------------------------------ listen back


def test_a_call_record_brings_the_recording_and_wins_over_the_evaluations(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, [*f.basics(), f.evaluation(recording_url="https://rec.example/a.mp3")])
    assert evaluation_view(engine, call_id="C-100234").recording_url == "https://rec.example/a.mp3"  # type: ignore[union-attr]

    load(engine, tmp_path, [f.call(recording_url="https://rec.example/b.mp3")])

    assert evaluation_view(engine, call_id="C-100234").recording_url == "https://rec.example/b.mp3"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "moment", "expected"),
    [
        ("https://rec.example/c.mp3", 63, RecordingLink("https://rec.example/c.mp3#t=63", None, 63)),
        ("HTTP://rec.example/c.mp3?sig=1#t=5", 0, RecordingLink("http://rec.example/c.mp3?sig=1#t=0", None, 0)),
        ("file:///srv/recordings/c%201.wav", 7, RecordingLink("file:///srv/recordings/c%201.wav", Path("/srv/recordings/c 1.wav"), 7)),
        ("file://localhost/srv/c.wav", 7, RecordingLink("file://localhost/srv/c.wav", Path("/srv/c.wav"), 7)),
        ("https://rec.example/c.mp3", None, None),
        (None, 63, None),
        ("javascript:alert(1)", 63, None),
        ("JavaScript:alert(1)//https://x", 63, None),
        ("file://evil.example/share/c.wav", 63, None),
        ("file:relative.wav", 63, None),
        ("data:audio/wav;base64,AAAA", 63, None),
        ("https:///no-host.mp3", 63, None),
    ],
)
def test_only_web_and_local_recordings_are_opened(url: str | None, moment: int | None, expected: RecordingLink | None) -> None:
    assert recording_link(url, moment) == expected
