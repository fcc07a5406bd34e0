"""Taking quizzes through the services: attempts, answers, deadlines, grading, effects."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.signals import attempt_graded
from lms.quizzes import attempts as taking
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import AttemptState, GradingMethod, QuizKind
from tests.fixtures.quizzes import OBJECTIVE_TYPES, sample

ALL = OBJECTIVE_TYPES


def right_answers(attempt):
    """The fully right answer of every slot, in the API's shape."""
    from lms.quizzes.grading import correct_answer

    return {s.slot: correct_answer(s.question.data()) for s in attempt.slots}


def start(quizzes, setup, learner, **kwargs):
    attempt, _created = taking.start_or_resume(setup.quiz, learner, **kwargs)
    return attempt


def test_full_marks_complete_the_lesson_and_the_course(db, courses, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup(ALL, enrol=learner)
    enrollment = courses.enrollment(setup.course, learner.employee)
    courses.complete(enrollment, courses.lessons(setup.course)[0])
    attempt = start(quizzes, setup, learner)
    assert len(attempt.slots) == len(ALL)
    now = utcnow()
    for slot, answer in right_answers(attempt).items():
        taking.save_answer(attempt, slot, answer, now=now)
    taking.submit(attempt, now=now)
    assert attempt.state is AttemptState.GRADED
    assert attempt.percent == 100.0 and attempt.is_passed is True
    enrollment = courses.enrollment(setup.course, learner.employee)
    assert enrollment.progress_percent == 100 and enrollment.completed_at is not None


def test_a_second_start_resumes_the_same_attempt(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.TRUEFALSE], enrol=learner)
    first, created = taking.start_or_resume(setup.quiz, learner)
    taking.save_answer(first, 2, True, now=utcnow())
    again, created_again = taking.start_or_resume(setup.quiz, learner)
    assert created and not created_again
    assert again.id == first.id
    assert [s.answer for s in again.slots] == [None, True]


def test_attempts_allowed_and_grading_methods(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup(
        [QuestionType.MULTIRESPONSE], enrol=learner, attempts_allowed=3, pass_percent=60
    )
    results = []
    for answer in (["k"], ["a", "b"], ["a"]):  # 0 %, 100 %, 50 %
        attempt = start(quizzes, setup, learner)
        keys = {c["text"].lower(): c["key"] for c in attempt.slots[0].question.choices}
        given = [keys[a] for a in answer if a in keys]
        taking.save_answer(attempt, 1, given, now=utcnow())
        taking.submit(attempt, now=utcnow())
        results.append(attempt.percent)
    assert results == [0.0, 100.0, 50.0]
    with pytest.raises(DomainError) as error:
        start(quizzes, setup, learner)
    assert error.value.code == "no_attempts_left"
    all_attempts = taking.attempts_of(setup.quiz.id, learner.employee_id)
    expected = {
        GradingMethod.HIGHEST: 100.0,
        GradingMethod.FIRST: 0.0,
        GradingMethod.LAST: 50.0,
        GradingMethod.AVERAGE: 50.0,
    }
    for method, grade in expected.items():
        setup.quiz.grading_method = method
        assert taking.quiz_grade(setup.quiz, all_attempts) == grade
    setup.quiz.grading_method = GradingMethod.LAST
    assert not taking.lesson_done(setup.quiz, all_attempts)  # 50 % < 60 %


def test_answers_after_the_deadline_do_not_count(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup(
        [QuestionType.TRUEFALSE, QuestionType.MULTICHOICE], enrol=learner, time_limit_minutes=10
    )
    began = utcnow() - timedelta(minutes=11)
    attempt = start(quizzes, setup, learner, now=began)
    assert attempt.deadline == began + timedelta(minutes=10)
    taking.save_answer(attempt, 1, True, now=began + timedelta(minutes=5))
    with pytest.raises(DomainError) as error:
        taking.save_answer(attempt, 2, attempt.slots[1].option_order[0], now=utcnow())
    assert error.value.code == "deadline_passed"
    # the learner never comes back: the job submits what was saved in time
    assert taking.finish_overdue(now=utcnow()) >= 1
    assert attempt.state is AttemptState.GRADED and attempt.is_auto_submitted
    assert attempt.score == 1.0 and attempt.max_score == 2.0
    assert attempt.slots[1].answer is None


def test_a_start_that_loses_the_race_for_its_number_resumes_the_winner(db, quizzes, monkeypatch):
    """Another tab's attempt is written between this start's read and its INSERT: the INSERT
    does nothing and this start resumes that attempt, with its questions, and no error."""
    from lms.quizzes.models import Attempt

    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE, QuestionType.MULTICHOICE], enrol=learner)
    real = taking.window_problem
    other = {}

    def other_tab_first(quiz, now):
        if not other:
            other["attempt"] = None  # the other tab's own start passes straight through
            other["attempt"], created = taking.start_or_resume(setup.quiz, learner)
            assert created
        return real(quiz, now)

    monkeypatch.setattr(taking, "window_problem", other_tab_first)
    monkeypatch.setattr(taking, "_latest_attempt_query", _no_attempt_yet(taking))
    attempt, created = taking.start_or_resume(setup.quiz, learner)
    assert created is False
    assert attempt.id == other["attempt"].id and attempt.number == 1
    assert len(attempt.slots) == 2
    count = db.session.query(Attempt).filter_by(quiz_id=setup.quiz.id).count()
    assert count == 1


