"""Every page each demo role can reach by following links answers without a server error,
and never shows another organisation's people."""

import re
from collections import deque

import pytest
from sqlalchemy import select

from lms.accounts.models import Employee, Organisation

LINK = re.compile(r'href="(/[^"#]*)"')
ROLES = {
    "bkpsdm.solok@lentera.test": "SLK",
    "bkpsdm.serang@lentera.test": "SRG",
    "bkpsdm.swl@lentera.test": "SWL",
    "pelatih@lentera.test": "SLK",
    "atasan.solok@lentera.test": "SLK",
    "pegawai.solok@lentera.test": "SLK",
    "pegawai.serang@lentera.test": "SRG",
    "admin@lentera.test": None,
}


def _crawl(client, limit=120):
    seen, queue, pages = {"/"}, deque(["/"]), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url, buffered=True)  # exports stream: read them in the request
        pages[url] = response
        if response.mimetype != "text/html":
            continue
        for link in LINK.findall(response.text):
            link = link.replace("&amp;", "&")
            if link.startswith(("/static/", "/keluar")) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return pages


@pytest.mark.parametrize("email", sorted(ROLES))
def test_every_reachable_page_works_and_stays_in_scope(client, auth, db, email):
    auth.login(email)
    pages = _crawl(client)
    assert len(pages) >= 3
    for url, response in pages.items():
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        assert response.status_code in (200, 302, 403, 404), f"{url}: {response.status_code}"
    own = ROLES[email]
    if own is None:
        return
    foreign_nips = db.session.scalars(
        select(Employee.nip).join(Organisation).where(Organisation.code != own)
    ).all()
    for url, response in pages.items():
        text = response.get_data().decode("utf-8", "replace")  # XLSX exports are binary
        leaked = [nip for nip in foreign_nips if nip in text]
        assert not leaked, f"{email} saw another organisation's NIPs on {url}: {leaked[:3]}"
