"""QA tools' JSON files read into a batch of format v1 records.

Form definitions are found among the files by their shape and read first;
then every other file's evaluations, each with its form (or, without one, a
form made from the evaluations, every behaviour weighing the same). Each
evaluation becomes an `evaluation` record, each form a `scorecard` record, and
from there on they are checked and written like any other record of the batch:
vendor user ids are matched to agents through their aliases when the batch is
checked, against the batch and the store.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..import_problems import MISSING, Problem, Source
from ..records import ScorecardIn
from .vendor import Behaviour, Evaluation, Form, Reading

if TYPE_CHECKING:
    from ..importer import Batch


@dataclass(frozen=True, slots=True)
class SourceKind:
    """One QA tool nextcall reads."""

    name: str
    title: str
    module: str
    agent_field: str
    """Where an evaluation names its agent, for problems."""

    def adapter(self) -> ModuleType:
        return importlib.import_module(f"{__package__}.{self.module}")


SOURCES = {
    kind.name: kind
    for kind in (
        SourceKind("amazon-connect", "Amazon Connect", "amazon_connect", "metadata.agentId"),
        SourceKind("genesys", "Genesys Cloud", "genesys", "agent.id"),
    )
}
"""The QA tools `import --from` reads, by the name it takes."""

DEFAULT_CHANNEL = "phone"
"""An evaluation that does not say its channel (Amazon Connect's) is taken as a call until a call record says otherwise."""

Validate = Callable[[dict[str, Any], str, Source], Any]
"""Validates one format v1 record (adding problems to the batch); the record, or None when refused."""


def holds_forms(source: str, data: bytes, parse: Callable[[str], Any]) -> bool:
    """Whether a QA tool's file is a form definition (or a page of them), by its shape."""
    try:
        document = parse(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return False
    reading = SOURCES[source].adapter().forms_in(document)
    return reading is not None and bool(reading.forms)


def read_vendor_files(source: str, files: Sequence[tuple[str, bytes]], batch: Batch, validate: Validate,
                      parse: Callable[[str], Any]) -> None:
    """Read a QA tool's JSON files (name, bytes) into the batch."""
    kind = SOURCES[source]
    adapter = kind.adapter()
    forms: dict[str, tuple[Form, Source]] = {}
    others: list[tuple[str, Any]] = []
    for name, data in files:
        document = _document(name, data, batch, parse)
        if document is MISSING:
            continue
        reading = adapter.forms_in(document)
        if reading is None:
            others.append((name, document))
            continue
        _problems(name, reading, batch)
        for path, form in reading.forms:
            forms[form.lookup] = (form, Source(name, None, path))
        if not reading.forms and not reading.problems:
            batch.problem(Problem(name, None, "file", f"nothing to import in {name}: it holds no forms"))

    for form, where in forms.values():
        _scorecard(_scorecard_record(form.scorecard_id, form.name, form.behaviours), where, batch, validate)

    by_lookup = {lookup: form for lookup, (form, _) in forms.items()}
    made: dict[str, tuple[str, dict[str, Behaviour], Source]] = {}
    for name, document in others:
        reading = adapter.evaluations_in(document, by_lookup)
        _problems(name, reading, batch)
        for path, why in reading.skipped:
            batch.skipped.append((Source(name, None, path), why))
        for path, evaluation in reading.evaluations:
            where = Source(name, None, path)
            if not evaluation.form.from_definition:
                _, behaviours, _ = made.setdefault(evaluation.form.scorecard_id, (evaluation.form.name, {}, where))
                for behaviour in evaluation.form.behaviours:
                    behaviours.setdefault(behaviour.key, behaviour)
            _evaluation(evaluation, where, kind, batch, validate)
        if not (reading.evaluations or reading.problems or reading.skipped):
            batch.problem(Problem(name, None, "file", f"nothing to import in {name}: it holds no evaluations or forms"))

    for scorecard_id, (title, behaviours, where) in made.items():
        batch.equal_weights.add(scorecard_id)
        _scorecard(_scorecard_record(scorecard_id, title, tuple(behaviours.values())), where, batch, validate)


def _document(name: str, data: bytes, batch: Batch, parse: Callable[[str], Any]) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        batch.problem(Problem(name, line, "record", "is not UTF-8 text", data[error.start : error.end]))
        return MISSING
    try:
        return parse(text)
    except json.JSONDecodeError as error:
        got = text.splitlines()[error.lineno - 1] if text.splitlines() else MISSING
        batch.problem(Problem(name, error.lineno, "record", f"not valid JSON ({error.msg})", got))
    except (ValueError, RecursionError) as error:
        key = getattr(error, "key", None)
        if key is not None:
            batch.problem(Problem(name, None, json.dumps(key), "is given twice in one object; give it once", key))
        else:
            reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            batch.problem(Problem(name, None, "record", f"not valid JSON ({reason})"))
    return MISSING


def _problems(name: str, reading: Reading, batch: Batch) -> None:
    for problem in reading.problems:
        path = "record" if problem.path in ("", "$") else problem.path  # the document as a whole
        batch.problem(Problem(name, None, path, problem.message, problem.got))


def _scorecard_record(scorecard_id: str, title: str, behaviours: Sequence[Behaviour]) -> dict[str, Any]:
    return {
        "kind": "scorecard",
        "id": scorecard_id,
        "name": title,
        "criteria": [
            {"key": b.key, "name": b.name, "weight": 1.0 if b.weight is None else b.weight, "critical": b.critical}
            for b in behaviours
        ],
    }


def _scorecard(record: dict[str, Any], where: Source, batch: Batch, validate: Validate) -> None:
    scorecard = validate(record, "scorecard", where)
    if isinstance(scorecard, ScorecardIn):
        batch.vendor_scorecards.setdefault(scorecard.id, (scorecard, where))


def _evaluation(evaluation: Evaluation, where: Source, kind: SourceKind, batch: Batch, validate: Validate) -> None:
    record: dict[str, Any] = {
        "kind": "evaluation",
        "call_id": evaluation.call_id,
        "agent": "vendor",  # matched through the aliases when the batch is checked
        "scorecard": evaluation.form.scorecard_id,
        "occurred_at": evaluation.occurred_at or evaluation.submitted_at,
        "channel": evaluation.channel or DEFAULT_CHANNEL,
        "results": [
            {name: value for name, value in (
                ("criterion", result.key), ("outcome", result.outcome), ("moment_s", result.moment_s),
                ("quote", result.quote), ("comment", result.comment),
            ) if value is not None}
            for result in evaluation.results
        ],
    }
    if evaluation.evaluator:
        record["evaluator"] = evaluation.evaluator
    valid = validate(record, "evaluation", where)
    if valid is None:
        return
    # A synced folder keeps every version of a re-scored evaluation: the one submitted last is the call's.
    latest = batch.vendor_submitted.get(evaluation.call_id)
    if latest is not None and evaluation.submitted_at != latest:
        batch.superseded += 1
        if evaluation.submitted_at < latest:
            return
        del batch.evaluations[evaluation.call_id]
    before = batch.evaluations.get(evaluation.call_id)
    batch.add(valid, where)
    kept = batch.evaluations.get(evaluation.call_id)
    if kept is None or kept is before:
        return  # in the future, or the same call read again
    batch.vendor_submitted[evaluation.call_id] = evaluation.submitted_at
    batch.submit_timed.discard(evaluation.call_id)
    agent_path = f"{where.path}.{kind.agent_field}" if where.path else kind.agent_field
    batch.vendor_agents[evaluation.call_id] = (evaluation.agent, Source(where.file, None, agent_path))
    if evaluation.occurred_at is None:
        batch.submit_timed.add(evaluation.call_id)
