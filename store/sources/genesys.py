"""Genesys Cloud quality: evaluation forms and evaluations, read as format v1.

What is read is what the Genesys Cloud API returns, already parsed from JSON:

- a form definition, `GET /api/v2/quality/forms/evaluations/{formId}` (an EvaluationFormResponse),
  or a page of them, `{"entities": [form, …]}` (an EvaluationFormResponseEntityListing, as
  `GET /api/v2/quality/forms/evaluations/{formId}/versions` answers);
- evaluations: a page from `GET /api/v2/quality/evaluations/query` (an EvaluationEntityListing,
  `{"entities": [evaluation, …], "pageSize", "pageNumber", "total", …}`) or one evaluation.

Field names and enum values are those of the model docs of the Genesys Cloud SDKs
(MyPureCloud/platform-client-sdk-java: docs/EvaluationResponse.md, EvaluationScoringSet.md,
EvaluationQuestionGroupScore.md, EvaluationQuestionScore.md, EvaluationFormResponse.md,
EvaluationQuestionGroup.md, EvaluationQuestion.md, AnswerOption.md); scoring is that of the
Genesys help page "Evaluation form weights" (help.mypurecloud.com/?p=144862).

Forms
    `lookup` is the form's `id`: every published version of a form has its own id (the form's
    `contextId` is shared by all of them), and an evaluation names the version it was scored on by
    `evaluationForm.id`. `scorecard_id` is that id too, as it already names one version; an id that
    is not a valid format v1 id (over 64 characters, or with a space or another character ids may
    not have) becomes its first 51 characters, others replaced by `-`, then `-` and the first 12
    hex digits of its SHA-256: the same id always gives the same scorecard id.

Behaviours
    One per scored question: a `multipleChoiceQuestion` whose best answer is worth points.
    Free text, read-only text blocks, NPS questions (the customer's rating, not the agent's
    behaviour) and multiple-select questions (a checklist of options with no one best answer) are
    never behaviours, and their answers are passed over. The key is the question's `contextId`,
    "an identifier for this question that stays the same across versions of the form", so a
    behaviour's history goes on across published versions; only a question without a `contextId`
    (older API versions do not send it) is keyed by its `id`, which changes with every version.
    Keys go through the same shortening as scorecard ids. The name is the question's `text`.

Weights
    The help page scores an evaluation as Σ(group points × group weight) / Σ(group possible points
    × group weight): the group's weight multiplies the points of each of its questions, so a
    question weighs its group's `weight` × its highest answer `value`. (With the page's example, a
    group of weight 40 with two 1-point questions and one of weight 20 with one, the three weigh
    40, 40 and 20, and met / applicable gives the page's 60%.) A form whose `weightMode` is `OFF`
    takes scores "at face value": a question weighs its points alone. A group without a `weight`
    weighs 1. A group of weight 0 scores nothing, so its questions are not behaviours, with one
    exception: a fatal question (`isKill`) there still fails the whole evaluation (Genesys suggests
    putting fatal questions in a group of weight 0 so that they only ever fail), so it stays a
    critical behaviour of weight `FATAL_ONLY_WEIGHT`, too small to move a score.

Critical
    `critical` is `isKill` (a "fatal question": answered below its best, the evaluation scores 0).
    `isCritical` is something else: the question counts both in the total score and in a separate
    "critical score" (`totalCriticalScore`), and a miss does not fail the evaluation; format v1 has
    no second score, so `isCritical` is not read.

Evaluations
    Only an evaluation whose `status` is `FINISHED` is read; the others (`PENDING`, `INPROGRESS`,
    `INREVIEW`, `RETRACTED`) are skipped with the reason. `call_id` is `conversation.id`, `agent`
    the agent's Genesys user id (`agent.id`), `occurred_at` the `conversationDate`. An evaluation
    has no "submitted" date: `submitted_at` is its `changedDate` (when a finished evaluation last
    changed: its submission, or its re-score), else its `releaseDate` (when it was released to the
    agent, which may be scheduled later than the submission, hence second). `channel` comes from
    `mediaType`: `CALL` and `CALLBACK` are phone, `CHAT` and `MESSAGE` chat, `EMAIL` email; a list
    naming another type (`VIDEO`, `COBROWSE`, …) or types of two channels gives None. `evaluator`
    is the evaluator's name, else their user id.

Outcomes
    A question (or its group) marked N/A, by the evaluator (`markedNA`) or by the system because of
    a visibility condition (`systemMarkedNA`), is `na`: Genesys leaves it out of the score. A
    question answered with its best answer (the chosen `answerId`'s `value` is the highest `value`
    of the question's `answerOptions`; without an `answerId`, the `score`) is `met`; anything less,
    or a `failedKillQuestion`, is `missed`. A group marked N/A makes every behaviour of the group
    `na`, listed or not. The result's comment is the question's `comments`, None when blank.

Without the form definition
    An evaluation names its form by id; with the form given in the same import (or embedded in the
    evaluation with its `questionGroups`) everything above holds. Without it, the form is made from
    the evaluations of the document as a last resort: one behaviour per question answered with an
    `answerId` in any of them, keyed and named by its `questionId` (which changes with every
    published version: only the form definition gives names and keys that last across versions),
    all of equal weight and none critical (`failedKillQuestion` is only ever seen failed). Genesys
    has no fixed scale (a question's points are whatever its answer options are worth), so whether
    a score is the question's best is told from what the evaluation says: a failed kill question is
    `missed`; a question in a group whose `totalScoreUnweighted` reaches its
    `maxTotalScoreUnweighted` is `met`; the only answered question of a group is `met` when its
    score reaches the group's maximum; a score of 0 is `missed` (a question's best answer is worth
    something); anything else cannot be told and is a problem that asks for the form definition.

Not read
    The evaluation's overall `comments` (format v1 has comments per result only), its
    `conversationEndDate` (the shared Evaluation has no duration), `calibration` (a calibration
    evaluation is read like any other) and the totals Genesys works out (format v1 scores again).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..import_problems import MISSING
from .vendor import Behaviour, Channel, Evaluation, Form, Outcome, Reading, Result, VendorProblem

NAME = "genesys"

FATAL_ONLY_WEIGHT = 1e-6
"""The weight of a fatal question in a group of weight 0: it fails a call, and moves no score."""

SCORED_QUESTION = "multipleChoiceQuestion"
FINISHED = "FINISHED"
CHANNELS: Mapping[str, Channel] = {
    "CALL": "phone",
    "CALLBACK": "phone",
    "CHAT": "chat",
    "MESSAGE": "chat",
    "EMAIL": "email",
}
"""`mediaType` values by the channel they are; the other types have no channel of format v1."""

_ID_LIMIT = 64
_ID_PUNCTUATION = frozenset("._-@+:")
_DIGEST_LENGTH = 12
_TIME_EXAMPLE = "2026-11-20T14:03:00.000Z"


@dataclass(frozen=True, slots=True)
class Question:
    """One question of one form version, as the evaluations on that version name it."""

    id: str
    group_id: str
    key: str | None
    """The key of its behaviour; None when the question is not one (free text, …)."""
    options: tuple[tuple[str, float], ...] = ()
    """(answer id, value) of each answer option."""
    best: float | None = None
    """The highest value of its answer options; None when not known (no form definition)."""


@dataclass(frozen=True, slots=True)
class GenesysForm(Form):
    """A Form that also knows its questions by their ids in this version.

    An evaluation names a question by its `questionId`, which is new in every published version,
    while the behaviour's key is the question's `contextId`: the shared Form has no place for the
    one-to-the-other, so it travels here, and `evaluations_in` is given back what `forms_in` made.
    """

    questions: tuple[Question, ...] = ()
    groups: tuple[str, ...] = ()


def forms_in(document: Any) -> Reading | None:
    """The form definitions in a document, or None when the document is not a form definition (by its shape).

    A form definition is an object with `questionGroups` and neither `answers` nor `conversation`
    (which an evaluation has); a page of them is an object whose `entities` hold form definitions
    and no evaluation.
    """
    if _is_form(document):
        reading = Reading()
        form = _read_form(document, "", reading.problems)
        if form is not None:
            reading.forms.append(("$", form))
        return reading
    if not (isinstance(document, dict) and isinstance(document.get("entities"), list)):
        return None
    entities = document["entities"]
    if not any(_is_form(entity) for entity in entities) or any(_is_evaluation(entity) for entity in entities):
        return None
    reading = Reading()
    seen: dict[str, Form] = {}
    for index, entity in enumerate(entities):
        path = f"entities[{index}]"
        if not _is_form(entity):
            reading.problems.append(
                VendorProblem(path, "not a form definition: expected a form with its questionGroups", entity)
            )
            continue
        form = _read_form(entity, path, reading.problems)
        if form is None:
            continue
        if form.lookup in seen:
            # The same version listed twice is harmless; two different forms under one id are not.
            if seen[form.lookup] != form:
                reading.problems.append(
                    VendorProblem(_at(path, "id"), "form id given twice with other content", form.lookup)
                )
            continue
        seen[form.lookup] = form
        reading.forms.append((path, form))
    return reading


def evaluations_in(document: Any, forms: Mapping[str, Form]) -> Reading:
    """The evaluation(s) of a document that is not a form definition. `forms` are every form definition of the same import, by Form.lookup."""
    reading = Reading()
    items = _evaluation_items(document, reading.problems)
    made = _forms_from_evaluations(items, forms)
    for base, raw in items:
        _read_evaluation(raw, base, forms, made, reading)
    return reading


# Forms ---------------------------------------------------------------------------------------------


def _is_form(value: Any) -> bool:
    return isinstance(value, dict) and "questionGroups" in value and not _is_evaluation(value)


def _is_evaluation(value: Any) -> bool:
    return isinstance(value, dict) and ("answers" in value or "conversation" in value)


def _read_form(
    raw: Any, base: str, problems: list[VendorProblem], *, name_required: bool = True
) -> GenesysForm | None:
    """One form version, or None with its problems added."""
    start = len(problems)
    if not isinstance(raw, dict):
        problems.append(VendorProblem(base or "$", "form is not a JSON object", raw))
        return None
    form_id = _text(raw.get("id"))
    if form_id is None:
        problems.append(VendorProblem(_at(base, "id"), "missing form id: expected the form's id", _got(raw, "id")))
    name = _text(raw.get("name"))
    if name is None and name_required:
        problems.append(VendorProblem(_at(base, "name"), "missing form name: expected text", _got(raw, "name")))
    groups_path = _at(base, "questionGroups")
    groups = raw.get("questionGroups")
    if not isinstance(groups, list):
        problems.append(VendorProblem(groups_path, "question groups are not a list", _got(raw, "questionGroups")))
        return None
    weighted = raw.get("weightMode") != "OFF"
    behaviours: list[Behaviour] = []
    questions: list[Question] = []
    group_ids: list[str] = []
    keys: set[str] = set()
    question_ids: set[str] = set()
    for group_index, group in enumerate(groups):
        group_path = f"{groups_path}[{group_index}]"
        if not isinstance(group, dict):
            problems.append(VendorProblem(group_path, "question group is not a JSON object", group))
            continue
        group_id = _text(group.get("id"))
        if group_id is None:
            problems.append(
                VendorProblem(f"{group_path}.id", "missing question group id: expected text", _got(group, "id"))
            )
            group_id = ""
        group_ids.append(group_id)
        group_weight = group.get("weight")
        if group_weight is None:
            group_weight = 1
        elif not _is_number(group_weight) or group_weight < 0:
            problems.append(
                VendorProblem(f"{group_path}.weight", "group weight is not a number of 0 or more", group_weight)
            )
            continue
        questions_path = f"{group_path}.questions"
        group_questions = group.get("questions", [])
        if not isinstance(group_questions, list):
            problems.append(VendorProblem(questions_path, "questions are not a list", group_questions))
            continue
        for question_index, question in enumerate(group_questions):
            path = f"{questions_path}[{question_index}]"
            read = _read_question(question, path, group_id, group_weight if weighted else 1, problems)
            if read is None:
                continue
            entry, behaviour = read
            if entry.id in question_ids:
                problems.append(VendorProblem(f"{path}.id", "question id given twice in the form", entry.id))
                continue
            question_ids.add(entry.id)
            if behaviour is not None:
                if behaviour.key in keys:
                    problems.append(
                        VendorProblem(
                            f"{path}.contextId",
                            "two questions of the form share a contextId: expected one per question",
                            _got(question, "contextId"),
                        )
                    )
                    continue
                keys.add(behaviour.key)
                behaviours.append(behaviour)
            questions.append(entry)
    if len(problems) > start or form_id is None:
        return None
    if not behaviours:
        problems.append(
            VendorProblem(
                groups_path,
                "no scored question: expected a multiple choice question worth points in a group of weight above 0",
            )
        )
        return None
    return GenesysForm(
        lookup=form_id,
        scorecard_id=vendor_id(form_id),
        name=name or form_id,
        behaviours=tuple(behaviours),
        from_definition=True,
        questions=tuple(questions),
        groups=tuple(group_ids),
    )


def _read_question(
    raw: Any, path: str, group_id: str, group_weight: float, problems: list[VendorProblem]
) -> tuple[Question, Behaviour | None] | None:
    """A question of a form and its behaviour (None when it is not one), or None with its problems added."""
    start = len(problems)
    if not isinstance(raw, dict):
        problems.append(VendorProblem(path, "question is not a JSON object", raw))
        return None
    question_id = _text(raw.get("id"))
    if question_id is None:
        problems.append(VendorProblem(f"{path}.id", "missing question id: expected text", _got(raw, "id")))
        return None
    kind = raw.get("type")
    if kind is None and raw.get("answerOptions"):
        kind = SCORED_QUESTION
    if kind != SCORED_QUESTION:
        return Question(question_id, group_id, None), None
    is_kill = raw.get("isKill", False)
    if not isinstance(is_kill, bool):
        problems.append(VendorProblem(f"{path}.isKill", "isKill is not true or false", is_kill))
    text = _text(raw.get("text"))
    if text is None:
        problems.append(VendorProblem(f"{path}.text", "missing question text: expected text", _got(raw, "text")))
    options_path = f"{path}.answerOptions"
    raw_options = raw.get("answerOptions")
    options: list[tuple[str, float]] = []
    if not isinstance(raw_options, list) or not raw_options:
        problems.append(
            VendorProblem(
                options_path,
                "multiple choice question without answer options: expected a list of {id, text, value}",
                _got(raw, "answerOptions"),
            )
        )
    else:
        for index, option in enumerate(raw_options):
            option_path = f"{options_path}[{index}]"
            if not isinstance(option, dict):
                problems.append(VendorProblem(option_path, "answer option is not a JSON object", option))
                continue
            option_id = _text(option.get("id"))
            if option_id is None:
                problems.append(
                    VendorProblem(f"{option_path}.id", "missing answer option id: expected text", _got(option, "id"))
                )
            value = option.get("value")
            if not _is_number(value):
                problems.append(
                    VendorProblem(f"{option_path}.value", "answer value is not a number", _got(option, "value"))
                )
            elif option_id is not None:
                options.append((option_id, float(value)))
    if len(problems) > start:
        return None
    best = max(value for _, value in options)
    weight = group_weight * best
    if best <= 0 or (weight == 0 and not is_kill):
        # Worth no points, or in a group that scores nothing: never in a score, so no behaviour.
        return Question(question_id, group_id, None, tuple(options), best), None
    if weight == 0:
        weight = FATAL_ONLY_WEIGHT
    context_id = _text(raw.get("contextId"))
    key = vendor_id(context_id or question_id)
    assert text is not None
    behaviour = Behaviour(key=key, name=text, weight=float(weight), critical=is_kill)
    return Question(question_id, group_id, key, tuple(options), best), behaviour


def vendor_id(value: str) -> str:
    """A Genesys id as a format v1 id: unchanged when it is one, else shortened the same way every time."""
    if len(value) <= _ID_LIMIT and all(_id_character(c) for c in value):
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]
    prefix = "".join(c if _id_character(c) else "-" for c in value)[: _ID_LIMIT - _DIGEST_LENGTH - 1]
    return f"{prefix}-{digest}"


def _id_character(c: str) -> bool:
    return c.isalnum() or c in _ID_PUNCTUATION


# Evaluations ---------------------------------------------------------------------------------------


def _evaluation_items(document: Any, problems: list[VendorProblem]) -> list[tuple[str, Any]]:
    """(path prefix, evaluation) of each evaluation of the document: a page or one evaluation."""
    if not isinstance(document, dict):
        problems.append(
            VendorProblem("$", "not a JSON object: expected an evaluation or a page of them", document)
        )
        return []
    if "entities" not in document:
        return [("", document)]
    entities = document["entities"]
    if not isinstance(entities, list):
        problems.append(VendorProblem("entities", "entities are not a list of evaluations", entities))
        return []
    return [(f"entities[{index}]", entity) for index, entity in enumerate(entities)]


def _form_reference(raw: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    reference = raw.get("evaluationForm")
    if not isinstance(reference, dict):
        return None, {}
    return _text(reference.get("id")), reference


def _forms_from_evaluations(
    items: list[tuple[str, Any]], forms: Mapping[str, Form]
) -> dict[str, GenesysForm]:
    """The last-resort form of each form id the evaluations name but no definition gives.

    Made once per document from all its evaluations on that form, so that they share one form.
    """
    answered: dict[str, dict[str, None]] = {}
    names: dict[str, str] = {}
    for _, raw in items:
        if not isinstance(raw, dict) or raw.get("status") != FINISHED:
            continue
        form_id, reference = _form_reference(raw)
        if form_id is None or form_id in forms or "questionGroups" in reference:
            continue
        names.setdefault(form_id, _text(reference.get("name")) or form_id)
        question_ids = answered.setdefault(form_id, {})
        for _, question_score in _question_scores(raw):
            question_id = _text(question_score.get("questionId"))
            # Only a multiple choice question is answered with an answer id; free text is not.
            if question_id is not None and _text(question_score.get("answerId")) is not None:
                question_ids.setdefault(question_id, None)
    return {
        form_id: GenesysForm(
            lookup=form_id,
            scorecard_id=vendor_id(form_id),
            name=names[form_id],
            behaviours=tuple(
                Behaviour(key=vendor_id(question_id), name=question_id, weight=None, critical=False)
                for question_id in question_ids
            ),
            from_definition=False,
            questions=tuple(Question(question_id, "", vendor_id(question_id)) for question_id in question_ids),
        )
        for form_id, question_ids in answered.items()
    }


def _question_scores(raw: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(group score, question score) of an evaluation, passing over whatever is not an object."""
    answers = raw.get("answers")
    groups = answers.get("questionGroupScores") if isinstance(answers, dict) else None
    found = []
    for group in groups if isinstance(groups, list) else []:
        scores = group.get("questionScores") if isinstance(group, dict) else None
        for score in scores if isinstance(scores, list) else []:
            if isinstance(score, dict):
                found.append((group, score))
    return found


