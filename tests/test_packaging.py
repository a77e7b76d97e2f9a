"""The built wheel ships the code under one import name, with its migrations and styles."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("nextcall-*.whl")
    return zipfile.ZipFile(built)


def test_nothing_lands_at_the_top_of_site_packages(wheel: zipfile.ZipFile) -> None:
    top = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in top if not t.endswith(".dist-info")} == {"nextcall"}


def test_the_wheel_carries_migrations_and_the_demo(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "nextcall/store/migrations/env.py" in names
    assert "nextcall/store/migrations/script.py.mako" in names
    assert any(n.startswith("nextcall/store/migrations/versions/0001_") for n in names)
    assert "nextcall/seed/demo.py" in names
    assert "nextcall/tui/cli.py" in names


def test_the_command_is_declared(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    assert "nextcall = nextcall.tui.cli:main" in wheel.read(entry_points).decode()
