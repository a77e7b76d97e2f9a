"""Tables of the store, and the value types they share with the records of import format v1.

Each domain thing has a family (see DESIGN.md, "Domain words"):
`…Base` holds the fields the table and the import record share,
`…(table=True)` is the row (here), `…In` is one validated import record
(records.py, loaded only to read an import). Read models for screens live in `views.py`.
"""

from __future__ import annotations

import re
import unicodedata

import enum
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    AwareDatetime,
    ConfigDict,
    StringConstraints,
)
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text as SAText,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel


# ---------------------------------------------------------------- value types


class Outcome(str, enum.Enum):
    """How a call went on one criterion."""

    met = "met"
    missed = "missed"
    na = "na"


OUTCOME_OF = {outcome.value: outcome for outcome in Outcome}
"""Each outcome by its stored value: a dictionary look-up, for code that reads a million results."""


class Channel(str, enum.Enum):
    """Where the contact happened."""

    phone = "phone"
    chat = "chat"
    email = "email"


class DisputeStatus(str, enum.Enum):
    """Where an agent's "I see it differently" stands."""

    open = "open"
    """Under review: the call's score stays as scored until QA decides."""
    withdrawn = "withdrawn"
    changed = "changed"
    """QA re-scored the call and the behaviour's outcome changed."""
    upheld = "upheld"
    """QA kept the outcome: re-scored the same, or said so in a resolution."""


class GoalStatus(str, enum.Enum):
    """Where a goal stands: worked on, landed for good, or set aside."""

    active = "active"
    mastered = "mastered"
    dropped = "dropped"


def _storable_text(value: str) -> str:
    # Both SQLite and PostgreSQL store UTF-8 text; PostgreSQL refuses NUL and
    # neither can encode a lone surrogate, so catch them here with a clear word
    # rather than as a driver error halfway through a write.
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it has a lone surrogate)") from None
    return value


def _nfc(value: object) -> object:
    # One spelling per id: "é" typed as one character or as e and an accent is one agent.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


Handle = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(min_length=1, max_length=64, pattern=r"^[\p{L}\p{N}._@+:-]+$"),
    AfterValidator(_storable_text),
]
"""An id: a short handle of letters, digits and . _ - @ + : such as `a.khan`, `care-v1` or `C-100234`.

Nothing invisible (zero-width, direction marks, control characters), so two ids that look alike are alike."""

VendorId = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^\s\p{C}]+$"),
    AfterValidator(_storable_text),
]
"""A QA tool's own id for a person (a user id, a UUID, an ARN): no spaces and nothing invisible."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_storable_text)]
"""A person's or a thing's name, kept exactly as given."""

Text = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_storable_text)]
"""Free text from data (quotes, comments, lessons), kept byte for byte."""

RecordingUrl = Annotated[
    str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[^\s\p{C}]+$"), AfterValidator(_storable_text)
]
"""Where a call's recording is: any URL without spaces, kept as given and always shown literally.
Only `http`, `https` and `file` recordings are ever opened (store.talkback.recording_link)."""


def _empty_is_absent(value: object) -> object:
    # A CSV cell cannot tell "" from absent, so neither can JSON Lines: the two
    # formats must import the same evaluation to the same content.
    return None if value == "" else value


def _number(value: object) -> object:
    # true is not 1 and false is not 0: a number where the contract wants one, or nothing.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def _json_bool(value: object) -> object:
    # JSON has true and false: 1, "yes" or "false" are guesses at what was meant.
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


JsonBool = Annotated[bool, BeforeValidator(_json_bool)]
"""A yes-or-no of a JSON record: true or false and nothing else (CSV keeps its documented spellings)."""

Optional = BeforeValidator(_empty_is_absent)
"""Marks an optional field whose empty string means "not given"."""


def _representable_in_utc(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
    return value


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)$")


def _iso_text(value: object) -> object:
    # A bare number is a guess (Unix seconds? milliseconds? an Excel serial day?): the contract says a
    # time is ISO 8601 text with its offset, and anything else is refused rather than guessed at.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_INSTANT.match(value.strip()):
        raise ValueError("must be an ISO 8601 time with its offset, such as 2026-11-20T14:03:00Z")
    return value.strip()


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_representable_in_utc)]
"""A point in time with its zone, that can be stored as UTC."""

def instant_text(moment: datetime) -> str:
    """A moment as format v1 writes it: ISO 8601 in UTC, with Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day_text(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ValueError("must be a day written as YYYY-MM-DD, such as 2026-11-30")
    return value


Day = Annotated[date, BeforeValidator(_day_text)]
"""A calendar day, written YYYY-MM-DD."""

Count = Annotated[int, BeforeValidator(_number)]
"""A whole number of calls, never true or false."""


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time, stored in UTC and read back with its zone attached.

    SQLite keeps no zone, PostgreSQL's timestamptz answers in the session's
    zone; both come back as aware UTC datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored by nextcall must carry a time zone")
        value = value.astimezone(UTC)
        if getattr(dialect, "name", "") == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Model(SQLModel):
    """Base of every table and import record: each builds its checks the first time it is used.

    Most of them are never used by a given process: the app shows screens from
    plain rows and never checks an import record, and an import never checks a
    table's row. Building them all as the module loaded took a quarter of its
    time (105 against 80 ms) and 1.35 MiB of every start."""

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]


