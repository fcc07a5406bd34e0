"""What to learn next: courses that close the gaps, and a path within the year's JP budget.

Ranking, for each gap: courses targeting the competency at a level above the current one,
published and open to the employee's organisation. Mandatory ones first (an assignment with a
due date, the nearest first), then the larger gap they close, then those the learner can start
now (already enrolled, or open for self-enrolment), then fewer JP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import Employee
from lms.competencies import ledger
from lms.competencies.profile import ProfileRow, profile
from lms.courses.models import Course, CourseCompetency, CourseStatus, Enrollment, Visibility
from lms.extensions import db


@dataclass
class Recommendation:
    """A course for one or more gaps."""

    course: Course
    jp: int
    closes: list[tuple[str, int, int]] = field(default_factory=list)  # (code, from, to)
    enrollment: Enrollment | None = None

    @property
    def gap_closed(self) -> int:
        """Levels of gap this course closes, over its competencies."""
        return sum(to - start for _code, start, to in self.closes)

    @property
    def is_mandatory(self) -> bool:
        """Assigned with a due date."""
        return bool(self.enrollment and self.enrollment.due_date)

    @property
    def can_start(self) -> bool:
        """Enrolled already, or open for self-enrolment."""
        return self.enrollment is not None or self.course.self_enrollment


def recommendations(
    employee: Employee, rows: list[ProfileRow] | None = None
) -> list[Recommendation]:
    """Courses that close the employee's gaps, best first (three queries)."""
    rows = rows if rows is not None else profile(employee)
    gaps = {r.competency.code: r for r in rows if r.gap > 0}
    if not gaps:
        return []
    # the courses open to the employee's organisation, whoever looks and whether or not the
    # employee has an account (the viewer's own catalog would be wrong for HR and admins)
    open_to_employee = and_(
        Course.status == CourseStatus.PUBLISHED,
        or_(
            Course.visibility == Visibility.SHARED,
            Course.organisation_id == employee.organisation_id,
        ),
    )
    candidates = db.session.scalars(
        select(Course)
        .join(CourseCompetency, CourseCompetency.course_id == Course.id)
        .where(CourseCompetency.code.in_(list(gaps)), open_to_employee)
        .options(
            selectinload(Course.competencies),
            selectinload(Course.published_version),
        )
        .distinct()
    ).all()
    enrolled = {
        e.course_id: e
        for e in db.session.scalars(
            select(Enrollment).where(
                Enrollment.employee_id == employee.id,
                Enrollment.course_id.in_([c.id for c in candidates] or [0]),
                Enrollment.withdrawn_at.is_(None),
            )
        )
    }
    found = []
    for course in candidates:
        mine = enrolled.get(course.id)
        if mine is not None and mine.completed_at is not None:
            continue
        item = Recommendation(course, course.published_version.jp, enrollment=mine)
        for target in course.competencies:
            row = gaps.get(target.code)
            if row is not None and target.level > row.current:
                item.closes.append((target.code, row.current, min(target.level, row.required)))
        if item.closes:
            found.append(item)
    far = date.max
    found.sort(
        key=lambda r: (
            not r.is_mandatory,
            r.enrollment.due_date if r.is_mandatory else far,
            -r.gap_closed,
            not r.can_start,
            r.jp,
            r.course.code,
        )
    )
    return found


@dataclass
class LearningPath:
    """Courses to take this year, within the JP still to earn."""

    year: int
    budget: int
    courses: list[Recommendation]
    remaining_gaps: list[str]

    @property
    def jp(self) -> int:
        """JP of the chosen courses."""
        return sum(r.jp for r in self.courses)


def learning_path(
    employee: Employee,
    year: int | None = None,
    *,
    rows: list[ProfileRow] | None = None,
    ranked: list[Recommendation] | None = None,
) -> LearningPath:
    """A path that closes the largest gaps first without going past the year's JP budget.

    The budget is what is left of the yearly target, but never less than one course: an ASN who
    already earned 20 JP may still close a gap. Mandatory courses are always in the path. A page
    that has the profile and the ranking already passes them in.
    """
    year = year or date.today().year
    rows = rows if rows is not None else profile(employee)
    ranked = ranked if ranked is not None else recommendations(employee, rows)
    _items, earned = ledger.ledger(employee, year)
    budget = max(ledger.target() - earned, 0)
    chosen: list[Recommendation] = []
    open_gaps = {r.competency.code: (r.current, r.required) for r in rows if r.gap > 0}
    spent = 0
    for item in ranked:
        useful = any(
            code in open_gaps and to > open_gaps[code][0] for code, _start, to in item.closes
        )
        fits = spent + item.jp <= budget or not chosen
        if item.is_mandatory or (useful and fits):
            chosen.append(item)
            spent += item.jp
            for code, _start, to in item.closes:
                if code in open_gaps:
                    current, required = open_gaps[code]
                    if to >= required:
                        del open_gaps[code]
                    else:
                        open_gaps[code] = (max(current, to), required)
    return LearningPath(year, budget, chosen, sorted(open_gaps))
