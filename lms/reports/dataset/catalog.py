"""Courses with their versions, lessons, competencies, trainers, question banks and quizzes,
and the mandatory assignments."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update

from lms.courses.models import (
    AssignmentRule,
    Category,
    Course,
    CourseCompetency,
    CourseStatus,
    CourseTrainer,
    CourseVersion,
    Lesson,
    LessonType,
    Module,
    TargetType,
    Visibility,
)
from lms.courses.services import content_hash
from lms.extensions import db
from lms.quizzes.formats.model import Difficulty, QuestionType, TextFormat
from lms.quizzes.models import (
    GradingMethod,
    Question,
    QuestionCategory,
    Quiz,
    QuizItem,
    QuizKind,
    ReviewOption,
)
from lms.reports.dataset import words
from lms.reports.dataset.base import (
    HISTORY_DAYS,
    LEADERSHIP,
    TEXT_LESSONS,
    CoursePlan,
    DatasetError,
    Generation,
    QuestionPlan,
    as_json,
    local_day,
    table_of,
)


class CatalogSteps(Generation):
    """Courses and their question banks, quizzes and mandatory assignments."""

    # -- courses --

    def _categories(self, names: set[str]) -> dict[str, int]:
        found = {
            name.lower(): category_id
            for category_id, name in db.session.execute(select(Category.id, Category.name))
        }
        missing = sorted(n for n in names if n.lower() not in found)
        ids = self.out.reserve(table_of(Category), len(missing))
        self.out.write(table_of(Category), ("id", "name"), list(zip(ids, missing, strict=True)))
        found.update({n.lower(): i for n, i in zip(missing, ids, strict=True)})
        return {n: found[n.lower()] for n in names}

    def plan_courses(self) -> None:
        """The courses: every topic first, then its variants (advanced, case studies, for
        heads of units, refresher), the topics' mandatory ones first of all."""
        rng = self.rng
        every = [(topic, variant) for variant in words.VARIANTS for topic in words.COURSES]
        plans = every[: self.o.courses]
        if len(plans) < self.o.courses:
            raise DatasetError(f"At most {len(plans)} courses can be generated.")
        ids = self.out.reserve(table_of(Course), len(plans))
        for index, ((topic, variant), course_id) in enumerate(zip(plans, ids, strict=True)):
            title, category, targets, jp, months, audience, mandatory = topic
            suffix, step = variant
            self.courses.append(
                CoursePlan(
                    id=course_id,
                    code=f"{self.code}-{index + 1:03d}",
                    title=f"{title} {suffix}".strip(),
                    jp=max(2, jp // 2) if suffix == "Penyegaran" else jp,
                    category=category,
                    version_id=0,
                    certificate_months=months,
                    completion_is_evidence=rng.random() < 0.8,
                    self_enrollment=not (mandatory and not suffix),
                    audience=audience,
                    mandatory=mandatory and not suffix,
                    targets=[
                        (code, self.competency_ids[code], max(1, min(5, level + step)))
                        for code, level in targets.items()
                    ],
                    leadership=LEADERSHIP.get(title) if not suffix else None,
                )
            )

    def write_courses(self) -> None:
        """Published courses, a fifth with an earlier version too, each version with three
        modules of text lessons and a final quiz lesson; targets and trainers."""
        rng = self.rng
        categories = self._categories({c.category for c in self.courses})
        course_rows, version_rows, module_rows, lesson_rows = [], [], [], []
        two_versions = [rng.random() < 0.2 for _ in self.courses]
        version_ids = iter(self.out.reserve(table_of(CourseVersion), len(self.courses) +
                                            sum(two_versions)))  # fmt: skip
        versions: list[tuple[CoursePlan, int, int, datetime, bool]] = []
        for course, twice in zip(self.courses, two_versions, strict=True):
            created = self.now - timedelta(days=rng.randint(HISTORY_DAYS + 60, HISTORY_DAYS + 400))
            course_rows.append(
                (course.id, course.code, self.org_id, categories[course.category],
                 (Visibility.SHARED if rng.random() < 0.1 else Visibility.ORGANISATION).value,
                 course.self_enrollment, course.completion_is_evidence, course.certificate_months,
                 False, CourseStatus.PUBLISHED.value, created, created)
            )  # fmt: skip
            first = created + timedelta(days=rng.randint(5, 20))
            if twice:
                versions.append((course, next(version_ids), 1, first, False))
                later = self.now - timedelta(days=rng.randint(60, HISTORY_DAYS - 60))
                versions.append((course, next(version_ids), 2, later, True))
            else:
                versions.append((course, next(version_ids), 1, first, True))
        self.content_versions = len(versions)
        module_ids = iter(self.out.reserve(table_of(Module), 3 * len(versions)))
        lesson_ids = iter(self.out.reserve(table_of(Lesson), (TEXT_LESSONS + 1) * len(versions)))
        for course in self.courses:
            course.lesson_keys = [f"{rng.getrandbits(128):032x}" for _ in range(TEXT_LESSONS + 1)]
        for course, version_id, number, published, current in versions:
            version_rows.append(
                (version_id, course.id, number, course.title,
                 f"Pelatihan daring {course.title.lower()} bagi ASN {self.o.organisation_name}.",
                 f"## Tentang kursus ini\n\n{course.title} membekali ASN dengan pengetahuan dan "
                 f"keterampilan yang dibutuhkan jabatannya.\n\n- {course.jp} JP\n- Kuis akhir "
                 f"dengan nilai lulus 70", course.jp, published, published)
            )  # fmt: skip
            if current:
                course.version_id = version_id
            hashes = []
            for m, module_title in enumerate(words.MODULES):
                module_id = next(module_ids)
                module_rows.append((module_id, version_id, m, f"Modul {m + 1}: {module_title}"))
                picks = [2 * m, 2 * m + 1] + ([TEXT_LESSONS] if m == 2 else [])
                for position, k in enumerate(picks):
                    if k == TEXT_LESSONS:
                        kind, title, body = LessonType.QUIZ, "Kuis akhir", ""
                    else:
                        kind = LessonType.TEXT
                        title, lead = words.LESSONS[k]
                        body = (
                            f"# {title}\n\n{lead} dalam {course.title.lower()}.\n\n"
                            "ASN perlu memahami tujuan, dasar hukum, dan langkah penerapannya "
                            "di unit kerja masing-masing.\n\n1. Baca materi.\n2. Diskusikan "
                            "dengan atasan.\n3. Terapkan dalam pekerjaan.\n"
                        )
                    digest = content_hash(kind, body, None, None)
                    hashes.append(digest)
                    lesson_rows.append(
                        (next(lesson_ids), module_id, version_id, course.lesson_keys[k], position,
                         title, kind.value, True, body, digest)
                    )  # fmt: skip
            if current:
                course.lesson_hashes = hashes
        self.out.write(
            table_of(Course),
            ("id", "code", "organisation_id", "category_id", "visibility", "self_enrollment",
             "completion_is_evidence", "certificate_months", "requires_evaluation", "status",
             "created_at", "updated_at"),
            course_rows,
        )  # fmt: skip
        self.out.write(
            table_of(CourseVersion),
            ("id", "course_id", "number", "title", "summary", "description", "jp",
             "published_at", "created_at"),
            version_rows,
        )  # fmt: skip
        db.session.connection().execute(
            update(table_of(Course))
            .where(table_of(Course).c.id == bindparam("course"))
            .values(published_version_id=bindparam("version")),
            [{"course": c.id, "version": c.version_id} for c in self.courses],
        )
        self.out.write(table_of(Module), ("id", "version_id", "position", "title"), module_rows)
        self.out.write(
            table_of(Lesson),
            ("id", "module_id", "version_id", "key", "position", "title", "lesson_type",
             "is_required", "body", "content_hash"),
            lesson_rows,
        )  # fmt: skip
        rows = [(c.id, code, level) for c in self.courses for code, _cid, level in c.targets]
        ids = self.out.reserve(table_of(CourseCompetency), len(rows))
        self.out.write(
            table_of(CourseCompetency),
            ("id", "course_id", "code", "level"),
            [(i, *row) for i, row in zip(ids, rows, strict=True)],
        )
        rows = []
        for course in self.courses:
            for user_id in sorted(set(rng.sample(self.trainer_user_ids,
                                                 min(2, len(self.trainer_user_ids))))):  # fmt: skip
                rows.append((course.id, user_id))
        ids = self.out.reserve(table_of(CourseTrainer), len(rows))
        self.out.write(
            table_of(CourseTrainer),
            ("id", "course_id", "user_id"),
            [(i, *row) for i, row in zip(ids, rows, strict=True)],
        )

    def write_questions(self) -> None:
        """A bank of questions per course (multiple choice, true/false, multiple response,
        tagged with the course's competencies) and its quiz, drawing from the bank."""
        rng = self.rng
        q_per_course = self.o.questions_per_course
        category_ids = self.out.reserve(table_of(QuestionCategory), len(self.courses))
        question_ids = iter(self.out.reserve(table_of(Question), q_per_course * len(self.courses)))
        quiz_ids = self.out.reserve(table_of(Quiz), len(self.courses))
        item_ids = self.out.reserve(table_of(QuizItem), len(self.courses))
        difficulties = [Difficulty.EASY, Difficulty.MEDIUM, Difficulty.MEDIUM, Difficulty.HARD]
        options = (
            "Melaksanakan sesuai ketentuan dan mendokumentasikannya",
            "Menunggu arahan pimpinan tanpa mengambil tindakan",
            "Menyerahkan sepenuhnya kepada pihak ketiga",
            "Menunda karena bukan prioritas unit kerja",
        )
        question_rows = []
        for course, category_id, quiz_id in zip(self.courses, category_ids, quiz_ids,
                                                strict=True):  # fmt: skip
            course.quiz_id = quiz_id
            topic = course.title[:1].lower() + course.title[1:]
            for i in range(q_per_course):
                code, competency_id, level = course.targets[i % len(course.targets)]
                kind = (QuestionType.TRUEFALSE if i % 10 in (7, 8)
                        else QuestionType.MULTIRESPONSE if i % 10 == 9
                        else QuestionType.MULTICHOICE)  # fmt: skip
                keys = [f"{rng.getrandbits(32):08x}" for _ in options]
                choices: list[dict[str, Any]] = []
                correct = None
                partial = None
                if kind is QuestionType.TRUEFALSE:
                    correct = rng.random() < 0.5
                    orders = ["[]"]
                    right, wrong = as_json(correct), [as_json(not correct)]
                else:
                    if kind is QuestionType.MULTICHOICE:
                        fractions = [1.0, 0.0, 0.0, 0.0]
                        right = as_json(keys[0])
                        wrong = [as_json(k) for k in keys[1:]]
                    else:
                        fractions = [0.5, 0.5, -0.5, -0.5]
                        right = as_json(sorted(keys[:2]))
                        wrong = [as_json(sorted([keys[0], keys[2]])), as_json(sorted(keys[1:3]))]
                        partial = as_json([keys[rng.randint(0, 1)]])
                    choices = [
                        {"text": text_, "fraction": fraction, "feedback": "", "match": "",
                         "value": None, "tolerance": 0.0, "key": key}
                        for text_, fraction, key in zip(options, fractions, keys, strict=True)
                    ]  # fmt: skip
                    orders = [as_json(list(p)) for p in itertools.permutations(keys)]
                question_id = next(question_ids)
                course.questions.append(
                    QuestionPlan(question_id, competency_id, level, orders, right, wrong, partial)
                )
                stem = words.QUESTION_STEMS[i % len(words.QUESTION_STEMS)].format(topic=topic)
                question_rows.append(
                    (question_id, category_id, self.org_id, kind.value, f"Soal {i + 1}",
                     f"{stem} (soal {i + 1})", TextFormat.MARKDOWN.value, "", code, level,
                     difficulties[i % 4].value, 1.0, True, as_json(choices), correct, "", "",
                     "{}", 1, False, self.now, self.now)
                )  # fmt: skip
        self.out.write(
            table_of(QuestionCategory),
            ("id", "organisation_id", "course_id", "path"),
            [(i, self.org_id, c.id, f"{c.code}/bank-soal")
             for i, c in zip(category_ids, self.courses, strict=True)],
        )  # fmt: skip
        self.out.write(
            table_of(Question),
            ("id", "category_id", "organisation_id", "type", "title", "text", "text_format",
             "general_feedback", "competency", "level", "difficulty", "default_mark", "shuffle",
             "choices", "correct", "feedback_true", "feedback_false", "files", "key_version",
             "is_archived", "created_at", "updated_at"),
            question_rows,
        )  # fmt: skip
        self.out.write(
            table_of(Quiz),
            ("id", "course_id", "lesson_key", "kind", "attempts_allowed", "grading_method",
             "pass_percent", "shuffle_questions", "shuffle_options", "one_per_page", "review",
             "created_at", "updated_at"),
            [(c.quiz_id, c.id, c.lesson_keys[-1], QuizKind.POST_TEST.value, 3,
              GradingMethod.HIGHEST.value, 70.0, True, True, False, ReviewOption.FEEDBACK.value,
              self.now, self.now) for c in self.courses],
        )  # fmt: skip
        self.out.write(
            table_of(QuizItem),
            ("id", "quiz_id", "position", "category_id", "draw_count"),
            [(i, c.quiz_id, 0, category_id, min(self.o.answers_per_attempt, q_per_course))
             for i, c, category_id in zip(item_ids, self.courses, category_ids, strict=True)],
        )  # fmt: skip

    def plan_assignments(self) -> None:
        """Mandatory courses assigned to everyone on one day with a due date; the first course
        of each functional family assigned by rule to that family's positions."""
        rng = self.rng
        for course in self.courses:
            if course.mandatory:
                course.assigned_at = self.now - timedelta(
                    days=rng.randint(20, HISTORY_DAYS - 30), hours=rng.randint(0, 8)
                )
                course.due = local_day(course.assigned_at) + timedelta(days=90)
        rules = []
        seen: set[str] = set()
        for course in self.courses:
            if course.audience is None or course.audience in seen:
                continue
            seen.add(course.audience)
            created = self.now - timedelta(days=rng.randint(120, HISTORY_DAYS - 60))
            due = local_day(created) + timedelta(days=180)
            for (key, _jenjang), position_id in self.positions.items():
                if key == course.audience:
                    rules.append((course, position_id, created, due))
        ids = self.out.reserve(table_of(AssignmentRule), len(rules))
        for rule_id, (course, position_id, created, due) in zip(ids, rules, strict=True):
            course.rules[position_id] = (rule_id, created, due)
        self.out.write(
            table_of(AssignmentRule),
            ("id", "organisation_id", "course_id", "target_type", "target_id", "due_date",
             "created_by_id", "created_at", "is_active"),
            [(i, self.org_id, c.id, TargetType.POSITION.value, p, due, self.hr_user_id, created,
              True) for i, (c, p, created, due) in zip(ids, rules, strict=True)],
        )  # fmt: skip
