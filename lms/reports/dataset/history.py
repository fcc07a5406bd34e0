"""Two years of learning: enrolments, lesson progress, quiz attempts and answers, evidence and
current levels, external training and course evaluations."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from lms.competencies import evidence
from lms.competencies.models import (
    EmployeeCompetency,
    Evidence,
    EvidenceSource,
    ExternalTraining,
)
from lms.competencies.profile import current_level
from lms.courses.evaluation import DEFAULT_ITEMS
from lms.courses.models import (
    Enrollment,
    EnrollmentSource,
    EvaluationResponse,
    LessonProgress,
)
from lms.quizzes.models import (
    Attempt,
    AttemptSlot,
    AttemptState,
)
from lms.reports.dataset import words
from lms.reports.dataset.base import (
    CERTIFICATE_DAYS,
    HISTORY_DAYS,
    TEXT_LESSONS,
    CoursePlan,
    Generation,
    Person,
    Shown,
    add_years,
    as_json,
    local_day,
    table_of,
)

#: an enrolment to be: course, source, rule id, when assigned and when due (if so)
Planned = tuple[CoursePlan, str, int | None, datetime | None, date | None]
#: the statements of the end-of-course evaluation
ITEMS = [str(item) for item in DEFAULT_ITEMS]


@dataclass
class Batch:
    """The rows of one chunk of employees, written together."""

    enrolments: list[tuple] = field(default_factory=list)
    progress: list[tuple] = field(default_factory=list)
    attempts: list[tuple] = field(default_factory=list)
    slots: list[tuple] = field(default_factory=list)
    evidence: list[tuple] = field(default_factory=list)
    trainings: list[tuple] = field(default_factory=list)
    levels: list[tuple] = field(default_factory=list)
    evaluations: list[tuple] = field(default_factory=list)
    #: evidence per (employee, competency), for the current levels
    shown: dict[tuple[int, int], list[Shown]] = field(default_factory=lambda: defaultdict(list))
    #: quiz attempts to make: who, which course, "fail"/"pass"/"open" in order, between when
    attempt_plans: list[tuple[Person, CoursePlan, list[str], datetime, datetime]] = field(
        default_factory=list
    )


class HistorySteps(Generation):
    """The learning history of the last two years."""

    def history(self) -> None:
        """The learning history, one transaction per chunk of employees."""
        size = max(1, self.o.chunk_employees)
        general = [c for c in self.courses if not c.mandatory]
        for family in {p.family for p in self.people}:
            weights = []
            for rank, course in enumerate(general):
                weight = 1.0 / (1 + 0.02 * rank)
                if course.audience == family:
                    weight *= 8
                elif course.audience is not None:
                    weight *= 0.1
                weights.append(weight)
            self.course_weights[family] = (general, list(itertools.accumulate(weights)))
        for start in range(0, len(self.people), size):
            self._chunk(self.people[start : start + size])
            self.commit()
            done = min(start + size, len(self.people))
            self.say(
                f"history of {done:,}/{len(self.people):,} employees: "
                f"{self.out.counts['enrollments']:,} enrolments, "
                f"{self.out.counts['attempt_slots']:,} answers"
            )

    def _courses_of(self, person: Person) -> list[Planned]:
        """The person's enrolments to be: the mandatory courses, the family's course assigned
        by rule, leadership training of their position type, then courses taken by choice or
        assigned, the popular ones and those of the person's family more often."""
        rng = self.rng
        joined = datetime.combine(person.joined, time(1), tzinfo=UTC)
        chosen: list[Planned] = []
        taken: set[int] = set()
        for course in self.courses:
            if course.mandatory:
                assigned = course.assigned_at
                due = course.due
                if joined > assigned:  # joined later: assigned on arrival
                    if joined > self.now - timedelta(days=5):
                        continue
                    assigned = joined + timedelta(days=rng.randint(1, 5))
                    due = local_day(assigned) + timedelta(days=90)
                chosen.append((course, EnrollmentSource.ASSIGNED.value, None, assigned, due))
            elif person.position_id in course.rules:
                rule_id, created, due = course.rules[person.position_id]
                chosen.append((course, EnrollmentSource.RULE.value, rule_id,
                               max(created, joined + timedelta(days=1)), due))  # fmt: skip
            elif course.leadership is person.position_type:
                chosen.append((course, EnrollmentSource.ASSIGNED.value, None, None, None))
            else:
                continue
            taken.add(course.id)
        avg = self.o.enrolments_per_employee
        wanted = min(len(self.courses), max(1, rng.randint(avg - 6, avg + 6)))
        need = wanted - len(chosen)
        candidates, cumulative = self.course_weights[person.family]
        tries = 0
        while need > 0 and candidates and tries < 4:
            for course in rng.choices(candidates, cum_weights=cumulative, k=need * 2):
                if need and course.id not in taken:
                    taken.add(course.id)
                    source = (EnrollmentSource.SELF if course.self_enrollment
                              and rng.random() < 0.75 else EnrollmentSource.ASSIGNED)  # fmt: skip
                    chosen.append((course, source.value, None, None, None))
                    need -= 1
            tries += 1
        return chosen

    def _chunk(self, people: list[Person]) -> None:
        """The history of some employees, written in one transaction."""
        batch = Batch()
        plans = [(person, self._courses_of(person)) for person in people]
        ids = iter(self.out.reserve(table_of(Enrollment), sum(len(c) for _p, c in plans)))
        window_start = self.now - timedelta(days=HISTORY_DAYS)
        for person, chosen in plans:
            joined = datetime.combine(person.joined, time(1), tzinfo=UTC)
            opens = max(window_start, joined + timedelta(days=1))
            for planned in chosen:
                self._enrol(batch, next(ids), person, opens, *planned)
        self._attempts(batch)
        self._assessments_and_training(people, batch)
        self._current_levels(batch)
        self._write(batch)

    def _enrol(
        self,
        batch: Batch,
        enrollment_id: int,
        person: Person,
        opens: datetime,
        course: CoursePlan,
        source: str,
        rule_id: int | None,
        assigned: datetime | None,
        due: date | None,
    ) -> None:
        """One enrolment: completed (most of those assigned long ago, fewer of the recent and
        of those taken by choice), in progress, not started or withdrawn; overdue when not
        completed by its due date; a few restarted for recertification."""
        rng, now = self.rng, self.now
        latest = now - timedelta(hours=1)
        if assigned is None:
            created = self.moment_between(opens, now - timedelta(days=1))
            if source == EnrollmentSource.ASSIGNED.value:
                due = local_day(created) + timedelta(days=rng.randint(30, 180))
        else:
            created = max(assigned, opens)
        created = min(created, latest - timedelta(hours=2))
        age = (now - created).days
        if due is not None:
            p_done = 0.8 if due < self.today else 0.15 + 0.5 * min(1.0, age / 90)
        else:
            p_done = min(0.52, 0.05 + age / 350)
        completed_at = started_at = withdrawn_at = restarted_at = None
        cycle, done = 1, 0
        if rng.random() < p_done:
            deadline = latest
            if due is not None and due < self.today and rng.random() < 0.85:
                deadline = min(deadline, datetime.combine(due, time(9), tzinfo=UTC))
            span = timedelta(days=rng.choice((3, 10, 21, 45, 120)))
            completed_at = self.moment_between(
                created + timedelta(hours=2), min(deadline, created + span)
            )
            started_at = self.moment_between(created, completed_at - timedelta(hours=1))
            done = TEXT_LESSONS + 1
        elif rng.random() < 0.7:
            started_at = self.moment_between(created, min(latest, created + timedelta(days=30)))
            done = rng.randint(1, TEXT_LESSONS)
        elif source == EnrollmentSource.SELF.value and rng.random() < 0.08:
            withdrawn_at = self.moment_between(created, latest)
        if completed_at is not None:
            kinds = ["fail", "pass"] if rng.random() < 0.15 else ["pass"]
            batch.attempt_plans.append((person, course, kinds, started_at, completed_at))
            self._completion(batch, person, course, enrollment_id, completed_at)
            expiry = course.certificate_expiry(completed_at)
            end = completed_at
            if expiry and expiry < self.today - timedelta(days=30) and rng.random() < 0.3:
                # recertification: a new cycle after the certificate expired; the earlier
                # completion stays on record (and its certificate), the lessons are taken again
                cycle = 2
                restarted_at = min(
                    latest,
                    datetime.combine(expiry, time(2), tzinfo=UTC)
                    + timedelta(days=rng.randint(1, 25)),
                )
                done = rng.randint(0, 3)
                completed_at = None
                started_at = restarted_at + timedelta(hours=1) if done else None
                end = min(latest, restarted_at + timedelta(days=3))
            if done:
                self._lessons_done(batch, enrollment_id, course, started_at, end, done)
        elif started_at is not None:
            self._lessons_done(batch, enrollment_id, course, started_at, latest, done)
            if done == TEXT_LESSONS and rng.random() < 0.75:
                kinds = ["fail"] if rng.random() < 0.65 else ["open"]
                batch.attempt_plans.append((person, course, kinds, started_at, latest))
        moments = (created, started_at, completed_at, restarted_at, withdrawn_at)
        batch.enrolments.append(
            (enrollment_id, course.id, person.id, source, rule_id, due, started_at, completed_at,
             round(100 * done / (TEXT_LESSONS + 1)), course.lesson_keys[done - 1] if done else None,
             withdrawn_at, cycle, restarted_at, created, max(m for m in moments if m is not None))
        )  # fmt: skip

    def _completion(
        self,
        batch: Batch,
        person: Person,
        course: CoursePlan,
        enrollment_id: int,
        completed_at: datetime,
    ) -> None:
        """What a completion leaves: evidence of the course's targets (when the course says
        so), sometimes an evaluation of the course, and for recent ones a certificate."""
        if course.completion_is_evidence:
            day = local_day(completed_at)
            # as lms.competencies.evidence.from_completion: it stops counting when the
            # course's certificate expires, if that comes first
            valid = evidence.valid_until(day)
            if (expiry := course.certificate_expiry(completed_at)) is not None:
                valid = min(valid, expiry)
            for _code, competency_id, level in course.targets:
                batch.evidence.append(
                    (person.id, competency_id, EvidenceSource.COURSE.value, enrollment_id,
                     course.label, level, None, True, day, valid, "", None, completed_at)
                )  # fmt: skip
                batch.shown[(person.id, competency_id)].append(
                    Shown(level, day, valid, True, completed_at)
                )
        if self.rng.random() < 0.25:
            ratings = [self.rng.choices((1, 2, 3, 4, 5), (2, 5, 18, 45, 30))[0] for _ in ITEMS]
            batch.evaluations.append(
                (enrollment_id, 1, course.id, as_json(ITEMS), as_json(ratings),
                 self.rng.choice(words.EVALUATION_COMMENTS), completed_at - timedelta(minutes=1))
            )  # fmt: skip
        if completed_at >= self.now - timedelta(days=CERTIFICATE_DAYS):
            self.certificate_candidates.append(
                (enrollment_id, self.people_index[person.id], course.id, 1, completed_at)
            )

    def _lessons_done(
        self,
        batch: Batch,
        enrollment_id: int,
        course: CoursePlan,
        start: datetime,
        end: datetime,
        count: int,
    ) -> None:
        """The first ``count`` lessons done between ``start`` and ``end`` (the last one at
        ``end`` when that completes the course)."""
        moments = sorted(self.moment_between(start, end) for _ in range(count))
        if count == TEXT_LESSONS + 1:
            moments[-1] = end
        for k, moment in enumerate(moments):
            batch.progress.append(
                (enrollment_id, course.lesson_keys[k], course.lesson_hashes[k], moment)
            )

    def _attempts(self, batch: Batch) -> None:
        """Quiz attempts between two moments, the last one ending at the second: each ``fail``,
        ``pass`` or ``open`` (still being answered), with its answers; graded ones become
        evidence of the questions' competencies."""
        rng = self.rng
        plans = batch.attempt_plans
        ids = iter(self.out.reserve(table_of(Attempt), sum(len(p[2]) for p in plans)))
        for person, course, kinds, begin, finish in plans:
            answers = min(self.o.answers_per_attempt, len(course.questions))
            for number, kind in enumerate(kinds, start=1):
                attempt_id = next(ids)
                end = finish - (finish - begin) * (len(kinds) - number) / len(kinds)
                if kind != "pass":
                    end = self.moment_between(end - (end - begin) / 2, end)
                started = max(begin, end - timedelta(minutes=rng.randint(6, 40)))
                questions = rng.sample(course.questions, answers)
                right = set(
                    rng.sample(
                        range(answers),
                        min(answers, rng.choice((7, 8, 8, 9, 9, 10, 10)))
                        if kind == "pass"
                        else rng.randint(answers // 5, (answers * 7 - 1) // 10),
                    )
                )
                answered = answers if kind != "open" else rng.randint(0, answers - 1)
                score = 0.0
                by_competency: dict[tuple[int, int], list[float]] = defaultdict(list)
                step = (end - started) / (answers + 1)
                for n, question in enumerate(questions):
                    answer = fraction = at = None
                    if n < answered:
                        at = started + step * (n + 1)
                        if n in right:
                            answer, fraction = question.right, 1.0
                        elif kind == "pass" and question.partial and rng.random() < 0.5:
                            answer, fraction = question.partial, 0.5
                        else:
                            answer, fraction = rng.choice(question.wrong), 0.0
                    graded = None
                    if kind != "open":
                        fraction = fraction or 0.0
                        score += fraction
                        graded = 1
                        if question.competency_id:
                            by_competency[(question.competency_id, question.level)].append(fraction)
                    batch.slots.append(
                        (attempt_id, n + 1, question.id, 1.0, rng.choice(question.orders), "[]",
                         answer, at, fraction, graded, False, "")
                    )  # fmt: skip
                if kind == "open":
                    batch.attempts.append(
                        (attempt_id, course.quiz_id, person.id, person.user_id, number,
                         AttemptState.IN_PROGRESS.value, started, None, False, None, None, None,
                         None, None)
                    )  # fmt: skip
                    continue
                percent = round(100 * score / answers, 2)
                batch.attempts.append(
                    (attempt_id, course.quiz_id, person.id, person.user_id, number,
                     AttemptState.GRADED.value, started, end, False, score, float(answers),
                     percent, percent >= 70.0 - 1e-9, end)
                )  # fmt: skip
                day = local_day(end)
                valid = evidence.valid_until(day)
                for (competency_id, level), fractions in by_competency.items():
                    share = round(100 * sum(fractions) / len(fractions), 2)
                    demonstrated = share >= self.mastery - 1e-9
                    batch.evidence.append(
                        (person.id, competency_id, EvidenceSource.QUIZ.value, attempt_id,
                         course.label, level, share, demonstrated, day, valid, "", None, end)
                    )  # fmt: skip
                    batch.shown[(person.id, competency_id)].append(
                        Shown(level, day, valid, demonstrated, end)
                    )

    def _assessments_and_training(self, people: list[Person], batch: Batch) -> None:
        """An assessment-centre rating of most employees' required competencies (at, below or
        above the standard, so gaps exist) and external training of some."""
        rng = self.rng
        trainings = []
        for person in people:
            if rng.random() < 0.85:
                observed = self.today - timedelta(days=rng.randint(30, 700))
                moment = datetime(observed.year, observed.month, observed.day, 4, tzinfo=UTC)
                for competency_id, needed in self.required[person.position_id].items():
                    level = max(1, min(5, needed + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
                    valid = evidence.valid_until(observed)
                    batch.evidence.append(
                        (person.id, competency_id, EvidenceSource.ASSESSOR.value,
                         self.hr_user_id, f"Asesmen kompetensi {observed.year}", level, None,
                         True, observed, valid, "Hasil asesmen kompetensi oleh tim penilai "
                         "BKPSDM.", self.hr_user_id, moment)
                    )  # fmt: skip
                    batch.shown[(person.id, competency_id)].append(
                        Shown(level, observed, valid, True, moment)
                    )
            if rng.random() < 0.1:
                for _ in range(rng.choice((1, 1, 2))):
                    trainings.append((person, rng.choice(words.EXTERNAL_TRAININGS)))
        ids = self.out.reserve(table_of(ExternalTraining), len(trainings))
        for training_id, (person, (title, provider, jp, code)) in zip(ids, trainings,
                                                                      strict=True):  # fmt: skip
            done = self.today - timedelta(days=rng.randint(10, HISTORY_DAYS))
            moment = datetime(done.year, done.month, done.day, 5, tzinfo=UTC)
            competency_id = self.competency_ids.get(code) if code else None
            level = rng.randint(1, 3) if competency_id else None
            expires = add_years(done, 3) if rng.random() < 0.3 else None
            batch.trainings.append(
                (training_id, person.id, title, provider, jp, done, competency_id, level,
                 expires, self.hr_user_id, moment, moment)
            )  # fmt: skip
            if competency_id:
                valid = expires or evidence.valid_until(done)
                batch.evidence.append(
                    (person.id, competency_id, EvidenceSource.EXTERNAL.value, training_id, title,
                     level, None, True, done, valid, "", self.hr_user_id, moment)
                )  # fmt: skip
                batch.shown[(person.id, competency_id)].append(
                    Shown(level, done, valid, True, moment)
                )

    def _current_levels(self, batch: Batch) -> None:
        """Each employee's current level per competency with evidence, by the app's rule."""
        for (employee_id, competency_id), items in sorted(batch.shown.items()):
            level = current_level(items, self.today)
            making = [
                e.valid_until
                for e in items
                if e.is_demonstrated and e.is_valid(self.today) and e.level == level
                and e.valid_until
            ]  # fmt: skip
            batch.levels.append(
                (employee_id, competency_id, level, max(making) if making else None, self.now)
            )

    def _write(self, batch: Batch) -> None:
        """Every row of the batch, parents before children."""
        self.out.write(
            table_of(Enrollment),
            ("id", "course_id", "employee_id", "source", "rule_id", "due_date", "started_at",
             "completed_at", "progress_percent", "last_lesson_key", "withdrawn_at", "cycle",
             "restarted_at", "created_at", "updated_at"),
            batch.enrolments,
        )  # fmt: skip
        self.out.write(
            table_of(LessonProgress),
            ("enrollment_id", "lesson_key", "content_hash", "completed_at"),
            batch.progress,
        )
        self.out.write(
            table_of(Attempt),
            ("id", "quiz_id", "employee_id", "user_id", "number", "state", "started_at",
             "submitted_at", "is_auto_submitted", "score", "max_score", "percent", "is_passed",
             "graded_at"),
            batch.attempts,
        )  # fmt: skip
        self.out.write(
            table_of(AttemptSlot),
            ("attempt_id", "slot", "question_id", "max_mark", "option_order", "match_order",
             "answer", "answered_at", "fraction", "graded_key_version", "needs_grading",
             "comment"),
            batch.slots,
        )  # fmt: skip
        self.out.write(
            table_of(ExternalTraining),
            ("id", "employee_id", "title", "provider", "jp", "completed_on", "competency_id",
             "level", "expires_on", "recorded_by_id", "created_at", "updated_at"),
            batch.trainings,
        )  # fmt: skip
        self.out.write(
            table_of(Evidence),
            ("employee_id", "competency_id", "source", "source_id", "label", "level", "score",
             "is_demonstrated", "observed_on", "valid_until", "note", "recorded_by_id",
             "created_at"),
            batch.evidence,
        )  # fmt: skip
        self.out.write(
            table_of(EmployeeCompetency),
            ("employee_id", "competency_id", "level", "valid_until", "updated_at"),
            batch.levels,
        )
        self.out.write(
            table_of(EvaluationResponse),
            ("enrollment_id", "cycle", "course_id", "items", "ratings", "comment",
             "submitted_at"),
            batch.evaluations,
        )  # fmt: skip
