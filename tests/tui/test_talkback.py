"""The agent talks back to QA: listen to the moment, mark a call seen, say "I see it differently"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import DataTable, Footer, Input, Select, Static
from textual.widgets._footer import FooterKey

from nextcall.store import queries, talkback
from nextcall.store.db import open_store
from nextcall.store.importer import import_files
from nextcall.store.models import DisputeStatus, Outcome
from nextcall.store.talkback import RecordingLink
from nextcall.tui import opener
from nextcall.tui.dialogs.acknowledge import AcknowledgeDialog
from nextcall.tui.dialogs.dispute import LEAVE_IT_TO_QA, NEEDS_A_REASON, DisputeDialog
from nextcall.tui.screens.evaluation import EvaluationScreen, ResultRow
from tests import factories

from .conftest import import_records, make_app, settle, wait_until

RECORDING = "https://rec.example.com/calls/C-100234.mp3"
CALL = "C-100234"


def calls(**recordings: str | None) -> list[dict]:
    """Two calls of a.khan's: C-100234 (verify missed at 1:13, greeting met without a time) and C-100200, older."""
    return [
        *factories.basics(),
        factories.evaluation(recording_url=recordings.get("newest")),
        factories.evaluation(
            call_id="C-100200", occurred_at="2026-11-19T09:00:00Z", recording_url=recordings.get("older"),
            results=[factories.result("greeting"), factories.result("verify"), factories.result("confirm_need", "missed", moment_s=5)],
        ),
    ]


def store(tmp_path: Path, records: list[dict]) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'talk.db'}")
    import_files(engine, [factories.write_jsonl(tmp_path / "calls.jsonl", records)])
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = store(tmp_path, calls(newest=RECORDING))
    yield engine
    engine.dispose()


class Recorder:
    """Stands in for the system's opener: what would have been opened."""

    def __init__(self) -> None:
        self.opened: list[RecordingLink] = []

    def __call__(self, app: object, link: RecordingLink) -> None:
        self.opened.append(link)


@pytest.fixture(autouse=True)
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """No browser or player starts in these tests; each asks what would have been opened."""
    found = Recorder()
    monkeypatch.setattr(opener, "OPEN", found)
    return found


async def open_call(app, pilot, call_id: str = CALL) -> EvaluationScreen:  # noqa: ANN001
    await settle(app, pilot)
    await pilot.press("s")
    await settle(app, pilot)
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(call_id))
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, EvaluationScreen) and app.screen.call_id == call_id
    return app.screen


def row(screen: EvaluationScreen, key: str) -> ResultRow:
    return next(r for r in screen.query(ResultRow) if r.key == key)


def text(widget: Static) -> str:
    return str(widget.render())


def footer(app) -> list[str]:  # noqa: ANN001
    return [k.description for k in app.screen.query_one(Footer).query(FooterKey) if k.display]


def notices(app) -> list[str]:  # noqa: ANN001
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def outcomes_offered(app, pilot) -> list[str]:  # noqa: ANN001
    """Open the dialog's outcome list as a person would, read it, and close it again."""
    select = app.screen.query_one("#dispute-outcome", Select)
    select.focus()
    await pilot.press("enter")
    await settle(app, pilot)
    overlay = app.screen.query_one("SelectOverlay")
    offered = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    await pilot.press("escape")
    await settle(app, pilot)
    app.screen.query_one("#dispute-reason", Input).focus()
    await settle(app, pilot)
    return offered


async def choose(app, pilot, key: str) -> None:  # noqa: ANN001
    """Choose a behaviour with the arrow keys, as a person would."""
    screen = app.screen
    keys = [r.key for r in screen.query(ResultRow)]
    step = "down" if keys.index(key) > keys.index(screen.chosen.key) else "up"
    while screen.chosen.key != key:
        await pilot.press(step)
    await settle(app, pilot)
    assert app.focused is row(screen, key)


# ------------------------------------------------------------------ seen


