"""Rules over the store's data, as plain functions of plain values.

No database here: a rule takes what it needs and returns an answer, so each
can be tested on a small hand-made history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
