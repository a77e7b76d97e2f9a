"""The coach's 1:1 brief: its content on the demo data, literal text from data, and `nextcall prep`.

The demo brief is compared with tests/store/expected/prep_a_khan.md, on a real
SQLite file and on PostgreSQL. To update that file after an intended change,
run with NEXTCALL_UPDATE_EXPECTED=1 and read the difference as a coach would
before committing it.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from sqlalchemy import Engine

from nextcall.seed.load import load_demo
from nextcall.store.importer import import_files
from nextcall.store.models import Outcome
from nextcall.store.prep import PrepError, md, md_quote, prep_brief
from nextcall.store.queries import scorecard_page
from nextcall.store.self_assessments import Draft, save_draft, submit
from nextcall.store.talkback import raise_dispute
from nextcall.tui.cli import app
from tests import factories as f
from tests.store.conftest import DEMO_NOW, DEMO_TODAY

TODAY, NOW = DEMO_TODAY, DEMO_NOW
EXPECTED = Path(__file__).parent / "expected" / "prep_a_khan.md"

HOSTILE = "*bold* [link](x) # heading <script>alert(1)</script> `code` | pipe \x1b[31mred\x1b[0m &amp; _under_"
"""Markdown, HTML, a table pipe and an ANSI escape: all of it must come out as written."""


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def assessed_a_khan(engine: Engine) -> None:
    """Aisha's self-assessment for her last session (16 Nov, the demo's) and the one she just wrote for 25 Nov."""
    save_draft(
        engine, agent_id="a.khan", now=datetime(2026, 11, 12, 12, 0, tzinfo=UTC),
        draft=Draft(
            session_on=date(2026, 11, 16),
            strengths="Calm with upset customers.",
            struggles="I jump to the fix too fast.",
            want_to_work_on="Confirming the need first.",
            ratings={"confirm_need": 2},
        ),
    )
    submit(engine, agent_id="a.khan", now=datetime(2026, 11, 13, 9, 0, tzinfo=UTC))
    save_draft(
        engine, agent_id="a.khan", now=datetime(2026, 11, 22, 17, 5, tzinfo=UTC),
        draft=Draft(
            session_on=date(2026, 11, 25),
            strengths="I stay calm when people are angry.\nCustomers tell me I explain things clearly.",
            struggles="When the queue is long I still rush to the fix.\n\nGreetings feel robotic by the end of a shift.",
            want_to_work_on="Keep confirming the need when it gets busy.\nMaybe empathy next: I want to sound less scripted.",
            ratings={
                "greeting": 2,  # sometimes, measured 19 of 21: the large gap, and in her favour
                "verify": 4,
                "confirm_need": 2,
                "empathy": 3,
                "hold": 4,  # always, measured 1 of 2: a gap on too few calls to read much into
                "explains": 4,
                "next_steps": 3,
            },
        ),
    )
    submit(engine, agent_id="a.khan", now=datetime(2026, 11, 23, 8, 40, tzinfo=UTC))


def test_the_brief_for_a_khan_reads_as_expected(demo: Engine) -> None:
    assessed_a_khan(demo)
    brief = prep_brief(demo, agent_id="a.khan", now=NOW)
    if os.environ.get("NEXTCALL_UPDATE_EXPECTED") == "1":
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(brief, encoding="utf-8", newline="\n")
    assert brief == EXPECTED.read_text(encoding="utf-8")


def test_sections_come_in_the_order_a_coach_needs_them(demo: Engine) -> None:
    brief = prep_brief(demo, agent_id="a.khan", now=NOW)
    headings = [line for line in brief.splitlines() if line.startswith("## ")]
    assert headings == [
        "## In their own words",
        "## Where they see a score differently",
        "## Where their view and the scores differ",
        "## Current goal",
        "## The last session and since",
        "## Moments worth listening to",
        "## Recognition since the last session",
    ]


def test_open_and_recently_answered_disputes_come_right_after_their_own_words(demo: Engine) -> None:
    calls = [v.call_id for v in scorecard_page(demo, agent_id="a.khan").rows]
    open_id = raise_dispute(demo, agent_id="a.khan", call_id=calls[0], criterion_key="greeting",
                            reason="I *did* ask first:\nlisten at 2:10", proposed=Outcome.na, now=NOW)
    assert open_id
    brief = prep_brief(demo, agent_id="a.khan", now=NOW)
    section = brief.split("## Where they see a score differently\n", 1)[1].split("\n## ", 1)[0]
    assert "They asked QA to look again: hear them out before the scores." in section
    assert f"- Call {calls[0]}, **Warm greeting** (scored " in section
    assert ", they propose n/a), raised " in section
    assert "under review: the score stays as scored until QA decides" in section
    assert "  - Their reason: I \\*did\\* ask first: listen at 2:10" in section


def test_without_a_self_assessment_the_brief_says_to_ask_them_first(demo: Engine) -> None:
    brief = prep_brief(demo, agent_id="a.khan", now=NOW)
    assert "- Coaching session: not set" in brief
    assert "They have not written a self-assessment yet. Ask them first" in brief
    assert "They have not rated themselves yet" in brief
    assert "Badges earned since their last session on Mon 16 Nov 2026:" in brief  # the demo's session with Sam


def test_a_draft_is_used_and_marked_as_a_draft(demo: Engine) -> None:
    save_draft(
        demo, agent_id="a.khan", now=NOW,
        draft=Draft(session_on=date(2026, 11, 26), strengths="Staying calm.", ratings={"greeting": 4}),
    )
    brief = prep_brief(demo, agent_id="a.khan", now=NOW)
    assert "- Coaching session: Thu 26 Nov 2026" in brief
    assert "From their draft: it is not submitted yet and may still change." in brief
    assert "> Staying calm." in brief
    assert brief.count("(left blank)") == 2
    assert "| Warm greeting | always | 19 of 21 (90%) |" in brief


def test_without_a_goal_the_top_suggestion_leads_and_its_misses_are_listed(demo: Engine) -> None:
    brief = prep_brief(demo, agent_id="s.oneill", now=NOW)
    assert "No goal yet. The app suggests **Explains the fix in plain words** to them" in brief
    assert "To play back together, starting with what went well on **Explains the fix in plain words**" in brief
    moments = brief.split("## Moments worth listening to")[1].split("## ")[0]
    numbered = [line for line in moments.splitlines() if line[:1].isdigit()]
    assert numbered and all(line.endswith(("it went well", "missed")) or "critical behaviour missed" in line for line in numbered)
    # Never an empty moment: each has a time, a quote or a comment to listen for.
    assert "(none)" not in moments and "no time marked" not in moments


def test_hostile_text_from_data_comes_out_literal(engine: Engine, tmp_path: Path) -> None:
    records = [
        f.team(name="Falcons | #1"),
        f.agent(name="Aisha *Khan* <b>x</b>"),
        f.scorecard(criteria=[
            f.criterion("greeting", weight=5, name="Greets | *warmly*"),
            f.criterion("verify", critical=True),
            f.criterion("confirm_need", weight=15),
        ]),
        f.evaluation(results=[
            f.result("greeting"),
            f.result("verify"),
            f.result("confirm_need", "missed", moment_s=3725, quote=HOSTILE, comment="line one\nline two " + HOSTILE),
        ]),
    ]
    import_files(engine, [f.write_jsonl(tmp_path / "hostile.jsonl", records)])
    free_text = "# heading\n- not a list\n1. not a list\n    not code\n> not a quote\n===\n" + HOSTILE
    save_draft(
        engine, agent_id="a.khan", now=NOW,
        draft=Draft(strengths=free_text, struggles="```\nfenced\n```", want_to_work_on="  <!-- hidden -->"),
    )
    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="confirm_need", reason=HOSTILE, now=NOW)

    brief = prep_brief(engine, agent_id="a.khan", now=NOW)
    assert "\x1b" not in brief and "␛\\[31mred␛\\[0m" in brief
    assert brief.startswith("# Coaching prep: Aisha \\*Khan\\* \\<b\\>x\\</b\\> (Falcons \\| \\#1)\n")
    assert "at 1:02:05" in brief
    assert "   - Comment: line one line two \\*bold\\*" in brief

    rendered = render(brief)
    for tag in ("<em>", "<a ", "<code>", "<pre>", "<script", "<b>", "<!--", "<h1>heading", "<blockquote>\n<blockquote>"):
        assert tag not in rendered, tag
    assert rendered.count("<h1>") == 1 and rendered.count("<h2>") == 7
    text = html.unescape(rendered)
    literal = HOSTILE.replace("\x1b", "␛")
    assert text.count(literal) == 4  # the quote, the comment, the strengths and the dispute's reason
    assert "Aisha *Khan* <b>x</b> (Falcons | #1)" in text
    assert "<td>Greets | *warmly*</td>\n<td>not rated</td>" in text  # the pipe stays in its cell
    for line in ("# heading", "- not a list", "1. not a list", "\u00a0" * 4 + "not code", "> not a quote", "===", "<!-- hidden -->"):
        assert line in text, line
    assert "```\nfenced\n```" in text.replace("<br />", "")
    assert "No goal yet." in brief  # and so its moments are on the suggested behaviour


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aisha Khan", "Aisha Khan"),
        ("*a* _b_ `c` [d](e) <f> g|h ~i~ &amp; $5 \\", "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> g\\|h \\~i\\~ \\&amp; \\$5 \\\\"),
        ("# not a heading #", "\\# not a heading \\#"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("12. item", "12\\. item"),
        ("3.5 out of 5", "3.5 out of 5"),
        ("  indented", "\u00a0\u00a0indented"),
        ("two\nlines\r\nand\rmore", "two lines and more"),
        ("\x1b[2J\x00\x7f\x9b", "␛\\[2J␀\u2421\ufffd"),
        (None, ""),
    ],
)
def test_md_escapes_whatever_markdown_would_interpret(text: str | None, expected: str) -> None:
    assert md(text) == expected


def test_md_quote_keeps_line_breaks_and_paragraphs() -> None:
    assert md_quote("\nfirst\nsecond\n\n  third *\n\n") == ["> first\\", "> second", ">", "> \u00a0\u00a0third \\*"]
    assert render("\n".join(md_quote("first\nsecond"))) == "<blockquote>\n<p>first<br />\nsecond</p>\n</blockquote>\n"
    assert md_quote("  \n") == []


def test_an_unknown_agent_is_an_error_people_can_act_on(engine: Engine) -> None:
    with pytest.raises(PrepError, match="There is no agent 'x.nobody' in this database"):
        prep_brief(engine, agent_id="x.nobody", now=NOW)


def test_prep_command_writes_the_brief_to_a_file(sqlite_url: str, tmp_path: Path) -> None:
    load_demo(sqlite_url, today=TODAY, now=NOW)
    out = tmp_path / "briefs" / "a.khan.md"
    result = CliRunner().invoke(app, ["--db", sqlite_url, "prep", "a.khan", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote the 1:1 brief for a.khan to {out}.\n"
    brief = out.read_text(encoding="utf-8")
    assert brief.startswith("# Coaching prep: Aisha Khan (Falcons)\n")
    assert [p.name for p in out.parent.iterdir()] == ["a.khan.md"]  # no temporary file left behind


def test_prep_command_writes_to_standard_output_without_out(sqlite_url: str) -> None:
    load_demo(sqlite_url, today=TODAY, now=NOW)
    result = CliRunner().invoke(app, ["prep", "a.khan", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Coaching prep: Aisha Khan (Falcons)\n")
    assert "## Recognition since the last session" in result.stdout


def test_prep_command_for_an_unknown_agent_exits_1_and_writes_nothing(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    result = CliRunner().invoke(
        app, ["--db", sqlite_url, "prep", "x.nobody", "--out", str(out)], env={"NEXTCALL_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"nextcall: There is no agent 'x.nobody' in {sqlite_url}; check the id (such as a.khan).\n"
    )
    assert not out.exists()
