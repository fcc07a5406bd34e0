"""The quiz API: attempts, answers, submission, statistics, question import and export."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from lms.core.db import utcnow
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import correct_answer
from lms.quizzes.models import Attempt
from tests.fixtures.courses import bearer, login_token
from tests.fixtures.quizzes import OBJECTIVE_TYPES

KINDS = [*OBJECTIVE_TYPES, QuestionType.ESSAY]
#: what must never reach a learner while answering
SECRETS = ("fraction", "correct", "feedback", "match", "tolerance", "value")


def start_attempt(
    client: Any, db: Any, quizzes: Any, kinds: list[QuestionType], **settings: Any
) -> tuple[Any, dict[str, str], dict[str, Any]]:
    """A quiz of ``kinds`` the demo learner is enrolled in, the learner's API headers, and the
    attempt they started (as the API returned it)."""
    learner = quizzes.learner()
    setup = quizzes.setup(kinds, enrol=learner, **settings)
    db.session.commit()
    headers = bearer(login_token(client, "pegawai.solok@lentera.test"))
    attempt = client.post(f"/api/v1/quizzes/{setup.quiz.id}/attempts", headers=headers)
    return setup, headers, attempt.get_json()


def test_take_a_quiz_through_the_api(client, db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup(KINDS, enrol=learner, time_limit_minutes=30)
    db.session.commit()
    token = login_token(client, "pegawai.solok@lentera.test")

    outline = client.get(f"/api/v1/courses/{setup.course.code}", headers=bearer(token))
    quiz_lessons = [
        lesson
        for module in outline.get_json()["modules"]
        for lesson in module["lessons"]
        if lesson["type"] == "quiz"
    ]
    assert quiz_lessons[0]["quiz_id"] == setup.quiz.id

    started = client.post(f"/api/v1/quizzes/{setup.quiz.id}/attempts", headers=bearer(token))
    assert started.status_code == 201
    body = started.get_json()
    assert body["deadline"] and 1700 < body["remaining_seconds"] <= 1800
    assert [q["slot"] for q in body["questions"]] == list(range(1, len(KINDS) + 1))
    raw = json.dumps(body["questions"])
    for secret in SECRETS:
        assert f'"{secret}"' not in raw
    matching = next(q for q in body["questions"] if q["type"] == "matching")
    assert len(matching["options"]) == 3 and len(matching["targets"]) == 3

    resumed = client.post(f"/api/v1/quizzes/{setup.quiz.id}/attempts", headers=bearer(token))
    assert resumed.status_code == 200 and resumed.get_json()["id"] == body["id"]

    db.session.expire_all()
    attempt = db.session.get(Attempt, body["id"])
    answers = {s.slot: correct_answer(s.question.data()) for s in attempt.slots}
    answers[len(KINDS)] = "Esai saya."
    for slot, answer in answers.items():
        saved = client.put(
            f"/api/v1/attempts/{attempt.id}/answers/{slot}",
            json={"answer": answer},
            headers=bearer(token),
        )
        assert saved.status_code == 200, saved.get_json()
    result = client.post(f"/api/v1/attempts/{attempt.id}/submit", headers=bearer(token))
    assert result.status_code == 200
    assert result.get_json() == {
        "state": "needs_grading",
        "score": 7.0,
        "max_score": 8.0,
        "percent": 87.5,
        "passed": None,
    }
    again = client.post(f"/api/v1/attempts/{attempt.id}/submit", headers=bearer(token))
    assert again.get_json() == result.get_json()
    review = client.get(f"/api/v1/attempts/{attempt.id}", headers=bearer(token)).get_json()
    assert review["state"] == "needs_grading"
    assert review["questions"][0]["correct"] is True  # review option "feedback" shows keys


def test_bad_answers_get_clear_errors_and_keep_what_was_saved(client, db, quizzes):
    _setup, learner, attempt = start_attempt(
        client, db, quizzes, [QuestionType.TRUEFALSE, QuestionType.NUMERICAL]
    )
    url = f"/api/v1/attempts/{attempt['id']}/answers"
    assert client.put(f"{url}/1", json={"answer": True}, headers=learner).status_code == 200
    cases = [
        (f"{url}/1", {"answer": "ya"}, 422, "invalid_answer"),
        (f"{url}/2", {"answer": "empat"}, 422, "invalid_answer"),
        (f"{url}/9", {"answer": 1}, 404, "not_found"),
        (f"{url}/1", {"jawab": True}, 422, "invalid_answer"),
        ("/api/v1/attempts/999999/answers/1", {"answer": True}, 404, "not_found"),
    ]
    for target, payload, status, code in cases:
        response = client.put(target, json=payload, headers=learner)
        assert response.status_code == status, (target, payload, response.get_json())
        assert response.get_json()["error"]["code"] == code
    not_json = client.put(f"{url}/1", data="answer=true", headers=learner)
    assert not_json.status_code == 415
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=learner).get_json()
    assert state["questions"][0]["answer"] is True


def test_someone_elses_attempt_is_not_found(client, db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE], enrol=learner)
    db.session.commit()
    mine = client.post(
        f"/api/v1/quizzes/{setup.quiz.id}/attempts",
        headers=bearer(login_token(client, "pegawai.solok@lentera.test")),
    ).get_json()
    other = bearer(login_token(client, "pegawai.serang@lentera.test"))
    assert client.get(f"/api/v1/attempts/{mine['id']}", headers=other).status_code == 404
    put = client.put(f"/api/v1/attempts/{mine['id']}/answers/1", json={"answer": 1}, headers=other)
    assert put.status_code == 404
    assert client.post(f"/api/v1/attempts/{mine['id']}/submit", headers=other).status_code == 404
    # not enrolled: the quiz cannot be started
    refused = client.post(f"/api/v1/quizzes/{setup.quiz.id}/attempts", headers=other)
    assert refused.status_code in (403, 404)
    assert (
        client.get(f"/api/v1/quizzes/{setup.quiz.id}/statistics", headers=other).status_code == 404
    )


def test_late_answers_are_refused_and_the_attempt_is_submitted(client, db, quizzes):
    _setup, learner, attempt = start_attempt(
        client, db, quizzes, [QuestionType.TRUEFALSE], time_limit_minutes=5
    )
    client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/1", json={"answer": True}, headers=learner
    )
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt["id"])
        .values(deadline=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    late = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/1", json={"answer": False}, headers=learner
    )
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "deadline_passed"
    shown = client.get(f"/api/v1/attempts/{attempt['id']}", headers=learner).get_json()
    assert shown["state"] == "graded" and shown["auto_submitted"] is True
    assert shown["percent"] == 100.0  # the answer saved in time counts, the late one does not


def test_statistics_for_trainers(client, db, quizzes):
    setup, learner, attempt = start_attempt(
        client, db, quizzes, [QuestionType.TRUEFALSE, QuestionType.MULTICHOICE]
    )
    client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/1", json={"answer": True}, headers=learner
    )
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=learner)
    assert (
        client.get(f"/api/v1/quizzes/{setup.quiz.id}/statistics", headers=learner).status_code
        == 404
    )
    trainer = bearer(login_token(client, "pelatih@lentera.test"))
    stats = client.get(f"/api/v1/quizzes/{setup.quiz.id}/statistics", headers=trainer).get_json()
    assert stats["attempts"] == 1 and stats["learners"] == 1
    by_type = {item["type"]: item for item in stats["items"]}
    assert by_type["truefalse"]["facility"] == 100.0
    assert by_type["multichoice"]["facility"] == 0.0
    assert {o["count"] for o in by_type["truefalse"]["options"]} == {1, 0}


GIFT = b"""\
$CATEGORY: Impor/API

