"""Focus suggestions, goal progress and before/after figures, on hand-made histories with known answers.

No database: each rule is a plain function of plain values.
"""

from __future__ import annotations

import pytest

from nextcall.store.models import Outcome
from nextcall.store.rules import (
    PRIOR_CALLS,
    CallOutcomes,
    CriterionWeight,
    Target,
    effectiveness,
    goal_progress,
    suggest_focus,
)

MET, MISSED, NA = Outcome.met, Outcome.missed, Outcome.na
SMALL = Target(met=2, window=3)


def call(csat: int | None = None, fcr: bool | None = None, **outcomes: Outcome) -> CallOutcomes:
    return CallOutcomes(outcomes, csat, fcr)


def weights(**by_key: float) -> dict[str, CriterionWeight]:
    return {key: CriterionWeight(weight, False) for key, weight in by_key.items()}


def keys(suggestions: list) -> list[str]:
    return [s.key for s in suggestions]


# ------------------------------------------------------------ focus suggestion


def test_suggestions_rank_by_misses_times_weight_times_one_plus_cost() -> None:
    calls = [
        call(5, True, a=MET, b=MISSED, c=MET),
        call(5, True, a=MET, b=MET, c=MISSED),
        call(1, False, a=MISSED, b=MET, c=MET),
        call(3, True, a=MISSED, b=MISSED, c=NA),
    ]
    # a: met on CSAT 5, 5 / FCR 1, 1; missed on CSAT 1, 3 / FCR 0, 1.
    #    cost = (5 - 2) / 4 + (1 - 0.5) = 1.25; impact = 2 × 10 × 2.25 = 45
    # b: missed calls did no worse (CSAT 4 vs 3, FCR 1 vs 0.5): cost 0; impact = 2 × 5 × 1 = 10
    # c: the one miss did no worse (CSAT 5 vs 3, FCR 1 vs 0.5): cost 0; impact = 1 × 20 × 1 = 20
    # Without the cost, a and c would tie at 20 and the heavier c would come first.
    ranked = suggest_focus(calls, weights(a=10, b=5, c=20))

    assert keys(ranked) == ["a", "c", "b"]
    assert [s.impact for s in ranked] == pytest.approx([45, 20, 10])
    assert [(s.missed, s.applicable) for s in ranked] == [(2, 4), (1, 3), (2, 4)]


def test_a_behaviour_never_missed_is_not_suggested() -> None:
    calls = [call(a=MET, b=MISSED), call(a=MET, b=MET), call(a=NA, b=MISSED)]

    assert keys(suggest_focus(calls, weights(a=50, b=1))) == ["b"]


@pytest.mark.parametrize(
    "calls",
    [
        [],
        [call(4, True, a=NA, b=NA), call(2, False, a=NA, b=NA)],
        [call(4, True), call(2, False, other=MISSED)],
    ],
    ids=["no calls", "all na", "not named"],
)
def test_no_applicable_calls_means_no_suggestion(calls: list[CallOutcomes]) -> None:
    assert suggest_focus(calls, weights(a=10, b=5)) == []


def test_ties_in_impact_go_to_the_heavier_behaviour() -> None:
    calls = [call(light=MISSED, heavy=MISSED), call(light=MISSED, heavy=MET)]
    # light: 2 × 10 = 20; heavy: 1 × 20 = 20
    ranked = suggest_focus(calls, weights(light=10, heavy=20), order=["light", "heavy"])

    assert [s.impact for s in ranked] == pytest.approx([20, 20])
    assert keys(ranked) == ["heavy", "light"]


def test_ties_in_impact_and_weight_go_to_scorecard_order() -> None:
    calls = [call(p=MISSED, q=MISSED)]

    assert keys(suggest_focus(calls, weights(p=10, q=10), order=["q", "p"])) == ["q", "p"]
    assert keys(suggest_focus(calls, weights(p=10, q=10), order=["p", "q"])) == ["p", "q"]


