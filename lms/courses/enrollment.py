"""Enrolment, assignment rules and progress. The caller commits."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from lms.accounts import audit
from lms.accounts.models import Employee, Organisation, Position, Unit, User
from lms.accounts.reference import PANGKAT, PPPK_GOLONGAN
from lms.accounts.tree import unit_subtree_ids
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.signals import (
    completion_withdrawn,
    course_completed,
    enrollment_assigned,
    enrollments_assigned,
)
from lms.courses.models import (
    AssignmentRule,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    Lesson,
    LessonProgress,
    LessonType,
    TargetType,
    Visibility,
)
from lms.extensions import db


def course_open_to(course: Course, employee: Employee) -> bool:
    """The course is published and the employee's organisation may take it."""
    return course.status is CourseStatus.PUBLISHED and (
        course.visibility is Visibility.SHARED or course.organisation_id == employee.organisation_id
    )


def enrol(
    course: Course,
    employee: Employee,
    *,
    source: EnrollmentSource,
    actor: User | None,
    due_date: date | None = None,
    rule: AssignmentRule | None = None,
) -> tuple[Enrollment, bool]:
    """Enrol an employee (idempotent); returns the enrolment and whether anything changed."""
    if not course_open_to(course, employee):
        raise DomainError(
            _("Kursus %(code)s belum terbit atau tidak terbuka untuk instansi ini.",
              code=course.code),
            code="course_unavailable",
        )  # fmt: skip
    if not employee.is_active:
        raise DomainError(_("Pegawai tidak aktif."), code="inactive_employee")
    if source is EnrollmentSource.SELF:
        if not course.self_enrollment:
            raise DomainError(
                _("Kursus ini hanya dapat diikuti melalui penugasan BKPSDM."),
                code="self_enrollment_closed",
            )
        missing = missing_prerequisites(course, employee)
        if missing:
            raise DomainError(
                _("Selesaikan dulu kursus prasyarat: %(codes)s.", codes=", ".join(missing)),
                code="prerequisites",
            )
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.employee_id == employee.id
        )
    )
    changed = False
    if enrollment is None:
        enrollment = Enrollment(
            course=course, employee=employee, source=source, due_date=due_date, rule=rule
        )
        db.session.add(enrollment)
        changed = True
    else:
        if enrollment.withdrawn_at is not None:
            enrollment.withdrawn_at = None
            enrollment.source = source
            changed = True
        if source is not EnrollmentSource.SELF and enrollment.source is EnrollmentSource.SELF:
            enrollment.source = source  # now mandatory
            changed = True
        if due_date is not None and enrollment.due_date != due_date:
            enrollment.due_date = due_date
            changed = True
        if rule is not None and enrollment.rule_id is None:
            enrollment.rule = rule
    db.session.flush()
    if changed:
        recompute(enrollment)
        audit.record(
            "enrollment.created" if source is EnrollmentSource.SELF else "enrollment.assigned",
            actor=actor,
            organisation_id=employee.organisation_id,
            target=enrollment,
            data={
                "course": course.code,
                "nip": employee.nip,
                "due_date": due_date.isoformat() if due_date else None,
                "source": source.value,
            },
        )
        if source is not EnrollmentSource.SELF:
            enrollment_assigned.send(None, enrollment=enrollment)
    return enrollment, changed


def missing_prerequisites(course: Course, employee: Employee) -> list[str]:
    """Codes of prerequisite courses the employee has not completed."""
    return unmet_prerequisites([p.required_course for p in course.prerequisites], employee.id)


def unmet_prerequisites(required: Sequence[Any], employee_id: int) -> list[str]:
    """Codes of the ``required`` courses (anything with ``id`` and ``code``) the employee has
    not completed."""
    if not required:
        return []
    done = set(
        db.session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.employee_id == employee_id,
                Enrollment.course_id.in_([c.id for c in required]),
                Enrollment.completed_at.is_not(None),
            )
        )
    )
    return [c.code for c in required if c.id not in done]


