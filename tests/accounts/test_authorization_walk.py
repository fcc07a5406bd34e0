"""Every route that takes an argument, walked with objects of another organisation.

The routes come from ``app.url_map`` at run time, so a route added later is walked too. Each URL
argument is filled with an object of the Solok organisation (``SOLOK_ARGUMENTS``); a route with an
argument name the mapping does not know makes the walk fail until the mapping is extended.
Routes whose only arguments come from ``defaults`` (``/hr/unit/baru``) carry none in the URL and
are not part of the walk; the learner and anonymous checks below cover them.

Then users of Serang (its HR administrator, one of its employees) and anonymous visitors request
every such URL with each of its methods. Nothing of Solok may come back: no 2xx, no 500, and
neither the Solok employee's name nor NIP anywhere in the body.
"""

from __future__ import annotations

import html
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from lms.accounts import services
from lms.accounts.models import ApiToken, Employee, Position, Unit, User
from lms.accounts.views_people import EMPLOYEE_IMPORTS
from lms.certificates.models import Certificate, RenderStatus
from lms.competencies import dictionary as competency_dictionary
from lms.competencies import ledger, plans
from lms.competencies.models import (
    ActivityKind,
    Competency,
    DevelopmentPlan,
    Evidence,
    ExternalTraining,
    PlanActivity,
    PlanGoal,
    PositionStandard,
    TypeStandard,
)
from lms.core.db import utcnow
from lms.courses import evaluation
from lms.courses import services as course_services
from lms.courses.models import (
    AssignmentRule,
    Course,
    CourseAsset,
    Enrollment,
    EvaluationResponse,
    Lesson,
    LessonProgress,
    Module,
    Visibility,
)
from lms.courses.uploads import store_cover
from lms.media.models import Caption, MediaStatus, ResumableUpload
from lms.media.storage import absolute, store
from lms.notifications import services as notifications
from lms.notifications.models import Kind, Mute, Notification
from lms.quizzes import attempts as taking
from lms.quizzes import bank
from lms.quizzes.formats.model import Question as QuestionData
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import Attempt, AttemptSlot, Question, Quiz, QuizItem
from tests.fixtures.courses import document, link, quiz, text, video

#: routes anyone may open without logging in
PUBLIC_ENDPOINTS = {
    "static",
    "core.healthz",
    "core.set_language",
    "accounts.login",
    "api.openapi",
    "api.create_token",
    # certificate verification: anyone holding the code on the paper (lms.certificates.views);
    # their own tests show that they never give the NIP away
    "certificates.verify",
    "certificates.verify_form",  # asks for the code; holds no data
    "certificates.credential",
    "certificates.credential_json",
    "certificates.issuer",
    "certificates.jwks",
    "api.certificate",
}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
#: API routes the lesson editor calls with its session cookie: they require the CSRF token in
#: ``X-CSRFToken`` and refuse a session request without it (400, never a success)
SESSION_API_ENDPOINTS = {"api.tus_create", "api.tus_upload"}

#: What each URL argument name means, as an attribute of :class:`Solok`. A new route whose
#: argument is not listed here fails the walk: add the name with an object of Solok.
SOLOK_ARGUMENTS = {
    "employee_id": "employee_id",  # the demo learner of Solok
    "unit_id": "unit_id",  # Dinas Kesehatan of Solok
    "position_id": "position_id",  # the Solok learner's position
    "org_id": "org_id",  # the Solok organisation
    "token_id": "api_token_id",  # an API token of the Solok learner
    "token": "import_token",  # a pending import preview of Solok's HR
    "nip": "nip",  # the Solok learner's NIP (API employee routes, competency profile pages)
    "code": "course_code",  # a published Solok course kept to Solok (visibility "organisation"),
    # also what the one-click enrolment from a competency recommendation names
    "lesson_id": "lesson_id",  # a text lesson of that course's published version
    "module_id": "module_id",  # a module of its draft (a new version being edited)
    "action": "action",  # "naik": moves a module or lesson up, if anyone lets it through
    "name": "asset_name",  # an image used in its lessons
    "enrollment_id": "enrollment_id",  # the Solok learner's enrolment in it
    "public_id": "media_public_id",  # the processed video of its video lesson
    "language": "caption_language",  # a caption track of that video
    "upload_id": "upload_id",  # a resumable video upload under way of the Solok trainer
    "quiz_id": "quiz_id",  # the quiz of the course's quiz lesson
    "question_id": "question_id",  # an essay question of the course's bank, with an image
    "item_id": "quiz_item_id",  # that question as an item of the quiz
    "attempt_id": "attempt_id",  # a submitted attempt (of Solok's HR) waiting for essay grading
    "slot": "slot",  # its first (and only) slot
    "slot_id": "slot_id",  # the same slot by id (the trainer's grading form)
    "competency_id": "competency_id",  # a technical competency of Solok's own dictionary
    "training_id": "training_id",  # an external training of the Solok learner, with a certificate
    "plan_id": "plan_id",  # the Solok learner's development plan, still a draft
    "goal_id": "goal_id",  # its goal
    "activity_id": "activity_id",  # that goal's activity
    "certificate_id": "certificate_id",  # a certificate of the Solok learner, its PDF stored
    "notification_id": "notification_id",  # a notification of Solok's HR (their own, so it opens)
}

