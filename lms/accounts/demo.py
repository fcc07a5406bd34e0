"""Demo data: three city governments with units, positions, employees and the demo accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from lms.accounts import audit
from lms.accounts.models import (
    Employee,
    EmployeeType,
    Jenjang,
    Organisation,
    Position,
    PositionType,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from lms.extensions import db

DEMO_PASSWORD = "lentera-demo"  # noqa: S105 - published in the README for the demo only

ORGANISATIONS = (
    ("SLK", "Pemerintah Kota Solok", "minang"),
    ("SWL", "Pemerintah Kota Sawahlunto", "minang"),
    ("SRG", "Pemerintah Kota Serang", "banten"),
)

#: (code, name, parent code) — the same shape in each city
UNITS = (
    ("SETDA", "Sekretariat Daerah", None),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", None),
    ("BKPSDM-PK", "Bidang Pengembangan Kompetensi", "BKPSDM"),
    ("DINKES", "Dinas Kesehatan", None),
    ("DINKES-YANKES", "Bidang Pelayanan Kesehatan", "DINKES"),
    ("PKM-1", "Puskesmas Kota", "DINKES"),
    ("DISDIK", "Dinas Pendidikan", None),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Catatan Sipil", None),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", None),
)

FIRST_NAMES = {
    "minang": (
        "Rahmat", "Yulia", "Fitri", "Andri", "Rina", "Hendra", "Desi", "Syafrizal", "Novia",
        "Zulkifli", "Mira", "Ilham", "Putri", "Fauzan", "Rizka", "Afrizal", "Lisa", "Yogi",
        "Silvia", "Irwan", "Nurul", "Budi", "Sri", "Ferdi", "Elsa", "Oki", "Winda",
    ),
    "banten": (
        "Asep", "Euis", "Dedi", "Neneng", "Ujang", "Siti", "Agus", "Yeni", "Iwan", "Ratna",
        "Cecep", "Lilis", "Ade", "Nining", "Dadang", "Rosita", "Eko", "Tuti", "Hasan", "Imas",
        "Wawan", "Dewi", "Ahmad", "Nurhayati", "Rudi", "Yanti", "Jajang",
    ),
}  # fmt: skip
LAST_NAMES = {
    "minang": ("Putra", "Sari", "Chaniago", "Piliang", "Tanjung", "Koto", "Sikumbang",
               "Caniago", "Melayu", "Jambak", "Nasution", "Yanti", "Rahmadani"),
    "banten": ("Suryana", "Hidayat", "Setiawan", "Rohmawati", "Kurniawan", "Mulyani",
               "Saepudin", "Permana", "Fauziah", "Hermawan", "Sopandi", "Maulana"),
}  # fmt: skip
TITLES = ("S.Kom.", "S.E.", "S.H.", "S.Sos.", "S.Pd.", "M.Si.", "S.Kep., Ns.", "S.T.", "M.M.")


@dataclass(frozen=True)
class DemoAccount:
    """One of the published demo logins."""

    email: str
    organisation: str | None
    unit: str | None
    role: Role | None
    name: str | None
    nip: str | None


def _nip(rng: random.Random, used: set[str], sex: str, pppk: bool = False) -> tuple[str, date]:
    while True:
        birth = date(rng.randint(1966, 1998), rng.randint(1, 12), rng.randint(1, 28))
        if pppk:
            middle = f"{rng.randint(max(birth.year + 22, 2019), 2024)}21"
        else:
            tmt_year = rng.randint(birth.year + 22, min(birth.year + 32, 2024))
            middle = f"{tmt_year}{rng.choice((1, 2, 3, 4, 12)):02d}"
        nip = f"{birth:%Y%m%d}{middle}{'1' if sex == 'L' else '2'}{rng.randint(1, 9):03d}"
        if nip not in used:
            used.add(nip)
            return nip, birth


def _person(rng: random.Random, style: str) -> tuple[str, str]:
    first = rng.choice(FIRST_NAMES[style])
    sex = "P" if first in {
        "Yulia", "Fitri", "Rina", "Desi", "Novia", "Mira", "Putri", "Rizka", "Lisa", "Silvia",
        "Nurul", "Sri", "Elsa", "Winda", "Euis", "Neneng", "Siti", "Yeni", "Ratna", "Lilis",
        "Nining", "Rosita", "Tuti", "Imas", "Dewi", "Nurhayati", "Yanti",
    } else "L"  # fmt: skip
    return f"{first} {rng.choice(LAST_NAMES[style])}, {rng.choice(TITLES)}", sex


def seed_demo() -> bool:
    """Load the demo organisations and accounts into an empty database; False if not empty."""
    if db.session.scalar(select(func.count()).select_from(Organisation)):
        return False
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not security
    password_hash = generate_password_hash(DEMO_PASSWORD)
    used_nips: set[str] = set()

    admin = User(email="admin@lentera.test", password_hash=password_hash)
    admin.role_assignments.append(RoleAssignment(role=Role.ADMIN))
    db.session.add(admin)

    for code, name, style in ORGANISATIONS:
        organisation = Organisation(code=code, name=name)
        db.session.add(organisation)
        units: dict[str, Unit] = {}
        for unit_code, unit_name, parent in UNITS:
            units[unit_code] = Unit(
                organisation=organisation,
                code=unit_code,
                name=unit_name,
                parent=units.get(parent) if parent else None,
            )
        city = name.removeprefix("Pemerintah Kota ")
        units["PKM-1"].name = f"Puskesmas {city}"
        db.session.add_all(units.values())
        db.session.flush()
        _seed_people(organisation, units, style, rng, used_nips, password_hash, city)
        _seed_certificate_signer(organisation, city)
    audit.record("demo.seeded", actor=None, data={"organisations": len(ORGANISATIONS)})
    db.session.flush()
    return True


def _seed_certificate_signer(organisation: Organisation, city: str) -> None:
    """The head of BKPSDM signs the organisation's certificates (HR can change it)."""
    from lms.certificates.models import CertificateTemplate

    head = db.session.scalar(
        select(Employee)
        .join(Position, Employee.position_id == Position.id)
        .where(Employee.organisation_id == organisation.id, Position.name == "Kepala BKPSDM")
    )
    if head is not None:
        db.session.add(
            CertificateTemplate(
                organisation=organisation,
                signer_name=head.name,
                signer_title=f"Kepala BKPSDM Kota {city}",
            )
        )


