"""Certificates of the recent completions, numbered as the organisation numbers them."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from lms.certificates.models import (
    Certificate,
    CertificateSequence,
    CertificateStatus,
    CertificateTemplate,
    RenderStatus,
)
from lms.certificates.services import format_number
from lms.competencies.models import Competency
from lms.extensions import db
from lms.reports.dataset.base import (
    JAKARTA,
    Generation,
    as_json,
    table_of,
)


class CertificateSteps(Generation):
    """Certificates of the completions the history left to certify."""

    def certificates(self) -> None:
        """A certificate for each recent completion, numbered per year in the order issued,
        with a few revoked."""
        rng = self.rng
        (template_id,) = self.out.reserve(table_of(CertificateTemplate), 1)
        hr_head = next(u for u in self.units if u.code == "BKPSDM")
        signer = next(p for p in self.people if p.id == hr_head.head_id).name
        signer_title = f"Kepala {hr_head.name}"
        pattern = "{seq:03d}/SERT/BKPSDM-{org}/{month_roman}/{year}"
        self.out.write(
            table_of(CertificateTemplate),
            ("id", "organisation_id", "number_pattern", "signer_name", "signer_title", "layout",
             "accent", "created_at", "updated_at"),
            [(template_id, self.org_id, pattern, signer, signer_title, "klasik", "#0b5d4b",
              self.now, self.now)],
        )  # fmt: skip
        courses = {c.id: c for c in self.courses}
        names = dict(
            db.session.execute(
                select(Competency.id, Competency.name).where(
                    Competency.id.in_(list(self.competency_ids.values()))
                )
            ).all()
        )
        printed = {
            c.id: as_json([{"code": code, "name": names[cid], "level": level}
                         for code, cid, level in c.targets])
            for c in self.courses
        }  # fmt: skip
        candidates = sorted(self.certificate_candidates, key=lambda c: (c[4], c[0]))
        ids = self.out.reserve(table_of(Certificate), len(candidates))
        sequence: Counter[int] = Counter()
        rows = []
        for certificate_id, (enrollment_id, person_index, course_id, cycle, completed) in zip(
            ids, candidates, strict=True
        ):
            course = courses[course_id]
            person = self.people[person_index]
            issued = completed + timedelta(seconds=rng.randint(1, 30))
            year = issued.astimezone(JAKARTA).year
            sequence[year] += 1
            expires = course.certificate_expiry(completed)
            revoked = rng.random() < 0.002
            rows.append(
                (certificate_id, format_number(pattern, sequence[year], self.code, issued),
                 base64.b32encode(rng.getrandbits(128).to_bytes(16, "big")).decode().rstrip("="),
                 self.org_id, person.id, enrollment_id, course_id, f"{enrollment_id}:{cycle}", 0,
                 person.name, person.nip, course.code, course.title, course.jp,
                 printed[course_id],
                 signer, signer_title, completed, issued, expires,
                 (CertificateStatus.REVOKED if revoked else CertificateStatus.VALID).value,
                 issued + timedelta(days=30) if revoked else None,
                 "Data peserta tidak sesuai." if revoked else "",
                 self.hr_user_id if revoked else None, RenderStatus.PENDING.value, issued,
                 issued)
            )  # fmt: skip
        self.out.write(
            table_of(Certificate),
            ("id", "number", "code", "organisation_id", "employee_id", "enrollment_id",
             "course_id", "completion_key", "reissue", "holder_name", "holder_nip",
             "course_code", "course_title", "jp", "competencies", "signer_name", "signer_title",
             "completed_at", "issued_at", "expires_on", "status", "revoked_at", "revoked_reason",
             "revoked_by_id", "pdf_status", "created_at", "updated_at"),
            rows,
        )  # fmt: skip
        ids = self.out.reserve(table_of(CertificateSequence), len(sequence))
        self.out.write(
            table_of(CertificateSequence),
            ("id", "organisation_id", "year", "last"),
            [(i, self.org_id, year, last)
             for i, (year, last) in zip(ids, sorted(sequence.items()), strict=True)],
        )  # fmt: skip