def _read_evaluation(
    raw: Any, base: str, forms: Mapping[str, Form], made: Mapping[str, GenesysForm], reading: Reading
) -> None:
    where = base or "$"
    if not isinstance(raw, dict):
        reading.problems.append(VendorProblem(where, "evaluation is not a JSON object", raw))
        return
    status = raw.get("status")
    if status != FINISHED:
        shown = f"status {status}" if isinstance(status, str) and status else "no status"
        reading.skipped.append((where, f"not finished ({shown})"))
        return
    problems: list[VendorProblem] = []
    call_id = _required_id(
        raw, base, "conversation", "conversation id: expected the id of the call evaluated", problems
    )
    agent = _required_id(raw, base, "agent", "agent id: expected the agent's Genesys user id", problems)
    form_id, reference = _form_reference(raw)
    if form_id is None:
        problems.append(
            VendorProblem(
                _at(base, "evaluationForm.id"),
                "missing form id: expected the id of the form version scored",
                _got(reference, "id") if reference else MISSING,
            )
        )
    answers = raw.get("answers")
    if not isinstance(answers, dict):
        problems.append(
            VendorProblem(
                _at(base, "answers"), "missing answers: expected the evaluation's scores", _got(raw, "answers")
            )
        )
    submitted_at = _time(raw, base, "changedDate", problems)
    if raw.get("changedDate") is None:
        submitted_at = _time(raw, base, "releaseDate", problems)
        if raw.get("releaseDate") is None:
            problems.append(
                VendorProblem(
                    _at(base, "changedDate"),
                    "no time the evaluation was submitted: expected changedDate or releaseDate",
                )
            )
    occurred_at = _time(raw, base, "conversationDate", problems)
    channel = _channel(raw, base, problems)
    form: Form | None = None
    if form_id is not None:
        form = forms.get(form_id)
        if form is None and "questionGroups" in reference:
            form = _read_form(reference, _at(base, "evaluationForm"), problems, name_required=False)
        elif form is None:
            form = made.get(form_id)
            if form is None or not form.behaviours:
                problems.append(
                    VendorProblem(
                        _at(base, "evaluationForm.id"),
                        "form not given and no answered question to make it from: import its form definition too",
                        form_id,
                    )
                )
                form = None
    results: tuple[Result, ...] = ()
    if form is not None and isinstance(answers, dict):
        results = _results(answers, _at(base, "answers"), form, problems)
    if problems:
        reading.problems.extend(problems)
        return
    assert call_id is not None and agent is not None and form is not None and submitted_at is not None
    reading.evaluations.append(
        (
            where,
            Evaluation(
                call_id=call_id,
                agent=agent,
                form=form,
                submitted_at=submitted_at,
                occurred_at=occurred_at,
                results=results,
                channel=channel,
                evaluator=_evaluator(raw),
            ),
        )
    )


