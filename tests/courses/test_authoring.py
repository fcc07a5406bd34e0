"""Authoring: course details, modules and lessons of every type, drafts, versions, trainers."""

from __future__ import annotations

from html import unescape
from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Lesson,
    LessonProgress,
    LessonType,
    Module,
    Visibility,
)
from tests.fixtures.courses import (
    PDF_BYTES,
    document,
    link,
    office_bytes,
    post_multipart,
    quiz,
    text,
    video,
)

TRAINER = "pelatih@lentera.test"
HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"
LEARNER = "pegawai.solok@lentera.test"
TRAINER_ROLE = Role.TRAINER


def media_files(app, code: str) -> list[Path]:
    folder = Path(app.config["MEDIA_DIR"]) / "courses" / code
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []


def lesson_form(client, auth, code: str, module_id: int, **fields):
    """Post the new-lesson form; ``upload`` is ``(filename, bytes)``."""
    data = {"title": "Pelajaran", "lesson_type": "text", "is_required": "y", "body": "", "url": ""}
    data.update(fields)
    return post_multipart(client, auth, f"/ajar/{code}/modul/{module_id}/pelajaran/baru", data)


def draft_modules(db, course: Course) -> list[Module]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Module)
            .where(Module.version_id == course.draft_version_id)
            .order_by(Module.position)
        )
    )


# --- 1. the course and its details ----------------------------------------------------------------