def _no_attempt_yet(taking_module):
    """The latest-attempt query as the losing tab saw it, before the other tab's INSERT."""
    from sqlalchemy import false

    original = taking_module._latest_attempt_query

    def query():
        return original().where(false())

    return query


def test_double_submit_counts_once(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE], enrol=learner)
    attempt = start(quizzes, setup, learner)
    taking.save_answer(attempt, 1, True, now=utcnow())
    seen = []

    def receiver(_sender, **kwargs):
        seen.append(kwargs["attempt"].id)

    attempt_graded.connect(receiver)
    try:
        taking.submit(attempt, now=utcnow())
        submitted_at = attempt.submitted_at
        taking.submit(attempt, now=utcnow() + timedelta(seconds=5))
    finally:
        attempt_graded.disconnect(receiver)
    assert seen == [attempt.id]
    assert attempt.submitted_at == submitted_at
    with pytest.raises(DomainError) as error:
        taking.save_answer(attempt, 1, False, now=utcnow())
    assert error.value.code == "already_submitted"


def test_wrong_slot_and_shape(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.NUMERICAL], enrol=learner)
    attempt = start(quizzes, setup, learner)
    taking.save_answer(attempt, 1, "14", now=utcnow())
    with pytest.raises(DomainError) as missing:
        taking.save_answer(attempt, 2, "1", now=utcnow())
    with pytest.raises(DomainError) as shape:
        taking.save_answer(attempt, 1, {"x": 1}, now=utcnow())
    assert (missing.value.code, shape.value.code) == ("not_found", "invalid_answer")
    assert attempt.slots[0].answer == 14.0  # what was saved before stays


def test_essay_is_graded_by_the_trainer_and_announced(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.ESSAY, QuestionType.TRUEFALSE], enrol=learner)
    setup.questions[1].competency = "T-KI"
    setup.questions[1].level = 3
    attempt = start(quizzes, setup, learner)
    taking.save_answer(attempt, 1, "Pelayanan publik harus ...", now=utcnow())
    taking.save_answer(attempt, 2, True, now=utcnow())
    announced = []

    def receiver(_sender, **kwargs):
        announced.append(kwargs["competencies"])

    attempt_graded.connect(receiver)
    try:
        taking.submit(attempt, now=utcnow())
        assert attempt.state is AttemptState.NEEDS_GRADING and attempt.is_passed is None
        assert announced == []
        taking.grade_essay(attempt.slots[0], 0.5, "Cukup baik", actor=quizzes.trainer())
    finally:
        attempt_graded.disconnect(receiver)
    assert attempt.state is AttemptState.GRADED
    assert attempt.percent == 75.0 and attempt.is_passed is True
    assert attempt.slots[0].comment == "Cukup baik"
    [scores] = announced
    by_code = {(s.competency, s.level): s for s in scores}
    assert by_code[("M-PP", 2)].percent == 50.0
    assert by_code[("T-KI", 3)].percent == 100.0
    with pytest.raises(DomainError):
        taking.grade_essay(attempt.slots[0], 2, "", actor=quizzes.trainer())


