"""The scorecards list (`scorecard_page`) against each call's own scorecard (`evaluation_view`).

The list reads a page of calls with their counts, seen marks and filtered outcome in one
statement; the call's scorecard reads them one call at a time. Both must say the same of every
call, for every filter, on a real SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from nextcall.store.models import Outcome
from nextcall.store.queries import evaluation_view, home_view, scorecard_page
from nextcall.store.talkback import acknowledge
from nextcall.store.views import EvaluationView
from tests.store.conftest import DEMO_NOW

NOW = DEMO_NOW
AGENT = "a.khan"


def every_call(engine: Engine, agent_id: str) -> list[EvaluationView]:
    """The agent's calls one by one, newest first, as each call's own scorecard reads them."""
    call_ids = [row.call_id for row in scorecard_page(engine, agent_id=agent_id, limit=10_000).rows]
    views = [evaluation_view(engine, call_id=call_id) for call_id in call_ids]
    assert all(view is not None for view in views)
    return views  # type: ignore[return-value]


def outcome_on(view: EvaluationView, key: str) -> Outcome:
    return next(result.outcome for result in view.results if result.criterion.key == key)


def test_each_line_says_what_the_calls_own_scorecard_says(demo: Engine) -> None:
    # One call seen, so the list has both marks to agree on.
    calls = every_call(demo, AGENT)
    acknowledge(demo, agent_id=AGENT, call_id=calls[1].summary.call_id, now=NOW)
    calls = every_call(demo, AGENT)
    assert len(calls) > 10 and {view.summary.seen for view in calls} == {True, False}

    page = scorecard_page(demo, agent_id=AGENT)
    assert page.total == len(calls)
    assert list(page.rows) == [view.summary for view in calls]
    assert [row.occurred_at for row in page.rows] == sorted((row.occurred_at for row in page.rows), reverse=True)
    assert page.outcomes == {}


@pytest.mark.parametrize("outcome", [None, Outcome.met, Outcome.missed, Outcome.na])
@pytest.mark.parametrize("key", [None, "verify", "empathy"])
def test_filters_keep_the_calls_they_name_with_their_outcome_there(
    demo: Engine, key: str | None, outcome: Outcome | None
) -> None:
    calls = every_call(demo, AGENT)

    def kept(view: EvaluationView) -> bool:
        if key is not None:
            on_it = outcome_on(view, key)
            return on_it is outcome if outcome is not None else on_it is not Outcome.na
        if outcome is not None:
            return any(result.outcome is outcome for result in view.results)
        return True

    page = scorecard_page(demo, agent_id=AGENT, criterion_key=key, outcome=outcome)
    # A call's scorecard shows a behaviour its evaluation left out as n/a too; the list keeps calls with a
    # stored n/a only, so that one filter is checked for the calls it keeps.
    if outcome is Outcome.na and key is None:
        assert set(page.rows) <= {view.summary for view in calls} and page.total == len(page.rows)
    else:
        expected = [view for view in calls if kept(view)]
        assert [row.call_id for row in page.rows] == [view.summary.call_id for view in expected]
        assert list(page.rows) == [view.summary for view in expected]
        assert page.total == len(expected)
    if key is not None:
        assert page.outcomes == {row.call_id: outcome_on(view, key) for row, view in zip(page.rows, calls_by_id(calls, page))}
        assert all(found is not Outcome.na for found in page.outcomes.values())
    else:
        assert page.outcomes == {}
    assert page.total >= len(page.rows)


def calls_by_id(calls: list[EvaluationView], page) -> list[EvaluationView]:  # noqa: ANN001 - a ScorecardPageView
    by_id = {view.summary.call_id: view for view in calls}
    return [by_id[row.call_id] for row in page.rows]


def test_pages_follow_on_and_past_the_last_the_total_still_counts(demo: Engine) -> None:
    whole = scorecard_page(demo, agent_id=AGENT, criterion_key="verify")
    assert whole.total > 6
    pages = [scorecard_page(demo, agent_id=AGENT, criterion_key="verify", limit=4, offset=at) for at in range(0, whole.total, 4)]
    assert [row for page in pages for row in page.rows] == list(whole.rows)
    assert {page.total for page in pages} == {whole.total}
    assert {key: value for page in pages for key, value in page.outcomes.items()} == whole.outcomes

    past = scorecard_page(demo, agent_id=AGENT, criterion_key="verify", limit=4, offset=whole.total + 10)
    assert (past.rows, past.total, past.outcomes) == ((), whole.total, {})
    assert past.behaviours == whole.behaviours and past.behaviours


def test_an_agent_with_no_calls_and_no_such_agent_read_empty(demo: Engine, db_url: str) -> None:
    for agent_id in ("nobody.here", ""):
        page = scorecard_page(demo, agent_id=agent_id, criterion_key="verify", outcome=Outcome.missed)
        assert (page.rows, page.total, page.behaviours, page.outcomes) == ((), 0, (), {})
    behaviours = scorecard_page(demo, agent_id=AGENT).behaviours
    assert [b.position for b in behaviours] == sorted(b.position for b in behaviours) and len(behaviours) > 3


def test_homes_last_call_and_unseen_count_read_as_the_list_does(demo: Engine) -> None:
    for agent_id in ("a.khan", "m.okafor"):
        for _ in range(2):  # as found, then with the latest call seen
            page = scorecard_page(demo, agent_id=agent_id, limit=10_000)
            home = home_view(demo, agent_id=agent_id)
            assert home is not None and page.rows
            assert home.last_call == page.rows[0]
            assert home.unseen == sum(not row.seen for row in page.rows)
            acknowledge(demo, agent_id=agent_id, call_id=page.rows[0].call_id, now=NOW)
        assert home.last_call.seen and home.unseen == sum(not row.seen for row in page.rows) < len(page.rows)


def test_homes_moments_on_the_focus_are_the_calls_own(demo: Engine) -> None:
    """Home's latest miss is the newest call the list filters as missed on the focus, and its verdict on the
    latest call is that call's own result there, moment, quote and comment included."""
    checked = 0
    for agent_id in ("a.khan", "l.nguyen", "j.garcia", "s.oneill", "y.tanaka", "m.okafor"):
        home = home_view(demo, agent_id=agent_id)
        if home is None or home.focus is None:
            continue
        key = home.focus.criterion.key
        missed = scorecard_page(demo, agent_id=agent_id, criterion_key=key, outcome=Outcome.missed, limit=1)
        if missed.rows:
            assert home.latest_miss is not None
            assert (home.latest_miss.call_id, home.latest_miss.outcome) == (missed.rows[0].call_id, Outcome.missed)
            own = evaluation_view(demo, call_id=missed.rows[0].call_id)
            result = next(r for r in own.results if r.criterion.key == key)  # type: ignore[union-attr]
            assert (home.latest_miss.moment_s, home.latest_miss.quote, home.latest_miss.comment) == (
                result.moment_s, result.quote, result.comment)
        else:
            assert home.latest_miss is None
        latest = evaluation_view(demo, call_id=home.last_call.call_id)  # type: ignore[union-attr]
        result = next(r for r in latest.results if r.criterion.key == key)  # type: ignore[union-attr]
        verdict = home.last_verdict
        assert verdict is not None and verdict.call_id == home.last_call.call_id  # type: ignore[union-attr]
        assert (verdict.outcome, verdict.moment_s, verdict.quote, verdict.comment) == (
            result.outcome, result.moment_s, result.quote, result.comment)
        checked += 1
    assert checked >= 2