#: Where one argument name stands for different objects on different routes, the route's own
#: meaning: the file and link routes need a lesson of that kind, and the authoring routes address
#: lessons of the draft (whose ids differ from the published version's).
ENDPOINT_ARGUMENTS = {
    ("courses.lesson_file", "lesson_id"): "file_lesson_id",
    ("courses.open_link", "lesson_id"): "link_lesson_id",
    ("authoring.lesson_form", "lesson_id"): "draft_lesson_id",
    ("authoring.lesson_action", "lesson_id"): "draft_lesson_id",
    ("authoring.preview_lesson", "lesson_id"): "draft_lesson_id",
    ("courses.hls", "lesson_id"): "video_lesson_id",
    ("courses.hls", "name"): "hls_name",
    ("courses.caption", "lesson_id"): "video_lesson_id",
    ("quizzes.lesson_quiz", "lesson_id"): "quiz_lesson_id",
    ("quizzes.manage_lesson", "lesson_id"): "quiz_lesson_id",
    ("certificates.verify", "code"): "certificate_code",
    ("certificates.credential", "code"): "certificate_code",
    ("certificates.credential_json", "code"): "certificate_code",
    ("certificates.issuer", "code"): "org_code",
    ("api.certificate", "code"): "certificate_code",
    ("api.certificate_pdf", "code"): "certificate_code",
}

#: GET routes that answer the object's own organisation with a redirect rather than a page:
#: opening a link lesson records it and sends the learner to the link's address; a quiz lesson
#: of the course editor leads to its quiz's settings. A callable gets the Solok fixture.
OWN_REDIRECTS = {
    "courses.open_link": "https://www.lapor.go.id/",
    "quizzes.manage_lesson": lambda solok: f"/ajar/kuis/{solok.quiz_id}",
    "notifications.follow": lambda solok: f"/kursus/{solok.course_code}",
}

#: (endpoint, method) → statuses a user of another organisation may get besides 403 and 404.
#:
#: ``people.confirm_import``: Serang's HR administrator is an HR administrator, so the role check
#: passes; the token is then looked up only in Serang's own import folder, so Solok's pending
#: preview is simply not found and the reply is the "preview expired, upload again" redirect to
#: ``/hr/impor`` — exactly the reply to a token that exists nowhere (asserted in
#: ``test_foreign_import_token_looks_like_an_unknown_one``), so it neither reveals that Solok has
#: a pending import nor writes anything (asserted after the walk). A 400 is not allowed: the walk
#: sends a valid CSRF token and a well-formed token; malformed tokens are a 404.
EXTRA_ALLOWED = {
    ("people.confirm_import", "POST"): {302},
}
#: where such a redirect may lead
ALLOWED_REDIRECTS = {("people.confirm_import", "POST"): "/hr/impor"}

#: form fields sent with every POST, so that a missing check would do visible harm
HOSTILE_FORM = {
    "active": "0",
    "roles": ["hr_admin", "admin"],
    "name": "Diretas dari Serang",
    "code": "DIRETAS",
    "nip": "199001012015011001",
}
IMPORTED_NAME = "Penyusup Impor Walk"


@dataclass
class Solok:
    """The Solok objects the walk aims at, and the employee whose data must never leak."""

    employee: Employee
    employee_id: int
    unit_id: int
    position_id: int
    org_id: int
    api_token_id: int
    import_token: str
    nip: str
    course_code: str
    course_title: str
    lesson_id: int
    file_lesson_id: int
    link_lesson_id: int
    draft_lesson_id: int
    module_id: int
    action: str
    asset_name: str
    enrollment_id: int
    video_lesson_id: int
    hls_name: str
    media_public_id: str
    caption_language: str
    upload_id: str
    quiz_lesson_id: int
    quiz_id: int
    question_id: int
    quiz_item_id: int
    attempt_id: int
    slot: int
    slot_id: int
    competency_id: int
    training_id: int
    plan_id: int
    goal_id: int
    activity_id: int
    certificate_id: int
    certificate_code: str
    org_code: str
    notification_id: int
    import_files: list[Path] = field(default_factory=list)

    def value(self, argument: str, endpoint: str | None = None) -> Any:
        attribute = ENDPOINT_ARGUMENTS.get((endpoint, argument)) or SOLOK_ARGUMENTS[argument]
        return getattr(self, attribute)

    def leaks(self, body: str) -> list[str]:
        """The Solok employee's name or NIP, or the Solok course's title, if the body shows it."""
        name = self.employee.name
        found = []
        if name in body or html.escape(name) in body or name.split(",")[0] in body:
            found.append(f"name {name!r}")
        if self.nip in body:
            found.append(f"NIP {self.nip}")
        if self.course_title in body:
            found.append(f"course {self.course_title!r}")
        return found


def route_arguments(rule: Rule) -> set[str]:
    """The arguments the URL itself carries (not those filled from ``defaults``)."""
    return set(rule.arguments) - set(rule.defaults or {})


def methods(rule: Rule) -> list[str]:
    return sorted(set(rule.methods or ()) - IGNORED_METHODS)


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def argument_rules(app) -> list[Rule]:
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and route_arguments(rule)
    ]
    assert len(rules) >= 10, "the walk found suspiciously few routes with arguments"
    return rules


def check_known(rule: Rule) -> None:
    unknown = route_arguments(rule) - SOLOK_ARGUMENTS.keys()
    if unknown:
        pytest.fail(
            f"Route {rule.rule} ({rule.endpoint}) takes argument(s) {sorted(unknown)} that the "
            "authorization walk does not know. Add each to SOLOK_ARGUMENTS and the Solok fixture "
            "in tests/accounts/test_authorization_walk.py, mapped to an object of Solok.",
            pytrace=False,
        )


