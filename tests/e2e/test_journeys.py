"""Journeys through the real application in Chromium: logins, role homes, HR work, scoping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

PASSWORD = "lentera-demo"
NIP_RE = re.compile(r"^\d{18}$")
EMPLOYEE_URL_RE = re.compile(r"/pegawai/(\d+)$")

#: (screenshot name, login email, kind of home page)
ACCOUNTS = (
    ("admin", "admin@lentera.test", "admin"),
    ("hr-solok", "bkpsdm.solok@lentera.test", "hr"),
    ("hr-serang", "bkpsdm.serang@lentera.test", "hr"),
    ("trainer", "pelatih@lentera.test", "trainer"),
    ("supervisor", "atasan.solok@lentera.test", "supervisor"),
    ("learner-solok", "pegawai.solok@lentera.test", "learner"),
    ("learner-serang", "pegawai.serang@lentera.test", "learner"),
)


def login(page: Page, base_url: str, login_name: str, password: str = PASSWORD) -> None:
    """Fill and submit the login form (the caller checks where it lands)."""
    page.goto(f"{base_url}/masuk")
    expect(page.locator("h1")).to_have_text("Masuk ke Lentera")
    page.locator("input[name='login']").fill(login_name)
    page.locator("input[name='password']").fill(password)
    page.locator("main form button[type='submit']").click()


def login_ok(page: Page, base_url: str, login_name: str) -> None:
    """Log in and check we land on the home page."""
    login(page, base_url, login_name)
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("h1")).to_contain_text("Selamat datang")


def nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Navigasi utama")


def nav_link(page: Page, name: str) -> Locator:
    return nav(page).get_by_role("link", name=name, exact=True)


def section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def first_employee_link(page: Page) -> Locator:
    return page.locator("main table tbody tr td a[href^='/pegawai/']").first


@pytest.mark.parametrize(
    ("role", "email", "kind"), ACCOUNTS, ids=[account[0] for account in ACCOUNTS]
)
def test_each_role_logs_in_and_sees_its_home(
    page: Page, live_server: str, screenshot_dir: Path, role: str, email: str, kind: str
):
    login_ok(page, live_server, email)

    if kind in {"admin", "hr"}:
        expect(nav_link(page, "Pegawai")).to_be_visible()
        expect(nav_link(page, "Log audit")).to_be_visible()
    else:
        expect(nav_link(page, "Pegawai")).to_have_count(0)
        expect(nav_link(page, "Log audit")).to_have_count(0)
    if kind == "admin":
        expect(nav_link(page, "Instansi")).to_be_visible()
        expect(page.get_by_role("heading", name="Admin platform")).to_be_visible()
    else:
        expect(nav_link(page, "Instansi")).to_have_count(0)
    if kind == "hr":
        city = "Solok" if "solok" in email else "Serang"
        expect(page.get_by_role("heading", name=f"BKPSDM: Pemerintah Kota {city}")).to_be_visible()
    if kind == "supervisor":
        team = section(page, "Tim saya")
        expect(team).to_be_visible()
        members = team.locator("tbody tr")
        expect(members.first).to_be_visible()
        assert members.count() >= 1
        expect(members.first.locator("td.nip")).to_have_text(NIP_RE)
    if kind == "trainer":
        expect(section(page, "Pelatih")).to_be_visible()
    if kind in {"learner", "supervisor", "trainer"}:
        profile = section(page, "Profil saya")
        expect(profile).to_be_visible()
        expect(profile.locator("dd.nip")).to_have_text(NIP_RE)

    page.screenshot(path=str(screenshot_dir / f"{role}-1280.png"), full_page=True)
    # HR and admin have many navigation links: they wrap instead of widening the page.
    for width in (1000, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{role} home overflows at {width} px: {scroll_width}px"

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    expect(page.locator("h1")).to_contain_text("Selamat datang")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 361, f"{role} home overflows horizontally at 360 px: {scroll_width}px"
    page.screenshot(path=str(screenshot_dir / f"{role}-360.png"), full_page=True)
    # Below 992 px the navigation hides behind the toggler and opens on demand.
    expect(nav_link(page, "Beranda")).to_be_hidden()
    nav(page).get_by_role("button", name="Buka menu").click()
    expect(nav_link(page, "Beranda")).to_be_visible()
    expect(nav(page).get_by_role("button", name="Keluar")).to_be_visible()


def test_wrong_password_is_refused_in_indonesian(page: Page, live_server: str):
    login(page, live_server, "pegawai.serang@lentera.test", "bukan-kata-sandi")
    expect(page.get_by_role("alert")).to_contain_text("NIP/email atau kata sandi salah.")
    expect(page).to_have_url(f"{live_server}/masuk")
    expect(page.locator("h1")).to_have_text("Masuk ke Lentera")
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)


def test_login_by_nip(page: Page, live_server: str):
    login_ok(page, live_server, "pegawai.solok@lentera.test")
    nip = section(page, "Profil saya").locator("dd.nip").inner_text().strip()
    assert NIP_RE.match(nip), nip
    name = page.locator("h1").inner_text()
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(f"{live_server}/masuk")

    login_ok(page, live_server, nip)
    assert page.locator("h1").inner_text() == name
    expect(section(page, "Profil saya").locator("dd.nip")).to_have_text(nip)


def test_hr_searches_opens_and_adds_employees(page: Page, live_server: str):
    login_ok(page, live_server, "bkpsdm.solok@lentera.test")
    nav_link(page, "Pegawai").click()
    expect(page).to_have_url(f"{live_server}/hr/pegawai")
    expect(page.locator("h1")).to_contain_text("Pemerintah Kota Solok")
    rows = page.locator("main table tbody tr")
    total = rows.count()
    assert total > 1

    # Search by the surname of the last person listed and open their page.
    target = rows.nth(total - 1).locator("td a").first
    full_name = target.inner_text().strip()
    surname = full_name.split(",")[0].split()[-1]
    page.locator("#q").fill(surname)
    page.get_by_role("button", name="Cari").click()
    expect(page).to_have_url(re.compile(r"/hr/pegawai\?q="))
    expect(page.locator("#q")).to_have_value(surname)
    found = page.locator("main table tbody tr td a[href^='/pegawai/']")
    expect(found.first).to_be_visible()
    assert 1 <= found.count() < total
    for name in found.all_inner_texts():
        assert surname.lower() in name.lower()
    page.get_by_role("link", name=full_name, exact=True).click()
    expect(page).to_have_url(EMPLOYEE_URL_RE)
    expect(page.locator("h1")).to_have_text(full_name)
    expect(page.locator("dd.nip").first).to_have_text(NIP_RE)

    # Add a new PNS. Demo NIPs have birth days 1-28, so a 30th cannot clash; check anyway.
    new_nip = "199001302015031001"
    page.goto(f"{live_server}/hr/pegawai?q={new_nip}&status=semua")
    expect(page.get_by_text("Tidak ada pegawai yang cocok.")).to_be_visible()
    page.get_by_role("link", name="Tambah pegawai").click()
    expect(page).to_have_url(f"{live_server}/hr/pegawai/baru")
    expect(page.locator("h1")).to_have_text("Tambah pegawai")

    # First a malformed NIP: month 13 is not a birth date.
    page.locator("#nip").fill("199013152015031001")
    page.locator("#name").fill("Yulia Uji Coba, S.Kom.")
    page.locator("#unit_id").select_option(label="Dinas Kesehatan")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.locator("#nip")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#nip-err")).to_contain_text(
        "8 digit pertama NIP (19901315) bukan tanggal lahir yang sah."
    )
    expect(page.locator("h1")).to_have_text("Tambah pegawai")

    # Then a valid one: the form kept the other fields.
    expect(page.locator("#name")).to_have_value("Yulia Uji Coba, S.Kom.")
    page.locator("#nip").fill(new_nip)
    page.locator("#name").fill("Andri Uji Coba, S.Kom.")
    page.locator("#unit_id").select_option(label="Dinas Kesehatan")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page).to_have_url(EMPLOYEE_URL_RE)
    expect(page.get_by_role("alert")).to_contain_text("Andri Uji Coba, S.Kom.")
    expect(page.locator("h1")).to_have_text("Andri Uji Coba, S.Kom.")
    expect(page.locator("dd.nip").first).to_have_text(new_nip)
    details = page.locator("main dl").first
    expect(details).to_contain_text("Dinas Kesehatan")
    expect(details).to_contain_text("Laki-laki")
    expect(details).to_contain_text("30 Januari 1990")

    # And the list now finds them by NIP.
    page.goto(f"{live_server}/hr/pegawai?q={new_nip}")
    expect(page.get_by_role("link", name="Andri Uji Coba, S.Kom.", exact=True)).to_be_visible()


def test_hr_of_serang_cannot_open_a_solok_employee(page: Page, browser: Browser, live_server: str):
    login_ok(page, live_server, "bkpsdm.solok@lentera.test")
    page.goto(f"{live_server}/hr/pegawai")
    first_employee_link(page).click()
    expect(page).to_have_url(EMPLOYEE_URL_RE)
    solok_url = page.url
    expect(page.locator("main dl")).to_contain_text("Pemerintah Kota Solok")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        serang = context.new_page()
        login_ok(serang, live_server, "bkpsdm.serang@lentera.test")
        response = serang.goto(solok_url)
        assert response is not None
        assert response.status == 404
        expect(serang.locator("h1")).to_have_text("Halaman tidak ditemukan")
        expect(serang.locator("main")).not_to_contain_text("Pemerintah Kota Solok")
    finally:
        context.close()


def test_logout_returns_to_login(page: Page, live_server: str):
    login_ok(page, live_server, "pelatih@lentera.test")
    nav(page).get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(f"{live_server}/masuk")
    expect(page.locator("h1")).to_have_text("Masuk ke Lentera")
    expect(page.get_by_role("alert")).to_contain_text("Anda telah keluar.")
    # The session is really gone: the home page and HR pages send us back to log in.
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/masuk")
    page.goto(f"{live_server}/pegawai/1")
    expect(page).to_have_url(f"{live_server}/masuk?next=/pegawai/1")
    expect(page.get_by_role("alert")).to_contain_text("Silakan masuk")
