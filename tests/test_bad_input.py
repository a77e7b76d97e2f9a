"""Files and settings nextcall cannot use: a clear line on stderr naming the culprit, no traceback, a non-zero exit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nextcall.store.db import open_store
from nextcall.store.errors import SettingsError
from nextcall.store.importer import import_files
from nextcall.store.settings import Settings, load_settings
from tests import factories


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from nextcall.tui.cli import main; main()", *args],
        capture_output=True, text=True, env={**os.environ, "NEXTCALL_DB": "", **(env or {})}, timeout=120,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("nextcall: "), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for words in expected:
        assert words in result.stderr, result.stderr


@pytest.fixture
def damaged_store(tmp_path: Path) -> Path:
    """A nextcall file that opens, with one table's pages overwritten: found only when a query reaches them."""
    path = tmp_path / "damaged.db"
    engine = open_store(f"sqlite:///{path}")
    calls = [factories.evaluation(call_id=f"C-{n}") for n in range(300)]
    import_files(engine, [factories.write_jsonl(tmp_path / "a.jsonl", [*factories.basics(), *calls])])
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'criterion_result'").fetchone()[0]
    connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xfe" * page_size)
    return path


@pytest.mark.parametrize("command", [["export"], ["prep", "a.khan"]])
def test_a_damaged_nextcall_file_says_so_when_a_command_reaches_the_damage(command: list[str], damaged_store: Path) -> None:
    result = run("--db", f"sqlite:///{damaged_store}", *command)
    assert_refused(result, "damaged.db is damaged (database disk image is malformed)", "restore it from a backup")


# One unusable value per setting; a setting added without one fails the completeness check below.
BAD_VALUES = {
    "db": ("mysql://root@localhost/x", "mysql is not supported"),
    "data_dir": ("{file}/nextcall", "is a file, not a folder"),
    "config_dir": ("{file}", "is a file, not a folder"),
    "poll_seconds": ("soon", "valid number"),
    "goal_target_met": ("0", "greater than or equal to 1"),
    "goal_target_window": ("many", "valid integer"),
    "leaderboard_min_calls": ("-2", "greater than or equal to 1"),
    "min_sample": ("0", "greater than or equal to 1"),
    "time_zone": ("Mars/Olympus", "not a time zone"),
}
ANY_VALUE_WILL_DO = {"agent"}  # an unknown agent is asked about in the app, not refused


def test_every_setting_has_a_bad_value_case() -> None:
    assert set(Settings.model_fields) == set(BAD_VALUES) | ANY_VALUE_WILL_DO


@pytest.mark.parametrize("field", sorted(BAD_VALUES))
def test_a_bad_value_of_every_setting_names_its_variable(field: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for name in Settings.model_fields:
        monkeypatch.delenv(f"NEXTCALL_{name.upper()}", raising=False)
    value, words = BAD_VALUES[field]
    monkeypatch.setenv(f"NEXTCALL_{field.upper()}", value.format(file=a_file))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"NEXTCALL_{field.upper()}: ")
    assert words in str(caught.value)


def test_a_database_path_inside_a_file_names_the_flag(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = run("--db", f"sqlite:///{a_file}/nextcall.db", "db", "info")
    assert result.returncode == 2
    assert_refused(result, f"--db: {a_file} is a file, not a folder")


def test_a_data_folder_inside_a_file_names_the_variable(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = run("demo", "--no-open", env={"NEXTCALL_DATA_DIR": f"{a_file}/nextcall"})
    assert result.returncode == 2
    assert_refused(result, f"NEXTCALL_DATA_DIR: {a_file} is a file, not a folder")