def test_trainer_creates_a_course_with_every_detail(client, auth, db, courses, demo):
    prerequisite = courses.course(title="Dasar Pelayanan")
    auth.login(TRAINER)
    response = auth.post(
        "/ajar/baru",
        {
            "code": "lit-201",
            "title": "Literasi Digital Lanjutan",
            "summary": "Ringkasan singkat.",
            "description": "## Tujuan\n\nPeserta **mampu** mengenali phishing.",
            "jp": "16",
            "category": "Teknologi Informasi",
            "visibility": "organisation",
            "self_enrollment": "",
            "competencies": "t-litdig:2, T-KAMINFO=3",
            "prerequisites": prerequisite.code,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ajar/LIT-201")

    course = courses.get("LIT-201")
    assert course.status is CourseStatus.DRAFT
    assert course.published_version_id is None
    assert course.organisation_id == demo["solok"].id  # the trainer's organisation owns it
    assert course.category.name == "Teknologi Informasi"
    assert course.visibility is Visibility.ORGANISATION
    assert course.self_enrollment is False
    assert [(c.code, c.level) for c in course.competencies] == [("T-KAMINFO", 3), ("T-LITDIG", 2)]
    assert [p.required_course.code for p in course.prerequisites] == [prerequisite.code]
    assert [t.user_id for t in course.trainers] == [demo["trainer"].id]  # its creator teaches it
    draft = course.draft_version
    assert (draft.number, draft.title, draft.summary, draft.jp) == (
        1,
        "Literasi Digital Lanjutan",
        "Ringkasan singkat.",
        16,
    )
    assert draft.description.startswith("## Tujuan")

    editor = client.get("/ajar/LIT-201")
    assert editor.status_code == 200 and "Literasi Digital Lanjutan" in editor.text
    page = client.get("/kursus/LIT-201")  # authors see their draft's page; rendered Markdown
    assert page.status_code == 200
    assert "<strong>mampu</strong>" in page.text
    # targeted competencies by their names in the organisation's dictionary, with the code
    assert (
        'Keamanan Informasi <span class="text-body-secondary">(T-KAMINFO)</span> · level 3'
        in page.text
    )
    assert "16 JP (720 menit)" in page.text


def test_course_form_refuses_bad_details(client, auth, db, courses):
    existing = courses.course()
    auth.login(TRAINER)
    before = db.session.scalar(select(func.count()).select_from(Course))
    base = {"title": "Judul", "jp": "4", "category": "Manajemen", "visibility": "shared"}
    cases = [
        ({"code": existing.code.lower()}, f"Kode kursus {existing.code} sudah dipakai."),
        ({"code": "KODE BURUK!"}, "Kode kursus hanya huruf besar, angka dan tanda minus"),
        ({"code": ""}, "Kode kursus wajib diisi."),
        ({"code": "OK-1", "jp": "0"}, "JP harus antara 1 dan 1000."),
        ({"code": "OK-1", "jp": "1001"}, "JP harus antara 1 dan 1000."),
        ({"code": "OK-1", "jp": ""}, "Wajib diisi."),
        ({"code": "OK-2", "competencies": "M-PP:9"}, "Tulis kompetensi sebagai KODE:LEVEL"),
        ({"code": "OK-3", "competencies": "M-PP:2, m-pp:3"}, "Kompetensi M-PP ditulis dua kali."),
        ({"code": "OK-4", "prerequisites": "TIDAK-ADA"}, "Kursus prasyarat TIDAK-ADA tidak"),
        ({"code": "OK-5", "category": "Kategori Liar"}, "Pilihan tidak tersedia."),
    ]
    for change, message in cases:
        response = auth.post("/ajar/baru", base | change)
        assert response.status_code == 400, change
        assert message in unescape(response.text), change
    assert db.session.scalar(select(func.count()).select_from(Course)) == before


def test_admin_adds_a_category_others_cannot(client, auth, db):
    auth.login(TRAINER)
    assert auth.post("/ajar/kategori", {"name": "Kesehatan"}).status_code == 403
    auth.logout()
    auth.login("admin@lentera.test")
    assert auth.post("/ajar/kategori", {"name": "  Kebijakan   Kesehatan "}).status_code == 302
    form = client.get("/ajar/baru")
    assert "Kebijakan Kesehatan" in form.text
    for name in ("Kepemimpinan", "Teknologi Informasi", "Manajemen"):
        assert f'value="{name}"' in form.text


def test_editing_details_of_a_published_course_makes_a_new_draft(client, auth, db, courses, demo):
    course = courses.course(title="Judul Lama", jp=4, trainers=[demo["trainer"]])
    auth.login(TRAINER)
    response = auth.post(
        f"/ajar/{course.code}/detail",
        {
            "title": "Judul Baru",
            "summary": "Baru",
            "description": "",
            "jp": "24",
            "category": "Kepemimpinan",
            "visibility": "shared",
            "self_enrollment": "y",
            "competencies": "M-PK:4",
            "prerequisites": "",
        },
    )
    assert response.status_code == 302
    course = courses.get(course.code)
    assert course.published_version.title == "Judul Lama"
    assert course.published_version.jp == 4
    assert course.draft_version.number == 2
    assert (course.draft_version.title, course.draft_version.jp) == ("Judul Baru", 24)
    # learners still see the published version until the draft is published
    assert "Judul Lama" in client.get(f"/kursus/{course.code}").text
    assert auth.post(f"/ajar/{course.code}/terbitkan").status_code == 302
    course = courses.get(course.code)
    assert course.published_version.number == 2 and course.draft_version_id is None
    page = client.get(f"/kursus/{course.code}").text
    assert (
        "Judul Baru" in page
        and "24 JP" in page
        and 'Pengambilan Keputusan <span class="text-body-secondary">(M-PK)</span> · level 4'
        in page
    )


# --- 2. structure: modules and lessons of every type ----------------------------------------------


def test_trainer_builds_every_lesson_type_through_the_forms(
    app, client, auth, db, courses, tiny_mp4
):
    course = courses.course(modules=[], publish=False, trainers=[courses.user(TRAINER)])
    code = course.code
    auth.login(TRAINER)
    assert auth.post(f"/ajar/{code}/modul", {"title": "  Modul   Pertama "}).status_code == 302
    (module,) = draft_modules(db, course)
    assert module.title == "Modul Pertama"

    uploads = [
        {"title": "Bacaan", "lesson_type": "text", "body": "Isi **bacaan**."},
        {"title": "Video", "lesson_type": "video", "upload": ("klip.mp4", tiny_mp4)},
        {"title": "PDF", "lesson_type": "file", "upload": ("materi.pdf", PDF_BYTES)},
        {"title": "Slide", "lesson_type": "file", "upload": ("slide.pptx", office_bytes("pptx"))},
        {"title": "Naskah", "lesson_type": "file", "upload": ("naskah.docx", office_bytes("docx"))},
        {"title": "Tabel", "lesson_type": "file", "upload": ("data.xlsx", office_bytes("xlsx"))},
        {"title": "Tautan", "lesson_type": "link", "url": "https://jdih.go.id/"},
        {"title": "Kuis", "lesson_type": "quiz", "body": "// kompetensi: M-PP\n::S::Benar?{T}"},
        {"title": "Bacaan tambahan", "lesson_type": "text", "body": "Opsional.", "is_required": ""},
    ]
    for fields in uploads:
        response = lesson_form(client, auth, code, module.id, **fields)
        assert response.status_code == 302, (fields["title"], response.text[:300])

    lessons = courses.lessons(course, course.draft_version_id)
    assert [x.title for x in lessons] == [f["title"] for f in uploads]
    assert [x.position for x in lessons] == list(range(len(uploads)))
    by_title = {x.title: x for x in lessons}
    assert by_title["Bacaan"].lesson_type is LessonType.TEXT
    assert by_title["Video"].file_mime == "video/mp4"
    assert by_title["Video"].file_name == "klip.mp4"
    assert by_title["Video"].file_size == len(tiny_mp4)
    assert by_title["PDF"].file_mime == "application/pdf"
    assert by_title["Slide"].file_mime.endswith("presentationml.presentation")
    assert by_title["Naskah"].file_mime.endswith("wordprocessingml.document")
    assert by_title["Tabel"].file_mime.endswith("spreadsheetml.sheet")
    assert by_title["Tautan"].url == "https://jdih.go.id/"
    assert by_title["Kuis"].lesson_type is LessonType.QUIZ
    assert by_title["Bacaan tambahan"].is_required is False
    assert all(x.is_required for x in lessons if x.title != "Bacaan tambahan")
    stored = Path(app.config["MEDIA_DIR"]) / by_title["Video"].file_path
    assert stored.read_bytes() == tiny_mp4
    assert {p.name for p in media_files(app, code)} == {
        Path(x.file_path).name for x in lessons if x.file_path
    }

    # the editor lists them; preview shows the PDF inline and the video player
    editor = client.get(f"/ajar/{code}")
    assert all(f["title"] in editor.text for f in uploads)
    pdf = client.get(f"/ajar/{code}/pratinjau/{by_title['PDF'].id}")
    assert '<iframe class="pdf-preview' in pdf.text
    assert f"/kursus/{code}/pelajaran/{by_title['PDF'].id}/berkas?tampil=1" in pdf.text
    docx = client.get(f"/ajar/{code}/pratinjau/{by_title['Naskah'].id}")
    assert "<iframe" not in docx.text and "Unduh naskah.docx" in docx.text
    clip = client.get(f"/ajar/{code}/pratinjau/{by_title['Video'].id}")
    assert "<video" in clip.text
    served = client.get(f"/kursus/{code}/pelajaran/{by_title['Video'].id}/berkas")
    assert served.status_code == 200 and served.data == tiny_mp4
    served.close()


def test_lesson_form_checks_what_each_type_needs(app, client, auth, db, courses):
    course = courses.course(modules=[("Modul", [])], publish=False)
    module = draft_modules(db, course)[0]
    auth.login(HR_SOLOK)
    cases = [
        ({"lesson_type": "text", "body": "  "}, "Isi pelajaran teks wajib diisi."),
        ({"lesson_type": "link", "url": "ftp://contoh.go.id/"}, "Tautan harus alamat web lengkap"),
        ({"lesson_type": "video"}, "Unggah berkas untuk pelajaran ini."),
        ({"lesson_type": "file"}, "Unggah berkas untuk pelajaran ini."),
        ({"lesson_type": "text", "title": ""}, "Wajib diisi."),
        ({"lesson_type": "file", "upload": ("kosong.pdf", b"")}, "Berkas kosong."),
        (
            {"lesson_type": "text", "body": "x", "upload": ("materi.pdf", PDF_BYTES)},
            "Jenis pelajaran ini tidak memakai berkas.",
        ),
    ]
    for fields, message in cases:
        response = lesson_form(client, auth, course.code, module.id, **fields)
        assert response.status_code == 400, fields
        assert message in unescape(response.text), fields
    assert courses.lessons(course, course.draft_version_id) == []
    assert media_files(app, course.code) == []


def test_reordering_modules_and_lessons(client, auth, db, courses, demo):
    course = courses.course(
        modules=[
            ("A", [text("Alfa-1"), text("Alfa-2"), text("Alfa-3")]),
            ("B", [text("Beta-1")]),
            ("C", [text("Charlie-1")]),
        ],
        publish=False,
    )
    code = course.code
    auth.login(HR_SOLOK)

    def order():
        return [(m.title, [x.title for x in m.lessons]) for m in draft_modules(db, course)]

    a, b, c = draft_modules(db, course)
    assert auth.post(f"/ajar/{code}/modul/{c.id}/naik").status_code == 302
    assert [m for m, _ in order()] == ["A", "C", "B"]
    assert auth.post(f"/ajar/{code}/modul/{a.id}/turun").status_code == 302
    assert [m for m, _ in order()] == ["C", "A", "B"]
    auth.post(f"/ajar/{code}/modul/{c.id}/naik")  # already first: nothing moves
    auth.post(f"/ajar/{code}/modul/{b.id}/turun")  # already last
    assert [m for m, _ in order()] == ["C", "A", "B"]
    assert [m.position for m in draft_modules(db, course)] == [0, 1, 2]

    a1, _a2, a3 = (
        x for x in courses.lessons(course, course.draft_version_id) if x.module_id == a.id
    )
    assert auth.post(f"/ajar/{code}/pelajaran/{a3.id}/naik").status_code == 302
    assert auth.post(f"/ajar/{code}/pelajaran/{a1.id}/turun").status_code == 302
    assert dict(order())["A"] == ["Alfa-3", "Alfa-1", "Alfa-2"]
    auth.post(f"/ajar/{code}/pelajaran/{a3.id}/naik")
    assert dict(order())["A"] == ["Alfa-3", "Alfa-1", "Alfa-2"]
    assert auth.post(f"/ajar/{code}/pelajaran/{a1.id}/lompat").status_code == 404
    assert auth.post(f"/ajar/{code}/modul/{a.id}/lompat").status_code == 404
    assert dict(order())["A"] == ["Alfa-3", "Alfa-1", "Alfa-2"]

    # the syllabus follows the new order once published
    assert auth.post(f"/ajar/{code}/terbitkan").status_code == 302
    page = client.get(f"/kursus/{code}").text
    positions = [
        page.index(title) for title in ("Charlie-1", "Alfa-3", "Alfa-1", "Alfa-2", "Beta-1")
    ]
    assert positions == sorted(positions)

    # deleting a module or lesson renumbers what remains (in a new draft)
    auth.post(f"/ajar/{code}/draf")
    course = courses.get(code)
    a_new = next(m for m in draft_modules(db, course) if m.title == "A")
    first = a_new.lessons[0]
    assert auth.post(f"/ajar/{code}/pelajaran/{first.id}/hapus").status_code == 302
    assert dict(order())["A"] == ["Alfa-1", "Alfa-2"]
    assert auth.post(f"/ajar/{code}/modul/{a_new.id}/hapus").status_code == 302
    assert [m for m, _ in order()] == ["C", "B"]
    assert [m.position for m in draft_modules(db, course)] == [0, 1]
    # the published version is untouched by edits to the draft
    assert [x.title for x in courses.lessons(courses.get(code))] == [
        "Charlie-1",
        "Alfa-3",
        "Alfa-1",
        "Alfa-2",
        "Beta-1",
    ]


def test_published_version_cannot_be_edited_in_place(client, auth, db, courses):
    course = courses.course()
    published = courses.lessons(course)
    module_id = published[0].module_id
    auth.login(HR_SOLOK)
    assert auth.post(f"/ajar/{course.code}/pelajaran/{published[0].id}/turun").status_code == 404
    assert auth.post(f"/ajar/{course.code}/modul/{module_id}/hapus").status_code == 404
    assert client.get(f"/ajar/{course.code}/pelajaran/{published[0].id}/ubah").status_code == 404
    assert [x.title for x in courses.lessons(courses.get(course.code))] == [
        "Pelajaran 1",
        "Pelajaran 2",
        "Pelajaran 3",
    ]


# --- 3. drafts, preview, publishing, versions, archive --------------------------------------------


def test_draft_is_hidden_from_learners_and_previewed_by_its_author(client, auth, db, courses, demo):
    course = courses.course(
        modules=[("Modul", [text("Satu", "Isi pelajaran **satu**."), text("Dua")])],
        publish=False,
        trainers=[demo["trainer"]],
    )
    first, second = courses.lessons(course, course.draft_version_id)
    auth.login(LEARNER)
    assert client.get(f"/kursus/{course.code}").status_code == 404
    assert f'/kursus/{course.code}"' not in client.get(f"/kursus?q={course.code}").text
    assert client.get(f"/ajar/{course.code}/pratinjau/{first.id}").status_code == 404
    assert auth.post(f"/kursus/{course.code}/daftar").status_code == 404
    auth.logout()

    auth.login(TRAINER)
    preview = client.get(f"/ajar/{course.code}/pratinjau/{first.id}")
    assert preview.status_code == 200
    assert "Pratinjau sebagai peserta" in preview.text
    assert "<strong>satu</strong>" in preview.text
    assert f"/ajar/{course.code}/pratinjau/{second.id}" in preview.text  # "next" stays in preview
    assert "/selesai" not in preview.text  # nothing to mark: progress is not recorded
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_publish_refuses_a_course_without_lessons_or_required_lessons(client, auth, db, courses):
    empty = courses.course(modules=[("Kosong", [])], publish=False)
    optional = courses.course(
        modules=[("Modul", [text("Opsional", required=False)])], publish=False
    )
    auth.login(HR_SOLOK)
    response = auth.post(f"/ajar/{empty.code}/terbitkan")
    assert response.status_code == 400
    assert "Kursus belum memiliki pelajaran" in unescape(response.text)
    response = auth.post(f"/ajar/{optional.code}/terbitkan")
    assert response.status_code == 400
    assert "Minimal satu pelajaran harus wajib" in unescape(response.text)
    for course in (empty, optional):
        stored = courses.get(course.code)
        assert stored.status is CourseStatus.DRAFT and stored.published_version_id is None
    assert auth.post(f"/ajar/{empty.code}/draf").status_code == 302  # the draft already exists


def test_new_version_keeps_progress_on_unchanged_lessons_only(client, auth, db, courses, demo):
    course = courses.course(
        modules=[
            ("Modul", [text("Tetap", "Isi tetap."), text("Berubah", "Isi lama."), text("Tiga")])
        ],
        trainers=[demo["trainer"]],
    )
    learner = demo["learner"]
    enrollment = courses.enrol(course, learner)
    kept, changed, third = courses.lessons(course)
    courses.complete(enrollment, kept, changed)
    assert enrollment.progress_percent == 66

    auth.login(TRAINER)
    assert auth.post(f"/ajar/{course.code}/draf").status_code == 302
    course = courses.get(course.code)
    draft_lessons = courses.lessons(course, course.draft_version_id)
    assert [x.key for x in draft_lessons] == [kept.key, changed.key, third.key]
    draft_changed = draft_lessons[1]
    response = post_multipart(
        client,
        auth,
        f"/ajar/{course.code}/pelajaran/{draft_changed.id}/ubah",
        {"title": "Berubah", "lesson_type": "text", "is_required": "y", "body": "Isi baru."},
    )
    assert response.status_code == 302
    # retitling a lesson without changing its content does not make learners redo it
    response = post_multipart(
        client,
        auth,
        f"/ajar/{course.code}/pelajaran/{draft_lessons[0].id}/ubah",
        {
            "title": "Tetap (judul baru)",
            "lesson_type": "text",
            "is_required": "y",
            "body": "Isi tetap.",
        },
    )
    assert response.status_code == 302
    # learners keep seeing version 1 until it is published
    assert courses.enrollment(course, learner.employee).progress_percent == 66
    assert auth.post(f"/ajar/{course.code}/terbitkan").status_code == 302

    course = courses.get(course.code)
    assert course.published_version.number == 2
    enrollment = courses.enrollment(course, learner.employee)
    assert enrollment.progress_percent == 33
    assert enrollment.completed_at is None
    new_kept, new_changed, new_third = courses.lessons(course)
    assert new_kept.title == "Tetap (judul baru)"
    auth.logout()

    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code}").text
    assert page.count('· <strong class="text-success">selesai</strong>') == 1
    for lesson in (new_changed, new_third):
        response = auth.post(f"/kursus/{course.code}/pelajaran/{lesson.id}/selesai")
        assert response.status_code == 302
    enrollment = courses.enrollment(course, learner.employee)
    assert enrollment.progress_percent == 100 and enrollment.completed_at is not None
    # a lesson of the old version is no longer part of the course
    assert auth.post(f"/kursus/{course.code}/pelajaran/{changed.id}/selesai").status_code == 404


def test_archive_takes_a_course_out_of_the_catalog_and_keeps_records(
    client, auth, db, courses, demo
):
    course = courses.course(title="Kursus Diarsipkan")
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, courses.lessons(course)[0])
    auth.login(HR_SOLOK)
    assert auth.post(f"/ajar/{course.code}/arsipkan").status_code == 302
    assert courses.get(course.code).status is CourseStatus.ARCHIVED
    again = auth.post(f"/ajar/{course.code}/arsipkan")
    assert again.status_code == 400 and "Kursus sudah diarsipkan." in again.text
    refused = auth.post(f"/ajar/{course.code}/draf")
    assert refused.status_code == 400 and "tidak dapat diubah" in refused.text
    assert courses.get(course.code).draft_version_id is None
    auth.logout()

    auth.login(LEARNER)
    assert "Kursus Diarsipkan" not in client.get("/kursus").text
    # an enrolled learner still reaches what they studied; the page says it is archived
    kept = client.get(f"/kursus/{course.code}")
    assert kept.status_code == 200 and "Kursus ini diarsipkan." in kept.text
    auth.logout()
    auth.login("pegawai.serang@lentera.test")
    assert client.get(f"/kursus/{course.code}").status_code == 404
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment is not None and enrollment.withdrawn_at is None
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(LessonProgress)
            .where(LessonProgress.enrollment_id == enrollment.id)
        )
        == 1
    )