def unenrol(enrollment: Enrollment, *, actor: User, by_hr: bool) -> None:
    """Withdraw from a course; mandatory training can only be withdrawn by HR. Records stay."""
    if enrollment.withdrawn_at is not None:
        raise DomainError(
            _("Pegawai sudah dikeluarkan dari kursus ini.")
            if by_hr
            else _("Anda sudah keluar dari kursus ini."),
            code="already_withdrawn",
        )
    if enrollment.source is not EnrollmentSource.SELF and not by_hr:
        raise DomainError(
            _("Kursus wajib dari BKPSDM tidak dapat ditinggalkan sendiri."), code="mandatory"
        )
    if enrollment.completed_at is not None and not by_hr:
        raise DomainError(_("Kursus yang sudah selesai tetap tercatat."), code="completed")
    enrollment.withdrawn_at = utcnow()
    audit.record(
        "enrollment.withdrawn",
        actor=actor,
        organisation_id=enrollment.employee.organisation_id,
        target=enrollment,
        data={"course": enrollment.course.code, "nip": enrollment.employee.nip},
    )
    db.session.flush()


def active_enrollment(course: Course, employee_id: int | None) -> Enrollment | None:
    """The employee's current (not withdrawn) enrolment in the course."""
    if employee_id is None:
        return None
    return db.session.scalar(
        _active_enrollment_query(), {"course_id": course.id, "employee_id": employee_id}
    )


def is_current_enrollment(course_id: Any) -> ColumnElement[bool]:
    """The enrolment is the ``employee_id`` parameter's current (not withdrawn) one in the
    course ``course_id`` (a column or a parameter): at most one row."""
    return and_(
        Enrollment.course_id == course_id,
        Enrollment.employee_id == bindparam("employee_id"),
        Enrollment.withdrawn_at.is_(None),
    )


# The look-ups of every course and lesson page are built once: building a select and its
# cache key cost more than running it.


@functools.cache
def _active_enrollment_query() -> Select[Any]:
    return select(Enrollment).where(is_current_enrollment(bindparam("course_id")))


@functools.cache
def _done_keys_query() -> Select[Any]:
    return (
        select(Lesson.key)
        .join(
            LessonProgress,
            and_(
                LessonProgress.lesson_key == Lesson.key,
                LessonProgress.content_hash == Lesson.content_hash,
            ),
        )
        .where(
            Lesson.version_id == bindparam("version_id"),
            LessonProgress.enrollment_id == bindparam("enrollment_id"),
        )
    )


# --- progress -----------------------------------------------------------------------------------


def visit(enrollment: Enrollment, lesson: Lesson) -> None:
    """The learner opened a lesson: remember it for "continue where you left off"."""
    changed = False
    if enrollment.started_at is None:
        enrollment.started_at = utcnow()
        changed = True
    if enrollment.last_lesson_key != lesson.key:
        enrollment.last_lesson_key = lesson.key
        changed = True
    if changed:
        db.session.flush()


#: lesson types a learner completes by doing them here (videos by watching, quizzes by taking)
SELF_COMPLETED = (LessonType.TEXT, LessonType.FILE, LessonType.LINK)


def complete_lesson(enrollment: Enrollment, lesson: Lesson) -> bool:
    """Record a text, file or link lesson as done (idempotent); True if the course just ended."""
    if lesson.lesson_type is LessonType.VIDEO:
        raise DomainError(
            _("Video selesai setelah ditonton minimal %(p)d%%.",
              p=current_app.config["VIDEO_COMPLETE_PERCENT"]),
            code="not_self_completable",
        )  # fmt: skip
    if lesson.lesson_type not in SELF_COMPLETED:
        raise DomainError(
            _("Pelajaran kuis selesai ketika kuisnya dikerjakan."), code="not_self_completable"
        )
    return mark_done(enrollment, lesson)


def mark_done(enrollment: Enrollment, lesson: Lesson) -> bool:
    """Record any lesson as done by the rule of its type; True if the course just ended."""
    course = enrollment.course
    if enrollment.withdrawn_at is not None:
        raise DomainError(_("Anda tidak terdaftar di kursus ini."), code="not_enrolled")
    if course.published_version_id is None or lesson.version_id != course.published_version_id:
        raise DomainError(_("Pelajaran ini bukan bagian dari kursus yang terbit."), code="invalid")
    visit(enrollment, lesson)
    progress = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrollment_id == enrollment.id,
            LessonProgress.lesson_key == lesson.key,
        )
    )
    if progress is None:
        db.session.add(
            LessonProgress(
                enrollment_id=enrollment.id,
                lesson_key=lesson.key,
                content_hash=lesson.content_hash,
            )
        )
    elif progress.content_hash != lesson.content_hash:
        progress.content_hash = lesson.content_hash
        progress.completed_at = utcnow()
    else:
        return False
    db.session.flush()
    was_complete = enrollment.completed_at is not None
    recompute(enrollment)
    return not was_complete and enrollment.completed_at is not None


