"""Import format v1: reading JSON Lines and CSV files into the store.

An import is a batch of files taken as one: every record is validated, every
reference is checked against the batch and the store, and only a batch with
no problem at all is written, in one transaction. Problems are listed as
`FILE:LINE: field.path: what is wrong (got VALUE)`.

Reading (`read_batch`) needs no database; checking and writing
(`check_batch`, `write_batch`) take a session whose transaction the caller
owns. `import_files` does all three.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from itertools import chain
from operator import itemgetter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from typing_extensions import NotRequired, TypedDict

from annotated_types import MinLen
from pydantic import BaseModel, ConfigDict, Strict, TypeAdapter, ValidationError
from pydantic import Field as PydanticField
from pydantic_core import core_schema, to_json
from sqlalchemy.exc import DBAPIError
from sqlalchemy import Engine, Table, bindparam, delete, func, insert, text, update
from sqlmodel import Session, select
from sqlmodel.main import FieldInfoMetadata

from . import rules
from .collector import collector_paused
from .db import IN_LIST_SIZE, LOCK_NOT_AVAILABLE, ROW_WAIT_SECONDS, lock_for_writing, through_login
from .errors import ImportRejected, StoreError
from .import_calls import apply_to_stored, call_details, check_aliases, write_aliases, write_calls
from .import_personal import check_personal, write_goals, write_self_assessments
from .import_sessions import check_sessions, write_sessions
from .import_talkback import check_talkback, write_talkback
from .talkback import answer_rescored
from .import_problems import MISSING, Problem, Source
from .recognition import WrittenCall, driver_rows, driver_rows_in, refresh_recognition, written_outcomes
from .models import (
    OUTCOME_OF,
    CSV_CALL_COLUMNS,
    CSV_COLUMNS,
    CSV_OPTIONAL_COLUMNS,
    Agent,
    CALL_DETAILS,
    CallDetail,
    Criterion,
    CriterionResult,
    Evaluation,
    Goal,
    NO_WORDS_YET,
    Outcome,
    Scorecard,
    Team,
    instant_text,
    utc_now,
)
from .records import (
    AcknowledgementIn,
    AgentIn,
    CallCsvRow,
    CallIn,
    CoachingSessionIn,
    CriterionResultIn,
    DisputeIn,
    DisputeResolutionIn,
    EvaluationCsvRow,
    EvaluationIn,
    GoalIn,
    ImportRecord,
    ScorecardIn,
    SelfAssessmentIn,
    TeamIn,
)
from .models import _ISO_INSTANT, _empty_is_absent, _json_bool, _nfc, _number, _storable_text

Record = (
    TeamIn | AgentIn | ScorecardIn | EvaluationIn | CallIn | GoalIn | SelfAssessmentIn
    | AcknowledgementIn | DisputeIn | DisputeResolutionIn | CoachingSessionIn
)
"""One validated record of format v1."""


SUPPORTED_SUFFIXES = (".jsonl", ".csv")
MAX_PROBLEMS = 1000
"""Past this many problems the rest of a batch is not listed (it is still not written)."""

_RECORD = TypeAdapter(ImportRecord)


def _plain_twin(model: type[BaseModel], name: str, **replaced: Any) -> Any:
    # SQLModel runs every record, and every result nested in it, through its own
    # Python __init__: most of the time a large import spent validating. A
    # TypedDict twin with the very same fields, constraints and validators is
    # checked by pydantic-core alone and builds no objects. Only valid records
    # take this path: a record the twin refuses is validated again by the real
    # model, which words the problems.
    fields = {}
    for key, info in model.model_fields.items():
        annotation = replaced.get(key, info.annotation)
        if info.is_required():
            fields[key] = Annotated[annotation, info]
        else:
            # Its checks without its default: a field not given stays absent, as on the short way
            # (`_plain_evaluation`), and a million results are not each copied to add their Nones.
            fields[key] = NotRequired[Annotated[(annotation, *info.metadata)] if info.metadata else annotation]
    twin = TypedDict(name, fields)  # type: ignore[operator]
    # Enums are checked as the model checks them, then kept as their plain values.
    twin.__pydantic_config__ = ConfigDict(extra="forbid", use_enum_values=True)  # type: ignore[attr-defined]
    return twin


_ResultRecord = _plain_twin(CriterionResultIn, "_ResultRecord")
_EvaluationRecord = _plain_twin(EvaluationIn, "_EvaluationRecord", results=list[_ResultRecord])
_FAST_RECORD = TypeAdapter(
    Annotated[
        TeamIn | AgentIn | ScorecardIn | _EvaluationRecord | CallIn | GoalIn | SelfAssessmentIn
        | AcknowledgementIn | DisputeIn | DisputeResolutionIn | CoachingSessionIn,
        PydanticField(discriminator="kind"),
    ]
)


_SAME_ON_PLAIN_TEXT = (_nfc, _storable_text)
"""Validators that change nothing in text of plain ASCII without \\u escapes: it is in NFC, with no NUL and no lone surrogate."""
_JSON_OWN_TYPES = (_number, _json_bool)
"""Validators that refuse what is not JSON's own number or true/false: a strict type refuses as much and more."""


def _strict(annotation: Any, metadata: Sequence[Any] = (), nonempty: Any = None) -> Any:
    """`annotation` with `metadata`, minus the Python validators a plain JSON line does not need, stricter where one goes."""
    while get_origin(annotation) is Annotated:
        annotation, *inner = get_args(annotation)
        metadata = [*inner, *metadata]
    kept = []
    for item in metadata:
        function = getattr(item, "func", None)
        if function in _SAME_ON_PLAIN_TEXT or isinstance(item, FieldInfoMetadata):  # the column's, never checked
            continue
        if function in _JSON_OWN_TYPES:
            kept.append(Strict())
        elif function is _empty_is_absent:
            nonempty = item  # "" is absent to the model: the twin refuses it, and the model reads it
        else:
            kept.append(item)
    arguments = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and len(arguments) == 2 and NoneType in arguments:
        inner = arguments[0] if arguments[1] is NoneType else arguments[1]
        return _strict(inner, kept, nonempty) | None
    if nonempty is not None:
        kept.append(MinLen(1) if annotation is str else nonempty)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        # Its values themselves: what use_enum_values keeps, without an enum made and taken apart.
        annotation = Literal[tuple(member.value for member in annotation)]
    return Annotated[tuple([annotation, *kept])] if kept else annotation


def _json_twin(model: type[BaseModel], name: str, **replaced: Any) -> Any:
    # Most lines of a large file are plain: ASCII, no \u escape, numbers and
    # true/false as JSON writes them. For those the model's Python validators
    # (NFC, storable text, "" as absent, no true for a number) change nothing
    # or refuse nothing, and pydantic-core checks the line's bytes alone, many
    # times faster. The twin is stricter than the model, never looser: a line
    # it refuses goes the model's way. No defaults: the keys given are counted.
    fields = {}
    for key, info in model.model_fields.items():
        annotation = replaced[key] if key in replaced else _strict(info.annotation, info.metadata)
        fields[key] = annotation if info.is_required() else NotRequired[annotation]
    twin = TypedDict(name, fields)  # type: ignore[operator]
    twin.__pydantic_config__ = ConfigDict(extra="forbid", use_enum_values=True)  # type: ignore[attr-defined]
    return twin


_YEARS_IN_RANGE_EVERYWHERE = r"(?:000[2-9]|00[1-9]\d|0[1-9]\d\d|[1-8]\d\d\d|9[0-8]\d\d|99[0-8]\d)"
"""Years 2 to 9998: a moment in them stays in range in UTC whatever its zone (years 1 and 9999 may not)."""


class _PlainInstant:
    """An instant of a plain line, checked by pydantic-core alone: text matching the model's ISO 8601
    pattern as it stands (the model trims it first), in a year that stays in range in UTC, parsed as
    the model parses it. Stricter than the model's Python validators, never looser."""

    PATTERN = "^" + _YEARS_IN_RANGE_EVERYWHERE + _ISO_INSTANT.pattern.removeprefix("^\\d{4}")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.chain_schema(
            [core_schema.str_schema(pattern=cls.PATTERN), core_schema.datetime_schema(tz_constraint="aware")]
        )