def _required_id(
    raw: dict[str, Any], base: str, field: str, expected: str, problems: list[VendorProblem]
) -> str | None:
    holder = raw.get(field)
    value = _text(holder.get("id")) if isinstance(holder, dict) else None
    if value is None:
        got = _got(holder, "id") if isinstance(holder, dict) else _got(raw, field)
        problems.append(VendorProblem(_at(base, f"{field}.id"), f"missing {expected}", got))
    return value


def _time(raw: dict[str, Any], base: str, field: str, problems: list[VendorProblem]) -> datetime | None:
    """An aware time in UTC, None when absent; a problem when there but not ISO 8601 with a zone."""
    value = raw.get(field)
    if value is None:
        return None
    path = _at(base, field)
    if not isinstance(value, str):
        problems.append(VendorProblem(path, f"time is not text: expected ISO 8601 such as {_TIME_EXAMPLE}", value))
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        problems.append(VendorProblem(path, f"unreadable time: expected ISO 8601 such as {_TIME_EXAMPLE}", value))
        return None
    if parsed.tzinfo is None:
        problems.append(
            VendorProblem(path, f"time without a zone: expected Z or an offset, such as {_TIME_EXAMPLE}", value)
        )
        return None
    return parsed.astimezone(timezone.utc)


def _channel(raw: dict[str, Any], base: str, problems: list[VendorProblem]) -> Channel | None:
    media = raw.get("mediaType")
    if media is None:
        return None
    if not isinstance(media, list) or not all(isinstance(kind, str) for kind in media):
        problems.append(
            VendorProblem(_at(base, "mediaType"), 'media type is not a list of names: expected such as ["CALL"]', media)
        )
        return None
    channels = {CHANNELS.get(kind) for kind in media}
    if len(channels) != 1 or None in channels:
        # Another type (video, co-browse, …) or two channels: which one the call was is not known.
        return None
    return channels.pop()