def build(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's path with each ``<converter:name>`` replaced by ``values[name]``."""
    return re.sub(
        r"<(?:[^:<>]+:)?([^<>]+)>",
        lambda match: quote(str(values[match.group(1)]), safe=""),
        rule.rule,
    )


def solok_url(rule: Rule, solok: Solok) -> str:
    check_known(rule)
    return build(rule, {name: solok.value(name, rule.endpoint) for name in route_arguments(rule)})


def request(
    client, rule: Rule, method: str, url: str, *, token: str | None = None, csrf: str | None = None
) -> Any:
    """Call a route as a browser (cookie, CSRF token) or an API client (bearer token)."""
    if is_api(rule):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "GET":
            return client.get(url, headers=headers)
        return client.open(url, method=method, headers=headers, json={})
    if method == "GET":
        return client.get(url)
    data: dict[str, Any] = dict(HOSTILE_FORM)
    if csrf:
        data["csrf_token"] = csrf
    return client.open(url, method=method, data=data)


def anonymous_csrf(client) -> str:
    from tests.conftest import extract_csrf

    return extract_csrf(client.get("/masuk").text)


# --- fixtures -----------------------------------------------------------------------------------


COURSE_TITLE = "Kursus Rahasia Solok"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def solok_course(db, courses, demo, tiny_mp4: bytes) -> dict[str, Any]:
    """A published Solok course kept to Solok, with a draft of its next version, an image, a
    cover, and the Solok learner and HR administrator enrolled (so its pages open for them). It
    asks for an end-of-course evaluation, and the learner's is in (with a comment)."""
    course = courses.course(
        "WALK-SLK",
        org="SLK",
        title=COURSE_TITLE,
        visibility=Visibility.ORGANISATION,
        trainers=[demo["trainer"]],
        modules=[
            ("Modul Walk", [text("Bacaan Walk"), document("Materi Walk"), link("Tautan Walk")]),
            (
                "Modul Kedua",
                [text("Bacaan Kedua"), video("Video Walk", tiny_mp4), quiz("Kuis Walk")],
            ),
        ],
    )
    reading, pdf, portal, _second, film, test = courses.lessons(course)
    # The video as processing leaves it: ready, with its playlist in the media folder.
    media = film.media
    media.status, media.hls_path = MediaStatus.READY, f"hls/{media.public_id}"
    playlist = absolute(f"{media.hls_path}/master.m3u8")
    playlist.parent.mkdir(parents=True, exist_ok=True)
    playlist.write_text("#EXTM3U\n")
    vtt = store(io.BytesIO(b"WEBVTT\n"), "captions", ".vtt", max_bytes=1024)
    db.session.add(
        Caption(media_id=media.id, language="id", label="Bahasa Indonesia", path=vtt.path)
    )
    assert portal.url == OWN_REDIRECTS["courses.open_link"]
    image = store(io.BytesIO(PNG), f"courses/{course.code}", ".png", max_bytes=1024)
    db.session.add(
        CourseAsset(course_id=course.id, name="diagram.png", path=image.path, mime="image/png")
    )
    store_cover(course, io.BytesIO(PNG))
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, reading)
    courses.enrol(course, demo["hr_solok"])
    course.requires_evaluation = True
    items, _prompt = evaluation.template_items(course.organisation_id)
    db.session.add(
        EvaluationResponse(
            enrollment_id=enrollment.id,
            course_id=course.id,
            items=items,
            ratings=[4] * len(items),
            comment="Komentar walk Solok.",
        )
    )
    draft = course_services.ensure_draft(course, actor=None)
    db.session.flush()
    draft_lesson = courses.lessons(course, draft.id)[0]
    return {
        **solok_quiz(course, test, demo["hr_solok"]),
        "course_code": course.code,
        "course_title": COURSE_TITLE,
        "lesson_id": reading.id,
        "file_lesson_id": pdf.id,
        "link_lesson_id": portal.id,
        "draft_lesson_id": draft_lesson.id,
        "module_id": draft_lesson.module_id,
        "action": "naik",
        "asset_name": "diagram.png",
        "enrollment_id": enrollment.id,
        "video_lesson_id": film.id,
        "hls_name": "master.m3u8",
        "media_public_id": media.public_id,
        "caption_language": "id",
    }


def solok_quiz(course: Course, lesson: Lesson, taker: User) -> dict[str, Any]:
    """The course's quiz: one essay question with an image (named like the course's image, so
    the file route takes the same ``name``), and a submitted attempt waiting for grading. The
    attempt is Solok's HR's own, so both the learner's and the trainer's attempt pages open."""
    category = bank.category_for(course.organisation_id, course.id, "Walk/Esai")
    question = bank.add_question(
        category,
        QuestionData(
            type=QuestionType.ESSAY,
            title="Esai Walk",
            text="Jelaskan diagram ini. ![diagram](@@PLUGINFILE@@/diagram.png)",
            files={"diagram.png": PNG},
        ),
        actor=None,
    )
    found = taking.ensure_quiz(course, lesson)
    taking.set_fixed_questions(found, [question])
    attempt, _created = taking.start_or_resume(found, taker)
    taking.save_answer(attempt, 1, "Jawaban esai walk.", now=utcnow())
    taking.submit(attempt, now=utcnow())
    assert attempt.slots[0].needs_grading
    return {
        "quiz_lesson_id": lesson.id,
        "quiz_id": found.id,
        "question_id": question.id,
        "quiz_item_id": found.items[0].id,
        "attempt_id": attempt.id,
        "slot": 1,
        "slot_id": attempt.slots[0].id,
    }


def solok_competencies(demo) -> dict[str, Any]:
    """A technical competency of Solok's own dictionary; an external training of the learner
    with its certificate file; the learner's development plan (a draft, so it can still be
    changed) with a goal and an activity."""
    hr, learner = demo["hr_solok"], demo["learner"].employee
    competency = competency_dictionary.save_competency(
        demo["solok"].id,
        None,
        {
            "code": "T-WALK",
            "name": "Kompetensi Walk Solok",
            "kind": "teknis",
            "level": [{"level": n, "title": f"Walk {n}", "indicators": ["a"]} for n in range(1, 6)],
        },
        actor=hr,
    )
    training = ledger.record_external(
        learner,
        title="Diklat Walk",
        provider="BPSDM Walk",
        jp=8,
        completed_on=utcnow().date(),
        certificate=("walk.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n")),
        competency=None,
        level=None,
        expires_on=None,
        actor=hr,
    )
    plan = plans.plan_for(learner, utcnow().year, create=True)
    goal = plans.add_goal(plan, competency, 3, "Sasaran walk")
    activity = plans.add_activity(goal, ActivityKind.MENTORING, "Mentoring walk")
    return {
        "competency_id": competency.id,
        "training_id": training.id,
        "plan_id": plan.id,
        "goal_id": goal.id,
        "activity_id": activity.id,
    }


