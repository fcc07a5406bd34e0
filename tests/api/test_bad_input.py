"""The API on malformed and hostile input: a JSON error with a code and a 4xx, never a 500."""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from lms.accounts.models import ApiToken
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import Attempt
from tests.conftest import _BoundSession
from tests.fixtures.courses import bearer, login_token

API = "/api/v1"


def _error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"]["code"] == code
    return body["error"]["message"]


# --- the token's last use, under concurrent writers ---------------------------------------------


def test_a_locked_database_while_recording_token_use_is_not_a_500(client, db, monkeypatch):
    """SQLite refuses at once to turn a GET's read transaction into a write once another
    process committed ("database is locked"): the time of last use is written again in a
    transaction of its own, and the request is answered."""
    token = login_token(client, "pegawai.solok@lentera.test")
    db.session.execute(sa.update(ApiToken).values(last_used_at=None))
    db.session.commit()
    original = _BoundSession.commit
    refused: list[bool] = []

    def commit(self):
        if not refused and any(isinstance(o, ApiToken) for o in self.dirty):
            refused.append(True)
            raise OperationalError("UPDATE api_tokens", {}, Exception("database is locked"))
        return original(self)

    monkeypatch.setattr(_BoundSession, "commit", commit)
    response = client.get(f"{API}/me", headers=bearer(token))
    assert refused, "the token's use was not written"
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["user"]["email"] == "pegawai.solok@lentera.test"
    db.session.expire_all()
    digest = hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    assert stored.last_used_at is not None


# --- answers of every wrong shape -----------------------------------------------------------------


def _attempt(client, db, quizzes, kinds):
    learner = quizzes.learner()
    setup = quizzes.setup(kinds, enrol=learner)
    db.session.commit()
    headers = bearer(login_token(client, "pegawai.solok@lentera.test"))
    started = client.post(f"{API}/quizzes/{setup.quiz.id}/attempts", headers=headers)
    assert started.status_code == 201
    return headers, started.get_json()


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        (QuestionType.NUMERICAL, 10**400),  # past the largest float: OverflowError
        (QuestionType.NUMERICAL, -(10**400)),
        (QuestionType.ORDERING, [1, "a", None, {}]),  # sorted() of mixed types: TypeError
        (QuestionType.ORDERING, [{}, {}]),
        (QuestionType.ORDERING, [[1], "x"]),
    ],
)
def test_an_answer_of_a_wrong_type_is_422(client, db, quizzes, kind, answer):
    headers, attempt = _attempt(client, db, quizzes, [kind])
    response = client.put(
        f"{API}/attempts/{attempt['id']}/answers/1",
        data=json.dumps({"answer": answer}),
        content_type="application/json",
        headers=headers,
    )
    message = _error(response, 422, "invalid_answer")
    assert message and "error" not in message.lower()


@pytest.mark.parametrize("raw", ['{"answer": NaN}', '{"answer": Infinity}', '{"answer": 1e309}'])
def test_a_number_that_is_not_finite_is_422(client, db, quizzes, raw):
    headers, attempt = _attempt(client, db, quizzes, [QuestionType.NUMERICAL])
    response = client.put(
        f"{API}/attempts/{attempt['id']}/answers/1",
        data=raw,
        content_type="application/json",
        headers=headers,
    )
    _error(response, 422, "invalid_answer")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["id"]).slots[0].answer is None


def test_a_deeply_nested_answer_is_400(client, db, quizzes):
    headers, attempt = _attempt(client, db, quizzes, [QuestionType.MULTICHOICE])
    response = client.put(
        f"{API}/attempts/{attempt['id']}/answers/1",
        data='{"answer": ' + "[" * 50_000 + "]" * 50_000 + "}",
        content_type="application/json",
        headers=headers,
    )
    _error(response, 400, "bad_json")


# --- uploads: names that cannot be kept -----------------------------------------------------------


def test_a_tus_file_name_with_nul_is_400(client, db):
    headers = bearer(login_token(client, "pelatih@lentera.test"))
    name = base64.b64encode(b"klip\x00.mp4").decode()
    response = client.post(
        f"{API}/uploads",
        headers={
            **headers,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "10",
            "Upload-Metadata": f"filename {name}",
        },
    )
    _error(response, 400, "invalid_characters")


def test_a_media_file_name_with_nul_is_400(client, db):
    headers = bearer(login_token(client, "pelatih@lentera.test"))
    response = client.post(
        f"{API}/media",
        data={"file": (io.BytesIO(b"\x00\x00\x00\x18ftypmp42"), "klip\x00.mp4")},
        content_type="multipart/form-data",
        headers=headers,
    )
    _error(response, 400, "invalid_characters")


# --- ids past what a table holds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/attempts/2147483648"),
        ("post", "/attempts/9528394460880/submit"),
        ("post", "/quizzes/20774154467179/attempts"),
        ("post", "/lessons/140737488355328/complete"),
        ("get", "/quizzes/2305843009213693953/statistics"),
        ("get", "/employees?unit=2147483648"),
    ],
)
def test_an_id_past_postgresqls_integer_is_a_404(client, db, method, url):
    """PostgreSQL refused to compare an INTEGER id with 2**31 or more: a 500 there."""
    headers = bearer(login_token(client, "bkpsdm.solok@lentera.test"))
    response = getattr(client, method)(f"{API}{url}", headers=headers)
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] in ("not_found", "unit_not_found")
