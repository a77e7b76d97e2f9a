"""The validated records of import format v1: one class per kind of line (`…In`) and per CSV row.

Each shares its fields with its table through the family's `…Base` (see
models.py); an import record also forbids unknown fields, so typos are caught.
Only reading an import loads this module: the app shows its screens without it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field as PydanticField, StringConstraints, field_validator, model_validator

from .models import (
    CALL_DETAILS,
    AgentBase,
    CallDetailBase,
    Count,
    CriterionBase,
    CriterionResultBase,
    Day,
    DisputeStatus,
    EvaluationBase,
    GoalStatus,
    Handle,
    Instant,
    JsonBool,
    Model,
    Name,
    Optional,
    Outcome,
    ScorecardBase,
    SessionStatus,
    TeamBase,
    Text,
    VendorId,
    _number,
)


class ImportModel(Model):
    """Base of the import records: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class TeamIn(TeamBase, ImportModel):
    kind: Literal["team"]


class AgentIn(AgentBase, ImportModel):
    kind: Literal["agent"]
    team: Handle
    leaderboard_opt_out: JsonBool | None = None
    """The agent's own leaderboard choice, as a backup carries it; absent leaves the stored choice as it is."""
    aliases: list[VendorId] | None = PydanticField(default=None, max_length=50)
    """The agent's user ids in QA tools, which vendor evaluations name; absent leaves the stored ones as they are."""

    @field_validator("aliases")
    @classmethod
    def _aliases_unique(cls, aliases: list[str] | None) -> list[str] | None:
        if aliases is not None and len(set(aliases)) != len(aliases):
            raise ValueError("an alias is given twice")
        return aliases


class CriterionIn(CriterionBase, ImportModel):
    critical: JsonBool
    next_call: Annotated[Text | None, Optional] = None  # type: ignore[assignment]
    """What to do on the next call; absent until a QA lead writes it (a vendor's form has none)."""


class ScorecardIn(ScorecardBase, ImportModel):
    kind: Literal["scorecard"]
    criteria: list[CriterionIn] = PydanticField(min_length=1, max_length=200)

    @field_validator("criteria")
    @classmethod
    def _keys_unique(cls, criteria: list[CriterionIn]) -> list[CriterionIn]:
        seen: set[str] = set()
        for criterion in criteria:
            if criterion.key in seen:
                raise ValueError(f"criterion key {criterion.key!r} is used twice")
            seen.add(criterion.key)
        return criteria


class CriterionResultIn(CriterionResultBase, ImportModel):
    criterion: Handle


class EvaluationIn(EvaluationBase, ImportModel):
    kind: Literal["evaluation"]
    first_contact_resolution: JsonBool | None = None
    agent: Handle
    scorecard: Handle
    results: list[CriterionResultIn] = PydanticField(max_length=200)


class EvaluationCsvRow(EvaluationBase, CriterionResultBase, ImportModel):
    """One row of a CSV import: one result, with its call's fields repeated."""

    agent: Handle
    scorecard: Handle
    criterion: Handle


class CallIn(CallDetailBase, ImportModel):
    """A `call` record: details of a call that fill or correct its evaluation, before, with or after it."""

    kind: Literal["call"]
    call_id: Handle
    first_contact_resolution: JsonBool | None = None

    @model_validator(mode="after")
    def _says_something(self) -> CallIn:
        if all(getattr(self, name) is None for name in CALL_DETAILS):
            raise ValueError("a call record needs at least one of " + ", ".join(CALL_DETAILS))
        return self


class CallCsvRow(CallDetailBase, ImportModel):
    """One row of a CSV of call details: `call_id` and some of `CALL_DETAILS`."""

    call_id: Handle


class GoalIn(ImportModel):
    """A goal as a backup carries it: whose, on which behaviour, from when, and how it ended.

    Known by its agent and start: importing it again changes nothing, and with
    other content replaces it. When it stuck (`mastered_at`) is derived again from the calls."""

    kind: Literal["goal"]
    agent: Handle
    scorecard: Handle
    criterion: Handle
    started_at: Instant
    status: GoalStatus
    baseline_met: Count = PydanticField(ge=0, le=1000)
    baseline_applicable: Count = PydanticField(ge=0, le=1000)
    target_met: Count = PydanticField(ge=1, le=1000)
    target_window: Count = PydanticField(ge=1, le=1000)
    ended_at: Instant | None = None
    reason: Annotated[Text | None, Optional] = None

    @model_validator(mode="after")
    def _consistent(self) -> GoalIn:
        if self.baseline_met > self.baseline_applicable:
            raise ValueError("baseline_met must be at most baseline_applicable")
        if self.target_met > self.target_window:
            raise ValueError("target_met must be at most target_window")
        if self.status == GoalStatus.active and self.ended_at is not None:
            raise ValueError("an active goal has no ended_at")
        if self.status != GoalStatus.active and self.ended_at is None:
            raise ValueError(f"a {self.status.value} goal needs its ended_at")
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at must not be before started_at")
        if self.reason is not None and self.status != GoalStatus.dropped:
            raise ValueError("only a dropped goal has a reason")
        return self