def solok_certificate(db, courses, demo) -> dict[str, Any]:
    """A certificate of the Solok learner (from a short course of its own), signed and with its
    PDF stored, so its verification, credential and PDF routes all answer for Solok."""
    course = courses.course("WALK-SERT", org="SLK", modules=[("Modul", [text("Bacaan")])])
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, *courses.lessons(course))
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    assert certificate is not None and certificate.credential
    pdf = store(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "certificates", ".pdf", max_bytes=1024)
    certificate.pdf_path, certificate.pdf_status = pdf.path, RenderStatus.READY
    db.session.flush()
    return {
        "certificate_id": certificate.id,
        "certificate_code": certificate.code,
        "org_code": demo["solok"].code,
    }


def solok_notification(demo) -> Notification:
    """A notification of Solok's HR about the Solok course, unread, pointing at its page."""
    found = notifications.notify(
        demo["hr_solok"],
        Kind.ASSIGNED,
        "walk",
        lambda: (f"Kursus baru ditugaskan: {COURSE_TITLE}", "Walk."),
        "/kursus/WALK-SLK",
    )
    assert found is not None
    return found


@pytest.fixture
def solok(app, db, demo, courses, tiny_mp4) -> Iterator[Solok]:
    learner: User = demo["learner"]
    employee = learner.employee
    unit = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "DINKES")
    )
    position = db.session.get(Position, employee.position_id)
    assert unit is not None and position is not None
    assert position.organisation_id == unit.organisation_id == demo["solok"].id
    _plain, api_token = services.issue_api_token(learner, "walk")
    db.session.flush()

    # A pending import preview of Solok's HR, stored as views_people.import_employees does.
    import_token = EMPLOYEE_IMPORTS.save(
        f"nip,nama\n198503152010031777,{IMPORTED_NAME}\n".encode(),
        user_id=demo["hr_solok"].id,
        organisation_id=demo["solok"].id,
        filename="walk.csv",
    )
    data_file, meta_file = EMPLOYEE_IMPORTS.files(import_token)

    # A resumable upload of the Solok trainer, half-way, stored as lms.api.uploads does.
    upload = ResumableUpload(user_id=demo["trainer"].id, filename="walk.mp4", length=10, received=4)
    db.session.add(upload)
    db.session.flush()
    part = Path(app.config["INSTANCE_DIR"]) / "uploads" / f"{upload.upload_id}.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"walk")

    target = Solok(
        employee=employee,
        employee_id=employee.id,
        unit_id=unit.id,
        position_id=position.id,
        org_id=demo["solok"].id,
        api_token_id=api_token.id,
        import_token=import_token,
        nip=employee.nip,
        import_files=[data_file, meta_file, part],
        upload_id=upload.upload_id,
        **solok_course(db, courses, demo, tiny_mp4),
        **solok_competencies(demo),
        **solok_certificate(db, courses, demo),
        notification_id=solok_notification(demo).id,
    )
    try:
        yield target
    finally:
        for path in target.import_files:
            path.unlink(missing_ok=True)


def bearer_for(db, user: User) -> str:
    plain, _record = services.issue_api_token(user, "walk")
    db.session.flush()
    return plain


def solok_state(db, solok: Solok) -> dict[str, Any]:
    """What a successful attack on the Solok objects would change."""
    db.session.expire_all()
    employee = db.session.get(Employee, solok.employee_id)
    user = employee.user
    unit = db.session.get(Unit, solok.unit_id)
    position = db.session.get(Position, solok.position_id)
    return {
        "employee": (employee.name, employee.nip, employee.is_active, employee.organisation_id),
        "user": (
            user.is_active,
            user.password_hash,
            user.must_change_password,
            user.session_token,
            sorted(r.value for r in user.roles),
        ),
        "unit": (unit.name, unit.code, unit.is_active),
        "position": (position.name, position.is_active),
        "api_token_revoked": db.session.get(ApiToken, solok.api_token_id).revoked_at,
        "employees": db.session.scalar(
            select(func.count())
            .select_from(Employee)
            .where(Employee.organisation_id == solok.org_id)
        ),
        "imported": db.session.scalar(select(Employee.id).where(Employee.name == IMPORTED_NAME)),
        "import_files": [path.exists() for path in solok.import_files],
        "course": course_state(db, solok.course_code),
        "upload": db.session.scalar(
            select(ResumableUpload.received).where(ResumableUpload.upload_id == solok.upload_id)
        ),
        "competencies": competency_state(db, solok),
        "certificates": certificate_state(db, solok),
        "evaluation": (
            evaluation.template_items(solok.org_id),
            db.session.scalar(select(func.count()).select_from(EvaluationResponse)),
        ),
        "notification": db.session.get(Notification, solok.notification_id).read_at,
        "muted": db.session.scalar(
            select(func.count()).select_from(Mute).where(Mute.user_id == user.id)
        ),
    }


def certificate_state(db, solok: Solok) -> dict[str, Any]:
    """What revoking, reissuing or recertifying the Solok certificate would change."""
    certificate = db.session.get(Certificate, solok.certificate_id)
    enrollment = db.session.get(Enrollment, certificate.enrollment_id)
    return {
        "issues": [
            tuple(row)
            for row in db.session.execute(
                select(
                    Certificate.id,
                    Certificate.status,
                    Certificate.holder_name,
                    Certificate.revoked_reason,
                    Certificate.code,
                )
                .where(Certificate.completion_key == certificate.completion_key)
                .order_by(Certificate.id)
            )
        ],
        "cycle": (enrollment.cycle, enrollment.completed_at),
    }


