"""Read models: what the screens get, built before a unit of work closes.

Plain frozen dataclasses, so a widget can hold one without a session and
without lazy loading. Names end in `View`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .models import DisputeStatus, Outcome, SessionStatus


@dataclass(frozen=True, slots=True)
class AgentView:
    id: str
    name: str
    team_id: str
    team_name: str | None


@dataclass(frozen=True, slots=True)
class CriterionView:
    id: int
    scorecard_id: str
    key: str
    name: str
    weight: float
    critical: bool
    next_call: str
    """What to do on the next call: the QA lead's words, or the behaviour's name until they are written."""
    lesson: str | None
    position: int
    worded: bool = True
    """Whether `next_call` is a QA lead's words (a vendor's form brings only the question)."""


@dataclass(frozen=True, slots=True)
class ResultView:
    """How one call went on one behaviour, with its moment when there is one."""

    criterion: CriterionView
    outcome: Outcome
    moment_s: int | None = None
    quote: str | None = None
    comment: str | None = None

    @property
    def has_moment(self) -> bool:
        return self.moment_s is not None or bool(self.quote) or bool(self.comment)


@dataclass(frozen=True, slots=True)
class EvaluationSummaryView:
    """One line of the scorecards list."""

    id: int
    call_id: str
    occurred_at: datetime
    channel: str
    duration_s: int | None
    scorecard_id: str
    score: float | None
    critical_missed: bool
    csat: int | None
    first_contact_resolution: bool | None
    met: int
    missed: int
    seen: bool = True
    """Whether the agent has seen this evaluation in its current scoring."""


def outcome_word(outcome: Outcome | None) -> str:
    """An outcome in the words screens use: met, missed, n/a."""
    return {Outcome.met: "met", Outcome.missed: "missed", Outcome.na: "n/a"}[outcome] if outcome else "–"


@dataclass(frozen=True, slots=True)
class AcknowledgementView:
    seen_at: datetime
    comment: str | None
    current: bool
    """False: seen before the call was last re-scored."""


@dataclass(frozen=True, slots=True)
class DisputeView:
    """One "I see it differently" and where it stands."""

    id: int
    call_id: str
    agent_id: str
    criterion_key: str
    behaviour: str
    reason: str
    proposed_outcome: Outcome | None
    scored_outcome: Outcome
    raised_at: datetime
    status: DisputeStatus
    closed_at: datetime | None
    decided_outcome: Outcome | None
    note: str | None

    @property
    def is_open(self) -> bool:
        return self.status is DisputeStatus.open

    @property
    def answer(self) -> str:
        """QA's answer in words, for the call and the notice."""
        match self.status:
            case DisputeStatus.open:
                return "under review: the score stays as scored until QA decides"
            case DisputeStatus.withdrawn:
                return "withdrawn"
            case DisputeStatus.changed:
                return f"changed by QA: {outcome_word(self.scored_outcome)} → {outcome_word(self.decided_outcome)}"
            case DisputeStatus.upheld:
                return f"upheld by QA: stays {outcome_word(self.decided_outcome or self.scored_outcome)}"
        return self.status.value


@dataclass(frozen=True, slots=True)
class EvaluationView:
    """One scored call, every criterion of its scorecard in order (unnamed ones as `na`)."""

    summary: EvaluationSummaryView
    scorecard_name: str
    evaluator: str | None
    results: tuple[ResultView, ...]
    recording_url: str | None = None
    """Where the call's recording is, as given (shown literally; store.talkback.recording_link says what opens)."""
    seen: AcknowledgementView | None = None
    """The agent's acknowledgement, if they marked it seen."""
    disputes: tuple[DisputeView, ...] = ()
    """Every dispute on the call, oldest raised first."""

    def dispute_on(self, criterion_key: str) -> DisputeView | None:
        """The latest dispute on a behaviour of this call (the open one, if any)."""
        found = [d for d in self.disputes if d.criterion_key == criterion_key]
        return next((d for d in found if d.is_open), found[-1] if found else None)


@dataclass(frozen=True, slots=True)
class VerdictView:
    """One call's outcome on the focus behaviour."""

    call_id: str
    occurred_at: datetime
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class MomentView:
    """A moment in a call on the focus behaviour, to listen back to."""

    call_id: str
    occurred_at: datetime
    outcome: Outcome
    moment_s: int | None
    quote: str | None
    comment: str | None
    behaviour: str | None = None
    """The behaviour's name, where the moment is not on the focus behaviour (a critical miss)."""


@dataclass(frozen=True, slots=True)
class FocusView:
    """The behaviour to work on next, and why, in words a person understands."""

    criterion: CriterionView
    reason: str
    from_goal: bool = False