# ---------------------------------------------------------------------- teams


class TeamBase(Model):
    id: Handle = Field(primary_key=True, max_length=64)
    name: Annotated[Name | None, Optional] = Field(default=None, max_length=200)


class Team(TeamBase, table=True):
    """A group of agents who share a leaderboard."""


# --------------------------------------------------------------------- agents


class AgentBase(Model):
    id: Handle = Field(primary_key=True, max_length=64)
    name: Name = Field(max_length=200)


class Agent(AgentBase, table=True):
    """A person who takes calls and is scored on them."""

    team_id: str = Field(foreign_key="team.id", index=True, max_length=64)
    leaderboard_opt_out: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    """The agent's own choice to appear as "Anonymous" on colleagues' leaderboards.

    Set from the agent's app; an import changes it only from a record that carries it (a backup)."""


class AgentAlias(Model, table=True):
    """A QA tool's user id for an agent: how a vendor's evaluation finds whose call it was."""

    __tablename__ = "agent_alias"

    alias: str = Field(primary_key=True, max_length=200)
    agent_id: str = Field(max_length=64, index=True, sa_column_args=[ForeignKey("agent.id", ondelete="CASCADE")])


# ----------------------------------------------------------------- scorecards


class ScorecardBase(Model):
    id: Handle = Field(primary_key=True, max_length=64)
    name: Name = Field(max_length=200)


class Scorecard(ScorecardBase, table=True):
    """A versioned QA form; a new version is a new id (`care-v1`, `care-v2`)."""


class CriterionBase(Model):
    key: Handle = Field(max_length=64)
    name: Name = Field(max_length=200)
    weight: Annotated[float, BeforeValidator(_number)] = Field(gt=0, le=1_000_000)
    critical: bool
    next_call: Annotated[Text, StringConstraints(min_length=1)] = Field(sa_type=SAText)
    lesson: Annotated[Text | None, Optional] = Field(default=None, sa_type=SAText)


NO_WORDS_YET = ""
"""A criterion's `next_call` before a QA lead wrote it (a vendor's form brings only the question)."""


