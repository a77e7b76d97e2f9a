"""The `nextcall` command as a person runs it: exit codes, stdout, stderr, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nextcall.tui.cli import app
from tests import factories


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command in a child process, as a shell would."""
    return subprocess.run(
        [sys.executable, "-c", "from nextcall.tui.cli import main; main()", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("import", "export", "demo", "db"):
        assert f"\n  {command} " in result.stdout


def test_import_prints_a_one_line_summary(tmp_path: Path) -> None:
    path = factories.write_jsonl(tmp_path / "calls.jsonl", [*factories.basics(), factories.evaluation()])
    result = run("--db", f"sqlite:///{tmp_path}/n.db", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Imported {path}: 1 evaluations: 1 added, 0 replaced, 0 unchanged; "
        "1 team, 1 agent, 1 scorecard (3 new or updated)."
    ]


def test_a_bad_batch_exits_non_zero_listing_problems_on_stderr(tmp_path: Path) -> None:
    path = factories.write_jsonl(
        tmp_path / "calls.jsonl", [*factories.basics(), factories.evaluation(csat=9, channel="fax")]
    )
    result = run("import", str(path), env={"NEXTCALL_DB": f"sqlite:///{tmp_path}/n.db"})
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f'{path}:4: channel: must be one of phone, chat or email (got "fax")',
        f"{path}:4: csat: must be at most 5 (got 9)",
        "2 problems found; nothing was imported.",
    ]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = factories.write_jsonl(tmp_path / "calls.jsonl", [*factories.basics(), factories.evaluation()])
    db = f"sqlite:///{tmp_path}/n.db"
    result = run("--db", db, "import", "--dry-run", str(path))
    assert result.returncode == 0
    assert "would be 1 added" in result.stdout
    info = run("--db", db, "db", "info")
    assert "evaluations  0" in info.stdout


def test_export_to_a_file_round_trips(tmp_path: Path) -> None:
    records = [*factories.basics(), factories.evaluation()]
    source = factories.write_jsonl(tmp_path / "calls.jsonl", records)
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/n.db"
    assert runner.invoke(app, ["--db", db, "import", str(source)]).exit_code == 0
    out = tmp_path / "out" / "export.jsonl"
    result = runner.invoke(app, ["--db", db, "export", str(out)])
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in exported] == ["team", "agent", "scorecard", "evaluation"]
    assert exported[3]["results"][1]["quote"] == "Customer: I just need the reset link"


def test_export_refuses_a_name_that_is_not_jsonl(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/n.db", "export", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert not (tmp_path / "x.csv").exists()


def test_export_of_an_unknown_team_says_which_teams_exist(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/n.db"
    runner.invoke(app, ["--db", db, "import", str(factories.write_jsonl(tmp_path / "a.jsonl", factories.basics()))])
    result = runner.invoke(app, ["--db", db, "export", "--team", "owls"])
    assert result.exit_code == 1
    assert "no team 'owls' in the store (teams: falcons)" in result.stderr


def test_a_bad_database_setting_names_the_variable(tmp_path: Path) -> None:
    result = run("db", "info", env={"NEXTCALL_DB": "oracle://scott@tiger/db"})
    assert result.returncode == 2
    assert result.stderr.startswith("nextcall: NEXTCALL_DB: oracle is not supported")


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    result = run("--db", f"sqlite:///{tmp_path}/n.db", "import", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1
    assert "nope.jsonl:0: file: cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_loads_a_database_of_its_own(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    env = {"NEXTCALL_DATA_DIR": str(tmp_path), "NEXTCALL_DB": f"sqlite:///{real}"}
    result = run("demo", "--no-open", "--agent", "l.nguyen", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo.db").exists()
    assert not real.exists()
    assert "Demo agent: l.nguyen" in result.stdout
    again = run("demo", "--no-open", env=env)  # made afresh, not imported on top
    assert "0 unchanged" in again.stdout


def test_demo_refuses_an_unknown_agent(tmp_path: Path) -> None:
    result = run("demo", "--agent", "nobody", env={"NEXTCALL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "no demo agent 'nobody'" in result.stderr
    assert not (tmp_path / "demo.db").exists()


@pytest.mark.parametrize("command", ["import", "export", "demo", "db"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], prog_name="nextcall")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: nextcall {command} [OPTIONS]")


def test_losing_the_database_mid_command_is_one_clear_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy.exc import OperationalError

    from nextcall.store import importer
    from nextcall.tui import cli

    def connection_lost(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO evaluation …", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(importer, "import_files", connection_lost)
    path = factories.write_jsonl(tmp_path / "batch.jsonl", [factories.team()])
    monkeypatch.setattr(sys, "argv", ["nextcall", "--db", f"sqlite:///{tmp_path}/n.db", "import", str(path)])

    with pytest.raises(SystemExit) as exit_info:
        cli.main()

    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err == (
        "nextcall: lost the database (server closed the connection unexpectedly); nothing was written. "
        "Run the command again once it is back.\n"
    )


@pytest.mark.parametrize("args", [["--help"], ["import", "--help"], ["export", "--help"], ["--no-such-option"]])
def test_help_and_usage_answer_without_loading_the_store_or_textual(args: list[str]) -> None:
    # What makes `nextcall --help` slow is loading what it does not need: checked by what is loaded, not by a clock.
    probe = (
        "import atexit, sys\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'textual', 'pydantic_settings', 'alembic', 'psycopg')\n"
        "atexit.register(lambda: sys.stderr.write('LOADED ' + ' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))) + '\\n'))\n"
        f"sys.argv = ['nextcall', *{args!r}]\n"
        "from nextcall.tui.cli import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 2), done.stderr
    assert done.stderr.splitlines()[-1] == "LOADED ", done.stderr