async def test_a_marks_a_call_seen_without_a_comment(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        head = screen.query_one("#evaluation-head", Static)
        assert "● Not seen yet" in text(head)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, AcknowledgeDialog)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        seen = queries.evaluation_view(engine, call_id=CALL).seen
        assert seen is not None and seen.comment is None and seen.current
        await wait_until(app, pilot, lambda: "✓ Seen" in text(head))
        assert "Not seen" not in text(head)

        # The list marks only the other call not seen; Home counts it.
        await pilot.press("s")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        marks = {key.value: str(table.get_row(key)[1]) for key in table.rows}
        assert marks == {"C-100200": "● C-100200", CALL: "  C-100234"}
        await pilot.press("h")
        await wait_until(app, pilot, lambda: "1 evaluation waiting for you to see" in text(app.screen.query_one("#last-call-text")))


async def test_a_marks_a_call_seen_with_a_comment_kept_literally(engine: Engine) -> None:
    comment = "I'll ask before holds from now on [b]x[/b]"
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press(*comment, "enter")
        await settle(app, pilot)
        seen = queries.evaluation_view(engine, call_id=CALL).seen
        assert seen is not None and seen.comment == comment
        await wait_until(app, pilot, lambda: f"“{comment}”" in text(screen.query_one("#evaluation-head", Static)))

        # Seen again: the dialog holds the comment to change.
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen.query_one(Input).value == comment