def restart(enrollment: Enrollment, *, actor: User | None) -> None:
    """Recertification: a completed course is taken again; the earlier completion stays on
    record (and its certificate in the history), the lessons must be done again."""
    if enrollment.completed_at is None:
        raise DomainError(_("Kursus ini belum selesai; lanjutkan saja."), code="not_completed")
    enrollment.cycle += 1
    enrollment.restarted_at = utcnow()
    enrollment.completed_at = None
    enrollment.started_at = None
    enrollment.progress_percent = 0
    db.session.execute(delete(LessonProgress).where(LessonProgress.enrollment_id == enrollment.id))
    db.session.flush()
    audit.record(
        "enrollment.restarted",
        actor=actor,
        organisation_id=enrollment.employee.organisation_id,
        target=enrollment,
        data={"course": enrollment.course.code, "cycle": enrollment.cycle},
    )


def undo_done(enrollment: Enrollment, lesson: Lesson) -> None:
    """A lesson no longer counts as done (a regrade took a pass away); progress follows."""
    progress = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrollment_id == enrollment.id,
            LessonProgress.lesson_key == lesson.key,
        )
    )
    if progress is None:
        return
    db.session.delete(progress)
    db.session.flush()
    recompute(enrollment)
    if enrollment.progress_percent < 100 and enrollment.completed_at is not None:
        enrollment.completed_at = None
        audit.record(
            "enrollment.completion_withdrawn",
            actor=None,
            organisation_id=enrollment.employee.organisation_id,
            target=enrollment,
            data={"course": enrollment.course.code, "lesson": lesson.key},
        )
        db.session.flush()
        completion_withdrawn.send(None, enrollment=enrollment)


def _required_lessons(version_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Lesson.key, Lesson.content_hash).where(
            Lesson.version_id == version_id, Lesson.is_required.is_(True)
        )
    )
    return [(key, content) for key, content in rows]


def done_keys(enrollment: Enrollment, version_id: int) -> set[str]:
    """Keys of the version's lessons the learner has done in their current form."""
    rows = db.session.scalars(
        _done_keys_query(), {"version_id": version_id, "enrollment_id": enrollment.id}
    )
    return set(rows)


def recompute(enrollment: Enrollment) -> None:
    """Progress % and completion of one enrolment from its lesson progress."""
    version_id = enrollment.course.published_version_id
    if version_id is None:
        return
    required = _required_lessons(version_id)
    done = done_keys(enrollment, version_id)
    _set_progress(enrollment, required, done)


def _set_progress(enrollment: Enrollment, required: list[tuple[str, str]], done: set[str]) -> None:
    finished = sum(1 for key, _hash in required if key in done)
    percent = 100 if not required else int(finished * 100 / len(required))
    enrollment.progress_percent = percent
    if (
        required
        and finished == len(required)
        and enrollment.completed_at is None
        and _evaluated(enrollment)
    ):
        enrollment.completed_at = utcnow()
        audit.record(
            "enrollment.completed",
            actor=None,
            organisation_id=enrollment.employee.organisation_id,
            target=enrollment,
            data={"course": enrollment.course.code, "nip": enrollment.employee.nip},
        )
        db.session.flush()
        course_completed.send(None, enrollment=enrollment)


def _evaluated(enrollment: Enrollment) -> bool:
    """The evaluation the course asks for (if any) is filled for the current cycle."""
    if not enrollment.course.requires_evaluation:
        return True
    from lms.courses.evaluation import response_for

    return response_for(enrollment) is not None


def recompute_course(course: Course) -> None:
    """Progress of every enrolment after a new version: unchanged lessons keep their progress."""
    _recompute(course, None)


def _recompute(course: Course, enrollment_ids: list[int] | None) -> None:
    """Progress of the course's enrolments (or of those of ``enrollment_ids``) in two reads."""
    version_id = course.published_version_id
    if version_id is None:
        return
    required = _required_lessons(version_id)
    hashes = dict(required)
    counts: dict[int, set[str]] = {}
    progress = (
        select(LessonProgress.enrollment_id, LessonProgress.lesson_key, LessonProgress.content_hash)
        .join(Enrollment, Enrollment.id == LessonProgress.enrollment_id)
        .where(Enrollment.course_id == course.id)
    )
    enrolments = select(Enrollment).where(Enrollment.course_id == course.id)
    if enrollment_ids is not None:
        progress = progress.where(Enrollment.id.in_(enrollment_ids))
        enrolments = enrolments.where(Enrollment.id.in_(enrollment_ids))
    for enrollment_id, key, content in db.session.execute(progress):
        if hashes.get(key) == content:
            counts.setdefault(enrollment_id, set()).add(key)
    for enrollment in db.session.scalars(enrolments):
        _set_progress(enrollment, required, counts.get(enrollment.id, set()))
    db.session.flush()