def _plain_instant() -> Any:
    """How a plain line's `occurred_at` is checked: `_PlainInstant` while the model's pattern starts with its year."""
    if _ISO_INSTANT.pattern.startswith("^\\d{4}-"):
        return _PlainInstant
    info = EvaluationIn.model_fields["occurred_at"]  # a pattern changed since: the model's own checks
    return _strict(info.annotation, info.metadata)


_PLAIN_EVALUATION = TypeAdapter(
    _json_twin(
        EvaluationIn, "_PlainEvaluation",
        occurred_at=_plain_instant(), results=list[_json_twin(CriterionResultIn, "_PlainResult")],
    )
).validator.validate_json


def _plain_evaluation(raw: bytes) -> EvaluationRecord | None:
    """The evaluation on a plain line, as `_FAST_RECORD` gives it; None when the line needs the full way."""
    # NaN and Infinity need no search of their own: no field of the twin takes a number
    # with a fraction (its whole numbers are strict), so a line giving one is refused below.
    if not raw.isascii() or b"\\u" in raw:
        return None
    try:
        record = _PLAIN_EVALUATION(raw)
    except ValidationError:
        return None
    results = record["results"]
    # A key given twice: every key is a string followed by its colon, so there are at
    # most as many keys as `":`, `" ` and `"\t` (more when text holds them). As many as
    # the parsed objects have keys means none was given twice.
    if raw.count(b'":') + raw.count(b'" ') + raw.count(b'"\t') != len(record) + sum(map(len, results)):
        return None
    return record


EvaluationRecord = dict[str, Any]
"""A validated evaluation of a batch: the fields of `EvaluationIn` by name, enums as their
values, `occurred_at` in UTC; its results as dicts of the fields of `CriterionResultIn`.
Optional fields not given may be absent (read from JSON, they are): read them with `get`."""

_RESULT_DEFAULTS = {name: None for name in CriterionResultIn.model_fields}


def _evaluation_record(evaluation: EvaluationIn) -> EvaluationRecord:
    record = evaluation.model_dump()
    record["channel"] = evaluation.channel.value
    for result in record["results"]:
        result["outcome"] = result["outcome"].value
    return record
ANALYZE_AFTER = 10_000
"""An import writing this many results or more refreshes PostgreSQL's statistics of them."""
IMPORT_WAIT_SECONDS = 600.0
"""How long an import waits for another writer (another import) to finish before giving up."""

ProgressCallback = Callable[[int], None]
"""Called with the number of bytes read since the last call."""


# ------------------------------------------------------------------ problems


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _field_path(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _NAME.match(part):
            # A field name from the data (a typo, a space, a line break) is
            # quoted, so every problem stays one readable line.
            path += f"[{json.dumps(part, ensure_ascii=True)}]"
        else:
            path += f".{part}" if path else part
    return path or "record"


_KIND_NAMES = (
    "team", "agent", "scorecard", "evaluation", "call", "goal", "self_assessment", "acknowledgement", "dispute",
    "dispute_resolution", "coaching_session",
)
KINDS = ", ".join(_KIND_NAMES[:-1]) + " or " + _KIND_NAMES[-1]
"""The kinds of record format v1 has, in words."""

_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "is not a field of this record",
    "string_pattern_mismatch": "must be an id with no spaces or control characters",
    "timezone_aware": "must carry a time zone (e.g. 2026-11-20T14:03:00Z)",
    "union_tag_not_found": f"every record needs a kind: {KINDS}",
    "union_tag_invalid": f"must be {KINDS}",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "list_type": "must be a list",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "datetime_parsing": "must be a date and time such as 2026-11-20T14:03:00Z",
    "datetime_from_date_parsing": "must be a date and time such as 2026-11-20T14:03:00Z",
    "datetime_type": "must be a date and time such as 2026-11-20T14:03:00Z",
    "string_too_short": "must not be empty",
}

_BOUNDS = {
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_too_long": "must be at most {max_length} characters",
    "too_long": "must have at most {max_length} items",
    "too_short": "must have at least {min_length} items",
}


def _problems_from(
    error: ValidationError, file: str, line: int, *, tagged: bool, raw: bytes | None = None
) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        loc = list(detail["loc"])
        if tagged and loc and loc[0] in _KIND_NAMES:
            loc = loc[1:]  # the union's tag, not a field of the record
        kind = detail["type"]
        context = detail.get("ctx", {})
        message = _MESSAGES.get(kind) or detail["msg"].removeprefix("Value error, ")
        if kind in _BOUNDS:
            message = _BOUNDS[kind].format_map(defaultdict(str, context))
        elif kind == "enum":
            message = "must be one of " + context.get("expected", "").replace("'", "")
        got = MISSING if kind == "missing" else detail.get("input", MISSING)
        if kind == "json_invalid":
            message = f"not valid JSON ({context['error']})" if "error" in context else "not valid JSON"
            got = raw.rstrip(b"\r\n") if raw is not None else got
        if kind in ("union_tag_invalid",):
            loc = ["kind"]
            got = detail.get("ctx", {}).get("tag", got)
        problems.append(Problem(file, line, _field_path(loc), message[:1].lower() + message[1:], got))
    return problems


# --------------------------------------------------------------------- batch