// kompetensi: M-PP; level: 2; kesulitan: mudah
::Satu::Maklumat wajib dipublikasikan.{T}

::Rusak::Soal tanpa penutup {=a ~b

// kompetensi: M-KOM; level: 3; kesulitan: sedang
::Dua::Berapa komponen standar pelayanan?{#14}
"""


def test_import_preview_then_import_and_export(client, db, quizzes):
    setup = quizzes.setup([QuestionType.TRUEFALSE])
    db.session.commit()
    trainer = bearer(login_token(client, "pelatih@lentera.test"))
    url = f"/api/v1/courses/{setup.course.code}/questions/import"

    def post(dry_run: str, content: bytes = GIFT, fmt: str = "gift"):
        return client.post(
            url,
            data={"format": fmt, "dry_run": dry_run, "file": (io.BytesIO(content), "soal.gift")},
            headers=trainer,
            content_type="multipart/form-data",
        )

    preview = post("1")
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["imported"] == 0
    assert [q["title"] for q in body["questions"]] == ["Satu", "Dua"]
    assert body["questions"][0]["category"] == "Impor/API"
    assert [e["line"] for e in body["errors"]] == [6]
    done = post("0")
    assert done.status_code == 201 and done.get_json()["imported"] == 2
    assert post("0").get_json()["imported"] == 2  # importing again updates, never duplicates

    exported = client.get(
        f"/api/v1/courses/{setup.course.code}/questions/export?format=gift", headers=trainer
    )
    assert exported.status_code == 200
    text = exported.get_data(as_text=True)
    assert "::Dua::" in text and "$CATEGORY: Impor/API" in text
    xml = client.get(
        f"/api/v1/courses/{setup.course.code}/questions/export?format=moodlexml", headers=trainer
    )
    assert xml.status_code == 200 and b"<quiz>" in xml.data

    assert post("1", fmt="docx").status_code == 422
    # a file of which no question can be read: 422 with every problem, preview or import
    broken_xml = post("1", content=b"<quiz><question", fmt="moodlexml")
    assert broken_xml.status_code == 422 and broken_xml.get_json()["errors"]
    for dry_run in ("1", "0"):
        broken = post(dry_run, content=b"::Rusak:: {=a ~b")
        assert broken.status_code == 422
        body = broken.get_json()
        assert body["error"]["code"] == "no_questions" and body["imported"] == 0
        assert [e["line"] for e in body["errors"]] == [1]
    for content in (b"", b"// hanya komentar\n$CATEGORY: Kosong\n"):
        for dry_run in ("1", "0"):
            empty = post(dry_run, content=content)
            assert empty.status_code == 422
            assert [e["message"] for e in empty.get_json()["errors"]] == [
                "Berkas tidak memuat satu soal pun."
            ]
    learner = bearer(login_token(client, "pegawai.solok@lentera.test"))
    refused = client.post(
        url,
        data={"format": "gift", "dry_run": "1", "file": (io.BytesIO(GIFT), "soal.gift")},
        headers=learner,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 404
