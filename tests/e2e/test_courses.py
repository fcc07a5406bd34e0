"""Course journeys in Chromium: a trainer publishes, HR assigns, a learner learns."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

PASSWORD = "lentera-demo"


def login(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/masuk")
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    expect(page.locator("h1")).to_contain_text("Selamat datang")


def test_learner_enrols_learns_and_sees_progress(page: Page, live_server: str):
    login(page, live_server, "pegawai.solok@lentera.test")
    page.goto(f"{live_server}/kursus?q=Kepemimpinan")
    page.get_by_role("link", name="Kepemimpinan Pelayanan Publik").click()
    expect(page.locator("h1")).to_have_text("Kepemimpinan Pelayanan Publik")
    page.get_by_role("button", name="Daftar kursus").click()
    expect(page.locator(".alert-success")).to_contain_text("Anda terdaftar")
    page.get_by_role("link", name="Mulai belajar").click()
    first_title = page.locator("h1").inner_text()
    assert page.locator(".lesson-body").inner_text().count(" ") > 300  # a real lesson
    page.get_by_role("button", name="Tandai selesai dan lanjut").click()
    expect(page.locator("h1")).not_to_have_text(first_title)
    page.goto(f"{live_server}/kursus/KPP-101")
    expect(page.get_by_role("link", name="Lanjutkan belajar")).to_be_visible()
    progress = page.locator(".progress").first
    assert int(progress.get_attribute("aria-valuenow")) > 0
    page.goto(f"{live_server}/")
    mine = page.locator("section").filter(has=page.get_by_role("heading", name="Kursus saya"))
    expect(mine).to_contain_text("Kepemimpinan Pelayanan Publik")
    expect(mine.locator(".progress")).to_have_count(1)


def test_trainer_builds_and_publishes_a_course(page: Page, live_server: str):
    login(page, live_server, "pelatih@lentera.test")
    page.goto(f"{live_server}/ajar/baru")
    page.locator("#code").fill("E2E-101")
    page.locator("#title").fill("Kursus Uji Peramban")
    page.locator("#summary").fill("Kursus singkat yang dibuat oleh uji peramban.")
    page.locator("#jp").fill("2")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("h1")).to_contain_text("Kursus Uji Peramban")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Terbitkan draf").click()  # refused: no lessons yet
    expect(page.locator(".alert-danger")).to_contain_text("belum memiliki pelajaran")
    page.locator("#title").fill("Modul Satu")
    page.get_by_role("button", name="Tambah modul").click()
    page.get_by_role("link", name="Tambah pelajaran").click()
    page.locator("#title").fill("Pelajaran Pertama")
    page.locator("#body").fill("# Halo\n\nIsi pelajaran <script>alert(1)</script> yang aman.")
    page.get_by_role("button", name="Simpan").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Terbitkan draf").click()
    expect(page.locator(".alert-success")).to_contain_text("Kursus diterbitkan")
    page.goto(f"{live_server}/kursus?q=Uji+Peramban")
    expect(page.get_by_role("link", name="Kursus Uji Peramban")).to_be_visible()


def test_hr_assigns_a_unit_and_the_learner_sees_the_due_date(
    page: Page, browser: Browser, live_server: str
):
    login(page, live_server, "bkpsdm.solok@lentera.test")
    page.goto(f"{live_server}/ajar/LDK-101/penugasan")
    page.locator("#target_type").select_option("unit")
    page.locator("#unit_id").select_option(label="Dinas Kesehatan")
    due = date.today() + timedelta(days=30)
    page.locator("#due_date").fill(due.isoformat())
    page.get_by_role("button", name="Tugaskan").click()
    expect(page.locator(".alert-success")).to_contain_text("pegawai didaftarkan")
    learner = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    try:
        login(learner, live_server, "pegawai.solok@lentera.test")
        mine = learner.locator("section").filter(
            has=learner.get_by_role("heading", name="Kursus saya")
        )
        expect(mine).to_contain_text("Literasi Digital dan Keamanan Informasi")
        expect(mine).to_contain_text("wajib")
        assert learner.evaluate("document.documentElement.scrollWidth") <= 361
    finally:
        learner.context.close()
