"""Demo data: two teams, twelve agents and ninety days of scored calls.

The story a new user should see in a minute:

* **Aisha Khan** (`a.khan`, Falcons, customer care) used to jump to a fix before
  checking what the customer needed: "Confirms the need before solving" was
  missed on about six calls in ten. Around five weeks ago she started working
  on it and climbed steadily; she now lands it on about nine of her last ten
  calls. Her missed calls on that behaviour are the ones that ended without a
  first-contact resolution, so it is the clear focus for her.
* **Linh Nguyen** (`l.nguyen`, Falcons) mastered empathy: about four in ten
  before two months ago, about 95% since, and it has held. Her next weakest
  behaviour is setting clear next steps (around 60%).
* **Jorge García** (`j.garcia`, Otters, sales) is struggling: discovery,
  linking the offer, objections and the recap are all low, he misses the
  critical disclosure on roughly one call in eight (which zeroes those
  calls), and his customers rate him lowest.
* **Siobhán O'Neill** (`s.oneill`, Falcons) is brand new: exactly two
  evaluations, both in the last three days.
* **Yuki Tanaka** (`y.tanaka`, Otters) had one bad week about two weeks ago
  and is back to normal since. **Rami Haddad** and **Priya Sharma** are the
  strong performers; everyone else shows ordinary variation.

Outcomes follow behaviour: every missed criterion lowers the chance of a high
CSAT and of a first-contact resolution, and missing the "understand the need"
behaviour of each scorecard (`confirm_need` for care, `discovery` for sales)
costs resolution the most, so "which behaviour would most raise outcomes" has
a clear answer per agent.

The text includes a little hostile-but-legitimate content on purpose, as real
data does: a name with an accent and an apostrophe, a quote with square
brackets, one with an emoji and one in Arabic.

Everything is derived from ``(today, seed)`` through ``random.Random``, so the
same pair always gives byte-identical records. The seed goes through the
importer like any other file: ``demo_records`` only builds the records.

Run ``python -m nextcall.seed.demo [YYYY-MM-DD]`` (``python -m seed.demo`` from a
checkout) to print a summary that checks the story.
"""

from __future__ import annotations

import datetime
import random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_DEMO_AGENT", "DEMO_AGENTS", "demo_records"]

WINDOW_DAYS = 90
"""The evaluations span the 90 days that end on `today`."""

# ----------------------------------------------------------------------- teams

TEAMS: list[dict] = [
    {"kind": "team", "id": "falcons", "name": "Falcons"},
    {"kind": "team", "id": "otters", "name": "Otters"},
]

TEAM_SCORECARD = {"falcons": "care-v1", "otters": "sales-v1"}
"""Falcons answer customer care calls, Otters sell."""

# ------------------------------------------------------------------ scorecards

SCORECARDS: list[dict] = [
    {
        "kind": "scorecard",
        "id": "care-v1",
        "name": "Customer care",
        "criteria": [
            {
                "key": "greeting",
                "name": "Warm greeting",
                "weight": 5,
                "critical": False,
                "next_call": "Open with your name, the company and a real "
                "\"how can I help?\" in the first ten seconds.",
                "lesson": "The first ten seconds set the tone for the whole call. "
                "Say who you are and smile while you say it: people can hear it. "
                "If you have their name on screen, use it once early.",
            },
            {
                "key": "verify",
                "name": "Verifies identity",
                "weight": 15,
                "critical": True,
                "next_call": "Before you open or change anything on the account, ask the "
                "security questions, even when the customer is in a hurry.",
                "lesson": "Verification protects the customer, and a rushed caller is exactly "
                "what fraudsters count on. Try: \"I'll get you sorted in a second, I just "
                "need to confirm two quick details first.\" It takes fifteen seconds, and "
                "a miss fails the whole call.",
            },
            {
                "key": "confirm_need",
                "name": "Confirms the need before solving",
                "weight": 20,
                "critical": False,
                "next_call": "Before you offer a fix, repeat the need back and get a yes.",
                "lesson": "Most repeat calls start with a fix for the wrong problem. "
                "Sum it up in one sentence: \"So the reset link never arrives and you "
                "need to log in today, is that right?\" Wait for the yes before you "
                "solve; a \"not quite\" just saved you a callback.",
            },
            {
                "key": "empathy",
                "name": "Acknowledges how the customer feels",
                "weight": 15,
                "critical": False,
                "next_call": "When the customer sounds frustrated, name it before you fix it: "
                "\"That sounds really annoying, let's sort it.\"",
                "lesson": "Customers can't hear your intent, only your words. One sentence "
                "that names the feeling (\"I'd be fed up too after three calls\") lowers "
                "the temperature faster than any fix. Keep it short and specific, then "
                "move to action; \"I understand\" on its own sounds scripted.",
            },
            {
                "key": "hold",
                "name": "Asks before a hold and checks back",
                "weight": 5,
                "critical": False,
                "next_call": "Ask before you put someone on hold, say how long, and check "
                "back within a minute.",
                "lesson": "Silence feels twice as long on the customer's side. Ask \"Is it "
                "okay if I put you on hold for about a minute?\" and wait for the answer. "
                "If it takes longer, come back and say so.",
            },
            {
                "key": "explains",
                "name": "Explains the fix in plain words",
                "weight": 10,
                "critical": False,
                "next_call": "Explain the fix in one plain sentence, then check it landed: "
                "\"Does that make sense?\"",
                "lesson": "Words that are obvious to us are noise to a customer. Say what "
                "you did, what they will see and when. If all you hear is \"uh-huh\", ask "
                "them what they will do next.",
            },
            {
                "key": "next_steps",
                "name": "Sets clear next steps",
                "weight": 10,
                "critical": False,
                "next_call": "Before you close, say what happens next, who does it and by when.",
                "lesson": "An unclear ending is the top reason people call back. Give the "
                "what, who and when: \"The refund goes out today, you'll see it in three "
                "to five working days, and we'll email you.\" If something depends on the "
                "customer, say that too.",
            },
            {
                "key": "closing",
                "name": "Checks for anything else and closes warmly",
                "weight": 5,
                "critical": False,
                "next_call": "Ask \"Is there anything else I can help with today?\" and "
                "thank them by name.",
                "lesson": "The last thing you say is what people remember. Asking for "
                "anything else often uncovers a second issue that is cheaper to fix now "
                "than on another call. End with their name and a thank-you.",
            },
        ],
    },
    {
        "kind": "scorecard",
        "id": "sales-v1",
        "name": "Sales",
        "criteria": [
            {
                "key": "greeting",
                "name": "Warm opening",
                "weight": 5,
                "critical": False,
                "next_call": "Open with your name and ask how their day is going before "
                "you ask for anything.",
                "lesson": "People buy from people they like. A relaxed, friendly opening "
                "makes the rest of the call a conversation instead of a transaction. "
                "Use their name once you have it.",
            },
            {
                "key": "disclosure",
                "name": "Reads the required disclosure",
                "weight": 15,
                "critical": True,
                "next_call": "Read the full disclosure word for word before you quote a "
                "price or take payment details.",
                "lesson": "The disclosure is a legal requirement, and a miss fails the whole "
                "call however good the rest was. Read it at a natural pace and check it "
                "landed: \"Does that all sound clear?\" Keep the card next to your screen "
                "until it is automatic.",
            },
            {
                "key": "discovery",
                "name": "Asks discovery questions before pitching",
                "weight": 20,
                "critical": False,
                "next_call": "Ask two open questions about how they use the service before "
                "you mention any plan.",
                "lesson": "A pitch without discovery is a guess. Ask open questions (\"How "
                "do you use it day to day?\", \"What made you call today?\") and listen for "
                "the reason behind the call. The customer will tell you which plan fits "
                "if you let them talk first.",
            },
            {
                "key": "value",
                "name": "Links the offer to what the customer said",
                "weight": 15,
                "critical": False,
                "next_call": "When you present the offer, use the customer's own words: "
                "\"You said the kids stream a lot, so...\"",
                "lesson": "Features don't sell; the customer's reasons do. Tie each point "
                "of the offer to something they told you earlier. One well-linked benefit "
                "beats a list of five.",
            },
            {
                "key": "objections",
                "name": "Handles objections without pressure",
                "weight": 10,
                "critical": False,
                "next_call": "When you hear \"it's too expensive\", ask what they compare it "
                "with before you answer.",
                "lesson": "An objection is usually a question in disguise. Acknowledge it, "
                "ask one clarifying question, then answer the real concern. Repeating the "
                "offer louder costs trust, and a complaint costs more than a lost sale.",
            },
            {
                "key": "close",
                "name": "Asks for the decision",
                "weight": 10,
                "critical": False,
                "next_call": "When the customer sounds positive, ask plainly: \"Shall I set "
                "that up for you today?\"",
                "lesson": "Many good calls end without a sale because nobody asked. When you "
                "hear buying signals, ask one clear, friendly question. If the answer is "
                "no, ask what would help them decide and offer a follow-up.",
            },
            {
                "key": "recap",
                "name": "Recaps price, terms and next steps",
                "weight": 10,
                "critical": False,
                "next_call": "Before you hang up, recap the monthly price, the contract "
                "length and what happens next.",
                "lesson": "A clear recap prevents most cancellations in the first week. Say "
                "the monthly price, any one-off costs, the contract length and when the "
                "change starts, then ask them to confirm they're happy with it.",
            },
        ],
    },
]


