"""The words of an import's problems: where a record was read, and what is wrong with it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MISSING: Any = object()
"""A problem's `got` when there was nothing there at all."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one record of a batch."""

    file: str
    line: int | None
    """None for a record of a JSON file, whose `field` is then a JSON path in it."""
    field: str
    message: str
    got: Any = MISSING

    def __str__(self) -> str:
        got = "nothing" if self.got is MISSING else show_value(self.got)
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message} (got {got})"


def show_value(value: Any, limit: int = 60) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    try:
        shown = json.dumps(value, ensure_ascii=True, default=str)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from."""

    file: str
    line: int | None
    path: str = ""
    """Where in a JSON file (a QA tool's export), such as `entities[3]`; such a record has no line."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}" if self.path else where