def test_the_reason_names_the_counts_and_the_csat_gap() -> None:
    calls = [call(2, None, a=MISSED)] * 6 + [call(4, None, a=MET)] * 5 + [call(5, None, a=NA)] * 2

    [suggestion] = suggest_focus(calls, weights(a=10))

    assert suggestion.reason == (
        "Missed on 6 of your last 11 calls where it applied; calls where it was missed averaged CSAT 2.0 vs 4.0."
    )


def test_the_reason_names_the_fcr_gap_when_it_is_the_larger() -> None:
    calls = [call(None, False, a=MISSED)] * 5 + [call(None, True, a=MET)] * 5 + [call(None, True, a=MISSED)]

    [suggestion] = suggest_focus(calls, weights(a=10))

    assert suggestion.reason == (
        "Missed on 6 of your last 11 calls where it applied; "
        "calls where it was missed were resolved first time 17% of the time vs 100%."
    )


@pytest.mark.parametrize(("met", "missed"), [(4, 6), (6, 4), (1, 1)])
def test_a_comparison_resting_on_fewer_than_five_calls_a_side_is_not_made(met: int, missed: int) -> None:
    calls = [call(2, False, a=MISSED)] * missed + [call(5, True, a=MET)] * met

    [suggestion] = suggest_focus(calls, weights(a=10))

    assert "CSAT" not in suggestion.reason and "resolved" not in suggestion.reason
    assert suggestion.reason.startswith(f"Missed on {missed} of your last {met + missed} calls where it applied")


def test_a_suggestion_from_fewer_than_five_calls_says_so() -> None:
    [suggestion] = suggest_focus([call(3, False, a=MISSED), call(5, True, a=MET)], weights(a=10))

    assert suggestion.reason == "Missed on 1 of your last 2 calls where it applied; not enough calls yet to tell (2 of 5)."
    [one] = suggest_focus([call(3, False, a=MISSED)], weights(a=10))
    assert one.reason == "Missed on 1 of your last 1 call where it applied; not enough calls yet to tell (1 of 5)."


def test_a_reason_without_a_cost_names_only_the_counts() -> None:
    [suggestion] = suggest_focus([call(4, True, a=MISSED)] * 5 + [call(4, True, a=MET)] * 5, weights(a=10))

    assert suggestion.reason == "Missed on 5 of your last 10 calls where it applied."


# On the team, missing `a` goes with CSAT 1 vs 5 and FCR 0 vs 1 (cost 2); missing `b` costs nothing.
TEAM = [call(5, True, a=MET, b=MET)] * 5 + [call(1, False, a=MISSED, b=MET)] * 5


def test_the_team_prior_reorders_suggestions_for_an_agent_with_few_calls() -> None:
    # Two calls, each behaviour missed once, outcomes the same either way (own cost 0).
    few = [call(4, True, a=MISSED, b=MET), call(4, True, a=MET, b=MISSED)]
    criteria = weights(a=10, b=10)

    alone = suggest_focus(few, criteria, order=["b", "a"])
    with_team = suggest_focus(few, criteria, order=["b", "a"], team_calls=TEAM)

    assert keys(alone) == ["b", "a"]  # a tie, settled by scorecard order
    assert keys(with_team) == ["a", "b"]
    # a: cost = (2 × 0 + 10 × 2) / (2 + 10) = 5/3; impact = 1 × 10 × (1 + 5/3)
    assert [s.impact for s in with_team] == pytest.approx([10 * (1 + 5 / 3), 10])


