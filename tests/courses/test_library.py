"""The course library: ``flask lms import-course`` creates, updates and checks course folders."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.config import PROJECT_ROOT
from lms.courses.library import IMAGE_REF
from lms.courses.models import (
    Course,
    CourseAsset,
    CourseStatus,
    CourseVersion,
    LessonType,
    Visibility,
)
from lms.quizzes.models import Quiz
from tests.fixtures.courses import PDF_BYTES, WORDS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

MANIFEST = """\
code = "{code}"
title = "Kursus Pustaka"
summary = "Ringkasan kursus pustaka."
category = "Kepemimpinan"
jp = 6
organisation = "SLK"
visibility = "organisation"
self_enrollment = true
trainers = ["pelatih@lentera.test"]
prerequisites = []

[[competencies]]
code = "M-PP"
level = 2

[[modules]]
title = "Modul 1: Dasar"

  [[modules.lessons]]
  title = "Pembuka"
  type = "text"
  file = "lessons/01-pembuka.md"

  [[modules.lessons]]
  title = "Inti"
  type = "text"
  file = "lessons/02-inti.md"

[[modules]]
title = "Modul 2: Media"

  [[modules.lessons]]
  title = "Video singkat"
  type = "video"
  file = "media/klip.mp4"
  required = false

  [[modules.lessons]]
  title = "Materi PDF"
  type = "file"
  file = "media/materi.pdf"

  [[modules.lessons]]
  title = "Portal LAPOR"
  type = "link"
  url = "https://www.lapor.go.id/"

  [[modules.lessons]]
  title = "Kuis akhir"
  type = "quiz"
  file = "quiz/kuis.gift"
"""

GIFT = """\
$CATEGORY: LIB/kuis

// kompetensi: M-PP; level: 2; kesulitan: mudah
::Satu::Standar pelayanan wajib dipublikasikan.{T}