@dataclass
class Batch:
    """The records of one import, by id, each with where it was read.

    A record read twice with the same content is kept once; with different
    content it is a problem. Nothing in it may lie more than `rules.FUTURE_GRACE`
    after `now`, the moment of the import.
    """

    teams: dict[str, tuple[TeamIn, Source]] = field(default_factory=dict)
    agents: dict[str, tuple[AgentIn, Source]] = field(default_factory=dict)
    scorecards: dict[str, tuple[ScorecardIn, Source]] = field(default_factory=dict)
    evaluations: dict[str, tuple[EvaluationRecord, Source]] = field(default_factory=dict)
    calls: dict[str, tuple[CallIn, Source]] = field(default_factory=dict)
    """Call details by call id."""
    goals: dict[tuple[str, datetime], tuple[GoalIn, Source]] = field(default_factory=dict)
    """By agent and start."""
    self_assessments: dict[tuple[str, datetime | None], tuple[SelfAssessmentIn, Source]] = field(default_factory=dict)
    """By agent and submission (None: the agent's draft)."""
    acknowledgements: dict[str, tuple[AcknowledgementIn, Source]] = field(default_factory=dict)
    """By call."""
    disputes: dict[tuple[str, str, datetime], tuple[DisputeIn, Source]] = field(default_factory=dict)
    """By call, behaviour and when raised."""
    resolutions: dict[tuple[str, str], tuple[DisputeResolutionIn, Source]] = field(default_factory=dict)
    """By call and behaviour: QA's answer to the open dispute there."""
    sessions: dict[str, tuple[CoachingSessionIn, Source]] = field(default_factory=dict)
    """Coaching sessions by id."""
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    now: datetime = field(default_factory=utc_now)
    records_read: int = 0
    """Records read so far, valid or not, over every file."""
    problem_count: int = 0
    """Every problem found, listed or not: only the first `MAX_PROBLEMS` are kept to list."""
    vendor_agents: dict[str, tuple[str, Source]] = field(default_factory=dict)
    """The QA tool's user id of each vendor evaluation's agent, by call id, matched through aliases when checked."""
    vendor_scorecards: dict[str, tuple[ScorecardIn, Source]] = field(default_factory=dict)
    """Scorecards made from QA tools' forms: written only where neither the store nor a scorecard record has them."""
    submit_timed: set[str] = field(default_factory=set)
    """Vendor evaluations (call ids) whose time is when they were submitted: their call's time was not given."""
    equal_weights: set[str] = field(default_factory=set)
    """Scorecards made from evaluations alone, without their form's weights."""
    skipped: list[tuple[Source, str]] = field(default_factory=list)
    """Vendor evaluations left out on purpose (not finished), with why."""
    vendor_submitted: dict[str, datetime] = field(default_factory=dict)
    """When each vendor evaluation kept was submitted, by call id."""
    superseded: int = 0
    """Earlier versions of re-scored vendor evaluations in the same batch, left out for the latest."""

    def add(self, record: Record | EvaluationRecord, source: Source) -> None:
        self.records_read += 1
        if isinstance(record, EvaluationIn):
            record = _evaluation_record(record)
        if isinstance(record, dict):
            # Once, here: a parsed zone converts slowly, UTC to UTC is free (fingerprint, row).
            record["occurred_at"] = record["occurred_at"].astimezone(UTC)
            if record["occurred_at"] > self.now + rules.FUTURE_GRACE:
                self._in_the_future(source, "occurred_at", record["occurred_at"], "a call is scored after it happens")
                return
            if record.get("kind") == "evaluation":  # nearly every record: not matched against each kind below
                call_id = record["call_id"]
                if call_id not in self.evaluations:  # nearly always: kept without wording what it would be called
                    self.evaluations[call_id] = (record, source)
                else:
                    self._keep(self.evaluations, call_id, record, source, "call_id", f"call {call_id}")
            return
        match record:
            case TeamIn():
                self._keep(self.teams, record.id, record, source, "id", f"team {record.id}")
            case AgentIn():
                self._keep(self.agents, record.id, record, source, "id", f"agent {record.id}")
            case ScorecardIn():
                self._keep(self.scorecards, record.id, record, source, "id", f"scorecard {record.id}")
            case GoalIn():
                for name in ("started_at", "ended_at"):
                    if (moment := getattr(record, name)) is not None and moment > self.now + rules.FUTURE_GRACE:
                        return self._in_the_future(source, name, moment, "a goal is kept from what already happened")
                start = record.started_at.astimezone(UTC)
                self._keep(self.goals, (record.agent, start), record, source, "started_at",
                           f"goal of {record.agent} started {instant_text(start)}", instant_text(start))
            case SelfAssessmentIn():
                for name in ("submitted_at", "updated_at"):
                    if (moment := getattr(record, name)) is not None and moment > self.now + rules.FUTURE_GRACE:
                        return self._in_the_future(source, name, moment, "a self-assessment is kept as it was written")
                submitted = record.submitted_at.astimezone(UTC) if record.submitted_at else None
                what = f"self-assessment of {record.agent} submitted {instant_text(submitted)}" if submitted else (
                    f"draft self-assessment of {record.agent} (an agent has one draft)"
                )
                self._keep(self.self_assessments, (record.agent, submitted), record, source,
                           "submitted_at" if submitted else "agent", what, instant_text(submitted) if submitted else record.agent)
            case CallIn():
                if record.occurred_at is not None and record.occurred_at > self.now + rules.FUTURE_GRACE:
                    return self._in_the_future(source, "occurred_at", record.occurred_at, "a call is recorded after it happens")
                self._keep(self.calls, record.call_id, record, source, "call_id", f"call details of {record.call_id}")
            case AcknowledgementIn():
                if record.seen_at > self.now + rules.FUTURE_GRACE:
                    return self._in_the_future(source, "seen_at", record.seen_at, "a call is seen after it is scored")
                self._keep(self.acknowledgements, record.call_id, record, source, "call_id",
                           f"acknowledgement of call {record.call_id}")
            case DisputeIn():
                for name in ("raised_at", "closed_at"):
                    if (moment := getattr(record, name)) is not None and moment > self.now + rules.FUTURE_GRACE:
                        return self._in_the_future(source, name, moment, "a dispute is kept as it went")
                raised = record.raised_at.astimezone(UTC)
                self._keep(self.disputes, (record.call_id, record.criterion, raised), record, source, "raised_at",
                           f"dispute on {record.criterion} of call {record.call_id} raised {instant_text(raised)}",
                           instant_text(raised))
            case DisputeResolutionIn():
                if record.decided_at is not None and record.decided_at > self.now + rules.FUTURE_GRACE:
                    return self._in_the_future(source, "decided_at", record.decided_at, "QA decides after a dispute is raised")
                self._keep(self.resolutions, (record.call_id, record.criterion), record, source, "criterion",
                           f"resolution of the dispute on {record.criterion} of call {record.call_id}")
            case CoachingSessionIn():
                if record.confirmed_at is not None and record.confirmed_at > self.now + rules.FUTURE_GRACE:
                    return self._in_the_future(source, "confirmed_at", record.confirmed_at, "an agent confirms what happened")
                self._keep(self.sessions, record.id, record, source, "id", f"coaching session {record.id}")
            case {"kind": "evaluation"}:
                self._keep(self.evaluations, record["call_id"], record, source, "call_id", f"call {record['call_id']}")

    def _keep(self, into: dict, key: Any, record: Any, source: Source, field_name: str, what: str, got: Any = MISSING) -> None:
        earlier = into.get(key)
        if earlier is None:
            into[key] = (record, source)
        elif _content(earlier[0]) != _content(record):
            self.problem(
                Problem(
                    source.file, source.line, field_name,
                    f"{what} appears again with different content (first at {earlier[1]})",
                    key if got is MISSING else got,
                )
            )

    def _in_the_future(self, source: Source, name: str, moment: datetime, why: str) -> None:
        self.problem(
            Problem(source.file, source.line, name,
                    f"is more than {rules.FUTURE_GRACE_WORDS} after this import ({instant_text(self.now)}): {why}",
                    instant_text(moment))
        )

    def problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


_EVALUATION_DEFAULTS = {name: None for name in EvaluationIn.model_fields if name not in ("kind", "recording_url")}
"""An evaluation's fields as fingerprinted: `recording_url` only when given, so earlier fingerprints stand."""


_SORTED_EVALUATION_DEFAULTS = dict(sorted(_EVALUATION_DEFAULTS.items()))
_SORTED_RESULT_DEFAULTS = dict(sorted(_RESULT_DEFAULTS.items()))


def _content(record: Any) -> Any:
    if isinstance(record, dict):
        # What model_dump(mode="json") of the EvaluationIn gives, built directly:
        # this runs once per imported call, and fingerprints stored by earlier
        # imports must not change. Keys in sorted order, as the fingerprint
        # writes them (a key beyond the defaults, such as a recording, sorts it again).
        data = _SORTED_EVALUATION_DEFAULTS | record
        del data["kind"]
        if data.get("recording_url") is None:
            data.pop("recording_url", None)
        data["occurred_at"] = record["occurred_at"].astimezone(UTC).isoformat()
        results = [_SORTED_RESULT_DEFAULTS | result for result in record["results"]]
        if sum(map(len, results)) != len(_SORTED_RESULT_DEFAULTS) * len(results):
            results = [_sorted_keys(result, _SORTED_RESULT_DEFAULTS) for result in results]
        results.sort(key=_CRITERION)
        data["results"] = results
        return _sorted_keys(data, _SORTED_EVALUATION_DEFAULTS)
    return record.model_dump(mode="json", exclude={"kind"})


