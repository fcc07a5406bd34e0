"""The lesson editor uploads a video with the tus client, resumably, with a progress bar."""

from __future__ import annotations

import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

PASSWORD = "lentera-demo"


def test_trainer_uploads_a_video_lesson_through_tus(page: Page, live_server: str, tmp_path: Path):
    clip = tmp_path / "rekaman.mp4"
    source = "testsrc=duration=2:size=320x180:rate=10"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", source, "-f", "lavfi",
         "-i", "sine=duration=2", "-shortest", "-c:v", "libx264", "-c:a", "aac", str(clip)],
        check=True,
    )  # fmt: skip
    page.goto(f"{live_server}/masuk")
    page.locator("input[name='login']").fill("pelatih@lentera.test")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    page.goto(f"{live_server}/ajar/baru")
    page.locator("#code").fill("E2E-VID")
    page.locator("#title").fill("Kursus Video Uji")
    page.locator("#jp").fill("1")
    page.get_by_role("button", name="Simpan").click()
    page.locator("#title").fill("Modul Video")
    page.get_by_role("button", name="Tambah modul").click()
    page.get_by_role("link", name="Tambah pelajaran").click()
    page.locator("#title").fill("Video pembuka")
    page.locator("#lesson_type").select_option("video")
    page.locator("input[name='upload']").set_input_files(str(clip))
    message = page.locator("[data-tus-message]")
    expect(message).to_contain_text("Video terunggah", timeout=20_000)
    media = page.locator("input[name='media']").input_value()
    assert len(media) >= 16
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".alert-success")).to_contain_text("Pelajaran disimpan")
    expect(page.locator("main")).to_contain_text("Video pembuka")
    expect(page.locator("main")).to_contain_text("Menunggu giliran diproses")