@dataclass(frozen=True, slots=True)
class BehaviourRateView:
    """How often one behaviour was met on the agent's latest calls where it applied."""

    criterion: CriterionView
    met: int
    applicable: int


@dataclass(frozen=True, slots=True)
class HomeView:
    """Everything the "Next call" screen shows."""

    agent: AgentView
    evaluation_count: int
    focus: FocusView | None
    verdicts: tuple[VerdictView, ...]
    """The focus behaviour on the latest calls, newest first."""
    latest_miss: MomentView | None
    last_call: EvaluationSummaryView | None
    behaviours: tuple[BehaviourRateView, ...] = ()
    """Every behaviour of the agent's scorecard, in scorecard order, on the latest calls."""
    goal: GoalView | None = None
    """The current goal; when it is mastered, `focus` is the suggested next one."""
    last_verdict: MomentView | None = None
    """The focus behaviour on the last call: met (with the evaluator's words), missed (with the moment) or n/a."""
    critical_missed: tuple[str, ...] = ()
    """Critical behaviours missed on the last call, by name: said first, whatever the focus."""
    unseen: int = 0
    """Evaluations of the agent's calls waiting to be seen."""


@dataclass(frozen=True, slots=True)
class ScorecardPageView:
    """A page of the agent's evaluations, newest first, after filters."""

    rows: tuple[EvaluationSummaryView, ...]
    total: int
    behaviours: tuple[CriterionView, ...]
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    """Filtered by a behaviour: its outcome on each call shown, by call id."""


@dataclass(frozen=True, slots=True)
class NewEvaluationView:
    """An evaluation that arrived since the app last looked."""

    call_id: str
    agent_id: str
    occurred_at: datetime
    channel: str


@dataclass(frozen=True, slots=True)
class SideView:
    """Before or after a goal: calls, the behaviour's pass rate, mean CSAT, FCR rate."""

    calls: int
    met: int
    applicable: int
    mean_csat: float | None
    fcr_rate: float | None

    @property
    def pass_rate(self) -> float | None:
        return self.met / self.applicable if self.applicable else None


@dataclass(frozen=True, slots=True)
class EffectivenessView:
    before: SideView
    after: SideView
    enough: bool
    min_sample: int


@dataclass(frozen=True, slots=True)
class GoalView:
    """A goal with its progress and whether coaching worked, derived from the evaluations.

    `status` is `mastered` as soon as the target has held over two consecutive
    windows, even before the agent moves on; a re-score can take that back.
    """

    id: int
    agent_id: str
    criterion: CriterionView
    status: str
    started_at: datetime
    ended_at: datetime | None
    mastered_at: datetime | None
    drop_reason: str | None
    baseline_met: int
    baseline_applicable: int
    target_met: int
    target_window: int
    series: tuple[float, ...]
    met_in_window: int
    in_window: int
    applicable: int
    effectiveness: EffectivenessView

    @property
    def baseline_rate(self) -> float | None:
        return self.baseline_met / self.baseline_applicable if self.baseline_applicable else None


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """A behaviour worth making the next goal, and why."""

    criterion: CriterionView
    reason: str
    missed: int
    applicable: int


@dataclass(frozen=True, slots=True)
class CoachingStateView:
    """The agent's one coaching truth: the behaviour to land on the next call, and why.

    The active goal while it is being worked on; once it has stuck (or when
    there is none), the suggestion with the most impact. Home, the Goal screen,
    the leaderboard's line and the coach's brief all read this one answer.
    """

    focus: FocusView | None
    """None only without scored calls to suggest from."""
    goal: GoalView | None
    """The current goal: being worked on, or mastered and not followed by the next one yet."""
    suggestions: tuple[SuggestionView, ...]
    """Behaviours ranked by impact, the current goal's left out."""

    @property
    def next_call(self) -> tuple[str, str] | None:
        """The focus behaviour's name and its one next-call instruction."""
        return (self.focus.criterion.name, self.focus.criterion.next_call) if self.focus is not None else None


@dataclass(frozen=True, slots=True)
class GoalScreenView:
    """Everything the Goal screen shows."""

    agent: AgentView
    evaluation_count: int
    state: CoachingStateView
    """The one coaching truth the screen's goal and suggestions come from."""
    history: tuple[GoalView, ...]
    behaviours: tuple[CriterionView, ...] = ()
    """Every behaviour of the agent's scorecard, to pick a goal from."""

    @property
    def current(self) -> GoalView | None:
        return self.state.goal

    @property
    def suggestions(self) -> tuple[SuggestionView, ...]:
        """Behaviours ranked by impact, the current goal's left out."""
        return self.state.suggestions