async def test_escape_cancels_marking_seen(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press(*"not sent", "escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert queries.evaluation_view(engine, call_id=CALL).seen is None


async def test_a_re_score_makes_a_seen_call_waiting_to_be_seen_again(engine: Engine, tmp_path: Path) -> None:
    talkback.acknowledge(engine, agent_id="a.khan", call_id=CALL, comment="Got it")
    import_records(engine, tmp_path / "rescore.jsonl", [factories.evaluation(recording_url=RECORDING, csat=5)])
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        assert "● Re-scored since you saw it: press a to mark it seen again." in text(screen.query_one("#evaluation-head", Static))


async def test_scorecards_lists_the_calls_not_seen_newest_first(tmp_path: Path) -> None:
    records = calls()
    records.append(factories.evaluation(call_id="C-100300", occurred_at="2026-11-22T09:00:00Z"))
    engine = store(tmp_path, records)
    talkback.acknowledge(engine, agent_id="a.khan", call_id=CALL)
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await wait_until(app, pilot, lambda: "2 evaluations waiting for you to see" in text(app.screen.query_one("#last-call-text")))
        await pilot.press("s")
        await settle(app, pilot)
        assert "Not seen" in footer(app)
        table = app.screen.query_one(DataTable)
        assert [key.value for key in table.rows] == ["C-100300", CALL, "C-100200"]
        await pilot.press("n")
        await settle(app, pilot)
        assert [key.value for key in table.rows] == ["C-100300", "C-100200"]
        assert "● 2 not seen" in text(app.screen.query_one("#count", Static))
        await pilot.press("n")
        await settle(app, pilot)
        assert table.row_count == 3
    engine.dispose()


# ------------------------------------------------------------------ I see it differently


async def test_d_disputes_the_chosen_behaviour_with_a_reason_and_the_call_shows_it_under_review(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        score_before = queries.evaluation_view(engine, call_id=CALL).summary.score
        assert screen.chosen.key == "verify"  # the miss comes first, and is chosen
        await pilot.press("d")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, DisputeDialog)
        # The outcome as scored (missed) is not offered.
        assert await outcomes_offered(app, pilot) == [LEAVE_IT_TO_QA, "✓ met", "– n/a"]
        assert app.screen is dialog

        await pilot.press("enter")  # no reason yet
        await settle(app, pilot)
        error = dialog.query_one("#dispute-error", Static)
        assert app.screen is dialog and error.display and text(error) == "✗ " + NEEDS_A_REASON
        await pilot.press(*"   ", "enter")  # blank is no reason either
        await settle(app, pilot)
        assert app.screen is dialog and error.display

        await pilot.press(*"I verified on the second try [b]x[/b]")
        assert not error.display
        dialog.query_one("#dispute-outcome", Select).value = "met"
        await pilot.click("#send")
        await settle(app, pilot)
        assert app.screen is screen

        view = queries.evaluation_view(engine, call_id=CALL)
        dispute = view.dispute_on("verify")
        assert dispute is not None and dispute.is_open
        assert dispute.reason == "I verified on the second try [b]x[/b]" and dispute.proposed_outcome is Outcome.met
        assert view.summary.score == score_before  # stays as scored until QA decides

        await wait_until(app, pilot, lambda: row(screen, "verify").has_class("-disputed"))
        shown = text(row(screen, "verify"))
        assert shown.startswith("✗ missed")
        assert "⚑ Under review: the score stays as scored until QA decides" in shown
        assert "You said: “I verified on the second try [b]x[/b]” · you propose ✓ met" in shown
        # One open dispute per behaviour: d is not offered on it again, x withdraws it.
        assert "Withdraw" in footer(app) and "See it differently" not in footer(app)
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen is screen
        assert any("QA has not answered yet" in n for n in notices(app))


async def test_escape_cancels_a_dispute(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press(*"changed my mind", "escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert queries.evaluation_view(engine, call_id=CALL).disputes == ()


async def test_a_met_behaviour_chosen_with_the_mouse_can_be_disputed_too(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        await pilot.click(row(screen, "greeting"))
        await settle(app, pilot)
        assert screen.chosen.key == "greeting"
        await pilot.press("d")
        await settle(app, pilot)
        assert await outcomes_offered(app, pilot) == [LEAVE_IT_TO_QA, "✗ missed", "– n/a"]
        await pilot.press(*"It was rushed", "enter")
        await settle(app, pilot)
        dispute = queries.evaluation_view(engine, call_id=CALL).dispute_on("greeting")
        assert dispute is not None and dispute.proposed_outcome is None and dispute.scored_outcome is Outcome.met


async def test_x_withdraws_an_open_dispute(engine: Engine) -> None:
    talkback.raise_dispute(engine, agent_id="a.khan", call_id=CALL, criterion_key="verify", reason="I did verify")
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        assert "⚑ Under review" in text(row(screen, "verify"))
        await pilot.press("x")
        await settle(app, pilot)
        dispute = queries.evaluation_view(engine, call_id=CALL).dispute_on("verify")
        assert dispute is not None and dispute.status is DisputeStatus.withdrawn
        await wait_until(app, pilot, lambda: "– Withdrawn" in text(row(screen, "verify")))
        assert not row(screen, "verify").has_class("-disputed")
        assert "See it differently" in footer(app) and "Withdraw" not in footer(app)


async def test_when_qa_re_scores_the_dispute_closes_and_a_notice_says_so(engine: Engine, tmp_path: Path) -> None:
    talkback.raise_dispute(
        engine, agent_id="a.khan", call_id=CALL, criterion_key="verify", reason="I did verify", proposed=Outcome.met
    )
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        assert "⚑ Under review" in text(row(screen, "verify"))
        rescored = factories.evaluation(
            recording_url=RECORDING,
            results=[factories.result("greeting"), factories.result("verify", "met"), factories.result("confirm_need")],
        )
        import_records(engine, tmp_path / "rescore.jsonl", [rescored])
        await wait_until(app, pilot, lambda: any(n.startswith("QA answered:") for n in notices(app)))
        assert "QA answered: Call C-100234 · Verify: changed by QA: missed → met" in notices(app)
        await wait_until(app, pilot, lambda: "✓ Changed by QA: missed → met" in text(row(screen, "verify")))
        assert text(row(screen, "verify")).startswith("✓ met")
        # Said once, not on every poll: two more polls have run (each one stamps when it reached the store).
        for _ in range(2):
            polled = app._reached_at
            await wait_until(app, pilot, lambda: app._reached_at != polled)
        assert sum(n.startswith("QA answered:") for n in notices(app)) == 1


async def test_when_qa_upholds_the_score_the_call_says_it_stays(engine: Engine, tmp_path: Path) -> None:
    talkback.raise_dispute(engine, agent_id="a.khan", call_id=CALL, criterion_key="verify", reason="I did verify")
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        same_outcomes_new_words = factories.evaluation(
            recording_url=RECORDING,
            results=[
                factories.result("greeting"),
                factories.result("verify", "missed", moment_s=73, comment="Listened again: no security question"),
                factories.result("confirm_need"),
            ],
        )
        import_records(engine, tmp_path / "rescore.jsonl", [same_outcomes_new_words])
        await wait_until(app, pilot, lambda: "QA answered: Call C-100234 · Verify: upheld by QA: stays missed" in notices(app))
        await wait_until(app, pilot, lambda: "= Upheld by QA: stays missed" in text(row(screen, "verify")))


# ------------------------------------------------------------------ listen back


async def test_l_and_enter_open_the_recording_at_the_moment(engine: Engine, recorder: Recorder) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        verify = row(screen, "verify")
        assert "▶ Listen from 1:13" in text(verify)
        assert "Listen" in footer(app)
        await pilot.press("l")
        await settle(app, pilot)
        assert [link.url for link in recorder.opened] == [f"{RECORDING}#t=73"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert [link.url for link in recorder.opened] == [f"{RECORDING}#t=73"] * 2
        assert isinstance(app.screen, EvaluationScreen)


async def test_a_click_on_listen_opens_it_and_the_text_is_a_terminal_hyperlink(engine: Engine, recorder: Recorder) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        await pilot.press("down")  # another behaviour chosen: the click chooses this one
        verify = row(screen, "verify")
        content = verify.render()
        start = content.plain.index("Listen from 1:13")
        # Textual writes a style's link as an OSC 8 hyperlink; the click runs the same action as l.
        linked = [span for span in content.spans if getattr(span.style, "link", None)]
        assert [(span.start, span.end, span.style.link) for span in linked] == [(start, start + 16, f"{RECORDING}#t=73")]
        assert linked[0].style.meta == {"@click": "listen"}
        await pilot.click(verify, offset=(start + 2 + 3, 0))  # past the bar and the padding
        await settle(app, pilot)
        assert [link.url for link in recorder.opened] == [f"{RECORDING}#t=73"]
        assert screen.chosen is verify


async def test_listen_is_offered_only_with_a_recording_and_a_time(engine: Engine, recorder: Recorder) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        await choose(app, pilot, "greeting")  # met, no moment
        assert "Listen" not in footer(app)
        assert "Listen from" not in text(row(screen, "greeting"))
        await pilot.press("l")  # says why, and stays here (l is the leaderboard elsewhere)
        await settle(app, pilot)
        assert isinstance(app.screen, EvaluationScreen) and recorder.opened == []
        assert any("nothing to listen back to" in n for n in notices(app))
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Listen from 1:13: Verify" in titles and not any(t.startswith("Listen from") and "Greeting" in t for t in titles)

        # The older call has a moment but no recording: nothing to listen to anywhere on it.
        await pilot.press("escape")
        screen = await open_call(app, pilot, "C-100200")
        confirm = row(screen, "confirm_need")
        assert screen.chosen is confirm and "Listen" not in footer(app)
        assert "at 0:05" in text(confirm) and "Listen from" not in text(confirm)
        assert "No recording with this call" in text(screen.query_one("#evaluation-head", Static))
        await pilot.press("l", "enter")
        await settle(app, pilot)
        assert recorder.opened == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:fetch('//x')#t=1",
        "file://evil.example.com/share/rec.wav",
        "https://rec.example.com/[b]x[/b].mp3",
        "data:text/html,[link=x]y[/link]",
    ],
)
async def test_hostile_recording_urls_are_shown_literally_and_only_http_is_opened(
    tmp_path: Path, recorder: Recorder, url: str
) -> None:
    engine = store(tmp_path, calls(newest=url))
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        head = text(screen.query_one("#evaluation-head", Static))
        assert url in head  # as given, never read as markup
        await pilot.press("l")
        await settle(app, pilot)
        if url.startswith("https:"):
            assert [link.url for link in recorder.opened] == ["https://rec.example.com/[b]x[/b].mp3#t=73"]
        else:
            assert "never opened" in head
            assert recorder.opened == []
            assert "Listen" not in footer(app) and "Listen from" not in text(row(screen, "verify"))
    engine.dispose()


async def test_escape_sequences_in_a_recording_url_are_shown_not_obeyed(engine: Engine) -> None:
    """The import refuses control characters in a recording URL; one in the store anyway is shown as a symbol."""
    from dataclasses import replace

    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        view = queries.evaluation_view(engine, call_id=CALL)
        screen.show(replace(view, recording_url="https://x.example/\x1b]8;;javascript:alert(1)\x1b\\a.mp3"))
        await settle(app, pilot)
        head = text(screen.query_one("#evaluation-head", Static))
        assert "\x1b" not in head and "␛]8;;javascript:alert(1)␛\\a.mp3" in head
        verify = row(screen, "verify")
        assert not [span for span in verify.render().spans if getattr(span.style, "link", None)]


async def test_javascript_is_never_opened_even_if_asked_directly(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)):
        for link in (RecordingLink("javascript:alert(1)#t=1"), RecordingLink("file://evil.example.com/x.wav", Path("/x.wav"))):
            with pytest.raises(opener.CannotOpen):
                opener.system_open(app, link)


async def test_the_system_opener_hands_a_file_to_the_platforms_player_without_a_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    import sys

    wav = tmp_path / "rec with space;$(x).wav"
    started: list[list[str]] = []
    monkeypatch.setattr(opener.subprocess, "Popen", lambda command, **options: started.append(command))
    app = make_app(engine)
    async with app.run_test(size=(80, 24)):
        with pytest.raises(opener.CannotOpen, match="There is no recording at"):
            opener.system_open(app, RecordingLink(wav.as_uri(), wav, 73))
        wav.write_bytes(b"RIFF")
        opener.system_open(app, RecordingLink(wav.as_uri(), wav, 73))
    if sys.platform.startswith("linux"):
        assert started == [["xdg-open", str(wav)]]


async def test_a_local_recording_is_opened_as_a_file(tmp_path: Path, recorder: Recorder) -> None:
    wav = tmp_path / "rec.wav"
    engine = store(tmp_path, calls(newest=wav.as_uri()))
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert [(link.path, link.seconds) for link in recorder.opened] == [(wav, 73)]
        assert any("skip to 1:13" in n for n in notices(app))
    engine.dispose()


async def test_the_evaluation_footer_fits_80_columns_with_every_key_offered(engine: Engine) -> None:
    talkback.raise_dispute(engine, agent_id="a.khan", call_id=CALL, criterion_key="greeting", reason="It was fine")
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call(app, pilot)
        keys = [k for k in app.screen.query_one(Footer).query(FooterKey) if k.display]
        palette = next(k for k in keys if k.has_class("-command-palette"))
        described = [k.description for k in keys if k is not palette]
        assert described == ["Back", "Seen", "See it differently", "Listen", "Quit"]
        assert all(k.region.right <= palette.region.x for k in keys if k is not palette)
        await choose(app, pilot, "greeting")
        described = [k.description for k in app.screen.query_one(Footer).query(FooterKey) if k.display]
        assert "Withdraw" in described and "Quit" in described


async def test_a_key_right_after_an_arrow_acts_on_the_newly_chosen_behaviour(engine: Engine) -> None:
    talkback.raise_dispute(engine, agent_id="a.khan", call_id=CALL, criterion_key="verify", reason="I did verify")
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(app, pilot)
        assert screen.chosen.key == "verify"
        await pilot.press("down", "d")  # no pause between: d is for the behaviour below, not the one under review
        await settle(app, pilot)
        assert isinstance(app.screen, DisputeDialog) and app.screen.behaviour == row(screen, "greeting").result.criterion.name
