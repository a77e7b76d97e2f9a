"""Genesys Cloud quality read as format v1: forms and evaluations, pure functions on parsed JSON.

Fixtures in tests/fixtures/genesys/ follow the documented shapes: a form in two published versions
(GET /api/v2/quality/forms/evaluations/{id} and .../versions), a page from
GET /api/v2/quality/evaluations/query, a re-score of one call, and a file with malformed entities.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from nextcall.store.import_problems import MISSING
from nextcall.store.sources import genesys
from nextcall.store.sources.vendor import Behaviour, Form, Reading, Result

FIXTURES = Path(__file__).parent.parent / "fixtures" / "genesys"

FORM_V1 = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e01"
FORM_V2 = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e02"
GREET = "c0000000-0000-4000-8000-0000000000c1"
NEED = "c0000000-0000-4000-8000-0000000000c2"
VERIFY = "c0000000-0000-4000-8000-0000000000c4"
DISCLOSE = "c0000000-0000-4000-8000-0000000000c5"
CARD = "c0000000-0000-4000-8000-0000000000c8"
KHAN = "7a11ce00-0000-4000-8000-0000000000a1"
PATEL = "7a11ce00-0000-4000-8000-0000000000a2"
STRANGER = "9f9f9f9f-0000-4000-8000-00000000beef"
SALES = "5a1e5000-0000-4000-8000-000000000077"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def forms_of(reading: Reading | None) -> dict[str, Form]:
    assert reading is not None
    assert reading.problems == []
    return {form.lookup: form for _, form in reading.forms}


@pytest.fixture(scope="module")
def versions() -> dict[str, Form]:
    return forms_of(genesys.forms_in(load("form_care_versions.json")))


@pytest.fixture(scope="module")
def page(versions: dict[str, Form]) -> Reading:
    return genesys.evaluations_in(load("evaluations_page.json"), versions)


def evaluation_at(reading: Reading, path: str) -> Any:
    found = dict(reading.evaluations)
    assert path in found, f"no evaluation at {path}: {reading.problems} {reading.skipped}"
    return found[path]


def by_name(form: Form) -> dict[str, Behaviour]:
    return {behaviour.name: behaviour for behaviour in form.behaviours}


def problems(reading: Reading) -> list[tuple[str, str]]:
    return [(problem.path, problem.message) for problem in reading.problems]


def yes_no(question_id: str, context_id: str | None, text: str, **extra: Any) -> dict[str, Any]:
    question = {
        "id": question_id,
        "text": text,
        "type": "multipleChoiceQuestion",
        "answerOptions": [
            {"id": f"{question_id}-yes", "text": "Yes", "value": 1},
            {"id": f"{question_id}-no", "text": "No", "value": 0},
        ],
        **extra,
    }
    if context_id is not None:
        question["contextId"] = context_id
    return question


def finished(form_id: str, groups: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": "ee-inline",
        "conversation": {"id": "conv-inline"},
        "evaluationForm": {"id": form_id},
        "agent": {"id": KHAN},
        "status": "FINISHED",
        "changedDate": "2026-11-21T09:15:30.000Z",
        "conversationDate": "2026-11-20T14:03:00.000Z",
        "mediaType": ["CALL"],
        "answers": {"questionGroupScores": groups},
        **extra,
    }


# Which documents are forms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        load("evaluations_page.json"),
        load("evaluation_rescored.json"),
        load("evaluations_malformed.json"),
        {"entities": []},
        {},
        [load("form_care_v1.json")],
        "questionGroups",
        None,
    ],
    ids=["evaluations", "one evaluation", "malformed", "empty page", "empty object", "list", "text", "null"],
)
def test_what_is_not_shaped_like_a_form_is_not_read_as_one(document: Any) -> None:
    assert genesys.forms_in(document) is None


def test_a_form_definition_is_one_version_of_behaviours() -> None:
    reading = genesys.forms_in(load("form_care_v1.json"))

    assert reading is not None and reading.problems == []
    [(path, form)] = reading.forms
    assert path == "$"
    assert (form.lookup, form.scorecard_id, form.name, form.from_definition) == (FORM_V1, FORM_V1, "Customer care", True)
    assert [(b.key, b.name) for b in form.behaviours] == [
        (GREET, "Greets the caller by name"),
        (NEED, "Confirms the need before solving"),
        (VERIFY, "Verifies identity before account details"),
        (DISCLOSE, "Reads the recording disclosure"),
    ]


def test_published_versions_keep_their_behaviour_keys(versions: dict[str, Form]) -> None:
    reading = genesys.forms_in(load("form_care_versions.json"))

    assert reading is not None
    assert [(path, form.lookup) for path, form in reading.forms] == [("entities[0]", FORM_V2), ("entities[1]", FORM_V1)]
    v1, v2 = versions[FORM_V1], versions[FORM_V2]
    assert v1.scorecard_id != v2.scorecard_id
    assert by_name(v1)["Verifies identity before account details"].key == VERIFY
    assert by_name(v2)["Verifies identity before account details"].key == VERIFY
    assert [b.key for b in v1.behaviours] == [b.key for b in v2.behaviours][:4]


def test_a_question_weighs_its_group_weight_times_its_points(versions: dict[str, Form]) -> None:
    v1 = {b.key: b.weight for b in versions[FORM_V1].behaviours}
    v2 = {b.key: b.weight for b in versions[FORM_V2].behaviours}

    # Opening 40, Compliance 20 in v1; 30 and 50 in v2. "Confirms the need" is worth 2 points.
    assert v1 == {GREET: 40.0, NEED: 80.0, VERIFY: 20.0, DISCLOSE: 20.0}
    assert {key: v2[key] for key in v1} == {GREET: 30.0, NEED: 60.0, VERIFY: 50.0, DISCLOSE: 50.0}
    assert v1[NEED] / v1[GREET] == v2[NEED] / v2[GREET] == 2.0
    assert v1[VERIFY] / v1[GREET] == 0.5
    assert v2[VERIFY] / v2[GREET] == pytest.approx(5 / 3)


def test_the_help_pages_weighting_example_scores_sixty_percent() -> None:
    # help.mypurecloud.com/?p=144862: group 1 (weight 40) two 1-point questions, group 2 (weight 20)
    # one; answered yes, no, yes: ((1 * 40) + (1 * 20)) / ((2 * 40) + (1 * 20)) = 60%.
    form_document = {
        "id": "form-example",
        "name": "Weighting example",
        "questionGroups": [
            {"id": "g1", "weight": 40, "questions": [yes_no("q11", "k11", "Q 1.1"), yes_no("q12", "k12", "Q 1.2")]},
            {"id": "g2", "weight": 20, "questions": [yes_no("q21", "k21", "Q 2.1")]},
        ],
    }
    forms = forms_of(genesys.forms_in(form_document))
    answers = [
        {"questionGroupId": "g1", "questionScores": [
            {"questionId": "q11", "answerId": "q11-yes", "score": 1},
            {"questionId": "q12", "answerId": "q12-no", "score": 0},
        ]},
        {"questionGroupId": "g2", "questionScores": [{"questionId": "q21", "answerId": "q21-yes", "score": 1}]},
    ]

    [(_, evaluation)] = genesys.evaluations_in(finished("form-example", answers), forms).evaluations

    weight = {b.key: b.weight for b in evaluation.form.behaviours}
    met = sum(weight[r.key] for r in evaluation.results if r.outcome == "met")
    applicable = sum(weight[r.key] for r in evaluation.results if r.outcome != "na")
    assert [r.outcome for r in evaluation.results] == ["met", "missed", "met"]
    assert met / applicable == pytest.approx(0.6)


def test_a_group_of_weight_zero_scores_nothing_but_its_fatal_question_still_fails(versions: dict[str, Form]) -> None:
    v1, v2 = by_name(versions[FORM_V1]), by_name(versions[FORM_V2])

    assert "Offers the after-call survey" not in v1
    assert "Offers the after-call survey" not in v2
    card = v2["Keeps card numbers off the call"]
    assert (card.key, card.critical, card.weight) == (CARD, True, genesys.FATAL_ONLY_WEIGHT)
    assert 0 < card.weight < min(b.weight for b in v2.values() if b is not card) / 1000


def test_critical_is_is_kill_and_not_is_critical(versions: dict[str, Form]) -> None:
    for form in versions.values():
        behaviours = by_name(form)
        assert behaviours["Verifies identity before account details"].critical is True  # isKill, isCritical
        assert behaviours["Reads the recording disclosure"].critical is False  # isCritical only
        assert behaviours["Greets the caller by name"].critical is False


def test_free_text_read_only_and_nps_questions_are_not_behaviours(versions: dict[str, Form]) -> None:
    names = set(by_name(versions[FORM_V2]))

    assert names == {
        "Greets the caller by name",
        "Confirms the need before solving",
        "Verifies identity before account details",
        "Reads the recording disclosure",
        "Keeps card numbers off the call",
    }


def test_weighting_off_takes_points_at_face_value() -> None:
    document = {
        "id": "form-off",
        "name": "No weights",
        "weightMode": "OFF",
        "questionGroups": [
            {"id": "g1", "weight": 40, "questions": [yes_no("q1", "k1", "One point")]},
            {"id": "g2", "weight": 0, "questions": [yes_no("q2", "k2", "Also one point")]},
        ],
    }

    [(_, form)] = genesys.forms_in(document).forms  # type: ignore[union-attr]

    assert [(b.key, b.weight) for b in form.behaviours] == [("k1", 1.0), ("k2", 1.0)]


def test_a_question_without_a_context_id_is_keyed_by_its_id() -> None:
    document = {"id": "form-old", "name": "Older API", "questionGroups": [
        {"id": "g1", "weight": 1, "questions": [yes_no("q-without", None, "No context id"), yes_no("q-with", "ctx", "With")]},
    ]}

    [(_, form)] = genesys.forms_in(document).forms  # type: ignore[union-attr]

    assert [b.key for b in form.behaviours] == ["q-without", "ctx"]


def test_a_form_id_that_is_no_format_id_is_shortened_the_same_way_every_time() -> None:
    long_id = "form-" + "x" * 80
    document = {"id": long_id, "name": "Long", "questionGroups": [{"id": "g", "questions": [yes_no("q", "k", "Q")]}]}

    [(_, form)] = genesys.forms_in(document).forms  # type: ignore[union-attr]

    assert form.lookup == long_id
    assert len(form.scorecard_id) == 64
    assert form.scorecard_id.startswith("form-xxx")
    assert form.scorecard_id == genesys.vendor_id(long_id)
    assert genesys.vendor_id(long_id + "y") != form.scorecard_id
    assert " " not in genesys.vendor_id("care form v2") and genesys.vendor_id("care form v2").startswith("care-form-v2-")
    assert genesys.vendor_id(FORM_V1) == FORM_V1


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (
            {"id": "f", "name": "F", "questionGroups": [{"id": "g", "questions": [{"id": "q", "type": "freeTextQuestion"}]}]},
            "questionGroups",
            "no scored question",
        ),
        (
            {"id": "f", "name": "F", "questionGroups": [{"id": "g", "weight": 0, "questions": [yes_no("q", "k", "Q")]}]},
            "questionGroups",
            "no scored question",
        ),
        (
            {"id": "f", "name": "F", "questionGroups": [{"id": "g", "questions": [
                {"id": "q", "text": "Q", "type": "multipleChoiceQuestion", "answerOptions": [{"id": "a", "value": "1"}]},
            ]}]},
            "questionGroups[0].questions[0].answerOptions[0].value",
            "answer value is not a number",
        ),
        (
            {"id": "f", "name": "F", "questionGroups": [{"id": "g", "questions": [yes_no("q1", "k", "A"), yes_no("q2", "k", "B")]}]},
            "questionGroups[0].questions[1].contextId",
            "share a contextId",
        ),
        (
            {"id": "f", "questionGroups": [{"id": "g", "questions": [yes_no("q", "k", "Q")]}]},
            "name",
            "missing form name",
        ),
        (
            {"id": "f", "name": "F", "questionGroups": [{"id": "g", "weight": -5, "questions": [yes_no("q", "k", "Q")]}]},
            "questionGroups[0].weight",
            "group weight is not a number of 0 or more",
        ),
        (
            {"id": "f", "name": "F", "questionGroups": [{"id": "g", "questions": [yes_no("q", "k", "")]}]},
            "questionGroups[0].questions[0].text",
            "missing question text",
        ),
    ],
    ids=["only free text", "weight zero only", "value as text", "shared context id", "no name", "negative weight", "no text"],
)
def test_a_broken_form_is_a_problem_at_its_path(document: dict[str, Any], path: str, message: str) -> None:
    reading = genesys.forms_in(document)

    assert reading is not None and reading.forms == []
    assert [p for p, m in problems(reading) if message in m] == [path]


def test_a_page_entity_that_is_not_a_form_is_a_problem() -> None:
    listing_entry = {"id": FORM_V2, "name": "Customer care", "published": True}
    document = {"entities": [load("form_care_v1.json"), listing_entry]}

    reading = genesys.forms_in(document)

    assert reading is not None
    assert [form.lookup for _, form in reading.forms] == [FORM_V1]
    assert problems(reading) == [("entities[1]", "not a form definition: expected a form with its questionGroups")]
    assert reading.problems[0].got == listing_entry


# Evaluations -----------------------------------------------------------------------------------


def test_a_page_gives_each_finished_evaluation_at_its_path(page: Reading) -> None:
    assert page.problems == []
    assert [path for path, _ in page.evaluations] == ["entities[0]", "entities[1]", "entities[3]", "entities[4]"]
    assert page.skipped == [("entities[2]", "not finished (status INPROGRESS)")]


def test_outcomes_on_the_first_version(page: Reading, versions: dict[str, Form]) -> None:
    evaluation = evaluation_at(page, "entities[0]")

    assert evaluation.form is versions[FORM_V1]
    assert evaluation.results == (
        Result(GREET, "met", comment="Used the caller's name twice"),
        Result(NEED, "missed"),  # Partly (1 of 2 points); its blank comment is none
        Result(VERIFY, "met"),
        Result(DISCLOSE, "na", comment="No recording on this line"),
    )


def test_a_group_marked_na_and_a_failed_kill_question_on_the_second_version(page: Reading, versions: dict[str, Form]) -> None:
    evaluation = evaluation_at(page, "entities[1]")

    assert evaluation.form is versions[FORM_V2]
    assert evaluation.results == (
        Result(GREET, "na"),  # the Opening group was marked N/A with no question scores
        Result(NEED, "na"),
        Result(VERIFY, "missed", comment="Read out the balance before the security question"),
        Result(DISCLOSE, "na"),  # systemMarkedNA
        Result(CARD, "met"),
    )


def test_results_name_the_same_behaviour_on_both_versions(page: Reading) -> None:
    first, second = evaluation_at(page, "entities[0]"), evaluation_at(page, "entities[1]")

    assert {r.key for r in first.results} <= {r.key for r in second.results}
    assert first.form.scorecard_id == FORM_V1 and second.form.scorecard_id == FORM_V2


def test_call_agent_times_channel_and_evaluator(page: Reading) -> None:
    first = evaluation_at(page, "entities[0]")
    second = evaluation_at(page, "entities[1]")
    fifth = evaluation_at(page, "entities[4]")

    assert (first.call_id, first.agent) == ("5c0e0000-0000-4000-8000-000000001001", KHAN)
    assert first.submitted_at == utc(2026, 11, 21, 9, 15, 30)  # changedDate, before releaseDate
    assert first.occurred_at == utc(2026, 11, 20, 14, 3)
    assert first.submitted_at.tzinfo is not None
    assert (first.channel, first.evaluator) == ("phone", "Dee Okafor")
    assert second.submitted_at == utc(2026, 11, 22, 9, 0)  # 10:00 at +01:00
    assert second.occurred_at == datetime(2026, 11, 21, 16, 45, 10, 250000, tzinfo=timezone.utc)
    assert (second.channel, second.evaluator) == ("chat", "e0a1e0a1-0000-4000-8000-0000000000e2")
    assert fifth.submitted_at == utc(2026, 11, 24, 7, 0)  # no changedDate: releaseDate
    assert fifth.channel == "phone"  # CALLBACK and CALL


def test_an_agent_no_one_knows_is_reported_by_its_vendor_id(page: Reading) -> None:
    assert evaluation_at(page, "entities[4]").agent == STRANGER


@pytest.mark.parametrize(
    ("media", "channel"),
    [
        (["CALL"], "phone"),
        (["CALLBACK"], "phone"),
        (["CALL", "CALLBACK"], "phone"),
        (["CHAT"], "chat"),
        (["MESSAGE"], "chat"),
        (["EMAIL"], "email"),
        (["VIDEO"], None),
        (["CALL", "SCREENSHARE"], None),
        (["CALL", "EMAIL"], None),
        ([], None),
        (None, None),
    ],
)
def test_the_channel_comes_from_the_media_type(media: list[str] | None, channel: str | None) -> None:
    document = load("evaluation_rescored.json")
    document["mediaType"] = media
    forms = forms_of(genesys.forms_in(load("form_care_v1.json")))

    [(_, evaluation)] = genesys.evaluations_in(document, forms).evaluations

    assert evaluation.channel == channel


def test_a_re_score_in_a_second_file_is_the_same_call_scored_again(page: Reading, versions: dict[str, Form]) -> None:
    reading = genesys.evaluations_in(load("evaluation_rescored.json"), versions)

    [(path, rescored)] = reading.evaluations
    first = evaluation_at(page, "entities[0]")
    assert path == "$"
    assert rescored.call_id == first.call_id
    assert rescored.submitted_at == utc(2026, 11, 24, 8, 0) > first.submitted_at
    assert dict((r.key, r.outcome) for r in first.results)[NEED] == "missed"
    assert dict((r.key, r.outcome) for r in rescored.results)[NEED] == "met"
    assert rescored.results[1].comment == "Heard the recap on the second listen"


def test_a_form_not_given_is_made_from_the_evaluations_as_a_last_resort(page: Reading) -> None:
    evaluation = evaluation_at(page, "entities[3]")
    form = evaluation.form
    a1, a2, a3 = (f"5a1e5000-0000-4000-8000-0000000001a{n}" for n in (1, 2, 3))

    assert (form.lookup, form.scorecard_id, form.name, form.from_definition) == (SALES, SALES, "Sales check", False)
    # Free text (no answer id) and a question only ever N/A are not behaviours.
    assert form.behaviours == tuple(Behaviour(key, key, None, False) for key in (a1, a2, a3))
    assert evaluation.results == (
        Result(a1, "met"),  # the group reached its maximum
        Result(a2, "met", comment="Named the upgrade and its price"),
        Result(a3, "missed"),  # the only answered question of a group, below its maximum
    )
    assert (evaluation.agent, evaluation.channel) == (PATEL, "email")


def test_without_the_form_a_partial_score_cannot_be_told_from_a_full_one() -> None:
    groups = [{
        "questionGroupId": "g",
        "totalScoreUnweighted": 2,
        "maxTotalScoreUnweighted": 4,
        "questionScores": [
            {"questionId": "q1", "answerId": "a1", "score": 2},
            {"questionId": "q2", "answerId": "a2", "score": 0},
        ],
    }]

    reading = genesys.evaluations_in(finished("form-absent", groups), {})

    assert reading.evaluations == []
    assert problems(reading) == [(
        "answers.questionGroupScores[0].questionScores[0].score",
        "cannot tell a full score from a partial one without the form definition: import the form too",
    )]
    assert reading.problems[0].got == 2


def test_without_the_form_a_failed_kill_question_is_missed_but_not_critical() -> None:
    groups = [{"questionGroupId": "g", "questionScores": [
        {"questionId": "q1", "answerId": "a1", "score": 1, "failedKillQuestion": True},
    ]}]

    [(_, evaluation)] = genesys.evaluations_in(finished("form-absent", groups), {}).evaluations

    assert evaluation.results == (Result("q1", "missed"),)
    assert evaluation.form.behaviours == (Behaviour("q1", "q1", None, False),)


def test_a_form_embedded_in_the_evaluation_is_used() -> None:
    embedded = load("form_care_v1.json")
    document = load("evaluation_rescored.json")
    document["evaluationForm"] = embedded

    [(_, evaluation)] = genesys.evaluations_in(document, {}).evaluations

    assert evaluation.form.from_definition is True
    assert [(b.key, b.weight) for b in evaluation.form.behaviours] == [
        (GREET, 40.0), (NEED, 80.0), (VERIFY, 20.0), (DISCLOSE, 20.0),
    ]
    assert [(r.key, r.outcome) for r in evaluation.results] == [
        (GREET, "met"), (NEED, "met"), (VERIFY, "met"), (DISCLOSE, "na"),
    ]


def test_every_problem_of_a_malformed_file_is_named_at_its_path(versions: dict[str, Form]) -> None:
    reading = genesys.evaluations_in(load("evaluations_malformed.json"), versions)
    scores = "entities[3].answers.questionGroupScores"

    assert reading.evaluations == []
    assert reading.skipped == [("entities[5]", "not finished (status PENDING)")]
    assert problems(reading) == [
        ("entities[0]", "evaluation is not a JSON object"),
        ("entities[1].conversation.id", "missing conversation id: expected the id of the call evaluated"),
        ("entities[1].agent.id", "missing agent id: expected the agent's Genesys user id"),
        ("entities[2].changedDate", "unreadable time: expected ISO 8601 such as 2026-11-20T14:03:00.000Z"),
        ("entities[2].conversationDate", "time without a zone: expected Z or an offset, such as 2026-11-20T14:03:00.000Z"),
        (f"{scores}[0].questionScores[0].score", "score is not a number"),
        (f"{scores}[0].questionScores[2].questionId", "question answered twice: expected each question once"),
        (f"{scores}[1].questionScores[0].questionId",
         f"a question the form does not have: expected a question of form {FORM_V1}"),
        (f"{scores}[1].questionScores[1].answerId",
         "an answer the question does not have: expected the id of one of its answerOptions"),
        ("entities[4].evaluationForm.id", "missing form id: expected the id of the form version scored"),
        ("entities[4].answers", "missing answers: expected the evaluation's scores"),
    ]
    got = {problem.path: problem.got for problem in reading.problems}
    assert got["entities[0]"] == "not an evaluation"
    assert got["entities[1].conversation.id"] is MISSING
    assert got["entities[2].changedDate"] == "yesterday"
    assert got["entities[2].conversationDate"] == "2026-11-20T14:03:00"
    assert got[f"{scores}[0].questionScores[0].score"] == "1"
    assert got[f"{scores}[1].questionScores[0].questionId"] == "b1000000-0000-4000-8000-00000000dead"


@pytest.mark.parametrize(
    ("document", "path", "message", "got"),
    [
        ([{"status": "FINISHED"}], "$", "not a JSON object", [{"status": "FINISHED"}]),
        ("evaluation", "$", "not a JSON object", "evaluation"),
        ({"entities": {"0": {}}}, "entities", "entities are not a list", {"0": {}}),
    ],
)
def test_a_document_of_another_shape_is_one_problem(document: Any, path: str, message: str, got: Any) -> None:
    reading = genesys.evaluations_in(document, {})

    assert reading.evaluations == [] and len(reading.problems) == 1
    assert reading.problems[0].path == path and message in reading.problems[0].message
    assert reading.problems[0].got == got


def test_a_single_evaluations_paths_have_no_prefix(versions: dict[str, Form]) -> None:
    document = load("evaluation_rescored.json")
    del document["conversation"]
    document["answers"]["questionGroupScores"][0]["questionScores"][0]["score"] = True

    reading = genesys.evaluations_in(document, versions)

    assert problems(reading) == [
        ("conversation.id", "missing conversation id: expected the id of the call evaluated"),
        ("answers.questionGroupScores[0].questionScores[0].score", "score is not a number"),
    ]


def test_an_evaluation_not_finished_is_skipped_however_broken() -> None:
    reading = genesys.evaluations_in({"status": "RETRACTED"}, {})

    assert (reading.evaluations, reading.problems) == ([], [])
    assert reading.skipped == [("$", "not finished (status RETRACTED)")]
    assert genesys.evaluations_in({"answers": {}}, {}).skipped == [("$", "not finished (no status)")]


def test_an_evaluation_without_a_submission_time_is_a_problem(versions: dict[str, Form]) -> None:
    document = load("evaluation_rescored.json")
    del document["changedDate"], document["releaseDate"]

    reading = genesys.evaluations_in(document, versions)

    assert problems(reading) == [("changedDate", "no time the evaluation was submitted: expected changedDate or releaseDate")]


def test_a_question_group_the_form_does_not_have_is_a_problem(versions: dict[str, Form]) -> None:
    document = copy.deepcopy(load("evaluation_rescored.json"))
    document["answers"]["questionGroupScores"][2]["questionGroupId"] = "g-elsewhere"

    reading = genesys.evaluations_in(document, versions)

    assert problems(reading) == [(
        "answers.questionGroupScores[2].questionGroupId",
        f"a question group the form does not have: expected one of form {FORM_V1}",
    )]


def test_a_group_marked_na_makes_its_answered_questions_na_too(versions: dict[str, Form]) -> None:
    document = load("evaluation_rescored.json")
    document["answers"]["questionGroupScores"][0]["markedNA"] = True

    [(_, evaluation)] = genesys.evaluations_in(document, versions).evaluations

    assert [(r.key, r.outcome) for r in evaluation.results] == [
        (GREET, "na"), (NEED, "na"), (VERIFY, "met"), (DISCLOSE, "na"),
    ]
    assert evaluation.results[0].comment == "Used the caller's name twice"


def test_a_form_not_given_with_no_answered_question_is_a_problem() -> None:
    groups = [{"questionGroupId": "g", "questionScores": [{"questionId": "q1", "score": 0, "markedNA": True}]}]

    reading = genesys.evaluations_in(finished("form-absent", groups), {})

    assert reading.evaluations == []
    assert problems(reading) == [(
        "evaluationForm.id",
        "form not given and no answered question to make it from: import its form definition too",
    )]
    assert reading.problems[0].got == "form-absent"
