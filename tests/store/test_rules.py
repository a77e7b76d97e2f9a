"""The scoring rule and pass rates, on hand-made calls with known answers."""

from __future__ import annotations

import pytest

from nextcall.store.models import Outcome
from nextcall.store.rules import CriterionWeight, pass_rate, score

MET, MISSED, NA = Outcome.met, Outcome.missed, Outcome.na

CARE = {
    "greeting": CriterionWeight(5, False),
    "verify": CriterionWeight(10, True),
    "confirm_need": CriterionWeight(15, False),
}


def test_score_is_weighted_met_over_weighted_applicable() -> None:
    result = score({"greeting": MISSED, "verify": MET, "confirm_need": MET}, CARE)
    assert result.value == pytest.approx(25 / 30)
    assert (result.met_weight, result.applicable_weight) == (25, 30)
    assert result.critical_missed == ()


def test_na_criteria_leave_the_denominator() -> None:
    result = score({"greeting": NA, "verify": MET, "confirm_need": MISSED}, CARE)
    assert result.value == pytest.approx(10 / 25)


def test_criteria_not_named_count_as_na() -> None:
    assert score({"verify": MET, "confirm_need": MISSED}, CARE).value == pytest.approx(10 / 25)


def test_a_missed_critical_criterion_scores_zero() -> None:
    result = score({"greeting": MET, "verify": MISSED, "confirm_need": MET}, CARE)
    assert result.value == 0
    assert result.critical_missed == ("verify",)
    assert result.met_weight == 20  # the behaviours met are still known


def test_a_critical_criterion_that_did_not_apply_does_not_fail_the_call() -> None:
    assert score({"greeting": MET, "verify": NA, "confirm_need": MET}, CARE).value == 1


def test_nothing_applicable_has_no_score() -> None:
    result = score({"greeting": NA}, CARE)
    assert result.value is None
    assert result.applicable_weight == 0


def test_all_met_scores_one() -> None:
    assert score({key: MET for key in CARE}, CARE).value == 1


def test_fractional_weights() -> None:
    criteria = {"a": CriterionWeight(0.5, False), "b": CriterionWeight(1.5, False)}
    assert score({"a": MET, "b": MISSED}, criteria).value == pytest.approx(0.25)


def test_pass_rate_counts_met_over_applicable() -> None:
    rate = pass_rate([MET, MISSED, NA, MET, NA])
    assert (rate.met, rate.applicable) == (2, 3)
    assert rate.rate == pytest.approx(2 / 3)


def test_pass_rate_with_nothing_applicable_is_none() -> None:
    assert pass_rate([NA, NA]).rate is None
    assert pass_rate([]).applicable == 0