// kompetensi: M-PP; level: 2; kesulitan: sedang
::Dua::Pilih yang benar.{
=Benar #Ya
~Salah #Bukan \\{ini\\} kurung
}
"""


def write_folder(
    root: Path, code: str = "LIB-101", manifest: str = MANIFEST, *, video: bytes = b""
) -> Path:
    """A complete course folder as courses/README.md describes it."""
    folder = root / code.lower()
    for sub in ("lessons", "media", "quiz"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(manifest.format(code=code), encoding="utf-8")
    (folder / "description.md").write_text("Kursus **pustaka** untuk uji.\n", encoding="utf-8")
    (folder / "lessons" / "01-pembuka.md").write_text(f"# Pembuka\n\n{WORDS}\n", encoding="utf-8")
    (folder / "lessons" / "02-inti.md").write_text(
        "# Inti\n\n![Diagram alur](../media/diagram.png)\n\nIsi inti.\n", encoding="utf-8"
    )
    (folder / "media" / "diagram.png").write_bytes(PNG)
    (folder / "media" / "klip.mp4").write_bytes(video)
    (folder / "media" / "materi.pdf").write_bytes(PDF_BYTES)
    (folder / "quiz" / "kuis.gift").write_text(GIFT, encoding="utf-8")
    return folder


def run(app, *folders: Path):
    return app.test_cli_runner().invoke(args=["lms", "import-course", *map(str, folders)])


def course_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Course))


def version_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(CourseVersion))


@pytest.fixture
def folder(tmp_path, tiny_mp4) -> Path:
    return write_folder(tmp_path, video=tiny_mp4)


def test_import_creates_a_published_course_then_changes_nothing(
    app, client, auth, db, courses, demo, folder
):
    result = run(app, folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "LIB-101: created"
    # the course's video waits for the queue worker
    assert "1 video menunggu diproses oleh worker." in result.output
    course = courses.get("LIB-101")
    assert course.status is CourseStatus.PUBLISHED
    assert course.organisation_id == demo["solok"].id
    assert course.visibility is Visibility.ORGANISATION
    assert course.category.name == "Kepemimpinan"
    assert [(c.code, c.level) for c in course.competencies] == [("M-PP", 2)]
    assert [t.user_id for t in course.trainers] == [demo["trainer"].id]
    version = course.published_version
    assert (version.number, version.title, version.jp) == (1, "Kursus Pustaka", 6)
    assert version.description == "Kursus **pustaka** untuk uji.\n"
    assert [m.title for m in version.modules] == ["Modul 1: Dasar", "Modul 2: Media"]
    lessons = courses.lessons(course)
    assert [(x.title, x.lesson_type, x.is_required) for x in lessons] == [
        ("Pembuka", LessonType.TEXT, True),
        ("Inti", LessonType.TEXT, True),
        ("Video singkat", LessonType.VIDEO, False),
        ("Materi PDF", LessonType.FILE, True),
        ("Portal LAPOR", LessonType.LINK, True),
        ("Kuis akhir", LessonType.QUIZ, True),
    ]
    assert lessons[2].file_mime == "video/mp4" and lessons[3].file_mime == "application/pdf"
    assert lessons[4].url == "https://www.lapor.go.id/"
    assert lessons[5].body.startswith("$CATEGORY")
    (asset,) = db.session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id))
    assert (asset.name, asset.mime) == ("diagram.png", "image/png")

    again = run(app, folder)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "LIB-101: unchanged"
    assert version_count(db) == 1 and course_count(db) == 1
    assert [x.key for x in courses.lessons(courses.get("LIB-101"))] == [x.key for x in lessons]

    # the lesson's image is served from the course's assets
    courses.enrol(course, demo["learner"])
    auth.login("pegawai.solok@lentera.test")
    page = client.get(f"/kursus/LIB-101/pelajaran/{lessons[1].id}").text
    assert '<img src="/kursus/LIB-101/aset/diagram.png" alt="Diagram alur">' in page
    image = client.get("/kursus/LIB-101/aset/diagram.png")
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    image.close()
    assert client.get("/kursus/LIB-101/aset/tidak-ada.png").status_code == 404


def test_changed_lesson_updates_with_a_new_version_keeping_other_progress(
    app, db, courses, demo, folder
):
    assert run(app, folder).exit_code == 0
    course = courses.get("LIB-101")
    first, second, *_rest = courses.lessons(course)
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, first, second)
    assert enrollment.progress_percent == 40  # 2 of 5 required

    (folder / "lessons" / "02-inti.md").write_text("# Inti\n\nIsi inti yang direvisi.\n")
    result = run(app, folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "LIB-101: updated"
    course = courses.get("LIB-101")
    assert course.published_version.number == 2 and course.draft_version_id is None
    new_first, new_second, *_ = courses.lessons(course)
    assert (new_first.key, new_second.key) == (first.key, second.key)
    assert new_first.content_hash == first.content_hash
    assert new_second.content_hash != second.content_hash
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment.progress_percent == 20  # the unchanged lesson still counts
    assert run(app, folder).output.splitlines()[0] == "LIB-101: unchanged"
    assert version_count(db) == 2


def test_changed_details_trainers_and_prerequisites_are_imported(
    app, db, courses, demo, factory, folder
):
    from lms.accounts.models import Role

    assert run(app, folder).exit_code == 0
    basic = courses.course(title="Dasar")
    other = factory.user(
        factory.employee(demo["solok"], "Pelatih Pustaka"),
        email="pelatih.pustaka@lentera.test",
        roles=(Role.TRAINER,),
    )
    manifest = (folder / "course.toml").read_text()
    manifest = manifest.replace(
        'trainers = ["pelatih@lentera.test"]', 'trainers = ["pelatih.pustaka@lentera.test"]'
    )
    manifest = manifest.replace("prerequisites = []", f'prerequisites = ["{basic.code}"]')
    (folder / "course.toml").write_text(manifest)
    result = run(app, folder)
    assert result.output.splitlines()[0] == "LIB-101: updated", result.output
    course = courses.get("LIB-101")
    assert [t.user_id for t in course.trainers] == [other.id]
    assert [p.required_course.code for p in course.prerequisites] == [basic.code]

    (folder / "course.toml").write_text(manifest.replace("jp = 6", "jp = 8"))
    assert run(app, folder).output.splitlines()[0] == "LIB-101: updated"
    assert courses.get("LIB-101").published_version.jp == 8


def test_several_folders_and_a_broken_one(app, db, courses, tmp_path, tiny_mp4):
    good = write_folder(tmp_path, "LIB-201", video=tiny_mp4)
    bad = write_folder(tmp_path, "LIB-202", video=b"bukan video sama sekali\n" * 20)
    result = run(app, good, bad)
    assert result.exit_code == 1
    assert "LIB-201: created" in result.output
    assert re.search(r"klip\.mp4: .*bukan video", result.output), result.output
    assert courses.get("LIB-201") is not None and courses.get("LIB-202") is None


def edit(folder: Path, old: str, new: str, name: str = "course.toml") -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(folder: Path, needle: str, name: str = "course.toml") -> int:
    lines = (folder / name).read_text().splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        # TOML syntax: a missing quote on line 3
        (('summary = "Ringkasan', "summary = Ringkasan"), ("course.toml", "summary ="), None),
        (
            ("lessons/02-inti.md", "lessons/99-hilang.md"),
            ("course.toml", "99-hilang"),
            "berkas lessons/99-hilang.md tidak ada",
        ),
        (
            ('type = "link"', 'type = "slides"'),
            ("course.toml", '"Portal LAPOR"'),
            "jenis pelajaran 'slides' tidak dikenal",
        ),
        (
            ("// kompetensi: M-PP; level: 2; kesulitan: sedang\n", ""),
            ("kuis.gift", "::Dua::"),
            "soal tanpa baris '// kompetensi: …' di atasnya",
        ),
        (
            ('organisation = "SLK"', 'organisation = "XYZ"'),
            ("course.toml", "organisation ="),
            "instansi XYZ tidak dikenal",
        ),
        (
            ('trainers = ["pelatih@lentera.test"]', 'trainers = ["pegawai.solok@lentera.test"]'),
            ("course.toml", "trainers ="),
            "bukan akun pelatih",
        ),
        (
            ("level = 2", "level = 9"),
            ("course.toml", "[[competencies]]"),
            "Level kompetensi M-PP harus 1 sampai 5.",
        ),
        (
            ("prerequisites = []", 'prerequisites = ["TIDAK-ADA"]'),
            ("course.toml", "prerequisites"),
            "Kursus prasyarat TIDAK-ADA tidak ditemukan.",
        ),
        (
            ('visibility = "organisation"', 'visibility = "rahasia"'),
            ("course.toml", "visibility"),
            "visibility harus shared atau organisation",
        ),
        (("jp = 6", 'jp = "enam"'), ("course.toml", "jp ="), "'jp' wajib diisi (int)"),
    ],
)
def test_errors_name_the_file_and_line(app, db, tmp_path, tiny_mp4, change, where, message):
    folder = write_folder(tmp_path, video=tiny_mp4)
    name, needle = where
    target = "quiz/kuis.gift" if name.endswith(".gift") else "course.toml"
    edit(folder, *change, name=target)
    line = line_of(folder, needle, target)
    before = course_count(db)
    result = run(app, folder)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{name}:{line}" in result.output, result.output
    if message:
        assert message in result.output, result.output
    assert course_count(db) == before


def test_folder_without_manifest(app, db, tmp_path):
    (tmp_path / "kosong").mkdir()
    result = run(app, tmp_path / "kosong")
    assert result.exit_code == 1 and "course.toml tidak ditemukan" in result.output


def test_unbalanced_gift_braces(app, db, tmp_path, tiny_mp4):
    folder = write_folder(tmp_path, video=tiny_mp4)
    edit(folder, "~Salah #Bukan \\{ini\\} kurung\n}", "~Salah", name="quiz/kuis.gift")
    result = run(app, folder)
    assert result.exit_code == 1 and "kuis.gift" in result.output
    assert "tidak ditutup" in result.output


# --- the real course library ----------------------------------------------------------------------

LIBRARY = PROJECT_ROOT / "courses"


def _complete(folder: Path) -> bool:
    """The folder's manifest parses and every file it names (and every image) exists."""
    try:
        data = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    for module in data.get("modules", []):
        for lesson in module.get("lessons", []):
            name = lesson.get("file")
            if name is None:
                continue
            path = folder / name
            if not path.is_file() or path.stat().st_size == 0:
                return False
            if lesson.get("type") in ("text", "quiz"):
                text = path.read_text(encoding="utf-8", errors="replace")
                if any(
                    not (folder / "media" / image).is_file() for image in IMAGE_REF.findall(text)
                ):
                    return False
    return True


