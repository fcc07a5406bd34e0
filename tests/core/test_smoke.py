"""Every demo account logs in and reaches its home page."""

import pytest

ACCOUNTS = [
    "admin@lentera.test",
    "bkpsdm.solok@lentera.test",
    "bkpsdm.serang@lentera.test",
    "pelatih@lentera.test",
    "atasan.solok@lentera.test",
    "pegawai.solok@lentera.test",
    "pegawai.serang@lentera.test",
]


@pytest.mark.parametrize("email", ACCOUNTS)
def test_demo_account_reaches_home(client, auth, email):
    response = auth.login(email)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Selamat datang" in home.text
