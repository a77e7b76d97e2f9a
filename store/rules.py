"""Rules over the store's data, as plain functions of plain values.

No database here: a rule takes what it needs and returns an answer, so each
can be tested on a small hand-made history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .models import Outcome


@dataclass(frozen=True, slots=True)
class CriterionWeight:
    """What scoring needs to know of a criterion."""

    weight: float
    critical: bool


@dataclass(frozen=True, slots=True)
class Score:
    """A call's score and how it came about.

    Attributes:
        value: weighted met / weighted applicable, from 0 to 1; 0 when a
            critical criterion was missed; None when no criterion applied
            (there is no score without a behaviour behind it).
        met_weight: summed weight of the criteria met.
        applicable_weight: summed weight of the criteria met or missed.
        critical_missed: keys of the critical criteria that were missed.
    """

    value: float | None
    met_weight: float
    applicable_weight: float
    critical_missed: tuple[str, ...]


def score(
    outcomes: Mapping[str, Outcome], criteria: Mapping[str, CriterionWeight]
) -> Score:
    """Score one call.

    Args:
        outcomes: criterion key → outcome, for the criteria the evaluation named;
            a criterion of the scorecard it does not name counts as `na`.
        criteria: criterion key → weight and criticality, for the whole scorecard.

    """
    met = applicable = 0.0
    critical_missed: list[str] = []
    for key, criterion in criteria.items():
        outcome = outcomes.get(key, Outcome.na)
        if outcome is Outcome.na:
            continue
        applicable += criterion.weight
        if outcome is Outcome.met:
            met += criterion.weight
        elif criterion.critical:
            critical_missed.append(key)
    if critical_missed:
        value = 0.0
    elif applicable == 0:
        value = None
    else:
        value = met / applicable
    return Score(value, met, applicable, tuple(critical_missed))


@dataclass(frozen=True, slots=True)
class PassRate:
    """How often a behaviour was met where it applied."""

    met: int
    applicable: int

    @property
    def rate(self) -> float | None:
        """met / applicable, or None when it never applied."""
        return self.met / self.applicable if self.applicable else None


def pass_rate(outcomes: Iterable[Outcome]) -> PassRate:
    """Count met over applicable (met or missed) outcomes; `na` is left out."""
    met = applicable = 0
    for outcome in outcomes:
        if outcome is Outcome.na:
            continue
        applicable += 1
        met += outcome is Outcome.met
    return PassRate(met, applicable)


@dataclass(frozen=True, slots=True)
class CallOutcomes:
    """What a focus suggestion needs to know of one call."""

    outcomes: Mapping[str, Outcome]
    csat: int | None
    first_contact_resolution: bool | None


@dataclass(frozen=True, slots=True)
class FocusSuggestion:
    """A behaviour worth working on, with how much it would help and why."""

    key: str
    impact: float
    missed: int
    applicable: int
    reason: str


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def suggest_focus(
    calls: Sequence[CallOutcomes],
    criteria: Mapping[str, CriterionWeight],
    *,
    order: Sequence[str] = (),
) -> list[FocusSuggestion]:
    """Rank the behaviours whose improvement would most raise this agent's outcomes.

    Impact = misses × weight × (1 + how much a miss costs on these calls), the
    cost being the drop in mean CSAT (on a 0–1 scale) plus the drop in the
    first-contact resolution rate between calls where the behaviour was met and
    missed. Behaviours never missed are not suggested. Ties go to the heavier
    behaviour, then to the one earlier on the scorecard (`order`).

    Args:
        calls: the agent's recent calls, newest first.
        criteria: the scorecard's criteria by key.
        order: criterion keys in scorecard order, for ties.
    """
    position = {key: index for index, key in enumerate(order)}
    suggestions: list[FocusSuggestion] = []
    for key, criterion in criteria.items():
        met_csat: list[float] = []
        missed_csat: list[float] = []
        met_fcr: list[float] = []
        missed_fcr: list[float] = []
        missed = applicable = 0
        for call in calls:
            outcome = call.outcomes.get(key, Outcome.na)
            if outcome is Outcome.na:
                continue
            applicable += 1
            is_met = outcome is Outcome.met
            missed += not is_met
            if call.csat is not None:
                (met_csat if is_met else missed_csat).append(call.csat)
            if call.first_contact_resolution is not None:
                (met_fcr if is_met else missed_fcr).append(float(call.first_contact_resolution))
        if not missed:
            continue
        csat_gap = fcr_gap = 0.0
        csat_met, csat_missed = _mean(met_csat), _mean(missed_csat)
        fcr_met, fcr_missed = _mean(met_fcr), _mean(missed_fcr)
        if csat_met is not None and csat_missed is not None:
            csat_gap = max(0.0, (csat_met - csat_missed) / 4)
        if fcr_met is not None and fcr_missed is not None:
            fcr_gap = max(0.0, fcr_met - fcr_missed)
        impact = missed * criterion.weight * (1 + csat_gap + fcr_gap)
        reason = f"Missed on {missed} of your last {applicable} calls where it applied"
        if fcr_gap > csat_gap and fcr_met is not None and fcr_missed is not None:
            reason += (
                f"; calls where it was missed were resolved first time {fcr_missed:.0%} of the time"
                f" vs {fcr_met:.0%}"
            )
        elif csat_gap > 0 and csat_met is not None and csat_missed is not None:
            reason += f"; calls where it was missed averaged CSAT {csat_missed:.1f} vs {csat_met:.1f}"
        suggestions.append(FocusSuggestion(key, impact, missed, applicable, reason + "."))
    suggestions.sort(key=lambda s: (-s.impact, -criteria[s.key].weight, position.get(s.key, len(position)), s.key))
    return suggestions