def test_the_team_prior_barely_moves_an_agent_with_many_calls() -> None:
    # 200 calls: a missed 15 times, b 20 times, outcomes the same either way (own cost 0).
    many = (
        [call(4, True, a=MISSED, b=MET)] * 15
        + [call(4, True, a=MET, b=MISSED)] * 20
        + [call(4, True, a=MET, b=MET)] * 165
    )
    criteria = weights(a=10, b=10)

    alone = suggest_focus(many, criteria, order=["a", "b"])
    with_team = suggest_focus(many, criteria, order=["a", "b"], team_calls=TEAM)

    assert keys(alone) == keys(with_team) == ["b", "a"]
    own_a = {s.key: s.impact for s in alone}["a"]
    team_a = {s.key: s.impact for s in with_team}["a"]
    assert own_a == pytest.approx(150)
    # cost = (200 × 0 + 10 × 2) / 210: under a tenth more, where the team's cost taken raw would triple it.
    assert team_a == pytest.approx(150 * (1 + PRIOR_CALLS * 2 / (200 + PRIOR_CALLS)))
    assert team_a / own_a < 1.1


# ------------------------------------------------------------- goal progress


def test_progress_with_no_calls_is_empty_and_not_mastered() -> None:
    progress = goal_progress([], SMALL)

    assert progress.series == ()
    assert (progress.met_in_window, progress.in_window, progress.applicable) == (0, 0, 0)
    assert progress.mastered_at is None
    assert not progress.mastered


def test_progress_on_calls_where_the_behaviour_never_applied_is_empty() -> None:
    progress = goal_progress([NA] * 8, SMALL)

    assert progress.series == ()
    assert (progress.met_in_window, progress.in_window, progress.applicable) == (0, 0, 0)
    assert not progress.mastered


def test_the_series_is_the_rolling_pass_rate_over_applicable_calls() -> None:
    # applicable: met, missed, missed, met, met, met
    progress = goal_progress([MET, NA, MISSED, MISSED, NA, MET, MET, NA, MET], SMALL)

    assert progress.series == pytest.approx([1, 1 / 2, 1 / 3, 1 / 3, 2 / 3, 1])
    assert (progress.met_in_window, progress.in_window, progress.applicable) == (3, 3, 6)
    # windows [met, missed, missed] then [met, met, met]: the first falls short
    assert not progress.mastered


def test_progress_before_a_full_window_counts_what_there_is() -> None:
    progress = goal_progress([MISSED, MET], SMALL)

    assert progress.series == pytest.approx([0, 1 / 2])
    assert (progress.met_in_window, progress.in_window, progress.applicable) == (1, 2, 2)


def test_mastered_exactly_when_two_consecutive_windows_reach_the_target() -> None:
    # applicable: met, met, missed | met, missed, met (2 of 3 twice); NA in between does not count
    outcomes = [MET, NA, MET, MISSED, MET, NA, MISSED, NA]
    assert not goal_progress(outcomes, SMALL).mastered  # five applicable calls: one window and a bit

    progress = goal_progress([*outcomes, MET], SMALL)

    assert progress.mastered
    assert progress.mastered_at == 5  # the sixth applicable call, not the ninth outcome


def test_reached_on_the_first_window_then_lost_is_not_mastered() -> None:
    # met, met, met | missed, missed, met
    progress = goal_progress([MET, MET, MET, MISSED, MISSED, MET], SMALL)

    assert progress.series[2] == 1  # the target held on the first window
    assert progress.mastered_at is None
    assert not progress.mastered


def test_mastered_later_when_it_recovers() -> None:
    # met ×3, missed ×3 (lost), then met: it needs two windows both at target after the lapse
    lapse = [MET, MET, MET, MISSED, MISSED, MISSED, MET, MET, MET, MET]
    assert not goal_progress(lapse, SMALL).mastered

    progress = goal_progress([*lapse, MET], SMALL)

    # windows [missed, met, met] and [met, met, met], ending on applicable call 10
    assert progress.mastered_at == 10


def test_once_mastered_a_later_lapse_does_not_take_it_back() -> None:
    progress = goal_progress([MET, MET, MISSED, MET, MISSED, MET, MISSED, MISSED, MISSED], SMALL)

    assert progress.mastered_at == 5
    assert progress.met_in_window == 0


