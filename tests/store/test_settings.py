"""Settings from flags and NEXTCALL_* variables, and errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextcall.store.errors import SettingsError
from nextcall.store.settings import load_settings


def test_default_database_is_a_sqlite_file_in_the_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEXTCALL_DB", raising=False)
    monkeypatch.setenv("NEXTCALL_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.db_url == f"sqlite:///{tmp_path / 'nextcall.db'}"
    assert settings.demo_db_url == f"sqlite:///{tmp_path / 'demo.db'}"
    assert settings.demo_db_url != settings.db_url


def test_the_environment_sets_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTCALL_DB", "postgresql://team@db.example/nextcall")
    assert load_settings().db_url == "postgresql+psycopg://team@db.example/nextcall"


def test_a_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEXTCALL_DB", "postgresql://team@db.example/nextcall")
    assert load_settings(db=f"sqlite:///{tmp_path}/x.db").db_url == f"sqlite:///{tmp_path}/x.db"


def test_a_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTCALL_DB", "mysql://root@localhost/x")
    with pytest.raises(SettingsError, match=r"^NEXTCALL_DB: mysql is not supported"):
        load_settings()


def test_a_bad_flag_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEXTCALL_DB", raising=False)
    with pytest.raises(SettingsError, match=r"^--db: not a database URL"):
        load_settings(db="no url here")


def test_a_bad_number_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTCALL_POLL_SECONDS", "soon")
    with pytest.raises(SettingsError, match=r"^NEXTCALL_POLL_SECONDS: "):
        load_settings()


def test_the_goal_target_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTCALL_GOAL_TARGET_MET", "9")
    monkeypatch.setenv("NEXTCALL_GOAL_TARGET_WINDOW", "12")
    settings = load_settings()
    assert (settings.goal_target_met, settings.goal_target_window) == (9, 12)


def test_a_target_larger_than_its_window_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTCALL_GOAL_TARGET_MET", "11")
    monkeypatch.delenv("NEXTCALL_GOAL_TARGET_WINDOW", raising=False)
    with pytest.raises(SettingsError, match=r"NEXTCALL_GOAL_TARGET_MET: goal_target_met \(11\) cannot be more"):
        load_settings()