@dataclass(frozen=True)
class Behaviour:
    """How a criterion shows up in calls, for generating results and outcomes."""

    when: tuple[float, float]
    """Where in the call a moment for it usually falls, as fractions of the duration."""
    csat_cost: float
    """Points of expected CSAT lost when it is missed."""
    fcr_cost: float
    """Drop in the chance of first-contact resolution when it is missed."""
    applies: float = 1.0
    """Chance that it applies to a call (a hold is not always needed)."""
    phone_only: bool = False


BEHAVIOURS: dict[str, dict[str, Behaviour]] = {
    "care-v1": {
        "greeting": Behaviour((0.0, 0.04), csat_cost=0.25, fcr_cost=0.02),
        "verify": Behaviour((0.03, 0.15), csat_cost=0.2, fcr_cost=0.03),
        "confirm_need": Behaviour((0.08, 0.3), csat_cost=0.6, fcr_cost=0.32),
        "empathy": Behaviour((0.1, 0.7), csat_cost=0.8, fcr_cost=0.05),
        "hold": Behaviour((0.3, 0.7), csat_cost=0.4, fcr_cost=0.03, applies=0.4, phone_only=True),
        "explains": Behaviour((0.4, 0.8), csat_cost=0.5, fcr_cost=0.12),
        "next_steps": Behaviour((0.75, 0.93), csat_cost=0.4, fcr_cost=0.2),
        "closing": Behaviour((0.9, 0.99), csat_cost=0.25, fcr_cost=0.03),
    },
    "sales-v1": {
        "greeting": Behaviour((0.0, 0.04), csat_cost=0.25, fcr_cost=0.02),
        "disclosure": Behaviour((0.5, 0.85), csat_cost=0.3, fcr_cost=0.05),
        "discovery": Behaviour((0.05, 0.3), csat_cost=0.6, fcr_cost=0.3),
        "value": Behaviour((0.3, 0.55), csat_cost=0.5, fcr_cost=0.08),
        "objections": Behaviour((0.45, 0.75), csat_cost=0.6, fcr_cost=0.06, applies=0.65),
        "close": Behaviour((0.7, 0.9), csat_cost=0.25, fcr_cost=0.15),
        "recap": Behaviour((0.85, 0.98), csat_cost=0.35, fcr_cost=0.1),
    },
}

CHANNELS: dict[str, tuple[tuple[str, float], ...]] = {
    "care-v1": (("phone", 0.7), ("chat", 0.2), ("email", 0.1)),
    "sales-v1": (("phone", 0.85), ("chat", 0.12), ("email", 0.03)),
}

DURATIONS_S: dict[str, tuple[int, int, int]] = {
    "phone": (180, 900, 420),
    "chat": (240, 1500, 600),
    "email": (120, 600, 240),
}
"""(low, high, mode) of the handling time per channel."""

EVALUATORS = ("qa.rivera", "qa.chen", "qa.okoro", "qa.berg")
AUTO_SHARE = 0.55
"""Share of evaluations scored by the automatic evaluator ("auto")."""

# ------------------------------------------------------------------- moments
# Per criterion: what was said when it was missed (spoken, and a few that only
# fit a chat or an email), what was said when it went well, and the
# evaluator's comments for each.


@dataclass(frozen=True)
class Moments:
    missed: tuple[str, ...]
    missed_comments: tuple[str, ...]
    met: tuple[str, ...] = ()
    met_comments: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    """Missed quotes that only make sense typed (chat or email)."""


