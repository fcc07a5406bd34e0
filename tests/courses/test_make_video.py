"""courses/tools/make_video.py: a slide script becomes a narrated MP4; bad input is named."""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg
import pytest

from courses.tools import make_video

SCRIPT = '''\
title = "Uji: 100% \\"video\\", C:\\\\jalur"

[[slides]]
heading = "Pembukaan: apa itu 'pelayanan'?"
text = """
• Cepat, mudah, terjangkau
• Standar 100% dipublikasikan
"""
narration = "Selamat datang."

[[slides]]
heading = "Penutup"
narration = "Terima kasih."
'''


def write(tmp_path: Path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_renders_narrated_h264_aac_video(tmp_path, capsys):
    script = write(tmp_path, SCRIPT)
    out = tmp_path / "out" / "lesson.mp4"
    slides = tmp_path / "slides"

    assert make_video.main([str(script), "-o", str(out), "--slides-dir", str(slides)]) == 0

    assert "wrote" in capsys.readouterr().err
    probe = ffmpeg.probe(str(out))
    video = [s for s in probe["streams"] if s["codec_type"] == "video"]
    audio = [s for s in probe["streams"] if s["codec_type"] == "audio"]
    assert len(video) == 1 and len(audio) == 1
    assert video[0]["codec_name"] == "h264"
    assert (video[0]["width"], video[0]["height"]) == (1280, 720)
    assert video[0]["pix_fmt"] == "yuv420p"
    assert audio[0]["codec_name"] == "aac"
    assert audio[0]["channels"] == 1
    duration = float(probe["format"]["duration"])
    # Two short sentences plus 0.8 s of pauses per slide.
    padding = make_video.LEAD_IN + make_video.TAIL
    assert 2 * padding + 1 < duration < 12
    assert abs(float(video[0]["duration"]) - float(audio[0]["duration"])) < 0.2
    assert out.stat().st_size < 500_000
    assert sorted(p.name for p in slides.iterdir()) == ["slide01.png", "slide02.png"]
    assert not list(out.parent.glob(".*partial*"))


def test_slide_text_stays_inside_the_frame():
    long_words = " ".join(["Akuntabilitas"] * 12)
    script = make_video.parse_script(
        {
            "title": "Judul yang sangat panjang " * 8,
            "slides": [
                {
                    "heading": "Kepemimpinan pelayanan publik yang MELAYANI WARGA " * 2,
                    "text": "\n".join(f"• {long_words} {i}" for i in range(3)),
                    "narration": "Uji.",
                }
            ],
        }
    )
    items, _accent = make_video.layout_slide(script, 1)
    for item in items:
        metrics = make_video.font(item.font)
        left = int(item.x) if item.x.isdigit() else make_video.MARGIN_X
        assert left + metrics.width(item.text, item.size) <= make_video.WIDTH - make_video.MARGIN_X
        assert item.y < make_video.HEIGHT
    footer = [i for i in items if i.size == make_video.FOOTER_SIZE]
    assert footer[0].text.endswith("…") and footer[1].text == "1/1"


def test_malformed_toml_names_the_file(tmp_path, capsys):
    script = write(tmp_path, 'title = "Tanpa penutup\n[[slides]]\n')

    assert make_video.main([str(script), "-o", str(tmp_path / "x.mp4")]) == 1

    err = capsys.readouterr().err
    assert "malformed TOML" in err and str(script) in err and "line 1" in err
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[slides]]\nheading = "A"\nnarration = "Satu."\n', "missing `title"),
        ('title = "T"\n', "no slides"),
        (
            'title = "T"\n[[slides]]\nheading = "A"\nnarration = "Satu."\n'
            '[[slides]]\nheading = "Kedua"\ntext = "• poin"\n',
            "slide 2 ('Kedua'): missing or empty `narration`",
        ),
        ('title = "T"\n[[slides]]\nheading = "A"\nnarration = "  "\n', "slide 1 ('A'): missing"),
        ('title = "T"\n[[slides]]\nheading = "A"\nnarasi = "Satu."\n', "unknown key(s) narasi"),
        ('title = "T"\n[[slides]]\nheading = "A"\nnarration = 3\n', "`narration` must be a string"),
    ],
)
def test_bad_script_gives_a_clear_error(tmp_path, capsys, body, message):
    script = write(tmp_path, body)

    assert make_video.main([str(script), "-o", str(tmp_path / "x.mp4")]) == 1

    assert message in capsys.readouterr().err


def test_text_that_cannot_fit_is_rejected():
    script = make_video.parse_script(
        {
            "title": "T",
            "slides": [{"heading": "A", "text": "\n".join(["• poin"] * 30), "narration": "Satu."}],
        }
    )
    with pytest.raises(make_video.MakeVideoError, match="does not fit"):
        make_video.layout_slide(script, 1)


def test_missing_programs_are_named(tmp_path, monkeypatch, capsys):
    real_which = make_video.shutil.which
    monkeypatch.setattr(
        make_video.shutil, "which", lambda name: None if name == "espeak-ng" else real_which(name)
    )
    script = write(tmp_path, SCRIPT)

    assert make_video.main([str(script), "-o", str(tmp_path / "x.mp4")]) == 1

    err = capsys.readouterr().err
    assert "espeak-ng" in err and "apt-get install" in err


def test_all_skips_videos_newer_than_their_script(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(make_video, "COURSES_DIR", tmp_path)
    (tmp_path / "kursus" / "video").mkdir(parents=True)
    script = write(tmp_path / "kursus" / "video", SCRIPT, "kursus-video.toml")
    media = tmp_path / "kursus" / "media"
    media.mkdir()
    out = media / "kursus-video.mp4"
    out.write_bytes(b"sudah ada")
    later = script.stat().st_mtime + 10
    os.utime(out, (later, later))

    assert make_video.main(["--all"]) == 0

    assert "up to date" in capsys.readouterr().err
    assert out.read_bytes() == b"sudah ada"


def test_default_output_goes_to_media():
    script = Path("courses/kursus/video/pengantar.toml")
    assert make_video.default_output(script) == Path("courses/kursus/media/pengantar.mp4")