def _evaluator(raw: dict[str, Any]) -> str | None:
    evaluator = raw.get("evaluator")
    if not isinstance(evaluator, dict):
        return None
    return _text(evaluator.get("name")) or _text(evaluator.get("id"))


# Results -------------------------------------------------------------------------------------------


def _results(answers: dict[str, Any], base: str, form: Form, problems: list[VendorProblem]) -> tuple[Result, ...]:
    groups_path = f"{base}.questionGroupScores"
    groups = answers.get("questionGroupScores", [])
    if not isinstance(groups, list):
        problems.append(VendorProblem(groups_path, "question group scores are not a list", groups))
        return ()
    if isinstance(form, GenesysForm):
        questions = {question.id: question for question in form.questions}
        known_groups = set(form.groups)
    else:
        # A Form made elsewhere knows its behaviours by key only: read them as question ids.
        questions = {b.key: Question(b.key, "", b.key) for b in form.behaviours}
        known_groups = set()
    # A form made from evaluations knows only the questions answered with an answer id.
    strict = form.from_definition
    results: dict[str, Result] = {}
    seen: set[str] = set()
    for group_index, group in enumerate(groups):
        group_path = f"{groups_path}[{group_index}]"
        if not isinstance(group, dict):
            problems.append(VendorProblem(group_path, "question group score is not a JSON object", group))
            continue
        group_id = group.get("questionGroupId")
        if known_groups and group_id not in known_groups:
            problems.append(
                VendorProblem(
                    f"{group_path}.questionGroupId",
                    f"a question group the form does not have: expected one of form {form.lookup}",
                    _got(group, "questionGroupId"),
                )
            )
            continue
        group_na = group.get("markedNA") is True or group.get("systemMarkedNA") is True
        scores_path = f"{group_path}.questionScores"
        scores = group.get("questionScores", [])
        if not isinstance(scores, list):
            problems.append(VendorProblem(scores_path, "question scores are not a list", scores))
            continue
        answered = sum(1 for score in scores if isinstance(score, dict) and not _marked_na(score))
        for index, score in enumerate(scores):
            path = f"{scores_path}[{index}]"
            if not isinstance(score, dict):
                problems.append(VendorProblem(path, "question score is not a JSON object", score))
                continue
            question_id = _text(score.get("questionId"))
            if question_id is None:
                problems.append(
                    VendorProblem(f"{path}.questionId", "missing question id: expected text", _got(score, "questionId"))
                )
                continue
            if question_id in seen:
                problems.append(
                    VendorProblem(
                        f"{path}.questionId", "question answered twice: expected each question once", question_id
                    )
                )
                continue
            seen.add(question_id)
            question = questions.get(question_id)
            if question is None:
                if strict:
                    problems.append(
                        VendorProblem(
                            f"{path}.questionId",
                            f"a question the form does not have: expected a question of form {form.lookup}",
                            question_id,
                        )
                    )
                continue
            if question.key is None:
                continue
            value = score.get("score")
            if value is not None and not _is_number(value):
                problems.append(VendorProblem(f"{path}.score", "score is not a number", value))
                continue
            comment = _comment(score, path, problems)
            if group_na or _marked_na(score):
                outcome: Outcome | None = "na"
            elif question.best is not None:
                outcome = _outcome_by_form(score, path, question, problems)
            else:
                outcome = _outcome_by_totals(score, path, group, answered, problems)
            if outcome is not None:
                results[question.key] = Result(key=question.key, outcome=outcome, comment=comment)
        if group_na:
            for question in questions.values():
                if question.group_id == group_id and question.key is not None and question.key not in results:
                    results[question.key] = Result(key=question.key, outcome="na")
    return tuple(results.values())