# --- trainers: who sees and edits what ------------------------------------------------------------


def test_trainers_see_and_edit_only_the_courses_they_teach(client, auth, db, courses, demo):
    mine = courses.course(title="Kursus Saya", trainers=[demo["trainer"]])
    other = courses.course(title="Kursus Orang Lain")
    auth.login(TRAINER)
    listing = client.get("/ajar").text
    assert mine.code in listing and other.code not in listing
    assert client.get(f"/ajar/{mine.code}").status_code == 200
    home = client.get("/").text
    assert "Kursus Saya" in home and "Kursus Orang Lain" not in home
    for url in (
        f"/ajar/{other.code}",
        f"/ajar/{other.code}/detail",
        f"/ajar/{other.code}/peserta",
        f"/ajar/{other.code}/pelatih",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/ajar/{other.code}/terbitkan",
        f"/ajar/{other.code}/draf",
        f"/ajar/{other.code}/arsipkan",
        f"/ajar/{other.code}/modul",
    ):
        assert auth.post(url, {"title": "Diretas"}).status_code == 404, url
    stored = courses.get(other.code)
    assert stored.status is CourseStatus.PUBLISHED and stored.draft_version_id is None
    # a trainer of the course may not choose its trainers
    assert client.get(f"/ajar/{mine.code}/pelatih").status_code == 403


