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


# ------------------------------------------------------------------ calibration

from nextcall.store.rules import PassRate, calibrate, calibration_words  # noqa: E402


def test_a_rating_inside_its_band_has_no_gap() -> None:
    assert calibrate("x", 3, PassRate(7, 10)).gap == 0  # "usually" stands for 60–90%


def test_rating_higher_than_measured_is_a_positive_gap() -> None:
    calibration = calibrate("x", 4, PassRate(4, 10))  # "always" (90%+) against 40%
    assert calibration.gap == pytest.approx(0.5)
    assert calibration_words("Confirms the need", calibration) == (
        "You rate yourself 'always' on Confirms the need; it was met on 4 of 10 calls. "
        "Worth talking through what gets in the way."
    )


def test_rating_lower_than_measured_is_a_negative_gap() -> None:
    calibration = calibrate("x", 1, PassRate(9, 10))  # "never" (0–25%) against 90%
    assert calibration.gap == pytest.approx(-0.65)
    assert "You may be doing better than you think." in calibration_words("Empathy", calibration)


def test_no_rating_or_no_calls_has_no_gap() -> None:
    assert calibrate("x", None, PassRate(3, 10)).gap is None
    assert calibrate("x", 2, PassRate(0, 0)).gap is None
    assert calibrate("x", 2, PassRate(0, 0)).rate is None
