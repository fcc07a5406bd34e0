"""Enrol benchmark learners so their home page has content; print them as JSON.

Run with the benchmark instance's environment (FLASK_APP=lms, LMS_INSTANCE_DIR=..., LMS_DEMO_MODE=1)
after ``flask db upgrade``, ``flask lms seed-demo`` and ``flask lms import-course``:

    .venv/bin/python benchmarks/prepare_learners.py --count 50

Learners are demo employees who are plain learners: active, with a login, no explicit role and no
direct reports (so the home page is the learner's home, without the team, HR or admin sections).
Each one is enrolled in every published course: the first course is assigned by BKPSDM with a due
date, the rest are self-enrolled, and the first lesson of the first course is completed, so the
home shows statuses, due dates and progress bars. Output: ``{"learners": [{"nip": ..., "name":
...}], "courses": ["KPP-101", ...]}`` on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="how many learners (default 50)")
    args = parser.parse_args()

    from lms import create_app
    from lms.accounts.models import Employee, RoleAssignment, User
    from lms.courses.enrollment import complete_lesson, enrol
    from lms.courses.models import Course, CourseStatus, EnrollmentSource, Lesson, Module
    from lms.extensions import db

    app = create_app()
    with app.test_request_context("/"), app.app_context():
        report = aliased(Employee)
        learners = db.session.scalars(
            select(Employee)
            .join(User, User.employee_id == Employee.id)
            .where(
                Employee.is_active.is_(True),
                User.is_active.is_(True),
                User.must_change_password.is_(False),
                ~exists().where(report.supervisor_id == Employee.id),
                ~exists().where(RoleAssignment.user_id == User.id),
            )
            .order_by(Employee.id)
            .limit(args.count)
        ).all()
        if len(learners) < args.count:
            print(
                f"only {len(learners)} plain learners in the demo data, {args.count} asked",
                file=sys.stderr,
            )
            return 1
        courses = db.session.scalars(
            select(Course).where(Course.status == CourseStatus.PUBLISHED).order_by(Course.code)
        ).all()
        if not courses:
            print("no published course: import at least one course folder first", file=sys.stderr)
            return 1
        first_lesson = db.session.scalar(
            select(Lesson)
            .join(Module, Lesson.module_id == Module.id)
            .where(Lesson.version_id == courses[0].published_version_id)
            .order_by(Module.position, Lesson.position)
            .limit(1)
        )
        due = date.today() + timedelta(days=30)
        for employee in learners:
            for index, course in enumerate(courses):
                enrollment, _changed = enrol(
                    course,
                    employee,
                    source=EnrollmentSource.ASSIGNED if index == 0 else EnrollmentSource.SELF,
                    actor=None,
                    due_date=due if index == 0 else None,
                )
                if index == 0 and first_lesson is not None:
                    db.session.flush()
                    try:
                        complete_lesson(enrollment, first_lesson)
                    except Exception as error:  # a quiz first: leave progress at 0
                        print(f"first lesson not completed: {error}", file=sys.stderr)
        db.session.commit()
        json.dump(
            {
                "learners": [{"nip": e.nip, "name": e.name} for e in learners],
                "courses": [c.code for c in courses],
            },
            sys.stdout,
        )
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
