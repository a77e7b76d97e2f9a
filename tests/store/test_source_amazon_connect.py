"""The Amazon Connect adapter, on files shaped as Connect writes them.

`example-3.1.json` is the admin guide's example evaluation, verbatim; the others
follow the documented shapes: the S3 evaluation file (schema 3.1) and the
`DescribeEvaluationForm` response. Pure functions, no database.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nextcall.store.import_problems import MISSING
from nextcall.store.sources import amazon_connect as connect
from nextcall.store.sources.vendor import Evaluation, Form, Reading, VendorProblem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "amazon_connect"
CARE_ID = "7a1c0e52-3b7f-4d0e-9c51-0f2d6a8e4b11"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def care_forms() -> dict[str, Form]:
    reading = connect.forms_in(load("forms-care.json"))
    assert reading is not None and reading.problems == []
    return {form.lookup: form for _, form in reading.forms}


def the_evaluation(reading: Reading) -> Evaluation:
    assert reading.problems == [], reading.problems
    assert len(reading.evaluations) == 1
    return reading.evaluations[0][1]


def the_problem(reading: Reading) -> VendorProblem:
    assert reading.evaluations == [] and reading.forms == []
    assert len(reading.problems) == 1, reading.problems
    return reading.problems[0]


def results_of(evaluation: Evaluation) -> dict[str, tuple[str, int | None, str | None, str | None]]:
    return {r.key: (r.outcome, r.moment_s, r.quote, r.comment) for r in evaluation.results}


def form_problems(form: dict[str, Any]) -> list[tuple[str, str]]:
    reading = connect.forms_in({"EvaluationForm": form})
    assert reading is not None and reading.forms == []
    return [(problem.path, problem.message) for problem in reading.problems]


def test_name() -> None:
    assert connect.NAME == "amazon-connect"


# -- form definitions ---------------------------------------------------------


def test_two_versions_of_a_form_are_two_forms_known_by_id_and_version() -> None:
    reading = connect.forms_in(load("forms-care.json"))
    assert reading is not None and reading.problems == []
    assert [(path, form.lookup, form.scorecard_id, form.name, form.from_definition) for path, form in reading.forms] == [
        ("[0].EvaluationForm", f"{CARE_ID}:1", f"{CARE_ID}-v1", "Customer Care", True),
        ("[1].EvaluationForm", f"{CARE_ID}:2", f"{CARE_ID}-v2", "Customer Care", True),
    ]


def test_behaviours_are_the_scored_questions_keyed_by_ref_id_across_versions() -> None:
    forms = care_forms()
    v1, v2 = forms[f"{CARE_ID}:1"], forms[f"{CARE_ID}:2"]
    # Text questions are never behaviours; a question weighing 0 (q-survey, v2) is not scored.
    assert [(b.key, b.name) for b in v1.behaviours] == [
        ("q-greet", "Did the agent greet the customer by name?"),
        ("q-verify", "Did the agent verify the caller's identity?"),
        ("q-need", "Did the agent confirm the need before solving?"),
        ("q-hold", "How many seconds was the longest hold?"),
    ]
    assert [b.key for b in v2.behaviours] == ["q-greet", "q-verify", "q-need", "q-hold"]


def test_an_automatic_fail_option_makes_a_behaviour_critical() -> None:
    for form in care_forms().values():
        assert {b.key: b.critical for b in form.behaviours} == {
            "q-greet": False, "q-verify": True, "q-need": False, "q-hold": False,
        }


def test_weights_by_section_share_a_section_evenly_down_every_level() -> None:
    v1 = care_forms()[f"{CARE_ID}:1"]
    # Opening 40 split over its two scored questions; Resolution 60 split 50/50 over two subsections.
    assert {b.key: b.weight for b in v1.behaviours} == {"q-greet": 20.0, "q-verify": 20.0, "q-need": 30.0, "q-hold": 30.0}


def test_weights_by_question_are_each_questions_share_of_the_whole() -> None:
    v2 = care_forms()[f"{CARE_ID}:2"]
    weights = {b.key: b.weight for b in v2.behaviours}
    assert weights == {"q-greet": 10.0, "q-verify": 40.0, "q-need": 30.0, "q-hold": 20.0}
    assert weights["q-verify"] / weights["q-greet"] == pytest.approx(4.0)


def test_uneven_question_weights_within_a_section_are_relative_to_their_siblings() -> None:
    form = load("forms-care.json")[0]["EvaluationForm"]
    opening = form["Items"][0]["Section"]["Items"]
    opening[0]["Question"]["Weight"] = 30  # q-greet
    opening[1]["Question"]["Weight"] = 10  # q-verify
    opening[2]["Question"]["Weight"] = 60  # q-notes is text: it takes no share
    reading = connect.forms_in(form)
    assert reading is not None and reading.problems == []
    weights = {b.key: b.weight for b in reading.forms[0][1].behaviours}
    assert weights == {"q-greet": 30.0, "q-verify": 10.0, "q-need": 30.0, "q-hold": 30.0}


def test_the_inner_evaluation_form_object_is_read_too() -> None:
    inner = load("forms-care.json")[1]["EvaluationForm"]
    reading = connect.forms_in(inner)
    assert reading is not None and reading.problems == []
    assert [(path, form.lookup) for path, form in reading.forms] == [("", f"{CARE_ID}:2")]


@pytest.mark.parametrize(
    "name", ["example-3.1.json", "evaluation-v1-automatic-fail.json", "malformed.json"]
)
def test_an_evaluation_is_not_a_form_definition(name: str) -> None:
    assert connect.forms_in(load(name)) is None


@pytest.mark.parametrize("document", [None, "text", 3, [], [1, 2], {"hello": "world"}, {"EvaluationForm": "x"}])
def test_anything_else_is_not_a_form_definition(document: Any) -> None:
    assert connect.forms_in(document) is None


def test_scoring_disabled_scores_no_question() -> None:
    form = load("forms-care.json")[0]["EvaluationForm"]
    form["ScoringStrategy"]["Status"] = "DISABLED"
    assert form_problems(form) == [
        ("EvaluationForm", "the form scores no question (scoring is not enabled); expected a form with scoring enabled")
    ]


def test_a_question_scored_form_needs_each_scored_questions_weight() -> None:
    form = load("forms-care.json")[1]["EvaluationForm"]
    del form["Items"][0]["Section"]["Items"][1]["Question"]["Weight"]
    [(path, message)] = form_problems(form)
    assert path == "EvaluationForm.Items[0].Section.Items[1].Question.Weight"
    assert message.startswith("missing; the form is scored by question")


def test_form_problems_name_their_path() -> None:
    form = load("forms-care.json")[0]["EvaluationForm"]
    form["EvaluationFormVersion"] = "1"
    form["Items"][1]["Section"]["Weight"] = 150
    form["Items"][1]["Section"]["Items"][1]["Section"]["Items"][0]["Question"]["RefId"] = "q-greet"
    form["Items"][0]["Section"]["Items"][1]["Question"]["QuestionTypeProperties"]["SingleSelect"]["Options"][1][
        "AutomaticFail"
    ] = "yes"
    form["Items"].append({"Page": {}})
    problems = form_problems(form)
    assert problems == [
        ("EvaluationForm.EvaluationFormVersion", "expected the form's version, a whole number from 1"),
        (
            "EvaluationForm.Items[0].Section.Items[1].Question.QuestionTypeProperties.SingleSelect.Options[1].AutomaticFail",
            "not true or false; expected whether this answer fails the whole evaluation",
        ),
        ("EvaluationForm.Items[1].Section.Weight", "expected a number from 0 to 100"),
        ("EvaluationForm.Items[2]", "expected an object holding one Section or one Question"),
        (
            "EvaluationForm.Items[1].Section.Items[1].Section.Items[0].Question.RefId",
            "this question id is used twice in the form (first at "
            "EvaluationForm.Items[0].Section.Items[0].Question.RefId); ids are unique in a form",
        ),
    ]


def test_a_form_version_given_twice_is_a_problem() -> None:
    both = load("forms-care.json")
    reading = connect.forms_in([both[0], copy.deepcopy(both[0])])
    assert reading is not None
    assert [form.lookup for _, form in reading.forms] == [f"{CARE_ID}:1"]
    [problem] = reading.problems
    assert (problem.path, problem.got) == ("[1].EvaluationForm.EvaluationFormVersion", f"{CARE_ID}:1")
    assert "given twice" in problem.message


def test_a_list_mixing_forms_and_other_things_names_the_other_thing() -> None:
    reading = connect.forms_in([load("forms-care.json")[0], load("example-3.1.json")])
    assert reading is not None and len(reading.forms) == 1
    [problem] = reading.problems
    assert problem.path == "[1]" and problem.message.startswith("not an evaluation form definition")


# -- scorecard ids ------------------------------------------------------------


def test_a_uuid_form_id_keeps_its_id_with_the_version() -> None:
    assert connect.scorecard_id(CARE_ID, 12) == f"{CARE_ID}-v12"


def test_a_long_form_id_is_shortened_the_same_way_each_time() -> None:
    long_id = "contact-center-quality-" + "x" * 480
    shortened = connect.scorecard_id(long_id, 3)
    assert len(shortened) <= 64 and shortened.endswith("-v3")
    assert shortened.startswith("contact-center-quality-x")
    assert shortened == connect.scorecard_id(long_id, 3)
    assert shortened != connect.scorecard_id(long_id + "y", 3)
    assert connect.scorecard_id(long_id, 4) == shortened[: -len("-v3")] + "-v4"


def test_a_form_id_with_spaces_or_control_characters_is_made_an_id() -> None:
    shortened = connect.scorecard_id("care form\tv/2", 1)
    assert shortened.startswith("care-form-v-2-") and shortened.endswith("-v1")
    assert not any(char.isspace() or ord(char) < 32 for char in shortened)
    assert shortened != connect.scorecard_id("care form v/2", 1)


def test_a_long_form_id_in_a_definition_and_its_evaluation_meet() -> None:
    long_id = "f" * 100
    form = load("forms-care.json")[0]["EvaluationForm"]
    form["EvaluationFormId"] = long_id
    reading = connect.forms_in(form)
    assert reading is not None and reading.problems == []
    [(_, definition)] = reading.forms
    evaluation = load("evaluation-v1-automatic-fail.json")
    evaluation["metadata"]["evaluationDefinitionId"] = long_id
    read = the_evaluation(connect.evaluations_in(evaluation, {definition.lookup: definition}))
    assert read.form is definition
    assert len(definition.scorecard_id) <= 64


# -- evaluations --------------------------------------------------------------


def test_the_documentations_example_without_its_form() -> None:
    evaluation = the_evaluation(connect.evaluations_in(load("example-3.1.json"), {}))
    assert evaluation.call_id == "badd4896-75f7-43b3-bee6-c617ed3d04cb"
    assert evaluation.agent == "286bcec0-e722-4166-865f-84db80252218"
    assert evaluation.submitted_at == datetime(2022, 11, 14, 17, 59, 29, 52000, tzinfo=UTC)
    assert evaluation.occurred_at is None and evaluation.channel is None
    assert evaluation.evaluator == "jane"
    form = evaluation.form
    assert form.lookup == "15d8fbf1-b4b2-4ace-869b-82714e2f6e3e:2"
    assert form.scorecard_id == "15d8fbf1-b4b2-4ace-869b-82714e2f6e3e-v2"
    assert form.name == "Compliance Evaluation Form"
    assert form.from_definition is False
    # The text question (qc2effc9d) is no behaviour; without a definition all weigh the same.
    assert [(b.key, b.name, b.weight, b.critical) for b in form.behaviours] == [
        ("q570b206a", "How do you rate the contact between 1 and 10?", None, False),
        ("q73bc5b9d", "Did the agent introduce themselves?", None, False),
    ]
    assert results_of(evaluation) == {
        "q570b206a": ("na", None, None, "Add more information here"),
        "q73bc5b9d": ("met", None, None, "Add more information here"),
    }


def test_an_evaluation_takes_the_form_definition_of_its_version() -> None:
    forms = care_forms()
    v1 = the_evaluation(connect.evaluations_in(load("evaluation-v1-automatic-fail.json"), forms))
    v2 = the_evaluation(connect.evaluations_in(load("evaluation-v2-automated.json"), forms))
    assert v1.form is forms[f"{CARE_ID}:1"]
    assert v2.form is forms[f"{CARE_ID}:2"]


def test_na_automatic_fail_text_and_numeric_answers() -> None:
    evaluation = the_evaluation(connect.evaluations_in(load("evaluation-v1-automatic-fail.json"), care_forms()))
    assert evaluation.call_id == "c0ffee01-1111-4a4a-8b8b-000000000001"
    assert evaluation.agent == "a9f3c2d1-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    assert evaluation.submitted_at == datetime(2026, 11, 20, 15, 42, 10, 250000, tzinfo=UTC)
    assert evaluation.evaluator == "r.osei"
    assert results_of(evaluation) == {
        "q-greet": ("met", None, None, "Used the customer's name twice"),
        "q-verify": ("missed", None, None, "Skipped the security question"),
        "q-need": ("na", None, None, None),  # notes of spaces are no comment
        "q-hold": ("missed", None, None, "Held 95 s while checking the order"),
    }
    assert [r.key for r in evaluation.results] == ["q-greet", "q-verify", "q-need", "q-hold"]


def test_points_of_interest_give_the_moment_and_the_quote() -> None:
    evaluation = the_evaluation(connect.evaluations_in(load("evaluation-v2-automated.json"), care_forms()))
    assert results_of(evaluation) == {
        # GenAI, camelCase in the answer: the first point of interest, 4250 ms -> 4 s.
        "q-greet": ("met", 4, "Hi Dana, thanks for calling Northwind.", None),
        # Contact Lens category, PascalCase in the answer's metadata: 73999 ms -> 73 s.
        "q-verify": ("missed", 73, "Customer: I just need the reset link", "Reset the password before asking the security question"),
        # 50% is less than full; the suggestion that FAILED gives no moment.
        "q-need": ("missed", None, None, "Repeated the order number, not the need"),
        "q-hold": ("met", None, None, None),
    }


def test_the_submit_time_keeps_its_offset_and_its_instant() -> None:
    evaluation = the_evaluation(connect.evaluations_in(load("evaluation-v2-automated.json"), care_forms()))
    assert evaluation.submitted_at == datetime(2026, 11, 21, 8, 5, tzinfo=UTC)
    assert evaluation.submitted_at.utcoffset() is not None


def test_an_unknown_form_is_made_from_the_evaluation_with_equal_weights() -> None:
    evaluation = the_evaluation(connect.evaluations_in(load("evaluation-unknown-form.json"), care_forms()))
    form = evaluation.form
    assert (form.lookup, form.scorecard_id, form.name, form.from_definition) == (
        "d41e7a90-6c2b-4f0e-a3b5-9e8f7c6d5b4a:3",
        "d41e7a90-6c2b-4f0e-a3b5-9e8f7c6d5b4a-v3",
        "Sales Discovery",
        False,
    )
    assert [(b.key, b.weight, b.critical) for b in form.behaviours] == [
        ("q-open-question", None, False),
        ("q-budget", None, False),
    ]
    assert results_of(evaluation) == {
        "q-open-question": ("met", None, None, None),
        "q-budget": ("missed", None, None, "Quoted the premium plan without asking"),
    }
    assert evaluation.agent == "b7e21f04-9d3c-4e8a-b1f6-2c5d8e0a4f93"


def test_a_version_not_given_is_made_from_the_evaluation_even_when_another_version_is() -> None:
    document = load("evaluation-v1-automatic-fail.json")
    document["metadata"]["evaluationDefinitionVersion"] = 3
    evaluation = the_evaluation(connect.evaluations_in(document, care_forms()))
    assert evaluation.form.from_definition is False
    assert evaluation.form.scorecard_id == f"{CARE_ID}-v3"


def test_a_question_the_form_does_not_answer_is_left_out() -> None:
    document = load("evaluation-v2-automated.json")
    del document["questions"][4]  # q-hold
    evaluation = the_evaluation(connect.evaluations_in(document, care_forms()))
    assert [r.key for r in evaluation.results] == ["q-greet", "q-verify", "q-need"]


def test_a_list_of_evaluations_is_read_item_by_item() -> None:
    documents = [load("example-3.1.json"), load("evaluation-unknown-form.json")]
    reading = connect.evaluations_in(documents, {})
    assert reading.problems == []
    assert [(path, e.call_id) for path, e in reading.evaluations] == [
        ("[0]", "badd4896-75f7-43b3-bee6-c617ed3d04cb"),
        ("[1]", "c0ffee03-3333-4c4c-adad-000000000003"),
    ]


# -- problems -----------------------------------------------------------------


def test_the_malformed_file_names_every_problem_and_yields_no_evaluation() -> None:
    reading = connect.evaluations_in(load("malformed.json"), care_forms())
    assert reading.evaluations == []
    assert [(p.path, p.got) for p in reading.problems] == [
        ("metadata.agentId", MISSING),
        ("metadata.evaluationSubmitTimestamp", "2026-11-23T10:05:00"),
        ("questions[0].score.percentage", 120),
        ("questions[2].questionRefId", "q-verify"),
    ]
    messages = [p.message for p in reading.problems]
    assert messages[0] == "missing; expected the evaluated agent's user id"
    assert "no time zone" in messages[1]
    assert messages[2] == "expected a number from 0 to 100"
    assert "answered twice (first at questions[1].questionRefId)" in messages[3]


@pytest.mark.parametrize("document", ["text", 3, None, [1, 2]])
def test_not_a_json_object(document: Any) -> None:
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == "record"
    assert problem.message.startswith("not a JSON object")
    assert problem.got == document


def test_an_object_shaped_like_neither_says_so_once() -> None:
    problem = the_problem(connect.evaluations_in({"Contacts": [], "NextToken": "abc"}, {}))
    assert problem.path == "record"
    assert "neither an Amazon Connect evaluation" in problem.message and "nor a form definition" in problem.message
    assert problem.got == ["Contacts", "NextToken"]


@pytest.mark.parametrize("key", ["contactId", "agentId", "evaluationSubmitTimestamp"])
def test_missing_metadata_fields(key: str) -> None:
    document = load("example-3.1.json")
    del document["metadata"][key]
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == f"metadata.{key}"
    assert problem.got is MISSING


def test_a_blank_contact_id_is_empty() -> None:
    document = load("example-3.1.json")
    document["metadata"]["contactId"] = "  "
    problem = the_problem(connect.evaluations_in(document, {}))
    assert (problem.path, problem.message, problem.got) == ("metadata.contactId", "empty; expected the contact's id", "  ")


@pytest.mark.parametrize("key", ["metadata", "questions"])
def test_missing_metadata_or_questions(key: str) -> None:
    document = load("example-3.1.json")
    del document[key]
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == key and problem.got is MISSING


@pytest.mark.parametrize("version", ["3.1", "3.0", "3.7", "3.12"])
def test_schema_versions_3_x_are_read(version: str) -> None:
    document = load("example-3.1.json")
    document["schemaVersion"] = version
    the_evaluation(connect.evaluations_in(document, {}))


@pytest.mark.parametrize("version", ["2.0", "4.0", "3", "3.1-beta", 3.1, None])
def test_other_schema_versions_are_refused_naming_those_read(version: Any) -> None:
    document = load("example-3.1.json")
    document["schemaVersion"] = version
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == "schemaVersion" and problem.got == version
    assert problem.message == "unknown schema version; nextcall reads Amazon Connect evaluations of schema 3.x (such as 3.1)"


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        ("2022-11-14T17:59:29.052", "has no time zone"),
        ("14/11/2022 17:59", "not a time"),
        ("", "not a time"),
        (1668448769052, "expected an ISO 8601 time with a time zone"),
    ],
)
def test_a_submit_time_needs_a_time_zone(stamp: Any, message: str) -> None:
    document = load("example-3.1.json")
    document["metadata"]["evaluationSubmitTimestamp"] = stamp
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == "metadata.evaluationSubmitTimestamp" and problem.got == stamp
    assert message in problem.message


@pytest.mark.parametrize("percentage", [-1, 100.5, "100", True, None])
def test_a_percentage_is_a_number_from_0_to_100(percentage: Any) -> None:
    document = load("example-3.1.json")
    document["questions"][1]["score"]["percentage"] = percentage
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == "questions[1].score.percentage" and problem.got == percentage
    assert problem.message == "expected a number from 0 to 100"


def test_a_score_with_neither_percentage_nor_not_applicable_is_missing() -> None:
    document = load("example-3.1.json")
    document["questions"][1]["score"] = {}
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == "questions[1].score.percentage"
    assert problem.message.startswith("missing; expected a number from 0 to 100")


def test_a_fractional_percentage_below_100_is_missed() -> None:
    document = load("example-3.1.json")
    document["questions"][1]["score"]["percentage"] = 99.5
    evaluation = the_evaluation(connect.evaluations_in(document, {}))
    assert results_of(evaluation)["q73bc5b9d"][0] == "missed"


def test_not_applicable_in_the_answer_alone_is_na() -> None:
    document = load("evaluation-v1-automatic-fail.json")
    document["questions"][3]["score"] = {"percentage": 0}
    evaluation = the_evaluation(connect.evaluations_in(document, care_forms()))
    assert results_of(evaluation)["q-need"][0] == "na"


def test_a_question_the_given_definition_lacks_is_a_problem() -> None:
    document = load("evaluation-v1-automatic-fail.json")
    extra = copy.deepcopy(document["questions"][0])
    extra["questionRefId"] = "q-upsell"
    extra["questionText"] = "Did the agent offer the upgrade?"
    document["questions"].append(extra)
    problem = the_problem(connect.evaluations_in(document, care_forms()))
    assert (problem.path, problem.got) == ("questions[5].questionRefId", "q-upsell")
    assert f"not a scored question of form {CARE_ID}:1" in problem.message


def test_an_answer_to_a_question_the_definition_does_not_score_is_passed_over() -> None:
    document = load("evaluation-v2-automated.json")
    survey = copy.deepcopy(document["questions"][0])
    survey |= {"questionRefId": "q-survey", "questionText": "Offered the survey?", "score": {"percentage": 0}}
    document["questions"].append(survey)
    forms = care_forms()
    assert "q-survey" in forms[f"{CARE_ID}:2"].unscored  # weighs 0 in version 2

    evaluation = the_evaluation(connect.evaluations_in(document, forms))

    assert "q-survey" not in results_of(evaluation)


def test_a_bad_point_of_interest_offset_is_a_problem() -> None:
    document = load("evaluation-v2-automated.json")
    point = document["questions"][0]["answer"]["suggestedAnswers"][0]["analysisDetails"]["genAI"]["pointsOfInterest"][0]
    point["millisecondOffsets"]["beginOffsetMillis"] = -5
    problem = the_problem(connect.evaluations_in(document, care_forms()))
    assert problem.path == (
        "questions[0].answer.suggestedAnswers[0].analysisDetails.genAI.pointsOfInterest[0]"
        ".millisecondOffsets.beginOffsetMillis"
    )
    assert problem.got == -5 and "whole milliseconds" in problem.message


def test_an_evaluation_with_only_text_questions_and_no_form_scores_nothing() -> None:
    document = load("example-3.1.json")
    document["questions"] = [document["questions"][2]]
    problem = the_problem(connect.evaluations_in(document, {}))
    assert problem.path == "questions" and "no scored question" in problem.message


def test_an_answer_that_is_not_an_object_is_a_problem() -> None:
    document = load("example-3.1.json")
    document["questions"][1]["answer"] = ["Yes"]
    problem = the_problem(connect.evaluations_in(document, {}))
    assert (problem.path, problem.got) == ("questions[1].answer", ["Yes"])
    assert problem.message.startswith("not an object")


def test_a_question_title_longer_than_a_name_is_cut_with_an_ellipsis() -> None:
    form = load("forms-care.json")[0]["EvaluationForm"]
    form["Items"][0]["Section"]["Items"][0]["Question"]["Title"] = "Did the agent " + "really " * 48 + "greet?"
    reading = connect.forms_in(form)
    assert reading is not None and reading.problems == []
    name = reading.forms[0][1].behaviours[0].name
    assert len(name) == 200 and name.endswith(" really rea…") and name.startswith("Did the agent really")