def test_learners_cannot_author(client, auth, db, courses):
    course = courses.course()
    auth.login(LEARNER)
    assert client.get("/ajar").status_code == 403
    assert client.get("/ajar/baru").status_code == 403
    assert auth.post("/ajar/baru", {"code": "X-1", "title": "X", "jp": "1"}).status_code == 403
    assert client.get(f"/ajar/{course.code}").status_code == 404
    assert auth.post(f"/ajar/{course.code}/arsipkan").status_code == 404
    assert courses.get(course.code).status is CourseStatus.PUBLISHED


def test_hr_of_the_owning_organisation_assigns_trainers(client, auth, db, courses, factory, demo):
    course = courses.course()
    second = factory.user(
        factory.employee(demo["solok"], "Widyaiswara Kedua"), roles=(TRAINER_ROLE,)
    )
    not_trainer = demo["learner"]
    serang_trainer = factory.user(
        factory.employee(demo["serang"], "Pelatih Serang"), roles=(TRAINER_ROLE,)
    )
    auth.login(HR_SOLOK)
    form = client.get(f"/ajar/{course.code}/pelatih")
    assert form.status_code == 200
    assert "Widyaiswara Kedua" in form.text and "Pelatih Serang" not in form.text
    ok = auth.post(
        f"/ajar/{course.code}/pelatih", {"trainers": [str(demo["trainer"].id), str(second.id)]}
    )
    assert ok.status_code == 302
    assert {t.user_id for t in courses.get(course.code).trainers} == {demo["trainer"].id, second.id}
    for bad in (not_trainer, serang_trainer):
        assert (
            auth.post(f"/ajar/{course.code}/pelatih", {"trainers": [str(bad.id)]}).status_code
            == 400
        )
    assert {t.user_id for t in courses.get(course.code).trainers} == {demo["trainer"].id, second.id}
    assert "Widyaiswara Kedua" in client.get(f"/kursus/{course.code}").text
    auth.logout()

    # the newly assigned trainer now sees and edits it
    auth.login(TRAINER)
    assert course.code in client.get("/ajar").text
    assert client.get(f"/ajar/{course.code}").status_code == 200
    auth.logout()

    auth.login(HR_SERANG)
    assert client.get(f"/ajar/{course.code}/pelatih").status_code == 404
    assert auth.post(f"/ajar/{course.code}/pelatih", {"trainers": []}).status_code == 404
    auth.logout()

    auth.login("admin@lentera.test")
    form = client.get(f"/ajar/{course.code}/pelatih")
    assert "Pelatih Serang" in form.text  # admins choose among all trainers
    assert auth.post(f"/ajar/{course.code}/pelatih", {"trainers": []}).status_code == 302
    assert courses.get(course.code).trainers == []


