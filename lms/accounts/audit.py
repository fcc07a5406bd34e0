"""The audit log: who did what to whom, from where."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, insert, select

from lms.accounts.models import AuditEvent, User
from lms.core.db import utcnow
from lms.extensions import db


def record(
    action: str,
    *,
    actor: User | None,
    organisation_id: int | None = None,
    target: Any = None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    if target is not None:
        target = getattr(target, "_get_current_object", lambda: target)()
        target_type = target_type or type(target).__tablename__
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        organisation_id=organisation_id,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        data=data or {},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_many(
    action: str,
    *,
    actor: User | None,
    organisation_id: int | None,
    target_type: str,
    events: Sequence[tuple[int | str, dict[str, Any]]],
) -> None:
    """Audit events of one action on many targets (``(target id, data)`` each) in one
    statement, as :func:`record` would write them one by one (an assignment to thousands)."""
    if not events:
        return
    ip_address = request.remote_addr if has_request_context() else None
    now = utcnow()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "action": action,
                "actor_id": actor.id if actor is not None else None,
                "organisation_id": organisation_id,
                "target_type": target_type,
                "target_id": str(target_id),
                "data": data,
                "ip_address": ip_address,
                "created_at": now,
            }
            for target_id, data in events
        ],
    )


def audit_query(organisation_id: int | None) -> Select[tuple[AuditEvent]]:
    """Audit events newest first, for one organisation or (``None``) the whole platform."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return query


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as ``{field: [old, new]}``."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


ACTION_LABELS = {
    "auth.login": _l("Masuk"),
    "auth.login_failed": _l("Gagal masuk"),
    "auth.login_locked": _l("Masuk ditolak: akun terkunci"),
    "auth.login_inactive": _l("Masuk ditolak: akun nonaktif"),
    "auth.password_changed": _l("Ganti kata sandi"),
    "user.password_reset": _l("Atur ulang kata sandi"),
    "user.roles_changed": _l("Ubah peran"),
    "user.enabled": _l("Aktifkan akun"),
    "user.disabled": _l("Nonaktifkan akun"),
    "user.email_changed": _l("Ubah email akun"),
    "api.token_issued": _l("Buat token API"),
    "api.token_revoked": _l("Cabut token API"),
    "organisation.created": _l("Buat instansi"),
    "unit.created": _l("Buat unit kerja"),
    "unit.updated": _l("Ubah unit kerja"),
    "position.created": _l("Buat jabatan"),
    "position.updated": _l("Ubah jabatan"),
    "employee.created": _l("Tambah pegawai"),
    "employee.updated": _l("Ubah data pegawai"),
    "employee.imported": _l("Impor pegawai"),
    "demo.seeded": _l("Muat data demo"),
    "competency.created": _l("Tambah kompetensi"),
    "competency.changed": _l("Ubah kompetensi"),
    "competency.activated": _l("Aktifkan kompetensi"),
    "competency.deactivated": _l("Nonaktifkan kompetensi"),
    "competency.rated": _l("Penilaian kompetensi oleh asesor"),
    "position.standard_changed": _l("Ubah standar kompetensi jabatan"),
    "standard.default_changed": _l("Ubah standar kompetensi jenis jabatan"),
    "training.recorded": _l("Catat pelatihan eksternal"),
    "plan.submitted": _l("Kirim rencana pengembangan"),
    "plan.approved": _l("Setujui rencana pengembangan"),
    "plan.returned": _l("Kembalikan rencana pengembangan"),
    "course.created": _l("Buat kursus"),
    "course.updated": _l("Ubah kursus"),
    "course.draft_started": _l("Mulai draf kursus"),
    "course.published": _l("Terbitkan kursus"),
    "course.archived": _l("Arsipkan kursus"),
    "course.trainers_changed": _l("Ubah pelatih kursus"),
    "assignment.created": _l("Buat penugasan kursus"),
    "enrollment.created": _l("Daftar kursus"),
    "enrollment.assigned": _l("Tugaskan kursus"),
    "enrollment.completed": _l("Selesaikan kursus"),
    "enrollment.completion_withdrawn": _l("Batalkan penyelesaian kursus"),
    "enrollment.restarted": _l("Ulangi kursus"),
    "enrollment.withdrawn": _l("Keluarkan dari kursus"),
    "evaluation.submitted": _l("Isi evaluasi kursus"),
    "evaluation.template_changed": _l("Ubah templat evaluasi"),
    "questions.imported": _l("Impor soal"),
    "question.archived": _l("Arsipkan soal"),
    "question.restored": _l("Pulihkan soal"),
    "question.key_changed": _l("Ubah kunci jawaban"),
    "question.regraded": _l("Nilai ulang soal"),
    "quiz.updated": _l("Ubah pengaturan kuis"),
    "attempt.submitted": _l("Kumpulkan kuis"),
    "attempt.deleted": _l("Hapus percobaan kuis"),
    "attempt.essay_graded": _l("Nilai esai"),
    "certificate.issued": _l("Terbitkan sertifikat"),
    "certificate.reissued": _l("Terbitkan ulang sertifikat"),
    "certificate.revoked": _l("Cabut sertifikat"),
    "certificate.expiring": _l("Pengingat sertifikat akan berakhir"),
    "certificate.key_created": _l("Buat kunci penandatangan sertifikat"),
    "certificate.template_updated": _l("Ubah templat sertifikat"),
    "dataset.generated": _l("Buat data uji skala provinsi"),
}


