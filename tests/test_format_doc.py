"""The format reference (docs/format.md) is the contract the importer keeps: its examples import, its tables name every field."""

from __future__ import annotations

import re
import typing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nextcall.store.db import open_store
from nextcall.store.importer import import_files
from nextcall.store.models import CSV_COLUMNS
from nextcall.store.records import CriterionIn, CriterionResultIn, ImportRecord

DOC = (Path(__file__).resolve().parents[1] / "docs" / "format.md").read_text(encoding="utf-8")
RECORD_MODELS = typing.get_args(typing.get_args(ImportRecord)[0])


def section(kind: str) -> str:
    match = re.search(rf"^### {kind}\n(.*?)(?=^##)", DOC, re.S | re.M)
    assert match, f"docs/format.md has no section for {kind}"
    return match.group(1)


def test_every_example_in_the_reference_imports(sqlite_url: str, tmp_path: Path) -> None:
    examples = re.findall(r"```jsonl\n(.*?)```", DOC, re.S)
    path = tmp_path / "examples.jsonl"
    path.write_text("".join(examples), encoding="utf-8")

    summary = import_files(open_store(sqlite_url), [path], now=datetime(2026, 11, 25, tzinfo=UTC))

    kinds = {model.model_fields["kind"].annotation.__args__[0] for model in RECORD_MODELS}
    assert summary.evaluations.added == 1 and summary.goals.added == 2 and summary.self_assessments.added == 2
    assert all(f'"kind":"{kind}"' in "".join(examples) for kind in kinds)


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_the_reference_names_every_field_of_every_kind(model: type) -> None:
    kind = model.model_fields["kind"].annotation.__args__[0]
    text = section(kind)
    nested = {"criteria": CriterionIn, "results": CriterionResultIn}
    for name in model.model_fields:
        if name == "kind":
            continue
        assert f"`{name}`" in text or f"`{name}," in text or f", `{name}`" in text, f"{kind}.{name} is not in docs/format.md"
        if name in nested:
            for inner in nested[name].model_fields:
                assert f"`{name}[].{inner}`" in text, f"{kind}.{name}[].{inner} is not in docs/format.md"


def test_the_reference_gives_the_csv_header() -> None:
    assert ",".join(CSV_COLUMNS) in DOC
