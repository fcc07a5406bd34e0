"""Signals through which a lower domain tells higher ones what happened."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent with ``sender=None, employee_ids=[...]`` after employees were created or changed
#: (unit, position, golongan or status), so assignment rules can catch them
employees_changed = _signals.signal("employees-changed")

#: sent with ``sender=None, attempt=Attempt, competencies=[CompetencyScore, ...], first=bool``
#: whenever a quiz attempt gets its final grade — at submission, after a trainer grades an essay,
#: and after a regrade — inside the same transaction, so receivers update what follows from it
#: atomically; ``first`` is true when the attempt was never graded before (at submission)
attempt_graded = _signals.signal("attempt-graded")

#: sent with ``sender=None, course=Course, folder=Path, quizzes=[PlannedLesson], actor=…``
#: after a course folder was imported (also when nothing changed), so its quizzes can be read
#: into the question bank; a receiver raises ``LibraryError`` for a problem in a quiz file
course_imported = _signals.signal("course-imported")

#: sent with ``sender=None, course=Course, version=CourseVersion`` when a version is published,
#: so the quiz engine gives each quiz lesson its quiz
course_published = _signals.signal("course-published")

#: sent with ``sender=None, attempt_id=int, employee_id=int`` when a trainer deletes an attempt,
#: so nothing fed from it stays behind
attempt_deleted = _signals.signal("attempt-deleted")

#: sent with ``sender=None, enrollment=Enrollment`` when an enrolment becomes complete
course_completed = _signals.signal("course-completed")

#: sent with ``sender=None, enrollment=Enrollment`` when a completion is taken back (a regrade)
completion_withdrawn = _signals.signal("completion-withdrawn")

#: sent with ``sender=None, enrollment=Enrollment`` when HR or a rule assigns a course
enrollment_assigned = _signals.signal("enrollment-assigned")

#: sent with ``sender=None, course=Course, enrollments=[(enrollment id, employee id, due
#: date)]`` when an assignment rule assigns a course to many at once
enrollments_assigned = _signals.signal("enrollments-assigned")

#: sent with ``sender=None, certificate=Certificate`` when a certificate is issued or reissued
certificate_issued = _signals.signal("certificate-issued")

#: sent with ``sender=None, slot=AttemptSlot, attempt=Attempt`` when a trainer grades an essay
essay_graded = _signals.signal("essay-graded")

#: sent with ``sender=None, certificate=Certificate`` when HR revokes a certificate, so what
#: followed from the completion (competency evidence) stops counting
certificate_revoked = _signals.signal("certificate-revoked")

#: sent with ``sender=None, plan=DevelopmentPlan`` when an employee sends a development plan
#: to the supervisor
plan_submitted = _signals.signal("plan-submitted")

#: sent with ``sender=None, plan=DevelopmentPlan, approved=bool`` when the supervisor decides
plan_decided = _signals.signal("plan-decided")
