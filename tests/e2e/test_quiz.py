"""A learner takes a timed quiz in Chromium: answers saved as given, offline and back, resume,
submit, result; on a 360 px phone too."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_courses import login


def open_quiz(page: Page, base_url: str, code: str) -> None:
    page.goto(f"{base_url}/kursus/{code}")
    enrol = page.get_by_role("button", name="Daftar kursus")
    if enrol.count():
        enrol.click()
    page.get_by_role("link", name="Kuis akhir").click()
    expect(page.locator("h1")).to_have_text("Kuis akhir")


def test_learner_takes_a_timed_quiz(page: Page, live_server: str, screenshot_dir: Path):
    login(page, live_server, "pegawai.serang@lentera.test")
    open_quiz(page, live_server, "KOM-101")
    expect(page.locator("main")).to_contain_text("30 menit")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mulai kuis").click()
    expect(page.locator("[data-countdown]")).to_have_text(re.compile(r"^(30:00|29:\d\d)$"))
    status = page.locator("[data-save-status]")

    answerable = page.locator(
        "fieldset[data-type='multichoice'], fieldset[data-type='truefalse']"
    ).first
    slot = answerable.get_attribute("data-slot")
    answerable.locator("input[type=radio]").first.check()
    expect(status).to_have_text("Tersimpan")
    expect(page.locator("[data-answered]")).to_have_text("1")  # counts as answers are given

    # the connection drops: the answer waits on the device and goes when it is back
    page.context.set_offline(True)
    second = page.locator(
        f"fieldset[data-type='multichoice']:not([data-slot='{slot}']), "
        f"fieldset[data-type='truefalse']:not([data-slot='{slot}'])"
    ).first
    second_slot = second.get_attribute("data-slot")
    second.locator("input[type=radio]").last.check()
    expect(status).to_contain_text("Koneksi terputus")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("Tersimpan")
    expect(page.locator("[data-answered]")).to_have_text("2")

    # the server fails for a moment (e.g. a busy database): the answer is kept and sent again
    page.route("**/jawaban/*", lambda route: route.fulfill(status=500, body="{}"))
    second.locator("input[type=radio]").first.check()
    expect(status).to_contain_text("Server sibuk")
    page.unroute("**/jawaban/*")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("Tersimpan")

    # closing and coming back resumes the same attempt with its answers
    attempt_url = page.url
    page.goto(f"{live_server}/")
    page.goto(attempt_url)
    expect(page.locator(f"fieldset[data-slot='{slot}'] input[type=radio]").first).to_be_checked()
    expect(
        page.locator(f"fieldset[data-slot='{second_slot}'] input[type=radio]").first
    ).to_be_checked()
    page.screenshot(path=str(screenshot_dir / "quiz-attempt.png"), full_page=False)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Kumpulkan").click()
    expect(page.locator("h1")).to_have_text("Hasil percobaan 1")
    expect(page.locator("main")).to_contain_text("Pembahasan")
    expect(page.locator("main")).to_contain_text("Belum lulus")  # two answers of seventeen
    page.screenshot(path=str(screenshot_dir / "quiz-result.png"), full_page=False)

    # back on the quiz page: the attempt is listed and a new one may be started (3 allowed)
    page.get_by_role("link", name="Kembali ke kuis").click()
    expect(page.locator("table")).to_contain_text("dinilai")
    expect(page.get_by_role("button", name="Mulai percobaan baru")).to_be_visible()


def test_quiz_pages_fit_a_phone(browser: Browser, live_server: str, screenshot_dir: Path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server, "pegawai.solok@lentera.test")
        open_quiz(page, live_server, "MPP-101")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=re.compile("Mulai")).click()
        expect(page.locator("[data-countdown]")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the quiz page scrolls sideways ({width} px)"
        page.screenshot(path=str(screenshot_dir / "quiz-phone.png"), full_page=False)
    finally:
        context.close()
