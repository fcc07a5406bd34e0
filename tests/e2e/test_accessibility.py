"""On a 360 px phone: no serious accessibility violations (axe-core) and light pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PASSWORD = "lentera-demo"
#: the most a page may transfer on a first visit with an empty cache, compressed
FIRST_VISIT_BUDGET = 110 * 1024
#: the most a page may transfer once the static files are cached
REPEAT_VISIT_BUDGET = 20 * 1024

PAGES = {
    "bkpsdm.solok@lentera.test": [
        "/",
        "/hr/pegawai",
        "/hr/pegawai/baru",
        "/hr/unit",
        "/hr/unit/baru",
        "/hr/jabatan",
        "/hr/jabatan/baru",
        "/hr/impor",
        "/hr/audit",
        "/akun/token",
        "/akun/kata-sandi",
        "/laporan",
        "/laporan/penyelesaian",
        "/laporan/jp",
        "/laporan/kesenjangan",
        "/laporan/kuis",
        "/laporan/evaluasi",
        "/sertifikat/registri",
        "/sertifikat/templat",
        "/kamus-kompetensi",
        "/standar-kompetensi",
        "/kompetensi/jp-instansi",
        "/evaluasi/templat",
        "/ajar/KPP-101/penugasan",
    ],
    "admin@lentera.test": ["/", "/admin/instansi"],
    "pegawai.solok@lentera.test": [
        "/",
        "/kursus",
        "/kursus/KPP-101",
        "/kursus/MPP-101",
        "/kompetensi",
        "/kompetensi/jp",
        "/rencana",
        "/sertifikat",
        "/pemberitahuan",
        "/pemberitahuan/pengaturan",
    ],
    "pelatih@lentera.test": [
        "/ajar",
        "/ajar/KPP-101",
        "/ajar/KPP-101/peserta",
        "/ajar/KPP-101/soal",
        "/ajar/bank-soal",
        "/ajar/evaluasi-saya",
    ],
    "atasan.solok@lentera.test": ["/", "/laporan/tim", "/kompetensi/tim", "/rencana/tim"],
}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 360 px wide phone; CSP is bypassed only so the axe script can be injected."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, bypass_csp=True, is_mobile=True, locale="id-ID"
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _axe_violations(page: Page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def _login(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/masuk")
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    expect(page.locator("h1")).to_contain_text("Selamat datang")


def test_login_page_is_accessible_and_light(phone: Page, live_server: str):
    transferred: list[int] = []
    phone.on("requestfinished", lambda r: transferred.append(r.sizes()["responseBodySize"]))
    phone.goto(f"{live_server}/masuk")
    phone.wait_for_load_state("load")
    assert sum(transferred) <= FIRST_VISIT_BUDGET, f"login page weighs {sum(transferred)} bytes"
    assert _axe_violations(phone) == []


@pytest.mark.parametrize("email", sorted(PAGES))
def test_role_pages_are_accessible_on_a_phone(phone: Page, live_server: str, email: str):
    _login(phone, live_server, email)
    problems: dict[str, list[str]] = {}
    for path in PAGES[email]:
        transferred: list[int] = []

        def record(request, sink=transferred):
            sink.append(request.sizes()["responseBodySize"])

        phone.on("requestfinished", record)
        response = phone.goto(f"{live_server}{path}")
        phone.wait_for_load_state("load")
        phone.remove_listener("requestfinished", record)
        assert response is not None and response.status == 200, path
        assert sum(transferred) <= REPEAT_VISIT_BUDGET, f"{path} weighs {sum(transferred)} B"
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 361, f"{path} overflows a 360 px screen ({width} px)"
        violations = _axe_violations(phone)
        if violations:
            problems[path] = violations
    assert problems == {}