def test_regrade_after_fixing_the_key(db, courses, quizzes):
    from lms.quizzes import bank

    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.MULTICHOICE], enrol=learner, pass_percent=100)
    attempt = start(quizzes, setup, learner)
    question = setup.questions[0]
    wrong = next(c["key"] for c in question.choices if c["text"] == "Salah satu")
    taking.save_answer(attempt, 1, wrong, now=utcnow())
    taking.submit(attempt, now=utcnow())
    assert attempt.percent == 0.0 and attempt.is_passed is False
    data = question.data()
    for choice in data.choices:  # the key was wrong: "Salah satu" is the right answer
        choice.fraction = 1.0 if choice.text == "Salah satu" else 0.0
    assert bank.update_question(question, data, actor=quizzes.trainer())
    assert taking.stale_attempt_count(question) == 1
    assert taking.regrade(question, actor=quizzes.trainer()) == 1
    assert attempt.percent == 100.0 and attempt.is_passed is True
    assert taking.stale_attempt_count(question) == 0
    enrollment = courses.enrollment(setup.course, learner.employee)
    lesson_keys = taking.enrolment.done_keys(enrollment, setup.course.published_version_id)
    assert setup.lesson.key in lesson_keys
    # and back: a key change that takes the pass away takes the lesson back too
    for choice in data.choices:
        choice.fraction = 1.0 if choice.text == "Benar" else 0.0
    bank.update_question(question, data, actor=quizzes.trainer())
    taking.regrade(question, actor=quizzes.trainer())
    assert attempt.is_passed is False
    enrollment = courses.enrollment(setup.course, learner.employee)
    assert setup.lesson.key not in taking.enrolment.done_keys(
        enrollment, setup.course.published_version_id
    )


def test_pre_test_completes_without_a_pass(db, courses, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE], enrol=learner, kind=QuizKind.PRE_TEST)
    attempt = start(quizzes, setup, learner)
    taking.save_answer(attempt, 1, False, now=utcnow())
    taking.submit(attempt, now=utcnow())
    assert attempt.is_passed is False
    enrollment = courses.enrollment(setup.course, learner.employee)
    assert setup.lesson.key in taking.enrolment.done_keys(
        enrollment, setup.course.published_version_id
    )


def test_availability_window_and_closing_deadline(db, quizzes):
    learner = quizzes.learner()
    now = utcnow()
    setup = quizzes.setup(
        [QuestionType.TRUEFALSE], enrol=learner, opens_at=now + timedelta(hours=1)
    )
    with pytest.raises(DomainError) as error:
        start(quizzes, setup, learner, now=now)
    assert error.value.code == "closed"
    setup.quiz.opens_at = None
    setup.quiz.closes_at = now + timedelta(minutes=5)
    setup.quiz.time_limit_minutes = 60
    attempt = start(quizzes, setup, learner, now=now)
    assert attempt.deadline == now + timedelta(minutes=5)  # the window closes first


def test_random_draws_and_shuffles(db, quizzes):
    from lms.quizzes import bank
    from lms.quizzes.models import QuizItem

    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.MULTICHOICE], enrol=learner, shuffle_options=True)
    pool = bank.category_for(setup.course.organisation_id, setup.course.id, "Bank/level3")
    drawn_ids = set()
    for n in range(6):
        question = bank.add_question(
            pool,
            sample(QuestionType.TRUEFALSE, title=f"Acak {n}", level=3 if n < 4 else 4),
            actor=None,
        )
        if n < 4:
            drawn_ids.add(question.id)
    setup.quiz.items.append(QuizItem(category_id=pool.id, level=3, draw_count=2, position=1))
    db.session.flush()
    attempt = start(quizzes, setup, learner)
    asked = [s.question_id for s in attempt.slots]
    assert len(asked) == 3 and len(set(asked)) == 3
    assert set(asked[1:]) <= drawn_ids  # only level 3 from the category
    assert sorted(attempt.slots[0].option_order) == sorted(
        c["key"] for c in setup.questions[0].choices
    )


@pytest.mark.parametrize(
    ("method", "done"), [(GradingMethod.HIGHEST, True), (GradingMethod.FIRST, False)]
)
def test_a_later_pass_completes_the_lesson_by_the_grading_method(db, courses, quizzes, method,
                                                                 done):  # fmt: skip
    learner = quizzes.learner()
    setup = quizzes.setup(
        [QuestionType.TRUEFALSE], enrol=learner, attempts_allowed=2, grading_method=method
    )
    right = None
    for _number in (1, 2):
        attempt = start(quizzes, setup, learner)
        if right is None:  # the first attempt is left empty, the second answered right
            right = right_answers(attempt)
        else:
            taking.save_answer(attempt, 1, right[1], now=utcnow())
        taking.submit(attempt, now=utcnow())
    assert attempt.is_passed is True
    enrollment = courses.enrollment(setup.course, learner.employee)
    keys = taking.enrolment.done_keys(enrollment, setup.course.published_version_id)
    assert (setup.lesson.key in keys) is done
