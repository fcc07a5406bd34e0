"""The organisation, its unit tree, positions and standards, employees and their accounts."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

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
from lms.competencies import dictionary
from lms.competencies.models import (
    Competency,
    CompetencyKind,
    PositionStandard,
    TypeStandard,
)
from lms.competencies.profile import dictionary as organisation_dictionary
from lms.competencies.profile import required_levels
from lms.courses.models import Course
from lms.extensions import db
from lms.reports.dataset import words
from lms.reports.dataset.base import (
    DatasetError,
    Generation,
    Person,
    UnitPlan,
    table_of,
)


class PeopleSteps(Generation):
    """The organisation, its unit tree, positions and standards, employees and their accounts."""

    # -- the organisation --

    def organisation(self) -> None:
        """The new organisation with the technical competencies of the shipped dictionary;
        refused when the code (or its course codes) is taken."""
        if db.session.scalar(select(Organisation.id).where(Organisation.code == self.code)):
            raise DatasetError(f"Organisation {self.code} already exists; choose another code.")
        taken = db.session.scalar(
            select(func.count()).select_from(Course).where(Course.code.like(f"{self.code}-%"))
        )
        if taken:
            raise DatasetError(f"Course codes {self.code}-… are taken; choose another code.")
        if not db.session.scalar(
            select(func.count()).select_from(Competency).where(Competency.organisation_id.is_(None))
        ):
            dictionary.load_national()
        [self.org_id] = self.out.reserve(table_of(Organisation), 1)
        self.out.write(
            table_of(Organisation),
            ("id", "code", "name", "is_active", "created_at", "updated_at"),
            [(self.org_id, self.code, self.o.organisation_name, True, self.now, self.now)],
        )
        dictionary.load_seed(self.org_id, {CompetencyKind.TECHNICAL})
        for competency in organisation_dictionary(self.org_id):
            # the organisation's own code wins over a national one of the same code
            if competency.organisation_id or competency.code not in self.competency_ids:
                self.competency_ids[competency.code] = competency.id

    # -- units and positions --

    def plan_units(self) -> None:
        """The unit tree: as many agencies as the number of employees carries (all of them
        at 50,000), each with its secretariat, bidang and seksi, smaller when few employees
        must head them."""
        n = self.o.employees
        agencies = words.AGENCIES[: max(3, min(len(words.AGENCIES), n // 1300))]
        for keep in range(99, 0, -1):
            plan = self._unit_tree(agencies, keep)
            if len(plan) <= n // 3:
                break
        else:
            raise DatasetError("Too few employees for a unit tree: generate at least 30.")
        ids = self.out.reserve(table_of(Unit), len(plan))
        for unit, unit_id in zip(plan, ids, strict=True):
            unit.id = unit_id
        self.units = plan

    def _unit_tree(self, agencies: Sequence[tuple], keep: int) -> list[UnitPlan]:
        units: list[UnitPlan] = []
        names: set[str] = set()
        P = PositionType

        def add(code: str, name: str, parent: UnitPlan | None, profile: str, weight: float,
                head: tuple[str, PositionType, Jenjang | None]) -> UnitPlan:  # fmt: skip
            if name in names:
                name = f"{name} {parent.name if parent else ''}".strip()
            names.add(name)
            unit = UnitPlan(0, code, name, parent, profile, weight, head)
            units.append(unit)
            return unit

        for code, name, profile, weight, children in agencies:
            first = len(units)
            if code == "SETDA":
                head = ("Sekretaris Daerah", P.JPT, Jenjang.MADYA)
            elif code == "SETWAN":
                head = ("Sekretaris DPRD", P.JPT, Jenjang.PRATAMA)
            elif code == "INSPEKTORAT":
                head = ("Inspektur Daerah", P.JPT, Jenjang.PRATAMA)
            elif code.startswith("RS"):
                head = (f"Direktur {name}", P.JPT, Jenjang.PRATAMA)
            else:
                head = (f"Kepala {name}", P.JPT, Jenjang.PRATAMA)
            agency = add(code, name, None, profile, weight * 0.05, head)
            branches: list[tuple[str, str, tuple[str, ...], float, tuple]] = []
            if code != "SETDA":
                branches.append(
                    (f"{code}-SEKRE", f"{words.SECRETARIAT} {name}", words.SUBBAGIAN, 0.3,
                     (f"Sekretaris {name}", P.ADMINISTRATOR, None))
                )  # fmt: skip
            for index, child in enumerate(children, start=1):
                if code == "SETDA":
                    grand = words.BAGIAN
                    child_head = (f"Kepala {child}", P.JPT, Jenjang.PRATAMA)
                else:
                    grand = next((v for k, v in words.SEKSI.items() if child.startswith(k)), ())
                    title = child if child.startswith("Inspektur") else f"Kepala {child}"
                    child_head = (title, P.ADMINISTRATOR, None)
                factor = 8.0 if child.startswith("Cabang Dinas") else 1.0
                branches.append((f"{code}-B{index}", child, grand, factor, child_head))
            for branch_code, branch_name, grand, factor, branch_head in branches[:keep]:
                is_secretariat = branch_code.endswith("-SEKRE")
                kept = grand[:keep]
                branch = add(
                    branch_code,
                    branch_name,
                    agency,
                    "office" if is_secretariat else profile,
                    weight * factor * (0.3 if kept else 1.0),
                    branch_head,
                )
                for index, leaf in enumerate(kept, start=1):
                    if is_secretariat:
                        leaf_name = f"{leaf} {name}"
                    else:
                        leaf_name = f"{leaf} {branch_name.removeprefix('Bidang ')}"
                    leaf_type = P.ADMINISTRATOR if code == "SETDA" else P.PENGAWAS
                    add(
                        f"{branch_code}-{index}",
                        leaf_name,
                        branch,
                        "office" if is_secretariat else profile,
                        weight * factor,
                        (f"Kepala {leaf_name}", leaf_type, None),
                    )
            # the agency's weight is its share of all staff, spread over its own units
            own = units[first:]
            spread = sum(u.weight for u in own)
            for unit in own:
                unit.weight = weight * unit.weight / spread
        return units

    def write_units(self) -> None:
        """The planned units, parents first."""
        self.out.write(
            table_of(Unit),
            ("id", "organisation_id", "parent_id", "code", "name", "is_active", "created_at",
             "updated_at"),
            [
                (u.id, self.org_id, u.parent.id if u.parent else None, u.code, u.name, True,
                 self.now, self.now)
                for u in self.units
            ],
        )  # fmt: skip

    def write_positions(self) -> None:
        """A head position per unit, then the organisation-wide functional and pelaksana
        positions; a JPT Utama position stays vacant (a province has none filled)."""
        rows: list[tuple[int | None, str, PositionType, Jenjang | None]] = []
        for unit in self.units:
            name, kind, jenjang = unit.head_position
            rows.append((unit.id, name, kind, jenjang))
        rows.append((self.units[0].id, "Jabatan Pimpinan Tinggi Utama", PositionType.JPT,
                     Jenjang.UTAMA))  # fmt: skip
        shared: list[tuple[str, Jenjang | None]] = []
        for key, (name, mix, *_rest) in words.FAMILIES.items():
            for jenjang in mix:
                shared.append((key, jenjang))
                rows.append((None, f"{name} {words.JENJANG_LABEL[jenjang]}",
                             PositionType.FUNGSIONAL, jenjang))  # fmt: skip
        for name in words.PELAKSANA:
            shared.append((name, None))
            rows.append((None, name, PositionType.PELAKSANA, None))
        ids = self.out.reserve(table_of(Position), len(rows))
        for unit, position_id in zip(self.units, ids, strict=False):
            unit.head_position_id = position_id
        for key, position_id in zip(shared, ids[len(self.units) + 1 :], strict=True):
            self.positions[key] = position_id
        for (_unit_id, _name, kind, jenjang), position_id in zip(rows, ids, strict=True):
            self.position_type[position_id] = (kind, jenjang)
        self.out.write(
            table_of(Position),
            ("id", "organisation_id", "unit_id", "name", "position_type", "jenjang", "is_active",
             "created_at", "updated_at"),
            [
                (position_id, self.org_id, unit_id, name, kind.value,
                 jenjang.value if jenjang else None, True, self.now, self.now)
                for (unit_id, name, kind, jenjang), position_id in zip(rows, ids, strict=True)
            ],
        )  # fmt: skip

    def write_standards(self) -> None:
        """The organisation's defaults per position type, the technical standard of each
        functional position, and the required levels that follow for every position."""
        c = self.competency_ids
        P = PositionType
        defaults = [
            (P.PELAKSANA, "", "T-LITDIG", 2),
            (P.FUNGSIONAL, "", "T-LITDIG", 2),
            (P.PENGAWAS, "", "T-MPROY", 2),
            (P.PENGAWAS, "", "T-KEUDA", 2),
            (P.ADMINISTRATOR, "", "T-MPROY", 3),
            (P.ADMINISTRATOR, "", "T-KEUDA", 3),
            (P.JPT, "", "T-MPROY", 4),
            (P.JPT, "", "T-KEUDA", 3),
            *[(P.FUNGSIONAL, Jenjang.AHLI_PERTAMA.value, code, 2)
              for code in ("M-INT", "M-PP", "M-KS")],
        ]  # fmt: skip
        ids = self.out.reserve(table_of(TypeStandard), len(defaults))
        self.out.write(
            table_of(TypeStandard),
            ("id", "organisation_id", "position_type", "jenjang", "competency_id", "level"),
            [
                (i, self.org_id, kind.value, jenjang, c[code], level)
                for i, (kind, jenjang, code, level) in zip(ids, defaults, strict=True)
            ],
        )
        step = {
            Jenjang.AHLI_PERTAMA: -1, Jenjang.AHLI_MUDA: 0, Jenjang.AHLI_MADYA: 1,
            Jenjang.AHLI_UTAMA: 1, Jenjang.PEMULA: -2, Jenjang.TERAMPIL: -1, Jenjang.MAHIR: -1,
            Jenjang.PENYELIA: 0,
        }  # fmt: skip
        rows = []
        for (key, jenjang), position_id in self.positions.items():
            family = words.FAMILIES.get(key)
            if family is None or jenjang is None:
                continue
            for code, level in family[5].items():
                rows.append((position_id, c[code], max(1, min(5, level + step[jenjang]))))
        ids = self.out.reserve(table_of(PositionStandard), len(rows))
        self.out.write(
            table_of(PositionStandard),
            ("id", "position_id", "competency_id", "level"),
            [(i, *row) for i, row in zip(ids, rows, strict=True)],
        )
        competencies = [
            db.session.get(Competency, competency_id)
            for competency_id in sorted(set(self.competency_ids.values()))
        ]
        for position in db.session.scalars(
            select(Position).where(Position.organisation_id == self.org_id)
        ):
            self.required[position.id] = required_levels(position, competencies)

    # -- people --

    def _nip(self, used: set[str], age: int, sex: str, pppk: bool) -> tuple[str, date, date]:
        """A unique valid NIP with the birth date and the day the employee joined."""
        rng, today = self.rng, self.today
        while True:
            birth = today - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
            if pppk:
                year = rng.randint(max(2019, birth.year + 20), today.year)
                middle = f"{year}21"
                joined = date(year, rng.randint(1, 12 if year < today.year else today.month), 1)
            else:
                latest = min(today.year, birth.year + max(20, age - 1))
                year = rng.randint(min(birth.year + 20, latest), latest)
                month = rng.choice((1, 2, 3, 4, 12))
                if (year, month) > (today.year, today.month):
                    month = 1
                middle = f"{year}{month:02d}"
                joined = date(year, month, 1)
            nip = f"{birth:%Y%m%d}{middle}{'1' if sex == 'L' else '2'}{rng.randint(1, 999):03d}"
            if nip not in used:
                used.add(nip)
                return nip, birth, joined

    def _age(self, golongan: str, pppk: bool) -> int:
        if pppk:
            return self.rng.randint(24, 50)
        low, high = next(
            (span for prefix, span in words.AGES.items() if golongan.startswith(prefix)),
            (25, 57),
        )
        return self.rng.randint(low, high)

    def _name(self, sex: str, family: str, jenjang: Jenjang | None) -> str:
        rng = self.rng
        first = rng.choice(words.MALE if sex == "L" else words.FEMALE)
        name = f"{first} {rng.choice(words.LAST_NAMES)}" if rng.random() < 0.85 else first
        if family == "structural":
            title = rng.choice(words.STRUCTURAL_TITLES)
        elif family == "pelaksana":
            title = rng.choice(words.PELAKSANA_TITLES)
        else:
            _label, _mix, ahli, terampil, *_rest = words.FAMILIES[family]
            is_ahli = jenjang is not None and jenjang.value.startswith("ahli")
            title = rng.choice(ahli if is_ahli or not terampil else terampil)
            if family == "dokter":
                name = f"dr. {name}"
        return f"{name}, {title}" if title else name

    def people_and_accounts(self) -> None:
        """A head for every unit, then the staff spread over the units by weight, each with a
        position of the unit's profile, a golongan, a unique valid NIP and a login."""
        rng = self.rng
        used = set(db.session.scalars(select(Employee.nip)))
        heads = len(self.units)
        staff = self.o.employees - heads
        weights = list(itertools.accumulate(u.weight for u in self.units))
        placed: list[tuple[UnitPlan, str, int, PositionType, Jenjang | None]] = [
            (u, "structural", u.head_position_id, u.head_position[1], u.head_position[2])
            for u in self.units
        ]
        for unit in rng.choices(self.units, cum_weights=weights, k=staff):
            options = words.PROFILES[unit.profile]
            family = rng.choices([k for k, _w in options], [w for _k, w in options])[0]
            if family == "pelaksana":
                name = rng.choice(words.PELAKSANA)
                placed.append((unit, family, self.positions[(name, None)],
                               PositionType.PELAKSANA, None))  # fmt: skip
            else:
                mix = words.FAMILIES[family][1]
                jenjang = rng.choices(list(mix), list(mix.values()))[0]
                placed.append((unit, family, self.positions[(family, jenjang)],
                               PositionType.FUNGSIONAL, jenjang))  # fmt: skip
        employee_ids = self.out.reserve(table_of(Employee), len(placed))
        user_ids = self.out.reserve(table_of(User), len(placed))
        for unit, employee_id in zip(self.units, employee_ids, strict=False):
            unit.head_id = employee_id
        employees, users = [], []
        password_hash = generate_password_hash(self.o.password)
        pppk_jenjang = {None, Jenjang.AHLI_PERTAMA, Jenjang.AHLI_MUDA, Jenjang.PEMULA,
                        Jenjang.TERAMPIL, Jenjang.MAHIR}  # fmt: skip
        for n, ((unit, family, position_id, kind, jenjang), employee_id, user_id) in enumerate(
            zip(placed, employee_ids, user_ids, strict=True), start=1
        ):
            share = 0.12 if family == "pelaksana" else 0.0
            if family in words.FAMILIES:
                share = words.FAMILIES[family][4]
            pppk = jenjang in pppk_jenjang and rng.random() < share
            pns_choices, pppk_choices = words.GOLONGAN[(kind, jenjang)]
            pppk = pppk and bool(pppk_choices)
            golongan = rng.choice(pppk_choices if pppk else pns_choices)
            sex = "L" if rng.random() < 0.52 else "P"
            nip, birth, joined = self._nip(used, self._age(golongan, pppk), sex, pppk)
            name = self._name(sex, family, jenjang)
            if n > len(self.units):
                supervisor: int | None = unit.head_id  # staff: the head of their unit
            elif unit.parent is not None:
                supervisor = unit.parent.head_id  # a head: the head of the unit above
            else:
                # the heads of the perangkat daerah report to the Sekretaris Daerah
                supervisor = self.units[0].head_id if unit is not self.units[0] else None
            email = f"pegawai{n:05d}@{self.domain}"
            employees.append(
                (employee_id, self.org_id, nip, (EmployeeType.PPPK if pppk else EmployeeType.PNS)
                 .value, name, email, birth, sex, golongan, unit.id, position_id, supervisor,
                 True, self.now, self.now)
            )  # fmt: skip
            last_login = (
                self.now - timedelta(minutes=rng.randint(10, 60 * 24 * 90))
                if rng.random() < 0.7
                else None
            )
            users.append(
                [user_id, email, employee_id, self.org_id, password_hash, False, True,
                 secrets.token_urlsafe(32), 0, last_login, self.now, self.now]
            )  # fmt: skip
            self.people.append(
                Person(employee_id, user_id, unit, position_id, kind, family, joined, nip, name)
            )
        self._roles(users)
        self.out.write(
            table_of(Employee),
            ("id", "organisation_id", "nip", "employee_type", "name", "email", "birth_date",
             "sex", "golongan", "unit_id", "position_id", "supervisor_id", "is_active",
             "created_at", "updated_at"),
            employees,
        )  # fmt: skip
        self.out.write(
            table_of(User),
            ("id", "email", "employee_id", "organisation_id", "password_hash",
             "must_change_password", "is_active", "session_token", "failed_login_count",
             "last_login_at", "created_at", "updated_at"),
            [tuple(u) for u in users],
        )  # fmt: skip

    def _roles(self, users: list[list[Any]]) -> None:
        """HR administrators in the BKPSDM (the head of its competency development bidang
        logs in as ``bkpsdm@<code>.lentera.test``) and the widyaiswara as trainers."""
        index = {p.id: i for i, p in enumerate(self.people)}
        hr_unit = next((u for u in self.units if u.code == "BKPSDM-B1"), None) or next(
            u for u in self.units if u.code == "BKPSDM"
        )
        analysts = [
            p.id
            for p in self.people
            if p.family == "analis_sdm" and p.unit.code.startswith("BKPSDM")
        ]
        hr = [hr_unit.head_id, *analysts[:4]]
        users[index[hr[0]]][1] = self.hr_email
        self.hr_user_id = users[index[hr[0]]][0]
        trainers = [p.user_id for p in self.people if p.family == "widyaiswara"]
        self.trainer_user_ids = trainers or [self.hr_user_id]
        supervisor = next(
            (u for u in self.units if u.parent is not None and u.parent.parent is None
             and u.profile == "health"),
            self.units[-1],
        )  # fmt: skip
        self.supervisor_email = users[index[supervisor.head_id]][1]
        assignments = [(users[index[e]][0], Role.HR_ADMIN.value) for e in hr]
        assignments += [(u, Role.TRAINER.value) for u in self.trainer_user_ids]
        ids = self.out.reserve(table_of(RoleAssignment), len(assignments))
        self.role_rows = [
            (i, user_id, role, self.now)
            for i, (user_id, role) in zip(ids, assignments, strict=True)
        ]

    def write_roles(self) -> None:
        """The roles planned by :meth:`_roles` (after the accounts exist)."""
        self.out.write(
            table_of(RoleAssignment), ("id", "user_id", "role", "created_at"), self.role_rows
        )
