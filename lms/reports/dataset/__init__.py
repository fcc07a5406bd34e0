"""A province-scale dataset for benchmarks and load tests, written in bulk.

``flask lms generate-dataset --employees 50000 --courses 200`` makes one new organisation (a
province) with its unit tree (perangkat daerah → bidang → seksi), positions of every type and
jenjang, employees with valid unique NIPs, golongan and reporting lines (the head of each unit
supervises its staff, heads report to the head of the unit above), a login for everyone, published
courses with lessons, question banks and quizzes, and then the learning history of the last two
years: enrolments (mandatory ones with due dates, some overdue), lesson progress, graded quiz
attempts and their answers, competency evidence and current levels (with gaps to the standards),
external training, course evaluations and certificates (some expiring soon).

Rows go in with PostgreSQL ``COPY`` (executemany batches on other databases) with ids reserved up
front, one transaction per chunk of employees. The same seed and ``today`` give the same data.
Every account shares one password (:data:`DATASET_PASSWORD`): generate only into test databases.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from sqlalchemy import text

from lms.accounts import audit
from lms.extensions import db
from lms.reports.dataset.base import (
    DATASET_PASSWORD,
    DatasetError,
    DatasetOptions,
    DatasetSummary,
)
from lms.reports.dataset.catalog import CatalogSteps
from lms.reports.dataset.certificates import CertificateSteps
from lms.reports.dataset.history import HistorySteps
from lms.reports.dataset.people import PeopleSteps

__all__ = [
    "DATASET_PASSWORD",
    "DatasetError",
    "DatasetOptions",
    "DatasetSummary",
    "generate",
    "vacuum",
]


class _Generator(PeopleSteps, CatalogSteps, HistorySteps, CertificateSteps):
    """The steps in order."""

    def tables(self) -> list[str]:
        """Every table written: in bulk, and the dictionary through the ORM."""
        return sorted({*self.out.counts, "competencies", "competency_levels"})

    def run(self) -> DatasetSummary:
        o = self.o
        self.say(
            f"generating {self.code}: {o.employees:,} employees, {o.courses} courses, "
            f"seed {o.seed}, history until {self.today}"
        )
        self.organisation()
        self.plan_units()
        self.write_units()
        self.write_positions()
        self.write_standards()
        self.commit()
        self.say(f"{len(self.units)} units, {len(self.position_type)} positions")
        self.people_and_accounts()
        self.people_index = {p.id: i for i, p in enumerate(self.people)}
        self.write_roles()
        self.commit()
        self.say(f"{len(self.people):,} employees and accounts")
        self.plan_courses()
        self.write_courses()
        self.write_questions()
        self.plan_assignments()
        self.commit()
        self.say(
            f"{len(self.courses)} courses ({self.content_versions} versions), "
            f"{self.out.counts['questions']:,} questions"
        )
        self.history()
        self.certificates()
        audit.record(
            "dataset.generated",
            actor=None,
            organisation_id=self.org_id,
            data={"seed": o.seed, "today": self.today.isoformat(), **self.out.counts},
        )
        self.commit()
        self.say(f"{self.out.counts['certificates']:,} certificates")
        if o.analyze and self.out.is_postgres:
            for name in self.tables():
                db.session.execute(text(f'ANALYZE "{name}"'))
            self.commit()
            self.say("statistics refreshed (ANALYZE)")
        return DatasetSummary(
            self.org_id,
            self.out.counts,
            self.tables(),
            self.hr_email,
            self.supervisor_email,
            o.password,
            time.monotonic() - self.started,
        )


def generate(
    options: DatasetOptions, *, echo: Callable[[str], None] = lambda _message: None
) -> DatasetSummary:
    """Generate the dataset in a new organisation, committing chunk by chunk."""
    if options.employees < 30:
        raise DatasetError("Generate at least 30 employees.")
    if options.courses < 1:
        raise DatasetError("Generate at least one course.")
    return _Generator(options, echo).run()


def vacuum(tables: Iterable[str]) -> None:
    """``VACUUM ANALYZE`` the tables (PostgreSQL): visibility maps for index-only scans and
    fresh statistics after a bulk load. Runs outside a transaction."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for name in tables:
            connection.execute(text(f'VACUUM (ANALYZE) "{name}"'))
