"""Amazon Connect (Contact Lens) evaluations and evaluation forms, read as vendor shapes.

Two kinds of document come from Connect:

- **An evaluation**: the JSON file Contact Lens writes to S3 for each submitted
  evaluation (`schemaVersion` "3.1"; admin guide, "Agent evaluation form output",
  `evaluationforms-example-output-file`). It names its form by
  `evaluationDefinitionId` and `evaluationDefinitionVersion`, and scores each
  question as a percentage, but carries neither the questions' weights nor which
  answers fail the whole evaluation.
- **A form definition**: the `DescribeEvaluationForm` response of the Connect API,
  whole (`{"EvaluationForm": {...}}`) or its inner object, or a JSON list of them
  (for several versions in one file). It holds the weights and the automatic-fail
  options.

Every problem is a `VendorProblem` at a JSON path from the document's root
(`questions[2].score.percentage`, `[1].EvaluationForm.Items[0].Section.Weight`);
a problem with the document as a whole is at the path `record`, as the importer
names its own whole-record problems. Nothing here raises on bad input.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..import_problems import MISSING
from .vendor import Behaviour, Evaluation, Form, Reading, Result, VendorProblem

NAME = "amazon-connect"

RECORD = "record"
"""The path of a problem with the document as a whole."""

SCHEMA_VERSIONS = "3.x (such as 3.1)"
_SCHEMA_VERSION = re.compile(r"3\.\d+")

_EVALUATION_KEYS = ("schemaVersion", "evaluationId", "metadata", "questions")
_UNSCORED_TYPES = frozenset({"TEXT", "DATETIME"})
"""Question types Connect never scores: a free-text note and a date."""
_OPTION_KINDS = ("SingleSelect", "Numeric", "MultiSelect")

_SCORECARD_ID_MAX = 64
_NAME_MAX = 200
_HASH_CHARS = 10


def forms_in(document: Any) -> Reading | None:
    """The form definitions in a document, or None when the document is not a form definition (by its shape).

    A form definition is a `DescribeEvaluationForm` response (`{"EvaluationForm": {...}}`),
    its inner object (`EvaluationFormId` and `Items`), or a JSON list of either.
    """
    if _is_form(document):
        items = [("", document)]
    elif isinstance(document, list) and any(_is_form(item) for item in document):
        items = [(f"[{index}]", item) for index, item in enumerate(document)]
    else:
        return None
    reading = Reading()
    first_at: dict[str, str] = {}
    for path, item in items:
        if not _is_form(item):
            reading.problems.append(
                VendorProblem(path, "not an evaluation form definition; expected a DescribeEvaluationForm response", item)
            )
            continue
        if isinstance(item.get("EvaluationForm"), dict):
            item, path = item["EvaluationForm"], _key(path, "EvaluationForm")
        form = _read_form(item, path, reading.problems)
        if form is None:
            continue
        if form.lookup in first_at:
            reading.problems.append(
                VendorProblem(
                    _key(path, "EvaluationFormVersion"),
                    f"this form version is given twice (first at {first_at[form.lookup] or RECORD}); give it once",
                    form.lookup,
                )
            )
            continue
        first_at[form.lookup] = path
        reading.forms.append((path, form))
    return reading


def evaluations_in(document: Any, forms: Mapping[str, Form]) -> Reading:
    """The evaluation(s) of a document that is not a form definition. `forms` are every form definition of the same import, by Form.lookup.

    The document is one S3 evaluation file, or a JSON list of them. An evaluation
    finds its form by `"<evaluationDefinitionId>:<evaluationDefinitionVersion>"`;
    when that version was not given, its form is made from the evaluation itself
    (`from_definition=False`): every question but a text one becomes a behaviour of
    equal weight, none critical, because weights and automatic-fail options live
    only in the form definition, never in the evaluation.
    """
    reading = Reading()
    if isinstance(document, list) and document and all(isinstance(item, dict) for item in document):
        for index, item in enumerate(document):
            _read_evaluation(item, f"[{index}]", forms, reading)
    else:
        _read_evaluation(document, "", forms, reading)
    return reading


def scorecard_id(form_id: str, version: int) -> str:
    """The scorecard id of one version of a form: `"<form id>-v<version>"`.

    Connect's form ids are UUIDs (36 characters), which fit. An id that would not
    fit in 64 characters, or holds a character an id of format v1 may not (a space,
    a slash), keeps the start of the id with such characters made `-`, then `-`
    and the first 10 hex digits of the SHA-256 of the whole id: the same form id
    always gives the same scorecard id, and two ids that share a start do not meet.
    """
    suffix = f"-v{version}"
    plain = f"{form_id}{suffix}"
    if len(plain) <= _SCORECARD_ID_MAX and all(_id_char(char) for char in form_id):
        return plain
    digest = hashlib.sha256(form_id.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    room = _SCORECARD_ID_MAX - len(suffix) - 1 - _HASH_CHARS
    start = "".join(char if _id_char(char) else "-" for char in form_id[:room]).strip("-")
    return f"{start}-{digest}{suffix}" if start else f"{digest}{suffix}"


def _id_char(char: str) -> bool:
    return char.isalnum() or char in "._-@+:"


def _is_form(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("EvaluationForm"), dict) or ("EvaluationFormId" in value and "Items" in value)
    )


# -- form definitions ---------------------------------------------------------


@dataclass(slots=True)
class _Question:
    path: str
    ref: str
    title: str
    scored: bool
    """Of a type Connect scores, and not excluded from scoring."""
    weight: float | None
    critical: bool


@dataclass(slots=True)
class _Section:
    path: str
    weight: float | None
    items: list[_Question | _Section] = field(default_factory=list)


def _read_form(form: dict[str, Any], path: str, problems: list[VendorProblem]) -> Form | None:
    """One form version, or None (its problems added) when it cannot be a scorecard.

    A question is a behaviour when the form scores it: scoring is `ENABLED`, the
    question is not text or a date (Connect gives those no score), is not excluded
    from scoring, and its weight is not 0. The admin guide ("Use scoring and weights
    on agent evaluation forms") says the weights of a form total 100%: by section
    (`SECTION_ONLY`: a section's questions share its weight evenly) or by question
    (`QUESTION_ONLY`: each question's weight is its share of the whole). So a
    behaviour's weight is its share of the whole score in percent: by question, the
    question's own `Weight`; by section, the section's weight among its sibling
    sections times the question's share within its section (its `Weight` among its
    siblings' when every sibling has one, else an even share), down every level.
    """
    count = len(problems)
    form_id = _text(form, "EvaluationFormId", path, problems, "the form's id")
    version = _version(form, "EvaluationFormVersion", path, problems)
    title = form.get("Title")
    if title is not None and not isinstance(title, str):
        problems.append(VendorProblem(_key(path, "Title"), "not text; expected the form's title", title))
    mode = _scoring_mode(form, path, problems)
    sections = _items(form, path, problems)
    questions = [question for question in _questions(sections)]
    seen: dict[str, str] = {}
    for question in questions:
        if question.ref in seen:
            problems.append(
                VendorProblem(
                    _key(question.path, "RefId"),
                    f"this question id is used twice in the form (first at {seen[question.ref]}); ids are unique in a form",
                    question.ref,
                )
            )
        else:
            seen[question.ref] = _key(question.path, "RefId")
    if len(problems) > count or form_id is None or version is None:
        return None
    if mode is None:
        weights: dict[str, float] = {}
    elif mode == "QUESTION_ONLY":
        weights = _question_weights(questions, problems)
    else:
        weights = _section_weights(sections)
    if len(problems) > count:
        return None
    behaviours = tuple(
        Behaviour(question.ref, question.title, _tidy(weights[question.ref]), question.critical)
        for question in questions
        if question.ref in weights
    )
    if not behaviours:
        why = "scoring is not enabled" if mode is None else "every question is text or weighs 0"
        problems.append(
            VendorProblem(
                path or RECORD,
                f"the form scores no question ({why}); expected a form with scoring enabled",
                form.get("ScoringStrategy", form_id),
            )
        )
        return None
    unscored = frozenset(question.ref for question in questions if question.ref not in weights)
    return Form(
        f"{form_id}:{version}", scorecard_id(form_id, version), _name(title, form_id), behaviours, unscored=unscored
    )


def _scoring_mode(form: dict[str, Any], path: str, problems: list[VendorProblem]) -> str | None:
    """`QUESTION_ONLY` or `SECTION_ONLY` when the form is scored, None when it is not."""
    strategy = form.get("ScoringStrategy")
    where = _key(path, "ScoringStrategy")
    if strategy is None:
        return None
    if not isinstance(strategy, dict):
        problems.append(VendorProblem(where, "not an object; expected Mode and Status", strategy))
        return None
    status = strategy.get("Status")
    if status == "DISABLED":
        return None
    if status != "ENABLED":
        problems.append(VendorProblem(_key(where, "Status"), "unknown scoring status; expected ENABLED or DISABLED", status))
        return None
    mode = strategy.get("Mode")
    if mode not in ("QUESTION_ONLY", "SECTION_ONLY"):
        problems.append(
            VendorProblem(_key(where, "Mode"), "unknown scoring mode; expected QUESTION_ONLY or SECTION_ONLY", mode)
        )
        return None
    return mode


def _items(container: dict[str, Any], path: str, problems: list[VendorProblem]) -> list[_Question | _Section]:
    items = container.get("Items")
    where = _key(path, "Items")
    if not isinstance(items, list):
        problems.append(VendorProblem(where, "not a list; expected the form's sections and questions", items))
        return []
    read: list[_Question | _Section] = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        if isinstance(item, dict) and isinstance(item.get("Section"), dict) and "Question" not in item:
            section = item["Section"]
            at = _key(at, "Section")
            weight = _weight(section, at, problems)
            read.append(_Section(at, weight, _items(section, at, problems)))
        elif isinstance(item, dict) and isinstance(item.get("Question"), dict) and "Section" not in item:
            question = _question(item["Question"], _key(at, "Question"), problems)
            if question is not None:
                read.append(question)
        else:
            problems.append(VendorProblem(at, "expected an object holding one Section or one Question", item))
    return read


def _question(question: dict[str, Any], path: str, problems: list[VendorProblem]) -> _Question | None:
    count = len(problems)
    ref = _text(question, "RefId", path, problems, "the question's id")
    title = question.get("Title")
    if title is not None and not isinstance(title, str):
        problems.append(VendorProblem(_key(path, "Title"), "not text; expected the question's title", title))
    kind = question.get("QuestionType")
    if not isinstance(kind, str) or not kind:
        problems.append(
            VendorProblem(_key(path, "QuestionType"), "expected the question's type, such as SINGLESELECT", kind)
        )
    weight = _weight(question, path, problems)
    critical = _automatic_fail(question, path, problems)
    excluded = _excluded(question, path, problems)
    if len(problems) > count or ref is None:
        return None
    return _Question(path, ref, _name(title, ref), kind not in _UNSCORED_TYPES and not excluded, weight, critical)


def _automatic_fail(question: dict[str, Any], path: str, problems: list[VendorProblem]) -> bool:
    """Whether an option of the question fails the whole evaluation (`AutomaticFail`)."""
    properties = question.get("QuestionTypeProperties")
    if not isinstance(properties, dict):
        return False
    critical = False
    for kind in _OPTION_KINDS:
        typed = properties.get(kind)
        options = typed.get("Options") if isinstance(typed, dict) else None
        if not isinstance(options, list):
            continue
        for index, option in enumerate(options):
            flag = option.get("AutomaticFail") if isinstance(option, dict) else None
            if flag is None or isinstance(flag, bool):
                critical = critical or flag is True
            else:
                problems.append(
                    VendorProblem(
                        f"{path}.QuestionTypeProperties.{kind}.Options[{index}].AutomaticFail",
                        "not true or false; expected whether this answer fails the whole evaluation",
                        flag,
                    )
                )
    return critical


def _excluded(question: dict[str, Any], path: str, problems: list[VendorProblem]) -> bool:
    """`ScoringConfiguration.IsExcludedFromScoring` of newer forms (API `EvaluationFormQuestion`)."""
    scoring = question.get("ScoringConfiguration")
    flag = scoring.get("IsExcludedFromScoring") if isinstance(scoring, dict) else None
    if flag is None or isinstance(flag, bool):
        return flag is True
    problems.append(
        VendorProblem(f"{path}.ScoringConfiguration.IsExcludedFromScoring", "not true or false", flag)
    )
    return False


def _weight(item: dict[str, Any], path: str, problems: list[VendorProblem]) -> float | None:
    weight = item.get("Weight")
    if weight is None:
        return None
    if not _number(weight) or not 0 <= weight <= 100:
        problems.append(VendorProblem(_key(path, "Weight"), "expected a number from 0 to 100", weight))
        return None
    return float(weight)


def _questions(items: list[_Question | _Section]) -> list[_Question]:
    found: list[_Question] = []
    for item in items:
        found.extend(_questions(item.items) if isinstance(item, _Section) else [item])
    return found


def _question_weights(questions: list[_Question], problems: list[VendorProblem]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for question in questions:
        if not question.scored:
            continue
        if question.weight is None:
            problems.append(
                VendorProblem(
                    _key(question.path, "Weight"),
                    "missing; the form is scored by question (QUESTION_ONLY), "
                    "so each scored question needs a weight from 0 to 100",
                )
            )
        elif question.weight > 0:
            weights[question.ref] = question.weight
    return weights


def _section_weights(items: list[_Question | _Section], share: float = 100.0) -> dict[str, float]:
    counted = [item for item in items if _counts(item)]
    if not counted:
        return {}
    given = [item.weight for item in counted]
    if all(weight is not None for weight in given):
        total = sum(weight for weight in given if weight is not None)
        shares = [share * (item.weight or 0.0) / total for item in counted]
    else:
        shares = [share / len(counted)] * len(counted)
    weights: dict[str, float] = {}
    for item, part in zip(counted, shares, strict=True):
        if isinstance(item, _Section):
            weights.update(_section_weights(item.items, part))
        else:
            weights[item.ref] = part
    return weights


def _counts(item: _Question | _Section) -> bool:
    """Whether an item takes a share of its section's weight: scored, and not weighing 0."""
    if item.weight == 0:
        return False
    if isinstance(item, _Question):
        return item.scored
    return any(_counts(child) for child in item.items)


def _tidy(weight: float) -> float:
    """A share without float noise (33.333333 rather than 33.33333333333333)."""
    rounded = round(weight, 6)
    return rounded if rounded > 0 else weight


# -- evaluations --------------------------------------------------------------


def _read_evaluation(document: Any, path: str, forms: Mapping[str, Form], reading: Reading) -> None:
    problems: list[VendorProblem] = []
    where = path or RECORD
    if not isinstance(document, dict):
        reading.problems.append(
            VendorProblem(where, "not a JSON object; expected an Amazon Connect evaluation or form definition", document)
        )
        return
    if not any(key in document for key in _EVALUATION_KEYS):
        reading.problems.append(
            VendorProblem(
                where,
                "neither an Amazon Connect evaluation (schemaVersion, metadata, questions) "
                "nor a form definition (EvaluationForm)",
                sorted(document),
            )
        )
        return
    schema = document.get("schemaVersion")
    if not isinstance(schema, str) or not _SCHEMA_VERSION.fullmatch(schema):
        problems.append(
            VendorProblem(
                _key(path, "schemaVersion"),
                f"unknown schema version; nextcall reads Amazon Connect evaluations of schema {SCHEMA_VERSIONS}",
                _got(document, "schemaVersion"),
            )
        )
    metadata = document.get("metadata")
    meta_path = _key(path, "metadata")
    if not isinstance(metadata, dict):
        problems.append(
            VendorProblem(meta_path, "expected an object with the contact, agent and form", _got(document, "metadata"))
        )
        metadata = {}
        call_id = agent = form_id = version = submitted_at = None
    else:
        call_id = _text(metadata, "contactId", meta_path, problems, "the contact's id")
        agent = _text(metadata, "agentId", meta_path, problems, "the evaluated agent's user id")
        form_id = _text(metadata, "evaluationDefinitionId", meta_path, problems, "the evaluation form's id")
        version = _version(metadata, "evaluationDefinitionVersion", meta_path, problems)
        submitted_at = _timestamp(metadata, "evaluationSubmitTimestamp", meta_path, problems)
    evaluator = metadata.get("evaluator")
    if evaluator is not None and not isinstance(evaluator, str):
        problems.append(VendorProblem(_key(meta_path, "evaluator"), "not text; expected the evaluator's name", evaluator))
        evaluator = None
    title = metadata.get("evaluationDefinitionTitle")
    lookup = f"{form_id}:{version}" if form_id is not None and version is not None else None
    form = forms.get(lookup) if lookup is not None else None

    questions = document.get("questions")
    questions_path = _key(path, "questions")
    answered: list[tuple[str, str, Result]] = []
    if not isinstance(questions, list):
        problems.append(
            VendorProblem(questions_path, "expected a list of the evaluation's questions", _got(document, "questions"))
        )
        questions = []
    first_at: dict[str, str] = {}
    for index, question in enumerate(questions):
        at = f"{questions_path}[{index}]"
        read = _answer(question, at, problems)
        if read is None:
            continue
        ref, name, result = read
        if ref in first_at:
            problems.append(
                VendorProblem(
                    _key(at, "questionRefId"),
                    f"this question is answered twice (first at {first_at[ref]}); answer each once",
                    ref,
                )
            )
            continue
        first_at[ref] = _key(at, "questionRefId")
        if result is None:
            continue
        if form is not None and ref not in {behaviour.key for behaviour in form.behaviours}:
            if result.outcome != "na" and ref not in form.unscored:
                problems.append(
                    VendorProblem(
                        _key(at, "questionRefId"),
                        f"not a scored question of form {form.lookup} as defined; "
                        "expected a question of that form version",
                        ref,
                    )
                )
            continue
        answered.append((ref, name, result))

    if form is None and form_id is not None and version is not None:
        behaviours = tuple(Behaviour(ref, name, None, False) for ref, name, _ in answered)
        if not behaviours and isinstance(document.get("questions"), list):
            problems.append(
                VendorProblem(questions_path, "no scored question; expected at least one that is not text", len(questions))
            )
        form = Form(
            f"{form_id}:{version}", scorecard_id(form_id, version), _name(title, form_id), behaviours,
            from_definition=False,
        )
    if problems:
        reading.problems.extend(problems)
        return
    assert form is not None and call_id is not None and agent is not None and submitted_at is not None
    reading.evaluations.append(
        (
            path,
            Evaluation(
                call_id=call_id,
                agent=agent,
                form=form,
                submitted_at=submitted_at,
                occurred_at=None,
                results=tuple(result for _, _, result in answered),
                channel=None,
                evaluator=evaluator.strip() if isinstance(evaluator, str) and evaluator.strip() else None,
            ),
        )
    )


def _answer(question: Any, path: str, problems: list[VendorProblem]) -> tuple[str, str, Result | None] | None:
    """A question's id, text and result: None for the result of a text question
    (Connect never scores one); None altogether when the question is unreadable."""
    if not isinstance(question, dict):
        problems.append(VendorProblem(path, "not an object; expected a question with its answer and score", question))
        return None
    count = len(problems)
    ref = _text(question, "questionRefId", path, problems, "the question's id")
    text = question.get("questionText")
    kind = question.get("questionType")
    if ref is None:
        return None
    name = _name(text, ref)
    if kind in _UNSCORED_TYPES:
        return ref, name, None
    answer = question.get("answer", {})
    if not isinstance(answer, dict):
        problems.append(VendorProblem(_key(path, "answer"), "not an object; expected the answer and its notes", answer))
        return None
    answer_meta = answer.get("metadata") if isinstance(answer.get("metadata"), dict) else {}
    score = question.get("score")
    score_path = _key(path, "score")
    if score is not None and not isinstance(score, dict):
        problems.append(VendorProblem(score_path, "expected an object with percentage or notApplicable", score))
        return None
    score = score or {}
    if score.get("notApplicable") is True or answer_meta.get("notApplicable") is True:
        outcome = "na"
    elif "percentage" not in score:
        problems.append(
            VendorProblem(_key(score_path, "percentage"), "missing; expected a number from 0 to 100, or notApplicable true")
        )
        return None
    else:
        percentage = score["percentage"]
        if not _number(percentage) or not 0 <= percentage <= 100:
            problems.append(VendorProblem(_key(score_path, "percentage"), "expected a number from 0 to 100", percentage))
            return None
        outcome = "met" if percentage == 100 else "missed"
    notes = answer.get("notes")
    comment = notes if isinstance(notes, str) and notes.strip() else None
    moment_s, quote = _point_of_interest(answer, _key(path, "answer"), problems)
    if len(problems) > count:
        return None
    return ref, name, Result(ref, outcome, moment_s=moment_s, quote=quote, comment=comment)


def _point_of_interest(answer: dict[str, Any], path: str, problems: list[VendorProblem]) -> tuple[int | None, str | None]:
    """Seconds into the call and the transcript's words where automation found its answer.

    The S3 example shows no automated answer, so this follows the API's model of one
    (`DescribeContactEvaluation`: `EvaluationAnswerOutput.SuggestedAnswers[]`, each
    `EvaluationSuggestedAnswer` with `AnalysisDetails.GenAI.PointsOfInterest[]` or
    `AnalysisDetails.ContactLens.MatchedRuleCategories[].PointsOfInterest[]`, a point
    being `EvaluationTranscriptPointOfInterest{MillisecondOffsets{BeginOffsetMillis},
    TranscriptSegment}`). It is looked for in the answer and in the answer's
    `metadata`, with names in the export's camelCase or the API's PascalCase. The
    first point of a suggested answer that did not fail is the moment.
    """
    for container, at in ((answer, path), (answer.get("metadata"), _key(path, "metadata"))):
        suggested, name = _field(container, "suggestedAnswers")
        if not isinstance(suggested, list):
            continue
        for index, suggestion in enumerate(suggested):
            status, _ = _field(suggestion, "status")
            if status not in (None, "SUCCEEDED"):
                continue
            details, details_name = _field(suggestion, "analysisDetails")
            base = f"{at}.{name}[{index}].{details_name}"
            for point, point_path in _points(details, base):
                found = _read_point(point, point_path, problems)
                if found is not None:
                    return found
    return None, None


def _points(details: Any, path: str) -> list[tuple[Any, str]]:
    points: list[tuple[Any, str]] = []
    genai, genai_name = _field(details, "genAI")
    listed, listed_name = _field(genai, "pointsOfInterest")
    if isinstance(listed, list):
        points += [(point, f"{path}.{genai_name}.{listed_name}[{i}]") for i, point in enumerate(listed)]
    lens, lens_name = _field(details, "contactLens")
    categories, categories_name = _field(lens, "matchedRuleCategories")
    if isinstance(categories, list):
        for c, category in enumerate(categories):
            listed, listed_name = _field(category, "pointsOfInterest")
            if isinstance(listed, list):
                at = f"{path}.{lens_name}.{categories_name}[{c}].{listed_name}"
                points += [(point, f"{at}[{i}]") for i, point in enumerate(listed)]
    return points


def _read_point(point: Any, path: str, problems: list[VendorProblem]) -> tuple[int, str | None] | None:
    offsets, offsets_name = _field(point, "millisecondOffsets")
    begin, begin_name = _field(offsets, "beginOffsetMillis")
    begin_path = f"{path}.{offsets_name}.{begin_name}"
    if begin is None:
        # The older Contact Lens point of interest carries its offset directly.
        begin, begin_name = _field(point, "beginOffsetMillis")
        begin_path = f"{path}.{begin_name}"
    if begin is None:
        return None
    if not _number(begin) or begin < 0 or not float(begin).is_integer():
        problems.append(VendorProblem(begin_path, "expected whole milliseconds from the start of the call", begin))
        return None
    segment, _ = _field(point, "transcriptSegment")
    quote = segment if isinstance(segment, str) and segment.strip() else None
    return int(begin) // 1000, quote


# -- values -------------------------------------------------------------------


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _got(container: dict[str, Any], key: str) -> Any:
    return container.get(key, MISSING)


def _field(container: Any, name: str) -> tuple[Any, str]:
    """A field by its camelCase name or the API's PascalCase one, and the name it was found by."""
    if not isinstance(container, dict):
        return None, name
    pascal = name[:1].upper() + name[1:]
    for key in (name, pascal):
        if key in container:
            return container[key], key
    lowered = name.lower()
    for key, value in container.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value, key
    return None, name


def _name(text: Any, fallback: str) -> str:
    """A title as a name of format v1: trimmed, the fallback when blank, and at most
    200 characters (Connect allows a question 350), the cut marked with an ellipsis."""
    name = text.strip() if isinstance(text, str) and text.strip() else fallback
    return name if len(name) <= _NAME_MAX else name[: _NAME_MAX - 1].rstrip() + "…"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(container: dict[str, Any], key: str, path: str, problems: list[VendorProblem], what: str) -> str | None:
    value = container.get(key)
    if isinstance(value, str) and value.strip():
        return value
    message = "missing" if key not in container else "empty" if isinstance(value, str) else "not text"
    problems.append(VendorProblem(_key(path, key), f"{message}; expected {what}", _got(container, key)))
    return None


def _version(container: dict[str, Any], key: str, path: str, problems: list[VendorProblem]) -> int | None:
    value = container.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    problems.append(
        VendorProblem(_key(path, key), "expected the form's version, a whole number from 1", _got(container, key))
    )
    return None


def _timestamp(container: dict[str, Any], key: str, path: str, problems: list[VendorProblem]) -> datetime | None:
    value = container.get(key)
    where = _key(path, key)
    if not isinstance(value, str):
        problems.append(
            VendorProblem(where, "expected an ISO 8601 time with a time zone, such as 2022-11-14T17:59:29.052Z", _got(container, key))
        )
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(
            VendorProblem(where, "not a time; expected ISO 8601 with a time zone, such as 2022-11-14T17:59:29.052Z", value)
        )
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        problems.append(VendorProblem(where, "has no time zone; expected one, such as Z or +01:00", value))
        return None
    return moment
