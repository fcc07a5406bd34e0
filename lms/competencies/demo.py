"""Demo competency data: technical competencies, standards, assessor ratings and external
training, so every demo employee has a realistic profile with gaps."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from lms.accounts.models import (
    Employee,
    Jenjang,
    Organisation,
    PositionType,
    Role,
    RoleAssignment,
    User,
)
from lms.competencies import dictionary, evidence
from lms.competencies.models import (
    Competency,
    CompetencyKind,
    Evidence,
    EvidenceSource,
    ExternalTraining,
    PositionStandard,
    TypeStandard,
)
from lms.competencies.profile import dictionary as org_dictionary
from lms.competencies.profile import refresh, required_levels
from lms.extensions import db

#: technical standards by position name (the demo organisations share their position names)
POSITION_STANDARDS: dict[str, dict[str, int]] = {
    "Epidemiolog Kesehatan": {"T-KESPOL": 2, "T-MPROY": 3, "T-LITDIG": 2},
    "Perawat": {"T-KESPOL": 2, "T-LITDIG": 1},
    "Perawat Terampil": {"T-KESPOL": 1},
    "Pranata Komputer": {"T-KAMINFO": 3, "T-LITDIG": 3},
    "Analis Kebijakan": {"T-KURIK": 2, "T-LITDIG": 2},
    "Analis SDM Aparatur": {"T-KURIK": 3, "T-LITDIG": 2},
    "Widyaiswara": {"T-KURIK": 4, "T-LITDIG": 3},
    "Pengadministrasi Perkantoran": {"T-LITDIG": 2, "T-KEUDA": 1},
    "Pengolah Data": {"T-LITDIG": 2, "T-KAMINFO": 2},
    "Kepala Bidang Pelayanan Kesehatan": {"T-KESPOL": 3, "T-MPROY": 3, "T-KEUDA": 3},
    "Kepala Bidang Pengembangan Kompetensi": {"T-KURIK": 3, "T-MPROY": 3, "T-KEUDA": 2},
}
#: every organisation raises the managerial standard of junior functional positions to 2
JUNIOR_MANAGERIAL = 2


def seed_profiles() -> None:
    """Technical competencies, standards and evidence for the demo organisations."""
    dictionary.load_national()
    rng = random.Random(38)  # noqa: S311 - reproducible demo data
    today = date.today()
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        dictionary.load_seed(organisation.id, {CompetencyKind.TECHNICAL})
        competencies = org_dictionary(organisation.id)
        by_code = {c.code: c for c in competencies}
        for competency in competencies:
            if competency.kind is not CompetencyKind.TECHNICAL:
                db.session.add(
                    TypeStandard(
                        organisation_id=organisation.id,
                        position_type=PositionType.FUNGSIONAL,
                        jenjang=Jenjang.AHLI_PERTAMA.value,
                        competency_id=competency.id,
                        level=JUNIOR_MANAGERIAL,
                    )
                )
        employees = db.session.scalars(
            select(Employee)
            .where(Employee.organisation_id == organisation.id)
            .order_by(Employee.id)
        ).all()
        positions = {e.position.id: e.position for e in employees if e.position}
        for position in positions.values():
            for code, level in POSITION_STANDARDS.get(position.name, {}).items():
                db.session.add(
                    PositionStandard(
                        position_id=position.id, competency_id=by_code[code].id, level=level
                    )
                )
        db.session.flush()
        assessor = db.session.scalar(
            select(User)
            .join(Employee, Employee.id == User.employee_id)
            .where(
                Employee.organisation_id == organisation.id,
                User.role_assignments.any(RoleAssignment.role == Role.HR_ADMIN),
            )
        )
        for employee in employees:
            _rate(employee, competencies, assessor, rng, today)
        _external_training(employees, assessor, rng, today)
    db.session.flush()


def _rate(
    employee: Employee,
    competencies: list[Competency],
    assessor: User | None,
    rng: random.Random,
    today: date,
) -> None:
    """An assessment-centre result per required competency: at, one below or above the standard."""
    if assessor is None or employee.position is None:
        return
    required = required_levels(employee.position, competencies)
    learner = employee.user is not None and employee.user.email == "pegawai.solok@lentera.test"
    for competency in competencies:
        level_needed = required.get(competency.id)
        if not level_needed:
            continue
        if learner:
            # the demo learner: project management and results orientation below the standard,
            # which Manajemen Proyek Pemerintahan (MPP-101) closes
            level = {"T-MPROY": 1, "M-OPH": 1, "T-KESPOL": 2}.get(competency.code, level_needed)
        else:
            level = max(1, min(5, level_needed + rng.choice((-1, -1, 0, 0, 0, 1))))
        observed = today - timedelta(days=rng.randint(60, 400))
        db.session.add(
            Evidence(
                employee_id=employee.id,
                competency_id=competency.id,
                source=EvidenceSource.ASSESSOR,
                source_id=assessor.id,
                label=f"Asesmen kompetensi {observed.year}",
                level=level,
                is_demonstrated=True,
                observed_on=observed,
                valid_until=evidence.valid_until(observed),
                note="Hasil asesmen kompetensi oleh tim penilai BKPSDM.",
                recorded_by_id=assessor.id,
            )
        )
    db.session.flush()
    for competency_id in required:
        refresh(employee.id, competency_id, today)


def _external_training(
    employees: list[Employee],
    assessor: User | None,
    rng: random.Random,
    today: date,
) -> None:
    """Some JP earned outside Lentera this year, so the ledgers are not empty."""
    courses = [
        ("Pelatihan Dasar Surveilans Epidemiologi", "Dinas Kesehatan Provinsi", 8),
        ("Bimbingan Teknis SIPD", "Kementerian Dalam Negeri", 8),
        ("Webinar Keamanan Siber untuk ASN", "BSSN", 4),
        ("Pelatihan Pelayanan Prima", "BPSDM Provinsi", 12),
    ]
    for employee in employees:
        if employee.user is not None and employee.user.email == "pegawai.solok@lentera.test":
            chosen = courses[0]
        elif rng.random() < 0.4:
            chosen = rng.choice(courses)
        else:
            continue
        title, provider, jp = chosen
        done = min(today, date(today.year, 1, 1) + timedelta(days=rng.randint(0, 300)))
        db.session.add(
            ExternalTraining(
                employee_id=employee.id,
                title=title,
                provider=provider,
                jp=jp,
                completed_on=done,
                recorded_by_id=assessor.id if assessor else None,
            )
        )
