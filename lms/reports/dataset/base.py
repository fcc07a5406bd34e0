"""What every step of the dataset generator shares: options, the bulk writer, the plans kept in
memory and the generator's state."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import JSON, Table, func, select, text

from lms.accounts.models import Jenjang, PositionType
from lms.courses.models import Course
from lms.extensions import db

#: the password of every generated account (one hash, computed once)
DATASET_PASSWORD = "lentera-dataset"  # noqa: S105 - a published test-data password
JAKARTA = ZoneInfo("Asia/Jakarta")
#: how far back the learning history goes
HISTORY_DAYS = 730
#: completions since then have a certificate (earlier ones predate the certificates)
CERTIFICATE_DAYS = 540
#: text lessons per course version (the quiz lesson comes last)
TEXT_LESSONS = 6
#: leadership training assigned by HR to everyone of a position type
LEADERSHIP = {
    "Pelatihan Kepemimpinan Pengawas (PKP)": PositionType.PENGAWAS,
    "Pelatihan Kepemimpinan Administrator (PKA)": PositionType.ADMINISTRATOR,
}
#: rows per executemany batch where COPY is not available
BATCH = 5000


@dataclass
class DatasetOptions:
    """What to generate."""

    employees: int = 50_000
    courses: int = 200
    seed: int = 1
    organisation_code: str = "PROV"
    organisation_name: str = "Pemerintah Provinsi Lentera Raya"
    #: the mean number of courses each employee is enrolled in
    enrolments_per_employee: int = 21
    questions_per_course: int = 20
    answers_per_attempt: int = 10
    password: str = DATASET_PASSWORD
    #: the day the history ends (default today in WIB): the same seed and day give the same data
    today: date | None = None
    #: employees whose learning history is written per transaction
    chunk_employees: int = 2500
    #: refresh the planner's statistics at the end (PostgreSQL)
    analyze: bool = True


class DatasetError(Exception):
    """The dataset cannot be generated (e.g. the organisation code is taken)."""


@dataclass
class DatasetSummary:
    """What was generated."""

    organisation_id: int
    #: rows written per table
    counts: Counter[str]
    #: the tables written (to vacuum and analyze)
    tables: list[str]
    hr_email: str
    supervisor_email: str
    password: str
    seconds: float


# --- bulk writing ---------------------------------------------------------------------------------


class BulkWriter:
    """Inserts many rows at once: ``COPY`` on PostgreSQL, executemany batches elsewhere.

    Rows are tuples in the order of ``columns``; JSON columns take JSON text and enum columns
    their values, which both paths accept as they are.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._next_id: dict[str, int] = {}

    @staticmethod
    def _connection() -> Any:
        return db.session.connection()

    @property
    def is_postgres(self) -> bool:
        """Whether the session's database is PostgreSQL."""
        return self._connection().dialect.name == "postgresql"

    def reserve(self, table: Table, count: int) -> list[int]:
        """``count`` new primary keys for ``table``, taken from its sequence on PostgreSQL."""
        if count <= 0:
            return []
        connection = self._connection()
        if connection.dialect.name == "postgresql":
            return sorted(
                connection.execute(
                    text(
                        "SELECT nextval(pg_get_serial_sequence(:name, 'id')) "
                        "FROM generate_series(1, :count)"
                    ),
                    {"name": table.name, "count": count},
                ).scalars()
            )
        start = self._next_id.get(table.name)
        if start is None:
            start = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar() + 1
        self._next_id[table.name] = start + count
        return list(range(start, start + count))

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert the rows; returns how many."""
        missing = [
            c.name
            for c in table.columns
            if not c.nullable
            and c.server_default is None
            and not (c.primary_key and c.name not in columns)
            and c.name not in columns
        ]
        if missing:
            raise DatasetError(f"{table.name}: no value for {', '.join(missing)}")
        connection = self._connection()
        count = 0
        if connection.dialect.name == "postgresql":
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
            batch: list[dict[str, Any]] = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                for name in json_columns & values.keys():
                    if values[name] is not None:
                        values[name] = json.loads(values[name])
                batch.append(values)
                if len(batch) >= BATCH:
                    connection.execute(table.insert(), batch)
                    count += len(batch)
                    batch = []
            if batch:
                connection.execute(table.insert(), batch)
                count += len(batch)
        self.counts[table.name] += count
        return count


def table_of(model: Any) -> Table:
    return model.__table__


# --- what the generator keeps in memory -----------------------------------------------------------


@dataclass
class UnitPlan:
    id: int
    code: str
    name: str
    parent: UnitPlan | None
    profile: str
    weight: float
    head_position: tuple[str, PositionType, Jenjang | None]
    head_position_id: int = 0
    head_id: int = 0


@dataclass
class Person:
    """An employee as the learning history needs them."""

    id: int
    user_id: int
    unit: UnitPlan
    position_id: int
    position_type: PositionType
    family: str  # a key of words.FAMILIES, "pelaksana" or "structural"
    joined: date
    nip: str
    name: str


@dataclass
class QuestionPlan:
    """A stored question with its answers worked out in advance: option orders, a right
    answer, wrong ones and a partly right one (JSON text, credit)."""

    id: int
    competency_id: int | None
    level: int
    orders: list[str]
    right: str
    wrong: list[str]
    partial: str | None


@dataclass
class CoursePlan:
    id: int
    code: str
    title: str
    jp: int
    category: str
    version_id: int
    certificate_months: int | None
    completion_is_evidence: bool
    self_enrollment: bool
    audience: str | None
    mandatory: bool
    targets: list[tuple[str, int, int]]  # (code, competency id, level)
    lesson_keys: list[str] = field(default_factory=list)  # text lessons, then the quiz
    lesson_hashes: list[str] = field(default_factory=list)
    quiz_id: int = 0
    questions: list[QuestionPlan] = field(default_factory=list)
    #: mandatory training: when HR assigned it to everyone and by when it is due
    assigned_at: datetime | None = None
    due: date | None = None
    #: leadership training HR assigns to everyone of a position type (PKP, PKA)
    leadership: PositionType | None = None
    #: assignment rules: position id → (rule id, created at, due date)
    rules: dict[int, tuple[int, datetime, date]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # an unsaved course that only answers for its certificates' validity
        self._settings = Course(certificate_months=self.certificate_months)

    @property
    def label(self) -> str:
        return f"{self.code} · {self.title}"

    def certificate_expiry(self, completed_at: datetime) -> date | None:
        """The last day a certificate of a completion at ``completed_at`` is valid, by the
        course's rule (:meth:`lms.courses.models.Course.certificate_expiry`)."""
        return self._settings.certificate_expiry(completed_at)