MOMENTS: dict[str, dict[str, Moments]] = {
    "care-v1": {
        "greeting": Moments(
            missed=(
                "Agent: Yeah, go ahead.",
                "Agent: Account number?",
                "Agent: Hello, what's the problem?",
                "Customer: Hello? Is anyone there?",
                "Agent: Support. What do you need?",
                "Agent: Hi. Yes. Okay, go.",
                "Agent: You're through to support, what's up?",
                "Agent: Mm-hm, I'm listening.",
            ),
            missed_comments=(
                "Say your name and the company first; it sets a warmer tone.",
                "The opening felt rushed; a friendly first line costs two seconds.",
                "Try greeting before asking for details.",
                "The customer waited in silence; open as soon as the line connects.",
            ),
            met=(
                "Agent: Good morning, you're speaking with Aisha, how can I help?",
                "Agent: Hi Marco, thanks for calling, this is Linh.",
                "Agent: Hello and welcome, my name's Rami, what can I do for you today?",
            ),
            met_comments=(
                "Lovely warm opening.",
                "Used the customer's name straight away, nice.",
                "Friendly and clear from the first second.",
            ),
            written=("Agent: ok what", "Agent: ?"),
        ),
        "verify": Moments(
            missed=(
                "Customer: I'm in a rush, just change the address please.",
                "Agent: Okay, I've opened the account, what do you need?",
                "Customer: It's my husband's account but he said it's fine.",
                "Agent: I'll skip the questions, you sound like you're in a hurry.",
                "Customer: I don't remember my PIN, can't you just do it?",
                "Agent: Sure, I can read you the last payment.",
                "Customer: I gave all that to the last person.",
                "Agent: What's the email on the account? Right, updating it now.",
                "Customer: Can you tell me the card number you have on file?",
            ),
            missed_comments=(
                "Account changed before the security questions; this one is critical.",
                "Verify before sharing any account details, even under time pressure.",
                "Third-party caller; verification was needed before going on.",
                "Ask the two security questions first, every time.",
                "A rushed caller is the riskiest case; slow down here.",
            ),
            met=(
                "Agent: Before I open anything, can I confirm your date of birth?",
                "Agent: I'll just need the last four digits and your postcode first.",
                "Agent: I can't share that until we've done security, sorry, it keeps you safe.",
            ),
            met_comments=(
                "Held the line on security politely.",
                "Verified cleanly without slowing the call down.",
                "Explained why the questions matter; the customer was fine with it.",
            ),
        ),
        "confirm_need": Moments(
            missed=(
                "Customer: I just need the reset link.",
                "Customer: No, that's not what I asked, the bill is wrong, not late.",
                "Agent: Let me just reset the router for you.",
                "Customer: Wait, why are you cancelling it? I wanted to pause it.",
                "Customer: I've already tried turning it off and on.",
                "Agent: Right, I'll send you a new card then.",
                "Customer: That's the third time someone's done that and it didn't help.",
                "Customer: the screen says [ERROR 42] again",
                "Customer: Sorry, I meant the other account, the business one.",
                "Agent: Okay so you want a refund, let me process that.",
                "Customer: I didn't say I wanted to upgrade.",
            ),
            missed_comments=(
                "Jumped to a fix before checking the need; repeat it back first.",
                "The customer corrected you twice; a one-line summary up front saves that.",
                "Confirm what they want before acting; this led to a repeat call.",
                "Try: \"So what you need is..., is that right?\" and wait for the yes.",
                "The fix solved a different problem than the one the customer had.",
            ),
            met=(
                "Agent: So the link never arrives and you need to log in today, is that right?",
                "Agent: Just to be sure: you want to pause the plan, not cancel it?",
                "Agent: Let me check I've got it: the charge on the 3rd is the one you don't recognise?",
                "Agent: So it's the business account, and only the invoice address, yes?",
            ),
            met_comments=(
                "Repeated the need back and got a clear yes, exactly right.",
                "The summary caught a misunderstanding before the fix.",
                "Textbook need check before solving.",
                "Nice: confirmed the need before touching the account.",
            ),
            written=("Customer: no!! I said the OTHER order",),
        ),
        "empathy": Moments(
            missed=(
                "Customer: This is the third time I'm calling about this.",
                "Customer: I've been on hold for forty minutes.",
                "Customer: My mum is in hospital and I can't get into her account.",
                "Agent: Okay. Account number?",
                "Customer: Honestly, I'm about ready to leave.",
                "Agent: That's just the policy.",
                "Customer: شكراً، لكن المشكلة ما زالت موجودة",
                "Customer: I've lost a whole day of work because of this.",
                "Agent: Mm. Anyway, what's the postcode?",
            ),
            missed_comments=(
                "Name the feeling before the fix; one sentence is enough.",
                "The customer was upset and the reply went straight to process.",
                "\"That sounds really stressful\" would have helped here.",
                "The customer switched to Arabic (\"thanks, but the problem is still there\"); "
                "acknowledge it and offer an Arabic-speaking colleague.",
                "Slow down for a moment when someone shares something personal.",
            ),
            met=(
                "Agent: Three calls for this? I'd be fed up too. Let's fix it now.",
                "Agent: I'm really sorry to hear about your mum. Let's make this easy.",
                "Agent: That wait is not okay, and thank you for sticking with us.",
            ),
            met_comments=(
                "Great recovery after the transfer.",
                "Named the frustration and moved straight to action.",
                "Warm and genuine; the customer relaxed right away.",
            ),
            written=(
                "Customer: this is the 3rd chat today 😤",
                "Customer: I'm so done with this!!!",
            ),
        ),
        "hold": Moments(
            missed=(
                "Customer: Hello? Are you still there?",
                "Agent: Hold on. [silence for two minutes]",
                "Customer: You just put me on hold without asking.",
                "Agent: One sec. ... Sorry, took a bit longer.",
                "Customer: I've been listening to this music for ages.",
                "Agent: Hang on.",
                "Customer: Did you forget about me?",
                "Agent: Let me check something. [hold music]",
            ),
            missed_comments=(
                "Ask before the hold and say how long.",
                "The hold ran over three minutes without a check-back.",
                "Put on hold mid-sentence; ask first next time.",
                "Come back after a minute, even just to say you're still on it.",
            ),
            met=(
                "Agent: Is it okay if I put you on hold for about a minute?",
                "Agent: Thanks for holding, I'm still checking, two more minutes?",
                "Agent: I'll pop you on a short hold while I call the warehouse, okay?",
            ),
            met_comments=(
                "Clean hold: asked, gave a time, came back early.",
                "Checked back during a long hold, nice.",
                "Great recovery after the transfer.",
            ),
        ),
        "explains": Moments(
            missed=(
                "Agent: I've re-provisioned the ONT and flushed the DNS cache.",
                "Customer: Sorry, I don't follow. What do I do now?",
                "Agent: It's a backend sync thing, it'll resolve.",
                "Customer: So is it fixed or not?",
                "Customer: the screen says [ERROR 42] again",
                "Agent: You need to clear your cookies and re-auth via SSO.",
                "Customer: What's a pro-rata adjustment?",
                "Agent: Should be fine now. Probably.",
                "Customer: I'll just wait and see then, I guess.",
            ),
            missed_comments=(
                "Plain words please: what changed and what they'll see.",
                "Check the explanation landed; the customer sounded unsure.",
                "Avoid internal terms; say it the way you'd explain it to a friend.",
                "\"Probably\" leaves doubt; say what you checked.",
            ),
            met=(
                "Agent: I've reset your password. You'll get a text in a minute; use that code to log in.",
                "Agent: The fee was a mistake on our side, so I've taken it off. You'll see it on the next bill.",
                "Agent: Does that make sense, or shall I go through it again?",
            ),
            met_comments=(
                "Clear, jargon-free explanation.",
                "Checked understanding before moving on, great.",
                "Nice: explained what the customer will see and when.",
            ),
            written=("Customer: idk what that means lol",),
        ),
        "next_steps": Moments(
            missed=(
                "Customer: So... what happens now?",
                "Agent: Someone will be in touch.",
                "Customer: When will I get the refund?",
                "Agent: It's all in the system now.",
                "Customer: Do I need to do anything?",
                "Agent: It should sort itself out.",
                "Customer: Will I get an email about this?",
                "Agent: Yeah, the team will look at it at some point.",
            ),
            missed_comments=(
                "Say what happens next, who does it and by when.",
                "The customer had to ask about next steps; lead with them.",
                "\"Someone will be in touch\" invites a callback; give a time.",
                "Tell the customer if anything depends on them.",
            ),
            met=(
                "Agent: The refund goes out today; expect it in three to five working days, and we'll email you.",
                "Agent: The engineer comes Thursday between 8 and 12; you'll get a text the night before.",
                "Agent: Your part is just to reply to the email with the photo; we do the rest.",
            ),
            met_comments=(
                "Crystal-clear what, who and when.",
                "Set expectations perfectly.",
                "Customer knew exactly what to expect, nice.",
            ),
        ),
        "closing": Moments(
            missed=(
                "Agent: Okay, bye.",
                "Agent: Right, that's it then.",
                "Customer: Oh, there was one more thing, but never mind.",
                "Agent: Cheers.",
                "[call ended by agent]",
                "Agent: Done. Anything else? No? Bye.",
                "Customer: Hello? Oh, they've gone.",
                "Agent: Okay thanks bye.",
            ),
            missed_comments=(
                "Ask if there's anything else before closing.",
                "The customer had a second question; the close cut it off.",
                "End with their name and a thank-you.",
                "A warm close leaves a better last impression.",
            ),
            met=(
                "Agent: Is there anything else I can help with today, Mrs Patel?",
                "Agent: Thanks so much for your patience, Tom, have a lovely evening.",
                "Agent: Anything else on your mind before I let you go?",
            ),
            met_comments=(
                "Warm close; the extra question caught a second issue.",
                "Lovely close.",
                "Used the name and thanked them, nice.",
            ),
            written=("Agent: closing chat now", "Agent: k bye"),
        ),
    },
    "sales-v1": {
        "greeting": Moments(
            missed=(
                "Agent: Sales.",
                "Agent: Yep, go.",
                "Agent: Hi, so are you looking to upgrade?",
                "Agent: Name and postcode?",
                "Customer: Hello? Is this sales?",
                "Agent: What can I sell you today?",
                "Agent: Hello, hi, yes, okay, what's the account?",
                "Agent: You're through to sales, make it quick.",
            ),
            missed_comments=(
                "Say your name before anything else.",
                "Went straight to business; a friendly first line builds rapport.",
                "Ask how they are before asking for details.",
                "Open as soon as the call connects; the customer waited.",
            ),
            met=(
                "Agent: Hi, this is Priya, thanks for calling. How's your day going?",
                "Agent: Good afternoon, you're through to Camille, lovely to speak with you.",
                "Agent: Hello, I'm Daniel. Before anything else, what prompted the call?",
            ),
            met_comments=(
                "Relaxed, friendly opening.",
                "Great rapport from the first line.",
                "Warm and unhurried, nice.",
            ),
        ),
        "disclosure": Moments(
            missed=(
                "Agent: So that's 39 a month, card number?",
                "Agent: I'll skip the legal bit, it's boring.",
                "Customer: What's the cancellation fee? Nobody told me about that.",
                "Agent: Just the usual terms, nothing to worry about.",
                "Agent: Right, I'll take payment now.",
                "Customer: Wait, is there a minimum term?",
                "Agent: Terms are on the website, anyway, long number on the card?",
                "Agent: Yeah yeah, all standard, let's get you signed up.",
            ),
            missed_comments=(
                "Price quoted and payment taken without the disclosure; this one fails the call.",
                "Read the disclosure word for word before taking payment.",
                "The customer asked about the terms; the disclosure answers that up front.",
                "Keep the disclosure card next to your screen until it's automatic.",
            ),
            met=(
                "Agent: Before we go ahead, I need to read you some important information about this plan.",
                "Agent: That's the full terms; does that all sound clear?",
                "Agent: There's a 14-day cooling-off period, and I'll send all of this in writing.",
            ),
            met_comments=(
                "Disclosure read in full at a natural pace.",
                "Checked the customer understood the terms, great.",
                "Clean, compliant and still friendly.",
            ),
        ),
        "discovery": Moments(
            missed=(
                "Agent: So we've got three plans, the best one is Premium.",
                "Customer: I just wanted to ask about my data, not a new phone.",
                "Agent: Everyone's going for the unlimited plan right now.",
                "Customer: Why would I need that? I barely use it.",
                "Agent: Let me tell you about our offer this month.",
                "Customer: You haven't asked what I actually use it for.",
                "Agent: Do you want the 24-month deal or the 36?",
                "Customer: I work from home, so really I just need the broadband faster.",
                "Agent: Perfect, the bundle it is then.",
            ),
            missed_comments=(
                "Pitched before asking a single open question.",
                "Ask how they use the service before you suggest a plan.",
                "The customer gave a clue that went unexplored; ask one more question.",
                "Try \"What made you call today?\" before any offer.",
                "The offer didn't fit what the customer needed; discovery would have shown it.",
            ),
            met=(
                "Agent: What made you call today? And how do you use it day to day?",
                "Agent: Who else in the house uses the connection, and for what?",
                "Agent: What would make this plan better for you than the one you have?",
            ),
            met_comments=(
                "Great open questions before any pitch.",
                "Listened for the real reason behind the call.",
                "Discovery uncovered what mattered to the customer, nice.",
            ),
        ),
        "value": Moments(
            missed=(
                "Agent: It's got 5G, unlimited texts, cloud storage, the lot.",
                "Customer: Okay, but how does that help me?",
                "Agent: It's just a really good deal.",
                "Customer: I told you I don't stream.",
                "Agent: And you also get a free magazine subscription.",
                "Customer: I'm not sure why I'd pay more for that.",
                "Agent: The specs are amazing, honestly.",
                "Customer: So what's in it for me, really?",
            ),
            missed_comments=(
                "Link the offer to something the customer said.",
                "A list of features; pick the one that fits their reason.",
                "Use their own words when you present the benefit.",
                "The customer told you what they need; tie the offer to it.",
            ),
            met=(
                "Agent: You said the kids stream in the evening, so the faster plan means no more buffering.",
                "Agent: Since you travel for work, the roaming add-on covers exactly that.",
                "Agent: You mentioned the bill keeps changing; this one is a fixed price.",
            ),
            met_comments=(
                "Linked the offer to the customer's own words.",
                "One well-chosen benefit; that's the way.",
                "Spot-on connection between need and offer.",
            ),
        ),
        "objections": Moments(
            missed=(
                "Customer: It's too expensive. Agent: It's really not, though.",
                "Agent: Honestly, everyone is taking this offer.",
                "Customer: I need to think about it. Agent: The offer ends today.",
                "Customer: I'd rather talk to my partner first.",
                "Agent: But it's the best deal we've ever had.",
                "Customer: I've had problems with your network before.",
                "Customer: I said no already.",
                "Agent: You'd be silly not to take it.",
            ),
            missed_comments=(
                "Acknowledge the objection before answering it.",
                "Ask what they compare the price with before you reply.",
                "Felt like pressure; a clarifying question works better.",
                "Respect the \"no\" and offer a follow-up instead.",
            ),
            met=(
                "Agent: That's fair. What are you comparing it with?",
                "Agent: Totally understand wanting to check with your partner. Shall I send the details?",
                "Agent: Sorry to hear about the network trouble; can I check what's changed in your area?",
            ),
            met_comments=(
                "Handled the price objection calmly.",
                "No pressure, and the customer stayed engaged.",
                "Found the real concern behind the objection.",
            ),
        ),
        "close": Moments(
            missed=(
                "Customer: Sounds good actually. Agent: Great, well, have a think.",
                "Agent: So, yeah, that's the offer. Anyway.",
                "Customer: Okay, I could do that. Agent: Cool, anything else?",
                "Customer: That's cheaper than I thought.",
                "Agent: Let me know if you ever want it.",
                "Customer: I think that would work for us.",
                "Agent: Right, I'll let you go then.",
                "Customer: How would I sign up, if I wanted to?",
            ),
            missed_comments=(
                "Buying signal missed; ask for the decision.",
                "The customer was ready; \"Shall I set that up today?\" was all it took.",
                "Ask plainly when you hear a positive.",
                "End with a clear question, not a trailing \"anyway\".",
            ),
            met=(
                "Agent: Shall I set that up for you today?",
                "Agent: Would you like me to go ahead with the switch?",
                "Agent: If I send the contract now, shall we start on Monday?",
            ),
            met_comments=(
                "Asked for the decision at the right moment.",
                "Confident, friendly close.",
                "Clear ask, no pressure, nice.",
            ),
        ),
        "recap": Moments(
            missed=(
                "Agent: Okay, you're all set, bye.",
                "Customer: Sorry, how much is it per month again?",
                "Customer: And how long is the contract?",
                "Agent: The details will be in an email somewhere.",
                "Customer: When does it start?",
                "Agent: Sorted, that's everything.",
                "Customer: Is there a set-up fee or not?",
                "Agent: It's all on your account now.",
            ),
            missed_comments=(
                "Recap the price, the term and the start date before hanging up.",
                "The customer had to ask for the price again; recap it.",
                "A quick recap prevents early cancellations.",
                "Ask them to confirm they're happy with the terms.",
            ),
            met=(
                "Agent: So that's 32 a month, 18 months, starting on the 1st, no set-up fee. Happy with that?",
                "Agent: Quick recap: new plan from Monday, same number, the welcome email comes today.",
                "Agent: To sum up, one-off 20 for the router and then 29 a month.",
            ),
            met_comments=(
                "Complete recap, customer confirmed.",
                "Clear recap of price and terms.",
                "Nice summary; no surprises for the customer.",
            ),
            written=("Customer: so wait how much?? 🤔",),
        ),
    },
}