# --- assignment rules ---------------------------------------------------------------------------


def _rule_condition(rule: AssignmentRule) -> Any:
    if rule.target_type is TargetType.EMPLOYEE:
        return Employee.id == rule.target_id
    if rule.target_type is TargetType.UNIT:
        return Employee.unit_id.in_(unit_subtree_ids(rule.target_id, rule.organisation_id))
    if rule.target_type is TargetType.POSITION:
        return Employee.position_id == rule.target_id
    return Employee.golongan == rule.target_value


def create_rule(
    organisation: Organisation,
    course: Course,
    target_type: TargetType,
    *,
    target_id: int | None = None,
    target_value: str | None = None,
    due_date: date | None,
    actor: User,
) -> tuple[AssignmentRule, int]:
    """Assign a course to an employee, unit, position or golongan; returns how many enrolled."""
    if course.status is not CourseStatus.PUBLISHED or not (
        course.visibility is Visibility.SHARED or course.organisation_id == organisation.id
    ):
        raise DomainError(
            _("Kursus %(code)s belum terbit atau tidak terbuka untuk instansi ini.",
              code=course.code),
            code="course_unavailable",
        )  # fmt: skip
    if due_date is not None and due_date < date.today():
        raise DomainError(_("Tenggat tidak boleh di masa lalu."), field="due_date")
    model = {TargetType.EMPLOYEE: Employee, TargetType.UNIT: Unit, TargetType.POSITION: Position}
    if target_type in model:
        found = db.session.scalar(
            select(model[target_type].id).where(
                model[target_type].id == target_id,
                model[target_type].organisation_id == organisation.id,
            )
        )
        if found is None:
            raise DomainError(
                _("Sasaran penugasan tidak ditemukan di instansi ini."), field="target"
            )
        target_value = None
    else:
        if target_value not in PANGKAT and target_value not in PPPK_GOLONGAN:
            raise DomainError(_("Golongan tidak dikenal."), field="target")
        target_id = None
    rule = AssignmentRule(
        organisation_id=organisation.id,
        course=course,
        target_type=target_type,
        target_id=target_id,
        target_value=target_value,
        due_date=due_date,
        created_by_id=actor.id,
    )
    db.session.add(rule)
    db.session.flush()
    enrolled = apply_rule(rule, actor=actor)
    audit.record(
        "assignment.created",
        actor=actor,
        organisation_id=organisation.id,
        target=rule,
        data={
            "course": course.code,
            "target": target_type.value,
            "target_id": target_id,
            "golongan": target_value,
            "due_date": due_date.isoformat() if due_date else None,
            "enrolled": enrolled,
        },
    )
    return rule, enrolled


#: employees a rule enrols per round of statements: an assignment to a department of thousands
#: costs a few statements per 500 employees, not several per employee
RULE_BATCH = 500


def apply_rule(
    rule: AssignmentRule, *, actor: User | None, employee_ids: list[int] | None = None
) -> int:
    """Enrol everyone the rule matches (or those of ``employee_ids``) and return how many: new
    enrolments, withdrawn ones taken back and self-enrolments made mandatory, each with the
    rule's due date, audited and announced. Safe to run again (already mandatory enrolments are
    left as they are)."""
    course = rule.course
    if course.status is not CourseStatus.PUBLISHED or not (
        course.visibility is Visibility.SHARED or course.organisation_id == rule.organisation_id
    ):
        return 0
    query = (
        select(Employee.id, Employee.nip, Enrollment.id.label("enrollment_id"))
        .outerjoin(
            Enrollment,
            and_(Enrollment.course_id == rule.course_id, Enrollment.employee_id == Employee.id),
        )
        .where(
            Employee.organisation_id == rule.organisation_id,
            Employee.is_active.is_(True),
            _rule_condition(rule),
            or_(
                Enrollment.id.is_(None),
                Enrollment.withdrawn_at.is_not(None),
                Enrollment.source == EnrollmentSource.SELF,
            ),
        )
        .order_by(Employee.id)
    )
    if employee_ids is not None:
        query = query.where(Employee.id.in_(employee_ids))
    rows = db.session.execute(query).all()
    for start in range(0, len(rows), RULE_BATCH):
        _apply_batch(rule, rows[start : start + RULE_BATCH], actor)
    return len(rows)