def test_the_default_target_is_eight_of_ten() -> None:
    assert (Target().met, Target().window) == (8, 10)
    assert goal_progress([MET] * 8 + [MISSED] * 2 + [MET] * 7 + [MISSED] * 2 + [MET]).mastered_at == 19
    assert not goal_progress([MET] * 7 + [MISSED] * 3 + [MET] * 10).mastered


@pytest.mark.parametrize(("met", "window"), [(4, 3), (11, 10), (0, 3), (-1, 3)])
def test_a_target_needs_met_between_one_and_the_window(met: int, window: int) -> None:
    with pytest.raises(ValueError, match="0 < met <= window"):
        Target(met=met, window=window)


def test_a_target_of_every_call_is_allowed() -> None:
    assert Target(met=3, window=3).rate == 1


# ------------------------------------------------------------- effectiveness


def test_effectiveness_compares_the_behaviour_csat_and_fcr_before_and_after() -> None:
    before = [
        call(2, False, a=MISSED),
        call(3, True, a=MET),
        call(None, False, a=MISSED),
        call(4, None, a=NA),
    ]
    after = [
        call(5, True, a=MET),
        call(4, True, a=MET),
        call(5, False, a=MISSED),
        call(4, True, a=MET),
        call(None, None, a=MET),
    ]

    effect = effectiveness(before, after, "a")

    assert effect.before.calls == 4
    assert (effect.before.behaviour.met, effect.before.behaviour.applicable) == (1, 3)
    assert effect.before.mean_csat == pytest.approx(3)  # (2 + 3 + 4) / 3; no CSAT is left out
    assert effect.before.fcr_rate == pytest.approx(1 / 3)
    assert effect.after.calls == 5
    assert (effect.after.behaviour.met, effect.after.behaviour.applicable) == (4, 5)
    assert effect.after.mean_csat == pytest.approx(4.5)
    assert effect.after.fcr_rate == pytest.approx(0.75)


def test_effectiveness_with_no_calls_has_no_figures() -> None:
    effect = effectiveness([], [], "a")

    assert (effect.before.calls, effect.before.behaviour.applicable) == (0, 0)
    assert (effect.before.mean_csat, effect.before.fcr_rate) == (None, None)
    assert not effect.enough


def test_enough_needs_min_sample_applicable_calls_on_both_sides() -> None:
    five = [call(4, True, a=MET)] * 5
    four = [call(4, True, a=MISSED)] * 4
    four_and_na = [*four, call(4, True, a=NA)]  # five calls, four where it applied

    assert effectiveness(five, five, "a", minimum=5).enough
    assert not effectiveness(four, five, "a", minimum=5).enough
    assert not effectiveness(five, four, "a", minimum=5).enough
    assert not effectiveness(five, four_and_na, "a", minimum=5).enough
    assert effectiveness(four, four, "a", minimum=4).enough
    assert effectiveness(five, five, "a").min_sample == 5


def test_the_sample_rule_is_one_setting_for_every_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    from nextcall.store import rules
    from nextcall.store.settings import load_settings

    calls = [call(3, False, a=MISSED)] * 3 + [call(5, True, a=MET)] * 3
    monkeypatch.setenv("NEXTCALL_MIN_SAMPLE", "3")
    try:
        load_settings()
        assert rules.min_sample() == 3
        [suggestion] = suggest_focus(calls, weights(a=10))
        assert "resolved first time 0% of the time vs 100%" in suggestion.reason  # three calls a side is enough now
        assert effectiveness(calls[:3], calls[3:], "a").enough
        monkeypatch.setenv("NEXTCALL_MIN_SAMPLE", "7")
        load_settings()
        [suggestion] = suggest_focus(calls, weights(a=10))
        assert suggestion.reason.endswith("not enough calls yet to tell (6 of 7).")
        assert not effectiveness(calls[:3], calls[3:], "a").enough
    finally:
        rules.use_min_sample(rules.MIN_SAMPLE)
