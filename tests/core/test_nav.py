"""The main menu is kept per set of roles (lms.core.fragments): each role sees its own links,
whichever role's page was rendered first, and the logout form keeps each session's token."""

from __future__ import annotations

import re

HR_LINKS = ('href="/laporan"', 'href="/hr/pegawai"', 'href="/hr/audit"')


def test_each_role_gets_its_own_menu_from_the_kept_fragments(client, auth):
    auth.login("bkpsdm.solok@lentera.test")
    hr = client.get("/").text
    assert all(link in hr for link in HR_LINKS)
    hr_token = re.search(r'action="/keluar".*?name="csrf_token" value="([^"]+)"', hr, re.S)
    auth.logout()
    auth.login("pegawai.solok@lentera.test")
    learner = client.get("/").text
    assert not any(link in learner for link in HR_LINKS)
    assert 'href="/kompetensi"' in learner
    learner_token = re.search(
        r'action="/keluar".*?name="csrf_token" value="([^"]+)"', learner, re.S
    )
    assert hr_token and learner_token and hr_token.group(1) != learner_token.group(1)
    auth.post("/bahasa", {"locale": "en", "next": "/"})
    english = client.get("/").text
    assert ">Catalogue<" in english or ">Catalog<" in english
    assert ">Katalog<" not in english