def _position(
    org: Organisation, unit: Unit, name: str, kind: PositionType, jenjang: Jenjang | None = None
) -> Position:
    position = Position(organisation=org, unit=unit, name=name, position_type=kind, jenjang=jenjang)
    db.session.add(position)
    return position


def _seed_people(
    org: Organisation,
    units: dict[str, Unit],
    style: str,
    rng: random.Random,
    used: set[str],
    password_hash: str,
    city: str,
) -> None:
    def employee(
        unit: Unit,
        position: Position,
        supervisor: Employee | None,
        golongan: str,
        person: tuple[str, str] | None = None,
        pppk: bool = False,
    ) -> Employee:
        full_name, sex = person or _person(rng, style)
        nip, birth = _nip(rng, used, sex, pppk=pppk)
        record = Employee(
            organisation=org,
            nip=nip,
            employee_type=EmployeeType.PPPK if pppk else EmployeeType.PNS,
            name=full_name,
            birth_date=birth,
            sex=sex,
            golongan=golongan,
            unit=unit,
            position=position,
            supervisor=supervisor,
        )
        db.session.add(record)
        db.session.add(User(employee=record, organisation=org, password_hash=password_hash))
        return record

    P = PositionType
    sekda = employee(units["SETDA"], _position(org, units["SETDA"], "Sekretaris Daerah",
                     P.JPT, Jenjang.PRATAMA), None, "IV/d")  # fmt: skip
    heads: dict[str, Employee] = {}
    for code, title in (
        ("BKPSDM", "Kepala BKPSDM"),
        ("DINKES", "Kepala Dinas Kesehatan"),
        ("DISDIK", "Kepala Dinas Pendidikan"),
        ("DISDUKCAPIL", "Kepala Dinas Kependudukan dan Catatan Sipil"),
        ("DISKOMINFO", "Kepala Dinas Komunikasi dan Informatika"),
    ):
        heads[code] = employee(
            units[code], _position(org, units[code], title, P.JPT, Jenjang.PRATAMA), sekda,
            rng.choice(("IV/c", "IV/b")),
        )  # fmt: skip

    # BKPSDM: the HR administrator (Kepala Bidang PK) and a widyaiswara trainer
    kabid_pk = employee(
        units["BKPSDM-PK"],
        _position(org, units["BKPSDM-PK"], "Kepala Bidang Pengembangan Kompetensi",
                  P.ADMINISTRATOR),
        heads["BKPSDM"], "IV/a",
    )  # fmt: skip
    analis = _position(org, units["BKPSDM-PK"], "Analis SDM Aparatur", P.FUNGSIONAL,
                       Jenjang.AHLI_MUDA)  # fmt: skip
    widyaiswara = _position(org, units["BKPSDM-PK"], "Widyaiswara", P.FUNGSIONAL,
                            Jenjang.AHLI_MADYA)  # fmt: skip
    trainer = employee(units["BKPSDM-PK"], widyaiswara, kabid_pk, "IV/a")
    for _ in range(2):
        employee(units["BKPSDM-PK"], analis, kabid_pk, rng.choice(("III/c", "III/d")))

    # Dinas Kesehatan: the demo supervisor heads it; staff in Yankes and the Puskesmas
    kabid = employee(units["DINKES-YANKES"], _position(
        org, units["DINKES-YANKES"], "Kepala Bidang Pelayanan Kesehatan", P.ADMINISTRATOR),
        heads["DINKES"], "IV/a")  # fmt: skip
    kapus = employee(units["PKM-1"], _position(
        org, units["PKM-1"], f"Kepala Puskesmas {city}", P.PENGAWAS), kabid, "III/d")  # fmt: skip
    perawat = _position(org, units["PKM-1"], "Perawat", P.FUNGSIONAL, Jenjang.AHLI_PERTAMA)
    epidem = _position(org, units["DINKES-YANKES"], "Epidemiolog Kesehatan", P.FUNGSIONAL,
                       Jenjang.AHLI_PERTAMA)  # fmt: skip
    pengadm = _position(org, units["DINKES"], "Pengadministrasi Perkantoran", P.PELAKSANA)
    learner = employee(units["DINKES"], epidem, heads["DINKES"], "III/b")
    employee(units["DINKES"], pengadm, heads["DINKES"], "II/c")
    for _ in range(2):
        employee(units["PKM-1"], perawat, kapus, rng.choice(("III/a", "III/b")))
    employee(units["PKM-1"], _position(org, units["PKM-1"], "Perawat Terampil", P.FUNGSIONAL,
             Jenjang.TERAMPIL), kapus, "IX", pppk=True)  # fmt: skip
    employee(units["DINKES-YANKES"], epidem, kabid, "III/a")

    # The other offices: a pengawas with two staff each, one of them a Pranata Komputer
    for code, section in (
        ("DISDIK", "Kepala Seksi Kurikulum"),
        ("DISDUKCAPIL", "Kepala Seksi Pelayanan Pendaftaran Penduduk"),
        ("DISKOMINFO", "Kepala Seksi Infrastruktur TIK"),
    ):
        kasi = employee(units[code], _position(org, units[code], section, P.PENGAWAS),
                        heads[code], "III/d")  # fmt: skip
        staff = _position(org, units[code], "Pranata Komputer" if code == "DISKOMINFO"
                          else "Analis Kebijakan", P.FUNGSIONAL, Jenjang.AHLI_PERTAMA)  # fmt: skip
        for _ in range(2):
            employee(units[code], staff, kasi, rng.choice(("III/a", "III/b", "III/c")))
        employee(units[code], _position(org, units[code], "Pengolah Data", P.PELAKSANA),
                 kasi, "II/d")  # fmt: skip
    db.session.flush()

    def login(record: Employee, email: str) -> User:
        user = record.user
        user.email = record.email = email
        return user

    slug = org.code
    if slug == "SLK":
        login(kabid_pk, "bkpsdm.solok@lentera.test").role_assignments.append(
            RoleAssignment(role=Role.HR_ADMIN)
        )
        login(trainer, "pelatih@lentera.test").role_assignments.append(
            RoleAssignment(role=Role.TRAINER)
        )
        login(heads["DINKES"], "atasan.solok@lentera.test")
        login(learner, "pegawai.solok@lentera.test")
    elif slug == "SRG":
        login(kabid_pk, "bkpsdm.serang@lentera.test").role_assignments.append(
            RoleAssignment(role=Role.HR_ADMIN)
        )
        login(learner, "pegawai.serang@lentera.test")
    else:
        login(kabid_pk, f"bkpsdm.{slug.lower()}@lentera.test").role_assignments.append(
            RoleAssignment(role=Role.HR_ADMIN)
        )