# -------------------------------------------------------------- agent profiles

Trend = Callable[[int], float]
"""Met probability as a function of days ago."""


def ramp(before: float, after: float, *, start: int, end: int) -> Trend:
    """`before` until `start` days ago, then a straight line to `after` at `end` days ago."""

    def rate(days_ago: int) -> float:
        if days_ago >= start:
            return before
        if days_ago <= end:
            return after
        return before + (after - before) * (start - days_ago) / (start - end)

    return rate


def dip(base: float, low: float, *, start: int, end: int) -> Trend:
    """`base`, except `low` between `start` and `end` days ago (a bad week)."""

    def rate(days_ago: int) -> float:
        return low if end <= days_ago <= start else base

    return rate


BAD_WEEK = (16, 10)
"""Yuki Tanaka's rough week, in days ago: from 16 to 10 days before `today`."""


@dataclass(frozen=True)
class AgentProfile:
    id: str
    name: str
    team: str
    story: str
    """One short sentence for the demo agent picker."""
    rates: Mapping[str, float]
    """Base met probability per criterion of the team's scorecard."""
    trends: Mapping[str, Trend] = field(default_factory=dict)
    """Per criterion, a met probability that changes over time (overrides `rates`)."""
    story_criteria: tuple[str, ...] = ()
    """The behaviours the summary shows for this agent."""
    per_week: float = 4.0
    """Evaluations per week, on average."""
    csat_bias: float = 0.0
    """How customers rate this agent beyond what the behaviours explain."""
    days_ago: tuple[int, ...] = ()
    """Fixed evaluation days (days ago) instead of a regular rhythm."""
    extra_review: tuple[int, int] | None = None
    """Days ago (from, to) when QA scored every working day, as it does when scores drop."""