@dataclass(frozen=True)
class Shown:
    """Evidence as :func:`lms.competencies.profile.current_level` reads it."""

    level: int
    observed_on: date
    valid_until: date | None
    is_demonstrated: bool
    created_at: datetime
    id: int = 0

    def is_valid(self, today: date) -> bool:
        return self.valid_until is None or self.valid_until >= today


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def local_day(moment: datetime) -> date:
    return moment.astimezone(JAKARTA).date()


class Generation:
    """The generator's state: options, the random source, the writer and what was planned."""

    def __init__(self, options: DatasetOptions, echo: Callable[[str], None]) -> None:
        self.o = options
        self.echo = echo
        self.rng = random.Random(options.seed)  # noqa: S311 - reproducible test data
        self.today = options.today or datetime.now(JAKARTA).date()
        # the history ends at 10:00 WIB of that day
        self.now = datetime(self.today.year, self.today.month, self.today.day, 3, tzinfo=UTC)
        self.out = BulkWriter()
        self.started = time.monotonic()
        self.mastery = current_app.config["MASTERY_PERCENT"]
        self.org_id = 0
        self.code = options.organisation_code.strip().upper()
        self.domain = f"{self.code.lower()}.lentera.test"
        self.units: list[UnitPlan] = []
        self.people: list[Person] = []
        self.positions: dict[tuple[str, Jenjang | None], int] = {}
        self.position_type: dict[int, tuple[PositionType, Jenjang | None]] = {}
        self.competency_ids: dict[str, int] = {}
        self.required: dict[int, dict[int, int]] = {}  # position id → competency id → level
        self.courses: list[CoursePlan] = []
        self.hr_user_id = 0
        self.hr_email = f"bkpsdm@{self.domain}"
        self.supervisor_email = ""
        self.trainer_user_ids: list[int] = []
        self.people_index: dict[int, int] = {}  # employee id → index in people
        self.certificate_candidates: list[tuple[int, int, int, int, datetime]] = []
        self.content_versions = 0
        self.role_rows: list[tuple] = []
        self.course_weights: dict[str, tuple[list[CoursePlan], list[float]]] = {}

    # -- bookkeeping --

    def say(self, message: str) -> None:
        self.echo(f"[{time.monotonic() - self.started:7.1f} s] {message}")

    def commit(self) -> None:
        db.session.commit()

    def moment_between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))