def competency_state(db, solok: Solok) -> dict[str, Any]:
    """What a successful attack on Solok's competencies, standards, evidence and plans changes."""
    competency = db.session.get(Competency, solok.competency_id)

    def rows(query) -> list[tuple]:
        return [tuple(row) for row in db.session.execute(query)]

    return {
        "competency": (
            competency.code,
            competency.name,
            competency.definition,
            competency.is_active,
            [(lvl.level, lvl.title, lvl.indicators) for lvl in competency.levels],
        ),
        "dictionary": db.session.scalar(
            select(func.count())
            .select_from(Competency)
            .where(Competency.organisation_id == solok.org_id)
        ),
        "type_standards": rows(
            select(TypeStandard.id, TypeStandard.competency_id, TypeStandard.level)
            .where(TypeStandard.organisation_id == solok.org_id)
            .order_by(TypeStandard.id)
        ),
        "position_standards": rows(
            select(PositionStandard.competency_id, PositionStandard.level)
            .where(PositionStandard.position_id == solok.position_id)
            .order_by(PositionStandard.id)
        ),
        "evidence": rows(
            select(Evidence.id, Evidence.level, Evidence.note)
            .where(Evidence.employee_id == solok.employee_id)
            .order_by(Evidence.id)
        ),
        "trainings": rows(
            select(ExternalTraining.id, ExternalTraining.title, ExternalTraining.jp)
            .where(ExternalTraining.employee_id == solok.employee_id)
            .order_by(ExternalTraining.id)
        ),
        "plan": rows(
            select(DevelopmentPlan.status, DevelopmentPlan.supervisor_note).where(
                DevelopmentPlan.id == solok.plan_id
            )
        ),
        "goals": rows(
            select(PlanGoal.id, PlanGoal.target_level)
            .where(PlanGoal.plan_id == solok.plan_id)
            .order_by(PlanGoal.id)
        ),
        "activities": rows(
            select(PlanActivity.id, PlanActivity.status, PlanActivity.evidence_id)
            .where(PlanActivity.goal_id == solok.goal_id)
            .order_by(PlanActivity.id)
        ),
    }


def course_state(db, code: str) -> dict[str, Any]:
    """What a successful attack on the Solok course would change."""
    course = db.session.scalar(select(Course).where(Course.code == code))

    def rows(query) -> list[tuple]:
        return [tuple(row) for row in db.session.execute(query)]

    return {
        "course": (
            course.status,
            course.visibility,
            course.self_enrollment,
            course.requires_evaluation,
            course.published_version_id,
            course.draft_version_id,
            course.cover_path,
            course.category_id,
        ),
        "versions": [
            (v.title, v.summary, v.jp) for v in (course.published_version, course.draft_version)
        ],
        "trainers": sorted(t.user_id for t in course.trainers),
        "competencies": sorted((c.code, c.level) for c in course.competencies),
        "modules": rows(
            select(Module.id, Module.version_id, Module.position, Module.title).order_by(Module.id)
        ),
        "lessons": rows(
            select(
                Lesson.id, Lesson.module_id, Lesson.position, Lesson.title, Lesson.content_hash
            ).order_by(Lesson.id)
        ),
        "enrollments": rows(
            select(
                Enrollment.id,
                Enrollment.employee_id,
                Enrollment.withdrawn_at,
                Enrollment.progress_percent,
                Enrollment.completed_at,
                Enrollment.due_date,
            )
            .where(Enrollment.course_id == course.id)
            .order_by(Enrollment.id)
        ),
        "progress": rows(
            select(LessonProgress.enrollment_id, LessonProgress.lesson_key).order_by(
                LessonProgress.id
            )
        ),
        "rules": db.session.scalar(select(func.count()).select_from(AssignmentRule)),
        "assets": rows(select(CourseAsset.name, CourseAsset.path).order_by(CourseAsset.id)),
        "quizzes": rows(
            select(
                Quiz.id,
                Quiz.kind,
                Quiz.time_limit_minutes,
                Quiz.attempts_allowed,
                Quiz.pass_percent,
                Quiz.opens_at,
                Quiz.review,
            ).where(Quiz.course_id == course.id)
        ),
        "quiz_items": rows(
            select(QuizItem.id, QuizItem.position, QuizItem.question_id, QuizItem.category_id)
            .join(Quiz)
            .where(Quiz.course_id == course.id)
            .order_by(QuizItem.id)
        ),
        "questions": rows(
            select(
                Question.id,
                Question.category_id,
                Question.title,
                Question.text,
                Question.choices,
                Question.is_archived,
                Question.key_version,
            ).order_by(Question.id)
        ),
        "attempts": rows(
            select(Attempt.id, Attempt.state, Attempt.score, Attempt.percent)
            .join(Quiz)
            .where(Quiz.course_id == course.id)
            .order_by(Attempt.id)
        ),
        "slots": rows(
            select(
                AttemptSlot.id, AttemptSlot.answer, AttemptSlot.fraction, AttemptSlot.comment
            ).order_by(AttemptSlot.id)
        ),
    }


# --- the walk -----------------------------------------------------------------------------------


def test_every_argument_is_known(app):
    """Fails, naming the route, as soon as a route takes an argument the walk cannot fill."""
    for rule in argument_rules(app):
        check_known(rule)