def _marked_na(score: dict[str, Any]) -> bool:
    return score.get("markedNA") is True or score.get("systemMarkedNA") is True


def _comment(score: dict[str, Any], path: str, problems: list[VendorProblem]) -> str | None:
    comment = score.get("comments")
    if comment is None:
        return None
    if not isinstance(comment, str):
        problems.append(VendorProblem(f"{path}.comments", "comment is not text", comment))
        return None
    return comment if comment.strip() else None


def _outcome_by_form(
    score: dict[str, Any], path: str, question: Question, problems: list[VendorProblem]
) -> Outcome | None:
    if score.get("failedKillQuestion") is True:
        return "missed"
    answer_id = _text(score.get("answerId"))
    if answer_id is not None:
        value = dict(question.options).get(answer_id)
        if value is None:
            problems.append(
                VendorProblem(
                    f"{path}.answerId",
                    "an answer the question does not have: expected the id of one of its answerOptions",
                    answer_id,
                )
            )
            return None
    else:
        value = score.get("score")
        if value is None:
            problems.append(VendorProblem(path, "no answer: expected answerId, score or markedNA", score))
            return None
    assert question.best is not None
    return "met" if value >= question.best else "missed"


def _outcome_by_totals(
    score: dict[str, Any], path: str, group: dict[str, Any], answered: int, problems: list[VendorProblem]
) -> Outcome | None:
    """Met or missed without the form: only as far as the evaluation itself tells."""
    if score.get("failedKillQuestion") is True:
        return "missed"
    value = score.get("score")
    if value is None:
        problems.append(VendorProblem(f"{path}.score", "no score: expected a number or markedNA", MISSING))
        return None
    total, most = group.get("totalScoreUnweighted"), group.get("maxTotalScoreUnweighted")
    if _is_number(total) and _is_number(most) and most > 0:
        if math.isclose(total, most):
            return "met"
        if answered == 1:
            return "met" if value >= most else "missed"
    if value <= 0:
        return "missed"
    problems.append(
        VendorProblem(
            f"{path}.score",
            "cannot tell a full score from a partial one without the form definition: import the form too",
            value,
        )
    )
    return None


# Values --------------------------------------------------------------------------------------------


def _at(base: str, field: str) -> str:
    return f"{base}.{field}" if base else field


def _got(holder: Any, field: str) -> Any:
    return holder.get(field, MISSING) if isinstance(holder, dict) else MISSING


def _text(value: Any) -> str | None:
    """A non-blank string as it is, else None."""
    return value if isinstance(value, str) and value.strip() else None


def _is_number(value: Any) -> bool:
    # JSON true and false are not numbers, though Python counts them as ints.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