REAL_COURSES = sorted(
    p.parent for p in LIBRARY.glob("*/course.toml") if _complete(p.parent)
)  # evaluated when collected: folders still being written are left out


def test_the_library_has_complete_courses():
    assert len(REAL_COURSES) >= 1, "no complete course folder in courses/"


@pytest.mark.parametrize("folder", REAL_COURSES, ids=lambda p: p.name)
def test_real_course_folder_imports(app, client, auth, db, courses, demo, folder):
    result = run(app, folder)
    assert result.exit_code == 0, result.output
    code = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))["code"]
    assert result.output.splitlines()[0] == f"{code}: created"
    course = courses.get(code)
    assert course.status is CourseStatus.PUBLISHED
    assert course.published_version.description.strip(), "the course has a description"
    lessons = courses.lessons(course)
    long_texts = [
        x for x in lessons if x.lesson_type is LessonType.TEXT and len(x.body.split()) >= 400
    ]
    assert len(long_texts) >= 4, [(x.title, len(x.body.split())) for x in lessons]
    quizzes = [x for x in lessons if x.lesson_type is LessonType.QUIZ]
    assert quizzes
    tagged = max(
        sum(1 for line in x.body.splitlines() if line.strip().startswith("// kompetensi:"))
        for x in quizzes
    )
    assert tagged >= 10, f"{tagged} tagged questions"
    # the quiz engine read every question into the course's bank and the lesson's quiz
    for lesson in quizzes:
        quiz = db.session.scalar(
            select(Quiz).where(Quiz.course_id == course.id, Quiz.lesson_key == lesson.key)
        )
        tags = sum(1 for line in lesson.body.splitlines() if line.startswith("// kompetensi:"))
        assert len(quiz.items) == tags
        assert all(item.question.competency and item.question.level for item in quiz.items)
    videos = [x for x in lessons if x.lesson_type is LessonType.VIDEO]
    assert videos and all(v.file_mime == "video/mp4" for v in videos)
    assert course.competencies, "the course names its competencies"
    assert run(app, folder).output.splitlines()[0] == f"{code}: unchanged"
    # and a learner of Solok (or, for a course kept to its organisation, of its owner) can
    # open every lesson page of it
    learner = (
        demo["learner"]
        if course.visibility is Visibility.SHARED or course.organisation_id == demo["solok"].id
        else None
    )
    if learner is not None:
        courses.enrol(course, learner)
        auth.login("pegawai.solok@lentera.test")
        for lesson in lessons:
            page = client.get(f"/kursus/{code}/pelajaran/{lesson.id}", follow_redirects=True)
            assert page.status_code == 200, lesson.title
            if lesson.lesson_type is LessonType.QUIZ:
                assert "Mulai kuis" in page.text
