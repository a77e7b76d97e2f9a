"""What a QA tool's export says, in its own terms, before it becomes format v1.

An adapter (one module per source) reads a parsed JSON document and answers
in these shapes only; it never touches the store. `store.sources.reading`
turns them into format v1 scorecard and evaluation records, matches vendor
user ids to agents through their aliases and names every problem as
`FILE: json.path: what is wrong (got VALUE)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..import_problems import MISSING

Outcome = Literal["met", "missed", "na"]
Channel = Literal["phone", "chat", "email"]


@dataclass(frozen=True, slots=True)
class VendorProblem:
    """One thing wrong in a vendor file, at a JSON path such as `questions[3].answer.values`."""

    path: str
    message: str
    got: Any = MISSING


@dataclass(frozen=True, slots=True)
class Behaviour:
    """One scored question of a form: a criterion of format v1."""

    key: str
    """Stays the same across the form's published versions (Connect: `questionRefId`;
    Genesys: the question's `contextId`), so a behaviour's history goes on across versions."""
    name: str
    """The question's text."""
    weight: float | None
    """From the form definition; None when the form was not given (then all weigh the same)."""
    critical: bool
    """An automatic-fail option (Connect) or `isKill` (Genesys)."""


@dataclass(frozen=True, slots=True)
class Form:
    """One published version of an evaluation form: a scorecard of format v1."""

    lookup: str
    """How an evaluation names this form, in the adapter's own terms (Connect: `"<id>:<version>"`;
    Genesys: the form's `id`): the key of the `forms` mapping adapters are given."""
    scorecard_id: str
    """The scorecard's id: form id with its version, at most 64 characters, no spaces."""
    name: str
    behaviours: tuple[Behaviour, ...]
    from_definition: bool = True
    """False when made from an evaluation alone (no form definition given: equal weights)."""
    unscored: frozenset[str] = frozenset()
    """Keys of the definition's questions that are not behaviours (text, excluded from scoring,
    weighing 0): an evaluation's answers to them are passed over, not refused."""


@dataclass(frozen=True, slots=True)
class Result:
    """How one call went on one behaviour."""

    key: str
    outcome: Outcome
    moment_s: int | None = None
    quote: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One submitted evaluation of one call."""

    call_id: str
    agent: str
    """The vendor's user id of the agent (matched to an agent through its aliases)."""
    form: Form
    """The form definition given in the same import, or one made from this evaluation."""
    submitted_at: datetime
    """Aware: when the evaluation was submitted."""
    occurred_at: datetime | None
    """Aware: when the call happened, if the evaluation says (Connect's does not)."""
    results: tuple[Result, ...]
    channel: Channel | None = None
    evaluator: str | None = None


@dataclass(slots=True)
class Reading:
    """What an adapter found in one document: each item with the JSON path it was read at."""

    forms: list[tuple[str, Form]] = field(default_factory=list)
    evaluations: list[tuple[str, Evaluation]] = field(default_factory=list)
    problems: list[VendorProblem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, why) of evaluations deliberately left out, such as one not finished yet."""