SelfRating = Annotated[int, BeforeValidator(_number)]
"""How often the agent says they show a behaviour: one of rules.SELF_RATINGS, checked with the batch."""


class SelfAssessmentIn(ImportModel):
    """A self-assessment as a backup carries it: submitted (known by agent and `submitted_at`) or the agent's one draft."""

    kind: Literal["self_assessment"]
    agent: Handle
    session_on: Annotated[Day | None, Optional] = None
    strengths: Text = ""
    struggles: Text = ""
    want_to_work_on: Text = ""
    ratings: dict[Handle, SelfRating] = PydanticField(default_factory=dict, max_length=200)
    """Self-ratings by criterion key."""
    submitted_at: Instant | None = None
    """When it was submitted; absent for a draft."""
    updated_at: Instant | None = None
    """When it was last saved (default: when it was submitted, else the moment of import)."""

    @model_validator(mode="after")
    def _consistent(self) -> SelfAssessmentIn:
        if self.submitted_at is not None and self.session_on is None:
            raise ValueError("a submitted self-assessment needs its session_on")
        if self.submitted_at is not None and self.updated_at is not None and self.updated_at < self.submitted_at:
            raise ValueError("updated_at must not be before submitted_at")
        return self


class AcknowledgementIn(ImportModel):
    """An `acknowledgement` record, as a backup carries it: known by its call."""

    kind: Literal["acknowledgement"]
    call_id: Handle
    seen_at: Instant
    comment: Annotated[Text | None, Optional] = None
    current: JsonBool = True
    """false: seen before the call was last re-scored."""


class DisputeIn(ImportModel):
    """A `dispute` record, as a backup carries it: known by its call, behaviour and when it was raised."""

    kind: Literal["dispute"]
    call_id: Handle
    criterion: Handle
    reason: Annotated[Text, StringConstraints(min_length=1)]
    proposed_outcome: Outcome | None = None
    scored_outcome: Outcome
    raised_at: Instant
    status: DisputeStatus = DisputeStatus.open
    closed_at: Instant | None = None
    decided_outcome: Outcome | None = None
    note: Annotated[Text | None, Optional] = None

    @model_validator(mode="after")
    def _consistent(self) -> DisputeIn:
        if self.status == DisputeStatus.open and (self.closed_at or self.decided_outcome or self.note):
            raise ValueError("an open dispute has no closed_at, decided_outcome or note")
        if self.status != DisputeStatus.open and self.closed_at is None:
            raise ValueError(f"a {self.status.value} dispute needs its closed_at")
        if self.status in (DisputeStatus.changed, DisputeStatus.upheld) and self.decided_outcome is None:
            raise ValueError(f"a {self.status.value} dispute needs its decided_outcome")
        if self.closed_at is not None and self.closed_at < self.raised_at:
            raise ValueError("closed_at must not be before raised_at")
        return self


class DisputeResolutionIn(ImportModel):
    """A `dispute_resolution` record: QA closes the open dispute on a behaviour of a call without a re-score."""

    kind: Literal["dispute_resolution"]
    call_id: Handle
    criterion: Handle
    decision: Literal["upheld"]
    """Upheld: the outcome stays as scored (a change comes as a re-scored evaluation)."""
    note: Annotated[Text | None, Optional] = None
    decided_at: Instant | None = None
    """When QA decided (default: the moment of import)."""


class CoachingSessionIn(ImportModel):
    """A `coaching_session` record: known by its `id` (a coach's tool's, or the one `nextcall session add` gave)."""

    kind: Literal["coaching_session"]
    id: Handle
    agent: Handle
    coach: Name
    scheduled_at: Instant
    status: SessionStatus = SessionStatus.scheduled
    scorecard: Handle | None = None
    criterion: Handle | None = None
    will_do: Annotated[Text | None, Optional] = None
    notes: Annotated[Text | None, Optional] = None
    follow_up_on: Annotated[Day | None, Optional] = None
    confirmed_at: Instant | None = None
    heard_differently: Annotated[Text | None, Optional] = None

    @model_validator(mode="after")
    def _consistent(self) -> CoachingSessionIn:
        if (self.scorecard is None) != (self.criterion is None):
            raise ValueError("a session's behaviour is a scorecard and a criterion of it: give both or neither")
        if self.follow_up_on is not None and self.follow_up_on < self.scheduled_at.date():
            raise ValueError("follow_up_on must not be before the session")
        if self.confirmed_at is not None and self.heard_differently is not None:
            raise ValueError("an agent confirms the agreement or says what they heard differently, not both")
        return self


ImportRecord = Annotated[
    TeamIn | AgentIn | ScorecardIn | EvaluationIn | CallIn | GoalIn | SelfAssessmentIn
    | AcknowledgementIn | DisputeIn | DisputeResolutionIn | CoachingSessionIn,
    PydanticField(discriminator="kind"),
]
"""One line of a JSON Lines import file."""