def test_walk_covers_the_known_sensitive_routes(app):
    """A sanity check on the walk itself: these routes exist and are walked."""
    walked = {rule.endpoint for rule in argument_rules(app)}
    assert {
        "people.edit_employee",
        "people.employee",
        "people.set_roles",
        "people.reset_password",
        "people.set_account_active",
        "people.edit_unit",
        "people.edit_position",
        "people.confirm_import",
        "people.select_organisation",
        "accounts.revoke_token",
        "api.revoke_token",
        "api.employee",
        "courses.course",
        "courses.enrol",
        "courses.unenrol",
        "courses.lesson",
        "courses.complete",
        "courses.open_link",
        "courses.lesson_file",
        "courses.asset",
        "courses.cover",
        "authoring.edit",
        "authoring.details",
        "authoring.publish",
        "authoring.new_draft",
        "authoring.archive",
        "authoring.add_module",
        "authoring.module_action",
        "authoring.lesson_form",
        "authoring.lesson_action",
        "authoring.preview_lesson",
        "authoring.trainers",
        "authoring.learners",
        "authoring.withdraw",
        "authoring.assign",
        "api.course",
        "api.course_enrollments",
        "api.complete_lesson",
        "api.tus_upload",
        "api.media_detail",
        "quizzes.lesson_quiz",
        "quizzes.start",
        "quizzes.attempt",
        "quizzes.save_page",
        "quizzes.save_one",
        "quizzes.submit",
        "quizzes.question_file",
        "quizzes.bank_index",
        "quizzes.new_question",
        "quizzes.edit_question",
        "quizzes.archive_question",
        "quizzes.regrade_question",
        "quizzes.import_questions",
        "quizzes.confirm_import",
        "quizzes.export_questions",
        "quizzes.manage_lesson",
        "quizzes.manage",
        "quizzes.add_fixed_question",
        "quizzes.add_draw",
        "quizzes.item_action",
        "quizzes.results",
        "quizzes.trainer_attempt",
        "quizzes.quiz_statistics",
        "quizzes.grading_queue",
        "quizzes.grade_slot",
        "api.start_attempt",
        "api.save_answer",
        "api.submit_attempt",
        "api.get_attempt",
        "api.quiz_statistics",
        "api.export_questions",
        "api.import_questions",
        "competencies.employee",
        "competencies.enrol",
        "api.employee_competencies",
        "api.employee_recommendations",
        "api.employee_jp",
        "competency_admin.edit_competency",
        "competency_admin.set_active",
        "competency_admin.position_standards",
        "competency_admin.rate",
        "competency_admin.external_training",
        "competency_admin.certificate",
        "competency_admin.remove_goal",
        "competency_admin.add_activity",
        "competency_admin.remove_activity",
        "competency_admin.track_activity",
        "competency_admin.submit_plan",
        "competency_admin.view_plan",
        "competency_admin.decide_plan",
        "api.employee_certificates",
        "api.certificate_pdf",
        "certificates.pdf",
        "certificates.recertify",
        "certificates.registry_detail",
        "certificates.revoke",
        "certificates.reissue",
        "courses.evaluation_form",
        "authoring.evaluation_results",
        "notifications.follow",
    } <= walked


@pytest.mark.parametrize("login", ["bkpsdm.serang@lentera.test", "pegawai.serang@lentera.test"])
def test_other_organisation_gets_nothing(app, client, db, auth, demo, solok, login):
    before = solok_state(db, solok)
    assert auth.login(login).status_code == 302
    user = db.session.scalar(select(User).where(User.email == login))
    token = bearer_for(db, user)
    failures: list[str] = []
    walked = 0
    for rule in argument_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue  # public by design: certificate verification answers anyone with the code
        url = solok_url(rule, solok)
        for method in methods(rule):
            walked += 1
            response = request(client, rule, method, url, token=token, csrf=auth.csrf)
            status = response.status_code
            body = response.get_data(as_text=True)
            where = f"{method} {url} ({rule.endpoint}) as {login}"
            allowed = {403, 404} | EXTRA_ALLOWED.get((rule.endpoint, method), set())
            if status not in allowed:
                failures.append(f"{where}: status {status}, expected one of {sorted(allowed)}")
            if 300 <= status < 400:
                location = urlsplit(response.headers.get("Location", "")).path
                expected = ALLOWED_REDIRECTS.get((rule.endpoint, method))
                if location != expected:
                    failures.append(f"{where}: redirect to {location!r}, expected {expected!r}")
            if is_api(rule) and status >= 400:
                error = (response.get_json(silent=True) or {}).get("error") or {}
                if not (error.get("code") and error.get("message")):
                    failures.append(f"{where}: not a JSON error: {body[:200]!r}")
            for leak in solok.leaks(body):
                failures.append(f"{where}: the body shows the Solok employee's {leak}")
    assert walked >= 12
    assert not failures, "\n".join(failures)
    assert solok_state(db, solok) == before, "a request of another organisation changed Solok"


def test_own_hr_can_confirm_the_pending_import(client, db, auth, solok):
    """The fixture's import token is a real pending preview: refusing it above means something."""
    auth.login("bkpsdm.solok@lentera.test")
    response = auth.post(f"/hr/impor/{solok.import_token}")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/hr/pegawai"
    db.session.expire_all()
    imported = db.session.scalar(select(Employee).where(Employee.name == IMPORTED_NAME))
    assert imported is not None and imported.organisation_id == solok.org_id


def test_foreign_import_token_looks_like_an_unknown_one(client, db, auth, solok):
    """Serang's HR confirming Solok's pending import gets the reply a made-up token gets."""
    before = solok_state(db, solok)
    auth.login("bkpsdm.serang@lentera.test")
    foreign = auth.post(f"/hr/impor/{solok.import_token}")
    made_up = auth.post(f"/hr/impor/{secrets.token_urlsafe(24)}")
    assert foreign.status_code == made_up.status_code == 302
    assert foreign.headers["Location"] == made_up.headers["Location"]
    assert urlsplit(foreign.headers["Location"]).path == "/hr/impor"
    page = client.get("/hr/impor")
    assert "tidak berlaku" in page.text
    assert IMPORTED_NAME not in page.text
    assert solok_state(db, solok) == before


