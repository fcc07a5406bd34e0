"""Helpers of the certification record tests: certificates earned the real way, and images."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from lms.certificates.models import Certificate
from tests.fixtures.courses import text


def earn(courses, user, *, jp: int = 7, org: str = "SLK", title: str | None = None,
         competencies=(("M-PP", 2),)) -> Certificate:  # fmt: skip
    """A certificate issued the real way: a course of readings, completed lesson by lesson."""
    course = courses.course(
        org=org,
        jp=jp,
        title=title,
        competencies=list(competencies),
        modules=[("Modul 1", [text("Bacaan 1"), text("Bacaan 2")])],
    )
    enrollment = courses.enrol(course, user)
    courses.complete(enrollment, *courses.lessons(course))
    found = courses.db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    assert found is not None, "completing the course issued no certificate"
    return found


def png(width: int = 120, height: int = 60, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int = 160, height: int = 60) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 10, 80)).save(buffer, "JPEG")
    return buffer.getvalue()