# --- 9. hostile and broken input ------------------------------------------------------------------


def test_scripts_and_event_handlers_are_stripped_from_markdown(client, auth, db, courses, demo):
    hostile = (
        "Teks aman.\n\n<script>alert('deskripsi')</script>\n\n"
        '<img src="x.png" onerror="alert(1)"> <a href="javascript:alert(2)">tautan</a>\n\n'
        '<p style="color:red" onclick="alert(3)">gaya</p>'
    )
    course = courses.course(
        description=hostile,
        modules=[("Modul", [text("Bacaan", hostile)])],
        trainers=[demo["trainer"]],
    )
    lesson = courses.lessons(course)[0]
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    for url in (f"/kursus/{course.code}", f"/kursus/{course.code}/pelajaran/{lesson.id}"):
        body = client.get(url).text
        assert "Teks aman." in body and "gaya" in body
        assert "alert(" not in body, url
        assert "onerror" not in body and "onclick" not in body and "javascript:" not in body
        assert 'style="color' not in body
    auth.logout()
    auth.login(TRAINER)
    preview = client.get(f"/ajar/{course.code}/pratinjau/{lesson.id}").text
    assert "alert(" not in preview and "onerror" not in preview


def test_oversize_upload_is_refused_with_a_clear_message(
    app, client, auth, db, courses, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    course = courses.course(modules=[("Modul", [])], publish=False)
    module = draft_modules(db, course)[0]
    auth.login(HR_SOLOK)
    big = PDF_BYTES + b"0" * (1536 * 1024)
    response = lesson_form(
        client,
        auth,
        course.code,
        module.id,
        title="Besar",
        lesson_type="file",
        upload=("besar.pdf", big),
    )
    assert response.status_code == 413
    assert "Berkas melebihi batas 1 MB." in response.text
    assert courses.lessons(course, course.draft_version_id) == []
    assert media_files(app, course.code) == []
    folder = Path(app.config["MEDIA_DIR"]) / "courses" / course.code
    assert not list(folder.glob(".upload-*")) if folder.exists() else True


def test_uploads_larger_than_other_requests_are_allowed_up_to_the_upload_limit(
    app, client, auth, db, courses, monkeypatch
):
    """Lesson uploads have their own limit (UPLOAD_MAX_MB), above the general request limit."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 3)
    course = courses.course(modules=[("Modul", [])], publish=False)
    module = draft_modules(db, course)[0]
    auth.login(HR_SOLOK)
    big = PDF_BYTES + b"0" * (2 * 1024 * 1024)
    response = lesson_form(
        client,
        auth,
        course.code,
        module.id,
        title="Besar",
        lesson_type="file",
        upload=("besar.pdf", big),
    )
    assert response.status_code == 302, response.text[:500]
    (lesson,) = courses.lessons(course, course.draft_version_id)
    assert lesson.file_size == len(big)


def test_file_content_decides_its_type_not_its_name(app, client, auth, db, courses):
    course = courses.course(modules=[("Modul", [])], publish=False)
    module = draft_modules(db, course)[0]
    auth.login(HR_SOLOK)
    cases = [
        ("file", "laporan.pdf", b"<html>ini bukan PDF</html>", "Jenis berkas tidak didukung"),
        ("file", "data.xlsx", b"PK\x03\x04 rusak", "Jenis berkas tidak didukung"),
        ("file", "foto.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "Jenis berkas tidak didukung"),
        ("video", "video.mp4", b"ini hanya teks biasa\n" * 50, "bukan video yang dapat dibaca"),
        ("video", "dokumen.mp4", PDF_BYTES, "bukan video yang dapat dibaca"),
    ]
    for kind, name, content, message in cases:
        response = lesson_form(
            client,
            auth,
            course.code,
            module.id,
            title=name,
            lesson_type=kind,
            upload=(name, content),
        )
        assert response.status_code == 400, name
        assert message in response.text, name
    assert courses.lessons(course, course.draft_version_id) == []
    assert media_files(app, course.code) == []


def test_video_lesson_accepts_a_real_video_under_any_name(app, client, auth, db, courses, tiny_mp4):
    course = courses.course(modules=[("Modul", [])], publish=False)
    module = draft_modules(db, course)[0]
    auth.login(HR_SOLOK)
    response = lesson_form(
        client,
        auth,
        course.code,
        module.id,
        title="Video",
        lesson_type="video",
        upload=("rekaman.bin", tiny_mp4),
    )
    assert response.status_code == 302
    (lesson,) = courses.lessons(course, course.draft_version_id)
    assert lesson.lesson_type is LessonType.VIDEO and lesson.file_size == len(tiny_mp4)
    # an unknown container is served as bytes, never guessed from the name
    assert lesson.file_mime == "application/octet-stream"


def test_editing_a_lesson_keeps_its_file_unless_a_new_one_is_uploaded(
    app, client, auth, db, courses
):
    course = courses.course(modules=[("Modul", [document("Materi")])], publish=False)
    (lesson,) = courses.lessons(course, course.draft_version_id)
    auth.login(HR_SOLOK)
    form = client.get(f"/ajar/{course.code}/pelajaran/{lesson.id}/ubah")
    assert form.status_code == 200 and "Berkas saat ini: materi.pdf" in form.text
    response = post_multipart(
        client,
        auth,
        f"/ajar/{course.code}/pelajaran/{lesson.id}/ubah",
        {"title": "Materi (revisi)", "lesson_type": "file", "is_required": "y", "body": "Catatan"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Lesson, lesson.id)
    assert edited.title == "Materi (revisi)"
    assert (edited.file_path, edited.file_name, edited.content_hash) != (None, None, "")
    assert edited.file_path == lesson.file_path
    assert edited.file_mime == "application/pdf"


def test_duplicate_course_code_through_the_services(db, courses, demo):
    from lms.core.errors import DomainError
    from lms.courses import services

    course = courses.course()
    before = db.session.scalar(select(func.count()).select_from(CourseVersion))
    try:
        services.create_course(
            demo["serang"], course.code.lower(), services.CourseDetails(title="Lain"), actor=None
        )
    except DomainError as error:
        assert error.code == "duplicate" and error.field == "code"
    else:
        raise AssertionError("a duplicate code was accepted")
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == before


def test_every_lesson_type_is_shown_to_the_learner(client, auth, db, courses, demo, tiny_mp4):
    course = courses.course(
        modules=[
            (
                "Modul",
                [
                    text("Bacaan"),
                    video("Video", tiny_mp4),
                    document("PDF"),
                    document("Slide", "slide.pptx", office_bytes("pptx")),
                    link("Tautan", "https://www.lapor.go.id/"),
                    quiz(),
                ],
            )
        ]
    )
    courses.enrol(course, demo["learner"])
    by_title = {x.title: x for x in courses.lessons(course)}
    auth.login(LEARNER)

    def page(title):
        response = client.get(f"/kursus/{course.code}/pelajaran/{by_title[title].id}")
        assert response.status_code == 200, title
        return response.text

    assert "/selesai" in page("Bacaan")
    assert "<video" in page("Video")
    pdf_page = page("PDF")
    file_url = f"/kursus/{course.code}/pelajaran/{by_title['PDF'].id}/berkas"
    assert f'src="{file_url}?tampil=1"' in pdf_page and "<iframe" in pdf_page
    slide_page = page("Slide")
    assert "<iframe" not in slide_page and "Unduh slide.pptx" in slide_page
    assert f"/kursus/{course.code}/pelajaran/{by_title['Tautan'].id}/buka" in page("Tautan")
    quiz_lesson = client.get(f"/kursus/{course.code}/pelajaran/{by_title['Kuis akhir'].id}")
    quiz_url = f"/kursus/{course.code}/kuis/{by_title['Kuis akhir'].id}"
    assert quiz_lesson.status_code == 302 and quiz_lesson.location.endswith(quiz_url)
    quiz_page = client.get(quiz_url).text
    assert "belum berisi soal" in quiz_page and "/selesai" not in quiz_page

    inline = client.get(f"{file_url}?tampil=1")
    assert inline.status_code == 200
    assert inline.mimetype == "application/pdf"
    assert inline.data == PDF_BYTES
    assert not inline.headers.get("Content-Disposition", "").startswith("attachment")
    assert "frame-ancestors 'self'" in inline.headers["Content-Security-Policy"]
    assert inline.headers["X-Frame-Options"] == "SAMEORIGIN"
    download = client.get(f"/kursus/{course.code}/pelajaran/{by_title['Slide'].id}/berkas")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "slide.pptx" in download.headers["Content-Disposition"]
    assert download.headers["X-Frame-Options"] == "DENY"
    for response in (inline, download):
        response.close()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_course_cover_is_checked_by_content_and_served(app, client, auth, db, courses, demo):
    course = courses.course(trainers=[demo["trainer"]])
    auth.login(TRAINER)
    fields = {
        "title": "Dengan Sampul",
        "summary": "",
        "description": "",
        "jp": "4",
        "category": "Manajemen",
        "visibility": "shared",
        "self_enrollment": "y",
        "competencies": "",
        "prerequisites": "",
    }
    url = f"/ajar/{course.code}/detail"
    refused = post_multipart(client, auth, url, fields | {"cover": ("sampul.png", b"GIF? no")})
    assert refused.status_code == 400
    assert "Sampul harus gambar PNG, JPEG, GIF atau WebP." in refused.text
    stored = courses.get(course.code)
    assert stored.cover_path is None and stored.draft_version_id is None
    ok = post_multipart(client, auth, url, fields | {"cover": ("sampul.png", PNG)})
    assert ok.status_code == 302
    stored = courses.get(course.code)
    assert stored.cover_path is not None
    auth.logout()
    auth.login(LEARNER)
    assert f'src="/kursus/{course.code}/sampul"' in client.get("/kursus").text
    image = client.get(f"/kursus/{course.code}/sampul")
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    image.close()
    plain = courses.course()
    assert client.get(f"/kursus/{plain.code}/sampul").status_code == 404