def test_learner_is_refused_every_hr_and_admin_route(app, client, db, auth, solok):
    auth.login("pegawai.serang@lentera.test")
    failures = []
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/hr/", "/admin/")) and rule.rule not in ("/hr", "/admin"):
            continue
        url = solok_url(rule, solok)
        for method in methods(rule):
            walked += 1
            response = request(client, rule, method, url, csrf=auth.csrf)
            if response.status_code not in (403, 404):
                failures.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
            failures.extend(
                f"{method} {url}: shows the Solok employee's {leak}"
                for leak in solok.leaks(response.get_data(as_text=True))
            )
    assert walked >= 15
    assert not failures, "\n".join(failures)


def _check_anonymous(app, client, solok: Solok, csrf: str, who: str) -> list[str]:
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = solok_url(rule, solok)
        for method in methods(rule):
            response = request(client, rule, method, url, csrf=csrf)
            status = response.status_code
            where = f"{method} {url} ({rule.endpoint}) {who}"
            if is_api(rule):
                error = (response.get_json(silent=True) or {}).get("error") or {}
                if status != 401 or not error.get("code"):
                    failures.append(f"{where}: {status} {response.get_data(as_text=True)[:120]!r}")
            else:
                location = urlsplit(response.headers.get("Location", "")).path
                if status != 302 or location != "/masuk":
                    failures.append(f"{where}: {status} to {location!r}, expected 302 to /masuk")
            body = response.get_data(as_text=True)
            if status == 302:
                # the login link carries back the address the visitor asked for (a NIP in
                # /kompetensi/pegawai/<nip>/...): an echo of what they typed, not a leak
                body = body.replace(html.escape(response.headers.get("Location", "")), "")
            failures.extend(
                f"{where}: shows the Solok employee's {leak}" for leak in solok.leaks(body)
            )
    return failures


def test_anonymous_is_sent_to_login_or_gets_401(app, client, db, solok):
    failures = _check_anonymous(app, client, solok, anonymous_csrf(client), "anonymously")
    assert not failures, "\n".join(failures)


def test_session_cookie_never_opens_the_api(app, client, db, auth, solok):
    """The API is CSRF-exempt because only bearer tokens open it: a logged-in browser gets 401."""
    auth.login("bkpsdm.solok@lentera.test")
    failures = []
    for rule in app.url_map.iter_rules():
        if not is_api(rule) or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = solok_url(rule, solok)
        for method in methods(rule):
            response = request(client, rule, method, url)
            if rule.endpoint in SESSION_API_ENDPOINTS:
                error = (response.get_json(silent=True) or {}).get("error") or {}
                if response.status_code != 400 or error.get("code") != "csrf_failed":
                    failures.append(f"{method} {url}: {response.status_code} without X-CSRFToken")
                continue
            if response.status_code != 401:
                failures.append(f"{method} {url}: {response.status_code} with a session cookie")
    assert not failures, "\n".join(failures)


def test_own_hr_reaches_every_get_route(app, client, db, auth, demo, solok):
    """The other side of the walk: the Solok objects are real, so the 404s above mean something."""
    auth.login("bkpsdm.solok@lentera.test")
    token = bearer_for(db, demo["hr_solok"])
    failures = []
    for rule in argument_rules(app):
        if "GET" not in methods(rule):
            continue
        url = solok_url(rule, solok)
        response = request(client, rule, "GET", url, token=token)
        if rule.endpoint in OWN_REDIRECTS:
            location = response.headers.get("Location")
            expected = OWN_REDIRECTS[rule.endpoint]
            expected = expected(solok) if callable(expected) else expected
            if response.status_code != 302 or location != expected:
                failures.append(f"GET {url} ({rule.endpoint}): {response.status_code} {location}")
        elif response.status_code != 200:
            failures.append(f"GET {url} ({rule.endpoint}): {response.status_code}")
        response.close()
    assert not failures, "\n".join(failures)
    page = client.get(f"/pegawai/{solok.employee_id}")
    assert solok.employee.name in page.text or html.escape(solok.employee.name) in page.text


GARBAGE_INT = [2**63, 10**30]
GARBAGE_TEXT = ["x", "²" * 18, "9" * 40, "a" * 65, "..", "%"]


def test_garbage_arguments_never_fail_the_server(app, client, db, auth, demo, solok):
    """Out-of-range ids and junk strings are a 4xx for every route, never a 500 or a page."""
    auth.login("bkpsdm.solok@lentera.test")
    token = bearer_for(db, demo["hr_solok"])
    failures = []
    for rule in argument_rules(app):
        check_known(rule)
        int_args = set(re.findall(r"<int(?:\([^)]*\))?:([^<>]+)>", rule.rule))
        for argument in route_arguments(rule):
            for junk in GARBAGE_INT if argument in int_args else GARBAGE_TEXT:
                values = {name: solok.value(name, rule.endpoint) for name in route_arguments(rule)}
                values[argument] = junk
                url = build(rule, values)
                for method in methods(rule):
                    response = request(client, rule, method, url, token=token, csrf=auth.csrf)
                    status = response.status_code
                    allowed = {400, 403, 404} | EXTRA_ALLOWED.get((rule.endpoint, method), set())
                    if status not in allowed:
                        failures.append(f"{method} {url} ({rule.endpoint}): {status}")
    assert not failures, "\n".join(failures)


# --- scoping of the one record page non-HR users can see -----------------------------------------


def _employee_in(db, organisation_id: int, **where: Any) -> Employee:
    query = select(Employee).where(Employee.organisation_id == organisation_id)
    for name, value in where.items():
        query = query.where(getattr(Employee, name) == value)
    found = db.session.scalars(query.order_by(Employee.id)).first()
    assert found is not None, where
    return found