def _apply_batch(rule: AssignmentRule, rows: Sequence[Any], actor: User | None) -> None:
    now = utcnow()
    nips = {row.id: row.nip for row in rows}
    taken_back = [row.enrollment_id for row in rows if row.enrollment_id is not None]
    written = (Enrollment.id, Enrollment.employee_id, Enrollment.due_date)
    enrolments: list[Any] = []
    if taken_back:
        # what :func:`enrol` does to an enrolment it assigns, for all of them in one statement
        values: dict[str, Any] = {
            "withdrawn_at": None,
            "source": EnrollmentSource.RULE,
            "rule_id": func.coalesce(Enrollment.rule_id, rule.id),
            "updated_at": now,
        }
        if rule.due_date is not None:
            values["due_date"] = rule.due_date
        table = Enrollment.__table__
        enrolments += db.session.execute(
            update(table).where(table.c.id.in_(taken_back)).values(values).returning(*written)
        ).all()
        # enrolments already loaded in this session show what was just written
        stale = set(taken_back)
        for held in list(db.session.identity_map.values()):
            if isinstance(held, Enrollment) and held.id in stale:
                db.session.expire(held)
        _recompute(rule.course, taken_back)
    new = [row.id for row in rows if row.enrollment_id is None]
    if new:
        enrolments += db.session.execute(
            insert(Enrollment.__table__).returning(*written),
            [
                {
                    "course_id": rule.course_id,
                    "employee_id": employee_id,
                    "source": EnrollmentSource.RULE,
                    "due_date": rule.due_date,
                    "rule_id": rule.id,
                    "progress_percent": 0,
                    "cycle": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for employee_id in new
            ],
        ).all()
    audit.record_many(
        "enrollment.assigned",
        actor=actor,
        organisation_id=rule.organisation_id,
        target_type="enrollments",
        events=[
            (
                row.id,
                {
                    "course": rule.course.code,
                    "nip": nips[row.employee_id],
                    "due_date": row.due_date.isoformat() if row.due_date else None,
                    "source": EnrollmentSource.RULE.value,
                },
            )
            for row in enrolments
        ],
    )
    enrollments_assigned.send(
        None,
        course=rule.course,
        enrollments=[(row.id, row.employee_id, row.due_date) for row in enrolments],
    )


def apply_rules_to_employees(employee_ids: list[int]) -> int:
    """Run every active rule for employees just added or moved (the accounts signal)."""
    if not employee_ids:
        return 0
    organisation_ids = set(
        db.session.scalars(
            select(Employee.organisation_id).where(Employee.id.in_(employee_ids)).distinct()
        )
    )
    rules = db.session.scalars(
        select(AssignmentRule).where(
            AssignmentRule.is_active.is_(True),
            AssignmentRule.organisation_id.in_(organisation_ids),
        )
    ).all()
    return sum(
        apply_rule(rule, actor=None, employee_ids=employee_ids)
        for rule in rules
        if rule.course.status is CourseStatus.PUBLISHED
    )


def overdue_condition(today: date) -> Any:
    """SQL condition for enrolments past their due date and not completed."""
    return and_(
        Enrollment.completed_at.is_(None),
        Enrollment.due_date.is_not(None),
        Enrollment.due_date < today,
    )


def status_counts(course_id: int, today: date, organisation_id: int | None) -> dict[str, int]:
    """How many learners of a course are completed, overdue, in progress, not started."""
    query = (
        select(
            func.count().filter(Enrollment.completed_at.is_not(None)),
            func.count().filter(overdue_condition(today)),
            func.count().filter(
                Enrollment.completed_at.is_(None),
                Enrollment.started_at.is_not(None),
                or_(Enrollment.due_date.is_(None), Enrollment.due_date >= today),
            ),
            func.count(),
        )
        .select_from(Enrollment)
        .where(Enrollment.course_id == course_id, Enrollment.withdrawn_at.is_(None))
    )
    if organisation_id is not None:
        query = query.join(Employee).where(Employee.organisation_id == organisation_id)
    completed, overdue, in_progress, total = db.session.execute(query).one()
    return {
        "completed": completed,
        "overdue": overdue,
        "in_progress": in_progress,
        "not_started": total - completed - overdue - in_progress,
        "total": total,
    }