@dataclass(frozen=True, slots=True)
class BadgeView:
    """A badge of the catalogue for one agent: earned (when, by which call) or its progress."""

    id: str
    name: str
    description: str
    icon: str
    kind: str
    unit: str
    earned_at: datetime | None
    call_id: str | None
    progress: int
    needed: int
    current: int | None = None
    """For a streak badge: the run going now (`progress` is the best run so far)."""


@dataclass(frozen=True, slots=True)
class BadgesScreenView:
    """Everything the Badges screen shows."""

    agent: AgentView
    evaluation_count: int
    badges: tuple[BadgeView, ...]
    points: int
    level: int
    level_name: str
    next_level_name: str | None
    next_level_at: int | None
    points_by_source: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class AwardView:
    """A badge award, for a toast when it is new."""

    id: int
    agent_id: str
    badge_id: str
    name: str
    icon: str


@dataclass(frozen=True, slots=True)
class MeasuredView:
    """A behaviour's measured pass rate over the last 30 days, for calibration."""

    criterion: CriterionView
    met: int
    applicable: int


@dataclass(frozen=True, slots=True)
class PastSelfAssessmentView:
    id: int
    session_on: date | None
    submitted_at: datetime
    strengths: str
    struggles: str
    want_to_work_on: str
    ratings: dict[str, int]


@dataclass(frozen=True, slots=True)
class SelfAssessmentScreenView:
    """Everything the Self-assessment screen shows."""

    agent: AgentView
    measured: tuple[MeasuredView, ...]
    """Every behaviour of the agent's scorecard, measured over the last 30 days."""
    draft_session_on: date | None
    draft_strengths: str
    draft_struggles: str
    draft_want_to_work_on: str
    draft_ratings: dict[str, int]
    has_draft: bool
    past: tuple[PastSelfAssessmentView, ...]


@dataclass(frozen=True, slots=True)
class SessionView:
    """A coaching session: when, with whom, and what was agreed."""

    id: str
    agent_id: str
    coach: str
    scheduled_at: datetime
    status: SessionStatus
    behaviour_key: str | None
    behaviour: str | None
    """The agreed behaviour's name."""
    will_do: str | None
    notes: str | None
    follow_up_on: date | None
    confirmed_at: datetime | None
    heard_differently: str | None

    def held(self, now: datetime) -> bool:
        return self.status is SessionStatus.scheduled and self.scheduled_at <= now

    @property
    def agreed(self) -> bool:
        """Whether what the agent will do was noted after the session (the agreement they confirm)."""
        return self.will_do is not None

    @property
    def answered(self) -> bool:
        """Whether the agent confirmed the agreement or said what they heard differently."""
        return self.confirmed_at is not None or self.heard_differently is not None


@dataclass(frozen=True, slots=True)
class CheckInView:
    """A session's follow-up: the agreed behaviour since the session against the same number of calls before it."""

    session: SessionView
    effect: EffectivenessView


@dataclass(frozen=True, slots=True)
class CoachingNowView:
    """The agent's sessions as Home shows them: the next one, the last one held, and the day it is."""

    next: SessionView | None
    held: SessionView | None
    self_assessed: bool
    """Whether a self-assessment for the next session's day is submitted."""
    today: date

    @property
    def check_in_due(self) -> bool:
        held = self.held
        return held is not None and held.follow_up_on is not None and held.follow_up_on <= self.today


@dataclass(frozen=True, slots=True)
class GoalCoachingView:
    """The sessions the Goal screen reads "did it work?" from, and the check-in due now."""

    check_in: CheckInView | None
    since_sessions: tuple[CheckInView, ...]
    """The goal's behaviour since each held session (latest first), against as many applicable calls before it."""


@dataclass(frozen=True, slots=True)
class TeamRowView:
    """One agent on the team lead's screen."""

    agent_id: str
    name: str
    goal: GoalView | None
    since_session: EffectivenessView | None
    """The agreed behaviour (else the goal's) since the last session, against before it."""
    last_session: SessionView | None
    next_session: SessionView | None
    self_assessed: bool
    """Whether the self-assessment for the next session is submitted."""
    check_in: CheckInView | None
    open_disputes: int
    attention: str
    """What needs the lead's attention first, in words ("on track" when nothing does)."""
    attention_rank: int


@dataclass(frozen=True, slots=True)
class TeamScreenView:
    """The team lead's screen: every agent of the team, most in need of attention first."""

    team_id: str | None
    team_name: str | None
    rows: tuple[TeamRowView, ...]
    now: datetime