def test_learner_sees_only_self(client, db, auth, demo):
    learner = demo["learner"].employee
    auth.login("pegawai.solok@lentera.test")
    own = client.get(f"/pegawai/{learner.id}")
    assert own.status_code == 200
    assert learner.nip in own.text
    boss = client.get(f"/pegawai/{demo['supervisor'].employee_id}")
    assert boss.status_code == 404
    assert demo["supervisor"].employee.nip not in boss.text
    colleague = _employee_in(db, demo["solok"].id, supervisor_id=learner.supervisor_id)
    if colleague.id == learner.id:
        colleague = db.session.scalars(
            select(Employee).where(
                Employee.supervisor_id == learner.supervisor_id, Employee.id != learner.id
            )
        ).first()
    assert client.get(f"/pegawai/{colleague.id}").status_code == 404


def test_supervisor_sees_direct_reports_only(client, db, auth, demo):
    supervisor = demo["supervisor"].employee
    report = demo["learner"].employee
    assert report.supervisor_id == supervisor.id
    auth.login("atasan.solok@lentera.test")
    own = client.get(f"/pegawai/{supervisor.id}")
    assert own.status_code == 200
    seen = client.get(f"/pegawai/{report.id}")
    assert seen.status_code == 200
    assert report.nip in seen.text
    # a report of a report (a Puskesmas nurse under the Kepala Puskesmas) is not a direct report
    indirect = db.session.scalars(
        select(Employee).where(Employee.supervisor.has(Employee.supervisor_id == supervisor.id))
    ).first()
    assert indirect is not None
    response = client.get(f"/pegawai/{indirect.id}")
    assert response.status_code == 404
    assert indirect.nip not in response.text
    # nor is someone in another office, or the supervisor's own boss
    unit = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "DISDIK")
    )
    elsewhere = _employee_in(db, demo["solok"].id, unit_id=unit.id)
    assert client.get(f"/pegawai/{elsewhere.id}").status_code == 404
    assert client.get(f"/pegawai/{supervisor.supervisor_id}").status_code == 404


def test_own_hr_sees_any_employee_of_the_organisation(client, db, auth, demo):
    auth.login("bkpsdm.solok@lentera.test")
    anyone = _employee_in(db, demo["solok"].id, unit_id=demo["learner"].employee.unit_id)
    assert client.get(f"/pegawai/{anyone.id}").status_code == 200
    serang = demo["learner_serang"].employee
    response = client.get(f"/pegawai/{serang.id}")
    assert response.status_code == 404
    assert serang.nip not in response.text


# --- query strings on HR lists -------------------------------------------------------------------


def test_hr_lists_ignore_other_organisations_in_query_strings(client, db, auth, demo, solok):
    """Serang's HR naming Solok's unit, NIP or the platform scope still sees only Serang."""
    services.issue_api_token(demo["learner"], "audit-jejak")  # an audit event with a Solok actor
    db.session.flush()
    auth.login("bkpsdm.serang@lentera.test")
    surname = solok.employee.name.split(",")[0]
    for url, echoed in (
        (f"/hr/pegawai?unit={solok.unit_id}", None),
        (f"/hr/pegawai?q={solok.nip}", solok.nip),
        (f"/hr/pegawai?q={quote(surname)}", surname),
        (f"/hr/pegawai?unit={10**30}", None),
        ("/hr/audit?lingkup=platform", None),
        ("/hr/audit", None),
        ("/hr/jabatan?q=Epidemiolog", None),
        ("/hr/unit", None),
        ("/", None),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.text
        if echoed:
            # the search box and the language switch's return URL repeat what was typed
            body = body.replace(html.escape(echoed), "").replace(quote(echoed), "")
        assert not solok.leaks(body), url
        assert f'"/pegawai/{solok.employee_id}"' not in body, url
    # and Solok's own HR does see that audit event, so the check above is not vacuous
    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    assert solok.leaks(client.get("/hr/audit").text)


# --- reports: the organisation comes from the login, never from the query string ---------------


def _report_text(response: Any) -> str:
    """A report page or export as text (a workbook's cells, one per line)."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.data), read_only=True)
        try:
            return "\n".join(
                str(value) for row in workbook.active.iter_rows(values_only=True) for value in row
            )
        finally:
            workbook.close()
    return response.get_data(as_text=True)


def test_reports_ignore_other_organisations_in_query_strings(app, client, db, auth, solok):
    """Serang's HR naming Solok's organisation, unit, position or course in a report's query
    string gets Serang's report (or a 400 for an export), on every report route."""
    course_id = db.session.scalar(select(Course.id).where(Course.code == solok.course_code))
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("reports.")]
    assert len(rules) >= 7 and not any(route_arguments(r) for r in rules)
    queries = (
        f"unit={solok.unit_id}",
        f"kursus={course_id}",
        f"jabatan={solok.position_id}",
        f"instansi={solok.org_id}",
        f"kursus={course_id}&tampilan=daftar",
        "per=pelatih",
    )
    auth.login("bkpsdm.serang@lentera.test")
    failures = []
    for rule in rules:
        if "GET" not in rule.methods:  # the recount: back to Serang's own report
            for query in queries:
                url = f"{rule.rule}?{query}"
                response = auth.post(url, {"halaman": "reports.dashboard"})
                if response.status_code != 302:
                    failures.append(f"POST {url}: {response.status_code}")
                    continue
                landing = _report_text(client.get(response.location))
                failures.extend(f"POST {url}: shows {leak}" for leak in solok.leaks(landing))
            continue
        for query in queries:
            for export in ("", "&format=csv", "&format=xlsx"):
                url = f"{rule.rule}?{query}{export}"
                response = client.get(url, buffered=True)
                if response.status_code not in (200, 400, 403):
                    failures.append(f"GET {url}: {response.status_code}")
                failures.extend(
                    f"GET {url}: shows {leak}" for leak in solok.leaks(_report_text(response))
                )
    assert not failures, "\n".join(failures)
    # and Solok's own HR does see the learner there, so the check above is not vacuous
    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    own = client.get(f"/laporan/penyelesaian?kursus={course_id}&tampilan=daftar")
    assert solok.leaks(own.text)