def _sorted_keys(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`data` (its defaults' keys first, in order), with all its keys in sorted order."""
    return data if len(data) == len(defaults) else dict(sorted(data.items()))


_CRITERION = itemgetter("criterion")


def content_hash(evaluation: EvaluationIn | EvaluationRecord) -> str:
    """Fingerprint of an evaluation's content, the same whichever format or order it came in."""
    if isinstance(evaluation, EvaluationIn):
        evaluation = _evaluation_record(evaluation)
    # The text of json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")), written
    # by pydantic-core several times faster: the keys come sorted, and the values are text,
    # whole numbers, true/false and null, which both write alike.
    return hashlib.sha256(to_json(_content(evaluation))).hexdigest()


# ------------------------------------------------------------------- reading


def read_batch(
    paths: Sequence[Path | str],
    *,
    on_progress: ProgressCallback | None = None,
    now: datetime | None = None,
    source: str | None = None,
) -> Batch:
    """Read and validate every record of the files, without touching the store.

    A folder stands for the files under it that import reads. `source` names the
    QA tool whose `.json` exports are among the files (`store.sources.reading.SOURCES`).
    `now` is the moment of the import (default: the clock's): nothing may lie more than a day after it."""
    with collector_paused():
        return _read_batch(paths, on_progress, now or utc_now(), source)


VENDOR_SUFFIX = ".json"
"""A QA tool's export: one JSON document per file."""

SKIPPED_FOLDER = "refused"
"""Files a watched folder refused are kept in this folder of it, and a folder's import leaves them out."""


def importable_suffixes(source: str | None) -> tuple[str, ...]:
    """The files an import reads, with or without a QA tool's exports."""
    return SUPPORTED_SUFFIXES + ((VENDOR_SUFFIX,) if source else ())


def is_form_file(path: Path, source: str) -> bool:
    """Whether a file is one of the QA tool's form definitions, by its shape."""
    from .sources.reading import holds_forms

    if path.suffix.lower() != VENDOR_SUFFIX:
        return False
    try:
        return holds_forms(source, path.read_bytes(), _parse_json)
    except OSError:
        return False


def form_files(folder: Path, source: str) -> list[Path]:
    """The QA tool's form definitions among the files of a folder (read with each file a watched folder imports)."""
    return [path for path in _files([folder], source, Batch()) if is_form_file(path, source)]


def _files(paths: Sequence[Path | str], source: str | None, batch: Batch) -> Iterator[Path]:
    suffixes = importable_suffixes(source)
    for path in map(Path, paths):
        if not path.is_dir():
            yield path
            continue
        found = sorted(
            file for file in path.rglob("*")
            if file.suffix.lower() in suffixes and file.is_file()
            and not any(part.startswith(".") or part == SKIPPED_FOLDER for part in file.relative_to(path).parts)
        )
        if not found:
            batch.files.append(str(path))
            batch.problem(Problem(str(path), None, "folder", f"nothing to import: no {', '.join(suffixes)} file in it", str(path)))
        yield from found


def _read_batch(paths: Sequence[Path | str], on_progress: ProgressCallback | None, now: datetime, source: str | None) -> Batch:
    batch = Batch(now=now)
    vendor_files: list[tuple[str, bytes]] = []
    for path in _files(paths, source, batch):
        name = str(path)
        batch.files.append(name)
        suffix = path.suffix.lower()
        if suffix == VENDOR_SUFFIX and source is None:
            batch.problem(Problem(name, 0, "file",
                                  "a .json file is a QA tool's export: say which with --from amazon-connect or --from genesys",
                                  path.suffix))
            continue
        if suffix not in importable_suffixes(source):
            batch.problem(Problem(name, 0, "file", "import reads .jsonl and .csv files", path.suffix or name))
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            batch.problem(Problem(name, 0, "file", f"cannot be read: {error.strerror or error}", name))
            continue
        if suffix == VENDOR_SUFFIX:
            if on_progress is not None:
                on_progress(len(data))
            vendor_files.append((name, data))
            continue
        records, problems = batch.records_read, len(batch.problems)
        if suffix == ".jsonl":
            _read_jsonl(name, data, batch, on_progress)
        else:
            _read_csv(name, data, batch, on_progress)
        if (batch.records_read, len(batch.problems)) == (records, problems):
            # An empty file (or a CSV header alone) is most likely the wrong file: said, not "0 imported".
            batch.problem(Problem(name, 0, "file", f"nothing to import in {name}: it holds no records"))
    if vendor_files:
        from .sources.reading import read_vendor_files

        assert source is not None
        read_vendor_files(source, vendor_files, batch, _validated_vendor(batch), _parse_json)
    return batch


def _validated_vendor(batch: Batch) -> Callable[[dict[str, Any], str, Source], Any]:
    def validate(data: dict[str, Any], kind: str, where: Source) -> Any:
        try:
            return _FAST_RECORD.validate_python(data)
        except ValidationError:
            try:
                return _RECORD.validate_python(data)
            except ValidationError as error:
                for problem in _problems_from(error, where.file, 0, tagged=True):
                    at = f"{where.path} ({kind} {problem.field})" if where.path else f"{kind} {problem.field}"
                    batch.problem(Problem(where.file, None, at, problem.message, problem.got))
                return None

    return validate


def _lines(data: bytes, on_progress: ProgressCallback | None) -> Iterator[tuple[int, bytes]]:
    pending = 0
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        pending += len(raw)
        if on_progress is not None and pending >= 1 << 16:
            on_progress(pending)
            pending = 0
        yield number, raw
    if on_progress is not None and pending:
        on_progress(pending)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON lets a key appear twice and parsers keep the last: a second "agent" would
    # silently move the call to someone else, so the record is refused instead.
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return record


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_parse_json = json.JSONDecoder(object_pairs_hook=_one_value_per_key, parse_constant=_no_constant).decode


def _read_jsonl(name: str, data: bytes, batch: Batch, on_progress: ProgressCallback | None) -> None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in _lines(data, on_progress):
        if not raw or raw.isspace():  # what strip() would leave empty, without copying every line
            continue
        if (plain := _plain_evaluation(raw)) is not None:
            batch.add(plain, Source(name, number))
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            batch.problem(Problem(name, number, "record", "is not UTF-8 text", raw[error.start : error.end]))
            continue
        try:
            data_ = _parse_json(line)
        except _DuplicateKey as duplicate:
            batch.problem(Problem(name, number, _field_path([duplicate.key]), "is given twice in one object; give it once", duplicate.key))
            continue
        except (ValueError, RecursionError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error) or "nested too deeply"
            if isinstance(error, RecursionError):
                reason = "nested too deeply"
            batch.problem(Problem(name, number, "record", f"not valid JSON ({reason})", raw.rstrip(b"\r\n")))
            continue
        try:
            record = _FAST_RECORD.validate_python(data_)
        except ValidationError:
            try:
                record = _RECORD.validate_python(data_)
            except ValidationError as error:
                for problem in _problems_from(error, name, number, tagged=True):
                    batch.problem(problem)
                continue
        batch.add(record, Source(name, number))


def _read_csv(name: str, data: bytes, batch: Batch, on_progress: ProgressCallback | None) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        batch.problem(Problem(name, line, "record", "is not UTF-8 text", data[error.start : error.end]))
        return
    if on_progress is not None:
        on_progress(len(data))
    # Strict: a stray quote ("1"x) is a mistake to point at, not a cell to guess.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        batch.problem(Problem(name, 1, "header", f"not valid CSV ({error})", MISSING))
        return
    header = [column.strip() for column in header]
    separator = _other_separator(header)
    if separator is not None:
        batch.problem(
            Problem(name, 1, "header",
                    f"the columns are separated by {separator}; nextcall reads CSV separated by commas "
                    "(in a spreadsheet, save as \"CSV UTF-8 (comma delimited)\")", header[0])
        )
        return
    if "call_id" in header and "agent" not in header and "criterion" not in header:
        _read_call_rows(name, reader, header, batch)
        return
    missing = [column for column in CSV_COLUMNS if column not in header]
    unknown = [column for column in header if column not in CSV_COLUMNS and column not in CSV_OPTIONAL_COLUMNS]
    for column in missing:
        batch.problem(Problem(name, 1, "header", f"column {column} is missing", header))
    for column in unknown:
        batch.problem(Problem(name, 1, "header", f"{column!r} is not a column of the CSV format", column))
    if len(set(header)) != len(header):
        batch.problem(Problem(name, 1, "header", "a column is named twice", header))
    if missing or unknown or len(set(header)) != len(header):
        return

    calls: dict[str, tuple[EvaluationCsvRow, Source, list[CriterionResultIn]]] = {}
    for start, values in _csv_rows(name, reader, header, batch):
        try:
            row = EvaluationCsvRow.model_validate(values)
        except ValidationError as error:
            for problem in _problems_from(error, name, start, tagged=False):
                batch.problem(problem)
            continue
        result = CriterionResultIn(
            criterion=row.criterion, outcome=row.outcome, moment_s=row.moment_s, quote=row.quote, comment=row.comment
        )
        known = calls.get(row.call_id)
        if known is None:
            calls[row.call_id] = (row, Source(name, start), [result])
            continue
        first, source, results = known
        for column in CSV_CALL_COLUMNS:
            if getattr(row, column) != getattr(first, column):
                batch.problem(
                    Problem(
                        name, start, column,
                        f"differs from line {source.line}, an earlier row of call {row.call_id}",
                        values.get(column, MISSING),
                    )
                )
                break
        else:
            results.append(result)

    for first, source, results in calls.values():
        call = {column: getattr(first, column) for column in CSV_CALL_COLUMNS}
        try:
            evaluation = EvaluationIn(kind="evaluation", **call, results=results)
        except ValidationError as error:
            for problem in _problems_from(error, name, source.line, tagged=False):
                batch.problem(problem)
            continue
        batch.add(evaluation, source)


def _csv_rows(name: str, reader: Any, header: list[str], batch: Batch) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row that has cells, as {column: cell} without empty cells, with its line; bad rows are problems."""
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader starts afresh on the next line: the rest of the file is still checked.
            batch.problem(Problem(name, start, "record", f"not valid CSV ({error})", MISSING))
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            batch.problem(
                Problem(name, start, "record", f"has {len(cells)} cells where the header has {len(header)}", cells)
            )
            continue
        yield start, {column: cell for column, cell in zip(header, cells, strict=True) if cell != ""}


def _read_call_rows(name: str, reader: Any, header: list[str], batch: Batch) -> None:
    columns = ("call_id", *CALL_DETAILS)
    unknown = [column for column in header if column not in columns]
    for column in unknown:
        batch.problem(Problem(name, 1, "header", f"{column!r} is not a column of a call details CSV ({', '.join(columns)})", column))
    if len(header) == 1:
        batch.problem(Problem(name, 1, "header", f"a call details CSV has call_id and some of {', '.join(CALL_DETAILS)}", header))
    if len(set(header)) != len(header):
        batch.problem(Problem(name, 1, "header", "a column is named twice", header))
    if unknown or len(header) == 1 or len(set(header)) != len(header):
        return
    for line, values in _csv_rows(name, reader, header, batch):
        try:
            row = CallCsvRow.model_validate(values)
            call = CallIn(kind="call", **row.model_dump(exclude_none=True))
        except ValidationError as error:
            for problem in _problems_from(error, name, line, tagged=False):
                batch.problem(problem)
            continue
        batch.add(call, Source(name, line))


_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _other_separator(header: list[str]) -> str | None:
    """What a one-column header that names the format's columns is really separated by, if not commas."""
    if len(header) != 1:
        return None
    for separator, word in _SEPARATORS.items():
        if len({column.strip() for column in header[0].split(separator)} & set(CSV_COLUMNS)) >= 2:
            return word
    return None


# ------------------------------------------------------------------ checking


def check_batch(session: Session, batch: Batch) -> None:
    """Check every reference of the batch against the batch and the store; add problems."""
    _adopt_vendor_scorecards(session, batch)
    check_aliases(session, batch)
    store_teams = _existing_ids(session, Team.id, {a.team for a, _ in batch.agents.values()} - batch.teams.keys())
    for agent, source in batch.agents.values():
        if agent.team not in batch.teams and agent.team not in store_teams:
            batch.problem(
                Problem(source.file, source.line, "team",
                        'unknown team; add a {"kind":"team"} record to the batch or import it first', agent.team)
            )

    wanted_agents = {e["agent"] for e, _ in batch.evaluations.values()} | {a for a, _ in batch.goals}
    wanted_agents |= {a for a, _ in batch.self_assessments} | {r.agent for r, _ in batch.sessions.values()}
    store_agents = _existing_ids(session, Agent.id, wanted_agents - batch.agents.keys())
    keys_by_scorecard = {sid: {c.key for c in sc.criteria} for sid, (sc, _) in batch.scorecards.items()}
    wanted_scorecards = {e["scorecard"] for e, _ in batch.evaluations.values()} | {g.scorecard for g, _ in batch.goals.values()}
    wanted_scorecards |= {r.scorecard for r, _ in batch.sessions.values() if r.scorecard}
    for scorecard_id, key in _store_criteria_keys(session, wanted_scorecards - batch.scorecards.keys()):
        keys_by_scorecard.setdefault(scorecard_id, set()).add(key)

    sound: set[tuple[str, ...]] = set()
    for evaluation, source in batch.evaluations.values():
        agent, scorecard = evaluation["agent"], evaluation["scorecard"]
        if agent not in batch.agents and agent not in store_agents:
            batch.problem(
                Problem(source.file, source.line, "agent",
                        'unknown agent; add a {"kind":"agent"} record to the batch or import it first', agent)
            )
        keys = keys_by_scorecard.get(scorecard)
        if keys is None:
            batch.problem(
                Problem(source.file, source.line, "scorecard",
                        'unknown scorecard; add a {"kind":"scorecard"} record to the batch or import it first',
                        scorecard)
            )
            continue
        # Calls name their criteria alike: a million results hold a few different lists.
        listed = (scorecard, *map(_CRITERION, evaluation["results"]))
        if listed in sound:
            continue
        named: set[str] = set()
        for index, key in enumerate(listed[1:]):
            path = f"results[{index}].criterion"
            if key not in keys:
                batch.problem(Problem(source.file, source.line, path, f"not a criterion of scorecard {scorecard}", key))
            elif key in named:
                batch.problem(Problem(source.file, source.line, path, "named twice in this evaluation", key))
            named.add(key)
        if len(named) == len(listed) - 1 and named <= keys:
            sound.add(listed)

    if batch.goals or batch.self_assessments:
        if batch.self_assessments:  # a self-rating may name a behaviour of any scorecard
            for scorecard_id, key in session.exec(select(Criterion.scorecard_id, Criterion.key)):
                keys_by_scorecard.setdefault(scorecard_id, set()).add(key)
        check_personal(session, batch, batch.agents.keys() | store_agents, keys_by_scorecard)
    if batch.disputes:
        for scorecard_id, key in _store_criteria_keys(session, _scorecards_of_calls(session, batch) - keys_by_scorecard.keys()):
            keys_by_scorecard.setdefault(scorecard_id, set()).add(key)
    check_talkback(session, batch, keys_by_scorecard)
    check_sessions(batch, batch.agents.keys() | store_agents, keys_by_scorecard)
    _check_scorecard_changes(session, batch)


def _scorecards_of_calls(session: Session, batch: Batch) -> set[str]:
    """The scorecards of the stored calls the batch's disputes are on."""
    wanted = sorted({call for call, _, _ in batch.disputes} - batch.evaluations.keys())
    found: set[str] = {batch.evaluations[c][0]["scorecard"] for c, _, _ in batch.disputes if c in batch.evaluations}
    for start in range(0, len(wanted), IN_LIST_SIZE):
        found.update(session.exec(
            select(Evaluation.scorecard_id).where(Evaluation.call_id.in_(wanted[start : start + IN_LIST_SIZE]))
        ))
    return found


def _adopt_vendor_scorecards(session: Session, batch: Batch) -> None:
    # A QA tool's form becomes a scorecard once; from then on its wording is the
    # QA lead's to write (a scorecard record), and later files leave it alone.
    for scorecard_id, (scorecard, source) in batch.vendor_scorecards.items():
        if scorecard_id in batch.scorecards:
            continue
        stored = session.exec(select(Criterion).where(Criterion.scorecard_id == scorecard_id)).all()
        if not stored:
            batch.scorecards[scorecard_id] = (scorecard, source)
        elif scorecard_id not in batch.equal_weights and _structure(stored) != _structure(scorecard.criteria):
            batch.problem(
                Problem(source.file, source.line, source.path or "form",
                        f"scorecard {scorecard_id} is already in the store with other behaviours, weights or "
                        "automatic fails (was it first imported without its form definition?); calls already "
                        "scored keep what they were scored with", scorecard.name)
            )


def _existing_ids(session: Session, column: Any, wanted: Iterable[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted(wanted)
    for start in range(0, len(wanted), IN_LIST_SIZE):
        found.update(session.exec(select(column).where(column.in_(wanted[start : start + IN_LIST_SIZE]))))
    return found


def _store_criteria_keys(session: Session, scorecard_ids: Iterable[str]) -> list[tuple[str, str]]:
    ids = sorted(scorecard_ids)
    rows: list[tuple[str, str]] = []
    for start in range(0, len(ids), IN_LIST_SIZE):
        rows.extend(
            session.exec(
                select(Criterion.scorecard_id, Criterion.key).where(Criterion.scorecard_id.in_(ids[start : start + IN_LIST_SIZE]))
            ).all()
        )
    return rows


def _structure(criteria: Iterable[Any]) -> dict[str, tuple[float, bool]]:
    return {c.key: (float(c.weight), bool(c.critical)) for c in criteria}


def _check_scorecard_changes(session: Session, batch: Batch) -> None:
    # A scorecard that has scored calls is a published version: changing which
    # criteria it has, their weights or what is critical would silently re-score
    # history. Wording may be corrected; anything else is a new version.
    for scorecard_id, (scorecard, source) in batch.scorecards.items():
        stored = session.exec(select(Criterion).where(Criterion.scorecard_id == scorecard_id)).all()
        if not stored or _structure(stored) == _structure(scorecard.criteria):
            continue
        if _scorecard_in_use(session, scorecard_id):
            batch.problem(
                Problem(source.file, source.line, "criteria",
                        f"scorecard {scorecard_id} already scored calls with other criteria, weights or critical "
                        "flags; publish the change under a new id (such as a -v2)", scorecard_id)
            )


def _scorecard_in_use(session: Session, scorecard_id: str) -> bool:
    used = session.exec(select(Evaluation.id).where(Evaluation.scorecard_id == scorecard_id).limit(1)).first()
    if used is not None:
        return True
    goal = session.exec(
        select(Goal.id).join(Criterion, Criterion.id == Goal.criterion_id).where(Criterion.scorecard_id == scorecard_id).limit(1)
    ).first()
    return goal is not None


# ------------------------------------------------------------------- writing


@dataclass
class Tally:
    """How many records of one kind were added, changed or already there."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    files: list[str]
    dry_run: bool = False
    teams: Tally = field(default_factory=Tally)
    agents: Tally = field(default_factory=Tally)
    scorecards: Tally = field(default_factory=Tally)
    evaluations: Tally = field(default_factory=Tally)
    calls: Tally = field(default_factory=Tally)
    goals: Tally = field(default_factory=Tally)
    self_assessments: Tally = field(default_factory=Tally)
    acknowledgements: Tally = field(default_factory=Tally)
    disputes: Tally = field(default_factory=Tally)
    sessions: Tally = field(default_factory=Tally)
    results_written: int = 0
    affected_agents: set[str] = field(default_factory=set)
    """Agents whose evaluations were added or replaced: what derives from them must follow."""
    new_call_ids: list[str] = field(default_factory=list)
    added_calls: dict[str, list[int]] = field(default_factory=dict)
    """Evaluations (ids) new to the store, by agent, for agents none of whose calls were re-scored."""
    new_badges: list[tuple[str, str]] = field(default_factory=list)
    """(agent, badge) awards this import earned."""
    replaced_evaluation_ids: list[int] = field(default_factory=list)
    """Stored evaluations this import re-scored."""
    disputes_answered: list[int] = field(default_factory=list)
    """Open disputes a re-score (or a resolution) of this import closed."""
    submit_timed: int = 0
    """Vendor evaluations whose call time is their submit time: no call record gave the call's time."""
    equal_weights: list[str] = field(default_factory=list)
    """Scorecards made from a QA tool's evaluations without its form: every behaviour weighs the same."""
    skipped: int = 0
    """Vendor evaluations left out on purpose (not finished yet)."""
    superseded: int = 0
    """Earlier versions of re-scored vendor evaluations, left out for the one submitted last."""

    def line(self) -> str:
        """The one-line summary printed at the end of an import."""
        e = self.evaluations
        files = self.files[0] if len(self.files) == 1 else f"{len(self.files)} files"
        head = f"Dry run of {files}, nothing written" if self.dry_run else f"Imported {files}"
        verb = "would be " if self.dry_run else ""
        parts = [
            f"{e.total:,} evaluations: {verb}{e.added:,} added, {e.changed:,} replaced, {e.unchanged:,} unchanged",
        ]
        others = []
        tallies = (
            ("team", self.teams), ("agent", self.agents), ("scorecard", self.scorecards), ("call detail", self.calls),
            ("goal", self.goals), ("self-assessment", self.self_assessments),
            ("acknowledgement", self.acknowledgements), ("dispute", self.disputes), ("coaching session", self.sessions),
        )
        for noun, tally in tallies:
            if tally.total:
                others.append(rules.plural(tally.total, noun))
        if others:
            changed = sum(tally.added + tally.changed for _, tally in tallies)
            others_text = ", ".join(others) + (f" ({changed:,} new or updated)" if changed else " (unchanged)")
            parts.append(others_text)
        if self.skipped:
            parts.append(f"{rules.plural(self.skipped, 'evaluation')} left out (not finished)")
        if self.superseded:
            parts.append(f"{rules.plural(self.superseded, 'earlier version')} of re-scored evaluations left out")
        if self.submit_timed:
            parts.append(
                f"{rules.plural(self.submit_timed, 'evaluation')} dated when submitted: no call record gave the call's time"
            )
        if self.equal_weights:
            parts.append(
                "every behaviour weighs the same on " + ", ".join(self.equal_weights) + ": its form definition was not given"
            )
        return f"{head}: " + "; ".join(parts) + "."


def write_batch(session: Session, batch: Batch, *, dry_run: bool = False) -> ImportSummary:
    """Write a checked batch with no problems. The caller commits (or, for a dry run, rolls back)."""
    summary = ImportSummary(files=list(batch.files), dry_run=dry_run)
    _write_teams(session, batch, summary.teams)
    unchanged_agents = _write_agents(session, batch, summary.agents)
    _write_scorecards(session, batch, summary.scorecards)
    session.flush()
    for agent in write_aliases(session, batch) & unchanged_agents:
        summary.agents.unchanged -= 1
        summary.agents.changed += 1
    details_changed = write_calls(session, batch, summary.calls)
    _write_evaluations(session, batch, summary)
    apply_to_stored(session, details_changed, summary)
    summary.disputes_answered = answer_rescored(session, summary.replaced_evaluation_ids, batch.now)
    write_talkback(session, batch, summary)
    write_sessions(session, batch, summary.sessions)
    summary.skipped, summary.superseded = len(batch.skipped), batch.superseded
    summary.equal_weights = sorted(batch.equal_weights & batch.scorecards.keys())
    write_goals(session, batch, summary.goals, summary.affected_agents)
    write_self_assessments(session, batch, summary.self_assessments, summary.affected_agents)
    return summary


def _write_teams(session: Session, batch: Batch, tally: Tally) -> None:
    for team, _ in batch.teams.values():
        stored = session.get(Team, team.id)
        if stored is None:
            session.add(Team(id=team.id, name=team.name))
            tally.added += 1
        elif stored.name != team.name:
            stored.name = team.name
            tally.changed += 1
        else:
            tally.unchanged += 1


def _write_agents(session: Session, batch: Batch, tally: Tally) -> set[str]:
    unchanged: set[str] = set()
    ids = sorted(batch.agents)
    known: dict[str, Agent] = {}
    for start in range(0, len(ids), IN_LIST_SIZE):  # one query per chunk rather than one per agent
        known.update((a.id, a) for a in session.exec(select(Agent).where(Agent.id.in_(ids[start : start + IN_LIST_SIZE]))))
    for agent, _ in batch.agents.values():
        stored = known.get(agent.id)
        if stored is None:
            session.add(
                Agent(id=agent.id, name=agent.name, team_id=agent.team, leaderboard_opt_out=bool(agent.leaderboard_opt_out))
            )
            tally.added += 1
            continue
        # A record without the choice (any QA file) leaves the agent's own choice as it is.
        opt_out = stored.leaderboard_opt_out if agent.leaderboard_opt_out is None else agent.leaderboard_opt_out
        if (stored.name, stored.team_id, stored.leaderboard_opt_out) != (agent.name, agent.team, opt_out):
            stored.name, stored.team_id, stored.leaderboard_opt_out = agent.name, agent.team, opt_out
            tally.changed += 1
        else:
            tally.unchanged += 1
            unchanged.add(agent.id)
    return unchanged


_CRITERION_FIELDS = ("name", "weight", "critical", "next_call", "lesson")


def _write_scorecards(session: Session, batch: Batch, tally: Tally) -> None:
    for scorecard, _ in batch.scorecards.values():
        stored = session.get(Scorecard, scorecard.id)
        if stored is None:
            session.add(Scorecard(id=scorecard.id, name=scorecard.name))
            session.flush()
            stored_criteria: dict[str, Criterion] = {}
            tally.added += 1
        else:
            stored_criteria = {
                c.key: c for c in session.exec(select(Criterion).where(Criterion.scorecard_id == scorecard.id))
            }
        changed = stored is not None and stored.name != scorecard.name
        if stored is not None:
            stored.name = scorecard.name
        wanted = {c.key for c in scorecard.criteria}
        for key, criterion in stored_criteria.items():
            if key not in wanted:  # only reachable while the scorecard has scored no call
                session.delete(criterion)
                changed = True
        for position, criterion_in in enumerate(scorecard.criteria):
            criterion = stored_criteria.get(criterion_in.key)
            values = {name: getattr(criterion_in, name) for name in _CRITERION_FIELDS}
            values["next_call"] = values["next_call"] or NO_WORDS_YET
            if criterion is None:
                session.add(Criterion(scorecard_id=scorecard.id, key=criterion_in.key, position=position, **values))
                changed = True
                continue
            before = {name: getattr(criterion, name) for name in _CRITERION_FIELDS} | {"position": criterion.position}
            if before != values | {"position": position}:
                for name, value in values.items():
                    setattr(criterion, name, value)
                criterion.position = position
                changed = True
        if stored is not None:
            if changed:
                tally.changed += 1
            else:
                tally.unchanged += 1


def _write_evaluations(session: Session, batch: Batch, summary: ImportSummary) -> None:
    if not batch.evaluations:
        return
    scorecard_ids = sorted({e["scorecard"] for e, _ in batch.evaluations.values()})
    criteria: dict[str, dict[str, tuple[int, rules.CriterionWeight]]] = defaultdict(dict)
    for criterion in session.exec(select(Criterion).where(Criterion.scorecard_id.in_(scorecard_ids))):
        criteria[criterion.scorecard_id][criterion.key] = (
            criterion.id, rules.CriterionWeight(criterion.weight, criterion.critical)
        )
    weights = {scorecard: {key: weight for key, (_, weight) in by_key.items()} for scorecard, by_key in criteria.items()}

    call_ids = list(batch.evaluations)
    stored: dict[str, tuple[int, str, str]] = {}
    session.flush()  # what the session's own execute does first: the reads below go past it
    # Into a store without calls (a first import) there is no fingerprint to look up, call by call.
    any_stored = session.exec(select(Evaluation.id).limit(1)).first() is not None
    for row in driver_rows_in(
        session,
        lambda chunk: select(Evaluation.call_id, Evaluation.id, Evaluation.content_hash, Evaluation.agent_id)
        .where(Evaluation.call_id.in_(chunk)),
        call_ids if any_stored else [],
    ):
        stored[row[0]] = (row[1], row[2], row[3])

    details = call_details(session, call_ids) if batch.calls or _any_call_details(session) else {}
    summary.submit_timed = sum(1 for call_id in batch.submit_timed if "occurred_at" not in details.get(call_id, ()))
    now = utc_now()
    new_rows: list[tuple[Any, ...]] = []
    new_results: dict[str, tuple[str, list[dict[str, Any]], dict[str, int], dict[str, Outcome], tuple[Any, ...]]] = {}
    replaced_ids: list[int] = []
    replaced_agents: set[str] = set()
    replaced_rows: list[dict[str, Any]] = []
    replaced_results: list[tuple[Any, ...]] = []
    criterion_ids = {scorecard: {key: criterion_id for key, (criterion_id, _) in by_key.items()} for scorecard, by_key in criteria.items()}
    scores: dict[tuple[Any, ...], tuple[float | None, bool, dict[str, Outcome]]] = {}
    affected_agents, new_call_ids, results_written = summary.affected_agents, summary.new_call_ids, 0
    for call_id, (evaluation, _) in batch.evaluations.items():
        fingerprint = content_hash(evaluation)
        known = stored.get(call_id)
        if known is not None and known[1] == fingerprint:
            summary.evaluations.unchanged += 1
            continue
        agent, scorecard, given = evaluation["agent"], evaluation["scorecard"], evaluation["results"]
        ids_by_key = criterion_ids[scorecard]
        # Calls scored alike score alike: a million results hold a few thousand different calls.
        scored_alike = (scorecard, *map(_CRITERION, given), *map(_OUTCOME, given))
        known_score = scores.get(scored_alike)
        if known_score is None:
            by_criterion = {r["criterion"]: OUTCOME_OF[r["outcome"]] for r in given}
            scored = rules.score(by_criterion, weights[scorecard])
            known_score = scores[scored_alike] = (scored.value, bool(scored.critical_missed), by_criterion)
        score, critical_missed, outcomes = known_score
        get = evaluation.get
        if call_id in details:
            # A call record's details win over the evaluation's own (its fingerprint stays the evaluation's).
            evaluation = evaluation | details[call_id]
            get = evaluation.get
        row = (
            call_id, agent, scorecard, evaluation["occurred_at"], evaluation["channel"], get("duration_s"),
            get("evaluator"), get("csat"), get("first_contact_resolution"), score, critical_missed,
            fingerprint, now, get("recording_url"),
        )
        affected_agents.add(agent)
        new_call_ids.append(call_id)
        results_written += len(given)
        if known is None:
            new_rows.append(row)
            new_results[call_id] = (agent, given, ids_by_key, outcomes, row)  # its rows once its id is known
        else:
            summary.evaluations.changed += 1
            summary.affected_agents.add(known[2])
            replaced_agents.update((agent, known[2]))
            replaced_ids.append(known[0])
            replaced_rows.append(dict(zip(_EVALUATION_COLUMNS, row, strict=True)) | {"replaced_id": known[0]})
            replaced_results.extend(_result_rows(known[0], given, ids_by_key))
    summary.evaluations.added += len(new_rows)
    summary.results_written += results_written

    evaluation_table = Evaluation.__table__
    result_table = CriterionResult.__table__
    summary.replaced_evaluation_ids = replaced_ids
    for start in range(0, len(replaced_ids), IN_LIST_SIZE):
        session.exec(delete(result_table).where(result_table.c.evaluation_id.in_(replaced_ids[start : start + IN_LIST_SIZE])))
    if replaced_rows:
        session.exec(update(evaluation_table).where(evaluation_table.c.id == bindparam("replaced_id")), params=replaced_rows)
    all_results = replaced_results
    if new_rows:
        # Ids are handed out above every id there was: the new rows are found
        # again by call id among the rows above the highest id before them.
        highest = session.exec(select(func.max(evaluation_table.c.id))).one() or 0
        _insert_many(session, evaluation_table, _EVALUATION_COLUMNS, new_rows, sqlite_text={"occurred_at": _sqlite_instant})
        above = driver_rows(session, select(evaluation_table.c.id, evaluation_table.c.call_id).where(evaluation_table.c.id > highest))
        new_ids = {call_id: evaluation_id for evaluation_id, call_id in above if call_id in new_results}
        added_calls: dict[str, list[int]] = defaultdict(list)
        written: dict[int, dict[str, Outcome]] = {}
        written_calls: list[WrittenCall] = []
        for call_id, (agent, given, ids_by_key, outcomes, row) in new_results.items():
            evaluation_id = new_ids[call_id]
            all_results.extend(_result_rows(evaluation_id, given, ids_by_key))
            added_calls[agent].append(evaluation_id)
            written[evaluation_id] = outcomes
            written_calls.append((evaluation_id, agent, row[3].astimezone(UTC), call_id, row[9], row[2]))
        if len(above) == len(written):  # every row above `highest` is one of these
            written_outcomes(session, highest, written, written_calls)
        summary.added_calls = {
            agent: ids for agent, ids in added_calls.items() if agent not in replaced_agents
        }
    _insert_many(session, result_table, _RESULT_COLUMNS, all_results)


_OUTCOME = itemgetter("outcome")


def _result_rows(evaluation_id: int, given: list[dict[str, Any]], ids_by_key: dict[str, int]) -> list[tuple[Any, ...]]:
    """An evaluation's results as rows of `_RESULT_COLUMNS`."""
    return [
        # Most results give their behaviour and outcome alone (both required): nothing else to look up.
        (r["outcome"], None, None, None, evaluation_id, ids_by_key[r["criterion"]]) if len(r) == 2 else
        (r["outcome"], r.get("moment_s"), r.get("quote"), r.get("comment"), evaluation_id, ids_by_key[r["criterion"]])
        for r in given
    ]


def _any_call_details(session: Session) -> bool:
    return session.exec(select(CallDetail.call_id).limit(1)).first() is not None


_EVALUATION_COLUMNS = (
    "call_id", "agent_id", "scorecard_id", "occurred_at", "channel", "duration_s", "evaluator", "csat",
    "first_contact_resolution", "score", "critical_missed", "content_hash", "imported_at", "recording_url",
)
_RESULT_COLUMNS = ("outcome", "moment_s", "quote", "comment", "evaluation_id", "criterion_id")
"""In the table's order: a million rows go to the driver as they are built."""


def _insert_many(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]],
    *, sqlite_text: Mapping[str, Callable[[Any], Any]] | None = None,
) -> None:
    """Insert rows, given in the order of `columns`, at the driver's level: on SQLite up to
    `ROWS_PER_INSERT` rows to a statement, elsewhere one executemany.

    At a million results SQLAlchemy's handling of each row's parameters costs
    more than the database's own work; the statement and each column type's
    conversion of values are still SQLAlchemy's, so rows are stored exactly as
    through the ORM, in the session's transaction. `sqlite_text` gives, by
    column, a quicker way to the very value the column's conversion gives on
    SQLite; it is used only where the two agree on the column's first value.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    quick = (sqlite_text or {}) if dialect.name == "sqlite" else {}
    processors = [
        (index, processor, quick.get(name))
        for index, name in enumerate(columns)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    order = [columns.index(name) for name in compiled.positiontup or ()] if compiled.positional else list(range(len(columns)))
    parameters: list[Any] = rows
    if processors or order != list(range(len(columns))):
        # Column by column: each conversion mapped over its column, the rows put back together in C.
        by_column: list[Any] = list(zip(*rows))
        for index, processor, quicker in processors:
            by_column[index] = _converted(by_column[index], processor, quicker)
        parameters = list(zip(*(by_column[i] for i in order)))
    if not compiled.positional:
        parameters = [dict(zip(columns, values, strict=True)) for values in parameters]
    cursor = connection.connection.cursor()
    try:
        statement = str(compiled)
        many = _rows_per_insert(connection.connection.driver_connection, statement, len(columns)) if dialect.name == "sqlite" else 1
        whole = len(parameters) - len(parameters) % many if many > 1 else 0  # rows in full statements
        if whole:
            # Many rows to a statement: SQLite binds the same values, and steps once per statement, not per row.
            head, _, row = statement.rpartition(" VALUES ")
            cursor_execute, flat = cursor.execute, chain.from_iterable
            several = f"{head} VALUES {', '.join([row] * many)}"
            for start in range(0, whole, many):
                cursor_execute(several, list(flat(parameters[start : start + many])))
        if whole < len(parameters):
            cursor.executemany(statement, parameters[whole:] if whole else parameters)
    finally:
        cursor.close()


ROWS_PER_INSERT = 1000
"""On SQLite, at most this many rows are written by one INSERT statement of a large import
(fewer where SQLite's limit on a statement's parameters says so): a million results go in
a quarter sooner than one statement per row."""


def _rows_per_insert(sqlite: sqlite3.Connection, statement: str, width: int) -> int:
    """How many rows of `width` values one INSERT of SQLite's can take, 1 if the statement is not one row of them."""
    if not statement.endswith(" VALUES (" + ", ".join(["?"] * width) + ")"):
        return 1
    return max(1, min(ROWS_PER_INSERT, sqlite.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))


_FLAGS = {bool, NoneType}


def _converted(values: Sequence[Any], processor: Callable[[Any], Any], quicker: Callable[[Any], Any] | None = None) -> Sequence[Any]:
    first = values[0]
    if all(value is first for value in values):  # one value on every row (the moment of the import): converted once
        return (processor(first),) * len(values)
    if quicker is not None and quicker(first) == processor(first):
        return list(map(quicker, values))
    if set(map(type, values)) <= _FLAGS:  # true, false or none: each converted once
        once = {value: processor(value) for value in set(values)}
        return list(map(once.__getitem__, values))
    return list(map(processor, values))


def _sqlite_instant(moment: datetime) -> str:
    """What `UTCDateTime` stores on SQLite for an aware moment: its UTC wall time as SQLite's DATETIME text.

    Several times quicker than the type's own conversion, which a million-result import
    runs once per call (tests hold the two equal for any moment)."""
    if moment.tzinfo is None:
        raise ValueError("datetimes stored by nextcall must carry a time zone")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


# --------------------------------------------------------------- one command


def import_files(
    engine: Engine,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
    now: datetime | None = None,
    source: str | None = None,
) -> ImportSummary:
    """Import a batch of files (and folders' files) all or nothing, at `now` (default: the clock's);
    `source` names the QA tool whose `.json` exports are among them.

    Raises:
        ImportRejected: listing every problem; nothing was written.
    """
    # The collector stays paused from the first line read until the batch is freed: let go
    # between reading and writing, it would walk the whole batch at once, with nothing to free.
    with collector_paused():
        return import_batch(engine, read_batch(paths, on_progress=on_progress, now=now, source=source), dry_run=dry_run)


def read_records(records: Iterable[dict[str, Any]], *, source: str, now: datetime | None = None) -> Batch:
    """A batch from records already in memory (the demo seed), validated like a file's lines."""
    batch = Batch(files=[source], now=now or utc_now())
    for number, data in enumerate(records, start=1):
        try:
            record = _FAST_RECORD.validate_python(data)
        except ValidationError:
            try:
                record = _RECORD.validate_python(data)
            except ValidationError as error:
                for problem in _problems_from(error, source, number, tagged=True):
                    batch.problem(problem)
                continue
        batch.add(record, Source(source, number))
    return batch


IMPORT_CACHE_KIB = 65_536
"""SQLite's page cache while an import writes (its default is 2 MiB), in KiB.

A large import changes pages all over the evaluation indexes (one place per
agent in each index ordered by agent): with the default cache SQLite spills
changed pages to the log before the commit and reads them back as the import
goes on. The cache grows only as far as pages are used and goes back to the
connection's own size before the commit."""


@contextmanager
def _import_cache(session: Session) -> Iterator[None]:
    """A larger SQLite page cache for the import's connection while the body runs (nothing elsewhere)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    was = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    except BaseException:
        with suppress(DBAPIError):  # the failure that got here is the one to report
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(was)}")
        raise
    connection.exec_driver_sql(f"PRAGMA cache_size = {int(was)}")


def import_batch(engine: Engine, batch: Batch, *, dry_run: bool = False) -> ImportSummary:
    """Check a read batch against the store and write it in one transaction, all or nothing.

    Records that could not be read are already problems; the rest are still
    checked, so that one run lists every problem there is.

    Raises:
        ImportRejected: listing every problem; nothing was written.
    """
    with collector_paused(), Session(engine, expire_on_commit=False) as session:
        transaction = session.begin()
        try:
            # Checked and written in one turn: another import running at the same
            # time waits, so neither builds on what the other is still changing.
            lock_for_writing(session, wait_seconds=IMPORT_WAIT_SECONDS)
            if through_login(session):
                raise StoreError(
                    f"{session.get_bind().url.username} is an agent's or a lead's own login, which reads and writes only "
                    "its own rows; nothing was imported. Import as the role that owns nextcall's tables."
                )
            with _import_cache(session):
                check_batch(session, batch)
                if batch.problems:
                    order = {name: index for index, name in enumerate(batch.files)}
                    ranked = sorted(batch.problems, key=lambda p: (order.get(p.file, len(order)), p.line or 0))
                    raise ImportRejected([str(problem) for problem in ranked], total=batch.problem_count)
                summary = write_batch(session, batch, dry_run=dry_run)
                if summary.affected_agents:
                    awards = refresh_recognition(session, summary.affected_agents, added_calls=summary.added_calls)
                    summary.new_badges = [(award.agent_id, award.badge_id) for award in awards]
                if not dry_run and summary.results_written >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
                    # Until autovacuum gets round to it, PostgreSQL plans the screens'
                    # queries for the tables as they were before: on a first large
                    # import, for empty ones, scanning a million results per screen.
                    session.exec(text("ANALYZE evaluation, criterion_result"))  # type: ignore[call-overload]
        except DBAPIError as error:
            transaction.rollback()
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise StoreError(
                f"the import waited {ROW_WAIT_SECONDS:.0f} s for a row another session keeps locked "
                "(an agent's app in the middle of a change?); nothing was written. Try again."
            ) from None
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return summary