def care(
    greeting: float, verify: float, confirm_need: float, empathy: float,
    hold: float, explains: float, next_steps: float, closing: float,
) -> dict[str, float]:
    """Met rates for the care-v1 criteria, in scorecard order."""
    return dict(locals())


def sales(
    greeting: float, disclosure: float, discovery: float, value: float,
    objections: float, close: float, recap: float,
) -> dict[str, float]:
    """Met rates for the sales-v1 criteria, in scorecard order."""
    return dict(locals())


AGENT_PROFILES: list[AgentProfile] = [
    # The story agents come first.
    AgentProfile(
        "a.khan", "Aisha Khan", "falcons",
        "Improving: confirms the need far more often over the last five weeks",
        care(0.9, 0.98, 0.4, 0.82, 0.8, 0.85, 0.8, 0.88),
        trends={"confirm_need": ramp(0.4, 0.92, start=35, end=18)},
        story_criteria=("confirm_need",),
    ),
    AgentProfile(
        "l.nguyen", "Linh Nguyen", "falcons",
        "Mastered empathy two months ago and it stuck; next steps are next",
        care(0.92, 0.99, 0.93, 0.45, 0.95, 0.9, 0.6, 0.9),
        trends={"empathy": ramp(0.45, 0.96, start=62, end=58)},
        story_criteria=("empathy", "next_steps"),
    ),
    AgentProfile(
        "j.garcia", "Jorge García", "otters",
        "Struggling: skips discovery and misses the disclosure about one call in eight",
        sales(0.7, 0.875, 0.4, 0.45, 0.45, 0.55, 0.5),
        story_criteria=("discovery", "disclosure"),
        csat_bias=-0.3,
    ),
    AgentProfile(
        "s.oneill", "Siobhán O'Neill", "falcons",
        "Brand new: two calls scored so far",
        care(0.9, 1.0, 0.6, 0.75, 0.7, 0.6, 0.6, 0.8),
        days_ago=(2, 0),
    ),
    AgentProfile(
        "y.tanaka", "Yuki Tanaka", "otters",
        "Bounced back: a rough week two weeks ago, back to normal since",
        sales(0.95, 1.0, 0.9, 0.88, 0.82, 0.86, 0.9),
        trends={
            "discovery": dip(0.9, 0.3, start=BAD_WEEK[0], end=BAD_WEEK[1]),
            "value": dip(0.88, 0.35, start=BAD_WEEK[0], end=BAD_WEEK[1]),
            "objections": dip(0.82, 0.3, start=BAD_WEEK[0], end=BAD_WEEK[1]),
            "recap": dip(0.9, 0.35, start=BAD_WEEK[0], end=BAD_WEEK[1]),
        },
        per_week=4.5,
        extra_review=BAD_WEEK,
    ),
    AgentProfile(
        "r.haddad", "Rami Haddad", "falcons",
        "Strong all round: the Falcons' most consistent scores",
        care(0.97, 1.0, 0.92, 0.93, 0.92, 0.93, 0.9, 0.95),
        csat_bias=0.15,
    ),
    AgentProfile(
        "p.sharma", "Priya Sharma", "otters",
        "Strong all round: top of the Otters, great discovery",
        sales(0.97, 1.0, 0.93, 0.9, 0.88, 0.9, 0.92),
        csat_bias=0.15,
    ),
    # Ordinary variation.
    AgentProfile(
        "e.lindqvist", "Elin Lindqvist", "falcons",
        "Steady: solid on process, could explain fixes more plainly",
        care(0.88, 0.99, 0.86, 0.85, 0.8, 0.6, 0.8, 0.85),
    ),
    AgentProfile(
        "t.kowalski", "Tomasz Kowalski", "falcons",
        "Steady: quick and accurate, can sound brisk with upset customers",
        care(0.88, 0.98, 0.86, 0.6, 0.8, 0.82, 0.8, 0.82),
        per_week=3.5,
    ),
    AgentProfile(
        "m.okafor", "Mercy Okafor", "otters",
        "Steady: warm rapport, sometimes forgets to ask for the decision",
        sales(0.95, 0.99, 0.86, 0.8, 0.8, 0.58, 0.8),
    ),
    AgentProfile(
        "c.dubois", "Camille Dubois", "otters",
        "Steady: good pitch, objections are the thing to work on",
        sales(0.9, 0.98, 0.86, 0.82, 0.55, 0.8, 0.82),
        per_week=4.2,
    ),
    AgentProfile(
        "d.mensah", "Daniel Mensah", "otters",
        "Steady: thorough, could recap price and terms more often",
        sales(0.88, 0.99, 0.86, 0.82, 0.8, 0.8, 0.6),
        per_week=3.5,
    ),
]

