"""Recording evidence: from graded quiz attempts, completed courses, assessors and external
training. Every change recomputes the employee's current level in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from lms.accounts import audit
from lms.accounts.models import Employee, User
from lms.competencies.models import Competency, Evidence, EvidenceSource
from lms.competencies.profile import competency_by_code, dictionary_scope, refresh
from lms.core.errors import DomainError
from lms.extensions import db

JAKARTA = ZoneInfo("Asia/Jakarta")


def local_day(moment: datetime | None) -> date:
    """The day in WIB of a UTC moment (today when empty)."""
    return (moment or datetime.now(JAKARTA)).astimezone(JAKARTA).date()


def valid_until(observed: date) -> date:
    """The last day evidence shown on ``observed`` counts."""
    years = current_app.config["EVIDENCE_VALID_YEARS"]
    try:
        return observed.replace(year=observed.year + years)
    except ValueError:  # 29 February
        return observed.replace(year=observed.year + years, day=28)


def upsert(
    employee_id: int,
    competency: Competency,
    source: EvidenceSource,
    source_id: int,
    level: int,
    **values: Any,
) -> Evidence:
    """The evidence of a source for a competency and level, created or updated."""
    found = db.session.scalar(
        select(Evidence).where(
            Evidence.source == source,
            Evidence.source_id == source_id,
            Evidence.employee_id == employee_id,
            Evidence.competency_id == competency.id,
            Evidence.level == level,
        )
    )
    if found is None:
        found = Evidence(
            employee_id=employee_id,
            competency_id=competency.id,
            source=source,
            source_id=source_id,
            level=level,
        )
        db.session.add(found)
    for name, value in values.items():
        setattr(found, name, value)
    return found


def from_attempt(
    *,
    attempt_id: int,
    employee: Employee,
    label: str,
    graded_at: datetime | None,
    scores: list[Any],
    first: bool = False,
) -> list[Evidence]:
    """Evidence from a graded attempt: one per competency and level its questions carry.

    At or above the mastery threshold it demonstrates the level; below it is kept as a record
    without raising the level. A regrade updates the same rows; codes not in the dictionary are
    skipped. The attempt's evidence is read in one statement (none when ``first``: an attempt
    graded for the first time has none) and written in one flush, and only the levels of
    competencies whose evidence changed are recomputed.
    """
    mastery = current_app.config["MASTERY_PERCENT"]
    observed = local_day(graded_at)
    until = valid_until(observed)
    scored = [score for score in scores if score.level]
    ids = _competency_ids({score.competency for score in scored}, employee.organisation_id)
    existing = {} if first else _attempt_evidence(attempt_id)
    kept: dict[tuple[int, int, int], Evidence] = {}
    touched: set[int] = set()
    for score in scored:
        competency_id = ids.get(score.competency)
        if competency_id is None:
            continue
        key = (employee.id, competency_id, score.level)
        item = kept.get(key) or existing.get(key)
        if item is None:
            item = Evidence(
                employee_id=employee.id,
                competency_id=competency_id,
                source=EvidenceSource.QUIZ,
                source_id=attempt_id,
                level=score.level,
            )
            db.session.add(item)
        item.label = label[:300]
        item.score = score.percent
        item.is_demonstrated = score.percent >= mastery - 1e-9
        item.observed_on = observed
        item.valid_until = until
        if item.id is None or db.session.is_modified(item):
            touched.add(competency_id)
        kept[key] = item
    for key, item in existing.items():
        if key not in kept:
            touched.add(item.competency_id)
            db.session.delete(item)
    db.session.flush()
    for competency_id in sorted(touched):
        refresh(employee.id, competency_id)
    return list(kept.values())


def _attempt_evidence(attempt_id: int) -> dict[tuple[int, int, int], Evidence]:
    """The evidence an attempt already gave, by employee, competency and level."""
    return {
        (item.employee_id, item.competency_id, item.level): item
        for item in db.session.scalars(
            select(Evidence).where(
                Evidence.source == EvidenceSource.QUIZ, Evidence.source_id == attempt_id
            )
        )
    }


def _competency_ids(codes: set[str], organisation_id: int | None) -> dict[str, int]:
    """Competency ids by code for the organisation, its own before the national ones (as
    :func:`~lms.competencies.profile.competency_by_code`, for many codes in one statement)."""
    if not codes:
        return {}
    rows = db.session.execute(
        select(Competency.code, Competency.id, Competency.organisation_id).where(
            Competency.code.in_(codes), dictionary_scope(organisation_id)
        )
    ).all()
    found: dict[str, int] = {}
    # the organisation's own comes last and wins
    for row in sorted(rows, key=lambda row: row.organisation_id is not None):
        found[row.code] = row.id
    return found


def withdraw(source: EvidenceSource, source_id: int) -> int:
    """Remove the evidence of a source (a deleted attempt, a revoked completion)."""
    rows = db.session.execute(
        select(Evidence.employee_id, Evidence.competency_id).where(
            Evidence.source == source, Evidence.source_id == source_id
        )
    ).all()
    db.session.execute(
        delete(Evidence).where(Evidence.source == source, Evidence.source_id == source_id)
    )
    db.session.flush()
    for employee_id, competency_id in set(rows):
        refresh(employee_id, competency_id)
    return len(rows)


def from_completion(
    *,
    enrollment_id: int,
    employee: Employee,
    label: str,
    completed_at: datetime,
    targets: list,
    expires_on: date | None = None,
) -> list[Evidence]:
    """Evidence for a completed course's targeted competencies (when the course says so); it
    stops counting when the course's certificate expires, if that comes first."""
    observed = local_day(completed_at)
    until = valid_until(observed)
    if expires_on is not None:
        until = min(until, expires_on)
    recorded = []
    for code, level in targets:
        competency = competency_by_code(code, employee.organisation_id)
        if competency is None:
            continue
        recorded.append(
            upsert(
                employee.id,
                competency,
                EvidenceSource.COURSE,
                enrollment_id,
                level,
                label=label[:300],
                score=None,
                is_demonstrated=True,
                observed_on=observed,
                valid_until=until,
            )
        )
    db.session.flush()
    for item in recorded:
        refresh(employee.id, item.competency_id)
    return recorded