def action_label(action: str) -> str:
    """A readable name for an audit action."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


#: readable names of the details an event records (``AuditEvent.data``)
DETAIL_LABELS = {
    "added": _l("Ditambahkan"),
    "after": _l("Sesudah"),
    "auto": _l("Otomatis"),
    "before": _l("Sebelum"),
    "changed": _l("Diubah"),
    "code": _l("Kode"),
    "competency": _l("Kompetensi"),
    "completed_on": _l("Tanggal selesai"),
    "count": _l("Jumlah"),
    "course": _l("Kursus"),
    "course_id": _l("ID kursus"),
    "cycle": _l("Siklus"),
    "due_date": _l("Tenggat"),
    "email": _l("Email"),
    "employee_type": _l("Jenis pegawai"),
    "enrolled": _l("Didaftarkan"),
    "expires_on": _l("Berlaku sampai"),
    "failures": _l("Gagal berturut-turut"),
    "fields": _l("Isian"),
    "file": _l("Berkas"),
    "golongan": _l("Golongan"),
    "is_active": _l("Aktif"),
    "items": _l("Butir"),
    "jenjang": _l("Jenjang"),
    "jp": _l("JP"),
    "kid": _l("ID kunci"),
    "kind": _l("Jenis"),
    "lesson": _l("Pelajaran"),
    "level": _l("Level"),
    "login": _l("Login"),
    "mark": _l("Nilai"),
    "name": _l("Nama"),
    "nip": _l("NIP"),
    "note": _l("Catatan"),
    "number": _l("Nomor"),
    "number_pattern": _l("Pola nomor"),
    "organisations": _l("Instansi"),
    "parent_id": _l("Unit induk (ID)"),
    "percent": _l("Persen"),
    "position_id": _l("Jabatan (ID)"),
    "position_type": _l("Jenis jabatan"),
    "quiz": _l("Kuis"),
    "reason": _l("Alasan"),
    "removed": _l("Dihapus"),
    "seed": _l("Benih acak"),
    "slot": _l("Nomor soal"),
    "source": _l("Sumber"),
    "supervisor_id": _l("Atasan (ID)"),
    "target": _l("Sasaran"),
    "target_id": _l("ID sasaran"),
    "title": _l("Judul"),
    "today": _l("Tanggal acuan"),
    "type": _l("Tipe"),
    "unit_id": _l("Unit (ID)"),
    "version": _l("Versi"),
    "year": _l("Tahun"),
}

#: readable names of what an event is about (``AuditEvent.target_type``, a table name)
TARGET_LABELS = {
    "api_tokens": _l("Token API"),
    "assignment_rules": _l("Aturan penugasan"),
    "attempts": _l("Percobaan kuis"),
    "categories": _l("Kategori"),
    "certificate_templates": _l("Templat sertifikat"),
    "certificates": _l("Sertifikat"),
    "competencies": _l("Kompetensi"),
    "course_versions": _l("Versi kursus"),
    "courses": _l("Kursus"),
    "development_plans": _l("Rencana pengembangan"),
    "employee_competencies": _l("Kompetensi pegawai"),
    "employees": _l("Pegawai"),
    "enrollments": _l("Pendaftaran"),
    "evaluation_templates": _l("Templat evaluasi"),
    "evidence": _l("Bukti kompetensi"),
    "external_trainings": _l("Pelatihan eksternal"),
    "lessons": _l("Pelajaran"),
    "media_assets": _l("Media"),
    "organisations": _l("Instansi"),
    "position_standards": _l("Standar jabatan"),
    "positions": _l("Jabatan"),
    "question_categories": _l("Kategori soal"),
    "questions": _l("Soal"),
    "quizzes": _l("Kuis"),
    "signing_keys": _l("Kunci penandatangan"),
    "type_standards": _l("Standar jenis jabatan"),
    "units": _l("Unit kerja"),
    "users": _l("Akun"),
}


def _value_text(value: Any) -> str:
    if value is None:
        return "–"
    if value is True:
        return str(_l("ya"))
    if value is False:
        return str(_l("tidak"))
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(k)}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value)
    return str(value)


def detail_label(key: str) -> str:
    """A readable name for a detail of an audit event (the key itself if unknown)."""
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key


def details(event: AuditEvent) -> list[tuple[str, str]]:
    """An event's details as (name, text), in the reader's language; a change recorded by
    :func:`diff` reads ``old → new``."""
    data = event.data if isinstance(event.data, dict) else {}
    is_diff = bool(data) and all(
        isinstance(value, list) and len(value) == 2 and key in DIFF_FIELDS
        for key, value in data.items()
    )
    lines = []
    for key, value in data.items():
        if is_diff:
            text = f"{_value_text(value[0])} → {_value_text(value[1])}"
        else:
            text = _value_text(value)
        lines.append((detail_label(key), text))
    return lines


def target_label(target_type: str | None) -> str:
    """A readable name for what an event is about."""
    if not target_type:
        return ""
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


#: the fields whose changes :func:`diff` records (units, positions, employees)
DIFF_FIELDS = frozenset(
    {
        "code",
        "name",
        "parent_id",
        "is_active",
        "position_type",
        "jenjang",
        "nip",
        "employee_type",
        "email",
        "golongan",
        "unit_id",
        "position_id",
        "supervisor_id",
    }
)