DEMO_AGENTS: dict[str, str] = {profile.id: profile.story for profile in AGENT_PROFILES}
"""Agent id -> one sentence about that agent's story, story agents first."""

DEFAULT_DEMO_AGENT = "a.khan"
"""The agent the demo opens as: Aisha Khan, the improving one."""

# ------------------------------------------------------------------- generator


class _Balanced:
    """Draws met/missed around a target rate, nudged back when it drifts.

    Plain coin flips over ~50 calls wander by ±10 points, enough to blur a
    story; carrying the running shortfall keeps each agent's rates close to
    the profile while individual calls stay random.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._shortfall: dict[str, float] = {}

    def met(self, key: str, p: float) -> bool:
        # The shortfall fades, so an early streak doesn't force misses weeks later.
        owed = 0.8 * self._shortfall.get(key, 0.0)
        hit = self._rng.random() < min(1.0, max(0.0, p + owed))
        self._shortfall[key] = owed + p - (1.0 if hit else 0.0)
        return hit


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random() * sum(weight for _, weight in weighted)
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


class _Deck:
    """Deals lines in shuffled rounds: every line gets used and repeats are rare."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._decks: dict[tuple, list[str]] = {}

    def deal(self, name: tuple, cards: tuple[str, ...]) -> str:
        deck = self._decks.get(name)
        if not deck:
            deck = list(cards)
            self._rng.shuffle(deck)
            self._decks[name] = deck
        return deck.pop()


def _criteria(scorecard_id: str) -> list[dict]:
    return next(s["criteria"] for s in SCORECARDS if s["id"] == scorecard_id)


def _evaluation_days(profile: AgentProfile, today: datetime.date, rng: random.Random) -> list[int]:
    """Days ago (oldest first, repeated for a second call that day) when this agent was scored."""
    if profile.days_ago:
        return sorted(profile.days_ago, reverse=True)
    per_weekday = profile.per_week / 5.5
    days: list[int] = []
    for days_ago in range(WINDOW_DAYS - 1, -1, -1):
        weekday = (today - datetime.timedelta(days=days_ago)).weekday()
        chance = per_weekday if weekday < 5 else 0.04
        if weekday < 5 and profile.extra_review:
            if profile.extra_review[1] <= days_ago <= profile.extra_review[0]:
                chance = 1.0
        if rng.random() < chance:
            days.append(days_ago)
            if weekday < 5 and rng.random() < 0.1:
                days.append(days_ago)
    return days


def _evaluations_for(
    profile: AgentProfile, *, today: datetime.date, seed: int
) -> list[tuple[datetime.datetime, dict]]:
    rng = random.Random(f"{seed}:{profile.id}")
    balanced = _Balanced(rng)
    deck = _Deck(rng)
    scorecard_id = TEAM_SCORECARD[profile.team]
    criteria = _criteria(scorecard_id)
    behaviours = BEHAVIOURS[scorecard_id]
    moments = MOMENTS[scorecard_id]
    out: list[tuple[datetime.datetime, dict]] = []

    for days_ago in _evaluation_days(profile, today, rng):
        day = today - datetime.timedelta(days=days_ago)
        minute = rng.randrange(10 * 60)  # 08:00 to 17:59 UTC
        occurred = datetime.datetime(
            day.year, day.month, day.day, 8 + minute // 60, minute % 60, tzinfo=datetime.UTC
        )
        channel = _pick(rng, CHANNELS[scorecard_id])
        low, high, mode = DURATIONS_S[channel]
        duration = int(rng.triangular(low, high, mode))
        evaluator = "auto" if rng.random() < AUTO_SHARE else rng.choice(EVALUATORS)
        # Now and then an evaluator skips a criterion that did apply.
        skipped = (
            rng.choice([c["key"] for c in criteria if not c["critical"]])
            if rng.random() < 0.06
            else None
        )

        results: list[dict] = []
        csat_mean = 4.75 + profile.csat_bias
        fcr_chance = 0.9
        for criterion in criteria:
            key = criterion["key"]
            behaviour = behaviours[key]
            applies = rng.random() < behaviour.applies and not (
                behaviour.phone_only and channel != "phone"
            )
            if not applies:
                if rng.random() < 0.85:
                    results.append({"criterion": key, "outcome": "na"})
                continue
            if key == skipped:
                continue
            trend = profile.trends.get(key)
            p = trend(days_ago) if trend else profile.rates[key]
            met = balanced.met(key, p)
            result: dict = {"criterion": key, "outcome": "met" if met else "missed"}
            if not met:
                csat_mean -= behaviour.csat_cost
                fcr_chance -= behaviour.fcr_cost
            shared = met and moments[key].met and rng.random() < 0.12
            if (not met and rng.random() < 0.88) or shared:
                result.update(
                    _moment(rng, deck, key, moments[key], met, channel, duration, behaviour)
                )
            elif not met and rng.random() < 0.5:
                comments = moments[key].missed_comments
                result["comment"] = deck.deal((key, "missed_comments"), comments)
            results.append(result)

        evaluation: dict = {
            "kind": "evaluation",
            "call_id": "",  # numbered once every agent's calls are in time order
            "agent": profile.id,
            "scorecard": scorecard_id,
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channel": channel,
            "duration_s": duration,
            "evaluator": evaluator,
        }
        # Not every customer answers the survey; email ones least often.
        if rng.random() < (0.6 if channel == "email" else 0.88):
            csat = round(csat_mean + rng.gauss(0, 0.55))
            evaluation["csat"] = min(5, max(1, csat))
        if rng.random() < 0.92:
            evaluation["first_contact_resolution"] = rng.random() < min(0.97, max(0.05, fcr_chance))
        evaluation["results"] = results
        out.append((occurred, evaluation))
    return out