def record_rating(
    employee: Employee,
    competency: Competency,
    level: int,
    note: str,
    *,
    observed_on: date,
    actor: User,
) -> Evidence:
    """A supervisor's or HR assessor's rating (e.g. an assessment-centre result); audited."""
    if not 1 <= level <= 5:
        raise DomainError(_("Level harus 1 sampai 5."), field="level")
    if not note.strip():
        raise DomainError(_("Tuliskan catatan dasar penilaian."), field="note")
    if observed_on > date.today():
        raise DomainError(_("Tanggal penilaian tidak boleh di masa depan."), field="observed_on")
    evidence = Evidence(
        employee_id=employee.id,
        competency_id=competency.id,
        source=EvidenceSource.ASSESSOR,
        source_id=actor.id,
        label=_("Penilaian oleh %(name)s", name=actor.display_name)[:300],
        level=level,
        score=None,
        is_demonstrated=True,
        observed_on=observed_on,
        valid_until=valid_until(observed_on),
        note=note.strip()[:5000],
        recorded_by_id=actor.id,
    )
    # one rating per assessor, competency and level: a new one replaces it
    db.session.execute(
        delete(Evidence).where(
            Evidence.source == EvidenceSource.ASSESSOR,
            Evidence.source_id == actor.id,
            Evidence.employee_id == employee.id,
            Evidence.competency_id == competency.id,
            Evidence.level == level,
        )
    )
    db.session.add(evidence)
    db.session.flush()
    refresh(employee.id, competency.id)
    audit.record(
        "competency.rated",
        actor=actor,
        organisation_id=employee.organisation_id,
        target=employee,
        data={"competency": competency.code, "level": level, "note": evidence.note[:200]},
    )
    return evidence