class Criterion(CriterionBase, table=True):
    """One observable behaviour on a scorecard."""

    __table_args__ = (UniqueConstraint("scorecard_id", "key", name="uq_criterion_scorecard_key"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: str = Field(foreign_key="scorecard.id", max_length=64)
    position: int = Field(ge=0)


# ---------------------------------------------------------------- evaluations


class EvaluationBase(Model):
    call_id: Handle = Field(max_length=64, unique=True)
    occurred_at: Instant = Field(sa_type=UTCDateTime)
    channel: Channel = Field(sa_type=String(8))
    duration_s: Annotated[int | None, BeforeValidator(_number)] = Field(default=None, ge=0, le=7 * 24 * 3600)
    evaluator: Annotated[Name | None, Optional] = Field(default=None, max_length=200)
    csat: Annotated[int | None, BeforeValidator(_number)] = Field(default=None, ge=1, le=5)
    first_contact_resolution: bool | None = None
    recording_url: Annotated[RecordingUrl | None, Optional] = Field(default=None, sa_type=SAText)


class Evaluation(EvaluationBase, table=True):
    """One scored call, chat or email."""

    __table_args__ = (
        # An agent's calls in time (ties at one instant by id), and, the scorecard checked in the index, their
        # latest calls on one scorecard: Home's, and a team's, colleague by colleague. One index led by the
        # agent, so a call imported changes one page of them per agent, not two.
        Index("ix_evaluation_agent_occurred", "agent_id", "occurred_at", "id", "scorecard_id"),
        # What every open app and wallboard polls: when the newest import wrote (read from its end).
        Index("ix_evaluation_imported", "imported_at"),
        # Everyone's board: a period's calls grouped by agent with their scores, read from the index alone.
        Index("ix_evaluation_occurred", "occurred_at", "agent_id", "score"),
        Index("ix_evaluation_scorecard", "scorecard_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    scorecard_id: str = Field(foreign_key="scorecard.id", max_length=64)
    score: float | None = Field(default=None, ge=0, le=1)
    """Weighted met / weighted applicable, 0 when a critical criterion was missed,
    None when nothing applied (rules.score); kept so rankings aggregate in the database."""
    critical_missed: bool = False
    content_hash: str = Field(max_length=64)
    """Fingerprint of the imported record: the same call imported again with it unchanged is a no-op."""
    imported_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CriterionResultBase(Model):
    outcome: Outcome = Field(sa_type=String(8))
    moment_s: Annotated[int | None, BeforeValidator(_number)] = Field(default=None, ge=0, le=7 * 24 * 3600)
    quote: Annotated[Text | None, Optional] = Field(default=None, sa_type=SAText)
    comment: Annotated[Text | None, Optional] = Field(default=None, sa_type=SAText)


class CriterionResult(CriterionResultBase, table=True):
    """How one evaluated call went on one criterion, with the moment it showed."""

    __tablename__ = "criterion_result"
    __table_args__ = (Index("ix_criterion_result_criterion", "criterion_id", "outcome"),)

    evaluation_id: int = Field(
        sa_column_args=[ForeignKey("evaluation.id", ondelete="CASCADE")], primary_key=True
    )
    criterion_id: int = Field(foreign_key="criterion.id", primary_key=True)


CSV_COLUMNS = (
    "call_id", "agent", "scorecard", "occurred_at", "channel", "duration_s", "evaluator", "csat",
    "first_contact_resolution", "criterion", "outcome", "moment_s", "quote", "comment",
)
"""The columns of a CSV import file, in the order `export` writes them (and `recording_url`, optional)."""

CSV_OPTIONAL_COLUMNS = ("recording_url",)
"""Columns a CSV import file may have besides `CSV_COLUMNS`."""

CSV_CALL_COLUMNS = (*CSV_COLUMNS[:9], "recording_url")
"""The columns every row of one call repeats."""


# ------------------------------------------------------------- call details


class CallDetailBase(Model):
    occurred_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    channel: Channel | None = Field(default=None, sa_type=String(8))
    duration_s: Annotated[int | None, BeforeValidator(_number)] = Field(default=None, ge=0, le=7 * 24 * 3600)
    csat: Annotated[int | None, BeforeValidator(_number)] = Field(default=None, ge=1, le=5)
    first_contact_resolution: bool | None = None
    recording_url: Annotated[RecordingUrl | None, Optional] = Field(default=None, sa_type=SAText)


CALL_DETAILS = ("occurred_at", "channel", "duration_s", "csat", "first_contact_resolution", "recording_url")
"""What a `call` record can fill or correct on the evaluation of that call."""


class CallDetail(CallDetailBase, table=True):
    """What a contact-center system knows of a call besides its evaluation: its time, channel and
    length, and survey results that often come days later. Given fields win over the evaluation's."""

    __tablename__ = "call_detail"

    call_id: str = Field(primary_key=True, max_length=64)
    content_hash: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# ------------------------------------------- derived and personal (later work)


class Goal(Model, table=True):
    """The one behaviour an agent is working on (at most one active at a time)."""

    __table_args__ = (
        Index("ix_goal_agent_status", "agent_id", "status"),
        # One behaviour at a time: the database itself refuses a second active goal. The migrations make
        # this index (and Dispute's) partial on PostgreSQL too; naming that here would load SQLAlchemy's
        # PostgreSQL dialect on every start, SQLite's too (tests/store/test_db.py checks the migrated index).
        Index(
            "uq_goal_one_active_per_agent", "agent_id", unique=True,
            sqlite_where=text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    criterion_id: int = Field(foreign_key="criterion.id")
    status: GoalStatus = Field(default=GoalStatus.active, sa_type=String(12))
    baseline_met: int = 0
    baseline_applicable: int = 0
    target_met: int = 8
    target_window: int = 10
    started_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    drop_reason: str | None = Field(default=None, sa_type=SAText)
    mastered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the goal stuck, as recognition last derived it from the calls (None: not yet); a re-score can clear it."""


class BadgeAward(Model, table=True):
    """A badge an agent earned, and the evaluation that earned it."""

    __tablename__ = "badge_award"
    __table_args__ = (UniqueConstraint("agent_id", "badge_id", name="uq_badge_award"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(foreign_key="agent.id", max_length=64, index=True)
    badge_id: str = Field(max_length=64)
    awarded_at: datetime = Field(sa_type=UTCDateTime)
    evaluation_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("evaluation.id", ondelete="SET NULL")]
    )


class PointsEntry(Model, table=True):
    """Points (XP) an agent earned from one source on one day, after that source's daily cap."""

    __tablename__ = "points_entry"
    __table_args__ = (
        Index("ix_points_agent_day", "agent_id", "day"),
        # The wallboard's poll for a goal newly mastered.
        Index("ix_points_source", "source", "id"),
        UniqueConstraint("agent_id", "day", "source", name="uq_points_agent_day_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    day: date
    source: str = Field(max_length=32)
    points: int
    evaluation_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("evaluation.id", ondelete="SET NULL")]
    )


class SelfAssessment(Model, table=True):
    """What an agent says of their own work before a coaching session."""

    __tablename__ = "self_assessment"
    __table_args__ = (Index("ix_self_assessment_agent_session", "agent_id", "session_on"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    session_on: date | None = None
    """The day of the coaching session it is for; a draft may not know it yet."""
    strengths: str = Field(default="", sa_type=SAText)
    struggles: str = Field(default="", sa_type=SAText)
    want_to_work_on: str = Field(default="", sa_type=SAText)
    ratings: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# ------------------------------------------------------ what agents made, in a backup


# ------------------------------------------------ the agent talks back to QA


class Acknowledgement(Model, table=True):
    """An agent saw an evaluation of their call, with an optional word back. Seeing is not a score."""

    evaluation_id: int = Field(
        primary_key=True, sa_column_args=[ForeignKey("evaluation.id", ondelete="CASCADE")]
    )
    agent_id: str = Field(foreign_key="agent.id", max_length=64, index=True)
    seen_at: datetime = Field(sa_type=UTCDateTime)
    comment: str | None = Field(default=None, sa_type=SAText)
    current: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    """False once the call was re-scored after it was seen: the new scoring is not seen yet."""


class Dispute(Model, table=True):
    """An agent's "I see it differently" on one behaviour of one call, and QA's answer."""

    __table_args__ = (
        Index("ix_dispute_agent_status", "agent_id", "status"),
        Index("ix_dispute_evaluation", "evaluation_id"),
        # One open dispute per behaviour per call.
        Index(
            "uq_dispute_one_open", "evaluation_id", "criterion_id", unique=True,
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(sa_column_args=[ForeignKey("evaluation.id", ondelete="CASCADE")])
    criterion_id: int = Field(foreign_key="criterion.id")
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    reason: str = Field(sa_type=SAText)
    proposed_outcome: str | None = Field(default=None, sa_type=String(8))
    scored_outcome: str = Field(sa_type=String(8))
    """The behaviour's outcome when the dispute was raised."""
    raised_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=DisputeStatus.open.value, sa_type=String(12))
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_outcome: str | None = Field(default=None, sa_type=String(8))
    """The outcome QA settled on: the re-score's, or the scored one kept."""
    note: str | None = Field(default=None, sa_type=SAText)
    """QA's word with a resolution."""


# ---------------------------------------------------------- coaching sessions


class SessionStatus(str, enum.Enum):
    """A coaching session is planned (and, once its time has passed, held) or called off."""

    scheduled = "scheduled"
    cancelled = "cancelled"


class CoachingSession(Model, table=True):
    """A 1:1 between an agent and their coach: when, what was agreed, when to check in."""

    __tablename__ = "coaching_session"
    __table_args__ = (Index("ix_coaching_session_agent_at", "agent_id", "scheduled_at"),)

    id: str = Field(primary_key=True, max_length=64)
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    coach: str = Field(max_length=200)
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=SessionStatus.scheduled.value, sa_type=String(12))
    criterion_id: int | None = Field(default=None, foreign_key="criterion.id")
    """The behaviour agreed on (usually the goal's)."""
    will_do: str | None = Field(default=None, sa_type=SAText)
    """What the agent will do, in a sentence."""
    notes: str | None = Field(default=None, sa_type=SAText)
    follow_up_on: date | None = None
    """From this day the check-in is due: the agreed behaviour since the session against before it."""
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the agent confirmed the agreement as they heard it."""
    heard_differently: str | None = Field(default=None, sa_type=SAText)
    """What the agent heard differently, in their words (instead of confirming)."""


class RecognitionStanding(Model, table=True):
    """Where an agent's recognition stands after their latest call: what the next import goes on from.

    Derived, like badges and points, and the owner's alone: no login reads it.
    `inputs` names what it was derived with besides the calls (the agent's
    goals and self-assessments, the scorecards' critical behaviours); when
    those differ, or a call arrives older than `through_at`, recognition is
    derived again from the whole history.
    """

    __tablename__ = "recognition_standing"

    agent_id: str = Field(
        primary_key=True, max_length=64, sa_column_args=[ForeignKey("agent.id", ondelete="CASCADE")]
    )
    through_at: datetime = Field(sa_type=UTCDateTime)
    through_call_id: str = Field(max_length=64)
    inputs: str = Field(sa_type=SAText)
    standing: str = Field(sa_type=SAText)
