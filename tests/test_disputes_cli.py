"""`nextcall disputes`: agents' disputes out for the QA team's tool, as a person runs it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nextcall.store.db import open_store
from nextcall.store.importer import import_files
from nextcall.store.models import Outcome
from nextcall.store.talkback import DISPUTE_COLUMNS, raise_dispute, withdraw_dispute
from tests import factories as f
from tests.test_cli import run

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
REASON = "The IVR [b]verified[/b] them,\nsee 0:05 \x1b[31m"


def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = open_store(url)
    otters = [f.team(id="otters", name="Otters"), f.agent(id="o.li", name="Oren Li", team="otters")]
    import_files(engine, [f.write_jsonl(tmp_path / "a.jsonl", [
        *f.basics(), *otters, f.evaluation(), f.evaluation(call_id="C-9", agent="o.li"),
    ])], now=T0)
    raise_dispute(engine, agent_id="a.khan", call_id="C-100234", criterion_key="verify", reason=REASON,
                  proposed=Outcome.met, now=T0)
    withdrawn = raise_dispute(engine, agent_id="o.li", call_id="C-9", criterion_key="greeting", reason="Oops", now=T0 + timedelta(hours=1))
    withdraw_dispute(engine, agent_id="o.li", dispute_id=withdrawn, now=T0 + timedelta(hours=2))
    engine.dispose()
    return url


def test_disputes_come_out_as_json_lines_oldest_first_with_text_as_written(tmp_path: Path) -> None:
    result = run("--db", store(tmp_path), "disputes")

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {"call_id": "C-100234", "agent": "a.khan", "criterion": "verify", "behaviour": "Verify", "scored_outcome": "missed",
         "proposed_outcome": "met", "reason": REASON, "raised_at": "2026-11-24T09:00:00Z", "status": "open"},
        {"call_id": "C-9", "agent": "o.li", "criterion": "greeting", "behaviour": "Greeting", "scored_outcome": "met",
         "reason": "Oops", "raised_at": "2026-11-24T10:00:00Z", "status": "withdrawn", "closed_at": "2026-11-24T11:00:00Z"},
    ]


def test_disputes_as_csv_for_one_team_or_open_only(tmp_path: Path) -> None:
    url = store(tmp_path)

    team = run("--db", url, "disputes", "--team", "otters", "--format", "csv")
    opened = run("--db", url, "disputes", "--open", "--format", "csv")

    table = list(csv.DictReader(io.StringIO(team.stdout)))
    assert team.stdout.splitlines()[0] == ",".join(DISPUTE_COLUMNS)
    assert [(row["call_id"], row["status"]) for row in table] == [("C-9", "withdrawn")]
    assert [row["reason"] for row in csv.DictReader(io.StringIO(opened.stdout))] == [REASON]
    none = run("--db", url, "disputes", "--open", "--team", "otters")
    assert (none.returncode, none.stdout, none.stderr) == (0, "", "No disputes open in team otters.\n")
    unknown = run("--db", url, "disputes", "--team", "nope")
    assert unknown.returncode == 1 and unknown.stderr == "nextcall: no team 'nope' in the store\n"
