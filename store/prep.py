"""A coach's brief for a 1:1 with one agent, as Markdown.

The agent's own words come first, then where their view and the scores
differ, their goal, three calls worth listening to together and what they
earned since the last session. Everything is read through the queries; this
module only puts it into words.

Text from data (names, quotes, comments, what the agent wrote) is escaped so
that Markdown shows it as written and never interprets it, and control
characters are made visible, as the screens do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import Engine

from .clock import local_time
from .errors import NextcallError
from .models import Outcome
from .sessions import check_in, last_held, sessions_of, upcoming
from .talkback import disputes_to_talk_about
from .queries import (
    CALIBRATION_DAYS,
    badges_earned_since,
    goal_screen_view,
    moments_to_listen,
    self_assessment_view,
)
from .rules import SELF_RATINGS, check_in_when, min_sample, PassRate, calibrate, calibration_words, enough_calls
from .views import (
    BadgeView,
    CheckInView,
    EffectivenessView,
    SessionView,
    DisputeView,
    GoalScreenView,
    GoalView,
    MeasuredView,
    MomentView,
    SelfAssessmentScreenView,
    outcome_word,
)

MISSES = 2
"""How many missed calls the brief suggests listening to, beside one that went well and a critical miss."""

class PrepError(NextcallError):
    title = "Prep"


# ------------------------------------------------------------ literal text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&$])")
"""Characters that mean something anywhere in a line of Markdown (GitHub's included)."""
_LINE_START = re.compile(r"^([+\-=])|^(\d{1,9})([.)])(?=[ \t]|$)")
"""Markers that only count at the start of a line: list items, setext underlines."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL…
    return "\u2421" if code == 0x7F else "\ufffd"


def _escape_line(line: str) -> str:
    body = line.lstrip(" \t")
    # Leading spaces would start a code block: keep them, as spaces that are not indentation.
    indent = "\u00a0" * len(line[: len(line) - len(body)].expandtabs(4))
    body = _SPECIAL.sub(r"\\\1", _CONTROL.sub(_visible, body))
    body = _LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", body)
    return indent + body


def md(text: str | None) -> str:
    """Text from data as literal Markdown on one line: special characters escaped, control characters shown."""
    if not text:
        return ""
    return _escape_line(_LINE_BREAK.sub(" ", text))


def md_quote(text: str) -> list[str]:
    """Free text as a Markdown blockquote that keeps its line breaks, each line literal."""
    lines = _LINE_BREAK.split(text)
    while lines and not lines[0].strip(" \t"):
        lines.pop(0)
    while lines and not lines[-1].strip(" \t"):
        lines.pop()
    out = []
    for index, line in enumerate(lines):
        if not line.strip(" \t"):
            out.append(">")
            continue
        more = index + 1 < len(lines) and lines[index + 1].strip(" \t")
        # A trailing backslash is a hard line break; it only works inside a paragraph.
        out.append(f"> {_escape_line(line)}" + ("\\" if more else ""))
    return out


# -------------------------------------------------------------------- words


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _moment(value: datetime, zone: tzinfo | None) -> str:
    local = local_time(value, zone)
    return f"{_day(local.day)} {local.at:%H:%M}{local.note}"


def _date(value: datetime, zone: tzinfo | None) -> str:
    local = local_time(value, zone)
    return f"{_day(local.day)}{local.note}"


def _call_time(seconds: int | None) -> str:
    if seconds is None:
        return "no time marked"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _of(met: int, applicable: int) -> str:
    return f"{met} of {applicable} ({_percent(met / applicable)})" if applicable else "no calls"


# ------------------------------------------------------------------- brief


@dataclass(frozen=True, slots=True)
class _OwnWords:
    """The self-assessment the brief is built on."""

    session_on: date | None
    strengths: str
    struggles: str
    want_to_work_on: str
    ratings: dict[str, int]
    submitted_at: datetime | None
    """None for a draft."""


def _own_words(view: SelfAssessmentScreenView) -> tuple[_OwnWords | None, date | None]:
    """The latest submitted self-assessment (else the draft), and the session date of the one before it."""
    past = sorted(view.past, key=lambda p: (p.submitted_at, p.id), reverse=True)
    if past:
        latest = past[0]
        words = _OwnWords(
            latest.session_on, latest.strengths, latest.struggles, latest.want_to_work_on,
            latest.ratings, latest.submitted_at,
        )
        return words, past[1].session_on if len(past) > 1 else None
    if view.has_draft:
        return _OwnWords(
            view.draft_session_on, view.draft_strengths, view.draft_struggles, view.draft_want_to_work_on,
            view.draft_ratings, None,
        ), None
    return None, None


def prep_brief(db: Engine, *, agent_id: str, now: datetime | None = None) -> str:
    """The Markdown brief for a coach's 1:1 with the agent.

    Times are shown in the zone of `now` (the local zone when it is None);
    "the last 30 days" ends at `now`.

    Raises:
        PrepError: there is no such agent.
    """
    now = now or datetime.now().astimezone()
    zone = now.tzinfo
    assessment = self_assessment_view(db, agent_id=agent_id, now=now)
    goals = goal_screen_view(db, agent_id=agent_id)
    if assessment is None or goals is None:
        raise PrepError(f"There is no agent {agent_id!r} in this database; check the id (such as a.khan).")
    words, previous_session = _own_words(assessment)
    sessions = sessions_of(db, agent_id=agent_id)
    held_before = last_held(sessions, now)
    if held_before is not None:
        previous_session = local_time(held_before.scheduled_at, zone).day
    coming = upcoming(sessions, now)

    agent = assessment.agent
    session_on = words.session_on if words is not None else None
    lines = [
        f"# Coaching prep: {md(agent.name)} ({md(agent.team_name or agent.team_id)})",
        "",
        f"- Agent: {md(agent.id)}",
        f"- Coaching session: {_next_session(coming, session_on, zone)}",
        f"- Prepared: {_moment(now, zone)} {now.tzname() or ''}".rstrip(),
        "",
    ]
    lines += _own_words_section(words, zone)
    if previous_session is not None:
        since = datetime.combine(previous_session, time.min, tzinfo=zone)
        opening = f"Badges earned since their last session on {_day(previous_session)}:"
    else:
        since = now - timedelta(days=CALIBRATION_DAYS)
        opening = f"Badges earned in the last {CALIBRATION_DAYS} days (there is no earlier session on record):"
    lines += _disputes_section(disputes_to_talk_about(db, agent_id=agent_id, since=since), previous_session, zone)
    lines += _calibration_section(assessment.measured, words, now)
    lines += _goal_section(goals, zone)
    focus = _focus(goals)
    # Misses since the goal started, when the focus is the goal being worked on; after it stuck, the next one's.
    working = goals.state.focus is not None and goals.state.focus.from_goal
    goal_start = goals.current.started_at if working and goals.current is not None else None
    moments = moments_to_listen(db, agent_id=agent_id, criterion_key=focus[0], since=goal_start, misses=MISSES) if focus else []
    held = last_held(sessions, now)
    lines += _session_section(held, check_in(db, agent_id=agent_id, now=now, zone=zone), zone, local_time(now, zone).day)
    lines += _moments_section(focus, moments, goal_start, zone)
    lines += _recognition_section(opening, badges_earned_since(db, agent_id=agent_id, since=since), zone)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def _next_session(coming: list[SessionView], session_on: date | None, zone: tzinfo | None) -> str:
    if coming:
        return f"{_moment(coming[0].scheduled_at, zone)} with {md(coming[0].coach)}"
    return _day(session_on) if session_on else "not set"


def _own_words_section(words: _OwnWords | None, zone: tzinfo | None) -> list[str]:
    lines = ["## In their own words", ""]
    if words is None:
        return lines + [
            "They have not written a self-assessment yet. Ask them first what goes well and what is hard "
            "for them, before you bring in any scores.",
            "",
        ]
    if words.submitted_at is not None:
        lines.append(
            f"From the self-assessment they submitted on {_moment(words.submitted_at, zone)}. "
            "Let them talk you through it before you bring in any scores."
        )
    else:
        lines.append(
            "From their draft: it is not submitted yet and may still change. "
            "Let them talk you through it before you bring in any scores."
        )
    lines.append("")
    for heading, text in (
        ("What they do well", words.strengths),
        ("What they struggle with", words.struggles),
        ("What they want to work on", words.want_to_work_on),
    ):
        lines += [f"### {heading}", ""]
        lines += (md_quote(text) or ["(left blank)"]) + [""]
    return lines


def _calibration_section(measured: tuple[MeasuredView, ...], words: _OwnWords | None, now: datetime) -> list[str]:
    lines = ["## Where their view and the scores differ", ""]
    if not measured:
        return lines + ["No scored calls yet to set beside their view.", ""]
    ratings = words.ratings if words is not None else {}
    rows = [
        (m, calibrate(m.criterion.key, ratings.get(m.criterion.key), PassRate(m.met, m.applicable)))
        for m in measured
    ]
    # Largest gap first, whichever way it goes; behaviours without a gap keep scorecard order.
    # Thin evidence goes after the rest, so a gap on two calls never leads the conversation.
    rows.sort(key=lambda row: (
        not enough_calls(row[1].applicable), row[1].gap is None, -abs(row[1].gap or 0.0), row[0].criterion.position,
    ))
    lines += [
        "Their own rating of each behaviour beside how often it was met on the calls where it applied, "
        f"in the {CALIBRATION_DAYS} days to {_day(now.date())}; largest gap first, "
        f"behaviours seen on fewer than {min_sample()} calls after the rest. "
        "A gap is a question to explore together, not a verdict.",
        "",
        "| Behaviour | They say | Met, last 30 days |",
        "| --- | --- | --- |",
    ]
    for m, calibration in rows:
        said = SELF_RATINGS[calibration.rating][0] if calibration.rating else "not rated"
        lines.append(f"| {md(m.criterion.name)} | {said} | {_of(m.met, m.applicable)} |")
    lines.append("")
    if not ratings:
        return lines + [
            "They have not rated themselves yet: ask how often they think they land each behaviour "
            "before you show these.",
            "",
        ]
    talk = [calibration_words(md(m.criterion.name), calibration) for m, calibration in rows if calibration.gap]
    # Rated on too few calls to compare: no claim, a question for them instead.
    thin = [
        calibration_words(md(m.criterion.name), calibration)
        for m, calibration in rows
        if calibration.rating is not None and calibration.gap is None
    ]
    if not talk:
        agree = ["Their view and the scores agree on every behaviour they rated with enough calls: worth telling them.", ""]
        return lines + agree + (["Ask them about these:", ""] + [f"- {point}" for point in thin] + [""] if thin else [])
    return lines + ["To talk about, in words you could use with them:", ""] + [f"- {point}" for point in talk + thin] + [""]


def _focus(goals: GoalScreenView) -> tuple[str, str] | None:
    """The behaviour to listen for, and its name: the agent's one focus, as every screen shows it.

    After a goal stuck, that is the next behaviour, not the one already landed."""
    focus = goals.state.focus
    return (focus.criterion.key, focus.criterion.name) if focus is not None else None


def _goal_section(goals: GoalScreenView, zone: tzinfo | None) -> list[str]:
    lines = ["## Current goal", ""]
    if goals.state.next_call is not None:
        # The one instruction their app gives them, word for word.
        lines += [f"On their next call: {md(goals.state.next_call[1])}", ""]
    goal = goals.current
    if goal is None:
        if not goals.suggestions:
            return lines + ["No goal yet, and no scored calls yet to suggest one from.", ""]
        top = goals.suggestions[0]
        return lines + [
            f"No goal yet. The app suggests **{md(top.criterion.name)}** to them, as the behaviour with the "
            f"most impact: \"{md(top.reason)}\"",
            "",
        ]
    lines += [f"**{md(goal.criterion.name)}**, since {_date(goal.started_at, zone)}: {_status(goal, zone)}", ""]
    state = goals.state
    if goal.status == "mastered" and state.focus is not None and not state.focus.from_goal:
        lines += [
            f"It stuck: worth celebrating first. Next is **{md(state.focus.criterion.name)}**, the behaviour with the "
            "most impact now; the moments below are about it.",
            "",
        ]
    lines.append(
        f"- Progress: met on {goal.met_in_window} of the last {goal.in_window} calls where it applied "
        f"(target: {goal.target_met} of {goal.target_window}, twice in a row)."
    )
    if goal.baseline_applicable:
        lines.append(
            f"- When it was set: met on {goal.baseline_met} of the latest {goal.baseline_applicable} calls "
            f"where it applied ({_percent(goal.baseline_rate)})."
        )
    lines.append("")
    lines.append("Before the goal (the calls its baseline rests on) and since it started, where the behaviour applied:")
    lines.append("")
    return lines + _effect_table(goal.effectiveness)


def _effect_table(effect: EffectivenessView) -> list[str]:
    """Before and since, on the behaviour, CSAT and first-contact resolution, under the one sample rule."""
    lines = []
    if not effect.enough:
        lines += [
            f"Not enough calls yet to compare: at least {effect.min_sample} where it applied on each side "
            f"(before: {effect.before.applicable}, since: {effect.after.applicable}).",
            "",
        ]
    before, after = effect.before, effect.after

    def csat(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}"

    return lines + [
        "| | Before | Since |",
        "| --- | --- | --- |",
        f"| Behaviour met | {_of(before.met, before.applicable)} | {_of(after.met, after.applicable)} |",
        f"| Mean CSAT | {csat(before.mean_csat)} | {csat(after.mean_csat)} |",
        f"| Resolved first time | {_percent(before.fcr_rate)} | {_percent(after.fcr_rate)} |",
        f"| Calls | {before.calls} | {after.calls} |",
        "",
    ]


def _session_section(held: SessionView | None, check: CheckInView | None, zone: tzinfo | None, today: date) -> list[str]:
    lines = ["## The last session and since", ""]
    if held is None:
        return lines + ["No coaching session on record yet: plan one with: nextcall session add AGENT --on DATE.", ""]
    lines.append(f"On {_moment(held.scheduled_at, zone)} with {md(held.coach)}.")
    lines.append("")
    if held.behaviour:
        lines.append(f"- Behaviour agreed on: **{md(held.behaviour)}**")
    if held.will_do:
        lines.append(f"- They will: {md(held.will_do)}")
    if held.confirmed_at:
        lines.append(f"- They confirmed it on {_moment(held.confirmed_at, zone)}.")
    elif held.heard_differently:
        lines.append(f"- They heard it differently: {md(held.heard_differently)}")
    elif held.will_do:
        lines.append("- Not confirmed by them yet.")
    else:
        lines.append("- Nothing noted as agreed: note it with: nextcall session note ID.")
    if held.notes:
        lines.append(f"- Notes: {md(held.notes)}")
    lines.append("")
    if held.follow_up_on is None:
        return lines + ["No check-in day was set.", ""]
    if check is None:
        return lines + [f"Check-in from {_day(held.follow_up_on)}.", ""]
    lines += [
        f"Check-in ({check_in_when(held.follow_up_on, today)}): the same number of calls before the session and since it, "
        "where the behaviour applied:",
        "",
    ]
    return lines + _effect_table(check.effect)


def _status(goal: GoalView, zone: tzinfo | None) -> str:
    if goal.status == "mastered":
        when = f" on {_date(goal.mastered_at, zone)}" if goal.mastered_at else ""
        return f"mastered (it stuck{when}); time to choose the next one together."
    return "active."


def _disputes_section(disputes: list[DisputeView], previous_session: date | None, zone: tzinfo | None) -> list[str]:
    lines = ["## Where they see a score differently", ""]
    window = f"since their last session on {_day(previous_session)}" if previous_session else f"in the last {CALIBRATION_DAYS} days"
    if not disputes:
        return lines + [f"No dispute open, and none answered {window}.", ""]
    lines += ["They asked QA to look again: hear them out before the scores.", ""]
    for d in disputes:
        proposed = f", they propose {outcome_word(d.proposed_outcome)}" if d.proposed_outcome else ""
        lines.append(
            f"- Call {md(d.call_id)}, **{md(d.behaviour)}** (scored {outcome_word(d.scored_outcome)}{proposed}), "
            f"raised {_moment(d.raised_at, zone)}: {md(d.answer)}"
            + (f" on {_moment(d.closed_at, zone)}" if d.closed_at and not d.is_open else "")
        )
        lines.append(f"  - Their reason: {md(d.reason)}")
        if d.note:
            lines.append(f"  - QA's note: {md(d.note)}")
    return lines + [""]


def _moments_section(
    focus: tuple[str, str] | None, moments: list[MomentView], goal_start: datetime | None, zone: tzinfo | None
) -> list[str]:
    lines = ["## Moments worth listening to", ""]
    if focus is None:
        return lines + ["No behaviour to listen for yet: there are no scored calls.", ""]
    name = md(focus[1])
    if not moments:
        return lines + [
            f"No call yet with a marked moment on **{name}**: ask them for a recent call they are proud of.", ""
        ]
    since = " since the goal started" if goal_start is not None else ""
    lines += [f"To play back together, starting with what went well on **{name}**:", ""]
    for number, moment in enumerate(moments, start=1):
        if moment.behaviour is not None:
            what = f"a critical behaviour missed: **{md(moment.behaviour)}**"
        elif moment.outcome is Outcome.met:
            what = "it went well"
        else:
            what = f"missed{since}"
        at = "" if moment.moment_s is None else f", at {_call_time(moment.moment_s)}"
        lines.append(f"{number}. Call {md(moment.call_id)}, {_moment(moment.occurred_at, zone)}{at}: {what}")
        if moment.quote:
            lines.append(f"   - Quote: {md(moment.quote)}")
        if moment.comment:
            lines.append(f"   - Comment: {md(moment.comment)}")
    return lines + [""]


def _recognition_section(opening: str, earned: list[BadgeView], zone: tzinfo | None) -> list[str]:
    lines = ["## Recognition since the last session", "", opening, ""]
    if not earned:
        return lines + ["None this time: worth naming a recent call that went well.", ""]
    for badge in earned:
        assert badge.earned_at is not None
        call = f", call {md(badge.call_id)}" if badge.call_id else ""
        lines.append(
            f"- {md(badge.icon)} **{md(badge.name)}**, {_date(badge.earned_at, zone)}{call}: "
            f"{md(badge.description)}"
        )
    return lines + [""]
