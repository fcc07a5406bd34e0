"""Set up the exam of ``benchmarks/quiz_exam.py``: learners, enrolments and tokens, in bulk.

Run with the benchmark instance's environment (FLASK_APP=lms, LMS_DATABASE_URL=..., ...) after
``flask db upgrade``, ``flask lms seed-demo`` and ``flask lms import-course`` of the exam course
that ``quiz_exam.py`` writes:

    .venv/bin/python benchmarks/prepare_exam.py --course UJIAN-01 --learners 2000 --out x.json

It sets the course's quiz up as a final exam (time limit, one attempt, shuffled questions and
options), then adds the learners in a few multi-row INSERTs instead of one service call each
(thousands of employees, user accounts, assigned enrolments and API tokens in seconds): plain
PNS learners of the course's organisation, with the demo password, each holding a bearer token
made as ``issue_api_token`` makes them (only the SHA-256 is stored). Writes ``{"quiz_id",
"questions", "time_limit", "learners": [{"nip", "token"}]}`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

#: NIPs of benchmark learners use an appointment month no demo employee has
APPOINTED = "209901"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", default="UJIAN-01", help="the exam course's code")
    parser.add_argument("--learners", type=int, required=True, help="how many learners")
    parser.add_argument("--time-limit", type=int, default=60, help="minutes (60)")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args()

    from lms import create_app
    from lms.accounts.models import ApiToken, Employee, EmployeeType, Unit, User
    from lms.accounts.services import hash_token
    from lms.core.db import utcnow
    from lms.courses.models import Course, Enrollment, EnrollmentSource
    from lms.extensions import db
    from lms.quizzes.models import Quiz, QuizKind

    app = create_app()
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == args.course))
        quiz = course and db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
        if quiz is None:
            print(f"no quiz in course {args.course}: import the exam course first", file=sys.stderr)
            return 1
        quiz.kind = QuizKind.FINAL_EXAM
        quiz.time_limit_minutes = args.time_limit
        quiz.attempts_allowed = 1
        quiz.shuffle_questions = quiz.shuffle_options = True
        unit = db.session.scalar(
            select(Unit).where(Unit.organisation_id == course.organisation_id).order_by(Unit.id)
        )
        password_hash = db.session.scalar(
            select(User.password_hash).where(User.email == "pelatih@lentera.test")
        )  # the demo password's hash: every demo account shares it
        now = utcnow()
        first_birthday = date(1970, 1, 1)
        employees = [
            {
                "organisation_id": course.organisation_id,
                "unit_id": unit.id,
                "nip": f"{(first_birthday + timedelta(days=n)):%Y%m%d}{APPOINTED}{1 + n % 2}001",
                "employee_type": EmployeeType.PNS,
                "name": f"Peserta Ujian {n + 1:04d}",
                "birth_date": first_birthday + timedelta(days=n),
                "sex": "L" if n % 2 == 0 else "P",
                "golongan": "III/a",
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(args.learners)
        ]
        employee_ids = db.session.scalars(
            insert(Employee).returning(Employee.id, sort_by_parameter_order=True), employees
        ).all()
        user_ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "employee_id": employee_id,
                    "organisation_id": course.organisation_id,
                    "password_hash": password_hash,
                    "session_token": secrets.token_urlsafe(32),
                    "created_at": now,
                    "updated_at": now,
                }
                for employee_id in employee_ids
            ],
        ).all()
        db.session.execute(
            insert(Enrollment),
            [
                {
                    "course_id": course.id,
                    "employee_id": employee_id,
                    "source": EnrollmentSource.ASSIGNED,
                    "due_date": now.date() + timedelta(days=7),
                    "created_at": now,
                    "updated_at": now,
                }
                for employee_id in employee_ids
            ],
        )
        tokens = ["lnt_" + secrets.token_urlsafe(32) for _ in user_ids]
        db.session.execute(
            insert(ApiToken),
            [
                {
                    "user_id": user_id,
                    "name": "benchmark",
                    "token_hash": hash_token(token),
                    "prefix": token[:8],
                    "created_at": now,
                    "expires_at": now + timedelta(days=1),
                }
                for user_id, token in zip(user_ids, tokens, strict=True)
            ],
        )
        db.session.commit()
        questions = len(quiz.items)
        args.out.write_text(
            json.dumps(
                {
                    "quiz_id": quiz.id,
                    "questions": questions,
                    "time_limit": args.time_limit,
                    "learners": [
                        {"nip": e["nip"], "token": t}
                        for e, t in zip(employees, tokens, strict=True)
                    ],
                }
            )
        )
        print(f"quiz {quiz.id}: {questions} questions; {len(tokens)} learners enrolled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