def _moment(
    rng: random.Random,
    deck: _Deck,
    key: str,
    lines: Moments,
    met: bool,
    channel: str,
    duration: int,
    behaviour: Behaviour,
) -> dict:
    """The moment of a result: when it happened, what was said, what the evaluator noted."""
    moment: dict = {}
    if channel != "email":
        start, end = behaviour.when
        moment["moment_s"] = min(duration - 1, max(3, int(duration * rng.uniform(start, end))))
    if met:
        if rng.random() < 0.7:
            moment["quote"] = deck.deal((key, "met"), lines.met)
        moment["comment"] = deck.deal((key, "met_comments"), lines.met_comments)
    else:
        # Typed lines suit chats and emails; an email has no spoken lines at all.
        if lines.written and channel != "phone" and (channel == "email" or rng.random() < 0.5):
            moment["quote"] = deck.deal((key, "written"), lines.written)
        else:
            moment["quote"] = deck.deal((key, "missed"), lines.missed)
        moment["comment"] = deck.deal((key, "missed_comments"), lines.missed_comments)
    return moment


def demo_records(*, today: datetime.date, seed: int = 2026) -> list[dict]:
    """The demo data set as import format v1 records (plain dicts).

    Args:
        today: the last day of the 90-day window; no evaluation falls after 18:00 UTC on it.
        seed: the same (today, seed) always gives the same records in the same order.

    Returns:
        Teams, agents, scorecards, then evaluations in time order.
    """
    agents = [
        {"kind": "agent", "id": p.id, "name": p.name, "team": p.team} for p in AGENT_PROFILES
    ]
    timed: list[tuple[datetime.datetime, str, int, dict]] = []
    for profile in AGENT_PROFILES:
        for n, (occurred, evaluation) in enumerate(
            _evaluations_for(profile, today=today, seed=seed)
        ):
            timed.append((occurred, profile.id, n, evaluation))
    timed.sort(key=lambda item: item[:3])

    # Call ids rise with time, with gaps for the calls nobody scored.
    numbers = random.Random(f"{seed}:calls")
    call_number = 100_000 + numbers.randrange(5_000)
    evaluations = []
    for *_, evaluation in timed:
        call_number += numbers.randint(1, 40)
        evaluation["call_id"] = f"C-{call_number}"
        evaluations.append(evaluation)

    talkback = _talking_back(evaluations)
    sessions = _sessions(today)
    return [*(dict(t) for t in TEAMS), *agents, *_copy_scorecards(), *evaluations, *talkback, *sessions]


def _sessions(today: datetime.date) -> list[dict]:
    """Coaching sessions that tell the story: Aisha's last week, its check-in due today; Jorge's next on
    Thursday, no self-assessment yet; Linh's after her goal stuck, on to the next behaviour."""
    def at(day: datetime.date, hour: int) -> str:
        return f"{day.isoformat()}T{hour:02d}:00:00Z"

    last_week = today - datetime.timedelta(days=7)
    thursday = today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)
    linh_day = today - datetime.timedelta(days=10)
    return [
        {
            "kind": "coaching_session", "id": f"a.khan-{last_week:%Y%m%d}-1000", "agent": "a.khan", "coach": "Sam Patel",
            "scheduled_at": at(last_week, 10), "scorecard": "care-v1", "criterion": "confirm_need",
            "will_do": "Repeat the need back in one sentence and wait for the yes before I solve.",
            "notes": "Listened to two calls together; she spotted the moment herself both times.",
            "follow_up_on": today.isoformat(), "confirmed_at": at(last_week, 15),
        },
        {
            "kind": "coaching_session", "id": f"j.garcia-{thursday:%Y%m%d}-1400", "agent": "j.garcia", "coach": "Sam Patel",
            "scheduled_at": at(thursday, 14), "scorecard": "sales-v1", "criterion": "discovery",
        },
        {
            "kind": "coaching_session", "id": f"l.nguyen-{linh_day:%Y%m%d}-0900", "agent": "l.nguyen", "coach": "Sam Patel",
            "scheduled_at": at(linh_day, 9), "scorecard": "care-v1", "criterion": "empathy",
            "will_do": "Keep naming the feeling first; next we pick the behaviour with the most impact together.",
            "notes": "Her empathy goal stuck: we listened to her best call and celebrated it.",
            "follow_up_on": (linh_day + datetime.timedelta(days=14)).isoformat(), "confirmed_at": at(linh_day, 11),
        },
    ]


SEEN_COMMENT = "I'll ask before holds from now on."
DISPUTE_REASON = "I did ask if there was anything else, right before the transfer: it's on the recording."


