"""`nextcall import --from` and `--watch` as a person runs them: a real process, real files, a real Ctrl-C."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from tests import factories as f
from tests.signals import FAULTHANDLER, default_sigint, exit_after_ctrl_c
from tests.test_cli import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CEILING = 60.0
"""Seconds: only a hang waits this long."""


def people(folder: Path) -> Path:
    return f.write_jsonl(folder / "agents.jsonl", [
        f.team(),
        f.agent(aliases=["7a11ce00-0000-4000-8000-0000000000a1", "286bcec0-e722-4166-865f-84db80252218"]),
        f.agent(id="b.ortiz", name="Ben Ortiz", aliases=["7a11ce00-0000-4000-8000-0000000000a2"]),
        f.agent(id="c.diaz", name="Carla Díaz", aliases=["9f9f9f9f-0000-4000-8000-00000000beef"]),
    ])


def test_the_documented_connect_example_imports_with_one_line(tmp_path: Path) -> None:
    example = FIXTURES / "amazon_connect" / "example-3.1.json"
    result = run("--db", f"sqlite:///{tmp_path}/n.db", "import", "--from", "amazon-connect", str(people(tmp_path)), str(example))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Imported 2 files: 1 evaluations: 1 added, 0 replaced, 0 unchanged; 1 team, 3 agents, 1 scorecard "
        "(5 new or updated); 1 evaluation dated when submitted: no call record gave the call's time; every behaviour "
        "weighs the same on 15d8fbf1-b4b2-4ace-869b-82714e2f6e3e-v2: its form definition was not given."
    ]
    info = run("--db", f"sqlite:///{tmp_path}/n.db", "db", "info")
    assert "2 behaviours have no next-call words yet" in info.stdout
    assert "  15d8fbf1-b4b2-4ace-869b-82714e2f6e3e-v2  q73bc5b9d  Did the agent introduce themselves?" in info.stdout


def test_watch_takes_no_files_and_import_needs_some(tmp_path: Path) -> None:
    both = run("import", "--watch", str(tmp_path), str(tmp_path / "x.jsonl"))
    assert both.returncode == 2 and "give no FILES" in both.stderr
    neither = run("import")
    assert neither.returncode == 2 and "give the FILES (or folders) to import, or --watch DIR" in neither.stderr


def _lines(stream: IO[str]) -> queue.Queue[str | None]:
    """The stream's lines as they come, then None once it has ended."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _drained(lines: queue.Queue[str | None]) -> list[str]:
    """The lines still to come, up to the stream's end (its process has ended)."""
    rest = []
    while (line := lines.get(timeout=CEILING)) is not None:
        rest.append(line)
    return rest


def _land(source: Path, folder: Path) -> Path:
    """A file arrives as sync tools write one: elsewhere first, then renamed in."""
    staged = folder.parent / f".staged-{source.name}"
    shutil.copy(source, staged)
    return Path(shutil.move(staged, folder / source.name))


def test_a_watched_folder_imports_genesys_files_with_their_forms_refuses_a_bad_one_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    people(inbox)
    shutil.copy(FIXTURES / "genesys" / "form_care_versions.json", inbox)
    child = subprocess.Popen(
        [sys.executable, "-c", "from nextcall.tui.cli import main; main()", "--db", f"sqlite:///{tmp_path}/n.db",
         "import", "--watch", str(inbox), "--from", "genesys"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **FAULTHANDLER}, preexec_fn=default_sigint,
    )
    out, err = _lines(child.stdout), _lines(child.stderr)  # type: ignore[arg-type]
    try:
        assert out.get(timeout=CEILING).startswith(f"Imported {inbox / 'agents.jsonl'}: ")
        assert out.get(timeout=CEILING).startswith(f"Imported {inbox / 'form_care_versions.json'}: ")
        assert out.get(timeout=CEILING) == f"Watching {inbox} for new files (Ctrl-C to stop)."

        page = _land(FIXTURES / "genesys" / "evaluations_page.json", inbox)
        imported = out.get(timeout=CEILING)
        assert imported.startswith(f"Imported {page}: 4 evaluations: 4 added"), imported  # read with its forms
        assert "1 evaluation left out (not finished)" in imported

        bad = _land(FIXTURES / "genesys" / "evaluations_malformed.json", inbox)
        refused = err.get(timeout=CEILING)
        assert refused.startswith(f"Refused {bad}: "), refused
        assert (inbox / "refused" / bad.name).exists() and not bad.exists()
        problems = (inbox / "refused" / f"{bad.name}.problems.txt").read_text(encoding="utf-8")
        assert f"{bad}: " in problems

        assert exit_after_ctrl_c(child, CEILING, lambda: "\n".join(_drained(err))) == 0
    finally:
        child.kill()
    assert out.get(timeout=CEILING) == f"Stopped watching {inbox}."
    assert page.exists()
    assert _drained(err) == []
