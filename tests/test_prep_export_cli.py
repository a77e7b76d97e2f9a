"""`nextcall prep` and `nextcall export` when there is nothing to find: they say where they looked and what to try."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner

from nextcall.seed.load import load_demo
from nextcall.store.db import open_store
from nextcall.store.importer import import_files
from nextcall.tui.cli import app
from tests import factories


def real_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    engine = open_store(url)
    import_files(engine, [factories.write_jsonl(tmp_path / "basics.jsonl", factories.basics())])
    engine.dispose()
    return url


def test_prep_for_an_agent_not_in_the_database_names_the_database(tmp_path: Path) -> None:
    url = real_db(tmp_path)
    result = CliRunner().invoke(app, ["prep", "r.haddad"], env={"NEXTCALL_DATA_DIR": str(tmp_path), "NEXTCALL_DB": url})
    assert result.exit_code == 1
    assert "There is no agent 'r.haddad' in sqlite:///" in result.stderr and "real.db" in result.stderr
    assert "--demo" not in result.stderr  # no demo made here: nothing to point to


def test_prep_for_a_demo_agent_says_demo_and_demo_briefs_them(tmp_path: Path) -> None:
    url = real_db(tmp_path)
    load_demo(f"sqlite:///{tmp_path / 'demo.db'}", today=date(2026, 11, 23), now=datetime(2026, 11, 23, 18, 30, tzinfo=UTC))
    env = {"NEXTCALL_DATA_DIR": str(tmp_path), "NEXTCALL_DB": url}
    result = CliRunner().invoke(app, ["prep", "r.haddad"], env=env)
    assert result.exit_code == 1
    assert "r.haddad is a demo agent: nextcall prep r.haddad --demo" in result.stderr
    briefed = CliRunner().invoke(app, ["prep", "r.haddad", "--demo"], env=env)
    assert briefed.exit_code == 0, briefed.stderr
    assert briefed.stdout.startswith("# Coaching prep: Rami Haddad")


def test_export_of_an_empty_store_says_so_on_stderr(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).dispose()
    result = CliRunner().invoke(app, ["--db", url, "export"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Nothing to export:" in result.stderr and "empty.db" in result.stderr and "nextcall import" in result.stderr
