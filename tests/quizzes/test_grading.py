"""Grading each question type: pure functions over question data."""

from __future__ import annotations

import pytest

from lms.core.errors import DomainError
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import correct_answer, grade, normalise, right_key
from tests.fixtures.quizzes import sample


def keyed(kind: QuestionType):
    question = sample(kind)
    for index, choice in enumerate(question.choices):
        choice.key = f"k{index}"
    return question


@pytest.mark.parametrize(
    ("kind", "answer", "credit"),
    [
        (QuestionType.MULTICHOICE, "k0", 1.0),
        (QuestionType.MULTICHOICE, "k1", 0.0),
        (QuestionType.MULTIRESPONSE, ["k0", "k1"], 1.0),
        (QuestionType.MULTIRESPONSE, ["k0"], 0.5),
        (QuestionType.MULTIRESPONSE, ["k0", "k2"], 0.0),
        (QuestionType.MULTIRESPONSE, ["k0", "k1", "k2", "k3"], 0.0),  # never below zero
        (QuestionType.MULTIRESPONSE, ["k0", "k1", "k2"], 0.5),
        (QuestionType.TRUEFALSE, True, 1.0),
        (QuestionType.TRUEFALSE, False, 0.0),
        (QuestionType.SHORTANSWER, "  sp4n-LAPOR!  ", 1.0),  # wildcard, case-insensitive
        (QuestionType.SHORTANSWER, "Lapor", 0.5),
        (QuestionType.SHORTANSWER, "laporan", 0.0),
        (QuestionType.NUMERICAL, 14, 1.0),
        (QuestionType.NUMERICAL, "15,5", 0.5),  # Indonesian decimal comma, second answer
        (QuestionType.NUMERICAL, 16.5, 0.0),
        (QuestionType.ORDERING, ["k0", "k1", "k2", "k3"], 1.0),
        (QuestionType.ORDERING, ["k3", "k2", "k1", "k0"], 0.0),
        (QuestionType.ORDERING, ["k1", "k2", "k3", "k0"], 2 / 3),
    ],
)
def test_grade_each_type(app, kind, answer, credit):
    with app.test_request_context():
        question = keyed(kind)
        assert grade(question, normalise(question, answer)) == pytest.approx(credit, abs=1e-6)


def test_matching_credit_per_pair(app):
    with app.test_request_context():
        question = keyed(QuestionType.MATCHING)
        right = {c.key: right_key(c.match) for c in question.choices}
        assert grade(question, normalise(question, right)) == 1.0
        swapped = dict(right) | {"k0": right["k1"], "k1": right["k0"]}
        assert grade(question, normalise(question, swapped)) == pytest.approx(1 / 3)
        assert correct_answer(question) == right


def test_essay_waits_for_a_trainer(app):
    with app.test_request_context():
        question = sample(QuestionType.ESSAY)
        assert grade(question, normalise(question, "Jawaban panjang")) is None


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        (QuestionType.MULTICHOICE, "tidak-ada"),
        (QuestionType.MULTICHOICE, 3),
        (QuestionType.MULTIRESPONSE, "k0"),
        (QuestionType.MULTIRESPONSE, ["k0", "zz"]),
        (QuestionType.TRUEFALSE, "true"),
        (QuestionType.SHORTANSWER, ["a"]),
        (QuestionType.SHORTANSWER, "x" * 501),
        (QuestionType.NUMERICAL, "empat belas"),
        (QuestionType.NUMERICAL, True),
        (QuestionType.NUMERICAL, "nan"),
        (QuestionType.MATCHING, ["k0"]),
        (QuestionType.MATCHING, {"k0": "bukan-kanan"}),
        (QuestionType.ORDERING, ["k0", "k1"]),
        (QuestionType.ORDERING, ["k0", "k0", "k1", "k2"]),
        (QuestionType.ESSAY, {"teks": "x"}),
    ],
)
def test_wrong_shapes_are_refused(app, kind, answer):
    with app.test_request_context():
        with pytest.raises(DomainError) as error:
            normalise(keyed(kind), answer)
        assert error.value.code == "invalid_answer"