def _talking_back(evaluations: list[dict]) -> list[dict]:
    """Aisha's word back to QA: every call seen but her two newest (one with a comment), and one
    dispute that QA answered by re-scoring the call: missed → met."""
    def at(evaluation: dict, hours: int) -> str:
        moment = datetime.datetime.fromisoformat(evaluation["occurred_at"].replace("Z", "+00:00"))
        return (moment + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")

    hers = [e for e in evaluations if e["agent"] == DEFAULT_DEMO_AGENT]
    records: list[dict] = []
    seen = hers[:-2]
    for evaluation in seen:
        record = {"kind": "acknowledgement", "call_id": evaluation["call_id"], "seen_at": at(evaluation, 2)}
        if evaluation is seen[-1]:
            record["comment"] = SEEN_COMMENT
        records.append(record)
    # An older call (its outcome no longer among the latest 30 a screen counts) where closing was missed.
    disputed = next(
        (e for e in reversed(hers[:-40]) if any(r["criterion"] == "closing" and r["outcome"] == "missed" for r in e["results"])),
        None,
    )
    if disputed is not None:
        for result in disputed["results"]:
            if result["criterion"] == "closing":
                result["outcome"] = "met"  # as QA re-scored it
                result["comment"] = "Re-scored after listening again: the closing question was asked at the transfer."
        records.append({
            "kind": "dispute", "call_id": disputed["call_id"], "criterion": "closing", "reason": DISPUTE_REASON,
            "proposed_outcome": "met", "scored_outcome": "missed", "raised_at": at(disputed, 20), "status": "changed",
            "closed_at": at(disputed, 70), "decided_outcome": "met",
        })
    return records


def _copy_scorecards() -> list[dict]:
    # Callers may mutate what they get; the module tables must stay as they are.
    return [
        {**scorecard, "criteria": [dict(c) for c in scorecard["criteria"]]}
        for scorecard in SCORECARDS
    ]


# --------------------------------------------------------------------- summary


def _score(evaluation: dict, weights: dict[str, tuple[int, bool]]) -> float | None:
    met = applicable = 0
    for result in evaluation["results"]:
        weight, critical = weights[result["criterion"]]
        if result["outcome"] == "na":
            continue
        if result["outcome"] == "missed" and critical:
            return 0.0
        applicable += weight
        met += weight if result["outcome"] == "met" else 0
    return met / applicable if applicable else None


def _met_rate(evaluations: list[dict], key: str) -> float | None:
    outcomes = [
        r["outcome"]
        for e in evaluations
        for r in e["results"]
        if r["criterion"] == key and r["outcome"] != "na"
    ]
    return outcomes.count("met") / len(outcomes) if outcomes else None


def _rate(evaluations: list[dict], key: str) -> str:
    rate = _met_rate(evaluations, key)
    return "   -" if rate is None else f"{rate:4.2f}"


def _weakest(evaluations: list[dict], profile: AgentProfile) -> str:
    keys = [c["key"] for c in _criteria(TEAM_SCORECARD[profile.team])]
    rated = [(rate, key) for key in keys if (rate := _met_rate(evaluations, key)) is not None]
    return min(rated)[1] if rated else keys[0]


FCR = "first_contact_resolution"


def _outcome(evaluation: dict, key: str) -> str | None:
    return next((r["outcome"] for r in evaluation["results"] if r["criterion"] == key), None)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _summary(today: datetime.date) -> None:
    """Print what the demo data says, so a person can check the story holds."""
    records = demo_records(today=today)
    kinds: dict[str, int] = {}
    for record in records:
        kinds[record["kind"]] = kinds.get(record["kind"], 0) + 1
    print(f"demo data for today={today}: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))

    weights = {
        r["id"]: {c["key"]: (c["weight"], c["critical"]) for c in r["criteria"]}
        for r in records
        if r["kind"] == "scorecard"
    }
    by_agent: dict[str, list[dict]] = {p.id: [] for p in AGENT_PROFILES}
    for record in records:
        if record["kind"] == "evaluation":
            by_agent[record["agent"]].append(record)

    def days_ago(evaluation: dict) -> int:
        return (today - datetime.date.fromisoformat(evaluation["occurred_at"][:10])).days

    def within(evaluations: list[dict], newest: int, oldest: int) -> list[dict]:
        return [e for e in evaluations if newest <= days_ago(e) <= oldest]

    def mean_score(evaluations: list[dict]) -> float:
        return _mean([_score(e, weights[e["scorecard"]]) or 0.0 for e in evaluations])

    print()
    print("agent          n score csat  fcr  behaviour: first 30 days -> last 30 days")
    for profile in AGENT_PROFILES:
        evals = by_agent[profile.id]
        first = within(evals, WINDOW_DAYS - 30, WINDOW_DAYS)
        last = within(evals, 0, 29)
        shown = [(key, key) for key in profile.story_criteria] or [
            (f"{(weakest := _weakest(evals, profile))} (weakest)", weakest)
        ]
        behaviours = "  ".join(
            f"{label} {_rate(first, key)} -> {_rate(last, key)}" for label, key in shown
        )
        csat = _mean([e["csat"] for e in evals if "csat" in e])
        fcr = _mean([e[FCR] for e in evals if FCR in e])
        print(
            f"{profile.id:<12} {len(evals):>3} {mean_score(evals):5.2f} {csat:4.1f} {fcr:4.2f}"
            f"  {behaviours}"
        )

    khan, nguyen = by_agent["a.khan"], by_agent["l.nguyen"]
    garcia, tanaka = by_agent["j.garcia"], by_agent["y.tanaka"]
    print()
    print("story checks")
    print(
        f"  a.khan confirm_need: first 30 d {_rate(within(khan, 60, 89), 'confirm_need')}, "
        f"before 35 d {_rate(within(khan, 36, 89), 'confirm_need')}, "
        f"last 10 calls {_rate(khan[-10:], 'confirm_need')}"
    )
    for outcome in ("met", "missed"):
        calls = [e for e in khan if FCR in e and _outcome(e, "confirm_need") == outcome]
        fcr = _mean([e[FCR] for e in calls])
        print(f"  a.khan FCR when confirm_need {outcome}: {fcr:.2f} over {len(calls)} calls")
    last40 = within(nguyen, 0, 39)
    weakest = _weakest(last40, AGENT_PROFILES[1])
    print(
        f"  l.nguyen empathy: before 60 d {_rate(within(nguyen, 61, 89), 'empathy')}, "
        f"last 40 d {_rate(last40, 'empathy')}; weakest in the last 40 d: "
        f"{weakest} {_rate(last40, weakest)}"
    )
    misses = sum(1 for e in garcia if _outcome(e, "disclosure") == "missed")
    print(f"  j.garcia disclosure missed on {misses} of {len(garcia)} calls")
    ranked = sorted((a for a in by_agent if by_agent[a]), key=lambda a: mean_score(by_agent[a]))
    print(f"  lowest mean score: {ranked[0]}; highest: {ranked[-1]}")
    print(f"  s.oneill evaluations: {', '.join(e['occurred_at'] for e in by_agent['s.oneill'])}")
    bad_to, bad_from = BAD_WEEK[1], BAD_WEEK[0]
    spans = [
        ("before", within(tanaka, bad_from + 1, WINDOW_DAYS)),
        (f"{bad_from}-{bad_to} days ago", within(tanaka, bad_to, bad_from)),
        ("since", within(tanaka, 0, bad_to - 1)),
    ]
    print(
        "  y.tanaka mean score: "
        + ", ".join(f"{label} {mean_score(calls):.2f} ({len(calls)} calls)" for label, calls in spans)
    )


if __name__ == "__main__":
    _summary(datetime.date.fromisoformat(sys.argv[1]) if sys.argv[1:] else datetime.date.today())
